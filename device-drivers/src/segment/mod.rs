//! Slap segmentation: cutting a slap image (four fingers, or two thumbs, on the glass at once)
//! into one image per fingertip, each with its finger position, for scanners that hand over
//! only the slap.
//!
//! The method, all of it on a grid of blocks of 8 px at 500 ppi (0.4 mm, about one ridge
//! period) except the crease search and the cut:
//! 1. Foreground: a block holds ridges when its grey-level deviation (after 2×2 averaging,
//!    which halves sensor noise and keeps ridges) is above Otsu's threshold over all blocks
//!    and an absolute floor (`blocks`).
//! 2. Cleanup: opening by 3×3 blocks, then filling holes.
//! 3. Connected regions, split where they narrow between broad parts (two fingertips touching
//!    side by side, or a tip joined to its lower phalanx by a neck), by rising thresholds on
//!    the distance to the background (`fingers`).
//! 4. Pieces smaller than a fingertip (40 mm²) join the piece they touch or are dropped. Each
//!    piece's principal axis gives its direction (up within ±45°; the hand's mean direction
//!    for pieces too round to have one). A piece below another along that one's axis is a
//!    lower phalanx of the same finger; a piece below several fingers is palm and ignored.
//! 5. The tip of each finger: its uppermost piece (taking in the piece below when it is
//!    shorter than 1.1 of its widths: a cap cut off by a dry band or a scar), down to the
//!    first crease (a band across the finger where the ridges stop, searched in the pixels
//!    1.1 to 2 widths below the top) or at most 25 mm.
//! 6. Positions: left to right across the hand, in the order of [`image_order`] (the
//!    ANSI/NIST-ITL card convention; see `assign`), skipping the exceptions. When the number
//!    found differs from the number expected, a fingertip is far wider or narrower than the
//!    others or lies on its side (fingers pressed together), or the gaps do not fit the fingers
//!    marked missing, the answer is `slap_segmentation_failed`, never a guess.
//! 7. Each fingertip is cut out along its axis and turned upright.
//!
//! Tested (`tests/segment`, on synthetic slaps) for hands tilted up to ±30°, fingertips
//! touching, fingers pressed together down to gaps of 1.3 mm between middle phalanges, 500
//! and 1000 ppi; `benches/segment.rs` holds it to under 100 ms for a 1600×1500 slap.
//!
//! Deliberately absent: this is not NIST NFSEG and has not been through NIST SlapSeg; it is
//! tested on synthetic slaps only. It does not score quality (`quality`), encode records
//! (`iso19794`, `codecs`), segment palms, rolled prints or the single-finger scanner's images,
//! or tell a left hand from a right one: the clerk's step says which hand it is.

mod assign;
mod blocks;
mod fingers;

use image::GrayImage;

use crate::{CaptureStep, DeviceError, Position};

pub use assign::image_order;
use blocks::HalfImage;
use fingers::Fingertip;

/// Resolutions accepted, pixels per inch. Slap scanners deliver 500 (MOSIP requires it) or
/// 1000; below 250 ridges are not resolved.
const MIN_PPI: u16 = 250;
const MAX_PPI: u16 = 2000;

/// Block side at 500 ppi, pixels: about one ridge period (0.4 mm). Blocks of 16 px measure
/// ridges more steadily but close the gaps of 1 to 1.5 mm between fingers pressed together,
/// which then cannot be told apart (`tests/segment`: fingers pressed together).
const BLOCK_AT_500_PPI: f32 = 8.0;

/// The smallest fingertip contact area taken for a finger, mm² (a child's little finger
/// presses about 80).
const MIN_TIP_AREA_MM2: f32 = 40.0;

/// The fixed length of a fingertip when no crease shows, mm (an adult distal phalanx's contact
/// is 20 to 25 mm long).
const MAX_TIP_LENGTH_MM: f32 = 25.0;

/// The grey level outside the slap image, where an upright cut reaches beyond it: the glass.
const OUTSIDE: u8 = 255;

/// Where a fingertip lies in the slap image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentBounds {
    /// The axis-aligned box around the tip's rectangle, clipped to the image, pixels.
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// The centre of the tip's rectangle, pixels (x, y).
    pub centre: (f32, f32),
    /// The finger's lean from upright, degrees, positive when the tip leans to the image's
    /// right (clockwise). The segment's image is turned back by this much.
    pub angle_degrees: f32,
}

/// One fingertip cut from a slap.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub position: Position,
    pub bounds: SegmentBounds,
    /// The tip, upright, at the slap's resolution: as wide as the finger and as long as the
    /// tip (to the first crease, or the fixed length). Parts outside the slap are white.
    pub image: GrayImage,
}

