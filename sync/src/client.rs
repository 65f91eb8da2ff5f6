//! [`IntakeClient`]: one intake, its address and the HTTP client that talks to it.
//!
//! The simple calls live here (health, register keys, station registration, receipts, and the
//! one-call [`IntakeClient::send_packet`]); the resumable upload is in `upload`. Every HTTP
//! failure is turned into a [`SyncError`] here, in one place, so that a status means the same
//! thing whichever call saw it.
//!
//! This module does not queue, persist or retry whole packets: the station's queue owns that,
//! and keeps the upload URL returned by [`IntakeClient::upload`] to resume later.

use std::time::Duration;

use base64::Engine;
use enroll_packet::{RegisterPublicKeys, SignedReceipt};
use reqwest::{Response, StatusCode, Url};
use serde::Deserialize;

use crate::chunking::ChunkSizer;
use crate::receipt::verify_receipt;
use crate::signing::RequestSigner;
use crate::source::EnvelopeSource;
use crate::{RetryPolicy, SyncError};

/// Default tries for one chunk before the upload gives up (the packet stays queued).
pub const DEFAULT_CHUNK_ATTEMPTS: u32 = 4;
/// Default ceiling of the first pause before retrying a chunk; it doubles with each failure
/// (see [`RetryPolicy`]).
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_millis(500);
/// Longest pause the client draws between two tries of a chunk (an intake's `Retry-After`
/// may ask for longer).
pub const DEFAULT_RETRY_CAP: Duration = Duration::from_secs(30);

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Per request. A 1 MiB chunk at 2G speeds (~20 KiB/s) takes under a minute.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Where a station stands with the register after announcing itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StationRegistration {
    /// It may upload.
    Approved,
    /// It waits for the register's operator; uploads are refused until then.
    Pending,
}

/// Where a packet stands at the register, as `POST /v1/packets/status` says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RegisterStatus {
    pub registration_id: String,
    pub status: RegisterPacketStatus,
    /// Why, for `rejected` and `re_register` (the register's words, for a supervisor).
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub changed_at: Option<String>,
}

/// The register's configuration published after the version a station asked from
/// (`schemas/intake-api.md` §"Configuration").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigDelta {
    /// The highest version the register published.
    pub latest: u64,
    /// The latest document of each kind that changed since, signed.
    pub documents: Vec<enroll_packet::register_config::SignedConfig>,
}

/// The statuses of `schemas/intake-api.md` §"Packet status".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterPacketStatus {
    Received,
    Processing,
    Processed,
    Rejected,
    ReRegister,
    /// Not held by the register, or not this station's to know.
    Unknown,
}

impl RegisterPacketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RegisterPacketStatus::Received => "received",
            RegisterPacketStatus::Processing => "processing",
            RegisterPacketStatus::Processed => "processed",
            RegisterPacketStatus::Rejected => "rejected",
            RegisterPacketStatus::ReRegister => "re_register",
            RegisterPacketStatus::Unknown => "unknown",
        }
    }
}

/// A client of one intake (`schemas/intake-api.md`).
#[derive(Debug, Clone)]
pub struct IntakeClient {
    pub(crate) http: reqwest::Client,
    /// Always ends with `/`, so that joining `v1/...` keeps any path prefix.
    pub(crate) base: Url,
    /// How the `PATCH` size is chosen (see `crate::chunking`): adapted to the link unless a
    /// fixed size was asked for.
    /// Shared by the client's clones and carried from one upload to the next: a station learns
    /// its link once, not per packet.
    pub(crate) chunking: std::sync::Arc<std::sync::Mutex<ChunkSizer>>,
    pub(crate) chunk_attempts: u32,
    pub(crate) retry: RetryPolicy,
    /// Signs every request after onboarding (see `crate::signing`); `None` before the station
    /// has a request key (registration, and the calls that need no station).
    pub(crate) signer: Option<std::sync::Arc<RequestSigner>>,
}

/// What a request was about, to name it in an error.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Subject<'a> {
    pub registration_id: &'a str,
    pub station_id: &'a str,
}

/// The intake's `{code, message}` error body, when it sent one, and its `Retry-After`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(skip)]
    pub retry_after: Option<Duration>,
}

