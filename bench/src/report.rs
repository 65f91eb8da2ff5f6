//! What every benchmark of `make bench` prints: the measured value (a time, or memory with
//! [`MemoryOutcome`]), its limit, the reference measured in the same run, their ratios, and
//! PASS or FAIL; and the small timing helpers the benches share (median, on-CPU time of the
//! calling thread).
//!
//! Deliberately absent: statistics beyond the median (the limits are stated as medians) and
//! any measuring loop of its own; each bench says what it times.

use std::time::Duration;

/// One limit, judged.
pub struct Outcome {
    pub name: String,
    /// The value judged (a median).
    pub measured: Duration,
    pub limit: Duration,
    /// The same-run reference (a floor no implementation can beat, or what the limit is a
    /// multiple of).
    pub reference: Duration,
    pub reference_name: String,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.measured <= self.limit
    }

    /// The lines `make bench` shows for this limit.
    pub fn lines(&self) -> String {
        format!(
            "{}  {}\n      measured {:.2} ms, limit {:.2} ms (ratio to limit {:.2}); reference {:.3} ms ({}); {:.2}x the reference",
            if self.passed() { "PASS" } else { "FAIL" },
            self.name,
            ms(self.measured),
            ms(self.limit),
            self.measured.as_secs_f64() / self.limit.as_secs_f64().max(1e-12),
            ms(self.reference),
            self.reference_name,
            self.measured.as_secs_f64() / self.reference.as_secs_f64().max(1e-12)
        )
    }
}

/// One memory limit, judged, printed as an [`Outcome`] prints a time. Memory is in KiB, as
/// Linux reports it (`/proc`), and printed in MB of 1024 KiB, as `benches/upload.rs` prints it.
pub struct MemoryOutcome {
    pub name: String,
    /// The value judged (a median).
    pub measured_kib: u64,
    pub limit_kib: u64,
    /// The same-run reference.
    pub reference_kib: u64,
    pub reference_name: String,
}

impl MemoryOutcome {
    pub fn passed(&self) -> bool {
        self.measured_kib <= self.limit_kib
    }

    /// The lines `make bench` shows for this limit.
    pub fn lines(&self) -> String {
        let mb = |kib: u64| kib as f64 / 1024.0;
        format!(
            "{}  {}\n      measured {:.1} MB, limit {:.1} MB (ratio to limit {:.2}); reference {:.1} MB ({}); {:.2}x the reference",
            if self.passed() { "PASS" } else { "FAIL" },
            self.name,
            mb(self.measured_kib),
            mb(self.limit_kib),
            self.measured_kib as f64 / self.limit_kib.max(1) as f64,
            mb(self.reference_kib),
            self.reference_name,
            self.measured_kib as f64 / self.reference_kib.max(1) as f64
        )
    }
}

/// A limit judged, whatever it measures: what [`print_judged`] prints.
pub trait Judged {
    fn passed(&self) -> bool;
    fn lines(&self) -> String;
}

impl Judged for Outcome {
    fn passed(&self) -> bool {
        Outcome::passed(self)
    }
    fn lines(&self) -> String {
        Outcome::lines(self)
    }
}

impl Judged for MemoryOutcome {
    fn passed(&self) -> bool {
        MemoryOutcome::passed(self)
    }
    fn lines(&self) -> String {
        MemoryOutcome::lines(self)
    }
}

/// Print every outcome and the tally; `false` when a limit was missed or a benchmark could
/// not run (`failed_to_run`), which the caller turns into exit status 1.
pub fn print_all(outcomes: &[Outcome], failed_to_run: usize) -> bool {
    let judged: Vec<&dyn Judged> = outcomes.iter().map(|outcome| outcome as &dyn Judged).collect();
    print_judged(&judged, failed_to_run)
}

/// [`print_all`] for limits of more than one kind (times and memory).
pub fn print_judged(outcomes: &[&dyn Judged], failed_to_run: usize) -> bool {
    println!();
    for outcome in outcomes {
        println!("{}", outcome.lines());
    }
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let failures = outcomes.len() - passed + failed_to_run;
    println!("\n{passed} passed, {failures} failed");
    failures == 0
}

/// The median of `samples`; zero for none (a bench always takes at least one).
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// How long the calling thread has run on a CPU, where the kernel says (Linux); `None`
/// elsewhere. On a shared machine this is what a station with a free core would see as wall
/// time, while the wall time also counts other processes' turns.
pub fn on_cpu() -> Option<Duration> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds = schedstat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanoseconds))
}

/// The machine's one-minute load average and core count, for the reader of a noisy run.
pub fn machine_load() -> Option<String> {
    let load = std::fs::read_to_string("/proc/loadavg").ok()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Some(format!(
        "machine load average {} on {cores} cores",
        load.split_whitespace().next()?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_met_at_equality_and_missed_above_it() {
        let outcome = |measured_ms| Outcome {
            name: "x".into(),
            measured: Duration::from_millis(measured_ms),
            limit: Duration::from_millis(10),
            reference: Duration::from_millis(4),
            reference_name: "floor".into(),
        };
        assert!(outcome(10).passed());
        assert!(!outcome(11).passed());
        assert!(outcome(5).lines().starts_with("PASS  x\n"));
        assert!(outcome(11).lines().contains("FAIL"));
        assert!(
            outcome(8).lines().contains("2.00x the reference"),
            "{}",
            outcome(8).lines()
        );
    }

    #[test]
    fn a_memory_limit_prints_as_a_time_limit_does() {
        let outcome = |measured_kib| MemoryOutcome {
            name: "y".into(),
            measured_kib,
            limit_kib: 300 * 1024,
            reference_kib: 200 * 1024,
            reference_name: "empty".into(),
        };
        assert!(outcome(300 * 1024).passed());
        assert!(!outcome(300 * 1024 + 1).passed());
        let lines = outcome(250 * 1024).lines();
        assert!(lines.starts_with("PASS  y\n"), "{lines}");
        assert!(
            lines.contains("measured 250.0 MB, limit 300.0 MB (ratio to limit 0.83); reference 200.0 MB (empty); 1.25x the reference"),
            "{lines}"
        );
    }

    #[test]
    fn the_median_is_the_middle_sample() {
        let samples = [5, 1, 9, 3, 7].map(Duration::from_millis).to_vec();
        assert_eq!(median(samples), Duration::from_millis(5));
        assert_eq!(median(Vec::new()), Duration::ZERO);
    }
}
