//! End to end: a clerk sets up a station, signs in, enrolls a resident and syncs, in the
//! REAL app window (WebKitGTK under Xvfb, driven through tauri-driver and WebKitWebDriver),
//! against a REAL intake server started in this process on loopback.
//!
//! The flow: setup → a wrong password is refused on the login form → sign in →
//! administration: add an officer, add and remove a temporary operator, reset the officer's
//! password (too short first: said next to the field), set the station policy (an idle lock
//! out of range first: said next to the field), purge (confirmed; nothing is old enough) →
//! the officer signs in with the reset password and changes it (a wrong current password is
//! said next to its field) → new registration → Finalize with empty required fields shows the UI's field errors → the form
//! filled (English and Arabic names), the biometrics taken from the simulated devices served
//! over MOSIP SBI by `enroll sim-devices` and trusted through their CA, the face among them (its
//! thumbnail a loaded image; the left slap's live preview shows the device's SBI stream; every
//! step labelled simulated; the
//! right thumb recorded missing with its reason and exception photo; the irises, whose camera
//! stages low quality, still short after three attempts and signed off by the admin on the
//! clerk's screen), but a phone
//! number only the station's schema check refuses: its field error
//! shows under the phone input → correct it → Finalize
//! (the banner names the registration; the row is in the pending list) → the admin reviews it
//! → the intake stops → Approve on the review screen (home says so; the row moves to the upload
//! queue, "Approved by admin") → the background sync says
//! the intake is offline; Sync now (a banner says the packet stays queued; the queue row shows
//! the upload error) → the rejected packet's file is damaged → start the intake again on the
//! same port (behind a proxy shaped like a slow field link) → nobody presses anything: the
//! background sync sends the queue with its progress on the home screen → the approved row is
//! in the acknowledged list with its receipt and decision → the upload center shows the damaged
//! one quarantined, refused by the register; the file made whole, the admin's Try again sends it → its registration screen shows the
//! decision and the same receipt → the register opens both stored packets with `enroll packet
//! open`: the approved one holds every captured record, signed by its device → Arabic, where a new registration waits in the drafts list
//! and "continue" reopens it → in French, a capture on it reads in French → with the idle lock set to one minute, the lock screen shows by
//! itself (no click) and the password reopens the registration that was open.
//!
//! Every screen is saved under `artifacts/e2e/`; with `UPDATE_SCREENSHOT=1` the acknowledged
//! home screen also becomes the README's `docs/screenshot.png`. The test fails (never skips) when the app or tauri-driver is
//! missing: `make test` builds and installs both. It also fails if the run wrote into the
//! platform's app-data folder: everything must go to `ENROLL_DATA_DIR`.

mod flows;
mod harness;
mod keyboard;
mod own_window;
mod sbi_devices;
mod slip_pdf;
mod tifinagh;
// The whole table of the UI; the flow does not touch every id.
#[allow(dead_code)]
mod test_ids;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use enroll_intake::{IntakeConfig, RunningIntake};
use enroll_packet::RegisterKeyPair;
use flows::{attach_document, ensure_loaded_image, fill_address, fixtures, new_registration};
use harness::{Paths, ProcessGroup, Ui};
use sbi_devices::SbiDevices;
use test_ids as id;

/// The app's identifier in `src-tauri/tauri.conf.json`: its app-data folder's name.
const APP_IDENTIFIER: &str = "org.enrollment.station";

const ADMIN: &str = "admin";
const PASSWORD: &str = "correct horse battery";
const OFFICER: &str = "sara.officer";
const OFFICER_PASSWORD: &str = "officer password 1";
/// What the admin resets the officer's password to; the officer then changes it back.
const OFFICER_RESET_PASSWORD: &str = "reset by the admin";
const TEMP_OPERATOR: &str = "temp.clerk";
const STATION_NAME: &str = "Rabat Central 1";
const REJECTION_REASON: &str = "The photo does not show the face clearly";
/// The register's reason for asking the resident to come back.
const REGISTER_REASON: &str = "Fingerprints unreadable: please enroll again";

/// An intake on loopback whose keys and data outlive a stop, so it can be started again.
struct Intake {
    data_dir: PathBuf,
    keys_json: String,
    address: SocketAddr,
    running: Option<RunningIntake>,
}

impl Intake {
    async fn start(data_dir: &Path) -> Result<Intake> {
        let keys_json = RegisterKeyPair::generate().to_json();
        let mut intake = Intake {
            data_dir: data_dir.to_path_buf(),
            keys_json,
            address: "127.0.0.1:0".parse()?,
            running: None,
        };
        intake.restart().await?;
        Ok(intake)
    }

    /// Starts (again) with the same keys and data, on the same port once it has one.
    async fn restart(&mut self) -> Result<()> {
        let config = IntakeConfig {
            data_dir: self.data_dir.clone(),
            register_keys: RegisterKeyPair::from_json(&self.keys_json)?,
            previous_register_keys: Vec::new(),
            max_upload_bytes: IntakeConfig::DEFAULT_MAX_UPLOAD_BYTES,
            upload_expiry: Duration::from_secs(3600),
            station_approval: enroll_intake::StationApproval::Automatic,
        };
        let running = enroll_intake::spawn(config, self.address)
            .await
            .context("starting the intake")?;
        self.address = running.local_addr();
        eprintln!("[e2e] intake at {}", running.base_url());
        self.running = Some(running);
        Ok(())
    }

    async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
            eprintln!("[e2e] intake stopped");
        }
    }
}

/// The station's link to the intake: a proxy shaped like a slow field link, so the background
/// sync's progress shows for a few seconds instead of a blink over loopback. It outlives the
/// intake's stops (the station keeps one address); while the intake is down, it closes each
/// connection at once, as a dead link does.
struct Link {
    proxy: enroll_link_proxy::LinkProxy,
}

/// About 4 Mbit/s: a packet of a few megabytes takes seconds.
const LINK_BYTES_PER_SECOND: u64 = 500_000;

impl Link {
    async fn to(intake: &Intake) -> Result<Link> {
        let proxy = enroll_link_proxy::LinkProxy::start(
            intake.address,
            enroll_link_proxy::LinkProfile {
                bytes_per_second: LINK_BYTES_PER_SECOND,
                delay: Duration::from_millis(20),
            },
        )
        .await
        .context("starting the link proxy")?;
        Ok(Link { proxy })
    }

    fn url(&self) -> String {
        self.proxy.url()
    }
}

/// The platform's app-data folder for the app, as Tauri resolves it on Linux.
fn real_app_data_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))?;
    Some(base.join(APP_IDENTIFIER))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_enrolls_a_resident_and_the_intake_acknowledges_it() {
    let paths = Paths::resolve();
    std::fs::create_dir_all(&paths.artifacts).expect("cannot create artifacts/e2e");
    for old in std::fs::read_dir(&paths.artifacts)
        .expect("artifacts/e2e is readable")
        .flatten()
    {
        // Only this test's own (numbered steps, the failure shot, its logs): the other tests
        // of the crate keep theirs here too.
        let name = old.file_name().to_string_lossy().into_owned();
        let own = name.starts_with(|c: char| c.is_ascii_digit()) || name.starts_with("failure");
        let own = own || name == "accessibility.log";
        if own && old.path().extension().is_some_and(|e| e == "png" || e == "log") {
            let _ = std::fs::remove_file(old.path());
        }
    }
    let real_app_data = real_app_data_dir();
    let real_app_data_before = real_app_data.as_deref().and_then(harness::snapshot);

    let temp = tempfile::tempdir().expect("temp dir");
    let station_dir = temp.path().join("station");
    let mut intake = Intake::start(&temp.path().join("intake"))
        .await
        .expect("the intake starts");
    let link = Link::to(&intake).await.expect("the link proxy starts");
    let (display, _xvfb) = harness::display().expect("a display");
    let devices = SbiDevices::start(&paths.cli, temp.path()).expect("the simulated SBI devices start");

    let (mut driver, driver_port) =
        start_driver(&paths, &display, &station_dir, &link.url(), &devices, "app.log").expect("tauri-driver starts");

    let ui = Ui::connect(driver_port, &paths.app, &paths.artifacts)
        .await
        .expect("a WebDriver session with the app");
    let mut outcome = enroll_and_sync(&ui, &mut intake, &station_dir, &paths).await;
    if outcome.is_err() {
        let _ = ui.screenshot("failure").await;
    }
    let ui = if outcome.is_ok() {
        // Closes the first window on the way, when all goes well.
        let (second, result) =
            a_second_window_waits_for_the_first(ui, &paths, &display, &station_dir, &link.url(), &devices).await;
        outcome = result;
        second
    } else {
        ui
    };
    let _ = ui.client.clone().close().await;
    driver.stop();
    intake.stop().await;
    if let Err(error) = outcome {
        panic!(
            "{error:#}\n(screens and the app's log are in {})",
            paths.artifacts.display()
        );
    }

    let real_app_data_after = real_app_data.as_deref().and_then(harness::snapshot);
    assert!(
        real_app_data_before == real_app_data_after,
        "the test wrote into the real app-data folder {:?}; everything must go to ENROLL_DATA_DIR",
        real_app_data
    );
}

/// tauri-driver on free ports, with the station's environment, logging to `log_name` in the
/// artifacts. tauri-driver passes its environment on to WebKitWebDriver, which passes it on to
/// the app; the test checks that the station really used ENROLL_DATA_DIR.
fn start_driver(
    paths: &Paths,
    display: &str,
    station_dir: &Path,
    intake_url: &str,
    devices: &SbiDevices,
    log_name: &str,
) -> Result<(ProcessGroup, u16)> {
    let driver_port = harness::free_port()?;
    let native_port = harness::free_port()?;
    let log = std::fs::File::create(paths.artifacts.join(log_name)).context("the app's log file")?;
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
            // The background sync looks at the intake at least every second, so the test sees
            // it resume within moments of the intake's return.
            .env("ENROLL_SYNC_RECHECK_MS", "1000")
            .envs(devices.app_environment())
            .env("RUST_LOG", "info")
            // No accessibility bus under Xvfb; without this GTK waits for one on every start.
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log),
    )?;
    harness::wait_for_port(driver_port, "tauri-driver")?;
    // tauri-driver listens before the WebKitWebDriver it starts does, and answers a new session
    // asked for in between by dropping the connection ("webdriver server did not respond").
    harness::wait_for_port(native_port, "WebKitWebDriver")?;
    Ok((driver, driver_port))
}

