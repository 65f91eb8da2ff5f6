//! Sneaker-net with real parts: a station exports its queue to a folder standing for a stick,
//! the register takes it in from its data folder (`enroll_intake::media_import`) while its
//! server runs, or a second station with a link relays it, and the receipts come back the same
//! way to the station that made the packets. Damaged and forged media are refused whole and
//! named; whatever way a packet goes, the register stores it once and the station acknowledges
//! it once.

use std::path::{Path, PathBuf};

use enroll_intake::media_import::{MediaImportReport, MediaIntake};
use enroll_packet::{RegisterKeyPair, SignedReceipt};
use enroll_station::{MediaFolderKind, MediaFolderView, SetupRequest, Station};

use crate::{
    as_user, data_dir, fixture, open_station, password, pending_registration, Fixture, ADMIN, MAKER, SUPERVISOR,
};

/// Two registrations approved and one rejected, made by the maker; their ids in review order.
fn reviewed(station: &Station) -> Vec<String> {
    as_user(station, MAKER);
    let ids: Vec<String> = (0..3).map(|_| pending_registration(station)).collect();
    as_user(station, SUPERVISOR);
    station.approve(&ids[0]).unwrap();
    station.reject(&ids[1], "the photo is of someone else").unwrap();
    station.approve(&ids[2]).unwrap();
    station.log_out();
    ids
}

fn states(station: &Station, ids: &[String]) -> Vec<String> {
    as_user(station, ADMIN);
    let states = ids
        .iter()
        .map(|id| station.registration(id).unwrap().state.as_str().to_owned())
        .collect();
    station.log_out();
    states
}

fn media(fixture: &Fixture, name: &str) -> PathBuf {
    let media = fixture.dir.path().join(name);
    std::fs::create_dir_all(&media).unwrap();
    media
}

/// The register's side, on the running intake's data folder.
fn register(fixture: &Fixture) -> MediaIntake {
    MediaIntake::open(
        &fixture.dir.path().join("intake"),
        RegisterKeyPair::from_json(&fixture.register_key_json).unwrap(),
    )
    .unwrap()
}

fn register_import(fixture: &Fixture, media: &Path) -> MediaImportReport {
    register(fixture)
        .import(media, time::OffsetDateTime::now_utc())
        .unwrap()
}

/// Packets the register holds (files in its packet folder, temporary ones aside).
fn held(fixture: &Fixture) -> usize {
    std::fs::read_dir(fixture.dir.path().join("intake").join("packets"))
        .unwrap()
        .filter(|entry| !entry.as_ref().unwrap().file_name().to_string_lossy().starts_with('.'))
        .count()
}

fn export_folder(media: &Path) -> PathBuf {
    let folders: Vec<PathBuf> = std::fs::read_dir(media)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders.into_iter().next().unwrap()
}

fn only_folder(view: &enroll_station::MediaImportView) -> &MediaFolderView {
    assert_eq!(view.folders.len(), 1, "{view:?}");
    &view.folders[0]
}

