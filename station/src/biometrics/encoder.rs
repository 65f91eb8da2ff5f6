//! Wrapping captured pixels into ISO/IEC 19794 records with JPEG 2000 lossless images, in the
//! background: encoding ten fingers takes the better part of a second on one core, so it
//! starts as soon as a step is captured and runs while the clerk takes the next one; finalize
//! then only collects the results.
//!
//! The work is keyed by the SHA-256 of the PNG kept in the draft, so a result can only ever be
//! used for the exact pixels it was made from (a retry that replaces a capture simply misses).
//! Results live in memory: after a restart, finalize encodes what it finds no result for. So
//! that the results of captures no one will finalize (replaced by a better attempt, a draft
//! discarded or left for days) do not pile up over a day, at most [`KEPT_RESULTS`] finished
//! records are kept, the oldest dropped first: finalize encodes a dropped one itself.
//!
//! Deliberately absent: the vault (the draft keeps the PNG; only finalize writes records).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};

use enroll_devices::codecs::jpeg2000;
use enroll_devices::iso19794::{
    CaptureDateTime, CaptureDevice, Edition, FaceImageInput, FingerImageInput, IrisImageInput, QualityBlock,
};
use enroll_devices::{Modality, Position};
use sha2::{Digest, Sha256};

use crate::StationError;

/// What a record is made from.
#[derive(Debug, Clone)]
pub struct RecordJob {
    pub position: Position,
    pub png: Vec<u8>,
    pub ppi: u16,
    pub quality: u8,
    pub captured_at: CaptureDateTime,
}

impl RecordJob {
    pub fn key(&self) -> [u8; 32] {
        key_of(&self.png)
    }
}

pub fn key_of(png: &[u8]) -> [u8; 32] {
    Sha256::digest(png).into()
}

/// A key as the draft keeps it (hex); `None` if it is not one.
pub fn key_from_hex(hex: &str) -> Option<[u8; 32]> {
    hex::decode(hex).ok()?.try_into().ok()
}

enum Slot {
    Pending,
    Done(Result<Vec<u8>, String>),
}

/// Finished records kept at most: a few registrations' worth (ten fingers, two irises and a
/// face each), a few megabytes.
pub const KEPT_RESULTS: usize = 48;

/// Records being made and made, by the key of their PNG, and the finished ones oldest first.
#[derive(Default)]
struct Cache {
    slots: HashMap<[u8; 32], Slot>,
    finished: VecDeque<[u8; 32]>,
}

impl Cache {
    fn finish(&mut self, key: [u8; 32], result: Result<Vec<u8>, String>) {
        self.slots.insert(key, Slot::Done(result));
        self.finished.retain(|k| *k != key);
        self.finished.push_back(key);
        while self.finished.len() > KEPT_RESULTS {
            if let Some(oldest) = self.finished.pop_front() {
                self.slots.remove(&oldest);
            }
        }
    }
}

/// The cache and the signal that a record is done.
type Slots = (Mutex<Cache>, Condvar);

/// Records being made and made, by the key of their PNG.
#[derive(Default, Clone)]
pub struct RecordEncoder {
    shared: Arc<Slots>,
}

impl RecordEncoder {
    /// Start making these records on a worker thread (one after the other: one core is the
    /// budget, the other stays with the window).
    pub fn start(&self, jobs: Vec<RecordJob>) {
        if jobs.is_empty() {
            return;
        }
        {
            let mut cache = self.cache();
            for job in &jobs {
                cache.slots.entry(job.key()).or_insert(Slot::Pending);
            }
        }
        let shared = self.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("record-encoder".into())
            .spawn(move || {
                for job in jobs {
                    let result = image_record(&job).map_err(|e| e.to_string());
                    let (cache, done) = &*shared;
                    cache
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .finish(job.key(), result);
                    done.notify_all();
                }
            });
        if let Err(error) = spawned {
            // No thread: finalize will encode these itself. Forget the pending marks so that it
            // does not wait for them.
            tracing::warn!(%error, "the background record encoder could not start");
            self.cache().slots.retain(|_, slot| !matches!(slot, Slot::Pending));
        }
    }

