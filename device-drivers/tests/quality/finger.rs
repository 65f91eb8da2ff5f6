//! Fingerprint scores: a synthetic whorl degraded step by step, and the real libfprint captures.

use super::*;

/// The synthetic finger's series all start from this 500 ppi image.
fn good_finger() -> synthetic::SyntheticFinger {
    synthetic::finger(500, 600, 1)
}

#[test]
fn a_clean_synthetic_finger_passes_the_mosip_threshold() {
    let good = good_finger();
    let quality = finger_quality(&good.image, 500);
    assert!(quality.score > MOSIP_FINGER_THRESHOLD + 20, "{quality:?}");
    assert!(quality.issues.is_empty(), "{quality:?}");
    // The whorl is drawn with a period of 9 px across and 11.25 px down (0.46..0.57 mm).
    assert!((0.44..=0.60).contains(&quality.ridge_period_mm), "{quality:?}");
    // The drawn ellipse covers π·a·b pixels; blocks at its soft edge may go either way.
    let drawn_mm2 = std::f32::consts::PI * good.radii.0 * good.radii.1 / (500.0f32 / 25.4).powi(2);
    assert!(
        (quality.foreground_area_mm2 - drawn_mm2).abs() < 0.2 * drawn_mm2,
        "found {} mm², drawn {drawn_mm2} mm²",
        quality.foreground_area_mm2
    );
}

#[test]
fn finger_score_falls_steadily_as_the_image_is_blurred() {
    let good = good_finger();
    let scores: Vec<u8> = BLUR_SIGMAS
        .iter()
        .map(|&sigma| finger_quality(&blurred(&good.image, sigma), 500).score)
        .collect();
    assert_falls("finger blurred by sigma 0, 1, 2, 4", &scores, 2);
    assert!(scores[3] < MOSIP_FINGER_THRESHOLD, "{scores:?}");
}

#[test]
fn finger_score_falls_steadily_as_less_of_the_finger_is_kept() {
    let good = good_finger();
    let top = (good.center.1 - good.radii.1) as u32;
    let height = 2.0 * good.radii.1;
    // Keep the whole image, then the top 75 %, 50 % and 30 % of the finger.
    let mut scores = vec![finger_quality(&good.image, 500).score];
    for kept in [0.75f32, 0.5, 0.3] {
        let rows = top + (kept * height) as u32;
        scores.push(finger_quality(&cropped(&good.image, 0, 0, 500, rows), 500).score);
    }
    assert_falls("finger cropped to 100, 75, 50, 30 % of its height", &scores, 2);
    let smallest = finger_quality(&cropped(&good.image, 0, 0, 500, top + (0.3 * height) as u32), 500);
    assert!(smallest.issues.contains(&QualityIssue::TooLittleFinger), "{smallest:?}");
}

#[test]
fn finger_score_falls_steadily_as_the_image_is_darkened() {
    let good = good_finger();
    let scores: Vec<u8> = GAINS
        .iter()
        .map(|&gain| finger_quality(&darkened(&good.image, gain), 500).score)
        .collect();
    assert_falls("finger darkened by gain 1.0, 0.6, 0.35, 0.15", &scores, 5);
    let darkest = finger_quality(&darkened(&good.image, 0.15), 500);
    assert!(darkest.issues.contains(&QualityIssue::TooDark), "{darkest:?}");
}

#[test]
fn a_flat_frame_and_noise_score_low_as_fingers() {
    let flat = finger_quality(&GrayImage::from_pixel(500, 600, Luma([128])), 500);
    assert_eq!(flat.score, 0, "a flat frame has no finger: {flat:?}");
    assert!(flat.issues.contains(&QualityIssue::TooLittleFinger));
    let noise = finger_quality(&synthetic::noise(500, 600, 3), 500);
    assert!(noise.score < 25, "{noise:?}");
    assert!(noise.issues.contains(&QualityIssue::NoRidgeFlow), "{noise:?}");
}

