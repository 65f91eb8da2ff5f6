//! Managing operators after setup: listing, removing, changing passwords. Only admins manage
//! other operators; anyone may change their own password (proving it with the old one).
//!
//! Every change rewraps or erases one keyslot; the data itself is never re-encrypted (see
//! `enroll_store::operators`). Adding an operator stays in `lib.rs`, where it began.
//!
//! Deliberately absent: changing an operator's role (remove and add again, so the change is
//! plain in the audit), removing oneself or the last admin (the station would be left
//! without anyone able to manage it), and an admin resetting their own password without the
//! current one.

use enroll_store::{NewAuditEvent, Role};
use zeroize::Zeroizing;

use crate::{operator_view, rfc3339, setup, OperatorView, PermissionRule, Station, StationError};

impl Station {
    /// Every operator who can sign in (admins only).
    pub fn list_operators(&self) -> Result<Vec<OperatorView>, StationError> {
        let (operator, _) = self.signed_in()?;
        require_admin(&operator, "list operators")?;
        let list = self.operator_list();
        Ok(self
            .vault()
            .operators()?
            .iter()
            .map(|operator| OperatorView {
                register_listing: list
                    .as_ref()
                    .map(|list| crate::operator_list::listing(list, &operator.username)),
                ..operator_view(operator)
            })
            .collect())
    }

    /// Remove an operator (admins only): their keyslot is erased, so their password no longer
    /// opens anything; their name stays on what they did.
    pub fn remove_operator(&self, username: &str) -> Result<(), StationError> {
        let (operator, _) = self.signed_in()?;
        require_admin(&operator, "remove operators")?;
        let username = username.trim();
        if username == operator.username {
            return Err(StationError::not_permitted(
                PermissionRule::RemoveSelf,
                "remove themselves",
            ));
        }
        // The station always keeps an admin: the caller is one, and cannot remove themselves.
        let mut vault = self.vault();
        if !vault.operators()?.iter().any(|o| o.username == username) {
            return Err(StationError::NotFound(format!("operator {username}")));
        }
        vault.remove_operator(username, &rfc3339((self.clock)()))?;
        tracing::info!(username, by = %operator.username, "operator removed");
        Ok(())
    }

    /// Change one's own password: the old one proves it is you. Field errors name
    /// `old_password` (`wrong_password`, audited as a failed attempt) and `new_password`
    /// (`too_short`, `same_as_old`).
    pub fn change_password(&self, old_password: &str, new_password: &str) -> Result<(), StationError> {
        let (operator, data_key) = self.signed_in()?;
        check_password(new_password)?;
        if new_password == old_password {
            return Err(field_error(
                "new_password",
                "same_as_old",
                "choose a new password that differs from the current one",
            ));
        }
        let now = rfc3339((self.clock)());
        let mut vault = self.vault();
        match vault.unlock(&operator.username, old_password) {
            Ok(_) => {}
            Err(enroll_store::StoreError::WrongCredentials) => {
                vault.record_audit(&NewAuditEvent {
                    at: &now,
                    actor: Some(&operator.username),
                    action: "password_change_failed",
                    registration_id: None,
                    details: "wrong current password",
                })?;
                return Err(field_error(
                    "old_password",
                    "wrong_password",
                    "this is not your current password; type the one you signed in with",
                ));
            }
            Err(other) => return Err(other.into()),
        }
        vault.set_operator_password(&operator.username, new_password, &data_key, &now)?;
        tracing::info!(username = %operator.username, "password changed");
        Ok(())
    }

    /// Set another operator's password (admins only), e.g. when they forgot theirs. It also
    /// lifts a lockout. Not one's own: that takes the current password ([`Station::change_password`]),
    /// so an unattended session cannot be used to take over its operator's account.
    pub fn reset_password(&self, username: &str, new_password: &str) -> Result<(), StationError> {
        let (operator, data_key) = self.signed_in()?;
        require_admin(&operator, "reset passwords")?;
        let username = username.trim();
        if username == operator.username {
            return Err(StationError::not_permitted(
                PermissionRule::ResetOwnPassword,
                "reset their own password",
            ));
        }
        check_password(new_password)?;
        let new_password = Zeroizing::new(new_password.to_string());
        self.vault()
            .set_operator_password(username, &new_password, &data_key, &rfc3339((self.clock)()))?;
        tracing::info!(username, by = %operator.username, "password reset");
        Ok(())
    }
}

pub(crate) fn require_admin(operator: &enroll_store::Operator, what: &str) -> Result<(), StationError> {
    if operator.role == Role::Admin {
        Ok(())
    } else {
        Err(StationError::not_permitted(PermissionRule::AdminOnly, what))
    }
}

