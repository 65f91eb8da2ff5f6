//! The .deb, installed and started: `scripts/package.sh` (what `make package` runs) bundles the
//! app and the `enroll` CLI with the Tauri bundler; dpkg installs the package into a throwaway
//! root; the INSTALLED app opens its window under Xvfb, driven through tauri-driver, on the
//! first-run setup screen, sets a station up against an intake that the INSTALLED CLI serves
//! (as `make run` does), and shows the login screen.
//!
//! It packages the debug binaries that the test build made already (`package.sh --debug`), not
//! a release build: the bundling is the same, and a release build would add many minutes to
//! `make test` on CI's two cores. The checks: the control fields (name, version, architecture,
//! the WebKitGTK 4.1 runtime among the dependencies, which apt finds satisfied here), the files
//! (both binaries in /usr/bin, byte for byte the ones built, the desktop entry that starts the
//! app, its icons), the installed CLI runs, the installed app is the process that runs and keeps
//! its data in `ENROLL_DATA_DIR`, and a purge removes what the package put there.
//!
//! Screens and the app's log go to `artifacts/e2e/deb-package/`, apart from the main test's
//! (which clears `artifacts/e2e/` when it starts, perhaps while this test runs). Like the main
//! test, it fails (never skips) when something it needs is missing.

// The main test's processes and WebDriver helpers; this test needs only some of them.
#[allow(dead_code)]
#[path = "app/harness.rs"]
mod harness;

/// The UI's test ids (see `app/test_ids.rs`); this test uses a few.
#[allow(dead_code)]
mod test_ids {
    include!(concat!(env!("OUT_DIR"), "/test_ids.rs"));
}

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, ensure, Context, Result};
use harness::{Paths, ProcessGroup, Ui};
use test_ids as id;

/// Debian's name for the package: tauri.conf.json's `productName`, kebab-cased by the bundler.
const PACKAGE: &str = "enrollment-station";
const ADMIN: &str = "admin";
const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deb_installs_and_the_installed_app_sets_a_station_up() {
    let paths = Paths::resolve();
    let artifacts = paths.artifacts.join("deb-package");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("cannot create artifacts/e2e/deb-package");
    // Under target/: the copies of the binaries and the installed root are hundreds of MB,
    // which a /tmp in memory should not have to hold.
    let temp = tempfile::Builder::new()
        .prefix("deb-package")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir");
    let conf = tauri_conf(&paths.repo).expect("src-tauri/tauri.conf.json is readable");

    let binaries = temp.path().join("target/debug");
    let deb = package(&paths, &binaries).expect("scripts/package.sh --debug makes a .deb");
    eprintln!("[deb] packaged {}", deb.display());
    check_control(&deb, &conf).expect("the .deb's control fields");
    let root = temp.path().join("root");
    install(&deb, &root).expect("dpkg installs the .deb into a throwaway root");
    let installed_app = check_files(&root, &binaries, &conf).expect("the installed files");

    let outcome = run_installed_app(&root, temp.path(), &paths, &artifacts).await;
    if let Err(error) = outcome {
        panic!(
            "the installed app: {error:#}\n(screens and the app's log are in {})",
            artifacts.display()
        );
    }
    purge(&root, &installed_app).expect("dpkg purges the package");
}

/// What the test compares the package with, from src-tauri/tauri.conf.json.
struct TauriConf {
    product_name: String,
    version: String,
    short_description: String,
}

fn tauri_conf(repo: &Path) -> Result<TauriConf> {
    let text = std::fs::read_to_string(repo.join("src-tauri/tauri.conf.json"))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    let field = |pointer: &str| {
        json.pointer(pointer)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .with_context(|| format!("tauri.conf.json has no {pointer}"))
    };
    Ok(TauriConf {
        product_name: field("/productName")?,
        version: field("/version")?,
        short_description: field("/bundle/shortDescription")?,
    })
}

/// Runs `command` and returns its stdout; fails with its stderr when it fails.
fn run(what: &str, command: &mut Command) -> Result<String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {what}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    ensure!(
        output.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(stdout)
}

