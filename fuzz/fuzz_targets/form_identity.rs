//! Fuzz target `form_identity`: see `enroll_fuzz::schemas_targets::form_identity`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::schemas_targets::form_identity(data));
