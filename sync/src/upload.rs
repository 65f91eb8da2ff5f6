//! The resumable upload of one sealed packet over tus 1.0.0.
//!
//! The algorithm:
//! 1. If the station kept an upload URL from an earlier try, `HEAD` it. It is resumed only if
//!    the intake still has it, on the same intake, for the same length and the same SHA-256;
//!    otherwise (gone, expired, another packet's URL) a new upload is created. An intake that
//!    answers busy or failing (`423`, `429`, `5xx`) fails this try instead: what it holds is
//!    kept for the next.
//! 2. Send the rest in `PATCH` chunks, each with `Upload-Checksum`, sized to take a few
//!    seconds on this link (`crate::chunking`): smaller after a failure, larger while they go
//!    through fast, up to 1 MiB.
//! 3. A chunk that fails in a way that may pass on its own (connection lost, `460` checksum
//!    mismatch, `409` offset conflict, `423` locked, `429`, `5xx`) is retried a few times after
//!    a pause drawn by the client's [`crate::RetryPolicy`] (exponential, jittered, and never
//!    shorter than the intake's `Retry-After`); before each retry a `HEAD` learns what the
//!    intake actually kept, since the answer to a chunk that did arrive can be lost on the way
//!    back.
//! 4. If the upload vanishes mid-way (`404`/`410`: expired, or discarded after a rejection
//!    whose answer was lost) it starts once more from zero, so a rejection is reported with
//!    its reason instead of as "gone".
//! 5. The upload is done only when a `PATCH` answer says the offset reached the length: that
//!    answer comes after the intake verified and stored the packet. If the station only learns
//!    from `HEAD` that all bytes arrived, it sends an empty `PATCH` at the end offset to get
//!    that answer.
//!
//! Deliberately absent: retrying the creation `POST` (a lost answer would leave an orphan
//! upload; the station's queue tries the whole packet again later) and parallel chunks (tus
//! `concatenation`), which a single field link gains nothing from.

use reqwest::{StatusCode, Url};

use crate::client::{read_error_body, Subject};
use crate::source::EnvelopeSource;
use crate::tus::*;
use crate::{IntakeClient, SyncError};

/// How a failed request of the chunk loop is handled.
enum Failure {
    /// May pass if tried again after a pause.
    Transient(SyncError),
    /// The intake no longer knows the upload (`404` / `410`).
    Gone,
    /// Trying again cannot help.
    Final(SyncError),
}

