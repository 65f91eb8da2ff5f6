//! Slap segmentation on synthetic slaps (drawn by `synthetic`), with fingers (a ridged fingertip
//! ellipse above a narrower ridged lower phalanx, a crease between them) at known places and
//! angles on a noisy glass. Each test checks that every segment's centre lies within
//! `MAX_CENTRE_ERROR_MM` of the fingertip's true centre, that positions follow the slap's
//! convention, and that a slap whose fingers do not fit the fingers expected is refused.
//!
//! Synthetic only: these say that the geometry works, not that real slaps segment as well as
//! NIST SlapSeg would require.

use enroll_devices::segment::{segment_slap, Segment};
use enroll_devices::{CaptureStep, DeviceError, Position};
use image::GrayImage;

mod synthetic;

use synthetic::{
    four_fingers, synthetic_slap, synthetic_slap_scaled, synthetic_slap_with_palm, SyntheticFinger, PPI, PX_PER_MM,
    SLAP_WIDTH,
};

/// How far a segment's centre may lie from the true fingertip centre.
const MAX_CENTRE_ERROR_MM: f32 = 2.0;
/// How far a segment's lean may differ from the true finger's.
const MAX_ANGLE_ERROR_DEGREES: f32 = 8.0;

/// Asserts that the segments are the expected positions in that order, each centred on its
/// true fingertip and leaning as it does.
fn assert_segments(segments: &[Segment], expected: &[(Position, SyntheticFinger)]) {
    let found: Vec<Position> = segments.iter().map(|s| s.position).collect();
    let wanted: Vec<Position> = expected.iter().map(|e| e.0).collect();
    assert_eq!(found, wanted, "positions in image order");
    for (segment, (position, finger)) in segments.iter().zip(expected) {
        let (cx, cy) = segment.bounds.centre;
        let error_mm = ((cx - finger.tip_centre.0).powi(2) + (cy - finger.tip_centre.1).powi(2)).sqrt() / PX_PER_MM;
        assert!(
            error_mm <= MAX_CENTRE_ERROR_MM,
            "{position:?}: centre ({cx:.0}, {cy:.0}) is {error_mm:.1} mm from the true ({:.0}, {:.0})",
            finger.tip_centre.0,
            finger.tip_centre.1
        );
        let angle_error = (segment.bounds.angle_degrees - finger.angle_degrees).abs();
        assert!(
            angle_error <= MAX_ANGLE_ERROR_DEGREES,
            "{position:?}: leans {:.1}°, the finger {:.1}°",
            segment.bounds.angle_degrees,
            finger.angle_degrees
        );
        let (x, y) = (segment.bounds.x as f32, segment.bounds.y as f32);
        assert!(
            x <= cx && cx <= x + segment.bounds.width as f32 && y <= cy && cy <= y + segment.bounds.height as f32,
            "{position:?}: the box {:?} holds its centre",
            segment.bounds
        );
    }
}

fn assert_refused(result: Result<Vec<Segment>, DeviceError>, found: usize, expected: usize) {
    match result {
        Err(error @ DeviceError::SlapSegmentationFailed { .. }) => {
            assert_eq!(error.code(), "slap_segmentation_failed");
            let DeviceError::SlapSegmentationFailed {
                found: f, expected: e, ..
            } = &error
            else {
                unreachable!("matched above")
            };
            assert_eq!((*f, *e), (found, expected), "{error}");
            let message = error.to_string();
            assert!(
                message.contains(&format!("{found} found")) && message.contains(&format!("{expected} expected")),
                "the message says found and expected: {message}"
            );
        }
        other => panic!("expected slap_segmentation_failed, got {other:?}"),
    }
}

#[test]
fn right_slap_runs_index_middle_ring_little_from_the_left() {
    let fingers = four_fingers();
    let segments = segment_slap(&synthetic_slap(&fingers, 1), PPI, CaptureStep::RightSlap, &[]).unwrap();
    use Position::*;
    assert_segments(
        &segments,
        &[
            (RightIndex, fingers[0]),
            (RightMiddle, fingers[1]),
            (RightRing, fingers[2]),
            (RightLittle, fingers[3]),
        ],
    );
}

