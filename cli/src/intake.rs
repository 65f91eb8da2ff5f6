//! `enroll intake serve`: the reference intake server, for `make run`, tests and pilots; and
//! `enroll intake stations`: the register's side of station onboarding (list, approve, revoke,
//! and one-time enrollment codes), on the intake's data folder, also while it serves; and
//! `enroll intake packets set-status`: the back office's word on a held packet, which its
//! station hears at its next status query.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use enroll_intake::{IntakeConfig, IntakeError, StationApproval, StationRegistry};
use enroll_packet::RegisterKeyPair;

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
    },
    /// The stations that announced themselves, and whether they may upload
    #[command(subcommand)]
    Stations(StationsCommand),
    /// The packets the register holds: where each stands, as its station will hear it
    #[command(subcommand)]
    Packets(PacketsCommand),
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
        } => {
            if generate_key && !key.exists() {
                crate::keys::write_private(&key, &RegisterKeyPair::generate().to_json())?;
            }
            let register_keys = crate::keys::read_register_key(&key)?;
            eprintln!("register key id {}", register_keys.public_keys().key_id().to_hex());
            let runtime = tokio::runtime::Runtime::new()
                .map_err(|e| Failure::server(format!("cannot start the runtime: {e}")))?;
            let mut config = IntakeConfig::new(data, register_keys);
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

/// A station that is not there, or no longer may be approved, is the operator's input; the
/// rest is the database's.
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
