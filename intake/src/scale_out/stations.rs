//! Stations, enrollment codes, nonces and packet statuses in the scale-out backend: the rules
//! of `crate::onboarding` and `crate::packet_status`, in PostgreSQL. Where two processes may
//! race, the database decides: a code is spent by the one `UPDATE` that finds it unspent, a
//! nonce is refused by its primary key, a request key by its unique constraint.

use time::OffsetDateTime;
use tokio_postgres::error::SqlState;
use tokio_postgres::Transaction;

use enroll_packet::time::rfc3339;

use super::{database_error, ScaleOutStorage};
use crate::onboarding::{
    code_hash, code_still_valid, grouped_code, normalize_enrollment_code, random_code, EnrollmentCode, StationApproval,
    StationEntry, StationOutcome, StationStatus,
};
use crate::packet_status::{checked_reason, status_set, PacketStatus, PacketStatusEntry};
use crate::IntakeError;

fn station_key(station_id: &str, key: &[u8]) -> Result<[u8; 32], IntakeError> {
    <[u8; 32]>::try_from(key)
        .map_err(|_| IntakeError::Internal(format!("the stored key of station '{station_id}' is not 32 bytes")))
}

impl ScaleOutStorage {
    // Each argument is one fact of the announcement or of the register's policy and clock.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn register_station_async(
        &self,
        station_id: &str,
        name: &str,
        public_key: &[u8; 32],
        request_key: Option<&[u8; 32]>,
        code: Option<&str>,
        approval: StationApproval,
        now: OffsetDateTime,
    ) -> Result<StationOutcome, IntakeError> {
        let mut client = self.database.get().await?;
        let transaction = client.transaction().await.map_err(database_error)?;
        let existing = transaction
            .query_opt(
                "SELECT public_key, status FROM stations WHERE station_id = $1 FOR UPDATE",
                &[&station_id],
            )
            .await
            .map_err(database_error)?;
        let outcome = match existing {
            Some(row) if row.get::<_, &[u8]>(0) != public_key.as_slice() => StationOutcome::DifferentKey,
            Some(row) => {
                let mut status = StationStatus::parse(row.get(1))?;
                if let (Some(request_key), false) = (request_key, status == StationStatus::Revoked) {
                    set_request_key(&transaction, station_id, request_key).await?;
                }
                if status == StationStatus::Pending {
                    if let Some(code) = code {
                        spend_code(&transaction, code, station_id, now).await?;
                        decide(&transaction, station_id, StationStatus::Approved, now).await?;
                        status = StationStatus::Approved;
                    }
                }
                StationOutcome::AlreadyRegistered(status)
            }
            None => {
                let status = match (code, approval) {
                    (Some(code), _) => {
                        spend_code(&transaction, code, station_id, now).await?;
                        StationStatus::Approved
                    }
                    (None, StationApproval::Automatic) => StationStatus::Approved,
                    (None, StationApproval::Manual) => StationStatus::Pending,
                };
                let decided_at = (status == StationStatus::Approved).then(|| rfc3339(now));
                transaction
                    .execute(
                        "INSERT INTO stations (station_id, name, public_key, registered_at, status, decided_at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &[
                            &station_id,
                            &name,
                            &public_key.as_slice(),
                            &rfc3339(now),
                            &status.as_str(),
                            &decided_at,
                        ],
                    )
                    .await
                    .map_err(database_error)?;
                if let Some(request_key) = request_key {
                    set_request_key(&transaction, station_id, request_key).await?;
                }
                StationOutcome::Created(status)
            }
        };
        transaction.commit().await.map_err(database_error)?;
        Ok(outcome)
    }

    pub(super) async fn approved_station_key_async(&self, station_id: &str) -> Result<[u8; 32], IntakeError> {
        let client = self.database.get().await?;
        let row = client
            .query_opt(
                "SELECT public_key, status FROM stations WHERE station_id = $1",
                &[&station_id],
            )
            .await
            .map_err(database_error)?
            .ok_or_else(|| IntakeError::UnknownStation(station_id.to_owned()))?;
        match StationStatus::parse(row.get(1))? {
            StationStatus::Approved => station_key(station_id, row.get(0)),
            StationStatus::Pending => Err(IntakeError::StationPending(station_id.to_owned())),
            StationStatus::Revoked => Err(IntakeError::StationRevoked(station_id.to_owned())),
        }
    }

    pub(super) async fn station_for_request_key_async(
        &self,
        request_key: &[u8; 32],
    ) -> Result<(String, StationStatus), IntakeError> {
        let client = self.database.get().await?;
        let row = client
            .query_opt(
                "SELECT station_id, status FROM stations WHERE request_key = $1",
                &[&request_key.as_slice()],
            )
            .await
            .map_err(database_error)?
            .ok_or(IntakeError::RequestKeyUnknown)?;
        Ok((row.get(0), StationStatus::parse(row.get(1))?))
    }

    pub(super) async fn remember_nonce_async(
        &self,
        request_key: &[u8; 32],
        nonce: &str,
        forget_after: i64,
        now: OffsetDateTime,
    ) -> Result<(), IntakeError> {
        let mut client = self.database.get().await?;
        let transaction = client.transaction().await.map_err(database_error)?;
        transaction
            .execute(
                "DELETE FROM seen_nonces WHERE forget_after < $1",
                &[&now.unix_timestamp()],
            )
            .await
            .map_err(database_error)?;
        let inserted = transaction
            .execute(
                "INSERT INTO seen_nonces (request_key, nonce, forget_after) VALUES ($1, $2, $3)
                 ON CONFLICT (request_key, nonce) DO NOTHING",
                &[&request_key.as_slice(), &nonce, &forget_after],
            )
            .await
            .map_err(database_error)?;
        transaction.commit().await.map_err(database_error)?;
        if inserted == 0 {
            return Err(IntakeError::SignatureReplayed);
        }
        Ok(())
    }

    /// Every station, or the one named, by id.
    pub(super) async fn station_entries_async(&self, only: Option<&str>) -> Result<Vec<StationEntry>, IntakeError> {
        let client = self.database.get().await?;
        let rows = client
            .query(
                "SELECT station_id, name, status, public_key, registered_at, decided_at FROM stations
                 WHERE $1::TEXT IS NULL OR station_id = $1 ORDER BY station_id",
                &[&only],
            )
            .await
            .map_err(database_error)?;
        rows.iter()
            .map(|row| {
                let station_id: String = row.get(0);
                let key = station_key(&station_id, row.get(3))?;
                Ok(StationEntry {
                    name: row.get(1),
                    status: StationStatus::parse(row.get(2))?,
                    public_key: enroll_packet::StationPublicKey(key).to_text(),
                    registered_at: row.get(4),
                    decided_at: row.get(5),
                    station_id,
                })
            })
            .collect()
    }

    pub(super) async fn change_station_async(
        &self,
        station_id: &str,
        to: StationStatus,
        from: &[StationStatus],
        now: OffsetDateTime,
    ) -> Result<StationEntry, IntakeError> {
        {
            let mut client = self.database.get().await?;
            let transaction = client.transaction().await.map_err(database_error)?;
            let row = transaction
                .query_opt(
                    "SELECT status FROM stations WHERE station_id = $1 FOR UPDATE",
                    &[&station_id],
                )
                .await
                .map_err(database_error)?
                .ok_or_else(|| IntakeError::UnknownStation(station_id.to_owned()))?;
            let status = StationStatus::parse(row.get(0))?;
            if !from.contains(&status) {
                return Err(IntakeError::StationRevoked(station_id.to_owned()));
            }
            // Deciding again what is decided changes nothing (not even the time).
            if status != to {
                decide(&transaction, station_id, to, now).await?;
            }
            transaction.commit().await.map_err(database_error)?;
        }
        self.station_entries_async(Some(station_id))
            .await?
            .pop()
            .ok_or_else(|| IntakeError::UnknownStation(station_id.to_owned()))
    }

    pub(super) async fn issue_enrollment_code_async(
        &self,
        now: OffsetDateTime,
        valid_for: time::Duration,
    ) -> Result<EnrollmentCode, IntakeError> {
        let raw = random_code();
        let expires_at = rfc3339(now + valid_for);
        let client = self.database.get().await?;
        client
            .execute(
                "INSERT INTO enrollment_codes (code_sha256, created_at, expires_at) VALUES ($1, $2, $3)",
                &[&code_hash(&raw), &rfc3339(now), &expires_at],
            )
            .await
            .map_err(database_error)?;
        Ok(EnrollmentCode {
            code: grouped_code(&raw),
            expires_at,
        })
    }

    pub(super) async fn packet_statuses_async(
        &self,
        station_id: &str,
        registration_ids: &[String],
    ) -> Result<Vec<PacketStatusEntry>, IntakeError> {
        let client = self.database.get().await?;
        // A packet is the station's that declared it, or that uploaded it for another (a relay).
        let statement = client
            .prepare(
                "SELECT status, status_reason, status_changed_at FROM packets
                 WHERE registration_id = $1
                   AND (station_id = $2 OR EXISTS (
                       SELECT 1 FROM uploads
                       WHERE uploads.registration_id = packets.registration_id
                         AND uploads.created_by = $2 AND uploads.state = 'complete'))",
            )
            .await
            .map_err(database_error)?;
        let mut entries = Vec::with_capacity(registration_ids.len());
        for registration_id in registration_ids {
            let row = client
                .query_opt(&statement, &[registration_id, &station_id])
                .await
                .map_err(database_error)?;
            entries.push(match row {
                Some(row) => PacketStatusEntry {
                    registration_id: registration_id.clone(),
                    status: row.get(0),
                    reason: row.get(1),
                    changed_at: row.get(2),
                },
                None => PacketStatusEntry {
                    registration_id: registration_id.clone(),
                    status: "unknown".to_owned(),
                    reason: None,
                    changed_at: None,
                },
            });
        }
        Ok(entries)
    }

    pub(super) async fn set_packet_status_async(
        &self,
        registration_id: &str,
        status: PacketStatus,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<PacketStatusEntry, IntakeError> {
        let reason = checked_reason(status, reason)?;
        let changed_at = rfc3339(now);
        let client = self.database.get().await?;
        let changed = client
            .execute(
                "UPDATE packets SET status = $2, status_reason = $3, status_changed_at = $4 WHERE registration_id = $1",
                &[&registration_id, &status.as_str(), &reason, &changed_at],
            )
            .await
            .map_err(database_error)?;
        status_set(changed, registration_id, status, reason, changed_at)
    }
}

