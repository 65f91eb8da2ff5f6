//! The inverse wavelet transform: undoing each two-dimensional split of the decomposition with
//! the synthesis filters that belong to the analysis filters of the file's DTT table
//! (IAFIS-IC-0110 v3, Part 1, A.2; the FBI's parameters are the 9/7 biorthogonal pair).
//!
//! In one dimension the encoder filtered a signal x of n samples, extended by whole-sample
//! symmetry at both ends, with the lowpass h0 at even positions (⌈n/2⌉ outputs) and the
//! highpass h1 at odd positions (⌊n/2⌋ outputs). Interleaving the two outputs back at those
//! positions gives a signal that inherits the same symmetry, and
//! x(m) = Σk g0(k)·u(m−k) over even m−k + Σk g1(k)·u(m−k) over odd m−k, with the synthesis
//! filters g0(k) = (−1)^k h1(k) and g1(k) = (−1)^k h0(k). A unit test checks perfect
//! reconstruction for every length from 1 to 40.
//!
//! Why a module of its own: it is the numeric heart of the decoder and is tested on its own.
//! Deliberately absent: even-length filters (half-sample symmetry; refused when the DTT is
//! read) and the forward transform, which only the tests use.

use super::markers::TransformTable;
use super::subbands::{Layout, Rect};

/// Synthesis kernels for the two output phases.
pub(super) struct Filters {
    /// Taps reach this far either side of the centre.
    reach: usize,
    /// For even outputs: tap k (stored at k + reach) is g0(k) for even k, g1(k) for odd k.
    even_phase: Vec<f32>,
    /// For odd outputs: g0(k) for odd k, g1(k) for even k.
    odd_phase: Vec<f32>,
    /// What one lowpass sample alone rebuilds (a signal of one sample): Σ over even k of g0(k).
    single_sample_gain: f32,
}

impl Filters {
    pub(super) fn new(table: &TransformTable) -> Filters {
        let tap = |half: &[f64], k: isize| half.get(k.unsigned_abs()).copied().unwrap_or(0.0);
        let sign = |k: isize| if k % 2 == 0 { 1.0 } else { -1.0 };
        let g0 = |k: isize| sign(k) * tap(&table.highpass_half, k);
        let g1 = |k: isize| sign(k) * tap(&table.lowpass_half, k);
        let reach = table
            .lowpass_half
            .len()
            .max(table.highpass_half.len())
            .saturating_sub(1);
        let taps = -(reach as isize)..=reach as isize;
        let even_phase = taps
            .clone()
            .map(|k| if k % 2 == 0 { g0(k) } else { g1(k) } as f32)
            .collect();
        let odd_phase = taps
            .clone()
            .map(|k| if k % 2 == 0 { g1(k) } else { g0(k) } as f32)
            .collect();
        let single_sample_gain = taps.filter(|k| k % 2 == 0).map(g0).sum::<f64>() as f32;
        Filters {
            reach,
            even_phase,
            odd_phase,
            single_sample_gain,
        }
    }

    /// Rebuild `output.len()` samples from `input`, which holds the lowpass then the highpass
    /// outputs (the highpass first when `inverted`).
    fn synthesize(&self, input: &[f32], output: &mut [f32], inverted: bool, extended: &mut Vec<f32>) {
        let n = input.len();
        debug_assert_eq!(n, output.len(), "synthesis keeps the length");
        match n {
            0 => return,
            // The lone sample is a lowpass output, whatever the order.
            1 => {
                output[0] = input[0] * self.single_sample_gain;
                return;
            }
            _ => {}
        }
        let lowpass_len = n.div_ceil(2);
        let (lowpass, highpass) = if inverted {
            let (high, low) = input.split_at(n - lowpass_len);
            (low, high)
        } else {
            input.split_at(lowpass_len)
        };
        // The interleaved signal, extended by whole-sample symmetry about 0 and n − 1
        // (period 2(n − 1)), which keeps every position's parity.
        let period = 2 * (n - 1);
        let reach = self.reach;
        extended.clear();
        // Position j − reach, moved by whole periods so that it is never negative.
        let offset = period * reach.div_ceil(period) - reach;
        extended.resize(n + 2 * reach, 0.0);
        let mut j = 0;
        while j < extended.len() {
            let position = (j + offset) % period;
            let position = if position > n - 1 { period - position } else { position };
            extended[j] = if position % 2 == 0 {
                lowpass[position / 2]
            } else {
                highpass[position / 2]
            };
            j += 1;
        }
        let taps = self.even_phase.len();
        // `while` loops here and below: this is the decoder's hot path, and unlike iterators
        // they stay fast in unoptimised builds, where the damaged-file tests decode thousands
        // of images.
        let mut m = 0;
        while m < n {
            let kernel = if m % 2 == 0 { &self.even_phase } else { &self.odd_phase };
            // Tap k (kernel index k + reach) meets u(m − k), which is extended[m + reach − k].
            let last = m + 2 * reach;
            let mut sum = 0f32;
            let mut t = 0;
            while t < taps {
                sum += kernel[t] * extended[last - t];
                t += 1;
            }
            output[m] = sum;
            m += 1;
        }
    }
}

