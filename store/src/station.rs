//! The station record: who this station is, whom it talks to, the register keys it pinned,
//! and its signing key (sealed under the data key).

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

    /// Create the station and its first operator (the admin) in one transaction.
    pub fn create_station(
        &mut self,
        record: &StationRecord,
        signing_key_seed: &[u8; 32],
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
        crate::operators::insert_operator(&transaction, admin, data_key, &record.created_at)?;
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
