//! Pixels into ISO/IEC 19794 records: what the CLI does with a capture that a device hands over
//! as raw grey pixels (simulated devices, native USB scanners) so that it leaves like an SBI
//! device's capture. The image is JPEG 2000 lossless (`codecs::jpeg2000::encode_lossless`, the
//! MOSIP registration profile) inside a 2011-edition record (`iso19794` builders): finger
//! (19794-4), iris (19794-6) or face (19794-5) by the position's modality.
//!
//! Also the station's quality for pixels whose device gave none (`quality::*`).
//!
//! Deliberately absent: records as SBI devices deliver them (kept byte for byte, never
//! rewritten here), the 2005 editions, and registered device or algorithm identifiers (written
//! as 0, "not reported": the simulators and our native drivers have none).

use enroll_devices::codecs::jpeg2000::encode_lossless;
use enroll_devices::iso19794::{
    CaptureDateTime, CaptureDevice, Edition, FaceImageInput, FingerImageInput, IrisImageInput, QualityBlock,
};
use enroll_devices::quality::{face_assessment, finger_quality, iris_quality};
use enroll_devices::{DeviceError, Modality, Position};
use image::GrayImage;
use time::OffsetDateTime;

/// 19794-4 impression type: live-scan plain (slaps and flat single fingers).
const LIVE_SCAN_PLAIN: u8 = 0;
/// 19794-6:2011 image type 1: an uncropped eye image, as the camera saw it.
const IRIS_UNCROPPED: u8 = 1;
/// 19794-5 colour space 3: 8-bit greyscale.
const GREYSCALE: u8 = 3;

/// A 2011-edition record holding `image` as JPEG 2000 lossless, for `position`.
pub fn record_from_pixels(
    position: Position,
    image: &GrayImage,
    ppi: u16,
    quality: u8,
    captured_at: OffsetDateTime,
) -> Result<Vec<u8>, DeviceError> {
    let jp2 = encode_lossless(image)?;
    let captured_at = Some(CaptureDateTime::from_time(captured_at));
    // No algorithm is named: the score is the device's own or the station's unregistered one.
    let quality = QualityBlock {
        score: quality.min(100),
        algorithm_vendor_id: 0,
        algorithm_id: 0,
    };
    let device = CaptureDevice::default();
    match position.modality() {
        Modality::Finger => FingerImageInput {
            image: &jp2,
            position: position.iso_finger_code().unwrap_or(0),
            impression_type: LIVE_SCAN_PLAIN,
            resolution_ppi: ppi,
            bit_depth: 8,
            captured_at,
            device,
            quality,
            image_acquisition_level_2005: None,
        }
        .write(Edition::Iso2011),
        Modality::Iris => IrisImageInput {
            image: &jp2,
            eye_label: if position == Position::RightIris { 1 } else { 2 },
            image_type: IRIS_UNCROPPED,
            bit_depth: 8,
            captured_at,
            device,
            quality,
        }
        .write(Edition::Iso2011),
        Modality::Face => FaceImageInput {
            image: &jp2,
            captured_at,
            device,
            quality,
            colour_space: GREYSCALE,
        }
        .write(Edition::Iso2011),
    }
}

/// The station's score for pixels whose device gave none, by the position's modality.
pub fn station_quality(position: Position, image: &GrayImage, ppi: u16) -> u8 {
    match position.modality() {
        Modality::Finger => finger_quality(image, ppi).score,
        Modality::Iris => iris_quality(image).score,
        Modality::Face => face_assessment(image).score,
    }
}

#[cfg(test)]
mod tests {
    use enroll_devices::codecs::decode_record_image;
    use enroll_devices::iso19794::{summary, Iso19794Record};

    use super::*;

    fn gradient(width: u32, height: u32) -> GrayImage {
        GrayImage::from_fn(width, height, |x, y| image::Luma([((x * 7 + y * 3) % 256) as u8]))
    }

    #[test]
    fn a_finger_record_reads_back_with_its_position_resolution_and_pixels() {
        let image = gradient(40, 56);
        let at = time::macros::datetime!(2026-11-30 12:34:56.789 UTC);
        let bytes = record_from_pixels(Position::LeftRing, &image, 500, 77, at).unwrap();
        let record = Iso19794Record::parse(&bytes).unwrap();
        let summary = summary(&record);
        assert_eq!((summary.format, summary.edition), ("finger", 2011));
        let representation = &summary.representations[0];
        assert_eq!(
            representation.position.as_deref(),
            Some(Position::LeftRing.mosip_name())
        );
        assert_eq!((representation.width, representation.height), (40, 56));
        assert_eq!(representation.resolution.map(|r| r.horizontal), Some(500));
        assert_eq!(representation.image_format, "jpeg2000-lossless");
        assert_eq!(representation.quality_scores, vec![77]);
        assert_eq!(representation.captured_at.as_deref(), Some("2026-11-30T12:34:56.789Z"));
        // Lossless: the pixels come back exactly.
        assert_eq!(decode_record_image(&record.representations[0].image).unwrap(), image);
    }

    #[test]
    fn irises_carry_their_eye_and_faces_no_position() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let iris = record_from_pixels(Position::RightIris, &gradient(64, 48), 300, 60, at).unwrap();
        let iris = summary(&Iso19794Record::parse(&iris).unwrap());
        assert_eq!(iris.format, "iris");
        assert_eq!(iris.representations[0].position.as_deref(), Some("Right"));
        let face = record_from_pixels(Position::Face, &gradient(48, 64), 300, 90, at).unwrap();
        let face = summary(&Iso19794Record::parse(&face).unwrap());
        assert_eq!(face.format, "face");
        assert_eq!(face.representations[0].position, None);
    }

    #[test]
    fn an_empty_image_is_an_error_not_a_panic() {
        let error = record_from_pixels(
            Position::Face,
            &GrayImage::new(0, 0),
            300,
            0,
            OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap_err();
        assert_eq!(error.code(), "jpeg2000_encode_failed");
    }
}
