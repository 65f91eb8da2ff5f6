//! Fuzz target `envelope_header`: see `enroll_fuzz::packet_targets::envelope_header`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::envelope_header(data));
