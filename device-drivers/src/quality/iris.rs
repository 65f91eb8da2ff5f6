//! Iris image quality on the station, after the measures of ISO/IEC 29794-6:2015 and Daugman's
//! focus assessment, for a near-infrared eye image (an eye filling much of a 640×480 frame).
//!
//! 1. Pupil: the darkest disc. A coarse search over positions and radii (integral images) finds
//!    the square window whose contrast with the ring around it, less its own mean, is largest
//!    (dark against its surround and dark in itself); a circular edge search
//!    (Daugman's integro-differential operator: the largest jump of the mean grey level along
//!    circles of growing radius) then refines centre and radius.
//! 2. Limbus (iris-sclera boundary): the same circular edge search from near the pupil centre,
//!    on the left and right arcs only (±35° about the horizontal), because eyelids usually
//!    cover the top and bottom of the iris.
//! 3. Usable iris area: the annulus between pupil and limbus, sampled on a polar grid weighted
//!    by area; a sample counts when it is inside the frame and its grey level is within half the
//!    iris-sclera (brighter side: eyelid, skin, reflection) or iris-pupil (darker side: lashes)
//!    contrast of the iris's median level.
//! 4. Sharpness: Daugman's 8×8 kernel (−1 everywhere, +3 in the central 4×4; zero sum) evaluated
//!    at the usable iris samples with integral images; its mean power `x` gives
//!    `x² / (x² + c²)`, with `c` = [`SHARPNESS_HALF_POWER`].
//! 5. Iris-pupil and iris-sclera contrast: differences of median grey levels, absolute (unlike
//!    ISO's ratios), so that an underexposed image loses them; mapped with `1 - e^(-x/40)`.
//! 6. Grey-scale utilisation: the histogram's entropy in bits (ISO/IEC 29794-6 §6.2.3).
//!
//! Score: `100 × Π factor^weight` with weights usable area 0.30 (mapped linearly from 20 % to
//! 100 %), sharpness 0.25, iris-sclera
//! contrast 0.15, iris-pupil contrast 0.15, grey-scale utilisation 0.15, then multiplied by a
//! size factor (iris diameter below 150 pixels, the ISO 29794-6 recommendation, lowers it) and a
//! plausibility factor (pupil-iris ratio outside 0.2..0.7). No pupil or no limbus scores 0.
//!
//! Deliberately absent: segmentation of eyelids as curves, off-angle gaze, the margin measures
//! and everything a certified ISO/IEC 29794-6 implementation reports; the number is not
//! comparable with an SDK's.

use image::GrayImage;
use serde::Serialize;

use super::pixels::{entropy_bits, median, ramp, saturating, weighted_score, Integral, Plane};
use super::QualityIssue;

/// Mean power of Daugman's kernel (per pixel, grey levels²) at which sharpness is one half.
pub const SHARPNESS_HALF_POWER: f32 = 10.0;
/// Grey levels at which a contrast factor is `1 - 1/e`.
const CONTRAST_SCALE: f32 = 40.0;
/// The smallest jump along a circle, in grey levels, that counts as a boundary.
const MIN_EDGE: f32 = 6.0;
/// Points on each circle of the edge search.
const CIRCLE_POINTS: usize = 64;

/// A circle in pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Circle {
    pub x: f32,
    pub y: f32,
    pub radius: f32,
}

/// What [`iris_quality`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IrisQuality {
    /// 0..=100.
    pub score: u8,
    pub pupil: Option<Circle>,
    pub iris: Option<Circle>,
    /// Share of the iris annulus that is inside the frame and not hidden, 0..=1.
    pub usable_iris_area: f32,
    /// Daugman focus measure, 0..=1.
    pub sharpness: f32,
    /// Median iris minus median pupil, grey levels.
    pub iris_pupil_contrast: f32,
    /// Median sclera minus median iris, grey levels.
    pub iris_sclera_contrast: f32,
    /// Entropy of the grey-level histogram, bits.
    pub greyscale_utilisation_bits: f32,
    /// Pupil radius over iris radius.
    pub pupil_iris_ratio: f32,
    pub issues: Vec<QualityIssue>,
}

