//! The USB bus as a [`DeviceBackend`]: [`UsbBackend`].
//!
//! Why: the station asks every backend for devices the same way. This one lists the bus, keeps
//! the scanners the [`known`] table recognises, opens a native driver for those we drive, and
//! keeps the others, with the advice for the clerk, in [`UsbBackend::recognised`], so that the
//! device list can say "SecuGen Hamster Pro 20: install SecuGen's SBI service" instead of
//! nothing.
//!
//! A machine without a USB subsystem gives an empty list and [`UsbStatus::NoUsbSubsystem`];
//! the station shows that status and carries on with its other backends.
//!
//! Each discovery opens the scanners it drives afresh: the station drops the drivers of the
//! previous discovery first, or their interfaces stay claimed and the new ones are reported
//! with `device_busy` in [`RecognisedDevice::problem`].
//!
//! Deliberately absent: hotplug policy (the station calls `discover` again when
//! [`super::enumerate::UsbWatch`] reports a change), and anything about SBI services themselves.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::drivers::nb1010::Nb1010;
use super::drivers::uru4000::Uru4000;
use super::enumerate::{list_devices, UsbDeviceSummary, SYSFS_ROOT};
use super::known::{self, KnownScanner, NativeDriver, Support};
use super::nusb_transport::NusbTransport;
use super::transport::UsbTransport;
use crate::capture::{BiometricDevice, DeviceBackend, DeviceInfo};
use crate::DeviceError;

/// What the last discovery found, for the station's device screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsbStatus {
    /// `discover` has not run yet.
    NotScanned,
    /// This machine has no USB subsystem (containers, CI): no USB scanner can work here.
    NoUsbSubsystem,
    /// The bus was listed: how many devices were on it, and how many the table recognised.
    Scanned { devices: usize, recognised: usize },
    /// Listing the bus failed; `code` is the [`DeviceError::code`].
    Failed { code: &'static str, message: String },
}

/// A scanner found on the bus that the station recognises, driven or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecognisedDevice {
    /// The descriptor id its driver has, or would have: `usb:<location>`.
    pub id: String,
    pub location: String,
    pub serial: Option<String>,
    pub scanner: KnownScanner,
    /// Why a scanner we drive could not be opened (its error code and message), e.g.
    /// `usb_access_denied` when no udev rule lets the station open it.
    pub problem: Option<(&'static str, String)>,
}

impl RecognisedDevice {
    pub fn advice(&self) -> String {
        match &self.problem {
            Some((_, message)) => format!("{}; it could not be opened: {message}", self.scanner.advice()),
            None => self.scanner.advice(),
        }
    }
}

/// The recognised scanners among `devices`, in bus order.
pub fn recognise(devices: &[UsbDeviceSummary]) -> Vec<RecognisedDevice> {
    devices
        .iter()
        .filter_map(|device| {
            known::lookup(device.vendor_id, device.product_id).map(|scanner| RecognisedDevice {
                id: format!("usb:{}", device.location),
                location: device.location.clone(),
                serial: device.serial.clone(),
                scanner: *scanner,
                problem: None,
            })
        })
        .collect()
}

/// The native driver for a recognised scanner, over any transport (a real device, or a replay
/// in tests).
pub fn native_device(
    driver: NativeDriver,
    transport: Box<dyn UsbTransport>,
    device: &RecognisedDevice,
) -> Arc<dyn BiometricDevice> {
    let info = DeviceInfo {
        make: device.scanner.make.to_string(),
        model: device.scanner.model.to_string(),
        serial: device.serial.clone().unwrap_or_default(),
        ..DeviceInfo::default()
    };
    match driver {
        NativeDriver::Nb1010 => Arc::new(Nb1010::new(transport, device.id.clone(), info)),
        NativeDriver::Uru4000 => Arc::new(Uru4000::new(transport, device.id.clone(), info, false)),
        NativeDriver::Uru4000B => Arc::new(Uru4000::new(transport, device.id.clone(), info, true)),
    }
}

/// The interface a native driver claims: the vendor-specific one (class ff/ff/ff), as the
/// DigitalPersona readers need on keyboards with several interfaces; else interface 0.
fn scanner_interface(info: &nusb::DeviceInfo) -> u8 {
    info.interfaces()
        .find(|interface| (interface.class(), interface.subclass(), interface.protocol()) == (0xff, 0xff, 0xff))
        .map(|interface| interface.interface_number())
        .unwrap_or(0)
}

