//! The sealed envelope end to end: sealing and opening real packets, and every way a sealed file
//! can arrive damaged, forged, cut short or meant for someone else, each with its named error.
//!
//! The envelope's format is `schemas/packet-envelope.md`; `vector-v1.json` beside this file is a
//! committed envelope that must keep opening, so that the format cannot drift unnoticed.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::Signer as _;
use enroll_packet::envelope::{
    seal_for_register_with_chunk_size, sign_envelope, DEFAULT_CHUNK_SIZE, SIGNATURE_LEN, TAG_LEN,
};
use enroll_packet::{
    decrypt_envelope_body, open_envelope, seal_for_register, verify_envelope_signature, AuditEvent, BiometricRecord,
    DeviceIdentity, EnvelopeHeader, Modality, PacketContents, PacketError, PacketMeta, Receipt, RegisterKeyPair,
    RegisterPublicKeys, SignedReceipt, StationSigningKey, SupervisorDecision,
};
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

const STATION_ID: &str = "ST-0042";
const REGISTRATION_ID: &str = "10042-20250301-000017";
/// A small chunk size so that a few KiB of plaintext make many chunks.
const SMALL_CHUNK: u32 = 1024;
const FULL_SMALL_CHUNK: usize = SMALL_CHUNK as usize + TAG_LEN;

/// The station of these tests. A fixed key, because the contents name it in `meta.json` and
/// opening checks that they name the key that verified the signature.
fn test_station() -> StationSigningKey {
    StationSigningKey::from_seed([0x42; 32])
}

/// A register, a station, and helpers to seal for one and open as the other.
struct Parties {
    register: RegisterKeyPair,
    station: StationSigningKey,
}

impl Parties {
    fn new() -> Parties {
        Parties {
            register: RegisterKeyPair::generate(),
            station: test_station(),
        }
    }

    fn seal(&self, plaintext: &[u8], chunk_size: u32) -> Vec<u8> {
        seal_for_register_with_chunk_size(
            plaintext,
            STATION_ID,
            REGISTRATION_ID,
            &self.station,
            &self.register.public_keys(),
            chunk_size,
        )
        .expect("sealing valid input succeeds")
    }

    fn open(&self, envelope: &[u8]) -> Result<enroll_packet::OpenedPacket, PacketError> {
        open_envelope(envelope, &self.register, &self.station.public_key())
    }

    /// Replace the trailer with `key`'s valid signature over the (possibly edited) rest:
    /// what a station with a bug, or a stolen station key, would produce.
    fn resign(envelope: &mut Vec<u8>, key: &StationSigningKey) {
        envelope.truncate(envelope.len() - SIGNATURE_LEN);
        let signature = sign_envelope(envelope, key);
        envelope.extend_from_slice(&signature);
    }
}

/// Contents with a face record whose image bytes are `face` (behind a 19794-5 identifier: the
/// container checks only that), and one audit event whose details pad the container.
fn contents_with_face(face: Vec<u8>) -> PacketContents {
    PacketContents {
        identity: serde_json::json!({"fullName": "Fatima Ouedraogo", "dateOfBirth": "1987-11-23", "region": "Centre"}),
        biometrics: vec![BiometricRecord {
            modality: Modality::Face,
            position: String::new(),
            quality: 77,
            retries: 0,
            force_captured: false,
            captured_at: "2025-03-01T08:10:00Z".into(),
            device: DeviceIdentity {
                make: "Simulated".into(),
                model: "Face camera".into(),
                serial: "SIM-1".into(),
                simulated: true,
            },
            device_digital_id: None,
            device_signature: None,
            data: [b"FAC\x00030\x00".as_slice(), &face].concat(),
        }],
        audit: vec![AuditEvent {
            sequence: 1,
            at: "2025-03-01T08:00:00Z".into(),
            actor: "officer7".into(),
            action: "registration_created".into(),
            registration_id: Some(REGISTRATION_ID.into()),
            details: String::new(),
        }],
        meta: PacketMeta {
            registration_id: REGISTRATION_ID.into(),
            station_id: STATION_ID.into(),
            station_public_key: test_station().station_public_key().to_text(),
            center_id: "C-7".into(),
            officer: "officer7".into(),
            supervisor: Some("super7".into()),
            supervisor_decision: Some(SupervisorDecision::Approved),
            created_at: "2025-03-01T08:00:00Z".into(),
            finalized_at: Some("2025-03-01T08:20:00Z".into()),
            approved_at: Some("2025-03-01T09:00:00Z".into()),
            software_version: "0.1.0".into(),
            ..PacketMeta::default()
        },
        ..PacketContents::default()
    }
}

