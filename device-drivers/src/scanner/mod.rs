//! Document scanners (for the ID card or the proof of address attached to a registration),
//! reached through SANE, the scanner layer of Linux.
//!
//! Why a subprocess, SANE's own `scanimage` (package sane-utils), and not libsane through FFI:
//! crash isolation and no unsafe code. SANE backends are C drivers of uneven quality, loaded
//! into whichever process opens them; one that crashes, corrupts memory or hangs in a read
//! would take the station down with the registration in progress. As a child process, a
//! backend can only fail: the station kills it when its time is up, reads no more than a cap
//! from it, and checks that what it printed is a whole PNG image. The cost, one process start
//! per listing and per page, is small beside the seconds a scan takes.
//!
//! Map: [`SaneEnvironment`] says how `scanimage` is run (the SANE configuration folder, the
//! search path, the limits) and does the work; [`list_scanners`] and [`scan_page`] use the
//! system's. The private `sane` module holds `scanimage`'s arguments and reads its answers,
//! and `process` runs it with a deadline and an output cap.
//!
//! A device name reaches `scanimage` only if the listing just made names that very device, so
//! no string from the window can become an option or a device the clerk was not shown.
//!
//! Deliberately absent: scanner options beyond resolution and colour mode (the scan area is
//! the backend's default, the whole glass on most flatbeds), document feeders and multi-page
//! batches, `sane-find-scanner`, and what happens to the page afterwards (the station attaches
//! it; this module hands over a checked PNG).

mod process;
mod sane;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::DeviceError;
use process::RunFailure;

/// `scanimage` is not on the search path: SANE is not installed (Debian: sane-utils). The
/// window says the station has no scanner support, or asks to install it.
pub const SCANNER_TOOL_MISSING: &str = "scanner_tool_missing";
/// The request was refused before anything ran: a device name that no listing can produce, or
/// a resolution outside [`MIN_RESOLUTION_DPI`]..=[`MAX_RESOLUTION_DPI`]. A bug in the caller.
pub const SCANNER_INVALID_REQUEST: &str = "scanner_invalid_request";
/// `scanimage` ran and failed; the message carries SANE's reason and what to do.
pub const SCANNER_FAILED: &str = "scanner_failed";
/// The scan printed more than the station accepts for one page.
pub const SCANNER_OUTPUT_TOO_LARGE: &str = "scanner_output_too_large";

/// The lowest resolution offered: below it, a document's small print is unreadable.
pub const MIN_RESOLUTION_DPI: u16 = 75;
/// The highest resolution offered: above it, an A4 page in colour outgrows the output cap and
/// the scan takes minutes, for no gain on a document.
pub const MAX_RESOLUTION_DPI: u16 = 600;

/// The default cap on one scanned page's PNG. An A4 page in colour at 600 dpi is about
/// 100 MiB of pixels; a document (mostly flat paper) compresses to well under this.
pub const DEFAULT_MAX_PNG_BYTES: usize = 64 * 1024 * 1024;
/// The default time allowed to list scanners. Network backends (eSCL, the SANE daemon) spend a
/// few seconds discovering devices.
pub const DEFAULT_LIST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time allowed for one page: a slow USB flatbed takes over a minute for an A4
/// page in colour at 600 dpi, warm-up included.
pub const DEFAULT_SCAN_TIMEOUT: Duration = Duration::from_secs(180);

/// The longest device name accepted. SANE sets no limit; real names (`net:host:backend:...`,
/// `airscan:e0:Model`) are far shorter.
const MAX_DEVICE_NAME_BYTES: usize = 512;

/// One scanner SANE can reach, as its backend describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ScannerInfo {
    /// The SANE device name (`test:0`, `airscan:e0:Canon TS5000 series`): what [`scan_page`]
    /// takes.
    pub name: String,
    pub vendor: String,
    pub model: String,
    /// The backend's kind of device ("flatbed scanner", "eSCL network scanner").
    pub kind: String,
}

/// Colour or grey levels. SANE's standard mode names; a backend with other names for them
/// refuses the scan with [`SCANNER_FAILED`] and says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ScanMode {
    Color,
    Gray,
}

/// What to ask of one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ScanOptions {
    /// From [`MIN_RESOLUTION_DPI`] to [`MAX_RESOLUTION_DPI`]. A scanner that does not offer it
    /// uses the nearest it does; [`ScannedPage::dpi`] tells which.
    pub resolution_dpi: u16,
    pub mode: ScanMode,
}

