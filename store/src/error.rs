//! The one error type of the vault, with stable codes.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("the station is already set up in this vault")]
    AlreadySetUp,
    #[error("the station is not set up yet")]
    NotSetUp,
    #[error("no {0}")]
    NotFound(String),
    #[error("registration {registration_id} is {actual}, not {expected}")]
    WrongState {
        registration_id: String,
        expected: String,
        actual: String,
    },
    #[error("an operator named {0} exists already")]
    OperatorExists(String),
    #[error("stored data failed its integrity check ({0}); the vault may be damaged or tampered with")]
    Corrupt(String),
    #[error("the disk is full; nothing was changed. Free some space and try again")]
    DiskFull,
    #[error("vault database error: {0}")]
    Database(rusqlite::Error),
    #[error("a vault file could not be read or written ({0})")]
    Io(String),
    #[error("the vault is open in another program (another window of the station app?); close it and try again")]
    InUse,
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::WrongCredentials => "wrong_credentials",
            StoreError::AlreadySetUp => "already_set_up",
            StoreError::NotSetUp => "not_set_up",
            StoreError::NotFound(_) => "not_found",
            StoreError::WrongState { .. } => "invalid_state",
            StoreError::OperatorExists(_) => "operator_exists",
            StoreError::Corrupt(_) => "vault_corrupt",
            StoreError::DiskFull => "disk_full",
            StoreError::Database(_) => "vault_error",
            StoreError::Io(_) => "vault_io",
            StoreError::InUse => "vault_in_use",
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Database(error),
        }
    }
}
