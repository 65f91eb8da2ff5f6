//! Fuzz target `receipt`: see `enroll_fuzz::packet_targets::receipt`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::receipt(data));
