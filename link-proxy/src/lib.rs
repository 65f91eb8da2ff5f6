//! A TCP proxy on loopback shaped like the links field stations have: a rate limit and a
//! one-way delay, changeable while it runs, and on demand the faults of a bad link (cuts at
//! random offsets, resets, stalls, `503`s; see [`FaultPlan`]). Tests and benchmarks put it
//! between a station and the intake (the end-to-end test slows uploads enough to watch their
//! progress; the sync tests put a thousand packets through its faults).
//!
//! Why in the proxy rather than the kernel: this kernel has no netem, and `tc` needs a network
//! namespace and root; a proxy needs neither and runs the same in CI.
//!
//! Each direction of each connection is a reader and a writer joined by a channel (the delay
//! line): the reader paces itself to the rate and stamps each piece with when it may leave;
//! the writer holds it until then. So the delay adds latency without costing throughput, as a
//! long link does. The rate is per direction of each connection (a station sends one upload at
//! a time).
//!
//! Faults strike in the reader, which knows how many bytes have gone through: it hands the
//! bytes before the fault to its writer, then stalls, or severs the connection. A severed
//! connection's writer in the same direction still delivers those bytes (the far side gets the
//! start of the message), the other direction stops at once, and both sockets are closed with
//! FIN (a cut: the readers then drop whatever still arrives until each side hangs up, since a
//! socket closed with unread bytes would send RST) or RST (a reset). Module `faults` draws the
//! faults and counts them.
//!
//! When the upstream does not accept (the intake is down), the client's connection is closed
//! at once, as a link whose far end is gone looks to the client.
//!
//! Deliberately absent: loss and jitter of single packets (TCP turns them into delay, which
//! the profile already gives), and anything that understands HTTP beyond the `503`.

mod faults;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use faults::{FaultCounts, FaultPlan};

use faults::{Fault, FaultCounters, FaultPoints};

/// How the link behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkProfile {
    /// Bytes per second in each direction; 0 for no limit.
    pub bytes_per_second: u64,
    /// Added to every byte's trip, each way.
    pub delay: Duration,
}

/// A running proxy; it stops when dropped.
pub struct LinkProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accepting: JoinHandle<()>,
}

struct Shared {
    upstream: SocketAddr,
    profile: Mutex<LinkProfile>,
    faults: Mutex<Option<FaultPlan>>,
    /// Connections accepted so far: the next one's number, which seeds its faults.
    connections: AtomicU64,
    fault_counts: FaultCounters,
    /// Bytes delivered towards the upstream, and back.
    sent_up: AtomicU64,
    sent_down: AtomicU64,
}

impl LinkProxy {
    /// Listen on a free loopback port and forward each connection to `upstream`.
    pub async fn start(upstream: SocketAddr, profile: LinkProfile) -> std::io::Result<LinkProxy> {
        Self::start_inner(upstream, profile, None).await
    }

    /// [`LinkProxy::start`], with the faults of `plan` from the first connection on.
    pub async fn start_with_faults(
        upstream: SocketAddr,
        profile: LinkProfile,
        plan: FaultPlan,
    ) -> std::io::Result<LinkProxy> {
        Self::start_inner(upstream, profile, Some(plan)).await
    }

