//! The home screen: how many registrations are in each state, and the first page of those
//! waiting for approval. It is the screen shown after every sign-in and after every action, so
//! it must stay fast with a hundred thousand packets in the vault: both parts come from
//! `enroll_store::queries`, which read the state index and never decrypt anything.
//!
//! Deliberately absent: who may approve which entry (that rule lives with `approve`, and the
//! list carries `created_by` for the screen), and names and photos. Showing a name would mean decrypting each listed
//! packet (megabytes each once biometrics are in); the registration view does that for one
//! registration at a time.

use serde::Serialize;

use enroll_store::queries::{PageCursor, PendingApprovalEntry};

use crate::{Station, StationError};

/// How many pending registrations the home screen lists at once.
pub const HOME_PAGE_SIZE: u32 = 50;

/// What the home screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HomeSummary {
    pub counts: StateCountsView,
    /// The oldest registrations waiting for a supervisor, at most [`HOME_PAGE_SIZE`].
    pub pending_approval: Vec<PendingApprovalItem>,
    /// Pass to [`Station::pending_approval_page`] for the next page; `None` when this page is
    /// the last.
    pub next_page: Option<PendingCursor>,
}

/// Registrations per state. `queued` is what still has to reach the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateCountsView {
    pub draft: u64,
    pub pending_approval: u64,
    pub sealed: u64,
    pub uploaded: u64,
    pub acknowledged: u64,
    pub rejected: u64,
    /// Sealed or uploaded: waiting for upload or for the register's receipt.
    pub queued: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingApprovalItem {
    pub registration_id: String,
    pub created_by: String,
    pub created_at: String,
    pub finalized_at: String,
}

/// Where a page of the pending list ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PendingCursor {
    pub finalized_at: String,
    pub registration_id: String,
}

/// A page of the pending list after the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingApprovalPage {
    pub items: Vec<PendingApprovalItem>,
    pub next_page: Option<PendingCursor>,
}

impl Station {
    /// The counts by state and the first page of the pending-approval list. Any signed-in
    /// operator may see them.
    pub fn home_summary(&self) -> Result<HomeSummary, StationError> {
        self.signed_in()?;
        let vault = self.vault();
        let counts = vault.counts_by_state()?;
        let page = vault.pending_approval_page(None, HOME_PAGE_SIZE)?;
        drop(vault);
        let (pending_approval, next_page) = items_and_cursor(page);
        Ok(HomeSummary {
            counts: StateCountsView {
                draft: counts.draft,
                pending_approval: counts.pending_approval,
                sealed: counts.sealed,
                uploaded: counts.uploaded,
                acknowledged: counts.acknowledged,
                rejected: counts.rejected,
                queued: counts.sealed + counts.uploaded,
            },
            pending_approval,
            next_page,
        })
    }

    /// The page of the pending-approval list after `after`.
    pub fn pending_approval_page(&self, after: &PendingCursor) -> Result<PendingApprovalPage, StationError> {
        self.signed_in()?;
        let cursor = PageCursor {
            updated_at: after.finalized_at.clone(),
            registration_id: after.registration_id.clone(),
        };
        let page = self.vault().pending_approval_page(Some(&cursor), HOME_PAGE_SIZE)?;
        let (items, next_page) = items_and_cursor(page);
        Ok(PendingApprovalPage { items, next_page })
    }
}

/// Turn a page into items; a full page may have a next one (an empty last fetch is cheap).
fn items_and_cursor(page: Vec<PendingApprovalEntry>) -> (Vec<PendingApprovalItem>, Option<PendingCursor>) {
    let next_page = (page.len() == HOME_PAGE_SIZE as usize)
        .then(|| page.last())
        .flatten()
        .map(|last| PendingCursor {
            finalized_at: last.updated_at.clone(),
            registration_id: last.registration_id.clone(),
        });
    let items = page
        .into_iter()
        .map(|entry| PendingApprovalItem {
            registration_id: entry.registration_id,
            created_by: entry.created_by,
            created_at: entry.created_at,
            finalized_at: entry.updated_at,
        })
        .collect();
    (items, next_page)
}
