//! Managing operators after setup: listing, removing, changing passwords. Only admins manage
//! other operators; anyone may change their own password (proving it with the old one).
//!
//! Every change rewraps or erases one keyslot; the data itself is never re-encrypted (see
//! `enroll_store::operators`). Adding an operator stays in `lib.rs`, where it began.
//!
//! Deliberately absent: changing an operator's role (remove and add again, so the change is
//! plain in the audit), and removing oneself or the last admin (the station would be left
//! without anyone able to manage it).

use enroll_store::Role;
use zeroize::Zeroizing;

use crate::{operator_view, rfc3339, setup, OperatorView, Station, StationError};

impl Station {
    /// Every operator who can sign in (admins only).
    pub fn list_operators(&self) -> Result<Vec<OperatorView>, StationError> {
        let (operator, _) = self.signed_in()?;
        require_admin(&operator, "list operators")?;
        Ok(self.vault().operators()?.iter().map(operator_view).collect())
    }

    /// Remove an operator (admins only): their keyslot is erased, so their password no longer
    /// opens anything; their name stays on what they did.
    pub fn remove_operator(&self, username: &str) -> Result<(), StationError> {
        let (operator, _) = self.signed_in()?;
        require_admin(&operator, "remove operators")?;
        let username = username.trim();
        if username == operator.username {
            return Err(StationError::NotPermitted(
                "you cannot remove yourself; ask another admin".into(),
            ));
        }
        let mut vault = self.vault();
        let operators = vault.operators()?;
        let target = operators
            .iter()
            .find(|o| o.username == username)
            .ok_or_else(|| StationError::NotFound(format!("operator {username}")))?;
        if target.role == Role::Admin && operators.iter().filter(|o| o.role == Role::Admin).count() == 1 {
            return Err(StationError::NotPermitted(
                "the last admin cannot be removed; add another admin first".into(),
            ));
        }
        vault.remove_operator(username, &rfc3339((self.clock)()))?;
        tracing::info!(username, by = %operator.username, "operator removed");
        Ok(())
    }

    /// Change one's own password: the old one proves it is you.
    pub fn change_password(&self, old_password: &str, new_password: &str) -> Result<(), StationError> {
        let (operator, data_key) = self.signed_in()?;
        check_password(new_password)?;
        let mut vault = self.vault();
        vault.unlock(&operator.username, old_password)?;
        vault.set_operator_password(&operator.username, new_password, &data_key, &rfc3339((self.clock)()))?;
        tracing::info!(username = %operator.username, "password changed");
        Ok(())
    }

    /// Set another operator's password (admins only), e.g. when they forgot theirs. It also
    /// lifts a lockout.
    pub fn reset_password(&self, username: &str, new_password: &str) -> Result<(), StationError> {
        let (operator, data_key) = self.signed_in()?;
        require_admin(&operator, "reset passwords")?;
        check_password(new_password)?;
        let new_password = Zeroizing::new(new_password.to_string());
        self.vault()
            .set_operator_password(username.trim(), &new_password, &data_key, &rfc3339((self.clock)()))?;
        tracing::info!(username, by = %operator.username, "password reset");
        Ok(())
    }
}

pub(crate) fn require_admin(operator: &enroll_store::Operator, what: &str) -> Result<(), StationError> {
    if operator.role == Role::Admin {
        Ok(())
    } else {
        Err(StationError::NotPermitted(format!("only an admin can {what}")))
    }
}

fn check_password(password: &str) -> Result<(), StationError> {
    // The username and name checks pass trivially: only the password's rules apply here.
    setup::check_operator("x", "x", password)
}
