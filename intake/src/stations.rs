//! `POST /v1/stations`: a station announces its id and Ed25519 public key, with the one-time
//! enrollment code its admin typed, if the register gave one.
//!
//! Registration is idempotent for the same key, and a key is never replaced: a different key
//! for a known id is refused with `409 station_exists`, because replacing it would let anyone
//! who knows a station id sign packets as that station. The answer says where the station
//! stands: `approved`, or `pending` until the register's operator approves it (see
//! `crate::onboarding`, which also keeps the rules of codes and revocation).
//!
//! The body's own rules (JSON shape, id, name, key) are [`parse_registration`], a pure function
//! the handler calls first and the fuzzer calls alone.
//!
//! A station also names its request key (the key that signs its requests, see
//! `crate::request_auth`) with the packet key's proof; a new proven request key replaces the
//! last one, which is how a station rotates it. The packet key itself is never replaced.

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::Engine as _;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::blocking;
use crate::onboarding::StationOutcome;
use crate::tus_headers::validate_id;
use crate::{IntakeError, IntakeState};

/// Longest station name kept; names are for people, not identifiers.
const MAX_NAME_LEN: usize = 200;
/// A registration is three short strings; anything larger is not one.
const MAX_BODY_BYTES: usize = 16 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StationRegistration {
    station_id: String,
    name: String,
    /// Standard base64 of the 32-byte Ed25519 public key.
    public_key: String,
    /// The one-time code the register issued, as typed (see `crate::onboarding`).
    #[serde(default)]
    enrollment_code: Option<String>,
    /// Standard base64 of the 32-byte Ed25519 key that signs the station's requests
    /// (`crate::request_auth`), with `request_key_proof`.
    #[serde(default)]
    request_key: Option<String>,
    /// Standard base64 of the packet key's signature vouching for `request_key`
    /// (`enroll_packet::signing::request_key_proof`).
    #[serde(default)]
    request_key_proof: Option<String>,
}

/// A registration body that passed every rule that needs no database: what
/// [`parse_registration`] gives the handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRegistration {
    /// Valid per [`validate_id`].
    pub station_id: String,
    /// Trimmed; 1 to 200 characters, none of them a control character.
    pub name: String,
    /// The Ed25519 public key, a canonical point of large order.
    pub public_key: [u8; 32],
    /// The enrollment code as typed, or `None` when absent or blank. Not normalized here: a
    /// malformed code is refused with `enrollment_code_invalid` where codes are checked
    /// (`crate::onboarding`), not as a bad request.
    pub enrollment_code: Option<String>,
    /// The key that signs the station's requests, its proof by the packet key checked.
    pub request_key: Option<[u8; 32]>,
}

/// Reads the JSON body of `POST /v1/stations` under the API's rules, with no storage and no
/// clock, so that every rule a station's body must pass is in one function the fuzzer can call.
/// Every refusal is a [`IntakeError::BadRequest`] saying the expected form.
pub fn parse_registration(body: &[u8]) -> Result<ParsedRegistration, IntakeError> {
    let registration: StationRegistration = serde_json::from_slice(body).map_err(|error| {
        IntakeError::BadRequest(format!(
            "the body must be JSON {{\"station_id\": \"...\", \"name\": \"...\", \"public_key\": \"<base64>\"}} ({error})"
        ))
    })?;
    let station_id = validate_id("station_id", registration.station_id)?;
    let name = registration.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return Err(IntakeError::BadRequest(format!(
            "the station name must be 1 to {MAX_NAME_LEN} characters without control characters"
        )));
    }
    let public_key = decode_public_key(&registration.public_key)?;
    let request_key = match (registration.request_key, registration.request_key_proof) {
        (None, None) => None,
        (Some(request_key), Some(proof)) => Some(proven_request_key(&station_id, &public_key, &request_key, &proof)?),
        _ => return Err(IntakeError::BadRequest(
            "request_key and request_key_proof come together: the key, and the packet key's signature vouching for it"
                .to_owned(),
        )),
    };
    Ok(ParsedRegistration {
        station_id,
        name,
        public_key,
        enrollment_code: registration.enrollment_code.filter(|code| !code.trim().is_empty()),
        request_key,
    })
}

/// `POST /v1/stations` → `201` (new) or `200` (same key again) with
/// `{"station_id": ..., "status": "approved" | "pending"}`.
#[tracing::instrument(skip(state, body))]
pub async fn register_station(
    State(state): State<IntakeState>,
    body: Body,
) -> Result<(StatusCode, Json<serde_json::Value>), IntakeError> {
    // The body is read and parsed here rather than by axum's `Json` extractor so that every
    // refusal (too large, not JSON) gets this API's `{code, message}` answer.
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        IntakeError::BadRequest(format!(
            "the body is not readable or larger than {MAX_BODY_BYTES} bytes"
        ))
    })?;
    let ParsedRegistration {
        station_id,
        name,
        public_key,
        enrollment_code: code,
        request_key,
    } = parse_registration(&body)?;

    let storage = state.storage();
    let now = OffsetDateTime::now_utc();
    let id_for_storage = station_id.clone();
    let approval = state.station_approval();
    let outcome = blocking(move || {
        storage.register_station(
            &id_for_storage,
            &name,
            &public_key,
            request_key.as_ref(),
            code.as_deref(),
            approval,
            now,
        )
    })
    .await?;
    let (http_status, status) = match outcome {
        StationOutcome::Created(status) => {
            tracing::info!(%station_id, status = status.as_str(), "station registered");
            (StatusCode::CREATED, status)
        }
        StationOutcome::AlreadyRegistered(status) => (StatusCode::OK, status),
        StationOutcome::DifferentKey => return Err(IntakeError::StationExists(station_id)),
    };
    Ok((
        http_status,
        Json(serde_json::json!({ "station_id": station_id, "status": status.as_str() })),
    ))
}

