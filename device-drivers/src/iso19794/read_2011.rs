//! Reading the 2011 editions: 19794-4:2011 (`FIR\0` `020\0`), 19794-5:2011 (`FAC\0` `030\0`)
//! and 19794-6:2011 (`IIR\0` `020\0`).
//!
//! Every representation starts with the same header (length, capture date and time, capture
//! device, quality blocks, certification blocks), followed by the part's own fields and a
//! length-prefixed image; a finger representation may end with extended data blocks. Every
//! length is checked against what is left of the record before it is used.
//!
//! Deliberately absent: the general header's identifier and version (read by
//! [`super::GeneralHeader::parse`] before it picks this reader), 3D face data.

use super::bytes::Cursor;
use super::model::*;
use super::{bad, ISO_INVALID, ISO_UNSUPPORTED};
use crate::DeviceError;

/// The 2011 general header after identifier and version: length, count, certification flag,
/// then 2 bytes of temporal semantics (face) or 1 byte counting fingers or eyes.
pub(crate) fn parse_general_header(c: &mut Cursor<'_>, modality: Modality) -> Result<GeneralHeader, DeviceError> {
    let record_length = c.u32("the record length")?;
    let representation_count = c.u16("the number of representations")?;
    let certification_flag = match c.u8("the certification flag")? {
        0 => false,
        1 => true,
        other => {
            return Err(bad(
                ISO_INVALID,
                format!("the certification flag is {other}; only 0 and 1 are allowed"),
            ))
        }
    };
    let subject_count_or_temporal = match modality {
        Modality::Face => c.u16("the temporal semantics")?,
        Modality::Finger | Modality::Iris => u16::from(c.u8("the number of fingers or eyes")?),
    };
    Ok(GeneralHeader {
        modality,
        edition: Edition::Iso2011,
        record_length,
        representation_count,
        certification_flag,
        subject_count_or_temporal: Some(subject_count_or_temporal),
        header_2005: None,
    })
}

/// The representations after the general header; `c` holds exactly the record.
pub(crate) fn parse_representations(
    c: &mut Cursor<'_>,
    header: &GeneralHeader,
) -> Result<Vec<Representation>, DeviceError> {
    let mut representations = Vec::new();
    for index in 0..header.representation_count {
        let representation = parse_representation(c, header.modality, header.certification_flag)
            .map_err(|error| super::in_representation(error, index))?;
        representations.push(representation);
    }
    Ok(representations)
}

fn parse_representation(
    c: &mut Cursor<'_>,
    modality: Modality,
    certification_flag: bool,
) -> Result<Representation, DeviceError> {
    let length = c.u32("the representation length")?;
    if length < 4 || u64::from(length) - 4 > c.remaining() as u64 {
        return Err(bad(
            ISO_INVALID,
            format!(
                "the representation claims {length} bytes, but the record has {} left for it",
                c.remaining() + 4
            ),
        ));
    }
    // Everything below reads inside the representation only.
    let mut r = c.block(u64::from(length) - 4, 0, "the representation")?;

    let captured_at = CaptureDateTime {
        year: r.u16("the capture year")?,
        month: r.u8("the capture month")?,
        day: r.u8("the capture day")?,
        hour: r.u8("the capture hour")?,
        minute: r.u8("the capture minute")?,
        second: r.u8("the capture second")?,
        millisecond: r.u16("the capture millisecond")?,
    };
    let captured_at = (captured_at != CaptureDateTime::UNKNOWN).then_some(captured_at);
    let device = CaptureDevice {
        technology_id: r.u8("the capture device technology")?,
        vendor_id: r.u16("the capture device vendor")?,
        type_id: r.u16("the capture device type")?,
    };
    let quality_count = r.u8("the number of quality blocks")?;
    let mut quality = Vec::new();
    for _ in 0..quality_count {
        quality.push(QualityBlock {
            score: r.u8("a quality score")?,
            algorithm_vendor_id: r.u16("a quality algorithm vendor")?,
            algorithm_id: r.u16("a quality algorithm")?,
        });
    }
    let mut certifications = Vec::new();
    if certification_flag {
        let count = r.u8("the number of certification blocks")?;
        for _ in 0..count {
            certifications.push(CertificationBlock {
                authority_id: r.u16("a certification authority")?,
                scheme_id: r.u8("a certification scheme")?,
            });
        }
    }

    let (subject, image) = match modality {
        Modality::Finger => parse_finger(&mut r)?,
        Modality::Face => parse_face(&mut r)?,
        Modality::Iris => parse_iris(&mut r)?,
    };
    if r.remaining() != 0 {
        return Err(bad(
            ISO_INVALID,
            format!("{} unexplained bytes follow the image", r.remaining()),
        ));
    }
    Ok(Representation {
        length,
        captured_at,
        device,
        quality,
        quality_2005: None,
        certifications,
        subject,
        image,
    })
}

