//! JPEG 2000 against real device images: every image of the MOSIP mock device's registration
//! records decodes to the size its record states, re-encodes losslessly with the fixtures'
//! parameters, and damaged copies are refused or decoded, never a panic.

use std::path::{Path, PathBuf};

use enroll_devices::codecs::jpeg2000::{self, Container};
use enroll_devices::iso19794::{ImageFormat, Iso19794Record, Modality};

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

/// Every registration record: file name and parsed record, sorted by name.
fn registration_records() -> Vec<(String, Iso19794Record)> {
    let mut records: Vec<(String, Iso19794Record)> = std::fs::read_dir(fixtures("mosip-mock-mds/registration"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "iso"))
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

/// The main-header parameters that decide how a codestream is laid out, read here
/// independently of the library so that the test compares what the bytes say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    components: u16,
    single_tile: bool,
    progression: u8,
    layers: u16,
    levels: u8,
    code_block: (u32, u32),
    reversible_5_3: bool,
    comments: usize,
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Top-level JP2 box types in order, and the codestream box's contents.
fn jp2_boxes(jp2: &[u8]) -> (Vec<String>, &[u8]) {
    let mut types = Vec::new();
    let mut offset = 0;
    loop {
        let length = be32(jp2, offset) as usize;
        let kind = String::from_utf8_lossy(&jp2[offset + 4..offset + 8]).to_string();
        types.push(kind.clone());
        let end = if length == 0 { jp2.len() } else { offset + length };
        if kind == "jp2c" {
            return (types, &jp2[offset + 8..end]);
        }
        offset = end;
    }
}

fn layout(codestream: &[u8]) -> Layout {
    let mut layout = Layout {
        components: 0,
        single_tile: false,
        progression: 0,
        layers: 0,
        levels: 0,
        code_block: (0, 0),
        reversible_5_3: false,
        comments: 0,
    };
    let mut offset = 2;
    loop {
        let marker = be16(codestream, offset);
        if marker == 0xFF90 {
            return layout;
        }
        let length = usize::from(be16(codestream, offset + 2));
        let body = &codestream[offset + 4..offset + 2 + length];
        match marker {
            0xFF51 => {
                let (width, height) = (be32(body, 2), be32(body, 6));
                let (tile_width, tile_height) = (be32(body, 18), be32(body, 22));
                layout.single_tile = tile_width >= width && tile_height >= height;
                layout.components = be16(body, 34);
            }
            0xFF52 => {
                layout.progression = body[1];
                layout.layers = be16(body, 2);
                layout.levels = body[5];
                layout.code_block = (1 << (body[6] + 2), 1 << (body[7] + 2));
                layout.reversible_5_3 = body[9] == 1;
            }
            0xFF64 => layout.comments += 1,
            _ => {}
        }
        offset += 2 + length;
    }
}

/// The packets of the one tile: from after SOD to before EOC.
fn tile_data(codestream: &[u8]) -> &[u8] {
    let sod = codestream.windows(2).position(|w| w == [0xFF, 0x93]).unwrap();
    let eoc = codestream.len() - 2;
    assert_eq!(&codestream[eoc..], [0xFF, 0xD9]);
    &codestream[sod + 2..eoc]
}

#[test]
fn every_registration_image_decodes_and_reencodes_losslessly() {
    let records = registration_records();
    assert_eq!(
        records.len(),
        14,
        "ten fingers, two irises, a face and an exception photo"
    );
    for (name, record) in &records {
        let representation = record.first();
        let image = &representation.image;
        assert!(
            matches!(
                image.format,
                ImageFormat::Jpeg2000 | ImageFormat::Jpeg2000Lossless | ImageFormat::Jpeg2000Lossy
            ),
            "{name}: {:?}",
            image.format
        );
        let stated = (u32::from(image.width), u32::from(image.height));
        assert_eq!(jpeg2000::dimensions(&image.data).unwrap(), stated, "{name}");
        // The header alone is enough: the first 200 bytes hold the boxes and the SIZ segment.
        assert_eq!(jpeg2000::dimensions(&image.data[..200]).unwrap(), stated, "{name}");

        let decoded = jpeg2000::decode(&image.data).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.dimensions(), stated, "{name}");
        let reencoded = jpeg2000::encode_lossless(&decoded).unwrap();
        let again = jpeg2000::decode(&reencoded).unwrap();
        assert!(again == decoded, "{name}: the re-encoding lost pixels");

        // Same container kind as the device's.
        let original_header = jpeg2000::header::read(&image.data).unwrap();
        let our_header = jpeg2000::header::read(&reencoded).unwrap();
        assert_eq!(original_header.container, Container::Jp2, "{name}");
        assert_eq!(our_header.container, Container::Jp2, "{name}");

        // The bytes differ from the device's, for reasons the headers show (asserted per
        // modality below): another encoder (JasPer for fingers and irises, a "LT_JP2" encoder
        // for faces) with other choices of layers, comment markers and boxes.
        assert_ne!(reencoded, image.data, "{name}");
        let (original_boxes, original_codestream) = jp2_boxes(&image.data);
        let (our_boxes, our_codestream) = jp2_boxes(&reencoded);
        let original = layout(original_codestream);
        let ours = layout(our_codestream);
        assert_eq!(
            ours,
            Layout {
                components: 1,
                single_tile: true,
                progression: 2,
                layers: 1,
                levels: 5,
                code_block: (64, 64),
                reversible_5_3: true,
                comments: 0
            },
            "{name}"
        );
        assert_eq!(our_boxes, ["jP  ", "ftyp", "jp2h", "jp2c"], "{name}");
        // What every fixture shares with ours: one tile, 64x64 code-blocks, the 5/3 wavelet.
        assert!(original.single_tile, "{name}");
        assert_eq!(original.code_block, (64, 64), "{name}");
        assert!(original.reversible_5_3, "{name}");
        assert_eq!(original_boxes, ["jP  ", "ftyp", "jp2h", "jp2c"], "{name}");

        let ratio = reencoded.len() as f64 / image.data.len() as f64;
        match record.header.modality {
            Modality::Finger => {
                // JasPer with 9 quality layers (RPCL, 5 levels, like ours) and two comment
                // markers; ours has one layer and no comment. Layers split each code-block's
                // passes over 9 packets, so the tile data differs, and the extra packet headers
                // cost a little: ours is a bit smaller.
                assert_eq!(
                    original,
                    Layout {
                        layers: 9,
                        comments: 2,
                        ..ours.clone()
                    },
                    "{name}: only the layers and comments differ"
                );
                assert!((0.99..1.0).contains(&ratio), "{name}: {ratio:.3} of the original size");
            }
            Modality::Iris => {
                // JasPer with one layer in LRCP order (the same packet sequence as RPCL with one
                // layer, one component and one precinct a resolution) and one comment marker.
                assert_eq!(
                    original,
                    Layout {
                        progression: 0,
                        comments: 1,
                        ..ours.clone()
                    },
                    "{name}: only the progression byte and the comment differ"
                );
                assert!((0.99..1.01).contains(&ratio), "{name}: {ratio:.3} of the original size");
                let (theirs, mine) = (tile_data(original_codestream), tile_data(our_codestream));
                let same = theirs.iter().zip(mine).take_while(|(a, b)| a == b).count();
                println!(
                    "{name}: tile data {} vs {} bytes, first {same} identical",
                    theirs.len(),
                    mine.len()
                );
            }
            Modality::Face => {
                // Colour (3 components with the reversible colour transform), 3 or 4 levels:
                // ours is the luma, one component, so only the size class is loosely related.
                assert_eq!(original.components, 3, "{name}");
                assert!(original.levels < 5, "{name}");
                assert!(ratio < 1.0, "{name}: one component of three: {ratio:.3}");
            }
        }
        println!("{name}: {} -> {} bytes ({ratio:.3})", image.data.len(), reencoded.len());
    }
}

