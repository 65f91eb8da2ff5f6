//! The sealed envelope: chunked HPKE (RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256),
//! HKDF-SHA256, AES-256-GCM), signed by the station. Specified in `schemas/packet-envelope.md`.
//!
//! Why this module exists: an approved packet leaves the station only as these bytes. Only the
//! register can read them (HPKE to the register's X25519 key), anyone holding the station's
//! public key can check who made them and that they are whole (Ed25519 signature), and a reader
//! that is given a damaged file names what is wrong instead of printing "decryption failed".
//!
//! Layout (all integers big-endian):
//! ```text
//! header:  "ENRP" | version u8 (=1) | kem u16 | kdf u16 | aead u16 | register key id [8]
//!          | station id len u16 | station id (UTF-8) | registration id len u16 | registration id
//!          | chunk size u32 | plaintext length u64 | enc [32]
//! body:    chunk_0 .. chunk_n-1   each = AEAD ciphertext of up to `chunk size` plaintext bytes + 16-byte tag;
//!          every chunk but the last is exactly chunk size + 16 bytes; the last is 16..=chunk size+16
//! trailer: Ed25519 signature [64] by the station over ENVELOPE_SIGNATURE_LABEL || SHA-256(header || body)
//! ```
//! HPKE `info` = [`HPKE_INFO`] (`b"enroll packet envelope v1"`, constant). The AAD of chunk `i`
//! is `SHA-256(header) || i as u64 || final flag u8` (1 on the last chunk, else 0), 41 bytes;
//! chunk `i` is sealed with the HPKE context's `i`-th sequence number. The header hash in
//! every AAD binds every header field (ids, chunk size, length, `enc`) to every chunk.
//!
//! How each failure gets its name:
//! - The header announces the plaintext length, so the exact envelope length is known before
//!   anything is verified: a file cut anywhere (in the header, in a chunk, at a chunk boundary,
//!   in or before the trailer) is [`PacketError::Truncated`], and bytes after the trailer are
//!   [`PacketError::Malformed`]. Without the length a cut file would only show up as a bad
//!   signature, and the clerk holding a half-copied USB stick would be told it was forged.
//! - Independently of that length, the encryption layer detects truncation and reordering by
//!   itself: the AAD's index and the sequence number fail a chunk in the wrong place
//!   ([`PacketError::ChunkCorrupt`]), and a last chunk that opens only with final flag 0 means
//!   chunks are missing at the end ([`PacketError::Truncated`]).
//! - The signature is checked before any decryption ([`open_envelope`]), so a modified envelope
//!   is [`PacketError::BadSignature`] without spending HPKE work on it.
//!   [`decrypt_envelope_body`] skips the signature, to show (and test) the layer beneath it.
//!
//! The signed message starts with [`crate::signing::ENVELOPE_SIGNATURE_LABEL`], so that the
//! station key's signature on an envelope can never be taken for its signature on anything else
//! (the heads of its audit chain).
//!
//! Nothing here panics on any input: every read of envelope bytes is bounds-checked and every
//! length is computed with checked arithmetic at parse time.
//!
//! Deliberately absent: knowing which station key belongs to which station id (the caller looks
//! the key up, typically by [`EnvelopeHeader::station_id`]) and any I/O.

use ed25519_dalek::Signer as _;
use hpke::{Deserializable as _, Serializable as _};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::signing::ENVELOPE_SIGNATURE_LABEL;
use crate::{KeyId, PacketError, RegisterKeyPair, RegisterPublicKeys, StationSigningKey};

/// Default plaintext chunk size: 64 KiB.
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// Smallest chunk size a reader accepts. Tiny chunks would only add tags and HPKE work.
pub const MIN_CHUNK_SIZE: u32 = 1024;
/// Largest chunk size a reader accepts; bounds the memory one chunk needs.
pub const MAX_CHUNK_SIZE: u32 = 16 * 1024 * 1024;

/// The first four bytes of every envelope.
pub const ENVELOPE_MAGIC: [u8; 4] = *b"ENRP";
/// The envelope version whose sealed container carries the supervisor's decision inside: what
/// the station wrote before version 2, and still writes for a registration finalized by such
/// a version and approved after the upgrade. Read by every register.
pub const ENVELOPE_VERSION: u8 = 1;
/// The envelope version sealed at finalize and reviewed by appending the decision
/// ([`crate::reviewed`]).
pub const REVIEWED_ENVELOPE_VERSION: u8 = 2;
/// HPKE KEM id of DHKEM(X25519, HKDF-SHA256) (RFC 9180 §7.1).
pub const HPKE_KEM_ID: u16 = 0x0020;
/// HPKE KDF id of HKDF-SHA256 (RFC 9180 §7.2).
pub const HPKE_KDF_ID: u16 = 0x0001;
/// HPKE AEAD id of AES-256-GCM (RFC 9180 §7.3).
pub const HPKE_AEAD_ID: u16 = 0x0002;
/// The HPKE `info` of every version 1 envelope. A constant: the header is bound to the
/// ciphertext through the AAD instead, which an opener can check chunk by chunk.
pub const HPKE_INFO: &[u8] = b"enroll packet envelope v1";
/// Length of the AEAD tag at the end of every chunk.
pub const TAG_LEN: usize = 16;
/// Length of the station's Ed25519 signature that ends the envelope.
pub const SIGNATURE_LEN: usize = 64;
/// Length of the HPKE encapsulated key (the ephemeral X25519 public key).
pub const ENC_LEN: usize = 32;

/// Header bytes besides the two identifiers: magic 4, version 1, suite 6, key id 8,
/// two id lengths 2 + 2, chunk size 4, plaintext length 8, enc 32.
const FIXED_HEADER_LEN: usize = 4 + 1 + 6 + 8 + 2 + 2 + 4 + 8 + ENC_LEN;
/// The longest header there can be (both ids of the largest length a `u16` says): this many
/// first bytes of an envelope (or all of a shorter one) are always enough for
/// [`EnvelopeHeader::parse`].
pub const MAX_HEADER_LEN: usize = FIXED_HEADER_LEN + 2 * u16::MAX as usize;

pub(crate) type Kem = hpke::kem::X25519HkdfSha256;
pub(crate) type Kdf = hpke::kdf::HkdfSha256;
pub(crate) type Aead = hpke::aead::AesGcm256;
/// The station's HPKE context for one envelope.
pub(crate) type SenderContext = hpke::aead::AeadCtxS<Aead, Kdf, Kem>;

