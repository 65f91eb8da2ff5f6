//! The fuzz targets over `enroll-devices`: the ISO/IEC 19794 records that capture devices hand
//! over (and that arrive inside CBEFF files). Must never panic or hang on any bytes.
//!
//! Compiled into the fuzz binaries and, through `#[path]`, into
//! `device-drivers/tests/fuzz_regressions`, which replays `fuzz/seeds/` and
//! `fuzz/regressions/`; so it uses only `enroll-devices` itself.
//!
//! Deliberately absent: judging the images inside the records.

use enroll_devices::iso19794::{GeneralHeader, Iso19794Record};

/// `GeneralHeader::parse` and `Iso19794Record::parse`; a parsed record has what its own
/// accessors promise.
pub fn iso19794(data: &[u8]) {
    let header = GeneralHeader::parse(data);
    match Iso19794Record::parse(data) {
        Ok(record) => {
            assert!(header.is_ok(), "a record parsed without its general header parsing");
            // `first` promises that a record always has at least one representation.
            let _ = record.first();
            assert_eq!(
                record.representations.len(),
                usize::from(record.header.representation_count)
            );
        }
        Err(error) => assert!(error.code().starts_with("iso_record_"), "{error:?}"),
    }
}
