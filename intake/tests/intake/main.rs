//! The intake end to end: a real server on 127.0.0.1:0 with its SQLite file and packet files in
//! a temp dir, driven by raw HTTP requests exactly as `schemas/intake-api.md` words them, with
//! real sealed packets from `enroll-packet`.

use std::path::Path;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use enroll_intake::{spawn, IntakeConfig, RunningIntake};
use enroll_packet::{RegisterKeyPair, RegisterPublicKeys, SignedReceipt, StationSigningKey};
use reqwest::{Client, Response, StatusCode};
use sha2::{Digest, Sha256};

/// The same intake, every answer checked against its OpenAPI document `schemas/intake-api.yaml`.
mod openapi;
/// The same API over the scale-out backend (PostgreSQL + S3-compatible object storage).
mod scale_out;
/// Signed requests: who may do what, replays, clocks, key rotation.
mod signed_requests;

const STATION_ID: &str = "ST-0007";
const REGISTRATION_ID: &str = "10007-20250301-000001";

/// One intake in its own temp dir, with a registered station that can seal packets for it.
struct Fixture {
    dir: tempfile::TempDir,
    register: RegisterKeyPair,
    station: StationSigningKey,
    /// The key that signs the station's requests, registered with the packet key's proof.
    request_key: ed25519_dalek::SigningKey,
    intake: Option<RunningIntake>,
    http: Client,
}

impl Fixture {
    async fn start() -> Fixture {
        Self::start_with(|_| {}).await
    }

    async fn start_with(adjust: impl FnOnce(&mut IntakeConfig)) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let register = RegisterKeyPair::generate();
        let mut config =
            IntakeConfig::new(dir.path().join("intake"), copy_keys(&register)).approving_stations_automatically();
        config.max_upload_bytes = 1024 * 1024;
        adjust(&mut config);
        let intake = spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
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

    fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("intake")
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.intake.as_ref().unwrap().base_url())
    }

    /// Stops the intake and starts a new one on the same data dir (a new port).
    async fn restart(&mut self) {
        self.intake.take().unwrap().shutdown().await;
        let config = IntakeConfig::new(self.data_dir(), copy_keys(&self.register)).approving_stations_automatically();
        self.intake = Some(spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap());
    }

    /// `POST /v1/stations`; for the fixture's own station and key, with its request key.
    async fn register_station(&self, station_id: &str, public_key: &[u8; 32]) -> Response {
        let mut body = serde_json::json!({
            "station_id": station_id,
            "name": "Mobile team 7",
            "public_key": BASE64.encode(public_key),
        });
        if station_id == STATION_ID && *public_key == self.station.public_key() {
            let request_key = self.request_key.verifying_key().to_bytes();
            let proof = enroll_packet::signing::request_key_proof(&self.station.0, station_id, &request_key);
            body["request_key"] = BASE64.encode(request_key).into();
            body["request_key_proof"] = BASE64.encode(proof).into();
        }
        self.http
            .post(self.url("/v1/stations"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Sends `request` signed with the station's request key, as a station does.
    async fn send(&self, request: reqwest::RequestBuilder) -> Response {
        send_signed(&self.http, request, &self.request_key).await
    }

    fn packet(&self, registration_id: &str) -> Vec<u8> {
        sealed_packet(&self.station, STATION_ID, registration_id, &self.register.public_keys())
    }

    /// `POST /v1/uploads` for `envelope` declared under the given ids; returns the response.
    async fn create(&self, envelope: &[u8], registration_id: &str, station_id: &str) -> Response {
        self.send(
            self.http
                .post(self.url("/v1/uploads"))
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", envelope.len().to_string())
                .header(
                    "Upload-Metadata",
                    metadata(registration_id, station_id, &sha256_hex(envelope)),
                ),
        )
        .await
    }

    /// Creates an upload and returns its absolute URL.
    async fn create_ok(&self, envelope: &[u8], registration_id: &str) -> String {
        let response = self.create(envelope, registration_id, STATION_ID).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/v1/uploads/"), "{location}");
        self.url(&location)
    }

    async fn patch(&self, upload: &str, offset: usize, bytes: &[u8], checksum: Option<String>) -> Response {
        let mut request = self
            .http
            .patch(upload)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(bytes.to_vec());
        if let Some(checksum) = checksum {
            request = request.header("Upload-Checksum", checksum);
        }
        self.send(request).await
    }

    async fn head(&self, upload: &str) -> Response {
        self.send(self.http.head(upload).header("Tus-Resumable", "1.0.0")).await
    }

    async fn offset(&self, upload: &str) -> u64 {
        let response = self.head(upload).await;
        assert_eq!(response.status(), StatusCode::OK);
        header_u64(&response, "upload-offset")
    }

    /// Uploads `envelope` in pieces of `piece` bytes, each with its checksum; returns the last
    /// PATCH response.
    async fn upload_in_pieces(&self, upload: &str, envelope: &[u8], piece: usize) -> Response {
        let mut offset = 0;
        loop {
            let end = (offset + piece).min(envelope.len());
            let response = self
                .patch(
                    upload,
                    offset,
                    &envelope[offset..end],
                    Some(checksum(&envelope[offset..end])),
                )
                .await;
            if end == envelope.len() || response.status() != StatusCode::NO_CONTENT {
                return response;
            }
            assert_eq!(header_u64(&response, "upload-offset"), end as u64);
            offset = end;
        }
    }

    async fn receipt(&self, upload: &str) -> Response {
        self.send(self.http.get(format!("{upload}/receipt"))).await
    }
}

/// Sends `request` signed with `key` (RFC 9421, as `schemas/intake-api.md` says a station signs).
async fn send_signed(http: &Client, request: reqwest::RequestBuilder, key: &ed25519_dalek::SigningKey) -> Response {
    let mut request = request.build().unwrap();
    sign(&mut request, key, now_unix());
    http.execute(request).await.unwrap()
}

/// Adds `Signature-Input` and `Signature` to `request`, signed by `key` at `created`.
fn sign(request: &mut reqwest::Request, key: &ed25519_dalek::SigningKey, created: i64) {
    use enroll_packet::request_signature as rs;
    let parts = rs::RequestParts {
        method: request.method().to_string(),
        path: request.url().path().to_owned(),
        query: request.url().query().map(str::to_owned),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect(),
    };
    let fields = rs::sign_as_station(&parts, key, created).unwrap();
    request
        .headers_mut()
        .insert("signature-input", fields.signature_input.parse().unwrap());
    request
        .headers_mut()
        .insert("signature", fields.signature.parse().unwrap());
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn copy_keys(keys: &RegisterKeyPair) -> RegisterKeyPair {
    RegisterKeyPair {
        encryption_secret: keys.encryption_secret.clone(),
        signing_key: keys.signing_key.clone(),
    }
}

/// A real packet: identity, one face record of a few KiB, sealed and signed.
fn sealed_packet(
    station: &StationSigningKey,
    station_id: &str,
    registration_id: &str,
    register: &RegisterPublicKeys,
) -> Vec<u8> {
    enroll_packet::testing::sealed_sample_packet(station, station_id, registration_id, register, 6000)
}

fn metadata(registration_id: &str, station_id: &str, sha256: &str) -> String {
    format!(
        "registration_id {},station_id {},sha256 {}",
        BASE64.encode(registration_id),
        BASE64.encode(station_id),
        BASE64.encode(sha256)
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn checksum(bytes: &[u8]) -> String {
    format!("sha256 {}", BASE64.encode(Sha256::digest(bytes)))
}

fn header_u64(response: &Response, name: &str) -> u64 {
    response.headers()[name].to_str().unwrap().parse().unwrap()
}

async fn error_code(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    (
        status,
        body["code"].as_str().unwrap().to_owned(),
        body["message"].as_str().unwrap().to_owned(),
    )
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn health_and_register_keys_are_served() {
    let fixture = Fixture::start().await;
    let health: serde_json::Value = fixture
        .send(fixture.http.get(fixture.url("/v1/health")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(health, serde_json::json!({"status": "ok"}));

    let text = fixture
        .send(fixture.http.get(fixture.url("/v1/register-keys")))
        .await
        .text()
        .await
        .unwrap();
    let keys = RegisterPublicKeys::from_json(&text).unwrap();
    assert_eq!(keys, fixture.register.public_keys());
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["kind"], "enroll-register-public-keys");
    assert_eq!(json["key_id"], keys.key_id().to_hex());

    let (status, code, _) = error_code(fixture.send(fixture.http.get(fixture.url("/v2/nothing"))).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (status, code, message) = error_code(
        fixture
            .send(fixture.http.delete(fixture.url("/v1/register-keys")))
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    assert!(
        message.contains("DELETE") && message.contains("/v1/register-keys"),
        "{message}"
    );
}

#[tokio::test]
async fn options_announces_what_this_tus_server_speaks() {
    let fixture = Fixture::start().await;
    // OPTIONS needs no Tus-Resumable (tus 1.0.0 §OPTIONS).
    let response = fixture
        .send(
            fixture
                .http
                .request(reqwest::Method::OPTIONS, fixture.url("/v1/uploads")),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let headers = response.headers();
    assert_eq!(headers["tus-resumable"], "1.0.0");
    assert_eq!(headers["tus-version"], "1.0.0");
    assert_eq!(headers["tus-extension"], "creation,checksum,termination,expiration");
    assert_eq!(headers["tus-checksum-algorithm"], "sha256");
    assert_eq!(headers["tus-max-size"], "1048576");
}

#[tokio::test]
async fn a_register_that_approves_stations_itself_refuses_uploads_until_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let keys = enroll_packet::RegisterKeyPair::generate();
    let intake = enroll_intake::spawn(
        enroll_intake::IntakeConfig::new(dir.path().join("intake"), keys),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let station = StationSigningKey::generate();
    let request_key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let register = |code: Option<&str>| {
        let public_request_key = request_key.verifying_key().to_bytes();
        let mut body = serde_json::json!({
            "station_id": "ST-NEW",
            "name": "New station",
            "public_key": BASE64.encode(station.public_key()),
            "request_key": BASE64.encode(public_request_key),
            "request_key_proof": BASE64.encode(enroll_packet::signing::request_key_proof(&station.0, "ST-NEW", &public_request_key)),
        });
        if let Some(code) = code {
            body["enrollment_code"] = code.into();
        }
        http.post(format!("{}/v1/stations", intake.base_url()))
            .json(&body)
            .send()
    };
    let response = register(None).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "pending");

    let create = http
        .post(format!("{}/v1/uploads", intake.base_url()))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", "10")
        .header(
            "upload-metadata",
            format!(
                "registration_id {},station_id {},sha256 {}",
                BASE64.encode("10001-20261201-000001"),
                BASE64.encode("ST-NEW"),
                BASE64.encode("ab".repeat(32))
            ),
        );
    let create = send_signed(&http, create, &request_key).await;
    let (status, code, message) = error_code(create).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "station_pending"),
        "{message}"
    );

    let (status, code, _) = error_code(register(Some("0000-0000-0000")).await.unwrap()).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "enrollment_code_invalid")
    );
    intake.shutdown().await;
}

#[tokio::test]
async fn station_registration_is_idempotent_and_never_replaces_a_key() {
    let fixture = Fixture::start().await;
    // Created in `start` (201); the same key again is 200.
    let again = fixture
        .register_station(STATION_ID, &fixture.station.public_key())
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"station_id": STATION_ID, "status": "approved"})
    );

    let other_key = StationSigningKey::generate().public_key();
    let (status, code, message) = error_code(fixture.register_station(STATION_ID, &other_key).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "station_exists"));
    assert!(message.contains(STATION_ID), "{message}");

    for body in [
        "not json".to_owned(),
        serde_json::json!({"station_id": "S", "name": "n"}).to_string(),
        serde_json::json!({"station_id": "S", "name": "n", "public_key": BASE64.encode([1u8; 31])}).to_string(),
        serde_json::json!({"station_id": "", "name": "n", "public_key": BASE64.encode(other_key)}).to_string(),
    ] {
        let response = fixture
            .send(
                fixture
                    .http
                    .post(fixture.url("/v1/stations"))
                    .header("content-type", "application/json")
                    .body(body.clone()),
            )
            .await;
        let (status, code, _) = error_code(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_packet_uploaded_in_checksummed_pieces_gets_a_receipt_that_verifies() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let response = fixture.create(&envelope, REGISTRATION_ID, STATION_ID).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["tus-resumable"], "1.0.0");
    let expires = response.headers()["upload-expires"].to_str().unwrap();
    assert!(
        expires.ends_with(" GMT") && expires.len() == 29,
        "RFC 7231 date: {expires}"
    );
    let upload = fixture.url(response.headers()["location"].to_str().unwrap());

    let head = fixture.head(&upload).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header_u64(&head, "upload-offset"), 0);
    assert_eq!(header_u64(&head, "upload-length"), envelope.len() as u64);
    assert_eq!(head.headers()["cache-control"], "no-store");

    // Two pieces, then the receipt is not there yet.
    let first = fixture
        .patch(&upload, 0, &envelope[..2000], Some(checksum(&envelope[..2000])))
        .await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_u64(&first, "upload-offset"), 2000);
    let second = fixture
        .patch(
            &upload,
            2000,
            &envelope[2000..4500],
            Some(checksum(&envelope[2000..4500])),
        )
        .await;
    assert_eq!(header_u64(&second, "upload-offset"), 4500);
    assert_eq!(fixture.offset(&upload).await, 4500);
    let (status, code, _) = error_code(fixture.receipt(&upload).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "upload_incomplete"));

    // The rest without a checksum (it is optional in tus); completion verifies the whole.
    let last = fixture.patch(&upload, 4500, &envelope[4500..], None).await;
    assert_eq!(last.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_u64(&last, "upload-offset"), envelope.len() as u64);

    let receipt = fixture.receipt(&upload).await;
    assert_eq!(receipt.status(), StatusCode::OK);
    let signed: SignedReceipt = receipt.json().await.unwrap();
    signed.verify(&fixture.register.public_keys().signing_public).unwrap();
    assert_eq!(signed.receipt.registration_id, REGISTRATION_ID);
    assert_eq!(signed.receipt.station_id, STATION_ID);
    assert_eq!(signed.receipt.envelope_sha256, sha256_hex(&envelope));
    assert_eq!(signed.receipt.intake_reference, upload.rsplit('/').next().unwrap());
    time::OffsetDateTime::parse(
        &signed.receipt.received_at,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();

    // Stored as a file named by its hash, byte for byte; no partial upload left.
    let stored = fixture
        .data_dir()
        .join("packets")
        .join(format!("{}.envelope", sha256_hex(&envelope)));
    assert_eq!(std::fs::read(stored).unwrap(), envelope);
    assert!(files_in(&fixture.data_dir().join("uploads")).is_empty());
    assert_eq!(fixture.offset(&upload).await, envelope.len() as u64);
}

