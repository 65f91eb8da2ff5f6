//! One registration end to end without the UI, with real parts: a real vault file, a real
//! intake server on loopback, and the real `enroll` binary on the register side.
//!
//! 1 set up the station (keys, vault, registration with the intake, pinned register keys),
//! 2 sign in as the admin and add an officer, 3 the officer fills the form and captures the
//! face, 4 finalizes, 5 the admin approves (seal: never one's own registration),
//! 6 sync (tus upload, signed receipt; first with the intake down), 7 open the sealed packet
//! with `enroll packet open`.
//!
//! Beside it, the CLI's other commands run as an admin runs them: `checks` (audit, vault,
//! packet verify), `station_keys`, `biometrics` (record headers), `devices` (device list,
//! capture, and `enroll sim-devices` in a process of its own) and `exchange_cli` (`enroll
//! export`, `enroll intake import`, `enroll import`: packets on removable media and back).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

mod biometrics;
mod checks;
mod config_cli;
mod devices;
mod exchange_cli;
mod intake_crash;
mod key_ring;
mod scale_out;
mod station_keys;
mod stations_cli;
mod sync_cli;

/// An `enroll intake serve` process (the crash and scale-out tests start real ones): stopped
/// when the test ends, whatever happens.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port free at the time of asking.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (up to 20 s) until the intake `client` talks to answers its health check.
async fn wait_until_up(client: &enroll_sync::IntakeClient) {
    for _ in 0..400 {
        if client.health().await.is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the intake did not come up");
}

use enroll_intake::{IntakeConfig, RunningIntake};
use enroll_packet::RegisterKeyPair;
use enroll_station::{NewOperatorRequest, RoleName, SetupRequest, Station, StationConfig, StationError};
use serde_json::json;

fn intake_config(dir: &Path, key_file: &Path) -> IntakeConfig {
    let keys = RegisterKeyPair::from_json(&std::fs::read_to_string(key_file).unwrap()).unwrap();
    IntakeConfig::new(dir.join("intake"), keys).approving_stations_automatically()
}

async fn start_intake(dir: &Path, key_file: &Path, addr: SocketAddr) -> RunningIntake {
    enroll_intake::spawn(intake_config(dir, key_file), addr)
        .await
        .expect("the intake starts")
}

fn identity() -> serde_json::Value {
    enroll_station::example_identity("Amina Idrissi")
}

fn officer(username: &str) -> NewOperatorRequest {
    NewOperatorRequest {
        username: username.into(),
        full_name: format!("{username} full name"),
        role: RoleName::Officer,
        password: format!("{username}'s password"),
    }
}

/// The station as the app opens it, but with a fixed simulated sitter and no capture latency.
/// This flow is about keys, packets and the intake: the face stands for the biometrics.
fn open_station(data_dir: std::path::PathBuf, intake_url: String) -> Station {
    let station = Station::open(StationConfig { data_dir, intake_url })
        .unwrap()
        .with_capture_policy(enroll_station::CapturePolicy::face_only());
    station.use_device_backends(vec![std::sync::Arc::new(enroll_devices::SimulatedBackend::new(
        enroll_devices::simulated::SimulationHandle::new(enroll_devices::simulated::SimulationSettings {
            person_seed: 11,
            latency: std::time::Duration::ZERO,
            preview_interval: std::time::Duration::ZERO,
            ..Default::default()
        }),
    ))]);
    station
}

/// The face step of the capture model; a good simulated sitter passes at the first attempt.
fn capture_face(station: &Station, registration_id: &str) {
    let view = station
        .capture_biometrics(registration_id, enroll_station::biometrics::PolicyStep::Face)
        .unwrap();
    assert!(
        view.complete,
        "a good simulated sitter reaches the face threshold: {view:?}"
    );
}

/// The document the default form requires: a proof of identity, one scanned page (a real JPEG
/// made here, as the window sends a file).
fn attach_proof_of_identity(station: &Station, registration_id: &str) {
    use base64::Engine as _;
    let pixels = image::RgbImage::from_fn(48, 32, |x, y| image::Rgb([(x * 5) as u8, (y * 7) as u8, 100]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&pixels)
        .unwrap();
    station
        .attach_document(
            registration_id,
            enroll_station::DocumentInput {
                category: "POI".into(),
                document_type: "CIN".into(),
                reference_number: None,
                pages: vec![enroll_station::DocumentPage {
                    file_name: "id-card.jpg".into(),
                    data_base64: base64::engine::general_purpose::STANDARD.encode(jpeg),
                }],
            },
        )
        .unwrap();
}

fn codes(error: &StationError) -> Vec<(String, String)> {
    match error {
        StationError::ValidationFailed(fields) => fields.iter().map(|f| (f.field.clone(), f.code.clone())).collect(),
        other => panic!("expected validation_failed, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_registration_travels_from_the_form_to_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("register.key");
    std::fs::write(&key_file, RegisterKeyPair::generate().to_json()).unwrap();
    let intake = start_intake(dir.path(), &key_file, "127.0.0.1:0".parse().unwrap()).await;
    let intake_addr = intake.local_addr();

    // 1. First run.
    let station = open_station(dir.path().join("station"), intake.base_url());
    assert!(station.status().unwrap().needs_setup);
    let weak = SetupRequest {
        station_name: "Kenitra Center 2".into(),
        center_id: "1002".into(),
        admin_username: "amal".into(),
        admin_full_name: "Amal Bennani".into(),
        admin_password: "short".into(),
        enrollment_code: None,
    };
    let error = station.set_up(weak.clone()).await.unwrap_err();
    assert_eq!(
        codes(&error),
        vec![
            ("center_id".into(), "invalid_format".into()),
            ("admin_password".into(), "too_short".into())
        ]
    );
    let status = station
        .set_up(SetupRequest {
            center_id: "10002".into(),
            admin_password: "correct horse battery".into(),
            ..weak
        })
        .await
        .unwrap();
    assert!(!status.needs_setup);
    assert!(status.simulated_devices);
    assert!(matches!(
        station
            .set_up(SetupRequest {
                station_name: "again".into(),
                center_id: "10002".into(),
                admin_username: "x".into(),
                admin_full_name: "x".into(),
                admin_password: "long enough".into(),
                enrollment_code: None,
            })
            .await,
        Err(StationError::AlreadySetUp)
    ));
    let vault_file = dir.path().join("station").join(enroll_station::VAULT_FILE);
    assert!(vault_file.exists(), "the vault is a real SQLite file");

    // 2. Sign in.
    assert_eq!(
        station.log_in("amal", "wrong password").unwrap_err().code(),
        "wrong_credentials"
    );
    assert_eq!(station.new_registration().unwrap_err().code(), "not_signed_in");
    let operator = station.log_in("amal", "correct horse battery").unwrap();
    assert_eq!(operator.role, "admin");
    station.add_operator(officer("omar")).unwrap();
    station.log_out();
    assert_eq!(station.log_in("omar", "omar's password").unwrap().role, "officer");

    // 3. The form, a draft, the face.
    let form = station.form();
    assert!(form
        .fields
        .iter()
        .any(|f| f.id == "fullName" && f.multilingual && f.required));
    let draft = station.new_registration().unwrap();
    let rid = draft.registration_id.clone();
    assert!(enroll_station::verhoeff_is_valid(&rid), "{rid} carries a check digit");
    assert_eq!(draft.state, "draft");
    station
        .save_draft(
            &rid,
            json!({"fullName": [{"language": "eng", "value": "Amina Idrissi"}]}),
        )
        .unwrap();
    let error = station.finalize(&rid).unwrap_err();
    assert_eq!(
        codes(&error),
        vec![
            ("fullName".into(), "required".into()),
            ("dateOfBirth".into(), "required".into()),
            ("gender".into(), "required".into()),
            ("residenceStatus".into(), "required".into()),
            ("addressLine1".into(), "required".into()),
            ("addressLine1".into(), "required".into()),
            ("region".into(), "required".into()),
            ("province".into(), "required".into()),
            ("city".into(), "required".into()),
            ("zone".into(), "required".into()),
            ("postalCode".into(), "required".into()),
            ("biometrics.face".into(), "required".into()),
            ("consent".into(), "required".into()),
            ("documents.POI".into(), "required".into()),
        ],
        "an incomplete draft names every missing field, the resident's consent and the required document among them"
    );
    assert_eq!(
        station.registration(&rid).unwrap().state,
        "draft",
        "a refused finalize changes nothing"
    );
    assert_eq!(
        station.registration(&rid).unwrap().identity.unwrap()["fullName"][0]["value"],
        "Amina Idrissi",
        "the autosaved draft is kept"
    );
    station.save_draft(&rid, identity()).unwrap();
    capture_face(&station, &rid);
    attach_proof_of_identity(&station, &rid);
    let face = station
        .biometric_preview(&rid, enroll_station::biometrics::Position::Face)
        .unwrap();
    assert!(face.preview_data_url.starts_with("data:image/png;base64,"));
    assert!(face.device.simulated);

    // 4. The resident agrees (the default form asks), then Finalize: signed packet, pending
    //    approval, still readable by the station, the consent recorded in it.
    station.record_consent(&rid, true).unwrap();
    let pending = station.finalize(&rid).unwrap();
    assert!(
        pending.consent_given_at.is_some(),
        "the pending view says when consent was given"
    );
    assert_eq!(pending.state, "pending_approval");
    assert_eq!(
        pending
            .documents
            .iter()
            .map(|d| d.category.as_str())
            .collect::<Vec<_>>(),
        ["POI"],
        "the proof of identity is in the packet"
    );
    assert_eq!(pending.identity.as_ref().unwrap()["gender"], "FLE");
    assert!(
        station.biometrics(&rid).unwrap().complete,
        "the face, read back from the packet"
    );
    assert_eq!(
        station.save_draft(&rid, identity()).unwrap_err().code(),
        "invalid_state"
    );

    // 5. Approve: the officer cannot; the admin can. Sealed to the register, the readable copy gone.
    assert_eq!(station.approve(&rid).unwrap_err().code(), "not_permitted");
    station.log_in("amal", "correct horse battery").unwrap();
    let sealed = station.approve(&rid).unwrap();
    assert_eq!(sealed.state, "sealed");
    assert!(sealed.identity.is_none());
    assert_eq!(station.biometrics(&rid).unwrap_err().code(), "invalid_state");
    let home = station.home_summary().unwrap();
    assert_eq!(home.upload_queue.items[0].registration_id, rid);
    assert_eq!(
        home.upload_queue.items[0].display_name, None,
        "a sealed packet has no readable name"
    );

    // 6. Sync, first with the intake down: the packet stays queued with a clear reason.
    intake.shutdown().await;
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (1, 0));
    assert_eq!(report.failures[0].error.code, "intake_unreachable");
    let queued = station.registration(&rid).unwrap();
    assert_eq!(queued.state, "sealed");
    assert_eq!(queued.last_error.unwrap().code, "intake_unreachable");

    let intake = start_intake(dir.path(), &key_file, intake_addr).await;
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (1, 1), "{report:?}");
    let acknowledged = station.registration(&rid).unwrap();
    assert_eq!(acknowledged.state, "acknowledged");
    assert!(acknowledged.last_error.is_none());
    let receipt = acknowledged.receipt.expect("a verified receipt is recorded");
    assert!(!receipt.intake_reference.is_empty());
    let again = station.sync_now().await.unwrap();
    assert_eq!(again.attempted, 0, "an acknowledged packet is not sent again");
    intake.shutdown().await;

    // 7. The register side opens the sealed packet.
    let packet_file = dir.path().join(format!("{rid}.enrp"));
    std::fs::write(&packet_file, station.sealed_envelope(&rid).unwrap()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["packet", "open", "--key"])
        .arg(&key_file)
        .arg(&packet_file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let opened: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(opened["registration_id"], rid.as_str());
    assert_eq!(opened["signature"], "valid");
    assert_eq!(opened["meta"]["officer"], "omar");
    assert_eq!(opened["meta"]["supervisor"], "amal");
    assert_eq!(opened["meta"]["supervisor_decision"], "approved");
    let actions: Vec<&str> = opened["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.starts_with(&["registration_created"]) && actions.contains(&"registration_finalized"),
        "the packet carries its registration's audit events: {actions:?}"
    );
    // The biometric records are listed with their capture metadata and record headers.
    let records = opened["biometrics"].as_array().unwrap();
    let face = records
        .iter()
        .find(|r| r["modality"] == "face")
        .expect("the face record is listed");
    assert_eq!(face["device"]["simulated"], true);
    assert_eq!(face["record"]["format"], "face", "{face:#}");
    assert!(face["record_bytes"].as_u64().unwrap() > 1000, "{face:#}");
    assert_eq!(opened["exceptions"], serde_json::json!([]));
    let entries: Vec<&str> = opened["manifest"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        entries,
        [
            "identity.json",
            "meta.json",
            "individualBiometrics_bio_CBEFF.xml",
            "documents/POI-1.jpg",
            "audit.json"
        ],
        "the proof of identity, one scanned page, goes in as it was attached"
    );

    // Anyone with the station's public key checks the packet without the register key.
    let station_key = opened["station_public_key"].as_str().unwrap().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["packet", "verify", "--station-key", &station_key])
        .arg(&packet_file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let verified: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verified["registration_id"], rid.as_str());
    assert_eq!(verified["signature"], "valid");

    // The same tool refuses a packet signed by another station key, and a tampered one.
    let other_key = "A".repeat(43) + "=";
    let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["packet", "open", "--station-key", &other_key, "--key"])
        .arg(&key_file)
        .arg(&packet_file)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut tampered = std::fs::read(&packet_file).unwrap();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x40;
    std::fs::write(&packet_file, tampered).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["packet", "open", "--key"])
        .arg(&key_file)
        .arg(&packet_file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("enroll: "),
        "a clear message on stderr"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["packet", "verify", "--station-key", &station_key])
        .arg(&packet_file)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(4),
        "a tampered packet fails `packet verify` too"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad_signature"));
}

