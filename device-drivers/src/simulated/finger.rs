//! Synthetic fingerprints: a finger's ridge pattern, fixed per person and finger (its
//! impressions on the glass, different at every capture, are `super::impression`'s job).
//!
//! The pattern follows the usual synthetic-fingerprint recipe: an orientation field from a
//! zero-pole model (each core turns the ridges by +π around it, each delta by −π), plus an arch
//! term that bends the ridges over the fingertip; a ridge-period field of 7.5 to 11.5 px (about
//! 0.45 mm at 500 ppi, varying slowly over the finger); then sparse random seeds filtered again
//! and again by a filter tuned to the local orientation and period and clipped, which grows
//! ridges that follow the field. Where ridges growing from different seeds meet out of phase,
//! they end or fork: the minutiae come from the process itself rather than being drawn in.
//!
//! The filter is separable (a Gabor profile across the ridges, a Gaussian along them) with taps
//! at whole-cell offsets precomputed per orientation and period bin, and runs on a grid of half
//! the resolution, so a pattern costs about five multiply-adds per pixel and pass.
//!
//! Deliberately absent: pores, scars and incipient ridges; placement, pressure and shading
//! (`super::impression`); any claim that these patterns look like a real person's.

use std::f32::consts::PI;

use rand::{Rng, SeedableRng};

use super::noise::{box_blur_3x3, derive_seed, smoothstep, value_noise, Grain};

/// Width of one finger image in pixels (about 20 mm at 500 ppi).
pub const FINGER_WIDTH: u32 = 400;
/// Height of one finger image in pixels (about 25 mm at 500 ppi).
pub const FINGER_HEIGHT: u32 = 500;
/// Resolution of every simulated finger image.
pub const FINGER_PPI: u16 = 500;

/// The pattern is drawn larger than an image so that rotation and shift never run off it.
pub(crate) const PATTERN_WIDTH: usize = 448;
pub(crate) const PATTERN_HEIGHT: usize = 560;
/// Ridges grow on a grid of half the resolution (a ridge period of 3.75 to 5.75 cells), which
/// cuts the filtering four times and widens each pass's reach; the result is interpolated back.
const WORK_SCALE: usize = 2;
const WORK_WIDTH: usize = PATTERN_WIDTH / WORK_SCALE;
const WORK_HEIGHT: usize = PATTERN_HEIGHT / WORK_SCALE;
/// Zero border around the working buffers, at least the filters' reach.
const PAD: usize = 6;
const ORIENTATION_BINS: usize = 32;
/// Ridge periods in working cells (7.5 to 11.5 px at 500 ppi).
const PERIOD_MIN: f32 = 7.5 / WORK_SCALE as f32;
const PERIOD_STEP: f32 = 0.5 / WORK_SCALE as f32;
const PERIOD_BINS: usize = 9;
const ACROSS_REACH: i32 = 4;
const ALONG_REACH: i32 = 4;
const GROWTH_PASSES: usize = 10;
/// One seed of ridge growth per this many working cells on average.
const SEED_SPACING: u32 = 120;

/// The Henry classes the generator draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternClass {
    Arch,
    TentedArch,
    /// Ridges enter and leave on the image's left; the delta is on the right.
    LeftLoop,
    /// Ridges enter and leave on the image's right; the delta is on the left.
    RightLoop,
    Whorl,
}

/// One finger's ridge pattern: what stays the same between captures of that finger.
pub struct FingerPattern {
    class: PatternClass,
    cores: Vec<(f32, f32)>,
    deltas: Vec<(f32, f32)>,
    width_scale: f32,
    /// Row-major, `PATTERN_WIDTH * PATTERN_HEIGHT`, in [-1, 1]; positive on a ridge.
    ridges: Vec<f32>,
}

impl std::fmt::Debug for FingerPattern {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FingerPattern")
            .field("class", &self.class)
            .field("cores", &self.cores)
            .field("deltas", &self.deltas)
            .finish_non_exhaustive()
    }
}

