//! `enroll sync` on a station's folder, as a support person or a script runs it: once with the
//! intake down (the packets stay queued, exit code 5, the report says why), then `--watch`
//! with the intake coming back while it waits: it sends the queue by itself, and Ctrl-C ends
//! it after the run in progress.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use enroll_intake::IntakeConfig;
use enroll_packet::RegisterKeyPair;
use enroll_station::SetupRequest;

use crate::{capture_face, identity, officer, open_station};

const ADMIN_PASSWORD: &str = "a long passphrase";

/// A station in `dir/station`, set up against an intake that is then stopped, with `count`
/// approved registrations queued. Returns their ids and the intake's address and key.
pub(crate) async fn station_with_queue(
    dir: &Path,
    count: usize,
) -> (Vec<String>, std::net::SocketAddr, RegisterKeyPair) {
    let keys = RegisterKeyPair::generate();
    let config = |keys: &RegisterKeyPair| {
        IntakeConfig::new(dir.join("intake"), RegisterKeyPair::from_json(&keys.to_json()).unwrap())
            .approving_stations_automatically()
    };
    let intake = enroll_intake::spawn(config(&keys), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let address = intake.local_addr();
    let station = open_station(dir.join("station"), intake.base_url());
    station
        .set_up(SetupRequest {
            station_name: "Mobile team 7".into(),
            center_id: "10007".into(),
            admin_username: "admin".into(),
            admin_full_name: "Youssef Alami".into(),
            admin_password: ADMIN_PASSWORD.into(),
            enrollment_code: None,
        })
        .await
        .unwrap();
    intake.shutdown().await;
    station.log_in("admin", ADMIN_PASSWORD).unwrap();
    station.add_operator(officer("omar")).unwrap();
    station.log_in("omar", "omar's password").unwrap();
    let mut ids = Vec::new();
    for _ in 0..count {
        let rid = station.new_registration().unwrap().registration_id;
        station.record_consent(&rid, true).unwrap();
        station.save_draft(&rid, identity()).unwrap();
        capture_face(&station, &rid);
        super::attach_proof_of_identity(&station, &rid);
        station.finalize(&rid).unwrap();
        ids.push(rid);
    }
    station.log_in("admin", ADMIN_PASSWORD).unwrap();
    for rid in &ids {
        station.approve(rid).unwrap();
    }
    (ids, address, keys)
}

pub(crate) fn states(dir: &Path, ids: &[String]) -> Vec<String> {
    let station = open_station(dir.join("station"), String::new());
    station.log_in("admin", ADMIN_PASSWORD).unwrap();
    ids.iter()
        .map(|rid| station.registration(rid).unwrap().state.as_str().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_sync_sends_the_queue_once_or_keeps_watching_until_the_intake_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, address, keys) = station_with_queue(dir.path(), 2).await;
    let data = dir.path().join("station");

    // Once, with the intake down: nothing leaves, nothing is lost, and the exit code says so.
    let once = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .arg("sync")
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(once.status.code(), Some(5), "{}", String::from_utf8_lossy(&once.stderr));
    let report: serde_json::Value = serde_json::from_slice(&once.stdout).unwrap();
    assert_eq!(report["acknowledged"], 0);
    assert_eq!(report["failures"][0]["error"]["code"], "intake_unreachable");
    assert_eq!(states(dir.path(), &ids), ["sealed", "sealed"]);

    // Watching: the intake comes back while it waits, and the queue goes by itself.
    let mut watching = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .arg("sync")
        .arg("--data")
        .arg(&data)
        .arg("--watch")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("watch.log")).unwrap())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let intake = enroll_intake::spawn(
        IntakeConfig::new(
            dir.path().join("intake"),
            RegisterKeyPair::from_json(&keys.to_json()).unwrap(),
        )
        .approving_stations_automatically(),
        address,
    )
    .await
    .unwrap();
    let stored = dir.path().join("intake").join("packets");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_dir(&stored).map(|d| d.count()).unwrap_or(0) < ids.len() {
        assert!(Instant::now() < deadline, "the watching sync did not send the queue");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Ctrl-C: it finishes the run it is in (the receipts) and stops.
    let interrupted = Command::new("kill")
        .args(["-INT", &watching.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = tokio::task::spawn_blocking(move || watching.wait().unwrap())
        .await
        .unwrap();
    let output = (status, std::fs::read_to_string(dir.path().join("watch.log")).unwrap());
    assert!(output.0.success(), "{}", output.1);
    assert!(output.1.contains("the intake does not answer"), "{}", output.1);
    assert!(
        output.1.contains(&format!("{} 100%", ids[1])),
        "progress lines: {}",
        output.1
    );
    assert_eq!(states(dir.path(), &ids), ["acknowledged", "acknowledged"]);
    intake.shutdown().await;
}
