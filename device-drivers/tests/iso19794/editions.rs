//! Both editions: every 2011 fixture writes back byte for byte and survives a trip through 2005;
//! hand-built 2005 records (laid out byte by byte here, from the standards' descriptions, not by
//! the writer under test) read, write back byte for byte, and survive a trip through 2011; the
//! builders write both editions; what cannot be written is refused by code.

use enroll_devices::iso19794::{
    convert, jpeg2000, write_record, CaptureDateTime, CaptureDevice, Edition, FaceImageInput, FingerImageInput,
    Header2005, ImageFormat, IrisImageInput, Iso19794Record, Modality, QualityBlock, Representation, Subject,
    ISO_INVALID, ISO_NOT_EXPRESSIBLE, ISO_TRAILING_BYTES, ISO_TRUNCATED, ISO_UNSUPPORTED_VERSION,
};

/// A header-only JPEG 2000 codestream: SOC, SIZ for one 8-bit component, COD naming the
/// reversible (5-3) or irreversible (9-7) wavelet, then EOC; `tag` makes images differ.
pub(crate) fn j2k(width: u32, height: u32, reversible: bool, tag: u8) -> Vec<u8> {
    let mut b = vec![0xff, 0x4f, 0xff, 0x51];
    b.extend(41u16.to_be_bytes()); // Lsiz: 38 + 3 per component
    b.extend(0u16.to_be_bytes()); // Rsiz
    for value in [width, height, 0, 0, width, height, 0, 0] {
        b.extend(value.to_be_bytes());
    }
    b.extend(1u16.to_be_bytes()); // one component
    b.extend([7, 1, 1]); // 8 bits unsigned, no subsampling
    b.extend([0xff, 0x52]);
    b.extend(12u16.to_be_bytes()); // Lcod
    b.extend([0, 0, 0, 1, 0]); // Scod, progression order, one layer, no colour transform
    b.extend([5, 4, 4, 0, u8::from(reversible)]);
    b.extend([0xff, 0x64, 0x00, 0x03, tag]); // a comment marker that makes the images differ
    b.extend([0xff, 0xd9]);
    b
}

/// 19794-4:2005: two views (right index, left index) of WSQ images at 500 ppi, capture device
/// 0x023 with compliance bits 1, acquisition level 31.
pub(crate) fn finger_2005() -> Vec<u8> {
    let views: [(u8, &[u8]); 2] = [(2, b"\xff\xa0 first wsq"), (7, b"\xff\xa0 second wsq, longer")];
    let mut body = Vec::new();
    for (index, (position, image)) in views.iter().enumerate() {
        body.extend((14 + image.len() as u32).to_be_bytes());
        // position, count of views, view number, quality, impression type (live-scan plain)
        body.extend([*position, 1, 1, 60 + index as u8, 0]);
        body.extend(300u16.to_be_bytes());
        body.extend(400u16.to_be_bytes());
        body.push(0); // reserved
        body.extend(*image);
    }
    let mut record = b"FIR\x00010\x00".to_vec();
    record.extend(&(32 + body.len() as u64).to_be_bytes()[2..]);
    record.extend(0x1023u16.to_be_bytes());
    record.extend(31u16.to_be_bytes());
    record.extend([2, 1]); // two finger images, pixels per inch
    for value in [500u16, 500, 500, 500] {
        record.extend(value.to_be_bytes());
    }
    record.extend([8, 2, 0, 0]); // 8 bits, WSQ, reserved
    record.extend(body);
    record
}

