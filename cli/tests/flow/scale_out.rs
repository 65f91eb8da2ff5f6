//! Two intake processes, one register: `enroll intake serve --database --objects` twice, sharing
//! only a real PostgreSQL and a real S3-compatible server (moto), both throwaway servers on
//! loopback (`enroll_intake::scale_out::test_services`; `make test` installs them). Many stations
//! upload at once through both: some packets wholly through one process, some through the
//! other, some started on one and resumed on the other after the connection is cut mid-chunk,
//! and one registration through both at once. Every packet is stored exactly once: one row per
//! registration, one object per packet, byte for byte what was sent, and every receipt
//! verifies with the register's key.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use enroll_intake::scale_out::test_services::ScaleOutServices;
use enroll_packet::{RegisterPublicKeys, StationSigningKey};
use enroll_sync::IntakeClient;
use sha2::{Digest as _, Sha256};

use crate::{free_port, wait_until_up, KillOnDrop};

const STATIONS: usize = 10;
const PACKETS_PER_STATION: usize = 3;
/// Bytes of the face record in each packet: several chunks each.
const RECORD_BYTES: usize = 150_000;
const CHUNK: usize = 32 * 1024;

/// One `enroll intake serve` on the shared database and bucket, with its own data folder (the
/// configuration documents) and port.
fn start_intake(services: &ScaleOutServices, data: &Path, key: &Path, port: u16) -> KillOnDrop {
    let child = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args([
            "intake",
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--generate-key",
            "--approve-stations",
            "automatic",
            "--database",
            &services.database_url(),
            "--objects",
            &services.objects_url(),
        ])
        .arg("--data")
        .arg(data)
        .arg("--key")
        .arg(key)
        .envs(services.aws_env())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("enroll intake serve starts");
    KillOnDrop(child)
}

/// A station's client of one of the two intakes.
fn client(base: &str, station_id: &str, station: &StationSigningKey, request_seed: [u8; 32]) -> IntakeClient {
    IntakeClient::new(base)
        .unwrap()
        .with_chunk_size(CHUNK)
        .with_retries(3, Duration::from_millis(20))
        .with_station_keys(station_id, station, request_seed)
}

