//! What the station and register keys sign, and how their Ed25519 public keys are checked.
//!
//! Why this module exists: one key signs several kinds of message (the station key signs
//! envelopes and the heads of its audit chain; the register key signs receipts). If two kinds
//! could ever be the same bytes, a signature on one would be a valid signature on the other. So
//! every signed message starts with a label of its own, and no label is a prefix of another
//! (`every_label_is_distinct_and_none_is_a_prefix_of_another` below), which makes the kinds
//! disjoint whatever follows the label. `schemas/packet-envelope.md` §4.3 lists them.
//!
//! The second job is the rule for an Ed25519 public key that is handed to us (a station key at
//! the intake or on the command line, a pinned register key): it must be the canonical encoding
//! of a curve point that is not of small order. ed25519-dalek's `verify_strict` refuses
//! small-order keys too, but only as "the signature does not verify" and it accepts
//! non-canonical encodings; checking the key first names the real problem (`bad_key`), and the
//! intake refuses such a key when a station registers instead of at every upload.
//!
//! Deliberately absent: the audit chain's own code (it is the `store` crate's; its label is
//! listed here only so that the distinctness test covers it).

use crate::PacketError;

/// Prefix of the message a station signs for an envelope: `label ‖ SHA-256(header ‖ body)`.
pub const ENVELOPE_SIGNATURE_LABEL: &[u8] = b"enroll-envelope-v1 signature";

/// Prefix of the message a station signs for a reviewed (version 2) envelope:
/// `label ‖ SHA-256(header ‖ body ‖ review length ‖ review)` (`crate::reviewed`).
pub const REVIEWED_ENVELOPE_SIGNATURE_LABEL: &[u8] = b"enroll-envelope-v2 signature";

/// Prefix of the message the register signs for a receipt: `label ‖ canonical receipt JSON`.
pub const RECEIPT_SIGNATURE_LABEL: &[u8] = b"enroll-receipt-v1 signature";

/// Prefix of the message a station signs for the head of its audit chain:
/// `label ‖ sequence u64 ‖ event hash` (`store/src/audit.rs`, `SIGNATURE_DOMAIN`, whose own
/// test pins the same bytes).
pub const AUDIT_HEAD_SIGNATURE_LABEL: &[u8] = b"enroll-audit-head-v1";

/// Prefix of the message a station's packet key signs to vouch for its request key (the key
/// that signs its HTTP requests, `crate::request_signature`):
/// `label ‖ u32 BE length of the station id ‖ station id ‖ request public key` ([`request_key_proof`]).
pub const REQUEST_KEY_LABEL: &[u8] = b"enroll-request-key-v1";

/// Prefix of the message a station's request key signs for the manifest of an export on
/// removable media: `label ‖ SHA-256(manifest.json)` (`crate::exchange_manifest`). The request
/// key also signs HTTP signature bases (`crate::request_signature`), which always start with `"`
/// and so never with a label.
pub const EXPORT_MANIFEST_LABEL: &[u8] = b"enroll-export-manifest-v1";

/// Prefix of the message the register signs for a configuration document it sends down to
/// its stations: `label ‖ SHA-256(payload)` (`crate::register_config`).
pub const CONFIG_SIGNATURE_LABEL: &[u8] = b"enroll-config-v1";

/// Every label a station or register key signs under; a new kind of signed message adds its
/// label here, and the test below keeps them apart.
pub const ALL_SIGNATURE_LABELS: [&[u8]; 7] = [
    ENVELOPE_SIGNATURE_LABEL,
    REVIEWED_ENVELOPE_SIGNATURE_LABEL,
    RECEIPT_SIGNATURE_LABEL,
    AUDIT_HEAD_SIGNATURE_LABEL,
    REQUEST_KEY_LABEL,
    EXPORT_MANIFEST_LABEL,
    CONFIG_SIGNATURE_LABEL,
];

fn request_key_message(station_id: &str, request_key: &[u8; 32]) -> Vec<u8> {
    let mut message = Vec::with_capacity(REQUEST_KEY_LABEL.len() + 4 + station_id.len() + 32);
    message.extend_from_slice(REQUEST_KEY_LABEL);
    message.extend_from_slice(&(station_id.len() as u32).to_be_bytes());
    message.extend_from_slice(station_id.as_bytes());
    message.extend_from_slice(request_key);
    message
}

/// The station's packet key vouching that `request_key` signs `station_id`'s requests. The
/// intake takes a request key (a new one, or one replacing the last) only with this proof, so
/// that knowing a station's id and public key is not enough to read its receipts.
pub fn request_key_proof(packet_key: &ed25519_dalek::SigningKey, station_id: &str, request_key: &[u8; 32]) -> [u8; 64] {
    use ed25519_dalek::Signer as _;
    packet_key
        .sign(&request_key_message(station_id, request_key))
        .to_bytes()
}

