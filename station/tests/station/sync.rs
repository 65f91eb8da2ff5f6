//! The upload queue against a real intake: approval order, quarantine of a packet the register
//! refuses for good, and the background sync that starts by itself when the intake comes back.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use enroll_intake::IntakeConfig;
use enroll_packet::RegisterKeyPair;
use enroll_station::{start_background_sync, BackgroundSync, IntakeLink, Station, SyncStatusView};
use enroll_sync::RetryPolicy;

use crate::{as_user, data_dir, fixture, pending_registration, MAKER, OFFICER, SUPERVISOR};

/// Approve `count` registrations made by the maker, in order; returns their ids.
fn approved(station: &Station, count: usize) -> Vec<String> {
    as_user(station, MAKER);
    let ids: Vec<String> = (0..count).map(|_| pending_registration(station)).collect();
    as_user(station, SUPERVISOR);
    for id in &ids {
        station.approve(id).unwrap();
    }
    ids
}

fn state(station: &Station, registration_id: &str) -> String {
    station
        .registration(registration_id)
        .unwrap()
        .state
        .as_str()
        .to_string()
}

/// Flip one byte in the middle of a sealed envelope's file: the register cannot open it and
/// refuses the packet for good.
fn damage_envelope(dir: &std::path::Path, registration_id: &str) {
    let path = data_dir(dir)
        .join("vault.blobs")
        .join(format!("{registration_id}.envelope"));
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&path, bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packet_the_register_refuses_is_quarantined_and_the_queue_goes_on_without_it() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let ids = approved(station, 3);
    damage_envelope(fixture.dir.path(), &ids[0]);

    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (3, 2), "{report:?}");
    assert_eq!(report.quarantined, [ids[0].clone()]);
    assert_eq!(report.failures[0].error.code.as_str(), "packet_rejected");
    assert_eq!(
        state(station, &ids[0]),
        "sealed",
        "the refused packet stays on the station"
    );
    for id in &ids[1..] {
        assert_eq!(state(station, id), "acknowledged", "the packets behind it went through");
    }

    // The supervisor sees it in the upload center, with its reason.
    let center = station.upload_center().unwrap();
    assert_eq!((center.waiting, center.quarantined), (0, 1));
    let entry = &center.entries[0];
    assert_eq!(entry.registration_id, ids[0]);
    assert!(entry.quarantined_at.is_some());
    assert_eq!(entry.last_error.as_ref().unwrap().code.as_str(), "packet_rejected");

    // A sync passes it by: nothing is tried again until someone acts.
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.attempted, 0, "{report:?}");

    // An officer may not put it back; a supervisor may, and the next sync tries it again
    // (and, the file still being damaged, sets it aside again).
    station.log_out();
    assert_eq!(
        station.release_quarantined(&ids[0]).unwrap_err().code(),
        "not_signed_in"
    );
    as_user(station, OFFICER);
    assert_eq!(
        station.release_quarantined(&ids[0]).unwrap_err().code(),
        "not_permitted"
    );
    as_user(station, SUPERVISOR);
    let center = station.release_quarantined(&ids[0]).unwrap();
    assert_eq!((center.waiting, center.quarantined), (1, 0));
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.quarantined.len()), (1, 1), "{report:?}");
    assert_eq!(
        station.release_quarantined(&ids[1]).unwrap_err().code(),
        "invalid_state",
        "an acknowledged packet is not in the queue"
    );
    let actions: Vec<String> = station
        .registration_audit(&ids[0])
        .unwrap()
        .into_iter()
        .map(|event| event.action)
        .collect();
    assert_eq!(
        actions[actions.len() - 3..],
        [
            "registration_quarantined",
            "registration_released",
            "registration_quarantined"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packet_whose_file_is_gone_fails_alone_and_the_rest_of_the_queue_is_sent() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let ids = approved(station, 2);
    let path = data_dir(fixture.dir.path())
        .join("vault.blobs")
        .join(format!("{}.envelope", ids[0]));
    std::fs::remove_file(path).unwrap();

    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (2, 1), "{report:?}");
    assert_eq!(report.failures[0].error.code.as_str(), "vault_io");
    assert_eq!(state(station, &ids[1]), "acknowledged");
    let center = station.upload_center().unwrap();
    let entry = &center.entries[0];
    assert_eq!((entry.failures, entry.quarantined_at.is_some()), (1, false));
    assert!(
        entry.next_attempt_at.is_some(),
        "it waits out a backoff before the next try"
    );
}

