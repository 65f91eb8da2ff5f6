//! Minutiae extraction from one fingerprint image at 500 ppi (the caller resamples other
//! resolutions): where ridges end and where they fork, with a direction and a quality.
//!
//! The steps, in order:
//! 1. Segmentation: 16-pixel blocks whose grey-level spread (after a light smoothing that takes
//!    out sensor grain) is that of ridges, and whose gradients agree on a direction, are
//!    finger; the largest connected piece is kept and its holes filled. Minutiae are kept only
//!    a full block inside it, where ridges are not cut by the edge of the contact.
//! 2. Orientation field: the structure tensor of Sobel gradients summed over 8-pixel blocks
//!    and their neighbours (24 pixels), then smoothed as doubled-angle vectors over the blocks,
//!    so that a broken ridge or a speck does not turn the field.
//! 3. Ridge period: the median, over those inner blocks, of the spacing of a profile taken
//!    across the ridges (one period for the whole print; the simulator's 7.5..11.5 px all fall
//!    within the filter's pass band around it).
//! 4. Enhancement: a separable oriented filter at every pixel, first a Gaussian along the
//!    ridge (it bridges the breaks of dry skin and the specks of grain), then a zero-mean Gabor
//!    profile across it, tuned to the ridge period. Taps sit at whole-pixel offsets,
//!    precomputed for 32 orientation bins.
//! 5. Binarisation: a pixel is ridge where the filtered value is negative (ridges are dark).
//!    The filter is zero-mean, so the sign needs no grey-level normalisation: brightness and
//!    contrast do not move it.
//! 6. Thinning (Zhang–Suen), then removal of the staircase corners it leaves, so that every
//!    skeleton pixel of a plain ridge has exactly two neighbours.
//! 7. Minutiae by crossing number (1: ridge ending, 3: bifurcation). Each branch is traced for
//!    1.5 ridge periods: a branch that meets another minutia sooner is a spur, a bridge or a
//!    speck, and its minutiae are dropped. The direction is that of the traced branches: an
//!    ending points out of its ridge, a bifurcation along its single stem. Then an ending and
//!    the fork it becomes when pressure presses its tip onto the next ridge point the same way,
//!    as do an ending and the fork of the inverted image. It is then snapped to the
//!    orientation field, which is smoother.
//! 8. Clean-up: minutiae too close together (noise) and pairs of endings that face each other
//!    across a short gap (a broken ridge) are dropped.
//!
//! Deliberately absent: per-block ridge frequency (one period per print), any special handling
//! of cores and deltas (minutiae there come out with a low quality, as the flow turns), pores,
//! and resolutions other than 500 ppi (the caller resamples).

use std::f32::consts::PI;

use image::GrayImage;

use super::{Minutia, MinutiaKind};

/// Side of a segmentation block, in pixels at 500 ppi.
const SEGMENT_BLOCK: usize = 16;
/// A block with a smaller grey-level standard deviation (after the 3×3 smoothing) is glass,
/// not finger. Sensor grain alone stays below 5 after the smoothing; ridges give 20 or more.
const FOREGROUND_MIN_STD: f32 = 9.0;
/// A block whose gradients agree on a direction less than this has no ridge flow: noise, a
/// smudge or a scar. Ridges give 0.5 and more; noise about 0.1. Blocks around a core, where
/// the flow turns, may fall below it: they are inside the finger and holes are filled.
const FOREGROUND_MIN_COHERENCE: f32 = 0.25;
/// Side of an orientation block.
const ORIENTATION_BLOCK: usize = 8;
const ORIENTATION_BINS: usize = 32;
/// Ridge period used when none can be measured (the middle of the human range at 500 ppi).
const DEFAULT_PERIOD: f32 = 9.5;
/// Measured periods are kept within the human range (0.25..0.8 mm).
const PERIOD_RANGE: (f32, f32) = (5.0, 16.0);
/// Reach of the enhancement filter on either side of a pixel, along and across the ridge.
const FILTER_REACH: usize = 8;
/// Smoothing along the ridge (sigma in pixels).
const ALONG_SIGMA: f32 = 3.5;
/// At most this many minutiae are kept, the best first (a full print holds 40 to 100).
const MAX_MINUTIAE: usize = 120;

/// A grey-level plane of `f32`, row-major.
struct Plane {
    width: usize,
    height: usize,
    values: Vec<f32>,
}

impl Plane {
    fn from_gray(image: &GrayImage) -> Plane {
        Plane {
            width: image.width() as usize,
            height: image.height() as usize,
            values: image.as_raw().iter().map(|&value| value as f32).collect(),
        }
    }

