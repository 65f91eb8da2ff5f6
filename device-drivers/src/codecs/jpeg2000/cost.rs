//! Bounds the work a codestream asks of the decoder, from its headers, before decoding.
//!
//! Why: hayro-jpeg2000 0.5 builds each precinct's two tag trees (T.800 B.10.2) by recursing
//! into all four children of every node down to the leaves, whether a child exists or not. A
//! grid of code-blocks `n` across and one down so costs about `next_power_of_two(n)²` steps, not
//! `n`. Fuzzing found a 188-byte codestream (655 368 x 8 pixels, 40 tiles, code-blocks 4 pixels
//! wide) that kept the decoder busy for minutes, well under [`super::MAX_PIXELS`]. Images from
//! real devices (MOSIP's registration profile: one tile, 64 x 64 code-blocks) cost a few
//! thousand steps; the limit is thousands of times that.
//!
//! The estimate is an upper bound: it takes the smallest code-block any COD or COC segment
//! states (main header and tile-part headers) for every tile and component, and ignores
//! precinct partitions, which only make trees smaller.
//!
//! Deliberately absent: the rest of the decoder's cost, which grows with the pixels (bounded
//! by [`super::MAX_PIXELS`]) and with the bytes.

use super::header::{be_u16, be_u32, invalid, walk_codestream};
use crate::DeviceError;

/// The most tag-tree steps a codestream may cost: about a tenth of a second of the decoder's
/// time. A 5000 x 5000 single-tile image with 64 x 64 code-blocks costs 128² per tree.
pub const MAX_TAG_TREE_STEPS: u64 = 1 << 24;

/// COD and COC marker codes (T.800 A.6.1, A.6.2).
const COD: u16 = 0xFF52;
const COC: u16 = 0xFF53;

/// Refuse `codestream` (raw, without a JP2 box around it) when decoding would cost more than
/// [`MAX_TAG_TREE_STEPS`], with `jpeg2000_unsupported` and the numbers.
pub fn check_decoding_cost(codestream: &[u8]) -> Result<(), DeviceError> {
    let tiling = Tiling::read(codestream)?;
    let (block_width, block_height) = smallest_code_blocks(codestream)?;
    let steps = tiling.tag_tree_steps(block_width, block_height);
    if steps > u128::from(MAX_TAG_TREE_STEPS) {
        return Err(DeviceError::Jpeg2000Unsupported(format!(
            "{} tiles of code-blocks {block_width}x{block_height} would cost the decoder {steps} steps; \
             the station decodes images up to {MAX_TAG_TREE_STEPS}",
            tiling.tile_count()
        )));
    }
    Ok(())
}

/// The image area and its tiles, as SIZ states them (T.800 A.5.1, B.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tiling {
    x: Axis,
    y: Axis,
}

/// One direction of the tiling: the image runs from `image_start` to `image_end`, tiles of
/// `tile_size` start at `tile_start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Axis {
    image_start: u32,
    image_end: u32,
    tile_start: u32,
    tile_size: u32,
}

impl Tiling {
    fn read(codestream: &[u8]) -> Result<Tiling, DeviceError> {
        let cut = || invalid("the codestream's SIZ marker segment is cut off");
        let field = |at: usize| be_u32(codestream, at).ok_or_else(cut);
        let axis = |image_end: usize, image_start: usize, tile_size: usize, tile_start: usize| {
            let axis = Axis {
                image_end: field(image_end)?,
                image_start: field(image_start)?,
                tile_size: field(tile_size)?,
                tile_start: field(tile_start)?,
            };
            // T.800 B.3: the first tile starts at or before the image and reaches into it.
            let first_tile_end = u64::from(axis.tile_start) + u64::from(axis.tile_size);
            if axis.tile_size == 0
                || axis.tile_start > axis.image_start
                || first_tile_end <= u64::from(axis.image_start)
                || axis.image_start >= axis.image_end
            {
                return Err(invalid(format!("SIZ states an impossible tiling: {axis:?}")));
            }
            Ok(axis)
        };
        // After SOC (2), SIZ's marker and length (4) and Rsiz (2): Xsiz, Ysiz, XOsiz, YOsiz,
        // XTsiz, YTsiz, XTOsiz, YTOsiz.
        Ok(Tiling {
            x: axis(8, 16, 24, 32)?,
            y: axis(12, 20, 28, 36)?,
        })
    }

