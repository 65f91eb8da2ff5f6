//! Fuzz target `exchange_manifest`: see `enroll_fuzz::packet_targets::exchange_manifest`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::packet_targets::exchange_manifest(data));
