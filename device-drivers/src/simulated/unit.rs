//! What every simulated device shares: its identity, the busy flag, the current sitter, the
//! wait that stands for capture latency (where staged failures, cancellation and the request's
//! timeout are honoured), and the preview loop.
//!
//! Why apart from the devices: the three devices differ only in what they draw; how they wait,
//! fail and stream must be the same, so that a test of one holds for all.
//!
//! Deliberately absent: drawing (the devices and the image modules).

use std::io::Cursor;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image::GrayImage;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::noise::derive_seed;
use super::person::SimulatedPerson;
use super::settings::{SimulatedFailure, SimulationHandle, SimulationSettings};
use super::station_score;
use crate::{
    Backend, CancelToken, Capture, CaptureRequest, CaptureStep, CaptureSubject, CapturedData, DeviceDescriptor,
    DeviceError, DeviceInfo, DeviceKind, DeviceStatus, DeviceTrust, FrameFormat, Position, PreviewFrame, QualitySource,
};

/// How often a waiting capture looks at its cancel token and the settings.
const POLL: Duration = Duration::from_millis(10);

/// What every simulated device shares: identity, settings, the current sitter, the busy flag.
pub(super) struct SimulatedUnit {
    pub(super) id: &'static str,
    pub(super) kind: DeviceKind,
    pub(super) model: &'static str,
    pub(super) serial: String,
    pub(super) settings: SimulationHandle,
    pub(super) person: Mutex<Option<Arc<SimulatedPerson>>>,
    pub(super) busy: AtomicBool,
    pub(super) captures: AtomicU64,
}

/// Clears the busy flag when a capture ends, however it ends.
pub(super) struct BusyGuard<'a>(&'a AtomicBool);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl SimulatedUnit {
    pub(super) fn new(
        id: &'static str,
        kind: DeviceKind,
        model: &'static str,
        serial: &str,
        settings: SimulationHandle,
    ) -> Self {
        SimulatedUnit {
            id,
            kind,
            model,
            serial: serial.to_string(),
            settings,
            person: Mutex::new(None),
            busy: AtomicBool::new(false),
            captures: AtomicU64::new(0),
        }
    }

    pub(super) fn info(&self) -> DeviceInfo {
        DeviceInfo {
            make: "Simulated".into(),
            model: self.model.into(),
            serial: self.serial.clone(),
            firmware: "simulated".into(),
            simulated: true,
            ..DeviceInfo::default()
        }
    }

    pub(super) fn descriptor(&self) -> DeviceDescriptor {
        let status = match self.settings.get().failure {
            SimulatedFailure::Busy => DeviceStatus::Busy,
            _ if self.busy.load(Ordering::SeqCst) => DeviceStatus::Busy,
            _ => DeviceStatus::Ready,
        };
        DeviceDescriptor {
            id: self.id.into(),
            kind: self.kind,
            backend: Backend::Simulated,
            info: self.info(),
            status,
            trust: DeviceTrust::NotApplicable,
        }
    }

    /// The sitter the settings name, kept while the seed stays the same (finger patterns are
    /// grown once per person).
    pub(super) fn person(&self, seed: u64) -> Arc<SimulatedPerson> {
        let mut current = self.person.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match current.as_ref() {
            Some(person) if person.seed() == seed => person.clone(),
            _ => {
                let person = Arc::new(SimulatedPerson::new(seed));
                *current = Some(person.clone());
                person
            }
        }
    }

    /// A generator for the next capture: different at every capture and for every device,
    /// reproducible for a device created afresh with the same settings.
    pub(super) fn next_rng(&self, settings: &SimulationSettings) -> StdRng {
        let count = self.captures.fetch_add(1, Ordering::Relaxed);
        let device = self.id.bytes().fold(0u64, |hash, byte| derive_seed(hash, byte as u64));
        StdRng::seed_from_u64(derive_seed(derive_seed(settings.person_seed, device), count))
    }

    pub(super) fn check_step(&self, step: CaptureStep) -> Result<(), DeviceError> {
        if self.kind.can_capture(step) {
            Ok(())
        } else {
            Err(DeviceError::UnsupportedStep(format!(
                "{step:?} (this is the simulated {})",
                self.model
            )))
        }
    }

