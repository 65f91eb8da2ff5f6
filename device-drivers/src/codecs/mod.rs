//! The image codecs the station reads and writes: the formats in which devices hand over finger,
//! iris and face images inside ISO/IEC 19794 records, and in which the station stores its own
//! captures for the register. Each codec is one module with the same shape: decode to pixels,
//! read the dimensions from the header alone, and encode from pixels where the station writes
//! that format (JPEG 2000 lossless; WSQ is only read). Errors are [`crate::DeviceError`]s with
//! codes of their own.
//!
//! Deliberately absent: choosing a codec for a modality (the registration profile does that) and
//! judging quality (see [`crate::quality`]).

pub mod jpeg2000;
pub mod wsq;

use crate::iso19794::{Image, ImageFormat};
use crate::DeviceError;

/// The pixels of a record's image, whatever its format, in 8-bit grey: for display and
/// quality scoring. Colour images become luma. A size that disagrees with the record's is
/// refused (the record would be lying about what it holds).
pub fn decode_record_image(image: &Image) -> Result<image::GrayImage, DeviceError> {
    let pixels = match image.format {
        ImageFormat::Wsq => return Ok(wsq::decode_record_image(image)?.image),
        ImageFormat::Jpeg2000 | ImageFormat::Jpeg2000Lossless | ImageFormat::Jpeg2000Lossy => {
            jpeg2000::decode(&image.data)?
        }
        ImageFormat::Png | ImageFormat::Jpeg => image::load_from_memory(&image.data)
            .map_err(|e| DeviceError::BadImage(format!("the record's {:?} image: {e}", image.format)))?
            .into_luma8(),
        other => {
            return Err(DeviceError::BadImage(format!(
                "the station does not decode {other:?} images"
            )))
        }
    };
    if pixels.dimensions() != (u32::from(image.width), u32::from(image.height)) {
        return Err(DeviceError::BadImage(format!(
            "the record says {}x{} pixels, its image is {}x{}",
            image.width,
            image.height,
            pixels.width(),
            pixels.height()
        )));
    }
    Ok(pixels)
}
