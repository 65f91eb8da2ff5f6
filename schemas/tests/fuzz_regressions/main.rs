//! Replays the fuzzers' regression inputs for this crate (`fuzz/regressions/<target>/`)
//! through the same target code the fuzzer runs (`fuzz/src/schemas_targets.rs`), so that a
//! configuration or identity document that once crashed the loaders stays fixed.

#[path = "../../../fuzz/src/schemas_targets.rs"]
mod schemas_targets;

use std::path::Path;

/// Every file in `fuzz/regressions/<target>/` (the folder must exist; its README is skipped).
fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; every fuzz target keeps a regressions folder",
            dir.display()
        )
    });
    for entry in entries {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "README.md") {
            continue;
        }
        eprintln!("replaying {}", path.display());
        run(&std::fs::read(&path).unwrap());
    }
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
