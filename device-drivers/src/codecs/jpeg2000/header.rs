//! Reads what a JPEG 2000 image is before anything is decoded: the container kind (JP2 file or
//! raw codestream), the image size and the components from the codestream's SIZ marker segment
//! (ITU-T T.800 A.5.1), cross-checked against the JP2 image header box (T.800 I.5.3.1).
//!
//! Why it exists: the station refuses images that are too large or of a kind it does not handle
//! from a few header bytes, before a decoder allocates anything for them.
//!
//! Deliberately absent: every other marker and box (the decoder reads those), and any
//! allocation sized by a header field: only fixed-size reads of bytes already in hand.

use crate::DeviceError;

/// The JPEG 2000 signature box that starts a JP2 file.
const JP2_SIGNATURE_BOX: &[u8] = b"\x00\x00\x00\x0cjP  \r\n\x87\n";
/// SOC then SIZ: how every codestream starts.
const CODESTREAM_START: &[u8] = b"\xff\x4f\xff\x51";

/// How the JPEG 2000 bytes are packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A JP2 file (T.800 Annex I): boxes around the codestream.
    Jp2,
    /// A bare codestream (T.800 Annex A), as in a `.j2k` file.
    Codestream,
}

/// One component as SIZ states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// Bits per sample, 1..=38.
    pub bit_depth: u8,
    pub signed: bool,
    /// Horizontal and vertical subsampling of this component.
    pub subsampling: (u8, u8),
}

/// What the header says about an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub container: Container,
    pub width: u32,
    pub height: u32,
    pub components: Vec<Component>,
}

pub(crate) fn invalid(message: impl Into<String>) -> DeviceError {
    DeviceError::Jpeg2000Invalid(message.into())
}

pub(crate) fn be_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let end = at.checked_add(2)?;
    let b = bytes.get(at..end)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

pub(crate) fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    let b = bytes.get(at..end)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let end = at.checked_add(8)?;
    let b = bytes.get(at..end)?;
    let mut array = [0u8; 8];
    array.copy_from_slice(b);
    Some(u64::from_be_bytes(array))
}

/// Read the header of a JP2 file or a raw codestream.
pub fn read(bytes: &[u8]) -> Result<Header, DeviceError> {
    if bytes.starts_with(JP2_SIGNATURE_BOX) {
        read_jp2(bytes)
    } else if bytes.starts_with(CODESTREAM_START) {
        let (width, height, components) = read_siz(bytes)?;
        Ok(Header {
            container: Container::Codestream,
            width,
            height,
            components,
        })
    } else {
        Err(invalid(
            "the data starts neither with the JP2 signature box nor with a codestream's SOC and SIZ markers",
        ))
    }
}

/// Walk the top-level boxes of a JP2 file up to the codestream box.
fn read_jp2(bytes: &[u8]) -> Result<Header, DeviceError> {
    let mut offset = 0usize;
    let mut image_header: Option<(u32, u32, u16)> = None;
    while offset < bytes.len() {
        let length = be_u32(bytes, offset).ok_or_else(|| invalid("a JP2 box header is cut off"))?;
        let box_type = bytes
            .get(offset + 4..offset + 8)
            .ok_or_else(|| invalid("a JP2 box header is cut off"))?;
        // Box length (T.800 I.4): 0 = to the end of the file, 1 = a 64-bit length follows.
        let (header_length, box_length) = match length {
            0 => (8usize, bytes.len() - offset),
            1 => {
                let extended = be_u64(bytes, offset + 8).ok_or_else(|| invalid("a JP2 box header is cut off"))?;
                let extended = usize::try_from(extended).map_err(|_| invalid("a JP2 box is longer than the file"))?;
                (16usize, extended)
            }
            _ => (8usize, length as usize),
        };
        if box_length < header_length {
            return Err(invalid(format!(
                "the JP2 box {} says it is {box_length} bytes long, shorter than its own header",
                printable(box_type)
            )));
        }
        let end = offset.checked_add(box_length).filter(|end| *end <= bytes.len());
        if box_type == b"jp2c" {
            // Only the start of the codestream is needed here, so that the size can be read from
            // the first few hundred bytes; [`check_complete`] looks at its end.
            let contents = bytes.get(offset + header_length..).unwrap_or_default();
            let Some((ihdr_height, ihdr_width, ihdr_components)) = image_header else {
                return Err(invalid("the codestream box comes before the JP2 header box"));
            };
            if !contents.starts_with(CODESTREAM_START) {
                return Err(invalid("the codestream box does not start with SOC and SIZ markers"));
            }
            let (width, height, components) = read_siz(contents)?;
            if (width, height) != (ihdr_width, ihdr_height) || components.len() != usize::from(ihdr_components) {
                return Err(invalid(format!(
                    "the JP2 header says {ihdr_width}x{ihdr_height} with {ihdr_components} components, the codestream {width}x{height} with {}",
                    components.len()
                )));
            }
            return Ok(Header {
                container: Container::Jp2,
                width,
                height,
                components,
            });
        }
        let end = end.ok_or_else(|| {
            invalid(format!(
                "the JP2 box {} is cut off: it says {box_length} bytes, {} remain",
                printable(box_type),
                bytes.len() - offset
            ))
        })?;
        let contents = &bytes[offset + header_length..end];
        if box_type == b"jp2h" {
            image_header = Some(read_image_header_box(contents)?);
        }
        offset = end;
    }
    Err(invalid("the JP2 file holds no codestream box"))
}

