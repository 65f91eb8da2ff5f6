//! The one error type of the application API. It serializes as `{code, message, fields}` so
//! the UI can branch on `code` (see `ui/src/lib/backend/errors.ts`).

use serde::Serialize;

pub use enroll_schemas::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StationError {
    #[error("the station is not set up yet")]
    NotSetUp,
    #[error("the station is already set up")]
    AlreadySetUp,
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("nobody is signed in")]
    NotSignedIn,
    #[error("{0}")]
    AccountLocked(String),
    #[error("{0}")]
    SessionLocked(String),
    #[error("{0}")]
    NotPermitted(String),
    #[error("no {0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("some fields need attention")]
    ValidationFailed(Vec<FieldError>),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{message}")]
    Sync { code: &'static str, message: String },
    #[error("{message}")]
    Vault { code: &'static str, message: String },
    #[error("{message}")]
    Device { code: &'static str, message: String },
    #[error("{message}")]
    Packet { code: &'static str, message: String },
    #[error("configuration error: {0}")]
    Config(String),
}

impl StationError {
    pub fn code(&self) -> &'static str {
        match self {
            StationError::NotSetUp => "not_set_up",
            StationError::AlreadySetUp => "already_set_up",
            StationError::WrongCredentials => "wrong_credentials",
            StationError::NotSignedIn => "not_signed_in",
            StationError::AccountLocked(_) => "account_locked",
            StationError::SessionLocked(_) => "session_locked",
            StationError::NotPermitted(_) => "not_permitted",
            StationError::NotFound(_) => "not_found",
            StationError::InvalidState(_) => "invalid_state",
            StationError::ValidationFailed(_) => "validation_failed",
            StationError::InvalidInput(_) => "invalid_input",
            StationError::Sync { code, .. }
            | StationError::Vault { code, .. }
            | StationError::Device { code, .. }
            | StationError::Packet { code, .. } => code,
            StationError::Config(_) => "config",
        }
    }
}

/// What crosses IPC: `{code, message, fields}`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorView {
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl From<&StationError> for ErrorView {
    fn from(error: &StationError) -> ErrorView {
        let fields = match error {
            StationError::ValidationFailed(fields) => fields.clone(),
            _ => Vec::new(),
        };
        ErrorView {
            code: error.code().to_string(),
            message: error.to_string(),
            fields,
        }
    }
}

impl Serialize for StationError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ErrorView::from(self).serialize(serializer)
    }
}

impl From<enroll_store::StoreError> for StationError {
    fn from(error: enroll_store::StoreError) -> StationError {
        use enroll_store::StoreError as E;
        match error {
            E::WrongCredentials => StationError::WrongCredentials,
            E::NotSetUp => StationError::NotSetUp,
            E::AlreadySetUp => StationError::AlreadySetUp,
            E::NotFound(id) => StationError::NotFound(id),
            E::WrongState { .. } => StationError::InvalidState(error.to_string()),
            other => StationError::Vault {
                code: other.code(),
                message: other.to_string(),
            },
        }
    }
}

impl From<enroll_packet::PacketError> for StationError {
    fn from(error: enroll_packet::PacketError) -> StationError {
        StationError::Packet {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<enroll_devices::DeviceError> for StationError {
    fn from(error: enroll_devices::DeviceError) -> StationError {
        StationError::Device {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<enroll_sync::SyncError> for StationError {
    fn from(error: enroll_sync::SyncError) -> StationError {
        StationError::Sync {
            code: error.code(),
            message: error.to_string(),
        }
    }
}