#[tokio::test]
async fn a_wrong_offset_is_409_and_a_bad_checksum_is_460_without_moving_the_offset() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    assert_eq!(
        fixture
            .patch(&upload, 0, &envelope[..1000], Some(checksum(&envelope[..1000])))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    let (status, code, message) = error_code(fixture.patch(&upload, 500, &envelope[500..900], None).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "offset_mismatch"));
    assert!(message.contains("offset 1000"), "{message}");

    let (status, code, _) = error_code(
        fixture
            .patch(&upload, 1000, &envelope[1000..2000], Some(checksum(b"other bytes")))
            .await,
    )
    .await;
    assert_eq!((status.as_u16(), code.as_str()), (460, "checksum_mismatch"));
    assert_eq!(fixture.offset(&upload).await, 1000, "the refused chunk is not counted");

    // The same chunk sent right succeeds, and the upload completes as if nothing happened.
    let response = fixture.upload_in_pieces_from(&upload, &envelope, 1000).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(fixture.receipt(&upload).await.status(), StatusCode::OK);
}

impl Fixture {
    async fn upload_in_pieces_from(&self, upload: &str, envelope: &[u8], from: usize) -> Response {
        let mut offset = from;
        loop {
            let end = (offset + 1500).min(envelope.len());
            let response = self
                .patch(
                    upload,
                    offset,
                    &envelope[offset..end],
                    Some(checksum(&envelope[offset..end])),
                )
                .await;
            if end == envelope.len() || response.status() != StatusCode::NO_CONTENT {
                return response;
            }
            offset = end;
        }
    }
}