    async fn start_inner(
        upstream: SocketAddr,
        profile: LinkProfile,
        plan: Option<FaultPlan>,
    ) -> std::io::Result<LinkProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            profile: Mutex::new(profile),
            faults: Mutex::new(plan),
            connections: AtomicU64::new(0),
            fault_counts: FaultCounters::default(),
            sent_up: AtomicU64::new(0),
            sent_down: AtomicU64::new(0),
        });
        let accepting = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Ok(LinkProxy {
            addr,
            shared,
            accepting,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://` and the proxy's address.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Change the link; pieces already on their way keep the times they were given.
    pub fn set_profile(&self, profile: LinkProfile) {
        *self.shared.profile.lock().unwrap_or_else(|p| p.into_inner()) = profile;
    }

    /// Change the faults (`None`: none). Connections already open keep the plan they started
    /// with, as their draws are seeded by it.
    pub fn set_faults(&self, plan: Option<FaultPlan>) {
        *self.shared.faults.lock().unwrap_or_else(|p| p.into_inner()) = plan;
    }

    /// Faults injected so far, all connections together.
    pub fn fault_counts(&self) -> FaultCounts {
        self.shared.fault_counts.snapshot()
    }

    /// Bytes delivered to the upstream so far, all connections together.
    pub fn bytes_up(&self) -> u64 {
        self.shared.sent_up.load(Ordering::Relaxed)
    }

    /// Bytes delivered back to clients so far.
    pub fn bytes_down(&self) -> u64 {
        self.shared.sent_down.load(Ordering::Relaxed)
    }
}

impl Drop for LinkProxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl Shared {
    fn profile(&self) -> LinkProfile {
        *self.profile.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn faults(&self) -> Option<FaultPlan> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((client, _)) = listener.accept().await {
        // Numbered here, in accepting order, so that the numbers do not depend on scheduling.
        let connection = shared.connections.fetch_add(1, Ordering::Relaxed);
        let plan = shared.faults();
        tokio::spawn(serve(client, Arc::clone(&shared), connection, plan));
    }
}

/// One client connection, forwarded to the upstream until either side ends it or a fault does.
async fn serve(client: TcpStream, shared: Arc<Shared>, connection: u64, plan: Option<FaultPlan>) {
    if plan.as_ref().is_some_and(|plan| plan.refuses(connection)) {
        faults::refuse(client, &shared.fault_counts).await;
        return;
    }
    // The far end is gone: close the client's connection (dropping it) at once.
    let Ok(upstream) = TcpStream::connect(shared.upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (upstream_read, upstream_write) = upstream.into_split();
    // Held here until both directions are done, so that no receiver sees it closed early.
    let (severing, _) = watch::channel(None);
    let points = |toward| plan.as_ref().map(|plan| FaultPoints::new(plan, connection, toward));
    let up = tokio::spawn(direction(
        client_read,
        upstream_write,
        Arc::clone(&shared),
        Toward::Upstream,
        points(Toward::Upstream),
        severing.clone(),
    ));
    let down = tokio::spawn(direction(
        upstream_read,
        client_write,
        shared,
        Toward::Client,
        points(Toward::Client),
        severing.clone(),
    ));
    let _ = tokio::join!(up, down);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toward {
    Upstream,
    Client,
}

/// How a fault ended a connection, and in which direction it struck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Severing {
    reset: bool,
    struck: Toward,
}

/// The largest piece read at once: small enough that pacing is smooth at low rates.
const PIECE: usize = 16 * 1024;

/// One direction: read, pace, stamp, and let the writer deliver each piece at its time; meet
/// this direction's fault points on the way.
async fn direction(
    mut from: OwnedReadHalf,
    to: OwnedWriteHalf,
    shared: Arc<Shared>,
    toward: Toward,
    mut points: Option<FaultPoints>,
    severing: watch::Sender<Option<Severing>>,
) {
    let (line, arrivals) = mpsc::channel::<(Instant, Vec<u8>)>(1024);
    let writer = tokio::spawn(deliver(arrivals, to, Arc::clone(&shared), toward, severing.subscribe()));
    let mut severed = severing.subscribe();
    // When the link would have finished sending what was read so far.
    let mut wire_free_at = Instant::now();
    let mut buffer = vec![0u8; PIECE];
    'reading: loop {
        let profile = shared.profile();
        let limit = match profile.bytes_per_second {
            0 => PIECE,
            rate => (rate as usize / 20).clamp(1, PIECE),
        };
        let read = tokio::select! {
            read = from.read(&mut buffer[..limit]) => match read {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            },
            _ = severed.wait_for(Option::is_some) => break,
        };
        let mut rest = &buffer[..read];
        while !rest.is_empty() {
            let (passing, fault) = match points.as_mut() {
                Some(points) => points.before(rest.len()),
                None => (rest.len(), None),
            };
            if passing > 0 {
                let now = Instant::now();
                let on_wire = match profile.bytes_per_second {
                    0 => Duration::ZERO,
                    rate => Duration::from_secs_f64(passing as f64 / rate as f64),
                };
                wire_free_at = wire_free_at.max(now) + on_wire;
                if line
                    .send((wire_free_at + profile.delay, rest[..passing].to_vec()))
                    .await
                    .is_err()
                {
                    break 'reading;
                }
            }
            rest = &rest[passing..];
            match fault {
                None => {}
                Some(Fault::Stall(stall)) => {
                    shared.fault_counts.count(Fault::Stall(stall), toward);
                    tokio::select! {
                        _ = tokio::time::sleep(stall) => {}
                        _ = severed.wait_for(Option::is_some) => break 'reading,
                    }
                }
                Some(fault @ (Fault::Cut | Fault::Reset)) => {
                    let this = Severing {
                        reset: fault == Fault::Reset,
                        struck: toward,
                    };
                    // The first fault of a connection ends it; one struck at the same moment
                    // in the other direction found it ended and is not counted.
                    let first = severing.send_if_modified(|state| {
                        if state.is_some() {
                            return false;
                        }
                        *state = Some(this);
                        true
                    });
                    if first {
                        shared.fault_counts.count(fault, toward);
                    }
                    break 'reading;
                }
            }
        }
        // Read no faster than the wire sends: the sender feels the link's rate as back-pressure.
        // Only a deadline still ahead is slept on: the timer's millisecond ticks would otherwise
        // add latency to every piece of an unshaped link.
        if wire_free_at > Instant::now() {
            tokio::time::sleep_until(wire_free_at).await;
        }
    }
    drop(line);
    let cut = matches!(*severed.borrow(), Some(Severing { reset: false, .. }));
    if cut {
        // A cut ends with FIN both ways, but a socket closed with bytes still unread sends RST
        // instead: read what the far side still sends, and drop it, until it hangs up.
        let drain = async {
            while let Ok(read) = from.read(&mut buffer).await {
                if read == 0 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(HANG_UP_PATIENCE, drain).await;
    }
    let _ = writer.await;
}

/// How long the side of a cut connection has to hang up after its FIN.
const HANG_UP_PATIENCE: Duration = Duration::from_secs(5);

/// The writer of one direction: each piece at its time, then the end the connection had.
async fn deliver(
    mut arrivals: mpsc::Receiver<(Instant, Vec<u8>)>,
    mut to: OwnedWriteHalf,
    shared: Arc<Shared>,
    toward: Toward,
    mut severed: watch::Receiver<Option<Severing>>,
) {
    // A fault that struck in this direction lets the bytes before it through; one in the other
    // direction stops this one at once.
    let struck_elsewhere = move |state: &Option<Severing>| state.is_some_and(|severing| severing.struck != toward);
    loop {
        let arrival = tokio::select! {
            biased;
            _ = severed.wait_for(struck_elsewhere) => break,
            arrival = arrivals.recv() => arrival,
        };
        let Some((due, piece)) = arrival else {
            break;
        };
        if due > Instant::now() {
            tokio::select! {
                _ = tokio::time::sleep_until(due) => {}
                _ = severed.wait_for(struck_elsewhere) => break,
            }
        }
        if to.write_all(&piece).await.is_err() {
            break;
        }
        let sent = match toward {
            Toward::Upstream => &shared.sent_up,
            Toward::Client => &shared.sent_down,
        };
        sent.fetch_add(piece.len() as u64, Ordering::Relaxed);
    }
    let ending = *severed.borrow();
    match ending {
        Some(Severing { reset: true, .. }) => {
            // RST when the socket closes (once its read half is dropped too), with no FIN
            // before it: what a middlebox or a crashed peer sends.
            let _ = to.as_ref().set_zero_linger();
            to.forget();
        }
        // A cut, or the other side finished: FIN.
        _ => {
            let _ = to.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upstream that echoes everything back.
    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut read, mut write) = socket.split();
                    let _ = tokio::io::copy(&mut read, &mut write).await;
                });
            }
        });
        addr
    }

    /// Bytes that show any loss, duplication or reordering.
    fn pattern(bytes: usize) -> Vec<u8> {
        (0..bytes).map(|i| (i % 251) as u8).collect()
    }

    async fn round_trip(proxy: &LinkProxy, bytes: usize) -> Duration {
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        let payload = pattern(bytes);
        let started = Instant::now();
        let (mut read, mut write) = client.split();
        let sending = async {
            write.write_all(&payload).await.unwrap();
        };
        let mut echoed = vec![0u8; bytes];
        let receiving = read.read_exact(&mut echoed);
        let (_, received) = tokio::join!(sending, receiving);
        received.unwrap();
        assert_eq!(echoed, payload, "every byte arrives, in order");
        started.elapsed()
    }

    #[tokio::test]
    async fn bytes_arrive_whole_and_in_order_at_the_shaped_rate_and_delay() {
        let upstream = echo_server().await;
        let proxy = LinkProxy::start(upstream, LinkProfile::default()).await.unwrap();
        let unshaped = round_trip(&proxy, 200_000).await;

        proxy.set_profile(LinkProfile {
            bytes_per_second: 400_000,
            delay: Duration::from_millis(100),
        });
        let shaped = round_trip(&proxy, 200_000).await;
        // 200 kB at 400 kB/s is half a second each way, overlapped, plus 100 ms each way.
        assert!(shaped >= Duration::from_millis(600), "{shaped:?}");
        assert!(shaped > unshaped * 3, "{shaped:?} against {unshaped:?} unshaped");
        assert_eq!(proxy.bytes_up(), 400_000);
        assert_eq!(proxy.bytes_down(), 400_000);
    }

    #[tokio::test]
    async fn a_client_of_a_proxy_whose_upstream_is_down_sees_its_connection_closed() {
        let unused = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gone = unused.local_addr().unwrap();
        drop(unused);
        let proxy = LinkProxy::start(gone, LinkProfile::default()).await.unwrap();
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(5), client.read(&mut byte)).await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    }

    /// What an upstream that only listens received on one connection, and how it ended.
    struct Heard {
        bytes: Vec<u8>,
        ended: std::io::Result<()>,
    }

    /// An upstream that reads each connection to its end and reports what it heard.
    async fn listening_server() -> (SocketAddr, mpsc::UnboundedReceiver<Heard>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (report, heard) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let report = report.clone();
                tokio::spawn(async move {
                    let mut bytes = Vec::new();
                    let ended = socket.read_to_end(&mut bytes).await.map(|_| ());
                    let _ = report.send(Heard { bytes, ended });
                });
            }
        });
        (addr, heard)
    }

    /// An upstream that sends `bytes` of the pattern on each connection, then waits for the end.
    async fn talking_server(bytes: usize) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let _ = socket.write_all(&pattern(bytes)).await;
                    let _ = socket.read_to_end(&mut Vec::new()).await;
                });
            }
        });
        addr
    }

    async fn heard(reports: &mut mpsc::UnboundedReceiver<Heard>) -> Heard {
        tokio::time::timeout(Duration::from_secs(10), reports.recv())
            .await
            .expect("the upstream saw its connection end")
            .unwrap()
    }

    #[tokio::test]
    async fn a_plan_without_faults_forwards_every_byte_intact() {
        let upstream = echo_server().await;
        // Fault points are met, but nothing is drawn at them.
        let plan = FaultPlan {
            request_span: 1000,
            response_span: 1000,
            ..FaultPlan::none(1)
        };
        let proxy = LinkProxy::start_with_faults(upstream, LinkProfile::default(), plan)
            .await
            .unwrap();
        round_trip(&proxy, 300_000).await;
        assert_eq!(proxy.fault_counts(), FaultCounts::default());
        assert_eq!((proxy.bytes_up(), proxy.bytes_down()), (300_000, 300_000));
    }

    #[tokio::test]
    async fn a_request_cut_delivers_its_start_and_ends_both_sides_with_fin() {
        let (upstream, mut reports) = listening_server().await;
        let plan = FaultPlan {
            request_span: 1000,
            cut: 1.0,
            ..FaultPlan::none(2)
        };
        let proxy = LinkProxy::start_with_faults(upstream, LinkProfile::default(), plan)
            .await
            .unwrap();
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        let payload = pattern(10_000);
        client.write_all(&payload).await.unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.expect("a clean end, not a reset");
        assert!(answer.is_empty());

        let upstream_heard = heard(&mut reports).await;
        upstream_heard.ended.expect("a clean end, not a reset");
        assert!(upstream_heard.bytes.len() < 1000, "{}", upstream_heard.bytes.len());
        assert_eq!(upstream_heard.bytes, payload[..upstream_heard.bytes.len()]);
        assert_eq!(
            proxy.fault_counts(),
            FaultCounts {
                requests_cut: 1,
                ..FaultCounts::default()
            }
        );
    }

    #[tokio::test]
    async fn a_response_cut_is_a_truncated_answer() {
        let upstream = talking_server(10_000).await;
        let plan = FaultPlan {
            response_span: 1000,
            cut: 1.0,
            ..FaultPlan::none(3)
        };
        let proxy = LinkProxy::start_with_faults(upstream, LinkProfile::default(), plan)
            .await
            .unwrap();
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.expect("a clean end, not a reset");
        assert!(answer.len() < 1000, "{}", answer.len());
        assert_eq!(answer, pattern(10_000)[..answer.len()]);
        assert_eq!(proxy.fault_counts().responses_cut, 1);
    }

    #[tokio::test]
    async fn a_reset_reaches_both_sides_as_rst() {
        let (upstream, mut reports) = listening_server().await;
        let plan = FaultPlan {
            request_span: 100,
            reset: 1.0,
            ..FaultPlan::none(4)
        };
        let proxy = LinkProxy::start_with_faults(upstream, LinkProfile::default(), plan)
            .await
            .unwrap();
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        // Small enough to sit in the socket's buffer at once: the write itself cannot meet the RST.
        let payload = pattern(500);
        client.write_all(&payload).await.unwrap();
        let read = client.read(&mut [0u8; 16]).await;
        assert_eq!(
            read.map_err(|error| error.kind()),
            Err(std::io::ErrorKind::ConnectionReset)
        );

        let upstream_heard = heard(&mut reports).await;
        assert_eq!(
            upstream_heard.ended.map_err(|error| error.kind()),
            Err(std::io::ErrorKind::ConnectionReset)
        );
        assert!(upstream_heard.bytes.len() < 100, "{}", upstream_heard.bytes.len());
        assert_eq!(upstream_heard.bytes, payload[..upstream_heard.bytes.len()]);
        assert_eq!(
            proxy.fault_counts(),
            FaultCounts {
                resets: 1,
                ..FaultCounts::default()
            }
        );
    }

    #[tokio::test]
    async fn a_stall_delays_the_bytes_and_loses_none() {
        let upstream = echo_server().await;
        let stall = Duration::from_millis(100);
        let plan = FaultPlan {
            request_span: 1000,
            stall: 1.0,
            stall_between: (stall, stall),
            ..FaultPlan::none(5)
        };
        let proxy = LinkProxy::start_with_faults(upstream, LinkProfile::default(), plan)
            .await
            .unwrap();
        let took = round_trip(&proxy, 3000).await;
        let stalls = proxy.fault_counts().stalls;
        // Points are less than 1000 bytes apart, so 3000 bytes meet at least three.
        assert!(stalls >= 3, "{stalls}");
        assert!(took >= stall * stalls as u32, "{took:?} for {stalls} stalls");
        assert_eq!(
            proxy.fault_counts(),
            FaultCounts {
                stalls,
                ..FaultCounts::default()
            }
        );
    }

    #[tokio::test]
    async fn a_refused_connection_gets_a_503_and_never_reaches_the_upstream() {
        let (upstream, mut reports) = listening_server().await;
        let plan = FaultPlan {
            unavailable: 1.0,
            ..FaultPlan::none(6)
        };
        let proxy = LinkProxy::start_with_faults(upstream, LinkProfile::default(), plan)
            .await
            .unwrap();
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        let body = pattern(50_000);
        let head = format!(
            "PATCH /v1/uploads/x HTTP/1.1\r\nHost: intake\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        client.write_all(head.as_bytes()).await.unwrap();
        client.write_all(&body).await.unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8(answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"), "{answer}");
        assert!(answer.contains("\r\nRetry-After: 0\r\n"), "{answer}");
        assert_eq!(
            proxy.fault_counts(),
            FaultCounts {
                unavailable: 1,
                ..FaultCounts::default()
            }
        );
        drop(proxy);
        assert!(reports.try_recv().is_err(), "the upstream was never called");
    }

    #[tokio::test]
    async fn faults_set_while_running_apply_to_new_connections() {
        let upstream = echo_server().await;
        let proxy = LinkProxy::start(upstream, LinkProfile::default()).await.unwrap();
        round_trip(&proxy, 10_000).await;
        proxy.set_faults(Some(FaultPlan {
            unavailable: 1.0,
            ..FaultPlan::none(7)
        }));
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: intake\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 503 "));
        proxy.set_faults(None);
        round_trip(&proxy, 10_000).await;
        assert_eq!(proxy.fault_counts().unavailable, 1);
    }
}
