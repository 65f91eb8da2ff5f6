//! What the station's sync is doing right now, as the window and `enroll` show it: whether the
//! intake answers, which packet is being sent and how fast, how far the run is, and what stops
//! it. One [`SyncMonitor`] per station; the queue (`sync_queue`) and the background engine
//! (`sync_engine`) write to it, and whoever listens (the app turns each change into a window
//! event) hears every change.
//!
//! Progress is throttled: a listener hears a packet's bytes at most every
//! [`PROGRESS_INTERVAL`] (and always its end), so that a fast link does not flood the window
//! with an event per 64 KiB.
//!
//! Deliberately absent: anything read from the vault. The queue's entries, their failures and
//! the quarantine are in [`crate::UploadCenterView`], read when asked.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use specta::Type;

use crate::ErrorView;

/// Least time between two progress events of one packet.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// Whether the intake answered the last time the station asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum IntakeLink {
    /// Not asked yet since the station opened.
    Unknown,
    Online,
    Offline,
}

/// The sync as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SyncStatusView {
    pub link: IntakeLink,
    /// A run is sending packets now.
    pub running: bool,
    /// The packet being sent.
    pub current: Option<UploadProgressView>,
    /// Packets this run has finished with (acknowledged, failed or set aside)...
    pub run_done: u32,
    /// ...of those it took on.
    pub run_total: u32,
    /// Bytes sent by this run (or the last one), all packets together.
    pub run_bytes_sent: u64,
    /// When the intake last answered (RFC 3339).
    pub last_contact_at: Option<String>,
    /// When the background sync looks again, if it is waiting (RFC 3339).
    pub next_check_at: Option<String>,
    /// Why the sync cannot go on until someone acts (the intake does not know this station,
    /// or knows it with another key), if that is so.
    pub blocked: Option<ErrorView>,
    /// How many times since the station opened the register's word changed what it holds
    /// (a packet's status at the register, a configuration document): a screen showing those
    /// reads them again when this grows.
    pub register_news: u32,
}

impl Default for SyncStatusView {
    fn default() -> SyncStatusView {
        SyncStatusView {
            link: IntakeLink::Unknown,
            running: false,
            current: None,
            run_done: 0,
            run_total: 0,
            run_bytes_sent: 0,
            last_contact_at: None,
            next_check_at: None,
            blocked: None,
            register_news: 0,
        }
    }
}

/// One packet on its way.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct UploadProgressView {
    pub registration_id: String,
    /// Bytes the intake holds.
    pub sent: u64,
    pub total: u64,
    /// Bytes per second since this try of the packet began (0 until a second's worth is in).
    pub bytes_per_second: u64,
}

/// Who hears each change of the sync's status.
pub type SyncListener = Arc<dyn Fn(&SyncStatusView) + Send + Sync>;

/// The status and its listener.
#[derive(Default)]
pub(crate) struct SyncMonitor {
    inner: Mutex<Inner>,
    listener: Mutex<Option<SyncListener>>,
}

#[derive(Default)]
struct Inner {
    status: SyncStatusView,
    packet: Option<PacketClock>,
    /// Bytes of finished packets in this run.
    run_bytes_before: u64,
}

/// When the current packet's try began, from which offset, and when a listener last heard.
struct PacketClock {
    started: Instant,
    start_offset: Option<u64>,
    last_told: Option<Instant>,
}

impl SyncMonitor {
    pub(crate) fn set_listener(&self, listener: Option<SyncListener>) {
        *lock(&self.listener) = listener;
    }

    pub(crate) fn snapshot(&self) -> SyncStatusView {
        lock(&self.inner).status.clone()
    }

    /// Change the status and tell the listener.
    pub(crate) fn update(&self, change: impl FnOnce(&mut SyncStatusView)) {
        let snapshot = {
            let mut inner = lock(&self.inner);
            change(&mut inner.status);
            inner.status.clone()
        };
        self.tell(&snapshot);
    }

    /// A run begins with `total` packets.
    pub(crate) fn run_started(&self, total: u32) {
        {
            let mut inner = lock(&self.inner);
            inner.run_bytes_before = 0;
            inner.packet = None;
        }
        self.update(|status| {
            status.running = true;
            status.run_done = 0;
            status.run_total = total;
            status.run_bytes_sent = 0;
            status.current = None;
            status.next_check_at = None;
        });
    }

    /// A packet's try begins.
    pub(crate) fn packet_started(&self, registration_id: &str, total: u64) {
        lock(&self.inner).packet = Some(PacketClock {
            started: Instant::now(),
            start_offset: None,
            last_told: None,
        });
        self.update(|status| {
            status.current = Some(UploadProgressView {
                registration_id: registration_id.to_string(),
                sent: 0,
                total,
                bytes_per_second: 0,
            })
        });
    }

