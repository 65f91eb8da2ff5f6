//! The simulated devices as the station sees them through the capture model: images a quality
//! scorer and a clerk can work with, the same person recognisable between captures, failures
//! staged on demand, cancellation, and the simulated label everywhere.

mod measure;

use std::ops::ControlFlow;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use enroll_devices::simulated::finger::{FINGER_HEIGHT, FINGER_WIDTH};
use enroll_devices::simulated::iris::{EYE_HEIGHT, EYE_WIDTH};
use enroll_devices::simulated::slap::{SLAP_HEIGHT, SLAP_WIDTH};
use enroll_devices::simulated::{
    SimulatedBackend, SimulatedFailure, SimulatedQuality, SimulatedSlapScanner, SimulationHandle, SimulationSettings,
};
use enroll_devices::{
    BiometricDevice, CancelToken, Capture, CaptureRequest, CaptureStep, CapturedData, DeviceBackend, DeviceStatus,
    FrameFormat, Modality, Position,
};
use image::GrayImage;

/// Settings for tests: no latency, no preview pause.
fn quick(person_seed: u64, quality: SimulatedQuality) -> SimulationHandle {
    SimulationHandle::new(SimulationSettings {
        person_seed,
        quality,
        latency: Duration::ZERO,
        preview_interval: Duration::ZERO,
        ..SimulationSettings::default()
    })
}

fn request(step: CaptureStep, exceptions: &[Position]) -> CaptureRequest {
    CaptureRequest {
        step,
        exceptions: exceptions.to_vec(),
        requested_quality: 40,
        timeout: Duration::from_secs(60),
        transaction_id: "test".into(),
        previous_hash: None,
        subject: Default::default(),
    }
}

/// The backend's three devices by kind: slap scanner, iris camera, face camera.
fn devices(settings: &SimulationHandle) -> [Arc<dyn BiometricDevice>; 3] {
    let found = SimulatedBackend::new(settings.clone()).discover().unwrap();
    assert_eq!(found.len(), 3, "one slap scanner, one iris camera, one face camera");
    [found[0].clone(), found[1].clone(), found[2].clone()]
}

fn image_of(capture: &Capture) -> &GrayImage {
    match &capture.data {
        CapturedData::Image { image, .. } => image,
        CapturedData::IsoRecord(_) => panic!("simulated devices hand over images, not records"),
    }
}

/// One finger from a slap scanner (the step's other fingers marked as exceptions).
fn single_finger(scanner: &SimulatedSlapScanner, position: Position) -> GrayImage {
    let step = if matches!(position, Position::LeftThumb | Position::RightThumb) {
        CaptureStep::Thumbs
    } else if Position::FINGERS[..5].contains(&position) {
        CaptureStep::RightSlap
    } else {
        CaptureStep::LeftSlap
    };
    let others: Vec<Position> = step.positions().into_iter().filter(|p| *p != position).collect();
    let result = scanner.capture(&request(step, &others), &CancelToken::new()).unwrap();
    assert_eq!(result.captures.len(), 1);
    image_of(&result.captures[0]).clone()
}

#[test]
fn discovery_finds_one_of_each_labelled_simulated() {
    let settings = quick(1, SimulatedQuality::Good);
    let ids: Vec<String> = devices(&settings).iter().map(|d| d.descriptor().id).collect();
    assert_eq!(ids, ["sim:finger-slap", "sim:iris-double", "sim:face"]);
    for device in devices(&settings) {
        let descriptor = device.descriptor();
        assert!(descriptor.info.simulated, "{} must say it is simulated", descriptor.id);
        assert_eq!(descriptor.info.make, "Simulated");
        assert_eq!(descriptor.status, DeviceStatus::Ready);
    }
}

