//! Builds the envelope test vectors of `schemas/vectors/envelope-v1.json` (format:
//! `schemas/packet-envelope.md` §9). Shared by the `write_vectors` example, which writes the file,
//! and by the `vectors` test, which checks that the committed file is exactly what this builds.
//!
//! Everything is deterministic: keys and each case's RFC 9180 `ikmE` are SHA-256 of fixed labels,
//! plaintexts are fixed byte patterns, and sealing goes through
//! `seal_for_register_with_ephemeral_ikm_for_test_vectors`. Negative vectors are positive ones
//! cut, edited or re-signed in one precise way each.
//!
//! Deliberately absent: contents containers. The plaintexts are plain byte strings, so these
//! vectors test the envelope alone (§4 and §5 steps 1 to 8), whatever the container becomes.

use ed25519_dalek::Signer as _;
use enroll_packet::envelope::{
    chunk_aad, seal_for_register_with_ephemeral_ikm_for_test_vectors, DEFAULT_CHUNK_SIZE, HPKE_AEAD_ID, HPKE_INFO,
    HPKE_KDF_ID, HPKE_KEM_ID, SIGNATURE_LEN, TAG_LEN,
};
use enroll_packet::{EnvelopeHeader, RegisterKeyPair, StationSigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Where the vectors live, relative to the repository root.
pub const VECTORS_PATH: &str = "schemas/vectors/envelope-v1.json";

/// 32 bytes named by a label: SHA-256 of `"enroll envelope v1 test vector: " ‖ label`.
pub fn labelled_bytes(label: &str) -> [u8; 32] {
    Sha256::digest(format!("enroll envelope v1 test vector: {label}")).into()
}

/// The test parties. Test keys only: published on purpose, never to be used for real packets.
pub struct VectorKeys {
    pub register: RegisterKeyPair,
    pub station: StationSigningKey,
    /// Another register, to open with in the `wrong_key` vector.
    pub other_register: RegisterKeyPair,
    /// Another station, to verify with in a `bad_signature` vector.
    pub other_station: StationSigningKey,
}

impl VectorKeys {
    pub fn new() -> VectorKeys {
        let register = |name: &str| RegisterKeyPair {
            encryption_secret: x25519_dalek::StaticSecret::from(labelled_bytes(&format!("{name} X25519 secret"))),
            signing_key: ed25519_dalek::SigningKey::from_bytes(&labelled_bytes(&format!("{name} Ed25519 seed"))),
        };
        VectorKeys {
            register: register("register"),
            station: StationSigningKey::from_seed(labelled_bytes("station Ed25519 seed")),
            other_register: register("other register"),
            other_station: StationSigningKey::from_seed(labelled_bytes("other station Ed25519 seed")),
        }
    }
}

impl Default for VectorKeys {
    fn default() -> Self {
        VectorKeys::new()
    }
}

fn register_json(register: &RegisterKeyPair) -> Value {
    let public = register.public_keys();
    json!({
        "x25519_secret_hex": hex::encode(register.encryption_secret.to_bytes()),
        "x25519_public_hex": hex::encode(public.encryption_public),
        "ed25519_seed_hex": hex::encode(register.signing_key.to_bytes()),
        "ed25519_public_hex": hex::encode(public.signing_public),
        "key_id_hex": public.key_id().to_hex(),
    })
}

fn station_json(station: &StationSigningKey) -> Value {
    json!({
        "ed25519_seed_hex": hex::encode(station.seed()),
        "ed25519_public_hex": hex::encode(station.public_key()),
    })
}

/// One positive case's inputs.
struct Case {
    name: &'static str,
    description: &'static str,
    station_id: &'static str,
    registration_id: &'static str,
    chunk_size: u32,
    plaintext: Vec<u8>,
}

/// A fixed byte pattern of `len` bytes, different per `seed`; covers every byte value.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "empty",
            description: "empty plaintext: one chunk holding 0 bytes, a 16-byte body",
            station_id: "ST-0001",
            registration_id: "10001-0001-000001",
            chunk_size: 1024,
            plaintext: Vec::new(),
        },
        Case {
            name: "one_partial_chunk",
            description: "300 bytes with chunk size 1024: one chunk, the last, not full",
            station_id: "ST-0001",
            registration_id: "10001-0001-000002",
            chunk_size: 1024,
            plaintext: pattern(300, 1),
        },
        Case {
            name: "two_full_chunks",
            description: "exactly 2 x 1024 bytes: two full chunks and no empty third one",
            station_id: "ST-0001",
            registration_id: "10001-0001-000003",
            chunk_size: 1024,
            plaintext: pattern(2048, 2),
        },
        Case {
            name: "several_chunks",
            description: "4 x 1024 + 300 bytes: four full chunks and a last one of 300 bytes",
            station_id: "ST-0001",
            registration_id: "10001-0001-000004",
            chunk_size: 1024,
            plaintext: pattern(4 * 1024 + 300, 3),
        },
        Case {
            name: "utf8_ids_default_chunk_size",
            description: "non-ASCII ids (lengths count UTF-8 bytes, not characters) and the default chunk size 65536",
            station_id: "ST-Ségou-٠٣",
            registration_id: "10001-0001-000005",
            chunk_size: DEFAULT_CHUNK_SIZE,
            plaintext: pattern(1500, 4),
        },
    ]
}

