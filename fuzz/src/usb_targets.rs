//! The fuzz target over the USB recordings that native drivers are tested against:
//! `usb_recording`, umockdev's ioctl log (`parse_ioctl_recording`, `device_ids`) and usbmon
//! captures in pcapng (`devices_in_capture`, `parse_usbmon_pcapng`). Recordings come from
//! other projects (libfprint's) and from whoever sends one with a bug report, so they are
//! outside input. Must never panic, hang or allocate from a length field.
//!
//! Compiled into the fuzz binaries and, through `#[path]`, into
//! `device-drivers/tests/fuzz_regressions`; so it uses only `enroll-devices`.
//!
//! Deliberately absent: replaying the recordings to a driver (the drivers' own tests do).

use enroll_devices::usb::replay::pcapng::{devices_in_capture, parse_usbmon_pcapng};
use enroll_devices::usb::replay::umockdev::{device_ids, parse_ioctl_recording, Recording, UrbKind};

/// At most this many devices of one capture are read out, so that a capture naming thousands
/// of devices does not make one run quadratic.
const MAX_DEVICES_READ: usize = 8;

/// Text goes to the umockdev readers, any bytes to the pcapng reader; every URB either gives
/// has lengths that agree with its bytes.
pub fn usb_recording(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(recording) = parse_ioctl_recording(text) {
            check_urbs(&recording, true);
        }
        let _ = device_ids(text);
    }
    if let Ok(devices) = devices_in_capture(data) {
        for &(bus, device) in devices.iter().take(MAX_DEVICES_READ) {
            if let Ok(recording) = parse_usbmon_pcapng(data, bus, device) {
                check_urbs(&recording, false);
            }
        }
    }
}

/// What `ReplayTransport` relies on: a control URB holds its setup packet, and the answer is
/// never longer than the recorded bytes. umockdev lines also promise `actual <= buffer` and
/// exactly the bytes their lengths say.
fn check_urbs(recording: &Recording, from_umockdev: bool) {
    for urb in recording.urbs() {
        assert!(urb.answer().len() <= urb.data.len());
        if urb.kind == UrbKind::Control {
            assert!(urb.setup_packet().is_some(), "a control URB without its setup packet");
        }
        if from_umockdev {
            assert!(urb.actual_length <= urb.buffer_length);
            let expected = if urb.kind != UrbKind::Control && urb.endpoint & 0x80 != 0 {
                urb.actual_length
            } else {
                urb.buffer_length
            };
            assert_eq!(urb.data.len(), expected, "line {}", urb.line);
        }
    }
}
