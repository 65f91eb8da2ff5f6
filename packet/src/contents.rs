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

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cbeff::{self, BdbInfo, Bir, Cbeff, OtherEntry, Quality, RegistryId, Version};
use crate::{AuditEvent, PacketError};

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

/// `others` keys this station adds to MOSIP's, for what MOSIP keeps elsewhere.
pub const KEY_EXCEPTION_KIND: &str = "EXCEPTION_KIND";
pub const KEY_EXCEPTION_REASON: &str = "EXCEPTION_REASON";
/// The BDB format owner and the quality algorithm owner written by this station.
pub const FORMAT_ORGANIZATION: &str = "Mosip";
const QUALITY_ORGANIZATION: &str = "ENROLL";
const QUALITY_KIND: &str = "DEVICE";

/// Fixed part of the container before the manifest: magic, version, manifest length.
const PREFIX_LEN: usize = 4 + 1 + 4;
/// Longest accepted document category; it becomes part of an entry name.
const MAX_CATEGORY_LEN: usize = 32;

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
}

impl Modality {
    /// CBEFF `Type`.
    pub fn cbeff_type(self) -> &'static str {
        match self {
            Modality::Finger => "Finger",
            Modality::Face => "Face",
            Modality::Iris => "Iris",
        }
    }

    /// MOSIP's BDB format type for the ISO image record of this modality.
    pub fn format_type(self) -> &'static str {
        match self {
            Modality::Finger => "7",
            Modality::Face => "8",
            Modality::Iris => "9",
        }
    }

    /// The format identifier an ISO/IEC 19794 record of this modality starts with.
    pub fn iso_identifier(self) -> &'static [u8; 4] {
        match self {
            Modality::Finger => b"FIR\0",
            Modality::Face => b"FAC\0",
            Modality::Iris => b"IIR\0",
        }
    }

    fn from_cbeff_type(text: &str) -> Option<Modality> {
        [Modality::Finger, Modality::Face, Modality::Iris]
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
    fn as_str(self) -> &'static str {
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

impl BiometricRecord {
    /// The CBEFF record for this capture: BDBInfo (format Mosip/7|8|9, creation date, type,
    /// subtype, level Raw, purpose Enroll, quality), the ISO record as BDB, the device
    /// signature as SB, and `others`: RETRIES, FORCE_CAPTURED, EXCEPTION=false and PAYLOAD, a
    /// JSON object naming the device (`make`, `model`, `serialNo`, `simulated`, and
    /// `digitalId` when the device has one).
    pub fn to_bir(&self) -> Result<Bir, PacketError> {
        let payload = DevicePayload {
            digital_id: self.device_digital_id.clone(),
            make: self.device.make.clone(),
            model: self.device.model.clone(),
            serial_no: self.device.serial.clone(),
            simulated: self.device.simulated,
        };
        let payload = serde_json::to_string(&payload)
            .map_err(|e| PacketError::Cbeff(format!("the device payload cannot be written: {e}")))?;
        Ok(Bir {
            bdb_info: Some(BdbInfo {
                format: Some(RegistryId {
                    organization: FORMAT_ORGANIZATION.into(),
                    kind: self.modality.format_type().into(),
                }),
                creation_date: Some(self.captured_at.clone()),
                quality: Some(Quality {
                    algorithm: RegistryId {
                        organization: QUALITY_ORGANIZATION.into(),
                        kind: QUALITY_KIND.into(),
                    },
                    score: Some(self.quality),
                    calculation_failed: None,
                }),
                ..bdb_info(self.modality, &self.position)
            }),
            bdb: Some(self.data.clone()),
            sb: self.device_signature.clone(),
            others: vec![
                other(cbeff::KEY_EXCEPTION, "false"),
                other(cbeff::KEY_RETRIES, &self.retries.to_string()),
                other(
                    cbeff::KEY_FORCE_CAPTURED,
                    if self.force_captured { "true" } else { "false" },
                ),
                other(cbeff::KEY_PAYLOAD, &payload),
            ],
            ..bir_frame()
        })
    }
}

impl BiometricException {
    /// The CBEFF record for a missing or unusable body part: no BDB, EXCEPTION=true, and this
    /// station's EXCEPTION_KIND and EXCEPTION_REASON entries.
    pub fn to_bir(&self) -> Bir {
        Bir {
            bdb_info: Some(bdb_info(self.modality, &self.position)),
            others: vec![
                other(cbeff::KEY_EXCEPTION, "true"),
                other(KEY_EXCEPTION_KIND, self.kind.as_str()),
                other(KEY_EXCEPTION_REASON, &self.reason),
            ],
            ..bir_frame()
        }
    }
}

/// The device identity as PAYLOAD JSON.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DevicePayload {
    #[serde(skip_serializing_if = "Option::is_none")]
    digital_id: Option<String>,
    make: String,
    model: String,
    serial_no: String,
    simulated: bool,
}

fn other(key: &str, value: &str) -> OtherEntry {
    OtherEntry {
        key: key.into(),
        value: value.into(),
    }
}

/// Version 1.1 and CBEFF version 1.1, integrity false: what MOSIP writes.
fn bir_frame() -> Bir {
    Bir {
        version: Some(Version { major: 1, minor: 1 }),
        cbeff_version: Some(Version { major: 1, minor: 1 }),
        integrity: false,
        ..Bir::default()
    }
}

fn bdb_info(modality: Modality, position: &str) -> BdbInfo {
    BdbInfo {
        format: Some(RegistryId {
            organization: FORMAT_ORGANIZATION.into(),
            kind: modality.format_type().into(),
        }),
        types: vec![modality.cbeff_type().into()],
        subtypes: position.split_whitespace().map(str::to_string).collect(),
        level: Some("Raw".into()),
        purpose: Some("Enroll".into()),
        ..BdbInfo::default()
    }
}

