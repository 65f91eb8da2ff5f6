//! The station's capture devices: the backends it was opened with (simulated devices, SBI
//! services, the USB bus), what they found at the last discovery, and which device takes a
//! step.
//!
//! Why apart: discovery is slow-ish (an SBI scan knocks on a hundred ports) and devices come
//! and go, so the list is kept and refreshed on demand rather than rebuilt per capture.
//! Deliberately absent: policy and drafts (`draft.rs`), talking to devices (`enroll-devices`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use enroll_devices::sbi::{SbiBackend, SbiClient, SbiClientConfig, TrustStore};
use enroll_devices::simulated::{SimulationHandle, SimulationSettings};
use enroll_devices::usb::UsbBackend;
use enroll_devices::{BiometricDevice, CaptureStep, DeviceBackend, DeviceDescriptor, DeviceStatus, SimulatedBackend};

use crate::StationError;

/// Which device backends a station drives: the station's configuration, from its settings or
/// environment (`src-tauri` reads `ENROLL_DEVICES`, `ENROLL_SBI_PORTS`, `ENROLL_DEVICE_TRUST`,
/// `ENROLL_DEVELOPER_MODE`, `ENROLL_SIMULATED_LATENCY_MS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSettings {
    /// The simulated slap scanner, iris camera and face camera (training, tests, demos).
    pub simulated: bool,
    /// How long a simulated capture waits before it returns (the sitter placing a finger):
    /// `None` keeps the simulators' own default (most of a second); zero measures the
    /// station's own time alone (`make bench`'s registration through the window).
    pub simulated_latency: Option<Duration>,
    /// MOSIP SBI device services on 127.0.0.1.
    pub sbi: Option<SbiSettings>,
    /// Native USB scanners.
    pub usb: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbiSettings {
    pub ports: std::ops::RangeInclusive<u16>,
    /// A folder of PEM CA certificates that device certificates must chain to.
    pub trust_dir: Option<std::path::PathBuf>,
    /// Accept untrusted devices, marked as such on every screen. Never in production.
    pub developer_mode: bool,
}

impl Default for DeviceSettings {
    /// The embedded default: simulated devices only, so that a fresh station runs anywhere.
    fn default() -> DeviceSettings {
        DeviceSettings {
            simulated: true,
            simulated_latency: None,
            sbi: None,
            usb: false,
        }
    }
}

impl DeviceSettings {
    /// The backends these settings ask for. A trust folder that cannot be read is an error:
    /// silently trusting nothing would refuse every real device without saying why.
    pub fn backends(&self) -> Result<Vec<Arc<dyn DeviceBackend>>, StationError> {
        let mut backends: Vec<Arc<dyn DeviceBackend>> = Vec::new();
        if let Some(sbi) = &self.sbi {
            let trust = match &sbi.trust_dir {
                Some(dir) => TrustStore::from_dir(dir)?,
                None => TrustStore::empty(),
            };
            let client = SbiClient::new(SbiClientConfig {
                ports: sbi.ports.clone(),
                trust,
                developer_mode: sbi.developer_mode,
                ..SbiClientConfig::default()
            })?;
            backends.push(Arc::new(SbiBackend::new(client)));
        }
        if self.usb {
            backends.push(Arc::new(UsbBackend::new()));
        }
        if self.simulated {
            let defaults = SimulationSettings::default();
            let settings = SimulationSettings {
                // A new sitter each time the station opens, as the face camera does.
                person_seed: rand::random(),
                latency: self.simulated_latency.unwrap_or(defaults.latency),
                ..defaults
            };
            backends.push(Arc::new(SimulatedBackend::new(SimulationHandle::new(settings))));
        }
        Ok(backends)
    }
}

/// Backends and the devices they last found.
#[derive(Default)]
pub struct DeviceRegistry {
    backends: Mutex<Vec<Arc<dyn DeviceBackend>>>,
    found: Mutex<Option<Vec<Arc<dyn BiometricDevice>>>>,
}

impl DeviceRegistry {
    pub fn new(backends: Vec<Arc<dyn DeviceBackend>>) -> DeviceRegistry {
        DeviceRegistry {
            backends: Mutex::new(backends),
            found: Mutex::new(None),
        }
    }

    /// Drive devices through these backends from now on (discovering on next use).
    pub fn set_backends(&self, backends: Vec<Arc<dyn DeviceBackend>>) {
        *self.backends.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = backends;
        *self.found() = None;
    }

    /// Ask every backend again. A backend that fails is logged and skipped: one broken device
    /// service must not hide the others.
    pub fn refresh(&self) -> Vec<Arc<dyn BiometricDevice>> {
        let backends = self
            .backends
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let mut devices = Vec::new();
        for backend in &backends {
            match backend.discover() {
                Ok(found) => devices.extend(found),
                Err(error) => tracing::warn!(backend = backend.name(), %error, "device discovery failed"),
            }
        }
        *self.found() = Some(devices.clone());
        devices
    }

    /// The devices of the last discovery (discovering first if there was none).
    pub fn devices(&self) -> Vec<Arc<dyn BiometricDevice>> {
        let known = self.found().clone();
        known.unwrap_or_else(|| self.refresh())
    }

    pub fn descriptors(&self) -> Vec<DeviceDescriptor> {
        self.devices().iter().map(|d| d.descriptor()).collect()
    }

    /// The device for `step`: the first ready one that can take it, real devices before
    /// simulated ones (a centre with a real scanner plugged in uses it).
    pub fn for_step(&self, step: CaptureStep) -> Option<Arc<dyn BiometricDevice>> {
        let mut candidates: Vec<(bool, Arc<dyn BiometricDevice>)> = self
            .devices()
            .into_iter()
            .filter_map(|device| {
                let descriptor = device.descriptor();
                (descriptor.status == DeviceStatus::Ready && descriptor.kind.can_capture(step))
                    .then_some((descriptor.info.simulated, device))
            })
            .collect();
        candidates.sort_by_key(|(simulated, _)| *simulated);
        candidates.into_iter().next().map(|(_, device)| device)
    }

    /// Whether the station captures with simulated devices: a simulated backend is configured,
    /// or a device found says it is simulated (the simulators behind an SBI service, as in
    /// training). The window shows a SIMULATED badge on every screen then, from the first one
    /// on, so this discovers when nothing was discovered yet (a loopback SBI scan is quick:
    /// closed ports refuse at once), rather than call simulated devices real until then.
    pub fn uses_simulated(&self) -> bool {
        let simulated_backend = self
            .backends
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .any(|backend| backend.name() == SimulatedBackend::NAME);
        simulated_backend || self.devices().iter().any(|d| d.descriptor().info.simulated)
    }

    fn found(&self) -> MutexGuard<'_, Option<Vec<Arc<dyn BiometricDevice>>>> {
        self.found.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
