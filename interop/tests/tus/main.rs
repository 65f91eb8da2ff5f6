//! The official tus implementations against ours, over real HTTP on loopback: tus-js-client (the
//! tus project's JavaScript client, in Node) uploading a sealed packet to our intake, and our
//! station's client (`enroll-sync`) uploading to @tus/server with @tus/file-store (the tus
//! project's Node server). The Node side is `interop/tus/`, pinned by its package-lock.json and
//! installed by `make interop-deps`; without it every test here fails saying so.
//!
//! Real parts only: a real intake with its SQLite file and packet files, a station onboarded
//! and approved by the register's operator, real sealed packets, and the loopback link proxy
//! of `enroll-link-proxy` where a link must be slow or cut.

use std::time::Duration;

use enroll_intake::{spawn, IntakeConfig, RunningIntake, StationRegistry};
use enroll_interop::TusTools;
use enroll_packet::{RegisterKeyPair, RegisterPublicKeys, StationSigningKey};
use enroll_sync::{IntakeClient, StationRegistration};
use reqwest::StatusCode;
use sha2::{Digest as _, Sha256};

/// tus-js-client uploading to our intake: signed, interrupted, resumed, acknowledged.
mod tus_js_client;
/// Our client uploading to @tus/server: created, cut, resumed, byte for byte.
mod tus_node_server;

const STATION_ID: &str = "ST-0909";
const REGISTRATION_ID: &str = "10009-20250309-000009";

/// Longest wait for any one thing a Node script does (start, a chunk, a receipt); generous, as
/// the machine may be busy building.
const WAIT: Duration = Duration::from_secs(60);

/// The Node tools, or a failure saying how to install them.
fn tools() -> TusTools {
    TusTools::find().unwrap_or_else(|problem| panic!("the tus interoperability tests cannot run: {problem}"))
}

/// A register's intake on loopback, approving stations by hand as a register does, with one
/// station onboarded (its packet key and request key registered) and approved.
struct Register {
    dir: tempfile::TempDir,
    pinned: RegisterPublicKeys,
    intake: RunningIntake,
    /// The station's packet key: signs its envelopes.
    station: StationSigningKey,
    /// The seed of the station's request key: signs its requests.
    request_seed: [u8; 32],
    http: reqwest::Client,
}

impl Register {
    async fn start() -> Register {
        let dir = tempfile::tempdir().unwrap();
        let keys = RegisterKeyPair::generate();
        let pinned = keys.public_keys();
        let intake = spawn(
            IntakeConfig::new(dir.path().join("intake"), keys),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let register = Register {
            dir,
            pinned,
            intake,
            station: StationSigningKey::generate(),
            request_seed: rand::random(),
            http: reqwest::Client::new(),
        };
        // Onboarding as the station does it: pin the keys, announce itself with the proof of
        // its request key, and wait for the operator's approval.
        let client = register.client();
        assert_eq!(client.register_keys().await.unwrap(), register.pinned);
        let registration = client
            .register_station(STATION_ID, "Mobile team 9", &register.station.public_key())
            .await
            .unwrap();
        assert_eq!(registration, StationRegistration::Pending);
        StationRegistry::open(&register.data_dir())
            .unwrap()
            .approve(STATION_ID)
            .unwrap();
        register
    }

    fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("intake")
    }

    /// The station's own client of this intake.
    fn client(&self) -> IntakeClient {
        IntakeClient::new(&self.intake.base_url()).unwrap().with_station_keys(
            STATION_ID,
            &self.station,
            self.request_seed,
        )
    }

    /// A real sealed packet of this station, with a face record of `face_bytes` bytes.
    fn packet(&self, face_bytes: usize) -> Vec<u8> {
        enroll_packet::testing::sealed_sample_packet(
            &self.station,
            STATION_ID,
            REGISTRATION_ID,
            &self.pinned,
            face_bytes,
        )
    }

    /// `upload_url` (as a client behind a proxy knows it) on the intake itself.
    fn on_intake(&self, upload_url: &str) -> String {
        let path = reqwest::Url::parse(upload_url).unwrap().path().to_owned();
        format!("{}{path}", self.intake.base_url())
    }

