//! The forward reversible 5/3 wavelet transform (ITU-T T.800 Annex F.4, lifting form), which
//! makes JPEG 2000 lossless: integer in, integer out, exactly invertible by the decoder's
//! inverse transform.
//!
//! Why it exists: the encoder's first step after the DC level shift. The image origin is 0, so
//! every signal starts at an even index: low-pass samples are the even ones.
//!
//! Deliberately absent: the irreversible 9/7 transform (lossy) and the inverse (the decoder's).

/// The part of the transformed plane that one subband occupies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

/// Transform `plane` (row-major, `width` samples a row) in place by `levels` decompositions.
/// After it, each level's low-pass quarter sits top-left of the region it came from: level
/// `l`'s HL band right of it, LH below it, HH diagonally (see [`subbands`]).
pub fn forward(plane: &mut [i32], width: usize, height: usize, levels: u8) {
    let mut scratch = Vec::with_capacity(width.max(height));
    let (mut w, mut h) = (width, height);
    for _ in 0..levels {
        // Vertical first, then horizontal: the exact reverse of the decoder's 2D_SR (T.800
        // F.3.2), which filters rows and then columns. Integer rounding makes the order matter.
        for x in 0..w {
            scratch.clear();
            scratch.extend((0..h).map(|y| plane[y * width + x]));
            lift_and_split(&mut scratch);
            for (y, value) in scratch.iter().enumerate() {
                plane[y * width + x] = *value;
            }
        }
        for y in 0..h {
            let row = &mut plane[y * width..y * width + w];
            scratch.clear();
            scratch.extend_from_slice(row);
            lift_and_split(&mut scratch);
            row.copy_from_slice(&scratch);
        }
        w = w.div_ceil(2);
        h = h.div_ceil(2);
    }
}

/// One-dimensional 5/3 analysis (T.800 F.4.8.2, equations F-9 and F-10 with the symmetric
/// extension of F.4.8.1), then the low-pass samples first and the high-pass samples after.
fn lift_and_split(signal: &mut Vec<i32>) {
    let n = signal.len();
    // A single sample at an even index is its own low-pass value (T.800 F.4.8.2).
    if n < 2 {
        return;
    }
    // Whole-sample symmetric extension: x[-1] = x[1] and x[n] = x[n - 2].
    for i in (1..n).step_by(2) {
        let right = if i + 1 < n { signal[i + 1] } else { signal[i - 1] };
        signal[i] -= (signal[i - 1] + right) >> 1;
    }
    for i in (0..n).step_by(2) {
        let left = if i > 0 { signal[i - 1] } else { signal[i + 1] };
        let right = if i + 1 < n { signal[i + 1] } else { signal[i - 1] };
        signal[i] += (left + right + 2) >> 2;
    }
    let split: Vec<i32> = signal
        .iter()
        .step_by(2)
        .chain(signal.iter().skip(1).step_by(2))
        .copied()
        .collect();
    *signal = split;
}

/// Where each subband lies after [`forward`], in the order the codestream carries them:
/// resolution 0 is the last level's LL band; resolution `r > 0` holds HL, LH and HH of level
/// `levels + 1 - r`.
pub fn subbands(width: usize, height: usize, levels: u8) -> Vec<Vec<(super::Band, Region)>> {
    use super::Band;
    // Sizes of the low-pass region before each level: sizes[l] is after l decompositions.
    let mut sizes = vec![(width, height)];
    for _ in 0..levels {
        let (w, h) = sizes[sizes.len() - 1];
        sizes.push((w.div_ceil(2), h.div_ceil(2)));
    }
    let (lw, lh) = sizes[usize::from(levels)];
    let mut resolutions = vec![vec![(
        Band::Ll,
        Region {
            x: 0,
            y: 0,
            width: lw,
            height: lh,
        },
    )]];
    for level in (1..=usize::from(levels)).rev() {
        let (outer_w, outer_h) = sizes[level - 1];
        let (low_w, low_h) = sizes[level];
        let (high_w, high_h) = (outer_w - low_w, outer_h - low_h);
        resolutions.push(vec![
            (
                Band::Hl,
                Region {
                    x: low_w,
                    y: 0,
                    width: high_w,
                    height: low_h,
                },
            ),
            (
                Band::Lh,
                Region {
                    x: 0,
                    y: low_h,
                    width: low_w,
                    height: high_h,
                },
            ),
            (
                Band::Hh,
                Region {
                    x: low_w,
                    y: low_h,
                    width: high_w,
                    height: high_h,
                },
            ),
        ]);
    }
    resolutions
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder's inverse (T.800 F.3.8, equations F-5 and F-6), written here only to check
    /// that the forward transform is exactly invertible.
    fn inverse_1d(split: &[i32]) -> Vec<i32> {
        let n = split.len();
        let lows = n.div_ceil(2);
        let mut x = vec![0; n];
        for (k, value) in split.iter().enumerate() {
            let i = if k < lows { 2 * k } else { 2 * (k - lows) + 1 };
            x[i] = *value;
        }
        if n < 2 {
            return x;
        }
        for i in (0..n).step_by(2) {
            let left = if i > 0 { x[i - 1] } else { x[i + 1] };
            let right = if i + 1 < n { x[i + 1] } else { x[i - 1] };
            x[i] -= (left + right + 2) >> 2;
        }
        for i in (1..n).step_by(2) {
            let right = if i + 1 < n { x[i + 1] } else { x[i - 1] };
            x[i] += (x[i - 1] + right) >> 1;
        }
        x
    }

    #[test]
    fn every_length_inverts_exactly() {
        for n in 1..40usize {
            let original: Vec<i32> = (0..n).map(|i| ((i * 7919 + 13) % 256) as i32 - 128).collect();
            let mut signal = original.clone();
            lift_and_split(&mut signal);
            assert_eq!(inverse_1d(&signal), original, "length {n}");
        }
    }

    #[test]
    fn a_flat_signal_has_no_high_pass_energy() {
        let mut signal = vec![-5; 9];
        lift_and_split(&mut signal);
        assert_eq!(signal, [-5, -5, -5, -5, -5, 0, 0, 0, 0]);
    }

    #[test]
    fn subbands_tile_the_plane() {
        let (width, height) = (357usize, 238usize);
        let resolutions = subbands(width, height, 5);
        assert_eq!(resolutions.len(), 6);
        let area: usize = resolutions.iter().flatten().map(|(_, r)| r.width * r.height).sum();
        assert_eq!(area, width * height, "the subbands cover every sample once");
    }
}
