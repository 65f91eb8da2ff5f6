//! SBI devices behind the capture model: [`SbiBackend`] finds them, [`SbiDevice`] captures.
//!
//! Why a thin layer: everything SBI-specific (verbs, signatures, checks) is in
//! [`SbiClient`]; this maps the model's calls onto it, so the station drives a certified
//! scanner exactly as it drives the simulator.
//!
//! Deliberately absent: choosing among several devices of one kind (the station's), and
//! re-discovering a device that went away (discovery is called again).

use std::ops::ControlFlow;
use std::sync::Arc;

use crate::capture::{
    BiometricDevice, CancelToken, CaptureRequest, CaptureResult, CaptureStep, DeviceBackend, DeviceDescriptor,
    PreviewFrame,
};
use crate::sbi::client::{SbiClient, VerifiedDevice};
use crate::DeviceError;

/// The devices of the SBI services on the configured ports.
#[derive(Debug, Clone)]
pub struct SbiBackend {
    client: Arc<SbiClient>,
}

impl SbiBackend {
    pub fn new(client: SbiClient) -> SbiBackend {
        SbiBackend {
            client: Arc::new(client),
        }
    }

    pub fn client(&self) -> &Arc<SbiClient> {
        &self.client
    }
}

impl DeviceBackend for SbiBackend {
    fn name(&self) -> &'static str {
        "sbi"
    }

    /// One [`SbiDevice`] per device the services report and the trust check accepts. Services
    /// that are refused (untrusted, broken) are logged; when no device at all is accepted and
    /// some service was refused, that refusal is the answer, so the clerk learns why the
    /// scanner in front of them is missing.
    fn discover(&self) -> Result<Vec<Arc<dyn BiometricDevice>>, DeviceError> {
        let mut devices: Vec<Arc<dyn BiometricDevice>> = Vec::new();
        let mut first_refusal = None;
        for (port, answer) in self.client.scan() {
            match answer {
                Ok(found) => {
                    for device in found {
                        devices.push(Arc::new(SbiDevice {
                            client: Arc::clone(&self.client),
                            device,
                        }));
                    }
                }
                Err(error) => {
                    tracing::warn!(port, code = error.code(), %error, "an SBI device service was refused");
                    first_refusal.get_or_insert(error);
                }
            }
        }
        match first_refusal {
            Some(error) if devices.is_empty() => Err(error),
            _ => Ok(devices),
        }
    }
}

/// One device of an SBI service.
#[derive(Debug, Clone)]
pub struct SbiDevice {
    client: Arc<SbiClient>,
    device: VerifiedDevice,
}

impl SbiDevice {
    pub fn new(client: Arc<SbiClient>, device: VerifiedDevice) -> SbiDevice {
        SbiDevice { client, device }
    }

    pub fn verified(&self) -> &VerifiedDevice {
        &self.device
    }
}

impl BiometricDevice for SbiDevice {
    fn descriptor(&self) -> DeviceDescriptor {
        self.device.descriptor.clone()
    }

    /// `RCAPTURE`: the records come back as the device made them
    /// ([`crate::CapturedData::IsoRecord`]), with the device's quality and its signature.
    fn capture(&self, request: &CaptureRequest, cancel: &CancelToken) -> Result<CaptureResult, DeviceError> {
        self.client.capture(&self.device, request, cancel)
    }

    fn preview(
        &self,
        step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        if !self.device.descriptor.kind.can_capture(step) {
            return Err(DeviceError::UnsupportedStep(format!("{step:?}")));
        }
        self.client.stream(&self.device, step, on_frame, cancel)
    }
}
