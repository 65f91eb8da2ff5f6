//! Our station's client (`enroll_sync::IntakeClient`, the tus part of the exchange) uploading a
//! sealed packet to @tus/server with @tus/file-store, the tus project's Node server
//! (`interop/tus/tus-server.mjs`): the upload created first and its URL kept (what the station
//! persists), the client stopped mid-upload, then resumed by a new client from that URL over a
//! link that cuts its connections. The file the server stored must be the packet, byte for
//! byte, at the right length, in one upload.
//!
//! What this does not cover: the receipt and the signed requests, which are ours alone (the
//! Node server passes the signature fields by), and the checksum extension, which @tus/server
//! does not offer: it passes `Upload-Checksum` by, and the client does not depend on it.

use std::sync::Mutex;

use enroll_link_proxy::{FaultPlan, LinkProfile, LinkProxy};
use tokio::sync::watch;

use super::*;

/// Each `PATCH` of our client carries this much here (a fixed size, so that the stop and the
/// cuts land mid-upload; a station sizes chunks to its link).
const CHUNK: usize = 32 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_uploads_to_tus_node_server_resumes_after_a_stop_and_cuts_and_the_file_is_the_packet() {
    let tools = tools();
    // The packet is a real one, though @tus/server cannot open it: it stores bytes.
    let register_keys = RegisterKeyPair::generate();
    let station = StationSigningKey::generate();
    let request_seed: [u8; 32] = rand::random();
    let envelope = enroll_packet::testing::sealed_sample_packet(
        &station,
        STATION_ID,
        REGISTRATION_ID,
        &register_keys.public_keys(),
        300_000,
    );
    let total = envelope.len() as u64;
    let sha256 = hex::encode(Sha256::digest(&envelope));

    let store = tempfile::tempdir().unwrap();
    let store_dir = store.path().display().to_string();
    let mut server = tools.start(
        "tus-server.mjs",
        &["--directory", &store_dir, "--path", "/v1/uploads"],
        &[],
    );
    let listening = server.next_event("listening", WAIT).await;
    let port = listening["port"].as_u64().unwrap() as u16;
    let server_addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let link = LinkProxy::start(
        server_addr,
        LinkProfile {
            bytes_per_second: 128 * 1024,
            delay: Duration::ZERO,
        },
    )
    .await
    .unwrap();
    // The station's client as it runs: with its request key (the Node server passes the
    // signature fields by).
    let client = || {
        IntakeClient::new(&link.url())
            .unwrap()
            .with_station_keys(STATION_ID, &station, request_seed)
            .with_chunk_size(CHUNK)
    };

    // The upload is created first and its URL kept, as the station does before the first byte.
    let upload_url = client()
        .create_upload(REGISTRATION_ID, STATION_ID, &envelope)
        .await
        .unwrap();
    assert!(
        upload_url.starts_with(&format!("{}/v1/uploads/", link.url())),
        "{upload_url}"
    );

    // The first client sends from that URL and is stopped a moment after two chunks are in,
    // while the third is on its way (at this rate a chunk takes a quarter of a second): its
    // connection is dropped mid-chunk, as when the station's process ends.
    let (progress_out, mut progress) = watch::channel(0u64);
    let report = |sent: u64, _total: u64| {
        progress_out.send_replace(sent);
    };
    let first = client().with_retries(1, Duration::from_millis(10));
    let stop = async {
        progress.wait_for(|&sent| sent >= 2 * CHUNK as u64).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::select! {
        outcome = first.upload(REGISTRATION_ID, STATION_ID, &envelope, Some(&upload_url), &report) => {
            panic!("the upload finished before it was stopped: {outcome:?}")
        }
        () = stop => {}
    }
    let kept = tus_offset(&server_addr, &upload_url).await;
    assert!(
        kept >= 2 * CHUNK as u64 && kept < total,
        "the server keeps what arrived: {kept} of {total}"
    );

    // A new client resumes the kept URL over a fast link that cuts every connection somewhere
    // in its first 48 KiB of requests: each cut chunk is asked after with HEAD and sent on
    // from the server's offset. Like the station's queue, a try that fails for the link is
    // tried again with the same URL.
    link.set_profile(LinkProfile::default());
    link.set_faults(Some(FaultPlan {
        request_span: 48 * 1024,
        cut: 1.0,
        ..FaultPlan::none(9)
    }));
    let second = client().with_retries(12, Duration::from_millis(10));
    let calls = Mutex::new(Vec::new());
    let record = |sent: u64, total: u64| calls.lock().unwrap().push((sent, total));
    let mut tries = 0;
    let uploaded = loop {
        tries += 1;
        match second
            .upload(REGISTRATION_ID, STATION_ID, &envelope, Some(&upload_url), &record)
            .await
        {
            Ok(url) => break url,
            Err(error) if error.retry_later() && tries < 3 => continue,
            Err(error) => panic!("the resumed upload failed: {error}"),
        }
    };
    assert_eq!(
        uploaded, upload_url,
        "the kept upload was resumed, not a new one created"
    );
    let calls = calls.into_inner().unwrap();
    let (resumed_at, _) = calls[0];
    assert!(
        resumed_at >= kept,
        "resumed from the server's offset {resumed_at}, not 0 ({calls:?})"
    );
    assert_eq!(calls.last(), Some(&(total, total)));
    assert!(link.fault_counts().requests_cut > 0, "the link did cut");

    // What the server holds: one upload, complete, its file the packet byte for byte.
    let finished = server.next_event("finished", WAIT).await;
    let upload_id = upload_url.rsplit('/').next().unwrap();
    assert_eq!(finished["id"], upload_id);
    assert_eq!(finished["size"].as_u64(), Some(total));
    assert_eq!(
        files_in(store.path()),
        [upload_id.to_owned(), format!("{upload_id}.json")],
        "one upload, and no other was created"
    );
    let stored = std::fs::read(store.path().join(upload_id)).unwrap();
    assert_eq!(stored.len() as u64, total);
    assert!(stored == envelope, "the stored file is the packet byte for byte");
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.path().join(format!("{upload_id}.json"))).unwrap()).unwrap();
    assert_eq!(info["size"].as_u64(), Some(total));
    assert_eq!(info["metadata"]["registration_id"], REGISTRATION_ID);
    assert_eq!(info["metadata"]["station_id"], STATION_ID);
    assert_eq!(info["metadata"]["sha256"], sha256.as_str());

    // And as tus tells it: HEAD says the offset reached the length, with our metadata.
    let head = reqwest::Client::new()
        .head(on_server(&server_addr, &upload_url))
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(enroll_sync::byte_count(head.headers(), "Upload-Offset"), Some(total));
    assert_eq!(enroll_sync::byte_count(head.headers(), "Upload-Length"), Some(total));
    let metadata = head.headers()["upload-metadata"].to_str().unwrap();
    assert_eq!(enroll_sync::metadata_value(metadata, "sha256"), Some(sha256));
}

/// `upload_url` (through the proxy) on the server itself.
fn on_server(server: &std::net::SocketAddr, upload_url: &str) -> String {
    let path = reqwest::Url::parse(upload_url).unwrap().path().to_owned();
    format!("http://{server}{path}")
}

/// The offset @tus/server answers `HEAD` with, straight from the server.
async fn tus_offset(server: &std::net::SocketAddr, upload_url: &str) -> u64 {
    let head = reqwest::Client::new()
        .head(on_server(server, upload_url))
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    enroll_sync::byte_count(head.headers(), "Upload-Offset").unwrap()
}