/// `Upload-Checksum` values that name an algorithm this intake does not offer, each with a
/// digest of that algorithm's length: what is refused is the name, not a malformed value.
/// `sha1` is the one tus 1.0 asks every server for; this intake offers only sha256 (see
/// `intake/src/tus.rs`). Names are lower-case in tus, so `SHA256` is not `sha256`.
fn checksums_not_offered(chunk: &[u8]) -> [String; 5] {
    [
        format!("sha1 {}", BASE64.encode([7u8; 20])),
        format!("md5 {}", BASE64.encode([7u8; 16])),
        format!("crc32 {}", BASE64.encode([7u8; 4])),
        format!("sha512 {}", BASE64.encode([7u8; 64])),
        format!("SHA256 {}", BASE64.encode(Sha256::digest(chunk))),
    ]
}

/// The tus checksum extension: an algorithm the server does not support is `400 Bad Request`,
/// the chunk discarded and the offset unchanged. Signed as a station signs (the signature
/// covers `Upload-Checksum`), so the refusal is the checksum's, not the signature's.
#[tokio::test]
async fn a_checksum_algorithm_not_offered_is_400_and_nothing_of_the_chunk_is_written() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    let first = &envelope[..1000];
    assert_eq!(
        fixture.patch(&upload, 0, first, Some(checksum(first))).await.status(),
        StatusCode::NO_CONTENT
    );
    let upload_id = upload.rsplit('/').next().unwrap();
    let part = fixture.data_dir().join("uploads").join(format!("{upload_id}.part"));
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 1000);

    let chunk = &envelope[1000..2000];
    for refused in checksums_not_offered(chunk) {
        let (status, code, message) =
            error_code(fixture.patch(&upload, 1000, chunk, Some(refused.clone())).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{refused}"
        );
        assert!(message.contains("supports sha256"), "{refused}: {message}");
        assert_eq!(
            fixture.offset(&upload).await,
            1000,
            "{refused}: the offset is unchanged"
        );
        assert_eq!(
            std::fs::metadata(&part).unwrap().len(),
            1000,
            "{refused}: nothing of the chunk was written"
        );
    }

    // The upload is untouched: the same chunk with its SHA-256 goes on, and the packet completes.
    let response = fixture.upload_in_pieces_from(&upload, &envelope, 1000).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(fixture.receipt(&upload).await.status(), StatusCode::OK);
}

/// A creation that carries a checksum (as a client using `creation-with-upload` sends its first
/// bytes) naming an algorithm not offered is refused the same way, before anything is created.
/// With sha256 it is created, and the body is read and dropped: this intake does not offer
/// `creation-with-upload`, and the answer's `Upload-Offset: 0` tells a tus client to send those
/// bytes again with `PATCH`. A body longer than the upload is refused as a `PATCH` past the end
/// is.
#[tokio::test]
async fn a_creation_naming_a_checksum_algorithm_not_offered_is_400_and_creates_nothing() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let first = &envelope[..1000];
    let create = |upload_checksum: String, body: Vec<u8>| {
        fixture.send(
            fixture
                .http
                .post(fixture.url("/v1/uploads"))
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", envelope.len().to_string())
                .header(
                    "Upload-Metadata",
                    metadata(REGISTRATION_ID, STATION_ID, &sha256_hex(&envelope)),
                )
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Checksum", upload_checksum)
                .body(body),
        )
    };
    let uploads_created = || -> i64 {
        rusqlite::Connection::open(fixture.data_dir().join("intake.sqlite3"))
            .unwrap()
            .query_row("SELECT count(*) FROM uploads", [], |row| row.get(0))
            .unwrap()
    };
    for refused in checksums_not_offered(first) {
        let (status, code, message) = error_code(create(refused.clone(), first.to_vec()).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{refused}"
        );
        assert!(message.contains("supports sha256"), "{refused}: {message}");
    }
    let too_long = vec![0u8; envelope.len() + 1];
    let (status, code, _) = error_code(create(checksum(&too_long), too_long).await).await;
    assert_eq!((status.as_u16(), code.as_str()), (413, "beyond_upload_length"));
    assert_eq!(uploads_created(), 0, "no upload was created");
    assert!(files_in(&fixture.data_dir().join("uploads")).is_empty(), "no part file");

    let response = create(checksum(first), first.to_vec()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["upload-offset"], "0");
    let upload = fixture.url(response.headers()["location"].to_str().unwrap());
    assert_eq!(fixture.offset(&upload).await, 0, "the creation's body was not kept");
    assert_eq!(uploads_created(), 1);
    let response = fixture.upload_in_pieces(&upload, &envelope, 1500).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

