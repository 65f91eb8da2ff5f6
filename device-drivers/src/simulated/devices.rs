//! The simulated devices behind the capture model: a slap scanner, a double iris camera and a
//! face camera, found by [`SimulatedBackend`]. They draw what a real device would hand over
//! (see the sibling modules), take as long as the settings say, fail on demand, honour the
//! cancel token and the request's timeout, and always say they are simulated.
//!
//! Deliberately absent: signatures (a simulated device proves nothing: `DeviceTrust::NotApplicable`)
//! and ISO records (the station wraps the raw images, as for native USB scanners).

use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use image::GrayImage;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::face::{render_face, FaceView};
use super::finger::FINGER_PPI;
use super::impression::{press, shade, Impression, Shading};
use super::iris::{render_eye, EyeView};
use super::noise::derive_seed;
use super::settings::{SimulatedFailure, SimulationHandle, SimulationSettings};
use super::slap::{compose, layout, FingerPlacement, SlapImage, SLAP_HEIGHT, SLAP_WIDTH};
use super::unit::{image_capture, shrink, SimulatedUnit};
use crate::{
    BiometricDevice, CancelToken, CaptureRequest, CaptureResult, CaptureStep, DeviceBackend, DeviceDescriptor,
    DeviceError, DeviceKind, Position, PreviewFrame,
};

/// Iris and face images are taken at this nominal resolution (the record's own header carries
/// geometry, not ppi, for these modalities).
const CAMERA_PPI: u16 = 300;
/// Preview frames until a finger has settled or an eye is in focus.
const SETTLING_FRAMES: u32 = 8;

/// The fingers of one slap as pressed and shaded.
struct PressedHand {
    placements: Vec<FingerPlacement>,
    /// The whole glass, when it was asked for.
    slap: Option<GrayImage>,
    /// Each finger on its own, in the order of `placements`, when the whole glass was not.
    fingers: Vec<GrayImage>,
}

/// A glass with nothing on it.
fn empty_glass() -> GrayImage {
    GrayImage::from_pixel(SLAP_WIDTH, SLAP_HEIGHT, image::Luma([236]))
}

/// A four-finger slap scanner (left slap, right slap, two thumbs) at 500 ppi.
pub struct SimulatedSlapScanner {
    unit: SimulatedUnit,
}

impl SimulatedSlapScanner {
    pub fn new(serial: &str, settings: SimulationHandle) -> SimulatedSlapScanner {
        SimulatedSlapScanner {
            unit: SimulatedUnit::new(
                "sim:finger-slap",
                DeviceKind::FingerSlap,
                "Slap scanner",
                serial,
                settings,
            ),
        }
    }

    /// Presses the present fingers of `step` and shades either each finger on its own or, with
    /// `whole_slap`, the slap they make together. `settle` (0..1) scales the pressure and
    /// sharpness, for previews of the fingers coming down onto the glass.
    // Each argument is one independent choice of the three callers (capture, preview, the
    // segmentation helper); a struct to carry them would only move the list.
    #[allow(clippy::too_many_arguments)]
    fn press_hand(
        &self,
        step: CaptureStep,
        present: &[Position],
        settings: &SimulationSettings,
        rng: &mut StdRng,
        cancel: &CancelToken,
        settle: f32,
        whole_slap: bool,
    ) -> Result<PressedHand, DeviceError> {
        let person = self.unit.person(settings.person_seed);
        let placements = layout(step, present, rng);
        let mut inks = Vec::with_capacity(placements.len());
        let mut fingers = Vec::with_capacity(placements.len());
        let mut slap_shading = None;
        for placement in &placements {
            if cancel.is_cancelled() {
                return Err(DeviceError::Cancelled);
            }
            let pattern = person.finger(placement.position);
            let mut impression = match settings.failure {
                SimulatedFailure::LowQuality => Impression::unusable(rng),
                _ => Impression::typical(settings.quality, rng),
            };
            if settle < 1.0 {
                impression.pressure *= 0.3 + 0.7 * settle;
                impression.blur_passes = impression.blur_passes.saturating_add(((1.0 - settle) * 4.0) as u8);
            }
            let mut ink = press(&pattern, &impression, whole_slap);
            if whole_slap {
                // One sensor shades the whole glass: each finger's contrast goes into its ink.
                for value in &mut ink.values {
                    *value *= impression.contrast;
                }
                slap_shading.get_or_insert(Shading {
                    contrast: 1.0,
                    ..Shading::of(&impression)
                });
                inks.push((*placement, ink));
            } else {
                fingers.push(shade(&ink, &Shading::of(&impression)));
            }
        }
        let slap = slap_shading.map(|shading| compose(&inks, &shading));
        Ok(PressedHand {
            placements,
            slap,
            fingers,
        })
    }