/// A second launch of the app on the same station (a double click) while the first window is
/// open: the vault takes one writer at a time, so the second window says the station is open
/// elsewhere instead of quitting silently, and its Retry opens the station once the first
/// window is closed. Returns the window still open (the second, or the first on failure).
async fn a_second_window_waits_for_the_first(
    first: Ui,
    paths: &Paths,
    display: &str,
    station_dir: &Path,
    intake_url: &str,
    devices: &SbiDevices,
) -> (Ui, Result<()>) {
    let (mut driver, port) = match start_driver(paths, display, station_dir, intake_url, devices, "app-second.log") {
        Ok(started) => started,
        Err(error) => return (first, Err(error)),
    };
    let second = match Ui::connect(port, &paths.app, &paths.artifacts).await {
        Ok(ui) => ui,
        Err(error) => return (first, Err(error)),
    };
    let result = async {
        second.wait_for(id::START_FAILED).await?;
        let text = second.text(id::START_FAILED).await?;
        ensure!(
            text.contains("already open in another window"),
            "the second window says why it cannot open the station: {text:?}"
        );
        second.screenshot("13-second-window-station-in-use").await?;
        first.client.clone().close().await.context("closing the first window")?;
        // WebKitWebDriver ends the first app with its session; Retry until the vault is free.
        second
            .wait_until("the second window to open the station after Retry", || async {
                second.click(id::START_RETRY).await.ok();
                tokio::time::sleep(Duration::from_millis(500)).await;
                Ok(second.find_displayed(id::LOGIN_SCREEN).await?.map(|_| ()))
            })
            .await?;
        second.screenshot("14-second-window-after-retry").await?;
        Ok(())
    }
    .await;
    let _ = second.client.clone().close().await;
    driver.stop();
    (second, result)
}

