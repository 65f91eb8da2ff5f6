//! Moving a record from one edition to the other, saying what changed.
//!
//! Why: [`super::write_record`] refuses to drop anything, and the two editions do not hold the
//! same things (a 2011 record has capture dates, quality algorithm ids, certification blocks,
//! extended data; a 2005 record has an image acquisition level, a device unique id, views). So a
//! conversion is its own step whose result lists every value that had no place in the target
//! edition (`dropped`) and every value the target requires that the source did not state, with
//! what was written instead (`assumed`). The caller (a clerk's screen, a CLI flag) decides
//! whether that is acceptable.
//!
//! The choices, each reported when it applies:
//! - 2011 → 2005: the first quality block's score becomes the 2005 quality value; the image
//!   acquisition level is written as 0 (the 2011 edition does not state one); JPEG 2000 loses
//!   "lossless"/"lossy"; iris orientation bits (0–3 of the 2011 properties) move to the 2005
//!   property bits; a count of views and a view number are derived from the positions.
//! - 2005 → 2011: a 2005 quality value of 0..=100 becomes a quality block whose algorithm
//!   vendor and id are 0 (not reported); JPEG 2000 is lossless when its codestream uses the
//!   reversible 5-3 wavelet, lossy otherwise; fields without a 2005 source get the 2011
//!   "unspecified" value (0; angles 0xFFFF stay as the 2005 record wrote them).
//!
//! Uncertain, and said so: the 2005 finger quality has no published "not computed" value here,
//! so values over 100 are dropped rather than mapped; the 2011 iris image type has no
//! "unspecified" code, so 0 is written.
//!
//! Deliberately absent: changing images (a PNG face cannot go to 2005, which knows only JPEG and
//! JPEG 2000; that is an error, not a re-encoding).

use super::model::*;
use super::{jpeg2000, not_expressible, write_record, Iso19794Record};
use crate::DeviceError;

/// A record in the target edition and what the move changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// As it reads back from the target edition's bytes.
    pub record: Iso19794Record,
    /// Values the target edition has no place for, one sentence each.
    pub dropped: Vec<String>,
    /// Values the target edition requires that the source did not state, and what was written.
    pub assumed: Vec<String>,
}

/// `record` in `edition`, with what was dropped and assumed on the way. The result is written
/// and read back, so it is exactly what the target edition's bytes say. Converting to the
/// record's own edition changes nothing.
pub fn convert(record: &Iso19794Record, edition: Edition) -> Result<Conversion, DeviceError> {
    let mut notes = Notes::default();
    let target = if record.header.edition == edition {
        record.clone()
    } else {
        match edition {
            Edition::Iso2005 => to_2005(record, &mut notes)?,
            Edition::Iso2011 => to_2011(record, &mut notes)?,
        }
    };
    let bytes = write_record(&target, edition)?;
    Ok(Conversion {
        record: Iso19794Record::parse(&bytes)?,
        dropped: notes.dropped,
        assumed: notes.assumed,
    })
}

#[derive(Default)]
struct Notes {
    dropped: Vec<String>,
    assumed: Vec<String>,
}

impl Notes {
    fn drop(&mut self, index: usize, what: impl AsRef<str>) {
        self.note_in(true, index, what.as_ref());
    }

    fn assume(&mut self, index: usize, what: impl AsRef<str>) {
        self.note_in(false, index, what.as_ref());
    }

    fn note_in(&mut self, dropped: bool, index: usize, what: &str) {
        let text = if index == usize::MAX {
            what.to_string()
        } else {
            format!("representation {}: {what}", index + 1)
        };
        let list = if dropped { &mut self.dropped } else { &mut self.assumed };
        if !list.contains(&text) {
            list.push(text);
        }
    }
}

/// A note about the record as a whole.
const RECORD: usize = usize::MAX;

