//! Pixel helpers shared by the quality scores: the image as `f32` grey levels, integral images
//! for constant-time window sums, Sobel gradients, bilinear sampling, a grey-level histogram,
//! and the small functions that turn a measured feature into a factor between 0 and 1.
//!
//! It exists so that each modality's file holds only its own measurements, and so that no score
//! allocates per pixel: every buffer here is made once per image.
//!
//! Deliberately absent: anything that knows about fingers, irises or faces, and filtering for
//! display (blurring, resizing); the scores never alter the image.

use image::GrayImage;

/// The image as `f32` grey levels, row by row.
pub(crate) struct Plane {
    pub width: usize,
    pub height: usize,
    pub values: Vec<f32>,
}

impl Plane {
    pub fn from_gray(image: &GrayImage) -> Plane {
        Plane {
            width: image.width() as usize,
            height: image.height() as usize,
            values: image.as_raw().iter().map(|&p| p as f32).collect(),
        }
    }

    /// The image smoothed with the 3×3 binomial kernel `[1 2 1]ᵀ[1 2 1] / 16` (a Gaussian of
    /// sigma about 0.85 pixel); the border is copied as it is.
    pub fn binomial_smoothed(&self) -> Plane {
        let (w, h) = (self.width, self.height);
        // Written over whole rows (three shifted slices zipped) rather than by index, so that
        // the compiler drops the bounds checks and vectorises; each value is the same sum in
        // the same order, so the result is bit for bit what the indexed loops gave.
        let mut across = self.values.clone();
        if w >= 3 {
            for (source, target) in self.values.chunks_exact(w).zip(across.chunks_exact_mut(w)) {
                let (left, centre, right) = (&source[..w - 2], &source[1..w - 1], &source[2..]);
                for (((out, &l), &c), &r) in target[1..w - 1].iter_mut().zip(left).zip(centre).zip(right) {
                    *out = (l + 2.0 * c + r) / 4.0;
                }
            }
        }
        let mut values = across.clone();
        if w > 0 && h >= 3 {
            for (y, target) in values.chunks_exact_mut(w).enumerate().take(h - 1).skip(1) {
                let (above, row, below) = (
                    &across[(y - 1) * w..y * w],
                    &across[y * w..(y + 1) * w],
                    &across[(y + 1) * w..(y + 2) * w],
                );
                for (((out, &a), &c), &b) in target.iter_mut().zip(above).zip(row).zip(below) {
                    *out = (a + 2.0 * c + b) / 4.0;
                }
            }
        }
        Plane {
            width: w,
            height: h,
            values,
        }
    }

    /// Bilinear interpolation at `(x, y)`, or `None` outside the frame: a point off the image is
    /// missing data, never an edge pixel repeated.
    pub fn sample(&self, x: f32, y: f32) -> Option<f32> {
        let (index, fx, fy) = self.bilinear_at(x, y)?;
        Some(self.interpolate(index, fx, fy))
    }

    /// The same point of this plane and of `other` (of the same size), sharing the weights.
    pub fn sample_pair(&self, other: &Plane, x: f32, y: f32) -> Option<(f32, f32)> {
        debug_assert_eq!((self.width, self.height), (other.width, other.height));
        let (index, fx, fy) = self.bilinear_at(x, y)?;
        Some((self.interpolate(index, fx, fy), other.interpolate(index, fx, fy)))
    }

    /// The index of the top-left neighbour and the fractional offsets, when all four
    /// neighbours are in the frame (the last row and column are reachable only exactly, and
    /// are left out for simplicity).
    fn bilinear_at(&self, x: f32, y: f32) -> Option<(usize, f32, f32)> {
        if !(x >= 0.0 && y >= 0.0) {
            return None;
        }
        // Through `i32`: both are non-negative here, and a float-to-`i32` conversion is one
        // instruction on x86-64 where float-to-`usize` is a branchy sequence (this line was
        // the costliest of the fingerprint score). Any value past `i32::MAX` is off the frame
        // either way, so the result is the same.
        let (x0, y0) = (x as i32 as usize, y as i32 as usize);
        if x0 + 1 >= self.width || y0 + 1 >= self.height {
            return None;
        }
        Some((y0 * self.width + x0, x - x0 as f32, y - y0 as f32))
    }

