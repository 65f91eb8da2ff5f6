//! What the register did with the packets it receipted: the sync asks the intake in batches
//! (`POST /v1/packets/status`) and keeps the answers on each registration; supervisors see the
//! packets the register **returned** (rejected, or re-register: the resident must come back)
//! with the register's reason, until one of them marks each handled.
//!
//! When it asks: after every "Sync now" and `enroll sync` that reached the intake, and in the
//! background every [`BackgroundSync::register_status`](crate::BackgroundSync) while the intake
//! answers. It asks only about acknowledged (or purged) packets whose status may still move,
//! the longest unasked first, at most [`BATCHES_PER_ASK`] batches of [`BATCH`] at a time.
//!
//! The register's reason may describe the resident, and the sync runs with nobody signed in:
//! it is sealed to the station's inbox key (`enroll_packet::inbox`), made at the first sign-in
//! ([`ensure_inbox_key`]), and opened only for a signed-in operator. A return that arrives
//! before the station has an inbox key is not recorded; it is asked for again later.
//!
//! A failure to ask (the link dropped, the intake refused) changes nothing and is only logged:
//! statuses are news, not a packet at risk; the next ask catches up.

use std::sync::Mutex;
use std::time::Duration;

use enroll_store::register_status::{reason_info, RegisterStatusRow, RegisterStatusUpdate};
use enroll_store::{DataKey, Role, Vault};
use enroll_sync::{IntakeClient, RegisterStatus};
use serde::Serialize;
use specta::Type;
use time::OffsetDateTime;

use crate::request_key::{self, RunClient};
use crate::sync_queue::{audited, RunBy};
use crate::{rfc3339, PermissionRule, Station, StationError};

/// How many registrations one status query names (the intake takes up to 500).
pub const BATCH: u32 = 500;

/// How many batches one ask sends at most: a station back after a long time offline catches up
/// over a few asks rather than holding the link.
pub const BATCHES_PER_ASK: u32 = 4;

/// How many returned packets the home screen lists (the count says how many there are).
pub const RETURNED_LIST_SIZE: u32 = 50;

/// When the station last asked the register something (in memory: after a restart it asks at
/// once). The statuses here and the configuration (`register_config`) each keep one.
#[derive(Default)]
pub(crate) struct LastAsked(Mutex<Option<OffsetDateTime>>);

impl LastAsked {
    /// Whether `every` has passed since the last ask at `now` (always when none was made).
    pub(crate) fn is_due(&self, now: OffsetDateTime, every: Duration) -> bool {
        let last = self.0.lock().unwrap_or_else(|p| p.into_inner());
        last.is_none_or(|last| now - last >= every)
    }

    /// The register answered an ask made at `now`.
    pub(crate) fn answered(&self, now: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
    }
}

/// A status as the screens show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RegisterStatusName {
    Received,
    Processing,
    Processed,
    Rejected,
    ReRegister,
    Unknown,
}

impl RegisterStatusName {
    fn parse(text: &str) -> Result<RegisterStatusName, StationError> {
        Ok(match text {
            "received" => RegisterStatusName::Received,
            "processing" => RegisterStatusName::Processing,
            "processed" => RegisterStatusName::Processed,
            "rejected" => RegisterStatusName::Rejected,
            "re_register" => RegisterStatusName::ReRegister,
            "unknown" => RegisterStatusName::Unknown,
            other => return Err(StationError::corrupt(format!("'{other}' is not a register status"))),
        })
    }
}

/// What the register says of one registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct RegisterStatusView {
    pub registration_id: String,
    pub status: RegisterStatusName,
    /// The register's reason (for a rejection or a re-registration), if it gave one.
    pub reason: Option<String>,
    /// When the register changed it (RFC 3339), or when the station first heard of it.
    pub changed_at: String,
    /// When the station last asked.
    pub checked_at: Option<String>,
    /// For a returned packet that a supervisor dealt with: who, and when.
    pub handled_by: Option<String>,
    pub handled_at: Option<String>,
}