/// 19794-5:2005: one full-frontal JPEG face with two feature points, a digital still camera
/// (source type 2) of device type 0x0102, quality 0 (unspecified).
pub(crate) fn face_2005() -> Vec<u8> {
    let image: &[u8] = b"\xff\xd8 a jpeg face \xff\xd9";
    let mut face = Vec::new();
    face.extend(2u16.to_be_bytes()); // feature points
    face.extend([1, 2, 3]); // gender male, eye colour blue, hair colour black
    face.extend([0x00, 0x00, 0x01]); // feature mask: features specified
    face.extend(1u16.to_be_bytes()); // expression neutral
    face.extend([0, 0, 0, 0, 0, 0]); // pose and uncertainty
    face.extend([1, 0x31, 0x01, 0x10, 0x00, 0xf0, 0, 0]); // type 1, point 3.1 at (272, 240)
    face.extend([1, 0x32, 0x01, 0x70, 0x00, 0xf0, 0, 0]); // type 1, point 3.2 at (368, 240)
    face.extend([1, 0]); // full frontal, JPEG
    face.extend(640u16.to_be_bytes());
    face.extend(480u16.to_be_bytes());
    face.extend([1, 2]); // 24-bit RGB, digital still camera
    face.extend(0x0102u16.to_be_bytes());
    face.extend(0u16.to_be_bytes());
    face.extend(image);
    let mut record = b"FAC\x00010\x00".to_vec();
    record.extend((14 + 4 + face.len() as u32).to_be_bytes());
    record.extend(1u16.to_be_bytes());
    record.extend((4 + face.len() as u32).to_be_bytes());
    record.extend(face);
    record
}

/// 19794-6:2005: two images of the right eye and one of the left, monochrome JPEG 2000 (0x000E)
/// of 64 × 48 at 8 bits, image property bits 0x0005 (both orientations "base"), diameter 200,
/// device 7 with a serial-number unique id.
pub(crate) fn iris_2005() -> Vec<u8> {
    iris_2005_of(&[(1, 1, 80, 1), (1, 2, 70, 2), (2, 1, 90, 3)])
}

/// A 2005 iris record of `images` (eye, sequence number, quality, tag), one subtype header per
/// run of images of the same eye.
fn iris_2005_of(images: &[(u8, u16, u8, u8)]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut subtypes = 0u8;
    for (index, &(eye, sequence, quality, tag)) in images.iter().enumerate() {
        if index == 0 || images[index - 1].0 != eye {
            let run = images[index..].iter().take_while(|image| image.0 == eye).count() as u16;
            body.push(eye);
            body.extend(run.to_be_bytes());
            subtypes += 1;
        }
        let image = j2k(64, 48, true, tag);
        body.extend(sequence.to_be_bytes());
        body.push(quality);
        body.extend(0xffffu16.to_be_bytes()); // rotation angle undefined
        body.extend(0xffffu16.to_be_bytes()); // rotation uncertainty undefined
        body.extend((image.len() as u32).to_be_bytes());
        body.extend(image);
    }
    let mut record = b"IIR\x00010\x00".to_vec();
    record.extend((45 + body.len() as u32).to_be_bytes());
    record.extend(7u16.to_be_bytes());
    record.push(subtypes);
    record.extend(45u16.to_be_bytes());
    record.extend(0x0005u16.to_be_bytes());
    record.extend(200u16.to_be_bytes());
    record.extend(0x000eu16.to_be_bytes());
    record.extend(64u16.to_be_bytes());
    record.extend(48u16.to_be_bytes());
    record.extend([8, 0]); // intensity depth, no transformation
    record.extend(b"D000000000012345");
    record.extend(body);
    record
}

pub(crate) fn hand_built_2005() -> Vec<(&'static str, Vec<u8>)> {
    vec![("finger", finger_2005()), ("face", face_2005()), ("iris", iris_2005())]
}

