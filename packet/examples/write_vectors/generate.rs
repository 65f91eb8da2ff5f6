//! Builds the envelope test vectors of `schemas/vectors/envelope-v1.json` (format:
//! `schemas/packet-envelope.md` §9). Shared by the `write_vectors` example, which writes the file,
//! and by the `vectors` test, which checks that the committed file is exactly what this builds.
//!
//! Everything is deterministic: keys and each case's RFC 9180 `ikmE` are SHA-256 of fixed labels,
//! plaintexts are fixed byte patterns, and sealing goes through
//! `seal_for_register_with_ephemeral_ikm_for_test_vectors`. Negative vectors are positive ones
//! cut, edited or re-signed in one precise way each.
//!
//! The positive plaintexts are plain byte strings, so they test the envelope alone (§4 and §5
//! steps 1 to 8), whatever the container becomes; `container` is one real contents container
//! (§3) sealed the same way, for §5 step 9 and for an implementer's container reader. Every
//! negative vector names the §5 step that must stop it.

use ed25519_dalek::Signer as _;
use enroll_packet::envelope::{
    chunk_aad, envelope_signature_message, seal_for_register_with_ephemeral_ikm_for_test_vectors, sign_envelope,
    DEFAULT_CHUNK_SIZE, HPKE_AEAD_ID, HPKE_INFO, HPKE_KDF_ID, HPKE_KEM_ID, SIGNATURE_LEN, TAG_LEN,
};
use enroll_packet::signing::{ENVELOPE_SIGNATURE_LABEL, RECEIPT_SIGNATURE_LABEL};
use enroll_packet::{
    AuditEvent, BiometricException, BiometricRecord, DeviceIdentity, Document, DocumentFormat, EnvelopeHeader,
    ExceptionKind, GpsPosition, Modality, PacketContents, PacketMeta, RegisterKeyPair, StationSigningKey,
    SupervisorDecision,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256, Sha512};

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

fn station_json(station: &StationSigningKey, station_id: &str) -> Value {
    json!({
        "ed25519_seed_hex": hex::encode(station.seed()),
        "ed25519_public_hex": hex::encode(station.public_key()),
        "public_key_text": station.station_public_key().to_text(),
        "public_key_file": station.station_public_key().to_json(station_id),
    })
}

/// Station id of the container vector and of the station public key files.
const CONTAINER_STATION_ID: &str = "ST-TEST-0001";
/// Registration id of the container vector.
const CONTAINER_REGISTRATION_ID: &str = "10001-20250101-000001";

/// The real contents container of the vectors (and of `tests/envelope/vector-v1.json`): an
/// identity, a face record, a finger exception, a PDF document, an audit event and approved
/// metadata naming `station`'s public key.
pub fn real_container_contents(station: &StationSigningKey) -> PacketContents {
    PacketContents {
        identity: serde_json::json!({"fullName": "Test Resident", "dateOfBirth": "1990-01-01", "gender": "F"}),
        biometrics: vec![BiometricRecord {
            modality: Modality::Face,
            position: String::new(),
            quality: 90,
            retries: 1,
            force_captured: false,
            captured_at: "2025-01-01T09:05:00Z".into(),
            device: DeviceIdentity {
                make: "Simulated".into(),
                model: "Face camera".into(),
                serial: "SIM-FACE-0001".into(),
                simulated: true,
            },
            device_digital_id: None,
            device_signature: None,
            // Not a real face record: a 19794-5 identifier and 2000 bytes counting up, so
            // that the body spans several chunks.
            data: [
                b"FAC\x00030\x00".as_slice(),
                &(0..2000u32).map(|i| (i % 251) as u8).collect::<Vec<u8>>(),
            ]
            .concat(),
        }],
        exceptions: vec![BiometricException {
            modality: Modality::Finger,
            position: "Left Thumb".into(),
            kind: ExceptionKind::Unusable,
            reason: "scar across the whole print".into(),
        }],
        documents: vec![Document {
            category: "POI".into(),
            document_type: "DOC001".into(),
            reference_number: Some("P-0000001".into()),
            format: DocumentFormat::Pdf,
            data: b"%PDF-1.4\n% not a real document\n".to_vec(),
        }],
        audit: vec![AuditEvent {
            sequence: 1,
            at: "2025-01-01T09:00:00Z".into(),
            actor: "officer.test".into(),
            action: "registration_created".into(),
            registration_id: Some(CONTAINER_REGISTRATION_ID.into()),
            details: String::new(),
        }],
        meta: PacketMeta {
            registration_id: CONTAINER_REGISTRATION_ID.into(),
            station_id: CONTAINER_STATION_ID.into(),
            station_public_key: station.station_public_key().to_text(),
            center_id: "C-TEST".into(),
            officer: "officer.test".into(),
            supervisor: Some("supervisor.test".into()),
            supervisor_decision: Some(SupervisorDecision::Approved),
            supervisor_reason: None,
            devices: vec![DeviceIdentity {
                make: "Simulated".into(),
                model: "Face camera".into(),
                serial: "SIM-FACE-0001".into(),
                simulated: true,
            }],
            gps: Some(GpsPosition {
                latitude: 12.5,
                longitude: -1.25,
                accuracy_m: Some(10.0),
            }),
            created_at: "2025-01-01T09:00:00Z".into(),
            finalized_at: Some("2025-01-01T09:10:00Z".into()),
            approved_at: Some("2025-01-01T10:00:00Z".into()),
            software_version: "0.1.0".into(),
            consent: None,
            process: None,
        },
    }
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
            "signed_message_hex": hex::encode(envelope_signature_message(&envelope[..signed_len])),
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
    let signature = sign_envelope(&envelope, station);
    envelope.extend_from_slice(&signature);
    envelope
}

