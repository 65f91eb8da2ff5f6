//! The fuzz target over the ISO/IEC 19794 records that capture devices hand over (and that
//! arrive inside CBEFF files), both editions of parts 4, 5 and 6. Must never panic or hang on
//! any bytes. The SBI, codec and USB recording targets are in `sbi_targets.rs`,
//! `codec_targets.rs` and `usb_targets.rs`.
//!
//! Compiled into the fuzz binaries and, through `#[path]`, into
//! `device-drivers/tests/fuzz_regressions`, which replays `fuzz/seeds/` and
//! `fuzz/regressions/`; so it uses only `enroll-devices` itself.
//!
//! Deliberately absent: judging the images inside the records.

use enroll_devices::iso19794::{convert, summary, write_record, Edition, GeneralHeader, Iso19794Record};

/// `GeneralHeader::parse` and `Iso19794Record::parse`; a parsed record has what its own
/// accessors promise, writes back to the same bytes in its own edition (the module's promise),
/// and, where it converts to the other edition, the converted record writes and reads back too.
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
            let _ = summary(&record);
            let written = write_record(&record, record.edition())
                .unwrap_or_else(|e| panic!("a parsed record does not write back in its own edition: {e:?}"));
            let again = Iso19794Record::parse(&written)
                .unwrap_or_else(|e| panic!("a parsed record, written back, does not parse: {e:?}"));
            assert_eq!(again, record, "a parsed record changed when written back");
            assert!(written == data, "a parsed record wrote back to other bytes");
            let other = match record.edition() {
                Edition::Iso2005 => Edition::Iso2011,
                Edition::Iso2011 => Edition::Iso2005,
            };
            if let Ok(conversion) = convert(&record, other) {
                let bytes = write_record(&conversion.record, other)
                    .unwrap_or_else(|e| panic!("a converted record does not write: {e:?}"));
                let read = Iso19794Record::parse(&bytes)
                    .unwrap_or_else(|e| panic!("a converted record, written, does not parse: {e:?}"));
                assert_eq!(read, conversion.record);
            }
        }
        Err(error) => assert!(error.code().starts_with("iso_record_"), "{error:?}"),
    }
}
