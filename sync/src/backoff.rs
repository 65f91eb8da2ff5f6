//! When to try again: exponential backoff with full jitter, and never before the intake said.
//!
//! Why jitter: a register serves thousands of stations, and after an outage they all come back
//! at once; waits drawn at random from `0..=min(cap, base × 2^attempt)` spread them out
//! instead of having them retry in lockstep (the "full jitter" of AWS's analysis). Why
//! `Retry-After` wins: an intake that is shedding load knows better than any station's guess,
//! so a wait it asks for (RFC 9110 §10.2.3: seconds, or an HTTP date) is a lower bound.
//!
//! Deliberately absent: the clock and the random source. [`RetryPolicy::delay`] takes the
//! jitter as a number, so that the arithmetic is tested exactly; callers draw it.

use std::time::{Duration, SystemTime};

/// Exponential backoff with full jitter, bounded by `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The ceiling of the first retry's wait.
    pub base: Duration,
    /// No wait the policy draws is longer (a `Retry-After` may be).
    pub cap: Duration,
}

/// Longest wait an intake's `Retry-After` is believed for: beyond it, a garbled or hostile
/// header would park the queue for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);

impl RetryPolicy {
    /// The wait before retry number `attempt` (1 for the first retry): `jitter` (in `0.0..=1.0`)
    /// of the exponential ceiling, and at least what the intake asked for.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        let ceiling = self.base.saturating_mul(1u32 << doublings).min(self.cap);
        let drawn = ceiling.mul_f64(jitter.clamp(0.0, 1.0));
        drawn.max(retry_after.unwrap_or_default().min(MAX_RETRY_AFTER))
    }

    /// [`RetryPolicy::delay`] with fresh jitter from the thread's random generator.
    pub fn delay_now(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        self.delay(attempt, retry_after, rand::random::<f64>())
    }
}

/// A `Retry-After` value as a wait from `now`: delta-seconds or an HTTP date (RFC 9110
/// §10.2.3). `None` for anything else; a date in the past is no wait.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Up to u64 seconds; more digits than that is not a wait anyone means.
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        base: Duration::from_millis(500),
        cap: Duration::from_secs(60),
    };

    #[test]
    fn the_ceiling_doubles_per_attempt_up_to_the_cap_and_jitter_takes_a_share_of_it() {
        let full = |attempt| POLICY.delay(attempt, None, 1.0);
        assert_eq!(full(1), Duration::from_millis(500));
        assert_eq!(full(2), Duration::from_secs(1));
        assert_eq!(full(4), Duration::from_secs(4));
        assert_eq!(full(8), Duration::from_secs(60), "capped");
        assert_eq!(full(u32::MAX), Duration::from_secs(60), "no overflow");
        assert_eq!(POLICY.delay(4, None, 0.25), Duration::from_secs(1));
        assert_eq!(POLICY.delay(4, None, 0.0), Duration::ZERO);
        assert_eq!(POLICY.delay(4, None, 7.0), Duration::from_secs(4), "jitter is clamped");
        for attempt in 1..12 {
            let drawn = POLICY.delay_now(attempt, None);
            assert!(drawn <= full(attempt), "attempt {attempt}: {drawn:?}");
        }
    }

    #[test]
    fn retry_after_is_a_lower_bound_within_reason() {
        let asked = Some(Duration::from_secs(30));
        assert_eq!(POLICY.delay(1, asked, 1.0), Duration::from_secs(30));
        assert_eq!(
            POLICY.delay(9, asked, 1.0),
            Duration::from_secs(60),
            "the draw may be longer"
        );
        assert_eq!(
            POLICY.delay(1, Some(Duration::from_secs(30 * 24 * 3600)), 0.0),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates_and_nothing_else() {
        let now = httpdate::parse_http_date("Tue, 01 Dec 2026 10:00:00 GMT").unwrap();
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Tue, 01 Dec 2026 10:01:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_retry_after("Tue, 01 Dec 2026 09:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date gone by is no wait"
        );
        for garbled in [
            "",
            "-5",
            "1.5",
            "soon",
            "99999999999999999999999",
            "Tue, 32 Dec 2026 10:00:00 GMT",
        ] {
            assert_eq!(parse_retry_after(garbled, now), None, "{garbled:?}");
        }
    }
}
