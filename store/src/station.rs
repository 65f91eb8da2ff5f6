//! The station record: who this station is, whom it talks to, the register keys it pinned,
//! its signing key (sealed under the data key), its request key, and the policy its admin chose
//! (idle lock, retention).
//!
//! The request key signs the station's requests to the intake. Its seed is kept in clear (the
//! vault file is owner-only) because the sync runs with nobody signed in; the packet key's
//! proof vouching for it can only be made with the data key, so it is stored when someone
//! made it (at setup, or at a sign-in), and the intake takes the key only with it. What the
//! key and the proof mean is the station's business (`enroll_station::request_key`): here they
//! are bytes.
//!
//! The policy columns hold plain numbers, `NULL` meaning "the built-in default": the vault
//! stores what the admin chose and audits the change; what the numbers mean, and which are
//! allowed, is the station's business (`enroll_station::policy`).

use rand::RngCore as _;
use rusqlite::OptionalExtension;

use crate::{DataKey, StoreError, Vault};

const SIGNING_KEY_AAD: &str = "station/signing_key";

/// The request key as setup stores it with the station: registered with the intake already,
/// before the vault is written.
pub struct NewRequestKey<'a> {
    /// The Ed25519 seed of the key.
    pub seed: &'a [u8; 32],
    /// The packet key's signature vouching for it.
    pub proof: &'a [u8; 64],
    /// When the intake took it (RFC 3339).
    pub registered_at: &'a str,
}

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
        self.create_station_with_public_key(record, signing_key_seed, None, None, admin, data_key)
    }

    /// [`Vault::create_station`] that also records the station's public key and, when setup
    /// registered one, its request key (a station without one makes it later: see
    /// [`Vault::ensure_request_key_seed`]).
    pub fn create_station_with_public_key(
        &mut self,
        record: &StationRecord,
        signing_key_seed: &[u8; 32],
        signing_public_key: Option<&[u8; 32]>,
        request_key: Option<&NewRequestKey<'_>>,
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
        if let Some(request_key) = request_key {
            transaction.execute(
                "UPDATE station SET request_key_seed = ?1, request_key_proof = ?2, request_key_registered_at = ?3
                 WHERE id = 1",
                rusqlite::params![
                    request_key.seed.as_slice(),
                    request_key.proof.as_slice(),
                    request_key.registered_at
                ],
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

    /// Record the station's public key if it is not recorded yet.
    pub fn remember_station_public_key(&mut self, public_key: &[u8; 32]) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE station SET signing_public_key = ?1 WHERE id = 1 AND signing_public_key IS NULL",
            [public_key.as_slice()],
        )?;
        Ok(())
    }

    /// The seed of the station's request key, readable without a data key. A station without
    /// one (set up before request keys) gets a new random one here, with no proof and not
    /// registered: the proof comes next, from whoever holds the data key.
    pub fn ensure_request_key_seed(&mut self) -> Result<[u8; 32], StoreError> {
        let transaction = self.connection.transaction()?;
        let stored: Option<Vec<u8>> = transaction
            .query_row("SELECT request_key_seed FROM station WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotSetUp)?;
        let seed = match stored {
            Some(bytes) => bytes
                .try_into()
                .map_err(|_| StoreError::Corrupt("the station's request key has the wrong length".into()))?,
            None => {
                let mut seed = [0; 32];
                rand::rngs::OsRng.fill_bytes(&mut seed);
                transaction.execute(
                    "UPDATE station SET request_key_seed = ?1, request_key_proof = NULL, request_key_registered_at = NULL
                     WHERE id = 1",
                    [seed.as_slice()],
                )?;
                tracing::info!("the station made its request key");
                seed
            }
        };
        transaction.commit()?;
        Ok(seed)
    }

    /// The packet key's proof vouching for the request key, once someone made it.
    pub fn request_key_proof(&self) -> Result<Option<[u8; 64]>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .connection
            .query_row("SELECT request_key_proof FROM station WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .flatten();
        bytes
            .map(|b| {
                b.try_into()
                    .map_err(|_| StoreError::Corrupt("the request key's proof has the wrong length".into()))
            })
            .transpose()
    }

    /// Store the proof made for the request key [`Vault::ensure_request_key_seed`] returned.
    /// The intake has not seen it yet: the key waits to be registered.
    pub fn store_request_key_proof(&mut self, proof: &[u8; 64]) -> Result<(), StoreError> {
        let changed = self.connection.execute(
            "UPDATE station SET request_key_proof = ?1, request_key_registered_at = NULL
             WHERE id = 1 AND request_key_seed IS NOT NULL",
            [proof.as_slice()],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("request key to vouch for".into()));
        }
        Ok(())
    }

    /// When the intake took the request key (RFC 3339); `None` while it waits to be registered.
    pub fn request_key_registered_at(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row("SELECT request_key_registered_at FROM station WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// Note that the intake took the request key at `now`. Not audited, as [`Vault::record_sync`]:
    /// the sync's bookkeeping.
    pub fn mark_request_key_registered(&mut self, now: &str) -> Result<(), StoreError> {
        let changed = self.connection.execute(
            "UPDATE station SET request_key_registered_at = ?1 WHERE id = 1 AND request_key_proof IS NOT NULL",
            [now],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound("request key with a proof to register".into()));
        }
        Ok(())
    }

    /// Note that the intake no longer knows the request key: the next sync registers it again.
    pub fn forget_request_key_registration(&mut self) -> Result<(), StoreError> {
        self.connection
            .execute("UPDATE station SET request_key_registered_at = NULL WHERE id = 1", [])?;
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
        let shown = |value: Option<u32>| value.map_or_else(|| "default".to_string(), |v| v.to_string());
        let details = format!(
            "idle_lock_minutes {} -> {}, retention_days {} -> {}",
            shown(before.idle_lock_minutes),
            shown(policy.idle_lock_minutes),
            shown(before.retention_days),
            shown(policy.retention_days)
        );
        self.update_station_audited(
            "UPDATE station SET idle_lock_minutes = ?1, retention_days = ?2 WHERE id = 1",
            rusqlite::params![policy.idle_lock_minutes, policy.retention_days],
            "station_policy_changed",
            &details,
            now,
        )
    }

    /// Point the station at another intake address, and audit the change (old and new) in the
    /// same transaction. The caller has checked the address; the register's pinned keys stay as
    /// they are, so a server at the new address must hold the same register's keys to be
    /// believed.
    pub fn set_intake_url(&mut self, intake_url: &str, now: &str) -> Result<(), StoreError> {
        let before = self.station()?.ok_or(StoreError::NotSetUp)?.intake_url;
        self.update_station_audited(
            "UPDATE station SET intake_url = ?1 WHERE id = 1",
            rusqlite::params![intake_url],
            "intake_address_changed",
            &format!("{before} -> {intake_url}"),
            now,
        )
    }

    /// The quality thresholds this station chose (the JSON the station wrote), if any.
    pub fn station_quality_thresholds(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row("SELECT quality_thresholds FROM station WHERE id = 1", [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten())
    }

    /// Store the station's own quality thresholds (`None`: back to the capture policy's) and
    /// audit the change, described by `details`, in one transaction. The caller has checked
    /// them against the policy.
    pub fn set_station_quality_thresholds(
        &mut self,
        thresholds_json: Option<&str>,
        details: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        self.update_station_audited(
            "UPDATE station SET quality_thresholds = ?1 WHERE id = 1",
            rusqlite::params![thresholds_json],
            "quality_thresholds_changed",
            details,
            now,
        )
    }

    /// One change to the station's row and its audit event, in one transaction: both or
    /// neither. `NotSetUp` when there is no station row to change.
    fn update_station_audited(
        &mut self,
        sql: &str,
        params: impl rusqlite::Params,
        action: &str,
        details: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        if transaction.execute(sql, params)? == 0 {
            return Err(StoreError::NotSetUp);
        }
        crate::audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &crate::NewAuditEvent {
                at: now,
                actor: None,
                action,
                registration_id: None,
                details,
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
    fn a_request_key_is_made_once_vouched_for_then_registered_and_forgotten_by_the_intake() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, _) = vault_with_station(dir.path());
        assert_eq!(vault.request_key_proof().unwrap(), None);
        assert_eq!(vault.request_key_registered_at().unwrap(), None);
        // Nothing to vouch for or register before there is a key, and a key with a proof.
        assert_eq!(vault.store_request_key_proof(&[1; 64]).unwrap_err().code(), "not_found");
        assert_eq!(vault.mark_request_key_registered("t1").unwrap_err().code(), "not_found");

        let seed = vault.ensure_request_key_seed().unwrap();
        assert_ne!(seed, [0; 32]);
        assert_eq!(vault.mark_request_key_registered("t1").unwrap_err().code(), "not_found");
        vault.store_request_key_proof(&[1; 64]).unwrap();
        assert_eq!(
            vault.request_key_registered_at().unwrap(),
            None,
            "a proof waits for the intake"
        );
        vault.mark_request_key_registered("t2").unwrap();
        drop(vault);

        let mut vault = Vault::open(&dir.path().join("v.sqlite")).unwrap();
        assert_eq!(vault.ensure_request_key_seed().unwrap(), seed, "kept, not made again");
        assert_eq!(vault.request_key_proof().unwrap(), Some([1; 64]));
        assert_eq!(vault.request_key_registered_at().unwrap().as_deref(), Some("t2"));
        vault.forget_request_key_registration().unwrap();
        assert_eq!(vault.request_key_registered_at().unwrap(), None);
        assert_eq!(vault.request_key_proof().unwrap(), Some([1; 64]), "the proof stays");

        // Another station's key is its own.
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        let (mut other, _) = vault_with_station(&other);
        assert_ne!(other.ensure_request_key_seed().unwrap(), seed);
    }

    #[test]
    fn setup_stores_the_request_key_it_registered_with_the_station() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = Vault::open(&dir.path().join("v.sqlite")).unwrap();
        assert_eq!(vault.ensure_request_key_seed().unwrap_err().code(), "not_set_up");
        vault
            .create_station_with_public_key(
                &crate::test_support::station_record(),
                &crate::test_support::SIGNING_SEED,
                Some(&[8; 32]),
                Some(&NewRequestKey {
                    seed: &[3; 32],
                    proof: &[4; 64],
                    registered_at: "2026-11-25T10:00:00Z",
                }),
                &crate::test_support::admin(),
                &DataKey::generate(),
            )
            .unwrap();
        assert_eq!(vault.ensure_request_key_seed().unwrap(), [3; 32]);
        assert_eq!(vault.request_key_proof().unwrap(), Some([4; 64]));
        assert_eq!(
            vault.request_key_registered_at().unwrap().as_deref(),
            Some("2026-11-25T10:00:00Z")
        );

        vault
            .connection
            .execute(
                "UPDATE station SET request_key_seed = X'0102', request_key_proof = X'03'",
                [],
            )
            .unwrap();
        assert_eq!(vault.ensure_request_key_seed().unwrap_err().code(), "vault_corrupt");
        assert_eq!(vault.request_key_proof().unwrap_err().code(), "vault_corrupt");
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
