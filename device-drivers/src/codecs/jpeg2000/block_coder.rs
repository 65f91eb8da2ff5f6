//! The block coder of JPEG 2000 (ITU-T T.800 Annex D, "tier 1"): one code-block of wavelet
//! coefficients becomes a sequence of coding passes over its bit-planes, arithmetic-coded by
//! [`super::mq`].
//!
//! Why it exists: it is where the encoder's compression happens. Every pass of every bit-plane
//! is kept, so the code-block is coded losslessly.
//!
//! Deliberately absent: the code-block style options (selective arithmetic coding bypass,
//! context resets, termination on each pass, vertically causal contexts, predictable
//! termination, segmentation symbols): the style byte is 0, as in the MOSIP fixtures.

use super::mq::{MqEncoder, RUN_LENGTH, UNIFORM};
use super::Band;

const SIGNIFICANT: u8 = 1;
const NEGATIVE: u8 = 2;
/// Coded by this bit-plane's significance propagation pass.
const VISITED: u8 = 4;
/// Refined at least once.
const REFINED: u8 = 8;

/// A coded code-block.
pub struct CodedBlock {
    /// Magnitude bit-planes in use (0 = every coefficient is zero; the block is then left out).
    pub bit_planes: u8,
    /// Coding passes: 3 per bit-plane but the first, which has only a cleanup pass.
    pub passes: u32,
    /// The one codeword segment of all passes.
    pub data: Vec<u8>,
}

/// Code one code-block, `coefficients` row-major `width` by `height` (each at most 64).
pub fn encode(coefficients: &[i32], width: usize, height: usize, band: Band) -> CodedBlock {
    let largest = coefficients.iter().map(|c| c.unsigned_abs()).max().unwrap_or(0);
    let bit_planes = (32 - largest.leading_zeros()) as u8;
    if bit_planes == 0 {
        return CodedBlock {
            bit_planes: 0,
            passes: 0,
            data: Vec::new(),
        };
    }
    let mut coder = BlockCoder::new(coefficients, width, height, band);
    for plane in (0..bit_planes).rev() {
        if plane + 1 != bit_planes {
            coder.significance_propagation(plane);
            coder.magnitude_refinement(plane);
        }
        coder.cleanup(plane);
    }
    CodedBlock {
        bit_planes,
        passes: 3 * u32::from(bit_planes) - 2,
        data: coder.mq.finish(),
    }
}

struct BlockCoder {
    magnitudes: Vec<u32>,
    width: usize,
    height: usize,
    /// State of each coefficient, with a border of one never-significant coefficient around
    /// the block so that neighbours need no bounds checks: stride `width + 2`.
    flags: Vec<u8>,
    /// How many of each coefficient's eight neighbours are significant (same layout as
    /// `flags`): most coefficients have none, and their context is then 0 without looking.
    significant_neighbours: Vec<u8>,
    band: Band,
    mq: MqEncoder,
}

impl BlockCoder {
    fn new(coefficients: &[i32], width: usize, height: usize, band: Band) -> BlockCoder {
        let stride = width + 2;
        let mut flags = vec![0u8; stride * (height + 2)];
        for y in 0..height {
            for x in 0..width {
                if coefficients[y * width + x] < 0 {
                    flags[(y + 1) * stride + x + 1] = NEGATIVE;
                }
            }
        }
        BlockCoder {
            magnitudes: coefficients.iter().map(|c| c.unsigned_abs()).collect(),
            width,
            height,
            significant_neighbours: vec![0; flags.len()],
            flags,
            band,
            mq: MqEncoder::new(),
        }
    }

    fn stride(&self) -> usize {
        self.width + 2
    }

    fn flag_index(&self, x: usize, y: usize) -> usize {
        (y + 1) * self.stride() + x + 1
    }

    fn significant(&self, index: usize) -> u8 {
        self.flags[index] & SIGNIFICANT
    }

    /// Zero coding context (T.800 Table D.1) from the significance of the eight neighbours.
    fn zero_coding_context(&self, index: usize) -> usize {
        if self.significant_neighbours[index] == 0 {
            return 0;
        }
        let stride = self.stride();
        let horizontal = self.significant(index - 1) + self.significant(index + 1);
        let vertical = self.significant(index - stride) + self.significant(index + stride);
        let diagonal = self.significant(index - stride - 1)
            + self.significant(index - stride + 1)
            + self.significant(index + stride - 1)
            + self.significant(index + stride + 1);
        let (h, v) = match self.band {
            // LL and LH (vertically high-pass) read the table with horizontal neighbours first;
            // HL (horizontally high-pass) swaps the roles.
            Band::Ll | Band::Lh => (horizontal, vertical),
            Band::Hl => (vertical, horizontal),
            Band::Hh => {
                let hv = horizontal + vertical;
                return match (diagonal, hv) {
                    (3.., _) => 8,
                    (2, 1..) => 7,
                    (2, 0) => 6,
                    (1, 2..) => 5,
                    (1, 1) => 4,
                    (1, 0) => 3,
                    (0, 2..) => 2,
                    (0, 1) => 1,
                    _ => 0,
                };
            }
        };
        match (h, v, diagonal) {
            (2, _, _) => 8,
            (1, 1.., _) => 7,
            (1, 0, 1..) => 6,
            (1, 0, 0) => 5,
            (0, 2, _) => 4,
            (0, 1, _) => 3,
            (0, 0, 2..) => 2,
            (0, 0, 1) => 1,
            _ => 0,
        }
    }

