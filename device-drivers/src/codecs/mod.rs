//! The image codecs the station reads and writes: the compressed pictures that devices hand
//! over inside ISO/IEC 19794 records, decoded to plain pixels for display and quality checks.
//!
//! Each codec is a module of its own with the same shape of API (`decode`, `dimensions`) and
//! errors as [`crate::DeviceError`] with codes of its own. Deliberately absent: choosing a codec
//! from a record (the record's image format says which) and any encoder the station does not
//! need.

pub mod wsq;
