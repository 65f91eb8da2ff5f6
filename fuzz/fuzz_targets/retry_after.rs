//! Fuzz target `retry_after`: see `enroll_fuzz::sync_targets::retry_after`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::sync_targets::retry_after(data));