    /// One slap as the scanner would capture it now, with where it put each finger: for the
    /// station's segmentation tests and the training screen.
    pub fn capture_slap(&self, step: CaptureStep, exceptions: &[Position]) -> Result<SlapImage, DeviceError> {
        self.unit.check_step(step)?;
        let settings = self.unit.settings.get();
        let present: Vec<Position> = step
            .positions()
            .into_iter()
            .filter(|p| !exceptions.contains(p))
            .collect();
        let mut rng = self.unit.next_rng(&settings);
        let hand = self.press_hand(step, &present, &settings, &mut rng, &CancelToken::new(), 1.0, true)?;
        Ok(SlapImage {
            // With every finger excepted the glass stays empty.
            image: hand.slap.unwrap_or_else(empty_glass),
            placements: hand.placements,
        })
    }
}

impl BiometricDevice for SimulatedSlapScanner {
    fn descriptor(&self) -> DeviceDescriptor {
        self.unit.descriptor()
    }

    /// One capture per expected finger, cut exactly where the scanner placed it; or, with
    /// `slap_image_only` set, one capture holding the whole slap under the step's first
    /// expected position, for the station to segment.
    fn capture(&self, request: &CaptureRequest, cancel: &CancelToken) -> Result<CaptureResult, DeviceError> {
        let (_busy, settings) = self.unit.take_and_wait(request, cancel)?;
        let expected = request.expected_positions();
        let mut rng = self.unit.next_rng(&settings);
        let hand = self.press_hand(
            request.step,
            &expected,
            &settings,
            &mut rng,
            cancel,
            1.0,
            settings.slap_image_only,
        )?;
        let captures = match (hand.slap, expected.first()) {
            (Some(slap), Some(first)) => vec![image_capture(*first, slap, FINGER_PPI)],
            _ => hand
                .placements
                .iter()
                .zip(hand.fingers)
                .map(|(placement, image)| image_capture(placement.position, image, FINGER_PPI))
                .collect(),
        };
        Ok(CaptureResult {
            captures,
            device: self.unit.info(),
            chain_hash: None,
        })
    }

    /// The hand coming down: light, blurred contact settling into a firm print, a quarter of
    /// the slap's size per side.
    fn preview(
        &self,
        step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        let base = self.unit.settings.get();
        let layout_seed = derive_seed(base.person_seed, self.unit.captures.load(Ordering::Relaxed));
        let draw = |frame: u32, settings: &SimulationSettings| {
            // The same placement for every frame: only the pressure changes as the hand settles.
            let mut rng = StdRng::seed_from_u64(layout_seed);
            let settle = (frame as f32 / SETTLING_FRAMES as f32).min(1.0);
            // Cancelled while drawing: the frame is never sent (see `run_preview`).
            let hand = self.press_hand(step, &step.positions(), settings, &mut rng, cancel, settle, true);
            let slap = hand.ok().and_then(|hand| hand.slap).unwrap_or_else(empty_glass);
            shrink(&slap, 2)
        };
        self.unit.run_preview(step, on_frame, cancel, &draw)
    }
}

/// A double iris camera: both eyes at once, or one.
pub struct SimulatedIrisCamera {
    unit: SimulatedUnit,
}

impl SimulatedIrisCamera {
    pub fn new(serial: &str, settings: SimulationHandle) -> SimulatedIrisCamera {
        SimulatedIrisCamera {
            unit: SimulatedUnit::new(
                "sim:iris-double",
                DeviceKind::IrisDouble,
                "Iris camera",
                serial,
                settings,
            ),
        }
    }

    fn eye(&self, position: Position, settings: &SimulationSettings, rng: &mut StdRng, focus: f32) -> GrayImage {
        let person = self.unit.person(settings.person_seed);
        let mut view = match settings.failure {
            SimulatedFailure::LowQuality => EyeView::unusable(rng),
            _ => EyeView::typical(settings.quality, rng),
        };
        view.blur_passes = view.blur_passes.saturating_add(((1.0 - focus) * 6.0) as u8);
        render_eye(&person.iris(position), &view, position == Position::LeftIris)
    }
}

impl BiometricDevice for SimulatedIrisCamera {
    fn descriptor(&self) -> DeviceDescriptor {
        self.unit.descriptor()
    }

    fn capture(&self, request: &CaptureRequest, cancel: &CancelToken) -> Result<CaptureResult, DeviceError> {
        let (_busy, settings) = self.unit.take_and_wait(request, cancel)?;
        let mut rng = self.unit.next_rng(&settings);
        let mut captures = Vec::new();
        for position in request.expected_positions() {
            if cancel.is_cancelled() {
                return Err(DeviceError::Cancelled);
            }
            let image = self.eye(position, &settings, &mut rng, 1.0);
            captures.push(image_capture(position, image, CAMERA_PPI));
        }
        Ok(CaptureResult {
            captures,
            device: self.unit.info(),
            chain_hash: None,
        })
    }

