//! Persistence of the embedded intake: one SQLite file plus plain files, in `data_dir`.
//!
//! Layout:
//! ```text
//! data_dir/intake.sqlite3            stations, uploads, packets (WAL, synchronous=FULL)
//! data_dir/uploads/<upload id>.part  bytes of an upload still being received
//! data_dir/packets/<sha256>.envelope received packets, named by the SHA-256 of their bytes
//! ```
//! The database row is the truth about an upload's offset; the part file may be longer after a
//! crash in the middle of a write, and is cut back to the offset before the next write. A
//! packet file is fsynced, renamed into `packets/` and the directory fsynced *before* its row is
//! committed, so a committed row always has its bytes on disk; a crash in between leaves at
//! worst an orphan file that the next upload of the same bytes reuses.
//!
//! Every method is blocking (SQLite and fsync); async callers go through
//! [`crate::error::blocking`]. Statements are short, so one `Mutex<Connection>` is enough for a
//! reference server; the scale-out backend (PostgreSQL + object storage) is a different module
//! (`crate::scale_out`), not a flag here. Both are behind `crate::storage_backend::StorageBackend`.
//!
//! This module does not verify packets, sign receipts or speak HTTP.
//!
//! Forward compatibility: `PRAGMA user_version` numbers the schema. A newer version only ever
//! adds tables or nullable columns, so an older intake refuses to open a newer file instead of
//! misreading it.

use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use enroll_packet::time::rfc3339;
use enroll_packet::SignedReceipt;
use rusqlite::{params, Connection, OptionalExtension};
use time::OffsetDateTime;

use crate::tus_headers::DeclaredUpload;
use crate::IntakeError;

const SCHEMA_VERSION: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS stations (
    station_id    TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    public_key    BLOB NOT NULL CHECK (length(public_key) = 32),
    registered_at TEXT NOT NULL
);
-- One row per tus upload. Complete uploads are kept: their receipt is fetched through them.
CREATE TABLE IF NOT EXISTS uploads (
    upload_id       TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL,
    station_id      TEXT NOT NULL REFERENCES stations(station_id),
    sha256          TEXT NOT NULL,
    upload_length   INTEGER NOT NULL CHECK (upload_length > 0),
    upload_offset   INTEGER NOT NULL CHECK (upload_offset BETWEEN 0 AND upload_length),
    metadata        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('receiving', 'complete', 'expired'))
);
CREATE INDEX IF NOT EXISTS uploads_receiving_by_expiry ON uploads(expires_at) WHERE state = 'receiving';
-- At most one packet per registration id: the register never stores a registration twice.
CREATE TABLE IF NOT EXISTS packets (
    registration_id  TEXT PRIMARY KEY,
    station_id       TEXT NOT NULL REFERENCES stations(station_id),
    envelope_sha256  TEXT NOT NULL,
    envelope_length  INTEGER NOT NULL,
    received_at      TEXT NOT NULL,
    intake_reference TEXT NOT NULL,
    signed_receipt   TEXT NOT NULL
);
";

/// 1 → 2: station onboarding (see `crate::onboarding`). Stations registered before it were
/// trusted on registration, and stay approved.
const MIGRATION_2: &str = "
ALTER TABLE stations ADD COLUMN status TEXT NOT NULL DEFAULT 'approved'
    CHECK (status IN ('pending', 'approved', 'revoked'));
ALTER TABLE stations ADD COLUMN decided_at TEXT;
-- One-time enrollment codes, by the SHA-256 of their text: never stored in clear.
CREATE TABLE enrollment_codes (
    code_sha256 TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     TEXT,
    used_at     TEXT
);
";

