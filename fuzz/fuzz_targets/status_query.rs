//! Fuzz target `status_query`: see `enroll_fuzz::intake_targets::status_query`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::intake_targets::status_query(data));