/// Cuts a slap image into its fingertips, in image order (left to right).
///
/// `step` must be [`CaptureStep::LeftSlap`], [`CaptureStep::RightSlap`] or
/// [`CaptureStep::Thumbs`]; `exceptions` are the positions marked missing (positions of other
/// steps are ignored). Errors: `device_bad_image` for an empty image or a resolution outside
/// 250..=2000 ppi, `device_unsupported_step` for other steps, `slap_segmentation_failed`
/// when the fingertips found do not fit the fingers expected.
pub fn segment_slap(
    image: &GrayImage,
    ppi: u16,
    step: CaptureStep,
    exceptions: &[Position],
) -> Result<Vec<Segment>, DeviceError> {
    if image_order(step).is_none() {
        return Err(DeviceError::UnsupportedStep(format!(
            "{step:?} (only slaps are segmented)"
        )));
    }
    if !(MIN_PPI..=MAX_PPI).contains(&ppi) {
        return Err(DeviceError::BadImage(format!(
            "slap images are segmented at {MIN_PPI} to {MAX_PPI} ppi, this one says {ppi} ppi"
        )));
    }
    if image.width() < 2 || image.height() < 2 {
        return Err(DeviceError::BadImage(format!(
            "the slap image is {}×{} pixels",
            image.width(),
            image.height()
        )));
    }
    let pixels_per_mm = ppi as f32 / 25.4;
    // Even, so that a block is a whole number of 2×2-averaged pixels.
    let block_size = ((BLOCK_AT_500_PPI * ppi as f32 / 500.0 / 2.0).round() as usize).max(2) * 2;
    let half = HalfImage::new(image);
    let mut grid = blocks::foreground(&half, block_size);
    blocks::clean(&mut grid);
    let block_mm = grid.size as f32 / pixels_per_mm;
    let min_area_blocks = (MIN_TIP_AREA_MM2 / (block_mm * block_mm)).ceil() as usize;
    let tips = fingers::find_fingertips(
        &grid,
        &half,
        pixels_per_mm,
        min_area_blocks,
        MAX_TIP_LENGTH_MM * pixels_per_mm,
    );
    let assigned = assign::assign_positions(step, exceptions, tips)?;
    let segments: Vec<Segment> = assigned
        .into_iter()
        .map(|(position, tip)| Segment {
            position,
            bounds: bounds_of(&tip, image.width(), image.height()),
            image: cut_upright(image, &tip),
        })
        .collect();
    Ok(segments)
}

/// The tip's rectangle as an axis-aligned box clipped to the image, with its centre and lean.
fn bounds_of(tip: &Fingertip, image_width: u32, image_height: u32) -> SegmentBounds {
    let across = tip.across();
    let (half_width, half_length) = (tip.width / 2.0, tip.length / 2.0);
    let corners = [(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)].map(|(a, b): (f32, f32)| {
        (
            tip.centre.0 + a * half_width * across.0 + b * half_length * tip.up.0,
            tip.centre.1 + a * half_width * across.1 + b * half_length * tip.up.1,
        )
    });
    let clip = |v: f32, limit: u32| v.clamp(0.0, limit as f32) as u32;
    let x0 = clip(
        corners.iter().map(|c| c.0).fold(f32::MAX, f32::min).floor(),
        image_width,
    );
    let x1 = clip(corners.iter().map(|c| c.0).fold(f32::MIN, f32::max).ceil(), image_width);
    let y0 = clip(
        corners.iter().map(|c| c.1).fold(f32::MAX, f32::min).floor(),
        image_height,
    );
    let y1 = clip(
        corners.iter().map(|c| c.1).fold(f32::MIN, f32::max).ceil(),
        image_height,
    );
    SegmentBounds {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
        centre: tip.centre,
        angle_degrees: tip.angle_degrees(),
    }
}

/// The tip's rectangle sampled (bilinear) into an upright image, tip at the top.
///
/// This is the one pixel-level loop over the output (about 0.5 million samples for a slap of
/// four), so it works in 8-bit fixed point: source positions in 1/256 px, integer weights.
fn cut_upright(image: &GrayImage, tip: &Fingertip) -> GrayImage {
    const ONE: i64 = 256;
    let width = tip.width.round().max(1.0) as u32;
    let height = tip.length.round().max(1.0) as u32;
    let across = tip.across();
    let (source_width, source_height) = (image.width() as i64, image.height() as i64);
    let raw = image.as_raw();
    let step = (
        (across.0 * ONE as f32).round() as i64,
        (across.1 * ONE as f32).round() as i64,
    );
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for j in 0..height {
        // Down the output image is down the finger, away from the tip; along a row the source
        // point moves by `across` per output pixel.
        let dy = j as f32 + 0.5 - height as f32 / 2.0;
        let dx = 0.5 - width as f32 / 2.0;
        let x = tip.centre.0 + dx * across.0 - dy * tip.up.0 - 0.5;
        let y = tip.centre.1 + dx * across.1 - dy * tip.up.1 - 0.5;
        let (mut fx, mut fy) = ((x * ONE as f32).round() as i64, (y * ONE as f32).round() as i64);
        for _ in 0..width {
            let (x0, y0) = (fx.div_euclid(ONE), fy.div_euclid(ONE));
            let value = if x0 >= 0 && y0 >= 0 && x0 < source_width && y0 < source_height {
                let (x1, y1) = ((x0 + 1).min(source_width - 1), (y0 + 1).min(source_height - 1));
                let (wx, wy) = (fx - x0 * ONE, fy - y0 * ONE);
                let at = |xx: i64, yy: i64| raw[(yy * source_width + xx) as usize] as i64;
                let top = at(x0, y0) * (ONE - wx) + at(x1, y0) * wx;
                let bottom = at(x0, y1) * (ONE - wx) + at(x1, y1) * wx;
                ((top * (ONE - wy) + bottom * wy + ONE * ONE / 2) / (ONE * ONE)) as u8
            } else {
                OUTSIDE
            };
            pixels.push(value);
            fx += step.0;
            fy += step.1;
        }
    }
    GrayImage::from_raw(width, height, pixels).unwrap_or_else(|| GrayImage::new(width, height))
}
