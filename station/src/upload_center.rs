//! The upload center: every packet still to reach the register (or be receipted by it), in the
//! order they go, each with its state, its progress if it is on its way, its last error, when
//! it is tried next, and the quarantine; above them, the sync's status.
//!
//! Read from the vault when asked, with the live status of the packet being sent laid over
//! it. Nothing here needs the data key: a queued packet is sealed to the register.

use serde::Serialize;
use specta::Type;

use crate::sync_status::{SyncStatusView, UploadProgressView};
use crate::views::{decision_of, upload_error_view, RegistrationStateName};
use crate::{DecisionView, ErrorView, Station, StationError};

/// The upload center's screen.
#[derive(Debug, Clone, Serialize, Type)]
pub struct UploadCenterView {
    pub status: SyncStatusView,
    /// In the order they are sent; quarantined ones included, marked.
    pub entries: Vec<UploadEntryView>,
    /// How many entries wait to be sent or receipted (not quarantined).
    pub waiting: u32,
    /// How many are quarantined.
    pub quarantined: u32,
}

/// One packet of the queue.
#[derive(Debug, Clone, Serialize, Type)]
pub struct UploadEntryView {
    pub registration_id: String,
    /// Sealed or rejected (to send), or uploaded (waiting for the receipt).
    pub state: RegistrationStateName,
    /// When the review sealed it.
    pub queued_at: String,
    pub created_by: String,
    pub decision: Option<DecisionView>,
    /// Its bytes on their way, while it is the packet being sent.
    pub progress: Option<UploadProgressView>,
    /// Failed tries in a row.
    pub failures: u32,
    pub last_error: Option<ErrorView>,
    /// Not tried before this time (RFC 3339) by the background sync.
    pub next_attempt_at: Option<String>,
    /// Set aside since (RFC 3339): the sync passes it by until a supervisor releases it.
    pub quarantined_at: Option<String>,
}

pub(crate) fn upload_center(station: &Station) -> Result<UploadCenterView, StationError> {
    let status = station.sync_monitor.snapshot();
    let queue = station.vault().upload_queue()?;
    let mut view = UploadCenterView {
        status,
        entries: Vec::with_capacity(queue.len()),
        waiting: 0,
        quarantined: 0,
    };
    for entry in queue {
        if entry.quarantined_at.is_some() {
            view.quarantined += 1;
        } else {
            view.waiting += 1;
        }
        let progress = view
            .status
            .current
            .as_ref()
            .filter(|current| current.registration_id == entry.registration_id)
            .cloned();
        view.entries.push(UploadEntryView {
            registration_id: entry.registration_id,
            state: entry.state.into(),
            queued_at: entry.queued_at,
            created_by: entry.created_by,
            decision: decision_of(entry.approved_by, entry.rejected_by),
            progress,
            failures: entry.failures,
            last_error: entry.last_error.map(upload_error_view),
            next_attempt_at: entry.next_attempt_at,
            quarantined_at: entry.quarantined_at,
        });
    }
    Ok(view)
}
