//! Registrations through their life:
//!
//! ```text
//! draft ──finalize──► pending_approval ──approve──► sealed ───upload──► uploaded ──receipt──► acknowledged
//!   │                        │                                  ▲                                │
//!   │                        └──reject──► rejected ───upload────┘                                │
//!   └─discard──► purged ◄──────────────────────────────────────────purge (after retention)───────┘
//! ```
//! A rejected packet is sealed like an approved one, with the decision and its reason inside,
//! and goes to the register too: the register keeps the record of who was turned away and why.
//! From `uploaded` on, `rejected_by` (or `approved_by`) tells the two apart. Nothing is purged
//! before the register has acknowledged it.
//! Self-loops: `update_draft` (draft), `record_upload_url` (sealed, rejected).
//! `record_upload_error` notes a failure without moving. Every other (state, action) pair is
//! refused with `invalid_state` and changes nothing.
//! Every move reads the registration's state and updates its row in one transaction, together
//! with its audit event, so a move from the wrong state changes nothing and says which state
//! the registration is in. The event's details say `<from> → <to>` and what the move did (the
//! decision, the envelope's size and SHA-256, the receipt's SHA-256), never resident data.
//! The readable content exists only in draft (in the row, under the registration's own content
//! key, which the row keeps wrapped under the data key from the draft's creation on) and
//! pending approval: the packet the caller sealed at finalize, in its envelope file (see
//! [`crate::blobs`]), readable with the key the row keeps wrapped in place of the draft's until
//! the review appends itself and erases it in the same transaction. (Rows finalized before that
//! form keep the container in a content file under the draft's key, until the review replaces
//! it with the envelope.) Erasing a key is what erases every earlier version of the draft (in
//! WAL frames, in free pages): moves
//! that drop such ciphertext skip `secure_delete`'s zeroing, which would write megabytes again
//! to protect what the erased key already protects. `purged` is a tombstone: the row (id, who, when, receipt) stays,
//! every byte of resident data is gone.
//!
//! Deliberately absent: retention arithmetic (the station decides when a packet is old
//! enough and calls [`Vault::purge`]), and who may make a move (roles live in `station`).

use rusqlite::types::Null;
use rusqlite::{params, OptionalExtension, ToSql};

use crate::audit::{self, NewAuditEvent};
use crate::blobs::{BlobKind, BlobStore};
use crate::crypto::NONCE_LEN;
use crate::draft_memo::{DraftMemo, DraftValue};
use crate::{DataKey, StoreError, Vault};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationState {
    Draft,
    PendingApproval,
    Sealed,
    Uploaded,
    Acknowledged,
    Purged,
    Rejected,
}

impl RegistrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationState::Draft => "draft",
            RegistrationState::PendingApproval => "pending_approval",
            RegistrationState::Sealed => "sealed",
            RegistrationState::Uploaded => "uploaded",
            RegistrationState::Acknowledged => "acknowledged",
            RegistrationState::Purged => "purged",
            RegistrationState::Rejected => "rejected",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<RegistrationState, StoreError> {
        Ok(match text {
            "draft" => RegistrationState::Draft,
            "pending_approval" => RegistrationState::PendingApproval,
            "sealed" => RegistrationState::Sealed,
            "uploaded" => RegistrationState::Uploaded,
            "acknowledged" => RegistrationState::Acknowledged,
            "purged" => RegistrationState::Purged,
            "rejected" => RegistrationState::Rejected,
            other => return Err(StoreError::Corrupt(format!("unknown registration state {other:?}"))),
        })
    }

    /// The station can still read the content.
    pub fn is_readable(self) -> bool {
        matches!(self, RegistrationState::Draft | RegistrationState::PendingApproval)
    }
}

/// A registration's row, without the content (see [`Vault::registration_content`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    pub registration_id: String,
    pub state: RegistrationState,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub approved_by: Option<String>,
    pub rejected_by: Option<String>,
    pub upload_url: Option<String>,
    pub receipt_json: Option<String>,
    pub last_error: Option<(String, String)>,
}

const ROW_COLUMNS: &str =
    "registration_id, state, created_by, created_at, updated_at, approved_by, upload_url, receipt_json, last_error_code, last_error_message, rejected_by";

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(RegistrationRow, String)> {
    let state: String = row.get(1)?;
    let code: Option<String> = row.get(8)?;
    let message: Option<String> = row.get(9)?;
    Ok((
        RegistrationRow {
            registration_id: row.get(0)?,
            state: RegistrationState::Draft, // replaced by the caller once the text is checked
            created_by: row.get(2)?,
            created_at: row.get(3)?,
            updated_at: row.get(4)?,
            approved_by: row.get(5)?,
            rejected_by: row.get(10)?,
            upload_url: row.get(6)?,
            receipt_json: row.get(7)?,
            last_error: code.zip(message),
        },
        state,
    ))
}

fn checked((mut row, state): (RegistrationRow, String)) -> Result<RegistrationRow, StoreError> {
    row.state = RegistrationState::parse(&state)?;
    Ok(row)
}

/// The states of a packet waiting to be sent: approved or rejected, sealed either way.
pub const QUEUED: [RegistrationState; 2] = [RegistrationState::Sealed, RegistrationState::Rejected];

fn reason_aad(registration_id: &str) -> String {
    format!("registrations/{registration_id}/decision_reason")
}

fn content_aad(registration_id: &str) -> String {
    format!("registrations/{registration_id}/content")
}

fn content_key_aad(registration_id: &str) -> String {
    format!("registrations/{registration_id}/content_key")
}

