//! The background sync: a thread of its own that sends the upload queue whenever the intake
//! answers, so that nobody has to think of pressing "Sync now" after days without a network.
//! The app starts it when the station opens, `enroll sync --watch` runs the same loop in the
//! foreground.
//!
//! The loop, one step at a time:
//! - not set up yet: look again in a while;
//! - packets due (not quarantined, backoff over): ask the intake's health; if it answers, send
//!   them (the same run as "Sync now", `sync_queue`); if not, wait, longer after each miss
//!   ([`BackgroundSync::offline`]: a rural station may be offline for days, and a thousand
//!   stations must not knock in step when the register comes back);
//! - nothing due: ask the health now and then anyway, so the window's "online" stays true,
//!   and wake when the next backoff ends;
//! - whenever the intake answered and the station is not blocked: ask the register what it
//!   did with receipted packets, at most every [`BackgroundSync::register_status`], and for
//!   newer configuration, at most every [`BackgroundSync::configuration`].
//!
//! A review (approve or reject) wakes the loop at once, so a packet sealed while the intake is
//! reachable leaves within moments. The thread holds the station weakly and ends soon after
//! the station is dropped (which wakes it).
//!
//! Deliberately absent: any decision about a packet (that is `sync_queue`), and the sending
//! itself.

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use enroll_sync::{IntakeClient, RetryPolicy};

use crate::sync_queue::{self, RunBy, RunMode};
use crate::sync_status::IntakeLink;
use crate::{register_config, register_status};
use crate::{rfc3339, Station, StationError};

/// How the background sync paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackgroundSync {
    /// How long to wait while nothing is due before asking the intake again.
    pub idle: Duration,
    /// The wait after the intake did not answer: doubling with each miss, with jitter, up to
    /// its cap.
    pub offline: RetryPolicy,
    /// The wait while the intake refuses the station (until an admin acts).
    pub blocked: Duration,
    /// How often to ask the register what it did with receipted packets
    /// (see [`crate::register_status`]).
    pub register_status: Duration,
    /// How often to ask the register for configuration (see [`crate::register_config`]).
    pub configuration: Duration,
}

impl Default for BackgroundSync {
    fn default() -> BackgroundSync {
        BackgroundSync {
            idle: Duration::from_secs(60),
            offline: RetryPolicy {
                base: Duration::from_secs(5),
                cap: Duration::from_secs(60),
            },
            blocked: Duration::from_secs(300),
            register_status: Duration::from_secs(15 * 60),
            configuration: Duration::from_secs(15 * 60),
        }
    }
}

/// What wakes the loop before its wait is over: a review, the station closing.
#[derive(Default)]
pub(crate) struct SyncWake {
    rung: Mutex<bool>,
    bell: Condvar,
}

impl SyncWake {
    pub(crate) fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.bell.notify_all();
    }

    /// Wait `timeout`, or less if rung (a ring while no one waited counts too).
    fn wait(&self, timeout: Duration) {
        let rung = self.rung.lock().unwrap_or_else(|p| p.into_inner());
        let (mut rung, _) = self
            .bell
            .wait_timeout_while(rung, timeout, |rung| !*rung)
            .unwrap_or_else(|p| p.into_inner());
        *rung = false;
    }
}

/// Start the background sync of `station` on a thread of its own.
pub fn start_background_sync(station: &Arc<Station>, pace: BackgroundSync) -> std::io::Result<()> {
    let weak = Arc::downgrade(station);
    let wake = Arc::clone(&station.sync_wake);
    std::thread::Builder::new()
        .name("background-sync".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    tracing::error!(%error, "the background sync could not start; only Sync now sends packets");
                    return;
                }
            };
            let mut misses = 0;
            loop {
                let wait = match Weak::upgrade(&weak) {
                    None => return,
                    Some(station) => runtime.block_on(step(&station, pace, &mut misses)),
                };
                wake.wait(wait);
            }
        })?;
    Ok(())
}

/// Run the background sync on the calling task until `keep_going` says no (`enroll sync
/// --watch`); [`Station::wake_sync`] cuts a pause short so that it is asked at once.
pub async fn watch_sync(
    station: &Station,
    pace: BackgroundSync,
    keep_going: impl Fn() -> bool,
) -> Result<(), StationError> {
    let mut misses = 0;
    while keep_going() {
        let wait = step(station, pace, &mut misses).await;
        let wake = Arc::clone(&station.sync_wake);
        tokio::task::spawn_blocking(move || wake.wait(wait))
            .await
            .map_err(|error| StationError::Internal(format!("the sync's wait failed: {error}")))?;
    }
    Ok(())
}