/// A supervisor or an admin (rule `supervisor_only`): the dashboard, the quality thresholds.
pub(crate) fn require_supervisor(operator: &enroll_store::Operator, what: &str) -> Result<(), StationError> {
    if operator.role == Role::Officer {
        Err(StationError::not_permitted(PermissionRule::SupervisorOnly, what))
    } else {
        Ok(())
    }
}

/// The rules of a new password, reported on the field `new_password`.
fn check_password(password: &str) -> Result<(), StationError> {
    // The username and name checks pass trivially: only the password's rules apply here.
    setup::check_operator("x", "x", password).map_err(|error| match error {
        StationError::ValidationFailed(problems) => StationError::ValidationFailed(
            problems
                .into_iter()
                .map(|mut problem| {
                    problem.field = "new_password".into();
                    problem
                })
                .collect(),
        ),
        other => other,
    })
}

fn field_error(field: &str, code: &str, message: &str) -> StationError {
    StationError::ValidationFailed(vec![crate::FieldError {
        field: field.into(),
        language: None,
        code: code.into(),
        message: message.into(),
    }])
}

#[cfg(test)]
mod tests {
    use crate::test_support::{password, TestStation, ADMIN, OFFICER, SUPERVISOR};
    use crate::{PermissionRule, StationError};

    fn fields(error: StationError) -> Vec<(String, String)> {
        match error {
            StationError::ValidationFailed(fields) => fields.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("expected field errors, got {} ({other})", other.code()),
        }
    }

    fn field(name: &str, code: &str) -> Vec<(String, String)> {
        vec![(name.to_string(), code.to_string())]
    }

    #[test]
    fn changing_ones_password_names_the_field_that_is_wrong() {
        let test = TestStation::new();
        let station = &test.station;
        test.as_user(OFFICER);
        let old = password(OFFICER);
        assert_eq!(
            fields(station.change_password(&old, "short").unwrap_err()),
            field("new_password", "too_short")
        );
        assert_eq!(
            fields(station.change_password(&old, &old).unwrap_err()),
            field("new_password", "same_as_old")
        );
        assert_eq!(
            fields(
                station
                    .change_password("not my password", "a new password")
                    .unwrap_err()
            ),
            field("old_password", "wrong_password")
        );
        let failed = station
            .vault()
            .audit_events()
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "password_change_failed")
            .count();
        assert_eq!(failed, 1, "the wrong current password is audited");

        station.change_password(&old, "a new password").unwrap();
        station.log_out();
        assert_eq!(station.log_in(OFFICER, &old).unwrap_err().code(), "wrong_credentials");
        station.log_in(OFFICER, "a new password").unwrap();
    }

    #[test]
    fn an_admin_lists_resets_and_removes_others_but_not_themselves() {
        let test = TestStation::new();
        let station = &test.station;
        test.as_user(ADMIN);
        let listed: Vec<(String, String)> = station
            .list_operators()
            .unwrap()
            .into_iter()
            .map(|o| (o.username, o.role.as_str().to_string()))
            .collect();
        assert_eq!(
            listed,
            [
                (ADMIN.to_string(), "admin".to_string()),
                (OFFICER.to_string(), "officer".to_string()),
                (SUPERVISOR.to_string(), "supervisor".to_string())
            ]
        );

        let own = station.reset_password(ADMIN, "a new password").unwrap_err();
        assert_eq!(own.code(), "not_permitted");
        assert!(
            matches!(
                own,
                StationError::NotPermitted {
                    rule: PermissionRule::ResetOwnPassword,
                    ..
                }
            ),
            "{own}"
        );
        assert_eq!(
            fields(station.reset_password(OFFICER, "short").unwrap_err()),
            field("new_password", "too_short")
        );
        assert_eq!(
            station.reset_password("nobody", "long enough").unwrap_err().code(),
            "not_found"
        );
        station.reset_password(OFFICER, "reset by the admin").unwrap();
        assert_eq!(station.remove_operator(ADMIN).unwrap_err().code(), "not_permitted");
        station.remove_operator(SUPERVISOR).unwrap();
        assert_eq!(station.remove_operator(SUPERVISOR).unwrap_err().code(), "not_found");

        station.log_out();
        station.log_in(OFFICER, "reset by the admin").unwrap();
        assert_eq!(station.list_operators().unwrap_err().code(), "not_permitted");
        station.log_out();
        assert_eq!(
            station.log_in(SUPERVISOR, &password(SUPERVISOR)).unwrap_err().code(),
            "wrong_credentials"
        );
    }
}
