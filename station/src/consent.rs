//! The resident's consent, asked before anything is taken down when the form carries a consent
//! text (`FormSpec::consent`, from the country's UI spec).
//!
//! - Agreeing records who took it down, when, and the words agreed to in the draft; finalize
//!   refuses a draft without it, and the packet's `meta.json` carries it to the register.
//! - Refusing ends the registration at once: the draft's content is erased and the audit says
//!   the resident refused, in one transaction. The id stays, as a discarded draft's does, so
//!   the day's numbers still add up.
//! - The same people who may discard a draft record its consent: its maker, a supervisor, an
//!   admin.

use enroll_packet::ConsentRecord;
use enroll_store::NewAuditEvent;

use crate::content::Draft;
use crate::{check_may_edit_draft, rfc3339, FieldError, RegistrationView, Station, StationError};

impl Station {
    /// Record the resident's answer to the form's consent text for the draft `registration_id`.
    pub fn record_consent(&self, registration_id: &str, agreed: bool) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let Some(consent) = self.form.spec().consent.clone() else {
            return Err(StationError::ValidationFailed(vec![FieldError {
                field: "consent".into(),
                language: None,
                code: "not_asked".into(),
                message: "this station's form asks for no consent".into(),
            }]));
        };
        let now = rfc3339((self.clock)());
        {
            let mut vault = self.vault();
            let row = vault.registration(registration_id)?;
            check_may_edit_draft(&operator, &row, "record the consent of")?;
            if !agreed {
                vault.refuse_consent(registration_id, &now)?;
                tracing::info!(registration_id, by = %operator.username, "consent refused: registration ended");
                drop(vault);
                return self.registration(registration_id);
            }
            let mut draft = Draft::clone(&*self.current_draft(&vault, registration_id, &data_key)?);
            if draft.consent.is_none() {
                draft.consent = Some(ConsentRecord {
                    given_at: now.clone(),
                    recorded_by: operator.username.clone(),
                    text: consent.text,
                });
                self.write_draft(&mut vault, registration_id, draft, &data_key, &now)?;
                vault.record_audit(&NewAuditEvent {
                    at: &now,
                    actor: Some(&operator.username),
                    action: "consent_given",
                    registration_id: Some(registration_id),
                    details: "",
                })?;
            }
        }
        self.registration(registration_id)
    }
}

/// Finalize's check: a form that asks for consent needs it recorded.
pub(crate) fn consent_problem(asked: bool, draft: &Draft) -> Option<FieldError> {
    (asked && draft.consent.is_none()).then(|| FieldError {
        field: "consent".into(),
        language: None,
        code: "required".into(),
        message: "the resident's consent is not recorded".into(),
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::{complete_draft, TestStation, OFFICER, SUPERVISOR};
    use crate::StationError;

    fn field_codes(error: StationError) -> Vec<(String, String)> {
        let StationError::ValidationFailed(fields) = error else {
            panic!("not a validation failure: {error:?}")
        };
        fields.into_iter().map(|f| (f.field, f.code)).collect()
    }

    #[test]
    fn finalize_needs_the_consent_and_the_packet_carries_its_words_and_who_took_it() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let rid = complete_draft(&test.station);
        assert_eq!(test.station.registration(&rid).unwrap().consent_given_at, None);
        assert_eq!(
            field_codes(test.station.finalize(&rid).unwrap_err()),
            [("consent".to_string(), "required".to_string())]
        );

        let view = test.station.record_consent(&rid, true).unwrap();
        let given_at = view.consent_given_at.expect("the view says when");
        // Agreeing twice records it once.
        test.station.record_consent(&rid, true).unwrap();
        let pending = test.station.finalize(&rid).unwrap();
        assert_eq!(pending.consent_given_at.as_deref(), Some(given_at.as_str()));

        let (_, data_key) = test.station.signed_in().unwrap();
        let container = crate::content::read_pending(&test.station.vault(), &rid, &data_key).unwrap();
        let (contents, _) = enroll_packet::PacketContents::from_bytes(&container).unwrap();
        let consent = contents.meta.consent.expect("the packet carries the consent");
        assert_eq!(consent.recorded_by, OFFICER);
        assert_eq!(consent.given_at, given_at);
        assert_eq!(
            consent.text,
            test.station.form().consent.unwrap().text,
            "the words the form showed"
        );
        assert!(consent.text["ar"].contains("هل توافق"));
        let given = test.station.vault().audit_events_of(&rid).unwrap();
        assert_eq!(given.iter().filter(|e| e.action == "consent_given").count(), 1);
    }

    #[test]
    fn a_refusal_ends_the_registration_erases_what_was_typed_and_is_audited() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let rid = complete_draft(&test.station);

        let ended = test.station.record_consent(&rid, false).unwrap();
        assert_eq!(ended.state, "purged");
        assert!(ended.identity.is_none(), "nothing of the resident stays readable");
        let events = test.station.vault().audit_events_of(&rid).unwrap();
        let refused = events.iter().find(|e| e.action == "consent_refused").expect("audited");
        assert_eq!(refused.actor, OFFICER);
        assert!(refused.details.contains("refused consent"), "{}", refused.details);
        // The registration is over: nothing more can be done with it.
        assert_eq!(
            test.station.record_consent(&rid, true).unwrap_err().code(),
            "invalid_state"
        );
        assert_eq!(test.station.finalize(&rid).unwrap_err().code(), "invalid_state");
    }

    #[test]
    fn an_officer_cannot_record_consent_on_someone_elses_draft_but_a_supervisor_can() {
        let test = TestStation::new();
        test.as_user(SUPERVISOR);
        let rid = complete_draft(&test.station);
        test.as_user(OFFICER);
        assert_eq!(
            test.station.record_consent(&rid, false).unwrap_err().code(),
            "not_permitted"
        );
        assert_eq!(test.station.registration(&rid).unwrap().state, "draft");

        test.as_user(OFFICER);
        let own = complete_draft(&test.station);
        test.as_user(SUPERVISOR);
        assert!(test
            .station
            .record_consent(&own, true)
            .unwrap()
            .consent_given_at
            .is_some());
    }
}
