//! Support for the interoperability tests in `tests/tus/`: where the Node tools of `tus/` are,
//! whether they are installed as pinned, and a running Node script whose output (one JSON
//! object a line) a test waits on.
//!
//! Why a crate of its own: these tests need Node.js and the npm packages that `make
//! interop-deps` installs from `tus/package-lock.json` (tus-js-client, @tus/server,
//! @tus/file-store). The domain crates build and test without either, so the tests live here,
//! outside the workspace's default members; `make test` runs them with `--workspace`.
//!
//! Tools that are missing or installed at other versions are a failure with the command that
//! installs them ([`TusTools::find`]), never a skipped test.
//!
//! Deliberately absent: anything about tus or the intake; the tests hold that.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

/// The npm packages the scripts use, each pinned to one version in `tus/package.json`.
pub const PACKAGES: [&str; 3] = ["tus-js-client", "@tus/server", "@tus/file-store"];

/// The oldest Node.js the pinned packages run on (`@tus/server` 2 asks for 20.19, as Vite does
/// for the UI: the Makefile's `NODE_MIN`).
pub const NODE_MIN: (u32, u32) = (20, 19);

/// What to tell someone whose tools are missing.
const INSTALL: &str = "run `make interop-deps` (it installs the pinned packages of interop/tus with `npm ci`)";

/// The Node project of `tus/`, checked to be installed as pinned.
#[derive(Debug, Clone)]
pub struct TusTools {
    dir: PathBuf,
}

impl TusTools {
    /// The tools of this crate's `tus/` folder, or why they cannot run and what to do about it.
    pub fn find() -> Result<TusTools, String> {
        TusTools::in_folder(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tus"))
    }

    /// The tools of the Node project in `dir`: each of [`PACKAGES`] installed in its
    /// `node_modules` at the version its `package.json` pins, and a Node.js of at least
    /// [`NODE_MIN`] on the `PATH`.
    pub fn in_folder(dir: &Path) -> Result<TusTools, String> {
        let manifest = read_json(&dir.join("package.json"))?;
        for package in PACKAGES {
            let pinned = manifest["dependencies"][package]
                .as_str()
                .ok_or_else(|| format!("{} does not pin {package}", dir.join("package.json").display()))?;
            let installed_manifest = dir.join("node_modules").join(package).join("package.json");
            let installed = read_json(&installed_manifest).map_err(|_| {
                format!(
                    "the npm package {package} is not installed in {}: {INSTALL}",
                    dir.display()
                )
            })?;
            if installed["version"].as_str() != Some(pinned) {
                return Err(format!(
                    "{package} {} is installed in {} but {pinned} is pinned: {INSTALL}",
                    installed["version"],
                    dir.display()
                ));
            }
        }
        let version = node_version()?;
        if version < NODE_MIN {
            return Err(format!(
                "Node.js {}.{} is too old for the pinned packages, which need {}.{}: install Node.js 20 or 22, then {INSTALL}",
                version.0, version.1, NODE_MIN.0, NODE_MIN.1
            ));
        }
        Ok(TusTools { dir: dir.to_owned() })
    }

    /// The Node project's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts `node <script> <args>` in the project's folder with `env` added to the
    /// environment. Its standard input stays open until the [`NodeScript`] is dropped.
    pub fn start(&self, script: &str, args: &[&str], env: &[(&str, &str)]) -> NodeScript {
        let mut command = Command::new("node");
        command
            .arg(self.dir.join(script))
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("node {script} could not be started: {error}"));

        let (events_out, events) = mpsc::unbounded_channel();
        let stdout = child.stdout.take().expect("stdout was piped");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // A line that is not JSON (a stray log) is kept as text, so it shows in messages.
                let event = serde_json::from_str(&line).unwrap_or(Value::String(line));
                if events_out.send(event).is_err() {
                    break;
                }
            }
        });
        let stderr_text = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("stderr was piped");
        let collected = Arc::clone(&stderr_text);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read @ 1..) = stderr.read(&mut buffer) {
                let text = String::from_utf8_lossy(&buffer[..read]);
                collected.lock().unwrap_or_else(|p| p.into_inner()).push_str(&text);
            }
        });
        NodeScript {
            name: script.to_owned(),
            stdin: child.stdin.take(),
            child,
            events,
            seen: Vec::new(),
            stderr: stderr_text,
        }
    }
}

