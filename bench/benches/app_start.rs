//! `make bench`: the desktop app's start and memory, beside an empty Tauri 2 window started in
//! the same run (`bench/empty-window`, crate `enroll-empty-window`: the app's Tauri with the
//! app's features, one static page whose script calls one command). Both are the release
//! builds in `target/release`, which `make bench` builds first.
//!
//! 1. Cold start to an interactive login screen: at most 1.5x the empty window's, and at most
//!    1 s (the limit printed is the lower of the two). Timed from the spawn of the process to
//!    its `READY` line on stdout: the empty window's when its page's script calls its command,
//!    the app's (`ENROLL_PRINT_READY=1`, see `print_ready_on_first_status` in
//!    `src-tauri/src/main.rs`) when the window makes its first call, for the station's status,
//!    whose answer shows the login screen of the station set up here (with
//!    `enroll_bench::fixture`, as `make run`'s first start would after the admin's setup). The
//!    line comes before that answer and the render it causes: a millisecond's read of the
//!    vault and one frame. "Cold" is a fresh process each time, after one untimed start of
//!    each that warms the page cache (a station starts its app from a warm disk cache too, but
//!    for the first start after boot, which this does not measure). The median of
//!    [`RUNS`] starts of each, taken in turns so that a busy moment of the machine falls on
//!    both.
//! 2. All the app's processes together (the app, `WebKitWebProcess`, `WebKitNetworkProcess`):
//!    at most 300 MB of PSS (`enroll_bench::process_tree`), read [`SETTLE`] after it was ready,
//!    with the empty window's beside it. PSS splits each shared page among the processes that
//!    map it, so another WebKit program running meanwhile (a test's window) lowers both figures
//!    (by a quarter, once, on the machine this was written on): the bench says so when it sees
//!    one. The issue states this limit after a full registration with biometrics; this
//!    measures it at the login screen, the first screen of each start; the limit after
//!    registrations is `e2e/benches/registration_flow.rs`'s (it drives them through WebDriver).
//!
//! Each start runs on an X server of its own (Xvfb on a display it picks itself, as the
//! end-to-end test's when there is no `DISPLAY`; a real desktop's compositor would add its own
//! costs to both alike), with the XDG folders and the station's data folder in a temporary
//! folder, so nothing touches the user's. The station's intake is a closed loopback port: a
//! station offline, as in the field; its background sync backs off. Linux only (`/proc`).
//!
//! Deliberately absent: WebDriver (it would start the app itself, through two more processes,
//! and its polling would blur the time), and the first start after a reboot (a cold disk
//! cache cannot be had without root).

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context as _};
use enroll_bench::process_tree::{self, ProcessMemory};
use enroll_bench::report::{machine_load, median, ms, print_judged, Judged, MemoryOutcome, Outcome};

/// Timed starts of each program, after one untimed start of each.
const RUNS: usize = 5;
/// The app's start may take this many times the empty window's...
const START_FACTOR: f64 = 1.5;
/// ...and never more than this.
const START_CEILING: Duration = Duration::from_secs(1);
const MEMORY_LIMIT_KIB: u64 = 300 * 1024;
/// How long after `READY` the memory is read: the window's first paint and the station's
/// first background work (its sync's first look at the intake) are over by then.
const SETTLE: Duration = Duration::from_secs(1);
/// A start that prints nothing for this long failed.
const START_TIMEOUT: Duration = Duration::from_secs(60);
const REFERENCE_NAME: &str = "an empty Tauri 2 window, release, started in the same run: one static page that calls \
     one command";

fn main() {
    let mut failed_to_run = 0;
    let outcomes = match measure() {
        Ok(outcomes) => Some(outcomes),
        Err(error) => {
            println!("FAIL  could not run a benchmark: {error:#}");
            failed_to_run += 1;
            None
        }
    };
    if let Some(load) = machine_load() {
        println!("{load}");
    }
    let judged: Vec<&dyn Judged> = match &outcomes {
        Some((start, memory)) => vec![start as &dyn Judged, memory],
        None => Vec::new(),
    };
    if !print_judged(&judged, failed_to_run) {
        std::process::exit(1);
    }
}

/// What one start gave.
struct Start {
    ready: Duration,
    processes: Vec<ProcessMemory>,
    /// Processes outside the tree that map WebKitGTK (see [`process_tree::others_mapping`]).
    webkit_elsewhere: usize,
}

impl Start {
    fn total_kib(&self) -> u64 {
        process_tree::total_kib(&self.processes)
    }
}

