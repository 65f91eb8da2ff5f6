//! ISO/IEC 19794 biometric data interchange records, 2005 and 2011 editions: finger images
//! (part 4, `FIR\0`, versions `010\0` and `020\0`), faces (part 5, `FAC\0`, `010\0` and
//! `030\0`) and irises (part 6, `IIR\0`, `010\0` and `020\0`).
//!
//! Why this module exists: capture devices (MOSIP SBI devices among them) hand over their
//! captures as these records, many deployed devices and older tools still in the 2005 editions,
//! and the register expects them inside the packet's CBEFF file. So the station must read what a
//! device returns (to check it, show quality and position), write records for the captures it
//! makes itself ([`write_face_record`] and the builders in [`builders`]), and convert between
//! editions without losing anything silently ([`convert`]).
//!
//! The files, one job each: [`model`] (the values, one model for both editions), `bytes`
//! (checked big-endian reading and writing), `read_2011` / `read_2005` and `write_2011` /
//! `write_2005` (the layouts), [`convert`] (what changes between editions, reported),
//! [`builders`] (one image to a record), [`jpeg2000`] (the few codestream facts the records
//! need) and [`summary`] (the header summary that `enroll biometrics inspect` shows).
//!
//! Every length is checked against the record length; nothing is allocated from a length field
//! before the bytes are known to be there; bad input is a [`DeviceError::BadRecord`] with one of
//! the `ISO_*` codes, never a panic.
//!
//! Deliberately absent: 3D face data, decoding images (the bytes are carried as they are), and
//! judging image quality (devices and SDKs do that).

pub mod builders;
mod bytes;
pub mod convert;
pub mod jpeg2000;
pub mod model;
mod read_2005;
mod read_2011;
pub mod summary;
mod write_2005;
mod write_2011;

#[cfg(test)]
mod tests;

pub use builders::{
    png_dimensions, write_face_record, FaceImageInput, FaceRecordInput, FingerImageInput, IrisImageInput,
};
pub use convert::{convert, Conversion};
pub use model::*;
pub use summary::{summary, RecordSummary, RepresentationSummary};

use crate::DeviceError;
use bytes::Cursor;

/// The record is shorter than its own header or length fields say.
pub const ISO_TRUNCATED: &str = "iso_record_truncated";
/// Bytes follow the end that the record length announces.
pub const ISO_TRAILING_BYTES: &str = "iso_record_trailing_bytes";
/// Not one of the three formats read here (wrong format identifier).
pub const ISO_UNKNOWN_FORMAT: &str = "iso_record_unknown_format";
/// A known format in a version other than its 2005 and 2011 editions.
pub const ISO_UNSUPPORTED_VERSION: &str = "iso_record_unsupported_version";
/// A field holds a value the standard does not allow, or lengths disagree.
pub const ISO_INVALID: &str = "iso_record_invalid";
/// Valid, but a feature this reader deliberately does not handle (3D face data, records over
/// 4 GiB).
pub const ISO_UNSUPPORTED: &str = "iso_record_unsupported";
/// Writing: the record holds something the target edition cannot express (a 2011 capture date
/// in a 2005 record), or lacks something it must state. Nothing is dropped silently; see
/// [`convert`] for the explicit, reported way.
pub const ISO_NOT_EXPRESSIBLE: &str = "iso_record_not_expressible";

/// The PNG file signature.
pub const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The JPEG 2000 file format (JP2) signature box.
pub const JP2_SIGNATURE: &[u8] = b"\x00\x00\x00\x0cjP  \r\n\x87\n";
/// A JPEG 2000 raw codestream starts with SOC and SIZ markers.
pub const J2K_CODESTREAM_SIGNATURE: &[u8] = b"\xff\x4f\xff\x51";
/// WSQ starts with its SOI marker.
pub const WSQ_SIGNATURE: &[u8] = b"\xff\xa0";
/// JPEG starts with its SOI marker.
pub const JPEG_SIGNATURE: &[u8] = b"\xff\xd8";

fn general_header_len(modality: Modality, edition: Edition) -> usize {
    match (edition, modality) {
        // id, version, length, count, certification flag, then 2 bytes of temporal semantics
        // (face) or 1 byte counting fingers or eyes.
        (Edition::Iso2011, Modality::Face) => 17,
        (Edition::Iso2011, Modality::Finger | Modality::Iris) => 16,
        (Edition::Iso2005, Modality::Finger) => read_2005::FINGER_HEADER_LEN,
        (Edition::Iso2005, Modality::Face) => read_2005::FACE_HEADER_LEN,
        (Edition::Iso2005, Modality::Iris) => read_2005::IRIS_HEADER_LEN,
    }
}

impl GeneralHeader {
    /// Read only the general header: enough to tell what a record is, which edition, and how
    /// long it claims to be, even when the rest is damaged. (A 2005 iris header does not count
    /// its images; they are counted by walking the subtype and image headers, so a damaged 2005
    /// iris record can fail here.)
    pub fn parse(bytes: &[u8]) -> Result<GeneralHeader, DeviceError> {
        let mut c = Cursor::new(bytes);
        let identifier = c.take(4, "the format identifier")?;
        let modality = [Modality::Finger, Modality::Face, Modality::Iris]
            .into_iter()
            .find(|m| m.format_identifier() == identifier)
            .ok_or_else(|| {
                bad(
                    ISO_UNKNOWN_FORMAT,
                    format!(
                        "the data starts with {}, not FIR, FAC or IIR; it is not an ISO/IEC 19794-4/-5/-6 record",
                        printable(identifier)
                    ),
                )
            })?;
        let version = c.take(4, "the version")?;
        let edition = Edition::from_version(modality, version).ok_or_else(|| {
            bad(
                ISO_UNSUPPORTED_VERSION,
                format!(
                    "{} record version {} is not supported; this reader handles the 2005 edition (010) and the 2011 edition ({})",
                    printable(&identifier[..3]),
                    printable(version),
                    printable(modality.version_2011())
                ),
            )
        })?;
        let header = match edition {
            Edition::Iso2011 => read_2011::parse_general_header(&mut c, modality)?,
            Edition::Iso2005 => read_2005::parse_general_header(&mut c, modality, bytes)?,
        };
        if header.representation_count == 0 {
            return Err(bad(ISO_INVALID, "the record says it holds no representation"));
        }
        Ok(header)
    }
}

