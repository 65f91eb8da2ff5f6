//! Fuzz target `envelope_open`: see `enroll_fuzz::packet_targets::envelope_open`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::envelope_open(data));
