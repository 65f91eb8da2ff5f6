//! WSQ (Wavelet Scalar Quantization) decoding: the FBI's grey-scale fingerprint compression,
//! IAFIS-IC-0110 v3.1, which finger devices use inside ISO/IEC 19794-4 records (compression
//! code 2).
//!
//! Why it exists: the station must show finger captures to the clerk and check them, and a
//! WSQ capture is unreadable until it is decoded. [`decode`] gives 8-bit grey pixels (and the
//! resolution from a NISTCOM comment); [`dimensions`] reads only the frame header;
//! [`decode_record_image`] decodes the image of a 19794-4 representation and checks it against
//! the record. The steps, one private module each: the byte syntax (`markers`), the
//! entropy-coded data (`huffman`), the subband layout (`subbands`), dequantization
//! (`quantization`), the inverse wavelet transform (`wavelet`), then the frame header's shift
//! and scale with rounding to the nearest grey level.
//!
//! Bad input is a [`DeviceError::BadWsq`] with one of the `WSQ_*` codes, never a panic: every
//! read is bounds-checked, every table index and zero run is checked, and images over
//! [`MAX_PIXELS`] are refused before anything of their size is allocated.
//!
//! Deliberately absent: encoding (the station stores what devices give), even-length
//! transform filters (no encoder in use writes them; refused as unsupported) and images of
//! more than one frame.

mod huffman;
mod markers;
mod quantization;
mod subbands;
mod wavelet;

use crate::iso19794::{Image, ImageFormat};
use crate::DeviceError;
use markers::{Reader, COM, DHT, DQT, DRT, DTT, EOI, SOB, SOF, SOI};

/// The file ends before the image does.
pub const WSQ_TRUNCATED: &str = "wsq_truncated";
/// The bytes break the WSQ syntax or hold values it does not allow.
pub const WSQ_INVALID: &str = "wsq_invalid";
/// Valid WSQ that this decoder deliberately does not handle (even-length filters, images over
/// [`MAX_PIXELS`]).
pub const WSQ_UNSUPPORTED: &str = "wsq_unsupported";

/// The largest image decoded: 16 million pixels, four times a full ten-print card at 500 ppi
/// and far beyond any single finger or slap. The decoder holds a few bytes of working state per
/// pixel (about 100 MB at this limit).
pub const MAX_PIXELS: u64 = 16_000_000;

/// A decoded WSQ image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsqImage {
    pub image: image::GrayImage,
    /// Pixels per inch, from the NISTCOM comment when the file has one.
    pub ppi: Option<u16>,
}

pub(crate) fn bad(code: &'static str, message: impl Into<String>) -> DeviceError {
    DeviceError::BadWsq {
        code,
        message: message.into(),
    }
}

/// The tables in force while reading.
#[derive(Default)]
struct Tables {
    transform: Option<markers::TransformTable>,
    quantization: Option<markers::QuantizationTable>,
    huffman: [Option<huffman::HuffmanTable>; 8],
    ppi: Option<u16>,
}

impl Tables {
    /// Read one tables-or-miscellaneous segment. `before_data` is false once a block has been
    /// read: from then on only Huffman tables, restart intervals and comments may change.
    fn read(&mut self, marker: u16, body: &[u8], before_data: bool) -> Result<(), DeviceError> {
        match marker {
            DTT | DQT if !before_data => {
                return Err(bad(
                    WSQ_UNSUPPORTED,
                    format!(
                        "a {} table is redefined after the first block; one transform and one quantization per image are supported",
                        markers::marker_name(marker)
                    ),
                ))
            }
            DTT => self.transform = Some(markers::transform_table(body)?),
            DQT => self.quantization = Some(markers::quantization_table(body)?),
            DHT => {
                for spec in markers::huffman_tables(body)? {
                    self.huffman[usize::from(spec.id)] = Some(huffman::HuffmanTable::new(&spec)?);
                }
            }
            DRT => {
                markers::restart_interval(body)?;
            }
            COM => {
                if let Some(ppi) = markers::nistcom_ppi(body) {
                    self.ppi = Some(ppi);
                }
            }
            other => {
                return Err(bad(
                    WSQ_INVALID,
                    format!("unexpected marker {} where a table or the frame header belongs", markers::marker_name(other)),
                ))
            }
        }
        Ok(())
    }
}

/// Read from the start of the file through the frame header. The tables before it are read
/// into `tables`, or only stepped over when there is none.
fn read_to_frame(r: &mut Reader<'_>, mut tables: Option<&mut Tables>) -> Result<markers::FrameHeader, DeviceError> {
    let first = r.marker("the SOI marker that starts a WSQ file")?;
    if first != SOI {
        return Err(bad(
            WSQ_INVALID,
            format!("the data starts with {first:#06x}, not the WSQ SOI marker 0xffa0; it is not a WSQ file"),
        ));
    }
    loop {
        let marker = r.marker("a marker before the frame header")?;
        let body = r.segment(marker)?;
        if marker == SOF {
            let frame = markers::frame_header(body)?;
            let pixels = u64::from(frame.width) * u64::from(frame.height);
            if pixels > MAX_PIXELS {
                return Err(bad(
                    WSQ_UNSUPPORTED,
                    format!(
                        "the image is {}×{} pixels, more than the {MAX_PIXELS} this decoder accepts",
                        frame.width, frame.height
                    ),
                ));
            }
            return Ok(frame);
        }
        if let Some(tables) = tables.as_deref_mut() {
            tables.read(marker, body, true)?;
        }
    }
}