/// `envelope` with its trailer replaced by `signature`.
fn with_trailer(envelope: &[u8], signature: &[u8; 64]) -> Vec<u8> {
    [&envelope[..envelope.len() - SIGNATURE_LEN], signature.as_slice()].concat()
}

/// The group order L of edwards25519, little-endian (RFC 8032 §5.1).
const GROUP_ORDER_LE: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The identity point's encoding: a small-order point (order 1).
fn identity_point() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[0] = 1;
    bytes
}

/// A signature by `station` over the envelope message of `signed` whose `R` is the identity
/// point (small order): `S = k·a mod L` makes `[S]B = R + [k]A` hold, so a verifier that does
/// not refuse small-order `R` accepts it; §4.3 (and `verify_strict`) must refuse it.
fn signature_with_small_order_r(signed: &[u8], station: &StationSigningKey) -> [u8; 64] {
    use curve25519_dalek::scalar::Scalar;
    let message = envelope_signature_message(signed);
    let r = identity_point();
    // RFC 8032 §5.1.5: the secret scalar is the clamped first half of SHA-512(seed).
    let expanded = Sha512::digest(station.seed());
    let mut a = [0u8; 32];
    a.copy_from_slice(&expanded[..32]);
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    let a = Scalar::from_bytes_mod_order(a);
    let k_hash: [u8; 64] = Sha512::new()
        .chain_update(r)
        .chain_update(station.public_key())
        .chain_update(message)
        .finalize()
        .into();
    let k = Scalar::from_bytes_mod_order_wide(&k_hash);
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&r);
    signature[32..].copy_from_slice((k * a).as_bytes());

    // The vector only shows something if a lax verifier takes it and the strict rule does not.
    let key = station.0.verifying_key();
    let parsed = ed25519_dalek::Signature::from_bytes(&signature);
    assert!(key.verify_strict(&message, &parsed).is_err());
    assert!(
        ed25519_dalek::Verifier::verify(&key, &message, &parsed).is_ok(),
        "the small-order R signature must pass the lax check"
    );
    signature
}

