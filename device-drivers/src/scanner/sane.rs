//! What `scanimage` is asked and how its answers are read: the device list it prints, the
//! reasons it gives on standard error, and the resolution it records in its PNG files.
//!
//! Deliberately absent: running it (the caller does, through `process`), and any option beyond
//! device, format, resolution and mode.

use std::ffi::OsString;

use super::{ScanMode, ScanOptions, ScannerInfo, SCANNER_FAILED};
use crate::DeviceError;

/// The program this module speaks to, looked up on the search path like any tool.
pub(crate) const SCANIMAGE: &str = "scanimage";

/// Between the fields of one listed device. Tabs do not occur in SANE device names, vendors or
/// models; a line with another count of fields is skipped rather than guessed at.
const FIELD_SEPARATOR: char = '\t';

/// The arguments that list devices, one per line: name, vendor, model, type.
pub(crate) fn list_arguments() -> Vec<OsString> {
    // scanimage expands `%d` and the like itself and copies other characters, so the tab here
    // is a real tab in the argument; `%n` is its newline.
    vec![format!("--formatted-device-list=%d{FIELD_SEPARATOR}%v{FIELD_SEPARATOR}%m{FIELD_SEPARATOR}%t%n").into()]
}

/// The arguments that scan one page of `device` as PNG on standard output.
pub(crate) fn scan_arguments(device: &str, options: &ScanOptions) -> Vec<OsString> {
    // `--device-name=NAME` as one argument, so that no name can be read as another option.
    vec![
        format!("--device-name={device}").into(),
        "--format=png".into(),
        "--resolution".into(),
        options.resolution_dpi.to_string().into(),
        "--mode".into(),
        sane_mode(options.mode).into(),
    ]
}

/// The SANE standard values of the `mode` option (`SANE_VALUE_SCAN_MODE_COLOR` and `_GRAY`).
fn sane_mode(mode: ScanMode) -> &'static str {
    match mode {
        ScanMode::Color => "Color",
        ScanMode::Gray => "Gray",
    }
}

/// The devices in `scanimage`'s formatted list. Other lines (none when it finds nothing, but
/// a backend may print its own) are skipped.
pub(crate) fn parse_device_list(stdout: &[u8]) -> Vec<ScannerInfo> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(FIELD_SEPARATOR).collect();
            match fields[..] {
                [name, vendor, model, kind] if !name.is_empty() => Some(ScannerInfo {
                    name: name.to_owned(),
                    vendor: vendor.trim().to_owned(),
                    model: model.trim().to_owned(),
                    kind: kind.trim().to_owned(),
                }),
                _ => None,
            }
        })
        .collect()
}

/// The longest reason from `scanimage` passed on to the clerk.
const REASON_MAX_CHARS: usize = 300;

/// Why `scanimage` failed, from its last complaint on standard error, as an error the clerk
/// can act on. `what` names the attempt ("list the scanners", "scan").
pub(crate) fn failure(what: &str, stderr: &[u8], status: std::process::ExitStatus) -> DeviceError {
    let text = String::from_utf8_lossy(stderr);
    // scanimage prefixes its own messages; the last one is why it stopped. Warnings such as
    // "rounded value of resolution" come earlier and are not the reason.
    let reason = text
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty() && !line.contains("rounded value of"))
        .map(|line| line.strip_prefix("scanimage: ").unwrap_or(line))
        .map(|line| line.chars().take(REASON_MAX_CHARS).collect::<String>())
        .unwrap_or_else(|| format!("scanimage ended with {status} and gave no reason"));

    // The status texts are SANE's own (`sane_strstatus`), in English because the child runs
    // with LC_ALL=C.
    if reason.ends_with("Device busy") {
        return DeviceError::Busy;
    }
    let advice = if reason.ends_with("Document feeder jammed") {
        "clear the paper jam, then scan again"
    } else if reason.ends_with("Document feeder out of documents") {
        "put the document in the feeder or on the glass, then scan again"
    } else if reason.ends_with("Scanner cover is open") {
        "close the scanner's cover, then scan again"
    } else if reason.ends_with("Access to resource has been denied") {
        "ask the administrator to give the station access to the scanner"
    } else if reason.starts_with("setting of option") {
        "choose another resolution or colour mode; this scanner does not offer the one asked for"
    } else if reason.starts_with("open of device") {
        "check that the scanner is switched on and connected, then refresh the list of scanners"
    } else {
        "check that the scanner is switched on and connected, then try again"
    };
    DeviceError::Scanner {
        code: SCANNER_FAILED,
        message: format!("could not {what}: the scanner software says \"{reason}\"; {advice}"),
    }
}