impl IntakeClient {
    /// A client for the intake at `base_url` (`http://` or `https://`).
    pub fn new(base_url: &str) -> Result<IntakeClient, SyncError> {
        let invalid = |reason: &str| SyncError::InvalidUrl {
            url: base_url.to_owned(),
            reason: reason.to_owned(),
        };
        let mut base = Url::parse(base_url.trim()).map_err(|error| invalid(&error.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("it must start with http:// or https://"));
        }
        if base.host().is_none() {
            return Err(invalid("it names no host"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("it must not have a query or a fragment"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("enroll-sync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| invalid(&format!("the HTTP client could not be set up: {error}")))?;
        Ok(IntakeClient {
            http,
            base,
            chunking: Default::default(),
            chunk_attempts: DEFAULT_CHUNK_ATTEMPTS,
            retry: RetryPolicy {
                base: DEFAULT_RETRY_DELAY,
                cap: DEFAULT_RETRY_CAP,
            },
            signer: None,
        })
    }

    /// Signs every request to the station's endpoints (uploads, receipts) with the station's
    /// request key, whose seed this is: what the intake asks of every station after
    /// onboarding (`schemas/intake-api.md` §"Signed requests"). `proof` is the packet key's
    /// signature vouching for it (`enroll_packet::signing::request_key_proof`), which
    /// [`IntakeClient::register_station`] sends so that the intake takes the key.
    pub fn with_request_key(mut self, seed: [u8; 32], proof: [u8; 64]) -> IntakeClient {
        self.signer = Some(std::sync::Arc::new(RequestSigner::new(seed, proof)));
        self
    }

    /// [`IntakeClient::with_request_key`] for a caller that holds the packet key itself (a
    /// station at setup, tests, benchmarks): the proof is made here.
    pub fn with_station_keys(
        self,
        station_id: &str,
        packet_key: &enroll_packet::StationSigningKey,
        request_seed: [u8; 32],
    ) -> IntakeClient {
        let request_key = ed25519_dalek::SigningKey::from_bytes(&request_seed)
            .verifying_key()
            .to_bytes();
        let proof = enroll_packet::signing::request_key_proof(&packet_key.0, station_id, &request_key);
        self.with_request_key(request_seed, proof)
    }

    /// Sends every `PATCH` with this many bytes (at least 1) instead of adapting the size to
    /// the link (tests that need cuts to land mid-chunk do).
    pub fn with_chunk_size(mut self, bytes: usize) -> IntakeClient {
        self.chunking = std::sync::Arc::new(std::sync::Mutex::new(ChunkSizer::fixed(bytes)));
        self
    }

    /// Sets how often a chunk is tried (at least once) and the ceiling of the first pause
    /// between tries, which doubles with each failure up to [`DEFAULT_RETRY_CAP`] (or `delay`,
    /// if longer).
    pub fn with_retries(mut self, attempts: u32, delay: Duration) -> IntakeClient {
        self.chunk_attempts = attempts.max(1);
        self.retry = RetryPolicy {
            base: delay,
            cap: DEFAULT_RETRY_CAP.max(delay),
        };
        self
    }

    /// The intake's base URL, as used for every request (with a trailing `/`).
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// `GET /v1/health`: succeeds when the intake answers `{"status":"ok"}`.
    #[tracing::instrument(skip(self), err)]
    pub async fn health(&self) -> Result<(), SyncError> {
        let url = self.endpoint("v1/health")?;
        let response = self.send_unsigned(self.http.get(url.clone())).await?;
        let response = self.expect_success(response, "GET", &url).await?;
        #[derive(Deserialize)]
        struct Health {
            status: String,
        }
        let health: Health = response
            .json()
            .await
            .map_err(|error| SyncError::Protocol(format!("GET {url} did not answer health JSON: {error}")))?;
        if health.status != "ok" {
            return Err(SyncError::Protocol(format!(
                "the intake reports status '{}'",
                health.status
            )));
        }
        Ok(())
    }

    /// `GET /v1/register-keys`: the keys a station pins at onboarding.
    #[tracing::instrument(skip(self), err)]
    pub async fn register_keys(&self) -> Result<RegisterPublicKeys, SyncError> {
        let url = self.endpoint("v1/register-keys")?;
        let response = self.send_unsigned(self.http.get(url.clone())).await?;
        let response = self.expect_success(response, "GET", &url).await?;
        let text = response.text().await.map_err(|error| self.transport(error))?;
        RegisterPublicKeys::from_json(&text)
            .map_err(|error| SyncError::Protocol(format!("the intake's register keys are not readable: {error}")))
    }

    /// `POST /v1/stations`: registers this station's Ed25519 public key and, when the client
    /// has one, its request key with the proof (a new request key replaces the last). Succeeds
    /// for a new station and for the same key again, saying whether the register approved it
    /// or it waits for approval; a different key is [`SyncError::StationExists`].
    pub async fn register_station(
        &self,
        station_id: &str,
        name: &str,
        public_key: &[u8; 32],
    ) -> Result<StationRegistration, SyncError> {
        self.register_station_with_code(station_id, name, public_key, None)
            .await
    }

    /// [`IntakeClient::register_station`] with the one-time enrollment code the register
    /// issued: a valid one approves the station at once; a wrong, spent or expired one is
    /// [`SyncError::EnrollmentCodeInvalid`] and registers nothing.
    #[tracing::instrument(skip(self, public_key, enrollment_code), err)]
    pub async fn register_station_with_code(
        &self,
        station_id: &str,
        name: &str,
        public_key: &[u8; 32],
        enrollment_code: Option<&str>,
    ) -> Result<StationRegistration, SyncError> {
        let url = self.endpoint("v1/stations")?;
        let mut body = serde_json::json!({
            "station_id": station_id,
            "name": name,
            "public_key": base64::engine::general_purpose::STANDARD.encode(public_key),
        });
        if let Some(code) = enrollment_code {
            body["enrollment_code"] = serde_json::Value::from(code);
        }
        if let Some(signer) = &self.signer {
            let (request_key, proof) = signer.claim();
            body["request_key"] =
                serde_json::Value::from(base64::engine::general_purpose::STANDARD.encode(request_key));
            body["request_key_proof"] =
                serde_json::Value::from(base64::engine::general_purpose::STANDARD.encode(proof));
        }
        let response = self.send_unsigned(self.http.post(url.clone()).json(&body)).await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => {
                #[derive(Deserialize)]
                struct Registered {
                    // An intake from before onboarding says nothing: it approved on sight.
                    #[serde(default = "approved")]
                    status: String,
                }
                fn approved() -> String {
                    "approved".into()
                }
                let registered: Registered = response.json().await.map_err(|error| {
                    SyncError::Protocol(format!("POST {url} did not answer the station's status: {error}"))
                })?;
                match registered.status.as_str() {
                    "approved" => Ok(StationRegistration::Approved),
                    "pending" => Ok(StationRegistration::Pending),
                    // A station the register revoked announcing itself again.
                    "revoked" => Err(SyncError::StationRevoked {
                        station_id: station_id.to_owned(),
                    }),
                    other => Err(SyncError::Protocol(format!(
                        "POST {url} answered an unknown station status '{other}'"
                    ))),
                }
            }
            StatusCode::CONFLICT => Err(SyncError::StationExists {
                station_id: station_id.to_owned(),
            }),
            status => {
                let body = read_error_body(response).await;
                Err(self.status_error(
                    "POST",
                    &url,
                    status,
                    body,
                    Subject {
                        station_id,
                        ..Subject::default()
                    },
                ))
            }
        }
    }

    /// `GET <upload_url>/receipt`: the signed receipt of a complete upload (not yet verified:
    /// [`crate::verify_receipt`] or [`IntakeClient::send_packet`] does that).
    #[tracing::instrument(skip(self), err)]
    pub async fn fetch_receipt(&self, upload_url: &str) -> Result<SignedReceipt, SyncError> {
        let upload = self.resolve(upload_url)?;
        let url = Url::parse(&format!("{}/receipt", upload.as_str().trim_end_matches('/')))
            .map_err(|error| SyncError::Protocol(format!("the upload URL {upload} cannot take /receipt: {error}")))?;
        let response = self.send(self.http.get(url.clone())).await?;
        match response.status() {
            StatusCode::OK => {
                let text = response.text().await.map_err(|error| self.transport(error))?;
                serde_json::from_str(&text).map_err(|error| SyncError::BadReceipt {
                    reason: format!("it is not a readable receipt ({error})"),
                })
            }
            StatusCode::CONFLICT => Err(SyncError::UploadIncomplete),
            status => {
                let body = read_error_body(response).await;
                Err(self.status_error("GET", &url, status, body, Subject::default()))
            }
        }
    }

    /// `GET /v1/config?since=N`: the register's configuration documents published after version
    /// `since`, still signed (the station verifies each against the pinned register key before
    /// it reads a byte of it: `enroll_packet::register_config`).
    #[tracing::instrument(skip(self), err)]
    pub async fn config_since(&self, since: u64) -> Result<ConfigDelta, SyncError> {
        let mut url = self.endpoint("v1/config")?;
        url.query_pairs_mut().append_pair("since", &since.to_string());
        let response = self.send(self.http.get(url.clone())).await?;
        if !response.status().is_success() {
            let status = response.status();
            let body = read_error_body(response).await;
            return Err(self.status_error("GET", &url, status, body, Subject::default()));
        }
        let text = response.text().await.map_err(|error| self.transport(error))?;
        let delta: ConfigDelta = serde_json::from_str(&text)
            .map_err(|error| SyncError::Protocol(format!("GET {url} did not answer configuration: {error}")))?;
        if delta.documents.len() > enroll_packet::register_config::ConfigKind::ALL.len() {
            return Err(SyncError::Protocol(format!(
                "GET {url} answered {} documents; there is at most one of each kind",
                delta.documents.len()
            )));
        }
        Ok(delta)
    }

    /// `POST /v1/packets/status`: where each of `registration_ids` (at most 500) stands at the
    /// register, as this station may see it (`unknown` for a packet the register does not hold
    /// or that another station sent). The body is bound to the signature by its `Content-Digest`.
    #[tracing::instrument(skip(self, registration_ids), fields(count = registration_ids.len()), err)]
    pub async fn packet_statuses(&self, registration_ids: &[String]) -> Result<Vec<RegisterStatus>, SyncError> {
        use sha2::Digest as _;
        let url = self.endpoint("v1/packets/status")?;
        let body = serde_json::to_vec(&serde_json::json!({ "registration_ids": registration_ids }))
            .map_err(|error| SyncError::Protocol(format!("the status query could not be written: {error}")))?;
        let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&body));
        let response = self
            .send(
                self.http
                    .post(url.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header("content-digest", format!("sha-256=:{digest}:"))
                    .body(body),
            )
            .await?;
        if !response.status().is_success() {
            let status = response.status();
            let body = read_error_body(response).await;
            return Err(self.status_error("POST", &url, status, body, Subject::default()));
        }
        #[derive(Deserialize)]
        struct Answer {
            packets: Vec<RegisterStatus>,
        }
        let text = response.text().await.map_err(|error| self.transport(error))?;
        let answer: Answer = serde_json::from_str(&text)
            .map_err(|error| SyncError::Protocol(format!("POST {url} did not answer packet statuses: {error}")))?;
        if answer.packets.len() != registration_ids.len()
            || answer
                .packets
                .iter()
                .zip(registration_ids)
                .any(|(entry, asked)| &entry.registration_id != asked)
        {
            return Err(SyncError::Protocol(format!(
                "POST {url} answered other packets than the ones asked for"
            )));
        }
        Ok(answer.packets)
    }

    /// Uploads a sealed packet, fetches its receipt and verifies it against the pinned register
    /// key, the registration id, the station id and the SHA-256 of `envelope`. Returns the
    /// upload URL and the verified receipt; only then may the station mark the packet
    /// acknowledged.
    #[tracing::instrument(skip(self, envelope, pinned, progress), fields(bytes = envelope.len()), err)]
    pub async fn send_packet(
        &self,
        registration_id: &str,
        station_id: &str,
        envelope: &dyn EnvelopeSource,
        pinned: &RegisterPublicKeys,
        resume_url: Option<&str>,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<(String, SignedReceipt), SyncError> {
        let sha256 = envelope.sha256_hex()?;
        let upload_url = self
            .upload_with_sha256(registration_id, station_id, envelope, &sha256, resume_url, progress)
            .await?;
        let receipt = self.fetch_receipt(&upload_url).await?;
        verify_receipt(&receipt, pinned, registration_id, station_id, &sha256)?;
        tracing::info!(%registration_id, reference = %receipt.receipt.intake_reference, "packet acknowledged");
        Ok((upload_url, receipt))
    }

    // ---- shared plumbing -----------------------------------------------------------------

    /// Sends a request to a station endpoint, signed when the client has a request key. When
    /// the intake refuses the signature and its `Date` shows the station's clock was off, the
    /// request is signed again with the intake's time and sent once more (when its body can be
    /// sent twice: a streamed chunk is retried by the upload loop instead).
    pub(crate) async fn send(&self, builder: reqwest::RequestBuilder) -> Result<Response, SyncError> {
        let Some(signer) = &self.signer else {
            return self.send_unsigned(builder).await;
        };
        let mut request = builder.build().map_err(|error| self.transport(error))?;
        let again = request.try_clone();
        signer.sign(&mut request)?;
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|error| self.transport(error))?;
        let clock_moved = signer.learn_clock(response.headers());
        match again {
            Some(mut again) if clock_moved && response.status() == StatusCode::UNAUTHORIZED => {
                signer.sign(&mut again)?;
                self.http.execute(again).await.map_err(|error| self.transport(error))
            }
            _ => Ok(response),
        }
    }

    /// Sends a request to a public endpoint (health, register keys, station registration),
    /// noting the intake's clock from its answer for the signed requests that follow.
    pub(crate) async fn send_unsigned(&self, builder: reqwest::RequestBuilder) -> Result<Response, SyncError> {
        let response = builder.send().await.map_err(|error| self.transport(error))?;
        if let Some(signer) = &self.signer {
            signer.learn_clock(response.headers());
        }
        Ok(response)
    }

    /// `path` (no leading slash) under the base URL.
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url, SyncError> {
        self.base
            .join(path)
            .map_err(|error| SyncError::Protocol(format!("cannot build the URL of {path}: {error}")))
    }

    /// An upload URL as stored by the station or sent in `Location`: absolute, or relative to
    /// the base URL.
    pub(crate) fn resolve(&self, url: &str) -> Result<Url, SyncError> {
        self.base
            .join(url)
            .map_err(|error| SyncError::Protocol(format!("'{url}' is not a usable upload URL: {error}")))
    }

    /// A request that got no HTTP answer. Timeouts, refused connections, DNS failures and
    /// connections cut mid-request all mean the same to a clerk: the intake is out of reach.
    pub(crate) fn transport(&self, error: reqwest::Error) -> SyncError {
        if error.is_builder() {
            return SyncError::Protocol(format!("the request could not be built: {error}"));
        }
        SyncError::IntakeUnreachable {
            url: self.display_base(),
            detail: error_chain(&error),
        }
    }

    /// The base URL as a clerk would type it (without the trailing slash).
    pub(crate) fn display_base(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    async fn expect_success(&self, response: Response, method: &str, url: &Url) -> Result<Response, SyncError> {
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let body = read_error_body(response).await;
        Err(self.status_error(method, url, status, body, Subject::default()))
    }

    /// Maps an error status the same way for every call; `subject` names the registration and
    /// station in the error when the caller knows them.
    pub(crate) fn status_error(
        &self,
        method: &str,
        url: &Url,
        status: StatusCode,
        body: ErrorBody,
        subject: Subject<'_>,
    ) -> SyncError {
        match (status.as_u16(), body.code.as_str()) {
            (422, "duplicate_registration") => SyncError::DuplicateRegistration {
                registration_id: subject.registration_id.to_owned(),
                message: body.message,
            },
            (422, _) => SyncError::PacketRejected { message: body.message },
            (403, "station_pending") => SyncError::StationPending {
                station_id: subject.station_id.to_owned(),
            },
            (403, "station_revoked") => SyncError::StationRevoked {
                station_id: subject.station_id.to_owned(),
            },
            (403, "enrollment_code_invalid") => SyncError::EnrollmentCodeInvalid,
            (401, "signature_expired") => SyncError::SignatureExpired { message: body.message },
            (401, "request_key_unknown") => SyncError::RequestKeyUnknown {
                station_id: subject.station_id.to_owned(),
            },
            (401, _) => SyncError::SignatureRefused {
                code: body.code,
                message: body.message,
            },
            (403, _) => SyncError::UnknownStation {
                station_id: subject.station_id.to_owned(),
            },
            (413, _) => SyncError::UploadTooLarge { message: body.message },
            (404 | 410, _) => SyncError::UploadGone,
            (460, _) => SyncError::ChecksumMismatch,
            (429 | 500..=599, _) => SyncError::IntakeFailed {
                status: status.as_u16(),
                message: body.message,
                retry_after: body.retry_after,
            },
            _ => SyncError::Protocol(format!(
                "{method} {url} answered {status}{}{}",
                if body.code.is_empty() {
                    String::new()
                } else {
                    format!(" {}", body.code)
                },
                if body.message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", body.message)
                },
            )),
        }
    }
}

/// The intake's `{code, message}` body; empty fields if it sent something else.
pub(crate) async fn read_error_body(response: Response) -> ErrorBody {
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| crate::parse_retry_after(value, std::time::SystemTime::now()));
    // At most MAX_ERROR_BODY bytes are read: an error answer is a line, and a broken or
    // hostile intake must not fill the station's memory with one.
    let mut response = response;
    let mut bytes = Vec::new();
    while bytes.len() < MAX_ERROR_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk[..chunk.len().min(MAX_ERROR_BODY - bytes.len())]),
            Ok(None) | Err(_) => break,
        }
    }
    let (code, message) = parse_error_body(&bytes);
    ErrorBody {
        code,
        message,
        retry_after,
    }
}

