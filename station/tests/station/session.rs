//! Lockout after wrong passwords (kept across a restart) and the idle lock, on a fake clock.

use std::time::Duration;

use crate::{fixture, open_station, password, OFFICER};

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_an_operator_out_even_across_a_restart() {
    let fixture = fixture().await;
    let station = &fixture.station;
    for attempt in 1..=4 {
        assert_eq!(
            station.log_in(OFFICER, "wrong password").unwrap_err().code(),
            "wrong_credentials",
            "attempt {attempt}"
        );
    }
    let locked = station.log_in(OFFICER, "wrong password").unwrap_err();
    assert_eq!(locked.code(), "account_locked");
    assert_eq!(
        serde_json::to_value(&locked).unwrap()["params"],
        serde_json::json!({"until": "2026-11-25T09:05:00Z"}),
        "the window is told until when, and words it in the clerk's language"
    );

    // A restart does not reset it, and the right password is not even tried.
    drop(fixture.station);
    let station = open_station(fixture.dir.path(), &fixture.intake.base_url(), &fixture.clock);
    assert_eq!(
        station.log_in(OFFICER, &password(OFFICER)).unwrap_err().code(),
        "account_locked"
    );
    fixture.clock.advance(4 * MINUTE);
    assert_eq!(
        station.log_in(OFFICER, &password(OFFICER)).unwrap_err().code(),
        "account_locked"
    );

    // After five minutes: five more wrong passwords lock for twice as long (ten minutes).
    fixture.clock.advance(MINUTE);
    for _ in 1..=4 {
        assert_eq!(
            station.log_in(OFFICER, "wrong").unwrap_err().code(),
            "wrong_credentials"
        );
    }
    let locked = station.log_in(OFFICER, "wrong").unwrap_err();
    assert!(locked.to_string().contains("until 2026-11-25T09:15:00Z"), "{locked}");
    fixture.clock.advance(10 * MINUTE);

    // The right password then works and clears the counters.
    station.log_in(OFFICER, &password(OFFICER)).unwrap();
    station.log_out();
    for _ in 1..=4 {
        station.log_in(OFFICER, "wrong").unwrap_err();
    }
    station.log_in(OFFICER, &password(OFFICER)).unwrap();

    // Every step is in the audit chain.
    station.log_out();
    station.log_in("admin", &password("admin")).unwrap();
    let chain = enroll_station::verify_audit_chain(&crate::data_dir(fixture.dir.path()), None).unwrap();
    assert_eq!(chain.broken, None);
    assert_eq!(chain.unsigned_tail, 0, "the sign-in signed every failure before it");
    fixture.intake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_locks_and_only_the_password_unlocks_it() {
    let fixture = fixture().await;
    let station = &fixture.station;
    station.log_in(OFFICER, &password(OFFICER)).unwrap();
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();

    // Activity keeps the session open.
    for _ in 0..3 {
        fixture.clock.advance(9 * MINUTE);
        station.registration(&rid).unwrap();
    }
    fixture.clock.advance(10 * MINUTE);
    let status = station.status().unwrap();
    assert!(
        status.session_locked,
        "status shows the lock without counting as activity"
    );
    assert_eq!(status.operator.unwrap().username, OFFICER);
    let locked = station.registration(&rid).unwrap_err();
    assert_eq!(locked.code(), "session_locked");
    assert_eq!(
        serde_json::to_value(&locked).unwrap()["params"]["username"],
        OFFICER,
        "the lock screen names whose session it is"
    );
    assert_eq!(
        station.home_summary().unwrap_err().code(),
        "session_locked",
        "stays locked however soon the next call comes"
    );
    assert_eq!(
        station.log_in(OFFICER, "wrong").unwrap_err().code(),
        "wrong_credentials"
    );
    assert_eq!(station.home_summary().unwrap_err().code(), "session_locked");

    station.log_in(OFFICER, &password(OFFICER)).unwrap();
    assert!(!station.status().unwrap().session_locked);
    assert_eq!(station.registration(&rid).unwrap().state, "draft");
    fixture.intake.shutdown().await;
}
