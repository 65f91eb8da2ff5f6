//! Signed receipts: what the register gives a station for a packet it now holds, and the
//! `GET /v1/uploads/{id}/receipt` endpoint that hands it out.
//!
//! A receipt is signed once, when the packet is first stored, and kept verbatim: a station
//! that re-uploads the same bytes, or asks again after a restart, gets the very same receipt
//! (same `received_at`, same `intake_reference`), so "the register holds this packet" has one
//! answer.
//!
//! This module does not decide whether a packet is acceptable (see `verification`).

use axum::extract::{Path, State};
use axum::Json;
use enroll_packet::time::rfc3339;
use enroll_packet::{Receipt, SignedReceipt};
use time::OffsetDateTime;

use crate::error::blocking;
use crate::request_auth::SignedStation;
use crate::storage::UploadState;
use crate::tus_headers::DeclaredUpload;
use crate::{IntakeError, IntakeState};

/// The receipt for the packet `declared`, received at `received_at`, signed with the register's
/// key. Its `intake_reference` is `reference`: the upload id under which the packet was first
/// stored, or the reference a packet read from removable media was given.
pub fn issue_receipt(
    declared: &DeclaredUpload,
    reference: &str,
    received_at: OffsetDateTime,
    register_signing_key: &ed25519_dalek::SigningKey,
) -> SignedReceipt {
    let receipt = Receipt {
        registration_id: declared.registration_id.clone(),
        station_id: declared.station_id.clone(),
        envelope_sha256: declared.sha256.clone(),
        received_at: rfc3339(received_at),
        intake_reference: reference.to_owned(),
    };
    SignedReceipt::sign(receipt, register_signing_key)
}

/// `GET /v1/uploads/{id}/receipt`.
#[tracing::instrument(skip(state))]
pub async fn get_receipt(
    State(state): State<IntakeState>,
    Path(upload_id): Path<String>,
    signed: SignedStation,
) -> Result<Json<SignedReceipt>, IntakeError> {
    let storage = state.storage();
    let receipt = blocking(move || {
        // Only the station that sent the packet reads its receipt; to any other the upload
        // does not exist.
        let upload = storage
            .upload(&upload_id)?
            .filter(|upload| upload.belongs_to(&signed.station_id))
            .ok_or(IntakeError::UploadNotFound)?;
        match upload.state {
            // Past its expiry it is expired, whether or not a sweep has marked it yet.
            UploadState::Receiving if upload.expires_at <= OffsetDateTime::now_utc() => Err(IntakeError::UploadExpired),
            UploadState::Receiving => Err(IntakeError::UploadIncomplete),
            UploadState::Expired => Err(IntakeError::UploadExpired),
            UploadState::Complete => storage
                .packet_receipt(&upload.declared.registration_id)?
                .ok_or_else(|| {
                    IntakeError::Internal(format!(
                        "upload {upload_id} is complete but no packet is held for its registration"
                    ))
                }),
        }
    })
    .await?;
    Ok(Json(receipt))
}
