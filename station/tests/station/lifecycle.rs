//! Reject, discard and purge through the station API, and the audit events they leave.

use std::time::Duration;

use crate::{as_user, fixture, pending_registration, ADMIN, MAKER, SUPERVISOR};

const DAY: Duration = Duration::from_secs(24 * 3600);

fn actions(events: &[enroll_packet::AuditEvent]) -> Vec<(&str, &str)> {
    events.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_packets_are_uploaded_and_only_acknowledged_ones_purged_after_retention() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, MAKER);
    let rejected = pending_registration(station);
    let accepted = pending_registration(station);
    let discarded = station.new_registration().unwrap().registration_id;
    station.discard_draft(&discarded).unwrap();
    assert_eq!(
        station.discard_draft(&discarded).unwrap_err().code(),
        "invalid_state",
        "a discarded draft stays discarded"
    );

    as_user(station, SUPERVISOR);
    let empty = station.reject(&rejected, "   ").unwrap_err();
    assert_eq!(empty.code(), "validation_failed");
    let view = station.reject(&rejected, "the photo is blurred").unwrap();
    assert_eq!(view.state, "rejected");
    assert!(view.identity.is_none(), "the readable copy is gone");
    assert_eq!(
        station.biometrics(&rejected).unwrap_err().code(),
        "invalid_state",
        "and its biometrics with it"
    );
    let envelope = station.sealed_envelope(&rejected).unwrap();
    let register = enroll_packet::RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    let (_, plaintext) = enroll_packet::decrypt_envelope_body(&envelope, &register).unwrap();
    let (contents, _) = enroll_packet::PacketContents::from_bytes(&plaintext).unwrap();
    assert_eq!(
        contents.meta.supervisor_decision,
        Some(enroll_packet::SupervisorDecision::Rejected)
    );
    assert_eq!(contents.meta.supervisor_reason.as_deref(), Some("the photo is blurred"));
    assert_eq!(contents.meta.supervisor.as_deref(), Some(SUPERVISOR));
    assert_eq!(contents.meta.approved_at, None);
    assert_eq!(station.approve(&rejected).unwrap_err().code(), "invalid_state");
    assert_eq!(
        actions(&station.registration_audit(&rejected).unwrap()),
        [
            ("registration_created", MAKER),
            ("consent_given", MAKER),
            ("document_attached", MAKER),
            ("registration_finalized", MAKER),
            ("registration_rejected", SUPERVISOR)
        ]
    );

    station.approve(&accepted).unwrap();

    // Nothing the register has not acknowledged is purged, however old.
    // (Days pass: the session locks when idle, so each operator signs in each time.)
    fixture.clock.advance(30 * DAY);
    as_user(station, ADMIN);
    assert!(station.purge_expired().unwrap().purged.is_empty());
    assert_eq!(station.registration(&rejected).unwrap().state, "rejected");

    // The rejected packet goes to the register too, decision and reason inside.
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (2, 2), "{report:?}");
    let rejected_view = station.registration(&rejected).unwrap();
    assert_eq!(rejected_view.state, "acknowledged");
    assert!(rejected_view.receipt.is_some());

    // Not before the retention period is over...
    fixture.clock.advance(6 * DAY);
    as_user(station, ADMIN);
    assert!(station.purge_expired().unwrap().purged.is_empty());
    // ...and then both, keeping the rows.
    fixture.clock.advance(DAY);
    as_user(station, ADMIN);
    let mut expected = vec![rejected.clone(), accepted.clone()];
    expected.sort();
    assert_eq!(station.purge_expired().unwrap().purged, expected);
    for rid in [&rejected, &accepted, &discarded] {
        assert_eq!(station.registration(rid).unwrap().state, "purged");
        assert_eq!(station.sealed_envelope(rid).unwrap_err().code(), "invalid_state");
    }
    let acknowledged = station.registration(&accepted).unwrap();
    assert!(acknowledged.receipt.is_some(), "the tombstone keeps the receipt");
    assert_eq!(
        actions(&station.registration_audit(&accepted).unwrap()),
        [
            ("registration_created", MAKER),
            ("consent_given", MAKER),
            ("document_attached", MAKER),
            ("registration_finalized", MAKER),
            ("registration_approved", SUPERVISOR),
            ("registration_uploaded", ADMIN),
            ("registration_acknowledged", ADMIN),
            ("registration_purged", ADMIN),
        ]
    );
    assert_eq!(
        actions(&station.registration_audit(&rejected).unwrap()),
        [
            ("registration_created", MAKER),
            ("consent_given", MAKER),
            ("document_attached", MAKER),
            ("registration_finalized", MAKER),
            ("registration_rejected", SUPERVISOR),
            ("registration_uploaded", ADMIN),
            ("registration_acknowledged", ADMIN),
            ("registration_purged", ADMIN),
        ]
    );
    let events = station.registration_audit(&accepted).unwrap();
    assert!(events.windows(2).all(|w| w[0].sequence < w[1].sequence));
    assert!(events
        .iter()
        .all(|e| e.registration_id.as_deref() == Some(accepted.as_str())));

    let chain = enroll_station::verify_audit_chain(&crate::data_dir(fixture.dir.path()), None).unwrap();
    assert_eq!(chain.broken, None, "{chain:?}");
    assert_eq!(chain.station_public_key_source, "recorded in the vault");
    assert_eq!(chain.last_signed, Some(chain.events));
    let check = enroll_station::check_vault(&crate::data_dir(fixture.dir.path())).unwrap();
    assert!(check.is_healthy(), "{check:?}");
    assert_eq!(check.registrations_by_state.get("purged"), Some(&3));
    assert_eq!(check.operators, 4);
    fixture.intake.shutdown().await;
}

