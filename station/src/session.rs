//! Who is signed in, for how long, and what happens after wrong passwords.
//!
//! - Signing in unwraps the data key (see `enroll_store::operators`) and opens the vault's
//!   audit session with the station signing key, so every event until sign-out or idle lock is
//!   signed (see `enroll_store::audit`).
//! - Lockout: after [`StationPolicy::failures_before_lockout`] wrong passwords in a row an
//!   operator is locked out for [`StationPolicy::first_lockout`], doubling with each further
//!   lockout in a row up to [`StationPolicy::longest_lockout`]. The counters live in the vault,
//!   so restarting the app does not reset them. While locked out, no password is even tried.
//! - Idle lock: a call made more than [`StationPolicy::idle_lock`] after the previous one
//!   fails with `session_locked`; the data key and the signing key are dropped from memory at
//!   that moment, and only the password brings them back. Any API call that needs a signed-in
//!   operator counts as activity; [`Station::status`] and [`Station::session_state`] do not.
//!   The lock does not wait for the next call: [`Station::session_state`] (which the window
//!   asks at the deadline it was given) and [`Station::lock_if_idle`] (which the app calls on
//!   a timer of its own) lock a session whose time is up, so the keys leave memory on time
//!   even if the window is closed or hung. The window shows the lock screen; Rust decides.
//!   The idle period is the admin's to set (see `crate::policy`).
//!
//! Time always comes from the station's clock, so tests drive all of this with a fake clock.
//!
//! Deliberately absent: lockout of unknown usernames (there is no row to count on, and
//! keeping one per typed name would let anyone fill the vault), and any password hash (the
//! keyslot is the only check).

use std::time::Duration;

use ed25519_dalek::Signer as _;
use enroll_packet::StationSigningKey;
use enroll_store::{AuditSession, DataKey, LoginState, NewAuditEvent, Operator, StoreError, Vault};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{operator_view, rfc3339, OperatorView, Station, StationError};

/// The station's security and retention settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StationPolicy {
    /// Lock the session after this long without a call.
    pub idle_lock: Duration,
    /// Wrong passwords in a row that lock an operator out.
    pub failures_before_lockout: u32,
    /// How long the first lockout lasts; each further lockout in a row doubles it.
    pub first_lockout: Duration,
    /// The longest a lockout lasts.
    pub longest_lockout: Duration,
    /// How long an acknowledged packet (approved or rejected) is kept before it may be purged.
    pub retention: Duration,
}

impl Default for StationPolicy {
    fn default() -> StationPolicy {
        StationPolicy {
            idle_lock: Duration::from_secs(10 * 60),
            failures_before_lockout: 5,
            first_lockout: Duration::from_secs(5 * 60),
            longest_lockout: Duration::from_secs(24 * 60 * 60),
            retention: Duration::from_secs(30 * 24 * 60 * 60),
        }
    }
}

impl StationPolicy {
    /// The length of the lockout that follows `previous_lockouts` lockouts in a row.
    pub fn lockout_duration(&self, previous_lockouts: u32) -> Duration {
        let factor = 1u32.checked_shl(previous_lockouts.min(31)).unwrap_or(u32::MAX);
        self.first_lockout
            .checked_mul(factor)
            .unwrap_or(self.longest_lockout)
            .min(self.longest_lockout)
    }
}

/// Whether someone is signed in, and whether their session is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    SignedOut,
    Active,
    Locked,
}

/// Where the session stands, for the window's lock timer. Asking does not count as activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SessionView {
    pub state: SessionState,
    /// Who is signed in (also while locked: the lock screen names them).
    pub username: Option<String>,
    /// While active: milliseconds until the session locks unless a call comes first, counted on
    /// the station's clock. The window schedules its next look at the session from this.
    pub locks_in_ms: Option<u64>,
}

/// The signed-in operator. `data_key` is `None` while the session is locked.
pub(crate) struct Session {
    pub(crate) operator: Operator,
    pub(crate) data_key: Option<DataKey>,
    pub(crate) last_activity: OffsetDateTime,
}

