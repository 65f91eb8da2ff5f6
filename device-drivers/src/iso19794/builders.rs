//! One image to one record: the station's own devices (and the simulated camera) wrap a PNG or
//! JPEG 2000 image in a finger, face or iris record of either edition.
//!
//! The image's format and size come from the image itself (PNG header, JPEG 2000 SIZ and COD
//! markers), never from the caller, so a record cannot disagree with its image. Fields the
//! station does not know are written with the standard's "unspecified" values, which each
//! builder names.
//!
//! Deliberately absent: encoding images; other formats than PNG and JPEG 2000 (devices that
//! hand over WSQ or JPEG send whole records, which [`super::Iso19794Record::parse`] reads).

use super::model::*;
use super::{bad, jpeg2000, not_expressible, write_record, ISO_INVALID, PNG_SIGNATURE};
use crate::DeviceError;

/// What [`write_face_record`] needs: the station camera's PNG and what is known of its capture.
#[derive(Debug, Clone)]
pub struct FaceRecordInput<'a> {
    /// A PNG file; width and height are read from its header.
    pub png: &'a [u8],
    pub captured_at: CaptureDateTime,
    pub device: CaptureDevice,
    /// 0..=100.
    pub quality: QualityBlock,
    /// 19794-5 colour space code: 0 unspecified, 1 24-bit RGB, 3 8-bit greyscale.
    pub colour_space: u8,
}

/// Write a 19794-5:2011 face record (`FAC\0` `030\0`) holding one full-frontal 2D
/// representation whose image is `input.png` (image data type 3, PNG).
pub fn write_face_record(input: &FaceRecordInput<'_>) -> Result<Vec<u8>, DeviceError> {
    if png_dimensions(input.png).is_none() {
        return Err(bad(
            ISO_INVALID,
            "the face image is not a PNG (its signature or header is missing)",
        ));
    }
    FaceImageInput {
        image: input.png,
        captured_at: Some(input.captured_at),
        device: input.device,
        quality: input.quality,
        colour_space: input.colour_space,
    }
    .write(Edition::Iso2011)
}

/// Width and height from a PNG's IHDR chunk, or `None` if `png` does not start like a PNG.
pub fn png_dimensions(png: &[u8]) -> Option<(u32, u32)> {
    if !png.starts_with(PNG_SIGNATURE) || png.len() < 24 || &png[12..16] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((width, height))
}

/// The format and size of a PNG or JPEG 2000 image, as `edition` names the format: a 2005
/// record says only "JPEG 2000", a 2011 record lossless (reversible 5-3 wavelet) or lossy.
fn image_facts(image: &[u8], edition: Edition, what: &str) -> Result<(ImageFormat, u16, u16), DeviceError> {
    let (format, size) = if let Some(size) = png_dimensions(image) {
        (ImageFormat::Png, size)
    } else if let Some(size) = jpeg2000::dimensions(image) {
        let format = match (edition, jpeg2000::is_reversible(image)) {
            (Edition::Iso2005, _) => ImageFormat::Jpeg2000,
            (Edition::Iso2011, Some(true)) => ImageFormat::Jpeg2000Lossless,
            (Edition::Iso2011, Some(false)) => ImageFormat::Jpeg2000Lossy,
            (Edition::Iso2011, None) => {
                return Err(bad(
                    ISO_INVALID,
                    format!("the {what} image's JPEG 2000 header does not say which wavelet it uses"),
                ))
            }
        };
        (format, size)
    } else {
        return Err(bad(
            ISO_INVALID,
            format!("the {what} image is neither PNG nor JPEG 2000 (its signature or header is missing)"),
        ));
    };
    let fit = |value: u32, side: &str| {
        u16::try_from(value).map_err(|_| {
            bad(
                ISO_INVALID,
                format!("the {what} image's {side} of {value} pixels does not fit a record (at most 65535)"),
            )
        })
    };
    Ok((format, fit(size.0, "width")?, fit(size.1, "height")?))
}

/// The quality as each edition holds it: a 2011 quality block, or a 2005 value, which has no
/// algorithm id (so one that names an algorithm cannot be written in 2005).
fn quality_for(quality: QualityBlock, edition: Edition) -> Result<(Vec<QualityBlock>, Option<u16>), DeviceError> {
    if quality.score > 100 && quality.score != 255 {
        return Err(bad(
            ISO_INVALID,
            format!("quality score {} is outside 0..=100", quality.score),
        ));
    }
    match edition {
        Edition::Iso2011 => Ok((vec![quality], None)),
        Edition::Iso2005 if quality.algorithm_vendor_id == 0 && quality.algorithm_id == 0 => {
            Ok((Vec::new(), Some(u16::from(quality.score))))
        }
        Edition::Iso2005 => Err(not_expressible(
            "a 2005 record cannot say which algorithm gave the quality score",
        )),
    }
}