    /// Smoothed with the 3×3 binomial kernel; the border rows and columns are kept as they are.
    fn binomial_smoothed(&self) -> Plane {
        let (w, h) = (self.width, self.height);
        let mut across = self.values.clone();
        for (source, target) in self.values.chunks_exact(w).zip(across.chunks_exact_mut(w)) {
            for x in 1..w - 1 {
                target[x] = (source[x - 1] + 2.0 * source[x] + source[x + 1]) / 4.0;
            }
        }
        let mut values = across.clone();
        for y in 1..h - 1 {
            for x in 0..w {
                values[y * w + x] = (across[(y - 1) * w + x] + 2.0 * across[y * w + x] + across[(y + 1) * w + x]) / 4.0;
            }
        }
        Plane {
            width: w,
            height: h,
            values,
        }
    }

    /// Bilinear value at a point, or `None` off the plane.
    fn sample(&self, x: f32, y: f32) -> Option<f32> {
        if !(x >= 0.0 && y >= 0.0) {
            return None;
        }
        let (x0, y0) = (x as usize, y as usize);
        if x0 + 1 >= self.width || y0 + 1 >= self.height {
            return None;
        }
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let at = |xx: usize, yy: usize| self.values[yy * self.width + xx];
        let top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * fx;
        let bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * fx;
        Some(top + (bottom - top) * fy)
    }
}

/// Why an image gave no usable minutiae; `super` turns these into the crate's errors.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Unusable {
    /// No block of the image holds ridges (blank, uniform, or pure noise).
    NoFinger,
    /// Ridges were found, but fewer trustworthy minutiae than a comparison needs.
    TooFewMinutiae { found: usize },
}

/// The fewest minutiae a template may hold: below this, a comparison's score means little.
pub(super) const MIN_MINUTIAE: usize = 12;

/// The minutiae of a 500 ppi fingerprint image (at least 3 blocks on each side), best first;
/// at least [`MIN_MINUTIAE`] of them.
pub(super) fn extract_minutiae(image: &GrayImage) -> Result<Vec<Minutia>, Unusable> {
    let minutiae = find_minutiae(image)?;
    if minutiae.len() < MIN_MINUTIAE {
        return Err(Unusable::TooFewMinutiae { found: minutiae.len() });
    }
    Ok(minutiae)
}

/// The minutiae found, however few, best first.
fn find_minutiae(image: &GrayImage) -> Result<Vec<Minutia>, Unusable> {
    let raw = Plane::from_gray(image);
    let smooth = raw.binomial_smoothed();
    let field = OrientationField::compute(&smooth);
    let mask = Segmentation::compute(&smooth, &field).ok_or(Unusable::NoFinger)?;
    let period = ridge_period(&smooth, &field, &mask);
    let enhanced = enhance(&smooth, &field, &mask, period);
    let mut skeleton = Skeleton::from_ridges(&enhanced, smooth.width, smooth.height, &mask);
    skeleton.thin();
    let candidates = skeleton.minutiae(&mask, &field, period);
    let mut minutiae = remove_false_minutiae(candidates, period);
    minutiae.sort_by_key(|m| std::cmp::Reverse(m.quality));
    minutiae.truncate(MAX_MINUTIAE);
    Ok(minutiae)
}

/// Which blocks hold finger.
struct Segmentation {
    blocks_wide: usize,
    blocks_high: usize,
    foreground: Vec<bool>,
    /// Foreground blocks whose eight neighbours are foreground too: at least one block from
    /// the edge of the contact.
    inner: Vec<bool>,
}

impl Segmentation {
    /// `None` when no block holds ridges.
    fn compute(smooth: &Plane, field: &OrientationField) -> Option<Segmentation> {
        let blocks_wide = smooth.width.div_ceil(SEGMENT_BLOCK);
        let blocks_high = smooth.height.div_ceil(SEGMENT_BLOCK);
        let mut foreground = vec![false; blocks_wide * blocks_high];
        for by in 0..blocks_high {
            for bx in 0..blocks_wide {
                let (mut sum, mut sum_sq, mut n) = (0.0f64, 0.0f64, 0usize);
                for y in by * SEGMENT_BLOCK..((by + 1) * SEGMENT_BLOCK).min(smooth.height) {
                    let row = &smooth.values[y * smooth.width..(y + 1) * smooth.width];
                    for &value in &row[bx * SEGMENT_BLOCK..((bx + 1) * SEGMENT_BLOCK).min(smooth.width)] {
                        sum += value as f64;
                        sum_sq += (value * value) as f64;
                        n += 1;
                    }
                }
                let mean = sum / n as f64;
                let std = (sum_sq / n as f64 - mean * mean).max(0.0).sqrt() as f32;
                let centre = (
                    (bx * SEGMENT_BLOCK + SEGMENT_BLOCK / 2).min(smooth.width - 1),
                    (by * SEGMENT_BLOCK + SEGMENT_BLOCK / 2).min(smooth.height - 1),
                );
                foreground[by * blocks_wide + bx] =
                    std >= FOREGROUND_MIN_STD && field.coherence_at(centre.0, centre.1) >= FOREGROUND_MIN_COHERENCE;
            }
        }
        let foreground = keep_largest_component(&foreground, blocks_wide, blocks_high)?;
        let foreground = fill_holes(&foreground, blocks_wide, blocks_high);
        let inner = (0..blocks_wide * blocks_high)
            .map(|i| {
                let (bx, by) = ((i % blocks_wide) as isize, (i / blocks_wide) as isize);
                (-1..=1).all(|dy| {
                    (-1..=1).all(|dx| {
                        let (x, y) = (bx + dx, by + dy);
                        x >= 0
                            && y >= 0
                            && (x as usize) < blocks_wide
                            && (y as usize) < blocks_high
                            && foreground[y as usize * blocks_wide + x as usize]
                    })
                })
            })
            .collect();
        Some(Segmentation {
            blocks_wide,
            blocks_high,
            foreground,
            inner,
        })
    }

