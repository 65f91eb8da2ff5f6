//! Opening the vault file: pragmas and schema migrations.
//!
//! Migration rule: migrations only ever add (tables, nullable columns, indexes); each one runs
//! in one transaction and bumps `PRAGMA user_version`. A vault from a newer version of the
//! software is refused rather than guessed at.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::StoreError;

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
];

/// The open vault. Not `Sync`: the station wraps it in a mutex.
pub struct Vault {
    pub(crate) connection: Connection,
    path: PathBuf,
}

impl Vault {
    /// Open or create the vault at `path`, applying pending migrations.
    pub fn open(path: &Path) -> Result<Vault, StoreError> {
        let mut connection = Connection::open(path)?;
        // WAL + FULL: a registration the clerk was told is saved survives a power cut.
        // secure_delete: erased content (the readable copy of an approved packet) is
        // overwritten with zeros, not left in free pages.
        connection.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA busy_timeout = 5000;",
        )?;
        migrate(&mut connection)?;
        Ok(Vault {
            connection,
            path: path.to_path_buf(),
        })
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
        if verdict == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(verdict))
        }
    }
}

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let version: usize = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the vault is at schema version {version}, newer than this software ({}); update the software",
            MIGRATIONS.len()
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version) {
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
}
