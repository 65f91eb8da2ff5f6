//! Big blobs as files beside the vault: a pending registration's content and every sealed
//! envelope (3–5 MB each for a full registration).
//!
//! Why files: inside SQLite a 4 MB blob is written twice (WAL, then the checkpoint), erased
//! page by page by `secure_delete`, and read back through a chain of a thousand overflow
//! pages. As a file it is written once, with one `fdatasync`. The row names the file; the row
//! is the truth. The folder is `<vault stem>.blobs/` beside the vault file (`vault.blobs/`).
//!
//! The rules that keep files and rows consistent through crashes:
//! - **Write, then refer.** A file is written and made durable (file and folder synced) before
//!   the transaction that names it commits. A crash in between leaves a file that no row
//!   names; its name is fixed by the registration and its kind, so the retry overwrites it.
//! - **Let go, then delete.** A transaction that stops naming a file puts its name in
//!   `blob_trash` in the same commit; the file is deleted right after the commit, and whatever
//!   a crash left in the trash is deleted the next time the vault opens. A name is never used
//!   again once trashed (a registration never returns to draft, nor to sealed after a purge).
//! - A pending registration's content file is AES-256-GCM under the registration's own key
//!   (the draft's, see [`crate::registrations`]), which is stored only in the row, wrapped
//!   under the data key. Approval erases that key in the database, so
//!   whatever the file system keeps of the deleted file (journals, SSD remapping) is unreadable:
//!   the erasure does not depend on the file system overwriting anything.
//!
//! Deliberately absent: locking between processes (the station opens its vault once) and any
//! knowledge of what the bytes mean.

use std::fs::File;
use std::io::{ErrorKind, Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::{private_files, StoreError};

/// The schema version that brought blob files (a vault opened read-only may be older).
const BLOBS_SINCE_SCHEMA_VERSION: u32 = 3;

/// What a blob file holds; part of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlobKind {
    /// A pending registration's readable content, under its own content key (before
    /// envelope version 2).
    Content,
    /// The sealed envelope, as it is uploaded; from finalize to review, the pending envelope
    /// (header and body), read with the key the row wraps.
    Envelope,
}

impl BlobKind {
    /// Whether `file` (a name from a row) is of this kind.
    pub(crate) fn names(self, file: &str) -> bool {
        file.strip_suffix(self.extension())
            .is_some_and(|stem| stem.ends_with('.'))
    }

    fn extension(self) -> &'static str {
        match self {
            BlobKind::Content => "content",
            BlobKind::Envelope => "envelope",
        }
    }
}

/// The blob folder of one vault.
#[derive(Debug, Clone)]
pub(crate) struct BlobStore {
    dir: PathBuf,
}

impl BlobStore {
    /// The folder beside `vault_path`: `vault.sqlite` → `vault.blobs/`.
    pub(crate) fn beside(vault_path: &Path) -> BlobStore {
        BlobStore {
            dir: vault_path.with_extension("blobs"),
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file name for a registration's blob of `kind`. Registration ids are checked to be
    /// plain names first, so no id can reach outside the folder.
    pub(crate) fn name(registration_id: &str, kind: BlobKind) -> Result<String, StoreError> {
        let plain = !registration_id.is_empty()
            && registration_id.len() <= 64
            && registration_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plain {
            return Err(StoreError::Corrupt(format!(
                "registration id {registration_id:?} cannot name a file (1 to 64 of A-Z, a-z, 0-9, '-', '_')"
            )));
        }
        Ok(format!("{registration_id}.{}", kind.extension()))
    }

    /// The path of `name`. Names come from rows, which a damaged or tampered vault could
    /// fill with anything, so only a plain file name is accepted.
    fn path(&self, name: &str) -> Result<PathBuf, StoreError> {
        let plain = !name.starts_with('.')
            && !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !plain {
            return Err(StoreError::Corrupt(format!("{name:?} is not a blob file name")));
        }
        Ok(self.dir.join(name))
    }

    /// Write `bytes` as `name` and make it durable: the file's data and its entry in the
    /// folder. Replaces a file of that name left by an earlier attempt. On failure the partial
    /// file is removed (a full disk gets its space back) and the error says what happened.
    ///
    /// The file's data and the folder are synced at the same time, on two threads: both must
    /// be on disk before a row names the file, but neither needs the other first, and a
    /// journalling file system (ext4) commits both in one journal commit when they are asked
    /// for together. One sync after the other cost two commits, the larger part of finalize's
    /// and of approval's time on the station's disk (`make bench`).
    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.ensure_dir()?;
        let path = self.path(name)?;
        let (written, folder_synced) = std::thread::scope(|scope| {
            let created = private_files::file_options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&path)
                .and_then(|mut file| file.write_all(bytes).map(|()| file));
            let file = match created {
                Ok(file) => file,
                Err(error) => return (Err(error), Ok(())),
            };
            // The entry exists now, so the folder's sync makes it durable whatever the data's
            // sync is doing.
            let folder = scope.spawn(|| sync_dir(&self.dir));
            let written = file.sync_data();
            drop(file);
            let folder_synced = folder.join().unwrap_or_else(|_| {
                Err(StoreError::Io(format!(
                    "{}: the folder's sync stopped",
                    self.dir.display()
                )))
            });
            (written, folder_synced)
        });
        if let Err(error) = written {
            let _ = std::fs::remove_file(&path);
            return Err(io_error(error, &path));
        }
        folder_synced
    }