/// Checks a [`request_key_proof`] against the station's packet public key.
pub fn verify_request_key_proof(
    packet_key: &ed25519_dalek::VerifyingKey,
    station_id: &str,
    request_key: &[u8; 32],
    proof: &[u8; 64],
) -> Result<(), PacketError> {
    packet_key
        .verify_strict(
            &request_key_message(station_id, request_key),
            &ed25519_dalek::Signature::from_bytes(proof),
        )
        .map_err(|_| PacketError::BadSignature)
}

/// Read a 32-byte Ed25519 public key under the rule of `schemas/packet-envelope.md` §4.3: the
/// canonical encoding (the bytes that re-encoding the decoded point gives: `y` < p, and no sign
/// bit on `x` = 0) of a point that is not of small order (order 1, 2, 4 or 8). `what` names the
/// key in the error.
pub fn ed25519_public_key(bytes: &[u8; 32], what: &str) -> Result<ed25519_dalek::VerifyingKey, PacketError> {
    let key = ed25519_dalek::VerifyingKey::from_bytes(bytes)
        .map_err(|_| PacketError::BadKey(format!("the {what} is not an Ed25519 public key (not a curve point)")))?;
    // `from_bytes` reduces `y` modulo p and ignores a sign bit on x = 0, so a second, longer
    // spelling of some points decodes too; re-encoding shows it.
    if key.to_edwards().compress().to_bytes() != *bytes {
        return Err(PacketError::BadKey(format!(
            "the {what} is not in canonical form (a second encoding of a curve point); use the key as the station or \
             register wrote it"
        )));
    }
    // A small-order key "verifies" signatures that say nothing: with the identity point, the
    // signature (R = identity, S = 0) passes a lax verifier for every message.
    if key.is_weak() {
        return Err(PacketError::BadKey(format!(
            "the {what} is a small-order point, which no real key is; it would accept forged signatures"
        )));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_distinct_and_none_is_a_prefix_of_another() {
        for (i, a) in ALL_SIGNATURE_LABELS.iter().enumerate() {
            assert!(a.is_ascii() && !a.is_empty());
            for (j, b) in ALL_SIGNATURE_LABELS.iter().enumerate() {
                if i != j {
                    assert!(
                        !b.starts_with(a),
                        "{:?} is a prefix of {:?}",
                        String::from_utf8_lossy(a),
                        String::from_utf8_lossy(b)
                    );
                }
            }
        }
    }

    #[test]
    fn a_real_key_passes_and_small_order_or_non_canonical_keys_are_bad_key() {
        let real = ed25519_dalek::SigningKey::from_bytes(&[7; 32])
            .verifying_key()
            .to_bytes();
        assert_eq!(ed25519_public_key(&real, "key").unwrap().to_bytes(), real);

        let mut identity = [0u8; 32];
        identity[0] = 1;
        // An order-8 point (a well-known torsion point of edwards25519).
        let order_8 = hex_32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
        for small in [identity, order_8, [0; 32]] {
            let error = ed25519_public_key(&small, "key").unwrap_err();
            assert!(
                matches!(&error, PacketError::BadKey(m) if m.contains("small-order")),
                "{error:?}"
            );
        }

        // The identity again, with the sign bit of x = 0 set: a second spelling of it.
        let mut negative_zero = identity;
        negative_zero[31] |= 0x80;
        // y = p + 1 ≡ 1: the identity spelled with a y that is not reduced modulo p.
        let mut unreduced = [0xff; 32];
        unreduced[0] = 0xee;
        unreduced[31] = 0x7f;
        for spelling in [negative_zero, unreduced] {
            let error = ed25519_public_key(&spelling, "key").unwrap_err();
            assert!(
                matches!(&error, PacketError::BadKey(m) if m.contains("canonical")),
                "{error:?}"
            );
        }
    }

    #[test]
    fn a_request_key_proof_binds_the_station_and_the_key() {
        let packet_key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
        let request_key = [2; 32];
        let proof = request_key_proof(&packet_key, "st-1", &request_key);
        let public = packet_key.verifying_key();
        verify_request_key_proof(&public, "st-1", &request_key, &proof).unwrap();
        assert!(verify_request_key_proof(&public, "st-2", &request_key, &proof).is_err());
        assert!(verify_request_key_proof(&public, "st-1", &[3; 32], &proof).is_err());
        let other = ed25519_dalek::SigningKey::from_bytes(&[4; 32]).verifying_key();
        assert!(verify_request_key_proof(&other, "st-1", &request_key, &proof).is_err());
    }

    fn hex_32(text: &str) -> [u8; 32] {
        hex::decode(text).unwrap().try_into().unwrap()
    }
}
