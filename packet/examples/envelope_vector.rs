//! Writes the envelope test vector `tests/envelope/vector-v1.json` to standard output.
//!
//! Superseded by the deterministic `container` vector of `schemas/vectors/envelope-v1.json`
//! (the same contents, sealed reproducibly); kept because the fuzz seeds (`fuzz/src/bin/
//! write_seeds.rs`) read this file's container, which names the fuzz targets' station key.
//!
//! The vector lets an opener written in another language check itself against this one: it
//! holds fixed, public test keys, a real contents container, and an envelope sealed to those
//! keys with a 1 KiB chunk size so that the body has several chunks. HPKE encapsulation is
//! randomized, so every run prints a different (equally valid) envelope; the committed file is
//! one such run and the integration tests check that it still opens.
//!
//! Regenerate (only when the envelope or the container format changes):
//! `cargo run -p enroll-packet --example envelope_vector > packet/tests/envelope/vector-v1.json`

#[path = "write_vectors/generate.rs"]
#[allow(dead_code)] // the generator's helpers for `schemas/vectors/`
mod generate;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use enroll_packet::envelope::seal_for_register_with_chunk_size;
use enroll_packet::{EnvelopeHeader, RegisterKeyPair, StationSigningKey};
use sha2::{Digest, Sha256};

fn main() {
    // Test keys only: constant byte strings, published in the vector on purpose.
    let register = RegisterKeyPair {
        encryption_secret: x25519_dalek::StaticSecret::from([0x11; 32]),
        signing_key: ed25519_dalek::SigningKey::from_bytes(&[0x22; 32]),
    };
    let station = StationSigningKey::from_seed([0x33; 32]);

    let contents = generate::real_container_contents(&station);
    let plaintext = contents.to_bytes().expect("the test contents are valid");
    let envelope = seal_for_register_with_chunk_size(
        &plaintext,
        &contents.meta.station_id,
        &contents.meta.registration_id,
        &station,
        &register.public_keys(),
        1024,
    )
    .expect("sealing to a valid key succeeds");
    let header = EnvelopeHeader::parse(&envelope).expect("a fresh envelope parses");

    let vector = serde_json::json!({
        "description": "enroll packet envelope version 1 test vector; test keys only, never use them for real packets",
        "hpke": {"mode": 0, "kem_id": 32, "kdf_id": 1, "aead_id": 2, "info": String::from_utf8_lossy(enroll_packet::envelope::HPKE_INFO)},
        "register_private_key": serde_json::from_str::<serde_json::Value>(&register.to_json()).unwrap(),
        "register_public_keys": serde_json::from_str::<serde_json::Value>(&register.public_keys().to_json()).unwrap(),
        "station_seed": BASE64.encode(station.seed()),
        "station_public_key": BASE64.encode(station.public_key()),
        "header": {
            "version": header.version,
            "register_key_id": header.register_key_id.to_hex(),
            "station_id": header.station_id,
            "registration_id": header.registration_id,
            "chunk_size": header.chunk_size,
            "plaintext_len": header.plaintext_len,
            "header_len": header.header_len,
            "chunk_count": header.chunk_count(),
            "envelope_len": header.envelope_len(),
            "enc": hex::encode(header.enc),
            "sha256": hex::encode(Sha256::digest(&envelope[..header.header_len])),
        },
        "plaintext_sha256": hex::encode(Sha256::digest(&plaintext)),
        "plaintext_hex": hex::encode(&plaintext),
        "envelope_sha256": hex::encode(Sha256::digest(&envelope)),
        "envelope_hex": hex::encode(&envelope),
    });
    println!("{}", serde_json::to_string_pretty(&vector).unwrap());
}
