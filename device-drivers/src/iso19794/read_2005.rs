//! Reading the 2005 editions, version `010\0` in all three parts: 19794-4:2005 (finger),
//! 19794-5:2005 (face) and 19794-6:2005 (iris).
//!
//! Layouts, as the standards' public descriptions give them (NIST's BiomDI readers and JMRTD's
//! ICAO readers agree on the sizes):
//! - Finger: a 32-byte general header (record length in 6 bytes; capture device id with 4
//!   compliance bits over a 12-bit id; image acquisition level; number of finger images; scale
//!   units; scan and image resolution; pixel depth; compression; 2 reserved bytes), then per view
//!   a 14-byte finger image header (data block length, position, count of views, view number,
//!   quality, impression type, width, height, 1 reserved byte) and the image.
//! - Face: a 14-byte general header (record length, number of facial images), then per image a
//!   20-byte facial information block (facial record data length, feature point count, gender,
//!   eye and hair colour, feature mask, expression, pose angles and their uncertainty), 8 bytes
//!   per feature point, a 12-byte image information block (face image type, image data type,
//!   width, height, colour space, source type, device type, quality) and the image.
//! - Iris: a 45-byte record header (record length, capture device id, number of biometric
//!   subtypes, record header length, image property bits, iris diameter, image format, width,
//!   height, intensity depth, image transformation, 16-byte device unique id), then per eye a
//!   3-byte subtype header (eye, number of images) and per image an 11-byte image header
//!   (sequence number, quality, rotation angle and its uncertainty, image length) and the image.
//!
//! The record-level fields that the model keeps per representation (resolution, format, size,
//! device id) are copied into every representation; the rest go to [`Header2005`]. Two things
//! are refused so that every record read here writes back byte for byte: an eye subtype with no
//! image, and two subtype headers for the same eye.
//!
//! Deliberately absent: the ANSI/INCITS 381 finger header (36 bytes, same version string),
//! which is a different standard; the 2005 iris polar image fields that only the IREX variant
//! has.

use super::bytes::Cursor;
use super::model::*;
use super::read_2011::{check_eye_label, parse_points, scale_units};
use super::{bad, ISO_INVALID, ISO_UNSUPPORTED};
use crate::DeviceError;

pub(crate) const FINGER_HEADER_LEN: usize = 32;
pub(crate) const FINGER_VIEW_HEADER_LEN: usize = 14;
pub(crate) const FACE_HEADER_LEN: usize = 14;
/// Facial information block (20) plus image information block (12).
pub(crate) const FACE_FIXED_LEN: usize = 20 + 12;
pub(crate) const IRIS_HEADER_LEN: usize = 45;
const IRIS_IMAGE_HEADER_LEN: usize = 11;

/// 19794-4:2005 compression codes (one fewer than 2011: no lossy/lossless JPEG 2000 split).
pub(crate) fn finger_format(code: u8) -> Option<ImageFormat> {
    Some(match code {
        0 => ImageFormat::Raw,
        1 => ImageFormat::RawBitPacked,
        2 => ImageFormat::Wsq,
        3 => ImageFormat::Jpeg,
        4 => ImageFormat::Jpeg2000,
        5 => ImageFormat::Png,
        _ => return None,
    })
}

/// 19794-5:2005 image data types.
pub(crate) fn face_format(code: u8) -> Option<ImageFormat> {
    match code {
        0 => Some(ImageFormat::Jpeg),
        1 => Some(ImageFormat::Jpeg2000),
        _ => None,
    }
}

/// 19794-6:2005 image formats: even codes, monochrome then RGB for each encoding.
pub(crate) fn iris_format(code: u16) -> Option<ImageFormat> {
    Some(match code {
        0x02 | 0x04 => ImageFormat::Raw,
        0x06 | 0x08 => ImageFormat::Jpeg,
        0x0A | 0x0C => ImageFormat::JpegLs,
        0x0E | 0x10 => ImageFormat::Jpeg2000,
        _ => return None,
    })
}

/// What the general header of a 2005 finger or iris record holds for every representation.
#[derive(Clone)]
struct Shared {
    device_id: u16,
    /// Finger only: the scan (capture) and image resolutions.
    resolutions: Option<(Resolution, Resolution)>,
    bit_depth: u8,
    format: ImageFormat,
    format_code: u8,
    width: u16,
    height: u16,
}

