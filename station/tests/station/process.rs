//! Registrations of another process than a new one: an update takes only the groups that
//! change, their documents and the authentication biometrics; a lost card takes the whole form
//! with nothing required; bad starts make nothing.

use enroll_schemas::{PolicyStep, ProcessKind};
use enroll_station::{StartRegistrationRequest, Station, StationError};
use serde_json::json;

use crate::{
    as_user, attach_proof_of_identity, capture_face, fixture, fixture_with_default_capture_policy, identity, OFFICER,
};

/// A 10-digit ID number whose last digit is its Verhoeff check digit.
fn uin(first_nine: &str) -> String {
    format!(
        "{first_nine}{}",
        enroll_station::verhoeff_check_digit(first_nine).unwrap()
    )
}

fn start(process: ProcessKind, resident_id: Option<String>, changes: &[&str]) -> StartRegistrationRequest {
    StartRegistrationRequest {
        process,
        resident_id,
        changes: changes.iter().map(|c| c.to_string()).collect(),
        request_id: None,
    }
}

/// A correction answering the register's request `request_id`.
fn correction(request_id: &str, changes: &[&str]) -> StartRegistrationRequest {
    StartRegistrationRequest {
        request_id: Some(request_id.to_string()),
        ..start(ProcessKind::Correction, None, changes)
    }
}

/// The shape of a request id the register sends a resident (MOSIP's additional-information
/// request: a registration id, the process, the count).
const REQUEST_ID: &str = "10001100010000120261125094920-BIOMETRIC_CORRECTION-1";

fn field_codes(error: StationError) -> Vec<(String, String)> {
    match error {
        StationError::ValidationFailed(problems) => problems.into_iter().map(|p| (p.field, p.code)).collect(),
        other => panic!("expected a validation failure, got {other:?}"),
    }
}

fn drafts(station: &Station) -> u64 {
    station.home_summary().unwrap().counts.draft
}

#[tokio::test]
async fn an_address_update_takes_the_address_its_proof_and_the_face_and_the_packet_names_the_resident() {
    let fixture = fixture_with_default_capture_policy().await;
    let station = &fixture.station;
    as_user(station, OFFICER);
    let resident = uin("123456789");
    let view = station
        .start_registration(start(ProcessKind::Update, Some(resident.clone()), &["address"]))
        .unwrap();
    let rid = view.registration_id.clone();
    let process = view.process.clone().expect("an update's draft says so");
    assert_eq!(
        (process.process, process.resident_id.as_deref()),
        (ProcessKind::Update, Some(resident.as_str()))
    );
    assert_eq!(process.changes, ["address"]);

    // Only the face: the resident proves who they are; no other step is offered or taken.
    let steps: Vec<_> = station.biometrics(&rid).unwrap().steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, [PolicyStep::Face]);
    let refused = station.capture_biometrics(&rid, PolicyStep::LeftSlap).unwrap_err();
    assert_eq!(refused.code(), "invalid_input");

    // The address's proof is required; a proof of identity is not this update's to take.
    let refused = station.attach_document(&rid, crate::proof_of_identity()).unwrap_err();
    assert_eq!(
        field_codes(refused),
        [("documents.POI".to_string(), "unknown_category".to_string())]
    );

    station.record_consent(&rid, true).unwrap();
    let mut address = identity("ignored");
    address.as_object_mut().unwrap().retain(|key, _| {
        [
            "residenceStatus",
            "addressLine1",
            "region",
            "province",
            "city",
            "zone",
            "postalCode",
        ]
        .contains(&key.as_str())
    });
    station.save_draft(&rid, address.clone()).unwrap();
    capture_face(station, &rid);
    let missing = field_codes(station.finalize(&rid).unwrap_err());
    assert_eq!(missing, [("documents.POA".to_string(), "required".to_string())]);
    let mut poa = crate::proof_of_identity();
    poa.category = "POA".into();
    poa.document_type = "UTILITY_BILL".into();
    station.attach_document(&rid, poa).unwrap();
    station.finalize(&rid).unwrap();

    let pending = station.registration(&rid).unwrap();
    let packet_identity = pending.identity.unwrap();
    assert_eq!(packet_identity["UIN"], resident.as_str());
    assert_eq!(packet_identity["postalCode"], "10090");
    assert!(packet_identity.get("fullName").is_none(), "{packet_identity}");
    assert_eq!(pending.process, Some(process), "read back from the packet's meta.json");

    // A supervisor reviewing it sees the face it took, not the fingers and irises it never
    // asked for, as steps left to capture.
    let steps: Vec<_> = station
        .biometrics(&rid)
        .unwrap()
        .steps
        .iter()
        .map(|s| (s.step, s.done))
        .collect();
    assert_eq!(steps, [(PolicyStep::Face, true)], "the pending packet's biometrics");
}