impl IntakeClient {
    /// Uploads `envelope` (resuming `resume_url` when the intake still has it) and returns the
    /// absolute upload URL. `progress(sent, total)` is called as the offset advances. The
    /// returned URL is where [`IntakeClient::fetch_receipt`] finds the receipt. The envelope is
    /// read a chunk at a time, never held whole.
    #[tracing::instrument(skip(self, envelope, progress), fields(bytes = envelope.len()), err)]
    pub async fn upload(
        &self,
        registration_id: &str,
        station_id: &str,
        envelope: &dyn EnvelopeSource,
        resume_url: Option<&str>,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<String, SyncError> {
        let sha256 = envelope.sha256_hex()?;
        self.upload_with_sha256(registration_id, station_id, envelope, &sha256, resume_url, progress)
            .await
    }

    /// [`IntakeClient::upload`] of an envelope whose SHA-256 (lower-case hex) is known.
    pub(crate) async fn upload_with_sha256(
        &self,
        registration_id: &str,
        station_id: &str,
        envelope: &dyn EnvelopeSource,
        sha256: &str,
        resume_url: Option<&str>,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<String, SyncError> {
        let total = envelope.len();
        let sha256 = sha256.to_owned();
        let subject = Subject {
            registration_id,
            station_id,
        };

        let resumed = match resume_url {
            Some(url) => self.resume_point(url, total, &sha256).await?,
            None => None,
        };
        let (mut url, start) = match resumed {
            Some((url, offset)) => {
                tracing::info!(%url, offset, "resuming upload");
                (url, offset)
            }
            None => (self.post_upload(subject, total, &sha256).await?, 0),
        };
        progress(start, total);

        // `None` means: ask the intake with HEAD before sending anything more.
        let mut known_offset = Some(start);
        let mut failures: u32 = 0;
        let mut chunking = *self.chunking.lock().unwrap_or_else(|p| p.into_inner());
        let mut restarted = false;
        loop {
            let attempt = match known_offset {
                None => self
                    .head_offset(&url, total, subject)
                    .await
                    .map(|offset| (offset, false)),
                Some(offset) => {
                    let len = chunking.next_for(total - offset);
                    // The chunk is read from the source as it is sent, a piece at a time (and
                    // once before, for its checksum): never held whole. A source that cannot be
                    // read stops the upload (nothing but the envelope's bytes is sent).
                    let started = std::time::Instant::now();
                    let sent = self.patch_chunk(&url, offset, len, envelope, subject).await;
                    match &sent {
                        Ok(_) => chunking.went_through(len, started.elapsed()),
                        Err(Failure::Final(_)) => {}
                        Err(_) => chunking.failed(),
                    }
                    sent.map(|offset| (offset, true))
                }
            };
            let failure = match attempt {
                Ok((offset, from_patch)) => {
                    failures = 0;
                    known_offset = Some(offset);
                    progress(offset, total);
                    if from_patch && offset == total {
                        // What this upload learned of the link starts the next one.
                        *self.chunking.lock().unwrap_or_else(|p| p.into_inner()) = chunking;
                        return Ok(url);
                    }
                    continue;
                }
                Err(failure) => failure,
            };
            match failure {
                Failure::Gone if !restarted => {
                    tracing::warn!(%url, "the upload vanished on the intake; starting once more from zero");
                    restarted = true;
                    url = self.post_upload(subject, total, &sha256).await?;
                    known_offset = Some(0);
                    progress(0, total);
                }
                Failure::Gone => return Err(SyncError::UploadGone),
                Failure::Final(error) => return Err(error),
                Failure::Transient(error) => {
                    failures += 1;
                    if failures >= self.chunk_attempts {
                        return Err(error);
                    }
                    let pause = self.retry.delay_now(failures, error.retry_after());
                    tracing::info!(%error, failures, ?pause, "chunk failed; retrying after a pause");
                    tokio::time::sleep(pause).await;
                    known_offset = None;
                }
            }
        }
    }

    /// `POST /v1/uploads` only: creates an upload for `envelope` and returns its absolute URL,
    /// without sending any bytes.
    ///
    /// A station that wants to resume after a crash or power cut (not only after an error it
    /// saw) persists this URL first and then calls [`IntakeClient::upload`] or
    /// [`IntakeClient::send_packet`] with it as `resume_url`: an upload URL that exists only in
    /// memory dies with the process.
    #[tracing::instrument(skip(self, envelope), fields(bytes = envelope.len()), err)]
    pub async fn create_upload(
        &self,
        registration_id: &str,
        station_id: &str,
        envelope: &dyn EnvelopeSource,
    ) -> Result<String, SyncError> {
        let subject = Subject {
            registration_id,
            station_id,
        };
        self.post_upload(subject, envelope.len(), &envelope.sha256_hex()?).await
    }

    /// `POST /v1/uploads`: a new upload for this packet; returns its absolute URL.
    async fn post_upload(&self, subject: Subject<'_>, total: u64, sha256: &str) -> Result<String, SyncError> {
        let endpoint = self.endpoint("v1/uploads")?;
        let response = self
            .send(
                self.http
                    .post(endpoint.clone())
                    .header(TUS_RESUMABLE, TUS_VERSION)
                    .header(UPLOAD_LENGTH, total.to_string())
                    .header(
                        UPLOAD_METADATA,
                        upload_metadata(subject.registration_id, subject.station_id, sha256),
                    ),
            )
            .await?;
        let status = response.status();
        if status != StatusCode::CREATED {
            let body = read_error_body(response).await;
            return Err(self.status_error("POST", &endpoint, status, body, subject));
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| SyncError::Protocol(format!("POST {endpoint} answered 201 without a Location")))?;
        let url = self.resolve(location)?;
        tracing::info!(%url, total, "upload created");
        Ok(url.to_string())
    }

    /// Whether `resume_url` can be continued: `Some((absolute url, offset))`, or `None` when a
    /// new upload is needed. Fails only when the intake cannot be reached at all.
    async fn resume_point(
        &self,
        resume_url: &str,
        total: u64,
        sha256: &str,
    ) -> Result<Option<(String, u64)>, SyncError> {
        let Ok(url) = self.resolve(resume_url) else {
            tracing::warn!(resume_url, "the kept upload URL is not usable; starting a new upload");
            return Ok(None);
        };
        if url.origin() != self.base.origin() {
            // A URL kept from another intake address: never send the packet there.
            tracing::warn!(%url, "the kept upload URL is on another server; starting a new upload");
            return Ok(None);
        }
        let response = self
            .send(self.http.head(url.clone()).header(TUS_RESUMABLE, TUS_VERSION))
            .await?;
        let status = response.status();
        if matches!(status.as_u16(), 423 | 429 | 500..=599) {
            // The intake is busy or failing, not done with the upload: starting a new one would
            // throw away what it holds. This try fails; the queue tries again later.
            let body = read_error_body(response).await;
            return Err(SyncError::IntakeFailed {
                status: status.as_u16(),
                message: body.message,
                retry_after: body.retry_after,
            });
        }
        if status != StatusCode::OK {
            tracing::info!(%url, %status, "the kept upload cannot be resumed; starting a new upload");
            return Ok(None);
        }
        let headers = response.headers();
        let length = byte_count(headers, UPLOAD_LENGTH);
        let offset = byte_count(headers, UPLOAD_OFFSET);
        let declared_sha256 = headers
            .get(UPLOAD_METADATA)
            .and_then(|value| value.to_str().ok())
            .and_then(|metadata| metadata_value(metadata, "sha256"));
        match (length, offset) {
            (Some(length), Some(offset))
                if length == total
                    && offset <= total
                    && declared_sha256.as_deref().is_none_or(|declared| declared == sha256) =>
            {
                Ok(Some((url.to_string(), offset)))
            }
            _ => {
                tracing::warn!(%url, "the kept upload belongs to other bytes; starting a new upload");
                Ok(None)
            }
        }
    }

    /// `HEAD` during the chunk loop: the offset the intake has actually kept.
    async fn head_offset(&self, url: &str, total: u64, subject: Subject<'_>) -> Result<u64, Failure> {
        let url = self.resolve(url).map_err(Failure::Final)?;
        let response = match self
            .send(self.http.head(url.clone()).header(TUS_RESUMABLE, TUS_VERSION))
            .await
        {
            Ok(response) => response,
            Err(error) => return Err(Failure::Transient(error)),
        };
        if response.status() != StatusCode::OK {
            return Err(self.classify(response, "HEAD", &url, subject).await);
        }
        let headers = response.headers();
        match (byte_count(headers, UPLOAD_LENGTH), byte_count(headers, UPLOAD_OFFSET)) {
            (Some(length), Some(offset)) if length == total && offset <= total => Ok(offset),
            _ => Err(Failure::Final(SyncError::Protocol(format!(
                "HEAD {url} answered an offset or length that does not fit this packet of {total} bytes"
            )))),
        }
    }

    /// One `PATCH` of `len` bytes of `envelope` from `offset`, with its checksum; returns the
    /// new offset. The body is read from the source while it is sent, through a channel of a
    /// few pieces: the chunk never sits in memory whole, so its size is the link's business.
    async fn patch_chunk(
        &self,
        url: &str,
        offset: u64,
        len: u64,
        envelope: &dyn EnvelopeSource,
        subject: Subject<'_>,
    ) -> Result<u64, Failure> {
        let url = self.resolve(url).map_err(Failure::Final)?;
        let checksum = streamed_chunk_checksum(envelope, offset, len).map_err(Failure::Final)?;
        let (pieces_out, pieces_in) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
        let body = reqwest::Body::wrap_stream(futures_util::stream::unfold(pieces_in, |mut pieces| async move {
            pieces.recv().await.map(|piece| (piece, pieces))
        }));
        let request = self.send(
            self.http
                .patch(url.clone())
                .header(TUS_RESUMABLE, TUS_VERSION)
                .header(UPLOAD_OFFSET, offset.to_string())
                .header(reqwest::header::CONTENT_TYPE, OFFSET_OCTET_STREAM)
                .header(reqwest::header::CONTENT_LENGTH, len.to_string())
                .header(UPLOAD_CHECKSUM, checksum)
                .body(body),
        );
        let read_pieces = async move {
            for (start, piece_len) in pieces(offset, len) {
                let piece = envelope.read_at(start, piece_len)?;
                // The request ended (cut, refused): it reads no more.
                if pieces_out.send(Ok(piece)).await.is_err() {
                    break;
                }
            }
            Ok::<(), SyncError>(())
        };
        let (sent, read) = tokio::join!(request, read_pieces);
        // A source that failed mid-chunk cut the body short; that, not the cut, is the news.
        read.map_err(Failure::Final)?;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return Err(Failure::Transient(error)),
        };
        if response.status() != StatusCode::NO_CONTENT {
            return Err(self.classify(response, "PATCH", &url, subject).await);
        }
        let end = offset + len;
        match byte_count(response.headers(), UPLOAD_OFFSET) {
            Some(new_offset) if new_offset == end => Ok(new_offset),
            other => Err(Failure::Final(SyncError::Protocol(format!(
                "PATCH {url} at offset {offset} with {len} bytes answered Upload-Offset {other:?}, expected {end}"
            )))),
        }
    }

    /// Sorts an error answer of the chunk loop into retry, restart or give up.
    async fn classify(&self, response: reqwest::Response, method: &str, url: &Url, subject: Subject<'_>) -> Failure {
        let status = response.status();
        let body = read_error_body(response).await;
        match status.as_u16() {
            404 | 410 => Failure::Gone,
            409 => Failure::Transient(SyncError::Protocol(format!(
                "{method} {url}: the intake's offset differs from the station's ({})",
                body.message
            ))),
            460 => Failure::Transient(SyncError::ChecksumMismatch),
            // The station's clock was off; the signer has the intake's time from this answer
            // now, and the chunk signed again passes.
            401 if body.code == "signature_expired" => {
                Failure::Transient(self.status_error(method, url, status, body, subject))
            }
            423 | 429 | 500..=599 => Failure::Transient(SyncError::IntakeFailed {
                status: status.as_u16(),
                message: body.message,
                retry_after: body.retry_after,
            }),
            _ => Failure::Final(self.status_error(method, url, status, body, subject)),
        }
    }
}
