//! Onboarding against a register that approves stations itself: a station set up without a
//! code waits (its packets stay queued, the sync says why) until the register's operator
//! approves it; a one-time code approves it at setup; a wrong code is said next to its field;
//! a revoked station sends nothing more.

use enroll_intake::{IntakeConfig, RunningIntake, StationRegistry};
use enroll_packet::RegisterKeyPair;
use enroll_station::{SetupRequest, Station};

use crate::{as_user, open_station, password, pending_registration, FakeClock, ADMIN, MAKER};

async fn manual_intake(dir: &std::path::Path) -> RunningIntake {
    // The default: a register approves stations itself.
    enroll_intake::spawn(
        IntakeConfig::new(dir.join("intake"), RegisterKeyPair::generate()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

fn setup(code: Option<&str>) -> SetupRequest {
    SetupRequest {
        station_name: "Mobile team 9".into(),
        center_id: "10009".into(),
        admin_username: ADMIN.into(),
        admin_full_name: "Ada Admin".into(),
        admin_password: password(ADMIN),
        enrollment_code: code.map(str::to_string),
    }
}

/// A second operator, who makes the registrations the admin approves.
fn add_maker(station: &Station) {
    as_user(station, ADMIN);
    station
        .add_operator(enroll_station::NewOperatorRequest {
            username: MAKER.into(),
            full_name: "Olga Officer".into(),
            role: enroll_station::RoleName::Officer,
            password: password(MAKER),
        })
        .unwrap();
}

/// A registration made by the maker and approved by the admin: queued.
fn queued(station: &Station) -> String {
    as_user(station, MAKER);
    let rid = pending_registration(station);
    as_user(station, ADMIN);
    station.approve(&rid).unwrap();
    rid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_without_a_code_waits_for_the_registers_approval_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let intake = manual_intake(dir.path()).await;
    let station = open_station(dir.path(), &intake.base_url(), &FakeClock::default());
    station.set_up(setup(None)).await.unwrap();
    let station_id = station.status().unwrap().station_id.unwrap();
    add_maker(&station);
    let rid = queued(&station);
    let blocked = station
        .sync_status()
        .unwrap()
        .blocked
        .expect("the sync says the station waits");
    assert_eq!(blocked.code.as_str(), "station_pending");

    let report = station.sync_now().await.unwrap();
    assert_eq!(report.failures[0].error.code.as_str(), "station_pending", "{report:?}");
    assert_eq!(
        station.registration(&rid).unwrap().state.as_str(),
        "sealed",
        "the packet stays queued"
    );
    assert!(
        report.quarantined.is_empty(),
        "waiting for approval is not the packet's fault"
    );

    let registry = StationRegistry::open(&dir.path().join("intake")).unwrap();
    let listed = registry.stations().unwrap();
    assert_eq!(listed[0].station_id, station_id);
    assert_eq!(listed[0].status.as_str(), "pending");
    registry.approve(&station_id).unwrap();
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 1, "{report:?}");
    assert_eq!(
        station.sync_status().unwrap().blocked,
        None,
        "an upload that went through clears the wait"
    );

    // Revoked: nothing more leaves, and what is queued stays.
    registry.revoke(&station_id).unwrap();
    let later = queued(&station);
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.failures[0].error.code.as_str(), "station_revoked", "{report:?}");
    assert_eq!(station.registration(&later).unwrap().state.as_str(), "sealed");
    intake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_code_approves_the_station_at_setup_and_a_wrong_one_is_said_by_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let intake = manual_intake(dir.path()).await;
    let registry = StationRegistry::open(&dir.path().join("intake")).unwrap();
    let code = registry.issue_code(std::time::Duration::from_secs(3600)).unwrap();

    let station = open_station(dir.path(), &intake.base_url(), &FakeClock::default());
    let error = station.set_up(setup(Some("WRNG-CODE-0000"))).await.unwrap_err();
    assert_eq!(error.code(), "validation_failed");
    let enroll_station::StationError::ValidationFailed(fields) = &error else {
        unreachable!()
    };
    assert_eq!(
        (fields[0].field.as_str(), fields[0].code.as_str()),
        ("enrollment_code", "invalid")
    );
    assert!(station.status().unwrap().needs_setup, "a refused code creates nothing");

    station.set_up(setup(Some(&code.code))).await.unwrap();
    add_maker(&station);
    let rid = queued(&station);
    assert_eq!(
        station.sync_status().unwrap().blocked,
        None,
        "approved at setup: nothing to wait for"
    );
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 1, "{report:?}");
    assert_eq!(station.registration(&rid).unwrap().state.as_str(), "acknowledged");
    intake.shutdown().await;
}
