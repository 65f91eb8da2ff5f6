//! The fuzz targets over `enroll-packet`'s parsers of outside input: what a register receives
//! (envelopes, containers), what an admin hands over (key files), and what the intake answers
//! (receipts). Each function takes arbitrary bytes, must never panic, and asserts the
//! properties that must hold whatever the bytes.
//!
//! This file is compiled twice: into the fuzz binaries (`fuzz/fuzz_targets/*.rs`) and, through
//! `#[path]`, into `packet/tests/vectors`, which replays `fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/` with an ordinary `cargo test`. So it uses only crates that
//! `enroll-packet` itself depends on.
//!
//! Also what a register and a station read off removable media: the manifest of an export
//! folder and its signature (`exchange_manifest`).
//!
//! Deliberately absent: any check of what a successful parse means (the crate's own tests do
//! that); here only "no panic, no hang, no impossible success".

use enroll_packet::envelope::{open_envelope, sign_envelope, REVIEWED_ENVELOPE_VERSION, SIGNATURE_LEN};
use enroll_packet::exchange_manifest::{
    check_id, check_registration_id, packet_file, sign_manifest, verify_manifest_signature, ExchangeManifest,
    MAX_PACKETS, MAX_PACKET_BYTES,
};
use enroll_packet::reviewed::{sign_reviewed_envelope, MAX_REVIEW_LEN};
use enroll_packet::{
    decrypt_envelope_body, verify_envelope_signature, EnvelopeHeader, PacketContents, RegisterKeyPair,
    RegisterPublicKeys, SignedReceipt, StationSigningKey,
};

/// The codes a container may fail with: its own, or those of the CBEFF file and the documents
/// it carries.
const CONTENTS_CODES: [&str; 3] = ["contents_invalid", "cbeff_invalid", "document_invalid"];

/// The codes an envelope may fail with (the contents' included); anything else means a layer
/// leaked an error that opening should not give.
const ENVELOPE_CODES: [&str; 10] = [
    "truncated",
    "malformed",
    "unknown_version",
    "bad_signature",
    "wrong_key",
    "chunk_corrupt",
    "contents_invalid",
    "cbeff_invalid",
    "document_invalid",
    "station_key_mismatch",
];

/// Largest envelope the re-signing target builds, so that a header announcing gigabytes does
/// not make the fuzzer allocate them.
const MAX_RESIGNED_LEN: u64 = 1 << 20;

/// The fixed register the envelope targets open with. `src/bin/write_seeds/main.rs` seals its seed
/// envelopes to the same keys.
pub fn fuzz_register() -> RegisterKeyPair {
    RegisterKeyPair {
        encryption_secret: x25519_dalek::StaticSecret::from([0x11; 32]),
        signing_key: ed25519_dalek::SigningKey::from_bytes(&[0x22; 32]),
    }
}

/// The fixed station whose signature the envelope targets check.
pub fn fuzz_station() -> StationSigningKey {
    StationSigningKey::from_seed([0x33; 32])
}

/// `EnvelopeHeader::parse`: any bytes; a parsed header's sizes are consistent.
pub fn envelope_header(data: &[u8]) {
    if let Ok(header) = EnvelopeHeader::parse(data) {
        assert!(header.header_len <= data.len(), "the header lies inside the input");
        assert_eq!(
            header.header_len,
            67 + header.station_id.len() + header.registration_id.len()
        );
        assert!(header.chunk_count() >= 1);
        assert!(header.envelope_len() >= header.header_len as u64 + 16 + 64);
        assert!(
            header.envelope_len() < u64::MAX,
            "a parsed header's length fits in 64 bits"
        );
    }
}

/// `open_envelope` with fixed keys: every input fails with one of the envelope codes, except an
/// untouched seed envelope, which opens consistently (the fuzzer cannot forge the signature).
pub fn envelope_open(data: &[u8]) {
    let register = fuzz_register();
    let station = fuzz_station().public_key();
    match open_envelope(data, &register, &station) {
        Ok(opened) => assert_eq!(opened.contents.meta.registration_id, opened.header.registration_id),
        Err(error) => assert!(ENVELOPE_CODES.contains(&error.code()), "{error:?}"),
    }
    let _ = verify_envelope_signature(data, &station);
    // Without the signature check, decryption must still refuse anything not sealed to us.
    if let Err(error) = decrypt_envelope_body(data, &register) {
        assert!(ENVELOPE_CODES.contains(&error.code()), "{error:?}");
    }
}

