//! The checks a complete upload must pass before the register takes responsibility for it.
//!
//! In order, each with its own message so that a station operator (and the register's support
//! desk) can tell *which* check failed:
//! 1. the SHA-256 of the bytes equals the `sha256` the station declared (damage on the way);
//! 2. the bytes parse as a sealed envelope;
//! 3. the envelope header names the declared station and registration;
//! 4. the envelope is sealed to *this* register's encryption key (a packet sealed to another
//!    key could never be opened, and the station would delete its copy once it had a receipt);
//! 5. the station's Ed25519 signature over the envelope verifies with the key registered for
//!    that station;
//! 6. the envelope opens (`schemas/packet-envelope.md` §5 steps 6 to 9): every chunk decrypts
//!    and the contents are a valid container for the header's ids;
//! 7. the container's `meta.json` names the station key registered for that station, the key
//!    that verified the signature (`station_key_mismatch` otherwise, its own code so that the
//!    station and the register's desk see at once that keys, not bytes, are wrong).
//!
//! The header names are compared before the signature is checked: the header is not yet
//! authenticated then, but a packet uploaded under the wrong station deserves "wrong station"
//! rather than "bad signature". Nothing is accepted until every check has passed, so the
//! register never acknowledges a packet it could not read.
//!
//! This module does not touch storage; it decrypts only to check, and keeps nothing it read.

use enroll_packet::{open_envelope, EnvelopeHeader, PacketError, RegisterKeyPair};
use sha2::{Digest, Sha256};

use crate::tus_headers::DeclaredUpload;

/// Why a packet was refused, in words for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Any failed check but the station key's: `422 packet_rejected`.
    Packet(String),
    /// The contents name another station key than the registered one: `422 station_key_mismatch`.
    StationKeyMismatch(String),
}

impl Rejection {
    pub fn message(&self) -> &str {
        match self {
            Rejection::Packet(message) | Rejection::StationKeyMismatch(message) => message,
        }
    }
}

/// Runs every check on a complete envelope; returns its authenticated header.
pub fn verify_complete_envelope(
    envelope: &[u8],
    declared: &DeclaredUpload,
    station_public_key: &[u8; 32],
    register: &RegisterKeyPair,
) -> Result<EnvelopeHeader, Rejection> {
    let register_key_id = register.public_keys().key_id();
    let actual_sha256 = hex::encode(Sha256::digest(envelope));
    if actual_sha256 != declared.sha256 {
        return Err(Rejection::Packet(format!(
            "the received bytes have SHA-256 {actual_sha256}, but the station declared {}; the packet was damaged or changed on the way",
            declared.sha256
        )));
    }

    let header = EnvelopeHeader::parse(envelope)
        .map_err(|error| Rejection::Packet(format!("the upload is not a valid sealed packet ({error})")))?;
    if header.station_id != declared.station_id {
        return Err(Rejection::Packet(format!(
            "the packet was sealed by station '{}' but uploaded as station '{}'",
            header.station_id, declared.station_id
        )));
    }
    if header.registration_id != declared.registration_id {
        return Err(Rejection::Packet(format!(
            "the packet holds registration '{}' but was uploaded as registration '{}'",
            header.registration_id, declared.registration_id
        )));
    }
    if header.register_key_id != register_key_id {
        return Err(Rejection::Packet(format!(
            "the packet is sealed for register key {}, but this intake's key is {}; the station must fetch and pin the current register keys, then seal again",
            header.register_key_id.to_hex(),
            register_key_id.to_hex()
        )));
    }

    let opened = open_envelope(envelope, register, station_public_key).map_err(|error| match error {
        PacketError::BadSignature => Rejection::Packet(format!(
            "the station signature does not verify with the key registered for station '{}'; the packet was changed after it was sealed, or sealed with another key",
            declared.station_id
        )),
        PacketError::StationKeyMismatch { named, verified } => Rejection::StationKeyMismatch(format!(
            "the packet's meta.json names station key {named}, but the key registered for station '{}' is {verified}; \
             the station must seal with the key it registered",
            declared.station_id
        )),
        other => Rejection::Packet(format!("the upload is not a valid sealed packet ({other}) [{}]", other.code())),
    })?;
    Ok(opened.header)
}