    #[inline]
    fn interpolate(&self, index: usize, fx: f32, fy: f32) -> f32 {
        // Two bounds checks (one per pair of neighbours) instead of four.
        let below = index + self.width;
        let (top_pair, bottom_pair) = (&self.values[index..index + 2], &self.values[below..below + 2]);
        let (tl, tr, bl, br) = (top_pair[0], top_pair[1], bottom_pair[0], bottom_pair[1]);
        let top = tl + (tr - tl) * fx;
        let bottom = bl + (br - bl) * fx;
        top + (bottom - top) * fy
    }
}

/// Sums of grey levels over any axis-aligned rectangle in constant time.
pub(crate) struct Integral {
    width: usize,
    height: usize,
    /// `(width + 1) * (height + 1)` prefix sums; `f64` keeps exact integers for any real image.
    sums: Vec<f64>,
}

impl Integral {
    pub fn new(image: &GrayImage) -> Integral {
        let (width, height) = (image.width() as usize, image.height() as usize);
        let stride = width + 1;
        let mut sums = vec![0.0f64; stride * (height + 1)];
        let raw = image.as_raw();
        for y in 0..height {
            let mut row_sum = 0.0;
            for x in 0..width {
                row_sum += raw[y * width + x] as f64;
                sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1] + row_sum;
            }
        }
        Integral { width, height, sums }
    }

    /// Sum and pixel count of the rectangle `[x0, x1) × [y0, y1)` after clipping it to the
    /// frame; the count is 0 when nothing of it is inside.
    pub fn clipped_sum(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> (f64, f64) {
        let clamp_x = |v: i64| v.clamp(0, self.width as i64) as usize;
        let clamp_y = |v: i64| v.clamp(0, self.height as i64) as usize;
        let (x0, x1, y0, y1) = (clamp_x(x0), clamp_x(x1), clamp_y(y0), clamp_y(y1));
        if x1 <= x0 || y1 <= y0 {
            return (0.0, 0.0);
        }
        let stride = self.width + 1;
        let s = |x: usize, y: usize| self.sums[y * stride + x];
        let sum = s(x1, y1) - s(x0, y1) - s(x1, y0) + s(x0, y0);
        (sum, ((x1 - x0) * (y1 - y0)) as f64)
    }

    /// Mean of the clipped rectangle, or `None` when nothing of it is inside the frame.
    pub fn clipped_mean(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> Option<f64> {
        let (sum, count) = self.clipped_sum(x0, y0, x1, y1);
        (count > 0.0).then(|| sum / count)
    }
}

/// Horizontal and vertical Sobel derivatives (zero on the one-pixel border).
pub(crate) fn sobel(plane: &Plane) -> (Vec<f32>, Vec<f32>) {
    let (w, h) = (plane.width, plane.height);
    let mut gx = vec![0.0f32; w * h];
    let mut gy = vec![0.0f32; w * h];
    if w < 3 || h < 3 {
        return (gx, gy);
    }
    let v = &plane.values;
    // Row slices zipped instead of indexing, so that the loop has no bounds checks and
    // vectorises; each derivative is the same sum in the same order as written per pixel.
    let rows = gx.chunks_exact_mut(w).zip(gy.chunks_exact_mut(w)).enumerate();
    let n = w - 2;
    for (y, (gx_row, gy_row)) in rows.take(h - 1).skip(1) {
        // Each row sliced to exactly `n + 2` values, so that `i + 2` below is provably in range.
        let up = &v[(y - 1) * w..][..n + 2];
        let row = &v[y * w..][..n + 2];
        let down = &v[(y + 1) * w..][..n + 2];
        let columns = gx_row[1..=n].iter_mut().zip(&mut gy_row[1..=n]).enumerate();
        for (i, (gx_out, gy_out)) in columns {
            // `i` is x - 1.
            let (ul, uc, ur) = (up[i], up[i + 1], up[i + 2]);
            let (rl, rr) = (row[i], row[i + 2]);
            let (dl, dc, dr) = (down[i], down[i + 1], down[i + 2]);
            *gx_out = (ur + 2.0 * rr + dr) - (ul + 2.0 * rl + dl);
            *gy_out = (dl + 2.0 * dc + dr) - (ul + 2.0 * uc + ur);
        }
    }
    (gx, gy)
}

/// Shannon entropy in bits of the grey-level histogram: how many of the 256 levels the image
/// really uses (ISO/IEC 29794-6 calls it grey scale utilisation).
pub(crate) fn entropy_bits(image: &GrayImage) -> f32 {
    let mut histogram = [0u64; 256];
    for &p in image.as_raw() {
        histogram[p as usize] += 1;
    }
    let total = image.as_raw().len() as f64;
    if total == 0.0 {
        return 0.0;
    }
    -histogram
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f64 / total;
            p * p.log2()
        })
        .sum::<f64>() as f32
}

