//! Roles are enforced by the application API, whatever the UI shows: an officer cannot
//! approve, a supervisor cannot approve their own registration, only an admin adds operators.

use enroll_intake::IntakeConfig;
use enroll_packet::RegisterKeyPair;
use enroll_station::{NewOperatorRequest, SetupRequest, Station, StationConfig};
use serde_json::json;

fn operator(username: &str, role: &str) -> NewOperatorRequest {
    NewOperatorRequest {
        username: username.into(),
        full_name: format!("{username} full name"),
        role: role.into(),
        password: format!("{username}-password"),
    }
}

fn pending_registration(station: &Station) -> String {
    let rid = station.new_registration().unwrap().registration_id;
    station
        .save_draft(
            &rid,
            json!({
                "fullName": [{"language": "eng", "value": "Karim"}, {"language": "ara", "value": "كريم"}],
                "dateOfBirth": "2001/07/14",
                "gender": "MLE"
            }),
        )
        .unwrap();
    station.capture_face(&rid).unwrap();
    station.finalize(&rid).unwrap();
    rid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_do_what() {
    let dir = tempfile::tempdir().unwrap();
    let intake = enroll_intake::spawn(
        IntakeConfig::new(dir.path().join("intake"), RegisterKeyPair::generate()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let station = Station::open(StationConfig {
        data_dir: dir.path().join("station"),
        intake_url: intake.base_url(),
    })
    .unwrap();
    station
        .set_up(SetupRequest {
            station_name: "Center".into(),
            center_id: "10001".into(),
            admin_username: "admin".into(),
            admin_full_name: "Admin".into(),
            admin_password: "admin-password".into(),
        })
        .await
        .unwrap();

    assert_eq!(
        station.add_operator(operator("omar", "officer")).unwrap_err().code(),
        "not_signed_in"
    );
    station.log_in("admin", "admin-password").unwrap();
    station.add_operator(operator("omar", "officer")).unwrap();
    station.add_operator(operator("sara", "supervisor")).unwrap();
    assert_eq!(
        station.add_operator(operator("omar", "officer")).unwrap_err().code(),
        "operator_exists"
    );
    assert_eq!(
        station.add_operator(operator("x", "superuser")).unwrap_err().code(),
        "invalid_input"
    );
    let weak = NewOperatorRequest {
        password: "short".into(),
        ..operator("y", "officer")
    };
    assert_eq!(station.add_operator(weak).unwrap_err().code(), "validation_failed");

    // An officer registers but cannot approve, nor add operators.
    station.log_in("omar", "omar-password").unwrap();
    let by_officer = pending_registration(&station);
    let refused = station.approve(&by_officer).unwrap_err();
    assert_eq!(refused.code(), "not_permitted");
    assert!(refused.to_string().contains("officer cannot approve"));
    assert_eq!(
        station.registration(&by_officer).unwrap().state,
        "pending_approval",
        "a refusal changes nothing"
    );
    assert_eq!(
        station.add_operator(operator("z", "admin")).unwrap_err().code(),
        "not_permitted"
    );

    // A supervisor approves the officer's registration but not one of their own.
    station.log_in("sara", "sara-password").unwrap();
    assert_eq!(station.approve(&by_officer).unwrap().state, "sealed");
    let by_supervisor = pending_registration(&station);
    let refused = station.approve(&by_supervisor).unwrap_err();
    assert_eq!(refused.code(), "not_permitted");
    assert!(refused.to_string().contains("made themselves"));

    // Signing out ends the session.
    station.log_out();
    assert_eq!(station.list_registrations().unwrap_err().code(), "not_signed_in");
    intake.shutdown().await;
}