impl FingerPattern {
    /// Grows the pattern of one finger. `mean_period` is the person's ridge period in pixels
    /// (clamped to 8.5..=10.5 so that the local variation stays within 7.5..=11.5); `width_scale`
    /// widens (thumb) or narrows (little finger) the finger's outline.
    pub fn generate(seed: u64, class: PatternClass, mean_period: f32, width_scale: f32) -> FingerPattern {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mean_period = mean_period.clamp(8.5, 10.5);
        let centre_x = PATTERN_WIDTH as f32 / 2.0 + rng.gen_range(-15.0..15.0);
        let centre_y = PATTERN_HEIGHT as f32 * 0.46 + rng.gen_range(-20.0..20.0);
        let side: f32 = rng.gen_range(95.0..135.0);
        let drop: f32 = rng.gen_range(90.0..140.0);
        let (cores, deltas, arch_amplitude) = match class {
            PatternClass::Arch => (vec![], vec![], rng.gen_range(60.0..100.0)),
            PatternClass::TentedArch => (
                vec![(centre_x, centre_y)],
                vec![(
                    centre_x + rng.gen_range(-8.0..8.0),
                    centre_y + rng.gen_range(55.0..85.0),
                )],
                20.0,
            ),
            PatternClass::LeftLoop => (
                vec![(centre_x, centre_y)],
                vec![(centre_x + side, centre_y + drop)],
                25.0,
            ),
            PatternClass::RightLoop => (
                vec![(centre_x, centre_y)],
                vec![(centre_x - side, centre_y + drop)],
                25.0,
            ),
            PatternClass::Whorl => {
                let (dx, dy) = (rng.gen_range(8.0..22.0), rng.gen_range(-12.0..12.0));
                (
                    vec![(centre_x - dx, centre_y - dy), (centre_x + dx, centre_y + dy)],
                    vec![
                        (centre_x - side, centre_y + drop),
                        (centre_x + side, centre_y + drop + rng.gen_range(-20.0..20.0)),
                    ],
                    25.0,
                )
            }
        };
        let fields = Fields::compute(&cores, &deltas, (centre_x, centre_y), arch_amplitude, mean_period, seed);
        let ridges = grow_ridges(&fields, derive_seed(seed, 0x5EED));
        FingerPattern {
            class,
            cores,
            deltas,
            width_scale,
            ridges,
        }
    }

    /// How wide the finger's outline is compared with an index finger.
    pub fn width_scale(&self) -> f32 {
        self.width_scale
    }

    pub fn class(&self) -> PatternClass {
        self.class
    }

    /// Where the cores are, in pattern coordinates (the pattern's centre lands on the finger's
    /// centre in an impression).
    pub fn cores(&self) -> &[(f32, f32)] {
        &self.cores
    }

    /// Where the deltas are, in pattern coordinates.
    pub fn deltas(&self) -> &[(f32, f32)] {
        &self.deltas
    }

    /// The ridge field in [-1, 1] (positive on a ridge) at pattern coordinates, bilinear; zero
    /// off the pattern.
    pub fn ridge_at(&self, x: f32, y: f32) -> f32 {
        if !(x >= 0.0 && y >= 0.0 && x < (PATTERN_WIDTH - 1) as f32 && y < (PATTERN_HEIGHT - 1) as f32) {
            return 0.0;
        }
        let (x0, y0) = (x as usize, y as usize);
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let at = |xx: usize, yy: usize| self.ridges[yy * PATTERN_WIDTH + xx];
        let top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * fx;
        let bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * fx;
        top + (bottom - top) * fy
    }

    /// The pattern's size in pixels.
    pub fn size() -> (u32, u32) {
        (PATTERN_WIDTH as u32, PATTERN_HEIGHT as u32)
    }
}

/// Orientation and period bins per pixel of the pattern.
struct Fields {
    orientation_bin: Vec<u8>,
    period_bin: Vec<u8>,
}