#[test]
fn degenerate_finger_input_is_reported_not_a_panic() {
    let good = good_finger();
    for ppi in [0, 100, 5000] {
        let quality = finger_quality(&good.image, ppi);
        assert_eq!(
            (quality.score, quality.issues.clone()),
            (0, vec![QualityIssue::ResolutionUnsupported])
        );
    }
    for (width, height) in [(0, 0), (1, 1), (31, 600), (500, 31)] {
        let quality = finger_quality(&GrayImage::new(width, height), 500);
        assert_eq!(
            (quality.score, quality.issues.clone()),
            (0, vec![QualityIssue::ImageTooSmall])
        );
    }
    // The smallest assessable image: one block.
    let one_block = cropped(&good.image, 234, 284, 32, 32);
    let quality = finger_quality(&one_block, 500);
    assert!(quality.score < MOSIP_FINGER_THRESHOLD, "{quality:?}");
}

/// The libfprint sensors and the resolution of their `capture.png`. The AES3500 frame is 128×128
/// pixels at 500 ppi, which libfprint enlarges twice; the others are taken at their nominal
/// 500 ppi (their measured ridge periods, 0.43..0.60 mm, agree).
const LIBFPRINT_SENSORS: [(&str, u16); 6] = [
    ("aes3500", 1000),
    ("egis0570", 500),
    ("elan", 500),
    ("nb1010", 500),
    ("upektc_img", 500),
    ("vfs0050", 500),
];

#[test]
fn real_libfprint_fingerprints_score_plausibly_and_lower_when_blurred() {
    let mut scored = 0;
    for (sensor, ppi) in LIBFPRINT_SENSORS {
        let path = fixtures(&format!("libfprint-usb/{sensor}/capture.png"));
        let image = image::open(&path)
            .unwrap_or_else(|e| panic!("decoding {}: {e}", path.display()))
            .to_luma8();
        let quality = finger_quality(&image, ppi);
        let sigma = 3.0 * ppi as f32 / 500.0;
        let blurred_quality = finger_quality(&blurred(&image, sigma), ppi);
        eprintln!(
            "{sensor}: {} (blurred {}), {:?}",
            quality.score, blurred_quality.score, quality.issues
        );
        // Real prints from small consumer sensors: never unusable noise, never a full rolled
        // print either. Most are partial (under 100 mm²) or faint, so they stay well below a
        // clean registration capture.
        assert!((15..=75).contains(&quality.score), "{sensor}: {quality:?}");
        assert!(
            (0.40..=0.70).contains(&quality.ridge_period_mm),
            "{sensor}: a human ridge period, {quality:?}"
        );
        // Blurred by sigma 0.15 mm (3 px at 500 ppi), about a third of a ridge period. (At 0.1 mm
        // the already poor elan print keeps its score: its ridges are unclear to begin with.)
        assert!(
            blurred_quality.score + 5 <= quality.score,
            "{sensor}: blurring should lower {} by 5 or more, gave {}",
            quality.score,
            blurred_quality.score
        );
        scored += 1;
    }
    assert_eq!(scored, 6);
}

#[test]
fn the_same_finger_at_twice_the_resolution_scores_alike() {
    let good = good_finger();
    let at_500 = finger_quality(&good.image, 500);
    let doubled = imageops::resize(&good.image, 1000, 1200, imageops::FilterType::Triangle);
    let at_1000 = finger_quality(&doubled, 1000);
    // Blocks, ridge band and area all scale with the resolution given.
    assert!(
        (at_1000.ridge_period_mm / at_500.ridge_period_mm - 1.0).abs() < 0.1,
        "{at_500:?}\n{at_1000:?}"
    );
    assert!(
        (at_1000.foreground_area_mm2 / at_500.foreground_area_mm2 - 1.0).abs() < 0.1,
        "{at_500:?}\n{at_1000:?}"
    );
    assert!(at_1000.score.abs_diff(at_500.score) <= 8, "{at_500:?}\n{at_1000:?}");
    // The same image claimed to be 1000 ppi at its own size has ridges twice too fine for a human.
    let misdeclared = finger_quality(&good.image, 1000);
    assert!(
        misdeclared.issues.contains(&QualityIssue::RidgeSpacingImplausible),
        "{misdeclared:?}"
    );
}
