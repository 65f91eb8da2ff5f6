//! The tus 1.0.0 endpoints under `/v1/uploads`: core (`HEAD`, `PATCH`), `creation` (`POST`),
//! `checksum` (sha256, per `PATCH`), `termination` (`DELETE`) and `expiration`.
//!
//! Decisions:
//! - A `PATCH` body is streamed to the storage (`crate::storage_backend::ChunkWriter`: the part
//!   file, or an object of its own), never held whole in memory, and counted
//!   against what remains of the upload so that a station cannot write past `Upload-Length`.
//! - With `Upload-Checksum`, a chunk counts only if all of it arrived and its digest matches;
//!   otherwise nothing of it is counted (`460`, or the connection is gone). Without a checksum,
//!   the bytes that did arrive before an interruption are kept, as tus core recommends, so a
//!   slow link still makes progress.
//! - `sha256` is the one checksum algorithm offered. A `PATCH` (or a `POST`) whose
//!   `Upload-Checksum` names another is refused with `400` before anything is written, as the
//!   checksum extension says. tus 1.0 also asks servers for `sha1`; this intake does not offer
//!   it on purpose: the digest is what the station's request signature covers of the body, and
//!   SHA-1 is not collision resistant.
//! - One request at a time writes to an upload; a second one gets `423 upload_locked` instead of
//!   waiting, and a stalled body gives up its lock after [`BODY_IDLE_TIMEOUT`]. The lock is this
//!   process's; across the processes of a scale-out intake the storage counts a chunk only from
//!   the offset it was written at (`StorageBackend::record_chunk`), so of two writers one wins
//!   and the other gets `409 offset_mismatch`.
//! - Expiry is checked when an upload is touched, and due uploads are swept when a new one is
//!   created; no background task is needed.
//!
//! Deliberately absent: `creation-defer-length`, `creation-with-upload` (a body sent with the
//! creation is read and dropped, and `Upload-Offset: 0` says so), `concatenation`, and
//! `X-HTTP-Method-Override` (stations speak every method natively).

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::completion::complete_upload;
use crate::error::blocking;
use crate::request_auth::SignedStation;
use crate::storage::{UploadRecord, UploadState};
use crate::storage_backend::WrittenChunk;
use crate::tus_headers::*;
use crate::{IntakeError, IntakeState};

/// How long a `PATCH` body may send nothing before the intake gives up on it (and frees the
/// upload for a retry over a new connection).
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Upload ids that a request is writing to right now.
#[derive(Default)]
pub struct UploadLocks(Mutex<HashSet<String>>);

/// Held while a request writes to an upload; frees it when dropped, whatever happened.
struct UploadLock<'a> {
    locks: &'a UploadLocks,
    upload_id: String,
}

impl UploadLocks {
    fn try_lock(&self, upload_id: &str) -> Result<UploadLock<'_>, IntakeError> {
        let mut held = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !held.insert(upload_id.to_owned()) {
            return Err(IntakeError::UploadLocked);
        }
        Ok(UploadLock {
            locks: self,
            upload_id: upload_id.to_owned(),
        })
    }
}

impl Drop for UploadLock<'_> {
    fn drop(&mut self) {
        let mut held = self.locks.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        held.remove(&self.upload_id);
    }
}

/// `OPTIONS /v1/uploads[/{id}]`: what this server speaks. Needs no `Tus-Resumable`.
pub async fn options(State(state): State<IntakeState>) -> Response {
    let mut headers = HeaderMap::new();
    put(&mut headers, TUS_VERSION_HEADER, TUS_VERSION);
    put(&mut headers, TUS_EXTENSION, EXTENSIONS);
    put(&mut headers, TUS_CHECKSUM_ALGORITHM, "sha256");
    put(&mut headers, TUS_MAX_SIZE, &state.max_upload_bytes().to_string());
    (StatusCode::NO_CONTENT, headers).into_response()
}

