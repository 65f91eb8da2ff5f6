//! The moves of a registration that are not the happy path: a reviewer's rejection, a
//! discarded draft, and the purge of old packets once the retention period is over.
//!
//! - Rejecting is approval's twin: the same reviewer rule (a supervisor or admin, never the
//!   registration's own maker), the same sealing, the readable copy erased in the same
//!   transaction. The sealed packet stays on the station (exportable with
//!   [`Station::sealed_envelope`]) until the retention period ends; it is not uploaded.
//! - Discarding moves a draft to `purged`: its content is erased, its tombstone stays.
//! - Purging erases the envelope of an acknowledged or rejected packet older than
//!   [`crate::StationPolicy::retention`]; the row, its receipt and its audit events stay.
//!
//! Deliberately absent: any undo. Each of these erases resident data on purpose.

use ed25519_dalek::Signature;
use enroll_packet::{PacketContents, RegisterPublicKeys, StationSigningKey, SupervisorDecision};
use enroll_store::{RegistrationState, Role, Vault};

use crate::content::Finalized;
use crate::session::parse_time;
use crate::{check_may_approve, rfc3339, PurgeReport, RegistrationView, Station, StationError};

/// The longest reason a reviewer may give (it travels in the packet's meta).
const MAX_REASON_CHARS: usize = 500;

impl Station {
    /// Reject a pending registration with a reason: sealed like an approval, with the decision
    /// in it, and kept until the retention period ends.
    pub fn reject(&self, registration_id: &str, reason: &str) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(StationError::ValidationFailed(vec![crate::FieldError {
                field: "reason".into(),
                language: None,
                code: if reason.is_empty() { "required" } else { "too_long" }.into(),
                message: format!("give the reason for the rejection, at most {MAX_REASON_CHARS} characters"),
            }]));
        }
        let now = rfc3339((self.clock)());
        {
            let mut vault = self.vault();
            let row = vault.registration(registration_id)?;
            check_may_approve(&operator, &row)?;
            if row.state != RegistrationState::PendingApproval {
                return Err(StationError::InvalidState(format!(
                    "registration {registration_id} is {}, not pending approval",
                    row.state.as_str()
                )));
            }
            let envelope = seal_reviewed(
                &vault,
                registration_id,
                &data_key,
                &operator.username,
                SupervisorDecision::Rejected,
                Some(reason),
                &now,
            )?;
            vault.reject_and_seal(registration_id, &envelope, &operator.username, reason, &data_key, &now)?;
            tracing::info!(registration_id, supervisor = %operator.username, "rejected and sealed");
        }
        self.registration(registration_id)
    }

    /// Abandon a draft: its maker, a supervisor or an admin.
    pub fn discard_draft(&self, registration_id: &str) -> Result<(), StationError> {
        let (operator, _) = self.signed_in()?;
        let mut vault = self.vault();
        let row = vault.registration(registration_id)?;
        if operator.role == Role::Officer && row.created_by != operator.username {
            return Err(StationError::NotPermitted(
                "an officer can discard only their own drafts; ask a supervisor".into(),
            ));
        }
        vault.discard_draft(registration_id, &rfc3339((self.clock)()))?;
        tracing::info!(registration_id, by = %operator.username, "draft discarded");
        Ok(())
    }

    /// Purge every acknowledged or rejected packet whose last change is older than the
    /// retention period (admins only).
    pub fn purge_expired(&self) -> Result<PurgeReport, StationError> {
        let (operator, _) = self.signed_in()?;
        crate::operators::require_admin(&operator, "purge packets")?;
        let now = (self.clock)();
        let mut vault = self.vault();
        let mut candidates = vault.registrations_in(RegistrationState::Acknowledged)?;
        candidates.extend(vault.registrations_in(RegistrationState::Rejected)?);
        let mut report = PurgeReport::default();
        for row in candidates {
            if parse_time(&row.updated_at)? + self.policy.retention <= now {
                vault.purge(&row.registration_id, &rfc3339(now))?;
                report.purged.push(row.registration_id);
            }
        }
        report.purged.sort();
        tracing::info!(count = report.purged.len(), "expired packets purged");
        Ok(report)
    }
}

/// Seal a pending registration's packet after review: check first that the finalized packet is
/// still what the station signed, then record the decision (and a rejection's reason) in the
/// meta, add the registration's audit events, and seal to the register. Approval and rejection
/// both come through here, so a rejected packet is as complete and as sealed as an approved one.
pub(crate) fn seal_reviewed(
    vault: &Vault,
    registration_id: &str,
    data_key: &enroll_store::DataKey,
    reviewer: &str,
    decision: SupervisorDecision,
    reason: Option<&str>,
    now: &str,
) -> Result<Vec<u8>, StationError> {
    let finalized = Finalized::from_bytes(&vault.registration_content(registration_id, data_key)?)?;
    let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(data_key)?);
    signing_key
        .0
        .verifying_key()
        .verify_strict(&finalized.container, &Signature::from_bytes(&finalized.signature))
        .map_err(|_| StationError::Vault {
            code: "vault_corrupt",
            message: format!(
                "the finalized packet {registration_id} was changed after finalize; it will not be sealed"
            ),
        })?;
    let (mut contents, _) = PacketContents::from_bytes(&finalized.container)?;
    contents.meta.supervisor = Some(reviewer.to_string());
    contents.meta.supervisor_decision = Some(decision);
    contents.meta.supervisor_reason = reason.map(str::to_string);
    contents.meta.approved_at = (decision == SupervisorDecision::Approved).then(|| now.to_string());
    contents.audit = crate::audit::packet_audit_events(vault, registration_id)?;
    let station = vault.station()?.ok_or(StationError::NotSetUp)?;
    let register = RegisterPublicKeys::from_json(&station.register_keys_json)?;
    Ok(enroll_packet::seal_for_register(
        &contents.to_bytes()?,
        &station.station_id,
        registration_id,
        &signing_key,
        &register,
    )?)
}
