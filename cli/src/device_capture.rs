//! `enroll devices capture`: one capture, written as one ISO/IEC 19794 record per position
//! (`<position>.iso`) and a `capture.json` that says, per position, the quality and where it
//! came from, the device, its trust and whether the device signed the capture.
//!
//! What each record is: an SBI device's record as delivered, byte for byte; pixels (simulated
//! devices, native USB scanners) wrapped by `records` as JPEG 2000 lossless in a 2011 record. A
//! slap scanner that hands over only the slap image (one capture where the step expects more
//! fingers) is cut into fingertips with `segment::segment_slap`. Where the device gives no
//! quality, or the station cut the image, the station scores it (`quality::*`).
//!
//! Deliberately absent: retries and thresholds (the station's policy; `--quality` is only what
//! the device is asked to aim for, and `capture.json` says whether each record reached it),
//! CBEFF and packets, and previews.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use enroll_devices::segment::segment_slap;
use enroll_devices::{
    BiometricDevice, CancelToken, Capture, CaptureRequest, CaptureResult, CaptureStep, CapturedData, DeviceDescriptor,
    DeviceError, DeviceInfo, DeviceKind, Modality, Position, QualitySource,
};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::backends::{discover, BackendArgs};
use crate::device_names::{parse_position, parse_step, position_name, step_name};
use crate::devices::{device_json, wire_name};
use crate::records::{record_from_pixels, station_quality};
use crate::Failure;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModalityArg {
    Finger,
    Iris,
    Face,
}

impl ModalityArg {
    fn modality(self) -> Modality {
        match self {
            ModalityArg::Finger => Modality::Finger,
            ModalityArg::Iris => Modality::Iris,
            ModalityArg::Face => Modality::Face,
        }
    }

    /// The step taken when `--step` is not given.
    fn default_step(self) -> CaptureStep {
        match self {
            ModalityArg::Finger => CaptureStep::LeftSlap,
            ModalityArg::Iris => CaptureStep::BothIrises,
            ModalityArg::Face => CaptureStep::Face,
        }
    }

    /// MOSIP's default thresholds (finger 40, iris 60, face 90), which `quality` keeps the
    /// meaning of.
    fn default_quality(self) -> u8 {
        match self {
            ModalityArg::Finger => 40,
            ModalityArg::Iris => 60,
            ModalityArg::Face => 90,
        }
    }
}

#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// What to capture
    #[arg(long, value_enum)]
    pub modality: ModalityArg,
    /// Which capture of the modality: left-slap, right-slap, thumbs, both-irises, left-iris,
    /// right-iris, face. Default: left-slap, both-irises or face
    #[arg(long, value_parser = parse_step)]
    pub step: Option<CaptureStep>,
    /// The device id from `enroll devices list`; default: the first device that can take the
    /// step (SBI, then USB, then simulated)
    #[arg(long)]
    pub device: Option<String>,
    /// A position not to capture (missing or injured), e.g. left-ring; repeat for more
    #[arg(long = "except", value_name = "POSITION", value_parser = parse_position, num_args = 1..)]
    pub exceptions: Vec<Position>,
    /// The quality the device should aim for, 0-100; default 40 finger, 60 iris, 90 face
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub quality: Option<u8>,
    /// How long the device may take, seconds
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// The folder for the records and capture.json; must be empty or new
    #[arg(long)]
    pub out: PathBuf,
    /// Write into a non-empty --out, replacing its records and capture.json
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub backends: BackendArgs,
}

/// One position's record, ready to write.
struct Written {
    position: Position,
    record: Vec<u8>,
    quality: u8,
    quality_source: QualitySource,
    signature_present: bool,
}