fn measure() -> anyhow::Result<(Outcome, MemoryOutcome)> {
    let release = release_dir();
    let empty_window = program(&release, "enroll-empty-window")?;
    let app = program(&release, "enroll-app")?;
    let folder = tempfile::tempdir().context("a temporary folder")?;
    let (display, _xvfb) = start_xvfb()?;

    // The station, set up as its admin's setup leaves it; nobody signed in, so the app opens
    // on the login screen.
    let station_dir = folder.path().join("station");
    let now = enroll_bench::rfc3339(time::OffsetDateTime::now_utc());
    drop(enroll_bench::fixture::open_or_set_up(&station_dir, &now)?);
    // A loopback port that nothing listens on: the station is offline.
    let intake_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();

    let environment = |command: &mut Command| {
        command.env("DISPLAY", &display);
        // No accessibility bus under Xvfb; without this GTK waits for one on every start.
        command.env("NO_AT_BRIDGE", "1");
        for (variable, name) in [
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_CONFIG_HOME", "config"),
        ] {
            command.env(variable, folder.path().join(name));
        }
    };
    let mut empty_command = Command::new(&empty_window);
    environment(&mut empty_command);
    // The floor draws as the app does: the app turns WebKit's GPU compositing off itself
    // (`src-tauri/src/main.rs`), so the reference runs without it too and the ratios compare
    // the software, not two rendering modes.
    empty_command.env("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    let mut app_command = Command::new(&app);
    environment(&mut app_command);
    app_command
        .env("ENROLL_DATA_DIR", &station_dir)
        .env("ENROLL_INTAKE_URL", format!("http://127.0.0.1:{intake_port}"))
        .env("ENROLL_PRINT_READY", "1")
        // The app's default, said here so that the log check below holds whatever the caller's.
        .env("RUST_LOG", "info")
        .env_remove("ENROLL_DEVICES")
        // The app's own rendering default is what is measured, not the caller's.
        .env_remove("WEBKIT_DISABLE_COMPOSITING_MODE")
        .env_remove("ENROLL_SYNC_RECHECK_MS");
    let app_log = folder.path().join("app.log");

    // One untimed start of each, then the timed ones in turns.
    start_once(&mut empty_command, None)?;
    start_once(&mut app_command, Some(&app_log))?;
    let mut empty_starts = Vec::new();
    let mut app_starts = Vec::new();
    for _ in 0..RUNS {
        empty_starts.push(start_once(&mut empty_command, None)?);
        app_starts.push(start_once(&mut app_command, Some(&app_log))?);
    }

    let empty = summary("empty window", &empty_starts);
    let app = summary("the app (login screen)", &app_starts);
    let elsewhere = empty_starts
        .iter()
        .chain(&app_starts)
        .map(|start| start.webkit_elsewhere)
        .max()
        .unwrap_or(0);
    if elsewhere > 0 {
        println!(
            "note: {elsewhere} other processes on this machine map WebKitGTK (another WebKit window, a test's?): \
             PSS splits the pages they share, so both trees read lower than on a station that runs the app alone"
        );
    }
    let limit = empty.ready.mul_f64(START_FACTOR).min(START_CEILING);
    let start = Outcome {
        name: format!(
            "the app (release), cold start to an interactive login screen (median of {RUNS} fresh processes; \
             limit: {START_FACTOR}x the empty window's, at most {} ms)",
            START_CEILING.as_millis()
        ),
        measured: app.ready,
        limit,
        reference: empty.ready,
        reference_name: REFERENCE_NAME.into(),
    };
    let memory = MemoryOutcome {
        name: format!(
            "the app's processes together ({}), PSS at the login screen {} ms after it was ready (median of {RUNS}; \
             the issue's limit is after a full registration with biometrics: make bench's registration_flow)",
            app.names,
            SETTLE.as_millis()
        ),
        measured_kib: app.total_kib,
        limit_kib: MEMORY_LIMIT_KIB,
        reference_kib: empty.total_kib,
        reference_name: format!("{REFERENCE_NAME}: {}", empty.names),
    };
    Ok((start, memory))
}

/// The medians of one program's starts, printed with their samples.
struct Summary {
    ready: Duration,
    total_kib: u64,
    /// The processes of the median start's tree, with their PSS.
    names: String,
}

fn summary(what: &str, starts: &[Start]) -> Summary {
    let ready = median(starts.iter().map(|start| start.ready).collect());
    let mut totals: Vec<u64> = starts.iter().map(Start::total_kib).collect();
    totals.sort_unstable();
    let total_kib = totals[totals.len() / 2];
    let middle = starts
        .iter()
        .find(|start| start.total_kib() == total_kib)
        .expect("the median is one of the samples");
    let names = middle
        .processes
        .iter()
        .map(|process| format!("{} {:.1} MB", process.name, process.pss_kib as f64 / 1024.0))
        .collect::<Vec<_>>()
        .join(", ");
    let samples = |values: Vec<String>| values.join(" ");
    println!(
        "{what}: ready in {:.0} ms (median; samples {} ms), PSS {:.1} MB (median; samples {} MB): {names}",
        ms(ready),
        samples(starts.iter().map(|start| format!("{:.0}", ms(start.ready))).collect()),
        total_kib as f64 / 1024.0,
        samples(
            totals
                .iter()
                .map(|kib| format!("{:.1}", *kib as f64 / 1024.0))
                .collect()
        ),
    );
    Summary {
        ready,
        total_kib,
        names,
    }
}

/// Starts `command` as the leader of a new process group, times it to its `READY` line, reads
/// its tree's memory [`SETTLE`] later, then stops the whole group. With `log`, its stderr goes
/// there and must say that the station opened (else the window shows an error, not the login
/// screen).
fn start_once(command: &mut Command, log: Option<&Path>) -> anyhow::Result<Start> {
    let stderr = match log {
        Some(path) => Stdio::from(std::fs::File::create(path)?),
        None => Stdio::null(),
    };
    let started = Instant::now();
    let child = command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("cannot start {}", command.get_program().to_string_lossy()))?;
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout is piped");
    let (sender, receiver) = mpsc::channel();
    // Reads to the end, so that the program never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.trim() == "READY" {
                let _ = sender.send(Instant::now());
            }
        }
    });
    let ready = match receiver.recv_timeout(START_TIMEOUT) {
        Ok(at) => at - started,
        Err(_) => bail!(
            "{} printed no READY line within {} s{}",
            command.get_program().to_string_lossy(),
            START_TIMEOUT.as_secs(),
            log.map(log_tail).unwrap_or_default()
        ),
    };
    std::thread::sleep(SETTLE);
    ensure!(
        running.0.try_wait()?.is_none(),
        "{} ended after it was ready{}",
        command.get_program().to_string_lossy(),
        log.map(log_tail).unwrap_or_default()
    );
    let processes = process_tree::memory(running.0.id());
    let pids: Vec<u32> = processes.iter().map(|process| process.pid).collect();
    let webkit_elsewhere = process_tree::others_mapping("libwebkit2gtk", &pids).len();
    if let Some(path) = log {
        let text = std::fs::read_to_string(path)?;
        ensure!(
            text.contains("station opened") && !text.contains("the station did not open"),
            "the app's station did not open, so its window shows an error and not the login screen{}",
            log_tail(path)
        );
    }
    running.stop();
    Ok(Start {
        ready,
        processes,
        webkit_elsewhere,
    })
}

