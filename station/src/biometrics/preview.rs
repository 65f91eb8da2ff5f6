//! A kept capture as a PNG for the screen, whatever form the device delivered it in.
//!
//! Deliberately absent: scaling and annotation (the window does that with CSS).

use base64::Engine as _;
use enroll_devices::iso19794::{ImageFormat, Iso19794Record};

use super::draft::{StoredCapture, StoredData};
use crate::StationError;

pub fn png_of(capture: &StoredCapture) -> Result<Vec<u8>, StationError> {
    let decode = |text: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| StationError::corrupt("a stored capture is not valid base64"))
    };
    match &capture.data {
        StoredData::Image { png, .. } => decode(png),
        StoredData::IsoRecord { record } => {
            let record = decode(record)?;
            let parsed = Iso19794Record::parse(&record)?;
            let image = &parsed.first().image;
            match image.format {
                ImageFormat::Png => Ok(image.data.clone()),
                other => Err(enroll_devices::DeviceError::BadImage(format!(
                    "showing {other:?} images needs its decoder, which is not wired yet"
                ))
                .into()),
            }
        }
    }
}
