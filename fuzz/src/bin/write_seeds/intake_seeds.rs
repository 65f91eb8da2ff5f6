//! The seeds of the intake's input targets (`tus_headers`, `station_registration`,
//! `enrollment_code`) and of the station's reading of intake answers (`retry_after`,
//! `intake_replies`): real values built with the station's and the intake's own code (the
//! metadata from `enroll_sync::upload_metadata`, a registration body shaped as the station's
//! client sends it with the fuzz station's public key, error bodies from `IntakeError`'s codes
//! and messages, HTTP dates from the fixed clock of `retry_after`), and near-valid copies that
//! break one rule each.
//!
//! `signed_request`: requests signed as a station signs them (RFC 9421) with a made-up request
//! key at the target's fixed clock, and copies that break one rule each.
//!
//! Deliberately absent: the manifests of removable media (`exchange_seeds`), and anything from a
//! real deployment (names, ids and codes here are made up).

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use enroll_fuzz::intake_targets::FIELD_SEPARATOR as TUS_SEPARATOR;
use enroll_fuzz::packet_targets::fuzz_station;
use enroll_fuzz::sync_targets::{fixed_now, FIELD_SEPARATOR as REPLY_SEPARATOR};
use enroll_intake::IntakeError;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use super::{edit, remove, Result, Seeds};

const STATION_ID: &str = "ST-TEST-0001";
const REGISTRATION_ID: &str = "10001-20250101-000001";
/// A code in the intake's written form (`onboarding::issue_enrollment_code`: three groups of
/// four of Crockford's base32), made up.
const CODE: &str = "7K3M-Q9XZ-A2B4";

/// Fields joined by `separator`, as the two-field-splitting targets read them.
fn joined(separator: u8, fields: &[&[u8]]) -> Vec<u8> {
    fields.join(&separator)
}

/// The digest of the seed envelope stand-in: the metadata's `sha256` is its hex, the checksum
/// its base64.
fn digest() -> [u8; 32] {
    Sha256::digest(b"a sealed envelope").into()
}

pub fn tus_headers_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "tus_headers";
    let sha = hex(&digest());
    let metadata = enroll_sync::upload_metadata(REGISTRATION_ID, STATION_ID, &sha);
    let checksum = format!("sha256 {}", STANDARD.encode(digest()));
    let tus = |metadata: &str, checksum: &str, offset: &str, resumable: &str, id: &str| {
        joined(
            TUS_SEPARATOR,
            &[
                metadata.as_bytes(),
                checksum.as_bytes(),
                offset.as_bytes(),
                resumable.as_bytes(),
                id.as_bytes(),
            ],
        )
    };
    let valid = |metadata: &str| tus(metadata, &checksum, "1048576", "1.0.0", STATION_ID);
    seeds.add(target, "valid-station-upload", valid(&metadata));
    seeds.add(
        target,
        "valid-with-filename-and-spaces",
        valid(&format!(
            " {metadata} , filename {}",
            STANDARD.encode(format!("{REGISTRATION_ID}.env"))
        )),
    );
    seeds.add(
        target,
        "valid-offset-zero",
        tus(&metadata, &checksum, "0", "1.0.0", "R 1"),
    );
    seeds.add(target, "near-metadata-only", metadata.as_bytes());
    let b64 = |text: &str| STANDARD.encode(text);
    seeds.add(
        target,
        "near-station-id-twice",
        valid(&format!("{metadata},station_id {}", b64("ST-OTHER"))),
    );
    seeds.add(
        target,
        "near-sha256-upper-case",
        valid(&enroll_sync::upload_metadata(
            REGISTRATION_ID,
            STATION_ID,
            &sha.to_uppercase(),
        )),
    );
    seeds.add(
        target,
        "near-sha256-missing",
        valid(&format!(
            "registration_id {},station_id {}",
            b64(REGISTRATION_ID),
            b64(STATION_ID)
        )),
    );
    seeds.add(
        target,
        "near-station-id-control-char",
        valid(&enroll_sync::upload_metadata(REGISTRATION_ID, "ST\n1", &sha)),
    );
    seeds.add(
        target,
        "near-value-not-base64",
        valid(&metadata.replacen(&b64(STATION_ID), "ST-TEST-0001!", 1)),
    );
    seeds.add(
        target,
        "near-value-not-utf8",
        valid(&metadata.replacen(&b64(STATION_ID), &STANDARD.encode([0xc0, 0x80]), 1)),
    );
    seeds.add(
        target,
        "near-checksum-md5",
        tus(
            &metadata,
            "md5 1B2M2Y8AsgTpgAmY7PhCfg==",
            "1048576",
            "1.0.0",
            STATION_ID,
        ),
    );
    seeds.add(
        target,
        "near-checksum-31-bytes",
        tus(
            &metadata,
            &format!("sha256 {}", STANDARD.encode(&digest()[..31])),
            "1048576",
            "1.0.0",
            STATION_ID,
        ),
    );
    seeds.add(
        target,
        "near-offset-plus-sign",
        tus(&metadata, &checksum, "+5", "1.0.0", STATION_ID),
    );
    seeds.add(
        target,
        "near-offset-over-u64",
        tus(&metadata, &checksum, "18446744073709551616", "1.0.0", STATION_ID),
    );
    seeds.add(
        target,
        "near-tus-0.2.2",
        tus(&metadata, &checksum, "1048576", "0.2.2", STATION_ID),
    );
    seeds.add(
        target,
        "near-id-too-long",
        tus(&metadata, &checksum, "1048576", "1.0.0", &"S".repeat(129)),
    );
    seeds.add(
        target,
        "near-id-leading-space",
        tus(&metadata, &checksum, "1048576", "1.0.0", " ST-TEST-0001"),
    );
    Ok(())
}