/// A request key and its proof: a key under the same rule as the packet key, and the packet
/// key's signature over it and the station id (`enroll_packet::signing::request_key_proof`).
fn proven_request_key(
    station_id: &str,
    packet_key: &[u8; 32],
    request_key: &str,
    proof: &str,
) -> Result<[u8; 32], IntakeError> {
    let request_key = enroll_packet::StationPublicKey::from_text(request_key)
        .map(|key| key.0)
        .map_err(|error| {
            IntakeError::BadRequest(format!(
                "request_key must be an Ed25519 public key in standard base64 with padding ({error})"
            ))
        })?;
    let proof: [u8; 64] = base64::engine::general_purpose::STANDARD
        .decode(proof)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            IntakeError::BadRequest("request_key_proof must be a 64-byte signature in standard base64".to_owned())
        })?;
    let packet_key = enroll_packet::signing::ed25519_public_key(packet_key, "station public key")
        .map_err(|error| IntakeError::BadRequest(error.to_string()))?;
    enroll_packet::signing::verify_request_key_proof(&packet_key, station_id, &request_key, &proof).map_err(|_| {
        IntakeError::BadRequest(
            "request_key_proof does not verify with the station's public key: the request key is not vouched for"
                .to_owned(),
        )
    })?;
    Ok(request_key)
}

/// Reads a station key in the text form of `schemas/packet-envelope.md` §2 under its key rule:
/// padded standard base64 of 32 bytes that are the canonical encoding of an Ed25519 point of
/// large order. A key that fails here would make every later upload of the station fail.
fn decode_public_key(encoded: &str) -> Result<[u8; 32], IntakeError> {
    enroll_packet::StationPublicKey::from_text(encoded)
        .map(|key| key.0)
        .map_err(|error| {
            IntakeError::BadRequest(format!(
                "public_key must be the station's Ed25519 public key in standard base64 with padding ({error})"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_key_is_taken_only_with_the_packet_key_s_proof() {
        let packet_key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let request_key = ed25519_dalek::SigningKey::from_bytes(&[10; 32])
            .verifying_key()
            .to_bytes();
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let body = |station_id: &str, proof: &[u8; 64]| {
            serde_json::json!({
                "station_id": station_id,
                "name": "Centre",
                "public_key": b64(&packet_key.verifying_key().to_bytes()),
                "request_key": b64(&request_key),
                "request_key_proof": b64(proof),
            })
            .to_string()
        };
        let proof = enroll_packet::signing::request_key_proof(&packet_key, "ST-1", &request_key);
        let parsed = parse_registration(body("ST-1", &proof).as_bytes()).unwrap();
        assert_eq!(parsed.request_key, Some(request_key));
        // The proof binds the station id: it does not carry over to another.
        let error = parse_registration(body("ST-2", &proof).as_bytes()).unwrap_err();
        assert!(error.to_string().contains("does not verify"), "{error}");
        // A key without its proof is refused, not taken on trust.
        let without_proof = serde_json::json!({
            "station_id": "ST-1", "name": "Centre",
            "public_key": b64(&packet_key.verifying_key().to_bytes()),
            "request_key": b64(&request_key),
        });
        let error = parse_registration(without_proof.to_string().as_bytes()).unwrap_err();
        assert!(error.to_string().contains("come together"), "{error}");
    }

    #[test]
    fn public_keys_must_be_32_byte_points() {
        let valid = ed25519_dalek::SigningKey::from_bytes(&[9; 32])
            .verifying_key()
            .to_bytes();
        let encoded = base64::engine::general_purpose::STANDARD.encode(valid);
        assert_eq!(decode_public_key(&encoded).unwrap(), valid);
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 31]);
        assert_eq!(decode_public_key(&short).unwrap_err().code(), "bad_request");
        assert_eq!(decode_public_key("not base64!").unwrap_err().code(), "bad_request");
    }

    #[test]
    fn small_order_and_non_canonical_keys_are_refused_at_registration() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        // y = p + 1: the identity again, with y not reduced modulo p.
        let mut unreduced = [0xffu8; 32];
        unreduced[0] = 0xee;
        unreduced[31] = 0x7f;
        let valid = ed25519_dalek::SigningKey::from_bytes(&[9; 32])
            .verifying_key()
            .to_bytes();
        let encoded = base64::engine::general_purpose::STANDARD.encode(valid);
        for key in [
            base64::engine::general_purpose::STANDARD.encode(identity),
            base64::engine::general_purpose::STANDARD.encode(unreduced),
            encoded.trim_end_matches('=').to_string(),
        ] {
            let error = decode_public_key(&key).unwrap_err();
            assert_eq!(error.code(), "bad_request", "{key}");
        }
    }
}
