//! `vault-worker`: the process that the crash and full-disk tests start, kill and restart.
//!
//! ```text
//! vault-worker crash <data dir> <seed>     step forever (until killed), one SAVED line per step
//! vault-worker drain <data dir>            take every registration in progress to acknowledged
//! vault-worker fill <data dir> <ballast>   the full-disk scenario (see enroll_bench::worker)
//! vault-worker check <data dir>            check the whole vault; one ROW line per registration
//! ```
//! Exit status 0 when the command finished, 1 with the error on stderr otherwise.
//!
//! Deliberately absent: any choice of when to stop in `crash`; the harness decides that.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context as _};
use enroll_bench::{fixture, inspect, rfc3339, worker};

fn main() {
    if let Err(error) = run() {
        eprintln!("vault-worker: {error:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let clock = || rfc3339(time::OffsetDateTime::now_utc());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["crash", dir, seed] => {
            let seed: u64 = seed.parse().context("the seed is a number")?;
            let mut worker = worker::Worker::open(&PathBuf::from(dir), seed, &clock, &mut out)?;
            worker.ready()?;
            loop {
                worker.step()?;
            }
        }
        ["drain", dir] => {
            let mut worker = worker::Worker::open(&PathBuf::from(dir), 0, &clock, &mut out)?;
            worker.ready()?;
            let steps = worker.drain()?;
            drop(worker);
            writeln!(out, "DONE {steps}")?;
        }
        ["fill", dir, ballast] => {
            worker::fill_until_disk_full(
                &PathBuf::from(dir),
                &PathBuf::from(ballast),
                256 * 1024,
                &clock,
                &mut out,
            )?;
            writeln!(out, "DONE")?;
        }
        ["check", dir] => {
            let station = fixture::open_or_set_up(&PathBuf::from(dir), &clock())?;
            let rows = inspect::inspect_vault(&station.vault, &station.data_key, &station.register)?;
            for row in &rows {
                let version = row.draft_version.map(|v| v.to_string()).unwrap_or_default();
                writeln!(out, "ROW {} {} {version}", row.registration_id, row.state.as_str())?;
            }
            writeln!(out, "INTEGRITY ok {}", rows.len())?;
        }
        _ => bail!("usage: vault-worker crash <dir> <seed> | drain <dir> | fill <dir> <ballast> | check <dir>"),
    }
    Ok(())
}
