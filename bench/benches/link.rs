//! `make bench`: packets over a field link (issue 9). Through a proxy on loopback shaped to
//! 2 Mbit/s with a 300 ms round trip (`enroll-link-proxy`; this kernel has no netem), a queue of
//! three packets of a full registration's size (create, chunks and receipt of each, one after
//! the other, as the station's sync sends them) must reach at least 90% of what the same proxy
//! carries for a plain TCP stream of the same bytes, measured in the same run. Then the same
//! link cuts connections at random byte offsets: every cut may cost at most one chunk sent
//! again (the chunk it broke), never the upload from the start.
//!
//! Printed: the reference (raw TCP through the shaped proxy), the queue's goodput and their
//! ratio; with cuts, the cuts, the bytes sent beyond the envelope and that per cut against the
//! largest chunk the client sends at this rate.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use enroll_intake::{spawn, IntakeConfig};
use enroll_link_proxy::{FaultPlan, LinkProfile, LinkProxy};
use enroll_packet::{RegisterKeyPair, StationSigningKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// 2 Mbit/s.
const RATE: u64 = 250_000;
/// Each way: a 300 ms round trip.
const DELAY: Duration = Duration::from_millis(150);
/// The face record's bytes in the sample packet: an envelope of about 2.7 MB (ten fingers, two
/// irises and a face in JPEG 2000 come to 2-3 MB), some 11 s on this link.
const RECORD_BYTES: usize = 2_000_000;
/// The queue sent in one go.
const QUEUE: usize = 3;
const GOODPUT_LIMIT: f64 = 0.90;
const STATION_ID: &str = "ST-LINK";

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    match runtime.block_on(measure()) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(error) => {
            eprintln!("the link bench could not run: {error:#}");
            std::process::exit(1);
        }
    }
}

