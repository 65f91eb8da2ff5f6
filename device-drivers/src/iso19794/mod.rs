//! ISO/IEC 19794 biometric data interchange records, 2011 editions: finger images (part 4,
//! `FIR\0` version `020\0`), faces (part 5, `FAC\0` version `030\0`) and irises (part 6,
//! `IIR\0` version `020\0`).
//!
//! Why this module exists: capture devices (MOSIP SBI devices among them) hand over their
//! captures as these records, and the register expects them inside the packet's CBEFF file.
//! So the station must read what a device returns (to check it, show quality and position) and
//! write one for the captures it makes itself: [`write_face_record`] wraps the station camera's
//! PNG in a 19794-5 record.
//!
//! What it reads: the general header, every representation header (capture date and time,
//! capture device technology/vendor/type ids, quality and certification blocks, finger
//! position or eye label, image format, size and resolution) and the image bytes, plus a
//! finger representation's extended data blocks (segmentation, annotation, comment). Every
//! length is checked against the record length; nothing is allocated from a length field
//! before the bytes are known to be there; bad input is a [`DeviceError::BadRecord`] with one of
//! the `ISO_*` codes, never a panic.
//!
//! Deliberately absent: the 2005 editions, 3D face data, decoding images (the bytes are carried
//! as they are), and judging image quality (devices and SDKs do that).

use crate::DeviceError;

/// The record is shorter than its own header or length fields say.
pub const ISO_TRUNCATED: &str = "iso_record_truncated";
/// Bytes follow the end that the record length announces.
pub const ISO_TRAILING_BYTES: &str = "iso_record_trailing_bytes";
/// Not one of the three formats read here (wrong format identifier).
pub const ISO_UNKNOWN_FORMAT: &str = "iso_record_unknown_format";
/// A known format in a version other than the 2011 edition.
pub const ISO_UNSUPPORTED_VERSION: &str = "iso_record_unsupported_version";
/// A field holds a value the standard does not allow, or lengths disagree.
pub const ISO_INVALID: &str = "iso_record_invalid";
/// Valid, but a feature this reader deliberately does not handle (3D face data).
pub const ISO_UNSUPPORTED: &str = "iso_record_unsupported";

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
        match self {
            Modality::Finger | Modality::Iris => b"020\0",
            Modality::Face => b"030\0",
        }
    }

    fn general_header_len(self) -> usize {
        match self {
            // id, version, length, count, certification flag, then 2 bytes of temporal
            // semantics (face) or 1 byte counting fingers or eyes.
            Modality::Face => 17,
            Modality::Finger | Modality::Iris => 16,
        }
    }
}

/// The general (record) header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralHeader {
    pub modality: Modality,
    /// Length of the whole record in bytes, header included.
    pub record_length: u32,
    pub representation_count: u16,
    /// Whether representations carry certification blocks.
    pub certification_flag: bool,
    /// Finger: number of distinct finger/palm positions. Iris: number of eyes represented.
    /// Face: the temporal semantics field (0 when the representations are not a sequence).
    pub subject_count_or_temporal: u16,
}

impl GeneralHeader {
    /// Read only the general header: enough to tell what a record is and how long it claims to
    /// be, even when the rest is damaged.
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
        if version != modality.version_2011() {
            return Err(bad(
                ISO_UNSUPPORTED_VERSION,
                format!(
                    "{} record version {} is not supported; this reader handles the 2011 edition ({})",
                    printable(&identifier[..3]),
                    printable(version),
                    printable(modality.version_2011())
                ),
            ));
        }
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
        if representation_count == 0 {
            return Err(bad(ISO_INVALID, "the record says it holds no representation"));
        }
        Ok(GeneralHeader {
            modality,
            record_length,
            representation_count,
            certification_flag,
            subject_count_or_temporal,
        })
    }
}

/// Capture date and time in UTC, as recorded. The standard writes all-ones (0xFF / 0xFFFF)
/// for unknown parts; those are kept as they are.
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

/// Who made the capture, by registered identifiers (0 = not reported).
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

