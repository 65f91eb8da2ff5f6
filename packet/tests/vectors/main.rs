//! The envelope test vectors of `schemas/vectors/envelope-v1.json`, checked the way an
//! implementation in another language would check itself against them, and the fuzzers'
//! committed inputs for this crate's targets, replayed.
//!
//! - Every positive vector is resealed from its JSON inputs alone (keys, `ikmE`, ids, chunk
//!   size, plaintext) and must give `envelope_hex` byte for byte; it must open to its plaintext.
//! - The container vector reseals byte for byte, opens through §5 step 9, and its layout
//!   (manifest, entry offsets, lengths, hashes, `meta.json`) is what the plaintext holds.
//! - Every negative vector must fail to open with its `expected_error` (and chunk index), at
//!   the §5 step it names.
//! - The committed file must be exactly what `examples/write_vectors` writes now, so that a
//!   change to the format or the cases cannot leave stale vectors behind.
//! - Every input under `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/` for this crate's
//!   targets runs through the same target code the fuzzer runs (`fuzz/src/packet_targets.rs`), so
//!   every target runs on valid and damaged inputs and a fixed crash stays fixed; a target without
//!   seeds fails.
//!
//! The RFC 9180 vector for the HPKE suite itself is checked in `src/envelope.rs`
//! (`hpke_suite_matches_rfc_9180_test_vector`); it is not repeated here.

#[path = "../../examples/write_vectors/generate.rs"]
#[allow(dead_code)] // the generator's helpers that only the example uses
mod generate;

#[path = "../../../fuzz/src/packet_targets.rs"]
mod packet_targets;

#[path = "../../../fuzz/src/regressions.rs"]
mod regressions;

use std::path::{Path, PathBuf};

