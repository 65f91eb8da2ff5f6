//! What a packet holds, as plain values: the identity document, biometric records and
//! exceptions, documents, audit events, the registration's metadata, and the manifest that lists
//! a container's entries.
//!
//! Deliberately absent: bytes. How these values become CBEFF XML is `biometrics`, how they
//! become a container is `codec`, and which values are acceptable is `validate`.

use serde::{Deserialize, Serialize};

use crate::AuditEvent;

/// Who made a capture: shown to the supervisor and recorded in the packet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeviceIdentity {
    pub make: String,
    pub model: String,
    pub serial: String,
    /// True for simulated devices (training and tests). Never hidden from the register.
    pub simulated: bool,
}

/// The kinds of biometrics a packet carries, each an ISO/IEC 19794 part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Finger,
    Face,
    Iris,
    /// The face-camera photo that documents a registration's exceptions (MOSIP's
    /// `ExceptionPhoto` type): an ISO/IEC 19794-5 record like a face.
    ExceptionPhoto,
}

impl Modality {
    /// CBEFF `Type`.
    pub fn cbeff_type(self) -> &'static str {
        match self {
            Modality::Finger => "Finger",
            Modality::Face => "Face",
            Modality::Iris => "Iris",
            Modality::ExceptionPhoto => "ExceptionPhoto",
        }
    }

    /// MOSIP's BDB format type for the ISO image record of this modality.
    pub fn format_type(self) -> &'static str {
        match self {
            Modality::Finger => "7",
            Modality::Face | Modality::ExceptionPhoto => "8",
            Modality::Iris => "9",
        }
    }

    /// The format identifier an ISO/IEC 19794 record of this modality starts with.
    pub fn iso_identifier(self) -> &'static [u8; 4] {
        match self {
            Modality::Finger => b"FIR\0",
            Modality::Face | Modality::ExceptionPhoto => b"FAC\0",
            Modality::Iris => b"IIR\0",
        }
    }

    pub(crate) fn from_cbeff_type(text: &str) -> Option<Modality> {
        [
            Modality::Finger,
            Modality::Face,
            Modality::Iris,
            Modality::ExceptionPhoto,
        ]
        .into_iter()
        .find(|m| m.cbeff_type() == text)
    }
}

/// One biometric capture as it goes into the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiometricRecord {
    pub modality: Modality,
    /// CBEFF subtype, e.g. "Left Thumb", "Right IndexFinger", "Left" (iris); empty for a face.
    pub position: String,
    /// Quality score 0..=100, as the capturing device or SDK reported it.
    pub quality: u8,
    /// How many captures were retried before this one was kept.
    pub retries: u32,
    /// The officer kept a capture below the quality threshold.
    pub force_captured: bool,
    /// RFC 3339 time of capture.
    pub captured_at: String,
    pub device: DeviceIdentity,
    /// The device's signed digital identity (a MOSIP SBI device sends a JWT), if it has one.
    pub device_digital_id: Option<String>,
    /// The device's signature over the capture (MOSIP: a JWS in the BIR's `SB`), if any.
    pub device_signature: Option<Vec<u8>>,
    /// The ISO/IEC 19794 record (part 4, 5 or 6 by modality).
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// Why a body part has no capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// The body part is absent (amputation, for instance).
    Missing,
    /// Present but cannot give a usable capture (injury, worn ridges).
    Unusable,
}

impl ExceptionKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::Missing => "missing",
            ExceptionKind::Unusable => "unusable",
        }
    }
}

/// A body part recorded as not captured, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiometricException {
    pub modality: Modality,
    /// CBEFF subtype, as in [`BiometricRecord::position`].
    pub position: String,
    pub kind: ExceptionKind,
    /// For people: what the officer saw. Must not be empty.
    pub reason: String,
}

/// The file formats a document may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    Pdf,
    Jpeg,
    Png,
}

impl DocumentFormat {
    pub fn extension(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "pdf",
            DocumentFormat::Jpeg => "jpg",
            DocumentFormat::Png => "png",
        }
    }

    /// Whether `bytes` start the way files of this format start.
    pub fn magic_matches(self, bytes: &[u8]) -> bool {
        match self {
            DocumentFormat::Pdf => bytes.starts_with(b"%PDF-"),
            DocumentFormat::Jpeg => bytes.starts_with(b"\xff\xd8\xff"),
            DocumentFormat::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        }
    }
}