    /// Takes the device and waits out the capture's latency; returns the settings in force at
    /// the end. Fails as the settings stage it, when cancelled, or at the request's timeout.
    pub(super) fn take_and_wait(
        &self,
        request: &CaptureRequest,
        cancel: &CancelToken,
    ) -> Result<(BusyGuard<'_>, SimulationSettings), DeviceError> {
        self.check_step(request.step)?;
        if self.settings.get().failure == SimulatedFailure::Busy {
            return Err(DeviceError::Busy);
        }
        if self.busy.swap(true, Ordering::SeqCst) {
            return Err(DeviceError::Busy);
        }
        let guard = BusyGuard(&self.busy);
        let started = Instant::now();
        let unplugged_at_start = self.settings.get().failure == SimulatedFailure::UnpluggedMidCapture;
        loop {
            if cancel.is_cancelled() {
                return Err(DeviceError::Cancelled);
            }
            // Read every time: the trainer may unplug the device or change the latency meanwhile.
            let settings = self.settings.get();
            let elapsed = started.elapsed();
            match settings.failure {
                // Staged before the call, the plug comes out half-way; pulled during the capture,
                // it ends the capture at once.
                SimulatedFailure::UnpluggedMidCapture if !unplugged_at_start || elapsed >= settings.latency / 2 => {
                    return Err(DeviceError::NotConnected(format!(
                        "simulated {}",
                        self.model.to_lowercase()
                    )));
                }
                SimulatedFailure::None | SimulatedFailure::LowQuality | SimulatedFailure::Busy
                    if elapsed >= settings.latency && settings.latency <= request.timeout =>
                {
                    return Ok((guard, for_subject(settings, &request.subject)));
                }
                _ => {}
            }
            if elapsed >= request.timeout {
                return Err(DeviceError::Timeout {
                    seconds: request.timeout.as_secs_f64().ceil() as u64,
                });
            }
            std::thread::sleep(POLL.min(request.timeout.saturating_sub(elapsed)));
        }
    }

    /// Sends preview frames drawn by `draw(frame_number, settings)` until told to stop.
    pub(super) fn run_preview(
        &self,
        step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
        draw: &dyn Fn(u32, &SimulationSettings) -> GrayImage,
    ) -> Result<(), DeviceError> {
        self.check_step(step)?;
        let mut frame_number = 0u32;
        loop {
            if cancel.is_cancelled() {
                return Ok(());
            }
            let settings = self.settings.get();
            match settings.failure {
                SimulatedFailure::UnpluggedMidCapture => {
                    return Err(DeviceError::NotConnected(format!(
                        "simulated {}",
                        self.model.to_lowercase()
                    )));
                }
                SimulatedFailure::Busy => return Err(DeviceError::Busy),
                _ => {}
            }
            let picture = draw(frame_number, &settings);
            // Drawing a slap takes a while: a cancel meanwhile means no more frames.
            if cancel.is_cancelled() {
                return Ok(());
            }
            let frame = PreviewFrame {
                format: FrameFormat::Png,
                bytes: encode_png(&picture)?,
            };
            if on_frame(frame).is_break() {
                return Ok(());
            }
            frame_number = frame_number.saturating_add(1);
            let waited = Instant::now();
            while waited.elapsed() < settings.preview_interval {
                if cancel.is_cancelled() {
                    return Ok(());
                }
                std::thread::sleep(POLL.min(settings.preview_interval));
            }
        }
    }
}

pub(super) fn encode_png(image: &GrayImage) -> Result<Vec<u8>, DeviceError> {
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| DeviceError::CaptureFailed(format!("encoding a simulated frame: {e}")))?;
    Ok(png)
}

pub(super) fn image_capture(position: Position, image: GrayImage, ppi: u16) -> Capture {
    Capture {
        position,
        quality: station_score(position, &image),
        data: CapturedData::Image { image, ppi },
        quality_source: QualitySource::Device,
        signature: None,
    }
}

/// Halves an image's size `times` times by averaging 2x2 blocks (previews of big slaps).
pub(super) fn shrink(image: &GrayImage, times: u32) -> GrayImage {
    let mut current = image.clone();
    for _ in 0..times {
        let (width, height) = (current.width() / 2, current.height() / 2);
        current = GrayImage::from_fn(width, height, |x, y| {
            let sum: u32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                .iter()
                .map(|(dx, dy)| current.get_pixel(2 * x + dx, 2 * y + dy)[0] as u32)
                .sum();
            image::Luma([(sum / 4) as u8])
        });
    }
    current
}

/// The settings for a capture of `subject`: an operator is a person of their own, whose seed
/// follows from their username (so the same operator is the same person after a restart),
/// whoever sits for the residents.
fn for_subject(settings: SimulationSettings, subject: &CaptureSubject) -> SimulationSettings {
    match subject {
        CaptureSubject::Resident => settings,
        CaptureSubject::Operator(username) => SimulationSettings {
            person_seed: username
                .bytes()
                .fold(derive_seed(0x6F70_6572_6174_6F72, 0), |hash, byte| {
                    derive_seed(hash, byte as u64)
                }),
            ..settings
        },
    }
}