/// The background sync with short waits, so the test sees it act within seconds.
fn quick_pace() -> BackgroundSync {
    BackgroundSync {
        idle: Duration::from_millis(300),
        offline: RetryPolicy {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(300),
        },
        blocked: Duration::from_millis(300),
        register_status: Duration::from_millis(300),
        configuration: Duration::from_millis(300),
    }
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_sync_sends_the_queue_by_itself_once_the_intake_is_back() {
    let fixture = fixture().await;
    let intake_dir = fixture.dir.path().join("intake");
    let register_key_json = fixture.register_key_json.clone();
    let address = fixture.intake.local_addr();
    fixture.intake.shutdown().await;
    let station = Arc::new(fixture.station);
    let ids = approved(&station, 2);

    let heard: Arc<Mutex<Vec<SyncStatusView>>> = Arc::default();
    let sink = Arc::clone(&heard);
    station.on_sync_status(Some(Arc::new(move |status: &SyncStatusView| {
        sink.lock().unwrap().push(status.clone())
    })));
    start_background_sync(&station, quick_pace()).unwrap();
    until("the sync finds the intake offline", || {
        station.sync_status().unwrap().link == IntakeLink::Offline
    })
    .await;
    assert_eq!(state(&station, &ids[0]), "sealed");

    let intake = enroll_intake::spawn(
        IntakeConfig::new(intake_dir, RegisterKeyPair::from_json(&register_key_json).unwrap())
            .approving_stations_automatically(),
        address,
    )
    .await
    .unwrap();
    until("both packets are acknowledged", || {
        ids.iter().all(|id| state(&station, id) == "acknowledged")
    })
    .await;

    // The run ends just after its last packet is acknowledged: wait for the status that says so.
    until("the run is heard to end", || {
        heard.lock().unwrap().last().is_some_and(|status| !status.running)
    })
    .await;
    let heard = heard.lock().unwrap().clone();
    let sent_of = |id: &str| {
        heard
            .iter()
            .filter_map(|s| s.current.as_ref())
            .filter(|c| c.registration_id == id)
            .map(|c| (c.sent, c.total))
            .collect::<Vec<_>>()
    };
    for id in &ids {
        let progress = sent_of(id);
        let (_, total) = *progress.last().unwrap_or_else(|| panic!("no progress heard for {id}"));
        assert!(total > 0);
        assert_eq!(
            progress.last(),
            Some(&(total, total)),
            "the end of each packet is heard"
        );
    }
    // In approval order: the first packet's last progress comes before the second's first.
    let position = |id: &str| {
        heard
            .iter()
            .position(|s| s.current.as_ref().is_some_and(|c| c.registration_id == id))
    };
    assert!(position(&ids[0]) < position(&ids[1]));
    let last = heard.last().unwrap();
    assert_eq!((last.link, last.running), (IntakeLink::Online, false));
    assert!(last.last_contact_at.is_some());

    // The audit trail names the station's sync for what it did, not the supervisor who
    // happened to be signed in.
    let actors: Vec<(String, String)> = station
        .registration_audit(&ids[0])
        .unwrap()
        .into_iter()
        .map(|event| (event.action, event.actor))
        .collect();
    assert!(
        actors.contains(&("registration_uploaded".into(), "sync".into())),
        "{actors:?}"
    );
    assert!(
        actors.contains(&("registration_acknowledged".into(), "sync".into())),
        "{actors:?}"
    );
    assert!(
        actors.contains(&("registration_approved".into(), SUPERVISOR.into())),
        "{actors:?}"
    );

    // A packet approved now leaves without anyone asking: the review wakes the sync.
    let later = approved(&station, 1);
    until("the packet approved later is acknowledged", || {
        state(&station, &later[0]) == "acknowledged"
    })
    .await;
    intake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_packet_whose_cause_is_gone_is_acknowledged() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let ids = approved(station, 1);
    let path = data_dir(fixture.dir.path())
        .join("vault.blobs")
        .join(format!("{}.envelope", ids[0]));
    let good = std::fs::read(&path).unwrap();
    damage_envelope(fixture.dir.path(), &ids[0]);
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.quarantined, ids, "{report:?}");

    // The cause is dealt with (here: the file is whole again), and a supervisor releases it.
    std::fs::write(&path, &good).unwrap();
    station.release_quarantined(&ids[0]).unwrap();
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (1, 1), "{report:?}");
    assert_eq!(state(station, &ids[0]), "acknowledged");
}
