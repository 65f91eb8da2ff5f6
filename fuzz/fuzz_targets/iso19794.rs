//! Fuzz target `iso19794`: see `enroll_fuzz::devices_targets::iso19794`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::devices_targets::iso19794(data));
