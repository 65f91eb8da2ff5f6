//! The fuzz targets over `enroll-intake`: everything a station (or anyone who reaches the
//! intake's port) sends that the intake parses before it touches storage — the tus headers, the
//! body of `POST /v1/stations` and the enrollment code typed at a station. Each function takes
//! arbitrary bytes and must never panic or hang, and checks what the parser promises about what
//! it accepts.
//!
//! Compiled into the fuzz binaries and, through `#[path]`, into `intake/tests/fuzz_regressions`,
//! which replays `fuzz/seeds/` and `fuzz/regressions/`; so it uses only crates that
//! `enroll-intake` itself depends on.
//!
//! Also the signed requests (RFC 9421): `signed_request` feeds any method, path, query, fields
//! and headers to the checks the intake makes before it touches storage.
//!
//! Deliberately absent: the PATCH bodies (bytes appended to a file, not parsed until the whole
//! envelope is verified, which the packet targets cover) and anything needing a database or a
//! running server (the nonce store, the station lookup); the manifests of export folders on
//! removable media, which the packet crate parses (`packet_targets::exchange_manifest`).

use axum::http::{HeaderMap, HeaderValue};
use enroll_intake::onboarding::normalize_enrollment_code;
use enroll_intake::packet_status::{parse_status_query, MAX_IDS_PER_QUERY};
use enroll_intake::parse_registration;
use enroll_intake::request_auth::{check_signed_request, WINDOW_SECONDS};
use enroll_intake::tus_headers::{
    parse_byte_count, parse_upload_checksum, parse_upload_metadata, require_tus_resumable, validate_id, MAX_ID_LEN,
    TUS_RESUMABLE, UPLOAD_LENGTH, UPLOAD_OFFSET,
};
use enroll_packet::request_signature::{self, RequestParts};

/// Separates the fields of a `tus_headers` input. Never part of valid UTF-8 nor of a header
/// value a tus client sends, so a seed made of real values splits exactly where it was joined.
pub const FIELD_SEPARATOR: u8 = 0xff;

/// Every public parser of `enroll_intake::tus_headers`. The input is split at
/// [`FIELD_SEPARATOR`] into five fields, missing ones empty: `Upload-Metadata`,
/// `Upload-Checksum`, `Upload-Offset`, `Tus-Resumable` and an id for `validate_id`. The text
/// ones go to their parser as (lossy) UTF-8, the header ones into a `HeaderMap` when they are a
/// valid header value (when not, the header is absent, which the parser must refuse too).
pub fn tus_headers(data: &[u8]) {
    let mut fields = data.split(|&b| b == FIELD_SEPARATOR);
    let mut next = || fields.next().unwrap_or_default();
    let (metadata, checksum, count, resumable, id) = (next(), next(), next(), next(), next());

    let metadata = String::from_utf8_lossy(metadata);
    if let Ok(declared) = parse_upload_metadata(&metadata) {
        for (what, value) in [
            ("registration_id", &declared.registration_id),
            ("station_id", &declared.station_id),
        ] {
            assert!(
                validate_id(what, value.clone()).is_ok(),
                "metadata accepted an invalid {what}: {value:?}"
            );
        }
        assert!(
            declared.sha256.len() == 64 && declared.sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "metadata accepted a sha256 that is not 64 lower-case hex: {:?}",
            declared.sha256
        );
    }

    let checksum = String::from_utf8_lossy(checksum);
    if parse_upload_checksum(&checksum).is_ok() {
        // The digest's length is in the type; the algorithm is the parser's to check.
        assert!(
            checksum.trim().starts_with("sha256 "),
            "a checksum not in sha256 accepted: {checksum:?}"
        );
    }

    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(count) {
        headers.insert(UPLOAD_OFFSET, value);
    }
    if let Ok(value) = HeaderValue::from_bytes(resumable) {
        headers.insert(TUS_RESUMABLE, value);
    }
    if let Ok(n) = parse_byte_count(&headers, UPLOAD_OFFSET) {
        let text = std::str::from_utf8(count)
            .expect("an accepted byte count is text")
            .trim();
        assert!(
            !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()),
            "a byte count with more than digits accepted: {text:?}"
        );
        assert_eq!(text.parse::<u64>().ok(), Some(n), "a byte count read as another number");
    }
    assert!(
        parse_byte_count(&headers, UPLOAD_LENGTH).is_err(),
        "an absent Upload-Length accepted"
    );
    if require_tus_resumable(&headers).is_ok() {
        assert_eq!(resumable, b"1.0.0", "a Tus-Resumable other than 1.0.0 accepted");
    }

    let id = String::from_utf8_lossy(id).into_owned();
    if let Ok(valid) = validate_id("station_id", id.clone()) {
        assert_eq!(valid, id, "validate_id changed the id it accepted");
        assert!(
            !valid.is_empty()
                && valid.len() <= MAX_ID_LEN
                && valid.trim() == valid
                && !valid.chars().any(char::is_control),
            "validate_id accepted {valid:?}"
        );
    }
}

