//! Where each packet stands at the register after its receipt, and `POST /v1/packets/status`,
//! which tells a station that for its packets, many at once.
//!
//! A stored packet is `received`. The register's back office moves it on (`enroll intake packets
//! set-status`, through [`crate::StationRegistry::set_packet_status`]): `processing`, then
//! `processed`, `rejected` (with a reason) or `re_register` (the resident must come back; with a
//! reason). A station asks for the registration ids it sent; one the register does not hold, or
//! that another station sent, is `unknown` to it (a station learns nothing of others' packets).
//!
//! The request body is bound to the signature by `Content-Digest` (RFC 9530, `sha-256`), which the
//! signature covers and this module checks against the bytes.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use base64::Engine as _;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use crate::error::blocking;
use crate::request_auth::SignedStation;
use crate::storage::Storage;
use crate::tus_headers::validate_id;
use crate::{IntakeError, IntakeState};

/// Most registration ids asked for at once.
pub const MAX_IDS_PER_QUERY: usize = 500;
/// 500 ids of at most 128 bytes, quoted and separated, fit well within this.
const MAX_BODY_BYTES: usize = 96 * 1024;
/// Longest reason kept (for people, not a document).
const MAX_REASON_CHARS: usize = 500;

/// Where a packet stands at the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketStatus {
    Received,
    Processing,
    Processed,
    Rejected,
    ReRegister,
}

impl PacketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PacketStatus::Received => "received",
            PacketStatus::Processing => "processing",
            PacketStatus::Processed => "processed",
            PacketStatus::Rejected => "rejected",
            PacketStatus::ReRegister => "re_register",
        }
    }

    pub fn parse(text: &str) -> Option<PacketStatus> {
        [
            PacketStatus::Received,
            PacketStatus::Processing,
            PacketStatus::Processed,
            PacketStatus::Rejected,
            PacketStatus::ReRegister,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }

    /// Whether the register must say why (the station shows it to a supervisor).
    pub fn needs_reason(self) -> bool {
        matches!(self, PacketStatus::Rejected | PacketStatus::ReRegister)
    }
}

/// One packet in an answer: its status, or `None` for `unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PacketStatusEntry {
    pub registration_id: String,
    /// `received`, `processing`, `processed`, `rejected`, `re_register`, or `unknown`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusQuery {
    registration_ids: Vec<String>,
}

/// Reads a status query's body: 1 to [`MAX_IDS_PER_QUERY`] valid registration ids, each once.
/// Pure, for the handler and the fuzzer.
pub fn parse_status_query(body: &[u8]) -> Result<Vec<String>, IntakeError> {
    let query: StatusQuery = serde_json::from_slice(body).map_err(|error| {
        IntakeError::BadRequest(format!(
            "the body must be JSON {{\"registration_ids\": [\"...\"]}} ({error})"
        ))
    })?;
    if query.registration_ids.is_empty() || query.registration_ids.len() > MAX_IDS_PER_QUERY {
        return Err(IntakeError::BadRequest(format!(
            "ask for 1 to {MAX_IDS_PER_QUERY} registration ids at once"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    query
        .registration_ids
        .into_iter()
        .map(|id| {
            let id = validate_id("registration_id", id)?;
            if !seen.insert(id.clone()) {
                return Err(IntakeError::BadRequest(format!(
                    "the registration id {id} is asked for twice"
                )));
            }
            Ok(id)
        })
        .collect()
}

/// Checks `Content-Digest` (RFC 9530) against `body`: a `sha-256` member must be there and match.
pub fn check_content_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), IntakeError> {
    let missing = || {
        IntakeError::BadRequest(
            "this request needs Content-Digest: sha-256=:<base64 of the body's SHA-256>: (RFC 9530), covered by its signature"
                .to_owned(),
        )
    };
    let value = headers
        .get("content-digest")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(missing)?;
    let digest = value
        .split(',')
        .map(str::trim)
        .find_map(|member| member.strip_prefix("sha-256=:")?.strip_suffix(':'))
        .ok_or_else(missing)?;
    let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body));
    if digest != expected {
        return Err(IntakeError::BadRequest(
            "Content-Digest does not match the body: it was changed or cut on the way".to_owned(),
        ));
    }
    Ok(())
}

/// `POST /v1/packets/status` → `200 {"packets": [...]}`, in the order asked.
#[tracing::instrument(skip_all, fields(station = %signed.station_id))]
pub async fn query_statuses(
    State(state): State<IntakeState>,
    signed: SignedStation,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, IntakeError> {
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        IntakeError::BadRequest(format!(
            "the body is not readable or larger than {MAX_BODY_BYTES} bytes"
        ))
    })?;
    check_content_digest(&headers, &body)?;
    let ids = parse_status_query(&body)?;
    let storage = state.storage();
    let packets = blocking(move || storage.packet_statuses(&signed.station_id, &ids)).await?;
    Ok(Json(serde_json::json!({ "packets": packets })))
}

