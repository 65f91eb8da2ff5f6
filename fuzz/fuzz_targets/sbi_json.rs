//! Fuzz target `sbi_json`: see `enroll_fuzz::sbi_targets::sbi_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::sbi_targets::sbi_json(data));
