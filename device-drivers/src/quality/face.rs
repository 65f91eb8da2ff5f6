//! Face image quality on the station, after the measures of ISO/IEC 29794-5 and ICAO portrait
//! rules, for a frontal portrait as the capture screen asks for (one face, looking at the camera).
//!
//! Every feature is relative (a ratio, a correlation, a share of pixels, a level of the
//! frame's own range), never an absolute grey level of the face: a dark-skinned face reflects
//! less light than a light-skinned one, so the same photograph, equally sharp, frontal and well
//! exposed, has a lower mean grey and smaller grey-level differences between eye and skin. A
//! score that read those absolute levels (as this one did: eye darkness in grey levels, exposure
//! from the face's mean grey) marked dark-skinned residents' good photos as poor, and sent them
//! to retries and a supervisor's sign-off for their skin. Ratios of grey levels do not depend on
//! how much light the skin reflects; how far the frame's range is used and how much of the face
//! is clipped do not either.
//!
//! 1. Eyes: at three scales tied to the image width, every eye-sized window (w × w/2) in the
//!    upper three quarters of the frame is scored by how much darker it is than the lightest of
//!    its four neighbours (left, right, above, below; integral images), so that the corner of
//!    dark hair or a shadow's edge does not pass for an eye, relative to that neighbour:
//!    `(side - window) / (side + 12)` (Weber contrast; the 12 grey levels keep sensor noise in
//!    black hair from passing for strong contrast). The twelve darkest spots per scale are
//!    paired when 2 to 7 window widths apart with their line tilted by less than 30°, and each
//!    pair's mirror likeness is measured (correlation of one eye's window with the other's,
//!    mirrored, at the best of the horizontal offsets within one grid stride): two dark spots
//!    that are not mirror images are not eyes. The eye factor is `1 - e^(-contrast/0.04)` of the
//!    weaker eye times the likeness mapped from 0.2..0.8, and the pair kept is the one with the
//!    best factor.
//! 2. The face is then resampled into a canonical frame turned with the eye line: eye distance
//!    [`CANONICAL_EYE_DISTANCE`] pixels, 1.1 eye distances either side of the eyes' midpoint,
//!    1.2 above and 1.9 below it (forehead to chin). Samples off the image are missing; the
//!    share present is "face in frame", mapped from 0.6 (unusable) to 1. The inner face is the
//!    ellipse 0.85 × 1.1 eye distances (half axes) centred half an eye distance below the
//!    eyes: brows, eyes, cheeks, nose and mouth, without hair, ears or backdrop.
//! 3. Pose: Pearson correlation of 8×8 cell means of the left half with the mirrored right half
//!    (a turned face is not mirror-symmetric), mapped from 0.3..0.95, and the roll angle of the
//!    eye line (5° is fine, 20° is not).
//! 4. Exposure, judged by the use of the camera's range and by clipping (ISO/IEC 29794-5's
//!    under- and over-exposure prevention), the product of three factors: the whole frame's
//!    99th percentile grey (its brightest parts: backdrop, catchlights, whites of the eyes)
//!    mapped from 60..180, so that a frame squeezed into the bottom of the range scores low
//!    whoever sits in it; the share of the inner face crushed to black (grey 0..=10) mapped from
//!    0.35 (none) to 0.05 (full); and the share blown to white (245..=255) mapped the same way.
//!    The inner face, not the box, so that black hair or a backdrop that a face-metering camera
//!    blows out behind a dark face count for nothing. "Too dark" is a frame whose highlights
//!    or crushed share are at half their factor or worse; "too bright", any blown share over
//!    0.05.
//! 5. Face contrast: `ln((p95 + 12) / (p5 + 12))` of the inner face's grey levels (5th and 95th
//!    percentiles; the spread in stops, which the skin's reflectance scales away), mapped with
//!    `1 - e^(-x/0.15)`. The mean grey and the 5th to 95th percentile spread in grey levels are
//!    still reported, and scored nowhere.
//! 6. Illumination uniformity: the darker half's mean over the brighter half's (ISO/IEC
//!    29794-5's illumination symmetry), mapped from 0.4..0.95.
//! 7. Sharpness, at the image's own resolution: at the face's strongest edges (the top tenth of
//!    gradients after a 3×3 binomial smoothing), the gradient energy before that smoothing over
//!    the energy after it; mapped from [`EDGE_RATIO_RANGE`]. It does not depend on exposure nor
//!    on how much edge a face has, only on how crisp the edges are.
//!
//! Score: `100 × Π factor^weight` with weights eyes 0.20, symmetry 0.15, roll 0.05, exposure
//! 0.10, face contrast 0.10, uniformity 0.10, sharpness 0.15, face in frame 0.15. Without two
//! eyes, the features are measured where a centred face's would be and the eye factor is at its
//! floor. The tests render one simulated face with skin from very light to very dark and hold
//! its good captures within 5 points of each other, all at the capture threshold of 90, and its
//! blurred, darkened and cut-off captures under it.
//!
//! Deliberately absent: a trained face detector or landmark model, age, expression, glasses,
//! background and every other ICAO check; the number is not an ISO/IEC 29794-5 score and is
//! not comparable with an SDK's. Without a detector, a frame that cuts off one eye may have
//! another dark pair taken for the eyes; the score then rests on the other features.

