//! The moves of a registration that are not the happy path: a reviewer's rejection, a
//! discarded draft, and the purge of old packets once the retention period is over.
//!
//! - Rejecting is approval's twin: the same reviewer rule (a supervisor or admin, never the
//!   registration's own maker), the same sealing, the readable copy erased in the same
//!   transaction. The sealed packet is uploaded like an approved one (the register keeps the
//!   record of who was turned away and why) and kept until the register acknowledges it and
//!   the retention period ends.
//! - Discarding moves a draft to `purged`: its content is erased, its tombstone stays.
//! - Purging erases the envelope of an acknowledged packet (approved or rejected) older than
//!   [`crate::StationPolicy::retention`]; the row, its receipt and its audit events stay. A
//!   packet the register has not acknowledged is never purged.
//!
//! Deliberately absent: any undo. Each of these erases resident data on purpose.

use enroll_store::{RegistrationState, Role};

use crate::session::parse_time;
use crate::{check_may_approve, rfc3339, PurgeReport, RegistrationView, Station, StationError};

/// The longest reason a reviewer may give (it travels in the packet's meta).
const MAX_REASON_CHARS: usize = 500;

impl Station {
    /// Reject a pending registration with a reason: sealed like an approval, with the decision
    /// in it, and queued for upload like one.
    pub fn reject(&self, registration_id: &str, reason: &str) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(StationError::ValidationFailed(vec![crate::FieldError {
                field: "reason".into(),
                language: None,
                code: if reason.is_empty() { "required" } else { "too_long" }.into(),
                message: format!("give the reason for the rejection, at most {MAX_REASON_CHARS} characters"),
            }]));
        }
        let now = rfc3339((self.clock)());
        {
            let mut vault = self.vault();
            let row = vault.registration(registration_id)?;
            check_may_approve(&operator, &row)?;
            if row.state != RegistrationState::PendingApproval {
                return Err(StationError::InvalidState(format!(
                    "registration {registration_id} is {}, not pending approval",
                    row.state.as_str()
                )));
            }
            crate::packaging::store_reviewed(
                &mut vault,
                &data_key,
                registration_id,
                &operator.username,
                crate::packaging::Review::Reject { reason },
                &now,
            )?;
            tracing::info!(registration_id, supervisor = %operator.username, "rejected and sealed");
        }
        self.registration(registration_id)
    }

    /// Abandon a draft: its maker, a supervisor or an admin.
    pub fn discard_draft(&self, registration_id: &str) -> Result<(), StationError> {
        let (operator, _) = self.signed_in()?;
        let mut vault = self.vault();
        let row = vault.registration(registration_id)?;
        if operator.role == Role::Officer && row.created_by != operator.username {
            return Err(StationError::NotPermitted(
                "an officer can discard only their own drafts; ask a supervisor".into(),
            ));
        }
        vault.discard_draft(registration_id, &rfc3339((self.clock)()))?;
        tracing::info!(registration_id, by = %operator.username, "draft discarded");
        Ok(())
    }

    /// Purge every acknowledged packet whose last change is older than the retention period
    /// (admins only).
    pub fn purge_expired(&self) -> Result<PurgeReport, StationError> {
        let (operator, _) = self.signed_in()?;
        crate::operators::require_admin(&operator, "purge packets")?;
        let now = (self.clock)();
        let mut vault = self.vault();
        let candidates = vault.registrations_in(RegistrationState::Acknowledged)?;
        let mut report = PurgeReport::default();
        for row in candidates {
            if parse_time(&row.updated_at)? + self.policy.current().retention <= now {
                vault.purge(&row.registration_id, &rfc3339(now))?;
                report.purged.push(row.registration_id);
            }
        }
        report.purged.sort();
        tracing::info!(count = report.purged.len(), "expired packets purged");
        Ok(report)
    }
}
