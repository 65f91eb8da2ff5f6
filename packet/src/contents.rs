//! What a packet holds, and its canonical plaintext form.
//!
//! Why this module exists: the register must be able to check that it received exactly what the
//! officer captured and the supervisor approved. So the plaintext that gets sealed is a small
//! self-describing container: a JSON manifest naming each entry with its length and SHA-256,
//! followed by the entries' bytes in manifest order. The manifest alone is enough to list a
//! packet (`enroll packet open`) and to find any entry without parsing the others.
//!
//! Layout: `"ENRC"` magic, `u8` version (1), `u32` big-endian manifest length, manifest JSON,
//! then the entries concatenated. Entries, in this order: `identity.json`, `meta.json`, and one
//! `biometrics/<modality>-<n>.<ext>` per biometric record, in the order of
//! [`PacketContents::biometrics`], where `<n>` counts the records of that modality from 1 and
//! `<ext>` follows the record's MIME format (see [`biometric_entry_name`]). The exact byte layout
//! is specified in `schemas/packet-envelope.md`.
//!
//! [`PacketContents::from_bytes`] is strict: it reads only this version, requires exactly the
//! entries the manifest's biometric list implies, in order, and rejects any length, hash,
//! identifier or trailing-byte inconsistency with [`PacketError::Contents`]. Every container
//! problem is `Contents` (never `Malformed`) because a container is only ever read after the
//! envelope around it decrypted and verified: a bad container means the sealing station wrote
//! it wrong, not that the file was damaged on the way.
//!
//! Deliberately absent: encryption, signatures and any knowledge of where packets are stored.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::PacketError;

/// The first four bytes of every plaintext container.
pub const CONTENTS_MAGIC: [u8; 4] = *b"ENRC";
/// The only container version this software writes and reads.
pub const CONTENTS_VERSION: u8 = 1;
/// Upper bound on the manifest's length. A real manifest is a few KiB; the bound keeps a
/// hostile length field from making the reader allocate or scan gigabytes.
pub const MAX_MANIFEST_LEN: u32 = 16 * 1024 * 1024;
/// Name of the identity document entry.
pub const IDENTITY_ENTRY: &str = "identity.json";
/// Name of the registration metadata entry.
pub const META_ENTRY: &str = "meta.json";

/// Fixed part of the container before the manifest: magic, version, manifest length.
const PREFIX_LEN: usize = 4 + 1 + 4;
/// Longest accepted modality name; entry names stay short and predictable.
const MAX_MODALITY_LEN: usize = 32;

/// Who made a capture: shown to the supervisor and recorded in the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIdentity {
    pub make: String,
    pub model: String,
    pub serial: String,
    /// True for simulated devices (training and tests). Never hidden from the register.
    pub simulated: bool,
}

/// One biometric capture as it goes into the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiometricRecord {
    /// "face", "finger", "iris". Becomes part of an entry name, so it must be 1 to 32 of
    /// `a-z`, `0-9`, `_`, `-`.
    pub modality: String,
    /// Sub-type, e.g. "Left Thumb"; empty for face.
    pub position: String,
    /// MIME type of `data`, e.g. "image/png" (ISO 19794 records come with a later issue).
    pub format: String,
    /// Quality score 0..=100.
    pub quality: u8,
    pub device: DeviceIdentity,
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// Registration metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Username of the supervisor who approved it (set at approval).
    pub supervisor: Option<String>,
    /// RFC 3339 timestamps.
    pub created_at: String,
    pub finalized_at: Option<String>,
    pub approved_at: Option<String>,
    pub software_version: String,
}

/// Everything a registration packet holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PacketContents {
    /// The identity document, following the configured ID schema.
    pub identity: serde_json::Value,
    pub biometrics: Vec<BiometricRecord>,
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
    /// Biometric record descriptions (without data), in the order of their entries.
    pub biometrics: Vec<BiometricRecord>,
}

/// The file extension of a biometric entry, from its record's MIME `format`:
/// `image/png` → `png`, `image/jpeg` → `jpg`, any format naming ISO/IEC 19794 (for example
/// `application/iso-19794-4`) → `iso`, anything else → `bin`. Matching ignores ASCII case.
pub fn extension_for_format(format: &str) -> &'static str {
    let format = format.trim().to_ascii_lowercase();
    match format.as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        other if other.contains("19794") => "iso",
        _ => "bin",
    }
}

