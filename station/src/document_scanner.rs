//! Scanning a document's pages at the station, through SANE (`enroll_devices::scanner`).
//!
//! - A station on real devices offers the scanners the system's SANE reaches.
//! - A station on simulated devices (training, tests, `make run`) offers SANE's own `test`
//!   backend, a real SANE device that draws test pages, labelled simulated in the window: the
//!   clerk trains on the same path a real scanner takes. Its configuration (a `dll.conf` naming
//!   only `test`) is written into the station's data folder, so the system's SANE set-up is
//!   left alone.
//! - A station without the SANE tools offers no scanner, and says why once in the log; the
//!   clerk attaches files or photos instead.
//!
//! A scanned page goes back to the window as the bytes of a PNG file, as if the clerk had picked
//! it from disk: the documents step sends every page through one path (`attach_document`),
//! which checks it again.

use std::path::PathBuf;

use base64::Engine as _;
use enroll_devices::scanner::{SaneEnvironment, ScanMode, ScanOptions, SCANNER_TOOL_MISSING};
use enroll_devices::DeviceError;
use serde::Serialize;
use specta::Type;

use crate::{Station, StationError};

/// The folder, inside the data folder, of the simulated scanner's SANE configuration.
const SIMULATED_SANE_DIR: &str = "sane-simulated";

/// The resolution pages are scanned at: enough for the print on an identity card, and a page
/// of A4 in colour stays near 2 MB as PNG at the test backend's default area.
const SCAN_DPI: u16 = 300;

/// A scanner the window offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct ScannerView {
    /// SANE's device name: what [`Station::scan_document_page`] takes.
    pub name: String,
    pub vendor: String,
    pub model: String,
    /// SANE's `test` backend, offered on a station with simulated devices.
    pub simulated: bool,
}

/// One page from the scanner or the camera, as a file the clerk could have picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct ScannedPageView {
    /// `scan-<n>.png` or `photo-<n>.jpg`, for the window's list of pages.
    pub file_name: String,
    /// `image/png` (scanned) or `image/jpeg` (photographed).
    pub media_type: String,
    /// The file's bytes, standard base64 (as `DocumentPage::data_base64`).
    pub data_base64: String,
    pub width: u32,
    pub height: u32,
    /// The scan's resolution; 0 for a photograph (a camera has none).
    pub dpi: u16,
}

impl Station {
    /// The scanners a clerk may scan pages with; none without SANE's tools.
    pub fn document_scanners(&self) -> Result<Vec<ScannerView>, StationError> {
        self.signed_in()?;
        let (sane, simulated) = self.sane()?;
        match sane.list_scanners() {
            Ok(scanners) => Ok(scanners
                .into_iter()
                .map(|scanner| ScannerView {
                    name: scanner.name,
                    vendor: scanner.vendor,
                    model: scanner.model,
                    simulated,
                })
                .collect()),
            Err(DeviceError::Scanner { code, message }) if code == SCANNER_TOOL_MISSING => {
                tracing::info!(%message, "no document scanning at this station");
                Ok(Vec::new())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Scan one page on `device` (a name [`Station::document_scanners`] gave), in colour.
    pub fn scan_document_page(&self, device: &str) -> Result<ScannedPageView, StationError> {
        self.signed_in()?;
        let (sane, _) = self.sane()?;
        let options = ScanOptions {
            resolution_dpi: SCAN_DPI,
            mode: ScanMode::Color,
        };
        let page = sane.scan_page(device, &options)?;
        let at = (self.clock)();
        tracing::info!(device, bytes = page.png.len(), page.width, page.height, "page scanned");
        Ok(ScannedPageView {
            file_name: format!("scan-{}.png", at.unix_timestamp()),
            media_type: "image/png".into(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(&page.png),
            width: page.width,
            height: page.height,
            dpi: page.dpi,
        })
    }

    /// The SANE set-up to use, and whether it is the simulated one.
    fn sane(&self) -> Result<(SaneEnvironment, bool), StationError> {
        if !self.devices.uses_simulated() {
            return Ok((SaneEnvironment::system(), false));
        }
        let dir = self.simulated_sane_dir()?;
        Ok((SaneEnvironment::system().with_config_dir(dir), true))
    }

    /// Writes the configuration that makes SANE offer only its `test` backend, one device
    /// drawing a colour test pattern on a page of about A5 (its default is a black square),
    /// when it is not there as this version writes it.
    fn simulated_sane_dir(&self) -> Result<PathBuf, StationError> {
        let dir = self.config.data_dir.join(SIMULATED_SANE_DIR);
        let io = |e: std::io::Error| StationError::Config(format!("the simulated scanner's configuration: {e}"));
        std::fs::create_dir_all(&dir).map_err(io)?;
        for (name, text) in [("dll.conf", SIMULATED_DLL_CONF), ("test.conf", SIMULATED_TEST_CONF)] {
            let path = dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
                std::fs::write(&path, text).map_err(io)?;
            }
        }
        Ok(dir)
    }
}

/// SANE's backends for the simulated station: its test backend only.
const SIMULATED_DLL_CONF: &str = "# SANE's test backend: the station's simulated scanner.\ntest\n";

/// The test backend's settings (see `man sane-test`): one device, colour, a test pattern on a
/// 148 mm × 200 mm page (200 mm is the backend's largest).
const SIMULATED_TEST_CONF: &str =
    "number_of_devices 1\nmode Color\ntest-picture \"Color pattern\"\nbr_x 148.0\nbr_y 200.0\n";

#[cfg(test)]
mod tests {
    use crate::test_support::{TestStation, OFFICER};

    /// A station on simulated devices scans with SANE's test backend, a real SANE device.
    #[test]
    fn a_simulated_station_scans_pages_with_sanes_test_backend() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let scanners = test
            .station
            .document_scanners()
            .expect("listing scanners (needs sane-utils, which the Makefile installs)");
        assert_eq!(
            scanners
                .iter()
                .map(|s| (s.name.as_str(), s.simulated))
                .collect::<Vec<_>>(),
            [("test:0", true)],
            "SANE's test device, alone"
        );
        let scanner = &scanners[0];

        let page = test.station.scan_document_page(&scanner.name).unwrap();
        assert!(page.width > 100 && page.height > 100, "{}x{}", page.width, page.height);
        let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &page.data_base64).unwrap();
        // A page of about A5 at 300 dpi, in colour, not one flat colour.
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .to_rgb8();
        assert_eq!((image.width(), image.height()), (page.width, page.height));
        assert!(
            (1700..1800).contains(&page.width) && (2300..2400).contains(&page.height),
            "{}x{}",
            page.width,
            page.height
        );
        let first = *image.get_pixel(0, 0);
        assert!(image.pixels().any(|p| *p != first), "a test pattern, not a flat page");

        assert_eq!(
            test.station.scan_document_page("test:9").unwrap_err().code(),
            "device_not_connected"
        );
    }
}