/// Check that the image is whole: the codestream (the JP2 codestream box, or all of a raw
/// codestream) runs from SOC through its main header and every tile-part, as their lengths
/// say, to the EOC marker. A cut image is refused here rather than decoded with grey holes.
pub fn check_complete(bytes: &[u8]) -> Result<(), DeviceError> {
    walk_codestream(codestream_of(bytes)?, |_, _| {})
}

/// The codestream itself: a JP2 file's codestream box, or all of a raw codestream.
pub(crate) fn codestream_of(bytes: &[u8]) -> Result<&[u8], DeviceError> {
    if bytes.starts_with(JP2_SIGNATURE_BOX) {
        jp2_codestream(bytes)
    } else {
        Ok(bytes)
    }
}

/// Walk `codestream` from SOC to EOC as the segment lengths say, calling `visit` with the
/// marker and offset of every marker segment of the main header and of each tile-part header
/// (the segment's bytes are not checked to be there: `visit` reads with bounds). Fails as
/// [`check_complete`] does.
pub(crate) fn walk_codestream(codestream: &[u8], mut visit: impl FnMut(u16, usize)) -> Result<(), DeviceError> {
    let cut = || invalid("the codestream is cut off before its end marker (EOC)");
    let mut offset = 2usize; // after SOC
    loop {
        let marker = be_u16(codestream, offset).ok_or_else(cut)?;
        match marker {
            // EOC: the end.
            0xFFD9 => return Ok(()),
            // SOT: a tile-part whose length Psot counts from the SOT marker on; 0 means it runs
            // to the EOC marker that ends the codestream (T.800 A.4.2).
            0xFF90 => {
                let tile_part_length = be_u32(codestream, offset + 6).ok_or_else(cut)?;
                let end = if tile_part_length == 0 {
                    codestream.len()
                } else {
                    offset
                        .checked_add(tile_part_length as usize)
                        .filter(|end| *end <= codestream.len())
                        .ok_or_else(cut)?
                };
                visit_tile_part_header(&codestream[..end], offset + 12, &mut visit);
                if tile_part_length == 0 {
                    return if codestream.ends_with(b"\xff\xd9") {
                        Ok(())
                    } else {
                        Err(cut())
                    };
                }
                offset = end;
            }
            // Any other main-header marker segment: skip by its length.
            0xFF00..=0xFFFF => {
                visit(marker, offset);
                let length = be_u16(codestream, offset + 2).ok_or_else(cut)?;
                offset = offset + 2 + usize::from(length);
            }
            _ => {
                return Err(invalid(format!(
                    "byte {offset} of the codestream should start a marker and holds 0x{marker:04x}"
                )))
            }
        }
    }
}

/// The marker segments of a tile-part header, from after its SOT segment up to SOD (T.800
/// A.4.3), within `tile_part` (the codestream up to the tile-part's end).
fn visit_tile_part_header(tile_part: &[u8], mut offset: usize, visit: &mut impl FnMut(u16, usize)) {
    while let Some(marker) = be_u16(tile_part, offset) {
        if marker == 0xFF93 || marker < 0xFF00 {
            return;
        }
        visit(marker, offset);
        let Some(length) = be_u16(tile_part, offset + 2) else {
            return;
        };
        offset += 2 + usize::from(length);
    }
}

