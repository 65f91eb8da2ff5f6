//! Fingerprint quality on the station, inspired by NFIQ 2 (ISO/IEC 29794-4:2017 Annex A): the
//! image is cut into square blocks of 32 pixels at 500 ppi (scaled with the resolution given),
//! and each block is measured the way NFIQ 2's local features are.
//!
//! Orientation, clarity and frequency are read from a copy smoothed twice with the 3×3 binomial
//! kernel (sigma about 1.2 pixels), as a matcher would smooth away sensor noise; otherwise a
//! noisy print would look cleaner once blurred. Contrast is read from the image as it is.
//!
//! 1. Foreground: a block whose grey-level standard deviation is at least
//!    [`FOREGROUND_MIN_STD`] holds finger; the others are background. Only foreground blocks are
//!    measured further.
//! 2. Orientation certainty (NFIQ 2 "OCL"): from the structure tensor of Sobel gradients over
//!    the block, `1 - λmin / λmax`: 1 for parallel ridges, near 0 for noise or a smudge. Mapped
//!    linearly from 0.15 (noise) to 0.85.
//! 3. Ridge-valley clarity (after NFIQ 2 "LCS"): the block is resampled in a frame turned to its
//!    ridge orientation (one and a half blocks across the ridges, one along them); the mean
//!    profile across the ridges, thresholded at its mean, says which columns are ridge and which
//!    are valley; clarity is `1 - (α + β)`, where α and β are the shares of ridge and valley
//!    samples lying on the wrong side of the threshold. Mapped linearly from 0.15 to 0.9.
//! 4. Ridge-valley contrast: valley mean minus ridge mean in grey levels. Unlike the others it
//!    is absolute, so a dark or blurred print (whose ridges fade) scores lower.
//! 5. Ridge frequency: twice the mean spacing of the profile's crossings of its mean; a block
//!    counts when the period is within 0.25..0.80 mm, the range of human ridge periods. A block
//!    with less than one full period has no ridges to judge: its clarity and contrast count as
//!    0 (the soft edge of a finger is not a ridge). The factor is the share of blocks in band.
//! 6. Finger area: foreground blocks × block area, in mm² at the resolution given.
//!
//! Each feature is averaged over the foreground blocks and mapped to a factor in 0..=1; the score
//! is `100 × Π factor^weight` with these weights: area 0.20, orientation certainty 0.15, clarity
//! 0.15, frequency 0.15, contrast 0.35. Area and contrast are mapped with `1 - e^(-x/scale)`
//! (scales [`AREA_SCALE_MM2`] and [`CONTRAST_SCALE`]) so that more finger and crisper ridges
//! always score a little higher; a flat frame has no foreground and scores 0. Contrast weighs
//! most because it is what blur and underexposure take away first.
//!
//! Deliberately absent: NFIQ 2's trained random forest, minutiae and its Gabor and frequency-
//! domain features; the number is not an NFIQ 2 score and is not comparable with one. Nor does
//! this module decide whether to accept a capture: the caller compares the score with the
//! country's threshold.

use image::GrayImage;
use serde::Serialize;

use super::pixels::{crossing_period, ramp, saturating, sobel, weighted_score, Plane};
use super::QualityIssue;

/// The block side at 500 ppi, as in NFIQ 2.
const BLOCK_AT_500_PPI: f32 = 32.0;
/// A block with less grey-level spread than this is background (paper-white or empty glass).
pub const FOREGROUND_MIN_STD: f32 = 10.0;
/// Finger area at which the area factor is `1 - 1/e` (a full flat print is 150..250 mm²).
pub const AREA_SCALE_MM2: f32 = 150.0;
/// Ridge-valley contrast in grey levels at which the contrast factor is `1 - 1/e`.
pub const CONTRAST_SCALE: f32 = 100.0;
/// Human ridge periods, in millimetres (about 5..16 pixels at 500 ppi).
const RIDGE_PERIOD_MM: (f32, f32) = (0.25, 0.80);
/// Resolutions this measure accepts; outside them ridge spacing cannot be judged.
const PPI_RANGE: (u16, u16) = (125, 2000);