impl Station {
    /// Sign in; `wrong_credentials` on a bad username or password, `account_locked` after too
    /// many wrong passwords. Also how a locked session is resumed.
    pub fn log_in(&self, username: &str, password: &str) -> Result<OperatorView, StationError> {
        let username = username.trim();
        if username.is_empty() || password.is_empty() {
            return Err(StationError::WrongCredentials);
        }
        let now = (self.clock)();
        let now_text = rfc3339(now);
        let mut vault = self.vault();
        let Some(station) = vault.station()? else {
            return Err(StationError::NotSetUp);
        };
        let (operator, data_key) = self.check_credentials(&mut vault, username, password, now)?;
        let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(&data_key)?);
        vault.remember_station_public_key(&signing_key.public_key())?;
        // A station set up before request keys gets one now, vouched for by the packet key,
        // and the sync that waited for it goes on.
        let vouched = crate::request_key::vouch_if_unproven(&mut vault, &station.station_id, &signing_key)?;
        crate::register_status::ensure_inbox_key(&mut vault, &data_key)?;
        self.change_audit_session(
            &mut vault,
            Some(AuditSession {
                actor: operator.username.clone(),
                signer: Box::new(move |message| signing_key.0.sign(message).to_bytes().to_vec()),
            }),
        );
        vault.record_login_success(&operator.username, &now_text)?;
        drop(vault);
        let view = operator_view(&operator);
        tracing::info!(username = %operator.username, role = operator.role.as_str(), "signed in");
        *self.session() = Some(Session {
            operator,
            data_key: Some(data_key),
            last_activity: now,
        });
        if vouched {
            self.sync_wake.ring();
        }
        Ok(view)
    }

    /// The signed-in operator's own `password` again, to confirm an act (the officer's
    /// sign-off, a batch approval, enrolling their fingers), with the sign-in's rules
    /// ([`Station::check_credentials`]); a lockout also signs the session out, since whoever is
    /// at the keyboard is guessing. Returns the data key the password unwraps.
    pub(crate) fn confirm_own_password(
        &self,
        username: &str,
        password: &str,
        now: OffsetDateTime,
    ) -> Result<DataKey, StationError> {
        let checked = {
            let mut vault = self.vault();
            self.check_credentials(&mut vault, username, password, now)
        };
        match checked {
            Ok((_, data_key)) => Ok(data_key),
            Err(error @ StationError::AccountLocked { .. }) => {
                self.log_out();
                Err(error)
            }
            Err(error) => Err(error),
        }
    }

    /// Until when an operator in `state` is locked out, if they are at `now`.
    pub(crate) fn locked_until(
        state: Option<&LoginState>,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StationError> {
        let Some(until) = state.and_then(|state| state.locked_until.as_deref()) else {
            return Ok(None);
        };
        let until = parse_time(until)?;
        Ok((until > now).then_some(until))
    }

    /// Check a username and password against the vault, with the lockout rules: refused while
    /// locked out, and a wrong password counts towards the next lockout. Shared by signing in
    /// and by a supervisor's sign-off on the clerk's screen, so that neither path can be used
    /// to guess a password faster than the other.
    pub(crate) fn check_credentials(
        &self,
        vault: &mut Vault,
        username: &str,
        password: &str,
        now: OffsetDateTime,
    ) -> Result<(Operator, DataKey), StationError> {
        let now_text = rfc3339(now);
        let login_state = vault.login_state(username)?;
        if let Some(until) = Self::locked_until(login_state.as_ref(), now)? {
            vault.record_audit(&NewAuditEvent {
                at: &now_text,
                actor: Some(username),
                action: "sign_in_failed",
                registration_id: None,
                details: "refused: locked out",
            })?;
            return Err(StationError::AccountLocked {
                username: username.to_string(),
                until,
            });
        }
        match vault.unlock(username, password) {
            Ok((operator, data_key)) => {
                let operator = crate::operator_list::apply(self.operator_list().as_ref(), vault, operator, &now_text)?;
                Ok((operator, data_key))
            }
            Err(StoreError::WrongCredentials) => {
                match login_state {
                    Some(state) => self.count_failed_proof(vault, username, &state, now)?,
                    None => {
                        // Not the typed name: it may be a password typed in the wrong box.
                        vault.record_audit(&NewAuditEvent {
                            at: &now_text,
                            actor: Some("unknown"),
                            action: "sign_in_failed",
                            registration_id: None,
                            details: "unknown username",
                        })?;
                    }
                }
                Err(StationError::WrongCredentials)
            }
            Err(other) => Err(other.into()),
        }
    }

    /// One more failed proof of `username`'s identity (a wrong password, or a finger that did
    /// not match theirs), counted together so that one lockout covers both; `AccountLocked` when
    /// this one locks the account.
    pub(crate) fn count_failed_proof(
        &self,
        vault: &mut Vault,
        username: &str,
        state: &LoginState,
        now: OffsetDateTime,
    ) -> Result<(), StationError> {
        let failures = state.failed_logins + 1;
        let lock_until = (failures >= self.policy.current().failures_before_lockout)
            .then(|| rfc3339(now + self.policy.current().lockout_duration(state.lockouts)));
        vault.record_login_failure(username, lock_until.as_deref(), &rfc3339(now))?;
        if let Some(until) = lock_until {
            tracing::warn!(username, %until, "operator locked out after failed proofs of identity");
            return Err(StationError::AccountLocked {
                username: username.to_string(),
                until: parse_time(&until)?,
            });
        }
        Ok(())
    }

    /// Sign out: the keys leave memory.
    pub fn log_out(&self) {
        // No biometric streams to a window nobody is signed in to.
        self.live.stop();
        let previous = self.session().take();
        let mut vault = self.vault();
        if let Some(session) = previous.filter(|s| s.data_key.is_some()) {
            let recorded = vault.record_audit(&NewAuditEvent {
                at: &rfc3339((self.clock)()),
                actor: Some(&session.operator.username),
                action: "signed_out",
                registration_id: None,
                details: "",
            });
            if let Err(error) = recorded {
                tracing::warn!(%error, "the sign-out could not be audited");
            }
        }
        self.change_audit_session(&mut vault, None);
    }

    /// The vault's audit session becomes `session`. What was kept readable for the one before
    /// (the vault's memo of the draft it wrote last, the review's parsed biometrics) goes with
    /// it: the next operator, or nobody, inherits none of it.
    fn change_audit_session(&self, vault: &mut Vault, session: Option<AuditSession>) {
        vault.set_audit_session(session);
        self.review_memo.forget();
    }

    /// The signed-in operator and the data key, counting the call as activity. Locks the
    /// session (and fails with `session_locked`) when it was idle too long.
    pub(crate) fn signed_in(&self) -> Result<(Operator, DataKey), StationError> {
        let now = (self.clock)();
        let mut guard = self.session();
        let session = guard.as_mut().ok_or(StationError::NotSignedIn)?;
        let Some(data_key) = session.data_key.clone() else {
            return Err(session_locked(&session.operator));
        };
        let idle = now - session.last_activity;
        if idle >= self.policy.current().idle_lock {
            session.data_key = None;
            let operator = session.operator.clone();
            drop(guard);
            self.live.stop();
            self.record_idle_lock(&operator, now)?;
            return Err(session_locked(&operator));
        }
        session.last_activity = now;
        Ok((session.operator.clone(), data_key))
    }

    /// Where the session stands, without counting as activity. A session whose idle time is
    /// up is locked now (keys dropped, audited), so what this says is what the next call meets.
    pub fn session_state(&self) -> Result<SessionView, StationError> {
        self.lock_if_idle()?;
        let now = (self.clock)();
        let guard = self.session();
        let Some(session) = guard.as_ref() else {
            return Ok(SessionView {
                state: SessionState::SignedOut,
                username: None,
                locks_in_ms: None,
            });
        };
        let username = Some(session.operator.username.clone());
        if session.data_key.is_none() {
            return Ok(SessionView {
                state: SessionState::Locked,
                username,
                locks_in_ms: None,
            });
        }
        let left = (session.last_activity + self.policy.current().idle_lock) - now;
        Ok(SessionView {
            state: SessionState::Active,
            username,
            locks_in_ms: Some(u64::try_from(left.whole_milliseconds()).unwrap_or(0)),
        })
    }

    /// Lock the session if its idle time is up: the keys leave memory and the lock is audited.
    /// Not activity. True when this call locked it. The app calls this on a timer so that an
    /// idle session locks on time even when no window asks.
    pub fn lock_if_idle(&self) -> Result<bool, StationError> {
        let now = (self.clock)();
        let mut guard = self.session();
        let Some(session) = guard.as_mut() else {
            return Ok(false);
        };
        if session.data_key.is_none() || now - session.last_activity < self.policy.current().idle_lock {
            return Ok(false);
        }
        session.data_key = None;
        let operator = session.operator.clone();
        drop(guard);
        // A locked screen shows no live biometrics either.
        self.live.stop();
        self.record_idle_lock(&operator, now)?;
        Ok(true)
    }

    /// The second half of an idle lock, after the data key left the session: the signing key
    /// leaves the vault's audit session, and the lock is audited (unsigned, like every event
    /// while nobody is signed in; the next sign-in covers it).
    fn record_idle_lock(&self, operator: &Operator, now: OffsetDateTime) -> Result<(), StationError> {
        let mut vault = self.vault();
        self.change_audit_session(&mut vault, None);
        vault.record_audit(&NewAuditEvent {
            at: &rfc3339(now),
            actor: Some(&operator.username),
            action: "session_locked",
            registration_id: None,
            details: "idle",
        })?;
        tracing::info!(username = %operator.username, "session locked after inactivity");
        Ok(())
    }

    /// Whether the current session is locked (idle), without counting as activity.
    pub(crate) fn session_is_locked(&self) -> bool {
        let now = (self.clock)();
        self.session()
            .as_ref()
            .is_some_and(|s| s.data_key.is_none() || now - s.last_activity >= self.policy.current().idle_lock)
    }
}

