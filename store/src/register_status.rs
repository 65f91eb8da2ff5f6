//! What the register says of the packets it receipted: received, processing, processed,
//! rejected or re-register (`schemas/intake-api.md` §"Packet status"), as the sync last heard
//! it, and the station's inbox key that seals the register's reasons.
//!
//! The register's status is not a lifecycle state: an acknowledged registration stays
//! acknowledged (and is purged after the retention period all the same), and the status is a
//! mark on its row, kept on the tombstone too. A packet the register **returned** (rejected,
//! or re-register: the resident must come back) is shown to supervisors until one of them
//! marks it handled.
//!
//! The register's reason is free text about a resident, learned while nobody may be signed in:
//! it is stored only sealed to the station's inbox key (`enroll_packet::inbox`; the vault keeps
//! the public half in clear and the secret sealed under the data key, and never sees the text).
//!
//! Which packets the sync asks about: acknowledged or purged ones whose status may still move
//! (none yet, received, processing, unknown), the longest unasked first, from a partial index
//! that holds exactly those rows, so the question costs the same with a hundred thousand
//! settled packets in the vault.

use rusqlite::{params, OptionalExtension as _};

use crate::audit::{self, NewAuditEvent};
use crate::{DataKey, StoreError, Vault};

/// The statuses after which the station stops asking: the register's last word.
pub const SETTLED: [&str; 3] = ["processed", "rejected", "re_register"];

/// The statuses a supervisor must see and deal with.
pub const RETURNED: [&str; 2] = ["rejected", "re_register"];

/// One answer of the register, for [`Vault::record_register_statuses`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterStatusUpdate {
    pub registration_id: String,
    /// One of the statuses of `schemas/intake-api.md` (`unknown`: not held, or not this
    /// station's to know); the column's CHECK refuses any other.
    pub status: String,
    /// The register's reason sealed to the inbox key (`enroll_packet::inbox`), if it gave one.
    pub reason_sealed: Option<Vec<u8>>,
    /// When the register changed it (RFC 3339), if it said.
    pub changed_at: Option<String>,
}

/// The register's status of one registration, as the vault holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterStatusRow {
    pub registration_id: String,
    pub status: String,
    pub reason_sealed: Option<Vec<u8>>,
    /// When the register changed it, or when the station first heard of it.
    pub changed_at: String,
    /// When the station last asked.
    pub checked_at: Option<String>,
    /// Who marked a returned packet handled, and when.
    pub handled_by: Option<String>,
    pub handled_at: Option<String>,
}

/// The AAD-like `info` that binds a sealed reason to its row (for `enroll_packet::inbox`).
pub fn reason_info(registration_id: &str) -> String {
    format!("registrations/{registration_id}/register_reason")
}

const ROW_COLUMNS: &str = "registration_id, register_status, register_reason_sealed, register_status_changed_at,
     register_status_checked_at, register_handled_by, register_handled_at";

fn status_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RegisterStatusRow> {
    Ok(RegisterStatusRow {
        registration_id: row.get(0)?,
        status: row.get(1)?,
        reason_sealed: row.get(2)?,
        changed_at: row.get(3)?,
        checked_at: row.get(4)?,
        handled_by: row.get(5)?,
        handled_at: row.get(6)?,
    })
}

