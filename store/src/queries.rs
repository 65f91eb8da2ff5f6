//! Read-side queries for the screens that must stay fast however full the vault gets: the
//! home screen's counts by state and the pending-approval list, one page at a time.
//!
//! Both are answered from the `registrations_by_state (state, updated_at)` index and read only
//! the columns that come before the row's large blobs (`content_sealed`, `envelope`). That
//! matters: SQLite stores a multi-megabyte blob in a chain of overflow pages, and reaching a
//! column stored after it means walking the whole chain. So these queries never touch
//! `approved_by`, `upload_url`, `receipt_json` or `last_error_*`.
//!
//! Paging is by key (the last row's `updated_at` and `registration_id`), not by `OFFSET`, so
//! page 200 costs what page 1 costs and a registration approved between two pages does not
//! shift the rest.
//!
//! Deliberately absent: anything that needs the data key (names, photos). A list that had to
//! decrypt each row's packet would cost megabytes per row.

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

/// One line of the pending-approval list: who made it and when, nothing that needs the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingApprovalEntry {
    pub registration_id: String,
    pub created_by: String,
    pub created_at: String,
    /// When it was finalized (its last change).
    pub updated_at: String,
}

/// Where the next page starts: the last entry of the page before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub updated_at: String,
    pub registration_id: String,
}

impl PendingApprovalEntry {
    /// The cursor for the page after the one this entry ends.
    pub fn cursor(&self) -> PageCursor {
        PageCursor {
            updated_at: self.updated_at.clone(),
            registration_id: self.registration_id.clone(),
        }
    }
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

    /// Registrations waiting for a supervisor, oldest first (the order they should be seen
    /// in), at most `limit` (capped at [`MAX_PAGE_SIZE`]) starting after `after`.
    pub fn pending_approval_page(
        &self,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<PendingApprovalEntry>, StoreError> {
        let limit = limit.min(MAX_PAGE_SIZE);
        // The row-value comparison keeps the scan on the (state, updated_at) index: SQLite
        // seeks to the cursor's updated_at and sorts only the ties by registration id.
        let mut statement = self.connection.prepare_cached(
            "SELECT registration_id, created_by, created_at, updated_at FROM registrations
             WHERE state = 'pending_approval' AND (updated_at, registration_id) > (?1, ?2)
             ORDER BY updated_at, registration_id
             LIMIT ?3",
        )?;
        let (updated_at, registration_id) = match after {
            Some(cursor) => (cursor.updated_at.as_str(), cursor.registration_id.as_str()),
            // Every stored timestamp sorts after the empty string.
            None => ("", ""),
        };
        let rows = statement.query_map(params![updated_at, registration_id, limit], |row| {
            Ok(PendingApprovalEntry {
                registration_id: row.get(0)?,
                created_by: row.get(1)?,
                created_at: row.get(2)?,
                updated_at: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
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

        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = vault.pending_approval_page(cursor.as_ref(), 3).unwrap();
            assert!(page.len() <= 3, "a page holds at most the limit");
            let Some(last) = page.last() else { break };
            cursor = Some(last.cursor());
            seen.extend(page.iter().map(|entry| entry.registration_id.clone()));
        }
        assert_eq!(seen, ["R1", "R2a", "R2b", "R3", "R4", "R5", "R6"]);

        let first = &vault.pending_approval_page(None, 1).unwrap()[0];
        assert_eq!(
            (
                first.created_by.as_str(),
                first.created_at.as_str(),
                first.updated_at.as_str()
            ),
            ("omar", "2025-01-01T09:00:00Z", "2025-01-01T10:00:01Z")
        );
    }

    #[test]
    fn both_queries_are_answered_from_the_state_index() {
        let dir = tempfile::tempdir().unwrap();
        let (vault, _) = vault_with_station(dir.path());
        let plan = |sql: &str| -> String {
            let mut statement = vault.connection.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = statement.query_map([], |row| row.get::<_, String>(3)).unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
        };
        let counts = plan("SELECT state, COUNT(*) FROM registrations GROUP BY state");
        assert!(counts.contains("COVERING INDEX registrations_by_state"), "{counts}");
        let page = plan(
            "SELECT registration_id, created_by, created_at, updated_at FROM registrations
             WHERE state = 'pending_approval' AND (updated_at, registration_id) > ('', '')
             ORDER BY updated_at, registration_id LIMIT 50",
        );
        assert!(
            page.contains("INDEX registrations_by_state (state=? AND updated_at>?)"),
            "{page}"
        );
        assert!(!page.contains("SCAN registrations"), "no full scan: {page}");
    }
}
