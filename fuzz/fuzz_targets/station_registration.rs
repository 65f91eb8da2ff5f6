//! Fuzz target `station_registration`: see `enroll_fuzz::intake_targets::station_registration`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::intake_targets::station_registration(data));
