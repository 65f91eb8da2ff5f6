//! Envelope version 2: the packet is sealed to the register when the officer finalizes it, and
//! the supervisor's review is appended to it. Specified in `schemas/packet-envelope.md` §10.
//!
//! Why a second version: a version 1 envelope carries the decision inside its sealed container,
//! so approval had to decrypt the pending copy, splice the decision in, seal the megabytes again
//! and write them again. Version 2 seals the container once, at finalize, under a body key the
//! HPKE context exports (RFC 9180 §5.3). The station keeps that key, wrapped under its data key,
//! so that the supervisor can read the pending packet; approval adds a few hundred bytes (the
//! review, sealed under the same key, and the station's signature over everything) and erases
//! the key. The register derives the same key from its HPKE context and splices the review into
//! the container ([`crate::contents::with_review`]), so what it files is byte for byte what a
//! version 1 envelope would have carried.
//!
//! ```text
//! header:  as version 1, with version = 2
//! body:    chunks as version 1; chunk i = AES-256-GCM(body key, nonce = 0u32 ‖ i u64, AAD = chunk AAD of version 1)
//! review:  length u32 | AES-256-GCM(body key, nonce = 1u32 ‖ 0u64, AAD = SHA-256(header) ‖ "review") of the review JSON
//! trailer: Ed25519 signature [64] over REVIEWED_ENVELOPE_SIGNATURE_LABEL ‖ SHA-256(header ‖ body ‖ review length ‖ review)
//! ```
//! body key = HPKE `Export("enroll packet v2 body key", 32)` of the context set up with
//! `info` = [`HPKE_INFO_V2`]. The key seals exactly one envelope, so the nonces (the chunk index,
//! and one outside the chunks' range for the review) never repeat under it.
//!
//! What a pending envelope (header and body, no review yet) proves on its own: nothing about who
//! made it (it is not signed yet); the station only ever reads its own, under a key it keeps
//! wrapped, and the AEAD tags bind every chunk to the header and its place.
//!
//! Deliberately absent: storage (`store`) and deciding who may review (`station`).

use aes_gcm::aead::{AeadInPlace as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::audit::AuditEvent;
use crate::contents::{PacketMeta, SupervisorDecision};
use crate::envelope::{
    check_trailer_len, chunk_aad, chunk_count, decrypt_chunks, encode_header, receiver_context, sender_context,
    EnvelopeHeader, HpkeOsRng, DEFAULT_CHUNK_SIZE, REVIEWED_ENVELOPE_VERSION, SIGNATURE_LEN, TAG_LEN,
};
use crate::signing::REVIEWED_ENVELOPE_SIGNATURE_LABEL;
use crate::{PacketError, RegisterKeyPair, RegisterPublicKeys, StationSigningKey};

/// The HPKE `info` of every version 2 envelope.
pub const HPKE_INFO_V2: &[u8] = b"enroll packet envelope v2";
/// The HPKE exporter context the body key is exported under.
pub const BODY_KEY_EXPORTER_CONTEXT: &[u8] = b"enroll packet v2 body key";
/// Length of the review's length field.
pub const REVIEW_LEN_LEN: usize = 4;
/// Upper bound on a sealed review. A real one is a few KiB (the decision and the
/// registration's audit events); the bound keeps a hostile length from meaning gigabytes.
pub const MAX_REVIEW_LEN: u32 = 1024 * 1024;
/// The AAD of the review after the header's hash.
const REVIEW_AAD_LABEL: &[u8] = b"review";

/// A packet sealed at finalize, waiting for its review: the envelope's header and body, and
/// the key that reads them (the station keeps it wrapped until the review).
pub struct PendingEnvelope {
    pub bytes: Vec<u8>,
    pub body_key: Zeroizing<[u8; 32]>,
}

/// What a supervisor's review adds to a packet: the decision in its `meta.json`, and the
/// registration's audit events as its `audit.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketReview {
    pub supervisor: String,
    pub decision: SupervisorDecision,
    /// Why; required for a rejection, absent for an approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the supervisor approved (RFC 3339); absent for a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<String>,
    pub audit: Vec<AuditEvent>,
}

impl PacketReview {
    /// The fields of `meta` the review sets.
    pub fn apply_to(&self, meta: &mut PacketMeta) {
        meta.supervisor = Some(self.supervisor.clone());
        meta.supervisor_decision = Some(self.decision);
        meta.supervisor_reason = self.reason.clone();
        meta.approved_at = self.approved_at.clone();
    }
}

