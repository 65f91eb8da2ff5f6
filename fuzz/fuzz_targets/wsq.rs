//! Fuzz target `wsq`: see `enroll_fuzz::codec_targets::wsq`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::codec_targets::wsq(data));