/// The CBEFF document for a packet's biometrics: records first, then exceptions.
pub fn biometrics_to_cbeff(
    biometrics: &[BiometricRecord],
    exceptions: &[BiometricException],
) -> Result<Cbeff, PacketError> {
    for (index, record) in biometrics.iter().enumerate() {
        check_position(&record.position)
            .map_err(|why| PacketError::Contents(format!("biometric record {index}: {why}")))?;
        if record.quality > 100 {
            return Err(PacketError::Contents(format!(
                "biometric record {index} has quality {}, outside 0..=100",
                record.quality
            )));
        }
        if !record.data.starts_with(record.modality.iso_identifier()) {
            return Err(PacketError::Contents(format!(
                "biometric record {index} ({}) is not an ISO/IEC 19794 {} record",
                record.modality.cbeff_type(),
                String::from_utf8_lossy(&record.modality.iso_identifier()[..3])
            )));
        }
    }
    for (index, exception) in exceptions.iter().enumerate() {
        check_position(&exception.position)
            .map_err(|why| PacketError::Contents(format!("biometric exception {index}: {why}")))?;
        if exception.reason.trim().is_empty() {
            return Err(PacketError::Contents(format!(
                "biometric exception {index} ({} {}) gives no reason",
                exception.modality.cbeff_type(),
                exception.position
            )));
        }
    }
    let mut records = biometrics
        .iter()
        .map(BiometricRecord::to_bir)
        .collect::<Result<Vec<_>, _>>()?;
    records.extend(exceptions.iter().map(BiometricException::to_bir));
    Ok(Cbeff {
        version: None,
        cbeff_version: None,
        integrity: false,
        records,
        others: Vec::new(),
    })
}

/// Read back what [`biometrics_to_cbeff`] wrote. A CBEFF written by someone else (a MOSIP
/// packet's) reads with [`Cbeff::from_xml`], not here: this demands this station's entries.
pub fn biometrics_from_cbeff(cbeff: &Cbeff) -> Result<(Vec<BiometricRecord>, Vec<BiometricException>), PacketError> {
    let mut biometrics = Vec::new();
    let mut exceptions = Vec::new();
    for (index, bir) in cbeff.records.iter().enumerate() {
        let bad = |why: String| PacketError::Cbeff(format!("record {}: {why}", index + 1));
        let info = bir.bdb_info.as_ref().ok_or_else(|| bad("no BDBInfo".into()))?;
        let type_text = bir.type_text();
        let modality = Modality::from_cbeff_type(&type_text)
            .ok_or_else(|| bad(format!("type {type_text:?} is not Finger, Face or Iris")))?;
        let position = bir.subtype_text();
        if bir.exception() == Some(true) {
            let kind = match bir.other(KEY_EXCEPTION_KIND) {
                Some("missing") => ExceptionKind::Missing,
                Some("unusable") => ExceptionKind::Unusable,
                other => return Err(bad(format!("EXCEPTION_KIND is {other:?}, not missing or unusable"))),
            };
            exceptions.push(BiometricException {
                modality,
                position,
                kind,
                reason: bir
                    .other(KEY_EXCEPTION_REASON)
                    .ok_or_else(|| bad("an exception without EXCEPTION_REASON".into()))?
                    .to_string(),
            });
            continue;
        }
        let payload: DevicePayload = serde_json::from_str(
            bir.other(cbeff::KEY_PAYLOAD)
                .ok_or_else(|| bad("no PAYLOAD naming the device".into()))?,
        )
        .map_err(|e| bad(format!("PAYLOAD does not name the device: {e}")))?;
        biometrics.push(BiometricRecord {
            modality,
            position,
            quality: bir.quality_score().ok_or_else(|| bad("no quality score".into()))?,
            retries: bir.retries().ok_or_else(|| bad("no RETRIES".into()))?,
            force_captured: bir.force_captured().ok_or_else(|| bad("no FORCE_CAPTURED".into()))?,
            captured_at: info
                .creation_date
                .clone()
                .ok_or_else(|| bad("no CreationDate".into()))?,
            device: DeviceIdentity {
                make: payload.make,
                model: payload.model,
                serial: payload.serial_no,
                simulated: payload.simulated,
            },
            device_digital_id: payload.digital_id,
            device_signature: bir.sb.clone(),
            data: bir.bdb.clone().ok_or_else(|| bad("a capture without BDB".into()))?,
        });
    }
    // Records were written before exceptions; anything else was not written by this station.
    let written = biometrics_to_cbeff(&biometrics, &exceptions)?;
    if &written != cbeff {
        return Err(PacketError::Cbeff(
            "the biometrics file holds values this station never writes (order, extra entries or elements)".into(),
        ));
    }
    Ok((biometrics, exceptions))
}