// The ids written into headers must be the ones of the types that actually do the work.
const _: () = assert!(<Kem as hpke::Kem>::KEM_ID == HPKE_KEM_ID);
const _: () = assert!(<Kdf as hpke::kdf::Kdf>::KDF_ID == HPKE_KDF_ID);
const _: () = assert!(<Aead as hpke::aead::Aead>::AEAD_ID == HPKE_AEAD_ID);

/// The parsed, unauthenticated header of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeHeader {
    pub version: u8,
    pub register_key_id: KeyId,
    pub station_id: String,
    pub registration_id: String,
    pub chunk_size: u32,
    /// Length in bytes of the sealed plaintext; fixes the number of chunks and the exact
    /// length of the envelope (see [`EnvelopeHeader::envelope_len`]).
    pub plaintext_len: u64,
    pub enc: [u8; 32],
    /// Length in bytes of the encoded header.
    pub header_len: usize,
}

impl EnvelopeHeader {
    /// Parse only the header (for routing and for the intake's checks). Needs only the
    /// header's bytes; does not look at the body or the signature.
    pub fn parse(envelope: &[u8]) -> Result<EnvelopeHeader, PacketError> {
        let mut reader = HeaderReader {
            bytes: envelope,
            position: 0,
        };

        // The magic is compared over what is there, so that a file cut inside the magic is
        // `Truncated` while a file of another kind is `Malformed`.
        let present = envelope.len().min(ENVELOPE_MAGIC.len());
        if envelope[..present] != ENVELOPE_MAGIC[..present] {
            return Err(PacketError::Malformed(
                "the file does not start with \"ENRP\"; it is not a sealed registration packet".into(),
            ));
        }
        reader.take(ENVELOPE_MAGIC.len(), "the magic bytes")?;

        // The version comes right after the magic so that every later field may change meaning
        // in a later version; nothing after it is read for an unknown version.
        let version = reader.take_u8("the version")?;
        if version != ENVELOPE_VERSION && version != REVIEWED_ENVELOPE_VERSION {
            return Err(PacketError::UnknownVersion(version));
        }

        let kem = reader.take_u16("the HPKE suite")?;
        let kdf = reader.take_u16("the HPKE suite")?;
        let aead = reader.take_u16("the HPKE suite")?;
        if (kem, kdf, aead) != (HPKE_KEM_ID, HPKE_KDF_ID, HPKE_AEAD_ID) {
            return Err(PacketError::Malformed(format!(
                "HPKE suite kem {kem:#06x}, kdf {kdf:#06x}, aead {aead:#06x} is not supported; envelopes use \
                 kem {HPKE_KEM_ID:#06x}, kdf {HPKE_KDF_ID:#06x}, aead {HPKE_AEAD_ID:#06x}"
            )));
        }

        let register_key_id = KeyId(reader.take_array("the register key id")?);
        let station_id = reader.take_string("the station id")?;
        let registration_id = reader.take_string("the registration id")?;

        let chunk_size = reader.take_u32("the chunk size")?;
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
            return Err(PacketError::Malformed(format!(
                "chunk size {chunk_size} is outside {MIN_CHUNK_SIZE}..={MAX_CHUNK_SIZE}"
            )));
        }
        let plaintext_len = reader.take_u64("the plaintext length")?;
        // Every field is checked as soon as it is read, before the next one (§5 step 3), so the
        // length is judged here, before `enc`: the header's length is already known (`enc` has
        // a fixed size), and an impossible length is `Malformed` even in a file cut inside
        // `enc`. Rejecting it once here also means the size helpers never overflow for a
        // parsed header.
        let header_len = reader.position + ENC_LEN;
        if envelope_len_of(plaintext_len, chunk_size, header_len).is_none() {
            return Err(PacketError::Malformed(format!(
                "the announced plaintext length {plaintext_len} is impossible: the envelope's length would not fit in \
                 64 bits"
            )));
        }
        let enc = reader.take_array("the encapsulated key")?;
        debug_assert_eq!(reader.position, header_len);

        Ok(EnvelopeHeader {
            version,
            register_key_id,
            station_id,
            registration_id,
            chunk_size,
            plaintext_len,
            enc,
            header_len,
        })
    }

    /// Number of chunks in the body: one per started `chunk_size` bytes of plaintext, and one
    /// (empty) chunk for an empty plaintext.
    pub fn chunk_count(&self) -> u64 {
        chunk_count(self.plaintext_len, self.chunk_size)
    }

    /// Length in bytes of the body: the plaintext plus one tag per chunk.
    pub fn body_len(&self) -> u64 {
        self.plaintext_len
            .saturating_add(self.chunk_count().saturating_mul(TAG_LEN as u64))
    }

    /// Version 1: the exact length in bytes of the whole envelope this header announces
    /// (header, body and signature). Version 2: the least it can be (header, body, a review
    /// of nothing but its length and tag, and the signature); the review's length field,
    /// after the body, gives the rest.
    pub fn envelope_len(&self) -> u64 {
        let least_review = if self.version == REVIEWED_ENVELOPE_VERSION {
            crate::reviewed::REVIEW_LEN_LEN as u64 + TAG_LEN as u64
        } else {
            0
        };
        self.checked_envelope_len()
            .and_then(|len| len.checked_add(least_review))
            .unwrap_or(u64::MAX)
    }

    /// Length in bytes of the header and the body: what a version 2 envelope is before its
    /// review, as the station keeps it while the registration waits for a supervisor.
    pub fn pending_len(&self) -> u64 {
        (self.header_len as u64).saturating_add(self.body_len())
    }

    fn checked_envelope_len(&self) -> Option<u64> {
        envelope_len_of(self.plaintext_len, self.chunk_size, self.header_len)
    }
}

/// `H + B + 64` of §4, or `None` when it does not fit in 64 bits.
fn envelope_len_of(plaintext_len: u64, chunk_size: u32, header_len: usize) -> Option<u64> {
    let tags = chunk_count(plaintext_len, chunk_size).checked_mul(TAG_LEN as u64)?;
    plaintext_len
        .checked_add(tags)?
        .checked_add(header_len as u64)?
        .checked_add(SIGNATURE_LEN as u64)
}

