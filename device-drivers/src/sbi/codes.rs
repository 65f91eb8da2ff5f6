//! The SBI error codes: what a device service's `errorCode` means, and which code the service
//! answers for each [`DeviceError`].
//!
//! Why a table: the SBI 1.0 and 0.9.5 specifications ("Error Codes") give every code below 500
//! a fixed meaning, and the clerk must read that meaning, not a number. Codes 500 and above are
//! the device provider's own (the service here uses 550..=553 for its own cases); for those the
//! device's `errorInfo` is all there is.
//!
//! Deliberately absent: translations (the station's catalogues word the `sbi_error` code for
//! the clerk; this text goes to logs and to the message's detail).

use crate::DeviceError;

/// Success, as every SBI answer without an error carries it.
pub const SUCCESS: i64 = 0;
/// 0.9.5: the device is not registered with the register's device management.
pub const DEVICE_NOT_REGISTERED: i64 = 100;
pub const NO_BIOMETRIC_DETECTED: i64 = 101;
pub const EXTRACTION_ERROR: i64 = 102;
pub const TAMPER_DETECTED: i64 = 103;
pub const MANAGEMENT_SERVER_UNREACHABLE: i64 = 104;
pub const IMAGE_ORIENTATION: i64 = 105;
pub const DEVICE_NOT_FOUND: i64 = 106;
pub const DEVICE_KEY_EXPIRED: i64 = 107;
pub const DOMAIN_KEY_MISSING: i64 = 108;
pub const COUNT_NOT_SUPPORTED: i64 = 109;
pub const NO_DEVICE_CONNECTED: i64 = 202;
/// This crate's service: the device is busy with another capture.
pub const SERVICE_DEVICE_BUSY: i64 = 550;
/// This crate's service: the capture did not finish in time.
pub const SERVICE_CAPTURE_TIMEOUT: i64 = 551;
/// This crate's service: the capture was cancelled.
pub const SERVICE_CAPTURE_CANCELLED: i64 = 552;
/// This crate's service: the capture failed for another reason (its message says which).
pub const SERVICE_CAPTURE_FAILED: i64 = 553;

/// The specification's text for `code`, or `None` for a code it does not define.
pub fn spec_message(code: i64) -> Option<&'static str> {
    Some(match code {
        SUCCESS => "Success",
        DEVICE_NOT_REGISTERED => "Device not registered",
        NO_BIOMETRIC_DETECTED => "Unable to detect a biometric object",
        EXTRACTION_ERROR => "Technical error during extraction",
        TAMPER_DETECTED => "Device tamper detected",
        MANAGEMENT_SERVER_UNREACHABLE => "Unable to connect to management server",
        IMAGE_ORIENTATION => "Image orientation error",
        DEVICE_NOT_FOUND => "Device not found",
        DEVICE_KEY_EXPIRED => "Device public key expired",
        DOMAIN_KEY_MISSING => "Domain public key missing",
        COUNT_NOT_SUPPORTED => "Requested number of biometric (Finger/IRIS) not supported",
        NO_DEVICE_CONNECTED => "No device connected",
        _ => return None,
    })
}

/// The error for a non-zero SBI code, worded from the specification's table where it defines
/// the code, with the device's own text after it.
pub fn sbi_error(code: i64, error_info: &str) -> DeviceError {
    let info = error_info.trim();
    let message = match spec_message(code) {
        Some(text) if info.is_empty() || info.eq_ignore_ascii_case(text) => text.to_string(),
        Some(text) => format!("{text} ({info})"),
        None if (500..600).contains(&code) && info.is_empty() => {
            "an error particular to this device; see its provider's documentation".to_string()
        }
        None if info.is_empty() => "an error the SBI specification does not define".to_string(),
        None => info.to_string(),
    };
    DeviceError::Sbi { code, message }
}

/// The code and text the service answers for a device's error.
pub fn for_device_error(error: &DeviceError) -> (i64, String) {
    let code = match error {
        DeviceError::NotConnected(_) => DEVICE_NOT_FOUND,
        DeviceError::UnsupportedStep(_) => COUNT_NOT_SUPPORTED,
        DeviceError::Busy => SERVICE_DEVICE_BUSY,
        DeviceError::Timeout { .. } => SERVICE_CAPTURE_TIMEOUT,
        DeviceError::Cancelled => SERVICE_CAPTURE_CANCELLED,
        DeviceError::Sbi { code, .. } => *code,
        _ => SERVICE_CAPTURE_FAILED,
    };
    (code, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_codes_are_worded_from_the_table_and_custom_codes_keep_the_device_text() {
        match sbi_error(106, "") {
            DeviceError::Sbi { code, message } => {
                assert_eq!(code, 106);
                assert_eq!(message, "Device not found");
            }
            other => panic!("unexpected {other:?}"),
        }
        match sbi_error(101, "finger moved") {
            DeviceError::Sbi { message, .. } => {
                assert_eq!(message, "Unable to detect a biometric object (finger moved)")
            }
            other => panic!("unexpected {other:?}"),
        }
        match sbi_error(712, "Capture timeout") {
            DeviceError::Sbi { code, message } => {
                assert_eq!(code, 712);
                assert_eq!(message, "Capture timeout");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(sbi_error(9, "").code(), "sbi_error");
    }

    #[test]
    fn device_errors_map_to_codes_the_client_words_back() {
        let (code, _) = for_device_error(&DeviceError::NotConnected("slap scanner".into()));
        assert_eq!(spec_message(code), Some("Device not found"));
        assert_eq!(for_device_error(&DeviceError::Busy).0, SERVICE_DEVICE_BUSY);
    }
}