async fn enroll_and_sync(ui: &Ui, intake: &mut Intake, station_dir: &Path, paths: &Paths) -> Result<()> {
    // 1. First run: set the station up.
    ui.wait_for(id::SETUP_SCREEN).await?;
    ui.wait_for(id::SIMULATED_STATION_BADGE)
        .await
        .context("the simulated-devices badge shows from the first screen")?;
    ui.screenshot("01-setup").await?;
    ui.type_into(id::SETUP_STATION_NAME, STATION_NAME).await?;
    ui.type_into(id::SETUP_CENTER_ID, "10001").await?;
    ui.type_into(id::SETUP_ADMIN_USERNAME, ADMIN).await?;
    ui.type_into(id::SETUP_ADMIN_FULL_NAME, "Nadia Amrani").await?;
    ui.type_into(id::SETUP_PASSWORD, PASSWORD).await?;
    ui.type_into(id::SETUP_PASSWORD_CONFIRM, PASSWORD).await?;
    ui.click(id::SETUP_SUBMIT).await?;
    let after_setup = ui
        .wait_until("the login or home screen after setup", || async {
            for screen in [id::LOGIN_SCREEN, id::HOME_SCREEN] {
                if ui.find_displayed(screen).await?.is_some() {
                    return Ok(Some(screen));
                }
            }
            if let Some(banner) = ui.find_displayed(id::BANNER).await? {
                bail!("setup failed: {}", banner.text().await?);
            }
            Ok(None)
        })
        .await?;
    ensure!(
        std::fs::read_dir(station_dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false),
        "the station wrote nothing into ENROLL_DATA_DIR ({}): the app did not get the test's environment",
        station_dir.display()
    );
    if after_setup == id::HOME_SCREEN {
        // The station signed the new admin in; sign out to test the login form.
        ui.click(id::LOG_OUT_BUTTON).await?;
    }

    // 2. A wrong password is refused where the clerk looks: on the login form.
    ui.wait_for(id::LOGIN_SCREEN).await?;
    ui.type_into(id::LOGIN_USERNAME, ADMIN).await?;
    ui.type_into(id::LOGIN_PASSWORD, "not the password").await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    let error = ui.text(id::LOGIN_ERROR).await?;
    ensure!(
        error.contains("Wrong username or password"),
        "the login error says {error:?}"
    );
    ui.screenshot("02-login-wrong-password").await?;

    // 3. Sign in; Enter submits the form.
    ui.type_into(id::LOGIN_PASSWORD, PASSWORD).await?;
    ui.press_enter(id::LOGIN_PASSWORD).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let station_name = ui.text(id::HOME_STATION_NAME).await?;
    ensure!(
        station_name.contains(STATION_NAME),
        "home shows the station as {station_name:?}"
    );
    let operator = ui.text(id::SIGNED_IN_OPERATOR).await?;
    ensure!(operator.contains("Nadia Amrani"), "the top bar shows {operator:?}");
    ui.screenshot("03-home-empty").await?;

    // 3b. Administration. The admin adds an officer, who then signs in and registers (nobody
    //     approves their own registration, so the admin approves it later).
    ui.click(id::ADMIN_OPEN).await?;
    ui.wait_for(id::ADMIN_SCREEN).await?;
    ui.wait_for(&id::operator_row_id(ADMIN)).await?;
    ensure!(
        ui.find_displayed(&id::operator_remove_id(ADMIN)).await?.is_none(),
        "the admin is offered to remove themselves"
    );
    add_operator(
        ui,
        OFFICER,
        "Sara Bennani",
        "officer",
        OFFICER_PASSWORD,
        "03b-add-operator",
    )
    .await?;
    let banner = ui.text(id::BANNER).await?;
    ensure!(
        banner.contains("Sara Bennani") && banner.contains("Registration officer"),
        "the banner says {banner:?}"
    );
    ui.wait_for(&id::operator_row_id(OFFICER)).await?;

    // 3c. A temporary operator is added, then removed (after a confirmation).
    add_operator(ui, TEMP_OPERATOR, "Karim Temp", "supervisor", "temporary password", "").await?;
    ui.click(&id::operator_remove_id(TEMP_OPERATOR)).await?;
    ui.click(&id::operator_remove_confirm_id(TEMP_OPERATOR)).await?;
    ui.wait_until("the removed operator's row to go", || async {
        Ok(ui
            .find_displayed(&id::operator_row_id(TEMP_OPERATOR))
            .await?
            .is_none()
            .then_some(()))
    })
    .await?;
    let banner = ui.text(id::BANNER).await?;
    ensure!(
        banner.contains("Karim Temp") && banner.contains("removed"),
        "the banner says {banner:?}"
    );
    ui.screenshot("03c-admin-operators").await?;

    // 3d. The officer's password is reset: too short first, said next to the field.
    ui.click(&id::operator_reset_id(OFFICER)).await?;
    ui.type_into(id::RESET_PASSWORD, "short").await?;
    ui.type_into(id::RESET_PASSWORD_CONFIRM, "short").await?;
    ui.click(id::RESET_SUBMIT).await?;
    let error = ui.text(&id::input_error_id(id::RESET_PASSWORD)).await?;
    ensure!(
        error.contains("at least 8"),
        "the reset password's error says {error:?}"
    );
    ui.screenshot("03d-admin-reset-too-short").await?;
    ui.type_into(id::RESET_PASSWORD, OFFICER_RESET_PASSWORD).await?;
    ui.type_into(id::RESET_PASSWORD_CONFIRM, OFFICER_RESET_PASSWORD).await?;
    ui.click(id::RESET_SUBMIT).await?;
    ui.wait_until("the reset to be confirmed", || async {
        let text = ui.text(id::BANNER).await?;
        Ok(text.contains("password of Sara Bennani is reset").then_some(()))
    })
    .await?;

    // 3e. The station policy: an idle lock out of range is said next to its field; then saved.
    ui.type_into(id::POLICY_IDLE_LOCK, "0").await?;
    ui.click(id::POLICY_SUBMIT).await?;
    let error = ui.text(&id::input_error_id(id::POLICY_IDLE_LOCK)).await?;
    ensure!(error.contains("from 1 to 120"), "the idle lock's error says {error:?}");
    ui.screenshot("03e-admin-policy-out-of-range").await?;
    ui.type_into(id::POLICY_IDLE_LOCK, "30").await?;
    ui.type_into(id::POLICY_RETENTION, "90").await?;
    ui.click(id::POLICY_SUBMIT).await?;
    ui.wait_until("the policy to be saved", || async {
        let text = ui.text(id::POLICY_OUTCOME).await?;
        let saved = text.contains("Idle lock after 30 minutes") && text.contains("Packets kept 90 days");
        Ok(saved.then_some(()))
    })
    .await?;

    // 3f. Purge asks first, then says that nothing was old enough.
    ui.click(id::PURGE_START).await?;
    ui.wait_for(id::PURGE_CANCEL).await?;
    ui.screenshot("03f-admin-purge-confirm").await?;
    ui.click(id::PURGE_CONFIRM).await?;
    ui.wait_for_attr(id::PURGE_OUTCOME, "data-kind", "info").await?;
    let outcome = ui.text(id::PURGE_OUTCOME).await?;
    ensure!(
        outcome.contains("Nothing was purged") && outcome.contains("90 days"),
        "beside the purge button: {outcome:?}"
    );
    ui.screenshot("03g-admin-purge-nothing").await?;
    ui.click(id::ADMIN_BACK).await?;
    ui.wait_for(id::HOME_SCREEN).await?;

    // 3f'. The settings, in Arabic: the admin's own interface language (kept for her next
    //      sign-in), the devices the station found (simulated, and saying so), and the intake
    //      address, which refuses plain HTTP to another machine next to its field and keeps
    //      the address it had.
    ui.click(id::SETTINGS_OPEN).await?;
    ui.wait_for(id::SETTINGS_SCREEN).await?;
    ui.click(&id::ui_language_choice_id("ar")).await?;
    ui.wait_for(id::SETTINGS_LANGUAGE_OUTCOME).await?;
    let direction = ui.client.execute("return document.documentElement.dir", vec![]).await?;
    ensure!(
        direction.as_str() == Some("rtl"),
        "the settings in Arabic run right to left: {direction:?}"
    );
    let devices = ui.text(id::SETTINGS_DEVICES).await?;
    ensure!(
        devices.contains("(محاكاة)") && devices.contains("SIM-FACE-0001"),
        "the device panel lists the simulated devices and says so: {devices:?}"
    );
    let intake_url = ui.value(id::SETTINGS_INTAKE_URL).await?;
    ensure!(
        intake_url.starts_with("http://127.0.0.1:"),
        "the intake address shown: {intake_url:?}"
    );
    ui.type_into(id::SETTINGS_INTAKE_URL, "http://intake.register.example")
        .await?;
    ui.click(id::SETTINGS_INTAKE_SAVE).await?;
    let refused = ui.text(&id::input_error_id(id::SETTINGS_INTAKE_URL)).await?;
    ensure!(
        refused.contains("https://"),
        "the refusal says why, in Arabic: {refused:?}"
    );
    ui.screenshot("03g2-settings-arabic").await?;
    ui.type_into(id::SETTINGS_INTAKE_URL, &intake_url).await?;
    ui.click(id::SETTINGS_INTAKE_SAVE).await?;
    ui.wait_for(id::SETTINGS_INTAKE_OUTCOME).await?;
    ui.click(&id::ui_language_choice_id("en")).await?;
    ui.click(id::SETTINGS_BACK).await?;
    ui.wait_for(id::HOME_SCREEN).await?;

    // 3g. The officer signs in with the reset password and changes it; a wrong current
    //     password is said next to its field (only the station can tell).
    ui.click(id::LOG_OUT_BUTTON).await?;
    ui.wait_for(id::LOGIN_SCREEN).await?;
    ui.type_into(id::LOGIN_USERNAME, OFFICER).await?;
    ui.type_into(id::LOGIN_PASSWORD, OFFICER_RESET_PASSWORD).await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let operator = ui.text(id::SIGNED_IN_OPERATOR).await?;
    ensure!(
        operator.contains("Sara Bennani"),
        "the officer is signed in: {operator:?}"
    );
    ensure!(
        ui.find_displayed(id::ADMIN_OPEN).await?.is_none(),
        "an officer is offered the administration"
    );
    ui.click(id::ACCOUNT_OPEN).await?;
    ui.wait_for(id::ACCOUNT_SCREEN).await?;
    ui.type_into(id::OLD_PASSWORD, "not my password").await?;
    ui.type_into(id::NEW_PASSWORD, OFFICER_PASSWORD).await?;
    ui.type_into(id::NEW_PASSWORD_CONFIRM, OFFICER_PASSWORD).await?;
    ui.click(id::CHANGE_PASSWORD_SUBMIT).await?;
    let error = ui.text(&id::input_error_id(id::OLD_PASSWORD)).await?;
    ensure!(
        error.contains("not your current password"),
        "the current password's error says {error:?}"
    );
    ui.screenshot("03h-change-password-wrong-current").await?;
    ui.type_into(id::OLD_PASSWORD, OFFICER_RESET_PASSWORD).await?;
    ui.click(id::CHANGE_PASSWORD_SUBMIT).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let banner = ui.text(id::BANNER).await?;
    ensure!(banner.contains("password is changed"), "the banner says {banner:?}");

    // 4. A new registration. It opens on the resident's consent, in every language of the
    //    form, and the form comes once the resident agrees (by keyboard: the caret waits on
    //    "agrees").
    let registration_id = new_registration(ui).await?;
    eprintln!("[e2e] registration {registration_id}");
    let arabic_consent = ui.wait_for(&id::consent_text_id("ar")).await?;
    ensure!(
        arabic_consent.attr("dir").await?.as_deref() == Some("rtl"),
        "the Arabic consent text runs right to left"
    );
    ui.screenshot("04a-consent").await?;
    ui.wait_until("the caret on \"the resident agrees\"", || async {
        let focused = ui
            .client
            .execute("return document.activeElement?.dataset.testid ?? null", vec![])
            .await?;
        Ok((focused.as_str() == Some(id::CONSENT_AGREE)).then_some(()))
    })
    .await?;
    ui.press_enter(id::CONSENT_AGREE).await?;
    ui.wait_for(id::CONSENT_GIVEN).await?;

    // 5. The wizard's review with everything empty lists what is left; Sign off goes to the
    //    first step with something to fix and names each required field next to it, the
    //    multilingual name in each mandatory language, without asking the station.
    ui.wait_for(&id::field_input("fullName", Some("eng"))).await?;
    ui.wait_for_attr(&id::wizard_step_id("demographics"), "aria-current", "step")
        .await?;
    ui.click(&id::wizard_step_id("review")).await?;
    let review = ui.text(id::REVIEW_STEP).await?;
    ensure!(
        review.contains("Still to do before sign-off"),
        "the empty review says {review:?}"
    );
    ui.screenshot("04b-review-empty").await?;
    ui.click(id::OFFICER_SIGN_OFF_OPEN).await?;
    for (field, language) in [
        ("fullName", Some("eng")),
        ("fullName", Some("ara")),
        ("dateOfBirth", None),
        ("gender", None),
    ] {
        ui.wait_for(&id::field_error(field, language)).await?;
    }
    let banner = ui.text(id::BANNER).await?;
    ensure!(
        banner.contains("Some fields need attention"),
        "the banner says {banner:?}"
    );
    ui.screenshot("04-registration-required-fields").await?;

    // 6. Fill the form, the Arabic name right to left, but with a phone number that only the
    //    station's check (the authority: the schema's patterns) refuses.
    ui.type_into(&id::field_input("fullName", Some("eng")), "Amina Idrissi")
        .await?;
    let arabic_input = ui.wait_for(&id::field_input("fullName", Some("ara"))).await?;
    ensure!(
        arabic_input.attr("dir").await?.as_deref() == Some("rtl"),
        "the Arabic input is not dir=rtl"
    );
    ui.type_into(&id::field_input("fullName", Some("ara")), "أمينة الإدريسي")
        .await?;
    ui.type_into(&id::field_input("dateOfBirth", None), "1990/02/28")
        .await?;
    ui.select(&id::field_input("gender", None), "FLE").await?;
    fill_address(ui).await?;
    ui.type_into(&id::field_input("phone", None), "12-34").await?;
    // Enter goes on to the next step, as Next does.
    ui.press_enter(&id::field_input("phone", None)).await?;
    // 6a. The documents: the proof of identity from a file, a PDF (MOSIP's sample); the
    //     proof of address as two pages from the scanner (the simulated station's is SANE's
    //     own test device), which the packet will hold as one PDF.
    ui.wait_for(id::DOCUMENTS_STEP).await?;
    let identity_pdf = fixtures().join("mosip-packet-sample/components/id/proofOfIdentity.pdf");
    attach_document(ui, "POI", "CIN", Some("AB123456"), &[&identity_pdf]).await?;
    ui.select(&id::document_type_id("POA"), "UTILITY_BILL").await?;
    for page in 1..=2 {
        ui.click(&id::document_scan_id("POA")).await?;
        ui.wait_for_attr(&id::document_pages_ready_id("POA"), "data-pages", &page.to_string())
            .await
            .with_context(|| format!("page {page} from the scanner"))?;
    }
    ui.screenshot("05-documents-scanned").await?;
    attach_document(ui, "POA", "UTILITY_BILL", None, &[]).await?;
    ensure_loaded_image(ui, &id::document_preview_id("POA")).await?;
    ui.screenshot("05-documents").await?;
    ui.click(id::WIZARD_NEXT).await?;
    // 6b. The biometrics from the simulated devices: the right thumb is recorded missing,
    //     with its exception photo; every other finger, both irises and the face are captured.
    capture_biometrics(
        ui,
        Some(("rightThumb", "Amputated at the first joint")),
        "05a-biometrics",
    )
    .await?;
    ensure_loaded_image(ui, &id::tile_thumbnail_id("face")).await?;
    let quality = ui.text(&id::tile_quality_id("face")).await?;
    ensure!(quality.contains("threshold 90"), "the face's quality reads {quality:?}");
    // 6c. The review reads it all back; the sign-off's password goes to the station, whose
    //     check refuses the phone: its error comes back over IPC, under the phone input.
    ui.click(id::WIZARD_NEXT).await?;
    ui.wait_until("the review to show the documents and the biometrics", || async {
        let review = ui.text(id::REVIEW_STEP).await?;
        // The types as the default master data names them.
        let whole = review.contains("National electronic identity card")
            && review.contains("Water or electricity bill")
            && review.contains("Face")
            && !review.contains("Still to do");
        Ok(whole.then_some(()))
    })
    .await?;
    ui.screenshot("05b-review").await?;
    sign_off(ui, OFFICER_PASSWORD).await?;
    let phone_error = ui.text(&id::field_error("phone", None)).await?;
    ensure!(
        phone_error.contains("expected format"),
        "the phone's error says {phone_error:?}"
    );
    ui.screenshot("05-registration-station-check").await?;

    // 7. Correct the phone; the draft autosaves; a wrong password at the sign-off finalizes
    //    nothing; the officer's own finalizes.
    ui.type_into(&id::field_input("phone", None), "+212600112233").await?;
    ui.wait_for_attr(id::AUTOSAVE_STATUS, "data-state", "saved")
        .await
        .context("the draft autosaves")?;
    ui.screenshot("06-registration-complete").await?;
    sign_off(ui, "not my password").await?;
    let refusal = ui.text(id::OFFICER_SIGN_OFF_ERROR).await?;
    ensure!(
        refusal.contains("Nothing was finalized"),
        "a wrong sign-off password says {refusal:?}"
    );
    ui.screenshot("06a-sign-off-wrong-password").await?;
    ui.type_into(id::OFFICER_SIGN_OFF_PASSWORD, OFFICER_PASSWORD).await?;
    ui.press_enter(id::OFFICER_SIGN_OFF_PASSWORD).await?;
    // The wizard's last step: the acknowledgement slip, then home.
    done_with_slip(ui, &registration_id, "06b-slip").await?;
    ensure_finalized_banner(ui, &registration_id).await?;
    let state_id = id::row_state_id(&registration_id);
    ui.wait_for_attr(&state_id, "data-state", "pending_approval").await?;
    ensure_in_list(ui, id::HOME_PENDING, &registration_id).await?;

    // 7a. A second registration, which the admin will reject.
    let rejected_id = new_registration(ui).await?;
    ui.click(id::CONSENT_AGREE).await?;
    ui.wait_for(&id::field_input("fullName", Some("eng"))).await?;
    fill_and_finalize(ui, "Youssef Amrani", "يوسف العمراني", None).await?;
    done_with_slip(ui, &rejected_id, "").await?;
    ensure_finalized_banner(ui, &rejected_id).await?;
    let rejected_state_id = id::row_state_id(&rejected_id);
    ui.wait_for_attr(&rejected_state_id, "data-state", "pending_approval")
        .await?;
    ensure_in_list(ui, id::HOME_PENDING, &rejected_id).await?;
    ui.screenshot("07-home-pending-approval").await?;

    // 7b. The admin signs in and reviews it first: the same screen, read-only, with the face.
    ui.click(id::LOG_OUT_BUTTON).await?;
    ui.wait_for(id::LOGIN_SCREEN).await?;
    ui.type_into(id::LOGIN_USERNAME, ADMIN).await?;
    ui.type_into(id::LOGIN_PASSWORD, PASSWORD).await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    ui.click(&id::row_review_id(&registration_id)).await?;
    ensure_loaded_image(ui, &id::tile_thumbnail_id("face")).await?;
    let name = ui.wait_for(&id::field_input("fullName", Some("ara"))).await?;
    ensure!(
        name.prop("value").await?.as_deref() == Some("أمينة الإدريسي"),
        "the review does not show the Arabic name"
    );
    ensure!(!name.is_enabled().await?, "a pending registration must not be editable");
    ui.screenshot("07b-review").await?;
    // Every image is shown to the reviewer (each captured finger, both irises, the face and
    // the exception photo), and nothing can be captured again.
    for position in [
        "leftIndex",
        "leftMiddle",
        "leftRing",
        "leftLittle",
        "rightIndex",
        "rightMiddle",
        "rightRing",
        "rightLittle",
        "leftThumb",
        "leftIris",
        "rightIris",
        "face",
    ] {
        ui.wait_for(&id::tile_thumbnail_id(position))
            .await
            .with_context(|| format!("the review shows the {position} image"))?;
    }
    ui.wait_for(id::EXCEPTION_PHOTO_PREVIEW)
        .await
        .context("the review shows the exception photo")?;
    ensure!(
        ui.find_displayed(&id::capture_step_id("leftSlap")).await?.is_none(),
        "the review offers to capture again"
    );
    ui.scroll_to(id::BIOMETRICS_SECTION).await?;
    ui.screenshot("07c-review-biometrics").await?;

    // 8. The admin's approval (a second person's), given from the review screen itself, seals
    //    the packet and queues it; home says so. The intake is down by then (a rural team's
    //    day): what is sealed waits on the station.
    intake.stop().await;
    ui.scroll_to(id::REVIEW_DECISION).await?;
    ui.screenshot("07d-review-decision").await?;
    ui.click(id::REVIEW_APPROVE).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let banner = ui.text(id::BANNER).await?;
    ensure!(
        banner.contains(&registration_id) && banner.contains("is approved"),
        "after approving from the review screen, home says {banner:?}"
    );
    let queued_state = ui
        .wait_until("the approved row to be queued", || async {
            let Some(badge) = ui.find_displayed(&state_id).await? else {
                return Ok(None);
            };
            let state = badge.attr("data-state").await?.unwrap_or_default();
            Ok(matches!(state.as_str(), "sealed" | "uploaded").then_some(state))
        })
        .await?;
    eprintln!("[e2e] approved; the row is {queued_state}");
    ensure_in_list(ui, id::HOME_QUEUE, &registration_id).await?;
    let decision_id = id::row_decision_id(&registration_id);
    ensure_approved_by_admin(ui, &decision_id).await?;

    // 8b. The admin rejects the second, with a reason: sealed and queued like an approval (the
    //     register keeps the record of who was turned away and why), and never shown as one.
    ui.click(&id::row_reject_id(&rejected_id)).await?;
    ui.type_into(&id::row_reject_reason_id(&rejected_id), REJECTION_REASON)
        .await?;
    ui.click(&id::row_reject_confirm_id(&rejected_id)).await?;
    ui.wait_for_attr(&rejected_state_id, "data-state", "rejected").await?;
    ensure_in_list(ui, id::HOME_QUEUE, &rejected_id).await?;
    let rejected_decision_id = id::row_decision_id(&rejected_id);
    ensure_rejected_by_admin(ui, &rejected_decision_id).await?;

    // 9. The background sync, woken by the reviews, found the intake down and says so; Sync
    //    now with the intake down: a warning banner says the packet stays queued.
    ui.wait_for_attr(id::SYNC_STATUS, "data-link", "offline")
        .await
        .context("the sync status says the intake is offline")?;
    ui.click(id::SYNC_NOW).await?;
    ui.wait_for_attr(id::BANNER, "data-kind", "warning")
        .await
        .context("a warning banner after syncing with the intake down")?;
    let banner = ui.text(id::BANNER).await?;
    ensure!(
        banner.contains("cannot be reached") && banner.contains("queued"),
        "the banner says {banner:?}"
    );
    let state = ui
        .wait_for(&state_id)
        .await?
        .attr("data-state")
        .await?
        .unwrap_or_default();
    ensure!(
        matches!(state.as_str(), "sealed" | "uploaded"),
        "after a failed sync the row is {state:?}, not queued"
    );
    let row_error = ui
        .text(&id::row_error_id(&registration_id))
        .await
        .context("the row shows its last upload error")?;
    ensure!(
        row_error.starts_with("Last upload failed: ") && row_error.contains("cannot be reached"),
        "the row's error reads {row_error:?}"
    );
    ensure_in_list(ui, id::HOME_QUEUE, &registration_id).await?;
    eprintln!("[e2e] row error: {row_error}");
    ui.screenshot("08-home-intake-unreachable").await?;

    // 9b. The rejected packet's file is damaged on the station's disk (a bad sector): the
    //     register will refuse it for good.
    let rejected_file = station_dir.join("vault.blobs").join(format!("{rejected_id}.envelope"));
    let whole = std::fs::read(&rejected_file).context("the rejected packet's file")?;
    let mut damaged = whole.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    std::fs::write(&rejected_file, &damaged)?;

    // 10. The intake is back on the same port. Nobody presses anything: the background sync
    //     sends the queue by itself, in approval order, its progress on the home screen, and
    //     the receipt arrives.
    intake.restart().await?;
    ui.wait_for_attr(id::SYNC_STATUS, "data-running", "true")
        .await
        .context("the sync starts by itself once the intake is back")?;
    ui.wait_for(id::SYNC_PROGRESS)
        .await
        .context("the home screen shows the upload's progress")?;
    ui.screenshot("09a-home-syncing-by-itself").await?;
    ui.wait_for_attr(&state_id, "data-state", "acknowledged").await?;

    // 10a. The damaged one is refused by the register and set aside: the upload center shows
    //      it quarantined with its reason; the admin (a supervisor's right) tries it again once
    //      the file is whole, and it goes through.
    ui.click(id::UPLOAD_CENTER_OPEN).await?;
    ui.wait_for(id::UPLOAD_CENTER).await?;
    let rejected_row = id::upload_row_id(&rejected_id);
    ui.wait_for_attr(&rejected_row, "data-quarantined", "true")
        .await
        .context("the refused packet is quarantined in the upload center")?;
    let row_text = ui.text(&rejected_row).await?;
    ensure!(
        row_text.contains("refused"),
        "the quarantined row gives the register's reason: {row_text:?}"
    );
    ui.screenshot("09b-upload-center-quarantined").await?;
    std::fs::write(&rejected_file, &whole)?;
    ui.click(&id::upload_release_id(&rejected_id)).await?;
    ui.wait_until("the released packet to leave the queue", || async {
        Ok(ui.find_displayed(&rejected_row).await?.is_none().then_some(()))
    })
    .await?;
    ui.click(id::UPLOAD_CENTER_BACK).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    ui.wait_for_attr(&rejected_state_id, "data-state", "acknowledged")
        .await?;
    ensure_in_list(ui, id::HOME_ACKNOWLEDGED, &rejected_id).await?;
    ensure_rejected_by_admin(ui, &rejected_decision_id).await?;
    let receipt = ui.text(&id::row_receipt_id(&registration_id)).await?;
    ensure!(
        receipt.starts_with("Receipt ") && receipt.len() > "Receipt ".len(),
        "the receipt reads {receipt:?}"
    );
    eprintln!("[e2e] {receipt}");
    ensure_in_list(ui, id::HOME_ACKNOWLEDGED, &registration_id).await?;
    ensure_approved_by_admin(ui, &decision_id).await?;
    let home = ui.screenshot("09-home-acknowledged").await?;
    // The README's picture is refreshed only on request, so a test run leaves the tree clean.
    if std::env::var_os("UPDATE_SCREENSHOT").is_some() {
        let docs = paths.repo.join("docs");
        std::fs::create_dir_all(&docs)?;
        std::fs::copy(&home, docs.join("screenshot.png")).context("copying the home screen to docs/screenshot.png")?;
    }

    // 10b. Its details: the decision and the same receipt on the registration screen.
    ui.click(&id::row_open_id(&registration_id)).await?;
    let decision = ui.wait_for(id::REGISTRATION_DECISION).await?;
    ensure!(
        decision.attr("data-outcome").await?.as_deref() == Some("approved"),
        "the registration's decision is not an approval"
    );
    let decision = decision.text().await?;
    ensure!(
        decision == format!("Approved by {ADMIN}"),
        "the decision reads {decision:?}"
    );
    let reference = receipt.trim_start_matches("Receipt ");
    let full_receipt = ui.text(id::REGISTRATION_RECEIPT).await?;
    ensure!(
        full_receipt.starts_with(&format!("Receipt {reference}, received ")),
        "the registration's receipt reads {full_receipt:?}, the row's {receipt:?}"
    );
    ui.screenshot("09b-registration-acknowledged").await?;
    ui.click(id::BACK_TO_HOME).await?;
    ui.wait_for(id::HOME_SCREEN).await?;

    // 10c. The rejected one's details: the decision with its reason, and its own receipt.
    ui.click(&id::row_open_id(&rejected_id)).await?;
    let decision = ui.wait_for(id::REGISTRATION_DECISION).await?;
    ensure!(
        decision.attr("data-outcome").await?.as_deref() == Some("rejected"),
        "the rejected registration's decision is not a rejection"
    );
    let decision = decision.text().await?;
    ensure!(
        decision.starts_with(&format!("Rejected by {ADMIN}")) && decision.contains(REJECTION_REASON),
        "the decision reads {decision:?}"
    );
    ensure!(
        ui.text(id::REGISTRATION_RECEIPT).await?.starts_with("Receipt "),
        "the rejected packet was acknowledged by the register too"
    );
    ui.screenshot("09c-registration-rejected-acknowledged").await?;
    ui.click(id::BACK_TO_HOME).await?;
    ui.wait_for(id::HOME_SCREEN).await?;

    // 10d. The register opens both stored packets with `enroll packet open`: the approved one
    //      holds every record the clerk captured over SBI, with its metadata.
    let scratch = intake.data_dir.parent().context("the intake's folder has a parent")?;
    let opened = sbi_devices::open_stored_packets(&paths.cli, &intake.data_dir, &intake.keys_json, scratch)?;
    ensure!(opened.len() == 2, "the intake stored {} packets, not 2", opened.len());
    let approved = opened
        .iter()
        .find(|packet| packet["registration_id"] == registration_id.as_str())
        .context("the approved registration's packet is at the register")?;
    check_approved_packet(approved)?;
    ensure!(
        opened
            .iter()
            .any(|packet| packet["registration_id"] == rejected_id.as_str()
                && packet["meta"]["supervisor_decision"] == "rejected"),
        "the rejected registration's packet is at the register, marked rejected"
    );

    // 10e. The register's back office finds the approved packet's fingerprints unusable and
    //      asks the resident to register again. Nobody presses anything: the station asks the
    //      register by itself, and the home screen lists the packet with the register's reason
    //      for a supervisor; its details say it too.
    enroll_intake::StationRegistry::open(&intake.data_dir)?.set_packet_status(
        &registration_id,
        enroll_intake::packet_status::PacketStatus::ReRegister,
        Some(REGISTER_REASON),
    )?;
    let returned = ui
        .wait_for(id::HOME_RETURNED)
        .await
        .context("the home screen lists the packet the register returned")?;
    let returned = returned.text().await?;
    ensure!(
        returned.contains("The resident must register again") && returned.contains(REGISTER_REASON),
        "the returned packet reads {returned:?}"
    );
    ui.screenshot("09d-home-returned-by-register").await?;
    ui.click(&id::row_open_id(&registration_id)).await?;
    ui.wait_for_attr(id::REGISTRATION_REGISTER_STATUS, "data-status", "re_register")
        .await
        .context("the registration's details say what the register did")?;
    ui.click(id::BACK_TO_HOME).await?;
    ui.wait_for(id::HOME_SCREEN).await?;

    // 11. Arabic: the whole window mirrors.
    ui.select(id::LANGUAGE_SELECT, "ar").await?;
    let direction = ui.client.execute("return document.documentElement.dir", vec![]).await?;
    ensure!(direction == "rtl", "in Arabic the document's dir is {direction}");
    ui.wait_for(id::HOME_RETURNED).await?;
    ui.screenshot("10-home-arabic").await?;
    // The admin (a supervisor's right) marks the return handled, and it leaves the list.
    ui.click(id::HOME_RETURNED_HANDLED).await?;
    ui.wait_until("the handled return to leave the home screen", || async {
        Ok(ui.find_displayed(id::HOME_RETURNED).await?.is_none().then_some(()))
    })
    .await?;
    ui.click(id::UPLOAD_CENTER_OPEN).await?;
    ui.wait_for(id::UPLOAD_CENTER).await?;
    ui.screenshot("10a-upload-center-arabic").await?;
    ui.click(id::UPLOAD_CENTER_BACK).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let draft_id = new_registration(ui).await?;
    ui.wait_for(&id::consent_text_id("ar")).await?;
    ui.screenshot("11-consent-arabic").await?;
    ui.click(id::CONSENT_AGREE).await?;
    ui.wait_for(&id::field_input("fullName", Some("ara"))).await?;
    ui.screenshot("11-registration-arabic").await?;
    // The wizard's next steps in Arabic: the documents (the scanner labelled simulated), then
    // the biometrics.
    ui.click(id::WIZARD_NEXT).await?;
    ui.wait_for(id::DOCUMENTS_STEP).await?;
    ui.screenshot("11a-documents-arabic").await?;
    ui.click(id::WIZARD_NEXT).await?;
    ui.wait_for(&id::step_simulated_badge_id("leftSlap")).await?;
    ui.scroll_to(id::BIOMETRICS_SECTION).await?;
    ui.screenshot("11b-biometrics-arabic").await?;
    ui.click(id::BACK_TO_HOME).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    // The new draft waits in the drafts list, and "continue" reopens it on the step it was
    // left at.
    ensure_in_list(ui, id::HOME_DRAFTS, &draft_id).await?;
    ui.click(&id::row_continue_id(&draft_id)).await?;
    let screen = ui.wait_for(id::REGISTRATION_SCREEN).await?;
    ensure!(
        screen.attr("data-registration-id").await?.as_deref() == Some(draft_id.as_str()),
        "continuing the draft opened another registration"
    );
    ui.wait_for_attr(&id::wizard_step_id("biometrics"), "aria-current", "step")
        .await
        .context("the draft reopens on the biometrics step")?;
    // 11c. In French: one capture on the reopened draft; the card reads in French throughout.
    ui.select(id::LANGUAGE_SELECT, "fr").await?;
    ui.click(&id::capture_step_id("leftSlap")).await?;
    ui.wait_for_attr(&id::step_attempts_id("leftSlap"), "data-attempts", "1")
        .await?;
    let card = ui.text(&id::biometric_step_id("leftSlap")).await?;
    ensure!(
        card.contains("Main gauche, quatre doigts")
            && card.contains("Tentative 1 sur 3")
            && card.contains("lecteur d’empreintes quatre doigts simulé")
            && !card.contains("Attempt")
            && !card.contains("Simulated"),
        "the French left-slap card reads {card:?}"
    );
    for finger in ["leftIndex", "leftMiddle", "leftRing", "leftLittle"] {
        ui.wait_for(&id::tile_thumbnail_id(finger)).await?;
    }
    ui.scroll_to(&id::biometric_step_id("leftSlap")).await?;
    ui.screenshot("11c-biometrics-french").await?;
    ui.click(id::BACK_TO_HOME).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    ui.select(id::LANGUAGE_SELECT, "en").await?;
    ensure!(
        station_dir.join("webview").is_dir(),
        "WebKit's storage is not under ENROLL_DATA_DIR/webview; it would land in the real app-data folder"
    );

    // 11d. A supervisor's batch: the clerk finalizes two more, and the admin, in French, ticks
    //      both and approves them with one password; a wrong one first approves nothing.
    approve_a_batch(ui).await?;
    update_a_resident_in_french(ui).await?;

    // 12. The idle lock on a timer: at one minute, the lock screen shows by itself while the
    //     admin sits on a registration, and the password reopens that registration.
    ui.click(id::ADMIN_OPEN).await?;
    ui.type_into(id::POLICY_IDLE_LOCK, "1").await?;
    ui.click(id::POLICY_SUBMIT).await?;
    ui.wait_until("the one-minute idle lock to be saved", || async {
        let text = ui.text(id::POLICY_OUTCOME).await?;
        // "1 minute", in the singular: the catalogues choose the plural form of the number.
        Ok(text.contains("Idle lock after 1 minute without activity").then_some(()))
    })
    .await?;
    ui.click(id::ADMIN_BACK).await?;
    let open_id = new_registration(ui).await?;
    // Nothing is clicked from here on. The lock comes a minute after the last call; wait half
    // of it first so that the step's own timeout covers the rest.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let notice = ui
        .text(id::LOCK_NOTICE)
        .await
        .context("the lock screen did not show by itself")?;
    ensure!(
        notice.contains("locked after inactivity"),
        "the lock screen says {notice:?}"
    );
    ui.screenshot("12-idle-locked").await?;
    ui.type_into(id::LOGIN_PASSWORD, PASSWORD).await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    let screen = ui.wait_for(id::REGISTRATION_SCREEN).await?;
    ensure!(
        screen.attr("data-registration-id").await?.as_deref() == Some(open_id.as_str()),
        "after unlocking, the registration that was open did not reopen"
    );

    // 13. A lockout reads in the clerk's language, its time in their locale, never the
    //     station's English: five wrong passwords in French, then the same banner in Arabic.
    ui.click(id::LOG_OUT_BUTTON).await?;
    ui.wait_for(id::LOGIN_SCREEN).await?;
    ui.select(id::LANGUAGE_SELECT, "fr").await?;
    ui.type_into(id::LOGIN_USERNAME, OFFICER).await?;
    for attempt in 1..=4 {
        ui.type_into(id::LOGIN_PASSWORD, "not her password").await?;
        ui.click(id::LOGIN_SUBMIT).await?;
        let error = ui.text(id::LOGIN_ERROR).await?;
        ensure!(
            error.contains("mot de passe incorrect"),
            "wrong password {attempt} reads {error:?}"
        );
    }
    ui.type_into(id::LOGIN_PASSWORD, "not her password").await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    let locked = ui
        .wait_until("the lockout banner", || async {
            let text = ui.text(id::BANNER).await?;
            Ok(text.contains("bloqué").then_some(text))
        })
        .await?;
    ensure!(
        locked.contains("bloqué jusqu’au") && locked.contains("2026") && !locked.contains("locked"),
        "the French lockout banner reads {locked:?}"
    );
    ui.screenshot("15-login-locked-out-french").await?;
    ui.select(id::LANGUAGE_SELECT, "ar").await?;
    let arabic = ui
        .wait_until("the lockout banner in Arabic", || async {
            let text = ui.text(id::BANNER).await?;
            Ok(text.contains("محظور حتى").then_some(text))
        })
        .await?;
    ensure!(!arabic.contains("bloqué"), "the Arabic banner reads {arabic:?}");
    ui.screenshot("16-login-locked-out-arabic").await?;

    // 14. The register publishes its operator list: the admin listed, the officer suspended.
    //     The station takes it by itself; the admin's operators screen says so, in French and
    //     in Arabic.
    let register = RegisterKeyPair::from_json(&intake.keys_json)?;
    enroll_intake::configuration::ConfigFolder::open(&intake.data_dir)?.publish(
        enroll_packet::register_config::ConfigKind::Operators,
        serde_json::json!({"operators": [
            {"username": ADMIN, "full_name": "Nadia Amrani", "role": "admin", "active": true},
            {"username": OFFICER, "full_name": "Sara Bennani", "role": "officer", "active": false}
        ]}),
        &register,
        time::OffsetDateTime::now_utc(),
    )?;
    ui.select(id::LANGUAGE_SELECT, "fr").await?;
    ui.type_into(id::LOGIN_USERNAME, ADMIN).await?;
    ui.type_into(id::LOGIN_PASSWORD, PASSWORD).await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let suspended = id::operator_listing_id(OFFICER);
    let listing = ui
        .wait_until("the register's operator list on the operators screen", || async {
            // The screen reads the list when it opens: open it again until the list is there.
            ui.click(id::ADMIN_OPEN).await?;
            ui.wait_for(id::OPERATOR_LIST).await?;
            let found = match ui.find_displayed(&suspended).await? {
                Some(element) => Some(element.text().await?),
                None => None,
            };
            if found.is_none() {
                ui.click(id::ADMIN_BACK).await?;
            }
            Ok(found)
        })
        .await?;
    ensure!(
        listing == "Suspendu par le registre : connexion impossible",
        "the suspended officer's row reads {listing:?}"
    );
    ensure!(
        ui.text(id::OPERATOR_REGISTER_LIST_NOTE)
            .await?
            .contains("liste des opérateurs du registre"),
        "the screen says the register's list is in force"
    );
    ui.scroll_to(id::OPERATOR_LIST).await?;
    ui.screenshot("17-admin-register-operator-list-french").await?;
    ui.select(id::LANGUAGE_SELECT, "ar").await?;
    ui.wait_until("the listing in Arabic", || async {
        Ok(ui.text(&suspended).await?.contains("أوقفه السجلّ").then_some(()))
    })
    .await?;
    ui.screenshot("18-admin-register-operator-list-arabic").await?;
    ui.click(id::ADMIN_BACK).await?;
    ui.select(id::LANGUAGE_SELECT, "en").await?;
    Ok(())
}

