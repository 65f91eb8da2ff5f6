//! `enroll sim-devices`: the simulated slap scanner, iris camera and face camera behind MOSIP
//! SBI device services on loopback, one port per device from `--listen` up, so that a station
//! (or `enroll devices list --sbi`) drives them exactly as it drives certified scanners.
//!
//! They sign with a device key from a CA kept in `--ca-dir` (`sbi::DeviceCa`, made on first
//! use); a station trusts them by putting that CA's certificate, which this command prints, in
//! its device trust folder (`--device-trust`). Their digital id still says "Simulated", so
//! nothing they capture passes for a real device's. Pixel captures are wrapped into records as
//! `enroll devices capture` wraps them (`records`).
//!
//! Runs until Ctrl-C or SIGTERM. Deliberately absent: changing settings while running (restart
//! with other flags), and serving real USB scanners.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use clap::Args;
use enroll_devices::sbi::{DeviceCa, ImageEncoder, SbiService};
use enroll_devices::simulated::{SimulatedFailure, SimulatedQuality, SimulationHandle, SimulationSettings};
use enroll_devices::{Capture, CaptureRequest, CapturedData, DeviceBackend, DeviceError, DeviceKind, SimulatedBackend};
use time::OffsetDateTime;

use crate::backends::{parse_simulated_failure, parse_simulated_quality};
use crate::records::record_from_pixels;
use crate::Failure;

#[derive(Args, Debug)]
pub struct SimDevicesArgs {
    /// The first device's address; the others take the next ports (SBI: 127.0.0.1, 4501-4600)
    #[arg(long, default_value = "127.0.0.1:4501")]
    pub listen: SocketAddr,
    /// Where the simulators' device CA is kept (made on first use); default: a folder in your
    /// data folder
    #[arg(long)]
    pub ca_dir: Option<PathBuf>,
    /// How well the simulated sitter presents: good, fair, poor
    #[arg(long, default_value = "good", value_parser = parse_simulated_quality)]
    pub quality: SimulatedQuality,
    /// A failure every capture stages: none, busy, timeout, unplugged, low-quality
    #[arg(long, default_value = "none", value_parser = parse_simulated_failure)]
    pub failure: SimulatedFailure,
    /// Which device stages `--failure`: all, slap, iris, face (the others capture normally),
    /// so that one step can be made to need a supervisor's sign-off, as in training
    #[arg(long, default_value = "all", value_parser = parse_failing_device)]
    pub failure_on: FailingDevice,
}

/// The devices `--failure` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailingDevice {
    All,
    Only(DeviceKind),
}

impl FailingDevice {
    fn includes(self, kind: DeviceKind) -> bool {
        match self {
            FailingDevice::All => true,
            FailingDevice::Only(only) => only == kind,
        }
    }
}

fn parse_failing_device(text: &str) -> Result<FailingDevice, String> {
    match text {
        "all" => Ok(FailingDevice::All),
        "slap" => Ok(FailingDevice::Only(DeviceKind::FingerSlap)),
        "iris" => Ok(FailingDevice::Only(DeviceKind::IrisDouble)),
        "face" => Ok(FailingDevice::Only(DeviceKind::Face)),
        _ => Err("one of all, slap, iris, face".into()),
    }
}

pub fn run(args: SimDevicesArgs) -> Result<(), Failure> {
    let ca_dir = match args.ca_dir {
        Some(dir) => dir,
        None => default_ca_dir()?,
    };
    let ca = DeviceCa::load_or_create(&ca_dir, "enroll simulated devices", SystemTime::now())
        .map_err(|e| Failure::input(e.to_string()))?;
    let settings = |failure| {
        SimulationHandle::new(SimulationSettings {
            quality: args.quality,
            failure,
            ..SimulationSettings::default()
        })
    };
    // The same sitter on both sets (same person seed): the devices that stage the failure come
    // from one, the others from the other.
    let staged = SimulatedBackend::new(settings(args.failure))
        .discover()
        .map_err(|e| Failure::server(e.to_string()))?;
    let plain = SimulatedBackend::new(settings(SimulatedFailure::None))
        .discover()
        .map_err(|e| Failure::server(e.to_string()))?;
    let devices: Vec<_> = staged
        .into_iter()
        .zip(plain)
        .map(|(staged, plain)| {
            if args.failure_on.includes(staged.descriptor().kind) {
                staged
            } else {
                plain
            }
        })
        .collect();
    let mut running = Vec::with_capacity(devices.len());
    for (offset, device) in devices.into_iter().enumerate() {
        let descriptor = device.descriptor();
        let address = next_address(args.listen, offset)?;
        let service = SbiService::new(vec![device], ca.signer(), encoder())
            .spawn(address)
            .map_err(|e| Failure::server(format!("cannot serve {} on {address}: {e}", descriptor.id)))?;
        println!(
            "{}  {} {}  SIMULATED  sbi {}",
            descriptor.id,
            descriptor.info.make,
            descriptor.info.model,
            service.address()
        );
        running.push(service);
    }
    println!(
        "device CA certificate (trust it with --device-trust): {}",
        ca.ca_certificate_path().display()
    );
    println!("ready; Ctrl-C stops the devices");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::server(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(stop_signal());
    for service in running {
        service.stop();
    }
    eprintln!("simulated devices stopped");
    Ok(())
}

/// The address `offset` ports after `first`; port 0 lets each service pick a free port.
fn next_address(first: SocketAddr, offset: usize) -> Result<SocketAddr, Failure> {
    if first.port() == 0 {
        return Ok(first);
    }
    let port = u16::try_from(usize::from(first.port()) + offset)
        .map_err(|_| Failure::usage(format!("no port is left after {first} for the simulated devices")))?;
    Ok(SocketAddr::new(first.ip(), port))
}

/// Pixels into records as `enroll devices capture` writes them; records pass through.
fn encoder() -> ImageEncoder {
    Arc::new(
        |capture: &Capture, _: &CaptureRequest| -> Result<Vec<u8>, DeviceError> {
            match &capture.data {
                CapturedData::IsoRecord(record) => Ok(record.clone()),
                CapturedData::Image { image, ppi } => record_from_pixels(
                    capture.position,
                    image,
                    *ppi,
                    capture.quality,
                    OffsetDateTime::now_utc(),
                ),
            }
        },
    )
}

fn default_ca_dir() -> Result<PathBuf, Failure> {
    dirs::data_dir()
        .map(|dir| dir.join("enroll").join("sim-device-ca"))
        .ok_or_else(|| Failure::usage("no data folder is known for this user; pass --ca-dir"))
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
