//! Timestamps as every crate of the workspace writes them: RFC 3339 in UTC (`2025-03-01T09:10:00Z`),
//! the form `meta.json`, receipts and the vault's columns all use (`schemas/packet-envelope.md` §3).
//!
//! Why here: the station, the intake and the benchmarks all write these, and all depend on this
//! crate; one function means one spelling. Deliberately absent: reading the clock. Callers pass
//! the time in, so that dates stay testable.

use ::time::format_description::well_known::Rfc3339;
use ::time::{OffsetDateTime, UtcOffset};

/// `at` in UTC as RFC 3339, with a `Z` and no fraction when the time has none.
///
/// Never panics: RFC 3339 has four-digit years only, so a time outside the years 0 to 9999
/// (which no clock gives) is written as its Unix time in seconds instead.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let utc = at.to_offset(UtcOffset::UTC);
    utc.format(&Rfc3339)
        .unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::datetime;

    #[test]
    fn utc_with_z_and_fractions_only_when_present() {
        assert_eq!(rfc3339(datetime!(2025-03-01 09:10:00 UTC)), "2025-03-01T09:10:00Z");
        assert_eq!(
            rfc3339(datetime!(2025-03-01 09:10:00.25 UTC)),
            "2025-03-01T09:10:00.25Z"
        );
    }

    #[test]
    fn other_offsets_are_written_in_utc() {
        assert_eq!(rfc3339(datetime!(2025-03-01 10:10:00 +01:00)), "2025-03-01T09:10:00Z");
    }

    #[test]
    fn this_is_the_only_rfc3339_writer_in_the_workspace() {
        // The station, the intake and the benchmarks each had their own copy, which differed in
        // what they did with a year RFC 3339 cannot spell; one copy cannot drift.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut copies = Vec::new();
        let mut folders = vec![root.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap().flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if path.is_dir() {
                    if !name.starts_with('.') && !["target", "node_modules", "fuzz"].contains(&name.as_str()) {
                        folders.push(path);
                    }
                } else if name.ends_with(".rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    if text.contains("fn rfc3339(") {
                        copies.push(path.strip_prefix(&root).unwrap().to_string_lossy().into_owned());
                    }
                }
            }
        }
        assert_eq!(
            copies,
            ["packet/src/time.rs"],
            "call enroll_packet::time::rfc3339 instead"
        );
    }

    #[test]
    fn years_rfc_3339_cannot_spell_fall_back_to_unix_time() {
        let far = OffsetDateTime::from_unix_timestamp(-62_167_219_201).unwrap(); // year -1
        assert_eq!(rfc3339(far), "-62167219201");
    }
}