impl Fields {
    fn compute(
        cores: &[(f32, f32)],
        deltas: &[(f32, f32)],
        centre: (f32, f32),
        arch_amplitude: f32,
        mean_period: f32,
        seed: u64,
    ) -> Fields {
        let count = WORK_WIDTH * WORK_HEIGHT;
        let mut orientation_bin = Vec::with_capacity(count);
        let mut period_bin = Vec::with_capacity(count);
        let period_seed = derive_seed(seed, 0xFE71);
        let scale = WORK_SCALE as f32;
        // The arch term's slope factor depends on the column only.
        let arch_width = 120.0f32;
        let arch_slope: Vec<f32> = (0..WORK_WIDTH)
            .map(|x| {
                let offset = (x as f32 + 0.5) * scale - centre.0;
                2.0 * offset / (arch_width * arch_width) * (-(offset / arch_width).powi(2)).exp()
            })
            .collect();
        // The period varies over about 140 px: computed per block of 4 x 4 cells (8 px) and held.
        const BLOCK: usize = 4;
        let blocks_wide = WORK_WIDTH.div_ceil(BLOCK);
        let mut block_period = Vec::with_capacity(blocks_wide * WORK_HEIGHT.div_ceil(BLOCK));
        for by in 0..WORK_HEIGHT.div_ceil(BLOCK) {
            let yf = ((by * BLOCK) as f32 + BLOCK as f32 / 2.0) * scale;
            for bx in 0..blocks_wide {
                let xf = ((bx * BLOCK) as f32 + BLOCK as f32 / 2.0) * scale;
                // Ridges are a little finer towards the tip, as on real fingers.
                let tip = smoothstep(PATTERN_HEIGHT as f32 * 0.45, 0.0, yf);
                let period = mean_period + 0.6 * value_noise(period_seed, xf / 140.0, yf / 140.0) - 0.5 * tip;
                let bin = ((period / scale - PERIOD_MIN) / PERIOD_STEP)
                    .round()
                    .clamp(0.0, (PERIOD_BINS - 1) as f32);
                block_period.push(bin as u8);
            }
        }
        for y in 0..WORK_HEIGHT {
            let yf = (y as f32 + 0.5) * scale;
            // The arch bends ridges most across the middle of the finger, least at the crease.
            let arch_strength = arch_amplitude * (-((yf - centre.1) / 260.0).powi(2)).exp();
            for x in 0..WORK_WIDTH {
                let xf = (x as f32 + 0.5) * scale;
                // The zero-pole model, 1/2 (sum of arg(z - core) - sum of arg(z - delta)), taken
                // as half the argument of one complex product: the same angle modulo pi (all an
                // orientation is), with one atan2 instead of one per point.
                let (mut re, mut im) = (1.0f32, 0.0f32);
                for &(cx, cy) in cores {
                    let (a, b) = ((xf - cx) / 100.0, (yf - cy) / 100.0);
                    (re, im) = (re * a - im * b, re * b + im * a);
                }
                for &(dx, dy) in deltas {
                    // Multiplying by the conjugate subtracts the argument.
                    let (a, b) = ((xf - dx) / 100.0, -(yf - dy) / 100.0);
                    (re, im) = (re * a - im * b, re * b + im * a);
                }
                let mut angle = 0.5 * im.atan2(re);
                angle += (arch_strength * arch_slope[x]).atan();
                let bin = (angle.rem_euclid(PI) / PI * ORIENTATION_BINS as f32).round() as usize % ORIENTATION_BINS;
                orientation_bin.push(bin as u8);
                period_bin.push(block_period[(y / BLOCK) * blocks_wide + x / BLOCK]);
            }
        }
        Fields {
            orientation_bin,
            period_bin,
        }
    }
}

/// Taps of one directional filter: offsets into a padded buffer, and weights.
struct Taps {
    offsets: [isize; TAPS],
    weights: [f32; TAPS],
}

/// Both filters have the same number of taps, so a fixed-size array holds either.
const TAPS: usize = 2 * ACROSS_REACH as usize + 1;
const _: () = assert!(ACROSS_REACH == ALONG_REACH, "one tap count for both filters");

const STRIDE: usize = WORK_WIDTH + 2 * PAD;

/// Filters across the ridges: a Gabor profile at the bin's period, zero-mean, with unit gain on
/// a cosine of that period. Indexed by `orientation * PERIOD_BINS + period`.
fn across_filters() -> Vec<Taps> {
    let mut filters = Vec::with_capacity(ORIENTATION_BINS * PERIOD_BINS);
    for orientation in 0..ORIENTATION_BINS {
        let angle = orientation as f32 * PI / ORIENTATION_BINS as f32;
        // The normal to a ridge running at `angle`.
        let (normal_x, normal_y) = (-angle.sin(), angle.cos());
        for period_index in 0..PERIOD_BINS {
            let period = PERIOD_MIN + period_index as f32 * PERIOD_STEP;
            let sigma = 0.4 * period;
            let mut offsets = [0isize; TAPS];
            let mut envelope = [0.0f32; TAPS];
            let mut carrier = [0.0f32; TAPS];
            for (tap, t) in (-ACROSS_REACH..=ACROSS_REACH).enumerate() {
                let (dx, dy) = (
                    (t as f32 * normal_x).round() as isize,
                    (t as f32 * normal_y).round() as isize,
                );
                offsets[tap] = dy * STRIDE as isize + dx;
                // The carrier follows the true distance of the rounded tap from the centre line.
                let distance = dx as f32 * normal_x + dy as f32 * normal_y;
                envelope[tap] = (-(distance * distance) / (2.0 * sigma * sigma)).exp();
                carrier[tap] = (2.0 * PI * distance / period).cos();
            }
            let envelope_sum: f32 = envelope.iter().sum();
            let dc: f32 = envelope.iter().zip(&carrier).map(|(e, c)| e * c).sum::<f32>() / envelope_sum;
            let mut weights = [0.0f32; TAPS];
            for tap in 0..TAPS {
                weights[tap] = envelope[tap] * (carrier[tap] - dc);
            }
            let gain: f32 = weights.iter().zip(&carrier).map(|(w, c)| w * c).sum();
            for weight in &mut weights {
                *weight /= gain;
            }
            filters.push(Taps { offsets, weights });
        }
    }
    filters
}