/// Undo every split of `layout` in `plane` (`width` samples a row), innermost first.
pub(super) fn reconstruct(plane: &mut [f32], width: usize, layout: &Layout, filters: &Filters) {
    let mut scratch = Vec::new();
    let mut line = Vec::new();
    let mut extended = Vec::new();
    for split in &layout.splits {
        let rect = split.rect;
        filters.synthesize_columns(plane, width, rect, split.inverted_y, &mut scratch);
        for y in rect.y..rect.y + rect.height {
            let row = &mut plane[y * width + rect.x..y * width + rect.x + rect.width];
            line.clear();
            line.extend_from_slice(row);
            filters.synthesize(&line, row, split.inverted_x, &mut extended);
        }
    }
}

impl Filters {
    /// The same synthesis as [`Filters::synthesize`], down every column of `rect` at once:
    /// whole rows are weighted and added, which reads the plane in order instead of
    /// gathering each column.
    fn synthesize_columns(&self, plane: &mut [f32], width: usize, rect: Rect, inverted: bool, scratch: &mut Vec<f32>) {
        let (n, w) = (rect.height, rect.width);
        let row_start = |y: usize| y * width + rect.x;
        if w == 0 {
            // Small images have empty subbands; there is nothing to rebuild.
            return;
        }
        match n {
            0 => return,
            1 => {
                let start = row_start(rect.y);
                for value in &mut plane[start..start + w] {
                    *value *= self.single_sample_gain;
                }
                return;
            }
            _ => {}
        }
        let lowpass_len = n.div_ceil(2);
        let (lowpass_first_row, highpass_first_row) = if inverted {
            (rect.y + n - lowpass_len, rect.y)
        } else {
            (rect.y, rect.y + lowpass_len)
        };
        let period = 2 * (n - 1);
        let reach = self.reach;
        let offset = period * reach.div_ceil(period) - reach;
        // The plane row that holds interleaved position j − reach after symmetric extension.
        let source_row = |j: usize| {
            let position = (j + offset) % period;
            let position = if position > n - 1 { period - position } else { position };
            if position % 2 == 0 {
                lowpass_first_row + position / 2
            } else {
                highpass_first_row + position / 2
            }
        };
        scratch.clear();
        scratch.resize(n * w, 0.0);
        for (m, output) in scratch.chunks_exact_mut(w).enumerate() {
            let kernel = if m % 2 == 0 { &self.even_phase } else { &self.odd_phase };
            let last = m + 2 * reach;
            for (t, &tap) in kernel.iter().enumerate() {
                let input = &plane[row_start(source_row(last - t))..][..w];
                // A `while` loop, as in `synthesize`.
                let mut x = 0;
                while x < w {
                    output[x] += tap * input[x];
                    x += 1;
                }
            }
        }
        for (m, output) in scratch.chunks_exact(w).enumerate() {
            let start = row_start(rect.y + m);
            plane[start..start + w].copy_from_slice(output);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The FBI's 9/7 analysis filters as NBIS writes them in the DTT.
    fn table() -> TransformTable {
        TransformTable {
            lowpass_len: 9,
            highpass_len: 7,
            lowpass_half: vec![0.852698573, 0.3774028186, -0.1106243994, -0.02384946381, 0.03782845235],
            highpass_half: vec![0.788485632, -0.4180923187, -0.04068942234, 0.0645388851],
        }
    }

    /// The encoder's side, straight from the definition, for the test only.
    fn analyse(x: &[f64], table: &TransformTable) -> (Vec<f64>, Vec<f64>) {
        let n = x.len() as isize;
        let at = |i: isize| {
            if n == 1 {
                return x[0];
            }
            let period = 2 * (n - 1);
            let i = i.rem_euclid(period);
            x[if i > n - 1 { period - i } else { i } as usize]
        };
        let filter = |half: &[f64], centre: isize| {
            let reach = half.len() as isize - 1;
            (-reach..=reach)
                .map(|k| half[k.unsigned_abs()] * at(centre - k))
                .sum::<f64>()
        };
        let lowpass = (0..(n + 1) / 2).map(|i| filter(&table.lowpass_half, 2 * i)).collect();
        let highpass = (0..n / 2).map(|i| filter(&table.highpass_half, 2 * i + 1)).collect();
        (lowpass, highpass)
    }

    /// The encoder's whole decomposition: every split of `layout`, outermost first, rows then
    /// columns, each half stored in the order the split's inversion says.
    fn analyse_plane(plane: &mut [f64], width: usize, layout: &Layout, table: &TransformTable) {
        let order = |(lowpass, highpass): (Vec<f64>, Vec<f64>), inverted: bool| {
            if inverted {
                [highpass, lowpass].concat()
            } else {
                [lowpass, highpass].concat()
            }
        };
        for split in layout.splits.iter().rev() {
            let r = split.rect;
            for y in r.y..r.y + r.height {
                let row = &mut plane[y * width + r.x..][..r.width];
                let out = order(analyse(row, table), split.inverted_x);
                row.copy_from_slice(&out);
            }
            for x in r.x..r.x + r.width {
                let column: Vec<f64> = (r.y..r.y + r.height).map(|y| plane[y * width + x]).collect();
                for (y, value) in (r.y..).zip(order(analyse(&column, table), split.inverted_y)) {
                    plane[y * width + x] = value;
                }
            }
        }
    }

    #[test]
    fn reconstruction_inverts_the_whole_decomposition_for_small_and_odd_sizes() {
        let table = table();
        let filters = Filters::new(&table);
        for (width, height) in [(1, 1), (1, 6), (7, 1), (2, 3), (5, 5), (33, 20), (64, 47)] {
            let original: Vec<f64> = (0..width * height).map(|i| ((i * 53 + 7) % 251) as f64).collect();
            let layout = Layout::new(width, height);
            let mut coefficients = original.clone();
            analyse_plane(&mut coefficients, width, &layout, &table);
            let mut plane: Vec<f32> = coefficients.iter().map(|v| *v as f32).collect();
            reconstruct(&mut plane, width, &layout, &filters);
            for (got, want) in plane.iter().zip(&original) {
                assert!(
                    (f64::from(*got) - want).abs() < 0.01,
                    "{width}×{height}: {got} against {want}"
                );
            }
        }
    }

    #[test]
    fn synthesis_inverts_analysis_for_every_length_and_order() {
        let table = table();
        let filters = Filters::new(&table);
        let mut extended = Vec::new();
        for n in 1..=40usize {
            let x: Vec<f64> = (0..n).map(|i| ((i * 37 + 11) % 23) as f64 * 7.5 - 60.0).collect();
            let (lowpass, highpass) = analyse(&x, &table);
            for inverted in [false, true] {
                let input: Vec<f32> = if inverted {
                    highpass.iter().chain(&lowpass).map(|v| *v as f32).collect()
                } else {
                    lowpass.iter().chain(&highpass).map(|v| *v as f32).collect()
                };
                let mut output = vec![0f32; n];
                filters.synthesize(&input, &mut output, inverted, &mut extended);
                for (got, want) in output.iter().zip(&x) {
                    assert!(
                        (f64::from(*got) - want).abs() < 1e-3,
                        "n = {n}, inverted = {inverted}: {output:?} against {x:?}"
                    );
                }
            }
        }
    }
}
