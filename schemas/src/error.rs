//! Errors of loading configuration ([`SchemaError`]) and problems found in an identity
//! document ([`FieldError`], one per field and language, shown next to the field).

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("the ID schema is not valid: {0}")]
    IdSchema(String),
    #[error("the UI spec is not valid: {0}")]
    UiSpec(String),
    #[error("the UI spec and the ID schema disagree: {0}")]
    Mismatch(String),
    #[error("the capture policy is not valid: {0}")]
    CapturePolicy(String),
    #[error("the offline limits are not valid: {0}")]
    OfflineLimits(String),
    #[error("the master data is not valid: {0}")]
    MasterData(String),
    #[error("the operator list is not valid: {0}")]
    Operators(String),
}

impl SchemaError {
    pub fn code(&self) -> &'static str {
        match self {
            SchemaError::IdSchema(_) => "id_schema_invalid",
            SchemaError::UiSpec(_) => "ui_spec_invalid",
            SchemaError::Mismatch(_) => "schema_mismatch",
            SchemaError::CapturePolicy(_) => "capture_policy_invalid",
            SchemaError::OfflineLimits(_) => "offline_limits_invalid",
            SchemaError::MasterData(_) => "master_data_invalid",
            SchemaError::Operators(_) => "operator_list_invalid",
        }
    }
}

/// A problem with one form field, in the UI's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FieldError {
    /// Field id from the UI spec, e.g. "fullName".
    pub field: String,
    /// Language code when the problem is in one language's value, e.g. "ara".
    pub language: Option<String>,
    /// Stable code: "required", "invalid_format", "invalid_date", "not_an_option",
    /// "too_long", "wrong_type", "unknown_field", "unknown_language", "duplicate_language".
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(field: &str, language: Option<&str>, code: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            language: language.map(str::to_string),
            code: code.to_string(),
            message: message.into(),
        }
    }
}