pub fn run(args: CaptureArgs) -> Result<(), Failure> {
    let step = args.step.unwrap_or(args.modality.default_step());
    if step.modality() != args.modality.modality() {
        return Err(Failure::usage(format!(
            "the step {} does not capture {}; choose a step of that modality",
            step_name(step),
            wire_name(&args.modality.modality())
        )));
    }
    let foreign: Vec<&str> = args
        .exceptions
        .iter()
        .filter(|p| !step.positions().contains(*p))
        .map(|p| position_name(*p))
        .collect();
    if !foreign.is_empty() {
        return Err(Failure::usage(format!(
            "--except {} is not part of the step {}",
            foreign.join(", "),
            step_name(step)
        )));
    }
    check_out_folder(&args.out, args.force)?;
    let discovery = discover(&args.backends)?;
    let device = choose_device(&discovery.devices, args.device.as_deref(), step)?;
    let descriptor = device.descriptor();
    let request = CaptureRequest {
        step,
        exceptions: args.exceptions.clone(),
        requested_quality: args.quality.unwrap_or(args.modality.default_quality()),
        timeout: Duration::from_secs(args.timeout),
        transaction_id: transaction_id(),
        previous_hash: None,
        subject: Default::default(),
    };
    if request.expected_positions().is_empty() {
        return Err(Failure::usage(
            "every position of the step is excepted: nothing to capture",
        ));
    }
    let result = device
        .capture(&request, &CancelToken::new())
        .map_err(|e| device_failure(&descriptor, &e))?;
    let captured_at = OffsetDateTime::now_utc();
    let device_info = result.device.clone();
    let written =
        records_of(&descriptor, &request, result, captured_at).map_err(|e| device_failure(&descriptor, &e))?;
    write_out(&args.out, args.force, &written)?;
    let report = capture_report(&descriptor, device_info, &request, &written, captured_at);
    let text =
        serde_json::to_string_pretty(&report).map_err(|e| Failure::input(format!("cannot write capture.json: {e}")))?;
    write_file(&args.out.join("capture.json"), text.as_bytes())?;
    for record in &written {
        println!(
            "{}  quality {} ({})  {}",
            args.out
                .join(format!("{}.iso", position_name(record.position)))
                .display(),
            record.quality,
            wire_name(&record.quality_source),
            if record.signature_present { "signed" } else { "unsigned" }
        );
    }
    Ok(())
}

fn device_failure(descriptor: &DeviceDescriptor, error: &DeviceError) -> Failure {
    let message = format!("{}: {error} ({})", descriptor.id, error.code());
    match error {
        DeviceError::Untrusted(_) | DeviceError::SbiMismatch(_) => Failure::verification(message),
        _ => Failure::device(message),
    }
}

/// Refuse a non-empty folder unless `force`, and anything there that is not a folder.
fn check_out_folder(out: &Path, force: bool) -> Result<(), Failure> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Failure::input(format!("{} exists and is not a folder", out.display())));
    }
    let mut entries =
        std::fs::read_dir(out).map_err(|e| Failure::input(format!("cannot read {}: {e}", out.display())))?;
    if entries.next().is_some() && !force {
        return Err(Failure::input(format!(
            "{} is not empty; choose a new folder, or pass --force to replace its records",
            out.display()
        )));
    }
    Ok(())
}

fn choose_device(
    devices: &[Arc<dyn BiometricDevice>],
    wanted: Option<&str>,
    step: CaptureStep,
) -> Result<Arc<dyn BiometricDevice>, Failure> {
    if let Some(id) = wanted {
        let device = devices
            .iter()
            .find(|d| d.descriptor().id == id)
            .ok_or_else(|| Failure::device(format!("no device {id} found; see `enroll devices list`")))?;
        if !device.descriptor().kind.can_capture(step) {
            return Err(Failure::usage(format!(
                "the device {id} cannot capture the step {}",
                step_name(step)
            )));
        }
        return Ok(Arc::clone(device));
    }
    devices
        .iter()
        .find(|d| d.descriptor().kind.can_capture(step))
        .cloned()
        .ok_or_else(|| {
            Failure::device(format!(
                "no device found that can capture the step {}; see `enroll devices list`",
                step_name(step)
            ))
        })
}

/// Unique per capture: the time and this process.
fn transaction_id() -> String {
    let now = OffsetDateTime::now_utc();
    format!("enroll-cli-{}-{}", now.unix_timestamp_nanos(), std::process::id())
}