pub fn station_registration_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "station_registration";
    // As `IntakeClient::register_station_with_code` writes it (compact JSON, standard base64).
    let body = json!({
        "station_id": STATION_ID,
        "name": "Kaolack centre, desk 1",
        "public_key": fuzz_station().station_public_key().to_text(),
        "enrollment_code": CODE,
    });
    let compact = |value: &Value| serde_json::to_string(value).expect("a Value always serializes");
    seeds.add(target, "valid-with-code", compact(&body));
    // With a request key and the packet key's proof, as a station sends it since signed requests.
    let request_key = ed25519_dalek::SigningKey::from_bytes(&[0x44; 32]).verifying_key().to_bytes();
    let proof = enroll_packet::signing::request_key_proof(&fuzz_station().0, STATION_ID, &request_key);
    let with_request_key = edit(&body, |v| {
        v["request_key"] = json!(STANDARD.encode(request_key));
        v["request_key_proof"] = json!(STANDARD.encode(proof));
    });
    seeds.add(target, "valid-with-request-key", with_request_key.clone());
    let wrong_station_proof = enroll_packet::signing::request_key_proof(&fuzz_station().0, "ST-OTHER", &request_key);
    seeds.add(
        target,
        "near-request-key-proof-for-another-station",
        edit(&body, |v| {
            v["request_key"] = json!(STANDARD.encode(request_key));
            v["request_key_proof"] = json!(STANDARD.encode(wrong_station_proof));
        }),
    );
    seeds.add(
        target,
        "near-request-key-without-proof",
        edit(&body, |v| v["request_key"] = json!(STANDARD.encode(request_key))),
    );
    seeds.add(
        target,
        "valid-without-code",
        edit(&body, |v| remove(v, "enrollment_code")),
    );
    seeds.add(
        target,
        "valid-code-null-name-padded-arabic",
        edit(&body, |v| {
            v["enrollment_code"] = Value::Null;
            v["name"] = json!("  مركز كاولاك  ");
        }),
    );
    seeds.add(
        target,
        "valid-code-blank",
        edit(&body, |v| v["enrollment_code"] = json!("   ")),
    );
    seeds.add(target, "near-name-blank", edit(&body, |v| v["name"] = json!(" \t ")));
    seeds.add(
        target,
        "near-name-control-char",
        edit(&body, |v| v["name"] = json!("Kaolack\u{7}")),
    );
    seeds.add(
        target,
        "near-name-201-chars",
        edit(&body, |v| v["name"] = json!("é".repeat(201))),
    );
    seeds.add(
        target,
        "near-station-id-trailing-space",
        edit(&body, |v| v["station_id"] = json!("ST-TEST-0001 ")),
    );
    seeds.add(
        target,
        "near-key-31-bytes",
        edit(&body, |v| v["public_key"] = json!(STANDARD.encode([7u8; 31]))),
    );
    let key = fuzz_station().station_public_key().to_text();
    seeds.add(
        target,
        "near-key-unpadded",
        edit(&body, |v| v["public_key"] = json!(key.trim_end_matches('='))),
    );
    // The identity point: 32 bytes that decode, of small order.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    seeds.add(
        target,
        "near-key-small-order",
        edit(&body, |v| v["public_key"] = json!(STANDARD.encode(identity))),
    );
    seeds.add(
        target,
        "near-unknown-field",
        edit(&body, |v| v["center_id"] = json!("10001")),
    );
    seeds.add(target, "near-name-missing", edit(&body, |v| remove(v, "name")));
    seeds.add(
        target,
        "near-code-a-number",
        edit(&body, |v| v["enrollment_code"] = json!(123456789012u64)),
    );
    let text = compact(&body);
    seeds.add(target, "near-cut", &text.as_bytes()[..text.len() / 2]);
    Ok(())
}