/// Step 11d: two registrations by the clerk, approved together by the admin after one
/// password. Ends with the admin on the home screen, in English.
async fn approve_a_batch(ui: &Ui) -> Result<()> {
    ui.click(id::LOG_OUT_BUTTON).await?;
    ui.wait_for(id::LOGIN_SCREEN).await?;
    ui.type_into(id::LOGIN_USERNAME, OFFICER).await?;
    ui.type_into(id::LOGIN_PASSWORD, OFFICER_PASSWORD).await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let mut batch = Vec::new();
    for (index, (english, arabic)) in [("Khadija Ouali", "خديجة الوالي"), ("Hassan Tazi", "حسن التازي")]
        .into_iter()
        .enumerate()
    {
        // The first in Arabic: its slip is laid out right to left.
        ui.select(id::LANGUAGE_SELECT, if index == 0 { "ar" } else { "en" })
            .await?;
        let registration_id = new_registration(ui).await?;
        ui.click(id::CONSENT_AGREE).await?;
        ui.wait_for(&id::field_input("fullName", Some("eng"))).await?;
        fill_and_finalize(ui, english, arabic, (index == 0).then_some("11c-arabic")).await?;
        if index == 0 {
            let direction = ui.client.execute("return document.documentElement.dir", vec![]).await?;
            ensure!(direction == "rtl", "the Arabic slip's document runs {direction}");
            // The slip reads its registration once shown: wait for it.
            ui.wait_for(id::SLIP_REGISTRATION_ID).await?;
            let name = ui
                .client
                .execute(
                    "return [...document.querySelectorAll('[data-testid=slip-screen] [lang=ar]')].map(e => e.textContent).join()",
                    vec![],
                )
                .await?;
            ensure!(
                name.as_str() == Some(format!("{arabic},12 شارع").as_str()),
                "the slip shows the Arabic name and address as {name}"
            );
        }
        done_with_slip(ui, &registration_id, if index == 0 { "11d-slip-arabic" } else { "" }).await?;
        ui.select(id::LANGUAGE_SELECT, "en").await?;
        ensure_finalized_banner(ui, &registration_id).await?;
        batch.push(registration_id);
    }

    ui.click(id::LOG_OUT_BUTTON).await?;
    ui.wait_for(id::LOGIN_SCREEN).await?;
    ui.select(id::LANGUAGE_SELECT, "fr").await?;
    ui.type_into(id::LOGIN_USERNAME, ADMIN).await?;
    ui.type_into(id::LOGIN_PASSWORD, PASSWORD).await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    for registration_id in &batch {
        ensure_in_list(ui, id::HOME_PENDING, registration_id).await?;
        ui.click(&id::row_select_id(registration_id)).await?;
    }
    let approve_selected = ui.text(id::HOME_APPROVE_SELECTED).await?;
    ensure!(
        approve_selected == "Approuver la sélection (2)",
        "the batch button reads {approve_selected:?}"
    );
    ui.scroll_to(id::HOME_PENDING).await?;
    ui.screenshot("11d-home-batch-ticked-french").await?;
    ui.click(id::HOME_APPROVE_SELECTED).await?;
    ui.wait_for(id::BATCH_APPROVE_DIALOG).await?;
    ui.type_into(id::BATCH_APPROVE_PASSWORD, "not the password").await?;
    ui.click(id::BATCH_APPROVE_CONFIRM).await?;
    let refused = ui.text(id::BATCH_APPROVE_ERROR).await?;
    ensure!(
        refused == "Mot de passe incorrect. Rien n’a été approuvé.",
        "a wrong batch password reads {refused:?}"
    );
    ui.screenshot("11e-batch-approve-wrong-password-french").await?;
    for registration_id in &batch {
        let state = ui
            .wait_for(&id::row_state_id(registration_id))
            .await?
            .attr("data-state")
            .await?;
        ensure!(
            state.as_deref() == Some("pending_approval"),
            "a wrong password left {registration_id} {state:?}"
        );
    }
    ui.type_into(id::BATCH_APPROVE_PASSWORD, PASSWORD).await?;
    ui.click(id::BATCH_APPROVE_CONFIRM).await?;
    let banner = ui
        .wait_until("the batch's banner", || async {
            let text = ui.text(id::BANNER).await?;
            Ok(text.contains("Approuvés").then_some(text))
        })
        .await?;
    ensure!(
        banner.contains("Approuvés et en file d’envoi : 2 enregistrements."),
        "after the batch, home says {banner:?}"
    );
    for registration_id in &batch {
        ensure_decision(
            ui,
            &id::row_decision_id(registration_id),
            "approved",
            &format!("Approuvé par {ADMIN}"),
        )
        .await?;
    }
    ui.scroll_to(id::BANNER).await?;
    ui.screenshot("11f-home-batch-approved-french").await?;
    ui.select(id::LANGUAGE_SELECT, "en").await?;
    Ok(())
}