use image::GrayImage;
use serde::Serialize;

use super::pixels::{ramp, saturating, weighted_score, Integral, Plane};
use super::QualityIssue;

/// Eye distance of the canonical face, in pixels.
pub const CANONICAL_EYE_DISTANCE: f32 = 48.0;
/// Edge sharpness ratios mapped to sharpness 0 and 1. A pixel-sharp edge loses about half its
/// gradient energy to the light smoothing (ratio near 2), an edge blurred by sigma 1 pixel about
/// a fifth (1.27), by sigma 2 a tenth (1.09); a camera's edges are rarely pixel-sharp, so the
/// scale saturates at 1.35.
pub const EDGE_RATIO_RANGE: (f32, f32) = (1.02, 1.35);
/// Relative eye darkness (see [`EyePair::contrast`]) at which the eye factor is `1 - 1/e`.
const EYE_CONTRAST_SCALE: f32 = 0.04;
/// Grey levels added to both sides of a ratio of grey levels, so that sensor noise in a nearly
/// black area (dark hair, a shadow) does not pass for a strong relative contrast.
const DARK_FLOOR: f32 = 12.0;
/// Grey levels at and under which a pixel is crushed to black, at and over which it is blown.
const CRUSHED_LEVEL: u8 = 10;
const BLOWN_LEVEL: u8 = 245;
/// The frame's 99th percentile grey level mapped to 0 and 1: the brightest parts of a
/// portrait (backdrop, catchlights, the whites of the eyes) reach well up the range when it
/// is exposed, whoever sits.
const HIGHLIGHT_RANGE: (f32, f32) = (60.0, 180.0);
/// Shares of the inner face crushed to black mapped to 1 and 0.
const CRUSHED_RANGE: (f32, f32) = (0.05, 0.35);
/// Shares of the inner face blown to white mapped to 1 and 0.
const BLOWN_RANGE: (f32, f32) = (0.05, 0.35);
/// Relative face contrast (see [`FaceQuality::face_contrast`]) at which its factor is `1 - 1/e`.
const FACE_CONTRAST_SCALE: f32 = 0.15;
/// The canonical face box, in eye distances from the eyes' midpoint.
const BOX_HALF_WIDTH: f32 = 1.1;
const BOX_ABOVE: f32 = 1.2;
const BOX_BELOW: f32 = 1.9;
/// The inner face (brows, eyes, cheeks, nose, mouth; no hair, ears nor backdrop): an ellipse
/// with these half axes, centred this far below the eyes' midpoint, in eye distances.
const INNER_FACE: ((f32, f32), f32) = ((0.85, 1.1), 0.5);
/// Side of the cells compared for symmetry, canonical pixels.
const CELL: usize = 8;

/// Two eye centres in image pixels, the left one as seen in the image first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EyePair {
    pub left: (f32, f32),
    pub right: (f32, f32),
    /// How much darker the weaker eye is than the lightest of its four sides, relative to that
    /// side: `(side - eye) / (side + 12)`, 0..1. A ratio, so that the same eye scores the same
    /// on light and dark skin.
    pub contrast: f32,
    /// Correlation of one eye's window with the other's mirrored, −1..=1.
    pub likeness: f32,
}

