//! The intake killed with SIGKILL in the middle of uploads and started again on the same data
//! folder: every upload resumes from what the intake had made durable, every packet is
//! acknowledged with a receipt that verifies, and each is stored once, byte for byte (issue 9).
//!
//! The intake is the real `enroll intake serve` in a process of its own; the station side is
//! the sync client as the station drives it: the upload URL is created (and kept) first, then
//! the bytes are sent, and a failed send is tried again later with the kept URL.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use enroll_packet::StationSigningKey;
use enroll_sync::IntakeClient;
use sha2::{Digest as _, Sha256};

use crate::{free_port, wait_until_up, KillOnDrop};

const STATION_ID: &str = "ST-CRASH";
const PACKETS: usize = 4;
/// Bytes of the face record in each packet: many small chunks, so the kill lands mid-upload.
const RECORD_BYTES: usize = 600_000;
const CHUNK: usize = 8 * 1024;

fn start_intake(data: &Path, key: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args([
            "intake",
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--generate-key",
            "--approve-stations",
            "automatic",
        ])
        .arg("--data")
        .arg(data)
        .arg("--key")
        .arg(key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("enroll intake serve starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intake_killed_mid_upload_and_restarted_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (data, key) = (dir.path().join("intake"), dir.path().join("register.key"));
    let port = free_port();
    let intake = Arc::new(Mutex::new(KillOnDrop(start_intake(&data, &key, port))));
    let base = format!("http://127.0.0.1:{port}");
    let station = StationSigningKey::generate();
    let client = IntakeClient::new(&base)
        .unwrap()
        .with_chunk_size(CHUNK)
        .with_retries(2, Duration::from_millis(10))
        .with_station_keys(STATION_ID, &station, StationSigningKey::generate().seed());
    wait_until_up(&client).await;
    let pinned = client.register_keys().await.unwrap();
    client
        .register_station(STATION_ID, "Crash test station", &station.public_key())
        .await
        .unwrap();

    // The station's queue: each packet's upload created and its URL kept before any byte.
    let mut queue = Vec::new();
    for n in 0..PACKETS {
        let registration_id = format!("10001-20251201-{n:06}");
        let envelope =
            enroll_packet::testing::sealed_sample_packet(&station, STATION_ID, &registration_id, &pinned, RECORD_BYTES);
        let url = client
            .create_upload(&registration_id, STATION_ID, &envelope)
            .await
            .unwrap();
        queue.push((registration_id, envelope, url));
    }

    // The first sync: the intake is killed once the second packet is a third of the way in.
    let killed = Arc::new(Mutex::new(false));
    let mut failed = 0;
    for (index, (registration_id, envelope, url)) in queue.iter().enumerate() {
        let kill_at = envelope.len() as u64 / 3;
        let progress = |sent: u64, _total: u64| {
            let mut killed = killed.lock().unwrap();
            if index == 1 && sent >= kill_at && !*killed {
                intake.lock().unwrap().0.kill().unwrap();
                *killed = true;
            }
        };
        let sent = client
            .send_packet(registration_id, STATION_ID, envelope, &pinned, Some(url), &progress)
            .await;
        if sent.is_err() {
            failed += 1;
        }
    }
    assert!(*killed.lock().unwrap(), "the intake was killed during the first sync");
    assert_eq!(
        failed,
        PACKETS - 1,
        "the packets after the kill failed, and stay queued"
    );
    intake.lock().unwrap().0.wait().unwrap();

    // The intake comes back on the same folder; the next sync resumes every kept upload.
    let restarted = start_intake(&data, &key, port);
    let _stop = KillOnDrop(restarted);
    wait_until_up(&client).await;
    for (index, (registration_id, envelope, url)) in queue.iter().enumerate() {
        let first_offset = Mutex::new(None);
        let progress = |sent: u64, _total: u64| {
            first_offset.lock().unwrap().get_or_insert(sent);
        };
        let (resumed_url, receipt) = client
            .send_packet(registration_id, STATION_ID, envelope, &pinned, Some(url), &progress)
            .await
            .unwrap_or_else(|error| panic!("{registration_id}: {error}"));
        if index == 1 {
            assert!(
                first_offset.lock().unwrap().is_some_and(|offset| offset > 0),
                "the interrupted upload resumed where the killed intake stopped, not from zero"
            );
        }
        assert_eq!(&resumed_url, url, "{registration_id} resumed its kept upload");
        assert_eq!(receipt.receipt.envelope_sha256, hex::encode(Sha256::digest(envelope)));
    }

    // Each packet stored once, byte for byte: one file per packet, named by its hash.
    let mut stored: Vec<String> = std::fs::read_dir(data.join("packets"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    stored.sort();
    let mut expected: Vec<String> = queue
        .iter()
        .map(|(_, envelope, _)| format!("{}.envelope", hex::encode(Sha256::digest(envelope))))
        .collect();
    expected.sort();
    assert_eq!(stored, expected);
    for (_, envelope, _) in &queue {
        let name = format!("{}.envelope", hex::encode(Sha256::digest(envelope)));
        assert_eq!(&std::fs::read(data.join("packets").join(name)).unwrap(), envelope);
    }
}
