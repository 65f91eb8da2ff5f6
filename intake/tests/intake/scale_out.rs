//! The intake over its scale-out backend: the same HTTP API, the records in a real PostgreSQL and
//! the bytes in a real S3-compatible server (moto), both throwaway servers on loopback
//! (`enroll_intake::scale_out::test_services`). `make test` installs both; without them these
//! tests fail and say so. Two intake processes sharing them: `cli/tests/flow/scale_out.rs`.

use std::sync::Arc;

use enroll_intake::scale_out::test_services::ScaleOutServices;
use enroll_intake::scale_out::ScaleOutStorage;
use enroll_intake::storage_backend::StorageBackend;
use enroll_intake::{spawn_with_storage, IntakeConfig, StationApproval, StationRegistry};
use enroll_packet::{RegisterKeyPair, SignedReceipt, StationSigningKey};
use reqwest::{Client, StatusCode};

use super::*;

/// A fixture whose intake keeps everything in `services`, which the caller keeps alive.
async fn start_over(services: &ScaleOutServices, approval: StationApproval) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let register = RegisterKeyPair::generate();
    let mut config = IntakeConfig::new(dir.path().join("intake"), copy_keys(&register));
    config.station_approval = approval;
    config.max_upload_bytes = 1024 * 1024;
    let storage = open_storage(services).await;
    let intake = spawn_with_storage(config, storage, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let fixture = Fixture {
        dir,
        register,
        station: StationSigningKey::generate(),
        request_key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
        intake: Some(intake),
        http: Client::new(),
    };
    let response = fixture
        .register_station(STATION_ID, &fixture.station.public_key())
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    fixture
}

/// The backend opened as a second process would (its own pool and runtime); blocking, so off
/// the test's async thread.
async fn open_storage(services: &ScaleOutServices) -> Arc<dyn StorageBackend> {
    let config = services.config();
    tokio::task::spawn_blocking(move || Arc::new(ScaleOutStorage::open(&config).unwrap()) as Arc<dyn StorageBackend>)
        .await
        .unwrap()
}

#[tokio::test]
async fn over_postgres_and_s3_an_upload_resumes_after_head_and_its_receipt_verifies() {
    let services = tokio::task::spawn_blocking(ScaleOutServices::start).await.unwrap();
    let fixture = start_over(&services, StationApproval::Automatic).await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;

    let first = fixture
        .patch(&upload, 0, &envelope[..2000], Some(checksum(&envelope[..2000])))
        .await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    // A chunk with a wrong checksum is not counted, and its object does not stay.
    let bad = fixture
        .patch(&upload, 2000, &envelope[2000..3000], Some(checksum(b"other bytes")))
        .await;
    assert_eq!(bad.status().as_u16(), 460);
    let (status, code, _) = error_code(fixture.patch(&upload, 0, &envelope[..10], None).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "offset_mismatch"));

    // The station lost its answer: it asks where the upload stands and goes on from there.
    let resume_at = fixture.offset(&upload).await;
    assert_eq!(resume_at, 2000);
    let upload_id = upload.rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        services.object_names(&format!("uploads/{upload_id}/")).len(),
        1,
        "one counted chunk, the refused one deleted"
    );
    let last = fixture.upload_in_pieces_from(&upload, &envelope, 2000).await;
    assert_eq!(last.status(), StatusCode::NO_CONTENT);

    let signed: SignedReceipt = fixture.receipt(&upload).await.json().await.unwrap();
    signed.verify(&fixture.register.public_keys().signing_public).unwrap();
    assert_eq!(signed.receipt.envelope_sha256, sha256_hex(&envelope));
    assert_eq!(signed.receipt.intake_reference, upload_id);

    // The packet is one object named by its hash, byte for byte; no chunk is left.
    let key = format!("packets/{}.envelope", sha256_hex(&envelope));
    assert_eq!(services.object_names("packets/"), vec![key.clone()]);
    assert_eq!(services.object(&key).await, envelope);
    assert!(services.object_names("uploads/").is_empty());
    // Nothing in the data folder but the configuration's place.
    assert!(!fixture.data_dir().join("packets").exists());
}

#[tokio::test]
async fn over_postgres_and_s3_a_registration_is_stored_once_and_a_different_packet_is_refused() {
    let services = tokio::task::spawn_blocking(ScaleOutServices::start).await.unwrap();
    let fixture = start_over(&services, StationApproval::Automatic).await;
    let one = fixture.packet(REGISTRATION_ID);
    let two = fixture.packet(REGISTRATION_ID);
    // Both created before either completes, so only completion can tell them apart.
    let upload_one = fixture.create_ok(&one, REGISTRATION_ID).await;
    let upload_two = fixture.create_ok(&two, REGISTRATION_ID).await;
    let upload_again = fixture.create_ok(&one, REGISTRATION_ID).await;
    assert_eq!(
        fixture.upload_in_pieces(&upload_one, &one, 4096).await.status(),
        StatusCode::NO_CONTENT
    );
    let (status, code, _) = error_code(fixture.upload_in_pieces(&upload_two, &two, 4096).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "duplicate_registration")
    );
    assert_eq!(
        fixture.upload_in_pieces(&upload_again, &one, 4096).await.status(),
        StatusCode::NO_CONTENT
    );
    let first: SignedReceipt = fixture.receipt(&upload_one).await.json().await.unwrap();
    let again: SignedReceipt = fixture.receipt(&upload_again).await.json().await.unwrap();
    assert_eq!(first, again, "the register holds one packet, with one receipt");
    let (status, code, _) = error_code(fixture.create(&two, REGISTRATION_ID, STATION_ID).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "duplicate_registration")
    );
    assert_eq!(
        services.object_names("packets/"),
        vec![format!("packets/{}.envelope", sha256_hex(&one))]
    );
    assert!(services.object_names("uploads/").is_empty());
}

