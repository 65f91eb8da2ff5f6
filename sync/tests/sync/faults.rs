//! A thousand packets through a link that cuts connections at random byte offsets (requests
//! mid-body, responses truncated), resets them, stalls them and answers `503` (issue 9): every
//! packet is acknowledged exactly once, stored once and byte for byte at the intake, and none
//! is left behind.
//!
//! The faults come from `enroll-link-proxy` on loopback, in front of a real intake, with a fixed
//! seed (`ENROLL_FAULT_SEED` runs another). The station side is the sync client as the station's
//! queue drives it: each packet's upload is created and its URL kept before any byte is sent,
//! the packet is sent with the kept URL, and a packet whose try failed goes to the back of the
//! queue and is tried again with the same URL. Two differences, on purpose: the station ends a
//! run when the link is lost and waits for it, where this queue goes straight on to the next
//! packet, so that every packet meets the faults; and two packets are on their way at a time
//! (two lanes through one queue), which halves the run on two cores and has the intake serve
//! concurrent uploads through the faults, as it does for many stations.
//!
//! The seed fixes the faults of each connection the proxy accepts, in order; with two lanes,
//! which requests meet them varies a little from run to run, and so do the counts. Every
//! assertion holds for any run.
//!
//! Deliberately absent: timing assertions (speed belongs in the benchmarks), a slow link (rate
//! and delay only stretch the run; the faults are what is tested), and packets the register
//! refuses (their tests are in `main.rs`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use enroll_link_proxy::{FaultCounts, FaultPlan, LinkProfile, LinkProxy};
use enroll_packet::{RegisterPublicKeys, SignedReceipt, StationSigningKey};
use enroll_sync::{IntakeClient, SyncError};
use sha2::{Digest, Sha256};

use super::{no_progress, Fixture, STATION_ID};

const PACKETS: usize = 1000;
/// Small chunks, so that an upload of a few chunks spans several fault points.
const CHUNK: usize = 8 * 1024;
/// Rounds of the whole queue before the test gives up instead of hanging.
const MAX_ROUNDS: usize = 40;
/// The seed of the run, unless `ENROLL_FAULT_SEED` says another.
const SEED: u64 = 9;
/// Fewest faults of each kind for a run to count: a typical run has 60 to 150 of each.
const FEWEST_FAULTS: u64 = 20;

/// The faults of the run. Requests are about a chunk long and answers a few hundred bytes, so
/// the spans put a fault point every few chunks of an upload and every few answers.
fn fault_plan(seed: u64) -> FaultPlan {
    FaultPlan {
        request_span: 64 * 1024,
        response_span: 4 * 1024,
        cut: 0.1,
        reset: 0.05,
        stall: 0.03,
        stall_between: (Duration::from_millis(50), Duration::from_millis(150)),
        unavailable: 0.15,
        ..FaultPlan::none(seed)
    }
}

/// The station's packets, from 2 KB to 64 KB (one chunk to eight, so that faults land before,
/// in and after uploads), sealed on every core: sealing is the slow part of a debug build.
fn seal_packets(station: &StationSigningKey, pinned: &RegisterPublicKeys) -> Vec<Queued> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut sealed: Vec<(usize, Queued)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                scope.spawn(move || {
                    (first..PACKETS)
                        .step_by(threads)
                        .map(|n| {
                            let registration_id = format!("10031-20250302-{n:06}");
                            let face_bytes = 2_000 + n * 7_919 % 62_000;
                            let envelope = enroll_packet::testing::sealed_sample_packet(
                                station,
                                STATION_ID,
                                &registration_id,
                                pinned,
                                face_bytes,
                            );
                            let packet = Queued {
                                registration_id,
                                envelope,
                                upload_url: None,
                            };
                            (n, packet)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("sealing does not panic"))
            .collect()
    });
    sealed.sort_by_key(|(n, _)| *n);
    sealed.into_iter().map(|(_, packet)| packet).collect()
}

/// A packet on the station, as its queue holds it.
struct Queued {
    registration_id: String,
    envelope: Vec<u8>,
    /// Kept from the first try on, as the station records it before sending.
    upload_url: Option<String>,
}

