//! `make bench`: the intake under a national register's load (issue 9). Fifty stations upload
//! packets of about 2 MB at once to the intake with its embedded store (SQLite and files, every
//! packet fsync'd before its receipt is signed); the intake must store at least 80% of what the
//! same disk takes as raw fsync'd writes of the same files, from the same number of writers,
//! measured in the same run.
//!
//! Printed: the raw fsync'd write rate (the reference), the intake's stored rate (packets whose
//! receipt verified, over the wall time from the first request to the last receipt) and their
//! ratio. Uploads go over loopback, each station through its own client signing its requests,
//! as stations do; the packets are sealed before the clock starts.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use enroll_intake::{spawn, IntakeConfig};
use enroll_packet::{RegisterKeyPair, StationSigningKey};

/// Stations uploading at once.
const STATIONS: usize = 50;
/// Packets each station sends, one after the other.
const PACKETS_PER_STATION: usize = 2;
/// The face record's bytes in each sample packet: an envelope of about 2 MB.
const RECORD_BYTES: usize = 1_900_000;
const RATIO_LIMIT: f64 = 0.80;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(measure()) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(error) => {
            eprintln!("the intake throughput bench could not run: {error:#}");
            std::process::exit(1);
        }
    }
}

struct Station {
    id: String,
    key: StationSigningKey,
    request_seed: [u8; 32],
    packets: Vec<(String, Vec<u8>)>,
}

async fn measure() -> anyhow::Result<bool> {
    let dir = tempfile::tempdir()?;
    let register = RegisterKeyPair::generate();
    let stations: Vec<Station> = (0..STATIONS)
        .map(|n| {
            let id = format!("ST-{n:04}");
            let key = StationSigningKey::generate();
            let packets = (0..PACKETS_PER_STATION)
                .map(|p| {
                    let registration_id = format!("1{n:04}-20261201-{p:06}");
                    let envelope = enroll_packet::testing::sealed_sample_packet(
                        &key,
                        &id,
                        &registration_id,
                        &register.public_keys(),
                        RECORD_BYTES,
                    );
                    (registration_id, envelope)
                })
                .collect();
            Station {
                id,
                key,
                request_seed: StationSigningKey::generate().seed(),
                packets,
            }
        })
        .collect();
    let sizes: Vec<usize> = stations
        .iter()
        .flat_map(|station| station.packets.iter().map(|(_, envelope)| envelope.len()))
        .collect();
    let total: usize = sizes.iter().sum();

    // The reference: the same files written raw by as many writers, each fsync'd with its folder.
    let raw_dir = dir.path().join("raw");
    std::fs::create_dir_all(&raw_dir)?;
    let raw = raw_fsynced_writes(&raw_dir, &stations).await?;
    let raw_rate = total as f64 / raw.as_secs_f64();

    let intake = spawn(
        IntakeConfig::new(
            dir.path().join("intake"),
            RegisterKeyPair::from_json(&register.to_json())?,
        )
        .approving_stations_automatically(),
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let pinned = register.public_keys();
    let mut clients = Vec::with_capacity(STATIONS);
    for station in &stations {
        let client = enroll_sync::IntakeClient::new(&intake.base_url())?.with_station_keys(
            &station.id,
            &station.key,
            station.request_seed,
        );
        client
            .register_station(&station.id, "Throughput bench station", &station.key.public_key())
            .await?;
        clients.push(client);
    }

    let stations = Arc::new(stations);
    let started = Instant::now();
    let mut uploads = tokio::task::JoinSet::new();
    for (index, client) in clients.into_iter().enumerate() {
        let stations = Arc::clone(&stations);
        let pinned = pinned.clone();
        uploads.spawn(async move {
            let station = &stations[index];
            for (registration_id, envelope) in &station.packets {
                client
                    .send_packet(registration_id, &station.id, envelope, &pinned, None, &|_, _| {})
                    .await?;
            }
            Ok::<_, enroll_sync::SyncError>(())
        });
    }
    while let Some(done) = uploads.join_next().await {
        done??;
    }
    let took = started.elapsed();
    let stored_rate = total as f64 / took.as_secs_f64();
    let ratio = stored_rate / raw_rate;
    let passed = ratio >= RATIO_LIMIT;
    println!(
        "{}  the intake's embedded store under {STATIONS} stations at once\n      stored {:.1} MB/s: {} packets, {total} bytes, receipts verified, in {:.2} s; raw fsync'd writes of the same files by {STATIONS} writers {:.1} MB/s ({:.2} s); ratio {:.3}, limit {RATIO_LIMIT}",
        if passed { "PASS" } else { "FAIL" },
        stored_rate / 1e6,
        sizes.len(),
        took.as_secs_f64(),
        raw_rate / 1e6,
        raw.as_secs_f64(),
        ratio,
    );
    intake.shutdown().await;
    Ok(passed)
}

/// Writes every station's packets as files into `dir`, one writer per station, each file
/// fsync'd and then its folder (what a durable store must do at the least); the wall time.
async fn raw_fsynced_writes(dir: &Path, stations: &[Station]) -> anyhow::Result<Duration> {
    let jobs: Vec<(std::path::PathBuf, Vec<Vec<u8>>)> = stations
        .iter()
        .map(|station| {
            (
                dir.join(&station.id),
                station.packets.iter().map(|(_, envelope)| envelope.clone()).collect(),
            )
        })
        .collect();
    let started = Instant::now();
    let mut writers = tokio::task::JoinSet::new();
    for (folder, files) in jobs {
        writers.spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&folder)?;
            for (n, bytes) in files.iter().enumerate() {
                use std::io::Write as _;
                let mut file = std::fs::File::create(folder.join(format!("{n}.envelope")))?;
                file.write_all(bytes)?;
                file.sync_all()?;
                std::fs::File::open(&folder)?.sync_all()?;
            }
            Ok(())
        });
    }
    while let Some(done) = writers.join_next().await {
        done??;
    }
    Ok(started.elapsed())
}
