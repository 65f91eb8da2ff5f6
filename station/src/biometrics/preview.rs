//! A kept capture as a PNG for the screen, whatever form the device delivered it in (pixels,
//! or an ISO/IEC 19794 record with a PNG, JPEG 2000, WSQ or JPEG image).
//!
//! Deliberately absent: scaling and annotation (the window does that with CSS).

use enroll_devices::iso19794::{ImageFormat, Iso19794Record};

use super::draft::{StoredCapture, StoredData};
use crate::StationError;

pub fn png_of(capture: &StoredCapture) -> Result<Vec<u8>, StationError> {
    let decode = super::draft::decode_stored;
    match &capture.data {
        StoredData::Image { png, .. } => decode(png),
        StoredData::IsoRecord { record } => {
            let record = decode(record)?;
            let parsed = Iso19794Record::parse(&record)?;
            let image = &parsed.first().image;
            if image.format == ImageFormat::Png {
                return Ok(image.data.clone());
            }
            let pixels = enroll_devices::codecs::decode_record_image(image)?;
            let mut png = Vec::new();
            pixels
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .map_err(|e| StationError::Internal(format!("encoding a preview as PNG: {e}")))?;
            Ok(png)
        }
    }
}