impl PacketContents {
    /// The canonical plaintext bytes (container described in the module docs).
    pub fn to_bytes(&self) -> Result<Vec<u8>, PacketError> {
        check_meta(&self.meta)?;
        let identity = serde_json::to_vec(&self.identity)
            .map_err(|e| PacketError::Contents(format!("the identity document cannot be written as JSON: {e}")))?;
        let meta = serde_json::to_vec(&self.meta)
            .map_err(|e| PacketError::Contents(format!("the packet metadata cannot be written as JSON: {e}")))?;
        let biometrics = biometrics_to_cbeff(&self.biometrics, &self.exceptions)?.to_xml()?;
        let audit = serde_json::to_vec(&self.audit)
            .map_err(|e| PacketError::Contents(format!("the audit events cannot be written as JSON: {e}")))?;
        for (index, document) in self.documents.iter().enumerate() {
            check_document(index, document)?;
        }

        let names = expected_entry_names(&self.documents)?;
        let data: Vec<&[u8]> = [identity.as_slice(), meta.as_slice(), biometrics.as_slice()]
            .into_iter()
            .chain(self.documents.iter().map(|document| document.data.as_slice()))
            .chain([audit.as_slice()])
            .collect();
        debug_assert_eq!(names.len(), data.len(), "one name per entry, by construction");

        let entries = names
            .into_iter()
            .zip(&data)
            .map(|(name, bytes)| ManifestEntry {
                name,
                length: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(bytes)),
            })
            .collect();
        let manifest = PacketManifest {
            format_version: CONTENTS_VERSION,
            registration_id: self.meta.registration_id.clone(),
            station_id: self.meta.station_id.clone(),
            entries,
            // `data` is not serialized; leave it empty rather than copying every scan.
            documents: self
                .documents
                .iter()
                .map(|document| Document {
                    data: Vec::new(),
                    ..document.clone()
                })
                .collect(),
        };
        write_container(&manifest, &data)
    }

    /// Parse and check a container: every entry's length and hash must match the manifest.
    pub fn from_bytes(bytes: &[u8]) -> Result<(PacketContents, PacketManifest), PacketError> {
        let Layout { manifest, entries } = Layout::read(bytes)?;
        for (entry, data) in manifest.entries.iter().zip(&entries) {
            let actual = hex::encode(Sha256::digest(data));
            if entry.sha256 != actual {
                return Err(PacketError::Contents(format!(
                    "entry {} has SHA-256 {actual}, but the manifest says {}",
                    entry.name, entry.sha256
                )));
            }
        }
        let entry_bytes = entries;

        // The names were checked above: identity, meta, biometrics, documents, audit.
        let identity: serde_json::Value = serde_json::from_slice(entry_bytes[0])
            .map_err(|e| PacketError::Contents(format!("{IDENTITY_ENTRY} is not valid JSON: {e}")))?;
        let meta = read_meta_entry(&manifest, entry_bytes[1])?;
        let cbeff = Cbeff::from_xml(entry_bytes[2])?;
        let (biometrics, exceptions) = biometrics_from_cbeff(&cbeff)?;
        let document_bytes = &entry_bytes[3..entry_bytes.len() - 1];
        let documents = manifest
            .documents
            .iter()
            .zip(document_bytes)
            .map(|(document, data)| Document {
                data: data.to_vec(),
                ..document.clone()
            })
            .collect::<Vec<_>>();
        for (index, document) in documents.iter().enumerate() {
            check_document(index, document)?;
        }
        let audit: Vec<AuditEvent> = serde_json::from_slice(entry_bytes[entry_bytes.len() - 1])
            .map_err(|e| PacketError::Contents(format!("{AUDIT_ENTRY} is not valid: {e}")))?;

        Ok((
            PacketContents {
                identity,
                biometrics,
                exceptions,
                documents,
                audit,
                meta,
            },
            manifest,
        ))
    }

    /// The face record (the first biometric record of modality face), if any.
    pub fn face(&self) -> Option<&BiometricRecord> {
        self.biometrics.iter().find(|r| r.modality == Modality::Face)
    }
}

/// The meta of a container, read without decoding its other entries (and without checking
/// their hashes: see [`with_review`]).
pub fn read_meta(container: &[u8]) -> Result<PacketMeta, PacketError> {
    let layout = Layout::read(container)?;
    read_meta_entry(&layout.manifest, layout.entries[1])
}

/// The container with its `meta.json` and `audit.json` replaced and every other entry copied
/// byte for byte: what the supervisor's decision changes, without decoding and re-encoding
/// megabytes of biometrics and documents.
///
/// For a container this software wrote, the result is exactly what
/// [`PacketContents::to_bytes`] gives for the parsed container with that meta and those events
/// (a unit test and the `contents` fuzz target hold it to that). The copied entries keep the hashes the
/// manifest gives them, so a damaged entry stays as detectable as it was; the station calls this
/// only on a container it decrypted from its own vault.
pub fn with_review(container: &[u8], meta: &PacketMeta, audit: &[AuditEvent]) -> Result<Vec<u8>, PacketError> {
    let Layout {
        mut manifest,
        mut entries,
    } = Layout::read(container)?;
    if meta.registration_id != manifest.registration_id || meta.station_id != manifest.station_id {
        return Err(PacketError::Contents(format!(
            "the new {META_ENTRY} names registration {:?} from station {:?}, but the container holds registration {:?} from station {:?}",
            meta.registration_id, meta.station_id, manifest.registration_id, manifest.station_id
        )));
    }
    check_meta(meta)?;
    let meta_json = serde_json::to_vec(meta)
        .map_err(|e| PacketError::Contents(format!("the packet metadata cannot be written as JSON: {e}")))?;
    let audit_json = serde_json::to_vec(audit)
        .map_err(|e| PacketError::Contents(format!("the audit events cannot be written as JSON: {e}")))?;
    let last = entries.len() - 1;
    for (index, bytes) in [(1, meta_json.as_slice()), (last, audit_json.as_slice())] {
        entries[index] = bytes;
        manifest.entries[index].length = bytes.len() as u64;
        manifest.entries[index].sha256 = hex::encode(Sha256::digest(bytes));
    }
    write_container(&manifest, &entries)
}

