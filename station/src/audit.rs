//! The station's side of the audit chain: the events of one registration as a packet carries
//! them, and the checks behind `enroll audit verify` and `enroll vault check`.
//!
//! The chain itself (what is hashed, what is signed, how events recorded while nobody is
//! signed in are covered by the next signature) is described in `enroll_store::audit`. The
//! station supplies the Ed25519 half: it signs with the station key while someone is signed in
//! (`session.rs`), and verifies here with the station's public key.
//!
//! Which public key: the one given by the caller (as registered with the intake) when there is
//! one; otherwise the one the vault recorded at setup. The second only proves the chain is
//! consistent with a key stored beside it, so the report says which was used.
//!
//! Deliberately absent: any write. Both checks open the vault read-only and never migrate it.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use serde::Serialize;

use enroll_store::Vault;

use crate::{Station, StationError, VAULT_FILE};

/// The outcome of [`verify_audit_chain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    pub events: u64,
    /// The newest event whose signature verified.
    pub last_signed: Option<u64>,
    /// Events after `last_signed`, hash-chained but not yet signed (recorded while nobody was
    /// signed in; the next sign-in signs them).
    pub unsigned_tail: u64,
    /// Standard base64.
    pub station_public_key: String,
    /// "given" or "recorded in the vault".
    pub station_public_key_source: String,
    /// The first link that does not hold.
    pub broken: Option<BrokenLinkView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLinkView {
    pub sequence: u64,
    pub reason: String,
}

/// The outcome of [`check_vault`].
#[derive(Debug, Clone, Serialize)]
pub struct VaultCheck {
    pub path: String,
    /// "ok", or what `PRAGMA integrity_check` said.
    pub integrity: String,
    pub schema_version: u32,
    /// The version this software writes; an older vault is migrated when the station opens it.
    pub current_schema_version: u32,
    pub registrations_by_state: BTreeMap<String, u64>,
    pub operators: u64,
    pub audit_events: u64,
    /// `None` when the vault predates the audit chain or the station is not set up.
    pub audit: Option<AuditVerification>,
    /// Blob files no row names: what a crash between writing a file and its commit leaves for
    /// the retry to overwrite. Harmless (nothing can open them), listed for the record.
    pub stray_files: Vec<String>,
}

impl VaultCheck {
    /// True when nothing is wrong.
    pub fn is_healthy(&self) -> bool {
        self.integrity == "ok" && self.audit.as_ref().is_none_or(|a| a.broken.is_none())
    }
}

impl Station {
    /// The audit events of one registration, oldest first, as a packet carries them.
    pub fn registration_audit(&self, registration_id: &str) -> Result<Vec<enroll_packet::AuditEvent>, StationError> {
        self.signed_in()?;
        let vault = self.vault();
        vault.registration(registration_id)?;
        packet_audit_events(&vault, registration_id)
    }
}

/// The events of `registration_id` in the packet's type, for code that already holds the vault
/// (building a packet at approval).
pub(crate) fn packet_audit_events(
    vault: &Vault,
    registration_id: &str,
) -> Result<Vec<enroll_packet::AuditEvent>, StationError> {
    Ok(vault
        .audit_events_of(registration_id)?
        .into_iter()
        .map(|record| enroll_packet::AuditEvent {
            sequence: record.sequence,
            at: record.at,
            actor: record.actor,
            action: record.action,
            registration_id: record.registration_id,
            details: record.details,
        })
        .collect())
}

fn open_read_only(data_dir: &Path) -> Result<Vault, StationError> {
    let path = data_dir.join(VAULT_FILE);
    Vault::open_read_only(&path).map_err(|error| match error {
        enroll_store::StoreError::NotFound(_) => StationError::Config(format!(
            "there is no vault at {}; give the station's data folder",
            path.display()
        )),
        other => other.into(),
    })
}

/// Check the audit chain of the vault in `data_dir` against `station_key` (or, without it, the
/// key the vault recorded).
pub fn verify_audit_chain(data_dir: &Path, station_key: Option<[u8; 32]>) -> Result<AuditVerification, StationError> {
    let vault = open_read_only(data_dir)?;
    verify_open_vault(&vault, station_key)
}

fn verify_open_vault(vault: &Vault, station_key: Option<[u8; 32]>) -> Result<AuditVerification, StationError> {
    if vault.schema_version()? < 2 {
        return Err(StationError::InvalidInput(format!(
            "this vault is at schema version {} and has no audit chain yet; open it with the station once to migrate it",
            vault.schema_version()?
        )));
    }
    let (key, source) = match station_key {
        Some(key) => (key, "given"),
        None => (
            vault.station_public_key()?.ok_or_else(|| {
                StationError::InvalidInput(
                    "the vault has not recorded the station's public key yet; give it with --station-key".into(),
                )
            })?,
            "recorded in the vault",
        ),
    };
    let verifying_key = ed25519_dalek::VerifyingKey::from_bytes(&key)
        .map_err(|_| StationError::InvalidInput("the station key is not an Ed25519 public key".into()))?;
    let verify = |message: &[u8], signature: &[u8]| {
        ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|signature| verifying_key.verify_strict(message, &signature).is_ok())
    };
    let report = vault.verify_audit_chain(&verify)?;
    Ok(AuditVerification {
        events: report.events,
        last_signed: report.last_signed,
        unsigned_tail: report.unsigned_tail,
        station_public_key: base64::engine::general_purpose::STANDARD.encode(key),
        station_public_key_source: source.to_string(),
        broken: report.broken.map(|b| BrokenLinkView {
            sequence: b.sequence,
            reason: b.reason,
        }),
    })
}

/// Everything `enroll vault check` reports on the vault in `data_dir`.
pub fn check_vault(data_dir: &Path) -> Result<VaultCheck, StationError> {
    let vault = open_read_only(data_dir)?;
    let integrity = match vault.integrity_check() {
        Ok(()) => "ok".to_string(),
        Err(enroll_store::StoreError::Corrupt(verdict)) => verdict,
        Err(other) => return Err(other.into()),
    };
    let schema_version = vault.schema_version()?;
    let counts = vault.counts()?;
    let audit = if schema_version >= 2 && vault.station_public_key()?.is_some() {
        Some(verify_open_vault(&vault, None)?)
    } else {
        None
    };
    Ok(VaultCheck {
        path: vault.path().display().to_string(),
        integrity,
        schema_version,
        current_schema_version: Vault::current_schema_version(),
        registrations_by_state: counts.registrations_by_state.into_iter().collect(),
        operators: counts.operators,
        audit_events: counts.audit_events,
        audit,
        stray_files: vault.stray_blob_files()?,
    })
}
