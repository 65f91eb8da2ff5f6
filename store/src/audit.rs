//! The audit chain: every security-relevant event (setup, sign-ins and their failures,
//! lockouts, operator changes, each move of a registration) as one row of a hash chain, signed
//! by the station key.
//!
//! How the chain is built:
//! - Event `n` stores `hash_n = SHA-256("enroll-audit-v1" || hash_{n-1} || n || at || actor ||
//!   action || registration_id || details)`, each text field length-prefixed (u32 big-endian)
//!   and the registration id preceded by a presence byte; `hash_0` is 32 zero bytes. Changing,
//!   inserting or removing an event breaks every later hash.
//! - Anyone can recompute hashes, so the hashes alone only catch careless tampering. What
//!   makes the chain trustworthy is the station's Ed25519 signature over
//!   `"enroll-audit-head-v1" || n || hash_n`, stored on event `n`. The signing key is sealed
//!   under the data key, so it exists only while someone is signed in: the vault holds an
//!   [`AuditSession`] (the actor and a signer) from sign-in to sign-out or idle lock, and signs
//!   every event appended meanwhile.
//! - Events recorded while nobody is signed in (a failed sign-in, a lockout) are appended
//!   unsigned. They are covered by the next signature: a signature on event `m` commits to
//!   `hash_m`, which commits to every earlier event. The successful sign-in that ends such a
//!   stretch is itself an audited, signed event, so the unsigned stretch is closed at the next
//!   sign-in. Until then those events are only hash-chained, and [`AuditChainReport`] says how
//!   many are in that unsigned tail.
//! - Each event is appended in the same transaction as the change it records.
//!
//! Deliberately absent: Ed25519 itself. The vault is given a signer and a verifier (closures)
//! by the station, which owns the key; the vault only decides what is signed. Also absent: a
//! defence against cutting off the newest events wholesale (truncating the tail leaves a valid
//! shorter chain); the register's copy of each packet's events is the check for that.

use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use crate::{StoreError, Vault};

const HASH_DOMAIN: &[u8] = b"enroll-audit-v1";
const SIGNATURE_DOMAIN: &[u8] = b"enroll-audit-head-v1";

/// Signs the bytes the vault hands it with the station key (Ed25519, 64 bytes).
pub type AuditSigner = Box<dyn Fn(&[u8]) -> Vec<u8> + Send>;

/// The signed-in operator as the audit chain sees them.
pub struct AuditSession {
    /// Username written as the actor of every event appended during the session.
    pub actor: String,
    pub signer: AuditSigner,
}

/// One event of the chain as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub sequence: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub registration_id: Option<String>,
    pub details: String,
    pub hash: [u8; 32],
    pub signed: bool,
}

/// The outcome of [`Vault::verify_audit_chain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditChainReport {
    pub events: u64,
    /// The newest event whose signature verified.
    pub last_signed: Option<u64>,
    /// Events after `last_signed`: hash-chained, not yet covered by a signature.
    pub unsigned_tail: u64,
    /// The first link that does not hold, if any.
    pub broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub sequence: u64,
    pub reason: String,
}

/// The bytes hashed for event `sequence`.
fn event_hash(
    previous: &[u8; 32],
    sequence: u64,
    at: &str,
    actor: &str,
    action: &str,
    registration_id: Option<&str>,
    details: &str,
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(HASH_DOMAIN);
    hasher.update(previous);
    hasher.update(sequence.to_be_bytes());
    let mut field = |text: &str| {
        hasher.update((text.len() as u32).to_be_bytes());
        hasher.update(text.as_bytes());
    };
    field(at);
    field(actor);
    field(action);
    match registration_id {
        Some(id) => {
            hasher.update([1]);
            hasher.update((id.len() as u32).to_be_bytes());
            hasher.update(id.as_bytes());
        }
        None => hasher.update([0]),
    }
    hasher.update((details.len() as u32).to_be_bytes());
    hasher.update(details.as_bytes());
    hasher.finalize().into()
}