use enroll_packet::envelope::{
    chunk_aad, envelope_signature_message, open_envelope, seal_for_register_with_ephemeral_ikm_for_test_vectors,
    HPKE_INFO,
};
use enroll_packet::signing::{ENVELOPE_SIGNATURE_LABEL, RECEIPT_SIGNATURE_LABEL};
use enroll_packet::{
    decrypt_envelope_body, verify_envelope_signature, EnvelopeHeader, PacketContents, PacketError, RegisterKeyPair,
    RegisterPublicKeys, StationPublicKey, StationSigningKey,
};
use hpke::Serializable as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn vectors() -> Value {
    let path = repo_root().join(generate::VECTORS_PATH);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the test vectors {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the test vectors are JSON")
}

fn hex_of(value: &Value) -> Vec<u8> {
    hex::decode(
        value
            .as_str()
            .unwrap_or_else(|| panic!("expected a hex string, got {value}")),
    )
    .expect("valid lower-case hex")
}

fn array32(value: &Value) -> [u8; 32] {
    hex_of(value).try_into().expect("32 bytes")
}

/// A register key pair from the vector's hex, checking its published public parts.
fn register_from(keys: &Value) -> RegisterKeyPair {
    let register = RegisterKeyPair {
        encryption_secret: x25519_dalek::StaticSecret::from(array32(&keys["x25519_secret_hex"])),
        signing_key: ed25519_dalek::SigningKey::from_bytes(&array32(&keys["ed25519_seed_hex"])),
    };
    let public = register.public_keys();
    assert_eq!(hex::encode(public.encryption_public), keys["x25519_public_hex"]);
    assert_eq!(hex::encode(public.signing_public), keys["ed25519_public_hex"]);
    assert_eq!(public.key_id().to_hex(), keys["key_id_hex"]);
    register
}

/// A station key from the vector's hex, checking its text form and its key file (§2).
fn station_from(keys: &Value) -> StationSigningKey {
    let station = StationSigningKey::from_seed(array32(&keys["ed25519_seed_hex"]));
    assert_eq!(hex::encode(station.public_key()), keys["ed25519_public_hex"]);
    let from_text = StationPublicKey::from_text(keys["public_key_text"].as_str().unwrap()).unwrap();
    assert_eq!(from_text.0, station.public_key());
    let (_, from_file) = StationPublicKey::from_json(keys["public_key_file"].as_str().unwrap()).unwrap();
    assert_eq!(from_file, from_text);
    station
}

/// §5 steps 1 to 8: header, length, signature, key id, chunks. The vectors' plaintexts are not
/// containers, so step 9 is left out.
fn open_steps_1_to_8(
    envelope: &[u8],
    register: &RegisterKeyPair,
    station_public: &[u8; 32],
) -> Result<Vec<u8>, PacketError> {
    verify_envelope_signature(envelope, station_public)?;
    decrypt_envelope_body(envelope, register).map(|(_, plaintext)| plaintext)
}

/// The §5 step at which opening `envelope` stops, told apart through the API's layers the way
/// the spec orders them: magic (1), version (2), the rest of the header (3), the length (4), the
/// station key and signature (5), the register key id (6), HPKE setup (7), the chunks (8), the
/// contents (9). `None` when it opens.
fn failing_step(envelope: &[u8], register: &RegisterKeyPair, station_public: &[u8; 32]) -> Option<u8> {
    if EnvelopeHeader::parse(envelope).is_err() {
        let magic_ok = envelope.len() >= 4 && envelope[..4] == *b"ENRP";
        return Some(if !magic_ok {
            1
        } else if envelope.len() < 5 || envelope[4] != 1 {
            2
        } else {
            3
        });
    }
    match verify_envelope_signature(envelope, station_public) {
        Err(PacketError::Truncated(_) | PacketError::Malformed(_)) => return Some(4),
        Err(_) => return Some(5),
        Ok(_) => {}
    }
    match decrypt_envelope_body(envelope, register) {
        Err(PacketError::WrongKey { .. }) => return Some(6),
        Err(PacketError::Malformed(_)) => return Some(7),
        Err(_) => return Some(8),
        Ok(_) => {}
    }
    open_envelope(envelope, register, station_public).err().map(|_| 9)
}

mod positive {
    use super::*;

    #[test]
    fn the_committed_file_is_what_the_generator_writes() {
        let path = repo_root().join(generate::VECTORS_PATH);
        let committed = std::fs::read_to_string(&path).expect("the vectors file exists");
        assert!(
            committed == generate::file_text(),
            "{} differs from what the generator writes; if the change is intended, run \
             `cargo run -p enroll-packet --example write_vectors`",
            path.display()
        );
    }

    #[test]
    fn the_suite_and_info_are_the_documented_ones() {
        let v = vectors();
        assert_eq!(v["hpke"]["mode"], 0);
        assert_eq!(v["hpke"]["kem_id"], 0x20);
        assert_eq!(v["hpke"]["kdf_id"], 1);
        assert_eq!(v["hpke"]["aead_id"], 2);
        assert_eq!(hex_of(&v["hpke"]["info_hex"]), b"enroll packet envelope v1");
        assert_eq!(hex_of(&v["hpke"]["info_hex"]), HPKE_INFO);
    }

    #[test]
    fn the_cases_cover_empty_partial_exact_and_several_chunks() {
        let v = vectors();
        let counts: Vec<(u64, u64, u64)> = v["positive"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["plaintext_len"].as_u64().unwrap(),
                    p["chunk_size"].as_u64().unwrap(),
                    p["expected"]["chunk_count"].as_u64().unwrap(),
                )
            })
            .collect();
        assert!(counts.contains(&(0, 1024, 1)), "an empty plaintext: {counts:?}");
        assert!(
            counts.iter().any(|&(l, c, n)| n == 1 && l > 0 && l < c),
            "one partial chunk"
        );
        assert!(counts.contains(&(2048, 1024, 2)), "exactly two full chunks");
        assert!(
            counts.iter().any(|&(l, c, n)| n >= 5 && l % c != 0),
            "several chunks, last partial"
        );
    }

    #[test]
    fn every_positive_vector_reseals_byte_for_byte_and_opens() {
        let v = vectors();
        let register = register_from(&v["keys"]["register"]);
        let station = station_from(&v["keys"]["station"]);
        let positives = v["positive"].as_array().unwrap();
        assert!(positives.len() >= 4);
        for p in positives {
            let name = p["name"].as_str().unwrap();
            let expected = &p["expected"];
            let plaintext = hex_of(&p["plaintext_hex"]);
            assert_eq!(plaintext.len() as u64, p["plaintext_len"].as_u64().unwrap(), "{name}");
            let ikm_e = array32(&p["ikm_e_hex"]);

            // RFC 9180: enc is the public key of DeriveKeyPair(ikmE), whoever computes it.
            let (_, pk_e) = <hpke::kem::X25519HkdfSha256 as hpke::Kem>::derive_keypair(&ikm_e);
            assert_eq!(hex::encode(pk_e.to_bytes()), expected["enc_hex"], "{name}: enc");

            let envelope = seal_for_register_with_ephemeral_ikm_for_test_vectors(
                &plaintext,
                p["station_id"].as_str().unwrap(),
                p["registration_id"].as_str().unwrap(),
                &station,
                &register.public_keys(),
                p["chunk_size"].as_u64().unwrap() as u32,
                &ikm_e,
            )
            .unwrap();
            let expected_envelope = hex_of(&expected["envelope_hex"]);
            assert!(
                envelope == expected_envelope,
                "{name}: resealed bytes differ from envelope_hex"
            );
            assert_eq!(
                envelope.len() as u64,
                expected["envelope_len"].as_u64().unwrap(),
                "{name}"
            );

            // The intermediate values an implementer debugs with.
            let header = EnvelopeHeader::parse(&envelope).unwrap();
            let header_bytes = &envelope[..header.header_len];
            assert_eq!(hex::encode(header_bytes), expected["header_hex"], "{name}");
            assert_eq!(header.header_len as u64, expected["header_len"].as_u64().unwrap());
            assert_eq!(
                header.header_len,
                67 + header.station_id.len() + header.registration_id.len()
            );
            let header_hash: [u8; 32] = Sha256::digest(header_bytes).into();
            assert_eq!(hex::encode(header_hash), expected["header_sha256_hex"], "{name}");
            assert_eq!(
                header.chunk_count(),
                expected["chunk_count"].as_u64().unwrap(),
                "{name}"
            );
            let chunks = expected["chunks"].as_array().unwrap();
            assert_eq!(chunks.len() as u64, header.chunk_count());
            let mut next_offset = header.header_len as u64;
            for (i, chunk) in chunks.iter().enumerate() {
                assert_eq!(chunk["index"], i as u64);
                assert_eq!(chunk["offset"], next_offset, "{name}: chunks are contiguous");
                next_offset += chunk["length"].as_u64().unwrap();
                let aad = chunk_aad(&header_hash, i as u64, i + 1 == chunks.len());
                assert_eq!(hex::encode(aad), chunk["aad_hex"], "{name}: aad of chunk {i}");
            }
            let signed_len = envelope.len() - 64;
            assert_eq!(
                next_offset, signed_len as u64,
                "{name}: the trailer follows the last chunk"
            );
            assert_eq!(
                hex::encode(Sha256::digest(&envelope[..signed_len])),
                expected["signed_sha256_hex"]
            );
            assert_eq!(
                hex::encode(envelope_signature_message(&envelope[..signed_len])),
                expected["signed_message_hex"],
                "{name}: the label, then the hash"
            );
            assert_eq!(hex::encode(&envelope[signed_len..]), expected["signature_hex"]);

            let opened = open_steps_1_to_8(&envelope, &register, &station.public_key())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(opened, plaintext, "{name}: opens to its plaintext");
            // The plaintexts are not containers: a full open stops at the contents, after the
            // signature and every chunk have passed.
            let error = open_envelope(&envelope, &register, &station.public_key()).unwrap_err();
            assert_eq!(error.code(), "contents_invalid", "{name}");
        }
    }
}

