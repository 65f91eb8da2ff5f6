//! A supervisor approves several pending registrations at once, after typing their password
//! again.
//!
//! - The password is asked again because a batch seals many residents' packets with one
//!   click: a station left signed in must not let a passer-by do that. It is checked with the
//!   sign-in's rules ([`Station::check_credentials`]): a wrong one counts towards the lockout,
//!   and a lockout signs the session out, since whoever is at the keyboard is guessing.
//! - Each registration is approved on its own, in its own transaction, with the single
//!   approval's rules (`Station::approve_one`). One that cannot be (approved meanwhile on another screen, the
//!   supervisor's own, no longer pending) is reported with its error and the others go on, so a
//!   batch never half-seals a packet and never stops at the first stale row.
//! - The batch itself is audited (`batch_approved`: how many, how many refused), besides each
//!   packet's own `approved` event.

use std::collections::BTreeSet;

use enroll_store::{NewAuditEvent, Role};
use serde::Serialize;
use specta::Type;

use crate::error::ErrorView;
use crate::{rfc3339, PermissionRule, Station, StationError};

/// The most registrations one batch takes: a day's queue at a busy center, and a bound on
/// how long the supervisor waits for one answer (each approval seals a packet).
pub const MAX_BATCH_APPROVAL: usize = 200;

/// What a batch approval did: the registrations approved, in the order asked, and those that
/// could not be, each with why.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct BatchApprovalView {
    pub approved: Vec<String>,
    pub refused: Vec<BatchRefusalView>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct BatchRefusalView {
    pub registration_id: String,
    pub error: ErrorView,
}

impl Station {
    /// Approve `registration_ids` (pending, made by others) after checking the signed-in
    /// supervisor's `password`. Fails as a whole only before anything is approved: not
    /// signed in, not a reviewer, a wrong password, an empty or oversized batch.
    pub fn approve_batch(
        &self,
        registration_ids: &[String],
        password: &str,
    ) -> Result<BatchApprovalView, StationError> {
        let (operator, _) = self.signed_in()?;
        if operator.role == Role::Officer {
            return Err(StationError::not_permitted(
                PermissionRule::OfficerCannotReview,
                "approve a batch of registrations",
            ));
        }
        let registration_ids = distinct_in_order(registration_ids);
        check_batch_size(registration_ids.len())?;

        let now = (self.clock)();
        let data_key = self.confirm_own_password(&operator.username, password, now)?;

        let now = rfc3339(now);
        let mut report = BatchApprovalView::default();
        for registration_id in registration_ids {
            match self.approve_one(&operator, &data_key, registration_id, &now) {
                Ok(()) => report.approved.push(registration_id.to_string()),
                Err(error) => {
                    tracing::warn!(registration_id, %error, "not approved in the batch");
                    report.refused.push(BatchRefusalView {
                        registration_id: registration_id.to_string(),
                        error: ErrorView::from(&error),
                    });
                }
            }
        }

        self.vault().record_audit(&NewAuditEvent {
            at: &now,
            actor: Some(&operator.username),
            action: "batch_approved",
            registration_id: None,
            details: &format!("{} approved, {} refused", report.approved.len(), report.refused.len()),
        })?;
        if !report.approved.is_empty() {
            self.sync_wake.ring();
        }
        Ok(report)
    }
}

/// The ids once each, in the order first given: a row ticked twice is approved once.
fn distinct_in_order(ids: &[String]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    ids.iter().map(String::as_str).filter(|id| seen.insert(*id)).collect()
}

fn check_batch_size(count: usize) -> Result<(), StationError> {
    let code = match count {
        0 => "required",
        n if n > MAX_BATCH_APPROVAL => "too_many",
        _ => return Ok(()),
    };
    Err(StationError::ValidationFailed(vec![crate::FieldError {
        field: "registration_ids".into(),
        language: None,
        code: code.into(),
        message: format!("choose between 1 and {MAX_BATCH_APPROVAL} registrations to approve"),
    }]))
}

#[cfg(test)]
mod tests {
    use super::MAX_BATCH_APPROVAL;
    use crate::test_support::{password, pending_registration, TestStation, OFFICER, SUPERVISOR};
    use crate::{ErrorCode, StationError};

