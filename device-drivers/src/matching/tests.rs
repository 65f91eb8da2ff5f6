//! Tests of extraction and comparison: score distributions of genuine and impostor pairs on
//! synthetic prints, a real sensor's image, and the edge cases.
//!
//! The prints are synthetic, from our own simulator (`crate::simulated`): each person's finger
//! has a fixed ridge pattern and each capture is a new impression of it (placement, pressure,
//! moisture, grain). Testing a matcher on synthetic prints is standard practice (SFinGe-style);
//! the rates measured here say the code works as designed, not how it does on real fingers.
//!
//! Deliberately absent: timing assertions (the extraction time is printed, for the record).

use std::path::{Path, PathBuf};
use std::time::Instant;

use image::GrayImage;
use rand::SeedableRng;

use super::*;
use crate::simulated::impression::{render_finger, Impression};
use crate::simulated::{SimulatedPerson, SimulatedQuality};
use crate::Position;

/// One capture of a simulated person's finger; `capture` numbers the impressions.
fn finger_image(person: &SimulatedPerson, position: Position, quality: SimulatedQuality, capture: u64) -> GrayImage {
    let mut rng = rand::rngs::StdRng::seed_from_u64(person.seed() * 1000 + position as u64 * 10 + capture);
    render_finger(&person.finger(position), &Impression::typical(quality, &mut rng))
}

/// The shared fixtures folder, or `None` (said on the output) when it is absent.
fn fixtures(relative: &str) -> Option<PathBuf> {
    let root = std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let path = root.join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: fixture {} is absent: put ../shared/fixtures beside the repo or set ENROLL_FIXTURES",
            path.display()
        );
        None
    }
}

fn summary(scores: &[u32]) -> String {
    let mut sorted = scores.to_vec();
    sorted.sort_unstable();
    let at = |q: f32| sorted[((sorted.len() - 1) as f32 * q).round() as usize];
    format!(
        "n={} min={} p10={} median={} p90={} max={} all={sorted:?}",
        sorted.len(),
        at(0.0),
        at(0.1),
        at(0.5),
        at(0.9),
        at(1.0)
    )
}

#[test]
fn genuine_and_impostor_scores_separate() {
    // Debug builds compile this crate unoptimised: a smaller sample keeps `cargo test` quick.
    // 5 people x 2 fingers x 3 captures (about 15 s) in debug, 12 x 2 x 4 in release.
    let (people, impressions) = if cfg!(debug_assertions) { (5, 3) } else { (12, 4) };
    let positions = [Position::RightIndex, Position::LeftThumb];
    let mut templates: Vec<Vec<FingerTemplate>> = Vec::new();
    let mut failures = 0;
    let started = Instant::now();
    for seed in 0..people {
        let person = SimulatedPerson::new(1000 + seed);
        for position in positions {
            let mut finger = Vec::new();
            for capture in 0..impressions {
                // The reference as an enrolment takes it, the probes as a sign-off might.
                let quality = if capture == 0 {
                    SimulatedQuality::Good
                } else {
                    SimulatedQuality::Fair
                };
                match extract(&finger_image(&person, position, quality, capture), 500) {
                    Ok(template) => finger.push(template),
                    Err(error) => {
                        eprintln!("person {seed} {position:?} capture {capture}: {error}");
                        failures += 1;
                    }
                }
            }
            templates.push(finger);
        }
    }
    eprintln!(
        "{} images in {:?}; {failures} refused",
        people as usize * positions.len() * impressions as usize,
        started.elapsed()
    );
    let counts: Vec<u32> = templates.iter().flatten().map(|t| t.minutiae.len() as u32).collect();
    eprintln!("minutiae per template: {}", summary(&counts));

    let mut genuine = Vec::new();
    for finger in &templates {
        for a in 0..finger.len() {
            for b in a + 1..finger.len() {
                genuine.push(compare(&finger[b], &finger[a]));
            }
        }
    }
    // Every later capture of a finger against the first capture of every other finger: other
    // people's, and the same person's other finger.
    let mut impostor = Vec::new();
    for (a, finger_a) in templates.iter().enumerate() {
        for (b, finger_b) in templates.iter().enumerate() {
            let Some(reference) = finger_b.first() else {
                continue;
            };
            if a != b {
                for probe in finger_a.iter().skip(1) {
                    impostor.push(compare(probe, reference));
                }
            }
        }
    }
    eprintln!("genuine:  {}", summary(&genuine));
    eprintln!("impostor: {}", summary(&impostor));
    let false_matches = impostor.iter().filter(|&&s| s >= MATCH_THRESHOLD).count();
    let false_non_matches = genuine.iter().filter(|&&s| s < MATCH_THRESHOLD).count() + failures;
    eprintln!(
        "at threshold {MATCH_THRESHOLD}: {false_matches} of {} impostor pairs match, {false_non_matches} of {} genuine \
         pairs or captures fail",
        impostor.len(),
        genuine.len() + failures
    );
    assert!(genuine.len() >= 30 && impostor.len() >= 100, "sample too small");
    assert_eq!(false_matches, 0, "an impostor pair scored at or above the threshold");
    assert!(
        false_non_matches * 20 <= genuine.len() + failures,
        "more than 5% of genuine pairs fail: {false_non_matches}"
    );
}

