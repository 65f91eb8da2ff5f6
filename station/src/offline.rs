//! How long a station may work without the register: the offline limits.
//!
//! A mobile team may be offline for days, and must be: the station keeps every packet safe until
//! the link is back. But a laptop that has not synced for weeks holds weeks of residents' data
//! in one place, a queue of thousands of packets is a loss waiting for one stolen bag, and a
//! full disk would make the next autosave fail in front of a resident. So three limits from the
//! country's configuration ([`OfflineLimits`]): days since the last sync, packets not yet at the
//! register (finalized and not acknowledged), and free disk. Past 80% of the days or the
//! packets, or below twice the free disk, the home screen warns; past a limit, new
//! registrations stop with the reason, in the clerk's language. Work already started is never
//! stopped: a draft can still be finished, finalized and reviewed, and everything syncs.
//!
//! "Synced" means a sync run tried every packet due with the intake reachable and the station
//! accepted, or found nothing to send (`Vault::record_sync`). A station that never synced counts
//! from its setup.
//!
//! Deliberately absent: where the limits come from (the embedded default, the register's
//! configuration (`register_config`), or [`Station::with_offline_limits`]).

use serde::{Deserialize, Serialize};
use specta::Type;
use time::OffsetDateTime;

use crate::{Station, StationError};

/// The limits of working offline (country configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct OfflineLimits {
    /// Days since the last sync before new registrations stop.
    pub max_days_since_sync: u32,
    /// Packets finalized and not yet acknowledged by the register before new ones stop.
    pub max_packets_not_uploaded: u32,
    /// Free disk, in megabytes, below which new registrations stop.
    pub min_free_disk_mb: u64,
}

impl Default for OfflineLimits {
    /// Two weeks, five hundred packets (a team's two weeks), one gigabyte (some three hundred
    /// full packets, and the vault's own room to work).
    fn default() -> OfflineLimits {
        OfflineLimits {
            max_days_since_sync: 14,
            max_packets_not_uploaded: 500,
            min_free_disk_mb: 1024,
        }
    }
}

/// How close the station is to its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum OfflineLevel {
    Ok,
    /// Near a limit: sync soon.
    Warning,
    /// Past a limit: new registrations wait for a sync (or disk space).
    Stopped,
}

/// Which limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum OfflineReason {
    DaysSinceSync,
    PacketsNotUploaded,
    FreeDisk,
}

impl OfflineReason {
    pub fn as_str(self) -> &'static str {
        match self {
            OfflineReason::DaysSinceSync => "days_since_sync",
            OfflineReason::PacketsNotUploaded => "packets_not_uploaded",
            OfflineReason::FreeDisk => "free_disk",
        }
    }
}

/// The station against its limits, as the home screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct OfflineView {
    pub level: OfflineLevel,
    /// The limits near or past, the worst first.
    pub reasons: Vec<OfflineReason>,
    /// Whole days since the last sync (or since setup).
    pub days_since_sync: u32,
    /// When it last synced (RFC 3339), if it has since this version keeps it.
    pub last_sync_at: Option<String>,
    pub packets_not_uploaded: u64,
    /// Free disk where the vault lives, in megabytes; `None` where the platform does not say.
    pub free_disk_mb: Option<u64>,
    pub limits: OfflineLimits,
}

impl OfflineView {
    /// The measures against the limits: past any → stopped, near any → warning.
    pub(crate) fn judge(
        limits: OfflineLimits,
        days_since_sync: u32,
        last_sync_at: Option<String>,
        packets_not_uploaded: u64,
        free_disk_mb: Option<u64>,
    ) -> OfflineView {
        let mut stopped = Vec::new();
        let mut near = Vec::new();
        let mut weigh = |reason, past: bool, close: bool| {
            if past {
                stopped.push(reason);
            } else if close {
                near.push(reason);
            }
        };
        let days = u64::from(days_since_sync);
        let max_days = u64::from(limits.max_days_since_sync);
        weigh(OfflineReason::DaysSinceSync, days >= max_days, days * 5 >= max_days * 4);
        let max_packets = u64::from(limits.max_packets_not_uploaded);
        weigh(
            OfflineReason::PacketsNotUploaded,
            packets_not_uploaded >= max_packets,
            packets_not_uploaded * 5 >= max_packets * 4,
        );
        if let Some(free) = free_disk_mb {
            weigh(
                OfflineReason::FreeDisk,
                free < limits.min_free_disk_mb,
                free < limits.min_free_disk_mb.saturating_mul(2),
            );
        }
        let level = if !stopped.is_empty() {
            OfflineLevel::Stopped
        } else if !near.is_empty() {
            OfflineLevel::Warning
        } else {
            OfflineLevel::Ok
        };
        stopped.extend(near);
        OfflineView {
            level,
            reasons: stopped,
            days_since_sync,
            last_sync_at,
            packets_not_uploaded,
            free_disk_mb,
            limits,
        }
    }
}