#[tokio::test]
async fn a_bad_start_says_what_is_wrong_and_makes_nothing() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, OFFICER);
    let before = drafts(station);
    let cases = [
        (
            start(ProcessKind::Update, None, &["address"]),
            ("process.resident_id", "required"),
        ),
        (
            start(ProcessKind::Update, Some("1234567891".into()), &["address"]),
            ("process.resident_id", "invalid_format"),
        ),
        (
            start(ProcessKind::Update, Some("12345".into()), &["address"]),
            ("process.resident_id", "invalid_format"),
        ),
        (
            start(ProcessKind::Update, Some(uin("123456789")), &[]),
            ("process.changes", "required"),
        ),
        (
            correction(REQUEST_ID, &["nickname"]),
            ("process.changes", "not_an_option"),
        ),
        (correction("  ", &["contact"]), ("process.request_id", "required")),
        (
            start(ProcessKind::Correction, None, &["contact"]),
            ("process.request_id", "required"),
        ),
        (
            correction("10001100010000120261125094920", &["contact"]),
            ("process.request_id", "invalid_format"),
        ),
        (
            correction("10001100010000120261125094920-biometric correction-1", &["contact"]),
            ("process.request_id", "invalid_format"),
        ),
        (
            correction("ABC-BIOMETRIC_CORRECTION-1", &["contact"]),
            ("process.request_id", "invalid_format"),
        ),
    ];
    for (request, (field, code)) in cases {
        let error = station.start_registration(request.clone()).unwrap_err();
        assert_eq!(
            field_codes(error),
            [(field.to_string(), code.to_string())],
            "{request:?}"
        );
    }
    for request in [
        start(ProcessKind::Lost, Some(uin("123456789")), &[]),
        start(ProcessKind::New, None, &["address"]),
        // An update answers no request; a correction takes no ID number.
        StartRegistrationRequest {
            request_id: Some(REQUEST_ID.into()),
            ..start(ProcessKind::Update, Some(uin("123456789")), &["address"])
        },
        StartRegistrationRequest {
            resident_id: Some(uin("123456789")),
            ..correction(REQUEST_ID, &["contact"])
        },
    ] {
        assert_eq!(station.start_registration(request).unwrap_err().code(), "invalid_input");
    }
    assert_eq!(drafts(station), before, "nothing was made");
    assert_eq!(
        station
            .start_registration(start(ProcessKind::New, None, &[]))
            .unwrap()
            .process,
        None,
        "a new registration is the form itself"
    );
}

#[tokio::test]
async fn a_lost_card_takes_what_the_resident_remembers() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, OFFICER);
    let rid = station
        .start_registration(start(ProcessKind::Lost, None, &[]))
        .unwrap()
        .registration_id;
    station.record_consent(&rid, true).unwrap();
    station
        .save_draft(&rid, json!({"fullName": [{"language": "eng", "value": "Amina"}]}))
        .unwrap();
    capture_face(station, &rid);
    attach_proof_of_identity(station, &rid);
    station.finalize(&rid).unwrap();
    let pending = station.registration(&rid).unwrap();
    assert_eq!(pending.process.unwrap().process, ProcessKind::Lost);
    assert!(pending.identity.unwrap().get("UIN").is_none());
}

#[tokio::test]
async fn a_correction_carries_the_registers_request_into_the_packet() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, OFFICER);
    let view = station
        .start_registration(correction(&format!(" {REQUEST_ID} "), &["contact"]))
        .unwrap();
    let rid = view.registration_id.clone();
    let process = view.process.clone().expect("a correction's draft says so");
    assert_eq!(process.request_id.as_deref(), Some(REQUEST_ID), "kept trimmed");
    assert_eq!(process.resident_id, None);

    station.record_consent(&rid, true).unwrap();
    station
        .save_draft(&rid, json!({"phone": "0612345678", "smsNotifications": "Y"}))
        .unwrap();
    capture_face(station, &rid);
    station.finalize(&rid).unwrap();
    let pending = station.registration(&rid).unwrap();
    assert_eq!(pending.process, Some(process), "read back from the packet's meta.json");
    let identity = pending.identity.unwrap();
    assert_eq!(identity["phone"], "0612345678");
    assert!(identity.get("fullName").is_none(), "{identity}");
}
