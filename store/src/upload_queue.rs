//! The upload queue's bookkeeping: which sealed packets still have to reach the register (or
//! be receipted by it), in the order their reviews sealed them; how many tries in a row failed
//! for each and when the next may start; and the quarantine.
//!
//! Quarantine is a mark on a queued row, not a state: the packet stays sealed (or rejected, or
//! uploaded) and on the station, exactly as it was, but the sync passes it by so that one packet
//! the register refuses for good (`packet_rejected`, `duplicate_registration`) never holds up
//! the packets behind it. A supervisor sees it with its reason and may put it back in the queue
//! once the cause is dealt with (for instance after the register cleared a duplicate). Both
//! moves are audited.
//!
//! Deliberately absent: the retry arithmetic (the station draws the next attempt's time and
//! passes it in) and what counts as a permanent error (the sync crate's codes say, the station
//! decides). Times are RFC 3339 text as everywhere in the vault; they are compared by the
//! station, which parses them, not here (the text of two instants in one second may sort the
//! wrong way round).

use rusqlite::params;
use rusqlite::types::Null;

use crate::registrations::{Audited, Move, QUEUED};
use crate::{RegistrationState, StoreError, Vault};

/// The states the upload queue holds: sealed either way and not sent, or sent and waiting for
/// the register's receipt.
pub const IN_UPLOAD_QUEUE: [RegistrationState; 3] = [
    RegistrationState::Sealed,
    RegistrationState::Rejected,
    RegistrationState::Uploaded,
];

/// One packet of the upload queue, as the sync and the upload center see it. Nothing here
/// needs the data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedUpload {
    pub registration_id: String,
    pub state: RegistrationState,
    /// When the review sealed it: the queue's order.
    pub queued_at: String,
    /// The upload at the intake, once created (it resumes there).
    pub upload_url: Option<String>,
    /// Failed tries in a row since the last success.
    pub failures: u32,
    /// Not before this time (RFC 3339); `None`: as soon as the sync runs.
    pub next_attempt_at: Option<String>,
    /// Code and message of the last failure.
    pub last_error: Option<(String, String)>,
    /// When it was set aside, if it is.
    pub quarantined_at: Option<String>,
    pub created_by: String,
    /// The reviewer who approved it, or who rejected it.
    pub approved_by: Option<String>,
    pub rejected_by: Option<String>,
}

impl Vault {
    /// Every packet of the upload queue, quarantined ones included, in the order their reviews
    /// sealed them (ties by registration id).
    pub fn upload_queue(&self) -> Result<Vec<QueuedUpload>, StoreError> {
        // Past the blob columns: from `sealed` on they are NULL, so reading the columns after
        // them costs nothing (see `crate::queries`).
        let mut statement = self.connection.prepare_cached(
            "SELECT registration_id, state, COALESCE(queued_at, updated_at), upload_url, upload_failures,
                    next_attempt_at, last_error_code, last_error_message, quarantined_at,
                    created_by, approved_by, rejected_by
             FROM registrations
             WHERE state IN ('sealed', 'rejected', 'uploaded')
             ORDER BY COALESCE(queued_at, updated_at), registration_id",
        )?;
        let rows = statement.query_map([], |row| {
            let state: String = row.get(1)?;
            let code: Option<String> = row.get(6)?;
            let message: Option<String> = row.get(7)?;
            Ok((
                state,
                QueuedUpload {
                    registration_id: row.get(0)?,
                    state: RegistrationState::Sealed, // replaced below once the text is checked
                    queued_at: row.get(2)?,
                    upload_url: row.get(3)?,
                    failures: row.get(4)?,
                    next_attempt_at: row.get(5)?,
                    last_error: code.zip(message),
                    quarantined_at: row.get(8)?,
                    created_by: row.get(9)?,
                    approved_by: row.get(10)?,
                    rejected_by: row.get(11)?,
                },
            ))
        })?;
        rows.map(|row| {
            let (state, mut entry) = row?;
            entry.state = RegistrationState::parse(&state)?;
            Ok(entry)
        })
        .collect()
    }