fn failure_codes(folder: &MediaFolderView) -> Vec<(String, Option<String>)> {
    folder
        .failures
        .iter()
        .map(|failure| (failure.error.code.as_str().to_owned(), failure.file.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packets_go_to_the_register_on_a_stick_and_their_receipts_come_back_the_same_way() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let ids = reviewed(station);
    let stick = media(&fixture, "stick");

    // Nobody signed in: the export runs as `enroll export` does.
    let export = station.export_to_media(&stick).unwrap();
    assert_eq!(export.exported, ids);
    let folder = export_folder(&stick);
    assert_eq!(export.folder.as_deref(), Some(folder.to_str().unwrap()));
    assert_eq!(
        states(station, &ids),
        ["sealed", "rejected", "sealed"],
        "exporting moves nothing: the packets wait for their receipts"
    );

    // The register takes the folder in, while its server runs on the same data folder.
    let report = register_import(&fixture, &stick);
    assert_eq!(report.refused, []);
    let imported = &report.imported[0];
    assert_eq!((imported.stored, imported.receipts_written), (3, 3), "{report:?}");
    assert_eq!(held(&fixture), 3);

    // Back at the station: the receipts acknowledge the registrations.
    let view = station.import_from_media(&stick).await.unwrap();
    let own = only_folder(&view);
    assert_eq!(own.kind, MediaFolderKind::Own);
    assert_eq!(
        (own.acknowledged, own.waiting, own.failures.len()),
        (3, 0, 0),
        "{own:?}"
    );
    assert_eq!(states(station, &ids), ["acknowledged"; 3]);
    as_user(station, ADMIN);
    let receipt = station.registration(&ids[1]).unwrap().receipt.unwrap();
    assert!(receipt.intake_reference.starts_with("media-"), "{receipt:?}");
    let actions: Vec<(String, String)> = station
        .registration_audit(&ids[1])
        .unwrap()
        .into_iter()
        .map(|event| (event.action, event.details))
        .collect();
    let (_, acknowledged) = actions.last().unwrap();
    assert!(
        acknowledged.starts_with("rejected → acknowledged; receipt: sha256 ")
            && acknowledged.ends_with("removable media"),
        "{actions:?}"
    );
    // Nothing is left for the sync.
    let sync = station.sync_now().await.unwrap();
    assert_eq!(sync.attempted, 0, "{sync:?}");
    station.log_out();

    // Again: nothing changes, nothing is stored twice.
    let again = station.import_from_media(&stick).await.unwrap();
    assert_eq!(only_folder(&again).already_acknowledged, 3);
    let report = register_import(&fixture, &stick);
    assert_eq!((report.imported[0].stored, report.imported[0].already_held), (0, 3));
    assert_eq!(held(&fixture), 3);

    // The station's audit trail says what left and what came back, never a resident's data.
    let vault =
        enroll_store::Vault::open_read_only(&data_dir(fixture.dir.path()).join(enroll_station::VAULT_FILE)).unwrap();
    let events = vault.audit_events().unwrap();
    let exported = events.iter().find(|e| e.action == "packets_exported").unwrap();
    assert_eq!(exported.actor, "media");
    assert!(
        exported
            .details
            .starts_with("3 packets to removable media, folder enroll-export-"),
        "{exported:?}"
    );
    assert!(events.iter().any(|e| e.action == "media_receipts_imported"));
    assert!(events.iter().all(|e| !e.details.contains("someone else")));

    // A second export finds nothing waiting.
    let nothing = station.export_to_media(&media(&fixture, "second")).unwrap();
    assert_eq!((nothing.folder, nothing.exported.len()), (None, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packet_both_exported_and_synced_is_stored_once_and_acknowledged_once() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let ids = reviewed(station);

    // Exported, then sent over the network before the stick reaches the register.
    let stick = media(&fixture, "stick");
    station.export_to_media(&stick).unwrap();
    let sync = station.sync_unattended().await.unwrap();
    assert_eq!(sync.acknowledged, 3, "{sync:?}");
    let report = register_import(&fixture, &stick);
    assert_eq!((report.imported[0].stored, report.imported[0].already_held), (0, 3));
    assert_eq!(held(&fixture), 3);
    // The receipts on the stick are the network's, and change nothing at the station.
    as_user(station, ADMIN);
    let network_receipt = station.registration(&ids[0]).unwrap().receipt.unwrap();
    station.log_out();
    let on_stick: SignedReceipt = serde_json::from_slice(
        &std::fs::read(export_folder(&stick).join("receipts").join(format!("{}.json", ids[0]))).unwrap(),
    )
    .unwrap();
    assert_eq!(on_stick.receipt.intake_reference, network_receipt.intake_reference);
    let view = station.import_from_media(&stick).await.unwrap();
    assert_eq!(only_folder(&view).already_acknowledged, 3);

    // The other way round: stored from the stick first, then the station syncs.
    as_user(station, MAKER);
    let late = pending_registration(station);
    as_user(station, SUPERVISOR);
    station.approve(&late).unwrap();
    station.log_out();
    let stick = media(&fixture, "stick2");
    station.export_to_media(&stick).unwrap();
    let report = register_import(&fixture, &stick);
    assert_eq!(report.imported[0].stored, 1);
    let sync = station.sync_unattended().await.unwrap();
    assert_eq!((sync.attempted, sync.acknowledged), (1, 1), "{sync:?}");
    assert_eq!(held(&fixture), 4, "stored once");
    as_user(station, ADMIN);
    let receipt = station.registration(&late).unwrap().receipt.unwrap();
    assert!(
        receipt.intake_reference.starts_with("media-"),
        "the upload got the receipt issued for the stick: {receipt:?}"
    );
    station.log_out();
    let view = station.import_from_media(&stick).await.unwrap();
    assert_eq!(only_folder(&view).already_acknowledged, 1);
    let acknowledged =
        enroll_store::Vault::open_read_only(&data_dir(fixture.dir.path()).join(enroll_station::VAULT_FILE))
            .unwrap()
            .audit_events_of(&late)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "registration_acknowledged")
            .count();
    assert_eq!(acknowledged, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_station_with_a_link_relays_the_packets_and_writes_the_receipts_back() {
    let fixture = fixture().await;
    let origin = &fixture.station;
    let ids = reviewed(origin);
    let stick = media(&fixture, "stick");
    origin.export_to_media(&stick).unwrap();

    let relay_dir = fixture.dir.path().join("relay");
    let relay = open_station(&relay_dir, &fixture.intake.base_url(), &fixture.clock);
    relay
        .set_up(SetupRequest {
            station_name: "District office".into(),
            center_id: "10002".into(),
            admin_username: ADMIN.into(),
            admin_full_name: "Ada Admin".into(),
            admin_password: password(ADMIN),
            enrollment_code: None,
        })
        .await
        .unwrap();
    relay.log_out();

    // A damaged copy is refused whole and named; nothing reaches the register.
    let folder = export_folder(&stick);
    let packet = folder.join("packets").join(format!("{}.envelope", ids[2]));
    let bytes = std::fs::read(&packet).unwrap();
    std::fs::write(&packet, &bytes[..bytes.len() - 1]).unwrap();
    let view = relay.import_from_media(&stick).await.unwrap();
    let refused = only_folder(&view);
    assert_eq!(refused.kind, MediaFolderKind::Refused);
    assert_eq!(
        failure_codes(refused),
        [(
            "media_file_truncated".to_owned(),
            Some(format!("packets/{}.envelope", ids[2]))
        )]
    );
    assert_eq!(held(&fixture), 0);
    std::fs::write(&packet, &bytes).unwrap();

    let view = relay.import_from_media(&stick).await.unwrap();
    let relayed = only_folder(&view);
    assert_eq!(relayed.kind, MediaFolderKind::Relayed);
    assert_eq!(
        relayed.station_id.as_deref(),
        Some(&*origin.status().unwrap().station_id.unwrap())
    );
    assert_eq!((relayed.relayed, relayed.failures.len()), (3, 0), "{relayed:?}");
    assert_eq!(held(&fixture), 3);
    // Twice: the receipts are there already, nothing is sent again.
    let again = relay.import_from_media(&stick).await.unwrap();
    assert_eq!(
        (only_folder(&again).relayed, only_folder(&again).already_receipted),
        (0, 3)
    );

    // The stick goes back to the station that made the packets.
    let view = origin.import_from_media(&stick).await.unwrap();
    assert_eq!(only_folder(&view).acknowledged, 3);
    assert_eq!(states(origin, &ids), ["acknowledged"; 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_or_forged_media_are_named_and_nothing_is_stored_or_acknowledged() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let ids = reviewed(station);
    let stick = media(&fixture, "stick");
    station.export_to_media(&stick).unwrap();
    let folder = export_folder(&stick);
    let packet = |index: usize| folder.join("packets").join(format!("{}.envelope", ids[index]));
    let file = |index: usize| format!("packets/{}.envelope", ids[index]);
    let refused_at_register = |fixture: &Fixture| {
        let report = register_import(fixture, &stick);
        assert_eq!(report.imported, [], "{report:?}");
        assert_eq!(held(fixture), 0, "nothing stored");
        assert!(!folder.join("receipts").exists(), "no receipt written");
        let refused = &report.refused[0];
        (refused.code.clone(), refused.message.clone())
    };
    let original = std::fs::read(packet(1)).unwrap();

    // A copy cut short.
    std::fs::write(packet(1), &original[..original.len() / 3]).unwrap();
    let (code, message) = refused_at_register(&fixture);
    assert_eq!(code, "media_file_truncated");
    assert!(message.starts_with(&format!("{}: ", file(1))), "{message}");
    // One byte changed.
    let mut changed = original.clone();
    changed[original.len() / 2] ^= 0x01;
    std::fs::write(packet(1), &changed).unwrap();
    let (code, message) = refused_at_register(&fixture);
    assert_eq!(code, "media_file_changed");
    assert!(message.starts_with(&format!("{}: ", file(1))), "{message}");
    // A file missing.
    std::fs::remove_file(packet(1)).unwrap();
    assert_eq!(refused_at_register(&fixture).0, "media_file_missing");
    std::fs::write(packet(1), &original).unwrap();

    // The manifest edited (a packet dropped from it), and then signed again by another key.
    let manifest_path = folder.join("manifest.json");
    let manifest_bytes = std::fs::read(&manifest_path).unwrap();
    let signature_bytes = std::fs::read(folder.join("manifest.sig")).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&manifest_bytes).unwrap();
    manifest["packets"].as_array_mut().unwrap().remove(1);
    std::fs::remove_file(packet(1)).unwrap();
    let edited = serde_json::to_vec_pretty(&manifest).unwrap();
    std::fs::write(&manifest_path, &edited).unwrap();
    let (code, message) = refused_at_register(&fixture);
    assert_eq!(code, "media_signature_invalid");
    assert!(message.starts_with("manifest.sig: "), "{message}");
    let forger = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    manifest["request_key"] = base64_of(&forger.verifying_key().to_bytes()).into();
    let forged = serde_json::to_vec_pretty(&manifest).unwrap();
    std::fs::write(&manifest_path, &forged).unwrap();
    std::fs::write(
        folder.join("manifest.sig"),
        enroll_packet::exchange_manifest::sign_manifest(&forged, &forger),
    )
    .unwrap();
    let (code, message) = refused_at_register(&fixture);
    assert_eq!(code, "media_signature_invalid");
    assert!(message.contains("did not vouch"), "{message}");
    std::fs::write(&manifest_path, &manifest_bytes).unwrap();
    std::fs::write(folder.join("manifest.sig"), &signature_bytes).unwrap();
    std::fs::write(packet(1), &original).unwrap();

    // A receipt forged for the station (not the register's signature) acknowledges nothing.
    std::fs::create_dir_all(folder.join("receipts")).unwrap();
    let forged_receipt = SignedReceipt::sign(
        enroll_packet::Receipt {
            registration_id: ids[0].clone(),
            station_id: station.status().unwrap().station_id.unwrap(),
            envelope_sha256: hex::encode(sha2_of(&std::fs::read(packet(0)).unwrap())),
            received_at: "2026-11-25T10:00:00Z".into(),
            intake_reference: "forged".into(),
        },
        &RegisterKeyPair::generate().signing_key,
    );
    std::fs::write(
        folder.join("receipts").join(format!("{}.json", ids[0])),
        serde_json::to_vec(&forged_receipt).unwrap(),
    )
    .unwrap();
    let view = station.import_from_media(&stick).await.unwrap();
    let own = only_folder(&view);
    assert_eq!(
        failure_codes(own),
        [(
            "media_receipt_invalid".to_owned(),
            Some(format!("receipts/{}.json", ids[0]))
        )]
    );
    assert_eq!((own.acknowledged, own.waiting), (0, 2));
    assert_eq!(states(station, &ids), ["sealed", "rejected", "sealed"]);
    std::fs::remove_dir_all(folder.join("receipts")).unwrap();

    // The register revoked the station: its stick is refused as its uploads are.
    enroll_intake::StationRegistry::open(&fixture.dir.path().join("intake"))
        .unwrap()
        .revoke(&station.status().unwrap().station_id.unwrap())
        .unwrap();
    assert_eq!(refused_at_register(&fixture).0, "station_revoked");
    assert_eq!(states(station, &ids), ["sealed", "rejected", "sealed"]);
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn sha2_of(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}