/// Contents whose container is exactly `len` bytes: no biometrics (the face would travel in
/// base64 and could not make every length), padded by a plain ASCII identity value (one byte
/// per character in JSON).
fn contents_of_exact_len(len: usize) -> (PacketContents, Vec<u8>) {
    let minimal = |padding: usize| PacketContents {
        identity: serde_json::json!({ "p": "x".repeat(padding) }),
        meta: PacketMeta {
            registration_id: REGISTRATION_ID.into(),
            station_id: STATION_ID.into(),
            station_public_key: test_station().station_public_key().to_text(),
            ..PacketMeta::default()
        },
        ..PacketContents::default()
    };
    let base = minimal(0).to_bytes().unwrap().len();
    assert!(
        base <= len,
        "a container is at least {base} bytes; ask for more than {len}"
    );
    // The padding's length appears in the manifest as a decimal number; adjust until the
    // container has the wanted size (the number's width changes at most a few times).
    let mut padding = len - base;
    for _ in 0..10 {
        let contents = minimal(padding);
        let bytes = contents.to_bytes().unwrap();
        match bytes.len().cmp(&len) {
            std::cmp::Ordering::Equal => return (contents, bytes),
            std::cmp::Ordering::Greater => padding -= bytes.len() - len,
            std::cmp::Ordering::Less => padding += len - bytes.len(),
        }
    }
    panic!("no container of exactly {len} bytes (a digit-count boundary); pick another length")
}

fn header_of(envelope: &[u8]) -> EnvelopeHeader {
    EnvelopeHeader::parse(envelope).expect("the test envelope's header parses")
}

/// Offset of the first byte of chunk `index` for the small chunk size.
fn chunk_offset(envelope: &[u8], index: usize) -> usize {
    header_of(envelope).header_len + index * FULL_SMALL_CHUNK
}

#[track_caller]
fn assert_truncated<T: std::fmt::Debug>(result: Result<T, PacketError>, context: &str) {
    match result {
        Err(PacketError::Truncated(_)) => {}
        other => panic!("{context}: expected Truncated, got {other:?}"),
    }
}

mod round_trip {
    use super::*;

    #[test]
    fn a_packet_without_biometrics_opens_whole() {
        let parties = Parties::new();
        let mut contents = contents_with_face(Vec::new());
        contents.biometrics.clear();
        let plaintext = contents.to_bytes().unwrap();
        let envelope = seal_for_register(
            &plaintext,
            STATION_ID,
            REGISTRATION_ID,
            &parties.station,
            &parties.register.public_keys(),
        )
        .unwrap();
        let opened = parties.open(&envelope).unwrap();
        assert_eq!(opened.contents, contents);
        assert_eq!(opened.header.station_id, STATION_ID);
        assert_eq!(opened.header.registration_id, REGISTRATION_ID);
        assert_eq!(opened.header.chunk_size, DEFAULT_CHUNK_SIZE);
        assert_eq!(opened.header.chunk_count(), 1);
        // identity, meta, the (empty) CBEFF and the audit events.
        assert_eq!(opened.manifest.entries.len(), 4);
    }

    #[test]
    fn an_empty_plaintext_is_one_empty_chunk() {
        let parties = Parties::new();
        let envelope = parties.seal(b"", SMALL_CHUNK);
        let header = header_of(&envelope);
        assert_eq!(header.chunk_count(), 1);
        assert_eq!(envelope.len(), header.header_len + TAG_LEN + SIGNATURE_LEN);
        let (_, plaintext) = decrypt_envelope_body(&envelope, &parties.register).unwrap();
        assert!(plaintext.is_empty());
        // Not a contents container, so opening it fully reports the contents, after the
        // signature and the decryption both succeeded.
        assert_eq!(parties.open(&envelope).unwrap_err().code(), "contents_invalid");
    }

    #[test]
    fn one_chunk_exactly_and_one_byte_more() {
        let parties = Parties::new();
        for (len, chunks) in [(1024, 1), (1025, 2), (1023, 1)] {
            let (contents, plaintext) = contents_of_exact_len(len);
            let envelope = parties.seal(&plaintext, SMALL_CHUNK);
            assert_eq!(header_of(&envelope).chunk_count(), chunks, "plaintext of {len} bytes");
            assert_eq!(parties.open(&envelope).unwrap().contents, contents);
        }
    }

    #[test]
    fn exactly_n_full_chunks() {
        let parties = Parties::new();
        let (contents, plaintext) = contents_of_exact_len(5 * SMALL_CHUNK as usize);
        let envelope = parties.seal(&plaintext, SMALL_CHUNK);
        let header = header_of(&envelope);
        assert_eq!(header.chunk_count(), 5);
        // Every chunk, the last included, is full: no empty extra chunk is added.
        assert_eq!(envelope.len(), header.header_len + 5 * FULL_SMALL_CHUNK + SIGNATURE_LEN);
        assert_eq!(parties.open(&envelope).unwrap().contents, contents);
        let (_, decrypted) = decrypt_envelope_body(&envelope, &parties.register).unwrap();
        assert_eq!(decrypted, plaintext);
    }