/// The entry name of the `n`-th (counting from 1) record of `record.modality`:
/// `biometrics/<modality>-<n>.<ext>`.
pub fn biometric_entry_name(record: &BiometricRecord, n: usize) -> String {
    format!(
        "biometrics/{}-{n}.{}",
        record.modality,
        extension_for_format(&record.format)
    )
}

impl PacketContents {
    /// The canonical plaintext bytes (container described in the module docs).
    pub fn to_bytes(&self) -> Result<Vec<u8>, PacketError> {
        let identity = serde_json::to_vec(&self.identity)
            .map_err(|e| PacketError::Contents(format!("the identity document cannot be written as JSON: {e}")))?;
        let meta = serde_json::to_vec(&self.meta)
            .map_err(|e| PacketError::Contents(format!("the packet metadata cannot be written as JSON: {e}")))?;

        let names = expected_entry_names(&self.biometrics)?;
        let data: Vec<&[u8]> = [identity.as_slice(), meta.as_slice()]
            .into_iter()
            .chain(self.biometrics.iter().map(|record| record.data.as_slice()))
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
            // `data` is not serialized; leave it empty rather than copying every image.
            biometrics: self
                .biometrics
                .iter()
                .map(|record| BiometricRecord {
                    data: Vec::new(),
                    ..record.clone()
                })
                .collect(),
        };
        let manifest_json = serde_json::to_vec(&manifest)
            .map_err(|e| PacketError::Contents(format!("the manifest cannot be written as JSON: {e}")))?;
        let manifest_len = u32::try_from(manifest_json.len())
            .ok()
            .filter(|len| *len <= MAX_MANIFEST_LEN)
            .ok_or_else(|| {
                PacketError::Contents(format!(
                    "the manifest is {} bytes, more than the limit of {MAX_MANIFEST_LEN}; \
                     a packet cannot hold that many biometric records",
                    manifest_json.len()
                ))
            })?;

        let total = PREFIX_LEN + manifest_json.len() + data.iter().map(|d| d.len()).sum::<usize>();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&CONTENTS_MAGIC);
        out.push(CONTENTS_VERSION);
        out.extend_from_slice(&manifest_len.to_be_bytes());
        out.extend_from_slice(&manifest_json);
        for bytes in data {
            out.extend_from_slice(bytes);
        }
        Ok(out)
    }

    /// Parse and check a container: every entry's length and hash must match the manifest.
    pub fn from_bytes(bytes: &[u8]) -> Result<(PacketContents, PacketManifest), PacketError> {
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

        let expected_names = expected_entry_names(&manifest.biometrics)?;
        let found_names: Vec<&str> = manifest.entries.iter().map(|e| e.name.as_str()).collect();
        if found_names != expected_names {
            return Err(PacketError::Contents(format!(
                "the manifest lists the entries {found_names:?}, but its biometric records require exactly {expected_names:?}"
            )));
        }

        let mut entry_bytes: Vec<&[u8]> = Vec::with_capacity(manifest.entries.len());
        for entry in &manifest.entries {
            let claimed = usize::try_from(entry.length).map_err(|_| {
                PacketError::Contents(format!(
                    "entry {} claims an impossible length of {} bytes",
                    entry.name, entry.length
                ))
            })?;
            let data = reader.take(claimed, &format!("entry {}", entry.name))?;
            let actual = hex::encode(Sha256::digest(data));
            if entry.sha256 != actual {
                return Err(PacketError::Contents(format!(
                    "entry {} has SHA-256 {actual}, but the manifest says {}",
                    entry.name, entry.sha256
                )));
            }
            entry_bytes.push(data);
        }
        if reader.remaining() != 0 {
            return Err(PacketError::Contents(format!(
                "{} unexpected bytes follow the last entry",
                reader.remaining()
            )));
        }

        // The names were checked above, so the first two entries are identity and meta.
        let identity: serde_json::Value = serde_json::from_slice(entry_bytes[0])
            .map_err(|e| PacketError::Contents(format!("{IDENTITY_ENTRY} is not valid JSON: {e}")))?;
        let meta: PacketMeta = serde_json::from_slice(entry_bytes[1])
            .map_err(|e| PacketError::Contents(format!("{META_ENTRY} is not valid: {e}")))?;
        if meta.registration_id != manifest.registration_id || meta.station_id != manifest.station_id {
            return Err(PacketError::Contents(format!(
                "the manifest names registration {:?} from station {:?}, but {META_ENTRY} names registration {:?} from station {:?}",
                manifest.registration_id, manifest.station_id, meta.registration_id, meta.station_id
            )));
        }
        let biometrics = manifest
            .biometrics
            .iter()
            .zip(&entry_bytes[2..])
            .map(|(record, data)| BiometricRecord {
                data: data.to_vec(),
                ..record.clone()
            })
            .collect();

        Ok((
            PacketContents {
                identity,
                biometrics,
                meta,
            },
            manifest,
        ))
    }
}

