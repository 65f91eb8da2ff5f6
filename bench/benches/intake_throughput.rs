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
//!
//! Beside it, for information (no limit): the same stations and packets through the intake with
//! its scale-out storage, a throwaway PostgreSQL and moto's S3 server on loopback
//! (`enroll_intake::scale_out::test_services`, installed by `make test`'s setup). moto keeps
//! objects in its Python process's memory, so that figure is the intake's and PostgreSQL's
//! cost more than a real object store's.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use enroll_intake::scale_out::test_services::ScaleOutServices;
use enroll_intake::{spawn, spawn_with_storage, IntakeConfig, RunningIntake};
use enroll_packet::{RegisterKeyPair, RegisterPublicKeys, StationSigningKey};

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
    let stations = Arc::new(stations);
    let pinned = register.public_keys();
    let cpu_before = process_cpu();
    let took = upload_everything(&intake, &stations, &pinned).await?;
    let cpu = process_cpu().saturating_sub(cpu_before);
    intake.shutdown().await;
    let stored_rate = total as f64 / took.as_secs_f64();
    let ratio = stored_rate / raw_rate;
    let passed = ratio >= RATIO_LIMIT;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{}  the intake's embedded store under {STATIONS} stations at once\n      stored {:.1} MB/s: {} packets, {total} bytes, receipts verified, in {:.2} s; raw fsync'd writes of the same files by {STATIONS} writers {:.1} MB/s ({:.2} s); ratio {:.3}, limit {RATIO_LIMIT}\n      CPU: {:.2} s in that time, {:.0}% of {cores} cores (the stations' clients and the intake share them)",
        if passed { "PASS" } else { "FAIL" },
        stored_rate / 1e6,
        sizes.len(),
        took.as_secs_f64(),
        raw_rate / 1e6,
        raw.as_secs_f64(),
        ratio,
        cpu.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / (took.as_secs_f64() * cores as f64),
    );

    // The same through PostgreSQL + object storage, printed beside it.
    let services = tokio::task::spawn_blocking(ScaleOutServices::start).await?;
    let config = services.config();
    let storage = tokio::task::spawn_blocking(move || enroll_intake::scale_out::open_shared(&config)).await??;
    let intake = spawn_with_storage(
        IntakeConfig::new(
            dir.path().join("intake-scale-out"),
            RegisterKeyPair::from_json(&register.to_json())?,
        )
        .approving_stations_automatically(),
        storage,
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let scale_out_took = upload_everything(&intake, &stations, &pinned).await?;
    intake.shutdown().await;
    let scale_out_rate = total as f64 / scale_out_took.as_secs_f64();
    println!(
        "INFO  the intake's scale-out store (PostgreSQL + S3 on loopback: moto) under {STATIONS} stations at once\n      stored {:.1} MB/s: {} packets, {total} bytes, receipts verified, in {:.2} s; {:.2}x the embedded store's rate (no limit)",
        scale_out_rate / 1e6,
        sizes.len(),
        scale_out_took.as_secs_f64(),
        scale_out_rate / stored_rate,
    );
    tokio::task::spawn_blocking(move || drop(services)).await?;
    Ok(passed)
}

/// The CPU time this process has used (user and system), from `/proc/self/stat`: whether the
/// intake waited on the disk or on the processor. Zero where there is no `/proc`.
fn process_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // After the command name (in parentheses, which may hold spaces): field 3 onwards; utime
    // and stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
    let Some((_, after_name)) = stat.rsplit_once(')') else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&index| fields.get(index)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Every station registers and uploads its packets to `intake`, all stations at once; the wall
/// time from the first upload to the last verified receipt.
async fn upload_everything(
    intake: &RunningIntake,
    stations: &Arc<Vec<Station>>,
    pinned: &RegisterPublicKeys,
) -> anyhow::Result<Duration> {
    let mut clients = Vec::with_capacity(STATIONS);
    for station in stations.iter() {
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

    let started = Instant::now();
    let mut uploads = tokio::task::JoinSet::new();
    for (index, client) in clients.into_iter().enumerate() {
        let stations = Arc::clone(stations);
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
    Ok(started.elapsed())
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