/// Quality of one eye image. An image under 48 pixels on a side, or one where no pupil or no
/// limbus is found, scores 0 with an issue that says so.
pub fn iris_quality(image: &GrayImage) -> IrisQuality {
    let mut quality = IrisQuality {
        score: 0,
        pupil: None,
        iris: None,
        usable_iris_area: 0.0,
        sharpness: 0.0,
        iris_pupil_contrast: 0.0,
        iris_sclera_contrast: 0.0,
        greyscale_utilisation_bits: entropy_bits(image),
        pupil_iris_ratio: 0.0,
        issues: Vec::new(),
    };
    if image.width().min(image.height()) < 48 {
        quality.issues.push(QualityIssue::ImageTooSmall);
        return quality;
    }
    let plane = Plane::from_gray(image);
    let integral = Integral::new(image);
    let Some(pupil) = find_pupil(&plane, &integral) else {
        quality.issues.push(QualityIssue::PupilNotFound);
        return quality;
    };
    quality.pupil = Some(pupil);
    let Some(iris) = find_limbus(&plane, pupil) else {
        quality.issues.push(QualityIssue::IrisNotFound);
        return quality;
    };
    quality.iris = Some(iris);
    quality.pupil_iris_ratio = pupil.radius / iris.radius;

    let pupil_level = pupil_level(&plane, pupil);
    let annulus = AnnulusSamples::collect(&plane, pupil, iris);
    let mut lateral: Vec<f32> = annulus.lateral_values();
    let Some(iris_level) = median(&mut lateral) else {
        quality.issues.push(QualityIssue::IrisOccluded);
        return quality;
    };
    let sclera_level = sclera_level(&plane, iris);
    quality.iris_pupil_contrast = (iris_level - pupil_level).max(0.0);
    quality.iris_sclera_contrast = sclera_level.map_or(0.0, |s| (s - iris_level).max(0.0));

    // Half of each contrast on either side of the iris level, at least 8 grey levels.
    let bright_limit = iris_level + (quality.iris_sclera_contrast / 2.0).max(8.0);
    let dark_limit = iris_level - (quality.iris_pupil_contrast / 2.0).max(8.0);
    let (mut usable_weight, mut total_weight) = (0.0f32, 0.0f32);
    let (mut power_sum, mut power_count) = (0.0f64, 0usize);
    for sample in &annulus.samples {
        total_weight += sample.weight;
        let Some(value) = sample.value else { continue };
        if value > bright_limit || value < dark_limit {
            continue;
        }
        usable_weight += sample.weight;
        if let Some(power) = focus_power(&integral, sample.x, sample.y) {
            power_sum += power;
            power_count += 1;
        }
    }
    quality.usable_iris_area = if total_weight > 0.0 {
        usable_weight / total_weight
    } else {
        0.0
    };
    let power = if power_count > 0 {
        (power_sum / power_count as f64) as f32
    } else {
        0.0
    };
    quality.sharpness = power * power / (power * power + SHARPNESS_HALF_POWER * SHARPNESS_HALF_POWER);

    // ISO/IEC 29794-6 asks for 70 % or more; below 20 % nothing useful is left.
    let usable = ramp(quality.usable_iris_area, 0.2, 1.0);
    let sharpness = quality.sharpness;
    let iris_sclera = saturating(quality.iris_sclera_contrast, CONTRAST_SCALE);
    let iris_pupil = saturating(quality.iris_pupil_contrast, CONTRAST_SCALE);
    // An image using 3 bits or fewer is unusable; ISO/IEC 29794-6 asks for 6 bits or more.
    let greyscale = ramp(quality.greyscale_utilisation_bits, 3.0, 6.5);
    let diameter = 2.0 * iris.radius;
    let size = ramp(diameter, 60.0, 150.0).max(0.2);
    let plausible = if (0.2..=0.7).contains(&quality.pupil_iris_ratio) {
        1.0
    } else {
        0.5
    };
    let score = weighted_score(&[
        (usable, 0.30),
        (sharpness, 0.25),
        (iris_sclera, 0.15),
        (iris_pupil, 0.15),
        (greyscale, 0.15),
    ]);
    quality.score = (score as f32 * size * plausible).round() as u8;

    if usable < 0.7 {
        quality.issues.push(QualityIssue::IrisOccluded);
    }
    if sharpness < 0.5 {
        quality.issues.push(QualityIssue::Blurred);
    }
    if iris_sclera < 0.5 || iris_pupil < 0.5 {
        quality.issues.push(QualityIssue::LowContrast);
    }
    if greyscale < 0.5 {
        // Few grey levels in use: crushed into the dark or washed out into the light.
        let (sum, count) = integral.clipped_sum(0, 0, plane.width as i64, plane.height as i64);
        let mean = if count > 0.0 { sum / count } else { 0.0 };
        quality.issues.push(if mean > 170.0 {
            QualityIssue::TooBright
        } else {
            QualityIssue::TooDark
        });
    }
    if diameter < 150.0 {
        quality.issues.push(QualityIssue::IrisTooSmall);
    }
    if plausible < 1.0 {
        quality.issues.push(QualityIssue::PupilIrisRatioImplausible);
    }
    quality
}

