//! The supervisor's dashboard, which is also the end-of-day report: what each operator did
//! today, what waits for a supervisor, what has not reached the register, when the station last
//! synced, its free disk, its capture devices and how far it is from its offline limits.
//!
//! Everything is counted, never loaded: the states from `Vault::counts_by_state` (one pass over
//! the state index), the oldest pending registration from one seek along it, the day's moves
//! from the end of the audit chain (`Vault::day_counts`, which reads only the day's events).
//! So the dashboard costs what a day of work holds, not what the vault holds, and stays fast
//! with a hundred thousand registrations. Nothing here needs the data key or reads a name.
//!
//! "Today" is the day on the window's wall clock: the window passes its offset from UTC, and
//! the day runs from its midnight to the next one, by the station's clock.
//!
//! Deliberately absent: the report's layout and printing (the window prints this view through
//! the system's print dialog, or to a PDF file like the slip), and any history beyond one day.

use serde::Serialize;
use specta::Type;
use time::{Duration, OffsetDateTime, Time, UtcOffset};

use enroll_store::queries::PageOrder;
use enroll_store::{RegistrationState, Role};

use crate::biometrics::DeviceListView;
use crate::offline::OfflineView;
use crate::session::parse_time;
use crate::{rfc3339, ErrorView, IntakeLink, RoleName, Station, StationError};

/// The dashboard, as the window shows it and prints it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DashboardView {
    pub station_name: String,
    pub station_id: String,
    pub center_id: String,
    /// The day counted (`YYYY-MM-DD`, on the window's wall clock).
    pub day: String,
    /// When the view was made (RFC 3339, UTC).
    pub generated_at: String,
    /// Who asked for it (username and full name): the report says who printed it.
    pub prepared_by: String,
    pub prepared_by_name: String,
    /// Each operator who made registrations that moved today, and every officer, by username.
    pub operators: Vec<OperatorDayView>,
    /// The operators' counts added up.
    pub today: DayCountsView,
    pub states: DashboardStatesView,
    pub pending: PendingApprovalsView,
    pub sync: DashboardSyncView,
    /// The capture devices as last discovered.
    pub devices: Vec<DeviceListView>,
    /// The station against its offline limits; it holds the free disk and the last sync too.
    pub offline: OfflineView,
}

/// What one operator's registrations went through today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct OperatorDayView {
    pub username: String,
    /// `None` for an operator removed since.
    pub full_name: Option<String>,
    pub role: Option<RoleName>,
    pub counts: DayCountsView,
}

/// A day's moves of registrations, by their maker.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Type)]
pub struct DayCountsView {
    /// Drafts started.
    pub started: u64,
    /// Finalized: sent for approval.
    pub finalized: u64,
    /// Approved by a supervisor.
    pub approved: u64,
    /// Rejected by a supervisor.
    pub rejected: u64,
}

/// Registrations now, by where they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub struct DashboardStatesView {
    pub draft: u64,
    pub pending_approval: u64,
    /// Approved or rejected, sealed, not yet sent to the register.
    pub not_uploaded: u64,
    /// Sent, waiting for the register's receipt.
    pub awaiting_receipt: u64,
    pub acknowledged: u64,
}

/// What waits for a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct PendingApprovalsView {
    pub count: u64,
    /// When the oldest one was finalized (RFC 3339), if any waits.
    pub oldest_since: Option<String>,
    /// How long it has waited, in whole minutes (0 for a clock set back).
    pub oldest_age_minutes: Option<u64>,
}

/// The sync, as far as the dashboard tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct DashboardSyncView {
    pub link: IntakeLink,
    /// When a sync last went through (RFC 3339), if ever.
    pub last_sync_at: Option<String>,
    /// When the intake last answered since the station opened (RFC 3339).
    pub last_contact_at: Option<String>,
    /// Why the sync cannot go on until someone acts, if that is so.
    pub blocked: Option<ErrorView>,
}

/// The longest offset from UTC a wall clock has (UTC+14, Kiribati), in minutes.
const MAX_UTC_OFFSET_MINUTES: u16 = 14 * 60;