/// What [`finger_quality`] found. Averages are over foreground blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FingerQuality {
    /// 0..=100.
    pub score: u8,
    /// Finger area found, in mm².
    pub foreground_area_mm2: f32,
    /// Share of the image's blocks that hold finger.
    pub foreground_fraction: f32,
    /// Mean orientation certainty, 0..=1.
    pub orientation_certainty: f32,
    /// Mean ridge-valley clarity, 0..=1.
    pub ridge_valley_clarity: f32,
    /// Mean valley-minus-ridge grey level.
    pub ridge_valley_contrast: f32,
    /// Share of foreground blocks whose ridge period is within the human range.
    pub ridge_frequency_in_band: f32,
    /// Median ridge period over the blocks where one was measured, in mm (0 when none).
    pub ridge_period_mm: f32,
    /// Mean grey level of the foreground.
    pub mean_grey: f32,
    pub issues: Vec<QualityIssue>,
}

impl FingerQuality {
    fn unassessable(issue: QualityIssue) -> FingerQuality {
        FingerQuality {
            score: 0,
            foreground_area_mm2: 0.0,
            foreground_fraction: 0.0,
            orientation_certainty: 0.0,
            ridge_valley_clarity: 0.0,
            ridge_valley_contrast: 0.0,
            ridge_frequency_in_band: 0.0,
            ridge_period_mm: 0.0,
            mean_grey: 0.0,
            issues: vec![issue],
        }
    }
}

/// Quality of one fingerprint image scanned at `ppi` pixels per inch. A resolution outside
/// 125..=2000 ppi, or an image smaller than one block, scores 0 with an issue that says so.
pub fn finger_quality(image: &GrayImage, ppi: u16) -> FingerQuality {
    if !(PPI_RANGE.0..=PPI_RANGE.1).contains(&ppi) {
        return FingerQuality::unassessable(QualityIssue::ResolutionUnsupported);
    }
    let pixels_per_mm = ppi as f32 / 25.4;
    // 8..=128 pixels for the accepted resolutions.
    let block = (BLOCK_AT_500_PPI * ppi as f32 / 500.0).round() as usize;
    let plane = Plane::from_gray(image);
    let (blocks_x, blocks_y) = (plane.width / block, plane.height / block);
    if blocks_x == 0 || blocks_y == 0 {
        return FingerQuality::unassessable(QualityIssue::ImageTooSmall);
    }
    // Orientation and ridge profiles are read from a smoothed copy (sigma about 1.2 pixels), so
    // that sensor noise, which a matcher smooths away too, does not pass for unclear ridges;
    // then a little blur does not make a noisy print look cleaner, and contrast, read from the
    // image as it is, shows the blur.
    let smooth = plane.binomial_smoothed().binomial_smoothed();
    let (gx, gy) = sobel(&smooth);
    let period_band = (RIDGE_PERIOD_MM.0 * pixels_per_mm, RIDGE_PERIOD_MM.1 * pixels_per_mm);

    let mut window = ProfileWindow::new(block);
    let mut periods: Vec<f32> = Vec::with_capacity(blocks_x * blocks_y);

    let mut foreground = 0usize;
    let (mut ocl_sum, mut clarity_sum, mut contrast_sum, mut grey_sum) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut in_band = 0usize;
    for by in 0..blocks_y {
        for bx in 0..blocks_x {
            let (x0, y0) = (bx * block, by * block);
            let (mut sum, mut sum_sq) = (0.0f64, 0.0f64);
            let (mut gxx, mut gyy, mut gxy) = (0.0f64, 0.0f64, 0.0f64);
            for y in y0..y0 + block {
                // The block's part of the row, as slices: no bounds check per pixel.
                let start = y * plane.width + x0;
                let values = &plane.values[start..start + block];
                let (gx_row, gy_row) = (&gx[start..start + block], &gy[start..start + block]);
                for ((&v, &dx), &dy) in values.iter().zip(gx_row).zip(gy_row) {
                    let v = v as f64;
                    sum += v;
                    sum_sq += v * v;
                    let (dx, dy) = (dx as f64, dy as f64);
                    gxx += dx * dx;
                    gyy += dy * dy;
                    gxy += dx * dy;
                }
            }
            let n = (block * block) as f64;
            let mean = sum / n;
            let std = (sum_sq / n - mean * mean).max(0.0).sqrt();
            if (std as f32) < FOREGROUND_MIN_STD {
                continue;
            }
            foreground += 1;
            grey_sum += mean;

            // Structure tensor eigenvalues.
            let half_trace = (gxx + gyy) / 2.0;
            let root = (((gxx - gyy) / 2.0).powi(2) + gxy * gxy).sqrt();
            let (lambda_max, lambda_min) = (half_trace + root, half_trace - root);
            let ocl = if lambda_max > 0.0 {
                1.0 - lambda_min / lambda_max
            } else {
                0.0
            };
            ocl_sum += ocl;

            // The dominant gradient direction runs across the ridges.
            let across = 0.5 * (2.0 * gxy).atan2(gxx - gyy);
            let ridge = window.measure(
                &smooth,
                &plane,
                (x0 as f32 + block as f32 / 2.0, y0 as f32 + block as f32 / 2.0),
                across as f32,
            );
            clarity_sum += ridge.clarity as f64;
            contrast_sum += ridge.contrast as f64;
            if let Some(period) = ridge.period {
                periods.push(period);
                if (period_band.0..=period_band.1).contains(&period) {
                    in_band += 1;
                }
            }
        }
    }

    let total_blocks = (blocks_x * blocks_y) as f32;
    let block_area_mm2 = (block as f32 / pixels_per_mm).powi(2);
    if foreground == 0 {
        let mut empty = FingerQuality::unassessable(QualityIssue::TooLittleFinger);
        empty.mean_grey = plane.values.iter().sum::<f32>() / plane.values.len() as f32;
        if empty.mean_grey < 50.0 {
            empty.issues.push(QualityIssue::TooDark);
        }
        return empty;
    }
    let count = foreground as f64;
    let ridge_period_px = super::pixels::median(&mut periods).unwrap_or(0.0);
    let mut quality = FingerQuality {
        score: 0,
        foreground_area_mm2: foreground as f32 * block_area_mm2,
        foreground_fraction: foreground as f32 / total_blocks,
        orientation_certainty: (ocl_sum / count) as f32,
        ridge_valley_clarity: (clarity_sum / count) as f32,
        ridge_valley_contrast: (contrast_sum / count) as f32,
        ridge_frequency_in_band: in_band as f32 / foreground as f32,
        ridge_period_mm: ridge_period_px / pixels_per_mm,
        mean_grey: (grey_sum / count) as f32,
        issues: Vec::new(),
    };
    let area = saturating(quality.foreground_area_mm2, AREA_SCALE_MM2);
    // NFIQ 2's OCL is near 0.1 on noise and above 0.7 on clear ridges.
    let orientation = ramp(quality.orientation_certainty, 0.15, 0.85);
    // Clarity is near 0.1 on noise and above 0.8 on clean ridges.
    let clarity = ramp(quality.ridge_valley_clarity, 0.15, 0.9);
    let frequency = quality.ridge_frequency_in_band;
    let contrast = saturating(quality.ridge_valley_contrast, CONTRAST_SCALE);
    quality.score = weighted_score(&[
        (area, 0.20),
        (orientation, 0.15),
        (clarity, 0.15),
        (frequency, 0.15),
        (contrast, 0.35),
    ]);
    quality.issues = finger_issues(&quality, area, orientation, clarity, frequency, contrast);
    quality
}

