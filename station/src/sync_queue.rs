//! Sending the upload queue: every sealed packet, approved or rejected (and every uploaded one
//! still waiting for its receipt), goes to the intake in the order the reviews sealed them; a
//! registration becomes acknowledged only once the register's receipt has verified against
//! the keys pinned at onboarding.
//!
//! What a failure does depends on whom it concerns ([`FailureScope`]):
//! - the link (the intake is out of reach): the run stops, every packet stays as it was, and
//!   the background sync waits for the intake to answer again;
//! - the station (unknown at the intake, or known with another key): the run stops and the
//!   status says why until an admin acts;
//! - this packet, for good (`packet_rejected`, `duplicate_registration`, too large): it is
//!   quarantined with its reason, shown to supervisors, and the run goes on with the next;
//! - this packet, for now (a damaged chunk, an intake error): it waits out a backoff of its own
//!   ([`PACKET_RETRY`], at least the intake's `Retry-After`) and the run goes on;
//! - this packet, in a way a person should see if it persists (a receipt that does not verify,
//!   an unreadable file): as for now, and quarantined after [`SUSPECT_FAILURES`] in a row.
//!
//! Every request is signed with the station's request key (`request_key`), registered with the
//! intake first when it has not taken it yet; a run that cannot sign (no proof for the key yet,
//! or the intake refused it) stops before its first packet, which carries the reason.
//!
//! Nothing here deletes anything: a failure is recorded on the registration and the packet
//! stays on the station. One run at a time (`Station::sync_running`): the button, `enroll sync`
//! and the background sync wait for each other rather than send a packet twice at once.

use std::time::Duration;

use enroll_store::{QueuedUpload, StoredEnvelope};
use enroll_sync::{EnvelopeFile, EnvelopeSource, FailureScope, IntakeClient, RetryPolicy, SyncError};
use time::OffsetDateTime;

use crate::register_keys::PinnedKeys;
use crate::request_key::{self, RunClient};
use crate::sync_status::IntakeLink;
use crate::{rfc3339, ErrorView, Station, StationError, SyncFailure, SyncReport};

/// The wait before a packet that failed is tried again: doubling from a minute up to half an
/// hour, with full jitter (a thousand stations coming back after an outage do not retry in
/// step), and never less than the intake's `Retry-After`.
pub const PACKET_RETRY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(60),
    cap: Duration::from_secs(30 * 60),
};

/// Failures in a row, of the kind a retry may not cure, before a packet is set aside.
pub const SUSPECT_FAILURES: u32 = 5;

/// Who runs the queue, which is who the audit trail names for its moves (uploaded,
/// acknowledged, quarantined).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunBy {
    /// The operator who pressed Sync now.
    Operator,
    /// The station itself: the background sync, `enroll sync` ([`SYNC_ACTOR`]).
    Station,
}

/// The audit trail's name for the station's own sync.
pub const SYNC_ACTOR: &str = "sync";

/// `moves` on the vault, audited as `by` says.
pub(crate) fn audited<T>(
    vault: &mut enroll_store::Vault,
    by: RunBy,
    moves: impl FnOnce(&mut enroll_store::Vault) -> T,
) -> T {
    match by {
        RunBy::Operator => moves(vault),
        RunBy::Station => vault.acting_as(SYNC_ACTOR, moves),
    }
}

/// Which packets a run takes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunMode {
    /// Someone asked: every packet not quarantined, whatever its backoff says.
    Now,
    /// The background sync: the packets whose backoff is over.
    Due,
}

pub(crate) async fn run(station: &Station, mode: RunMode, by: RunBy) -> Result<SyncReport, StationError> {
    let _one_run_at_a_time = station.sync_running.lock().await;
    let now = (station.clock)();
    let (record, queue) = {
        let vault = station.vault();
        let record = vault.station()?.ok_or(StationError::NotSetUp)?;
        let queue: Vec<QueuedUpload> = vault
            .upload_queue()?
            .into_iter()
            .filter(|entry| entry.quarantined_at.is_none())
            .filter(|entry| mode == RunMode::Now || is_due(entry, now))
            .collect();
        (record, queue)
    };
    let pinned = PinnedKeys::load(&station.vault())?;
    let client = IntakeClient::new(&record.intake_url)?;
    let monitor = &station.sync_monitor;
    let mut report = SyncReport::default();
    monitor.run_started(queue.len() as u32);
    let outcome = match queue.first() {
        None => Ok(Finished::EveryPacketTried),
        Some(first) => match request_key::signing_client(station, &record, client).await {
            Ok(RunClient::Ready(client)) => {
                send_each(station, &client, &pinned, &record.station_id, &queue, by, &mut report).await
            }
            Ok(RunClient::NotReady(error)) => {
                cannot_sign(station, first, error, &mut report).map(|()| Finished::Stopped)
            }
            Err(error) => Err(error),
        },
    };
    monitor.run_finished();
    let finished = outcome?;
    if finished == Finished::EveryPacketTried && !queue.is_empty() {
        // The intake was reached and took every try: that is a sync, for the offline limits.
        station.vault().record_sync(&rfc3339(now))?;
    }
    if finished == Finished::EveryPacketTried && mode == RunMode::Now {
        // Someone asked for a sync: what the register did with earlier packets, and its
        // configuration, come with it.
        // (The background sync asks on its own pace, `sync_engine`.)
        crate::register_status::ask_if_due(station, Duration::ZERO, by).await;
        let reached = crate::register_config::fetch_if_due(station, Duration::ZERO, by).await;
        if reached && queue.is_empty() {
            // Nothing to send, and the register answered the station: in sync all the same.
            station.vault().record_sync(&rfc3339(now))?;
        }
    }
    Ok(report)
}

