//! Tidy: the repository's own rules, checked over every Rust file in it (fuzz/ included).

use enroll_tidy::{files_without_module_doc, repo_root, rust_files};

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let root = repo_root();
    let files = rust_files(&root);
    // A sanity floor: an empty listing would pass without checking anything.
    assert!(
        files.len() > 50,
        "found only {} Rust files under {}",
        files.len(),
        root.display()
    );
    for expected in [
        "tidy/tests/tidy/main.rs",
        "fuzz/fuzz_targets/cbeff.rs",
        "src-tauri/build.rs",
    ] {
        assert!(
            files.iter().any(|file| file.as_os_str() == expected),
            "{expected} not among the files checked"
        );
    }
    let missing = files_without_module_doc(&root, &files);
    assert!(
        missing.is_empty(),
        "these Rust files do not open with a `//!` comment saying what they are for:\n  {}\n\
         Add one line at the very top, e.g. `//! The vault's blob files: written before a row names them.`",
        missing
            .iter()
            .map(|file| file.display().to_string())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}