pub fn enrollment_code_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "enrollment_code";
    seeds.add(target, "valid-as-issued", CODE);
    seeds.add(target, "valid-typed-lower-case-spaces", "7k3m q9xz a2b4");
    seeds.add(target, "valid-no-separators", CODE.replace('-', ""));
    seeds.add(target, "near-letter-o", CODE.replace('0', "O").replace('Q', "O"));
    seeds.add(target, "near-11-chars", &CODE[..CODE.len() - 1]);
    seeds.add(target, "near-13-chars", format!("{CODE}C"));
    seeds.add(target, "near-en-dashes", CODE.replace('-', "\u{2013}"));
    seeds.add(target, "near-fullwidth-digit", CODE.replacen('7', "\u{ff17}", 1));
    seeds.add(target, "near-empty", "");
    Ok(())
}

pub fn retry_after_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "retry_after";
    let date = |secs: i64| {
        let now = fixed_now();
        let at = if secs >= 0 {
            now + Duration::from_secs(secs as u64)
        } else {
            now - Duration::from_secs(secs.unsigned_abs())
        };
        httpdate::fmt_http_date(at)
    };
    seeds.add(target, "valid-delta-120", "120");
    seeds.add(target, "valid-delta-zero", "0");
    seeds.add(target, "valid-delta-padded", " 30 ");
    seeds.add(target, "valid-delta-u64-max", u64::MAX.to_string());
    seeds.add(target, "valid-date-in-two-minutes", date(120));
    seeds.add(target, "valid-date-past", date(-3600));
    seeds.add(target, "valid-date-rfc850", "Sunday, 15-Jun-25 15:08:40 GMT");
    seeds.add(target, "valid-date-asctime", "Sun Jun 15 15:08:40 2025");
    seeds.add(target, "near-delta-negative", "-1");
    seeds.add(target, "near-delta-plus-sign", "+30");
    seeds.add(target, "near-delta-fraction", "1.5");
    seeds.add(target, "near-delta-over-u64", "18446744073709551616");
    seeds.add(target, "near-delta-with-unit", "30s");
    seeds.add(target, "near-date-hour-25", date(120).replace("15:08:40", "25:08:40"));
    seeds.add(target, "near-date-wrong-weekday", date(120).replace("Sun", "Mon"));
    seeds.add(target, "near-date-not-gmt", date(120).replace("GMT", "UTC"));
    seeds.add(
        target,
        "near-date-not-utf8",
        [&date(120).as_bytes()[..5], &[0xc3][..]].concat(),
    );
    seeds.add(target, "near-empty", "");
    Ok(())
}