/// What [`face_assessment`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceQuality {
    /// 0..=100.
    pub score: u8,
    pub eyes: Option<EyePair>,
    /// Mirror correlation of the two halves of the face, −1..=1.
    pub symmetry: f32,
    /// Tilt of the eye line, degrees.
    pub roll_degrees: f32,
    /// Mean grey level of the face. Reported, not scored: a well exposed dark-skinned face is
    /// darker than a light-skinned one.
    pub mean_brightness: f32,
    /// 5th to 95th percentile spread of the face's grey levels. Reported, not scored, for the
    /// same reason.
    pub dynamic_range: f32,
    /// The inner face's contrast relative to its own level: `ln((p95 + 12) / (p5 + 12))` of its
    /// grey levels (5th and 95th percentiles), the spread in stops rather than grey levels.
    pub face_contrast: f32,
    /// The frame's 99th percentile grey level: how far up the range its brightest parts reach.
    pub highlight_level: f32,
    /// Share of the inner face crushed to black (grey 0..=10), 0..=1.
    pub crushed_fraction: f32,
    /// Share of the inner face blown to white (grey 245..=255), 0..=1.
    pub blown_fraction: f32,
    /// Darker half's mean over the brighter half's, 0..=1.
    pub illumination_uniformity: f32,
    /// Gradient energy at the face's strongest edges over the same after light smoothing.
    pub edge_sharpness_ratio: f32,
    /// The edge sharpness ratio mapped to 0..=1.
    pub sharpness: f32,
    /// Share of the expected face box inside the frame, 0..=1.
    pub face_in_frame: f32,
    pub issues: Vec<QualityIssue>,
}

/// Quality of one portrait. An image under 40 pixels on a side scores 0 with an issue that says
/// so.
pub fn face_assessment(image: &GrayImage) -> FaceQuality {
    let mut quality = FaceQuality {
        score: 0,
        eyes: None,
        symmetry: 0.0,
        roll_degrees: 0.0,
        mean_brightness: 0.0,
        dynamic_range: 0.0,
        face_contrast: 0.0,
        highlight_level: 0.0,
        crushed_fraction: 0.0,
        blown_fraction: 0.0,
        illumination_uniformity: 0.0,
        edge_sharpness_ratio: 0.0,
        sharpness: 0.0,
        face_in_frame: 0.0,
        issues: Vec::new(),
    };
    if image.width() < 40 || image.height() < 40 {
        quality.issues.push(QualityIssue::ImageTooSmall);
        return quality;
    }
    let plane = Plane::from_gray(image);
    quality.highlight_level = frame_percentile(image, 0.99);
    let integral = Integral::new(image);
    quality.eyes = find_eyes(&plane, &integral);

    // Without eyes, assume a centred face whose eyes are 1/4 of the width apart, 40 % down.
    let (left, right) = match quality.eyes {
        Some(eyes) => (eyes.left, eyes.right),
        None => {
            let (w, h) = (plane.width as f32, plane.height as f32);
            ((w * 0.375, h * 0.4), (w * 0.625, h * 0.4))
        }
    };
    let canonical = CanonicalFace::sample(&plane, left, right);
    quality.roll_degrees = (right.1 - left.1).atan2(right.0 - left.0).to_degrees();
    quality.face_in_frame = canonical.present_fraction();
    canonical.measure(&mut quality);
    quality.edge_sharpness_ratio = edge_sharpness_ratio(&plane, left, right);
    quality.sharpness = ramp(quality.edge_sharpness_ratio, EDGE_RATIO_RANGE.0, EDGE_RATIO_RANGE.1);

    let eyes = quality.eyes.map_or(0.0, |e| eye_factor(e.contrast, e.likeness));
    // A correlation of 0.3 or less is no symmetry at all; 0.95 is a frontal face.
    let symmetry = ramp(quality.symmetry, 0.3, 0.95);
    let roll = ramp(quality.roll_degrees.abs(), 20.0, 5.0);
    // Exposure from the use of the range and from clipping, never from how light the face is.
    let highlights = ramp(quality.highlight_level, HIGHLIGHT_RANGE.0, HIGHLIGHT_RANGE.1);
    let crushed = ramp(quality.crushed_fraction, CRUSHED_RANGE.1, CRUSHED_RANGE.0);
    let blown = ramp(quality.blown_fraction, BLOWN_RANGE.1, BLOWN_RANGE.0);
    let exposure = highlights * crushed * blown;
    let range = saturating(quality.face_contrast, FACE_CONTRAST_SCALE);
    let uniformity = ramp(quality.illumination_uniformity, 0.4, 0.95);
    let sharpness = quality.sharpness;
    // A face with 40 % or more outside the frame is unusable.
    let in_frame = ramp(quality.face_in_frame, 0.6, 1.0);
    quality.score = weighted_score(&[
        (eyes, 0.20),
        (symmetry, 0.15),
        (roll, 0.05),
        (exposure, 0.10),
        (range, 0.10),
        (uniformity, 0.10),
        (sharpness, 0.15),
        (in_frame, 0.15),
    ]);

    let issues = &mut quality.issues;
    if eyes < 0.5 {
        issues.push(QualityIssue::EyesNotFound);
    }
    if symmetry < 0.5 || roll < 0.5 {
        issues.push(QualityIssue::FaceNotFrontal);
    }
    if highlights < 0.5 || crushed < 0.5 {
        issues.push(QualityIssue::TooDark);
    } else if blown < 1.0 {
        issues.push(QualityIssue::TooBright);
    }
    if range < 0.5 {
        issues.push(QualityIssue::LowContrast);
    }
    if uniformity < 0.5 {
        issues.push(QualityIssue::UnevenLighting);
    }
    if sharpness < 0.5 {
        issues.push(QualityIssue::Blurred);
    }
    if quality.face_in_frame < 0.95 {
        issues.push(QualityIssue::FaceCutOff);
    }
    quality
}

