//! The form as the station serves it: dropdowns filled from the master data in force, and
//! fields that do not apply (a guardian for an adult) kept out of the packet.

use serde_json::json;

use crate::{as_user, attach_proof_of_identity, capture_face, fixture, identity, OFFICER};

/// A registration with `identity`, finalized; the identity as the pending packet holds it.
fn finalized_identity(station: &enroll_station::Station, identity: serde_json::Value) -> serde_json::Value {
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, identity).unwrap();
    capture_face(station, &rid);
    attach_proof_of_identity(station, &rid);
    station.finalize(&rid).unwrap();
    station
        .registration(&rid)
        .unwrap()
        .identity
        .expect("the pending packet's identity")
}

#[tokio::test]
async fn the_address_dropdowns_offer_the_master_data_in_force_level_by_level() {
    let fixture = fixture().await;
    as_user(&fixture.station, OFFICER);
    let form = fixture.station.form();
    let field = |id: &str| form.fields.iter().find(|f| f.id == id).unwrap();
    let values = |id: &str| field(id).options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>();
    assert_eq!(values("region"), ["RSK", "CS"]);
    assert!(values("province").contains(&"RSK-RABAT"));
    assert_eq!(field("city").options_parent.as_deref(), Some("province"));
    let agdal = field("postalCode").options.iter().find(|o| o.value == "10090").unwrap();
    assert_eq!(agdal.parent.as_deref(), Some("RABAT-AGDAL"));
}

#[tokio::test]
async fn a_guardian_travels_with_a_minor_and_is_left_out_for_an_adult() {
    let fixture = fixture().await;
    as_user(&fixture.station, OFFICER);
    let guardian = json!([
        {"language": "eng", "value": "Hassan Idrissi"}, {"language": "ara", "value": "حسن الإدريسي"}
    ]);

    let mut minor = identity("Yasmine Idrissi");
    minor["dateOfBirth"] = json!("2020/01/01");
    let rid = fixture.station.new_registration().unwrap().registration_id;
    fixture.station.save_draft(&rid, minor.clone()).unwrap();
    let refused = fixture.station.finalize(&rid).unwrap_err();
    let enroll_station::StationError::ValidationFailed(problems) = refused else {
        panic!("expected a validation failure, got {refused:?}");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.field == "parentOrGuardianName" && p.code == "required"),
        "{problems:?}"
    );

    minor["parentOrGuardianName"] = guardian.clone();
    minor["parentOrGuardianUIN"] = json!("1234567890");
    let packet = finalized_identity(&fixture.station, minor);
    assert_eq!(packet["parentOrGuardianName"], guardian);
    assert_eq!(packet["parentOrGuardianUIN"], "1234567890");

    let mut adult = identity("Amina Idrissi");
    adult["parentOrGuardianName"] = guardian;
    let packet = finalized_identity(&fixture.station, adult);
    assert!(packet.get("parentOrGuardianName").is_none(), "{packet}");
    assert_eq!(packet["postalCode"], "10090");
}