impl Vault {
    pub fn insert_draft(
        &mut self,
        registration_id: &str,
        created_by: &str,
        content: &[u8],
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        // The draft gets its own content key now, not at finalize: erasing that key erases
        // every version of the draft wherever SQLite left it (WAL frames, free pages), so no
        // move has to overwrite megabytes of ciphertext to get rid of it.
        let content_key = DataKey::generate();
        let wrapped_key = data_key.seal(content_key.as_bytes(), &content_key_aad(registration_id));
        let sealed = content_key.seal(content, &content_aad(registration_id));
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "INSERT INTO registrations
                 (registration_id, state, created_by, created_at, updated_at, content_sealed, content_key_sealed)
             VALUES (?1, 'draft', ?2, ?3, ?3, ?4, ?5)",
            params![registration_id, created_by, now, sealed, wrapped_key],
        )?;
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: Some(created_by),
                action: "registration_created",
                registration_id: Some(registration_id),
                details: "",
            },
        )?;
        transaction.commit()?;
        self.draft_memo = DraftMemo::new(registration_id, &sealed, content);
        Ok(())
    }

    pub fn registration(&self, registration_id: &str) -> Result<RegistrationRow, StoreError> {
        let row = self
            .connection
            .query_row(
                &format!("SELECT {ROW_COLUMNS} FROM registrations WHERE registration_id = ?1"),
                [registration_id],
                read_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("registration {registration_id}")))?;
        checked(row)
    }

    /// Every registration, newest change first.
    pub fn registrations(&self) -> Result<Vec<RegistrationRow>, StoreError> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM registrations ORDER BY updated_at DESC, registration_id DESC"
        ))?;
        let rows = statement.query_map([], read_row)?;
        rows.map(|row| checked(row?)).collect()
    }

    /// Registrations in `state`, oldest change first (the upload queue's order).
    pub fn registrations_in(&self, state: RegistrationState) -> Result<Vec<RegistrationRow>, StoreError> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM registrations WHERE state = ?1 ORDER BY updated_at, registration_id"
        ))?;
        let rows = statement.query_map([state.as_str()], read_row)?;
        rows.map(|row| checked(row?)).collect()
    }

    /// The readable content of a draft or pending registration: a draft's in its row, a
    /// pending registration's in its content file, each under the content key its row wraps
    /// (or, in a vault written before content keys, a draft's under the data key and a pending
    /// registration's in its row).
    pub fn registration_content(&self, registration_id: &str, data_key: &DataKey) -> Result<Vec<u8>, StoreError> {
        let row = self.registration(registration_id)?;
        // length() of a blob is read from the record's header, without its megabytes.
        let (rowid, inline_len, file, wrapped_key): (i64, Option<i64>, Option<String>, Option<Vec<u8>>) =
            self.connection.query_row(
                "SELECT rowid, length(content_sealed), content_file, content_key_sealed
                 FROM registrations WHERE registration_id = ?1",
                [registration_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        if inline_len.is_some() {
            if let Some(content) = self.memoized_draft(registration_id, rowid)? {
                return Ok(content);
            }
        }
        let inline: Option<Vec<u8>> = match inline_len {
            Some(_) => self.connection.query_row(
                "SELECT content_sealed FROM registrations WHERE rowid = ?1",
                [rowid],
                |r| r.get(0),
            )?,
            None => None,
        };
        let aad = content_aad(registration_id);
        match (inline, file, wrapped_key) {
            (None, Some(file), Some(_)) if BlobKind::Envelope.names(&file) => Err(StoreError::Corrupt(format!(
                "registration {registration_id} is pending as a sealed envelope, which only the packet's reader opens \
                 (see pending_envelope)"
            ))),
            (None, Some(file), Some(wrapped_key)) => {
                unwrap_content_key(data_key, &wrapped_key, registration_id)?.open(&self.blobs.read(&file)?, &aad)
            }
            (Some(inline), None, Some(wrapped_key)) => {
                unwrap_content_key(data_key, &wrapped_key, registration_id)?.open(&inline, &aad)
            }
            (Some(inline), None, None) => data_key.open(&inline, &aad),
            (None, None, _) => Err(StoreError::WrongState {
                registration_id: registration_id.to_string(),
                expected: "draft or pending_approval".into(),
                actual: row.state.as_str().into(),
            }),
            _ => Err(StoreError::Corrupt(format!(
                "registration {registration_id} names its content in two places, or a file without its key"
            ))),
        }
    }

    /// The draft's content from the memo of the last write, when the row still holds what that
    /// write stored (the nonce that starts its ciphertext says so).
    fn memoized_draft(&self, registration_id: &str, rowid: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let Some((memo, nonce)) = self.memo_with_stored_nonce(registration_id, rowid)? else {
            return Ok(None);
        };
        Ok(memo.content_if_current(&nonce).map(<[u8]>::to_vec))
    }

    /// The memo of `registration_id`'s draft and the nonce its row's ciphertext starts with.
    fn memo_with_stored_nonce(
        &self,
        registration_id: &str,
        rowid: i64,
    ) -> Result<Option<(&DraftMemo, [u8; NONCE_LEN])>, StoreError> {
        let Some(memo) = self
            .draft_memo
            .as_ref()
            .filter(|m| m.registration_id() == registration_id)
        else {
            return Ok(None);
        };
        let stored = self
            .connection
            .blob_open(rusqlite::MAIN_DB, c"registrations", c"content_sealed", rowid, true)?;
        let mut nonce = [0u8; NONCE_LEN];
        if stored.read_at_exact(&mut nonce, 0).is_err() {
            return Ok(None);
        }
        Ok(Some((memo, nonce)))
    }

    /// Keep `value`, what the caller made of the content it has just written for
    /// `registration_id` ([`Vault::insert_draft`], [`Vault::update_draft`]), beside the memo of
    /// that content; [`Vault::draft_value`] hands it out while the row holds that write and
    /// the session lasts. Nothing is kept when the last write was of another registration.
    pub fn keep_beside_draft(&mut self, registration_id: &str, value: DraftValue) {
        if let Some(memo) = self
            .draft_memo
            .as_mut()
            .filter(|m| m.registration_id() == registration_id)
        {
            memo.keep_value(value);
        }
    }

    /// The value kept with [`Vault::keep_beside_draft`] for `registration_id`'s draft, while
    /// its row still holds the write it was kept with.
    pub fn draft_value(&self, registration_id: &str) -> Result<Option<DraftValue>, StoreError> {
        if self
            .draft_memo
            .as_ref()
            .is_none_or(|m| m.registration_id() != registration_id)
        {
            return Ok(None);
        }
        let rowid: Option<i64> = self
            .connection
            .query_row(
                "SELECT rowid FROM registrations
                 WHERE registration_id = ?1 AND state = 'draft' AND content_sealed IS NOT NULL",
                [registration_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(rowid) = rowid else {
            return Ok(None);
        };
        Ok(self
            .memo_with_stored_nonce(registration_id, rowid)?
            .and_then(|(memo, nonce)| memo.value_if_current(&nonce)))
    }

    /// The content key a draft's row wraps; `None` for a draft written before drafts had one.
    fn draft_content_key(&self, registration_id: &str, data_key: &DataKey) -> Result<Option<DataKey>, StoreError> {
        let wrapped: Option<Vec<u8>> = self
            .connection
            .query_row(
                "SELECT content_key_sealed FROM registrations WHERE registration_id = ?1",
                [registration_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("registration {registration_id}")))?;
        wrapped
            .map(|wrapped| unwrap_content_key(data_key, &wrapped, registration_id))
            .transpose()
    }

    /// Run `change` with `secure_delete` off, for moves that drop ciphertext whose key is
    /// erased (now or by a later move): zeroing its freed pages would write it all again, into
    /// the WAL and then the database, to protect what the erased key already protects.
    fn without_zeroing<T>(
        &mut self,
        change: impl FnOnce(&mut Vault) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.connection.pragma_update(None, "secure_delete", false)?;
        let changed = change(self);
        let restored = self.connection.pragma_update(None, "secure_delete", true);
        let changed = changed?;
        restored?;
        Ok(changed)
    }

    /// Replace a draft's content (autosave).
    pub fn update_draft(
        &mut self,
        registration_id: &str,
        content: &[u8],
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        let aad = content_aad(registration_id);
        let update = |vault: &mut Vault, sealed: &Vec<u8>| {
            vault.move_registration(Move {
                registration_id,
                from: &[RegistrationState::Draft],
                to: RegistrationState::Draft,
                now,
                set: &[("content_sealed", sealed)],
                // Autosave runs every few seconds; the draft's creation and its end are audited.
                audit: None,
                trash: &[],
            })
        };
        let content_key = self.draft_content_key(registration_id, data_key)?;
        let sealed = content_key.as_ref().unwrap_or(data_key).seal(content, &aad);
        match content_key {
            // The version replaced is under the draft's key, which finalize or discard erases.
            Some(_) => self.without_zeroing(|vault| update(vault, &sealed))?,
            None => update(self, &sealed)?,
        }
        self.draft_memo = DraftMemo::new(registration_id, &sealed, content);
        Ok(())
    }

    /// draft → pending_approval, with the finalized content: written to its content file
    /// under a fresh content key, which the row keeps wrapped under the data key.
    ///
    /// The form of a pending registration before envelope version 2 (see
    /// [`Vault::finalize_sealed`], which the station uses now); vaults written then still hold
    /// such rows, and the tests of their approval make them with this.
    pub fn finalize(
        &mut self,
        registration_id: &str,
        content: &[u8],
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        // Checked before the file is written: the name is fixed, and only a draft's can be
        // overwritten (it belongs to no row, or to this draft's crashed finalize).
        self.expect_state(registration_id, &[RegistrationState::Draft])?;
        // The draft's key goes on to the pending content: approval erases it, and with it
        // every copy of the draft SQLite may still hold.
        let draft_key = self.draft_content_key(registration_id, data_key)?;
        let keyed_draft = draft_key.is_some();
        let content_key = draft_key.unwrap_or_else(DataKey::generate);
        let sealed = content_key.seal(content, &content_aad(registration_id));
        self.finalize_into_file(Finalized {
            registration_id,
            kind: BlobKind::Content,
            bytes: &sealed,
            reading_key: &content_key,
            keyed_draft,
            data_key,
            now,
        })
    }

    /// draft → pending_approval, with the packet already sealed for the register by the
    /// caller (envelope version 2, header and body): written to its file, which becomes the
    /// envelope file at review, with `reading_key` (the key that reads it, until the review
    /// erases it) wrapped under the data key. The draft's own key is erased here: nothing may
    /// read the draft once its packet exists.
    pub fn finalize_sealed(
        &mut self,
        registration_id: &str,
        pending_envelope: &[u8],
        reading_key: &[u8; 32],
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        self.expect_state(registration_id, &[RegistrationState::Draft])?;
        let keyed_draft = self.draft_content_key(registration_id, data_key)?.is_some();
        self.finalize_into_file(Finalized {
            registration_id,
            kind: BlobKind::Envelope,
            bytes: pending_envelope,
            reading_key: &DataKey::from_bytes(*reading_key),
            keyed_draft,
            data_key,
            now,
        })
    }

    fn finalize_into_file(&mut self, finalized: Finalized<'_>) -> Result<(), StoreError> {
        let Finalized {
            registration_id,
            kind,
            bytes,
            reading_key,
            keyed_draft,
            data_key,
            now,
        } = finalized;
        let wrapped_key = data_key.seal(reading_key.as_bytes(), &content_key_aad(registration_id));
        let file = BlobStore::name(registration_id, kind)?;
        self.blobs.write(&file, bytes)?;
        let finalize = |vault: &mut Vault| {
            vault.move_registration(Move {
                registration_id,
                from: &[RegistrationState::Draft],
                to: RegistrationState::PendingApproval,
                now,
                set: &[
                    ("content_sealed", &Null),
                    ("content_file", &file),
                    ("content_key_sealed", &wrapped_key),
                ],
                audit: Some(Audited {
                    action: "registration_finalized",
                    // The size of the ciphertext, which says how much was captured and nothing of
                    // what; no hash of it, which would only ever match a file about to be erased
                    // or completed.
                    details: format!("content file: {} bytes", bytes.len()),
                }),
                trash: &[],
            })
        };
        // A draft under the data key (written before drafts had their own key) is zeroed as
        // it goes: nothing erases the data key.
        let moved = if keyed_draft {
            self.without_zeroing(finalize)
        } else {
            finalize(self)
        };
        if moved.is_err() {
            let _ = self.blobs.remove(&file);
        }
        moved
    }

    /// pending_approval → sealed: store the envelope and erase the readable content, together.
    pub fn approve_and_seal(
        &mut self,
        registration_id: &str,
        envelope: &[u8],
        approved_by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        self.store_envelope(Sealing {
            registration_id,
            envelope: EnvelopeWrite::Whole(envelope),
            decision: Decision::Approved { by: approved_by },
            now,
        })
    }

    /// pending_approval → sealed, for a registration finalized with [`Vault::finalize_sealed`]:
    /// the review is appended to the pending envelope, which becomes the envelope to upload,
    /// and the key that reads it is erased, together.
    pub fn approve_appending(
        &mut self,
        registration_id: &str,
        review: AppendedReview<'_>,
        approved_by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        self.store_envelope(Sealing {
            registration_id,
            envelope: EnvelopeWrite::Appended(review),
            decision: Decision::Approved { by: approved_by },
            now,
        })
    }

    /// pending_approval → rejected, for a registration finalized with
    /// [`Vault::finalize_sealed`]: as [`Vault::approve_appending`], with the reason kept as
    /// [`Vault::reject_and_seal`] keeps it.
    pub fn reject_appending(
        &mut self,
        registration_id: &str,
        review: AppendedReview<'_>,
        rejected_by: &str,
        reason: &str,
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        let reason_sealed = data_key.seal(reason.as_bytes(), &reason_aad(registration_id));
        self.store_envelope(Sealing {
            registration_id,
            envelope: EnvelopeWrite::Appended(review),
            decision: Decision::Rejected {
                by: rejected_by,
                reason_sealed: &reason_sealed,
            },
            now,
        })
    }

    /// The pending envelope of a registration finalized with [`Vault::finalize_sealed`], and
    /// the key that reads it; `None` for a pending registration stored the earlier way (its
    /// content is [`Vault::registration_content`]).
    pub fn pending_envelope(
        &self,
        registration_id: &str,
        data_key: &DataKey,
    ) -> Result<Option<(Vec<u8>, PendingKey)>, StoreError> {
        let Some((file, key)) = self.pending_envelope_file(registration_id, data_key)? else {
            return Ok(None);
        };
        Ok(Some((self.blobs.read(&file)?, key)))
    }

    /// [`Vault::pending_envelope`] as an open file, for a reader that streams it (a review
    /// hashes it a block at a time rather than holding its megabytes).
    pub fn open_pending_envelope(
        &self,
        registration_id: &str,
        data_key: &DataKey,
    ) -> Result<Option<(std::fs::File, PendingKey)>, StoreError> {
        let Some((file, key)) = self.pending_envelope_file(registration_id, data_key)? else {
            return Ok(None);
        };
        Ok(Some((self.blobs.open(&file)?, key)))
    }

    /// The name of a pending envelope's file and the key that reads it.
    fn pending_envelope_file(
        &self,
        registration_id: &str,
        data_key: &DataKey,
    ) -> Result<Option<(String, PendingKey)>, StoreError> {
        self.expect_state(registration_id, &[RegistrationState::PendingApproval])?;
        let (file, wrapped_key): (Option<String>, Option<Vec<u8>>) = self.connection.query_row(
            "SELECT content_file, content_key_sealed FROM registrations WHERE registration_id = ?1",
            [registration_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (Some(file), Some(wrapped_key)) = (file, wrapped_key) else {
            return Ok(None);
        };
        if !BlobKind::Envelope.names(&file) {
            return Ok(None);
        }
        let key = unwrap_content_key(data_key, &wrapped_key, registration_id)?;
        Ok(Some((file, zeroize::Zeroizing::new(*key.as_bytes()))))
    }

    /// pending_approval → rejected: like approval, the packet is sealed (with the decision in
    /// it) and the readable copy erased in the same transaction; the reason is kept under the
    /// data key (it may name the resident), bound to this row.
    pub fn reject_and_seal(
        &mut self,
        registration_id: &str,
        envelope: &[u8],
        rejected_by: &str,
        reason: &str,
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        let reason_sealed = data_key.seal(reason.as_bytes(), &reason_aad(registration_id));
        self.store_envelope(Sealing {
            registration_id,
            envelope: EnvelopeWrite::Whole(envelope),
            decision: Decision::Rejected {
                by: rejected_by,
                reason_sealed: &reason_sealed,
            },
            now,
        })
    }

    /// The end of a review: write the envelope file, then in one transaction name it, erase the
    /// content key and let go of the content file; then delete the content file and fold the
    /// WAL back into the database, so the erased key does not linger in old WAL frames.
    fn store_envelope(&mut self, sealing: Sealing<'_>) -> Result<(), StoreError> {
        let Sealing {
            registration_id,
            envelope,
            decision,
            now,
        } = sealing;
        self.expect_state(registration_id, &[RegistrationState::PendingApproval])?;
        let content_file: Option<String> = self.connection.query_row(
            "SELECT content_file FROM registrations WHERE registration_id = ?1",
            [registration_id],
            |r| r.get(0),
        )?;
        let file = BlobStore::name(registration_id, BlobKind::Envelope)?;
        let pending_envelope = content_file.as_deref() == Some(file.as_str());
        let let_go: Vec<&str> = content_file
            .as_deref()
            .filter(|_| !pending_envelope)
            .into_iter()
            .collect();
        if pending_envelope != matches!(envelope, EnvelopeWrite::Appended(_)) {
            let (pending_as, stored_as) = if pending_envelope {
                ("a sealed envelope", "as a new envelope")
            } else {
                ("readable content", "by appending to an envelope")
            };
            return Err(StoreError::Corrupt(format!(
                "registration {registration_id} is pending as {pending_as}; its review cannot be stored {stored_as}"
            )));
        }
        let (envelope_len, envelope_sha256) = match envelope {
            EnvelopeWrite::Whole(envelope) => {
                // The audit event's hash is computed on the other core while the file is
                // written and synced (a pass over megabytes, beside a wait on the disk).
                let (written, envelope_sha256) = std::thread::scope(|scope| {
                    let hashing = scope.spawn(|| sha256_hex(envelope));
                    let written = self.blobs.write(&file, envelope);
                    // Hashing cannot fail; a panic in it is passed on as it is.
                    let hashed = hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (written, hashed)
                });
                written?;
                (envelope.len() as u64, envelope_sha256)
            }
            EnvelopeWrite::Appended(review) => {
                self.blobs.append_after(&file, review.pending_len, review.tail)?;
                (
                    review.pending_len + review.tail.len() as u64,
                    lower_hex(&review.envelope_sha256),
                )
            }
        };
        let mut set: Vec<(&'static str, &dyn ToSql)> = vec![
            ("content_sealed", &Null),
            ("content_file", &Null),
            ("content_key_sealed", &Null),
            ("envelope", &Null),
            ("envelope_file", &file),
            ("queued_at", &now),
        ];
        let (to, action, decided) = match &decision {
            Decision::Approved { by } => {
                set.push(("approved_by", by));
                (RegistrationState::Sealed, "registration_approved", "approved")
            }
            Decision::Rejected { by, reason_sealed } => {
                set.extend([
                    ("rejected_by", by as &dyn ToSql),
                    ("decision_reason_sealed", reason_sealed),
                ]);
                // The reason stays out of the event: it may name the resident.
                (RegistrationState::Rejected, "registration_rejected", "rejected")
            }
        };
        let moved = self.move_registration(Move {
            registration_id,
            from: &[RegistrationState::PendingApproval],
            to,
            now,
            set: &set,
            audit: Some(Audited {
                action,
                // The envelope's hash is the one the register's receipt names
                // (`envelope_sha256`): the chain ties the decision to the packet that left.
                details: format!("decision: {decided}; envelope: {envelope_len} bytes, sha256 {envelope_sha256}"),
            }),
            // A pending envelope is the envelope now: nothing to let go of but its key.
            trash: &let_go,
        });
        if moved.is_err() {
            // A whole envelope is removed; an appended review stays after the pending bytes,
            // which readers take by the header's length, and the next review replaces it.
            if !pending_envelope {
                let _ = self.blobs.remove(&file);
            }
            return moved;
        }
        self.let_go_of(&let_go);
        Ok(())
    }

    /// The reason a reviewer gave for rejecting a registration.
    pub fn decision_reason(&self, registration_id: &str, data_key: &DataKey) -> Result<Option<String>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .connection
            .query_row(
                "SELECT decision_reason_sealed FROM registrations WHERE registration_id = ?1",
                [registration_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("registration {registration_id}")))?;
        sealed
            .map(|bytes| {
                let plain = data_key.open(&bytes, &reason_aad(registration_id))?;
                String::from_utf8(plain).map_err(|_| StoreError::Corrupt(reason_aad(registration_id)))
            })
            .transpose()
    }

    /// draft → purged: the clerk abandons a draft. Its content is erased; the row stays as a
    /// tombstone so the registration id is never reused and the audit chain still points at it.
    pub fn discard_draft(&mut self, registration_id: &str, now: &str) -> Result<(), StoreError> {
        self.end_draft(registration_id, now, "registration_discarded", "draft content erased")
    }

    /// The resident refused consent: the draft ends as a discarded one does, and the audit
    /// records why, in the same transaction.
    pub fn refuse_consent(&mut self, registration_id: &str, now: &str) -> Result<(), StoreError> {
        self.end_draft(
            registration_id,
            now,
            "consent_refused",
            "the resident refused consent; draft content erased",
        )
    }

    fn end_draft(
        &mut self,
        registration_id: &str,
        now: &str,
        action: &'static str,
        details: &str,
    ) -> Result<(), StoreError> {
        // A finalize that crashed after writing its file and before its commit left one of these.
        let orphans = [
            BlobStore::name(registration_id, BlobKind::Content)?,
            BlobStore::name(registration_id, BlobKind::Envelope)?,
        ];
        let orphans = orphans.each_ref().map(String::as_str);
        self.move_registration(Move {
            registration_id,
            from: &[RegistrationState::Draft],
            to: RegistrationState::Purged,
            now,
            set: &[("content_sealed", &Null), ("content_key_sealed", &Null)],
            audit: Some(Audited {
                action,
                details: details.into(),
            }),
            trash: &orphans,
        })?;
        self.let_go_of(&orphans);
        Ok(())
    }

    /// acknowledged → purged: the register has the packet and the retention period is over
    /// (the caller decides that; the vault keeps no clock). The envelope and the reason are
    /// erased; the row, its receipt and its audit events stay as a tombstone.
    pub fn purge(&mut self, registration_id: &str, now: &str) -> Result<(), StoreError> {
        let envelope_file: Option<String> = self
            .connection
            .query_row(
                "SELECT envelope_file FROM registrations WHERE registration_id = ?1",
                [registration_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        self.move_registration(Move {
            registration_id,
            from: &[RegistrationState::Acknowledged],
            to: RegistrationState::Purged,
            now,
            set: &[
                ("content_sealed", &Null),
                ("envelope", &Null),
                ("envelope_file", &Null),
                ("decision_reason_sealed", &Null),
            ],
            audit: Some(Audited {
                action: "registration_purged",
                details: "envelope and decision reason erased; receipt kept".into(),
            }),
            trash: &envelope_file.as_deref().into_iter().collect::<Vec<_>>(),
        })?;
        self.let_go_of(&envelope_file.as_deref().into_iter().collect::<Vec<_>>());
        Ok(())
    }

    /// The sealed envelope of a queued registration.
    pub fn envelope(&self, registration_id: &str) -> Result<Vec<u8>, StoreError> {
        match self.open_envelope(registration_id)? {
            StoredEnvelope::InRow(bytes) => Ok(bytes),
            StoredEnvelope::File { name, .. } => self.blobs.read(&name),
        }
    }

    /// The sealed envelope of a queued registration, opened where it is kept: its file, which
    /// an upload reads a chunk at a time, or (in a vault written before blob files) its row.
    pub fn open_envelope(&self, registration_id: &str) -> Result<StoredEnvelope, StoreError> {
        let (inline, file): (Option<Vec<u8>>, Option<String>) = self
            .connection
            .query_row(
                "SELECT envelope, envelope_file FROM registrations WHERE registration_id = ?1",
                [registration_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("registration {registration_id}")))?;
        match (inline, file) {
            (None, Some(name)) => Ok(StoredEnvelope::File {
                file: self.blobs.open(&name)?,
                name,
            }),
            (Some(inline), None) => Ok(StoredEnvelope::InRow(inline)),
            (None, None) => Err(StoreError::WrongState {
                registration_id: registration_id.to_string(),
                expected: "sealed".into(),
                actual: "not sealed".into(),
            }),
            (Some(_), Some(_)) => Err(StoreError::Corrupt(format!(
                "registration {registration_id} holds its envelope in two places"
            ))),
        }
    }

    /// Remember where an upload of a sealed (or rejected) packet is, so it resumes after a
    /// restart.
    pub fn record_upload_url(&mut self, registration_id: &str, upload_url: &str, now: &str) -> Result<(), StoreError> {
        let state = self.expect_state(registration_id, &QUEUED)?;
        self.move_registration(Move {
            registration_id,
            from: &[state],
            to: state,
            now,
            set: &[("upload_url", &upload_url)],
            // The upload is audited when it completes.
            audit: None,
            trash: &[],
        })
    }

    /// sealed or rejected → uploaded: every byte is at the intake; the receipt is still to come.
    pub fn mark_uploaded(&mut self, registration_id: &str, upload_url: &str, now: &str) -> Result<(), StoreError> {
        self.move_registration(Move {
            registration_id,
            from: &QUEUED,
            to: RegistrationState::Uploaded,
            now,
            set: &[
                ("upload_url", &upload_url),
                ("last_error_code", &Null),
                ("last_error_message", &Null),
                ("upload_failures", &0),
                ("next_attempt_at", &Null),
            ],
            audit: Some(Audited {
                action: "registration_uploaded",
                // Not the upload URL: whoever holds it may write to or end the upload at the
                // intake, and the chain travels in packets and to support staff.
                details: String::new(),
            }),
            trash: &[],
        })
    }

    /// uploaded → acknowledged, with the verified receipt.
    pub fn record_receipt(&mut self, registration_id: &str, receipt_json: &str, now: &str) -> Result<(), StoreError> {
        self.acknowledge(registration_id, &[RegistrationState::Uploaded], receipt_json, now, "")
    }

    /// sealed, rejected or uploaded → acknowledged, with a verified receipt for a packet that
    /// reached the register by another way than this station's upload: on removable media,
    /// perhaps relayed by another station (`enroll_station`'s exchange). One move, audited as
    /// [`Vault::record_receipt`] is, saying how the packet went.
    pub fn record_receipt_from_media(
        &mut self,
        registration_id: &str,
        receipt_json: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        self.acknowledge(
            registration_id,
            &crate::upload_queue::IN_UPLOAD_QUEUE,
            receipt_json,
            now,
            "; by removable media",
        )
    }

    /// `from` → acknowledged with `receipt_json`, the upload's bookkeeping cleared; the audit
    /// event names the receipt's hash, then `how`.
    fn acknowledge(
        &mut self,
        registration_id: &str,
        from: &[RegistrationState],
        receipt_json: &str,
        now: &str,
        how: &str,
    ) -> Result<(), StoreError> {
        self.move_registration(Move {
            registration_id,
            from,
            to: RegistrationState::Acknowledged,
            now,
            set: &[
                ("receipt_json", &receipt_json),
                ("last_error_code", &Null),
                ("last_error_message", &Null),
                ("upload_failures", &0),
                ("next_attempt_at", &Null),
            ],
            audit: Some(Audited {
                action: "registration_acknowledged",
                // The receipt is the register's signed word that it holds the packet, and the
                // only thing a purge keeps: its hash in the signed chain shows it unchanged.
                details: format!("receipt: sha256 {}{how}", sha256_hex(receipt_json.as_bytes())),
            }),
            trash: &[],
        })
    }

    /// Note why the last upload attempt failed; the registration stays where it is.
    pub fn record_upload_error(&mut self, registration_id: &str, code: &str, message: &str) -> Result<(), StoreError> {
        let changed = self.connection.execute(
            "UPDATE registrations SET last_error_code = ?2, last_error_message = ?3 WHERE registration_id = ?1",
            params![registration_id, code, message],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("registration {registration_id}")));
        }
        Ok(())
    }

    /// Refuse early, before any file is written, when the registration is not in one of `states`.
    fn expect_state(
        &self,
        registration_id: &str,
        states: &[RegistrationState],
    ) -> Result<RegistrationState, StoreError> {
        let state = self.registration(registration_id)?.state;
        if states.contains(&state) {
            return Ok(state);
        }
        Err(StoreError::WrongState {
            registration_id: registration_id.to_string(),
            expected: states.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "),
            actual: state.as_str().into(),
        })
    }

    /// One lifecycle move in one transaction: the registration's state is read; if it is one
    /// of `change.from`, the row becomes `change.to` at `change.now` with `change.set`, and the
    /// audit event (when the move is one worth auditing) records `<from> → <to>` followed by
    /// its details. The SQL and its parameter numbers are built here from the named columns.
    pub(crate) fn move_registration(&mut self, change: Move<'_>) -> Result<(), StoreError> {
        // Whatever the move, the memo of this registration's draft is not kept past it (an
        // autosave makes a new one once it has committed).
        if self
            .draft_memo
            .as_ref()
            .is_some_and(|m| m.registration_id() == change.registration_id)
        {
            self.draft_memo = None;
        }
        let acting_as = self.acting_as;
        let transaction = self.connection.transaction()?;
        let actual: Option<String> = transaction
            .query_row(
                "SELECT state FROM registrations WHERE registration_id = ?1",
                [change.registration_id],
                |r| r.get(0),
            )
            .optional()?;
        let from = match actual {
            None => return Err(StoreError::NotFound(format!("registration {}", change.registration_id))),
            Some(actual) => match RegistrationState::parse(&actual) {
                Ok(state) if change.from.contains(&state) => state,
                _ => {
                    return Err(StoreError::WrongState {
                        registration_id: change.registration_id.to_string(),
                        expected: change.from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "),
                        actual,
                    })
                }
            },
        };
        // ?1 to ?3 are the fixed parts; each named column gets the next number.
        let assignments: String = change
            .set
            .iter()
            .enumerate()
            .map(|(index, (column, _))| format!(", {column} = ?{}", index + 4))
            .collect();
        let sql = format!(
            "UPDATE registrations SET state = ?2, updated_at = ?3{assignments} WHERE registration_id = ?1 AND state = '{}'",
            from.as_str()
        );
        let to_text = change.to.as_str();
        let mut parameters: Vec<&dyn ToSql> = vec![&change.registration_id, &to_text, &change.now];
        parameters.extend(change.set.iter().map(|(_, value)| *value));
        // The state was read in this transaction, and the writer lock keeps other writers out,
        // so this changes the one row read above; anything else is refused, not audited.
        if transaction.execute(&sql, parameters.as_slice())? != 1 {
            return Err(StoreError::Corrupt(format!(
                "registration {} changed while it was being moved",
                change.registration_id
            )));
        }
        for name in change.trash {
            transaction.execute("INSERT OR IGNORE INTO blob_trash (name) VALUES (?1)", [name])?;
        }
        if let Some(audited) = change.audit {
            let mut details = format!("{} → {}", from.as_str(), change.to.as_str());
            if !audited.details.is_empty() {
                details.push_str("; ");
                details.push_str(&audited.details);
            }
            audit::append(
                &transaction,
                self.audit_session.as_ref(),
                &NewAuditEvent {
                    at: change.now,
                    actor: acting_as,
                    action: audited.action,
                    registration_id: Some(change.registration_id),
                    details: &details,
                },
            )?;
        }
        transaction.commit()?;
        Ok(())
    }
}

/// One lifecycle move, by named parts (see [`Vault::move_registration`]).
pub(crate) struct Move<'a> {
    pub(crate) registration_id: &'a str,
    /// The states the move starts from; from any other it is refused and changes nothing.
    pub(crate) from: &'a [RegistrationState],
    pub(crate) to: RegistrationState,
    pub(crate) now: &'a str,
    /// Columns set besides `state` and `updated_at`, by name. The names are this module's
    /// constants, never input.
    pub(crate) set: &'a [(&'static str, &'a dyn ToSql)],
    /// The audit event, or `None` for a move not worth one (autosave, an upload URL noted).
    pub(crate) audit: Option<Audited>,
    /// A blob file the row stops naming: it goes into `blob_trash` in the same transaction
    /// (see [`crate::blobs`]).
    pub(crate) trash: &'a [&'a str],
}

/// What the audit chain records of a move. The details go into a signed chain that travels in
/// packets to the register and is shown to admins and support staff: states, decisions, sizes
/// and hashes of ciphertext, never resident data (names, identity values, a rejection's reason)
/// and never a secret.
pub(crate) struct Audited {
    pub(crate) action: &'static str,
    /// What the event says after `<from> → <to>`; may be empty.
    pub(crate) details: String,
}

/// The end of a review, by named parts (see [`Vault::store_envelope`]).
struct Sealing<'a> {
    registration_id: &'a str,
    envelope: EnvelopeWrite<'a>,
    decision: Decision<'a>,
    now: &'a str,
}

/// The key that reads a pending envelope's body (see [`Vault::finalize_sealed`]), zeroed when
/// dropped.
pub type PendingKey = zeroize::Zeroizing<[u8; 32]>;

/// Where a sealed envelope is kept ([`Vault::open_envelope`]).
pub enum StoredEnvelope {
    /// In the row, as vaults written before blob files keep it.
    InRow(Vec<u8>),
    /// In its file, opened for reading; `name` is the file's name in the vault's blob folder.
    File { file: std::fs::File, name: String },
}

/// How the envelope reaches its file.
enum EnvelopeWrite<'a> {
    /// Sealed whole at review (a registration pending as readable content).
    Whole(&'a [u8]),
    /// The review appended to the pending envelope.
    Appended(AppendedReview<'a>),
}

/// A review to append to a pending envelope (`enroll_packet::ReviewTail`, which this crate
/// does not depend on).
#[derive(Debug, Clone, Copy)]
pub struct AppendedReview<'a> {
    /// Length of the pending envelope (header and body) the tail follows.
    pub pending_len: u64,
    pub tail: &'a [u8],
    /// SHA-256 of the whole envelope, for the audit event (the register's receipt names it).
    pub envelope_sha256: [u8; 32],
}

/// What a finalize writes, and the key that reads it.
struct Finalized<'a> {
    registration_id: &'a str,
    kind: BlobKind,
    bytes: &'a [u8],
    reading_key: &'a DataKey,
    /// The draft has its own key (else it is under the data key and is zeroed as it goes).
    keyed_draft: bool,
    data_key: &'a DataKey,
    now: &'a str,
}

