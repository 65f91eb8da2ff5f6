//! A country's configuration, as data: the ID schema (what an identity document holds, in
//! MOSIP's ID schema format) and the UI spec (how the form is laid out and labelled).
//!
//! - [`id_schema`] reads an ID schema into the field kinds and validators we enforce.
//! - [`ui_spec`] reads the form layout.
//! - [`capture_policy`] reads which biometrics a registration takes and how good they must be.
//! - [`station_config`] reads the offline limits, the master data and a form sent as one
//!   document (what the register sends down to its stations besides the capture policy).
//! - [`form`] joins the two into the [`FormSpec`] the UI renders, and validates identity
//!   documents against it. The UI validates too, for speed; this check is the authority.
//!
//! Deliberately absent: storage, rendering, and any country-specific code. The defaults in
//! `schemas/default/` are embedded so the station runs with nothing to configure.

pub mod capture_policy;
pub mod error;
pub mod form;
pub mod id_schema;
pub mod process;
pub mod station_config;
pub mod ui_spec;

pub use capture_policy::{
    AdjustableQuality, CapturePolicy, ForceCapture, PolicyModality, PolicyStep, QualityRange, QualityThresholds,
    MODALITIES,
};
pub use error::{FieldError, SchemaError};
pub use form::{
    CalendarDate, Condition, Control, Direction, DocumentFileFormat, Form, FormConsent, FormDocumentCategory,
    FormDocuments, FormField, FormLanguage, FormOption, FormSpec,
};
pub use id_schema::{FieldKind, IdSchema};
pub use process::{ChangeGroup, FormProcess, FormScope, ProcessKind};
pub use ui_spec::UiSpec;

/// The embedded default ID schema (`schemas/default/id-schema.json`).
pub const DEFAULT_ID_SCHEMA: &str = include_str!("../default/id-schema.json");
/// The embedded default UI spec (`schemas/default/ui-spec.json`).
pub const DEFAULT_UI_SPEC: &str = include_str!("../default/ui-spec.json");

/// The embedded default master data (`schemas/default/master-data.json`): what a station offers
/// until the register sends its own.
pub const DEFAULT_MASTER_DATA: &str = include_str!("../default/master-data.json");

/// The default master data, read and checked as the register's is.
pub fn default_master_data() -> Result<station_config::MasterData, SchemaError> {
    let value: serde_json::Value =
        serde_json::from_str(DEFAULT_MASTER_DATA).map_err(|e| SchemaError::MasterData(e.to_string()))?;
    station_config::MasterData::from_value(&value)
}

/// A complete identity the default form accepts (an adult living in Rabat), for tests, benches
/// and examples to start from: `schemas/default/example-identity.json`.
pub const DEFAULT_EXAMPLE_IDENTITY: &str = include_str!("../default/example-identity.json");

/// [`DEFAULT_EXAMPLE_IDENTITY`], parsed; `name` replaces its English full name.
pub fn example_identity(name: &str) -> serde_json::Value {
    let mut identity: serde_json::Value =
        serde_json::from_str(DEFAULT_EXAMPLE_IDENTITY).expect("the embedded example identity is JSON");
    identity["fullName"][0]["value"] = serde_json::Value::String(name.to_string());
    identity
}

/// The default form: embedded ID schema and UI spec, its dropdowns filled from the embedded
/// master data (a station fills them again from the master data in force).
pub fn default_form() -> Result<Form, SchemaError> {
    Ok(Form::new(
        IdSchema::from_json(DEFAULT_ID_SCHEMA)?,
        UiSpec::from_json(DEFAULT_UI_SPEC)?,
    )?
    .with_master_data(&default_master_data()?))
}