/// Copies the built binaries into `binaries`, `<target folder>/debug` of the test's own, where
/// `package.sh --debug` looks for them (so that the bundler writes nothing into the shared
/// target/debug), bundles them, and returns the .deb's path.
fn package(paths: &Paths, binaries: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(binaries)?;
    for (built, name) in [(&paths.app, "enroll-app"), (&paths.cli, "enroll")] {
        std::fs::copy(built, binaries.join(name)).with_context(|| format!("copying {}", built.display()))?;
    }
    let stdout = run(
        "scripts/package.sh --debug",
        Command::new(paths.repo.join("scripts/package.sh"))
            .arg("--debug")
            .env("CARGO_TARGET_DIR", binaries.parent().expect("<target folder>/debug")),
    )?;
    let deb = PathBuf::from(stdout.lines().last().context("package.sh printed no path")?.trim());
    ensure!(
        deb.is_file(),
        "package.sh printed {}, which is not a file",
        deb.display()
    );
    Ok(deb)
}

fn check_control(deb: &Path, conf: &TauriConf) -> Result<()> {
    let text = run("dpkg-deb --field", Command::new("dpkg-deb").arg("--field").arg(deb))?;
    let fields = control_fields(&text);
    eprintln!("[deb] control: {fields:?}");
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let architecture = run(
        "dpkg --print-architecture",
        Command::new("dpkg").arg("--print-architecture"),
    )?;
    for (name, expected) in [
        ("Package", PACKAGE),
        ("Version", conf.version.as_str()),
        ("Architecture", architecture.trim()),
        ("Section", "misc"),
    ] {
        ensure!(field(name) == expected, "{name} is {:?}, not {expected:?}", field(name));
    }
    ensure!(
        field("Description").starts_with(&conf.short_description) && field("Description").contains('\n'),
        "the description is the short one and a long one: {:?}",
        field("Description")
    );
    ensure!(!field("Maintainer").is_empty(), "a .deb names its maintainer");
    let depends: Vec<&str> = field("Depends").split(',').map(str::trim).collect();
    for runtime in ["libwebkit2gtk-4.1-0", "libgtk-3-0"] {
        ensure!(
            depends.iter().any(|d| d.split_whitespace().next() == Some(runtime)),
            "the package depends on {runtime} (the WebKitGTK runtime the app links): Depends is {depends:?}"
        );
    }
    // Scanning documents needs SANE's scanimage; a station without it attaches files only.
    ensure!(
        field("Recommends").split(',').any(|r| r.trim() == "sane-utils"),
        "the package recommends sane-utils: Recommends is {:?}",
        field("Recommends")
    );
    // What the README tells an installer to type, simulated: apt takes the file and finds its
    // dependencies satisfied (installed, or to be installed from the archive).
    let plan = run(
        "apt-get --simulate install",
        Command::new("apt-get").args(["--simulate", "install"]).arg(deb),
    )?;
    ensure!(
        plan.lines().any(|l| l.starts_with(&format!("Inst {PACKAGE} "))),
        "apt would not install the .deb here:\n{plan}"
    );
    Ok(())
}

/// `Name: value` lines of a control file, continuation lines joined with newlines.
fn control_fields(text: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in text.lines() {
        if let (Some(rest), Some(name)) = (line.strip_prefix(' '), &last) {
            let value: &mut String = fields.get_mut(name).expect("the field was inserted");
            value.push('\n');
            value.push_str(rest);
        } else if let Some((name, value)) = line.split_once(':') {
            fields.insert(name.to_string(), value.trim().to_string());
            last = Some(name.to_string());
        }
    }
    fields
}

/// dpkg into `root` with an empty package database of its own. Dependencies are not checked
/// against that empty database (`--force-depends`); apt checked them against this machine's.
/// `--force-not-root`: a developer may run the tests without root; dpkg then installs the files
/// as the current user.
fn install(deb: &Path, root: &Path) -> Result<()> {
    let admin = root.join("var/lib/dpkg");
    for folder in ["info", "updates", "triggers"] {
        std::fs::create_dir_all(admin.join(folder))?;
    }
    for file in ["status", "available"] {
        std::fs::write(admin.join(file), "")?;
    }
    run("dpkg --install", dpkg(root).arg("--install").arg(deb))?;
    let status = run("dpkg --status", dpkg(root).args(["--status", PACKAGE]))?;
    ensure!(
        status.lines().any(|l| l == "Status: install ok installed"),
        "dpkg did not finish installing the package:\n{status}"
    );
    Ok(())
}

