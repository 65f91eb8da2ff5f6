//! Writing the 2005 editions (`010\0`) of parts 4, 5 and 6 from the model.
//!
//! The 2005 finger and iris formats state resolution, image format, size (iris) and device id
//! once for the whole record, so every representation must agree on them. What a 2005 record
//! cannot hold (capture dates, quality blocks, certification blocks, extended data, the 2011-only
//! face and iris fields, a device vendor) is [`ISO_NOT_EXPRESSIBLE`] rather than dropped; a
//! 2005-only value the model does not know (a finger's image acquisition level, a quality value)
//! is the same error. [`super::convert`] is where such choices are made, and reported. What can
//! be derived exactly is: a finger's count of views and view number, the eye subtype headers.
//!
//! Deliberately absent: the ANSI/INCITS 381 variant of the finger header.

use super::bytes::Out;
use super::model::*;
use super::read_2005::IRIS_HEADER_LEN;
use super::write_2011::{derived_subject_count, points_count, units_code};
use super::{bad, in_representation, not_expressible, ISO_INVALID};
use crate::DeviceError;

pub(crate) fn write(record: &Iso19794Record) -> Result<Vec<u8>, DeviceError> {
    let header = &record.header;
    super::representation_count(record)?;
    if header.certification_flag {
        return Err(not_expressible(
            "the certification flag is on, and a 2005 record has no certification blocks",
        ));
    }
    if let Some(value) = header.subject_count_or_temporal {
        let derived = derived_subject_count(record);
        if value != derived {
            let what = match header.modality {
                Modality::Finger => "distinct finger positions",
                Modality::Face => "temporal semantics",
                Modality::Iris => "eyes",
            };
            return Err(not_expressible(format!(
                "the record states {value} as its {what}, which a 2005 record can only express as {derived}"
            )));
        }
    }
    for (index, representation) in record.representations.iter().enumerate() {
        common_checks(representation, header.modality).map_err(|error| in_representation(error, index as u16))?;
    }
    match header.modality {
        Modality::Finger => write_finger(record),
        Modality::Face => write_face(record),
        Modality::Iris => write_iris(record),
    }
}

/// What no 2005 representation can hold.
fn common_checks(representation: &Representation, modality: Modality) -> Result<(), DeviceError> {
    if representation.captured_at.is_some() {
        return Err(not_expressible("a 2005 record has no capture date and time"));
    }
    if !representation.quality.is_empty() {
        return Err(not_expressible(
            "a 2005 record has no quality blocks (only one quality value without an algorithm id)",
        ));
    }
    if !representation.certifications.is_empty() {
        return Err(not_expressible("a 2005 record has no certification blocks"));
    }
    let device = representation.device;
    if device.vendor_id != 0 {
        return Err(not_expressible("a 2005 record has no capture device vendor id"));
    }
    if modality != Modality::Face && device.technology_id != 0 {
        return Err(not_expressible(
            "a 2005 finger or iris record has no capture device technology id",
        ));
    }
    Ok(())
}

/// The value every representation shares, or an error naming it.
fn shared<T: PartialEq + Copy>(
    record: &Iso19794Record,
    what: &str,
    value: impl Fn(&Representation) -> Result<T, DeviceError>,
) -> Result<T, DeviceError> {
    let first = value(record.first())?;
    for representation in &record.representations[1..] {
        if value(representation)? != first {
            return Err(not_expressible(format!(
                "a 2005 record states one {what} for all its images, and these images differ"
            )));
        }
    }
    Ok(first)
}

/// The 2005 code for `image`: the recorded code when the record is already a 2005 one and the
/// code means the same format (it may say more, such as an iris image's monochrome or RGB),
/// else the only code of that format.
fn format_code(
    record: &Iso19794Record,
    image: &Image,
    read_code: impl Fn(u8) -> Option<ImageFormat>,
    table: &[(ImageFormat, u8)],
    part: &str,
) -> Result<u8, DeviceError> {
    if record.header.edition == Edition::Iso2005 && read_code(image.format_code) == Some(image.format) {
        return Ok(image.format_code);
    }
    table
        .iter()
        .find(|(known, _)| *known == image.format)
        .map(|(_, code)| *code)
        .ok_or_else(|| {
            not_expressible(format!(
                "a {} image cannot be written in a 2005 {part} record",
                image.format.name()
            ))
        })
}

