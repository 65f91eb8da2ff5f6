//! What a packet holds, and its canonical plaintext form.
//!
//! Why this module exists: the register must be able to check that it received exactly what the
//! officer captured and the supervisor approved. So the plaintext that gets sealed is a small
//! self-describing container: a JSON manifest naming each entry with its length and SHA-256,
//! followed by the entries' bytes in manifest order. The manifest alone is enough to list a
//! packet (`enroll packet open`) and to find any entry without parsing the others.
//!
//! Layout: `"ENRC"` magic, `u8` version (2), `u32` big-endian manifest length, manifest JSON,
//! then the entries concatenated. Entries, in this order:
//!
//! - `identity.json`: the identity document, following the configured ID schema;
//! - `meta.json`: [`PacketMeta`] (center, station, officer, supervisor decision, devices, GPS,
//!   timestamps, software version);
//! - [`BIOMETRICS_ENTRY`]: every biometric record and exception as one CBEFF (ISO/IEC 19785-3)
//!   XML document holding ISO/IEC 19794 records, like MOSIP's `individualBiometrics`
//!   (see [`crate::cbeff`] and [`BiometricRecord::to_bir`]);
//! - `documents/<category>-<n>.<ext>` per document, in the order of
//!   [`PacketContents::documents`], `<n>` counting that category's documents from 1;
//! - `audit.json`: the registration's audit events.
//!
//! The exact byte layout is specified in `schemas/packet-envelope.md`.
//!
//! One job per submodule: [`model`] is what a packet holds (plain data, no behaviour beyond
//! naming), [`biometrics`] maps biometric records and exceptions to and from CBEFF, [`codec`]
//! writes and reads the container bytes (and splices a review into them), and `validate` holds
//! the rules a value must meet before it is written or after it is read. Everything public is
//! re-exported here, so callers name `enroll_packet::contents::X` whatever file `X` lives in.
//!
//! [`PacketContents::from_bytes`] is strict: it reads only this version, requires exactly the
//! entries the manifest's document list implies, in order, and rejects any length, hash,
//! identifier or trailing-byte inconsistency with [`PacketError::Contents`], a CBEFF that does
//! not read back into records with [`PacketError::Cbeff`], and a document whose bytes are not
//! of its declared format with [`PacketError::Document`]. A container is only ever read after
//! the envelope around it decrypted and verified: a bad container means the sealing station
//! wrote it wrong, not that the file was damaged on the way.
//!
//! Deliberately absent: encryption, signatures, any knowledge of where packets are stored, and
//! decoding ISO/IEC 19794 records beyond their format identifier (that is
//! `enroll_devices::iso19794`; this crate stays bytes and ciphers).

mod biometrics;
mod codec;
pub mod model;
mod validate;

#[cfg(test)]
mod tests;

pub use biometrics::{
    biometrics_from_cbeff, biometrics_to_cbeff, FORMAT_ORGANIZATION, KEY_EXCEPTION_KIND, KEY_EXCEPTION_REASON,
};
pub use codec::{read_meta, with_review, ContainerPieces};
pub use model::{
    document_entry_name, BiometricException, BiometricRecord, ConsentRecord, DeviceIdentity, Document, DocumentFormat,
    ExceptionKind, GpsPosition, ManifestEntry, Modality, PacketContents, PacketManifest, PacketMeta, ProcessRecord,
    SupervisorDecision,
};

/// The first four bytes of every plaintext container.
pub const CONTENTS_MAGIC: [u8; 4] = *b"ENRC";
/// The only container version this software writes and reads. Version 1 carried each
/// biometric as a loose image entry; version 2 carries them as one CBEFF document.
pub const CONTENTS_VERSION: u8 = 2;
/// Upper bound on the manifest's length. A real manifest is a few KiB; the bound keeps a
/// hostile length field from making the reader allocate or scan gigabytes.
pub const MAX_MANIFEST_LEN: u32 = 16 * 1024 * 1024;
/// Name of the identity document entry.
pub const IDENTITY_ENTRY: &str = "identity.json";
/// Name of the registration metadata entry.
pub const META_ENTRY: &str = "meta.json";
/// Name of the biometrics entry: MOSIP's name for an applicant's CBEFF file.
pub const BIOMETRICS_ENTRY: &str = "individualBiometrics_bio_CBEFF.xml";
/// Name of the audit events entry.
pub const AUDIT_ENTRY: &str = "audit.json";
