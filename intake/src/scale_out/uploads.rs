//! Uploads and packets in the scale-out backend: the rows in PostgreSQL, the bytes in the object
//! store, in the order the module docs of `scale_out` give (a chunk's object before its row, a
//! packet's object before its row, objects deleted after the rows that named them).

use enroll_packet::SignedReceipt;
use time::OffsetDateTime;
use tokio_postgres::Row;

use enroll_packet::time::rfc3339;

use super::{database_error, to_i64, to_u64, ScaleOutStorage};
use crate::storage::{AcceptOutcome, UploadRecord, UploadState};
use crate::storage_backend::WrittenChunk;
use crate::tus_headers::DeclaredUpload;
use crate::IntakeError;

const UPLOAD_COLUMNS: &str = "upload_id, registration_id, station_id, sha256, upload_length, upload_offset, metadata, \
                              expires_at, state, created_by";

fn upload_from_row(row: &Row) -> Result<UploadRecord, IntakeError> {
    let state: String = row.get(8);
    Ok(UploadRecord {
        upload_id: row.get(0),
        declared: DeclaredUpload {
            registration_id: row.get(1),
            station_id: row.get(2),
            sha256: row.get(3),
        },
        length: to_u64(row.get(4))?,
        offset: to_u64(row.get(5))?,
        metadata: row.get(6),
        expires_at: OffsetDateTime::from_unix_timestamp(row.get(7))
            .map_err(|_| IntakeError::Internal("an upload's expiry in the database is out of range".to_owned()))?,
        state: match state.as_str() {
            "receiving" => UploadState::Receiving,
            "complete" => UploadState::Complete,
            "expired" => UploadState::Expired,
            other => {
                return Err(IntakeError::Internal(format!(
                    "unknown upload state '{other}' in the database"
                )))
            }
        },
        created_by: row.get(9),
    })
}

fn parse_receipt(text: &str) -> Result<SignedReceipt, IntakeError> {
    serde_json::from_str(text)
        .map_err(|error| IntakeError::Internal(format!("a stored receipt is not valid JSON: {error}")))
}

