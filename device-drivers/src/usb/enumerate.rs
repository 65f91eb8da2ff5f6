//! Finding scanners on the bus: list what is plugged in, and watch arrivals and departures.
//!
//! Why a check before nusb: a container, a CI runner or a locked-down kiosk has no USB subsystem
//! (on Linux, no `/sys/bus/usb`). There the station must say "no USB subsystem" once and carry
//! on with its other backends, not fail. [`usb_subsystem_present`] takes the sysfs root as an
//! argument so that the test can point it at a folder that does not exist.
//!
//! Deliberately absent: deciding what a device is (`known`) and opening it (`nusb_transport`).

use std::collections::HashMap;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

use futures_core::Stream;
use nusb::hotplug::{HotplugEvent, HotplugWatch};
use nusb::MaybeFuture;

use crate::DeviceError;

/// Where Linux mounts sysfs.
pub const SYSFS_ROOT: &str = "/sys";

/// A USB device as enumeration sees it, before anyone opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbDeviceSummary {
    pub vendor_id: u16,
    pub product_id: u16,
    /// Bus and port chain, as Linux names the device in sysfs: `3-1.2`. Stable while the device
    /// stays in the same port.
    pub location: String,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial: Option<String>,
}

impl UsbDeviceSummary {
    fn from_nusb(info: &nusb::DeviceInfo) -> UsbDeviceSummary {
        let ports: Vec<String> = info.port_chain().iter().map(u8::to_string).collect();
        let location = if ports.is_empty() {
            info.bus_id().to_string()
        } else {
            format!("{}-{}", info.bus_id(), ports.join("."))
        };
        UsbDeviceSummary {
            vendor_id: info.vendor_id(),
            product_id: info.product_id(),
            location,
            manufacturer: info.manufacturer_string().map(str::to_string),
            product: info.product_string().map(str::to_string),
            serial: info.serial_number().map(str::to_string),
        }
    }
}

/// Does this machine have a USB subsystem? On Linux: does `<sysfs_root>/bus/usb` exist. Other
/// systems always have one as far as this check goes (nusb reports its own errors there).
pub fn usb_subsystem_present(sysfs_root: &Path) -> bool {
    if cfg!(target_os = "linux") {
        sysfs_root.join("bus/usb").is_dir()
    } else {
        true
    }
}

/// Every USB device now plugged in, with nusb's handle to open it.
pub fn list_devices(sysfs_root: &Path) -> Result<Vec<(UsbDeviceSummary, nusb::DeviceInfo)>, DeviceError> {
    if !usb_subsystem_present(sysfs_root) {
        return Err(DeviceError::NoUsb);
    }
    let devices = nusb::list_devices()
        .wait()
        .map_err(|e| DeviceError::UsbTransfer(format!("listing USB devices: {e}")))?;
    Ok(devices.map(|info| (UsbDeviceSummary::from_nusb(&info), info)).collect())
}

/// A device arrived or left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsbEvent {
    Arrived(UsbDeviceSummary),
    /// The device that left, as it was when it arrived or was first listed; `None` when it
    /// arrived before the watch began and was not listed since.
    Departed(Option<UsbDeviceSummary>),
}

/// Wakes the thread that waits on the watch.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Arrivals and departures on the bus, read blocking with a timeout.
pub struct UsbWatch {
    watch: HotplugWatch,
    /// What each present device was, so that a departure can say which scanner left.
    present: HashMap<nusb::DeviceId, UsbDeviceSummary>,
}

impl UsbWatch {
    /// Start watching. Devices already present are learnt from a listing, so that their
    /// departure is named too.
    pub fn start(sysfs_root: &Path) -> Result<UsbWatch, DeviceError> {
        if !usb_subsystem_present(sysfs_root) {
            return Err(DeviceError::NoUsb);
        }
        let watch =
            nusb::watch_devices().map_err(|e| DeviceError::UsbTransfer(format!("watching USB devices: {e}")))?;
        let present = list_devices(sysfs_root)?
            .into_iter()
            .map(|(summary, info)| (info.id(), summary))
            .collect();
        Ok(UsbWatch { watch, present })
    }

    /// The next event, or `None` when `timeout` passes without one.
    pub fn next_event(&mut self, timeout: Duration) -> Option<UsbEvent> {
        let deadline = Instant::now() + timeout;
        let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
        let mut context = Context::from_waker(&waker);
        loop {
            match Pin::new(&mut self.watch).poll_next(&mut context) {
                Poll::Ready(Some(HotplugEvent::Connected(info))) => {
                    let summary = UsbDeviceSummary::from_nusb(&info);
                    self.present.insert(info.id(), summary.clone());
                    return Some(UsbEvent::Arrived(summary));
                }
                Poll::Ready(Some(HotplugEvent::Disconnected(id))) => {
                    return Some(UsbEvent::Departed(self.present.remove(&id)));
                }
                Poll::Ready(None) => return None,
                Poll::Pending => {
                    let now = Instant::now();
                    if now >= deadline {
                        return None;
                    }
                    std::thread::park_timeout(deadline - now);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_without_sys_bus_usb_reports_no_usb_subsystem() {
        let root = std::env::temp_dir().join("enroll-no-such-sysfs-root-for-usb-test");
        assert!(!root.exists(), "the test needs {} to be absent", root.display());
        if cfg!(target_os = "linux") {
            assert!(!usb_subsystem_present(&root));
            let error = list_devices(&root).unwrap_err();
            assert_eq!(error.code(), "usb_unavailable");
            assert!(matches!(UsbWatch::start(&root), Err(DeviceError::NoUsb)));
        }
    }
}