/// A packet the station holds a verified receipt for.
struct Acknowledged {
    envelope: Vec<u8>,
    upload_url: String,
    receipt: SignedReceipt,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_packets_through_a_faulty_link_arrive_once_each_and_intact() {
    let seed = std::env::var("ENROLL_FAULT_SEED")
        .ok()
        .map(|text| text.parse().expect("ENROLL_FAULT_SEED is a number"))
        .unwrap_or(SEED);
    let fixture = Fixture::start().await;
    fixture.onboarded_client().await;
    let pinned = fixture.pinned();
    let proxy = LinkProxy::start_with_faults(fixture.intake.local_addr(), LinkProfile::default(), fault_plan(seed))
        .await
        .unwrap();
    let client = fixture.signing(
        IntakeClient::new(&proxy.url())
            .unwrap()
            .with_chunk_size(CHUNK)
            .with_retries(4, Duration::from_millis(10)),
    );

    let mut queue: VecDeque<Queued> = seal_packets(&fixture.station, &pinned).into();

    let acknowledged: Mutex<BTreeMap<String, Acknowledged>> = Mutex::new(BTreeMap::new());
    let failed_tries: Mutex<BTreeMap<&'static str, u32>> = Mutex::new(BTreeMap::new());
    let mut rounds = 0;
    while !queue.is_empty() {
        rounds += 1;
        assert!(
            rounds <= MAX_ROUNDS,
            "{} packets still queued after {MAX_ROUNDS} rounds (failed tries: {failed_tries:?}; faults: {:?})",
            queue.len(),
            proxy.fault_counts()
        );
        // Each lane takes the next packet of this round; a packet that fails waits for the next.
        let this_round = Mutex::new(std::mem::take(&mut queue));
        let next_round = Mutex::new(VecDeque::new());
        let lane = || async {
            loop {
                let Some(mut packet) = this_round.lock().unwrap().pop_front() else {
                    break;
                };
                match send(&client, &pinned, &mut packet).await {
                    Ok((upload_url, receipt)) => {
                        let acknowledgement = Acknowledged {
                            envelope: packet.envelope,
                            upload_url,
                            receipt,
                        };
                        acknowledged
                            .lock()
                            .unwrap()
                            .insert(packet.registration_id, acknowledgement);
                    }
                    Err(error) => {
                        // Only what a bad link explains; anything else is a finding, not a retry.
                        assert!(error.retry_later(), "{}: {error:?}", packet.registration_id);
                        *failed_tries.lock().unwrap().entry(error.code()).or_default() += 1;
                        next_round.lock().unwrap().push_back(packet);
                    }
                }
            }
        };
        tokio::join!(lane(), lane());
        queue = next_round.into_inner().unwrap();
    }
    let acknowledged = acknowledged.into_inner().unwrap();
    let failed_tries = failed_tries.into_inner().unwrap();

    // One verified receipt per packet, for its very bytes, and the register's own answer for
    // each is that same receipt: it holds each packet once.
    assert_eq!(acknowledged.len(), PACKETS, "none left behind");
    let direct = fixture.client();
    let mut references = BTreeSet::new();
    for (registration_id, packet) in &acknowledged {
        let receipt = &packet.receipt.receipt;
        assert_eq!(&receipt.registration_id, registration_id);
        assert_eq!(receipt.station_id, STATION_ID);
        assert_eq!(receipt.envelope_sha256, hex::encode(Sha256::digest(&packet.envelope)));
        assert!(
            references.insert(receipt.intake_reference.clone()),
            "{registration_id} shares its intake reference with another packet"
        );
        // The upload URL names the proxy; its path, asked of the intake itself, cannot be cut.
        let upload_path = reqwest::Url::parse(&packet.upload_url).unwrap().path().to_owned();
        let intake_view = direct.fetch_receipt(&upload_path).await.unwrap();
        assert_eq!(
            &intake_view, &packet.receipt,
            "{registration_id}: the intake's receipt is the one the station holds"
        );
    }

    // Each packet stored once, byte for byte: one file per packet, named by its hash.
    let packets_dir = fixture._dir.path().join("packets");
    let stored: BTreeSet<String> = std::fs::read_dir(&packets_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = acknowledged
        .values()
        .map(|packet| format!("{}.envelope", hex::encode(Sha256::digest(&packet.envelope))))
        .collect();
    assert_eq!(stored.len(), PACKETS);
    assert_eq!(stored, expected);
    for packet in acknowledged.values() {
        let name = format!("{}.envelope", hex::encode(Sha256::digest(&packet.envelope)));
        let bytes = std::fs::read(packets_dir.join(&name)).unwrap();
        assert!(bytes == packet.envelope, "{name} differs from the packet sent");
    }

    // The faults did happen, each kind many times: the run proved something about each.
    let faults = proxy.fault_counts();
    let orphans = std::fs::read_dir(fixture._dir.path().join("uploads")).unwrap().count();
    eprintln!(
        "seed {seed}: {PACKETS} packets acknowledged in {rounds} rounds; failed tries {failed_tries:?}; \
         faults {faults:?}; {orphans} uploads left unfinished on the intake"
    );
    let FaultCounts {
        requests_cut,
        responses_cut,
        resets,
        stalls,
        unavailable,
    } = faults;
    for (kind, count) in [
        ("requests cut", requests_cut),
        ("responses cut", responses_cut),
        ("resets", resets),
        ("stalls", stalls),
        ("503s", unavailable),
    ] {
        assert!(count >= FEWEST_FAULTS, "only {count} {kind}: {faults:?}");
    }
}

/// One try of one packet, as the station's queue makes it: the upload created and its URL kept
/// before any byte is sent (on the first try), then the packet sent with the kept URL.
async fn send(
    client: &IntakeClient,
    pinned: &RegisterPublicKeys,
    packet: &mut Queued,
) -> Result<(String, SignedReceipt), SyncError> {
    let upload_url = match &packet.upload_url {
        Some(url) => url.clone(),
        None => {
            let url = client
                .create_upload(&packet.registration_id, STATION_ID, &packet.envelope)
                .await?;
            packet.upload_url.insert(url).clone()
        }
    };
    client
        .send_packet(
            &packet.registration_id,
            STATION_ID,
            &packet.envelope,
            pinned,
            Some(&upload_url),
            &no_progress,
        )
        .await
}