#[test]
fn finger_ridges_have_a_500_ppi_period() {
    let image = single_finger(
        &SimulatedSlapScanner::new("SIM-TEST", quick(21, SimulatedQuality::Good)),
        Position::RightIndex,
    );
    assert_eq!((image.width(), image.height()), (FINGER_WIDTH, FINGER_HEIGHT));
    // Blocks around the middle of the finger, where it always touches the glass.
    for (x, y) in [(168, 238), (136, 300), (200, 300), (168, 350)] {
        let period = measure::dominant_period(&measure::crop(&image, x, y, 64), 64);
        assert!(
            (7.5..=11.5).contains(&period),
            "ridge period {period:.2} px at ({x}, {y}) is outside 0.38..0.58 mm"
        );
    }
}

#[test]
fn finger_images_have_ridge_endings_and_bifurcations() {
    let image = single_finger(
        &SimulatedSlapScanner::new("SIM-TEST", quick(22, SimulatedQuality::Good)),
        Position::LeftMiddle,
    );
    let (endings, bifurcations) = measure::minutiae(&measure::crop(&image, 100, 170, 200), 200);
    // A 10 x 10 mm area of a real print holds a few dozen minutiae.
    assert!(
        endings >= 3 && bifurcations >= 3,
        "{endings} endings, {bifurcations} bifurcations"
    );
    assert!(
        endings + bifurcations <= 150,
        "{endings} endings, {bifurcations} bifurcations: noise, not ridges"
    );

    // The counter itself finds none on straight, unbroken ridges of the same period.
    let lines = GrayImage::from_fn(200, 200, |_, y| image::Luma([if (y / 5) % 2 == 0 { 40 } else { 220 }]));
    assert_eq!(measure::minutiae(&measure::crop(&lines, 0, 0, 200), 200), (0, 0));
}

#[test]
fn the_same_finger_correlates_far_more_than_different_fingers() {
    let settings = quick(23, SimulatedQuality::Good);
    let scanner = SimulatedSlapScanner::new("SIM-TEST", settings.clone());
    let first = single_finger(&scanner, Position::LeftIndex);
    let again = single_finger(&scanner, Position::LeftIndex);
    let other_finger = single_finger(&scanner, Position::LeftRing);
    settings.update(|s| s.person_seed = 24);
    let other_person = single_finger(&scanner, Position::LeftIndex);
    assert!(first != again, "two captures of one finger are not the same image");

    let (x, y, size) = (152, 222, 96);
    let template = measure::crop(&first, x, y, size);
    let same = measure::best_correlation(&template, size, &again, x, y, 20);
    let different_finger = measure::best_correlation(&template, size, &other_finger, x, y, 20);
    let different_person = measure::best_correlation(&template, size, &other_person, x, y, 20);
    assert!(same > 0.5, "same finger: {same}");
    assert!(
        same > different_finger + 0.25 && same > different_person + 0.25,
        "same {same}, other finger {different_finger}, other person {different_person}"
    );
}

#[test]
fn a_slap_returns_the_expected_fingers_minus_exceptions() {
    let settings = quick(31, SimulatedQuality::Good);
    let [scanner, ..] = devices(&settings);
    let left_slap = request(CaptureStep::LeftSlap, &[Position::LeftRing]);
    let result = scanner.capture(&left_slap, &CancelToken::new()).unwrap();
    let positions: Vec<Position> = result.captures.iter().map(|c| c.position).collect();
    assert_eq!(
        positions,
        [Position::LeftIndex, Position::LeftMiddle, Position::LeftLittle]
    );
    assert_eq!(positions, left_slap.expected_positions());
    assert!(result.device.simulated);
    for capture in &result.captures {
        match &capture.data {
            CapturedData::Image { image, ppi } => {
                assert_eq!(*ppi, 500);
                assert_eq!((image.width(), image.height()), (FINGER_WIDTH, FINGER_HEIGHT));
            }
            CapturedData::IsoRecord(_) => panic!("expected an image"),
        }
        assert_eq!(capture.signature, None);
    }

    let thumbs = scanner
        .capture(&request(CaptureStep::Thumbs, &[]), &CancelToken::new())
        .unwrap();
    let positions: Vec<Position> = thumbs.captures.iter().map(|c| c.position).collect();
    assert_eq!(positions, [Position::LeftThumb, Position::RightThumb]);
}

