//! Fuzz target `id_schema`: see `enroll_fuzz::schemas_targets::id_schema`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::schemas_targets::id_schema(data));