/// Small 2011 records of each part, written by the builders around a header-only JPEG 2000.
pub(crate) fn small_2011() -> Vec<(&'static str, Vec<u8>)> {
    let image = j2k(40, 30, false, 7);
    let device = CaptureDevice {
        technology_id: 1,
        vendor_id: 0x0102,
        type_id: 0x0304,
    };
    let finger = FingerImageInput {
        image: &image,
        position: 3,
        impression_type: 0,
        resolution_ppi: 500,
        bit_depth: 8,
        captured_at: None,
        device,
        quality: quality(40),
        image_acquisition_level_2005: None,
    };
    let iris = IrisImageInput {
        image: &image,
        eye_label: 1,
        image_type: 3,
        bit_depth: 8,
        captured_at: None,
        device,
        quality: quality(90),
    };
    let face = FaceImageInput {
        image: &image,
        captured_at: None,
        device,
        quality: quality(70),
        colour_space: 1,
    };
    vec![
        ("small 2011 finger", finger.write(Edition::Iso2011).unwrap()),
        ("small 2011 iris", iris.write(Edition::Iso2011).unwrap()),
        ("small 2011 face", face.write(Edition::Iso2011).unwrap()),
    ]
}

fn code<T: std::fmt::Debug>(result: Result<T, enroll_devices::DeviceError>) -> &'static str {
    result.unwrap_err().code()
}

/// What both editions hold of a representation: compared after a trip through the other one.
fn common(r: &Representation) -> impl PartialEq + std::fmt::Debug + '_ {
    let subject = match &r.subject {
        Subject::Finger(f) => (
            0u8,
            f.position,
            f.impression_type,
            Some(f.capture_resolution),
            0u16,
            0u16,
        ),
        Subject::Iris(i) => (1, i.eye_label, 0, None, i.roll_angle, i.roll_angle_uncertainty),
        Subject::Face(f) => (
            2,
            f.face_image_type,
            f.colour_space,
            None,
            f.expression,
            f.landmarks.len() as u16,
        ),
    };
    (
        subject,
        &r.image.data,
        (r.image.width, r.image.height, r.image.resolution, r.image.bit_depth),
        r.device.type_id,
    )
}

fn first_score(r: &Representation) -> Option<u16> {
    r.quality.first().map(|q| u16::from(q.score)).or(r.quality_2005)
}

#[test]
fn every_2011_fixture_writes_back_byte_for_byte_and_survives_a_trip_through_2005() {
    for (name, bytes) in crate::all_2011_fixtures() {
        let record = Iso19794Record::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(record.edition(), Edition::Iso2011, "{name}");
        let written = write_record(&record, Edition::Iso2011).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(written == bytes, "{name}: written back differs from the fixture");

        // Every fixture states a capture date, which a 2005 record cannot hold: refused, not
        // dropped.
        assert!(record.representations.iter().all(|r| r.captured_at.is_some()), "{name}");
        let refusal = write_record(&record, Edition::Iso2005).unwrap_err();
        assert_eq!(refusal.code(), ISO_NOT_EXPRESSIBLE, "{name}: {refusal}");

        let to_2005 = convert(&record, Edition::Iso2005).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            to_2005.dropped.iter().any(|d| d.contains("capture date")),
            "{name}: {:?}",
            to_2005.dropped
        );
        let old = &to_2005.record;
        assert_eq!(old.edition(), Edition::Iso2005, "{name}");
        let bytes_2005 = write_record(old, Edition::Iso2005).unwrap();
        assert_eq!(&Iso19794Record::parse(&bytes_2005).unwrap(), old, "{name}");
        assert_eq!(&bytes_2005[4..8], b"010\0", "{name}");

        let back = convert(old, Edition::Iso2011).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = &back.record;
        assert_eq!(back.modality(), record.modality(), "{name}");
        assert_eq!(back.representations.len(), record.representations.len(), "{name}");
        for (before, after) in record.representations.iter().zip(&back.representations) {
            assert_eq!(common(before), common(after), "{name}");
            assert_eq!(first_score(before), first_score(after), "{name}: quality score");
            // JPEG 2000's lossless flag comes back from the codestream's wavelet; WSQ stays WSQ.
            assert_eq!(before.image.format, after.image.format, "{name}");
            if record.modality() == Modality::Face {
                assert_eq!(
                    before.device.technology_id, after.device.technology_id,
                    "{name}: source type"
                );
            }
        }
    }
}

