//! Signed requests (RFC 9421) at a real intake: who may upload, read a receipt and continue an
//! upload, and what a replay, a stale clock or a stranger's key gets.

use super::*;

/// A second approved station at the fixture's intake, with its own request key.
struct OtherStation {
    packet_key: StationSigningKey,
    request_key: ed25519_dalek::SigningKey,
}

impl OtherStation {
    async fn register(fixture: &Fixture, station_id: &str) -> OtherStation {
        let other = OtherStation {
            packet_key: StationSigningKey::generate(),
            request_key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
        };
        let response = fixture
            .http
            .post(fixture.url("/v1/stations"))
            .json(&registration(station_id, &other.packet_key, &other.request_key))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        other
    }
}

fn registration(
    station_id: &str,
    packet_key: &StationSigningKey,
    request_key: &ed25519_dalek::SigningKey,
) -> serde_json::Value {
    let public_request_key = request_key.verifying_key().to_bytes();
    serde_json::json!({
        "station_id": station_id,
        "name": "Another team",
        "public_key": BASE64.encode(packet_key.public_key()),
        "request_key": BASE64.encode(public_request_key),
        "request_key_proof": BASE64.encode(enroll_packet::signing::request_key_proof(&packet_key.0, station_id, &public_request_key)),
    })
}

#[tokio::test]
async fn an_unsigned_or_tampered_request_is_refused_before_anything_is_created() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let create = || {
        fixture
            .http
            .post(fixture.url("/v1/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", envelope.len().to_string())
            .header(
                "Upload-Metadata",
                metadata(REGISTRATION_ID, STATION_ID, &sha256_hex(&envelope)),
            )
    };
    let (status, code, message) = error_code(create().send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "signature_missing"));
    assert!(message.contains("RFC 9421"), "{message}");

    // Signed over one length, sent with another: the signature covers Upload-Length.
    let mut request = create().build().unwrap();
    sign(&mut request, &fixture.request_key, now_unix());
    request.headers_mut().insert("upload-length", "12".parse().unwrap());
    let (status, code, _) = error_code(fixture.http.execute(request).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "signature_invalid"));

    // Nothing was created by either.
    assert!(files_in(&fixture.data_dir().join("uploads")).is_empty());
}

#[tokio::test]
async fn a_replayed_request_is_refused_and_a_stale_clock_is_told_the_intake_s_time() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    let mut head = fixture
        .http
        .head(&upload)
        .header("Tus-Resumable", "1.0.0")
        .build()
        .unwrap();
    sign(&mut head, &fixture.request_key, now_unix());
    let replay = head.try_clone().unwrap();
    assert_eq!(fixture.http.execute(head).await.unwrap().status(), StatusCode::OK);
    // HEAD answers carry no body: the status says it.
    assert_eq!(
        fixture.http.execute(replay).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let mut receipt = fixture.http.get(format!("{upload}/receipt")).build().unwrap();
    sign(&mut receipt, &fixture.request_key, now_unix());
    let replay = receipt.try_clone().unwrap();
    let (status, code, _) = error_code(fixture.http.execute(receipt).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "upload_incomplete"));
    let (status, code, _) = error_code(fixture.http.execute(replay).await.unwrap()).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "signature_replayed")
    );

    // Signed by a clock an hour slow: refused, with the intake's time to correct it by.
    let mut late = fixture.http.get(format!("{upload}/receipt")).build().unwrap();
    sign(&mut late, &fixture.request_key, now_unix() - 3600);
    let answer = fixture.http.execute(late).await.unwrap();
    let date = answer.headers()["date"].to_str().unwrap().to_owned();
    let intake_now = httpdate::parse_http_date(&date).unwrap();
    let drift = intake_now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 - now_unix();
    assert!(drift.abs() <= 2, "the answer's Date is the intake's clock: {date}");
    let (status, code, message) = error_code(answer).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "signature_expired"));
    assert!(message.contains("clock"), "{message}");
}

#[tokio::test]
async fn only_the_station_that_sent_a_packet_may_continue_it_or_read_its_receipt() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    let response = fixture.upload_in_pieces(&upload, &envelope, envelope.len()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(fixture.receipt(&upload).await.status(), StatusCode::OK);

    let other = OtherStation::register(&fixture, "ST-0008").await;
    let as_other = |request: reqwest::RequestBuilder| send_signed(&fixture.http, request, &other.request_key);
    // To another station the upload does not exist: not its receipt, not its offset.
    let (status, code, _) = error_code(as_other(fixture.http.get(format!("{upload}/receipt"))).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "upload_not_found"));
    let head = as_other(fixture.http.head(&upload).header("Tus-Resumable", "1.0.0")).await;
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
    let second = fixture.packet("10007-20250301-000002");
    let partial = fixture.create_ok(&second, "10007-20250301-000002").await;
    let patch = as_other(
        fixture
            .http
            .patch(&partial)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(second[..100].to_vec()),
    )
    .await;
    let (status, code, _) = error_code(patch).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "upload_not_found"));
    let delete = as_other(fixture.http.delete(&partial).header("Tus-Resumable", "1.0.0")).await;
    assert_eq!(delete.status(), StatusCode::NOT_FOUND);
    // The owner's upload is untouched by all of it.
    assert_eq!(fixture.offset(&partial).await, 0);
    assert_eq!(fixture.receipt(&upload).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_new_proven_request_key_replaces_the_last_and_an_unproven_one_is_refused() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;

    // A stranger who knows the station's id and public key cannot add a key of its own.
    let stranger = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let mut forged = registration(STATION_ID, &fixture.station, &stranger);
    forged["request_key_proof"] = BASE64.encode([7u8; 64]).into();
    let (status, code, message) = error_code(
        fixture
            .http
            .post(fixture.url("/v1/stations"))
            .json(&forged)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
    assert!(message.contains("request_key_proof"), "{message}");
    let (status, code, _) =
        error_code(send_signed(&fixture.http, fixture.http.get(format!("{upload}/receipt")), &stranger).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "request_key_unknown")
    );

    // The station rotates its request key: the new one works at once, the old one no more.
    let rotated = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let response = fixture
        .http
        .post(fixture.url("/v1/stations"))
        .json(&registration(STATION_ID, &fixture.station, &rotated))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let head = send_signed(
        &fixture.http,
        fixture.http.head(&upload).header("Tus-Resumable", "1.0.0"),
        &rotated,
    )
    .await;
    assert_eq!(head.status(), StatusCode::OK);
    let (status, code, _) = error_code(fixture.receipt(&upload).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "request_key_unknown")
    );
}

#[tokio::test]
async fn a_revoked_station_s_signature_opens_nothing() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    enroll_intake::StationRegistry::open(&fixture.data_dir())
        .unwrap()
        .revoke(STATION_ID)
        .unwrap();
    let (status, code, _) = error_code(fixture.receipt(&upload).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "station_revoked"));
    let response = fixture.create(&envelope, "10007-20250301-000009", STATION_ID).await;
    let (status, code, _) = error_code(response).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "station_revoked"));
}