/// 19794-4:2011 compression codes.
pub(crate) fn finger_format(code: u8) -> Option<ImageFormat> {
    Some(match code {
        0 => ImageFormat::Raw,
        1 => ImageFormat::RawBitPacked,
        2 => ImageFormat::Wsq,
        3 => ImageFormat::Jpeg,
        4 => ImageFormat::Jpeg2000Lossy,
        5 => ImageFormat::Jpeg2000Lossless,
        6 => ImageFormat::Png,
        _ => return None,
    })
}

pub(crate) fn scale_units(code: u8) -> Result<ScaleUnits, DeviceError> {
    match code {
        1 => Ok(ScaleUnits::PixelsPerInch),
        2 => Ok(ScaleUnits::PixelsPerCentimetre),
        other => Err(bad(
            ISO_INVALID,
            format!("scale units {other} are neither 1 (ppi) nor 2 (ppcm)"),
        )),
    }
}

fn parse_finger(r: &mut Cursor<'_>) -> Result<(Subject, Image), DeviceError> {
    let position = r.u8("the finger position")?;
    let representation_number = r.u8("the representation number")?;
    let units = scale_units(r.u8("the scale units")?)?;
    let capture_resolution = Resolution {
        horizontal: r.u16("the capture device's horizontal resolution")?,
        vertical: r.u16("the capture device's vertical resolution")?,
        units,
    };
    let image_resolution = Resolution {
        horizontal: r.u16("the image's horizontal resolution")?,
        vertical: r.u16("the image's vertical resolution")?,
        units,
    };
    let bit_depth = r.u8("the bit depth")?;
    let format_code = r.u8("the compression algorithm")?;
    let format = finger_format(format_code).ok_or_else(|| {
        bad(
            ISO_INVALID,
            format!("finger image compression code {format_code} is not defined by ISO/IEC 19794-4:2011"),
        )
    })?;
    let impression_type = r.u8("the impression type")?;
    let width = r.u16("the image width")?;
    let height = r.u16("the image height")?;
    let data = r.length_prefixed_u32("the image")?.to_vec();

    // What follows the image up to the end of the representation: extended data blocks.
    let mut extended_data = Vec::new();
    while r.remaining() > 0 {
        let block_type = r.u16("an extended data block type")?;
        let block_length = usize::from(r.u16("an extended data block length")?);
        if block_length < 4 {
            return Err(bad(
                ISO_INVALID,
                format!("an extended data block claims {block_length} bytes, less than its own 4-byte header"),
            ));
        }
        let data = r.take(block_length - 4, "an extended data block")?.to_vec();
        extended_data.push(ExtendedDataBlock { block_type, data });
    }

    Ok((
        Subject::Finger(FingerDetails {
            position,
            representation_number: Some(representation_number),
            capture_resolution,
            impression_type,
            extended_data,
            view_2005: None,
        }),
        Image {
            format,
            format_code,
            width,
            height,
            resolution: Some(image_resolution),
            bit_depth: Some(bit_depth),
            data,
        },
    ))
}

/// 19794-5:2011 image data types.
pub(crate) fn face_format(code: u8) -> Option<ImageFormat> {
    match code {
        0 => Some(ImageFormat::Jpeg),
        1 => Some(ImageFormat::Jpeg2000Lossy),
        2 => Some(ImageFormat::Jpeg2000Lossless),
        3 => Some(ImageFormat::Png),
        _ => None,
    }
}

/// Landmark or feature points, 8 bytes each, as recorded.
pub(crate) fn parse_points(r: &mut Cursor<'_>, count: u16) -> Result<Vec<[u8; 8]>, DeviceError> {
    let mut points = Vec::new();
    for _ in 0..count {
        points.push(r.array::<8>("a landmark point")?);
    }
    Ok(points)
}

