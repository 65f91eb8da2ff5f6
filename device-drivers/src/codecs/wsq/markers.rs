//! The WSQ byte syntax: markers, marker segments and the tables they carry (IAFIS-IC-0110
//! v3, Part 1, Annex B). Every read is bounds-checked and a short file is a
//! [`WSQ_TRUNCATED`] error; values the specification does not allow are [`WSQ_INVALID`].
//!
//! Why a module of its own: the tables are plain data, and reading them apart from the
//! entropy-coded data keeps [`super::huffman`], [`super::quantization`] and
//! [`super::wavelet`] free of byte handling. Deliberately absent: what the values mean for the
//! pixels (the other modules) and writing any of it (the station does not encode WSQ).

use super::{bad, WSQ_INVALID, WSQ_TRUNCATED, WSQ_UNSUPPORTED};
use crate::DeviceError;

pub(super) const SOI: u16 = 0xFFA0;
pub(super) const EOI: u16 = 0xFFA1;
pub(super) const SOF: u16 = 0xFFA2;
pub(super) const SOB: u16 = 0xFFA3;
pub(super) const DTT: u16 = 0xFFA4;
pub(super) const DQT: u16 = 0xFFA5;
pub(super) const DHT: u16 = 0xFFA6;
pub(super) const DRT: u16 = 0xFFA7;
pub(super) const COM: u16 = 0xFFA8;

/// Whether the byte after 0xFF is one of the restart markers RST0 … RST7.
pub(super) fn is_restart(second_byte: u8) -> bool {
    (0xB0..=0xB7).contains(&second_byte)
}

/// A short human name for a marker, for error messages.
pub(super) fn marker_name(marker: u16) -> String {
    match marker {
        SOI => "SOI".into(),
        EOI => "EOI".into(),
        SOF => "SOF".into(),
        SOB => "SOB".into(),
        DTT => "DTT".into(),
        DQT => "DQT".into(),
        DHT => "DHT".into(),
        DRT => "DRT".into(),
        COM => "COM".into(),
        other => format!("{other:#06x}"),
    }
}

/// Big-endian reads over the file that fail with [`WSQ_TRUNCATED`] instead of panicking.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// The bytes from the current position to the end of the file.
    pub(super) fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at..]
    }

    /// Move forward by `n` bytes that a caller has already looked at through [`Reader::rest`].
    pub(super) fn advance(&mut self, n: usize) {
        debug_assert!(
            n <= self.bytes.len() - self.at,
            "callers advance over bytes they have seen"
        );
        self.at = (self.at + n).min(self.bytes.len());
    }

    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DeviceError> {
        let left = self.bytes.len() - self.at;
        if n > left {
            return Err(bad(
                WSQ_TRUNCATED,
                format!(
                    "the file ends inside {what}: {n} bytes needed at offset {}, {left} left",
                    self.at
                ),
            ));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8, DeviceError> {
        Ok(self.take(1, what)?[0])
    }

    pub(super) fn u16(&mut self, what: &str) -> Result<u16, DeviceError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32, DeviceError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A two-byte marker; it must start with 0xFF.
    pub(super) fn marker(&mut self, what: &str) -> Result<u16, DeviceError> {
        let at = self.at;
        let marker = self.u16(what)?;
        if marker >> 8 != 0xFF {
            return Err(bad(
                WSQ_INVALID,
                format!("expected {what} at offset {at}, found bytes {marker:#06x} that are not a marker"),
            ));
        }
        Ok(marker)
    }

    /// A marker segment's body: its two-byte length (which counts itself) and the bytes it
    /// announces, without the length.
    pub(super) fn segment(&mut self, marker: u16) -> Result<&'a [u8], DeviceError> {
        let name = marker_name(marker);
        let length = usize::from(self.u16(&format!("the length of the {name} segment"))?);
        if length < 2 {
            return Err(bad(
                WSQ_INVALID,
                format!("the {name} segment claims {length} bytes, less than its own length field"),
            ));
        }
        self.take(length - 2, &format!("the {name} segment"))
    }
}

/// A number written as a scale exponent byte and an unsigned value: value / 10^exponent.
fn scaled(value: u32, exponent: u8) -> f64 {
    f64::from(value) / 10f64.powi(i32::from(exponent))
}

/// The frame header (SOF): image size and the shift and scale that map the reconstructed
/// values back to grey levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct FrameHeader {
    pub width: u16,
    pub height: u16,
    /// M: added after scaling.
    pub shift: f64,
    /// R: the reconstructed values are multiplied by it.
    pub scale: f64,
    /// The encoder number (1 for the FBI's encoder parameters).
    pub encoder: u8,
}

