//! `enroll intake serve`: the reference intake server, for `make run`, tests and pilots; and
//! `enroll intake stations`: the register's side of station onboarding (list, approve, revoke,
//! and one-time enrollment codes), on the intake's data folder, also while it serves; and
//! `enroll intake packets set-status`: the back office's word on a held packet, which its
//! station hears at its next status query; and `enroll intake import`: packets that came on
//! removable media; and `enroll intake config`: the configuration the register signs and sends
//! down to its stations.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use enroll_intake::media_import::MediaIntake;
use enroll_intake::{IntakeConfig, IntakeError, StationApproval, StationRegistry};
use enroll_packet::RegisterKeyPair;
use time::OffsetDateTime;

use crate::Failure;

/// Who approves a station that announces itself without an enrollment code.
#[derive(Clone, Copy, ValueEnum)]
pub enum Approval {
    /// An operator, with `enroll intake stations approve` (a register)
    Manual,
    /// Nobody: every station is approved at once (training and development only)
    Automatic,
}

#[derive(Subcommand)]
pub enum IntakeCommand {
    /// Serve the intake API until interrupted
    Serve {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8470")]
        addr: SocketAddr,
        /// Folder for the intake's database and received packets
        #[arg(long)]
        data: PathBuf,
        /// The register private key file
        #[arg(long)]
        key: PathBuf,
        /// Generate the key file first if it does not exist
        #[arg(long)]
        generate_key: bool,
        /// Who approves a new station that brings no enrollment code
        #[arg(long, value_enum, default_value = "manual")]
        approve_stations: Approval,
        /// A register private key file used before a key rotation (repeat, newest first):
        /// packets stations sealed to it are still taken, and receipted with it
        #[arg(long = "previous-key")]
        previous_keys: Vec<PathBuf>,
    },
    /// The stations that announced themselves, and whether they may upload
    #[command(subcommand)]
    Stations(StationsCommand),
    /// The packets the register holds: where each stands, as its station will hear it
    #[command(subcommand)]
    Packets(PacketsCommand),
    /// The configuration the register sends down to its stations: publish a document (signed
    /// with the register key, the next version), list what is published
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Take in stations' export folders from removable media: verify every file, store each
    /// packet as an upload would, write the receipts back into each folder. Prints a JSON
    /// report; exit code 4 when a folder or a packet is refused
    Import {
        /// The removable media's folder, or one export folder on it
        dir: PathBuf,
        /// The intake's data folder (the running intake may use it at the same time)
        #[arg(long)]
        data: PathBuf,
        /// The register private key file (opens each packet to check it, signs the receipts)
        #[arg(long)]
        key: PathBuf,
        /// The largest packet taken, in bytes (the intake's upload limit)
        #[arg(long, default_value_t = IntakeConfig::DEFAULT_MAX_UPLOAD_BYTES)]
        max_packet_bytes: u64,
        /// A register private key file used before a key rotation (repeat, newest first)
        #[arg(long = "previous-key")]
        previous_keys: Vec<PathBuf>,
    },
}

/// What the register's back office says of a packet.
#[derive(Clone, Copy, ValueEnum)]
pub enum PacketStatusArg {
    Received,
    Processing,
    Processed,
    /// Needs --reason
    Rejected,
    /// The resident must come back to register again; needs --reason
    ReRegister,
}

#[derive(Subcommand)]
pub enum PacketsCommand {
    /// Move a held packet on; its station learns it at its next status query
    SetStatus {
        #[arg(long)]
        data: PathBuf,
        registration_id: String,
        #[arg(value_enum)]
        status: PacketStatusArg,
        /// Why (required for rejected and re-register; shown to the station's supervisor)
        #[arg(long)]
        reason: Option<String>,
    },
}

