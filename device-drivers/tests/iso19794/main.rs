//! ISO/IEC 19794 records as a real (mock) MOSIP device returns them: every fixture parses and
//! its values are the ones the file names and the bytes say. Beside it: `editions` (writing back,
//! converting between 2005 and 2011, hand-built 2005 records), `damage` (truncations and byte
//! flips never panic; refusals carry their code) and `summary` (the inspect JSON).

mod damage;
mod editions;
mod summary;

use std::path::{Path, PathBuf};

use enroll_devices::iso19794::{
    finger_position_name, ImageFormat, Iso19794Record, Modality, ScaleUnits, Subject, ISO_TRAILING_BYTES,
    ISO_TRUNCATED, JP2_SIGNATURE, WSQ_SIGNATURE,
};

/// The shared fixtures folder. A missing fixture fails the test with a clear message.
fn fixtures(relative: &str) -> PathBuf {
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

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// ISO finger position code from a MOSIP mock file name such as `Left_Index.iso`.
fn expected_position(name: &str) -> u8 {
    let stem = name.trim_end_matches(".iso").trim_end_matches("_wsq");
    match stem {
        "Finger_UKNOWN" => 0,
        "Right_Thumb" => 1,
        "Right_Index" => 2,
        "Right_Middle" => 3,
        "Right_Ring" => 4,
        "Right_Little" => 5,
        "Left_Thumb" => 6,
        "Left_Index" => 7,
        "Left_Middle" => 8,
        "Left_Ring" => 9,
        "Left_Little" => 10,
        other => panic!("unexpected finger file {other}"),
    }
}

fn finger_files(folder: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(fixtures(folder))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            name.ends_with(".iso") && !name.contains("Iris") && !name.contains("Face") && !name.contains("Photo")
        })
        .map(|path| (path.file_name().unwrap().to_string_lossy().to_string(), read(&path)))
        .collect();
    files.sort();
    files
}

#[test]
fn registration_fingers_are_jpeg2000_lossless_at_500_ppi() {
    let files = finger_files("mosip-mock-mds/registration");
    assert_eq!(files.len(), 10, "ten fingers");
    for (name, bytes) in files {
        let record = Iso19794Record::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(record.header.modality, Modality::Finger, "{name}");
        assert_eq!(record.header.record_length as usize, bytes.len(), "{name}");
        assert_eq!(record.header.representation_count, 1, "{name}");
        assert!(record.header.certification_flag, "{name}");
        let finger = record.first();
        assert_eq!(finger.length as usize, bytes.len() - 16, "{name}");
        let captured_at = finger.captured_at.unwrap_or_else(|| panic!("{name}: no capture date"));
        assert_eq!(captured_at.year, 2022, "{name}");
        assert_eq!(captured_at.month, 12, "{name}");
        assert_eq!(finger.quality.len(), 1, "{name}");
        assert!(finger.quality[0].score <= 100, "{name}");
        assert_eq!(finger.certifications.len(), 2, "{name}");
        assert_eq!(finger.image.format, ImageFormat::Jpeg2000Lossless, "{name}");
        assert_eq!(finger.image.format_code, 5, "{name}");
        let resolution = finger.image.resolution.unwrap();
        assert_eq!(
            (resolution.horizontal, resolution.vertical, resolution.units),
            (500, 500, ScaleUnits::PixelsPerInch),
            "{name}"
        );
        assert_eq!(finger.image.bit_depth, Some(8), "{name}");
        assert!(finger.image.data.starts_with(JP2_SIGNATURE), "{name}");
        assert!(finger.image.width > 0 && finger.image.height > 0, "{name}");
        let Subject::Finger(details) = &finger.subject else {
            panic!("{name}: not a finger")
        };
        assert_eq!(details.position, expected_position(&name), "{name}");
        // The mock device ends each finger with segmentation, annotation and a comment.
        let types: Vec<u16> = details.extended_data.iter().map(|b| b.block_type).collect();
        assert_eq!(types, [1, 2, 3], "{name}");
        let comment = String::from_utf8_lossy(&details.extended_data[2].data);
        assert_eq!(comment, format!("This is of Finger ({})", details.position), "{name}");
    }
}

#[test]
fn left_thumb_values_match_its_bytes() {
    let bytes = read(&fixtures("mosip-mock-mds/registration/Left_Thumb.iso"));
    let record = Iso19794Record::parse(&bytes).unwrap();
    let thumb = record.first();
    let t = thumb.captured_at.expect("the thumb states its capture date");
    assert_eq!(
        (t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond),
        (2022, 12, 28, 12, 31, 20, 130)
    );
    assert_eq!(
        (thumb.device.technology_id, thumb.device.vendor_id, thumb.device.type_id),
        (0, 0, 0)
    );
    assert_eq!(thumb.quality[0].score, 79);
    assert_eq!(thumb.quality[0].algorithm_vendor_id, 0x40);
    assert_eq!(thumb.quality[0].algorithm_id, 0x0f);
    assert_eq!((thumb.image.width, thumb.image.height), (350, 427));
    assert_eq!(thumb.image.data.len(), 110_374);
    assert!(thumb.image.data.ends_with(b"\xff\xd9"), "a whole JPEG 2000 codestream");
    assert_eq!(finger_position_name(6), Some("Left Thumb"));
}

