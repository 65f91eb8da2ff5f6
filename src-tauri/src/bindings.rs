//! The window's typed interface, generated from the Rust definitions.
//!
//! tauri-specta reads each command's signature (`#[specta::specta]` in `commands.rs`) and every
//! type it names (`specta::Type` on the station's views), and writes
//! `ui/src/lib/backend/bindings.ts`: the types, one typed function per command, and the lists
//! of error codes and permission rules the UI's catalogues must cover. The file is committed;
//! the contract test fails when regenerating would change it, and `make bindings` (or
//! `UPDATE_BINDINGS=1` with the test) rewrites it.

use enroll_station::{ErrorCode, ErrorView, PermissionRule};
use specta_typescript::Typescript;
use tauri_specta::{Builder, ErrorHandlingMode};

include!(concat!(env!("OUT_DIR"), "/command_list.rs"));

/// Where the bindings live, from this crate's folder.
pub const BINDINGS_PATH: &str = "../ui/src/lib/backend/bindings.ts";

const HEADER: &str = "// Generated from the Rust definitions by src-tauri/src/bindings.rs (tauri-specta). Do not edit:
// run `make bindings` after changing a command or a type the window sees.
/* eslint-disable */";

/// The commands with their bindings: `main.rs` takes its invoke handler from it.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collected_commands())
        // A failed command rejects its promise with an `ErrorView` (the UI's `backend.ts`
        // turns it into a `BackendError`), instead of resolving to a result object: screens
        // keep their try/catch.
        .error_handling(ErrorHandlingMode::Throw)
        .typ::<ErrorView>()
        .typ::<PermissionRule>()
        .constant("ERROR_CODES", ErrorCode::ALL)
        .constant("PERMISSION_RULES", PermissionRule::ALL)
        // One TypeScript type per Rust type: the window reads what the station serializes,
        // and the few request types it sends have no optional fields, so serde's separate
        // serialize and deserialize shapes would only add `X_Serialize | X_Deserialize` unions.
        .disable_serde_phases()
        // Counts and milliseconds are u64 in Rust; none comes near 2^53, so plain numbers.
        .dangerously_cast_bigints_to_number()
}

/// Writes the TypeScript to `path`.
pub fn export(path: &std::path::Path) -> Result<(), String> {
    builder()
        .export(Typescript::default().header(HEADER), path)
        .map_err(|error| format!("cannot write the bindings to {}: {error}", path.display()))
}
