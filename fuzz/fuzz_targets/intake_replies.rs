//! Fuzz target `intake_replies`: see `enroll_fuzz::sync_targets::intake_replies`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::sync_targets::intake_replies(data));