/// 11g. An update in French: the admin starts one for a registered resident from home (a wrong
/// ID number is refused at once), ticks what changes (the phone), and the wizard takes only
/// that and the face that authenticates the resident; signed off, it waits for approval.
async fn update_a_resident_in_french(ui: &Ui) -> Result<()> {
    ui.select(id::LANGUAGE_SELECT, "fr").await?;
    // 11f'. The admin enrols her right hand in her settings (her password first), so that she
    //       can sign off with a finger below.
    ui.click(id::SETTINGS_OPEN).await?;
    ui.wait_for(id::SETTINGS_FINGERS_STATUS).await?;
    ui.select(id::SETTINGS_FINGERS_STEP, "rightSlap").await?;
    ui.type_into(id::SETTINGS_FINGERS_PASSWORD, PASSWORD).await?;
    ui.click(id::SETTINGS_FINGERS_ENROLL).await?;
    let enrolled = ui.text(id::SETTINGS_FINGERS_OUTCOME).await?;
    ensure!(
        enrolled.contains("Vos doigts sont enregistrés"),
        "the enrolment says, in French: {enrolled:?}"
    );
    let status = ui.text(id::SETTINGS_FINGERS_STATUS).await?;
    ensure!(
        status.starts_with("Enregistrés le") && status.contains("Index droit"),
        "the settings name the enrolled fingers: {status:?}"
    );
    ui.scroll_to(id::SETTINGS_FINGERS).await?;
    ui.screenshot("11f2-fingers-enrolled-french").await?;
    ui.click(id::SETTINGS_BACK).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    ui.click(id::START_PROCESS_OPEN).await?;
    ui.wait_for(id::START_PROCESS_DIALOG).await?;
    // A correction answers the register's request: its number is asked for, in its shape.
    ui.click(&id::process_choice_id("correction")).await?;
    ui.type_into(id::START_PROCESS_REQUEST_ID, "10001100010000120261125094920")
        .await?;
    ui.click(&id::process_change_id("contact")).await?;
    ui.click(id::START_PROCESS_CONFIRM).await?;
    let refused = ui.text(id::START_PROCESS_REQUEST_ID_ERROR).await?;
    ensure!(
        refused.starts_with("Un numéro de demande est fait de chiffres"),
        "a request number of the wrong shape reads {refused:?}"
    );
    ui.screenshot("11g0-correction-start-french").await?;
    ui.click(&id::process_choice_id("update")).await?;
    ui.type_into(id::START_PROCESS_RESIDENT_ID, "1234567891").await?;
    ui.click(&id::process_change_id("contact")).await?;
    ui.click(id::START_PROCESS_CONFIRM).await?;
    let refused = ui.text(id::START_PROCESS_RESIDENT_ID_ERROR).await?;
    ensure!(
        refused.starts_with("Un numéro d’identité a 10 chiffres"),
        "a wrong ID number reads {refused:?}"
    );
    ui.screenshot("11g-update-start-french").await?;
    // 123456789 and its Verhoeff check digit.
    ui.type_into(id::START_PROCESS_RESIDENT_ID, "1234567890").await?;
    ui.click(id::START_PROCESS_CONFIRM).await?;
    let registration_id = flows::registration_opened(ui).await?;
    ui.click(id::CONSENT_AGREE).await?;
    let banner = ui.text(id::PROCESS_BANNER).await?;
    ensure!(
        banner.contains("Mise à jour d’un résident inscrit pour le résident 1234567890")
            && banner.contains("Changements : Téléphone et courriel"),
        "the update's banner reads {banner:?}"
    );
    ui.type_into(&id::field_input("phone", None), "+212611223344").await?;
    let others = ui
        .client
        .execute(
            "return document.querySelector('[data-testid=\"field-fullName-eng\"], [data-testid=\"field-region\"]') === null",
            vec![],
        )
        .await?;
    ensure!(
        others == serde_json::json!(true),
        "an update of the phone shows other fields"
    );
    ui.screenshot("11h-update-french").await?;
    ui.click(&id::wizard_step_id("biometrics")).await?;
    ui.click(&id::capture_step_id("face")).await?;
    ui.wait_for_attr(&id::biometric_step_id("face"), "data-done", "true")
        .await?;
    let steps = flows::biometric_steps_shown(ui).await?;
    ensure!(
        steps == 1,
        "an update of the phone takes {steps} biometric steps, not the face alone"
    );
    ui.click(&id::wizard_step_id("review")).await?;
    ui.wait_for(id::OFFICER_SIGN_OFF_OPEN).await?;
    ui.screenshot("11i-update-review-french").await?;
    // Signed off with the finger she enrolled, instead of her password.
    ui.click(id::OFFICER_SIGN_OFF_OPEN).await?;
    let by_finger = ui.text(id::OFFICER_SIGN_OFF_BY_FINGER).await?;
    ensure!(
        by_finger == "Valider avec mon empreinte",
        "the sign-off offers the finger, in French: {by_finger:?}"
    );
    ui.screenshot("11i2-sign-off-by-finger-french").await?;
    ui.click(id::OFFICER_SIGN_OFF_BY_FINGER).await?;
    ui.wait_for(id::SLIP_SCREEN).await?;
    ui.click(id::SLIP_DONE).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    ensure_in_list(ui, id::HOME_PENDING, &registration_id).await?;

    // 11j. The day so far on the dashboard, in French then in Arabic: the update just signed
    //      off waits for approval among the others.
    ui.click(id::DASHBOARD_OPEN).await?;
    let pending = ui.text(id::DASHBOARD_PENDING).await?;
    ensure!(
        pending.contains("Approbations en attente") && pending.contains("En attente d’un superviseur"),
        "the dashboard's pending card reads {pending:?}"
    );
    ui.wait_for(id::DASHBOARD_OPERATORS).await?;
    ui.screenshot("11j-dashboard-french").await?;
    ui.select(id::LANGUAGE_SELECT, "ar").await?;
    ui.wait_until("the dashboard in Arabic", || async {
        let text = ui.text(id::DASHBOARD_OPERATORS).await?;
        Ok(text
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
            .then_some(()))
    })
    .await?;
    ui.screenshot("11k-dashboard-arabic").await?;
    ui.click(id::DASHBOARD_BACK).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    ui.select(id::LANGUAGE_SELECT, "en").await?;
    Ok(())
}

