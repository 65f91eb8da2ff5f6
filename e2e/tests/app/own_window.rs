//! The app in a window of its own, for a test that needs none of the long flow's set-up
//! (`keyboard/`, `tifinagh.rs`): a fresh station folder, a real intake on loopback, an X
//! display, and tauri-driver with the app's log in `artifacts/e2e/<log>`. The app uses its
//! built-in simulated devices, whatever the environment of the test run says.
//!
//! Deliberately absent: the flow itself, and the SBI devices (`main.rs` starts those).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use super::harness::{self, Paths, ProcessGroup, Ui};
use super::Intake;

/// An open window and everything behind it, until [`OwnWindow::close`].
pub struct OwnWindow {
    pub ui: Ui,
    /// The station's data folder (`ENROLL_DATA_DIR`).
    pub station_dir: PathBuf,
    paths: Paths,
    driver: ProcessGroup,
    intake: Intake,
    _display: Option<ProcessGroup>,
    _temp: tempfile::TempDir,
    real_app_data: Option<PathBuf>,
    real_app_data_before: Option<Vec<(PathBuf, u64, Option<std::time::SystemTime>)>>,
}

impl OwnWindow {
    /// Starts everything and connects to the app's window; the app's log goes to `log`.
    pub async fn open(log: &str) -> OwnWindow {
        let paths = Paths::resolve();
        std::fs::create_dir_all(&paths.artifacts).expect("cannot create artifacts/e2e");
        let real_app_data = super::real_app_data_dir();
        let real_app_data_before = real_app_data.as_deref().and_then(harness::snapshot);
        let temp = tempfile::tempdir().expect("temp dir");
        let station_dir = temp.path().join("station");
        let intake = Intake::start(&temp.path().join("intake"))
            .await
            .expect("the intake starts");
        let intake_url = format!("http://{}", intake.address);
        let (display, xvfb) = harness::display().expect("a display");
        let (driver, driver_port) =
            start_driver(&paths, &display, &station_dir, &intake_url, log).expect("tauri-driver starts");
        let ui = Ui::connect(driver_port, &paths.app, &paths.artifacts)
            .await
            .expect("a WebDriver session with the app");
        OwnWindow {
            ui,
            station_dir,
            paths,
            driver,
            intake,
            _display: xvfb,
            _temp: temp,
            real_app_data,
            real_app_data_before,
        }
    }

    /// Tears everything down after the test's `outcome`; a failure is screenshotted as
    /// `failure_screenshot` first and then panics with the error. Also fails if the run wrote
    /// into the platform's app-data folder: everything must go to `ENROLL_DATA_DIR`.
    pub async fn close(mut self, outcome: Result<()>, failure_screenshot: &str) {
        if outcome.is_err() {
            let _ = self.ui.screenshot(failure_screenshot).await;
        }
        let _ = self.ui.client.clone().close().await;
        self.driver.stop();
        self.intake.stop().await;
        if let Err(error) = outcome {
            panic!(
                "{error:#}\n(screens and the app's log are in {})",
                self.paths.artifacts.display()
            );
        }
        let real_app_data_after = self.real_app_data.as_deref().and_then(harness::snapshot);
        assert!(
            self.real_app_data_before == real_app_data_after,
            "the test wrote into the real app-data folder {:?}; everything must go to ENROLL_DATA_DIR",
            self.real_app_data
        );
    }
}

/// tauri-driver on free ports with the station's environment. No `ENROLL_DEVICES`: the app's
/// own simulated devices, with their usual latency (a capture keeps its button busy for a
/// while, as a real device does).
fn start_driver(
    paths: &Paths,
    display: &str,
    station_dir: &Path,
    intake_url: &str,
    log: &str,
) -> Result<(ProcessGroup, u16)> {
    let driver_port = harness::free_port()?;
    let native_port = harness::free_port()?;
    let log = std::fs::File::create(paths.artifacts.join(log)).context("the app's log file")?;
    let driver = ProcessGroup::spawn(
        "tauri-driver",
        Command::new(&paths.tauri_driver)
            .args([
                "--port",
                &driver_port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", display)
            .env("ENROLL_DATA_DIR", station_dir)
            .env("ENROLL_INTAKE_URL", intake_url)
            .env_remove("ENROLL_DEVICES")
            .env_remove("ENROLL_SIMULATED_LATENCY_MS")
            .env("RUST_LOG", "info")
            // No accessibility bus under Xvfb; without this GTK waits for one on every start.
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log),
    )?;
    harness::wait_for_port(driver_port, "tauri-driver")?;
    // As in main.rs: a session asked for before WebKitWebDriver listens is dropped.
    harness::wait_for_port(native_port, "WebKitWebDriver")?;
    Ok((driver, driver_port))
}