/// 2 → 3: signed requests (see `crate::request_auth`). A station's request key (registered with
/// the packet key's proof; NULL for a station registered before, until it registers one), who
/// created each upload (NULL for earlier uploads: their declared station owns them), the
/// nonces of signed requests still inside the time window; and each packet's status at the
/// register (`crate::packet_status`; packets held before are `received`).
const MIGRATION_3: &str = "
ALTER TABLE stations ADD COLUMN request_key BLOB CHECK (request_key IS NULL OR length(request_key) = 32);
CREATE UNIQUE INDEX stations_by_request_key ON stations(request_key) WHERE request_key IS NOT NULL;
ALTER TABLE uploads ADD COLUMN created_by TEXT;
CREATE TABLE seen_nonces (
    request_key  BLOB NOT NULL,
    nonce        TEXT NOT NULL,
    forget_after INTEGER NOT NULL,
    PRIMARY KEY (request_key, nonce)
) WITHOUT ROWID;
CREATE INDEX seen_nonces_by_age ON seen_nonces(forget_after);
-- Where a held packet stands at the register (see `crate::packet_status`).
ALTER TABLE packets ADD COLUMN status TEXT NOT NULL DEFAULT 'received'
    CHECK (status IN ('received', 'processing', 'processed', 'rejected', 're_register'));
ALTER TABLE packets ADD COLUMN status_reason TEXT;
ALTER TABLE packets ADD COLUMN status_changed_at TEXT;
";

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    Receiving,
    Complete,
    Expired,
}

impl UploadState {
    fn as_str(self) -> &'static str {
        match self {
            UploadState::Receiving => "receiving",
            UploadState::Complete => "complete",
            UploadState::Expired => "expired",
        }
    }

    fn parse(text: &str) -> Result<UploadState, IntakeError> {
        match text {
            "receiving" => Ok(UploadState::Receiving),
            "complete" => Ok(UploadState::Complete),
            "expired" => Ok(UploadState::Expired),
            other => Err(IntakeError::Internal(format!(
                "unknown upload state '{other}' in the database"
            ))),
        }
    }
}

/// One upload as stored.
#[derive(Debug, Clone)]
pub struct UploadRecord {
    pub upload_id: String,
    pub declared: DeclaredUpload,
    pub length: u64,
    pub offset: u64,
    /// The `Upload-Metadata` header as the station sent it, echoed on `HEAD`.
    pub metadata: String,
    pub expires_at: OffsetDateTime,
    pub state: UploadState,
    /// The station whose signed request created the upload: the one that may continue it and
    /// read its receipt. `None` for an upload from before signed requests (its declared
    /// station owns it).
    pub created_by: Option<String>,
}

impl UploadRecord {
    /// Whether `station_id` may see and continue this upload.
    pub fn belongs_to(&self, station_id: &str) -> bool {
        self.created_by.as_deref().unwrap_or(&self.declared.station_id) == station_id
    }
}

/// What accepting a verified packet did.
#[derive(Debug)]
pub enum AcceptOutcome {
    /// First time the register sees this registration: stored with the given receipt.
    Stored,
    /// The same bytes were received before: nothing stored again, the first receipt stands.
    AlreadyHeld(SignedReceipt),
    /// The register holds a different packet for this registration id; the upload is discarded.
    DifferentPacketHeld,
}

pub struct Storage {
    connection: Mutex<Connection>,
    uploads_dir: PathBuf,
    packets_dir: PathBuf,
}