/// The packets the register returned that no supervisor has handled yet.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ReturnedByRegisterView {
    /// The oldest returns first, at most [`RETURNED_LIST_SIZE`].
    pub items: Vec<RegisterStatusView>,
    /// How many there are in all.
    pub total: u64,
}

/// What one ask did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AskReport {
    /// Registrations named in the queries.
    pub asked: u32,
    /// Statuses that changed.
    pub changed: u32,
}

/// At sign-in, the data key at hand: a station without an inbox key makes one.
pub(crate) fn ensure_inbox_key(vault: &mut Vault, data_key: &DataKey) -> Result<(), StationError> {
    if vault.inbox_public_key()?.is_none() {
        let (secret, public) = enroll_packet::inbox::generate_inbox_key();
        if vault.store_inbox_key(&public, &secret, data_key)? {
            tracing::info!("the station made its inbox key (the register's reasons are sealed to it)");
        }
    }
    Ok(())
}

/// Ask the register when `every` has passed since the last ask (or always, when `every` is
/// zero: someone pressed Sync now). Never fails the caller: see the module's notes.
pub(crate) async fn ask_if_due(station: &Station, every: Duration, by: RunBy) {
    let now = (station.clock)();
    if !station.register_status_asked.is_due(now, every) {
        return;
    }
    match ask(station, by).await {
        Ok(report) => {
            station.register_status_asked.answered(now);
            if report.changed > 0 {
                tracing::info!(
                    asked = report.asked,
                    changed = report.changed,
                    "the register moved packets on"
                );
            } else {
                tracing::debug!(
                    asked = report.asked,
                    "asked the register for packet statuses; nothing new"
                );
            }
        }
        Err(error) => {
            tracing::warn!(code = error.code(), %error, "the register's packet statuses could not be asked; asked again later");
        }
    }
}

/// Ask the register about the packets whose status may still move, and keep its answers.
pub(crate) async fn ask(station: &Station, by: RunBy) -> Result<AskReport, StationError> {
    let mut report = AskReport::default();
    let first = station.vault().awaiting_register_status(BATCH)?;
    if first.is_empty() {
        return Ok(report);
    }
    let record = station.vault().station()?.ok_or(StationError::NotSetUp)?;
    let client = match request_key::signing_client(station, &record, IntakeClient::new(&record.intake_url)?).await? {
        RunClient::Ready(client) => client,
        RunClient::NotReady(error) => return Err(error),
    };
    let mut batch = first;
    for round in 0..BATCHES_PER_ASK {
        if round > 0 {
            batch = station.vault().awaiting_register_status(BATCH)?;
        }
        if batch.is_empty() {
            break;
        }
        let answers = client.packet_statuses(&batch).await?;
        let now = rfc3339((station.clock)());
        let updates = updates_from(station, &answers)?;
        report.asked += batch.len() as u32;
        let changed = audited(&mut station.vault(), by, |vault| {
            vault.record_register_statuses(&updates, &now)
        })?;
        if changed > 0 {
            // The window reads its lists again (returned packets, a registration's line).
            station.sync_monitor.update(|status| status.register_news += 1);
        }
        report.changed += changed;
        if batch.len() < BATCH as usize {
            break;
        }
    }
    Ok(report)
}

/// The vault's updates for the register's `answers`, each reason sealed to the inbox. Without
/// an inbox key, a return with a reason is left out (asked again once there is one).
fn updates_from(station: &Station, answers: &[RegisterStatus]) -> Result<Vec<RegisterStatusUpdate>, StationError> {
    let inbox = station.vault().inbox_public_key()?;
    let mut updates = Vec::with_capacity(answers.len());
    for answer in answers {
        let reason_sealed = match (answer.reason.as_deref(), inbox.as_ref()) {
            (None, _) => None,
            (Some(reason), Some(inbox)) => Some(enroll_packet::inbox::seal_to_inbox(
                inbox,
                &reason_info(&answer.registration_id),
                reason.as_bytes(),
            )?),
            (Some(_), None) => {
                tracing::warn!(
                    registration_id = %answer.registration_id,
                    "the register gave a reason but the station has no inbox key yet (nobody signed in since the update); asked again later"
                );
                continue;
            }
        };
        updates.push(RegisterStatusUpdate {
            registration_id: answer.registration_id.clone(),
            status: answer.status.as_str().to_string(),
            reason_sealed,
            changed_at: answer.changed_at.clone(),
        });
    }
    Ok(updates)
}

