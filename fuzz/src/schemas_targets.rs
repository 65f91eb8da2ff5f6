//! The fuzz targets over `enroll-schemas`: the country configuration a station is given (ID
//! schema, UI spec) and the identity documents the UI sends for validation. Each function takes
//! arbitrary bytes and must never panic or hang.
//!
//! Compiled into the fuzz binaries and, through `#[path]`, into
//! `schemas/tests/fuzz_regressions`, which replays `fuzz/seeds/` and `fuzz/regressions/`; so it
//! uses only crates that `enroll-schemas` itself depends on.
//!
//! Deliberately absent: judging which configurations are sensible; the crate's own tests do that.

use std::sync::OnceLock;

use enroll_schemas::{default_form, CalendarDate, Form, IdSchema, UiSpec, DEFAULT_ID_SCHEMA, DEFAULT_UI_SPEC};
use serde_json::Value;

/// The fixed "today" for validation, so that a run is reproducible.
const TODAY: CalendarDate = CalendarDate {
    year: 2025,
    month: 6,
    day: 30,
};

fn form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    FORM.get_or_init(|| default_form().expect("the embedded default form loads"))
}

/// A plausible identity document, to run a fuzzed form over.
fn sample_identity() -> Value {
    serde_json::json!({
        "fullName": [{"language": "eng", "value": "Amina Diallo"}],
        "dateOfBirth": "1990/01/31",
        "gender": [{"language": "eng", "value": "Female"}],
        "phone": "+221770000000",
    })
}

/// Whatever a form says about an identity, it must say without panicking, and a document that
/// passes full validation passes the draft check (which checks less).
fn exercise(form: &Form, identity: &Value) {
    let draft = form.check_draft(identity);
    let full = form.validate(identity, TODAY);
    if full.is_ok() {
        assert!(draft.is_ok(), "valid for finalize but not as a draft: {draft:?}");
    }
    if let Err(problems) = &full {
        assert!(!problems.is_empty(), "a failed validation names at least one problem");
    }
}

/// `IdSchema::from_json`; a schema that loads is joined with the default UI spec and used.
pub fn id_schema(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(schema) = IdSchema::from_json(&text) else {
        return;
    };
    let ui = UiSpec::from_json(DEFAULT_UI_SPEC).expect("the embedded UI spec loads");
    if let Ok(form) = Form::new(schema, ui) {
        let _ = form.spec();
        exercise(&form, &sample_identity());
    }
}

/// `UiSpec::from_json`; a spec that loads is joined with the default ID schema and used.
pub fn ui_spec(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(ui) = UiSpec::from_json(&text) else {
        return;
    };
    let schema = IdSchema::from_json(DEFAULT_ID_SCHEMA).expect("the embedded ID schema loads");
    if let Ok(form) = Form::new(schema, ui) {
        let _ = serde_json::to_string(form.spec()).expect("a form spec serializes for the UI");
        exercise(&form, &sample_identity());
    }
}

/// `Form::check_draft` and `Form::validate` of the default form on any JSON value.
pub fn form_identity(data: &[u8]) {
    let Ok(identity) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    exercise(form(), &identity);
}

/// What the register sends down besides the capture policy (`enroll_schemas::station_config`),
/// on any JSON value: the offline limits, the master data and a form document. Nothing panics;
/// what is accepted keeps the promises the station relies on (limits within their bounds,
/// master-data codes unique in each list, every location's parent another location).
pub fn station_config(data: &[u8]) {
    use enroll_schemas::station_config::{form_from_value, MasterData, OfflineLimitsConfig, OperatorList};
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(list) = OperatorList::from_value(&value) {
        let names: std::collections::BTreeSet<&str> = list.operators.iter().map(|o| o.username.as_str()).collect();
        assert_eq!(
            names.len(),
            list.operators.len(),
            "an operator listed twice was accepted"
        );
        for operator in &list.operators {
            assert!((1..=32).contains(&operator.username.len()), "{operator:?}");
            assert!(!operator.full_name.trim().is_empty(), "{operator:?}");
            assert_eq!(list.find(&operator.username), Some(operator));
        }
    }
    if let Ok(limits) = OfflineLimitsConfig::from_value(&value) {
        assert!((1..=365).contains(&limits.max_days_since_sync), "{limits:?}");
        assert!((1..=100_000).contains(&limits.max_packets_not_uploaded), "{limits:?}");
        assert!((64..=1_000_000).contains(&limits.min_free_disk_mb), "{limits:?}");
    }
    if let Ok(data) = MasterData::from_value(&value) {
        for list in [&data.locations, &data.document_types, &data.rejection_reasons] {
            let codes: std::collections::BTreeSet<&str> = list.iter().map(|entry| entry.code.as_str()).collect();
            assert_eq!(codes.len(), list.len(), "a code twice in one list was accepted");
            assert!(list.iter().all(|entry| !entry.labels.is_empty()));
        }
        let locations: std::collections::BTreeSet<&str> = data.locations.iter().map(|e| e.code.as_str()).collect();
        for entry in &data.locations {
            if let Some(parent) = &entry.parent {
                assert!(
                    locations.contains(parent.as_str()) && parent != &entry.code,
                    "{entry:?}"
                );
            }
        }
    }
    if let Ok(form) = form_from_value(&value) {
        exercise(&form, &sample_identity());
    }
}