    /// Sign of a neighbour as it counts for sign coding: +1, -1, or 0 when not significant.
    fn sign_contribution(&self, index: usize) -> i8 {
        match self.flags[index] & (SIGNIFICANT | NEGATIVE) {
            SIGNIFICANT => 1,
            f if f == SIGNIFICANT | NEGATIVE => -1,
            _ => 0,
        }
    }

    /// Code the sign of the coefficient at `index` (T.800 Tables D.2 and D.3).
    fn code_sign(&mut self, index: usize) {
        let stride = self.stride();
        let horizontal = (self.sign_contribution(index - 1) + self.sign_contribution(index + 1)).clamp(-1, 1);
        let vertical = (self.sign_contribution(index - stride) + self.sign_contribution(index + stride)).clamp(-1, 1);
        let (context, flip) = match (horizontal, vertical) {
            (1, 1) => (13, 0),
            (1, 0) => (12, 0),
            (1, -1) => (11, 0),
            (0, 1) => (10, 0),
            (0, 0) => (9, 0),
            (0, -1) => (10, 1),
            (-1, 1) => (11, 1),
            (-1, 0) => (12, 1),
            _ => (13, 1),
        };
        let negative = u8::from(self.flags[index] & NEGATIVE != 0);
        self.mq.encode(negative ^ flip, context);
    }

    fn become_significant(&mut self, index: usize) {
        self.flags[index] |= SIGNIFICANT;
        let stride = self.stride();
        for neighbour in [
            index - stride - 1,
            index - stride,
            index - stride + 1,
            index - 1,
            index + 1,
            index + stride - 1,
            index + stride,
            index + stride + 1,
        ] {
            self.significant_neighbours[neighbour] += 1;
        }
    }

    /// Code whether the coefficient becomes significant in `plane`, and its sign if it does.
    fn code_significance(&mut self, x: usize, y: usize, plane: u8, context: usize) {
        let index = self.flag_index(x, y);
        let bit = ((self.magnitudes[y * self.width + x] >> plane) & 1) as u8;
        self.mq.encode(bit, context);
        if bit == 1 {
            self.code_sign(index);
            self.become_significant(index);
        }
    }

    /// Visit the coefficients in the stripe-oriented scan order (T.800 D.1): stripes of four
    /// rows, each stripe column by column, each column top to bottom.
    fn for_each_in_scan_order(&mut self, mut visit: impl FnMut(&mut BlockCoder, usize, usize)) {
        let (width, height) = (self.width, self.height);
        for top in (0..height).step_by(4) {
            let bottom = (top + 4).min(height);
            for x in 0..width {
                for y in top..bottom {
                    visit(self, x, y);
                }
            }
        }
    }

    /// Significance propagation pass (T.800 D.3.1): insignificant coefficients with at least
    /// one significant neighbour.
    fn significance_propagation(&mut self, plane: u8) {
        self.for_each_in_scan_order(|coder, x, y| {
            let index = coder.flag_index(x, y);
            if coder.flags[index] & SIGNIFICANT != 0 {
                return;
            }
            let context = coder.zero_coding_context(index);
            if context != 0 {
                coder.code_significance(x, y, plane, context);
                coder.flags[index] |= VISITED;
            }
        });
    }

    /// Magnitude refinement pass (T.800 D.3.3): coefficients significant before this plane.
    fn magnitude_refinement(&mut self, plane: u8) {
        self.for_each_in_scan_order(|coder, x, y| {
            let index = coder.flag_index(x, y);
            let flags = coder.flags[index];
            if flags & SIGNIFICANT == 0 || flags & VISITED != 0 {
                return;
            }
            let context = if flags & REFINED != 0 {
                16
            } else if coder.zero_coding_context(index) != 0 {
                // Context 0 of the zero coding table is exactly "no significant neighbour".
                15
            } else {
                14
            };
            let bit = ((coder.magnitudes[y * coder.width + x] >> plane) & 1) as u8;
            coder.mq.encode(bit, context);
            coder.flags[index] |= REFINED;
        });
    }

    /// Cleanup pass (T.800 D.3.4): every coefficient not yet coded in this plane, with run-length
    /// coding of full columns of four that are insignificant with insignificant neighbours.
    fn cleanup(&mut self, plane: u8) {
        let (width, height) = (self.width, self.height);
        for top in (0..height).step_by(4) {
            let bottom = (top + 4).min(height);
            for x in 0..width {
                let mut first_row = top;
                if bottom - top == 4 && (top..bottom).all(|y| self.run_length_candidate(x, y)) {
                    let first_one = (top..bottom).find(|y| (self.magnitudes[y * width + x] >> plane) & 1 == 1);
                    match first_one {
                        None => {
                            self.mq.encode(0, RUN_LENGTH);
                            continue;
                        }
                        Some(y) => {
                            self.mq.encode(1, RUN_LENGTH);
                            let position = y - top;
                            self.mq.encode(((position >> 1) & 1) as u8, UNIFORM);
                            self.mq.encode((position & 1) as u8, UNIFORM);
                            let index = self.flag_index(x, y);
                            self.code_sign(index);
                            self.become_significant(index);
                            first_row = y + 1;
                        }
                    }
                }
                for y in first_row..bottom {
                    let index = self.flag_index(x, y);
                    if self.flags[index] & (SIGNIFICANT | VISITED) == 0 {
                        let context = self.zero_coding_context(index);
                        self.code_significance(x, y, plane, context);
                    }
                }
            }
        }
        for flag in &mut self.flags {
            *flag &= !VISITED;
        }
    }

    fn run_length_candidate(&self, x: usize, y: usize) -> bool {
        let index = self.flag_index(x, y);
        self.flags[index] & (SIGNIFICANT | VISITED) == 0 && self.zero_coding_context(index) == 0
    }
}
