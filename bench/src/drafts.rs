//! Draft content that checks itself: a header line naming the registration and the save's
//! version, then filler bytes derived from both. After a crash, a draft that decrypts but holds
//! another registration's bytes, an older version than was reported saved, or a torn body is
//! caught, not just one that fails to decrypt.
//!
//! Deliberately absent: the station's draft JSON (identity + face). The vault treats content as
//! opaque bytes, so its crash behaviour does not depend on what the bytes mean.

use anyhow::{bail, Context as _};
use sha2::{Digest, Sha256};

const MAGIC: &str = "CRASH-DRAFT-1";

/// The content of save number `version` of a draft, `filler_len` bytes after the header.
pub fn draft_content(registration_id: &str, version: u32, filler_len: usize) -> Vec<u8> {
    let mut bytes = format!("{MAGIC} {registration_id} {version} {filler_len}\n").into_bytes();
    bytes.extend_from_slice(&filler(registration_id, version, filler_len));
    bytes
}

/// Check content made by [`draft_content`] for `registration_id`; returns its version.
pub fn check_draft_content(registration_id: &str, bytes: &[u8]) -> anyhow::Result<u32> {
    let newline = bytes.iter().position(|b| *b == b'\n').context("no header line")?;
    let header = std::str::from_utf8(&bytes[..newline]).context("header is not UTF-8")?;
    let parts: Vec<&str> = header.split(' ').collect();
    let [magic, id, version, filler_len] = parts[..] else {
        bail!("header {header:?} does not have four parts");
    };
    if magic != MAGIC || id != registration_id {
        bail!("header {header:?} does not belong to {registration_id}");
    }
    let version: u32 = version.parse()?;
    let filler_len: usize = filler_len.parse()?;
    if bytes[newline + 1..] != filler(registration_id, version, filler_len)[..] {
        bail!("the body of {registration_id} version {version} is not what was written");
    }
    Ok(version)
}

fn filler(registration_id: &str, version: u32, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut counter = 0u64;
    while out.len() < len {
        let block = Sha256::new()
            .chain_update(registration_id.as_bytes())
            .chain_update(version.to_be_bytes())
            .chain_update(counter.to_be_bytes())
            .finalize();
        out.extend_from_slice(&block);
        counter += 1;
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_checks_against_its_own_id_and_body_only() {
        let bytes = draft_content("R1", 3, 1000);
        assert_eq!(check_draft_content("R1", &bytes).unwrap(), 3);
        assert!(check_draft_content("R2", &bytes).is_err());
        let mut torn = bytes.clone();
        torn.truncate(900);
        assert!(check_draft_content("R1", &torn).is_err());
        let mut flipped = bytes;
        flipped[500] ^= 1;
        assert!(check_draft_content("R1", &flipped).is_err());
    }
}
