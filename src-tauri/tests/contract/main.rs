//! The Rust half of the drift check between the station's view types and the UI's
//! hand-written `ui/src/lib/backend/types.ts`.
//!
//! Each test builds a sample of every type that crosses IPC, serializes it exactly as a
//! command would, and compares the result with `ui/src/lib/backend/contract.json`. The UI's
//! `contract.test.ts` checks that same file against the TypeScript shapes. So a field added,
//! renamed or retyped in `station/src/views.rs` fails here first; after updating `types.ts`,
//! rewrite the file with `UPDATE_CONTRACT=1 cargo test -p enroll-app --test contract` and run
//! `npm test` in `ui/`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use enroll_station::home::{HomeCursor, HomeItem, HomeList, HomeListName, HomeSummary, StateCountsView};
use enroll_station::{
    CaptureView, DecisionOutcome, DecisionView, DeviceIdentity, FieldError, FormField, FormLanguage, FormOption,
    FormSpec, NewOperatorRequest, OperatorView, PolicyLimits, PolicyRequest, PolicyView, PurgeReport, ReceiptView,
    RegistrationView, SessionView, SetupRequest, StationError, StationStatus, SyncFailure, SyncReport,
};
use serde_json::{json, Value};

fn contract_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/backend/contract.json")
}