/// Native USB scanners.
pub struct UsbBackend {
    sysfs_root: PathBuf,
    last: Mutex<(UsbStatus, Vec<RecognisedDevice>)>,
}

impl Default for UsbBackend {
    fn default() -> UsbBackend {
        UsbBackend::new()
    }
}

impl UsbBackend {
    pub fn new() -> UsbBackend {
        UsbBackend::with_sysfs_root(Path::new(SYSFS_ROOT))
    }

    /// A backend that looks for the USB subsystem under another sysfs root (tests).
    pub fn with_sysfs_root(sysfs_root: &Path) -> UsbBackend {
        UsbBackend {
            sysfs_root: sysfs_root.to_path_buf(),
            last: Mutex::new((UsbStatus::NotScanned, Vec::new())),
        }
    }

    /// What the last discovery found.
    pub fn status(&self) -> UsbStatus {
        self.last
            .lock()
            .map(|last| last.0.clone())
            .unwrap_or(UsbStatus::NotScanned)
    }

    /// Every recognised scanner of the last discovery, driven or not, with its advice.
    pub fn recognised(&self) -> Vec<RecognisedDevice> {
        self.last.lock().map(|last| last.1.clone()).unwrap_or_default()
    }

    fn remember(&self, status: UsbStatus, recognised: Vec<RecognisedDevice>) {
        if let Ok(mut last) = self.last.lock() {
            *last = (status, recognised);
        }
    }
}

impl DeviceBackend for UsbBackend {
    fn name(&self) -> &'static str {
        "usb"
    }

    fn discover(&self) -> Result<Vec<Arc<dyn BiometricDevice>>, DeviceError> {
        let listed = match list_devices(&self.sysfs_root) {
            Ok(listed) => listed,
            Err(DeviceError::NoUsb) => {
                self.remember(UsbStatus::NoUsbSubsystem, Vec::new());
                return Ok(Vec::new());
            }
            Err(error) => {
                self.remember(
                    UsbStatus::Failed {
                        code: error.code(),
                        message: error.to_string(),
                    },
                    Vec::new(),
                );
                return Ok(Vec::new());
            }
        };
        let summaries: Vec<UsbDeviceSummary> = listed.iter().map(|(summary, _)| summary.clone()).collect();
        let mut recognised = recognise(&summaries);
        let mut devices = Vec::new();
        for found in &mut recognised {
            let Support::Native(driver) = found.scanner.support else {
                continue;
            };
            let Some((_, info)) = listed.iter().find(|(summary, _)| summary.location == found.location) else {
                continue;
            };
            let what = format!("{} {}", found.scanner.make, found.scanner.model);
            match NusbTransport::open(info, scanner_interface(info), &what) {
                Ok(transport) => devices.push(native_device(driver, Box::new(transport), found)),
                Err(error) => found.problem = Some((error.code(), error.to_string())),
            }
        }
        let status = UsbStatus::Scanned {
            devices: summaries.len(),
            recognised: recognised.len(),
        };
        self.remember(status, recognised);
        Ok(devices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_usb_subsystem_discovery_is_empty_and_says_why() {
        let backend = UsbBackend::with_sysfs_root(Path::new("/nonexistent-sysfs-root-for-enroll-test"));
        assert_eq!(backend.status(), UsbStatus::NotScanned);
        let devices = backend.discover().expect("no USB is not an error");
        assert!(devices.is_empty());
        if cfg!(target_os = "linux") {
            assert_eq!(backend.status(), UsbStatus::NoUsbSubsystem);
        }
        assert!(backend.recognised().is_empty());
    }

    #[test]
    fn recognised_devices_keep_their_location_and_advice() {
        let bus = [
            UsbDeviceSummary {
                vendor_id: 0x1d6b,
                product_id: 0x0002,
                location: "1".into(),
                manufacturer: None,
                product: Some("root hub".into()),
                serial: None,
            },
            UsbDeviceSummary {
                vendor_id: 0x1162,
                product_id: 0x2200,
                location: "1-4.2".into(),
                manufacturer: Some("SecuGen".into()),
                product: None,
                serial: Some("H58".into()),
            },
        ];
        let recognised = recognise(&bus);
        assert_eq!(recognised.len(), 1, "the root hub is not a scanner");
        assert_eq!(recognised[0].id, "usb:1-4.2");
        assert_eq!(recognised[0].serial.as_deref(), Some("H58"));
        assert!(
            recognised[0].advice().contains("SecuGen's MOSIP SBI"),
            "{}",
            recognised[0].advice()
        );
    }
}
