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

use enroll_store::queries::PageOrder;
use enroll_store::{RegistrationState, Role};

use crate::session::parse_time;
use crate::{check_may_approve, rfc3339, PermissionRule, PurgeReport, RegistrationView, Station, StationError};

/// Acknowledged packets read per page while purging.
const PURGE_PAGE_SIZE: u32 = 100;

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
                return Err(crate::invalid_state(&row));
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
        self.sync_wake.ring();
        self.registration(registration_id)
    }

    /// Abandon a draft: its maker, a supervisor or an admin.
    pub fn discard_draft(&self, registration_id: &str) -> Result<(), StationError> {
        let (operator, _) = self.signed_in()?;
        let mut vault = self.vault();
        let row = vault.registration(registration_id)?;
        if operator.role == Role::Officer && row.created_by != operator.username {
            return Err(StationError::not_permitted(
                PermissionRule::OthersDraft,
                format!("discard {registration_id}"),
            ));
        }
        vault.discard_draft(registration_id, &rfc3339((self.clock)()))?;
        tracing::info!(registration_id, by = %operator.username, "draft discarded");
        Ok(())
    }

    /// Purge every acknowledged packet whose last change is older than the retention period
    /// (admins only).
    pub fn purge_expired(&self) -> Result<PurgeReport, StationError> {
        self.purge_expired_in_pages_of(PURGE_PAGE_SIZE)
    }

    fn purge_expired_in_pages_of(&self, page_size: u32) -> Result<PurgeReport, StationError> {
        let (operator, _) = self.signed_in()?;
        crate::operators::require_admin(&operator, "purge packets")?;
        let now = (self.clock)();
        let retention = self.policy.current().retention;
        let mut vault = self.vault();
        let mut report = PurgeReport::default();
        // Oldest first, page by page along the state index, up to the first packet still
        // within retention: the work is the expired packets, not the whole acknowledged list.
        let mut after = None;
        'pages: loop {
            let page = vault.registrations_page(
                &[RegistrationState::Acknowledged],
                after.as_ref(),
                page_size,
                PageOrder::OldestFirst,
            )?;
            let Some(last) = page.last() else { break };
            after = Some(last.cursor());
            for entry in page {
                if parse_time(&entry.updated_at)? + retention > now {
                    break 'pages;
                }
                vault.purge(&entry.registration_id, &rfc3339(now))?;
                report.purged.push(entry.registration_id);
            }
        }
        report.purged.sort();
        tracing::info!(count = report.purged.len(), "expired packets purged");
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{pending_registration, TestStation, ADMIN, DAY, OFFICER, SUPERVISOR};

    /// Pages of one, so that the walk crosses page boundaries: the packets past retention go,
    /// oldest first, and the walk stops at the first one still within it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn purge_walks_the_acknowledged_oldest_first_and_stops_at_the_retention_line() {
        let (test, intake) = TestStation::with_intake().await;
        let mut acknowledged = Vec::new();
        for _ in 0..3 {
            test.as_user(OFFICER);
            let rid = pending_registration(&test.station);
            test.as_user(SUPERVISOR);
            test.station.approve(&rid).unwrap();
            assert_eq!(test.station.sync_now().await.unwrap().acknowledged, 1);
            acknowledged.push(rid);
            test.clock.advance(DAY);
        }
        // Acknowledged 3, 2 and 1 days ago; the test station keeps packets 7 days.
        test.clock.advance(5 * DAY - DAY / 2);
        test.as_user(ADMIN);
        let report = test.station.purge_expired_in_pages_of(1).unwrap();
        assert_eq!(report.purged, [acknowledged[0].clone()], "only the one past 7 days");
        test.clock.advance(DAY);
        test.as_user(ADMIN);
        let report = test.station.purge_expired_in_pages_of(1).unwrap();
        assert_eq!(report.purged, [acknowledged[1].clone()]);
        assert_eq!(
            test.station.registration(&acknowledged[2]).unwrap().state,
            "acknowledged"
        );
        intake.shutdown().await;
    }
}
