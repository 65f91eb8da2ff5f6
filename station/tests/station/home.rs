//! The home screen's summary through the station API: each list holds what the clerk needs
//! (names on drafts, the queue's last upload error, receipts), a rejected packet never reads
//! as an approved one, and the lists page by key.

use std::time::Duration;

use enroll_station::home::{HomeItem, HomeListName, DRAFTS_PAGE_SIZE};
use enroll_station::{DecisionOutcome, DecisionView};

use crate::{as_user, fixture, identity, pending_registration, MAKER, SUPERVISOR};

const SECOND: Duration = Duration::from_secs(1);

fn ids(items: &[HomeItem]) -> Vec<&str> {
    items.iter().map(|item| item.registration_id.as_str()).collect()
}

fn decision(outcome: DecisionOutcome, by: &str, reason: Option<&str>) -> Option<DecisionView> {
    Some(DecisionView {
        outcome,
        by: by.into(),
        reason: reason.map(str::to_string),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_lists_show_names_queue_errors_receipts_and_decisions() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let tick = || fixture.clock.advance(SECOND);

    as_user(station, MAKER);
    let rejected = pending_registration(station);
    tick();
    let approved = pending_registration(station);
    tick();
    let stuck = pending_registration(station);
    tick();
    let waiting = pending_registration(station);
    tick();
    let named = station.new_registration().unwrap().registration_id;
    station.save_draft(&named, identity("Karim Test")).unwrap();
    tick();
    let unnamed = station.new_registration().unwrap().registration_id;
    tick();

    as_user(station, SUPERVISOR);
    station.reject(&rejected, "the photo is blurred").unwrap();
    station.approve(&approved).unwrap();
    tick();
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (2, 2), "{report:?}");
    tick();
    station.approve(&stuck).unwrap();
    fixture.intake.shutdown().await;
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.failures[0].error.code, "intake_unreachable");

    let summary = station.home_summary().unwrap();
    let counts = summary.counts;
    assert_eq!(
        (
            counts.draft,
            counts.pending_approval,
            counts.sealed,
            counts.acknowledged,
            counts.queued
        ),
        (2, 1, 1, 2, 1)
    );

    // Drafts: newest first, each with the name typed so far.
    assert_eq!(ids(&summary.drafts.items), [unnamed.as_str(), named.as_str()]);
    let names: Vec<_> = summary.drafts.items.iter().map(|d| d.display_name.as_deref()).collect();
    assert_eq!(names, [None, Some("Karim Test")]);
    assert!(summary.drafts.next_page.is_none());

    // Pending: no name (that means decrypting the packet), no decision yet.
    assert_eq!(ids(&summary.pending_approval.items), [waiting.as_str()]);
    let pending = &summary.pending_approval.items[0];
    assert_eq!((pending.display_name.as_ref(), pending.decision.as_ref()), (None, None));
    assert_eq!(pending.created_by, MAKER);

    // The queue: the packet the intake did not take, with why, and who approved it.
    assert_eq!(ids(&summary.upload_queue.items), [stuck.as_str()]);
    let queued = &summary.upload_queue.items[0];
    assert_eq!(queued.state, "sealed");
    assert_eq!(
        queued.last_error.as_ref().map(|e| e.code.as_str()),
        Some("intake_unreachable")
    );
    assert_eq!(queued.decision, decision(DecisionOutcome::Approved, SUPERVISOR, None));

    // Acknowledged: both with their receipts; the rejected one says so (the reason is only on
    // the registration screen).
    let acknowledged = &summary.acknowledged.items;
    assert_eq!(acknowledged.len(), 2);
    let item = |rid: &str| acknowledged.iter().find(|i| i.registration_id == rid).unwrap();
    for rid in [&rejected, &approved] {
        assert_eq!(item(rid).state, "acknowledged");
        let receipt = item(rid).receipt.as_ref().expect("a receipt on every acknowledged row");
        assert!(!receipt.intake_reference.is_empty());
        assert!(item(rid).last_error.is_none());
    }
    assert_eq!(
        item(&rejected).decision,
        decision(DecisionOutcome::Rejected, SUPERVISOR, None)
    );
    assert_eq!(
        item(&approved).decision,
        decision(DecisionOutcome::Approved, SUPERVISOR, None)
    );

    // The registration screen has the decision with the reason.
    assert_eq!(
        station.registration(&rejected).unwrap().decision,
        decision(DecisionOutcome::Rejected, SUPERVISOR, Some("the photo is blurred"))
    );
    assert_eq!(
        station.registration(&approved).unwrap().decision,
        decision(DecisionOutcome::Approved, SUPERVISOR, None)
    );
    assert_eq!(station.registration(&waiting).unwrap().decision, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_list_pages_by_key_without_gaps_or_repeats() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, MAKER);
    let total = DRAFTS_PAGE_SIZE as usize + 2;
    let mut made = Vec::new();
    for _ in 0..total {
        made.push(station.new_registration().unwrap().registration_id);
        fixture.clock.advance(SECOND);
    }
    made.reverse(); // newest first

    let summary = station.home_summary().unwrap();
    assert_eq!(summary.counts.draft, total as u64);
    assert_eq!(summary.drafts.items.len(), DRAFTS_PAGE_SIZE as usize);
    let cursor = summary.drafts.next_page.expect("a full page has a next one");
    assert_eq!(cursor.registration_id, made[DRAFTS_PAGE_SIZE as usize - 1]);
    let rest = station.home_page(HomeListName::Drafts, &cursor).unwrap();
    assert!(rest.next_page.is_none(), "a short page is the last");
    let mut seen = ids(&summary.drafts.items);
    seen.extend(ids(&rest.items));
    assert_eq!(seen, made.iter().map(String::as_str).collect::<Vec<_>>());

    // Another list from the same cursor holds only its own states.
    assert!(station
        .home_page(HomeListName::UploadQueue, &cursor)
        .unwrap()
        .items
        .is_empty());
}
