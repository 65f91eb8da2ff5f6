//! The desktop shell's entry point: logging, the station, the window and its commands.
//!
//! Deliberately almost nothing else: every rule of the enrollment lives in `enroll-station`,
//! and every command in [`commands`] is an adapter of a few lines.

// Release builds on Windows get no console window; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;

use enroll_app::slot::StationSlot;
use enroll_station::biometrics::{DeviceSettings, SbiSettings};
use enroll_station::StationConfig;
use tauri::Manager;

/// Where the station talks to when `ENROLL_INTAKE_URL` does not say otherwise.
const DEFAULT_INTAKE_URL: &str = "http://127.0.0.1:8470";

fn main() {
    // First, while this is the only thread: it sets the allocator and the environment that
    // WebKit's processes inherit. What it did is logged once the log is open.
    let malloc_tuning = enroll_malloc_tuning::tune_for_a_long_running_window();
    draw_without_gpu_compositing();
    tauri::Builder::default()
        // The system's save dialog, for the slip's PDF; the window may open `save` and nothing
        // else of it (`capabilities/main.json`).
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let config = station_config(app.handle())?;
            init_logging(&config.data_dir)?;
            tracing::info!(?malloc_tuning, "allocator settings");
            tracing::info!(data_dir = %config.data_dir.display(), intake_url = %config.intake_url, "opening the station");
            // Opening is fast (no network, no key derivation): the window appears at once.
            let webview_data_dir = enroll_station::private_files::private_folder(config.data_dir.join("webview"))?;
            // A station that does not open (its vault held by another window) still gets a
            // window, which says why and retries: see `slot`.
            let devices = device_settings()?;
            tracing::info!(?devices, "capture devices");
            app.manage(StationSlot::open(config, devices, Some(background_sync()?)));
            open_main_window(app, webview_data_dir)?;
            Ok(())
        })
        // The commands of `enroll_app::commands`, all of them (see `build.rs`).
        .invoke_handler(print_ready_on_first_status(
            enroll_app::bindings::builder().invoke_handler(),
        ))
        .run(tauri::generate_context!())
        .expect("the enrollment station window could not start");
}

/// WebKitGTK's accelerated compositing off, unless the station's environment says otherwise
/// (`WEBKIT_DISABLE_COMPOSITING_MODE=0` turns it back on). The window is forms, lists and
/// images: it gains nothing visible from the GPU, while compositing costs a GL context in the web
/// process and, on a laptop without a usable GPU driver, Mesa's software renderer (libLLVM):
/// `make bench` measured the app at 315 MB PSS with it and 239 MB without (the limit is 300 MB
/// on a 4 GB laptop). It also avoids the blank windows some GPU drivers give WebKitGTK. Set
/// before anything starts a thread or WebKit, which reads it in each of its processes.
fn draw_without_gpu_compositing() {
    const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VARIABLE).is_none() {
        std::env::set_var(VARIABLE, "1");
    }
}

/// With `ENROLL_PRINT_READY=1`, prints `READY` on stdout when the window first asks for the
/// station's status: the line `make bench`'s app-start bench waits for
/// (`bench/benches/app_start.rs`). That call is the window's first; `App.svelte` makes it when it
/// mounts, once the page's script has run, and its answer (a read of the open vault) shows the
/// setup, login or home screen, whose form takes input from that render on. So the line marks
/// the interactive login screen of a set-up station less one answer and one render: the point
/// the bench's empty window marks too, whose page calls its one command when its script runs.
/// Without the variable nothing is printed; each command then costs one atomic load more.
fn print_ready_on_first_status(
    handler: impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static,
) -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    use std::sync::atomic::{AtomicBool, Ordering};
    let waiting = AtomicBool::new(std::env::var_os("ENROLL_PRINT_READY").is_some_and(|value| value == "1"));
    move |invoke| {
        if waiting.load(Ordering::Relaxed)
            && invoke.message.command() == "status"
            && waiting.swap(false, Ordering::Relaxed)
        {
            use std::io::Write as _;
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "READY");
            let _ = stdout.flush();
        }
        handler(invoke)
    }
}

/// Log to stderr and to the station's log file in its data folder (`enroll_station::LOG_FILE`),
/// which the support staff collect. It never holds resident data: the station logs ids and
/// codes only, and its marker test scans this file. It is readable by the station's account
/// only; one an older version left open is tightened when the station opens.
fn init_logging(data_dir: &std::path::Path) -> std::io::Result<()> {
    use tracing_subscriber::fmt::writer::MakeWriterExt as _;
    let file = enroll_station::private_files::open_log_file(data_dir)?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr.and(std::sync::Mutex::new(file)))
        // No colour codes: the same lines go to the log file.
        .with_ansi(false)
        .init();
    Ok(())
}