/// The bytes a review appends to a pending envelope, and what the whole envelope then is.
pub struct ReviewTail {
    /// Length of the pending envelope the tail follows (header and body).
    pub pending_len: u64,
    /// Review length, sealed review, signature.
    pub bytes: Vec<u8>,
    /// SHA-256 of the whole envelope (pending bytes and tail): what the register's receipt names.
    pub envelope_sha256: [u8; 32],
}

/// Seal a container (see [`crate::contents`]), given as the consecutive pieces it is made of
/// ([`crate::contents::ContainerPieces::slices`], or one slice), for the register, to be
/// reviewed later.
pub fn seal_pending(
    container: &[&[u8]],
    station_id: &str,
    registration_id: &str,
    register: &RegisterPublicKeys,
) -> Result<PendingEnvelope, PacketError> {
    seal_pending_with_chunk_size(container, station_id, registration_id, register, DEFAULT_CHUNK_SIZE)
}

/// [`seal_pending`] with a chosen chunk size (tests use small chunks to get many of them).
pub fn seal_pending_with_chunk_size(
    container: &[&[u8]],
    station_id: &str,
    registration_id: &str,
    register: &RegisterPublicKeys,
    chunk_size: u32,
) -> Result<PendingEnvelope, PacketError> {
    seal_pending_with_ephemeral_randomness(
        container,
        station_id,
        registration_id,
        register,
        chunk_size,
        &mut HpkeOsRng,
    )
}

/// [`seal_pending_with_chunk_size`] with the HPKE ephemeral key derived from `ikm_e`: the same
/// inputs always give the same pending envelope. FOR TEST VECTORS AND FUZZ SEEDS ONLY, for the
/// reason [`crate::envelope::seal_for_register_with_ephemeral_ikm_for_test_vectors`] gives.
#[cfg(any(test, feature = "test-support"))]
pub fn seal_pending_with_ephemeral_ikm_for_test_vectors(
    container: &[&[u8]],
    station_id: &str,
    registration_id: &str,
    register: &RegisterPublicKeys,
    chunk_size: u32,
    ikm_e: &[u8; 32],
) -> Result<PendingEnvelope, PacketError> {
    let mut rng = crate::envelope::FixedEphemeralIkm::new(*ikm_e);
    let pending =
        seal_pending_with_ephemeral_randomness(container, station_id, registration_id, register, chunk_size, &mut rng)?;
    if rng.drawn() != ikm_e.len() {
        return Err(PacketError::Malformed(format!(
            "the HPKE library drew {} bytes of ephemeral randomness where RFC 9180 needs exactly {}",
            rng.drawn(),
            ikm_e.len()
        )));
    }
    Ok(pending)
}

/// The one sealing routine; `rng` supplies the HPKE ephemeral randomness and nothing else.
fn seal_pending_with_ephemeral_randomness<R: hpke::rand_core::CryptoRng + hpke::rand_core::RngCore>(
    container: &[&[u8]],
    station_id: &str,
    registration_id: &str,
    register: &RegisterPublicKeys,
    chunk_size: u32,
    rng: &mut R,
) -> Result<PendingEnvelope, PacketError> {
    let (enc, context) = sender_context(station_id, registration_id, register, chunk_size, HPKE_INFO_V2, rng)?;
    let mut body_key = Zeroizing::new([0u8; 32]);
    context
        .export(BODY_KEY_EXPORTER_CONTEXT, body_key.as_mut_slice())
        .map_err(|e| PacketError::Malformed(format!("the HPKE body key cannot be exported: {e}")))?;

    let container = Pieces::new(container);
    let header = encode_header(
        REVIEWED_ENVELOPE_VERSION,
        register.key_id(),
        station_id,
        registration_id,
        chunk_size,
        container.len as u64,
        &enc,
    );
    let header_hash: [u8; 32] = Sha256::digest(&header).into();
    let count = chunk_count(container.len as u64, chunk_size) as usize;
    let mut bytes = vec![0u8; header.len() + container.len + TAG_LEN * count];
    bytes[..header.len()].copy_from_slice(&header);
    let cipher = Aes256Gcm::new(body_key.as_slice().into());
    seal_chunks_in_parallel(
        &cipher,
        &header_hash,
        &container,
        chunk_size as usize,
        &mut bytes[header.len()..],
    );
    Ok(PendingEnvelope { bytes, body_key })
}

