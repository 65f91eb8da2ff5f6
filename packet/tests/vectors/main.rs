//! The envelope test vectors of `schemas/vectors/envelope-v1.json`, checked the way an
//! implementation in another language would check itself against them, and the fuzzers'
//! regression inputs for this crate, replayed.
//!
//! - Every positive vector is resealed from its JSON inputs alone (keys, `ikmE`, ids, chunk
//!   size, plaintext) and must give `envelope_hex` byte for byte; it must open to its plaintext.
//! - Every negative vector must fail to open with its `expected_error` (and chunk index).
//! - The committed file must be exactly what `examples/write_vectors` writes now, so that a
//!   change to the format or the cases cannot leave stale vectors behind.
//! - Every input under `fuzz/regressions/<target>/` for this crate's targets runs through the
//!   same target code the fuzzer runs (`fuzz/src/packet_targets.rs`), so a fixed crash stays fixed.
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
    chunk_aad, open_envelope, seal_for_register_with_ephemeral_ikm_for_test_vectors, HPKE_INFO,
};
use enroll_packet::{
    decrypt_envelope_body, verify_envelope_signature, EnvelopeHeader, PacketError, RegisterKeyPair, StationSigningKey,
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

fn station_from(keys: &Value) -> StationSigningKey {
    let station = StationSigningKey::from_seed(array32(&keys["ed25519_seed_hex"]));
    assert_eq!(hex::encode(station.public_key()), keys["ed25519_public_hex"]);
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
            // Opening in full stops at the same step.
            let full = open_envelope(&envelope, register, &station_public).unwrap_err();
            assert_eq!(full.code(), error.code(), "{name}");
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
            "wrong_key",
            "chunk_corrupt",
        ] {
            assert!(count(code) >= 1, "a {code} vector");
        }
        let names: Vec<&str> = negatives.iter().map(|n| n["name"].as_str().unwrap()).collect();
        for name in [
            "reordered_chunks_resigned",
            "modified_chunk_resigned",
            "trailing_bytes",
            "wrong_key",
        ] {
            assert!(names.contains(&name), "{name}");
        }
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
    fn cbeff() {
        replay("cbeff", packet_targets::cbeff);
    }
}