fn header(modality: Modality, edition: Edition, header_2005: Option<Header2005>) -> GeneralHeader {
    GeneralHeader {
        modality,
        edition,
        // Lengths are computed by the writer.
        record_length: 0,
        representation_count: 1,
        certification_flag: false,
        subject_count_or_temporal: match edition {
            Edition::Iso2011 => Some(if modality == Modality::Face { 0 } else { 1 }),
            Edition::Iso2005 => (modality == Modality::Iris).then_some(1),
        },
        header_2005: match edition {
            Edition::Iso2011 => None,
            Edition::Iso2005 => header_2005,
        },
    }
}

fn single(header: GeneralHeader, representation: Representation, edition: Edition) -> Result<Vec<u8>, DeviceError> {
    write_record(
        &Iso19794Record {
            header,
            representations: vec![representation],
        },
        edition,
    )
}

/// One face image (PNG or JPEG 2000) as a full-frontal face record. Gender, eye and hair colour,
/// expression, pose and (2011) subject height, sampling rate, processing and cross reference are
/// written as "unspecified" (0); no landmarks.
#[derive(Debug, Clone)]
pub struct FaceImageInput<'a> {
    pub image: &'a [u8],
    /// Must be `None` for a 2005 record, which has no capture date.
    pub captured_at: Option<CaptureDateTime>,
    /// 2005 keeps `technology_id` (as the source type) and `type_id`; a vendor id cannot be
    /// written there.
    pub device: CaptureDevice,
    pub quality: QualityBlock,
    /// 0 unspecified, 1 24-bit RGB, 3 8-bit greyscale.
    pub colour_space: u8,
}

impl FaceImageInput<'_> {
    pub fn write(&self, edition: Edition) -> Result<Vec<u8>, DeviceError> {
        let (format, width, height) = image_facts(self.image, edition, "face")?;
        let (quality, quality_2005) = quality_for(self.quality, edition)?;
        let specified_2011 = |value| (edition == Edition::Iso2011).then_some(value);
        let representation = Representation {
            length: 0,
            captured_at: self.captured_at,
            device: self.device,
            quality,
            quality_2005,
            certifications: Vec::new(),
            subject: Subject::Face(FaceDetails {
                landmarks: Vec::new(),
                gender: 0,
                eye_colour: 0,
                hair_colour: 0,
                subject_height: specified_2011(0),
                property_mask: 0,
                expression: 0,
                pose_angle: [0; 3],
                pose_angle_uncertainty: [0; 3],
                face_image_type: 1,
                spatial_sampling_rate: specified_2011(0),
                post_acquisition_processing: (edition == Edition::Iso2011).then_some(0),
                cross_reference: specified_2011(0),
                colour_space: self.colour_space,
            }),
            image: Image {
                format,
                format_code: 0,
                width,
                height,
                resolution: None,
                bit_depth: None,
                data: self.image.to_vec(),
            },
        };
        single(
            header(Modality::Face, edition, Some(Header2005::Face)),
            representation,
            edition,
        )
    }
}

/// One finger image (PNG or JPEG 2000) as a finger record with one representation.
#[derive(Debug, Clone)]
pub struct FingerImageInput<'a> {
    pub image: &'a [u8],
    /// 0 unknown, 1–10 single fingers (see [`super::finger_position_name`]).
    pub position: u8,
    /// 0 live-scan plain, 1 live-scan rolled, …
    pub impression_type: u8,
    /// Capture and image resolution, pixels per inch.
    pub resolution_ppi: u16,
    pub bit_depth: u8,
    /// Must be `None` for a 2005 record.
    pub captured_at: Option<CaptureDateTime>,
    pub device: CaptureDevice,
    pub quality: QualityBlock,
    /// 2005 only, and required there: the image acquisition setting level (10, 20, 30, 31, 40,
    /// 41), which the 2011 edition does not state.
    pub image_acquisition_level_2005: Option<u16>,
}