mod container {
    use super::*;

    #[test]
    fn the_container_vector_reseals_byte_for_byte_and_opens_through_step_9() {
        let v = vectors();
        let register = register_from(&v["keys"]["register"]);
        let station = station_from(&v["keys"]["station"]);
        let c = &v["container"];
        let plaintext = hex_of(&c["plaintext_hex"]);
        let envelope = seal_for_register_with_ephemeral_ikm_for_test_vectors(
            &plaintext,
            c["station_id"].as_str().unwrap(),
            c["registration_id"].as_str().unwrap(),
            &station,
            &register.public_keys(),
            c["chunk_size"].as_u64().unwrap() as u32,
            &array32(&c["ikm_e_hex"]),
        )
        .unwrap();
        assert!(
            envelope == hex_of(&c["expected"]["envelope_hex"]),
            "resealed bytes differ"
        );
        assert!(
            c["expected"]["chunk_count"].as_u64().unwrap() >= 3,
            "the container spans several chunks"
        );

        let opened = open_envelope(&envelope, &register, &station.public_key()).unwrap();
        assert_eq!(
            opened.contents.to_bytes().unwrap(),
            plaintext,
            "it re-encodes to itself"
        );
        assert_eq!(
            opened.contents.meta.station_public_key,
            v["keys"]["station"]["public_key_text"]
        );
        assert_eq!(opened.header.station_id, opened.contents.meta.station_id);
        assert_eq!(opened.header.registration_id, opened.contents.meta.registration_id);
    }

