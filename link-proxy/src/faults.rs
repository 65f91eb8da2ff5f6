//! Faults of a bad link, injected on purpose and reproducibly: the proxy cuts a connection
//! after a random number of bytes in either direction (a request cut mid-body, a response
//! truncated), resets it (RST instead of FIN), stalls it for a moment, or answers `503` itself
//! instead of forwarding. A [`FaultPlan`] says how often; [`FaultCounts`] says what happened.
//!
//! Spacing: each direction of a connection meets a *fault point* after a random number of bytes
//! (uniform, up to the plan's span for that direction), and there one fault is drawn by the
//! plan's chances. A connection that survives (nothing drawn, or a stall) meets its next point
//! further on. Faults are thus spread over the bytes rather than dealt once per connection: an
//! HTTP client keeps a connection for request after request, and a connection dealt "no fault"
//! would carry everything after it untouched. A point strikes *before* its byte, so a cut or a
//! reset always leaves the message in flight short by at least that byte, never neatly between
//! two messages.
//!
//! Reproducible: every draw comes from a generator seeded by the plan's seed, the connection's
//! number (in the order the proxy accepted them) and the direction, so with the same seed each
//! connection meets the same faults at the same byte offsets in every run. What a client sends
//! over which connection can still vary with timing (concurrent requests, a pool that opens a
//! connection early), so a whole run repeats only as far as the client's traffic does.
//!
//! Deliberately absent: corrupting bytes (on a real link TCP's checksum turns that into a loss,
//! and the intake's per-chunk SHA-256 has tests of its own), reordering or duplicating bytes
//! (TCP hides both), and faults chosen by what the HTTP messages say. The `503` is the one
//! answer the proxy writes; it waits for the end of the request's head and parses nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Toward;

/// What faults to inject and how often. Start from [`FaultPlan::none`] and set the chances
/// wanted; a plan changed with [`crate::LinkProxy::set_faults`] applies to new connections.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// The same seed, the same faults (see the module docs for the limits of that promise).
    pub seed: u64,
    /// Most bytes toward the upstream (requests) between two fault points; 0 for none.
    pub request_span: u64,
    /// Most bytes toward the client (responses) between two fault points; 0 for none. Answers
    /// are far shorter than uploads, so this is usually much smaller than `request_span`.
    pub response_span: u64,
    /// Chance, at a fault point, that the connection is cut: the bytes before the point are
    /// delivered, then both sides see the connection end (FIN).
    pub cut: f64,
    /// Chance, at a fault point, that the connection is reset: the bytes before the point are
    /// delivered, then both sides get a TCP RST.
    pub reset: f64,
    /// Chance, at a fault point, that this direction stops forwarding for a while, then goes on.
    pub stall: f64,
    /// Shortest and longest stall; each is drawn uniformly between them. Keep them well below
    /// the client's request timeout: a stall is a slow link, not a dead one.
    pub stall_between: (Duration, Duration),
    /// Chance that a new connection never reaches the upstream: the proxy reads the request's
    /// head, answers `503 Service Unavailable` (`Retry-After: 0`) and closes.
    pub unavailable: f64,
}

impl FaultPlan {
    /// A plan that injects nothing (every chance zero): a base for `..FaultPlan::none(seed)`.
    pub fn none(seed: u64) -> FaultPlan {
        FaultPlan {
            seed,
            request_span: 0,
            response_span: 0,
            cut: 0.0,
            reset: 0.0,
            stall: 0.0,
            stall_between: (Duration::from_millis(50), Duration::from_millis(500)),
            unavailable: 0.0,
        }
    }

    /// Whether connection number `connection` is answered `503` instead of being forwarded.
    pub(crate) fn refuses(&self, connection: u64) -> bool {
        self.unavailable > 0.0 && generator(self.seed, connection, Stream::Refusal).gen_bool(self.unavailable.min(1.0))
    }
}

/// Faults injected so far, all connections together, counted when they struck (not when they
/// were planned).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Connections cut mid-request: the upstream got only the start of what the client sent.
    pub requests_cut: u64,
    /// Connections cut mid-response: the client got a truncated answer.
    pub responses_cut: u64,
    /// Connections reset (RST to both sides), in either direction.
    pub resets: u64,
    /// Pauses in forwarding, in either direction.
    pub stalls: u64,
    /// Connections answered `503` by the proxy itself.
    pub unavailable: u64,
}

