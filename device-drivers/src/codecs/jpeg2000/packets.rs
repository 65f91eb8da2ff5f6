//! Packets of JPEG 2000 (ITU-T T.800 Annex B.9 and B.10, "tier 2"): for one resolution of the
//! one tile, a header saying which code-blocks are included, their missing bit-planes, number
//! of passes and byte counts, then the code-blocks' bytes.
//!
//! Why it exists: it is how the block coder's output is laid out in the codestream.
//!
//! Deliberately absent: more than one quality layer, precinct partitions (one precinct per
//! resolution: the default maximum size 2^15 covers the whole tile, which the encoder checks),
//! SOP and EPH markers, and packed packet headers (PPM, PPT).

use super::block_coder::CodedBlock;

/// Writes packet header bits, most significant first, with the bit stuffing of T.800 B.10.1:
/// after a 0xFF byte the next byte carries only seven bits, so no marker can appear.
struct HeaderBits {
    bytes: Vec<u8>,
    current: u8,
    filled: u8,
    capacity: u8,
}

impl HeaderBits {
    fn new() -> HeaderBits {
        HeaderBits {
            bytes: Vec::new(),
            current: 0,
            filled: 0,
            capacity: 8,
        }
    }

    fn bit(&mut self, bit: bool) {
        self.current = (self.current << 1) | u8::from(bit);
        self.filled += 1;
        if self.filled == self.capacity {
            self.bytes.push(self.current);
            self.capacity = if self.current == 0xFF { 7 } else { 8 };
            self.current = 0;
            self.filled = 0;
        }
    }

    fn bits(&mut self, value: u32, count: u32) {
        for shift in (0..count).rev() {
            self.bit((value >> shift) & 1 == 1);
        }
    }

    /// Pad the last byte with zeros; a header that ends in 0xFF gets a 0x00 after it, since the
    /// decoder skips the byte after a final 0xFF (T.800 B.10.1).
    fn finish(mut self) -> Vec<u8> {
        if self.filled > 0 {
            let pad = self.capacity - self.filled;
            self.bytes.push(self.current << pad);
        }
        if self.bytes.last() == Some(&0xFF) {
            self.bytes.push(0);
        }
        self.bytes
    }
}

/// A tag tree (T.800 B.10.2) over a grid of code-blocks: each node holds the minimum of its
/// children, and coding a leaf sends only what the decoder does not know yet.
struct TagTree {
    /// (width, height, first node index) of each level, leaves first.
    levels: Vec<(usize, usize, usize)>,
    value: Vec<u32>,
    /// Lower bound the decoder already knows.
    low: Vec<u32>,
    known: Vec<bool>,
}

impl TagTree {
    fn new(width: usize, height: usize, leaves: &[u32]) -> TagTree {
        let mut levels = vec![(width, height, 0)];
        let mut value = leaves.to_vec();
        let (mut w, mut h) = (width, height);
        while w > 1 || h > 1 {
            let (parent_w, parent_h) = (w.div_ceil(2), h.div_ceil(2));
            let child_start = levels[levels.len() - 1].2;
            let start = value.len();
            for py in 0..parent_h {
                for px in 0..parent_w {
                    let mut minimum = u32::MAX;
                    for cy in (2 * py)..(2 * py + 2).min(h) {
                        for cx in (2 * px)..(2 * px + 2).min(w) {
                            minimum = minimum.min(value[child_start + cy * w + cx]);
                        }
                    }
                    value.push(minimum);
                }
            }
            levels.push((parent_w, parent_h, start));
            (w, h) = (parent_w, parent_h);
        }
        let nodes = value.len();
        TagTree {
            levels,
            value,
            low: vec![0; nodes],
            known: vec![false; nodes],
        }
    }

    /// Code leaf (x, y) against `threshold`: afterwards the decoder knows whether the value is
    /// below the threshold, and the value itself if it is.
    fn encode(&mut self, x: usize, y: usize, threshold: u32, out: &mut HeaderBits) {
        let path: Vec<usize> = self
            .levels
            .iter()
            .enumerate()
            .map(|(depth, (w, _, start))| start + (y >> depth) * w + (x >> depth))
            .collect();
        let mut low = 0;
        for &node in path.iter().rev() {
            if self.low[node] < low {
                self.low[node] = low;
            } else {
                low = self.low[node];
            }
            while low < threshold {
                if low >= self.value[node] {
                    if !self.known[node] {
                        out.bit(true);
                        self.known[node] = true;
                    }
                    break;
                }
                out.bit(false);
                low += 1;
            }
            self.low[node] = low;
        }
    }
}