/// The reviewer's decision as the row records it.
enum Decision<'a> {
    Approved {
        by: &'a str,
    },
    /// The reason is already sealed under the data key, bound to the row.
    Rejected {
        by: &'a str,
        reason_sealed: &'a [u8],
    },
}

/// The content key a registration's row wraps under the data key.
fn unwrap_content_key(data_key: &DataKey, wrapped: &[u8], registration_id: &str) -> Result<DataKey, StoreError> {
    let aad = content_key_aad(registration_id);
    let key = zeroize::Zeroizing::new(data_key.open(wrapped, &aad)?);
    let key: [u8; 32] = key.as_slice().try_into().map_err(|_| StoreError::Corrupt(aad))?;
    Ok(DataKey::from_bytes(key))
}

/// Lower-case hex SHA-256, as the register's receipt writes `envelope_sha256`.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    lower_hex(&sha2::Sha256::digest(bytes))
}

fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::test_support::vault_with_station;

    use super::*;

    #[test]
    fn a_registration_walks_the_lifecycle_and_loses_its_readable_copy_at_approval() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        vault.insert_draft("R1", "omar", b"draft 1", &key, "t1").unwrap();
        vault.update_draft("R1", b"draft 2", &key, "t2").unwrap();
        assert_eq!(vault.registration_content("R1", &key).unwrap(), b"draft 2");
        vault.finalize("R1", b"final", &key, "t3").unwrap();
        assert_eq!(
            vault.registration("R1").unwrap().state,
            RegistrationState::PendingApproval
        );
        assert_eq!(
            vault.update_draft("R1", b"late edit", &key, "t4").unwrap_err().code(),
            "invalid_state"
        );

        vault.approve_and_seal("R1", b"sealed bytes", "sara", "t5").unwrap();
        let row = vault.registration("R1").unwrap();
        assert_eq!(
            (row.state, row.approved_by.as_deref()),
            (RegistrationState::Sealed, Some("sara"))
        );
        assert_eq!(
            vault.registration_content("R1", &key).unwrap_err().code(),
            "invalid_state"
        );
        assert_eq!(vault.envelope("R1").unwrap(), b"sealed bytes");
        assert_eq!(vault.registrations_in(RegistrationState::Sealed).unwrap().len(), 1);
        // Opened for an upload that reads it a chunk at a time: the file; in a vault written
        // before blob files, the row.
        match vault.open_envelope("R1").unwrap() {
            StoredEnvelope::File { mut file, name } => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
                assert_eq!(
                    (bytes.as_slice(), name.as_str()),
                    (b"sealed bytes".as_slice(), "R1.envelope")
                );
            }
            StoredEnvelope::InRow(_) => panic!("a new vault keeps envelopes in files"),
        }
        vault
            .connection
            .execute(
                "UPDATE registrations SET envelope = x'0102', envelope_file = NULL WHERE registration_id = 'R1'",
                [],
            )
            .unwrap();
        assert!(matches!(vault.open_envelope("R1").unwrap(), StoredEnvelope::InRow(bytes) if bytes == [1, 2]));
        assert_eq!(vault.envelope("R1").unwrap(), [1, 2]);

        vault.record_upload_error("R1", "intake_unreachable", "down").unwrap();
        assert_eq!(
            vault.registration("R1").unwrap().last_error,
            Some(("intake_unreachable".into(), "down".into()))
        );
        vault.record_upload_url("R1", "http://x/1", "t6").unwrap();
        vault.mark_uploaded("R1", "http://x/1", "t7").unwrap();
        vault.record_receipt("R1", "{}", "t8").unwrap();
        let row = vault.registration("R1").unwrap();
        assert_eq!(row.state, RegistrationState::Acknowledged);
        assert_eq!(row.last_error, None, "a receipt clears the last error");
        assert_eq!(row.receipt_json.as_deref(), Some("{}"));
    }

    #[test]
    fn a_packet_sealed_at_finalize_is_read_with_its_key_until_the_review_appended_to_it_erases_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        vault.insert_draft("R1", "omar", b"draft", &key, "t1").unwrap();
        let reading_key = [5u8; 32];
        vault
            .finalize_sealed("R1", b"header and body", &reading_key, &key, "t2")
            .unwrap();
        let row = vault.registration("R1").unwrap();
        assert_eq!(row.state, RegistrationState::PendingApproval);
        let (pending, read_with) = vault.pending_envelope("R1", &key).unwrap().unwrap();
        assert_eq!(
            (pending.as_slice(), *read_with),
            (b"header and body".as_slice(), reading_key)
        );
        assert_eq!(
            vault.registration_content("R1", &key).unwrap_err().code(),
            "vault_corrupt",
            "the store cannot open an envelope, and says so"
        );
        assert!(
            vault.envelope("R1").is_err(),
            "not an envelope to upload before its review"
        );
        // A pending registration of the earlier form is not confused with it.
        vault.insert_draft("R2", "omar", b"draft", &key, "t1").unwrap();
        vault.finalize("R2", b"readable", &key, "t2").unwrap();
        assert!(vault.pending_envelope("R2", &key).unwrap().is_none());
        let tail = AppendedReview {
            pending_len: 15,
            tail: b" + review",
            envelope_sha256: [0xab; 32],
        };
        assert_eq!(
            vault.approve_appending("R2", tail, "sara", "t3").unwrap_err().code(),
            "vault_corrupt"
        );
        assert_eq!(
            vault.approve_and_seal("R1", b"whole", "sara", "t3").unwrap_err().code(),
            "vault_corrupt"
        );

        // An approval whose commit never came left a tail in the file: the next one replaces it.
        let file = dir.path().join("v.blobs").join("R1.envelope");
        std::fs::write(&file, b"header and body + an earlier review").unwrap();
        vault.approve_appending("R1", tail, "sara", "t3").unwrap();
        let row = vault.registration("R1").unwrap();
        assert_eq!(
            (row.state, row.approved_by.as_deref()),
            (RegistrationState::Sealed, Some("sara"))
        );
        assert_eq!(vault.envelope("R1").unwrap(), b"header and body + review");
        assert_eq!(vault.pending_envelope("R1", &key).unwrap_err().code(), "invalid_state");
        let wrapped: Option<Vec<u8>> = vault
            .connection
            .query_row(
                "SELECT content_key_sealed FROM registrations WHERE registration_id = 'R1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(wrapped, None, "the key that read the pending packet is gone");
        let event = vault.audit_events_of("R1").unwrap().pop().unwrap();
        assert_eq!(event.action, "registration_approved");
        assert_eq!(
            event.details,
            format!(
                "pending_approval → sealed; decision: approved; envelope: 24 bytes, sha256 {}",
                "ab".repeat(32)
            )
        );

        vault.insert_draft("R3", "omar", b"draft", &key, "t1").unwrap();
        vault
            .finalize_sealed("R3", b"header and body", &reading_key, &key, "t2")
            .unwrap();
        vault
            .reject_appending("R3", tail, "sara", "blurred face", &key, "t3")
            .unwrap();
        assert_eq!(vault.registration("R3").unwrap().state, RegistrationState::Rejected);
        assert_eq!(
            vault.decision_reason("R3", &key).unwrap().as_deref(),
            Some("blurred face")
        );
        assert_eq!(vault.envelope("R3").unwrap(), b"header and body + review");
    }

    #[test]
    fn moves_off_the_lifecycle_edges_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        vault.insert_draft("R1", "omar", b"x", &key, "t1").unwrap();
        let error = vault.approve_and_seal("R1", b"e", "sara", "t2").unwrap_err();
        assert_eq!(error.to_string(), "registration R1 is draft, not pending_approval");
        assert_eq!(
            vault.mark_uploaded("R1", "u", "t2").unwrap_err().code(),
            "invalid_state"
        );
        assert_eq!(
            vault.record_receipt("R1", "{}", "t2").unwrap_err().code(),
            "invalid_state"
        );
        assert_eq!(vault.finalize("R9", b"x", &key, "t2").unwrap_err().code(), "not_found");
        let row = vault.registration("R1").unwrap();
        assert_eq!((row.state, row.updated_at.as_str()), (RegistrationState::Draft, "t1"));
        assert_eq!(vault.registration_content("R1", &key).unwrap(), b"x");
    }

    #[test]
    fn content_is_stored_only_as_ciphertext() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        vault
            .insert_draft("R1", "omar", b"ZZMARKER-resident-name", &key, "t1")
            .unwrap();
        drop(vault);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(8).any(|w| w == b"ZZMARKER"), "plaintext found on disk");
        }
    }

    #[test]
    fn a_draft_is_under_its_own_key_which_approval_erases() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        let aad = content_aad("R1");
        let stored = |vault: &Vault| -> (Option<Vec<u8>>, Option<Vec<u8>>) {
            vault
                .connection
                .query_row(
                    "SELECT content_sealed, content_key_sealed FROM registrations WHERE registration_id = 'R1'",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        let secure_delete = |vault: &Vault| -> i64 {
            vault
                .connection
                .pragma_query_value(None, "secure_delete", |r| r.get(0))
                .unwrap()
        };
        // Big enough to spill into overflow pages, as a draft with captures does.
        let first = vec![b'a'; 40_000];
        vault.insert_draft("R1", "omar", &first, &key, "t1").unwrap();
        let (sealed, wrapped) = stored(&vault);
        let (sealed, wrapped) = (sealed.unwrap(), wrapped.unwrap());
        assert!(
            key.open(&sealed, &aad).is_err(),
            "a new draft must not be under the data key"
        );
        let draft_key = unwrap_content_key(&key, &wrapped, "R1").unwrap();
        assert_eq!(draft_key.open(&sealed, &aad).unwrap(), first);

        let second = vec![b'b'; 40_000];
        vault.update_draft("R1", &second, &key, "t2").unwrap();
        assert_eq!(vault.registration_content("R1", &key).unwrap(), second);
        assert_eq!(stored(&vault).1.unwrap(), wrapped, "autosave keeps the draft's key");
        assert_eq!(secure_delete(&vault), 1, "autosave turns zeroing back on");

        vault.finalize("R1", b"the packet", &key, "t3").unwrap();
        assert_eq!(secure_delete(&vault), 1, "finalize turns zeroing back on");
        let (sealed, pending_wrapped) = stored(&vault);
        assert_eq!(sealed, None);
        assert_eq!(
            unwrap_content_key(&key, &pending_wrapped.unwrap(), "R1")
                .unwrap()
                .as_bytes(),
            draft_key.as_bytes(),
            "the pending content goes on under the draft's key, so approval erases both"
        );
        assert_eq!(vault.registration_content("R1", &key).unwrap(), b"the packet");
        vault.approve_and_seal("R1", b"envelope", "sara", "t4").unwrap();
        assert_eq!(stored(&vault), (None, None));
    }

    #[test]
    fn the_draft_last_written_is_read_from_memory_only_while_its_row_holds_that_write_and_the_session_lasts() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        let aad = content_aad("R1");
        let stored = |vault: &Vault| -> Vec<u8> {
            vault
                .connection
                .query_row(
                    "SELECT content_sealed FROM registrations WHERE registration_id = 'R1'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let store = |vault: &Vault, sealed: &[u8]| {
            vault
                .connection
                .execute(
                    "UPDATE registrations SET content_sealed = ?1 WHERE registration_id = 'R1'",
                    [sealed],
                )
                .unwrap();
        };
        // Damaged past its nonce: the stored bytes no longer decrypt, but they still start
        // as the last write's did. Whether a read succeeds says where it came from.
        let damage_past_the_nonce = |vault: &Vault| {
            let mut sealed = stored(vault);
            sealed[NONCE_LEN + 100] ^= 1;
            store(vault, &sealed);
        };

        vault
            .insert_draft("R1", "omar", &vec![b'a'; 40_000], &key, "t1")
            .unwrap();
        let second = vec![b'b'; 40_000];
        vault.update_draft("R1", &second, &key, "t2").unwrap();
        // What the writer made of it is kept beside it, for that registration only.
        vault.keep_beside_draft("R2", Arc::new("not R2's write"));
        assert!(vault.draft_value("R2").unwrap().is_none());
        vault.keep_beside_draft("R1", Arc::new("parsed second"));
        let kept = |vault: &Vault| {
            vault
                .draft_value("R1")
                .unwrap()
                .map(|value| *value.downcast::<&str>().unwrap())
        };
        assert_eq!(kept(&vault), Some("parsed second"));
        damage_past_the_nonce(&vault);
        assert_eq!(
            vault.registration_content("R1", &key).unwrap(),
            second,
            "the last write's content comes from memory, without reading and decrypting it again"
        );
        assert_eq!(kept(&vault), Some("parsed second"));

        // Written by anything else (another path, another process): a new nonce, so the row wins.
        let wrapped: Vec<u8> = vault
            .connection
            .query_row(
                "SELECT content_key_sealed FROM registrations WHERE registration_id = 'R1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let draft_key = unwrap_content_key(&key, &wrapped, "R1").unwrap();
        store(&vault, &draft_key.seal(b"written elsewhere", &aad));
        assert_eq!(vault.registration_content("R1", &key).unwrap(), b"written elsewhere");
        assert_eq!(kept(&vault), None, "nor what was made of the memo's content");

        // A sign-out (or sign-in, or idle lock) takes the readable copy out of memory.
        vault.update_draft("R1", &second, &key, "t3").unwrap();
        assert_eq!(kept(&vault), None, "a new write keeps nothing of the last one's value");
        vault.keep_beside_draft("R1", Arc::new("parsed third"));
        damage_past_the_nonce(&vault);
        vault.set_audit_session(None);
        assert_eq!(kept(&vault), None);
        assert_eq!(
            vault.registration_content("R1", &key).unwrap_err().code(),
            "vault_corrupt",
            "after the session, the draft is read from the vault, damage and all"
        );

        // And finalize hands on the content it is given, not the memo.
        vault.update_draft("R1", &second, &key, "t4").unwrap();
        vault.finalize("R1", b"the packet", &key, "t5").unwrap();
        assert_eq!(vault.registration_content("R1", &key).unwrap(), b"the packet");
        assert!(vault.draft_memo.is_none(), "a finalized draft is not kept in memory");
    }

    #[test]
    fn a_draft_written_under_the_data_key_is_still_read_edited_and_finalized() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        vault.insert_draft("R1", "omar", b"x", &key, "t1").unwrap();
        // As a vault written before drafts had their own key holds it.
        vault
            .connection
            .execute(
                "UPDATE registrations SET content_sealed = ?1, content_key_sealed = NULL WHERE registration_id = 'R1'",
                [key.seal(b"legacy draft", &content_aad("R1"))],
            )
            .unwrap();
        assert_eq!(vault.registration_content("R1", &key).unwrap(), b"legacy draft");
        vault.update_draft("R1", b"legacy, edited", &key, "t2").unwrap();
        assert_eq!(vault.registration_content("R1", &key).unwrap(), b"legacy, edited");
        vault.finalize("R1", b"the packet", &key, "t3").unwrap();
        assert_eq!(vault.registration_content("R1", &key).unwrap(), b"the packet");
    }

    const STATES: [RegistrationState; 7] = [
        RegistrationState::Draft,
        RegistrationState::PendingApproval,
        RegistrationState::Sealed,
        RegistrationState::Uploaded,
        RegistrationState::Acknowledged,
        RegistrationState::Purged,
        RegistrationState::Rejected,
    ];

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Action {
        UpdateDraft,
        Finalize,
        Approve,
        Reject,
        Discard,
        RecordUploadUrl,
        MarkUploaded,
        RecordReceipt,
        Purge,
    }

    const ACTIONS: [Action; 9] = [
        Action::UpdateDraft,
        Action::Finalize,
        Action::Approve,
        Action::Reject,
        Action::Discard,
        Action::RecordUploadUrl,
        Action::MarkUploaded,
        Action::RecordReceipt,
        Action::Purge,
    ];

    fn act(vault: &mut Vault, key: &DataKey, id: &str, action: Action, now: &str) -> Result<(), StoreError> {
        match action {
            Action::UpdateDraft => vault.update_draft(id, b"edited", key, now),
            Action::Finalize => vault.finalize(id, b"final", key, now),
            Action::Approve => vault.approve_and_seal(id, b"envelope", "sara", now),
            Action::Reject => vault.reject_and_seal(id, b"envelope", "sara", "blurred photo", key, now),
            Action::Discard => vault.discard_draft(id, now),
            Action::RecordUploadUrl => vault.record_upload_url(id, "http://x/1", now),
            Action::MarkUploaded => vault.mark_uploaded(id, "http://x/1", now),
            Action::RecordReceipt => vault.record_receipt(id, "{}", now),
            Action::Purge => vault.purge(id, now),
        }
    }

    /// The allowed edges: (from, action) → to. Everything else must be refused.
    fn edge(from: RegistrationState, action: Action) -> Option<RegistrationState> {
        use RegistrationState as S;
        match (from, action) {
            (S::Draft, Action::UpdateDraft) => Some(S::Draft),
            (S::Draft, Action::Finalize) => Some(S::PendingApproval),
            (S::Draft, Action::Discard) => Some(S::Purged),
            (S::PendingApproval, Action::Approve) => Some(S::Sealed),
            (S::PendingApproval, Action::Reject) => Some(S::Rejected),
            (S::Sealed, Action::RecordUploadUrl) => Some(S::Sealed),
            (S::Sealed, Action::MarkUploaded) => Some(S::Uploaded),
            (S::Rejected, Action::RecordUploadUrl) => Some(S::Rejected),
            (S::Rejected, Action::MarkUploaded) => Some(S::Uploaded),
            (S::Uploaded, Action::RecordReceipt) => Some(S::Acknowledged),
            (S::Acknowledged, Action::Purge) => Some(S::Purged),
            _ => None,
        }
    }

    /// Walk a new registration `id` to `state` along the allowed edges.
    fn registration_in(vault: &mut Vault, key: &DataKey, id: &str, state: RegistrationState) {
        use RegistrationState as S;
        vault.insert_draft(id, "omar", b"draft", key, "t0").unwrap();
        let path: &[Action] = match state {
            S::Draft => &[],
            S::PendingApproval => &[Action::Finalize],
            S::Sealed => &[Action::Finalize, Action::Approve],
            S::Uploaded => &[Action::Finalize, Action::Approve, Action::MarkUploaded],
            S::Acknowledged => &[
                Action::Finalize,
                Action::Approve,
                Action::MarkUploaded,
                Action::RecordReceipt,
            ],
            S::Purged => &[Action::Discard],
            S::Rejected => &[Action::Finalize, Action::Reject],
        };
        for action in path {
            act(vault, key, id, *action, "t0").unwrap();
        }
        assert_eq!(vault.registration(id).unwrap().state, state);
    }

    /// content, envelope, decision reason: from the row, or from the files the row names.
    type Blobs = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);

    fn stored_blobs(vault: &Vault, id: &str) -> Blobs {
        type Columns = (
            Option<Vec<u8>>,
            Option<String>,
            Option<Vec<u8>>,
            Option<String>,
            Option<Vec<u8>>,
        );
        let (content, content_file, envelope, envelope_file, reason): Columns = vault
            .connection
            .query_row(
                "SELECT content_sealed, content_file, envelope, envelope_file, decision_reason_sealed
                 FROM registrations WHERE registration_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        let from_file = |file: Option<String>| file.map(|file| vault.blobs.read(&file).unwrap());
        (
            content.or(from_file(content_file)),
            envelope.or(from_file(envelope_file)),
            reason,
        )
    }

    /// The files in the blob folder are exactly those the rows name: nothing left behind, and
    /// nothing named missing.
    fn assert_no_stray_blob_files(vault: &Vault) {
        assert_eq!(
            vault.stray_blob_files().unwrap(),
            Vec::<String>::new(),
            "files no row names"
        );
        vault.check_blob_files().unwrap();
    }

    #[test]
    fn every_state_and_action_pair_moves_only_along_the_allowed_edges() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        let mut allowed = 0;
        for (s, state) in STATES.iter().enumerate() {
            for (a, action) in ACTIONS.iter().enumerate() {
                let id = format!("R{s}-{a}");
                registration_in(&mut vault, &key, &id, *state);
                let before_row = vault.registration(&id).unwrap();
                let before_blobs = stored_blobs(&vault, &id);
                let before_events = vault.audit_events().unwrap().len();
                let outcome = act(&mut vault, &key, &id, *action, "t1");
                let after_row = vault.registration(&id).unwrap();
                match edge(*state, *action) {
                    Some(to) => {
                        allowed += 1;
                        outcome.unwrap_or_else(|e| panic!("{state:?} --{action:?}--> {to:?} refused: {e}"));
                        assert_eq!(after_row.state, to, "{state:?} --{action:?}");
                        assert_eq!(after_row.updated_at, "t1");
                        let audited = !matches!(action, Action::UpdateDraft | Action::RecordUploadUrl);
                        assert_eq!(
                            vault.audit_events().unwrap().len(),
                            before_events + usize::from(audited),
                            "{state:?} --{action:?}: one audit event per audited move"
                        );
                        let (content, envelope, reason) = stored_blobs(&vault, &id);
                        assert_eq!(content.is_some(), to.is_readable(), "readable copy only while readable");
                        assert_no_stray_blob_files(&vault);
                        if to == RegistrationState::Purged {
                            assert_eq!(
                                (content, envelope, reason),
                                (None, None, None),
                                "a tombstone holds nothing"
                            );
                        }
                    }
                    None => {
                        let error = outcome.expect_err(&format!("{state:?} --{action:?} must be refused"));
                        assert_eq!(error.code(), "invalid_state", "{state:?} --{action:?}: {error}");
                        assert!(error.to_string().contains(state.as_str()), "{error}");
                        assert_eq!(after_row, before_row, "{state:?} --{action:?} changed the row");
                        assert_eq!(stored_blobs(&vault, &id), before_blobs);
                        assert_eq!(vault.audit_events().unwrap().len(), before_events);
                    }
                }
            }
        }
        assert_eq!(allowed, 11, "the lifecycle has eleven edges");
        for action in ACTIONS {
            assert_eq!(
                act(&mut vault, &key, "nobody", action, "t1").unwrap_err().code(),
                "not_found"
            );
        }
    }

    #[test]
    fn a_rejection_keeps_its_reason_under_the_data_key_until_the_purge() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        registration_in(&mut vault, &key, "R1", RegistrationState::Rejected);
        let row = vault.registration("R1").unwrap();
        assert_eq!(row.rejected_by.as_deref(), Some("sara"));
        assert_eq!(row.approved_by, None);
        assert_eq!(
            vault.decision_reason("R1", &key).unwrap().as_deref(),
            Some("blurred photo")
        );
        assert_eq!(vault.envelope("R1").unwrap(), b"envelope");
        // Not purged before the register has it.
        assert_eq!(vault.purge("R1", "t2").unwrap_err().code(), "invalid_state");
        vault.record_upload_url("R1", "http://x/1", "t2").unwrap();
        assert_eq!(vault.registration("R1").unwrap().state, RegistrationState::Rejected);
        vault.mark_uploaded("R1", "http://x/1", "t2").unwrap();
        vault.record_receipt("R1", "{}", "t2").unwrap();
        let row = vault.registration("R1").unwrap();
        assert_eq!(
            (row.state, row.rejected_by.as_deref()),
            (RegistrationState::Acknowledged, Some("sara")),
            "still a rejection once acknowledged"
        );
        assert_eq!(
            vault.decision_reason("R1", &key).unwrap().as_deref(),
            Some("blurred photo")
        );
        vault.purge("R1", "t2").unwrap();
        assert_eq!(vault.decision_reason("R1", &key).unwrap(), None);
        assert_eq!(vault.envelope("R1").unwrap_err().code(), "invalid_state");
        let events: Vec<(String, Option<String>)> = vault
            .audit_events_of("R1")
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.registration_id))
            .collect();
        assert_eq!(
            events.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
            [
                "registration_created",
                "registration_finalized",
                "registration_rejected",
                "registration_uploaded",
                "registration_acknowledged",
                "registration_purged"
            ]
        );
    }

    /// What each kind of move writes into the signed chain: its states and what it did, in
    /// words an admin reads, never the resident's data, the rejection's reason or the upload URL.
    #[test]
    fn every_audited_move_records_its_states_and_what_it_did_but_no_resident_data() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        let envelope_sha256 = "4c503ca67761e5c4aaecfe996244c25d8c0b40902d1085c85b4468bd567548c6";
        let receipt_sha256 = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

        vault.insert_draft("A", "omar", b"ZZMARKER draft", &key, "t0").unwrap();
        vault.update_draft("A", b"ZZMARKER edited", &key, "t0").unwrap();
        vault.finalize("A", b"ZZMARKER final", &key, "t1").unwrap();
        let content_size = vault.blobs.size("A.content").unwrap().unwrap();
        vault.approve_and_seal("A", b"envelope", "sara", "t2").unwrap();
        vault.record_upload_url("A", "http://x/files/ZZSECRET", "t3").unwrap();
        vault.mark_uploaded("A", "http://x/files/ZZSECRET", "t3").unwrap();
        vault.record_receipt("A", "{}", "t4").unwrap();
        vault.purge("A", "t5").unwrap();

        registration_in(&mut vault, &key, "R", RegistrationState::PendingApproval);
        vault
            .reject_and_seal("R", b"envelope", "sara", "ZZMARKER is not the person", &key, "t2")
            .unwrap();
        vault.mark_uploaded("R", "http://x/files/ZZSECRET", "t3").unwrap();

        registration_in(&mut vault, &key, "D", RegistrationState::Draft);
        vault.discard_draft("D", "t1").unwrap();

        let details = |id: &str| -> Vec<(String, String)> {
            vault
                .audit_events_of(id)
                .unwrap()
                .into_iter()
                .map(|event| (event.action, event.details))
                .collect()
        };
        let expected = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(a, d)| (a.to_string(), d.to_string())).collect()
        };
        assert_eq!(
            details("A"),
            expected(&[
                ("registration_created", ""),
                (
                    "registration_finalized",
                    &format!("draft → pending_approval; content file: {content_size} bytes")
                ),
                (
                    "registration_approved",
                    &format!(
                        "pending_approval → sealed; decision: approved; envelope: 8 bytes, sha256 {envelope_sha256}"
                    )
                ),
                ("registration_uploaded", "sealed → uploaded"),
                (
                    "registration_acknowledged",
                    &format!("uploaded → acknowledged; receipt: sha256 {receipt_sha256}")
                ),
                (
                    "registration_purged",
                    "acknowledged → purged; envelope and decision reason erased; receipt kept"
                ),
            ])
        );
        assert_eq!(
            details("R")[2..],
            expected(&[
                (
                    "registration_rejected",
                    &format!(
                        "pending_approval → rejected; decision: rejected; envelope: 8 bytes, sha256 {envelope_sha256}"
                    )
                ),
                ("registration_uploaded", "rejected → uploaded"),
            ])
        );
        assert_eq!(
            details("D")[1..],
            expected(&[("registration_discarded", "draft → purged; draft content erased")])
        );

        for event in vault.audit_events().unwrap() {
            for secret in ["ZZMARKER", "ZZSECRET"] {
                assert!(!event.details.contains(secret), "{secret} in {event:?}");
            }
        }
        let report = vault.verify_audit_chain(&|_, _| true).unwrap();
        assert_eq!(report.broken, None, "the details are part of the hashed chain");
    }
}