    #[test]
    fn the_container_layout_is_what_the_plaintext_holds() {
        let v = vectors();
        let c = &v["container"];
        let plaintext = hex_of(&c["plaintext_hex"]);
        let layout = &c["container"];
        assert_eq!(hex_of(&layout["magic_hex"]), b"ENRC");
        assert_eq!(layout["version"], 2);
        assert_eq!(plaintext[4], 2);
        let manifest_len = layout["manifest_len"].as_u64().unwrap() as usize;
        assert_eq!(&plaintext[5..9], &(manifest_len as u32).to_be_bytes());
        let manifest_text = layout["manifest_json"].as_str().unwrap();
        assert_eq!(&plaintext[9..9 + manifest_len], manifest_text.as_bytes());
        let manifest: Value = serde_json::from_str(manifest_text).unwrap();

        let names: Vec<&str> = layout["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "identity.json",
                "meta.json",
                "individualBiometrics_bio_CBEFF.xml",
                "documents/POI-1.pdf",
                "audit.json"
            ]
        );
        let mut offset = 9 + manifest_len;
        for (entry, listed) in layout["entries"]
            .as_array()
            .unwrap()
            .iter()
            .zip(manifest["entries"].as_array().unwrap())
        {
            assert_eq!(entry["offset"], offset as u64, "entries follow each other");
            let length = entry["length"].as_u64().unwrap() as usize;
            let bytes = &plaintext[offset..offset + length];
            assert_eq!(hex::encode(Sha256::digest(bytes)), entry["sha256_hex"]);
            assert_eq!(
                entry["sha256_hex"], listed["sha256"],
                "the manifest gives the same hash"
            );
            assert_eq!(entry["length"], listed["length"]);
            offset += length;
        }
        assert_eq!(offset, plaintext.len(), "nothing follows the last entry");
        let meta_entry = &layout["entries"][1];
        let meta_at = meta_entry["offset"].as_u64().unwrap() as usize;
        let meta_bytes = &plaintext[meta_at..meta_at + meta_entry["length"].as_u64().unwrap() as usize];
        assert_eq!(meta_bytes, layout["meta_json"].as_str().unwrap().as_bytes());
        let (contents, _) = PacketContents::from_bytes(&plaintext).unwrap();
        assert_eq!(
            contents.meta.station_public_key,
            v["keys"]["station"]["public_key_text"]
        );
    }

    #[test]
    fn the_key_files_and_labels_are_the_documented_ones() {
        let v = vectors();
        let keys = &v["keys"];
        let register = RegisterKeyPair::from_json(keys["register_private_key_file"].as_str().unwrap()).unwrap();
        let public = RegisterPublicKeys::from_json(keys["register_public_keys_file"].as_str().unwrap()).unwrap();
        assert_eq!(register.public_keys(), public);
        assert_eq!(public, register_from(&keys["register"]).public_keys());
        let (station_id, station) =
            StationPublicKey::from_json(keys["station"]["public_key_file"].as_str().unwrap()).unwrap();
        assert_eq!(station_id, v["container"]["station_id"]);
        assert_eq!(station.to_text(), keys["station"]["public_key_text"]);
        assert_eq!(
            hex_of(&v["signature_labels"]["envelope_hex"]),
            b"enroll-envelope-v1 signature"
        );
        assert_eq!(hex_of(&v["signature_labels"]["envelope_hex"]), ENVELOPE_SIGNATURE_LABEL);
        assert_eq!(hex_of(&v["signature_labels"]["receipt_hex"]), RECEIPT_SIGNATURE_LABEL);
    }
}