impl Iso19794Record {
    /// Parse a whole record of either edition. `bytes` must be exactly one record: its length
    /// must equal the record length field, and every representation must fill its own length
    /// exactly.
    pub fn parse(bytes: &[u8]) -> Result<Iso19794Record, DeviceError> {
        let header = GeneralHeader::parse(bytes)?;
        let record_length = usize::try_from(header.record_length).unwrap_or(usize::MAX);
        if record_length > bytes.len() {
            return Err(bad(
                ISO_TRUNCATED,
                format!(
                    "the record says it is {record_length} bytes long, but only {} bytes are present",
                    bytes.len()
                ),
            ));
        }
        if record_length < bytes.len() {
            return Err(bad(
                ISO_TRAILING_BYTES,
                format!(
                    "{} bytes follow the end of the {record_length}-byte record",
                    bytes.len() - record_length
                ),
            ));
        }
        let header_len = general_header_len(header.modality, header.edition);
        if record_length < header_len {
            return Err(bad(
                ISO_INVALID,
                format!("the record length {record_length} is shorter than the general header"),
            ));
        }
        let mut c = Cursor::new(&bytes[..record_length]);
        c.at = header_len;
        let representations = match header.edition {
            Edition::Iso2011 => read_2011::parse_representations(&mut c, &header)?,
            Edition::Iso2005 => read_2005::parse_representations(&mut c, &header)?,
        };
        if c.remaining() != 0 {
            return Err(bad(
                ISO_INVALID,
                format!(
                    "{} bytes are left in the record after its {} representations",
                    c.remaining(),
                    header.representation_count
                ),
            ));
        }
        Ok(Iso19794Record {
            header,
            representations,
        })
    }
}

/// Write `record` in `edition`. Lengths and counts are computed from the representations. A
/// record read from bytes writes back to the same bytes in its own edition. What the target
/// edition cannot hold, or a value it must state that the record does not know, is an
/// [`ISO_NOT_EXPRESSIBLE`] error naming it, never dropped: [`convert`] first to choose.
pub fn write_record(record: &Iso19794Record, edition: Edition) -> Result<Vec<u8>, DeviceError> {
    for (index, representation) in record.representations.iter().enumerate() {
        let matches = matches!(
            (record.header.modality, &representation.subject),
            (Modality::Finger, Subject::Finger(_))
                | (Modality::Face, Subject::Face(_))
                | (Modality::Iris, Subject::Iris(_))
        );
        if !matches {
            return Err(bad(
                ISO_INVALID,
                format!(
                    "representation {} is not a {} like its record",
                    index + 1,
                    record.header.modality.name()
                ),
            ));
        }
    }
    match edition {
        Edition::Iso2011 => write_2011::write(record),
        Edition::Iso2005 => write_2005::write(record),
    }
}

/// The representation count as the headers write it: at least one, at most 65535.
fn representation_count(record: &Iso19794Record) -> Result<u16, DeviceError> {
    match u16::try_from(record.representations.len()) {
        Ok(0) => Err(bad(ISO_INVALID, "a record needs at least one representation")),
        Ok(count) => Ok(count),
        Err(_) => Err(bad(
            ISO_INVALID,
            format!("{} representations do not fit a record", record.representations.len()),
        )),
    }
}

/// The name of a finger position code as CBEFF subtypes spell it ("Right IndexFinger",
/// "Left Thumb"); `None` for codes that are not single fingers.
pub fn finger_position_name(position: u8) -> Option<&'static str> {
    Some(match position {
        0 => "UNKNOWN",
        1 => "Right Thumb",
        2 => "Right IndexFinger",
        3 => "Right MiddleFinger",
        4 => "Right RingFinger",
        5 => "Right LittleFinger",
        6 => "Left Thumb",
        7 => "Left IndexFinger",
        8 => "Left MiddleFinger",
        9 => "Left RingFinger",
        10 => "Left LittleFinger",
        _ => return None,
    })
}

/// The name of an eye label as CBEFF subtypes spell it; `None` for codes the standard does not
/// define.
pub fn eye_label_name(eye_label: u8) -> Option<&'static str> {
    Some(match eye_label {
        0 => "UNKNOWN",
        1 => "Right",
        2 => "Left",
        _ => return None,
    })
}

fn bad(code: &'static str, message: impl Into<String>) -> DeviceError {
    DeviceError::BadRecord {
        code,
        message: message.into(),
    }
}

fn not_expressible(message: impl Into<String>) -> DeviceError {
    bad(ISO_NOT_EXPRESSIBLE, message)
}

fn in_representation(error: DeviceError, index: u16) -> DeviceError {
    match error {
        DeviceError::BadRecord { code, message } => DeviceError::BadRecord {
            code,
            message: format!("representation {}: {message}", u32::from(index) + 1),
        },
        other => other,
    }
}

fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}
