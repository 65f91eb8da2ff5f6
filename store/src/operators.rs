//! Operators and their keyslots. Each operator holds the station data key wrapped under a key
//! derived from their password (Argon2id). Signing in is unwrapping: there is no separate
//! password hash to attack, and a wrong password cannot yield the key.

use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rusqlite::{params, OptionalExtension, Transaction};
use zeroize::Zeroizing;

use crate::audit::{self, NewAuditEvent};
use crate::crypto::{open_with, seal_with};
use crate::{DataKey, StoreError, Vault};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Supervisor,
    Officer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Officer => "officer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "supervisor" => Some(Role::Supervisor),
            "officer" => Some(Role::Officer),
            _ => None,
        }
    }
}

/// An operator to add.
pub struct NewOperator {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub password: Zeroizing<String>,
}

/// A signed-in operator as the vault knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub username: String,
    pub full_name: String,
    pub role: Role,
}

/// Argon2id parameters stored with each keyslot so they can be raised later without breaking
/// old slots. 19 MiB, 2 passes, 1 lane: OWASP's baseline, about 50 ms on a cheap laptop.
const KDF_MEMORY_KIB: u32 = 19 * 1024;
const KDF_PASSES: u32 = 2;
const KDF_LANES: u32 = 1;

/// The parameters new keyslots are made with, as stored beside each slot.
fn current_kdf_params() -> String {
    format!("{KDF_MEMORY_KIB},{KDF_PASSES},{KDF_LANES}")
}

/// A fresh keyslot: a random salt, the parameters, and the data key wrapped under the key that
/// `password` derives to.
struct Keyslot {
    salt: [u8; 16],
    params: String,
    wrapped: Vec<u8>,
}

impl Keyslot {
    fn new(username: &str, password: &str, data_key: &DataKey) -> Result<Keyslot, StoreError> {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let params = current_kdf_params();
        let wrapping_key = derive_wrapping_key(password, &salt, &params)?;
        let wrapped = seal_with(&wrapping_key, data_key.as_bytes(), &keyslot_aad(username));
        Ok(Keyslot { salt, params, wrapped })
    }
}

fn keyslot_aad(username: &str) -> String {
    format!("operators/{username}/data_key")
}

