//! `enroll intake serve`: the reference intake server, for `make run`, tests and pilots.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Subcommand;
use enroll_intake::IntakeConfig;
use enroll_packet::RegisterKeyPair;

use crate::Failure;

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
    },
}

pub fn run(command: IntakeCommand) -> Result<(), Failure> {
    match command {
        IntakeCommand::Serve {
            addr,
            data,
            key,
            generate_key,
        } => {
            if generate_key && !key.exists() {
                crate::keys::write_private(&key, &RegisterKeyPair::generate().to_json())?;
            }
            let register_keys = crate::keys::read_register_key(&key)?;
            eprintln!("register key id {}", register_keys.public_keys().key_id().to_hex());
            let runtime = tokio::runtime::Runtime::new()
                .map_err(|e| Failure::server(format!("cannot start the runtime: {e}")))?;
            runtime
                .block_on(enroll_intake::serve_forever(
                    IntakeConfig::new(data, register_keys),
                    addr,
                ))
                .map_err(|e| Failure::server(format!("the intake stopped: {e}")))
        }
    }
}
