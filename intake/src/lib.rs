//! The reference central intake: the server side of `schemas/intake-api.md`.
//!
//! Stations register their Ed25519 key, upload sealed packets over tus 1.0.0 (resumable,
//! checksummed per chunk), and get a receipt signed by the register once a packet is verified
//! and durably stored. By default it keeps everything in one SQLite file and plain files under
//! `data_dir` (the "embedded default": a pilot, a training site, nearly every test in the
//! workspace); with the feature `scale-out`, in PostgreSQL and S3-compatible object storage
//! instead, shared by several intake processes behind one address ([`spawn_with_storage`]).
//!
//! Code map:
//! - [`tus_headers`]: header names and strict parsers (no server needed to test them);
//! - `tus`: the upload endpoints; `stations`: station registration;
//! - `verification`: the checks a complete packet must pass; `completion`: verify, store, sign;
//! - `receipts`: issuing and serving signed receipts;
//! - [`storage_backend`]: what the intake keeps, behind one trait with two backends: `storage`
//!   (embedded: SQLite + files, fsync) and `scale_out` (feature `scale-out`: PostgreSQL +
//!   S3-compatible object storage, for several intake processes behind one address);
//! - [`packet_status`]: where each packet stands at the register, asked for in batches;
//! - [`configuration`]: the documents the register signs and sends down to its stations;
//! - [`media_import`]: packets that come on removable media, taken in as completed uploads are;
//! - [`request_auth`]: who sent a request (the station whose request key signed it, RFC 9421);
//! - [`error`]: [`IntakeError`], its stable codes and its JSON answers.
//!
//! Deliberately absent: opening packets (the register's back office does that with
//! `enroll_packet::open_envelope`), TLS (put a reverse proxy in front that passes the path
//! unchanged: signatures cover it).

pub mod error;
pub mod tus_headers;

mod completion;
pub mod configuration;
pub mod key_ring;
pub mod media_import;
pub mod onboarding;
pub mod packet_status;
mod receipts;
pub mod request_auth;
#[cfg(feature = "scale-out")]
pub mod scale_out;
mod stations;
mod storage;
pub mod storage_backend;
mod tus;
mod verification;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, options, post};
use axum::{Json, Router};
use enroll_packet::{RegisterKeyPair, RegisterPublicKeys};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use error::IntakeError;
pub use onboarding::{EnrollmentCode, StationApproval, StationEntry, StationRegistry, StationStatus};
pub use stations::{parse_registration, ParsedRegistration};
pub use storage_backend::StorageBackend;

/// How long [`RunningIntake::shutdown`] lets requests in flight finish before it cuts them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What an intake needs to run.
pub struct IntakeConfig {
    /// Where the database, partial uploads and received packets live.
    pub data_dir: PathBuf,
    /// The register's keys: the signing key signs receipts; the encryption key's id is what
    /// every accepted packet must be sealed to.
    pub register_keys: RegisterKeyPair,
    /// The pairs the register used before a key rotation, newest first: packets sealed to them
    /// are still taken, and their receipts signed with the same pair (see [`key_ring`]).
    pub previous_register_keys: Vec<RegisterKeyPair>,
    /// Largest `Upload-Length` accepted (announced as `Tus-Max-Size`).
    pub max_upload_bytes: u64,
    /// How long an incomplete upload stays resumable after its creation.
    pub upload_expiry: Duration,
    /// Whether a station that announces itself without an enrollment code waits for an
    /// operator's approval (the default) or is approved at once (see [`onboarding`]).
    pub station_approval: StationApproval,
}

impl IntakeConfig {
    /// Default largest upload: 512 MiB, far above a packet with every biometric modality.
    pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 512 * 1024 * 1024;
    /// Default expiry: 7 days, so a mobile team that loses its link mid-upload can resume
    /// within the week instead of starting over.
    pub const DEFAULT_UPLOAD_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

    /// A configuration with the default limits.
    pub fn new(data_dir: impl Into<PathBuf>, register_keys: RegisterKeyPair) -> IntakeConfig {
        IntakeConfig {
            data_dir: data_dir.into(),
            register_keys,
            previous_register_keys: Vec::new(),
            max_upload_bytes: Self::DEFAULT_MAX_UPLOAD_BYTES,
            upload_expiry: Self::DEFAULT_UPLOAD_EXPIRY,
            station_approval: StationApproval::Manual,
        }
    }

