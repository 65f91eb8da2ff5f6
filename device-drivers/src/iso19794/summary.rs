//! The header summary of a record, for `enroll biometrics inspect FILE` and anything else that
//! shows a record to a person: what it is, which edition, and per representation where it was
//! taken (finger position or eye), the image's size, resolution and encoding, quality, device
//! and capture date. Serialised as camelCase JSON.
//!
//! Deliberately absent: the image bytes, the CLI wiring, and any value the record does not hold
//! (a 2005 record's capture date is `null`, not a guess).

use serde::Serialize;

use super::model::*;
use super::{eye_label_name, finger_position_name};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordSummary {
    /// `finger`, `face` or `iris`.
    pub format: &'static str,
    /// 2005 or 2011.
    pub edition: u16,
    pub record_length: u32,
    pub representations: Vec<RepresentationSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepresentationSummary {
    /// Finger position or eye label as CBEFF subtypes name them ("Left Thumb", "Right");
    /// `null` for faces.
    pub position: Option<String>,
    /// The code as recorded (finger position or eye label); `null` for faces.
    pub position_code: Option<u8>,
    pub width: u16,
    pub height: u16,
    /// Finger images only.
    pub resolution: Option<ResolutionSummary>,
    /// `png`, `jpeg2000-lossless`, `wsq`, …
    pub image_format: &'static str,
    /// The format code in the part's and edition's table.
    pub image_format_code: u8,
    pub bit_depth: Option<u8>,
    pub image_bytes: usize,
    /// 2011 quality blocks' scores, or the 2005 quality value.
    pub quality_scores: Vec<u16>,
    pub capture_device: DeviceSummary,
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` as recorded (UTC); `null` when the record does not say.
    pub captured_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolutionSummary {
    pub horizontal: u16,
    pub vertical: u16,
    /// `ppi` or `ppcm`.
    pub units: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceSummary {
    pub technology_id: u8,
    pub vendor_id: u16,
    pub type_id: u16,
}

/// Summarise `record`'s headers.
pub fn summary(record: &Iso19794Record) -> RecordSummary {
    RecordSummary {
        format: record.header.modality.name(),
        edition: record.header.edition.year(),
        record_length: record.header.record_length,
        representations: record.representations.iter().map(representation_summary).collect(),
    }
}

fn representation_summary(representation: &Representation) -> RepresentationSummary {
    let (position, position_code) = match &representation.subject {
        Subject::Finger(finger) => (
            Some(
                finger_position_name(finger.position)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("position {}", finger.position)),
            ),
            Some(finger.position),
        ),
        Subject::Iris(iris) => (
            Some(
                eye_label_name(iris.eye_label)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("eye {}", iris.eye_label)),
            ),
            Some(iris.eye_label),
        ),
        Subject::Face(_) => (None, None),
    };
    let image = &representation.image;
    let mut quality_scores: Vec<u16> = representation.quality.iter().map(|q| u16::from(q.score)).collect();
    quality_scores.extend(representation.quality_2005);
    RepresentationSummary {
        position,
        position_code,
        width: image.width,
        height: image.height,
        resolution: image.resolution.map(|r| ResolutionSummary {
            horizontal: r.horizontal,
            vertical: r.vertical,
            units: match r.units {
                ScaleUnits::PixelsPerInch => "ppi",
                ScaleUnits::PixelsPerCentimetre => "ppcm",
            },
        }),
        image_format: image.format.name(),
        image_format_code: image.format_code,
        bit_depth: image.bit_depth,
        image_bytes: image.data.len(),
        quality_scores,
        capture_device: DeviceSummary {
            technology_id: representation.device.technology_id,
            vendor_id: representation.device.vendor_id,
            type_id: representation.device.type_id,
        },
        captured_at: representation.captured_at.map(|t| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond
            )
        }),
    }
}
