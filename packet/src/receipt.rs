//! The register's receipt: proof that a packet arrived whole. A station deletes nothing
//! before a receipt verifies against the pinned register signing key.
//!
//! The signed message is [`RECEIPT_SIGNATURE_LABEL`] followed by the receipt's canonical JSON,
//! `serde_json::to_vec(&receipt)`: compact, fields in the order declared on [`Receipt`], strings
//! escaped as `serde_json` escapes them. The label keeps a register signature on a receipt from
//! ever counting as one on anything else the register key might sign.
//! Verification re-serializes the parsed receipt rather than keeping the bytes that were sent,
//! so any change to any field (or a receipt rebuilt by a different serializer that disagrees on
//! the canonical form) fails to verify instead of being silently accepted.
//!
//! Deliberately absent: deciding what a verified receipt allows (that is the `store`'s
//! retention rule), and checking that the receipt names the packet the station sent (the
//! caller compares `envelope_sha256` with its own hash of the envelope).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};

use crate::signing::RECEIPT_SIGNATURE_LABEL;
use crate::PacketError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub registration_id: String,
    pub station_id: String,
    /// Lower-case hex SHA-256 of the complete envelope bytes as received.
    pub envelope_sha256: String,
    /// RFC 3339.
    pub received_at: String,
    /// The register's reference for this packet (the upload id).
    pub intake_reference: String,
}

/// A receipt with the register's Ed25519 signature over [`Receipt::signed_message`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReceipt {
    pub receipt: Receipt,
    /// Base64 (standard) Ed25519 signature.
    pub signature: String,
}

impl Receipt {
    /// The receipt's canonical JSON (see module docs).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a struct of strings always serializes")
    }

    /// The exact bytes the register signs: [`RECEIPT_SIGNATURE_LABEL`] ‖ [`Receipt::canonical_bytes`].
    pub fn signed_message(&self) -> Vec<u8> {
        [RECEIPT_SIGNATURE_LABEL, &self.canonical_bytes()].concat()
    }
}

impl SignedReceipt {
    pub fn sign(receipt: Receipt, register_signing_key: &ed25519_dalek::SigningKey) -> SignedReceipt {
        let signature = register_signing_key.sign(&receipt.signed_message());
        SignedReceipt {
            receipt,
            signature: BASE64.encode(signature.to_bytes()),
        }
    }

