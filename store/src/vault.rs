//! Opening the vault file: pragmas and schema migrations.
//!
//! Migration rule: `MIGRATIONS` is append-only (a released migration is never edited or
//! removed); migrations only ever add (tables, nullable or defaulted columns, indexes); each one
//! runs in one transaction and bumps `PRAGMA user_version`. A vault from a newer version of the
//! software is refused rather than guessed at. The test
//! `a_vault_from_every_earlier_version_opens_keeps_its_data_and_works` builds a vault at every
//! earlier version with the rows that version wrote and opens it with the current code: a new
//! migration must add its version's rows there.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::audit::AuditSession;
use crate::blobs::BlobStore;
use crate::draft_memo::DraftMemo;
use crate::{private_files, StoreError};

/// Each entry migrates from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the station, its operators and registrations.
    "CREATE TABLE station (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        station_id TEXT NOT NULL,
        name TEXT NOT NULL,
        center_id TEXT NOT NULL,
        intake_url TEXT NOT NULL,
        register_keys_json TEXT NOT NULL,
        signing_key_sealed BLOB NOT NULL,
        next_sequence INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE operators (
        username TEXT PRIMARY KEY,
        full_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'officer')),
        kdf_salt BLOB NOT NULL,
        kdf_params TEXT NOT NULL,
        wrapped_data_key BLOB NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE registrations (
        registration_id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN
            ('draft', 'pending_approval', 'sealed', 'uploaded', 'acknowledged', 'purged', 'rejected')),
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        content_sealed BLOB,
        envelope BLOB,
        approved_by TEXT,
        upload_url TEXT,
        receipt_json TEXT,
        last_error_code TEXT,
        last_error_message TEXT
    );
    CREATE INDEX registrations_by_state ON registrations (state, updated_at);",
    // 1 → 2: lockout counters and removal on operators; the reviewer's decision on
    // registrations; the station's public key in clear (so the audit chain can be checked
    // without a password); the audit chain.
    "ALTER TABLE operators ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE operators ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE operators ADD COLUMN locked_until TEXT;
    ALTER TABLE operators ADD COLUMN removed_at TEXT;
    ALTER TABLE registrations ADD COLUMN rejected_by TEXT;
    ALTER TABLE registrations ADD COLUMN decision_reason_sealed BLOB;
    ALTER TABLE station ADD COLUMN signing_public_key BLOB;
    CREATE TABLE audit_events (
        sequence INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        registration_id TEXT,
        details TEXT NOT NULL,
        hash BLOB NOT NULL,
        signature BLOB
    );
    CREATE INDEX audit_events_by_registration ON audit_events (registration_id, sequence);",
    // 2 → 3: a pending registration's content and every sealed envelope move out of the
    // database into files beside it (see `crate::blobs`); the content gets its own key, kept
    // wrapped in the row, so that erasing the row's key erases the content. Files whose row
    // let go of them wait in `blob_trash` until they are gone. The station's policy (idle lock,
    // retention) becomes the admin's to set; NULL means the built-in default.
    "ALTER TABLE registrations ADD COLUMN content_file TEXT;
    ALTER TABLE registrations ADD COLUMN content_key_sealed BLOB;
    ALTER TABLE registrations ADD COLUMN envelope_file TEXT;
    CREATE TABLE blob_trash (name TEXT PRIMARY KEY);
    ALTER TABLE station ADD COLUMN idle_lock_minutes INTEGER;
    ALTER TABLE station ADD COLUMN retention_days INTEGER;",
    // 3 → 4: the upload queue's own bookkeeping (see `crate::upload_queue`): when the review
    // sealed a packet (the order uploads go in; `updated_at` moves whenever an upload is
    // noted), how many tries in a row failed and when the next may start, and the quarantine
    // of a packet the register refuses for good. Packets already queued keep their order.
    "ALTER TABLE registrations ADD COLUMN queued_at TEXT;
    ALTER TABLE registrations ADD COLUMN upload_failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE registrations ADD COLUMN next_attempt_at TEXT;
    ALTER TABLE registrations ADD COLUMN quarantined_at TEXT;
    UPDATE registrations SET queued_at = updated_at WHERE state IN ('sealed', 'rejected', 'uploaded');",
    // 4 → 5: when the station last synced with the intake (see `crate::station`), for the
    // offline limits. NULL: never since this version (the station's creation counts).
    "ALTER TABLE station ADD COLUMN last_sync_at TEXT;",
    // 5 → 6: the station's request key, which signs its requests to the intake (see
    // `crate::station`): its Ed25519 seed, in clear so that the sync can sign with nobody signed
    // in (the vault is owner-only); the packet key's proof vouching for it (NULL until someone
    // with the data key made it); when the intake took it (NULL until then).
    "ALTER TABLE station ADD COLUMN request_key_seed BLOB;
    ALTER TABLE station ADD COLUMN request_key_proof BLOB;
    ALTER TABLE station ADD COLUMN request_key_registered_at TEXT;",
    // 6 → 7: what the register says of each receipted packet (see `crate::register_status`):
    // its status, the register's reason sealed to the station's inbox key, when it changed,
    // when the station last asked, and who handled a returned packet. The inbox key: its
    // public half in clear (the sync seals to it), its secret under the data key. Two partial
    // indexes hold exactly the rows the sync asks about and the rows supervisors must see.
    "ALTER TABLE registrations ADD COLUMN register_status TEXT CHECK (register_status IN
        ('received', 'processing', 'processed', 'rejected', 're_register', 'unknown'));
    ALTER TABLE registrations ADD COLUMN register_reason_sealed BLOB;
    ALTER TABLE registrations ADD COLUMN register_status_changed_at TEXT;
    ALTER TABLE registrations ADD COLUMN register_status_checked_at TEXT;
    ALTER TABLE registrations ADD COLUMN register_handled_by TEXT;
    ALTER TABLE registrations ADD COLUMN register_handled_at TEXT;
    CREATE INDEX registrations_awaiting_register ON registrations (register_status_checked_at, registration_id)
        WHERE state IN ('acknowledged', 'purged')
          AND (register_status IS NULL OR register_status IN ('received', 'processing', 'unknown'));
    CREATE INDEX registrations_returned_by_register ON registrations (register_status_changed_at, registration_id)
        WHERE register_status IN ('rejected', 're_register') AND register_handled_at IS NULL;
    ALTER TABLE station ADD COLUMN inbox_public_key BLOB;
    ALTER TABLE station ADD COLUMN inbox_secret_sealed BLOB;",
    // 7 → 8: the register's configuration documents (see `crate::register_config`): the latest
    // of each kind, as signed, re-checked at every start.
    "CREATE TABLE config_documents (
        kind TEXT PRIMARY KEY,
        version INTEGER NOT NULL CHECK (version > 0),
        payload TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_at TEXT NOT NULL
    );",
    // 8 → 9: register key rotations (see `crate::register_keys`): the keys pinned before the
    // current ones, each with the rotation that retired it, and the version of the last
    // rotation known.
    "CREATE TABLE retired_register_keys (
        retired_by_version INTEGER PRIMARY KEY CHECK (retired_by_version > 0),
        keys_json TEXT NOT NULL,
        retired_at TEXT NOT NULL
    );
    ALTER TABLE station ADD COLUMN register_keys_version INTEGER NOT NULL DEFAULT 0
        CHECK (register_keys_version >= 0);",
    // 9 → 10: each operator's interface language (see `Vault::set_operator_ui_language`);
    // NULL: not chosen, the window's own. The station's own quality thresholds, as JSON (see
    // `Vault::set_station_quality_thresholds`); NULL: the capture policy's.
    "ALTER TABLE operators ADD COLUMN ui_language TEXT
        CHECK (ui_language IS NULL OR length(ui_language) BETWEEN 2 AND 8);
    ALTER TABLE station ADD COLUMN quality_thresholds TEXT;",
    // 10 → 11: the fingerprints each operator enrolled for signing off with a finger (see
    // `operator_fingerprints`): the matcher's templates, sealed with the data key, never images.
    "CREATE TABLE operator_fingerprints (
        username TEXT NOT NULL REFERENCES operators (username),
        position TEXT NOT NULL CHECK (length(position) BETWEEN 1 AND 32),
        template_sealed BLOB NOT NULL,
        enrolled_at TEXT NOT NULL,
        PRIMARY KEY (username, position)
    );",
];