/// How one packet travels.
#[derive(Clone, Copy, Debug)]
enum Route {
    /// Wholly through the first intake, or the second.
    Whole(usize),
    /// Started on one, the connection cut a third of the way in, resumed on the other.
    Switch { from: usize, to: usize },
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_intake_processes_on_one_postgres_and_bucket_store_every_packet_exactly_once() {
    let services = Arc::new(tokio::task::spawn_blocking(ScaleOutServices::start).await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("register.key");
    let ports = [free_port(), free_port()];
    let bases: Vec<String> = ports.iter().map(|port| format!("http://127.0.0.1:{port}")).collect();
    // The first makes the register key and the schema; the second starts on both.
    let _first = start_intake(&services, &dir.path().join("intake-a"), &key, ports[0]);
    let probe = IntakeClient::new(&bases[0]).unwrap();
    wait_until_up(&probe).await;
    let _second = start_intake(&services, &dir.path().join("intake-b"), &key, ports[1]);
    wait_until_up(&IntakeClient::new(&bases[1]).unwrap()).await;
    let pinned = probe.register_keys().await.unwrap();
    assert_eq!(
        IntakeClient::new(&bases[1]).unwrap().register_keys().await.unwrap(),
        pinned,
        "both processes serve the one register key"
    );

    let mut stations = Vec::new();
    for station_index in 0..STATIONS {
        let (bases, pinned) = (bases.clone(), pinned.clone());
        stations.push(tokio::spawn(async move {
            run_station(station_index, &bases, &pinned).await
        }));
    }
    let mut sent: Vec<(String, Vec<u8>)> = Vec::new();
    for station in stations {
        sent.extend(station.await.unwrap());
    }
    assert_eq!(sent.len(), STATIONS * PACKETS_PER_STATION);

    // Exactly once: one row per registration, naming the bytes sent; one object per packet,
    // byte for byte; nothing of an upload left behind.
    let services_for_checks = Arc::clone(&services);
    let (rows, per_registration, uploads_left) = tokio::task::spawn_blocking(move || {
        (
            services_for_checks.query(
                "SELECT registration_id || ' ' || envelope_sha256 FROM enroll_intake.packets ORDER BY registration_id",
            ),
            services_for_checks
                .query("SELECT count(*) FROM enroll_intake.packets GROUP BY registration_id HAVING count(*) <> 1"),
            services_for_checks.query("SELECT count(*) FROM enroll_intake.upload_chunks"),
        )
    })
    .await
    .unwrap();
    let mut expected: Vec<String> = sent
        .iter()
        .map(|(registration_id, envelope)| format!("{registration_id} {}", hex::encode(Sha256::digest(envelope))))
        .collect();
    expected.sort();
    assert_eq!(rows, expected, "one packet row per registration, naming the bytes sent");
    assert!(per_registration.is_empty());
    assert_eq!(uploads_left, vec!["0".to_owned()], "no chunk rows left");

    let names_services = Arc::clone(&services);
    let (packet_objects, upload_objects) = tokio::task::spawn_blocking(move || {
        (
            names_services.object_names("packets/"),
            names_services.object_names("uploads/"),
        )
    })
    .await
    .unwrap();
    let mut expected_objects: Vec<String> = sent
        .iter()
        .map(|(_, envelope)| format!("packets/{}.envelope", hex::encode(Sha256::digest(envelope))))
        .collect();
    expected_objects.sort();
    let mut packet_objects = packet_objects;
    packet_objects.sort();
    assert_eq!(packet_objects, expected_objects, "one object per packet");
    assert!(upload_objects.is_empty(), "chunk objects left: {upload_objects:?}");
    for (registration_id, envelope) in &sent {
        let key = format!("packets/{}.envelope", hex::encode(Sha256::digest(envelope)));
        assert!(
            services.object(&key).await == *envelope,
            "{registration_id}: stored byte for byte"
        );
    }

    // The register's operator commands work on the shared storage too.
    let listed = operator_command(&services, &["stations", "list"]);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed.len(), STATIONS);
    assert!(listed.iter().all(|station| station["status"] == "approved"));
    let status = operator_command(
        &services,
        &[
            "packets",
            "set-status",
            &sent[0].0,
            "rejected",
            "--reason",
            "photo unusable",
        ],
    );
    assert!(status.contains("\"rejected\""), "{status}");
    let revoked = operator_command(&services, &["stations", "revoke", "ST-SCALE-00"]);
    assert!(revoked.contains("\"revoked\""), "{revoked}");
}

/// `enroll intake <args> --database ... --objects ...`; its standard output.
fn operator_command(services: &ScaleOutServices, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .arg("intake")
        .args(args)
        .args([
            "--database",
            &services.database_url(),
            "--objects",
            &services.objects_url(),
        ])
        .envs(services.aws_env())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "enroll intake {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// One station: registers through one process, sends its packets each by its route, the first
/// one also a second time through the other process at the same moment; returns what it sent.
async fn run_station(station_index: usize, bases: &[String], pinned: &RegisterPublicKeys) -> Vec<(String, Vec<u8>)> {
    let station_id = format!("ST-SCALE-{station_index:02}");
    let station = StationSigningKey::generate();
    let request_seed = StationSigningKey::generate().seed();
    let clients = [
        client(&bases[0], &station_id, &station, request_seed),
        client(&bases[1], &station_id, &station, request_seed),
    ];
    clients[station_index % 2]
        .register_station(&station_id, "Scale-out test station", &station.public_key())
        .await
        .unwrap();

    let mut sent = Vec::new();
    for packet_index in 0..PACKETS_PER_STATION {
        let registration_id = format!("10{station_index:03}-20261201-{packet_index:06}");
        let envelope =
            enroll_packet::testing::sealed_sample_packet(&station, &station_id, &registration_id, pinned, RECORD_BYTES);
        let route = match (station_index + packet_index) % 3 {
            0 => Route::Whole(0),
            1 => Route::Whole(1),
            _ => Route::Switch {
                from: station_index % 2,
                to: 1 - station_index % 2,
            },
        };
        let receipt = if packet_index == 0 {
            // The same registration through both processes at once: one stores it, the other
            // answers with the first receipt.
            let (one, two) = tokio::join!(
                send(
                    &clients,
                    Route::Whole(0),
                    &registration_id,
                    &station_id,
                    &envelope,
                    pinned
                ),
                send(
                    &clients,
                    Route::Whole(1),
                    &registration_id,
                    &station_id,
                    &envelope,
                    pinned
                ),
            );
            assert_eq!(
                one, two,
                "{registration_id}: one packet, one receipt, whichever process answered"
            );
            one
        } else {
            send(&clients, route, &registration_id, &station_id, &envelope, pinned).await
        };
        assert_eq!(receipt.receipt.envelope_sha256, hex::encode(Sha256::digest(&envelope)));
        receipt
            .verify(&pinned.signing_public)
            .expect("the receipt verifies with the register key");
        sent.push((registration_id, envelope));
    }
    sent
}

async fn send(
    clients: &[IntakeClient; 2],
    route: Route,
    registration_id: &str,
    station_id: &str,
    envelope: &[u8],
    pinned: &RegisterPublicKeys,
) -> enroll_packet::SignedReceipt {
    let envelope_bytes = envelope.to_vec();
    match route {
        Route::Whole(through) => {
            let (_, receipt) = clients[through]
                .send_packet(registration_id, station_id, &envelope_bytes, pinned, None, &|_, _| {})
                .await
                .unwrap_or_else(|error| panic!("{registration_id} through intake {through}: {error}"));
            receipt
        }
        Route::Switch { from, to } => {
            let url = clients[from]
                .create_upload(registration_id, station_id, &envelope_bytes)
                .await
                .unwrap();
            // The link drops a third of the way in: the request in flight is abandoned with
            // its connection, as a cut link leaves it.
            let cut = Arc::new(AtomicBool::new(false));
            let cut_at = envelope.len() as u64 / 3;
            let cut_in_progress = Arc::clone(&cut);
            let progress = move |sent: u64, _total: u64| {
                if sent >= cut_at {
                    cut_in_progress.store(true, Ordering::SeqCst);
                }
            };
            let first = clients[from].send_packet(
                registration_id,
                station_id,
                &envelope_bytes,
                pinned,
                Some(&url),
                &progress,
            );
            tokio::select! {
                outcome = first => panic!("{registration_id}: the first process finished before the cut: {outcome:?}"),
                () = wait_for(&cut) => {}
            }
            // The station comes back through the other process (behind one address, the load
            // balancer sends it there) and resumes its kept upload from where it stands.
            let path = url
                .find("/v1/uploads/")
                .map(|start| url[start..].to_owned())
                .expect("an upload URL");
            let resumed_from = Arc::new(std::sync::Mutex::new(None));
            let first_offset = Arc::clone(&resumed_from);
            let (resumed_url, receipt) = clients[to]
                .send_packet(
                    registration_id,
                    station_id,
                    &envelope_bytes,
                    pinned,
                    Some(&path),
                    &move |sent, _| {
                        first_offset.lock().unwrap().get_or_insert(sent);
                    },
                )
                .await
                .unwrap_or_else(|error| panic!("{registration_id} resumed through intake {to}: {error}"));
            assert!(
                resumed_url.ends_with(&path),
                "{registration_id} resumed its kept upload"
            );
            assert!(
                resumed_from.lock().unwrap().is_some_and(|offset| offset > 0),
                "{registration_id}: the other process resumed where the first left off, not from zero"
            );
            receipt
        }
    }
}

async fn wait_for(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[test]
fn a_bad_scale_out_location_is_refused_naming_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    for (database, objects, flag) in [
        ("mysql://intake@127.0.0.1/register", "s3://packets", "--database"),
        ("postgres://intake@127.0.0.1/register", "/srv/packets", "--objects"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
            .args([
                "intake",
                "serve",
                "--generate-key",
                "--database",
                database,
                "--objects",
                objects,
            ])
            .arg("--data")
            .arg(dir.path().join("intake"))
            .arg("--key")
            .arg(dir.path().join("register.key"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(flag), "{flag}: {stderr}");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args([
            "intake",
            "stations",
            "list",
            "--database",
            "postgres://127.0.0.1/register",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "--database needs --objects");
}