/// A body sent with the creation is read to its end before the answer, not left unread: hyper
/// closes a connection whose request body was left unread, and the reset that follows can reach
/// a client still sending before the `201` does (tus-js-client with `uploadDataDuringCreation`
/// then saw a broken pipe and created a second upload). Shown on one connection: a request sent
/// right after the creation's body is answered on it too.
#[tokio::test]
async fn a_body_sent_with_the_creation_is_read_so_the_connection_goes_on() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fixture = Fixture::start().await;
    // As large as this intake takes: far more than hyper reads and drops of an unread body by
    // itself (a few KiB would pass without the intake reading them).
    let body = vec![7u8; 1024 * 1024];
    let addr = fixture.intake.as_ref().unwrap().local_addr();
    let headers = vec![
        ("tus-resumable".to_owned(), "1.0.0".to_owned()),
        ("upload-length".to_owned(), body.len().to_string()),
        (
            "upload-metadata".to_owned(),
            metadata(REGISTRATION_ID, STATION_ID, &sha256_hex(&body)),
        ),
        ("content-type".to_owned(), "application/offset+octet-stream".to_owned()),
        ("content-length".to_owned(), body.len().to_string()),
    ];
    let parts = enroll_packet::request_signature::RequestParts {
        method: "POST".into(),
        path: "/v1/uploads".into(),
        query: None,
        headers: headers.clone(),
    };
    let fields = enroll_packet::request_signature::sign_as_station(&parts, &fixture.request_key, now_unix()).unwrap();
    let mut request = format!("POST /v1/uploads HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "signature-input: {}\r\nsignature: {}\r\n\r\n",
        fields.signature_input, fields.signature
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    stream
        .write_all(format!("GET /v1/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut answers = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answers))
        .await
        .expect("the intake answers both requests and closes as asked")
        .unwrap();
    let answers = String::from_utf8_lossy(&answers);
    let statuses: Vec<&str> = answers.lines().filter(|line| line.starts_with("HTTP/1.1 ")).collect();
    assert_eq!(statuses, ["HTTP/1.1 201 Created", "HTTP/1.1 200 OK"], "{answers}");
    assert!(answers.contains(r#"{"status":"ok"}"#), "{answers}");
}

#[tokio::test]
async fn tus_requests_without_tus_resumable_1_0_0_are_412() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;

    let without = fixture.send(fixture.http.head(&upload)).await;
    assert_eq!(without.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(without.headers()["tus-version"], "1.0.0");

    let old = fixture
        .send(
            fixture
                .http
                .patch(&upload)
                .header("Tus-Resumable", "0.2.2")
                .header("Upload-Offset", "0")
                .header("Content-Type", "application/offset+octet-stream")
                .body(envelope[..10].to_vec()),
        )
        .await;
    assert_eq!(old.headers()["tus-version"], "1.0.0");
    let (status, code, _) = error_code(old).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PRECONDITION_FAILED, "unsupported_tus_version")
    );

    let create = fixture
        .send(
            fixture
                .http
                .post(fixture.url("/v1/uploads"))
                .header("Upload-Length", "10"),
        )
        .await;
    assert_eq!(create.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(fixture.offset(&upload).await, 0);
}

#[tokio::test]
async fn every_bad_header_gets_a_clear_4xx() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let good_metadata = metadata(REGISTRATION_ID, STATION_ID, &sha256_hex(&envelope));
    let create = |length: &str, metadata: Option<&str>| {
        let mut request = fixture
            .http
            .post(fixture.url("/v1/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length);
        if let Some(metadata) = metadata {
            request = request.header("Upload-Metadata", metadata);
        }
        fixture.send(request)
    };
    for (length, metadata, status, code) in [
        ("abc", Some(good_metadata.as_str()), 400, "bad_request"),
        ("-5", Some(good_metadata.as_str()), 400, "bad_request"),
        (
            "99999999999999999999999999",
            Some(good_metadata.as_str()),
            400,
            "bad_request",
        ),
        ("0", Some(good_metadata.as_str()), 400, "bad_request"),
        ("2000000", Some(good_metadata.as_str()), 413, "upload_too_large"),
        ("100", None, 400, "bad_request"),
        ("100", Some("registration_id UjE="), 400, "bad_request"),
        ("100", Some("registration_id %%%"), 400, "bad_request"),
    ] {
        let (got_status, got_code, message) = error_code(create(length, metadata).await).await;
        assert_eq!(
            (got_status.as_u16(), got_code.as_str()),
            (status, code),
            "length {length}, metadata {metadata:?}: {message}"
        );
    }

    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    let patch = |content_type: &'static str, offset: &'static str, body: Vec<u8>| {
        fixture.send(
            fixture
                .http
                .patch(&upload)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", offset)
                .header("Content-Type", content_type)
                .body(body),
        )
    };
    let (status, code, _) = error_code(patch("application/json", "0", vec![1]).await).await;
    assert_eq!((status.as_u16(), code.as_str()), (415, "unsupported_media_type"));
    let (status, code, _) = error_code(patch("application/offset+octet-stream", "zero", vec![1]).await).await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "bad_request"));
    let too_much = vec![0u8; envelope.len() + 1];
    let (status, code, _) = error_code(patch("application/offset+octet-stream", "0", too_much).await).await;
    assert_eq!((status.as_u16(), code.as_str()), (413, "beyond_upload_length"));
    let (status, code, _) = error_code(
        fixture
            .patch(&upload, 0, &envelope[..10], Some("md5 AAAA".into()))
            .await,
    )
    .await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "bad_request"));
    assert_eq!(fixture.offset(&upload).await, 0);

    let unknown = fixture.url(&format!("/v1/uploads/{}", "0".repeat(32)));
    assert_eq!(fixture.head(&unknown).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        fixture.head(&fixture.url("/v1/uploads/..%2F..%2Fetc")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn termination_discards_a_partial_upload() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    fixture
        .patch(&upload, 0, &envelope[..1000], Some(checksum(&envelope[..1000])))
        .await;
    assert_eq!(files_in(&fixture.data_dir().join("uploads")).len(), 1);

    let delete = fixture
        .send(fixture.http.delete(&upload).header("Tus-Resumable", "1.0.0"))
        .await;
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    assert_eq!(delete.headers()["tus-resumable"], "1.0.0");
    assert_eq!(fixture.head(&upload).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        fixture.patch(&upload, 1000, &envelope[1000..2000], None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(files_in(&fixture.data_dir().join("uploads")).is_empty());

    // A complete upload is the register's record of a packet: it is not terminated.
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    assert_eq!(
        fixture.upload_in_pieces(&upload, &envelope, 4096).await.status(),
        StatusCode::NO_CONTENT
    );
    let (status, code, _) = error_code(
        fixture
            .send(fixture.http.delete(&upload).header("Tus-Resumable", "1.0.0"))
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "upload_complete"));
}

#[tokio::test]
async fn a_tampered_packet_is_rejected_with_the_failed_check_and_gets_no_receipt() {
    let fixture = Fixture::start().await;
    let mut envelope = fixture.packet(REGISTRATION_ID);
    // One byte flipped in the middle of the ciphertext; the declared hash is of these bytes,
    // as a station with a corrupted disk would declare it.
    let middle = envelope.len() / 2;
    envelope[middle] ^= 0x01;
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;

    let (status, code, message) = error_code(fixture.upload_in_pieces(&upload, &envelope, 4096).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "packet_rejected")
    );
    assert!(message.contains("signature does not verify"), "{message}");
    assert!(message.contains(STATION_ID), "{message}");

    assert_eq!(fixture.receipt(&upload).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        fixture.head(&upload).await.status(),
        StatusCode::NOT_FOUND,
        "the upload is discarded"
    );
    assert!(files_in(&fixture.data_dir().join("packets")).is_empty());
    assert!(files_in(&fixture.data_dir().join("uploads")).is_empty());
}

#[tokio::test]
async fn packets_that_do_not_match_their_declaration_are_rejected_by_name() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);

    // Bytes changed on the way (no per-chunk checksum to catch it): the declared hash does not match.
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    let mut damaged = envelope.clone();
    damaged[10] ^= 0x80;
    let (status, code, message) = error_code(fixture.patch(&upload, 0, &damaged, None).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "packet_rejected")
    );
    assert!(message.contains("damaged or changed on the way"), "{message}");

    // A cut-short envelope, declared as such: not a sealed packet.
    let short = &envelope[..envelope.len() - 1];
    let response = fixture.create(short, REGISTRATION_ID, STATION_ID).await;
    let upload = fixture.url(response.headers()["location"].to_str().unwrap());
    let (_, code, message) = error_code(fixture.patch(&upload, 0, short, None).await).await;
    assert_eq!(code, "packet_rejected");
    assert!(message.contains("not a valid sealed packet"), "{message}");

    // Uploaded under another registration id than the one sealed inside.
    let upload = fixture.create_ok(&envelope, "10007-20250301-999999").await;
    let (_, code, message) = error_code(fixture.upload_in_pieces(&upload, &envelope, 100_000).await).await;
    assert_eq!(code, "packet_rejected");
    assert!(
        message.contains("holds registration '10007-20250301-000001'"),
        "{message}"
    );

    // Sealed for another register: it could never be opened, so it is refused at the door.
    let other_register = RegisterKeyPair::generate().public_keys();
    let foreign = sealed_packet(&fixture.station, STATION_ID, REGISTRATION_ID, &other_register);
    let upload = fixture.create_ok(&foreign, REGISTRATION_ID).await;
    let (_, code, message) = error_code(fixture.upload_in_pieces(&upload, &foreign, 100_000).await).await;
    assert_eq!(code, "packet_rejected");
    assert!(message.contains("sealed for register key"), "{message}");
}

