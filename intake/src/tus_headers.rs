//! The tus 1.0.0 header vocabulary: names, and strict parsers for what stations send.
//!
//! Parsing lives apart from the handlers so that every rule (no sign on a number, unique
//! metadata keys, a checksum of exactly 32 bytes) is stated once and unit-tested without a
//! server. Every parser answers a [`IntakeError::BadRequest`] whose message shows the expected
//! form, never a panic.
//!
//! This module does not know about storage or about what a complete upload must contain.

use axum::http::HeaderMap;
use base64::Engine;
use time::OffsetDateTime;

use crate::IntakeError;

pub const TUS_VERSION: &str = "1.0.0";
pub const TUS_RESUMABLE: &str = "tus-resumable";
pub const TUS_VERSION_HEADER: &str = "tus-version";
pub const TUS_EXTENSION: &str = "tus-extension";
pub const TUS_MAX_SIZE: &str = "tus-max-size";
pub const TUS_CHECKSUM_ALGORITHM: &str = "tus-checksum-algorithm";
pub const UPLOAD_LENGTH: &str = "upload-length";
pub const UPLOAD_OFFSET: &str = "upload-offset";
pub const UPLOAD_METADATA: &str = "upload-metadata";
pub const UPLOAD_CHECKSUM: &str = "upload-checksum";
pub const UPLOAD_EXPIRES: &str = "upload-expires";
pub const UPLOAD_DEFER_LENGTH: &str = "upload-defer-length";
pub const EXTENSIONS: &str = "creation,checksum,termination,expiration";
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// Longest identifier (station or registration id) the intake accepts. The envelope header
/// stores ids with a u16 length; this is far below that and keeps file and log lines sane.
pub const MAX_ID_LEN: usize = 128;

/// The metadata a station must declare when it creates an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredUpload {
    pub registration_id: String,
    pub station_id: String,
    /// Lower-case hex SHA-256 of the whole envelope.
    pub sha256: String,
}

/// Refuses a tus request that does not declare protocol 1.0.0.
pub fn require_tus_resumable(headers: &HeaderMap) -> Result<(), IntakeError> {
    match headers.get(TUS_RESUMABLE) {
        None => Err(IntakeError::UnsupportedTusVersion("no Tus-Resumable header".to_owned())),
        Some(value) if value.as_bytes() == TUS_VERSION.as_bytes() => Ok(()),
        Some(value) => Err(IntakeError::UnsupportedTusVersion(format!(
            "Tus-Resumable: {}",
            String::from_utf8_lossy(value.as_bytes())
        ))),
    }
}

/// A header's value as text, or `None` when absent. Non-ASCII values are refused.
pub fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, IntakeError> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(Some)
            .map_err(|_| IntakeError::BadRequest(format!("the {name} header must be plain ASCII text"))),
    }
}

/// A required non-negative byte count, e.g. `Upload-Length` or `Upload-Offset`.
///
/// Only decimal digits are accepted: `u64::from_str` would also take a leading `+`, which tus
/// does not allow, and a value that overflows u64 is refused rather than wrapped.
pub fn parse_byte_count(headers: &HeaderMap, name: &str) -> Result<u64, IntakeError> {
    let text =
        header_text(headers, name)?.ok_or_else(|| IntakeError::BadRequest(format!("the {name} header is missing")))?;
    let trimmed = text.trim();
    let refused = || {
        IntakeError::BadRequest(format!(
            "the {name} header must be a whole number of bytes such as 1048576 (got '{}')",
            truncate_for_message(trimmed)
        ))
    };
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused());
    }
    trimmed.parse::<u64>().map_err(|_| refused())
}

