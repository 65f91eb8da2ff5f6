//! Writes the inputs every fuzz target starts from, in two places:
//!
//! - `fuzz/seeds/<target>/`, committed: a few valid inputs and a few near-valid ones (a byte
//!   flipped, cut short, a field removed, a wrong version...) per target. `cargo test` replays
//!   them with the regressions (`src/regressions.rs`), so every target's code runs in CI, and the
//!   fuzzer starts from them. They are made only from the repository's own files (the committed
//!   envelope vectors, the container vector, the embedded default configuration) and from values
//!   built here, never from `../shared/fixtures`, which must not be committed. Written the same
//!   byte for byte on every run, and files this program no longer makes are deleted, so
//!   regenerating after a format change is this one command and leaves no stale seed behind.
//! - `fuzz/corpus/<target>/`, not committed: MOSIP's sample ID schema, identity and CBEFF file
//!   (with the ISO 19794 records inside it) from `../shared/fixtures` (or `ENROLL_FIXTURES`),
//!   when they are there. libFuzzer also grows this folder.
//!
//! Run by `fuzz/run.sh` before fuzzing; by hand with
//! `cargo run --manifest-path fuzz/Cargo.toml --bin write_seeds`.
//!
//! The device targets' seeds are written by the modules beside this file, one per family:
//! `iso_seeds` (19794 records of both editions), `codec_seeds` (WSQ and JPEG 2000), `sbi_seeds`
//! (SBI answers and JWS values, signed by the committed fuzz CA in `fuzz/sbi-test-ca/`) and
//! `usb_seeds` (umockdev and pcapng recordings). `intake_seeds` writes those of the intake's
//! inputs and of the station's reading of intake answers, `exchange_seeds` those of the
//! manifests read off removable media.

mod codec_seeds;
mod config_seeds;
mod exchange_seeds;
mod intake_seeds;
mod iso_seeds;
mod sbi_seeds;
mod usb_seeds;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use enroll_devices::iso19794::{write_face_record, CaptureDateTime, CaptureDevice, FaceRecordInput, QualityBlock};
use enroll_fuzz::packet_targets::{fuzz_register, fuzz_station};
use enroll_packet::contents::{biometrics_to_cbeff, BiometricRecord};
use enroll_packet::envelope::{open_envelope, seal_for_register_with_ephemeral_ikm_for_test_vectors};
use enroll_packet::reviewed::{review_pending, seal_pending_with_ephemeral_ikm_for_test_vectors, PacketReview};
use enroll_packet::{EnvelopeHeader, PacketContents, Receipt, SignedReceipt, StationSigningKey, SupervisorDecision};
use serde_json::{json, Value};

/// Every fuzz target; each must get at least one seed.
const TARGETS: [&str; 26] = [
    "envelope_header",
    "envelope_open",
    "envelope_open_resigned",
    "contents",
    "register_keys",
    "receipt",
    "id_schema",
    "ui_spec",
    "form_identity",
    "cbeff",
    "iso19794",
    "sbi_json",
    "sbi_jws",
    "wsq",
    "jpeg2000",
    "usb_recording",
    "tus_headers",
    "station_registration",
    "signed_request",
    "status_query",
    "enrollment_code",
    "retry_after",
    "intake_replies",
    "exchange_manifest",
    "register_config",
    "station_config",
];

/// A 2×2 greyscale PNG (71 bytes), the smallest image a face record can carry: the seeds stay
/// small, and no camera output (which would look like a capture of someone) is committed.
const TINY_PNG: [u8; 71] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x57, 0xdd, 0x52, 0xf8, 0x00, 0x00, 0x00, 0x0e, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x68, 0x70, 0x60, 0x70, 0x68, 0x00, 0x00, 0x04, 0x86, 0x01, 0x81, 0x27, 0x27,
    0xf6, 0xcb, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The HPKE ephemeral input of the seed envelopes. Fixed so that a rerun writes the same bytes