/// Past the signature: the input is taken as header and body, cut or zero-padded to the length
/// its header announces, and signed with the fixed station key, so the fuzzer reaches the key
/// id check, HPKE setup, the chunks and (for mutations of a seed) the contents.
pub fn envelope_open_resigned(data: &[u8]) {
    let Ok(header) = EnvelopeHeader::parse(data) else {
        return;
    };
    let reviewed = header.version == REVIEWED_ENVELOPE_VERSION;
    let mut signed_len = header.envelope_len() - SIGNATURE_LEN as u64;
    if reviewed {
        // Version 2: the review's length follows the body; taken from the input when it is
        // there and in range, so that a mutated review is signed whole.
        let at = header.pending_len();
        let announced = data
            .get(at as usize..)
            .and_then(|rest| rest.get(..4))
            .map(|len| u64::from(u32::from_be_bytes([len[0], len[1], len[2], len[3]])))
            .filter(|len| (16..=u64::from(MAX_REVIEW_LEN)).contains(len));
        if let Some(review_len) = announced {
            signed_len = at + 4 + review_len;
        }
    }
    if signed_len > MAX_RESIGNED_LEN {
        return;
    }
    let mut envelope = data.to_vec();
    envelope.resize(signed_len as usize, 0);
    if reviewed {
        // The zeros of a padded review length would be refused before the signature.
        let at = header.pending_len() as usize;
        let review_len = (signed_len as usize - at - 4) as u32;
        envelope[at..at + 4].copy_from_slice(&review_len.to_be_bytes());
    }
    // Signed as a station signs (label and all): any other message would stop every input at
    // `bad_signature`, and the target would reach nothing behind it.
    let signature = if reviewed {
        sign_reviewed_envelope(&envelope, &fuzz_station())
    } else {
        sign_envelope(&envelope, &fuzz_station())
    };
    envelope.extend_from_slice(&signature);

    let register = fuzz_register();
    match open_envelope(&envelope, &register, &fuzz_station().public_key()) {
        Ok(opened) => {
            // Only a seed's untouched ciphertext gets here; its ids must be the header's.
            assert_eq!(opened.contents.meta.registration_id, opened.header.registration_id);
            assert_eq!(opened.contents.meta.station_id, opened.header.station_id);
        }
        Err(error) => {
            assert!(ENVELOPE_CODES.contains(&error.code()), "{error:?}");
            assert_ne!(error.code(), "bad_signature", "the target signed it: {error:?}");
        }
    }
}

/// `PacketContents::from_bytes`: any bytes; a parsed container re-encodes to one that parses
/// to the same contents. The review splice (`read_meta`, `with_review`) never panics either,
/// and on a canonical container (one this software wrote) it writes what a rebuild writes.
pub fn contents(data: &[u8]) {
    let spliced = enroll_packet::contents::read_meta(data)
        .and_then(|meta| enroll_packet::contents::with_review(data, &meta, &[]).map(|bytes| (meta, bytes)));
    if let Err(error) = &spliced {
        assert!(CONTENTS_CODES.contains(&error.code()), "{error:?}");
    }
    match PacketContents::from_bytes(data) {
        Ok((contents, _manifest)) => {
            let again = contents.to_bytes().expect("contents that parsed can be written again");
            let (reparsed, _) = PacketContents::from_bytes(&again).expect("a written container parses");
            assert_eq!(reparsed, contents, "write then read gives the same contents");
            let (meta, spliced) = spliced.expect("a container that parses has a meta to splice");
            if again == data {
                let mut rebuilt = contents.clone();
                rebuilt.meta = meta;
                rebuilt.audit = Vec::new();
                assert_eq!(
                    spliced,
                    rebuilt.to_bytes().expect("writable"),
                    "the splice is a rebuild"
                );
            }
        }
        Err(error) => assert!(CONTENTS_CODES.contains(&error.code()), "{error:?}"),
    }
}

/// The register's key files: any text; a file that loads writes back to one that loads equal.
pub fn register_keys(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match RegisterPublicKeys::from_json(&text) {
        Ok(keys) => {
            let again = RegisterPublicKeys::from_json(&keys.to_json()).expect("a written public keys file loads");
            assert_eq!(again, keys);
        }
        Err(error) => assert_eq!(error.code(), "bad_key", "{error:?}"),
    }
    match RegisterKeyPair::from_json(&text) {
        Ok(pair) => {
            let again = RegisterKeyPair::from_json(&pair.to_json()).expect("a written private key file loads");
            assert_eq!(again.public_keys(), pair.public_keys());
        }
        Err(error) => assert_eq!(error.code(), "bad_key", "{error:?}"),
    }
}

/// A signed receipt as the intake sends it (JSON), verified against a fixed register key:
/// the fuzzer cannot forge the register's signature.
pub fn receipt(data: &[u8]) {
    let Ok(signed) = serde_json::from_slice::<SignedReceipt>(data) else {
        return;
    };
    let _ = signed.receipt.canonical_bytes();
    match signed.verify(&fuzz_register().public_keys().signing_public) {
        Ok(()) => panic!("a receipt the fuzzer made verified against the register key"),
        Err(error) => assert_eq!(error.code(), "bad_receipt", "{error:?}"),
    }
}

