//! `IntakeClient` against a real `enroll-intake` on loopback, with real sealed packets: no mock
//! server. A small loopback proxy that cuts one connection mid-chunk stands in for a bad link.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use enroll_intake::{spawn, IntakeConfig, RunningIntake};
use enroll_packet::{RegisterKeyPair, RegisterPublicKeys, StationSigningKey};
use enroll_sync::{IntakeClient, SyncError};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A thousand packets through the faults of `enroll-link-proxy`.
mod faults;

const STATION_ID: &str = "ST-0031";
const REGISTRATION_ID: &str = "10031-20250302-000004";
const CHUNK: usize = 1024;

struct Fixture {
    _dir: tempfile::TempDir,
    register: RegisterKeyPair,
    station: StationSigningKey,
    /// The seed of the key that signs the station's requests.
    request_seed: [u8; 32],
    intake: RunningIntake,
}

impl Fixture {
    /// An intake whose receipts are signed by `register`'s signing key.
    async fn start() -> Fixture {
        let register = RegisterKeyPair::generate();
        Self::start_signing_with(register, None).await
    }

    /// An intake that holds `register`'s encryption key but signs receipts with `signing`.
    async fn start_signing_with(register: RegisterKeyPair, signing: Option<ed25519_dalek::SigningKey>) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let keys = RegisterKeyPair {
            encryption_secret: register.encryption_secret.clone(),
            signing_key: signing.unwrap_or_else(|| register.signing_key.clone()),
        };
        let intake = spawn(
            IntakeConfig::new(dir.path(), keys).approving_stations_automatically(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        Fixture {
            _dir: dir,
            register,
            station: StationSigningKey::generate(),
            request_seed: rand::random(),
            intake,
        }
    }

    /// A client of the intake that signs as the test station (its request key is registered
    /// by [`Fixture::onboarded_client`]).
    fn client(&self) -> IntakeClient {
        self.signing(client_for(&self.intake.base_url()))
    }

    /// `client`, signing as the test station.
    fn signing(&self, client: IntakeClient) -> IntakeClient {
        client.with_station_keys(STATION_ID, &self.station, self.request_seed)
    }

    fn pinned(&self) -> RegisterPublicKeys {
        self.register.public_keys()
    }

    /// Send `envelope` as the test station's registration, from scratch, with the pinned keys.
    async fn send(
        &self,
        client: &IntakeClient,
        envelope: &dyn enroll_sync::EnvelopeSource,
    ) -> Result<(String, enroll_packet::SignedReceipt), SyncError> {
        client
            .send_packet(
                REGISTRATION_ID,
                STATION_ID,
                envelope,
                &self.pinned(),
                None,
                &no_progress,
            )
            .await
    }

    /// A client that has pinned the keys and registered the station, as onboarding leaves it.
    async fn onboarded_client(&self) -> IntakeClient {
        let client = self.client();
        assert_eq!(client.register_keys().await.unwrap(), self.pinned());
        client
            .register_station(STATION_ID, "Mobile team 31", &self.station.public_key())
            .await
            .unwrap();
        client
    }

    fn packet(&self, registration_id: &str) -> Vec<u8> {
        sealed_packet(&self.station, registration_id, &self.pinned())
    }
}

fn client_for(base_url: &str) -> IntakeClient {
    IntakeClient::new(base_url)
        .unwrap()
        .with_chunk_size(CHUNK)
        .with_retries(4, Duration::from_millis(20))
}

/// A real packet of a few KiB (several upload chunks).
fn sealed_packet(station: &StationSigningKey, registration_id: &str, register: &RegisterPublicKeys) -> Vec<u8> {
    enroll_packet::testing::sealed_sample_packet(station, STATION_ID, registration_id, register, 7000)
}

/// Records every progress call.
#[derive(Default)]
struct Progress(Mutex<Vec<(u64, u64)>>);

impl Progress {
    fn calls(&self) -> Vec<(u64, u64)> {
        self.0.lock().unwrap().clone()
    }
    fn callback(&self) -> impl Fn(u64, u64) + Send + Sync + '_ {
        move |sent, total| self.0.lock().unwrap().push((sent, total))
    }
}

fn no_progress(_: u64, _: u64) {}

/// Sends `request` signed as a station with the request key of `seed` (RFC 9421).
async fn send_signed(http: &reqwest::Client, request: reqwest::RequestBuilder, seed: &[u8; 32]) -> reqwest::Response {
    use enroll_packet::request_signature as rs;
    let key = ed25519_dalek::SigningKey::from_bytes(seed);
    let mut request = request.build().unwrap();
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
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let fields = rs::sign_as_station(&parts, &key, created).unwrap();
    request
        .headers_mut()
        .insert("signature-input", fields.signature_input.parse().unwrap());
    request
        .headers_mut()
        .insert("signature", fields.signature.parse().unwrap());
    http.execute(request).await.unwrap()
}