pub(crate) fn chunk_count(plaintext_len: u64, chunk_size: u32) -> u64 {
    // `max(1)` on the chunk size only guards hand-built headers; parsed ones are >= 1 KiB.
    plaintext_len.div_ceil(u64::from(chunk_size.max(1))).max(1)
}

/// A packet opened by the register.
#[derive(Debug)]
pub struct OpenedPacket {
    pub header: EnvelopeHeader,
    pub contents: crate::PacketContents,
    pub manifest: crate::PacketManifest,
}

/// Seal `plaintext` (a [`crate::PacketContents`] container) to the register and sign it.
pub fn seal_for_register(
    plaintext: &[u8],
    station_id: &str,
    registration_id: &str,
    station_key: &StationSigningKey,
    register: &RegisterPublicKeys,
) -> Result<Vec<u8>, PacketError> {
    seal_for_register_with_chunk_size(
        plaintext,
        station_id,
        registration_id,
        station_key,
        register,
        DEFAULT_CHUNK_SIZE,
    )
}

/// [`seal_for_register`] with a chosen plaintext chunk size (in
/// [`MIN_CHUNK_SIZE`]`..=`[`MAX_CHUNK_SIZE`]); tests use small chunks to get many of them.
pub fn seal_for_register_with_chunk_size(
    plaintext: &[u8],
    station_id: &str,
    registration_id: &str,
    station_key: &StationSigningKey,
    register: &RegisterPublicKeys,
    chunk_size: u32,
) -> Result<Vec<u8>, PacketError> {
    seal_with_ephemeral_randomness(
        plaintext,
        station_id,
        registration_id,
        station_key,
        register,
        chunk_size,
        &mut HpkeOsRng,
    )
}

/// [`seal_for_register_with_chunk_size`] with the HPKE ephemeral key derived from `ikm_e`
/// instead of fresh randomness: the same inputs always give the same envelope, byte for byte.
///
/// FOR TEST VECTORS ONLY (`schemas/vectors/`, `packet/examples/write_vectors/`), hence only in
/// builds with the `test-support` feature (and this crate's own tests). An envelope
/// sealed twice with the same `ikm_e` to the same register key reuses the HPKE key and nonces,
/// which breaks AES-GCM's confidentiality and integrity; real packets use [`seal_for_register`].
///
/// `ikm_e` is RFC 9180's `ikmE`: the ephemeral key pair is `DeriveKeyPair(ikm_e)`
/// (§7.1.3, DHKEM(X25519, HKDF-SHA256)) and `enc` is its public key, so an implementation in
/// another language reproduces the envelope with its own HPKE library's deterministic
/// encapsulation. (The `hpke` crate draws exactly these 32 bytes from the generator it is
/// given and passes them to `DeriveKeyPair`; the RFC 9180 vector test checks that.)
#[cfg(any(test, feature = "test-support"))]
pub fn seal_for_register_with_ephemeral_ikm_for_test_vectors(
    plaintext: &[u8],
    station_id: &str,
    registration_id: &str,
    station_key: &StationSigningKey,
    register: &RegisterPublicKeys,
    chunk_size: u32,
    ikm_e: &[u8; 32],
) -> Result<Vec<u8>, PacketError> {
    let mut rng = FixedEphemeralIkm::new(*ikm_e);
    let envelope = seal_with_ephemeral_randomness(
        plaintext,
        station_id,
        registration_id,
        station_key,
        register,
        chunk_size,
        &mut rng,
    )?;
    // Any other draw than exactly one `ikmE` would mean the `hpke` crate no longer derives the
    // ephemeral key as RFC 9180 says, and the envelope would not be reproducible elsewhere.
    if rng.drawn != ikm_e.len() {
        return Err(PacketError::Malformed(format!(
            "the HPKE library drew {} bytes of ephemeral randomness where RFC 9180 needs exactly {}; \
             the deterministic sealing for test vectors cannot be trusted with this hpke version",
            rng.drawn,
            ikm_e.len()
        )));
    }
    Ok(envelope)
}

/// The one sealing routine; `rng` supplies the HPKE ephemeral randomness and nothing else.
fn seal_with_ephemeral_randomness<R: hpke::rand_core::CryptoRng + hpke::rand_core::RngCore>(
    plaintext: &[u8],
    station_id: &str,
    registration_id: &str,
    station_key: &StationSigningKey,
    register: &RegisterPublicKeys,
    chunk_size: u32,
    rng: &mut R,
) -> Result<Vec<u8>, PacketError> {
    let (enc, mut context) = sender_context(station_id, registration_id, register, chunk_size, HPKE_INFO, rng)?;
    let plaintext_len = plaintext.len() as u64;
    let mut envelope = encode_header(
        ENVELOPE_VERSION,
        register.key_id(),
        station_id,
        registration_id,
        chunk_size,
        plaintext_len,
        &enc,
    );
    let header_hash: [u8; 32] = Sha256::digest(&envelope).into();

    let count = chunk_count(plaintext_len, chunk_size);
    let body_len = plaintext.len() + TAG_LEN * count as usize;
    envelope.reserve_exact(body_len + SIGNATURE_LEN);
    // `chunks` yields nothing for an empty plaintext, which still gets its one empty chunk.
    let chunks: Vec<&[u8]> = if plaintext.is_empty() {
        vec![&[]]
    } else {
        plaintext.chunks(chunk_size as usize).collect()
    };
    debug_assert_eq!(
        chunks.len() as u64,
        count,
        "chunking must agree with the announced count"
    );
    // The signature's hash runs on the other core, a chunk behind the sealing: the two passes
    // over megabytes take the time of one.
    let digest = std::thread::scope(|scope| -> Result<[u8; 32], PacketError> {
        let (to_hasher, sealed_chunks) = std::sync::mpsc::channel::<Vec<u8>>();
        let mut hasher = Sha256::new();
        hasher.update(&envelope);
        let hashing = scope.spawn(move || {
            for sealed in sealed_chunks {
                hasher.update(&sealed);
            }
            hasher.finalize().into()
        });
        for (index, chunk) in chunks.iter().enumerate() {
            let is_final = index + 1 == chunks.len();
            let aad = chunk_aad(&header_hash, index as u64, is_final);
            let sealed = context
                .seal(chunk, &aad)
                .map_err(|e| PacketError::Malformed(format!("sealing chunk {index} failed: {e}")))?;
            envelope.extend_from_slice(&sealed);
            // The hasher only stops when this sender is dropped, after the last chunk.
            let _ = to_hasher.send(sealed);
        }
        drop(to_hasher);
        Ok(hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })?;

    let signature = station_key.0.sign(&signature_message_for_digest(&digest)).to_bytes();
    envelope.extend_from_slice(&signature);
    Ok(envelope)
}

/// The checks every sealing makes before it writes a byte (chunk size, id lengths), then the
/// HPKE sender context to the register with `info`, and its `enc`.
pub(crate) fn sender_context<R: hpke::rand_core::CryptoRng + hpke::rand_core::RngCore>(
    station_id: &str,
    registration_id: &str,
    register: &RegisterPublicKeys,
    chunk_size: u32,
    info: &[u8],
    rng: &mut R,
) -> Result<([u8; ENC_LEN], SenderContext), PacketError> {
    if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
        return Err(PacketError::Malformed(format!(
            "cannot seal with chunk size {chunk_size}: it must be in {MIN_CHUNK_SIZE}..={MAX_CHUNK_SIZE}"
        )));
    }
    for (what, id) in [("station id", station_id), ("registration id", registration_id)] {
        if id.len() > usize::from(u16::MAX) {
            return Err(PacketError::Contents(format!(
                "the {what} is {} bytes long; an envelope header holds at most {}",
                id.len(),
                u16::MAX
            )));
        }
    }
    let register_public = <Kem as hpke::Kem>::PublicKey::from_bytes(&register.encryption_public)
        .map_err(|e| PacketError::BadKey(format!("the register encryption key cannot be used: {e}")))?;
    let (enc, context) = hpke::setup_sender::<Aead, Kdf, Kem, _>(&hpke::OpModeS::Base, &register_public, info, rng)
        .map_err(|_| {
            // Encapsulation fails only when the shared secret is all zeros, that is when the
            // pinned "public key" is a low-order point: a broken or hostile key file.
            PacketError::BadKey(
                "the pinned register encryption key is a low-order X25519 point; re-pin the register keys".into(),
            )
        })?;
    Ok((enc.to_bytes().into(), context))
}