#[tokio::test]
async fn a_packet_naming_another_station_key_is_refused_with_its_own_code() {
    // Signed by the registered station key, so the signature verifies; but the contents name
    // another key, so what the register would file under this station disagrees with the key
    // that vouched for it.
    let fixture = Fixture::start().await;
    let other = StationSigningKey::generate().station_public_key();
    let contents = enroll_packet::testing::sample_packet_contents(other, STATION_ID, REGISTRATION_ID, 6000);
    let envelope = enroll_packet::seal_for_register(
        &contents.to_bytes().unwrap(),
        STATION_ID,
        REGISTRATION_ID,
        &fixture.station,
        &fixture.register.public_keys(),
    )
    .unwrap();
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;

    let (status, code, message) = error_code(fixture.upload_in_pieces(&upload, &envelope, 100_000).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "station_key_mismatch")
    );
    assert!(message.contains(&other.key_id().to_hex()), "{message}");
    assert!(
        message.contains(&fixture.station.station_public_key().key_id().to_hex()),
        "{message}"
    );
    assert!(message.contains(STATION_ID), "{message}");
    assert_eq!(fixture.receipt(&upload).await.status(), StatusCode::NOT_FOUND);
    assert!(files_in(&fixture.data_dir().join("packets")).is_empty());
    assert!(files_in(&fixture.data_dir().join("uploads")).is_empty());

    // The same registration, naming the right key, is then accepted.
    let good = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&good, REGISTRATION_ID).await;
    let response = fixture.upload_in_pieces(&upload, &good, 100_000).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_small_order_station_key_is_refused_at_registration() {
    let fixture = Fixture::start().await;
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let (status, code, message) = error_code(fixture.register_station("ST-0099", &identity).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
    assert!(message.contains("small-order"), "{message}");
}

#[tokio::test]
async fn an_unknown_station_cannot_create_uploads() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let (status, code, message) = error_code(fixture.create(&envelope, REGISTRATION_ID, "ST-9999").await).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "unknown_station"));
    assert!(message.contains("ST-9999"), "{message}");
}

