//! The register rotates its keys (`enroll intake config rotate-keys` does what
//! `ConfigFolder::rotate_keys` does here) and a station follows: it takes the rotation with its
//! next sync, seals new packets to the new key, still believes the receipts of packets sealed
//! before the rotation (signed with the retired pair), verifies new documents with the new key,
//! keeps the documents it took before, and refuses a rotation not signed by the keys it pins.
//! Then the register's operator list: who may sign in, in which role.

use enroll_intake::configuration::ConfigFolder;
use enroll_intake::IntakeConfig;
use enroll_packet::register_config::{ConfigDocument, ConfigKind, KeyRotation, SignedConfig};
use enroll_packet::{EnvelopeHeader, RegisterKeyPair};
use enroll_station::{RegisterListing, Station};
use serde_json::json;

use crate::{as_user, data_dir, fixture, password, pending_registration, ADMIN, MAKER, OFFICER, SUPERVISOR};

fn vault(dir: &std::path::Path) -> enroll_store::Vault {
    enroll_store::Vault::open_read_only(&data_dir(dir).join("vault.sqlite")).unwrap()
}

/// The id of the register key an envelope the station holds is sealed to.
fn sealed_to(dir: &std::path::Path, registration_id: &str) -> String {
    let envelope = vault(dir).envelope(registration_id).unwrap();
    EnvelopeHeader::parse(&envelope).unwrap().register_key_id.to_hex()
}

fn state(station: &Station, registration_id: &str) -> String {
    station.registration(registration_id).unwrap().state.as_str().to_owned()
}

fn approved(station: &Station) -> String {
    as_user(station, MAKER);
    let id = pending_registration(station);
    as_user(station, SUPERVISOR);
    station.approve(&id).unwrap();
    id
}

fn limits(days: u32) -> serde_json::Value {
    json!({"max_days_since_sync": days, "max_packets_not_uploaded": 300, "min_free_disk_mb": 64})
}