/// The message the station signs for an envelope whose header and body are `header_and_body`
/// (§4.3): [`ENVELOPE_SIGNATURE_LABEL`] followed by `SHA-256(header ‖ body)`.
pub fn envelope_signature_message(header_and_body: &[u8]) -> [u8; ENVELOPE_SIGNATURE_LABEL.len() + 32] {
    signature_message_for_digest(&Sha256::digest(header_and_body).into())
}

/// [`envelope_signature_message`] for `SHA-256(header ‖ body)` already computed.
fn signature_message_for_digest(digest: &[u8; 32]) -> [u8; ENVELOPE_SIGNATURE_LABEL.len() + 32] {
    let mut message = [0u8; ENVELOPE_SIGNATURE_LABEL.len() + 32];
    message[..ENVELOPE_SIGNATURE_LABEL.len()].copy_from_slice(ENVELOPE_SIGNATURE_LABEL);
    message[ENVELOPE_SIGNATURE_LABEL.len()..].copy_from_slice(digest);
    message
}

/// The station's trailer for `header_and_body`. Public for the test vectors and the fuzz
/// targets, which re-sign edited envelopes to reach the checks behind the signature.
pub fn sign_envelope(header_and_body: &[u8], station_key: &StationSigningKey) -> [u8; SIGNATURE_LEN] {
    station_key
        .0
        .sign(&envelope_signature_message(header_and_body))
        .to_bytes()
}

/// Check the station's signature over the whole envelope without decrypting anything.
/// Returns the parsed header on success.
///
/// Errors: the header's ([`EnvelopeHeader::parse`]), then `Truncated` or `Malformed` when the
/// length differs from the one the header announces, `BadKey` when `station_public_key` is not
/// the canonical encoding of an Ed25519 point of large order ([`crate::signing::ed25519_public_key`]),
/// `BadSignature` when the signature does not verify (§4.3: `R` canonical and not of small
/// order, `S` < L, `[S]B = R + [k]A`).
pub fn verify_envelope_signature(
    envelope: &[u8],
    station_public_key: &[u8; 32],
) -> Result<EnvelopeHeader, PacketError> {
    let header = EnvelopeHeader::parse(envelope)?;
    if header.version == REVIEWED_ENVELOPE_VERSION {
        crate::reviewed::verify_signature(envelope, &header, station_public_key)?;
        return Ok(header);
    }
    check_envelope_len(&header, envelope.len())?;
    let station_key = crate::signing::ed25519_public_key(station_public_key, "station public key")?;

    // The length check above guarantees the envelope ends with exactly one signature.
    let (signed, signature) = envelope.split_at(envelope.len() - SIGNATURE_LEN);
    let signature = ed25519_dalek::Signature::from_slice(signature).map_err(|_| PacketError::BadSignature)?;
    // `verify_strict` refuses a small-order or non-canonical `R` and an `S` ≥ L: no second
    // valid encoding of a signature exists, so any changed byte of the trailer fails.
    station_key
        .verify_strict(&envelope_signature_message(signed), &signature)
        .map_err(|_| PacketError::BadSignature)?;
    Ok(header)
}

/// Verify the signature, decrypt every chunk in order, parse and check the contents.
///
/// Order of checks: header, length, station key and signature (so tampering costs no
/// decryption), register key id (`WrongKey`), chunks, then the contents, whose registration and
/// station ids must be the header's and whose `meta.json` must name the station key that
/// verified the signature (`StationKeyMismatch`).
pub fn open_envelope(
    envelope: &[u8],
    register: &RegisterKeyPair,
    station_public_key: &[u8; 32],
) -> Result<OpenedPacket, PacketError> {
    let header = verify_envelope_signature(envelope, station_public_key)?;
    check_register_key(&header, register)?;
    let plaintext = decrypt_verified_length(envelope, &header, register)?;
    let (contents, manifest) = crate::PacketContents::from_bytes(&plaintext)?;
    if contents.meta.registration_id != header.registration_id || contents.meta.station_id != header.station_id {
        return Err(PacketError::Contents(format!(
            "the envelope header names registration {:?} from station {:?}, but the sealed contents name registration {:?} from station {:?}",
            header.registration_id, header.station_id, contents.meta.registration_id, contents.meta.station_id
        )));
    }
    check_named_station_key(&contents.meta.station_public_key, station_public_key)?;
    Ok(OpenedPacket {
        header,
        contents,
        manifest,
    })
}

