//! The station's request key, which signs the sync's requests: registered at setup with the
//! packet key's proof; for a station set up before request keys, made and vouched for at the
//! first sign-in and registered by the next sync, which then uploads; registered again when
//! the intake no longer knows it.

use enroll_intake::IntakeConfig;
use enroll_packet::{RegisterKeyPair, RegisterPublicKeys, StationSigningKey};
use enroll_station::{Station, VAULT_FILE};
use enroll_store::{DataKey, NewOperator, Role, StationRecord, Vault};
use enroll_sync::{IntakeClient, StationRegistration};
use zeroize::Zeroizing;

use crate::{
    as_user, data_dir, fixture, open_station, password, pending_registration, FakeClock, ADMIN, MAKER, SUPERVISOR,
};

const STATION_ID: &str = "20001";
const STATION_NAME: &str = "Old center";
/// A packet the earlier version sealed and queued before the upgrade.
const OLD_REGISTRATION: &str = "10001-20261124-000001";

/// The request key as the station's vault holds it, read beside the running station:
/// `(proof, registered_at)`.
fn stored_request_key(dir: &std::path::Path) -> (Option<[u8; 64]>, Option<String>) {
    let vault = Vault::open_read_only(&data_dir(dir).join(VAULT_FILE)).unwrap();
    (
        vault.request_key_proof().unwrap(),
        vault.request_key_registered_at().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_station_registers_its_request_key_at_setup_with_the_packet_key_s_proof() {
    let fixture = fixture().await;
    let (proof, registered_at) = stored_request_key(fixture.dir.path());
    assert_eq!(
        registered_at.as_deref(),
        Some("2026-11-25T09:00:00Z"),
        "taken by the intake at setup"
    );
    // The packet key's proof for this station's request key, which the intake checked.
    let station_id = fixture.station.status().unwrap().station_id.unwrap();
    let mut vault = Vault::open_read_only(&data_dir(fixture.dir.path()).join(VAULT_FILE)).unwrap();
    let packet_key =
        enroll_packet::signing::ed25519_public_key(&vault.station_public_key().unwrap().unwrap(), "station public key")
            .unwrap();
    let request_key = ed25519_dalek::SigningKey::from_bytes(&vault.ensure_request_key_seed().unwrap())
        .verifying_key()
        .to_bytes();
    drop(vault);
    let proof = proof.expect("setup stores the proof");
    enroll_packet::signing::verify_request_key_proof(&packet_key, &station_id, &request_key, &proof).unwrap();
    as_user(&fixture.station, MAKER);
    let rid = pending_registration(&fixture.station);
    as_user(&fixture.station, SUPERVISOR);
    fixture.station.approve(&rid).unwrap();
    let report = fixture.station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 1, "{report:?}");
    assert_eq!(
        stored_request_key(fixture.dir.path()).1.as_deref(),
        Some("2026-11-25T09:00:00Z"),
        "the sync did not register the key again"
    );
}

/// The vault an earlier version wrote: the station without a request key (the columns of
/// migration 6 are NULL, as the migration leaves them), its admin, and one packet sealed and
/// queued. Written through the store, as that version did.
fn vault_before_request_keys(
    dir: &std::path::Path,
    intake_url: &str,
    packet_key: &StationSigningKey,
    register: &RegisterPublicKeys,
) {
    enroll_station::private_files::open_data_folder(&data_dir(dir)).unwrap();
    let mut vault = Vault::open(&data_dir(dir).join(VAULT_FILE)).unwrap();
    let data_key = DataKey::generate();
    let record = StationRecord {
        station_id: STATION_ID.into(),
        name: STATION_NAME.into(),
        center_id: "10001".into(),
        intake_url: intake_url.into(),
        register_keys_json: register.to_json(),
        created_at: "2026-11-20T09:00:00Z".into(),
    };
    let admin = NewOperator {
        username: ADMIN.into(),
        full_name: "Ada Admin".into(),
        role: Role::Admin,
        password: Zeroizing::new(password(ADMIN)),
    };
    vault
        .create_station_with_public_key(
            &record,
            &packet_key.seed(),
            Some(&packet_key.public_key()),
            None,
            &admin,
            &data_key,
        )
        .unwrap();
    let plaintext = enroll_packet::testing::sample_packet_contents(
        packet_key.station_public_key(),
        STATION_ID,
        OLD_REGISTRATION,
        4000,
    )
    .to_bytes()
    .unwrap();
    let envelope =
        enroll_packet::seal_for_register(&plaintext, STATION_ID, OLD_REGISTRATION, packet_key, register).unwrap();
    vault
        .insert_draft(OLD_REGISTRATION, MAKER, b"draft", &data_key, "2026-11-24T09:00:00Z")
        .unwrap();
    vault
        .finalize(OLD_REGISTRATION, b"finalized", &data_key, "2026-11-24T09:20:00Z")
        .unwrap();
    vault
        .approve_and_seal(OLD_REGISTRATION, &envelope, SUPERVISOR, "2026-11-24T10:00:00Z")
        .unwrap();
}

fn state(station: &Station, registration_id: &str) -> String {
    station
        .registration(registration_id)
        .unwrap()
        .state
        .as_str()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_from_before_request_keys_registers_one_at_the_sync_after_a_sign_in_and_uploads() {
    let dir = tempfile::tempdir().unwrap();
    let register = RegisterKeyPair::generate();
    let register_public = register.public_keys();
    let intake = enroll_intake::spawn(
        IntakeConfig::new(dir.path().join("intake"), register).approving_stations_automatically(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let url = intake.base_url();
    // What an earlier version did at setup: the station's packet key registered alone.
    let packet_key = StationSigningKey::generate();
    let standing = IntakeClient::new(&url)
        .unwrap()
        .register_station(STATION_ID, STATION_NAME, &packet_key.public_key())
        .await
        .unwrap();
    assert_eq!(standing, StationRegistration::Approved);
    vault_before_request_keys(dir.path(), &url, &packet_key, &register_public);
    let clock = FakeClock::default();
    let station = open_station(dir.path(), &url, &clock);

    // With nobody signed in (`enroll sync`, the background sync) the station cannot vouch for a
    // request key: the sync stops, says why, and the packet stays queued.
    let report = station.sync_unattended().await.unwrap();
    assert_eq!(
        (report.attempted, report.acknowledged, report.failures.len()),
        (1, 0, 1),
        "{report:?}"
    );
    assert_eq!(report.failures[0].registration_id, OLD_REGISTRATION);
    assert_eq!(report.failures[0].error.code.as_str(), "request_key_unproven");
    assert!(report.quarantined.is_empty(), "not the packet's fault");
    assert_eq!(stored_request_key(dir.path()), (None, None));

    // A sign-in vouches for a new request key with the packet key; the sync still says why it
    // waited until it sends.
    station.log_in(ADMIN, &password(ADMIN)).unwrap();
    let (proof, registered_at) = stored_request_key(dir.path());
    assert!(proof.is_some(), "the sign-in made the proof");
    assert_eq!(registered_at, None, "the intake has not seen it yet");
    assert_eq!(state(&station, OLD_REGISTRATION), "sealed");
    let blocked = station
        .sync_status()
        .unwrap()
        .blocked
        .expect("the sync says why it stopped");
    assert_eq!(blocked.code.as_str(), "request_key_unproven");
    // Signing in again vouches for the same key: nothing to do.
    as_user(&station, ADMIN);
    assert_eq!(stored_request_key(dir.path()).0, proof);

    // The next sync registers the key, then sends the packet queued before the upgrade.
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (1, 1), "{report:?}");
    assert_eq!(state(&station, OLD_REGISTRATION), "acknowledged");
    assert_eq!(station.sync_status().unwrap().blocked, None);
    let registered_at = stored_request_key(dir.path()).1;
    assert_eq!(registered_at.as_deref(), Some("2026-11-25T09:00:00Z"));

    // A packet made after the upgrade goes with the same key, registered once.
    clock.advance(std::time::Duration::from_secs(60));
    station
        .add_operator(enroll_station::NewOperatorRequest {
            username: MAKER.into(),
            full_name: "Olga Officer".into(),
            role: enroll_station::RoleName::Officer,
            password: password(MAKER),
        })
        .unwrap();
    as_user(&station, MAKER);
    let rid = pending_registration(&station);
    as_user(&station, ADMIN);
    station.approve(&rid).unwrap();
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 1, "{report:?}");
    assert_eq!(stored_request_key(dir.path()).1, registered_at, "not registered again");

    // The intake stops knowing the key (here another proven key replaced it): the upload is
    // refused, the packet stays queued, and the next sync registers the key again and sends it.
    IntakeClient::new(&url)
        .unwrap()
        .with_station_keys(STATION_ID, &packet_key, [9; 32])
        .register_station(STATION_ID, STATION_NAME, &packet_key.public_key())
        .await
        .unwrap();
    as_user(&station, MAKER);
    let later = pending_registration(&station);
    as_user(&station, ADMIN);
    station.approve(&later).unwrap();
    let report = station.sync_now().await.unwrap();
    assert_eq!(
        report.failures[0].error.code.as_str(),
        "request_key_unknown",
        "{report:?}"
    );
    assert_eq!(state(&station, &later), "sealed");
    assert_eq!(stored_request_key(dir.path()).1, None, "to be registered again");
    clock.advance(std::time::Duration::from_secs(60));
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 1, "{report:?}");
    assert_eq!(state(&station, &later), "acknowledged");
    assert_eq!(
        stored_request_key(dir.path()).1.as_deref(),
        Some("2026-11-25T09:02:00Z")
    );
    intake.shutdown().await;
}