impl Storage {
    /// Opens (creating if needed) the intake's data directory.
    pub fn open(data_dir: &Path) -> Result<Storage, IntakeError> {
        let uploads_dir = data_dir.join("uploads");
        let packets_dir = data_dir.join("packets");
        fs::create_dir_all(&uploads_dir)?;
        fs::create_dir_all(&packets_dir)?;
        let mut connection = Connection::open(data_dir.join("intake.sqlite3"))?;
        // WAL lets HEAD and receipt reads proceed during a write; FULL makes a committed row
        // survive a power cut, which is what the 204 to a station promises.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(IntakeError::Internal(format!(
                "the intake database was written by a newer intake (schema {version}, this one knows {SCHEMA_VERSION})"
            )));
        }
        connection.execute_batch(SCHEMA)?;
        for (to, migration) in [(2, MIGRATION_2), (3, MIGRATION_3)] {
            if version < to {
                let transaction = connection.transaction()?;
                transaction.execute_batch(migration)?;
                transaction.pragma_update(None, "user_version", to)?;
                transaction.commit()?;
            }
        }
        Ok(Storage {
            connection: Mutex::new(connection),
            uploads_dir,
            packets_dir,
        })
    }

    pub(crate) fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held cannot leave SQLite half-written (an open transaction
        // rolls back when dropped), so a poisoned lock is still safe to use.
        self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // ---- stations: see `crate::onboarding` --------------------------------------------

    // ---- uploads -------------------------------------------------------------------------

    /// Records a new upload and creates its empty part file.
    pub fn create_upload(&self, upload: &UploadRecord, now: OffsetDateTime) -> Result<(), IntakeError> {
        File::create(self.part_path(&upload.upload_id))?;
        self.connection().execute(
            "INSERT INTO uploads (upload_id, registration_id, station_id, sha256, upload_length, upload_offset,
                                  metadata, created_at, expires_at, state, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                upload.upload_id,
                upload.declared.registration_id,
                upload.declared.station_id,
                upload.declared.sha256,
                to_sql_u64(upload.length)?,
                to_sql_u64(upload.offset)?,
                upload.metadata,
                rfc3339(now),
                upload.expires_at.unix_timestamp(),
                upload.state.as_str(),
                upload.created_by,
            ],
        )?;
        Ok(())
    }

    pub fn upload(&self, upload_id: &str) -> Result<Option<UploadRecord>, IntakeError> {
        let row = self
            .connection()
            .query_row(
                "SELECT registration_id, station_id, sha256, upload_length, upload_offset, metadata, expires_at, state,
                        created_by
                 FROM uploads WHERE upload_id = ?1",
                [upload_id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, i64>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, i64>(6)?,
                        row.get::<_, String>(7)?,
                        row.get::<_, Option<String>>(8)?,
                    ))
                },
            )
            .optional()?;
        let Some((registration_id, station_id, sha256, length, offset, metadata, expires_at, state, created_by)) = row
        else {
            return Ok(None);
        };
        Ok(Some(UploadRecord {
            upload_id: upload_id.to_owned(),
            declared: DeclaredUpload {
                registration_id,
                station_id,
                sha256,
            },
            length: from_sql_u64(length)?,
            offset: from_sql_u64(offset)?,
            metadata,
            expires_at: OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|_| IntakeError::Internal("an upload's expiry in the database is out of range".to_owned()))?,
            state: UploadState::parse(&state)?,
            created_by,
        }))
    }

    /// Records a new offset; the caller has already fsynced the bytes up to it. The update
    /// itself is not fsynced (`synchronous = NORMAL` for this one statement, in WAL mode): a
    /// process crash keeps it, and a power cut can only take it back to an earlier offset,
    /// never past the bytes on disk; the part file is cut back to the offset read before the
    /// next write and the station sends the difference again. That saves one fsync per chunk
    /// under the lock every upload shares. The next fsynced commit (a packet accepted) makes
    /// it durable with everything before it.
    pub fn set_upload_offset(&self, upload_id: &str, offset: u64) -> Result<(), IntakeError> {
        let offset = to_sql_u64(offset)?;
        without_fsync(&mut self.connection(), |connection| {
            connection.execute(
                "UPDATE uploads SET upload_offset = ?2 WHERE upload_id = ?1 AND state = 'receiving'",
                params![upload_id, offset],
            )?;
            Ok(())
        })
    }

    /// Marks an upload expired and frees its bytes. The row stays so that later requests get
    /// `410 Gone` rather than `404`.
    pub fn expire_upload(&self, upload_id: &str) -> Result<(), IntakeError> {
        self.connection().execute(
            "UPDATE uploads SET state = 'expired' WHERE upload_id = ?1 AND state = 'receiving'",
            [upload_id],
        )?;
        remove_if_present(&self.part_path(upload_id))
    }

    /// Expires every receiving upload whose time is up; returns how many.
    pub fn expire_due_uploads(&self, now: OffsetDateTime) -> Result<usize, IntakeError> {
        let due: Vec<String> = {
            let connection = self.connection();
            let mut statement =
                connection.prepare("SELECT upload_id FROM uploads WHERE state = 'receiving' AND expires_at <= ?1")?;
            let ids = statement.query_map([now.unix_timestamp()], |row| row.get(0))?;
            ids.collect::<Result<_, _>>()?
        };
        for upload_id in &due {
            self.expire_upload(upload_id)?;
        }
        Ok(due.len())
    }

    /// Forgets an upload and its bytes (termination, rejection).
    pub fn delete_upload(&self, upload_id: &str) -> Result<(), IntakeError> {
        self.connection()
            .execute("DELETE FROM uploads WHERE upload_id = ?1", [upload_id])?;
        remove_if_present(&self.part_path(upload_id))
    }

    /// Opens the part file positioned at `offset`, for the next bytes of the upload. Anything
    /// past `offset` (left by a crash, or by a chunk whose checksum failed) is cut off first, so
    /// the file never holds bytes that the database has not counted. The caller fsyncs before
    /// it records a new offset.
    pub fn open_part_at(&self, upload_id: &str, offset: u64) -> Result<File, IntakeError> {
        let path = self.part_path(upload_id);
        let mut file = OpenOptions::new().write(true).open(&path)?;
        let on_disk = file.metadata()?.len();
        if on_disk < offset {
            return Err(IntakeError::Internal(format!(
                "the part file of upload {upload_id} has {on_disk} bytes but the database says {offset}"
            )));
        }
        file.set_len(offset)?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(file)
    }

    /// Reads a whole part file (the upload is complete; its size is bounded by the max size).
    pub fn read_part(&self, upload_id: &str) -> Result<Vec<u8>, IntakeError> {
        Ok(fs::read(self.part_path(upload_id))?)
    }

    fn part_path(&self, upload_id: &str) -> PathBuf {
        self.uploads_dir.join(format!("{upload_id}.part"))
    }

    // ---- packets -------------------------------------------------------------------------

    pub fn packet_path(&self, envelope_sha256: &str) -> PathBuf {
        self.packets_dir.join(format!("{envelope_sha256}.envelope"))
    }

    /// The receipt of the packet held for a registration id, if any.
    pub fn packet_receipt(&self, registration_id: &str) -> Result<Option<SignedReceipt>, IntakeError> {
        let text: Option<String> = self
            .connection()
            .query_row(
                "SELECT signed_receipt FROM packets WHERE registration_id = ?1",
                [registration_id],
                |row| row.get(0),
            )
            .optional()?;
        text.map(|text| {
            serde_json::from_str(&text)
                .map_err(|error| IntakeError::Internal(format!("a stored receipt is not valid JSON: {error}")))
        })
        .transpose()
    }

    /// Stores a complete, verified upload as a packet, unless the register already holds one for
    /// its registration id. `receipt` is the receipt to keep if this is the first time.
    pub fn accept_packet(&self, upload: &UploadRecord, receipt: SignedReceipt) -> Result<AcceptOutcome, IntakeError> {
        self.accept(&upload.declared, Arrival::Upload(upload), receipt)
    }

    /// Stores a verified packet read from removable media (`crate::media_import`), unless the
    /// register already holds one for its registration id: the same rules as
    /// [`Storage::accept_packet`], with no upload involved.
    pub fn accept_media_packet(
        &self,
        declared: &DeclaredUpload,
        envelope: &[u8],
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError> {
        self.accept(declared, Arrival::Media(envelope), receipt)
    }

    /// The two above. The bytes are made durable *without* the connection lock, so that the
    /// packets of many stations are fsynced at once rather than one after another (each costs
    /// several fsyncs); the lock is held across the duplicate check and the insert, so two
    /// arrivals of the same registration at once cannot both be stored. A packet file is named
    /// by the hash of its bytes, so two arrivals of the same bytes write the same file.
    fn accept(
        &self,
        declared: &DeclaredUpload,
        arrival: Arrival<'_>,
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError> {
        // Held already (the same packet sent twice, or another one): answered before any write.
        let held = held_packet(&self.connection(), &declared.registration_id)?;
        if let Some(held) = held {
            return self.settle_held(declared, arrival, held, false);
        }

        // Bytes first, row second (see the module docs).
        let length = self.store_packet_bytes(declared, arrival)?;

        let mut connection = self.connection();
        if let Some(held) = held_packet(&connection, &declared.registration_id)? {
            // Another arrival of this registration was stored while these bytes were written.
            drop(connection);
            return self.settle_held(declared, arrival, held, true);
        }
        let receipt_json = serde_json::to_string(&receipt)
            .map_err(|error| IntakeError::Internal(format!("a receipt could not be serialised: {error}")))?;
        let transaction = connection.transaction()?;
        transaction.execute(
            "INSERT INTO packets (registration_id, station_id, envelope_sha256, envelope_length, received_at,
                                  intake_reference, signed_receipt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                declared.registration_id,
                declared.station_id,
                declared.sha256,
                to_sql_u64(length)?,
                receipt.receipt.received_at,
                receipt.receipt.intake_reference,
                receipt_json,
            ],
        )?;
        if let Arrival::Upload(upload) = arrival {
            transaction.execute(
                "UPDATE uploads SET state = 'complete', upload_offset = upload_length WHERE upload_id = ?1",
                [&upload.upload_id],
            )?;
        }
        transaction.commit()?;
        Ok(AcceptOutcome::Stored)
    }

    /// Makes the packet's bytes durable under `packets/<sha256>.envelope` (file and folder
    /// fsynced); returns their length.
    fn store_packet_bytes(&self, declared: &DeclaredUpload, arrival: Arrival<'_>) -> Result<u64, IntakeError> {
        let packet = self.packet_path(&declared.sha256);
        let length = match arrival {
            Arrival::Upload(upload) => {
                let part = self.part_path(&upload.upload_id);
                File::open(&part)?.sync_all()?;
                if packet.exists() {
                    // An orphan of an earlier crash with the very same bytes (the name is their hash).
                    fs::remove_file(&part)?;
                } else {
                    fs::rename(&part, &packet)?;
                }
                sync_directory(&self.uploads_dir)?;
                upload.length
            }
            Arrival::Media(envelope) => {
                // A file under its hash's name is whole (written through a temporary name), so
                // one already there is these very bytes.
                if !packet.exists() {
                    let temporary = self.packets_dir.join(format!(".{}.partial", declared.sha256));
                    let mut file = File::create(&temporary)?;
                    std::io::Write::write_all(&mut file, envelope)?;
                    file.sync_all()?;
                    drop(file);
                    fs::rename(&temporary, &packet)?;
                }
                envelope.len() as u64
            }
        };
        File::open(&packet)?.sync_all()?;
        sync_directory(&self.packets_dir)?;
        Ok(length)
    }

    /// What to answer when the register holds a packet for the registration already: the
    /// same bytes keep the first receipt; other bytes are refused and their upload discarded.
    /// `stored` says whether this arrival's bytes were already written under their hash's name.
    fn settle_held(
        &self,
        declared: &DeclaredUpload,
        arrival: Arrival<'_>,
        (held_sha256, held_receipt): (String, String),
        stored: bool,
    ) -> Result<AcceptOutcome, IntakeError> {
        if held_sha256 != declared.sha256 {
            if stored {
                // Named by the hash of bytes that hold another registration id than any held
                // packet's: nobody else's file.
                remove_if_present(&self.packet_path(&declared.sha256))?;
            }
            if let Arrival::Upload(upload) = arrival {
                self.delete_upload(&upload.upload_id)?;
            }
            return Ok(AcceptOutcome::DifferentPacketHeld);
        }
        if let Arrival::Upload(upload) = arrival {
            self.connection().execute(
                "UPDATE uploads SET state = 'complete', upload_offset = upload_length WHERE upload_id = ?1",
                [&upload.upload_id],
            )?;
            remove_if_present(&self.part_path(&upload.upload_id))?;
        }
        let held_receipt = serde_json::from_str(&held_receipt)
            .map_err(|error| IntakeError::Internal(format!("a stored receipt is not valid JSON: {error}")))?;
        Ok(AcceptOutcome::AlreadyHeld(held_receipt))
    }
}