pub(super) fn frame_header(body: &[u8]) -> Result<FrameHeader, DeviceError> {
    let mut r = Reader::new(body);
    let _black = r.u8("the frame header's black level")?;
    let _white = r.u8("the frame header's white level")?;
    let height = r.u16("the image height")?;
    let width = r.u16("the image width")?;
    let shift_exponent = r.u8("the shift's scale")?;
    let shift = scaled(u32::from(r.u16("the shift")?), shift_exponent);
    let scale_exponent = r.u8("the scale's scale")?;
    let scale = scaled(u32::from(r.u16("the scale")?), scale_exponent);
    let encoder = r.u8("the encoder number")?;
    let _software = r.u16("the software implementation number")?;
    exactly_read(&r, "SOF")?;
    if width == 0 || height == 0 {
        return Err(bad(
            WSQ_INVALID,
            format!("the frame header gives an empty image ({width}×{height} pixels)"),
        ));
    }
    Ok(FrameHeader {
        width,
        height,
        shift,
        scale,
        encoder,
    })
}

/// The transform table (DTT): the analysis filters, each given by the half of its taps from
/// the centre outwards (the filters are symmetric).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TransformTable {
    /// Number of taps of the lowpass analysis filter.
    pub lowpass_len: u8,
    /// Number of taps of the highpass analysis filter.
    pub highpass_len: u8,
    /// Lowpass taps h0(0), h0(1), … (centre first).
    pub lowpass_half: Vec<f64>,
    /// Highpass taps h1(0), h1(1), … (centre first).
    pub highpass_half: Vec<f64>,
}

pub(super) fn transform_table(body: &[u8]) -> Result<TransformTable, DeviceError> {
    let mut r = Reader::new(body);
    let lowpass_len = r.u8("the lowpass filter length")?;
    let highpass_len = r.u8("the highpass filter length")?;
    if lowpass_len % 2 == 0 || highpass_len % 2 == 0 {
        // Even-length filters need half-sample symmetric extension, which no encoder in the
        // field uses (the FBI's parameters are the odd 9/7 pair); refuse them clearly.
        return Err(bad(
            WSQ_UNSUPPORTED,
            format!(
                "the transform uses filters of {lowpass_len} and {highpass_len} taps; only odd-length filters are supported"
            ),
        ));
    }
    let mut read_half = |taps: u8, what: &str| -> Result<Vec<f64>, DeviceError> {
        let count = usize::from(taps).div_ceil(2);
        let mut half = Vec::with_capacity(count);
        for _ in 0..count {
            let negative = match r.u8(&format!("a {what} coefficient's sign"))? {
                0 => false,
                1 => true,
                other => {
                    return Err(bad(
                        WSQ_INVALID,
                        format!("a {what} filter coefficient has sign byte {other}; only 0 and 1 are allowed"),
                    ))
                }
            };
            let exponent = r.u8(&format!("a {what} coefficient's scale"))?;
            let value = scaled(r.u32(&format!("a {what} coefficient"))?, exponent);
            half.push(if negative { -value } else { value });
        }
        Ok(half)
    };
    let lowpass_half = read_half(lowpass_len, "lowpass")?;
    let highpass_half = read_half(highpass_len, "highpass")?;
    exactly_read(&r, "DTT")?;
    Ok(TransformTable {
        lowpass_len,
        highpass_len,
        lowpass_half,
        highpass_half,
    })
}

/// The quantization table (DQT): the bin centre and, per subband, the step size Q and the
/// zero-bin width Z. A step of 0 means that the subband was not coded.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct QuantizationTable {
    pub bin_center: f64,
    pub step: [f64; 64],
    pub zero_bin: [f64; 64],
}

pub(super) fn quantization_table(body: &[u8]) -> Result<QuantizationTable, DeviceError> {
    let mut r = Reader::new(body);
    let exponent = r.u8("the bin centre's scale")?;
    let bin_center = scaled(u32::from(r.u16("the bin centre")?), exponent);
    let mut step = [0.0; 64];
    let mut zero_bin = [0.0; 64];
    for subband in 0..64 {
        let exponent = r.u8(&format!("subband {subband}'s step scale"))?;
        step[subband] = scaled(u32::from(r.u16(&format!("subband {subband}'s step"))?), exponent);
        let exponent = r.u8(&format!("subband {subband}'s zero-bin scale"))?;
        zero_bin[subband] = scaled(u32::from(r.u16(&format!("subband {subband}'s zero bin"))?), exponent);
    }
    exactly_read(&r, "DQT")?;
    Ok(QuantizationTable {
        bin_center,
        step,
        zero_bin,
    })
}

