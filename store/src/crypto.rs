//! Encryption at rest: the station data key and AES-256-GCM with a random 96-bit nonce.
//! Stored form: `nonce (12) || ciphertext || tag (16)`. The AAD names the row and column the
//! bytes belong to, so ciphertext moved to another row fails to decrypt.

use aes_gcm::aead::{Aead, AeadInPlace, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::StoreError;

pub(crate) const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The station's data key. Lives in memory only while an operator is signed in.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    pub fn generate() -> DataKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        DataKey(key)
    }

    pub(crate) fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(bytes)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Encrypt `plaintext` for the place named by `aad`.
    pub fn seal(&self, plaintext: &[u8], aad: &str) -> Vec<u8> {
        seal_with(&self.0, plaintext, aad)
    }

    /// Decrypt bytes made by [`DataKey::seal`] for the same `aad`.
    pub fn open(&self, sealed: &[u8], aad: &str) -> Result<Vec<u8>, StoreError> {
        open_with(&self.0, sealed, aad).ok_or_else(|| StoreError::Corrupt(aad.to_string()))
    }
}

pub(crate) fn seal_with(key: &[u8; 32], plaintext: &[u8], aad: &str) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    // Encrypted where it is stored: a draft is megabytes, and a second buffer would be a copy.
    let mut sealed = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), aad.as_bytes(), &mut sealed[NONCE_LEN..])
        .expect("AES-GCM encryption cannot fail for inputs under 64 GiB");
    sealed.extend_from_slice(&tag);
    sealed
}

/// `None` when the bytes are not what `key` sealed for `aad`.
pub(crate) fn open_with(key: &[u8; 32], sealed: &[u8], aad: &str) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    Aes256Gcm::new(key.into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_only_in_their_place_and_with_their_key() {
        let key = DataKey::generate();
        let sealed = key.seal(b"resident", "registrations/1/content");
        assert_eq!(key.open(&sealed, "registrations/1/content").unwrap(), b"resident");
        assert_eq!(
            key.open(&sealed, "registrations/2/content").unwrap_err().code(),
            "vault_corrupt"
        );
        assert!(DataKey::generate().open(&sealed, "registrations/1/content").is_err());
        let mut flipped = sealed.clone();
        flipped[20] ^= 1;
        assert!(key.open(&flipped, "registrations/1/content").is_err());
        assert!(key.open(&sealed[..10], "registrations/1/content").is_err());
    }
}