/// The code-blocks of one subband, in raster order, with the grid they form.
pub struct SubbandBlocks {
    pub columns: usize,
    pub rows: usize,
    pub blocks: Vec<CodedBlock>,
    /// The subband's exponent (T.800 E.1.1.1), as QCD states it.
    pub exponent: u8,
    /// Mb of T.800 E.1: guard bits + exponent - 1, the most bit-planes a block can have.
    pub max_bit_planes: u8,
}

/// The packet of one resolution in the single quality layer: header, then the included blocks'
/// bytes in the same order.
pub fn packet(subbands: &[SubbandBlocks]) -> Vec<u8> {
    let mut header = HeaderBits::new();
    let any_included = subbands.iter().flat_map(|s| &s.blocks).any(|b| b.passes > 0);
    header.bit(any_included);
    if !any_included {
        return header.finish();
    }
    let mut body = Vec::new();
    for subband in subbands {
        // Layer index at which each block is first included: 0, or 1 (= not in this packet).
        let inclusion_values: Vec<u32> = subband.blocks.iter().map(|b| u32::from(b.passes == 0)).collect();
        // Missing bit-planes; a block that is never included takes the largest value so that it
        // does not lower its parents' minimum.
        let zero_planes: Vec<u32> = subband
            .blocks
            .iter()
            .map(|b| u32::from(subband.max_bit_planes - if b.passes > 0 { b.bit_planes } else { 0 }))
            .collect();
        let mut inclusion = TagTree::new(subband.columns, subband.rows, &inclusion_values);
        let mut missing_planes = TagTree::new(subband.columns, subband.rows, &zero_planes);
        for (i, block) in subband.blocks.iter().enumerate() {
            let (x, y) = (i % subband.columns, i / subband.columns);
            inclusion.encode(x, y, 1, &mut header);
            if block.passes == 0 {
                continue;
            }
            missing_planes.encode(x, y, zero_planes[i] + 1, &mut header);
            passes(block.passes, &mut header);
            length(block.data.len(), block.passes, &mut header);
            body.extend_from_slice(&block.data);
        }
    }
    let mut packet = header.finish();
    packet.extend_from_slice(&body);
    packet
}

/// Number of coding passes (T.800 Table B.4).
fn passes(count: u32, out: &mut HeaderBits) {
    match count {
        1 => out.bit(false),
        2 => out.bits(0b10, 2),
        3..=5 => {
            out.bits(0b11, 2);
            out.bits(count - 3, 2);
        }
        6..=36 => {
            out.bits(0b1111, 4);
            out.bits(count - 6, 5);
        }
        _ => {
            out.bits(0b1_1111_1111, 9);
            out.bits(count - 37, 7);
        }
    }
}

/// Codeword segment length (T.800 B.10.7.1): Lblock starts at 3 for a block's first inclusion;
/// the length takes Lblock + floor(log2(passes)) bits, Lblock grown first by a comma code.
fn length(bytes: usize, passes: u32, out: &mut HeaderBits) {
    let mut lblock = 3u32;
    let extra = 31 - passes.leading_zeros();
    while (bytes as u64) >> (lblock + extra) != 0 {
        lblock += 1;
        out.bit(true);
    }
    out.bit(false);
    out.bits(bytes as u32, lblock + extra);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_byte_after_0xff_carries_seven_bits() {
        let mut bits = HeaderBits::new();
        bits.bits(0xFF, 8);
        bits.bits(0b111_1111, 7);
        bits.bit(true);
        assert_eq!(bits.finish(), [0xFF, 0x7F, 0x80]);
    }

    #[test]
    fn a_tag_tree_sends_each_node_once() {
        // Two leaves of value 0 and 2 under one root of value 0.
        let mut tree = TagTree::new(2, 1, &[0, 2]);
        let mut bits = HeaderBits::new();
        tree.encode(0, 0, 3, &mut bits); // root: 1; leaf: 1
        tree.encode(1, 0, 3, &mut bits); // root known; leaf: 0 0 1
        assert_eq!(bits.finish(), [0b1100_1000]);
    }
}
