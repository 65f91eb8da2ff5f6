//! `enroll devices list` and `enroll devices capture`: what an admin sees of the capture
//! devices of a station, through the backends the flags choose (`backends`).
//!
//! The list shows each device that can capture (id, kind, backend, make, model, serial,
//! firmware, certification, trust, status; simulated devices marked SIMULATED), each SBI
//! service that answered but was refused with its reason, and the USB scanners the station
//! recognises but cannot drive, with what to install. `--json` prints the same as one array
//! whose entries say what they are in `entry`: `device`, `sbiRefused`, `usbRecognised` or
//! `usbUnavailable`.
//!
//! Deliberately absent: the capture itself (`device_capture`) and any change to a device.

use clap::Subcommand;
use enroll_devices::usb::{RecognisedDevice, UsbStatus};
use enroll_devices::{DeviceDescriptor, DeviceError, DeviceTrust};
use serde_json::{json, Value};

use crate::backends::{discover, BackendArgs, Discovery};
use crate::device_capture::CaptureArgs;
use crate::Failure;

#[derive(Subcommand)]
pub enum DevicesCommand {
    /// List the capture devices the chosen backends find (all backends by default)
    List {
        #[command(flatten)]
        backends: BackendArgs,
        /// Print one JSON array instead of text
        #[arg(long)]
        json: bool,
    },
    /// Capture once and write each position's ISO/IEC 19794 record and capture.json to --out
    Capture(CaptureArgs),
}

pub fn run(command: DevicesCommand) -> Result<(), Failure> {
    match command {
        DevicesCommand::List { backends, json } => {
            let discovery = discover(&backends)?;
            let entries = list_entries(&discovery);
            if json {
                let text = serde_json::to_string_pretty(&Value::Array(entries))
                    .map_err(|e| Failure::input(format!("cannot write the device list as JSON: {e}")))?;
                println!("{text}");
            } else {
                print_text(&discovery);
            }
            Ok(())
        }
        DevicesCommand::Capture(args) => crate::device_capture::run(args),
    }
}

/// The wire name of one of the capture model's enums (`fingerSlap`, `developerMode`).
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::from("unknown"),
    }
}

/// A device as JSON: the descriptor, flattened.
pub fn device_json(descriptor: &DeviceDescriptor) -> Value {
    let info = &descriptor.info;
    json!({
        "id": descriptor.id,
        "kind": wire_name(&descriptor.kind),
        "backend": wire_name(&descriptor.backend),
        "make": info.make,
        "model": info.model,
        "serial": info.serial,
        "firmware": info.firmware,
        "certification": info.certification,
        "trust": wire_name(&descriptor.trust),
        "status": wire_name(&descriptor.status),
        "simulated": info.simulated,
    })
}

fn list_entries(discovery: &Discovery) -> Vec<Value> {
    let mut entries = Vec::new();
    for device in &discovery.devices {
        let mut entry = device_json(&device.descriptor());
        entry["entry"] = json!("device");
        entries.push(entry);
    }
    for (port, error) in &discovery.sbi_refusals {
        entries.push(json!({
            "entry": "sbiRefused",
            "backend": "sbi",
            "port": port,
            "code": error.code(),
            "reason": error.to_string(),
        }));
    }
    if let Some(UsbStatus::NoUsbSubsystem) = &discovery.usb_status {
        entries.push(json!({"entry": "usbUnavailable", "backend": "usb", "reason": "no USB subsystem"}));
    }
    if let Some(UsbStatus::Failed { code, message }) = &discovery.usb_status {
        entries.push(json!({"entry": "usbUnavailable", "backend": "usb", "code": code, "reason": message}));
    }
    for found in &discovery.usb_without_driver {
        entries.push(recognised_json(found));
    }
    entries
}

fn recognised_json(found: &RecognisedDevice) -> Value {
    json!({
        "entry": "usbRecognised",
        "backend": "usb",
        "id": found.id,
        "kind": wire_name(&found.scanner.kind),
        "make": found.scanner.make,
        "model": found.scanner.model,
        "serial": found.serial,
        "nativeDriver": found.scanner.has_native_driver(),
        "problem": found.problem.as_ref().map(|(code, _)| *code),
        "advice": found.advice(),
    })
}

/// How the text list words a device's trust.
pub fn trust_text(trust: DeviceTrust) -> &'static str {
    match trust {
        DeviceTrust::Verified => "verified",
        DeviceTrust::DeveloperMode => "DEVELOPER MODE",
        DeviceTrust::NotApplicable => "n/a",
    }
}

fn print_text(discovery: &Discovery) {
    if discovery.devices.is_empty() {
        println!("no capture device found");
    }
    for device in &discovery.devices {
        let descriptor = device.descriptor();
        let info = &descriptor.info;
        let or_dash = |text: &str| {
            if text.is_empty() {
                "-".to_string()
            } else {
                text.to_string()
            }
        };
        println!(
            "{}  {}  {}  {} {} serial {}  firmware {}  certification {}  trust {}  {}{}",
            descriptor.id,
            wire_name(&descriptor.kind),
            wire_name(&descriptor.backend),
            info.make,
            info.model,
            or_dash(&info.serial),
            or_dash(&info.firmware),
            info.certification.as_deref().unwrap_or("-"),
            trust_text(descriptor.trust),
            wire_name(&descriptor.status),
            if info.simulated { "  SIMULATED" } else { "" },
        );
    }
    for (port, error) in &discovery.sbi_refusals {
        println!("sbi port {port}: refused: {}", refusal_text(error));
    }
    match &discovery.usb_status {
        Some(UsbStatus::NoUsbSubsystem) => println!("usb: no USB subsystem on this machine"),
        Some(UsbStatus::Failed { message, .. }) => println!("usb: the bus could not be listed: {message}"),
        _ => {}
    }
    for found in &discovery.usb_without_driver {
        println!("{}  usb  {}", found.id, found.advice());
    }
}

fn refusal_text(error: &DeviceError) -> String {
    format!("{error} ({})", error.code())
}
