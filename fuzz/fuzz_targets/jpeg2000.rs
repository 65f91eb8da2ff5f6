//! Fuzz target `jpeg2000`: see `enroll_fuzz::codec_targets::jpeg2000`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::codec_targets::jpeg2000(data));