async fn measure() -> anyhow::Result<bool> {
    let dir = tempfile::tempdir()?;
    let register = RegisterKeyPair::generate();
    let intake = spawn(
        IntakeConfig::new(
            dir.path().join("intake"),
            RegisterKeyPair::from_json(&register.to_json())?,
        )
        .approving_stations_automatically(),
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let station = StationSigningKey::generate();
    // Every request signed with the station's request key, as a station's are.
    let request_seed = StationSigningKey::generate().seed();
    let signing = |client: enroll_sync::IntakeClient| client.with_station_keys(STATION_ID, &station, request_seed);
    let direct = signing(enroll_sync::IntakeClient::new(&intake.base_url())?);
    direct
        .register_station(STATION_ID, "Link bench station", &station.public_key())
        .await?;
    let profile = LinkProfile {
        bytes_per_second: RATE,
        delay: DELAY,
    };
    let packet = |n: usize| {
        enroll_packet::testing::sealed_sample_packet(
            &station,
            STATION_ID,
            &format!("10001-20261201-{n:06}"),
            &register.public_keys(),
            RECORD_BYTES,
        )
    };

    // The queue, and the reference: the same number of bytes as one plain TCP stream through
    // the same link.
    let queue: Vec<Vec<u8>> = (1..=QUEUE).map(packet).collect();
    let queue_bytes: usize = queue.iter().map(Vec::len).sum();
    let reference = raw_stream_through(profile, queue_bytes).await?;
    let reference_rate = queue_bytes as f64 / reference.as_secs_f64();

    // The queue over the clean link, one packet after the other through one client.
    let proxy = LinkProxy::start(intake.local_addr(), profile).await?;
    let client = signing(enroll_sync::IntakeClient::new(&proxy.url())?);
    let started = Instant::now();
    for (n, envelope) in queue.iter().enumerate() {
        let registration_id = format!("10001-20261201-{:06}", n + 1);
        client
            .send_packet(
                &registration_id,
                STATION_ID,
                envelope,
                &pinned(&register),
                None,
                &|_, _| {},
            )
            .await?;
    }
    let took = started.elapsed();
    let goodput = queue_bytes as f64 / took.as_secs_f64();
    let ratio = goodput / reference_rate;
    let clean_passed = ratio >= GOODPUT_LIMIT;
    println!(
        "{}  upload goodput over 2 Mbit/s, 300 ms round trip\n      measured {:.0} B/s: {QUEUE} packets, {queue_bytes} bytes in {:.1} s; reference {:.0} B/s (the same bytes as raw TCP through the same link, {:.1} s); ratio {:.3}, limit {GOODPUT_LIMIT}",
        verdict(clean_passed),
        goodput,
        took.as_secs_f64(),
        reference_rate,
        reference.as_secs_f64(),
        ratio,
    );

    // The same link, cutting connections at random offsets of what the station sends.
    let envelope = packet(QUEUE + 1);
    let cutting = LinkProxy::start_with_faults(
        intake.local_addr(),
        profile,
        FaultPlan {
            request_span: envelope.len() as u64 / 2,
            cut: 1.0,
            ..FaultPlan::none(7)
        },
    )
    .await?;
    let client = signing(enroll_sync::IntakeClient::new(&cutting.url())?.with_retries(8, Duration::from_millis(200)));
    let registration_id = format!("10001-20261201-{:06}", QUEUE + 1);
    let registration_id = registration_id.as_str();
    let upload_url = client.create_upload(registration_id, STATION_ID, &envelope).await?;
    let before = cutting.bytes_up();
    let mut tries = 0;
    let started = Instant::now();
    loop {
        tries += 1;
        let sent = client
            .send_packet(
                registration_id,
                STATION_ID,
                &envelope,
                &pinned(&register),
                Some(&upload_url),
                &|_, _| {},
            )
            .await;
        match sent {
            Ok(_) => break,
            Err(error) if tries < 20 => eprintln!("      (try {tries} ended: {error}; the station tries again)"),
            Err(error) => anyhow::bail!("the upload over the cutting link never finished: {error}"),
        }
    }
    let took = started.elapsed();
    let cuts = cutting.fault_counts().requests_cut;
    let carried = cutting.bytes_up() - before;
    // Request heads and small requests (HEAD, the receipt) ride along: a generous allowance.
    let overhead = 4 * 1024 * (cuts + 16);
    let resent = carried.saturating_sub(envelope.len() as u64 + overhead);
    let per_cut = resent.checked_div(cuts).unwrap_or(0);
    // The largest chunk at this rate: its target time's worth, with a rest of half that merged.
    let largest_chunk = (RATE as f64 * enroll_sync::TARGET_CHUNK_TIME.as_secs_f64() * 1.5) as u64;
    let cuts_passed = cuts > 0 && per_cut <= largest_chunk;
    println!(
        "{}  after a cut, at most one chunk is sent again\n      {cuts} cuts over {:.1} s; {carried} bytes carried for a {}-byte envelope; {resent} sent again beyond requests' heads, {per_cut} per cut; limit one chunk (at most {largest_chunk} bytes at this rate)",
        verdict(cuts_passed),
        took.as_secs_f64(),
        envelope.len(),
    );
    intake.shutdown().await;
    Ok(clean_passed && cuts_passed)
}

fn pinned(register: &RegisterKeyPair) -> enroll_packet::RegisterPublicKeys {
    register.public_keys()
}

fn verdict(passed: bool) -> &'static str {
    if passed {
        "PASS"
    } else {
        "FAIL"
    }
}

/// How long `bytes` take as one TCP stream through a proxy with `profile` to a sink that
/// answers one byte when it has them all (so the time includes the last byte's trip and one
/// answer, as an upload's does).
async fn raw_stream_through(profile: LinkProfile, bytes: usize) -> anyhow::Result<Duration> {
    let sink = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sink_addr: SocketAddr = sink.local_addr()?;
    let receiving = tokio::spawn(async move {
        let (mut socket, _) = sink.accept().await?;
        let mut received = 0;
        let mut buffer = vec![0u8; 64 * 1024];
        while received < bytes {
            let read = socket.read(&mut buffer).await?;
            anyhow::ensure!(read > 0, "the stream ended after {received} bytes");
            received += read;
        }
        socket.write_all(b"k").await?;
        Ok::<_, anyhow::Error>(())
    });
    let proxy = LinkProxy::start(sink_addr, profile).await?;
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(proxy.addr()).await?;
    stream.write_all(&vec![7u8; bytes]).await?;
    let mut answer = [0u8; 1];
    stream.read_exact(&mut answer).await?;
    let took = started.elapsed();
    receiving.await??;
    Ok(took)
}