/// Consecutive slices read as one run of bytes.
struct Pieces<'a> {
    slices: &'a [&'a [u8]],
    /// Where each slice starts in the run.
    starts: Vec<usize>,
    len: usize,
}

impl<'a> Pieces<'a> {
    fn new(slices: &'a [&'a [u8]]) -> Pieces<'a> {
        let mut starts = Vec::with_capacity(slices.len());
        let mut len = 0;
        for slice in slices {
            starts.push(len);
            len += slice.len();
        }
        Pieces { slices, starts, len }
    }

    /// Copy the run's bytes from `start` on into `out` (which the run must fill).
    fn copy_into(&self, start: usize, out: &mut [u8]) {
        // The last slice starting at or before `start` (empty slices are skipped by the loop).
        let mut piece = self.starts.partition_point(|&s| s <= start).saturating_sub(1);
        let mut at = start;
        let mut filled = 0;
        while filled < out.len() {
            let slice = self.slices[piece];
            let from = at - self.starts[piece];
            let n = (slice.len() - from).min(out.len() - filled);
            out[filled..filled + n].copy_from_slice(&slice[from..from + n]);
            filled += n;
            at += n;
            piece += 1;
        }
    }
}

/// Each chunk is sealed on its own nonce, so the chunks are split between the cores: sealing
/// is the largest pass of finalize, and the clerk waits for it.
fn seal_chunks_in_parallel(
    cipher: &Aes256Gcm,
    header_hash: &[u8; 32],
    plaintext: &Pieces<'_>,
    chunk_size: usize,
    body: &mut [u8],
) {
    // (start, length) of every chunk; an empty plaintext still has its one empty chunk.
    let chunks: Vec<(usize, usize)> = if plaintext.len == 0 {
        vec![(0, 0)]
    } else {
        (0..plaintext.len)
            .step_by(chunk_size)
            .map(|start| (start, chunk_size.min(plaintext.len - start)))
            .collect()
    };
    let last = chunks.len() - 1;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let per_worker = chunks.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let mut rest = body;
        for (group, group_chunks) in chunks.chunks(per_worker).enumerate() {
            let group_len: usize = group_chunks.iter().map(|(_, len)| len + TAG_LEN).sum();
            let (mine, after) = rest.split_at_mut(group_len);
            rest = after;
            let first_index = group * per_worker;
            scope.spawn(move || {
                let mut offset = 0;
                for (n, &(start, len)) in group_chunks.iter().enumerate() {
                    let index = first_index + n;
                    let slot = &mut mine[offset..offset + len + TAG_LEN];
                    let (text, tag) = slot.split_at_mut(len);
                    plaintext.copy_into(start, text);
                    let aad = chunk_aad(header_hash, index as u64, index == last);
                    // Sealing in place cannot fail for a buffer far below AES-GCM's 64 GiB bound.
                    let sealed_tag = cipher
                        .encrypt_in_place_detached(&chunk_nonce(index as u64), &aad, text)
                        .expect("a chunk is far below AES-GCM's length limit");
                    tag.copy_from_slice(&sealed_tag);
                    offset += slot.len();
                }
            });
        }
    });
}

/// Read a pending envelope with its body key: the container sealed at finalize. Bytes after the
/// body (a review appended by an approval that did not commit) are not read.
pub fn open_pending(
    pending: &[u8],
    body_key: &[u8; 32],
    registration_id: &str,
) -> Result<Zeroizing<Vec<u8>>, PacketError> {
    let header = pending_header(pending, registration_id)?;
    let body = &pending[header.header_len..header.pending_len() as usize];
    let cipher = Aes256Gcm::new(body_key.into());
    decrypt_chunks(&header, &pending[..header.header_len], body, |index, chunk, aad| {
        open_with(&cipher, &chunk_nonce(index), aad, chunk)
    })
}

/// The header of a pending envelope of `registration_id`, checked to be version 2 and to be
/// followed by its whole body.
fn pending_header(pending: &[u8], registration_id: &str) -> Result<EnvelopeHeader, PacketError> {
    let header = EnvelopeHeader::parse(pending)?;
    check_pending_header(&header, registration_id)?;
    if (pending.len() as u64) < header.pending_len() {
        return Err(PacketError::Truncated(format!(
            "the pending envelope has {} of its {} bytes",
            pending.len(),
            header.pending_len()
        )));
    }
    Ok(header)
}