    /// Keep the first `keep` bytes of `name` (already durable), put `tail` after them, and
    /// make that durable: a review appended to a pending envelope. Whatever followed `keep`
    /// (a tail from an attempt that did not commit) is replaced.
    pub(crate) fn append_after(&self, name: &str, keep: u64, tail: &[u8]) -> Result<(), StoreError> {
        use std::io::{Seek as _, SeekFrom};
        let path = self.path(name)?;
        let appended = File::options().write(true).open(&path).and_then(|mut file| {
            if file.metadata()?.len() < keep {
                return Err(std::io::Error::new(
                    ErrorKind::UnexpectedEof,
                    format!("the file is shorter than the {keep} bytes it must keep"),
                ));
            }
            file.set_len(keep)?;
            file.seek(SeekFrom::Start(keep))?;
            file.write_all(tail)?;
            // The file's entry and its first `keep` bytes were made durable when it was
            // written; only the new bytes and the length need to be.
            file.sync_data()
        });
        appended.map_err(|error| match error.kind() {
            ErrorKind::NotFound => {
                StoreError::Corrupt(format!("the file {} that the vault names is missing", path.display()))
            }
            _ => io_error(error, &path),
        })
    }

    /// `name`, opened for reading. A missing file is damage: a row names it.
    pub(crate) fn open(&self, name: &str) -> Result<File, StoreError> {
        let path = self.path(name)?;
        File::open(&path).map_err(|error| match error.kind() {
            ErrorKind::NotFound => {
                StoreError::Corrupt(format!("the file {} that the vault names is missing", path.display()))
            }
            _ => io_error(error, &path),
        })
    }

    /// The bytes of `name`. A missing file is damage: a row names it.
    pub(crate) fn read(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path(name)?;
        let mut file = self.open(name)?;
        let mut bytes = Vec::with_capacity(file.metadata().map(|m| m.len() as usize).unwrap_or(0));
        file.read_to_end(&mut bytes).map_err(|error| io_error(error, &path))?;
        Ok(bytes)
    }

    /// The size of `name`, or `None` when it is missing (for `enroll vault check`).
    pub(crate) fn size(&self, name: &str) -> Result<Option<u64>, StoreError> {
        let path = self.path(name)?;
        match std::fs::metadata(&path) {
            Ok(metadata) => Ok(Some(metadata.len())),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(io_error(error, &path)),
        }
    }

    /// Delete `name`; gone already is fine.
    pub(crate) fn remove(&self, name: &str) -> Result<(), StoreError> {
        let path = self.path(name)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(()),
            Err(error) => Err(io_error(error, &path)),
        }
    }

    /// Make the folder and every file in it owner-only, as a vault written by an older version
    /// may not have left them (see [`crate::private_files`]). Only plain files are touched: a
    /// link in the folder is not ours to change the target of.
    pub(crate) fn tighten_and_log(&self) {
        private_files::tighten_and_log(&self.dir);
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return; // No folder yet, or unreadable: the first write creates or reports it.
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|kind| kind.is_file()) {
                private_files::tighten_and_log(&entry.path());
            }
        }
    }

    /// Create the folder (and make its entry in the vault's folder durable) if it is missing.
    fn ensure_dir(&self) -> Result<(), StoreError> {
        if self.dir.is_dir() {
            return Ok(());
        }
        private_files::create_folder(&self.dir).map_err(|error| io_error(error, &self.dir))?;
        match self.dir.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => sync_dir(parent),
            _ => Ok(()),
        }
    }
}

/// Make a folder's entries durable (a new or renamed file in it survives a power cut).
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|folder| folder.sync_all())
        .map_err(|error| io_error(error, dir))
}

