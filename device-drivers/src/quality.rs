//! Image quality scores. A simple, honest measure until ISO/IEC 29794 scoring arrives:
//! contrast (spread of luminance) and sharpness (mean gradient), each scaled to 0..=100,
//! averaged. A flat grey frame scores 0; a well-lit, focused face scores high.

use image::GrayImage;

/// Quality 0..=100 of a face image.
pub fn face_quality(image: &GrayImage) -> u8 {
    let pixels = image.as_raw();
    if pixels.is_empty() {
        return 0;
    }
    let count = pixels.len() as f64;
    let mean = pixels.iter().map(|&p| p as f64).sum::<f64>() / count;
    let variance = pixels.iter().map(|&p| (p as f64 - mean).powi(2)).sum::<f64>() / count;
    // A standard deviation of 64 grey levels counts as full contrast.
    let contrast = (variance.sqrt() / 64.0).min(1.0);

    let (width, height) = image.dimensions();
    let mut gradient_sum = 0.0;
    let mut gradient_count = 0.0;
    for y in 0..height.saturating_sub(1) {
        for x in 0..width.saturating_sub(1) {
            let here = image.get_pixel(x, y)[0] as f64;
            let right = image.get_pixel(x + 1, y)[0] as f64;
            let below = image.get_pixel(x, y + 1)[0] as f64;
            gradient_sum += (here - right).abs() + (here - below).abs();
            gradient_count += 1.0;
        }
    }
    // A mean gradient of 8 grey levels per pixel counts as sharp.
    let sharpness = if gradient_count > 0.0 {
        (gradient_sum / gradient_count / 8.0).min(1.0)
    } else {
        0.0
    };
    ((contrast + sharpness) / 2.0 * 100.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_frame_scores_zero_and_a_busy_one_scores_high() {
        let flat = GrayImage::from_pixel(64, 64, image::Luma([128]));
        assert_eq!(face_quality(&flat), 0);
        let checker = GrayImage::from_fn(64, 64, |x, y| {
            image::Luma([if (x / 2 + y / 2) % 2 == 0 { 20 } else { 230 }])
        });
        assert!(face_quality(&checker) > 90, "{}", face_quality(&checker));
    }
}
