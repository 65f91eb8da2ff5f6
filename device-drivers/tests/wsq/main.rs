//! The WSQ decoder on real finger records (MOSIP's mock device, `auth-wsq/`): every image
//! decodes to the size its record states and to the pixels of an independent decoder (NIST's
//! NBIS) up to float rounding; damaged and truncated files give errors, never panics.

use std::path::{Path, PathBuf};

use enroll_devices::codecs::wsq::{
    decode, decode_record_image, dimensions, MAX_PIXELS, WSQ_INVALID, WSQ_TRUNCATED, WSQ_UNSUPPORTED,
};
use enroll_devices::iso19794::{ImageFormat, Iso19794Record, ScaleUnits};
use sha2::{Digest, Sha256};

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

/// Every `auth-wsq/*.iso` record, sorted by file name.
fn wsq_records() -> Vec<(String, Iso19794Record)> {
    let mut records: Vec<(String, Iso19794Record)> = std::fs::read_dir(fixtures("mosip-mock-mds/auth-wsq"))
        .expect("the auth-wsq fixture folder is readable")
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "iso"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let record = Iso19794Record::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, record)
        })
        .collect();
    records.sort_by(|a, b| a.0.cmp(&b.0));
    records
}

/// The WSQ bytes of one fixture record.
fn wsq_bytes(name: &str) -> Vec<u8> {
    let (_, record) = wsq_records()
        .into_iter()
        .find(|(file, _)| file == name)
        .unwrap_or_else(|| panic!("fixture {name} is not in auth-wsq"));
    record.first().image.data.clone()
}

