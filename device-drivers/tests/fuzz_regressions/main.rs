//! Replays the fuzzer's regression inputs for this crate (`fuzz/regressions/iso19794/`)
//! through the same target code the fuzzer runs (`fuzz/src/devices_targets.rs`), so that a
//! device record that once crashed the ISO/IEC 19794 reader stays fixed.

#[path = "../../../fuzz/src/devices_targets.rs"]
mod devices_targets;

#[path = "../../../fuzz/src/regressions.rs"]
mod regressions;

#[test]
fn iso19794() {
    regressions::replay(env!("CARGO_MANIFEST_DIR"), "iso19794", devices_targets::iso19794);
}
