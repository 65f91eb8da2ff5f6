//! A draft's biometrics as the packet carries them: one record per kept capture with the
//! metadata MOSIP expects (retries, force capture, device identity and signature, quality),
//! one exception entry per missing or unusable finger or eye, and the exception photo.
//!
//! Deliberately absent: CBEFF and bytes of the container (that is `enroll-packet`).

use base64::Engine as _;
use enroll_devices::{Modality, Position};
use enroll_packet::{BiometricException, BiometricRecord, DeviceIdentity, ExceptionKind};
use enroll_schemas::CapturePolicy;

use super::draft::{step_of, BiometricsDraft, ExceptionKindName, StoredCapture, StoredData};
use super::encoder::{image_record, RecordEncoder, RecordJob};
use crate::StationError;

/// What finalize puts in the packet for these biometrics.
pub struct PacketBiometrics {
    pub records: Vec<BiometricRecord>,
    pub exceptions: Vec<BiometricException>,
    /// Each device that made a kept capture, once.
    pub devices: Vec<DeviceIdentity>,
}

/// Records of pixel captures come from `encoder` when it made them in the background, and are
/// encoded here otherwise.
pub fn packet_biometrics(
    policy: &CapturePolicy,
    biometrics: &BiometricsDraft,
    encoder: &RecordEncoder,
) -> Result<PacketBiometrics, StationError> {
    let mut records = Vec::new();
    let mut devices: Vec<DeviceIdentity> = Vec::new();
    for (position, capture) in &biometrics.captures {
        let step = step_of(policy, *position);
        let forced = step.is_some_and(|s| biometrics.forced.contains_key(&s))
            && step.is_some_and(|s| capture.quality < policy.threshold(s));
        records.push(record(*position, capture, forced, encoder)?);
    }
    if let Some(photo) = &biometrics.exception_photo {
        records.push(record(Position::ExceptionPhoto, photo, false, encoder)?);
    }
    for record in &records {
        if !devices.contains(&record.device) {
            devices.push(record.device.clone());
        }
    }
    let exceptions = biometrics
        .exceptions
        .iter()
        .map(|(position, exception)| BiometricException {
            modality: packet_modality(*position),
            position: position.mosip_name().to_string(),
            kind: match exception.kind {
                ExceptionKindName::Missing => ExceptionKind::Missing,
                ExceptionKindName::Unusable => ExceptionKind::Unusable,
            },
            reason: exception.reason.clone(),
        })
        .collect();
    Ok(PacketBiometrics {
        records,
        exceptions,
        devices,
    })
}

fn record(
    position: Position,
    capture: &StoredCapture,
    force_captured: bool,
    encoder: &RecordEncoder,
) -> Result<BiometricRecord, StationError> {
    let device = DeviceIdentity {
        make: capture.device.make.clone(),
        model: capture.device.model.clone(),
        serial: capture.device.serial.clone(),
        simulated: capture.device.simulated,
    };
    Ok(BiometricRecord {
        modality: packet_modality(position),
        position: position.mosip_name().to_string(),
        quality: capture.quality,
        retries: capture.attempt.saturating_sub(1),
        force_captured,
        captured_at: capture.captured_at.clone(),
        device,
        device_digital_id: capture.device.digital_id.clone(),
        device_signature: capture.signature.as_ref().map(|jws| jws.as_bytes().to_vec()),
        data: record_bytes(position, capture, encoder)?,
    })
}

fn record_bytes(position: Position, capture: &StoredCapture, encoder: &RecordEncoder) -> Result<Vec<u8>, StationError> {
    let decode = super::draft::decode_stored;
    match &capture.data {
        StoredData::IsoRecord { record } => decode(record),
        StoredData::Image { png, ppi, png_sha256 } => {
            // The key kept with the capture finds the background's record without touching
            // the PNG; a draft from an earlier version has none, and its PNG is hashed here.
            let kept_key = png_sha256.as_deref().and_then(super::encoder::key_from_hex);
            if let Some(made) = kept_key.and_then(|key| encoder.take_key(&key)) {
                return made;
            }
            let png = decode(png)?;
            if let Some(made) = encoder.take(&png) {
                return made;
            }
            image_record(&job_for(position, png, *ppi, capture)?)
        }
    }
}

/// The encoding job for a kept pixel capture.
pub fn job_for(position: Position, png: Vec<u8>, ppi: u16, capture: &StoredCapture) -> Result<RecordJob, StationError> {
    let at = time::OffsetDateTime::parse(&capture.captured_at, &time::format_description::well_known::Rfc3339)
        .map_err(|_| StationError::corrupt(format!("the capture time {:?} does not parse", capture.captured_at)))?;
    Ok(RecordJob {
        position,
        png,
        ppi,
        quality: capture.quality,
        captured_at: enroll_devices::iso19794::CaptureDateTime::from_time(at),
    })
}

