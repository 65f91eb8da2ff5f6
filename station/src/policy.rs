//! The station's policy as its admin sets it: how soon an idle session locks, and how long a
//! packet the register acknowledged is kept before `purge_expired` may erase it.
//!
//! - The base is the built-in [`StationPolicy`], or the one a test hands to
//!   [`Station::with_policy`]. What the admin stored in the vault
//!   (`enroll_store::station::StoredPolicy`, `NULL` meaning "not chosen") overrides its idle
//!   lock and its retention. So a test that injects a short retention keeps it until the test
//!   itself stores another one, and a vault from before the policy columns behaves as before.
//! - The stored policy is read once when the station opens (one row by its key: opening stays
//!   fast) and replaced after each change. The rest of the crate reads
//!   `self.policy.current()` (see [`PolicySlot`]), a copy of the policy in force.
//! - Any signed-in operator may read the policy (the lock screen's timing is no secret); only
//!   an admin may change it, and the values are checked here, whatever the window allows.
//!
//! Deliberately absent: the lockout settings (failures before lockout, lockout lengths). They
//! protect against password guessing and stay fixed in code rather than one more thing an
//! admin could weaken.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use enroll_store::station::StoredPolicy;
use serde::{Deserialize, Serialize};

use crate::{rfc3339, FieldError, Station, StationError, StationPolicy};

/// The idle lock an admin may set, in minutes. At least one minute: a shorter lock would fire
/// while a clerk reads a form back to the resident. At most two hours: the lock is what stops
/// the next person at a shared station from using the previous operator's session, and past a
/// couple of hours it no longer does that (common guidance is 15 minutes; some field sites
/// work in long uninterrupted sessions, so the ceiling is generous but not unlimited).
pub const IDLE_LOCK_MINUTES: (u32, u32) = (1, 120);

/// The retention an admin may set, in days. At least one day: a packet is not erased on the
/// day the register acknowledged it, which leaves time to export a copy when something looks
/// wrong. At most ten years: the station is a field device, not the register's archive;
/// keeping resident data longer than that on a laptop serves no purpose the register does not
/// serve better.
pub const RETENTION_DAYS: (u32, u32) = (1, 3650);

const MINUTE: u64 = 60;
const DAY: u64 = 24 * 60 * 60;

/// The policy as the admin's screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PolicyView {
    /// Minutes without activity before the session locks.
    pub idle_lock_minutes: u32,
    /// Days a packet is kept after the register acknowledged it, before it may be purged.
    pub retention_days: u32,
    /// True when the admin has not chosen the idle lock: the station's default applies.
    pub idle_lock_is_default: bool,
    /// True when the admin has not chosen the retention: the station's default applies.
    pub retention_is_default: bool,
    /// What [`Station::set_policy`] accepts, so the form can say it before sending.
    pub limits: PolicyLimits,
}

/// The accepted ranges, inclusive (see [`IDLE_LOCK_MINUTES`] and [`RETENTION_DAYS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct PolicyLimits {
    pub idle_lock_minutes_min: u32,
    pub idle_lock_minutes_max: u32,
    pub retention_days_min: u32,
    pub retention_days_max: u32,
}

/// What the admin sets. Signed and wide on purpose: a negative or huge number is a field error
/// with a message, not a failure to read the request.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct PolicyRequest {
    pub idle_lock_minutes: i64,
    pub retention_days: i64,
}

impl Station {
    /// The station's current policy (any signed-in operator).
    pub fn policy(&self) -> Result<PolicyView, StationError> {
        self.signed_in()?;
        Ok(self.policy.view())
    }

    /// Set the idle lock and the retention (admins only). Both are checked first, each with its
    /// own field error (`idle_lock_minutes`, `retention_days`, code `out_of_range`); the change
    /// is stored and audited in one transaction and applies at once: to the idle lock of every
    /// session from the next call on, and to the next purge.
    pub fn set_policy(&self, request: PolicyRequest) -> Result<PolicyView, StationError> {
        let (operator, _) = self.signed_in()?;
        crate::operators::require_admin(&operator, "change the station's policy")?;
        let stored = check_request(&request)?;
        self.vault().set_station_policy(&stored, &rfc3339((self.clock)()))?;
        self.policy.set_stored(stored);
        tracing::info!(
            idle_lock_minutes = request.idle_lock_minutes,
            retention_days = request.retention_days,
            by = %operator.username,
            "station policy changed"
        );
        Ok(self.policy.view())
    }
}

