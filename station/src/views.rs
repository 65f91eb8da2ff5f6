//! The values the API hands to its callers: plain, serializable, and free of secrets.

use serde::{Deserialize, Serialize};
use specta::Type;

/// A role as the window names it: the vault's [`enroll_store::Role`], spelled for IPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Admin,
    Supervisor,
    Officer,
}

impl From<enroll_store::Role> for RoleName {
    fn from(role: enroll_store::Role) -> RoleName {
        match role {
            enroll_store::Role::Admin => RoleName::Admin,
            enroll_store::Role::Supervisor => RoleName::Supervisor,
            enroll_store::Role::Officer => RoleName::Officer,
        }
    }
}

impl From<RoleName> for enroll_store::Role {
    fn from(role: RoleName) -> enroll_store::Role {
        match role {
            RoleName::Admin => enroll_store::Role::Admin,
            RoleName::Supervisor => enroll_store::Role::Supervisor,
            RoleName::Officer => enroll_store::Role::Officer,
        }
    }
}

/// A registration's state as the window names it: the vault's
/// [`enroll_store::RegistrationState`], spelled for IPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStateName {
    Draft,
    PendingApproval,
    Sealed,
    Uploaded,
    Acknowledged,
    Purged,
    Rejected,
}

impl RegistrationStateName {
    pub fn as_str(self) -> &'static str {
        enroll_store::RegistrationState::from(self).as_str()
    }
}

/// A state equals its name on the wire ("pending_approval"): what tests and logs compare.
impl PartialEq<&str> for RegistrationStateName {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

impl RoleName {
    pub fn as_str(self) -> &'static str {
        enroll_store::Role::from(self).as_str()
    }
}

/// A role equals its name on the wire ("officer").
impl PartialEq<&str> for RoleName {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

impl From<enroll_store::RegistrationState> for RegistrationStateName {
    fn from(state: enroll_store::RegistrationState) -> RegistrationStateName {
        use enroll_store::RegistrationState as S;
        match state {
            S::Draft => RegistrationStateName::Draft,
            S::PendingApproval => RegistrationStateName::PendingApproval,
            S::Sealed => RegistrationStateName::Sealed,
            S::Uploaded => RegistrationStateName::Uploaded,
            S::Acknowledged => RegistrationStateName::Acknowledged,
            S::Purged => RegistrationStateName::Purged,
            S::Rejected => RegistrationStateName::Rejected,
        }
    }
}

impl From<RegistrationStateName> for enroll_store::RegistrationState {
    fn from(state: RegistrationStateName) -> enroll_store::RegistrationState {
        use enroll_store::RegistrationState as S;
        match state {
            RegistrationStateName::Draft => S::Draft,
            RegistrationStateName::PendingApproval => S::PendingApproval,
            RegistrationStateName::Sealed => S::Sealed,
            RegistrationStateName::Uploaded => S::Uploaded,
            RegistrationStateName::Acknowledged => S::Acknowledged,
            RegistrationStateName::Purged => S::Purged,
            RegistrationStateName::Rejected => S::Rejected,
        }
    }
}

/// The capture device behind an image, as the window shows it (simulated ones say so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DeviceView {
    pub make: String,
    pub model: String,
    pub serial: String,
    pub simulated: bool,
}

impl From<&enroll_packet::DeviceIdentity> for DeviceView {
    fn from(device: &enroll_packet::DeviceIdentity) -> DeviceView {
        DeviceView {
            make: device.make.clone(),
            model: device.model.clone(),
            serial: device.serial.clone(),
            simulated: device.simulated,
        }
    }
}

/// First-run request.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct SetupRequest {
    pub station_name: String,
    pub center_id: String,
    pub admin_username: String,
    pub admin_full_name: String,
    pub admin_password: String,
    /// The one-time code the register issued for this station, if it gave one: a valid code
    /// approves the station at once; without one it waits for the register's approval.
    pub enrollment_code: Option<String>,
}