/// One record per expected position, from what the device handed over.
fn records_of(
    descriptor: &DeviceDescriptor,
    request: &CaptureRequest,
    result: CaptureResult,
    captured_at: OffsetDateTime,
) -> Result<Vec<Written>, DeviceError> {
    let expected = request.expected_positions();
    // A slap scanner that hands over only the slap: one image where the step expects more
    // fingers (the capture model's convention).
    if let [capture] = result.captures.as_slice() {
        if let CapturedData::Image { image, ppi } = &capture.data {
            if descriptor.kind == DeviceKind::FingerSlap && expected.len() > 1 {
                return segment_slap(image, *ppi, request.step, &request.exceptions)?
                    .into_iter()
                    .map(|segment| {
                        // The device scored the whole slap, if anything: each tip is scored here.
                        let quality = station_quality(segment.position, &segment.image, *ppi);
                        Ok(Written {
                            position: segment.position,
                            record: record_from_pixels(segment.position, &segment.image, *ppi, quality, captured_at)?,
                            quality,
                            quality_source: QualitySource::Station,
                            signature_present: capture.signature.is_some(),
                        })
                    })
                    .collect();
            }
        }
    }
    let mut written: Vec<Written> = result
        .captures
        .into_iter()
        .map(|capture| written_of(capture, captured_at))
        .collect::<Result<_, _>>()?;
    let got: Vec<Position> = written.iter().map(|w| w.position).collect();
    if got.len() != expected.len() || expected.iter().any(|p| !got.contains(p)) {
        return Err(DeviceError::CaptureFailed(format!(
            "the device returned {} where {} were asked for",
            names(&got),
            names(&expected)
        )));
    }
    written.sort_by_key(|w| w.position);
    Ok(written)
}

fn written_of(capture: Capture, captured_at: OffsetDateTime) -> Result<Written, DeviceError> {
    let signature_present = capture.signature.is_some();
    match capture.data {
        CapturedData::IsoRecord(record) => Ok(Written {
            position: capture.position,
            record,
            quality: capture.quality,
            quality_source: capture.quality_source,
            signature_present,
        }),
        CapturedData::Image { image, ppi } => {
            let (quality, quality_source) = match capture.quality_source {
                QualitySource::Device => (capture.quality, QualitySource::Device),
                QualitySource::Station => (station_quality(capture.position, &image, ppi), QualitySource::Station),
            };
            Ok(Written {
                position: capture.position,
                record: record_from_pixels(capture.position, &image, ppi, quality, captured_at)?,
                quality,
                quality_source,
                signature_present,
            })
        }
    }
}

fn names(positions: &[Position]) -> String {
    if positions.is_empty() {
        return "nothing".into();
    }
    positions
        .iter()
        .map(|p| position_name(*p))
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_out(out: &Path, force: bool, written: &[Written]) -> Result<(), Failure> {
    std::fs::create_dir_all(out).map_err(|e| Failure::input(format!("cannot create {}: {e}", out.display())))?;
    if force {
        // Records of an earlier capture must not pass for this one's.
        for entry in
            std::fs::read_dir(out).map_err(|e| Failure::input(format!("cannot read {}: {e}", out.display())))?
        {
            let path = entry
                .map_err(|e| Failure::input(format!("cannot read {}: {e}", out.display())))?
                .path();
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let ours = (path.extension().is_some_and(|e| e == "iso") && parse_position(stem).is_ok())
                || path.file_name().is_some_and(|n| n == "capture.json");
            if ours {
                std::fs::remove_file(&path)
                    .map_err(|e| Failure::input(format!("cannot remove {}: {e}", path.display())))?;
            }
        }
    }
    for record in written {
        write_file(
            &out.join(format!("{}.iso", position_name(record.position))),
            &record.record,
        )?;
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))
}

fn capture_report(
    descriptor: &DeviceDescriptor,
    device_info: DeviceInfo,
    request: &CaptureRequest,
    written: &[Written],
    captured_at: OffsetDateTime,
) -> Value {
    // The identity the device gave with this capture, and the trust discovery established.
    let device = device_json(&DeviceDescriptor {
        info: device_info,
        ..descriptor.clone()
    });
    let positions: Vec<Value> = written
        .iter()
        .map(|record| {
            json!({
                "position": position_name(record.position),
                "mosipName": record.position.mosip_name(),
                "file": format!("{}.iso", position_name(record.position)),
                "quality": record.quality,
                "qualitySource": wire_name(&record.quality_source),
                "meetsRequestedQuality": record.quality >= request.requested_quality,
                "device": device.clone(),
                "trust": wire_name(&descriptor.trust),
                "signaturePresent": record.signature_present,
            })
        })
        .collect();
    json!({
        "step": step_name(request.step),
        "exceptions": request.exceptions.iter().map(|p| position_name(*p)).collect::<Vec<_>>(),
        "requestedQuality": request.requested_quality,
        "transactionId": request.transaction_id,
        "capturedAt": enroll_packet::time::rfc3339(captured_at),
        "device": device,
        "positions": positions,
    })
}
