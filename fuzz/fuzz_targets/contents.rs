//! Fuzz target `contents`: see `enroll_fuzz::packet_targets::contents`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::contents(data));