impl Station {
    /// The dashboard for today, where today is the day on a wall clock `utc_offset_minutes`
    /// ahead of UTC (the window's). A supervisor's or an admin's.
    pub fn dashboard(&self, utc_offset_minutes: i16) -> Result<DashboardView, StationError> {
        let (operator, _) = self.signed_in()?;
        crate::operators::require_supervisor(&operator, "see the dashboard")?;
        if utc_offset_minutes.unsigned_abs() > MAX_UTC_OFFSET_MINUTES {
            return Err(StationError::InvalidInput(format!(
                "{utc_offset_minutes} minutes is no offset from UTC a clock has"
            )));
        }
        let offset = UtcOffset::from_whole_seconds(i32::from(utc_offset_minutes) * 60)
            .map_err(|e| StationError::InvalidInput(format!("not an offset from UTC: {e}")))?;
        let now = (self.clock)();
        let (day_start, day_end) = day_around(now, offset);

        let vault = self.vault();
        let record = vault.station()?.ok_or(StationError::NotSetUp)?;
        let counts = vault.counts_by_state()?;
        let offline = self.offline_view(&vault, &counts)?;
        let day = vault.day_counts(&rfc3339(day_start), &rfc3339(day_end))?;
        let oldest =
            vault.registrations_page(&[RegistrationState::PendingApproval], None, 1, PageOrder::OldestFirst)?;
        let operators = vault.operators()?;
        drop(vault);

        let oldest_since = oldest.into_iter().next().map(|entry| entry.updated_at);
        let oldest_age_minutes = match &oldest_since {
            Some(since) => Some(u64::try_from((now - parse_time(since)?).whole_minutes()).unwrap_or(0)),
            None => None,
        };

        // Every officer has a row, even on a day they made nothing; anyone else only if
        // registrations of theirs moved.
        let mut rows: std::collections::BTreeMap<String, OperatorDayView> = operators
            .iter()
            .filter(|known| known.role == Role::Officer)
            .map(|officer| (officer.username.clone(), operator_row(&officer.username, &operators)))
            .collect();
        for (maker, moves) in &day.by_maker {
            rows.entry(maker.clone())
                .or_insert_with(|| operator_row(maker, &operators))
                .counts = counts_view(moves);
        }

        let sync = self.sync_monitor.snapshot();
        Ok(DashboardView {
            station_name: record.name,
            station_id: record.station_id,
            center_id: record.center_id,
            day: day_start.date().to_string(),
            generated_at: rfc3339(now),
            prepared_by_name: operator.full_name,
            prepared_by: operator.username,
            operators: rows.into_values().collect(),
            today: counts_view(&day.total()),
            states: DashboardStatesView {
                draft: counts.draft,
                pending_approval: counts.pending_approval,
                not_uploaded: counts.sealed + counts.rejected,
                awaiting_receipt: counts.uploaded,
                acknowledged: counts.acknowledged,
            },
            pending: PendingApprovalsView {
                count: counts.pending_approval,
                oldest_since,
                oldest_age_minutes,
            },
            sync: DashboardSyncView {
                link: sync.link,
                last_sync_at: offline.last_sync_at.clone(),
                last_contact_at: sync.last_contact_at,
                blocked: sync.blocked,
            },
            devices: self.devices.descriptors().iter().map(DeviceListView::from).collect(),
            offline,
        })
    }
}

/// The day `now` falls in on a wall clock at `offset`: its midnight and the next one.
fn day_around(now: OffsetDateTime, offset: UtcOffset) -> (OffsetDateTime, OffsetDateTime) {
    let start = now.to_offset(offset).replace_time(Time::MIDNIGHT);
    (start, start + Duration::days(1))
}

fn operator_row(username: &str, operators: &[enroll_store::Operator]) -> OperatorDayView {
    let known = operators.iter().find(|known| known.username == username);
    OperatorDayView {
        username: username.to_string(),
        full_name: known.map(|known| known.full_name.clone()),
        role: known.map(|known| known.role.into()),
        counts: DayCountsView::default(),
    }
}

