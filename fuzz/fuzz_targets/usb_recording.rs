//! Fuzz target `usb_recording`: see `enroll_fuzz::usb_targets::usb_recording`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::usb_targets::usb_recording(data));