/// The image bytes of one registration record.
fn image_of(file: &str) -> Vec<u8> {
    let bytes = std::fs::read(fixtures(&format!("mosip-mock-mds/registration/{file}"))).unwrap();
    Iso19794Record::parse(&bytes).unwrap().first().image.data.clone()
}

#[test]
fn a_raw_codestream_decodes_like_its_jp2_file() {
    let jp2 = image_of("Left_Iris.iso");
    let (_, codestream) = jp2_boxes(&jp2);
    assert_eq!(
        jpeg2000::header::read(codestream).unwrap().container,
        Container::Codestream
    );
    assert_eq!(jpeg2000::dimensions(codestream).unwrap(), (417, 313));
    assert!(jpeg2000::decode(codestream).unwrap() == jpeg2000::decode(&jp2).unwrap());
}

/// Our own encoding of a small image, as a raw codestream whose SIZ can be edited.
fn small_codestream() -> Vec<u8> {
    let image = image::GrayImage::from_fn(40, 30, |x, y| image::Luma([(x * 5 + y * 3) as u8]));
    let jp2 = jpeg2000::encode_lossless(&image).unwrap();
    jp2_boxes(&jp2).1.to_vec()
}

#[test]
fn too_large_deep_or_foreign_images_are_refused_by_code() {
    let mut huge = small_codestream();
    // Xsiz and Ysiz (and the tile size) at 6000 x 6000: 36 million pixels, over the limit.
    for at in [8, 12, 24, 28] {
        huge[at..at + 4].copy_from_slice(&6000u32.to_be_bytes());
    }
    let error = jpeg2000::decode(&huge).unwrap_err();
    assert_eq!(error.code(), "jpeg2000_too_large", "{error}");

    let mut deep = small_codestream();
    deep[42] = 15; // Ssiz: 16-bit unsigned samples
    let error = jpeg2000::decode(&deep).unwrap_err();
    assert_eq!(error.code(), "jpeg2000_unsupported", "{error}");

    let wsq = std::fs::read(fixtures("mosip-mock-mds/auth-wsq/Left_Index_wsq.iso")).unwrap();
    let wsq = Iso19794Record::parse(&wsq).unwrap().first().image.data.clone();
    for foreign in [&wsq[..], b"\x89PNG\r\n\x1a\n", b""] {
        assert_eq!(jpeg2000::decode(foreign).unwrap_err().code(), "jpeg2000_invalid");
        assert_eq!(jpeg2000::dimensions(foreign).unwrap_err().code(), "jpeg2000_invalid");
    }
    let empty = image::GrayImage::new(0, 0);
    assert_eq!(
        jpeg2000::encode_lossless(&empty).unwrap_err().code(),
        "jpeg2000_encode_failed"
    );
}

