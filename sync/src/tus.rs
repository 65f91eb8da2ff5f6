//! The tus 1.0.0 wire details the station needs: header names and values it sends, and the
//! few it reads back.
//!
//! Kept apart from the upload algorithm so each encoding (metadata pairs, the checksum header)
//! is written once and unit-tested on its own. This module sends nothing.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};

pub const TUS_VERSION: &str = "1.0.0";
pub const TUS_RESUMABLE: &str = "Tus-Resumable";
pub const UPLOAD_LENGTH: &str = "Upload-Length";
pub const UPLOAD_OFFSET: &str = "Upload-Offset";
pub const UPLOAD_METADATA: &str = "Upload-Metadata";
pub const UPLOAD_CHECKSUM: &str = "Upload-Checksum";
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// `Upload-Metadata` for a packet: the three keys `schemas/intake-api.md` requires.
pub fn upload_metadata(registration_id: &str, station_id: &str, envelope_sha256: &str) -> String {
    format!(
        "registration_id {},station_id {},sha256 {}",
        STANDARD.encode(registration_id),
        STANDARD.encode(station_id),
        STANDARD.encode(envelope_sha256)
    )
}

/// The value of one key in an `Upload-Metadata` header, decoded; `None` if absent or garbled.
pub fn metadata_value(metadata: &str, wanted: &str) -> Option<String> {
    metadata.split(',').find_map(|pair| {
        let (key, value) = pair.trim().split_once(' ')?;
        if key != wanted {
            return None;
        }
        String::from_utf8(STANDARD.decode(value.trim()).ok()?).ok()
    })
}

/// The `Upload-Checksum` (`sha256 <base64 digest>`) of `len` bytes of `source` from `offset`,
/// read a piece at a time.
pub fn streamed_chunk_checksum(
    source: &dyn crate::EnvelopeSource,
    offset: u64,
    len: u64,
) -> Result<String, crate::SyncError> {
    let mut hasher = Sha256::new();
    for (start, piece_len) in pieces(offset, len) {
        hasher.update(source.read_at(start, piece_len)?);
    }
    Ok(format!("sha256 {}", STANDARD.encode(hasher.finalize())))
}

/// How a chunk is read and sent: pieces of at most this many bytes.
pub const PIECE: u64 = 64 * 1024;

/// `(offset, len)` of each piece of `len` bytes from `offset`.
pub fn pieces(offset: u64, len: u64) -> impl Iterator<Item = (u64, usize)> {
    (offset..offset + len)
        .step_by(PIECE as usize)
        .map(move |start| (start, PIECE.min(offset + len - start) as usize))
}

/// A byte-count header (`Upload-Offset`, `Upload-Length`) as sent by the intake.
pub fn byte_count(headers: &HeaderMap, name: &str) -> Option<u64> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_through_its_own_reader() {
        let metadata = upload_metadata("R-1", "ST 1", &"ab".repeat(32));
        assert_eq!(metadata_value(&metadata, "registration_id").as_deref(), Some("R-1"));
        assert_eq!(metadata_value(&metadata, "station_id").as_deref(), Some("ST 1"));
        assert_eq!(metadata_value(&metadata, "sha256"), Some("ab".repeat(32)));
        assert_eq!(metadata_value(&metadata, "filename"), None);
    }

    #[test]
    fn checksum_is_sha256_of_the_chunk_in_base64() {
        // SHA-256("abc") = ba7816bf...; its base64 is the well-known value below.
        assert_eq!(
            streamed_chunk_checksum(&b"abc".to_vec(), 0, 3).unwrap(),
            "sha256 ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        // A part, across pieces: the same as the digest of those bytes.
        let bytes: Vec<u8> = (0..200_000u32).map(|n| n as u8).collect();
        let part = &bytes[1_000..150_000];
        assert_eq!(
            streamed_chunk_checksum(&bytes, 1_000, 149_000).unwrap(),
            format!("sha256 {}", STANDARD.encode(Sha256::digest(part)))
        );
        assert_eq!(pieces(1_000, 149_000).count(), 3);
    }

    #[test]
    fn byte_counts_are_plain_digits() {
        let mut headers = HeaderMap::new();
        headers.insert("upload-offset", "42".parse().unwrap());
        assert_eq!(byte_count(&headers, UPLOAD_OFFSET), Some(42));
        headers.insert("upload-offset", "+42".parse().unwrap());
        assert_eq!(byte_count(&headers, UPLOAD_OFFSET), None);
        assert_eq!(byte_count(&headers, UPLOAD_LENGTH), None);
    }
}
