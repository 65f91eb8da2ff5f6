//! Replays the fuzzers' committed inputs for this crate (`fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/`) through the same target code the fuzzers run (`fuzz/src/
//! devices_targets.rs`, `sbi_targets.rs`, `codec_targets.rs`, `usb_targets.rs`), so that every
//! device target runs on valid and damaged inputs in every test run, and an input that once
//! crashed a reader stays fixed. A target without seeds fails (`fuzz/src/regressions.rs`).

#[path = "../../../fuzz/src/devices_targets.rs"]
mod devices_targets;

#[path = "../../../fuzz/src/sbi_targets.rs"]
mod sbi_targets;

#[path = "../../../fuzz/src/codec_targets.rs"]
mod codec_targets;

#[path = "../../../fuzz/src/usb_targets.rs"]
mod usb_targets;

#[path = "../../../fuzz/src/regressions.rs"]
mod regressions;

const CRATE_DIR: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn iso19794() {
    regressions::replay(CRATE_DIR, "iso19794", devices_targets::iso19794);
}

#[test]
fn sbi_json() {
    regressions::replay(CRATE_DIR, "sbi_json", sbi_targets::sbi_json);
}

#[test]
fn sbi_jws() {
    regressions::replay(CRATE_DIR, "sbi_jws", sbi_targets::sbi_jws);
}

#[test]
fn wsq() {
    regressions::replay(CRATE_DIR, "wsq", codec_targets::wsq);
}

#[test]
fn jpeg2000() {
    regressions::replay(CRATE_DIR, "jpeg2000", codec_targets::jpeg2000);
}

#[test]
fn usb_recording() {
    regressions::replay(CRATE_DIR, "usb_recording", usb_targets::usb_recording);
}
