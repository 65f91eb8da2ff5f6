//! Dequantization: quantized coefficients back to wavelet coefficients, placed in their
//! subbands (IAFIS-IC-0110 v3, Part 1, A.3: the scalar quantizer with a zero bin).
//!
//! For subband k with step Q and zero-bin width Z, and bin centre C:
//! p > 0 ↦ Q·(p − C) + Z/2, p < 0 ↦ Q·(p + C) − Z/2, p = 0 ↦ 0. A subband whose step is 0
//! was not coded (the FBI's encoder drops subbands 60–63 this way) and is all zeros.
//! Coefficients come subband by subband, in subband order, each in raster order.
//!
//! Why a module of its own: it is the one place that knows the order of coefficients in the
//! stream. Deliberately absent: decoding them ([`super::huffman`]) and the transform
//! ([`super::wavelet`]).

use super::markers::QuantizationTable;
use super::subbands::Layout;

/// How many coefficients the image data must hold: the samples of every coded subband.
pub(super) fn coded_coefficients(layout: &Layout, table: &QuantizationTable) -> usize {
    layout
        .subbands
        .iter()
        .zip(table.step)
        .filter(|(_, step)| *step != 0.0)
        .map(|(rect, _)| rect.width * rect.height)
        .sum()
}

/// The wavelet coefficient plane, `width` samples a row, with every subband filled in.
/// `coefficients` must hold exactly [`coded_coefficients`] values.
pub(super) fn dequantize(
    layout: &Layout,
    table: &QuantizationTable,
    coefficients: &[i32],
    width: usize,
    height: usize,
) -> Vec<f32> {
    assert_eq!(
        coefficients.len(),
        coded_coefficients(layout, table),
        "the entropy decoder stops at the number of coded coefficients"
    );
    let mut plane = vec![0f32; width * height];
    let center = table.bin_center as f32;
    let mut next = coefficients.iter();
    for (rect, (&step, &zero_bin)) in layout.subbands.iter().zip(table.step.iter().zip(&table.zero_bin)) {
        if step == 0.0 {
            continue;
        }
        let step = step as f32;
        let half_zero_bin = zero_bin as f32 / 2.0;
        for y in rect.y..rect.y + rect.height {
            let row = &mut plane[y * width + rect.x..y * width + rect.x + rect.width];
            for (sample, &p) in row.iter_mut().zip(next.by_ref()) {
                *sample = match p {
                    0 => 0.0,
                    p if p > 0 => step * (p as f32 - center) + half_zero_bin,
                    p => step * (p as f32 + center) - half_zero_bin,
                };
            }
        }
    }
    plane
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_rebuilt_around_their_centre_and_uncoded_subbands_stay_zero() {
        let layout = Layout::new(64, 64);
        let mut table = QuantizationTable {
            bin_center: 0.44,
            step: [0.0; 64],
            zero_bin: [0.0; 64],
        };
        table.step[0] = 2.0;
        table.zero_bin[0] = 3.0;
        let count = coded_coefficients(&layout, &table);
        assert_eq!(count, 4, "subband 0 of a 64×64 image is 2×2");
        let plane = dequantize(&layout, &table, &[0, 1, -2, 3], 64, 64);
        let expected = [
            0.0,
            2.0 * (1.0 - 0.44) + 1.5,
            2.0 * (-2.0 + 0.44) - 1.5,
            2.0 * (3.0 - 0.44) + 1.5,
        ];
        let got = [plane[0], plane[1], plane[64], plane[65]];
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e as f32).abs() < 1e-5, "{got:?} against {expected:?}");
        }
        assert_eq!(plane.iter().filter(|v| **v != 0.0).count(), 3);
    }
}
