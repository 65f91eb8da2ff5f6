//! What happened to registrations during one day, for the supervisor's dashboard and the
//! end-of-day report: how many each operator started and finalized, how many were approved
//! and rejected.
//!
//! A registration's row keeps only its last change (`updated_at`), so the day's moves come from
//! the audit chain, where every move is an event with its time. The chain has no index on time,
//! but it is appended in time order: the events are read newest first, from the end of the
//! rowid, and the walk stops at the first event older than the day. The cost is the events
//! since the day began (a day's work: hundreds, a few thousand), not the vault's size. Each
//! event's registration is looked up by its primary key for its maker.
//!
//! A clock set back during the day breaks the time order: events written after the clock went
//! back, with times before the day began, end the walk early. The counts then miss what came
//! before them; an audit chain never rewrites its times, and the station's clock is the
//! station's truth.
//!
//! Deliberately absent: anything that needs the data key, and any state count (that is
//! `Vault::counts_by_state`).

use std::collections::BTreeMap;

use crate::{StoreError, Vault};

/// The audit actions counted, as `crate::registrations` writes them.
const CREATED: &str = "registration_created";
const FINALIZED: &str = "registration_finalized";
const APPROVED: &str = "registration_approved";
const REJECTED: &str = "registration_rejected";

/// One operator's registrations moved during the day, by the registration's maker.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MakerDay {
    /// Drafts they started.
    pub started: u64,
    /// Registrations of theirs finalized (sent for approval).
    pub finalized: u64,
    /// Registrations of theirs a supervisor approved.
    pub approved: u64,
    /// Registrations of theirs a supervisor rejected.
    pub rejected: u64,
}

/// The day's moves, per maker (by username, in order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub by_maker: BTreeMap<String, MakerDay>,
}

impl DayCounts {
    /// Every maker's counts added up.
    pub fn total(&self) -> MakerDay {
        self.by_maker.values().fold(MakerDay::default(), |sum, one| MakerDay {
            started: sum.started + one.started,
            finalized: sum.finalized + one.finalized,
            approved: sum.approved + one.approved,
            rejected: sum.rejected + one.rejected,
        })
    }
}

impl Vault {
    /// The registrations started, finalized, approved and rejected from `from` (included) to
    /// `to` (excluded), both RFC 3339 in UTC as the vault writes times, counted by each
    /// registration's maker. Compared to the second, so that a fraction of a second (which
    /// sorts before the `Z` of a time without one) does not move an event across a bound.
    pub fn day_counts(&self, from: &str, to: &str) -> Result<DayCounts, StoreError> {
        let from = to_the_second(from);
        let to = to_the_second(to);
        let mut statement = self.connection.prepare_cached(
            "SELECT a.at, a.action, r.created_by
             FROM audit_events a LEFT JOIN registrations r ON r.registration_id = a.registration_id
             ORDER BY a.sequence DESC",
        )?;
        let mut rows = statement.query([])?;
        let mut counts = DayCounts::default();
        while let Some(row) = rows.next()? {
            let at: String = row.get(0)?;
            let at = to_the_second(&at);
            if at < from {
                break;
            }
            if at >= to {
                continue;
            }
            let action: String = row.get(1)?;
            let Some(maker) = row.get::<_, Option<String>>(2)? else {
                continue;
            };
            if ![CREATED, FINALIZED, APPROVED, REJECTED].contains(&action.as_str()) {
                continue;
            }
            let day = counts.by_maker.entry(maker).or_default();
            let count = match action.as_str() {
                CREATED => &mut day.started,
                FINALIZED => &mut day.finalized,
                APPROVED => &mut day.approved,
                _ => &mut day.rejected,
            };
            *count += 1;
        }
        Ok(counts)
    }
}

/// `YYYY-MM-DDTHH:MM:SS` of an RFC 3339 time in UTC (the whole text if it is shorter).
fn to_the_second(at: &str) -> &str {
    at.get(..19).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_days_moves_by_maker_and_nothing_of_the_day_before() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = crate::test_support::vault_with_station(dir.path());
        // Yesterday: omar starts and finalizes R1.
        vault
            .insert_draft("R1", "omar", b"x", &key, "2026-11-25T16:00:00Z")
            .unwrap();
        vault.finalize("R1", b"c", &key, "2026-11-25T16:05:00Z").unwrap();
        // Today: R1 approved; omar starts R2 and R3 and finalizes R2; nadia starts R4.
        vault
            .approve_and_seal("R1", b"s", "sara", "2026-11-26T08:00:00Z")
            .unwrap();
        vault
            .insert_draft("R2", "omar", b"x", &key, "2026-11-26T09:00:00.25Z")
            .unwrap();
        vault.finalize("R2", b"c", &key, "2026-11-26T09:10:00Z").unwrap();
        vault
            .insert_draft("R3", "omar", b"x", &key, "2026-11-26T10:00:00Z")
            .unwrap();
        vault
            .insert_draft("R4", "nadia", b"x", &key, "2026-11-26T11:00:00Z")
            .unwrap();
        // Tomorrow, for the day asked about afterwards.
        vault
            .insert_draft("R5", "nadia", b"x", &key, "2026-11-27T00:00:00Z")
            .unwrap();

        let today = vault
            .day_counts("2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z")
            .unwrap();
        let omar = MakerDay {
            started: 2,
            finalized: 1,
            approved: 1,
            rejected: 0,
        };
        let nadia = MakerDay {
            started: 1,
            ..MakerDay::default()
        };
        assert_eq!(
            today.by_maker,
            BTreeMap::from([("nadia".to_string(), nadia), ("omar".to_string(), omar)])
        );
        assert_eq!(today.total().started, 3);
        let yesterday = vault
            .day_counts("2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z")
            .unwrap();
        assert_eq!(
            yesterday.by_maker["omar"],
            MakerDay {
                started: 1,
                finalized: 1,
                ..MakerDay::default()
            }
        );
    }

    #[test]
    fn the_walk_reads_the_chain_from_its_end_without_sorting() {
        let dir = tempfile::tempdir().unwrap();
        let (vault, _) = crate::test_support::vault_with_station(dir.path());
        let mut statement = vault
            .connection
            .prepare(
                "EXPLAIN QUERY PLAN SELECT a.at, a.action, r.created_by
                 FROM audit_events a LEFT JOIN registrations r ON r.registration_id = a.registration_id
                 ORDER BY a.sequence DESC",
            )
            .unwrap();
        let plan: Vec<String> = statement
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let plan = plan.join("; ");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        assert!(plan.contains("USING INDEX sqlite_autoindex_registrations_1"), "{plan}");
    }

    #[test]
    fn times_compare_to_the_second_whatever_their_fraction() {
        assert_eq!(to_the_second("2026-11-25T00:00:00.5Z"), "2026-11-25T00:00:00");
        assert!(to_the_second("2026-11-25T00:00:00.5Z") >= to_the_second("2026-11-25T00:00:00Z"));
        assert_eq!(to_the_second("short"), "short");
    }
}
