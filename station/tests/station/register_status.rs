//! What the register did with receipted packets, as the station learns and shows it: asked
//! after Sync now and by the background sync, kept on each registration, the register's
//! reasons sealed in the vault, and the packets it returned listed for supervisors until one
//! marks each handled.

use std::sync::Arc;
use std::time::{Duration, Instant};

use enroll_intake::packet_status::PacketStatus;
use enroll_intake::StationRegistry;
use enroll_station::{start_background_sync, BackgroundSync, RegisterStatusName, Station};
use enroll_sync::RetryPolicy;

use crate::{as_user, data_dir, fixture, pending_registration, MAKER, OFFICER, SUPERVISOR};

fn acknowledged(station: &Station, count: usize) -> Vec<String> {
    as_user(station, MAKER);
    let ids: Vec<String> = (0..count).map(|_| pending_registration(station)).collect();
    as_user(station, SUPERVISOR);
    for id in &ids {
        station.approve(id).unwrap();
    }
    ids
}

/// The register's side, as its back office moves packets on (`enroll intake packets set-status`).
fn register(dir: &std::path::Path) -> StationRegistry {
    StationRegistry::open(&dir.join("intake")).unwrap()
}

fn status_of(station: &Station, registration_id: &str) -> Option<RegisterStatusName> {
    station
        .registration(registration_id)
        .unwrap()
        .register_status
        .map(|status| status.status)
}

