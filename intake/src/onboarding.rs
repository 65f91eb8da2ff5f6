//! Who may upload: a station's registration stays pending until the register approves it.
//!
//! A station announces its id and key (`POST /v1/stations`, see `stations`). What happens then
//! is the register's choice ([`StationApproval`]):
//! - manual (the default of `enroll intake serve`): the station is `pending` until an operator
//!   of the register approves it (`enroll intake stations approve`), having checked the key's
//!   text with the station's admin by another channel;
//! - with a one-time enrollment code the register issued (`enroll intake stations code`) and
//!   the station's admin typed at setup: approved at once, and the code is spent;
//! - automatic (a training or development intake, `make run`): approved at once.
//!
//! A pending or revoked station can create no upload and have no packet stored
//! (`403 station_pending`, `403 station_revoked`). Revocation is final for that id and key: a
//! station whose key may be stolen is onboarded again under a new id.
//!
//! Codes are stored as the SHA-256 of their normalized text, never in clear: whoever reads the
//! register's database cannot onboard a station with an unspent code. A code is 12 characters of
//! Crockford's base32 (60 bits; no I, L, O or U to misread), typed in groups of four; dashes,
//! spaces and case do not matter.
//!
//! Deliberately absent: who the register's operator is (the CLI runs on the register's own
//! machine, with access to its database), and key rotation.

use rand::Rng as _;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use enroll_packet::time::rfc3339;

use crate::storage::Storage;
use crate::storage_backend::StorageBackend;
use crate::IntakeError;

/// How the register treats a station that announces itself without a valid code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StationApproval {
    /// Pending until an operator approves it.
    #[default]
    Manual,
    /// Approved at once (training and development intakes only).
    Automatic,
}

/// Where a station stands with the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StationStatus {
    Pending,
    Approved,
    Revoked,
}

impl StationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StationStatus::Pending => "pending",
            StationStatus::Approved => "approved",
            StationStatus::Revoked => "revoked",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<StationStatus, IntakeError> {
        match text {
            "pending" => Ok(StationStatus::Pending),
            "approved" => Ok(StationStatus::Approved),
            "revoked" => Ok(StationStatus::Revoked),
            other => Err(IntakeError::Internal(format!(
                "unknown station status '{other}' in the database"
            ))),
        }
    }
}

/// One station as the register's operator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationEntry {
    pub station_id: String,
    pub name: String,
    pub status: StationStatus,
    /// The station's Ed25519 public key as its admin reads it on the station (standard base64):
    /// what the operator compares before approving.
    pub public_key: String,
    pub registered_at: String,
    /// When it was approved or revoked.
    pub decided_at: Option<String>,
}

/// What registering a station did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StationOutcome {
    Created(StationStatus),
    AlreadyRegistered(StationStatus),
    DifferentKey,
}

/// Sets a station's request key. A key another station holds is refused: a request key names
/// one station.
fn set_request_key(transaction: &Transaction<'_>, station_id: &str, request_key: &[u8; 32]) -> Result<(), IntakeError> {
    let holder: Option<String> = transaction
        .query_row(
            "SELECT station_id FROM stations WHERE request_key = ?1",
            [request_key.as_slice()],
            |row| row.get(0),
        )
        .optional()?;
    if holder.is_some_and(|holder| holder != station_id) {
        return Err(IntakeError::BadRequest(
            "this request key is registered to another station; generate a new one".to_owned(),
        ));
    }
    transaction.execute(
        "UPDATE stations SET request_key = ?2 WHERE station_id = ?1",
        params![station_id, request_key.as_slice()],
    )?;
    Ok(())
}

/// The characters of a code: Crockford's base32.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code (5 bits each).
const CODE_LEN: usize = 12;

/// A one-time enrollment code, as the register's operator hands it over: `ABCD-EFGH-JKMN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrollmentCode {
    pub code: String,
    pub expires_at: String,
}