/// Finalize builds its answer from what it holds instead of reading the stored packet back
/// (which costs a fifth of finalize); the answer must be what reading it back gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finalize_answers_with_the_view_that_reading_the_pending_packet_back_gives() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, crate::identity("Karim Test")).unwrap();
    crate::attach_proof_of_identity(station, &rid);
    crate::capture_face(station, &rid);
    let answered = station.finalize(&rid).unwrap();
    let read_back = station.registration(&rid).unwrap();
    assert_eq!(answered.state, "pending_approval");
    assert!(answered.identity.is_some());
    assert_eq!(
        serde_json::to_value(&answered).unwrap(),
        serde_json::to_value(&read_back).unwrap()
    );
}

/// A vault written by a version before envelope version 2 holds pending registrations as
/// readable containers under a content key. After the upgrade they are read, approved and
/// uploaded as before (a version 1 envelope, decision inside), beside registrations finalized
/// now (version 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_finalized_before_envelope_version_2_is_reviewed_and_uploaded_as_before() {
    let crate::Fixture {
        dir,
        intake,
        clock,
        station,
        register_key_json,
    } = fixture().await;
    as_user(&station, MAKER);
    let current = pending_registration(&station);
    let earlier = station.new_registration().unwrap().registration_id;
    station.save_draft(&earlier, crate::identity("Layla Earlier")).unwrap();
    crate::capture_face(&station, &earlier);
    drop(station);

    // What the earlier version stored at finalize: the container, under a content key.
    {
        let mut vault =
            enroll_store::Vault::open(&crate::data_dir(dir.path()).join(enroll_station::VAULT_FILE)).unwrap();
        let (_, data_key) = vault.unlock(MAKER, &crate::password(MAKER)).unwrap();
        let template = enroll_station::packaging::read_pending(&vault, &current, &data_key).unwrap();
        let (mut contents, _) = enroll_packet::PacketContents::from_bytes(&template).unwrap();
        contents.meta.registration_id = earlier.clone();
        contents.identity["fullName"][0]["value"] = "Layla Earlier".into();
        vault
            .finalize(
                &earlier,
                &contents.to_bytes().unwrap(),
                &data_key,
                "2026-11-25T10:00:00Z",
            )
            .unwrap();
        assert!(vault.pending_envelope(&earlier, &data_key).unwrap().is_none());
    }

    let station = crate::open_station(dir.path(), &intake.base_url(), &clock);
    as_user(&station, SUPERVISOR);
    let shown = station.registration(&earlier).unwrap();
    assert_eq!(shown.identity.unwrap()["fullName"][0]["value"], "Layla Earlier");
    assert!(station.biometrics(&earlier).unwrap().complete);
    station.approve(&earlier).unwrap();
    station.approve(&current).unwrap();

    let register = enroll_packet::RegisterKeyPair::from_json(&register_key_json).unwrap();
    for (rid, version, name) in [(&earlier, 1, "Layla Earlier"), (&current, 2, "Karim Test")] {
        let envelope = station.sealed_envelope(rid).unwrap();
        let (_, plaintext) = enroll_packet::decrypt_envelope_body(&envelope, &register).unwrap();
        let (unverified, _) = enroll_packet::PacketContents::from_bytes(&plaintext).unwrap();
        let station_key = enroll_packet::StationPublicKey::from_text(&unverified.meta.station_public_key).unwrap();
        let opened = enroll_packet::open_envelope(&envelope, &register, &station_key.0).unwrap();
        assert_eq!(opened.header.version, version, "{rid}");
        assert_eq!(opened.contents.meta.supervisor.as_deref(), Some(SUPERVISOR));
        assert_eq!(
            opened.contents.meta.supervisor_decision,
            Some(enroll_packet::SupervisorDecision::Approved)
        );
        assert_eq!(opened.contents.identity["fullName"][0]["value"], name);
        assert_eq!(
            actions(&opened.contents.audit).last().map(|(action, _)| *action),
            Some("registration_finalized"),
            "the packet's audit events run up to the review"
        );
    }
    let report = station.sync_now().await.unwrap();
    assert_eq!((report.attempted, report.acknowledged), (2, 2), "{report:?}");
}
