//! Iris scores on a synthetic eye degraded step by step.

use super::*;

fn good_eye() -> synthetic::SyntheticEye {
    synthetic::eye(1)
}

#[test]
fn a_clean_synthetic_eye_is_found_and_passes_the_mosip_threshold() {
    let eye = good_eye();
    let quality = iris_quality(&eye.image);
    assert!(quality.score > MOSIP_IRIS_THRESHOLD + 20, "{quality:?}");
    assert!(quality.issues.is_empty(), "{quality:?}");
    let pupil = quality.pupil.expect("the pupil is found");
    let iris = quality.iris.expect("the limbus is found");
    // Within 4 pixels of where it was drawn, radius within 10 %.
    assert!(
        (pupil.x - eye.pupil.0).hypot(pupil.y - eye.pupil.1) < 4.0,
        "{pupil:?} vs {:?}",
        eye.pupil
    );
    assert!(
        (pupil.radius / eye.pupil.2 - 1.0).abs() < 0.1,
        "{pupil:?} vs {:?}",
        eye.pupil
    );
    assert!(
        (iris.x - eye.iris.0).hypot(iris.y - eye.iris.1) < 8.0,
        "{iris:?} vs {:?}",
        eye.iris
    );
    assert!(
        (iris.radius / eye.iris.2 - 1.0).abs() < 0.1,
        "{iris:?} vs {:?}",
        eye.iris
    );
    // The upper lid and its lashes hide a little of the top of the iris, not more.
    assert!((0.85..1.0).contains(&quality.usable_iris_area), "{quality:?}");
}

#[test]
fn iris_score_falls_steadily_as_the_image_is_blurred() {
    let eye = good_eye();
    let results: Vec<_> = BLUR_SIGMAS
        .iter()
        .map(|&s| iris_quality(&blurred(&eye.image, s)))
        .collect();
    let scores: Vec<u8> = results.iter().map(|q| q.score).collect();
    assert_falls("iris blurred by sigma 0, 1, 2, 4", &scores, 4);
    assert!(
        scores[2] < MOSIP_IRIS_THRESHOLD + 15 && scores[3] < MOSIP_IRIS_THRESHOLD,
        "{scores:?}"
    );
    assert!(results[3].issues.contains(&QualityIssue::Blurred), "{:?}", results[3]);
}

#[test]
fn iris_score_falls_steadily_as_less_of_the_iris_is_kept() {
    let eye = good_eye();
    let (iris_x, iris_radius) = (eye.iris.0, eye.iris.2);
    // The frame's right edge moves in over the iris: at 80 %, 60 % and 40 % of the radius right
    // of its centre (the pupil stays whole).
    let mut results = vec![iris_quality(&eye.image)];
    for kept in [0.8f32, 0.6, 0.4] {
        let width = (iris_x + kept * iris_radius) as u32;
        results.push(iris_quality(&cropped(&eye.image, 0, 0, width, eye.image.height())));
    }
    let scores: Vec<u8> = results.iter().map(|q| q.score).collect();
    assert_falls("iris cut by the frame at 80, 60, 40 % of its radius", &scores, 2);
    let areas: Vec<f32> = results.iter().map(|q| q.usable_iris_area).collect();
    assert!(areas.windows(2).all(|w| w[1] < w[0]), "usable area {areas:?}");
    assert!(
        results[3].issues.contains(&QualityIssue::IrisOccluded),
        "{:?}",
        results[3]
    );
}

#[test]
fn iris_score_falls_steadily_as_the_image_is_darkened() {
    let eye = good_eye();
    let results: Vec<_> = GAINS.iter().map(|&g| iris_quality(&darkened(&eye.image, g))).collect();
    let scores: Vec<u8> = results.iter().map(|q| q.score).collect();
    assert_falls("iris darkened by gain 1.0, 0.6, 0.35, 0.15", &scores, 10);
    assert!(scores[2] < MOSIP_IRIS_THRESHOLD, "{scores:?}");
    assert!(results[3].issues.contains(&QualityIssue::TooDark), "{:?}", results[3]);
}

#[test]
fn a_flat_frame_and_noise_score_low_as_eyes() {
    let flat = iris_quality(&GrayImage::from_pixel(640, 480, Luma([128])));
    assert_eq!(
        (flat.score, flat.issues.clone()),
        (0, vec![QualityIssue::PupilNotFound])
    );
    let noise = iris_quality(&synthetic::noise(640, 480, 3));
    assert!(noise.score < 20, "{noise:?}");
}

#[test]
fn degenerate_eye_input_is_reported_not_a_panic() {
    for (width, height) in [(0, 0), (1, 1), (47, 480), (640, 20)] {
        let quality = iris_quality(&GrayImage::new(width, height));
        assert_eq!(
            (quality.score, quality.issues.clone()),
            (0, vec![QualityIssue::ImageTooSmall])
        );
    }
    // An eye shrunk to a quarter: the iris is too small for ISO/IEC 29794-6.
    let eye = good_eye();
    let small = imageops::resize(&eye.image, 160, 120, imageops::FilterType::Triangle);
    let quality = iris_quality(&small);
    assert!(quality.score < MOSIP_IRIS_THRESHOLD, "{quality:?}");
}

#[test]
fn a_washed_out_eye_is_reported_too_bright_not_too_dark() {
    let eye = good_eye();
    // Overexposed: every level multiplied by 3 and clipped, so most of the frame is white.
    let washed_out = GrayImage::from_fn(eye.image.width(), eye.image.height(), |x, y| {
        Luma([(eye.image.get_pixel(x, y)[0] as u32 * 3).min(255) as u8])
    });
    let quality = iris_quality(&washed_out);
    assert!(quality.score < iris_quality(&eye.image).score, "{quality:?}");
    assert!(!quality.issues.contains(&QualityIssue::TooDark), "{quality:?}");
    assert!(quality.issues.contains(&QualityIssue::TooBright), "{quality:?}");
}