/// A pending envelope is version 2 and names the registration it is stored for.
fn check_pending_header(header: &EnvelopeHeader, registration_id: &str) -> Result<(), PacketError> {
    if header.version != REVIEWED_ENVELOPE_VERSION {
        return Err(PacketError::Malformed(format!(
            "a pending envelope must be version {REVIEWED_ENVELOPE_VERSION}; this one is version {}",
            header.version
        )));
    }
    if header.registration_id != registration_id {
        return Err(PacketError::Contents(format!(
            "the pending envelope stored for {registration_id} is registration {}",
            header.registration_id
        )));
    }
    Ok(())
}

/// The tail that completes a pending envelope with `review`, signed by the station. Only the
/// header and the body of `pending` are taken (a tail left by an approval that did not commit
/// is replaced); the body is not decrypted, only hashed.
pub fn review_pending(
    pending: &[u8],
    body_key: &[u8; 32],
    registration_id: &str,
    review: &PacketReview,
    station_key: &StationSigningKey,
) -> Result<ReviewTail, PacketError> {
    review_pending_from(&mut &pending[..], body_key, registration_id, review, station_key)
}

/// [`review_pending`] reading the pending envelope from `pending` (its file, as the vault keeps
/// it): the megabytes are hashed as they are read, a block at a time, never held whole.
pub fn review_pending_from(
    pending: &mut impl std::io::Read,
    body_key: &[u8; 32],
    registration_id: &str,
    review: &PacketReview,
    station_key: &StationSigningKey,
) -> Result<ReviewTail, PacketError> {
    // The longest header: the fixed fields and two ids of 65,535 bytes each.
    const MAX_HEADER_LEN: usize = 67 + 2 * u16::MAX as usize;
    let mut head = Vec::with_capacity(MAX_HEADER_LEN);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut *pending, MAX_HEADER_LEN as u64),
        &mut head,
    )?;
    let header = EnvelopeHeader::parse(&head)?;
    check_pending_header(&header, registration_id)?;
    let pending_len = header.pending_len();
    let header_hash: [u8; 32] = Sha256::digest(&head[..header.header_len]).into();
    let review_section = seal_review(review, body_key, &header_hash)?;

    // One pass over the megabytes gives both hashes: the signed one stops before the
    // signature, the envelope's goes on through it.
    let mut hasher = Sha256::new();
    let from_head = head.len().min(pending_len as usize);
    hasher.update(&head[..from_head]);
    let mut left = pending_len - from_head as u64;
    let mut block = vec![0u8; 64 * 1024];
    while left > 0 {
        let want = block.len().min(left as usize);
        let read = pending.read(&mut block[..want])?;
        if read == 0 {
            return Err(PacketError::Truncated(format!(
                "the pending envelope has {} of its {pending_len} bytes",
                pending_len - left
            )));
        }
        hasher.update(&block[..read]);
        left -= read as u64;
    }
    let mut tail = review_section;
    hasher.update(&tail);
    let signed: [u8; 32] = hasher.clone().finalize().into();
    let signature = station_key.0.sign(&signature_message(&signed)).to_bytes();
    hasher.update(signature);
    tail.extend_from_slice(&signature);
    Ok(ReviewTail {
        pending_len,
        bytes: tail,
        envelope_sha256: hasher.finalize().into(),
    })
}

/// The review's length and the sealed review (§10.2).
fn seal_review(review: &PacketReview, body_key: &[u8; 32], header_hash: &[u8; 32]) -> Result<Vec<u8>, PacketError> {
    let review_json = Zeroizing::new(
        serde_json::to_vec(review)
            .map_err(|e| PacketError::Contents(format!("the review cannot be written as JSON: {e}")))?,
    );
    let mut sealed = review_json.to_vec();
    let tag = Aes256Gcm::new(body_key.into())
        .encrypt_in_place_detached(&review_nonce(), &review_aad(header_hash), &mut sealed)
        .map_err(|_| PacketError::Contents("the review is too long to seal".into()))?;
    sealed.extend_from_slice(&tag);
    let sealed_len = u32::try_from(sealed.len())
        .ok()
        .filter(|len| *len <= MAX_REVIEW_LEN)
        .ok_or_else(|| {
            PacketError::Contents(format!(
                "the sealed review is {} bytes; an envelope holds at most {MAX_REVIEW_LEN}",
                sealed.len()
            ))
        })?;
    let mut section = Vec::with_capacity(REVIEW_LEN_LEN + sealed.len() + SIGNATURE_LEN);
    section.extend_from_slice(&sealed_len.to_be_bytes());
    section.extend_from_slice(&sealed);
    Ok(section)
}