pub fn intake_replies_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "intake_replies";
    // Error bodies as the intake writes them: `{"code": ..., "message": ...}`.
    let error_body = |error: IntakeError| {
        serde_json::to_string(&json!({"code": error.code(), "message": error.to_string()}))
            .expect("a Value always serializes")
    };
    let pending = error_body(IntakeError::StationPending(STATION_ID.into()));
    seeds.add(target, "valid-error-station-pending", pending.clone());
    seeds.add(
        target,
        "valid-error-enrollment-code-invalid",
        error_body(IntakeError::EnrollmentCodeInvalid),
    );
    seeds.add(
        target,
        "valid-error-offset-mismatch",
        error_body(IntakeError::OffsetMismatch {
            expected: 1_048_576,
            got: 0,
        }),
    );
    seeds.add(
        target,
        "valid-error-duplicate-registration",
        error_body(IntakeError::DuplicateRegistration(REGISTRATION_ID.into())),
    );
    seeds.add(target, "near-error-cut", &pending.as_bytes()[..pending.len() / 2]);
    seeds.add(
        target,
        "near-error-code-a-number",
        r#"{"code":403,"message":"forbidden"}"#,
    );
    seeds.add(
        target,
        "near-error-code-twice",
        r#"{"code":"station_pending","code":"x"}"#,
    );
    seeds.add(
        target,
        "near-error-a-list",
        r#"["station_pending","waits for approval"]"#,
    );
    seeds.add(
        target,
        "near-proxy-page",
        format!(
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>{}</body></html>",
            "<!-- padding -->".repeat(12)
        ),
    );
    seeds.add(target, "near-not-utf8", b"Service Unavailable \xc3\x28 \xff".as_slice());

    // HEAD answers: Upload-Offset, Upload-Length, Upload-Metadata and the key looked up.
    let sha = hex(&digest());
    let metadata = enroll_sync::upload_metadata(REGISTRATION_ID, STATION_ID, &sha);
    let head = |offset: &str, length: &str, metadata: &str, key: &str| {
        joined(
            REPLY_SEPARATOR,
            &[
                offset.as_bytes(),
                length.as_bytes(),
                metadata.as_bytes(),
                key.as_bytes(),
            ],
        )
    };
    seeds.add(
        target,
        "valid-head-station-id",
        head("1048576", "2097152", &metadata, "station_id"),
    );
    seeds.add(target, "valid-head-sha256", head("0", "2097152", &metadata, "sha256"));
    seeds.add(
        target,
        "near-head-offset-plus-sign",
        head("+42", "2097152", &metadata, "registration_id"),
    );
    seeds.add(
        target,
        "near-head-offset-padded",
        head(" 42 ", "2097152", &metadata, "registration_id"),
    );
    seeds.add(
        target,
        "near-head-length-over-u64",
        head("0", "18446744073709551616", &metadata, "sha256"),
    );
    seeds.add(
        target,
        "near-head-value-not-base64",
        head(
            "0",
            "1",
            &metadata.replacen(&STANDARD.encode(STATION_ID), "ST!", 1),
            "station_id",
        ),
    );
    seeds.add(
        target,
        "near-head-value-not-utf8",
        head(
            "0",
            "1",
            &metadata.replacen(&STANDARD.encode(STATION_ID), &STANDARD.encode([0xc0, 0x80]), 1),
            "station_id",
        ),
    );
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A `signed_request` input: the fields in the target's order, headers as `name: value` lines.
fn signed_request_input(
    method: &str,
    path: &str,
    query: &str,
    fields: &enroll_packet::request_signature::SignatureFields,
    headers: &[(&str, &str)],
) -> Vec<u8> {
    let headers: String = headers.iter().map(|(name, value)| format!("{name}: {value}\n")).collect();
    joined(
        TUS_SEPARATOR,
        &[
            method.as_bytes(),
            path.as_bytes(),
            query.as_bytes(),
            fields.signature_input.as_bytes(),
            fields.signature.as_bytes(),
            headers.as_bytes(),
        ],
    )
}

