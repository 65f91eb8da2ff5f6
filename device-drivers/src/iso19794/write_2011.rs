//! Writing the 2011 editions of parts 4, 5 and 6 from the model.
//!
//! Lengths, counts and codes are computed from the model (the stored `record_length` and
//! `length` fields are ignored), so a record read from 2011 bytes writes back byte for byte.
//! What the 2011 edition cannot hold (the `*_2005` fields, a 2005 finger or iris general
//! header's own values) or a field it requires that the model does not know is
//! [`ISO_NOT_EXPRESSIBLE`]: [`super::convert`] decides, and reports, what to drop or assume.
//! An unknown capture date is written as the standard's all-ones value.
//!
//! Deliberately absent: choices on the caller's behalf; 3D face data.

use super::bytes::Out;
use super::model::*;
use super::{bad, in_representation, not_expressible, ISO_INVALID};
use crate::DeviceError;

pub(crate) fn write(record: &Iso19794Record) -> Result<Vec<u8>, DeviceError> {
    let header = &record.header;
    let modality = header.modality;
    match &header.header_2005 {
        None | Some(Header2005::Face) => {}
        Some(Header2005::Finger { .. }) => {
            return Err(not_expressible(
                "the 2005 finger header's compliance bits, image acquisition level and reserved bytes have no place in a 2011 record",
            ))
        }
        Some(Header2005::Iris { .. }) => {
            return Err(not_expressible(
                "the 2005 iris header's image property bits, iris diameter, image transformation and device unique id have no place in a 2011 record",
            ))
        }
    }
    let count = super::representation_count(record)?;
    if !header.certification_flag && record.representations.iter().any(|r| !r.certifications.is_empty()) {
        return Err(bad(
            ISO_INVALID,
            "a representation has certification blocks, but the record's certification flag is off",
        ));
    }
    let subject_count_or_temporal = match header.subject_count_or_temporal {
        Some(value) => value,
        None => derived_subject_count(record),
    };

    let mut out = Out::new();
    out.slice(modality.format_identifier());
    out.slice(Edition::Iso2011.version(modality));
    let record_length = out.length_field(4);
    out.u16(count);
    out.u8(u8::from(header.certification_flag));
    match modality {
        Modality::Face => out.u16(subject_count_or_temporal),
        Modality::Finger | Modality::Iris => out.u8(u8::try_from(subject_count_or_temporal).map_err(|_| {
            bad(
                ISO_INVALID,
                format!("{subject_count_or_temporal} fingers or eyes do not fit the 1-byte count"),
            )
        })?),
    }
    for (index, representation) in record.representations.iter().enumerate() {
        write_representation(&mut out, representation, header.certification_flag)
            .map_err(|error| in_representation(error, index as u16))?;
    }
    out.fill(record_length, 0, "the record")?;
    Ok(out.bytes)
}