fn audited(dir: &std::path::Path, action: &str) -> Vec<String> {
    vault(dir)
        .audit_events()
        .unwrap()
        .into_iter()
        .filter(|event| event.action == action)
        .map(|event| event.details)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_follows_a_key_rotation_and_still_believes_receipts_of_what_it_sealed_before() {
    let fixture = fixture().await;
    let dir = fixture.dir.path().to_path_buf();
    let intake_dir = dir.join("intake");
    let folder = ConfigFolder::open(&intake_dir).unwrap();
    let old = RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    let new = RegisterKeyPair::generate();
    let now = time::OffsetDateTime::now_utc;
    let station = &fixture.station;

    // Before the rotation: master data taken, and a packet sealed to the old key, not yet sent.
    folder
        .publish(
            ConfigKind::MasterData,
            json!({"rejection_reasons": [{"code": "blurred", "labels": {"eng": "Blurred"}}]}),
            &old,
            now(),
        )
        .unwrap();
    as_user(station, ADMIN);
    station.sync_now().await.unwrap();
    let before = approved(station);
    assert_eq!(sealed_to(&dir, &before), old.public_keys().key_id().to_hex());

    // The register restarts its intake with the new keys (taking the old ones' packets too),
    // rotates, and publishes with the new key.
    let address = fixture.intake.local_addr();
    fixture.intake.shutdown().await;
    let mut config = IntakeConfig::new(&intake_dir, RegisterKeyPair::from_json(&new.to_json()).unwrap())
        .approving_stations_automatically();
    config.previous_register_keys = vec![RegisterKeyPair::from_json(&old.to_json()).unwrap()];
    let _intake = enroll_intake::spawn(config, address).await.unwrap();
    let rotation = folder.rotate_keys(&old, &new, now()).unwrap();
    let limits_version = folder
        .publish(ConfigKind::OfflineLimits, limits(4), &new, now())
        .unwrap()
        .version;
    let error = folder
        .publish(ConfigKind::OfflineLimits, limits(5), &old, now())
        .unwrap_err();
    assert!(
        error.to_string().contains("rotated"),
        "the retired key publishes nothing more: {error}"
    );

    // One sync: the packet sealed to the old key is receipted with the old pair and believed;
    // the rotation is taken, then the limits signed with the new key.
    as_user(station, ADMIN);
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 1, "{report:?}");
    assert_eq!(state(station, &before), "acknowledged");
    assert_eq!(station.offline_limits().max_days_since_sync, 4);
    let rotated = audited(&dir, "register_keys_rotated");
    assert_eq!(
        rotated,
        [format!(
            "version {}: register key {} → {}",
            rotation.version,
            old.public_keys().key_id().to_hex(),
            new.public_keys().key_id().to_hex()
        )]
    );
    assert_eq!(
        audited(&dir, "config_received").last().unwrap(),
        &format!("offline_limits version {limits_version} (was none)")
    );

    // From now on packets are sealed to the new key, and receipted with it.
    let after = approved(station);
    assert_eq!(sealed_to(&dir, &after), new.public_keys().key_id().to_hex());
    as_user(station, ADMIN);
    station.sync_now().await.unwrap();
    assert_eq!(state(station, &after), "acknowledged");

    // At the next start, the master data taken under the old key still holds.
    let clock = fixture.clock.clone();
    let intake_url = format!("http://{address}");
    drop(fixture.station);
    let station = Station::open_with(
        enroll_station::StationConfig {
            data_dir: data_dir(&dir),
            intake_url,
        },
        clock.clock(),
    )
    .unwrap();
    assert_eq!(
        station.master_data().expect("kept").rejection_reasons[0].code,
        "blurred"
    );
    assert_eq!(station.offline_limits().max_days_since_sync, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_the_station_cannot_verify_is_refused_and_the_station_keeps_its_keys() {
    let fixture = fixture().await;
    let dir = fixture.dir.path().to_path_buf();
    let pinned = RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    let stranger = RegisterKeyPair::generate();
    let station = &fixture.station;

    // A rotation away from the pinned keys, signed by someone else's key, served as if the
    // register had published it.
    let forged = SignedConfig::sign(
        &ConfigDocument {
            kind: ConfigKind::RegisterKeys,
            version: 7,
            published_at: "2026-12-01T10:00:00Z".into(),
            document: KeyRotation {
                keys: stranger.public_keys(),
                replaces: pinned.public_keys(),
            }
            .to_value(),
        },
        &stranger.signing_key,
    );
    let rotations = dir.join("intake/config/register_keys");
    std::fs::create_dir_all(&rotations).unwrap();
    std::fs::write(
        rotations.join("00000000000000000007.json"),
        serde_json::to_string(&forged).unwrap(),
    )
    .unwrap();

    as_user(station, ADMIN);
    station.sync_now().await.unwrap();
    assert!(audited(&dir, "register_keys_rotated").is_empty());
    let id = approved(station);
    assert_eq!(
        sealed_to(&dir, &id),
        pinned.public_keys().key_id().to_hex(),
        "still sealed to the keys it pins"
    );
    as_user(station, ADMIN);
    station.sync_now().await.unwrap();
    assert_eq!(state(station, &id), "acknowledged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registers_operator_list_says_who_signs_in_and_in_which_role() {
    let fixture = fixture().await;
    let dir = fixture.dir.path().to_path_buf();
    let keys = RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    let station = &fixture.station;
    let folder = ConfigFolder::open(&dir.join("intake")).unwrap();

    // Before any list, everyone set up at the station signs in as before.
    for username in [ADMIN, SUPERVISOR, OFFICER, MAKER] {
        as_user(station, username);
    }
    as_user(station, ADMIN);
    let listings = |station: &enroll_station::Station| -> Vec<(String, Option<RegisterListing>)> {
        station
            .list_operators()
            .unwrap()
            .into_iter()
            .map(|operator| (operator.username, operator.register_listing))
            .collect()
    };
    assert!(listings(station).iter().all(|(_, listing)| listing.is_none()));

    // The register lists the admin, makes the supervisor an officer, suspends one officer and
    // leaves the other out.
    folder
        .publish(
            ConfigKind::Operators,
            json!({"operators": [
                {"username": ADMIN, "full_name": "Ada Admin", "role": "admin", "active": true},
                {"username": SUPERVISOR, "full_name": "Sara", "role": "officer", "active": true},
                {"username": OFFICER, "full_name": "Omar", "role": "officer", "active": false},
                {"username": "nadia", "full_name": "Nadia", "role": "supervisor", "active": true}
            ]}),
            &keys,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    as_user(station, ADMIN);
    station.sync_now().await.unwrap();
    // The admin sees at once who the list leaves out.
    let mut seen = listings(station);
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        seen,
        [
            (ADMIN.to_owned(), Some(RegisterListing::Listed)),
            (MAKER.to_owned(), Some(RegisterListing::NotListed)),
            (OFFICER.to_owned(), Some(RegisterListing::Suspended)),
            (SUPERVISOR.to_owned(), Some(RegisterListing::Listed)),
        ]
    );
    station.log_out();

    let refused = station.log_in(OFFICER, &password(OFFICER)).unwrap_err();
    assert_eq!(refused.code(), "operator_suspended");
    let refused = station.log_in(MAKER, &password(MAKER)).unwrap_err();
    assert_eq!(refused.code(), "operator_not_listed");
    // A wrong password is still just that: the list is consulted only for the right one.
    assert_eq!(station.log_in(MAKER, "wrong").unwrap_err().code(), "wrong_credentials");

    let sara = station.log_in(SUPERVISOR, &password(SUPERVISOR)).unwrap();
    assert_eq!(
        sara.role,
        enroll_station::RoleName::Officer,
        "the listed role is in force"
    );
    station.log_out();
    let events = audited(&dir, "operator_role_from_register");
    assert_eq!(events, [format!("{SUPERVISOR}: supervisor → officer")]);
    let refusals = audited(&dir, "sign_in_failed");
    assert!(
        refusals.iter().any(|details| details.contains("suspended")),
        "{refusals:?}"
    );
    assert!(refusals
        .iter()
        .any(|details| details.contains("not on the register's operator list")));

    // The admin adds only who the list names, in the listed role.
    station.log_in(ADMIN, &password(ADMIN)).unwrap();
    let add = |username: &str, role| {
        station.add_operator(enroll_station::NewOperatorRequest {
            username: username.into(),
            full_name: format!("{username} full name"),
            role,
            password: password(username),
        })
    };
    assert_eq!(
        add("yanis", enroll_station::RoleName::Officer).unwrap_err().code(),
        "operator_not_listed"
    );
    let wrong_role = add("nadia", enroll_station::RoleName::Officer).unwrap_err();
    assert_eq!(wrong_role.code(), "operator_role_not_listed");
    assert_eq!(
        serde_json::to_value(&wrong_role).unwrap()["params"],
        json!({"username": "nadia", "role": "supervisor"})
    );
    add("nadia", enroll_station::RoleName::Supervisor).unwrap();
    as_user(station, "nadia");
}