/// The general header after identifier and version. For an iris record the header does not
/// count images, so they are counted by walking the subtype and image headers in `bytes` (the
/// whole record).
pub(crate) fn parse_general_header(
    c: &mut Cursor<'_>,
    modality: Modality,
    bytes: &[u8],
) -> Result<GeneralHeader, DeviceError> {
    Ok(match modality {
        Modality::Finger => finger_general_header(c)?.0,
        Modality::Face => {
            let record_length = c.u32("the record length")?;
            let representation_count = c.u16("the number of facial images")?;
            GeneralHeader {
                modality,
                edition: Edition::Iso2005,
                record_length,
                representation_count,
                certification_flag: false,
                subject_count_or_temporal: None,
                header_2005: Some(Header2005::Face),
            }
        }
        Modality::Iris => {
            let (header, _, subtypes) = iris_general_header(c)?;
            let end = bytes
                .len()
                .min(usize::try_from(header.record_length).unwrap_or(usize::MAX));
            if end < c.at {
                return Err(bad(
                    ISO_INVALID,
                    format!(
                        "the record length {} is shorter than the general header",
                        header.record_length
                    ),
                ));
            }
            let mut walk = Cursor::new(&bytes[..end]);
            walk.at = c.at;
            let mut images: u32 = 0;
            for _ in 0..subtypes {
                let eye_label = walk.u8("an eye subtype")?;
                let count = walk.u16("the number of images of an eye")?;
                if count == 0 {
                    return Err(empty_subtype(eye_label));
                }
                for _ in 0..count {
                    walk.take(IRIS_IMAGE_HEADER_LEN - 4, "an iris image header")?;
                    walk.length_prefixed_u32("an iris image")?;
                }
                images += u32::from(count);
            }
            let representation_count = u16::try_from(images).map_err(|_| {
                bad(
                    ISO_UNSUPPORTED,
                    format!("the record holds {images} iris images, more than 65535"),
                )
            })?;
            GeneralHeader {
                representation_count,
                ..header
            }
        }
    })
}

fn empty_subtype(eye_label: u8) -> DeviceError {
    bad(
        ISO_INVALID,
        format!("the subtype header of eye {eye_label} announces no image"),
    )
}

fn finger_general_header(c: &mut Cursor<'_>) -> Result<(GeneralHeader, Shared), DeviceError> {
    let record_length = c.u48("the record length")?;
    let record_length = u32::try_from(record_length).map_err(|_| {
        bad(
            ISO_UNSUPPORTED,
            format!("the record says it is {record_length} bytes long; records over 4 GiB are not read"),
        )
    })?;
    let device = c.u16("the capture device id")?;
    let image_acquisition_level = c.u16("the image acquisition level")?;
    let representation_count = u16::from(c.u8("the number of finger images")?);
    let units = scale_units(c.u8("the scale units")?)?;
    let capture_resolution = Resolution {
        horizontal: c.u16("the horizontal scan resolution")?,
        vertical: c.u16("the vertical scan resolution")?,
        units,
    };
    let image_resolution = Resolution {
        horizontal: c.u16("the horizontal image resolution")?,
        vertical: c.u16("the vertical image resolution")?,
        units,
    };
    let bit_depth = c.u8("the pixel depth")?;
    let format_code = c.u8("the compression algorithm")?;
    let format = finger_format(format_code).ok_or_else(|| {
        bad(
            ISO_INVALID,
            format!("finger image compression code {format_code} is not defined by ISO/IEC 19794-4:2005"),
        )
    })?;
    let reserved = c.u16("the reserved bytes")?;
    let header = GeneralHeader {
        modality: Modality::Finger,
        edition: Edition::Iso2005,
        record_length,
        representation_count,
        certification_flag: false,
        subject_count_or_temporal: None,
        header_2005: Some(Header2005::Finger {
            compliance: (device >> 12) as u8,
            image_acquisition_level,
            reserved,
        }),
    };
    let shared = Shared {
        device_id: device & 0x0fff,
        resolutions: Some((capture_resolution, image_resolution)),
        bit_depth,
        format,
        format_code,
        width: 0,
        height: 0,
    };
    Ok((header, shared))
}

