//! The values of an ISO/IEC 19794-4/-5/-6 record, one model for both editions (2005 and 2011).
//!
//! Why one model: the station checks, shows and re-packs records without caring which edition a
//! device wrote, so readers of both editions fill the same types and writers of both editions
//! take them. Where the editions differ the model says so instead of inventing values: a field
//! that only the 2011 edition has is an `Option` (or an empty list) that a 2005 reader leaves
//! `None`, and the fields that only the 2005 edition has are kept (`*_2005`, [`Header2005`]) so
//! that a 2005 record writes back byte for byte.
//!
//! Deliberately absent: parsing and writing (the `read_*` and `write_*` modules) and any judgement
//! of the images.

/// Which part of ISO/IEC 19794 a record follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    /// Part 4, finger image data: `FIR\0`.
    Finger,
    /// Part 5, face image data: `FAC\0`.
    Face,
    /// Part 6, iris image data: `IIR\0`.
    Iris,
}

impl Modality {
    pub fn format_identifier(self) -> &'static [u8; 4] {
        match self {
            Modality::Finger => b"FIR\0",
            Modality::Face => b"FAC\0",
            Modality::Iris => b"IIR\0",
        }
    }

    /// The version string of the 2011 edition of this part.
    pub fn version_2011(self) -> &'static [u8; 4] {
        Edition::Iso2011.version(self)
    }

    /// Lower-case name for people and JSON: `finger`, `face`, `iris`.
    pub fn name(self) -> &'static str {
        match self {
            Modality::Finger => "finger",
            Modality::Face => "face",
            Modality::Iris => "iris",
        }
    }
}

/// Which edition of the part a record follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edition {
    /// ISO/IEC 19794-4/-5/-6:2005, version `010\0` in all three parts.
    Iso2005,
    /// ISO/IEC 19794-4:2011 and -6:2011 (`020\0`), 19794-5:2011 (`030\0`).
    Iso2011,
}

impl Edition {
    pub fn year(self) -> u16 {
        match self {
            Edition::Iso2005 => 2005,
            Edition::Iso2011 => 2011,
        }
    }

    /// The version string that this edition of `modality`'s part writes.
    pub fn version(self, modality: Modality) -> &'static [u8; 4] {
        match (self, modality) {
            (Edition::Iso2005, _) => b"010\0",
            (Edition::Iso2011, Modality::Finger | Modality::Iris) => b"020\0",
            (Edition::Iso2011, Modality::Face) => b"030\0",
        }
    }

    /// The edition whose version string for `modality` is `version`.
    pub fn from_version(modality: Modality, version: &[u8]) -> Option<Edition> {
        [Edition::Iso2005, Edition::Iso2011]
            .into_iter()
            .find(|edition| edition.version(modality) == version)
    }
}

/// The general (record) header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralHeader {
    pub modality: Modality,
    pub edition: Edition,
    /// Length of the whole record in bytes, header included. (A 2005 finger record has a 6-byte
    /// field; records over 4 GiB are refused.)
    pub record_length: u32,
    /// How many representations (finger views, face images, iris images) the record holds.
    pub representation_count: u16,
    /// Whether representations carry certification blocks (2011 only; a 2005 record never
    /// does, so it reads as `false`).
    pub certification_flag: bool,
    /// 2011 finger: number of distinct finger/palm positions. Iris, both editions: number of
    /// eyes represented (in 2005: of biometric subtype headers). 2011 face: the temporal
    /// semantics. `None` for the 2005 finger and face records, which have no such field.
    pub subject_count_or_temporal: Option<u16>,
    /// What only a 2005 general header holds; `None` for 2011 records.
    pub header_2005: Option<Header2005>,
}

/// Fields of a 2005 general header that have no place in the 2011 edition. (The 2005 fields that
/// do have one, such as resolution, image format and capture device id, are carried in every
/// representation of the model, the way 2011 records carry them.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header2005 {
    Finger {
        /// The top 4 bits of the capture device id field: the Appendix F (image quality
        /// specification) compliance bits. The low 12 bits are each representation's
        /// `device.type_id`.
        compliance: u8,
        /// Image acquisition setting level (10, 20, 30, 31, 40 or 41).
        image_acquisition_level: u16,
        /// The 2 reserved bytes at the end of the header, kept as read.
        reserved: u16,
    },
    /// The 2005 face header holds nothing beyond identifier, version, length and count.
    Face,
    Iris {
        /// Image property bits (orientation, scan type, occlusion and boundary bits), kept as
        /// read: the public descriptions of this field disagree on the scan type's width, so
        /// the reader does not split it.
        image_properties: u16,
        /// Expected iris diameter in pixels.
        iris_diameter: u16,
        /// 0 undefined, 1 standard.
        image_transformation: u8,
        /// "D…" serial number, "M…" MAC address, "P…" processor id, or all zeros.
        device_unique_id: [u8; 16],
    },
}

