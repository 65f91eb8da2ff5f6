//! The backend flags that `enroll devices list` and `enroll devices capture` share, and
//! discovery through the backends they choose: SBI device services on loopback ports, native
//! USB scanners, the simulators.
//!
//! Why the CLI scans SBI ports itself (`SbiClient::scan`) rather than through
//! `SbiBackend::discover`: an admin must see every refused service with its reason, not only
//! the first when nothing else answered.
//!
//! Deliberately absent: choosing a device for a capture (`device_capture`) and printing.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use enroll_devices::sbi::{SbiClient, SbiClientConfig, SbiDevice, TrustStore};
use enroll_devices::simulated::{SimulatedFailure, SimulatedQuality, SimulationHandle, SimulationSettings};
use enroll_devices::usb::{RecognisedDevice, UsbBackend, UsbStatus};
use enroll_devices::{BiometricDevice, DeviceBackend, DeviceError, SimulatedBackend};

use crate::Failure;

#[derive(Args, Debug, Clone)]
pub struct BackendArgs {
    /// Use the simulated devices (slap scanner, iris camera, face camera). Without any of
    /// --simulated, --sbi and --usb, all three backends are used
    #[arg(long)]
    pub simulated: bool,
    /// Use MOSIP SBI device services on the loopback ports of --sbi-ports
    #[arg(long)]
    pub sbi: bool,
    /// The ports to look for SBI device services on, FIRST-LAST
    #[arg(long, value_name = "FIRST-LAST", default_value = "4501-4600", value_parser = parse_port_range)]
    pub sbi_ports: RangeInclusive<u16>,
    /// The device trust store: a folder of CA certificates (.pem, .crt, .cer) or one
    /// certificate file. SBI devices whose signatures do not chain to it are refused
    #[arg(long, value_name = "DIR")]
    pub device_trust: Option<PathBuf>,
    /// Accept SBI devices that are not trusted, marked DEVELOPER MODE. Never on a production
    /// station
    #[arg(long)]
    pub developer_mode: bool,
    /// Use native USB scanners, and list recognised scanners the station cannot drive
    #[arg(long)]
    pub usb: bool,
    /// The simulated slap scanner hands over the whole slap, for the station to segment
    #[arg(long)]
    pub sim_slap_image_only: bool,
}

impl BackendArgs {
    /// Which backends to use: the ones named, or all three when none is.
    fn chosen(&self) -> (bool, bool, bool) {
        if !(self.sbi || self.usb || self.simulated) {
            return (true, true, true);
        }
        (self.sbi, self.usb, self.simulated)
    }
}

/// What discovery found, backend by backend.
pub struct Discovery {
    /// Every device that can capture: SBI first, then USB, then the simulators, so that a
    /// capture without `--device` prefers a real device.
    pub devices: Vec<Arc<dyn BiometricDevice>>,
    /// SBI services that answered but were refused (untrusted, broken), by port.
    pub sbi_refusals: Vec<(u16, DeviceError)>,
    /// `None` when USB was not asked for.
    pub usb_status: Option<UsbStatus>,
    /// Recognised USB scanners the station does not drive (or could not open), with advice.
    pub usb_without_driver: Vec<RecognisedDevice>,
}

pub fn parse_port_range(text: &str) -> Result<RangeInclusive<u16>, String> {
    let (first, last) = match text.split_once('-') {
        Some((first, last)) => (first.trim(), last.trim()),
        None => (text.trim(), text.trim()),
    };
    let port = |value: &str| {
        value
            .parse::<u16>()
            .ok()
            .filter(|port| *port > 0)
            .ok_or_else(|| format!("{value:?} is not a port (1-65535); expected FIRST-LAST, e.g. 4501-4600"))
    };
    let (first, last) = (port(first)?, port(last)?);
    if first > last {
        return Err(format!("the range {first}-{last} is empty; the first port comes first"));
    }
    Ok(first..=last)
}

/// The trust store of `path`: a folder of certificates, or one certificate file.
pub fn load_trust_store(path: &Path) -> Result<TrustStore, Failure> {
    let store = if path.is_dir() {
        TrustStore::from_dir(path).map_err(|e| Failure::input(e.to_string()))?
    } else {
        let pem = std::fs::read(path)
            .map_err(|e| Failure::input(format!("cannot read the device trust file {}: {e}", path.display())))?;
        let mut store = TrustStore::empty();
        store
            .add_pem(&pem)
            .map_err(|e| Failure::input(format!("the device trust file {}: {e}", path.display())))?;
        store
    };
    if store.is_empty() {
        return Err(Failure::input(format!(
            "the device trust folder {} holds no certificate (.pem, .crt or .cer)",
            path.display()
        )));
    }
    Ok(store)
}