    fn tile_count(self) -> u128 {
        self.x.tile_extents().iter().map(|(_, n)| u128::from(*n)).sum::<u128>()
            * self.y.tile_extents().iter().map(|(_, n)| u128::from(*n)).sum::<u128>()
    }

    /// Steps of the tag trees of every tile at full resolution (lower resolutions have a
    /// quarter as many code-blocks each; the bound's constant covers them).
    fn tag_tree_steps(self, block_width: u32, block_height: u32) -> u128 {
        let mut steps = 0u128;
        for (width, columns) in self.x.tile_extents() {
            for (height, rows) in self.y.tile_extents() {
                let across = width.div_ceil(block_width).next_power_of_two();
                let down = height.div_ceil(block_height).next_power_of_two();
                let side = u128::from(across.max(down));
                steps += u128::from(columns) * u128::from(rows) * side * side;
            }
        }
        steps
    }
}

impl Axis {
    /// The tiles' extents in this direction, as (extent, how many tiles have it): at most three
    /// kinds (the first, those inside, the last), so that a million tiles cost nothing to count.
    fn tile_extents(self) -> Vec<(u32, u64)> {
        let (start, end, size) = (
            u64::from(self.image_start),
            u64::from(self.image_end),
            u64::from(self.tile_size),
        );
        let origin = u64::from(self.tile_start);
        let count = (end - origin).div_ceil(size);
        let extent = |index: u64| {
            let from = (origin + index * size).max(start);
            let to = (origin + (index + 1) * size).min(end);
            // Within u32: both ends are within the image's u32 coordinates.
            (to - from) as u32
        };
        let mut extents = vec![(extent(0), 1)];
        if count > 2 {
            extents.push((extent(1), count - 2));
        }
        if count > 1 {
            extents.push((extent(count - 1), 1));
        }
        extents
    }
}

