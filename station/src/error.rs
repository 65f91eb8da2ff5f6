//! The one error type of the application API, and what of it crosses to the window.
//!
//! A [`StationError`] keeps the English detail for the station log (its `Display`). The window
//! gets an [`ErrorView`]: a stable [`ErrorCode`], named parameters and per-field problems, and no
//! English text. Every code has a sentence in each of the UI's message catalogues
//! (`ui/src/lib/i18n/`), which the UI's tests check against [`ErrorCode::ALL`] as exported into
//! the generated bindings; so a clerk reads every failure in the language of the screen.

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;

pub use enroll_schemas::FieldError;

use crate::views::RegistrationStateName;

/// Declares [`ErrorCode`] and its list of every code together, so the list cannot miss one.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal,)*) => {
        /// Every code the window can receive. Stable: the UI branches on them and the vault
        /// keeps them as the last upload error of a queued packet.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* #[serde(rename = $code)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order (exported to the UI, whose tests check that
            /// each one has a sentence in every catalogue).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The code a stored string names, for upload errors kept in the vault.
            pub fn parse(code: &str) -> Option<ErrorCode> {
                match code {
                    $($code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // The station's own.
    NotSetUp = "not_set_up",
    AlreadySetUp = "already_set_up",
    WrongCredentials = "wrong_credentials",
    NotSignedIn = "not_signed_in",
    /// Params: `until` (RFC 3339, UTC).
    AccountLocked = "account_locked",
    /// Params: `username`.
    SessionLocked = "session_locked",
    /// Params: `rule` (a [`PermissionRule`]).
    NotPermitted = "not_permitted",
    NotFound = "not_found",
    /// Params: `registration_id`, `state` (a registration state).
    InvalidState = "invalid_state",
    ValidationFailed = "validation_failed",
    InvalidInput = "invalid_input",
    Config = "config",
    Internal = "internal",
    // The vault's.
    OperatorExists = "operator_exists",
    VaultCorrupt = "vault_corrupt",
    DiskFull = "disk_full",
    VaultError = "vault_error",
    VaultIo = "vault_io",
    VaultInUse = "vault_in_use",
    // Packets'.
    WrongKey = "wrong_key",
    Truncated = "truncated",
    ChunkCorrupt = "chunk_corrupt",
    BadSignature = "bad_signature",
    UnknownVersion = "unknown_version",
    Malformed = "malformed",
    ContentsInvalid = "contents_invalid",
    CbeffInvalid = "cbeff_invalid",
    DocumentInvalid = "document_invalid",
    BadKey = "bad_key",
    StationKeyMismatch = "station_key_mismatch",
    PacketIo = "io",
    // Removable media's (an export folder: `exchange`); params: `file`, the file in the folder.
    // `media_incomplete`: the folder has no manifest, an export or a copy that did not finish.
    MediaIncomplete = "media_incomplete",
    MediaManifestInvalid = "media_manifest_invalid",
    MediaSignatureInvalid = "media_signature_invalid",
    MediaFileMissing = "media_file_missing",
    MediaFileTruncated = "media_file_truncated",
    MediaFileChanged = "media_file_changed",
    MediaFileUnexpected = "media_file_unexpected",
    MediaReceiptInvalid = "media_receipt_invalid",
    ConfigInvalid = "config_invalid",
    // Devices'.
    DeviceNotConnected = "device_not_connected",
    DeviceBadImage = "device_bad_image",
    CaptureFailed = "capture_failed",
    ScannerFailed = "scanner_failed",
    ScannerUnavailable = "scanner_unavailable",
    DeviceBadRecord = "device_bad_record",
    DeviceBusy = "device_busy",
    CaptureTimeout = "capture_timeout",
    CaptureCancelled = "capture_cancelled",
    DeviceUnsupportedStep = "device_unsupported_step",
    DeviceProtocol = "device_protocol",
    DeviceUntrusted = "device_untrusted",
    SbiError = "sbi_error",
    UsbUnavailable = "usb_unavailable",
    UsbAccessDenied = "usb_access_denied",
    SlapSegmentationFailed = "slap_segmentation_failed",
    /// No finger of the capture gave a usable template (`enroll_devices::matching`).
    FingerprintUnusable = "fingerprint_unusable",
    /// The officer's finger does not match the fingers they enrolled.
    FingerprintNotRecognised = "fingerprint_not_recognised",
    /// A sign-off by finger asked of an operator who enrolled none.
    NoFingerprintsEnrolled = "no_fingerprints_enrolled",
    NoDevice = "no_device",
    ForceCaptureNotAllowed = "force_capture_not_allowed",
    OfflineLimitReached = "offline_limit_reached",
    /// The sync waits for a sign-in, which vouches for the key the station signs its requests with.
    RequestKeyUnproven = "request_key_unproven",
    /// The register's operator list (`crate::operator_list`) does not name the operator.
    /// Params: `username`.
    OperatorNotListed = "operator_not_listed",
    /// The register's operator list suspends the operator. Params: `username`.
    OperatorSuspended = "operator_suspended",
    /// The register's operator list gives the operator another role. Params: `username`,
    /// `role` (the listed one).
    OperatorRoleNotListed = "operator_role_not_listed",
    // The intake's, as the station's sync meets them.
    IntakeUnreachable = "intake_unreachable",
    InvalidUrl = "invalid_url",
    PacketRejected = "packet_rejected",
    DuplicateRegistration = "duplicate_registration",
    UnknownStation = "unknown_station",
    StationExists = "station_exists",
    StationPending = "station_pending",
    StationRevoked = "station_revoked",
    EnrollmentCodeInvalid = "enrollment_code_invalid",
    RequestKeyUnknown = "request_key_unknown",
    SignatureRefused = "signature_refused",
    SignatureExpired = "signature_expired",
    BadReceipt = "bad_receipt",
    UploadTooLarge = "upload_too_large",
    ChecksumMismatch = "checksum_mismatch",
    UploadGone = "upload_gone",
    UploadIncomplete = "upload_incomplete",
    IntakeError = "intake_error",
    Protocol = "protocol",
    // The desktop shell's own (src-tauri), for what it does without the station.
    /// A path the window sent is not one the shell writes to (not absolute, no such folder, the
    /// wrong extension).
    InvalidPath = "invalid_path",
    /// The window could not be printed to the slip's PDF file; nothing was left at the path.
    SlipPdfFailed = "slip_pdf_failed",
}

/// A code equals its text ("intake_unreachable"): what tests and logs compare.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, code: &&str) -> bool {
        self.as_str() == *code
    }
}

