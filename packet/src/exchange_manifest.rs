//! The manifest of an export folder on removable media ("sneaker-net"): which sealed packets a
//! station wrote there, each with its length and SHA-256, signed by the station's request key.
//! The format is `schemas/exchange-media.md`; the folder around it is [`crate::exchange_media`].
//!
//! Why a manifest at all, when every envelope carries the station's signature: an envelope
//! proves itself, but not that it is all there was. The signed manifest lists every file the
//! station wrote, so a copy that stopped half-way, a file cut short or changed, or a packet taken
//! out is named before anything is imported.
//!
//! Why the request key signs it (and not the packet key): an export runs with nobody signed in,
//! as the sync does, and only the request key is usable then. The manifest carries the request
//! key with the packet key's proof for it ([`crate::signing::request_key_proof`]), so the
//! register checks both with the one key it trusts for the station, the registered packet key,
//! whether or not the station ever registered that request key online.
//!
//! Parsing is strict, because the bytes come off a stick that passed through many hands: unknown
//! fields are refused, sizes and counts are bounded, ids follow the intake's rules, and a
//! packet's file name is not free text but follows from its registration id
//! (`packets/<registration id>.envelope`), which must be a plain file name. So a manifest cannot
//! point outside its folder, and two ids cannot name one file on a case-insensitive file system
//! (FAT and exFAT, what sticks are formatted with).
//!
//! Deliberately absent: reading files (that is `exchange_media`), and deciding whose station a
//! manifest may speak for (the register and the station check that against what they hold).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::signing::EXPORT_MANIFEST_LABEL;
use crate::PacketError;

/// `kind` of a manifest: tells it apart from the other JSON files an admin may hold.
pub const MANIFEST_KIND: &str = "enroll-export-manifest";
/// The only manifest version this software reads and writes.
pub const MANIFEST_VERSION: u64 = 1;
/// The manifest's file name in its folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The signature's file name in its folder.
pub const SIGNATURE_FILE: &str = "manifest.sig";
/// The folder of the sealed packets.
pub const PACKETS_DIR: &str = "packets";
/// The folder of the register's receipts, written by whoever imports the packets.
pub const RECEIPTS_DIR: &str = "receipts";
/// Largest manifest read: 10,000 packets of the longest ids fit in well under this.
pub const MAX_MANIFEST_BYTES: u64 = 8 * 1024 * 1024;
/// Largest signature file read (88 characters of base64 and a line end are what is written).
pub const MAX_SIGNATURE_BYTES: u64 = 256;
/// Most packets one manifest lists; an export with more writes the rest next time.
pub const MAX_PACKETS: usize = 10_000;
/// Largest packet a manifest may list: twice the intake's default upload limit, and well below
/// FAT32's 4 GiB file limit.
pub const MAX_PACKET_BYTES: u64 = 1 << 30;
/// Longest station or registration id, as at the intake (`schemas/intake-api.md`).
pub const MAX_ID_LEN: usize = 128;

/// What the station decided on a packet (the review inside the envelope says it too; here it
/// is for people handling the media, and for the register's counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportDecision {
    Approved,
    Rejected,
}

/// One packet of a manifest, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestPacket {
    /// A plain file name as well as an id (see [`check_registration_id`]).
    pub registration_id: String,
    /// 1 to [`MAX_PACKET_BYTES`].
    pub length: u64,
    /// Lower-case hex SHA-256 of the envelope file.
    pub sha256: String,
    pub decision: ExportDecision,
}

impl ManifestPacket {
    /// The envelope's path inside the export folder, `/`-separated: `packets/<id>.envelope`.
    pub fn file(&self) -> String {
        packet_file(&self.registration_id)
    }

    /// The envelope's file name inside [`PACKETS_DIR`].
    pub fn file_name(&self) -> String {
        format!("{}.envelope", self.registration_id)
    }

    /// The receipt's file name inside [`RECEIPTS_DIR`].
    pub fn receipt_file_name(&self) -> String {
        format!("{}.json", self.registration_id)
    }
}

/// `packets/<registration id>.envelope`: the one file name a packet may have.
pub fn packet_file(registration_id: &str) -> String {
    format!("{PACKETS_DIR}/{registration_id}.envelope")
}

/// `receipts/<registration id>.json`.
pub fn receipt_file(registration_id: &str) -> String {
    format!("{RECEIPTS_DIR}/{registration_id}.json")
}