/// An operator to add.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct NewOperatorRequest {
    pub username: String,
    pub full_name: String,
    pub role: RoleName,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct StationStatus {
    pub needs_setup: bool,
    pub station_id: Option<String>,
    pub station_name: Option<String>,
    pub intake_url: String,
    pub operator: Option<OperatorView>,
    /// The signed-in operator's interface language (`en`, `fr`, `ar`, `zgh`), when they chose
    /// one: the window switches to it at sign-in.
    pub ui_language: Option<String>,
    /// True when `operator`'s session locked after inactivity: show the lock screen, which
    /// asks for their password again (`log_in`).
    pub session_locked: bool,
    /// True when the station captures with simulated devices (the UI must say so on every
    /// screen): a simulated backend is configured or a device found says it is simulated.
    pub simulated_devices: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct OperatorView {
    pub username: String,
    pub full_name: String,
    pub role: RoleName,
    /// What the register's operator list says of this operator, on the admin's list of
    /// operators (`list_operators`); `None` there when the register sent no list, and
    /// everywhere else.
    pub register_listing: Option<RegisterListing>,
}

/// One choice of a master-data list (a rejection reason, a document type), as the window shows
/// it: a stable code and its label per language code (`eng`, `fra`, `ara`, `tzm`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct MasterEntryView {
    pub code: String,
    pub labels: std::collections::BTreeMap<String, String>,
}

/// Where an operator stands on the register's operator list (see `operator_list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RegisterListing {
    /// Listed and active: may sign in, in the listed role.
    Listed,
    /// Listed and suspended: cannot sign in.
    Suspended,
    /// Not on the list: cannot sign in.
    NotListed,
}

pub use enroll_schemas::{FormField, FormLanguage, FormOption, FormSpec};

/// A captured image ready to show.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CaptureView {
    /// `data:image/png;base64,...`
    pub preview_data_url: String,
    pub quality: u8,
    pub device: DeviceView,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ReceiptView {
    pub intake_reference: String,
    pub received_at: String,
}

/// A registration as the UI shows it. `identity` is present only while the station can still
/// read the packet (draft and pending approval); its biometrics, the face among them, come from
/// `Station::biometrics`.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RegistrationView {
    pub registration_id: String,
    pub state: RegistrationStateName,
    pub identity: Option<serde_json::Value>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub receipt: Option<ReceiptView>,
    /// The last upload failure, if the packet is still queued.
    pub last_error: Option<crate::error::ErrorView>,
    /// The supervisor's decision, once there is one (sealed or rejected onward), with the
    /// reason of a rejection.
    pub decision: Option<DecisionView>,
    /// What the register did with it, once the sync heard (acknowledged onward).
    pub register_status: Option<crate::RegisterStatusView>,
    /// When the resident's consent was recorded, while the station can read the registration
    /// (absent: not given yet, or the form asks for none).
    pub consent_given_at: Option<String>,
    /// The documents attached, without their content, while the station can read the
    /// registration (draft, pending approval); empty otherwise.
    pub documents: Vec<crate::DocumentView>,
    /// The wizard step a draft was left at (absent: never moved, or not a draft).
    pub wizard_step: Option<crate::WizardStep>,
    /// A draft's process when it is not a new registration (an update, a lost card, a
    /// correction); absent otherwise.
    pub process: Option<crate::ProcessView>,
}

/// What a supervisor decided. From `uploaded` on the state no longer says it, so every screen
/// that shows a reviewed packet shows this beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DecisionView {
    pub outcome: DecisionOutcome,
    /// The supervisor or admin who decided.
    pub by: String,
    /// Why it was rejected. Only in [`RegistrationView`]: the reason is kept under the data
    /// key (it may describe the resident) and the home lists do not decrypt it. `None` for an
    /// approval, and once the packet is purged.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
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

/// A stored upload failure as the UI shows errors: its code (the English detail stays in the
/// row and the log).
pub(crate) fn upload_error_view((code, _detail): (String, String)) -> crate::error::ErrorView {
    crate::error::ErrorView::from_stored_code(&code)
}

#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct SyncReport {
    pub attempted: u32,
    pub acknowledged: u32,
    /// Every packet whose try failed this run, quarantined ones included.
    pub failures: Vec<SyncFailure>,
    /// The packets this run set aside for a supervisor (the register refused them for good).
    pub quarantined: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SyncFailure {
    pub registration_id: String,
    pub error: crate::error::ErrorView,
}

/// What [`crate::Station::purge_expired`] did.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct PurgeReport {
    /// Registrations purged now (their tombstones remain).
    pub purged: Vec<String>,
}