/// Capture date and time in UTC, as recorded. A 2011 record writes all-ones (0xFF / 0xFFFF) when
/// the date is unknown; that reads as `None` in [`Representation::captured_at`]. Partly unknown
/// dates (some parts all-ones) are kept as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureDateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub millisecond: u16,
}

impl CaptureDateTime {
    /// The all-ones value that a 2011 record writes for "unknown".
    pub const UNKNOWN: CaptureDateTime = CaptureDateTime {
        year: 0xffff,
        month: 0xff,
        day: 0xff,
        hour: 0xff,
        minute: 0xff,
        second: 0xff,
        millisecond: 0xffff,
    };

    /// `at` in UTC, as a record writes it. A year before 0 (none a capture has) reads as
    /// unknown.
    pub fn from_time(at: time::OffsetDateTime) -> CaptureDateTime {
        let utc = at.to_offset(time::UtcOffset::UTC);
        CaptureDateTime {
            year: u16::try_from(utc.year()).unwrap_or(0xffff),
            month: u8::from(utc.month()),
            day: utc.day(),
            hour: utc.hour(),
            minute: utc.minute(),
            second: utc.second(),
            millisecond: utc.millisecond(),
        }
    }
}

/// Who made the capture, by registered identifiers (0 = not reported). A 2005 record has only a
/// vendor-assigned device id (finger, iris: `type_id`) or a source type and device type (face:
/// `technology_id`, `type_id`); the rest reads as 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaptureDevice {
    pub technology_id: u8,
    pub vendor_id: u16,
    pub type_id: u16,
}

/// One quality block: a score 0..=100 (255 = failed to compute) and the algorithm that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityBlock {
    pub score: u8,
    pub algorithm_vendor_id: u16,
    pub algorithm_id: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificationBlock {
    pub authority_id: u16,
    pub scheme_id: u8,
}

/// How the image bytes are encoded, mapped from each part's and edition's own code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Uncompressed pixels.
    Raw,
    /// Uncompressed, bit-packed pixels (finger only).
    RawBitPacked,
    Wsq,
    Jpeg,
    /// JPEG-LS (2005 iris records only).
    JpegLs,
    /// JPEG 2000 whose record does not say whether it is lossy (2005 records; 2011 iris
    /// records without compression bits).
    Jpeg2000,
    Jpeg2000Lossy,
    Jpeg2000Lossless,
    Png,
}

impl ImageFormat {
    /// Whether `image` starts the way this format's files start. Raw pixels have no signature.
    pub fn signature_matches(self, image: &[u8]) -> bool {
        use super::{J2K_CODESTREAM_SIGNATURE, JP2_SIGNATURE, JPEG_SIGNATURE, PNG_SIGNATURE, WSQ_SIGNATURE};
        match self {
            ImageFormat::Raw | ImageFormat::RawBitPacked => true,
            ImageFormat::Wsq => image.starts_with(WSQ_SIGNATURE),
            ImageFormat::Jpeg | ImageFormat::JpegLs => image.starts_with(JPEG_SIGNATURE),
            ImageFormat::Jpeg2000 | ImageFormat::Jpeg2000Lossy | ImageFormat::Jpeg2000Lossless => {
                image.starts_with(JP2_SIGNATURE) || image.starts_with(J2K_CODESTREAM_SIGNATURE)
            }
            ImageFormat::Png => image.starts_with(PNG_SIGNATURE),
        }
    }

    /// Lower-case name for people and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Raw => "raw",
            ImageFormat::RawBitPacked => "raw-bit-packed",
            ImageFormat::Wsq => "wsq",
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::JpegLs => "jpeg-ls",
            ImageFormat::Jpeg2000 => "jpeg2000",
            ImageFormat::Jpeg2000Lossy => "jpeg2000-lossy",
            ImageFormat::Jpeg2000Lossless => "jpeg2000-lossless",
            ImageFormat::Png => "png",
        }
    }
}

/// Unit of a finger image's resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleUnits {
    PixelsPerInch,
    PixelsPerCentimetre,
}

/// Pixel density of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution {
    pub horizontal: u16,
    pub vertical: u16,
    pub units: ScaleUnits,
}

/// The image of a representation: its encoding, size and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub format: ImageFormat,
    /// The code as written in the record (each part and edition has its own table).
    pub format_code: u8,
    pub width: u16,
    pub height: u16,
    /// Finger only: the image's resolution (faces and irises do not state one in ppi).
    pub resolution: Option<Resolution>,
    /// Finger: bits per pixel. Iris: bits per pixel (2011) or intensity depth (2005). Face:
    /// `None` (the colour space says it).
    pub bit_depth: Option<u8>,
    pub data: Vec<u8>,
}

