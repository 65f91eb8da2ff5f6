//! Empty on purpose: this crate exists for the dependency features in its Cargo.toml, which make
//! `make build` compile the third-party crates as the test build does (see that file).