impl Station {
    /// The station against its offline limits now.
    pub fn offline_state(&self) -> Result<OfflineView, StationError> {
        self.signed_in()?;
        self.measure_offline()
    }

    pub(crate) fn measure_offline(&self) -> Result<OfflineView, StationError> {
        let vault = self.vault();
        let counts = vault.counts_by_state()?;
        self.offline_view(&vault, &counts)
    }

    /// [`Station::offline_state`] from counts already read (the home screen has them).
    pub(crate) fn offline_view(
        &self,
        vault: &enroll_store::Vault,
        counts: &enroll_store::queries::StateCounts,
    ) -> Result<OfflineView, StationError> {
        let now = (self.clock)();
        let record = vault.station()?.ok_or(StationError::NotSetUp)?;
        let last_sync_at = vault.last_sync_at()?;
        let since = crate::session::parse_time(last_sync_at.as_deref().unwrap_or(&record.created_at))?;
        let not_uploaded = counts.pending_approval + counts.sealed + counts.rejected + counts.uploaded;
        let days = whole_days_between(since, now);
        let free = free_disk_mb(&self.config.data_dir);
        let limits = *self.offline_limits.lock().unwrap_or_else(|p| p.into_inner());
        Ok(OfflineView::judge(limits, days, last_sync_at, not_uploaded, free))
    }

    /// Refuse a new registration past a limit, naming it.
    pub(crate) fn check_offline_limits(&self) -> Result<(), StationError> {
        let view = self.measure_offline()?;
        if view.level == OfflineLevel::Stopped {
            return Err(StationError::OfflineLimit {
                reason: view.reasons[0],
            });
        }
        Ok(())
    }
}

fn whole_days_between(since: OffsetDateTime, now: OffsetDateTime) -> u32 {
    let days = (now - since).whole_days();
    u32::try_from(days.max(0)).unwrap_or(u32::MAX)
}

/// Free space for an unprivileged writer where `folder` is, in megabytes (10^6 bytes).
#[cfg(unix)]
fn free_disk_mb(folder: &std::path::Path) -> Option<u64> {
    let stats = rustix::fs::statvfs(folder).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize) / 1_000_000)
}

#[cfg(not(unix))]
fn free_disk_mb(_folder: &std::path::Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: OfflineLimits = OfflineLimits {
        max_days_since_sync: 10,
        max_packets_not_uploaded: 100,
        min_free_disk_mb: 1000,
    };

    fn judge(days: u32, packets: u64, free: Option<u64>) -> OfflineView {
        OfflineView::judge(LIMITS, days, None, packets, free)
    }

    #[test]
    fn each_limit_warns_at_four_fifths_and_stops_at_the_limit() {
        assert_eq!(judge(7, 79, Some(2000)).level, OfflineLevel::Ok);
        let near = judge(8, 0, Some(5000));
        assert_eq!(
            (near.level, near.reasons.as_slice()),
            (OfflineLevel::Warning, [OfflineReason::DaysSinceSync].as_slice())
        );
        assert_eq!(judge(10, 0, Some(5000)).level, OfflineLevel::Stopped);
        assert_eq!(judge(0, 80, Some(5000)).reasons, [OfflineReason::PacketsNotUploaded]);
        assert_eq!(judge(0, 100, Some(5000)).level, OfflineLevel::Stopped);
        assert_eq!(judge(0, 0, Some(1999)).level, OfflineLevel::Warning);
        assert_eq!(judge(0, 0, Some(999)).level, OfflineLevel::Stopped);
        assert_eq!(
            judge(0, 0, None).level,
            OfflineLevel::Ok,
            "a platform that does not say is not a full disk"
        );
    }

    #[test]
    fn the_limits_past_come_before_those_near() {
        let view = judge(9, 100, Some(5000));
        assert_eq!(view.level, OfflineLevel::Stopped);
        assert_eq!(
            view.reasons,
            [OfflineReason::PacketsNotUploaded, OfflineReason::DaysSinceSync]
        );
    }

    #[test]
    fn days_are_whole_and_never_negative() {
        let at = time::macros::datetime!(2026-12-01 09:00 UTC);
        assert_eq!(whole_days_between(at, at + time::Duration::hours(47)), 1);
        assert_eq!(
            whole_days_between(at + time::Duration::hours(5), at),
            0,
            "a clock set back"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_free_disk_is_read_where_the_vault_is() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_disk_mb(dir.path()).is_some());
        assert_eq!(free_disk_mb(&dir.path().join("not there")), None);
    }
}