/// The entry names a list of biometric records implies, after checking each record's modality
/// (it becomes part of a name) and quality.
fn expected_entry_names(biometrics: &[BiometricRecord]) -> Result<Vec<String>, PacketError> {
    let mut names = vec![IDENTITY_ENTRY.to_string(), META_ENTRY.to_string()];
    let mut seen_per_modality: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, record) in biometrics.iter().enumerate() {
        check_modality(&record.modality)
            .map_err(|why| PacketError::Contents(format!("biometric record {index}: {why}")))?;
        if record.quality > 100 {
            return Err(PacketError::Contents(format!(
                "biometric record {index} has quality {}, outside 0..=100",
                record.quality
            )));
        }
        let n = seen_per_modality.entry(record.modality.as_str()).or_insert(0);
        *n += 1;
        names.push(biometric_entry_name(record, *n));
    }
    Ok(names)
}

/// A modality becomes part of an entry name that tools may turn into a file path, so only a
/// short, plain name is accepted: no separators, dots, spaces or upper case.
fn check_modality(modality: &str) -> Result<(), String> {
    let plain = modality
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if modality.is_empty() || modality.len() > MAX_MODALITY_LEN || !plain {
        return Err(format!(
            "modality {modality:?} must be 1 to {MAX_MODALITY_LEN} characters of a-z, 0-9, '_' and '-'"
        ));
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

    fn record(modality: &str, position: &str, format: &str, data: &[u8]) -> BiometricRecord {
        BiometricRecord {
            modality: modality.into(),
            position: position.into(),
            format: format.into(),
            quality: 80,
            device: device(),
            data: data.to_vec(),
        }
    }

    fn sample() -> PacketContents {
        PacketContents {
            identity: serde_json::json!({"fullName": "Amina Diallo", "dateOfBirth": "1990-04-01"}),
            biometrics: vec![
                record("face", "", "image/png", b"\x89PNG fake face"),
                record("finger", "Left Thumb", "application/iso-19794-4", b"FIR\0 left thumb"),
                record("finger", "Right Thumb", "application/iso-19794-4", b"FIR\0 right thumb"),
                record("iris", "Left", "application/octet-stream", b""),
            ],
            meta: PacketMeta {
                registration_id: "10001-20250101-000001".into(),
                station_id: "ST-0001".into(),
                station_public_key: String::new(),
                center_id: "C-01".into(),
                officer: "officer1".into(),
                supervisor: Some("super1".into()),
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
        let mut out = b"ENRC\x01".to_vec();
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

    fn contents_error(bytes: &[u8]) -> String {
        match PacketContents::from_bytes(bytes) {
            Err(PacketError::Contents(message)) => message,
            other => panic!("expected a Contents error, got {other:?}"),
        }
    }

    #[test]
    fn round_trip_keeps_everything() {
        let contents = sample();
        let bytes = contents.to_bytes().unwrap();
        assert_eq!(&bytes[..5], b"ENRC\x01");
        let (back, manifest) = PacketContents::from_bytes(&bytes).unwrap();
        assert_eq!(back, contents);
        assert_eq!(manifest.registration_id, contents.meta.registration_id);
        assert!(manifest.biometrics.iter().all(|r| r.data.is_empty()));
        // Canonical: writing the parsed contents again gives the same bytes.
        assert_eq!(back.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn entry_names_follow_modality_count_and_format() {
        let bytes = sample().to_bytes().unwrap();
        let (_, manifest) = PacketContents::from_bytes(&bytes).unwrap();
        let names: Vec<&str> = manifest.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "identity.json",
                "meta.json",
                "biometrics/face-1.png",
                "biometrics/finger-1.iso",
                "biometrics/finger-2.iso",
                "biometrics/iris-1.bin"
            ]
        );
        assert_eq!(extension_for_format("image/JPEG"), "jpg");
        assert_eq!(
            manifest.entries[2].sha256,
            hex::encode(Sha256::digest(b"\x89PNG fake face"))
        );
    }

    #[test]
    fn no_biometrics_is_fine() {
        let mut contents = sample();
        contents.biometrics.clear();
        let (back, manifest) = PacketContents::from_bytes(&contents.to_bytes().unwrap()).unwrap();
        assert_eq!(back, contents);
        assert_eq!(manifest.entries.len(), 2);
    }

    #[test]
    fn unsafe_modality_is_refused_when_writing() {
        for modality in ["../etc", "Face", "", "finger/1", &"x".repeat(33)] {
            let mut contents = sample();
            contents.biometrics[0].modality = modality.to_string();
            match contents.to_bytes() {
                Err(PacketError::Contents(message)) => {
                    assert!(message.contains("modality"), "{message}")
                }
                other => panic!("modality {modality:?}: expected Contents, got {other:?}"),
            }
        }
    }

    #[test]
    fn bad_prefix_is_rejected() {
        let bytes = sample().to_bytes().unwrap();
        assert!(contents_error(b"").contains("ends inside the container's magic"));
        assert!(contents_error(b"ENRP\x01\0\0\0\0").contains("does not start with \"ENRC\""));
        let mut wrong_version = bytes.clone();
        wrong_version[4] = 2;
        assert!(contents_error(&wrong_version).contains("container version 2"));
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
        edited["format_version"] = 2.into();
        assert!(contents_error(&assemble(&edited, &entries)).contains("format_version is 2"));

        let mut renamed = manifest.clone();
        renamed["entries"][2]["name"] = "biometrics/face-1.jpg".into();
        assert!(contents_error(&assemble(&renamed, &entries)).contains("require exactly"));

        let mut missing = manifest.clone();
        missing["entries"].as_array_mut().unwrap().pop();
        assert!(contents_error(&assemble(&missing, &entries[..entries.len() - 1])).contains("require exactly"));

        let mut other_id = manifest.clone();
        other_id["registration_id"] = "someone-else".into();
        assert!(contents_error(&assemble(&other_id, &entries)).contains("meta.json names registration"));

        let mut bad_quality = manifest.clone();
        bad_quality["biometrics"][0]["quality"] = 101.into();
        assert!(contents_error(&assemble(&bad_quality, &entries)).contains("quality 101"));
    }

    #[test]
    fn every_entry_length_and_hash_is_checked() {
        let bytes = sample().to_bytes().unwrap();
        let (manifest, entries) = split(&bytes);
        let entries: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();

        // A flipped byte in any entry changes its hash.
        for index in 0..entries.len() {
            if entries[index].is_empty() {
                continue;
            }
            let mut changed: Vec<Vec<u8>> = entries.iter().map(|e| e.to_vec()).collect();
            changed[index][0] ^= 1;
            let changed: Vec<&[u8]> = changed.iter().map(Vec::as_slice).collect();
            let message = contents_error(&assemble(&manifest, &changed));
            assert!(message.contains("has SHA-256"), "entry {index}: {message}");
        }

        let mut too_long = manifest.clone();
        too_long["entries"][5]["length"] = 1.into();
        assert!(contents_error(&assemble(&too_long, &entries)).contains("ends inside entry biometrics/iris-1.bin"));

        let mut impossible = manifest.clone();
        impossible["entries"][0]["length"] = u64::MAX.into();
        assert!(contents_error(&assemble(&impossible, &entries)).contains("identity.json"));

        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(contents_error(&trailing).contains("1 unexpected bytes"));

        let mut bad_meta: Vec<&[u8]> = entries.clone();
        let not_meta = b"{}".to_vec();
        bad_meta[1] = &not_meta;
        let mut fixed = manifest.clone();
        fixed["entries"][1]["length"] = 2.into();
        fixed["entries"][1]["sha256"] = hex::encode(Sha256::digest(b"{}")).into();
        assert!(contents_error(&assemble(&fixed, &bad_meta)).contains("meta.json is not valid"));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let valid = sample().to_bytes().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x454e_5243);
        for _ in 0..2000 {
            let mut bytes = valid.clone();
            match rng.gen_range(0..3) {
                0 => {
                    // A flip inside a manifest string (say, a device serial) is not covered by
                    // any hash (the envelope's AEAD protects it), so it may parse; it must
                    // never panic or fail with anything but `Contents`.
                    let at = rng.gen_range(0..bytes.len());
                    bytes[at] ^= 1 << rng.gen_range(0..8);
                    if let Err(error) = PacketContents::from_bytes(&bytes) {
                        assert_eq!(error.code(), "contents_invalid", "{error}");
                    }
                }
                1 => {
                    // Cutting anything off loses bytes of the last non-empty entry.
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
                        bytes.splice(0..0, *b"ENRC\x01");
                    }
                    assert_eq!(
                        PacketContents::from_bytes(&bytes).unwrap_err().code(),
                        "contents_invalid"
                    );
                }
            }
        }
    }
}