    fn block_of(&self, x: usize, y: usize) -> usize {
        (y / SEGMENT_BLOCK) * self.blocks_wide + x / SEGMENT_BLOCK
    }

    fn is_foreground(&self, x: usize, y: usize) -> bool {
        self.foreground[self.block_of(x, y)]
    }

    fn is_inner(&self, x: usize, y: usize) -> bool {
        self.inner[self.block_of(x, y)]
    }

    fn inner_blocks(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.blocks_wide * self.blocks_high)
            .filter(|&i| self.inner[i])
            .map(|i| (i % self.blocks_wide, i / self.blocks_wide))
    }
}

/// The largest 8-connected set of true blocks, or `None` when there is none.
fn keep_largest_component(blocks: &[bool], width: usize, height: usize) -> Option<Vec<bool>> {
    let mut label = vec![0u32; blocks.len()];
    let (mut best_label, mut best_size, mut next_label) = (0u32, 0usize, 1u32);
    let mut stack = Vec::new();
    for start in 0..blocks.len() {
        if !blocks[start] || label[start] != 0 {
            continue;
        }
        label[start] = next_label;
        stack.push(start);
        let mut size = 0;
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = ((i % width) as isize, (i / width) as isize);
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx as usize >= width || ny as usize >= height {
                        continue;
                    }
                    let n = ny as usize * width + nx as usize;
                    if blocks[n] && label[n] == 0 {
                        label[n] = next_label;
                        stack.push(n);
                    }
                }
            }
        }
        if size > best_size {
            (best_label, best_size) = (next_label, size);
        }
        next_label += 1;
    }
    (best_size > 0).then(|| label.iter().map(|&l| l == best_label).collect())
}

/// Background blocks enclosed by finger become finger (a smudge or a white speck inside the
/// print is not the edge of the contact).
fn fill_holes(blocks: &[bool], width: usize, height: usize) -> Vec<bool> {
    let mut outside = vec![false; blocks.len()];
    let mut stack: Vec<usize> = (0..blocks.len())
        .filter(|&i| {
            let (x, y) = (i % width, i / width);
            !blocks[i] && (x == 0 || y == 0 || x == width - 1 || y == height - 1)
        })
        .collect();
    for &i in &stack {
        outside[i] = true;
    }
    while let Some(i) = stack.pop() {
        let (x, y) = (i % width, i / width);
        let neighbours = [
            (x > 0).then(|| i - 1),
            (x + 1 < width).then(|| i + 1),
            (y > 0).then(|| i - width),
            (y + 1 < height).then(|| i + width),
        ];
        for n in neighbours.into_iter().flatten() {
            if !blocks[n] && !outside[n] {
                outside[n] = true;
                stack.push(n);
            }
        }
    }
    outside.iter().map(|&o| !o).collect()
}

/// Ridge orientation per 8-pixel block.
struct OrientationField {
    blocks_wide: usize,
    /// Ridge direction in [0, π), image coordinates (x right, y down).
    angle: Vec<f32>,
    /// 0 (no dominant direction) ..= 1 (parallel ridges), before smoothing.
    coherence: Vec<f32>,
}