#[tokio::test]
async fn the_same_packet_again_gets_the_first_receipt_and_a_different_one_is_refused() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let first = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    fixture.upload_in_pieces(&first, &envelope, 4096).await;
    let first_receipt: SignedReceipt = fixture.receipt(&first).await.json().await.unwrap();

    let second = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    assert_ne!(first, second);
    assert_eq!(
        fixture.upload_in_pieces(&second, &envelope, 4096).await.status(),
        StatusCode::NO_CONTENT
    );
    let second_receipt: SignedReceipt = fixture.receipt(&second).await.json().await.unwrap();
    assert_eq!(
        second_receipt, first_receipt,
        "the register holds one packet, with one receipt"
    );
    assert_eq!(files_in(&fixture.data_dir().join("packets")).len(), 1);

    // A re-sealed packet (same contents, new HPKE randomness: different bytes) for the same id.
    let resealed = fixture.packet(REGISTRATION_ID);
    assert_ne!(resealed, envelope);
    let (status, code, message) = error_code(fixture.create(&resealed, REGISTRATION_ID, STATION_ID).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "duplicate_registration")
    );
    assert!(message.contains(REGISTRATION_ID), "{message}");
}

#[tokio::test]
async fn two_uploads_racing_with_different_packets_store_only_one() {
    let fixture = Fixture::start().await;
    let one = fixture.packet(REGISTRATION_ID);
    let two = fixture.packet(REGISTRATION_ID);
    // Both created before either completes, so the early check at creation cannot catch it.
    let upload_one = fixture.create_ok(&one, REGISTRATION_ID).await;
    let upload_two = fixture.create_ok(&two, REGISTRATION_ID).await;
    assert_eq!(
        fixture.upload_in_pieces(&upload_one, &one, 100_000).await.status(),
        StatusCode::NO_CONTENT
    );
    let (status, code, _) = error_code(fixture.upload_in_pieces(&upload_two, &two, 100_000).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "duplicate_registration")
    );
    assert_eq!(
        files_in(&fixture.data_dir().join("packets")),
        vec![format!("{}.envelope", sha256_hex(&one))]
    );
}

#[tokio::test]
async fn an_expired_upload_is_gone() {
    let fixture = Fixture::start_with(|config| config.upload_expiry = Duration::ZERO).await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    assert_eq!(fixture.head(&upload).await.status(), StatusCode::GONE);
    let (status, code, _) = error_code(fixture.patch(&upload, 0, &envelope[..10], None).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::GONE, "upload_expired"));
    assert!(
        files_in(&fixture.data_dir().join("uploads")).is_empty(),
        "expired bytes are freed"
    );
}