/// The part of a representation header that only one part of the standard has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Finger(FingerDetails),
    Face(FaceDetails),
    Iris(IrisDetails),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerDetails {
    /// Finger or palm position code: 0 unknown, 1 right thumb … 5 right little, 6 left thumb
    /// … 10 left little, 11–15 multi-finger images. See [`super::finger_position_name`].
    pub position: u8,
    /// 2011 only.
    pub representation_number: Option<u8>,
    /// The capture device's resolution (2005: the scan resolution of the general header).
    pub capture_resolution: Resolution,
    pub impression_type: u8,
    /// Segmentation, annotation, comment and vendor blocks that follow the image (2011 only).
    pub extended_data: Vec<ExtendedDataBlock>,
    /// What only a 2005 finger image header holds.
    pub view_2005: Option<FingerView2005>,
}

/// The fields of a 2005 finger image header without a 2011 counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FingerView2005 {
    pub count_of_views: u8,
    pub view_number: u8,
    /// The reserved last byte of the header, kept as read.
    pub reserved: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceDetails {
    /// Landmark (2005: feature) points, 8 bytes each as recorded: type, code, x, y, and z (2011)
    /// or 2 reserved bytes (2005).
    pub landmarks: Vec<[u8; 8]>,
    pub gender: u8,
    pub eye_colour: u8,
    pub hair_colour: u8,
    /// 2011 only.
    pub subject_height: Option<u8>,
    /// The property mask (2005: feature mask), 3 bytes.
    pub property_mask: u32,
    pub expression: u16,
    /// Yaw, pitch, roll.
    pub pose_angle: [u8; 3],
    pub pose_angle_uncertainty: [u8; 3],
    /// 0 basic, 1 full frontal, 2 token frontal.
    pub face_image_type: u8,
    /// 2011 only.
    pub spatial_sampling_rate: Option<u8>,
    /// 2011 only.
    pub post_acquisition_processing: Option<u16>,
    /// 2011 only.
    pub cross_reference: Option<u8>,
    /// 0 unspecified, 1 24-bit RGB, 2 YUV422, 3 8-bit greyscale, 4 other.
    pub colour_space: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrisDetails {
    /// 2011: the representation number. 2005: the image sequence number.
    pub representation_number: u16,
    /// 0 unspecified, 1 right eye, 2 left eye (2005: the biometric subtype).
    pub eye_label: u8,
    /// 2011 only: 1 uncropped, 2 VGA, 3 cropped, 7 cropped and masked.
    pub image_type: Option<u8>,
    /// 2011 only: orientation and compression history bits. (2005 records keep their 16-bit
    /// property field in [`Header2005::Iris`].)
    pub image_properties: Option<u8>,
    /// 2011 only.
    pub range: Option<u16>,
    /// 2011: roll angle. 2005: rotation angle. 0xFFFF = undefined in both.
    pub roll_angle: u16,
    pub roll_angle_uncertainty: u16,
    /// 2011 only.
    pub geometry: Option<IrisGeometry>,
}

/// Where the iris centre lies and how wide the iris is, in pixels (2011 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IrisGeometry {
    pub centre_smallest_x: u16,
    pub centre_largest_x: u16,
    pub centre_smallest_y: u16,
    pub centre_largest_y: u16,
    pub diameter_smallest: u16,
    pub diameter_largest: u16,
}

/// A finger representation's extended data block (type 1 segmentation, 2 annotation,
/// 3 comment, others vendor-defined), without its 4-byte type/length prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedDataBlock {
    pub block_type: u16,
    pub data: Vec<u8>,
}

/// One representation: one capture of one finger, face or eye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Representation {
    /// Length as the record states it. 2011: the representation, its header included. 2005
    /// finger: the finger data block (14-byte header and image). 2005 face: the facial record
    /// data (information block, feature points, image information and image). 2005 iris: the
    /// iris image header (11 bytes) and image. Writers recompute it.
    pub length: u32,
    /// `None` when the record does not say: every 2005 record, and 2011 records that write the
    /// all-ones "unknown" date.
    pub captured_at: Option<CaptureDateTime>,
    pub device: CaptureDevice,
    /// 2011 quality blocks (a 2005 record has none).
    pub quality: Vec<QualityBlock>,
    /// 2005 only: the image quality field (finger and iris: 0..=100 in one byte, iris 254 not
    /// computed and 255 not available; face: two bytes, 0 = unspecified). No algorithm id comes
    /// with it.
    pub quality_2005: Option<u16>,
    pub certifications: Vec<CertificationBlock>,
    pub subject: Subject,
    pub image: Image,
}

/// A whole record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iso19794Record {
    pub header: GeneralHeader,
    pub representations: Vec<Representation>,
}

impl Iso19794Record {
    /// The first representation; every parsed record has at least one (the parser refuses a
    /// record that declares none).
    pub fn first(&self) -> &Representation {
        &self.representations[0]
    }

    pub fn edition(&self) -> Edition {
        self.header.edition
    }

    pub fn modality(&self) -> Modality {
        self.header.modality
    }
}
