//! MOSIP's sample CBEFF (`individualBiometrics_bio_CBEFF.xml` of a real registration packet)
//! read with our CBEFF reader, each BDB read with the ISO/IEC 19794 parser, and our writer's
//! output read back.

use std::path::{Path, PathBuf};

use enroll_devices::iso19794::{GeneralHeader, Iso19794Record, Modality, Subject, ISO_TRUNCATED, ISO_UNKNOWN_FORMAT};
use enroll_packet::cbeff::{Cbeff, OtherEntry};

/// The shared fixtures folder. A missing fixture fails the test with a clear message.
fn fixture(relative: &str) -> PathBuf {
    let root = std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let path = root.join(relative);
    assert!(
        path.exists(),
        "fixture {} is absent: put ../shared/fixtures beside the repo or set ENROLL_FIXTURES",
        path.display()
    );
    path
}

fn sample() -> Cbeff {
    let xml = std::fs::read(fixture(
        "mosip-packet-sample/components/id/individualBiometrics_bio_CBEFF.xml",
    ))
    .unwrap();
    Cbeff::from_xml(&xml).unwrap()
}

const FINGER_SUBTYPES: [&str; 10] = [
    "Right IndexFinger",
    "Right LittleFinger",
    "Right RingFinger",
    "Right MiddleFinger",
    "Left IndexFinger",
    "Left LittleFinger",
    "Left RingFinger",
    "Left MiddleFinger",
    "Left Thumb",
    "Right Thumb",
];

#[test]
fn the_mosip_sample_reads_with_counts_types_subtypes_and_scores() {
    let cbeff = sample();
    assert!(!cbeff.integrity);
    assert_eq!(cbeff.records.len(), 13, "10 fingers, a face, 2 irises");
    assert_eq!(
        cbeff.others,
        [OtherEntry {
            key: "CONFIGURED".into(),
            value: "rightIndex, rightLittle, rightRing, rightMiddle, leftIndex, leftLittle, leftRing, leftMiddle, leftThumb, rightThumb, face, Left, Right".into()
        }]
    );
    let types: Vec<String> = cbeff.records.iter().map(|r| r.type_text()).collect();
    let expected_types: Vec<&str> = std::iter::repeat_n("Finger", 10)
        .chain(["Face", "Iris", "Iris"])
        .collect();
    assert_eq!(types, expected_types);
    let subtypes: Vec<String> = cbeff.records.iter().map(|r| r.subtype_text()).collect();
    let expected_subtypes: Vec<&str> = FINGER_SUBTYPES.into_iter().chain(["", "Left", "Right"]).collect();
    assert_eq!(subtypes, expected_subtypes);
    for (index, record) in cbeff.records.iter().enumerate() {
        let info = record.bdb_info.as_ref().unwrap();
        let format = info.format.as_ref().unwrap();
        let expected_format = match record.type_text().as_str() {
            "Finger" => "7",
            "Face" => "8",
            _ => "9",
        };
        assert_eq!(
            (format.organization.as_str(), format.kind.as_str()),
            ("Mosip", expected_format),
            "record {index}"
        );
        assert_eq!(record.quality_score(), Some(94), "record {index}");
        let quality = info.quality.as_ref().unwrap();
        assert_eq!(quality.algorithm.organization, "HMAC");
        assert_eq!(quality.algorithm.kind, "SHA-256");
        assert_eq!(info.level.as_deref(), Some("Raw"));
        assert_eq!(info.purpose.as_deref(), Some("Enroll"));
        assert!(info
            .creation_date
            .as_deref()
            .unwrap()
            .starts_with("2022-01-28T22:36:17."));
        assert_eq!(record.retries(), Some(1), "record {index}");
        assert_eq!(record.force_captured(), Some(false), "record {index}");
        assert_eq!(record.exception(), Some(false), "record {index}");
        assert_eq!(record.other("SPEC_VERSION"), Some("0.9.5"));
        assert!(record.bdb.as_ref().is_some_and(|b| !b.is_empty()), "record {index}");
        // The device's signature: a JWS whose header names the certificate chain.
        let sb = record.sb.as_ref().unwrap();
        assert!(sb.starts_with(b"eyJ4NWMiOlsi"), "record {index}");
        // The device's digital identity, a JWT inside PAYLOAD; its claims name the device.
        let digital_id = record.digital_id().unwrap();
        let claims = digital_id.split('.').nth(1).unwrap();
        use base64::Engine as _;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
        assert_eq!(claims["make"], "MOSIP", "record {index}");
        assert_eq!(claims["type"], record.type_text().as_str(), "record {index}");
    }
}

