//! The register's configuration documents as the station received them
//! (`enroll_packet::register_config`): the latest of each kind, with the register's signature,
//! so that the station checks them again each time it starts and a document changed on disk
//! is refused there too.
//!
//! A kind's version only goes up: [`Vault::store_config`] refuses a document whose version is
//! not above the one held (an older document replayed, or the same one twice), in the same
//! transaction that would have replaced it. Each document taken is audited (its kind and
//! version; a configuration is about the country, never about a resident).
//!
//! Deliberately absent: what a document means and whether it is valid (the station checks
//! both before it stores it).

use rusqlite::{params, OptionalExtension as _};

use crate::audit::{self, NewAuditEvent};
use crate::{StoreError, Vault};

/// One stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConfig {
    pub kind: String,
    pub version: u64,
    /// The signed payload, exactly as the register signed it.
    pub payload: String,
    /// The register's signature over it (base64).
    pub signature: String,
    pub received_at: String,
}

impl Vault {
    /// Every stored document, by kind.
    pub fn stored_configs(&self) -> Result<Vec<StoredConfig>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT kind, version, payload, signature, received_at FROM config_documents ORDER BY kind",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(StoredConfig {
                kind: row.get(0)?,
                version: row.get::<_, i64>(1)? as u64,
                payload: row.get(2)?,
                signature: row.get(3)?,
                received_at: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The highest version held of any kind, key rotations included (0: none): what the
    /// station asks the register from.
    pub fn highest_config_version(&self) -> Result<u64, StoreError> {
        let version: Option<i64> = self.connection.query_row(
            "SELECT MAX(version) FROM (SELECT MAX(version) AS version FROM config_documents
                                      UNION ALL SELECT register_keys_version FROM station)",
            [],
            |r| r.get(0),
        )?;
        Ok(version.unwrap_or(0) as u64)
    }

    /// Keep `config` as the latest of its kind, if its version is above the one held.
    pub fn store_config(&mut self, config: &StoredConfig) -> Result<(), StoreError> {
        let version = i64::try_from(config.version)
            .map_err(|_| StoreError::Corrupt(format!("configuration version {} is out of range", config.version)))?;
        let acting_as = self.acting_as;
        let transaction = self.connection.transaction()?;
        let held: Option<i64> = transaction
            .query_row(
                "SELECT version FROM config_documents WHERE kind = ?1",
                [&config.kind],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(held) = held.filter(|held| *held >= version) {
            return Err(StoreError::WrongState {
                registration_id: format!("configuration {}", config.kind),
                expected: format!("a version above {held}"),
                actual: format!("version {version}"),
            });
        }
        transaction.execute(
            "INSERT INTO config_documents (kind, version, payload, signature, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (kind) DO UPDATE SET version = ?2, payload = ?3, signature = ?4, received_at = ?5",
            params![
                config.kind,
                version,
                config.payload,
                config.signature,
                config.received_at
            ],
        )?;
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: &config.received_at,
                actor: acting_as,
                action: "config_received",
                registration_id: None,
                details: &format!(
                    "{} version {} (was {})",
                    config.kind,
                    config.version,
                    held.map_or("none".to_string(), |held| held.to_string())
                ),
            },
        )?;
        transaction.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support;

    fn config(kind: &str, version: u64) -> StoredConfig {
        StoredConfig {
            kind: kind.into(),
            version,
            payload: format!("{{\"v\":{version}}}"),
            signature: "sig".into(),
            received_at: format!("t{version}"),
        }
    }

    #[test]
    fn a_kinds_version_only_goes_up_and_each_document_taken_is_audited() {
        let (_dir, mut vault, _key) = test_support::vault_with_acknowledged(&[]);
        assert_eq!(vault.highest_config_version().unwrap(), 0);
        vault.store_config(&config("offline_limits", 2)).unwrap();
        vault.store_config(&config("master_data", 3)).unwrap();
        vault.store_config(&config("offline_limits", 5)).unwrap();
        assert_eq!(vault.highest_config_version().unwrap(), 5);

        for stale in [5, 4] {
            let error = vault.store_config(&config("offline_limits", stale)).unwrap_err();
            assert_eq!(error.code(), "invalid_state", "version {stale}");
        }
        let stored = vault.stored_configs().unwrap();
        assert_eq!(
            stored.iter().map(|c| (c.kind.as_str(), c.version)).collect::<Vec<_>>(),
            [("master_data", 3), ("offline_limits", 5)]
        );
        assert_eq!(stored[1].payload, "{\"v\":5}");

        let details: Vec<String> = vault
            .audit_events()
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "config_received")
            .map(|e| e.details)
            .collect();
        assert_eq!(
            details,
            [
                "offline_limits version 2 (was none)",
                "master_data version 3 (was none)",
                "offline_limits version 5 (was 2)"
            ]
        );
    }
}
