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
        /// Scale-out: keep stations, uploads and packets' records in this PostgreSQL database
        /// (postgres://user@host:port/database) instead of the SQLite file in --data; several
        /// intake processes may share it. Needs --objects
        #[arg(long, requires = "objects")]
        database: Option<String>,
        /// Scale-out: keep the bytes of uploads and packets in this S3-compatible bucket
        /// (s3://bucket or s3://bucket/prefix), reached as AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
        /// AWS_SECRET_ACCESS_KEY and AWS_REGION say (plain http only to a loopback endpoint, or
        /// with AWS_ALLOW_HTTP=true). Needs --database
        #[arg(long, requires = "database")]
        objects: Option<String>,
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
        /// The intake's data folder (the running intake may use it at the same time), or its
        /// scale-out storage
        #[command(flatten)]
        store: IntakeStore,
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

/// Where an operator command finds the intake's records: its data folder, or the scale-out
/// storage that `enroll intake serve --database --objects` uses.
#[derive(clap::Args)]
pub struct IntakeStore {
    /// The intake's data folder
    #[arg(long, required_unless_present = "database")]
    data: Option<PathBuf>,
    /// The scale-out intake's PostgreSQL, as given to `enroll intake serve --database`; needs
    /// --objects (and the same AWS_* variables)
    #[arg(long, requires = "objects", conflicts_with = "data")]
    database: Option<String>,
    /// The scale-out intake's bucket, as given to `enroll intake serve --objects`
    #[arg(long, requires = "database")]
    objects: Option<String>,
}

impl IntakeStore {
    /// The scale-out storage named, opened (blocking).
    fn open_scale_out(&self) -> Result<std::sync::Arc<dyn enroll_intake::StorageBackend>, Failure> {
        match (&self.database, &self.objects) {
            (Some(database), Some(objects)) => {
                let config = enroll_intake::scale_out::ScaleOutConfig::from_urls(database, objects)
                    .map_err(|e| Failure::usage(e.to_string()))?;
                enroll_intake::scale_out::open_shared(&config).map_err(|e| {
                    Failure::server(format!(
                        "cannot open the scale-out storage (--database {}, --objects {objects}): {e}",
                        config.redacted_database()
                    ))
                })
            }
            _ => Err(Failure::usage("give --data, or --database with --objects")),
        }
    }

