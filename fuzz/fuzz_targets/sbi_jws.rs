//! Fuzz target `sbi_jws`: see `enroll_fuzz::sbi_targets::sbi_jws`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::sbi_targets::sbi_jws(data));
