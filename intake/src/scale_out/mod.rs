//! The scale-out storage backend (feature `scale-out`): records in PostgreSQL, bytes in
//! S3-compatible object storage, so that several intake processes behind one address share
//! nothing in memory. `enroll intake serve --database postgres://... --objects s3://bucket`.
//!
//! Layout:
//! ```text
//! PostgreSQL, schema enroll_intake     stations, enrollment_codes, uploads, upload_chunks,
//!                                      packets, seen_nonces, schema_version (`schema.rs`)
//! s3://bucket/uploads/<id>/<offset>-<token>   one object per chunk of an upload in progress
//! s3://bucket/packets/<sha256>.envelope       received packets, named by their SHA-256
//! ```
//!
//! Chunks: S3 appends nothing, and its multipart upload needs parts of 5 MiB but the last,
//! where a station's chunks are from 32 KiB up (`enroll_sync::chunking`). So each `PATCH` writes
//! an object of its own, named by the offset it starts at and a random token, and its row in
//! `upload_chunks` is what counts it. At completion the chunks are read in order, checked to
//! cover the upload without a gap, verified as one envelope, and written as one packet object;
//! the chunk objects are deleted after the packet's row is committed. A chunk is streamed to its
//! object (`objects.rs`; a single put, or a multipart upload of 10 MiB parts for a large body),
//! so a `PATCH` holds at most a few frames in memory, and nothing of an upload stays in a
//! process between requests.
//!
//! Two writers: the offset moves only by `UPDATE uploads SET upload_offset = end WHERE
//! upload_offset = start` in the transaction that records the chunk, so of two processes that
//! write the same upload from the same offset one counts its chunk and the other gets `409
//! offset_mismatch` and deletes its own object (the token keeps the two objects apart, so the
//! loser never overwrites the winner's bytes). An object left by a process that died before it
//! counted its chunk is never read (no row names it) and is deleted with the upload's other
//! objects when the upload completes, is terminated or expires.
//!
//! Durability: a packet's object is put (the object store answers only once it holds it) before
//! its row is committed, so a committed row always has its bytes; a crash in between leaves an
//! object that the next arrival of the same bytes writes again. One packet per registration id
//! is the `packets` primary key: two processes completing the same registration at once both
//! put the same object (same name, same bytes), one inserts the row, the other finds it and
//! answers with its receipt. Nonces are the `seen_nonces` primary key, so a request replayed to
//! another process is refused there too.
//!
//! The methods block (the trait's contract): this backend runs PostgreSQL and the object store
//! on a small runtime of its own (`pool.rs`), which the calling thread waits on. Call them from
//! blocking code (`spawn_blocking`, the CLI), never on an async worker thread.
//!
//! Deliberately absent: TLS to PostgreSQL (run it on the register's private network or a unix
//! socket), the configuration documents (they stay in the data folder of each process,
//! `crate::configuration`), and garbage collection of packet objects whose row was never
//! committed.

mod objects;
mod pool;
mod schema;
mod stations;
#[cfg(feature = "test-support")]
pub mod test_services;
mod uploads;

use std::sync::Arc;

use enroll_packet::SignedReceipt;
use time::OffsetDateTime;

use crate::onboarding::{EnrollmentCode, StationApproval, StationEntry, StationOutcome, StationStatus};
use crate::packet_status::{PacketStatus, PacketStatusEntry};
use crate::storage::{AcceptOutcome, UploadRecord};
use crate::storage_backend::{ChunkWriter, StorageBackend, WrittenChunk};
use crate::tus_headers::DeclaredUpload;
use crate::IntakeError;

pub(crate) use objects::ObjectChunk;

/// Where the scale-out backend keeps things. The object store's endpoint and credentials come
/// from the standard `AWS_*` environment variables (see [`ScaleOutConfig::from_urls`]).
#[derive(Debug, Clone)]
pub struct ScaleOutConfig {
    /// `postgres://user@host:port/database` or `host=/run/postgresql user=... dbname=...`.
    pub database: String,
    /// `s3://bucket` or `s3://bucket/prefix`.
    pub objects: String,
    /// Settings of the object store that take precedence over the `AWS_*` variables, by their
    /// variable's name (`AWS_ENDPOINT_URL`, ...): for tests that run an intake in their own
    /// process. Empty from [`ScaleOutConfig::from_urls`].
    pub aws_settings: Vec<(String, String)>,
}

/// Why a scale-out configuration cannot be used, naming what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ScaleOutConfigError {
    #[error("--database: {0}")]
    Database(String),
    #[error("--objects: {0}")]
    Objects(String),
}