impl Default for ScanOptions {
    /// 300 dpi in colour: what identity documents are usually scanned at.
    fn default() -> Self {
        ScanOptions {
            resolution_dpi: 300,
            mode: ScanMode::Color,
        }
    }
}

/// One scanned page, checked to decode as PNG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedPage {
    /// The PNG file as the scanner software wrote it.
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The resolution the scanner used: the one recorded in the PNG, else the one asked for.
    pub dpi: u16,
}

/// How `scanimage` is found and run. [`SaneEnvironment::system`] is what a station uses; tests
/// point it at their own SANE configuration or search path without touching the station's
/// environment (only the child's).
#[derive(Debug, Clone)]
pub struct SaneEnvironment {
    config_dir: Option<PathBuf>,
    search_path: Option<OsString>,
    list_timeout: Duration,
    scan_timeout: Duration,
    max_png_bytes: usize,
}

impl Default for SaneEnvironment {
    fn default() -> Self {
        Self::system()
    }
}

impl SaneEnvironment {
    /// The station's own: SANE's configuration from /etc/sane.d (or wherever the station's
    /// environment says), `scanimage` from the search path, the default limits.
    pub fn system() -> Self {
        SaneEnvironment {
            config_dir: None,
            search_path: None,
            list_timeout: DEFAULT_LIST_TIMEOUT,
            scan_timeout: DEFAULT_SCAN_TIMEOUT,
            max_png_bytes: DEFAULT_MAX_PNG_BYTES,
        }
    }

    /// SANE reads its configuration (`dll.conf`, one `<backend>.conf` per backend) from `dir`
    /// alone: `SANE_CONFIG_DIR` for the child.
    pub fn with_config_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config_dir = Some(dir.into());
        self
    }

    /// `scanimage` is looked up on `path` (a `PATH` value) instead of the station's `PATH`.
    pub fn with_search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    pub fn with_list_timeout(mut self, timeout: Duration) -> Self {
        self.list_timeout = timeout;
        self
    }

    pub fn with_scan_timeout(mut self, timeout: Duration) -> Self {
        self.scan_timeout = timeout;
        self
    }

    pub fn with_max_png_bytes(mut self, max_bytes: usize) -> Self {
        self.max_png_bytes = max_bytes;
        self
    }

    /// The scanners SANE can reach now; none is an empty list, not an error.
    pub fn list_scanners(&self) -> Result<Vec<ScannerInfo>, DeviceError> {
        // The listing is a few lines; a megabyte means something is badly wrong.
        const MAX_LIST_BYTES: usize = 1024 * 1024;
        let mut command = self.scanimage();
        command.args(sane::list_arguments());
        let finished = process::run_bounded(&mut command, self.list_timeout, MAX_LIST_BYTES)
            .map_err(|failure| self.run_failure(failure, self.list_timeout))?;
        if !finished.status.success() {
            return Err(sane::failure("list the scanners", &finished.stderr, finished.status));
        }
        Ok(sane::parse_device_list(&finished.stdout))
    }

    /// Scans one page from `device`, a name from [`Self::list_scanners`].
    ///
    /// Refused before anything runs: a resolution out of range, or a name no listing can
    /// produce (empty, control characters, a leading `-`). Then the scanners are listed, and a
    /// `device` not among them is [`DeviceError::NotConnected`] without any scan started.
    pub fn scan_page(&self, device: &str, options: &ScanOptions) -> Result<ScannedPage, DeviceError> {
        check_resolution(options.resolution_dpi)?;
        check_device_name(device)?;
        if !self.list_scanners()?.iter().any(|scanner| scanner.name == device) {
            return Err(DeviceError::NotConnected(format!(
                "scanner \"{device}\" (refresh the list of scanners and choose again)"
            )));
        }

        let mut command = self.scanimage();
        command.args(sane::scan_arguments(device, options));
        let finished = match process::run_bounded(&mut command, self.scan_timeout, self.max_png_bytes) {
            Ok(finished) => finished,
            Err(failure) => {
                tracing::warn!(device, ?failure, "scanimage stopped by the station");
                return Err(self.run_failure(failure, self.scan_timeout));
            }
        };
        if !finished.status.success() {
            return Err(sane::failure("scan", &finished.stderr, finished.status));
        }
        let png = finished.stdout;
        let decoded = image::load_from_memory_with_format(&png, image::ImageFormat::Png).map_err(|error| {
            DeviceError::BadImage(format!(
                "the scanner's page is not a readable PNG image ({error}); scan again"
            ))
        })?;
        let dpi = sane::png_dpi(&png).unwrap_or(options.resolution_dpi);
        Ok(ScannedPage {
            width: decoded.width(),
            height: decoded.height(),
            dpi,
            png,
        })
    }

    /// `scanimage` with this environment: the child's `SANE_CONFIG_DIR` and `PATH` when set,
    /// and the C locale, so that SANE's reasons come in the English that [`sane::failure`]
    /// recognises.
    fn scanimage(&self) -> Command {
        let mut command = Command::new(sane::SCANIMAGE);
        if let Some(dir) = &self.config_dir {
            command.env("SANE_CONFIG_DIR", dir);
        }
        if let Some(path) = &self.search_path {
            // On Unix the program is looked up on the child's PATH when one is set.
            command.env("PATH", path);
        }
        command.env("LC_ALL", "C");
        command
    }

    fn run_failure(&self, failure: RunFailure, timeout: Duration) -> DeviceError {
        match failure {
            RunFailure::NotFound => DeviceError::Scanner {
                code: SCANNER_TOOL_MISSING,
                message: "scanner support is not installed on this station (SANE's scanimage was not found); \
                          ask the administrator to install the sane-utils package, or attach the document \
                          from a file or the camera"
                    .to_owned(),
            },
            RunFailure::Io(error) => DeviceError::Scanner {
                code: SCANNER_FAILED,
                message: format!(
                    "the scanner software could not be run ({error}); ask the administrator to check the \
                     sane-utils installation"
                ),
            },
            RunFailure::TimedOut => DeviceError::Timeout {
                seconds: timeout.as_secs_f64().ceil() as u64,
            },
            RunFailure::OutputTooLarge => DeviceError::Scanner {
                code: SCANNER_OUTPUT_TOO_LARGE,
                message: format!(
                    "the scanned page is larger than the {} MiB the station accepts; scan at a lower resolution \
                     or in grey",
                    self.max_png_bytes.div_ceil(1024 * 1024)
                ),
            },
        }
    }
}

