//! `cargo bench -p enroll-devices --bench segment`: segmenting a 1600×1500 slap at 500 ppi must
//! take well under 100 ms; the median of repeated runs is printed PASS or FAIL against 100 ms
//! and the process exits 1 on FAIL. The slap is the synthetic one the tests use (four fingers
//! with middle phalanges on a noisy glass).
//!
//! The machine may be shared: beside the wall-clock median (the limit), the median CPU time of
//! the thread is printed where Linux tells it (`/proc/thread-self/schedstat`), which waiting for
//! a core does not inflate.
//!
//! Deliberately absent: criterion. A plain loop and a median state what the limit states, as
//! the workspace's other benchmarks do.

use std::time::{Duration, Instant};

use enroll_devices::segment::segment_slap;
use enroll_devices::CaptureStep;

#[path = "../tests/segment/synthetic.rs"]
mod synthetic;

const RUNS: usize = 31;
const LIMIT: Duration = Duration::from_millis(100);

fn main() {
    let slap = synthetic::synthetic_slap(&synthetic::four_fingers(), 1);
    let mut times = Vec::with_capacity(RUNS);
    let mut cpu_times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let cpu_start = thread_cpu_time();
        let start = Instant::now();
        let segments =
            segment_slap(&slap, synthetic::PPI, CaptureStep::RightSlap, &[]).expect("the synthetic slap segments");
        times.push(start.elapsed());
        if let (Some(before), Some(after)) = (cpu_start, thread_cpu_time()) {
            cpu_times.push(after.saturating_sub(before));
        }
        // Keep the work observable so that it cannot be optimised away.
        assert_eq!(segments.len(), 4, "four fingertips in the synthetic slap");
    }
    times.sort();
    let median = times[RUNS / 2];
    cpu_times.sort();
    let cpu = cpu_times
        .get(cpu_times.len() / 2)
        .map_or_else(|| "unknown".to_string(), |t| format!("{:.1} ms", t.as_secs_f64() * 1e3));
    let verdict = if median <= LIMIT { "PASS" } else { "FAIL" };
    println!(
        "{verdict} segment a 1600x1500 slap: median {:.1} ms (min {:.1}, max {:.1}) over {RUNS} runs, limit {} ms; median CPU time {cpu}",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
        LIMIT.as_millis()
    );
    if median > LIMIT {
        std::process::exit(1);
    }
}

/// The CPU time this thread has used: the first field of `/proc/thread-self/schedstat`, in ns.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}