fn to_2005(record: &Iso19794Record, notes: &mut Notes) -> Result<Iso19794Record, DeviceError> {
    let modality = record.header.modality;
    if record.header.certification_flag {
        notes.drop(RECORD, "the certification flag");
    }
    let derived = super::write_2011::derived_subject_count(record);
    if let Some(value) = record.header.subject_count_or_temporal {
        if value != derived && modality != Modality::Iris {
            notes.drop(RECORD, format!("the count or temporal semantics {value}"));
        }
    }
    let header_2005 = match modality {
        Modality::Finger => {
            notes.assume(
                RECORD,
                "image acquisition level written as 0: the 2011 record does not state one",
            );
            Header2005::Finger {
                compliance: 0,
                image_acquisition_level: 0,
                reserved: 0,
            }
        }
        Modality::Face => Header2005::Face,
        Modality::Iris => {
            let orientation = match &record.first().subject {
                Subject::Iris(iris) => iris.image_properties.unwrap_or(0) & 0x0f,
                _ => 0,
            };
            notes.assume(
                RECORD,
                "iris diameter, image transformation and device unique id written as 0 (undefined)",
            );
            Header2005::Iris {
                image_properties: u16::from(orientation),
                iris_diameter: 0,
                image_transformation: 0,
                device_unique_id: [0; 16],
            }
        }
    };
    let mut representations = Vec::new();
    for (index, source) in record.representations.iter().enumerate() {
        let mut r = source.clone();
        if r.captured_at.take().is_some() {
            notes.drop(index, "the capture date and time");
        }
        if !r.certifications.is_empty() {
            notes.drop(index, "the certification blocks");
            r.certifications.clear();
        }
        if r.device.vendor_id != 0 {
            notes.drop(index, format!("capture device vendor {:#06x}", r.device.vendor_id));
            r.device.vendor_id = 0;
        }
        if modality != Modality::Face && r.device.technology_id != 0 {
            notes.drop(index, format!("capture device technology {}", r.device.technology_id));
            r.device.technology_id = 0;
        }
        let blocks = std::mem::take(&mut r.quality);
        r.quality_2005 = match blocks.first() {
            Some(first) => {
                notes.drop(index, "the quality algorithm vendor and id");
                if blocks.len() > 1 {
                    notes.drop(index, format!("{} quality blocks after the first", blocks.len() - 1));
                }
                Some(u16::from(first.score))
            }
            None => {
                let (value, meaning) = match modality {
                    Modality::Face => (0, "0 (unspecified)"),
                    Modality::Iris => (255, "255 (not available)"),
                    Modality::Finger => (0, "0 (no quality stated)"),
                };
                notes.assume(index, format!("quality written as {meaning}"));
                Some(value)
            }
        };
        let lossiness = matches!(
            r.image.format,
            ImageFormat::Jpeg2000Lossless | ImageFormat::Jpeg2000Lossy
        );
        if lossiness {
            notes.drop(index, format!("that the JPEG 2000 image is {}", r.image.format.name()));
            r.image.format = ImageFormat::Jpeg2000;
        }
        r.image.format_code = match (modality, r.image.format) {
            (Modality::Iris, ImageFormat::Raw) if r.image.bit_depth == Some(24) => 0x04,
            (Modality::Iris, ImageFormat::Raw) => 0x02,
            (Modality::Iris, ImageFormat::Jpeg2000) if r.image.bit_depth == Some(24) => 0x10,
            (Modality::Iris, ImageFormat::Jpeg2000) => 0x0E,
            (Modality::Iris, other) => {
                return Err(not_expressible(format!(
                    "representation {}: a 2005 iris record cannot hold a {} image",
                    index + 1,
                    other.name()
                )))
            }
            // Finger and face codes follow from the format alone (see write_2005).
            _ => 0,
        };
        match &mut r.subject {
            Subject::Finger(finger) => {
                if finger.representation_number.take().is_some() {
                    notes.drop(index, "the representation number");
                }
                if !finger.extended_data.is_empty() {
                    notes.drop(index, "the extended data blocks (segmentation, annotation, comment)");
                    finger.extended_data.clear();
                }
            }
            Subject::Face(face) => {
                for (value, what) in [
                    (face.subject_height.take().map(u16::from), "subject height"),
                    (
                        face.spatial_sampling_rate.take().map(u16::from),
                        "spatial sampling rate",
                    ),
                    (face.post_acquisition_processing.take(), "post-acquisition processing"),
                    (face.cross_reference.take().map(u16::from), "cross reference"),
                ] {
                    if let Some(value) = value.filter(|value| *value != 0) {
                        notes.drop(index, format!("the {what} {value}"));
                    }
                }
            }
            Subject::Iris(iris) => {
                if let Some(image_type) = iris.image_type.take() {
                    notes.drop(index, format!("iris image type {image_type}"));
                }
                if iris.image_properties.take().is_some_and(|bits| bits & 0x30 != 0) {
                    notes.drop(index, "iris image property bits 4-5");
                }
                if iris.range.take().is_some_and(|range| range != 0) {
                    notes.drop(index, "the range");
                }
                if iris.geometry.take().is_some() {
                    notes.drop(index, "the iris centre and diameters");
                }
            }
        }
        representations.push(r);
    }
    let mut converted = Iso19794Record {
        header: GeneralHeader {
            edition: Edition::Iso2005,
            certification_flag: false,
            subject_count_or_temporal: (modality == Modality::Iris).then_some(derived),
            header_2005: Some(header_2005),
            ..record.header.clone()
        },
        representations,
    };
    if modality == Modality::Finger {
        let views = super::write_2005::derived_views(&converted)?;
        for (representation, view) in converted.representations.iter_mut().zip(views) {
            if let Subject::Finger(finger) = &mut representation.subject {
                finger.view_2005 = Some(view);
            }
        }
    }
    Ok(converted)
}

