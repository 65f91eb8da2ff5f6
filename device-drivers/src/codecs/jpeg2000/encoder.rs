//! The station's JPEG 2000 lossless encoder for 8-bit greyscale images, written from ITU-T
//! T.800 for one profile: the one the MOSIP registration fixtures use.
//!
//! Why it exists: no well-kept pure-Rust crate encodes JPEG 2000 (the decoder we use,
//! `hayro-jpeg2000`, only decodes; `openjp2` needs unsafe code or temporary files to work on
//! bytes in memory). The profile is small enough to write and check against that independent
//! decoder.
//!
//! What it writes: a JP2 file (signature, file type `jp2 `, JP2 header with image header and
//! greyscale colour specification, then the codestream box), whose codestream has one tile, one
//! 8-bit unsigned component, the reversible 5/3 wavelet with 5 decomposition levels (fewer for
//! images under 32 pixels on a side), 64x64 code-blocks, RPCL progression, no quantization
//! (2 guard bits), one quality layer, one precinct per resolution.
//!
//! Deliberately absent: colour, other bit depths, lossy coding, several layers or tiles, and
//! the capture resolution box (the ISO/IEC 19794 record carries the resolution).

use super::block_coder;
use super::packets::{self, SubbandBlocks};
use super::wavelet;
use super::Band;

/// Decomposition levels of the MOSIP registration fixtures.
pub const LEVELS: u8 = 5;
/// Code-block side (2^6) of the MOSIP registration fixtures.
const CODE_BLOCK_SIDE: usize = 64;
/// Guard bits of the fixtures' QCD marker segment: enough for every real image.
const GUARD_BITS: u8 = 2;
/// The most guard bits QCD can state (3 bits).
const MAX_GUARD_BITS: u8 = 7;
/// Bits per sample.
const BIT_DEPTH: u8 = 8;
/// Progression order RPCL (T.800 Table A.16), as in the MOSIP finger fixtures. With one
/// layer, one component and one precinct per resolution every order yields the same packets.
const PROGRESSION_RPCL: u8 = 2;
/// The largest side one precinct covers with the default precinct size (2^15).
pub const MAX_SIDE: u32 = 1 << 15;

/// Encode `pixels` (row-major, `width` x `height`, both in 1..=[`MAX_SIDE`]) as a JP2 file.
pub(crate) fn encode(pixels: &[u8], width: usize, height: usize) -> Vec<u8> {
    let levels = levels_for(width, height);
    let mut plane: Vec<i32> = pixels.iter().map(|p| i32::from(*p) - (1 << (BIT_DEPTH - 1))).collect();
    wavelet::forward(&mut plane, width, height, levels);

    let mut resolutions: Vec<Vec<SubbandBlocks>> = wavelet::subbands(width, height, levels)
        .iter()
        .map(|resolution| {
            resolution
                .iter()
                .map(|(band, region)| code_subband(&plane, width, *band, *region))
                .collect()
        })
        .collect();
    let guard_bits = guard_bits_for(resolutions.iter().flatten());
    for subband in resolutions.iter_mut().flatten() {
        subband.max_bit_planes = guard_bits + subband.exponent - 1;
    }
    let tile_data: Vec<u8> = resolutions
        .iter()
        .flat_map(|subbands| packets::packet(subbands))
        .collect();
    let codestream = codestream(width as u32, height as u32, levels, guard_bits, &tile_data);
    jp2_file(width as u32, height as u32, &codestream)
}

/// Five levels, or as many as keep every resolution at least one pixel wide and high with
/// room for a high-pass band.
fn levels_for(width: usize, height: usize) -> u8 {
    let smallest = width.min(height);
    let mut levels = 0;
    while levels < LEVELS && smallest >> (levels + 1) > 0 {
        levels += 1;
    }
    levels
}