    /// Sends `request` signed with the station's request key, as `schemas/intake-api.md`
    /// §"Signed requests" says a station signs.
    async fn send_signed(&self, request: reqwest::RequestBuilder) -> reqwest::Response {
        use enroll_packet::request_signature as rs;
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
        let key = ed25519_dalek::SigningKey::from_bytes(&self.request_seed);
        let fields = rs::sign_as_station(&parts, &key, created).unwrap();
        let headers = request.headers_mut();
        headers.insert("signature-input", fields.signature_input.parse().unwrap());
        headers.insert("signature", fields.signature.parse().unwrap());
        self.http.execute(request).await.unwrap()
    }

    /// The offset the intake holds for `upload_url` once no request writes to it any more (a
    /// killed client's last `PATCH` may still be arriving). An empty `PATCH` at the offset
    /// `HEAD` gave changes nothing (tus core), and is refused `423` while another request holds
    /// the upload, or `409` if that request moved the offset meanwhile.
    async fn settled_offset(&self, upload_url: &str) -> u64 {
        let url = self.on_intake(upload_url);
        for _ in 0..600 {
            let head = self
                .send_signed(self.http.head(&url).header("Tus-Resumable", "1.0.0"))
                .await;
            assert_eq!(head.status(), StatusCode::OK);
            let offset = head.headers()["upload-offset"].to_str().unwrap().to_owned();
            let probe = self
                .send_signed(
                    self.http
                        .patch(&url)
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Offset", &offset)
                        .header("Content-Type", "application/offset+octet-stream")
                        .body(Vec::new()),
                )
                .await;
            match probe.status() {
                StatusCode::NO_CONTENT => return offset.parse().unwrap(),
                StatusCode::LOCKED | StatusCode::CONFLICT => tokio::time::sleep(Duration::from_millis(50)).await,
                other => panic!("an empty PATCH at the upload's offset answered {other}"),
            }
        }
        panic!("the upload at {url} stayed locked for 30 seconds");
    }

    /// Rows of the intake's database that `sql` (one number) counts.
    fn count(&self, sql: &str) -> i64 {
        rusqlite::Connection::open(self.data_dir().join("intake.sqlite3"))
            .unwrap()
            .query_row(sql, [REGISTRATION_ID], |row| row.get(0))
            .unwrap()
    }

    /// Asserts that the intake holds `envelope` as this registration's packet exactly once:
    /// one packet file, byte for byte the envelope, one row for it, one upload that brought
    /// it, and no partial upload left behind.
    fn assert_stored_once(&self, envelope: &[u8]) {
        let sha256 = hex::encode(Sha256::digest(envelope));
        let packets = files_in(&self.data_dir().join("packets"));
        assert_eq!(
            packets,
            [format!("{sha256}.envelope")],
            "one packet file, named by its hash"
        );
        let stored = std::fs::read(self.data_dir().join("packets").join(&packets[0])).unwrap();
        assert!(stored == envelope, "the stored packet is byte for byte the one sent");
        assert_eq!(self.count("SELECT count(*) FROM packets WHERE registration_id = ?1"), 1);
        assert_eq!(
            self.count(&format!(
                "SELECT count(*) FROM packets WHERE registration_id = ?1 AND envelope_sha256 = '{sha256}' AND envelope_length = {}",
                envelope.len()
            )),
            1
        );
        assert_eq!(
            self.count("SELECT count(*) FROM packets WHERE registration_id <> ?1"),
            0
        );
        assert_eq!(
            self.count("SELECT count(*) FROM uploads WHERE registration_id = ?1 AND state = 'complete'"),
            1,
            "one upload brought it, and no other was created"
        );
        assert_eq!(self.count("SELECT count(*) FROM uploads WHERE ?1 IS NOT NULL"), 1);
        assert!(
            files_in(&self.data_dir().join("uploads")).is_empty(),
            "no partial upload is left"
        );
    }
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