    #[test]
    fn many_small_chunks() {
        let parties = Parties::new();
        let face: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 256) as u8).collect();
        let contents = contents_with_face(face);
        let envelope = parties.seal(&contents.to_bytes().unwrap(), SMALL_CHUNK);
        assert!(header_of(&envelope).chunk_count() > 20);
        let opened = parties.open(&envelope).unwrap();
        assert_eq!(opened.contents, contents);
        assert_eq!(opened.manifest.entries[2].name, "individualBiometrics_bio_CBEFF.xml");
    }

    #[test]
    fn default_chunk_size_over_several_chunks() {
        let parties = Parties::new();
        let contents = contents_with_face(vec![1; 3 * DEFAULT_CHUNK_SIZE as usize]);
        let plaintext = contents.to_bytes().unwrap();
        let envelope = seal_for_register(
            &plaintext,
            STATION_ID,
            REGISTRATION_ID,
            &parties.station,
            &parties.register.public_keys(),
        )
        .unwrap();
        // The face travels in base64 inside the CBEFF: 4/3 of three chunks is four chunks, and
        // the rest of the container starts a fifth.
        assert_eq!(header_of(&envelope).chunk_count(), 5);
        assert_eq!(parties.open(&envelope).unwrap().contents, contents);
    }

    #[test]
    fn sealing_twice_gives_different_envelopes() {
        // A fresh ephemeral key per envelope: equal packets are not linkable by their bytes.
        let parties = Parties::new();
        let plaintext = contents_with_face(vec![9; 100]).to_bytes().unwrap();
        assert_ne!(
            parties.seal(&plaintext, SMALL_CHUNK),
            parties.seal(&plaintext, SMALL_CHUNK)
        );
    }

    #[test]
    fn the_header_can_be_read_from_its_own_bytes() {
        let parties = Parties::new();
        let envelope = parties.seal(&contents_with_face(vec![3; 5000]).to_bytes().unwrap(), SMALL_CHUNK);
        let header = header_of(&envelope);
        // Routing needs only the header's bytes, for example the first bytes of an upload.
        assert_eq!(EnvelopeHeader::parse(&envelope[..header.header_len]).unwrap(), header);
        assert_eq!(header.register_key_id, parties.register.public_keys().key_id());
        assert_eq!(header.envelope_len(), envelope.len() as u64);
        assert_eq!(
            verify_envelope_signature(&envelope, &parties.station.public_key()).unwrap(),
            header
        );
    }
}

mod wrong_parties {
    use super::*;

    #[test]
    fn another_register_key_is_wrong_key_with_both_ids() {
        let parties = Parties::new();
        let envelope = parties.seal(&contents_with_face(vec![1; 10]).to_bytes().unwrap(), SMALL_CHUNK);
        let other_register = RegisterKeyPair::generate();
        let expected = other_register.public_keys().key_id().to_hex();
        let found = parties.register.public_keys().key_id().to_hex();
        for result in [
            open_envelope(&envelope, &other_register, &parties.station.public_key()).map(|_| ()),
            decrypt_envelope_body(&envelope, &other_register).map(|_| ()),
        ] {
            match result {
                Err(PacketError::WrongKey { expected: e, found: f }) => {
                    assert_eq!((e.as_str(), f.as_str()), (expected.as_str(), found.as_str()))
                }
                other => panic!("expected WrongKey, got {other:?}"),
            }
        }
    }

    #[test]
    fn another_station_key_is_bad_signature() {
        let parties = Parties::new();
        let envelope = parties.seal(&contents_with_face(vec![1; 10]).to_bytes().unwrap(), SMALL_CHUNK);
        let other_station = StationSigningKey::generate();
        assert!(matches!(
            open_envelope(&envelope, &parties.register, &other_station.public_key()),
            Err(PacketError::BadSignature)
        ));
        assert!(matches!(
            verify_envelope_signature(&envelope, &other_station.public_key()),
            Err(PacketError::BadSignature)
        ));
    }

    #[test]
    fn a_signature_by_another_station_verifies_only_with_that_station_key() {
        let parties = Parties::new();
        let mut envelope = parties.seal(&contents_with_face(vec![1; 10]).to_bytes().unwrap(), SMALL_CHUNK);
        let impostor = StationSigningKey::generate();
        Parties::resign(&mut envelope, &impostor);
        assert!(matches!(parties.open(&envelope), Err(PacketError::BadSignature)));
        // The signature is the impostor's own, valid one, and checking it with the impostor's
        // key passes; but the contents name the real station's key, so the packet is still
        // refused, with its own code.
        verify_envelope_signature(&envelope, &impostor.public_key()).unwrap();
        match open_envelope(&envelope, &parties.register, &impostor.public_key()) {
            Err(error @ PacketError::StationKeyMismatch { .. }) => {
                assert_eq!(error.code(), "station_key_mismatch");
                let message = error.to_string();
                assert!(
                    message.contains(&parties.station.station_public_key().key_id().to_hex()),
                    "{message}"
                );
                assert!(
                    message.contains(&impostor.station_public_key().key_id().to_hex()),
                    "{message}"
                );
            }
            other => panic!("expected StationKeyMismatch, got {other:?}"),
        }
    }

    #[test]
    fn contents_naming_no_usable_station_key_are_a_station_key_mismatch() {
        let parties = Parties::new();
        for named in [String::new(), "not base64".into(), BASE64.encode([1u8; 32])] {
            let mut contents = contents_with_face(vec![1; 10]);
            contents.meta.station_public_key = named.clone();
            let envelope = parties.seal(&contents.to_bytes().unwrap(), SMALL_CHUNK);
            let error = parties.open(&envelope).unwrap_err();
            assert_eq!(error.code(), "station_key_mismatch", "{named:?}: {error}");
        }
    }