fn to_2011(record: &Iso19794Record, notes: &mut Notes) -> Result<Iso19794Record, DeviceError> {
    let modality = record.header.modality;
    let mut orientation = 0u8;
    match &record.header.header_2005 {
        Some(Header2005::Finger {
            compliance,
            image_acquisition_level,
            reserved,
        }) => {
            if *compliance != 0 {
                notes.drop(RECORD, format!("the compliance bits {compliance:#x}"));
            }
            notes.drop(RECORD, format!("image acquisition level {image_acquisition_level}"));
            if *reserved != 0 {
                notes.drop(RECORD, "the reserved bytes of the general header");
            }
        }
        Some(Header2005::Iris {
            image_properties,
            iris_diameter,
            image_transformation,
            device_unique_id,
        }) => {
            orientation = (image_properties & 0x0f) as u8;
            if image_properties & !0x0f != 0 {
                notes.drop(RECORD, format!("image property bits {:#06x}", image_properties & !0x0f));
            }
            if *iris_diameter != 0 {
                notes.drop(RECORD, format!("iris diameter {iris_diameter}"));
            }
            if *image_transformation != 0 {
                notes.drop(RECORD, format!("image transformation {image_transformation}"));
            }
            if device_unique_id.iter().any(|b| *b != 0) {
                notes.drop(RECORD, "the device unique id");
            }
        }
        Some(Header2005::Face) | None => {}
    }
    let mut representations = Vec::new();
    for (index, source) in record.representations.iter().enumerate() {
        let mut r = source.clone();
        if let Some(quality) = r.quality_2005.take() {
            let unspecified = modality == Modality::Face && quality == 0;
            if quality <= 100 && !unspecified {
                notes.assume(index, "quality algorithm vendor and id written as 0 (not reported)");
                r.quality.push(QualityBlock {
                    score: quality as u8,
                    algorithm_vendor_id: 0,
                    algorithm_id: 0,
                });
            } else if !unspecified {
                notes.drop(index, format!("the 2005 quality value {quality}"));
            }
        }
        if r.image.format == ImageFormat::Jpeg2000 {
            r.image.format = match jpeg2000::is_reversible(&r.image.data) {
                Some(true) => ImageFormat::Jpeg2000Lossless,
                Some(false) => ImageFormat::Jpeg2000Lossy,
                None => {
                    return Err(not_expressible(format!(
                        "representation {}: the JPEG 2000 image does not say whether it is lossless, which a 2011 record must",
                        index + 1
                    )))
                }
            };
            notes.assume(
                index,
                format!("{} from the image's wavelet transform", r.image.format.name()),
            );
        }
        match &mut r.subject {
            Subject::Finger(finger) => {
                let number = u8::try_from(index + 1).map_err(|_| {
                    not_expressible("a finger record of more than 255 representations cannot number them all")
                })?;
                finger.representation_number = Some(number);
                notes.assume(index, "representation number from the order of the record");
                if let Some(view) = finger.view_2005.take() {
                    if view.reserved != 0 {
                        notes.drop(index, "the reserved byte of the finger header");
                    }
                    notes.drop(index, format!("view {} of {}", view.view_number, view.count_of_views));
                }
            }
            Subject::Face(face) => {
                face.subject_height = Some(0);
                face.spatial_sampling_rate = Some(0);
                face.post_acquisition_processing = Some(0);
                face.cross_reference = Some(0);
                notes.assume(
                    index,
                    "subject height, spatial sampling rate, post-acquisition processing and cross reference written as 0 (unspecified)",
                );
            }
            Subject::Iris(iris) => {
                iris.image_type = Some(0);
                iris.image_properties = Some(orientation | super::builders::compression_history(r.image.format));
                iris.range = Some(0);
                iris.geometry = Some(IrisGeometry {
                    centre_smallest_x: 0,
                    centre_largest_x: 0,
                    centre_smallest_y: 0,
                    centre_largest_y: 0,
                    diameter_smallest: 0,
                    diameter_largest: 0,
                });
                notes.assume(
                    index,
                    "iris image type, range, iris centre and diameters written as 0 (not stated in 2005)",
                );
            }
        }
        representations.push(r);
    }
    let converted = Iso19794Record {
        header: GeneralHeader {
            edition: Edition::Iso2011,
            certification_flag: false,
            subject_count_or_temporal: None,
            header_2005: None,
            ..record.header.clone()
        },
        representations,
    };
    Ok(converted)
}