/// Most characters of a body that is not the intake's JSON kept as the error's message: enough
/// for a proxy's one-line error page, not a whole HTML page in the station's log.
pub const MAX_PLAIN_ERROR_MESSAGE: usize = 200;

/// Most characters of the intake's own `message` kept (its sentences are far shorter), and of
/// its `code`: what reaches the station's log and errors stays bounded whatever the answer.
pub const MAX_ERROR_MESSAGE: usize = 1000;
const MAX_ERROR_CODE: usize = 64;

/// Most bytes of an error answer's body read.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// An error answer's body as `(code, message)`: the intake's `{"code": ..., "message": ...}`
/// (a missing field is empty; at most [`MAX_ERROR_MESSAGE`] characters of the message), or for
/// anything else (a proxy's page, bytes) no code and the
/// first [`MAX_PLAIN_ERROR_MESSAGE`] characters of the body read as UTF-8, invalid bytes
/// replaced. Never fails; no HTTP in it, so the fuzzer reads bodies with exactly this.
pub fn parse_error_body(bytes: &[u8]) -> (String, String) {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => (
            body.code.chars().take(MAX_ERROR_CODE).collect(),
            body.message.chars().take(MAX_ERROR_MESSAGE).collect(),
        ),
        Err(_) => (
            String::new(),
            String::from_utf8_lossy(bytes)
                .chars()
                .take(MAX_PLAIN_ERROR_MESSAGE)
                .collect(),
        ),
    }
}