#[test]
fn left_slap_runs_little_ring_middle_index_from_the_left() {
    // The left hand is the right one mirrored: the little finger, lowest, at the left.
    let fingers = four_fingers().map(|f| SyntheticFinger {
        tip_centre: (SLAP_WIDTH as f32 - f.tip_centre.0, f.tip_centre.1),
        ..f
    });
    let mut by_x = fingers;
    by_x.sort_by(|a, b| a.tip_centre.0.total_cmp(&b.tip_centre.0));
    let segments = segment_slap(&synthetic_slap(&fingers, 2), PPI, CaptureStep::LeftSlap, &[]).unwrap();
    use Position::*;
    assert_segments(
        &segments,
        &[
            (LeftLittle, by_x[0]),
            (LeftRing, by_x[1]),
            (LeftMiddle, by_x[2]),
            (LeftIndex, by_x[3]),
        ],
    );
}

#[test]
fn thumbs_run_left_thumb_then_right_thumb() {
    // Thumbs lean towards each other, as they do on the glass.
    let thumbs = [
        SyntheticFinger::thumb(500.0, 500.0, 20.0),
        SyntheticFinger::thumb(1100.0, 520.0, -20.0),
    ];
    let segments = segment_slap(&synthetic_slap(&thumbs, 3), PPI, CaptureStep::Thumbs, &[]).unwrap();
    assert_segments(
        &segments,
        &[(Position::LeftThumb, thumbs[0]), (Position::RightThumb, thumbs[1])],
    );
}

#[test]
fn a_missing_middle_finger_leaves_its_gap_and_the_others_keep_their_names() {
    let all = four_fingers();
    let fingers = [all[0], all[1], all[3]];
    let segments = segment_slap(
        &synthetic_slap(&fingers, 4),
        PPI,
        CaptureStep::RightSlap,
        &[Position::RightRing],
    )
    .unwrap();
    use Position::*;
    assert_segments(
        &segments,
        &[(RightIndex, all[0]), (RightMiddle, all[1]), (RightLittle, all[3])],
    );
}

#[test]
fn a_missing_finger_at_the_edge_shifts_nothing() {
    // Left slap without its little finger: ring, middle, index from the left.
    let fingers = [
        SyntheticFinger::finger(650.0, 420.0),
        SyntheticFinger::finger(950.0, 360.0),
        SyntheticFinger::finger(1250.0, 410.0),
    ];
    let segments = segment_slap(
        &synthetic_slap(&fingers, 5),
        PPI,
        CaptureStep::LeftSlap,
        &[Position::LeftLittle],
    )
    .unwrap();
    use Position::*;
    assert_segments(
        &segments,
        &[
            (LeftRing, fingers[0]),
            (LeftMiddle, fingers[1]),
            (LeftIndex, fingers[2]),
        ],
    );
}

#[test]
fn a_gap_in_the_wrong_place_for_the_finger_marked_missing_is_refused() {
    // Index, middle and ring evenly spaced (the little finger is the one missing), but the
    // clerk marked the middle finger: labelling by order would call the real middle finger
    // the ring finger.
    let all = four_fingers();
    let fingers = [all[0], all[1], all[2]];
    let result = segment_slap(
        &synthetic_slap(&fingers, 6),
        PPI,
        CaptureStep::RightSlap,
        &[Position::RightMiddle],
    );
    assert_refused(result, 3, 3);
}

#[test]
fn two_fingertips_touching_are_split() {
    // Middle and ring fingertips 270 px apart, each 276 px wide: they overlap by 6 px.
    let fingers = [
        SyntheticFinger::finger(350.0, 420.0),
        SyntheticFinger::finger(700.0, 380.0),
        SyntheticFinger::finger(970.0, 400.0),
        SyntheticFinger::finger(1280.0, 540.0),
    ];
    let segments = segment_slap(&synthetic_slap(&fingers, 7), PPI, CaptureStep::RightSlap, &[]).unwrap();
    use Position::*;
    assert_segments(
        &segments,
        &[
            (RightIndex, fingers[0]),
            (RightMiddle, fingers[1]),
            (RightRing, fingers[2]),
            (RightLittle, fingers[3]),
        ],
    );
}

