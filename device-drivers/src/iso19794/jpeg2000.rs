//! The few facts about a JPEG 2000 image that the records need, read from its main header
//! (ISO/IEC 15444-1): its size (SIZ marker) and whether its wavelet transform is the reversible
//! 5-3 one (COD marker), which is what a record's "lossless" means.
//!
//! Why: a 2005 record says only "JPEG 2000", a 2011 record says lossy or lossless; going from
//! 2005 to 2011 (and building a record from a bare image) needs the answer from the image.
//!
//! Deliberately absent: decoding. Every read is bounds-checked; anything unexpected is `None`.

use super::{J2K_CODESTREAM_SIGNATURE, JP2_SIGNATURE};

/// The codestream inside `data`: the data itself for a raw codestream, the `jp2c` box's
/// content for a JP2 file.
pub fn codestream(data: &[u8]) -> Option<&[u8]> {
    if data.starts_with(J2K_CODESTREAM_SIGNATURE) {
        return Some(data);
    }
    if !data.starts_with(JP2_SIGNATURE) {
        return None;
    }
    let mut at = 0usize;
    while at.checked_add(8)? <= data.len() {
        let length = u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?) as u64;
        let kind = data.get(at + 4..at + 8)?;
        let (header, length) = match length {
            0 => (8u64, (data.len() - at) as u64),
            1 => (16u64, u64::from_be_bytes(data.get(at + 8..at + 16)?.try_into().ok()?)),
            n => (8u64, n),
        };
        if length < header {
            return None;
        }
        let end = usize::try_from((at as u64).checked_add(length)?).ok()?;
        if end > data.len() {
            return None;
        }
        if kind == b"jp2c" {
            return data.get(at + header as usize..end);
        }
        at = end;
    }
    None
}

fn be_u16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// Width and height of the image area (Xsiz − XOsiz, Ysiz − YOsiz).
pub fn dimensions(data: &[u8]) -> Option<(u32, u32)> {
    let stream = codestream(data)?;
    if !stream.starts_with(J2K_CODESTREAM_SIGNATURE) {
        return None;
    }
    // SOC, SIZ marker, Lsiz, Rsiz, then Xsiz, Ysiz, XOsiz, YOsiz.
    let x = be_u32(stream, 8)?;
    let y = be_u32(stream, 12)?;
    let x_offset = be_u32(stream, 16)?;
    let y_offset = be_u32(stream, 20)?;
    Some((x.checked_sub(x_offset)?, y.checked_sub(y_offset)?))
}

/// Whether the main header's COD marker names the reversible 5-3 wavelet (`Some(true)`) or the
/// irreversible 9-7 one (`Some(false)`); `None` when no COD marker can be read.
pub fn is_reversible(data: &[u8]) -> Option<bool> {
    let stream = codestream(data)?;
    if !stream.starts_with(J2K_CODESTREAM_SIGNATURE) {
        return None;
    }
    // Marker segments after SOC: a marker, then a length that counts itself but not the marker.
    let mut at = 2usize;
    loop {
        let marker = be_u16(stream, at)?;
        if marker == 0xff90 || marker == 0xff93 {
            // Start of tile or of data: the main header is over without a COD.
            return None;
        }
        let length = usize::from(be_u16(stream, at + 2)?);
        if marker == 0xff52 {
            // COD: Scod (1), SGcod (4), then decomposition levels, code-block width and
            // height, code-block style, and the transformation (0 = 9-7, 1 = 5-3).
            let transformation = *stream.get(at + 4 + 1 + 4 + 4)?;
            return Some(transformation == 1);
        }
        if length < 2 {
            return None;
        }
        at = at.checked_add(2 + length)?;
    }
}