/// A dark spot: window centre and how much darker it is than its surround, relative to it.
#[derive(Clone, Copy)]
struct DarkSpot {
    x: f32,
    y: f32,
    contrast: f32,
}

fn find_eyes(plane: &Plane, integral: &Integral) -> Option<EyePair> {
    let (width, height) = (plane.width, plane.height);
    let mut best: Option<(EyePair, f32)> = None;
    for divisor in [20.0f32, 14.0, 10.0] {
        let eye_width = (width as f32 / divisor).round().max(4.0) as i64;
        let spots = dark_spots(integral, width, height, eye_width);
        let w = eye_width as f32;
        for (i, a) in spots.iter().enumerate() {
            for b in &spots[i + 1..] {
                let (left, right) = if a.x <= b.x { (a, b) } else { (b, a) };
                let (dx, dy) = (right.x - left.x, right.y - left.y);
                if !(2.0 * w..=7.0 * w).contains(&dx) || dy.abs() > dx * 30f32.to_radians().tan() {
                    continue;
                }
                let contrast = left.contrast.min(right.contrast);
                // The spots lie on a grid a quarter eye wide, so the pair's mirror axis may miss
                // the face's by up to a stride: slide the right window across one before
                // comparing, or a sitter a few pixels off-centre would score lower than one on
                // the grid.
                let stride = (eye_width / 4).max(1);
                let (likeness, right_x) = (-stride..=stride)
                    .map(|shift| {
                        let x = right.x + shift as f32;
                        (mirror_likeness(plane, (left.x, left.y), (x, right.y), w), x)
                    })
                    .fold(
                        (f32::MIN, right.x),
                        |best, next| if next.0 > best.0 { next } else { best },
                    );
                // Two dark spots that are not mirror images of each other are not two eyes:
                // the pair kept is the one with the best eye factor.
                let value = eye_factor(contrast, likeness);
                if best.is_none_or(|(_, v)| value > v) {
                    let pair = EyePair {
                        left: (left.x, left.y),
                        right: (right_x, right.y),
                        contrast,
                        likeness,
                    };
                    best = Some((pair, value));
                }
            }
        }
    }
    best.filter(|&(_, value)| value > 0.0).map(|(pair, _)| pair)
}

/// The eye factor of a pair of dark spots: their relative darkness, saturating, times their
/// mirror likeness mapped from 0.2..0.8.
fn eye_factor(contrast: f32, likeness: f32) -> f32 {
    saturating(contrast, EYE_CONTRAST_SCALE) * ramp(likeness, 0.2, 0.8)
}

/// Pearson correlation of the `2w × w` window around `left` with the mirrored window around
/// `right`: near 1 for a pair of eyes, near 0 for two unrelated dark spots.
fn mirror_likeness(plane: &Plane, left: (f32, f32), right: (f32, f32), w: f32) -> f32 {
    let (half_w, half_h) = (w as i64, (w / 2.0) as i64);
    let (mut sa, mut sb, mut saa, mut sbb, mut sab, mut n) = (0.0f64, 0.0, 0.0, 0.0, 0.0, 0.0);
    for dy in -half_h..=half_h {
        for dx in -half_w..=half_w {
            let a = pixel(plane, left.0 as i64 + dx, left.1 as i64 + dy);
            let b = pixel(plane, right.0 as i64 - dx, right.1 as i64 + dy);
            let (Some(a), Some(b)) = (a, b) else { continue };
            let (a, b) = (a as f64, b as f64);
            sa += a;
            sb += b;
            saa += a * a;
            sbb += b * b;
            sab += a * b;
            n += 1.0;
        }
    }
    pearson(sa, sb, saa, sbb, sab, n)
}