#[test]
fn a_hand_tilted_30_degrees_either_way_is_segmented_along_its_fingers() {
    // The whole right hand turned by the most the station tolerates, 30°, clockwise and
    // anticlockwise, about a point below the fingertips that keeps every finger on the glass.
    for angle in [30.0f32, -30.0] {
        let (sin, cos) = angle.to_radians().sin_cos();
        let (mx, my) = (SLAP_WIDTH as f32 / 2.0, 700.0);
        let fingers = four_fingers().map(|f| {
            let (dx, dy) = (f.tip_centre.0 - mx, f.tip_centre.1 - my);
            SyntheticFinger {
                tip_centre: (mx + dx * cos - dy * sin, my + dx * sin + dy * cos),
                ..f.leaning(angle)
            }
        });
        let segments = segment_slap(&synthetic_slap(&fingers, 8), PPI, CaptureStep::RightSlap, &[]).unwrap();
        use Position::*;
        assert_segments(
            &segments,
            &[
                (RightIndex, fingers[0]),
                (RightMiddle, fingers[1]),
                (RightRing, fingers[2]),
                (RightLittle, fingers[3]),
            ],
        );
    }
}

#[test]
fn a_slap_at_1000_ppi_segments_like_the_same_slap_at_500_ppi() {
    // The same hand drawn at twice the resolution: centres and sizes double, angles stay.
    let fingers = four_fingers();
    let slap = synthetic_slap_scaled(&fingers, None, 14, 2);
    let segments = segment_slap(&slap, 2 * PPI, CaptureStep::RightSlap, &[]).unwrap();
    let halved: Vec<Segment> = segments
        .into_iter()
        .map(|mut s| {
            s.bounds.centre = (s.bounds.centre.0 / 2.0, s.bounds.centre.1 / 2.0);
            s.bounds.x /= 2;
            s.bounds.y /= 2;
            s.bounds.width = s.bounds.width.div_ceil(2);
            s.bounds.height = s.bounds.height.div_ceil(2);
            s
        })
        .collect();
    use Position::*;
    assert_segments(
        &halved,
        &[
            (RightIndex, fingers[0]),
            (RightMiddle, fingers[1]),
            (RightRing, fingers[2]),
            (RightLittle, fingers[3]),
        ],
    );
}

#[test]
fn a_segment_is_the_upright_fingertip_down_to_its_crease() {
    let fingers = four_fingers();
    let segments = segment_slap(&synthetic_slap(&fingers, 9), PPI, CaptureStep::RightSlap, &[]).unwrap();
    assert_eq!(segments.len(), 4);
    for segment in &segments {
        let (width_mm, height_mm) = (
            segment.image.width() as f32 / PX_PER_MM,
            segment.image.height() as f32 / PX_PER_MM,
        );
        // The synthetic tip is 14 × 22 mm; blocks are 0.8 mm, so the edges may be off by one.
        assert!(
            (width_mm - 14.0).abs() <= 2.0,
            "{:?}: {width_mm:.1} mm wide",
            segment.position
        );
        assert!(
            (height_mm - 22.0).abs() <= 2.5,
            "{:?}: {height_mm:.1} mm long",
            segment.position
        );
        // Ridges fill its middle: the deviation there is that of the ridges (80 grey levels
        // in amplitude), not the glass's.
        let (w, h) = segment.image.dimensions();
        let middle: Vec<f32> = (h / 3..2 * h / 3)
            .flat_map(|y| (w / 3..2 * w / 3).map(move |x| (x, y)))
            .map(|(x, y)| segment.image.get_pixel(x, y)[0] as f32)
            .collect();
        let mean = middle.iter().sum::<f32>() / middle.len() as f32;
        let deviation = (middle.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / middle.len() as f32).sqrt();
        assert!(
            deviation > 40.0,
            "{:?}: deviation {deviation:.1} in its middle",
            segment.position
        );
    }
}

#[test]
fn a_blank_slap_is_refused() {
    let blank = synthetic_slap(&[], 10);
    assert_refused(segment_slap(&blank, PPI, CaptureStep::LeftSlap, &[]), 0, 4);
}