    /// Check the signature with the register signing key pinned at onboarding. Any problem with
    /// the signature itself is [`PacketError::BadReceipt`]; a pinned key that is not a usable
    /// Ed25519 public key (not a point, not canonical, of small order) is
    /// [`PacketError::BadKey`], because no receipt could honestly verify with it.
    pub fn verify(&self, register_signing_public: &[u8; 32]) -> Result<(), PacketError> {
        let verifying_key = crate::signing::ed25519_public_key(register_signing_public, "pinned register signing key")?;
        let signature_bytes: [u8; 64] = BASE64
            .decode(self.signature.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(PacketError::BadReceipt)?;
        let signature = ed25519_dalek::Signature::from_bytes(&signature_bytes);
        // `verify_strict` also refuses weak (small-order) keys and non-canonical signatures,
        // so one receipt has exactly one valid signature encoding.
        verifying_key
            .verify_strict(&self.receipt.signed_message(), &signature)
            .map_err(|_| PacketError::BadReceipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt() -> Receipt {
        Receipt {
            registration_id: "10001-20250101-000001".into(),
            station_id: "ST-0001".into(),
            envelope_sha256: "ab".repeat(32),
            received_at: "2025-01-01T10:05:00Z".into(),
            intake_reference: "upload-7".into(),
        }
    }

    #[test]
    fn signed_receipt_verifies_with_the_register_key() {
        let register = crate::RegisterKeyPair::generate();
        let signed = SignedReceipt::sign(receipt(), &register.signing_key);
        signed.verify(&register.public_keys().signing_public).unwrap();
        // The JSON form travels over HTTP and back.
        let back: SignedReceipt = serde_json::from_str(&serde_json::to_string(&signed).unwrap()).unwrap();
        back.verify(&register.public_keys().signing_public).unwrap();
    }

    #[test]
    fn canonical_bytes_are_compact_json_in_declared_order() {
        let text = String::from_utf8(receipt().canonical_bytes()).unwrap();
        assert!(text
            .starts_with(r#"{"registration_id":"10001-20250101-000001","station_id":"ST-0001","envelope_sha256":""#));
        assert!(text.ends_with(r#""received_at":"2025-01-01T10:05:00Z","intake_reference":"upload-7"}"#));
    }

    #[test]
    fn the_signature_covers_the_label_and_not_the_bare_json() {
        let register = crate::RegisterKeyPair::generate();
        let signed = SignedReceipt::sign(receipt(), &register.signing_key);
        let message = signed.receipt.signed_message();
        assert!(message.starts_with(b"enroll-receipt-v1 signature{\"registration_id\""));
        let signature = ed25519_dalek::Signature::from_slice(&BASE64.decode(&signed.signature).unwrap()).unwrap();
        let public = register.signing_key.verifying_key();
        public.verify_strict(&message, &signature).unwrap();
        // A signature over the bare JSON (what receipts were before the label) does not verify.
        let unlabelled = SignedReceipt {
            signature: BASE64.encode(register.signing_key.sign(&signed.receipt.canonical_bytes()).to_bytes()),
            ..signed.clone()
        };
        assert!(matches!(
            unlabelled.verify(&public.to_bytes()),
            Err(PacketError::BadReceipt)
        ));
    }

    #[test]
    fn any_changed_field_fails() {
        let register = crate::RegisterKeyPair::generate();
        let public = register.public_keys().signing_public;
        let signed = SignedReceipt::sign(receipt(), &register.signing_key);
        let edits: [fn(&mut Receipt); 5] = [
            |r| r.registration_id.push('2'),
            |r| r.station_id = "ST-0002".into(),
            |r| r.envelope_sha256 = "cd".repeat(32),
            |r| r.received_at = "2025-01-02T10:05:00Z".into(),
            |r| r.intake_reference.clear(),
        ];
        for edit in edits {
            let mut tampered = signed.clone();
            edit(&mut tampered.receipt);
            assert!(matches!(tampered.verify(&public), Err(PacketError::BadReceipt)));
        }
    }

    #[test]
    fn wrong_key_and_garbled_signature_fail() {
        let register = crate::RegisterKeyPair::generate();
        let signed = SignedReceipt::sign(receipt(), &register.signing_key);
        let other = crate::RegisterKeyPair::generate().public_keys().signing_public;
        assert!(matches!(signed.verify(&other), Err(PacketError::BadReceipt)));

        let public = register.public_keys().signing_public;
        for signature in ["", "not base64!", &BASE64.encode([0u8; 63]), &BASE64.encode([0u8; 64])] {
            let garbled = SignedReceipt {
                signature: signature.to_string(),
                ..signed.clone()
            };
            assert!(
                matches!(garbled.verify(&public), Err(PacketError::BadReceipt)),
                "{signature:?}"
            );
        }
        let mut flipped = BASE64.decode(&signed.signature).unwrap();
        flipped[10] ^= 0x01;
        let garbled = SignedReceipt {
            signature: BASE64.encode(flipped),
            ..signed.clone()
        };
        assert!(matches!(garbled.verify(&public), Err(PacketError::BadReceipt)));
    }

    #[test]
    fn a_pinned_key_that_is_not_a_point_is_bad_key() {
        let register = crate::RegisterKeyPair::generate();
        let signed = SignedReceipt::sign(receipt(), &register.signing_key);
        // Find 32 bytes that do not decompress to a curve point (about half of all values).
        let not_a_point = (0u8..=255)
            .map(|b| [b; 32])
            .find(|bytes| ed25519_dalek::VerifyingKey::from_bytes(bytes).is_err())
            .expect("some constant byte string is not a point");
        assert_eq!(signed.verify(&not_a_point).unwrap_err().code(), "bad_key");
    }
}
