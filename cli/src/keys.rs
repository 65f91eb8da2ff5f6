//! `enroll keys`: the register's key pair.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use enroll_packet::RegisterKeyPair;

use crate::Failure;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Generate a register key pair: writes the private key file (mode 0600) and prints the
    /// public keys that stations pin
    GenerateRegister {
        /// Where to write the private key file; refuses to overwrite an existing file
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the public keys of a register private key file
    ShowRegister {
        #[arg(long)]
        key: PathBuf,
    },
}

pub fn run(command: KeysCommand) -> Result<(), Failure> {
    match command {
        KeysCommand::GenerateRegister { out } => {
            let keys = RegisterKeyPair::generate();
            write_private(&out, &keys.to_json())?;
            println!("{}", keys.public_keys().to_json());
            Ok(())
        }
        KeysCommand::ShowRegister { key } => {
            println!("{}", read_register_key(&key)?.public_keys().to_json());
            Ok(())
        }
    }
}

pub fn read_register_key(path: &Path) -> Result<RegisterKeyPair, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::input(format!("cannot read the key file {}: {e}", path.display())))?;
    RegisterKeyPair::from_json(&text).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

/// Create `path` with owner-only permissions, never replacing an existing key.
pub fn write_private(path: &Path, text: &str) -> Result<(), Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| Failure::input(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))
}