fn parse_face(r: &mut Cursor<'_>) -> Result<(Subject, Image), DeviceError> {
    let landmark_count = r.u16("the number of landmark points")?;
    let gender = r.u8("the gender")?;
    let eye_colour = r.u8("the eye colour")?;
    let hair_colour = r.u8("the hair colour")?;
    let subject_height = r.u8("the subject height")?;
    let property_mask = r.u24("the property mask")?;
    let expression = r.u16("the expression")?;
    let pose_angle = r.array::<3>("the pose angles")?;
    let pose_angle_uncertainty = r.array::<3>("the pose angle uncertainty")?;
    let landmarks = parse_points(r, landmark_count)?;
    let face_image_type = r.u8("the face image type")?;
    if face_image_type >= 0x80 {
        return Err(bad(
            ISO_UNSUPPORTED,
            format!("face image type {face_image_type:#04x} carries 3D data, which this reader does not handle"),
        ));
    }
    let format_code = r.u8("the image data type")?;
    let format = face_format(format_code).ok_or_else(|| {
        bad(
            ISO_INVALID,
            format!("face image data type {format_code} is not defined by ISO/IEC 19794-5:2011"),
        )
    })?;
    let width = r.u16("the image width")?;
    let height = r.u16("the image height")?;
    let spatial_sampling_rate = r.u8("the spatial sampling rate")?;
    let post_acquisition_processing = r.u16("the post-acquisition processing")?;
    let cross_reference = r.u8("the cross reference")?;
    let colour_space = r.u8("the colour space")?;
    let data = r.length_prefixed_u32("the image")?.to_vec();
    Ok((
        Subject::Face(FaceDetails {
            landmarks,
            gender,
            eye_colour,
            hair_colour,
            subject_height: Some(subject_height),
            property_mask,
            expression,
            pose_angle,
            pose_angle_uncertainty,
            face_image_type,
            spatial_sampling_rate: Some(spatial_sampling_rate),
            post_acquisition_processing: Some(post_acquisition_processing),
            cross_reference: Some(cross_reference),
            colour_space,
        }),
        Image {
            format,
            format_code,
            width,
            height,
            resolution: None,
            bit_depth: None,
            data,
        },
    ))
}

pub(crate) fn check_eye_label(eye_label: u8) -> Result<u8, DeviceError> {
    if eye_label > 2 {
        return Err(bad(
            ISO_INVALID,
            format!("eye label {eye_label} is not 0 (unspecified), 1 (right) or 2 (left)"),
        ));
    }
    Ok(eye_label)
}

/// 19794-6:2011 image formats; JPEG 2000's lossiness comes from bits 6–7 of the image
/// properties (compression history: 01 lossless, 10 lossy).
pub(crate) fn iris_format(code: u8, image_properties: u8) -> Option<ImageFormat> {
    Some(match code {
        0x02 => ImageFormat::Raw,
        0x0A => match image_properties >> 6 {
            0b01 => ImageFormat::Jpeg2000Lossless,
            0b10 => ImageFormat::Jpeg2000Lossy,
            _ => ImageFormat::Jpeg2000,
        },
        0x0E => ImageFormat::Png,
        _ => return None,
    })
}

fn parse_iris(r: &mut Cursor<'_>) -> Result<(Subject, Image), DeviceError> {
    let representation_number = r.u16("the representation number")?;
    let eye_label = check_eye_label(r.u8("the eye label")?)?;
    let image_type = r.u8("the image type")?;
    let format_code = r.u8("the image format")?;
    let image_properties = r.u8("the image properties")?;
    let format = iris_format(format_code, image_properties).ok_or_else(|| {
        bad(
            ISO_INVALID,
            format!("iris image format {format_code:#04x} is not defined by ISO/IEC 19794-6:2011"),
        )
    })?;
    let width = r.u16("the image width")?;
    let height = r.u16("the image height")?;
    let bit_depth = r.u8("the bit depth")?;
    let range = r.u16("the range")?;
    let roll_angle = r.u16("the roll angle")?;
    let roll_angle_uncertainty = r.u16("the roll angle uncertainty")?;
    let geometry = IrisGeometry {
        centre_smallest_x: r.u16("the iris centre's smallest x")?,
        centre_largest_x: r.u16("the iris centre's largest x")?,
        centre_smallest_y: r.u16("the iris centre's smallest y")?,
        centre_largest_y: r.u16("the iris centre's largest y")?,
        diameter_smallest: r.u16("the smallest iris diameter")?,
        diameter_largest: r.u16("the largest iris diameter")?,
    };
    let data = r.length_prefixed_u32("the image")?.to_vec();
    Ok((
        Subject::Iris(IrisDetails {
            representation_number,
            eye_label,
            image_type: Some(image_type),
            image_properties: Some(image_properties),
            range: Some(range),
            roll_angle,
            roll_angle_uncertainty,
            geometry: Some(geometry),
        }),
        Image {
            format,
            format_code,
            width,
            height,
            resolution: None,
            bit_depth: Some(bit_depth),
            data,
        },
    ))
}