/// Why a role check refused: the UI has a sentence for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PermissionRule {
    /// Operators, passwords of others, the policy and purging are an admin's.
    AdminOnly,
    /// Approving and rejecting are a supervisor's or an admin's.
    OfficerCannotReview,
    /// Nobody approves or rejects a registration they made.
    OwnRegistration,
    /// An officer discards only their own drafts.
    OthersDraft,
    /// An admin cannot remove their own account.
    RemoveSelf,
    /// One's own password is changed with the current one, not reset.
    ResetOwnPassword,
    /// A force capture is signed off by a supervisor or an admin other than the clerk.
    SignOffNeedsSupervisor,
    /// The station's dashboard and end-of-day report are a supervisor's or an admin's.
    SupervisorOnly,
}

impl PermissionRule {
    pub const ALL: &'static [PermissionRule] = &[
        PermissionRule::AdminOnly,
        PermissionRule::OfficerCannotReview,
        PermissionRule::OwnRegistration,
        PermissionRule::OthersDraft,
        PermissionRule::RemoveSelf,
        PermissionRule::ResetOwnPassword,
        PermissionRule::SignOffNeedsSupervisor,
        PermissionRule::SupervisorOnly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PermissionRule::AdminOnly => "admin_only",
            PermissionRule::OfficerCannotReview => "officer_cannot_review",
            PermissionRule::OwnRegistration => "own_registration",
            PermissionRule::OthersDraft => "others_draft",
            PermissionRule::RemoveSelf => "remove_self",
            PermissionRule::ResetOwnPassword => "reset_own_password",
            PermissionRule::SignOffNeedsSupervisor => "sign_off_needs_supervisor",
            PermissionRule::SupervisorOnly => "supervisor_only",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StationError {
    #[error("the station is not set up yet")]
    NotSetUp,
    #[error("the station is already set up")]
    AlreadySetUp,
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("the finger does not match the signed-in operator's enrolled fingers")]
    FingerprintNotRecognised,
    #[error("the signed-in operator has enrolled no fingers")]
    NoFingerprintsEnrolled,
    #[error("nobody is signed in")]
    NotSignedIn,
    #[error("too many wrong passwords: {username} is locked out until {}", crate::rfc3339(*until))]
    AccountLocked { username: String, until: OffsetDateTime },
    #[error("the session of {username} locked after inactivity")]
    SessionLocked { username: String },
    /// The detail says what was attempted, for the log.
    #[error("not permitted ({rule:?}): {detail}")]
    NotPermitted { rule: PermissionRule, detail: String },
    #[error("no {0}")]
    NotFound(String),
    #[error("registration {registration_id} is {}, which does not allow this", state.as_str())]
    InvalidState {
        registration_id: String,
        state: RegistrationStateName,
    },
    #[error("some fields need attention")]
    ValidationFailed(Vec<FieldError>),
    #[error("{0}")]
    InvalidInput(String),
    /// No device found can take this capture step (none plugged in, none ready).
    #[error("no device can capture {step}")]
    NoDevice { step: String },
    /// Force capture asked where the policy does not allow it now (attempts left, nothing
    /// under the threshold, or never in this country).
    #[error("force capture is not allowed for {step}: {why}")]
    ForceCaptureNotAllowed { step: String, why: String },
    /// New registrations wait until the station syncs (or has disk space): see `offline`.
    #[error("new registrations are stopped: the offline limit on {} is reached", reason.as_str())]
    OfflineLimit { reason: crate::offline::OfflineReason },
    /// The station's request key has no proof by the packet key yet (a station set up before
    /// request keys): the sync waits for a sign-in, which makes it (see `crate::request_key`).
    #[error("the station's request key is not vouched for by its packet key yet; packets stay queued until an operator signs in once")]
    RequestKeyUnproven,
    #[error("the register's operator list does not name {username}")]
    OperatorNotListed { username: String },
    #[error("the register has suspended {username}")]
    OperatorSuspended { username: String },
    #[error("the register's operator list gives {username} the role {role}")]
    OperatorRoleNotListed { username: String, role: &'static str },
    #[error("configuration error: {0}")]
    Config(String),
    /// A bug or a broken invariant; the detail is for the log.
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] enroll_store::StoreError),
    #[error(transparent)]
    Packet(#[from] enroll_packet::PacketError),
    #[error(transparent)]
    Device(#[from] enroll_devices::DeviceError),
    #[error(transparent)]
    Sync(#[from] enroll_sync::SyncError),
}

impl StationError {
    /// Stored data that does not read back (a damaged or tampered vault).
    pub fn corrupt(detail: impl Into<String>) -> StationError {
        StationError::Store(enroll_store::StoreError::Corrupt(detail.into()))
    }

    pub fn not_permitted(rule: PermissionRule, detail: impl Into<String>) -> StationError {
        StationError::NotPermitted {
            rule,
            detail: detail.into(),
        }
    }

    pub fn error_code(&self) -> ErrorCode {
        match self {
            StationError::NotSetUp => ErrorCode::NotSetUp,
            StationError::AlreadySetUp => ErrorCode::AlreadySetUp,
            StationError::WrongCredentials => ErrorCode::WrongCredentials,
            StationError::FingerprintNotRecognised => ErrorCode::FingerprintNotRecognised,
            StationError::NoFingerprintsEnrolled => ErrorCode::NoFingerprintsEnrolled,
            StationError::NotSignedIn => ErrorCode::NotSignedIn,
            StationError::AccountLocked { .. } => ErrorCode::AccountLocked,
            StationError::SessionLocked { .. } => ErrorCode::SessionLocked,
            StationError::NotPermitted { .. } => ErrorCode::NotPermitted,
            StationError::NotFound(_) => ErrorCode::NotFound,
            StationError::InvalidState { .. } => ErrorCode::InvalidState,
            StationError::ValidationFailed(_) => ErrorCode::ValidationFailed,
            StationError::InvalidInput(_) => ErrorCode::InvalidInput,
            StationError::NoDevice { .. } => ErrorCode::NoDevice,
            StationError::ForceCaptureNotAllowed { .. } => ErrorCode::ForceCaptureNotAllowed,
            StationError::OfflineLimit { .. } => ErrorCode::OfflineLimitReached,
            StationError::RequestKeyUnproven => ErrorCode::RequestKeyUnproven,
            StationError::OperatorNotListed { .. } => ErrorCode::OperatorNotListed,
            StationError::OperatorSuspended { .. } => ErrorCode::OperatorSuspended,
            StationError::OperatorRoleNotListed { .. } => ErrorCode::OperatorRoleNotListed,
            StationError::Config(_) => ErrorCode::Config,
            StationError::Internal(_) => ErrorCode::Internal,
            StationError::Store(error) => store_code(error),
            StationError::Packet(error) => packet_code(error),
            StationError::Device(error) => device_code(error),
            StationError::Sync(error) => sync_code(error),
        }
    }

    /// The stable code as text (what tests and the log compare).
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The values the UI's sentence for this code needs; never resident data or secrets.
    fn params(&self) -> BTreeMap<String, ErrorParam> {
        let text = |value: &str| ErrorParam::Text(value.to_string());
        let mut params = BTreeMap::new();
        match self {
            StationError::AccountLocked { until, .. } => {
                params.insert("until".to_string(), text(&crate::rfc3339(*until)));
            }
            StationError::SessionLocked { username }
            | StationError::OperatorNotListed { username }
            | StationError::OperatorSuspended { username } => {
                params.insert("username".to_string(), text(username));
            }
            StationError::OperatorRoleNotListed { username, role } => {
                params.insert("username".to_string(), text(username));
                params.insert("role".to_string(), text(role));
            }
            StationError::NotPermitted { rule, .. } => {
                params.insert("rule".to_string(), text(rule.as_str()));
            }
            StationError::OfflineLimit { reason } => {
                params.insert("reason".to_string(), text(reason.as_str()));
            }
            StationError::NoDevice { step } | StationError::ForceCaptureNotAllowed { step, .. } => {
                params.insert("step".to_string(), text(step));
            }
            StationError::InvalidState { registration_id, state } => {
                params.insert("registration_id".to_string(), text(registration_id));
                params.insert("state".to_string(), text(state.as_str()));
            }
            StationError::Packet(enroll_packet::PacketError::Media { file, .. }) => {
                params.insert("file".to_string(), text(file));
            }
            StationError::Store(enroll_store::StoreError::WrongState {
                registration_id,
                actual,
                ..
            }) => {
                params.insert("registration_id".to_string(), text(registration_id));
                params.insert("state".to_string(), text(actual));
            }
            _ => {}
        }
        params
    }
}

/// Each lower crate's errors, matched variant by variant: a new variant there does not
/// compile here until it has a code the UI knows.
fn store_code(error: &enroll_store::StoreError) -> ErrorCode {
    use enroll_store::StoreError as E;
    match error {
        E::WrongCredentials => ErrorCode::WrongCredentials,
        E::AlreadySetUp => ErrorCode::AlreadySetUp,
        E::NotSetUp => ErrorCode::NotSetUp,
        E::NotFound(_) => ErrorCode::NotFound,
        E::WrongState { .. } => ErrorCode::InvalidState,
        E::OperatorExists(_) => ErrorCode::OperatorExists,
        E::Corrupt(_) => ErrorCode::VaultCorrupt,
        E::DiskFull => ErrorCode::DiskFull,
        E::Database(_) => ErrorCode::VaultError,
        E::Io(_) => ErrorCode::VaultIo,
        E::InUse => ErrorCode::VaultInUse,
    }
}

fn packet_code(error: &enroll_packet::PacketError) -> ErrorCode {
    use enroll_packet::PacketError as E;
    match error {
        E::WrongKey { .. } => ErrorCode::WrongKey,
        E::Truncated(_) => ErrorCode::Truncated,
        E::ChunkCorrupt { .. } => ErrorCode::ChunkCorrupt,
        E::BadSignature => ErrorCode::BadSignature,
        E::UnknownVersion(_) => ErrorCode::UnknownVersion,
        E::Malformed(_) => ErrorCode::Malformed,
        E::Contents(_) => ErrorCode::ContentsInvalid,
        E::Cbeff(_) => ErrorCode::CbeffInvalid,
        E::Document(_) => ErrorCode::DocumentInvalid,
        E::BadKey(_) => ErrorCode::BadKey,
        E::StationKeyMismatch { .. } => ErrorCode::StationKeyMismatch,
        E::BadReceipt => ErrorCode::BadReceipt,
        // The intake's check of a request signature: the station only signs (its client turns
        // a failure to sign into `protocol`), so reaching the window is a bug.
        E::RequestSignature(_) => ErrorCode::Internal,
        E::Media { fault, .. } => media_code(*fault),
        E::ConfigInvalid(_) => ErrorCode::ConfigInvalid,
        E::Io(_) => ErrorCode::PacketIo,
    }
}

fn media_code(fault: enroll_packet::exchange_manifest::MediaFault) -> ErrorCode {
    use enroll_packet::exchange_manifest::MediaFault as F;
    match fault {
        F::Incomplete => ErrorCode::MediaIncomplete,
        F::ManifestInvalid => ErrorCode::MediaManifestInvalid,
        F::SignatureInvalid => ErrorCode::MediaSignatureInvalid,
        F::FileMissing => ErrorCode::MediaFileMissing,
        F::FileTruncated => ErrorCode::MediaFileTruncated,
        F::FileChanged => ErrorCode::MediaFileChanged,
        F::FileUnexpected => ErrorCode::MediaFileUnexpected,
        F::ReceiptInvalid => ErrorCode::MediaReceiptInvalid,
    }
}

fn device_code(error: &enroll_devices::DeviceError) -> ErrorCode {
    use enroll_devices::DeviceError as E;
    match error {
        E::NotConnected(_) => ErrorCode::DeviceNotConnected,
        E::BadImage(_) => ErrorCode::DeviceBadImage,
        E::CaptureFailed(_) => ErrorCode::CaptureFailed,
        E::BadRecord { .. } => ErrorCode::DeviceBadRecord,
        E::Busy => ErrorCode::DeviceBusy,
        E::Timeout { .. } => ErrorCode::CaptureTimeout,
        E::Cancelled => ErrorCode::CaptureCancelled,
        E::UnsupportedStep(_) => ErrorCode::DeviceUnsupportedStep,
        E::Protocol(_) => ErrorCode::DeviceProtocol,
        E::Untrusted(_) => ErrorCode::DeviceUntrusted,
        E::Sbi { .. } => ErrorCode::SbiError,
        E::NoUsb => ErrorCode::UsbUnavailable,
        E::BadWsq { .. } | E::Jpeg2000Invalid(_) | E::Jpeg2000Unsupported(_) | E::Jpeg2000TooLarge { .. } => {
            ErrorCode::DeviceBadImage
        }
        E::Jpeg2000EncodeFailed(_) => ErrorCode::CaptureFailed,
        E::UsbAccessDenied(_) => ErrorCode::UsbAccessDenied,
        // An answer for another request, out of its hash chain, or from another clock: it
        // cannot be trusted, whatever caused it.
        E::SbiMismatch(_) => ErrorCode::DeviceUntrusted,
        E::TrustStore(_) => ErrorCode::Config,
        E::SlapSegmentationFailed { .. } => ErrorCode::SlapSegmentationFailed,
        E::UsbTransfer(_) => ErrorCode::CaptureFailed,
        E::UsbTimeout { .. } => ErrorCode::CaptureTimeout,
        // Replays of recorded USB traffic run in tests only: reaching the window is a bug.
        E::UsbReplayMismatch { .. } | E::UsbRecording { .. } => ErrorCode::Internal,
        E::Scanner { code, .. } if *code == enroll_devices::scanner::SCANNER_TOOL_MISSING => {
            ErrorCode::ScannerUnavailable
        }
        E::Scanner { .. } => ErrorCode::ScannerFailed,
        E::Fingerprint { .. } => ErrorCode::FingerprintUnusable,
    }
}

fn sync_code(error: &enroll_sync::SyncError) -> ErrorCode {
    use enroll_sync::SyncError as E;
    match error {
        E::IntakeUnreachable { .. } => ErrorCode::IntakeUnreachable,
        E::InvalidUrl { .. } => ErrorCode::InvalidUrl,
        E::PacketRejected { .. } => ErrorCode::PacketRejected,
        E::DuplicateRegistration { .. } => ErrorCode::DuplicateRegistration,
        E::UnknownStation { .. } => ErrorCode::UnknownStation,
        E::StationExists { .. } => ErrorCode::StationExists,
        E::StationPending { .. } => ErrorCode::StationPending,
        E::StationRevoked { .. } => ErrorCode::StationRevoked,
        E::EnrollmentCodeInvalid => ErrorCode::EnrollmentCodeInvalid,
        E::RequestKeyUnknown { .. } => ErrorCode::RequestKeyUnknown,
        E::SignatureRefused { .. } => ErrorCode::SignatureRefused,
        E::SignatureExpired { .. } => ErrorCode::SignatureExpired,
        E::BadReceipt { .. } => ErrorCode::BadReceipt,
        E::UploadTooLarge { .. } => ErrorCode::UploadTooLarge,
        E::ChecksumMismatch => ErrorCode::ChecksumMismatch,
        E::UploadGone => ErrorCode::UploadGone,
        E::UploadIncomplete => ErrorCode::UploadIncomplete,
        E::IntakeFailed { .. } => ErrorCode::IntakeError,
        E::Protocol(_) => ErrorCode::Protocol,
        // The station's own file of the envelope: the vault's disk, as any other read of it.
        E::EnvelopeUnreadable(_) => ErrorCode::VaultIo,
    }
}

/// A parameter of an error's sentence: text, or a number (which picks a plural form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(untagged)]
pub enum ErrorParam {
    Text(String),
    Number(i64),
}

/// What crosses IPC: `{code, params, fields}`. No English: the window words it from its
/// catalogues; the detail stays in the station log.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ErrorView {
    pub code: ErrorCode,
    pub params: BTreeMap<String, ErrorParam>,
    pub fields: Vec<FieldError>,
}

impl ErrorView {
    /// A failure stored as its code alone (a queued packet's last upload error). A code this
    /// version does not know (written by a newer one) reads as `internal`.
    pub fn from_stored_code(code: &str) -> ErrorView {
        ErrorView {
            code: ErrorCode::parse(code).unwrap_or(ErrorCode::Internal),
            params: BTreeMap::new(),
            fields: Vec::new(),
        }
    }
}

impl From<&StationError> for ErrorView {
    fn from(error: &StationError) -> ErrorView {
        let fields = match error {
            StationError::ValidationFailed(fields) => fields.clone(),
            _ => Vec::new(),
        };
        ErrorView {
            code: error.error_code(),
            params: error.params(),
            fields,
        }
    }
}

impl From<StationError> for ErrorView {
    fn from(error: StationError) -> ErrorView {
        ErrorView::from(&error)
    }
}

impl Serialize for StationError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ErrorView::from(self).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_text_and_no_two_share_one() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            assert!(seen.insert(code.as_str()), "{} twice", code.as_str());
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
        }
        for rule in PermissionRule::ALL {
            assert_eq!(serde_json::to_value(rule).unwrap(), serde_json::json!(rule.as_str()));
        }
    }

    #[test]
    fn the_window_gets_params_and_no_english() {
        let until = time::macros::datetime!(2026-11-30 10:00 UTC);
        let error = StationError::AccountLocked {
            username: "amina".into(),
            until,
        };
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({"code": "account_locked", "params": {"until": "2026-11-30T10:00:00Z"}, "fields": []})
        );
        // The English detail is for the log.
        assert!(error.to_string().contains("amina"));

        let refused = StationError::not_permitted(PermissionRule::OwnRegistration, "approve R1");
        assert_eq!(
            serde_json::to_value(&refused).unwrap(),
            serde_json::json!({"code": "not_permitted", "params": {"rule": "own_registration"}, "fields": []})
        );
        // Sync failures are kept as their code alone (the detail stays in the row and the log),
        // so their sentences need no parameters.
        let failed = StationError::Sync(enroll_sync::SyncError::IntakeFailed {
            status: 503,
            message: "maintenance".into(),
            retry_after: None,
        });
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            serde_json::json!({"code": "intake_error", "params": {}, "fields": []})
        );
    }

    #[test]
    fn a_stored_code_this_version_does_not_know_reads_as_internal() {
        assert_eq!(
            ErrorView::from_stored_code("intake_unreachable").code,
            ErrorCode::IntakeUnreachable
        );
        assert_eq!(ErrorView::from_stored_code("from_the_future").code, ErrorCode::Internal);
    }
}