fn finger(representation: &Representation) -> Result<&FingerDetails, DeviceError> {
    match &representation.subject {
        Subject::Finger(finger) => Ok(finger),
        _ => Err(bad(
            ISO_INVALID,
            "a finger record holds a representation that is not a finger",
        )),
    }
}

fn quality_byte(representation: &Representation) -> Result<u8, DeviceError> {
    let quality = representation
        .quality_2005
        .ok_or_else(|| not_expressible("the 2005 quality value is not known, and a 2005 record must state it"))?;
    u8::try_from(quality).map_err(|_| bad(ISO_INVALID, format!("quality {quality} does not fit its 1-byte field")))
}

fn write_finger(record: &Iso19794Record) -> Result<Vec<u8>, DeviceError> {
    let (compliance, image_acquisition_level, reserved) = match &record.header.header_2005 {
        Some(Header2005::Finger {
            compliance,
            image_acquisition_level,
            reserved,
        }) => (*compliance, *image_acquisition_level, *reserved),
        _ => {
            return Err(not_expressible(
                "the image acquisition level is not known, and a 2005 finger record must state it",
            ))
        }
    };
    if compliance > 0x0f {
        return Err(bad(
            ISO_INVALID,
            format!("compliance bits {compliance:#x} do not fit 4 bits"),
        ));
    }
    let count = u8::try_from(record.representations.len()).map_err(|_| {
        not_expressible(format!(
            "a 2005 finger record holds at most 255 images, not {}",
            record.representations.len()
        ))
    })?;
    let device_id = shared(record, "capture device id", |r| Ok(r.device.type_id))?;
    if device_id > 0x0fff {
        return Err(not_expressible(format!(
            "capture device id {device_id:#x} does not fit the 12 bits of a 2005 finger record"
        )));
    }
    let capture_resolution = shared(record, "scan resolution", |r| Ok(finger(r)?.capture_resolution))?;
    let image_resolution = shared(record, "image resolution", |r| {
        r.image
            .resolution
            .ok_or_else(|| bad(ISO_INVALID, "a finger image needs its resolution"))
    })?;
    if capture_resolution.units != image_resolution.units {
        return Err(bad(
            ISO_INVALID,
            "the scan and image resolutions must use the same units in a finger record",
        ));
    }
    let bit_depth = shared(record, "pixel depth", |r| {
        r.image
            .bit_depth
            .ok_or_else(|| bad(ISO_INVALID, "a finger image needs its pixel depth"))
    })?;
    let code = shared(record, "compression algorithm", |r| {
        format_code(
            record,
            &r.image,
            super::read_2005::finger_format,
            &[
                (ImageFormat::Raw, 0),
                (ImageFormat::RawBitPacked, 1),
                (ImageFormat::Wsq, 2),
                (ImageFormat::Jpeg, 3),
                (ImageFormat::Jpeg2000, 4),
                (ImageFormat::Png, 5),
            ],
            "finger",
        )
    })?;

    let mut out = Out::new();
    out.slice(Modality::Finger.format_identifier());
    out.slice(Edition::Iso2005.version(Modality::Finger));
    let record_length = out.length_field(6);
    out.u16(u16::from(compliance) << 12 | device_id);
    out.u16(image_acquisition_level);
    out.u8(count);
    out.u8(units_code(capture_resolution.units));
    out.u16(capture_resolution.horizontal);
    out.u16(capture_resolution.vertical);
    out.u16(image_resolution.horizontal);
    out.u16(image_resolution.vertical);
    out.u8(bit_depth);
    out.u8(code);
    out.u16(reserved);
    for index in 0..record.representations.len() {
        write_finger_view(&mut out, record, index).map_err(|error| in_representation(error, index as u16))?;
    }
    out.fill(record_length, 0, "the record")?;
    Ok(out.bytes)
}

