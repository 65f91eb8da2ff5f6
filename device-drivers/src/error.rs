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

    // Slap segmentation, by the station.
    /// A slap image whose fingertips do not fit the fingers expected (count, or gaps where
    /// fingers are marked missing); the station never guesses which finger is which.
    #[error(
        "the slap could not be cut into single fingers: {found} found, {expected} expected ({reason}); check \
         the fingers marked missing and capture the slap again"
    )]
    SlapSegmentationFailed {
        found: usize,
        expected: usize,
        reason: String,
    },

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
    /// A WSQ fingerprint image that cannot be decoded; `code` is one of the `WSQ_*` constants
    /// of [`crate::codecs::wsq`].
    #[error("the WSQ fingerprint image cannot be read: {message}")]
    BadWsq { code: &'static str, message: String },
    /// JPEG 2000 bytes that are damaged or are not JPEG 2000 at all.
    #[error("the JPEG 2000 image cannot be read: {0}")]
    Jpeg2000Invalid(String),
    /// A valid JPEG 2000 image of a kind the station does not handle (bit depth, colour space).
    #[error("the JPEG 2000 image is of a kind the station does not handle: {0}")]
    Jpeg2000Unsupported(String),
    /// A JPEG 2000 image whose header announces more pixels than the station decodes.
    #[error("the JPEG 2000 image is {width}x{height} pixels, more than the {limit} pixels the station decodes; ask for a smaller capture")]
    Jpeg2000TooLarge { width: u32, height: u32, limit: u64 },
    /// The station could not encode its own capture as JPEG 2000.
    #[error("the image could not be encoded as JPEG 2000: {0}")]
    Jpeg2000EncodeFailed(String),
    /// The system refused to open the scanner (on Linux: no udev rule gives the station access).
    #[error("the station may not open the USB device {0}: ask the administrator to install the station's udev rules")]
    UsbAccessDenied(String),
    /// A USB transfer failed: the device stalled, went away mid-transfer, or the bus failed.
    #[error("a USB transfer to the scanner failed: {0}")]
    UsbTransfer(String),
    /// One USB transfer got no answer in time. Drivers that wait for a finger expect these and
    /// poll again; the clerk sees [`DeviceError::Timeout`] when the capture's own time runs out.
    #[error("the scanner did not answer on endpoint {endpoint:#04x} within {millis} ms")]
    UsbTimeout { endpoint: u8, millis: u64 },
    /// Replaying a recorded USB exchange: the driver did something other than the recording
    /// says at `step` (counted from 1; `line` of the recording file). A driver bug, in tests.
    #[error("step {step} (recording line {line}): {message}")]
    UsbReplayMismatch { step: usize, line: usize, message: String },
    /// A USB recording (umockdev ioctl file) that cannot be read.
    #[error("the USB recording cannot be read at line {line}: {message}")]
    UsbRecording { line: usize, message: String },

    // Fingerprint matching.
    /// A fingerprint image from which no usable template can be made; `code` is one of the
    /// `FINGERPRINT_*` constants of [`crate::matching`], and `message` says what to do.
    #[error("{message}")]
    Fingerprint { code: &'static str, message: String },

    // Document scanners through SANE.
    /// A document scanner could not be listed or could not scan; `code` is one of the
    /// `SCANNER_*` constants of [`crate::scanner`], and `message` says what to do.
    #[error("{message}")]
    Scanner { code: &'static str, message: String },
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
            DeviceError::SlapSegmentationFailed { .. } => "slap_segmentation_failed",
            DeviceError::Untrusted(_) => "device_untrusted",
            DeviceError::Sbi { .. } => "sbi_error",
            DeviceError::SbiMismatch(_) => "sbi_answer_mismatch",
            DeviceError::TrustStore(_) => "device_trust_store_invalid",
            DeviceError::NoUsb => "usb_unavailable",
            DeviceError::BadWsq { code, .. } => code,
            DeviceError::Jpeg2000Invalid(_) => "jpeg2000_invalid",
            DeviceError::Jpeg2000Unsupported(_) => "jpeg2000_unsupported",
            DeviceError::Jpeg2000TooLarge { .. } => "jpeg2000_too_large",
            DeviceError::Jpeg2000EncodeFailed(_) => "jpeg2000_encode_failed",
            DeviceError::UsbAccessDenied(_) => "usb_access_denied",
            DeviceError::UsbTransfer(_) => "usb_transfer_failed",
            DeviceError::UsbTimeout { .. } => "usb_transfer_timeout",
            DeviceError::UsbReplayMismatch { .. } => "usb_replay_mismatch",
            DeviceError::UsbRecording { .. } => "usb_recording_invalid",
            DeviceError::Scanner { code, .. } => code,
            DeviceError::Fingerprint { code, .. } => code,
        }
    }
}
