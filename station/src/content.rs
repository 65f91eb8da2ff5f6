//! What the vault holds for a registration the station can still read.
//!
//! - A draft: [`Draft`] as JSON: the identity typed so far and the biometrics captured so far
//!   (the face among them). Drafts saved before the face moved onto the capture model kept it
//!   in a `face` field of its own; [`Draft::from_bytes`] moves it into the biometrics, so no
//!   clerk loses a draft on upgrade.
//! - Pending approval: the packet container (see `enroll_packet::contents`) as built at
//!   finalize, sealed for the register at once ([`read_pending`]); its biometrics are read
//!   back by `biometrics::records::from_packet`.

use serde::{Deserialize, Serialize};

use crate::biometrics::draft::{StoredCapture, StoredData};
use crate::biometrics::{PolicyStep, Position};
use crate::StationError;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Draft {
    pub identity: serde_json::Value,
    /// Face, fingers, irises, exceptions and sign-offs (absent in drafts saved before them).
    #[serde(default)]
    pub biometrics: crate::biometrics::BiometricsDraft,
    /// The resident's consent, once given (absent in drafts saved before consent was asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<enroll_packet::ConsentRecord>,
    /// The wizard step the draft was left at, so that it reopens there (see `wizard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wizard_step: Option<crate::WizardStep>,
    /// The process, when not a new registration (absent in drafts saved before processes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<crate::ProcessView>,
    /// The documents attached, one per category (absent in drafts saved before documents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<crate::documents::DraftDocument>,
    /// The face as versions before the capture model kept it: read, never written.
    #[serde(default, rename = "face", skip_serializing)]
    legacy_face: Option<LegacyFace>,
}

/// The face capture of a draft saved by an earlier version.
#[derive(Debug, Clone, Deserialize)]
struct LegacyFace {
    /// The PNG, standard base64.
    png: String,
    quality: u8,
    device: enroll_packet::DeviceIdentity,
    /// RFC 3339 time of capture (absent in drafts saved before it was recorded).
    #[serde(default)]
    captured_at: Option<String>,
}

/// The resolution recorded for a face moved from an old draft: the older face camera was the
/// simulated one, which captures at 300 ppi. A face record does not carry it; it only keeps
/// the draft's capture in the shape every other pixel capture has.
const LEGACY_FACE_PPI: u16 = 300;