/// The inbox's secret when one of `rows` carries a reason: read and opened once for a whole
/// list. A secret that cannot be read leaves the reasons out (and is logged): the statuses
/// themselves are still worth seeing.
fn inbox_secret_for(
    vault: &Vault,
    data_key: &DataKey,
    rows: &[RegisterStatusRow],
) -> Option<zeroize::Zeroizing<[u8; 32]>> {
    if rows.iter().all(|row| row.reason_sealed.is_none()) {
        return None;
    }
    vault
        .inbox_secret(data_key)
        .inspect_err(|error| {
            tracing::warn!(
                code = error.code(),
                "the station's inbox key could not be read; the register's reasons are not shown"
            )
        })
        .ok()
}

/// A stored status as the screens show it, its reason opened with the inbox's `secret`. A
/// reason that does not open is shown as absent (and logged).
fn view_of(secret: Option<&[u8; 32]>, row: RegisterStatusRow) -> Result<RegisterStatusView, StationError> {
    let reason = match (&row.reason_sealed, secret) {
        (Some(sealed), Some(secret)) => {
            match enroll_packet::inbox::open_inbox(secret, &reason_info(&row.registration_id), sealed) {
                Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
                Err(error) => {
                    tracing::warn!(registration_id = %row.registration_id, code = error.code(), "the register's reason could not be opened");
                    None
                }
            }
        }
        _ => None,
    };
    Ok(RegisterStatusView {
        status: RegisterStatusName::parse(&row.status)?,
        registration_id: row.registration_id,
        reason,
        changed_at: row.changed_at,
        checked_at: row.checked_at,
        handled_by: row.handled_by,
        handled_at: row.handled_at,
    })
}

/// The register's status of one registration, for its screen.
pub(crate) fn status_of(
    vault: &Vault,
    data_key: &DataKey,
    registration_id: &str,
) -> Result<Option<RegisterStatusView>, StationError> {
    let Some(row) = vault.register_status(registration_id)? else {
        return Ok(None);
    };
    let secret = inbox_secret_for(vault, data_key, std::slice::from_ref(&row));
    view_of(secret.as_deref(), row).map(Some)
}

/// The returned packets not handled yet, for the home screen.
pub(crate) fn returned(vault: &Vault, data_key: &DataKey) -> Result<ReturnedByRegisterView, StationError> {
    let (rows, total) = vault.returned_by_register(RETURNED_LIST_SIZE)?;
    let secret = inbox_secret_for(vault, data_key, &rows);
    let items = rows
        .into_iter()
        .map(|row| view_of(secret.as_deref(), row))
        .collect::<Result<_, _>>()?;
    Ok(ReturnedByRegisterView { items, total })
}

impl Station {
    /// A supervisor (or admin) dealt with a packet the register returned: it leaves the list.
    pub fn mark_register_return_handled(&self, registration_id: &str) -> Result<ReturnedByRegisterView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        if operator.role == Role::Officer {
            return Err(StationError::not_permitted(
                PermissionRule::OfficerCannotReview,
                format!("mark {registration_id} as handled"),
            ));
        }
        let now = rfc3339((self.clock)());
        let mut vault = self.vault();
        vault.mark_register_return_handled(registration_id, &operator.username, &now)?;
        tracing::info!(registration_id, supervisor = %operator.username, "a packet the register returned was handled");
        returned(&vault, &data_key)
    }
}