#[test]
fn auth_fingers_are_wsq() {
    let files = finger_files("mosip-mock-mds/auth-wsq");
    assert_eq!(files.len(), 11);
    for (name, bytes) in files {
        let record = Iso19794Record::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!record.header.certification_flag, "{name}");
        let finger = record.first();
        assert!(finger.certifications.is_empty(), "{name}");
        assert_eq!(finger.image.format, ImageFormat::Wsq, "{name}");
        assert_eq!(finger.image.format_code, 2, "{name}");
        assert!(finger.image.data.starts_with(WSQ_SIGNATURE), "{name}");
        assert!(finger.image.format.signature_matches(&finger.image.data), "{name}");
        let Subject::Finger(details) = &finger.subject else {
            panic!("{name}: not a finger")
        };
        assert_eq!(details.position, expected_position(&name), "{name}");
        assert!(details.extended_data.is_empty(), "{name}");
        // The WSQ header's NIST comment states the same width as the record.
        let header = String::from_utf8_lossy(&finger.image.data[..64]);
        assert!(
            header.contains(&format!("PIX_WIDTH {}", finger.image.width)),
            "{name}: {header}"
        );
    }
}

#[test]
fn irises_carry_eye_labels() {
    for (file, eye) in [("Left_Iris.iso", 2u8), ("Right_Iris.iso", 1u8)] {
        let bytes = read(&fixtures(&format!("mosip-mock-mds/registration/{file}")));
        let record = Iso19794Record::parse(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(record.header.modality, Modality::Iris);
        assert_eq!(record.header.subject_count_or_temporal, Some(1), "one eye");
        let iris = record.first();
        let Subject::Iris(details) = &iris.subject else {
            panic!("{file}: not an iris")
        };
        assert_eq!(details.eye_label, eye, "{file}");
        assert_eq!(details.image_type, Some(3), "{file}: cropped");
        assert_eq!(iris.image.format_code, 0x0A, "{file}");
        assert_eq!(iris.image.format, ImageFormat::Jpeg2000Lossless, "{file}");
        assert_eq!(iris.image.bit_depth, Some(8), "{file}");
        assert!(iris.image.data.starts_with(JP2_SIGNATURE), "{file}");
    }
    let left = Iso19794Record::parse(&read(&fixtures("mosip-mock-mds/registration/Left_Iris.iso"))).unwrap();
    let left = left.first();
    assert_eq!((left.image.width, left.image.height), (417, 313));
    assert_eq!(left.quality[0].score, 96);
    assert_eq!(
        (left.device.technology_id, left.device.vendor_id, left.device.type_id),
        (1, 0x735f, 0x3006)
    );
}

#[test]
fn faces_are_full_frontal_jpeg2000() {
    for (file, width, height) in [("Face.iso", 240, 320), ("Exception_Photo.iso", 600, 400)] {
        let bytes = read(&fixtures(&format!("mosip-mock-mds/registration/{file}")));
        let record = Iso19794Record::parse(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(record.header.modality, Modality::Face);
        let face = record.first();
        assert_eq!(face.image.format, ImageFormat::Jpeg2000Lossless, "{file}");
        assert_eq!((face.image.width, face.image.height), (width, height), "{file}");
        assert!(face.image.data.starts_with(JP2_SIGNATURE), "{file}");
        let Subject::Face(details) = &face.subject else {
            panic!("{file}: not a face")
        };
        assert_eq!(details.face_image_type, 1, "{file}: full frontal");
        assert_eq!(details.colour_space, 1, "{file}: 24-bit RGB");
        assert_eq!(details.gender, 0xff, "{file}: gender unknown");
    }
    let face = Iso19794Record::parse(&read(&fixtures("mosip-mock-mds/registration/Face.iso"))).unwrap();
    assert_eq!(face.first().quality[0].score, 80);
}

#[test]
fn a_cut_or_padded_fixture_is_refused_by_name() {
    let bytes = read(&fixtures("mosip-mock-mds/registration/Right_Thumb.iso"));
    for cut in [1, 20, 60, bytes.len() / 2, bytes.len() - 1] {
        let error = Iso19794Record::parse(&bytes[..cut]).unwrap_err();
        assert_eq!(error.code(), ISO_TRUNCATED, "cut at {cut}: {error}");
    }
    let mut padded = bytes.clone();
    padded.extend_from_slice(b"junk");
    assert_eq!(Iso19794Record::parse(&padded).unwrap_err().code(), ISO_TRAILING_BYTES);
}

/// Every record fixture, 2011 editions all: the registration captures (ten fingers, two irises,
/// face, exception photo) and the WSQ authentication fingers.
fn all_2011_fixtures() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for folder in ["mosip-mock-mds/registration", "mosip-mock-mds/auth-wsq"] {
        for entry in std::fs::read_dir(fixtures(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "iso") {
                files.push((
                    format!("{folder}/{}", path.file_name().unwrap().to_string_lossy()),
                    read(&path),
                ));
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 14 + 11, "14 registration records and 11 WSQ fingers");
    files
}