fn derive_wrapping_key(password: &str, salt: &[u8], params_text: &str) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let numbers: Vec<u32> = params_text.split(',').filter_map(|n| n.parse().ok()).collect();
    let [memory, passes, lanes] = numbers[..] else {
        return Err(StoreError::Corrupt(format!("keyslot parameters {params_text:?}")));
    };
    let params = Params::new(memory, passes, lanes, Some(32))
        .map_err(|e| StoreError::Corrupt(format!("keyslot parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, key.as_mut())
        .map_err(|e| StoreError::Corrupt(format!("key derivation: {e}")))?;
    Ok(key)
}

pub(crate) fn insert_operator(
    transaction: &Transaction<'_>,
    operator: &NewOperator,
    data_key: &DataKey,
    now: &str,
) -> Result<(), StoreError> {
    let exists: bool = transaction.query_row(
        "SELECT EXISTS (SELECT 1 FROM operators WHERE username = ?1)",
        [&operator.username],
        |r| r.get(0),
    )?;
    if exists {
        return Err(StoreError::OperatorExists(operator.username.clone()));
    }
    let slot = Keyslot::new(&operator.username, &operator.password, data_key)?;
    transaction.execute(
        "INSERT INTO operators (username, full_name, role, kdf_salt, kdf_params, wrapped_data_key, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            operator.username,
            operator.full_name,
            operator.role.as_str(),
            slot.salt.as_slice(),
            slot.params,
            slot.wrapped,
            now
        ],
    )?;
    Ok(())
}

impl Vault {
    /// The interface language this operator chose, if any (a removed operator has none).
    pub fn operator_ui_language(&self, username: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row(
                "SELECT ui_language FROM operators WHERE username = ?1 AND removed_at IS NULL",
                [username],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Keep this operator's interface language (`None`: forget it). A preference, not a
    /// matter of security: not audited. The caller has checked the code.
    pub fn set_operator_ui_language(&mut self, username: &str, language: Option<&str>) -> Result<(), StoreError> {
        let changed = self.connection.execute(
            "UPDATE operators SET ui_language = ?2 WHERE username = ?1 AND removed_at IS NULL",
            rusqlite::params![username, language],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("operator {username}")));
        }
        Ok(())
    }

    /// Check the password by unwrapping the operator's keyslot. An unknown user and a wrong
    /// password give the same error, after the same kind of work.
    pub fn unlock(&self, username: &str, password: &str) -> Result<(Operator, DataKey), StoreError> {
        let row = self
            .connection
            .query_row(
                "SELECT full_name, role, kdf_salt, kdf_params, wrapped_data_key FROM operators
                 WHERE username = ?1 AND removed_at IS NULL",
                [username],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((full_name, role, salt, params, wrapped)) = row else {
            // Spend the same effort as a real attempt so timing does not reveal usernames.
            let _ = derive_wrapping_key(password, &[0u8; 16], &current_kdf_params());
            return Err(StoreError::WrongCredentials);
        };
        let wrapping_key = derive_wrapping_key(password, &salt, &params)?;
        let key_bytes = Zeroizing::new(
            open_with(&wrapping_key, &wrapped, &keyslot_aad(username)).ok_or(StoreError::WrongCredentials)?,
        );
        let key_bytes: [u8; 32] = key_bytes[..]
            .try_into()
            .map_err(|_| StoreError::Corrupt("keyslot holds a key of the wrong length".into()))?;
        let role =
            Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("operator {username} has role {role:?}")))?;
        Ok((
            Operator {
                username: username.to_string(),
                full_name,
                role,
            },
            DataKey::from_bytes(key_bytes),
        ))
    }

    /// Add an operator; the caller proves it may by holding the data key.
    pub fn add_operator(&mut self, operator: &NewOperator, data_key: &DataKey, now: &str) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        insert_operator(&transaction, operator, data_key, now)?;
        let details = format!("{} as {}", operator.username, operator.role.as_str());
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: None,
                action: "operator_added",
                registration_id: None,
                details: &details,
            },
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// Remove an operator: their keyslot is erased (the data key is not re-encrypted; the
    /// other keyslots still wrap it), their row stays so that their name still explains the
    /// registrations and audit events that carry it, and the username cannot be reused.
    pub fn remove_operator(&mut self, username: &str, now: &str) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        let changed = transaction.execute(
            "UPDATE operators SET kdf_salt = X'', wrapped_data_key = X'', removed_at = ?2,
                 failed_logins = 0, locked_until = NULL
             WHERE username = ?1 AND removed_at IS NULL",
            params![username, now],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("operator {username}")));
        }
        // Their fingers go with their keyslot: a departed operator's biometrics are not kept.
        transaction.execute("DELETE FROM operator_fingerprints WHERE username = ?1", [username])?;
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: None,
                action: "operator_removed",
                registration_id: None,
                details: username,
            },
        )?;
        transaction.commit()?;
        self.forget_old_keyslots()?;
        Ok(())
    }

    /// Give an operator the role the register's operator list gives them (audited with both
    /// roles). The keyslot is untouched: a role is what the station lets them do, not a key.
    pub fn set_operator_role_from_register(&mut self, username: &str, role: Role, now: &str) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        let old: String = transaction
            .query_row(
                "SELECT role FROM operators WHERE username = ?1 AND removed_at IS NULL",
                [username],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("operator {username}")))?;
        if old == role.as_str() {
            return Ok(());
        }
        transaction.execute(
            "UPDATE operators SET role = ?2 WHERE username = ?1",
            params![username, role.as_str()],
        )?;
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: None,
                action: "operator_role_from_register",
                registration_id: None,
                details: &format!("{username}: {old} → {}", role.as_str()),
            },
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// Give an operator a new password: a new salt and a new keyslot wrapping the same data key
    /// (the caller proves it may by holding it). Nothing else is re-encrypted.
    pub fn set_operator_password(
        &mut self,
        username: &str,
        new_password: &str,
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        let slot = Keyslot::new(username, new_password, data_key)?;
        let transaction = self.connection.transaction()?;
        let changed = transaction.execute(
            "UPDATE operators SET kdf_salt = ?2, kdf_params = ?3, wrapped_data_key = ?4,
                 failed_logins = 0, lockouts = 0, locked_until = NULL
             WHERE username = ?1 AND removed_at IS NULL",
            params![username, slot.salt.as_slice(), slot.params, slot.wrapped],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("operator {username}")));
        }
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: None,
                action: "operator_password_changed",
                registration_id: None,
                details: username,
            },
        )?;
        transaction.commit()?;
        self.forget_old_keyslots()?;
        Ok(())
    }

    /// A replaced or erased keyslot must not survive in the WAL, where the old password (or
    /// the removed operator's) would still unwrap it: fold the WAL back into the database,
    /// whose freed pages `secure_delete` has zeroed.
    fn forget_old_keyslots(&mut self) -> Result<(), StoreError> {
        self.connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The operators who can still sign in, by username.
    pub fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let mut statement = self
            .connection
            .prepare("SELECT username, full_name, role FROM operators WHERE removed_at IS NULL ORDER BY username")?;
        let rows = statement.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        rows.map(|row| {
            let (username, full_name, role) = row?;
            let role = Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("operator {username} has role {role:?}")))?;
            Ok(Operator {
                username,
                full_name,
                role,
            })
        })
        .collect()
    }

    /// The sign-in counters of an operator who can still sign in; `None` for anyone else.
    pub fn login_state(&self, username: &str) -> Result<Option<LoginState>, StoreError> {
        Ok(self
            .connection
            .query_row(
                "SELECT failed_logins, lockouts, locked_until FROM operators WHERE username = ?1 AND removed_at IS NULL",
                [username],
                |r| {
                    Ok(LoginState {
                        failed_logins: r.get::<_, i64>(0)? as u32,
                        lockouts: r.get::<_, i64>(1)? as u32,
                        locked_until: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Count a failed sign-in of a known operator; with `lock_until`, lock them out until then
    /// (the counter restarts and the number of lockouts grows). Audited in the same transaction.
    pub fn record_login_failure(
        &mut self,
        username: &str,
        lock_until: Option<&str>,
        now: &str,
    ) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        match lock_until {
            None => transaction.execute(
                "UPDATE operators SET failed_logins = failed_logins + 1 WHERE username = ?1",
                [username],
            )?,
            Some(until) => transaction.execute(
                "UPDATE operators SET failed_logins = 0, lockouts = lockouts + 1, locked_until = ?2 WHERE username = ?1",
                params![username, until],
            )?,
        };
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: Some(username),
                action: "sign_in_failed",
                registration_id: None,
                details: "wrong password",
            },
        )?;
        if let Some(until) = lock_until {
            let details = format!("locked out until {until}");
            audit::append(
                &transaction,
                self.audit_session.as_ref(),
                &NewAuditEvent {
                    at: now,
                    actor: Some(username),
                    action: "operator_locked_out",
                    registration_id: None,
                    details: &details,
                },
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// A successful sign-in clears the counters. Audited (and signed, when the caller opened
    /// the audit session first) in the same transaction.
    pub fn record_login_success(&mut self, username: &str, now: &str) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "UPDATE operators SET failed_logins = 0, lockouts = 0, locked_until = NULL WHERE username = ?1",
            [username],
        )?;
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: Some(username),
                action: "signed_in",
                registration_id: None,
                details: "",
            },
        )?;
        transaction.commit()?;
        Ok(())
    }
}

/// An operator's sign-in counters, kept in the vault so that a restart does not reset them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginState {
    /// Wrong passwords in a row since the last success or lockout.
    pub failed_logins: u32,
    /// Lockouts in a row since the last success (each one lasts longer).
    pub lockouts: u32,
    /// RFC 3339, while locked out.
    pub locked_until: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{create_station as station, ADMIN_PASSWORD, SIGNING_SEED};

    #[test]
    fn signing_in_unwraps_the_same_data_key_for_every_operator() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = Vault::open(&dir.path().join("v.sqlite")).unwrap();
        let data_key = DataKey::generate();
        station(&mut vault, &data_key);
        let officer = NewOperator {
            username: "omar".into(),
            full_name: "Omar".into(),
            role: Role::Officer,
            password: Zeroizing::new("another secret".into()),
        };
        vault.add_operator(&officer, &data_key, "2026-11-25T10:00:00Z").unwrap();

        let (admin, admin_key) = vault.unlock("admin", ADMIN_PASSWORD).unwrap();
        assert_eq!(admin.role, Role::Admin);
        let (omar, omar_key) = vault.unlock("omar", "another secret").unwrap();
        assert_eq!(omar.role, Role::Officer);
        assert_eq!(admin_key.as_bytes(), data_key.as_bytes());
        assert_eq!(omar_key.as_bytes(), data_key.as_bytes());
        assert_eq!(vault.station_signing_seed(&omar_key).unwrap(), SIGNING_SEED);
    }

    #[test]
    fn wrong_password_and_unknown_user_look_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = Vault::open(&dir.path().join("v.sqlite")).unwrap();
        station(&mut vault, &DataKey::generate());
        assert_eq!(vault.unlock("admin", "wrong").unwrap_err().code(), "wrong_credentials");
        assert_eq!(
            vault.unlock("nobody", ADMIN_PASSWORD).unwrap_err().code(),
            "wrong_credentials"
        );
    }

    #[test]
    fn the_station_is_created_once_and_operators_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = Vault::open(&dir.path().join("v.sqlite")).unwrap();
        let data_key = DataKey::generate();
        station(&mut vault, &data_key);
        let record = vault.station().unwrap().unwrap();
        let admin = NewOperator {
            username: "x".into(),
            full_name: "X".into(),
            role: Role::Admin,
            password: Zeroizing::new("p".into()),
        };
        assert_eq!(
            vault
                .create_station(&record, &[1; 32], &admin, &data_key)
                .unwrap_err()
                .code(),
            "already_set_up"
        );
        let again = NewOperator {
            username: "admin".into(),
            full_name: "A".into(),
            role: Role::Officer,
            password: Zeroizing::new("p".into()),
        };
        assert_eq!(
            vault.add_operator(&again, &data_key, "now").unwrap_err().code(),
            "operator_exists"
        );
        assert_eq!(vault.take_registration_sequence().unwrap(), 1);
        assert_eq!(vault.take_registration_sequence().unwrap(), 2);
    }

    fn content_bytes(vault: &Vault, registration_id: &str) -> Vec<u8> {
        vault
            .connection
            .query_row(
                "SELECT content_sealed FROM registrations WHERE registration_id = ?1",
                [registration_id],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn removing_an_operator_and_changing_a_password_rewrap_without_touching_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.sqlite");
        let mut vault = Vault::open(&path).unwrap();
        let data_key = DataKey::generate();
        station(&mut vault, &data_key);
        for (username, role) in [("omar", Role::Officer), ("sara", Role::Supervisor)] {
            let operator = NewOperator {
                username: username.into(),
                full_name: username.into(),
                role,
                password: Zeroizing::new(format!("{username} password")),
            };
            vault.add_operator(&operator, &data_key, "t1").unwrap();
        }
        vault
            .insert_draft("R1", "omar", b"resident data", &data_key, "t2")
            .unwrap();
        let before = content_bytes(&vault, "R1");
        let old_slots: Vec<Vec<u8>> = ["omar", "sara"]
            .iter()
            .map(|u| {
                vault
                    .connection
                    .query_row("SELECT wrapped_data_key FROM operators WHERE username = ?1", [u], |r| {
                        r.get(0)
                    })
                    .unwrap()
            })
            .collect();

        vault.remove_operator("omar", "t3").unwrap();
        vault
            .set_operator_password("sara", "sara's new password", &data_key, "t4")
            .unwrap();
        drop(vault);
        let mut vault = Vault::open(&path).unwrap();

        assert_eq!(content_bytes(&vault, "R1"), before, "the data was not re-encrypted");
        assert_eq!(
            vault.unlock("omar", "omar password").unwrap_err().code(),
            "wrong_credentials",
            "a removed operator can no longer sign in"
        );
        assert_eq!(
            vault.unlock("sara", "sara password").unwrap_err().code(),
            "wrong_credentials",
            "the old password no longer works"
        );
        let (_, sara_key) = vault.unlock("sara", "sara's new password").unwrap();
        let (_, admin_key) = vault.unlock("admin", ADMIN_PASSWORD).unwrap();
        assert_eq!(vault.registration_content("R1", &sara_key).unwrap(), b"resident data");
        assert_eq!(vault.registration_content("R1", &admin_key).unwrap(), b"resident data");
        let usernames: Vec<String> = vault.operators().unwrap().into_iter().map(|o| o.username).collect();
        assert_eq!(usernames, ["admin", "sara"]);
        assert_eq!(vault.login_state("omar").unwrap(), None);

        // A removed username is not handed out again: its registrations still name them.
        let again = NewOperator {
            username: "omar".into(),
            full_name: "Another Omar".into(),
            role: Role::Officer,
            password: Zeroizing::new("omar password".into()),
        };
        assert_eq!(
            vault.add_operator(&again, &admin_key, "t5").unwrap_err().code(),
            "operator_exists"
        );
        assert_eq!(vault.remove_operator("omar", "t6").unwrap_err().code(), "not_found");

        // The old keyslots are gone from every file, not just from the table: no copy of the
        // old wrapped key survives in the WAL or in free pages.
        drop(vault);
        let all: Vec<u8> = std::fs::read_dir(dir.path())
            .unwrap()
            .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        for slot in &old_slots {
            assert!(
                !all.windows(slot.len()).any(|w| w == slot.as_slice()),
                "an old keyslot survived on disk"
            );
        }
    }

    #[test]
    fn sign_in_counters_persist_and_reset_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.sqlite");
        let mut vault = Vault::open(&path).unwrap();
        station(&mut vault, &DataKey::generate());
        vault.record_login_failure("admin", None, "t1").unwrap();
        vault.record_login_failure("admin", None, "t2").unwrap();
        drop(vault);
        let mut vault = Vault::open(&path).unwrap();
        assert_eq!(
            vault.login_state("admin").unwrap(),
            Some(LoginState {
                failed_logins: 2,
                lockouts: 0,
                locked_until: None
            })
        );
        vault.record_login_failure("admin", Some("t9"), "t3").unwrap();
        assert_eq!(
            vault.login_state("admin").unwrap(),
            Some(LoginState {
                failed_logins: 0,
                lockouts: 1,
                locked_until: Some("t9".into())
            })
        );
        vault.record_login_success("admin", "t10").unwrap();
        assert_eq!(
            vault.login_state("admin").unwrap(),
            Some(LoginState {
                failed_logins: 0,
                lockouts: 0,
                locked_until: None
            })
        );
        let actions: Vec<String> = vault.audit_events().unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [
                "station_set_up",
                "sign_in_failed",
                "sign_in_failed",
                "sign_in_failed",
                "operator_locked_out",
                "signed_in"
            ]
        );
    }
}
