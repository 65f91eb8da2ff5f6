//! Document scanners through SANE, against a real SANE device: the `test` backend that ships
//! with SANE (Debian: libsane1, with `scanimage` from sane-utils). It lists as `test:0` and
//! `test:1` and scans test pictures through the same library calls as any scanner; its
//! `test.conf` makes it slow or failing on demand.
//!
//! Each test gets its own SANE configuration folder (a `dll.conf` naming only `test`), handed
//! to `scanimage` through [`SaneEnvironment::with_config_dir`]: neither /etc/sane.d nor this
//! process's environment is touched.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use enroll_devices::scanner::{
    SaneEnvironment, ScanMode, ScanOptions, SCANNER_FAILED, SCANNER_INVALID_REQUEST, SCANNER_OUTPUT_TOO_LARGE,
    SCANNER_TOOL_MISSING,
};
use enroll_devices::DeviceError;

/// A fresh folder for one test, under Cargo's temporary folder for integration tests.
fn test_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scanner").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A SANE configuration folder enabling only the `test` backend, with `test_conf` as its
/// `test.conf` (the backend's defaults where empty). Fails, never skips, without SANE.
fn sane_test_backend(name: &str, test_conf: &str) -> (SaneEnvironment, PathBuf) {
    let found = Command::new("scanimage").arg("--version").output();
    assert!(
        found.as_ref().is_ok_and(|output| output.status.success()),
        "these tests need SANE's scanimage and test backend: install the Debian packages sane-utils and \
         libsane1 (`make test` does) ({found:?})"
    );
    let dir = test_dir(name);
    std::fs::write(dir.join("dll.conf"), "test\n").unwrap();
    if !test_conf.is_empty() {
        std::fs::write(dir.join("test.conf"), test_conf).unwrap();
    }
    (SaneEnvironment::system().with_config_dir(&dir), dir)
}

fn options(resolution_dpi: u16, mode: ScanMode) -> ScanOptions {
    ScanOptions { resolution_dpi, mode }
}

/// Pixels across `mm` millimetres at `dpi`, as SANE rounds them, give or take one.
fn assert_pixels(actual: u32, mm: f64, dpi: u16, what: &str) {
    let expected = mm / 25.4 * f64::from(dpi);
    assert!(
        (f64::from(actual) - expected).abs() <= 1.5,
        "{what}: {actual} pixels, expected about {expected:.1}"
    );
}

#[test]
fn listing_finds_the_test_backends_two_devices() {
    let (sane, _dir) = sane_test_backend("listing", "");
    let scanners = sane.list_scanners().unwrap();
    let names: Vec<&str> = scanners.iter().map(|scanner| scanner.name.as_str()).collect();
    assert_eq!(names, ["test:0", "test:1"]);
    assert_eq!(scanners[0].vendor, "Noname");
    assert_eq!(scanners[0].model, "frontend-tester");
    assert_eq!(scanners[0].kind, "virtual device");
}

#[test]
fn listing_with_no_scanner_is_an_empty_list() {
    let (_, dir) = sane_test_backend("listing-none", "");
    std::fs::write(dir.join("dll.conf"), "# no backends\n").unwrap();
    let sane = SaneEnvironment::system().with_config_dir(&dir);
    assert_eq!(sane.list_scanners().unwrap(), []);
}

#[test]
fn a_colour_scan_at_75_dpi_is_a_png_of_the_scan_area() {
    // The test backend's default scan area is 80 mm by 100 mm; a colour pattern, so that the
    // PNG holds more than one flat colour.
    let (sane, _dir) = sane_test_backend("colour", "test-picture \"Color pattern\"\n");
    let page = sane.scan_page("test:0", &options(75, ScanMode::Color)).unwrap();
    assert_eq!(page.dpi, 75);
    assert_pixels(page.width, 80.0, 75, "width");
    assert_pixels(page.height, 100.0, 75, "height");

    let decoded = image::load_from_memory_with_format(&page.png, image::ImageFormat::Png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (page.width, page.height));
    assert_eq!(decoded.color(), image::ColorType::Rgb8);
    let rgb = decoded.to_rgb8();
    let first = rgb.get_pixel(0, 0);
    assert!(
        rgb.pixels().any(|pixel| pixel != first),
        "a colour pattern, not one flat colour"
    );
}

#[test]
fn a_grey_scan_is_a_grey_png_on_the_second_device() {
    let (sane, _dir) = sane_test_backend("grey", "");
    let page = sane.scan_page("test:1", &options(150, ScanMode::Gray)).unwrap();
    assert_eq!(page.dpi, 150);
    assert_pixels(page.width, 80.0, 150, "width");
    assert_pixels(page.height, 100.0, 150, "height");
    let decoded = image::load_from_memory_with_format(&page.png, image::ImageFormat::Png).unwrap();
    assert_eq!(decoded.color(), image::ColorType::L8);
}