impl Draft {
    pub fn new(identity: serde_json::Value) -> Draft {
        Draft {
            identity,
            ..Draft::default()
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a draft is plain JSON values")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Draft, StationError> {
        let mut draft: Draft = serde_json::from_slice(bytes)
            .map_err(|e| StationError::corrupt(format!("a stored draft does not parse: {e}")))?;
        draft.migrate_legacy_face();
        Ok(draft)
    }

    /// An old draft's face becomes the face step's one attempt, as if the capture model had
    /// taken it. A face without its capture time is dropped instead (the clerk takes it again):
    /// the packet would otherwise state a time nobody recorded.
    fn migrate_legacy_face(&mut self) {
        let Some(face) = self.legacy_face.take() else {
            return;
        };
        if self.biometrics.captures.contains_key(&Position::Face) {
            return;
        }
        let Some(captured_at) = face.captured_at else {
            tracing::warn!("a draft's face from an earlier version has no capture time; it must be taken again");
            return;
        };
        let capture = StoredCapture {
            data: StoredData::Image {
                png: face.png,
                ppi: LEGACY_FACE_PPI,
                png_sha256: None,
            },
            quality: face.quality,
            // The older path scored the face with the station's own measure.
            quality_source: enroll_devices::QualitySource::Station,
            device: enroll_devices::DeviceInfo {
                make: face.device.make,
                model: face.device.model,
                serial: face.device.serial,
                simulated: face.device.simulated,
                ..Default::default()
            },
            signature: None,
            captured_at,
            attempt: 0,
        };
        self.biometrics
            .record_attempt(PolicyStep::Face, vec![(Position::Face, capture)]);
    }
}

/// The container of a pending registration, whichever form the vault holds it in: the packet
/// sealed at finalize (envelope version 2), read with the key the row keeps for it until the
/// review; or, in vaults written before that version, the container under its content key.
/// Damage is the vault's (`vault_corrupt`): these are the station's own bytes.
pub fn read_pending(
    vault: &enroll_store::Vault,
    registration_id: &str,
    data_key: &enroll_store::DataKey,
) -> Result<zeroize::Zeroizing<Vec<u8>>, StationError> {
    if let Some((pending, key)) = vault.pending_envelope(registration_id, data_key)? {
        return enroll_packet::open_pending(&pending, &key, registration_id)
            .map_err(|e| StationError::corrupt(format!("the pending packet of {registration_id} does not open: {e}")));
    }
    let stored = vault.registration_content(registration_id, data_key)?;
    Ok(zeroize::Zeroizing::new(pending_container(&stored)?.to_vec()))
}

/// The container of a pending registration, from what the vault holds for it: the container
/// itself, or, in vaults written before schema version 3, the station's Ed25519 signature
/// over it (64 bytes) followed by the container. That signature is not checked: the vault's
/// AES-GCM tag already proves the bytes are the station's (see `crate::packaging`).
pub fn pending_container(stored: &[u8]) -> Result<&[u8], StationError> {
    let magic = &enroll_packet::contents::CONTENTS_MAGIC[..];
    if stored.starts_with(magic) {
        return Ok(stored);
    }
    match stored.get(64..) {
        Some(container) if container.starts_with(magic) => Ok(container),
        _ => Err(StationError::corrupt(
            "a pending registration's stored packet is not a packet container",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A draft as the version before the capture model saved it, face and all.
    fn legacy_draft(captured_at: Option<&str>) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "identity": {"fullName": [{"language": "eng", "value": "Amina"}]},
            "face": {
                "png": "iVBORw0KGgo=",
                "quality": 93,
                "device": {"make": "Enroll", "model": "Face camera", "serial": "SIM-FACE-0001", "simulated": true},
                "captured_at": captured_at,
            },
            "biometrics": {"attempts": {"leftSlap": 2}},
        }))
        .unwrap()
    }

    #[test]
    fn a_legacy_drafts_face_becomes_the_face_steps_capture() {
        let draft = Draft::from_bytes(&legacy_draft(Some("2026-11-29T09:30:00Z"))).unwrap();
        let face = &draft.biometrics.captures[&Position::Face];
        assert_eq!(face.quality, 93);
        assert_eq!(face.captured_at, "2026-11-29T09:30:00Z");
        assert_eq!(face.attempt, 1);
        assert!(face.device.simulated && face.device.serial == "SIM-FACE-0001");
        assert_eq!(
            face.data,
            StoredData::Image {
                png: "iVBORw0KGgo=".into(),
                ppi: LEGACY_FACE_PPI,
                png_sha256: None,
            }
        );
        assert_eq!(draft.biometrics.attempts(PolicyStep::Face), 1);
        assert_eq!(draft.biometrics.attempts(PolicyStep::LeftSlap), 2, "the rest is kept");
        assert_eq!(draft.identity["fullName"][0]["value"], "Amina");
        let written: serde_json::Value = serde_json::from_slice(&draft.to_bytes()).unwrap();
        assert!(
            written.get("face").is_none(),
            "the old field is not written back: {written}"
        );
        assert!(written["biometrics"]["captures"].get("face").is_some());
        let again = Draft::from_bytes(&draft.to_bytes()).unwrap();
        assert_eq!(again.biometrics, draft.biometrics, "and reads back the same");
    }

    #[test]
    fn a_legacy_face_without_its_capture_time_is_taken_again_not_invented() {
        let draft = Draft::from_bytes(&legacy_draft(None)).unwrap();
        assert!(!draft.biometrics.captures.contains_key(&Position::Face));
        assert_eq!(draft.biometrics.attempts(PolicyStep::Face), 0);
        assert_eq!(draft.identity["fullName"][0]["value"], "Amina");
    }
}
