//! The window's contract with the shell, checked against the Rust definitions:
//!
//! - the committed TypeScript bindings (`ui/src/lib/backend/bindings.ts`) are what the Rust
//!   types and commands generate now, so the UI cannot drift from Rust: after changing a
//!   command or a type the window sees, run `make bindings` (the same as
//!   `UPDATE_BINDINGS=1 cargo test -p enroll-app --test contract`) and commit the file;
//! - the window's capability grants exactly the commands of `src/commands.rs`, each once, and
//!   of the plugins only the save dialog (`PLUGIN_PERMISSIONS`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use enroll_app::bindings::{self, COMMAND_NAMES};

/// What the window may use of Tauri's plugins: the system's save dialog, where the clerk
/// chooses where the slip's PDF goes. Not the open dialog, the file system or anything else.
const PLUGIN_PERMISSIONS: &[&str] = &["dialog:allow-save"];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_committed_bindings_are_what_the_rust_definitions_generate() {
    let committed_path = crate_dir().join(bindings::BINDINGS_PATH);
    let scratch = tempfile::tempdir().unwrap();
    let fresh_path = scratch.path().join("bindings.ts");
    bindings::export(&fresh_path).unwrap();
    let fresh = std::fs::read_to_string(&fresh_path).unwrap();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed_path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    if committed != fresh {
        let first_difference = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "{} is stale (first difference at line {}): run `make bindings` and commit it",
            committed_path.display(),
            first_difference + 1
        );
    }
}

#[test]
fn every_command_has_a_binding() {
    let bindings = std::fs::read_to_string(crate_dir().join(bindings::BINDINGS_PATH)).unwrap();
    // Each command's function ends in `__TAURI_INVOKE<Result>("name", ...)`.
    let invoked: BTreeSet<&str> = bindings
        .lines()
        .filter_map(|line| {
            line.split_once("__TAURI_INVOKE<")?
                .1
                .split_once(">(\"")?
                .1
                .split_once('"')
        })
        .map(|(name, _)| name)
        .collect();
    let commands: BTreeSet<&str> = COMMAND_NAMES.iter().copied().collect();
    assert_eq!(invoked, commands, "every command, and nothing else, has a binding");
}

#[test]
fn the_window_may_call_exactly_the_commands_and_nothing_else() {
    let granted = granted_permissions(&crate_dir().join("capabilities/main.json"));
    let expected: BTreeSet<String> = COMMAND_NAMES
        .iter()
        .map(|name| format!("allow-{}", name.replace('_', "-")))
        .chain(["core:default".to_string()])
        .chain(PLUGIN_PERMISSIONS.iter().map(|name| name.to_string()))
        .collect();
    let missing: Vec<_> = expected.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "capabilities/main.json must grant core:default, the plugin permissions listed here and one allow- per command of src/commands.rs; \
         missing {missing:?}, not a command {extra:?}"
    );
}

fn granted_permissions(path: &Path) -> BTreeSet<String> {
    let capability: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let list = capability["permissions"].as_array().expect("a permissions list");
    let mut granted = BTreeSet::new();
    for permission in list {
        let name = permission.as_str().expect("permissions are plain names").to_string();
        assert!(granted.insert(name.clone()), "{name} is granted twice");
    }
    granted
}