#[test]
fn jpeg2000_facts_match_what_the_fixture_records_say() {
    let mut checked = 0;
    for (name, bytes) in crate::all_2011_fixtures() {
        let record = Iso19794Record::parse(&bytes).unwrap();
        for r in &record.representations {
            if r.image.format != ImageFormat::Jpeg2000Lossless {
                continue;
            }
            let size = jpeg2000::dimensions(&r.image.data);
            assert_eq!(
                size,
                Some((u32::from(r.image.width), u32::from(r.image.height))),
                "{name}"
            );
            assert_eq!(jpeg2000::is_reversible(&r.image.data), Some(true), "{name}: lossless");
            checked += 1;
        }
    }
    assert_eq!(checked, 14, "every registration record is JPEG 2000 lossless");
    assert_eq!(jpeg2000::is_reversible(&j2k(4, 4, false, 0)), Some(false));
    assert_eq!(jpeg2000::dimensions(&j2k(4, 3, false, 0)), Some((4, 3)));
    assert_eq!(jpeg2000::dimensions(b"\xff\x4f\xff\x51\x00"), None);
}

#[test]
fn hand_built_2005_records_write_back_byte_for_byte() {
    for (name, bytes) in hand_built_2005() {
        let record = Iso19794Record::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(record.edition(), Edition::Iso2005, "{name}");
        assert_eq!(record.header.record_length as usize, bytes.len(), "{name}");
        assert!(record.representations.iter().all(|r| r.captured_at.is_none()), "{name}");
        assert!(record.representations.iter().all(|r| r.quality.is_empty()), "{name}");
        let written = write_record(&record, Edition::Iso2005).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(written, bytes, "{name}");
    }
}

#[test]
fn a_2005_finger_record_reads_as_laid_out() {
    let record = Iso19794Record::parse(&finger_2005()).unwrap();
    assert_eq!(record.modality(), Modality::Finger);
    assert_eq!(record.header.representation_count, 2);
    assert_eq!(record.header.subject_count_or_temporal, None);
    assert_eq!(
        record.header.header_2005,
        Some(Header2005::Finger {
            compliance: 1,
            image_acquisition_level: 31,
            reserved: 0
        })
    );
    for (index, (r, position)) in record.representations.iter().zip([2u8, 7]).enumerate() {
        assert_eq!(
            r.device,
            CaptureDevice {
                technology_id: 0,
                vendor_id: 0,
                type_id: 0x023
            }
        );
        assert_eq!(r.quality_2005, Some(60 + index as u16));
        assert_eq!((r.image.format, r.image.format_code), (ImageFormat::Wsq, 2));
        assert_eq!((r.image.width, r.image.height, r.image.bit_depth), (300, 400, Some(8)));
        assert_eq!(r.image.resolution.map(|res| res.horizontal), Some(500));
        let Subject::Finger(finger) = &r.subject else {
            panic!("not a finger")
        };
        assert_eq!(finger.position, position);
        assert_eq!(finger.representation_number, None);
        assert!(r.image.data.starts_with(b"\xff\xa0"));
    }
}

#[test]
fn a_2005_face_record_reads_as_laid_out() {
    let record = Iso19794Record::parse(&face_2005()).unwrap();
    let face = record.first();
    assert_eq!(
        face.device,
        CaptureDevice {
            technology_id: 2,
            vendor_id: 0,
            type_id: 0x0102
        }
    );
    assert_eq!(face.quality_2005, Some(0));
    assert_eq!(
        (face.image.format, face.image.width, face.image.height),
        (ImageFormat::Jpeg, 640, 480)
    );
    let Subject::Face(details) = &face.subject else {
        panic!("not a face")
    };
    assert_eq!((details.gender, details.eye_colour, details.hair_colour), (1, 2, 3));
    assert_eq!(details.landmarks.len(), 2);
    assert_eq!(details.landmarks[1][..6], [1, 0x32, 0x01, 0x70, 0x00, 0xf0]);
    assert_eq!(details.subject_height, None);
    assert_eq!(details.cross_reference, None);
    assert_eq!(details.colour_space, 1);
}