/// What the 2011 header counts, from the representations: distinct finger positions, distinct
/// eyes, or a face's temporal semantics (0x0000 one representation, 0x0001 several whose
/// temporal relation is not specified).
pub(crate) fn derived_subject_count(record: &Iso19794Record) -> u16 {
    let mut seen = Vec::new();
    for representation in &record.representations {
        let key = match &representation.subject {
            Subject::Finger(finger) => finger.position,
            Subject::Iris(iris) => iris.eye_label,
            Subject::Face(_) => return u16::from(record.representations.len() > 1),
        };
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen.len() as u16
}

fn write_representation(
    out: &mut Out,
    representation: &Representation,
    certification_flag: bool,
) -> Result<(), DeviceError> {
    if representation.quality_2005.is_some() {
        return Err(not_expressible(
            "the 2005 quality value comes without the algorithm ids that a 2011 quality block needs",
        ));
    }
    let start = out.len();
    let length = out.length_field(4);
    let t = representation.captured_at.unwrap_or(CaptureDateTime::UNKNOWN);
    out.u16(t.year);
    out.slice(&[t.month, t.day, t.hour, t.minute, t.second]);
    out.u16(t.millisecond);
    out.u8(representation.device.technology_id);
    out.u16(representation.device.vendor_id);
    out.u16(representation.device.type_id);
    out.u8(count_u8(representation.quality.len(), "quality blocks")?);
    for block in &representation.quality {
        out.u8(block.score);
        out.u16(block.algorithm_vendor_id);
        out.u16(block.algorithm_id);
    }
    if certification_flag {
        out.u8(count_u8(representation.certifications.len(), "certification blocks")?);
        for block in &representation.certifications {
            out.u16(block.authority_id);
            out.u8(block.scheme_id);
        }
    }
    let image = &representation.image;
    match &representation.subject {
        Subject::Finger(finger) => write_finger(out, finger, image)?,
        Subject::Face(face) => write_face(out, face, image)?,
        Subject::Iris(iris) => write_iris(out, iris, image)?,
    }
    out.fill(length, start, "a representation")?;
    Ok(())
}

fn count_u8(count: usize, what: &str) -> Result<u8, DeviceError> {
    u8::try_from(count).map_err(|_| bad(ISO_INVALID, format!("{count} {what} do not fit the 1-byte count")))
}

fn missing(what: &str) -> DeviceError {
    not_expressible(format!("{what} is not known, and a 2011 record must state it"))
}

fn format_code(format: ImageFormat, table: &[(ImageFormat, u8)], part: &str) -> Result<u8, DeviceError> {
    table
        .iter()
        .find(|(known, _)| *known == format)
        .map(|(_, code)| *code)
        .ok_or_else(|| {
            not_expressible(format!(
                "a {} image cannot be written in a 2011 {part} record",
                format.name()
            ))
        })
}

fn write_finger(out: &mut Out, finger: &FingerDetails, image: &Image) -> Result<(), DeviceError> {
    if finger.view_2005.is_some() {
        return Err(not_expressible(
            "the 2005 count of views, view number and reserved byte have no place in a 2011 record",
        ));
    }
    let representation_number = finger
        .representation_number
        .ok_or_else(|| missing("the representation number"))?;
    let resolution = image
        .resolution
        .ok_or_else(|| bad(ISO_INVALID, "a finger image needs its resolution"))?;
    if resolution.units != finger.capture_resolution.units {
        return Err(bad(
            ISO_INVALID,
            "the capture and image resolutions must use the same units in a finger record",
        ));
    }
    let bit_depth = image
        .bit_depth
        .ok_or_else(|| bad(ISO_INVALID, "a finger image needs its bit depth"))?;
    let code = format_code(
        image.format,
        &[
            (ImageFormat::Raw, 0),
            (ImageFormat::RawBitPacked, 1),
            (ImageFormat::Wsq, 2),
            (ImageFormat::Jpeg, 3),
            (ImageFormat::Jpeg2000Lossy, 4),
            (ImageFormat::Jpeg2000Lossless, 5),
            (ImageFormat::Png, 6),
        ],
        "finger",
    )?;
    out.u8(finger.position);
    out.u8(representation_number);
    out.u8(units_code(resolution.units));
    out.u16(finger.capture_resolution.horizontal);
    out.u16(finger.capture_resolution.vertical);
    out.u16(resolution.horizontal);
    out.u16(resolution.vertical);
    out.u8(bit_depth);
    out.u8(code);
    out.u8(finger.impression_type);
    out.u16(image.width);
    out.u16(image.height);
    out.length_prefixed_u32(&image.data, "the image")?;
    for block in &finger.extended_data {
        let length = u16::try_from(block.data.len() + 4).map_err(|_| {
            bad(
                ISO_INVALID,
                format!(
                    "an extended data block of {} bytes does not fit its 2-byte length",
                    block.data.len()
                ),
            )
        })?;
        out.u16(block.block_type);
        out.u16(length);
        out.slice(&block.data);
    }
    Ok(())
}

pub(crate) fn units_code(units: ScaleUnits) -> u8 {
    match units {
        ScaleUnits::PixelsPerInch => 1,
        ScaleUnits::PixelsPerCentimetre => 2,
    }
}

pub(crate) fn points_count(points: &[[u8; 8]]) -> Result<u16, DeviceError> {
    u16::try_from(points.len()).map_err(|_| {
        bad(
            ISO_INVALID,
            format!("{} landmark points do not fit the 2-byte count", points.len()),
        )
    })
}

fn write_face(out: &mut Out, face: &FaceDetails, image: &Image) -> Result<(), DeviceError> {
    let subject_height = face.subject_height.ok_or_else(|| missing("the subject height"))?;
    let spatial_sampling_rate = face
        .spatial_sampling_rate
        .ok_or_else(|| missing("the spatial sampling rate"))?;
    let post_acquisition_processing = face
        .post_acquisition_processing
        .ok_or_else(|| missing("the post-acquisition processing"))?;
    let cross_reference = face.cross_reference.ok_or_else(|| missing("the cross reference"))?;
    if face.property_mask > 0x00ff_ffff {
        return Err(bad(ISO_INVALID, "the property mask has more than 3 bytes"));
    }
    if face.face_image_type >= 0x80 {
        return Err(bad(ISO_INVALID, "3D face image types are not written"));
    }
    let code = format_code(
        image.format,
        &[
            (ImageFormat::Jpeg, 0),
            (ImageFormat::Jpeg2000Lossy, 1),
            (ImageFormat::Jpeg2000Lossless, 2),
            (ImageFormat::Png, 3),
        ],
        "face",
    )?;
    out.u16(points_count(&face.landmarks)?);
    out.slice(&[face.gender, face.eye_colour, face.hair_colour, subject_height]);
    out.u24(face.property_mask);
    out.u16(face.expression);
    out.slice(&face.pose_angle);
    out.slice(&face.pose_angle_uncertainty);
    for point in &face.landmarks {
        out.slice(point);
    }
    out.u8(face.face_image_type);
    out.u8(code);
    out.u16(image.width);
    out.u16(image.height);
    out.u8(spatial_sampling_rate);
    out.u16(post_acquisition_processing);
    out.u8(cross_reference);
    out.u8(face.colour_space);
    out.length_prefixed_u32(&image.data, "the image")?;
    Ok(())
}

fn write_iris(out: &mut Out, iris: &IrisDetails, image: &Image) -> Result<(), DeviceError> {
    let image_type = iris.image_type.ok_or_else(|| missing("the iris image type"))?;
    let image_properties = iris
        .image_properties
        .ok_or_else(|| missing("the iris image properties"))?;
    let range = iris.range.ok_or_else(|| missing("the range"))?;
    let geometry = iris.geometry.ok_or_else(|| missing("the iris centre and diameter"))?;
    let bit_depth = image
        .bit_depth
        .ok_or_else(|| bad(ISO_INVALID, "an iris image needs its bit depth"))?;
    let code = format_code(
        image.format,
        &[
            (ImageFormat::Raw, 0x02),
            (ImageFormat::Jpeg2000, 0x0A),
            (ImageFormat::Jpeg2000Lossy, 0x0A),
            (ImageFormat::Jpeg2000Lossless, 0x0A),
            (ImageFormat::Png, 0x0E),
        ],
        "iris",
    )?;
    // The compression history bits must say what the format says, or the record would read
    // back as another format.
    if super::read_2011::iris_format(code, image_properties) != Some(image.format) {
        return Err(bad(
            ISO_INVALID,
            format!(
                "the iris image properties {image_properties:#04x} disagree with the image format {}",
                image.format.name()
            ),
        ));
    }
    out.u16(iris.representation_number);
    out.u8(super::read_2011::check_eye_label(iris.eye_label)?);
    out.u8(image_type);
    out.u8(code);
    out.u8(image_properties);
    out.u16(image.width);
    out.u16(image.height);
    out.u8(bit_depth);
    out.u16(range);
    out.u16(iris.roll_angle);
    out.u16(iris.roll_angle_uncertainty);
    out.u16(geometry.centre_smallest_x);
    out.u16(geometry.centre_largest_x);
    out.u16(geometry.centre_smallest_y);
    out.u16(geometry.centre_largest_y);
    out.u16(geometry.diameter_smallest);
    out.u16(geometry.diameter_largest);
    out.length_prefixed_u32(&image.data, "the image")?;
    Ok(())
}
