//! `enroll intake stations` as a register's operator runs it, beside the running intake on the
//! same folder: a one-time code onboards one station at once; a station without a code is
//! pending in the list (with the key to compare) until approved; a revoked one uploads nothing.

use std::path::Path;
use std::process::{Command, Output};

use enroll_intake::IntakeConfig;
use enroll_packet::{RegisterKeyPair, StationSigningKey};
use enroll_sync::{IntakeClient, StationRegistration};

fn stations(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["intake", "stations"])
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registers_operator_onboards_approves_and_revokes_stations() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("intake");
    let intake = enroll_intake::spawn(
        IntakeConfig::new(&data, RegisterKeyPair::generate()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let client = IntakeClient::new(&intake.base_url()).unwrap();

    // A code, typed at a station's setup: approved at once.
    let code = json(&stations(&data, &["code", "--valid-hours", "24"]));
    let code = code["code"].as_str().unwrap().to_string();
    let coded = StationSigningKey::generate();
    let registered = client
        .register_station_with_code("ST-CODE", "With a code", &coded.public_key(), Some(&code))
        .await
        .unwrap();
    assert_eq!(registered, StationRegistration::Approved);

    // Without one: pending, listed with its key, until approved.
    let waiting = StationSigningKey::generate();
    let registered = client
        .register_station("ST-WAIT", "Without a code", &waiting.public_key())
        .await
        .unwrap();
    assert_eq!(registered, StationRegistration::Pending);
    let list = json(&stations(&data, &["list"]));
    let entry = |list: &serde_json::Value, id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["station_id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(entry(&list, "ST-CODE")["status"], "approved");
    let pending = entry(&list, "ST-WAIT");
    assert_eq!(pending["status"], "pending");
    assert_eq!(
        pending["public_key"],
        enroll_packet::StationPublicKey(waiting.public_key()).to_text(),
        "the operator compares this with the station's own"
    );
    let approved = json(&stations(&data, &["approve", "ST-WAIT"]));
    assert_eq!(approved["status"], "approved");
    assert_eq!(
        client
            .register_station("ST-WAIT", "Without a code", &waiting.public_key())
            .await
            .unwrap(),
        StationRegistration::Approved
    );

    // Revoked: final, and said as such to the station.
    assert_eq!(json(&stations(&data, &["revoke", "ST-WAIT"]))["status"], "revoked");
    let error = client
        .register_station("ST-WAIT", "Without a code", &waiting.public_key())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "station_revoked");
    let again = stations(&data, &["approve", "ST-WAIT"]);
    assert_eq!(
        again.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let unknown = stations(&data, &["approve", "ST-NOPE"]);
    assert_eq!(unknown.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown_station"));
    let zero = stations(&data, &["code", "--valid-hours", "0"]);
    assert_eq!(zero.status.code(), Some(2));
    intake.shutdown().await;
}

fn packets(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["intake", "packets"])
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

/// `enroll intake packets set-status`: the back office's word on a held packet reaches the
/// station that sent it at its next status query; a word without the reason it needs, or on a
/// packet the register does not hold, is refused and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_sets_a_packet_s_status_and_its_station_hears_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("intake");
    let register = RegisterKeyPair::generate();
    let pinned = register.public_keys();
    let intake = enroll_intake::spawn(
        IntakeConfig::new(&data, register).approving_stations_automatically(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let station = StationSigningKey::generate();
    let client = IntakeClient::new(&intake.base_url()).unwrap().with_station_keys(
        "ST-0041",
        &station,
        StationSigningKey::generate().seed(),
    );
    client
        .register_station("ST-0041", "Desk 1", &station.public_key())
        .await
        .unwrap();
    let registration_id = "10041-20261201-000001";
    let envelope = enroll_packet::testing::sealed_sample_packet(&station, "ST-0041", registration_id, &pinned, 4000);
    client
        .send_packet(registration_id, "ST-0041", &envelope, &pinned, None, &|_, _| {})
        .await
        .unwrap();

    let refused = packets(&data, &["set-status", registration_id, "rejected"]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("needs a reason"));
    let unknown = packets(&data, &["set-status", "10041-20261201-000404", "processed"]);
    assert_eq!(unknown.status.code(), Some(3));

    let set = json(&packets(
        &data,
        &[
            "set-status",
            registration_id,
            "rejected",
            "--reason",
            "the photo shows two people",
        ],
    ));
    assert_eq!(set["status"], "rejected");
    let heard = client.packet_statuses(&[registration_id.to_owned()]).await.unwrap();
    assert_eq!(heard[0].status, enroll_sync::RegisterPacketStatus::Rejected);
    assert_eq!(heard[0].reason.as_deref(), Some("the photo shows two people"));
    intake.shutdown().await;
}
