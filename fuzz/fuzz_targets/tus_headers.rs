//! Fuzz target `tus_headers`: see `enroll_fuzz::intake_targets::tus_headers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::intake_targets::tus_headers(data));