/// The station's trailer for the first `H + B + 4 + K` bytes of a version 2 envelope. For the
/// fuzz targets, which re-sign edited envelopes to reach the checks behind the signature;
/// [`review_pending`] signs from the hash it computes anyway.
pub fn sign_reviewed_envelope(signed: &[u8], station_key: &StationSigningKey) -> [u8; SIGNATURE_LEN] {
    station_key
        .0
        .sign(&signature_message(&Sha256::digest(signed).into()))
        .to_bytes()
}

/// The exact length check of a version 2 envelope: the review's length field (after the body)
/// gives the rest.
pub(crate) fn check_len(envelope: &[u8], header: &EnvelopeHeader) -> Result<ReviewSpan, PacketError> {
    let actual = envelope.len() as u64;
    let pending_len = header.pending_len();
    let length_end = pending_len.saturating_add(REVIEW_LEN_LEN as u64);
    if actual < length_end {
        let body_present = actual.saturating_sub(header.header_len as u64).min(header.body_len());
        return Err(PacketError::Truncated(format!(
            "the body stops after {body_present} of its {} bytes, before the supervisor's review; copy the file again from its source",
            header.body_len()
        )));
    }
    let at = pending_len as usize;
    let mut length = [0u8; REVIEW_LEN_LEN];
    length.copy_from_slice(&envelope[at..at + REVIEW_LEN_LEN]);
    let review_len = u32::from_be_bytes(length);
    if !(TAG_LEN as u32..=MAX_REVIEW_LEN).contains(&review_len) {
        return Err(PacketError::Malformed(format!(
            "the review is announced as {review_len} bytes; a sealed review has {TAG_LEN}..={MAX_REVIEW_LEN}"
        )));
    }
    let review_end = length_end + u64::from(review_len);
    let expected = review_end + SIGNATURE_LEN as u64;
    if actual < review_end {
        return Err(PacketError::Truncated(format!(
            "the supervisor's review stops after {} of its {review_len} bytes; copy the file again from its source",
            actual - length_end
        )));
    }
    check_trailer_len(actual, expected)?;
    Ok(ReviewSpan {
        start: length_end as usize,
        end: review_end as usize,
    })
}

/// Where the sealed review lies in an envelope whose length was checked.
pub(crate) struct ReviewSpan {
    start: usize,
    end: usize,
}

/// The signature check of a version 2 envelope (see [`crate::envelope::verify_envelope_signature`]).
pub(crate) fn verify_signature(
    envelope: &[u8],
    header: &EnvelopeHeader,
    station_public_key: &[u8; 32],
) -> Result<(), PacketError> {
    check_len(envelope, header)?;
    let station_key = crate::signing::ed25519_public_key(station_public_key, "station public key")?;
    let (signed, signature) = envelope.split_at(envelope.len() - SIGNATURE_LEN);
    let signature = ed25519_dalek::Signature::from_slice(signature).map_err(|_| PacketError::BadSignature)?;
    station_key
        .verify_strict(&signature_message(&Sha256::digest(signed).into()), &signature)
        .map_err(|_| PacketError::BadSignature)
}

/// The register's side: the container of a version 2 envelope (length already checked) with
/// its review spliced in.
pub(crate) fn open_reviewed(
    envelope: &[u8],
    header: &EnvelopeHeader,
    register: &RegisterKeyPair,
) -> Result<Zeroizing<Vec<u8>>, PacketError> {
    let span = check_len(envelope, header)?;
    let context = receiver_context(header, register, HPKE_INFO_V2)?;
    let mut body_key = Zeroizing::new([0u8; 32]);
    context
        .export(BODY_KEY_EXPORTER_CONTEXT, body_key.as_mut_slice())
        .map_err(|e| PacketError::Malformed(format!("the HPKE body key cannot be exported: {e}")))?;
    let cipher = Aes256Gcm::new(body_key.as_slice().into());
    let header_bytes = &envelope[..header.header_len];
    let body = &envelope[header.header_len..header.pending_len() as usize];
    let container = decrypt_chunks(header, header_bytes, body, |index, chunk, aad| {
        open_with(&cipher, &chunk_nonce(index), aad, chunk)
    })?;
    let header_hash: [u8; 32] = Sha256::digest(header_bytes).into();
    let review_json = open_with(
        &cipher,
        &review_nonce(),
        &review_aad(&header_hash),
        &envelope[span.start..span.end],
    )
    .map(Zeroizing::new)
    .ok_or_else(|| PacketError::Malformed("the supervisor's review does not open under this envelope's key".into()))?;
    let review: PacketReview = serde_json::from_slice(&review_json)
        .map_err(|e| PacketError::Contents(format!("the supervisor's review does not parse: {e}")))?;
    let mut meta = crate::contents::read_meta(&container)?;
    review.apply_to(&mut meta);
    Ok(Zeroizing::new(crate::contents::with_review(
        &container,
        &meta,
        &review.audit,
    )?))
}

