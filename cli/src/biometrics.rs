//! `enroll biometrics inspect`: the headers of ISO/IEC 19794 records (finger, face, iris; 2005
//! and 2011 editions) as JSON, for an admin checking what a device or a packet holds.
//!
//! Every file is read and parsed before anything is printed, so a script never takes a partial
//! list for the whole: a file that is not a record fails the command (exit code 3, the CLI's
//! code for input that cannot be read or is not valid) with its name and why.
//!
//! Deliberately absent: decoding images and scoring their quality (the header's scores are
//! shown as recorded), and CBEFF files (one record per file here).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use enroll_devices::iso19794::{summary, Iso19794Record};
use serde_json::Value;

use crate::Failure;

#[derive(Subcommand)]
pub enum BiometricsCommand {
    /// Print each record's header as JSON (an array, one object per file, in the order given):
    /// format, edition, positions, image size, resolution, compression, quality
    Inspect {
        /// ISO/IEC 19794-4, -5 or -6 record files
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub fn run(command: BiometricsCommand) -> Result<(), Failure> {
    match command {
        BiometricsCommand::Inspect { files } => {
            let mut summaries = Vec::with_capacity(files.len());
            let mut failures = Vec::new();
            for file in &files {
                match inspect(file) {
                    Ok(summary) => summaries.push(summary),
                    Err(why) => failures.push(why),
                }
            }
            if !failures.is_empty() {
                return Err(Failure::input(failures.join("\n")));
            }
            let text = serde_json::to_string_pretty(&Value::Array(summaries))
                .map_err(|e| Failure::input(format!("cannot write the summary as JSON: {e}")))?;
            println!("{text}");
            Ok(())
        }
    }
}

/// One file's summary, with its path as `file`; or why it has none, naming it.
fn inspect(file: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let record = Iso19794Record::parse(&bytes)
        .map_err(|e| format!("{} is not an ISO/IEC 19794 record ({}): {e}", file.display(), e.code()))?;
    let mut value = serde_json::to_value(summary(&record))
        .map_err(|e| format!("cannot write the summary of {} as JSON: {e}", file.display()))?;
    if let Value::Object(fields) = &mut value {
        fields.insert("file".into(), Value::String(file.display().to_string()));
    }
    Ok(value)
}