#[test]
fn packet_open_reports_unreadable_inputs_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["packet", "open", "--key"])
        .arg(dir.path().join("missing.key"))
        .arg(dir.path().join("missing.enrp"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the key file"));
    let help = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["packet", "open", "--help"])
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--station-key"));
}

/// A packet that was damaged on the station (disk fault, tampering) is refused by the intake's
/// signature check: the clerk sees why on the registration, and the packet stays queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_packet_is_refused_by_the_intake_and_stays_queued() {
    let dir = tempfile::tempdir().unwrap();
    let intake = enroll_intake::spawn(
        IntakeConfig::new(dir.path().join("intake"), RegisterKeyPair::generate()).approving_stations_automatically(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let station = open_station(dir.path().join("station"), intake.base_url());
    station
        .set_up(SetupRequest {
            station_name: "Mobile team 4".into(),
            center_id: "10004".into(),
            admin_username: "admin".into(),
            admin_full_name: "Youssef Alami".into(),
            admin_password: "a long passphrase".into(),
            enrollment_code: None,
        })
        .await
        .unwrap();
    station.log_in("admin", "a long passphrase").unwrap();
    station.add_operator(officer("omar")).unwrap();
    station.log_in("omar", "omar's password").unwrap();
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, identity()).unwrap();
    capture_face(&station, &rid);
    attach_proof_of_identity(&station, &rid);
    station.finalize(&rid).unwrap();
    station.log_in("admin", "a long passphrase").unwrap();
    station.approve(&rid).unwrap();

    // Damage one byte of the sealed envelope where the vault keeps it (its file beside the
    // vault database).
    let envelope_file = dir
        .path()
        .join("station")
        .join("vault.blobs")
        .join(format!("{rid}.envelope"));
    let mut envelope = std::fs::read(&envelope_file).unwrap();
    let last = envelope.len() - 100;
    envelope[last] ^= 0x01;
    std::fs::write(&envelope_file, &envelope).unwrap();

    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 0);
    assert_eq!(report.failures[0].error.code, "packet_rejected", "{report:?}");
    let row = station.registration(&rid).unwrap();
    assert_eq!(row.state, "sealed", "a refused packet stays queued");
    let error = row.last_error.unwrap();
    // The window gets the code; the intake's reason (English) stays in the row and the log.
    assert_eq!(error.code, "packet_rejected");
    assert_eq!(
        station.sealed_envelope(&rid).unwrap(),
        envelope,
        "nothing saved is lost"
    );
    intake.shutdown().await;
}