/// A median that reorders `values` in place; `None` when empty.
pub(crate) fn median(values: &mut [f32]) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    let middle = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(middle, f32::total_cmp);
    Some(*m)
}

/// `1 - e^(-x / scale)`: rises steadily with `x` and never quite reaches 1, so that a better
/// image always scores a little better; used for quantities with no natural upper limit
/// (contrast in grey levels, area in mm²).
pub(crate) fn saturating(x: f32, scale: f32) -> f32 {
    if x <= 0.0 {
        0.0
    } else {
        1.0 - (-x / scale).exp()
    }
}

/// 0 at `low`, 1 at `high`, linear between (either order).
pub(crate) fn ramp(x: f32, low: f32, high: f32) -> f32 {
    ((x - low) / (high - low)).clamp(0.0, 1.0)
}

/// The smallest factor a feature contributes: a weighted geometric mean of zeros would hide
/// every other feature, and one bad feature must pull the score down, not erase it.
pub(crate) const FACTOR_FLOOR: f32 = 0.01;

/// `100 × Π factorᵢ^weightᵢ` rounded to 0..=100; weights sum to 1. A geometric mean, so that one
/// poor feature lowers the score whatever the others are, as a clerk would judge it.
pub(crate) fn weighted_score(factors: &[(f32, f32)]) -> u8 {
    let log_sum: f32 = factors
        .iter()
        .map(|&(factor, weight)| weight * factor.clamp(FACTOR_FLOOR, 1.0).ln())
        .sum();
    (100.0 * log_sum.exp()).round().clamp(0.0, 100.0) as u8
}

/// The period of the alternation along `profile` around `threshold`, in samples: consecutive
/// crossings of the threshold, either way and placed by linear interpolation, are half a period
/// apart. `None` with fewer than three crossings: less than one full ridge and valley, an edge
/// or a smear rather than ridges. Shared by the finger quality score and the minutiae
/// extractor's ridge period (`crate::matching`).
pub(crate) fn crossing_period(profile: &[f32], threshold: f32) -> Option<f32> {
    let (mut first, mut last, mut crossings) = (0.0f32, 0.0f32, 0usize);
    for (i, pair) in profile.windows(2).enumerate() {
        let (a, b) = (pair[0] - threshold, pair[1] - threshold);
        if (a < 0.0) != (b < 0.0) {
            let at = i as f32 + a / (a - b);
            if crossings == 0 {
                first = at;
            }
            last = at;
            crossings += 1;
        }
    }
    (crossings >= 3).then(|| 2.0 * (last - first) / (crossings - 1) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_sums_match_a_direct_sum_and_clip_to_the_frame() {
        let image = GrayImage::from_fn(7, 5, |x, y| image::Luma([(x * 10 + y) as u8]));
        let integral = Integral::new(&image);
        let direct: f64 = (1..4).flat_map(|y| (2..6).map(move |x| (x * 10 + y) as f64)).sum();
        assert_eq!(integral.clipped_sum(2, 1, 6, 4), (direct, 12.0));
        let whole: f64 = image.as_raw().iter().map(|&p| p as f64).sum();
        assert_eq!(integral.clipped_sum(-3, -3, 100, 100), (whole, 35.0));
        assert_eq!(integral.clipped_sum(8, 0, 12, 3), (0.0, 0.0));
    }

    #[test]
    fn weighted_score_is_a_geometric_mean_with_a_floor() {
        assert_eq!(weighted_score(&[(1.0, 0.5), (1.0, 0.5)]), 100);
        assert_eq!(weighted_score(&[(0.25, 0.5), (1.0, 0.5)]), 50);
        // A zero factor is floored at 0.01: 0.01^0.5 = 0.1.
        assert_eq!(weighted_score(&[(0.0, 0.5), (1.0, 0.5)]), 10);
    }

    #[test]
    fn entropy_of_two_equal_levels_is_one_bit() {
        let image = GrayImage::from_fn(4, 4, |x, _| image::Luma([if x < 2 { 0 } else { 255 }]));
        assert!((entropy_bits(&image) - 1.0).abs() < 1e-6);
    }
}