    #[test]
    fn a_signature_without_the_envelope_label_does_not_verify() {
        // What the station signed before the label existed: SHA-256(header ‖ body) alone. The
        // same key's signature over other bytes must never pass for an envelope signature.
        let parties = Parties::new();
        let mut envelope = parties.seal(&contents_with_face(vec![1; 10]).to_bytes().unwrap(), SMALL_CHUNK);
        let signed_len = envelope.len() - SIGNATURE_LEN;
        let bare = parties.station.0.sign(&Sha256::digest(&envelope[..signed_len]));
        envelope[signed_len..].copy_from_slice(&bare.to_bytes());
        assert!(matches!(parties.open(&envelope), Err(PacketError::BadSignature)));
        let message = enroll_packet::envelope::envelope_signature_message(&envelope[..signed_len]);
        assert!(message.starts_with(b"enroll-envelope-v1 signature"));
        assert_eq!(&message[28..], Sha256::digest(&envelope[..signed_len]).as_slice());
    }

    #[test]
    fn header_ids_that_disagree_with_the_contents_are_refused() {
        let parties = Parties::new();
        let plaintext = contents_with_face(vec![1; 10]).to_bytes().unwrap();
        let envelope = seal_for_register(
            &plaintext,
            STATION_ID,
            "some-other-registration",
            &parties.station,
            &parties.register.public_keys(),
        )
        .unwrap();
        match parties.open(&envelope) {
            Err(PacketError::Contents(message)) => {
                assert!(message.contains("some-other-registration"), "{message}")
            }
            other => panic!("expected Contents, got {other:?}"),
        }
    }
}

mod truncation {
    use super::*;

    /// A three-and-a-bit-chunk envelope and the cut points that matter.
    fn envelope_and_cuts() -> (Parties, Vec<u8>, Vec<(usize, &'static str)>) {
        let parties = Parties::new();
        let (_, plaintext) = contents_of_exact_len(3 * SMALL_CHUNK as usize + 100);
        let envelope = parties.seal(&plaintext, SMALL_CHUNK);
        let header_len = header_of(&envelope).header_len;
        let signed_len = envelope.len() - SIGNATURE_LEN;
        let cuts = vec![
            (0, "empty file"),
            (2, "inside the magic"),
            (4, "after the magic"),
            (15, "inside the register key id"),
            (25, "inside the station id"),
            (header_len - 1, "inside enc"),
            (header_len, "right after the header"),
            (header_len + 10, "inside chunk 0"),
            (chunk_offset(&envelope, 1), "at the boundary of chunks 0 and 1"),
            (chunk_offset(&envelope, 2) + 1000, "inside chunk 2"),
            (chunk_offset(&envelope, 3), "at the boundary before the last chunk"),
            (signed_len - 1, "inside the last chunk's tag"),
            (signed_len, "the whole trailer missing"),
            (signed_len + 32, "inside the trailer"),
            (envelope.len() - 1, "the last byte missing"),
        ];
        (parties, envelope, cuts)
    }

    #[test]
    fn a_cut_anywhere_is_truncated_on_open() {
        let (parties, envelope, cuts) = envelope_and_cuts();
        for (cut, place) in cuts {
            assert_truncated(parties.open(&envelope[..cut]), place);
        }
    }

    #[test]
    fn a_cut_anywhere_is_truncated_when_only_verifying() {
        let (parties, envelope, cuts) = envelope_and_cuts();
        for (cut, place) in cuts {
            assert_truncated(
                verify_envelope_signature(&envelope[..cut], &parties.station.public_key()),
                place,
            );
        }
    }

    #[test]
    fn a_cut_anywhere_is_truncated_when_only_decrypting() {
        let (parties, envelope, cuts) = envelope_and_cuts();
        for (cut, place) in cuts {
            assert_truncated(decrypt_envelope_body(&envelope[..cut], &parties.register), place);
        }
    }

    #[test]
    fn bytes_after_the_signature_are_malformed() {
        let parties = Parties::new();
        let mut envelope = parties.seal(&contents_with_face(vec![1; 10]).to_bytes().unwrap(), SMALL_CHUNK);
        envelope.push(0);
        assert_eq!(parties.open(&envelope).unwrap_err().code(), "malformed");
        assert_eq!(
            decrypt_envelope_body(&envelope, &parties.register).unwrap_err().code(),
            "malformed"
        );
    }

    #[test]
    fn a_dropped_last_chunk_with_the_length_edited_to_match_is_caught_by_the_encryption_layer() {
        // Someone removes the last chunk and rewrites the announced length so that the file
        // looks whole. The header hash in every chunk's AAD no longer matches: chunk 0 fails.
        let parties = Parties::new();
        let (_, plaintext) = contents_of_exact_len(3 * SMALL_CHUNK as usize);
        let envelope = parties.seal(&plaintext, SMALL_CHUNK);
        let header = header_of(&envelope);
        let length_at = header.header_len - 32 - 8;
        let mut shorter = envelope[..chunk_offset(&envelope, 2)].to_vec();
        shorter[length_at..length_at + 8].copy_from_slice(&(2 * SMALL_CHUNK as u64).to_be_bytes());
        shorter.extend_from_slice(&envelope[envelope.len() - SIGNATURE_LEN..]);
        assert!(matches!(
            decrypt_envelope_body(&shorter, &parties.register),
            Err(PacketError::ChunkCorrupt { index: 0 })
        ));
        assert!(matches!(parties.open(&shorter), Err(PacketError::BadSignature)));
    }

    #[test]
    fn a_station_signed_envelope_missing_its_last_chunk_is_truncated() {
        // Even a valid signature over a cut body (a station that wrote half a file and signed
        // it) cannot make it open: the announced length speaks first. The encryption layer's
        // own final-flag check behind it is tested in `envelope.rs`, where the body can be
        // handed to it without the length check.
        let parties = Parties::new();
        let (_, plaintext) = contents_of_exact_len(3 * SMALL_CHUNK as usize);
        let good = parties.seal(&plaintext, SMALL_CHUNK);
        let mut cut = good[..chunk_offset(&good, 2)].to_vec();
        cut.extend_from_slice(&good[good.len() - SIGNATURE_LEN..]);
        Parties::resign(&mut cut, &parties.station);
        assert_truncated(parties.open(&cut), "signed envelope missing its last chunk");
        assert_truncated(
            decrypt_envelope_body(&cut, &parties.register),
            "signed envelope missing its last chunk",
        );
    }
}

mod tampering {
    use super::*;

