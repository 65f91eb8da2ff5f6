//! Which fingertip is which finger: the order of fingers in a slap image, and the check that
//! the fingertips found fit the fingers expected.
//!
//! The convention (ANSI/NIST-ITL and ISO/IEC 19794-4 present friction-ridge images as the
//! impression would look inked on a card, which is how slap scanners and MOSIP SBI devices
//! deliver them, fingertips up): in the left slap the fingers run, from the image's left,
//! little, ring, middle, index (the thumb, not on the glass, would be at the right); in the
//! right slap index, middle, ring, little; in the two-thumb slap the left thumb is on the
//! left and the right thumb on the right.
//!
//! Deliberately absent: any guess. When the number found differs from the number expected, or
//! the gaps between the fingertips cannot hold the fingers marked missing, the answer is an
//! error, never a best-effort labelling.
//!
//! Also absent: a check of which side a lone thumb lies on. With one thumb marked missing, the
//! thumb found is named the other one wherever it lies on the glass (scanners often ask for
//! a lone thumb in the middle).

use super::fingers::Fingertip;
use crate::{CaptureStep, DeviceError, Position};

/// A finger marked missing between two found ones leaves room for itself: the centres of the
/// fingers on either side are at least one width apart plus this share of a width per missing
/// finger (fingers on the glass touch at most; a missing finger's gap closes partly as the
/// others spread).
const MISSING_FINGER_ROOM: f32 = 0.7;

/// With three or more fingers found around a gap, the spacing per finger slot may differ this
/// much (largest over smallest) before the gaps are judged not to fit.
const MAX_SPACING_RATIO: f32 = 1.7;

/// A fingertip's width may differ from the median of the slap's by this factor either way;
/// beyond it, two fingers pressed together were probably taken for one (or one for a palm).
const MAX_WIDTH_RATIO: f32 = 1.6;

/// A fingertip leaning this far (degrees) is no fingertip: the finder clamps directions at 45°,
/// so this is one whose shape pointed sideways.
const MAX_LEAN_DEGREES: f32 = 44.0;

/// The positions of a slap step in image order, left to right; `None` for other steps.
pub fn image_order(step: CaptureStep) -> Option<&'static [Position]> {
    use Position::*;
    match step {
        CaptureStep::LeftSlap => Some(&[LeftLittle, LeftRing, LeftMiddle, LeftIndex]),
        CaptureStep::RightSlap => Some(&[RightIndex, RightMiddle, RightRing, RightLittle]),
        CaptureStep::Thumbs => Some(&[LeftThumb, RightThumb]),
        _ => None,
    }
}

/// The fingertips labelled with their positions, in image order. `exceptions` may name
/// positions of other steps; those are ignored.
pub fn assign_positions(
    step: CaptureStep,
    exceptions: &[Position],
    mut tips: Vec<Fingertip>,
) -> Result<Vec<(Position, Fingertip)>, DeviceError> {
    let Some(order) = image_order(step) else {
        return Err(DeviceError::UnsupportedStep(format!(
            "{step:?} (only slaps are segmented)"
        )));
    };
    let slots: Vec<usize> = (0..order.len()).filter(|&s| !exceptions.contains(&order[s])).collect();
    if tips.len() != slots.len() {
        let reason = if tips.len() < slots.len() {
            "a finger may be off the glass, too light, or touching its neighbour along its length"
        } else {
            "a finger marked missing may be on the glass, or something else left a print"
        };
        return Err(DeviceError::SlapSegmentationFailed {
            found: tips.len(),
            expected: slots.len(),
            reason: reason.into(),
        });
    }
    check_shapes(&tips, slots.len())?;
    // Left to right across the hand: along the mean direction across the fingers.
    let (mut ux, mut uy) = (0.0f32, 0.0f32);
    for tip in &tips {
        ux += tip.up.0;
        uy += tip.up.1;
    }
    // A unit vector: the gap check below compares these distances with widths in pixels.
    let norm = (ux * ux + uy * uy).sqrt();
    let across = if norm > 0.0 {
        (-uy / norm, ux / norm)
    } else {
        (1.0, 0.0)
    };
    let lateral = |tip: &Fingertip| tip.centre.0 * across.0 + tip.centre.1 * across.1;
    tips.sort_by(|a, b| lateral(a).total_cmp(&lateral(b)));
    check_gaps(&slots, &tips.iter().map(lateral).collect::<Vec<_>>(), &tips)?;
    Ok(slots.iter().map(|&s| order[s]).zip(tips).collect())
}

/// Does every fingertip look like one? Similar widths, no sideways lean.
fn check_shapes(tips: &[Fingertip], expected: usize) -> Result<(), DeviceError> {
    if tips.is_empty() {
        return Ok(());
    }
    let mut widths: Vec<f32> = tips.iter().map(|t| t.width).collect();
    widths.sort_by(f32::total_cmp);
    let median = widths[widths.len() / 2];
    let fails = |reason: &str| DeviceError::SlapSegmentationFailed {
        found: tips.len(),
        expected,
        reason: reason.into(),
    };
    if widths[0] * MAX_WIDTH_RATIO < median || widths[widths.len() - 1] > median * MAX_WIDTH_RATIO {
        return Err(fails(
            "the fingertips differ too much in width: fingers may be pressed together, spread them",
        ));
    }
    if tips.iter().any(|t| t.angle_degrees().abs() > MAX_LEAN_DEGREES) {
        return Err(fails(
            "a fingertip lies on its side: fingers may be pressed together, spread them",
        ));
    }
    Ok(())
}