/// Unit vectors of [`CIRCLE_POINTS`] points on a circle: all round, or only on arcs of
/// `±half_width` about 0 and π (half the points on the right arc, half on the left). Made once
/// per search rather than once per circle.
fn unit_circle(lateral_half_width: Option<f32>) -> [(f32, f32); CIRCLE_POINTS] {
    std::array::from_fn(|k| {
        let t = k as f32 / CIRCLE_POINTS as f32;
        let angle = match lateral_half_width {
            Some(half) => {
                let along = (4.0 * t % 2.0 - 1.0) * half;
                if t < 0.5 {
                    along
                } else {
                    std::f32::consts::PI + along
                }
            }
            None => t * std::f32::consts::TAU,
        };
        (angle.cos(), angle.sin())
    })
}

/// Mean grey level along a circle, or `None` when fewer than 40 % of its points are in the
/// frame.
fn circle_mean(plane: &Plane, cx: f32, cy: f32, radius: f32, unit: &[(f32, f32)]) -> Option<f32> {
    let (mut sum, mut inside) = (0.0f32, 0usize);
    for &(cos, sin) in unit {
        if let Some(v) = plane.sample(cx + radius * cos, cy + radius * sin) {
            sum += v;
            inside += 1;
        }
    }
    (inside * 5 >= unit.len() * 2).then(|| sum / inside as f32)
}

/// The circle among the candidates with the largest outward jump of mean grey level.
fn best_circle(
    plane: &Plane,
    centers: impl Iterator<Item = (f32, f32)>,
    radii: &[f32],
    lateral_half_width: Option<f32>,
) -> Option<(Circle, f32)> {
    let unit = unit_circle(lateral_half_width);
    let mut best: Option<(Circle, f32)> = None;
    for (cx, cy) in centers {
        for &radius in radii {
            let delta = (radius * 0.06).max(1.5);
            let (Some(inner), Some(outer)) = (
                circle_mean(plane, cx, cy, radius - delta, &unit),
                circle_mean(plane, cx, cy, radius + delta, &unit),
            ) else {
                continue;
            };
            let jump = outer - inner;
            if best.is_none_or(|(_, b)| jump > b) {
                best = Some((Circle { x: cx, y: cy, radius }, jump));
            }
        }
    }
    best.filter(|&(_, jump)| jump >= MIN_EDGE)
}