fn pixel(plane: &Plane, x: i64, y: i64) -> Option<f32> {
    (x >= 0 && y >= 0 && (x as usize) < plane.width && (y as usize) < plane.height)
        .then(|| plane.values[y as usize * plane.width + x as usize])
}

/// Pearson correlation from running sums; 0 when either side is flat or there are too few.
fn pearson(sa: f64, sb: f64, saa: f64, sbb: f64, sab: f64, n: f64) -> f32 {
    if n < 4.0 {
        return 0.0;
    }
    let cov = sab / n - sa / n * sb / n;
    let var_a = saa / n - (sa / n).powi(2);
    let var_b = sbb / n - (sb / n).powi(2);
    if var_a <= 1e-9 || var_b <= 1e-9 {
        return 0.0;
    }
    (cov / (var_a * var_b).sqrt()) as f32
}

/// The darkest eye-sized spots (at most 12, kept apart by one window width) in the upper three
/// quarters of the frame.
fn dark_spots(integral: &Integral, width: usize, height: usize, eye_width: i64) -> Vec<DarkSpot> {
    let (half_w, half_h) = (eye_width / 2, (eye_width / 4).max(1));
    let stride = ((eye_width / 4) as usize).max(1);
    let mut found: Vec<DarkSpot> = Vec::new();
    let top = height / 8;
    let bottom = height * 3 / 4;
    for cy in (top..bottom).step_by(stride) {
        for cx in (0..width).step_by(stride) {
            let (cx, cy) = (cx as i64, cy as i64);
            let (inner, inner_n) = integral.clipped_sum(cx - half_w, cy - half_h, cx + half_w, cy + half_h);
            if inner_n < (4 * half_w * half_h) as f64 {
                continue;
            }
            let inner_mean = inner / inner_n;
            // Darker than each side on its own (left, right, above, below): an eye is, the
            // lower corner of dark hair or a shadow's edge is not.
            let sides = [
                integral.clipped_mean(cx - 2 * half_w, cy - half_h, cx - half_w, cy + half_h),
                integral.clipped_mean(cx + half_w, cy - half_h, cx + 2 * half_w, cy + half_h),
                integral.clipped_mean(cx - half_w, cy - 3 * half_h, cx + half_w, cy - half_h),
                integral.clipped_mean(cx - half_w, cy + half_h, cx + half_w, cy + 3 * half_h),
            ];
            let Some(lightest_dark_side) = sides.iter().try_fold(f64::INFINITY, |m, side| side.map(|v| m.min(v)))
            else {
                continue;
            };
            // Relative to the side, so that an eye in dark skin is as dark as one in light skin.
            let contrast = (lightest_dark_side - inner_mean) as f32 / (lightest_dark_side as f32 + DARK_FLOOR);
            if contrast > 0.0 {
                found.push(DarkSpot {
                    x: cx as f32,
                    y: cy as f32,
                    contrast,
                });
            }
        }
    }
    found.sort_by(|a, b| b.contrast.total_cmp(&a.contrast));
    let mut kept: Vec<DarkSpot> = Vec::with_capacity(12);
    let apart = eye_width as f32;
    for spot in found {
        if kept.len() == 12 {
            break;
        }
        if kept.iter().all(|k| (k.x - spot.x).hypot(k.y - spot.y) >= apart) {
            kept.push(spot);
        }
    }
    kept
}

/// The face resampled upright at a fixed scale; `NaN` where the box leaves the image.
struct CanonicalFace {
    width: usize,
    height: usize,
    values: Vec<f32>,
}

