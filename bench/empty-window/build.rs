//! Generates the Tauri context (tauri.conf.json, the embedded page) at build time, as the
//! app's build script does. No app manifest and no capability: an app without one lets its
//! windows call every command it registers, here the one `ready`.

fn main() {
    tauri_build::build();
}