/// Decrypt the body WITHOUT checking the station signature, returning the header and the
/// plaintext container.
///
/// For diagnostics and tests: it shows what the encryption layer detects on its own (a chunk
/// modified, reordered, or missing). Anything that acts on a packet must use
/// [`open_envelope`], which checks who made it first.
pub fn decrypt_envelope_body(
    envelope: &[u8],
    register: &RegisterKeyPair,
) -> Result<(EnvelopeHeader, Vec<u8>), PacketError> {
    let header = EnvelopeHeader::parse(envelope)?;
    if header.version == REVIEWED_ENVELOPE_VERSION {
        crate::reviewed::check_len(envelope, &header)?;
    } else {
        check_envelope_len(&header, envelope.len())?;
    }
    check_register_key(&header, register)?;
    let plaintext = decrypt_verified_length(envelope, &header, register)?;
    Ok((header, plaintext.to_vec()))
}

/// The container of an envelope whose length was checked against its header: for version 2,
/// the container with the review spliced in, as version 1 would have carried it.
fn decrypt_verified_length(
    envelope: &[u8],
    header: &EnvelopeHeader,
    register: &RegisterKeyPair,
) -> Result<Zeroizing<Vec<u8>>, PacketError> {
    if header.version == REVIEWED_ENVELOPE_VERSION {
        return crate::reviewed::open_reviewed(envelope, header, register);
    }
    decrypt_checked_envelope(envelope, header, register)
}

/// The 41-byte AAD of chunk `index`: `SHA-256(header) || index u64 BE || final flag u8`.
pub fn chunk_aad(header_hash: &[u8; 32], index: u64, is_final: bool) -> [u8; 41] {
    let mut aad = [0u8; 41];
    aad[..32].copy_from_slice(header_hash);
    aad[32..40].copy_from_slice(&index.to_be_bytes());
    aad[40] = u8::from(is_final);
    aad
}

pub(crate) fn encode_header(
    version: u8,
    register_key_id: KeyId,
    station_id: &str,
    registration_id: &str,
    chunk_size: u32,
    plaintext_len: u64,
    enc: &[u8; ENC_LEN],
) -> Vec<u8> {
    let mut header = Vec::with_capacity(FIXED_HEADER_LEN + station_id.len() + registration_id.len());
    header.extend_from_slice(&ENVELOPE_MAGIC);
    header.push(version);
    header.extend_from_slice(&HPKE_KEM_ID.to_be_bytes());
    header.extend_from_slice(&HPKE_KDF_ID.to_be_bytes());
    header.extend_from_slice(&HPKE_AEAD_ID.to_be_bytes());
    header.extend_from_slice(&register_key_id.0);
    for id in [station_id, registration_id] {
        // The caller checked that both ids fit in a u16 length.
        header.extend_from_slice(&(id.len() as u16).to_be_bytes());
        header.extend_from_slice(id.as_bytes());
    }
    header.extend_from_slice(&chunk_size.to_be_bytes());
    header.extend_from_slice(&plaintext_len.to_be_bytes());
    header.extend_from_slice(enc);
    header
}

/// The envelope must be exactly as long as its header announces.
fn check_envelope_len(header: &EnvelopeHeader, actual: usize) -> Result<(), PacketError> {
    let actual = actual as u64;
    let expected = header.envelope_len();
    let signed_len = expected - SIGNATURE_LEN as u64;
    if actual < signed_len {
        let body_present = actual.saturating_sub(header.header_len as u64);
        return Err(PacketError::Truncated(format!(
            "the body stops after {body_present} of its {} bytes (the file has {actual} of {expected} bytes); \
             copy the file again from its source",
            header.body_len()
        )));
    }
    check_trailer_len(actual, expected)
}

/// The end of an envelope whose bytes before the signature are all there: the signature is
/// whole (else `Truncated`) and last (else `Malformed`). `expected` is the whole envelope's length.
pub(crate) fn check_trailer_len(actual: u64, expected: u64) -> Result<(), PacketError> {
    if actual < expected {
        return Err(PacketError::Truncated(format!(
            "the station signature at the end is missing {} of its {SIGNATURE_LEN} bytes; copy the file again from its source",
            expected - actual
        )));
    }
    if actual > expected {
        return Err(PacketError::Malformed(format!(
            "{} unexpected bytes follow the station signature (the envelope is {expected} bytes)",
            actual - expected
        )));
    }
    Ok(())
}

/// The container names the key of the station that made it; a packet signed by another key is
/// refused even though that key's signature is valid, so that what the register files under a
/// station always agrees with the key that vouched for it.
fn check_named_station_key(named_text: &str, verified_with: &[u8; 32]) -> Result<(), PacketError> {
    let verified = crate::keys::StationPublicKey(*verified_with);
    match crate::keys::StationPublicKey::from_text(named_text) {
        Ok(named) if named == verified => Ok(()),
        Ok(named) => Err(PacketError::StationKeyMismatch {
            named: named.key_id().to_hex(),
            verified: verified.key_id().to_hex(),
        }),
        Err(_) => Err(PacketError::StationKeyMismatch {
            named: format!("{named_text:?}, which is not a station public key"),
            verified: verified.key_id().to_hex(),
        }),
    }
}

/// Compare key ids before any HPKE work: decrypting with the wrong key would only say
/// "chunk 0 corrupt", while the id says which key the packet needs.
pub(crate) fn check_register_key(header: &EnvelopeHeader, register: &RegisterKeyPair) -> Result<(), PacketError> {
    let ours = register.public_keys().key_id();
    if header.register_key_id != ours {
        return Err(PacketError::WrongKey {
            expected: ours.to_hex(),
            found: header.register_key_id.to_hex(),
        });
    }
    Ok(())
}

