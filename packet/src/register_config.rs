//! Configuration the register sends down to its stations: the offline limits, the capture
//! policy, the form (ID schema and layout), the master data, the operator list, and the
//! rotations of the register's own keys. Each document is signed by the register's signing key
//! (the one stations pinned, which signs receipts), versioned, and fetched as a delta
//! (`schemas/intake-api.md` §"Configuration").
//!
//! A key rotation ([`KeyRotation`], kind `register_keys`) is the one document signed by the key
//! it retires: a station that pinned that key verifies it, then pins the new pair and verifies
//! every later document with it. The register keeps every rotation it made, so a station that
//! slept through two rotations follows the chain; every other kind has only its latest.
//!
//! Wire form: `{"payload": "<JSON text>", "signature": "<base64 Ed25519>"}`. The signature is
//! over [`CONFIG_SIGNATURE_LABEL`] ‖ SHA-256(payload bytes), so what is verified is exactly the
//! bytes that are then parsed: no canonical JSON to agree on. The payload is
//! `{"kind", "version", "published_at", "document"}`; `version` is the register's one counter
//! across kinds (a station asks for what is newer than the highest it holds), and a station
//! takes a document only with a version above the one it holds of that kind.
//!
//! Deliberately absent: what a document of each kind must hold (the station checks that with
//! the crate that owns the kind: `enroll_schemas` for schemas and policies) and where documents
//! are kept (the intake's folder, the station's vault).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::signing::CONFIG_SIGNATURE_LABEL;
use crate::{PacketError, RegisterPublicKeys};

/// The largest payload a station reads (an ID schema with its labels in three languages is
/// tens of kilobytes; master data with every locality of a country a few megabytes).
pub const MAX_PAYLOAD_BYTES: usize = 8 * 1024 * 1024;

/// What a document configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigKind {
    /// How long and how far a station may work without the register.
    OfflineLimits,
    /// Which biometrics a registration takes and how good they must be.
    CapturePolicy,
    /// The form: the country's ID schema (MOSIP format) and the layout over it, together
    /// (`{"id_schema", "ui_spec"}`), because each is checked against the other.
    Form,
    /// Lists the forms choose from: locations, document types, rejection reasons.
    MasterData,
    /// Who may work at the register's stations, and in which role.
    Operators,
    /// A rotation of the register's keys ([`KeyRotation`]), signed by the pair it replaces.
    RegisterKeys,
}

impl ConfigKind {
    pub const ALL: [ConfigKind; 6] = [
        ConfigKind::OfflineLimits,
        ConfigKind::CapturePolicy,
        ConfigKind::Form,
        ConfigKind::MasterData,
        ConfigKind::Operators,
        ConfigKind::RegisterKeys,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKind::OfflineLimits => "offline_limits",
            ConfigKind::CapturePolicy => "capture_policy",
            ConfigKind::Form => "form",
            ConfigKind::MasterData => "master_data",
            ConfigKind::Operators => "operators",
            ConfigKind::RegisterKeys => "register_keys",
        }
    }

    pub fn parse(text: &str) -> Option<ConfigKind> {
        ConfigKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One document as the register published it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigDocument {
    pub kind: ConfigKind,
    /// At least 1; above every version the register published before, of any kind.
    pub version: u64,
    /// RFC 3339.
    pub published_at: String,
    pub document: serde_json::Value,
}

/// A document with the register's signature, as the intake serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedConfig {
    /// The [`ConfigDocument`]'s JSON text, exactly as signed.
    pub payload: String,
    /// Base64 (standard) Ed25519 signature over [`signed_message`] of the payload.
    pub signature: String,
}

/// The bytes the register signs for a payload.
pub fn signed_message(payload: &[u8]) -> Vec<u8> {
    [CONFIG_SIGNATURE_LABEL, Sha256::digest(payload).as_slice()].concat()
}

fn invalid(detail: impl Into<String>) -> PacketError {
    PacketError::ConfigInvalid(detail.into())
}

impl SignedConfig {
    /// The register signs `document` (its version and time set by the publisher).
    pub fn sign(document: &ConfigDocument, register_signing_key: &ed25519_dalek::SigningKey) -> SignedConfig {
        let payload = serde_json::to_string(document).expect("a document of JSON values always serializes");
        let signature = register_signing_key.sign(&signed_message(payload.as_bytes()));
        SignedConfig {
            payload,
            signature: BASE64.encode(signature.to_bytes()),
        }
    }

    /// Check the signature with the register signing key pinned at onboarding, then read the
    /// payload strictly: a known kind, a version of at least 1, no unknown field. Nothing of
    /// an unsigned or changed payload is read.
    pub fn verify(&self, register_signing_public: &[u8; 32]) -> Result<ConfigDocument, PacketError> {
        if self.payload.len() > MAX_PAYLOAD_BYTES {
            return Err(invalid(format!(
                "a configuration document is {} bytes; at most {MAX_PAYLOAD_BYTES} are read",
                self.payload.len()
            )));
        }
        let verifying_key = crate::signing::ed25519_public_key(register_signing_public, "pinned register signing key")?;
        let signature: [u8; 64] = BASE64
            .decode(self.signature.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| invalid("the configuration's signature is not 64 bytes of base64"))?;
        verifying_key
            .verify_strict(
                &signed_message(self.payload.as_bytes()),
                &ed25519_dalek::Signature::from_bytes(&signature),
            )
            .map_err(|_| invalid("the configuration's signature does not verify against the pinned register key"))?;
        let document: ConfigDocument = serde_json::from_str(&self.payload)
            .map_err(|error| invalid(format!("the signed configuration does not parse: {error}")))?;
        if document.version == 0 {
            return Err(invalid("a configuration's version starts at 1"));
        }
        Ok(document)
    }
}