#[test]
fn a_2005_iris_record_reads_as_laid_out() {
    let record = Iso19794Record::parse(&iris_2005()).unwrap();
    assert_eq!(record.header.representation_count, 3);
    assert_eq!(record.header.subject_count_or_temporal, Some(2), "two eyes");
    let Some(Header2005::Iris {
        image_properties,
        iris_diameter,
        device_unique_id,
        ..
    }) = &record.header.header_2005
    else {
        panic!("no 2005 iris header")
    };
    assert_eq!((*image_properties, *iris_diameter), (0x0005, 200));
    assert_eq!(device_unique_id, b"D000000000012345");
    let eyes: Vec<(u8, u16, Option<u16>)> = record
        .representations
        .iter()
        .map(|r| match &r.subject {
            Subject::Iris(iris) => (iris.eye_label, iris.representation_number, r.quality_2005),
            other => panic!("not an iris: {other:?}"),
        })
        .collect();
    assert_eq!(eyes, [(1, 1, Some(80)), (1, 2, Some(70)), (2, 1, Some(90))]);
    let first = record.first();
    assert_eq!(
        (first.image.format, first.image.format_code),
        (ImageFormat::Jpeg2000, 0x0e)
    );
    assert_eq!(
        (first.image.width, first.image.height, first.device.type_id),
        (64, 48, 7)
    );
}

#[test]
fn hand_built_2005_records_survive_a_trip_through_2011() {
    for (name, bytes) in hand_built_2005() {
        let record = Iso19794Record::parse(&bytes).unwrap();
        let refusal = write_record(&record, Edition::Iso2011).unwrap_err();
        assert_eq!(
            refusal.code(),
            ISO_NOT_EXPRESSIBLE,
            "{name}: 2005-only values are refused: {refusal}"
        );
        let new = convert(&record, Edition::Iso2011).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(new.record.edition(), Edition::Iso2011, "{name}");
        let bytes_2011 = write_record(&new.record, Edition::Iso2011).unwrap();
        assert_eq!(Iso19794Record::parse(&bytes_2011).unwrap(), new.record, "{name}");
        let back = convert(&new.record, Edition::Iso2005).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Everything a representation holds comes back; only header values the 2011 edition has
        // no place for are lost, and the conversion said so.
        assert_eq!(back.record.representations, record.representations, "{name}");
        match name {
            "finger" => assert!(
                new.dropped.iter().any(|d| d.contains("image acquisition level 31")),
                "{:?}",
                new.dropped
            ),
            "iris" => assert!(
                new.dropped.iter().any(|d| d.contains("iris diameter 200"))
                    && new.dropped.iter().any(|d| d.contains("device unique id")),
                "{:?}",
                new.dropped
            ),
            _ => assert!(new.dropped.is_empty(), "{name}: {:?}", new.dropped),
        }
        if name == "iris" {
            let Subject::Iris(iris) = &new.record.first().subject else {
                panic!()
            };
            assert_eq!(iris.image_properties, Some(0x45), "orientation bits and 'lossless'");
            assert_eq!(new.record.first().image.format, ImageFormat::Jpeg2000Lossless);
        }
    }
}

fn quality(score: u8) -> QualityBlock {
    QualityBlock {
        score,
        algorithm_vendor_id: 0,
        algorithm_id: 0,
    }
}