impl Vault {
    /// Up to `limit` registrations the register may still have news of, the longest unasked
    /// first (never asked before any).
    pub fn awaiting_register_status(&self, limit: u32) -> Result<Vec<String>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT registration_id FROM registrations INDEXED BY registrations_awaiting_register
             WHERE state IN ('acknowledged', 'purged')
               AND (register_status IS NULL OR register_status IN ('received', 'processing', 'unknown'))
             ORDER BY register_status_checked_at IS NOT NULL, register_status_checked_at, registration_id
             LIMIT ?1",
        )?;
        let ids = statement.query_map([limit], |row| row.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Record the register's answers, asked at `checked_at`, in one transaction. A status that
    /// changed is audited (`register_status`, `<old> → <new>`; never the reason; not the first
    /// `received`, which the receipt's own event says already) and, when it
    /// returns the packet, shown to supervisors again even if an earlier return was handled.
    /// Answers for registrations the vault does not hold, or not as acknowledged or purged, are
    /// refused whole: the station asked only for those. Returns how many statuses changed.
    pub fn record_register_statuses(
        &mut self,
        updates: &[RegisterStatusUpdate],
        checked_at: &str,
    ) -> Result<u32, StoreError> {
        let acting_as = self.acting_as;
        let transaction = self.connection.transaction()?;
        let mut changed = 0;
        for update in updates {
            let held: Option<(String, Option<String>)> = transaction
                .query_row(
                    "SELECT state, register_status FROM registrations WHERE registration_id = ?1",
                    [&update.registration_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let previous = match held {
                Some((state, previous)) if state == "acknowledged" || state == "purged" => previous,
                Some((state, _)) => {
                    return Err(StoreError::WrongState {
                        registration_id: update.registration_id.clone(),
                        expected: "acknowledged or purged".into(),
                        actual: state,
                    })
                }
                None => return Err(StoreError::NotFound(format!("registration {}", update.registration_id))),
            };
            if previous.as_deref() == Some(update.status.as_str()) {
                transaction.execute(
                    "UPDATE registrations SET register_status_checked_at = ?2 WHERE registration_id = ?1",
                    params![update.registration_id, checked_at],
                )?;
                continue;
            }
            transaction.execute(
                "UPDATE registrations SET register_status = ?2, register_reason_sealed = ?3,
                     register_status_changed_at = ?4, register_status_checked_at = ?5,
                     register_handled_by = NULL, register_handled_at = NULL
                 WHERE registration_id = ?1",
                params![
                    update.registration_id,
                    update.status,
                    update.reason_sealed,
                    update.changed_at.as_deref().unwrap_or(checked_at),
                    checked_at
                ],
            )?;
            if previous.is_none() && update.status == "received" {
                // What the receipt said already (and its event recorded): no news to audit.
                changed += 1;
                continue;
            }
            let details = format!("{} → {}", previous.as_deref().unwrap_or("none"), update.status);
            audit::append(
                &transaction,
                self.audit_session.as_ref(),
                &NewAuditEvent {
                    at: checked_at,
                    actor: acting_as,
                    action: "register_status",
                    registration_id: Some(&update.registration_id),
                    details: &details,
                },
            )?;
            changed += 1;
        }
        transaction.commit()?;
        Ok(changed)
    }

    /// The register's status of `registration_id`, if the station has heard one.
    pub fn register_status(&self, registration_id: &str) -> Result<Option<RegisterStatusRow>, StoreError> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM registrations WHERE registration_id = ?1 AND register_status IS NOT NULL"
        ))?;
        Ok(statement.query_row([registration_id], status_row).optional()?)
    }

    /// The packets the register returned that no supervisor has handled yet, oldest return
    /// first: up to `limit`, and how many there are in all.
    pub fn returned_by_register(&self, limit: u32) -> Result<(Vec<RegisterStatusRow>, u64), StoreError> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM registrations INDEXED BY registrations_returned_by_register
             WHERE register_status IN ('rejected', 're_register') AND register_handled_at IS NULL
             ORDER BY register_status_changed_at, registration_id
             LIMIT ?1"
        ))?;
        let rows = statement
            .query_map([limit], status_row)?
            .collect::<Result<Vec<_>, _>>()?;
        let total: u64 = self.connection.query_row(
            "SELECT COUNT(*) FROM registrations INDEXED BY registrations_returned_by_register
             WHERE register_status IN ('rejected', 're_register') AND register_handled_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok((rows, total))
    }

    /// A supervisor dealt with a returned packet (called the resident back, noted the reason):
    /// it leaves the list. Audited as the signed-in operator.
    pub fn mark_register_return_handled(
        &mut self,
        registration_id: &str,
        handled_by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        let status: Option<Option<String>> = transaction
            .query_row(
                "SELECT register_status FROM registrations
                 WHERE registration_id = ?1 AND register_handled_at IS NULL",
                [registration_id],
                |r| r.get(0),
            )
            .optional()?;
        let status = match status {
            Some(Some(status)) if RETURNED.contains(&status.as_str()) => status,
            _ => {
                return Err(StoreError::WrongState {
                    registration_id: registration_id.to_string(),
                    expected: "returned by the register and not handled".into(),
                    actual: status.flatten().unwrap_or_else(|| "not returned".into()),
                })
            }
        };
        transaction.execute(
            "UPDATE registrations SET register_handled_by = ?2, register_handled_at = ?3 WHERE registration_id = ?1",
            params![registration_id, handled_by, now],
        )?;
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: None,
                action: "register_return_handled",
                registration_id: Some(registration_id),
                details: &format!("status: {status}"),
            },
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// The station's inbox public key, if it has one yet.
    pub fn inbox_public_key(&self) -> Result<Option<[u8; 32]>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .connection
            .query_row("SELECT inbox_public_key FROM station WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .flatten();
        bytes
            .map(|b| {
                b.try_into()
                    .map_err(|_| StoreError::Corrupt("the station's inbox key has the wrong length".into()))
            })
            .transpose()
    }

    /// Keep a new inbox key pair, the secret sealed under `data_key`, unless the station has
    /// one already. True when this one was kept.
    pub fn store_inbox_key(
        &mut self,
        public: &[u8; 32],
        secret: &[u8; 32],
        data_key: &DataKey,
    ) -> Result<bool, StoreError> {
        let sealed = data_key.seal(secret, INBOX_SECRET_AAD);
        let changed = self.connection.execute(
            "UPDATE station SET inbox_public_key = ?1, inbox_secret_sealed = ?2
             WHERE id = 1 AND inbox_public_key IS NULL",
            params![public.as_slice(), sealed],
        )?;
        Ok(changed == 1)
    }

    /// The inbox's secret, for a signed-in operator.
    pub fn inbox_secret(&self, data_key: &DataKey) -> Result<zeroize::Zeroizing<[u8; 32]>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .connection
            .query_row("SELECT inbox_secret_sealed FROM station WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .flatten();
        let sealed = sealed.ok_or_else(|| StoreError::NotFound("the station's inbox key".into()))?;
        let bytes = zeroize::Zeroizing::new(data_key.open(&sealed, INBOX_SECRET_AAD)?);
        let mut secret = zeroize::Zeroizing::new([0; 32]);
        if bytes.len() != 32 {
            return Err(StoreError::Corrupt(
                "the station's inbox secret has the wrong length".into(),
            ));
        }
        secret.copy_from_slice(&bytes);
        Ok(secret)
    }
}

