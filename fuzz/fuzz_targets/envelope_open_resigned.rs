//! Fuzz target `envelope_open_resigned`: see `enroll_fuzz::packet_targets::envelope_open_resigned`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::envelope_open_resigned(data));