fn check_request(request: &PolicyRequest) -> Result<StoredPolicy, StationError> {
    let mut problems = Vec::new();
    let mut in_range = |field: &str, value: i64, (min, max): (u32, u32), message: String| {
        let accepted = u32::try_from(value).ok().filter(|v| (min..=max).contains(v));
        if accepted.is_none() {
            problems.push(FieldError {
                field: field.into(),
                language: None,
                code: "out_of_range".into(),
                message,
            });
        }
        accepted
    };
    let (idle_min, idle_max) = IDLE_LOCK_MINUTES;
    let idle_lock_minutes = in_range(
        "idle_lock_minutes",
        request.idle_lock_minutes,
        IDLE_LOCK_MINUTES,
        format!("the idle lock is a whole number of minutes from {idle_min} to {idle_max}"),
    );
    let (days_min, days_max) = RETENTION_DAYS;
    let retention_days = in_range(
        "retention_days",
        request.retention_days,
        RETENTION_DAYS,
        format!("the retention is a whole number of days from {days_min} to {days_max}"),
    );
    if !problems.is_empty() {
        return Err(StationError::ValidationFailed(problems));
    }
    Ok(StoredPolicy {
        idle_lock_minutes,
        retention_days,
    })
}

/// The base policy with the admin's choices applied.
fn effective(base: &StationPolicy, stored: StoredPolicy) -> StationPolicy {
    StationPolicy {
        idle_lock: stored
            .idle_lock_minutes
            .map_or(base.idle_lock, |m| Duration::from_secs(u64::from(m) * MINUTE)),
        retention: stored
            .retention_days
            .map_or(base.retention, |d| Duration::from_secs(u64::from(d) * DAY)),
        ..*base
    }
}

/// The station's current policy, changed by an admin while the station is shared between
/// threads: readers take a copy with [`PolicySlot::current`] (a few durations) and never hold
/// the lock while they use it.
pub(crate) struct PolicySlot {
    state: Mutex<SlotState>,
}

struct SlotState {
    base: StationPolicy,
    stored: StoredPolicy,
    current: StationPolicy,
}

impl PolicySlot {
    pub(crate) fn new(base: StationPolicy, stored: StoredPolicy) -> PolicySlot {
        let current = effective(&base, stored);
        PolicySlot {
            state: Mutex::new(SlotState { base, stored, current }),
        }
    }

    /// Replace the base (see [`Station::with_policy`]); the admin's choices still apply on top.
    #[cfg(any(test, feature = "test-support"))]
    pub(crate) fn set_base(&self, base: StationPolicy) {
        let mut state = self.lock();
        state.base = base;
        state.refresh();
    }

    /// Apply the admin's newly stored choices.
    pub(crate) fn set_stored(&self, stored: StoredPolicy) {
        let mut state = self.lock();
        state.stored = stored;
        state.refresh();
    }