impl CanonicalFace {
    fn sample(plane: &Plane, left: (f32, f32), right: (f32, f32)) -> CanonicalFace {
        let d = CANONICAL_EYE_DISTANCE;
        let width = (2.0 * BOX_HALF_WIDTH * d).round() as usize;
        let height = ((BOX_ABOVE + BOX_BELOW) * d).round() as usize;
        let (mid_x, mid_y) = ((left.0 + right.0) / 2.0, (left.1 + right.1) / 2.0);
        let distance = (right.0 - left.0).hypot(right.1 - left.1).max(1.0);
        let scale = distance / d;
        // Unit vectors along and across the eye line, in image pixels per canonical pixel.
        let (ux, uy) = (
            (right.0 - left.0) / distance * scale,
            (right.1 - left.1) / distance * scale,
        );
        let (vx, vy) = (-uy, ux);
        let mut values = Vec::with_capacity(width * height);
        for row in 0..height {
            let v = row as f32 + 0.5 - BOX_ABOVE * d;
            for column in 0..width {
                let u = column as f32 + 0.5 - BOX_HALF_WIDTH * d;
                let x = mid_x + u * ux + v * vx;
                let y = mid_y + u * uy + v * vy;
                values.push(plane.sample(x, y).unwrap_or(f32::NAN));
            }
        }
        CanonicalFace { width, height, values }
    }

    fn present_fraction(&self) -> f32 {
        self.values.iter().filter(|v| !v.is_nan()).count() as f32 / self.values.len() as f32
    }

    fn at(&self, x: usize, y: usize) -> f32 {
        self.values[y * self.width + x]
    }

    fn measure(&self, quality: &mut FaceQuality) {
        let mut histogram = [0u32; 256];
        let mut inner_histogram = [0u32; 256];
        let (mut sum, mut n, mut inner_n) = (0.0f64, 0u32, 0u32);
        let half = self.width / 2;
        let (mut halves, mut half_n) = ([0.0f64; 2], [0u32; 2]);
        let d = CANONICAL_EYE_DISTANCE;
        for y in 0..self.height {
            for x in 0..self.width {
                let v = self.at(x, y);
                if v.is_nan() {
                    continue;
                }
                let level = (v.round() as usize).min(255);
                histogram[level] += 1;
                sum += v as f64;
                n += 1;
                let side = usize::from(x >= half);
                halves[side] += v as f64;
                half_n[side] += 1;
                // Canonical pixel centre relative to the inner face's centre, in eye distances.
                let u = (x as f32 + 0.5 - BOX_HALF_WIDTH * d) / d;
                let v = (y as f32 + 0.5 - BOX_ABOVE * d) / d - INNER_FACE.1;
                if (u / INNER_FACE.0 .0).powi(2) + (v / INNER_FACE.0 .1).powi(2) <= 1.0 {
                    inner_histogram[level] += 1;
                    inner_n += 1;
                }
            }
        }
        if n == 0 {
            return;
        }
        quality.mean_brightness = (sum / n as f64) as f32;
        quality.dynamic_range = percentile(&histogram, n, 0.95) - percentile(&histogram, n, 0.05);
        if inner_n > 0 {
            let (p5, p95) = (
                percentile(&inner_histogram, inner_n, 0.05),
                percentile(&inner_histogram, inner_n, 0.95),
            );
            quality.face_contrast = ((p95 + DARK_FLOOR) / (p5 + DARK_FLOOR)).ln();
            let share = |levels: std::ops::RangeInclusive<u8>| {
                inner_histogram[*levels.start() as usize..=*levels.end() as usize]
                    .iter()
                    .map(|&c| c as f32)
                    .sum::<f32>()
                    / inner_n as f32
            };
            quality.crushed_fraction = share(0..=CRUSHED_LEVEL);
            quality.blown_fraction = share(BLOWN_LEVEL..=255);
        }
        if half_n[0] > 0 && half_n[1] > 0 {
            let (a, b) = (halves[0] / half_n[0] as f64, halves[1] / half_n[1] as f64);
            quality.illumination_uniformity = if a.max(b) > 0.0 {
                (a.min(b) / a.max(b)) as f32
            } else {
                0.0
            };
        }
        quality.symmetry = self.mirror_correlation();
    }

