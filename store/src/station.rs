//! The station record: who this station is, whom it talks to, the register keys it pinned,
//! its signing key (sealed under the data key), and the policy its admin chose (idle lock,
//! retention).
//!
//! The policy columns hold plain numbers, `NULL` meaning "the built-in default": the vault
//! stores what the admin chose and audits the change; what the numbers mean, and which are
//! allowed, is the station's business (`enroll_station::policy`).

use rusqlite::OptionalExtension;

use crate::{DataKey, StoreError, Vault};

const SIGNING_KEY_AAD: &str = "station/signing_key";

/// The public part of the station record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationRecord {
    pub station_id: String,
    pub name: String,
    pub center_id: String,
    pub intake_url: String,
    /// The register's public keys as pinned at onboarding (`RegisterPublicKeys` JSON).
    pub register_keys_json: String,
    pub created_at: String,
}

/// The station policy as the admin set it. `None`: nothing chosen, the built-in default
/// applies. Minutes and days, because that is what an admin sets and what is audited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoredPolicy {
    pub idle_lock_minutes: Option<u32>,
    pub retention_days: Option<u32>,
}

/// Counts for `enroll vault check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultCounts {
    pub registrations_by_state: Vec<(String, u64)>,
    pub operators: u64,
    pub audit_events: u64,
}

