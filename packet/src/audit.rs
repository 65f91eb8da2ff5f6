//! Audit events as they travel inside a packet (`audit.json`): what happened to this
//! registration on the station, by whom and when. The station's vault keeps every event in a
//! signed hash chain; the packet carries the events of its own registration.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Position in the station's audit chain (1-based), so the register can match events
    /// against a station's exported chain.
    pub sequence: u64,
    /// RFC 3339.
    pub at: String,
    /// Username of the operator, or "system".
    pub actor: String,
    /// Stable snake_case action, e.g. "registration_created", "registration_finalized",
    /// "registration_approved", "face_captured".
    pub action: String,
    pub registration_id: Option<String>,
    /// Free-form details for people (never resident data).
    pub details: String,
}