/// A positive case sealed: its JSON and its envelope bytes.
struct Sealed {
    json: Value,
    envelope: Vec<u8>,
    header: EnvelopeHeader,
}

fn seal_case(keys: &VectorKeys, case: &Case) -> Sealed {
    let ikm_e = labelled_bytes(&format!("ikmE {}", case.name));
    let envelope = seal_for_register_with_ephemeral_ikm_for_test_vectors(
        &case.plaintext,
        case.station_id,
        case.registration_id,
        &keys.station,
        &keys.register.public_keys(),
        case.chunk_size,
        &ikm_e,
    )
    .expect("the vector inputs are valid");
    let header = EnvelopeHeader::parse(&envelope).expect("a fresh envelope parses");
    let header_bytes = &envelope[..header.header_len];
    let header_hash: [u8; 32] = Sha256::digest(header_bytes).into();
    let signed_len = envelope.len() - SIGNATURE_LEN;

    let full_chunk = header.chunk_size as usize + TAG_LEN;
    let count = header.chunk_count() as usize;
    let chunks: Vec<Value> = (0..count)
        .map(|index| {
            let start = header.header_len + index * full_chunk;
            let end = (start + full_chunk).min(signed_len);
            json!({
                "index": index,
                "offset": start,
                "length": end - start,
                "aad_hex": hex::encode(chunk_aad(&header_hash, index as u64, index + 1 == count)),
            })
        })
        .collect();

    let json = json!({
        "name": case.name,
        "description": case.description,
        "station_id": case.station_id,
        "registration_id": case.registration_id,
        "chunk_size": case.chunk_size,
        "ikm_e_hex": hex::encode(ikm_e),
        "plaintext_len": case.plaintext.len(),
        "plaintext_hex": hex::encode(&case.plaintext),
        "expected": {
            "enc_hex": hex::encode(header.enc),
            "header_len": header.header_len,
            "header_hex": hex::encode(header_bytes),
            "header_sha256_hex": hex::encode(header_hash),
            "chunk_count": count,
            "chunks": chunks,
            "signed_sha256_hex": hex::encode(Sha256::digest(&envelope[..signed_len])),
            "signature_hex": hex::encode(&envelope[signed_len..]),
            "envelope_len": envelope.len(),
            "envelope_hex": hex::encode(&envelope),
        },
    });
    Sealed { json, envelope, header }
}

/// Replace the trailer with `station`'s valid signature over the edited rest: what a station
/// that signed a broken envelope would send. Only such envelopes reach the chunk checks.
fn resign(mut envelope: Vec<u8>, station: &StationSigningKey) -> Vec<u8> {
    envelope.truncate(envelope.len() - SIGNATURE_LEN);
    let signature = station.0.sign(&Sha256::digest(&envelope));
    envelope.extend_from_slice(&signature.to_bytes());
    envelope
}

/// One negative vector; `open_with` names keys of `keys` other than the defaults.
fn negative(name: &str, from: &str, description: &str, envelope: &[u8], error: &str) -> Value {
    json!({
        "name": name,
        "derived_from": from,
        "description": description,
        "envelope_hex": hex::encode(envelope),
        "expected_error": error,
    })
}

