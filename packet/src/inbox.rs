//! The station's inbox: what the sync learns about a resident while nobody is signed in, sealed
//! so that only a signed-in operator reads it.
//!
//! The register's reason for rejecting a packet, or for asking the resident to register again,
//! is free text about a resident. The sync fetches it with nobody signed in, so it cannot seal
//! it under the data key the way the station seals what a clerk types. Instead the station has
//! an X25519 key pair whose public half is kept in clear and whose secret is sealed under the
//! data key: the sync seals to the public half (HPKE, RFC 9180, the suite of the envelopes:
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, base mode) and a signed-in operator
//! opens. A stolen laptop yields the ciphertext only.
//!
//! Sealed form: `enc` (32 bytes) ‖ ciphertext and tag. `info` binds each sealed value to what it
//! is and which row holds it (a value moved to another row does not open).

use hpke::{Deserializable as _, Serializable as _};

use crate::envelope::{Aead, HpkeOsRng, Kdf, Kem};
use crate::PacketError;

/// Length of the encapsulated key that starts a sealed value.
const ENC_LEN: usize = 32;

/// A new inbox key pair: (secret, public), both 32 bytes.
pub fn generate_inbox_key() -> (zeroize::Zeroizing<[u8; 32]>, [u8; 32]) {
    let (secret, public) = <Kem as hpke::Kem>::gen_keypair(&mut HpkeOsRng);
    let mut secret_bytes = zeroize::Zeroizing::new([0; 32]);
    secret_bytes.copy_from_slice(&secret.to_bytes());
    let mut public_bytes = [0; 32];
    public_bytes.copy_from_slice(&public.to_bytes());
    (secret_bytes, public_bytes)
}

/// Seal `plaintext` to the inbox whose public key is `public`, bound to `info`.
pub fn seal_to_inbox(public: &[u8; 32], info: &str, plaintext: &[u8]) -> Result<Vec<u8>, PacketError> {
    let public = <Kem as hpke::Kem>::PublicKey::from_bytes(public)
        .map_err(|_| PacketError::BadKey("the station's inbox key is not an X25519 public key".into()))?;
    let (enc, ciphertext) = hpke::single_shot_seal::<Aead, Kdf, Kem, _>(
        &hpke::OpModeS::Base,
        &public,
        info.as_bytes(),
        plaintext,
        b"",
        &mut HpkeOsRng,
    )
    .map_err(|error| PacketError::BadKey(format!("sealing to the station's inbox failed: {error}")))?;
    let mut sealed = enc.to_bytes().to_vec();
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

/// Open what [`seal_to_inbox`] sealed with the inbox's `secret` and the same `info`.
pub fn open_inbox(secret: &[u8; 32], info: &str, sealed: &[u8]) -> Result<Vec<u8>, PacketError> {
    if sealed.len() < ENC_LEN {
        return Err(PacketError::Truncated(
            "a value sealed to the inbox is shorter than its key".into(),
        ));
    }
    let (enc, ciphertext) = sealed.split_at(ENC_LEN);
    let secret = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret)
        .map_err(|_| PacketError::BadKey("the station's inbox secret is not an X25519 key".into()))?;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc)
        .map_err(|_| PacketError::Malformed("a value sealed to the inbox starts with no valid key".into()))?;
    hpke::single_shot_open::<Aead, Kdf, Kem>(&hpke::OpModeR::Base, &secret, &enc, info.as_bytes(), ciphertext, b"")
        .map_err(|_| {
            PacketError::Malformed("a value sealed to the inbox does not open: changed, or not for this row".into())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_sealed_to_the_inbox_opens_only_with_its_secret_and_info() {
        let (secret, public) = generate_inbox_key();
        let sealed = seal_to_inbox(&public, "registrations/R1/register_reason", "blurred photo".as_bytes()).unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"blurred"), "the text is not in clear");
        assert_eq!(
            open_inbox(&secret, "registrations/R1/register_reason", &sealed).unwrap(),
            b"blurred photo"
        );

        let moved = open_inbox(&secret, "registrations/R2/register_reason", &sealed).unwrap_err();
        assert_eq!(moved.code(), "malformed");
        let (other_secret, _) = generate_inbox_key();
        assert!(open_inbox(&other_secret, "registrations/R1/register_reason", &sealed).is_err());
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert!(open_inbox(&secret, "registrations/R1/register_reason", &changed).is_err());
        assert_eq!(open_inbox(&secret, "x", &sealed[..10]).unwrap_err().code(), "truncated");
    }
}
