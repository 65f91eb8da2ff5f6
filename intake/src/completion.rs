//! What happens when the last byte of an upload arrives: verify, store, sign.
//!
//! The station is answered only after this has run, so a `204` on the final `PATCH` means the
//! packet is verified and fsynced and its receipt exists. A refused packet is discarded (bytes
//! and upload record); the station gets `422` with the reason and keeps its copy.
//!
//! This module only orders the steps; the checks are in `verification`, the durability in
//! `storage`, the receipt in `receipts`.

use time::OffsetDateTime;

use crate::error::blocking;
use crate::receipts::issue_receipt;
use crate::storage::{AcceptOutcome, UploadRecord};
use crate::verification::{verify_complete_envelope, Rejection};
use crate::{IntakeError, IntakeState};

/// Verifies and stores a complete upload. `now` becomes the receipt's `received_at`.
pub async fn complete_upload(
    state: &IntakeState,
    upload: UploadRecord,
    now: OffsetDateTime,
) -> Result<(), IntakeError> {
    let state = state.clone();
    blocking(move || {
        let storage = state.storage();
        // Approved when the upload began; checked again, in case it was revoked since.
        let station_key = storage.approved_station_key(&upload.declared.station_id)?;
        let envelope = storage.read_part(&upload.upload_id)?;
        if let Err(rejection) =
            verify_complete_envelope(&envelope, &upload.declared, &station_key, state.register_keys())
        {
            tracing::warn!(
                upload_id = %upload.upload_id,
                registration_id = %upload.declared.registration_id,
                station_id = %upload.declared.station_id,
                reason = %rejection.message(),
                "packet rejected and discarded"
            );
            storage.delete_upload(&upload.upload_id)?;
            return Err(match rejection {
                Rejection::Packet(message) => IntakeError::PacketRejected(message),
                Rejection::StationKeyMismatch(message) => IntakeError::StationKeyMismatch(message),
            });
        }

        let receipt = issue_receipt(&upload, now, state.register_signing_key());
        match storage.accept_packet(&upload, receipt)? {
            AcceptOutcome::Stored => {
                tracing::info!(
                    upload_id = %upload.upload_id,
                    registration_id = %upload.declared.registration_id,
                    station_id = %upload.declared.station_id,
                    sha256 = %upload.declared.sha256,
                    "packet stored"
                );
                Ok(())
            }
            AcceptOutcome::AlreadyHeld(held) => {
                tracing::info!(
                    upload_id = %upload.upload_id,
                    registration_id = %upload.declared.registration_id,
                    first_reference = %held.receipt.intake_reference,
                    "packet received again; the first receipt stands"
                );
                Ok(())
            }
            AcceptOutcome::DifferentPacketHeld => Err(IntakeError::DuplicateRegistration(
                upload.declared.registration_id.clone(),
            )),
        }
    })
    .await
}