#[test]
fn builders_write_one_image_in_either_edition() {
    let when = CaptureDateTime {
        year: 2026,
        month: 11,
        day: 30,
        hour: 12,
        minute: 0,
        second: 0,
        millisecond: 0,
    };
    let image = j2k(320, 480, true, 9);
    for edition in [Edition::Iso2011, Edition::Iso2005] {
        let finger = FingerImageInput {
            image: &image,
            position: 6,
            impression_type: 0,
            resolution_ppi: 500,
            bit_depth: 8,
            captured_at: (edition == Edition::Iso2011).then_some(when),
            device: CaptureDevice::default(),
            quality: quality(55),
            image_acquisition_level_2005: Some(31),
        };
        let record = Iso19794Record::parse(&finger.write(edition).unwrap()).unwrap();
        assert_eq!((record.edition(), record.modality()), (edition, Modality::Finger));
        let r = record.first();
        assert_eq!((r.image.width, r.image.height), (320, 480));
        let expected = match edition {
            Edition::Iso2011 => ImageFormat::Jpeg2000Lossless,
            Edition::Iso2005 => ImageFormat::Jpeg2000,
        };
        assert_eq!(r.image.format, expected);
        assert_eq!(first_score(r), Some(55));

        let iris = IrisImageInput {
            image: &image,
            eye_label: 2,
            image_type: 3,
            bit_depth: 8,
            captured_at: None,
            device: CaptureDevice::default(),
            quality: quality(88),
        };
        let record = Iso19794Record::parse(&iris.write(edition).unwrap()).unwrap();
        let Subject::Iris(details) = &record.first().subject else {
            panic!()
        };
        assert_eq!(details.eye_label, 2);
        assert_eq!(first_score(record.first()), Some(88));

        let face = FaceImageInput {
            image: &image,
            captured_at: None,
            device: CaptureDevice::default(),
            quality: quality(70),
            colour_space: 1,
        };
        let record = Iso19794Record::parse(&face.write(edition).unwrap()).unwrap();
        assert_eq!(record.first().image.data, image);
    }
    // A 2005 record has no capture date, and no place for a PNG iris image.
    let finger = FingerImageInput {
        image: &image,
        position: 1,
        impression_type: 0,
        resolution_ppi: 500,
        bit_depth: 8,
        captured_at: Some(when),
        device: CaptureDevice::default(),
        quality: quality(55),
        image_acquisition_level_2005: Some(31),
    };
    assert_eq!(code(finger.write(Edition::Iso2005)), ISO_NOT_EXPRESSIBLE);
    let without_level = FingerImageInput {
        captured_at: None,
        image_acquisition_level_2005: None,
        ..finger.clone()
    };
    assert_eq!(code(without_level.write(Edition::Iso2005)), ISO_NOT_EXPRESSIBLE);
    let not_an_image = FingerImageInput {
        image: b"GIF89a",
        ..finger
    };
    assert_eq!(code(not_an_image.write(Edition::Iso2011)), ISO_INVALID);
}