/// Guard bits such that every code-block's bit-planes fit in Mb = guard bits + exponent - 1
/// (T.800 E.1). For 8-bit samples the fixtures' 2 always suffice: the 5/3 filters amplify a
/// worst-case pattern at most about 2.9 times in LL after 5 levels (373 < 2^9) and 11.5 times in
/// HH (1473 < 2^11). Computing them from the coded blocks keeps that a checked fact: should it
/// ever fail, the image gets more guard bits and stays lossless instead of being cut.
fn guard_bits_for<'a>(subbands: impl Iterator<Item = &'a SubbandBlocks>) -> u8 {
    let needed = subbands
        .flat_map(|subband| {
            subband
                .blocks
                .iter()
                .map(move |block| (block.bit_planes + 1).saturating_sub(subband.exponent))
        })
        .max()
        .unwrap_or(0);
    // 8-bit samples after 5 levels stay below 2^15, so 7 guard bits always suffice.
    needed.clamp(GUARD_BITS, MAX_GUARD_BITS)
}

/// log2 of a subband's gain for the exponent (T.800 E.1.1.1): LL 0, HL and LH 1, HH 2.
fn gain_bits(band: Band) -> u8 {
    match band {
        Band::Ll => 0,
        Band::Hl | Band::Lh => 1,
        Band::Hh => 2,
    }
}

fn code_subband(plane: &[i32], stride: usize, band: Band, region: wavelet::Region) -> SubbandBlocks {
    let columns = region.width.div_ceil(CODE_BLOCK_SIDE);
    let rows = region.height.div_ceil(CODE_BLOCK_SIDE);
    let mut blocks = Vec::with_capacity(columns * rows);
    let mut coefficients = Vec::with_capacity(CODE_BLOCK_SIDE * CODE_BLOCK_SIDE);
    for row in 0..rows {
        for column in 0..columns {
            let x0 = column * CODE_BLOCK_SIDE;
            let y0 = row * CODE_BLOCK_SIDE;
            let w = CODE_BLOCK_SIDE.min(region.width - x0);
            let h = CODE_BLOCK_SIDE.min(region.height - y0);
            coefficients.clear();
            for y in 0..h {
                let start = (region.y + y0 + y) * stride + region.x + x0;
                coefficients.extend_from_slice(&plane[start..start + w]);
            }
            blocks.push(block_coder::encode(&coefficients, w, h, band));
        }
    }
    // The exponent of a reversible subband is the bit depth plus its gain (T.800 E.1.1.1);
    // `max_bit_planes` is set once the guard bits are known.
    SubbandBlocks {
        columns,
        rows,
        blocks,
        exponent: BIT_DEPTH + gain_bits(band),
        max_bit_planes: 0,
    }
}

fn marker_segment(out: &mut Vec<u8>, marker: u8, body: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(body);
}

fn codestream(width: u32, height: u32, levels: u8, guard_bits: u8, tile_data: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, 0x4F]; // SOC
                                    // SIZ (T.800 A.5.1): no capabilities, image and single tile at the origin, one component.
    let mut siz = vec![0, 0];
    for value in [width, height, 0, 0, width, height, 0, 0] {
        siz.extend_from_slice(&value.to_be_bytes());
    }
    siz.extend_from_slice(&1u16.to_be_bytes());
    siz.extend_from_slice(&[BIT_DEPTH - 1, 1, 1]);
    marker_segment(&mut out, 0x51, &siz);
    // COD (A.6.1): default precincts, no SOP/EPH; RPCL, one layer, no colour transform;
    // levels, code-block 2^(4+2) square, style 0, 5/3 reversible transform.
    let code_block_exponent = (CODE_BLOCK_SIDE.trailing_zeros() - 2) as u8;
    marker_segment(
        &mut out,
        0x52,
        &[
            0,
            PROGRESSION_RPCL,
            0,
            1,
            0,
            levels,
            code_block_exponent,
            code_block_exponent,
            0,
            1,
        ],
    );
    // QCD (A.6.4): no quantization, guard bits; one exponent per subband, LL first and then
    // HL, LH, HH from the coarsest level.
    let mut qcd = vec![guard_bits << 5, BIT_DEPTH << 3];
    for _ in 0..levels {
        for band in [Band::Hl, Band::Lh, Band::Hh] {
            qcd.push((BIT_DEPTH + gain_bits(band)) << 3);
        }
    }
    marker_segment(&mut out, 0x5C, &qcd);
    // One tile-part: SOT (A.4.2) with its whole length, SOD, the packets.
    let tile_part_length = 12 + 2 + tile_data.len();
    let mut sot = vec![0, 0];
    sot.extend_from_slice(&(tile_part_length as u32).to_be_bytes());
    sot.extend_from_slice(&[0, 1]);
    marker_segment(&mut out, 0x90, &sot);
    out.extend_from_slice(&[0xFF, 0x93]);
    out.extend_from_slice(tile_data);
    out.extend_from_slice(&[0xFF, 0xD9]); // EOC
    out
}