async fn head_offset(upload_url: &str, seed: &[u8; 32]) -> u64 {
    let http = reqwest::Client::new();
    let response = send_signed(&http, http.head(upload_url).header("Tus-Resumable", "1.0.0"), seed).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.headers()["upload-offset"].to_str().unwrap().parse().unwrap()
}

/// Creates an upload and sends only its first chunk, with raw requests, as a station that lost
/// its link after one chunk would have left it. Returns the upload URL.
async fn first_chunk_only(base_url: &str, registration_id: &str, envelope: &[u8], seed: &[u8; 32]) -> String {
    let http = reqwest::Client::new();
    let metadata = format!(
        "registration_id {},station_id {},sha256 {}",
        BASE64.encode(registration_id),
        BASE64.encode(STATION_ID),
        BASE64.encode(hex::encode(Sha256::digest(envelope)))
    );
    let created = send_signed(
        &http,
        http.post(format!("{base_url}/v1/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", envelope.len().to_string())
            .header("Upload-Metadata", metadata),
        seed,
    )
    .await;
    let url = format!("{base_url}{}", created.headers()["location"].to_str().unwrap());
    let patched = send_signed(
        &http,
        http.patch(&url)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(envelope[..CHUNK].to_vec()),
        seed,
    )
    .await;
    assert_eq!(patched.status(), reqwest::StatusCode::NO_CONTENT);
    url
}

#[tokio::test]
async fn send_packet_uploads_in_chunks_and_returns_a_verified_receipt() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    client.health().await.unwrap();
    let envelope = fixture.packet(REGISTRATION_ID);
    assert!(envelope.len() > 5 * CHUNK, "the packet spans several chunks");

    let progress = Progress::default();
    let (upload_url, receipt) = client
        .send_packet(
            REGISTRATION_ID,
            STATION_ID,
            &envelope,
            &fixture.pinned(),
            None,
            &progress.callback(),
        )
        .await
        .unwrap();

    assert!(
        upload_url.starts_with(&format!("{}/v1/uploads/", fixture.intake.base_url())),
        "{upload_url}"
    );
    assert_eq!(receipt.receipt.registration_id, REGISTRATION_ID);
    assert_eq!(receipt.receipt.station_id, STATION_ID);
    assert_eq!(receipt.receipt.envelope_sha256, hex::encode(Sha256::digest(&envelope)));
    assert_eq!(receipt.receipt.intake_reference, upload_url.rsplit('/').next().unwrap());
    receipt.verify(&fixture.pinned().signing_public).unwrap();

    let total = envelope.len() as u64;
    let calls = progress.calls();
    assert_eq!(calls.first(), Some(&(0, total)));
    assert_eq!(calls.last(), Some(&(total, total)));
    assert_eq!(
        calls.len(),
        1 + envelope.len().div_ceil(CHUNK),
        "one call at start, one per chunk"
    );
    assert!(
        calls.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "progress only moves forward: {calls:?}"
    );

    // The receipt can be fetched again later, and is the same.
    assert_eq!(client.fetch_receipt(&upload_url).await.unwrap(), receipt);
}

/// What the station sends: the envelope's file, read a chunk at a time. The intake gets the
/// same bytes; a file cut after it was opened stops the upload with `envelope_unreadable`
/// rather than sending short.
#[tokio::test]
async fn a_packet_is_sent_from_its_file_and_a_file_cut_under_the_upload_is_named() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("packet.envelope");
    std::fs::write(&path, &envelope).unwrap();
    let file = enroll_sync::EnvelopeFile::open(&path).unwrap();
    let (_, receipt) = fixture.send(&client, &file).await.unwrap();
    assert_eq!(receipt.receipt.envelope_sha256, hex::encode(Sha256::digest(&envelope)));

    let other = "10031-20250302-000005";
    let envelope = fixture.packet(other);
    std::fs::write(&path, &envelope).unwrap();
    let file = enroll_sync::EnvelopeFile::open(&path).unwrap();
    let upload_url = client.create_upload(other, STATION_ID, &file).await.unwrap();
    std::fs::write(&path, &envelope[..3 * CHUNK + 10]).unwrap();
    let error = client
        .upload(other, STATION_ID, &file, Some(&upload_url), &no_progress)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "envelope_unreadable", "{error}");
    assert!(!error.retry_later(), "a person must look at the station's disk");
}

