//! Replays the fuzzer's regression inputs for this crate (`fuzz/regressions/iso19794/`)
//! through the same target code the fuzzer runs (`fuzz/src/devices_targets.rs`), so that a
//! device record that once crashed the ISO/IEC 19794 reader stays fixed.

#[path = "../../../fuzz/src/devices_targets.rs"]
mod devices_targets;

use std::path::Path;

#[test]
fn iso19794() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions/iso19794");
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
        devices_targets::iso19794(&std::fs::read(&path).unwrap());
    }
}