/// The code as stored and compared: upper case, without separators. `None` when it cannot be a
/// code at all (wrong length or characters). Public and pure so the fuzzer can reach it.
pub fn normalize_enrollment_code(text: &str) -> Option<String> {
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A new code's characters, normalized (as stored, hashed).
pub(crate) fn random_code() -> String {
    let mut rng = rand::thread_rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A normalized code as the operator hands it over: `ABCD-EFGH-JKMN`.
pub(crate) fn grouped_code(raw: &str) -> String {
    format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
}

/// Whether an enrollment code's stored expiry (RFC 3339) is still ahead of `now`.
pub(crate) fn code_still_valid(expires_at: &str, now: OffsetDateTime) -> bool {
    OffsetDateTime::parse(expires_at, &time::format_description::well_known::Rfc3339)
        .is_ok_and(|expires_at| now < expires_at)
}

pub(crate) fn code_hash(normalized: &str) -> String {
    hex::encode(Sha256::digest(normalized.as_bytes()))
}

impl Storage {
    /// Record a station's announcement. A valid `code` approves it (and is spent); without
    /// one, `approval` decides. The same key again is idempotent (a pending station that now
    /// brings a valid code is approved); a different key for a known id is refused.
    // Each argument is one fact of the announcement or of the register's policy and clock;
    // a struct for them would only be built to be taken apart here.
    #[allow(clippy::too_many_arguments)]
    pub fn register_station(
        &self,
        station_id: &str,
        name: &str,
        public_key: &[u8; 32],
        request_key: Option<&[u8; 32]>,
        code: Option<&str>,
        approval: StationApproval,
        now: OffsetDateTime,
    ) -> Result<StationOutcome, IntakeError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        let existing: Option<(Vec<u8>, String)> = transaction
            .query_row(
                "SELECT public_key, status FROM stations WHERE station_id = ?1",
                [station_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let outcome = match existing {
            Some((key, _)) if key.as_slice() != public_key.as_slice() => StationOutcome::DifferentKey,
            Some((_, status)) => {
                let mut status = StationStatus::parse(&status)?;
                if let (Some(request_key), false) = (request_key, status == StationStatus::Revoked) {
                    // The caller checked the packet key's proof for this request key: a new
                    // one replaces the last at once (the station rotated it, or registers its
                    // first one after an upgrade).
                    set_request_key(&transaction, station_id, request_key)?;
                }
                if status == StationStatus::Pending {
                    if let Some(code) = code {
                        spend_code(&transaction, code, station_id, now)?;
                        decide(&transaction, station_id, StationStatus::Approved, now)?;
                        status = StationStatus::Approved;
                    }
                }
                StationOutcome::AlreadyRegistered(status)
            }
            None => {
                let status = match (code, approval) {
                    (Some(code), _) => {
                        spend_code(&transaction, code, station_id, now)?;
                        StationStatus::Approved
                    }
                    (None, StationApproval::Automatic) => StationStatus::Approved,
                    (None, StationApproval::Manual) => StationStatus::Pending,
                };
                let decided_at = (status == StationStatus::Approved).then(|| rfc3339(now));
                transaction.execute(
                    "INSERT INTO stations (station_id, name, public_key, registered_at, status, decided_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        station_id,
                        name,
                        public_key.as_slice(),
                        rfc3339(now),
                        status.as_str(),
                        decided_at
                    ],
                )?;
                if let Some(request_key) = request_key {
                    set_request_key(&transaction, station_id, request_key)?;
                }
                StationOutcome::Created(status)
            }
        };
        transaction.commit()?;
        Ok(outcome)
    }

    /// The key of a station that may upload; a clear refusal for any other.
    pub fn approved_station_key(&self, station_id: &str) -> Result<[u8; 32], IntakeError> {
        let row: Option<(Vec<u8>, String)> = self
            .connection()
            .query_row(
                "SELECT public_key, status FROM stations WHERE station_id = ?1",
                [station_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((key, status)) = row else {
            return Err(IntakeError::UnknownStation(station_id.to_owned()));
        };
        match StationStatus::parse(&status)? {
            StationStatus::Approved => <[u8; 32]>::try_from(key.as_slice()).map_err(|_| {
                IntakeError::Internal(format!("the stored key of station '{station_id}' is not 32 bytes"))
            }),
            StationStatus::Pending => Err(IntakeError::StationPending(station_id.to_owned())),
            StationStatus::Revoked => Err(IntakeError::StationRevoked(station_id.to_owned())),
        }
    }

    /// The station whose request key is `request_key` and where it stands with the register;
    /// `request_key_unknown` when none has it.
    pub fn station_for_request_key(&self, request_key: &[u8; 32]) -> Result<(String, StationStatus), IntakeError> {
        let row: Option<(String, String)> = self
            .connection()
            .query_row(
                "SELECT station_id, status FROM stations WHERE request_key = ?1",
                [request_key.as_slice()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let (station_id, status) = row.ok_or(IntakeError::RequestKeyUnknown)?;
        Ok((station_id, StationStatus::parse(&status)?))
    }

    /// Notes that `request_key` signed a request with `nonce`, remembered until `forget_after`
    /// (Unix seconds, past the end of the time window); `signature_replayed` when it was seen
    /// already. Nonces past their time are forgotten in the same transaction: the window
    /// refuses those requests anyway.
    ///
    /// Not fsynced ([`crate::storage::without_fsync`]): every signed request writes one, and an
    /// fsync each under the shared lock was most of what a chunk cost. A crash of the process
    /// keeps them; a power cut may forget the last ones, so a request signed in the minutes
    /// before it could be replayed in the rest of its window, to the effect it had already
    /// (the register's answers to a station are idempotent: an offset already past, a receipt).
    pub fn remember_nonce(
        &self,
        request_key: &[u8; 32],
        nonce: &str,
        forget_after: i64,
        now: OffsetDateTime,
    ) -> Result<(), IntakeError> {
        let inserted = crate::storage::without_fsync(&mut self.connection(), |connection| {
            let transaction = connection.transaction()?;
            transaction.execute(
                "DELETE FROM seen_nonces WHERE forget_after < ?1",
                [now.unix_timestamp()],
            )?;
            let inserted = transaction.execute(
                "INSERT INTO seen_nonces (request_key, nonce, forget_after) VALUES (?1, ?2, ?3)
                 ON CONFLICT (request_key, nonce) DO NOTHING",
                params![request_key.as_slice(), nonce, forget_after],
            )?;
            transaction.commit()?;
            Ok(inserted)
        })?;
        if inserted == 0 {
            return Err(IntakeError::SignatureReplayed);
        }
        Ok(())
    }

    /// Every station, by id.
    pub fn stations(&self) -> Result<Vec<StationEntry>, IntakeError> {
        self.station_entries(None)
    }

    /// Every station, or the one named, by id.
    fn station_entries(&self, only: Option<&str>) -> Result<Vec<StationEntry>, IntakeError> {
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT station_id, name, status, public_key, registered_at, decided_at FROM stations
             WHERE ?1 IS NULL OR station_id = ?1 ORDER BY station_id",
        )?;
        let rows = statement.query_map([only], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Vec<u8>>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (station_id, name, status, key, registered_at, decided_at) = row?;
            let key: [u8; 32] = key.as_slice().try_into().map_err(|_| {
                IntakeError::Internal(format!("the stored key of station '{station_id}' is not 32 bytes"))
            })?;
            Ok(StationEntry {
                station_id,
                name,
                status: StationStatus::parse(&status)?,
                public_key: enroll_packet::StationPublicKey(key).to_text(),
                registered_at,
                decided_at,
            })
        })
        .collect()
    }

    /// pending → approved. A revoked station stays revoked.
    pub fn approve_station(&self, station_id: &str, now: OffsetDateTime) -> Result<StationEntry, IntakeError> {
        self.change_station(
            station_id,
            StationStatus::Approved,
            &[StationStatus::Pending, StationStatus::Approved],
            now,
        )
    }

    /// pending or approved → revoked: it uploads nothing more.
    pub fn revoke_station(&self, station_id: &str, now: OffsetDateTime) -> Result<StationEntry, IntakeError> {
        self.change_station(
            station_id,
            StationStatus::Revoked,
            &[StationStatus::Pending, StationStatus::Approved, StationStatus::Revoked],
            now,
        )
    }

    fn change_station(
        &self,
        station_id: &str,
        to: StationStatus,
        from: &[StationStatus],
        now: OffsetDateTime,
    ) -> Result<StationEntry, IntakeError> {
        {
            let mut connection = self.connection();
            let transaction = connection.transaction()?;
            let status: Option<String> = transaction
                .query_row(
                    "SELECT status FROM stations WHERE station_id = ?1",
                    [station_id],
                    |row| row.get(0),
                )
                .optional()?;
            let status = match status {
                None => return Err(IntakeError::UnknownStation(station_id.to_owned())),
                Some(text) => StationStatus::parse(&text)?,
            };
            if !from.contains(&status) {
                return Err(IntakeError::StationRevoked(station_id.to_owned()));
            }
            // Deciding again what is decided changes nothing (not even the time).
            if status != to {
                decide(&transaction, station_id, to, now)?;
            }
            transaction.commit()?;
        }
        self.station_entries(Some(station_id))?
            .pop()
            .ok_or_else(|| IntakeError::UnknownStation(station_id.to_owned()))
    }

    /// A new one-time code, valid until `now + valid_for`.
    pub fn issue_enrollment_code(
        &self,
        now: OffsetDateTime,
        valid_for: time::Duration,
    ) -> Result<EnrollmentCode, IntakeError> {
        let raw = random_code();
        let expires_at = rfc3339(now + valid_for);
        self.connection().execute(
            "INSERT INTO enrollment_codes (code_sha256, created_at, expires_at) VALUES (?1, ?2, ?3)",
            params![code_hash(&raw), rfc3339(now), expires_at],
        )?;
        Ok(EnrollmentCode {
            code: grouped_code(&raw),
            expires_at,
        })
    }
}

/// The register's side of onboarding, on an intake's data folder (`enroll intake stations`):
/// the same database the running intake uses (SQLite allows both at once), or the scale-out
/// intake's PostgreSQL ([`StationRegistry::with_storage`]).
pub struct StationRegistry {
    storage: std::sync::Arc<dyn StorageBackend>,
}

impl StationRegistry {
    /// Open the intake database in `data_dir` (creating it if the intake never ran there).
    pub fn open(data_dir: &std::path::Path) -> Result<StationRegistry, IntakeError> {
        Ok(StationRegistry {
            storage: std::sync::Arc::new(Storage::open(data_dir)?),
        })
    }

    /// The same over another storage backend (see [`crate::storage_backend`]).
    pub fn with_storage(storage: std::sync::Arc<dyn StorageBackend>) -> StationRegistry {
        StationRegistry { storage }
    }

    /// Every station, by id.
    pub fn stations(&self) -> Result<Vec<StationEntry>, IntakeError> {
        self.storage.stations()
    }

    /// Let a pending station upload.
    pub fn approve(&self, station_id: &str) -> Result<StationEntry, IntakeError> {
        self.storage.approve_station(station_id, OffsetDateTime::now_utc())
    }

    /// Stop a station for good.
    pub fn revoke(&self, station_id: &str) -> Result<StationEntry, IntakeError> {
        self.storage.revoke_station(station_id, OffsetDateTime::now_utc())
    }

    /// The back office moves a held packet on (see `crate::packet_status`); its station
    /// learns it at its next status query.
    pub fn set_packet_status(
        &self,
        registration_id: &str,
        status: crate::packet_status::PacketStatus,
        reason: Option<&str>,
    ) -> Result<crate::packet_status::PacketStatusEntry, IntakeError> {
        self.storage
            .set_packet_status(registration_id, status, reason, OffsetDateTime::now_utc())
    }

    /// A one-time code for a station's admin to type at setup, valid for `valid_for`.
    pub fn issue_code(&self, valid_for: std::time::Duration) -> Result<EnrollmentCode, IntakeError> {
        let valid_for = time::Duration::try_from(valid_for)
            .map_err(|_| IntakeError::BadRequest("the code's validity is too long".into()))?;
        self.storage.issue_enrollment_code(OffsetDateTime::now_utc(), valid_for)
    }
}

fn decide(
    transaction: &Transaction<'_>,
    station_id: &str,
    to: StationStatus,
    now: OffsetDateTime,
) -> Result<(), IntakeError> {
    transaction.execute(
        "UPDATE stations SET status = ?2, decided_at = ?3 WHERE station_id = ?1",
        params![station_id, to.as_str(), rfc3339(now)],
    )?;
    Ok(())
}

/// Spend `code` for `station_id`, or refuse it: unknown, spent or expired are all the same
/// refusal (`enrollment_code_invalid`), so that the answer tells a guesser nothing.
fn spend_code(
    transaction: &Transaction<'_>,
    code: &str,
    station_id: &str,
    now: OffsetDateTime,
) -> Result<(), IntakeError> {
    let Some(normalized) = normalize_enrollment_code(code) else {
        return Err(IntakeError::EnrollmentCodeInvalid);
    };
    let row: Option<(String, Option<String>)> = transaction
        .query_row(
            "SELECT expires_at, used_by FROM enrollment_codes WHERE code_sha256 = ?1",
            [code_hash(&normalized)],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let usable = match row {
        Some((expires_at, None)) => code_still_valid(&expires_at, now),
        _ => false,
    };
    if !usable {
        return Err(IntakeError::EnrollmentCodeInvalid);
    }
    transaction.execute(
        "UPDATE enrollment_codes SET used_by = ?2, used_at = ?3 WHERE code_sha256 = ?1",
        params![code_hash(&normalized), station_id, rfc3339(now)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: OffsetDateTime = time::macros::datetime!(2026-12-01 09:00 UTC);

    fn storage() -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(dir.path()).unwrap();
        (dir, storage)
    }

    fn status_of(storage: &Storage, station_id: &str) -> StationStatus {
        storage
            .stations()
            .unwrap()
            .into_iter()
            .find(|s| s.station_id == station_id)
            .unwrap()
            .status
    }

    #[test]
    fn a_station_is_pending_until_approved_and_uploads_nothing_once_revoked() {
        let (_dir, storage) = storage();
        let outcome = storage
            .register_station("ST-1", "Center", &[1; 32], None, None, StationApproval::Manual, NOW)
            .unwrap();
        assert_eq!(outcome, StationOutcome::Created(StationStatus::Pending));
        assert_eq!(
            storage.approved_station_key("ST-1").unwrap_err().code(),
            "station_pending"
        );
        assert_eq!(
            storage.approved_station_key("ST-9").unwrap_err().code(),
            "unknown_station"
        );

        let approved = storage.approve_station("ST-1", NOW).unwrap();
        assert_eq!(
            (approved.status, approved.decided_at.as_deref()),
            (StationStatus::Approved, Some("2026-12-01T09:00:00Z"))
        );
        assert_eq!(storage.approved_station_key("ST-1").unwrap(), [1; 32]);
        assert_eq!(
            storage
                .register_station("ST-1", "Center", &[1; 32], None, None, StationApproval::Manual, NOW)
                .unwrap(),
            StationOutcome::AlreadyRegistered(StationStatus::Approved)
        );

        storage.revoke_station("ST-1", NOW).unwrap();
        assert_eq!(
            storage.approved_station_key("ST-1").unwrap_err().code(),
            "station_revoked"
        );
        assert_eq!(
            storage.approve_station("ST-1", NOW).unwrap_err().code(),
            "station_revoked",
            "revocation is final"
        );
        assert_eq!(
            storage.approve_station("ST-9", NOW).unwrap_err().code(),
            "unknown_station"
        );
    }

    #[test]
    fn an_enrollment_code_approves_one_station_once_before_it_expires() {
        let (_dir, storage) = storage();
        let code = storage.issue_enrollment_code(NOW, time::Duration::hours(72)).unwrap();
        assert_eq!(code.code.len(), 14, "{code:?}");
        assert_eq!(code.expires_at, "2026-12-04T09:00:00Z");
        // Typed carelessly: lower case, spaces instead of dashes.
        let typed = code.code.to_lowercase().replace('-', " ");
        let outcome = storage
            .register_station(
                "ST-1",
                "Center",
                &[1; 32],
                None,
                Some(&typed),
                StationApproval::Manual,
                NOW,
            )
            .unwrap();
        assert_eq!(outcome, StationOutcome::Created(StationStatus::Approved));

        let again = storage
            .register_station(
                "ST-2",
                "Other",
                &[2; 32],
                None,
                Some(&code.code),
                StationApproval::Manual,
                NOW,
            )
            .unwrap_err();
        assert_eq!(again.code(), "enrollment_code_invalid", "a code is spent once");
        assert!(
            storage.stations().unwrap().iter().all(|s| s.station_id != "ST-2"),
            "a refused code registers nothing"
        );

        let late = storage.issue_enrollment_code(NOW, time::Duration::hours(1)).unwrap();
        let after_expiry = NOW + time::Duration::hours(2);
        let error = storage
            .register_station(
                "ST-3",
                "Late",
                &[3; 32],
                None,
                Some(&late.code),
                StationApproval::Manual,
                after_expiry,
            )
            .unwrap_err();
        assert_eq!(error.code(), "enrollment_code_invalid");
        for garbage in ["", "ABCD", "ILOU-ILOU-ILOU", "ABCD-EFGH-JKMN-PQRS"] {
            let error = storage
                .register_station("ST-4", "X", &[4; 32], None, Some(garbage), StationApproval::Manual, NOW)
                .unwrap_err();
            assert_eq!(error.code(), "enrollment_code_invalid", "{garbage:?}");
        }
    }

    #[test]
    fn a_pending_station_that_brings_a_code_later_is_approved() {
        let (_dir, storage) = storage();
        storage
            .register_station("ST-1", "Center", &[1; 32], None, None, StationApproval::Manual, NOW)
            .unwrap();
        let code = storage.issue_enrollment_code(NOW, time::Duration::hours(1)).unwrap();
        let outcome = storage
            .register_station(
                "ST-1",
                "Center",
                &[1; 32],
                None,
                Some(&code.code),
                StationApproval::Manual,
                NOW,
            )
            .unwrap();
        assert_eq!(outcome, StationOutcome::AlreadyRegistered(StationStatus::Approved));
        assert_eq!(status_of(&storage, "ST-1"), StationStatus::Approved);
    }

    #[test]
    fn an_automatic_intake_approves_at_once_and_a_different_key_is_refused() {
        let (_dir, storage) = storage();
        let outcome = storage
            .register_station("ST-1", "Center", &[1; 32], None, None, StationApproval::Automatic, NOW)
            .unwrap();
        assert_eq!(outcome, StationOutcome::Created(StationStatus::Approved));
        let outcome = storage
            .register_station("ST-1", "Center", &[2; 32], None, None, StationApproval::Automatic, NOW)
            .unwrap();
        assert_eq!(outcome, StationOutcome::DifferentKey);
        let listed = storage.stations().unwrap();
        assert_eq!(listed[0].public_key, enroll_packet::StationPublicKey([1; 32]).to_text());
    }
}