#[test]
fn slap_image_only_returns_the_whole_slap_under_the_first_expected_position() {
    let settings = quick(32, SimulatedQuality::Good);
    settings.update(|s| s.slap_image_only = true);
    let [scanner, ..] = devices(&settings);
    let result = scanner
        .capture(
            &request(CaptureStep::RightSlap, &[Position::RightIndex]),
            &CancelToken::new(),
        )
        .unwrap();
    assert_eq!(result.captures.len(), 1);
    assert_eq!(result.captures[0].position, Position::RightMiddle);
    let image = image_of(&result.captures[0]);
    assert_eq!((image.width(), image.height()), (SLAP_WIDTH, SLAP_HEIGHT));

    // The scanner says where it put each finger, and there is a finger there: dark ridges.
    let slap = SimulatedSlapScanner::new("SIM-TEST", settings.clone())
        .capture_slap(CaptureStep::RightSlap, &[Position::RightIndex])
        .unwrap();
    assert_eq!(slap.placements.len(), 3);
    let background = measure::crop(&slap.image, 0, SLAP_HEIGHT - 64, 64);
    let background_dark = background.iter().filter(|v| **v < 128.0).count();
    assert_eq!(background_dark, 0, "the bottom-left corner of the glass is empty");
    for placement in &slap.placements {
        let (cx, cy) = (placement.centre.0 as u32, placement.centre.1 as u32);
        let block = measure::crop(&slap.image, cx - 32, cy - 32, 64);
        let dark = block.iter().filter(|v| **v < 128.0).count();
        assert!(
            dark > 64 * 64 / 5,
            "{:?}: only {dark} dark pixels at its centre",
            placement.position
        );
    }
}

#[test]
fn irises_and_faces_come_at_their_sizes_one_per_position() {
    let settings = quick(41, SimulatedQuality::Good);
    let [_, iris, face] = devices(&settings);
    let eyes = iris
        .capture(&request(CaptureStep::BothIrises, &[]), &CancelToken::new())
        .unwrap();
    let positions: Vec<Position> = eyes.captures.iter().map(|c| c.position).collect();
    assert_eq!(positions, [Position::LeftIris, Position::RightIris]);
    assert!(eyes.device.simulated);
    for capture in &eyes.captures {
        let image = image_of(capture);
        assert_eq!((image.width(), image.height()), (EYE_WIDTH, EYE_HEIGHT));
    }
    assert!(
        image_of(&eyes.captures[0]) != image_of(&eyes.captures[1]),
        "each eye has its own texture"
    );
    let right = iris
        .capture(&request(CaptureStep::RightIris, &[]), &CancelToken::new())
        .unwrap();
    assert_eq!(right.captures.len(), 1);
    assert_eq!(right.captures[0].position, Position::RightIris);

    let portrait = face
        .capture(&request(CaptureStep::Face, &[]), &CancelToken::new())
        .unwrap();
    assert_eq!(portrait.captures.len(), 1);
    assert!(portrait.device.simulated);
    let image = image_of(&portrait.captures[0]);
    assert_eq!((image.width(), image.height()), (480, 640));

    let error = face
        .capture(&request(CaptureStep::LeftSlap, &[]), &CancelToken::new())
        .unwrap_err();
    assert_eq!(error.code(), "device_unsupported_step");
}

/// Mean quality of one capture of every step a device takes.
fn mean_quality(device: &dyn BiometricDevice, step: CaptureStep) -> f32 {
    let result = device.capture(&request(step, &[]), &CancelToken::new()).unwrap();
    assert!(!result.captures.is_empty());
    result.captures.iter().map(|c| c.quality as f32).sum::<f32>() / result.captures.len() as f32
}