mod negative {
    use super::*;

    #[test]
    fn every_negative_vector_fails_with_its_code() {
        let v = vectors();
        let register = register_from(&v["keys"]["register"]);
        let station = station_from(&v["keys"]["station"]);
        let negatives = v["negative"].as_array().unwrap();
        for n in negatives {
            let name = n["name"].as_str().unwrap();
            let envelope = hex_of(&n["envelope_hex"]);
            let other_register;
            let register = match n["open_with"].get("register_x25519_secret_hex") {
                Some(secret) => {
                    other_register = RegisterKeyPair {
                        encryption_secret: x25519_dalek::StaticSecret::from(array32(secret)),
                        signing_key: register.signing_key.clone(),
                    };
                    &other_register
                }
                None => &register,
            };
            let station_public = match n["open_with"].get("station_ed25519_public_hex") {
                Some(public) => array32(public),
                None => station.public_key(),
            };

            let step = n["step"].as_u64().unwrap_or_else(|| panic!("{name}: no step")) as u8;
            assert_eq!(
                failing_step(&envelope, register, &station_public),
                Some(step),
                "{name}: stops at the wrong step of §5"
            );
            // Opening in full stops with the expected code.
            let full = open_envelope(&envelope, register, &station_public).expect_err(&format!("{name} must not open"));
            assert_eq!(full.code(), n["expected_error"], "{name}: {full}");
            if step == 9 {
                // The failure is in the contents: everything before it passes.
                open_steps_1_to_8(&envelope, register, &station_public).unwrap();
                continue;
            }
            let error =
                open_steps_1_to_8(&envelope, register, &station_public).expect_err(&format!("{name} must not open"));
            assert_eq!(error.code(), n["expected_error"], "{name}: {error}");
            match (&error, n.get("expected_chunk_index")) {
                (PacketError::ChunkCorrupt { index }, Some(expected)) => {
                    assert_eq!(*index, expected.as_u64().unwrap(), "{name}")
                }
                (PacketError::ChunkCorrupt { .. }, None) => panic!("{name}: no expected_chunk_index"),
                (_, Some(_)) => panic!("{name}: an expected_chunk_index on a {} vector", error.code()),
                (_, None) => {}
            }
        }
    }

    #[test]
    fn the_negative_vectors_cover_every_named_failure() {
        let v = vectors();
        let negatives = v["negative"].as_array().unwrap();
        let count = |code: &str| negatives.iter().filter(|n| n["expected_error"] == code).count();
        assert!(count("truncated") >= 6, "truncation in several places");
        for code in [
            "malformed",
            "unknown_version",
            "bad_signature",
            "bad_key",
            "wrong_key",
            "chunk_corrupt",
            "station_key_mismatch",
        ] {
            assert!(count(code) >= 1, "a {code} vector");
        }
        let names: Vec<&str> = negatives.iter().map(|n| n["name"].as_str().unwrap()).collect();
        for name in [
            "reordered_chunks_resigned",
            "modified_chunk_resigned",
            "trailing_bytes",
            "wrong_key",
            "truncated_in_enc_after_huge_length",
            "impossible_length_cut_in_enc",
            "bad_key_small_order_station_key",
            "bad_key_non_canonical_station_key",
            "bad_signature_small_order_r",
            "bad_signature_non_canonical_s",
            "bad_signature_without_label",
            "station_key_mismatch",
        ] {
            assert!(names.contains(&name), "{name}");
        }
    }