#[derive(Default)]
pub(crate) struct FaultCounters {
    requests_cut: AtomicU64,
    responses_cut: AtomicU64,
    resets: AtomicU64,
    stalls: AtomicU64,
    unavailable: AtomicU64,
}

impl FaultCounters {
    pub(crate) fn snapshot(&self) -> FaultCounts {
        FaultCounts {
            requests_cut: self.requests_cut.load(Ordering::Relaxed),
            responses_cut: self.responses_cut.load(Ordering::Relaxed),
            resets: self.resets.load(Ordering::Relaxed),
            stalls: self.stalls.load(Ordering::Relaxed),
            unavailable: self.unavailable.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count(&self, fault: Fault, toward: Toward) {
        let counter = match (fault, toward) {
            (Fault::Cut, Toward::Upstream) => &self.requests_cut,
            (Fault::Cut, Toward::Client) => &self.responses_cut,
            (Fault::Reset, _) => &self.resets,
            (Fault::Stall(_), _) => &self.stalls,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// What strikes at a fault point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Cut,
    Reset,
    Stall(Duration),
}

/// The fault points of one direction of one connection.
pub(crate) struct FaultPoints {
    plan: FaultPlan,
    random: StdRng,
    span: u64,
    /// Bytes that pass before the next point; `None` when this direction has no points.
    until_next: Option<u64>,
}

impl FaultPoints {
    pub(crate) fn new(plan: &FaultPlan, connection: u64, toward: Toward) -> FaultPoints {
        let (span, stream) = match toward {
            Toward::Upstream => (plan.request_span, Stream::Requests),
            Toward::Client => (plan.response_span, Stream::Responses),
        };
        let mut points = FaultPoints {
            plan: plan.clone(),
            random: generator(plan.seed, connection, stream),
            span,
            until_next: None,
        };
        points.until_next = (span > 0).then(|| points.gap());
        points
    }

    /// Of `pending` bytes about to be forwarded, how many pass before the next fault point, and
    /// what strikes there: `(pending, None)` when no point falls among them. A point where
    /// nothing is drawn returns `(n, None)` with `n < pending`: ask again for the rest.
    pub(crate) fn before(&mut self, pending: usize) -> (usize, Option<Fault>) {
        let Some(until_next) = self.until_next else {
            return (pending, None);
        };
        if until_next >= pending as u64 {
            self.until_next = Some(until_next - pending as u64);
            return (pending, None);
        }
        let fault = self.draw();
        self.until_next = Some(self.gap());
        (until_next as usize, fault)
    }

    /// Bytes before the next point: 0 to `span - 1`, so at most `span` bytes lie between two
    /// points, counting the one a point strikes before.
    fn gap(&mut self) -> u64 {
        self.random.gen_range(0..self.span)
    }

    fn draw(&mut self) -> Option<Fault> {
        let plan = &self.plan;
        let roll: f64 = self.random.gen();
        if roll < plan.cut {
            Some(Fault::Cut)
        } else if roll < plan.cut + plan.reset {
            Some(Fault::Reset)
        } else if roll < plan.cut + plan.reset + plan.stall {
            let (shortest, longest) = plan.stall_between;
            let stall = if longest > shortest {
                self.random.gen_range(shortest..=longest)
            } else {
                shortest
            };
            Some(Fault::Stall(stall))
        } else {
            None
        }
    }
}

/// The independent streams of draws of one connection.
#[derive(Clone, Copy)]
enum Stream {
    Refusal,
    Requests,
    Responses,
}

/// A generator for one stream of one connection: distinct for every (connection, stream) of a
/// seed, and the same in every run.
fn generator(seed: u64, connection: u64, stream: Stream) -> StdRng {
    StdRng::seed_from_u64(
        seed.wrapping_add(connection.wrapping_mul(3))
            .wrapping_add(stream as u64),
    )
}

/// How long the proxy waits for a refused request's head, and then for the client to hang up.
const REFUSAL_PATIENCE: Duration = Duration::from_secs(5);
/// The largest request head read before answering anyway.
const HEAD_LIMIT: usize = 64 * 1024;

/// The whole answer of a refused connection: no body, nothing kept open.
const SERVICE_UNAVAILABLE: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 0\r\nConnection: close\r\n\r\n";

/// Answers `503` on `client` without forwarding anything, as an overloaded intake or a gateway
/// in front of it would, and counts it once written.
pub(crate) async fn refuse(mut client: TcpStream, counters: &FaultCounters) {
    // The answer goes after the request's head: a client that meets an answer before it has
    // written its request may report a broken pipe instead of the status.
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    let read_head = async {
        while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() < HEAD_LIMIT {
            match client.read(&mut buffer).await {
                Ok(0) | Err(_) => return false,
                Ok(read) => head.extend_from_slice(&buffer[..read]),
            }
        }
        true
    };
    if !matches!(tokio::time::timeout(REFUSAL_PATIENCE, read_head).await, Ok(true)) {
        return;
    }
    if client.write_all(SERVICE_UNAVAILABLE).await.is_err() {
        return;
    }
    counters.unavailable.fetch_add(1, Ordering::Relaxed);
    let _ = client.shutdown().await;
    // Read and drop the rest (a request body) until the client hangs up: a socket closed with
    // unread bytes sends RST, which can destroy the answer before the client has read it.
    let drain = async {
        while let Ok(read) = client.read(&mut buffer).await {
            if read == 0 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(REFUSAL_PATIENCE, drain).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decisions(plan: &FaultPlan, connection: u64, toward: Toward) -> Vec<(usize, Option<Fault>)> {
        let mut points = FaultPoints::new(plan, connection, toward);
        (0..200).map(|_| points.before(1000)).collect()
    }

    fn busy_plan(seed: u64) -> FaultPlan {
        FaultPlan {
            request_span: 3000,
            response_span: 300,
            cut: 0.2,
            reset: 0.2,
            stall: 0.2,
            ..FaultPlan::none(seed)
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_faults_and_another_seed_others() {
        let plan = busy_plan(7);
        assert_eq!(
            decisions(&plan, 3, Toward::Upstream),
            decisions(&plan, 3, Toward::Upstream)
        );
        assert_ne!(
            decisions(&plan, 3, Toward::Upstream),
            decisions(&plan, 4, Toward::Upstream),
            "each connection has faults of its own"
        );
        assert_ne!(
            decisions(&plan, 3, Toward::Upstream),
            decisions(&busy_plan(8), 3, Toward::Upstream)
        );
        let refusing = FaultPlan {
            unavailable: 0.5,
            ..FaultPlan::none(7)
        };
        let refused: Vec<bool> = (0..64).map(|connection| refusing.refuses(connection)).collect();
        assert_eq!(
            refused,
            (0..64)
                .map(|connection| refusing.refuses(connection))
                .collect::<Vec<_>>()
        );
        assert!(refused.contains(&true) && refused.contains(&false), "{refused:?}");
    }

    #[test]
    fn points_are_at_most_a_span_apart_and_every_kind_is_drawn() {
        let plan = busy_plan(1);
        let mut points = FaultPoints::new(&plan, 0, Toward::Client);
        let (mut since_point, mut kinds) = (0usize, [0u32; 4]);
        for _ in 0..10_000 {
            let (pass, fault) = points.before(64);
            since_point += pass;
            if pass < 64 || fault.is_some() {
                assert!(since_point < 300, "{since_point} bytes passed without a point");
                since_point = 0;
                let kind = match fault {
                    None => 0,
                    Some(Fault::Cut) => 1,
                    Some(Fault::Reset) => 2,
                    Some(Fault::Stall(stall)) => {
                        assert!((Duration::from_millis(50)..=Duration::from_millis(500)).contains(&stall));
                        3
                    }
                };
                kinds[kind] += 1;
            }
        }
        assert!(kinds.iter().all(|&drawn| drawn > 100), "{kinds:?}");
    }

    #[test]
    fn a_plan_of_no_faults_and_a_zero_span_pass_everything() {
        let mut points = FaultPoints::new(&FaultPlan::none(1), 0, Toward::Upstream);
        assert!((0..1000).all(|_| points.before(16 * 1024) == (16 * 1024, None)));
        let responses_only = busy_plan(1);
        let mut points = FaultPoints::new(
            &FaultPlan {
                request_span: 0,
                ..responses_only
            },
            0,
            Toward::Upstream,
        );
        assert!((0..1000).all(|_| points.before(16 * 1024) == (16 * 1024, None)));
    }
}
