//! Signing the station's requests with its request key (HTTP Message Signatures, RFC 9421,
//! through `enroll_packet::request_signature`), and keeping the time it signs with in step with
//! the intake's clock.
//!
//! Why the clock: the intake refuses a signature made more than five minutes from its own
//! time, and a station that was offline for weeks may have a clock that drifted further. Every
//! answer of the intake carries a `Date`; the signer keeps the difference and signs with the
//! intake's time, so a wrong clock on the laptop never stops uploads. The first request after
//! a start may still be refused (`signature_expired`); its answer's `Date` corrects the clock
//! and the request is signed again once.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use enroll_packet::request_signature::{self, RequestParts};

use crate::SyncError;

/// Differences from the intake's clock smaller than this are left alone: a `Date` has whole
/// seconds and takes a moment to arrive.
const CLOCK_TOLERANCE_SECONDS: i64 = 2;

/// The station's request key and the intake's clock as last heard.
#[derive(Debug)]
pub(crate) struct RequestSigner {
    key: ed25519_dalek::SigningKey,
    /// The packet key's signature vouching for this key, sent when the station registers.
    proof: [u8; 64],
    /// The intake's clock minus this machine's, in seconds.
    clock_offset: AtomicI64,
}

impl RequestSigner {
    pub(crate) fn new(seed: [u8; 32], proof: [u8; 64]) -> RequestSigner {
        RequestSigner {
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
            proof,
            clock_offset: AtomicI64::new(0),
        }
    }

    /// Adds `Signature-Input` and `Signature` to `request`, covering what the intake requires
    /// (`request_signature::components_to_cover`).
    pub(crate) fn sign(&self, request: &mut reqwest::Request) -> Result<(), SyncError> {
        let parts = RequestParts {
            method: request.method().as_str().to_owned(),
            path: request.url().path().to_owned(),
            query: request.url().query().map(str::to_owned),
            headers: request
                .headers()
                .iter()
                .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
                .collect(),
        };
        let fields = request_signature::sign_as_station(&parts, &self.key, self.now())
            .map_err(|error| SyncError::Protocol(format!("the request could not be signed: {error}")))?;
        for (name, value) in [
            ("signature-input", fields.signature_input),
            ("signature", fields.signature),
        ] {
            let value = reqwest::header::HeaderValue::from_str(&value).map_err(|error| {
                SyncError::Protocol(format!("the request signature is not a header value: {error}"))
            })?;
            request.headers_mut().insert(name, value);
        }
        Ok(())
    }

    /// Notes the intake's clock from an answer's `Date`. True when it moved the clock the
    /// signer uses (a refused signature may then pass when signed again).
    pub(crate) fn learn_clock(&self, headers: &reqwest::header::HeaderMap) -> bool {
        let Some(intake_now) = headers
            .get(reqwest::header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| httpdate::parse_http_date(text).ok())
            .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
        else {
            return false;
        };
        let offset = intake_now.as_secs() as i64 - local_now();
        let previous = self.clock_offset.load(Ordering::Relaxed);
        if (offset - previous).abs() < CLOCK_TOLERANCE_SECONDS {
            return false;
        }
        self.clock_offset.store(offset, Ordering::Relaxed);
        tracing::info!(offset_seconds = offset, "signing with the intake's clock");
        true
    }

    /// The request public key and its proof, as registration sends them.
    pub(crate) fn claim(&self) -> ([u8; 32], [u8; 64]) {
        (self.key.verifying_key().to_bytes(), self.proof)
    }

    /// Unix seconds by the intake's clock, as far as the station knows it.
    fn now(&self) -> i64 {
        local_now() + self.clock_offset.load(Ordering::Relaxed)
    }
}

fn local_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_request_verifies_under_the_intake_s_rules() {
        let signer = RequestSigner::new([4; 32], [0; 64]);
        let client = reqwest::Client::new();
        let mut request = client
            .patch("http://intake.example/v1/uploads/u1?x=1")
            .header("upload-offset", "10")
            .header("tus-resumable", "1.0.0")
            .build()
            .unwrap();
        signer.sign(&mut request).unwrap();
        let input = request.headers()["signature-input"].to_str().unwrap().to_owned();
        let signature = request.headers()["signature"].to_str().unwrap().to_owned();
        let read = request_signature::read_fields(&input, &signature).unwrap();
        assert_eq!(read.params.components, ["@method", "@path", "@query", "upload-offset"]);
        let parts = RequestParts {
            method: "PATCH".into(),
            path: "/v1/uploads/u1".into(),
            query: Some("x=1".into()),
            headers: vec![("upload-offset".into(), "10".into())],
        };
        let key = ed25519_dalek::SigningKey::from_bytes(&[4; 32]).verifying_key();
        request_signature::verify(&parts, &read, &key).unwrap();
    }

    #[test]
    fn the_signer_signs_with_the_intake_s_clock_once_it_heard_it() {
        let signer = RequestSigner::new([4; 32], [0; 64]);
        let mut headers = reqwest::header::HeaderMap::new();
        let an_hour_ahead = SystemTime::now() + std::time::Duration::from_secs(3600);
        headers.insert(
            reqwest::header::DATE,
            httpdate::fmt_http_date(an_hour_ahead).parse().unwrap(),
        );
        assert!(signer.learn_clock(&headers));
        assert!((signer.now() - local_now() - 3600).abs() <= 1);
        // The same clock again changes nothing.
        assert!(!signer.learn_clock(&headers));
        // An answer without a Date leaves it.
        assert!(!signer.learn_clock(&reqwest::header::HeaderMap::new()));
    }
}