#[test]
fn a_cut_image_is_refused() {
    let image = image_of("Left_Thumb.iso");
    let len = image.len();
    let mut cuts: Vec<usize> = vec![0, 1, 11, 12, 40, 100, 171, 172, 200, len - 3, len - 2, len - 1];
    cuts.extend((1..40).map(|i| i * len / 40));
    for cut in cuts {
        let error = jpeg2000::decode(&image[..cut]).unwrap_err();
        assert_eq!(error.code(), "jpeg2000_invalid", "cut at {cut} of {len}: {error}");
    }
}

/// A small deterministic generator (xorshift64), so that a failure replays.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn flipped_bytes_never_panic() {
    // JPEG 2000 carries no checksum: a flip inside the arithmetic-coded data cannot be told from
    // a different image, so it may decode. What must hold: no panic reaches the caller, every
    // refusal is a JPEG 2000 error code, and every image decoded has the size its (flipped)
    // header states. Flips in the first 200 bytes (boxes and main header) are half the cases.
    let image = image_of("Left_Thumb.iso");
    let mut random = Xorshift(0x9E37_79B9_7F4A_7C15);
    let (mut refused, mut decoded) = (0, 0);
    for round in 0..120 {
        let mut damaged = image.clone();
        let span = if round % 2 == 0 { 200 } else { damaged.len() };
        let at = (random.next() % span as u64) as usize;
        damaged[at] ^= (random.next() % 255 + 1) as u8;
        match jpeg2000::decode(&damaged) {
            Ok(pixels) => {
                decoded += 1;
                assert_eq!(
                    Ok(pixels.dimensions()),
                    jpeg2000::dimensions(&damaged).map_err(|e| e.code())
                );
            }
            Err(error) => {
                refused += 1;
                assert!(
                    ["jpeg2000_invalid", "jpeg2000_unsupported", "jpeg2000_too_large"].contains(&error.code()),
                    "flip at {at}: {error}"
                );
            }
        }
    }
    assert_eq!(refused + decoded, 120);
    println!("{refused} refused, {decoded} decoded");
}

#[test]
fn a_colour_face_becomes_its_bt601_luma() {
    let jp2 = image_of("Face.iso");
    let grey = jpeg2000::decode(&jp2).unwrap();
    // The same file through the decoder directly, in colour.
    let image = hayro_jpeg2000::Image::new(&jp2, &hayro_jpeg2000::DecodeSettings::default()).unwrap();
    assert!(matches!(image.color_space(), hayro_jpeg2000::ColorSpace::RGB));
    let mut context = hayro_jpeg2000::DecoderContext::default();
    let rgb = image.decode(&mut context).unwrap().data_u8();
    assert_eq!(rgb.len(), 3 * grey.as_raw().len());
    let expected: Vec<u8> = rgb.chunks_exact(3).map(|p| jpeg2000::luma(p[0], p[1], p[2])).collect();
    assert!(
        grey.as_raw() == &expected,
        "every pixel is the BT.601 luma of the decoded RGB"
    );
    // A face is not grey: the rule had something to do.
    assert!(rgb.chunks_exact(3).any(|p| p[0] != p[1] || p[1] != p[2]));
}
