//! What the intake keeps, behind one trait: [`StorageBackend`], so that the HTTP layer,
//! completion, onboarding, packet statuses and media import run unchanged over either backend:
//! - the embedded default, `crate::storage::Storage` (one SQLite file and plain files in the
//!   data folder), whose behaviour and on-disk format this trait does not change: its impl
//!   below only forwards to the inherent methods that its own tests exercise;
//! - the scale-out backend, `crate::scale_out::ScaleOutStorage` (feature `scale-out`):
//!   PostgreSQL for the records and S3-compatible object storage for the bytes, shared by any
//!   number of intake processes.
//!
//! Every method blocks (SQLite and fsync, or a wait for PostgreSQL and the object store); async
//! callers go through [`crate::error::blocking`]. The one exception is the body of a `PATCH`,
//! which is streamed: [`StorageBackend::open_chunk`] gives a [`ChunkWriter`] that the handler
//! feeds frame by frame, finishes (the bytes durable), and then hands to
//! [`StorageBackend::record_chunk`], which counts them. Counting is the backend's to make safe
//! against a second writer: the embedded backend has one process and the handler's upload lock;
//! the scale-out backend advances the offset only from the offset the chunk was written at, in
//! the shared database.
//!
//! This module holds no SQL and knows no file layout.

use axum::body::Bytes;
use enroll_packet::SignedReceipt;
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

use crate::onboarding::{EnrollmentCode, StationApproval, StationEntry, StationOutcome, StationStatus};
use crate::packet_status::{PacketStatus, PacketStatusEntry};
use crate::storage::{AcceptOutcome, Storage, UploadRecord};
use crate::tus_headers::DeclaredUpload;
use crate::IntakeError;

/// The records and bytes of an intake. See the module docs; each method's contract is the
/// embedded backend's method of the same name.
pub trait StorageBackend: Send + Sync {
    // ---- uploads --------------------------------------------------------------------------

    /// Records a new upload, with no bytes yet.
    fn create_upload(&self, upload: &UploadRecord, now: OffsetDateTime) -> Result<(), IntakeError>;
    fn upload(&self, upload_id: &str) -> Result<Option<UploadRecord>, IntakeError>;
    /// Marks an upload expired and frees its bytes; the record stays (`410 Gone`).
    fn expire_upload(&self, upload_id: &str) -> Result<(), IntakeError>;
    /// Expires every receiving upload whose time is up; returns how many.
    fn expire_due_uploads(&self, now: OffsetDateTime) -> Result<usize, IntakeError>;
    /// Forgets an upload and its bytes (termination, rejection).
    fn delete_upload(&self, upload_id: &str) -> Result<(), IntakeError>;
    /// Somewhere to write the bytes that follow `offset` (the upload's offset as read).
    fn open_chunk(&self, upload_id: &str, offset: u64) -> Result<ChunkWriter, IntakeError>;
    /// Counts a finished chunk: the upload's offset moves from the chunk's start to its end,
    /// or, when it is no longer at the start (another writer got there first), nothing is
    /// counted and the answer is `offset_mismatch` with the offset as it is.
    fn record_chunk(&self, upload_id: &str, chunk: WrittenChunk) -> Result<(), IntakeError>;
    /// Lets go of a chunk that is not counted (its checksum failed, or it is empty).
    fn discard_chunk(&self, upload_id: &str, chunk: WrittenChunk) -> Result<(), IntakeError>;
    /// The whole of a complete upload (bounded by the largest upload).
    fn read_part(&self, upload_id: &str) -> Result<Vec<u8>, IntakeError>;

    // ---- packets ------------------------------------------------------------------------

