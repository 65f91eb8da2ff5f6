//! `enroll audit verify`, `enroll vault check` and `enroll packet verify` on a real station's
//! folder: their reports, their errors and their exit codes.

use std::path::Path;
use std::process::{Command, Output};

use enroll_intake::IntakeConfig;
use enroll_packet::RegisterKeyPair;
use enroll_station::{NewOperatorRequest, RoleName, SetupRequest};

fn enroll(args: &[&str], data: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_enroll"));
    command.args(args);
    if let Some(data) = data {
        command.arg("--data").arg(data);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A station folder with a sealed registration in it, and the station's public key.
async fn station_folder(dir: &Path) -> (std::path::PathBuf, String, Vec<u8>) {
    let intake = enroll_intake::spawn(
        IntakeConfig::new(dir.join("intake"), RegisterKeyPair::generate()).approving_stations_automatically(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let data = dir.join("station");
    let station = super::open_station(data.clone(), intake.base_url());
    station
        .set_up(SetupRequest {
            station_name: "Checks".into(),
            center_id: "10003".into(),
            admin_username: "admin".into(),
            admin_full_name: "Admin".into(),
            admin_password: "admin password".into(),
            enrollment_code: None,
        })
        .await
        .unwrap();
    station.log_in("admin", "admin password").unwrap();
    station
        .add_operator(NewOperatorRequest {
            username: "omar".into(),
            full_name: "Omar".into(),
            role: RoleName::Officer,
            password: "omar password".into(),
        })
        .unwrap();
    station.log_in("omar", "omar password").unwrap();
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, super::identity()).unwrap();
    super::capture_face(&station, &rid);
    super::attach_proof_of_identity(&station, &rid);
    station.finalize(&rid).unwrap();
    station.log_in("admin", "admin password").unwrap();
    station.approve(&rid).unwrap();
    let envelope = station.sealed_envelope(&rid).unwrap();
    station.log_out();
    drop(station);
    intake.shutdown().await;
    let check = enroll_station::verify_audit_chain(&data, None).unwrap();
    (data, check.station_public_key, envelope)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_and_vault_check_name_the_first_broken_link() {
    let dir = tempfile::tempdir().unwrap();
    let (data, station_key, _) = station_folder(dir.path()).await;

    let output = enroll(&["audit", "verify"], Some(&data));
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["broken"], serde_json::Value::Null);
    assert_eq!(report["station_public_key_source"], "recorded in the vault");
    let events = report["events"].as_u64().unwrap();
    assert!(events >= 8, "setup, sign-ins, operator, registration moves: {report}");
    assert_eq!(
        report["last_signed"].as_u64(),
        Some(events),
        "signed-out last, so all signed"
    );

    let output = enroll(&["audit", "verify", "--station-key", &station_key], Some(&data));
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["station_public_key_source"], "given");

    let output = enroll(&["vault", "check"], Some(&data));
    assert!(output.status.success(), "{}", stderr(&output));
    let check: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(check["integrity"], "ok");
    assert_eq!(check["schema_version"], check["current_schema_version"]);
    assert_eq!(check["registrations_by_state"]["sealed"], 1);
    assert_eq!(check["operators"], 2);
    assert_eq!(check["audit"]["events"].as_u64(), Some(events));

    // Someone edits one row of the chain.
    let vault = rusqlite::Connection::open(data.join(enroll_station::VAULT_FILE)).unwrap();
    vault
        .execute("UPDATE audit_events SET actor = 'nobody' WHERE sequence = 4", [])
        .unwrap();
    drop(vault);
    let output = enroll(&["audit", "verify"], Some(&data));
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("broken at event 4"),
        "the first broken link is named: {}",
        stderr(&output)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["broken"]["sequence"], 4);
    let output = enroll(&["vault", "check"], Some(&data));
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("event 4"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_refuse_other_keys_and_unreadable_inputs_with_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (data, station_key, envelope) = station_folder(dir.path()).await;
    let other_key = enroll_station_key_of_another_station();

    let output = enroll(&["audit", "verify", "--station-key", &other_key], Some(&data));
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("broken at event 1"), "{}", stderr(&output));
    let output = enroll(&["audit", "verify", "--station-key", "not base64!"], Some(&data));
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("--station-key is not base64"));

    let missing = dir.path().join("no-such-station");
    for args in [&["audit", "verify"][..], &["vault", "check"][..]] {
        let output = enroll(args, Some(&missing));
        assert_eq!(output.status.code(), Some(3), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("there is no vault at"), "{}", stderr(&output));
        let output = enroll(args, None);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?} without --data is a usage error"
        );
    }

    let packet = dir.path().join("p.enrp");
    std::fs::write(&packet, &envelope).unwrap();
    let verify = |key: &str, file: &Path| {
        Command::new(env!("CARGO_BIN_EXE_enroll"))
            .args(["packet", "verify", "--station-key", key])
            .arg(file)
            .output()
            .unwrap()
    };
    assert!(verify(&station_key, &packet).status.success());
    let output = verify(&other_key, &packet);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr(&output).contains("bad_signature"), "{}", stderr(&output));
    std::fs::write(&packet, &envelope[..envelope.len() / 2]).unwrap();
    let output = verify(&station_key, &packet);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr(&output).contains("truncated"), "{}", stderr(&output));
    let output = verify(&station_key, &dir.path().join("missing.enrp"));
    assert_eq!(output.status.code(), Some(3));

    for args in [
        &["audit", "verify", "--help"][..],
        &["vault", "check", "--help"][..],
        &["packet", "verify", "--help"][..],
    ] {
        let output = enroll(args, None);
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("exit code 4"), "{args:?} documents its exit code: {help}");
    }
}

fn enroll_station_key_of_another_station() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(enroll_packet::StationSigningKey::generate().public_key())
}