    fn pending(test: &TestStation, count: usize) -> Vec<String> {
        test.as_user(OFFICER);
        (0..count).map(|_| pending_registration(&test.station)).collect()
    }

    #[test]
    fn a_supervisor_approves_a_batch_after_their_password_and_a_stale_row_is_reported_not_fatal() {
        let test = TestStation::new();
        let ids = pending(&test, 3);
        test.as_user(SUPERVISOR);
        // Approved on another screen meanwhile: the batch reports it and goes on.
        test.station.approve(&ids[1]).unwrap();

        let mut asked = ids.clone();
        asked.push(ids[0].clone());
        let report = test.station.approve_batch(&asked, &password(SUPERVISOR)).unwrap();

        assert_eq!(report.approved, [ids[0].clone(), ids[2].clone()]);
        assert_eq!(report.refused.len(), 1);
        assert_eq!(report.refused[0].registration_id, ids[1]);
        assert_eq!(report.refused[0].error.code, ErrorCode::InvalidState);
        for id in [&ids[0], &ids[2]] {
            let view = test.station.registration(id).unwrap();
            assert_eq!(view.state, "sealed", "approved and sealed for upload");
            assert_eq!(view.decision.unwrap().by, SUPERVISOR);
        }
        let events = test.station.vault().audit_events().unwrap();
        let batch = events
            .iter()
            .find(|e| e.action == "batch_approved")
            .expect("the batch is audited");
        assert_eq!(batch.actor, SUPERVISOR);
        assert_eq!(batch.details, "2 approved, 1 refused");
    }

    #[test]
    fn a_wrong_password_approves_nothing_and_counts_towards_the_lockout_which_signs_out() {
        let test = TestStation::new();
        let ids = pending(&test, 2);
        test.as_user(SUPERVISOR);

        let error = test.station.approve_batch(&ids, "not the password").unwrap_err();
        assert!(matches!(error, StationError::WrongCredentials), "{error:?}");
        for id in &ids {
            assert_eq!(test.station.registration(id).unwrap().state, "pending_approval");
        }

        let mut last = error;
        for _ in 0..10 {
            last = test.station.approve_batch(&ids, "not the password").unwrap_err();
            if matches!(last, StationError::AccountLocked { .. }) {
                break;
            }
        }
        assert!(matches!(last, StationError::AccountLocked { .. }), "{last:?}");
        assert!(
            matches!(test.station.registration(&ids[0]), Err(StationError::NotSignedIn)),
            "the lockout signs the session out"
        );
    }

    #[test]
    fn an_officer_cannot_batch_approve_and_a_batch_is_bounded() {
        let test = TestStation::new();
        let ids = pending(&test, 1);
        let error = test.station.approve_batch(&ids, &password(OFFICER)).unwrap_err();
        assert_eq!(error.error_code(), ErrorCode::NotPermitted);

        test.as_user(SUPERVISOR);
        let error = test.station.approve_batch(&[], &password(SUPERVISOR)).unwrap_err();
        assert_eq!(error.error_code(), ErrorCode::ValidationFailed);
        let too_many: Vec<String> = (0..=MAX_BATCH_APPROVAL).map(|n| format!("R{n}")).collect();
        let error = test
            .station
            .approve_batch(&too_many, &password(SUPERVISOR))
            .unwrap_err();
        assert_eq!(error.error_code(), ErrorCode::ValidationFailed);
        assert_eq!(test.station.registration(&ids[0]).unwrap().state, "pending_approval");
    }

    #[test]
    fn a_supervisor_own_registration_in_the_batch_is_refused_alone() {
        let test = TestStation::new();
        let others = pending(&test, 1);
        test.as_user(SUPERVISOR);
        let own = pending_registration(&test.station);

        let report = test
            .station
            .approve_batch(&[own.clone(), others[0].clone()], &password(SUPERVISOR))
            .unwrap();
        assert_eq!(report.approved, [others[0].clone()]);
        assert_eq!(report.refused[0].registration_id, own);
        assert_eq!(report.refused[0].error.code, ErrorCode::NotPermitted);
        assert_eq!(test.station.registration(&own).unwrap().state, "pending_approval");
    }
}