fn negatives(keys: &VectorKeys, sealed: &[Sealed]) -> Vec<Value> {
    let by_name = |name: &str| {
        sealed
            .iter()
            .find(|s| s.json["name"] == name)
            .expect("the negative vectors derive from existing cases")
    };
    let two = by_name("two_full_chunks");
    let (env, h) = (&two.envelope, two.header.header_len);
    let full = two.header.chunk_size as usize + TAG_LEN;
    let cut = |len: usize| env[..len].to_vec();
    let edit = |at: usize, value: u8| {
        let mut e = env.clone();
        e[at] = value;
        e
    };
    let from = "two_full_chunks";

    let mut out = vec![
        negative("truncated_empty", from, "the empty input", &[], "truncated"),
        negative("truncated_in_magic", from, "the first 3 bytes: a prefix of \"ENRP\"", &cut(3), "truncated"),
        negative("truncated_before_version", from, "the 4 magic bytes only", &cut(4), "truncated"),
        negative(
            "truncated_in_header_ids",
            from,
            "cut inside the station id",
            &cut(23),
            "truncated",
        ),
        negative(
            "truncated_in_enc",
            from,
            "cut 10 bytes before the end of the header, inside enc",
            &cut(h - 10),
            "truncated",
        ),
        negative("truncated_after_header", from, "the header alone, no body", &cut(h), "truncated"),
        negative(
            "truncated_in_chunk",
            from,
            "cut 500 bytes into chunk 0",
            &cut(h + 500),
            "truncated",
        ),
        negative(
            "truncated_at_chunk_boundary",
            from,
            "chunk 0 whole, chunk 1 and the trailer missing",
            &cut(h + full),
            "truncated",
        ),
        negative(
            "truncated_without_trailer",
            from,
            "header and body whole, the 64-byte signature missing",
            &cut(env.len() - SIGNATURE_LEN),
            "truncated",
        ),
        negative(
            "truncated_in_trailer",
            from,
            "the last byte of the signature missing",
            &cut(env.len() - 1),
            "truncated",
        ),
        negative(
            "trailing_bytes",
            from,
            "one zero byte after the signature",
            &[env.as_slice(), &[0]].concat(),
            "malformed",
        ),
        negative("wrong_magic", from, "\"ENRQ\" instead of \"ENRP\"", &edit(3, b'Q'), "malformed"),
        negative("unknown_version_2", from, "version byte 02", &edit(4, 2), "unknown_version"),
        negative("unknown_version_0", from, "version byte 00", &edit(4, 0), "unknown_version"),
        negative(
            "unknown_version_nothing_after",
            from,
            "\"ENRP\" 02 and nothing else: an unknown version is reported before anything after byte 4 is read",
            &[b"ENRP".as_slice(), &[2]].concat(),
            "unknown_version",
        ),
        negative(
            "unsupported_suite",
            from,
            "AEAD id 0x0001 (AES-128-GCM) instead of 0x0002",
            &edit(10, 0x01),
            "malformed",
        ),
        negative(
            "chunk_size_too_small",
            from,
            "chunk size 1023, below the minimum 1024 (the length announced then differs, but the chunk size is read first)",
            &{
                let mut e = env.clone();
                let at = h - 32 - 8 - 4;
                e[at..at + 4].copy_from_slice(&1023u32.to_be_bytes());
                e
            },
            "malformed",
        ),
        negative(
            "bad_signature_trailer_bit",
            from,
            "the last signature byte with its low bit flipped",
            &edit(env.len() - 1, env[env.len() - 1] ^ 0x01),
            "bad_signature",
        ),
        negative(
            "bad_signature_modified_chunk",
            from,
            "a bit flipped in chunk 1, not re-signed: the signature catches it before any decryption",
            &edit(h + full + 7, env[h + full + 7] ^ 0x80),
            "bad_signature",
        ),
        negative(
            "bad_signature_modified_header",
            from,
            "the station id's last character changed, not re-signed",
            &edit(27, b'9'),
            "bad_signature",
        ),
        negative(
            "bad_signature_reordered_chunks",
            from,
            "chunks 0 and 1 swapped, not re-signed",
            &{
                let mut e = env.clone();
                e[h..h + full].copy_from_slice(&env[h + full..h + 2 * full]);
                e[h + full..h + 2 * full].copy_from_slice(&env[h..h + full]);
                e
            },
            "bad_signature",
        ),
    ];

    let mut other_station = negative(
        "bad_signature_other_station_key",
        from,
        "the unchanged envelope, verified with another station's public key (open_with.station_ed25519_public_hex)",
        env,
        "bad_signature",
    );
    other_station["open_with"] = json!({"station_ed25519_public_hex": hex::encode(keys.other_station.public_key())});
    out.push(other_station);

    let mut wrong_key = negative(
        "wrong_key",
        from,
        "the unchanged envelope, opened with another register's X25519 secret (open_with.register_x25519_secret_hex); \
         the header's key id names the key it needs",
        env,
        "wrong_key",
    );
    wrong_key["open_with"] =
        json!({"register_x25519_secret_hex": hex::encode(keys.other_register.encryption_secret.to_bytes())});
    out.push(wrong_key);

    // Edited and then re-signed by the station: these get past the signature to the chunks.
    let several = by_name("several_chunks");
    let (senv, sh) = (&several.envelope, several.header.header_len);
    let sfull = several.header.chunk_size as usize + TAG_LEN;
    let mut reordered = senv.clone();
    reordered[sh + sfull..sh + 2 * sfull].copy_from_slice(&senv[sh + 2 * sfull..sh + 3 * sfull]);
    reordered[sh + 2 * sfull..sh + 3 * sfull].copy_from_slice(&senv[sh + sfull..sh + 2 * sfull]);
    let mut resigned = vec![
        (
            "reordered_chunks_resigned",
            "chunks 1 and 2 swapped, then re-signed by the station: chunk 1 fails in its place",
            "several_chunks",
            resign(reordered, &keys.station),
            "chunk_corrupt",
            Some(1),
        ),
        (
            "modified_chunk_resigned",
            "a bit flipped in chunk 2, then re-signed by the station",
            "several_chunks",
            resign(
                {
                    let mut e = senv.clone();
                    e[sh + 2 * sfull + 100] ^= 0x01;
                    e
                },
                &keys.station,
            ),
            "chunk_corrupt",
            Some(2),
        ),
        (
            "modified_last_chunk_tag_resigned",
            "a bit flipped in the tag of the last chunk (4), then re-signed by the station",
            "several_chunks",
            resign(
                {
                    let mut e = senv.clone();
                    let at = e.len() - SIGNATURE_LEN - 1;
                    e[at] ^= 0x01;
                    e
                },
                &keys.station,
            ),
            "chunk_corrupt",
            Some(4),
        ),
        (
            "header_edited_resigned",
            "the registration id's last character changed, then re-signed: the header hash in every AAD fails chunk 0",
            "two_full_chunks",
            resign(edit(h - 32 - 8 - 4 - 1, b'9'), &keys.station),
            "chunk_corrupt",
            Some(0),
        ),
        (
            "low_order_enc_resigned",
            "enc replaced by 32 zero bytes (a low-order X25519 point), then re-signed: HPKE setup fails",
            "two_full_chunks",
            resign(
                {
                    let mut e = env.clone();
                    e[h - 32..h].fill(0);
                    e
                },
                &keys.station,
            ),
            "malformed",
            None,
        ),
    ];
    for (name, description, from, envelope, error, index) in resigned.drain(..) {
        let mut vector = negative(name, from, description, &envelope, error);
        if let Some(index) = index {
            vector["expected_chunk_index"] = json!(index);
        }
        out.push(vector);
    }
    out
}

