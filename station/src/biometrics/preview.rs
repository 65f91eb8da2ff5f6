//! A kept capture as a PNG for the screen, whatever form the device delivered it in (pixels,
//! or an ISO/IEC 19794 record with a PNG, JPEG 2000, WSQ or JPEG image), its longest side at
//! most [`max_side`] for its position: [`FACE_MAX_SIDE`] for the face, [`TILE_MAX_SIDE`] for a
//! finger or an iris.
//!
//! Why scaled here: the window shows a capture in a card 8rem wide and the slip prints the
//! face a few centimetres wide, while a slap scanner's finger or a face camera's frame is
//! megapixels. Sent whole, every preview cost the window its base64 text and a decoded bitmap
//! of several megabytes; `make bench`'s registration bench saw the web process grow by about
//! 25 MB a registration with them.
//!
//! Deliberately absent: annotation, and scaling up (a small capture is sent as it is).

use enroll_devices::iso19794::{ImageFormat, Iso19794Record};
use enroll_devices::Position;

use super::draft::{StoredCapture, StoredData};
use crate::StationError;

/// The longest side of the face's preview (and the exception photo's), in pixels: the slip
/// prints it 4 cm high at 300 dpi.
pub const FACE_MAX_SIDE: u32 = 480;
/// The longest side of a finger's or an iris's preview, in pixels: two and a half times the
/// window's card (8rem at 16 px), for a high-density screen. Smaller than the face's because a
/// registration shows twelve of them: `make bench`'s registration bench counts each decoded
/// bitmap in the web process.
pub const TILE_MAX_SIDE: u32 = 320;

/// The longest side of `position`'s preview.
pub fn max_side(position: Position) -> u32 {
    match position {
        Position::Face | Position::ExceptionPhoto => FACE_MAX_SIDE,
        _ => TILE_MAX_SIDE,
    }
}

pub fn png_of(capture: &StoredCapture, max_side: u32) -> Result<Vec<u8>, StationError> {
    let decode = super::draft::decode_stored;
    match &capture.data {
        StoredData::Image { png, .. } => png_preview(decode(png)?, max_side),
        StoredData::IsoRecord { record } => {
            let record = decode(record)?;
            let parsed = Iso19794Record::parse(&record)?;
            let image = &parsed.first().image;
            if image.format == ImageFormat::Png {
                png_preview(image.data.clone(), max_side)
            } else {
                encode_preview(
                    image::DynamicImage::ImageLuma8(enroll_devices::codecs::decode_record_image(image)?),
                    max_side,
                )
            }
        }
    }
}

/// A kept PNG as its preview: within `max_side` as it was kept, its size read from
/// its header and nothing decoded; else scaled down. A PNG whose header does not read is
/// decoded, and refused there.
fn png_preview(png: Vec<u8>, max_side: u32) -> Result<Vec<u8>, StationError> {
    let reader = image::ImageReader::with_format(std::io::Cursor::new(&png), image::ImageFormat::Png);
    match reader.into_dimensions() {
        Ok((width, height)) if width.max(height) <= max_side => Ok(png),
        _ => encode_preview(decode_png(&png)?, max_side),
    }
}

/// `pixels` as a PNG, scaled down to `max_side` when larger.
fn encode_preview(pixels: image::DynamicImage, max_side: u32) -> Result<Vec<u8>, StationError> {
    let pixels = if pixels.width().max(pixels.height()) > max_side {
        pixels.thumbnail(max_side, max_side)
    } else {
        pixels
    };
    let mut png = Vec::new();
    pixels
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| StationError::Internal(format!("encoding a preview as PNG: {e}")))?;
    Ok(png)
}

fn decode_png(bytes: &[u8]) -> Result<image::DynamicImage, StationError> {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .map_err(|why| StationError::corrupt(format!("a kept capture's PNG does not decode: {why}")))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use enroll_devices::{DeviceInfo, QualitySource};

    use super::*;

    fn capture_of(width: u32, height: u32) -> StoredCapture {
        let pixels = image::GrayImage::from_fn(width, height, |x, y| image::Luma([((x + y) % 256) as u8]));
        let mut png = Vec::new();
        image::DynamicImage::ImageLuma8(pixels)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        StoredCapture {
            data: StoredData::Image {
                png: base64::engine::general_purpose::STANDARD.encode(png),
                ppi: 500,
                png_sha256: None,
            },
            quality: 80,
            quality_source: QualitySource::Station,
            device: DeviceInfo::default(),
            signature: None,
            captured_at: "2026-12-02T10:00:00Z".into(),
            attempt: 1,
        }
    }

    fn dimensions(png: &[u8]) -> (u32, u32) {
        let image = image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap();
        (image.width(), image.height())
    }

    #[test]
    fn a_face_is_previewed_at_most_480_pixels_and_a_finger_or_an_iris_320() {
        // A face camera's portrait frame: the height is the longest side.
        let preview = png_of(&capture_of(960, 1280), max_side(Position::Face)).unwrap();
        assert_eq!(dimensions(&preview), (360, 480));
        // A finger cut from a slap scanner's frame at 500 ppi, and an iris camera's frame.
        let preview = png_of(&capture_of(400, 500), max_side(Position::LeftIndex)).unwrap();
        assert_eq!(dimensions(&preview), (256, 320));
        let preview = png_of(&capture_of(640, 480), max_side(Position::RightIris)).unwrap();
        assert_eq!(dimensions(&preview), (320, 240));
    }

    #[test]
    fn a_small_capture_is_previewed_as_it_is_byte_for_byte() {
        let capture = capture_of(300, 400);
        let StoredData::Image { png, .. } = &capture.data else {
            unreachable!("capture_of keeps pixels")
        };
        let kept = base64::engine::general_purpose::STANDARD.decode(png).unwrap();
        assert_eq!(png_of(&capture, max_side(Position::Face)).unwrap(), kept);
    }

    #[test]
    fn a_kept_capture_that_is_not_a_png_is_an_error_not_a_panic() {
        let mut capture = capture_of(10, 10);
        capture.data = StoredData::Image {
            png: base64::engine::general_purpose::STANDARD.encode(b"not a png"),
            ppi: 500,
            png_sha256: None,
        };
        let error = png_of(&capture, TILE_MAX_SIDE).unwrap_err();
        assert!(error.to_string().contains("does not decode"), "{error}");
    }
}