fn labels(en: &str, fr: &str, ar: &str) -> BTreeMap<String, String> {
    [("en", en), ("fr", fr), ("ar", ar)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("every view type serializes")
}

fn operator() -> OperatorView {
    OperatorView {
        username: "admin".into(),
        full_name: "Nadia Admin".into(),
        role: "admin".into(),
    }
}

fn capture() -> CaptureView {
    CaptureView {
        preview_data_url: "data:image/png;base64,iVBORw0KGgo=".into(),
        quality: 87,
        device: DeviceIdentity {
            make: "Enroll".into(),
            model: "Simulated face camera".into(),
            serial: "SIM-0001".into(),
            simulated: true,
        },
    }
}

fn field_error() -> FieldError {
    FieldError {
        field: "fullName".into(),
        language: Some("ara".into()),
        code: "required".into(),
        message: "required in العربية".into(),
    }
}

fn validation_failed() -> StationError {
    StationError::ValidationFailed(vec![field_error()])
}

fn form_spec() -> FormSpec {
    FormSpec {
        languages: vec![FormLanguage {
            code: "ara".into(),
            name: "العربية".into(),
            direction: "rtl".into(),
            mandatory: true,
        }],
        fields: vec![FormField {
            id: "gender".into(),
            control: "dropdown".into(),
            label: labels("Gender", "Genre", "الجنس"),
            required: true,
            multilingual: false,
            options: vec![FormOption {
                value: "FLE".into(),
                label: labels("Female", "Féminin", "أنثى"),
            }],
            hint: labels("Choose one", "Choisir", "اختر"),
            max_length: Some(16),
        }],
    }
}

/// One sample of every type, named as in `types.ts`. Optional values are filled in, so the UI
/// test sees what they hold when present.
fn samples() -> BTreeMap<&'static str, Value> {
    let spec = form_spec();
    let station_error = validation_failed();
    let registration = RegistrationView {
        registration_id: "10001-20261125-000001".into(),
        state: "draft".into(),
        identity: Some(json!({"fullName": [{"language": "ara", "value": "أمينة"}]})),
        face: Some(capture()),
        created_by: "admin".into(),
        created_at: "2026-11-25T10:00:00Z".into(),
        updated_at: "2026-11-25T10:05:00Z".into(),
        receipt: Some(ReceiptView {
            intake_reference: "INT-000042".into(),
            received_at: "2026-11-25T11:00:00Z".into(),
        }),
        last_error: Some((&station_error).into()),
        decision: Some(decision()),
    };
    let failure = SyncFailure {
        registration_id: "10001-20261125-000001".into(),
        code: "intake_unreachable".into(),
        message: "the intake cannot be reached".into(),
    };
    let limits = PolicyLimits {
        idle_lock_minutes_min: 1,
        idle_lock_minutes_max: 120,
        retention_days_min: 1,
        retention_days_max: 3650,
    };
    let policy = PolicyView {
        idle_lock_minutes: 15,
        retention_days: 30,
        idle_lock_is_default: false,
        retention_is_default: true,
        limits,
    };
    let home_item = HomeItem {
        registration_id: "10001-20261125-000002".into(),
        state: "rejected".into(),
        created_by: "sara.officer".into(),
        created_at: "2026-11-25T10:00:00Z".into(),
        updated_at: "2026-11-25T10:20:00Z".into(),
        display_name: Some("Amina Idrissi".into()),
        decision: Some(decision()),
        receipt: registration.receipt.clone(),
        last_error: Some((&station_error).into()),
    };
    let cursor = HomeCursor {
        updated_at: "2026-11-25T10:20:00Z".into(),
        registration_id: "10001-20261125-000002".into(),
    };
    let list = HomeList {
        items: vec![home_item.clone()],
        next_page: Some(cursor.clone()),
    };
    let counts = StateCountsView {
        draft: 1,
        pending_approval: 2,
        sealed: 3,
        uploaded: 4,
        acknowledged: 5,
        rejected: 6,
        queued: 7,
    };
    BTreeMap::from([
        ("SetupRequest", setup_request_sample()),
        ("PolicyRequest", policy_request_sample()),
        ("PolicyLimits", to_json(&limits)),
        ("PolicyView", to_json(&policy)),
        (
            "PurgeReport",
            to_json(&PurgeReport {
                purged: vec!["10001-20261125-000001".into()],
            }),
        ),
        (
            "SessionView",
            to_json(&SessionView {
                state: "active".into(),
                username: Some("admin".into()),
                locks_in_ms: Some(600_000),
            }),
        ),
        ("StateCountsView", to_json(&counts)),
        ("HomeItem", to_json(&home_item)),
        ("HomeCursor", home_cursor_sample(&cursor)),
        ("HomeList", to_json(&list)),
        (
            "HomeSummary",
            to_json(&HomeSummary {
                counts,
                drafts: list.clone(),
                pending_approval: list.clone(),
                upload_queue: list.clone(),
                acknowledged: list,
            }),
        ),
        ("DecisionView", to_json(&decision())),
        ("NewOperatorRequest", new_operator_request_sample()),
        (
            "StationStatus",
            to_json(&StationStatus {
                needs_setup: false,
                station_id: Some("ST-10001-0001".into()),
                station_name: Some("Rabat 1".into()),
                intake_url: "http://127.0.0.1:8470".into(),
                operator: Some(operator()),
                session_locked: false,
                simulated_devices: true,
            }),
        ),
        ("OperatorView", to_json(&operator())),
        ("FormLanguage", to_json(&spec.languages[0])),
        ("FormOption", to_json(&spec.fields[0].options[0])),
        ("FormField", to_json(&spec.fields[0])),
        ("FormSpec", to_json(&spec)),
        ("DeviceIdentity", to_json(&capture().device)),
        ("CaptureView", to_json(&capture())),
        ("ReceiptView", to_json(registration.receipt.as_ref().unwrap())),
        ("RegistrationView", to_json(&registration)),
        (
            "SyncReport",
            to_json(&SyncReport {
                attempted: 2,
                acknowledged: 1,
                failures: vec![failure.clone()],
            }),
        ),
        ("SyncFailure", to_json(&failure)),
        ("FieldError", to_json(&field_error())),
        // What a command's error looks like on the wire: the `Serialize` of `StationError`.
        ("ErrorView", to_json(&station_error)),
    ])
}

/// `SetupRequest` only deserializes. Its sample is what the UI sends; reading it back and
/// destructuring every field (no `..`) makes a new field a compile error here.
fn setup_request_sample() -> Value {
    let sent = json!({
        "station_name": "Rabat 1",
        "center_id": "10001",
        "admin_username": "admin",
        "admin_full_name": "Nadia Admin",
        "admin_password": "correct horse battery",
    });
    let SetupRequest {
        station_name,
        center_id,
        admin_username,
        admin_full_name,
        admin_password,
    } = serde_json::from_value(sent.clone()).expect("the UI's setup request deserializes");
    let read_back = json!({
        "station_name": station_name,
        "center_id": center_id,
        "admin_username": admin_username,
        "admin_full_name": admin_full_name,
        "admin_password": admin_password,
    });
    assert_eq!(read_back, sent, "every field the UI sends reaches SetupRequest");
    sent
}