/// How the image bytes are encoded, mapped from each part's own code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Uncompressed pixels.
    Raw,
    /// Uncompressed, bit-packed pixels (finger only).
    RawBitPacked,
    Wsq,
    Jpeg,
    /// JPEG 2000 whose record does not say whether it is lossy (iris without compression bits).
    Jpeg2000,
    Jpeg2000Lossy,
    Jpeg2000Lossless,
    Png,
}

impl ImageFormat {
    /// Whether `image` starts the way this format's files start. Raw pixels have no signature.
    pub fn signature_matches(self, image: &[u8]) -> bool {
        match self {
            ImageFormat::Raw | ImageFormat::RawBitPacked => true,
            ImageFormat::Wsq => image.starts_with(WSQ_SIGNATURE),
            ImageFormat::Jpeg => image.starts_with(JPEG_SIGNATURE),
            ImageFormat::Jpeg2000 | ImageFormat::Jpeg2000Lossy | ImageFormat::Jpeg2000Lossless => {
                image.starts_with(JP2_SIGNATURE) || image.starts_with(J2K_CODESTREAM_SIGNATURE)
            }
            ImageFormat::Png => image.starts_with(PNG_SIGNATURE),
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
    /// The code as written in the record (each part has its own table).
    pub format_code: u8,
    pub width: u16,
    pub height: u16,
    /// Finger only: the image's resolution (faces and irises do not state one in ppi).
    pub resolution: Option<Resolution>,
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
    /// … 10 left little, 11–15 multi-finger images. See [`finger_position_name`].
    pub position: u8,
    pub representation_number: u8,
    pub capture_resolution: Resolution,
    pub impression_type: u8,
    /// Segmentation, annotation, comment and vendor blocks that follow the image.
    pub extended_data: Vec<ExtendedDataBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceDetails {
    /// Landmark points, 8 bytes each as recorded (type, code, x, y, z).
    pub landmarks: Vec<[u8; 8]>,
    pub gender: u8,
    pub eye_colour: u8,
    pub hair_colour: u8,
    pub subject_height: u8,
    pub property_mask: u32,
    pub expression: u16,
    /// Yaw, pitch, roll.
    pub pose_angle: [u8; 3],
    pub pose_angle_uncertainty: [u8; 3],
    /// 0 basic, 1 full frontal, 2 token frontal.
    pub face_image_type: u8,
    pub spatial_sampling_rate: u8,
    pub post_acquisition_processing: u16,
    pub cross_reference: u8,
    pub colour_space: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrisDetails {
    pub representation_number: u16,
    /// 0 unspecified, 1 right eye, 2 left eye.
    pub eye_label: u8,
    /// 1 uncropped, 2 VGA, 3 cropped, 7 cropped and masked.
    pub image_type: u8,
    pub image_properties: u8,
    pub range: u16,
    pub roll_angle: u16,
    pub roll_angle_uncertainty: u16,
    pub iris_centre_smallest_x: u16,
    pub iris_centre_largest_x: u16,
    pub iris_centre_smallest_y: u16,
    pub iris_centre_largest_y: u16,
    pub iris_diameter_smallest: u16,
    pub iris_diameter_largest: u16,
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
    /// Length of the representation in bytes, its header included.
    pub length: u32,
    pub captured_at: CaptureDateTime,
    pub device: CaptureDevice,
    pub quality: Vec<QualityBlock>,
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
    /// Parse a whole record. `bytes` must be exactly one record: its length must equal the
    /// record length field, and every representation must fill its own length exactly.
    pub fn parse(bytes: &[u8]) -> Result<Iso19794Record, DeviceError> {
        let header = GeneralHeader::parse(bytes)?;
        let modality = header.modality;
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
        if record_length < modality.general_header_len() {
            return Err(bad(
                ISO_INVALID,
                format!("the record length {record_length} is shorter than the general header"),
            ));
        }
        let mut c = Cursor::new(&bytes[..record_length]);
        c.at = modality.general_header_len();
        let mut representations = Vec::new();
        for index in 0..header.representation_count {
            let representation = parse_representation(&mut c, modality, header.certification_flag)
                .map_err(|error| in_representation(error, index))?;
            representations.push(representation);
        }
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

    /// The first representation (a record always has at least one).
    pub fn first(&self) -> &Representation {
        &self.representations[0]
    }
}

fn parse_representation(
    c: &mut Cursor<'_>,
    modality: Modality,
    certification_flag: bool,
) -> Result<Representation, DeviceError> {
    let start = c.at;
    let length = c.u32("the representation length")?;
    let length_usize = usize::try_from(length).unwrap_or(usize::MAX);
    if length_usize < 4 || length_usize - 4 > c.remaining() {
        return Err(bad(
            ISO_INVALID,
            format!(
                "the representation claims {length} bytes, but the record has {} left for it",
                c.remaining() + 4
            ),
        ));
    }
    // Everything below reads inside the representation only.
    let mut r = Cursor::new(&c.bytes[start..start + length_usize]);
    r.at = 4;
    c.at = start + length_usize;

    let captured_at = CaptureDateTime {
        year: r.u16("the capture year")?,
        month: r.u8("the capture month")?,
        day: r.u8("the capture day")?,
        hour: r.u8("the capture hour")?,
        minute: r.u8("the capture minute")?,
        second: r.u8("the capture second")?,
        millisecond: r.u16("the capture millisecond")?,
    };
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
        certifications,
        subject,
        image,
    })
}

fn parse_finger(r: &mut Cursor<'_>) -> Result<(Subject, Image), DeviceError> {
    let position = r.u8("the finger position")?;
    let representation_number = r.u8("the representation number")?;
    let units = match r.u8("the scale units")? {
        1 => ScaleUnits::PixelsPerInch,
        2 => ScaleUnits::PixelsPerCentimetre,
        other => {
            return Err(bad(
                ISO_INVALID,
                format!("scale units {other} are neither 1 (ppi) nor 2 (ppcm)"),
            ))
        }
    };
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
    let format = match format_code {
        0 => ImageFormat::Raw,
        1 => ImageFormat::RawBitPacked,
        2 => ImageFormat::Wsq,
        3 => ImageFormat::Jpeg,
        4 => ImageFormat::Jpeg2000Lossy,
        5 => ImageFormat::Jpeg2000Lossless,
        6 => ImageFormat::Png,
        other => {
            return Err(bad(
                ISO_INVALID,
                format!("finger image compression code {other} is not defined by ISO/IEC 19794-4:2011"),
            ))
        }
    };
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
            representation_number,
            capture_resolution,
            impression_type,
            extended_data,
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

fn parse_face(r: &mut Cursor<'_>) -> Result<(Subject, Image), DeviceError> {
    let landmark_count = r.u16("the number of landmark points")?;
    let gender = r.u8("the gender")?;
    let eye_colour = r.u8("the eye colour")?;
    let hair_colour = r.u8("the hair colour")?;
    let subject_height = r.u8("the subject height")?;
    let mask = r.take(3, "the property mask")?;
    let property_mask = u32::from(mask[0]) << 16 | u32::from(mask[1]) << 8 | u32::from(mask[2]);
    let expression = r.u16("the expression")?;
    let pose = r.take(3, "the pose angles")?;
    let pose_angle = [pose[0], pose[1], pose[2]];
    let uncertainty = r.take(3, "the pose angle uncertainty")?;
    let pose_angle_uncertainty = [uncertainty[0], uncertainty[1], uncertainty[2]];
    let mut landmarks = Vec::new();
    for _ in 0..landmark_count {
        let point = r.take(8, "a landmark point")?;
        let mut landmark = [0u8; 8];
        landmark.copy_from_slice(point);
        landmarks.push(landmark);
    }
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
            subject_height,
            property_mask,
            expression,
            pose_angle,
            pose_angle_uncertainty,
            face_image_type,
            spatial_sampling_rate,
            post_acquisition_processing,
            cross_reference,
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

fn face_format(code: u8) -> Option<ImageFormat> {
    match code {
        0 => Some(ImageFormat::Jpeg),
        1 => Some(ImageFormat::Jpeg2000Lossy),
        2 => Some(ImageFormat::Jpeg2000Lossless),
        3 => Some(ImageFormat::Png),
        _ => None,
    }
}

fn parse_iris(r: &mut Cursor<'_>) -> Result<(Subject, Image), DeviceError> {
    let representation_number = r.u16("the representation number")?;
    let eye_label = r.u8("the eye label")?;
    if eye_label > 2 {
        return Err(bad(
            ISO_INVALID,
            format!("eye label {eye_label} is not 0 (unspecified), 1 (right) or 2 (left)"),
        ));
    }
    let image_type = r.u8("the image type")?;
    let format_code = r.u8("the image format")?;
    let image_properties = r.u8("the image properties")?;
    let format = match format_code {
        0x02 => ImageFormat::Raw,
        // Bits 6–7 of the properties say how the image was compressed: 01 lossless, 10 lossy.
        0x0A => match image_properties >> 6 {
            0b01 => ImageFormat::Jpeg2000Lossless,
            0b10 => ImageFormat::Jpeg2000Lossy,
            _ => ImageFormat::Jpeg2000,
        },
        0x0E => ImageFormat::Png,
        other => {
            return Err(bad(
                ISO_INVALID,
                format!("iris image format {other:#04x} is not defined by ISO/IEC 19794-6:2011"),
            ))
        }
    };
    let width = r.u16("the image width")?;
    let height = r.u16("the image height")?;
    let bit_depth = r.u8("the bit depth")?;
    let details = IrisDetails {
        representation_number,
        eye_label,
        image_type,
        image_properties,
        range: r.u16("the range")?,
        roll_angle: r.u16("the roll angle")?,
        roll_angle_uncertainty: r.u16("the roll angle uncertainty")?,
        iris_centre_smallest_x: r.u16("the iris centre's smallest x")?,
        iris_centre_largest_x: r.u16("the iris centre's largest x")?,
        iris_centre_smallest_y: r.u16("the iris centre's smallest y")?,
        iris_centre_largest_y: r.u16("the iris centre's largest y")?,
        iris_diameter_smallest: r.u16("the smallest iris diameter")?,
        iris_diameter_largest: r.u16("the largest iris diameter")?,
    };
    let data = r.length_prefixed_u32("the image")?.to_vec();
    Ok((
        Subject::Iris(details),
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

/// Length of the face representation header between the representation length and the image.
const FACE_FIXED_LEN: usize = 4 + 9 + 5 + 1 + 5 + 17 + 11 + 4;

/// Write a 19794-5:2011 face record (`FAC\0` `030\0`) holding one full-frontal 2D
/// representation whose image is `input.png` (image data type 3, PNG).
pub fn write_face_record(input: &FaceRecordInput<'_>) -> Result<Vec<u8>, DeviceError> {
    let (width, height) = png_dimensions(input.png).ok_or_else(|| {
        bad(
            ISO_INVALID,
            "the face image is not a PNG (its signature or header is missing)",
        )
    })?;
    let too_big = |what: &str, value: u32| {
        bad(
            ISO_INVALID,
            format!("the face image's {what} of {value} pixels does not fit a 19794-5 record (at most 65535)"),
        )
    };
    let width = u16::try_from(width).map_err(|_| too_big("width", width))?;
    let height = u16::try_from(height).map_err(|_| too_big("height", height))?;
    if input.quality.score > 100 && input.quality.score != 255 {
        return Err(bad(
            ISO_INVALID,
            format!("quality score {} is outside 0..=100", input.quality.score),
        ));
    }
    let image_len = u32::try_from(input.png.len())
        .ok()
        .filter(|len| (*len as usize) <= u32::MAX as usize - 17 - FACE_FIXED_LEN)
        .ok_or_else(|| bad(ISO_INVALID, "the face image is too large for a 19794-5 record"))?;
    let representation_len = FACE_FIXED_LEN as u32 + image_len;
    let record_len = 17 + representation_len;

    let mut out = Vec::with_capacity(record_len as usize);
    out.extend_from_slice(Modality::Face.format_identifier());
    out.extend_from_slice(Modality::Face.version_2011());
    out.extend_from_slice(&record_len.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // one representation
    out.push(0); // no certification blocks
    out.extend_from_slice(&0u16.to_be_bytes()); // temporal semantics: not a sequence

    out.extend_from_slice(&representation_len.to_be_bytes());
    let t = input.captured_at;
    out.extend_from_slice(&t.year.to_be_bytes());
    out.extend_from_slice(&[t.month, t.day, t.hour, t.minute, t.second]);
    out.extend_from_slice(&t.millisecond.to_be_bytes());
    out.push(input.device.technology_id);
    out.extend_from_slice(&input.device.vendor_id.to_be_bytes());
    out.extend_from_slice(&input.device.type_id.to_be_bytes());
    out.push(1); // one quality block
    out.push(input.quality.score);
    out.extend_from_slice(&input.quality.algorithm_vendor_id.to_be_bytes());
    out.extend_from_slice(&input.quality.algorithm_id.to_be_bytes());
    // Facial information: no landmarks; gender, eye and hair colour unspecified (0), subject
    // height unknown (0), no properties, expression unspecified, pose and uncertainty unknown.
    out.extend_from_slice(&[0u8; 17]);
    // Image information.
    out.push(1); // full frontal
    out.push(3); // image data type: PNG
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&height.to_be_bytes());
    out.push(0); // spatial sampling rate: unspecified
    out.extend_from_slice(&0u16.to_be_bytes()); // no post-acquisition processing
    out.push(0); // cross reference: basic
    out.push(input.colour_space);
    out.extend_from_slice(&image_len.to_be_bytes());
    out.extend_from_slice(input.png);
    debug_assert_eq!(out.len(), record_len as usize, "the lengths above add up to the record");
    Ok(out)
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

fn bad(code: &'static str, message: impl Into<String>) -> DeviceError {
    DeviceError::BadRecord {
        code,
        message: message.into(),
    }
}

fn in_representation(error: DeviceError, index: u16) -> DeviceError {
    match error {
        DeviceError::BadRecord { code, message } => DeviceError::BadRecord {
            code,
            message: format!("representation {}: {message}", index + 1),
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

/// Big-endian reads that fail with [`ISO_TRUNCATED`] instead of panicking.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, at: 0 }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DeviceError> {
        if n > self.remaining() {
            return Err(bad(
                ISO_TRUNCATED,
                format!(
                    "the record ends inside {what}: {n} bytes needed at offset {}, {} left",
                    self.at,
                    self.remaining()
                ),
            ));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn u8(&mut self, what: &str) -> Result<u8, DeviceError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, DeviceError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, DeviceError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A 4-byte length followed by that many bytes.
    fn length_prefixed_u32(&mut self, what: &str) -> Result<&'a [u8], DeviceError> {
        let length = self.u32(&format!("the length of {what}"))?;
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        self.take(length, what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_png() -> Vec<u8> {
        let mut png = Vec::new();
        image::GrayImage::from_pixel(7, 5, image::Luma([200u8]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    }

    fn input(png: &[u8]) -> FaceRecordInput<'_> {
        FaceRecordInput {
            png,
            captured_at: CaptureDateTime {
                year: 2025,
                month: 3,
                day: 14,
                hour: 9,
                minute: 26,
                second: 53,
                millisecond: 589,
            },
            device: CaptureDevice {
                technology_id: 2,
                vendor_id: 0x0102,
                type_id: 0x0304,
            },
            quality: QualityBlock {
                score: 77,
                algorithm_vendor_id: 0x00ff,
                algorithm_id: 1,
            },
            colour_space: 3,
        }
    }

    fn code(result: Result<Iso19794Record, DeviceError>) -> &'static str {
        result.unwrap_err().code()
    }

    #[test]
    fn face_writer_output_parses_back_with_the_same_values() {
        let png = sample_png();
        let bytes = write_face_record(&input(&png)).unwrap();
        let record = Iso19794Record::parse(&bytes).unwrap();
        assert_eq!(record.header.modality, Modality::Face);
        assert_eq!(record.header.record_length as usize, bytes.len());
        assert_eq!(record.header.representation_count, 1);
        assert!(!record.header.certification_flag);
        let face = record.first();
        assert_eq!(face.captured_at, input(&png).captured_at);
        assert_eq!(face.device, input(&png).device);
        assert_eq!(face.quality, vec![input(&png).quality]);
        assert_eq!(face.image.format, ImageFormat::Png);
        assert_eq!(face.image.format_code, 3);
        assert_eq!((face.image.width, face.image.height), (7, 5));
        assert_eq!(face.image.data, png);
        assert!(face.image.format.signature_matches(&face.image.data));
        match &face.subject {
            Subject::Face(details) => {
                assert_eq!(details.face_image_type, 1);
                assert_eq!(details.colour_space, 3);
                assert!(details.landmarks.is_empty());
            }
            other => panic!("expected a face, got {other:?}"),
        }
    }

    #[test]
    fn face_writer_refuses_what_is_not_png() {
        let error = write_face_record(&input(b"\xff\xd8\xff\xe0 a jpeg")).unwrap_err();
        assert_eq!(error.code(), ISO_INVALID);
        assert!(error.to_string().contains("not a PNG"), "{error}");
        let png = sample_png();
        let mut bad_quality = input(&png);
        bad_quality.quality.score = 101;
        assert_eq!(write_face_record(&bad_quality).unwrap_err().code(), ISO_INVALID);
    }

    #[test]
    fn damaged_records_are_named() {
        let png = sample_png();
        let bytes = write_face_record(&input(&png)).unwrap();
        assert_eq!(code(Iso19794Record::parse(b"")), ISO_TRUNCATED);
        assert_eq!(code(Iso19794Record::parse(b"XYZ\x00030\x00")), ISO_UNKNOWN_FORMAT);
        let mut old = bytes.clone();
        old[4..8].copy_from_slice(b"010\0");
        assert_eq!(code(Iso19794Record::parse(&old)), ISO_UNSUPPORTED_VERSION);
        assert_eq!(code(Iso19794Record::parse(&bytes[..bytes.len() - 1])), ISO_TRUNCATED);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(code(Iso19794Record::parse(&longer)), ISO_TRAILING_BYTES);
        let mut no_representation = bytes.clone();
        no_representation[12..14].copy_from_slice(&0u16.to_be_bytes());
        assert_eq!(code(Iso19794Record::parse(&no_representation)), ISO_INVALID);
        let mut wrong_type = bytes.clone();
        wrong_type[59] = 9; // image data type: 17 + 4 + 9 + 5 + 1 + 5 + 17 + 1
        assert_eq!(code(Iso19794Record::parse(&wrong_type)), ISO_INVALID);
        let mut three_d = bytes.clone();
        three_d[58] = 0x81; // face image type
        assert_eq!(code(Iso19794Record::parse(&three_d)), ISO_UNSUPPORTED);
        let mut long_representation = bytes.clone();
        long_representation[17..21].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(code(Iso19794Record::parse(&long_representation)), ISO_INVALID);
    }

    #[test]
    fn random_damage_never_panics() {
        use rand::{Rng, SeedableRng};
        let png = sample_png();
        let valid = write_face_record(&input(&png)).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(19794);
        for _ in 0..5000 {
            let mut bytes = valid.clone();
            for _ in 0..rng.gen_range(1..4) {
                let at = rng.gen_range(0..bytes.len());
                bytes[at] = rng.gen();
            }
            if rng.gen_bool(0.3) {
                bytes.truncate(rng.gen_range(0..bytes.len()));
            }
            if let Err(error) = Iso19794Record::parse(&bytes) {
                assert!(error.code().starts_with("iso_record_"), "{error}");
            }
        }
    }
}