fn write_finger_view(out: &mut Out, record: &Iso19794Record, index: usize) -> Result<(), DeviceError> {
    let representation = &record.representations[index];
    let details = finger(representation)?;
    if details.representation_number.is_some() {
        return Err(not_expressible("a 2005 finger record has no representation number"));
    }
    if !details.extended_data.is_empty() {
        return Err(not_expressible("a 2005 finger record has no extended data blocks"));
    }
    let view = match details.view_2005 {
        Some(view) => view,
        None => derived_views(record)?[index],
    };
    let start = out.len();
    let length = out.length_field(4);
    out.u8(details.position);
    out.u8(view.count_of_views);
    out.u8(view.view_number);
    out.u8(quality_byte(representation)?);
    out.u8(details.impression_type);
    out.u16(representation.image.width);
    out.u16(representation.image.height);
    out.u8(view.reserved);
    out.slice(&representation.image.data);
    out.fill(length, start, "a finger data block")?;
    Ok(())
}

/// Each finger representation's count of views and view number, derived exactly: how many
/// images of its position the record holds, and which of them it is (from 1).
pub(crate) fn derived_views(record: &Iso19794Record) -> Result<Vec<FingerView2005>, DeviceError> {
    let positions = record
        .representations
        .iter()
        .map(|r| finger(r).map(|f| f.position))
        .collect::<Result<Vec<u8>, DeviceError>>()?;
    let mut views = Vec::new();
    for (index, position) in positions.iter().enumerate() {
        let count = positions.iter().filter(|p| *p == position).count();
        let number = positions[..=index].iter().filter(|p| *p == position).count();
        let count = u8::try_from(count)
            .map_err(|_| not_expressible("more than 255 views of one finger do not fit a 2005 record"))?;
        views.push(FingerView2005 {
            count_of_views: count,
            view_number: number as u8,
            reserved: 0,
        });
    }
    Ok(views)
}

fn write_face(record: &Iso19794Record) -> Result<Vec<u8>, DeviceError> {
    match &record.header.header_2005 {
        None | Some(Header2005::Face) => {}
        Some(_) => return Err(bad(ISO_INVALID, "a face record carries another part's 2005 header")),
    }
    let count = super::representation_count(record)?;
    let mut out = Out::new();
    out.slice(Modality::Face.format_identifier());
    out.slice(Edition::Iso2005.version(Modality::Face));
    let record_length = out.length_field(4);
    out.u16(count);
    for (index, representation) in record.representations.iter().enumerate() {
        write_face_image(&mut out, record, representation).map_err(|error| in_representation(error, index as u16))?;
    }
    out.fill(record_length, 0, "the record")?;
    Ok(out.bytes)
}

fn write_face_image(
    out: &mut Out,
    record: &Iso19794Record,
    representation: &Representation,
) -> Result<(), DeviceError> {
    let Subject::Face(face) = &representation.subject else {
        return Err(bad(
            ISO_INVALID,
            "a face record holds a representation that is not a face",
        ));
    };
    for (value, what) in [
        (face.subject_height.is_some(), "subject height"),
        (face.spatial_sampling_rate.is_some(), "spatial sampling rate"),
        (
            face.post_acquisition_processing.is_some(),
            "post-acquisition processing",
        ),
        (face.cross_reference.is_some(), "cross reference"),
    ] {
        if value {
            return Err(not_expressible(format!("a 2005 face record has no {what}")));
        }
    }
    if face.property_mask > 0x00ff_ffff {
        return Err(bad(ISO_INVALID, "the feature mask has more than 3 bytes"));
    }
    let quality = representation
        .quality_2005
        .ok_or_else(|| not_expressible("the 2005 quality value is not known, and a 2005 face record must state it"))?;
    let code = format_code(
        record,
        &representation.image,
        super::read_2005::face_format,
        &[(ImageFormat::Jpeg, 0), (ImageFormat::Jpeg2000, 1)],
        "face",
    )?;
    let image = &representation.image;
    let start = out.len();
    let length = out.length_field(4);
    out.u16(points_count(&face.landmarks)?);
    out.slice(&[face.gender, face.eye_colour, face.hair_colour]);
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
    out.u8(face.colour_space);
    out.u8(representation.device.technology_id);
    out.u16(representation.device.type_id);
    out.u16(quality);
    out.slice(&image.data);
    out.fill(length, start, "a facial record")?;
    Ok(())
}