fn dpkg(root: &Path) -> Command {
    let mut command = Command::new("dpkg");
    command
        .arg(format!("--root={}", root.display()))
        .args(["--force-not-root", "--force-depends", "--log=/dev/null"]);
    command
}

/// The installed files: the app and the CLI in /usr/bin (the binaries in `binaries`, the ones
/// packaged), the desktop entry that starts the app, its icons. Returns the installed app's path.
fn check_files(root: &Path, binaries: &Path, conf: &TauriConf) -> Result<PathBuf> {
    let listed = run("dpkg --listfiles", dpkg(root).args(["--listfiles", PACKAGE]))?;
    let files: Vec<&str> = listed.lines().filter(|l| !l.is_empty()).collect();
    eprintln!("[deb] files: {files:?}");
    for file in &files {
        ensure!(
            root.join(file.trim_start_matches('/')).exists(),
            "dpkg lists {file} but did not install it"
        );
    }
    for name in ["enroll-app", "enroll"] {
        let listed_path = format!("/usr/bin/{name}");
        ensure!(
            files.contains(&listed_path.as_str()),
            "the package has no {listed_path}"
        );
        let installed = root.join("usr/bin").join(name);
        let mode = std::fs::metadata(&installed)?.permissions().mode();
        ensure!(
            mode & 0o111 == 0o111,
            "{listed_path} is not executable by everyone: {mode:o}"
        );
        ensure!(
            std::fs::read(&installed)? == std::fs::read(binaries.join(name))?,
            "{listed_path} is not the binary that was packaged ({})",
            binaries.join(name).display()
        );
    }

    let desktop_files: Vec<&&str> = files
        .iter()
        .filter(|f| f.starts_with("/usr/share/applications/") && f.ends_with(".desktop"))
        .collect();
    ensure!(desktop_files.len() == 1, "one desktop entry, not {desktop_files:?}");
    let entry = std::fs::read_to_string(root.join(desktop_files[0].trim_start_matches('/')))?;
    let key = |name: &str| {
        entry
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
    };
    ensure!(
        key("Type") == "Application",
        "the desktop entry is an application:\n{entry}"
    );
    ensure!(
        key("Name") == conf.product_name,
        "the menu shows {:?}:\n{entry}",
        conf.product_name
    );
    let program = key("Exec").split_whitespace().next().unwrap_or_default();
    ensure!(
        program == "enroll-app" || program == "/usr/bin/enroll-app",
        "the desktop entry starts the installed app, not {program:?}"
    );
    let icon = key("Icon");
    for size in ["32x32", "128x128"] {
        let path = format!("/usr/share/icons/hicolor/{size}/apps/{icon}.png");
        ensure!(
            files.contains(&path.as_str()),
            "the desktop entry's icon {icon:?} has no {path}"
        );
    }

    let version = run(
        "the installed enroll --version",
        Command::new(root.join("usr/bin/enroll")).arg("--version"),
    )?;
    ensure!(
        version.trim() == format!("enroll {}", conf.version),
        "the installed CLI says {version:?}"
    );
    Ok(root.join("usr/bin/enroll-app"))
}

