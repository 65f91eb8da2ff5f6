// Tells the Rust side that the page has loaded and its script runs: a module script runs once
// the document is parsed, as the app's (Vite's) does before it asks the station for its status.
// `__TAURI_INTERNALS__` is what Tauri injects into every page; the app's @tauri-apps/api calls
// the same function, and no bundler or npm package is needed for one call.
window.__TAURI_INTERNALS__.invoke('ready');