fn finger_issues(
    quality: &FingerQuality,
    area: f32,
    orientation: f32,
    clarity: f32,
    frequency: f32,
    contrast: f32,
) -> Vec<QualityIssue> {
    let mut issues = Vec::new();
    if area < 0.6 {
        issues.push(QualityIssue::TooLittleFinger);
    }
    if orientation < 0.5 {
        issues.push(QualityIssue::NoRidgeFlow);
    }
    if clarity < 0.5 {
        issues.push(QualityIssue::RidgesUnclear);
    }
    if frequency < 0.5 {
        issues.push(QualityIssue::RidgeSpacingImplausible);
    }
    if quality.mean_grey < 50.0 {
        issues.push(QualityIssue::TooDark);
    } else if quality.mean_grey > 225.0 {
        issues.push(QualityIssue::TooBright);
    }
    if contrast < 0.5 {
        issues.push(QualityIssue::LowContrast);
    }
    issues
}

/// One block seen across its ridges.
struct RidgeProfile {
    clarity: f32,
    contrast: f32,
    /// Ridge period in pixels, when at least one full period crosses the window.
    period: Option<f32>,
}

/// The buffers of one block's resampled window, made once per image and reused: `columns`
/// across the ridges (one and a half blocks, so that two ridges fit even at the widest human
/// spacing) by `rows` along them (one block, every second pixel: the profile averages along
/// the ridge, and half the samples give the same mean at half the cost).
struct ProfileWindow {
    columns: usize,
    rows: usize,
    samples: Vec<f32>,
    profile: Vec<f32>,
    smoothed: Vec<f32>,
    raw_column: Vec<f32>,
}