/// Starts the installed CLI's intake (as `make run` does, approving stations at once) and the
/// installed app through tauri-driver on a fresh data folder: the setup screen, then the login
/// screen once the station has registered with that intake.
async fn run_installed_app(root: &Path, temp: &Path, paths: &Paths, artifacts: &Path) -> Result<()> {
    let app = root.join("usr/bin/enroll-app");
    let station_dir = temp.join("station");
    let intake_port = harness::free_port()?;
    let intake_log = std::fs::File::create(artifacts.join("intake.log")).context("the intake's log file")?;
    let _intake = ProcessGroup::spawn(
        "the installed enroll intake serve",
        Command::new(root.join("usr/bin/enroll"))
            .args(["intake", "serve", "--addr", &format!("127.0.0.1:{intake_port}")])
            .arg("--data")
            .arg(temp.join("intake"))
            .arg("--key")
            .arg(temp.join("register.key"))
            .args(["--generate-key", "--approve-stations", "automatic"])
            .stdin(Stdio::null())
            .stdout(intake_log.try_clone()?)
            .stderr(intake_log),
    )?;
    harness::wait_for_port(intake_port, "the installed CLI's intake")?;

    let (display, _xvfb) = harness::display()?;
    let driver_port = harness::free_port()?;
    let native_port = harness::free_port()?;
    let log = std::fs::File::create(artifacts.join("app.log")).context("the app's log file")?;
    let mut driver = ProcessGroup::spawn(
        "tauri-driver",
        Command::new(&paths.tauri_driver)
            .args(["--port", &driver_port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("DISPLAY", &display)
            .env("ENROLL_DATA_DIR", &station_dir)
            .env("ENROLL_INTAKE_URL", format!("http://127.0.0.1:{intake_port}"))
            .env("RUST_LOG", "info")
            // No accessibility bus under Xvfb; without this GTK waits for one on every start.
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log),
    )?;
    harness::wait_for_port(driver_port, "tauri-driver")?;
    // tauri-driver listens before its WebKitWebDriver does (see the main test's start_driver).
    harness::wait_for_port(native_port, "WebKitWebDriver")?;
    // WebKitWebDriver waits without end for a window from an app that exited at once: a
    // package whose app does not start must fail here, not hang.
    let ui = tokio::time::timeout(harness::STEP_TIMEOUT, Ui::connect(driver_port, &app, artifacts))
        .await
        .map_err(|_| {
            anyhow!(
                "no window within {:?}: the installed app did not start (its output is in app.log)",
                harness::STEP_TIMEOUT
            )
        })??;
    let outcome = first_run(&ui, &app, &station_dir).await;
    if outcome.is_err() {
        let _ = ui.screenshot("failure").await;
    }
    let _ = ui.client.clone().close().await;
    driver.stop();
    outcome
}

async fn first_run(ui: &Ui, app: &Path, station_dir: &Path) -> Result<()> {
    ui.wait_for(id::SETUP_SCREEN)
        .await
        .context("a fresh install opens on the setup screen")?;
    ui.screenshot("01-installed-app-setup").await?;
    let running = processes_running(app)?;
    ensure!(
        running > 0,
        "no process runs {}: the window is not the installed app's",
        app.display()
    );

    ui.type_into(id::SETUP_STATION_NAME, "Installed station").await?;
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
    if after_setup == id::HOME_SCREEN {
        ui.click(id::LOG_OUT_BUTTON).await?;
    }
    ui.wait_for(id::LOGIN_SCREEN).await?;
    ui.screenshot("02-installed-app-login").await?;
    ensure!(
        station_dir.join("vault.sqlite").is_file(),
        "the installed app made no vault in ENROLL_DATA_DIR ({})",
        station_dir.display()
    );
    Ok(())
}

/// How many processes run the executable at `path` (from /proc, as this user can see them).
fn processes_running(path: &Path) -> Result<usize> {
    let wanted = path.canonicalize()?;
    let count = std::fs::read_dir("/proc")?
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        .filter(|entry| std::fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == wanted))
        .count();
    Ok(count)
}

/// Purging removes what the package installed, and leaves nothing of it in dpkg's database.
fn purge(root: &Path, installed_app: &Path) -> Result<()> {
    run("dpkg --purge", dpkg(root).args(["--purge", PACKAGE]))?;
    ensure!(
        !installed_app.exists(),
        "{} is still there after the purge",
        installed_app.display()
    );
    let status = dpkg(root)
        .args(["--status", PACKAGE])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    ensure!(!status.success(), "dpkg still knows the package after the purge");
    Ok(())
}
