//! The register's configuration sent down to a station: published at the intake
//! (`enroll intake config publish` does the same), taken by the station at its next sync when
//! signed by the pinned register key, newer than what it holds and valid; the offline limits at
//! once, the rest at the next start; and anything unsigned, forged or invalid refused.

use std::time::Duration;

use enroll_intake::configuration::ConfigFolder;
use enroll_packet::register_config::{ConfigDocument, ConfigKind, SignedConfig};
use enroll_packet::RegisterKeyPair;
use enroll_station::offline::OfflineLimits;
use serde_json::json;

use crate::{as_user, data_dir, fixture, open_station, ADMIN, SUPERVISOR};

fn publish(fixture: &crate::Fixture, kind: ConfigKind, document: serde_json::Value) -> u64 {
    let keys = RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    ConfigFolder::open(&fixture.dir.path().join("intake"))
        .unwrap()
        .publish(kind, document, &keys, time::OffsetDateTime::now_utc())
        .unwrap()
        .version
}

/// Put a document in the intake's folder as is, as a tampered or misconfigured intake would
/// serve it.
fn serve_as_is(fixture: &crate::Fixture, kind: ConfigKind, signed: &SignedConfig) {
    let path = fixture
        .dir
        .path()
        .join("intake/config")
        .join(format!("{}.json", kind.as_str()));
    std::fs::write(path, serde_json::to_string(signed).unwrap()).unwrap();
}

fn limits(days: u32, packets: u32) -> serde_json::Value {
    json!({"max_days_since_sync": days, "max_packets_not_uploaded": packets, "min_free_disk_mb": 64})
}

/// The `config_received` events of the vault's audit chain, read beside the open station.
fn config_events(dir: &std::path::Path) -> Vec<String> {
    enroll_store::Vault::open_read_only(&data_dir(dir).join("vault.sqlite"))
        .unwrap()
        .audit_events()
        .unwrap()
        .into_iter()
        .filter(|event| event.action == "config_received")
        .map(|event| event.details)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registers_configuration_arrives_with_a_sync_and_takes_effect() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, ADMIN);
    assert_eq!(station.offline_limits(), OfflineLimits::default());

    // The offline limits take effect at once.
    let version = publish(&fixture, ConfigKind::OfflineLimits, limits(3, 40));
    station.sync_now().await.unwrap();
    assert_eq!(
        station.offline_limits(),
        OfflineLimits {
            max_days_since_sync: 3,
            max_packets_not_uploaded: 40,
            min_free_disk_mb: 64
        }
    );
    assert_eq!(
        config_events(fixture.dir.path()),
        [format!("offline_limits version {version} (was none)")]
    );
    fixture.clock.advance(Duration::from_secs(3 * 24 * 3600 + 60));
    as_user(station, ADMIN);
    assert_eq!(
        station.new_registration().unwrap_err().code(),
        "offline_limit_reached",
        "three days without a sync is now past the limit"
    );
    station.sync_now().await.unwrap();
    station.new_registration().expect("a sync lifts it");

    // The master data and the capture policy wait for the next start: nothing changes under a
    // clerk's hands.
    publish(
        &fixture,
        ConfigKind::MasterData,
        json!({"rejection_reasons": [{"code": "blurred", "labels": {"eng": "Blurred photo", "fra": "Photo floue"}}]}),
    );
    let policy: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schemas/default/capture-policy.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut face_and_irises = policy.clone();
    face_and_irises["steps"] = json!(["face", "bothIrises"]);
    publish(&fixture, ConfigKind::CapturePolicy, face_and_irises);
    station.sync_now().await.unwrap();
    assert!(station.master_data().is_none());
    assert_eq!(config_events(fixture.dir.path()).len(), 3);

    let clock = fixture.clock.clone();
    let intake_url = fixture.intake.base_url();
    let dir = fixture.dir.path().to_path_buf();
    drop(fixture.station);
    // Opened as the app opens it (the tests' `open_station` sets a face-only policy of its own).
    let station = enroll_station::Station::open_with(
        enroll_station::StationConfig {
            data_dir: data_dir(&dir),
            intake_url,
        },
        clock.clock(),
    )
    .unwrap();
    let master = station.master_data().expect("taken at start");
    assert_eq!(master.rejection_reasons[0].code, "blurred");
    assert_eq!(
        station.capture_policy().steps.len(),
        2,
        "the register's capture policy is the one in force"
    );
    assert_eq!(station.offline_limits().max_days_since_sync, 3);
    assert!(data_dir(&dir).join("vault.sqlite").exists());
    // The window offers the rejection reasons to whoever is signed in (a supervisor rejecting).
    assert_eq!(station.rejection_reasons().unwrap_err().code(), "not_signed_in");
    as_user(&station, SUPERVISOR);
    let reasons = station.rejection_reasons().unwrap();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].code, "blurred");
    assert_eq!(reasons[0].labels["fra"], "Photo floue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_not_signed_by_the_register_or_not_valid_is_refused_and_changes_nothing() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, ADMIN);
    let document = |version, days| ConfigDocument {
        kind: ConfigKind::OfflineLimits,
        version,
        published_at: "2026-12-01T10:00:00Z".into(),
        document: limits(days, 10),
    };

    // Signed by another key: a forged register.
    let stranger = RegisterKeyPair::generate();
    serve_as_is(
        &fixture,
        ConfigKind::OfflineLimits,
        &SignedConfig::sign(&document(1, 1), &stranger.signing_key),
    );
    station.sync_now().await.unwrap();
    assert_eq!(station.offline_limits(), OfflineLimits::default());

    // Signed by the register, then changed on the way.
    let register = RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    let mut changed = SignedConfig::sign(&document(1, 10), &register.signing_key);
    changed.payload = changed
        .payload
        .replace("\"max_days_since_sync\":10", "\"max_days_since_sync\":1");
    serve_as_is(&fixture, ConfigKind::OfflineLimits, &changed);
    station.sync_now().await.unwrap();
    assert_eq!(station.offline_limits(), OfflineLimits::default());

    // Signed by the register but not valid (the intake's own publish would have refused it).
    serve_as_is(
        &fixture,
        ConfigKind::OfflineLimits,
        &SignedConfig::sign(&document(1, 0), &register.signing_key),
    );
    station.sync_now().await.unwrap();
    assert_eq!(station.offline_limits(), OfflineLimits::default());
    assert!(config_events(fixture.dir.path()).is_empty(), "nothing was taken");

    // The real one goes through, and a copy of it served again is not taken twice.
    let real = SignedConfig::sign(&document(2, 9), &register.signing_key);
    serve_as_is(&fixture, ConfigKind::OfflineLimits, &real);
    station.sync_now().await.unwrap();
    assert_eq!(station.offline_limits().max_days_since_sync, 9);
    station.sync_now().await.unwrap();
    assert_eq!(
        config_events(fixture.dir.path()),
        ["offline_limits version 2 (was none)"]
    );

    // A stored document changed in the vault no longer verifies when the station starts: the
    // embedded default stands in for it.
    let clock = fixture.clock.clone();
    let intake_url = fixture.intake.base_url();
    let dir = fixture.dir.path().to_path_buf();
    drop(fixture.station);
    let vault = rusqlite::Connection::open(data_dir(&dir).join("vault.sqlite")).unwrap();
    vault
        .execute(
            "UPDATE config_documents SET payload = replace(payload, '\"max_days_since_sync\":9', '\"max_days_since_sync\":365')",
            [],
        )
        .unwrap();
    drop(vault);
    let station = open_station(&dir, &intake_url, &clock);
    assert_eq!(station.offline_limits(), OfflineLimits::default());
}