/// `"ENRC"`, version, manifest length, manifest, entries.
fn write_container(manifest: &PacketManifest, entries: &[&[u8]]) -> Result<Vec<u8>, PacketError> {
    let manifest_json = serde_json::to_vec(manifest)
        .map_err(|e| PacketError::Contents(format!("the manifest cannot be written as JSON: {e}")))?;
    let manifest_len = u32::try_from(manifest_json.len())
        .ok()
        .filter(|len| *len <= MAX_MANIFEST_LEN)
        .ok_or_else(|| {
            PacketError::Contents(format!(
                "the manifest is {} bytes, more than the limit of {MAX_MANIFEST_LEN}; \
                 a packet cannot hold that many documents",
                manifest_json.len()
            ))
        })?;
    let total = PREFIX_LEN + manifest_json.len() + entries.iter().map(|d| d.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&CONTENTS_MAGIC);
    out.push(CONTENTS_VERSION);
    out.extend_from_slice(&manifest_len.to_be_bytes());
    out.extend_from_slice(&manifest_json);
    for bytes in entries {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

/// `meta.json`, parsed and checked against the manifest it came with.
fn read_meta_entry(manifest: &PacketManifest, bytes: &[u8]) -> Result<PacketMeta, PacketError> {
    let meta: PacketMeta =
        serde_json::from_slice(bytes).map_err(|e| PacketError::Contents(format!("{META_ENTRY} is not valid: {e}")))?;
    if meta.registration_id != manifest.registration_id || meta.station_id != manifest.station_id {
        return Err(PacketError::Contents(format!(
            "the manifest names registration {:?} from station {:?}, but {META_ENTRY} names registration {:?} from station {:?}",
            manifest.registration_id, manifest.station_id, meta.registration_id, meta.station_id
        )));
    }
    check_meta(&meta)?;
    Ok(meta)
}

/// A container cut into its manifest and its entries' bytes: the prefix, the manifest, the
/// entry names its documents imply, and every length are checked; the hashes are not (that is
/// the caller's choice: [`PacketContents::from_bytes`] checks them all).
struct Layout<'a> {
    manifest: PacketManifest,
    /// In manifest order: identity, meta, biometrics, documents..., audit.
    entries: Vec<&'a [u8]>,
}

impl<'a> Layout<'a> {
    fn read(bytes: &'a [u8]) -> Result<Layout<'a>, PacketError> {
        let mut reader = Reader { bytes, position: 0 };

        let magic = reader.take(4, "the container's magic bytes")?;
        if magic != CONTENTS_MAGIC {
            return Err(PacketError::Contents(
                "the plaintext does not start with \"ENRC\"; it is not a packet contents container".into(),
            ));
        }
        let version = reader.take(1, "the container version")?[0];
        if version != CONTENTS_VERSION {
            return Err(PacketError::Contents(format!(
                "container version {version} is not supported; this software reads version {CONTENTS_VERSION}"
            )));
        }
        let manifest_len = reader.take_u32("the manifest length")?;
        if manifest_len > MAX_MANIFEST_LEN {
            return Err(PacketError::Contents(format!(
                "the manifest claims {manifest_len} bytes, more than the limit of {MAX_MANIFEST_LEN}"
            )));
        }
        // Widening u32 -> usize is lossless on every platform this runs on (32 or 64 bit).
        let manifest_bytes = reader.take(manifest_len as usize, "the manifest")?;
        let manifest: PacketManifest = serde_json::from_slice(manifest_bytes)
            .map_err(|e| PacketError::Contents(format!("the manifest is not valid: {e}")))?;
        if manifest.format_version != CONTENTS_VERSION {
            return Err(PacketError::Contents(format!(
                "the manifest's format_version is {}, expected {CONTENTS_VERSION}",
                manifest.format_version
            )));
        }

        let expected_names = expected_entry_names(&manifest.documents)?;
        let found_names: Vec<&str> = manifest.entries.iter().map(|e| e.name.as_str()).collect();
        if found_names != expected_names {
            return Err(PacketError::Contents(format!(
                "the manifest lists the entries {found_names:?}, but its documents require exactly {expected_names:?}"
            )));
        }

        let mut entries: Vec<&[u8]> = Vec::with_capacity(manifest.entries.len());
        for entry in &manifest.entries {
            let claimed = usize::try_from(entry.length).map_err(|_| {
                PacketError::Contents(format!(
                    "entry {} claims an impossible length of {} bytes",
                    entry.name, entry.length
                ))
            })?;
            entries.push(reader.take(claimed, &format!("entry {}", entry.name))?);
        }
        if reader.remaining() != 0 {
            return Err(PacketError::Contents(format!(
                "{} unexpected bytes follow the last entry",
                reader.remaining()
            )));
        }
        Ok(Layout { manifest, entries })
    }
}

/// The entry names a list of documents implies, after checking each category (it becomes part
/// of a name).
fn expected_entry_names(documents: &[Document]) -> Result<Vec<String>, PacketError> {
    let mut names = vec![
        IDENTITY_ENTRY.to_string(),
        META_ENTRY.to_string(),
        BIOMETRICS_ENTRY.to_string(),
    ];
    let mut seen_per_category: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, document) in documents.iter().enumerate() {
        check_category(&document.category).map_err(|why| PacketError::Contents(format!("document {index}: {why}")))?;
        let n = seen_per_category.entry(document.category.as_str()).or_insert(0);
        *n += 1;
        names.push(document_entry_name(document, *n));
    }
    names.push(AUDIT_ENTRY.to_string());
    Ok(names)
}

/// A category becomes part of an entry name that tools may turn into a file path, so only a
/// short, plain name is accepted: no separators, dots or spaces.
fn check_category(category: &str) -> Result<(), String> {
    let plain = category
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if category.is_empty() || category.len() > MAX_CATEGORY_LEN || !plain {
        return Err(format!(
            "category {category:?} must be 1 to {MAX_CATEGORY_LEN} characters of A-Z, a-z, 0-9, '_' and '-'"
        ));
    }
    Ok(())
}

/// A CBEFF subtype is a list of words; written with single spaces it reads back the same.
fn check_position(position: &str) -> Result<(), String> {
    let normal = position.split_whitespace().collect::<Vec<_>>().join(" ");
    if normal != position {
        return Err(format!(
            "position {position:?} must be words separated by single spaces, e.g. \"Left Thumb\""
        ));
    }
    Ok(())
}

fn check_document(index: usize, document: &Document) -> Result<(), PacketError> {
    if document.document_type.trim().is_empty() {
        return Err(PacketError::Document(format!(
            "document {index} ({}) has no document type",
            document.category
        )));
    }
    if !document.format.magic_matches(&document.data) {
        return Err(PacketError::Document(format!(
            "document {index} ({}) is declared {} but its bytes are not a {} file",
            document.category,
            document.format.extension(),
            document.format.extension()
        )));
    }
    Ok(())
}

fn check_meta(meta: &PacketMeta) -> Result<(), PacketError> {
    if meta.supervisor_decision == Some(SupervisorDecision::Rejected)
        && meta.supervisor_reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err(PacketError::Contents(
            "a rejected registration must say why (supervisor_reason)".into(),
        ));
    }
    if meta.supervisor_decision.is_some() && meta.supervisor.is_none() {
        return Err(PacketError::Contents(
            "a supervisor decision is recorded without the supervisor who made it".into(),
        ));
    }
    if let Some(gps) = meta.gps {
        let valid = gps.latitude.is_finite()
            && gps.longitude.is_finite()
            && (-90.0..=90.0).contains(&gps.latitude)
            && (-180.0..=180.0).contains(&gps.longitude)
            && gps.accuracy_m.is_none_or(|a| a.is_finite() && a >= 0.0);
        if !valid {
            return Err(PacketError::Contents(format!(
                "GPS position {}, {} (accuracy {:?} m) is not a place on Earth",
                gps.latitude, gps.longitude, gps.accuracy_m
            )));
        }
    }
    Ok(())
}

