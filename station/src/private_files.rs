//! The station's data folder and its log file, readable by the station's own account only
//! (folders 0700, files 0600): the folder holds the vault, and the log names registrations and
//! operators. The rule and its Unix details are [`enroll_store::private_files`], which the
//! vault's own files follow too; the app and the CLI come through here for the rest.
//!
//! The order in which the app calls these matters. Its log file is opened before logging
//! starts, so [`open_log_file`] creates what is missing owner-only but changes nothing that
//! exists; [`open_data_folder`] runs when the station opens, once logging is up, and tightens
//! what an older version left open, saying so in the log.
//!
//! Deliberately absent: what goes in the log (the station logs ids and codes only), and
//! anything on platforms without Unix modes (there folders and files are created plainly).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use enroll_store::private_files;

use crate::LOG_FILE;

/// Create the data folder owner-only, or tighten one that an older version left open, and its
/// log file with it. [`crate::Station::open`] calls this; the vault tightens its own files.
pub fn open_data_folder(data_dir: &Path) -> io::Result<()> {
    private_files::create_folder(data_dir)?;
    private_files::tighten_and_log(data_dir);
    private_files::tighten_and_log(&data_dir.join(LOG_FILE));
    Ok(())
}

/// The station's log file in `data_dir` ([`LOG_FILE`]), opened for appending; it and the
/// folder are created owner-only when missing. Existing ones are tightened by
/// [`open_data_folder`], where the log can say so.
pub fn open_log_file(data_dir: &Path) -> io::Result<File> {
    private_files::create_folder(data_dir)?;
    private_files::file_options()
        .create(true)
        .append(true)
        .open(data_dir.join(LOG_FILE))
}

/// `dir`, a folder the app keeps under the data folder (the webview's storage), created
/// owner-only or tightened. What others write inside it (WebKit's caches) is out of reach
/// through it whatever their modes.
pub fn private_folder(dir: PathBuf) -> io::Result<PathBuf> {
    private_files::create_folder(&dir)?;
    private_files::tighten_and_log(&dir);
    Ok(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_new_data_folder_its_log_and_the_webview_folder_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("app-data/station");
        let mut log = open_log_file(&data_dir).unwrap();
        io::Write::write_all(&mut log, b"a line\n").unwrap();
        let webview = private_folder(data_dir.join("webview")).unwrap();
        assert_eq!(
            (mode(&data_dir), mode(&data_dir.join(LOG_FILE)), mode(&webview)),
            (0o700, 0o600, 0o700)
        );
        open_data_folder(&data_dir).unwrap();
        assert_eq!(mode(&data_dir), 0o700);
    }

    #[test]
    fn a_data_folder_left_open_is_tightened_when_the_station_opens_it_not_when_the_log_does() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("station");
        std::fs::create_dir(&data_dir).unwrap();
        std::fs::write(data_dir.join(LOG_FILE), b"old lines\n").unwrap();
        std::fs::create_dir(data_dir.join("webview")).unwrap();
        set_mode(&data_dir, 0o755);
        set_mode(&data_dir.join(LOG_FILE), 0o644);
        set_mode(&data_dir.join("webview"), 0o755);

        // Before logging starts: nothing is changed, so nothing goes unsaid.
        drop(open_log_file(&data_dir).unwrap());
        assert_eq!((mode(&data_dir), mode(&data_dir.join(LOG_FILE))), (0o755, 0o644));

        open_data_folder(&data_dir).unwrap();
        private_folder(data_dir.join("webview")).unwrap();
        assert_eq!(
            (
                mode(&data_dir),
                mode(&data_dir.join(LOG_FILE)),
                mode(&data_dir.join("webview"))
            ),
            (0o700, 0o600, 0o700)
        );
        assert_eq!(std::fs::read(data_dir.join(LOG_FILE)).unwrap(), b"old lines\n");
    }
}
