//! The floor of `make bench`'s app-start bench (`bench/benches/app_start.rs`): an empty Tauri 2
//! window, built with the app's Tauri and features, whose one static page (`page/`) calls one
//! command once its script runs. The command prints `READY` on stdout, the line the bench
//! waits for; what the app adds on top of this (its UI, the station, the vault) is what the
//! bench's limits are about.
//!
//! Deliberately absent: plugins, capabilities, state, logging; anything the app does that an
//! empty window need not.

// Release builds on Windows get no console window, as the app's; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write as _;

/// The page's one call: its script has run. Printed once per call, flushed at once, since the
/// bench reads it through a pipe.
#[tauri::command]
fn ready() {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "READY");
    let _ = stdout.flush();
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the empty window could not start");
}