/// `signature` with `S` replaced by `S + L`: the same value modulo L, in a non-canonical form
/// that a verifier checking only the top three bits of `S` accepts.
fn with_s_plus_group_order(signature: &[u8; 64]) -> [u8; 64] {
    let mut out = *signature;
    let mut carry = 0u16;
    for (i, byte) in out[32..].iter_mut().enumerate() {
        let sum = u16::from(*byte) + u16::from(GROUP_ORDER_LE[i]) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L fits in 32 bytes because S < L < 2^253");
    assert_eq!(
        out[63] & 0xe0,
        0,
        "the top three bits stay clear, so only the S < L rule catches it"
    );
    out
}

/// A non-canonical encoding (`y` = p + k, not reduced) of a point of large order: no one holds
/// its secret, but a key reader that does not re-encode would accept it.
fn non_canonical_large_order_key() -> [u8; 32] {
    (2u8..=18)
        .map(|k| {
            let mut bytes = [0xffu8; 32];
            bytes[0] = 0xed + k;
            bytes[31] = 0x7f;
            bytes
        })
        .find(|bytes| {
            ed25519_dalek::VerifyingKey::from_bytes(bytes)
                .is_ok_and(|key| !key.is_weak() && key.to_edwards().compress().to_bytes() != *bytes)
        })
        .expect("some y = p + k (2 <= k <= 18) is a point of large order")
}

/// The §5 step at which each negative vector must stop.
fn step_of(name: &str) -> u8 {
    match name {
        "truncated_empty" | "truncated_in_magic" | "wrong_magic" => 1,
        "truncated_before_version" | "unknown_version_3" | "unknown_version_0" | "unknown_version_nothing_after" => 2,
        "truncated_in_header_ids"
        | "truncated_in_enc"
        | "truncated_in_enc_after_huge_length"
        | "impossible_length_cut_in_enc"
        | "unsupported_suite"
        | "chunk_size_too_small" => 3,
        "truncated_after_header"
        | "truncated_in_chunk"
        | "truncated_at_chunk_boundary"
        | "truncated_without_trailer"
        | "truncated_in_trailer"
        | "trailing_bytes" => 4,
        "bad_signature_trailer_bit"
        | "bad_signature_modified_chunk"
        | "bad_signature_modified_header"
        | "bad_signature_reordered_chunks"
        | "bad_signature_other_station_key"
        | "bad_signature_without_label"
        | "bad_signature_small_order_r"
        | "bad_signature_non_canonical_s"
        | "bad_key_small_order_station_key"
        | "bad_key_non_canonical_station_key" => 5,
        "wrong_key" => 6,
        "low_order_enc_resigned" => 7,
        "reordered_chunks_resigned"
        | "modified_chunk_resigned"
        | "modified_last_chunk_tag_resigned"
        | "header_edited_resigned" => 8,
        "station_key_mismatch" => 9,
        other => panic!("no step given for the negative vector {other}"),
    }
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
        negative("unknown_version_3", from, "version byte 03", &edit(4, 3), "unknown_version"),
        negative("unknown_version_0", from, "version byte 00", &edit(4, 0), "unknown_version"),
        negative(
            "unknown_version_nothing_after",
            from,
            "\"ENRP\" 03 and nothing else: an unknown version is reported before anything after byte 4 is read",
            &[b"ENRP".as_slice(), &[3]].concat(),
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
            "truncated_in_enc_after_huge_length",
            from,
            "plaintext length 2^62 (its envelope length still fits in 64 bits, so the length is valid), then cut 10 \
             bytes before the end of the header, inside enc: the file ends inside a field",
            &{
                let mut e = cut(h - 10);
                e[h - 40..h - 32].copy_from_slice(&(1u64 << 62).to_be_bytes());
                e
            },
            "truncated",
        ),
        negative(
            "impossible_length_cut_in_enc",
            from,
            "plaintext length 2^64 - 1 (H + B + 64 does not fit in 64 bits), then cut inside enc: the length is \
             judged as soon as it is read, before enc, so the file is malformed, not truncated",
            &{
                let mut e = cut(h - 10);
                e[h - 40..h - 32].copy_from_slice(&u64::MAX.to_be_bytes());
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

    let signed = &env[..env.len() - SIGNATURE_LEN];
    let without_label = keys.station.0.sign(&Sha256::digest(signed)).to_bytes();
    out.push(negative(
        "bad_signature_without_label",
        from,
        "the station's valid Ed25519 signature over SHA-256(header || body) alone, without the label that §4.3 puts \
         before it",
        &with_trailer(env, &without_label),
        "bad_signature",
    ));
    out.push(negative(
        "bad_signature_small_order_r",
        from,
        "a signature by the station key whose R is the identity point (small order) and S = k*a mod L: \
         [S]B = R + [k]A holds, so a lax verifier accepts it; R of small order must be refused",
        &with_trailer(env, &signature_with_small_order_r(signed, &keys.station)),
        "bad_signature",
    ));
    let valid_signature: [u8; 64] = env[env.len() - SIGNATURE_LEN..].try_into().expect("64 bytes");
    out.push(negative(
        "bad_signature_non_canonical_s",
        from,
        "the valid signature with S replaced by S + L (the group order): equal modulo L, top three bits clear, but \
         S >= L must be refused",
        &with_trailer(env, &with_s_plus_group_order(&valid_signature)),
        "bad_signature",
    ));

    let mut small_order_key = negative(
        "bad_key_small_order_station_key",
        from,
        "verified with the identity point as station key (open_with.station_ed25519_public_hex) and the trailer \
         R = identity, S = 0, which a verifier that allows small-order keys accepts for every message",
        &with_trailer(
            env,
            &[identity_point(), [0u8; 32]].concat().try_into().expect("64 bytes"),
        ),
        "bad_key",
    );
    small_order_key["open_with"] = json!({"station_ed25519_public_hex": hex::encode(identity_point())});
    out.push(small_order_key);

    let mut non_canonical_key = negative(
        "bad_key_non_canonical_station_key",
        from,
        "the unchanged envelope, verified with a non-canonical key encoding (y = p + k, not reduced modulo p) of a \
         point of large order (open_with.station_ed25519_public_hex): refused as a key before any signature check",
        env,
        "bad_key",
    );
    non_canonical_key["open_with"] =
        json!({"station_ed25519_public_hex": hex::encode(non_canonical_large_order_key())});
    out.push(non_canonical_key);

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

    // A whole, validly signed envelope whose container names another station key.
    let mut contents = real_container_contents(&keys.station);
    contents.meta.station_public_key = keys.other_station.station_public_key().to_text();
    let mismatch = seal_case(
        keys,
        &Case {
            name: "station_key_mismatch",
            description: "",
            station_id: CONTAINER_STATION_ID,
            registration_id: CONTAINER_REGISTRATION_ID,
            chunk_size: 1024,
            plaintext: contents.to_bytes().expect("the container is valid"),
        },
    );
    out.push(negative(
        "station_key_mismatch",
        "container",
        "the container with meta.json's station_public_key naming keys.other_station, sealed and signed by \
         keys.station: steps 1 to 8 pass, step 9 refuses it",
        &mismatch.envelope,
        "station_key_mismatch",
    ));

    for vector in &mut out {
        let step = step_of(vector["name"].as_str().expect("every vector has a name"));
        vector["step"] = json!(step);
    }
    out
}

/// The container vector: [`real_container_contents`] sealed like the positive cases, with the
/// container's layout spelled out for an implementer's container reader.
fn container_vector(keys: &VectorKeys) -> Value {
    let contents = real_container_contents(&keys.station);
    let plaintext = contents.to_bytes().expect("the container is valid");
    let sealed = seal_case(
        keys,
        &Case {
            name: "container",
            description: "a real contents container (§3): identity, a face record and a finger exception in CBEFF, a \
                          PDF document, an audit event and approved metadata naming keys.station; sealed with chunk \
                          size 1024 so that it spans several chunks",
            station_id: CONTAINER_STATION_ID,
            registration_id: CONTAINER_REGISTRATION_ID,
            chunk_size: 1024,
            plaintext: plaintext.clone(),
        },
    );
    let manifest_len = u32::from_be_bytes(plaintext[5..9].try_into().expect("4 bytes")) as usize;
    let manifest_bytes = &plaintext[9..9 + manifest_len];
    let manifest: Value = serde_json::from_slice(manifest_bytes).expect("the manifest is JSON");
    let mut offset = 9 + manifest_len;
    let entries: Vec<Value> = manifest["entries"]
        .as_array()
        .expect("the manifest lists entries")
        .iter()
        .map(|entry| {
            let length = entry["length"].as_u64().expect("a length") as usize;
            let bytes = &plaintext[offset..offset + length];
            let value = json!({
                "name": entry["name"],
                "offset": offset,
                "length": length,
                "sha256_hex": hex::encode(Sha256::digest(bytes)),
            });
            offset += length;
            value
        })
        .collect();
    assert_eq!(offset, plaintext.len(), "the container ends after its last entry");
    let meta = &plaintext[entries[1]["offset"].as_u64().unwrap() as usize..]
        [..entries[1]["length"].as_u64().unwrap() as usize];

    let mut json = sealed.json;
    json["container"] = json!({
        "magic_hex": hex::encode(&plaintext[..4]),
        "version": plaintext[4],
        "manifest_len": manifest_len,
        "manifest_json": String::from_utf8(manifest_bytes.to_vec()).expect("the manifest is UTF-8"),
        "entries": entries,
        "meta_json": String::from_utf8(meta.to_vec()).expect("meta.json is UTF-8"),
    });
    json
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
        "signature_labels": {
            "envelope_hex": hex::encode(ENVELOPE_SIGNATURE_LABEL),
            "receipt_hex": hex::encode(RECEIPT_SIGNATURE_LABEL),
        },
        "keys": {
            "register": register_json(&keys.register),
            "station": station_json(&keys.station, CONTAINER_STATION_ID),
            "other_register": register_json(&keys.other_register),
            "other_station": station_json(&keys.other_station, "ST-TEST-0002"),
            "register_private_key_file": keys.register.to_json(),
            "register_public_keys_file": keys.register.public_keys().to_json(),
        },
        "open": "Open = schemas/packet-envelope.md section 5 with keys.register and keys.station (or the keys a \
                 vector's open_with names). The positive plaintexts are plain byte strings, not containers, so they \
                 open through step 8 and fail step 9 by design; the container vector opens through step 9. Each \
                 negative vector must stop at its step with its expected_error",
        "positive": sealed.into_iter().map(|s| s.json).collect::<Vec<_>>(),
        "container": container_vector(&keys),
        "negative": negative,
    })
}

/// The file's exact text: pretty JSON (members sorted by name) and a final newline.
pub fn file_text() -> String {
    let mut text = serde_json::to_string_pretty(&build()).expect("JSON values always serialize");
    text.push('\n');
    text
}