/// The resolution recorded in a PNG's `pHYs` chunk, in dots per inch, if it is recorded in
/// pixels per metre and the same across and down. scanimage records the resolution the
/// scanner actually used, which may be the nearest it offers to the one asked for.
pub(crate) fn png_dpi(png: &[u8]) -> Option<u16> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let mut rest = png.strip_prefix(SIGNATURE)?;
    // Chunks: length (4 bytes, big-endian), type (4), data, CRC (4). pHYs comes before the
    // image data.
    while rest.len() >= 12 {
        let length = usize::try_from(u32::from_be_bytes(rest[..4].try_into().ok()?)).ok()?;
        let kind = &rest[4..8];
        let data = rest.get(8..8usize.checked_add(length)?)?;
        match kind {
            b"pHYs" if length == 9 => {
                let across = u32::from_be_bytes(data[..4].try_into().ok()?);
                let down = u32::from_be_bytes(data[4..8].try_into().ok()?);
                let unit_is_metre = data[8] == 1;
                if !unit_is_metre || across != down {
                    return None;
                }
                let dpi = (f64::from(across) * 0.0254).round();
                return (1.0..=f64::from(u16::MAX)).contains(&dpi).then_some(dpi as u16);
            }
            b"IDAT" | b"IEND" => return None,
            _ => rest = rest.get(12 + length..)?,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    fn exit(code: i32) -> ExitStatus {
        ExitStatus::from_raw(code << 8)
    }

    #[test]
    fn device_list_lines_become_scanners_and_other_lines_are_skipped() {
        let stdout = b"test:0\tNoname\tfrontend-tester\tvirtual device\n\
            some backend chatter\n\
            airscan:e0:Canon TS5000 series\tCanon\tTS5000 series\teSCL network scanner\n\
            \tno\tname\there\n";
        let scanners = parse_device_list(stdout);
        assert_eq!(scanners.len(), 2, "{scanners:?}");
        assert_eq!(scanners[0].name, "test:0");
        assert_eq!(scanners[0].vendor, "Noname");
        assert_eq!(scanners[0].model, "frontend-tester");
        assert_eq!(scanners[0].kind, "virtual device");
        assert_eq!(scanners[1].name, "airscan:e0:Canon TS5000 series");
    }

    #[test]
    fn no_devices_is_an_empty_list() {
        assert!(parse_device_list(b"").is_empty());
    }

    #[test]
    fn a_device_name_is_passed_as_one_argument_that_cannot_be_an_option() {
        let options = ScanOptions {
            resolution_dpi: 150,
            mode: ScanMode::Gray,
        };
        let arguments = scan_arguments("test:0", &options);
        assert_eq!(
            arguments,
            [
                "--device-name=test:0",
                "--format=png",
                "--resolution",
                "150",
                "--mode",
                "Gray"
            ]
        );
    }

    #[test]
    fn the_last_complaint_is_the_reason_and_warnings_are_not() {
        let stderr = b"scanimage: rounded value of resolution from 77.3 to 77\n\
            scanimage: sane_read: Document feeder jammed\n";
        let error = failure("scan", stderr, exit(6));
        assert_eq!(error.code(), SCANNER_FAILED);
        let message = error.to_string();
        assert!(message.contains("\"sane_read: Document feeder jammed\""), "{message}");
        assert!(message.contains("paper jam"), "{message}");
    }

    #[test]
    fn a_busy_scanner_is_the_busy_device_error() {
        let error = failure("scan", b"scanimage: sane_start: Device busy\n", exit(1));
        assert!(matches!(error, DeviceError::Busy), "{error:?}");
    }

    #[test]
    fn a_silent_failure_names_the_exit_status() {
        let message = failure("scan", b"", ExitStatus::from_raw(11)).to_string();
        assert!(message.contains("signal: 11"), "{message}");
    }

    #[test]
    fn a_long_reason_is_cut() {
        let stderr = format!("scanimage: {}\n", "x".repeat(10_000));
        let message = failure("scan", stderr.as_bytes(), exit(1)).to_string();
        assert!(message.len() < REASON_MAX_CHARS + 200, "{} bytes", message.len());
    }

    #[test]
    fn the_dpi_recorded_by_scanimage_is_read() {
        // The start of a PNG scanimage wrote at 75 dpi: 2952 pixels per metre.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[0, 0, 0, 13]);
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&[0, 0, 0, 0xec, 0, 0, 1, 0x27, 8, 0, 0, 0, 0]);
        png.extend_from_slice(&[0; 4]);
        png.extend_from_slice(&[0, 0, 0, 9]);
        png.extend_from_slice(b"pHYs");
        png.extend_from_slice(&[0, 0, 0x0b, 0x88, 0, 0, 0x0b, 0x88, 1]);
        png.extend_from_slice(&[0; 4]);
        assert_eq!(png_dpi(&png), Some(75));
        assert_eq!(png_dpi(&png[..png.len() - 10]), None, "a cut chunk is no answer");
        assert_eq!(png_dpi(b"not a png"), None);
    }
}