/// The contents of the codestream box of a JP2 file.
fn jp2_codestream(bytes: &[u8]) -> Result<&[u8], DeviceError> {
    let mut offset = 0usize;
    while let Some(length) = be_u32(bytes, offset) {
        let box_type = bytes
            .get(offset + 4..offset + 8)
            .ok_or_else(|| invalid("a JP2 box header is cut off"))?;
        let (header_length, box_length) = match length {
            0 => (8usize, bytes.len() - offset),
            1 => {
                let extended = be_u64(bytes, offset + 8).ok_or_else(|| invalid("a JP2 box header is cut off"))?;
                (
                    16usize,
                    usize::try_from(extended).map_err(|_| invalid("a JP2 box is longer than the file"))?,
                )
            }
            _ => (8usize, length as usize),
        };
        let end = offset
            .checked_add(box_length)
            .filter(|end| *end <= bytes.len() && box_length >= header_length)
            .ok_or_else(|| invalid(format!("the JP2 box {} is cut off", printable(box_type))))?;
        if box_type == b"jp2c" {
            return Ok(&bytes[offset + header_length..end]);
        }
        offset = end;
    }
    Err(invalid("the JP2 file holds no codestream box"))
}

/// The image header box (`ihdr`) inside the JP2 header box: height, width, components.
fn read_image_header_box(jp2h: &[u8]) -> Result<(u32, u32, u16), DeviceError> {
    // The image header box must be the first box of the JP2 header box (T.800 I.5.3).
    let length = be_u32(jp2h, 0).ok_or_else(|| invalid("the JP2 header box is cut off"))?;
    if jp2h.get(4..8) != Some(b"ihdr") || length != 22 {
        return Err(invalid(
            "the JP2 header box does not start with a 22-byte image header box",
        ));
    }
    let height = be_u32(jp2h, 8).ok_or_else(|| invalid("the image header box is cut off"))?;
    let width = be_u32(jp2h, 12).ok_or_else(|| invalid("the image header box is cut off"))?;
    let components = be_u16(jp2h, 16).ok_or_else(|| invalid("the image header box is cut off"))?;
    Ok((height, width, components))
}

/// The SIZ marker segment right after SOC: image area and components.
fn read_siz(codestream: &[u8]) -> Result<(u32, u32, Vec<Component>), DeviceError> {
    let cut = || invalid("the codestream's SIZ marker segment is cut off");
    let length = usize::from(be_u16(codestream, 4).ok_or_else(cut)?);
    let field = |at: usize| be_u32(codestream, 6 + at).ok_or_else(cut);
    let (x_size, y_size, x_offset, y_offset) = (field(2)?, field(6)?, field(10)?, field(14)?);
    let component_count = be_u16(codestream, 6 + 34).ok_or_else(cut)?;
    if component_count == 0 {
        return Err(invalid("the codestream says it has no component"));
    }
    // Lsiz = 38 + 3 * Csiz (T.800 A.5.1).
    if length != 38 + 3 * usize::from(component_count) {
        return Err(invalid(format!(
            "the SIZ marker segment is {length} bytes long, not the {} its {component_count} components need",
            38 + 3 * usize::from(component_count)
        )));
    }
    if x_offset >= x_size || y_offset >= y_size {
        return Err(invalid(format!(
            "the image area is empty: it ends at {x_size}x{y_size} and starts at {x_offset},{y_offset}"
        )));
    }
    // Each component costs 3 bytes that are already known to be there: no allocation from the
    // count before the bytes exist.
    let table = codestream
        .get(42..4 + length)
        .ok_or_else(|| invalid("the codestream's component table is cut off"))?;
    let components = table
        .chunks_exact(3)
        .map(|c| Component {
            bit_depth: (c[0] & 0x7f) + 1,
            signed: c[0] & 0x80 != 0,
            subsampling: (c[1], c[2]),
        })
        .collect();
    Ok((x_size - x_offset, y_size - y_offset, components))
}

fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| if b.is_ascii_graphic() { char::from(*b) } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codestream_head(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\xff\x4f\xff\x51\x00\x29\x00\x00".to_vec();
        for value in [width, height, 0, 0, width, height, 0, 0] {
            bytes.extend_from_slice(&value.to_be_bytes());
        }
        bytes.extend_from_slice(&[0, 1, 7, 1, 1]);
        bytes
    }

    #[test]
    fn a_codestream_header_gives_size_and_components() {
        let header = read(&codestream_head(280, 448)).unwrap();
        assert_eq!(header.container, Container::Codestream);
        assert_eq!((header.width, header.height), (280, 448));
        assert_eq!(
            header.components,
            [Component {
                bit_depth: 8,
                signed: false,
                subsampling: (1, 1)
            }]
        );
    }

    #[test]
    fn a_short_siz_is_refused_not_read_past() {
        let bytes = codestream_head(280, 448);
        for cut in 4..bytes.len() {
            let error = read(&bytes[..cut]).unwrap_err();
            assert_eq!(error.code(), "jpeg2000_invalid", "cut at {cut}");
        }
    }
}