/// Discover devices through the backends `args` chooses.
pub fn discover(args: &BackendArgs) -> Result<Discovery, Failure> {
    let (use_sbi, use_usb, use_simulated) = args.chosen();
    let mut discovery = Discovery {
        devices: Vec::new(),
        sbi_refusals: Vec::new(),
        usb_status: None,
        usb_without_driver: Vec::new(),
    };
    if use_sbi {
        let trust = match &args.device_trust {
            Some(path) => load_trust_store(path)?,
            None => TrustStore::empty(),
        };
        let client = SbiClient::new(SbiClientConfig {
            ports: args.sbi_ports.clone(),
            trust,
            developer_mode: args.developer_mode,
            ..SbiClientConfig::default()
        })
        .map_err(|e| Failure::device(e.to_string()))?;
        let client = Arc::new(client);
        for (port, answer) in client.scan() {
            match answer {
                Ok(found) => {
                    discovery.devices.extend(found.into_iter().map(|device| {
                        Arc::new(SbiDevice::new(Arc::clone(&client), device)) as Arc<dyn BiometricDevice>
                    }))
                }
                Err(error) => discovery.sbi_refusals.push((port, error)),
            }
        }
    }
    if use_usb {
        let usb = UsbBackend::new();
        match usb.discover() {
            Ok(devices) => discovery.devices.extend(devices),
            Err(error) => tracing::warn!(code = error.code(), %error, "USB discovery failed"),
        }
        discovery.usb_status = Some(usb.status());
        discovery.usb_without_driver = usb
            .recognised()
            .into_iter()
            .filter(|found| !found.scanner.has_native_driver() || found.problem.is_some())
            .collect();
    }
    if use_simulated {
        let settings = SimulationHandle::new(SimulationSettings {
            slap_image_only: args.sim_slap_image_only,
            ..SimulationSettings::default()
        });
        let simulators = SimulatedBackend::new(settings)
            .discover()
            .map_err(|e| Failure::device(e.to_string()))?;
        discovery.devices.extend(simulators);
    }
    Ok(discovery)
}

/// `--quality` of `enroll sim-devices`.
pub fn parse_simulated_quality(text: &str) -> Result<SimulatedQuality, String> {
    match text {
        "good" => Ok(SimulatedQuality::Good),
        "fair" => Ok(SimulatedQuality::Fair),
        "poor" => Ok(SimulatedQuality::Poor),
        _ => Err("one of good, fair, poor".into()),
    }
}

/// `--failure` of `enroll sim-devices`.
pub fn parse_simulated_failure(text: &str) -> Result<SimulatedFailure, String> {
    match text {
        "none" => Ok(SimulatedFailure::None),
        "busy" => Ok(SimulatedFailure::Busy),
        "timeout" => Ok(SimulatedFailure::Timeout),
        "unplugged" => Ok(SimulatedFailure::UnpluggedMidCapture),
        "low-quality" => Ok(SimulatedFailure::LowQuality),
        _ => Err("one of none, busy, timeout, unplugged, low-quality".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_read_as_sbi_writes_them() {
        assert_eq!(parse_port_range("4501-4600"), Ok(4501..=4600));
        assert_eq!(parse_port_range("4501"), Ok(4501..=4501));
        assert!(parse_port_range("4600-4501").unwrap_err().contains("empty"));
        assert!(parse_port_range("4501-70000").unwrap_err().contains("not a port"));
        assert!(parse_port_range("0-10").unwrap_err().contains("not a port"));
    }

    #[test]
    fn no_backend_flag_means_all_three() {
        let mut args = BackendArgs {
            simulated: false,
            sbi: false,
            sbi_ports: 4501..=4600,
            device_trust: None,
            developer_mode: false,
            usb: false,
            sim_slap_image_only: false,
        };
        assert_eq!(args.chosen(), (true, true, true));
        args.sbi = true;
        assert_eq!(args.chosen(), (true, false, false));
    }

    #[test]
    fn a_trust_folder_without_certificates_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let error = match load_trust_store(dir.path()) {
            Err(failure) => failure,
            Ok(_) => panic!("an empty trust folder must be refused"),
        };
        assert_eq!(error.exit_code, 3);
        assert!(
            error.message.contains(&dir.path().display().to_string()),
            "{}",
            error.message
        );
    }
}
