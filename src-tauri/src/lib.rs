//! The desktop shell's library: the window's commands, the station slot they share, and the
//! TypeScript bindings generated from them. `main.rs` runs the app with these; the contract
//! test (`tests/contract`) checks the bindings and permissions against them.

pub mod bindings;
pub mod commands;
pub mod slip_pdf;
pub mod slot;
