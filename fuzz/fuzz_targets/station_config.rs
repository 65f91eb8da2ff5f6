//! Fuzz target `station_config`: see `enroll_fuzz::schemas_targets::station_config`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::schemas_targets::station_config(data));
