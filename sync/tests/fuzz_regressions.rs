//! Replays the fuzzers' committed inputs for this crate's targets (`fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/`) through the same target code the fuzzer runs
//! (`fuzz/src/sync_targets.rs`), so that the client's reading of intake answers (`Retry-After`,
//! error bodies, tus `HEAD` headers) runs on valid and damaged answers in every test run, and an
//! answer that once crashed it stays fixed. A target without seeds fails
//! (`fuzz/src/regressions.rs`). The signed receipt is replayed with the packet crate's targets.

#[path = "../../fuzz/src/sync_targets.rs"]
mod sync_targets;

#[path = "../../fuzz/src/regressions.rs"]
mod regressions;

fn replay(target: &str, run: fn(&[u8])) {
    regressions::replay(env!("CARGO_MANIFEST_DIR"), target, run);
}

#[test]
fn retry_after() {
    replay("retry_after", sync_targets::retry_after);
}

#[test]
fn intake_replies() {
    replay("intake_replies", sync_targets::intake_replies);
}
