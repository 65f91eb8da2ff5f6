//! The MQ arithmetic encoder of JPEG 2000 (ITU-T T.800 Annex C.2): binary decisions, each in
//! one of the 19 contexts of the block coder, become the bytes of a code-block.
//!
//! Why it exists: the entropy coder under the block coder ([`super::block_coder`]).
//!
//! Deliberately absent: the decoder, and termination after every pass or the predictable
//! termination of T.800 D.4.2: the station writes one codeword segment per code-block, ended
//! by the plain FLUSH procedure (C.2.9).

/// Probability estimation table (T.800 Table C.2): Qe, next index after an MPS, next index after
/// an LPS, and whether an LPS switches the MPS sense.
const QE: [(u32, u8, u8, bool); 47] = [
    (0x5601, 1, 1, true),
    (0x3401, 2, 6, false),
    (0x1801, 3, 9, false),
    (0x0AC1, 4, 12, false),
    (0x0521, 5, 29, false),
    (0x0221, 38, 33, false),
    (0x5601, 7, 6, true),
    (0x5401, 8, 14, false),
    (0x4801, 9, 14, false),
    (0x3801, 10, 14, false),
    (0x3001, 11, 17, false),
    (0x2401, 12, 18, false),
    (0x1C01, 13, 20, false),
    (0x1601, 29, 21, false),
    (0x5601, 15, 14, true),
    (0x5401, 16, 14, false),
    (0x5101, 17, 15, false),
    (0x4801, 18, 16, false),
    (0x3801, 19, 17, false),
    (0x3401, 20, 18, false),
    (0x3001, 21, 19, false),
    (0x2801, 22, 19, false),
    (0x2401, 23, 20, false),
    (0x2201, 24, 21, false),
    (0x1C01, 25, 22, false),
    (0x1801, 26, 23, false),
    (0x1601, 27, 24, false),
    (0x1401, 28, 25, false),
    (0x1201, 29, 26, false),
    (0x1101, 30, 27, false),
    (0x0AC1, 31, 28, false),
    (0x09C1, 32, 29, false),
    (0x08A1, 33, 30, false),
    (0x0521, 34, 31, false),
    (0x0441, 35, 32, false),
    (0x02A1, 36, 33, false),
    (0x0221, 37, 34, false),
    (0x0141, 38, 35, false),
    (0x0111, 39, 36, false),
    (0x0085, 40, 37, false),
    (0x0049, 41, 38, false),
    (0x0025, 42, 39, false),
    (0x0015, 43, 40, false),
    (0x0009, 44, 41, false),
    (0x0005, 45, 42, false),
    (0x0001, 45, 43, false),
    (0x5601, 46, 46, false),
];

/// Number of contexts of the block coder (T.800 Table D.7).
pub const CONTEXTS: usize = 19;
/// Run-length context.
pub const RUN_LENGTH: usize = 17;
/// Uniform context.
pub const UNIFORM: usize = 18;

/// One MQ encoder for one code-block.
pub struct MqEncoder {
    a: u32,
    c: u32,
    ct: u32,
    /// Output bytes; the first one stands for the byte before the buffer (BPST - 1 in C.2.8)
    /// and is dropped at the end. A carry never reaches it: at the first BYTEOUT the code
    /// register is still below 0x8000000 (the interval starts inside [0, 0x8000) << 12).
    out: Vec<u8>,
    /// Per context: index into [`QE`] and the MPS sense.
    states: [(u8, u8); CONTEXTS],
}

impl MqEncoder {
    /// INITENC (T.800 C.2.8) with the initial context states of T.800 Table D.7.
    pub fn new() -> MqEncoder {
        let mut states = [(0u8, 0u8); CONTEXTS];
        states[0] = (4, 0);
        states[RUN_LENGTH] = (3, 0);
        states[UNIFORM] = (46, 0);
        MqEncoder {
            a: 0x8000,
            c: 0,
            ct: 12,
            out: vec![0],
            states,
        }
    }

    /// ENCODE (T.800 C.2.2): code `bit` (0 or 1) in context `cx`.
    pub fn encode(&mut self, bit: u8, cx: usize) {
        let (index, mps) = self.states[cx];
        let (qe, next_mps, next_lps, switch) = QE[usize::from(index)];
        self.a -= qe;
        if bit == mps {
            // CODEMPS (C.2.4).
            if self.a & 0x8000 == 0 {
                if self.a < qe {
                    self.a = qe;
                } else {
                    self.c += qe;
                }
                self.states[cx].0 = next_mps;
                self.renormalize();
            } else {
                self.c += qe;
            }
        } else {
            // CODELPS (C.2.3).
            if self.a < qe {
                self.c += qe;
            } else {
                self.a = qe;
            }
            if switch {
                self.states[cx].1 = 1 - mps;
            }
            self.states[cx].0 = next_lps;
            self.renormalize();
        }
    }

    /// RENORME (C.2.5).
    fn renormalize(&mut self) {
        loop {
            self.a <<= 1;
            self.c <<= 1;
            self.ct -= 1;
            if self.ct == 0 {
                self.byte_out();
            }
            if self.a & 0x8000 != 0 {
                break;
            }
        }
    }

    /// BYTEOUT (C.2.6), with bit stuffing after 0xFF so that no marker appears in the data.
    fn byte_out(&mut self) {
        let last = self.out.len() - 1;
        if self.out[last] == 0xFF {
            self.push_seven_bits();
        } else if self.c < 0x800_0000 {
            self.push_eight_bits();
        } else {
            // The carry goes into the byte already written.
            self.out[last] += 1;
            if self.out[last] == 0xFF {
                self.c &= 0x7FF_FFFF;
                self.push_seven_bits();
            } else {
                self.push_eight_bits();
            }
        }
    }

    fn push_seven_bits(&mut self) {
        self.out.push(((self.c >> 20) & 0xFF) as u8);
        self.c &= 0xF_FFFF;
        self.ct = 7;
    }

    fn push_eight_bits(&mut self) {
        self.out.push(((self.c >> 19) & 0xFF) as u8);
        self.c &= 0x7_FFFF;
        self.ct = 8;
    }

    /// FLUSH (C.2.9) and the codeword: a final 0xFF is dropped (the decoder reads 0xFF past the
    /// end anyway).
    pub fn finish(mut self) -> Vec<u8> {
        // SETBITS: as many 1 bits as the interval allows, so the decoder's padding agrees.
        let upper = self.c + self.a;
        self.c |= 0xFFFF;
        if self.c >= upper {
            self.c -= 0x8000;
        }
        self.c <<= self.ct;
        self.byte_out();
        self.c <<= self.ct;
        self.byte_out();
        if self.out.last() == Some(&0xFF) {
            self.out.pop();
        }
        self.out.remove(0);
        self.out
    }
}
