//! What happens when a packet is complete at the register: verify, store, sign. However it
//! came, the last byte of a tus upload or a packet read from removable media
//! (`crate::media_import`), it goes through [`verify_and_accept`], so both ways in keep the same
//! rules and the same receipts.
//!
//! A station is answered only after this has run, so a `204` on the final `PATCH` means the
//! packet is verified and fsynced and its receipt exists. A refused upload is discarded (bytes
//! and upload record); the station gets `422` with the reason and keeps its copy.
//!
//! This module only orders the steps; the checks are in `verification`, the durability in the
//! storage backend (`storage_backend`), the receipt in `receipts`.

use enroll_packet::SignedReceipt;
use time::OffsetDateTime;

use crate::error::blocking;
use crate::key_ring::RegisterKeyRing;
use crate::receipts::issue_receipt;
use crate::storage::{AcceptOutcome, Arrival, UploadRecord};
use crate::storage_backend::StorageBackend;
use crate::tus_headers::DeclaredUpload;
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
        // Approved when the upload began; checked again (before anything is read), in case it
        // was revoked since.
        storage.approved_station_key(&upload.declared.station_id)?;
        let envelope = storage.read_part(&upload.upload_id)?;
        verify_and_accept(
            storage.as_ref(),
            state.register_keys(),
            &upload.declared,
            &envelope,
            Arrival::Upload(&upload),
            &upload.upload_id,
            now,
        )
        .map(|_| ())
    })
    .await
}

/// What the register did with a verified packet.
#[derive(Debug)]
pub struct Accepted {
    /// The packet's receipt: a new one, or the one issued when it was first stored.
    pub receipt: SignedReceipt,
    /// False when the register held these very bytes already (nothing was stored again).
    pub stored_now: bool,
}

/// The register takes responsibility for `envelope`, declared as `declared`: the station must
/// be approved (`station_pending`, `station_revoked`, `unknown_station` otherwise), the envelope
/// must pass every check of `verification` (`packet_rejected`, `station_key_mismatch`), and the
/// register must not hold another packet for the registration (`duplicate_registration`). Then
/// it is stored with a receipt naming `reference` and `now`, or, when these bytes are held
/// already, the first receipt stands. A refused upload is discarded.
pub(crate) fn verify_and_accept(
    storage: &dyn StorageBackend,
    register_keys: &RegisterKeyRing,
    declared: &DeclaredUpload,
    envelope: &[u8],
    arrival: Arrival<'_>,
    reference: &str,
    now: OffsetDateTime,
) -> Result<Accepted, IntakeError> {
    let station_key = storage.approved_station_key(&declared.station_id)?;
    // The pair the packet was sealed to opens it and signs its receipt (see `key_ring`).
    let register_keys = register_keys.pair_for_envelope(envelope);
    if let Err(rejection) = verify_complete_envelope(envelope, declared, &station_key, register_keys) {
        tracing::warn!(
            reference,
            registration_id = %declared.registration_id,
            station_id = %declared.station_id,
            reason = %rejection.message(),
            "packet rejected and discarded"
        );
        if let Arrival::Upload(upload) = arrival {
            storage.delete_upload(&upload.upload_id)?;
        }
        return Err(match rejection {
            Rejection::Packet(message) => IntakeError::PacketRejected(message),
            Rejection::StationKeyMismatch(message) => IntakeError::StationKeyMismatch(message),
        });
    }

    let receipt = issue_receipt(declared, reference, now, &register_keys.signing_key);
    let outcome = match arrival {
        Arrival::Upload(upload) => storage.accept_packet(upload, envelope, receipt.clone())?,
        Arrival::Media(bytes) => storage.accept_media_packet(declared, bytes, receipt.clone())?,
    };
    match outcome {
        AcceptOutcome::Stored => {
            tracing::info!(
                reference,
                registration_id = %declared.registration_id,
                station_id = %declared.station_id,
                sha256 = %declared.sha256,
                "packet stored"
            );
            Ok(Accepted {
                receipt,
                stored_now: true,
            })
        }
        AcceptOutcome::AlreadyHeld(held) => {
            tracing::info!(
                reference,
                registration_id = %declared.registration_id,
                first_reference = %held.receipt.intake_reference,
                "packet received again; the first receipt stands"
            );
            Ok(Accepted {
                receipt: held,
                stored_now: false,
            })
        }
        AcceptOutcome::DifferentPacketHeld => Err(IntakeError::DuplicateRegistration(declared.registration_id.clone())),
    }
}