/// A cursor over untrusted bytes: every read is bounds-checked and names what was being read.
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], PacketError> {
        if len > self.remaining() {
            return Err(PacketError::Contents(format!(
                "the container ends inside {what}: it needs {len} bytes at offset {} but only {} remain",
                self.position,
                self.remaining()
            )));
        }
        let slice = &self.bytes[self.position..self.position + len];
        self.position += len;
        Ok(slice)
    }

    fn take_u32(&mut self, what: &str) -> Result<u32, PacketError> {
        let bytes = self.take(4, what)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn device() -> DeviceIdentity {
        DeviceIdentity {
            make: "Sim".into(),
            model: "Face 1".into(),
            serial: "SIM-0001".into(),
            simulated: true,
        }
    }

    fn record(modality: Modality, position: &str, data: &[u8]) -> BiometricRecord {
        BiometricRecord {
            modality,
            position: position.into(),
            quality: 80,
            retries: 2,
            force_captured: false,
            captured_at: "2025-01-01T09:05:00Z".into(),
            device: device(),
            device_digital_id: None,
            device_signature: None,
            data: data.to_vec(),
        }
    }

    fn sample() -> PacketContents {
        let mut thumb = record(Modality::Finger, "Left Thumb", b"FIR\x00020\x00 left thumb");
        thumb.force_captured = true;
        thumb.device_digital_id = Some("eyJ.digital.id".into());
        thumb.device_signature = Some(b"eyJ.jws.signature".to_vec());
        PacketContents {
            identity: serde_json::json!({"fullName": "Amina Diallo", "dateOfBirth": "1990-04-01"}),
            biometrics: vec![
                record(Modality::Face, "", b"FAC\x00030\x00 face"),
                thumb,
                record(Modality::Finger, "Right IndexFinger", b"FIR\x00020\x00 right index"),
                record(Modality::Iris, "Left", b"IIR\x00020\x00 left eye"),
            ],
            exceptions: vec![BiometricException {
                modality: Modality::Finger,
                position: "Right Thumb".into(),
                kind: ExceptionKind::Missing,
                reason: "amputated <in 2019> & healed".into(),
            }],
            documents: vec![
                Document {
                    category: "POI".into(),
                    document_type: "DOC001".into(),
                    reference_number: Some("A-1234".into()),
                    format: DocumentFormat::Pdf,
                    data: b"%PDF-1.4 passport".to_vec(),
                },
                Document {
                    category: "POA".into(),
                    document_type: "RNC".into(),
                    reference_number: None,
                    format: DocumentFormat::Jpeg,
                    data: b"\xff\xd8\xff\xe0 bill".to_vec(),
                },
                Document {
                    category: "POI".into(),
                    document_type: "DOC002".into(),
                    reference_number: None,
                    format: DocumentFormat::Png,
                    data: b"\x89PNG\r\n\x1a\n card".to_vec(),
                },
            ],
            audit: vec![AuditEvent {
                sequence: 7,
                at: "2025-01-01T09:00:00Z".into(),
                actor: "officer1".into(),
                action: "registration_created".into(),
                registration_id: Some("10001-20250101-000001".into()),
                details: String::new(),
            }],
            meta: PacketMeta {
                registration_id: "10001-20250101-000001".into(),
                station_id: "ST-0001".into(),
                station_public_key: String::new(),
                center_id: "C-01".into(),
                officer: "officer1".into(),
                supervisor: Some("super1".into()),
                supervisor_decision: Some(SupervisorDecision::Approved),
                supervisor_reason: None,
                devices: vec![device()],
                gps: Some(GpsPosition {
                    latitude: 12.3714,
                    longitude: -1.5197,
                    accuracy_m: Some(8.5),
                }),
                created_at: "2025-01-01T09:00:00Z".into(),
                finalized_at: Some("2025-01-01T09:10:00Z".into()),
                approved_at: Some("2025-01-01T10:00:00Z".into()),
                software_version: "0.1.0".into(),
            },
        }
    }

    /// Rebuild a container from a (possibly edited) manifest and entry bytes.
    fn assemble(manifest: &serde_json::Value, entries: &[&[u8]]) -> Vec<u8> {
        let json = serde_json::to_vec(manifest).unwrap();
        let mut out = b"ENRC\x02".to_vec();
        out.extend_from_slice(&(json.len() as u32).to_be_bytes());
        out.extend_from_slice(&json);
        for entry in entries {
            out.extend_from_slice(entry);
        }
        out
    }

    fn split(bytes: &[u8]) -> (serde_json::Value, Vec<Vec<u8>>) {
        let len = u32::from_be_bytes(bytes[5..9].try_into().unwrap()) as usize;
        let manifest: serde_json::Value = serde_json::from_slice(&bytes[9..9 + len]).unwrap();
        let mut at = 9 + len;
        let mut entries = Vec::new();
        for entry in manifest["entries"].as_array().unwrap() {
            let n = entry["length"].as_u64().unwrap() as usize;
            entries.push(bytes[at..at + n].to_vec());
            at += n;
        }
        (manifest, entries)
    }

    /// Replace entry `index` and fix its length and hash in the manifest.
    fn replace_entry(bytes: &[u8], index: usize, new: &[u8]) -> Vec<u8> {
        let (mut manifest, mut entries) = split(bytes);
        entries[index] = new.to_vec();
        manifest["entries"][index]["length"] = new.len().into();
        manifest["entries"][index]["sha256"] = hex::encode(Sha256::digest(new)).into();
        let entries: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        assemble(&manifest, &entries)
    }

    fn error_of(bytes: &[u8]) -> (String, &'static str) {
        let error = PacketContents::from_bytes(bytes).unwrap_err();
        (error.to_string(), error.code())
    }

    fn contents_error(bytes: &[u8]) -> String {
        let (message, code) = error_of(bytes);
        assert_eq!(code, "contents_invalid", "{message}");
        message
    }

    #[test]
    fn round_trip_keeps_everything() {
        let contents = sample();
        let bytes = contents.to_bytes().unwrap();
        assert_eq!(&bytes[..5], b"ENRC\x02");
        let (back, manifest) = PacketContents::from_bytes(&bytes).unwrap();
        assert_eq!(back, contents);
        assert_eq!(manifest.registration_id, contents.meta.registration_id);
        assert!(manifest.documents.iter().all(|d| d.data.is_empty()));
        // Canonical: writing the parsed contents again gives the same bytes.
        assert_eq!(back.to_bytes().unwrap(), bytes);
        assert_eq!(back.face().unwrap().data, b"FAC\x00030\x00 face");
    }

    #[test]
    fn a_review_spliced_in_is_what_a_full_rebuild_writes() {
        let contents = sample();
        let bytes = contents.to_bytes().unwrap();
        assert_eq!(read_meta(&bytes).unwrap(), contents.meta);

        let mut meta = contents.meta.clone();
        meta.supervisor = Some("sara".into());
        meta.supervisor_decision = Some(SupervisorDecision::Rejected);
        meta.supervisor_reason = Some("the document photo is blurred".into());
        let audit = vec![AuditEvent {
            sequence: 7,
            at: "2025-03-01T09:00:00Z".into(),
            actor: "sara".into(),
            action: "registration_rejected".into(),
            registration_id: Some(contents.meta.registration_id.clone()),
            details: String::new(),
        }];
        let spliced = with_review(&bytes, &meta, &audit).unwrap();

        let mut rebuilt = contents.clone();
        rebuilt.meta = meta.clone();
        rebuilt.audit = audit.clone();
        assert_eq!(spliced, rebuilt.to_bytes().unwrap());
        let (back, _) = PacketContents::from_bytes(&spliced).unwrap();
        assert_eq!(back, rebuilt);
    }

    #[test]
    fn a_review_is_refused_for_another_packet_or_without_a_reason() {
        let contents = sample();
        let bytes = contents.to_bytes().unwrap();
        let mut other = contents.meta.clone();
        other.registration_id = "99999".into();
        let error = with_review(&bytes, &other, &[]).unwrap_err();
        assert_eq!(error.code(), "contents_invalid");
        assert!(error.to_string().contains("99999"), "{error}");

        let mut unexplained = contents.meta.clone();
        unexplained.supervisor = Some("sara".into());
        unexplained.supervisor_decision = Some(SupervisorDecision::Rejected);
        let error = with_review(&bytes, &unexplained, &[]).unwrap_err();
        assert!(error.to_string().contains("must say why"), "{error}");

        // A damaged container is refused, not spliced.
        assert!(with_review(&bytes[..bytes.len() - 1], &contents.meta, &[]).is_err());
    }

    #[test]
    fn entry_names_follow_documents() {
        let bytes = sample().to_bytes().unwrap();
        let (_, manifest) = PacketContents::from_bytes(&bytes).unwrap();
        let names: Vec<&str> = manifest.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "identity.json",
                "meta.json",
                "individualBiometrics_bio_CBEFF.xml",
                "documents/POI-1.pdf",
                "documents/POA-1.jpg",
                "documents/POI-2.png",
                "audit.json"
            ]
        );
        assert_eq!(
            manifest.entries[3].sha256,
            hex::encode(Sha256::digest(b"%PDF-1.4 passport"))
        );
    }

    #[test]
    fn biometrics_travel_as_one_cbeff_with_mosip_entries() {
        let bytes = sample().to_bytes().unwrap();
        let (_, entries) = split(&bytes);
        let cbeff = Cbeff::from_xml(&entries[2]).unwrap();
        assert_eq!(cbeff.records.len(), 5, "four captures and one exception");
        let thumb = &cbeff.records[1];
        assert_eq!(thumb.type_text(), "Finger");
        assert_eq!(thumb.subtype_text(), "Left Thumb");
        assert_eq!(thumb.quality_score(), Some(80));
        assert_eq!(thumb.retries(), Some(2));
        assert_eq!(thumb.force_captured(), Some(true));
        assert_eq!(thumb.exception(), Some(false));
        assert_eq!(thumb.digital_id().as_deref(), Some("eyJ.digital.id"));
        assert_eq!(thumb.sb.as_deref(), Some(b"eyJ.jws.signature".as_slice()));
        assert_eq!(thumb.bdb.as_deref(), Some(b"FIR\x00020\x00 left thumb".as_slice()));
        let format = thumb.bdb_info.as_ref().unwrap().format.clone().unwrap();
        assert_eq!((format.organization.as_str(), format.kind.as_str()), ("Mosip", "7"));
        let missing = &cbeff.records[4];
        assert_eq!(missing.exception(), Some(true));
        assert_eq!(missing.bdb, None);
        assert_eq!(missing.other(KEY_EXCEPTION_KIND), Some("missing"));
        assert_eq!(
            missing.other(KEY_EXCEPTION_REASON),
            Some("amputated <in 2019> & healed")
        );
    }

    #[test]
    fn nothing_captured_is_fine() {
        let mut contents = sample();
        contents.biometrics.clear();
        contents.exceptions.clear();
        contents.documents.clear();
        contents.audit.clear();
        let (back, manifest) = PacketContents::from_bytes(&contents.to_bytes().unwrap()).unwrap();
        assert_eq!(back, contents);
        assert_eq!(manifest.entries.len(), 4);
    }

    #[test]
    fn a_document_must_be_what_it_claims() {
        let mut contents = sample();
        contents.documents[1].format = DocumentFormat::Png;
        let error = contents.to_bytes().unwrap_err();
        assert_eq!(error.code(), "document_invalid");
        assert!(error.to_string().contains("declared png"), "{error}");

        // The same check on reading: swap a PDF's bytes for a JPEG's (hash fixed up).
        let bytes = sample().to_bytes().unwrap();
        let swapped = replace_entry(&bytes, 3, b"\xff\xd8\xff\xe0 not a pdf");
        let (message, code) = error_of(&swapped);
        assert_eq!(code, "document_invalid", "{message}");

        let mut no_type = sample();
        no_type.documents[0].document_type = " ".into();
        assert_eq!(no_type.to_bytes().unwrap_err().code(), "document_invalid");
    }

    #[test]
    fn unsafe_names_and_bad_values_are_refused_when_writing() {
        for category in ["../etc", "", "POI/1", "a b", &"x".repeat(33)] {
            let mut contents = sample();
            contents.documents[0].category = category.to_string();
            let error = contents.to_bytes().unwrap_err();
            assert!(error.to_string().contains("category"), "{category:?}: {error}");
        }
        let mut not_iso = sample();
        not_iso.biometrics[0].data = b"\x89PNG\r\n\x1a\n".to_vec();
        assert!(not_iso
            .to_bytes()
            .unwrap_err()
            .to_string()
            .contains("not an ISO/IEC 19794 FAC record"));
        let mut quality = sample();
        quality.biometrics[1].quality = 101;
        assert!(quality.to_bytes().unwrap_err().to_string().contains("quality 101"));
        let mut position = sample();
        position.biometrics[1].position = "Left  Thumb".into();
        assert!(position.to_bytes().unwrap_err().to_string().contains("single spaces"));
        let mut no_reason = sample();
        no_reason.exceptions[0].reason = String::new();
        assert!(no_reason
            .to_bytes()
            .unwrap_err()
            .to_string()
            .contains("gives no reason"));
        let mut rejected = sample();
        rejected.meta.supervisor_decision = Some(SupervisorDecision::Rejected);
        assert!(rejected.to_bytes().unwrap_err().to_string().contains("must say why"));
        rejected.meta.supervisor_reason = Some("the photo is of someone else".into());
        assert!(rejected.to_bytes().is_ok());
        let mut nowhere = sample();
        nowhere.meta.gps = Some(GpsPosition {
            latitude: 91.0,
            longitude: 0.0,
            accuracy_m: None,
        });
        assert!(nowhere
            .to_bytes()
            .unwrap_err()
            .to_string()
            .contains("not a place on Earth"));
    }

    #[test]
    fn bad_prefix_is_rejected() {
        let bytes = sample().to_bytes().unwrap();
        assert!(contents_error(b"").contains("ends inside the container's magic"));
        assert!(contents_error(b"ENRP\x02\0\0\0\0").contains("does not start with \"ENRC\""));
        let mut old_version = bytes.clone();
        old_version[4] = 1;
        assert!(contents_error(&old_version).contains("container version 1"));
        assert!(contents_error(&bytes[..7]).contains("ends inside the manifest length"));
        let mut huge = bytes.clone();
        huge[5..9].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(contents_error(&huge).contains("more than the limit"));
        assert!(contents_error(&bytes[..20]).contains("ends inside the manifest"));
    }

    #[test]
    fn manifest_must_be_valid_and_match_entries() {
        let bytes = sample().to_bytes().unwrap();
        let (manifest, entries) = split(&bytes);
        let entries: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();

        let mut not_json = bytes.clone();
        not_json[9] = b'x';
        assert!(contents_error(&not_json).contains("manifest is not valid"));

        let mut edited = manifest.clone();
        edited["format_version"] = 3.into();
        assert!(contents_error(&assemble(&edited, &entries)).contains("format_version is 3"));

        let mut renamed = manifest.clone();
        renamed["entries"][3]["name"] = "documents/POI-1.png".into();
        assert!(contents_error(&assemble(&renamed, &entries)).contains("require exactly"));

        let mut missing = manifest.clone();
        missing["entries"].as_array_mut().unwrap().pop();
        assert!(contents_error(&assemble(&missing, &entries[..entries.len() - 1])).contains("require exactly"));

        let mut other_id = manifest.clone();
        other_id["registration_id"] = "someone-else".into();
        assert!(contents_error(&assemble(&other_id, &entries)).contains("meta.json names registration"));
    }

    #[test]
    fn every_entry_length_and_hash_is_checked() {
        let bytes = sample().to_bytes().unwrap();
        let (manifest, entries) = split(&bytes);
        let entries: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();

        for index in 0..entries.len() {
            let mut changed: Vec<Vec<u8>> = entries.iter().map(|e| e.to_vec()).collect();
            changed[index][0] ^= 1;
            let changed: Vec<&[u8]> = changed.iter().map(Vec::as_slice).collect();
            let message = contents_error(&assemble(&manifest, &changed));
            assert!(message.contains("has SHA-256"), "entry {index}: {message}");
        }

        let mut too_long = manifest.clone();
        too_long["entries"][6]["length"] = (entries[6].len() + 1).into();
        assert!(contents_error(&assemble(&too_long, &entries)).contains("ends inside entry audit.json"));

        let mut impossible = manifest.clone();
        impossible["entries"][0]["length"] = u64::MAX.into();
        assert!(contents_error(&assemble(&impossible, &entries)).contains("identity.json"));

        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(contents_error(&trailing).contains("1 unexpected bytes"));

        assert!(contents_error(&replace_entry(&bytes, 1, b"{}")).contains("meta.json is not valid"));
        assert!(contents_error(&replace_entry(&bytes, 6, b"{}")).contains("audit.json is not valid"));
        let (message, code) = error_of(&replace_entry(&bytes, 2, b"<BIR><BIR></BIR>"));
        assert_eq!(code, "cbeff_invalid", "{message}");
    }

    #[test]
    fn a_cbeff_this_station_did_not_write_is_refused() {
        let bytes = sample().to_bytes().unwrap();
        let (_, entries) = split(&bytes);
        let xml = String::from_utf8(entries[2].clone()).unwrap();
        // An extra `others` entry reads as CBEFF but is not what this station writes.
        let extra = xml.replacen(
            "<entry key=\"EXCEPTION\">false</entry>",
            "<entry key=\"EXCEPTION\">false</entry><entry key=\"SDK_SCORE\">0.0</entry>",
            1,
        );
        let (message, code) = error_of(&replace_entry(&bytes, 2, extra.as_bytes()));
        assert_eq!(code, "cbeff_invalid");
        assert!(message.contains("never writes"), "{message}");
        // A capture without a device payload.
        let no_payload = xml.replacen("<entry key=\"PAYLOAD\">", "<entry key=\"NOT_PAYLOAD\">", 1);
        let (message, _) = error_of(&replace_entry(&bytes, 2, no_payload.as_bytes()));
        assert!(message.contains("no PAYLOAD"), "{message}");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let valid = sample().to_bytes().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x454e_5243);
        for _ in 0..2000 {
            let mut bytes = valid.clone();
            match rng.gen_range(0..3) {
                0 => {
                    // A flip inside a manifest string is not covered by any hash (the
                    // envelope's AEAD protects it), so it may parse; it must never panic.
                    let at = rng.gen_range(0..bytes.len());
                    bytes[at] ^= 1 << rng.gen_range(0..8);
                    let _ = PacketContents::from_bytes(&bytes);
                }
                1 => {
                    // Cutting anything off loses bytes of the last entry.
                    bytes.truncate(rng.gen_range(0..bytes.len()));
                    assert_eq!(
                        PacketContents::from_bytes(&bytes).unwrap_err().code(),
                        "contents_invalid"
                    );
                }
                _ => {
                    let len = rng.gen_range(0..64);
                    bytes = (0..len).map(|_| rng.gen()).collect();
                    if rng.gen() {
                        bytes.splice(0..0, *b"ENRC\x02");
                    }
                    assert_eq!(
                        PacketContents::from_bytes(&bytes).unwrap_err().code(),
                        "contents_invalid"
                    );
                }
            }
        }
    }

    #[test]
    fn the_cbeff_entry_survives_random_damage_without_panicking() {
        let bytes = sample().to_bytes().unwrap();
        let (_, entries) = split(&bytes);
        let xml = entries[2].clone();
        let mut rng = rand::rngs::StdRng::seed_from_u64(19785);
        for _ in 0..3000 {
            let mut damaged = xml.clone();
            for _ in 0..rng.gen_range(1..4) {
                let at = rng.gen_range(0..damaged.len());
                damaged[at] = rng.gen_range(0x20..0x7f);
            }
            if rng.gen_bool(0.2) {
                damaged.truncate(rng.gen_range(0..damaged.len()));
            }
            if let Err(error) = Cbeff::from_xml(&damaged).and_then(|c| biometrics_from_cbeff(&c)) {
                assert!(["cbeff_invalid", "contents_invalid"].contains(&error.code()), "{error}");
            }
        }
    }
}
