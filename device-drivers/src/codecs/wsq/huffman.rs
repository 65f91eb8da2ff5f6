//! The entropy-coded data of a WSQ block: canonical Huffman codes built from a DHT table (as
//! in JPEG, ITU-T T.81 Annex C), a bit reader that removes the stuffed zero after 0xFF and
//! steps over restart markers, and the WSQ symbol alphabet (IAFIS-IC-0110 v3, Part 1, Table
//! B.5) turned into quantized coefficients.
//!
//! Why a module of its own: this is the only bit-level code of the decoder, and the one place
//! where a damaged file could make a decoder run away; every code, escape and zero run is
//! checked against what is left. Deliberately absent: where coefficients go in the image and
//! what they are worth ([`super::quantization`]).

use super::markers::{is_restart, HuffmanTableSpec};
use super::{bad, WSQ_INVALID, WSQ_TRUNCATED};
use crate::DeviceError;

/// Decoding tables for one canonical Huffman code (T.81 F.2.2.3): for each code length, the
/// smallest and largest code and where its symbols start.
#[derive(Debug, Clone)]
pub(super) struct HuffmanTable {
    /// Largest code of each length 1…16 (index 0 unused), or -1 when no code has that length.
    max_code: [i32; 17],
    min_code: [i32; 17],
    first_symbol: [usize; 17],
    symbols: Vec<u8>,
}

impl HuffmanTable {
    pub(super) fn new(spec: &HuffmanTableSpec) -> Result<HuffmanTable, DeviceError> {
        let mut table = HuffmanTable {
            max_code: [-1; 17],
            min_code: [0; 17],
            first_symbol: [0; 17],
            symbols: spec.symbols.clone(),
        };
        let mut code: i32 = 0;
        let mut next_symbol = 0usize;
        for length in 1..=16 {
            let count = i32::from(spec.counts[length - 1]);
            if count > 0 {
                table.min_code[length] = code;
                table.first_symbol[length] = next_symbol;
                code += count;
                table.max_code[length] = code - 1;
                next_symbol += count as usize;
            }
            // More codes of this length than the length can hold: not a prefix code.
            if code > 1 << length {
                return Err(bad(
                    WSQ_INVALID,
                    format!(
                        "Huffman table {} has more codes of length {length} than fit in {length} bits",
                        spec.id
                    ),
                ));
            }
            code <<= 1;
        }
        debug_assert_eq!(
            next_symbol,
            table.symbols.len(),
            "the DHT reader took one symbol per code"
        );
        Ok(table)
    }
}

/// What the bit reader found next.
enum Next {
    Bit(u32),
    /// A marker other than a restart marker follows: the block's data ends here.
    Marker,
    /// A restart marker was stepped over.
    Restart,
}

/// What one Huffman code gave.
enum Event {
    Symbol(u8),
    Marker,
    Restart,
}

struct BitReader<'a> {
    bytes: &'a [u8],
    at: usize,
    current: u8,
    bits_left: u8,
}

impl BitReader<'_> {
    fn next_bit(&mut self) -> Result<Next, DeviceError> {
        if self.bits_left == 0 {
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(bad(WSQ_TRUNCATED, "the file ends inside the coded image data"));
            };
            if byte == 0xFF {
                let Some(&second) = self.bytes.get(self.at + 1) else {
                    return Err(bad(WSQ_TRUNCATED, "the file ends inside the coded image data"));
                };
                if second == 0x00 {
                    // A stuffed zero: the 0xFF is data.
                    self.at += 2;
                } else if is_restart(second) {
                    self.at += 2;
                    return Ok(Next::Restart);
                } else {
                    return Ok(Next::Marker);
                }
            } else {
                self.at += 1;
            }
            self.current = byte;
            self.bits_left = 8;
        }
        self.bits_left -= 1;
        Ok(Next::Bit(u32::from(self.current >> self.bits_left) & 1))
    }

    /// `count` bits of an escape's value, most significant first.
    fn bits(&mut self, count: u32) -> Result<u32, DeviceError> {
        let mut value = 0;
        for _ in 0..count {
            match self.next_bit()? {
                Next::Bit(bit) => value = value << 1 | bit,
                Next::Marker | Next::Restart => {
                    return Err(bad(
                        WSQ_INVALID,
                        "a marker interrupts the value that follows an escape code",
                    ))
                }
            }
        }
        Ok(value)
    }

    fn symbol(&mut self, table: &HuffmanTable) -> Result<Event, DeviceError> {
        let mut code: i32 = 0;
        for length in 1..=16usize {
            let interruption = match self.next_bit()? {
                Next::Bit(bit) => {
                    code = code << 1 | bit as i32;
                    None
                }
                Next::Marker => Some(Event::Marker),
                Next::Restart => Some(Event::Restart),
            };
            if let Some(event) = interruption {
                // Fewer than eight one-bits before a marker are the encoder's filling of the
                // last byte; anything else is a code cut short.
                if is_padding(code, length - 1) {
                    return Ok(event);
                }
                return Err(bad(WSQ_INVALID, "a marker interrupts a Huffman code in the image data"));
            }
            if code <= table.max_code[length] {
                let index = table.first_symbol[length] + (code - table.min_code[length]) as usize;
                return table
                    .symbols
                    .get(index)
                    .copied()
                    .map(Event::Symbol)
                    .ok_or_else(|| bad(WSQ_INVALID, "a Huffman code points past its table"));
            }
        }
        Err(bad(
            WSQ_INVALID,
            "the image data holds a bit pattern that is no code of the block's Huffman table",
        ))
    }
}

/// Fewer than eight one-bits before a marker are the padding of the last byte.
fn is_padding(code: i32, bits_read: usize) -> bool {
    bits_read < 8 && code == (1 << bits_read) - 1
}