    /// Pearson correlation of cell means on the left with the mirrored cells on the right,
    /// over cell pairs fully inside the frame.
    fn mirror_correlation(&self) -> f32 {
        let cells_per_half = self.width / 2 / CELL;
        let rows = self.height / CELL;
        let cell_mean = |cx: usize, cy: usize| -> Option<f32> {
            let mut sum = 0.0;
            for y in cy * CELL..(cy + 1) * CELL {
                for x in cx..cx + CELL {
                    let v = self.at(x, y);
                    if v.is_nan() {
                        return None;
                    }
                    sum += v;
                }
            }
            Some(sum / (CELL * CELL) as f32)
        };
        let (mut sa, mut sb, mut saa, mut sbb, mut sab, mut n) = (0.0f64, 0.0, 0.0, 0.0, 0.0, 0.0);
        for row in 0..rows {
            for k in 0..cells_per_half {
                // Left cell k from the centre line outwards, and its mirror on the right.
                let left_x = self.width / 2 - (k + 1) * CELL;
                let right_x = self.width - self.width / 2 + k * CELL;
                let (Some(a), Some(b)) = (cell_mean(left_x, row), cell_mean(right_x, row)) else {
                    continue;
                };
                let (a, b) = (a as f64, b as f64);
                sa += a;
                sb += b;
                saa += a * a;
                sbb += b * b;
                sab += a * b;
                n += 1.0;
            }
        }
        pearson(sa, sb, saa, sbb, sab, n)
    }
}

/// The grey level below which `fraction` of the `n` counted samples lie.
fn percentile(histogram: &[u32; 256], n: u32, fraction: f64) -> f32 {
    let target = (n as f64 * fraction).ceil() as u64;
    let mut seen = 0u64;
    for (level, &count) in histogram.iter().enumerate() {
        seen += count as u64;
        if seen >= target {
            return level as f32;
        }
    }
    255.0
}

/// The grey level below which `fraction` of the whole frame's pixels lie.
fn frame_percentile(image: &GrayImage, fraction: f64) -> f32 {
    let mut histogram = [0u32; 256];
    for &p in image.as_raw() {
        histogram[p as usize] += 1;
    }
    percentile(&histogram, image.as_raw().len() as u32, fraction)
}

/// Sharpness at the face's edges, at the image's own resolution: over the face box, the pixels
/// whose gradient after the binomial smoothing is in the top tenth (the edges of eyes, brows,
/// nostrils, mouth, outline; not flat skin, whose gradients are noise), the sum of squared
/// gradients before smoothing over the sum after. Independent of exposure and of how much edge
/// the face has; near 2 for crisp edges and falling toward 1 as they blur.
fn edge_sharpness_ratio(plane: &Plane, left: (f32, f32), right: (f32, f32)) -> f32 {
    let distance = (right.0 - left.0).hypot(right.1 - left.1).max(1.0);
    let (mid_x, mid_y) = ((left.0 + right.0) / 2.0, (left.1 + right.1) / 2.0);
    let clip_x = |v: f32| (v.max(1.0) as usize).min(plane.width.saturating_sub(1));
    let clip_y = |v: f32| (v.max(1.0) as usize).min(plane.height.saturating_sub(1));
    let (x0, x1) = (
        clip_x(mid_x - BOX_HALF_WIDTH * distance),
        clip_x(mid_x + BOX_HALF_WIDTH * distance),
    );
    let (y0, y1) = (
        clip_y(mid_y - BOX_ABOVE * distance),
        clip_y(mid_y + BOX_BELOW * distance),
    );
    if x1 <= x0 || y1 <= y0 {
        return 0.0;
    }
    let smooth = plane.binomial_smoothed();
    let energy = |p: &Plane, x: usize, y: usize| {
        let w = p.width;
        let gx = (p.values[y * w + x + 1] - p.values[y * w + x - 1]) / 2.0;
        let gy = (p.values[(y + 1) * w + x] - p.values[(y - 1) * w + x]) / 2.0;
        gx * gx + gy * gy
    };
    let mut smoothed_energies = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        for x in x0..x1 {
            smoothed_energies.push(energy(&smooth, x, y));
        }
    }
    let mut sorted = smoothed_energies.clone();
    let tenth = sorted.len() * 9 / 10;
    // `tenth < len` because the box is not empty.
    let threshold = *sorted.select_nth_unstable_by(tenth, f32::total_cmp).1;
    if threshold <= 0.0 {
        return 0.0;
    }
    let (mut raw_sum, mut smooth_sum) = (0.0f64, 0.0f64);
    let mut i = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            if smoothed_energies[i] >= threshold {
                raw_sum += energy(plane, x, y) as f64;
                smooth_sum += smoothed_energies[i] as f64;
            }
            i += 1;
        }
    }
    if smooth_sum > 0.0 {
        (raw_sum / smooth_sum) as f32
    } else {
        0.0
    }
}
