//! The offline limits: near one the home screen warns, past one new registrations stop with the
//! reason; work already started goes on, and a sync lifts the stop.

use std::time::Duration;

use enroll_station::offline::{OfflineLevel, OfflineLimits, OfflineReason};

use crate::{as_user, fixture, pending_registration, MAKER, SUPERVISOR};

const DAY: Duration = Duration::from_secs(24 * 3600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_a_limit_new_registrations_stop_with_the_reason_until_a_sync() {
    let fixture = fixture().await;
    let clock = fixture.clock.clone();
    let station = fixture.station.with_offline_limits(OfflineLimits {
        max_days_since_sync: 5,
        max_packets_not_uploaded: 2,
        min_free_disk_mb: 0,
    });
    as_user(&station, MAKER);
    assert_eq!(station.home_summary().unwrap().offline.level, OfflineLevel::Ok);
    let first = pending_registration(&station);
    // A draft begun before the limit is reached may be finished after it.
    let started = station.new_registration().unwrap().registration_id;
    let second = pending_registration(&station);

    let summary = station.home_summary().unwrap();
    assert_eq!(summary.offline.level, OfflineLevel::Stopped);
    assert_eq!(summary.offline.reasons, [OfflineReason::PacketsNotUploaded]);
    assert_eq!(summary.offline.packets_not_uploaded, 2);
    let refused = station.new_registration().unwrap_err();
    assert_eq!(refused.code(), "offline_limit_reached");
    let view = enroll_station::ErrorView::from(&refused);
    assert_eq!(
        view.params.get("reason"),
        Some(&enroll_station::ErrorParam::Text("packets_not_uploaded".into()))
    );
    station.save_draft(&started, crate::identity("Still Allowed")).unwrap();

    // Reviewed and synced: the register holds them, and registrations go on.
    as_user(&station, SUPERVISOR);
    station.approve(&first).unwrap();
    station.approve(&second).unwrap();
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 2, "{report:?}");
    as_user(&station, MAKER);
    let state = station.offline_state().unwrap();
    assert_eq!((state.level, state.packets_not_uploaded), (OfflineLevel::Ok, 0));
    assert!(state.last_sync_at.is_some(), "the sync is remembered");

    // Days without a sync: a warning at four fifths, a stop at the limit.
    clock.advance(4 * DAY);
    as_user(&station, MAKER);
    let state = station.offline_state().unwrap();
    assert_eq!(
        (state.level, state.reasons.as_slice()),
        (OfflineLevel::Warning, [OfflineReason::DaysSinceSync].as_slice())
    );
    station.new_registration().expect("a warning does not stop anyone");
    clock.advance(DAY);
    as_user(&station, MAKER);
    let refused = station.new_registration().unwrap_err();
    assert_eq!(refused.code(), "offline_limit_reached");
    assert_eq!(station.offline_state().unwrap().days_since_sync, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_short_of_the_minimum_stops_new_registrations() {
    let fixture = fixture().await;
    let station = fixture.station.with_offline_limits(OfflineLimits {
        // More than any test machine has free.
        min_free_disk_mb: u64::MAX / 2,
        ..OfflineLimits::default()
    });
    as_user(&station, MAKER);
    let state = station.offline_state().unwrap();
    assert_eq!(state.level, OfflineLevel::Stopped);
    assert_eq!(state.reasons, [OfflineReason::FreeDisk]);
    assert!(state.free_disk_mb.is_some());
    assert_eq!(station.new_registration().unwrap_err().code(), "offline_limit_reached");
}
