//! The processes and the WebDriver plumbing around the end-to-end test: where the app and
//! tauri-driver are, an X server when there is no display, tauri-driver in its own process
//! group (so the app it launches goes away with it), and small waiting helpers over
//! fantoccini that address elements only by `data-testid`.
//!
//! Deliberately absent: anything about the enrollment flow itself (that is `main.rs`).

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// How long one step may take before the test gives up on it. Generous: setup derives keys
/// with Argon2 and registers with the intake; debug builds under Xvfb on 2 cores are slow.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// What the test needs on disk, found from the environment or the repository's defaults.
pub struct Paths {
    pub repo: PathBuf,
    pub app: PathBuf,
    pub tauri_driver: PathBuf,
    /// The `enroll` CLI: the simulated SBI devices and the register's `packet open`.
    pub cli: PathBuf,
    pub artifacts: PathBuf,
}

impl Paths {
    /// Fails loudly (never skips) when the app or tauri-driver is missing: a green run that
    /// tested nothing would be worse than a red one.
    pub fn resolve() -> Paths {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("e2e/ is inside the repository")
            .to_path_buf();
        let from_env = |name: &str, default: PathBuf| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or(default)
        };
        let app = from_env("ENROLL_APP_BIN", repo.join("target/debug/enroll-app"));
        let tauri_driver = from_env("TAURI_DRIVER", repo.join(".tools/bin/tauri-driver"));
        let cli = from_env("ENROLL_CLI_BIN", app.with_file_name("enroll"));
        for (what, path, how) in [
            (
                "the app binary (ENROLL_APP_BIN)",
                &app,
                "it is built by `make test` (npm run build in ui/, then cargo build -p enroll-app)",
            ),
            (
                "tauri-driver (TAURI_DRIVER)",
                &tauri_driver,
                "`make test` installs it with `cargo install tauri-driver --version ^2 --locked --root .tools`",
            ),
            (
                "the enroll CLI (ENROLL_CLI_BIN)",
                &cli,
                "it is built by `make test` (cargo nextest builds every binary of the workspace)",
            ),
        ] {
            assert!(
                path.is_file(),
                "\n\nthe end-to-end test needs {what} at {}, which does not exist;\n{how}.\nRun `make test`.\n",
                path.display()
            );
        }
        let artifacts = repo.join("artifacts/e2e");
        Paths {
            repo,
            app,
            tauri_driver,
            cli,
            artifacts,
        }
    }
}

/// A process we started; on drop its whole process group is stopped, politely then firmly.
pub struct ProcessGroup {
    name: &'static str,
    child: Child,
}

impl ProcessGroup {
    /// Starts `command` as the leader of a new process group.
    pub fn spawn(name: &'static str, command: &mut Command) -> Result<ProcessGroup> {
        let child = command
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        Ok(ProcessGroup { name, child })
    }

    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// SIGTERM to the group (tauri-driver then stops WebKitWebDriver), a moment's grace, then
    /// SIGKILL to whatever of the group is left, the app included.
    pub fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
        eprintln!("[e2e] stopped {}", self.name);
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The display to use: `$DISPLAY` if set, else a fresh Xvfb on a display number it picks
/// itself (`-displayfd`), which the returned guard stops at the end.
pub fn display() -> Result<(String, Option<ProcessGroup>)> {
    if let Some(display) = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) {
        return Ok((display, None));
    }
    let mut xvfb = ProcessGroup::spawn(
        "Xvfb",
        Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    )
    .context("DISPLAY is unset, so the test starts Xvfb (apt-get install xvfb)")?;
    // Xvfb writes the display number once it accepts clients.
    let stdout = xvfb.child().stdout.take().expect("stdout is piped");
    let (sender, receiver) = std::sync::mpsc::channel();
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
    eprintln!("[e2e] started Xvfb on :{number}");
    Ok((format!(":{number}"), Some(xvfb)))
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something accepts TCP connections on `port`.
pub fn wait_for_port(port: u16, what: &str) -> Result<()> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{what} did not listen on port {port} within 20 s")
}