/// What the station key signs for the head `sequence`.
pub fn signed_message(sequence: u64, hash: &[u8; 32]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNATURE_DOMAIN.len() + 8 + 32);
    message.extend_from_slice(SIGNATURE_DOMAIN);
    message.extend_from_slice(&sequence.to_be_bytes());
    message.extend_from_slice(hash);
    message
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    pub at: &'a str,
    /// `None`: the session's operator, or "system" when nobody is signed in.
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub registration_id: Option<&'a str>,
    pub details: &'a str,
}

/// Append one event inside `transaction`, signed when a session is open.
pub(crate) fn append(
    transaction: &Transaction<'_>,
    session: Option<&AuditSession>,
    event: &NewAuditEvent<'_>,
) -> Result<u64, StoreError> {
    let (last_sequence, last_hash): (u64, [u8; 32]) = transaction
        .query_row(
            "SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?
        .map(|(sequence, hash)| {
            let hash: [u8; 32] = hash
                .try_into()
                .map_err(|_| StoreError::Corrupt(format!("audit event {sequence} has a hash of the wrong length")))?;
            Ok::<_, StoreError>((sequence as u64, hash))
        })
        .transpose()?
        .unwrap_or((0, [0; 32]));
    let sequence = last_sequence + 1;
    let actor = event.actor.or(session.map(|s| s.actor.as_str())).unwrap_or("system");
    let hash = event_hash(
        &last_hash,
        sequence,
        event.at,
        actor,
        event.action,
        event.registration_id,
        event.details,
    );
    let signature = session.map(|s| (s.signer)(&signed_message(sequence, &hash)));
    transaction.execute(
        "INSERT INTO audit_events (sequence, at, actor, action, registration_id, details, hash, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            sequence as i64,
            event.at,
            actor,
            event.action,
            event.registration_id,
            event.details,
            hash.as_slice(),
            signature
        ],
    )?;
    Ok(sequence)
}

type RawEvent = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Vec<u8>,
    Option<Vec<u8>>,
);

fn read_raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawEvent> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

fn record_of(raw: RawEvent) -> AuditRecord {
    let (sequence, at, actor, action, registration_id, details, hash, signature) = raw;
    let mut fixed = [0u8; 32];
    if hash.len() == 32 {
        fixed.copy_from_slice(&hash);
    }
    AuditRecord {
        sequence: sequence as u64,
        at,
        actor,
        action,
        registration_id,
        details,
        hash: fixed,
        signed: signature.is_some(),
    }
}

const EVENT_COLUMNS: &str = "sequence, at, actor, action, registration_id, details, hash, signature";

impl Vault {
    /// Open the audit session at sign-in; `None` closes it (sign-out, idle lock).
    pub fn set_audit_session(&mut self, session: Option<AuditSession>) {
        self.audit_session = session;
        // Whoever comes next, or nobody, does not inherit the readable draft.
        self.draft_memo = None;
    }

    /// Run `moves` with every lifecycle move audited as `actor` rather than whoever is signed
    /// in: the background sync's uploads and receipts are the station's doing, not the clerk's
    /// who happens to be signed in (events stay signed by the station key when a session holds
    /// it). Only for a fixed name of the station's own (`"sync"`), never a person's.
    pub fn acting_as<T>(&mut self, actor: &'static str, moves: impl FnOnce(&mut Vault) -> T) -> T {
        let before = self.acting_as.replace(actor);
        let outcome = moves(self);
        self.acting_as = before;
        outcome
    }

    /// Append an event that is not part of another change (a sign-in, a failed sign-in).
    pub fn record_audit(&mut self, event: &NewAuditEvent<'_>) -> Result<u64, StoreError> {
        let transaction = self.connection.transaction()?;
        let sequence = append(&transaction, self.audit_session.as_ref(), event)?;
        transaction.commit()?;
        Ok(sequence)
    }