/// Parses `Upload-Metadata` (`key base64value,key base64value`) into the declared upload.
///
/// Keys must be unique (tus requires it; a duplicated `station_id` would otherwise let the
/// checks and the log disagree on which one counts). Unknown keys are allowed and ignored, so
/// that a station can send a filename as common tus clients do.
pub fn parse_upload_metadata(text: &str) -> Result<DeclaredUpload, IntakeError> {
    let mut registration_id = None;
    let mut station_id = None;
    let mut sha256 = None;
    let mut seen = std::collections::BTreeSet::new();
    for pair in text.split(',').map(str::trim).filter(|pair| !pair.is_empty()) {
        let (key, encoded) = match pair.split_once(' ') {
            Some((key, value)) => (key, value.trim()),
            None => (pair, ""),
        };
        if !seen.insert(key.to_owned()) {
            return Err(IntakeError::BadRequest(format!(
                "the Upload-Metadata key '{}' appears twice",
                truncate_for_message(key)
            )));
        }
        let decode = || -> Result<String, IntakeError> {
            let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| {
                IntakeError::BadRequest(format!("the Upload-Metadata value of '{key}' must be standard base64"))
            })?;
            String::from_utf8(bytes).map_err(|_| {
                IntakeError::BadRequest(format!("the Upload-Metadata value of '{key}' must be UTF-8 text"))
            })
        };
        match key {
            "registration_id" => registration_id = Some(validate_id("registration_id", decode()?)?),
            "station_id" => station_id = Some(validate_id("station_id", decode()?)?),
            "sha256" => sha256 = Some(validate_sha256_hex(decode()?)?),
            _ => {}
        }
    }
    let missing = |key: &str| {
        IntakeError::BadRequest(format!(
            "the Upload-Metadata header must carry '{key}' (tus form: 'registration_id <base64>,station_id <base64>,sha256 <base64 of the hex digest>')"
        ))
    };
    Ok(DeclaredUpload {
        registration_id: registration_id.ok_or_else(|| missing("registration_id"))?,
        station_id: station_id.ok_or_else(|| missing("station_id"))?,
        sha256: sha256.ok_or_else(|| missing("sha256"))?,
    })
}

/// Parses `Upload-Checksum: sha256 <base64 digest>` into the 32-byte digest.
pub fn parse_upload_checksum(text: &str) -> Result<[u8; 32], IntakeError> {
    let (algorithm, encoded) = text.trim().split_once(' ').ok_or_else(|| {
        IntakeError::BadRequest("the Upload-Checksum header must look like 'sha256 <base64 digest>'".to_owned())
    })?;
    if algorithm != "sha256" {
        return Err(IntakeError::BadRequest(format!(
            "the checksum algorithm '{}' is not supported; this intake supports sha256",
            truncate_for_message(algorithm)
        )));
    }
    let digest = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| IntakeError::BadRequest("the Upload-Checksum digest must be standard base64".to_owned()))?;
    digest
        .try_into()
        .map_err(|_| IntakeError::BadRequest("the Upload-Checksum digest must be 32 bytes (SHA-256)".to_owned()))
}

/// An identifier (station or registration id): 1..=128 characters, no control characters,
/// no leading or trailing spaces.
pub fn validate_id(what: &str, id: String) -> Result<String, IntakeError> {
    let ok = !id.is_empty() && id.len() <= MAX_ID_LEN && id.trim() == id && !id.chars().any(char::is_control);
    if ok {
        Ok(id)
    } else {
        Err(IntakeError::BadRequest(format!(
            "{what} must be 1 to {MAX_ID_LEN} characters without control characters or surrounding spaces"
        )))
    }
}

fn validate_sha256_hex(text: String) -> Result<String, IntakeError> {
    if text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(text)
    } else {
        Err(IntakeError::BadRequest(
            "the sha256 metadata must be the envelope's SHA-256 as 64 lower-case hex characters".to_owned(),
        ))
    }
}

/// RFC 7231 IMF-fixdate, as tus requires for `Upload-Expires`: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        // Formatting a UTC date with a fixed description cannot fail for years 0..=9999;
        // outside that range (a broken clock) an empty value is better than a panic.
        .unwrap_or_default()
}