#[tokio::test]
async fn a_restarted_intake_still_holds_the_packet_its_receipt_and_partial_uploads() {
    let mut fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let done = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    fixture.upload_in_pieces(&done, &envelope, 4096).await;
    let receipt_before: SignedReceipt = fixture.receipt(&done).await.json().await.unwrap();

    let other = fixture.packet("10007-20250301-000002");
    let partial = fixture.create_ok(&other, "10007-20250301-000002").await;
    fixture
        .patch(&partial, 0, &other[..3000], Some(checksum(&other[..3000])))
        .await;

    let done_path = done.split_once("/v1/").unwrap().1.to_owned();
    let partial_path = partial.split_once("/v1/").unwrap().1.to_owned();
    fixture.restart().await;
    let done = fixture.url(&format!("/v1/{done_path}"));
    let partial = fixture.url(&format!("/v1/{partial_path}"));

    let receipt_after: SignedReceipt = fixture.receipt(&done).await.json().await.unwrap();
    assert_eq!(receipt_after, receipt_before);
    receipt_after
        .verify(&fixture.register.public_keys().signing_public)
        .unwrap();
    let stored = fixture
        .data_dir()
        .join("packets")
        .join(format!("{}.envelope", sha256_hex(&envelope)));
    assert_eq!(std::fs::read(stored).unwrap(), envelope);

    // The station registry survived too: the partial upload resumes and completes.
    assert_eq!(fixture.offset(&partial).await, 3000);
    assert_eq!(
        fixture.upload_in_pieces_from(&partial, &other, 3000).await.status(),
        StatusCode::NO_CONTENT
    );
    let signed: SignedReceipt = fixture.receipt(&partial).await.json().await.unwrap();
    assert_eq!(signed.receipt.registration_id, "10007-20250301-000002");
}

/// Sends a PATCH whose body breaks off after `sent` of `declared` bytes, over a raw socket.
async fn interrupted_patch(fixture: &Fixture, upload: &str, body: &[u8], declared: usize, checksum: Option<String>) {
    use tokio::io::AsyncWriteExt;
    let addr = fixture.intake.as_ref().unwrap().local_addr();
    let path = upload.split_once(&addr.to_string()).unwrap().1;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "PATCH {path} HTTP/1.1\r\nHost: {addr}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n\
         Content-Type: application/offset+octet-stream\r\nContent-Length: {declared}\r\n"
    );
    let mut headers = vec![
        ("tus-resumable", "1.0.0".to_owned()),
        ("upload-offset", "0".to_owned()),
        ("content-type", "application/offset+octet-stream".to_owned()),
        ("content-length", declared.to_string()),
    ];
    if let Some(checksum) = checksum {
        request.push_str(&format!("Upload-Checksum: {checksum}\r\n"));
        headers.push(("upload-checksum", checksum));
    }
    // Signed over the headers written above, under another label and without `alg`: the
    // intake takes any one label, and `alg` is optional.
    {
        use enroll_packet::request_signature as rs;
        let parts = rs::RequestParts {
            method: "PATCH".into(),
            path: path.to_owned(),
            query: None,
            headers: headers
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        };
        let params = rs::SignatureParams {
            label: "sig1".into(),
            components: rs::components_to_cover(&parts),
            created: now_unix(),
            expires: None,
            nonce: rs::new_nonce(),
            keyid: rs::key_id(&fixture.request_key.verifying_key().to_bytes()),
            alg: None,
            tag: None,
        };
        let fields = rs::sign(&parts, &params, &fixture.request_key).unwrap();
        request.push_str(&format!(
            "Signature-Input: {}\r\nSignature: {}\r\n",
            fields.signature_input, fields.signature
        ));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    stream.flush().await.unwrap();
    // Give the intake time to write what arrived, then cut the connection mid-body.
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_broken_off_body_keeps_its_bytes_only_without_a_checksum() {
    let fixture = Fixture::start().await;
    let envelope = fixture.packet(REGISTRATION_ID);

    // With a checksum, a partial chunk cannot be checked, so none of it counts.
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    interrupted_patch(
        &fixture,
        &upload,
        &envelope[..1000],
        2000,
        Some(checksum(&envelope[..2000])),
    )
    .await;
    assert_eq!(fixture.offset(&upload).await, 0);

    // Without one, what arrived is kept (tus core), and the upload continues from there.
    let upload = fixture.create_ok(&envelope, REGISTRATION_ID).await;
    interrupted_patch(&fixture, &upload, &envelope[..1000], 2000, None).await;
    assert_eq!(fixture.offset(&upload).await, 1000);
    assert_eq!(
        fixture.upload_in_pieces_from(&upload, &envelope, 1000).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(fixture.receipt(&upload).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_answer_under_uploads_says_its_tus_version_even_an_unknown_path_or_method() {
    let fixture = Fixture::start().await;
    let put = fixture
        .send(fixture.http.put(fixture.url("/v1/uploads/anything")))
        .await;
    assert_eq!(put.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(put.headers()["tus-resumable"], "1.0.0");
    let unknown = fixture.send(fixture.http.get(fixture.url("/v1/uploads/a/b/c"))).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.headers()["tus-resumable"], "1.0.0");
    // Outside the tus endpoints the header means nothing, and is not sent.
    let health = fixture.send(fixture.http.get(fixture.url("/v1/health"))).await;
    assert!(health.headers().get("tus-resumable").is_none());
}
