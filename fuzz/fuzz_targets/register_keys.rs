//! Fuzz target `register_keys`: see `enroll_fuzz::packet_targets::register_keys`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::register_keys(data));