/// (fresh randomness would rewrite every envelope seed each time); reusing it is harmless here,
/// since the fuzz register's keys protect nothing.
const SEED_IKM_E: [u8; 32] = [0x55; 32];

/// Chunk size of the seed envelopes: the smallest allowed, so that a 6 KiB container gives
/// several chunks to corrupt, swap and cut.
const SEED_CHUNK_SIZE: u32 = 1024;

type Result<T> = std::result::Result<T, String>;

/// The seeds of every target by name; a `BTreeMap` so that names are unique and the order fixed.
#[derive(Default)]
struct Seeds(BTreeMap<(&'static str, String), Vec<u8>>);

impl Seeds {
    fn add(&mut self, target: &'static str, name: &str, bytes: impl Into<Vec<u8>>) {
        assert!(TARGETS.contains(&target), "unknown target {target}");
        let previous = self.0.insert((target, name.to_string()), bytes.into());
        assert!(previous.is_none(), "two seeds named {target}/{name}");
    }
}

fn main() -> Result<()> {
    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = fuzz_dir.join("..");

    let mut seeds = Seeds::default();
    let container = container_vector(&repo)?;
    let face_record = face_record()?;
    envelope_seeds(&mut seeds, &repo, &container)?;
    contents_seeds(&mut seeds, &container, &face_record)?;
    biometric_seeds(&mut seeds, &container, &face_record)?;
    key_and_receipt_seeds(&mut seeds)?;
    configuration_seeds(&mut seeds)?;
    iso_seeds::iso19794_seeds(&mut seeds)?;
    codec_seeds::wsq_seeds(&mut seeds)?;
    codec_seeds::jpeg2000_seeds(&mut seeds)?;
    sbi_seeds::sbi_seeds(&mut seeds, &fuzz_dir, &face_record)?;
    usb_seeds::usb_recording_seeds(&mut seeds)?;
    intake_seeds::tus_headers_seeds(&mut seeds)?;
    intake_seeds::station_registration_seeds(&mut seeds)?;
    intake_seeds::signed_request_seeds(&mut seeds)?;
    intake_seeds::status_query_seeds(&mut seeds)?;
    intake_seeds::enrollment_code_seeds(&mut seeds)?;
    intake_seeds::retry_after_seeds(&mut seeds)?;
    intake_seeds::intake_replies_seeds(&mut seeds)?;
    exchange_seeds::exchange_manifest_seeds(&mut seeds)?;
    config_seeds::register_config_seeds(&mut seeds)?;
    config_seeds::station_config_seeds(&mut seeds)?;
    for target in TARGETS {
        if !seeds.0.keys().any(|(t, _)| *t == target) {
            return Err(format!("no seed for target {target}; every target needs at least one"));
        }
    }
    let (written, removed) = write_committed(&fuzz_dir.join("seeds"), &seeds)?;
    let total: usize = seeds.0.values().map(Vec::len).sum();
    println!(
        "fuzz/seeds: {} seeds ({total} bytes), {written} rewritten, {removed} stale removed",
        seeds.0.len()
    );

    let from_fixtures = write_fixture_corpus(&fuzz_dir.join("corpus"))?;
    println!("fuzz/corpus: {from_fixtures} inputs from the shared fixtures");
    Ok(())
}

/// The container of `packet/tests/envelope/vector-v1.json`: a real `PacketContents` in bytes,
/// with made-up test values only.
struct Container {
    bytes: Vec<u8>,
    contents: PacketContents,
    station_id: String,
    registration_id: String,
}

fn container_vector(repo: &Path) -> Result<Container> {
    let vector = read_json(&repo.join("packet/tests/envelope/vector-v1.json"))?;
    let bytes = hex_decode(&vector["plaintext_hex"])?;
    let (contents, _) =
        PacketContents::from_bytes(&bytes).map_err(|e| format!("the container vector no longer parses: {e}"))?;
    Ok(Container {
        station_id: contents.meta.station_id.clone(),
        registration_id: contents.meta.registration_id.clone(),
        bytes,
        contents,
    })
}

/// Sealed to the fuzz targets' fixed keys and signed by their station, so `envelope_open`
/// opens it all the way to the contents.
fn seal(container: &Container, plaintext: &[u8]) -> Result<Vec<u8>> {
    seal_for_register_with_ephemeral_ikm_for_test_vectors(
        plaintext,
        &container.station_id,
        &container.registration_id,
        &fuzz_station(),
        &fuzz_register().public_keys(),
        SEED_CHUNK_SIZE,
        &SEED_IKM_E,
    )
    .map_err(|e| format!("sealing a seed envelope failed: {e}"))
}

/// The same container as a version 2 envelope: sealed as at finalize (without its decision), then
/// reviewed; returns it with its sealed review's length.
fn seal_reviewed(container: &Container, reviewed_container: &[u8]) -> Result<(Vec<u8>, usize)> {
    let mut meta = enroll_packet::contents::read_meta(reviewed_container).map_err(|e| e.to_string())?;
    let review = PacketReview {
        supervisor: meta.supervisor.clone().unwrap_or_else(|| "sara".into()),
        decision: SupervisorDecision::Approved,
        reason: None,
        approved_at: meta.approved_at.clone().or_else(|| Some("2025-03-01T10:00:00Z".into())),
        audit: Vec::new(),
    };
    (meta.supervisor, meta.supervisor_decision, meta.approved_at) = (None, None, None);
    let pending_container =
        enroll_packet::contents::with_review(reviewed_container, &meta, &[]).map_err(|e| e.to_string())?;
    let pending = seal_pending_with_ephemeral_ikm_for_test_vectors(
        &[&pending_container],
        &container.station_id,
        &container.registration_id,
        &fuzz_register().public_keys(),
        SEED_CHUNK_SIZE,
        &SEED_IKM_E,
    )
    .map_err(|e| format!("sealing a seed pending envelope failed: {e}"))?;
    let tail = review_pending(
        &pending.bytes,
        &pending.body_key,
        &container.registration_id,
        &review,
        &fuzz_station(),
    )
    .map_err(|e| format!("reviewing a seed envelope failed: {e}"))?;
    let envelope = [pending.bytes.as_slice(), &tail.bytes].concat();
    open_envelope(&envelope, &fuzz_register(), &fuzz_station().public_key())
        .map_err(|e| format!("the reviewed seed envelope does not open with the fuzz keys: {e}"))?;
    Ok((envelope, tail.bytes.len() - 4 - 64))
}

fn envelope_seeds(seeds: &mut Seeds, repo: &Path, container: &Container) -> Result<()> {
    // The vector's container names the vector's station key, and opening refuses a container
    // that names another key than the one that signed: ours names the fuzz station.
    let mut ours = container.contents.clone();
    ours.meta.station_public_key = fuzz_station().station_public_key().to_text();
    let ours = ours.to_bytes().map_err(|e| e.to_string())?;
    let envelope = seal(container, &ours)?;
    open_envelope(&envelope, &fuzz_register(), &fuzz_station().public_key())
        .map_err(|e| format!("the seed envelope does not open with the fuzz keys: {e}"))?;
    let (reviewed, reviewed_review_len) = seal_reviewed(container, &ours)?;
    let header = EnvelopeHeader::parse(&envelope).map_err(|e| e.to_string())?;
    let h = header.header_len;
    // Offsets of §4 of schemas/packet-envelope.md: after the ids come the chunk size and the
    // plaintext length.
    let chunk_size_at = h - 32 - 8 - 4;
    let plaintext_len_at = h - 32 - 8;
    let chunk = SEED_CHUNK_SIZE as usize + 16;
    let signed_len = envelope.len() - 64;

    // The committed vectors: sealed to other keys, so they fail at the signature or the key id.
    let vectors = read_json(&repo.join("schemas/vectors/envelope-v1.json"))?;
    let vector = |name: &str| -> Result<Vec<u8>> {
        let found = vectors["positive"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == name);
        hex_decode(&found.ok_or_else(|| format!("no positive vector named {name}"))?["expected"]["envelope_hex"])
    };

    let target = "envelope_header";
    seeds.add(target, "valid-header-only", &envelope[..h]);
    seeds.add(target, "valid-vector-empty", vector("empty")?);
    seeds.add(target, "near-cut-in-station-id", &envelope[..23]);
    seeds.add(target, "near-version-3", set(&envelope[..h], 4, 3));
    seeds.add(target, "valid-reviewed-header-only", &reviewed[..h]);
    seeds.add(target, "near-magic-flipped", flip(&envelope[..h], 3));
    seeds.add(target, "near-kem-id-flipped", flip(&envelope[..h], 6));
    seeds.add(
        target,
        "near-chunk-size-below-minimum",
        set(&envelope[..h], chunk_size_at + 2, 0x03),
    );
    let mut huge = envelope[..h].to_vec();
    huge[plaintext_len_at..plaintext_len_at + 8].fill(0xff);
    seeds.add(target, "near-plaintext-length-impossible", huge);

    let target = "envelope_open";
    seeds.add(target, "valid-sealed-to-fuzz-keys", envelope.clone());
    seeds.add(
        target,
        "valid-vector-one-partial-chunk-other-keys",
        vector("one_partial_chunk")?,
    );
    seeds.add(target, "near-chunk-byte-flipped", flip(&envelope, h + 2 * chunk + 7));
    seeds.add(
        target,
        "near-signature-bit-flipped",
        flip(&envelope, envelope.len() - 1),
    );
    seeds.add(target, "near-cut-in-trailer", &envelope[..envelope.len() - 10]);
    seeds.add(target, "near-trailing-byte", [envelope.as_slice(), &[0u8][..]].concat());
    seeds.add(target, "near-version-3", set(&envelope, 4, 3));
    seeds.add(target, "near-version-1-as-2", set(&envelope, 4, 2));
    seeds.add(target, "valid-reviewed-sealed-to-fuzz-keys", reviewed.clone());
    let review_at = reviewed.len() - 64 - reviewed_review_len - 4;
    seeds.add(
        target,
        "near-reviewed-review-byte-flipped",
        flip(&reviewed, review_at + 10),
    );
    seeds.add(target, "near-reviewed-cut-in-review", &reviewed[..review_at + 8]);

    // The re-signing target signs whatever it gets, so its seeds are envelopes without their
    // trailer, and its near-valid ones are damaged beneath the signature.
    let target = "envelope_open_resigned";
    let unsigned = &envelope[..signed_len];
    seeds.add(target, "valid-unsigned", unsigned);
    // Sealed properly around a container whose meta lost a member: the chunks all open, and the
    // target reaches the contents' checks.
    let meta_edited = blank_first(&ours, br#""center_id":"#)?;
    let sealed_bad_container = seal(container, &meta_edited)?;
    seeds.add(
        target,
        "valid-envelope-near-container-meta-field-removed",
        &sealed_bad_container[..sealed_bad_container.len() - 64],
    );
    // Sealed properly around the vector's own container, which names another station's key.
    let sealed_vector_container = seal(container, &container.bytes)?;
    seeds.add(
        target,
        "valid-envelope-container-names-another-station",
        &sealed_vector_container[..sealed_vector_container.len() - 64],
    );
    seeds.add(target, "near-header-only", &envelope[..h]);
    seeds.add(target, "near-chunk-byte-flipped", flip(unsigned, h + chunk + 100));
    let mut swapped = unsigned.to_vec();
    swapped[h..h + 2 * chunk].rotate_left(chunk);
    seeds.add(target, "near-chunks-0-and-1-swapped", swapped);
    seeds.add(
        target,
        "near-registration-id-byte-flipped",
        flip(unsigned, 23 + container.station_id.len()),
    );
    seeds.add(target, "near-cut-in-last-chunk", &unsigned[..signed_len - 5]);
    let reviewed_unsigned = &reviewed[..reviewed.len() - 64];
    seeds.add(target, "valid-reviewed-unsigned", reviewed_unsigned);
    seeds.add(
        target,
        "near-reviewed-review-byte-flipped",
        flip(reviewed_unsigned, review_at + 10),
    );
    seeds.add(
        target,
        "near-reviewed-chunk-byte-flipped",
        flip(reviewed_unsigned, h + chunk + 100),
    );
    Ok(())
}

fn contents_seeds(seeds: &mut Seeds, container: &Container, face_record: &[u8]) -> Result<()> {
    let target = "contents";
    let bytes = &container.bytes;
    seeds.add(target, "valid-vector-container", bytes.clone());
    seeds.add(
        target,
        "valid-real-face-record",
        with_face(container, face_record)?
            .to_bytes()
            .map_err(|e| e.to_string())?,
    );
    seeds.add(target, "near-version-3", set(bytes, 4, 3));
    seeds.add(target, "near-manifest-length-plus-one", flip(bytes, 8));
    seeds.add(
        target,
        "near-manifest-format-version-removed",
        blank_first(bytes, br#""format_version":2,"#)?,
    );
    let identity_at = find(bytes, br#""dateOfBirth""#)?;
    seeds.add(target, "near-identity-byte-flipped", flip(bytes, identity_at + 3));
    seeds.add(target, "near-cut-in-audit", &bytes[..bytes.len() - 20]);
    Ok(())
}

fn biometric_seeds(seeds: &mut Seeds, container: &Container, face_record: &[u8]) -> Result<()> {
    let cbeff = |contents: &PacketContents| -> Result<Vec<u8>> {
        biometrics_to_cbeff(&contents.biometrics, &contents.exceptions)
            .and_then(|document| document.to_xml())
            .map_err(|e| e.to_string())
    };
    let target = "cbeff";
    // A face capture and a finger exception, as the station writes them.
    let xml = cbeff(&container.contents)?;
    seeds.add(target, "valid-vector-face-and-exception", xml.clone());
    seeds.add(
        target,
        "valid-real-face-record",
        cbeff(&with_face(container, face_record)?)?,
    );
    seeds.add(target, "near-cut-in-bdb", &xml[..find(&xml, b"<BDB>")? + 40]);
    seeds.add(target, "near-type-removed", remove_first(&xml, b"<Type>Face</Type>")?);
    seeds.add(
        target,
        "near-version-not-a-number",
        replace_first(&xml, b"<Major>1</Major>", b"<Major>x</Major>")?,
    );
    seeds.add(target, "near-bdb-not-base64", replace_first(&xml, b"<BDB>", b"<BDB>*")?);
    seeds.add(
        target,
        "near-closing-tag-misspelt",
        replace_first(&xml, b"</BDBInfo>", b"</BDBlnfo>")?,
    );

    let target = "iso19794";
    seeds.add(target, "valid-face-record", face_record);
    seeds.add(target, "near-cut-in-image", &face_record[..face_record.len() - 8]);
    seeds.add(target, "near-version-020", set(face_record, 5, b'2'));
    seeds.add(target, "near-record-length-plus-one", flip(face_record, 11));
    seeds.add(target, "near-two-representations", set(face_record, 13, 2));
    // A finger record's identifier and version on a face record's body: the finger reader runs
    // on bytes laid out for another part of the standard.
    seeds.add(
        target,
        "near-finger-header",
        [&b"FIR\x00020\x00"[..], &face_record[8..]].concat(),
    );
    seeds.add(
        target,
        "near-png-signature-flipped",
        flip(face_record, face_record.len() - TINY_PNG.len() + 1),
    );
    Ok(())
}

/// A 19794-5 face record as the station writes it, around [`TINY_PNG`].
fn face_record() -> Result<Vec<u8>> {
    write_face_record(&FaceRecordInput {
        png: &TINY_PNG,
        captured_at: CaptureDateTime {
            year: 2025,
            month: 1,
            day: 1,
            hour: 9,
            minute: 5,
            second: 0,
            millisecond: 0,
        },
        device: CaptureDevice {
            technology_id: 1,
            vendor_id: 0,
            type_id: 0,
        },
        quality: QualityBlock {
            score: 90,
            algorithm_vendor_id: 0,
            algorithm_id: 0,
        },
        colour_space: 3,
    })
    .map_err(|e| format!("writing the seed face record failed: {e}"))
}

/// The vector's contents with its face capture replaced by a record that parses as ISO 19794
/// (the vector's own BDB is only a face-record prefix and counting bytes).
fn with_face(container: &Container, face_record: &[u8]) -> Result<PacketContents> {
    let mut contents = container.contents.clone();
    let face: &mut BiometricRecord = contents
        .biometrics
        .first_mut()
        .ok_or("the container vector has no biometric record")?;
    face.data = face_record.to_vec();
    Ok(contents)
}

fn key_and_receipt_seeds(seeds: &mut Seeds) -> Result<()> {
    let register = fuzz_register();
    let public = parse_json(&register.public_keys().to_json())?;
    let private = parse_json(&register.to_json())?;
    let target = "register_keys";
    seeds.add(target, "valid-public", register.public_keys().to_json());
    seeds.add(target, "valid-private", register.to_json());
    seeds.add(
        target,
        "near-public-key-id-changed",
        edit(&public, |v| v["key_id"] = json!("0000000000000000")),
    );
    seeds.add(
        target,
        "near-public-signing-key-removed",
        edit(&public, |v| remove(v, "signing_public")),
    );
    seeds.add(
        target,
        "near-public-version-2",
        edit(&public, |v| v["version"] = json!(2)),
    );
    seeds.add(
        target,
        "near-private-kind-of-public",
        edit(&private, |v| v["kind"] = public["kind"].clone()),
    );
    seeds.add(
        target,
        "near-private-secret-short",
        edit(&private, |v| shorten(&mut v["encryption_secret"])),
    );

    // Signed by another register: the target verifies with the fuzz register's key, and a
    // receipt that verified would fail it (the fuzzer must not be able to forge one).
    let receipt = Receipt {
        registration_id: "10001-20250101-000001".into(),
        station_id: "ST-TEST-0001".into(),
        envelope_sha256: "0".repeat(64),
        received_at: "2025-03-01T09:30:00Z".into(),
        intake_reference: "upload-31".into(),
    };
    let signed = SignedReceipt::sign(receipt, &StationSigningKey::from_seed([0x44; 32]).0);
    let signed = serde_json::to_value(&signed).map_err(|e| e.to_string())?;
    let target = "receipt";
    seeds.add(target, "valid-signed-by-another", to_json(&signed));
    seeds.add(
        target,
        "near-signature-removed",
        edit(&signed, |v| remove(v, "signature")),
    );
    seeds.add(
        target,
        "near-signature-short",
        edit(&signed, |v| shorten(&mut v["signature"])),
    );
    seeds.add(
        target,
        "near-reference-removed",
        edit(&signed, |v| remove(&mut v["receipt"], "intake_reference")),
    );
    seeds.add(
        target,
        "near-received-at-a-number",
        edit(&signed, |v| v["receipt"]["received_at"] = json!(1)),
    );
    let text = to_json(&signed);
    seeds.add(target, "near-cut", &text.as_bytes()[..text.len() / 2]);
    Ok(())
}

fn configuration_seeds(seeds: &mut Seeds) -> Result<()> {
    let schema_text = enroll_schemas::DEFAULT_ID_SCHEMA;
    let schema = parse_json(schema_text)?;
    let target = "id_schema";
    seeds.add(target, "valid-default", schema_text);
    let identity = "/properties/identity";
    seeds.add(
        target,
        "near-required-removed",
        edit_at(&schema, identity, |v| remove(v, "required"))?,
    );
    seeds.add(
        target,
        "near-full-name-regex-unbalanced",
        edit_at(&schema, &format!("{identity}/properties/fullName/validators/0"), |v| {
            v["validator"] = json!("^(?=.{2,80}$")
        })?,
    );
    seeds.add(
        target,
        "near-ref-to-missing-definition",
        edit_at(&schema, &format!("{identity}/properties/fullName"), |v| {
            v["$ref"] = json!("#/definitions/missingType")
        })?,
    );
    seeds.add(
        target,
        "near-identity-an-array",
        edit_at(&schema, identity, |v| v["type"] = json!("array"))?,
    );
    seeds.add(target, "near-cut", &schema_text.as_bytes()[..schema_text.len() / 2]);

    let spec_text = enroll_schemas::DEFAULT_UI_SPEC;
    let spec = parse_json(spec_text)?;
    let target = "ui_spec";
    seeds.add(target, "valid-default", spec_text);
    seeds.add(target, "near-version-2", edit(&spec, |v| v["version"] = json!(2)));
    seeds.add(target, "near-no-language", edit(&spec, |v| v["languages"] = json!([])));
    seeds.add(
        target,
        "near-field-not-in-schema",
        edit_at(&spec, "/fields/0", |v| v["id"] = json!("nickname"))?,
    );
    seeds.add(
        target,
        "near-unknown-control",
        edit_at(&spec, "/fields/1", |v| v["control"] = json!("slider"))?,
    );
    seeds.add(
        target,
        "near-options-removed",
        edit_at(&spec, "/fields/2", |v| remove(v, "options"))?,
    );
    seeds.add(target, "near-cut", &spec_text.as_bytes()[..spec_text.len() / 2]);

    // Identities as the UI sends them for the default form, with made-up values.
    let valid = json!({
        "fullName": [
            {"language": "eng", "value": "Amina Diallo"},
            {"language": "ara", "value": "أمينة ديالو"},
            {"language": "fra", "value": "Amina Diallo"}
        ],
        "dateOfBirth": "1990/01/31",
        "gender": "FLE",
        "phone": "+221770000000"
    });
    let target = "form_identity";
    seeds.add(target, "valid-complete", to_json(&valid));
    seeds.add(
        target,
        "valid-draft-leap-day",
        to_json(&json!({"dateOfBirth": "2024/02/29"})),
    );
    seeds.add(target, "valid-draft-empty", "{}");
    seeds.add(
        target,
        "near-not-a-leap-day",
        edit(&valid, |v| v["dateOfBirth"] = json!("2023/02/29")),
    );
    seeds.add(
        target,
        "near-born-in-the-future",
        edit(&valid, |v| v["dateOfBirth"] = json!("2031/01/01")),
    );
    seeds.add(
        target,
        "near-arabic-name-removed",
        edit(&valid, |v| shorten(&mut v["fullName"])),
    );
    seeds.add(
        target,
        "near-name-a-string",
        edit(&valid, |v| v["fullName"] = json!("Amina Diallo")),
    );
    seeds.add(
        target,
        "near-gender-not-an-option",
        edit(&valid, |v| v["gender"] = json!("Female")),
    );
    seeds.add(
        target,
        "near-unknown-field",
        edit(&valid, |v| v["nickname"] = json!("Ami")),
    );
    seeds.add(target, "near-an-array", to_json(&json!([valid])));
    Ok(())
}

/// Writes `seeds` under `dir/<target>/`, leaving files whose bytes are already right untouched
/// and deleting those no longer made (a README.md excepted). Returns (written, removed).
fn write_committed(dir: &Path, seeds: &Seeds) -> Result<(usize, usize)> {
    let (mut written, mut removed) = (0, 0);
    for target in TARGETS {
        let target_dir = dir.join(target);
        std::fs::create_dir_all(&target_dir).map_err(|e| format!("cannot create {}: {e}", target_dir.display()))?;
        for entry in std::fs::read_dir(&target_dir).map_err(|e| e.to_string())? {
            let entry = entry.map_err(|e| e.to_string())?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != "README.md" && !seeds.0.contains_key(&(target, name)) {
                std::fs::remove_file(entry.path()).map_err(|e| e.to_string())?;
                removed += 1;
            }
        }
    }
    for ((target, name), bytes) in &seeds.0 {
        let path = dir.join(target).join(name);
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written += 1;
        }
    }
    Ok((written, removed))
}

/// The shared fixtures' MOSIP samples, into the uncommitted corpus. Returns how many.
fn write_fixture_corpus(corpus: &Path) -> Result<usize> {
    let fixtures = std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"))
        .join("mosip-packet-sample");
    let mut inputs: Vec<(&str, String, Vec<u8>)> = Vec::new();
    if let Ok(sample) = std::fs::read(fixtures.join("id-schema-sample.json")) {
        inputs.push(("id_schema", "fixture-mosip-sample".into(), sample));
    }
    if let Ok(sample) = std::fs::read(fixtures.join("components/id/ID.json")) {
        inputs.push(("form_identity", "fixture-mosip-sample".into(), sample));
    }
    if let Ok(sample) = std::fs::read(fixtures.join("components/id/individualBiometrics_bio_CBEFF.xml")) {
        if let Ok(document) = enroll_packet::cbeff::Cbeff::from_xml(&sample) {
            for (i, record) in document.records.iter().enumerate() {
                if let Some(bdb) = &record.bdb {
                    inputs.push(("iso19794", format!("fixture-mosip-sample-{i}"), bdb.clone()));
                }
            }
        }
        inputs.push(("cbeff", "fixture-mosip-sample".into(), sample));
    }
    for (target, name, bytes) in &inputs {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
    }
    Ok(inputs.len())
}

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] ^= 0x01;
    out
}

fn set(bytes: &[u8], at: usize, value: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] = value;
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Result<usize> {
    haystack.windows(needle.len()).position(|w| w == needle).ok_or_else(|| {
        format!(
            "{:?} is no longer in the seed's source",
            String::from_utf8_lossy(needle)
        )
    })
}

fn replace_first(bytes: &[u8], needle: &[u8], with: &[u8]) -> Result<Vec<u8>> {
    let at = find(bytes, needle)?;
    Ok([&bytes[..at], with, &bytes[at + needle.len()..]].concat())
}

fn remove_first(bytes: &[u8], needle: &[u8]) -> Result<Vec<u8>> {
    replace_first(bytes, needle, b"")
}

/// The JSON member starting with `key` (up to and including its comma) replaced by spaces:
/// the member is gone but every length and offset in a container stays right.
fn blank_first(bytes: &[u8], key: &[u8]) -> Result<Vec<u8>> {
    let at = find(bytes, key)?;
    let end = at
        + bytes[at..]
            .iter()
            .position(|&b| b == b',')
            .ok_or("no comma after the member")?
        + 1;
    let mut out = bytes.to_vec();
    out[at..end].fill(b' ');
    Ok(out)
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

fn parse_json(text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))
}

fn to_json(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a Value always serializes")
}

fn edit(value: &Value, change: impl FnOnce(&mut Value)) -> String {
    let mut copy = value.clone();
    change(&mut copy);
    to_json(&copy)
}

fn edit_at(value: &Value, pointer: &str, change: impl FnOnce(&mut Value)) -> Result<String> {
    let mut copy = value.clone();
    change(
        copy.pointer_mut(pointer)
            .ok_or_else(|| format!("nothing at {pointer}"))?,
    );
    Ok(to_json(&copy))
}

fn remove(object: &mut Value, key: &str) {
    if let Some(map) = object.as_object_mut() {
        map.remove(key);
    }
}

/// One element off an array, or a quarter off a string (hex or base64 keys and signatures).
fn shorten(value: &mut Value) {
    match value {
        Value::Array(items) => {
            items.remove(1.min(items.len().saturating_sub(1)));
        }
        Value::String(text) => text.truncate(text.len() * 3 / 4),
        _ => {}
    }
}

fn hex_decode(value: &Value) -> Result<Vec<u8>> {
    let text = value.as_str().ok_or("expected a hex string")?;
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}