/// Keeps echoed input short in messages and logs.
fn truncate_for_message(text: &str) -> String {
    const LIMIT: usize = 40;
    if text.chars().count() <= LIMIT {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(LIMIT).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn byte_counts_accept_only_plain_digits() {
        assert_eq!(
            parse_byte_count(&headers(UPLOAD_OFFSET, "1048576"), UPLOAD_OFFSET).unwrap(),
            1_048_576
        );
        assert_eq!(
            parse_byte_count(&headers(UPLOAD_OFFSET, "0"), UPLOAD_OFFSET).unwrap(),
            0
        );
        for bad in ["+5", "-1", "1.5", "", "12a", "99999999999999999999999"] {
            let err = parse_byte_count(&headers(UPLOAD_OFFSET, bad), UPLOAD_OFFSET).unwrap_err();
            assert_eq!(err.code(), "bad_request", "{bad:?} must be refused");
        }
        let err = parse_byte_count(&HeaderMap::new(), UPLOAD_LENGTH).unwrap_err();
        assert!(err.to_string().contains("upload-length header is missing"), "{err}");
    }

    #[test]
    fn metadata_needs_all_three_keys() {
        let sha = "a".repeat(64);
        let text = format!(
            "registration_id {},station_id {},sha256 {},filename {}",
            b64("R-1"),
            b64("ST-1"),
            b64(&sha),
            b64("x.env")
        );
        let declared = parse_upload_metadata(&text).unwrap();
        assert_eq!(declared.registration_id, "R-1");
        assert_eq!(declared.station_id, "ST-1");
        assert_eq!(declared.sha256, sha);

        let without_sha = format!("registration_id {},station_id {}", b64("R-1"), b64("ST-1"));
        let err = parse_upload_metadata(&without_sha).unwrap_err();
        assert!(err.to_string().contains("'sha256'"), "{err}");
    }

    #[test]
    fn metadata_refuses_duplicates_bad_base64_and_bad_hashes() {
        let twice = format!("station_id {},station_id {}", b64("A"), b64("B"));
        assert!(parse_upload_metadata(&twice).unwrap_err().to_string().contains("twice"));
        assert_eq!(
            parse_upload_metadata("station_id !!!").unwrap_err().code(),
            "bad_request"
        );
        let upper = format!(
            "registration_id {},station_id {},sha256 {}",
            b64("R"),
            b64("S"),
            b64(&"A".repeat(64))
        );
        assert!(parse_upload_metadata(&upper)
            .unwrap_err()
            .to_string()
            .contains("lower-case hex"));
    }

    #[test]
    fn checksum_header_is_sha256_of_32_bytes() {
        let digest = [7u8; 32];
        let text = format!("sha256 {}", base64::engine::general_purpose::STANDARD.encode(digest));
        assert_eq!(parse_upload_checksum(&text).unwrap(), digest);
        assert!(parse_upload_checksum("md5 AAAA")
            .unwrap_err()
            .to_string()
            .contains("not supported"));
        assert!(parse_upload_checksum("sha256 AAAA")
            .unwrap_err()
            .to_string()
            .contains("32 bytes"));
        assert!(parse_upload_checksum("sha256").is_err());
    }

    #[test]
    fn tus_version_must_be_1_0_0() {
        assert!(require_tus_resumable(&headers(TUS_RESUMABLE, "1.0.0")).is_ok());
        assert_eq!(
            require_tus_resumable(&headers(TUS_RESUMABLE, "0.2.2"))
                .unwrap_err()
                .code(),
            "unsupported_tus_version"
        );
        assert_eq!(
            require_tus_resumable(&HeaderMap::new()).unwrap_err().code(),
            "unsupported_tus_version"
        );
    }

    #[test]
    fn http_dates_are_imf_fixdate() {
        let at = time::macros::datetime!(1994-11-06 08:49:37 UTC);
        assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn ids_refuse_control_characters_and_length() {
        assert!(validate_id("station_id", "ST-01".into()).is_ok());
        assert!(validate_id("station_id", "".into()).is_err());
        assert!(validate_id("station_id", "a\nb".into()).is_err());
        assert!(validate_id("station_id", " a".into()).is_err());
        assert!(validate_id("station_id", "x".repeat(129)).is_err());
    }
}