    /// The record made for `png`, waiting if it is still being made; `None` if it was never
    /// started (then the caller encodes it). The result leaves the cache.
    pub fn take(&self, png: &[u8]) -> Option<Result<Vec<u8>, StationError>> {
        self.take_key(&key_of(png))
    }

    /// [`RecordEncoder::take`] by the PNG's key.
    pub fn take_key(&self, key: &[u8; 32]) -> Option<Result<Vec<u8>, StationError>> {
        let key = *key;
        let (_, done) = &*self.shared;
        let mut cache = self.cache();
        loop {
            match cache.slots.get(&key) {
                None => return None,
                Some(Slot::Pending) => cache = done.wait(cache).unwrap_or_else(|p| p.into_inner()),
                Some(Slot::Done(_)) => {
                    let Some(Slot::Done(result)) = cache.slots.remove(&key) else {
                        unreachable!("just matched")
                    };
                    cache.finished.retain(|k| *k != key);
                    return Some(result.map_err(StationError::Internal));
                }
            }
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The registration profile's record for a capture's pixels: JPEG 2000 lossless in the 2011
/// edition of the position's part (4 finger, 5 face and exception photo, 6 iris). The quality
/// block names no algorithm (vendor 0, id 0): the score is the device's or the station's own.
pub fn image_record(job: &RecordJob) -> Result<Vec<u8>, StationError> {
    let image = image::load_from_memory_with_format(&job.png, image::ImageFormat::Png)
        .map_err(|e| StationError::corrupt(format!("a kept capture is not a readable PNG: {e}")))?
        .into_luma8();
    let jp2 = jpeg2000::encode_lossless(&image)?;
    let quality = QualityBlock {
        score: job.quality.min(100),
        algorithm_vendor_id: 0,
        algorithm_id: 0,
    };
    let device = CaptureDevice::default();
    let record = match (job.position, job.position.modality()) {
        (position, Modality::Finger) => FingerImageInput {
            image: &jp2,
            position: position.iso_finger_code().unwrap_or(0),
            impression_type: 0,
            resolution_ppi: job.ppi,
            bit_depth: 8,
            captured_at: Some(job.captured_at),
            device,
            quality,
            image_acquisition_level_2005: None,
        }
        .write(Edition::Iso2011)?,
        (position, Modality::Iris) => IrisImageInput {
            image: &jp2,
            eye_label: if position == Position::RightIris { 1 } else { 2 },
            image_type: 1,
            bit_depth: 8,
            captured_at: Some(job.captured_at),
            device,
            quality,
        }
        .write(Edition::Iso2011)?,
        (_, Modality::Face) => FaceImageInput {
            image: &jp2,
            captured_at: Some(job.captured_at),
            device,
            quality,
            colour_space: 0,
        }
        .write(Edition::Iso2011)?,
    };
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(shade: u8) -> RecordJob {
        let pixels = image::GrayImage::from_pixel(16, 16, image::Luma([shade]));
        let mut png = Vec::new();
        image::DynamicImage::ImageLuma8(pixels)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        RecordJob {
            position: Position::RightIndex,
            png,
            ppi: 500,
            quality: 80,
            captured_at: CaptureDateTime::UNKNOWN,
        }
    }

    #[test]
    fn finished_records_no_one_takes_are_dropped_oldest_first() {
        let encoder = RecordEncoder::default();
        let jobs: Vec<RecordJob> = (0..KEPT_RESULTS as u8 + 5).map(job).collect();
        encoder.start(jobs.clone());
        // The last one waited for: every one before it is done too (one worker, in order).
        let last = encoder.take(&jobs.last().unwrap().png).expect("started").unwrap();
        assert!(!last.is_empty());
        assert!(encoder.take(&jobs[0].png).is_none(), "the oldest was dropped");
        assert!(encoder.take(&jobs[4].png).is_none());
        assert!(encoder.take(&jobs[5].png).expect("kept").is_ok(), "the newer are kept");
        assert!(encoder.cache().slots.len() <= KEPT_RESULTS);
    }
}
