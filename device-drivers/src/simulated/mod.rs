//! Simulated devices: a product feature for training centres and tests, always labelled as
//! simulated (`DeviceInfo.simulated`, make "Simulated").
//!
//! They are meant to be convincing where it matters: images that quality scoring, slap
//! segmentation and the clerk's eye can work on (ridge patterns with cores, deltas and
//! minutiae at a 500 ppi ridge period; near-infrared eyes with textured irises under lids and
//! lashes; ICAO-like portraits), the same person's fingers and eyes recognisable from capture
//! to capture, and the device behaviour the station must cope with (latency, preview, busy,
//! unplugged, timeout, cancel, poor quality), staged on demand through [`SimulationHandle`].
//!
//! One job per module: [`settings`] (what the trainer changes), [`person`] (what stays the
//! same for one sitter), [`finger`], [`impression`], [`slap`], [`iris`] and [`face`] (the
//! images), and
//! [`devices`] (the devices behind the capture model and their backend).
//!
//! Deliberately absent: ISO records and signatures (the station wraps raw images, as for
//! native scanners), real quality algorithms (`crate::quality`), and segmentation of slaps
//! (`crate::segment`; the simulated scanner knows where it put each finger).

pub mod devices;
pub mod face;
pub mod finger;
pub mod impression;
pub mod iris;
pub(crate) mod noise;
pub mod person;
pub mod settings;
pub mod slap;
mod unit;

pub use devices::{SimulatedBackend, SimulatedFaceCamera, SimulatedIrisCamera, SimulatedSlapScanner};
pub use person::SimulatedPerson;
pub use settings::{SimulatedFailure, SimulatedQuality, SimulationHandle, SimulationSettings};

use image::GrayImage;

use crate::Position;

/// The quality score a simulated device reports for one image (all its images are 500 ppi):
/// the station's own measure of the position's modality, as a real device reports its SDK's.
pub(crate) fn station_score(position: Position, image: &GrayImage) -> u8 {
    crate::quality::score(position, image, 500)
}
