//! Sending the upload queue: every sealed packet, approved or rejected (and every uploaded one
//! still waiting for its receipt), goes to the intake, oldest first; a registration becomes acknowledged only once the register's
//! receipt has verified against the keys pinned at onboarding. A failure is recorded on the
//! registration and leaves it queued: nothing is lost, the next sync tries again.

use enroll_packet::RegisterPublicKeys;
use enroll_store::{RegistrationState, StoredEnvelope};
use enroll_sync::{EnvelopeFile, EnvelopeSource, IntakeClient};

use crate::{rfc3339, Station, StationError, SyncFailure, SyncReport};

pub(crate) async fn sync_now(station: &Station) -> Result<SyncReport, StationError> {
    let (record, queue) = {
        let vault = station.vault();
        let record = vault.station()?.ok_or(StationError::NotSetUp)?;
        let mut queue = Vec::new();
        for state in enroll_store::registrations::QUEUED {
            queue.extend(vault.registrations_in(state)?);
        }
        queue.sort_by(|a, b| (&a.updated_at, &a.registration_id).cmp(&(&b.updated_at, &b.registration_id)));
        queue.extend(vault.registrations_in(RegistrationState::Uploaded)?);
        (record, queue)
    };
    let pinned = RegisterPublicKeys::from_json(&record.register_keys_json)?;
    let client = IntakeClient::new(&record.intake_url)?;
    let mut report = SyncReport::default();
    for row in queue {
        report.attempted += 1;
        let registration_id = row.registration_id.clone();
        let progress = |sent: u64, total: u64| tracing::debug!(%registration_id, sent, total, "uploading");
        let outcome = async {
            let envelope = envelope_source(station, &registration_id)?;
            let upload_url = upload_url_for(station, &client, &row, &record.station_id, envelope.as_ref()).await?;
            client
                .send_packet(
                    &registration_id,
                    &record.station_id,
                    envelope.as_ref(),
                    &pinned,
                    Some(&upload_url),
                    &progress,
                )
                .await
                .map_err(SendError::Sync)
        }
        .await;
        match outcome {
            Ok((upload_url, receipt)) => {
                let now = rfc3339((station.clock)());
                let receipt_json = serde_json::to_string(&receipt).expect("a receipt is plain JSON values");
                let mut vault = station.vault();
                if enroll_store::registrations::QUEUED.contains(&row.state) {
                    vault.mark_uploaded(&registration_id, &upload_url, &now)?;
                }
                vault.record_receipt(&registration_id, &receipt_json, &now)?;
                report.acknowledged += 1;
                tracing::info!(%registration_id, reference = %receipt.receipt.intake_reference, "acknowledged");
            }
            Err(SendError::Vault(error)) => return Err(error),
            Err(SendError::Sync(error)) => {
                tracing::warn!(%registration_id, code = error.code(), %error, "upload failed; the packet stays queued");
                station
                    .vault()
                    .record_upload_error(&registration_id, error.code(), &error.to_string())?;
                report.failures.push(SyncFailure {
                    registration_id,
                    error: StationError::Sync(error).into(),
                });
            }
        }
    }
    Ok(report)
}

enum SendError {
    Sync(enroll_sync::SyncError),
    Vault(StationError),
}

impl From<enroll_sync::SyncError> for SendError {
    fn from(error: enroll_sync::SyncError) -> SendError {
        SendError::Sync(error)
    }
}

/// The sealed envelope of a queued registration, read from its file a chunk at a time as it
/// is sent: a packet of tens of megabytes never sits in the station's memory whole. A file
/// that cannot be read is this packet's failure, not the queue's.
fn envelope_source(station: &Station, registration_id: &str) -> Result<Box<dyn EnvelopeSource>, SendError> {
    let stored = station
        .vault()
        .open_envelope(registration_id)
        .map_err(|e| SendError::Vault(e.into()))?;
    Ok(match stored {
        StoredEnvelope::InRow(bytes) => Box::new(bytes),
        StoredEnvelope::File { file, name } => Box::new(EnvelopeFile::from_file(file, &name)?),
    })
}

/// The upload to send into: the one recorded for this registration, or a new one that is
/// recorded *before* any byte is sent, so that an upload cut by a dropped link, a crash or a
/// power cut resumes where the intake stopped instead of starting again.
async fn upload_url_for(
    station: &Station,
    client: &IntakeClient,
    row: &enroll_store::RegistrationRow,
    station_id: &str,
    envelope: &dyn EnvelopeSource,
) -> Result<String, SendError> {
    if let Some(url) = &row.upload_url {
        return Ok(url.clone());
    }
    let url = client.create_upload(&row.registration_id, station_id, envelope).await?;
    let now = rfc3339((station.clock)());
    station
        .vault()
        .record_upload_url(&row.registration_id, &url, &now)
        .map_err(|e| SendError::Vault(e.into()))?;
    Ok(url)
}
