//! The settings an admin changes at the station, against a real intake: the intake address.

use enroll_intake::IntakeConfig;
use enroll_packet::RegisterKeyPair;
use enroll_station::{IntakeAddressRequest, StationError};

use crate::{as_user, fixture, pending_registration, ADMIN, MAKER, OFFICER, SUPERVISOR};

/// The register moves its intake to another address (the same register: its data and keys);
/// an officer may not follow it, an admin may, and the packets waiting go to the new address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_points_the_station_at_the_registers_new_address_and_the_packets_follow() {
    let mut fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, MAKER);
    let registration_id = pending_registration(station);
    as_user(station, SUPERVISOR);
    station.approve(&registration_id).unwrap();
    let old_url = station.settings().unwrap().intake_url;
    assert_eq!(old_url, fixture.intake.base_url());
    assert!(!station.settings().unwrap().may_change_intake, "a supervisor may not");

    // The register moves: the old address answers no more, the new one serves the same data.
    let moved = enroll_intake::spawn(
        IntakeConfig::new(
            fixture.dir.path().join("intake"),
            RegisterKeyPair::from_json(&fixture.register_key_json).unwrap(),
        )
        .approving_stations_automatically(),
        "127.0.0.1:0".parse().unwrap(),
    );
    let old_intake = std::mem::replace(&mut fixture.intake, moved.await.unwrap());
    old_intake.shutdown().await;
    let new_url = fixture.intake.base_url();

    let request = || IntakeAddressRequest {
        intake_url: format!("  {new_url}/ "),
    };
    as_user(station, OFFICER);
    assert!(
        matches!(
            station.set_intake_address(request()),
            Err(StationError::NotPermitted { .. })
        ),
        "an officer may not move the intake"
    );
    as_user(station, ADMIN);
    let settings = station.settings().unwrap();
    assert!(settings.may_change_intake);
    // A wrong address changes nothing.
    let refused = station
        .set_intake_address(IntakeAddressRequest {
            intake_url: "http://intake.register.example".into(),
        })
        .unwrap_err();
    assert_eq!(refused.code(), "validation_failed");
    assert_eq!(station.settings().unwrap().intake_url, old_url);

    let settings = station.set_intake_address(request()).unwrap();
    assert_eq!(settings.intake_url, format!("{new_url}/"), "stored trimmed");
    assert_eq!(station.status().unwrap().intake_url, settings.intake_url);

    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (1, 1), "{report:?}");
    assert_eq!(
        station.registration(&registration_id).unwrap().state.as_str(),
        "acknowledged"
    );

    // The change is in the audit chain, with the addresses before and after, by the admin.
    let vault =
        enroll_store::Vault::open_read_only(&crate::data_dir(fixture.dir.path()).join(enroll_station::VAULT_FILE))
            .unwrap();
    let events = vault.audit_events().unwrap();
    let changed = events
        .iter()
        .find(|event| event.action == "intake_address_changed")
        .expect("the change is audited");
    assert_eq!(changed.actor, ADMIN);
    assert_eq!(changed.details, format!("{old_url} -> {new_url}/"));
}

/// An address that answers as another register (other keys, which never saw this station):
/// nothing is uploaded and nothing is lost; back at the right address, the packet goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_is_not_the_register_loses_nothing() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, MAKER);
    let registration_id = pending_registration(station);
    as_user(station, SUPERVISOR);
    station.approve(&registration_id).unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other = enroll_intake::spawn(
        IntakeConfig::new(other_dir.path(), RegisterKeyPair::generate()).approving_stations_automatically(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();

    as_user(station, ADMIN);
    station
        .set_intake_address(IntakeAddressRequest {
            intake_url: other.base_url(),
        })
        .unwrap();
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 0, "{report:?}");
    assert_eq!(station.registration(&registration_id).unwrap().state.as_str(), "sealed");

    station
        .set_intake_address(IntakeAddressRequest {
            intake_url: fixture.intake.base_url(),
        })
        .unwrap();
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (1, 1), "{report:?}");
}
