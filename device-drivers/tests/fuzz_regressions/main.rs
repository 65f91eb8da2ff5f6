//! Replays the fuzzer's committed inputs for this crate (`fuzz/seeds/iso19794/` and
//! `fuzz/regressions/iso19794/`) through the same target code the fuzzer runs
//! (`fuzz/src/devices_targets.rs`), so that the ISO/IEC 19794 target runs on valid and damaged
//! records in every test run, and a record that once crashed the reader stays fixed. A target
//! without seeds fails (`fuzz/src/regressions.rs`).

#[path = "../../../fuzz/src/devices_targets.rs"]
mod devices_targets;

#[path = "../../../fuzz/src/regressions.rs"]
mod regressions;

#[test]
fn iso19794() {
    regressions::replay(env!("CARGO_MANIFEST_DIR"), "iso19794", devices_targets::iso19794);
}