/// Do the spaces between the fingertips fit the slots they are to fill? Only asked when a
/// finger is missing between two found ones: then the order alone could put the gap in the
/// wrong place.
fn check_gaps(slots: &[usize], laterals: &[f32], tips: &[Fingertip]) -> Result<(), DeviceError> {
    let steps: Vec<usize> = slots.windows(2).map(|w| w[1] - w[0]).collect();
    if steps.iter().all(|&k| k == 1) {
        return Ok(());
    }
    let mut widths: Vec<f32> = tips.iter().map(|t| t.width).collect();
    widths.sort_by(f32::total_cmp);
    let width = widths[widths.len() / 2];
    let distances: Vec<f32> = laterals.windows(2).map(|w| w[1] - w[0]).collect();
    let fails = |reason: &str| DeviceError::SlapSegmentationFailed {
        found: tips.len(),
        expected: slots.len(),
        reason: reason.into(),
    };
    for (&k, &d) in steps.iter().zip(&distances) {
        if k > 1 && d < width * (1.0 + MISSING_FINGER_ROOM * (k - 1) as f32) {
            return Err(fails(
                "there is no room between the fingers found for the finger marked missing",
            ));
        }
    }
    if distances.len() >= 2 {
        let per_slot: Vec<f32> = steps.iter().zip(&distances).map(|(&k, &d)| d / k as f32).collect();
        let largest = per_slot.iter().copied().fold(f32::MIN, f32::max);
        let smallest = per_slot.iter().copied().fold(f32::MAX, f32::min);
        if smallest <= 0.0 || largest / smallest > MAX_SPACING_RATIO {
            return Err(fails(
                "the gap between the fingers is not where the finger marked missing would be",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upright fingertip 280 px wide centred at `x`.
    fn tip(x: f32) -> Fingertip {
        Fingertip {
            centre: (x, 400.0),
            up: (0.0, -1.0),
            width: 280.0,
            length: 430.0,
        }
    }

    fn positions(result: Vec<(Position, Fingertip)>) -> Vec<Position> {
        result.into_iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn tips_are_named_left_to_right_whatever_order_they_come_in() {
        use Position::*;
        let tips = vec![tip(1250.0), tip(350.0), tip(950.0), tip(650.0)];
        let left = assign_positions(CaptureStep::LeftSlap, &[], tips.clone()).unwrap();
        assert_eq!(positions(left), vec![LeftLittle, LeftRing, LeftMiddle, LeftIndex]);
        let right = assign_positions(CaptureStep::RightSlap, &[], tips).unwrap();
        assert_eq!(positions(right), vec![RightIndex, RightMiddle, RightRing, RightLittle]);
        let thumbs = assign_positions(CaptureStep::Thumbs, &[], vec![tip(1100.0), tip(500.0)]).unwrap();
        assert_eq!(positions(thumbs), vec![LeftThumb, RightThumb]);
    }

    #[test]
    fn exceptions_of_other_steps_are_ignored() {
        use Position::*;
        let tips = vec![tip(350.0), tip(650.0), tip(950.0), tip(1250.0)];
        let named = assign_positions(CaptureStep::RightSlap, &[LeftIndex, RightThumb], tips).unwrap();
        assert_eq!(positions(named), vec![RightIndex, RightMiddle, RightRing, RightLittle]);
    }

    #[test]
    fn a_gap_must_be_where_the_missing_finger_is() {
        use Position::*;
        // Ring missing: the wide gap is between middle and little.
        let gap_right = vec![tip(350.0), tip(650.0), tip(1250.0)];
        let named = assign_positions(CaptureStep::RightSlap, &[RightRing], gap_right.clone()).unwrap();
        assert_eq!(positions(named), vec![RightIndex, RightMiddle, RightLittle]);
        // Middle marked missing, but the wide gap is between the second and third.
        let error = assign_positions(CaptureStep::RightSlap, &[RightMiddle], gap_right).unwrap_err();
        assert_eq!(error.code(), "slap_segmentation_failed");
        // Two fingers marked missing between two found that nearly touch: no room for them.
        let error = assign_positions(
            CaptureStep::RightSlap,
            &[RightMiddle, RightRing],
            vec![tip(350.0), tip(700.0)],
        )
        .unwrap_err();
        assert_eq!(error.code(), "slap_segmentation_failed");
    }

    #[test]
    fn a_tip_twice_as_wide_as_the_others_is_refused() {
        let mut wide = tip(800.0);
        wide.width = 600.0;
        let error = assign_positions(
            CaptureStep::RightSlap,
            &[],
            vec![tip(300.0), wide, tip(1200.0), tip(1500.0)],
        )
        .unwrap_err();
        assert_eq!(error.code(), "slap_segmentation_failed");
        assert!(error.to_string().contains("4 found, 4 expected"), "{error}");
    }

    #[test]
    fn every_finger_marked_missing_and_none_found_is_an_empty_answer() {
        use Position::*;
        let all = [LeftThumb, RightThumb];
        assert!(assign_positions(CaptureStep::Thumbs, &all, Vec::new())
            .unwrap()
            .is_empty());
    }
}
