//! The check of a vault after a crash or a full disk: SQLite's own integrity check, then every
//! registration row, in whatever state, checked for what that state promises.
//!
//! - draft: the content decrypts and is a whole save of this registration ([`crate::drafts`]);
//! - pending approval: the content decrypts to a container that names this registration;
//! - sealed, uploaded, acknowledged: the readable copy is gone, and the envelope opens with the
//!   register's key, carries the station's signature and names this registration; uploaded
//!   rows have their upload URL, acknowledged rows their receipt;
//! - no registration sequence number is used twice (a crash between taking a sequence number
//!   and saving the draft may leave a gap, never a duplicate);
//! - the blob folder holds no file that no row names, except what a crash between writing a
//!   file and its commit leaves for the retry: a draft's `.content`, a pending `.envelope`.
//!
//! Deliberately absent: comparing against what a worker reported (the harness does that with
//! the [`RowReport`]s returned here).

use std::collections::HashMap;

use anyhow::{bail, ensure, Context as _};
use enroll_packet::{PacketContents, RegisterKeyPair};
use enroll_store::{DataKey, RegistrationState, Vault};

use crate::drafts::check_draft_content;

/// What a registration row was found to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    pub registration_id: String,
    pub state: RegistrationState,
    /// The save number of a draft.
    pub draft_version: Option<u32>,
    pub has_upload_url: bool,
    pub has_receipt: bool,
}

/// The place of a state along the lifecycle, for "in that state or a later one".
pub fn lifecycle_rank(state: RegistrationState) -> u8 {
    match state {
        RegistrationState::Draft => 0,
        RegistrationState::PendingApproval => 1,
        RegistrationState::Sealed => 2,
        RegistrationState::Uploaded => 3,
        RegistrationState::Acknowledged => 4,
        RegistrationState::Purged => 5,
        RegistrationState::Rejected => 6,
    }
}

/// The sequence number inside a registration id (center 5, station 5, then sequence 5 digits).
pub fn sequence_of(registration_id: &str) -> Option<&str> {
    registration_id.get(10..15)
}

/// Check the whole vault; the first problem found is the error.
pub fn inspect_vault(vault: &Vault, data_key: &DataKey, register: &RegisterKeyPair) -> anyhow::Result<Vec<RowReport>> {
    vault.integrity_check().context("PRAGMA integrity_check")?;
    let station_key = enroll_packet::StationSigningKey::from_seed(vault.station_signing_seed(data_key)?);
    let station_public_key = station_key.public_key();
    let mut sequences: HashMap<String, String> = HashMap::new();
    let mut reports = Vec::new();
    for row in vault.registrations()? {
        let id = row.registration_id.clone();
        let sequence = sequence_of(&id).with_context(|| format!("registration id {id:?} is too short"))?;
        if let Some(other) = sequences.insert(sequence.to_string(), id.clone()) {
            bail!("sequence {sequence} is used by both {other} and {id}: a duplicated registration");
        }
        let mut draft_version = None;
        match row.state {
            RegistrationState::Draft => {
                let content = vault
                    .registration_content(&id, data_key)
                    .with_context(|| format!("draft {id} does not decrypt"))?;
                draft_version = Some(check_draft_content(&id, &content).with_context(|| format!("draft {id}"))?);
            }
            RegistrationState::PendingApproval => {
                let container = enroll_station::packaging::read_pending(vault, &id, data_key)
                    .with_context(|| format!("pending {id} does not decrypt"))?;
                let (contents, _) = PacketContents::from_bytes(&container).with_context(|| format!("pending {id}"))?;
                ensure!(
                    contents.meta.registration_id == id,
                    "pending {id} holds the packet of {}",
                    contents.meta.registration_id
                );
            }
            RegistrationState::Sealed
            | RegistrationState::Uploaded
            | RegistrationState::Acknowledged
            | RegistrationState::Rejected => {
                ensure!(
                    vault.registration_content(&id, data_key).is_err(),
                    "{id} is {} but its readable copy is still there",
                    row.state.as_str()
                );
                let envelope = vault.envelope(&id).with_context(|| format!("{id} has no envelope"))?;
                let opened = enroll_packet::open_envelope(&envelope, register, &station_public_key)
                    .with_context(|| format!("the envelope of {id} does not open"))?;
                ensure!(
                    opened.header.registration_id == id,
                    "the envelope of {id} names {}",
                    opened.header.registration_id
                );
                ensure!(
                    opened.contents.meta.supervisor.is_some(),
                    "the envelope of {id} has no supervisor"
                );
            }
            RegistrationState::Purged => {}
        }
        if row.state == RegistrationState::Uploaded {
            ensure!(row.upload_url.is_some(), "uploaded {id} has no upload URL");
        }
        if row.state == RegistrationState::Acknowledged {
            ensure!(row.receipt_json.is_some(), "acknowledged {id} has no receipt");
        }
        reports.push(RowReport {
            registration_id: id,
            state: row.state,
            draft_version,
            has_upload_url: row.upload_url.is_some(),
            has_receipt: row.receipt_json.is_some(),
        });
    }
    // The only files no row names are the ones a crash leaves for a retry to overwrite.
    for stray in vault.stray_blob_files()? {
        let allowed = reports.iter().any(|row| {
            (row.state == RegistrationState::Draft
                && [".content", ".envelope"]
                    .map(|kind| format!("{}{kind}", row.registration_id))
                    .contains(&stray))
                || (row.state == RegistrationState::PendingApproval
                    && stray == format!("{}.envelope", row.registration_id))
        });
        ensure!(
            allowed,
            "the blob file {stray} belongs to no registration that could still need it"
        );
    }
    Ok(reports)
}