#[test]
fn extraction_time_is_reported() {
    let person = SimulatedPerson::new(77);
    let image = finger_image(&person, Position::RightMiddle, SimulatedQuality::Good, 0);
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let template = extract(&image, 500).expect("a good capture gives a template");
        times.push(started.elapsed());
        found = template.minutiae.len();
    }
    times.sort();
    eprintln!(
        "extracted {found} minutiae from {}x{}: fastest {:?}, median {:?} of 5 ({} build)",
        image.width(),
        image.height(),
        times[0],
        times[2],
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    assert!(found >= minutiae::MIN_MINUTIAE);
    let template = extract(&image, 500).expect("a good capture gives a template");
    let started = Instant::now();
    let score = compare(&template, &template);
    eprintln!(
        "one comparison of {score} minutiae with themselves: {:?}",
        started.elapsed()
    );
}

#[test]
fn a_capture_at_another_resolution_matches_its_500_ppi_capture() {
    // The same capture as a 400 ppi scanner would deliver it: resampled to 500 ppi for
    // extraction, its minutiae given back in its own pixels, compared at 500 ppi.
    let person = SimulatedPerson::new(31);
    let image = finger_image(&person, Position::LeftIndex, SimulatedQuality::Good, 0);
    let reference = extract(&image, 500).expect("a good capture gives a template");
    let smaller = image::imageops::resize(&image, 320, 400, image::imageops::FilterType::Triangle);
    let probe = extract(&smaller, 400).expect("the 400 ppi capture gives a template");
    assert_eq!((probe.width, probe.height, probe.ppi), (320, 400, 400));
    assert!(probe.minutiae.iter().all(|m| m.x < 320 && m.y < 400));
    let score = compare(&probe, &reference);
    eprintln!("400 ppi against 500 ppi: {score} (threshold {MATCH_THRESHOLD})");
    assert!(score >= MATCH_THRESHOLD, "{score}");
}

#[test]
fn a_template_compared_with_itself_scores_its_minutiae_and_with_nothing_zero() {
    let person = SimulatedPerson::new(5);
    let template = extract(
        &finger_image(&person, Position::LeftIndex, SimulatedQuality::Good, 0),
        500,
    )
    .expect("a good capture gives a template");
    let own = compare(&template, &template);
    assert_eq!(own, template.minutiae.len() as u32, "every minutia pairs with itself");
    assert!(own >= 3 * MATCH_THRESHOLD, "{own} is not far above {MATCH_THRESHOLD}");
    let empty = FingerTemplate {
        minutiae: Vec::new(),
        ..template.clone()
    };
    assert_eq!(compare(&template, &empty), 0);
    assert_eq!(compare(&empty, &template), 0);
    assert_eq!(compare(&empty, &empty), 0);
}