/// `POST /v1/uploads`: creates an upload for a declared packet.
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<IntakeState>,
    signed: SignedStation,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, IntakeError> {
    require_tus_resumable(&headers)?;
    if headers.contains_key(UPLOAD_DEFER_LENGTH) {
        return Err(IntakeError::BadRequest(
            "this intake needs Upload-Length when the upload is created (creation-defer-length is not supported)"
                .to_owned(),
        ));
    }
    // `creation-with-upload` is not offered, so a body sent with the creation is not kept (see
    // `discard_creation_body`). A checksum sent with it must still name an algorithm this
    // intake computes; another one is refused (`400`, as the tus checksum extension says)
    // before anything is created, never passed over as if it had been checked.
    if let Some(checksum) = header_text(&headers, UPLOAD_CHECKSUM)? {
        parse_upload_checksum(checksum)?;
    }
    let length = parse_byte_count(&headers, UPLOAD_LENGTH)?;
    if length == 0 {
        return Err(IntakeError::BadRequest(
            "Upload-Length is 0, and an empty upload cannot be a packet".to_owned(),
        ));
    }
    if length > state.max_upload_bytes() {
        return Err(IntakeError::UploadTooLarge {
            length,
            max: state.max_upload_bytes(),
        });
    }
    let metadata = header_text(&headers, UPLOAD_METADATA)?
        .ok_or_else(|| {
            IntakeError::BadRequest(
                "the Upload-Metadata header is missing; it must carry registration_id, station_id and sha256"
                    .to_owned(),
            )
        })?
        .to_owned();
    let declared = parse_upload_metadata(&metadata)?;
    discard_creation_body(body, length).await?;

    let now = OffsetDateTime::now_utc();
    let upload = UploadRecord {
        upload_id: new_upload_id(),
        declared,
        length,
        offset: 0,
        metadata,
        expires_at: now + state.upload_expiry(),
        state: UploadState::Receiving,
        // The signer owns the upload. It may declare another station's packet (one it carries
        // for a station without a link); that packet must still bear the declared station's
        // own signature to be stored.
        created_by: Some(signed.station_id),
    };
    let storage = state.storage();
    let record = upload.clone();
    blocking(move || {
        storage.expire_due_uploads(now)?;
        // Only an approved station may send anything (see `crate::onboarding`).
        storage.approved_station_key(&record.declared.station_id)?;
        // Refuse early what would be refused at completion: no bytes are sent for nothing.
        if let Some(held) = storage.packet_receipt(&record.declared.registration_id)? {
            if held.receipt.envelope_sha256 != record.declared.sha256 {
                return Err(IntakeError::DuplicateRegistration(
                    record.declared.registration_id.clone(),
                ));
            }
        }
        storage.create_upload(&record, now)
    })
    .await?;
    tracing::info!(
        upload_id = %upload.upload_id,
        registration_id = %upload.declared.registration_id,
        station_id = %upload.declared.station_id,
        length,
        "upload created"
    );

    let mut response_headers = HeaderMap::new();
    put(
        &mut response_headers,
        "location",
        &format!("/v1/uploads/{}", upload.upload_id),
    );
    put(&mut response_headers, UPLOAD_EXPIRES, &http_date(upload.expires_at));
    put(&mut response_headers, UPLOAD_OFFSET, "0");
    Ok((StatusCode::CREATED, response_headers).into_response())
}

/// `HEAD /v1/uploads/{id}`: where the upload stands.
#[tracing::instrument(skip(state, headers))]
pub async fn head(
    State(state): State<IntakeState>,
    Path(upload_id): Path<String>,
    signed: SignedStation,
    headers: HeaderMap,
) -> Result<Response, IntakeError> {
    require_tus_resumable(&headers)?;
    let upload = current_upload(&state, &signed, &upload_id, OffsetDateTime::now_utc()).await?;
    let mut response_headers = HeaderMap::new();
    put(&mut response_headers, UPLOAD_OFFSET, &upload.offset.to_string());
    put(&mut response_headers, UPLOAD_LENGTH, &upload.length.to_string());
    put(&mut response_headers, "cache-control", "no-store");
    if let Ok(value) = HeaderValue::from_str(&upload.metadata) {
        response_headers.insert(UPLOAD_METADATA, value);
    }
    if upload.state == UploadState::Receiving {
        put(&mut response_headers, UPLOAD_EXPIRES, &http_date(upload.expires_at));
    }
    Ok((StatusCode::OK, response_headers).into_response())
}