const INBOX_SECRET_AAD: &str = "station/inbox_secret";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support;

    fn update(id: &str, status: &str, reason: Option<&[u8]>) -> RegisterStatusUpdate {
        RegisterStatusUpdate {
            registration_id: id.into(),
            status: status.into(),
            reason_sealed: reason.map(<[u8]>::to_vec),
            changed_at: None,
        }
    }

    #[test]
    fn statuses_are_asked_until_settled_and_a_return_waits_for_a_supervisor() {
        let (_dir, mut vault, _key) = test_support::vault_with_acknowledged(&["A", "B", "C"]);
        assert_eq!(vault.awaiting_register_status(10).unwrap(), ["A", "B", "C"]);
        assert_eq!(vault.awaiting_register_status(2).unwrap(), ["A", "B"]);

        let changed = vault
            .record_register_statuses(
                &[
                    update("A", "processing", None),
                    update("B", "rejected", Some(b"sealed reason")),
                ],
                "2026-12-01T10:00:00Z",
            )
            .unwrap();
        assert_eq!(changed, 2);
        // C was never asked: it goes first; A may still move; B is settled.
        assert_eq!(vault.awaiting_register_status(10).unwrap(), ["C", "A"]);
        let b = vault.register_status("B").unwrap().unwrap();
        assert_eq!(b.status, "rejected");
        assert_eq!(b.reason_sealed.as_deref(), Some(&b"sealed reason"[..]));
        assert_eq!(b.changed_at, "2026-12-01T10:00:00Z");
        assert_eq!(vault.register_status("C").unwrap(), None);

        // The same answer again only notes the check; no audit event.
        let events = vault.audit_events().unwrap().len();
        assert_eq!(
            vault
                .record_register_statuses(&[update("A", "processing", None)], "2026-12-01T11:00:00Z")
                .unwrap(),
            0
        );
        assert_eq!(vault.audit_events().unwrap().len(), events);
        assert_eq!(vault.awaiting_register_status(10).unwrap(), ["C", "A"]);

        let (returned, total) = vault.returned_by_register(10).unwrap();
        assert_eq!(total, 1);
        assert_eq!(returned[0].registration_id, "B");
        vault
            .mark_register_return_handled("B", "sara", "2026-12-01T12:00:00Z")
            .unwrap();
        assert_eq!(vault.returned_by_register(10).unwrap().1, 0);
        assert_eq!(
            vault.mark_register_return_handled("B", "sara", "t").unwrap_err().code(),
            "invalid_state",
            "handled once"
        );
        assert_eq!(
            vault.mark_register_return_handled("A", "sara", "t").unwrap_err().code(),
            "invalid_state"
        );

        let audit = vault.audit_events().unwrap();
        let details: Vec<_> = audit
            .iter()
            .filter(|e| e.action.starts_with("register_"))
            .map(|e| {
                format!(
                    "{} {} {}",
                    e.action,
                    e.registration_id.as_deref().unwrap_or(""),
                    e.details
                )
            })
            .collect();
        assert_eq!(
            details,
            [
                "register_status A none → processing",
                "register_status B none → rejected",
                "register_return_handled B status: rejected"
            ]
        );
        assert!(!audit.iter().any(|e| e.details.contains("sealed reason")));
    }

    #[test]
    fn the_first_received_is_what_the_receipt_said_and_is_not_audited_again() {
        let (_dir, mut vault, _key) = test_support::vault_with_acknowledged(&["A"]);
        let events = vault.audit_events().unwrap().len();
        assert_eq!(
            vault
                .record_register_statuses(&[update("A", "received", None)], "t1")
                .unwrap(),
            1
        );
        assert_eq!(vault.register_status("A").unwrap().unwrap().status, "received");
        assert_eq!(vault.audit_events().unwrap().len(), events);
        vault
            .record_register_statuses(&[update("A", "processing", None)], "t2")
            .unwrap();
        let last = vault.audit_events().unwrap().pop().unwrap();
        assert_eq!(
            (last.action.as_str(), last.details.as_str()),
            ("register_status", "received → processing")
        );
    }

    #[test]
    fn a_new_return_after_a_handled_one_is_shown_again() {
        let (_dir, mut vault, _key) = test_support::vault_with_acknowledged(&["A"]);
        vault
            .record_register_statuses(&[update("A", "rejected", None)], "t1")
            .unwrap();
        vault.mark_register_return_handled("A", "sara", "t2").unwrap();
        vault
            .record_register_statuses(&[update("A", "re_register", None)], "t3")
            .unwrap();
        let (returned, total) = vault.returned_by_register(10).unwrap();
        assert_eq!((returned[0].status.as_str(), total), ("re_register", 1));
        assert_eq!(returned[0].handled_at, None);
    }

    #[test]
    fn answers_for_packets_not_asked_about_change_nothing() {
        let (_dir, mut vault, _key) = test_support::vault_with_acknowledged(&["A"]);
        let error = vault
            .record_register_statuses(
                &[update("A", "processed", None), update("nope", "processed", None)],
                "t1",
            )
            .unwrap_err();
        assert_eq!(error.code(), "not_found");
        let error = vault
            .record_register_statuses(&[update("A", "lost", None)], "t1")
            .unwrap_err();
        assert_eq!(error.code(), "vault_error", "the column's CHECK refuses it");
        assert_eq!(
            vault.register_status("A").unwrap(),
            None,
            "nothing of the batch was kept"
        );
    }

    #[test]
    fn the_inbox_secret_is_kept_once_and_read_only_with_the_data_key() {
        let (_dir, mut vault, key) = test_support::vault_with_acknowledged(&[]);
        assert_eq!(vault.inbox_public_key().unwrap(), None);
        assert_eq!(vault.inbox_secret(&key).unwrap_err().code(), "not_found");
        assert!(vault.store_inbox_key(&[1; 32], &[2; 32], &key).unwrap());
        assert!(
            !vault.store_inbox_key(&[3; 32], &[4; 32], &key).unwrap(),
            "the first one stays"
        );
        assert_eq!(vault.inbox_public_key().unwrap(), Some([1; 32]));
        assert_eq!(*vault.inbox_secret(&key).unwrap(), [2; 32]);
        assert!(vault.inbox_secret(&DataKey::generate()).is_err());
    }
}