/// The last lines of a log, for an error message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    format!(
        "; its log ends:\n{}",
        lines[lines.len().saturating_sub(15)..].join("\n")
    )
}

/// A started program; on drop, its process group and every process below it are killed.
struct Running(Child);

impl Running {
    /// SIGKILL to the group and to each descendant (in case one left the group), then waits
    /// until all are gone, so that the next start finds the vault free and the machine quiet.
    fn stop(&mut self) {
        if matches!(self.0.try_wait(), Ok(Some(_))) {
            return;
        }
        let tree = process_tree::tree(self.0.id());
        let mut arguments = vec!["-KILL".to_string(), "--".to_string(), format!("-{}", self.0.id())];
        arguments.extend(tree.iter().map(u32::to_string));
        let _ = Command::new("kill").args(&arguments).stderr(Stdio::null()).status();
        let _ = self.0.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        while tree.iter().any(|pid| process_tree::is_running(*pid)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An X server of our own, on a display number it picks itself (`-displayfd`), as the
/// end-to-end test starts one (`e2e/tests/app/harness.rs`); killed with the guard.
fn start_xvfb() -> anyhow::Result<(String, Running)> {
    let mut xvfb = Running(
        Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb (apt-get install xvfb; `make setup` installs it)")?,
    );
    // Xvfb writes the display number once it accepts clients.
    let stdout = xvfb.0.stdout.take().expect("stdout is piped");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(15))
        .map_err(|_| anyhow!("Xvfb did not report a display within 15 s"))?;
    let number: u32 = line
        .trim()
        .parse()
        .with_context(|| format!("Xvfb reported {line:?} instead of a display number"))?;
    Ok((format!(":{number}"), xvfb))
}

/// `target/release` (or `$CARGO_TARGET_DIR/release`), where `make bench` builds both programs.
fn release_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("release")
}

/// A release binary that must exist: a bench that measured nothing has not passed.
fn program(release: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let path = release.join(name);
    ensure!(
        path.is_file(),
        "{} does not exist; `make bench` builds it: the app and the empty window in one cargo command, \
         so that both link the same build of Tauri",
        path.display()
    );
    Ok(path)
}
