//! The fuzz targets over what MOSIP SBI device services answer: `sbi_json` (the JSON of
//! discovery, device info, capture and stream answers, and the requests our own SBI service
//! reads) and `sbi_jws` (compact JWS values checked against a trust store). A device service is
//! any program on a loopback port, so its answers are outside input. Must never panic or hang.
//!
//! Compiled into the fuzz binaries and, through `#[path]`, into
//! `device-drivers/tests/fuzz_regressions`; so it uses only `enroll-devices`, `serde_json` and
//! `time`, which that crate has too. The trust store is the fuzz CA's certificate in
//! `fuzz/sbi-test-ca/` (made once by `write_seeds`, committed), so that the valid seeds verify
//! all the way to a trusted CA.
//!
//! Deliberately absent: the client's checks of a whole capture (`SbiClient::check_capture`
//! needs a client with its HTTP stack and a verified device; the parts it is made of are here),
//! and the M-JPEG preview stream.

use std::fmt::Debug;

use enroll_devices::sbi::client::device_kind;
use enroll_devices::sbi::hash_chain;
use enroll_devices::sbi::jws::{base64url_decode, Jws};
use enroll_devices::sbi::messages::{
    modality_from_bio_type, position_from_bio_sub_type, CaptureData, DeviceInfoEntry, DeviceInfoPayload, DigitalId,
    DiscoveryEntry, DiscoveryRequest, RCaptureRequest, RCaptureResponse, SbiErrorObject, StreamErrorAnswer,
    StreamRequest,
};
use enroll_devices::sbi::{TrustPolicy, TrustStore};
use enroll_devices::DeviceTrust;
use serde::de::DeserializeOwned;
use serde::Serialize;
use time::OffsetDateTime;

/// The fuzz CA's certificate: the one trust anchor of `sbi_jws`.
pub const FUZZ_CA_PEM: &str = include_str!("../sbi-test-ca/ca.pem");

/// The station's clock for `sbi_jws`: 2026-01-01T00:00:00Z, inside the fuzz CA's and its
/// device certificate's validity (`write_seeds` makes them valid from 2025-01-01), fixed so that
/// a replay gives the same answer in every year.
pub const FUZZ_NOW_UNIX: i64 = 1_767_225_600;

/// Every SBI message type, read from the same bytes: a discovery answer (0.9.5 or 1.0), a
/// device info answer, a capture answer, a stream's error answer, the signed payloads (device
/// info, digital id, capture data) and the requests our SBI service reads. What parses must
/// write back to JSON that reads as the same value, and the helpers the client applies to each
/// field must take any value.
pub fn sbi_json(data: &[u8]) {
    if let Some(entries) = round_trip::<Vec<DiscoveryEntry>>(data) {
        for entry in &entries {
            error_code(entry.error.as_ref());
            // At discovery the digital id is unsigned: base64url of its JSON.
            if let Some(digital_id) = &entry.digital_id {
                if let Ok(json) = base64url_decode(digital_id) {
                    if let Ok(digital_id) = serde_json::from_slice::<DigitalId>(&json) {
                        let _ = device_kind(&digital_id);
                    }
                }
            }
        }
    }
    if let Some(entries) = round_trip::<Vec<DeviceInfoEntry>>(data) {
        for entry in &entries {
            error_code(entry.error.as_ref());
        }
    }
    if let Some(response) = round_trip::<RCaptureResponse>(data) {
        for entry in &response.biometrics {
            error_code(entry.error.as_ref());
            // A link read from hex writes back to the same hex, whatever its case; an empty
            // text is the genesis link.
            if let Some(link) = hash_chain::from_hex(&entry.hash) {
                let hash = entry.hash.trim();
                if hash.is_empty() {
                    assert_eq!(link, hash_chain::genesis());
                } else {
                    assert!(hash_chain::to_hex(&link).eq_ignore_ascii_case(hash), "{hash}");
                }
            }
        }
    }
    if let Some(answer) = round_trip::<StreamErrorAnswer>(data) {
        error_code(Some(&answer.error));
    }
    if let Some(payload) = round_trip::<DeviceInfoPayload>(data) {
        let _ = base64url_decode(&payload.digital_id);
    }
    if let Some(digital_id) = round_trip::<DigitalId>(data) {
        let _ = device_kind(&digital_id);
    }
    if let Some(capture) = round_trip::<CaptureData>(data) {
        if let Some(modality) = modality_from_bio_type(&capture.bio_type) {
            let _ = position_from_bio_sub_type(modality, &capture.bio_sub_type);
        }
        let _ = base64url_decode(&capture.bio_value);
    }
    if let Some(request) = round_trip::<RCaptureRequest>(data) {
        for bio in &request.bio {
            if let Some(modality) = modality_from_bio_type(&bio.bio_type) {
                for name in bio.bio_sub_type.iter().chain(&bio.exception) {
                    let _ = position_from_bio_sub_type(modality, name);
                }
            }
            if let Some(previous) = &bio.previous_hash {
                let _ = hash_chain::from_hex(previous);
            }
        }
    }
    round_trip::<StreamRequest>(data);
    round_trip::<DiscoveryRequest>(data);
}