impl ScaleOutConfig {
    /// Checks both locations before anything connects: the database as a PostgreSQL connection
    /// string, the objects as `s3://bucket[/prefix]` with the `AWS_*` variables it needs.
    pub fn from_urls(database: &str, objects: &str) -> Result<ScaleOutConfig, ScaleOutConfigError> {
        database.parse::<tokio_postgres::Config>().map_err(|error| {
            ScaleOutConfigError::Database(format!(
                "not a PostgreSQL connection string ({error}); expected postgres://user@host:port/database"
            ))
        })?;
        objects::parse_location(objects).map_err(ScaleOutConfigError::Objects)?;
        Ok(ScaleOutConfig {
            database: database.to_owned(),
            objects: objects.to_owned(),
            aws_settings: Vec::new(),
        })
    }
}

impl ScaleOutConfig {
    /// The database location without its password, for messages and logs.
    pub fn redacted_database(&self) -> String {
        redact_password(&self.database)
    }
}

fn redact_password(database: &str) -> String {
    if let Some((scheme, rest)) = database.split_once("://") {
        if let Some((credentials, host)) = rest.split_once('@') {
            if let Some((user, _password)) = credentials.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
        return database.to_owned();
    }
    database
        .split_whitespace()
        .map(|pair| match pair.split_once('=') {
            Some(("password", _)) => "password=***".to_owned(),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// PostgreSQL + object storage. Cheap to share behind an `Arc`; every process of a scale-out
/// intake opens its own.
pub struct ScaleOutStorage {
    io: pool::IoRuntime,
    database: pool::Pool,
    objects: objects::Objects,
}

impl ScaleOutStorage {
    /// Connects to both, creates or migrates the schema, and checks that the bucket answers.
    /// Blocking.
    pub fn open(config: &ScaleOutConfig) -> Result<ScaleOutStorage, IntakeError> {
        let io = pool::IoRuntime::new()?;
        let database = pool::Pool::new(&config.database)?;
        let objects = objects::Objects::open(&config.objects, &config.aws_settings, io.handle())?;
        let storage = ScaleOutStorage { io, database, objects };
        storage.run(async {
            let mut client = storage.database.get().await?;
            schema::migrate(&mut client).await?;
            storage.objects.check_reachable().await
        })?;
        Ok(storage)
    }

    /// Waits for `work` on this backend's runtime.
    fn run<T>(&self, work: impl std::future::Future<Output = Result<T, IntakeError>>) -> Result<T, IntakeError> {
        self.io.block_on(work)
    }
}

/// A PostgreSQL failure as the intake's error (`storage_failed`, detail in the log).
pub(crate) fn database_error(error: tokio_postgres::Error) -> IntakeError {
    IntakeError::Io(std::io::Error::other(format!("PostgreSQL: {error}")))
}

/// An object store failure as the intake's error (`storage_failed`, detail in the log).
pub(crate) fn objects_error(error: object_store::Error) -> IntakeError {
    IntakeError::Io(std::io::Error::other(format!("object store: {error}")))
}

/// A PostgreSQL integer that holds a size or offset.
fn to_u64(value: i64) -> Result<u64, IntakeError> {
    u64::try_from(value).map_err(|_| IntakeError::Internal(format!("negative size {value} in the database")))
}

fn to_i64(value: u64) -> Result<i64, IntakeError> {
    i64::try_from(value).map_err(|_| IntakeError::Internal(format!("{value} does not fit the database")))
}

/// The trait, forwarded to the inherent methods of `uploads.rs` and `stations.rs`, each run on
/// the backend's runtime.
impl StorageBackend for ScaleOutStorage {
    fn create_upload(&self, upload: &UploadRecord, now: OffsetDateTime) -> Result<(), IntakeError> {
        self.run(self.create_upload_async(upload, now))
    }
    fn upload(&self, upload_id: &str) -> Result<Option<UploadRecord>, IntakeError> {
        self.run(self.upload_async(upload_id))
    }
    fn expire_upload(&self, upload_id: &str) -> Result<(), IntakeError> {
        self.run(self.expire_upload_async(upload_id))
    }
    fn expire_due_uploads(&self, now: OffsetDateTime) -> Result<usize, IntakeError> {
        self.run(self.expire_due_uploads_async(now))
    }
    fn delete_upload(&self, upload_id: &str) -> Result<(), IntakeError> {
        self.run(self.delete_upload_async(upload_id))
    }
    fn open_chunk(&self, upload_id: &str, offset: u64) -> Result<ChunkWriter, IntakeError> {
        Ok(ChunkWriter::object(self.objects.start_chunk(upload_id, offset), offset))
    }
    fn record_chunk(&self, upload_id: &str, chunk: WrittenChunk) -> Result<(), IntakeError> {
        self.run(self.record_chunk_async(upload_id, chunk))
    }
    fn discard_chunk(&self, _upload_id: &str, chunk: WrittenChunk) -> Result<(), IntakeError> {
        self.run(self.objects.delete_chunk(chunk.object_key.as_deref()))
    }
    fn read_part(&self, upload_id: &str) -> Result<Vec<u8>, IntakeError> {
        self.run(self.read_part_async(upload_id))
    }
    fn packet_receipt(&self, registration_id: &str) -> Result<Option<SignedReceipt>, IntakeError> {
        self.run(self.packet_receipt_async(registration_id))
    }
    fn accept_packet(
        &self,
        upload: &UploadRecord,
        envelope: &[u8],
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError> {
        self.run(self.accept_async(&upload.declared, Some(upload), envelope, receipt))
    }
    fn accept_media_packet(
        &self,
        declared: &DeclaredUpload,
        envelope: &[u8],
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError> {
        self.run(self.accept_async(declared, None, envelope, receipt))
    }
    fn packet_statuses(
        &self,
        station_id: &str,
        registration_ids: &[String],
    ) -> Result<Vec<PacketStatusEntry>, IntakeError> {
        self.run(self.packet_statuses_async(station_id, registration_ids))
    }
    fn set_packet_status(
        &self,
        registration_id: &str,
        status: PacketStatus,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<PacketStatusEntry, IntakeError> {
        self.run(self.set_packet_status_async(registration_id, status, reason, now))
    }
    fn register_station(
        &self,
        station_id: &str,
        name: &str,
        public_key: &[u8; 32],
        request_key: Option<&[u8; 32]>,
        code: Option<&str>,
        approval: StationApproval,
        now: OffsetDateTime,
    ) -> Result<StationOutcome, IntakeError> {
        self.run(self.register_station_async(station_id, name, public_key, request_key, code, approval, now))
    }
    fn approved_station_key(&self, station_id: &str) -> Result<[u8; 32], IntakeError> {
        self.run(self.approved_station_key_async(station_id))
    }
    fn station_for_request_key(&self, request_key: &[u8; 32]) -> Result<(String, StationStatus), IntakeError> {
        self.run(self.station_for_request_key_async(request_key))
    }
    fn remember_nonce(
        &self,
        request_key: &[u8; 32],
        nonce: &str,
        forget_after: i64,
        now: OffsetDateTime,
    ) -> Result<(), IntakeError> {
        self.run(self.remember_nonce_async(request_key, nonce, forget_after, now))
    }
    fn stations(&self) -> Result<Vec<StationEntry>, IntakeError> {
        self.run(self.station_entries_async(None))
    }
    fn approve_station(&self, station_id: &str, now: OffsetDateTime) -> Result<StationEntry, IntakeError> {
        self.run(self.change_station_async(
            station_id,
            StationStatus::Approved,
            &[StationStatus::Pending, StationStatus::Approved],
            now,
        ))
    }
    fn revoke_station(&self, station_id: &str, now: OffsetDateTime) -> Result<StationEntry, IntakeError> {
        self.run(self.change_station_async(
            station_id,
            StationStatus::Revoked,
            &[StationStatus::Pending, StationStatus::Approved, StationStatus::Revoked],
            now,
        ))
    }
    fn issue_enrollment_code(
        &self,
        now: OffsetDateTime,
        valid_for: time::Duration,
    ) -> Result<EnrollmentCode, IntakeError> {
        self.run(self.issue_enrollment_code_async(now, valid_for))
    }
}

/// Opens a scale-out backend for the CLI and tests, as a trait object.
pub fn open_shared(config: &ScaleOutConfig) -> Result<Arc<dyn StorageBackend>, IntakeError> {
    Ok(Arc::new(ScaleOutStorage::open(config)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_checked_before_anything_connects() {
        let config = ScaleOutConfig::from_urls(
            "postgres://intake:secret@127.0.0.1:5432/register",
            "s3://packets/site-1",
        )
        .unwrap();
        assert_eq!(
            config.redacted_database(),
            "postgres://intake:***@127.0.0.1:5432/register"
        );
        assert_eq!(
            redact_password("host=/run/postgresql password=x user=y"),
            "host=/run/postgresql password=*** user=y"
        );
        let error = ScaleOutConfig::from_urls("mysql://x", "s3://packets").unwrap_err();
        assert!(error.to_string().starts_with("--database: "), "{error}");
        for objects in ["packets", "s3://", "s3://UPPER", "file:///tmp"] {
            let error = ScaleOutConfig::from_urls("postgres://127.0.0.1/register", objects).unwrap_err();
            assert!(error.to_string().starts_with("--objects: "), "{objects}: {error}");
        }
    }

    #[test]
    fn plain_http_is_taken_only_to_loopback() {
        assert!(objects::is_loopback_http("http://127.0.0.1:9000"));
        assert!(objects::is_loopback_http("http://localhost:9000/"));
        assert!(objects::is_loopback_http("http://[::1]:9000"));
        assert!(!objects::is_loopback_http("http://10.0.0.5:9000"));
        assert!(!objects::is_loopback_http("https://127.0.0.1:9000"));
    }
}
