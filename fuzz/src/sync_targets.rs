//! The fuzz targets over `enroll-sync`: the station's reading of what the intake (or whatever
//! stands between them: a proxy, a captive portal) answers. Each function takes arbitrary bytes
//! and must never panic or hang, and checks that what the client takes from an answer is no more
//! than the answer says.
//!
//! Compiled into the fuzz binaries and, through `#[path]`, into `sync/tests/fuzz_regressions`,
//! which replays `fuzz/seeds/` and `fuzz/regressions/`; so it uses only crates that
//! `enroll-sync` depends on (`http` is its dev-dependency, the type of reqwest's `HeaderMap`).
//!
//! Deliberately absent: the signed receipt, which the `receipt` target of `packet_targets`
//! covers, and anything needing a connection.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use enroll_sync::{
    byte_count, metadata_value, parse_error_body, parse_retry_after, upload_metadata, MAX_ERROR_MESSAGE,
    MAX_PLAIN_ERROR_MESSAGE,
};
use http::{HeaderMap, HeaderValue};

/// The fixed "now" of `retry_after` (2025-06-15T15:06:40Z), so that a run is reproducible.
pub fn fixed_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

/// `enroll_sync::parse_retry_after` on the input as UTF-8 (when it is) and as lossy UTF-8: a
/// wait is never longer than the header says. Delta seconds give exactly that many seconds; a
/// date gives the time from now to it, nothing for a date in the past.
pub fn retry_after(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_retry_after(text);
    }
    check_retry_after(&String::from_utf8_lossy(data));
}

fn check_retry_after(text: &str) {
    let now = fixed_now();
    let wait = parse_retry_after(text, now);
    let value = text.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        assert_eq!(
            wait,
            value.parse::<u64>().ok().map(Duration::from_secs),
            "delta seconds {value:?} read as another wait"
        );
        return;
    }
    let Some(wait) = wait else {
        return;
    };
    let at =
        httpdate::parse_http_date(value).unwrap_or_else(|_| panic!("a wait from a value that is no date: {value:?}"));
    let difference = at.duration_since(now).unwrap_or_default();
    assert!(
        wait <= difference,
        "{value:?}: a wait of {wait:?}, beyond the date ({difference:?} away)"
    );
}

/// Separates the header fields of an `intake_replies` input. Never part of valid UTF-8 nor of
/// a header value the intake sends, so a seed made of real values splits where it was joined.
pub const FIELD_SEPARATOR: u8 = 0xff;

/// The client's reading of intake answers, with no HTTP: the whole input as an error body
/// (`parse_error_body`), and its fields split at [`FIELD_SEPARATOR`] as `HEAD` answer headers:
/// `Upload-Offset`, `Upload-Length`, `Upload-Metadata` and the metadata key looked up
/// (`byte_count`, `metadata_value`). A header field that is no valid header value is absent.
pub fn intake_replies(data: &[u8]) {
    let (code, message) = parse_error_body(data);
    // Only a JSON object (or serde's array form of a struct) can be the intake's body; anything
    // else is kept as its first characters, no code. serde's reading of a struct skips unknown
    // members without checking their UTF-8, so "is it JSON" is judged by the first byte here,
    // not by a stricter parser that could disagree.
    let maybe_json = matches!(data.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['));
    if !maybe_json {
        let kept: String = String::from_utf8_lossy(data)
            .chars()
            .take(MAX_PLAIN_ERROR_MESSAGE)
            .collect();
        assert_eq!((code.as_str(), &*message), ("", &*kept), "a body that is not JSON");
    } else {
        // The intake's own words, kept up to their limit, and never longer than the body they
        // came from.
        assert!(message.chars().count() <= MAX_ERROR_MESSAGE, "a message over its limit");
        assert!(message.len() <= data.len(), "a message longer than its body");
        assert!(code.len() <= data.len(), "a code longer than its body");
    }

    let mut fields = data.split(|&b| b == FIELD_SEPARATOR);
    let mut next = || fields.next().unwrap_or_default();
    let (offset, length, metadata, wanted) = (next(), next(), next(), next());
    let mut headers = HeaderMap::new();
    for (name, value) in [("upload-offset", offset), ("upload-length", length)] {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.insert(name, value);
        }
    }
    for (name, raw) in [("Upload-Offset", offset), ("Upload-Length", length)] {
        let Some(n) = byte_count(&headers, name) else {
            continue;
        };
        let text = std::str::from_utf8(raw).expect("an accepted byte count is text").trim();
        assert!(
            !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()),
            "{name}: a byte count with more than digits accepted: {text:?}"
        );
        assert_eq!(text.parse::<u64>().ok(), Some(n), "{name}: read as another number");
    }

    let metadata = String::from_utf8_lossy(metadata);
    let wanted = String::from_utf8_lossy(wanted);
    if let Some(value) = metadata_value(&metadata, &wanted) {
        // The value is UTF-8 by its type; it must also be what some pair of that key carries.
        let carried = metadata.split(',').any(|pair| {
            pair.trim().split_once(' ').is_some_and(|(key, encoded)| {
                key == wanted
                    && STANDARD
                        .decode(encoded.trim())
                        .is_ok_and(|bytes| bytes == value.as_bytes())
            })
        });
        assert!(carried, "{wanted:?}: {value:?} is in no pair of {metadata:?}");
    }
    // What the client writes, it reads back. Non-empty values only: an empty one is written as
    // `key ` and read as absent (`metadata_value` wants a space after the key once the pair is
    // trimmed), which no id or digest the client sends can meet.
    let written = upload_metadata(&metadata, &wanted, &message);
    for (key, expected) in [
        ("registration_id", &*metadata),
        ("station_id", &*wanted),
        ("sha256", &*message),
    ] {
        if !expected.is_empty() {
            assert_eq!(
                metadata_value(&written, key).as_deref(),
                Some(expected),
                "{key} of {written:?}"
            );
        }
    }
}