/// A scanned or photographed document (proof of identity, address, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// MOSIP document category, e.g. "POI", "POA"; 1 to 32 of `A-Z`, `a-z`, `0-9`, `_`, `-`.
    pub category: String,
    /// Document type code within the category, e.g. "DOC001", "RNC".
    pub document_type: String,
    /// The number printed on the document, when it has one.
    pub reference_number: Option<String>,
    pub format: DocumentFormat,
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// What the supervisor decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisorDecision {
    Approved,
    Rejected,
}

/// Where the station was when the registration was made, if it knows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GpsPosition {
    /// Degrees, -90..=90.
    pub latitude: f64,
    /// Degrees, -180..=180.
    pub longitude: f64,
    /// Radius of the 68% confidence circle, metres.
    pub accuracy_m: Option<f64>,
}

/// Registration metadata. Absent optional values are left out of `meta.json`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PacketMeta {
    pub registration_id: String,
    pub station_id: String,
    /// The station's Ed25519 public key (standard base64). It makes a packet self-describing:
    /// an opener can check the envelope signature with it, and the register checks that it is
    /// the key registered for `station_id`.
    pub station_public_key: String,
    pub center_id: String,
    /// Username of the officer who made the registration.
    pub officer: String,
    /// Username of the supervisor who decided (set at approval or rejection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_decision: Option<SupervisorDecision>,
    /// Why; required when the decision is a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_reason: Option<String>,
    /// Every device that captured something in this packet.
    pub devices: Vec<DeviceIdentity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<GpsPosition>,
    /// RFC 3339 timestamps.
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalized_at: Option<String>,
    /// When the supervisor decided (approved or rejected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<String>,
    pub software_version: String,
    /// The resident's consent, when the form asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentRecord>,
    /// Which process the registration followed (absent in packets made before processes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcessRecord>,
}

/// The process a registration followed: a new registration, or an update, a lost card or a
/// correction of a registered resident, with what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessRecord {
    /// `new`, `update`, `lost` or `correction` (MOSIP's registration types).
    pub kind: String,
    /// The resident's ID number (UIN) the clerk entered, for a process that asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_id: Option<String>,
    /// The groups of the form that changed (`address`, `contact`, ...); empty: the whole form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// The register's request this registration answers (a correction), as the clerk entered
    /// it from the resident's letter (MOSIP's `additionalInfoReqId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A resident's agreement to be registered: when, who took it down, and the words agreed to,
/// per UI language code, as the form showed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// RFC 3339.
    pub given_at: String,
    /// Username of the operator who recorded it.
    pub recorded_by: String,
    pub text: std::collections::BTreeMap<String, String>,
}

/// Everything a registration packet holds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PacketContents {
    /// The identity document, following the configured ID schema.
    pub identity: serde_json::Value,
    pub biometrics: Vec<BiometricRecord>,
    pub exceptions: Vec<BiometricException>,
    pub documents: Vec<Document>,
    /// The audit events of this registration, oldest first.
    pub audit: Vec<AuditEvent>,
    pub meta: PacketMeta,
}

/// One entry of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub name: String,
    pub length: u64,
    /// Lower-case hex SHA-256 of the entry bytes.
    pub sha256: String,
}

/// The manifest: printed by `enroll packet open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketManifest {
    pub format_version: u8,
    pub registration_id: String,
    pub station_id: String,
    pub entries: Vec<ManifestEntry>,
    /// Document descriptions (without data), in the order of their entries.
    pub documents: Vec<Document>,
}

/// The entry name of the `n`-th (counting from 1) document of `document.category`.
pub fn document_entry_name(document: &Document, n: usize) -> String {
    format!("documents/{}-{n}.{}", document.category, document.format.extension())
}

impl PacketContents {
    /// The face record (the first biometric record of modality face), if any.
    pub fn face(&self) -> Option<&BiometricRecord> {
        self.biometrics.iter().find(|r| r.modality == Modality::Face)
    }
}