    /// The same, approving every station that announces itself at once: for training and
    /// development intakes and tests, never for a register.
    pub fn approving_stations_automatically(mut self) -> IntakeConfig {
        self.station_approval = StationApproval::Automatic;
        self
    }
}

/// The shared state behind every request: cheap to clone.
#[derive(Clone)]
pub struct IntakeState {
    shared: Arc<Shared>,
}

struct Shared {
    storage: Arc<dyn StorageBackend>,
    register_keys: key_ring::RegisterKeyRing,
    register_public_keys: RegisterPublicKeys,
    max_upload_bytes: u64,
    upload_expiry: time::Duration,
    station_approval: StationApproval,
    upload_locks: tus::UploadLocks,
    config_folder: Arc<configuration::ConfigFolder>,
}

impl IntakeState {
    /// Opens the data directory (creating it and the database if needed). Blocking: call it
    /// from `spawn_blocking` in async code, as [`spawn`] does.
    pub fn open(config: IntakeConfig) -> Result<IntakeState, IntakeError> {
        std::fs::create_dir_all(&config.data_dir)?;
        let storage = storage::Storage::open(&config.data_dir)?;
        IntakeState::open_with_storage(config, Arc::new(storage))
    }

    /// The same over another storage backend (see [`storage_backend`]): the scale-out one
    /// (`scale_out::ScaleOutStorage`). `config.data_dir` still holds the configuration
    /// documents the register publishes (`configuration`). Blocking, as [`IntakeState::open`].
    pub fn open_with_storage(
        config: IntakeConfig,
        storage: Arc<dyn StorageBackend>,
    ) -> Result<IntakeState, IntakeError> {
        std::fs::create_dir_all(&config.data_dir)?;
        let expired = storage.expire_due_uploads(time::OffsetDateTime::now_utc())?;
        if expired > 0 {
            tracing::info!(expired, "expired uploads swept at start");
        }
        let upload_expiry = time::Duration::try_from(config.upload_expiry)
            .map_err(|_| IntakeError::Internal("upload_expiry is too long".to_owned()))?;
        let register_public_keys = config.register_keys.public_keys();
        let config_folder = Arc::new(configuration::ConfigFolder::open(&config.data_dir)?);
        Ok(IntakeState {
            shared: Arc::new(Shared {
                storage,
                register_public_keys,
                register_keys: key_ring::RegisterKeyRing::new(config.register_keys, config.previous_register_keys),
                max_upload_bytes: config.max_upload_bytes,
                upload_expiry,
                station_approval: config.station_approval,
                upload_locks: tus::UploadLocks::default(),
                config_folder,
            }),
        })
    }

    pub(crate) fn storage(&self) -> Arc<dyn StorageBackend> {
        Arc::clone(&self.shared.storage)
    }
    pub(crate) fn register_keys(&self) -> &key_ring::RegisterKeyRing {
        &self.shared.register_keys
    }
    pub(crate) fn max_upload_bytes(&self) -> u64 {
        self.shared.max_upload_bytes
    }
    pub(crate) fn upload_expiry(&self) -> time::Duration {
        self.shared.upload_expiry
    }
    pub(crate) fn station_approval(&self) -> StationApproval {
        self.shared.station_approval
    }
    pub(crate) fn upload_locks(&self) -> &tus::UploadLocks {
        &self.shared.upload_locks
    }
    pub(crate) fn config_folder(&self) -> Arc<configuration::ConfigFolder> {
        Arc::clone(&self.shared.config_folder)
    }
}

