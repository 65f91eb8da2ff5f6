//! Capture devices behind one model: a trait per kind of device, with each backend (SBI
//! service, native USB driver, simulated device) behind it. The station picks backends at
//! start-up and never needs to know which it has, except to tell the clerk when a device is
//! simulated.
//!
//! Now: the face camera trait and the simulated camera (for training and tests), the ISO/IEC
//! 19794 records that devices hand over ([`iso19794`]) and the image codecs of the images in
//! them ([`codecs`]). Finger and iris devices, SBI and nusb backends come with later issues.
//!
//! Deliberately absent: packets, storage and UI. A capture is pixels plus who made them.

pub mod codecs;
pub mod error;
pub mod face;
pub mod iso19794;
pub mod quality;
pub mod simulated;

pub use error::DeviceError;
pub use face::{FaceCamera, FaceCapture};
pub use simulated::SimulatedFaceCamera;

use serde::{Deserialize, Serialize};

/// Who made a capture, as recorded in the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub make: String,
    pub model: String,
    pub serial: String,
    /// True for simulated devices; the UI must say so wherever their captures are shown.
    pub simulated: bool,
}