fn jp2_box(out: &mut Vec<u8>, box_type: &[u8; 4], contents: &[u8]) {
    out.extend_from_slice(&((contents.len() + 8) as u32).to_be_bytes());
    out.extend_from_slice(box_type);
    out.extend_from_slice(contents);
}

fn jp2_file(width: u32, height: u32, codestream: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(codestream.len() + 80);
    jp2_box(&mut out, b"jP  ", b"\r\n\x87\n");
    // File type (T.800 I.5.2): brand `jp2 `, minor version 0, compatible with `jp2 `.
    jp2_box(&mut out, b"ftyp", b"jp2 \0\0\0\0jp2 ");
    let mut image_header = Vec::new();
    image_header.extend_from_slice(&height.to_be_bytes());
    image_header.extend_from_slice(&width.to_be_bytes());
    // One component, 8 bits unsigned, compression type 7 (JPEG 2000), colour space known, no
    // intellectual property box.
    image_header.extend_from_slice(&[0, 1, BIT_DEPTH - 1, 7, 0, 0]);
    let mut header_box = Vec::new();
    jp2_box(&mut header_box, b"ihdr", &image_header);
    // Colour specification: enumerated colour space 17, greyscale.
    jp2_box(&mut header_box, b"colr", &[1, 0, 0, 0, 0, 0, 17]);
    jp2_box(&mut out, b"jp2h", &header_box);
    jp2_box(&mut out, b"jp2c", codestream);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks_with_planes(exponent: u8, bit_planes: u8) -> SubbandBlocks {
        let block = block_coder::CodedBlock {
            bit_planes,
            passes: 1,
            data: Vec::new(),
        };
        SubbandBlocks {
            columns: 1,
            rows: 1,
            blocks: vec![block],
            exponent,
            max_bit_planes: 0,
        }
    }

    #[test]
    fn guard_bits_grow_only_when_a_block_needs_them() {
        let usual = [blocks_with_planes(8, 9), blocks_with_planes(10, 11)];
        assert_eq!(guard_bits_for(usual.iter()), 2);
        let amplified = [blocks_with_planes(8, 9), blocks_with_planes(8, 12)];
        assert_eq!(guard_bits_for(amplified.iter()), 5, "12 planes = 5 + 8 - 1");
    }

    #[test]
    fn a_full_scale_pattern_stays_lossless() {
        // Alternating full-scale pixels in shifted stripes: large high-pass coefficients in
        // every band.
        let (width, height) = (96usize, 80usize);
        let pixels: Vec<u8> = (0..width * height)
            .map(|i| if (i % width + i / width / 3) % 2 == 0 { 0 } else { 255 })
            .collect();
        let encoded = encode(&pixels, width, height);
        let image = image::GrayImage::from_raw(width as u32, height as u32, pixels).unwrap();
        assert!(super::super::decode(&encoded).unwrap() == image);
    }

    #[test]
    fn small_images_get_fewer_levels() {
        assert_eq!(levels_for(350, 427), 5);
        assert_eq!(levels_for(40, 32), 5);
        assert_eq!(levels_for(31, 100), 4);
        assert_eq!(levels_for(1, 1), 0);
    }
}