impl Vault {
    pub fn station(&self) -> Result<Option<StationRecord>, StoreError> {
        Ok(self
            .connection
            .query_row(
                "SELECT station_id, name, center_id, intake_url, register_keys_json, created_at FROM station WHERE id = 1",
                [],
                |row| {
                    Ok(StationRecord {
                        station_id: row.get(0)?,
                        name: row.get(1)?,
                        center_id: row.get(2)?,
                        intake_url: row.get(3)?,
                        register_keys_json: row.get(4)?,
                        created_at: row.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Create the station and its first operator (the admin) in one transaction, audited.
    /// `signing_public_key` is the public half of `signing_key_seed`, kept in clear so that the
    /// audit chain can be checked without a password; `None` in older tests that do not care.
    pub fn create_station(
        &mut self,
        record: &StationRecord,
        signing_key_seed: &[u8; 32],
        admin: &crate::NewOperator,
        data_key: &DataKey,
    ) -> Result<(), StoreError> {
        self.create_station_with_public_key(record, signing_key_seed, None, admin, data_key)
    }

    /// [`Vault::create_station`] that also records the station's public key.
    pub fn create_station_with_public_key(
        &mut self,
        record: &StationRecord,
        signing_key_seed: &[u8; 32],
        signing_public_key: Option<&[u8; 32]>,
        admin: &crate::NewOperator,
        data_key: &DataKey,
    ) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        let exists: bool = transaction.query_row("SELECT EXISTS (SELECT 1 FROM station)", [], |r| r.get(0))?;
        if exists {
            return Err(StoreError::AlreadySetUp);
        }
        transaction.execute(
            "INSERT INTO station (id, station_id, name, center_id, intake_url, register_keys_json, signing_key_sealed, next_sequence, created_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)",
            rusqlite::params![
                record.station_id,
                record.name,
                record.center_id,
                record.intake_url,
                record.register_keys_json,
                data_key.seal(signing_key_seed, SIGNING_KEY_AAD),
                record.created_at
            ],
        )?;
        if let Some(public_key) = signing_public_key {
            transaction.execute(
                "UPDATE station SET signing_public_key = ?1 WHERE id = 1",
                [public_key.as_slice()],
            )?;
        }
        crate::operators::insert_operator(&transaction, admin, data_key, &record.created_at)?;
        let details = format!(
            "station {} ({}), first admin {}",
            record.station_id, record.name, admin.username
        );
        crate::audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &crate::NewAuditEvent {
                at: &record.created_at,
                actor: Some(&admin.username),
                action: "station_set_up",
                registration_id: None,
                details: &details,
            },
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// The station's Ed25519 seed; needs a signed-in operator's data key.
    pub fn station_signing_seed(&self, data_key: &DataKey) -> Result<[u8; 32], StoreError> {
        let sealed: Vec<u8> = self
            .connection
            .query_row("SELECT signing_key_sealed FROM station WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotSetUp)?;
        let seed = data_key.open(&sealed, SIGNING_KEY_AAD)?;
        seed.try_into()
            .map_err(|_| StoreError::Corrupt("station signing key has the wrong length".into()))
    }

    /// The station's Ed25519 public key as recorded in clear (vaults made before schema 2 get it
    /// at the next sign-in).
    pub fn station_public_key(&self) -> Result<Option<[u8; 32]>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .connection
            .query_row("SELECT signing_public_key FROM station WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .flatten();
        bytes
            .map(|b| {
                b.try_into()
                    .map_err(|_| StoreError::Corrupt("the station public key has the wrong length".into()))
            })
            .transpose()
    }

    /// Record the station's public key if it is not recorded yet.
    /// When the station last synced with the intake (RFC 3339), if ever since it kept this.
    pub fn last_sync_at(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row("SELECT last_sync_at FROM station WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Note that the station synced with the intake at `now`: every packet due was tried with
    /// the intake reachable and the station accepted. Not audited: it is bookkeeping, written
    /// at most every few minutes, and says nothing about any resident.
    pub fn record_sync(&mut self, now: &str) -> Result<(), StoreError> {
        self.connection
            .execute("UPDATE station SET last_sync_at = ?1 WHERE id = 1", [now])?;
        Ok(())
    }

    pub fn remember_station_public_key(&mut self, public_key: &[u8; 32]) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE station SET signing_public_key = ?1 WHERE id = 1 AND signing_public_key IS NULL",
            [public_key.as_slice()],
        )?;
        Ok(())
    }

    /// How many registrations are in each state, and how many audit events and operators
    /// there are: what `enroll vault check` prints.
    pub fn counts(&self) -> Result<VaultCounts, StoreError> {
        let mut by_state = Vec::new();
        let mut statement = self
            .connection
            .prepare("SELECT state, COUNT(*) FROM registrations GROUP BY state ORDER BY state")?;
        let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
        for row in rows {
            by_state.push(row?);
        }
        // A vault opened read-only may predate schema 2 (no removal, no audit chain yet).
        let before_audit = self.schema_version()? < 2;
        let operators: i64 = self.connection.query_row(
            if before_audit {
                "SELECT COUNT(*) FROM operators"
            } else {
                "SELECT COUNT(*) FROM operators WHERE removed_at IS NULL"
            },
            [],
            |r| r.get(0),
        )?;
        let audit_events: i64 = if before_audit {
            0
        } else {
            self.connection
                .query_row("SELECT COUNT(*) FROM audit_events", [], |r| r.get(0))?
        };
        Ok(VaultCounts {
            registrations_by_state: by_state,
            operators: operators as u64,
            audit_events: audit_events as u64,
        })
    }

    /// The policy the admin stored; all `None` before setup or before any choice. One read of
    /// the station row by its key: cheap enough for every station open.
    pub fn station_policy(&self) -> Result<StoredPolicy, StoreError> {
        let stored: Option<(Option<i64>, Option<i64>)> = self
            .connection
            .query_row(
                "SELECT idle_lock_minutes, retention_days FROM station WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((idle_lock_minutes, retention_days)) = stored else {
            return Ok(StoredPolicy::default());
        };
        let positive = |name: &str, value: Option<i64>| {
            value
                .map(|v| {
                    u32::try_from(v)
                        .ok()
                        .filter(|v| *v > 0)
                        .ok_or_else(|| StoreError::Corrupt(format!("the station's {name} is {v}")))
                })
                .transpose()
        };
        Ok(StoredPolicy {
            idle_lock_minutes: positive("idle lock", idle_lock_minutes)?,
            retention_days: positive("retention period", retention_days)?,
        })
    }

    /// Store the admin's policy and audit the change (old and new values) in one transaction.
    /// The caller has checked the values; `None` returns a setting to the built-in default.
    pub fn set_station_policy(&mut self, policy: &StoredPolicy, now: &str) -> Result<(), StoreError> {
        let before = self.station_policy()?;
        let transaction = self.connection.transaction()?;
        let changed = transaction.execute(
            "UPDATE station SET idle_lock_minutes = ?1, retention_days = ?2 WHERE id = 1",
            rusqlite::params![policy.idle_lock_minutes, policy.retention_days],
        )?;
        if changed == 0 {
            return Err(StoreError::NotSetUp);
        }
        let shown = |value: Option<u32>| value.map_or_else(|| "default".to_string(), |v| v.to_string());
        let details = format!(
            "idle_lock_minutes {} -> {}, retention_days {} -> {}",
            shown(before.idle_lock_minutes),
            shown(policy.idle_lock_minutes),
            shown(before.retention_days),
            shown(policy.retention_days)
        );
        crate::audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &crate::NewAuditEvent {
                at: now,
                actor: None,
                action: "station_policy_changed",
                registration_id: None,
                details: &details,
            },
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// Take the next registration sequence number (never handed out twice, even across a crash).
    pub fn take_registration_sequence(&mut self) -> Result<u64, StoreError> {
        let transaction = self.connection.transaction()?;
        let sequence: i64 = transaction
            .query_row("SELECT next_sequence FROM station WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotSetUp)?;
        transaction.execute("UPDATE station SET next_sequence = next_sequence + 1 WHERE id = 1", [])?;
        transaction.commit()?;
        Ok(sequence as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::vault_with_station;

    #[test]
    fn the_policy_is_default_until_set_then_persists_with_its_audit_event() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, _) = vault_with_station(dir.path());
        assert_eq!(vault.station_policy().unwrap(), StoredPolicy::default());

        let chosen = StoredPolicy {
            idle_lock_minutes: Some(15),
            retention_days: Some(90),
        };
        vault.set_station_policy(&chosen, "2026-11-25T11:00:00Z").unwrap();
        vault
            .set_station_policy(
                &StoredPolicy {
                    idle_lock_minutes: None,
                    retention_days: Some(90),
                },
                "2026-11-25T12:00:00Z",
            )
            .unwrap();
        drop(vault);

        let vault = Vault::open(&dir.path().join("v.sqlite")).unwrap();
        assert_eq!(
            vault.station_policy().unwrap(),
            StoredPolicy {
                idle_lock_minutes: None,
                retention_days: Some(90)
            },
            "NULL again: the idle lock went back to the default"
        );
        let events: Vec<(String, String)> = vault
            .audit_events()
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "station_policy_changed")
            .map(|e| (e.at, e.details))
            .collect();
        assert_eq!(
            events,
            [
                (
                    "2026-11-25T11:00:00Z".to_string(),
                    "idle_lock_minutes default -> 15, retention_days default -> 90".to_string()
                ),
                (
                    "2026-11-25T12:00:00Z".to_string(),
                    "idle_lock_minutes 15 -> default, retention_days 90 -> 90".to_string()
                ),
            ]
        );
        assert_eq!(vault.verify_audit_chain(&|_, _| true).unwrap().broken, None);
    }

    #[test]
    fn a_policy_needs_a_station_and_a_nonsense_stored_value_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = Vault::open(&dir.path().join("v.sqlite")).unwrap();
        assert_eq!(vault.station_policy().unwrap(), StoredPolicy::default());
        let error = vault.set_station_policy(&StoredPolicy::default(), "t").unwrap_err();
        assert_eq!(error.code(), "not_set_up");
        assert!(vault.audit_events().unwrap().is_empty(), "nothing was audited");

        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        let (vault, _) = vault_with_station(&other);
        vault
            .connection
            .execute("UPDATE station SET retention_days = -3", [])
            .unwrap();
        let error = vault.station_policy().unwrap_err();
        assert_eq!(error.code(), "vault_corrupt");
        assert!(error.to_string().contains("retention period is -3"), "{error}");
    }
}