/// Decode one block's entropy-coded data, which starts at `data[0]`, appending quantized
/// coefficients to `coefficients` until a marker ends the block or `expected_total`
/// coefficients are there. Returns how many bytes of `data` the block used; the byte there
/// starts a marker.
pub(super) fn decode_block(
    data: &[u8],
    table: &HuffmanTable,
    coefficients: &mut Vec<i32>,
    expected_total: usize,
) -> Result<usize, DeviceError> {
    let mut reader = BitReader {
        bytes: data,
        at: 0,
        current: 0,
        bits_left: 0,
    };
    loop {
        if coefficients.len() == expected_total {
            return end_after_last_coefficient(reader);
        }
        let symbol = match reader.symbol(table)? {
            Event::Symbol(symbol) => symbol,
            Event::Restart => continue,
            Event::Marker => return Ok(reader.at),
        };
        let left = expected_total - coefficients.len();
        let zeros = match symbol {
            1..=100 => usize::from(symbol),
            101 => {
                coefficients.push(reader.bits(8)? as i32);
                continue;
            }
            102 => {
                coefficients.push(-(reader.bits(8)? as i32));
                continue;
            }
            103 => {
                coefficients.push(reader.bits(16)? as i32);
                continue;
            }
            104 => {
                coefficients.push(-(reader.bits(16)? as i32));
                continue;
            }
            105 => reader.bits(8)? as usize,
            106 => reader.bits(16)? as usize,
            107..=254 => {
                coefficients.push(i32::from(symbol) - 180);
                continue;
            }
            0 | 255 => {
                return Err(bad(
                    WSQ_INVALID,
                    format!("the image data holds symbol {symbol}, which WSQ does not define"),
                ))
            }
        };
        if zeros > left {
            return Err(bad(
                WSQ_INVALID,
                format!("a run of {zeros} zeros goes past the end of the image ({left} coefficients left)"),
            ));
        }
        coefficients.resize(coefficients.len() + zeros, 0);
    }
}

/// Every coefficient is decoded: what is left of the byte is padding, restart markers may
/// follow, then a marker must come.
fn end_after_last_coefficient(mut reader: BitReader<'_>) -> Result<usize, DeviceError> {
    if reader.bits_left > 0 {
        let padding = u32::from(reader.current) & ((1 << reader.bits_left) - 1);
        if padding != (1 << reader.bits_left) - 1 {
            return Err(bad(WSQ_INVALID, "coded data follows the last coefficient of the image"));
        }
        reader.bits_left = 0;
    }
    loop {
        match reader.next_bit()? {
            Next::Marker => return Ok(reader.at),
            Next::Restart => continue,
            Next::Bit(_) => return Err(bad(WSQ_INVALID, "coded data follows the last coefficient of the image")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes: symbol 180 (a zero coefficient) = 0, symbol 181 (+1) = 10, symbol 3 (three
    /// zeros) = 110, symbol 101 (8-bit escape) = 1110.
    fn table() -> HuffmanTable {
        let mut counts = [0u8; 16];
        counts[0] = 1;
        counts[1] = 1;
        counts[2] = 1;
        counts[3] = 1;
        HuffmanTable::new(&HuffmanTableSpec {
            id: 0,
            counts,
            symbols: vec![180, 181, 3, 101],
        })
        .unwrap()
    }

    #[test]
    fn symbols_escapes_runs_stuffing_restarts_and_padding() {
        // 0 0 0 0 1110 | 11111111 (the escape's value, stuffed) | 10 110 0 and padding 11 |
        // RST0 | 10 and padding 111111 | EOI.
        let data = [0x0E, 0xFF, 0x00, 0xB3, 0xFF, 0xB0, 0xBF, 0xFF, 0xA1];
        let expected = [0, 0, 0, 0, 255, 1, 0, 0, 0, 0, 1];
        let mut coefficients = Vec::new();
        let used = decode_block(&data, &table(), &mut coefficients, 100).unwrap();
        assert_eq!(coefficients, expected);
        assert_eq!(used, 7, "the block ends where the EOI marker starts");
        // Knowing the count, the decoder stops after the last coefficient and still finds the
        // marker behind the padding.
        let mut coefficients = Vec::new();
        let used = decode_block(&data, &table(), &mut coefficients, expected.len()).unwrap();
        assert_eq!((coefficients.len(), used), (expected.len(), 7));
    }

    #[test]
    fn runs_past_the_image_and_cut_codes_are_refused() {
        let mut coefficients = Vec::new();
        // 110 = three zeros, but only two are left.
        let error = decode_block(&[0b1101_1111, 0xFF, 0xA1], &table(), &mut coefficients, 2).unwrap_err();
        assert_eq!(error.code(), WSQ_INVALID);
        // 1110 then a marker where the escape's value should be.
        let error = decode_block(&[0b1110_1111, 0xFF, 0xA1], &table(), &mut coefficients, 99).unwrap_err();
        assert_eq!(error.code(), WSQ_INVALID);
        // No marker at all: the file ends inside the data.
        let error = decode_block(&[0b1010_1010], &table(), &mut Vec::new(), 99).unwrap_err();
        assert_eq!(error.code(), WSQ_TRUNCATED);
    }

    #[test]
    fn over_full_code_lengths_are_refused() {
        let mut counts = [0u8; 16];
        counts[0] = 3;
        let spec = HuffmanTableSpec {
            id: 1,
            counts,
            symbols: vec![1, 2, 3],
        };
        assert_eq!(HuffmanTable::new(&spec).unwrap_err().code(), WSQ_INVALID);
    }
}