    fn sealed(parties: &Parties) -> Vec<u8> {
        let (_, plaintext) = contents_of_exact_len(4 * SMALL_CHUNK as usize + 500);
        parties.seal(&plaintext, SMALL_CHUNK)
    }

    fn swap_chunks(envelope: &mut [u8], a: usize, b: usize) {
        let (start_a, start_b) = (chunk_offset(envelope, a), chunk_offset(envelope, b));
        let chunk_a = envelope[start_a..start_a + FULL_SMALL_CHUNK].to_vec();
        envelope.copy_within(start_b..start_b + FULL_SMALL_CHUNK, start_a);
        envelope[start_b..start_b + FULL_SMALL_CHUNK].copy_from_slice(&chunk_a);
    }

    #[test]
    fn swapped_chunks_fail_the_signature_and_the_encryption_layer() {
        let parties = Parties::new();
        let mut envelope = sealed(&parties);
        swap_chunks(&mut envelope, 1, 3);
        assert!(matches!(parties.open(&envelope), Err(PacketError::BadSignature)));
        assert!(matches!(
            decrypt_envelope_body(&envelope, &parties.register),
            Err(PacketError::ChunkCorrupt { index: 1 })
        ));
        // Even when signed (a faulty station), opening names the first misplaced chunk.
        Parties::resign(&mut envelope, &parties.station);
        assert!(matches!(
            parties.open(&envelope),
            Err(PacketError::ChunkCorrupt { index: 1 })
        ));
    }

    #[test]
    fn a_chunk_from_another_envelope_is_chunk_corrupt() {
        // Same keys, same ids, same plaintext: only the ephemeral key differs, and that is
        // enough for a transplanted chunk to fail.
        let parties = Parties::new();
        let first = sealed(&parties);
        let mut second = sealed(&parties);
        let at = chunk_offset(&second, 2);
        second[at..at + FULL_SMALL_CHUNK].copy_from_slice(&first[at..at + FULL_SMALL_CHUNK]);
        assert!(matches!(
            decrypt_envelope_body(&second, &parties.register),
            Err(PacketError::ChunkCorrupt { index: 2 })
        ));
    }

    #[test]
    fn a_flipped_bit_in_each_chunk_names_that_chunk() {
        let parties = Parties::new();
        let envelope = sealed(&parties);
        let chunks = header_of(&envelope).chunk_count() as usize;
        assert_eq!(chunks, 5);
        for index in 0..chunks {
            for offset_in_chunk in [0, 500, FULL_SMALL_CHUNK - 1] {
                let at = chunk_offset(&envelope, index) + offset_in_chunk;
                if at >= envelope.len() - SIGNATURE_LEN {
                    continue; // the last chunk is shorter
                }
                let mut flipped = envelope.clone();
                flipped[at] ^= 0x10;
                assert!(matches!(parties.open(&flipped), Err(PacketError::BadSignature)));
                match decrypt_envelope_body(&flipped, &parties.register) {
                    Err(PacketError::ChunkCorrupt { index: i }) => assert_eq!(i, index as u64),
                    other => panic!("flip at byte {at}: expected ChunkCorrupt {{ index: {index} }}, got {other:?}"),
                }
            }
        }
    }

