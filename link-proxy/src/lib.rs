//! A TCP proxy on loopback shaped like the links field stations have: a rate limit and a
//! one-way delay, changeable while it runs. Tests and benchmarks put it between a station and
//! the intake (the end-to-end test slows uploads enough to watch their progress).
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
//! When the upstream does not accept (the intake is down), the client's connection is closed
//! at once, as a link whose far end is gone looks to the client.
//!
//! Deliberately absent for now: faults (cuts at random offsets, stalls, resets).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

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
    /// Bytes delivered towards the upstream, and back.
    sent_up: AtomicU64,
    sent_down: AtomicU64,
}

impl LinkProxy {
    /// Listen on a free loopback port and forward each connection to `upstream`.
    pub async fn start(upstream: SocketAddr, profile: LinkProfile) -> std::io::Result<LinkProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            profile: Mutex::new(profile),
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
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((client, _)) = listener.accept().await {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            // The far end is gone: close the client's connection (dropping it) at once.
            let Ok(upstream) = TcpStream::connect(shared.upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = upstream.set_nodelay(true);
            let (client_read, client_write) = client.into_split();
            let (upstream_read, upstream_write) = upstream.into_split();
            let up = tokio::spawn(direction(
                client_read,
                upstream_write,
                Arc::clone(&shared),
                Toward::Upstream,
            ));
            let down = tokio::spawn(direction(upstream_read, client_write, shared, Toward::Client));
            let _ = tokio::join!(up, down);
        });
    }
}

#[derive(Clone, Copy)]
enum Toward {
    Upstream,
    Client,
}

/// The largest piece read at once: small enough that pacing is smooth at low rates.
const PIECE: usize = 16 * 1024;

/// One direction: read, pace, stamp, and let the writer deliver each piece at its time.
async fn direction(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, shared: Arc<Shared>, toward: Toward) {
    let (line, mut arrivals) = mpsc::channel::<(Instant, Vec<u8>)>(1024);
    let counter = Arc::clone(&shared);
    let writer = tokio::spawn(async move {
        while let Some((due, piece)) = arrivals.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&piece).await.is_err() {
                return;
            }
            let sent = match toward {
                Toward::Upstream => &counter.sent_up,
                Toward::Client => &counter.sent_down,
            };
            sent.fetch_add(piece.len() as u64, Ordering::Relaxed);
        }
        let _ = to.shutdown().await;
    });
    // When the link would have finished sending what was read so far.
    let mut wire_free_at = Instant::now();
    let mut buffer = vec![0u8; PIECE];
    loop {
        let profile = shared.profile();
        let limit = match profile.bytes_per_second {
            0 => PIECE,
            rate => (rate as usize / 20).clamp(1, PIECE),
        };
        let read = match from.read(&mut buffer[..limit]).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let now = Instant::now();
        let on_wire = match profile.bytes_per_second {
            0 => Duration::ZERO,
            rate => Duration::from_secs_f64(read as f64 / rate as f64),
        };
        wire_free_at = wire_free_at.max(now) + on_wire;
        if line
            .send((wire_free_at + profile.delay, buffer[..read].to_vec()))
            .await
            .is_err()
        {
            break;
        }
        // Read no faster than the wire sends: the sender feels the link's rate as back-pressure.
        tokio::time::sleep_until(wire_free_at).await;
    }
    drop(line);
    let _ = writer.await;
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

    async fn round_trip(proxy: &LinkProxy, bytes: usize) -> Duration {
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        let payload = vec![7u8; bytes];
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
}
