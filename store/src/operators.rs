//! Operators and their keyslots. Each operator holds the station data key wrapped under a key
//! derived from their password (Argon2id). Signing in is unwrapping: there is no separate
//! password hash to attack, and a wrong password cannot yield the key.

use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rusqlite::{OptionalExtension, Transaction};
use zeroize::Zeroizing;

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
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let params = format!("{KDF_MEMORY_KIB},{KDF_PASSES},{KDF_LANES}");
    let wrapping_key = derive_wrapping_key(&operator.password, &salt, &params)?;
    let wrapped = seal_with(&wrapping_key, data_key.as_bytes(), &keyslot_aad(&operator.username));
    transaction.execute(
        "INSERT INTO operators (username, full_name, role, kdf_salt, kdf_params, wrapped_data_key, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            operator.username,
            operator.full_name,
            operator.role.as_str(),
            salt.as_slice(),
            params,
            wrapped,
            now
        ],
    )?;
    Ok(())
}

impl Vault {
    /// Check the password by unwrapping the operator's keyslot. An unknown user and a wrong
    /// password give the same error, after the same kind of work.
    pub fn unlock(&self, username: &str, password: &str) -> Result<(Operator, DataKey), StoreError> {
        let row = self
            .connection
            .query_row(
                "SELECT full_name, role, kdf_salt, kdf_params, wrapped_data_key FROM operators WHERE username = ?1",
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
            let _ = derive_wrapping_key(
                password,
                &[0u8; 16],
                &format!("{KDF_MEMORY_KIB},{KDF_PASSES},{KDF_LANES}"),
            );
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
        transaction.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StationRecord;

    fn station(vault: &mut Vault, data_key: &DataKey) {
        let record = StationRecord {
            station_id: "10001".into(),
            name: "Center A".into(),
            center_id: "10002".into(),
            intake_url: "http://127.0.0.1:1".into(),
            register_keys_json: "{}".into(),
            created_at: "2026-11-25T10:00:00Z".into(),
        };
        let admin = NewOperator {
            username: "admin".into(),
            full_name: "Ada Admin".into(),
            role: Role::Admin,
            password: Zeroizing::new("correct horse".into()),
        };
        vault.create_station(&record, &[7; 32], &admin, data_key).unwrap();
    }

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

        let (admin, admin_key) = vault.unlock("admin", "correct horse").unwrap();
        assert_eq!(admin.role, Role::Admin);
        let (omar, omar_key) = vault.unlock("omar", "another secret").unwrap();
        assert_eq!(omar.role, Role::Officer);
        assert_eq!(admin_key.as_bytes(), data_key.as_bytes());
        assert_eq!(omar_key.as_bytes(), data_key.as_bytes());
        assert_eq!(vault.station_signing_seed(&omar_key).unwrap(), [7; 32]);
    }

    #[test]
    fn wrong_password_and_unknown_user_look_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = Vault::open(&dir.path().join("v.sqlite")).unwrap();
        station(&mut vault, &DataKey::generate());
        assert_eq!(vault.unlock("admin", "wrong").unwrap_err().code(), "wrong_credentials");
        assert_eq!(
            vault.unlock("nobody", "correct horse").unwrap_err().code(),
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
}