/// Sets a station's request key; one another station holds is refused (the unique constraint
/// decides, also between two processes).
async fn set_request_key(
    transaction: &Transaction<'_>,
    station_id: &str,
    request_key: &[u8; 32],
) -> Result<(), IntakeError> {
    let holder = transaction
        .query_opt(
            "SELECT station_id FROM stations WHERE request_key = $1",
            &[&request_key.as_slice()],
        )
        .await
        .map_err(database_error)?;
    let taken =
        || IntakeError::BadRequest("this request key is registered to another station; generate a new one".to_owned());
    if holder.is_some_and(|row| row.get::<_, &str>(0) != station_id) {
        return Err(taken());
    }
    match transaction
        .execute(
            "UPDATE stations SET request_key = $2 WHERE station_id = $1",
            &[&station_id, &request_key.as_slice()],
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(taken()),
        Err(error) => Err(database_error(error)),
    }
}

async fn decide(
    transaction: &Transaction<'_>,
    station_id: &str,
    to: StationStatus,
    now: OffsetDateTime,
) -> Result<(), IntakeError> {
    transaction
        .execute(
            "UPDATE stations SET status = $2, decided_at = $3 WHERE station_id = $1",
            &[&station_id, &to.as_str(), &rfc3339(now)],
        )
        .await
        .map_err(database_error)?;
    Ok(())
}

