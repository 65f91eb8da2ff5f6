//! Who sent a request: the station whose request key signed it, with HTTP Message Signatures
//! (RFC 9421). The profile is `schemas/intake-api.md` §"Signed requests"; the signature base and
//! the reading of the two fields are `enroll_packet::request_signature`, shared with the
//! station's client.
//!
//! A handler that takes a [`SignedStation`] runs only for a request that:
//! 1. carries `Signature-Input` and `Signature` under the profile (`signature_missing`,
//!    `signature_invalid`);
//! 2. covers `@method`, `@path`, `@query` when it has a query, and every field of
//!    [`COVERED_WHEN_PRESENT`] it carries (`signature_invalid`);
//! 3. was signed within [`WINDOW_SECONDS`] of the intake's clock, either way, and not past its
//!    `expires` (`signature_expired`; the answer's `Date` lets the station correct its clock);
//! 4. verifies with the key its `keyid` names (`signature_invalid`);
//! 5. comes from a station registered with that request key (`request_key_unknown`) and
//!    approved (`station_pending`, `station_revoked`);
//! 6. has a nonce this key has not used within the window (`signature_replayed`). The nonces
//!    are in the database, so intake processes that share it refuse each other's replays.
//!
//! Steps 1 to 4 need no storage: [`check_signed_request`] is a pure function (the clock is an
//! argument) that the fuzzer calls alone.
//!
//! What the station may then do is the handler's business: an upload is its creator's
//! (`UploadRecord::belongs_to`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use enroll_packet::request_signature::{self, RequestParts};
use time::OffsetDateTime;

use crate::error::blocking;
use crate::onboarding::StationStatus;
use crate::{IntakeError, IntakeState};

/// How far a request's `created` may be from the intake's clock, either way.
pub const WINDOW_SECONDS: i64 = 300;

pub use enroll_packet::request_signature::COVERED_WHEN_PRESENT;

/// The station that signed a request, all checks passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedStation {
    pub station_id: String,
}

/// A signature that passed the checks needing no storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSignature {
    /// The request key that signed (what `keyid` names).
    pub request_key: [u8; 32],
    pub nonce: String,
    /// Unix seconds after which the nonce may be forgotten: the window refuses the request then.
    pub forget_after: i64,
}

/// Steps 1 to 4 of the module's list on `request` at `now` (Unix seconds).
pub fn check_signed_request(
    request: &RequestParts,
    signature_input: Option<&str>,
    signature: Option<&str>,
    now: i64,
) -> Result<CheckedSignature, IntakeError> {
    let (Some(signature_input), Some(signature)) = (signature_input, signature) else {
        return Err(IntakeError::SignatureMissing);
    };
    let read = request_signature::read_fields(signature_input, signature).map_err(invalid)?;
    let params = &read.params;
    let required = request_signature::components_to_cover(request);
    if let Some(missing) = required.iter().find(|c| !params.components.contains(c)) {
        return Err(IntakeError::SignatureInvalid(format!(
            "the request signature must cover {missing} (it covers {})",
            params.components.join(" ")
        )));
    }
    if (now - params.created).abs() > WINDOW_SECONDS {
        return Err(IntakeError::SignatureExpired {
            created: params.created,
            now,
            window: WINDOW_SECONDS,
        });
    }
    if params.expires.is_some_and(|expires| expires < now) {
        return Err(IntakeError::SignatureExpired {
            created: params.created,
            now,
            window: WINDOW_SECONDS,
        });
    }
    let request_key = request_signature::key_from_id(&params.keyid).map_err(invalid)?;
    let verifying_key = enroll_packet::signing::ed25519_public_key(&request_key, "request key").map_err(invalid)?;
    request_signature::verify(request, &read, &verifying_key).map_err(invalid)?;
    Ok(CheckedSignature {
        request_key,
        nonce: params.nonce.clone(),
        forget_after: params.created + WINDOW_SECONDS,
    })
}

fn invalid(error: enroll_packet::PacketError) -> IntakeError {
    match error {
        enroll_packet::PacketError::RequestSignature(message) => IntakeError::SignatureInvalid(message),
        other => IntakeError::SignatureInvalid(other.to_string()),
    }
}

/// The parts of an axum request the signature base is built from. A header value that is not
/// visible ASCII is left out: a signature covering it then names it as missing.
pub fn request_parts(parts: &Parts) -> RequestParts {
    RequestParts {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
            .collect(),
    }
}

impl FromRequestParts<IntakeState> for SignedStation {
    type Rejection = IntakeError;