/// Decrypt an envelope whose header parsed and whose length matched it.
fn decrypt_checked_envelope(
    envelope: &[u8],
    header: &EnvelopeHeader,
    register: &RegisterKeyPair,
) -> Result<Zeroizing<Vec<u8>>, PacketError> {
    // Both bounds hold because `check_envelope_len` accepted the envelope's length.
    let header_bytes = &envelope[..header.header_len];
    let body = &envelope[header.header_len..envelope.len() - SIGNATURE_LEN];
    let mut context = receiver_context(header, register, HPKE_INFO)?;
    // A failed open leaves the sequence number unchanged, so a retry uses the same nonce.
    let plaintext = decrypt_chunks(header, header_bytes, body, |_, chunk, aad| {
        context.open(chunk, aad).ok()
    })?;
    if plaintext.len() as u64 != header.plaintext_len {
        // Unreachable for a body of the announced length (the chunk layout follows from it);
        // kept as an error rather than an assertion because the input is untrusted.
        return Err(PacketError::Malformed(format!(
            "the body decrypted to {} bytes but the header announces {}",
            plaintext.len(),
            header.plaintext_len
        )));
    }
    Ok(plaintext)
}

/// The register's HPKE context for an envelope (`info` is the version's).
pub(crate) fn receiver_context(
    header: &EnvelopeHeader,
    register: &RegisterKeyPair,
    info: &[u8],
) -> Result<hpke::aead::AeadCtxR<Aead, Kdf, Kem>, PacketError> {
    let secret = Zeroizing::new(register.encryption_secret.to_bytes());
    let register_secret = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret.as_slice())
        .map_err(|e| PacketError::BadKey(format!("the register encryption secret cannot be used: {e}")))?;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&header.enc)
        .map_err(|e| PacketError::Malformed(format!("the encapsulated key cannot be read: {e}")))?;
    // Decapsulation fails only for a low-order `enc`, which no honest sender produces.
    hpke::setup_receiver::<Aead, Kdf, Kem>(&hpke::OpModeR::Base, &register_secret, &enc, info)
        .map_err(|_| PacketError::Malformed("the encapsulated key in the header is a low-order X25519 point".into()))
}

/// The encryption layer on its own: split `body` into chunks by its own length (not by the
/// header's plaintext length) and open them in order with `open(index, chunk, aad)`.
///
/// Chunk `i` fails to open when it was modified, moved, or taken from another envelope
/// (`ChunkCorrupt { index: i }`). The last chunk present is opened with final flag 1; if that
/// fails but it opens with final flag 0, it is an intact middle chunk, so the body was cut at
/// a chunk boundary (`Truncated`).
pub(crate) fn decrypt_chunks(
    header: &EnvelopeHeader,
    header_bytes: &[u8],
    body: &[u8],
    mut open: impl FnMut(u64, &[u8], &[u8]) -> Option<Vec<u8>>,
) -> Result<Zeroizing<Vec<u8>>, PacketError> {
    let header_hash: [u8; 32] = Sha256::digest(header_bytes).into();

    if body.is_empty() {
        return Err(PacketError::Truncated("the envelope has no chunks".into()));
    }
    let full_chunk = header.chunk_size as usize + TAG_LEN;
    // Room for the plaintext; bounded by the body actually present, never by a header field.
    let mut plaintext = Zeroizing::new(Vec::with_capacity(body.len()));
    let mut offset = 0usize;
    let mut index = 0u64;
    loop {
        let remaining = body.len() - offset;
        let is_final = remaining <= full_chunk;
        let chunk = &body[offset..offset + remaining.min(full_chunk)];
        if chunk.len() < TAG_LEN {
            return Err(PacketError::Truncated(format!(
                "chunk {index} has {} bytes, fewer than its {TAG_LEN}-byte tag",
                chunk.len()
            )));
        }
        match open(index, chunk, &chunk_aad(&header_hash, index, is_final)) {
            Some(opened) => plaintext.extend_from_slice(&Zeroizing::new(opened)),
            None if is_final && open(index, chunk, &chunk_aad(&header_hash, index, false)).is_some() => {
                return Err(PacketError::Truncated(format!(
                    "the body ends after chunk {index}, which is not the last chunk of the packet"
                )));
            }
            None => return Err(PacketError::ChunkCorrupt { index }),
        }
        offset += chunk.len();
        index += 1;
        if is_final {
            return Ok(plaintext);
        }
    }
}

/// A bounds-checked cursor over a header; running out of bytes is `Truncated`.
struct HeaderReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> HeaderReader<'a> {
    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], PacketError> {
        let available = self.bytes.len() - self.position;
        if len > available {
            return Err(PacketError::Truncated(format!(
                "the file ends inside the header, in {what} (offset {}: {len} bytes needed, {available} left)",
                self.position
            )));
        }
        let slice = &self.bytes[self.position..self.position + len];
        self.position += len;
        Ok(slice)
    }

    fn take_array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], PacketError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn take_u8(&mut self, what: &str) -> Result<u8, PacketError> {
        Ok(self.take_array::<1>(what)?[0])
    }

    fn take_u16(&mut self, what: &str) -> Result<u16, PacketError> {
        Ok(u16::from_be_bytes(self.take_array(what)?))
    }

    fn take_u32(&mut self, what: &str) -> Result<u32, PacketError> {
        Ok(u32::from_be_bytes(self.take_array(what)?))
    }

    fn take_u64(&mut self, what: &str) -> Result<u64, PacketError> {
        Ok(u64::from_be_bytes(self.take_array(what)?))
    }

    /// A u16-length-prefixed UTF-8 string.
    fn take_string(&mut self, what: &str) -> Result<String, PacketError> {
        let len = self.take_u16(what)?;
        let bytes = self.take(usize::from(len), what)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| PacketError::Malformed(format!("{what} in the header is not valid UTF-8")))
    }
}

/// The operating system's random generator, for `hpke`.
///
/// `hpke` 0.13 takes a generator implementing the `rand_core` 0.9 traits, while the rest of the
/// workspace (`rand` 0.8, the dalek crates) is on `rand_core` 0.6. This adapter forwards to
/// `rand` 0.8's `OsRng`, so no second `getrandom` generation is pulled in.
pub(crate) struct HpkeOsRng;

impl hpke::rand_core::RngCore for HpkeOsRng {
    fn next_u32(&mut self) -> u32 {
        rand::RngCore::next_u32(&mut rand::rngs::OsRng)
    }
    fn next_u64(&mut self) -> u64 {
        rand::RngCore::next_u64(&mut rand::rngs::OsRng)
    }
    fn fill_bytes(&mut self, destination: &mut [u8]) {
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, destination)
    }
}