/// The iris record header; also returns what it says for every image and its subtype count.
fn iris_general_header(c: &mut Cursor<'_>) -> Result<(GeneralHeader, Shared, u8), DeviceError> {
    let record_length = c.u32("the record length")?;
    let device_id = c.u16("the capture device id")?;
    let subtypes = c.u8("the number of eye subtypes")?;
    let header_length = c.u16("the record header length")?;
    if usize::from(header_length) != IRIS_HEADER_LEN {
        return Err(bad(
            ISO_INVALID,
            format!(
                "the iris record header says it is {header_length} bytes long; the 2005 edition's is {IRIS_HEADER_LEN}"
            ),
        ));
    }
    let image_properties = c.u16("the image property bits")?;
    let iris_diameter = c.u16("the iris diameter")?;
    let format_code = c.u16("the image format")?;
    let format = iris_format(format_code).ok_or_else(|| {
        bad(
            ISO_INVALID,
            format!("iris image format {format_code:#06x} is not defined by ISO/IEC 19794-6:2005"),
        )
    })?;
    let width = c.u16("the image width")?;
    let height = c.u16("the image height")?;
    let bit_depth = c.u8("the intensity depth")?;
    let image_transformation = c.u8("the image transformation")?;
    let device_unique_id = c.array::<16>("the device unique id")?;
    let header = GeneralHeader {
        modality: Modality::Iris,
        edition: Edition::Iso2005,
        record_length,
        representation_count: 0,
        certification_flag: false,
        subject_count_or_temporal: Some(u16::from(subtypes)),
        header_2005: Some(Header2005::Iris {
            image_properties,
            iris_diameter,
            image_transformation,
            device_unique_id,
        }),
    };
    let shared = Shared {
        device_id,
        resolutions: None,
        bit_depth,
        format,
        // Every code the table knows fits a byte (checked by `iris_format`).
        format_code: format_code as u8,
        width,
        height,
    };
    Ok((header, shared, subtypes))
}

/// The representations after the general header; `c` holds exactly the record, positioned just
/// after the general header. The header is read again here for the values it shares.
pub(crate) fn parse_representations(
    c: &mut Cursor<'_>,
    header: &GeneralHeader,
) -> Result<Vec<Representation>, DeviceError> {
    let mut again = Cursor::new(c.bytes);
    again.at = 8;
    match header.modality {
        Modality::Finger => {
            let (_, shared) = finger_general_header(&mut again)?;
            let mut representations = Vec::new();
            for index in 0..header.representation_count {
                let representation =
                    parse_finger_view(c, &shared).map_err(|error| super::in_representation(error, index))?;
                representations.push(representation);
            }
            Ok(representations)
        }
        Modality::Face => {
            let mut representations = Vec::new();
            for index in 0..header.representation_count {
                let representation = parse_face_image(c).map_err(|error| super::in_representation(error, index))?;
                representations.push(representation);
            }
            Ok(representations)
        }
        Modality::Iris => {
            let (_, shared, subtypes) = iris_general_header(&mut again)?;
            let mut representations = Vec::new();
            let mut eyes_seen = Vec::new();
            for _ in 0..subtypes {
                let eye_label = check_eye_label(c.u8("an eye subtype")?)?;
                let count = c.u16("the number of images of an eye")?;
                if count == 0 {
                    return Err(empty_subtype(eye_label));
                }
                if eyes_seen.contains(&eye_label) {
                    return Err(bad(
                        ISO_INVALID,
                        format!("two subtype headers are for eye {eye_label}; one header should hold all its images"),
                    ));
                }
                eyes_seen.push(eye_label);
                for _ in 0..count {
                    let index = u16::try_from(representations.len()).unwrap_or(u16::MAX);
                    let representation = parse_iris_image(c, &shared, eye_label)
                        .map_err(|error| super::in_representation(error, index))?;
                    representations.push(representation);
                }
            }
            Ok(representations)
        }
    }
}

fn parse_finger_view(c: &mut Cursor<'_>, shared: &Shared) -> Result<Representation, DeviceError> {
    let length = c.u32("the finger data block length")?;
    let mut r = c.block(
        u64::from(length).saturating_sub(4),
        FINGER_VIEW_HEADER_LEN - 4,
        "the finger data block",
    )?;
    let position = r.u8("the finger position")?;
    let count_of_views = r.u8("the count of views")?;
    let view_number = r.u8("the view number")?;
    let quality = r.u8("the finger image quality")?;
    let impression_type = r.u8("the impression type")?;
    let width = r.u16("the image width")?;
    let height = r.u16("the image height")?;
    let reserved = r.u8("the reserved byte")?;
    let data = r.take(r.remaining(), "the image")?.to_vec();
    // A finger header always carries both resolutions (see `finger_general_header`).
    let (capture_resolution, image_resolution) = shared
        .resolutions
        .ok_or_else(|| bad(ISO_INVALID, "a finger record without resolutions"))?;
    Ok(Representation {
        length,
        captured_at: None,
        device: CaptureDevice {
            technology_id: 0,
            vendor_id: 0,
            type_id: shared.device_id,
        },
        quality: Vec::new(),
        quality_2005: Some(u16::from(quality)),
        certifications: Vec::new(),
        subject: Subject::Finger(FingerDetails {
            position,
            representation_number: None,
            capture_resolution,
            impression_type,
            extended_data: Vec::new(),
            view_2005: Some(FingerView2005 {
                count_of_views,
                view_number,
                reserved,
            }),
        }),
        image: Image {
            format: shared.format,
            format_code: shared.format_code,
            width,
            height,
            resolution: Some(image_resolution),
            bit_depth: Some(shared.bit_depth),
            data,
        },
    })
}