/// `NewOperatorRequest` only deserializes: checked the same way as `SetupRequest`.
fn new_operator_request_sample() -> Value {
    let sent = json!({
        "username": "sara.officer",
        "full_name": "Sara Bennani",
        "role": "officer",
        "password": "officer password 1",
    });
    let NewOperatorRequest {
        username,
        full_name,
        role,
        password,
    } = serde_json::from_value(sent.clone()).expect("the UI's new-operator request deserializes");
    let read_back = json!({ "username": username, "full_name": full_name, "role": role, "password": password });
    assert_eq!(read_back, sent, "every field the UI sends reaches NewOperatorRequest");
    sent
}

/// `PolicyRequest` only deserializes: checked the same way as `SetupRequest`.
fn policy_request_sample() -> Value {
    let sent = json!({ "idle_lock_minutes": 15, "retention_days": 30 });
    let PolicyRequest {
        idle_lock_minutes,
        retention_days,
    } = serde_json::from_value(sent.clone()).expect("the UI's policy request deserializes");
    let read_back = json!({ "idle_lock_minutes": idle_lock_minutes, "retention_days": retention_days });
    assert_eq!(read_back, sent, "every field the UI sends reaches PolicyRequest");
    sent
}

/// `HomeCursor` goes both ways: the station hands it out and the UI sends it back for the
/// next page, so what it serializes to must deserialize to the same cursor.
fn home_cursor_sample(cursor: &HomeCursor) -> Value {
    let sent = to_json(cursor);
    let back: HomeCursor = serde_json::from_value(sent.clone()).expect("the cursor the UI sends back deserializes");
    assert_eq!(&back, cursor);
    sent
}

fn decision() -> DecisionView {
    DecisionView {
        outcome: DecisionOutcome::Rejected,
        by: "sara".into(),
        reason: Some("the photo is blurred".into()),
    }
}

fn contract() -> Value {
    let mut object = serde_json::Map::new();
    object.insert(
        "_about".into(),
        json!("Written by src-tauri/tests/contract (UPDATE_CONTRACT=1 cargo test -p enroll-app --test contract); read by contract.test.ts. Do not edit by hand."),
    );
    for (name, sample) in samples() {
        object.insert(name.into(), sample);
    }
    Value::Object(object)
}

#[test]
fn ui_contract_matches_the_station_types() {
    let expected = contract();
    let path = contract_path();
    if std::env::var_os("UPDATE_CONTRACT").is_some() {
        let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let on_file: Value = serde_json::from_str(&text).expect("contract.json is JSON");
    if on_file != expected {
        let mut changed = Vec::new();
        for (name, sample) in expected.as_object().unwrap() {
            if on_file.get(name) != Some(sample) {
                changed.push(format!(
                    "  {name}:\n    now:     {sample}\n    on file: {}",
                    on_file.get(name).unwrap_or(&Value::Null)
                ));
            }
        }
        panic!(
            "the station's IPC types no longer match ui/src/lib/backend/contract.json:\n{}\n\
             Update ui/src/lib/backend/types.ts (interfaces and SHAPES), then rewrite the file with\n  \
             UPDATE_CONTRACT=1 cargo test -p enroll-app --test contract\nand run `npm test` in ui/",
            changed.join("\n")
        );
    }
}

/// `HomeListName` only deserializes (the UI names the list it wants more of): every name in
/// `types.ts` must reach the station.
#[test]
fn every_home_list_name_the_ui_sends_is_understood() {
    for (sent, expected) in [
        ("drafts", HomeListName::Drafts),
        ("pending_approval", HomeListName::PendingApproval),
        ("upload_queue", HomeListName::UploadQueue),
        ("acknowledged", HomeListName::Acknowledged),
    ] {
        let name: HomeListName = serde_json::from_value(json!(sent)).expect("a list name the UI sends");
        assert_eq!(name, expected);
    }
    let types = std::fs::read_to_string(contract_path().with_file_name("types.ts")).expect("types.ts");
    assert!(
        types.contains("export type HomeListName = 'drafts' | 'pending_approval' | 'upload_queue' | 'acknowledged';"),
        "types.ts's HomeListName no longer lists the station's four lists"
    );
}

#[test]
fn errors_cross_ipc_as_code_message_fields() {
    let wire = to_json(&validation_failed());
    assert_eq!(wire["code"], "validation_failed");
    assert_eq!(wire["fields"][0]["field"], "fullName");
    assert_eq!(wire["fields"][0]["language"], "ara");
    // An error without field problems still sends an empty list, so the UI never checks for it.
    assert_eq!(to_json(&StationError::WrongCredentials)["fields"], json!([]));
}