// `OsRng` is a cryptographically secure generator.
impl hpke::rand_core::CryptoRng for HpkeOsRng {}

#[cfg(any(test, feature = "test-support"))]
/// A "generator" that hands out one fixed RFC 9180 `ikmE`, for
/// [`seal_for_register_with_ephemeral_ikm_for_test_vectors`]. Counts what is drawn so that the
/// caller can check that exactly the 32 bytes of `ikmE` were used; past them it yields zeros.
pub(crate) struct FixedEphemeralIkm {
    ikm: [u8; 32],
    drawn: usize,
}

#[cfg(any(test, feature = "test-support"))]
impl FixedEphemeralIkm {
    pub(crate) fn new(ikm: [u8; 32]) -> FixedEphemeralIkm {
        FixedEphemeralIkm { ikm, drawn: 0 }
    }

    /// How many bytes the HPKE library has drawn.
    pub(crate) fn drawn(&self) -> usize {
        self.drawn
    }
}

#[cfg(any(test, feature = "test-support"))]
impl hpke::rand_core::RngCore for FixedEphemeralIkm {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }
    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }
    fn fill_bytes(&mut self, destination: &mut [u8]) {
        for byte in destination {
            *byte = self.ikm.get(self.drawn).copied().unwrap_or(0);
            self.drawn += 1;
        }
    }
}

