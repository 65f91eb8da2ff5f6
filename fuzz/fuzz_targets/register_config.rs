//! Fuzz target `register_config`: see `enroll_fuzz::packet_targets::register_config`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::register_config(data));