/// One Huffman table as a DHT segment defines it: how many codes of each length 1…16, and
/// the symbols in code order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HuffmanTableSpec {
    pub id: u8,
    pub counts: [u8; 16],
    pub symbols: Vec<u8>,
}

/// The largest table id; the specification allows eight tables.
pub(super) const MAX_HUFFMAN_TABLE_ID: u8 = 7;

/// A DHT segment holds one or more tables, one after another.
pub(super) fn huffman_tables(body: &[u8]) -> Result<Vec<HuffmanTableSpec>, DeviceError> {
    let mut r = Reader::new(body);
    let mut tables = Vec::new();
    while !r.rest().is_empty() {
        let id = r.u8("a Huffman table id")?;
        if id > MAX_HUFFMAN_TABLE_ID {
            return Err(bad(
                WSQ_INVALID,
                format!("Huffman table id {id} is out of range 0..={MAX_HUFFMAN_TABLE_ID}"),
            ));
        }
        let mut counts = [0u8; 16];
        counts.copy_from_slice(r.take(16, "the Huffman code counts")?);
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total == 0 || total > 256 {
            return Err(bad(
                WSQ_INVALID,
                format!("Huffman table {id} defines {total} codes; a table has 1 to 256"),
            ));
        }
        let symbols = r.take(total, "the Huffman symbols")?.to_vec();
        tables.push(HuffmanTableSpec { id, counts, symbols });
    }
    if tables.is_empty() {
        return Err(bad(WSQ_INVALID, "a DHT segment defines no table"));
    }
    Ok(tables)
}

/// The restart interval (DRT). It tells the encoder's spacing of restart markers; the decoder
/// recognises the markers themselves, so the value is only checked for its length.
pub(super) fn restart_interval(body: &[u8]) -> Result<u16, DeviceError> {
    let mut r = Reader::new(body);
    let interval = r.u16("the restart interval")?;
    exactly_read(&r, "DRT")?;
    Ok(interval)
}

/// The block header (SOB): which Huffman table codes the block.
pub(super) fn block_header(body: &[u8]) -> Result<u8, DeviceError> {
    let mut r = Reader::new(body);
    let table = r.u8("the block's Huffman table id")?;
    exactly_read(&r, "SOB")?;
    if table > MAX_HUFFMAN_TABLE_ID {
        return Err(bad(
            WSQ_INVALID,
            format!("a block uses Huffman table {table}, out of range 0..={MAX_HUFFMAN_TABLE_ID}"),
        ));
    }
    Ok(table)
}

/// The resolution from a NISTCOM comment (`NIST_COM` on the first line, then `NAME VALUE`
/// lines, one of them `PPI 500`). `None` for other comments, or when PPI is absent or not a
/// positive number (NIST writes -1 for unknown).
pub(super) fn nistcom_ppi(comment: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(comment).ok()?;
    let mut lines = text.lines();
    if !lines.next()?.starts_with("NIST_COM") {
        return None;
    }
    lines
        .filter_map(|line| line.trim().split_once(char::is_whitespace))
        .find(|(name, _)| *name == "PPI")
        .and_then(|(_, value)| value.trim().parse::<u16>().ok())
        .filter(|ppi| *ppi > 0)
}

fn exactly_read(r: &Reader<'_>, segment: &str) -> Result<(), DeviceError> {
    if r.rest().is_empty() {
        Ok(())
    } else {
        Err(bad(
            WSQ_INVALID,
            format!(
                "the {segment} segment is {} bytes longer than its contents",
                r.rest().len()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nistcom_gives_the_ppi_and_other_comments_give_none() {
        assert_eq!(nistcom_ppi(b"NIST_COM 9\nPIX_WIDTH 357\nPPI 500\nLOSSY 1\n"), Some(500));
        assert_eq!(nistcom_ppi(b"NIST_COM 2\nPPI -1\n"), None);
        assert_eq!(nistcom_ppi(b"Mosip.io"), None);
        assert_eq!(nistcom_ppi(b"PPI 500\n"), None, "not a NISTCOM without its first line");
    }

    #[test]
    fn segment_lengths_shorter_than_the_length_field_are_refused() {
        let mut r = Reader::new(&[0x00, 0x01, 0xAA]);
        assert_eq!(r.segment(DHT).unwrap_err().code(), WSQ_INVALID);
        let mut r = Reader::new(&[0x00, 0x09, 0xAA]);
        assert_eq!(r.segment(DHT).unwrap_err().code(), WSQ_TRUNCATED);
    }

    #[test]
    fn scaled_numbers_divide_by_powers_of_ten() {
        assert_eq!(scaled(44, 2), 0.44);
        assert_eq!(scaled(7, 0), 7.0);
    }
}