    /// The receipt of the packet held for a registration id, if any.
    fn packet_receipt(&self, registration_id: &str) -> Result<Option<SignedReceipt>, IntakeError>;
    /// Stores a complete, verified upload (`envelope` is its bytes, as `read_part` gave them),
    /// unless the register holds a packet for its registration id already. The bytes are
    /// durable before the packet's record is committed.
    fn accept_packet(
        &self,
        upload: &UploadRecord,
        envelope: &[u8],
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError>;
    /// The same for a packet read from removable media, with no upload involved.
    fn accept_media_packet(
        &self,
        declared: &DeclaredUpload,
        envelope: &[u8],
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError>;
    /// The status of each of `registration_ids` as `station_id` may see it.
    fn packet_statuses(
        &self,
        station_id: &str,
        registration_ids: &[String],
    ) -> Result<Vec<PacketStatusEntry>, IntakeError>;
    /// The back office moves a held packet on.
    fn set_packet_status(
        &self,
        registration_id: &str,
        status: PacketStatus,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<PacketStatusEntry, IntakeError>;

    // ---- stations ---------------------------------------------------------------------------

    // One fact of the announcement or of the register's policy and clock per argument, as in
    // the embedded backend's method.
    #[allow(clippy::too_many_arguments)]
    fn register_station(
        &self,
        station_id: &str,
        name: &str,
        public_key: &[u8; 32],
        request_key: Option<&[u8; 32]>,
        code: Option<&str>,
        approval: StationApproval,
        now: OffsetDateTime,
    ) -> Result<StationOutcome, IntakeError>;
    fn approved_station_key(&self, station_id: &str) -> Result<[u8; 32], IntakeError>;
    fn station_for_request_key(&self, request_key: &[u8; 32]) -> Result<(String, StationStatus), IntakeError>;
    /// `signature_replayed` when `request_key` signed with `nonce` before, in any process.
    fn remember_nonce(
        &self,
        request_key: &[u8; 32],
        nonce: &str,
        forget_after: i64,
        now: OffsetDateTime,
    ) -> Result<(), IntakeError>;
    fn stations(&self) -> Result<Vec<StationEntry>, IntakeError>;
    fn approve_station(&self, station_id: &str, now: OffsetDateTime) -> Result<StationEntry, IntakeError>;
    fn revoke_station(&self, station_id: &str, now: OffsetDateTime) -> Result<StationEntry, IntakeError>;
    fn issue_enrollment_code(
        &self,
        now: OffsetDateTime,
        valid_for: time::Duration,
    ) -> Result<EnrollmentCode, IntakeError>;
}

/// Where the bytes of one `PATCH` go while they arrive. Dropped without
/// [`ChunkWriter::finish`], nothing of it counts.
pub struct ChunkWriter {
    start: u64,
    written: u64,
    target: ChunkTarget,
}

enum ChunkTarget {
    /// The embedded backend's part file, positioned at the upload's offset.
    File(tokio::fs::File),
    /// An object of its own in the object store (see `crate::scale_out`).
    #[cfg(feature = "scale-out")]
    Object(crate::scale_out::ObjectChunk),
}

/// A chunk whose bytes are durable, not yet counted.
#[derive(Debug)]
pub struct WrittenChunk {
    /// The upload's offset the chunk was written at.
    pub start: u64,
    /// Bytes in it.
    pub length: u64,
    /// The object holding it (scale-out backend only).
    #[cfg_attr(not(feature = "scale-out"), allow(dead_code))]
    pub(crate) object_key: Option<String>,
}

impl WrittenChunk {
    pub fn end(&self) -> u64 {
        self.start + self.length
    }
}

impl ChunkWriter {
    pub(crate) fn file(file: std::fs::File, start: u64) -> ChunkWriter {
        ChunkWriter {
            start,
            written: 0,
            target: ChunkTarget::File(tokio::fs::File::from_std(file)),
        }
    }

    #[cfg(feature = "scale-out")]
    pub(crate) fn object(chunk: crate::scale_out::ObjectChunk, start: u64) -> ChunkWriter {
        ChunkWriter {
            start,
            written: 0,
            target: ChunkTarget::Object(chunk),
        }
    }

    /// Appends the next bytes of the body.
    pub async fn write(&mut self, data: Bytes) -> Result<(), IntakeError> {
        let length = data.len() as u64;
        match &mut self.target {
            ChunkTarget::File(file) => file.write_all(&data).await?,
            #[cfg(feature = "scale-out")]
            ChunkTarget::Object(chunk) => chunk.write(data).await?,
        }
        self.written += length;
        Ok(())
    }

    /// Makes what was written durable (fsync, or the object store's answer to the put).
    pub async fn finish(self) -> Result<WrittenChunk, IntakeError> {
        let object_key = match self.target {
            ChunkTarget::File(mut file) => {
                file.flush().await?;
                file.sync_data().await?;
                None
            }
            #[cfg(feature = "scale-out")]
            ChunkTarget::Object(chunk) => Some(chunk.finish().await?),
        };
        Ok(WrittenChunk {
            start: self.start,
            length: self.written,
            object_key,
        })
    }
}

/// The embedded backend: every method is the inherent one of the same name.
impl StorageBackend for Storage {
    fn create_upload(&self, upload: &UploadRecord, now: OffsetDateTime) -> Result<(), IntakeError> {
        Storage::create_upload(self, upload, now)
    }
    fn upload(&self, upload_id: &str) -> Result<Option<UploadRecord>, IntakeError> {
        Storage::upload(self, upload_id)
    }
    fn expire_upload(&self, upload_id: &str) -> Result<(), IntakeError> {
        Storage::expire_upload(self, upload_id)
    }
    fn expire_due_uploads(&self, now: OffsetDateTime) -> Result<usize, IntakeError> {
        Storage::expire_due_uploads(self, now)
    }
    fn delete_upload(&self, upload_id: &str) -> Result<(), IntakeError> {
        Storage::delete_upload(self, upload_id)
    }
    fn open_chunk(&self, upload_id: &str, offset: u64) -> Result<ChunkWriter, IntakeError> {
        Ok(ChunkWriter::file(self.open_part_at(upload_id, offset)?, offset))
    }
    fn record_chunk(&self, upload_id: &str, chunk: WrittenChunk) -> Result<(), IntakeError> {
        // One process, and the handler holds the upload's lock while it writes: the offset is
        // still the chunk's start.
        self.set_upload_offset(upload_id, chunk.end())
    }
    fn discard_chunk(&self, _upload_id: &str, _chunk: WrittenChunk) -> Result<(), IntakeError> {
        // Bytes past the offset are cut off at the next write (`open_part_at`).
        Ok(())
    }
    fn read_part(&self, upload_id: &str) -> Result<Vec<u8>, IntakeError> {
        Storage::read_part(self, upload_id)
    }
    fn packet_receipt(&self, registration_id: &str) -> Result<Option<SignedReceipt>, IntakeError> {
        Storage::packet_receipt(self, registration_id)
    }
    fn accept_packet(
        &self,
        upload: &UploadRecord,
        _envelope: &[u8],
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError> {
        // The part file holds these bytes already: it is moved, not written again.
        Storage::accept_packet(self, upload, receipt)
    }
    fn accept_media_packet(
        &self,
        declared: &DeclaredUpload,
        envelope: &[u8],
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError> {
        Storage::accept_media_packet(self, declared, envelope, receipt)
    }
    fn packet_statuses(
        &self,
        station_id: &str,
        registration_ids: &[String],
    ) -> Result<Vec<PacketStatusEntry>, IntakeError> {
        Storage::packet_statuses(self, station_id, registration_ids)
    }
    fn set_packet_status(
        &self,
        registration_id: &str,
        status: PacketStatus,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<PacketStatusEntry, IntakeError> {
        Storage::set_packet_status(self, registration_id, status, reason, now)
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
        Storage::register_station(self, station_id, name, public_key, request_key, code, approval, now)
    }
    fn approved_station_key(&self, station_id: &str) -> Result<[u8; 32], IntakeError> {
        Storage::approved_station_key(self, station_id)
    }
    fn station_for_request_key(&self, request_key: &[u8; 32]) -> Result<(String, StationStatus), IntakeError> {
        Storage::station_for_request_key(self, request_key)
    }
    fn remember_nonce(
        &self,
        request_key: &[u8; 32],
        nonce: &str,
        forget_after: i64,
        now: OffsetDateTime,
    ) -> Result<(), IntakeError> {
        Storage::remember_nonce(self, request_key, nonce, forget_after, now)
    }
    fn stations(&self) -> Result<Vec<StationEntry>, IntakeError> {
        Storage::stations(self)
    }
    fn approve_station(&self, station_id: &str, now: OffsetDateTime) -> Result<StationEntry, IntakeError> {
        Storage::approve_station(self, station_id, now)
    }
    fn revoke_station(&self, station_id: &str, now: OffsetDateTime) -> Result<StationEntry, IntakeError> {
        Storage::revoke_station(self, station_id, now)
    }
    fn issue_enrollment_code(
        &self,
        now: OffsetDateTime,
        valid_for: time::Duration,
    ) -> Result<EnrollmentCode, IntakeError> {
        Storage::issue_enrollment_code(self, now, valid_for)
    }
}