    /// The intake holds `sent` of the current packet's `total` bytes.
    pub(crate) fn packet_progress(&self, sent: u64, total: u64) {
        let snapshot = {
            let mut guard = lock(&self.inner);
            let inner = &mut *guard;
            let Some(clock) = inner.packet.as_mut() else { return };
            let now = Instant::now();
            // The first offset of a try is where it resumed: bytes already at the intake are
            // not this try's speed.
            let start = *clock.start_offset.get_or_insert(sent);
            let elapsed = now.duration_since(clock.started);
            let rate = if elapsed >= Duration::from_secs(1) {
                (sent.saturating_sub(start) as f64 / elapsed.as_secs_f64()) as u64
            } else {
                0
            };
            let due = clock
                .last_told
                .is_none_or(|at| now.duration_since(at) >= PROGRESS_INTERVAL);
            let run_bytes = inner.run_bytes_before + sent.saturating_sub(start);
            if let Some(current) = inner.status.current.as_mut() {
                current.sent = sent;
                current.total = total;
                current.bytes_per_second = rate;
            }
            inner.status.run_bytes_sent = run_bytes;
            if !due && sent < total {
                return;
            }
            clock.last_told = Some(now);
            inner.status.clone()
        };
        self.tell(&snapshot);
    }

    /// The current packet is done with, whatever the outcome.
    pub(crate) fn packet_finished(&self) {
        {
            let mut inner = lock(&self.inner);
            inner.packet = None;
            inner.run_bytes_before = inner.status.run_bytes_sent;
        }
        self.update(|status| {
            status.current = None;
            status.run_done += 1;
        });
    }

    pub(crate) fn run_finished(&self) {
        lock(&self.inner).packet = None;
        self.update(|status| {
            status.running = false;
            status.current = None;
        });
    }

    fn tell(&self, snapshot: &SyncStatusView) {
        // Cloned out of the lock: a listener that asks for the status does not deadlock.
        let listener = lock(&self.listener).clone();
        if let Some(listener) = listener {
            listener(snapshot);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Plain values: a panic while one was held leaves nothing half-done worth refusing.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listening(monitor: &SyncMonitor) -> Arc<Mutex<Vec<SyncStatusView>>> {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&heard);
        monitor.set_listener(Some(Arc::new(move |status: &SyncStatusView| {
            sink.lock().unwrap().push(status.clone())
        })));
        heard
    }

    #[test]
    fn a_run_is_heard_from_start_to_end_with_its_packets() {
        let monitor = SyncMonitor::default();
        let heard = listening(&monitor);
        monitor.run_started(2);
        monitor.packet_started("R1", 100);
        monitor.packet_progress(0, 100);
        monitor.packet_progress(100, 100);
        monitor.packet_finished();
        monitor.run_finished();

        let heard = heard.lock().unwrap();
        assert!(heard[0].running && heard[0].run_total == 2);
        let current: Vec<_> = heard
            .iter()
            .filter_map(|s| s.current.as_ref())
            .map(|c| c.sent)
            .collect();
        assert_eq!(current.first(), Some(&0));
        assert_eq!(current.last(), Some(&100), "the end of a packet is always heard");
        let last = heard.last().unwrap();
        assert_eq!((last.running, last.run_done, last.run_bytes_sent), (false, 1, 100));
        assert_eq!(last.current, None);
    }

    #[test]
    fn progress_is_throttled_but_the_status_is_always_current() {
        let monitor = SyncMonitor::default();
        monitor.run_started(1);
        monitor.packet_started("R1", 1_000_000);
        let heard = listening(&monitor);
        for sent in (0..1_000).map(|k| k * 1_000) {
            monitor.packet_progress(sent, 1_000_000);
        }
        assert!(
            heard.lock().unwrap().len() < 10,
            "{} events",
            heard.lock().unwrap().len()
        );
        assert_eq!(monitor.snapshot().current.unwrap().sent, 999_000);
    }

    #[test]
    fn a_resumed_packet_counts_only_the_bytes_this_try_sent() {
        let monitor = SyncMonitor::default();
        monitor.run_started(1);
        monitor.packet_started("R1", 1_000);
        monitor.packet_progress(600, 1_000);
        monitor.packet_progress(1_000, 1_000);
        monitor.packet_finished();
        assert_eq!(monitor.snapshot().run_bytes_sent, 400);
    }
}