#[tokio::test]
async fn an_interrupted_upload_resumes_where_the_intake_stopped() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let kept_url = first_chunk_only(
        &fixture.intake.base_url(),
        REGISTRATION_ID,
        &envelope,
        &fixture.request_seed,
    )
    .await;
    assert_eq!(head_offset(&kept_url, &fixture.request_seed).await, CHUNK as u64);

    let progress = Progress::default();
    let (upload_url, receipt) = client
        .send_packet(
            REGISTRATION_ID,
            STATION_ID,
            &envelope,
            &fixture.pinned(),
            Some(&kept_url),
            &progress.callback(),
        )
        .await
        .unwrap();
    assert_eq!(upload_url, kept_url, "the same upload was continued");
    let calls = progress.calls();
    assert_eq!(
        calls[0],
        (CHUNK as u64, envelope.len() as u64),
        "started at the intake's offset"
    );
    assert!(
        calls.iter().all(|(sent, _)| *sent >= CHUNK as u64),
        "nothing was sent from zero again: {calls:?}"
    );
    assert_eq!(calls.len(), 1 + (envelope.len() - CHUNK).div_ceil(CHUNK));
    assert_eq!(receipt.receipt.intake_reference, kept_url.rsplit('/').next().unwrap());
}

#[tokio::test]
async fn an_upload_created_first_is_the_one_that_gets_the_bytes() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    // The station persists this URL before sending, so even a power cut cannot lose it.
    let created = client
        .create_upload(REGISTRATION_ID, STATION_ID, &envelope)
        .await
        .unwrap();
    assert_eq!(head_offset(&created, &fixture.request_seed).await, 0);
    let (upload_url, _) = client
        .send_packet(
            REGISTRATION_ID,
            STATION_ID,
            &envelope,
            &fixture.pinned(),
            Some(&created),
            &no_progress,
        )
        .await
        .unwrap();
    assert_eq!(upload_url, created);
}

#[tokio::test]
async fn a_complete_upload_resumed_again_sends_no_bytes_and_gets_the_same_receipt() {
    // The station saw the upload finish but lost the receipt (crash before saving it): it
    // sends again with the kept URL, and only asks; nothing is uploaded twice.
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let (upload_url, receipt) = fixture.send(&client, &envelope).await.unwrap();

    let progress = Progress::default();
    let (again_url, again_receipt) = client
        .send_packet(
            REGISTRATION_ID,
            STATION_ID,
            &envelope,
            &fixture.pinned(),
            Some(&upload_url),
            &progress.callback(),
        )
        .await
        .unwrap();
    assert_eq!(again_url, upload_url);
    assert_eq!(again_receipt, receipt);
    let total = envelope.len() as u64;
    assert_eq!(
        progress.calls(),
        vec![(total, total), (total, total)],
        "started at the end; one empty PATCH"
    );
}

#[tokio::test]
async fn a_kept_url_that_is_gone_or_for_other_bytes_starts_a_new_upload() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);

    // Terminated on the intake (404).
    let kept_url = first_chunk_only(
        &fixture.intake.base_url(),
        REGISTRATION_ID,
        &envelope,
        &fixture.request_seed,
    )
    .await;
    let http = reqwest::Client::new();
    let deleted = send_signed(
        &http,
        http.delete(&kept_url).header("Tus-Resumable", "1.0.0"),
        &fixture.request_seed,
    )
    .await;
    assert_eq!(deleted.status(), reqwest::StatusCode::NO_CONTENT);
    let url = client
        .upload(REGISTRATION_ID, STATION_ID, &envelope, Some(&kept_url), &no_progress)
        .await
        .unwrap();
    assert_ne!(url, kept_url);
    assert_eq!(head_offset(&url, &fixture.request_seed).await, envelope.len() as u64);

    // The kept URL is of other bytes for this registration (sealed again: new HPKE randomness).
    let other = fixture.packet("10031-20250302-000005");
    let other_url = first_chunk_only(
        &fixture.intake.base_url(),
        "10031-20250302-000005",
        &other,
        &fixture.request_seed,
    )
    .await;
    let url = client
        .upload(
            "10031-20250302-000005",
            STATION_ID,
            &fixture.packet("10031-20250302-000005"),
            Some(&other_url),
            &no_progress,
        )
        .await
        .unwrap();
    assert_ne!(url, other_url);

    // A URL on another server is never followed.
    let elsewhere = "http://127.0.0.1:9/v1/uploads/00000000000000000000000000000000";
    let url = client
        .upload(
            "10031-20250302-000006",
            STATION_ID,
            &fixture.packet("10031-20250302-000006"),
            Some(elsewhere),
            &no_progress,
        )
        .await
        .unwrap();
    assert!(url.starts_with(&fixture.intake.base_url()), "{url}");
}