/// Candidate centres on a square grid of half-width `reach` around `(x, y)`.
fn grid(x: f32, y: f32, reach: f32, step: f32) -> impl Iterator<Item = (f32, f32)> {
    let n = (reach / step).floor() as i32;
    (-n..=n).flat_map(move |j| (-n..=n).map(move |i| (x + i as f32 * step, y + j as f32 * step)))
}

/// Radii from `low` to `high` in steps of about `step_fraction` of the radius, at least one pixel.
fn radii(low: f32, high: f32, step_fraction: f32) -> Vec<f32> {
    let mut out = Vec::new();
    let mut r = low.max(2.0);
    while r <= high {
        out.push(r);
        r += (r * step_fraction).max(1.0);
    }
    out
}

fn find_pupil(plane: &Plane, integral: &Integral) -> Option<Circle> {
    let shorter = plane.width.min(plane.height) as f32;
    // Pupil radii from 1/30 to 1/5 of the shorter side (a 640×480 iris camera: 16..96 px; an
    // iris of the 150 pixels ISO/IEC 29794-6 asks for has a pupil of 15 pixels or more).
    let mut best: Option<(f32, f32, f32, f64)> = None;
    let mut radius = (shorter / 30.0).max(4.0);
    while radius <= shorter / 5.0 {
        let inner = (0.7 * radius).round() as i64;
        let outer = (2.0 * radius).round() as i64;
        let stride = ((radius / 4.0) as usize).max(1);
        for cy in (0..plane.height).step_by(stride) {
            for cx in (0..plane.width).step_by(stride) {
                let (cx, cy) = (cx as i64, cy as i64);
                let (inner_sum, inner_n) = integral.clipped_sum(cx - inner, cy - inner, cx + inner, cy + inner);
                // The dark disc must be entirely inside the frame.
                if inner_n < ((2 * inner) * (2 * inner)) as f64 {
                    continue;
                }
                let (outer_sum, outer_n) = integral.clipped_sum(cx - outer, cy - outer, cx + outer, cy + outer);
                let ring_n = outer_n - inner_n;
                if ring_n <= 0.0 {
                    continue;
                }
                let inner_mean = inner_sum / inner_n;
                let contrast = (outer_sum - inner_sum) / ring_n - inner_mean;
                // The pupil is both darker than its surround and dark in itself: a grey iris
                // against a white sclera is a strong dark disc too, but not a dark one.
                let strength = contrast - inner_mean;
                if best.is_none_or(|b| strength > b.3) {
                    best = Some((cx as f32, cy as f32, radius, strength));
                }
            }
        }
        radius *= 1.15;
    }
    let (cx, cy, radius, strength) = best?;
    if strength <= 0.0 {
        return None;
    }
    let step = (radius / 10.0).max(1.0);
    let candidates = radii(radius * 0.7, radius * 1.5, 0.03);
    best_circle(plane, grid(cx, cy, radius * 0.4, step), &candidates, None).map(|(circle, _)| circle)
}

fn find_limbus(plane: &Plane, pupil: Circle) -> Option<Circle> {
    let step = (pupil.radius / 10.0).max(1.0);
    // A pupil-iris ratio of 0.2..0.67 puts the limbus at 1.5..5 pupil radii.
    let candidates = radii(pupil.radius * 1.5, pupil.radius * 5.0, 0.02);
    best_circle(
        plane,
        grid(pupil.x, pupil.y, pupil.radius * 0.2, step),
        &candidates,
        Some(35f32.to_radians()),
    )
    .map(|(circle, _)| circle)
}

