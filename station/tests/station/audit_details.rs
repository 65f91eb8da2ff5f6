//! What the audit trail says of each move, through the station API: the states, the decision,
//! and the envelope's SHA-256, which is the one the register's signed receipt names, so the
//! station's signed chain and the register's receipt point at the same packet. Never the
//! rejection's reason.

use crate::{as_user, data_dir, fixture, pending_registration, ADMIN, MAKER, SUPERVISOR};

const REASON: &str = "Qzxvreason the photo shows someone else";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_names_the_envelope_the_register_acknowledged_and_not_the_reason() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, MAKER);
    let approved = pending_registration(station);
    let rejected = pending_registration(station);
    as_user(station, SUPERVISOR);
    station.approve(&approved).unwrap();
    station.reject(&rejected, REASON).unwrap();
    as_user(station, ADMIN);
    let report = station.sync_now().await.unwrap();
    assert_eq!(report.acknowledged, 2, "{report:?}");

    let dir = data_dir(fixture.dir.path());
    let vault = enroll_store::Vault::open_read_only(&dir.join(enroll_station::VAULT_FILE)).unwrap();
    for (rid, decision, sealed_state) in [(&approved, "approved", "sealed"), (&rejected, "rejected", "rejected")] {
        let receipt_json = vault.registration(rid).unwrap().receipt_json.unwrap();
        let receipt: enroll_packet::SignedReceipt = serde_json::from_str(&receipt_json).unwrap();
        let details: Vec<(String, String)> = station
            .registration_audit(rid)
            .unwrap()
            .into_iter()
            .map(|event| (event.action, event.details))
            .collect();
        let details_of = |action: &str| {
            let (_, details) = details.iter().find(|(a, _)| a == action).unwrap();
            details.clone()
        };
        assert!(
            details_of("registration_finalized").starts_with("draft → pending_approval; content file: "),
            "{details:?}"
        );
        let decided = details_of(&format!("registration_{decision}"));
        assert!(
            decided.starts_with(&format!(
                "pending_approval → {sealed_state}; decision: {decision}; envelope: "
            )),
            "{decided}"
        );
        assert!(
            decided.ends_with(&format!(", sha256 {}", receipt.receipt.envelope_sha256)),
            "the decision names the envelope the register acknowledged: {decided}"
        );
        assert_eq!(
            details_of("registration_uploaded"),
            format!("{sealed_state} → uploaded")
        );
        assert!(details_of("registration_acknowledged").starts_with("uploaded → acknowledged; receipt: sha256 "));
        for (action, details) in &details {
            assert!(
                !details.contains("Qzxv"),
                "the reason is in the details of {action}: {details}"
            );
        }
    }
    let verification = enroll_station::verify_audit_chain(&dir, None).unwrap();
    assert_eq!(verification.broken, None, "the chain with its details verifies");
}
