//! What the vault holds for a registration the station can still read.
//!
//! - A draft: [`Draft`] as JSON: the identity typed so far and the face capture, if any.
//! - Pending approval: [`Finalized`]: the packet container (see `enroll_packet::contents`)
//!   as built at finalize, preceded by the station's Ed25519 signature over it, so that a
//!   changed row is caught before it is sealed.

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