#[tokio::test]
async fn a_connection_cut_mid_chunk_is_retried_and_the_packet_still_arrives() {
    let fixture = Fixture::start().await;
    fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    // Cut once, after the creation request and about two and a half chunks of body.
    let proxy = CuttingProxy::start(fixture.intake.local_addr(), 2 * CHUNK as i64 + 1500).await;

    let through_proxy = fixture.signing(client_for(&format!("http://{}", proxy.addr)));
    let (upload_url, receipt) = fixture.send(&through_proxy, &envelope).await.unwrap();
    assert!(proxy.cut.load(Ordering::SeqCst), "the proxy did cut a connection");
    receipt.verify(&fixture.pinned().signing_public).unwrap();
    assert_eq!(
        head_offset(&upload_url, &fixture.request_seed).await,
        envelope.len() as u64
    );
}

#[tokio::test]
async fn an_intake_that_is_down_is_intake_unreachable() {
    // A port that was just free: nothing listens there any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let base_url = format!("http://{addr}");
    let client = client_for(&base_url);

    let error = client.health().await.unwrap_err();
    assert_eq!(error.code(), "intake_unreachable");
    assert!(error.retry_later());
    assert_eq!(
        error.to_string(),
        format!("The intake server at {base_url} cannot be reached. The packet stays queued and will be sent when the connection is back")
    );

    let register = RegisterKeyPair::generate();
    let station = StationSigningKey::generate();
    let envelope = sealed_packet(&station, REGISTRATION_ID, &register.public_keys());
    let error = client
        .send_packet(
            REGISTRATION_ID,
            STATION_ID,
            &envelope,
            &register.public_keys(),
            None,
            &no_progress,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "intake_unreachable");
    assert!(matches!(&error, SyncError::IntakeUnreachable { detail, .. } if !detail.is_empty()));
}

#[tokio::test]
async fn a_tampered_envelope_is_packet_rejected_with_the_reason() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    let mut envelope = fixture.packet(REGISTRATION_ID);
    let middle = envelope.len() / 2;
    envelope[middle] ^= 0x40;

    let error = fixture.send(&client, &envelope).await.unwrap_err();
    assert_eq!(error.code(), "packet_rejected");
    assert!(!error.retry_later());
    let SyncError::PacketRejected { message } = &error else {
        panic!("{error:?}")
    };
    assert!(message.contains("signature does not verify"), "{message}");
}

#[tokio::test]
async fn a_receipt_signed_by_another_key_is_bad_receipt() {
    let register = RegisterKeyPair::generate();
    let impostor = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let fixture = Fixture::start_signing_with(register, Some(impostor)).await;
    let client = fixture.client();
    client
        .register_station(STATION_ID, "Mobile team 31", &fixture.station.public_key())
        .await
        .unwrap();
    let envelope = fixture.packet(REGISTRATION_ID);

    let error = fixture.send(&client, &envelope).await.unwrap_err();
    assert_eq!(error.code(), "bad_receipt");
    assert!(error.to_string().contains("pinned at onboarding"), "{error}");
    assert!(
        !error.retry_later(),
        "a receipt that does not verify needs a person, not a retry"
    );
}

#[tokio::test]
async fn an_unregistered_station_is_told_its_request_key_is_unknown() {
    let fixture = Fixture::start().await;
    let client = fixture.client();
    let envelope = fixture.packet(REGISTRATION_ID);
    let error = client
        .upload(REGISTRATION_ID, STATION_ID, &envelope, None, &no_progress)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "request_key_unknown");
    assert_eq!(error.scope(), enroll_sync::FailureScope::Station);
    assert!(error.to_string().contains(STATION_ID), "{error}");
}

#[tokio::test]
async fn an_unsigned_client_is_refused_with_signature_refused() {
    let fixture = Fixture::start().await;
    fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let error = client_for(&fixture.intake.base_url())
        .upload(REGISTRATION_ID, STATION_ID, &envelope, None, &no_progress)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "signature_refused");
    assert!(
        matches!(&error, SyncError::SignatureRefused { code, .. } if code == "signature_missing"),
        "{error:?}"
    );
}

