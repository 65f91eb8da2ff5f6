//! The native drivers: one file per scanner family, each a [`SingleFingerSensor`] over a
//! [`super::transport::UsbTransport`]; what makes a sensor a [`crate::BiometricDevice`] (step
//! checks, exceptions, the capture's shape) is written once here.
//!
//! Deliberately absent: anything shared between drivers' protocols; they differ too much for a
//! common state machine to help.

pub mod nb1010;
pub mod uru4000;

use std::ops::ControlFlow;
use std::time::Duration;

use image::GrayImage;

use crate::capture::{
    Backend, BiometricDevice, CancelToken, Capture, CaptureRequest, CaptureResult, CaptureStep, CapturedData,
    DeviceDescriptor, DeviceInfo, DeviceKind, DeviceStatus, DeviceTrust, PreviewFrame, QualitySource,
};
use crate::DeviceError;

/// A single-finger USB sensor: what a driver knows; the device model comes from the impl below.
pub trait SingleFingerSensor: Send + Sync {
    /// The descriptor id (`usb:<bus>-<ports>`).
    fn id(&self) -> &str;
    fn info(&self) -> &DeviceInfo;
    /// True while a capture holds the sensor.
    fn is_busy(&self) -> bool;
    /// The sensor's resolution.
    fn ppi(&self) -> u16;
    /// Its name in messages ("the NB-1010").
    fn name(&self) -> &'static str;
    /// One image, waiting at most `timeout` for a finger.
    fn capture_image(&self, timeout: Duration, cancel: &CancelToken) -> Result<GrayImage, DeviceError>;
}

/// Native sensors give no quality score (the station scores their images) and no preview.
impl<S: SingleFingerSensor> BiometricDevice for S {
    fn descriptor(&self) -> DeviceDescriptor {
        DeviceDescriptor {
            id: self.id().to_string(),
            kind: DeviceKind::FingerSingle,
            backend: Backend::Usb,
            info: self.info().clone(),
            status: if self.is_busy() {
                DeviceStatus::Busy
            } else {
                DeviceStatus::Ready
            },
            trust: DeviceTrust::NotApplicable,
        }
    }

    fn capture(&self, request: &CaptureRequest, cancel: &CancelToken) -> Result<CaptureResult, DeviceError> {
        let CaptureStep::Finger(position) = request.step else {
            return Err(DeviceError::UnsupportedStep(format!(
                "{:?} on a single-finger scanner",
                request.step
            )));
        };
        if request.exceptions.contains(&position) {
            return Ok(CaptureResult {
                captures: Vec::new(),
                device: self.info().clone(),
                chain_hash: None,
            });
        }
        let image = self.capture_image(request.timeout, cancel)?;
        Ok(CaptureResult {
            captures: vec![Capture {
                position,
                data: CapturedData::Image { image, ppi: self.ppi() },
                quality: 0,
                quality_source: QualitySource::Station,
                signature: None,
            }],
            device: self.info().clone(),
            chain_hash: None,
        })
    }

    fn preview(
        &self,
        _step: CaptureStep,
        _on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        _cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        Err(DeviceError::UnsupportedStep(format!("live preview on {}", self.name())))
    }
}