fn iris(representation: &Representation) -> Result<&IrisDetails, DeviceError> {
    match &representation.subject {
        Subject::Iris(iris) => Ok(iris),
        _ => Err(bad(
            ISO_INVALID,
            "an iris record holds a representation that is not an iris",
        )),
    }
}

fn write_iris(record: &Iso19794Record) -> Result<Vec<u8>, DeviceError> {
    let (image_properties, iris_diameter, image_transformation, device_unique_id) = match &record.header.header_2005 {
        Some(Header2005::Iris {
            image_properties,
            iris_diameter,
            image_transformation,
            device_unique_id,
        }) => (
            *image_properties,
            *iris_diameter,
            *image_transformation,
            *device_unique_id,
        ),
        _ => return Err(not_expressible(
            "the 2005 iris header's image properties, iris diameter, transformation and device unique id are not known",
        )),
    };
    for representation in &record.representations {
        let details = iris(representation)?;
        if details.image_type.is_some()
            || details.image_properties.is_some()
            || details.range.is_some()
            || details.geometry.is_some()
        {
            return Err(not_expressible(
                "a 2005 iris record has no image type, per-image properties, range, iris centre or diameters",
            ));
        }
    }
    let device_id = shared(record, "capture device id", |r| Ok(r.device.type_id))?;
    let (width, height) = shared(record, "image size", |r| Ok((r.image.width, r.image.height)))?;
    let bit_depth = shared(record, "intensity depth", |r| {
        r.image
            .bit_depth
            .ok_or_else(|| bad(ISO_INVALID, "an iris image needs its intensity depth"))
    })?;
    let code = shared(record, "image format", |r| {
        format_code(
            record,
            &r.image,
            |code| super::read_2005::iris_format(u16::from(code)),
            &[],
            "iris",
        )
    })?;

    // Consecutive images of one eye share a subtype header.
    let mut subtypes: Vec<(u8, Vec<&Representation>)> = Vec::new();
    for representation in &record.representations {
        let eye = super::read_2011::check_eye_label(iris(representation)?.eye_label)?;
        match subtypes.last_mut() {
            Some((last, images)) if *last == eye => images.push(representation),
            _ => {
                if subtypes.iter().any(|(seen, _)| *seen == eye) {
                    return Err(not_expressible(format!(
                        "the images of eye {eye} are not consecutive; a 2005 record groups each eye's images under one header"
                    )));
                }
                subtypes.push((eye, vec![representation]));
            }
        }
    }
    let subtype_count =
        u8::try_from(subtypes.len()).map_err(|_| bad(ISO_INVALID, "more eye subtypes than a byte can count"))?;

    let mut out = Out::new();
    out.slice(Modality::Iris.format_identifier());
    out.slice(Edition::Iso2005.version(Modality::Iris));
    let record_length = out.length_field(4);
    out.u16(device_id);
    out.u8(subtype_count);
    out.u16(IRIS_HEADER_LEN as u16);
    out.u16(image_properties);
    out.u16(iris_diameter);
    out.u16(u16::from(code));
    out.u16(width);
    out.u16(height);
    out.u8(bit_depth);
    out.u8(image_transformation);
    out.slice(&device_unique_id);
    for (eye, images) in &subtypes {
        out.u8(*eye);
        out.u16(
            u16::try_from(images.len())
                .map_err(|_| not_expressible("more than 65535 images of one eye do not fit a 2005 record"))?,
        );
        for representation in images {
            let details = iris(representation)?;
            out.u16(details.representation_number);
            out.u8(quality_byte(representation)?);
            out.u16(details.roll_angle);
            out.u16(details.roll_angle_uncertainty);
            out.length_prefixed_u32(&representation.image.data, "an iris image")?;
        }
    }
    out.fill(record_length, 0, "the record")?;
    Ok(out.bytes)
}