pub fn signed_request_seeds(seeds: &mut Seeds) -> Result<()> {
    use enroll_fuzz::intake_targets::SIGNED_REQUEST_NOW;
    use enroll_packet::request_signature::{self as rs, RequestParts, SignatureParams};
    let target = "signed_request";
    // The request key of the made-up fuzz station (a fixed seed: the seeds stay the same).
    let key = ed25519_dalek::SigningKey::from_bytes(&[0x44; 32]);
    let checksum = format!("sha256 {}", STANDARD.encode(digest()));
    let headers = [
        ("Tus-Resumable", "1.0.0"),
        ("Upload-Offset", "65536"),
        ("Content-Type", "application/offset+octet-stream"),
        ("Upload-Checksum", checksum.as_str()),
    ];
    let path = "/v1/uploads/4f1c2b7e9a0d4e6f8a1b2c3d4e5f6a7b";
    let parts = |method: &str, query: Option<&str>, headers: &[(&str, &str)]| RequestParts {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.map(str::to_owned),
        headers: headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
    };
    let params = |request: &RequestParts, created: i64| SignatureParams {
        label: rs::LABEL.to_owned(),
        components: rs::components_to_cover(request),
        created,
        expires: None,
        nonce: "bm9uY2Utb2YtdGhlLXNlZWQ".to_owned(),
        keyid: rs::key_id(&key.verifying_key().to_bytes()),
        alg: Some(rs::ALGORITHM.to_owned()),
        tag: None,
    };
    let signed = |request: &RequestParts, params: &SignatureParams| {
        rs::sign(request, params, &key).map_err(|error| format!("signing a seed: {error}"))
    };

    let patch = parts("PATCH", None, &headers);
    let good = signed(&patch, &params(&patch, SIGNED_REQUEST_NOW - 5))?;
    seeds.add(target, "valid-patch", signed_request_input("PATCH", path, "", &good, &headers));
    let receipt = parts("GET", None, &[]);
    let fields = signed(&receipt, &params(&receipt, SIGNED_REQUEST_NOW))?;
    seeds.add(
        target,
        "valid-receipt",
        signed_request_input("GET", &format!("{path}/receipt"), "", &fields, &[]),
    );
    let with_query = parts("GET", Some("since=2026-12-01"), &[]);
    let fields = signed(&with_query, &params(&with_query, SIGNED_REQUEST_NOW + 60))?;
    seeds.add(
        target,
        "valid-with-query",
        signed_request_input("GET", path, "since=2026-12-01", &fields, &[]),
    );

    let moved = [headers[0], ("Upload-Offset", "0"), headers[2], headers[3]];
    seeds.add(target, "near-offset-changed", signed_request_input("PATCH", path, "", &good, &moved));
    let stale = signed(&patch, &params(&patch, SIGNED_REQUEST_NOW - 301))?;
    seeds.add(target, "near-created-too-old", signed_request_input("PATCH", path, "", &stale, &headers));
    let mut narrow = params(&patch, SIGNED_REQUEST_NOW);
    narrow.components.retain(|component| component != "upload-offset");
    let fields = signed(&patch, &narrow)?;
    seeds.add(
        target,
        "near-offset-not-covered",
        signed_request_input("PATCH", path, "", &fields, &headers),
    );
    let no_signature = rs::SignatureFields {
        signature_input: good.signature_input.clone(),
        signature: String::new(),
    };
    seeds.add(
        target,
        "near-signature-missing",
        signed_request_input("PATCH", path, "", &no_signature, &headers),
    );
    let short_nonce = rs::SignatureFields {
        signature_input: good.signature_input.replace("bm9uY2Utb2YtdGhlLXNlZWQ", "abc"),
        signature: good.signature.clone(),
    };
    seeds.add(
        target,
        "near-nonce-short",
        signed_request_input("PATCH", path, "", &short_nonce, &headers),
    );
    let other_key = rs::SignatureFields {
        signature_input: good
            .signature_input
            .replace(&rs::key_id(&key.verifying_key().to_bytes()), &rs::key_id(&[9; 32])),
        signature: good.signature.clone(),
    };
    seeds.add(
        target,
        "near-keyid-not-a-key",
        signed_request_input("PATCH", path, "", &other_key, &headers),
    );
    Ok(())
}

pub fn status_query_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "status_query";
    // As `IntakeClient::packet_statuses` writes it.
    let body = json!({ "registration_ids": [REGISTRATION_ID, "10001-20250101-000002"] });
    seeds.add(target, "valid-two", edit(&body, |_| {}));
    seeds.add(
        target,
        "valid-five-hundred",
        edit(&body, |v| {
            v["registration_ids"] = json!((0..500).map(|n| format!("10001-20250101-{n:06}")).collect::<Vec<_>>())
        }),
    );
    seeds.add(target, "near-empty", edit(&body, |v| v["registration_ids"] = json!([])));
    seeds.add(
        target,
        "near-five-hundred-and-one",
        edit(&body, |v| {
            v["registration_ids"] = json!((0..501).map(|n| format!("10001-20250101-{n:06}")).collect::<Vec<_>>())
        }),
    );
    seeds.add(
        target,
        "near-repeated",
        edit(&body, |v| v["registration_ids"] = json!([REGISTRATION_ID, REGISTRATION_ID])),
    );
    seeds.add(
        target,
        "near-unknown-field",
        edit(&body, |v| v["station_id"] = json!(STATION_ID)),
    );
    seeds.add(target, "near-id-a-number", edit(&body, |v| v["registration_ids"] = json!([7])));
    Ok(())
}