/// A finalized packet's biometrics read back into the draft's form, for the supervisor's review:
/// each record under its position (the ISO record as it is), each exception, the exception
/// photo, and steps with a force-captured record marked as signed off. Records this station
/// would not have written (an unknown position) are left out of the view, not the packet.
pub fn from_packet(policy: &CapturePolicy, contents: &enroll_packet::PacketContents) -> BiometricsDraft {
    let mut biometrics = BiometricsDraft::default();
    for record in &contents.biometrics {
        let stored = StoredCapture {
            data: StoredData::IsoRecord {
                record: base64::engine::general_purpose::STANDARD.encode(&record.data),
            },
            quality: record.quality,
            quality_source: enroll_devices::QualitySource::Device,
            device: enroll_devices::DeviceInfo {
                make: record.device.make.clone(),
                model: record.device.model.clone(),
                serial: record.device.serial.clone(),
                digital_id: record.device_digital_id.clone(),
                simulated: record.device.simulated,
                ..Default::default()
            },
            signature: None,
            captured_at: record.captured_at.clone(),
            attempt: record.retries + 1,
        };
        let modality = match record.modality {
            enroll_packet::Modality::ExceptionPhoto => {
                biometrics.exception_photo = Some(stored);
                continue;
            }
            enroll_packet::Modality::Face => Modality::Face,
            enroll_packet::Modality::Iris => Modality::Iris,
            enroll_packet::Modality::Finger => Modality::Finger,
        };
        let Some(position) = Position::from_mosip_name(modality, &record.position) else {
            continue;
        };
        if let Some(step) = step_of(policy, position) {
            if record.force_captured {
                biometrics.forced.insert(
                    step,
                    super::draft::SignOff {
                        supervisor: String::new(),
                        at: String::new(),
                    },
                );
            }
            let attempts = biometrics.attempts.entry(step).or_insert(0);
            *attempts = (*attempts).max(record.retries + 1);
        }
        biometrics.captures.insert(position, stored);
    }
    for exception in &contents.exceptions {
        let modality = match exception.modality {
            enroll_packet::Modality::Iris => Modality::Iris,
            _ => Modality::Finger,
        };
        if let Some(position) = Position::from_mosip_name(modality, &exception.position) {
            biometrics.exceptions.insert(
                position,
                super::draft::StoredException {
                    kind: match exception.kind {
                        ExceptionKind::Missing => ExceptionKindName::Missing,
                        ExceptionKind::Unusable => ExceptionKindName::Unusable,
                    },
                    reason: exception.reason.clone(),
                    marked_by: String::new(),
                    marked_at: String::new(),
                },
            );
        }
    }
    biometrics
}

fn packet_modality(position: Position) -> enroll_packet::Modality {
    match position {
        Position::ExceptionPhoto => enroll_packet::Modality::ExceptionPhoto,
        other => match other.modality() {
            Modality::Finger => enroll_packet::Modality::Finger,
            Modality::Iris => enroll_packet::Modality::Iris,
            Modality::Face => enroll_packet::Modality::Face,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::biometrics::encoder::key_of;

    fn png() -> Vec<u8> {
        let image = image::GrayImage::from_fn(64, 48, |x, y| image::Luma([((x * 3 + y * 5) % 256) as u8]));
        let mut png = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    }

    fn capture(data: StoredData) -> StoredCapture {
        StoredCapture {
            data,
            quality: 70,
            quality_source: enroll_devices::QualitySource::Station,
            device: enroll_devices::DeviceInfo::default(),
            signature: None,
            captured_at: "2026-11-30T10:00:00Z".into(),
            attempt: 1,
        }
    }

    /// The record the background encoder makes for `png` at the left index, and the job.
    fn encoded_in_background(png: &[u8]) -> (RecordEncoder, Vec<u8>) {
        let kept = capture(StoredData::Image {
            png: base64::engine::general_purpose::STANDARD.encode(png),
            ppi: 500,
            png_sha256: None,
        });
        let job = job_for(Position::LeftIndex, png.to_vec(), 500, &kept).unwrap();
        let expected = image_record(&job).unwrap();
        let encoder = RecordEncoder::default();
        encoder.start(vec![job]);
        (encoder, expected)
    }

    #[test]
    fn the_key_kept_with_a_capture_finds_its_record_without_reading_the_png() {
        let png = png();
        let (encoder, expected) = encoded_in_background(&png);
        // The PNG text is not even base64: reaching it would fail.
        let kept = capture(StoredData::Image {
            png: "not base64 at all!".into(),
            ppi: 500,
            png_sha256: Some(hex::encode(key_of(&png))),
        });
        assert_eq!(record_bytes(Position::LeftIndex, &kept, &encoder).unwrap(), expected);
    }

    #[test]
    fn without_a_kept_key_or_a_background_record_the_png_is_read() {
        let png = png();
        let stored = base64::engine::general_purpose::STANDARD.encode(&png);
        // A draft from an earlier version: no key; the PNG is hashed to find the record.
        let (encoder, expected) = encoded_in_background(&png);
        let legacy = capture(StoredData::Image {
            png: stored.clone(),
            ppi: 500,
            png_sha256: None,
        });
        assert_eq!(record_bytes(Position::LeftIndex, &legacy, &encoder).unwrap(), expected);
        // After a restart the encoder holds nothing: the kept key misses and the PNG is encoded.
        let kept = capture(StoredData::Image {
            png: stored,
            ppi: 500,
            png_sha256: Some(hex::encode(key_of(&png))),
        });
        assert_eq!(
            record_bytes(Position::LeftIndex, &kept, &RecordEncoder::default()).unwrap(),
            expected
        );
    }
}
