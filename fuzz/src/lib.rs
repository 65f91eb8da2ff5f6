//! The bodies of the fuzz targets, one function per target, so that the fuzz binaries
//! (`fuzz_targets/`) and the crates' regression tests (which include these files by path and
//! replay `fuzz/seeds/` and `fuzz/regressions/`) run exactly the same code.
//!
//! Deliberately absent: any libFuzzer specifics; these are plain functions of `&[u8]`.

pub mod codec_targets;
pub mod devices_targets;
pub mod intake_targets;
pub mod packet_targets;
pub mod sbi_targets;
pub mod schemas_targets;
pub mod sync_targets;
pub mod usb_targets;
