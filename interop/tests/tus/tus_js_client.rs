//! tus-js-client, the tus project's JavaScript client, uploading a sealed packet to our intake
//! from Node (`interop/tus/upload-with-tus-js-client.mjs`): every request signed in its
//! `onBeforeRequest` hook by a signer written from our profile with Node's own Ed25519, the
//! upload killed mid-way and resumed by a second run from the URL tus-js-client stored, and the
//! receipt fetched and verified against the register's key. Then the intake must hold the
//! packet byte for byte, once.

use enroll_link_proxy::{LinkProfile, LinkProxy};
use enroll_packet::SignedReceipt;

use super::*;

/// tus-js-client's `chunkSize` here: each `PATCH` carries this much.
const CHUNK: u64 = 64 * 1024;

/// Arguments of one run of the upload script.
struct Run {
    endpoint: String,
    file: String,
    url_storage: String,
    chunk_size: String,
    seed: String,
}

impl Run {
    fn new(register: &Register, work: &std::path::Path, endpoint: String, envelope: &[u8]) -> Run {
        let file = work.join(format!("{REGISTRATION_ID}.envelope"));
        std::fs::write(&file, envelope).unwrap();
        Run {
            endpoint,
            file: file.display().to_string(),
            url_storage: work.join("tus-url-storage.json").display().to_string(),
            chunk_size: CHUNK.to_string(),
            seed: hex::encode(register.request_seed),
        }
    }

    fn start(&self, tools: &TusTools, extra: &[&str]) -> enroll_interop::NodeScript {
        let mut args = vec![
            "--endpoint",
            &self.endpoint,
            "--file",
            &self.file,
            "--registration-id",
            REGISTRATION_ID,
            "--station-id",
            STATION_ID,
            "--url-storage",
            &self.url_storage,
            "--chunk-size",
            &self.chunk_size,
        ];
        args.extend_from_slice(extra);
        tools.start(
            "upload-with-tus-js-client.mjs",
            &args,
            &[("ENROLL_REQUEST_KEY_SEED", &self.seed)],
        )
    }
}

/// The first case: tus-js-client uploads a packet, is killed mid-upload (SIGKILL, as a
/// power cut would), and a second run resumes from the intake's offset instead of starting
/// over; the receipt it fetches verifies, and the intake holds the packet once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tus_js_client_killed_mid_upload_resumes_and_its_packet_is_stored_once_with_a_receipt_that_verifies() {
    let tools = tools();
    let register = Register::start().await;
    let envelope = register.packet(600_000);
    let total = envelope.len() as u64;
    // A slow link, so that the first run is still sending when it is killed.
    let link = LinkProxy::start(
        register.intake.local_addr(),
        LinkProfile {
            bytes_per_second: 256 * 1024,
            delay: Duration::ZERO,
        },
    )
    .await
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let run = Run::new(&register, work.path(), format!("{}/v1/uploads", link.url()), &envelope);

    // The first run: killed a moment after the intake acknowledged two chunks, while the third
    // is on its way (at this rate a chunk takes a quarter of a second).
    let mut first = run.start(&tools, &[]);
    let created = first.next_event("created", WAIT).await;
    let upload_url = created["url"].as_str().unwrap().to_owned();
    let acknowledged = loop {
        let chunk = first.next_event("chunk", WAIT).await;
        let offset = chunk["offset"].as_u64().unwrap();
        if offset >= 2 * CHUNK {
            break offset;
        }
    };
    tokio::time::sleep(Duration::from_millis(120)).await;
    first.kill();
    let kept = register.settled_offset(&upload_url).await;
    assert!(
        acknowledged <= kept && kept < total,
        "the intake keeps what arrived ({kept} bytes, {acknowledged} acknowledged) of {total}"
    );

    // The second run, on a fast link: it finds the upload the first one stored, asks the
    // intake where it stands, and sends only the rest.
    link.set_profile(LinkProfile::default());
    let sent_before = link.bytes_up();
    let mut second = run.start(&tools, &[]);
    let resumed = second.next_event("resumed", WAIT).await;
    assert_eq!(resumed["url"], upload_url.as_str(), "the stored upload URL is resumed");
    assert_eq!(resumed["offset"].as_u64(), Some(kept), "from the intake's offset");
    let receipt = second.next_event("receipt", WAIT).await;
    assert!(second.exit_status(WAIT).await.success(), "{}", second.report());
    for unexpected in ["created", "refused", "retry"] {
        assert!(
            second.seen_named(unexpected).is_empty(),
            "the second run had no {unexpected} event: {}",
            second.report()
        );
    }
    let sent = link.bytes_up() - sent_before;
    assert!(
        sent < total - kept + 16 * 1024,
        "the second run sent {sent} bytes: the {} that were missing and its requests' heads, not the packet again",
        total - kept
    );

    // The receipt is the register's, for this packet.
    let signed: SignedReceipt = serde_json::from_value(receipt["receipt"].clone()).unwrap();
    signed
        .verify(&register.pinned.signing_public)
        .expect("the receipt verifies with the register's signing key");
    assert_eq!(signed.receipt.registration_id, REGISTRATION_ID);
    assert_eq!(signed.receipt.station_id, STATION_ID);
    assert_eq!(signed.receipt.envelope_sha256, hex::encode(Sha256::digest(&envelope)));
    // And it is the very receipt the station's own client is given for that upload.
    let ours = register
        .client()
        .fetch_receipt(&register.on_intake(&upload_url))
        .await
        .unwrap();
    assert_eq!(ours, signed);

    register.assert_stored_once(&envelope);
}

/// tus-js-client asked to send bytes with the creation request (`creation-with-upload`, which
/// our intake does not offer): the intake reads and drops them, creates the upload, answers
/// `Upload-Offset: 0`, and tus-js-client sends them again with `PATCH`. The packet is stored
/// once, with a receipt that verifies. (Before the intake read such a body, its answer could be
/// lost to a reset connection, and tus-js-client created a second upload.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tus_js_client_sending_bytes_with_the_creation_sends_them_again_and_its_packet_is_stored_once() {
    let tools = tools();
    let register = Register::start().await;
    let envelope = register.packet(200_000);
    let work = tempfile::tempdir().unwrap();
    let run = Run::new(
        &register,
        work.path(),
        format!("{}/v1/uploads", register.intake.base_url()),
        &envelope,
    );
    let mut only = run.start(&tools, &["--upload-data-during-creation"]);
    only.next_event("created", WAIT).await;
    let receipt = only.next_event("receipt", WAIT).await;
    assert!(only.exit_status(WAIT).await.success(), "{}", only.report());
    assert_eq!(only.seen_named("created").len(), 1, "{}", only.report());
    // No retry either: the intake read the bytes it dropped, so its answer was not lost to a
    // reset connection (which would have left an orphan upload behind the retried creation).
    assert!(
        only.seen_named("refused").is_empty() && only.seen_named("retry").is_empty(),
        "{}",
        only.report()
    );
    let signed: SignedReceipt = serde_json::from_value(receipt["receipt"].clone()).unwrap();
    signed.verify(&register.pinned.signing_public).unwrap();
    assert_eq!(signed.receipt.envelope_sha256, hex::encode(Sha256::digest(&envelope)));
    register.assert_stored_once(&envelope);
}