    fn registry(&self) -> Result<StationRegistry, Failure> {
        match &self.data {
            // The data folder as before (created if the intake never ran there).
            Some(data) if self.database.is_none() => StationRegistry::open(data).map_err(registry_failure),
            _ => Ok(StationRegistry::with_storage(self.open_scale_out()?)),
        }
    }
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
        #[command(flatten)]
        store: IntakeStore,
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
    /// `{"operators": [{"username", "full_name", "role", "active"}]}`: who may sign in at the
    /// stations, in which role (admin, supervisor, officer)
    Operators,
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
    /// The latest published document of each kind, and every key rotation, with its version
    /// and time, as JSON
    List {
        #[arg(long)]
        data: PathBuf,
    },
    /// Rotate the register's keys: publish the rotation (signed with the keys it retires) and
    /// sign the documents in force again with the new keys; stations take it at their next
    /// sync and seal to the new key from then on. First restart the intake with
    /// `--key NEW --previous-key OLD`, so that it takes packets sealed to either
    RotateKeys {
        #[arg(long)]
        data: PathBuf,
        /// The register private key file in force now (it signs the rotation)
        #[arg(long)]
        key: PathBuf,
        /// The new register private key file (`enroll keys generate-register` makes one)
        #[arg(long)]
        new_key: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum StationsCommand {
    /// Every station with its status (pending, approved, revoked) and public key, as JSON
    List {
        #[command(flatten)]
        store: IntakeStore,
    },
    /// Let a pending station upload (compare its public key with the station's admin first)
    Approve {
        #[command(flatten)]
        store: IntakeStore,
        station_id: String,
    },
    /// Stop a station for good: it uploads nothing more
    Revoke {
        #[command(flatten)]
        store: IntakeStore,
        station_id: String,
    },
    /// Issue a one-time enrollment code; a station set up with it is approved at once
    Code {
        #[command(flatten)]
        store: IntakeStore,
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
            database,
            objects,
        } => {
            // Checked before anything else, so a mistyped location fails at once.
            let scale_out = match (database.as_deref(), objects.as_deref()) {
                (Some(database), Some(objects)) => Some(
                    enroll_intake::scale_out::ScaleOutConfig::from_urls(database, objects)
                        .map_err(|e| Failure::usage(e.to_string()))?,
                ),
                _ => None,
            };
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
            let serving = match scale_out {
                None => runtime.block_on(enroll_intake::serve_forever(config, addr)),
                Some(scale_out) => {
                    let storage = enroll_intake::scale_out::open_shared(&scale_out).map_err(|e| {
                        Failure::server(format!(
                            "cannot open the scale-out storage (--database {}, --objects {}): {e}",
                            scale_out.redacted_database(),
                            scale_out.objects
                        ))
                    })?;
                    eprintln!("records in PostgreSQL, bytes in {}", scale_out.objects);
                    runtime.block_on(enroll_intake::serve_forever_with_storage(config, storage, addr))
                }
            };
            serving.map_err(|e| Failure::server(format!("the intake stopped: {e}")))
        }
        IntakeCommand::Stations(command) => stations(command),
        IntakeCommand::Config(command) => config(command),
        IntakeCommand::Import {
            dir,
            store,
            key,
            max_packet_bytes,
            previous_keys,
        } => import(&dir, &store, &key, max_packet_bytes, &previous_keys),
        IntakeCommand::Packets(PacketsCommand::SetStatus {
            store,
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
            let registry = store.registry()?;
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
    let open = |store: &IntakeStore| store.registry();
    match command {
        StationsCommand::List { store } => print_json(&open(&store)?.stations().map_err(registry_failure)?),
        StationsCommand::Approve { store, station_id } => {
            print_json(&open(&store)?.approve(&station_id).map_err(registry_failure)?)
        }
        StationsCommand::Revoke { store, station_id } => {
            print_json(&open(&store)?.revoke(&station_id).map_err(registry_failure)?)
        }
        StationsCommand::Code { store, valid_hours } => {
            if valid_hours == 0 || valid_hours > 24 * 90 {
                return Err(Failure::usage("--valid-hours must be from 1 to 2160 (90 days)"));
            }
            let valid_for = std::time::Duration::from_secs(valid_hours * 3600);
            print_json(&open(&store)?.issue_code(valid_for).map_err(registry_failure)?)
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
    store: &IntakeStore,
    key: &Path,
    max_packet_bytes: u64,
    previous_keys: &[PathBuf],
) -> Result<(), Failure> {
    let register_keys = crate::keys::read_register_key(key)?;
    let intake = match (&store.data, &store.database) {
        (Some(data), None) => MediaIntake::open(data, register_keys).map_err(registry_failure)?,
        _ => MediaIntake::with_storage(store.open_scale_out()?, register_keys),
    };
    let intake = intake
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
                ConfigKindArg::Operators => ConfigKind::Operators,
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
            let mut published = folder.published().map_err(registry_failure)?;
            published.extend(folder.rotations().map_err(registry_failure)?);
            published.sort_by_key(|(document, _)| document.version);
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
        ConfigCommand::RotateKeys { data, key, new_key } => {
            let old = crate::keys::read_register_key(&key)?;
            let new = crate::keys::read_register_key(&new_key)?;
            let folder = ConfigFolder::open(&data).map_err(registry_failure)?;
            let rotation = folder
                .rotate_keys(&old, &new, OffsetDateTime::now_utc())
                .map_err(registry_failure)?;
            print_json(&serde_json::json!({
                "kind": rotation.kind,
                "version": rotation.version,
                "published_at": rotation.published_at,
                "from_key_id": old.public_keys().key_id().to_hex(),
                "to_key_id": new.public_keys().key_id().to_hex(),
            }));
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