/// `PATCH /v1/uploads/{id}`: appends one chunk at the current offset.
#[tracing::instrument(skip(state, headers, body), fields(station = %signed.station_id))]
pub async fn patch(
    State(state): State<IntakeState>,
    Path(upload_id): Path<String>,
    signed: SignedStation,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, IntakeError> {
    require_tus_resumable(&headers)?;
    let content_type = header_text(&headers, "content-type")?.unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case(OFFSET_OCTET_STREAM) {
        return Err(IntakeError::UnsupportedContentType);
    }
    let claimed_offset = parse_byte_count(&headers, UPLOAD_OFFSET)?;
    let expected_digest = header_text(&headers, UPLOAD_CHECKSUM)?
        .map(parse_upload_checksum)
        .transpose()?;
    let content_length = if headers.contains_key("content-length") {
        Some(parse_byte_count(&headers, "content-length")?)
    } else {
        None
    };

    // Another station learns nothing of this upload, not even that a request holds it.
    ensure_owner(&state, &signed, &upload_id).await?;
    let _lock = state.upload_locks().try_lock(&upload_id)?;
    let now = OffsetDateTime::now_utc();
    let upload = current_upload(&state, &signed, &upload_id, now).await?;
    if claimed_offset != upload.offset {
        return Err(IntakeError::OffsetMismatch {
            expected: upload.offset,
            got: claimed_offset,
        });
    }
    // The schema keeps offset <= length; saturating keeps even a hand-edited database panic-free.
    let remaining = upload.length.saturating_sub(upload.offset);
    if content_length.is_some_and(|length| length > remaining) {
        return Err(IntakeError::BeyondUploadLength { remaining });
    }
    if upload.state == UploadState::Complete {
        // Offset equals length here: a station re-asking after a lost answer. Nothing to do.
        return Ok(offset_answer(&upload, upload.offset));
    }

    let received = receive_chunk(&state, &upload, body, remaining, expected_digest.is_some()).await?;
    let new_offset = received.chunk.end();
    let checksum_failed =
        matches!((expected_digest, received.digest), (Some(expected), Some(actual)) if expected != actual);
    let storage = state.storage();
    let id = upload_id.clone();
    let chunk = received.chunk;
    if checksum_failed || chunk.length == 0 {
        // Nothing is counted; the storage lets go of the stray bytes.
        blocking(move || storage.discard_chunk(&id, chunk)).await?;
        if checksum_failed {
            return Err(IntakeError::ChecksumMismatch);
        }
    } else {
        blocking(move || storage.record_chunk(&id, chunk)).await?;
    }
    if let Some(interruption) = received.interrupted {
        return Err(interruption);
    }

    if new_offset == upload.length {
        complete_upload(
            &state,
            UploadRecord {
                offset: new_offset,
                ..upload.clone()
            },
            now,
        )
        .await?;
        let completed = UploadRecord {
            state: UploadState::Complete,
            ..upload
        };
        return Ok(offset_answer(&completed, new_offset));
    }
    Ok(offset_answer(&upload, new_offset))
}

/// `DELETE /v1/uploads/{id}`: termination. A complete upload is not terminated: its packet is
/// held by the register and its receipt is fetched through it.
#[tracing::instrument(skip(state, headers))]
pub async fn terminate(
    State(state): State<IntakeState>,
    Path(upload_id): Path<String>,
    signed: SignedStation,
    headers: HeaderMap,
) -> Result<Response, IntakeError> {
    require_tus_resumable(&headers)?;
    ensure_owner(&state, &signed, &upload_id).await?;
    let _lock = state.upload_locks().try_lock(&upload_id)?;
    let storage = state.storage();
    blocking(move || {
        let upload = storage
            .upload(&upload_id)?
            .filter(|upload| upload.belongs_to(&signed.station_id))
            .ok_or(IntakeError::UploadNotFound)?;
        if upload.state == UploadState::Complete {
            return Err(IntakeError::UploadComplete);
        }
        storage.delete_upload(&upload_id)?;
        tracing::info!(%upload_id, "upload terminated");
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The upload as it stands at `now`: `404` if unknown, `410` if expired (expiring it first if
/// its time ran out since it was last touched).
/// `upload_not_found` unless `upload_id` is an upload of `signed`'s (checked before its lock is
/// taken, so that a busy upload of another station answers as an unknown one does).
async fn ensure_owner(state: &IntakeState, signed: &SignedStation, upload_id: &str) -> Result<(), IntakeError> {
    if !is_upload_id(upload_id) {
        return Err(IntakeError::UploadNotFound);
    }
    let storage = state.storage();
    let upload_id = upload_id.to_owned();
    let station_id = signed.station_id.clone();
    blocking(move || match storage.upload(&upload_id)? {
        Some(upload) if upload.belongs_to(&station_id) => Ok(()),
        _ => Err(IntakeError::UploadNotFound),
    })
    .await
}

/// The upload `upload_id` as `signed` may see it: another station's upload is "not found", so
/// that its existence is not told.
async fn current_upload(
    state: &IntakeState,
    signed: &SignedStation,
    upload_id: &str,
    now: OffsetDateTime,
) -> Result<UploadRecord, IntakeError> {
    if !is_upload_id(upload_id) {
        return Err(IntakeError::UploadNotFound);
    }
    let storage = state.storage();
    let upload_id = upload_id.to_owned();
    let station_id = signed.station_id.clone();
    blocking(move || {
        let upload = storage
            .upload(&upload_id)?
            .filter(|upload| upload.belongs_to(&station_id))
            .ok_or(IntakeError::UploadNotFound)?;
        match upload.state {
            UploadState::Expired => Err(IntakeError::UploadExpired),
            UploadState::Receiving if upload.expires_at <= now => {
                storage.expire_upload(&upload_id)?;
                Err(IntakeError::UploadExpired)
            }
            _ => Ok(upload),
        }
    })
    .await
}

/// What a `PATCH` body delivered.
struct ReceivedChunk {
    /// Bytes written and made durable, to be counted (none with a checksum when the body broke
    /// off: a partial chunk cannot be checked against its digest).
    chunk: WrittenChunk,
    /// SHA-256 of those bytes, when the request carried a checksum.
    digest: Option<[u8; 32]>,
    /// Set when the body broke off; `chunk` then says what is kept.
    interrupted: Option<IntakeError>,
}

/// Streams a `PATCH` body into the storage at the upload's offset and makes it durable.
async fn receive_chunk(
    state: &IntakeState,
    upload: &UploadRecord,
    mut body: Body,
    remaining: u64,
    with_checksum: bool,
) -> Result<ReceivedChunk, IntakeError> {
    let storage = state.storage();
    let (id, offset) = (upload.upload_id.clone(), upload.offset);
    let mut writer = blocking(move || storage.open_chunk(&id, offset)).await?;
    let mut hasher = with_checksum.then(Sha256::new);
    let mut written: u64 = 0;

    let interrupted = loop {
        let frame = match tokio::time::timeout(
            BODY_IDLE_TIMEOUT,
            std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)),
        )
        .await
        {
            Err(_) => {
                break Some(IntakeError::BadRequest(format!(
                    "the request body stalled for {} seconds",
                    BODY_IDLE_TIMEOUT.as_secs()
                )))
            }
            Ok(None) => break None,
            Ok(Some(Err(error))) => {
                break Some(IntakeError::BadRequest(format!("the request body broke off: {error}")))
            }
            Ok(Some(Ok(frame))) => frame,
        };
        // Trailers carry nothing tus needs; only data frames are written.
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if written + data.len() as u64 > remaining {
            // Nothing of this request is counted; the stray bytes are cut at the next write
            // (or, in an object store, the writer dropped here is abandoned).
            return Err(IntakeError::BeyondUploadLength { remaining });
        }
        if let Some(hasher) = hasher.as_mut() {
            hasher.update(&data);
        }
        written += data.len() as u64;
        writer.write(data).await?;
    };

    if interrupted.is_some() && with_checksum {
        // A partial chunk cannot be checked against its digest, so none of it is kept.
        drop(writer);
        return Ok(ReceivedChunk {
            chunk: WrittenChunk {
                start: upload.offset,
                length: 0,
                object_key: None,
            },
            digest: None,
            interrupted,
        });
    }
    let chunk = writer.finish().await?;
    Ok(ReceivedChunk {
        chunk,
        digest: hasher.map(|hasher| hasher.finalize().into()),
        interrupted,
    })
}

/// Reads a body sent with the creation to its end, and drops it. `creation-with-upload` is not
/// offered, so those bytes are not kept: the answer's `Upload-Offset: 0` has a tus client send
/// them again with `PATCH` (tus-js-client does). Read rather than left unread, because a
/// connection closed with unread bytes is reset, and the reset can reach the client before the
/// answer does: it then sees a broken pipe, not `201`, and creates another upload while the
/// first lingers until it expires. Read before the upload is created, so a body that breaks off
/// or stalls leaves nothing behind. A body longer than the upload is refused, as a `PATCH` past
/// the end is.
async fn discard_creation_body(mut body: Body, length: u64) -> Result<(), IntakeError> {
    let mut read: u64 = 0;
    loop {
        let frame = tokio::time::timeout(
            BODY_IDLE_TIMEOUT,
            std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)),
        )
        .await
        .map_err(|_| {
            IntakeError::BadRequest(format!(
                "the request body stalled for {} seconds",
                BODY_IDLE_TIMEOUT.as_secs()
            ))
        })?;
        match frame {
            None => return Ok(()),
            Some(Err(error)) => return Err(IntakeError::BadRequest(format!("the request body broke off: {error}"))),
            Some(Ok(frame)) => {
                read += frame.data_ref().map_or(0, |data| data.len() as u64);
                if read > length {
                    return Err(IntakeError::BeyondUploadLength { remaining: length });
                }
            }
        }
    }
}

/// `204` with the new offset (and the expiry while the upload is still open).
fn offset_answer(upload: &UploadRecord, offset: u64) -> Response {
    let mut headers = HeaderMap::new();
    put(&mut headers, UPLOAD_OFFSET, &offset.to_string());
    if upload.state == UploadState::Receiving && offset < upload.length {
        put(&mut headers, UPLOAD_EXPIRES, &http_date(upload.expires_at));
    }
    (StatusCode::NO_CONTENT, headers).into_response()
}

/// 128 random bits, hex: unguessable, so knowing one upload's URL says nothing about another's.
fn new_upload_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn is_upload_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Inserts a header whose value this module built itself (digits, dates, fixed words).
fn put(headers: &mut HeaderMap, name: &'static str, value: &str) {
    match HeaderValue::from_str(value) {
        Ok(value) => {
            headers.insert(HeaderName::from_static(name), value);
        }
        // Unreachable for the values built here; logged rather than panicking on a response.
        Err(_) => tracing::error!(header = name, "refused to send a header value that is not valid"),
    }
}

/// Adds `Tus-Resumable: 1.0.0` to every answer under `/v1/uploads`, errors included: also the
/// `404` of an unknown path and the `405` of a method not served there, which no route answers
/// (so this wraps the whole router, fallbacks included, and looks at the path itself).
pub async fn add_tus_resumable(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let under_uploads = request.uri().path() == "/v1/uploads" || request.uri().path().starts_with("/v1/uploads/");
    let mut response = next.run(request).await;
    if under_uploads {
        response.headers_mut().insert(
            HeaderName::from_static(TUS_RESUMABLE),
            HeaderValue::from_static(TUS_VERSION),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_until_the_first_is_done() {
        let locks = UploadLocks::default();
        let first = locks.try_lock("u").unwrap();
        assert_eq!(
            locks.try_lock("u").err().map(|error| error.code()),
            Some("upload_locked")
        );
        assert!(locks.try_lock("v").is_ok(), "other uploads are not affected");
        let refused = locks.try_lock("u").err().unwrap().into_response();
        assert_eq!(refused.status(), axum::http::StatusCode::LOCKED);
        assert_eq!(
            refused
                .headers()
                .get(axum::http::header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
            Some(&b"1"[..]),
            "the refused writer is told when to come back"
        );
        drop(first);
        assert!(locks.try_lock("u").is_ok());
    }

    #[test]
    fn upload_ids_are_32_lower_hex() {
        assert!(is_upload_id(&new_upload_id()));
        assert!(!is_upload_id("../etc/passwd"));
        assert!(!is_upload_id(&"A".repeat(32)));
    }
}