impl FingerImageInput<'_> {
    pub fn write(&self, edition: Edition) -> Result<Vec<u8>, DeviceError> {
        let (format, width, height) = image_facts(self.image, edition, "finger")?;
        let (quality, quality_2005) = quality_for(self.quality, edition)?;
        let resolution = Resolution {
            horizontal: self.resolution_ppi,
            vertical: self.resolution_ppi,
            units: ScaleUnits::PixelsPerInch,
        };
        let header_2005 = match (edition, self.image_acquisition_level_2005) {
            (Edition::Iso2005, None) => {
                return Err(not_expressible(
                    "a 2005 finger record must state the image acquisition level",
                ))
            }
            (_, level) => level.map(|image_acquisition_level| Header2005::Finger {
                compliance: 0,
                image_acquisition_level,
                reserved: 0,
            }),
        };
        let representation = Representation {
            length: 0,
            captured_at: self.captured_at,
            device: self.device,
            quality,
            quality_2005,
            certifications: Vec::new(),
            subject: Subject::Finger(FingerDetails {
                position: self.position,
                representation_number: (edition == Edition::Iso2011).then_some(1),
                capture_resolution: resolution,
                impression_type: self.impression_type,
                extended_data: Vec::new(),
                view_2005: None,
            }),
            image: Image {
                format,
                format_code: 0,
                width,
                height,
                resolution: Some(resolution),
                bit_depth: Some(self.bit_depth),
                data: self.image.to_vec(),
            },
        };
        single(header(Modality::Finger, edition, header_2005), representation, edition)
    }
}

/// One iris image (PNG, 2011 only, or JPEG 2000) as an iris record with one representation.
/// Orientation, range, roll angle, iris centre and diameter are written as undefined (0, or
/// 0xFFFF for the angles); a 2005 header gets no device unique id (all zeros).
#[derive(Debug, Clone)]
pub struct IrisImageInput<'a> {
    pub image: &'a [u8],
    /// 0 unspecified, 1 right, 2 left.
    pub eye_label: u8,
    /// 2011 only: 1 uncropped, 2 VGA, 3 cropped, 7 cropped and masked.
    pub image_type: u8,
    /// 8 for greyscale; a 2005 record writes 24 as RGB JPEG 2000.
    pub bit_depth: u8,
    /// Must be `None` for a 2005 record.
    pub captured_at: Option<CaptureDateTime>,
    pub device: CaptureDevice,
    pub quality: QualityBlock,
}

impl IrisImageInput<'_> {
    pub fn write(&self, edition: Edition) -> Result<Vec<u8>, DeviceError> {
        let (format, width, height) = image_facts(self.image, edition, "iris")?;
        let (quality, quality_2005) = quality_for(self.quality, edition)?;
        let format_code = match (edition, format) {
            (Edition::Iso2005, ImageFormat::Jpeg2000) if self.bit_depth == 24 => 0x10,
            (Edition::Iso2005, ImageFormat::Jpeg2000) => 0x0E,
            (Edition::Iso2005, _) => {
                return Err(not_expressible("a 2005 iris record cannot hold a PNG image"));
            }
            _ => 0,
        };
        let in_2011 = edition == Edition::Iso2011;
        let representation = Representation {
            length: 0,
            captured_at: self.captured_at,
            device: self.device,
            quality,
            quality_2005,
            certifications: Vec::new(),
            subject: Subject::Iris(IrisDetails {
                representation_number: 1,
                eye_label: self.eye_label,
                image_type: in_2011.then_some(self.image_type),
                image_properties: in_2011.then_some(compression_history(format)),
                range: in_2011.then_some(0),
                roll_angle: 0xffff,
                roll_angle_uncertainty: 0xffff,
                geometry: in_2011.then_some(IrisGeometry {
                    centre_smallest_x: 0,
                    centre_largest_x: 0,
                    centre_smallest_y: 0,
                    centre_largest_y: 0,
                    diameter_smallest: 0,
                    diameter_largest: 0,
                }),
            }),
            image: Image {
                format,
                format_code,
                width,
                height,
                resolution: None,
                bit_depth: Some(self.bit_depth),
                data: self.image.to_vec(),
            },
        };
        let header_2005 = Header2005::Iris {
            image_properties: 0,
            iris_diameter: 0,
            image_transformation: 0,
            device_unique_id: [0; 16],
        };
        single(
            header(Modality::Iris, edition, Some(header_2005)),
            representation,
            edition,
        )
    }
}

/// 2011 iris image properties with only the compression history bits (6–7) set: 01 lossless,
/// 10 lossy, 00 undefined.
pub(crate) fn compression_history(format: ImageFormat) -> u8 {
    match format {
        ImageFormat::Jpeg2000Lossless | ImageFormat::Png => 0b0100_0000,
        ImageFormat::Jpeg2000Lossy => 0b1000_0000,
        _ => 0,
    }
}