/// The document of a `register_keys` rotation: the register's keys from now on, and the keys
/// they replace (whose signing key signs the document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRotation {
    pub keys: RegisterPublicKeys,
    pub replaces: RegisterPublicKeys,
}

impl KeyRotation {
    /// Reads a rotation's document strictly: both pairs valid keys, and every key new (a
    /// rotation that keeps a key rotates nothing, and one half-kept would pair a retired
    /// encryption key with a new signing key).
    pub fn from_value(document: &serde_json::Value) -> Result<KeyRotation, PacketError> {
        let rotation: KeyRotation = serde_json::from_value(document.clone()).map_err(|error| {
            invalid(format!(
                "a register_keys document is {{\"keys\": {{\"encryption_public\", \"signing_public\"}}, \"replaces\": {{…}}}}: {error}"
            ))
        })?;
        for (pair, name) in [(&rotation.keys, "keys"), (&rotation.replaces, "replaces")] {
            crate::signing::ed25519_public_key(&pair.signing_public, name)?;
        }
        if rotation.keys.signing_public == rotation.replaces.signing_public
            || rotation.keys.encryption_public == rotation.replaces.encryption_public
        {
            return Err(invalid(
                "a key rotation must replace both register keys; this one keeps one of them",
            ));
        }
        Ok(rotation)
    }

    /// The document's JSON value.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("public keys always serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RegisterKeyPair;

    fn limits(version: u64) -> ConfigDocument {
        ConfigDocument {
            kind: ConfigKind::OfflineLimits,
            version,
            published_at: "2026-12-01T10:00:00Z".into(),
            document: serde_json::json!({"max_days_since_sync": 7}),
        }
    }

    #[test]
    fn a_signed_document_verifies_with_the_register_key_and_nothing_else() {
        let register = RegisterKeyPair::generate();
        let signed = SignedConfig::sign(&limits(3), &register.signing_key);
        assert_eq!(
            signed.verify(&register.public_keys().signing_public).unwrap(),
            limits(3)
        );

        let other = RegisterKeyPair::generate();
        let error = signed.verify(&other.public_keys().signing_public).unwrap_err();
        assert_eq!(error.code(), "config_invalid");

        let changed = SignedConfig {
            payload: signed.payload.replace("7", "70"),
            ..signed.clone()
        };
        assert!(changed
            .verify(&register.public_keys().signing_public)
            .unwrap_err()
            .to_string()
            .contains("does not verify"));
        let unsigned = SignedConfig {
            signature: String::new(),
            ..signed
        };
        assert!(unsigned.verify(&register.public_keys().signing_public).is_err());
    }

    #[test]
    fn a_payload_is_read_strictly_once_its_signature_holds() {
        let register = RegisterKeyPair::generate();
        let key = register.public_keys().signing_public;
        let sign = |payload: &str| SignedConfig {
            payload: payload.to_string(),
            signature: BASE64.encode(
                register
                    .signing_key
                    .sign(&signed_message(payload.as_bytes()))
                    .to_bytes(),
            ),
        };
        for (payload, why) in [
            (
                r#"{"kind":"offline_limits","version":0,"published_at":"t","document":{}}"#,
                "version",
            ),
            (
                r#"{"kind":"firmware","version":1,"published_at":"t","document":{}}"#,
                "parse",
            ),
            (
                r#"{"kind":"offline_limits","version":1,"published_at":"t","document":{},"x":1}"#,
                "parse",
            ),
            ("not json", "parse"),
        ] {
            let error = sign(payload).verify(&key).unwrap_err();
            assert!(error.to_string().contains(why), "{payload}: {error}");
        }
    }

    #[test]
    fn the_signed_message_is_the_label_and_the_payloads_hash() {
        let message = signed_message(b"{}");
        assert!(message.starts_with(b"enroll-config-v1"));
        assert_eq!(
            &message[CONFIG_SIGNATURE_LABEL.len()..],
            Sha256::digest(b"{}").as_slice()
        );
        assert_eq!(ConfigKind::parse("form"), Some(ConfigKind::Form));
        assert_eq!(ConfigKind::parse("FORM"), None);
        for kind in ConfigKind::ALL {
            assert_eq!(ConfigKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn a_rotation_names_two_whole_new_pairs() {
        let old = RegisterKeyPair::generate().public_keys();
        let new = RegisterKeyPair::generate().public_keys();
        let rotation = KeyRotation {
            keys: new.clone(),
            replaces: old.clone(),
        };
        assert_eq!(KeyRotation::from_value(&rotation.to_value()).unwrap(), rotation);

        let half = KeyRotation {
            keys: RegisterPublicKeys {
                signing_public: old.signing_public,
                ..new.clone()
            },
            replaces: old.clone(),
        };
        let error = KeyRotation::from_value(&half.to_value()).unwrap_err();
        assert!(error.to_string().contains("keeps one"), "{error}");

        let mut extra = rotation.to_value();
        extra["note"] = serde_json::json!("x");
        assert_eq!(KeyRotation::from_value(&extra).unwrap_err().code(), "config_invalid");
        assert!(KeyRotation::from_value(&serde_json::json!({"keys": {}})).is_err());
    }
}