// Not secure at all, and only reachable through the function named for test vectors: the trait
// is required by `hpke::setup_sender`, whose determinism is the whole point here.
#[cfg(any(test, feature = "test-support"))]
impl hpke::rand_core::CryptoRng for FixedEphemeralIkm {}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(plaintext: &[u8], chunk_size: u32) -> (Vec<u8>, RegisterKeyPair) {
        let register = RegisterKeyPair::generate();
        let station = StationSigningKey::generate();
        let envelope = seal_for_register_with_chunk_size(
            plaintext,
            "ST-1",
            "REG-1",
            &station,
            &register.public_keys(),
            chunk_size,
        )
        .unwrap();
        (envelope, register)
    }

    /// Run the encryption layer alone on `body`, as if it were the envelope's body.
    fn decrypt_body_only(envelope: &[u8], body: &[u8], register: &RegisterKeyPair) -> Result<Vec<u8>, PacketError> {
        let header = EnvelopeHeader::parse(envelope).unwrap();
        let mut context = receiver_context(&header, register, HPKE_INFO).unwrap();
        decrypt_chunks(&header, &envelope[..header.header_len], body, |_, chunk, aad| {
            context.open(chunk, aad).ok()
        })
        .map(|p| p.to_vec())
    }

    fn body_of(envelope: &[u8]) -> &[u8] {
        let header = EnvelopeHeader::parse(envelope).unwrap();
        &envelope[header.header_len..envelope.len() - SIGNATURE_LEN]
    }

    #[test]
    fn hpke_suite_matches_rfc_9180_test_vector() {
        // RFC 9180 test vectors (github.com/cfrg/draft-irtf-cfrg-hpke, test-vectors.json):
        // mode 0, kem 0x0020, kdf 0x0001, aead 0x0002, encryptions with sequence numbers 0 and 1.
        // Opening them with the types this module seals with proves the suite ids we write.
        let sk_rm = hex::decode("497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d").unwrap();
        let enc = hex::decode("6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256").unwrap();
        let info = hex::decode("4f6465206f6e2061204772656369616e2055726e").unwrap();
        let pt = hex::decode("4265617574792069732074727574682c20747275746820626561757479").unwrap();
        let encryptions = [
            (
                "436f756e742d30",
                "e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a",
            ),
            (
                "436f756e742d31",
                "2c43aff25343fdbff864506f0818b9d87df84ea01b1a2144d23b4d40c26bf655fdf197fe40297a8aebeed5cc2d",
            ),
        ];
        let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(&sk_rm).unwrap();
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc).unwrap();
        let mut context = hpke::setup_receiver::<Aead, Kdf, Kem>(&hpke::OpModeR::Base, &sk, &enc, &info).unwrap();
        for (aad, ct) in encryptions {
            let opened = context
                .open(&hex::decode(ct).unwrap(), &hex::decode(aad).unwrap())
                .unwrap();
            assert_eq!(opened, pt);
        }
    }

    #[test]
    fn deterministic_sealing_derives_enc_from_ikm_e_as_rfc_9180_does() {
        // The same CFRG vector (mode 0, suite 0x0020/0x0001/0x0002): sealing to its pkRm with
        // its ikmE must write its enc (= pkEm) into the header. The enc does not depend on
        // `info`, so our own `info` does not matter here.
        let ikm_e: [u8; 32] = hex::decode("2cd7c601cefb3d42a62b04b7a9041494c06c7843818e0ce28a8f704ae7ab20f9")
            .unwrap()
            .try_into()
            .unwrap();
        let pk_rm: [u8; 32] = hex::decode("430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c")
            .unwrap()
            .try_into()
            .unwrap();
        let register = RegisterPublicKeys {
            encryption_public: pk_rm,
            ..RegisterKeyPair::generate().public_keys()
        };
        let station = StationSigningKey::from_seed([9; 32]);
        let seal = || {
            seal_for_register_with_ephemeral_ikm_for_test_vectors(b"x", "S", "R", &station, &register, 1024, &ikm_e)
                .unwrap()
        };
        let envelope = seal();
        let header = EnvelopeHeader::parse(&envelope).unwrap();
        assert_eq!(
            hex::encode(header.enc),
            "6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256"
        );
        assert_eq!(seal(), envelope, "same inputs, same bytes");
    }

    #[test]
    fn header_layout_has_the_documented_offsets() {
        let (envelope, register) = seal(b"hello", 4096);
        let header = EnvelopeHeader::parse(&envelope).unwrap();
        assert_eq!(&envelope[0..4], b"ENRP");
        assert_eq!(envelope[4], 1);
        assert_eq!(&envelope[5..11], &[0x00, 0x20, 0x00, 0x01, 0x00, 0x02]);
        assert_eq!(&envelope[11..19], &register.public_keys().key_id().0);
        assert_eq!(&envelope[19..21], &[0, 4]);
        assert_eq!(&envelope[21..25], b"ST-1");
        assert_eq!(&envelope[25..27], &[0, 5]);
        assert_eq!(&envelope[27..32], b"REG-1");
        assert_eq!(&envelope[32..36], &4096u32.to_be_bytes());
        assert_eq!(&envelope[36..44], &5u64.to_be_bytes());
        assert_eq!(&envelope[44..76], &header.enc);
        assert_eq!(header.header_len, 76);
        assert_eq!(header.header_len, FIXED_HEADER_LEN + 4 + 5);
        assert_eq!(envelope.len() as u64, header.envelope_len());
        assert_eq!(envelope.len(), 76 + 5 + TAG_LEN + SIGNATURE_LEN);
    }

    #[test]
    fn chunk_count_and_sizes() {
        let header = |plaintext_len| EnvelopeHeader {
            version: 1,
            register_key_id: KeyId([0; 8]),
            station_id: String::new(),
            registration_id: String::new(),
            chunk_size: 1024,
            plaintext_len,
            enc: [0; 32],
            header_len: FIXED_HEADER_LEN,
        };
        assert_eq!(header(0).chunk_count(), 1);
        assert_eq!(header(1).chunk_count(), 1);
        assert_eq!(header(1024).chunk_count(), 1);
        assert_eq!(header(1025).chunk_count(), 2);
        assert_eq!(header(3072).chunk_count(), 3);
        assert_eq!(header(3072).body_len(), 3072 + 48);
        assert_eq!(
            header(0).envelope_len(),
            (FIXED_HEADER_LEN + TAG_LEN + SIGNATURE_LEN) as u64
        );
        // A hand-built header with an impossible length saturates instead of overflowing.
        assert_eq!(header(u64::MAX).envelope_len(), u64::MAX);
    }

    #[test]
    fn impossible_plaintext_length_is_malformed() {
        let (mut envelope, _) = seal(b"x", 1024);
        envelope[36..44].copy_from_slice(&u64::MAX.to_be_bytes());
        let error = EnvelopeHeader::parse(&envelope).unwrap_err();
        assert!(
            matches!(&error, PacketError::Malformed(m) if m.contains("impossible")),
            "{error:?}"
        );
    }

    #[test]
    fn encryption_layer_alone_detects_missing_last_chunks() {
        let plaintext = vec![7u8; 3 * 1024 + 10];
        let (envelope, register) = seal(&plaintext, 1024);
        let body = body_of(&envelope);
        assert_eq!(decrypt_body_only(&envelope, body, &register).unwrap(), plaintext);
        // Cut at each chunk boundary: the new last chunk is a middle chunk (final flag 0).
        for kept_chunks in 1..=3 {
            let cut = &body[..kept_chunks * (1024 + TAG_LEN)];
            match decrypt_body_only(&envelope, cut, &register) {
                Err(PacketError::Truncated(message)) => {
                    assert!(
                        message.contains(&format!("after chunk {}", kept_chunks - 1)),
                        "{message}"
                    )
                }
                other => {
                    panic!("cut after {kept_chunks} chunks: expected Truncated, got {other:?}")
                }
            }
        }
        assert!(matches!(
            decrypt_body_only(&envelope, &[], &register),
            Err(PacketError::Truncated(_))
        ));
        // Cut inside the last chunk's tag.
        let cut = &body[..3 * (1024 + TAG_LEN) + 5];
        assert!(matches!(
            decrypt_body_only(&envelope, cut, &register),
            Err(PacketError::Truncated(_))
        ));
    }

    #[test]
    fn encryption_layer_alone_detects_reordering_and_appending() {
        let plaintext: Vec<u8> = (0..4 * 1024).map(|i| i as u8).collect();
        let (envelope, register) = seal(&plaintext, 1024);
        let full = 1024 + TAG_LEN;
        let body = body_of(&envelope).to_vec();

        let mut swapped = body.clone();
        swapped[full..2 * full].copy_from_slice(&body[2 * full..3 * full]);
        swapped[2 * full..3 * full].copy_from_slice(&body[full..2 * full]);
        assert!(matches!(
            decrypt_body_only(&envelope, &swapped, &register),
            Err(PacketError::ChunkCorrupt { index: 1 })
        ));

        // The true last chunk moved to the front fails where it lands.
        let mut rotated = body[3 * full..].to_vec();
        rotated.extend_from_slice(&body[..3 * full]);
        assert!(matches!(
            decrypt_body_only(&envelope, &rotated, &register),
            Err(PacketError::ChunkCorrupt { index: 0 })
        ));

        // A repeated chunk appended after the real end: the real last chunk now sits in a
        // middle position, where its final flag 1 no longer matches.
        let mut longer = body.clone();
        longer.extend_from_slice(&body[..full]);
        assert!(matches!(
            decrypt_body_only(&envelope, &longer, &register),
            Err(PacketError::ChunkCorrupt { index: 3 })
        ));
    }

    #[test]
    fn chunk_aad_layout() {
        let aad = chunk_aad(&[0xaa; 32], 0x0102030405060708, true);
        assert_eq!(&aad[..32], &[0xaa; 32]);
        assert_eq!(&aad[32..40], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(aad[40], 1);
        assert_eq!(chunk_aad(&[0; 32], 0, false)[40], 0);
    }

    #[test]
    fn invalid_seal_arguments_are_refused() {
        let register = RegisterKeyPair::generate().public_keys();
        let station = StationSigningKey::generate();
        for chunk_size in [0, MIN_CHUNK_SIZE - 1, MAX_CHUNK_SIZE + 1] {
            let error = seal_for_register_with_chunk_size(b"x", "S", "R", &station, &register, chunk_size).unwrap_err();
            assert_eq!(error.code(), "malformed", "{chunk_size}");
        }
        let long_id = "x".repeat(usize::from(u16::MAX) + 1);
        assert_eq!(
            seal_for_register(b"x", &long_id, "R", &station, &register)
                .unwrap_err()
                .code(),
            "contents_invalid"
        );
        // A low-order point as the register key would give an all-zero shared secret.
        let low_order = RegisterPublicKeys {
            encryption_public: [0; 32],
            ..register
        };
        assert_eq!(
            seal_for_register(b"x", "S", "R", &station, &low_order)
                .unwrap_err()
                .code(),
            "bad_key"
        );
    }
}