/// An I/O error as a vault error: a full disk is `disk_full` (nothing changed), anything else
/// names the file.
fn io_error(error: std::io::Error, path: &Path) -> StoreError {
    if error.kind() == ErrorKind::StorageFull || error.raw_os_error() == Some(28) {
        return StoreError::DiskFull;
    }
    StoreError::Io(format!("{}: {error}", path.display()))
}

impl crate::Vault {
    /// After a commit that stopped naming `file`: delete it, and fold the WAL back into the
    /// database so that erased values (a content key, a reason) do not linger in old WAL
    /// frames. Neither step can undo the commit, so neither fails the move: a file left behind
    /// stays in `blob_trash` for the next open, and the WAL is folded at the next checkpoint.
    ///
    /// The two run at the same time: each waits on the disk (the delete on freeing the file's
    /// blocks, the checkpoint on its syncs), neither needs the other, and approval waits for
    /// both (`make bench` times it).
    pub(crate) fn let_go_of(&self, files: &[&str]) {
        std::thread::scope(|scope| {
            if !files.is_empty() {
                let blobs = &self.blobs;
                scope.spawn(move || {
                    for file in files {
                        if let Err(error) = blobs.remove(file) {
                            tracing::warn!(file, %error, "a blob the vault no longer needs could not be deleted yet");
                        }
                    }
                });
            }
            if let Err(error) = self
                .connection
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            {
                tracing::warn!(%error, "the WAL could not be folded into the vault yet");
            }
        });
    }

    /// Delete every file in `blob_trash` (left by a crash between a commit and the delete),
    /// then forget the names of those that are gone.
    pub(crate) fn empty_blob_trash(&self) -> Result<(), StoreError> {
        let names: Vec<String> = self
            .connection
            .prepare("SELECT name FROM blob_trash")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for name in names {
            match self.blobs.remove(&name) {
                Ok(()) => {
                    self.connection
                        .execute("DELETE FROM blob_trash WHERE name = ?1", [&name])?;
                }
                Err(error) => tracing::warn!(name, %error, "a blob in the trash could not be deleted yet"),
            }
        }
        Ok(())
    }

