//! Big-endian reading and writing for the record readers and writers: a cursor whose every read
//! is bounds-checked (a short record is [`ISO_TRUNCATED`], never a panic) and an output buffer
//! whose length fields are filled in afterwards with a checked size.
//!
//! Deliberately absent: any knowledge of the record layouts.

use super::{bad, ISO_INVALID, ISO_TRUNCATED};
use crate::DeviceError;

/// Big-endian reads that fail with [`ISO_TRUNCATED`] instead of panicking.
pub(crate) struct Cursor<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, at: 0 }
    }

    pub(crate) fn remaining(&self) -> usize {
        // `take` never moves `at` past the end; saturating keeps a start set by hand from
        // ever turning into a panic.
        self.bytes.len().saturating_sub(self.at)
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DeviceError> {
        if n > self.remaining() || self.at > self.bytes.len() {
            return Err(bad(
                ISO_TRUNCATED,
                format!(
                    "the record ends inside {what}: {n} bytes needed at offset {}, {} left",
                    self.at,
                    self.remaining()
                ),
            ));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, DeviceError> {
        Ok(self.take(1, what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &str) -> Result<u16, DeviceError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u24(&mut self, what: &str) -> Result<u32, DeviceError> {
        let b = self.take(3, what)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, DeviceError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u48(&mut self, what: &str) -> Result<u64, DeviceError> {
        let b = self.take(6, what)?;
        Ok(u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]))
    }

    pub(crate) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], DeviceError> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.take(N, what)?);
        Ok(array)
    }

    /// A 4-byte length followed by that many bytes.
    pub(crate) fn length_prefixed_u32(&mut self, what: &str) -> Result<&'a [u8], DeviceError> {
        let length = self.u32(&format!("the length of {what}"))?;
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        self.take(length, what)
    }

    /// A sub-cursor over the next `length` bytes, which must be present and at least `minimum`
    /// long; `what` names the block for the error. The block starts at the current offset.
    pub(crate) fn block(&mut self, length: u64, minimum: usize, what: &str) -> Result<Cursor<'a>, DeviceError> {
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        if length < minimum || length > self.remaining() {
            return Err(bad(
                ISO_INVALID,
                format!(
                    "{what} claims {length} bytes, but it needs at least {minimum} and the record has {} left for it",
                    self.remaining()
                ),
            ));
        }
        let block = Cursor::new(&self.bytes[self.at..self.at + length]);
        self.at += length;
        Ok(block)
    }
}

/// An output buffer with big-endian writes and length fields filled in afterwards.
pub(crate) struct Out {
    pub(crate) bytes: Vec<u8>,
}

/// Where a length field waits to be filled, and how wide it is.
#[derive(Clone, Copy)]
pub(crate) struct LengthField {
    at: usize,
    width: usize,
}

impl Out {
    pub(crate) fn new() -> Out {
        Out { bytes: Vec::new() }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub(crate) fn u16(&mut self, value: u16) {
        self.bytes.extend_from_slice(&value.to_be_bytes());
    }

    pub(crate) fn u24(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_be_bytes()[1..]);
    }

    pub(crate) fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_be_bytes());
    }

    pub(crate) fn slice(&mut self, value: &[u8]) {
        self.bytes.extend_from_slice(value);
    }

    /// Reserve a length field of `width` bytes (4, or 6 for a 2005 finger record).
    pub(crate) fn length_field(&mut self, width: usize) -> LengthField {
        let field = LengthField {
            at: self.bytes.len(),
            width,
        };
        self.bytes.extend(std::iter::repeat_n(0, width));
        field
    }

    /// Fill `field` with the number of bytes from `start` to the end so far. The 2011 and 2005
    /// formats cap lengths at 4 bytes (or 6); a longer one is a clear error.
    pub(crate) fn fill(&mut self, field: LengthField, start: usize, what: &str) -> Result<u32, DeviceError> {
        let length = self.bytes.len() - start;
        let length = u32::try_from(length).map_err(|_| {
            bad(
                ISO_INVALID,
                format!("{what} would be {length} bytes long, more than a record can say"),
            )
        })?;
        let be = u64::from(length).to_be_bytes();
        self.bytes[field.at..field.at + field.width].copy_from_slice(&be[8 - field.width..]);
        Ok(length)
    }

    /// Write a 4-byte length and then `data`, refusing data longer than 4 GiB.
    pub(crate) fn length_prefixed_u32(&mut self, data: &[u8], what: &str) -> Result<(), DeviceError> {
        let length = u32::try_from(data.len())
            .map_err(|_| bad(ISO_INVALID, format!("{what} is {} bytes, more than 4 GiB", data.len())))?;
        self.u32(length);
        self.slice(data);
        Ok(())
    }
}
