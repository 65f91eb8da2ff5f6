//! JPEG 2000 (ITU-T T.800 | ISO/IEC 15444-1) images: MOSIP registration devices return finger,
//! iris and face images as JPEG 2000 lossless inside ISO/IEC 19794 records, and the station
//! encodes its own captures the same way.
//!
//! - [`decode`] reads a JP2 file or a raw codestream into 8-bit greyscale pixels, through
//!   `hayro-jpeg2000`, a memory-safe pure-Rust decoder (built without its SIMD feature, so no
//!   unsafe code reads device bytes). Colour images become luma by the rule of [`luma`].
//!   The decoder is called inside [`std::panic::catch_unwind`]: a panic on damaged input becomes
//!   a `jpeg2000_invalid` error, never a crash of the station.
//! - [`encode_lossless`] writes a JP2 file with the parameters of the MOSIP registration
//!   fixtures (see [`encoder`] for the profile), by our own encoder.
//! - [`dimensions`] reads width and height from the header alone.
//!
//! Images above [`MAX_PIXELS`] are refused from their header, before anything is decoded.
//!
//! Deliberately absent: lossy coding, keeping colour (a face is shown and scored in greyscale
//! here; the device's original bytes travel unchanged in the packet), bit depths other than 8,
//! and the capture resolution (the ISO/IEC 19794 record holds it).

mod block_coder;
pub mod cost;
pub mod encoder;
pub mod header;
mod mq;
mod packets;
mod wavelet;

use std::panic::{catch_unwind, AssertUnwindSafe};

use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext, Image};
use image::GrayImage;

pub use header::{Component, Container, Header};

use crate::DeviceError;

/// The most pixels the station decodes or encodes: 25 million, a 5000 x 5000 image. Far above
/// any finger slap (about 1600 x 1500 at 500 ppi), iris (640 x 480) or ICAO face image, and low
/// enough that decoding (4 bytes a sample per component while decoding) stays within a few
/// hundred megabytes.
pub const MAX_PIXELS: u64 = 25_000_000;

/// Subband orientation, for the block coder's contexts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Band {
    /// Low-pass both ways (only at the coarsest level).
    Ll,
    /// Horizontally high-pass.
    Hl,
    /// Vertically high-pass.
    Lh,
    /// High-pass both ways.
    Hh,
}

/// Width and height of a JP2 file or raw codestream, from its header alone.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), DeviceError> {
    let header = header::read(bytes)?;
    Ok((header.width, header.height))
}

fn check_pixel_limit(width: u32, height: u32) -> Result<(), DeviceError> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(DeviceError::Jpeg2000TooLarge {
            width,
            height,
            limit: MAX_PIXELS,
        });
    }
    Ok(())
}

/// Luma of an RGB pixel by the ITU-R BT.601 weights that JPEG (JFIF) uses:
/// `Y = (299 R + 587 G + 114 B) / 1000`, rounded to nearest.
pub fn luma(red: u8, green: u8, blue: u8) -> u8 {
    let sum = 299 * u32::from(red) + 587 * u32::from(green) + 114 * u32::from(blue);
    // At most 255 000 + 500, so the quotient fits a byte.
    ((sum + 500) / 1000) as u8
}

/// Decode a JP2 file or raw J2K codestream to 8-bit greyscale. The header is read first: too
/// many pixels, or a codestream cut before its end, are refused before decoding. One component (with or without
/// alpha) is taken as it is; three (RGB, sRGB, or an ICC profile with three channels) become
/// [`luma`]; alpha is dropped. Other colour spaces, bit depths other than 8, signed or
/// subsampled components are refused with `jpeg2000_unsupported`.
pub fn decode(bytes: &[u8]) -> Result<GrayImage, DeviceError> {
    let header = header::read(bytes)?;
    check_pixel_limit(header.width, header.height)?;
    for component in &header.components {
        if component.bit_depth != 8 || component.signed {
            return Err(DeviceError::Jpeg2000Unsupported(format!(
                "{}-bit {} samples; the station reads 8-bit unsigned images",
                component.bit_depth,
                if component.signed { "signed" } else { "unsigned" }
            )));
        }
        if component.subsampling != (1, 1) {
            return Err(DeviceError::Jpeg2000Unsupported(format!(
                "a component subsampled {}x{}; the station reads images whose components are all full size",
                component.subsampling.0, component.subsampling.1
            )));
        }
    }
    header::check_complete(bytes)?;
    cost::check_decoding_cost(header::codestream_of(bytes)?)?;
    // The decoder is pure safe Rust, so the worst it can do on bytes it was not written for
    // is panic; that must not take the station down.
    let decoded = catch_unwind(AssertUnwindSafe(|| decode_with_hayro(bytes, &header)))
        .map_err(|_| header::invalid("the decoder stopped on damaged data"))??;
    Ok(decoded)
}

