//! The ten finger records of the MOSIP mock device's registration set
//! (`mosip-mock-mds/registration/*.iso` in the shared fixtures) and the station's work on them
//! that `make bench` times: parse each record, decode its image
//! (`enroll_devices::codecs::decode_record_image`) and score it
//! (`enroll_devices::quality::finger_quality`) at the resolution the record states.
//!
//! The fixtures are found through `ENROLL_FIXTURES`, else `../shared/fixtures` beside the
//! repository; they are read in place, never copied. Absent fixtures are `None`, so that a
//! bench can say "skipped" (and not pass) instead of panicking.
//!
//! Deliberately absent: the iris and face records of the same folder (not part of the
//! ten-finger limit) and any caching of decoded images (the limit is on decoding).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use enroll_devices::codecs::decode_record_image;
use enroll_devices::iso19794::{Iso19794Record, Modality, ScaleUnits};
use enroll_devices::quality::finger_quality;

/// The fixtures' root folder.
pub fn fixtures_root() -> PathBuf {
    std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"))
}

/// The MOSIP registration set's folder, if it is there.
pub fn registration_folder() -> Option<PathBuf> {
    let folder = fixtures_root().join("mosip-mock-mds/registration");
    folder.is_dir().then_some(folder)
}

/// The bytes of the ten finger records in `folder` (sorted by file name); an error unless
/// there are exactly ten.
pub fn finger_records(folder: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "iso") {
            paths.push(path);
        }
    }
    paths.sort();
    let mut fingers = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let record = Iso19794Record::parse(&bytes).with_context(|| format!("parsing {}", path.display()))?;
        if record.modality() == Modality::Finger {
            fingers.push(bytes);
        }
    }
    anyhow::ensure!(
        fingers.len() == 10,
        "{} holds {} finger records, not ten",
        folder.display(),
        fingers.len()
    );
    Ok(fingers)
}

/// One finger as the station sees it after decoding and scoring.
pub struct ScoredFinger {
    /// The decoded 8-bit grey pixels, row by row.
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub ppi: u16,
    /// 0..=100.
    pub score: u8,
}

/// Parse, decode and score one finger record.
pub fn decode_and_score(record: &[u8]) -> anyhow::Result<ScoredFinger> {
    let record = Iso19794Record::parse(record)?;
    anyhow::ensure!(
        record.modality() == Modality::Finger,
        "a {:?} record, not a finger",
        record.modality()
    );
    let image = &record.first().image;
    let ppi = match image.resolution {
        Some(resolution) => match resolution.units {
            ScaleUnits::PixelsPerInch => resolution.horizontal,
            // 2.54 cm to the inch, rounded to the nearest whole ppi.
            ScaleUnits::PixelsPerCentimetre => ((u32::from(resolution.horizontal) * 254 + 50) / 100)
                .try_into()
                .unwrap_or(u16::MAX),
        },
        None => anyhow::bail!("the finger record states no resolution"),
    };
    let pixels = decode_record_image(image)?;
    let score = finger_quality(&pixels, ppi).score;
    let (width, height) = pixels.dimensions();
    Ok(ScoredFinger {
        pixels: pixels.into_raw(),
        width,
        height,
        ppi,
        score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> PathBuf {
        registration_folder().unwrap_or_else(|| {
            panic!(
                "fixture mosip-mock-mds/registration is absent under {}: set ENROLL_FIXTURES",
                fixtures_root().display()
            )
        })
    }

    #[test]
    fn the_ten_registration_fingers_decode_to_their_stated_size_and_are_scored() {
        let records = finger_records(&folder()).unwrap();
        assert_eq!(records.len(), 10, "finger_records promises exactly ten");
        for bytes in &records {
            let stated = Iso19794Record::parse(bytes).unwrap().first().image.clone();
            let finger = decode_and_score(bytes).unwrap();
            assert_eq!(
                (finger.width, finger.height),
                (u32::from(stated.width), u32::from(stated.height)),
                "decoded to the record's size"
            );
            assert_eq!(
                finger.pixels.len(),
                (finger.width * finger.height) as usize,
                "8-bit grey"
            );
            assert!(
                (125..=2000).contains(&finger.ppi),
                "a fingerprint resolution: {}",
                finger.ppi
            );
            assert!(finger.score <= 100);
        }
        // Real fingerprints from a registration device have ridges to find.
        let scored = records
            .iter()
            .filter(|bytes| decode_and_score(bytes).unwrap().score > 0)
            .count();
        assert_eq!(scored, 10, "every fixture finger scores above zero");
    }

    #[test]
    fn a_face_record_is_refused_as_not_a_finger() {
        let face = std::fs::read(folder().join("Face.iso")).unwrap();
        let error = decode_and_score(&face).err().expect("a face is not a finger");
        assert!(error.to_string().contains("not a finger"), "{error:#}");
    }

    #[test]
    fn bytes_that_are_no_record_are_an_error_not_a_panic() {
        assert!(decode_and_score(b"").is_err());
        assert!(decode_and_score(b"FIR\0 this is not a record").is_err());
    }

    #[test]
    fn a_folder_without_ten_fingers_is_an_error_that_counts_them() {
        let scratch = tempfile::tempdir().unwrap();
        let one = std::fs::read(folder().join("Left_Thumb.iso")).unwrap();
        std::fs::write(scratch.path().join("Left_Thumb.iso"), one).unwrap();
        let error = finger_records(scratch.path()).unwrap_err();
        assert!(error.to_string().contains("holds 1 finger records"), "{error:#}");
    }
}
