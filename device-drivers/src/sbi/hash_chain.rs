//! The SBI hash chain, which ties every biometric of a registration to the ones before it.
//!
//! The definition (SBI 1.0 "Registration Capture", `previousHash` and `hash`; the MOSIP
//! compliance toolkit checks it the same way): the chain starts from SHA-256 of the empty
//! string; each biometric's `hash` is the hex of SHA-256(previous ‖ SHA-256(ISO record)), where
//! previous is the raw 32 bytes of the previous link (the hex `previousHash` of the request,
//! decoded, for the first biometric of an answer) and the ISO record is the decoded `bioValue`.
//! Services write the hex in upper or lower case; both are read.
//!
//! Deliberately absent: keeping the chain across captures (the caller holds the last link and
//! passes it in as `CaptureRequest::previous_hash`; the station keeps it in the draft).

use sha2::{Digest, Sha256};

/// The first link: SHA-256 of the empty string.
pub fn genesis() -> [u8; 32] {
    Sha256::digest(b"").into()
}

/// Hex (upper case, as the specification writes it) of a link.
pub fn to_hex(link: &[u8; 32]) -> String {
    hex::encode_upper(link)
}

/// A link from its hex form; an empty text is the genesis link, as `previousHash: ""` means.
pub fn from_hex(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.is_empty() {
        return Some(genesis());
    }
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

/// The link that follows `previous` for a biometric whose ISO record is `record`.
pub fn next(previous: &[u8; 32], record: &[u8]) -> [u8; 32] {
    let record_hash = Sha256::digest(record);
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(record_hash);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_the_definition_and_read_either_case() {
        let genesis = genesis();
        assert_eq!(
            to_hex(&genesis),
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
        );
        let first = next(&genesis, b"FIR\0");
        let mut input = genesis.to_vec();
        input.extend_from_slice(&Sha256::digest(b"FIR\0"));
        assert_eq!(first.to_vec(), Sha256::digest(&input).to_vec());
        assert_eq!(from_hex(&to_hex(&first).to_lowercase()), Some(first));
        assert_eq!(from_hex(""), Some(genesis));
        assert_eq!(from_hex("abcd"), None);
        assert_eq!(from_hex("not hex"), None);
        assert_ne!(next(&first, b"FIR\0"), first);
    }
}