impl OrientationField {
    fn compute(smooth: &Plane) -> OrientationField {
        let (w, h) = (smooth.width, smooth.height);
        let blocks_wide = w.div_ceil(ORIENTATION_BLOCK);
        let blocks_high = h.div_ceil(ORIENTATION_BLOCK);
        let count = blocks_wide * blocks_high;
        // Per block: sums of gx², gy², gx·gy of Sobel gradients.
        let (mut gxx, mut gyy, mut gxy) = (vec![0.0f32; count], vec![0.0f32; count], vec![0.0f32; count]);
        let v = &smooth.values;
        for y in 1..h - 1 {
            let block_row = (y / ORIENTATION_BLOCK) * blocks_wide;
            for x in 1..w - 1 {
                let i = y * w + x;
                let gx =
                    (v[i - w + 1] + 2.0 * v[i + 1] + v[i + w + 1]) - (v[i - w - 1] + 2.0 * v[i - 1] + v[i + w - 1]);
                let gy =
                    (v[i + w - 1] + 2.0 * v[i + w] + v[i + w + 1]) - (v[i - w - 1] + 2.0 * v[i - w] + v[i - w + 1]);
                let b = block_row + x / ORIENTATION_BLOCK;
                gxx[b] += gx * gx;
                gyy[b] += gy * gy;
                gxy[b] += gx * gy;
            }
        }
        // Each block sees its 3×3 neighbourhood (24 pixels: two to three ridge periods).
        let mut vx = vec![0.0f32; count];
        let mut vy = vec![0.0f32; count];
        let mut coherence = vec![0.0f32; count];
        for by in 0..blocks_high {
            for bx in 0..blocks_wide {
                let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
                for ny in by.saturating_sub(1)..(by + 2).min(blocks_high) {
                    for nx in bx.saturating_sub(1)..(bx + 2).min(blocks_wide) {
                        let n = ny * blocks_wide + nx;
                        sxx += gxx[n];
                        syy += gyy[n];
                        sxy += gxy[n];
                    }
                }
                let b = by * blocks_wide + bx;
                vx[b] = sxx - syy;
                vy[b] = 2.0 * sxy;
                let energy = sxx + syy;
                coherence[b] = if energy > 0.0 {
                    (vx[b] * vx[b] + vy[b] * vy[b]).sqrt() / energy
                } else {
                    0.0
                };
            }
        }
        // Smooth the doubled-angle vectors twice with [1 2 1]ᵀ[1 2 1] over the blocks.
        for _ in 0..2 {
            vx = smooth_blocks(&vx, blocks_wide, blocks_high);
            vy = smooth_blocks(&vy, blocks_wide, blocks_high);
        }
        // The gradient runs across the ridges: the ridge direction is a right angle off it.
        let angle = vx
            .iter()
            .zip(&vy)
            .map(|(&x, &y)| (0.5 * y.atan2(x) + PI / 2.0).rem_euclid(PI))
            .collect();
        OrientationField {
            blocks_wide,
            angle,
            coherence,
        }
    }

    fn block_of(&self, x: usize, y: usize) -> usize {
        (y / ORIENTATION_BLOCK) * self.blocks_wide + x / ORIENTATION_BLOCK
    }

    /// Ridge direction at a pixel, in [0, π).
    fn angle_at(&self, x: usize, y: usize) -> f32 {
        self.angle[self.block_of(x, y)]
    }

    fn coherence_at(&self, x: usize, y: usize) -> f32 {
        self.coherence[self.block_of(x, y)]
    }

    fn bin_at(&self, x: usize, y: usize) -> usize {
        (self.angle_at(x, y) / PI * ORIENTATION_BINS as f32).round() as usize % ORIENTATION_BINS
    }
}

/// One pass of the 3×3 binomial kernel over a block grid, with edge blocks repeated.
fn smooth_blocks(values: &[f32], width: usize, height: usize) -> Vec<f32> {
    let at = |x: isize, y: isize| {
        let x = x.clamp(0, width as isize - 1) as usize;
        let y = y.clamp(0, height as isize - 1) as usize;
        values[y * width + x]
    };
    let mut out = vec![0.0; values.len()];
    for y in 0..height as isize {
        for x in 0..width as isize {
            let mut sum = 0.0;
            for dy in -1..=1isize {
                for dx in -1..=1isize {
                    let weight = ((2 - dx.abs()) * (2 - dy.abs())) as f32;
                    sum += weight * at(x + dx, y + dy);
                }
            }
            out[y as usize * width + x as usize] = sum / 16.0;
        }
    }
    out
}

/// The print's ridge period in pixels: the median over the inner blocks of the spacing of mean
/// crossings along a profile across the ridges (two blocks long, averaged over one block along
/// them).
fn ridge_period(smooth: &Plane, field: &OrientationField, mask: &Segmentation) -> f32 {
    const ACROSS: usize = 2 * SEGMENT_BLOCK;
    let mut periods = Vec::new();
    let mut profile = [0.0f32; ACROSS];
    for (bx, by) in mask.inner_blocks() {
        let (cx, cy) = (
            (bx * SEGMENT_BLOCK + SEGMENT_BLOCK / 2) as f32,
            (by * SEGMENT_BLOCK + SEGMENT_BLOCK / 2) as f32,
        );
        let ridge = field.angle_at(cx as usize, cy as usize);
        let (along_x, along_y) = (ridge.cos(), ridge.sin());
        let (across_x, across_y) = (-along_y, along_x);
        let mut complete = true;
        for (i, slot) in profile.iter_mut().enumerate() {
            let u = i as f32 - ACROSS as f32 / 2.0 + 0.5;
            let mut sum = 0.0;
            for j in -4..=4 {
                let v = 2.0 * j as f32;
                match smooth.sample(cx + u * across_x + v * along_x, cy + u * across_y + v * along_y) {
                    Some(value) => sum += value,
                    None => complete = false,
                }
            }
            *slot = sum;
        }
        if !complete {
            continue;
        }
        let mean = profile.iter().sum::<f32>() / ACROSS as f32;
        if let Some(period) = crate::quality::pixels::crossing_period(&profile, mean) {
            periods.push(period);
        }
    }
    if periods.is_empty() {
        return DEFAULT_PERIOD;
    }
    periods.sort_by(f32::total_cmp);
    periods[periods.len() / 2].clamp(PERIOD_RANGE.0, PERIOD_RANGE.1)
}

