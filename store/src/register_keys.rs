//! The register keys a station pins, across the register's key rotations: the keys in force
//! (`station.register_keys_json`, what packets are sealed to and new documents verified with),
//! the keys they replaced, newest first (receipts of packets sealed to them are still verified
//! with them), and the version of the last rotation the station knows of.
//!
//! A rotation replaces the keys in force and retires them in one transaction, audited; its
//! version only goes up. Which rotation to take, and whether its signature holds, is the
//! station's business (`enroll_station::register_keys`): here keys are JSON texts.

use rusqlite::params;

use crate::audit::{self, NewAuditEvent};
use crate::{StoreError, Vault};

/// The register keys pinned, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedRegisterKeys {
    /// The keys in force (`RegisterPublicKeys` JSON).
    pub current_json: String,
    /// The keys in force before, newest first (each `RegisterPublicKeys` JSON).
    pub retired_json: Vec<String>,
    /// The version of the last key rotation known (0: none).
    pub version: u64,
}

impl Vault {
    pub fn pinned_register_keys(&self) -> Result<PinnedRegisterKeys, StoreError> {
        let (current_json, version): (String, i64) = self.connection.query_row(
            "SELECT register_keys_json, register_keys_version FROM station WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let mut statement = self
            .connection
            .prepare_cached("SELECT keys_json FROM retired_register_keys ORDER BY retired_by_version DESC")?;
        let retired_json = statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(PinnedRegisterKeys {
            current_json,
            retired_json,
            version: version as u64,
        })
    }

    /// Pin `new_keys_json` as the register's keys from rotation `version` on, retiring the
    /// keys in force; `details` goes into the audit (which keys, by id).
    pub fn rotate_register_keys(
        &mut self,
        new_keys_json: &str,
        version: u64,
        at: &str,
        details: &str,
    ) -> Result<(), StoreError> {
        let acting_as = self.acting_as;
        let transaction = self.connection.transaction()?;
        let (current, held): (String, i64) = transaction.query_row(
            "SELECT register_keys_json, register_keys_version FROM station WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let version = checked_version(version, held)?;
        transaction.execute(
            "INSERT INTO retired_register_keys (retired_by_version, keys_json, retired_at) VALUES (?1, ?2, ?3)",
            params![version, current, at],
        )?;
        transaction.execute(
            "UPDATE station SET register_keys_json = ?1, register_keys_version = ?2 WHERE id = 1",
            params![new_keys_json, version],
        )?;
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at,
                actor: acting_as,
                action: "register_keys_rotated",
                registration_id: None,
                details,
            },
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// Note that rotations up to `version` are already behind the keys pinned (made before the
    /// station pinned them), so that the station does not ask for them again.
    pub fn note_register_keys_version(&mut self, version: u64) -> Result<(), StoreError> {
        let version = i64::try_from(version)
            .map_err(|_| StoreError::Corrupt(format!("rotation version {version} is out of range")))?;
        self.connection.execute(
            "UPDATE station SET register_keys_version = MAX(register_keys_version, ?1) WHERE id = 1",
            [version],
        )?;
        Ok(())
    }
}

fn checked_version(version: u64, held: i64) -> Result<i64, StoreError> {
    match i64::try_from(version) {
        Ok(version) if version > held => Ok(version),
        _ => Err(StoreError::WrongState {
            registration_id: "register keys".into(),
            expected: format!("a rotation above version {held}"),
            actual: format!("version {version}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support;

    #[test]
    fn a_rotation_retires_the_keys_in_force_and_only_goes_forward() {
        let (_dir, mut vault, _key) = test_support::vault_with_acknowledged(&[]);
        let first = vault.pinned_register_keys().unwrap();
        assert_eq!(first.version, 0);
        assert!(first.retired_json.is_empty());

        vault
            .rotate_register_keys("{\"k\":2}", 5, "2026-12-01T10:00:00Z", "a → b")
            .unwrap();
        vault
            .rotate_register_keys("{\"k\":3}", 9, "2026-12-01T11:00:00Z", "b → c")
            .unwrap();
        let pinned = vault.pinned_register_keys().unwrap();
        assert_eq!(pinned.current_json, "{\"k\":3}");
        assert_eq!(
            pinned.retired_json,
            ["{\"k\":2}".to_string(), first.current_json.clone()]
        );
        assert_eq!(pinned.version, 9);
        assert_eq!(vault.station().unwrap().unwrap().register_keys_json, "{\"k\":3}");
        assert_eq!(vault.highest_config_version().unwrap(), 9);

        let error = vault
            .rotate_register_keys("{\"k\":4}", 9, "2026-12-01T12:00:00Z", "again")
            .unwrap_err();
        assert!(error.to_string().contains("above version 9"), "{error}");
        assert_eq!(vault.pinned_register_keys().unwrap(), pinned, "nothing changed");

        vault.note_register_keys_version(4).unwrap();
        assert_eq!(vault.pinned_register_keys().unwrap().version, 9, "never back");
        vault.note_register_keys_version(12).unwrap();
        assert_eq!(vault.highest_config_version().unwrap(), 12);
        let audited: Vec<_> = vault
            .audit_events()
            .unwrap()
            .into_iter()
            .filter(|event| event.action == "register_keys_rotated")
            .map(|event| event.details)
            .collect();
        assert_eq!(audited, ["a → b", "b → c"]);
    }
}
