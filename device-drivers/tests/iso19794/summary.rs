//! The header summary that `enroll biometrics inspect` prints, as JSON, for one fixture whose
//! values `left_thumb_values_match_its_bytes` checks against the bytes, and for a hand-built
//! 2005 record, whose capture date is `null` rather than invented.

use enroll_devices::iso19794::{summary, Iso19794Record};
use serde_json::json;

#[test]
fn left_thumb_summary_json() {
    let bytes = crate::read(&crate::fixtures("mosip-mock-mds/registration/Left_Thumb.iso"));
    let record = Iso19794Record::parse(&bytes).unwrap();
    let json = serde_json::to_value(summary(&record)).unwrap();
    assert_eq!(
        json,
        json!({
            "format": "finger",
            "edition": 2011,
            "recordLength": 110503,
            "representations": [{
                "position": "Left Thumb",
                "positionCode": 6,
                "width": 350,
                "height": 427,
                "resolution": {"horizontal": 500, "vertical": 500, "units": "ppi"},
                "imageFormat": "jpeg2000-lossless",
                "imageFormatCode": 5,
                "bitDepth": 8,
                "imageBytes": 110374,
                "qualityScores": [79],
                "captureDevice": {"technologyId": 0, "vendorId": 0, "typeId": 0},
                "capturedAt": "2022-12-28T12:31:20.130Z"
            }]
        })
    );
}

#[test]
fn a_2005_iris_summary_names_eyes_and_has_no_capture_date() {
    let record = Iso19794Record::parse(&crate::editions::iris_2005()).unwrap();
    let json = serde_json::to_value(summary(&record)).unwrap();
    assert_eq!(json["format"], "iris");
    assert_eq!(json["edition"], 2005);
    let positions: Vec<&str> = json["representations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["position"].as_str().unwrap())
        .collect();
    assert_eq!(positions, ["Right", "Right", "Left"]);
    assert_eq!(json["representations"][0]["capturedAt"], serde_json::Value::Null);
    assert_eq!(json["representations"][0]["qualityScores"], json!([80]));
    assert_eq!(json["representations"][0]["imageFormat"], "jpeg2000");
}