/// A configuration document as the intake serves it (`{"payload", "signature"}`), verified
/// against the fixed register key: the fuzzer cannot forge the register's signature, so only
/// the seeds (signed by it) verify, and what verifies is exactly what the payload says.
pub fn register_config(data: &[u8]) {
    use enroll_packet::register_config::{ConfigDocument, SignedConfig};
    let Ok(signed) = serde_json::from_slice::<SignedConfig>(data) else {
        return;
    };
    match signed.verify(&fuzz_register().public_keys().signing_public) {
        Ok(document) => {
            assert!(document.version >= 1);
            let again: ConfigDocument = serde_json::from_str(&signed.payload).expect("a verified payload parses");
            assert_eq!(again, document, "what verifies is what the payload says");
            let signature = enroll_packet::register_config::signed_message(signed.payload.as_bytes());
            assert!(signature.starts_with(b"enroll-config-v1"));
            if let Ok(rotation) = enroll_packet::register_config::KeyRotation::from_value(&document.document) {
                assert_ne!(rotation.keys.signing_public, rotation.replaces.signing_public);
                assert_ne!(rotation.keys.encryption_public, rotation.replaces.encryption_public);
                let again = enroll_packet::register_config::KeyRotation::from_value(&rotation.to_value());
                assert_eq!(again.ok(), Some(rotation), "a rotation reads back as written");
            }
        }
        Err(error) => assert_eq!(error.code(), "config_invalid", "{error:?}"),
    }
}

/// `Cbeff::from_xml`: any bytes; a document that parses writes back to XML that parses to an
/// equal value (what `Cbeff::to_xml` promises).
pub fn cbeff(data: &[u8]) {
    match enroll_packet::cbeff::Cbeff::from_xml(data) {
        Ok(document) => {
            let xml = document.to_xml().expect("a parsed CBEFF document can be written");
            let again = enroll_packet::cbeff::Cbeff::from_xml(&xml).expect("a written CBEFF document parses");
            assert_eq!(again, document, "write then read gives the same document");
        }
        Err(error) => assert_eq!(error.code(), "cbeff_invalid", "{error:?}"),
    }
}

/// Separates the manifest from its signature file in an `exchange_manifest` input: never part
/// of valid UTF-8, so a seed made of a real manifest and signature splits where it was joined.
pub const MANIFEST_SEPARATOR: u8 = 0xff;

/// The fixed request key the `exchange_manifest` seeds are signed with (and vouched for by
/// [`fuzz_station`]).
pub fn fuzz_request_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[0x66; 32])
}

/// An export folder's `manifest.json` and `manifest.sig` (the input split at
/// [`MANIFEST_SEPARATOR`]): `ExchangeManifest::parse`, `verify_manifest_signature` with the key
/// the manifest names, and the proof with the fuzz station's key. What parses keeps every rule
/// (ids, plain file names in the folder, sizes, hashes, no two ids equal but for case) and
/// writes back to itself; a refusal is `media_manifest_invalid`; a manifest whose signature
/// verifies was signed by the fuzz request key (the fuzzer cannot forge one).
pub fn exchange_manifest(data: &[u8]) {
    let mut fields = data.splitn(2, |&b| b == MANIFEST_SEPARATOR);
    let manifest_bytes = fields.next().unwrap_or_default();
    let signature = fields.next().unwrap_or_default();
    let manifest = match ExchangeManifest::parse(manifest_bytes) {
        Ok(manifest) => manifest,
        Err(error) => {
            assert_eq!(error.code(), "media_manifest_invalid", "{error:?}");
            return;
        }
    };
    assert!(check_id("station_id", &manifest.station_id).is_ok());
    assert!(!manifest.packets.is_empty() && manifest.packets.len() <= MAX_PACKETS);
    let mut seen = std::collections::HashSet::new();
    for packet in &manifest.packets {
        assert!(check_registration_id(&packet.registration_id).is_ok(), "{packet:?}");
        assert!(
            seen.insert(packet.registration_id.to_ascii_lowercase()),
            "two ids equal but for case: {packet:?}"
        );
        let file = packet.file();
        assert_eq!(file, packet_file(&packet.registration_id));
        assert!(
            file.strip_prefix("packets/")
                .is_some_and(|name| !name.starts_with('.') && !name.contains(['/', '\\', ':'])),
            "a file name outside the folder: {file:?}"
        );
        assert!((1..=MAX_PACKET_BYTES).contains(&packet.length));
        assert!(packet.sha256.len() == 64 && packet.sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    }
    let written = manifest.to_bytes();
    assert_eq!(
        ExchangeManifest::parse(&written).expect("a written manifest parses"),
        manifest,
        "write then read gives the same manifest"
    );

    match verify_manifest_signature(manifest_bytes, signature, &manifest.request_key) {
        Ok(()) => assert_eq!(
            manifest.request_key,
            fuzz_request_key().verifying_key().to_bytes(),
            "a signature verified with a key the fuzzer chose"
        ),
        Err(error) => assert_eq!(error.code(), "media_signature_invalid", "{error:?}"),
    }
    // Signed again as a station signs: that verifies, and one changed byte does not.
    let signed = sign_manifest(&written, &fuzz_request_key());
    let key = fuzz_request_key().verifying_key().to_bytes();
    verify_manifest_signature(&written, &signed, &key).expect("a manifest signed by the key verifies with it");
    let mut changed = written.clone();
    changed[0] ^= 0x01;
    assert!(verify_manifest_signature(&changed, &signed, &key).is_err());
    if let Err(error) = manifest.check_request_key_proof(&fuzz_station().public_key()) {
        assert_eq!(error.code(), "media_signature_invalid", "{error:?}");
    }
}