fn open_with(
    cipher: &Aes256Gcm,
    nonce: &Nonce<aes_gcm::aes::cipher::consts::U12>,
    aad: &[u8],
    sealed: &[u8],
) -> Option<Vec<u8>> {
    let (text, tag) = sealed.split_at(sealed.len().checked_sub(TAG_LEN)?);
    let mut opened = text.to_vec();
    cipher
        .decrypt_in_place_detached(nonce, aad, &mut opened, Tag::from_slice(tag))
        .ok()?;
    Some(opened)
}

/// Chunk `index`'s nonce: four zero bytes, then the index.
fn chunk_nonce(index: u64) -> Nonce<aes_gcm::aes::cipher::consts::U12> {
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&index.to_be_bytes());
    nonce.into()
}

/// The review's nonce: outside the chunks' range (their first four bytes are zero).
fn review_nonce() -> Nonce<aes_gcm::aes::cipher::consts::U12> {
    let mut nonce = [0u8; 12];
    nonce[3] = 1;
    nonce.into()
}

fn review_aad(header_hash: &[u8; 32]) -> Vec<u8> {
    [header_hash.as_slice(), REVIEW_AAD_LABEL].concat()
}

fn signature_message(digest: &[u8; 32]) -> Vec<u8> {
    [REVIEWED_ENVELOPE_SIGNATURE_LABEL, digest.as_slice()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::MIN_CHUNK_SIZE;
    use crate::testing::sample_packet_contents;
    use crate::{decrypt_envelope_body, open_envelope, seal_for_register, PacketContents};

    struct Sealed {
        register: RegisterKeyPair,
        station: StationSigningKey,
        pending: PendingEnvelope,
        /// The container as finalize wrote it: no decision, no audit events.
        container: Vec<u8>,
    }

    fn sealed_pending(face_bytes: usize, chunk_size: u32) -> Sealed {
        let register = RegisterKeyPair::generate();
        let station = StationSigningKey::generate();
        let mut contents = sample_packet_contents(station.station_public_key(), "ST-1", "REG-1", face_bytes);
        contents.meta.supervisor = None;
        contents.meta.approved_at = None;
        let container = contents.to_bytes().unwrap();
        // Sealed from pieces cut at odd places (and an empty one), so chunks span several.
        let mut pieces: Vec<&[u8]> = container.chunks(777).collect();
        pieces.insert(3, &[]);
        let pending =
            seal_pending_with_chunk_size(&pieces, "ST-1", "REG-1", &register.public_keys(), chunk_size).unwrap();
        Sealed {
            register,
            station,
            pending,
            container,
        }
    }

    fn approval() -> PacketReview {
        PacketReview {
            supervisor: "super1".into(),
            decision: SupervisorDecision::Approved,
            reason: None,
            approved_at: Some("2025-03-01T10:00:00Z".into()),
            audit: vec![AuditEvent {
                sequence: 7,
                at: "2025-03-01T10:00:00Z".into(),
                actor: "super1".into(),
                action: "registration_approved".into(),
                registration_id: Some("REG-1".into()),
                details: String::new(),
            }],
        }
    }

    fn reviewed(sealed: &Sealed, review: &PacketReview) -> Vec<u8> {
        let tail = review_pending(
            &sealed.pending.bytes,
            &sealed.pending.body_key,
            "REG-1",
            review,
            &sealed.station,
        )
        .unwrap();
        assert_eq!(tail.pending_len, sealed.pending.bytes.len() as u64);
        let envelope = [sealed.pending.bytes.as_slice(), &tail.bytes].concat();
        assert_eq!(tail.envelope_sha256, <[u8; 32]>::from(Sha256::digest(&envelope)));
        envelope
    }

    #[test]
    fn the_station_reads_its_pending_envelope_with_the_body_key_and_only_with_it() {
        let sealed = sealed_pending(200_000, MIN_CHUNK_SIZE);
        let opened = open_pending(&sealed.pending.bytes, &sealed.pending.body_key, "REG-1").unwrap();
        assert_eq!(opened.as_slice(), sealed.container.as_slice());

        let wrong_key = [7u8; 32];
        assert!(matches!(
            open_pending(&sealed.pending.bytes, &wrong_key, "REG-1"),
            Err(PacketError::ChunkCorrupt { index: 0 })
        ));
        assert!(matches!(
            open_pending(&sealed.pending.bytes, &sealed.pending.body_key, "REG-2"),
            Err(PacketError::Contents(_))
        ));
        let mut damaged = sealed.pending.bytes.clone();
        let header = EnvelopeHeader::parse(&damaged).unwrap();
        damaged[header.header_len + 5000] ^= 1;
        assert!(matches!(
            open_pending(&damaged, &sealed.pending.body_key, "REG-1"),
            Err(PacketError::ChunkCorrupt { index: 4 })
        ));
        let cut = &sealed.pending.bytes[..sealed.pending.bytes.len() - 1];
        assert!(matches!(
            open_pending(cut, &sealed.pending.body_key, "REG-1"),
            Err(PacketError::Truncated(_))
        ));
    }

    #[test]
    fn the_register_files_the_same_container_as_a_version_1_envelope_sealed_after_the_review() {
        let sealed = sealed_pending(200_000, MIN_CHUNK_SIZE);
        let review = approval();
        let envelope = reviewed(&sealed, &review);
        let opened = open_envelope(&envelope, &sealed.register, &sealed.station.public_key()).unwrap();
        assert_eq!(opened.header.version, REVIEWED_ENVELOPE_VERSION);
        assert_eq!(opened.contents.meta.supervisor.as_deref(), Some("super1"));
        assert_eq!(
            opened.contents.meta.supervisor_decision,
            Some(SupervisorDecision::Approved)
        );
        assert_eq!(opened.contents.audit, review.audit);

        // What version 1 carries for the same decision: the review spliced in before sealing.
        let mut meta = crate::contents::read_meta(&sealed.container).unwrap();
        review.apply_to(&mut meta);
        let spliced = crate::contents::with_review(&sealed.container, &meta, &review.audit).unwrap();
        let v1 = seal_for_register(
            &spliced,
            "ST-1",
            "REG-1",
            &sealed.station,
            &sealed.register.public_keys(),
        )
        .unwrap();
        let (_, v1_plaintext) = decrypt_envelope_body(&v1, &sealed.register).unwrap();
        let (_, v2_plaintext) = decrypt_envelope_body(&envelope, &sealed.register).unwrap();
        assert_eq!(v2_plaintext, v1_plaintext);
        let (parsed, _) = PacketContents::from_bytes(&v2_plaintext).unwrap();
        assert_eq!(parsed.meta, opened.contents.meta);
    }

    #[test]
    fn a_rejection_carries_its_reason_and_no_approval_time() {
        let sealed = sealed_pending(5_000, MIN_CHUNK_SIZE);
        let review = PacketReview {
            decision: SupervisorDecision::Rejected,
            reason: Some("the face photo is of someone else".into()),
            approved_at: None,
            ..approval()
        };
        let envelope = reviewed(&sealed, &review);
        let opened = open_envelope(&envelope, &sealed.register, &sealed.station.public_key()).unwrap();
        assert_eq!(
            opened.contents.meta.supervisor_decision,
            Some(SupervisorDecision::Rejected)
        );
        assert_eq!(
            opened.contents.meta.supervisor_reason.as_deref(),
            Some("the face photo is of someone else")
        );
        assert_eq!(opened.contents.meta.approved_at, None);
    }

    #[test]
    fn a_review_left_by_an_approval_that_did_not_commit_is_replaced_not_kept() {
        let sealed = sealed_pending(5_000, MIN_CHUNK_SIZE);
        let first = reviewed(&sealed, &approval());
        // The file as a crash left it: the pending bytes and a first tail. The station reads it
        // as pending still, and the next review replaces that tail.
        assert_eq!(
            open_pending(&first, &sealed.pending.body_key, "REG-1")
                .unwrap()
                .as_slice(),
            sealed.container.as_slice()
        );
        let tail = review_pending(&first, &sealed.pending.body_key, "REG-1", &approval(), &sealed.station).unwrap();
        let again = [&first[..tail.pending_len as usize], &tail.bytes].concat();
        open_envelope(&again, &sealed.register, &sealed.station.public_key()).unwrap();
        // Both tails together are not an envelope.
        let both = [first.as_slice(), &tail.bytes].concat();
        assert!(matches!(
            open_envelope(&both, &sealed.register, &sealed.station.public_key()),
            Err(PacketError::Malformed(_))
        ));
    }

    #[test]
    fn every_changed_cut_or_lengthened_part_of_a_reviewed_envelope_is_refused_by_name() {
        let sealed = sealed_pending(5_000, MIN_CHUNK_SIZE);
        let envelope = reviewed(&sealed, &approval());
        let station = sealed.station.public_key();
        let open = |bytes: &[u8]| open_envelope(bytes, &sealed.register, &station).map(|_| ());
        let pending_len = sealed.pending.bytes.len();

        for at in [
            10,
            pending_len - 3,
            pending_len + 2,
            pending_len + 30,
            envelope.len() - 1,
        ] {
            let mut changed = envelope.clone();
            changed[at] ^= 0x40;
            let error = open(&changed).unwrap_err();
            assert!(
                matches!(
                    error,
                    PacketError::BadSignature | PacketError::Malformed(_) | PacketError::Truncated(_)
                ),
                "a byte changed at {at}: {error:?}"
            );
        }
        for cut in [pending_len - 1, pending_len + 2, pending_len + 10, envelope.len() - 1] {
            assert!(
                matches!(open(&envelope[..cut]), Err(PacketError::Truncated(_))),
                "cut at {cut}: {:?}",
                open(&envelope[..cut])
            );
        }
        let longer = [envelope.as_slice(), b"x"].concat();
        assert!(matches!(open(&longer), Err(PacketError::Malformed(_))));

        // Signed by another station: refused before any decryption.
        let other = StationSigningKey::generate();
        let tail = review_pending(
            &sealed.pending.bytes,
            &sealed.pending.body_key,
            "REG-1",
            &approval(),
            &other,
        )
        .unwrap();
        let forged = [sealed.pending.bytes.as_slice(), &tail.bytes].concat();
        assert!(matches!(open(&forged), Err(PacketError::BadSignature)));

        // A review sealed under another key, re-signed by the station: the review does not open.
        let tail = review_pending(&sealed.pending.bytes, &[9u8; 32], "REG-1", &approval(), &sealed.station).unwrap();
        let foreign = [sealed.pending.bytes.as_slice(), &tail.bytes].concat();
        assert!(matches!(open(&foreign), Err(PacketError::Malformed(_))));
    }

    #[test]
    fn sealing_for_test_vectors_is_deterministic_and_opens_like_any_other() {
        let sealed = sealed_pending(5_000, MIN_CHUNK_SIZE);
        let seal = || {
            seal_pending_with_ephemeral_ikm_for_test_vectors(
                &[&sealed.container],
                "ST-1",
                "REG-1",
                &sealed.register.public_keys(),
                MIN_CHUNK_SIZE,
                &[4u8; 32],
            )
            .unwrap()
        };
        let (first, second) = (seal(), seal());
        assert_eq!(first.bytes, second.bytes);
        assert_eq!(*first.body_key, *second.body_key);
        let review = approval();
        let tail = review_pending(&first.bytes, &first.body_key, "REG-1", &review, &sealed.station).unwrap();
        let envelope = [first.bytes.as_slice(), &tail.bytes].concat();
        let signed = &envelope[..envelope.len() - SIGNATURE_LEN];
        assert_eq!(
            sign_reviewed_envelope(signed, &sealed.station),
            envelope[signed.len()..],
            "the fuzz targets' signer signs what review_pending signs"
        );
        open_envelope(&envelope, &sealed.register, &sealed.station.public_key()).unwrap();
    }

    #[test]
    fn the_review_nonce_is_outside_every_chunk_nonce() {
        assert_ne!(review_nonce()[..4], [0u8; 4]);
        assert_eq!(chunk_nonce(u64::MAX)[..4], [0u8; 4]);
    }
}