/// A fixture's file name, the SHA-256 of NBIS's pixels, and the pixels (index, NBIS's value)
/// where this decoder differs.
type NbisReference = (&'static str, &'static str, &'static [(usize, u8)]);

/// What NIST's NBIS decoder gives for each fixture, and where ours differs from it.
///
/// Obtained once, outside the repository: the PyPI package `wsq` 0.9 (a Pillow plugin built on
/// NBIS) decoded each record's WSQ bytes (`Image.open` on them, mode "L"); the first hash is
/// SHA-256 over its pixels, row by row. Then this decoder's pixels were compared with NBIS's:
/// the list gives, for every pixel where they differ, its index (y·width + x) and NBIS's
/// value. All differences are of one grey level, where a value lands next to a rounding
/// boundary (x.5): NBIS computes in single precision with its own order of operations.
/// The test puts NBIS's values in, checks that each moved by exactly one level, and that the
/// result hashes to NBIS's image: every other pixel is identical.
const NBIS_REFERENCE: &[NbisReference] = &[
    (
        "Finger_UKNOWN_wsq.iso",
        "ec898627c12a618477081080800eb25bf8432df31bfd34136fe7ea83a9f243c3",
        &[
            (36894, 49),
            (54874, 215),
            (72821, 56),
            (82050, 227),
            (83575, 152),
            (109249, 141),
        ],
    ),
    (
        "Left_Index_wsq.iso",
        "ec898627c12a618477081080800eb25bf8432df31bfd34136fe7ea83a9f243c3",
        &[
            (36894, 49),
            (54874, 215),
            (72821, 56),
            (82050, 227),
            (83575, 152),
            (109249, 141),
        ],
    ),
    (
        "Left_Little_wsq.iso",
        "99f28d3617428143ccc5a584bafabaa72c745b63f292732f932689831f109a9b",
        &[(57381, 170), (70424, 187), (83636, 232)],
    ),
    (
        "Left_Middle_wsq.iso",
        "1dbd004d5c169944158241fa03405d871c2ab07a676a43166d3d4e0a057d5a28",
        &[(85770, 116), (89571, 123), (114622, 55), (120953, 61)],
    ),
    (
        "Left_Ring_wsq.iso",
        "6d2d94c4acc0a1960f98c976c885c0c2acc036d17d0f05cbe3c402db6e766c6b",
        &[(7021, 247), (22564, 171), (26509, 229), (94103, 106), (100575, 248)],
    ),
    (
        "Left_Thumb_wsq.iso",
        "e82dbe40e0d986e0763de13263a77c55f20887c9d8b7387d51e33a46794fdf18",
        &[(73685, 84), (74529, 59), (87662, 87), (96389, 118)],
    ),
    (
        "Right_Index_wsq.iso",
        "04c1fecb784de0fa38ef7d43df158b2a870c7f4c5adb3d6539b2557c0324f633",
        &[
            (1031, 252),
            (41752, 147),
            (47261, 34),
            (71141, 241),
            (71441, 60),
            (85229, 77),
            (95763, 101),
            (98165, 80),
            (113933, 246),
        ],
    ),
    (
        "Right_Little_wsq.iso",
        "68b1c7cd96aeccc199d70d1eed1ae90767634805bda94eba513cfecaf19de5f7",
        &[
            (5866, 111),
            (6513, 254),
            (36334, 130),
            (38909, 91),
            (71733, 114),
            (88826, 74),
            (108341, 234),
        ],
    ),
    (
        "Right_Middle_wsq.iso",
        "aba4a6940e1659b20a7b673564e23f55ca5e7d2a1b6d827ac532b941ef82d3c6",
        &[(3809, 253), (55651, 179), (80027, 238)],
    ),
    (
        "Right_Ring_wsq.iso",
        "67140ae2b3e4d72546a5a49fd2ea02da8f050677fac10a3821d983e9bdb9bba5",
        &[
            (37478, 87),
            (55126, 243),
            (64271, 155),
            (85667, 220),
            (101957, 102),
            (105881, 99),
            (112601, 116),
        ],
    ),
    (
        "Right_Thumb_wsq.iso",
        "ec2fc173af4c585c2a9aa8372c9ef6c8d34d38b071167e6fa4b2c7a1dcad25a9",
        &[(8117, 242), (43582, 240), (128546, 247), (162133, 223)],
    ),
];

/// The tolerance against NBIS: at most this many pixels of an image may differ, each by one
/// grey level (a mean absolute difference below 0.0002 on these 85,000–180,000-pixel images).
const MAX_PIXELS_OFF_BY_ONE: usize = 16;

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_auth_record_decodes_to_its_size_and_to_nbis_pixels_within_rounding() {
    let records = wsq_records();
    assert_eq!(records.len(), 11, "eleven WSQ finger records");
    assert_eq!(NBIS_REFERENCE.len(), records.len(), "one reference per fixture");
    for (name, record) in &records {
        let image = &record.first().image;
        assert_eq!(image.format, ImageFormat::Wsq, "{name}");
        let decoded = decode_record_image(image).unwrap_or_else(|e| panic!("{name}: {e} ({})", e.code()));
        let size = (u32::from(image.width), u32::from(image.height));
        assert_eq!((decoded.image.width(), decoded.image.height()), size, "{name}");
        assert_eq!(dimensions(&image.data).unwrap(), size, "{name}: the frame header alone");
        // The NISTCOM comment's resolution agrees with the record's own.
        let resolution = image.resolution.expect("finger records state a resolution");
        assert_eq!(resolution.units, ScaleUnits::PixelsPerInch, "{name}");
        assert_eq!(decoded.ppi, Some(resolution.horizontal), "{name}");

        let (_, nbis_sha256, nbis_differences) = NBIS_REFERENCE
            .iter()
            .find(|(file, _, _)| file == name)
            .unwrap_or_else(|| panic!("{name} has no NBIS reference"));
        assert!(nbis_differences.len() <= MAX_PIXELS_OFF_BY_ONE, "{name}");
        let mut pixels = decoded.image.into_raw();
        for &(index, nbis_value) in *nbis_differences {
            let ours = pixels[index];
            assert_eq!(
                ours.abs_diff(nbis_value),
                1,
                "{name}: pixel {index} is {ours}, NBIS {nbis_value}"
            );
            pixels[index] = nbis_value;
        }
        assert_eq!(
            sha256_hex(&pixels),
            *nbis_sha256,
            "{name}: apart from the listed pixels the image must equal NBIS's"
        );
    }
}

#[test]
fn every_truncation_is_a_truncation_error() {
    let bytes = wsq_bytes("Right_Middle_wsq.iso");
    let full_size = dimensions(&bytes).unwrap();
    let mut header_complete = false;
    for length in 0..bytes.len() {
        let part = &bytes[..length];
        let error = decode(part).expect_err("a truncated file does not decode");
        assert_eq!(error.code(), WSQ_TRUNCATED, "cut at {length}: {error}");
        // The frame header is read as soon as it is all there, and stays readable.
        match dimensions(part) {
            Ok(size) => {
                assert_eq!(size, full_size, "cut at {length}");
                header_complete = true;
            }
            Err(error) => {
                assert!(
                    !header_complete,
                    "cut at {length}: the header was readable at a shorter length"
                );
                assert_eq!(error.code(), WSQ_TRUNCATED, "cut at {length}: {error}");
            }
        }
    }
    assert!(header_complete, "the frame header comes before the image data");
    assert!(decode(&bytes).is_ok(), "the whole file decodes");
}

#[test]
fn random_damage_gives_errors_or_images_never_panics() {
    use rand::{Rng, SeedableRng};
    let valid = wsq_bytes("Right_Middle_wsq.iso");
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5753_5130); // "WSQ0"
    let (mut decoded, mut refused) = (0, 0);
    // 2000 rounds of one to three bytes each: about 4000 damaged bytes.
    for round in 0..2000 {
        let mut bytes = valid.clone();
        for _ in 0..rng.gen_range(1..=3) {
            let at = rng.gen_range(0..bytes.len());
            bytes[at] = rng.gen();
        }
        match decode(&bytes) {
            Ok(image) => {
                let size = dimensions(&bytes).expect("a decodable file has a readable frame header");
                assert_eq!((image.image.width(), image.image.height()), size, "round {round}");
                decoded += 1;
            }
            Err(error) => {
                assert!(error.code().starts_with("wsq_"), "round {round}: {error:?}");
                refused += 1;
            }
        }
    }
    // Both outcomes occur, so both paths were exercised.
    assert!(decoded > 0 && refused > 0, "{decoded} decoded, {refused} refused");
}

