//! The image codecs the station reads and writes: the formats in which devices hand over finger,
//! iris and face images inside ISO/IEC 19794 records, and in which the station stores its own
//! captures for the register. Each codec is one module with the same shape: decode to pixels,
//! read the dimensions from the header alone, and encode from pixels where the station writes
//! that format (JPEG 2000 lossless; WSQ is only read). Errors are [`crate::DeviceError`]s with
//! codes of their own.
//!
//! Deliberately absent: choosing a codec for a modality (the registration profile does that) and
//! judging quality (see [`crate::quality`]).

pub mod jpeg2000;
pub mod wsq;