/// Checks that the row of `registration_id` is inside the home list `list` (and so in no
/// other: a registration is in one state at a time).
async fn ensure_in_list(ui: &Ui, list: &str, registration_id: &str) -> Result<()> {
    let selector = format!(
        "[data-testid=\"{list}\"] [data-testid=\"{}\"]",
        id::row_state_id(registration_id)
    );
    // The home screen shows before its summary arrives: wait for the row.
    ui.wait_until(&format!("{registration_id} in the list {list}"), || async {
        let found = ui
            .client
            .execute(
                "return document.querySelector(arguments[0]) !== null",
                vec![serde_json::json!(selector)],
            )
            .await?;
        Ok((found == serde_json::json!(true)).then_some(()))
    })
    .await
}

/// Checks that the home banner after Finalize names the registration (it once read
/// "Registration undefined": the text was computed from the closed screen's props).
async fn ensure_finalized_banner(ui: &Ui, registration_id: &str) -> Result<()> {
    let banner = ui.wait_for(id::BANNER).await?;
    let kind = banner.attr("data-kind").await?;
    ensure!(
        kind.as_deref() == Some("success"),
        "the banner after Finalize is {kind:?}, not success"
    );
    let text = banner.text().await?;
    let expected = format!("Registration {registration_id} is waiting for a supervisor’s approval");
    ensure!(
        text.contains(&expected),
        "the banner after Finalize reads {text:?}, not {expected:?}"
    );
    Ok(())
}