/// Spends `code` for `station_id`, or refuses it as `crate::onboarding` does. The `UPDATE ...
/// WHERE used_by IS NULL` spends it once, whichever process asks first.
async fn spend_code(
    transaction: &Transaction<'_>,
    code: &str,
    station_id: &str,
    now: OffsetDateTime,
) -> Result<(), IntakeError> {
    let normalized = normalize_enrollment_code(code).ok_or(IntakeError::EnrollmentCodeInvalid)?;
    let hash = code_hash(&normalized);
    let row = transaction
        .query_opt(
            "SELECT expires_at FROM enrollment_codes WHERE code_sha256 = $1 AND used_by IS NULL",
            &[&hash],
        )
        .await
        .map_err(database_error)?;
    if !row.is_some_and(|row| code_still_valid(row.get(0), now)) {
        return Err(IntakeError::EnrollmentCodeInvalid);
    }
    let spent = transaction
        .execute(
            "UPDATE enrollment_codes SET used_by = $2, used_at = $3 WHERE code_sha256 = $1 AND used_by IS NULL",
            &[&hash, &station_id, &rfc3339(now)],
        )
        .await
        .map_err(database_error)?;
    if spent != 1 {
        return Err(IntakeError::EnrollmentCodeInvalid);
    }
    Ok(())
}
