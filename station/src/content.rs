//! What the vault holds for a registration the station can still read.
//!
//! - A draft: [`Draft`] as JSON: the identity typed so far and the face capture, if any.
//! - Pending approval: [`Finalized`]: the packet container (see `enroll_packet::contents`)
//!   as built at finalize, preceded by the station's Ed25519 signature over it, so that a
//!   changed row is caught before it is sealed. The face is in it as an ISO/IEC 19794-5 record
//!   (image data type PNG) inside the CBEFF biometrics; [`face_preview`] gets the PNG back out.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::StationError;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Draft {
    pub identity: serde_json::Value,
    pub face: Option<FaceCaptured>,
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
            .map_err(|_| StationError::Vault {
                code: "vault_corrupt",
                message: "a stored face capture is not valid base64".into(),
            })
    }
}

impl Draft {
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a draft is plain JSON values")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Draft, StationError> {
        serde_json::from_slice(bytes).map_err(|e| StationError::Vault {
            code: "vault_corrupt",
            message: format!("a stored draft does not parse: {e}"),
        })
    }
}

/// `signature (64) || container`.
pub struct Finalized {
    pub signature: [u8; 64],
    pub container: Vec<u8>,
}

impl Finalized {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(64 + self.container.len());
        bytes.extend_from_slice(&self.signature);
        bytes.extend_from_slice(&self.container);
        bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Finalized, StationError> {
        if bytes.len() < 64 {
            return Err(StationError::Vault {
                code: "vault_corrupt",
                message: "a finalized packet is too short".into(),
            });
        }
        let (signature, container) = bytes.split_at(64);
        Ok(Finalized {
            signature: signature.try_into().expect("split at 64"),
            container: container.to_vec(),
        })
    }
}

/// The PNG inside a packet's face record, for the preview of a pending registration.
pub fn face_preview(record: &enroll_packet::BiometricRecord) -> Result<Vec<u8>, StationError> {
    let corrupt = |why: String| StationError::Vault {
        code: "vault_corrupt",
        message: format!("the face record of a finalized packet cannot be shown: {why}"),
    };
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
