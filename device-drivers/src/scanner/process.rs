//! Running a helper program with a deadline and a cap on what it prints, so that a device tool
//! that hangs or floods its output costs the station a killed child, never a hung window or
//! exhausted memory.
//!
//! Deliberately absent: a shell (the program and its arguments go to the system as they are),
//! and standard input (the child gets none, so it cannot wait on a prompt).

use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// How much of the child's standard error is kept: its end, where tools say why they stopped.
const STDERR_KEPT_BYTES: usize = 64 * 1024;

/// How often the child is checked for its exit once its output has ended.
const EXIT_POLL: Duration = Duration::from_millis(10);

/// A child that ran to its end within the limits, whatever its exit status.
#[derive(Debug)]
pub(crate) struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    /// The last [`STDERR_KEPT_BYTES`] of standard error.
    pub stderr: Vec<u8>,
}

/// Why a child did not run to its end.
#[derive(Debug)]
pub(crate) enum RunFailure {
    /// The program is not on the search path.
    NotFound,
    /// The program exists but could not be started, or its output could not be read.
    Io(io::Error),
    /// The deadline passed; the child was killed.
    TimedOut,
    /// The child printed more than the cap; it was killed.
    OutputTooLarge,
}

/// Runs `command` to its end, killing it when `timeout` passes or when its standard output
/// exceeds `max_stdout_bytes`. Standard input is closed; standard output and error are
/// captured.
pub(crate) fn run_bounded(
    command: &mut Command,
    timeout: Duration,
    max_stdout_bytes: usize,
) -> Result<Finished, RunFailure> {
    let deadline = Instant::now() + timeout;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|error| match error.kind() {
        io::ErrorKind::NotFound => RunFailure::NotFound,
        _ => RunFailure::Io(error),
    })?;

    // Both pipes are read on their own threads: a child blocked writing to a full stderr pipe
    // would otherwise never finish its stdout. The threads report through channels rather
    // than being joined, because a grandchild that inherited a pipe could keep it open after
    // the child is killed; such a thread ends on its own when the pipe finally closes.
    let stdout = child.stdout.take().expect("stdout is piped above");
    let stderr = child.stderr.take().expect("stderr is piped above");
    let (stdout_sender, stdout_receiver) = mpsc::channel();
    let (stderr_sender, stderr_receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = stdout_sender.send(read_capped(stdout, max_stdout_bytes));
    });
    thread::spawn(move || {
        let _ = stderr_sender.send(read_tail(stderr, STDERR_KEPT_BYTES));
    });

    let stdout = match stdout_receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(Some(bytes))) => bytes,
        Ok(Ok(None)) => return Err(kill(&mut child, RunFailure::OutputTooLarge)),
        Ok(Err(error)) => return Err(kill(&mut child, RunFailure::Io(error))),
        Err(RecvTimeoutError::Timeout) => return Err(kill(&mut child, RunFailure::TimedOut)),
        Err(RecvTimeoutError::Disconnected) => {
            let error = io::Error::other("the thread reading the program's output stopped");
            return Err(kill(&mut child, RunFailure::Io(error)));
        }
    };

    // Output ended: the child is exiting, or closed its output and went on (then it is as
    // hung as one that never wrote).
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => return Err(kill(&mut child, RunFailure::TimedOut)),
            Ok(None) => thread::sleep(EXIT_POLL),
            Err(error) => return Err(kill(&mut child, RunFailure::Io(error))),
        }
    };
    // The child has exited, so its stderr pipe is closed unless a grandchild holds it; wait
    // for it no longer than the deadline, and do without it rather than hang.
    let stderr = match stderr_receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) | Err(_) => Vec::new(),
    };
    Ok(Finished { status, stdout, stderr })
}

/// Kills and reaps the child, then hands back `why` for the caller to return.
fn kill(child: &mut Child, why: RunFailure) -> RunFailure {
    // Both calls can only fail if the child has already exited and been reaped, which is the
    // end we want anyway.
    let _ = child.kill();
    let _ = child.wait();
    why
}

/// Reads to the end, or `None` as soon as more than `max_bytes` arrive (then stops reading,
/// so the caller can kill the writer).
fn read_capped(pipe: impl Read, max_bytes: usize) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(max_bytes).unwrap_or(u64::MAX).saturating_add(1);
    pipe.take(limit).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max_bytes).then_some(bytes))
}

/// Reads to the end, keeping only the last `kept_bytes` (roughly: whole reads are dropped
/// from the front once twice that much has piled up).
fn read_tail(mut pipe: impl Read, kept_bytes: usize) -> io::Result<Vec<u8>> {
    let mut kept = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let count = match pipe.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        kept.extend_from_slice(&buffer[..count]);
        if kept.len() > 2 * kept_bytes {
            kept.drain(..kept.len() - kept_bytes);
        }
    }
    if kept.len() > kept_bytes {
        kept.drain(..kept.len() - kept_bytes);
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_that_outlives_its_deadline_is_killed() {
        let started = Instant::now();
        let result = run_bounded(Command::new("sleep").arg("30"), Duration::from_millis(300), 1024);
        assert!(matches!(result, Err(RunFailure::TimedOut)), "{result:?}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_program_that_closes_its_output_but_goes_on_is_killed_at_the_deadline() {
        let started = Instant::now();
        let mut command = Command::new("sh");
        command.args(["-c", "exec >/dev/null 2>&1; sleep 30"]);
        let result = run_bounded(&mut command, Duration::from_millis(300), 1024);
        assert!(matches!(result, Err(RunFailure::TimedOut)), "{result:?}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn endless_output_is_cut_at_the_cap() {
        let started = Instant::now();
        let result = run_bounded(&mut Command::new("yes"), Duration::from_secs(20), 1 << 20);
        assert!(matches!(result, Err(RunFailure::OutputTooLarge)), "{result:?}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn output_and_status_of_a_finished_program_are_kept() {
        let mut command = Command::new("sh");
        command.args(["-c", "printf out; printf err >&2; exit 3"]);
        let finished = run_bounded(&mut command, Duration::from_secs(20), 3).unwrap();
        assert_eq!(finished.stdout, b"out");
        assert_eq!(finished.stderr, b"err");
        assert_eq!(finished.status.code(), Some(3));
    }

    #[test]
    fn a_program_not_on_the_path_is_reported_as_not_found() {
        let result = run_bounded(
            &mut Command::new("enroll-no-such-program-anywhere"),
            Duration::from_secs(5),
            1024,
        );
        assert!(matches!(result, Err(RunFailure::NotFound)), "{result:?}");
    }

    #[test]
    fn only_the_end_of_a_long_stderr_is_kept() {
        let text: Vec<u8> = (0..100_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let kept = read_tail(&text[..], 1000).unwrap();
        assert_eq!(kept, &text[text.len() - 1000..]);
    }
}