    #[test]
    fn flipped_header_fields_give_their_named_errors() {
        let parties = Parties::new();
        let envelope = sealed(&parties);
        let header = header_of(&envelope);
        let station_id_at = 21;
        let chunk_size_at = header.header_len - 32 - 8 - 4;
        let length_at = header.header_len - 32 - 8;
        let enc_at = header.header_len - 32;
        let flip = |at: usize, mask: u8| {
            let mut e = envelope.clone();
            e[at] ^= mask;
            e
        };

        // (what, flipped envelope, code on open, code when only decrypting)
        let cases = [
            ("magic", flip(0, 0x01), "malformed", "malformed"),
            ("version", flip(4, 0x05), "unknown_version", "unknown_version"),
            // Version 2 reads a review length after the body, where version 1 has its signature.
            ("version 1 to 2", flip(4, 0x03), "malformed", "malformed"),
            ("kem id", flip(6, 0x01), "malformed", "malformed"),
            ("aead id", flip(10, 0x01), "malformed", "malformed"),
            ("register key id", flip(11, 0x01), "bad_signature", "wrong_key"),
            (
                "station id",
                flip(station_id_at, 0x01),
                "bad_signature",
                "chunk_corrupt",
            ),
            // 1024 ^ 0x08 = 1032, still 5 chunks for 4596 bytes: the total length agrees, so
            // only the signature (or, without it, the chunk boundaries and AAD) catch it.
            (
                "chunk size still valid",
                flip(chunk_size_at + 3, 0x08),
                "bad_signature",
                "chunk_corrupt",
            ),
            (
                "chunk size zero",
                flip(chunk_size_at + 2, 0x04),
                "malformed",
                "malformed",
            ),
            (
                "chunk size too large",
                flip(chunk_size_at, 0x10),
                "malformed",
                "malformed",
            ),
            // 4596 = 0x11f4: 0x31f4 announces more than is there, 0x10f4 less.
            (
                "plaintext length up",
                flip(length_at + 6, 0x20),
                "truncated",
                "truncated",
            ),
            (
                "plaintext length down",
                flip(length_at + 6, 0x01),
                "malformed",
                "malformed",
            ),
            ("enc", flip(enc_at + 5, 0x01), "bad_signature", "chunk_corrupt"),
        ];
        for (what, flipped, on_open, on_decrypt) in cases {
            assert_eq!(parties.open(&flipped).unwrap_err().code(), on_open, "{what} on open");
            assert_eq!(
                decrypt_envelope_body(&flipped, &parties.register).unwrap_err().code(),
                on_decrypt,
                "{what} when only decrypting"
            );
        }
    }

    #[test]
    fn a_flipped_bit_in_the_trailer_is_bad_signature_only() {
        let parties = Parties::new();
        let envelope = sealed(&parties);
        for at in [envelope.len() - SIGNATURE_LEN, envelope.len() - 33, envelope.len() - 1] {
            let mut flipped = envelope.clone();
            flipped[at] ^= 0x80;
            assert!(
                matches!(parties.open(&flipped), Err(PacketError::BadSignature)),
                "byte {at}"
            );
            // The signature is the only thing covering the trailer: decryption alone succeeds,
            // which is why nothing may act on `decrypt_envelope_body` output.
            assert!(decrypt_envelope_body(&flipped, &parties.register).is_ok());
        }
    }

    #[test]
    fn every_single_byte_change_fails_to_open() {
        let parties = Parties::new();
        let (_, plaintext) = contents_of_exact_len(SMALL_CHUNK as usize + 300);
        let envelope = parties.seal(&plaintext, SMALL_CHUNK);
        for at in 0..envelope.len() {
            let mut changed = envelope.clone();
            changed[at] ^= 1 << (at % 8);
            let error = parties.open(&changed).expect_err("a changed envelope must not open");
            assert!(
                ["malformed", "unknown_version", "truncated", "bad_signature"].contains(&error.code()),
                "byte {at}: unexpected {error:?}"
            );
        }
    }

    #[test]
    fn unknown_versions_are_named_before_anything_else() {
        let parties = Parties::new();
        let envelope = sealed(&parties);
        for version in [0u8, 3, 255] {
            let mut other = envelope.clone();
            other[4] = version;
            for result in [
                parties.open(&other).map(|_| ()),
                decrypt_envelope_body(&other, &parties.register).map(|_| ()),
                EnvelopeHeader::parse(&other).map(|_| ()),
            ] {
                assert!(
                    matches!(result, Err(PacketError::UnknownVersion(v)) if v == version),
                    "{result:?}"
                );
            }
        }
        // A later version's header may be laid out differently: only magic and version count.
        let mut later = b"ENRP\x03".to_vec();
        later.extend_from_slice(&[0xff; 3]);
        assert!(matches!(
            EnvelopeHeader::parse(&later),
            Err(PacketError::UnknownVersion(3))
        ));
    }
}

mod garbage {
    use super::*;

    const ALLOWED: [&str; 7] = [
        "malformed",
        "truncated",
        "unknown_version",
        "bad_signature",
        "wrong_key",
        "chunk_corrupt",
        "contents_invalid",
    ];

    /// Run every entry point on `bytes`; none may panic, all must fail with a named error.
    fn assert_all_fail(parties: &Parties, bytes: &[u8]) {
        let results = [
            parties.open(bytes).map(|_| ()),
            decrypt_envelope_body(bytes, &parties.register).map(|_| ()),
            verify_envelope_signature(bytes, &parties.station.public_key()).map(|_| ()),
        ];
        for result in results {
            let error = result.expect_err("garbage must not open");
            assert!(
                ALLOWED.contains(&error.code()),
                "unexpected {error:?} for {} bytes",
                bytes.len()
            );
        }
    }

    #[test]
    fn random_bytes_never_open_and_never_panic() {
        let parties = Parties::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x454e_5250);
        // A header prefix that passes the magic, version and suite checks, to reach deeper.
        let prefix = [b'E', b'N', b'R', b'P', 1, 0x00, 0x20, 0x00, 0x01, 0x00, 0x02];
        for round in 0..3000 {
            let len = rng.gen_range(0..400);
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            if round % 2 == 0 {
                bytes.splice(0..0, prefix);
            }
            if let Ok(header) = EnvelopeHeader::parse(&bytes) {
                // A header that parsed from random bytes announces some length; the random
                // body almost surely has another, and must then fail below.
                assert!(header.header_len <= bytes.len());
            }
            assert_all_fail(&parties, &bytes);
        }
    }

