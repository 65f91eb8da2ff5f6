//! The one error type of the intake, and how it becomes an HTTP answer.
//!
//! Every variant has a stable [`IntakeError::code`] (snake_case, never renamed: stations branch
//! on it) and an HTTP status from `schemas/intake-api.md`. The message is for the person who
//! reads the station's screen or the intake's log, so it names what was wrong and what was
//! expected. Internal failures (disk, database) answer 500 with a short message; their detail
//! goes to the log, not to the caller.
//!
//! This module does not decide *when* an error happens; handlers do.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::tus_headers::{TUS_VERSION, TUS_VERSION_HEADER};

/// Everything that can go wrong in the intake, from a bad header to a full disk.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{0}")]
    BadRequest(String),
    #[error("this intake speaks tus 1.0.0; send the header Tus-Resumable: 1.0.0 (got {0})")]
    UnsupportedTusVersion(String),
    #[error("the station '{0}' is not registered at this intake; register the station first")]
    UnknownStation(String),
    #[error("the station '{0}' is already registered with a different public key")]
    StationExists(String),
    #[error("the station '{0}' waits for the register's approval and cannot upload yet")]
    StationPending(String),
    #[error("the station '{0}' was revoked by the register and cannot upload")]
    StationRevoked(String),
    #[error("the enrollment code is not valid: it is mistyped, already used or expired")]
    EnrollmentCodeInvalid,
    #[error("the upload is {length} bytes but this intake accepts at most {max} bytes")]
    UploadTooLarge { length: u64, max: u64 },
    #[error("the request body is longer than what remains of the upload ({remaining} bytes)")]
    BeyondUploadLength { remaining: u64 },
    #[error("no upload with this id is known to this intake")]
    UploadNotFound,
    #[error("this upload expired before it was complete; start a new upload")]
    UploadExpired,
    #[error("the upload is at offset {expected}, but the request said {got}; ask with HEAD and continue from there")]
    OffsetMismatch { expected: u64, got: u64 },
    #[error("the upload body must be sent with Content-Type: application/offset+octet-stream")]
    UnsupportedContentType,
    #[error("the checksum of this chunk does not match its bytes; the chunk was discarded, send it again")]
    ChecksumMismatch,
    #[error("another request is writing to this upload right now; try again in a moment")]
    UploadLocked,
    #[error("this upload is complete and its packet is stored; it can no longer be changed")]
    UploadComplete,
    #[error("the upload is not complete yet; there is no receipt for it")]
    UploadIncomplete,
    #[error("the packet was rejected: {0}")]
    PacketRejected(String),
    #[error("the packet was rejected: {0}")]
    StationKeyMismatch(String),
    #[error("the register already holds a different packet for registration '{0}'; a registration id is never reused")]
    DuplicateRegistration(String),
    #[error("no such endpoint: {0}")]
    NotFound(String),
    #[error("{method} is not allowed on {path}; see schemas/intake-api.md for what each endpoint accepts")]
    MethodNotAllowed { method: String, path: String },
    #[error("this request must be signed with the station's request key (HTTP Message Signatures, RFC 9421; see schemas/intake-api.md)")]
    SignatureMissing,
    #[error("{0}")]
    SignatureInvalid(String),
    #[error("the request was signed at {created} (Unix time) but the intake's clock says {now}: more than {window} seconds apart; check the station's clock, or sign again with the time of the intake's Date header")]
    SignatureExpired { created: i64, now: i64, window: i64 },
    #[error("this signed request was already received once (its nonce was seen); a replayed request is refused")]
    SignatureReplayed,
    #[error("no station is registered with the key that signed this request; the station must register its request key again")]
    RequestKeyUnknown,
    /// An export folder on removable media that cannot be taken (`crate::media_import`): a file
    /// missing, cut short, changed or unexpected, a manifest or signature that does not hold.
    /// Never an HTTP answer; its code is the packet crate's (`media_file_truncated`, ...).
    #[error("{0}")]
    Media(enroll_packet::PacketError),
    #[error("the intake could not store data: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("the intake could not read or write its files: {0}")]
    Io(#[from] std::io::Error),
    #[error("the intake could not listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl IntakeError {
    /// A stable, machine-readable code (snake_case, never renamed).
    pub fn code(&self) -> &'static str {
        match self {
            IntakeError::BadRequest(_) => "bad_request",
            IntakeError::UnsupportedTusVersion(_) => "unsupported_tus_version",
            IntakeError::UnknownStation(_) => "unknown_station",
            IntakeError::StationExists(_) => "station_exists",
            IntakeError::StationPending(_) => "station_pending",
            IntakeError::StationRevoked(_) => "station_revoked",
            IntakeError::EnrollmentCodeInvalid => "enrollment_code_invalid",
            IntakeError::UploadTooLarge { .. } => "upload_too_large",
            IntakeError::BeyondUploadLength { .. } => "beyond_upload_length",
            IntakeError::UploadNotFound => "upload_not_found",
            IntakeError::UploadExpired => "upload_expired",
            IntakeError::OffsetMismatch { .. } => "offset_mismatch",
            IntakeError::UnsupportedContentType => "unsupported_media_type",
            IntakeError::ChecksumMismatch => "checksum_mismatch",
            IntakeError::UploadLocked => "upload_locked",
            IntakeError::UploadComplete => "upload_complete",
            IntakeError::UploadIncomplete => "upload_incomplete",
            IntakeError::PacketRejected(_) => "packet_rejected",
            IntakeError::StationKeyMismatch(_) => "station_key_mismatch",
            IntakeError::DuplicateRegistration(_) => "duplicate_registration",
            IntakeError::NotFound(_) => "not_found",
            IntakeError::MethodNotAllowed { .. } => "method_not_allowed",
            IntakeError::SignatureMissing => "signature_missing",
            IntakeError::SignatureInvalid(_) => "signature_invalid",
            IntakeError::SignatureExpired { .. } => "signature_expired",
            IntakeError::SignatureReplayed => "signature_replayed",
            IntakeError::RequestKeyUnknown => "request_key_unknown",
            IntakeError::Media(error) => error.code(),
            IntakeError::Database(_) => "storage_failed",
            IntakeError::Io(_) => "storage_failed",
            IntakeError::Bind { .. } => "bind_failed",
            IntakeError::Internal(_) => "internal",
        }
    }

    /// The HTTP status this error answers with (see `schemas/intake-api.md`).
    pub fn status(&self) -> StatusCode {
        match self {
            IntakeError::BadRequest(_) => StatusCode::BAD_REQUEST,
            IntakeError::UnsupportedTusVersion(_) => StatusCode::PRECONDITION_FAILED,
            IntakeError::UnknownStation(_)
            | IntakeError::StationPending(_)
            | IntakeError::StationRevoked(_)
            | IntakeError::EnrollmentCodeInvalid => StatusCode::FORBIDDEN,
            IntakeError::StationExists(_) => StatusCode::CONFLICT,
            IntakeError::SignatureMissing
            | IntakeError::SignatureInvalid(_)
            | IntakeError::SignatureExpired { .. }
            | IntakeError::SignatureReplayed
            | IntakeError::RequestKeyUnknown => StatusCode::UNAUTHORIZED,
            IntakeError::UploadTooLarge { .. } | IntakeError::BeyondUploadLength { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            IntakeError::UploadNotFound | IntakeError::NotFound(_) => StatusCode::NOT_FOUND,
            IntakeError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            IntakeError::UploadExpired => StatusCode::GONE,
            IntakeError::OffsetMismatch { .. } | IntakeError::UploadComplete | IntakeError::UploadIncomplete => {
                StatusCode::CONFLICT
            }
            IntakeError::UnsupportedContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            // 460 is the tus checksum extension's own status; it is not in the IANA registry,
            // so it is built from the number. The unwrap-free form keeps this total.
            IntakeError::ChecksumMismatch => StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
            IntakeError::UploadLocked => StatusCode::LOCKED,
            IntakeError::PacketRejected(_)
            | IntakeError::StationKeyMismatch(_)
            | IntakeError::DuplicateRegistration(_)
            | IntakeError::Media(_) => StatusCode::UNPROCESSABLE_ENTITY,
            IntakeError::Database(_) | IntakeError::Io(_) | IntakeError::Bind { .. } | IntakeError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The message that goes over the wire. Internal failures keep their detail in the log.
    fn public_message(&self) -> String {
        match self {
            IntakeError::Database(_) | IntakeError::Io(_) | IntakeError::Internal(_) => {
                "the intake could not store data right now; the station keeps the packet and will try again later"
                    .to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for IntakeError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), error = %self, "request failed");
        } else {
            tracing::info!(code = self.code(), status = status.as_u16(), error = %self, "request refused");
        }
        let body = serde_json::json!({ "code": self.code(), "message": self.public_message() });
        let mut response = (status, axum::Json(body)).into_response();
        if matches!(self, IntakeError::UnsupportedTusVersion(_)) {
            // tus: a 412 names the versions the server does speak.
            response
                .headers_mut()
                .insert(TUS_VERSION_HEADER, HeaderValue::from_static(TUS_VERSION));
        }
        if matches!(self, IntakeError::UploadLocked) {
            // Another request is writing this upload; it ends within a chunk's time. Saying so
            // spares the station a guess (its client waits at least this long).
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// Runs blocking work (SQLite, fsync, hashing) off the async threads. A panic in the closure
/// becomes an internal error instead of tearing the connection down without an answer.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, IntakeError>
where
    F: FnOnce() -> Result<T, IntakeError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|join| IntakeError::Internal(format!("a storage task failed: {join}")))?
}