/// Opens the window described in `tauri.conf.json` (which sets `create: false` for it). It is
/// built here rather than by Tauri so that WebKit's own storage (caches, local storage) goes
/// under the station's data folder too: by default it would go to the platform's app-data
/// folder even when `ENROLL_DATA_DIR` points elsewhere, and a test run would touch a real
/// station's folder.
fn open_main_window(app: &tauri::App, webview_data_dir: PathBuf) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == "main")
        .expect("tauri.conf.json describes the main window")
        .clone();
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .data_directory(webview_data_dir)
        .build()?;
    Ok(())
}

/// The data folder is `ENROLL_DATA_DIR` when set (tests always set it, so they never touch a
/// real station's vault), else the platform's app-data folder. The intake is
/// `ENROLL_INTAKE_URL` when set, else the local default.
fn station_config(app: &tauri::AppHandle) -> Result<StationConfig, tauri::Error> {
    let data_dir = match std::env::var_os("ENROLL_DATA_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => app.path().app_data_dir()?,
    };
    let intake_url = std::env::var("ENROLL_INTAKE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_INTAKE_URL.to_string());
    Ok(StationConfig { data_dir, intake_url })
}

/// How the background sync paces itself: the station's defaults, or with
/// `ENROLL_SYNC_RECHECK_MS` the longest wait between two looks at an offline or idle intake
/// (and between two questions to the register about receipted packets or configuration)
/// (the end-to-end tests set it, so that they see the sync resume within a second or two).
fn background_sync() -> Result<enroll_station::BackgroundSync, String> {
    let mut pace = enroll_station::BackgroundSync::default();
    if let Some(text) = std::env::var("ENROLL_SYNC_RECHECK_MS")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        let millis: u64 = text
            .trim()
            .parse()
            .ok()
            .filter(|ms| (10..=3_600_000).contains(ms))
            .ok_or_else(|| {
                format!("ENROLL_SYNC_RECHECK_MS must be a number of milliseconds from 10 to 3600000, not '{text}'")
            })?;
        let most = std::time::Duration::from_millis(millis);
        pace.idle = pace.idle.min(most);
        pace.offline.base = pace.offline.base.min(most);
        pace.offline.cap = pace.offline.cap.min(most);
        pace.blocked = pace.blocked.min(most);
        pace.register_status = pace.register_status.min(most);
        pace.configuration = pace.configuration.min(most);
    }
    Ok(pace)
}

/// The capture devices: `ENROLL_DEVICES` lists the backends (`simulated`, `sbi`, `usb`,
/// comma-separated; default `simulated`); for SBI, `ENROLL_SBI_PORTS` (`4501-4600` by default),
/// `ENROLL_DEVICE_TRUST` (a folder of PEM CA certificates) and `ENROLL_DEVELOPER_MODE=1`
/// (accept untrusted devices, marked on every screen). `ENROLL_SIMULATED_LATENCY_MS` sets how
/// long a simulated capture waits before it returns (default: the simulators' own, most of a
/// second, as a sitter takes); `make bench` sets it to 0 to time the station's own work over a
/// registration (`e2e/benches/registration_flow.rs`).
fn device_settings() -> Result<DeviceSettings, String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let simulated_latency = match var("ENROLL_SIMULATED_LATENCY_MS") {
        Some(text) => Some(std::time::Duration::from_millis(
            text.trim()
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms <= 60_000)
                .ok_or_else(|| {
                    format!(
                        "ENROLL_SIMULATED_LATENCY_MS must be a number of milliseconds from 0 to 60000, not '{text}'"
                    )
                })?,
        )),
        None => None,
    };
    let Some(list) = var("ENROLL_DEVICES") else {
        return Ok(DeviceSettings {
            simulated_latency,
            ..DeviceSettings::default()
        });
    };
    let mut settings = DeviceSettings {
        simulated: false,
        simulated_latency,
        sbi: None,
        usb: false,
    };
    for name in list.split(',').map(str::trim) {
        match name {
            "simulated" => settings.simulated = true,
            "usb" => settings.usb = true,
            "sbi" => {
                let ports = match var("ENROLL_SBI_PORTS") {
                    Some(text) => parse_ports(&text)?,
                    None => 4501..=4600,
                };
                settings.sbi = Some(SbiSettings {
                    ports,
                    trust_dir: var("ENROLL_DEVICE_TRUST").map(PathBuf::from),
                    developer_mode: var("ENROLL_DEVELOPER_MODE").as_deref() == Some("1"),
                });
            }
            other => {
                return Err(format!(
                    "ENROLL_DEVICES: unknown backend {other:?} (simulated, sbi, usb)"
                ))
            }
        }
    }
    Ok(settings)
}

/// `4501-4600` or `4501`.
fn parse_ports(text: &str) -> Result<std::ops::RangeInclusive<u16>, String> {
    let bad = || format!("ENROLL_SBI_PORTS: {text:?} is not a port or a range such as 4501-4600");
    let (low, high) = text.trim().split_once('-').unwrap_or((text.trim(), text.trim()));
    let low: u16 = low.trim().parse().map_err(|_| bad())?;
    let high: u16 = high.trim().parse().map_err(|_| bad())?;
    if low == 0 || low > high {
        return Err(bad());
    }
    Ok(low..=high)
}