/// Taps of one directional 1-D filter: offsets into the padded buffer, and weights.
struct Taps {
    offsets: Vec<isize>,
    weights: Vec<f32>,
}

/// Offsets of the taps of a line through the centre at `angle`, rounded to whole pixels.
fn line_offsets(angle: f32, stride: usize) -> Vec<(isize, f32)> {
    let (dx, dy) = (angle.cos(), angle.sin());
    (-(FILTER_REACH as isize)..=FILTER_REACH as isize)
        .map(|t| {
            let (ox, oy) = ((t as f32 * dx).round() as isize, (t as f32 * dy).round() as isize);
            // The true position of the rounded tap along the line, for its weight.
            (oy * stride as isize + ox, ox as f32 * dx + oy as f32 * dy)
        })
        .collect()
}

/// Gaussian smoothing along each orientation bin's ridge direction, of unit sum.
fn along_filters(stride: usize) -> Vec<Taps> {
    (0..ORIENTATION_BINS)
        .map(|bin| {
            let taps = line_offsets(bin as f32 * PI / ORIENTATION_BINS as f32, stride);
            let mut weights: Vec<f32> = taps
                .iter()
                .map(|&(_, t)| (-(t * t) / (2.0 * ALONG_SIGMA * ALONG_SIGMA)).exp())
                .collect();
            let sum: f32 = weights.iter().sum();
            weights.iter_mut().for_each(|w| *w /= sum);
            Taps {
                offsets: taps.iter().map(|&(offset, _)| offset).collect(),
                weights,
            }
        })
        .collect()
}

/// A zero-mean Gabor profile across each orientation bin's ridges, at `period`, with unit gain
/// on a cosine of that period (so a dark ridge gives a negative value).
fn across_filters(stride: usize, period: f32) -> Vec<Taps> {
    let sigma = 0.45 * period;
    (0..ORIENTATION_BINS)
        .map(|bin| {
            let ridge = bin as f32 * PI / ORIENTATION_BINS as f32;
            let taps = line_offsets(ridge + PI / 2.0, stride);
            let envelope: Vec<f32> = taps
                .iter()
                .map(|&(_, t)| (-(t * t) / (2.0 * sigma * sigma)).exp())
                .collect();
            let carrier: Vec<f32> = taps.iter().map(|&(_, t)| (2.0 * PI * t / period).cos()).collect();
            let envelope_sum: f32 = envelope.iter().sum();
            let dc = envelope.iter().zip(&carrier).map(|(e, c)| e * c).sum::<f32>() / envelope_sum;
            let mut weights: Vec<f32> = envelope.iter().zip(&carrier).map(|(e, c)| e * (c - dc)).collect();
            let gain: f32 = weights.iter().zip(&carrier).map(|(w, c)| w * c).sum();
            weights.iter_mut().for_each(|w| *w /= gain);
            Taps {
                offsets: taps.iter().map(|&(offset, _)| offset).collect(),
                weights,
            }
        })
        .collect()
}