#[test]
fn refusals_carry_their_code() {
    let finger = finger_2005();
    assert_eq!(code(Iso19794Record::parse(&finger[..finger.len() - 1])), ISO_TRUNCATED);
    assert_eq!(code(Iso19794Record::parse(&finger[..20])), ISO_TRUNCATED);
    let mut longer = finger.clone();
    longer.push(0);
    assert_eq!(code(Iso19794Record::parse(&longer)), ISO_TRAILING_BYTES);
    let mut unknown_version = finger.clone();
    unknown_version[4..8].copy_from_slice(b"011\0");
    assert_eq!(code(Iso19794Record::parse(&unknown_version)), ISO_UNSUPPORTED_VERSION);
    let mut bad_compression = finger.clone();
    bad_compression[29] = 9;
    assert_eq!(code(Iso19794Record::parse(&bad_compression)), ISO_INVALID);
    let mut bad_units = finger;
    bad_units[19] = 3;
    assert_eq!(code(Iso19794Record::parse(&bad_units)), ISO_INVALID);

    let mut png_face_2005 = face_2005();
    png_face_2005[14 + 20 + 16 + 1] = 3; // image data type: PNG is not in the 2005 table
    assert_eq!(code(Iso19794Record::parse(&png_face_2005)), ISO_INVALID);

    let iris = iris_2005();
    let mut bad_header_length = iris.clone();
    bad_header_length[15..17].copy_from_slice(&44u16.to_be_bytes());
    assert_eq!(code(Iso19794Record::parse(&bad_header_length)), ISO_INVALID);
    let mut bad_eye = iris.clone();
    bad_eye[45] = 3;
    assert_eq!(code(Iso19794Record::parse(&bad_eye)), ISO_INVALID);
    // Each eye's images sit under one subtype header; a second header for an eye is refused,
    // as is one announcing no image.
    let right_left_right = iris_2005_of(&[(1, 1, 80, 1), (2, 1, 90, 2), (1, 2, 70, 3)]);
    assert_eq!(code(Iso19794Record::parse(&right_left_right)), ISO_INVALID);
    let mut empty_subtype = iris.clone();
    empty_subtype[46..48].copy_from_slice(&0u16.to_be_bytes());
    assert_eq!(code(Iso19794Record::parse(&empty_subtype)), ISO_INVALID);
    let mut bad_format = iris;
    bad_format[21..23].copy_from_slice(&0x0012u16.to_be_bytes());
    assert_eq!(code(Iso19794Record::parse(&bad_format)), ISO_INVALID);

    // A 2011 PNG face cannot become a 2005 record, which knows only JPEG and JPEG 2000.
    let png = {
        let mut png = Vec::new();
        image::GrayImage::from_pixel(3, 2, image::Luma([9u8]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    };
    let face = FaceImageInput {
        image: &png,
        captured_at: None,
        device: CaptureDevice::default(),
        quality: quality(50),
        colour_space: 3,
    };
    let record = Iso19794Record::parse(&face.write(Edition::Iso2011).unwrap()).unwrap();
    assert_eq!(code(convert(&record, Edition::Iso2005)), ISO_NOT_EXPRESSIBLE);
    assert_eq!(code(face.write(Edition::Iso2005)), ISO_NOT_EXPRESSIBLE);
}

/// The first 58 bytes of a real 19794-5:2005 face record, from a public hex dump of an ICAO
/// 9303 passport's DG2 (the record inside its biometric data block, tag 5F2E): general header,
/// facial information block, image information block and the start of the JP2 file. Only the
/// header bytes are reproduced here; the image is replaced by the JP2 signature followed by
/// zeros up to the length the record declares.
const PASSPORT_DG2_FACE_HEADER: &str = "46 41 43 00 30 31 30 00 00 00 3A C5 00 01 00 00 3A B7 00 00 00 00 00 \
    00 00 00 00 00 00 00 00 00 00 00 01 01 01 51 01 C1 00 00 00 00 00 00 00 00 00 0C 6A 50 20 20 0D 0A 87 0A";

#[test]
fn a_real_passport_face_header_reads_as_2005() {
    let header: Vec<u8> = PASSPORT_DG2_FACE_HEADER
        .split_whitespace()
        .map(|byte| u8::from_str_radix(byte, 16).unwrap())
        .collect();
    assert_eq!(header.len(), 58);
    let general = enroll_devices::iso19794::GeneralHeader::parse(&header).unwrap();
    assert_eq!((general.modality, general.edition), (Modality::Face, Edition::Iso2005));
    assert_eq!((general.record_length, general.representation_count), (0x3ac5, 1));
    assert_eq!(code(Iso19794Record::parse(&header)), ISO_TRUNCATED);

    let mut record = header.clone();
    record.resize(0x3ac5, 0);
    let parsed = Iso19794Record::parse(&record).unwrap();
    let face = parsed.first();
    assert_eq!(face.length, 0x3ab7);
    assert_eq!((face.image.width, face.image.height), (337, 449));
    assert_eq!((face.image.format, face.image.format_code), (ImageFormat::Jpeg2000, 1));
    assert!(face.image.data.starts_with(enroll_devices::iso19794::JP2_SIGNATURE));
    assert_eq!(face.image.data.len(), 0x3ac5 - 14 - 20 - 12);
    let Subject::Face(details) = &face.subject else {
        panic!("not a face")
    };
    assert_eq!(details.face_image_type, 1, "full frontal");
    assert!(details.landmarks.is_empty());
    assert_eq!(face.quality_2005, Some(0));
    assert_eq!(write_record(&parsed, Edition::Iso2005).unwrap(), record);
}