#[test]
fn a_moved_template_still_matches_and_survives_serde() {
    // The same minutiae turned by 30 degrees about a point and shifted, as a finger placed
    // differently would give: the alignment must find them all.
    let person = SimulatedPerson::new(6);
    let template = extract(
        &finger_image(&person, Position::RightThumb, SimulatedQuality::Good, 0),
        500,
    )
    .expect("a good capture gives a template");
    let (sin, cos) = 30f32.to_radians().sin_cos();
    let moved = FingerTemplate {
        width: 600,
        height: 600,
        minutiae: template
            .minutiae
            .iter()
            .map(|m| {
                let (x, y) = (m.x as f32 - 200.0, m.y as f32 - 250.0);
                Minutia {
                    x: (cos * x - sin * y + 300.0).round() as u16,
                    y: (sin * x + cos * y + 300.0).round() as u16,
                    angle: (m.angle + 30f32.to_radians()).rem_euclid(std::f32::consts::TAU),
                    ..*m
                }
            })
            .collect(),
        ..template.clone()
    };
    let score = compare(&moved, &template);
    assert!(
        score + 2 >= template.minutiae.len() as u32,
        "{score} of {} minutiae found again",
        template.minutiae.len()
    );
    let json = serde_json::to_string(&template).expect("serialises");
    let back: FingerTemplate = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, template);
}

#[test]
fn blank_tiny_and_off_range_images_are_refused_with_their_codes() {
    let code = |result: Result<FingerTemplate, DeviceError>| match result {
        Err(error) => error.code(),
        Ok(template) => panic!("refusal expected, got {} minutiae", template.minutiae.len()),
    };
    let blank = GrayImage::from_pixel(400, 500, image::Luma([236]));
    assert_eq!(code(extract(&blank, 500)), FINGERPRINT_NO_RIDGES);
    let black = GrayImage::from_pixel(400, 500, image::Luma([0]));
    assert_eq!(code(extract(&black, 500)), FINGERPRINT_NO_RIDGES);
    let tiny = GrayImage::from_pixel(40, 40, image::Luma([128]));
    assert_eq!(code(extract(&tiny, 500)), FINGERPRINT_IMAGE_SIZE);
    let empty = GrayImage::new(0, 0);
    assert_eq!(code(extract(&empty, 500)), FINGERPRINT_IMAGE_SIZE);
    let slap_sized = GrayImage::from_pixel(1600, 1500, image::Luma([236]));
    assert_eq!(code(extract(&slap_sized, 500)), FINGERPRINT_IMAGE_SIZE);
    let person = SimulatedPerson::new(9);
    let finger = finger_image(&person, Position::RightIndex, SimulatedQuality::Good, 0);
    assert_eq!(code(extract(&finger, 100)), FINGERPRINT_RESOLUTION_UNSUPPORTED);
    // A strip of ridges too narrow to hold twelve trustworthy minutiae.
    let strip = image::imageops::crop_imm(&finger, 120, 150, 120, 120).to_image();
    assert_eq!(code(extract(&strip, 500)), FINGERPRINT_TOO_FEW_MINUTIAE);
    // Pure noise has spread but no ridge flow: refused one way or the other, never a template.
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let noise = GrayImage::from_fn(400, 500, |_, _| image::Luma([rand::Rng::gen::<u8>(&mut rng)]));
    assert!(extract(&noise, 500).is_err(), "noise gave a template");
}

#[test]
fn an_unusable_capture_is_refused() {
    // The simulator's "low quality" failure: a faint, smudged touch of the tip at the glass's
    // edge.
    let person = SimulatedPerson::new(12);
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    let image = render_finger(&person.finger(Position::RightIndex), &Impression::unusable(&mut rng));
    let result = extract(&image, 500);
    assert!(result.is_err(), "{:?}", result.map(|t| t.minutiae.len()));
}