#[test]
fn two_fingers_where_four_are_expected_is_refused() {
    let all = four_fingers();
    let two = synthetic_slap(&[all[1], all[2]], 11);
    assert_refused(segment_slap(&two, PPI, CaptureStep::RightSlap, &[]), 2, 4);
}

#[test]
fn bad_inputs_get_errors_not_panics() {
    let small = GrayImage::new(40, 30);
    assert_eq!(
        segment_slap(&small, PPI, CaptureStep::Face, &[]).unwrap_err().code(),
        "device_unsupported_step"
    );
    assert_eq!(
        segment_slap(&small, 0, CaptureStep::Thumbs, &[]).unwrap_err().code(),
        "device_bad_image"
    );
    assert_eq!(
        segment_slap(&GrayImage::new(0, 0), PPI, CaptureStep::Thumbs, &[])
            .unwrap_err()
            .code(),
        "device_bad_image"
    );
    // Too small to hold a fingertip: nothing found, two expected.
    assert_refused(segment_slap(&small, PPI, CaptureStep::Thumbs, &[]), 0, 2);
}

#[test]
fn the_upper_palm_below_the_fingers_is_ignored() {
    // The palm's top edge (y 1250) lies below every middle phalanx (the lowest ends near
    // y 1180) and spans all four fingers.
    let fingers = four_fingers();
    let palm = ((800.0, 1500.0), 700.0, 250.0);
    let slap = synthetic_slap_with_palm(&fingers, Some(palm), 12);
    let segments = segment_slap(&slap, PPI, CaptureStep::RightSlap, &[]).unwrap();
    use Position::*;
    assert_segments(
        &segments,
        &[
            (RightIndex, fingers[0]),
            (RightMiddle, fingers[1]),
            (RightRing, fingers[2]),
            (RightLittle, fingers[3]),
        ],
    );
}

#[test]
fn a_finger_without_a_visible_crease_is_cut_at_the_fixed_length() {
    // The middle phalanx overlaps the tip by 15 mm: ridges run on without a break for 27 mm.
    let fingers = four_fingers().map(|f| SyntheticFinger { crease_mm: -15.0, ..f });
    let segments = segment_slap(&synthetic_slap(&fingers, 13), PPI, CaptureStep::RightSlap, &[]).unwrap();
    assert_eq!(segments.len(), 4);
    // The fixed length of `segment` (25 mm), measured from the top of the finger.
    let fixed_length_mm = 25.0;
    for (segment, finger) in segments.iter().zip(&fingers) {
        let length_mm = segment.image.height() as f32 / PX_PER_MM;
        assert!(
            (length_mm - fixed_length_mm).abs() <= 1.0,
            "{:?}: {length_mm:.1} mm long",
            segment.position
        );
        let true_top = finger.tip_centre.1 - finger.half_length_mm * PX_PER_MM;
        let top = segment.bounds.centre.1 - segment.image.height() as f32 / 2.0;
        assert!(
            (top - true_top).abs() / PX_PER_MM <= 1.0,
            "{:?}: the cut starts at y {top:.0}, the finger at y {true_top:.0}",
            segment.position
        );
    }
}

#[test]
fn fingers_pressed_too_close_to_tell_apart_are_refused_not_mislabelled() {
    // Centres 250 px apart: the 276 px wide fingertips overlap by 26 px and the middle
    // phalanges are 15 px apart, under a block. The fingertips cannot all be told apart; what
    // matters is that no finger gets another's name.
    let spacing = 250.0;
    let fingers = [
        SyntheticFinger::finger(800.0 - 1.5 * spacing, 420.0),
        SyntheticFinger::finger(800.0 - 0.5 * spacing, 360.0),
        SyntheticFinger::finger(800.0 + 0.5 * spacing, 400.0),
        SyntheticFinger::finger(800.0 + 1.5 * spacing, 540.0),
    ];
    let result = segment_slap(&synthetic_slap(&fingers, 23), PPI, CaptureStep::RightSlap, &[]);
    match result {
        Err(error) => {
            assert_eq!(error.code(), "slap_segmentation_failed", "{error}");
            assert!(error.to_string().contains("4 expected"), "{error}");
        }
        Ok(segments) => {
            use Position::*;
            assert_segments(
                &segments,
                &[
                    (RightIndex, fingers[0]),
                    (RightMiddle, fingers[1]),
                    (RightRing, fingers[2]),
                    (RightLittle, fingers[3]),
                ],
            );
        }
    }
}