/// reqwest's top-level message is often just "error sending request"; the cause is below it.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_keep_their_prefix_and_refuse_other_schemes() {
        let client = IntakeClient::new("http://127.0.0.1:8470/register").unwrap();
        assert_eq!(
            client.endpoint("v1/health").unwrap().as_str(),
            "http://127.0.0.1:8470/register/v1/health"
        );
        assert_eq!(client.display_base(), "http://127.0.0.1:8470/register");
        assert_eq!(
            client.resolve("/v1/uploads/abc").unwrap().as_str(),
            "http://127.0.0.1:8470/v1/uploads/abc",
            "an absolute path from Location is taken as the server sent it"
        );
        for bad in ["ftp://x", "not a url", "http://x/?q=1"] {
            assert_eq!(IntakeClient::new(bad).unwrap_err().code(), "invalid_url", "{bad}");
        }
    }

    /// An intake shedding load (`429`, `503`) is tried again later, and not before the wait
    /// its `Retry-After` asks for.
    #[tokio::test]
    async fn a_busy_intake_is_tried_again_no_sooner_than_it_asks() {
        let answer = |status: u16, retry_after: Option<&str>| {
            let mut response = http::Response::builder().status(status);
            if let Some(value) = retry_after {
                response = response.header("Retry-After", value);
            }
            Response::from(response.body(r#"{"code":"busy","message":"shedding load"}"#).unwrap())
        };
        let client = IntakeClient::new("http://127.0.0.1:8470").unwrap();
        let url = client.endpoint("v1/uploads/abc").unwrap();
        for status in [429, 503] {
            let body = read_error_body(answer(status, Some("7"))).await;
            assert_eq!((body.code.as_str(), body.message.as_str()), ("busy", "shedding load"));
            let error = client.status_error(
                "PATCH",
                &url,
                StatusCode::from_u16(status).unwrap(),
                body,
                Subject::default(),
            );
            assert_eq!(error.code(), "intake_error", "{status}");
            assert!(error.retry_later());
            assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
        }
        let body = read_error_body(answer(503, None)).await;
        assert_eq!(body.retry_after, None);
        let body = read_error_body(answer(503, Some("whenever"))).await;
        assert_eq!(body.retry_after, None, "a garbled header is no wait");
        let policy = client.retry;
        assert!(policy.delay_now(1, Some(Duration::from_secs(7))) >= Duration::from_secs(7));
    }
}