/// The ridge-enhanced image: negative on ridges, positive in valleys, zero off the finger. Row
/// stride `width` (the padding is dropped).
fn enhance(smooth: &Plane, field: &OrientationField, mask: &Segmentation, period: f32) -> Vec<f32> {
    let (w, h) = (smooth.width, smooth.height);
    let pad = FILTER_REACH + 1;
    let stride = w + 2 * pad;
    let padded_len = stride * (h + 2 * pad);
    // The finger's grey levels minus their mean, zero elsewhere, so that the glass around the
    // finger adds nothing to the filters near its edge.
    let (mut sum, mut n) = (0.0f64, 0usize);
    for y in 0..h {
        for x in 0..w {
            if mask.is_foreground(x, y) {
                sum += smooth.values[y * w + x] as f64;
                n += 1;
            }
        }
    }
    let mean = (sum / n.max(1) as f64) as f32;
    let mut source = vec![0.0f32; padded_len];
    let mut bins = vec![u8::MAX; w * h];
    for y in 0..h {
        for x in 0..w {
            if mask.is_foreground(x, y) {
                source[(y + pad) * stride + x + pad] = smooth.values[y * w + x] - mean;
                bins[y * w + x] = field.bin_at(x, y) as u8;
            }
        }
    }
    let apply = |source: &[f32], filters: &[Taps]| {
        let mut target = vec![0.0f32; padded_len];
        for y in 0..h {
            for x in 0..w {
                let bin = bins[y * w + x];
                if bin == u8::MAX {
                    continue;
                }
                let centre = ((y + pad) * stride + x + pad) as isize;
                let taps = &filters[bin as usize];
                let mut value = 0.0;
                for (offset, weight) in taps.offsets.iter().zip(&taps.weights) {
                    // In bounds: every offset is within FILTER_REACH pixels in x and y, and the
                    // padding is wider.
                    value += source[(centre + offset) as usize] * weight;
                }
                target[centre as usize] = value;
            }
        }
        target
    };
    let along = apply(&source, &along_filters(stride));
    let across = apply(&along, &across_filters(stride, period));
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        out[y * w..(y + 1) * w].copy_from_slice(&across[(y + pad) * stride + pad..(y + pad) * stride + pad + w]);
    }
    out
}

/// The eight neighbours in circular order, starting north and turning clockwise on screen.
const NEIGHBOURS: [(isize, isize); 8] = [(0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1)];

/// A binary ridge image, thinned in place to one-pixel lines. Its outermost rows and columns
/// stay clear, so that every pixel looked at has eight neighbours.
struct Skeleton {
    width: usize,
    height: usize,
    pixels: Vec<bool>,
}

/// How a traced branch ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TraceEnd {
    /// It ran the full length asked for.
    Length,
    /// The ridge ended.
    Ending,
    /// The ridge forked or crossed another.
    Junction,
}

struct Trace {
    end: (usize, usize),
    stop: TraceEnd,
}

impl Skeleton {
    fn from_ridges(enhanced: &[f32], width: usize, height: usize, mask: &Segmentation) -> Skeleton {
        let mut pixels = vec![false; width * height];
        for y in 1..height - 1 {
            for x in 1..width - 1 {
                pixels[y * width + x] = enhanced[y * width + x] < 0.0 && mask.is_foreground(x, y);
            }
        }
        Skeleton { width, height, pixels }
    }

    fn neighbour_index(&self, i: usize, k: usize) -> usize {
        let (dx, dy) = NEIGHBOURS[k];
        (i as isize + dy * self.width as isize + dx) as usize
    }

    /// The eight neighbours of pixel `i` (not on the outermost rows or columns), in order.
    fn ring(&self, i: usize) -> [bool; 8] {
        std::array::from_fn(|k| self.pixels[self.neighbour_index(i, k)])
    }

    /// Zhang–Suen thinning, then the staircase corners removed.
    fn thin(&mut self) {
        let mut candidates: Vec<usize> = (0..self.pixels.len()).filter(|&i| self.pixels[i]).collect();
        let mut removals = Vec::new();
        loop {
            let mut changed = false;
            for pass in 0..2 {
                removals.clear();
                for &i in &candidates {
                    if !self.pixels[i] {
                        continue;
                    }
                    // Ring order: p2 (N), p3 (NE), p4 (E), p5 (SE), p6 (S), p7 (SW), p8 (W), p9 (NW).
                    let ring = self.ring(i);
                    let count = ring.iter().filter(|&&p| p).count();
                    if !(2..=6).contains(&count) {
                        continue;
                    }
                    let transitions = (0..8).filter(|&k| !ring[k] && ring[(k + 1) % 8]).count();
                    if transitions != 1 {
                        continue;
                    }
                    let (n, e, s, w) = (ring[0], ring[2], ring[4], ring[6]);
                    let removable = if pass == 0 {
                        // Neither N·E·S nor E·S·W all set (Zhang–Suen, first pass).
                        !(e && s && (n || w))
                    } else {
                        // Neither N·E·W nor N·S·W all set (second pass).
                        !(n && w && (e || s))
                    };
                    if removable {
                        removals.push(i);
                    }
                }
                for &i in &removals {
                    self.pixels[i] = false;
                }
                changed |= !removals.is_empty();
            }
            candidates.retain(|&i| self.pixels[i]);
            if !changed {
                break;
            }
        }
        // A corner pixel whose two 4-neighbours touch each other diagonally is redundant: the
        // line stays 8-connected without it, and without it the crossing number is exact.
        for &i in &candidates {
            let ring = self.ring(i);
            let corner = (0..4).any(|quarter| {
                let (a, b) = (2 * quarter, (2 * quarter + 2) % 8);
                // The two 4-neighbours on either side of diagonal `a + 1` are set; the three
                // pixels opposite them are clear.
                ring[a] && ring[b] && !ring[(a + 4) % 8] && !ring[(a + 5) % 8] && !ring[(b + 4) % 8]
            });
            if corner {
                self.pixels[i] = false;
            }
        }
    }

