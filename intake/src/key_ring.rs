//! The register's key pairs: the current one, and those it used before a key rotation.
//!
//! After the register rotates its keys, stations still hold packets sealed to the old
//! encryption key (finalized before they heard of the new one) and still verify receipts with
//! the old signing key until they take the rotation. So the intake opens each packet with the
//! pair whose key id its envelope names, and signs the packet's receipt with the same pair: a
//! station can always verify the receipt of a packet it sealed with the keys it pinned. Only
//! the current pair is published (`GET /v1/register-keys`) and signs new configuration.
//!
//! Deliberately absent: publishing the rotation to stations (configuration down-sync), and
//! retiring an old pair (the operator stops passing it once no station holds packets sealed to
//! it).

use enroll_packet::{EnvelopeHeader, KeyId, RegisterKeyPair};

/// The current pair first, then the earlier ones.
pub struct RegisterKeyRing {
    current: RegisterKeyPair,
    previous: Vec<RegisterKeyPair>,
}

impl RegisterKeyRing {
    pub fn new(current: RegisterKeyPair, previous: Vec<RegisterKeyPair>) -> RegisterKeyRing {
        RegisterKeyRing { current, previous }
    }

    /// The pair new packets are sealed to and new configuration is signed with.
    pub fn current(&self) -> &RegisterKeyPair {
        &self.current
    }

    /// The current pair, the earlier ones let go.
    pub fn into_current(self) -> RegisterKeyPair {
        self.current
    }

    /// The pair whose encryption key has `key_id`, if the register holds it.
    pub fn pair_for(&self, key_id: KeyId) -> Option<&RegisterKeyPair> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|pair| pair.public_keys().key_id() == key_id)
    }

    /// The pair that opens `envelope` and signs its receipt: the one its header names, or the
    /// current one when the header does not parse or names a key the register does not hold
    /// (the verification then refuses the packet, saying which).
    pub fn pair_for_envelope(&self, envelope: &[u8]) -> &RegisterKeyPair {
        EnvelopeHeader::parse(envelope)
            .ok()
            .and_then(|header| self.pair_for(header.register_key_id))
            .unwrap_or(&self.current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_found_by_its_key_id_current_or_earlier() {
        let old = RegisterKeyPair::generate();
        let new = RegisterKeyPair::generate();
        let old_id = old.public_keys().key_id();
        let new_id = new.public_keys().key_id();
        let ring = RegisterKeyRing::new(new, vec![old]);
        assert_eq!(ring.current().public_keys().key_id(), new_id);
        assert_eq!(ring.pair_for(old_id).unwrap().public_keys().key_id(), old_id);
        assert_eq!(ring.pair_for(new_id).unwrap().public_keys().key_id(), new_id);
        assert!(ring
            .pair_for(RegisterKeyPair::generate().public_keys().key_id())
            .is_none());
        assert_eq!(
            ring.pair_for_envelope(b"not an envelope").public_keys().key_id(),
            new_id
        );
    }
}
