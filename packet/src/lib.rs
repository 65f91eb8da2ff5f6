//! The registration packet and everything that happens to it on its way to the register.
//!
//! - [`contents`]: what a packet holds (identity document, biometric records and exceptions,
//!   documents, audit events, meta) and its canonical byte form with a manifest of hashes.
//! - [`cbeff`]: CBEFF (ISO/IEC 19785-3) XML, the way MOSIP carries biometrics.
//! - [`keys`]: the station's Ed25519 signing key and the register's key pair (X25519 for
//!   HPKE sealing, Ed25519 for signing receipts), with their file formats and key ids.
//! - [`envelope`]: the sealed envelope (chunked HPKE, RFC 9180) signed by the station, and
//!   opening it on the register side. Specified in `schemas/packet-envelope.md`.
//! - [`reviewed`]: envelope version 2, sealed when the officer finalizes and completed by the
//!   supervisor's review appended to it.
//! - [`inbox`]: sealing what the sync learns about a resident (the register's reasons) to the
//!   station's inbox key, for a signed-in operator to read.
//! - [`receipt`]: the register's signed acknowledgement of a received packet.
//! - [`exchange_manifest`] and [`exchange_media`]: sealed packets on removable media (an export
//!   folder, its signed manifest, the receipts written back), for a station without a link.
//! - [`register_config`]: configuration documents the register signs and sends down to stations.
//! - [`request_signature`]: HTTP Message Signatures (RFC 9421) on a station's requests to the
//!   intake, as both sides build and read them.
//! - [`signing`]: the label that starts each kind of signed message, and the rule for Ed25519
//!   public keys handed to us.
//! - [`time`]: timestamps as every crate writes them (RFC 3339, UTC).
//!
//! This crate knows nothing about SQLite, HTTP or the UI: it turns values into bytes and back,
//! and every failure is a [`PacketError`] with a stable code.

pub mod audit;
pub mod cbeff;
pub mod contents;
pub mod envelope;
pub mod error;
pub mod exchange_manifest;
pub mod exchange_media;
pub mod inbox;
pub mod keys;
pub mod receipt;
pub mod register_config;
pub mod request_signature;
pub mod reviewed;
pub mod signing;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod time;

pub use audit::AuditEvent;
pub use contents::{
    BiometricException, BiometricRecord, ConsentRecord, DeviceIdentity, Document, DocumentFormat, ExceptionKind,
    GpsPosition, Modality, PacketContents, PacketManifest, PacketMeta, ProcessRecord, SupervisorDecision,
};
pub use envelope::{
    decrypt_envelope_body, open_envelope, seal_for_register, seal_for_register_with_chunk_size,
    verify_envelope_signature, EnvelopeHeader, OpenedPacket,
};
pub use error::PacketError;
pub use keys::{KeyId, RegisterKeyPair, RegisterPublicKeys, StationPublicKey, StationSigningKey};
pub use receipt::{Receipt, SignedReceipt};
pub use reviewed::{open_pending, review_pending, seal_pending, PacketReview, PendingEnvelope, ReviewTail};