    /// Candidate minutiae: crossing number 1 or 3, inside the finger away from its edge, each
    /// with its branches traced (see the module comment).
    fn minutiae(&self, mask: &Segmentation, field: &OrientationField, period: f32) -> Vec<Minutia> {
        let trace_length = (1.5 * period).round() as usize;
        let mut found = Vec::new();
        for y in 1..self.height - 1 {
            for x in 1..self.width - 1 {
                let i = y * self.width + x;
                if !self.pixels[i] || !mask.is_inner(x, y) {
                    continue;
                }
                let ring = self.ring(i);
                let branches = branch_starts(&ring);
                let kind = match branches.len() {
                    1 => MinutiaKind::RidgeEnding,
                    3 => MinutiaKind::Bifurcation,
                    _ => continue,
                };
                let traces: Vec<Trace> = branches
                    .iter()
                    .map(|&k| self.trace(i, &ring, k, trace_length))
                    .collect();
                if traces.iter().any(|t| t.stop != TraceEnd::Length) {
                    // A branch meets another minutia within 1.5 periods: a spur, a bridge, a
                    // short island or a speck, not a minutia.
                    continue;
                }
                let direction = |t: &Trace| (t.end.1 as f32 - y as f32).atan2(t.end.0 as f32 - x as f32);
                let traced = match kind {
                    // Out of the ridge: opposite the way the ridge runs from the ending.
                    MinutiaKind::RidgeEnding => direction(&traces[0]) + PI,
                    // Along the stem: the branch farthest in angle from the other two.
                    MinutiaKind::Bifurcation => {
                        let angles: Vec<f32> = traces.iter().map(direction).collect();
                        let separation = |k: usize| {
                            (0..3)
                                .filter(|&o| o != k)
                                .map(|o| angle_difference(angles[k], angles[o]))
                                .fold(f32::MAX, f32::min)
                        };
                        let stem = (0..3)
                            .max_by(|&a, &b| separation(a).total_cmp(&separation(b)))
                            .unwrap_or(0);
                        angles[stem]
                    }
                };
                // The field's direction, turned the way the branches point.
                let ridge = field.angle_at(x, y);
                let angle = if angle_difference(ridge, traced) <= PI / 2.0 {
                    ridge
                } else {
                    ridge + PI
                };
                let coherence = field.coherence_at(x, y);
                found.push(Minutia {
                    x: x as u16,
                    y: y as u16,
                    angle: angle.rem_euclid(2.0 * PI),
                    kind,
                    quality: (coherence.clamp(0.0, 1.0) * 100.0).round() as u8,
                });
            }
        }
        found
    }

    /// Follows the branch that leaves pixel `start` through ring position `first` for at most
    /// `length` steps.
    fn trace(&self, start: usize, start_ring: &[bool; 8], first: usize, length: usize) -> Trace {
        // The start and its neighbours are visited already, so that the trace does not slip
        // into a sibling branch at its first step.
        let mut visited: Vec<usize> = vec![start];
        visited.extend(
            (0..8)
                .filter(|&k| start_ring[k])
                .map(|k| self.neighbour_index(start, k)),
        );
        let mut current = self.neighbour_index(start, first);
        let mut steps = 1;
        let position = |i: usize| (i % self.width, i / self.width);
        loop {
            if steps >= length {
                return Trace {
                    end: position(current),
                    stop: TraceEnd::Length,
                };
            }
            let (column, row) = position(current);
            if column == 0 || row == 0 || column == self.width - 1 || row == self.height - 1 {
                return Trace {
                    end: position(current),
                    stop: TraceEnd::Ending,
                };
            }
            let ring = self.ring(current);
            let open: [bool; 8] =
                std::array::from_fn(|k| ring[k] && !visited.contains(&self.neighbour_index(current, k)));
            let next = branch_starts(&open);
            match next.len() {
                0 => {
                    return Trace {
                        end: position(current),
                        stop: TraceEnd::Ending,
                    }
                }
                1 => {
                    // Every open pixel of the one run is passed, so none is taken for a branch
                    // at the next step.
                    visited.extend((0..8).filter(|&k| open[k]).map(|k| self.neighbour_index(current, k)));
                    current = self.neighbour_index(current, next[0]);
                    steps += 1;
                }
                _ => {
                    return Trace {
                        end: position(current),
                        stop: TraceEnd::Junction,
                    }
                }
            }
        }
    }
}

