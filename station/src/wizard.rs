//! The registration wizard's two station-side rules: where a draft was left, so that it reopens
//! on that step, and the officer's sign-off that finalizes it.
//!
//! - The step is kept in the draft itself (encrypted with it), not in the window: a clerk who
//!   signs out, or a station that loses power, reopens the draft where the work stood.
//! - Finalizing from the window needs the officer's own password again
//!   ([`Station::finalize_signed_off`]): the officer attests, as on MOSIP's client, that they
//!   took the resident's data down themselves, and a station left signed in does not let a
//!   passer-by send a packet on. The password is checked with the sign-in's rules
//!   (`check_credentials`): a wrong one counts towards the lockout, and a lockout signs the
//!   session out.

use enroll_store::NewAuditEvent;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::content::Draft;
use crate::{check_may_edit_draft, rfc3339, RegistrationView, Station, StationError};

/// The wizard's steps after the consent (which is asked first, once, and is not a place to
/// stop). The sign-off and the slip are moments, not steps a draft can be left at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum WizardStep {
    Demographics,
    Documents,
    Biometrics,
    Review,
}

impl Station {
    /// Remember that the draft `registration_id` is at `step`. Who may edit the draft may move
    /// it: its maker, a supervisor, an admin.
    pub fn set_wizard_step(&self, registration_id: &str, step: WizardStep) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let now = rfc3339((self.clock)());
        {
            let mut vault = self.vault();
            let row = vault.registration(registration_id)?;
            check_may_edit_draft(&operator, &row, "work on")?;
            let current = self.current_draft(&vault, registration_id, &data_key)?;
            if current.wizard_step != Some(step) {
                let mut draft = Draft::clone(&current);
                draft.wizard_step = Some(step);
                self.write_draft(&mut vault, registration_id, draft, &data_key, &now)?;
            }
        }
        self.registration(registration_id)
    }

    /// Finalize `registration_id` after checking the signed-in officer's own `password` (see
    /// the module's notes). A wrong password finalizes nothing.
    pub fn finalize_signed_off(&self, registration_id: &str, password: &str) -> Result<RegistrationView, StationError> {
        let (operator, _) = self.signed_in()?;
        let now = (self.clock)();
        self.confirm_own_password(&operator.username, password, now)?;
        self.finalize_as_signed_off(registration_id, &operator.username, now, "password")
    }

    /// Finalize `registration_id` once `username`'s sign-off was checked (`how`: `password` or
    /// `fingerprint`), audited `officer_signed_off`.
    pub(crate) fn finalize_as_signed_off(
        &self,
        registration_id: &str,
        username: &str,
        now: time::OffsetDateTime,
        how: &str,
    ) -> Result<RegistrationView, StationError> {
        let view = self.finalize(registration_id)?;
        self.vault().record_audit(&NewAuditEvent {
            at: &rfc3339(now),
            actor: Some(username),
            action: "officer_signed_off",
            registration_id: Some(registration_id),
            details: how,
        })?;
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::WizardStep;
    use crate::test_support::{complete_draft, password, TestStation, ADMIN, OFFICER, SUPERVISOR};
    use crate::{NewOperatorRequest, RoleName, StationError};

    #[test]
    fn a_draft_reopens_on_the_step_it_was_left_at_and_only_its_editors_move_it() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let rid = test.station.new_registration().unwrap().registration_id;
        assert_eq!(test.station.registration(&rid).unwrap().wizard_step, None);
        test.station.set_wizard_step(&rid, WizardStep::Biometrics).unwrap();

        // The app restarts: the step comes back from the vault, for a supervisor too.
        let test = test.reopen();
        test.as_user(SUPERVISOR);
        assert_eq!(
            test.station.registration(&rid).unwrap().wizard_step,
            Some(WizardStep::Biometrics)
        );
        test.station.set_wizard_step(&rid, WizardStep::Review).unwrap();

        // Another officer may not move someone else's draft.
        test.as_user(ADMIN);
        test.station
            .add_operator(NewOperatorRequest {
                username: "nadia".into(),
                full_name: "Nadia".into(),
                role: RoleName::Officer,
                password: password("nadia"),
            })
            .unwrap();
        test.as_user("nadia");
        assert_eq!(
            test.station
                .set_wizard_step(&rid, WizardStep::Documents)
                .unwrap_err()
                .code(),
            "not_permitted"
        );
        test.as_user(OFFICER);
        assert_eq!(
            test.station.registration(&rid).unwrap().wizard_step,
            Some(WizardStep::Review)
        );
    }

    #[test]
    fn the_officers_password_finalizes_and_a_wrong_one_finalizes_nothing() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let rid = complete_draft(&test.station);
        test.station.record_consent(&rid, true).unwrap();

        let wrong = test.station.finalize_signed_off(&rid, "not the password").unwrap_err();
        assert!(matches!(wrong, StationError::WrongCredentials), "{wrong:?}");
        assert_eq!(test.station.registration(&rid).unwrap().state, "draft");

        let view = test.station.finalize_signed_off(&rid, &password(OFFICER)).unwrap();
        assert_eq!(view.state, "pending_approval");
        let actions: Vec<String> = test
            .station
            .vault()
            .audit_events_of(&rid)
            .unwrap()
            .into_iter()
            .map(|event| event.action)
            .collect();
        assert!(actions.iter().any(|a| a == "officer_signed_off"), "{actions:?}");
    }

    #[test]
    fn guessing_the_officers_password_locks_the_account_and_signs_the_session_out() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let rid = complete_draft(&test.station);
        test.station.record_consent(&rid, true).unwrap();
        let mut last = None;
        for _ in 0..10 {
            match test.station.finalize_signed_off(&rid, "guess") {
                Err(error @ StationError::AccountLocked { .. }) => {
                    last = Some(error);
                    break;
                }
                Err(StationError::WrongCredentials) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(last.is_some(), "the lockout came");
        assert_eq!(
            test.station.registration(&rid).unwrap_err().code(),
            "not_signed_in",
            "the session is signed out"
        );
    }
}
