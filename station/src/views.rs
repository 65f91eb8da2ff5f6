//! The values the API hands to its callers: plain, serializable, and free of secrets.

use serde::{Deserialize, Serialize};

pub use enroll_packet::DeviceIdentity;

/// First-run request.
#[derive(Debug, Clone, Deserialize)]
pub struct SetupRequest {
    pub station_name: String,
    pub center_id: String,
    pub admin_username: String,
    pub admin_full_name: String,
    pub admin_password: String,
}

/// An operator to add.
#[derive(Debug, Clone, Deserialize)]
pub struct NewOperatorRequest {
    pub username: String,
    pub full_name: String,
    /// "admin", "supervisor" or "officer".
    pub role: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StationStatus {
    pub needs_setup: bool,
    pub station_id: Option<String>,
    pub station_name: Option<String>,
    pub intake_url: String,
    pub operator: Option<OperatorView>,
    /// True when `operator`'s session locked after inactivity: show the lock screen, which
    /// asks for their password again (`log_in`).
    pub session_locked: bool,
    /// True when the capture devices are simulated (the UI must say so).
    pub simulated_devices: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorView {
    pub username: String,
    pub full_name: String,
    /// "admin", "supervisor" or "officer".
    pub role: String,
}

pub use enroll_schemas::{FormField, FormLanguage, FormOption, FormSpec};

/// A captured image ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureView {
    /// `data:image/png;base64,...`
    pub preview_data_url: String,
    pub quality: u8,
    pub device: DeviceIdentity,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReceiptView {
    pub intake_reference: String,
    pub received_at: String,
}

/// A registration as the UI shows it. `identity` and `face` are present only while the station
/// can still read the packet (draft and pending approval).
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationView {
    pub registration_id: String,
    /// "draft", "pending_approval", "sealed", "uploaded", "acknowledged", "rejected".
    pub state: String,
    pub identity: Option<serde_json::Value>,
    pub face: Option<CaptureView>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub receipt: Option<ReceiptView>,
    /// The last upload failure, if the packet is still queued.
    pub last_error: Option<crate::error::ErrorView>,
    /// The supervisor's decision, once there is one (sealed or rejected onward), with the
    /// reason of a rejection.
    pub decision: Option<DecisionView>,
}

/// What a supervisor decided. From `uploaded` on the state no longer says it, so every screen
/// that shows a reviewed packet shows this beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionView {
    pub outcome: DecisionOutcome,
    /// The supervisor or admin who decided.
    pub by: String,
    /// Why it was rejected. Only in [`RegistrationView`]: the reason is kept under the data
    /// key (it may describe the resident) and the home lists do not decrypt it. `None` for an
    /// approval, and once the packet is purged.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    Approved,
    Rejected,
}

/// The decision a row records (`approved_by` or `rejected_by`), without its reason.
pub(crate) fn decision_of(approved_by: Option<String>, rejected_by: Option<String>) -> Option<DecisionView> {
    match (approved_by, rejected_by) {
        (_, Some(by)) => Some(DecisionView {
            outcome: DecisionOutcome::Rejected,
            by,
            reason: None,
        }),
        (Some(by), None) => Some(DecisionView {
            outcome: DecisionOutcome::Approved,
            by,
            reason: None,
        }),
        (None, None) => None,
    }
}

/// The register's receipt as stored (a `SignedReceipt`, verified when it came), for display.
pub(crate) fn receipt_view(receipt_json: &str) -> Option<ReceiptView> {
    serde_json::from_str::<enroll_packet::SignedReceipt>(receipt_json)
        .ok()
        .map(|signed| ReceiptView {
            intake_reference: signed.receipt.intake_reference,
            received_at: signed.receipt.received_at,
        })
}

/// A stored upload failure as the UI shows errors.
pub(crate) fn upload_error_view((code, message): (String, String)) -> crate::error::ErrorView {
    crate::error::ErrorView {
        code,
        message,
        fields: Vec::new(),
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub attempted: u32,
    pub acknowledged: u32,
    pub failures: Vec<SyncFailure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncFailure {
    pub registration_id: String,
    pub code: String,
    pub message: String,
}

/// What [`crate::Station::purge_expired`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PurgeReport {
    /// Registrations purged now (their tombstones remain).
    pub purged: Vec<String>,
}
