//! A registration's packet at the two moments the station writes it: finalize (the officer's
//! container is sealed to the register and goes into the vault) and review (the supervisor's
//! decision is appended to it).
//!
//! These are the steps after the station has validated the form and checked the roles; the
//! [`crate::Station`] methods call them, and so does `make bench`, so the benchmark times the
//! code that runs in the app rather than a copy of it.
//!
//! Why the packet is sealed at finalize (envelope version 2, `enroll_packet::reviewed`): the
//! decision is a few hundred bytes; the captures and documents are megabytes. Sealed once, they
//! are encrypted, written and synced once, and the review only appends itself and the station's
//! signature. The supervisor reads the pending packet with the key the vault keeps wrapped for
//! it until the review. A registration finalized by an earlier version (its container under a
//! content key) is reviewed the earlier way: the decision spliced into the container
//! ([`enroll_packet::contents::with_review`], byte for byte what a full rebuild writes) and the
//! whole sealed as envelope version 1.
//!
//! Why there is no station signature over the pending container: it would be checked with a key
//! that is unwrapped by the same data key that opens the content, so it could catch nothing that
//! the vault's AES-GCM tag (bound to the registration by its AAD) does not already catch.
//! The packet is signed once, where it counts: on the envelope the register receives.
//!
//! Deliberately absent: form validation and role checks (`Station`), storage (`store`).

use enroll_packet::{PacketContents, PacketReview, RegisterPublicKeys, StationSigningKey, SupervisorDecision};
use enroll_store::{AppendedReview, DataKey, Vault};

use crate::StationError;

pub use crate::content::read_pending;

/// What the supervisor decided, with the reason a rejection needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review<'a> {
    Approve,
    Reject { reason: &'a str },
}

/// Finalize: seal the container of `contents` (its meta names the registration and carries
/// `finalized_at`) to the register and store it in the vault, moving the draft to pending
/// approval.
pub fn store_finalized(vault: &mut Vault, data_key: &DataKey, contents: &PacketContents) -> Result<(), StationError> {
    let finalized_at = contents.meta.finalized_at.as_deref().ok_or_else(|| {
        StationError::Internal("a finalized packet must say when it was finalized (finalized_at)".into())
    })?;
    let registration_id = &contents.meta.registration_id;
    let station = vault.station()?.ok_or(StationError::NotSetUp)?;
    let register = RegisterPublicKeys::from_json(&station.register_keys_json)?;
    let container = contents.to_pieces()?;
    let pending = enroll_packet::seal_pending(&container.slices(), &station.station_id, registration_id, &register)?;
    vault.finalize_sealed(
        registration_id,
        &pending.bytes,
        &pending.body_key,
        data_key,
        finalized_at,
    )?;
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
    let audit = crate::audit::packet_audit_events(vault, registration_id)?;
    let packet_review = PacketReview {
        supervisor: reviewer.to_string(),
        decision: match review {
            Review::Approve => SupervisorDecision::Approved,
            Review::Reject { .. } => SupervisorDecision::Rejected,
        },
        reason: match review {
            Review::Approve => None,
            Review::Reject { reason } => Some(reason.to_string()),
        },
        approved_at: (review == Review::Approve).then(|| now.to_string()),
        audit,
    };
    if let Some((mut pending, body_key)) = vault.open_pending_envelope(registration_id, data_key)? {
        let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(data_key)?);
        let tail = enroll_packet::reviewed::review_pending_from(
            &mut pending,
            &body_key,
            registration_id,
            &packet_review,
            &signing_key,
        )
        .map_err(|e| {
            StationError::corrupt(format!(
                "the pending packet of {registration_id} cannot be reviewed: {e}"
            ))
        })?;
        drop(pending);
        let appended = AppendedReview {
            pending_len: tail.pending_len,
            tail: &tail.bytes,
            envelope_sha256: tail.envelope_sha256,
        };
        match review {
            Review::Approve => vault.approve_appending(registration_id, appended, reviewer, now)?,
            Review::Reject { reason } => {
                vault.reject_appending(registration_id, appended, reviewer, reason, data_key, now)?
            }
        }
        return Ok((tail.pending_len + tail.bytes.len() as u64) as usize);
    }
    let envelope = seal_reviewed(vault, data_key, registration_id, &packet_review)?;
    match review {
        Review::Approve => vault.approve_and_seal(registration_id, &envelope, reviewer, now)?,
        Review::Reject { reason } => {
            vault.reject_and_seal(registration_id, &envelope, reviewer, reason, data_key, now)?
        }
    }
    Ok(envelope.len())
}

/// The version 1 envelope of a registration pending as readable content (finalized by a
/// version before envelope version 2), with the review in its meta and audit events.
fn seal_reviewed(
    vault: &Vault,
    data_key: &DataKey,
    registration_id: &str,
    review: &PacketReview,
) -> Result<Vec<u8>, StationError> {
    let container = read_pending(vault, registration_id, data_key)?;
    let mut meta = enroll_packet::contents::read_meta(&container)?;
    if meta.registration_id != registration_id {
        return Err(StationError::corrupt(format!(
            "the pending packet stored for {registration_id} is registration {}; it will not be sealed",
            meta.registration_id
        )));
    }
    review.apply_to(&mut meta);
    let reviewed = enroll_packet::contents::with_review(&container, &meta, &review.audit)?;

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