    async fn from_request_parts(parts: &mut Parts, state: &IntakeState) -> Result<SignedStation, IntakeError> {
        let field = |name: &str| -> Result<Option<String>, IntakeError> {
            parts
                .headers
                .get(name)
                .map(|value| {
                    value
                        .to_str()
                        .map(str::to_owned)
                        .map_err(|_| IntakeError::SignatureInvalid(format!("the {name} field is not ASCII")))
                })
                .transpose()
        };
        if parts.headers.get_all("signature-input").iter().count() > 1
            || parts.headers.get_all("signature").iter().count() > 1
        {
            return Err(IntakeError::SignatureInvalid(
                "Signature-Input and Signature must each be sent once".to_owned(),
            ));
        }
        let now = OffsetDateTime::now_utc();
        let checked = check_signed_request(
            &request_parts(parts),
            field("signature-input")?.as_deref(),
            field("signature")?.as_deref(),
            now.unix_timestamp(),
        )?;
        let storage = state.storage();
        blocking(move || {
            let (station_id, status) = storage.station_for_request_key(&checked.request_key)?;
            match status {
                StationStatus::Approved => {}
                StationStatus::Pending => return Err(IntakeError::StationPending(station_id)),
                StationStatus::Revoked => return Err(IntakeError::StationRevoked(station_id)),
            }
            storage.remember_nonce(&checked.request_key, &checked.nonce, checked.forget_after, now)?;
            Ok(SignedStation { station_id })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use enroll_packet::request_signature::{key_id, new_nonce, sign, SignatureParams, ALGORITHM, LABEL};

    const NOW: i64 = 1_764_000_000;

    fn patch() -> RequestParts {
        RequestParts {
            method: "PATCH".into(),
            path: "/v1/uploads/u1".into(),
            query: None,
            headers: vec![
                ("tus-resumable".into(), "1.0.0".into()),
                ("upload-offset".into(), "0".into()),
                ("content-type".into(), "application/offset+octet-stream".into()),
            ],
        }
    }

    fn signed(request: &RequestParts, components: &[&str], created: i64) -> (String, String) {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let params = SignatureParams {
            label: LABEL.into(),
            components: components.iter().map(|c| c.to_string()).collect(),
            created,
            expires: None,
            nonce: new_nonce(),
            keyid: key_id(&key.verifying_key().to_bytes()),
            alg: Some(ALGORITHM.into()),
            tag: None,
        };
        let fields = sign(request, &params, &key).unwrap();
        (fields.signature_input, fields.signature)
    }

    const FULL: [&str; 4] = ["@method", "@path", "upload-offset", "content-type"];

    #[test]
    fn a_request_signed_over_what_it_carries_within_the_window_passes() {
        let (input, signature) = signed(&patch(), &FULL, NOW - 10);
        let checked = check_signed_request(&patch(), Some(&input), Some(&signature), NOW).unwrap();
        assert_eq!(
            checked.request_key,
            ed25519_dalek::SigningKey::from_bytes(&[7; 32])
                .verifying_key()
                .to_bytes()
        );
        assert_eq!(checked.forget_after, NOW - 10 + WINDOW_SECONDS);
    }

    #[test]
    fn a_signature_must_cover_every_field_that_says_what_the_request_does() {
        let (input, signature) = signed(&patch(), &["@method", "@path", "content-type"], NOW);
        let error = check_signed_request(&patch(), Some(&input), Some(&signature), NOW).unwrap_err();
        assert_eq!(error.code(), "signature_invalid");
        assert!(error.to_string().contains("upload-offset"), "{error}");
        let mut with_query = patch();
        with_query.query = Some("a=1".into());
        let (input, signature) = signed(&with_query, &FULL, NOW);
        let error = check_signed_request(&with_query, Some(&input), Some(&signature), NOW).unwrap_err();
        assert!(error.to_string().contains("@query"), "{error}");
    }

    #[test]
    fn outside_the_window_either_way_is_expired_and_no_fields_is_missing() {
        for created in [NOW - WINDOW_SECONDS - 1, NOW + WINDOW_SECONDS + 1] {
            let (input, signature) = signed(&patch(), &FULL, created);
            let error = check_signed_request(&patch(), Some(&input), Some(&signature), NOW).unwrap_err();
            assert_eq!(error.code(), "signature_expired");
            assert_eq!(error.status(), axum::http::StatusCode::UNAUTHORIZED);
        }
        let (input, signature) = signed(&patch(), &FULL, NOW + WINDOW_SECONDS);
        check_signed_request(&patch(), Some(&input), Some(&signature), NOW).unwrap();
        let error = check_signed_request(&patch(), None, Some(&signature), NOW).unwrap_err();
        assert_eq!(error.code(), "signature_missing");
    }

    #[test]
    fn a_tampered_request_does_not_verify() {
        let (input, signature) = signed(&patch(), &FULL, NOW);
        let mut moved = patch();
        moved.headers[1].1 = "4096".into();
        let error = check_signed_request(&moved, Some(&input), Some(&signature), NOW).unwrap_err();
        assert_eq!(error.code(), "signature_invalid");
    }
}
