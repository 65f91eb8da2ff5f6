//! Fuzz target `ui_spec`: see `enroll_fuzz::schemas_targets::ui_spec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| enroll_fuzz::schemas_targets::ui_spec(data));
