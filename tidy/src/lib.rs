//! Repository rules that no compiler checks, as plain functions for the test in `tests/tidy/`.
//!
//! In the manner of rust-analyzer's tidy test: the rules run under `cargo nextest run
//! --workspace`, so `make test` and CI fail on a breach, with the file named.
//!
//! The one rule so far: every Rust file opens with a `//!` comment that says what it is for,
//! so a reader who opens any file (a test, a fuzz target, a build script) learns why it is there.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root: the folder above this crate.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tidy crate lives in a folder of the repository")
        .to_path_buf()
}

/// Every Rust file of the repository under `root`, relative to it and sorted: what git tracks
/// plus new files it does not ignore (so a file fails before its first commit), which leaves out
/// `target/`, `node_modules/` and the other build output. Outside a git checkout (a source
/// archive), a walk of the folders that skips hidden ones, `target` and `node_modules`.
pub fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut files = match git_rust_files(root) {
        Some(files) => files,
        None => {
            let mut files = Vec::new();
            walk(root, root, &mut files);
            files
        }
    };
    files.retain(|file| root.join(file).is_file()); // tracked, but deleted in the work tree
    files.sort();
    files.dedup();
    files
}

fn git_rust_files(root: &Path) -> Option<Vec<PathBuf>> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            "*.rs",
        ])
        .current_dir(root)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let listing = String::from_utf8(output.stdout).expect("git lists paths as UTF-8 here");
    Some(
        listing
            .split('\0')
            .filter(|path| !path.is_empty())
            .map(PathBuf::from)
            .collect(),
    )
}

fn walk(root: &Path, folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                walk(root, &path, files);
            }
        } else if kind.is_file() && name.ends_with(".rs") {
            files.push(path.strip_prefix(root).expect("walked from the root").to_path_buf());
        }
    }
}

/// Whether a Rust file's text opens with a `//!` comment on its first line.
pub fn opens_with_module_doc(text: &str) -> bool {
    text.starts_with("//!")
}

/// The files under `root`, of those given, whose first line is not a `//!` comment.
pub fn files_without_module_doc(root: &Path, files: &[PathBuf]) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|file| {
            let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
            !opens_with_module_doc(&text)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_doc_must_be_the_very_first_line() {
        assert!(opens_with_module_doc("//! What this file is for.\n\nfn main() {}\n"));
        assert!(!opens_with_module_doc("fn main() {}\n"));
        assert!(!opens_with_module_doc("// An ordinary comment.\n//! Too late.\n"));
        assert!(!opens_with_module_doc("\n//! After a blank line.\n"));
        assert!(!opens_with_module_doc(
            "#![forbid(unsafe_code)]\n//! After an attribute.\n"
        ));
        assert!(!opens_with_module_doc("/// An item's doc, not the module's.\n"));
        assert!(!opens_with_module_doc(""));
    }

    #[test]
    fn the_walk_finds_files_without_a_module_doc_and_skips_build_output() {
        let root = std::env::temp_dir().join(format!("enroll-tidy-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in [
            ("good/src/lib.rs", "//! Good.\n"),
            ("bad/src/main.rs", "fn main() {}\n"),
            ("target/debug/build/out.rs", "fn generated() {}\n"),
            ("ui/node_modules/x/y.rs", "fn vendored() {}\n"),
            (".hidden/z.rs", "fn hidden() {}\n"),
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut files = Vec::new();
        walk(&root, &root, &mut files);
        files.sort();
        assert_eq!(
            files,
            [PathBuf::from("bad/src/main.rs"), PathBuf::from("good/src/lib.rs")]
        );
        assert_eq!(
            files_without_module_doc(&root, &files),
            [PathBuf::from("bad/src/main.rs")]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
