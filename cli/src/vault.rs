//! `enroll vault check`: a station vault's health from the outside, read-only: SQLite's
//! integrity check, the schema version, counts, and the audit chain.

use std::path::PathBuf;

use clap::Subcommand;

use crate::Failure;

#[derive(Subcommand)]
pub enum VaultCommand {
    /// Check a vault without changing it: PRAGMA integrity_check, schema version, counts of
    /// registrations by state, operators and audit events, and the audit chain. Prints a JSON
    /// report; exit code 4 when the database or the audit chain is damaged
    Check {
        /// The station's data folder (the one holding vault.sqlite)
        #[arg(long)]
        data: PathBuf,
    },
}

pub fn run(command: VaultCommand) -> Result<(), Failure> {
    match command {
        VaultCommand::Check { data } => {
            let check = enroll_station::check_vault(&data).map_err(crate::audit::station_failure)?;
            println!("{}", serde_json::to_string_pretty(&check).expect("plain JSON values"));
            if check.integrity != "ok" {
                return Err(Failure::verification(format!(
                    "the vault's integrity check failed: {}",
                    check.integrity
                )));
            }
            if let Some(link) = check.audit.as_ref().and_then(|a| a.broken.as_ref()) {
                return Err(Failure::verification(format!(
                    "the audit chain is broken at event {}: {}",
                    link.sequence, link.reason
                )));
            }
            Ok(())
        }
    }
}