/// Median grey level inside 70 % of the pupil radius (the median ignores a reflection).
fn pupil_level(plane: &Plane, pupil: Circle) -> f32 {
    let mut values = Vec::with_capacity(8 * 24);
    for ring in 0..8 {
        let r = pupil.radius * 0.7 * ring as f32 / 8.0;
        for k in 0..24 {
            let angle = k as f32 / 24.0 * std::f32::consts::TAU;
            if let Some(v) = plane.sample(pupil.x + r * angle.cos(), pupil.y + r * angle.sin()) {
                values.push(v);
            }
        }
    }
    median(&mut values).unwrap_or(0.0)
}

/// Median grey level of the sclera just outside the limbus, left and right.
fn sclera_level(plane: &Plane, iris: Circle) -> Option<f32> {
    let mut values = Vec::with_capacity(4 * CIRCLE_POINTS);
    for ring in 0..4 {
        let r = iris.radius * (1.12 + 0.06 * ring as f32);
        for k in 0..CIRCLE_POINTS {
            let t = k as f32 / CIRCLE_POINTS as f32;
            let along = (4.0 * t % 2.0 - 1.0) * 25f32.to_radians();
            let angle = if t < 0.5 { along } else { std::f32::consts::PI + along };
            if let Some(v) = plane.sample(iris.x + r * angle.cos(), iris.y + r * angle.sin()) {
                values.push(v);
            }
        }
    }
    median(&mut values)
}

/// Mean power per pixel of Daugman's 8×8 focus kernel centred at `(x, y)`.
fn focus_power(integral: &Integral, x: f32, y: f32) -> Option<f64> {
    let (x, y) = (x.round() as i64, y.round() as i64);
    let (outer, outer_n) = integral.clipped_sum(x - 4, y - 4, x + 4, y + 4);
    let (inner, inner_n) = integral.clipped_sum(x - 2, y - 2, x + 2, y + 2);
    if outer_n < 64.0 || inner_n < 16.0 {
        return None;
    }
    // −1 over all 64 pixels plus 4 over the central 16 gives +3 there and −1 around.
    let response = 4.0 * inner - outer;
    Some((response / 64.0).powi(2))
}

/// One polar sample of the iris annulus.
struct AnnulusSample {
    x: f32,
    y: f32,
    /// `None` off the frame.
    value: Option<f32>,
    /// Proportional to the radius, so that samples stand for equal areas.
    weight: f32,
    lateral: bool,
}

struct AnnulusSamples {
    samples: Vec<AnnulusSample>,
}

impl AnnulusSamples {
    const ANGLES: usize = 96;
    const RINGS: usize = 16;

    fn collect(plane: &Plane, pupil: Circle, iris: Circle) -> AnnulusSamples {
        let mut samples = Vec::with_capacity(Self::ANGLES * Self::RINGS);
        for ring in 0..Self::RINGS {
            // From just outside the pupil to just inside the limbus, where both edges are clear.
            let t = (ring as f32 + 0.5) / Self::RINGS as f32;
            let fraction = 0.1 + 0.8 * t;
            for k in 0..Self::ANGLES {
                let angle = k as f32 / Self::ANGLES as f32 * std::f32::consts::TAU;
                let (cos, sin) = (angle.cos(), angle.sin());
                // Interpolate between the two (possibly non-concentric) circles.
                let inner = (pupil.x + pupil.radius * cos, pupil.y + pupil.radius * sin);
                let outer = (iris.x + iris.radius * cos, iris.y + iris.radius * sin);
                let x = inner.0 + fraction * (outer.0 - inner.0);
                let y = inner.1 + fraction * (outer.1 - inner.1);
                let radius = pupil.radius + fraction * (iris.radius - pupil.radius);
                samples.push(AnnulusSample {
                    x,
                    y,
                    value: plane.sample(x, y),
                    weight: radius,
                    lateral: sin.abs() < 0.5,
                });
            }
        }
        AnnulusSamples { samples }
    }

    fn lateral_values(&self) -> Vec<f32> {
        self.samples
            .iter()
            .filter(|s| s.lateral)
            .filter_map(|s| s.value)
            .collect()
    }
}
