//! Replaying the fuzzers' committed inputs in ordinary `cargo test`: the seeds
//! (`fuzz/seeds/<target>/`, valid and near-valid inputs written by `write_seeds`) and the inputs
//! that once crashed a target (`fuzz/regressions/<target>/`). Not part of the fuzz crate's
//! build: each crate's test binary includes this file with `#[path]` beside the target code it
//! replays, so the inputs run through exactly what the fuzzer ran.
//!
//! Why the seeds too: most targets have no regression yet, and a replay over an empty folder
//! passes without running the target at all, so a target broken by a format change (one that
//! panics on every real input) would go unnoticed until someone fuzzed. The seeds make every
//! target run in every `cargo test`, and a target with no seed fails instead of passing empty.

use std::path::{Path, PathBuf};

/// How to write the seeds again, for the failure messages.
const REGENERATE: &str = "cargo run --manifest-path fuzz/Cargo.toml --bin write_seeds";

/// Every file in `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/` through `run`, in
/// name order. Both folders must exist (README.md files in them are skipped), and the seeds
/// folder must hold at least one input: a replay that ran nothing fails. Test crates live one
/// level below the repository root, so the folders are found from their manifest directory.
pub fn replay(crate_dir: &str, target: &str, run: fn(&[u8])) {
    let fuzz_dir = Path::new(crate_dir).join("../fuzz");
    let seeds = inputs(&fuzz_dir.join("seeds").join(target));
    assert!(
        !seeds.is_empty(),
        "fuzz target `{target}` has no seed in fuzz/seeds/{target}/, so its replay would run nothing; \
         write the seeds with `{REGENERATE}`"
    );
    let regressions = inputs(&fuzz_dir.join("regressions").join(target));
    for path in seeds.iter().chain(&regressions) {
        eprintln!("replaying {}", path.display());
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        run(&bytes);
    }
    eprintln!(
        "fuzz target `{target}`: replayed {} seeds and {} regressions",
        seeds.len(),
        regressions.len()
    );
}

/// The input files of one folder, sorted; README.md and hidden files (`.gitkeep`, editor
/// leftovers) are not inputs.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; every fuzz target keeps a seeds and a regressions folder \
             (the seeds are written by `{REGENERATE}`)",
            dir.display()
        )
    });
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                .path()
        })
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            path.is_file() && name != "README.md" && !name.starts_with('.')
        })
        .collect();
    paths.sort();
    paths
}
