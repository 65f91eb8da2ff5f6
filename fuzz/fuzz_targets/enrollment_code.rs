//! Fuzz target `enrollment_code`: see `enroll_fuzz::intake_targets::enrollment_code`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::intake_targets::enrollment_code(data));
