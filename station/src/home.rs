//! The home screen: how many registrations are in each state, and four short lists, each the
//! first page of its kind:
//!
//! - drafts, newest change first: the clerk's way back into a registration they started;
//! - pending approval, oldest first: what a supervisor should look at next;
//! - the upload queue (sealed, rejected and uploaded), oldest first: what still has to reach
//!   the register, each with its last upload error and the decision it was sealed with;
//! - acknowledged, newest first: what the register has confirmed, with its receipt reference
//!   and decision;
//! - returned by the register, oldest first: receipted packets the register rejected or asks
//!   to register again, with its reasons (a few short texts, opened from the station's inbox;
//!   see `register_status`), until a supervisor marks each handled.
//!
//! It is the screen shown after every sign-in and after every action, so it must stay fast
//! with a hundred thousand packets in the vault: every list comes from
//! `enroll_store::queries`, one seek along the state index per state, [`HOME_PAGE_SIZE`] rows
//! at most, and [`Station::home_page`] pages further by key when the clerk asks.
//!
//! Names: only the drafts list shows them. A draft's content sits in its row, small (the
//! identity fields and one face image) and under the data key the signed-in operator holds,
//! and a clerk finds their unfinished work by the resident's name, not by a 20-digit id; at
//! most a page of drafts ([`DRAFTS_PAGE_SIZE`]) is decrypted. A pending registration's content is the whole packet
//! in a file (megabytes once fingerprints, irises and documents are in), so its name is read
//! only on the registration screen, one at a time, when a supervisor opens it to review; and
//! from `sealed` on the station cannot read the packet at all. The reason of a rejection is
//! likewise only on the registration screen.
//!
//! Deliberately absent: who may approve which entry (that rule lives with `approve`, and the
//! lists carry `created_by` for the screen), photos, and any total beyond the counts.

use serde::{Deserialize, Serialize};

use enroll_store::queries::{PageCursor, PageOrder, RegistrationEntry};
use enroll_store::{DataKey, RegistrationState, Vault};

use crate::views::{decision_of, receipt_view, upload_error_view, RegistrationStateName};
use crate::{DecisionView, ErrorView, ReceiptView, Station, StationError};

/// How many entries the pending, queue and acknowledged lists show at once: a screenful or
/// two of rows, each read from the state index without decrypting anything.
pub const HOME_PAGE_SIZE: u32 = 50;

/// How many drafts the drafts list shows at once. Fewer than the others because each one is
/// decrypted for its name (the identity and a face image, some 50-100 KB), and because a
/// station's drafts are the few registrations someone is still typing: twenty is more than a
/// clerk leaves open, and the rest are a page away.
pub const DRAFTS_PAGE_SIZE: u32 = 20;

/// What the home screen shows.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct HomeSummary {
    pub counts: StateCountsView,
    /// Drafts, newest change first, with names.
    pub drafts: HomeList,
    /// Waiting for a supervisor, oldest first.
    pub pending_approval: HomeList,
    /// Sealed, rejected and uploaded: still to reach the register or to be receipted, oldest
    /// first, with the last upload error.
    pub upload_queue: HomeList,
    /// Receipted by the register, newest first.
    pub acknowledged: HomeList,
    /// The station against its offline limits: a warning or why new registrations stop.
    pub offline: crate::offline::OfflineView,
    /// Receipted packets the register sent back (rejected, or the resident must register
    /// again) that no supervisor has handled yet, with the register's reasons.
    pub returned_by_register: crate::ReturnedByRegisterView,
}

/// Registrations per state. `queued` is what still has to reach the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct StateCountsView {
    pub draft: u64,
    pub pending_approval: u64,
    pub sealed: u64,
    pub uploaded: u64,
    pub acknowledged: u64,
    pub rejected: u64,
    /// Sealed, rejected or uploaded: waiting for upload or for the register's receipt.
    pub queued: u64,
}

/// The home screen's lists, by name (for [`Station::home_page`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum HomeListName {
    Drafts,
    PendingApproval,
    UploadQueue,
    Acknowledged,
}

