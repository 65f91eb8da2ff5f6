//! Replaying the fuzzers' regression inputs in ordinary `cargo test`. Not part of the fuzz
//! crate's build: each crate's test binary includes this file with `#[path]` beside the target
//! code it replays, so the inputs run through exactly what the fuzzer ran.

use std::path::Path;

/// Every file in `fuzz/regressions/<target>/` through `run`. The folder must exist (every
/// target keeps one); a README in it is skipped. Test crates live one level below the
/// repository root, so the folder is found from their manifest directory.
pub fn replay(crate_dir: &str, target: &str, run: fn(&[u8])) {
    let dir = Path::new(crate_dir).join("../fuzz/regressions").join(target);
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