impl ScaleOutStorage {
    pub(super) async fn create_upload_async(
        &self,
        upload: &UploadRecord,
        now: OffsetDateTime,
    ) -> Result<(), IntakeError> {
        let client = self.database.get().await?;
        client
            .execute(
                "INSERT INTO uploads (upload_id, registration_id, station_id, sha256, upload_length, upload_offset,
                                      metadata, created_at, expires_at, state, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'receiving', $10)",
                &[
                    &upload.upload_id,
                    &upload.declared.registration_id,
                    &upload.declared.station_id,
                    &upload.declared.sha256,
                    &to_i64(upload.length)?,
                    &to_i64(upload.offset)?,
                    &upload.metadata,
                    &rfc3339(now),
                    &upload.expires_at.unix_timestamp(),
                    &upload.created_by,
                ],
            )
            .await
            .map_err(database_error)?;
        Ok(())
    }

    pub(super) async fn upload_async(&self, upload_id: &str) -> Result<Option<UploadRecord>, IntakeError> {
        let client = self.database.get().await?;
        let row = client
            .query_opt(
                &format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE upload_id = $1"),
                &[&upload_id],
            )
            .await
            .map_err(database_error)?;
        row.as_ref().map(upload_from_row).transpose()
    }

    pub(super) async fn expire_upload_async(&self, upload_id: &str) -> Result<(), IntakeError> {
        {
            let mut client = self.database.get().await?;
            let transaction = client.transaction().await.map_err(database_error)?;
            transaction
                .execute(
                    "UPDATE uploads SET state = 'expired' WHERE upload_id = $1 AND state = 'receiving'",
                    &[&upload_id],
                )
                .await
                .map_err(database_error)?;
            transaction
                .execute("DELETE FROM upload_chunks WHERE upload_id = $1", &[&upload_id])
                .await
                .map_err(database_error)?;
            transaction.commit().await.map_err(database_error)?;
        }
        self.objects.delete_upload_objects(upload_id).await
    }

    pub(super) async fn expire_due_uploads_async(&self, now: OffsetDateTime) -> Result<usize, IntakeError> {
        let due: Vec<String> = {
            let client = self.database.get().await?;
            client
                .query(
                    "SELECT upload_id FROM uploads WHERE state = 'receiving' AND expires_at <= $1",
                    &[&now.unix_timestamp()],
                )
                .await
                .map_err(database_error)?
                .iter()
                .map(|row| row.get(0))
                .collect()
        };
        for upload_id in &due {
            self.expire_upload_async(upload_id).await?;
        }
        Ok(due.len())
    }

    pub(super) async fn delete_upload_async(&self, upload_id: &str) -> Result<(), IntakeError> {
        {
            let client = self.database.get().await?;
            client
                .execute("DELETE FROM uploads WHERE upload_id = $1", &[&upload_id])
                .await
                .map_err(database_error)?;
        }
        self.objects.delete_upload_objects(upload_id).await
    }

    /// Counts `chunk` if the upload is still where the chunk began; see the module docs of
    /// `scale_out` (two writers).
    pub(super) async fn record_chunk_async(&self, upload_id: &str, chunk: WrittenChunk) -> Result<(), IntakeError> {
        let key = chunk
            .object_key
            .clone()
            .ok_or_else(|| IntakeError::Internal("a chunk without its object".to_owned()))?;
        let current = {
            let mut client = self.database.get().await?;
            let transaction = client.transaction().await.map_err(database_error)?;
            let moved = transaction
                .execute(
                    "UPDATE uploads SET upload_offset = $3
                     WHERE upload_id = $1 AND upload_offset = $2 AND state = 'receiving'",
                    &[&upload_id, &to_i64(chunk.start)?, &to_i64(chunk.end())?],
                )
                .await
                .map_err(database_error)?;
            if moved == 1 {
                transaction
                    .execute(
                        "INSERT INTO upload_chunks (upload_id, start_offset, length, object_key) VALUES ($1, $2, $3, $4)",
                        &[&upload_id, &to_i64(chunk.start)?, &to_i64(chunk.length)?, &key],
                    )
                    .await
                    .map_err(database_error)?;
                transaction.commit().await.map_err(database_error)?;
                return Ok(());
            }
            let row = transaction
                .query_opt("SELECT upload_offset FROM uploads WHERE upload_id = $1", &[&upload_id])
                .await
                .map_err(database_error)?;
            row.map(|row| to_u64(row.get(0))).transpose()?
        };
        // Another writer (in this process or another) moved the upload on, or it ended: this
        // chunk is not counted and its object goes.
        self.objects.delete_chunk(Some(&key)).await?;
        tracing::info!(
            upload_id,
            start = chunk.start,
            "a chunk lost the race for its offset and was dropped"
        );
        match current {
            Some(expected) => Err(IntakeError::OffsetMismatch {
                expected,
                got: chunk.start,
            }),
            None => Err(IntakeError::UploadNotFound),
        }
    }

    /// The counted chunks, in order, joined; checked to cover the upload without gap or overlap.
    pub(super) async fn read_part_async(&self, upload_id: &str) -> Result<Vec<u8>, IntakeError> {
        let (length, chunks) = {
            let client = self.database.get().await?;
            let length: i64 = client
                .query_one("SELECT upload_length FROM uploads WHERE upload_id = $1", &[&upload_id])
                .await
                .map_err(database_error)?
                .get(0);
            let chunks: Vec<(i64, i64, String)> = client
                .query(
                    "SELECT start_offset, length, object_key FROM upload_chunks WHERE upload_id = $1 ORDER BY start_offset",
                    &[&upload_id],
                )
                .await
                .map_err(database_error)?
                .iter()
                .map(|row| (row.get(0), row.get(1), row.get(2)))
                .collect();
            (to_u64(length)?, chunks)
        };
        let mut envelope = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        for (start, chunk_length, key) in chunks {
            if to_u64(start)? != envelope.len() as u64 {
                return Err(IntakeError::Internal(format!(
                    "upload {upload_id}: a chunk starts at {start} where {} bytes are held",
                    envelope.len()
                )));
            }
            let bytes = self.objects.get(&key).await?;
            if bytes.len() as u64 != to_u64(chunk_length)? {
                return Err(IntakeError::Internal(format!(
                    "upload {upload_id}: the object {key} has {} bytes, its row says {chunk_length}",
                    bytes.len()
                )));
            }
            envelope.extend_from_slice(&bytes);
        }
        if envelope.len() as u64 != length {
            return Err(IntakeError::Internal(format!(
                "upload {upload_id}: its chunks hold {} of {length} bytes",
                envelope.len()
            )));
        }
        Ok(envelope)
    }

    pub(super) async fn packet_receipt_async(
        &self,
        registration_id: &str,
    ) -> Result<Option<SignedReceipt>, IntakeError> {
        let client = self.database.get().await?;
        let row = client
            .query_opt(
                "SELECT signed_receipt FROM packets WHERE registration_id = $1",
                &[&registration_id],
            )
            .await
            .map_err(database_error)?;
        row.map(|row| parse_receipt(row.get(0))).transpose()
    }

    /// The held packet for a registration: its SHA-256 and receipt.
    async fn held_packet(&self, registration_id: &str) -> Result<Option<(String, String)>, IntakeError> {
        let client = self.database.get().await?;
        let row = client
            .query_opt(
                "SELECT envelope_sha256, signed_receipt FROM packets WHERE registration_id = $1",
                &[&registration_id],
            )
            .await
            .map_err(database_error)?;
        Ok(row.map(|row| (row.get(0), row.get(1))))
    }

    /// What to answer when the register holds a packet for the registration already, and the
    /// upload's fate: complete when the bytes are the same, discarded when not.
    async fn answer_held(
        &self,
        declared: &DeclaredUpload,
        upload: Option<&UploadRecord>,
        held_sha256: &str,
        held_receipt: &str,
    ) -> Result<AcceptOutcome, IntakeError> {
        if held_sha256 != declared.sha256 {
            if let Some(upload) = upload {
                self.delete_upload_async(&upload.upload_id).await?;
            }
            return Ok(AcceptOutcome::DifferentPacketHeld);
        }
        if let Some(upload) = upload {
            self.mark_complete(&upload.upload_id).await?;
        }
        Ok(AcceptOutcome::AlreadyHeld(parse_receipt(held_receipt)?))
    }

    async fn mark_complete(&self, upload_id: &str) -> Result<(), IntakeError> {
        {
            let mut client = self.database.get().await?;
            let transaction = client.transaction().await.map_err(database_error)?;
            complete_upload_rows(&transaction, upload_id).await?;
            transaction.commit().await.map_err(database_error)?;
        }
        self.delete_objects_after_commit(upload_id).await;
        Ok(())
    }

    /// The objects of a completed upload: their rows are gone, so a failure here leaves only
    /// unread objects, logged rather than failing the packet that is stored.
    async fn delete_objects_after_commit(&self, upload_id: &str) {
        if let Err(error) = self.objects.delete_upload_objects(upload_id).await {
            tracing::warn!(upload_id, %error, "the chunks of a completed upload could not be deleted");
        }
    }

    /// Stores a verified packet unless one is held for its registration (see the module docs
    /// of `scale_out`: durability, and two processes completing the same registration).
    pub(super) async fn accept_async(
        &self,
        declared: &DeclaredUpload,
        upload: Option<&UploadRecord>,
        envelope: &[u8],
        receipt: SignedReceipt,
    ) -> Result<AcceptOutcome, IntakeError> {
        if let Some((held_sha256, held_receipt)) = self.held_packet(&declared.registration_id).await? {
            return self.answer_held(declared, upload, &held_sha256, &held_receipt).await;
        }

        // Bytes first, row second.
        self.objects.put_packet(&declared.sha256, envelope).await?;

        let receipt_json = serde_json::to_string(&receipt)
            .map_err(|error| IntakeError::Internal(format!("a receipt could not be serialised: {error}")))?;
        let inserted = {
            let mut client = self.database.get().await?;
            let transaction = client.transaction().await.map_err(database_error)?;
            let inserted = transaction
                .execute(
                    "INSERT INTO packets (registration_id, station_id, envelope_sha256, envelope_length, received_at,
                                          intake_reference, signed_receipt)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (registration_id) DO NOTHING",
                    &[
                        &declared.registration_id,
                        &declared.station_id,
                        &declared.sha256,
                        &to_i64(envelope.len() as u64)?,
                        &receipt.receipt.received_at,
                        &receipt.receipt.intake_reference,
                        &receipt_json,
                    ],
                )
                .await
                .map_err(database_error)?;
            if inserted == 1 {
                if let Some(upload) = upload {
                    complete_upload_rows(&transaction, &upload.upload_id).await?;
                }
                transaction.commit().await.map_err(database_error)?;
            }
            inserted == 1
        };
        if inserted {
            if let Some(upload) = upload {
                self.delete_objects_after_commit(&upload.upload_id).await;
            }
            return Ok(AcceptOutcome::Stored);
        }

        // Another process stored this registration between the check and the insert.
        let (held_sha256, held_receipt) = self
            .held_packet(&declared.registration_id)
            .await?
            .ok_or_else(|| IntakeError::Internal("a packet row vanished while it was being stored".to_owned()))?;
        if held_sha256 != declared.sha256 {
            self.drop_unnamed_packet_object(&declared.sha256).await;
        }
        self.answer_held(declared, upload, &held_sha256, &held_receipt).await
    }

    /// The object just put for a packet the register refused, unless a row names it.
    async fn drop_unnamed_packet_object(&self, sha256: &str) {
        let named = match self.database.get().await {
            Ok(client) => client
                .query_opt("SELECT 1 FROM packets WHERE envelope_sha256 = $1 LIMIT 1", &[&sha256])
                .await
                .map(|row| row.is_some()),
            Err(_) => return,
        };
        if let Ok(false) = named {
            if let Err(error) = self.objects.delete_packet(sha256).await {
                tracing::warn!(sha256, %error, "an object of a refused packet could not be deleted");
            }
        }
    }
}

/// The upload's rows once its packet is held: complete, at its length, no chunks.
async fn complete_upload_rows(
    transaction: &tokio_postgres::Transaction<'_>,
    upload_id: &str,
) -> Result<(), IntakeError> {
    transaction
        .execute(
            "UPDATE uploads SET state = 'complete', upload_offset = upload_length WHERE upload_id = $1",
            &[&upload_id],
        )
        .await
        .map_err(database_error)?;
    transaction
        .execute("DELETE FROM upload_chunks WHERE upload_id = $1", &[&upload_id])
        .await
        .map_err(database_error)?;
    Ok(())
}