/// Checks that a row's decision says the admin approved it (and not that it was rejected).
async fn ensure_approved_by_admin(ui: &Ui, decision_id: &str) -> Result<()> {
    ensure_decision(ui, decision_id, "approved", &format!("Approved by {ADMIN}")).await
}

/// Checks that a row's decision says the admin rejected it (and does not look like approval).
async fn ensure_rejected_by_admin(ui: &Ui, decision_id: &str) -> Result<()> {
    ensure_decision(ui, decision_id, "rejected", &format!("Rejected by {ADMIN}")).await
}

async fn ensure_decision(ui: &Ui, decision_id: &str, outcome: &str, reads: &str) -> Result<()> {
    let decision = ui.wait_for(decision_id).await?;
    let found = decision.attr("data-outcome").await?;
    ensure!(
        found.as_deref() == Some(outcome),
        "the row's decision is {found:?}, not {outcome}"
    );
    let text = decision.text().await?;
    ensure!(text == reads, "the row's decision reads {text:?}, not {reads:?}");
    Ok(())
}

/// After Finalize: the acknowledgement slip names the registration, shows its QR code and the
/// resident's photo; Done goes home. `screenshot`: the slip's name in artifacts/e2e, or "".
async fn done_with_slip(ui: &Ui, registration_id: &str, screenshot: &str) -> Result<()> {
    ui.wait_for(id::SLIP_SCREEN).await?;
    let shown = ui.text(id::SLIP_REGISTRATION_ID).await?;
    ensure!(
        shown == registration_id,
        "the slip names {shown:?}, not {registration_id}"
    );
    ensure_loaded_image(ui, id::SLIP_QR).await?;
    ensure_loaded_image(ui, id::SLIP_PHOTO).await?;
    if !screenshot.is_empty() {
        ui.screenshot(screenshot).await?;
        slip_pdf::save_slip_as_pdf(ui, &Paths::resolve().artifacts, &format!("{screenshot}-pdf")).await?;
    }
    ui.click(id::SLIP_DONE).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    Ok(())
}

/// Fill a new registration with valid values through the wizard (the form, the proof of
/// identity, the biometrics), review it and sign it off with the officer's password: on the
/// acknowledgement slip (see [`done_with_slip`]). With `screenshots`, the documents step and
/// the review are kept under that prefix.
async fn fill_and_finalize(ui: &Ui, english_name: &str, arabic_name: &str, screenshots: Option<&str>) -> Result<()> {
    ui.type_into(&id::field_input("fullName", Some("eng")), english_name)
        .await?;
    ui.type_into(&id::field_input("fullName", Some("ara")), arabic_name)
        .await?;
    // The age instead of the date of birth, as a resident who does not know it gives it.
    ui.type_into(&id::field_age_input_id("dateOfBirth"), "41").await?;
    let born = ui.value(&id::field_input("dateOfBirth", None)).await?;
    ensure!(
        born.len() == 10 && born.ends_with(&time::OffsetDateTime::now_utc().date().to_string()[4..].replace('-', "/")),
        "an age of 41 gave the date of birth {born:?}"
    );
    ui.select(&id::field_input("gender", None), "MLE").await?;
    fill_address(ui).await?;
    ui.type_into(&id::field_input("phone", None), "+212600445566").await?;
    ui.click(id::WIZARD_NEXT).await?;
    let identity_pdf = fixtures().join("mosip-packet-sample/components/id/proofOfIdentity.pdf");
    attach_document(ui, "POI", "PASSPORT", None, &[&identity_pdf]).await?;
    if let Some(prefix) = screenshots {
        ui.screenshot(&format!("{prefix}-documents")).await?;
    }
    ui.click(id::WIZARD_NEXT).await?;
    capture_biometrics(ui, None, "").await?;
    ui.wait_for_attr(id::AUTOSAVE_STATUS, "data-state", "saved")
        .await
        .context("the draft autosaves")?;
    if let Some(prefix) = screenshots {
        ui.click(id::WIZARD_NEXT).await?;
        ui.wait_for(id::OFFICER_SIGN_OFF_OPEN).await?;
        ui.screenshot(&format!("{prefix}-review")).await?;
    }
    sign_off(ui, OFFICER_PASSWORD).await?;
    ui.wait_for(id::SLIP_SCREEN).await?;
    Ok(())
}