/// Smoothing along the ridges: a Gaussian of unit sum. Indexed by orientation.
fn along_filters() -> Vec<Taps> {
    (0..ORIENTATION_BINS)
        .map(|orientation| {
            let angle = orientation as f32 * PI / ORIENTATION_BINS as f32;
            let (along_x, along_y) = (angle.cos(), angle.sin());
            let mut offsets = [0isize; TAPS];
            let mut weights = [0.0f32; TAPS];
            for (tap, t) in (-ALONG_REACH..=ALONG_REACH).enumerate() {
                let (dx, dy) = (
                    (t as f32 * along_x).round() as isize,
                    (t as f32 * along_y).round() as isize,
                );
                offsets[tap] = dy * STRIDE as isize + dx;
                weights[tap] = (-(t * t) as f32 / (2.0 * 2.0 * 2.0)).exp();
            }
            let sum: f32 = weights.iter().sum();
            weights.iter_mut().for_each(|w| *w /= sum);
            Taps { offsets, weights }
        })
        .collect()
}

/// Grows ridges from sparse seeds (see the module comment); returns the field at full
/// resolution, in [-1, 1].
fn grow_ridges(fields: &Fields, seed: u64) -> Vec<f32> {
    let across = across_filters();
    let along = along_filters();
    let padded_len = STRIDE * (WORK_HEIGHT + 2 * PAD);
    let mut field = vec![0.0f32; padded_len];
    let mut scratch = vec![0.0f32; padded_len];
    // Sparse seeds rather than dense noise: ridges grown from few seeds meet less often, so
    // minutiae come at the density of real prints (a few per square millimetre at most).
    let mut grain = Grain::new(seed);
    for y in 0..WORK_HEIGHT {
        let row = (y + PAD) * STRIDE + PAD;
        for value in &mut field[row..row + WORK_WIDTH] {
            let draw = grain.uniform();
            if (draw + 1.0) * (SEED_SPACING as f32 / 2.0) < 1.0 {
                *value = if grain.uniform() > 0.0 { 1.0 } else { -1.0 };
            }
        }
    }
    // Which filter each cell uses, looked up once rather than at every pass.
    let across_index: Vec<u16> = (0..WORK_WIDTH * WORK_HEIGHT)
        .map(|i| (fields.orientation_bin[i] as usize * PERIOD_BINS + fields.period_bin[i] as usize) as u16)
        .collect();
    let along_index: Vec<u16> = fields.orientation_bin.iter().map(|&bin| bin as u16).collect();
    let filter_pass = |source: &[f32], target: &mut [f32], index: &[u16], filters: &[Taps]| {
        for y in 0..WORK_HEIGHT {
            let row = (y + PAD) * STRIDE + PAD;
            for x in 0..WORK_WIDTH {
                let taps = &filters[index[y * WORK_WIDTH + x] as usize];
                let centre = (row + x) as isize;
                let mut sum = 0.0;
                for (offset, weight) in taps.offsets.iter().zip(&taps.weights) {
                    // In bounds: |offset| <= reach * (STRIDE + 1) and PAD >= reach on every side.
                    sum += source[(centre + offset) as usize] * weight;
                }
                target[row + x] = sum;
            }
        }
    };
    for _ in 0..GROWTH_PASSES {
        filter_pass(&field, &mut scratch, &across_index, &across);
        filter_pass(&scratch, &mut field, &along_index, &along);
        // Clipping hard makes ridges saturate into a two-level pattern that spreads from the
        // seeds by about one filter reach per pass.
        for y in 0..WORK_HEIGHT {
            let row = (y + PAD) * STRIDE + PAD;
            for value in &mut field[row..row + WORK_WIDTH] {
                *value = (*value * 4.0).clamp(-1.0, 1.0);
            }
        }
    }
    // Back to full resolution, bilinear, then rounded once more the way skin rounds a ridge.
    let mut ridges = Vec::with_capacity(PATTERN_WIDTH * PATTERN_HEIGHT);
    let at = |x: usize, y: usize| field[(y + PAD) * STRIDE + PAD + x];
    for y in 0..PATTERN_HEIGHT {
        let wy = ((y as f32 + 0.5) / WORK_SCALE as f32 - 0.5).clamp(0.0, (WORK_HEIGHT - 1) as f32);
        let (y0, fy) = (wy as usize, wy.fract());
        let y1 = (y0 + 1).min(WORK_HEIGHT - 1);
        for x in 0..PATTERN_WIDTH {
            let wx = ((x as f32 + 0.5) / WORK_SCALE as f32 - 0.5).clamp(0.0, (WORK_WIDTH - 1) as f32);
            let (x0, fx) = (wx as usize, wx.fract());
            let x1 = (x0 + 1).min(WORK_WIDTH - 1);
            let top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * fx;
            let bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * fx;
            ridges.push(top + (bottom - top) * fy);
        }
    }
    box_blur_3x3(&mut ridges, PATTERN_WIDTH);
    box_blur_3x3(&mut ridges, PATTERN_WIDTH);
    ridges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn across_filters_pass_their_period_and_block_the_mean() {
        let filters = across_filters();
        assert_eq!(filters.len(), ORIENTATION_BINS * PERIOD_BINS);
        for taps in &filters {
            let dc: f32 = taps.weights.iter().sum();
            assert!(dc.abs() < 1e-4, "a ridge filter must ignore the mean grey: {dc}");
        }
    }

    /// The ridges' doubled orientation angle at a point, from the structure tensor of the
    /// ridge field's gradient over a 9 x 9 window.
    fn doubled_orientation(pattern: &FingerPattern, x: f32, y: f32) -> f32 {
        let (mut xx, mut yy, mut xy) = (0.0, 0.0, 0.0);
        for dy in -4..=4 {
            for dx in -4..=4 {
                let (px, py) = (x + dx as f32, y + dy as f32);
                let gx = pattern.ridge_at(px + 1.0, py) - pattern.ridge_at(px - 1.0, py);
                let gy = pattern.ridge_at(px, py + 1.0) - pattern.ridge_at(px, py - 1.0);
                xx += gx * gx;
                yy += gy * gy;
                xy += gx * gy;
            }
        }
        (2.0 * xy).atan2(xx - yy)
    }

    /// The Poincare index of the ridges around a point: how many half turns the orientation
    /// makes along a circle, measured on the grown ridges (not on the field that grew them).
    fn poincare_index(pattern: &FingerPattern, (x, y): (f32, f32), radius: f32) -> f32 {
        let steps = 48;
        let mut total = 0.0;
        let mut previous = doubled_orientation(pattern, x + radius, y);
        for step in 1..=steps {
            let angle = 2.0 * PI * step as f32 / steps as f32;
            let here = doubled_orientation(pattern, x + radius * angle.cos(), y + radius * angle.sin());
            let mut change = here - previous;
            while change > PI {
                change -= 2.0 * PI;
            }
            while change < -PI {
                change += 2.0 * PI;
            }
            total += change;
            previous = here;
        }
        total / (2.0 * PI) / 2.0
    }

    #[test]
    fn grown_ridges_turn_half_a_turn_around_cores_and_deltas() {
        let pattern = FingerPattern::generate(5, PatternClass::RightLoop, 9.5, 1.0);
        let (core, delta) = (pattern.cores()[0], pattern.deltas()[0]);
        let around_core = poincare_index(&pattern, core, 36.0);
        let around_delta = poincare_index(&pattern, delta, 36.0);
        assert!((around_core.abs() - 0.5).abs() < 0.1, "core index {around_core}");
        assert!((around_delta.abs() - 0.5).abs() < 0.1, "delta index {around_delta}");
        assert!(
            around_core * around_delta < 0.0,
            "a core and a delta turn opposite ways"
        );
        // Away from both, the ridges make no turn at all.
        let plain = (core.0, core.1 - 150.0);
        assert!(poincare_index(&pattern, plain, 36.0).abs() < 0.1);
    }

    #[test]
    fn ridges_fill_the_pattern_with_both_signs() {
        let pattern = FingerPattern::generate(11, PatternClass::Whorl, 9.0, 1.0);
        let positive = pattern.ridges.iter().filter(|v| **v > 0.3).count();
        let negative = pattern.ridges.iter().filter(|v| **v < -0.3).count();
        let total = pattern.ridges.len();
        // Ridges and valleys of similar width: each sign covers a good part of the pattern.
        assert!(
            positive > total / 4 && negative > total / 4,
            "{positive} {negative} of {total}"
        );
    }
}
