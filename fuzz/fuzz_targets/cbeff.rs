//! Fuzz target `cbeff`: see `enroll_fuzz::packet_targets::cbeff`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::cbeff(data));
