//! `enroll audit verify`: check a station vault's audit chain from the outside, without any
//! password (the chain's signatures need only the station's public key).

use std::path::PathBuf;

use clap::Subcommand;

use crate::Failure;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit chain's hashes and check its signatures; name the first broken link.
    /// Prints a JSON report; exit code 4 when a link is broken
    Verify {
        /// The station's data folder (the one holding vault.sqlite)
        #[arg(long)]
        data: PathBuf,
        /// The station's Ed25519 public key (base64), as registered with the intake. Without
        /// it, the key recorded in the vault is used, which proves less: the report says which
        #[arg(long)]
        station_key: Option<String>,
    },
}

pub fn run(command: AuditCommand) -> Result<(), Failure> {
    match command {
        AuditCommand::Verify { data, station_key } => {
            let station_key = station_key
                .as_deref()
                .map(crate::packet::decode_station_key)
                .transpose()?;
            let report = enroll_station::verify_audit_chain(&data, station_key).map_err(station_failure)?;
            println!("{}", serde_json::to_string_pretty(&report).expect("plain JSON values"));
            match report.broken {
                None => Ok(()),
                Some(link) => Err(Failure::verification(format!(
                    "the audit chain is broken at event {}: {}",
                    link.sequence, link.reason
                ))),
            }
        }
    }
}

/// A station error while reading a vault: the input is unusable (exit code 3).
pub(crate) fn station_failure(error: enroll_station::StationError) -> Failure {
    Failure::input(format!("{error} [{}]", error.code()))
}