#[tokio::test]
async fn over_postgres_a_pending_station_uploads_nothing_until_the_register_approves_it() {
    let services = tokio::task::spawn_blocking(ScaleOutServices::start).await.unwrap();
    let fixture = start_over(&services, StationApproval::Manual).await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let (status, code, _) = error_code(fixture.create(&envelope, REGISTRATION_ID, STATION_ID).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "station_pending"));

    // The operator's command works on the same database, from another "process".
    let storage = open_storage(&services).await;
    let approved = tokio::task::spawn_blocking(move || {
        let registry = StationRegistry::with_storage(storage);
        assert_eq!(registry.stations().unwrap().len(), 1);
        registry.approve(STATION_ID).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(approved.status, enroll_intake::StationStatus::Approved);

    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    assert_eq!(
        fixture.upload_in_pieces(&upload, &envelope, 100_000).await.status(),
        StatusCode::NO_CONTENT
    );
    let signed: SignedReceipt = fixture.receipt(&upload).await.json().await.unwrap();
    signed.verify(&fixture.register.public_keys().signing_public).unwrap();
}

#[tokio::test]
async fn over_postgres_a_replayed_request_is_refused_by_another_intake_process() {
    let services = tokio::task::spawn_blocking(ScaleOutServices::start).await.unwrap();
    let fixture = start_over(&services, StationApproval::Automatic).await;
    // A second intake on the same database and bucket, with nothing of the first in memory.
    let second = spawn_with_storage(
        IntakeConfig::new(fixture.dir.path().join("second"), copy_keys(&fixture.register)),
        open_storage(&services).await,
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    // Answered by the first intake (the upload has no receipt yet): its nonce is now taken.
    let mut request = fixture.http.get(format!("{upload}/receipt")).build().unwrap();
    sign(&mut request, &fixture.request_key, now_unix());
    let mut replayed = request.try_clone().unwrap();
    let (_, code, _) = error_code(fixture.http.execute(request).await.unwrap()).await;
    assert_eq!(code, "upload_incomplete");
    let path = replayed.url().path().to_owned();
    *replayed.url_mut() = format!("{}{path}", second.base_url()).parse().unwrap();
    let (status, code, _) = error_code(fixture.http.execute(replayed).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code, "signature_replayed");
}

#[tokio::test]
async fn two_writers_at_one_offset_count_one_chunk_and_the_other_is_told_where_the_upload_is() {
    let services = tokio::task::spawn_blocking(ScaleOutServices::start).await.unwrap();
    let fixture = start_over(&services, StationApproval::Automatic).await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    let upload_id = upload.rsplit('/').next().unwrap().to_owned();
    // Two processes' storages, both reading offset 0 and writing a chunk from there.
    let (one, two) = (open_storage(&services).await, open_storage(&services).await);
    let mut first = tokio::task::spawn_blocking({
        let (one, id) = (Arc::clone(&one), upload_id.clone());
        move || one.open_chunk(&id, 0).unwrap()
    })
    .await
    .unwrap();
    let mut second = tokio::task::spawn_blocking({
        let (two, id) = (Arc::clone(&two), upload_id.clone());
        move || two.open_chunk(&id, 0).unwrap()
    })
    .await
    .unwrap();
    first.write(envelope[..1000].to_vec().into()).await.unwrap();
    second.write(b"not the station's bytes".to_vec().into()).await.unwrap();
    let (first, second) = (first.finish().await.unwrap(), second.finish().await.unwrap());
    let outcome = tokio::task::spawn_blocking(move || {
        one.record_chunk(&upload_id, first).unwrap();
        two.record_chunk(&upload_id, second).unwrap_err()
    })
    .await
    .unwrap();
    assert_eq!(outcome.code(), "offset_mismatch");
    assert!(outcome.to_string().contains("offset 1000"), "{outcome}");
    assert_eq!(fixture.offset(&upload).await, 1000);
    // The loser's object is gone; the station finishes and its packet is whole.
    let last = fixture.upload_in_pieces_from(&upload, &envelope, 1000).await;
    assert_eq!(last.status(), StatusCode::NO_CONTENT);
    let key = format!("packets/{}.envelope", sha256_hex(&envelope));
    assert_eq!(services.object(&key).await, envelope);
}