/// From any step of the wizard: the review, Sign off and finalize, the officer's `password`.
/// The caller waits for what follows (the slip, or the station's refusal).
async fn sign_off(ui: &Ui, password: &str) -> Result<()> {
    ui.click(&id::wizard_step_id("review")).await?;
    ui.click(id::OFFICER_SIGN_OFF_OPEN).await?;
    ui.type_into(id::OFFICER_SIGN_OFF_PASSWORD, password).await?;
    ui.press_enter(id::OFFICER_SIGN_OFF_PASSWORD).await
}

/// The steps of the default capture policy, in order.
const BIOMETRIC_STEPS: [&str; 5] = ["leftSlap", "rightSlap", "thumbs", "bothIrises", "face"];

/// Takes every biometric step from the simulated devices over SBI, as a clerk does: Capture,
/// and again while a step is short of its threshold (the policy allows three attempts; a step
/// still short after them, always the irises, whose camera stages low quality, is signed off by
/// the admin on the clerk's screen). With `exception`, that finger
/// is first recorded missing with the reason, and the exception photo is taken.
async fn capture_biometrics(ui: &Ui, exception: Option<(&str, &str)>, screenshot: &str) -> Result<()> {
    ui.wait_for(id::BIOMETRICS_SECTION).await?;
    for step in BIOMETRIC_STEPS {
        ui.wait_for(&id::step_simulated_badge_id(step))
            .await
            .with_context(|| format!("the {step} device is labelled simulated"))?;
    }
    if let Some((position, reason)) = exception {
        ui.click(&id::tile_mark_exception_id(position)).await?;
        ui.wait_for(id::EXCEPTION_DIALOG).await?;
        ui.click(id::EXCEPTION_KIND_MISSING).await?;
        ui.type_into(id::EXCEPTION_REASON, reason).await?;
        ui.click(id::EXCEPTION_CONFIRM).await?;
        ui.wait_for_attr(&id::biometric_tile_id(position), "data-state", "excepted")
            .await?;
        ui.click(id::CAPTURE_EXCEPTION_PHOTO).await?;
        ui.wait_for(id::EXCEPTION_PHOTO_PREVIEW).await?;
    }
    if !screenshot.is_empty() {
        live_preview(ui, "leftSlap").await?;
    }
    for step in BIOMETRIC_STEPS {
        for attempt in 1..=3 {
            ui.click(&id::capture_step_id(step)).await?;
            ui.wait_for_attr(&id::step_attempts_id(step), "data-attempts", &attempt.to_string())
                .await
                .with_context(|| format!("attempt {attempt} at {step} is counted"))?;
            let card = ui.wait_for(&id::biometric_step_id(step)).await?;
            if card.attr("data-done").await?.as_deref() == Some("true") {
                break;
            }
        }
        let card = ui.wait_for(&id::biometric_step_id(step)).await?;
        let done = card.attr("data-done").await?.as_deref() == Some("true");
        // The iris camera stages low-quality captures: its step must need the sign-off.
        ensure!(
            step != sbi_devices::SIGNED_OFF_STEP || !done,
            "{step} passed its threshold although its device stages low-quality captures"
        );
        if !done {
            eprintln!("[e2e] {step} stayed under its threshold after three attempts: signed off");
            ui.click(&id::sign_off_open_id(step)).await?;
            ui.type_into(id::SIGN_OFF_USERNAME, ADMIN).await?;
            ui.type_into(id::SIGN_OFF_PASSWORD, PASSWORD).await?;
            ui.click(id::SIGN_OFF_CONFIRM).await?;
            ui.wait_for(&id::signed_off_by_id(step)).await?;
        }
    }
    ui.wait_for_attr(id::BIOMETRICS_STATUS, "data-complete", "true").await?;
    if !screenshot.is_empty() {
        ui.screenshot(screenshot).await?;
    }
    Ok(())
}

/// The live preview of `step`, turned on from its toggle: frames from the device's SBI STREAM
/// show as loaded images, labelled simulated; turned off again.
async fn live_preview(ui: &Ui, step: &str) -> Result<()> {
    ui.click(&id::live_preview_toggle_id(step)).await?;
    let frame = ui
        .wait_for(&id::live_preview_frame_id(step))
        .await
        .with_context(|| format!("a live frame of {step}"))?;
    let loaded = ui
        .wait_until("the live frame to load", || async {
            let width: serde_json::Value = ui
                .client
                .execute("return arguments[0].naturalWidth", vec![serde_json::to_value(&frame)?])
                .await?;
            Ok((width.as_u64().unwrap_or(0) > 0).then_some(()))
        })
        .await;
    loaded.context("the live frame is not a loadable image")?;
    ui.wait_for(&id::live_preview_simulated_id(step)).await?;
    ui.scroll_to(&id::live_preview_toggle_id(step)).await?;
    ui.screenshot("05b-live-preview").await?;
    ui.click(&id::live_preview_toggle_id(step)).await?;
    ui.wait_for_attr(&id::live_preview_status_id(step), "data-state", "off")
        .await
}

/// The approved packet as `enroll packet open` prints it: every finger but the right thumb
/// (recorded missing, with its reason and the exception photo), both irises (kept under their
/// threshold with the admin's sign-off) and the face, each record signed by its SBI device,
/// labelled simulated and carrying a readable ISO/IEC 19794 header.
fn check_approved_packet(packet: &serde_json::Value) -> Result<()> {
    ensure!(
        packet["signature"] == "valid",
        "the packet's signature: {}",
        packet["signature"]
    );
    ensure!(
        packet["meta"]["supervisor_decision"] == "approved",
        "{:#}",
        packet["meta"]
    );
    let records = packet["biometrics"]
        .as_array()
        .context("the packet lists its biometrics")?;
    let of = |modality: &str| {
        records
            .iter()
            .filter(|record| record["modality"] == modality)
            .collect::<Vec<_>>()
    };
    let (fingers, irises, faces, photos) = (of("finger"), of("iris"), of("face"), of("exception_photo"));
    ensure!(
        (fingers.len(), irises.len(), faces.len(), photos.len()) == (9, 2, 1, 1),
        "the packet holds {} fingers, {} irises, {} faces, {} exception photos: {records:#?}",
        fingers.len(),
        irises.len(),
        faces.len(),
        photos.len()
    );
    for record in records {
        let position = &record["position"];
        ensure!(
            record["device"]["simulated"] == true,
            "{position}: not labelled simulated"
        );
        ensure!(
            record["device_signature"] == true && record["device_digital_id"] == true,
            "{position}: the SBI device's signature and digital id are not kept: {record:#}"
        );
        ensure!(
            record["record"]["format"].is_string(),
            "{position}: the record's header does not read: {}",
            record["record"]
        );
    }
    ensure!(
        irises.iter().all(|iris| iris["force_captured"] == true),
        "the irises are kept by force capture: {irises:#?}"
    );
    ensure!(
        fingers
            .iter()
            .chain(&faces)
            .all(|record| record["force_captured"] == false),
        "only the irises were forced"
    );
    let exceptions = packet["exceptions"]
        .as_array()
        .context("the packet lists its exceptions")?;
    ensure!(exceptions.len() == 1, "exceptions: {exceptions:#?}");
    let thumb = &exceptions[0];
    ensure!(
        thumb["position"] == "Right Thumb"
            && thumb["kind"] == "missing"
            && thumb["reason"] == "Amputated at the first joint",
        "the right thumb's exception reads {thumb:#}"
    );
    ensure!(
        fingers.iter().all(|finger| finger["position"] != thumb["position"]),
        "the excepted thumb has a record too"
    );
    // The documents: MOSIP's sample PDF as it was attached, and the two scanned pages of the
    // proof of address joined into one PDF.
    let documents = packet["documents"]
        .as_array()
        .context("the packet lists its documents")?;
    let summary: Vec<_> = documents
        .iter()
        .map(|d| {
            (
                d["category"].as_str().unwrap_or_default(),
                d["document_type"].as_str().unwrap_or_default(),
                d["format"].as_str().unwrap_or_default(),
                d["pdf_pages"].as_u64(),
            )
        })
        .collect();
    ensure!(
        summary == [("POI", "CIN", "pdf", Some(1)), ("POA", "UTILITY_BILL", "pdf", Some(2))],
        "the packet's documents: {documents:#?}"
    );
    let sample = std::fs::metadata(fixtures().join("mosip-packet-sample/components/id/proofOfIdentity.pdf"))?.len();
    ensure!(
        documents[0]["bytes"] == sample && documents[0]["reference_number"] == "AB123456",
        "the proof of identity is not the file attached: {:#}",
        documents[0]
    );
    Ok(())
}

/// Adds an operator on the administration screen and waits for the confirmation; with a
/// `screenshot` name, the filled form is saved first.
async fn add_operator(
    ui: &Ui,
    username: &str,
    full_name: &str,
    role: &str,
    password: &str,
    screenshot: &str,
) -> Result<()> {
    ui.click(id::ADD_OPERATOR_OPEN).await?;
    ui.type_into(id::OPERATOR_USERNAME, username).await?;
    ui.type_into(id::OPERATOR_FULL_NAME, full_name).await?;
    ui.select(id::OPERATOR_ROLE, role).await?;
    ui.type_into(id::OPERATOR_PASSWORD, password).await?;
    ui.type_into(id::OPERATOR_PASSWORD_CONFIRM, password).await?;
    if !screenshot.is_empty() {
        ui.screenshot(screenshot).await?;
    }
    ui.click(id::OPERATOR_SUBMIT).await?;
    ui.wait_until(&format!("{username} to be added"), || async {
        let Some(banner) = ui.find_displayed(id::BANNER).await? else {
            return Ok(None);
        };
        Ok(banner.text().await?.contains(full_name).then_some(()))
    })
    .await
}