#[test]
fn fingers_pressed_together_with_a_narrow_gap_are_split() {
    // Centres 260 px apart: fingertips overlap by 16 px, middle phalanges 25 px apart.
    let spacing = 260.0;
    let fingers = [
        SyntheticFinger::finger(800.0 - 1.5 * spacing, 420.0),
        SyntheticFinger::finger(800.0 - 0.5 * spacing, 360.0),
        SyntheticFinger::finger(800.0 + 0.5 * spacing, 400.0),
        SyntheticFinger::finger(800.0 + 1.5 * spacing, 540.0),
    ];
    let segments = segment_slap(&synthetic_slap(&fingers, 22), PPI, CaptureStep::RightSlap, &[]).unwrap();
    use Position::*;
    assert_segments(
        &segments,
        &[
            (RightIndex, fingers[0]),
            (RightMiddle, fingers[1]),
            (RightRing, fingers[2]),
            (RightLittle, fingers[3]),
        ],
    );
}

#[test]
fn a_dry_band_across_a_fingertip_does_not_cut_it_short() {
    // A 1 mm band without ridges (a dry patch, a scar) across the middle fingertip, 4, 7 and
    // 10 mm below its top: above the first crease, so the tip must keep its whole length.
    let fingers = four_fingers();
    for depth_mm in [4.0f32, 7.0, 10.0] {
        let mut slap = synthetic_slap(&fingers, 30);
        let middle = fingers[1];
        let top = middle.tip_centre.1 - middle.half_length_mm * PX_PER_MM;
        let band_top = (top + depth_mm * PX_PER_MM) as u32;
        for y in band_top..band_top + PX_PER_MM as u32 {
            for x in (middle.tip_centre.0 - 160.0) as u32..(middle.tip_centre.0 + 160.0) as u32 {
                slap.put_pixel(x, y, image::Luma([225]));
            }
        }
        let segments = segment_slap(&slap, PPI, CaptureStep::RightSlap, &[])
            .unwrap_or_else(|e| panic!("band at {depth_mm} mm: {e}"));
        use Position::*;
        assert_segments(
            &segments,
            &[
                (RightIndex, fingers[0]),
                (RightMiddle, fingers[1]),
                (RightRing, fingers[2]),
                (RightLittle, fingers[3]),
            ],
        );
    }
}

#[test]
fn an_image_that_is_texture_everywhere_is_refused() {
    // Not a slap: grey levels spread over the whole range in every pixel, so every block is
    // "foreground" and the whole image one region.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let texture = GrayImage::from_fn(SLAP_WIDTH, 1500, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        image::Luma([(state >> 56) as u8])
    });
    let result = segment_slap(&texture, PPI, CaptureStep::RightSlap, &[]);
    match result {
        Err(error) => assert_eq!(error.code(), "slap_segmentation_failed", "{error}"),
        Ok(segments) => panic!("{} fingertips found in texture", segments.len()),
    }
}

#[test]
fn splayed_fingers_each_keep_their_own_lean() {
    // Fingers fan out from the palm: the index leans left, the little finger right.
    let leans = [-12.0f32, -4.0, 4.0, 14.0];
    let mut fingers = four_fingers();
    for (finger, lean) in fingers.iter_mut().zip(leans) {
        *finger = finger.leaning(lean);
    }
    let segments = segment_slap(&synthetic_slap(&fingers, 31), PPI, CaptureStep::RightSlap, &[]).unwrap();
    use Position::*;
    assert_segments(
        &segments,
        &[
            (RightIndex, fingers[0]),
            (RightMiddle, fingers[1]),
            (RightRing, fingers[2]),
            (RightLittle, fingers[3]),
        ],
    );
}