/// A manifest that passed every rule of [`ExchangeManifest::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeManifest {
    pub station_id: String,
    /// RFC 3339, when the export was written.
    pub created_at: String,
    /// The Ed25519 public key that signed the manifest: the station's request key.
    pub request_key: [u8; 32],
    /// The station's packet key vouching for `request_key` ([`crate::signing::request_key_proof`]).
    pub request_key_proof: [u8; 64],
    /// At least one; registration ids distinct, even ignoring case.
    pub packets: Vec<ManifestPacket>,
}

/// The manifest as it is on disk; field order is the order written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    kind: String,
    version: u64,
    station_id: String,
    created_at: String,
    request_key: String,
    request_key_proof: String,
    packets: Vec<PacketEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PacketEntry {
    registration_id: String,
    file: String,
    length: u64,
    sha256: String,
    decision: ExportDecision,
}

fn invalid(detail: impl Into<String>) -> PacketError {
    PacketError::Media {
        fault: MediaFault::ManifestInvalid,
        file: MANIFEST_FILE.to_owned(),
        detail: detail.into(),
    }
}

impl ExchangeManifest {
    /// Reads a manifest under every rule of `schemas/exchange-media.md` §2. Any failure is
    /// `media_manifest_invalid` naming `manifest.json`, with what was wrong.
    pub fn parse(bytes: &[u8]) -> Result<ExchangeManifest, PacketError> {
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(invalid(format!(
                "it is {} bytes; a manifest is at most {MAX_MANIFEST_BYTES}",
                bytes.len()
            )));
        }
        let file: ManifestFile = serde_json::from_slice(bytes)
            .map_err(|error| invalid(format!("it is not an export manifest this software reads ({error})")))?;
        if file.kind != MANIFEST_KIND {
            return Err(invalid(format!(
                "its kind is {:?}, not {MANIFEST_KIND:?}",
                truncated(&file.kind)
            )));
        }
        if file.version != MANIFEST_VERSION {
            return Err(invalid(format!(
                "it is version {}; this software reads version {MANIFEST_VERSION}",
                file.version
            )));
        }
        check_id("station_id", &file.station_id).map_err(invalid)?;
        time::OffsetDateTime::parse(&file.created_at, &time::format_description::well_known::Rfc3339)
            .map_err(|_| invalid("created_at is not an RFC 3339 time"))?;
        let request_key = crate::StationPublicKey::from_text(&file.request_key)
            .map_err(|error| invalid(format!("request_key: {error}")))?
            .0;
        let request_key_proof: [u8; 64] = BASE64
            .decode(&file.request_key_proof)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| invalid("request_key_proof is not 64 bytes in standard base64"))?;
        if file.packets.is_empty() || file.packets.len() > MAX_PACKETS {
            return Err(invalid(format!(
                "it lists {} packets; a manifest lists 1 to {MAX_PACKETS}",
                file.packets.len()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        let packets = file
            .packets
            .into_iter()
            .map(|entry| {
                check_registration_id(&entry.registration_id).map_err(invalid)?;
                let id = &entry.registration_id;
                if !seen.insert(id.to_ascii_lowercase()) {
                    return Err(invalid(format!(
                        "registration {id} is listed twice (ids that differ only in case name one file on a stick)"
                    )));
                }
                if entry.file != packet_file(id) {
                    return Err(invalid(format!(
                        "registration {id} names the file {:?}; its file is {:?}",
                        truncated(&entry.file),
                        packet_file(id)
                    )));
                }
                if entry.length == 0 || entry.length > MAX_PACKET_BYTES {
                    return Err(invalid(format!(
                        "registration {id} has a length of {} bytes; a packet is 1 to {MAX_PACKET_BYTES}",
                        entry.length
                    )));
                }
                if !is_sha256_hex(&entry.sha256) {
                    return Err(invalid(format!(
                        "registration {id}: sha256 must be 64 lower-case hex characters"
                    )));
                }
                Ok(ManifestPacket {
                    registration_id: entry.registration_id,
                    length: entry.length,
                    sha256: entry.sha256,
                    decision: entry.decision,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ExchangeManifest {
            station_id: file.station_id,
            created_at: file.created_at,
            request_key,
            request_key_proof,
            packets,
        })
    }

    /// The manifest's bytes as written: pretty JSON, fields in the documented order, ending
    /// with a line break. [`ExchangeManifest::parse`] of them gives the same manifest.
    pub fn to_bytes(&self) -> Vec<u8> {
        let file = ManifestFile {
            kind: MANIFEST_KIND.to_owned(),
            version: MANIFEST_VERSION,
            station_id: self.station_id.clone(),
            created_at: self.created_at.clone(),
            request_key: BASE64.encode(self.request_key),
            request_key_proof: BASE64.encode(self.request_key_proof),
            packets: self
                .packets
                .iter()
                .map(|packet| PacketEntry {
                    registration_id: packet.registration_id.clone(),
                    file: packet.file(),
                    length: packet.length,
                    sha256: packet.sha256.clone(),
                    decision: packet.decision,
                })
                .collect(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file).expect("strings and numbers always serialize");
        bytes.push(b'\n');
        bytes
    }

    /// The packet listed for `registration_id`, if any.
    pub fn packet(&self, registration_id: &str) -> Option<&ManifestPacket> {
        self.packets.iter().find(|p| p.registration_id == registration_id)
    }

    /// Checks the packet key's proof for the request key: that `packet_key` (the station's, as
    /// the register registered it) vouched for the key that signed this manifest. Failure is
    /// `media_signature_invalid` naming `manifest.sig`.
    pub fn check_request_key_proof(&self, packet_key: &[u8; 32]) -> Result<(), PacketError> {
        let packet_key = crate::signing::ed25519_public_key(packet_key, "station public key")?;
        crate::signing::verify_request_key_proof(
            &packet_key,
            &self.station_id,
            &self.request_key,
            &self.request_key_proof,
        )
        .map_err(|_| PacketError::Media {
            fault: MediaFault::SignatureInvalid,
            file: SIGNATURE_FILE.to_owned(),
            detail: format!(
                "the manifest is signed by a request key that the packet key of station '{}' did not vouch for; \
                     it was not written by that station",
                self.station_id
            ),
        })
    }
}

/// The message the request key signs for a manifest: [`EXPORT_MANIFEST_LABEL`] ‖ SHA-256 of the
/// manifest file's bytes, exactly as they are on the media.
pub fn manifest_signature_message(manifest_bytes: &[u8]) -> Vec<u8> {
    [EXPORT_MANIFEST_LABEL, Sha256::digest(manifest_bytes).as_slice()].concat()
}

/// The signature file's bytes for `manifest_bytes`: standard base64 of the 64-byte Ed25519
/// signature, and a line break.
pub fn sign_manifest(manifest_bytes: &[u8], request_key: &ed25519_dalek::SigningKey) -> Vec<u8> {
    let signature = request_key.sign(&manifest_signature_message(manifest_bytes));
    format!("{}\n", BASE64.encode(signature.to_bytes())).into_bytes()
}

/// Checks the signature file's bytes against the manifest's bytes and the request key the
/// manifest names (which [`ExchangeManifest::check_request_key_proof`] ties to the station).
/// Failure is `media_signature_invalid` naming `manifest.sig`.
pub fn verify_manifest_signature(
    manifest_bytes: &[u8],
    signature_file: &[u8],
    request_key: &[u8; 32],
) -> Result<(), PacketError> {
    let refused = |detail: &str| PacketError::Media {
        fault: MediaFault::SignatureInvalid,
        file: SIGNATURE_FILE.to_owned(),
        detail: detail.to_owned(),
    };
    if signature_file.len() as u64 > MAX_SIGNATURE_BYTES {
        return Err(refused("it is too long to be a signature"));
    }
    let text = std::str::from_utf8(signature_file).map_err(|_| refused("it is not text"))?;
    let signature: [u8; 64] = BASE64
        .decode(text.trim_end_matches(['\n', '\r']))
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| refused("it is not a 64-byte signature in standard base64"))?;
    let key = crate::signing::ed25519_public_key(request_key, "request key")?;
    key.verify_strict(
        &manifest_signature_message(manifest_bytes),
        &ed25519_dalek::Signature::from_bytes(&signature),
    )
    .map_err(|_| refused("the signature does not verify: manifest.json was changed after the station signed it"))
}

/// What is wrong with a file of an export folder. Each has a stable code
/// ([`MediaFault::code`]) that the station, the register and the CLI report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaFault {
    /// The folder has no manifest: an export that never finished, or a copy that stopped
    /// before the manifest (which is written last).
    Incomplete,
    /// The manifest is not one this software reads.
    ManifestInvalid,
    /// The manifest's signature does not verify, or is not the station's.
    SignatureInvalid,
    /// A file the manifest lists (or the signature) is not there.
    FileMissing,
    /// A file is shorter than the manifest says: a copy that stopped in the middle.
    FileTruncated,
    /// A file has other bytes than the manifest says (or more of them).
    FileChanged,
    /// Something in the folder that the station did not write: an unlisted file, a link, a
    /// folder where a file should be.
    FileUnexpected,
    /// A receipt in `receipts/` that is not readable or does not verify.
    ReceiptInvalid,
}

impl MediaFault {
    /// The stable code (snake_case, never renamed).
    pub fn code(self) -> &'static str {
        match self {
            MediaFault::Incomplete => "media_incomplete",
            MediaFault::ManifestInvalid => "media_manifest_invalid",
            MediaFault::SignatureInvalid => "media_signature_invalid",
            MediaFault::FileMissing => "media_file_missing",
            MediaFault::FileTruncated => "media_file_truncated",
            MediaFault::FileChanged => "media_file_changed",
            MediaFault::FileUnexpected => "media_file_unexpected",
            MediaFault::ReceiptInvalid => "media_receipt_invalid",
        }
    }
}

/// An id under the intake's rules (1 to 128 bytes, no control characters, no surrounding white
/// space); `what` names it in the error.
pub fn check_id(what: &str, id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID_LEN || id.trim() != id || id.chars().any(char::is_control) {
        return Err(format!(
            "{what} must be 1 to {MAX_ID_LEN} characters without control characters or surrounding spaces"
        ));
    }
    Ok(())
}

/// A registration id that is also a plain file name on every file system a stick may carry:
/// ASCII letters, digits, `-`, `_` and `.`, not starting with a dot. The station's ids are
/// digits; an id outside these rules cannot travel on removable media.
pub fn check_registration_id(id: &str) -> Result<(), String> {
    check_id("registration_id", id)?;
    let plain = id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !id.starts_with('.');
    if !plain {
        return Err(format!(
            "registration id {:?} is not a plain file name (ASCII letters, digits, '-', '_', '.', not starting with '.')",
            truncated(id)
        ));
    }
    Ok(())
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Keeps echoed input short in messages.
fn truncated(text: &str) -> String {
    const LIMIT: usize = 60;
    if text.chars().count() <= LIMIT {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(LIMIT).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[5; 32])
    }

    fn packet_key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[6; 32])
    }

    fn manifest() -> ExchangeManifest {
        let request_public = request_key().verifying_key().to_bytes();
        ExchangeManifest {
            station_id: "10007".into(),
            created_at: "2026-11-25T09:00:00Z".into(),
            request_key: request_public,
            request_key_proof: crate::signing::request_key_proof(&packet_key(), "10007", &request_public),
            packets: vec![
                ManifestPacket {
                    registration_id: "100011000700001202611250900001".into(),
                    length: 1234,
                    sha256: "ab".repeat(32),
                    decision: ExportDecision::Approved,
                },
                ManifestPacket {
                    registration_id: "100011000700002202611250900002".into(),
                    length: 99,
                    sha256: "cd".repeat(32),
                    decision: ExportDecision::Rejected,
                },
            ],
        }
    }

    fn json() -> serde_json::Value {
        serde_json::from_slice(&manifest().to_bytes()).unwrap()
    }

    fn refusal(value: &serde_json::Value) -> String {
        match ExchangeManifest::parse(value.to_string().as_bytes()) {
            Err(PacketError::Media {
                fault: MediaFault::ManifestInvalid,
                file,
                detail,
            }) => {
                assert_eq!(file, "manifest.json");
                detail
            }
            other => panic!("expected media_manifest_invalid for {value}, got {other:?}"),
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let bytes = manifest().to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with("{\n  \"kind\": \"enroll-export-manifest\",\n  \"version\": 1,"),
            "{text}"
        );
        assert!(text.contains("\"file\": \"packets/100011000700001202611250900001.envelope\""));
        assert!(text.contains("\"decision\": \"rejected\""));
        assert_eq!(ExchangeManifest::parse(&bytes).unwrap(), manifest());
        manifest()
            .check_request_key_proof(&packet_key().verifying_key().to_bytes())
            .unwrap();
    }

    #[test]
    fn unknown_fields_wrong_kinds_and_versions_are_refused() {
        let mut extra = json();
        extra["comment"] = "hello".into();
        assert!(refusal(&extra).contains("unknown field"));
        let mut extra_in_packet = json();
        extra_in_packet["packets"][0]["path"] = "../x".into();
        assert!(refusal(&extra_in_packet).contains("unknown field"));
        let mut kind = json();
        kind["kind"] = "enroll-station-public-key".into();
        assert!(refusal(&kind).contains("kind"));
        let mut version = json();
        version["version"] = 2.into();
        assert!(refusal(&version).contains("version 2"));
        let mut missing = json();
        missing.as_object_mut().unwrap().remove("request_key_proof");
        assert!(refusal(&missing).contains("request_key_proof"));
        let mut time = json();
        time["created_at"] = "yesterday".into();
        assert!(refusal(&time).contains("created_at"));
        let mut negative = json();
        negative["packets"][0]["length"] = (-1).into();
        refusal(&negative);
        let mut empty = json();
        empty["packets"] = serde_json::json!([]);
        assert!(refusal(&empty).contains("1 to 10000"));
        let duplicate_key = manifest().to_bytes();
        let text =
            String::from_utf8(duplicate_key)
                .unwrap()
                .replacen("\"version\": 1,", "\"version\": 1, \"version\": 1,", 1);
        assert!(ExchangeManifest::parse(text.as_bytes()).is_err(), "a field given twice");
    }

    #[test]
    fn file_names_follow_from_ids_and_stay_in_the_folder() {
        for (id, file) in [
            ("../../etc/passwd", "packets/../../etc/passwd.envelope"),
            ("/abs", "packets//abs.envelope"),
            (".hidden", "packets/.hidden.envelope"),
            ("a\\b", "packets/a\\b.envelope"),
            ("a b", "packets/a b.envelope"),
            ("é", "packets/é.envelope"),
        ] {
            let mut value = json();
            value["packets"][0]["registration_id"] = id.into();
            value["packets"][0]["file"] = file.into();
            assert!(refusal(&value).contains("plain file name"), "{id}");
        }
        let mut elsewhere = json();
        elsewhere["packets"][0]["file"] = "packets/100011000700002202611250900002.envelope".into();
        assert!(refusal(&elsewhere).contains("its file is"));
        let mut case = json();
        case["packets"][0]["registration_id"] = "R-a".into();
        case["packets"][0]["file"] = "packets/R-a.envelope".into();
        case["packets"][1]["registration_id"] = "r-A".into();
        case["packets"][1]["file"] = "packets/r-A.envelope".into();
        assert!(refusal(&case).contains("listed twice"));
    }

    #[test]
    fn sizes_hashes_and_keys_are_checked() {
        let mut zero = json();
        zero["packets"][0]["length"] = 0.into();
        assert!(refusal(&zero).contains("length"));
        let mut huge = json();
        huge["packets"][0]["length"] = (MAX_PACKET_BYTES + 1).into();
        assert!(refusal(&huge).contains("length"));
        let mut upper = json();
        upper["packets"][0]["sha256"] = "AB".repeat(32).into();
        assert!(refusal(&upper).contains("sha256"));
        let mut small_order = json();
        let mut identity = [0u8; 32];
        identity[0] = 1;
        small_order["request_key"] = BASE64.encode(identity).into();
        assert!(refusal(&small_order).contains("request_key"));
        let mut station = json();
        station["station_id"] = " 10007".into();
        assert!(refusal(&station).contains("station_id"));
        let big = vec![b' '; MAX_MANIFEST_BYTES as usize + 1];
        assert!(ExchangeManifest::parse(&big).is_err());
    }

    #[test]
    fn the_signature_covers_every_byte_and_the_proof_names_the_station() {
        let bytes = manifest().to_bytes();
        let signature = sign_manifest(&bytes, &request_key());
        let key = request_key().verifying_key().to_bytes();
        verify_manifest_signature(&bytes, &signature, &key).unwrap();
        let mut changed = bytes.clone();
        changed[40] ^= 1;
        let error = verify_manifest_signature(&changed, &signature, &key).unwrap_err();
        assert_eq!(error.code(), "media_signature_invalid");
        assert!(error.to_string().starts_with("manifest.sig: "), "{error}");
        let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32])
            .verifying_key()
            .to_bytes();
        assert!(verify_manifest_signature(&bytes, &signature, &other).is_err());
        for garbage in [&b""[..], b"not base64\n", &[0xff; 300]] {
            assert_eq!(
                verify_manifest_signature(&bytes, garbage, &key).unwrap_err().code(),
                "media_signature_invalid"
            );
        }
        // The label keeps it apart from everything else a station key signs.
        assert!(manifest_signature_message(&bytes).starts_with(b"enroll-export-manifest-v1"));

        // Another station's packet key did not vouch for this request key.
        let stranger = ed25519_dalek::SigningKey::from_bytes(&[8; 32])
            .verifying_key()
            .to_bytes();
        assert_eq!(
            manifest().check_request_key_proof(&stranger).unwrap_err().code(),
            "media_signature_invalid"
        );
        // A proof for another station id does not carry over.
        let mut renamed = manifest();
        renamed.station_id = "10008".into();
        assert!(renamed
            .check_request_key_proof(&packet_key().verifying_key().to_bytes())
            .is_err());
    }
}