/// How often an online station with nothing to send notes that it is in sync (a write to the
/// vault; the offline limits count in days).
const IDLE_SYNC_NOTE: Duration = Duration::from_secs(10 * 60);

/// The intake answers and nothing is due: the station is in sync, as far as the offline limits
/// go. Written at most every [`IDLE_SYNC_NOTE`].
fn note_idle_sync(station: &Station, now: time::OffsetDateTime) -> Result<(), StationError> {
    let mut vault = station.vault();
    let last = vault
        .last_sync_at()?
        .and_then(|text| crate::session::parse_time(&text).ok());
    if last.is_none_or(|last| now - last >= IDLE_SYNC_NOTE) {
        vault.record_sync(&rfc3339(now))?;
    }
    Ok(())
}

/// One step of the loop; returns how long to wait before the next.
async fn step(station: &Station, pace: BackgroundSync, misses: &mut u32) -> Duration {
    match try_step(station, pace, misses).await {
        Ok(wait) => wait,
        Err(error) => {
            // The vault could not be read or written: say so and try again later; nothing
            // was lost (every change is one transaction).
            tracing::error!(code = error.code(), %error, "the background sync failed; it tries again later");
            pace.idle
        }
    }
}

async fn try_step(station: &Station, pace: BackgroundSync, misses: &mut u32) -> Result<Duration, StationError> {
    let now = (station.clock)();
    let (record, due, next_backoff_end) = {
        let vault = station.vault();
        let Some(record) = vault.station()? else {
            return Ok(pace.idle);
        };
        let waiting: Vec<_> = vault
            .upload_queue()?
            .into_iter()
            .filter(|entry| entry.quarantined_at.is_none())
            .collect();
        let due = waiting.iter().filter(|entry| sync_queue::is_due(entry, now)).count();
        let next_backoff_end = waiting
            .iter()
            .filter_map(|entry| entry.next_attempt_at.as_deref())
            .filter_map(|text| crate::session::parse_time(text).ok())
            .filter(|at| *at > now)
            .min();
        (record, due, next_backoff_end)
    };
    let monitor = &station.sync_monitor;
    let client = IntakeClient::new(&record.intake_url)?;
    if let Err(error) = client.health().await {
        *misses += 1;
        let wait = pace.offline.delay_now(*misses, None);
        tracing::info!(
            code = error.code(),
            misses = *misses,
            ?wait,
            "the intake does not answer; the queue waits"
        );
        monitor.update(|status| {
            status.link = IntakeLink::Offline;
            status.next_check_at = Some(rfc3339(now + wait));
        });
        return Ok(wait);
    }
    *misses = 0;
    monitor.update(|status| {
        status.link = IntakeLink::Online;
        status.last_contact_at = Some(rfc3339(now));
    });
    if due == 0 {
        note_idle_sync(station, now)?;
        register_status::ask_if_due(station, pace.register_status, RunBy::Station).await;
        let _ = register_config::fetch_if_due(station, pace.configuration, RunBy::Station).await;
    } else {
        let report = sync_queue::run(station, RunMode::Due, RunBy::Station).await?;
        tracing::info!(
            attempted = report.attempted,
            acknowledged = report.acknowledged,
            "background sync ran"
        );
        let status = monitor.snapshot();
        let wait = if status.link == IntakeLink::Offline {
            // The link dropped during the run: start the offline waits over.
            *misses = 1;
            pace.offline.delay_now(1, None)
        } else if status.blocked.is_some() {
            // Until an admin acts every run stops at its first packet; look again later.
            pace.blocked
        } else {
            register_status::ask_if_due(station, pace.register_status, RunBy::Station).await;
            let _ = register_config::fetch_if_due(station, pace.configuration, RunBy::Station).await;
            // Straight on: packets sealed during the run, or whose backoff ended, are due now.
            Duration::ZERO
        };
        if !wait.is_zero() {
            monitor.update(|status| status.next_check_at = Some(rfc3339(now + wait)));
        }
        return Ok(wait);
    }
    // Nothing due: look again when the first backoff ends, or after the idle pause.
    let wait = next_backoff_end
        .map(|at| (at - now).try_into().unwrap_or(Duration::ZERO))
        .unwrap_or(pace.idle)
        .min(pace.idle);
    monitor.update(|status| status.next_check_at = Some(rfc3339(now + wait)));
    Ok(wait)
}
