//! The one error type of the device layer, with stable codes.

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("the {0} is not connected")]
    NotConnected(String),
    #[error("the device answered with an image that cannot be read: {0}")]
    BadImage(String),
    #[error("capture failed: {0}")]
    CaptureFailed(String),
    /// An ISO/IEC 19794 record that cannot be read or written; `code` is one of the `ISO_*`
    /// constants of [`crate::iso19794`].
    #[error("the ISO/IEC 19794 record is not valid: {message}")]
    BadRecord { code: &'static str, message: String },
    /// A WSQ fingerprint image that cannot be decoded; `code` is one of the `WSQ_*` constants
    /// of [`crate::codecs::wsq`].
    #[error("the WSQ fingerprint image cannot be read: {message}")]
    BadWsq { code: &'static str, message: String },
}

impl DeviceError {
    pub fn code(&self) -> &'static str {
        match self {
            DeviceError::NotConnected(_) => "device_not_connected",
            DeviceError::BadImage(_) => "device_bad_image",
            DeviceError::CaptureFailed(_) => "capture_failed",
            DeviceError::BadRecord { code, .. } => code,
            DeviceError::BadWsq { code, .. } => code,
        }
    }
}
