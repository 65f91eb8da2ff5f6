//! What the trainer (or a test) sets on the simulated devices while they run: the sitter, how
//! good the captures are, how long a capture takes, and which failure to stage next.
//!
//! Why a shared handle: the training screen changes these between (and during) captures, while
//! the devices read them from worker threads; every device of one [`crate::simulated::SimulatedBackend`]
//! reads the same [`SimulationHandle`], so "unplug" or "poor quality" applies to all at once.
//!
//! Deliberately absent: persistence and UI; the station owns where settings come from.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How well the simulated sitter presents: drives contact, pressure, blur, noise and placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimulatedQuality {
    /// Centred, even pressure, sharp, little noise.
    Good,
    /// Some tilt, uneven pressure or dryness, a little blur.
    Fair,
    /// Partial placement, smudged or dry, blurred and noisy, low contrast.
    Poor,
}

/// A failure the next captures stage, until the setting changes back to `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimulatedFailure {
    None,
    /// The device is unplugged half-way through the capture: `NotConnected`.
    UnpluggedMidCapture,
    /// The device never finishes: `Timeout` once the request's timeout has passed.
    Timeout,
    /// Another capture holds the device: `Busy` at once.
    Busy,
    /// The capture succeeds but every image is so degraded that its score falls below any
    /// reasonable threshold (the station then asks for a retake).
    LowQuality,
}

/// Everything a trainer can change on the simulated devices.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationSettings {
    /// Fixes the sitter: the pattern of each finger, the iris textures, the face.
    pub person_seed: u64,
    pub quality: SimulatedQuality,
    /// How long a capture takes before it returns (the sitter placing the finger, the camera
    /// focusing). Zero in tests.
    pub latency: Duration,
    /// Time between preview frames.
    pub preview_interval: Duration,
    pub failure: SimulatedFailure,
    /// The slap scanner returns only the whole slap image (one capture, position of the step's
    /// first expected finger) instead of segmented fingers, so that the station segments it.
    pub slap_image_only: bool,
}

impl Default for SimulationSettings {
    fn default() -> SimulationSettings {
        SimulationSettings {
            person_seed: 1,
            quality: SimulatedQuality::Good,
            latency: Duration::from_millis(800),
            preview_interval: Duration::from_millis(200),
            failure: SimulatedFailure::None,
            slap_image_only: false,
        }
    }
}

/// Shared, changeable settings; clones change the same settings.
#[derive(Debug, Clone, Default)]
pub struct SimulationHandle(Arc<Mutex<SimulationSettings>>);

impl SimulationHandle {
    pub fn new(settings: SimulationSettings) -> SimulationHandle {
        SimulationHandle(Arc::new(Mutex::new(settings)))
    }

    /// A copy of the settings as they are now.
    pub fn get(&self) -> SimulationSettings {
        self.lock().clone()
    }

    /// Changes the settings in place, e.g. `handle.update(|s| s.failure = SimulatedFailure::Busy)`.
    pub fn update(&self, change: impl FnOnce(&mut SimulationSettings)) {
        change(&mut self.lock());
    }

    fn lock(&self) -> MutexGuard<'_, SimulationSettings> {
        // A panic while holding the lock cannot leave the settings half-written (every change
        // is a plain field assignment), so a poisoned lock is still safe to use.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
