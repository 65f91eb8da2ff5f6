//! Registrations through their life:
//!
//! ```text
//! draft ──finalize──► pending_approval ──approve──► sealed ──upload──► uploaded ──receipt──► acknowledged
//!   │                        │                                                                   │
//!   └─discard──► purged      └──reject──► rejected ──purge (after retention)──► purged ◄──purge──┘
//! ```
//! Self-loops: `update_draft` (draft), `record_upload_url` (sealed). `record_upload_error`
//! notes a failure without moving. Every other (state, action) pair is refused with
//! `invalid_state` and changes nothing.
//! Every move is one `UPDATE ... WHERE state IN <expected>` in its own transaction, together
//! with its audit event, so a move from the wrong state changes nothing and says which state
//! the registration is in.
//! The readable content (`content_sealed`, under the data key) exists only in draft and
//! pending approval; approval and rejection replace it with the sealed envelope in the same
//! statement. `purged` is a tombstone: the row (id, who, when, receipt) stays, every byte of
//! resident data is gone.
//!
//! Deliberately absent: retention arithmetic (the station decides when a packet is old
//! enough and calls [`Vault::purge`]), and who may make a move (roles live in `station`).

use rusqlite::{params, OptionalExtension};

use crate::audit::{self, NewAuditEvent};
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

    fn parse(text: &str) -> Result<RegistrationState, StoreError> {
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

fn reason_aad(registration_id: &str) -> String {
    format!("registrations/{registration_id}/decision_reason")
}

fn content_aad(registration_id: &str) -> String {
    format!("registrations/{registration_id}/content")
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
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "INSERT INTO registrations (registration_id, state, created_by, created_at, updated_at, content_sealed)
             VALUES (?1, 'draft', ?2, ?3, ?3, ?4)",
            params![
                registration_id,
                created_by,
                now,
                data_key.seal(content, &content_aad(registration_id))
            ],
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
            .ok_or_else(|| StoreError::NotFound(registration_id.to_string()))?;
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

    /// The readable content of a draft or pending registration.
    pub fn registration_content(&self, registration_id: &str, data_key: &DataKey) -> Result<Vec<u8>, StoreError> {
        let row = self.registration(registration_id)?;
        let sealed: Option<Vec<u8>> = self.connection.query_row(
            "SELECT content_sealed FROM registrations WHERE registration_id = ?1",
            [registration_id],
            |r| r.get(0),
        )?;
        let sealed = sealed.ok_or_else(|| StoreError::WrongState {
            registration_id: registration_id.to_string(),
            expected: "draft or pending_approval".into(),
            actual: row.state.as_str().into(),
        })?;
        data_key.open(&sealed, &content_aad(registration_id))
    }

    /// Replace a draft's content (autosave).
    pub fn update_draft(
        &mut self,
        registration_id: &str,
        content: &[u8],
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        let sealed = data_key.seal(content, &content_aad(registration_id));
        self.move_registration(
            registration_id,
            &[RegistrationState::Draft],
            RegistrationState::Draft,
            "content_sealed = ?4",
            now,
            &[&sealed],
            None,
        )
    }

    /// draft → pending_approval, with the finalized content.
    pub fn finalize(
        &mut self,
        registration_id: &str,
        content: &[u8],
        data_key: &DataKey,
        now: &str,
    ) -> Result<(), StoreError> {
        let sealed = data_key.seal(content, &content_aad(registration_id));
        self.move_registration(
            registration_id,
            &[RegistrationState::Draft],
            RegistrationState::PendingApproval,
            "content_sealed = ?4",
            now,
            &[&sealed],
            Some(("registration_finalized", "")),
        )
    }

    /// pending_approval → sealed: store the envelope and erase the readable content, together.
    pub fn approve_and_seal(
        &mut self,
        registration_id: &str,
        envelope: &[u8],
        approved_by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        self.move_registration(
            registration_id,
            &[RegistrationState::PendingApproval],
            RegistrationState::Sealed,
            "content_sealed = NULL, envelope = ?4, approved_by = ?5",
            now,
            &[&envelope, &approved_by],
            Some(("registration_approved", "")),
        )?;
        // Fold the WAL back into the database so the erased readable copy does not linger in
        // old WAL frames (secure_delete has zeroed it in the database pages).
        self.connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
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
        self.move_registration(
            registration_id,
            &[RegistrationState::PendingApproval],
            RegistrationState::Rejected,
            "content_sealed = NULL, envelope = ?4, rejected_by = ?5, decision_reason_sealed = ?6",
            now,
            &[&envelope, &rejected_by, &reason_sealed],
            Some(("registration_rejected", "")),
        )?;
        self.connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
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
            .ok_or_else(|| StoreError::NotFound(registration_id.to_string()))?;
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
        self.move_registration(
            registration_id,
            &[RegistrationState::Draft],
            RegistrationState::Purged,
            "content_sealed = NULL",
            now,
            &[],
            Some(("registration_discarded", "")),
        )?;
        self.connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// acknowledged or rejected → purged: the retention period is over (the caller decides
    /// that; the vault keeps no clock). The envelope and the reason are erased; the row, its
    /// receipt and its audit events stay as a tombstone.
    pub fn purge(&mut self, registration_id: &str, now: &str) -> Result<(), StoreError> {
        self.move_registration(
            registration_id,
            &[RegistrationState::Acknowledged, RegistrationState::Rejected],
            RegistrationState::Purged,
            "content_sealed = NULL, envelope = NULL, decision_reason_sealed = NULL",
            now,
            &[],
            Some(("registration_purged", "")),
        )?;
        self.connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The sealed envelope of a queued registration.
    pub fn envelope(&self, registration_id: &str) -> Result<Vec<u8>, StoreError> {
        let envelope: Option<Vec<u8>> = self
            .connection
            .query_row(
                "SELECT envelope FROM registrations WHERE registration_id = ?1",
                [registration_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(registration_id.to_string()))?;
        envelope.ok_or_else(|| StoreError::WrongState {
            registration_id: registration_id.to_string(),
            expected: "sealed".into(),
            actual: "not sealed".into(),
        })
    }

    /// Remember where an upload of a sealed packet is, so it resumes after a restart.
    pub fn record_upload_url(&mut self, registration_id: &str, upload_url: &str, now: &str) -> Result<(), StoreError> {
        self.move_registration(
            registration_id,
            &[RegistrationState::Sealed],
            RegistrationState::Sealed,
            "upload_url = ?4",
            now,
            &[&upload_url],
            None,
        )
    }

    /// sealed → uploaded: every byte is at the intake; the receipt is still to come.
    pub fn mark_uploaded(&mut self, registration_id: &str, upload_url: &str, now: &str) -> Result<(), StoreError> {
        self.move_registration(
            registration_id,
            &[RegistrationState::Sealed],
            RegistrationState::Uploaded,
            "upload_url = ?4, last_error_code = NULL, last_error_message = NULL",
            now,
            &[&upload_url],
            Some(("registration_uploaded", "")),
        )
    }

    /// uploaded → acknowledged, with the verified receipt.
    pub fn record_receipt(&mut self, registration_id: &str, receipt_json: &str, now: &str) -> Result<(), StoreError> {
        self.move_registration(
            registration_id,
            &[RegistrationState::Uploaded],
            RegistrationState::Acknowledged,
            "receipt_json = ?4, last_error_code = NULL, last_error_message = NULL",
            now,
            &[&receipt_json],
            Some(("registration_acknowledged", "")),
        )
    }

    /// Note why the last upload attempt failed; the registration stays where it is.
    pub fn record_upload_error(&mut self, registration_id: &str, code: &str, message: &str) -> Result<(), StoreError> {
        let changed = self.connection.execute(
            "UPDATE registrations SET last_error_code = ?2, last_error_message = ?3 WHERE registration_id = ?1",
            params![registration_id, code, message],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(registration_id.to_string()));
        }
        Ok(())
    }

    /// One lifecycle move in one transaction: `UPDATE ... SET state = <to>, updated_at = <now>,
    /// <set> WHERE registration_id = ?1 AND state IN <from>`, then the audit event `audit`
    /// (action, details) when the move is one worth auditing. In `set`, `?4` onwards are `extra`.
    #[allow(clippy::too_many_arguments)]
    fn move_registration(
        &mut self,
        registration_id: &str,
        from: &[RegistrationState],
        to: RegistrationState,
        set: &str,
        now: &str,
        extra: &[&dyn rusqlite::ToSql],
        audit: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        let from_list = from
            .iter()
            .map(|state| format!("'{}'", state.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE registrations SET state = ?2, updated_at = ?3, {set} WHERE registration_id = ?1 AND state IN ({from_list})"
        );
        let to_text = to.as_str();
        let mut parameters: Vec<&dyn rusqlite::ToSql> = vec![&registration_id, &to_text, &now];
        parameters.extend_from_slice(extra);
        let changed = transaction.execute(&sql, parameters.as_slice())?;
        if changed == 0 {
            let actual: Option<String> = transaction
                .query_row(
                    "SELECT state FROM registrations WHERE registration_id = ?1",
                    [registration_id],
                    |r| r.get(0),
                )
                .optional()?;
            return Err(match actual {
                None => StoreError::NotFound(registration_id.to_string()),
                Some(actual) => StoreError::WrongState {
                    registration_id: registration_id.to_string(),
                    expected: from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "),
                    actual,
                },
            });
        }
        if let Some((action, details)) = audit {
            audit::append(
                &transaction,
                self.audit_session.as_ref(),
                &NewAuditEvent {
                    at: now,
                    actor: None,
                    action,
                    registration_id: Some(registration_id),
                    details,
                },
            )?;
        }
        transaction.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
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
            (S::Uploaded, Action::RecordReceipt) => Some(S::Acknowledged),
            (S::Acknowledged, Action::Purge) => Some(S::Purged),
            (S::Rejected, Action::Purge) => Some(S::Purged),
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

    /// content, envelope, decision reason.
    type Blobs = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);

    fn stored_blobs(vault: &Vault, id: &str) -> Blobs {
        vault
            .connection
            .query_row(
                "SELECT content_sealed, envelope, decision_reason_sealed FROM registrations WHERE registration_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
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
        assert_eq!(allowed, 10, "the lifecycle has ten edges");
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
                "registration_purged"
            ]
        );
    }
}
