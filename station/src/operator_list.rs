//! The register's operator list at the station (kind `operators` of `crate::register_config`):
//! who may work here, and in which role. Passwords stay the station's: the list does not make
//! accounts, it says which of the station's accounts may be used.
//!
//! While a list is in force (from the first one the station takes; none before, so a station
//! set up before its register sends lists works as it always did):
//! - signing in, and a supervisor's sign-off, need an operator the list names and does not
//!   suspend (`operator_not_listed`, `operator_suspended`, audited as a refused sign-in);
//! - the listed role is the one in force: a station role that differs is changed to it at
//!   sign-in (`operator_role_from_register`, audited), so a supervisor the register made an
//!   officer cannot approve here;
//! - an admin adds only operators the list names, in the role it gives them.
//!
//! A new list takes effect at once, for the next sign-in; whoever is signed in stays so until
//! they sign out or their session locks.

use enroll_schemas::station_config::{ListedRole, OperatorList};
use enroll_store::{NewAuditEvent, Operator, Role, Vault};

use crate::{RegisterListing, StationError};

fn role_of(listed: ListedRole) -> Role {
    match listed {
        ListedRole::Admin => Role::Admin,
        ListedRole::Supervisor => Role::Supervisor,
        ListedRole::Officer => Role::Officer,
    }
}

/// The operator as the list lets them work: refused when unlisted or suspended; with the
/// listed role (stored, audited) when it differs.
pub(crate) fn apply(
    list: Option<&OperatorList>,
    vault: &mut Vault,
    mut operator: Operator,
    now: &str,
) -> Result<Operator, StationError> {
    let Some(list) = list else {
        return Ok(operator);
    };
    let refusal = match list.find(&operator.username) {
        None => Some((
            "refused: not on the register's operator list",
            StationError::OperatorNotListed {
                username: operator.username.clone(),
            },
        )),
        Some(listed) if !listed.active => Some((
            "refused: suspended by the register",
            StationError::OperatorSuspended {
                username: operator.username.clone(),
            },
        )),
        Some(listed) => {
            let role = role_of(listed.role);
            if role != operator.role {
                vault.set_operator_role_from_register(&operator.username, role, now)?;
                tracing::info!(
                    username = %operator.username,
                    from = operator.role.as_str(),
                    to = role.as_str(),
                    "role set by the register's operator list"
                );
                operator.role = role;
            }
            None
        }
    };
    match refusal {
        None => Ok(operator),
        Some((details, error)) => {
            vault.record_audit(&NewAuditEvent {
                at: now,
                actor: Some(&operator.username),
                action: "sign_in_failed",
                registration_id: None,
                details,
            })?;
            Err(error)
        }
    }
}

/// Where `username` stands on `list`, for the admin's list of operators.
pub(crate) fn listing(list: &OperatorList, username: &str) -> RegisterListing {
    match list.find(username) {
        None => RegisterListing::NotListed,
        Some(listed) if !listed.active => RegisterListing::Suspended,
        Some(_) => RegisterListing::Listed,
    }
}

/// Whether an admin may add `username` with `role`.
pub(crate) fn check_new(list: Option<&OperatorList>, username: &str, role: Role) -> Result<(), StationError> {
    let Some(list) = list else {
        return Ok(());
    };
    match list.find(username) {
        None => Err(StationError::OperatorNotListed {
            username: username.to_owned(),
        }),
        Some(listed) if !listed.active => Err(StationError::OperatorSuspended {
            username: username.to_owned(),
        }),
        Some(listed) if role_of(listed.role) != role => Err(StationError::OperatorRoleNotListed {
            username: username.to_owned(),
            role: listed.role.as_str(),
        }),
        Some(_) => Ok(()),
    }
}