/// The branches leaving a pixel: one per run of set neighbours around it, each given by the
/// run's first 4-neighbour (or its first pixel when it has none).
fn branch_starts(ring: &[bool; 8]) -> Vec<usize> {
    if ring.iter().all(|&p| p) {
        return Vec::new();
    }
    let mut starts = Vec::new();
    for k in 0..8 {
        if ring[k] && !ring[(k + 7) % 8] {
            // A run starts at k; walk it.
            let mut chosen = k;
            let mut j = k;
            while ring[j % 8] && j < k + 8 {
                if (j % 8) % 2 == 0 {
                    chosen = j % 8;
                    break;
                }
                j += 1;
            }
            starts.push(chosen);
        }
    }
    starts
}

/// The unsigned difference of two directions, in [0, π].
pub(super) fn angle_difference(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(2.0 * PI);
    d.min(2.0 * PI - d)
}

/// Drops minutiae closer together than 0.6 period (noise: the survivors of the tracing that
/// still crowd together), and pairs of endings that face each other across a gap of up to
/// 1.6 periods (a ridge broken by dry skin or a crease).
fn remove_false_minutiae(candidates: Vec<Minutia>, period: f32) -> Vec<Minutia> {
    let crowd = 0.6 * period;
    let gap = 1.6 * period;
    let mut dropped = vec![false; candidates.len()];
    for a in 0..candidates.len() {
        for b in a + 1..candidates.len() {
            let (ma, mb) = (&candidates[a], &candidates[b]);
            let (dx, dy) = (mb.x as f32 - ma.x as f32, mb.y as f32 - ma.y as f32);
            let distance = (dx * dx + dy * dy).sqrt();
            if distance < crowd {
                dropped[a] = true;
                dropped[b] = true;
                continue;
            }
            if distance < gap && ma.kind == MinutiaKind::RidgeEnding && mb.kind == MinutiaKind::RidgeEnding {
                let towards = dy.atan2(dx);
                let facing = angle_difference(ma.angle, towards) < PI / 4.0
                    && angle_difference(mb.angle, towards + PI) < PI / 4.0;
                if facing {
                    dropped[a] = true;
                    dropped[b] = true;
                }
            }
        }
    }
    candidates
        .into_iter()
        .zip(dropped)
        .filter(|(_, dropped)| !dropped)
        .map(|(minutia, _)| minutia)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_starts_count_runs_of_neighbours() {
        let mut ring = [false; 8];
        assert!(branch_starts(&ring).is_empty());
        ring[2] = true;
        assert_eq!(branch_starts(&ring), vec![2]);
        // A run of N and NE is one branch, started from N (the 4-neighbour).
        let ring = [true, true, false, false, false, false, false, false];
        assert_eq!(branch_starts(&ring), vec![0]);
        // Three separate runs: a fork.
        let ring = [true, false, false, true, false, true, false, false];
        assert_eq!(branch_starts(&ring).len(), 3);
        // A run wrapping from NW round to N.
        let ring = [true, false, false, false, false, false, false, true];
        assert_eq!(branch_starts(&ring), vec![0]);
    }

    /// Horizontal ridges of period 10 over 240 x 240 pixels with one phase singularity at
    /// (120, 120): one more ridge to its right than to its left, so one minutia there. With
    /// `inverted` the extra line on the right is a valley rather than a ridge.
    fn one_minutia(inverted: bool) -> GrayImage {
        GrayImage::from_fn(240, 240, |x, y| {
            let (dx, dy) = (x as f32 - 120.0, y as f32 - 120.0);
            let phase = 2.0 * PI * y as f32 / 10.0 + dy.atan2(dx);
            let wave = if inverted { -phase.cos() } else { phase.cos() };
            image::Luma([(128.0 + 90.0 * wave).round() as u8])
        })
    }

    #[test]
    fn a_ridge_ending_and_its_inverse_fork_are_found_pointing_the_same_way() {
        let mut kinds = Vec::new();
        for inverted in [false, true] {
            let found = find_minutiae(&one_minutia(inverted)).expect("ridges are found");
            assert_eq!(found.len(), 1, "inverted {inverted}: {found:?}");
            let minutia = found[0];
            assert!(
                (minutia.x as i32 - 120).abs() <= 6 && (minutia.y as i32 - 120).abs() <= 6,
                "inverted {inverted}: {minutia:?}"
            );
            // The extra line lies to the right: an ending there points left, out of its ridge;
            // a fork there has its stem on the left. Either way the angle is pi.
            assert!(
                angle_difference(minutia.angle, PI) < 0.25,
                "inverted {inverted}: {minutia:?}"
            );
            kinds.push(minutia.kind);
        }
        kinds.sort_by_key(|kind| *kind == MinutiaKind::Bifurcation);
        assert_eq!(kinds, vec![MinutiaKind::RidgeEnding, MinutiaKind::Bifurcation]);
    }

    #[test]
    fn angle_difference_wraps_round() {
        assert!((angle_difference(0.1, 2.0 * PI - 0.1) - 0.2).abs() < 1e-5);
        assert!((angle_difference(0.0, PI) - PI).abs() < 1e-5);
    }
}
