//! Owner-only folders and files. The vault's files hold resident data (as ciphertext), the
//! audit chain and the wrapped keys; a station's log names registrations. On a machine that
//! several accounts share, none of it is anyone else's to read, copy or guess at, so every
//! folder is created 0700 and every file 0600, whatever the umask.
//!
//! How that holds for each kind of file:
//! - Files and folders we create ourselves get the mode at creation ([`file_options`],
//!   [`create_folder`]): never readable by others, not even for a moment. A umask can only take
//!   bits away, so it cannot make them more open.
//! - SQLite creates `-wal` and `-shm` itself, and on Unix gives them exactly the mode of the
//!   database file (`findCreateFileMode` and `unixOpenSharedMemory` read it, then `fchmod`),
//!   so the database file is created 0600 before SQLite first opens it.
//! - Files left by an older version of the software (0755 and 0644) are tightened when they are
//!   opened ([`tighten_and_log`]), and the log says so.
//!
//! Also used by `enroll-station` for the data folder and its log file, so one rule covers them.
//! Deliberately absent: ACLs, ownership changes, and anything on platforms without Unix modes
//! (there the functions create plainly and tighten nothing).

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

/// Folders: the owner may list, enter and change them; nobody else may do anything.
pub const FOLDER_MODE: u32 = 0o700;
/// Files: the owner reads and writes; nobody else may do anything.
pub const FILE_MODE: u32 = 0o600;

/// Create `dir` and any missing parents owner-only. A folder that exists already is left as it
/// is (see [`tighten_and_log`]).
pub fn create_folder(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, FOLDER_MODE);
    builder.create(dir)
}

/// Open options that create a missing file owner-only. An existing file keeps its mode (see
/// [`tighten_and_log`]).
pub fn file_options() -> OpenOptions {
    #[allow(unused_mut)] // Only Unix sets a mode.
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Take every permission of group and others off `path` (following a symbolic link), and
/// return the mode it had when there were any. A missing path is fine: nothing to tighten.
pub fn tighten(path: &Path) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 == 0 {
            return Ok(None);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077))?;
        Ok(Some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

/// [`tighten`], saying in the log what it changed. A failure is logged, not returned: a station
/// that cannot change a mode (a folder owned by someone else) still opens, and the warning
/// tells the support staff what to fix.
pub fn tighten_and_log(path: &Path) {
    match tighten(path) {
        Ok(None) => {}
        Ok(Some(was)) => tracing::warn!(
            path = %path.display(),
            was = format_args!("{was:04o}"),
            "others could read this station file; it is now readable by its owner only"
        ),
        Err(error) => tracing::warn!(
            path = %path.display(),
            %error,
            "others may be able to read this station file, and its permissions could not be tightened"
        ),
    }
}

/// Every file and folder under `dir` with its permission bits, as `(path relative to dir,
/// mode)`, sorted: what an admin or a test checks to see that nothing is open to others.
#[cfg(unix)]
pub fn modes_under(dir: &Path) -> io::Result<Vec<(String, u32)>> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            let metadata = std::fs::metadata(&path)?;
            let name = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned();
            found.push((name, metadata.permissions().mode() & 0o7777));
            if metadata.is_dir() {
                folders.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn what_is_created_here_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_folder(&nested).unwrap();
        assert_eq!(mode(&dir.path().join("a")), FOLDER_MODE, "missing parents too");
        assert_eq!(mode(&nested), FOLDER_MODE);
        create_folder(&nested).unwrap();

        let file = nested.join("f");
        file_options()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&file)
            .unwrap();
        assert_eq!(mode(&file), FILE_MODE);
    }

    #[test]
    fn tightening_takes_off_group_and_other_bits_only_and_says_what_it_found() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("open");
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = folder.join("f");
        std::fs::write(&file, b"x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();

        assert_eq!(tighten(&folder).unwrap(), Some(0o755));
        assert_eq!(tighten(&file).unwrap(), Some(0o664));
        assert_eq!((mode(&folder), mode(&file)), (0o700, 0o600));
        assert_eq!(tighten(&file).unwrap(), None, "already tight");
        assert_eq!(tighten(&folder.join("missing")).unwrap(), None);

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(tighten(&file).unwrap(), None);
        assert_eq!(mode(&file), 0o400, "an owner's own restriction stays");
    }
}
