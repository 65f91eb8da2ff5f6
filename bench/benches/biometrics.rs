//! `make bench`, the biometrics half (the vault half is `benches/vault.rs`; the JPEG 2000
//! encoding limit is `device-drivers/benches/jpeg2000.rs`, run by the same `make bench`):
//!
//! Decoding a ten-finger set and scoring its quality, at most 300 ms. The ten finger records
//! of the MOSIP mock device's registration set (`mosip-mock-mds/registration/*.iso` in the
//! shared fixtures, read in place) are each parsed, decoded with
//! `codecs::decode_record_image` and scored with `quality::finger_quality` at the resolution
//! the record states (`enroll_bench::fingers`). The floor, measured in the same run: a raw
//! copy of the same decoded pixel bytes (no decoder can be faster than writing every pixel
//! once). Without the fixtures it prints "skipped: fixture absent" and exits 1: a limit that
//! was not measured has not passed.
//!
//! Which time is judged: on Linux, the time the thread ran on a CPU
//! (`/proc/thread-self/schedstat`), which is the wall time a station with a free core sees;
//! the wall time is printed beside it, since on a shared machine it also counts other
//! processes' turns. Elsewhere the wall time is judged.
//!
//! Deliberately absent: criterion (a plain loop and a median, as in `benches/vault.rs`), and
//! the record bytes' reading from disk (done once, before timing: the station has them in
//! memory from the device).

use std::hint::black_box;
use std::time::{Duration, Instant};

use enroll_bench::fingers::{decode_and_score, finger_records, registration_folder};
use enroll_bench::report::{machine_load, median, ms, on_cpu, print_all, Outcome};

const RUNS: usize = 11;
const TEN_FINGER_LIMIT: Duration = Duration::from_millis(300);

/// Median wall time and, where known, median on-CPU time of `RUNS` runs after one warm-up.
fn measure(mut run: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<(Duration, Option<Duration>)> {
    run()?;
    let mut wall = Vec::with_capacity(RUNS);
    let mut cpu = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (started, started_cpu) = (Instant::now(), on_cpu());
        run()?;
        wall.push(started.elapsed());
        if let (Some(before), Some(after)) = (started_cpu, on_cpu()) {
            cpu.push(after.saturating_sub(before));
        }
    }
    let cpu = (cpu.len() == RUNS).then(|| median(cpu));
    Ok((median(wall), cpu))
}

/// Decoding and scoring the ten-finger set, beside a raw copy of its pixels.
fn ten_fingers(records: &[Vec<u8>]) -> anyhow::Result<Outcome> {
    let decoded = records
        .iter()
        .map(|record| decode_and_score(record))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let pixels: usize = decoded.iter().map(|finger| finger.pixels.len()).sum();
    let scores: Vec<u8> = decoded.iter().map(|finger| finger.score).collect();

    let (wall, cpu) = measure(|| {
        for record in records {
            black_box(decode_and_score(black_box(record))?);
        }
        Ok(())
    })?;
    // The scoring alone, on the pixels decoded above, so that the line below says which half
    // of the limit is the decoder's.
    let images = decoded
        .iter()
        .map(|finger| {
            let image = image::GrayImage::from_raw(finger.width, finger.height, finger.pixels.clone())
                .ok_or_else(|| anyhow::anyhow!("a decoded finger's pixels do not fill its size"))?;
            Ok((image, finger.ppi))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (scoring_wall, scoring_cpu) = measure(|| {
        for (image, ppi) in &images {
            black_box(enroll_devices::quality::finger_quality(black_box(image), *ppi));
        }
        Ok(())
    })?;
    let (copy, _) = measure(|| {
        for finger in &decoded {
            black_box(black_box(&finger.pixels).to_vec());
        }
        Ok(())
    })?;
    println!(
        "ten registration fingers: {} pixels, scores {scores:?}; decode + score median {:.1} ms on CPU, {:.1} ms wall; \
         of which scoring alone {:.1} ms on CPU, {:.1} ms wall",
        pixels,
        cpu.map_or(f64::NAN, ms),
        ms(wall),
        scoring_cpu.map_or(f64::NAN, ms),
        ms(scoring_wall)
    );
    Ok(Outcome {
        name: format!(
            "decode + finger_quality of the ten MOSIP registration fingers, per set ({})",
            if cpu.is_some() { "on-CPU time" } else { "wall time" }
        ),
        measured: cpu.unwrap_or(wall),
        limit: TEN_FINGER_LIMIT,
        reference: copy,
        reference_name: "raw copy of the same decoded pixel bytes (wall)".into(),
    })
}

fn main() {
    let Some(folder) = registration_folder() else {
        println!(
            "FAIL  skipped: fixture absent (mosip-mock-mds/registration under {}; set ENROLL_FIXTURES)",
            enroll_bench::fingers::fixtures_root().display()
        );
        std::process::exit(1);
    };
    let mut outcomes = Vec::new();
    let mut failed_to_run = 0;
    match finger_records(&folder).and_then(|records| ten_fingers(&records)) {
        Ok(outcome) => outcomes.push(outcome),
        Err(error) => {
            println!("FAIL  could not run a benchmark: {error:#}");
            failed_to_run += 1;
        }
    }
    if let Some(load) = machine_load() {
        println!("{load}");
    }
    if !print_all(&outcomes, failed_to_run) {
        std::process::exit(1);
    }
}
