//! `enroll packet`: the register-side view of sealed packets.

use std::path::PathBuf;

use base64::Engine as _;
use clap::Subcommand;

use crate::Failure;

#[derive(Subcommand)]
pub enum PacketCommand {
    /// Decrypt and verify a sealed packet and print its manifest as JSON
    Open {
        /// The register private key file (from `enroll keys generate-register`)
        #[arg(long)]
        key: PathBuf,
        /// The station's Ed25519 public key (base64), as registered with the intake. Without
        /// it, the signature is checked with the key the packet names, and that key is printed
        /// for you to check against the station registry
        #[arg(long)]
        station_key: Option<String>,
        /// The sealed packet file
        packet: PathBuf,
    },
    /// Check a sealed packet's structure and station signature without the register key:
    /// anyone holding the station's public key can tell whether the file is intact and whose it
    /// is. Prints the header as JSON; exit code 4 when the check fails
    Verify {
        /// The station's Ed25519 public key (base64), as registered with the intake
        #[arg(long)]
        station_key: String,
        /// The sealed packet file
        packet: PathBuf,
    },
}

pub fn run(command: PacketCommand) -> Result<(), Failure> {
    match command {
        PacketCommand::Verify { station_key, packet } => {
            let station_key = decode_station_key(&station_key)?;
            let envelope =
                std::fs::read(&packet).map_err(|e| Failure::input(format!("cannot read {}: {e}", packet.display())))?;
            let header = enroll_packet::verify_envelope_signature(&envelope, &station_key)
                .map_err(|e| Failure::verification(format!("{}: {e} [{}]", packet.display(), e.code())))?;
            let output = serde_json::json!({
                "registration_id": header.registration_id,
                "station_id": header.station_id,
                "version": header.version,
                "register_key_id": header.register_key_id.to_hex(),
                "chunk_size": header.chunk_size,
                "chunks": header.chunk_count(),
                "bytes": envelope.len(),
                "signature": "valid",
            });
            println!("{}", serde_json::to_string_pretty(&output).expect("plain JSON values"));
            Ok(())
        }
        PacketCommand::Open {
            key,
            station_key,
            packet,
        } => {
            let register = crate::keys::read_register_key(&key)?;
            let envelope =
                std::fs::read(&packet).map_err(|e| Failure::input(format!("cannot read {}: {e}", packet.display())))?;
            let failed = |e: enroll_packet::PacketError| {
                Failure::verification(format!("{}: {e} [{}]", packet.display(), e.code()))
            };
            let (station_key, key_source) = match station_key {
                Some(text) => (decode_station_key(&text)?, "given"),
                None => (
                    station_key_named_by(&envelope, &register).map_err(failed)?,
                    "named by the packet; check it against the station registry",
                ),
            };
            let opened = enroll_packet::open_envelope(&envelope, &register, &station_key).map_err(failed)?;
            let output = serde_json::json!({
                "registration_id": opened.header.registration_id,
                "station_id": opened.header.station_id,
                "register_key_id": opened.header.register_key_id.to_hex(),
                "signature": "valid",
                "station_public_key": base64::engine::general_purpose::STANDARD.encode(station_key),
                "station_public_key_source": key_source,
                "manifest": opened.manifest,
                "meta": opened.contents.meta,
                "audit": opened.contents.audit,
            });
            println!("{}", serde_json::to_string_pretty(&output).expect("plain JSON values"));
            Ok(())
        }
    }
}

pub(crate) fn decode_station_key(text: &str) -> Result<[u8; 32], Failure> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| {
            Failure::input("--station-key is not base64; give the station's Ed25519 public key as registered")
        })?;
    bytes
        .try_into()
        .map_err(|_| Failure::input("--station-key must be 32 bytes (an Ed25519 public key)"))
}

/// The station key that the packet's meta names. Decrypting first is safe: the AEAD already
/// proves the bytes are what was sealed; the signature then proves who sealed them.
fn station_key_named_by(
    envelope: &[u8],
    register: &enroll_packet::RegisterKeyPair,
) -> Result<[u8; 32], enroll_packet::PacketError> {
    let (_, plaintext) = enroll_packet::decrypt_envelope_body(envelope, register)?;
    let (contents, _) = enroll_packet::PacketContents::from_bytes(&plaintext)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&contents.meta.station_public_key)
        .map_err(|_| enroll_packet::PacketError::Contents("meta.station_public_key is not base64".into()))?;
    bytes
        .try_into()
        .map_err(|_| enroll_packet::PacketError::Contents("meta.station_public_key is not 32 bytes".into()))
}
