//! A slap: four fingers of one hand (or the two thumbs) pressed on one 1600 x 1500 glass at
//! 500 ppi, each at its own plausible angle and height, with the tips of the person's fingers
//! and, below each first crease, the middle phalanx (which a segmenter must leave out).
//!
//! The composer places each finger's ink (see [`super::finger`]) and records where it put it
//! ([`FingerPlacement`]), so the simulated scanner's own segmentation is exact, and the
//! station's segmentation can be checked against the truth.
//!
//! Deliberately absent: palms, and segmentation itself (`crate::segment`).

use image::GrayImage;
use rand::Rng;

use super::finger::{FINGER_HEIGHT, FINGER_WIDTH};
use super::impression::{shade, Ink, Shading, MIDDLE_PHALANX_REACH};
use crate::{CaptureStep, Position};

pub const SLAP_WIDTH: u32 = 1600;
pub const SLAP_HEIGHT: u32 = 1500;

/// Where one finger image lies on the slap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FingerPlacement {
    pub position: Position,
    /// Where the centre of the finger's `FINGER_WIDTH x FINGER_HEIGHT` image lands, in slap
    /// pixels.
    pub centre: (f32, f32),
    /// The finger image's clockwise rotation on the slap.
    pub rotation_degrees: f32,
}

/// A slap image and where each finger is on it.
#[derive(Debug, Clone)]
pub struct SlapImage {
    pub image: GrayImage,
    pub placements: Vec<FingerPlacement>,
}

/// Slots from the image's left to its right: (position, centre x, centre y, tilt). As the
/// scanner sees a hand from below the glass, the left hand's little finger is on the left and
/// the right hand's on the right; the middle finger reaches highest, the little finger lowest,
/// and the fingers fan out.
fn slots(step: CaptureStep) -> Vec<(Position, f32, f32, f32)> {
    use Position::*;
    match step {
        CaptureStep::LeftSlap => vec![
            (LeftLittle, 300.0, 840.0, -16.0),
            (LeftRing, 625.0, 620.0, -6.0),
            (LeftMiddle, 960.0, 560.0, 2.0),
            (LeftIndex, 1290.0, 640.0, 10.0),
        ],
        CaptureStep::RightSlap => vec![
            (RightIndex, 310.0, 640.0, -10.0),
            (RightMiddle, 640.0, 560.0, -2.0),
            (RightRing, 975.0, 620.0, 6.0),
            (RightLittle, 1300.0, 840.0, 16.0),
        ],
        CaptureStep::Thumbs => vec![(LeftThumb, 520.0, 720.0, 14.0), (RightThumb, 1080.0, 720.0, -14.0)],
        _ => Vec::new(),
    }
}

/// Places the `present` fingers of `step` (the step's positions minus exceptions), moving and
/// turning the whole hand a little each time; in the order of `present`.
pub(crate) fn layout(step: CaptureStep, present: &[Position], rng: &mut impl Rng) -> Vec<FingerPlacement> {
    let hand_shift: (f32, f32) = (rng.gen_range(-40.0..40.0), rng.gen_range(-40.0..40.0));
    let hand_turn: f32 = rng.gen_range(-4.0..4.0);
    let mut placements = slots(step)
        .into_iter()
        .filter(|(position, ..)| present.contains(position))
        .map(|(position, x, y, tilt)| FingerPlacement {
            position,
            centre: (
                x + hand_shift.0 + rng.gen_range(-12.0..12.0),
                y + hand_shift.1 + rng.gen_range(-20.0..20.0),
            ),
            rotation_degrees: tilt + hand_turn + rng.gen_range(-3.0..3.0),
        })
        .collect::<Vec<_>>();
    placements.sort_by_key(|placement| present.iter().position(|p| *p == placement.position));
    placements
}

/// Lays each finger's ink (already scaled by its contrast; its top `FINGER_HEIGHT` rows are the
/// finger image the placement names, rows below it the middle phalanx) on the glass and
/// shades the whole.
pub(crate) fn compose(fingers: &[(FingerPlacement, Ink)], shading: &Shading) -> GrayImage {
    let (width, height) = (SLAP_WIDTH as usize, SLAP_HEIGHT as usize);
    let mut glass = vec![0.0f32; width * height];
    let (half_w, half_h) = (FINGER_WIDTH as f32 / 2.0, FINGER_HEIGHT as f32 / 2.0);
    // The ink reaches below the finger image by the middle phalanx.
    let below = half_h + MIDDLE_PHALANX_REACH as f32;
    let reach = (half_w * half_w + below * below).sqrt().ceil();
    for (placement, ink) in fingers {
        let (sin, cos) = placement.rotation_degrees.to_radians().sin_cos();
        let (cx, cy) = placement.centre;
        let x0 = (cx - reach).max(0.0) as usize;
        let x1 = ((cx + reach).max(0.0) as usize).min(width);
        let y0 = (cy - reach).max(0.0) as usize;
        let y1 = ((cy + reach).max(0.0) as usize).min(height);
        for y in y0..y1 {
            let dy = y as f32 - cy;
            for x in x0..x1 {
                let dx = x as f32 - cx;
                // Into the finger image's frame: undo its rotation.
                let fx = cos * dx + sin * dy + half_w;
                let fy = -sin * dx + cos * dy + half_h;
                let value = sample(ink, fx, fy);
                let pixel = &mut glass[y * width + x];
                *pixel = pixel.max(value);
            }
        }
    }
    let glass_ink = Ink {
        width,
        height,
        values: glass,
    };
    shade(&glass_ink, shading)
}

/// Bilinear ink at a point of the finger image; none outside it.
fn sample(ink: &Ink, x: f32, y: f32) -> f32 {
    if !(x >= 0.0 && y >= 0.0 && x < (ink.width - 1) as f32 && y < (ink.height - 1) as f32) {
        return 0.0;
    }
    let (x0, y0) = (x as usize, y as usize);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |xx: usize, yy: usize| ink.values[yy * ink.width + xx];
    let top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * fx;
    let bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * fx;
    top + (bottom - top) * fy
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_layout_places_the_present_fingers_inside_the_glass_without_overlap() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for step in [CaptureStep::LeftSlap, CaptureStep::RightSlap, CaptureStep::Thumbs] {
            let present: Vec<Position> = step.positions().into_iter().skip(1).collect();
            let mut placements = layout(step, &present, &mut rng);
            assert_eq!(placements.iter().map(|p| p.position).collect::<Vec<_>>(), present);
            placements.sort_by(|a, b| a.centre.0.total_cmp(&b.centre.0));
            for pair in placements.windows(2) {
                // Finger outlines are at most about 290 px wide; centres 300 px apart keep them apart.
                assert!(pair[1].centre.0 - pair[0].centre.0 > 280.0, "{pair:?}");
            }
            for placement in &placements {
                assert!((0.0..SLAP_WIDTH as f32).contains(&placement.centre.0));
                assert!((0.0..SLAP_HEIGHT as f32).contains(&placement.centre.1));
            }
        }
    }
}