impl HomeListName {
    fn states(self) -> &'static [RegistrationState] {
        match self {
            HomeListName::Drafts => &[RegistrationState::Draft],
            HomeListName::PendingApproval => &[RegistrationState::PendingApproval],
            HomeListName::UploadQueue => &[
                RegistrationState::Sealed,
                RegistrationState::Rejected,
                RegistrationState::Uploaded,
            ],
            HomeListName::Acknowledged => &[RegistrationState::Acknowledged],
        }
    }

    fn page_size(self) -> u32 {
        match self {
            HomeListName::Drafts => DRAFTS_PAGE_SIZE,
            _ => HOME_PAGE_SIZE,
        }
    }

    fn order(self) -> PageOrder {
        match self {
            HomeListName::Drafts | HomeListName::Acknowledged => PageOrder::NewestFirst,
            HomeListName::PendingApproval | HomeListName::UploadQueue => PageOrder::OldestFirst,
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct HomeList {
    pub items: Vec<HomeItem>,
    /// Pass to [`Station::home_page`] for the next page; `None` when this page is the last.
    pub next_page: Option<HomeCursor>,
}

/// One row of a list. What a row cannot know is `None`: names outside the drafts list, the
/// decision before review, the receipt before acknowledgement.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct HomeItem {
    pub registration_id: String,
    pub state: RegistrationStateName,
    pub created_by: String,
    pub created_at: String,
    /// Its last change (for a pending registration, when it was finalized).
    pub updated_at: String,
    /// Drafts only: the resident's name as typed so far (English first), if any.
    pub display_name: Option<String>,
    /// From review on: approved or rejected, and by whom (the reason is on the registration).
    pub decision: Option<DecisionView>,
    pub receipt: Option<ReceiptView>,
    /// The last failed upload, while queued.
    pub last_error: Option<ErrorView>,
}

/// Where a page of a list ends; the window sends it back as is for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct HomeCursor {
    pub updated_at: String,
    pub registration_id: String,
}

impl Station {
    /// The counts by state and the first page of each list. Any signed-in operator may see
    /// them.
    pub fn home_summary(&self) -> Result<HomeSummary, StationError> {
        let (_, data_key) = self.signed_in()?;
        let vault = self.vault();
        let counts = vault.counts_by_state()?;
        let offline = self.offline_view(&vault, &counts)?;
        let list = |name| first_or_next_page(&vault, &data_key, name, None);
        Ok(HomeSummary {
            offline,
            returned_by_register: crate::register_status::returned(&vault, &data_key)?,
            drafts: list(HomeListName::Drafts)?,
            pending_approval: list(HomeListName::PendingApproval)?,
            upload_queue: list(HomeListName::UploadQueue)?,
            acknowledged: list(HomeListName::Acknowledged)?,
            counts: StateCountsView {
                draft: counts.draft,
                pending_approval: counts.pending_approval,
                sealed: counts.sealed,
                uploaded: counts.uploaded,
                acknowledged: counts.acknowledged,
                rejected: counts.rejected,
                queued: counts.sealed + counts.rejected + counts.uploaded,
            },
        })
    }

    /// The page of `list` after `after` (a cursor from [`HomeSummary`] or an earlier page).
    pub fn home_page(&self, list: HomeListName, after: &HomeCursor) -> Result<HomeList, StationError> {
        let (_, data_key) = self.signed_in()?;
        let cursor = PageCursor {
            updated_at: after.updated_at.clone(),
            registration_id: after.registration_id.clone(),
        };
        let vault = self.vault();
        first_or_next_page(&vault, &data_key, list, Some(&cursor))
    }
}

fn first_or_next_page(
    vault: &Vault,
    data_key: &DataKey,
    list: HomeListName,
    after: Option<&PageCursor>,
) -> Result<HomeList, StationError> {
    let page = vault.registrations_page(list.states(), after, list.page_size(), list.order())?;
    // A full page may have a next one (an empty last fetch is cheap).
    let next_page = (page.len() == list.page_size() as usize)
        .then(|| page.last())
        .flatten()
        .map(|last| HomeCursor {
            updated_at: last.updated_at.clone(),
            registration_id: last.registration_id.clone(),
        });
    let items = page
        .into_iter()
        .map(|entry| {
            let display_name = match entry.state {
                RegistrationState::Draft => draft_name(vault, data_key, &entry.registration_id),
                _ => None,
            };
            home_item(entry, display_name)
        })
        .collect();
    Ok(HomeList { items, next_page })
}

fn home_item(entry: RegistrationEntry, display_name: Option<String>) -> HomeItem {
    HomeItem {
        state: entry.state.into(),
        decision: decision_of(entry.approved_by, entry.rejected_by),
        receipt: entry.receipt_json.as_deref().and_then(receipt_view),
        last_error: entry.last_error.map(upload_error_view),
        display_name,
        registration_id: entry.registration_id,
        created_by: entry.created_by,
        created_at: entry.created_at,
        updated_at: entry.updated_at,
    }
}

/// The part of a stored draft ([`crate::content::Draft`]) a list needs: the face image is
/// skipped, not copied.
#[derive(Deserialize)]
struct DraftIdentity {
    identity: serde_json::Value,
}

/// A draft's name, or `None`. A draft that cannot be read is listed without a name (and
/// logged, by id only) rather than hiding the whole home screen; opening it shows the error.
fn draft_name(vault: &Vault, data_key: &DataKey, registration_id: &str) -> Option<String> {
    let draft = vault
        .registration_content(registration_id, data_key)
        .map_err(StationError::from)
        .and_then(|bytes| {
            serde_json::from_slice::<DraftIdentity>(&bytes)
                .map_err(|e| StationError::corrupt(format!("a stored draft does not parse: {e}")))
        });
    match draft {
        Ok(draft) => crate::display_name(&draft.identity),
        Err(error) => {
            tracing::warn!(
                registration_id,
                code = error.code(),
                "a draft could not be read for its name"
            );
            None
        }
    }
}