    /// The events of one registration, oldest first.
    pub fn audit_events_of(&self, registration_id: &str) -> Result<Vec<AuditRecord>, StoreError> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE registration_id = ?1 ORDER BY sequence"
        ))?;
        let rows = statement.query_map([registration_id], read_raw)?;
        rows.map(|row| Ok(record_of(row?))).collect()
    }

    /// Every event, oldest first.
    pub fn audit_events(&self) -> Result<Vec<AuditRecord>, StoreError> {
        let mut statement = self
            .connection
            .prepare(&format!("SELECT {EVENT_COLUMNS} FROM audit_events ORDER BY sequence"))?;
        let rows = statement.query_map([], read_raw)?;
        rows.map(|row| Ok(record_of(row?))).collect()
    }

    /// Walk the whole chain: recompute every hash and check every signature with `verify`
    /// (`verify(message, signature)`, the station's public key inside). Stops at the first
    /// link that does not hold and names it.
    pub fn verify_audit_chain(&self, verify: &dyn Fn(&[u8], &[u8]) -> bool) -> Result<AuditChainReport, StoreError> {
        let mut statement = self
            .connection
            .prepare(&format!("SELECT {EVENT_COLUMNS} FROM audit_events ORDER BY sequence"))?;
        let mut rows = statement.query([])?;
        let mut report = AuditChainReport {
            events: 0,
            last_signed: None,
            unsigned_tail: 0,
            broken: None,
        };
        let mut previous = [0u8; 32];
        let mut expected = 1u64;
        while let Some(row) = rows.next()? {
            let (sequence, at, actor, action, registration_id, details, hash, signature) = read_raw(row)?;
            let sequence = sequence as u64;
            let broken = |reason: String| BrokenLink {
                sequence: expected.min(sequence),
                reason,
            };
            if sequence != expected {
                report.broken = Some(broken(format!(
                    "event {expected} is missing (the next stored event is {sequence})"
                )));
                return Ok(report);
            }
            let computed = event_hash(
                &previous,
                sequence,
                &at,
                &actor,
                &action,
                registration_id.as_deref(),
                &details,
            );
            if hash.as_slice() != computed.as_slice() {
                report.broken = Some(broken(format!(
                    "event {sequence} ({action}) does not match its hash: it or the event before it was changed"
                )));
                return Ok(report);
            }
            if let Some(signature) = signature {
                if !verify(&signed_message(sequence, &computed), &signature) {
                    let since = report.last_signed.map_or(1, |s| s + 1);
                    report.broken = Some(broken(format!(
                        "the station's signature on event {sequence} ({action}) does not verify: \
                         an event from {since} to {sequence} was rewritten, or the chain was signed by another key"
                    )));
                    return Ok(report);
                }
                report.last_signed = Some(sequence);
                report.unsigned_tail = 0;
            } else {
                report.unsigned_tail += 1;
            }
            report.events += 1;
            previous = computed;
            expected += 1;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support;

    use super::*;
    use crate::DataKey;

    /// A stand-in for Ed25519 that the test can check: SHA-256 of a secret and the message.
    #[test]
    fn the_signed_message_is_the_audit_head_label_then_sequence_and_hash() {
        // The station key also signs envelopes; its signatures stay apart because every kind of
        // message starts with its own label. `packet/src/signing.rs` lists this one beside the
        // others and keeps them prefix-free: change both together.
        let message = signed_message(7, &[0xab; 32]);
        assert_eq!(SIGNATURE_DOMAIN, b"enroll-audit-head-v1");
        assert_eq!(&message[..20], b"enroll-audit-head-v1");
        assert_eq!(&message[20..28], &7u64.to_be_bytes());
        assert_eq!(&message[28..], &[0xab; 32]);
    }

    fn fake_signer(secret: &'static [u8]) -> AuditSigner {
        Box::new(move |message| {
            Sha256::new()
                .chain_update(secret)
                .chain_update(message)
                .finalize()
                .to_vec()
        })
    }

    fn fake_verify(message: &[u8], signature: &[u8]) -> bool {
        Sha256::new()
            .chain_update(b"station")
            .chain_update(message)
            .finalize()
            .as_slice()
            == signature
    }

    fn vault_with_events(dir: &std::path::Path) -> Vault {
        let mut vault = Vault::open(&dir.join("v.sqlite")).unwrap();
        let key = DataKey::generate();
        vault.set_audit_session(Some(AuditSession {
            actor: "admin".into(),
            signer: fake_signer(b"station"),
        }));
        vault
            .create_station(&test_support::station_record(), &[1; 32], &test_support::admin(), &key)
            .unwrap(); // 1, signed
        vault.insert_draft("R1", "admin", b"x", &key, "t1").unwrap(); // 2, signed
        vault.set_audit_session(None);
        vault.record_login_failure("admin", None, "t2").unwrap(); // 3, unsigned
        vault.record_login_failure("admin", None, "t3").unwrap(); // 4, unsigned
        vault.set_audit_session(Some(AuditSession {
            actor: "admin".into(),
            signer: fake_signer(b"station"),
        }));
        vault.record_login_success("admin", "t4").unwrap(); // 5, signed: covers 3 and 4
        vault.finalize("R1", b"y", &key, "t5").unwrap(); // 6, signed
        vault.set_audit_session(None);
        vault.record_login_failure("admin", None, "t6").unwrap(); // 7, unsigned tail
        vault
    }

    #[test]
    fn an_intact_chain_verifies_and_reports_its_unsigned_tail() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_with_events(dir.path());
        let report = vault.verify_audit_chain(&fake_verify).unwrap();
        assert_eq!(
            report,
            AuditChainReport {
                events: 7,
                last_signed: Some(6),
                unsigned_tail: 1,
                broken: None
            }
        );
        let events = vault.audit_events().unwrap();
        let signed: Vec<bool> = events.iter().map(|e| e.signed).collect();
        assert_eq!(signed, [true, true, false, false, true, true, false]);
        assert_eq!(events[1].actor, "admin");
        assert_eq!(events[2].actor, "admin", "a failed sign-in names the operator tried");
        let of_r1: Vec<u64> = vault
            .audit_events_of("R1")
            .unwrap()
            .iter()
            .map(|e| e.sequence)
            .collect();
        assert_eq!(of_r1, [2, 6]);
    }

    #[test]
    fn a_changed_event_is_named_as_the_first_broken_link() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_with_events(dir.path());
        vault
            .connection
            .execute("UPDATE audit_events SET actor = 'mallory' WHERE sequence = 3", [])
            .unwrap();
        let report = vault.verify_audit_chain(&fake_verify).unwrap();
        let broken = report.broken.unwrap();
        assert_eq!(broken.sequence, 3);
        assert!(broken.reason.contains("does not match its hash"), "{}", broken.reason);
        assert_eq!(report.events, 2, "counted up to the break");
    }

    #[test]
    fn rewriting_an_unsigned_event_with_fresh_hashes_is_caught_by_the_next_signature() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_with_events(dir.path());
        // The forger changes event 4 and recomputes every hash from there on; they cannot sign.
        let events = vault.audit_events().unwrap();
        let mut previous = events[2].hash;
        for event in &events[3..] {
            let details = if event.sequence == 4 {
                "all fine"
            } else {
                event.details.as_str()
            };
            let hash = event_hash(
                &previous,
                event.sequence,
                &event.at,
                &event.actor,
                &event.action,
                event.registration_id.as_deref(),
                details,
            );
            vault
                .connection
                .execute(
                    "UPDATE audit_events SET details = ?2, hash = ?3 WHERE sequence = ?1",
                    params![event.sequence as i64, details, hash.as_slice()],
                )
                .unwrap();
            previous = hash;
        }
        let broken = vault.verify_audit_chain(&fake_verify).unwrap().broken.unwrap();
        assert_eq!(broken.sequence, 5, "the signature on event 5 covers event 4");
        assert!(broken.reason.contains("from 3 to 5"), "{}", broken.reason);
    }

    #[test]
    fn a_deleted_event_and_a_foreign_key_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_with_events(dir.path());
        let wrong_key = |message: &[u8], signature: &[u8]| {
            Sha256::new()
                .chain_update(b"other")
                .chain_update(message)
                .finalize()
                .as_slice()
                == signature
        };
        let broken = vault.verify_audit_chain(&wrong_key).unwrap().broken.unwrap();
        assert_eq!(broken.sequence, 1);
        vault
            .connection
            .execute("DELETE FROM audit_events WHERE sequence = 4", [])
            .unwrap();
        let broken = vault.verify_audit_chain(&fake_verify).unwrap().broken.unwrap();
        assert_eq!(broken.sequence, 4);
        assert!(broken.reason.contains("missing"), "{}", broken.reason);
    }
}
