//! Image quality scores on images whose defects are known: each score falls steadily as a good
//! image is blurred, cropped and darkened; flat frames and noise score low; good images pass the
//! MOSIP default thresholds; and the real fingerprints of six USB sensors score plausibly.

mod synthetic;

use std::path::{Path, PathBuf};

use enroll_devices::quality::{face_assessment, face_quality, finger_quality, iris_quality, QualityIssue};
use image::{imageops, GrayImage, Luma};

/// MOSIP's default capture thresholds (registration client `mosip.registration.*_threshold`).
const MOSIP_FINGER_THRESHOLD: u8 = 40;
const MOSIP_IRIS_THRESHOLD: u8 = 60;
const MOSIP_FACE_THRESHOLD: u8 = 90;

/// Blur strengths (Gaussian sigma, pixels) and exposure gains of the degradation series.
const BLUR_SIGMAS: [f32; 4] = [0.0, 1.0, 2.0, 4.0];
const GAINS: [f32; 4] = [1.0, 0.6, 0.35, 0.15];

fn blurred(image: &GrayImage, sigma: f32) -> GrayImage {
    if sigma == 0.0 {
        image.clone()
    } else {
        imageops::blur(image, sigma)
    }
}

fn darkened(image: &GrayImage, gain: f32) -> GrayImage {
    GrayImage::from_fn(image.width(), image.height(), |x, y| {
        Luma([(image.get_pixel(x, y)[0] as f32 * gain).round() as u8])
    })
}

fn cropped(image: &GrayImage, x: u32, y: u32, width: u32, height: u32) -> GrayImage {
    imageops::crop_imm(image, x, y, width, height).to_image()
}

/// Each score is lower than the one before by at least `min_step`.
fn assert_falls(series: &str, scores: &[u8], min_step: u8) {
    for pair in scores.windows(2) {
        assert!(
            pair[1] + min_step <= pair[0],
            "{series}: scores {scores:?} should fall by at least {min_step} at each step"
        );
    }
}

/// The shared fixtures folder. A missing fixture fails the test with a clear message.
fn fixtures(relative: &str) -> PathBuf {
    let root = std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let path = root.join(relative);
    assert!(
        path.exists(),
        "fixture {} is absent: put ../shared/fixtures beside the repo or set ENROLL_FIXTURES",
        path.display()
    );
    path
}

mod face;
mod finger;
mod iris;

#[test]
fn issue_codes_are_distinct_snake_case() {
    let all = [
        QualityIssue::ImageTooSmall,
        QualityIssue::ResolutionUnsupported,
        QualityIssue::TooLittleFinger,
        QualityIssue::NoRidgeFlow,
        QualityIssue::RidgesUnclear,
        QualityIssue::RidgeSpacingImplausible,
        QualityIssue::TooDark,
        QualityIssue::TooBright,
        QualityIssue::LowContrast,
        QualityIssue::Blurred,
        QualityIssue::PupilNotFound,
        QualityIssue::IrisNotFound,
        QualityIssue::IrisOccluded,
        QualityIssue::IrisTooSmall,
        QualityIssue::PupilIrisRatioImplausible,
        QualityIssue::EyesNotFound,
        QualityIssue::FaceNotFrontal,
        QualityIssue::UnevenLighting,
        QualityIssue::FaceCutOff,
    ];
    let mut codes: Vec<&str> = all.iter().map(|i| i.code()).collect();
    assert!(codes
        .iter()
        .all(|c| c.starts_with("quality_") && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), all.len(), "every issue has its own code");
}

#[test]
fn face_quality_is_the_score_of_the_face_assessment() {
    let face = synthetic::face(1);
    assert_eq!(face_quality(&face.image), face_assessment(&face.image).score);
}

#[test]
fn odd_image_shapes_are_scored_without_panicking() {
    // Thin, tiny and just-large-enough frames, flat and noisy: every score stays on its scale.
    let shapes = [
        (1, 1000),
        (1000, 1),
        (8, 8),
        (40, 40),
        (48, 48),
        (49, 50),
        (64, 33),
        (33, 64),
        (100, 3000),
    ];
    let mut scored = 0;
    for (width, height) in shapes {
        for image in [
            GrayImage::from_pixel(width, height, Luma([200])),
            synthetic::noise(width, height, 9),
        ] {
            for ppi in [125, 500, 2000] {
                assert!(finger_quality(&image, ppi).score <= 100);
            }
            assert!(iris_quality(&image).score <= 100);
            assert!(face_assessment(&image).score <= 100);
            scored += 1;
        }
    }
    assert_eq!(scored, 2 * shapes.len());
}
