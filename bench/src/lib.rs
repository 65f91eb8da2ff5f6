//! Proof that the vault keeps what it promised, and how fast: the crash harness and the
//! full-disk test (`tests/crash/`, run by `make test`) and the benchmarks (`benches/vault.rs`
//! and `benches/biometrics.rs`, run by `make bench`).
//!
//! This library holds what those share: a station set up in a vault without an intake
//! ([`fixture`]), packets of realistic sizes and the station's finalize and approve steps
//! done at the level the station does them ([`packets`]), self-checking draft content
//! ([`drafts`]), a full registration captured by the station from its simulated devices
//! ([`captured`]), the MOSIP fixture's ten fingers decoded and scored ([`fingers`]), how a
//! benchmark prints its verdict ([`report`]), the memory of a program's process tree
//! ([`process_tree`], for `benches/app_start.rs`), the worker loop that the harness kills
//! ([`worker`]) and the check of a vault after a crash ([`inspect`]).
//!
//! Deliberately absent: any new behaviour. Everything here calls the public APIs of `store`
//! and `packet` in the order `station` calls them; when `station` changes how it finalizes or
//! approves, [`packets`] must follow (its module docs say which lines it mirrors).

pub mod captured;
pub mod drafts;
pub mod fingers;
pub mod fixture;
pub mod inspect;
pub mod packets;
pub mod process_tree;
pub mod report;
pub mod worker;

/// RFC 3339 in UTC, as the station writes timestamps: the station's own function, so the
/// benchmarks' dates cannot drift from the station's.
pub use enroll_packet::time::rfc3339;