fn counts_view(moves: &enroll_store::day_counts::MakerDay) -> DayCountsView {
    DayCountsView {
        started: moves.started,
        finalized: moves.finalized,
        approved: moves.approved,
        rejected: moves.rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{complete_draft, pending_registration, TestStation, ADMIN, DAY, OFFICER, SUPERVISOR};

    /// A second officer, for counts per operator.
    const OTHER_OFFICER: &str = "nadia";

    fn station_with_two_officers() -> TestStation {
        let test = TestStation::new();
        test.as_user(ADMIN);
        test.station
            .add_operator(crate::NewOperatorRequest {
                username: OTHER_OFFICER.into(),
                full_name: "Nadia Officer".into(),
                role: RoleName::Officer,
                password: crate::test_support::password(OTHER_OFFICER),
            })
            .unwrap();
        test
    }

    fn row<'a>(view: &'a DashboardView, username: &str) -> &'a OperatorDayView {
        view.operators
            .iter()
            .find(|row| row.username == username)
            .unwrap_or_else(|| panic!("no row for {username}"))
    }

    fn counts(started: u64, finalized: u64, approved: u64, rejected: u64) -> DayCountsView {
        DayCountsView {
            started,
            finalized,
            approved,
            rejected,
        }
    }

    #[test]
    fn counts_each_officers_day_and_the_station_now() {
        let test = station_with_two_officers();
        let station = &test.station;

        test.as_user(OFFICER);
        let omar: Vec<String> = (0..3).map(|_| pending_registration(station)).collect();
        complete_draft(station);
        test.as_user(OTHER_OFFICER);
        let nadia = pending_registration(station);
        complete_draft(station);
        complete_draft(station);

        test.as_user(SUPERVISOR);
        station.approve(&omar[0]).unwrap();
        station.approve(&nadia).unwrap();
        station.reject(&omar[1], "the photo is blurred").unwrap();
        test.clock.advance(crate::test_support::MINUTE * 90);
        // Ninety idle minutes locked the session.
        test.as_user(SUPERVISOR);

        let view = station.dashboard(0).unwrap();
        assert_eq!(view.day, "2026-11-25");
        assert_eq!(
            (view.prepared_by.as_str(), view.station_name.as_str()),
            (SUPERVISOR, "Test Center")
        );
        assert_eq!(row(&view, OFFICER).counts, counts(4, 3, 1, 1));
        assert_eq!(row(&view, OTHER_OFFICER).counts, counts(3, 1, 1, 0));
        assert_eq!(row(&view, OTHER_OFFICER).full_name.as_deref(), Some("Nadia Officer"));
        assert_eq!(view.today, counts(7, 4, 2, 1));
        assert_eq!(
            view.operators
                .iter()
                .map(|row| row.username.as_str())
                .collect::<Vec<_>>(),
            [OTHER_OFFICER, OFFICER],
            "the officers, by name; the supervisor made nothing"
        );
        assert_eq!(
            view.states,
            DashboardStatesView {
                draft: 3,
                pending_approval: 1,
                not_uploaded: 3,
                awaiting_receipt: 0,
                acknowledged: 0,
            }
        );
        assert_eq!(view.pending.count, 1);
        assert_eq!(view.pending.oldest_age_minutes, Some(90));
        assert_eq!(view.offline.packets_not_uploaded, 4);
        assert_eq!(view.sync.last_sync_at, None, "it never synced");
        assert!(!view.devices.is_empty() && view.devices.iter().all(|device| device.simulated));

        test.as_user(ADMIN);
        assert_eq!(
            station.dashboard(0).unwrap().today,
            counts(7, 4, 2, 1),
            "an admin sees it too"
        );
    }

    #[test]
    fn an_officer_is_refused() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let refused = test.station.dashboard(0).unwrap_err();
        assert_eq!(refused.code(), "not_permitted");
        assert_eq!(
            serde_json::to_value(&refused).unwrap()["params"]["rule"],
            "supervisor_only"
        );
        test.station.log_out();
        assert_eq!(test.station.dashboard(0).unwrap_err().code(), "not_signed_in");
    }

    #[test]
    fn yesterday_does_not_count_today() {
        let test = TestStation::new();
        let station = &test.station;
        test.as_user(OFFICER);
        pending_registration(station);
        pending_registration(station);
        test.clock.advance(DAY);
        test.as_user(OFFICER);
        let today = pending_registration(station);

        test.as_user(SUPERVISOR);
        let view = station.dashboard(0).unwrap();
        assert_eq!(view.day, "2026-11-26");
        assert_eq!(row(&view, OFFICER).counts, counts(1, 1, 0, 0));
        assert_eq!(view.states.pending_approval, 3, "the state counts are not by day");
        assert_eq!(
            view.pending.oldest_age_minutes,
            Some(24 * 60),
            "yesterday's is the oldest"
        );
        station.approve(&today).unwrap();
        assert_eq!(row(&station.dashboard(0).unwrap(), OFFICER).counts, counts(1, 1, 1, 0));
    }

    #[test]
    fn the_day_is_the_windows() {
        let test = TestStation::new();
        let station = &test.station;
        test.as_user(OFFICER);
        // 09:00 UTC on the 25th is 23:00 of the 25th at UTC+14.
        pending_registration(station);
        test.as_user(SUPERVISOR);
        let ahead = station.dashboard(14 * 60).unwrap();
        assert_eq!(ahead.day, "2026-11-25");
        assert_eq!(ahead.today.finalized, 1);
        // 23:30 UTC: the 26th at UTC+1, where the morning's work was yesterday.
        test.clock.advance(crate::test_support::MINUTE * (14 * 60 + 30));
        test.as_user(SUPERVISOR);
        let east = station.dashboard(60).unwrap();
        assert_eq!((east.day.as_str(), east.today.finalized), ("2026-11-26", 0));
        let utc = station.dashboard(0).unwrap();
        assert_eq!((utc.day.as_str(), utc.today.finalized), ("2026-11-25", 1));
        assert_eq!(
            station.dashboard(15 * 60).unwrap_err().code(),
            "invalid_input",
            "no wall clock is 15 hours ahead"
        );
    }

    #[test]
    fn a_day_runs_from_midnight_to_midnight_on_the_wall_clock() {
        let now = time::macros::datetime!(2026-11-25 23:30 UTC);
        let (start, end) = day_around(now, UtcOffset::from_hms(1, 0, 0).unwrap());
        assert_eq!(rfc3339(start), "2026-11-25T23:00:00Z");
        assert_eq!(rfc3339(end), "2026-11-26T23:00:00Z");
    }
}
