//! Read-side queries for the screens that must stay fast however full the vault gets: the
//! home screen's counts by state and its lists (drafts, pending approval, the upload queue,
//! the acknowledged), one page at a time.
//!
//! Every list is answered from the `registrations_by_state (state, updated_at)` index, one
//! state at a time: each state's page is a seek into the index and at most `limit` steps along
//! it, and pages of several states are merged here. (One `state IN (...)` query would have to
//! sort every row of those states before taking the first few.)
//!
//! Which columns a page reads depends on the state, because of where the blobs are. SQLite
//! stores a large value in a chain of overflow pages, and reaching a column stored after it
//! means walking the whole chain. A draft keeps its content in the row (`content_sealed`), so
//! for drafts and pending registrations a page reads only the columns before the blobs (who,
//! when). From `sealed` on, the content is gone and the envelope lives in a file
//! (`envelope_file`), so the blob columns are NULL and the columns after them (`approved_by`,
//! `rejected_by`, `receipt_json`, `last_error_*`) cost nothing: those pages read them. (A
//! vault written before envelopes moved to files may still hold some envelopes in the row;
//! its pages are correct but pay a walk per such row until the register acknowledges and the
//! retention purge erases it.)
//!
//! Paging is by key (the last row's `updated_at` and `registration_id`), not by `OFFSET`, so
//! page 200 costs what page 1 costs and a registration that moves between two pages does not
//! shift the rest.
//!
//! Deliberately absent: anything that needs the data key (names, photos, the reason for a
//! rejection). A list that had to decrypt each row would cost what the rows hold; the station
//! decides which few it decrypts.

use rusqlite::params;

use crate::{RegistrationState, StoreError, Vault};

/// How many registrations are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub draft: u64,
    pub pending_approval: u64,
    pub sealed: u64,
    pub uploaded: u64,
    pub acknowledged: u64,
    pub purged: u64,
    pub rejected: u64,
}

impl StateCounts {
    /// The count for one state.
    pub fn get(&self, state: RegistrationState) -> u64 {
        match state {
            RegistrationState::Draft => self.draft,
            RegistrationState::PendingApproval => self.pending_approval,
            RegistrationState::Sealed => self.sealed,
            RegistrationState::Uploaded => self.uploaded,
            RegistrationState::Acknowledged => self.acknowledged,
            RegistrationState::Purged => self.purged,
            RegistrationState::Rejected => self.rejected,
        }
    }

    /// Every registration the vault holds a row for.
    pub fn total(&self) -> u64 {
        self.draft
            + self.pending_approval
            + self.sealed
            + self.uploaded
            + self.acknowledged
            + self.purged
            + self.rejected
    }

    fn slot(&mut self, state: RegistrationState) -> &mut u64 {
        match state {
            RegistrationState::Draft => &mut self.draft,
            RegistrationState::PendingApproval => &mut self.pending_approval,
            RegistrationState::Sealed => &mut self.sealed,
            RegistrationState::Uploaded => &mut self.uploaded,
            RegistrationState::Acknowledged => &mut self.acknowledged,
            RegistrationState::Purged => &mut self.purged,
            RegistrationState::Rejected => &mut self.rejected,
        }
    }
}

/// One line of a list: who made it and when, and, once it is sealed, what became of it.
/// Nothing here needs the data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationEntry {
    pub registration_id: String,
    pub state: RegistrationState,
    pub created_by: String,
    pub created_at: String,
    /// Its last change: for a pending registration when it was finalized, for an
    /// acknowledged one when the receipt came.
    pub updated_at: String,
    /// The reviewer who approved it (sealed onward; `None` before, or when rejected).
    pub approved_by: Option<String>,
    /// The reviewer who rejected it (rejected onward; `None` before, or when approved).
    pub rejected_by: Option<String>,
    /// The register's signed receipt as stored (acknowledged and purged).
    pub receipt_json: Option<String>,
    /// Code and message of the last failed upload, while it is queued.
    pub last_error: Option<(String, String)>,
}

/// Where the next page starts: the last entry of the page before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub updated_at: String,
    pub registration_id: String,
}

impl RegistrationEntry {
    /// The cursor for the page after the one this entry ends.
    pub fn cursor(&self) -> PageCursor {
        PageCursor {
            updated_at: self.updated_at.clone(),
            registration_id: self.registration_id.clone(),
        }
    }

    fn key(&self) -> (&str, &str) {
        (&self.updated_at, &self.registration_id)
    }
}

/// The order of a page, by last change (ties by registration id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOrder {
    /// Oldest change first: what has waited longest (pending approval, the upload queue).
    OldestFirst,
    /// Newest change first: what was just touched (drafts, the acknowledged).
    NewestFirst,
}