/// The whole vector file as JSON.
pub fn build() -> Value {
    let keys = VectorKeys::new();
    let sealed: Vec<Sealed> = cases().iter().map(|case| seal_case(&keys, case)).collect();
    let negative = negatives(&keys, &sealed);
    json!({
        "description": "Test vectors for the enroll sealed packet envelope, version 1 (schemas/packet-envelope.md). \
                        Test keys only: never use them for real packets.",
        "generator": "cargo run -p enroll-packet --example write_vectors",
        "hpke": {
            "mode": 0,
            "kem_id": HPKE_KEM_ID,
            "kdf_id": HPKE_KDF_ID,
            "aead_id": HPKE_AEAD_ID,
            "info_hex": hex::encode(HPKE_INFO),
        },
        "keys": {
            "register": register_json(&keys.register),
            "station": station_json(&keys.station),
            "other_register": register_json(&keys.other_register),
            "other_station": station_json(&keys.other_station),
        },
        "open": "Open = schemas/packet-envelope.md section 5 steps 1 to 8 with keys.register and keys.station \
                 (or the keys a vector's open_with names): the plaintexts are plain byte strings, not containers, \
                 so step 9 does not apply",
        "positive": sealed.into_iter().map(|s| s.json).collect::<Vec<_>>(),
        "negative": negative,
    })
}

/// The file's exact text: pretty JSON (members sorted by name) and a final newline.
pub fn file_text() -> String {
    let mut text = serde_json::to_string_pretty(&build()).expect("JSON values always serialize");
    text.push('\n');
    text
}
