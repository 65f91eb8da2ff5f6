//! The one error type of the device layer, with stable codes that the station passes on.
//!
//! Grouped by where they arise: any device, then each backend. A backend adds its variants to
//! its own group; the codes never change once released (the UI and logs branch on them).

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    // Any device.
    #[error("the {0} is not connected")]
    NotConnected(String),
    #[error("the device answered with an image that cannot be read: {0}")]
    BadImage(String),
    #[error("capture failed: {0}")]
    CaptureFailed(String),
    #[error("the device is busy with another capture")]
    Busy,
    #[error("the device did not finish the capture within {seconds} s")]
    Timeout { seconds: u64 },
    #[error("the capture was cancelled")]
    Cancelled,
    #[error("the device cannot capture {0}")]
    UnsupportedStep(String),
    /// The device answered, but not as its protocol says.
    #[error("the device's answer breaks its protocol: {0}")]
    Protocol(String),

    // Records and images.
    /// An ISO/IEC 19794 record that cannot be read or written; `code` is one of the `ISO_*`
    /// constants of [`crate::iso19794`].
    #[error("the ISO/IEC 19794 record is not valid: {message}")]
    BadRecord { code: &'static str, message: String },

    // MOSIP SBI device services.
    /// The device's signature does not verify, or its certificate does not chain to the trust
    /// store.
    #[error("the device is not trusted: {0}")]
    Untrusted(String),
    /// An error the SBI device service reported, with its SBI error code.
    #[error("the device service reported error {code}: {message}")]
    Sbi { code: i64, message: String },
    /// A signed SBI answer that does not belong to the request: another transaction, a broken
    /// hash chain, other positions than asked for, or a timestamp too far from the station's
    /// clock. Either it was altered or replayed on the way, or the device misbehaves.
    #[error("the device's answer does not match the request: {0}. Capture again; if it persists, restart the device service")]
    SbiMismatch(String),
    /// The station's device trust folder cannot be read.
    #[error("the device trust store cannot be used: {0}")]
    TrustStore(String),

    // Native USB.
    #[error("this machine has no USB subsystem")]
    NoUsb,
}

impl DeviceError {
    pub fn code(&self) -> &'static str {
        match self {
            DeviceError::NotConnected(_) => "device_not_connected",
            DeviceError::BadImage(_) => "device_bad_image",
            DeviceError::CaptureFailed(_) => "capture_failed",
            DeviceError::Busy => "device_busy",
            DeviceError::Timeout { .. } => "capture_timeout",
            DeviceError::Cancelled => "capture_cancelled",
            DeviceError::UnsupportedStep(_) => "device_unsupported_step",
            DeviceError::Protocol(_) => "device_protocol",
            DeviceError::BadRecord { code, .. } => code,
            DeviceError::Untrusted(_) => "device_untrusted",
            DeviceError::Sbi { .. } => "sbi_error",
            DeviceError::SbiMismatch(_) => "sbi_answer_mismatch",
            DeviceError::TrustStore(_) => "device_trust_store_invalid",
            DeviceError::NoUsb => "usb_unavailable",
        }
    }
}