#[test]
fn poor_settings_score_lower_than_good_ones() {
    for (index, step) in [CaptureStep::Thumbs, CaptureStep::BothIrises, CaptureStep::Face]
        .into_iter()
        .enumerate()
    {
        let settings = quick(51, SimulatedQuality::Good);
        let device = devices(&settings)[index].clone();
        // MOSIP's default thresholds, which the station's policy uses.
        let threshold = match step.modality() {
            Modality::Finger => 40,
            Modality::Iris => 60,
            Modality::Face => 90,
        };
        let good = mean_quality(device.as_ref(), step);
        assert!(
            good >= threshold as f32,
            "{step:?}: good captures score {good}, under {threshold}"
        );
        settings.update(|s| s.quality = SimulatedQuality::Poor);
        let poor = mean_quality(device.as_ref(), step);
        assert!(poor + 15.0 < good, "{step:?}: poor {poor} against good {good}");
        settings.update(|s| s.failure = SimulatedFailure::LowQuality);
        let result = device.capture(&request(step, &[]), &CancelToken::new()).unwrap();
        for capture in &result.captures {
            assert!(
                capture.quality < threshold,
                "{step:?}: a staged low-quality capture scored {} against a threshold of {threshold}",
                capture.quality
            );
        }
    }
}

#[test]
fn each_staged_failure_yields_its_error_code() {
    let settings = quick(61, SimulatedQuality::Good);
    let [scanner, iris, face] = devices(&settings);
    let cases = [
        (SimulatedFailure::Busy, "device_busy"),
        (SimulatedFailure::Timeout, "capture_timeout"),
        (SimulatedFailure::UnpluggedMidCapture, "device_not_connected"),
    ];
    for (failure, code) in cases {
        settings.update(|s| {
            s.failure = failure;
            s.latency = Duration::from_millis(20);
        });
        for (device, step) in [
            (&scanner, CaptureStep::LeftSlap),
            (&iris, CaptureStep::BothIrises),
            (&face, CaptureStep::Face),
        ] {
            let mut staged = request(step, &[]);
            staged.timeout = Duration::from_millis(50);
            let error = device.capture(&staged, &CancelToken::new()).unwrap_err();
            assert_eq!(error.code(), code, "{failure:?} on {step:?}: {error}");
        }
    }

    // A latency beyond the request's timeout is a timeout too.
    settings.update(|s| {
        s.failure = SimulatedFailure::None;
        s.latency = Duration::from_secs(60);
    });
    let mut impatient = request(CaptureStep::Face, &[]);
    impatient.timeout = Duration::from_millis(30);
    assert_eq!(
        face.capture(&impatient, &CancelToken::new()).unwrap_err().code(),
        "capture_timeout"
    );
}

#[test]
fn unplugging_during_a_capture_ends_it_with_not_connected() {
    let settings = quick(62, SimulatedQuality::Good);
    settings.update(|s| s.latency = Duration::from_secs(120));
    let [_, _, face] = devices(&settings);
    let capturing = {
        let face = face.clone();
        thread::spawn(move || face.capture(&request(CaptureStep::Face, &[]), &CancelToken::new()))
    };
    // Wait until the capture holds the device, then pull the plug from the training screen.
    while face.descriptor().status != DeviceStatus::Busy {
        thread::sleep(Duration::from_millis(5));
    }
    let second = face
        .capture(&request(CaptureStep::Face, &[]), &CancelToken::new())
        .unwrap_err();
    assert_eq!(second.code(), "device_busy", "a second capture while one runs");
    settings.update(|s| s.failure = SimulatedFailure::UnpluggedMidCapture);
    let error = capturing.join().unwrap().unwrap_err();
    assert_eq!(error.code(), "device_not_connected");
}

#[test]
fn a_cancelled_capture_returns_cancelled_promptly() {
    let settings = quick(71, SimulatedQuality::Good);
    settings.update(|s| s.latency = Duration::from_secs(300));
    let [scanner, ..] = devices(&settings);
    let cancel = CancelToken::new();
    let canceller = {
        let cancel = cancel.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            cancel.cancel();
        })
    };
    let started = Instant::now();
    let error = scanner
        .capture(&request(CaptureStep::RightSlap, &[]), &cancel)
        .unwrap_err();
    canceller.join().unwrap();
    assert_eq!(error.code(), "capture_cancelled");
    // Against a latency of 300 s, anything under a minute is the cancel, not the latency.
    assert!(started.elapsed() < Duration::from_secs(60));

    // A token cancelled before the call stops it at once, and the device is free again.
    let error = scanner
        .capture(&request(CaptureStep::RightSlap, &[]), &cancel)
        .unwrap_err();
    assert_eq!(error.code(), "capture_cancelled");
    assert_eq!(scanner.descriptor().status, DeviceStatus::Ready);
}

