//! The seeds of `sbi_json` and `sbi_jws`: SBI answers as a device service sends them (both spec
//! versions' spellings), and compact JWS values signed by the fuzz CA's device key.
//!
//! The fuzz CA lives in `fuzz/sbi-test-ca/` (committed): `DeviceCa::load_or_create` makes it
//! the first time (2048-bit RSA key generation takes seconds, and its randomness would change
//! every seed) and loads it afterwards, so the seeds are the same bytes on every run: RS256
//! (PKCS#1 v1.5) signatures are deterministic. Its keys protect nothing; the CA is valid from
//! 2025-01-01, and `sbi_targets::FUZZ_NOW_UNIX` checks at a time inside that.
//!
//! Deliberately absent: anything from a real device or `../shared/fixtures`.

use std::path::Path;
use std::time::{Duration, SystemTime};

use base64::Engine;
use enroll_devices::sbi::hash_chain;
use enroll_devices::sbi::jws::{base64url_decode, base64url_encode, sign};
use enroll_devices::sbi::{DeviceCa, TrustPolicy, TrustStore};
use enroll_devices::DeviceTrust;
use enroll_fuzz::sbi_targets::{FUZZ_CA_PEM, FUZZ_NOW_UNIX};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

use super::{edit, flip, to_json, Result, Seeds};

/// 2025-01-01T00:00:00Z: when the fuzz CA's certificates start (less the hour the CA code
/// allows for slow clocks).
const CA_CREATED_UNIX: u64 = 1_735_689_600;

/// The fuzz CA's keys and certificates, as `write_seeds` signs with them.
struct FuzzCa {
    ca: DeviceCa,
    ca_key: RsaPrivateKey,
    device_key: RsaPrivateKey,
    ca_der: Vec<u8>,
    device_der: Vec<u8>,
}

fn fuzz_ca(fuzz_dir: &Path) -> Result<FuzzCa> {
    let dir = fuzz_dir.join("sbi-test-ca");
    let created = SystemTime::UNIX_EPOCH + Duration::from_secs(CA_CREATED_UNIX);
    let ca = DeviceCa::load_or_create(&dir, "Fuzz", created).map_err(|e| e.to_string())?;
    let key = |file: &str| -> Result<RsaPrivateKey> {
        let text = std::fs::read_to_string(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
        RsaPrivateKey::from_pkcs8_pem(&text).map_err(|e| format!("{file}: {e}"))
    };
    Ok(FuzzCa {
        ca_key: key("ca-key.pem")?,
        device_key: key("device-key.pem")?,
        ca_der: pem_body(ca.ca_certificate_pem())?,
        device_der: pem_body(&std::fs::read_to_string(dir.join("device.pem")).map_err(|e| e.to_string())?)?,
        ca,
    })
}

/// The DER inside a one-certificate PEM text.
fn pem_body(pem: &str) -> Result<Vec<u8>> {
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("a fuzz CA certificate is not PEM: {e}"))
}

/// A compact JWS with a header of our choosing, signed with `key`: for the header spellings
/// `jws::sign` does not write (`x5c` as a bare string).
fn sign_with_header(header: &Value, payload: &[u8], key: &RsaPrivateKey) -> String {
    let input = format!(
        "{}.{}",
        base64url_encode(to_json(header).as_bytes()),
        base64url_encode(payload)
    );
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes());
    format!("{input}.{}", base64url_encode(&signature.to_bytes()))
}

/// The parts of a compact JWS, with one replaced.
fn replace_part(compact: &str, index: usize, with: &str) -> String {
    let mut parts: Vec<&str> = compact.split('.').collect();
    parts[index] = with;
    parts.join(".")
}