/// Every route of the intake API, version 1.
pub fn router(state: IntakeState) -> Router {
    let uploads = Router::new()
        .route("/v1/uploads", options(tus::options).post(tus::create))
        .route(
            "/v1/uploads/{id}",
            options(tus::options)
                .head(tus::head)
                .patch(tus::patch)
                .delete(tus::terminate),
        )
        .route("/v1/uploads/{id}/receipt", get(receipts::get_receipt));
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/register-keys", get(register_keys))
        .route("/v1/stations", post(stations::register_station))
        .route("/v1/packets/status", post(packet_status::query_statuses))
        .route("/v1/config", get(configuration::config_since))
        .merge(uploads)
        .fallback(not_found)
        // Axum's own 405 has no body; ours says what went wrong in the API's error form.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(tus::add_tus_resumable))
        .with_state(state)
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn register_keys(axum::extract::State(state): axum::extract::State<IntakeState>) -> impl IntoResponse {
    // The packet crate's own serialisation, so the format has one definition.
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        state.shared.register_public_keys.to_json(),
    )
}

async fn not_found(uri: axum::http::Uri) -> IntakeError {
    IntakeError::NotFound(uri.path().to_owned())
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> IntakeError {
    IntakeError::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}

/// An intake serving in the background; see [`spawn`].
pub struct RunningIntake {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl RunningIntake {
    /// `http://<address>:<port>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections, lets requests in flight finish (for at most
    /// [`SHUTDOWN_GRACE`]) and returns once the database is closed.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut server) = self.server.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await.is_err() {
                tracing::warn!("requests still running after the grace period; cutting them");
                server.abort();
                let _ = server.await;
            }
        }
    }
}

impl Drop for RunningIntake {
    /// Dropping asks the server to stop; it finishes in the background (use
    /// [`RunningIntake::shutdown`] to wait for it).
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Opens the data directory, binds `addr` (port 0 picks a free one) and serves in the
/// background until [`RunningIntake::shutdown`] or drop.
pub async fn spawn(config: IntakeConfig, addr: SocketAddr) -> Result<RunningIntake, IntakeError> {
    let state = tokio::task::spawn_blocking(move || IntakeState::open(config))
        .await
        .map_err(|join| IntakeError::Internal(format!("opening the data directory failed: {join}")))??;
    serve_state(state, addr).await
}

/// The same over another storage backend (see [`IntakeState::open_with_storage`]).
pub async fn spawn_with_storage(
    config: IntakeConfig,
    storage: Arc<dyn StorageBackend>,
    addr: SocketAddr,
) -> Result<RunningIntake, IntakeError> {
    let state = tokio::task::spawn_blocking(move || IntakeState::open_with_storage(config, storage))
        .await
        .map_err(|join| IntakeError::Internal(format!("opening the storage failed: {join}")))??;
    serve_state(state, addr).await
}

async fn serve_state(state: IntakeState, addr: SocketAddr) -> Result<RunningIntake, IntakeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| IntakeError::Bind { addr, source })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| IntakeError::Bind { addr, source })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state);
    let server = tokio::spawn(async move {
        let serving = axum::serve(listener, app).with_graceful_shutdown(async {
            // A dropped sender (the handle was dropped) stops the server too.
            let _ = stopped.await;
        });
        if let Err(error) = serving.await {
            tracing::error!(%error, "the intake server stopped with an error");
        }
    });
    tracing::info!(%local_addr, "intake listening");
    Ok(RunningIntake {
        local_addr,
        stop: Some(stop),
        server: Some(server),
    })
}

/// Serves until Ctrl-C (or SIGTERM on Unix), then shuts down gracefully. For `enroll intake`.
pub async fn serve_forever(config: IntakeConfig, addr: SocketAddr) -> Result<(), IntakeError> {
    let running = spawn(config, addr).await?;
    serve_until_stopped(running).await
}

/// The same over another storage backend (see [`IntakeState::open_with_storage`]).
pub async fn serve_forever_with_storage(
    config: IntakeConfig,
    storage: Arc<dyn StorageBackend>,
    addr: SocketAddr,
) -> Result<(), IntakeError> {
    let running = spawn_with_storage(config, storage, addr).await?;
    serve_until_stopped(running).await
}

async fn serve_until_stopped(running: RunningIntake) -> Result<(), IntakeError> {
    tracing::info!(url = %running.base_url(), "intake ready; Ctrl-C stops it");
    wait_for_stop_signal().await;
    tracing::info!("stopping the intake");
    running.shutdown().await;
    Ok(())
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