    /// How many packets of the queue are quarantined. (The station counts them from
    /// [`Vault::upload_queue`], which it reads anyway; the tests ask the table itself.)
    #[cfg(test)]
    fn quarantined_count(&self) -> Result<u64, StoreError> {
        Ok(self.connection.query_row(
            "SELECT COUNT(*) FROM registrations
             WHERE state IN ('sealed', 'rejected', 'uploaded') AND quarantined_at IS NOT NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// Note a failed try: its code and message, one more failure in a row, and the earliest
    /// time of the next. The registration stays where it is. Returns the failures in a row.
    pub fn record_upload_failure(
        &mut self,
        registration_id: &str,
        code: &str,
        message: &str,
        next_attempt_at: &str,
    ) -> Result<u32, StoreError> {
        self.connection
            .query_row(
                "UPDATE registrations
                 SET last_error_code = ?2, last_error_message = ?3, next_attempt_at = ?4,
                     upload_failures = upload_failures + 1
                 WHERE registration_id = ?1 AND state IN ('sealed', 'rejected', 'uploaded')
                 RETURNING upload_failures",
                params![registration_id, code, message, next_attempt_at],
                |r| r.get(0),
            )
            .map_err(|error| match error {
                rusqlite::Error::QueryReturnedNoRows => not_queued(self, registration_id),
                other => other.into(),
            })
    }

    /// Set a queued packet aside: the sync passes it by until a supervisor puts it back. Its
    /// reason stays as its last error. Audited with the error's code (the intake's message may
    /// quote anything; the code is ours).
    pub fn quarantine(
        &mut self,
        registration_id: &str,
        code: &str,
        message: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let state = self.queued_state(registration_id)?;
        self.move_registration(Move {
            registration_id,
            from: &[state],
            to: state,
            now,
            set: &[
                ("quarantined_at", &now),
                ("last_error_code", &code),
                ("last_error_message", &message),
                ("next_attempt_at", &Null),
            ],
            audit: Some(Audited {
                action: "registration_quarantined",
                details: format!("reason: {code}"),
            }),
            trash: &[],
        })
    }

    /// Put a quarantined packet back in the queue, to be tried at the next sync as if new
    /// (its last error stays until a try replaces it).
    pub fn release_from_quarantine(&mut self, registration_id: &str, now: &str) -> Result<(), StoreError> {
        let state = self.queued_state(registration_id)?;
        let quarantined: Option<String> = self.connection.query_row(
            "SELECT quarantined_at FROM registrations WHERE registration_id = ?1",
            [registration_id],
            |r| r.get(0),
        )?;
        if quarantined.is_none() {
            return Err(StoreError::WrongState {
                registration_id: registration_id.to_string(),
                expected: "quarantined".into(),
                actual: state.as_str().into(),
            });
        }
        self.move_registration(Move {
            registration_id,
            from: &[state],
            to: state,
            now,
            set: &[
                ("quarantined_at", &Null),
                ("upload_failures", &0),
                ("next_attempt_at", &Null),
            ],
            audit: Some(Audited {
                action: "registration_released",
                details: String::new(),
            }),
            trash: &[],
        })
    }

    fn queued_state(&self, registration_id: &str) -> Result<RegistrationState, StoreError> {
        let state = self.registration(registration_id)?.state;
        if IN_UPLOAD_QUEUE.contains(&state) {
            return Ok(state);
        }
        Err(StoreError::WrongState {
            registration_id: registration_id.to_string(),
            expected: "sealed, rejected or uploaded".into(),
            actual: state.as_str().into(),
        })
    }
}

/// The error for a failure noted on a registration that is not (or no longer) queued.
fn not_queued(vault: &Vault, registration_id: &str) -> StoreError {
    match vault.queued_state(registration_id) {
        Err(error) => error,
        Ok(_) => StoreError::Corrupt(format!("registration {registration_id} could not be updated")),
    }
}

// `QUEUED` (sealed or rejected) is the part of the queue not sent yet; kept beside the full
// list so that the two cannot drift apart.
const _: () = assert!(QUEUED.len() + 1 == IN_UPLOAD_QUEUE.len());

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::vault_with_station;

    /// A vault with three sealed packets, reviewed in the order R2, R1, R3.
    fn vault_with_queue(dir: &std::path::Path) -> Vault {
        let (mut vault, key) = vault_with_station(dir);
        let reviews = [
            ("R2", "2026-01-01T10:00:00Z"),
            ("R1", "2026-01-01T10:05:00Z"),
            ("R3", "2026-01-01T10:09:00Z"),
        ];
        for (id, reviewed_at) in reviews {
            vault
                .insert_draft(id, "omar", b"draft", &key, "2026-01-01T09:00:00Z")
                .unwrap();
            vault.finalize(id, b"content", &key, "2026-01-01T09:30:00Z").unwrap();
            vault.approve_and_seal(id, b"sealed", "sara", reviewed_at).unwrap();
        }
        vault
    }

    fn queued(vault: &Vault, registration_id: &str) -> QueuedUpload {
        vault
            .upload_queue()
            .unwrap()
            .into_iter()
            .find(|q| q.registration_id == registration_id)
            .unwrap()
    }

    fn ids(queue: &[QueuedUpload]) -> Vec<&str> {
        queue.iter().map(|q| q.registration_id.as_str()).collect()
    }

    #[test]
    fn the_queue_goes_in_review_order_even_after_an_upload_is_noted() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_queue(dir.path());
        assert_eq!(ids(&vault.upload_queue().unwrap()), ["R2", "R1", "R3"]);
        // Noting R2's upload URL moves its `updated_at`, not its place in the queue.
        vault
            .record_upload_url("R2", "http://x/2", "2026-01-02T00:00:00Z")
            .unwrap();
        vault.mark_uploaded("R1", "http://x/1", "2026-01-02T00:00:01Z").unwrap();
        let queue = vault.upload_queue().unwrap();
        assert_eq!(ids(&queue), ["R2", "R1", "R3"]);
        assert_eq!(queue[1].state, RegistrationState::Uploaded);
        assert_eq!(queue[0].upload_url.as_deref(), Some("http://x/2"));
        assert_eq!(queue[0].queued_at, "2026-01-01T10:00:00Z");
        assert_eq!(
            (
                queue[0].created_by.as_str(),
                queue[0].approved_by.as_deref(),
                queue[0].rejected_by.as_deref()
            ),
            ("omar", Some("sara"), None)
        );
    }

    #[test]
    fn failures_count_up_until_an_upload_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_queue(dir.path());
        assert_eq!(
            vault
                .record_upload_failure("R1", "intake_unreachable", "down", "t+1")
                .unwrap(),
            1
        );
        assert_eq!(
            vault.record_upload_failure("R1", "intake_error", "503", "t+2").unwrap(),
            2
        );
        let entry = queued(&vault, "R1");
        assert_eq!(entry.failures, 2);
        assert_eq!(entry.next_attempt_at.as_deref(), Some("t+2"));
        assert_eq!(entry.last_error, Some(("intake_error".into(), "503".into())));

        vault.mark_uploaded("R1", "http://x/1", "t3").unwrap();
        let entry = queued(&vault, "R1");
        assert_eq!(
            (entry.failures, entry.next_attempt_at, entry.last_error),
            (0, None, None)
        );
    }

