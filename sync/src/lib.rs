//! The station's side of the intake API (`schemas/intake-api.md`): pin the register's keys,
//! register the station, upload sealed packets over tus 1.0.0, and believe a receipt only
//! after it verifies.
//!
//! Code map:
//! - `client`: [`IntakeClient`], the simple calls and the one-call [`IntakeClient::send_packet`];
//! - `upload`: the resumable, checksummed, retrying upload of one packet;
//! - `chunking`: the size of each `PATCH`, adapted to the link;
//! - `backoff`: [`RetryPolicy`] (exponential backoff with full jitter) and `Retry-After`;
//! - `receipt`: [`verify_receipt`], the checks a receipt must pass;
//! - `signing`: every request after onboarding signed with the station's request key (RFC
//!   9421), with the intake's clock;
//! - `source`: [`EnvelopeSource`], where an upload's bytes come from ([`EnvelopeFile`]: the
//!   envelope's file, read a chunk at a time);
//! - `tus`: wire details (header names, metadata, checksums);
//! - `error`: [`SyncError`] and its stable codes.
//!
//! Resuming: [`IntakeClient::upload`] and [`IntakeClient::send_packet`] take the upload URL of
//! an earlier try. To survive a crash or a power cut mid-upload, a station calls
//! [`IntakeClient::create_upload`] first, persists the URL, then sends with it.
//!
//! Invariants: nothing here deletes or marks a packet; the caller does, and only with a
//! receipt returned by [`IntakeClient::send_packet`] (already verified against the pinned key).
//! A packet leaves the station only as the sealed bytes it was given.
//!
//! Deliberately absent for now: status and configuration down-sync, register key rotation;
//! export/import on removable media (the folder is `enroll_packet::exchange_media`, the station
//! relays with [`IntakeClient::send_packet`]); the station's queue (what to send when) lives in
//! the store, not here.

mod backoff;
mod chunking;
mod client;
mod error;
mod receipt;
mod signing;
mod source;
mod tus;
mod upload;

pub use backoff::{parse_retry_after, RetryPolicy, MAX_RETRY_AFTER};
pub use chunking::{FIRST_CHUNK, MAX_CHUNK, MIN_CHUNK, TARGET_CHUNK_TIME};
pub use client::{parse_error_body, MAX_ERROR_MESSAGE, MAX_PLAIN_ERROR_MESSAGE};
pub use client::{
    ConfigDelta, IntakeClient, RegisterPacketStatus, RegisterStatus, StationRegistration, DEFAULT_CHUNK_ATTEMPTS,
    DEFAULT_RETRY_CAP, DEFAULT_RETRY_DELAY,
};
pub use error::{FailureScope, SyncError};
pub use receipt::verify_receipt;
/// The URL type of the intake address, for callers that check an address before using it.
pub use reqwest::Url;
pub use source::{EnvelopeFile, EnvelopeSource};
/// The readers of the intake's tus answers (`Upload-Offset`, `Upload-Length`, `Upload-Metadata`
/// of a `HEAD`) and the metadata writer they read back, public without HTTP so the fuzz targets
/// and tests call exactly what the upload does.
pub use tus::{byte_count, metadata_value, upload_metadata};