/// What a configuration document configures.
#[derive(Clone, Copy, ValueEnum)]
pub enum ConfigKindArg {
    /// `{"max_days_since_sync", "max_packets_not_uploaded", "min_free_disk_mb"}`
    OfflineLimits,
    /// A capture policy file (`schemas/default/capture-policy.json` is one)
    CapturePolicy,
    /// `{"id_schema": <MOSIP ID schema>, "ui_spec": <UI spec>}`
    Form,
    /// `{"locations", "document_types", "rejection_reasons"}`: lists of `{code, labels, parent?}`
    MasterData,
}

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Check a document as the stations will, sign it and publish it as the latest of its kind;
    /// stations take it at their next sync. Prints the published document's kind and version
    Publish {
        /// The intake's data folder (the running intake serves the new document at once)
        #[arg(long)]
        data: PathBuf,
        /// The register private key file (its signing key signs the document)
        #[arg(long)]
        key: PathBuf,
        #[arg(long, value_enum)]
        kind: ConfigKindArg,
        /// The document, a JSON file
        file: PathBuf,
    },
    /// The latest published document of each kind, with its version and time, as JSON
    List {
        #[arg(long)]
        data: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum StationsCommand {
    /// Every station with its status (pending, approved, revoked) and public key, as JSON
    List {
        /// The intake's data folder
        #[arg(long)]
        data: PathBuf,
    },
    /// Let a pending station upload (compare its public key with the station's admin first)
    Approve {
        #[arg(long)]
        data: PathBuf,
        station_id: String,
    },
    /// Stop a station for good: it uploads nothing more
    Revoke {
        #[arg(long)]
        data: PathBuf,
        station_id: String,
    },
    /// Issue a one-time enrollment code; a station set up with it is approved at once
    Code {
        #[arg(long)]
        data: PathBuf,
        /// Hours the code stays valid
        #[arg(long, default_value_t = 72)]
        valid_hours: u64,
    },
}

pub fn run(command: IntakeCommand) -> Result<(), Failure> {
    match command {
        IntakeCommand::Serve {
            addr,
            data,
            key,
            generate_key,
            approve_stations,
            previous_keys,
        } => {
            if generate_key && !key.exists() {
                crate::keys::write_private(&key, &RegisterKeyPair::generate().to_json())?;
            }
            let register_keys = crate::keys::read_register_key(&key)?;
            eprintln!("register key id {}", register_keys.public_keys().key_id().to_hex());
            let runtime = tokio::runtime::Runtime::new()
                .map_err(|e| Failure::server(format!("cannot start the runtime: {e}")))?;
            let mut config = IntakeConfig::new(data, register_keys);
            config.previous_register_keys = read_previous_keys(&previous_keys)?;
            config.station_approval = match approve_stations {
                Approval::Manual => StationApproval::Manual,
                Approval::Automatic => {
                    eprintln!("every station that announces itself is approved at once (--approve-stations automatic)");
                    StationApproval::Automatic
                }
            };
            runtime
                .block_on(enroll_intake::serve_forever(config, addr))
                .map_err(|e| Failure::server(format!("the intake stopped: {e}")))
        }
        IntakeCommand::Stations(command) => stations(command),
        IntakeCommand::Config(command) => config(command),
        IntakeCommand::Import {
            dir,
            data,
            key,
            max_packet_bytes,
            previous_keys,
        } => import(&dir, &data, &key, max_packet_bytes, &previous_keys),
        IntakeCommand::Packets(PacketsCommand::SetStatus {
            data,
            registration_id,
            status,
            reason,
        }) => {
            use enroll_intake::packet_status::PacketStatus;
            let status = match status {
                PacketStatusArg::Received => PacketStatus::Received,
                PacketStatusArg::Processing => PacketStatus::Processing,
                PacketStatusArg::Processed => PacketStatus::Processed,
                PacketStatusArg::Rejected => PacketStatus::Rejected,
                PacketStatusArg::ReRegister => PacketStatus::ReRegister,
            };
            let registry = StationRegistry::open(&data).map_err(registry_failure)?;
            print_json(
                &registry
                    .set_packet_status(&registration_id, status, reason.as_deref())
                    .map_err(registry_failure)?,
            );
            Ok(())
        }
    }
}

fn stations(command: StationsCommand) -> Result<(), Failure> {
    let open = |data: &PathBuf| StationRegistry::open(data).map_err(registry_failure);
    match command {
        StationsCommand::List { data } => print_json(&open(&data)?.stations().map_err(registry_failure)?),
        StationsCommand::Approve { data, station_id } => {
            print_json(&open(&data)?.approve(&station_id).map_err(registry_failure)?)
        }
        StationsCommand::Revoke { data, station_id } => {
            print_json(&open(&data)?.revoke(&station_id).map_err(registry_failure)?)
        }
        StationsCommand::Code { data, valid_hours } => {
            if valid_hours == 0 || valid_hours > 24 * 90 {
                return Err(Failure::usage("--valid-hours must be from 1 to 2160 (90 days)"));
            }
            let valid_for = std::time::Duration::from_secs(valid_hours * 3600);
            print_json(&open(&data)?.issue_code(valid_for).map_err(registry_failure)?)
        }
    }
    Ok(())
}

/// The register's earlier key pairs, each printed with its key id so the operator sees which
/// are still honoured.
fn read_previous_keys(paths: &[PathBuf]) -> Result<Vec<RegisterKeyPair>, Failure> {
    paths
        .iter()
        .map(|path| {
            let keys = crate::keys::read_register_key(path)?;
            eprintln!(
                "previous register key id {} (still taken)",
                keys.public_keys().key_id().to_hex()
            );
            Ok(keys)
        })
        .collect()
}

/// `enroll intake import`: see `enroll_intake::media_import`.
fn import(
    dir: &Path,
    data: &Path,
    key: &Path,
    max_packet_bytes: u64,
    previous_keys: &[PathBuf],
) -> Result<(), Failure> {
    let register_keys = crate::keys::read_register_key(key)?;
    let intake = MediaIntake::open(data, register_keys)
        .map_err(registry_failure)?
        .with_max_packet_bytes(max_packet_bytes)
        .with_previous_keys(read_previous_keys(previous_keys)?);
    let report = intake
        .import(dir, OffsetDateTime::now_utc())
        .map_err(|error| match error {
            IntakeError::Media(_) => Failure::input(format!("{error} [{}]", error.code())),
            other => registry_failure(other),
        })?;
    print_json(&report);
    if report.imported.is_empty() && report.refused.is_empty() {
        return Err(Failure::input(format!(
            "{} holds no export folder (enroll-export-...)",
            dir.display()
        )));
    }
    for refused in &report.refused {
        eprintln!("{}: refused: {} [{}]", refused.folder, refused.message, refused.code);
    }
    for folder in &report.imported {
        eprintln!(
            "{}: {} stored, {} held before, {} receipts written",
            folder.folder, folder.stored, folder.already_held, folder.receipts_written
        );
        for packet in &folder.refused {
            eprintln!(
                "{}: {} refused: {} [{}]",
                folder.folder, packet.registration_id, packet.message, packet.code
            );
        }
        for packet in &folder.receipts_not_written {
            eprintln!(
                "{}: {} stored, but its receipt is not on the media: {} [{}]; import the folder again",
                folder.folder, packet.registration_id, packet.message, packet.code
            );
        }
    }
    if report.has_refusals() {
        return Err(Failure::verification(
            "some folders or packets were refused; see the report",
        ));
    }
    Ok(())
}

/// A station that is not there, or no longer may be approved, is the operator's input; the
/// rest is the database's.
fn config(command: ConfigCommand) -> Result<(), Failure> {
    use enroll_intake::configuration::ConfigFolder;
    use enroll_packet::register_config::ConfigKind;
    match command {
        ConfigCommand::Publish { data, key, kind, file } => {
            let keys = crate::keys::read_register_key(&key)?;
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::input(format!("cannot read {}: {e}", file.display())))?;
            let document: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Failure::input(format!("{} is not JSON: {e}", file.display())))?;
            let kind = match kind {
                ConfigKindArg::OfflineLimits => ConfigKind::OfflineLimits,
                ConfigKindArg::CapturePolicy => ConfigKind::CapturePolicy,
                ConfigKindArg::Form => ConfigKind::Form,
                ConfigKindArg::MasterData => ConfigKind::MasterData,
            };
            let folder = ConfigFolder::open(&data).map_err(registry_failure)?;
            let published = folder
                .publish(kind, document, &keys, OffsetDateTime::now_utc())
                .map_err(registry_failure)?;
            print_json(&serde_json::json!({
                "kind": published.kind,
                "version": published.version,
                "published_at": published.published_at,
            }));
            Ok(())
        }
        ConfigCommand::List { data } => {
            let folder = ConfigFolder::open(&data).map_err(registry_failure)?;
            let published = folder.published().map_err(registry_failure)?;
            let list: Vec<_> = published
                .iter()
                .map(|(document, _)| {
                    serde_json::json!({
                        "kind": document.kind,
                        "version": document.version,
                        "published_at": document.published_at,
                    })
                })
                .collect();
            print_json(&list);
            Ok(())
        }
    }
}

fn registry_failure(error: IntakeError) -> Failure {
    match error {
        IntakeError::UnknownStation(_)
        | IntakeError::StationRevoked(_)
        | IntakeError::NotFound(_)
        | IntakeError::BadRequest(_) => Failure::input(format!("{error} [{}]", error.code())),
        other => Failure::server(format!("{other} [{}]", other.code())),
    }
}

fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(value).expect("plain JSON values"));
}