/// The scanners SANE can reach, with the station's own SANE configuration. See
/// [`SaneEnvironment::list_scanners`].
pub fn list_scanners() -> Result<Vec<ScannerInfo>, DeviceError> {
    SaneEnvironment::system().list_scanners()
}

/// Scans one page, with the station's own SANE configuration. See
/// [`SaneEnvironment::scan_page`].
pub fn scan_page(device: &str, options: &ScanOptions) -> Result<ScannedPage, DeviceError> {
    SaneEnvironment::system().scan_page(device, options)
}

fn check_resolution(dpi: u16) -> Result<(), DeviceError> {
    if (MIN_RESOLUTION_DPI..=MAX_RESOLUTION_DPI).contains(&dpi) {
        return Ok(());
    }
    Err(DeviceError::Scanner {
        code: SCANNER_INVALID_REQUEST,
        message: format!(
            "a scan at {dpi} dpi was asked for; choose from {MIN_RESOLUTION_DPI} to {MAX_RESOLUTION_DPI} dpi"
        ),
    })
}

/// Refuses names that `scanimage -L` never prints, before the listing that confirms the rest.
fn check_device_name(device: &str) -> Result<(), DeviceError> {
    let why = if device.is_empty() {
        "it is empty"
    } else if device.len() > MAX_DEVICE_NAME_BYTES {
        "it is too long"
    } else if device.chars().any(char::is_control) {
        "it holds control characters"
    } else if device.starts_with('-') {
        "it starts with a dash"
    } else {
        return Ok(());
    };
    Err(DeviceError::Scanner {
        code: SCANNER_INVALID_REQUEST,
        message: format!(
            "\"{}\" is not a scanner name ({why}); choose a scanner from the list",
            device.escape_debug()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolutions_outside_the_offered_range_are_refused() {
        for dpi in [0, 74, 601, 1200] {
            let error = check_resolution(dpi).unwrap_err();
            assert_eq!(error.code(), SCANNER_INVALID_REQUEST, "{dpi}");
        }
        for dpi in [75, 300, 600] {
            check_resolution(dpi).unwrap();
        }
    }

    #[test]
    fn names_that_no_listing_prints_are_refused() {
        for name in ["", "-h", "--help", "test:0\n--mode", "test\0", &"x".repeat(600)] {
            let error = check_device_name(name).unwrap_err();
            assert_eq!(error.code(), SCANNER_INVALID_REQUEST, "{name:?}");
        }
        for name in [
            "test:0",
            "airscan:e0:Canon TS5000 series",
            "net:10.0.0.5:epson2:libusb:001:004",
        ] {
            check_device_name(name).unwrap();
        }
    }
}
