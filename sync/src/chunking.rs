//! How big the next `PATCH` is: sized to the link, so that a chunk takes a few seconds
//! whatever the link does.
//!
//! Why adapt: on a 2G link (20 KiB/s) a 1 MiB chunk takes most of a minute, and a link that
//! drops every few minutes loses that much work each time; on a good link small chunks waste
//! a round trip each (at 300 ms, a 64 KiB chunk would spend more time waiting than sending).
//! Aiming at [`TARGET_CHUNK_TIME`] per chunk keeps a cut's loss to seconds of work and the
//! round trip's share of the time to a few percent (`make bench`, `link`: at 2 Mbit/s and
//! 300 ms, 90% of what the link carries).
//!
//! The rule: after a chunk that went through, the next is the measured rate times the target
//! time, growing at most fourfold at once (one lucky fast chunk does not jump to the ceiling);
//! after a failure, half the size. Always between the floor and the ceiling, and a rest of at
//! most half a chunk more goes with the chunk before it rather than cost a round trip of its
//! own. A chunk is read from the envelope's file while it is sent, never held whole, so the
//! ceiling is about what a cut may cost, not memory. The client keeps what it learned from
//! one upload to the next.
//!
//! Deliberately absent: any clock. The caller measures each chunk and passes the duration, so
//! that the arithmetic is tested exactly.

use std::time::Duration;

/// What a chunk should take on the wire.
pub const TARGET_CHUNK_TIME: Duration = Duration::from_secs(8);

/// Chunks are adapted between these bounds unless a fixed size is asked for.
pub const MIN_CHUNK: u64 = 32 * 1024;
/// The first chunk a client sends: a guess that costs little on a bad link.
pub const FIRST_CHUNK: u64 = 256 * 1024;
/// The largest: eight seconds at 16 MB/s (128 Mbit/s); a faster link pays a round trip per
/// 16 MiB, well under a percent.
pub const MAX_CHUNK: u64 = 16 * 1024 * 1024;

/// The chunk size of one upload, learning from each chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkSizer {
    current: u64,
    min: u64,
    max: u64,
}

impl Default for ChunkSizer {
    fn default() -> ChunkSizer {
        ChunkSizer::adaptive()
    }
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
        let bytes = (bytes as u64).max(1);
        ChunkSizer {
            current: bytes,
            min: bytes,
            max: bytes,
        }
    }

    #[cfg(test)]
    fn next(&self) -> u64 {
        self.current
    }

    /// The next chunk when `remaining` bytes are left to send: the current size, or all of
    /// them when the rest would be at most half a chunk (a round trip for it alone costs more
    /// than the few seconds it adds to this one). A fixed size is kept exactly.
    pub(crate) fn next_for(&self, remaining: u64) -> u64 {
        let merged = self.current.saturating_add(self.current / 2);
        if self.min != self.max && remaining <= merged {
            remaining
        } else {
            self.current.min(remaining)
        }
    }

    /// A chunk of `bytes` went through in `took` (from the request's start to its answer).
    pub(crate) fn went_through(&mut self, bytes: u64, took: Duration) {
        if bytes == 0 {
            // The empty PATCH that asks for a completion's answer again says nothing of the link.
            return;
        }
        let seconds = took.as_secs_f64().max(0.001);
        let rate = bytes as f64 / seconds;
        let wanted = (rate * TARGET_CHUNK_TIME.as_secs_f64()) as u64;
        self.current = wanted.min(self.current.saturating_mul(4)).clamp(self.min, self.max);
    }

    /// A chunk failed (cut, refused, damaged): try smaller.
    pub(crate) fn failed(&mut self) {
        self.current = (self.current / 2).clamp(self.min, self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: u64 = 1024;

    #[test]
    fn a_slow_link_gets_chunks_of_a_few_seconds() {
        let mut sizer = ChunkSizer::adaptive();
        // 2G: 20 KiB/s. The first 256 KiB chunk took 12.8 s.
        sizer.went_through(256 * KIB, Duration::from_secs_f64(12.8));
        assert_eq!(sizer.next(), 160 * KIB, "eight seconds at 20 KiB/s");
        sizer.went_through(160 * KIB, Duration::from_secs(16));
        assert_eq!(sizer.next(), 80 * KIB);
        sizer.went_through(80 * KIB, Duration::from_secs(80));
        assert_eq!(sizer.next(), MIN_CHUNK, "never below the floor");
    }

    #[test]
    fn a_fast_link_grows_fourfold_at_most_up_to_the_ceiling() {
        let mut sizer = ChunkSizer::adaptive();
        sizer.went_through(FIRST_CHUNK, Duration::from_millis(10));
        assert_eq!(sizer.next(), 4 * FIRST_CHUNK);
        for _ in 0..5 {
            sizer.went_through(sizer.next(), Duration::from_millis(10));
        }
        assert_eq!(sizer.next(), MAX_CHUNK, "the ceiling holds");
        sizer.went_through(0, Duration::from_secs(60));
        assert_eq!(sizer.next(), MAX_CHUNK, "an empty PATCH teaches nothing");
    }

    #[test]
    fn a_short_rest_goes_with_the_chunk_before_it() {
        let sizer = ChunkSizer::adaptive();
        assert_eq!(sizer.next_for(10 * FIRST_CHUNK), FIRST_CHUNK);
        assert_eq!(
            sizer.next_for(FIRST_CHUNK + FIRST_CHUNK / 2),
            FIRST_CHUNK + FIRST_CHUNK / 2
        );
        assert_eq!(sizer.next_for(FIRST_CHUNK + FIRST_CHUNK / 2 + 1), FIRST_CHUNK);
        assert_eq!(sizer.next_for(100), 100);
        let fixed = ChunkSizer::fixed(8 * 1024);
        assert_eq!(fixed.next_for(9 * 1024), 8 * KIB, "a fixed size is kept exactly");
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
        let mut sizer = ChunkSizer::fixed(8 * 1024);
        sizer.went_through(8 * KIB, Duration::from_millis(1));
        sizer.failed();
        assert_eq!(sizer.next(), 8 * KIB);
        assert_eq!(ChunkSizer::fixed(0).next(), 1);
    }
}
