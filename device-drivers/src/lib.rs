//! Capture devices behind one model: a trait per kind of device, with each backend (SBI
//! service, native USB driver, simulated device) behind it. The station picks backends at
//! start-up and never needs to know which it has, except to tell the clerk when a device is
//! simulated.
//!
//! [`capture`] is the model every backend implements ([`BiometricDevice`], [`DeviceBackend`]).
//! Also here: the ISO/IEC 19794 records that devices hand over ([`iso19794`]), quality scores
//! ([`quality`]), MOSIP SBI device services ([`sbi`]), native USB scanners driven through
//! `nusb` ([`usb`]), slap segmentation ([`segment`]), image codecs ([`codecs`]) and the
//! simulated devices ([`simulated`]: slap scanner, iris camera, face camera, for training and
//! tests).
//!
//! Deliberately absent: packets, storage and UI. A capture is pixels plus who made them.

pub mod capture;
pub mod codecs;
pub mod error;
pub mod iso19794;
pub mod matching;
pub mod quality;
pub mod sbi;
pub mod scanner;
pub mod segment;
pub mod simulated;
pub mod usb;

pub use error::DeviceError;
pub use simulated::{SimulatedBackend, SimulatedFaceCamera, SimulatedIrisCamera, SimulatedSlapScanner};

pub use capture::{
    Backend, BiometricDevice, CancelToken, Capture, CaptureRequest, CaptureResult, CaptureStep, CaptureSubject,
    CapturedData, DeviceBackend, DeviceDescriptor, DeviceInfo, DeviceKind, DeviceStatus, DeviceTrust, FrameFormat,
    Modality, Position, PreviewFrame, QualitySource,
};