    /// The files in the blob folder that no row names, sorted. A crash between writing a file
    /// and the commit that names it leaves one: `<id>.content` of a draft, `<id>.envelope` of
    /// a pending registration (and `<id>.envelope` of a draft, since finalize seals the packet);
    /// the retry overwrites it, a discard deletes it.
    pub fn stray_blob_files(&self) -> Result<Vec<String>, StoreError> {
        if self.schema_version()? < BLOBS_SINCE_SCHEMA_VERSION {
            return Ok(Vec::new());
        }
        let entries = match std::fs::read_dir(self.blobs.dir()) {
            Ok(entries) => entries,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(io_error(error, self.blobs.dir())),
        };
        let named: std::collections::HashSet<String> = self
            .connection
            .prepare(
                "SELECT content_file FROM registrations WHERE content_file IS NOT NULL
                 UNION ALL SELECT envelope_file FROM registrations WHERE envelope_file IS NOT NULL",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut strays = Vec::new();
        for entry in entries {
            let name = entry
                .map_err(|error| io_error(error, self.blobs.dir()))?
                .file_name()
                .to_string_lossy()
                .into_owned();
            if !named.contains(&name) {
                strays.push(name);
            }
        }
        strays.sort();
        Ok(strays)
    }

    /// Every file a row names is there (for `enroll vault check` and the crash tests).
    pub(crate) fn check_blob_files(&self) -> Result<(), StoreError> {
        if self.schema_version()? < BLOBS_SINCE_SCHEMA_VERSION {
            return Ok(());
        }
        let mut statement = self.connection.prepare(
            "SELECT registration_id, content_file, envelope_file FROM registrations
             WHERE content_file IS NOT NULL OR envelope_file IS NOT NULL",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut missing = Vec::new();
        for row in rows {
            let (registration_id, content, envelope) = row?;
            for file in [content, envelope].into_iter().flatten() {
                if self.blobs.size(&file)?.is_none() {
                    missing.push(format!("{file} (registration {registration_id})"));
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        Err(StoreError::Corrupt(format!(
            "{} file(s) that the vault names are missing from {}: {}",
            missing.len(),
            self.blobs.dir().display(),
            missing.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_written_read_and_removed_in_the_folder_beside_the_vault() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::beside(&dir.path().join("vault.sqlite"));
        assert_eq!(blobs.dir(), dir.path().join("vault.blobs"));
        let name = BlobStore::name("100010000120250301", BlobKind::Envelope).unwrap();
        assert_eq!(name, "100010000120250301.envelope");

        blobs.write(&name, b"first try").unwrap();
        blobs.write(&name, b"sealed").unwrap();
        assert_eq!(blobs.read(&name).unwrap(), b"sealed");
        assert_eq!(blobs.size(&name).unwrap(), Some(6));
        blobs.remove(&name).unwrap();
        blobs.remove(&name).unwrap();
        assert_eq!(blobs.size(&name).unwrap(), None);
        let missing = blobs.read(&name).unwrap_err();
        assert_eq!(missing.code(), "vault_corrupt");
        assert!(missing.to_string().contains("is missing"), "{missing}");
    }

    #[test]
    fn only_plain_registration_ids_name_files() {
        for id in ["", "../escape", "a/b", "a.b", "space d", &"9".repeat(65)] {
            assert_eq!(
                BlobStore::name(id, BlobKind::Content).unwrap_err().code(),
                "vault_corrupt",
                "{id:?}"
            );
        }
        assert_eq!(BlobStore::name("R-1_a", BlobKind::Content).unwrap(), "R-1_a.content");
    }

    mod in_the_vault {
        use crate::test_support::vault_with_station;
        use crate::{RegistrationState, Vault};

        fn pending(vault: &mut Vault, key: &crate::DataKey, id: &str) {
            vault.insert_draft(id, "omar", b"draft", key, "t0").unwrap();
            vault.finalize(id, b"ZZMARKER finalized", key, "t1").unwrap();
        }

        #[test]
        fn approval_erases_the_content_key_so_a_recovered_content_file_stays_unreadable() {
            let dir = tempfile::tempdir().unwrap();
            let (mut vault, key) = vault_with_station(dir.path());
            pending(&mut vault, &key, "R1");
            let content_path = vault.blobs.dir().join("R1.content");
            // What a forensic tool might still find of the file after its deletion.
            let recovered = std::fs::read(&content_path).unwrap();
            assert!(
                !recovered.windows(8).any(|w| w == b"ZZMARKER"),
                "only ciphertext on disk"
            );

            vault.approve_and_seal("R1", b"sealed envelope", "sara", "t2").unwrap();
            assert!(!content_path.exists(), "the content file is deleted");
            let (file, wrapped): (Option<String>, Option<Vec<u8>>) = vault
                .connection
                .query_row(
                    "SELECT content_file, content_key_sealed FROM registrations WHERE registration_id = 'R1'",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!((file, wrapped), (None, None), "no key is left to open it with");
            // Not even the data key opens it: it was sealed under the erased content key.
            assert_eq!(
                key.open(&recovered, "registrations/R1/content").unwrap_err().code(),
                "vault_corrupt"
            );
            assert_eq!(vault.envelope("R1").unwrap(), b"sealed envelope");
            assert_eq!(
                std::fs::read(vault.blobs.dir().join("R1.envelope")).unwrap(),
                b"sealed envelope",
                "the envelope file is the envelope, byte for byte (openable with `enroll packet open`)"
            );
        }

        #[test]
        fn a_file_left_in_the_trash_by_a_crash_is_deleted_when_the_vault_opens() {
            let dir = tempfile::tempdir().unwrap();
            let (mut vault, key) = vault_with_station(dir.path());
            pending(&mut vault, &key, "R1");
            // A crash right after the approval's commit, before the content file's delete.
            let leftover = vault.blobs.dir().join("R1.content");
            let kept = std::fs::read(&leftover).unwrap();
            vault.approve_and_seal("R1", b"envelope", "sara", "t2").unwrap();
            std::fs::write(&leftover, kept).unwrap();
            vault
                .connection
                .execute("INSERT OR IGNORE INTO blob_trash (name) VALUES ('R1.content')", [])
                .unwrap();
            let path = vault.path().to_path_buf();
            drop(vault);

            let vault = Vault::open(&path).unwrap();
            assert!(!leftover.exists());
            let trash: i64 = vault
                .connection
                .query_row("SELECT COUNT(*) FROM blob_trash", [], |r| r.get(0))
                .unwrap();
            assert_eq!(trash, 0);
            assert_eq!(vault.registration("R1").unwrap().state, RegistrationState::Sealed);
            vault.integrity_check().unwrap();
        }

        #[test]
        fn a_finalize_that_did_not_commit_leaves_no_file_and_a_missed_one_is_overwritten() {
            let dir = tempfile::tempdir().unwrap();
            let (mut vault, key) = vault_with_station(dir.path());
            pending(&mut vault, &key, "R1");
            let content_path = vault.blobs.dir().join("R1.content");
            let before = std::fs::read(&content_path).unwrap();
            // Finalizing again is refused before anything is written: the file is the row's.
            assert_eq!(
                vault.finalize("R1", b"other", &key, "t2").unwrap_err().code(),
                "invalid_state"
            );
            assert_eq!(std::fs::read(&content_path).unwrap(), before);
            assert_eq!(vault.registration_content("R1", &key).unwrap(), b"ZZMARKER finalized");

            // A draft whose finalize crashed after writing its file: the retry overwrites it,
            // and a discard deletes it.
            vault.insert_draft("R2", "omar", b"draft", &key, "t0").unwrap();
            std::fs::write(vault.blobs.dir().join("R2.content"), b"half written").unwrap();
            vault.finalize("R2", b"second try", &key, "t1").unwrap();
            assert_eq!(vault.registration_content("R2", &key).unwrap(), b"second try");
            vault.insert_draft("R3", "omar", b"draft", &key, "t0").unwrap();
            std::fs::write(vault.blobs.dir().join("R3.content"), b"half written").unwrap();
            std::fs::write(vault.blobs.dir().join("R3.envelope"), b"half sealed").unwrap();
            assert_eq!(vault.stray_blob_files().unwrap(), ["R3.content", "R3.envelope"]);
            vault.discard_draft("R3", "t1").unwrap();
            assert!(!vault.blobs.dir().join("R3.content").exists());
            assert!(!vault.blobs.dir().join("R3.envelope").exists());
            assert!(vault.stray_blob_files().unwrap().is_empty());
            // The same for a packet sealed at finalize: the retry overwrites it.
            vault.insert_draft("R4", "omar", b"draft", &key, "t0").unwrap();
            std::fs::write(vault.blobs.dir().join("R4.envelope"), b"half sealed").unwrap();
            vault.finalize_sealed("R4", b"sealed", &[3; 32], &key, "t1").unwrap();
            assert_eq!(vault.pending_envelope("R4", &key).unwrap().unwrap().0, b"sealed");
        }

        /// A full disk while the content file is written: `/dev/full` answers every write with
        /// ENOSPC, as a full file system does.
        #[cfg(target_os = "linux")]
        #[test]
        fn a_full_disk_while_writing_a_file_is_disk_full_and_changes_nothing() {
            let dir = tempfile::tempdir().unwrap();
            let (mut vault, key) = vault_with_station(dir.path());
            vault.insert_draft("R1", "omar", b"draft", &key, "t0").unwrap();
            std::fs::create_dir_all(vault.blobs.dir()).unwrap();
            let file = vault.blobs.dir().join("R1.content");
            std::os::unix::fs::symlink("/dev/full", &file).unwrap();

            let error = vault.finalize("R1", b"finalized", &key, "t1").unwrap_err();
            assert_eq!(error.code(), "disk_full");
            assert!(error.to_string().contains("nothing was changed"), "{error}");
            assert!(std::fs::symlink_metadata(&file).is_err(), "the partial file is removed");
            let row = vault.registration("R1").unwrap();
            assert_eq!((row.state, row.updated_at.as_str()), (RegistrationState::Draft, "t0"));
            assert_eq!(vault.registration_content("R1", &key).unwrap(), b"draft");
            vault.integrity_check().unwrap();
            // Once there is room again, the same finalize goes through.
            vault.finalize("R1", b"finalized", &key, "t1").unwrap();
            assert_eq!(vault.registration_content("R1", &key).unwrap(), b"finalized");
        }

        #[test]
        fn a_missing_file_is_reported_by_the_integrity_check() {
            let dir = tempfile::tempdir().unwrap();
            let (mut vault, key) = vault_with_station(dir.path());
            pending(&mut vault, &key, "R1");
            vault.approve_and_seal("R1", b"envelope", "sara", "t2").unwrap();
            vault.integrity_check().unwrap();
            std::fs::remove_file(vault.blobs.dir().join("R1.envelope")).unwrap();
            let error = vault.integrity_check().unwrap_err();
            assert_eq!(error.code(), "vault_corrupt");
            assert!(error.to_string().contains("R1.envelope (registration R1)"), "{error}");
            assert_eq!(vault.envelope("R1").unwrap_err().code(), "vault_corrupt");
        }

        #[test]
        fn one_program_at_a_time_opens_the_vault_for_writing() {
            let dir = tempfile::tempdir().unwrap();
            let (vault, _) = vault_with_station(dir.path());
            let path = vault.path().to_path_buf();
            assert_eq!(Vault::open(&path).err().unwrap().code(), "vault_in_use");
            // Checking it read-only is fine meanwhile.
            Vault::open_read_only(&path).unwrap().integrity_check().unwrap();
            drop(vault);
            Vault::open(&path).unwrap();
        }
    }
}