/// Whether the background sync should try `entry` at `now`: no backoff, or one that is over
/// (a time that does not parse is no reason to hold a packet back).
pub(crate) fn is_due(entry: &QueuedUpload, now: OffsetDateTime) -> bool {
    entry
        .next_attempt_at
        .as_deref()
        .and_then(|text| crate::session::parse_time(text).ok())
        .is_none_or(|at| at <= now)
}

async fn send_each(
    station: &Station,
    client: &IntakeClient,
    pinned: &PinnedKeys,
    station_id: &str,
    queue: &[QueuedUpload],
    by: RunBy,
    report: &mut SyncReport,
) -> Result<Finished, StationError> {
    let monitor = &station.sync_monitor;
    for entry in queue {
        report.attempted += 1;
        let registration_id = entry.registration_id.as_str();
        let outcome = async {
            let envelope = envelope_source(station, registration_id)?;
            // The receipt is signed with the register keys the packet was sealed to, which a
            // key rotation since may have retired (see `register_keys`).
            let sealed_to = pinned.for_envelope(envelope.as_ref()).map_err(SendError::Sync)?;
            monitor.packet_started(registration_id, envelope.len());
            let upload_url = upload_url_for(station, client, entry, station_id, envelope.as_ref()).await?;
            let progress = |sent: u64, total: u64| monitor.packet_progress(sent, total);
            client
                .send_packet(
                    registration_id,
                    station_id,
                    envelope.as_ref(),
                    sealed_to,
                    Some(&upload_url),
                    &progress,
                )
                .await
                .map_err(SendError::Sync)
        }
        .await;
        monitor.packet_finished();
        match outcome {
            Ok((upload_url, receipt)) => {
                let now = rfc3339((station.clock)());
                let receipt_json = serde_json::to_string(&receipt).expect("a receipt is plain JSON values");
                audited(&mut station.vault(), by, |vault| {
                    if enroll_store::registrations::QUEUED.contains(&entry.state) {
                        vault.mark_uploaded(registration_id, &upload_url, &now)?;
                    }
                    vault.record_receipt(registration_id, &receipt_json, &now)
                })?;
                monitor.update(|status| {
                    status.link = IntakeLink::Online;
                    status.last_contact_at = Some(now);
                    status.blocked = None;
                });
                report.acknowledged += 1;
                tracing::info!(%registration_id, reference = %receipt.receipt.intake_reference, "acknowledged");
            }
            Err(SendError::Vault(error)) => return Err(error),
            Err(SendError::Sync(error)) => {
                let next = record_failure(station, entry, &error, by)?;
                if next == Next::Quarantined {
                    report.quarantined.push(registration_id.to_string());
                }
                report.failures.push(failure(registration_id, error));
                if next == Next::Stop {
                    return Ok(Finished::Stopped);
                }
            }
        }
    }
    Ok(Finished::EveryPacketTried)
}

/// The run cannot sign its requests (see `request_key`): it stops before its first packet, which
/// carries the reason as it would a station's refusal. Anything but a link that is down blocks
/// the sync (the background sync then waits its longer pause) until the cause is gone: a
/// sign-in, the register's approval, the intake back on its feet.
fn cannot_sign(
    station: &Station,
    first: &QueuedUpload,
    error: StationError,
    report: &mut SyncReport,
) -> Result<(), StationError> {
    let registration_id = first.registration_id.as_str();
    let code = error.code();
    report.attempted += 1;
    station
        .vault()
        .record_upload_error(registration_id, code, &error.to_string())?;
    let view = ErrorView::from(&error);
    match &error {
        StationError::Sync(sync) if sync.scope() == FailureScope::Link => {
            tracing::warn!(code, %error, "the intake is out of reach; the queue waits for it");
            station.sync_monitor.update(|status| status.link = IntakeLink::Offline);
        }
        _ => {
            tracing::error!(code, %error, "the station cannot sign its requests; the queue stops");
            let answered = matches!(error, StationError::Sync(_));
            station.sync_monitor.update(|status| {
                if answered {
                    status.link = IntakeLink::Online;
                }
                status.blocked = Some(view);
            });
        }
    }
    report.failures.push(SyncFailure {
        registration_id: registration_id.to_string(),
        error: error.into(),
    });
    Ok(())
}

