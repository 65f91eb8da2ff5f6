//! Replays the fuzzers' committed inputs for this crate's targets (`fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/`) through the same target code the fuzzer runs
//! (`fuzz/src/intake_targets.rs`), so that every parser of what stations send (tus headers,
//! registration bodies, signed requests, enrollment codes) runs on valid and damaged inputs in every test run,
//! and an input that once crashed one stays fixed. A target without seeds fails
//! (`fuzz/src/regressions.rs`).

#[path = "../../fuzz/src/intake_targets.rs"]
mod intake_targets;

#[path = "../../fuzz/src/regressions.rs"]
mod regressions;

fn replay(target: &str, run: fn(&[u8])) {
    regressions::replay(env!("CARGO_MANIFEST_DIR"), target, run);
}

#[test]
fn tus_headers() {
    replay("tus_headers", intake_targets::tus_headers);
}

#[test]
fn station_registration() {
    replay("station_registration", intake_targets::station_registration);
}

#[test]
fn signed_request() {
    replay("signed_request", intake_targets::signed_request);
}

#[test]
fn status_query() {
    replay("status_query", intake_targets::status_query);
}

#[test]
fn enrollment_code() {
    replay("enrollment_code", intake_targets::enrollment_code);
}