/// The smallest code-block width and height any COD or COC segment states (T.800 A.6.1:
/// 2^(value + 2) pixels, the value at most 8). 4 x 4, the smallest there is, when none can be
/// read: the decoder will refuse such a codestream, and the bound stays an upper bound.
fn smallest_code_blocks(codestream: &[u8]) -> Result<(u32, u32), DeviceError> {
    let component_index_bytes = match be_u16(codestream, 40) {
        Some(count) if count >= 257 => 2,
        _ => 1,
    };
    let mut smallest: Option<(u8, u8)> = None;
    walk_codestream(codestream, |marker, at| {
        // Where SPcod / SPcoc's code-block width exponent is: after the marker, the length
        // and Scod + SGcod (5 bytes) or Ccoc + Scoc, then the decomposition levels.
        let exponents_at = match marker {
            COD => at + 4 + 5 + 1,
            COC => at + 4 + component_index_bytes + 1 + 1,
            _ => return,
        };
        let exponents = (
            codestream.get(exponents_at).copied(),
            codestream.get(exponents_at + 1).copied(),
        );
        let (width, height) = match exponents {
            (Some(width), Some(height)) => (width.min(8), height.min(8)),
            _ => (0, 0),
        };
        smallest = Some(match smallest {
            Some((w, h)) => (w.min(width), h.min(height)),
            None => (width, height),
        });
    })?;
    let (width, height) = smallest.unwrap_or((0, 0));
    Ok((1 << (width + 2), 1 << (height + 2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOC, SIZ (one 8-bit component), COD with the given code-block exponents, one empty
    /// tile-part, EOC.
    fn codestream(size: (u32, u32), tile: (u32, u32), block_exponents: (u8, u8)) -> Vec<u8> {
        let mut bytes = b"\xff\x4f\xff\x51\x00\x29\x00\x00".to_vec();
        for value in [size.0, size.1, 0, 0, tile.0, tile.1, 0, 0] {
            bytes.extend_from_slice(&value.to_be_bytes());
        }
        bytes.extend_from_slice(&[0, 1, 7, 1, 1]);
        bytes.extend_from_slice(&[0xff, 0x52, 0, 12, 0, 0, 0, 1, 0, 5]);
        bytes.extend_from_slice(&[block_exponents.0, block_exponents.1, 0, 1]);
        bytes.extend_from_slice(&[0xff, 0x90, 0, 10, 0, 0, 0, 0, 0, 14, 0, 1, 0xff, 0x93]);
        bytes.extend_from_slice(b"\xff\xd9");
        bytes
    }

    #[test]
    fn device_images_cost_far_below_the_limit() {
        // A MOSIP slap and the largest image the station decodes, 64 x 64 code-blocks.
        for size in [(1600, 1500), (5000, 5000)] {
            let bytes = codestream(size, size, (4, 4));
            check_decoding_cost(&bytes).unwrap();
            let steps = Tiling::read(&bytes).unwrap().tag_tree_steps(64, 64);
            assert!(steps * 1000 < u128::from(MAX_TAG_TREE_STEPS), "{size:?}: {steps}");
        }
        // Many small tiles cost little too.
        check_decoding_cost(&codestream((4096, 4096), (256, 256), (4, 4))).unwrap();
    }

    #[test]
    fn a_long_thin_grid_of_tiny_code_blocks_is_refused() {
        // What fuzzing found: 655 368 x 8 pixels in tiles 16 392 wide, code-blocks 4 x 64.
        let bytes = codestream((655_368, 8), (16_392, 776), (0, 4));
        let error = check_decoding_cost(&bytes).unwrap_err();
        assert_eq!(error.code(), "jpeg2000_unsupported", "{error}");
        // The same image with ordinary code-blocks passes.
        check_decoding_cost(&codestream((655_368, 8), (16_392, 776), (4, 4))).unwrap();
    }

    #[test]
    fn a_tile_part_header_can_make_code_blocks_smaller() {
        let mut bytes = codestream((655_368, 8), (16_392, 776), (4, 4));
        // A COD in the tile-part header, between SOT and SOD, with 4-pixel-wide code-blocks.
        let sod = bytes.len() - 4;
        bytes.splice(sod..sod, [0xff, 0x52, 0, 12, 0, 0, 0, 1, 0, 5, 0, 4, 0, 1]);
        // SOT follows SOC, SIZ (43 bytes) and COD (14 bytes); Psot counts from it to EOC.
        let sot = 2 + 43 + 14;
        let psot = u32::try_from(bytes.len() - 2 - sot).unwrap();
        bytes[sot + 6..sot + 10].copy_from_slice(&psot.to_be_bytes());
        assert_eq!(check_decoding_cost(&bytes).unwrap_err().code(), "jpeg2000_unsupported");
    }

    #[test]
    fn tiles_are_counted_by_kind_with_the_edges_clipped() {
        let axis = Axis {
            image_start: 10,
            image_end: 1000,
            tile_start: 0,
            tile_size: 256,
        };
        assert_eq!(axis.tile_extents(), [(246, 1), (256, 2), (232, 1)]);
        let single = Axis {
            image_start: 0,
            image_end: 100,
            tile_start: 0,
            tile_size: 4096,
        };
        assert_eq!(single.tile_extents(), [(100, 1)]);
    }

    #[test]
    fn an_impossible_tiling_is_refused_not_divided_by() {
        let bytes = codestream((100, 100), (0, 100), (4, 4));
        assert_eq!(check_decoding_cost(&bytes).unwrap_err().code(), "jpeg2000_invalid");
    }
}
