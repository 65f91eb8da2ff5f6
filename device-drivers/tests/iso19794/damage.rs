//! Damaged records never panic the reader: every truncation of every fixture and hand-built
//! 2005 record, the same with the record length patched to match the cut (so the reader goes
//! past the general header and meets the cut inside a representation), and deterministic random
//! byte flips. Each is `Ok` or an `iso_record_*` error; an `Ok` record writes back.

use enroll_devices::iso19794::{write_record, GeneralHeader, Iso19794Record};
use rand::{Rng, SeedableRng};

fn all_records() -> Vec<(String, Vec<u8>)> {
    let mut records = crate::all_2011_fixtures();
    for (name, bytes) in crate::editions::hand_built_2005() {
        records.push((format!("hand-built 2005 {name}"), bytes));
    }
    assert_eq!(records.len(), 25 + 3);
    records
}

/// Parse must not panic; a record it accepts must write back in its own edition to the same
/// bytes (so the reader never accepts what the writer cannot reproduce).
fn check(name: &str, bytes: &[u8]) -> bool {
    match Iso19794Record::parse(bytes) {
        Ok(record) => {
            let written = write_record(&record, record.edition())
                .unwrap_or_else(|e| panic!("{name}: a record that parses does not write back: {e}"));
            assert!(written == bytes, "{name}: a record that parses writes back differently");
            true
        }
        Err(error) => {
            assert!(error.code().starts_with("iso_record_"), "{name}: {error}");
            false
        }
    }
}

/// Write `length` into the record length field of `bytes` (4 bytes at offset 8, or 6 for a
/// 2005 finger record).
fn patch_length(bytes: &mut [u8], length: usize) {
    if bytes.len() < 14 {
        return;
    }
    if bytes.starts_with(b"FIR\x00010\x00") {
        bytes[8..14].copy_from_slice(&(length as u64).to_be_bytes()[2..]);
    } else {
        bytes[8..12].copy_from_slice(&(length as u32).to_be_bytes());
    }
}

#[test]
fn every_truncation_is_refused_without_panic() {
    for (name, bytes) in all_records() {
        for cut in 0..bytes.len() {
            assert!(!check(&name, &bytes[..cut]), "{name}: cut at {cut} parsed");
        }
    }
}

#[test]
fn every_truncation_with_a_matching_length_is_refused_without_panic() {
    for (name, bytes) in all_records() {
        // Cuts near the headers, where the structure is, one by one; through the image bytes,
        // every 97th (an image cut anywhere is the same one check of its length).
        let cuts = (0..bytes.len()).filter(|cut| *cut < 512 || bytes.len() - cut < 512 || cut % 97 == 0);
        let mut tried = 0;
        for cut in cuts {
            let mut short = bytes[..cut].to_vec();
            patch_length(&mut short, cut);
            // A cut that falls exactly between representations may parse if the count is
            // patched too; it is not, so every one must fail.
            assert!(
                !check(&name, &short),
                "{name}: cut at {cut} with its length patched parsed"
            );
            tried += 1;
        }
        assert!(tried >= bytes.len().min(1024), "{name}: {tried} cuts");
    }
}

#[test]
fn random_byte_flips_never_panic() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(197_942_005);
    let mut parsed = 0;
    let mut refused = 0;
    for (name, valid) in all_records() {
        for _ in 0..300 {
            let mut bytes = valid.clone();
            for _ in 0..rng.gen_range(1..4) {
                // Half the flips land in the first 128 bytes, where the headers are.
                let at = if rng.gen_bool(0.5) {
                    rng.gen_range(0..valid.len().min(128))
                } else {
                    rng.gen_range(0..valid.len())
                };
                bytes[at] = rng.gen();
            }
            let _ = GeneralHeader::parse(&bytes);
            if check(&name, &bytes) {
                parsed += 1;
            } else {
                refused += 1;
            }
        }
    }
    // Flips inside image bytes leave a valid record; flips in lengths and codes do not.
    assert!(parsed > 0 && refused > 0, "{parsed} parsed, {refused} refused");
}

#[test]
fn record_lengths_shorter_than_the_header_are_refused_without_panic() {
    for (name, bytes) in all_records() {
        for length in 0..64 {
            let mut lying = bytes.clone();
            patch_length(&mut lying, length);
            let error = Iso19794Record::parse(&lying).unwrap_err();
            assert!(error.code().starts_with("iso_record_"), "{name}: {error}");
        }
    }
}

#[test]
fn random_byte_flips_in_small_records_never_panic() {
    // The hand-built 2005 records and the builders' 2011 ones are small, so every flip lands
    // near a header field.
    let mut rng = rand::rngs::StdRng::seed_from_u64(2005);
    let mut parsed = 0;
    let mut records = crate::editions::hand_built_2005();
    records.extend(crate::editions::small_2011());
    assert_eq!(records.len(), 6);
    for (name, valid) in records {
        for _ in 0..FLIPS_PER_SMALL_RECORD {
            let mut bytes = valid.clone();
            for _ in 0..rng.gen_range(1..4) {
                let at = rng.gen_range(0..bytes.len());
                bytes[at] = rng.gen();
            }
            if rng.gen_bool(0.2) {
                let cut = rng.gen_range(0..bytes.len());
                bytes.truncate(cut);
                patch_length(&mut bytes, cut);
            }
            let _ = GeneralHeader::parse(&bytes);
            parsed += usize::from(check(name, &bytes));
        }
    }
    assert!(
        parsed > 0,
        "some flips (in image bytes, quality values) leave a valid record"
    );
}

const FLIPS_PER_SMALL_RECORD: usize = 5000;