const ALL_STATES: [RegistrationState; 7] = [
    RegistrationState::Draft,
    RegistrationState::PendingApproval,
    RegistrationState::Sealed,
    RegistrationState::Uploaded,
    RegistrationState::Acknowledged,
    RegistrationState::Purged,
    RegistrationState::Rejected,
];

/// Longest page a caller may ask for; a screen shows far fewer.
pub const MAX_PAGE_SIZE: u32 = 500;

impl Vault {
    /// How many registrations are in each state. One pass over the state index.
    pub fn counts_by_state(&self) -> Result<StateCounts, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT state, COUNT(*) FROM registrations GROUP BY state")?;
        let mut rows = statement.query([])?;
        let mut counts = StateCounts::default();
        while let Some(row) = rows.next()? {
            let state: String = row.get(0)?;
            let count: i64 = row.get(1)?;
            let state = ALL_STATES
                .into_iter()
                .find(|known| known.as_str() == state)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown registration state {state:?}")))?;
            *counts.slot(state) = count as u64;
        }
        Ok(counts)
    }

    /// Registrations in any of `states`, in `order`, at most `limit` (capped at
    /// [`MAX_PAGE_SIZE`]) starting after `after`. Each state is one seek along the state index
    /// (see the module's documentation for which columns each state reads).
    pub fn registrations_page(
        &self,
        states: &[RegistrationState],
        after: Option<&PageCursor>,
        limit: u32,
        order: PageOrder,
    ) -> Result<Vec<RegistrationEntry>, StoreError> {
        let limit = limit.min(MAX_PAGE_SIZE);
        let mut page = Vec::new();
        for &state in states {
            page.extend(self.state_page(state, after, limit, order)?);
        }
        // Each state's page holds its first `limit` after the cursor, so the first `limit` of
        // the union are among them.
        page.sort_by(|a, b| match order {
            PageOrder::OldestFirst => a.key().cmp(&b.key()),
            PageOrder::NewestFirst => b.key().cmp(&a.key()),
        });
        page.dedup_by(|a, b| a.registration_id == b.registration_id);
        page.truncate(limit as usize);
        Ok(page)
    }

    fn state_page(
        &self,
        state: RegistrationState,
        after: Option<&PageCursor>,
        limit: u32,
        order: PageOrder,
    ) -> Result<Vec<RegistrationEntry>, StoreError> {
        // Drafts and pending registrations may hold a blob in the row: stop before it.
        let past_the_blobs = !matches!(state, RegistrationState::Draft | RegistrationState::PendingApproval);
        let sql = page_sql(past_the_blobs, after.is_some(), order);
        let mut statement = self.connection.prepare_cached(&sql)?;
        let (updated_at, registration_id) = match after {
            Some(cursor) => (cursor.updated_at.as_str(), cursor.registration_id.as_str()),
            None => ("", ""),
        };
        let rows = statement.query_map(params![state.as_str(), updated_at, registration_id, limit], |row| {
            let (approved_by, rejected_by, receipt_json, last_error) = if past_the_blobs {
                let code: Option<String> = row.get(4)?;
                let message: Option<String> = row.get(5)?;
                (row.get(6)?, row.get(7)?, row.get(8)?, code.zip(message))
            } else {
                (None, None, None, None)
            };
            Ok(RegistrationEntry {
                registration_id: row.get(0)?,
                state,
                created_by: row.get(1)?,
                created_at: row.get(2)?,
                updated_at: row.get(3)?,
                approved_by,
                rejected_by,
                receipt_json,
                last_error,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// The query for one state's page. `?1` state, `?2`/`?3` the cursor (unused without one),
/// `?4` the limit. The row-value comparison keeps the scan on the (state, updated_at) index:
/// SQLite seeks to the cursor's `updated_at` and sorts only the ties by registration id.
fn page_sql(past_the_blobs: bool, after: bool, order: PageOrder) -> String {
    let columns = if past_the_blobs {
        "registration_id, created_by, created_at, updated_at, last_error_code, last_error_message, approved_by, rejected_by, receipt_json"
    } else {
        "registration_id, created_by, created_at, updated_at"
    };
    let (direction, comparison) = match order {
        PageOrder::OldestFirst => ("ASC", ">"),
        PageOrder::NewestFirst => ("DESC", "<"),
    };
    let after = if after {
        format!("AND (updated_at, registration_id) {comparison} (?2, ?3)")
    } else {
        // Without a cursor `?2` and `?3` are bound but unused (SQLite counts up to `?4`).
        String::new()
    };
    format!(
        "SELECT {columns} FROM registrations
         WHERE state = ?1 {after}
         ORDER BY updated_at {direction}, registration_id {direction}
         LIMIT ?4"
    )
}

#[cfg(test)]
mod tests {
    use crate::test_support::vault_with_station;

    use super::*;

    #[test]
    fn counts_follow_the_lifecycle() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        assert_eq!(vault.counts_by_state().unwrap(), StateCounts::default());
        for id in ["R1", "R2", "R3", "R4"] {
            vault.insert_draft(id, "omar", b"x", &key, "t1").unwrap();
        }
        vault.finalize("R2", b"f", &key, "t2").unwrap();
        vault.finalize("R3", b"f", &key, "t2").unwrap();
        vault.approve_and_seal("R3", b"envelope", "sara", "t3").unwrap();
        let counts = vault.counts_by_state().unwrap();
        assert_eq!(
            (counts.draft, counts.pending_approval, counts.sealed, counts.uploaded),
            (2, 1, 1, 0)
        );
        assert_eq!(counts.get(RegistrationState::Sealed), 1);
        assert_eq!(counts.total(), 4);
    }

    /// Every page of `states` in `order`, `size` at a time, as ids.
    fn all_pages(vault: &Vault, states: &[RegistrationState], order: PageOrder, size: u32) -> Vec<String> {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = vault.registrations_page(states, cursor.as_ref(), size, order).unwrap();
            assert!(page.len() <= size as usize, "a page holds at most the limit");
            let Some(last) = page.last() else { break };
            cursor = Some(last.cursor());
            seen.extend(page.iter().map(|entry| entry.registration_id.clone()));
        }
        seen
    }

    #[test]
    fn the_pending_list_pages_oldest_first_without_gaps_or_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        // Seven pending registrations, two of them finalized in the same second (the tie is
        // broken by registration id), and one draft that must not appear.
        let finalized_at = [
            ("R5", "2025-01-01T10:00:05Z"),
            ("R1", "2025-01-01T10:00:01Z"),
            ("R3", "2025-01-01T10:00:03Z"),
            ("R2b", "2025-01-01T10:00:02Z"),
            ("R2a", "2025-01-01T10:00:02Z"),
            ("R4", "2025-01-01T10:00:04Z"),
            ("R6", "2025-01-01T10:00:06Z"),
        ];
        for (id, at) in finalized_at {
            vault
                .insert_draft(id, "omar", b"x", &key, "2025-01-01T09:00:00Z")
                .unwrap();
            vault.finalize(id, b"f", &key, at).unwrap();
        }
        vault
            .insert_draft("D1", "omar", b"x", &key, "2025-01-01T09:00:00Z")
            .unwrap();

        let pending = [RegistrationState::PendingApproval];
        assert_eq!(
            all_pages(&vault, &pending, PageOrder::OldestFirst, 3),
            ["R1", "R2a", "R2b", "R3", "R4", "R5", "R6"]
        );
        assert_eq!(
            all_pages(&vault, &pending, PageOrder::NewestFirst, 3),
            ["R6", "R5", "R4", "R3", "R2b", "R2a", "R1"]
        );

        let first = &vault
            .registrations_page(&pending, None, 1, PageOrder::OldestFirst)
            .unwrap()[0];
        assert_eq!(
            (
                first.state,
                first.created_by.as_str(),
                first.created_at.as_str(),
                first.updated_at.as_str()
            ),
            (
                RegistrationState::PendingApproval,
                "omar",
                "2025-01-01T09:00:00Z",
                "2025-01-01T10:00:01Z"
            )
        );
    }

    #[test]
    fn the_queue_merges_its_states_oldest_first_with_decision_and_last_error() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        let at = |second: u32| format!("2025-01-01T10:00:{second:02}Z");
        for (n, id) in ["S1", "J1", "U1", "S2", "J2", "A1", "P1"].iter().enumerate() {
            vault.insert_draft(id, "omar", b"x", &key, &at(0)).unwrap();
            vault.finalize(id, b"f", &key, &at(1)).unwrap();
            let reviewed = at(10 + n as u32);
            match id.as_bytes()[0] {
                b'J' => vault
                    .reject_and_seal(id, b"envelope", "sara", "blurred", &key, &reviewed)
                    .unwrap(),
                b'P' => {}
                _ => vault.approve_and_seal(id, b"envelope", "sara", &reviewed).unwrap(),
            }
        }
        vault.mark_uploaded("U1", "http://intake/files/U1", &at(30)).unwrap();
        vault.mark_uploaded("A1", "http://intake/files/A1", &at(31)).unwrap();
        vault.record_receipt("A1", r#"{"receipt":"A1"}"#, &at(32)).unwrap();
        vault
            .record_upload_error("S2", "intake_unreachable", "the intake cannot be reached")
            .unwrap();

        let queue = [
            RegistrationState::Sealed,
            RegistrationState::Rejected,
            RegistrationState::Uploaded,
        ];
        // S1 10, J1 11, S2 13, J2 14 (reviewed), U1 30 (uploaded); one page or pages of two.
        let expected = ["S1", "J1", "S2", "J2", "U1"];
        assert_eq!(all_pages(&vault, &queue, PageOrder::OldestFirst, 50), expected);
        assert_eq!(all_pages(&vault, &queue, PageOrder::OldestFirst, 2), expected);
        assert_eq!(
            all_pages(&vault, &queue, PageOrder::NewestFirst, 2),
            ["U1", "J2", "S2", "J1", "S1"]
        );

        let page = vault
            .registrations_page(&queue, None, 50, PageOrder::OldestFirst)
            .unwrap();
        let entry = |id: &str| page.iter().find(|e| e.registration_id == id).unwrap();
        assert_eq!(
            entry("S2").last_error,
            Some(("intake_unreachable".into(), "the intake cannot be reached".into()))
        );
        assert_eq!(entry("S1").last_error, None);
        assert_eq!(
            (entry("S1").approved_by.as_deref(), entry("S1").rejected_by.as_deref()),
            (Some("sara"), None)
        );
        assert_eq!(
            (
                entry("J1").state,
                entry("J1").approved_by.as_deref(),
                entry("J1").rejected_by.as_deref()
            ),
            (RegistrationState::Rejected, None, Some("sara"))
        );
        assert_eq!(entry("U1").state, RegistrationState::Uploaded);

        let acknowledged = vault
            .registrations_page(&[RegistrationState::Acknowledged], None, 50, PageOrder::NewestFirst)
            .unwrap();
        assert_eq!(acknowledged.len(), 1);
        assert_eq!(acknowledged[0].receipt_json.as_deref(), Some(r#"{"receipt":"A1"}"#));
        assert_eq!(acknowledged[0].approved_by.as_deref(), Some("sara"));

        // Pending and draft rows stop before the blobs: nothing past them is read.
        let pending = vault
            .registrations_page(&[RegistrationState::PendingApproval], None, 50, PageOrder::OldestFirst)
            .unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(
            (pending[0].approved_by.as_ref(), pending[0].receipt_json.as_ref()),
            (None, None)
        );
    }

    #[test]
    fn a_page_is_capped_and_an_empty_state_list_is_an_empty_page() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        for n in 0..3 {
            vault
                .insert_draft(&format!("D{n}"), "omar", b"x", &key, &format!("2025-01-01T10:00:0{n}Z"))
                .unwrap();
        }
        let drafts = [RegistrationState::Draft];
        let page = vault
            .registrations_page(&drafts, None, 2, PageOrder::NewestFirst)
            .unwrap();
        assert_eq!(
            page.iter().map(|e| e.registration_id.as_str()).collect::<Vec<_>>(),
            ["D2", "D1"]
        );
        assert!(vault
            .registrations_page(&[], None, 2, PageOrder::NewestFirst)
            .unwrap()
            .is_empty());
        // A state listed twice does not list its rows twice.
        let twice = vault
            .registrations_page(
                &[RegistrationState::Draft, RegistrationState::Draft],
                None,
                50,
                PageOrder::OldestFirst,
            )
            .unwrap();
        assert_eq!(twice.len(), 3);
    }

    #[test]
    fn the_queries_are_answered_from_the_state_index() {
        let dir = tempfile::tempdir().unwrap();
        let (vault, _) = vault_with_station(dir.path());
        let plan = |sql: &str| -> String {
            let sql = sql
                .replace("?1", "'sealed'")
                .replace("?2", "'2025-01-01T10:00:00Z'")
                .replace("?3", "'R1'")
                .replace("?4", "50");
            let mut statement = vault.connection.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = statement.query_map([], |row| row.get::<_, String>(3)).unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
        };
        let counts = plan("SELECT state, COUNT(*) FROM registrations GROUP BY state");
        assert!(counts.contains("COVERING INDEX registrations_by_state"), "{counts}");
        for past_the_blobs in [false, true] {
            for order in [PageOrder::OldestFirst, PageOrder::NewestFirst] {
                let first = plan(&page_sql(past_the_blobs, false, order));
                assert!(first.contains("INDEX registrations_by_state (state=?)"), "{first}");
                let next = plan(&page_sql(past_the_blobs, true, order));
                let range = match order {
                    PageOrder::OldestFirst => "INDEX registrations_by_state (state=? AND updated_at>?)",
                    PageOrder::NewestFirst => "INDEX registrations_by_state (state=? AND updated_at<?)",
                };
                assert!(next.contains(range), "{next}");
                for text in [&first, &next] {
                    assert!(!text.contains("SCAN registrations"), "no full scan: {text}");
                }
            }
        }
    }
}