    /// The eye coming into focus (the first of the step's eyes).
    fn preview(
        &self,
        step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        let seed = derive_seed(self.unit.settings.get().person_seed, 0x9E);
        let position = step.positions()[0];
        let draw = |frame: u32, settings: &SimulationSettings| {
            let mut rng = StdRng::seed_from_u64(seed);
            let focus = (frame as f32 / SETTLING_FRAMES as f32).min(1.0);
            self.eye(position, settings, &mut rng, focus)
        };
        self.unit.run_preview(step, on_frame, cancel, &draw)
    }
}

/// A face camera (portrait and exception photo).
pub struct SimulatedFaceCamera {
    unit: SimulatedUnit,
}

impl SimulatedFaceCamera {
    /// A camera of its own whose sitter follows from `seed` (tests pass a fixed one), with
    /// default settings.
    pub fn new(serial: &str, seed: u64) -> SimulatedFaceCamera {
        let settings = SimulationHandle::new(SimulationSettings {
            person_seed: seed,
            ..SimulationSettings::default()
        });
        SimulatedFaceCamera::with_settings(serial, settings)
    }

    /// A camera that reads shared settings (the simulated backend's).
    pub fn with_settings(serial: &str, settings: SimulationHandle) -> SimulatedFaceCamera {
        SimulatedFaceCamera {
            unit: SimulatedUnit::new("sim:face", DeviceKind::Face, "Face camera", serial, settings),
        }
    }

    /// One portrait at the settings' quality, differing at every call.
    fn portrait(&self, settings: &SimulationSettings) -> GrayImage {
        let mut rng = self.unit.next_rng(settings);
        self.portrait_with(settings, &mut rng)
    }

    fn portrait_with(&self, settings: &SimulationSettings, rng: &mut StdRng) -> GrayImage {
        let person = self.unit.person(settings.person_seed);
        let view = match settings.failure {
            SimulatedFailure::LowQuality => FaceView::unusable(rng),
            _ => FaceView::typical(settings.quality, rng),
        };
        render_face(&person.face(), &view)
    }
}

impl BiometricDevice for SimulatedFaceCamera {
    fn descriptor(&self) -> DeviceDescriptor {
        self.unit.descriptor()
    }

    fn capture(&self, request: &CaptureRequest, cancel: &CancelToken) -> Result<CaptureResult, DeviceError> {
        let (_busy, settings) = self.unit.take_and_wait(request, cancel)?;
        let captures = request
            .expected_positions()
            .into_iter()
            .map(|position| image_capture(position, self.portrait(&settings), CAMERA_PPI))
            .collect();
        Ok(CaptureResult {
            captures,
            device: self.unit.info(),
            chain_hash: None,
        })
    }

    /// The sitter shifting a little in front of the camera.
    fn preview(
        &self,
        step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        let draw = |frame: u32, settings: &SimulationSettings| {
            let mut rng = StdRng::seed_from_u64(derive_seed(settings.person_seed, frame as u64));
            shrink(&self.portrait_with(settings, &mut rng), 1)
        };
        self.unit.run_preview(step, on_frame, cancel, &draw)
    }
}

/// The simulators as a backend: one slap scanner, one double iris camera, one face camera, all
/// reading the same settings.
pub struct SimulatedBackend {
    settings: SimulationHandle,
    devices: Vec<Arc<dyn BiometricDevice>>,
}

impl SimulatedBackend {
    /// Its [`DeviceBackend::name`].
    pub const NAME: &'static str = "simulated";

    pub fn new(settings: SimulationHandle) -> SimulatedBackend {
        let devices: Vec<Arc<dyn BiometricDevice>> = vec![
            Arc::new(SimulatedSlapScanner::new("SIM-SLAP-0001", settings.clone())),
            Arc::new(SimulatedIrisCamera::new("SIM-IRIS-0001", settings.clone())),
            Arc::new(SimulatedFaceCamera::with_settings("SIM-FACE-0001", settings.clone())),
        ];
        SimulatedBackend { settings, devices }
    }

    /// The settings all its devices read; change them through this handle.
    pub fn settings(&self) -> SimulationHandle {
        self.settings.clone()
    }
}

impl DeviceBackend for SimulatedBackend {
    fn name(&self) -> &'static str {
        SimulatedBackend::NAME
    }

    fn discover(&self) -> Result<Vec<Arc<dyn BiometricDevice>>, DeviceError> {
        Ok(self.devices.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sitter_and_a_new_seed_another() {
        let settings = SimulationHandle::new(SimulationSettings::default());
        let camera = SimulatedFaceCamera::with_settings("SIM", settings.clone());
        let first = camera.unit.person(settings.get().person_seed);
        assert!(Arc::ptr_eq(&first, &camera.unit.person(settings.get().person_seed)));
        settings.update(|s| s.person_seed = 99);
        assert_eq!(camera.unit.person(settings.get().person_seed).seed(), 99);
    }
}
