//! How big the next `PATCH` is: sized to the link, so that a chunk takes a few seconds
//! whatever the link does.
//!
//! Why adapt: on a 2G link (20 KiB/s) a 1 MiB chunk takes most of a minute, and a link that
//! drops every few minutes loses that much work each time; on a good link small chunks waste
//! a round trip each (at 300 ms, a 64 KiB chunk would spend more time waiting than sending).
//! Aiming at [`TARGET_CHUNK_TIME`] per chunk keeps a cut's loss to seconds of work and the
//! round trip's share of the time under a tenth.
//!
//! The rule: after a chunk that went through, the next is the measured rate times the target
//! time, growing at most twofold at once (one lucky fast chunk does not jump to the ceiling);
//! after a failure, half the size. Always between the floor and the ceiling. The ceiling is
//! the memory budget: a chunk is held whole while it is sent and checksummed, and a station
//! uploading must stay within 2 MB of its idle memory (`make bench`, `upload`).
//!
//! Deliberately absent: any clock. The caller measures each chunk and passes the duration, so
//! that the arithmetic is tested exactly.

use std::time::Duration;

/// What a chunk should take on the wire.
pub const TARGET_CHUNK_TIME: Duration = Duration::from_secs(4);

/// Chunks are adapted between these bounds unless a fixed size is asked for.
pub const MIN_CHUNK: usize = 32 * 1024;
/// The first chunk of an upload: a guess that costs little on a bad link.
pub const FIRST_CHUNK: usize = 256 * 1024;
/// See the module's notes: the memory budget of an upload.
pub const MAX_CHUNK: usize = 1024 * 1024;

/// The chunk size of one upload, learning from each chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkSizer {
    current: usize,
    min: usize,
    max: usize,
}

impl ChunkSizer {
    /// Adapting between [`MIN_CHUNK`] and [`MAX_CHUNK`], from [`FIRST_CHUNK`].
    pub(crate) fn adaptive() -> ChunkSizer {
        ChunkSizer {
            current: FIRST_CHUNK,
            min: MIN_CHUNK,
            max: MAX_CHUNK,
        }
    }

    /// Always `bytes` (at least one).
    pub(crate) fn fixed(bytes: usize) -> ChunkSizer {
        let bytes = bytes.max(1);
        ChunkSizer {
            current: bytes,
            min: bytes,
            max: bytes,
        }
    }

    pub(crate) fn next(&self) -> usize {
        self.current
    }

    /// A chunk of `bytes` went through in `took` (from the request's start to its answer).
    pub(crate) fn went_through(&mut self, bytes: usize, took: Duration) {
        let seconds = took.as_secs_f64().max(0.001);
        let rate = bytes as f64 / seconds;
        let wanted = (rate * TARGET_CHUNK_TIME.as_secs_f64()) as usize;
        self.current = wanted.min(self.current.saturating_mul(2)).clamp(self.min, self.max);
    }

    /// A chunk failed (cut, refused, damaged): try smaller.
    pub(crate) fn failed(&mut self) {
        self.current = (self.current / 2).clamp(self.min, self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: usize = 1024;

    #[test]
    fn a_slow_link_gets_chunks_of_a_few_seconds() {
        let mut sizer = ChunkSizer::adaptive();
        // 2G: 20 KiB/s. The first 256 KiB chunk took 12.8 s.
        sizer.went_through(256 * KIB, Duration::from_secs_f64(12.8));
        assert_eq!(sizer.next(), 80 * KIB, "four seconds at 20 KiB/s");
        sizer.went_through(80 * KIB, Duration::from_secs(8));
        assert_eq!(sizer.next(), 40 * KIB);
        sizer.went_through(40 * KIB, Duration::from_secs(40));
        assert_eq!(sizer.next(), MIN_CHUNK, "never below the floor");
    }

    #[test]
    fn a_fast_link_grows_twofold_at_most_up_to_the_memory_budget() {
        let mut sizer = ChunkSizer::adaptive();
        sizer.went_through(FIRST_CHUNK, Duration::from_millis(10));
        assert_eq!(sizer.next(), 2 * FIRST_CHUNK);
        sizer.went_through(2 * FIRST_CHUNK, Duration::from_millis(10));
        assert_eq!(sizer.next(), MAX_CHUNK);
        sizer.went_through(MAX_CHUNK, Duration::from_millis(10));
        assert_eq!(sizer.next(), MAX_CHUNK, "the ceiling holds");
    }

    #[test]
    fn a_failure_halves_the_next_chunk() {
        let mut sizer = ChunkSizer::adaptive();
        sizer.failed();
        assert_eq!(sizer.next(), FIRST_CHUNK / 2);
        for _ in 0..10 {
            sizer.failed();
        }
        assert_eq!(sizer.next(), MIN_CHUNK);
    }

    #[test]
    fn a_fixed_size_stays_fixed() {
        let mut sizer = ChunkSizer::fixed(8 * KIB);
        sizer.went_through(8 * KIB, Duration::from_millis(1));
        sizer.failed();
        assert_eq!(sizer.next(), 8 * KIB);
        assert_eq!(ChunkSizer::fixed(0).next(), 1);
    }
}