/// `data` as a `T`, when it is one; a `T` writes back to JSON that reads as the same `T`.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(data: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(data).ok()?;
    let written = serde_json::to_vec(&value).expect("an SBI message read from JSON writes as JSON");
    let again: T = serde_json::from_slice(&written).unwrap_or_else(|e| {
        panic!(
            "an SBI message does not read back from its own JSON ({e}): {}",
            String::from_utf8_lossy(&written)
        )
    });
    assert_eq!(again, value, "an SBI message changed when written and read again");
    Some(value)
}

/// The client reads a missing or empty code as success and anything else as a number or not.
fn error_code(error: Option<&SbiErrorObject>) {
    if let Some(error) = error {
        let code = error.code();
        if error.error_code.as_deref().is_none_or(|c| c.trim().is_empty()) {
            assert_eq!(code, Some(0), "a missing error code means success");
        }
    }
}

/// `Jws::parse` and its accessors, then the station's policy on the same text, strict (the fuzz
/// CA trusted) and in developer mode, and once more on the digital id inside a verified device
/// info. What the strict policy accepts has a signature that verifies against its own
/// certificate, the developer-mode policy accepts it the same way, and a refusal is a protocol
/// or trust error, never anything else.
pub fn sbi_jws(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Jws::parse(text);
    if let Ok(jws) = &parsed {
        let _ = jws.signer_certificate();
        let _ = jws.intermediates();
        let _ = jws.verify_signature();
    }
    let Some(payload) = check_with_both_policies(text, &parsed) else {
        return;
    };
    // A verified device info names its device by a digital id signed the same way.
    if let Ok(info) = serde_json::from_slice::<DeviceInfoPayload>(&payload) {
        let digital_id = info.digital_id.clone();
        check_with_both_policies(&digital_id, &Jws::parse(&digital_id));
    }
}

/// The strict and the developer-mode check of `text`; the payload when the strict one passed.
fn check_with_both_policies(text: &str, parsed: &Result<Jws, enroll_devices::DeviceError>) -> Option<Vec<u8>> {
    let now = OffsetDateTime::from_unix_timestamp(FUZZ_NOW_UNIX).expect("a fixed time in range");
    let strict = policy(false).check(text, now);
    let developer = policy(true).check(text, now);
    match strict {
        Ok(checked) => {
            assert_eq!(checked.trust, DeviceTrust::Verified);
            let jws = parsed
                .as_ref()
                .expect("a value the strict policy accepts parses as a JWS");
            assert!(
                jws.verify_signature().is_ok(),
                "the strict policy accepted a signature that does not verify"
            );
            assert_eq!(checked.payload, jws.payload());
            assert_eq!(
                developer.as_ref().ok(),
                Some(&checked),
                "developer mode refused or marked down what the strict policy verified"
            );
            Some(checked.payload)
        }
        Err(error) => {
            assert!(
                matches!(error.code(), "device_protocol" | "device_untrusted"),
                "{error:?}"
            );
            if let Ok(checked) = developer {
                assert_eq!(checked.trust, DeviceTrust::DeveloperMode);
            }
            None
        }
    }
}

fn policy(developer_mode: bool) -> TrustPolicy {
    let mut store = TrustStore::empty();
    store
        .add_pem(FUZZ_CA_PEM.as_bytes())
        .expect("fuzz/sbi-test-ca/ca.pem is a certificate (write_seeds made it)");
    TrustPolicy { store, developer_mode }
}
