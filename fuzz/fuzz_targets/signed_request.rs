//! Fuzz target `signed_request`: see `enroll_fuzz::intake_targets::signed_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::intake_targets::signed_request(data));