/// The SHA-256 and receipt of the packet held for `registration_id`, if any.
fn held_packet(connection: &Connection, registration_id: &str) -> Result<Option<(String, String)>, IntakeError> {
    Ok(connection
        .query_row(
            "SELECT envelope_sha256, signed_receipt FROM packets WHERE registration_id = ?1",
            [registration_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

/// Where the bytes of a verified packet are when the register accepts it.
#[derive(Clone, Copy)]
pub enum Arrival<'a> {
    /// The part file of a complete tus upload: moved into `packets/`, and the upload marked
    /// complete (or discarded, when the register holds another packet for the registration).
    Upload(&'a UploadRecord),
    /// A packet read from removable media (`crate::media_import`): written into `packets/`.
    Media(&'a [u8]),
}

fn to_sql_u64(value: u64) -> Result<i64, IntakeError> {
    i64::try_from(value).map_err(|_| IntakeError::Internal(format!("{value} does not fit the database")))
}

fn from_sql_u64(value: i64) -> Result<u64, IntakeError> {
    u64::try_from(value).map_err(|_| IntakeError::Internal(format!("negative size {value} in the database")))
}

fn remove_if_present(path: &Path) -> Result<(), IntakeError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// Runs `write` with `synchronous = NORMAL` (WAL mode): its commit survives a crash of the
/// process but not a power cut, and costs no fsync under the lock every request shares. For
/// writes whose loss on a power cut is harmless (an offset that only goes back, a nonce of a
/// request already answered); the next fsynced commit makes them durable with it.
pub(crate) fn without_fsync<T>(
    connection: &mut Connection,
    write: impl FnOnce(&mut Connection) -> Result<T, IntakeError>,
) -> Result<T, IntakeError> {
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    let written = write(connection);
    connection.pragma_update(None, "synchronous", "FULL")?;
    written
}

/// Makes a rename or a new file in `dir` durable (the file's own fsync does not cover its name).
fn sync_directory(dir: &Path) -> Result<(), IntakeError> {
    File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::StationApproval;
    use std::io::Write;

    fn write_part(storage: &Storage, upload_id: &str, offset: u64, bytes: &[u8]) {
        let mut file = storage.open_part_at(upload_id, offset).unwrap();
        file.write_all(bytes).unwrap();
        file.sync_data().unwrap();
    }

    fn upload(id: &str, registration_id: &str, sha256: &str, expires_at: OffsetDateTime) -> UploadRecord {
        UploadRecord {
            upload_id: id.to_owned(),
            declared: DeclaredUpload {
                registration_id: registration_id.to_owned(),
                station_id: "ST-1".to_owned(),
                sha256: sha256.to_owned(),
            },
            length: 4,
            offset: 0,
            metadata: String::new(),
            expires_at,
            state: UploadState::Receiving,
            created_by: Some("ST-1".to_owned()),
        }
    }

    fn receipt(upload_id: &str) -> SignedReceipt {
        SignedReceipt {
            receipt: enroll_packet::Receipt {
                registration_id: "R-1".into(),
                station_id: "ST-1".into(),
                envelope_sha256: "aa".repeat(32),
                received_at: "2025-01-01T00:00:00Z".into(),
                intake_reference: upload_id.into(),
            },
            signature: "sig".into(),
        }
    }

    #[test]
    fn a_write_after_a_refused_chunk_cuts_the_leftover_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(dir.path()).unwrap();
        let now = OffsetDateTime::now_utc();
        storage
            .register_station("ST-1", "a", &[1; 32], None, None, StationApproval::Automatic, now)
            .unwrap();
        storage
            .create_upload(
                &upload("u1", "R-1", &"aa".repeat(32), now + time::Duration::hours(1)),
                now,
            )
            .unwrap();
        write_part(&storage, "u1", 0, b"ab");
        // A chunk at offset 2 was written but never committed; the next write at 2 replaces it.
        write_part(&storage, "u1", 2, b"XXXXXX");
        write_part(&storage, "u1", 2, b"cd");
        assert_eq!(storage.read_part("u1").unwrap(), b"abcd");
    }

    #[test]
    fn accepting_twice_keeps_the_first_receipt_and_a_different_hash_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(dir.path()).unwrap();
        let now = OffsetDateTime::now_utc();
        let later = now + time::Duration::hours(1);
        storage
            .register_station("ST-1", "a", &[1; 32], None, None, StationApproval::Automatic, now)
            .unwrap();
        let sha = "aa".repeat(32);
        for id in ["u1", "u2"] {
            storage.create_upload(&upload(id, "R-1", &sha, later), now).unwrap();
            write_part(&storage, id, 0, b"abcd");
        }
        let first = storage.upload("u1").unwrap().unwrap();
        assert!(matches!(
            storage.accept_packet(&first, receipt("u1")).unwrap(),
            AcceptOutcome::Stored
        ));
        assert_eq!(fs::read(storage.packet_path(&sha)).unwrap(), b"abcd");
        let second = storage.upload("u2").unwrap().unwrap();
        match storage.accept_packet(&second, receipt("u2")).unwrap() {
            AcceptOutcome::AlreadyHeld(held) => assert_eq!(held.receipt.intake_reference, "u1"),
            other => panic!("expected the first receipt, got {other:?}"),
        }
        assert_eq!(storage.upload("u2").unwrap().unwrap().state, UploadState::Complete);

        storage
            .create_upload(&upload("u3", "R-1", &"bb".repeat(32), later), now)
            .unwrap();
        let third = storage.upload("u3").unwrap().unwrap();
        assert!(matches!(
            storage.accept_packet(&third, receipt("u3")).unwrap(),
            AcceptOutcome::DifferentPacketHeld
        ));
        assert!(storage.upload("u3").unwrap().is_none(), "a refused upload is discarded");
    }

    #[test]
    fn due_uploads_expire_and_lose_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(dir.path()).unwrap();
        let now = OffsetDateTime::now_utc();
        storage
            .register_station("ST-1", "a", &[1; 32], None, None, StationApproval::Automatic, now)
            .unwrap();
        storage
            .create_upload(
                &upload("old", "R-1", &"aa".repeat(32), now - time::Duration::seconds(1)),
                now,
            )
            .unwrap();
        storage
            .create_upload(
                &upload("new", "R-2", &"aa".repeat(32), now + time::Duration::hours(1)),
                now,
            )
            .unwrap();
        assert_eq!(storage.expire_due_uploads(now).unwrap(), 1);
        assert_eq!(storage.upload("old").unwrap().unwrap().state, UploadState::Expired);
        assert_eq!(storage.upload("new").unwrap().unwrap().state, UploadState::Receiving);
        assert!(!storage.part_path("old").exists());
    }
}
