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

/// Why the bit reader stopped taking bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The file ends.
    End,
    /// A marker other than a restart marker: the block's data ends there.
    Marker,
    /// A restart marker, already stepped over; bytes after it are read once the bits before
    /// it are used up.
    Restart,
}

/// What one Huffman code gave.
enum Event {
    Symbol(u8),
    Marker,
    Restart,
}

/// Reads the entropy-coded bytes a few at a time into a 64-bit buffer (most significant bit
/// first), dropping the stuffed zero after each 0xFF data byte, and stops in front of a
/// marker.
struct BitReader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// The low `count` bits are unread, oldest first.
    buffer: u64,
    count: u32,
    stop: Option<Stop>,
}

impl BitReader<'_> {
    fn refill(&mut self) {
        while self.count <= 56 && self.stop.is_none() {
            let byte = match self.bytes.get(self.at) {
                None => {
                    self.stop = Some(Stop::End);
                    break;
                }
                Some(&byte) => byte,
            };
            if byte == 0xFF {
                match self.bytes.get(self.at + 1) {
                    None => self.stop = Some(Stop::End),
                    // A stuffed zero: the 0xFF is data.
                    Some(0x00) => {
                        self.push(0xFF);
                        self.at += 2;
                    }
                    Some(&second) if is_restart(second) => {
                        self.at += 2;
                        self.stop = Some(Stop::Restart);
                    }
                    Some(_) => self.stop = Some(Stop::Marker),
                }
            } else {
                self.push(byte);
                self.at += 1;
            }
        }
    }

    fn push(&mut self, byte: u8) {
        self.buffer = self.buffer << 8 | u64::from(byte);
        self.count += 8;
    }

    /// The next `length` unread bits, which must be there.
    fn peek(&self, length: u32) -> u32 {
        debug_assert!(length <= self.count && length <= 16, "callers check what is buffered");
        ((self.buffer >> (self.count - length)) & ((1 << length) - 1)) as u32
    }

    fn stopped_error(&self, what: &str) -> DeviceError {
        match self.stop {
            Some(Stop::End) | None => bad(WSQ_TRUNCATED, format!("the file ends inside {what}")),
            Some(Stop::Marker | Stop::Restart) => bad(WSQ_INVALID, format!("a marker interrupts {what}")),
        }
    }

    /// `count` bits of an escape's value, most significant first.
    fn bits(&mut self, count: u32) -> Result<u32, DeviceError> {
        self.refill();
        if self.count < count {
            return Err(self.stopped_error("the value that follows an escape code"));
        }
        let value = self.peek(count);
        self.count -= count;
        Ok(value)
    }

    fn symbol(&mut self, table: &HuffmanTable) -> Result<Event, DeviceError> {
        self.refill();
        // Shortest codes first. A `while` loop: unlike a range iterator it stays fast in
        // unoptimised builds, where the damaged-file tests decode thousands of files.
        let longest = self.count.min(16);
        let mut length = 0;
        while length < longest {
            length += 1;
            let code = self.peek(length) as i32;
            let index = length as usize;
            if code <= table.max_code[index] {
                self.count -= length;
                // Not below min_code: a code that reaches this length was above every shorter
                // length's codes, and canonical codes of this length start right after those.
                let at = table.first_symbol[index] + (code - table.min_code[index]) as usize;
                return table
                    .symbols
                    .get(at)
                    .copied()
                    .map(Event::Symbol)
                    .ok_or_else(|| bad(WSQ_INVALID, "a Huffman code points past its table"));
            }
        }
        if self.count >= 16 {
            return Err(bad(
                WSQ_INVALID,
                "the image data holds a bit pattern that is no code of the block's Huffman table",
            ));
        }
        // Fewer than 16 bits are left before a stop. Fewer than eight one-bits before a marker
        // are the encoder's filling of the last byte; anything else is a code cut short.
        let rest = self.peek(self.count);
        match self.stop {
            Some(stop @ (Stop::Marker | Stop::Restart)) if is_padding(rest as i32, self.count as usize) => {
                self.count = 0;
                if stop == Stop::Marker {
                    return Ok(Event::Marker);
                }
                self.stop = None;
                Ok(Event::Restart)
            }
            _ => Err(self.stopped_error("a Huffman code in the image data")),
        }
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
        buffer: 0,
        count: 0,
        stop: None,
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

/// Every coefficient is decoded: what is left of the current byte is padding, restart
/// markers may follow, then a marker must come.
fn end_after_last_coefficient(mut reader: BitReader<'_>) -> Result<usize, DeviceError> {
    loop {
        reader.refill();
        let partial = reader.count % 8;
        if reader.count >= 8 || !is_padding(reader.peek(partial) as i32, partial as usize) {
            return Err(bad(WSQ_INVALID, "coded data follows the last coefficient of the image"));
        }
        reader.count = 0;
        match reader.stop {
            Some(Stop::Marker) => return Ok(reader.at),
            Some(Stop::Restart) => reader.stop = None,
            Some(Stop::End) | None => return Err(reader.stopped_error("the coded image data")),
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