#[test]
fn real_sensor_images_give_a_template_or_a_clear_refusal() {
    let sensors = ["aes3500", "egis0570", "elan", "nb1010", "upektc_img", "vfs0050"];
    for sensor in sensors {
        let Some(path) = fixtures(&format!("libfprint-usb/{sensor}/capture.png")) else {
            continue;
        };
        let image = image::open(&path).expect("the fixture is a PNG").to_luma8();
        // libfprint does not record these sensors' resolutions; most are near 500 ppi.
        match extract(&image, 500) {
            Ok(template) => {
                let own = compare(&template, &template);
                eprintln!(
                    "{sensor} ({}x{}): {} minutiae, self-score {own}",
                    image.width(),
                    image.height(),
                    template.minutiae.len()
                );
                assert!(own >= MATCH_THRESHOLD, "{sensor}: self-score {own}");
                // The same real print turned a quarter turn (exactly, no resampling) must still
                // be found: rotation invariance on a real sensor's ridges.
                let turned =
                    extract(&image::imageops::rotate90(&image), 500).expect("the turned print gives a template too");
                let score = compare(&turned, &template);
                eprintln!("{sensor}: turned a quarter, score {score}");
                assert!(score >= MATCH_THRESHOLD, "{sensor}: turned score {score}");
                for m in &template.minutiae {
                    assert!(u32::from(m.x) < image.width() && u32::from(m.y) < image.height());
                }
            }
            Err(error) => {
                eprintln!("{sensor} ({}x{}): {error}", image.width(), image.height());
                assert!(
                    [
                        FINGERPRINT_TOO_FEW_MINUTIAE,
                        FINGERPRINT_NO_RIDGES,
                        FINGERPRINT_IMAGE_SIZE
                    ]
                    .contains(&error.code()),
                    "{sensor}: unexpected refusal {}",
                    error.code()
                );
            }
        }
    }
}

#[test]
fn poor_captures_never_match_another_finger() {
    // Poor captures (a partial touch low on the glass, faint, blurred, very dry or wet; up to
    // 15 degrees of rotation) against good references: a false match must stay impossible;
    // how many genuine pairs fail is measured and printed, not asserted, since the station
    // asks for a new capture when quality is poor.
    let people = if cfg!(debug_assertions) { 3 } else { 10 };
    let mut references = Vec::new();
    let mut probes = Vec::new();
    let mut refused = 0;
    for seed in 0..people {
        let person = SimulatedPerson::new(2000 + seed);
        let position = Position::RightMiddle;
        references
            .push(extract(&finger_image(&person, position, SimulatedQuality::Good, 0), 500).expect("a good capture"));
        let mut finger = Vec::new();
        for capture in 1..3 {
            match extract(&finger_image(&person, position, SimulatedQuality::Poor, capture), 500) {
                Ok(template) => finger.push(template),
                Err(error) => {
                    eprintln!("poor capture refused: {error}");
                    refused += 1;
                }
            }
        }
        probes.push(finger);
    }
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for (a, finger) in probes.iter().enumerate() {
        for probe in finger {
            for (b, reference) in references.iter().enumerate() {
                let score = compare(probe, reference);
                if a == b {
                    genuine.push(score);
                } else {
                    impostor.push(score);
                }
            }
        }
    }
    eprintln!("poor genuine:  {}", summary(&genuine));
    eprintln!("poor impostor: {}", summary(&impostor));
    eprintln!(
        "poor captures: {refused} refused, {} of {} genuine pairs below the threshold",
        genuine.iter().filter(|&&s| s < MATCH_THRESHOLD).count(),
        genuine.len()
    );
    assert!(!impostor.is_empty(), "no impostor pair to judge");
    assert!(
        impostor.iter().all(|&s| s < MATCH_THRESHOLD),
        "a poor capture matched another finger"
    );
}