#[test]
fn previews_stream_png_frames_until_told_to_stop() {
    let settings = quick(81, SimulatedQuality::Good);
    for (device, step) in
        devices(&settings)
            .into_iter()
            .zip([CaptureStep::Thumbs, CaptureStep::LeftIris, CaptureStep::Face])
    {
        let mut frames = Vec::new();
        device
            .preview(
                step,
                &mut |frame| {
                    frames.push(frame);
                    if frames.len() == 3 {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
                &CancelToken::new(),
            )
            .unwrap();
        assert_eq!(frames.len(), 3, "{step:?}");
        for frame in &frames {
            assert_eq!(frame.format, FrameFormat::Png);
            assert_eq!(&frame.bytes[..8], b"\x89PNG\r\n\x1a\n");
        }
        assert!(frames[0] != frames[2], "{step:?}: the picture settles between frames");
    }

    // Cancelling ends a preview without an error; an unplugged device ends it with one.
    let [_, iris, _] = devices(&settings);
    let cancel = CancelToken::new();
    let mut count = 0;
    iris.preview(
        CaptureStep::LeftIris,
        &mut |_| {
            count += 1;
            cancel.cancel();
            ControlFlow::Continue(())
        },
        &cancel,
    )
    .unwrap();
    assert_eq!(count, 1);
    settings.update(|s| s.failure = SimulatedFailure::UnpluggedMidCapture);
    let error = iris
        .preview(
            CaptureStep::LeftIris,
            &mut |_| ControlFlow::Continue(()),
            &CancelToken::new(),
        )
        .unwrap_err();
    assert_eq!(error.code(), "device_not_connected");
}

/// The station's face threshold is MOSIP's 90, so a clerk with a good sitter in front of the
/// simulated camera must get past it at the first attempt, whoever sits (the sitters of the
/// station's tests among them) and whatever the random pose of the moment; a poor sitter must
/// not, or the retry and sign-off paths could never be trained on. Scored as the station
/// scores pixels (`quality::score`).
#[test]
fn a_good_sitter_reaches_the_face_threshold_and_a_poor_one_does_not() {
    const FACE_THRESHOLD: u8 = 90;
    let mut good_scores = Vec::new();
    let mut poor_scores = Vec::new();
    for person_seed in 0..16 {
        let settings = quick(person_seed, SimulatedQuality::Good);
        let face = devices(&settings)[2].clone();
        for (quality, captures, scores) in [
            (SimulatedQuality::Good, 2, &mut good_scores),
            (SimulatedQuality::Poor, 1, &mut poor_scores),
        ] {
            settings.update(|s| s.quality = quality);
            for _ in 0..captures {
                let result = face
                    .capture(&request(CaptureStep::Face, &[]), &CancelToken::new())
                    .unwrap();
                let capture = &result.captures[0];
                let station = enroll_devices::quality::score(Position::Face, image_of(capture), 300);
                assert_eq!(
                    capture.quality, station,
                    "the simulator reports the station's own score"
                );
                scores.push((person_seed, station));
            }
        }
    }
    let worst_good = good_scores.iter().map(|(_, q)| *q).min().unwrap();
    let best_poor = poor_scores.iter().map(|(_, q)| *q).max().unwrap();
    assert!(
        worst_good >= FACE_THRESHOLD,
        "a good sitter scored {worst_good}, under {FACE_THRESHOLD}: {good_scores:?}"
    );
    assert!(
        best_poor < FACE_THRESHOLD,
        "a poor sitter scored {best_poor}, at or above {FACE_THRESHOLD}: {poor_scores:?}"
    );
}