/// The open vault. Not `Sync`: the station wraps it in a mutex.
pub struct Vault {
    pub(crate) connection: Connection,
    path: PathBuf,
    /// The files beside the database (see [`crate::blobs`]).
    pub(crate) blobs: BlobStore,
    /// Held while the vault is open for writing: one writer at a time, so that a file written
    /// for a row about to commit is never taken for an orphan. `None` when read-only.
    _writer_lock: Option<std::fs::File>,
    /// Who is acting and how to sign the audit chain, while someone is signed in
    /// (see [`crate::audit`]).
    pub(crate) audit_session: Option<AuditSession>,
    /// The draft last written, readable, for as long as the audit session (see
    /// [`crate::draft_memo`]).
    pub(crate) draft_memo: Option<DraftMemo>,
    /// Who the lifecycle moves made inside [`Vault::acting_as`] are audited as.
    pub(crate) acting_as: Option<&'static str>,
}

impl Vault {
    /// Open or create the vault at `path`, applying pending migrations.
    /// Every file and folder of the vault is owner-only (see [`crate::private_files`]); older,
    /// more open ones are tightened here.
    pub fn open(path: &Path) -> Result<Vault, StoreError> {
        let writer_lock = lock_for_writing(path)?;
        let blobs = BlobStore::beside(path);
        for file in [
            path.to_path_buf(),
            sqlite_companion(path, "-wal"),
            sqlite_companion(path, "-shm"),
        ] {
            private_files::tighten_and_log(&file);
        }
        blobs.tighten_and_log();
        // Created here, 0600, rather than by SQLite (0644 less the umask): SQLite then gives its
        // `-wal` and `-shm` the database file's mode. An empty file is an empty database to it.
        private_files::file_options()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|error| StoreError::Io(format!("{}: {error}", path.display())))?;
        let mut connection = Connection::open(path)?;
        // WAL + FULL: a registration the clerk was told is saved survives a power cut.
        // secure_delete: erased content (the readable copy of an approved packet) is
        // overwritten with zeros, not left in free pages.
        // page_size 16 KiB, for a new vault only (SQLite keeps an existing file's): a draft
        // with its captures is megabytes of overflow pages, written to the WAL a page at a time
        // at every autosave and walked whenever it is freed; a quarter of the pages took finalize
        // from about 17 to 13.5 ms and the 100,000-registration home screen from about 8.5 to
        // 7.4 ms (`make bench`; 8 KiB did as well as 16, 64 KiB slowed approval down).
        // cache_size 32 MiB (at most; SQLite takes pages as it needs them): a draft with its
        // captures is a few megabytes of overflow pages, and reading a column stored after it
        // (its key, added by a later migration) walks them all. With the default 2 MiB cache
        // each walk re-read them from the file: 1.4 ms per look at a draft's key (`make bench`).
        connection.execute_batch(
            "PRAGMA page_size = 16384;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -32768;",
        )?;
        migrate(&mut connection, MIGRATIONS.len())?;
        let vault = Vault {
            connection,
            path: path.to_path_buf(),
            blobs,
            _writer_lock: Some(writer_lock),
            audit_session: None,
            draft_memo: None,
            acting_as: None,
        };
        vault.empty_blob_trash()?;
        Ok(vault)
    }

    /// Open an existing vault without changing it: no migration, no journal-mode change. For
    /// checks (`enroll vault check`, `enroll audit verify`); every write fails.
    pub fn open_read_only(path: &Path) -> Result<Vault, StoreError> {
        if !path.is_file() {
            return Err(StoreError::NotFound(format!("vault file {}", path.display())));
        }
        let connection = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        let vault = Vault {
            connection,
            path: path.to_path_buf(),
            blobs: BlobStore::beside(path),
            _writer_lock: None,
            audit_session: None,
            draft_memo: None,
            acting_as: None,
        };
        let version = vault.schema_version()? as usize;
        if version > MIGRATIONS.len() {
            return Err(StoreError::Corrupt(format!(
                "the vault is at schema version {version}, newer than this software ({}); update the software",
                MIGRATIONS.len()
            )));
        }
        Ok(vault)
    }

    /// The schema version this software writes.
    pub fn current_schema_version() -> u32 {
        MIGRATIONS.len() as u32
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of this vault.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// `PRAGMA integrity_check`, `Ok(())` when it says "ok".
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let verdict: String = self
            .connection
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if verdict != "ok" {
            return Err(StoreError::Corrupt(verdict));
        }
        self.check_blob_files()
    }
}

