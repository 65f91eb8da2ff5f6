//! Writes the envelope test vectors `schemas/vectors/envelope-v1.json`.
//!
//! Run from anywhere: `cargo run -p enroll-packet --example write_vectors`. The output is
//! deterministic, so a second run changes nothing; the `vectors` test fails when the committed
//! file differs from what this writes (after a change to the format or to the cases).
//! `--check` only compares and exits 1 on a difference.

mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(generate::VECTORS_PATH);
    let text = generate::file_text();
    if std::env::args().any(|a| a == "--check") {
        return match std::fs::read_to_string(&path) {
            Ok(committed) if committed == text => ExitCode::SUCCESS,
            Ok(_) => {
                eprintln!("{} is out of date; run without --check to rewrite it", path.display());
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("cannot read {}: {e}", path.display());
                ExitCode::FAILURE
            }
        };
    }
    if let Err(e) = std::fs::write(&path, &text) {
        eprintln!("cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {} ({} bytes)", path.display(), text.len());
    ExitCode::SUCCESS
}