#[test]
fn a_name_no_listing_prints_is_refused_before_any_process_starts() {
    // With nothing on the search path, any attempt to run scanimage would be "tool missing":
    // "invalid request" shows that nothing was run.
    let empty = test_dir("refused-before-any-process");
    let sane = SaneEnvironment::system().with_search_path(&empty);
    for name in ["--help", "-h", "", "test:0\n--mode", "test:0 --batch=/tmp/x"] {
        let error = sane.scan_page(name, &ScanOptions::default()).unwrap_err();
        let expected = if name == "test:0 --batch=/tmp/x" {
            // Spaces occur in real names, so this one is only refused by the listing.
            SCANNER_TOOL_MISSING
        } else {
            SCANNER_INVALID_REQUEST
        };
        assert_eq!(error.code(), expected, "{name:?}: {error}");
    }
    let error = sane.scan_page("test:0", &options(1200, ScanMode::Color)).unwrap_err();
    assert_eq!(error.code(), SCANNER_INVALID_REQUEST, "{error}");
}

#[test]
fn a_device_not_listed_is_refused_without_scanning() {
    let (sane, _dir) = sane_test_backend("unknown-device", "");
    // `test` alone would make scanimage open the backend's first device: only listed names go.
    for name in ["test:9", "test", "test:0 --batch=/tmp/x"] {
        let error = sane.scan_page(name, &ScanOptions::default()).unwrap_err();
        assert!(matches!(error, DeviceError::NotConnected(_)), "{name:?}: {error:?}");
        assert_eq!(error.code(), "device_not_connected");
    }
}

#[test]
fn without_scanimage_on_the_search_path_the_tool_is_missing() {
    let empty = test_dir("tool-missing");
    let sane = SaneEnvironment::system().with_search_path(&empty);
    for error in [
        sane.list_scanners().unwrap_err(),
        sane.scan_page("test:0", &ScanOptions::default()).unwrap_err(),
    ] {
        assert_eq!(error.code(), SCANNER_TOOL_MISSING, "{error:?}");
        assert!(error.to_string().contains("sane-utils"), "{error}");
    }
}

/// The processes whose environment holds `needle`: here, scanimage children left behind.
fn processes_with_environment(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ
            .split(|byte| *byte == 0)
            .any(|variable| variable == needle.as_bytes())
        {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

#[test]
fn a_scan_slower_than_its_timeout_is_killed() {
    // One byte per read and 0.2 s after each buffer through the backend's pipe, over a
    // 200 mm square at 600 dpi: over a minute, unless killed.
    let test_conf = "read-limit true\nread-limit-size 1\nread-delay true\nread-delay-duration 200000\n\
                     br_x 200.0\nbr_y 200.0\n";
    let (sane, dir) = sane_test_backend("slow-scan", test_conf);
    let sane = sane.with_scan_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let error = sane.scan_page("test:0", &options(600, ScanMode::Gray)).unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, DeviceError::Timeout { seconds: 2 }), "{error:?}");
    assert_eq!(error.code(), "capture_timeout");
    assert!(
        elapsed < Duration::from_secs(10),
        "the scan was stopped after {elapsed:?}"
    );
    let left = processes_with_environment(&format!("SANE_CONFIG_DIR={}", dir.display()));
    assert!(left.is_empty(), "scanimage still running as {left:?}");
}

#[test]
fn a_jammed_feeder_is_reported_with_what_to_do() {
    let (sane, _dir) = sane_test_backend("jammed", "read-status-code \"SANE_STATUS_JAMMED\"\n");
    let error = sane.scan_page("test:0", &options(75, ScanMode::Gray)).unwrap_err();
    assert_eq!(error.code(), SCANNER_FAILED, "{error:?}");
    let message = error.to_string();
    assert!(message.contains("Document feeder jammed"), "{message}");
    assert!(message.contains("clear the paper jam"), "{message}");
}

#[test]
fn a_resolution_the_scanner_does_not_offer_becomes_the_nearest_it_does() {
    // Configured to offer 100 dpi and up, the backend rounds the 75 asked for to 100, as a
    // real scanner with a list of resolutions does; the page says which it used.
    let (sane, _dir) = sane_test_backend("rounded-resolution", "resolution_min 100.0\n");
    let page = sane.scan_page("test:0", &options(75, ScanMode::Gray)).unwrap();
    assert_eq!(page.dpi, 100, "the resolution the scanner used, not the one asked for");
    assert_pixels(page.width, 80.0, 100, "width");
}

#[test]
fn a_page_larger_than_the_cap_is_refused() {
    let (sane, _dir) = sane_test_backend("too-large", "test-picture \"Color pattern\"\n");
    let sane = sane.with_max_png_bytes(1000);
    let error = sane.scan_page("test:0", &options(75, ScanMode::Color)).unwrap_err();
    assert_eq!(error.code(), SCANNER_OUTPUT_TOO_LARGE, "{error:?}");
}