    fn view(&self) -> PolicyView {
        let state = self.lock();
        PolicyView {
            idle_lock_minutes: whole_units(state.current.idle_lock, MINUTE),
            retention_days: whole_units(state.current.retention, DAY),
            idle_lock_is_default: state.stored.idle_lock_minutes.is_none(),
            retention_is_default: state.stored.retention_days.is_none(),
            limits: PolicyLimits {
                idle_lock_minutes_min: IDLE_LOCK_MINUTES.0,
                idle_lock_minutes_max: IDLE_LOCK_MINUTES.1,
                retention_days_min: RETENTION_DAYS.0,
                retention_days_max: RETENTION_DAYS.1,
            },
        }
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        // Every write replaces whole values; a panic elsewhere cannot leave one half-written.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SlotState {
    fn refresh(&mut self) {
        self.current = effective(&self.base, self.stored);
    }
}

impl PolicySlot {
    /// The policy in force now: the base with the admin's stored choices on top.
    pub(crate) fn current(&self) -> StationPolicy {
        self.lock().current
    }
}

/// A duration in whole units, rounded up (a base policy from a test may hold seconds).
fn whole_units(duration: Duration, unit_seconds: u64) -> u32 {
    u32::try_from(duration.as_secs().div_ceil(unit_seconds)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(idle_lock_minutes: i64, retention_days: i64) -> PolicyRequest {
        PolicyRequest {
            idle_lock_minutes,
            retention_days,
        }
    }

    fn problems(request: PolicyRequest) -> Vec<(String, String)> {
        match check_request(&request) {
            Err(StationError::ValidationFailed(fields)) => fields.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn each_setting_is_checked_against_its_own_range() {
        assert_eq!(
            check_request(&request(1, 3650)).unwrap(),
            StoredPolicy {
                idle_lock_minutes: Some(1),
                retention_days: Some(3650)
            }
        );
        assert_eq!(
            check_request(&request(120, 1)).unwrap(),
            StoredPolicy {
                idle_lock_minutes: Some(120),
                retention_days: Some(1)
            }
        );
        let out = |field: &str| (field.to_string(), "out_of_range".to_string());
        assert_eq!(problems(request(0, 30)), [out("idle_lock_minutes")]);
        assert_eq!(problems(request(121, 30)), [out("idle_lock_minutes")]);
        assert_eq!(problems(request(15, 0)), [out("retention_days")]);
        assert_eq!(problems(request(15, 3651)), [out("retention_days")]);
        assert_eq!(
            problems(request(-5, i64::MAX)),
            [out("idle_lock_minutes"), out("retention_days")],
            "both at once, and no overflow on the way"
        );
    }

    #[test]
    fn stored_choices_override_the_base_and_readers_see_each_change() {
        let base = StationPolicy {
            retention: Duration::from_secs(7 * DAY),
            ..StationPolicy::default()
        };
        let slot = PolicySlot::new(base, StoredPolicy::default());
        assert_eq!(slot.current(), base);

        slot.set_stored(StoredPolicy {
            idle_lock_minutes: Some(3),
            retention_days: None,
        });
        assert_eq!(slot.current().idle_lock, Duration::from_secs(3 * MINUTE));
        assert_eq!(
            slot.current().retention,
            Duration::from_secs(7 * DAY),
            "not chosen: the base applies"
        );

        slot.set_base(StationPolicy::default());
        assert_eq!(slot.current().retention, Duration::from_secs(30 * DAY));
        assert_eq!(
            slot.current().idle_lock,
            Duration::from_secs(3 * MINUTE),
            "the admin's choice stays on top"
        );
        assert_eq!(
            slot.current().failures_before_lockout,
            5,
            "lockout settings come from the base"
        );

        let view = slot.view();
        assert_eq!(
            (
                view.idle_lock_minutes,
                view.retention_days,
                view.idle_lock_is_default,
                view.retention_is_default
            ),
            (3, 30, false, true)
        );
    }
}

#[cfg(test)]
mod station_tests {
    use super::*;
    use crate::test_support::{pending_registration, TestStation, ADMIN, DAY, MINUTE, OFFICER, SUPERVISOR};

    #[test]
    fn an_admin_sets_the_policy_everyone_reads_it_and_it_survives_a_restart() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let default = test.station.policy().unwrap();
        assert_eq!(
            (default.idle_lock_minutes, default.retention_days),
            (10, 7),
            "the base policy until an admin chooses"
        );
        assert!(default.idle_lock_is_default && default.retention_is_default);
        assert_eq!(default.limits.idle_lock_minutes_max, 120);
        let refused = test
            .station
            .set_policy(PolicyRequest {
                idle_lock_minutes: 5,
                retention_days: 5,
            })
            .unwrap_err();
        assert_eq!(refused.code(), "not_permitted");

        test.as_user(ADMIN);
        let bad = test
            .station
            .set_policy(PolicyRequest {
                idle_lock_minutes: 0,
                retention_days: 4000,
            })
            .unwrap_err();
        let StationError::ValidationFailed(fields) = &bad else {
            panic!("expected field errors, got {bad:?}");
        };
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["idle_lock_minutes", "retention_days"]);
        assert_eq!(test.station.policy().unwrap(), default, "nothing changed");

        let set = test
            .station
            .set_policy(PolicyRequest {
                idle_lock_minutes: 3,
                retention_days: 2,
            })
            .unwrap();
        assert_eq!(
            (
                set.idle_lock_minutes,
                set.retention_days,
                set.idle_lock_is_default,
                set.retention_is_default
            ),
            (3, 2, false, false)
        );

        let test = test.reopen();
        test.as_user(SUPERVISOR);
        assert_eq!(test.station.policy().unwrap(), set, "read back from the vault at open");
        let events = test.station.vault().audit_events().unwrap();
        let change = events.iter().find(|e| e.action == "station_policy_changed").unwrap();
        assert_eq!(
            (change.actor.as_str(), change.details.as_str(), change.signed),
            (
                ADMIN,
                "idle_lock_minutes default -> 3, retention_days default -> 2",
                true
            )
        );
    }

    #[test]
    fn the_stored_idle_lock_applies_from_the_next_call_and_after_a_restart() {
        let test = TestStation::new();
        test.as_user(ADMIN);
        test.station
            .set_policy(PolicyRequest {
                idle_lock_minutes: 3,
                retention_days: 30,
            })
            .unwrap();
        let test = test.reopen();
        test.as_user(OFFICER);
        test.clock.advance(2 * MINUTE);
        test.station.home_summary().unwrap();
        test.clock.advance(3 * MINUTE);
        assert_eq!(
            test.station.home_summary().unwrap_err().code(),
            "session_locked",
            "three minutes, not the default ten"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn purge_keeps_packets_for_the_stored_retention_not_the_base_one() {
        let (test, intake) = TestStation::with_intake().await;
        test.as_user(OFFICER);
        let rid = pending_registration(&test.station);
        test.as_user(SUPERVISOR);
        test.station.approve(&rid).unwrap();
        let report = test.station.sync_now().await.unwrap();
        assert_eq!(report.acknowledged, 1, "{report:?}");
        test.as_user(ADMIN);
        test.station
            .set_policy(PolicyRequest {
                idle_lock_minutes: 10,
                retention_days: 2,
            })
            .unwrap();

        test.clock.advance(DAY);
        test.as_user(ADMIN);
        assert!(
            test.station.purge_expired().unwrap().purged.is_empty(),
            "one day is not two"
        );
        test.clock.advance(DAY);
        test.as_user(ADMIN);
        assert_eq!(
            test.station.purge_expired().unwrap().purged,
            std::slice::from_ref(&rid),
            "two days: purged, although the base policy keeps packets seven"
        );
        assert_eq!(test.station.registration(&rid).unwrap().state, "purged");
        intake.shutdown().await;
    }
}