impl Storage {
    /// The status of each of `registration_ids` as `station_id` may see it.
    pub fn packet_statuses(
        &self,
        station_id: &str,
        registration_ids: &[String],
    ) -> Result<Vec<PacketStatusEntry>, IntakeError> {
        let connection = self.connection();
        // A packet is the station's that declared it, or that uploaded it for another (a relay).
        let mut statement = connection.prepare(
            "SELECT status, status_reason, status_changed_at FROM packets
             WHERE registration_id = ?1
               AND (station_id = ?2 OR EXISTS (
                   SELECT 1 FROM uploads
                   WHERE uploads.registration_id = packets.registration_id
                     AND uploads.created_by = ?2 AND uploads.state = 'complete'))",
        )?;
        registration_ids
            .iter()
            .map(|registration_id| {
                let row: Option<(String, Option<String>, Option<String>)> = statement
                    .query_row(params![registration_id, station_id], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })
                    .optional()?;
                Ok(match row {
                    Some((status, reason, changed_at)) => PacketStatusEntry {
                        registration_id: registration_id.clone(),
                        status,
                        reason,
                        changed_at,
                    },
                    None => PacketStatusEntry {
                        registration_id: registration_id.clone(),
                        status: "unknown".to_owned(),
                        reason: None,
                        changed_at: None,
                    },
                })
            })
            .collect()
    }

    /// The back office moves a held packet on. `rejected` and `re_register` need a reason.
    pub fn set_packet_status(
        &self,
        registration_id: &str,
        status: PacketStatus,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<PacketStatusEntry, IntakeError> {
        let reason = checked_reason(status, reason)?;
        let changed_at = enroll_packet::time::rfc3339(now);
        let changed = self.connection().execute(
            "UPDATE packets SET status = ?2, status_reason = ?3, status_changed_at = ?4 WHERE registration_id = ?1",
            params![registration_id, status.as_str(), reason, changed_at],
        )?;
        status_set(changed as u64, registration_id, status, reason, changed_at)
    }
}

/// What setting a status answers, given how many rows the update `changed` (either backend):
/// `not_found` when no packet is held for the registration, else the entry as it now is.
pub(crate) fn status_set(
    changed: u64,
    registration_id: &str,
    status: PacketStatus,
    reason: Option<&str>,
    changed_at: String,
) -> Result<PacketStatusEntry, IntakeError> {
    if changed == 0 {
        return Err(IntakeError::NotFound(format!(
            "no packet is held for registration {registration_id}"
        )));
    }
    Ok(PacketStatusEntry {
        registration_id: registration_id.to_owned(),
        status: status.as_str().to_owned(),
        reason: reason.map(str::to_owned),
        changed_at: Some(changed_at),
    })
}

/// The reason a back office gives with `status`, trimmed: needed for `rejected` and
/// `re_register`, at most [`MAX_REASON_CHARS`] characters without control characters.
pub(crate) fn checked_reason(status: PacketStatus, reason: Option<&str>) -> Result<Option<&str>, IntakeError> {
    let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
    if status.needs_reason() && reason.is_none() {
        return Err(IntakeError::BadRequest(format!(
            "a packet set to {} needs a reason the station can show",
            status.as_str()
        )));
    }
    if reason.is_some_and(|reason| reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control)) {
        return Err(IntakeError::BadRequest(format!(
            "a reason is at most {MAX_REASON_CHARS} characters without control characters"
        )));
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_one_to_five_hundred_distinct_valid_ids() {
        assert_eq!(
            parse_status_query(br#"{"registration_ids":["a","b"]}"#).unwrap(),
            ["a", "b"]
        );
        for bad in [
            r#"{"registration_ids":[]}"#.to_owned(),
            r#"{"registration_ids":["a","a"]}"#.to_owned(),
            r#"{"registration_ids":[" a"]}"#.to_owned(),
            r#"{"ids":["a"]}"#.to_owned(),
            serde_json::json!({ "registration_ids": (0..501).map(|n| n.to_string()).collect::<Vec<_>>() }).to_string(),
        ] {
            assert_eq!(
                parse_status_query(bad.as_bytes()).unwrap_err().code(),
                "bad_request",
                "{bad}"
            );
        }
    }

    #[test]
    fn the_content_digest_must_name_the_body() {
        let body = br#"{"registration_ids":["a"]}"#;
        let mut headers = HeaderMap::new();
        assert!(check_content_digest(&headers, body).is_err());
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body));
        headers.insert("content-digest", format!("sha-256=:{digest}:").parse().unwrap());
        check_content_digest(&headers, body).unwrap();
        let error = check_content_digest(&headers, b"{}").unwrap_err();
        assert!(error.to_string().contains("does not match"), "{error}");
    }

    #[test]
    fn statuses_and_their_rules() {
        assert_eq!(PacketStatus::parse("re_register"), Some(PacketStatus::ReRegister));
        assert_eq!(PacketStatus::parse("unknown"), None);
        assert!(PacketStatus::Rejected.needs_reason() && !PacketStatus::Processed.needs_reason());
    }
}