/// Take the vault's writer lock (`vault.lock` beside `vault.sqlite`): a second program that
/// opens the same vault for writing gets `vault_in_use` instead of racing the first.
fn lock_for_writing(vault_path: &Path) -> Result<std::fs::File, StoreError> {
    let lock_path = vault_path.with_extension("lock");
    private_files::tighten_and_log(&lock_path);
    let file = private_files::file_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|error| StoreError::Io(format!("{}: {error}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse),
        Err(std::fs::TryLockError::Error(error)) => Err(StoreError::Io(format!("{}: {error}", lock_path.display()))),
    }
}

/// The file SQLite keeps beside the database: `vault.sqlite-wal`, `vault.sqlite-shm`.
fn sqlite_companion(vault_path: &Path, suffix: &str) -> PathBuf {
    let mut name = vault_path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Apply the migrations up to version `target` (the current version, except in the migration
/// tests, which build vaults as earlier versions left them).
pub(crate) fn migrate(connection: &mut Connection, target: usize) -> Result<(), StoreError> {
    let version: usize = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the vault is at schema version {version}, newer than this software ({}); update the software",
            MIGRATIONS.len()
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().take(target).skip(version) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
        tracing::info!(to = index + 1, "vault migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_vault_is_wal_full_and_current() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(&dir.path().join("vault.sqlite")).unwrap();
        assert_eq!(vault.schema_version().unwrap() as usize, MIGRATIONS.len());
        let mode: String = vault
            .connection
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let synchronous: i64 = vault
            .connection
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(synchronous, 2, "FULL");
        let page_size: i64 = vault
            .connection
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap();
        assert_eq!(page_size, 16384);
        vault.integrity_check().unwrap();
        drop(vault);
        // Opening again migrates nothing and keeps the version.
        let vault = Vault::open(&dir.path().join("vault.sqlite")).unwrap();
        assert_eq!(vault.schema_version().unwrap() as usize, MIGRATIONS.len());
    }

    #[test]
    fn a_vault_from_newer_software_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.sqlite");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = Vault::open(&path).err().unwrap();
        assert_eq!(error.code(), "vault_corrupt");
        assert!(error.to_string().contains("newer than this software"));
    }

    /// Build a vault as version `version` of the software left it: only the first `version`
    /// migrations, then rows written the way that version wrote them.
    fn vault_at_version(path: &Path, version: usize, data_key: &crate::DataKey) {
        let mut connection = Connection::open(path).unwrap();
        connection.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
        migrate(&mut connection, version).unwrap();
        assert_eq!(
            connection
                .pragma_query_value(None, "user_version", |r| r.get::<_, usize>(0))
                .unwrap(),
            version
        );
        match version {
            0 => {}
            // Version 2 wrote what version 1 wrote (its new columns are nullable), and sealed
            // envelopes in the row; version 3 wrote the same (envelopes could still be in the
            // row), and a failed upload's error on a queued packet; version 4 the same, with the
            // upload queue's columns (nullable or defaulted); version 5 the same, and the time
            // of the last sync; version 6 the same, and a request key; version 7 the same (its
            // register statuses and inbox key are nullable); version 8 the same, and the
            // register's configuration documents; version 9 the same (its register key rotations
            // start empty); version 10 the same, and an operator's interface language.
            1..=10 => {
                let transaction = connection.transaction().unwrap();
                transaction
                    .execute(
                        "INSERT INTO station (id, station_id, name, center_id, intake_url, register_keys_json,
                             signing_key_sealed, next_sequence, created_at)
                         VALUES (1, '10001', 'Old Center', '10002', 'http://127.0.0.1:1', '{}', ?1, 3, 't0')",
                        [data_key.seal(&[5; 32], "station/signing_key")],
                    )
                    .unwrap();
                for (username, role) in [("admin", crate::Role::Admin), ("omar", crate::Role::Officer)] {
                    let operator = crate::NewOperator {
                        username: username.into(),
                        full_name: format!("{username} of version 1"),
                        role,
                        password: zeroize::Zeroizing::new(format!("{username} password")),
                    };
                    crate::operators::insert_operator(&transaction, &operator, data_key, "t0").unwrap();
                }
                for (id, state) in [("R1", "draft"), ("R2", "pending_approval")] {
                    transaction
                        .execute(
                            "INSERT INTO registrations (registration_id, state, created_by, created_at, updated_at, content_sealed)
                             VALUES (?1, ?2, 'omar', 't1', 't1', ?3)",
                            rusqlite::params![
                                id,
                                state,
                                data_key.seal(format!("content of {id}").as_bytes(), &format!("registrations/{id}/content"))
                            ],
                        )
                        .unwrap();
                }
                transaction
                    .execute(
                        "INSERT INTO registrations (registration_id, state, created_by, created_at, updated_at,
                             envelope, approved_by, upload_url, receipt_json)
                         VALUES ('R3', 'acknowledged', 'omar', 't1', 't2', X'0102', 'admin', 'http://x/1', '{}')",
                        [],
                    )
                    .unwrap();
                if version >= 2 {
                    transaction
                        .execute(
                            "INSERT INTO registrations (registration_id, state, created_by, created_at, updated_at,
                                 envelope, approved_by)
                             VALUES ('R4', 'sealed', 'omar', 't1', 't2', X'0304', 'admin')",
                            [],
                        )
                        .unwrap();
                }
                if version >= 3 {
                    transaction
                        .execute(
                            "INSERT INTO registrations (registration_id, state, created_by, created_at, updated_at,
                                 envelope, approved_by, last_error_code, last_error_message)
                             VALUES ('R5', 'sealed', 'omar', 't1', 't1', X'0506', 'admin', 'intake_unreachable', 'down')",
                            [],
                        )
                        .unwrap();
                }
                if version >= 5 {
                    transaction
                        .execute("UPDATE station SET last_sync_at = 't8' WHERE id = 1", [])
                        .unwrap();
                }
                if version >= 6 {
                    transaction
                        .execute(
                            "UPDATE station SET request_key_seed = ?1, request_key_proof = ?2 WHERE id = 1",
                            rusqlite::params![[6u8; 32].as_slice(), [7u8; 64].as_slice()],
                        )
                        .unwrap();
                }
                if version >= 8 {
                    transaction
                        .execute(
                            "INSERT INTO config_documents (kind, version, payload, signature, received_at)
                             VALUES ('offline_limits', 3, '{}', 'sig', 't7')",
                            [],
                        )
                        .unwrap();
                }
                if version >= 10 {
                    transaction
                        .execute("UPDATE operators SET ui_language = 'ar' WHERE username = 'omar'", [])
                        .unwrap();
                }
                transaction.commit().unwrap();
            }
            later => {
                panic!("add the rows that version {later} writes to this test: every earlier version must be tested")
            }
        }
    }

    #[test]
    fn a_vault_from_every_earlier_version_opens_keeps_its_data_and_works() {
        for version in 0..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("vault.sqlite");
            let data_key = crate::DataKey::generate();
            vault_at_version(&path, version, &data_key);

            let mut vault = Vault::open(&path).unwrap();
            assert_eq!(
                vault.schema_version().unwrap() as usize,
                MIGRATIONS.len(),
                "from {version}"
            );
            vault.integrity_check().unwrap();
            let page_size: i64 = vault
                .connection
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .unwrap();
            assert_eq!(page_size, 4096, "a vault keeps the page size it was made with");
            if version == 0 {
                assert_eq!(vault.station().unwrap(), None);
                continue;
            }
            // What version 1 wrote is all there and readable.
            assert_eq!(vault.station().unwrap().unwrap().name, "Old Center");
            let (omar, key) = vault.unlock("omar", "omar password").unwrap();
            assert_eq!(omar.role, crate::Role::Officer);
            assert_eq!(vault.registration_content("R1", &key).unwrap(), b"content of R1");
            assert_eq!(vault.registration_content("R2", &key).unwrap(), b"content of R2");
            let r3 = vault.registration("R3").unwrap();
            assert_eq!(
                (r3.state, r3.approved_by.as_deref(), r3.rejected_by),
                (crate::RegistrationState::Acknowledged, Some("admin"), None)
            );
            assert_eq!(vault.station_signing_seed(&key).unwrap(), [5; 32]);
            assert_eq!(vault.take_registration_sequence().unwrap(), 3);

            // And what later versions added works on it.
            assert_eq!(
                vault.login_state("omar").unwrap(),
                Some(crate::LoginState {
                    failed_logins: 0,
                    lockouts: 0,
                    locked_until: None
                })
            );
            assert_eq!(vault.station_public_key().unwrap(), None);
            vault.remember_station_public_key(&[9; 32]).unwrap();
            assert_eq!(vault.station_public_key().unwrap(), Some([9; 32]));
            vault.record_login_success("admin", "t3").unwrap();
            vault.update_draft("R1", b"edited", &key, "t3").unwrap();
            vault.finalize("R1", b"finalized R1", &key, "t3").unwrap();
            assert_eq!(vault.registration_content("R1", &key).unwrap(), b"finalized R1");
            vault
                .reject_and_seal("R2", b"env", "admin", "reason", &key, "t3")
                .unwrap();
            assert_eq!(vault.envelope("R2").unwrap(), b"env");
            if version >= 2 {
                assert_eq!(vault.envelope("R4").unwrap(), [3, 4]);
            }
            // The last sync is unknown until the station syncs once more (kept from version 5
            // on), and then kept.
            let last_sync = (version >= 5).then(|| "t8".to_string());
            assert_eq!(vault.last_sync_at().unwrap(), last_sync, "from {version}");
            vault.record_sync("t9").unwrap();
            assert_eq!(vault.last_sync_at().unwrap().as_deref(), Some("t9"));
            // Before version 6 no request key: the station makes one, an operator's sign-in
            // vouches for it, and the sync registers it. From version 6 on it is kept.
            if version >= 6 {
                assert_eq!(vault.request_key_proof().unwrap(), Some([7; 64]));
                assert_eq!(vault.ensure_request_key_seed().unwrap(), [6; 32]);
            } else {
                assert_eq!(vault.request_key_proof().unwrap(), None);
            }
            assert_eq!(vault.request_key_registered_at().unwrap(), None);
            let seed = vault.ensure_request_key_seed().unwrap();
            assert_eq!(vault.ensure_request_key_seed().unwrap(), seed, "made once, then kept");
            vault.store_request_key_proof(&[6; 64]).unwrap();
            vault.mark_request_key_registered("t9").unwrap();
            assert_eq!(vault.request_key_proof().unwrap(), Some([6; 64]));
            assert_eq!(vault.request_key_registered_at().unwrap().as_deref(), Some("t9"));
            // The upload queue keeps the order the packets were sealed in, and what it knew.
            type Entry = (String, String, u32, Option<(String, String)>);
            let queue: Vec<Entry> = vault
                .upload_queue()
                .unwrap()
                .into_iter()
                .map(|q| (q.registration_id, q.queued_at, q.failures, q.last_error))
                .collect();
            let mut expected = Vec::new();
            if version >= 3 {
                expected.push((
                    "R5".to_string(),
                    "t1".to_string(),
                    0,
                    Some(("intake_unreachable".into(), "down".into())),
                ));
            }
            if version >= 2 {
                expected.push(("R4".into(), "t2".into(), 0, None));
            }
            expected.push(("R2".into(), "t3".into(), 0, None));
            assert_eq!(queue, expected, "from {version}");
            vault.purge("R3", "t4").unwrap();
            // The register's word on a receipted packet is asked for, kept on its tombstone,
            // and its reasons sealed to an inbox key made now.
            assert_eq!(vault.awaiting_register_status(10).unwrap(), ["R3"]);
            vault
                .record_register_statuses(
                    &[crate::register_status::RegisterStatusUpdate {
                        registration_id: "R3".into(),
                        status: "processed".into(),
                        reason_sealed: None,
                        changed_at: None,
                    }],
                    "t4",
                )
                .unwrap();
            assert!(vault.awaiting_register_status(10).unwrap().is_empty());
            assert_eq!(vault.inbox_public_key().unwrap(), None);
            assert!(vault.store_inbox_key(&[1; 32], &[2; 32], &key).unwrap());
            // The register's configuration is asked from the version held (kept from version
            // 8 on); the register keys pinned at onboarding are the ones in force, with no
            // rotation known (from version 9 on, rotations retire them).
            let held = if version >= 8 { 3 } else { 0 };
            assert_eq!(vault.highest_config_version().unwrap(), held, "from {version}");
            let pinned = vault.pinned_register_keys().unwrap();
            assert_eq!(
                (pinned.current_json.as_str(), pinned.retired_json.len(), pinned.version),
                ("{}", 0, 0)
            );
            vault.rotate_register_keys("{\"new\":1}", 4, "t5", "rotated").unwrap();
            assert_eq!(vault.pinned_register_keys().unwrap().retired_json, ["{}"]);
            assert_eq!(vault.highest_config_version().unwrap(), 4);
            // Version 10's: an operator's interface language (kept from a version-10 vault),
            // the station's own thresholds.
            let kept_language = (version >= 10).then(|| "ar".to_string());
            assert_eq!(
                vault.operator_ui_language("omar").unwrap(),
                kept_language,
                "from {version}"
            );
            vault.set_operator_ui_language("omar", Some("ar")).unwrap();
            assert_eq!(vault.operator_ui_language("omar").unwrap().as_deref(), Some("ar"));
            assert_eq!(vault.station_quality_thresholds().unwrap(), None);
            vault
                .set_station_quality_thresholds(
                    Some("{\"finger\":35,\"iris\":60,\"face\":90}"),
                    "finger 40 -> 35",
                    "t5",
                )
                .unwrap();
            assert!(vault.station_quality_thresholds().unwrap().is_some());
            // Version 11's: an operator's enrolled fingers, which go with the operator.
            vault
                .replace_operator_fingerprints("omar", &[("rightIndex", b"template")], &key, "omar", "t5")
                .unwrap();
            assert_eq!(vault.operator_fingerprints("omar", &key).unwrap().len(), 1);
            vault.remove_operator("omar", "t5").unwrap();
            assert!(vault.operator_fingerprints("omar", &key).unwrap().is_empty());
            assert_eq!(
                vault.audit_events().unwrap().len(),
                9,
                "the rotation, the thresholds and the fingers are audited"
            );
            vault.integrity_check().unwrap();
            assert_eq!(vault.verify_audit_chain(&|_, _| true).unwrap().broken, None);
            assert_eq!(vault.counts().unwrap().operators, 1);
        }
    }

    /// The vault's files and folders as `(path relative to the vault's folder, mode)`, sorted.
    #[cfg(unix)]
    fn modes(dir: &Path) -> Vec<(String, u32)> {
        crate::private_files::modes_under(dir).unwrap()
    }

    /// A vault with a station, a sealed envelope and a pending content file, still open (so
    /// that SQLite's `-wal` and `-shm` exist).
    #[cfg(unix)]
    fn vault_with_every_kind_of_file(dir: &Path) -> Vault {
        let (mut vault, key) = crate::test_support::vault_with_station(dir);
        vault.insert_draft("R1", "omar", b"draft", &key, "t1").unwrap();
        vault.finalize("R1", b"final", &key, "t2").unwrap();
        vault.approve_and_seal("R1", b"envelope", "sara", "t3").unwrap();
        vault.insert_draft("R2", "omar", b"draft", &key, "t1").unwrap();
        vault.finalize("R2", b"final", &key, "t2").unwrap();
        vault
    }

    #[cfg(unix)]
    const EVERY_FILE_OWNER_ONLY: [(&str, u32); 7] = [
        ("v.blobs", 0o700),
        ("v.blobs/R1.envelope", 0o600),
        ("v.blobs/R2.content", 0o600),
        ("v.lock", 0o600),
        ("v.sqlite", 0o600),
        ("v.sqlite-shm", 0o600),
        ("v.sqlite-wal", 0o600),
    ];

    #[cfg(unix)]
    #[test]
    fn every_file_and_folder_of_the_vault_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let _vault = vault_with_every_kind_of_file(dir.path());
        // SQLite made the -wal and -shm itself; they took the database file's mode.
        let expected: Vec<(String, u32)> = EVERY_FILE_OWNER_ONLY.iter().map(|(n, m)| (n.to_string(), *m)).collect();
        assert_eq!(modes(dir.path()), expected);
    }

    #[cfg(unix)]
    #[test]
    fn a_vault_left_readable_by_others_is_tightened_when_it_opens() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_with_every_kind_of_file(dir.path());
        // As an older version left them: 0755 folders, 0644 files (the -wal and -shm too).
        for (name, _) in modes(dir.path()) {
            let path = dir.path().join(&name);
            let mode = if path.is_dir() { 0o755 } else { 0o644 };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let path = vault.path().to_path_buf();
        drop(vault);
        let vault = Vault::open(&path).unwrap();
        let expected: Vec<(String, u32)> = EVERY_FILE_OWNER_ONLY.iter().map(|(n, m)| (n.to_string(), *m)).collect();
        assert_eq!(modes(dir.path()), expected);
        vault.integrity_check().unwrap();
    }
}