fn failure(registration_id: &str, error: SyncError) -> SyncFailure {
    SyncFailure {
        registration_id: registration_id.to_string(),
        error: StationError::Sync(error).into(),
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finished {
    EveryPacketTried,
    /// The link dropped or the intake refused the station.
    Stopped,
}

/// What the run does after a packet failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    GoOn,
    Quarantined,
    Stop,
}

/// Record `error` on `entry` as its scope says (see the module's notes).
fn record_failure(station: &Station, entry: &QueuedUpload, error: &SyncError, by: RunBy) -> Result<Next, StationError> {
    let registration_id = entry.registration_id.as_str();
    let clock_now = (station.clock)();
    let now = rfc3339(clock_now);
    let code = error.code();
    let message = error.to_string();
    let monitor = &station.sync_monitor;
    let quarantine = |vault: &mut enroll_store::Vault| {
        audited(vault, by, |vault| {
            vault.quarantine(registration_id, code, &message, &now)
        })?;
        Ok(Next::Quarantined)
    };
    let mut vault = station.vault();
    match error.scope() {
        FailureScope::Link => {
            tracing::warn!(%registration_id, code, %error, "the intake is out of reach; the queue waits for it");
            vault.record_upload_error(registration_id, code, &message)?;
            drop(vault);
            monitor.update(|status| status.link = IntakeLink::Offline);
            Ok(Next::Stop)
        }
        FailureScope::Station => {
            tracing::error!(%registration_id, code, %error, "the intake refuses this station; the queue stops");
            vault.record_upload_error(registration_id, code, &message)?;
            request_key::note_refusal(&mut vault, error)?;
            drop(vault);
            let blocked = StationError::Sync(error.clone()).into();
            monitor.update(|status| {
                status.link = IntakeLink::Online;
                status.blocked = Some(blocked);
            });
            Ok(Next::Stop)
        }
        FailureScope::PacketRefused => {
            tracing::warn!(%registration_id, code, %error, "the register refuses this packet; it is set aside for a supervisor");
            quarantine(&mut vault)
        }
        scope @ (FailureScope::PacketTransient | FailureScope::PacketSuspect) => {
            let attempt = entry.failures + 1;
            if scope == FailureScope::PacketSuspect && attempt >= SUSPECT_FAILURES {
                tracing::warn!(%registration_id, code, %error, attempt, "the packet keeps failing; it is set aside for a supervisor");
                return quarantine(&mut vault);
            }
            let wait = PACKET_RETRY.delay_now(attempt, error.retry_after());
            let next = rfc3339(clock_now + wait);
            tracing::warn!(%registration_id, code, %error, attempt, next_attempt_at = %next, "upload failed; the packet stays queued");
            vault.record_upload_failure(registration_id, code, &message, &next)?;
            Ok(Next::GoOn)
        }
    }
}

enum SendError {
    Sync(SyncError),
    Vault(StationError),
}

impl From<SyncError> for SendError {
    fn from(error: SyncError) -> SendError {
        SendError::Sync(error)
    }
}

/// The sealed envelope of a queued registration, read from its file a chunk at a time as it
/// is sent: a packet of tens of megabytes never sits in the station's memory whole. A file
/// that cannot be opened or read is this packet's failure, not the queue's.
fn envelope_source(station: &Station, registration_id: &str) -> Result<Box<dyn EnvelopeSource>, SendError> {
    let stored = station
        .vault()
        .open_envelope(registration_id)
        .map_err(|error| SendError::Sync(SyncError::EnvelopeUnreadable(error.to_string())))?;
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
    entry: &QueuedUpload,
    station_id: &str,
    envelope: &dyn EnvelopeSource,
) -> Result<String, SendError> {
    if let Some(url) = &entry.upload_url {
        return Ok(url.clone());
    }
    let url = client
        .create_upload(&entry.registration_id, station_id, envelope)
        .await?;
    let now = rfc3339((station.clock)());
    station
        .vault()
        .record_upload_url(&entry.registration_id, &url, &now)
        .map_err(|e| SendError::Vault(e.into()))?;
    Ok(url)
}