/// Every byte of the vault's files (the database and its write-ahead log).
fn vault_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["vault.sqlite", "vault.sqlite-wal"] {
        if let Ok(mut file) = std::fs::read(data_dir(dir).join(name)) {
            bytes.append(&mut file);
        }
    }
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_brings_the_registers_word_and_a_supervisor_handles_what_it_returned() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let ids = acknowledged(station, 3);
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 3, "{report:?}");
    for id in &ids {
        assert_eq!(
            status_of(station, id),
            Some(RegisterStatusName::Received),
            "asked right after"
        );
    }
    assert_eq!(station.home_summary().unwrap().returned_by_register.total, 0);

    let register = register(fixture.dir.path());
    register
        .set_packet_status(&ids[0], PacketStatus::Rejected, Some("Photo floue, visage masqué"))
        .unwrap();
    register
        .set_packet_status(&ids[1], PacketStatus::ReRegister, Some("وثيقة الهوية منتهية الصلاحية"))
        .unwrap();
    register
        .set_packet_status(&ids[2], PacketStatus::Processed, None)
        .unwrap();

    let news = station.sync_status().unwrap().register_news;
    station.sync_now().await.unwrap();
    assert_eq!(status_of(station, &ids[2]), Some(RegisterStatusName::Processed));
    assert!(
        station.sync_status().unwrap().register_news > news,
        "the window hears that it should read its lists again"
    );
    let home = station.home_summary().unwrap();
    let returned = &home.returned_by_register;
    assert_eq!(returned.total, 2);
    let shown: Vec<_> = returned
        .items
        .iter()
        .map(|item| (item.registration_id.as_str(), item.status, item.reason.as_deref()))
        .collect();
    assert!(shown.contains(&(
        ids[0].as_str(),
        RegisterStatusName::Rejected,
        Some("Photo floue, visage masqué")
    )));
    assert!(shown.contains(&(
        ids[1].as_str(),
        RegisterStatusName::ReRegister,
        Some("وثيقة الهوية منتهية الصلاحية")
    )));
    let view = station.registration(&ids[0]).unwrap();
    assert_eq!(
        view.state.as_str(),
        "acknowledged",
        "the register's word is not a lifecycle move"
    );
    assert_eq!(
        view.register_status.unwrap().reason.as_deref(),
        Some("Photo floue, visage masqué")
    );

    // The reasons describe residents: the vault holds them sealed, never in clear.
    let bytes = vault_bytes(fixture.dir.path());
    for reason in ["Photo floue", "وثيقة الهوية"] {
        assert!(
            !bytes.windows(reason.len()).any(|w| w == reason.as_bytes()),
            "'{reason}' is in the vault in clear"
        );
    }

    // An officer may not mark it handled; a supervisor may, and it leaves the list.
    as_user(station, OFFICER);
    assert_eq!(
        station.mark_register_return_handled(&ids[0]).unwrap_err().code(),
        "not_permitted"
    );
    as_user(station, SUPERVISOR);
    let returned = station.mark_register_return_handled(&ids[0]).unwrap();
    assert_eq!(returned.total, 1);
    assert_eq!(returned.items[0].registration_id, ids[1]);
    assert_eq!(
        station.mark_register_return_handled(&ids[2]).unwrap_err().code(),
        "invalid_state",
        "a processed packet is not a return"
    );
    let handled = station.registration(&ids[0]).unwrap().register_status.unwrap();
    assert_eq!(handled.handled_by.as_deref(), Some(SUPERVISOR));

    let actions: Vec<(String, String, String)> = station
        .registration_audit(&ids[0])
        .unwrap()
        .into_iter()
        .filter(|event| event.action.starts_with("register_"))
        .map(|event| (event.actor, event.action, event.details))
        .collect();
    assert_eq!(
        actions,
        [
            (
                "sara".to_string(),
                "register_status".to_string(),
                "received → rejected".to_string()
            ),
            (
                "sara".into(),
                "register_return_handled".into(),
                "status: rejected".into()
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_sync_asks_the_register_by_itself_until_the_status_settles() {
    let fixture = fixture().await;
    let dir = fixture.dir.path().to_path_buf();
    let clock = fixture.clock.clone();
    let station = Arc::new(fixture.station);
    let ids = acknowledged(&station, 1);
    station.sync_now().await.unwrap();
    assert_eq!(status_of(&station, &ids[0]), Some(RegisterStatusName::Received));

    let pace = BackgroundSync {
        idle: Duration::from_millis(100),
        offline: RetryPolicy {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(300),
        },
        blocked: Duration::from_millis(300),
        register_status: Duration::from_secs(60),
        configuration: Duration::from_secs(60),
    };
    start_background_sync(&station, pace).unwrap();
    register(&dir)
        .set_packet_status(&ids[0], PacketStatus::Processing, None)
        .unwrap();
    // The station asked a moment ago: it waits out its pace (on the station's clock) first.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(status_of(&station, &ids[0]), Some(RegisterStatusName::Received));
    clock.advance(Duration::from_secs(61));
    until(&station, &ids[0], RegisterStatusName::Processing).await;

    register(&dir)
        .set_packet_status(&ids[0], PacketStatus::ReRegister, Some("empreintes illisibles"))
        .unwrap();
    clock.advance(Duration::from_secs(61));
    until(&station, &ids[0], RegisterStatusName::ReRegister).await;
    let returned = station.home_summary().unwrap().returned_by_register;
    assert_eq!(returned.items[0].reason.as_deref(), Some("empreintes illisibles"));
    let audit = station.registration_audit(&ids[0]).unwrap();
    let by_sync = audit
        .iter()
        .filter(|event| event.action == "register_status" && event.actor == "sync")
        .count();
    assert_eq!(
        by_sync, 2,
        "the background sync's moves are the station's own: {audit:?}"
    );

    // Settled: the station stops asking about it (a later change at the register is not
    // fetched), which keeps each question small however many packets a station has sent.
    register(&dir)
        .set_packet_status(&ids[0], PacketStatus::Processed, None)
        .unwrap();
    clock.advance(Duration::from_secs(61));
    tokio::time::sleep(Duration::from_millis(600)).await;
    station.sync_now().await.unwrap();
    assert_eq!(status_of(&station, &ids[0]), Some(RegisterStatusName::ReRegister));
}

async fn until(station: &Station, registration_id: &str, status: RegisterStatusName) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while status_of(station, registration_id) != Some(status) {
        assert!(Instant::now() < deadline, "timed out waiting for {status:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
