//! What the vault holds for a registration the station can still read.
//!
//! - A draft: [`Draft`] as JSON: the identity typed so far and the face capture, if any.
//! - Pending approval: the packet container (see `enroll_packet::contents`) as built at
//!   finalize ([`pending_container`]). The face is in it as an ISO/IEC 19794-5 record (image
//!   data type PNG) inside the CBEFF biometrics; [`face_preview`] gets the PNG back out.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::StationError;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Draft {
    pub identity: serde_json::Value,
    pub face: Option<FaceCaptured>,
    /// Fingers, irises, exceptions and sign-offs (absent in drafts saved before them).
    #[serde(default)]
    pub biometrics: crate::biometrics::BiometricsDraft,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaceCaptured {
    /// The PNG, standard base64.
    pub png: String,
    pub quality: u8,
    pub device: enroll_packet::DeviceIdentity,
    /// RFC 3339 time of capture (absent in drafts saved before it was recorded).
    #[serde(default)]
    pub captured_at: Option<String>,
}

impl FaceCaptured {
    pub fn png_bytes(&self) -> Result<Vec<u8>, StationError> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.png)
            .map_err(|_| StationError::corrupt("a stored face capture is not valid base64"))
    }
}

impl Draft {
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a draft is plain JSON values")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Draft, StationError> {
        serde_json::from_slice(bytes).map_err(|e| StationError::corrupt(format!("a stored draft does not parse: {e}")))
    }
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

/// The PNG inside a packet's face record, for the preview of a pending registration.
pub fn face_preview(record: &enroll_packet::BiometricRecord) -> Result<Vec<u8>, StationError> {
    let corrupt =
        |why: String| StationError::corrupt(format!("the face record of a finalized packet cannot be shown: {why}"));
    let parsed = enroll_devices::iso19794::Iso19794Record::parse(&record.data).map_err(|e| corrupt(e.to_string()))?;
    let image = &parsed.first().image;
    if image.format != enroll_devices::iso19794::ImageFormat::Png {
        return Err(corrupt(format!("its image is {:?}, not PNG", image.format)));
    }
    Ok(image.data.clone())
}

/// RFC 3339 to the capture date and time of an ISO/IEC 19794 record (UTC).
pub fn iso_capture_time(at: time::OffsetDateTime) -> enroll_devices::iso19794::CaptureDateTime {
    let utc = at.to_offset(time::UtcOffset::UTC);
    enroll_devices::iso19794::CaptureDateTime {
        year: u16::try_from(utc.year()).unwrap_or(0xffff),
        month: u8::from(utc.month()),
        day: utc.day(),
        hour: utc.hour(),
        minute: utc.minute(),
        second: utc.second(),
        millisecond: utc.millisecond(),
    }
}