#[tokio::test]
async fn registration_conflicts_and_duplicates_have_their_own_codes() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    // Registering again with the same key is fine; another key is refused.
    client
        .register_station(STATION_ID, "renamed", &fixture.station.public_key())
        .await
        .unwrap();
    let error = client_for(&fixture.intake.base_url())
        .register_station(STATION_ID, "thief", &StationSigningKey::generate().public_key())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "station_exists");

    let envelope = fixture.packet(REGISTRATION_ID);
    let first = fixture.send(&client, &envelope).await.unwrap();
    // Sending the same bytes again (a receipt lost before it was saved) gives the same receipt.
    let again = fixture.send(&client, &envelope).await.unwrap();
    assert_eq!(again.1, first.1);

    let resealed = fixture.packet(REGISTRATION_ID);
    let error = fixture.send(&client, &resealed).await.unwrap_err();
    assert_eq!(error.code(), "duplicate_registration");
    assert!(error.to_string().contains(REGISTRATION_ID), "{error}");
}

#[tokio::test]
async fn a_receipt_asked_for_too_early_is_upload_incomplete() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    let url = first_chunk_only(
        &fixture.intake.base_url(),
        REGISTRATION_ID,
        &envelope,
        &fixture.request_seed,
    )
    .await;
    assert_eq!(
        client.fetch_receipt(&url).await.unwrap_err().code(),
        "upload_incomplete"
    );
}

/// A loopback TCP proxy that forwards to `target` and, once, drops the connection after
/// `cut_after` bytes from client to server in total.
struct CuttingProxy {
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
}

impl CuttingProxy {
    async fn start(target: SocketAddr, cut_after: i64) -> CuttingProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let budget = Arc::new(AtomicI64::new(cut_after));
        let cut = Arc::new(AtomicBool::new(false));
        let (budget_for_task, cut_for_task) = (budget.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let (budget, cut) = (budget_for_task.clone(), cut_for_task.clone());
                tokio::spawn(async move {
                    let Ok(outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = inbound.into_split();
                    let (mut server_read, mut server_write) = outbound.into_split();
                    let upstream = async {
                        let mut buffer = [0u8; 4096];
                        loop {
                            let n = match client_read.read(&mut buffer).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            let before = budget.fetch_sub(n as i64, Ordering::SeqCst);
                            if before > 0 && before <= n as i64 {
                                // Forward what the budget allows, then drop both sides.
                                let _ = server_write.write_all(&buffer[..before as usize]).await;
                                cut.store(true, Ordering::SeqCst);
                                return;
                            }
                            if server_write.write_all(&buffer[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    let downstream = tokio::io::copy(&mut server_read, &mut client_write);
                    tokio::select! {
                        _ = upstream => {}
                        _ = downstream => {}
                    }
                });
            }
        });
        CuttingProxy { addr, cut }
    }
}

#[tokio::test]
async fn a_station_learns_where_its_packets_stand_at_the_register_in_one_query() {
    let fixture = Fixture::start().await;
    let client = fixture.onboarded_client().await;
    let envelope = fixture.packet(REGISTRATION_ID);
    fixture.send(&client, &envelope).await.unwrap();
    let asked = vec![REGISTRATION_ID.to_owned(), "10031-20250302-000099".to_owned()];

    let statuses = client.packet_statuses(&asked).await.unwrap();
    let kinds: Vec<_> = statuses.iter().map(|entry| entry.status).collect();
    assert_eq!(
        kinds,
        [
            enroll_sync::RegisterPacketStatus::Received,
            enroll_sync::RegisterPacketStatus::Unknown
        ]
    );

    // The back office sends the resident back; the station hears it with the reason.
    enroll_intake::StationRegistry::open(fixture._dir.path())
        .unwrap()
        .set_packet_status(
            REGISTRATION_ID,
            enroll_intake::packet_status::PacketStatus::ReRegister,
            Some("the fingerprints are unreadable; capture them again"),
        )
        .unwrap();
    let statuses = client.packet_statuses(&asked[..1]).await.unwrap();
    assert_eq!(statuses[0].status, enroll_sync::RegisterPacketStatus::ReRegister);
    assert_eq!(
        statuses[0].reason.as_deref(),
        Some("the fingerprints are unreadable; capture them again")
    );
    assert!(statuses[0].changed_at.is_some());

    // Another station learns nothing of it.
    let other_key = StationSigningKey::generate();
    let other = client_for(&fixture.intake.base_url()).with_station_keys("ST-0032", &other_key, [5; 32]);
    other
        .register_station("ST-0032", "Another team", &other_key.public_key())
        .await
        .unwrap();
    let statuses = other.packet_statuses(&asked[..1]).await.unwrap();
    assert_eq!(statuses[0].status, enroll_sync::RegisterPacketStatus::Unknown);
    assert_eq!(statuses[0].reason, None);
}