    #[test]
    fn the_signature_vectors_are_what_they_say() {
        // Each would pass a lax verifier (or is at least well-formed), so that an implementation
        // that forgets the strict rule of §4.3 fails on them rather than by luck.
        let v = vectors();
        let station = station_from(&v["keys"]["station"]);
        let by_name = |name: &str| {
            v["negative"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["name"] == name)
                .unwrap_or_else(|| panic!("{name}"))
                .clone()
        };
        let split = |name: &str| {
            let envelope = hex_of(&by_name(name)["envelope_hex"]);
            let (signed, signature) = envelope.split_at(envelope.len() - 64);
            (
                envelope_signature_message(signed).to_vec(),
                ed25519_dalek::Signature::from_slice(signature).unwrap(),
            )
        };
        let key = ed25519_dalek::VerifyingKey::from_bytes(&station.public_key()).unwrap();

        let (message, signature) = split("bad_signature_small_order_r");
        assert!(
            ed25519_dalek::Verifier::verify(&key, &message, &signature).is_ok(),
            "lax accepts"
        );
        assert!(key.verify_strict(&message, &signature).is_err(), "strict refuses");

        let (message, signature) = split("bad_signature_non_canonical_s");
        assert_eq!(signature.s_bytes()[31] & 0xe0, 0, "top three bits clear");
        assert!(key.verify_strict(&message, &signature).is_err());

        let small = by_name("bad_key_small_order_station_key");
        let identity = array32(&small["open_with"]["station_ed25519_public_hex"]);
        let weak = ed25519_dalek::VerifyingKey::from_bytes(&identity).unwrap();
        assert!(weak.is_weak());
        let (message, signature) = split("bad_key_small_order_station_key");
        assert!(
            ed25519_dalek::Verifier::verify(&weak, &message, &signature).is_ok(),
            "lax accepts"
        );

        let non_canonical =
            array32(&by_name("bad_key_non_canonical_station_key")["open_with"]["station_ed25519_public_hex"]);
        let decoded = ed25519_dalek::VerifyingKey::from_bytes(&non_canonical).unwrap();
        assert!(!decoded.is_weak(), "large order: only the encoding is wrong");
        assert_ne!(decoded.to_edwards().compress().to_bytes(), non_canonical);
    }
}

mod fuzz_regressions {
    use super::*;

    fn replay(target: &str, run: fn(&[u8])) {
        super::regressions::replay(env!("CARGO_MANIFEST_DIR"), target, run);
    }

    #[test]
    fn envelope_header() {
        replay("envelope_header", packet_targets::envelope_header);
    }

    #[test]
    fn envelope_open() {
        replay("envelope_open", packet_targets::envelope_open);
    }

    #[test]
    fn envelope_open_resigned() {
        replay("envelope_open_resigned", packet_targets::envelope_open_resigned);
    }

    #[test]
    fn contents() {
        replay("contents", packet_targets::contents);
    }

    #[test]
    fn register_keys() {
        replay("register_keys", packet_targets::register_keys);
    }

    #[test]
    fn receipt() {
        replay("receipt", packet_targets::receipt);
    }

    #[test]
    fn register_config() {
        replay("register_config", packet_targets::register_config);
    }

    #[test]
    fn cbeff() {
        replay("cbeff", packet_targets::cbeff);
    }

    #[test]
    fn exchange_manifest() {
        replay("exchange_manifest", packet_targets::exchange_manifest);
    }
}