fn session_locked(operator: &Operator) -> StationError {
    StationError::SessionLocked {
        username: operator.username.clone(),
    }
}

pub(crate) fn parse_time(text: &str) -> Result<OffsetDateTime, StationError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| StationError::corrupt(format!("the vault holds a date that does not parse: {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_double_up_to_the_longest() {
        let policy = StationPolicy::default();
        let minutes = |n: u32| policy.lockout_duration(n).as_secs() / 60;
        assert_eq!(
            (0..10).map(minutes).collect::<Vec<_>>(),
            [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440]
        );
        assert_eq!(minutes(u32::MAX), 1440);
    }

    use crate::test_support::{TestStation, MINUTE, OFFICER};

    fn state(test: &TestStation) -> (String, Option<String>, Option<u64>) {
        let view = test.station.session_state().unwrap();
        let state = serde_json::to_value(view.state).unwrap().as_str().unwrap().to_string();
        (state, view.username, view.locks_in_ms)
    }

    #[test]
    fn the_session_state_gives_the_deadline_without_counting_as_activity_and_locks_on_time() {
        let test = TestStation::new();
        assert_eq!(state(&test), ("signed_out".into(), None, None));
        test.as_user(OFFICER);
        let me = Some(OFFICER.to_string());
        assert_eq!(state(&test), ("active".into(), me.clone(), Some(600_000)));

        // Asking is not activity: the deadline keeps coming closer.
        test.clock.advance(4 * MINUTE);
        assert_eq!(state(&test), ("active".into(), me.clone(), Some(360_000)));
        test.clock.advance(4 * MINUTE + std::time::Duration::from_millis(500));
        assert_eq!(state(&test), ("active".into(), me.clone(), Some(119_500)));
        // A call is: the full idle period again.
        test.station.home_summary().unwrap();
        assert_eq!(state(&test), ("active".into(), me.clone(), Some(600_000)));

        // At the deadline the state locks the session itself, before any other call.
        test.clock.advance(10 * MINUTE);
        assert_eq!(state(&test), ("locked".into(), me.clone(), None));
        let locks: Vec<String> = test
            .station
            .vault()
            .audit_events()
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "session_locked")
            .map(|e| e.at)
            .collect();
        assert_eq!(locks, ["2026-11-25T09:18:00.5Z"], "locked at the deadline, once");
        assert_eq!(test.station.home_summary().unwrap_err().code(), "session_locked");
        assert!(test.station.status().unwrap().session_locked);

        test.station
            .log_in(OFFICER, &crate::test_support::password(OFFICER))
            .unwrap();
        assert_eq!(state(&test), ("active".into(), me, Some(600_000)));
        test.station.log_out();
        assert_eq!(state(&test), ("signed_out".into(), None, None));
    }

    #[test]
    fn lock_if_idle_drops_the_keys_on_time_without_any_call_from_the_window() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        test.clock.advance(9 * MINUTE);
        assert!(!test.station.lock_if_idle().unwrap(), "not yet");
        test.clock.advance(MINUTE);
        assert!(test.station.lock_if_idle().unwrap());
        assert!(
            test.station.session().as_ref().unwrap().data_key.is_none(),
            "the data key left memory at the deadline"
        );
        assert!(!test.station.lock_if_idle().unwrap(), "already locked: nothing to do");
        assert_eq!(test.station.home_summary().unwrap_err().code(), "session_locked");
    }
}