/// A running Node script. Killed when dropped.
pub struct NodeScript {
    name: String,
    child: Child,
    /// Held open: a script may stop when its standard input closes (`tus-server.mjs` does).
    stdin: Option<ChildStdin>,
    events: mpsc::UnboundedReceiver<Value>,
    /// Every event read so far, in order.
    seen: Vec<Value>,
    stderr: Arc<Mutex<String>>,
}

impl NodeScript {
    /// The next event whose `"event"` is `name`, passing over others (they stay in
    /// [`NodeScript::seen`]). Panics, with what the script printed, if it ends or `within`
    /// passes first.
    pub async fn next_event(&mut self, name: &str, within: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => {
                    self.seen.push(event.clone());
                    if event["event"] == name {
                        return event;
                    }
                }
                Ok(None) => panic!(
                    "{} ended before it printed a {name} event\n{}",
                    self.name,
                    self.report()
                ),
                Err(_) => panic!(
                    "{} printed no {name} event within {within:?}\n{}",
                    self.name,
                    self.report()
                ),
            }
        }
    }

    /// Every event read so far, in order.
    pub fn seen(&self) -> &[Value] {
        &self.seen
    }

    /// The events read so far whose `"event"` is `name`.
    pub fn seen_named(&self, name: &str) -> Vec<&Value> {
        self.seen.iter().filter(|event| event["event"] == name).collect()
    }

    /// What the script wrote on its standard error so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Kills the script at once (SIGKILL: no handler runs, as when a machine loses power) and
    /// reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the script to exit by itself; panics with what it printed if it does not
    /// within `within`.
    pub async fn exit_status(&mut self, within: Duration) -> ExitStatus {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok(None) => panic!("{} did not exit within {within:?}\n{}", self.name, self.report()),
                Err(error) => panic!("{} could not be waited for: {error}", self.name),
            }
        }
    }

    /// The events seen and the standard error, for a failure's message.
    pub fn report(&self) -> String {
        let events: Vec<String> = self.seen.iter().map(Value::to_string).collect();
        format!("events: [{}]\nstderr: {}", events.join(", "), self.stderr())
    }
}

impl Drop for NodeScript {
    fn drop(&mut self) {
        drop(self.stdin.take());
        self.kill();
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{} cannot be read: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", path.display()))
}

/// The major and minor version of the `node` on the `PATH`.
fn node_version() -> Result<(u32, u32), String> {
    let missing = || format!("Node.js (`node`) is not on the PATH: install Node.js 20 or 22, then {INSTALL}");
    let output = Command::new("node").arg("--version").output().map_err(|_| missing())?;
    if !output.status.success() {
        return Err(missing());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut numbers = text.trim().trim_start_matches('v').split('.').map(str::parse::<u32>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => Ok((major, minor)),
        _ => Err(format!("`node --version` answered '{}', not a version", text.trim())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A checkout where `make interop-deps` has not run fails with the command to run.
    #[test]
    fn packages_not_installed_are_an_error_that_names_the_make_target() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tus/package.json"),
            dir.path().join("package.json"),
        )
        .unwrap();
        let problem = TusTools::in_folder(dir.path()).unwrap_err();
        assert!(problem.contains("make interop-deps"), "{problem}");
        assert!(problem.contains("tus-js-client"), "{problem}");

        // Installed at another version than pinned: the same advice.
        let installed = dir.path().join("node_modules/tus-js-client");
        std::fs::create_dir_all(&installed).unwrap();
        std::fs::write(installed.join("package.json"), r#"{"version": "3.0.0"}"#).unwrap();
        let problem = TusTools::in_folder(dir.path()).unwrap_err();
        assert!(
            problem.contains("3.0.0") && problem.contains("make interop-deps"),
            "{problem}"
        );
    }
}