    #[test]
    fn a_failure_is_noted_only_on_a_queued_packet() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        vault.insert_draft("D1", "omar", b"draft", &key, "t1").unwrap();
        let error = vault
            .record_upload_failure("D1", "intake_error", "x", "t2")
            .unwrap_err();
        assert!(matches!(error, StoreError::WrongState { .. }), "{error:?}");
        let error = vault
            .record_upload_failure("nope", "intake_error", "x", "t2")
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{error:?}");
    }

    #[test]
    fn quarantine_sets_a_packet_aside_with_its_reason_until_a_supervisor_releases_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_queue(dir.path());
        vault.record_upload_failure("R1", "intake_error", "503", "t+1").unwrap();
        vault
            .quarantine(
                "R1",
                "duplicate_registration",
                "the register holds another packet",
                "2026-01-03T00:00:00Z",
            )
            .unwrap();
        assert_eq!(vault.quarantined_count().unwrap(), 1);
        let entry = queued(&vault, "R1");
        assert_eq!(entry.quarantined_at.as_deref(), Some("2026-01-03T00:00:00Z"));
        assert_eq!(
            entry.last_error,
            Some((
                "duplicate_registration".into(),
                "the register holds another packet".into()
            ))
        );
        assert_eq!(
            entry.state,
            RegistrationState::Sealed,
            "quarantine does not move the packet"
        );
        assert_eq!(vault.envelope("R1").unwrap(), b"sealed", "nor touch its envelope");

        let error = vault.release_from_quarantine("R2", "t").unwrap_err();
        assert!(
            matches!(error, StoreError::WrongState { ref expected, .. } if expected == "quarantined"),
            "{error:?}"
        );

        vault.release_from_quarantine("R1", "2026-01-04T00:00:00Z").unwrap();
        let entry = queued(&vault, "R1");
        assert_eq!(
            (entry.quarantined_at, entry.failures, entry.next_attempt_at),
            (None, 0, None)
        );
        assert_eq!(vault.quarantined_count().unwrap(), 0);

        let actions: Vec<(String, String)> = vault
            .audit_events_of("R1")
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.details))
            .collect();
        assert!(actions.contains(&(
            "registration_quarantined".into(),
            "sealed → sealed; reason: duplicate_registration".into()
        )));
        assert!(actions.contains(&("registration_released".into(), "sealed → sealed".into())));
    }

    #[test]
    fn only_a_queued_packet_can_be_quarantined() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_queue(dir.path());
        vault.mark_uploaded("R1", "http://x/1", "t1").unwrap();
        vault.record_receipt("R1", "{}", "t2").unwrap();
        let error = vault.quarantine("R1", "packet_rejected", "no", "t3").unwrap_err();
        assert!(matches!(error, StoreError::WrongState { .. }), "{error:?}");
    }

    #[test]
    fn a_receipt_that_came_back_on_removable_media_acknowledges_a_packet_never_uploaded() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_queue(dir.path());
        vault.mark_uploaded("R2", "http://x/2", "t1").unwrap();
        vault.record_receipt_from_media("R1", "{}", "t2").unwrap();
        vault.record_receipt_from_media("R2", "{}", "t3").unwrap();
        assert_eq!(ids(&vault.upload_queue().unwrap()), ["R3"]);
        assert_eq!(vault.registration("R1").unwrap().state, RegistrationState::Acknowledged);
        let last = vault.audit_events_of("R1").unwrap().pop().unwrap();
        assert_eq!(last.action, "registration_acknowledged");
        assert!(
            last.details.starts_with("sealed → acknowledged; receipt: sha256 ")
                && last.details.ends_with("; by removable media"),
            "{}",
            last.details
        );
        let error = vault.record_receipt_from_media("R1", "{}", "t4").unwrap_err();
        assert!(matches!(error, StoreError::WrongState { .. }), "{error:?}");
    }
}