/// `enroll_intake::parse_registration`, the body of `POST /v1/stations`: an accepted body's
/// fields obey the API's rules.
pub fn station_registration(data: &[u8]) {
    let Ok(parsed) = parse_registration(data) else {
        return;
    };
    assert!(
        validate_id("station_id", parsed.station_id.clone()).is_ok(),
        "an invalid station id accepted: {:?}",
        parsed.station_id
    );
    let name = &parsed.name;
    assert_eq!(name.trim(), name, "the name is not trimmed");
    assert!(
        !name.is_empty() && name.chars().count() <= 200 && !name.chars().any(char::is_control),
        "a name against the rules accepted: {name:?}"
    );
    assert!(
        ed25519_dalek::VerifyingKey::from_bytes(&parsed.public_key).is_ok(),
        "a public key that is no Ed25519 point accepted"
    );
    if let Some(code) = &parsed.enrollment_code {
        assert!(!code.trim().is_empty(), "a blank enrollment code kept");
    }
    if let Some(request_key) = parsed.request_key {
        // A request key is taken only with a proof by the packet key that verifies.
        use base64::Engine as _;
        let body: serde_json::Value = serde_json::from_slice(data).expect("an accepted body is JSON");
        let proof: [u8; 64] = base64::engine::general_purpose::STANDARD
            .decode(
                body["request_key_proof"]
                    .as_str()
                    .expect("a request key came with its proof"),
            )
            .expect("an accepted proof is base64")
            .try_into()
            .expect("an accepted proof is 64 bytes");
        let packet_key = ed25519_dalek::VerifyingKey::from_bytes(&parsed.public_key).expect("checked above");
        assert!(
            enroll_packet::signing::verify_request_key_proof(&packet_key, &parsed.station_id, &request_key, &proof)
                .is_ok(),
            "a request key accepted without a proof that verifies"
        );
    }
}

/// The intake's clock in `signed_request` (seeds are signed around it).
pub const SIGNED_REQUEST_NOW: i64 = 1_764_000_000;

/// `enroll_intake::request_auth::check_signed_request` at [`SIGNED_REQUEST_NOW`]. The input is
/// split at [`FIELD_SEPARATOR`]: method, path, query (absent when empty), `Signature-Input`,
/// `Signature` (each absent when empty), then `name: value` header lines. What it accepts is a
/// signature within the window, covering every component the rules require, that verifies:
/// so the same request with another method must then be refused.
pub fn signed_request(data: &[u8]) {
    let mut fields = data.split(|&b| b == FIELD_SEPARATOR);
    let mut next = || String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let (method, path, query, input, signature, headers) = (next(), next(), next(), next(), next(), next());
    let request = RequestParts {
        method,
        path,
        query: (!query.is_empty()).then_some(query),
        headers: headers
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect(),
    };
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    let (input, signature) = (optional(&input), optional(&signature));
    let Ok(checked) = check_signed_request(&request, input.as_deref(), signature.as_deref(), SIGNED_REQUEST_NOW) else {
        return;
    };
    let read = request_signature::read_fields(
        input.as_deref().unwrap_or_default(),
        signature.as_deref().unwrap_or_default(),
    )
    .expect("an accepted signature reads");
    assert!(
        (read.params.created - SIGNED_REQUEST_NOW).abs() <= WINDOW_SECONDS,
        "a signature outside the window accepted: created {}",
        read.params.created
    );
    for required in request_signature::components_to_cover(&request) {
        assert!(
            read.params.components.contains(&required),
            "a signature not covering {required} accepted"
        );
    }
    assert_eq!(
        request_signature::key_from_id(&read.params.keyid).ok(),
        Some(checked.request_key),
        "the request key is not the one keyid names"
    );
    let mut other = request.clone();
    other.method = format!("X{}", request.method);
    assert!(
        check_signed_request(&other, input.as_deref(), signature.as_deref(), SIGNED_REQUEST_NOW).is_err(),
        "a signature accepted for a request with another method"
    );
}

/// `enroll_intake::packet_status::parse_status_query`, the body of `POST /v1/packets/status`:
/// what it accepts is 1 to 500 distinct valid registration ids.
pub fn status_query(data: &[u8]) {
    let Ok(ids) = parse_status_query(data) else {
        return;
    };
    assert!(
        (1..=MAX_IDS_PER_QUERY).contains(&ids.len()),
        "{} ids accepted",
        ids.len()
    );
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "a repeated id accepted");
    for id in &ids {
        assert!(
            validate_id("registration_id", id.clone()).is_ok(),
            "an invalid registration id accepted: {id:?}"
        );
    }
}

/// Crockford's base32 as the intake writes codes.
const CODE_ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `enroll_intake::onboarding::normalize_enrollment_code` on any (lossy) text: a normalized
/// code is 12 characters of Crockford's base32 and normalizes to itself.
pub fn enrollment_code(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some(code) = normalize_enrollment_code(&text) else {
        return;
    };
    assert!(
        code.len() == 12 && code.chars().all(|c| CODE_ALPHABET.contains(c)),
        "not a code: {code:?}"
    );
    assert_eq!(
        normalize_enrollment_code(&code).as_deref(),
        Some(code.as_str()),
        "normalizing is not idempotent"
    );
}
