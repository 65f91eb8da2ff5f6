//! Everything under the station's data folder is its own account's alone: every folder 0700,
//! every file 0600 (the vault, its `-wal` and `-shm`, its lock, its blob files, the log), both
//! in a new station and in one whose folder an older version left open.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::{as_user, data_dir, fixture, open_station, pending_registration, Fixture, MAKER, SUPERVISOR};

/// Every path under `dir` (relative) with its mode, sorted.
fn modes(dir: &Path) -> Vec<(String, u32)> {
    enroll_store::private_files::modes_under(dir).unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Every kind of file the station writes: the log, and a vault with a sealed envelope and a
/// pending envelope file; returns the two registrations.
fn station_with_every_kind_of_file(fixture: &Fixture) -> (String, String) {
    let dir = data_dir(fixture.dir.path());
    let mut log = enroll_station::private_files::open_log_file(&dir).unwrap();
    std::io::Write::write_all(&mut log, b"a line of the station's log\n").unwrap();
    as_user(&fixture.station, MAKER);
    let approved = pending_registration(&fixture.station);
    let pending = pending_registration(&fixture.station);
    as_user(&fixture.station, SUPERVISOR);
    fixture.station.approve(&approved).unwrap();
    (approved, pending)
}

/// What [`station_with_every_kind_of_file`] leaves, each owner-only.
fn expected(approved: &str, pending: &str) -> Vec<(String, u32)> {
    let mut expected = vec![
        (enroll_station::LOG_FILE.to_string(), 0o600),
        (enroll_station::VAULT_FILE.to_string(), 0o600),
        (format!("{}-shm", enroll_station::VAULT_FILE), 0o600),
        (format!("{}-wal", enroll_station::VAULT_FILE), 0o600),
        ("vault.blobs".to_string(), 0o700),
        (format!("vault.blobs/{approved}.envelope"), 0o600),
        (format!("vault.blobs/{pending}.envelope"), 0o600),
        ("vault.lock".to_string(), 0o600),
    ];
    expected.sort();
    expected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_folder_and_file_the_station_writes_is_owner_only() {
    let fixture = fixture().await;
    let (approved, pending) = station_with_every_kind_of_file(&fixture);
    let dir = data_dir(fixture.dir.path());
    assert_eq!(mode(&dir), 0o700, "the data folder");
    assert_eq!(modes(&dir), expected(&approved, &pending));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_left_open_by_an_older_version_is_tightened_when_the_station_opens() {
    let fixture = fixture().await;
    let (approved, pending) = station_with_every_kind_of_file(&fixture);
    let Fixture {
        dir: temp,
        intake,
        clock,
        station,
        ..
    } = fixture;
    drop(station);
    let dir = data_dir(temp.path());
    // As an older version left it: 0755 folders, 0644 files.
    let mut paths: Vec<_> = modes(&dir).into_iter().map(|(name, _)| dir.join(name)).collect();
    paths.push(dir.clone());
    for path in &paths {
        let mode = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    let station = open_station(temp.path(), &intake.base_url(), &clock);
    assert_eq!(mode(&dir), 0o700, "the data folder");
    assert_eq!(modes(&dir), expected(&approved, &pending));
    // Still the same station, whole.
    as_user(&station, SUPERVISOR);
    station.approve(&pending).unwrap();
}