fn parse_face_image(c: &mut Cursor<'_>) -> Result<Representation, DeviceError> {
    let length = c.u32("the facial record data length")?;
    let mut r = c.block(
        u64::from(length).saturating_sub(4),
        FACE_FIXED_LEN - 4,
        "the facial record",
    )?;
    let point_count = r.u16("the number of feature points")?;
    let gender = r.u8("the gender")?;
    let eye_colour = r.u8("the eye colour")?;
    let hair_colour = r.u8("the hair colour")?;
    let property_mask = r.u24("the feature mask")?;
    let expression = r.u16("the expression")?;
    let pose_angle = r.array::<3>("the pose angles")?;
    let pose_angle_uncertainty = r.array::<3>("the pose angle uncertainty")?;
    let landmarks = parse_points(&mut r, point_count)?;
    let face_image_type = r.u8("the face image type")?;
    let format_code = r.u8("the image data type")?;
    let format = face_format(format_code).ok_or_else(|| {
        bad(
            ISO_INVALID,
            format!("face image data type {format_code} is not defined by ISO/IEC 19794-5:2005 (0 JPEG, 1 JPEG 2000)"),
        )
    })?;
    let width = r.u16("the image width")?;
    let height = r.u16("the image height")?;
    let colour_space = r.u8("the image colour space")?;
    let source_type = r.u8("the source type")?;
    let device_type = r.u16("the device type")?;
    let quality = r.u16("the quality")?;
    let data = r.take(r.remaining(), "the image")?.to_vec();
    Ok(Representation {
        length,
        captured_at: None,
        device: CaptureDevice {
            // The 2011 edition's capture device technology table for faces is the 2005 source
            // type table (unknown, static photograph of three kinds, video frame of three kinds).
            technology_id: source_type,
            vendor_id: 0,
            type_id: device_type,
        },
        quality: Vec::new(),
        quality_2005: Some(quality),
        certifications: Vec::new(),
        subject: Subject::Face(FaceDetails {
            landmarks,
            gender,
            eye_colour,
            hair_colour,
            subject_height: None,
            property_mask,
            expression,
            pose_angle,
            pose_angle_uncertainty,
            face_image_type,
            spatial_sampling_rate: None,
            post_acquisition_processing: None,
            cross_reference: None,
            colour_space,
        }),
        image: Image {
            format,
            format_code,
            width,
            height,
            resolution: None,
            bit_depth: None,
            data,
        },
    })
}

fn parse_iris_image(c: &mut Cursor<'_>, shared: &Shared, eye_label: u8) -> Result<Representation, DeviceError> {
    let representation_number = c.u16("the image sequence number")?;
    let quality = c.u8("the image quality")?;
    let roll_angle = c.u16("the rotation angle")?;
    let roll_angle_uncertainty = c.u16("the rotation uncertainty")?;
    let data = c.length_prefixed_u32("the iris image")?.to_vec();
    let length = u32::try_from(data.len() + IRIS_IMAGE_HEADER_LEN)
        .map_err(|_| bad(ISO_UNSUPPORTED, "an iris image is larger than 4 GiB"))?;
    Ok(Representation {
        length,
        captured_at: None,
        device: CaptureDevice {
            technology_id: 0,
            vendor_id: 0,
            type_id: shared.device_id,
        },
        quality: Vec::new(),
        quality_2005: Some(u16::from(quality)),
        certifications: Vec::new(),
        subject: Subject::Iris(IrisDetails {
            representation_number,
            eye_label,
            image_type: None,
            image_properties: None,
            range: None,
            roll_angle,
            roll_angle_uncertainty,
            geometry: None,
        }),
        image: Image {
            format: shared.format,
            format_code: shared.format_code,
            width: shared.width,
            height: shared.height,
            resolution: None,
            bit_depth: Some(shared.bit_depth),
            data,
        },
    })
}
