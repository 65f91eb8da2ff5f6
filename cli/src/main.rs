//! `enroll`: the headless tool for admins, the register side and scripts.
//!
//! Exit codes, stable for scripts: 0 success; 2 wrong usage; 3 an input (file, key, vault
//! folder) cannot be read or is not valid; 4 a packet, an audit chain or a vault failed
//! verification (a device's trust included); 5 a server failed to start or run; 6 a capture
//! device failed or none could take the capture.

mod audit;
mod backends;
mod biometrics;
mod device_capture;
mod device_names;
mod devices;
mod exchange;
mod intake;
mod keys;
mod packet;
mod records;
mod sim_devices;
mod sync;
mod vault;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "enroll",
    version,
    about = "Field enrollment station: admin and register-side tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Open and verify sealed packets (register side)
    #[command(subcommand)]
    Packet(packet::PacketCommand),
    /// Make and inspect keys
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Run the reference intake server
    #[command(subcommand)]
    Intake(intake::IntakeCommand),
    /// Check a station's audit chain
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Check a station's vault
    #[command(subcommand)]
    Vault(vault::VaultCommand),
    /// Find capture devices and capture with them
    #[command(subcommand)]
    Devices(devices::DevicesCommand),
    /// Read biometric records (ISO/IEC 19794)
    #[command(subcommand)]
    Biometrics(biometrics::BiometricsCommand),
    /// Serve the simulated slap scanner, iris camera and face camera over MOSIP SBI
    SimDevices(sim_devices::SimDevicesArgs),
    /// Send a station's queued packets to its intake (once, or with --watch as they come)
    Sync(sync::SyncArgs),
    /// Write a station's packets still waiting for the register to removable media
    Export(exchange::ExportArgs),
    /// Take in export folders from removable media: relay other stations' packets to the
    /// intake, or take this station's receipts back
    Import(exchange::ImportArgs),
}

/// A failure with the exit code it maps to.
pub struct Failure {
    pub exit_code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit_code: 2,
            message: message.into(),
        }
    }
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            exit_code: 3,
            message: message.into(),
        }
    }
    pub fn verification(message: impl Into<String>) -> Failure {
        Failure {
            exit_code: 4,
            message: message.into(),
        }
    }
    pub fn server(message: impl Into<String>) -> Failure {
        Failure {
            exit_code: 5,
            message: message.into(),
        }
    }
    pub fn device(message: impl Into<String>) -> Failure {
        Failure {
            exit_code: 6,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("ENROLL_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Packet(command) => packet::run(command),
        Command::Keys(command) => keys::run(command),
        Command::Intake(command) => intake::run(command),
        Command::Audit(command) => audit::run(command),
        Command::Vault(command) => vault::run(command),
        Command::Devices(command) => devices::run(command),
        Command::Biometrics(command) => biometrics::run(command),
        Command::SimDevices(args) => sim_devices::run(args),
        Command::Sync(args) => sync::run(args),
        Command::Export(args) => exchange::export(args),
        Command::Import(args) => exchange::import(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("enroll: {}", failure.message);
            ExitCode::from(failure.exit_code)
        }
    }
}
