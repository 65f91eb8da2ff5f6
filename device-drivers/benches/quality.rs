//! How long the station's quality scores take on decoded images: a ten-finger set of 500×600
//! fingerprints must be scored well within 300 ms, the budget the capture screen allows between
//! the last finger and the verdict. Also one 640×480 eye and one 300×400 portrait.
//!
//! Decoding is measured elsewhere; the images here are the synthetic ones of the tests.
//! Run with `cargo bench -p enroll-devices --bench quality`.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use enroll_devices::quality::{face_assessment, finger_quality, iris_quality};
use image::GrayImage;

#[allow(dead_code)] // The tests' generators; the bench draws only some of them.
#[path = "../tests/quality/synthetic.rs"]
mod synthetic;

/// The capture screen's budget for scoring a ten-finger set.
const TEN_FINGER_BUDGET_MS: f64 = 300.0;

fn ten_fingers() -> Vec<GrayImage> {
    (0..10).map(|seed| synthetic::finger(500, 600, seed).image).collect()
}

fn score_set(fingers: &[GrayImage]) -> u32 {
    fingers
        .iter()
        .map(|finger| finger_quality(finger, 500).score as u32)
        .sum()
}

fn main() {
    let fingers = ten_fingers();
    let eye = synthetic::eye(1).image;
    let face = synthetic::face(1).image;

    let mut criterion = Criterion::default().sample_size(20).configure_from_args();
    criterion.bench_function("finger_quality, ten 500x600 fingers", |b| {
        b.iter(|| score_set(black_box(&fingers)))
    });
    criterion.bench_function("iris_quality, one 640x480 eye", |b| {
        b.iter(|| iris_quality(black_box(&eye)).score)
    });
    criterion.bench_function("face_assessment, one 300x400 portrait", |b| {
        b.iter(|| face_assessment(black_box(&face)).score)
    });
    criterion.final_summary();

    // The verdict against the budget, in plain words. Only under `cargo bench` (which passes
    // `--bench`): `cargo test --benches` runs this file once, unoptimised, as a smoke test.
    if std::env::args().any(|arg| arg == "--bench") {
        let runs = 20;
        let start = Instant::now();
        for _ in 0..runs {
            black_box(score_set(black_box(&fingers)));
        }
        let per_set_ms = start.elapsed().as_secs_f64() * 1000.0 / runs as f64;
        let verdict = if per_set_ms < TEN_FINGER_BUDGET_MS {
            "within"
        } else {
            "OVER"
        };
        println!(
            "ten-finger set (10 × 500×600): {per_set_ms:.1} ms per set, {verdict} the {TEN_FINGER_BUDGET_MS} ms limit"
        );
    }
}
