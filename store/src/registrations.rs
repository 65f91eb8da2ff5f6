//! Registrations through their life:
//!
//! ```text
//! draft ──finalize──► pending_approval ──approve──► sealed ──upload──► uploaded ──receipt──► acknowledged
//! ```
//! (`purged` and `rejected` are in the schema; their edges come with the issues that use them.)
//! Every move is one `UPDATE ... WHERE state = <expected>` in its own transaction, so a move
//! from the wrong state changes nothing and says which state the registration is in.
//! The readable content (`content_sealed`, under the data key) exists only in draft and
//! pending approval; approval replaces it with the sealed envelope in the same statement.

use rusqlite::{params, OptionalExtension};

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
    pub upload_url: Option<String>,
    pub receipt_json: Option<String>,
    pub last_error: Option<(String, String)>,
}

const ROW_COLUMNS: &str =
    "registration_id, state, created_by, created_at, updated_at, approved_by, upload_url, receipt_json, last_error_code, last_error_message";

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
        self.connection.execute(
            "INSERT INTO registrations (registration_id, state, created_by, created_at, updated_at, content_sealed)
             VALUES (?1, 'draft', ?2, ?3, ?3, ?4)",
            params![
                registration_id,
                created_by,
                now,
                data_key.seal(content, &content_aad(registration_id))
            ],
        )?;
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
            RegistrationState::Draft,
            RegistrationState::Draft,
            "content_sealed = ?4",
            now,
            &[&sealed],
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
            RegistrationState::Draft,
            RegistrationState::PendingApproval,
            "content_sealed = ?4",
            now,
            &[&sealed],
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
            RegistrationState::PendingApproval,
            RegistrationState::Sealed,
            "content_sealed = NULL, envelope = ?4, approved_by = ?5",
            now,
            &[&envelope, &approved_by],
        )?;
        // Fold the WAL back into the database so the erased readable copy does not linger in
        // old WAL frames (secure_delete has zeroed it in the database pages).
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
            RegistrationState::Sealed,
            RegistrationState::Sealed,
            "upload_url = ?4",
            now,
            &[&upload_url],
        )
    }

    /// sealed → uploaded: every byte is at the intake; the receipt is still to come.
    pub fn mark_uploaded(&mut self, registration_id: &str, upload_url: &str, now: &str) -> Result<(), StoreError> {
        self.move_registration(
            registration_id,
            RegistrationState::Sealed,
            RegistrationState::Uploaded,
            "upload_url = ?4, last_error_code = NULL, last_error_message = NULL",
            now,
            &[&upload_url],
        )
    }

    /// uploaded → acknowledged, with the verified receipt.
    pub fn record_receipt(&mut self, registration_id: &str, receipt_json: &str, now: &str) -> Result<(), StoreError> {
        self.move_registration(
            registration_id,
            RegistrationState::Uploaded,
            RegistrationState::Acknowledged,
            "receipt_json = ?4, last_error_code = NULL, last_error_message = NULL",
            now,
            &[&receipt_json],
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
    /// <set> WHERE registration_id = ?1 AND state = <from>`. In `set`, `?4` onwards are `extra`.
    fn move_registration(
        &mut self,
        registration_id: &str,
        from: RegistrationState,
        to: RegistrationState,
        set: &str,
        now: &str,
        extra: &[&dyn rusqlite::ToSql],
    ) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        let sql = format!(
            "UPDATE registrations SET state = ?2, updated_at = ?3, {set} WHERE registration_id = ?1 AND state = '{}'",
            from.as_str()
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
                    expected: from.as_str().into(),
                    actual,
                },
            });
        }
        transaction.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;
    use crate::{NewOperator, Role, StationRecord};

    fn vault_with_station(dir: &std::path::Path) -> (Vault, DataKey) {
        let mut vault = Vault::open(&dir.join("v.sqlite")).unwrap();
        let key = DataKey::generate();
        let record = StationRecord {
            station_id: "10001".into(),
            name: "A".into(),
            center_id: "10002".into(),
            intake_url: "http://127.0.0.1:1".into(),
            register_keys_json: "{}".into(),
            created_at: "t0".into(),
        };
        let admin = NewOperator {
            username: "admin".into(),
            full_name: "A".into(),
            role: Role::Admin,
            password: Zeroizing::new("pw".into()),
        };
        vault.create_station(&record, &[1; 32], &admin, &key).unwrap();
        (vault, key)
    }

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
}