fn decode_with_hayro(bytes: &[u8], header: &Header) -> Result<GrayImage, DeviceError> {
    let settings = DecodeSettings {
        resolve_palette_indices: true,
        strict: false,
        target_resolution: None,
    };
    let image = Image::new(bytes, &settings).map_err(|e| header::invalid(e.to_string()))?;
    if (image.width(), image.height()) != (header.width, header.height) {
        return Err(header::invalid("the decoder read another size than the header states"));
    }
    let colour_channels = match image.color_space() {
        ColorSpace::Gray => 1,
        ColorSpace::RGB => 3,
        ColorSpace::Icc { num_channels, .. } if *num_channels == 1 || *num_channels == 3 => *num_channels,
        other => {
            return Err(DeviceError::Jpeg2000Unsupported(format!(
                "colour space {other:?}; the station reads greyscale and RGB images"
            )))
        }
    };
    let mut context = DecoderContext::default();
    let decoded = image.decode(&mut context).map_err(|e| header::invalid(e.to_string()))?;
    let components = decoded.components();
    let pixel_count = (header.width as usize) * (header.height as usize);
    let channels = &components[..usize::from(colour_channels).min(components.len())];
    if channels.len() != usize::from(colour_channels)
        || channels
            .iter()
            .any(|c| c.samples().len() != pixel_count || c.bit_depth() != 8)
    {
        return Err(header::invalid("the decoded components do not match the header"));
    }
    // Round to nearest, halves up: for the non-negative values left after the clamp this is
    // what `f32::round` gives, without its call into libm for every sample (targets without
    // SSE4.1 have no rounding instruction), which was visible in `make bench`'s profile.
    let to_byte = |sample: f32| (sample.clamp(0.0, 255.0) + 0.5) as u8;
    let pixels: Vec<u8> = match channels {
        [grey] => grey.samples().iter().map(|s| to_byte(*s)).collect(),
        [red, green, blue] => red
            .samples()
            .iter()
            .zip(green.samples())
            .zip(blue.samples())
            .map(|((r, g), b)| luma(to_byte(*r), to_byte(*g), to_byte(*b)))
            .collect(),
        _ => return Err(header::invalid("the decoded components do not match the header")),
    };
    GrayImage::from_raw(header.width, header.height, pixels)
        .ok_or_else(|| header::invalid("the decoded components do not match the header"))
}

/// Encode an 8-bit greyscale image as a lossless JP2 file with the MOSIP registration
/// parameters (see [`encoder`]). Refused: an empty image, a side above [`encoder::MAX_SIDE`], or
/// more than [`MAX_PIXELS`].
pub fn encode_lossless(image: &GrayImage) -> Result<Vec<u8>, DeviceError> {
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return Err(DeviceError::Jpeg2000EncodeFailed(format!(
            "the image is {width}x{height}: there is nothing to encode"
        )));
    }
    if width > encoder::MAX_SIDE || height > encoder::MAX_SIDE {
        return Err(DeviceError::Jpeg2000EncodeFailed(format!(
            "the image is {width}x{height}; the encoder takes at most {} pixels a side",
            encoder::MAX_SIDE
        )));
    }
    check_pixel_limit(width, height)?;
    Ok(encoder::encode(image.as_raw(), width as usize, height as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_keeps_greys_and_weighs_green_most() {
        for grey in [0u8, 1, 127, 128, 254, 255] {
            assert_eq!(luma(grey, grey, grey), grey);
        }
        assert_eq!(luma(255, 0, 0), 76);
        assert_eq!(luma(0, 255, 0), 150);
        assert_eq!(luma(0, 0, 255), 29);
    }

    #[test]
    fn a_synthetic_image_survives_the_round_trip() {
        // Every size class the encoder meets: one pixel, thinner than a code-block, not a
        // multiple of 64, fewer levels than five.
        for (width, height) in [(1u32, 1u32), (3, 17), (64, 64), (65, 130), (200, 31)] {
            let image = GrayImage::from_fn(width, height, |x, y| {
                image::Luma([((x * 37 + y * 91 + (x * y) % 13) % 256) as u8])
            });
            let encoded = encode_lossless(&image).unwrap();
            assert_eq!(dimensions(&encoded).unwrap(), (width, height));
            let decoded = decode(&encoded).unwrap_or_else(|e| panic!("{width}x{height}: {e}"));
            assert_eq!(decoded, image, "{width}x{height}");
        }
    }

    #[test]
    fn too_many_pixels_are_refused_from_the_header() {
        let error = check_pixel_limit(5001, 5000).unwrap_err();
        assert_eq!(error.code(), "jpeg2000_too_large");
        check_pixel_limit(5000, 5000).unwrap();
    }
}