impl ProfileWindow {
    fn new(block: usize) -> ProfileWindow {
        let columns = block * 3 / 2;
        ProfileWindow {
            columns,
            rows: block / 2,
            samples: vec![0.0; columns * (block / 2)],
            profile: vec![0.0; columns],
            smoothed: vec![0.0; columns],
            raw_column: vec![0.0; columns],
        }
    }

    /// Resamples the window centred on `center` with its columns along `across` (radians, the
    /// gradient direction) and measures it: clarity and period on `smooth`, contrast on `raw`.
    fn measure(&mut self, smooth: &Plane, raw: &Plane, center: (f32, f32), across: f32) -> RidgeProfile {
        const NONE: RidgeProfile = RidgeProfile {
            clarity: 0.0,
            contrast: 0.0,
            period: None,
        };
        let (columns, rows) = (self.columns, self.rows);
        let (cos, sin) = (across.cos(), across.sin());
        let mut known_columns = 0usize;
        self.raw_column.fill(0.0);
        for i in 0..columns {
            let u = i as f32 - columns as f32 / 2.0 + 0.5;
            let (mut sum, mut n) = (0.0f32, 0usize);
            for j in 0..rows {
                let v = 2.0 * (j as f32 - rows as f32 / 2.0) + 0.5;
                let x = center.0 + u * cos - v * sin;
                let y = center.1 + u * sin + v * cos;
                // A point off the image counts as missing (NaN), never as an edge pixel.
                let Some((value, raw_value)) = smooth.sample_pair(raw, x, y) else {
                    self.samples[i * rows + j] = f32::NAN;
                    continue;
                };
                self.samples[i * rows + j] = value;
                sum += value;
                n += 1;
                // The same point of the unsmoothed image, for the contrast.
                self.raw_column[i] += raw_value;
            }
            self.profile[i] = if n > 0 { sum / n as f32 } else { f32::NAN };
            known_columns += usize::from(n > 0);
        }
        if known_columns < 3 {
            return NONE;
        }
        // Fill missing columns (a block at the frame's edge) from the nearest known one on
        // their left, then on their right, then smooth with [1 2 1] / 4 so that pixel noise
        // does not count as ridges.
        let profile = &mut self.profile;
        for i in 1..columns {
            if profile[i].is_nan() {
                profile[i] = profile[i - 1];
            }
        }
        for i in (0..columns - 1).rev() {
            if profile[i].is_nan() {
                profile[i] = profile[i + 1];
            }
        }
        for i in 0..columns {
            let left = profile[i.saturating_sub(1)];
            let right = profile[(i + 1).min(columns - 1)];
            self.smoothed[i] = (left + 2.0 * profile[i] + right) / 4.0;
        }
        let smoothed = &self.smoothed;
        let threshold = smoothed.iter().sum::<f32>() / columns as f32;

        // Less than one full ridge and valley across the window: an edge or a smear, not
        // ridges to judge.
        let Some(period) = crossing_period(smoothed, threshold) else {
            return NONE;
        };

        let (mut ridge_n, mut ridge_wrong, mut ridge_sum) = (0usize, 0usize, 0.0f32);
        let (mut valley_n, mut valley_wrong, mut valley_sum) = (0usize, 0usize, 0.0f32);
        let columns_of_samples = self.samples.chunks_exact(rows);
        for ((&level, &raw_sum), column) in smoothed.iter().zip(&self.raw_column).zip(columns_of_samples) {
            let is_ridge = level < threshold;
            if is_ridge {
                ridge_sum += raw_sum;
            } else {
                valley_sum += raw_sum;
            }
            for &value in column {
                if value.is_nan() {
                    continue;
                }
                if is_ridge {
                    ridge_n += 1;
                    ridge_wrong += usize::from(value >= threshold);
                } else {
                    valley_n += 1;
                    valley_wrong += usize::from(value < threshold);
                }
            }
        }
        if ridge_n == 0 || valley_n == 0 {
            return NONE;
        }
        let alpha = ridge_wrong as f32 / ridge_n as f32;
        let beta = valley_wrong as f32 / valley_n as f32;
        RidgeProfile {
            clarity: (1.0 - (alpha + beta)).clamp(0.0, 1.0),
            contrast: (valley_sum / valley_n as f32 - ridge_sum / ridge_n as f32).max(0.0),
            period: Some(period),
        }
    }
}
