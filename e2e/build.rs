//! Writes `$OUT_DIR/test_ids.rs` from the UI's `ui/src/lib/testIds.ts`, which the end-to-end
//! test includes (`tests/app/test_ids.rs`): the ids it clicks are the ones the components
//! render, and an id it uses that the UI no longer declares fails its build, by name.

// The same parser the library's unit tests exercise; the build uses all of it but the types'
// fields, which only the tests read.
#[allow(dead_code)]
#[path = "src/test_ids.rs"]
mod test_ids;

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let table = manifest_dir.join("../ui/src/lib/testIds.ts");
    println!("cargo:rerun-if-changed={}", table.display());
    println!("cargo:rerun-if-changed=src/test_ids.rs");
    let source = std::fs::read_to_string(&table).unwrap_or_else(|e| panic!("cannot read {}: {e}", table.display()));
    let ids = test_ids::parse(&source).unwrap_or_else(|e| panic!("{}: {e}", table.display()));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("test_ids.rs");
    std::fs::write(&out, test_ids::rust_source(&ids)).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
