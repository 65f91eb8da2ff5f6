//! `enroll export --to DIR` and `enroll import DIR`: a station's sealed packets on removable
//! media, for the weeks without a link (`enroll_station::exchange`), on the station's own
//! machine with nobody signed in, as `enroll sync` runs. The register's side is `enroll intake
//! import` (`intake.rs`).
//!
//! Both print their report as JSON on stdout; what went wrong, file by file, also goes to
//! stderr in words. Exit codes: 0 all done; 3 the station or the media folder cannot be used;
//! 4 something on the media failed verification (a file missing, cut, changed or unexpected, a
//! signature or receipt that does not verify); 5 the intake refused or could not be reached
//! while relaying (the packets wait on the media for the next try).

use std::path::{Path, PathBuf};

use clap::Args;
use enroll_station::{MediaImportView, Station, StationConfig};

use crate::Failure;

#[derive(Args)]
pub struct ExportArgs {
    /// The removable media's folder (its mount point); a new export folder is made in it
    #[arg(long)]
    to: PathBuf,
    /// The station's data folder (the one holding vault.sqlite)
    #[arg(long)]
    data: PathBuf,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The removable media's folder, or one export folder on it
    dir: PathBuf,
    /// The station's data folder (the one holding vault.sqlite)
    #[arg(long)]
    data: PathBuf,
}

fn open_station(data: &Path) -> Result<Station, Failure> {
    let station = Station::open(StationConfig {
        data_dir: data.to_path_buf(),
        // The station's own record names its intake.
        intake_url: String::new(),
    })
    .map_err(crate::audit::station_failure)?;
    if station.status().map_err(crate::audit::station_failure)?.needs_setup {
        return Err(Failure::input(format!(
            "{} holds no station that is set up: set it up in the app first",
            data.display()
        )));
    }
    Ok(station)
}

pub fn export(args: ExportArgs) -> Result<(), Failure> {
    let station = open_station(&args.data)?;
    let report = station
        .export_to_media(&args.to)
        .map_err(crate::audit::station_failure)?;
    match &report.folder {
        Some(folder) => eprintln!(
            "{} packets written to {folder}; they stay queued here until their receipts come back",
            report.exported.len()
        ),
        None => eprintln!("no packet waits for the register: nothing written"),
    }
    if report.quarantined > 0 {
        eprintln!(
            "{} quarantined packets were not exported (a supervisor releases them first)",
            report.quarantined
        );
    }
    if report.left_for_next_export > 0 {
        eprintln!(
            "{} more packets did not fit in one export folder: export again",
            report.left_for_next_export
        );
    }
    println!("{}", serde_json::to_string_pretty(&report).expect("plain JSON values"));
    Ok(())
}

pub fn import(args: ImportArgs) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| Failure::server(format!("cannot start the async runtime: {error}")))?;
    let station = open_station(&args.data)?;
    let report = runtime
        .block_on(station.import_from_media(&args.dir))
        .map_err(crate::audit::station_failure)?;
    println!("{}", serde_json::to_string_pretty(&report).expect("plain JSON values"));
    outcome(&report)
}

/// The exit code of an import: what failed on the media first (4), then what failed at the
/// intake (5).
fn outcome(report: &MediaImportView) -> Result<(), Failure> {
    let codes: Vec<&str> = report
        .folders
        .iter()
        .flat_map(|folder| &folder.failures)
        .map(|failure| failure.error.code.as_str())
        .collect();
    if codes.is_empty() {
        return Ok(());
    }
    let verification = codes
        .iter()
        .any(|code| code.starts_with("media_") || *code == "bad_receipt" || *code == "invalid_state");
    let message = format!(
        "{} problems on the media or at the intake ({}); see the report",
        codes.len(),
        codes.join(", ")
    );
    Err(if verification {
        Failure::verification(message)
    } else {
        Failure::server(message)
    })
}
