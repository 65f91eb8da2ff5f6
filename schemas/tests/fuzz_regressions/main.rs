//! Replays the fuzzers' committed inputs for this crate's targets (`fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/`) through the same target code the fuzzer runs
//! (`fuzz/src/schemas_targets.rs`), so that every target runs on valid and damaged configuration
//! and identities in every test run, and a document that once crashed the loaders stays fixed.
//! A target without seeds fails (`fuzz/src/regressions.rs`).

#[path = "../../../fuzz/src/schemas_targets.rs"]
mod schemas_targets;

#[path = "../../../fuzz/src/regressions.rs"]
mod regressions;

fn replay(target: &str, run: fn(&[u8])) {
    regressions::replay(env!("CARGO_MANIFEST_DIR"), target, run);
}

#[test]
fn id_schema() {
    replay("id_schema", schemas_targets::id_schema);
}

#[test]
fn ui_spec() {
    replay("ui_spec", schemas_targets::ui_spec);
}

#[test]
fn form_identity() {
    replay("form_identity", schemas_targets::form_identity);
}

#[test]
fn station_config() {
    replay("station_config", schemas_targets::station_config);
}
