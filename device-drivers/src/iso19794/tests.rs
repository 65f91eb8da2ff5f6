//! Unit tests of the face writer that the station uses, and of refusals by code, on records
//! written here (the fixtures' tests are in `tests/iso19794`).

use super::*;

fn sample_png() -> Vec<u8> {
    let mut png = Vec::new();
    image::GrayImage::from_pixel(7, 5, image::Luma([200u8]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

fn input(png: &[u8]) -> FaceRecordInput<'_> {
    FaceRecordInput {
        png,
        captured_at: CaptureDateTime {
            year: 2025,
            month: 3,
            day: 14,
            hour: 9,
            minute: 26,
            second: 53,
            millisecond: 589,
        },
        device: CaptureDevice {
            technology_id: 2,
            vendor_id: 0x0102,
            type_id: 0x0304,
        },
        quality: QualityBlock {
            score: 77,
            algorithm_vendor_id: 0x00ff,
            algorithm_id: 1,
        },
        colour_space: 3,
    }
}

fn code(result: Result<Iso19794Record, DeviceError>) -> &'static str {
    result.unwrap_err().code()
}

#[test]
fn face_writer_output_parses_back_with_the_same_values() {
    let png = sample_png();
    let bytes = write_face_record(&input(&png)).unwrap();
    let record = Iso19794Record::parse(&bytes).unwrap();
    assert_eq!(record.header.modality, Modality::Face);
    assert_eq!(record.header.record_length as usize, bytes.len());
    assert_eq!(record.header.representation_count, 1);
    assert!(!record.header.certification_flag);
    let face = record.first();
    assert_eq!(face.captured_at, Some(input(&png).captured_at));
    assert_eq!(face.device, input(&png).device);
    assert_eq!(face.quality, vec![input(&png).quality]);
    assert_eq!(face.image.format, ImageFormat::Png);
    assert_eq!(face.image.format_code, 3);
    assert_eq!((face.image.width, face.image.height), (7, 5));
    assert_eq!(face.image.data, png);
    assert!(face.image.format.signature_matches(&face.image.data));
    match &face.subject {
        Subject::Face(details) => {
            assert_eq!(details.face_image_type, 1);
            assert_eq!(details.colour_space, 3);
            assert!(details.landmarks.is_empty());
        }
        other => panic!("expected a face, got {other:?}"),
    }
}

#[test]
fn face_writer_refuses_what_is_not_png() {
    let error = write_face_record(&input(b"\xff\xd8\xff\xe0 a jpeg")).unwrap_err();
    assert_eq!(error.code(), ISO_INVALID);
    assert!(error.to_string().contains("not a PNG"), "{error}");
    let png = sample_png();
    let mut bad_quality = input(&png);
    bad_quality.quality.score = 101;
    assert_eq!(write_face_record(&bad_quality).unwrap_err().code(), ISO_INVALID);
}

#[test]
fn damaged_records_are_named() {
    let png = sample_png();
    let bytes = write_face_record(&input(&png)).unwrap();
    assert_eq!(code(Iso19794Record::parse(b"")), ISO_TRUNCATED);
    assert_eq!(code(Iso19794Record::parse(b"XYZ\x00030\x00")), ISO_UNKNOWN_FORMAT);
    let mut old = bytes.clone();
    old[4..8].copy_from_slice(b"020\0");
    assert_eq!(code(Iso19794Record::parse(&old)), ISO_UNSUPPORTED_VERSION);
    assert_eq!(code(Iso19794Record::parse(&bytes[..bytes.len() - 1])), ISO_TRUNCATED);
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(code(Iso19794Record::parse(&longer)), ISO_TRAILING_BYTES);
    let mut no_representation = bytes.clone();
    no_representation[12..14].copy_from_slice(&0u16.to_be_bytes());
    assert_eq!(code(Iso19794Record::parse(&no_representation)), ISO_INVALID);
    let mut wrong_type = bytes.clone();
    wrong_type[59] = 9; // image data type: 17 + 4 + 9 + 5 + 1 + 5 + 17 + 1
    assert_eq!(code(Iso19794Record::parse(&wrong_type)), ISO_INVALID);
    let mut three_d = bytes.clone();
    three_d[58] = 0x81; // face image type
    assert_eq!(code(Iso19794Record::parse(&three_d)), ISO_UNSUPPORTED);
    let mut long_representation = bytes.clone();
    long_representation[17..21].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(code(Iso19794Record::parse(&long_representation)), ISO_INVALID);
}

#[test]
fn random_damage_never_panics() {
    use rand::{Rng, SeedableRng};
    let png = sample_png();
    let valid = write_face_record(&input(&png)).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(19794);
    for _ in 0..5000 {
        let mut bytes = valid.clone();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..bytes.len());
            bytes[at] = rng.gen();
        }
        if rng.gen_bool(0.3) {
            bytes.truncate(rng.gen_range(0..bytes.len()));
        }
        if let Err(error) = Iso19794Record::parse(&bytes) {
            assert!(error.code().starts_with("iso_record_"), "{error}");
        }
    }
}