    #[test]
    fn random_headers_with_consistent_lengths_never_open() {
        // Random ids and enc, but lengths that agree with the header, so that every call gets
        // past parsing to the signature, the key id and the chunks.
        let parties = Parties::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..500 {
            let mut header = b"ENRP\x01\x00\x20\x00\x01\x00\x02".to_vec();
            let key_id = if rng.gen() {
                parties.register.public_keys().key_id().0
            } else {
                rng.gen()
            };
            header.extend_from_slice(&key_id);
            for _ in 0..2 {
                let id: Vec<u8> = (0..rng.gen_range(0..10)).map(|_| rng.gen_range(b'A'..=b'Z')).collect();
                header.extend_from_slice(&(id.len() as u16).to_be_bytes());
                header.extend_from_slice(&id);
            }
            let plaintext_len: u64 = rng.gen_range(0..3000);
            header.extend_from_slice(&1024u32.to_be_bytes());
            header.extend_from_slice(&plaintext_len.to_be_bytes());
            header.extend_from_slice(&rng.gen::<[u8; 32]>());
            let chunks = plaintext_len.div_ceil(1024).max(1) as usize;
            let rest_len = plaintext_len as usize + chunks * TAG_LEN + SIGNATURE_LEN;
            let mut envelope = header;
            envelope.extend((0..rest_len).map(|_| rng.gen::<u8>()));
            assert_eq!(header_of(&envelope).envelope_len(), envelope.len() as u64);
            assert_all_fail(&parties, &envelope);
            // Without the signature check, the key id or the first chunk must stop it.
            let error = decrypt_envelope_body(&envelope, &parties.register).unwrap_err();
            assert!(
                ["wrong_key", "chunk_corrupt", "malformed"].contains(&error.code()),
                "{error:?}"
            );
        }
    }

    #[test]
    fn random_mutations_of_a_valid_envelope_never_open_and_never_panic() {
        let parties = Parties::new();
        let (_, plaintext) = contents_of_exact_len(2 * SMALL_CHUNK as usize + 77);
        let envelope = parties.seal(&plaintext, SMALL_CHUNK);
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x6d75_7461);
        let mut tried = 0;
        while tried < 3000 {
            let mut mutated = envelope.clone();
            for _ in 0..rng.gen_range(1..=4) {
                let at = rng.gen_range(0..mutated.len());
                match rng.gen_range(0..5) {
                    0 => mutated[at] ^= 1 << rng.gen_range(0..8),
                    1 => mutated[at] = rng.gen(),
                    2 => {
                        mutated.remove(at);
                    }
                    3 => mutated.insert(at, rng.gen()),
                    _ => mutated.truncate(at),
                }
                if mutated.is_empty() {
                    break;
                }
            }
            if mutated == envelope {
                continue; // a mutation that happened to restore the original proves nothing
            }
            tried += 1;
            let error = parties.open(&mutated).expect_err("a mutated envelope must not open");
            assert!(ALLOWED.contains(&error.code()), "unexpected {error:?}");
            let _ = decrypt_envelope_body(&mutated, &parties.register);
            let _ = EnvelopeHeader::parse(&mutated);
        }
    }
}

mod receipts {
    use super::*;

    #[test]
    fn a_receipt_for_a_real_envelope_signs_verifies_and_detects_tampering() {
        let parties = Parties::new();
        let envelope = parties.seal(&contents_with_face(vec![4; 300]).to_bytes().unwrap(), SMALL_CHUNK);
        let receipt = Receipt {
            registration_id: REGISTRATION_ID.into(),
            station_id: STATION_ID.into(),
            envelope_sha256: hex::encode(Sha256::digest(&envelope)),
            received_at: "2025-03-01T09:30:00Z".into(),
            intake_reference: "upload-31".into(),
        };
        let signed = SignedReceipt::sign(receipt, &parties.register.signing_key);

        // The station verifies it, after the trip through JSON, with its pinned public keys.
        let pinned = RegisterPublicKeys::from_json(&parties.register.public_keys().to_json()).unwrap();
        let travelled: SignedReceipt = serde_json::from_str(&serde_json::to_string(&signed).unwrap()).unwrap();
        travelled.verify(&pinned.signing_public).unwrap();
        assert_eq!(
            travelled.receipt.envelope_sha256,
            hex::encode(Sha256::digest(&envelope))
        );

        let mut tampered = travelled.clone();
        tampered.receipt.envelope_sha256 = hex::encode(Sha256::digest(b"another envelope"));
        assert!(matches!(
            tampered.verify(&pinned.signing_public),
            Err(PacketError::BadReceipt)
        ));

        let forged = SignedReceipt::sign(travelled.receipt.clone(), &RegisterKeyPair::generate().signing_key);
        assert!(matches!(
            forged.verify(&pinned.signing_public),
            Err(PacketError::BadReceipt)
        ));

        // The encryption key is not the signing key: pinning the wrong one never verifies.
        assert!(matches!(
            travelled.verify(&pinned.encryption_public),
            Err(PacketError::BadReceipt) | Err(PacketError::BadKey(_))
        ));
    }
}

mod key_files {
    use super::*;

