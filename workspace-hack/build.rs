//! Does nothing: its presence makes the build-dependencies in Cargo.toml (host-side features
//! such as `syn`'s `fold` for proc macros) count in cargo's feature resolution.

fn main() {}