/// A listing of every file under `root` with its size and modification time, to tell
/// whether the test wrote anything there. `None` when `root` does not exist.
pub fn snapshot(root: &Path) -> Option<Vec<(PathBuf, u64, Option<SystemTime>)>> {
    fn walk(dir: &Path, into: &mut Vec<(PathBuf, u64, Option<SystemTime>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                walk(&path, into);
            }
            into.push((path, meta.len(), meta.modified().ok()));
        }
    }
    if !root.exists() {
        return None;
    }
    let mut files = Vec::new();
    walk(root, &mut files);
    files.sort();
    Some(files)
}

/// The app window, driven through tauri-driver; elements are found by `data-testid` only.
pub struct Ui {
    pub client: Client,
    artifacts: PathBuf,
}

pub fn by_test_id(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl Ui {
    /// Opens a WebDriver session; tauri-driver turns `tauri:options` into WebKitWebDriver's
    /// options and WebKitWebDriver launches the app.
    pub async fn connect(driver_port: u16, app: &Path, artifacts: &Path) -> Result<Ui> {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("tauri:options".into(), serde_json::json!({ "application": app }));
        // The session starts the app: an app that cannot start must fail the test, not hang it.
        let url = format!("http://127.0.0.1:{driver_port}");
        let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(capabilities);
        let client = tokio::time::timeout(2 * STEP_TIMEOUT, builder.connect(&url))
            .await
            .map_err(|_| anyhow!("the app did not start within {:?}", 2 * STEP_TIMEOUT))?
            .context("cannot open a WebDriver session through tauri-driver")?;
        Ok(Ui {
            client,
            artifacts: artifacts.to_path_buf(),
        })
    }

    /// Polls `probe` until it yields a value or [`STEP_TIMEOUT`] passes.
    pub async fn wait_until<T, F, Fut>(&self, what: &str, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>>>,
    {
        let deadline = Instant::now() + STEP_TIMEOUT;
        let mut last_error = None;
        loop {
            // A WebDriver call that never answers fails the step rather than hanging the run.
            let answer = tokio::time::timeout(STEP_TIMEOUT, probe())
                .await
                .map_err(|_| anyhow!("the window did not answer within {STEP_TIMEOUT:?} while waiting for {what}"))?;
            match answer {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => {}
                Err(error) => last_error = Some(error),
            }
            if Instant::now() > deadline {
                let why = last_error.map(|e| format!(" (last error: {e:#})")).unwrap_or_default();
                bail!("timed out after {STEP_TIMEOUT:?} waiting for {what}{why}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The element with this test id, if it is on the page and displayed.
    pub async fn find_displayed(&self, id: &str) -> Result<Option<Element>> {
        match self.client.find(Locator::Css(&by_test_id(id))).await {
            Ok(element) => Ok(element.is_displayed().await?.then_some(element)),
            Err(error) if error.is_no_such_element() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Waits for the element with this test id to be displayed.
    pub async fn wait_for(&self, id: &str) -> Result<Element> {
        self.wait_until(&format!("[data-testid={id}] to show"), || self.find_displayed(id))
            .await
    }

    /// Waits until the element with this test id is displayed and enabled, then clicks it.
    pub async fn click(&self, id: &str) -> Result<()> {
        let element = self
            .wait_until(&format!("[data-testid={id}] to be clickable"), || async {
                let Some(element) = self.find_displayed(id).await? else {
                    return Ok(None);
                };
                Ok(element.is_enabled().await?.then_some(element))
            })
            .await?;
        element
            .click()
            .await
            .with_context(|| format!("clicking [data-testid={id}]"))
    }

    /// Types `text` into an input as a user would, then checks it arrived whole.
    pub async fn type_into(&self, id: &str, text: &str) -> Result<()> {
        self.type_keys(id, text, text).await
    }

    /// Presses the keys of `keys` in an input, then checks it holds `expected`: in a field that
    /// follows its language's keyboard layout, Latin keys type that layout's letters.
    pub async fn type_keys(&self, id: &str, keys: &str, expected: &str) -> Result<()> {
        let element = self.wait_for(id).await?;
        element.clear().await?;
        element
            .send_keys(keys)
            .await
            .with_context(|| format!("typing into [data-testid={id}]"))?;
        let value = element.prop("value").await?.unwrap_or_default();
        if value != expected {
            bail!("typed {keys:?} into [data-testid={id}], expecting {expected:?}, but it holds {value:?}");
        }
        Ok(())
    }

    /// Presses Enter in the element, as a clerk submitting a form from the keyboard.
    pub async fn press_enter(&self, id: &str) -> Result<()> {
        let element = self.wait_for(id).await?;
        element
            .send_keys(&fantoccini::key::Key::Enter.to_string())
            .await
            .with_context(|| format!("pressing Enter in [data-testid={id}]"))
    }

    /// Picks `files` in a file input, as the system's file chooser would (WebDriver sets them
    /// on the input; the chooser itself is GTK's, out of WebDriver's reach). Several files go
    /// as one selection, one path per line.
    pub async fn choose_files(&self, id: &str, files: &[&Path]) -> Result<()> {
        let element = self.wait_for(id).await?;
        let paths: Vec<String> = files
            .iter()
            .map(|file| file.canonicalize().map(|p| p.display().to_string()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("the files for [data-testid={id}]"))?;
        element
            .send_keys(&paths.join("\n"))
            .await
            .with_context(|| format!("choosing {paths:?} in [data-testid={id}]"))
    }

    pub async fn select(&self, id: &str, value: &str) -> Result<()> {
        let element = self.wait_for(id).await?;
        element
            .select_by_value(value)
            .await
            .with_context(|| format!("choosing {value:?} in [data-testid={id}]"))
    }

    pub async fn text(&self, id: &str) -> Result<String> {
        Ok(self.wait_for(id).await?.text().await?)
    }

    /// What the input (or select, or text area) with this test id holds.
    pub async fn value(&self, id: &str) -> Result<String> {
        Ok(self.wait_for(id).await?.prop("value").await?.unwrap_or_default())
    }

    /// Scrolls the element with this test id to the top of the window, for a screenshot of it.
    pub async fn scroll_to(&self, id: &str) -> Result<()> {
        let element = self.wait_for(id).await?;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'start'})",
                vec![serde_json::to_value(&element)?],
            )
            .await
            .with_context(|| format!("scrolling to [data-testid={id}]"))?;
        Ok(())
    }

    /// Waits until the element's `attribute` equals `expected`.
    pub async fn wait_for_attr(&self, id: &str, attribute: &str, expected: &str) -> Result<()> {
        self.wait_until(
            &format!("[data-testid={id}] to have {attribute}={expected:?}"),
            || async {
                let Some(element) = self.find_displayed(id).await? else {
                    return Ok(None);
                };
                Ok((element.attr(attribute).await?.as_deref() == Some(expected)).then_some(()))
            },
        )
        .await
    }

    /// Saves what the window shows as `artifacts/e2e/<name>.png` and returns the path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // WebKit hands WebDriver the last painted frame: let two frames paint first, or the
        // picture can show the screen before the one the test just waited for.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await
            .context("waiting for the window to paint")?;
        tokio::time::sleep(Duration::from_millis(250)).await;
        // WebKit takes the screenshot after the window's next paint. Without GPU compositing
        // (the app's default: `src-tauri/src/main.rs`) an idle window does not paint again, and
        // the screenshot would wait for ever: a pixel in a corner, invisible (its alpha goes
        // between 0 and 1/255), changes every 100 ms while the screenshot is taken.
        self.client
            .execute(
                "const pixel = document.createElement('div'); \
                 pixel.id = 'e2e-paint-nudge'; pixel.setAttribute('aria-hidden', 'true'); \
                 pixel.style.cssText = 'position:fixed;inset-block-start:0;inset-inline-start:0;\
                   inline-size:1px;block-size:1px;pointer-events:none;z-index:2147483647'; \
                 document.body.append(pixel); \
                 let odd = false; \
                 pixel.dataset.timer = String(setInterval(() => { \
                   odd = !odd; pixel.style.background = odd ? 'rgba(0,0,0,0.004)' : 'transparent'; \
                 }, 100));",
                vec![],
            )
            .await
            .context("nudging the window to paint")?;
        let png = tokio::time::timeout(STEP_TIMEOUT, self.client.screenshot())
            .await
            .map_err(|_| anyhow!("the window gave no screenshot within {STEP_TIMEOUT:?}"))?
            .context("taking a screenshot");
        self.client
            .execute(
                "const pixel = document.getElementById('e2e-paint-nudge'); \
                 if (pixel) { clearInterval(Number(pixel.dataset.timer)); pixel.remove(); }",
                vec![],
            )
            .await
            .context("removing the paint nudge")?;
        let png = png?;
        let path = self.artifacts.join(format!("{name}.png"));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("[e2e] screenshot {}", path.display());
        // Every screen the test shows is a screen a clerk sees: each is checked as it is kept.
        if name != "failure" {
            self.check_accessibility(name).await?;
        }
        Ok(path)
    }

    /// Runs axe-core (the UI's devDependency, `ui/node_modules/axe-core`) on what the window
    /// shows, against WCAG 2.1 A and AA, and fails on any serious or critical violation,
    /// naming the rule and the elements; lesser ones are printed. `ENROLL_AXE=report` prints
    /// everything and fails on nothing (for a first look at a new screen).
    pub async fn check_accessibility(&self, screen: &str) -> Result<()> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object'", vec![])
            .await?;
        if loaded != serde_json::json!(true) {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&script)
                .with_context(|| format!("reading {} (npm ci in ui/ installs it)", script.display()))?;
            self.client
                .execute(&format!("{source}\nreturn typeof window.axe;"), vec![])
                .await
                .context("loading axe-core into the window")?;
        }
        let answer = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, \
                                     resultTypes: ['violations'] }) \
                   .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, \
                     nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')) })))) \
                   .catch((e) => done({ error: String(e) }));",
                vec![],
            )
            .await
            .context("running axe-core")?;
        if let Some(error) = answer.get("error") {
            bail!("axe-core failed on {screen}: {error}");
        }
        let violations = answer.as_array().cloned().unwrap_or_default();
        let report_only = std::env::var("ENROLL_AXE").is_ok_and(|v| v == "report");
        let mut serious = Vec::new();
        // Kept beside the screenshots, a line per screen checked and one per finding: a passing
        // run's output is not shown, and the log says each screen was looked at.
        let mut log_lines = vec![format!("{screen}: checked, {} findings", violations.len())];
        for violation in &violations {
            let impact = violation["impact"].as_str().unwrap_or("unknown");
            let line = format!(
                "{screen}: {impact} {}: {} at {}",
                violation["id"].as_str().unwrap_or("?"),
                violation["help"].as_str().unwrap_or(""),
                violation["nodes"]
            );
            eprintln!("[e2e] axe {line}");
            if matches!(impact, "serious" | "critical") {
                serious.push(line.clone());
            }
            log_lines.push(line);
        }
        let log = self.artifacts.join("accessibility.log");
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(&log) {
            use std::io::Write;
            for line in &log_lines {
                let _ = writeln!(file, "{line}");
            }
        }
        if !serious.is_empty() && !report_only {
            bail!(
                "accessibility violations (axe-core, WCAG 2.1 AA):\n{}",
                serious.join("\n")
            );
        }
        Ok(())
    }
}