    #[test]
    fn key_files_round_trip_through_disk_and_still_open_packets() {
        let dir = tempfile::tempdir().unwrap();
        let parties = Parties::new();
        let envelope = parties.seal(&contents_with_face(vec![8; 2000]).to_bytes().unwrap(), SMALL_CHUNK);

        let private_path = dir.path().join("register-private.json");
        let public_path = dir.path().join("register-public.json");
        std::fs::write(&private_path, parties.register.to_json()).unwrap();
        std::fs::write(&public_path, parties.register.public_keys().to_json()).unwrap();

        let register = RegisterKeyPair::from_json(&std::fs::read_to_string(&private_path).unwrap()).unwrap();
        let public = RegisterPublicKeys::from_json(&std::fs::read_to_string(&public_path).unwrap()).unwrap();
        assert_eq!(public, parties.register.public_keys());
        assert_eq!(register.public_keys(), public);
        let opened = open_envelope(&envelope, &register, &parties.station.public_key()).unwrap();
        assert_eq!(opened.header.register_key_id, public.key_id());

        // A station sealing with keys loaded from the public file reaches the same register.
        let plaintext = contents_with_face(vec![2; 10]).to_bytes().unwrap();
        let resealed = seal_for_register(&plaintext, STATION_ID, REGISTRATION_ID, &parties.station, &public).unwrap();
        open_envelope(&resealed, &register, &parties.station.public_key()).unwrap();
    }

    #[test]
    fn malformed_key_files_are_bad_key() {
        let register = RegisterKeyPair::generate();
        let private = register.to_json();
        let public = register.public_keys().to_json();
        let secret_b64 = BASE64.encode(register.encryption_secret.to_bytes());
        let public_b64 = BASE64.encode(register.public_keys().encryption_public);

        let private_cases = [
            ("empty file", String::new()),
            ("cut JSON", private[..private.len() / 2].to_string()),
            ("public file given", public.clone()),
            ("wrong version", private.replace("\"version\": 1", "\"version\": 3")),
            ("bad base64", private.replace(&secret_b64, "@@@@")),
            ("short key", private.replace(&secret_b64, &BASE64.encode([1u8; 16]))),
            (
                "unpadded base64",
                private.replace(&secret_b64, secret_b64.trim_end_matches('=')),
            ),
        ];
        for (what, text) in private_cases {
            match RegisterKeyPair::from_json(&text) {
                Err(PacketError::BadKey(message)) => assert!(!message.is_empty(), "{what}"),
                Err(other) => panic!("{what}: expected BadKey, got {other:?}"),
                Ok(_) => panic!("{what}: expected BadKey, got a key pair"),
            }
        }

        let public_cases = [
            ("private file given", private.clone()),
            (
                "wrong kind",
                public.replace("enroll-register-public-keys", "enroll-station-key"),
            ),
            ("long key", public.replace(&public_b64, &BASE64.encode([1u8; 40]))),
            (
                "key id of another key",
                public.replace(&register.public_keys().key_id().to_hex(), &"0".repeat(16)),
            ),
        ];
        for (what, text) in public_cases {
            assert_eq!(
                RegisterPublicKeys::from_json(&text).unwrap_err().code(),
                "bad_key",
                "{what}"
            );
        }
    }
}

mod vector {
    use super::*;

    /// The committed version 1 test vector (see `examples/envelope_vector.rs`).
    fn vector() -> serde_json::Value {
        serde_json::from_str(include_str!("vector-v1.json")).expect("the vector is JSON")
    }

    fn bytes(value: &serde_json::Value) -> Vec<u8> {
        hex::decode(value.as_str().expect("a hex string")).expect("valid hex")
    }

    #[test]
    fn the_committed_vector_still_opens() {
        let v = vector();
        let register = RegisterKeyPair::from_json(&v["register_private_key"].to_string()).unwrap();
        let public = RegisterPublicKeys::from_json(&v["register_public_keys"].to_string()).unwrap();
        assert_eq!(register.public_keys(), public);
        let station_public: [u8; 32] = BASE64
            .decode(v["station_public_key"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let envelope = bytes(&v["envelope_hex"]);
        let plaintext = bytes(&v["plaintext_hex"]);

        let opened = open_envelope(&envelope, &register, &station_public).unwrap();
        let h = &v["header"];
        assert_eq!(opened.header.register_key_id.to_hex(), h["register_key_id"]);
        assert_eq!(opened.header.station_id, h["station_id"]);
        assert_eq!(opened.header.registration_id, h["registration_id"]);
        assert_eq!(u64::from(opened.header.chunk_size), h["chunk_size"]);
        assert_eq!(opened.header.plaintext_len, h["plaintext_len"]);
        assert_eq!(opened.header.header_len as u64, h["header_len"]);
        assert_eq!(opened.header.chunk_count(), h["chunk_count"]);
        assert_eq!(
            hex::encode(Sha256::digest(&envelope[..opened.header.header_len])),
            h["sha256"]
        );
        assert_eq!(opened.contents.to_bytes().unwrap(), plaintext);
        assert_eq!(hex::encode(Sha256::digest(&plaintext)), v["plaintext_sha256"]);
        assert_eq!(hex::encode(Sha256::digest(&envelope)), v["envelope_sha256"]);
        assert_eq!(v["hpke"]["info"], "enroll packet envelope v1");
    }
}
