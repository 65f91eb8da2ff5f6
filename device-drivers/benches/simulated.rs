//! The simulated devices' speed: growing a person's ten finger patterns, and one capture of each
//! device once the patterns are grown. Each is a plain loop and a median, printed PASS or FAIL
//! against its limit; the process exits 1 when any limit is missed. Run in release:
//! `cargo bench -p enroll-devices --bench simulated`.
//!
//! Why these limits: a trainer switches sitters and captures at once, so the ten patterns must
//! grow in well under a second; a capture must not add noticeably to the latency the settings
//! stage.
//!
//! Deliberately absent: criterion (a median is what the limits are stated in), and timing in
//! tests (tests assert behaviour; speed is measured here).

use std::hint::black_box;
use std::time::{Duration, Instant};

use enroll_devices::simulated::{SimulatedBackend, SimulatedPerson, SimulationHandle, SimulationSettings};
use enroll_devices::{CancelToken, CaptureRequest, CaptureStep, DeviceBackend, Position};

const RUNS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(name: &str, limit: Duration, mut run: impl FnMut(usize)) -> bool {
    let samples: Vec<Duration> = (0..RUNS)
        .map(|index| {
            let started = Instant::now();
            run(index);
            started.elapsed()
        })
        .collect();
    let median = median(samples);
    let passed = median <= limit;
    println!(
        "{} {name}: median {:.1} ms (limit {} ms)",
        if passed { "PASS" } else { "FAIL" },
        median.as_secs_f64() * 1000.0,
        limit.as_millis()
    );
    passed
}

fn request(step: CaptureStep) -> CaptureRequest {
    CaptureRequest {
        step,
        exceptions: Vec::new(),
        requested_quality: 40,
        timeout: Duration::from_secs(60),
        transaction_id: "bench".into(),
        previous_hash: None,
        subject: Default::default(),
    }
}

fn main() {
    let mut passed = measure(
        "ten finger patterns of a new person",
        Duration::from_millis(600),
        |index| {
            let person = SimulatedPerson::new(1000 + index as u64);
            for position in Position::FINGERS {
                black_box(person.finger(position));
            }
        },
    );

    let settings = SimulationHandle::new(SimulationSettings {
        latency: Duration::ZERO,
        ..SimulationSettings::default()
    });
    let devices = SimulatedBackend::new(settings.clone())
        .discover()
        .expect("the simulators are always there");
    let cases = [
        (
            "left slap, segmented",
            0,
            CaptureStep::LeftSlap,
            Duration::from_millis(250),
        ),
        ("both irises", 1, CaptureStep::BothIrises, Duration::from_millis(250)),
        ("face", 2, CaptureStep::Face, Duration::from_millis(150)),
    ];
    for (name, device, step, limit) in cases {
        // The first capture grows the patterns; the loop measures captures after it.
        devices[device]
            .capture(&request(step), &CancelToken::new())
            .expect("a staged-free capture succeeds");
        passed &= measure(name, limit, |_| {
            black_box(
                devices[device]
                    .capture(&request(step), &CancelToken::new())
                    .expect("capture"),
            );
        });
    }
    settings.update(|s| s.slap_image_only = true);
    passed &= measure("left slap, whole image", Duration::from_millis(400), |_| {
        black_box(
            devices[0]
                .capture(&request(CaptureStep::LeftSlap), &CancelToken::new())
                .expect("capture"),
        );
    });
    if !passed {
        std::process::exit(1);
    }
}