/// `face_record` is the ISO/IEC 19794-5 record the capture answer carries.
pub fn sbi_seeds(seeds: &mut Seeds, fuzz_dir: &Path, face_record: &[u8]) -> Result<()> {
    let ca = fuzz_ca(fuzz_dir)?;
    let signer = ca.ca.signer();

    // A simulated face camera's identity, as the signed values of every answer name it.
    let digital_id = json!({
        "serialNo": "FZ-0001", "make": "Simulated", "model": "Fuzz face", "type": "Face",
        "deviceSubType": "Full face", "deviceProvider": "Enrollment station fuzz",
        "deviceProviderId": "enroll.fuzz", "dateTime": "2025-06-01T09:00:00Z"
    });
    let digital_id_json = to_json(&digital_id);
    let digital_id_jws = signer.sign(digital_id_json.as_bytes());
    let info = json!({
        "deviceStatus": "Ready", "serialNo": "FZ-0001", "firmware": "1.0.0", "certification": "L0",
        "serviceVersion": "1.0", "deviceSubId": ["0"], "callbackId": "http://127.0.0.1:4501/",
        "digitalId": digital_id_jws, "deviceCode": "fz-code-1", "env": "Staging",
        "purpose": "Registration", "specVersion": ["1.0"]
    });
    let info_jws = signer.sign(to_json(&info).as_bytes());
    let capture = json!({
        "digitalId": digital_id_jws, "bioType": "Face", "deviceCode": "fz-code-1",
        "deviceServiceVersion": "1.0", "bioSubType": "", "purpose": "Registration",
        "env": "Staging", "bioValue": base64url_encode(face_record),
        "transactionId": "fz-transaction-1", "timestamp": "2026-01-01T00:00:00Z",
        "requestedScore": 40, "qualityScore": "87.5"
    });
    let capture_json = to_json(&capture);
    let capture_jws = signer.sign(capture_json.as_bytes());

    let target = "sbi_jws";
    seeds.add(target, "valid-device-info", info_jws.clone());
    seeds.add(target, "valid-digital-id", digital_id_jws.clone());
    seeds.add(target, "valid-capture-data", capture_jws.clone());
    seeds.add(
        target,
        "valid-chain-with-ca-in-x5c",
        sign(
            digital_id_json.as_bytes(),
            &ca.device_key,
            &[ca.device_der.clone(), ca.ca_der.clone()],
        ),
    );
    seeds.add(
        target,
        "valid-signed-by-the-ca-itself",
        sign(digital_id_json.as_bytes(), &ca.ca_key, std::slice::from_ref(&ca.ca_der)),
    );
    let bare_x5c = json!({
        "alg": "RS256",
        "x5c": base64::engine::general_purpose::STANDARD.encode(&ca.device_der)
    });
    seeds.add(
        target,
        "valid-x5c-a-bare-string",
        sign_with_header(&bare_x5c, digital_id_json.as_bytes(), &ca.device_key),
    );
    seeds.add(
        target,
        "valid-unsigned-payload-only",
        base64url_encode(digital_id_json.as_bytes()),
    );
    let signature_at = digital_id_jws.rfind('.').ok_or("a JWS without dots")? + 5;
    let mut flipped = digital_id_jws.clone().into_bytes();
    // One base64url letter for another keeps the text base64url and changes the signature.
    flipped[signature_at] = if flipped[signature_at] == b'A' { b'B' } else { b'A' };
    // The valid ones must pass the target's strict check, or they would not be valid seeds.
    let now = time::OffsetDateTime::from_unix_timestamp(FUZZ_NOW_UNIX).map_err(|e| e.to_string())?;
    let mut store = TrustStore::empty();
    store.add_pem(FUZZ_CA_PEM.as_bytes())?;
    let strict = TrustPolicy {
        store,
        developer_mode: false,
    };
    for ((seed_target, name), bytes) in &seeds.0 {
        if *seed_target == target && name.starts_with("valid-") && name != "valid-unsigned-payload-only" {
            let text = String::from_utf8_lossy(bytes);
            match strict.check(&text, now) {
                Ok(checked) if checked.trust == DeviceTrust::Verified => {}
                other => return Err(format!("the sbi_jws seed {name} does not verify: {other:?}")),
            }
        }
    }
    seeds.add(target, "near-signature-altered", flipped);
    seeds.add(
        target,
        "near-payload-of-another-value",
        replace_part(&digital_id_jws, 1, &base64url_encode(capture_json.as_bytes())),
    );
    let alg_none = json!({"alg": "none", "x5c": [base64::engine::general_purpose::STANDARD.encode(&ca.device_der)]});
    seeds.add(
        target,
        "near-alg-none",
        replace_part(&digital_id_jws, 0, &base64url_encode(to_json(&alg_none).as_bytes())),
    );
    seeds.add(
        target,
        "near-x5c-removed",
        replace_part(
            &digital_id_jws,
            0,
            &base64url_encode(to_json(&json!({"alg": "RS256"})).as_bytes()),
        ),
    );
    seeds.add(
        target,
        "near-signed-by-device-named-the-ca",
        sign(
            digital_id_json.as_bytes(),
            &ca.device_key,
            std::slice::from_ref(&ca.ca_der),
        ),
    );
    // A byte of the certificate changed inside the header: the DER may still parse, and then
    // the signature or the chain fails.
    let header = base64url_decode(digital_id_jws.split('.').next().unwrap_or_default()).map_err(|e| e.to_string())?;
    let mut header: Value = serde_json::from_slice(&header).map_err(|e| e.to_string())?;
    let mut der = ca.device_der.clone();
    let middle = der.len() / 2;
    der[middle] ^= 0x01;
    header["x5c"] = json!([base64::engine::general_purpose::STANDARD.encode(&der)]);
    seeds.add(
        target,
        "near-certificate-byte-flipped",
        replace_part(&digital_id_jws, 0, &base64url_encode(to_json(&header).as_bytes())),
    );
    seeds.add(target, "near-cut", &info_jws.as_bytes()[..info_jws.len() / 2]);
    seeds.add(target, "near-four-parts", format!("{digital_id_jws}.AAAA"));

    let target = "sbi_json";
    let discovery = json!([{
        "serialNo": "FZ-0001", "deviceStatus": "Ready", "certification": "L0", "serviceVersion": "1.0",
        "deviceSubId": ["1", "2", "3"], "callbackId": "http://127.0.0.1:4501/",
        "digitalId": base64url_encode(digital_id_json.as_bytes()), "deviceCode": "fz-code-1",
        "specVersion": ["1.0"], "purpose": "Registration",
        "error": {"errorCode": "0", "errorInfo": "Success"}
    }]);
    seeds.add(target, "valid-discovery-1.0", to_json(&discovery));
    // 0.9.5 as services write it: numbers bare, lower-case error keys, one version unlisted.
    let discovery_095 = json!([{
        "deviceId": 1, "deviceStatus": "Ready", "certification": "L0", "serviceVersion": "0.9.5",
        "deviceSubId": [1, 2, 3], "callbackId": "http://127.0.0.1:4501/", "digitalId": "",
        "deviceCode": "", "specVersion": "0.9.5", "purpose": "Registration",
        "error": {"errorcode": 0, "errorinfo": "Success"}
    }]);
    seeds.add(target, "valid-discovery-0.9.5", to_json(&discovery_095));
    let info_answer = json!([
        {"deviceInfo": info_jws, "error": {"errorCode": "0", "errorInfo": "Success"}},
        {"deviceInfo": "", "error": {"errorCode": "100", "errorInfo": "Device not registered"}}
    ]);
    seeds.add(target, "valid-info-answer", to_json(&info_answer));
    let link = hash_chain::next(&hash_chain::genesis(), face_record);
    let capture_answer = json!({"biometrics": [{
        "specVersion": "1.0", "data": capture_jws, "hash": hash_chain::to_hex(&link),
        "error": {"errorCode": "0", "errorInfo": "Success"}
    }]});
    seeds.add(target, "valid-capture-answer", to_json(&capture_answer));
    seeds.add(target, "valid-device-info-payload", to_json(&info));
    seeds.add(target, "valid-digital-id", digital_id_json.clone());
    seeds.add(target, "valid-capture-data", capture_json.clone());
    let capture_request = json!({
        "env": "Staging", "purpose": "Registration", "specVersion": "1.0", "timeout": "10000",
        "captureTime": "2026-01-01T00:00:00Z", "transactionId": "fz-transaction-1",
        "bio": [{
            "type": "Finger", "count": 4, "bioSubType": ["Left IndexFinger", "LF_MIDDLE"],
            "exception": ["Left RingFinger"], "requestedScore": "40", "deviceId": 1,
            "deviceSubId": "1", "previousHash": hash_chain::to_hex(&hash_chain::genesis())
        }],
        "customOpts": null
    });
    seeds.add(target, "valid-capture-request", to_json(&capture_request));
    seeds.add(
        target,
        "valid-stream-request",
        to_json(&json!({"type": "Finger", "serialNo": "FZ-0001", "deviceSubId": 1, "timeout": 5000})),
    );
    seeds.add(
        target,
        "valid-stream-error",
        to_json(&json!({"error": {"errorCode": "604", "errorInfo": "Device not ready"}})),
    );
    seeds.add(
        target,
        "valid-discovery-request",
        to_json(&json!({"type": "Biometric Device", "specVersion": "1.0"})),
    );
    let discovery_text = to_json(&discovery);
    seeds.add(
        target,
        "near-discovery-cut",
        &discovery_text.as_bytes()[..discovery_text.len() / 2],
    );
    seeds.add(
        target,
        "near-error-code-not-a-number",
        edit(&capture_answer, |v| {
            v["biometrics"][0]["error"]["errorCode"] = json!("E-100")
        }),
    );
    seeds.add(
        target,
        "near-sub-ids-an-object",
        edit(&discovery, |v| v[0]["deviceSubId"] = json!({"1": "left"})),
    );
    seeds.add(
        target,
        "near-biometrics-not-a-list",
        edit(&capture_answer, |v| v["biometrics"] = json!("none")),
    );
    seeds.add(
        target,
        "near-quality-score-not-a-number",
        edit(&capture, |v| v["qualityScore"] = json!("high")),
    );
    seeds.add(
        target,
        "near-timeout-negative",
        edit(&capture_request, |v| v["timeout"] = json!(-1)),
    );
    seeds.add(
        target,
        "near-hash-one-digit-changed",
        flip(
            to_json(&capture_answer).as_bytes(),
            to_json(&capture_answer).find("\"hash\"").ok_or("no hash")? + 10,
        ),
    );
    Ok(())
}
