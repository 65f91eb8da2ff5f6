//! A registration's packet at the two moments the station writes it: finalize (the officer's
//! container goes into the vault) and review (the supervisor's decision goes into the packet,
//! which is sealed to the register).
//!
//! These are the steps after the station has validated the form and checked the roles; the
//! [`crate::Station`] methods call them, and so does `make bench`, so the benchmark times the
//! code that runs in the app rather than a copy of it.
//!
//! Why review splices instead of rebuilding: the decision changes `meta.json` and `audit.json`,
//! a few hundred bytes; the captures and documents around them are megabytes.
//! [`enroll_packet::contents::with_review`] copies those entries as they are (the result is
//! byte for byte what a full rebuild writes), which keeps approval well inside its time limit.
//!
//! Why there is no station signature over the pending container: it would be checked with a key
//! that is unwrapped by the same data key that opens the content, so it could catch nothing that
//! the vault's AES-GCM tag (bound to the registration by its AAD) does not already catch.
//! The packet is signed once, where it counts: on the envelope the register receives.
//!
//! Deliberately absent: form validation and role checks (`Station`), storage (`store`).

use enroll_packet::{PacketContents, RegisterPublicKeys, StationSigningKey, SupervisorDecision};
use enroll_store::{DataKey, Vault};

use crate::StationError;

pub use crate::content::pending_container;

/// What the supervisor decided, with the reason a rejection needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review<'a> {
    Approve,
    Reject { reason: &'a str },
}

/// Finalize: write the container of `contents` (its meta names the registration and carries
/// `finalized_at`) into the vault, moving the draft to pending approval.
pub fn store_finalized(vault: &mut Vault, data_key: &DataKey, contents: &PacketContents) -> Result<(), StationError> {
    let finalized_at = contents.meta.finalized_at.as_deref().ok_or_else(|| {
        StationError::Internal("a finalized packet must say when it was finalized (finalized_at)".into())
    })?;
    let container = contents.to_bytes()?;
    vault.finalize(&contents.meta.registration_id, &container, data_key, finalized_at)?;
    Ok(())
}

/// Review: record the decision in the pending packet, seal it to the register and store the
/// envelope in place of the readable copy (approved: queued for upload; rejected: kept with
/// its reason). Returns the envelope's length.
pub fn store_reviewed(
    vault: &mut Vault,
    data_key: &DataKey,
    registration_id: &str,
    reviewer: &str,
    review: Review<'_>,
    now: &str,
) -> Result<usize, StationError> {
    let envelope = seal_reviewed(vault, data_key, registration_id, reviewer, review, now)?;
    match review {
        Review::Approve => vault.approve_and_seal(registration_id, &envelope, reviewer, now)?,
        Review::Reject { reason } => {
            vault.reject_and_seal(registration_id, &envelope, reviewer, reason, data_key, now)?
        }
    }
    Ok(envelope.len())
}

/// The sealed envelope of a pending registration with the decision in its meta and the
/// registration's audit events in the packet.
fn seal_reviewed(
    vault: &Vault,
    data_key: &DataKey,
    registration_id: &str,
    reviewer: &str,
    review: Review<'_>,
    now: &str,
) -> Result<Vec<u8>, StationError> {
    let stored = vault.registration_content(registration_id, data_key)?;
    let container = crate::content::pending_container(&stored)?;
    let mut meta = enroll_packet::contents::read_meta(container)?;
    if meta.registration_id != registration_id {
        return Err(StationError::corrupt(format!(
            "the pending packet stored for {registration_id} is registration {}; it will not be sealed",
            meta.registration_id
        )));
    }
    meta.supervisor = Some(reviewer.to_string());
    (meta.supervisor_decision, meta.supervisor_reason, meta.approved_at) = match review {
        Review::Approve => (Some(SupervisorDecision::Approved), None, Some(now.to_string())),
        Review::Reject { reason } => (Some(SupervisorDecision::Rejected), Some(reason.to_string()), None),
    };
    let audit = crate::audit::packet_audit_events(vault, registration_id)?;
    let reviewed = enroll_packet::contents::with_review(container, &meta, &audit)?;

    let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(data_key)?);
    let station = vault.station()?.ok_or(StationError::NotSetUp)?;
    let register = RegisterPublicKeys::from_json(&station.register_keys_json)?;
    Ok(enroll_packet::seal_for_register(
        &reviewed,
        &station.station_id,
        registration_id,
        &signing_key,
        &register,
    )?)
}
