//! Generates the Tauri context (config, capabilities, embedded icons) at build time.
//!
//! The app's own commands are declared here so that each gets an `allow-<command>` permission
//! and the window may call only what `capabilities/main.json` grants it.

fn main() {
    let commands = &[
        "status",
        "set_up",
        "log_in",
        "log_out",
        "add_operator",
        "list_operators",
        "remove_operator",
        "reset_password",
        "change_password",
        "policy",
        "set_policy",
        "purge_expired",
        "session_state",
        "home_summary",
        "home_page",
        "form",
        "new_registration",
        "save_draft",
        "capture_face",
        "finalize",
        "approve",
        "reject",
        "registration",
        "sync_now",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to generate the Tauri context: check tauri.conf.json and capabilities/");
}