/// The offset of the SOF segment's body (after marker and length), walking the segments.
fn frame_header_offset(bytes: &[u8]) -> usize {
    let mut at = 2; // after SOI
    loop {
        let marker = u16::from_be_bytes([bytes[at], bytes[at + 1]]);
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if marker == 0xFFA2 {
            return at + 4;
        }
        at += 2 + length;
    }
}

#[test]
fn oversized_frames_are_refused_before_decoding() {
    let mut bytes = wsq_bytes("Right_Middle_wsq.iso");
    let sof = frame_header_offset(&bytes);
    // Height and width follow the black and white levels.
    bytes[sof + 2..sof + 6].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    const { assert!(65535u64 * 65535 > MAX_PIXELS, "the largest frame is over the limit") };
    assert_eq!(decode(&bytes).unwrap_err().code(), WSQ_UNSUPPORTED);
    assert_eq!(dimensions(&bytes).unwrap_err().code(), WSQ_UNSUPPORTED);
    bytes[sof + 2..sof + 6].copy_from_slice(&[0, 0, 0, 0]);
    assert_eq!(decode(&bytes).unwrap_err().code(), WSQ_INVALID, "an empty frame");
}

#[test]
fn what_is_not_wsq_is_named() {
    assert_eq!(decode(b"").unwrap_err().code(), WSQ_TRUNCATED);
    let jpeg = decode(b"\xff\xd8\xff\xe0\x00\x10JFIF").unwrap_err();
    assert_eq!(jpeg.code(), WSQ_INVALID);
    assert!(jpeg.to_string().contains("not a WSQ file"), "{jpeg}");
}

#[test]
fn record_images_must_be_wsq_of_the_stated_size() {
    let (name, record) = wsq_records().swap_remove(0);
    let mut image = record.first().image.clone();
    image.width += 1;
    let error = decode_record_image(&image).unwrap_err();
    assert_eq!(error.code(), WSQ_INVALID, "{name}: {error}");
    let registration = std::fs::read(fixtures("mosip-mock-mds/registration/Left_Thumb.iso")).unwrap();
    let jpeg2000 = Iso19794Record::parse(&registration).unwrap();
    let error = decode_record_image(&jpeg2000.first().image).unwrap_err();
    assert_eq!(error.code(), WSQ_UNSUPPORTED, "{error}");
}