/// The sample is documentation: its BDBs were cut short when it was published (each finger's
/// base64 holds about half the record its header announces, the face has unrelated bytes
/// after its record, and the two iris BDBs do not start like any ISO record). So each BDB is
/// read as far as it goes, and the parser names what is wrong with the rest.
#[test]
fn each_sample_bdb_is_read_by_the_iso_parser() {
    let cbeff = sample();
    for (index, record) in cbeff.records.iter().enumerate() {
        let bdb = record.bdb.as_ref().unwrap();
        match record.type_text().as_str() {
            "Finger" => {
                let header = GeneralHeader::parse(bdb).unwrap();
                assert_eq!(header.modality, Modality::Finger, "record {index}");
                assert_eq!(header.representation_count, 1, "record {index}");
                assert!((header.record_length as usize) > bdb.len(), "record {index}: cut short");
                let error = Iso19794Record::parse(bdb).unwrap_err();
                assert_eq!(error.code(), ISO_TRUNCATED, "record {index}: {error}");
                assert!(
                    error
                        .to_string()
                        .contains(&format!("{} bytes long", header.record_length)),
                    "{error}"
                );
                // The finger position in the representation header matches the CBEFF subtype.
                let position = bdb[0x2f];
                assert_eq!(
                    enroll_devices::iso19794::finger_position_name(position),
                    Some(record.subtype_text().as_str()),
                    "record {index}"
                );
            }
            "Face" => {
                let header = GeneralHeader::parse(bdb).unwrap();
                assert_eq!(header.modality, Modality::Face);
                let length = header.record_length as usize;
                assert!(length < bdb.len(), "unrelated bytes follow the face record");
                let face = Iso19794Record::parse(&bdb[..length]).unwrap();
                let face = face.first();
                assert_eq!((face.image.width, face.image.height), (240, 320));
                assert!(face.image.data.starts_with(enroll_devices::iso19794::JP2_SIGNATURE));
                assert!(matches!(face.subject, Subject::Face(_)));
                assert_eq!(face.captured_at.map(|t| t.year), Some(2020));
            }
            _ => {
                let error = Iso19794Record::parse(bdb).unwrap_err();
                assert_eq!(error.code(), ISO_UNKNOWN_FORMAT, "record {index}: {error}");
            }
        }
    }
}

#[test]
fn the_writer_output_reads_back_identically() {
    let cbeff = sample();
    let written = cbeff.to_xml().unwrap();
    let back = Cbeff::from_xml(&written).unwrap();
    assert_eq!(back, cbeff);
    // And it is stable: writing what was read gives the same bytes.
    assert_eq!(back.to_xml().unwrap(), written);
    let text = String::from_utf8(written).unwrap();
    assert!(text.contains("<BIR xmlns=\"http://standards.iso.org/iso-iec/19785/-3/ed-2/\">"));
    assert!(text.contains("<entry key=\"CONFIGURED\">"));
}

#[test]
fn the_writer_hashing_as_it_writes_gives_the_same_bytes_and_their_sha256() {
    use sha2::Digest as _;
    let cbeff = sample();
    assert!(
        cbeff.records.len() > 1,
        "several records, so several parts cross the thread"
    );
    let (written, sha256) = cbeff.to_xml_and_sha256().unwrap();
    assert_eq!(written, cbeff.to_xml().unwrap());
    assert_eq!(sha256, <[u8; 32]>::from(sha2::Sha256::digest(&written)));
}

#[test]
fn bad_documents_are_refused_by_name_and_never_panic() {
    let cases: [(&str, &str); 9] = [
        ("", "no root element"),
        ("<BIR>", "ends inside <BIR>"),
        ("<NotBIR/>", "not <BIR>"),
        ("<BIR><BIRInfo><Integrity>maybe</Integrity></BIRInfo></BIR>", "not true or false"),
        ("<BIR></BIR>", "no <BIRInfo>"),
        ("<!DOCTYPE x [<!ENTITY a \"b\">]><BIR/>", "DTD"),
        (
            "<BIR><BIRInfo><Integrity>false</Integrity></BIRInfo><BIR><BIRInfo><Integrity>false</Integrity></BIRInfo><BDB>!!</BDB></BIR></BIR>",
            "not valid base64",
        ),
        (
            "<BIR><BIRInfo><Integrity>false</Integrity></BIRInfo><BIR><BIRInfo><Integrity>false</Integrity></BIRInfo><others><entry key=\"RETRIES\">many</entry></others></BIR></BIR>",
            "RETRIES",
        ),
        (
            "<BIR><BIRInfo><Integrity>false</Integrity></BIRInfo><BIR><BIRInfo><Integrity>false</Integrity></BIRInfo><BDBInfo><Quality><Algorithm><Organization>a</Organization><Type>b</Type></Algorithm><Score>101</Score></Quality></BDBInfo></BIR></BIR>",
            "0..=100",
        ),
    ];
    for (xml, expected) in cases {
        let error = Cbeff::from_xml(xml.as_bytes()).unwrap_err();
        assert_eq!(error.code(), "cbeff_invalid", "{xml}");
        assert!(error.to_string().contains(expected), "{xml}: {error}");
    }
    let deep = format!("{}{}", "<BIR>".repeat(100), "</BIR>".repeat(100));
    assert!(Cbeff::from_xml(deep.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("nested deeper"));

    // Random damage to the real sample: an error or a value, never a panic.
    let xml = std::fs::read(fixture(
        "mosip-packet-sample/components/id/individualBiometrics_bio_CBEFF.xml",
    ))
    .unwrap();
    let xml = &xml[..20_000.min(xml.len())];
    let mut state = 0x0001_9785_u64;
    for _ in 0..2000 {
        let mut damaged = xml.to_vec();
        for _ in 0..3 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let at = (state >> 33) as usize % damaged.len();
            damaged[at] = b"<>/&;=\"' ax#"[(state >> 20) as usize % 12];
        }
        if let Err(error) = Cbeff::from_xml(&damaged) {
            assert_eq!(error.code(), "cbeff_invalid", "{error}");
        }
    }
}