/// Width and height from the frame header, without decoding the image: the segments before
/// it are stepped over, not read.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), DeviceError> {
    let frame = read_to_frame(&mut Reader::new(bytes), None)?;
    Ok((u32::from(frame.width), u32::from(frame.height)))
}

/// Decode a whole WSQ file to 8-bit grey pixels.
pub fn decode(bytes: &[u8]) -> Result<WsqImage, DeviceError> {
    let mut r = Reader::new(bytes);
    let mut tables = Tables::default();
    let frame = read_to_frame(&mut r, Some(&mut tables))?;
    let (width, height) = (usize::from(frame.width), usize::from(frame.height));
    let layout = subbands::Layout::new(width, height);

    // Blocks until EOI; the coefficients run on from one block to the next.
    let mut coefficients = Vec::new();
    let mut expected = None;
    loop {
        let marker = r.marker("a marker after the frame header")?;
        if marker == EOI {
            break;
        }
        let body = r.segment(marker)?;
        if marker != SOB {
            tables.read(marker, body, expected.is_none())?;
            continue;
        }
        let table_id = markers::block_header(body)?;
        let table = tables.huffman[usize::from(table_id)].as_ref().ok_or_else(|| {
            bad(
                WSQ_INVALID,
                format!("a block uses Huffman table {table_id}, which was never defined"),
            )
        })?;
        let quantization = tables
            .quantization
            .as_ref()
            .ok_or_else(|| bad(WSQ_INVALID, "the image data comes before the quantization table (DQT)"))?;
        let total = *expected.get_or_insert_with(|| quantization::coded_coefficients(&layout, quantization));
        let used = huffman::decode_block(r.rest(), table, &mut coefficients, total)?;
        r.advance(used);
    }
    let quantization = tables
        .quantization
        .as_ref()
        .ok_or_else(|| bad(WSQ_INVALID, "the file has no quantization table (DQT)"))?;
    let transform = tables
        .transform
        .as_ref()
        .ok_or_else(|| bad(WSQ_INVALID, "the file has no transform table (DTT)"))?;
    let total = quantization::coded_coefficients(&layout, quantization);
    if coefficients.len() != total {
        return Err(bad(
            WSQ_TRUNCATED,
            format!(
                "the image data ends after {} of its {total} coefficients",
                coefficients.len()
            ),
        ));
    }

    let mut plane = quantization::dequantize(&layout, quantization, &coefficients, width, height);
    drop(coefficients);
    wavelet::reconstruct(&mut plane, width, &layout, &wavelet::Filters::new(transform));
    let pixels = to_grey_levels(&plane, frame.shift, frame.scale);
    let image = image::GrayImage::from_raw(u32::from(frame.width), u32::from(frame.height), pixels)
        .expect("one grey level per pixel of the frame");
    Ok(WsqImage { image, ppi: tables.ppi })
}

/// The specification's last step: value × R + M, rounded to the nearest grey level (halves
/// up) and clamped to 0…255.
fn to_grey_levels(plane: &[f32], shift: f64, scale: f64) -> Vec<u8> {
    let (shift, scale) = (shift as f32, scale as f32);
    let mut pixels = vec![0u8; plane.len()];
    // A `while` loop: fast in unoptimised builds too (see `wavelet`).
    let mut i = 0;
    while i < plane.len() {
        pixels[i] = (plane[i] * scale + shift + 0.5).floor().clamp(0.0, 255.0) as u8;
        i += 1;
    }
    pixels
}

/// Decode the WSQ image of an ISO/IEC 19794-4 representation and check that it has the size
/// the record states. A record image in another format is [`WSQ_UNSUPPORTED`]; a size that
/// disagrees is [`WSQ_INVALID`].
pub fn decode_record_image(image: &Image) -> Result<WsqImage, DeviceError> {
    if image.format != ImageFormat::Wsq {
        return Err(bad(
            WSQ_UNSUPPORTED,
            format!("the record's image is {:?}, not WSQ", image.format),
        ));
    }
    let decoded = decode(&image.data)?;
    let size = (decoded.image.width(), decoded.image.height());
    if size != (u32::from(image.width), u32::from(image.height)) {
        return Err(bad(
            WSQ_INVALID,
            format!(
                "the record says the image is {}×{} pixels, but the WSQ data is {}×{}",
                image.width, image.height, size.0, size.1
            ),
        ));
    }
    Ok(decoded)
}
