//! Packets of realistic sizes for the benchmarks and the crash tests. What is done with them is
//! the station's own code: `enroll_station::packaging` (finalize, review and seal), the same
//! functions `Station::finalize`, `approve` and `reject` call after validation and role checks.
//!
//! [`pending_again_with_documents`] turns a packet the station sealed (captured through its
//! own devices, see [`crate::captured`]) back into a pending one with the fixture's documents
//! added, since the station has no document capture yet.
//!
//! Deliberately absent: form validation and role checks (the station's, and cheap). The
//! capture and document bytes are random behind the right magic numbers: the container
//! checks formats by their first bytes, and real captures are compressed, hence incompressible.

use base64::Engine as _;
use enroll_packet::{
    BiometricRecord, DeviceIdentity, Document, DocumentFormat, Modality, PacketContents, PacketMeta, StationSigningKey,
};
use rand::{RngCore as _, SeedableRng as _};

/// One capture: modality, CBEFF position, size of its ISO/IEC 19794 record in bytes.
pub type CaptureSpec = (Modality, &'static str, usize);
/// One document: category, format, size in bytes.
pub type DocumentSpec = (&'static str, DocumentFormat, usize);

/// What a packet carries, by size.
pub struct PacketShape {
    pub captures: &'static [CaptureSpec],
    pub documents: &'static [DocumentSpec],
}

const KIB: usize = 1024;

/// A full registration: 10 fingers (ISO/IEC 19794-4, uncompressed 500 ppi), 2 irises
/// (19794-6), a face (19794-5 holding a JPEG), and 3 documents (PDF, JPEG, PNG): about 3 MB.
pub const FULL_REGISTRATION: PacketShape = PacketShape {
    captures: &[
        (Modality::Finger, "Right Thumb", 160 * KIB),
        (Modality::Finger, "Right IndexFinger", 160 * KIB),
        (Modality::Finger, "Right MiddleFinger", 160 * KIB),
        (Modality::Finger, "Right RingFinger", 160 * KIB),
        (Modality::Finger, "Right LittleFinger", 160 * KIB),
        (Modality::Finger, "Left Thumb", 160 * KIB),
        (Modality::Finger, "Left IndexFinger", 160 * KIB),
        (Modality::Finger, "Left MiddleFinger", 160 * KIB),
        (Modality::Finger, "Left RingFinger", 160 * KIB),
        (Modality::Finger, "Left LittleFinger", 160 * KIB),
        (Modality::Iris, "Right", 150 * KIB),
        (Modality::Iris, "Left", 150 * KIB),
        (Modality::Face, "", 300 * KIB),
    ],
    documents: &[
        ("POA", DocumentFormat::Pdf, 400 * KIB),
        ("POI", DocumentFormat::Jpeg, 250 * KIB),
        ("POB", DocumentFormat::Png, 250 * KIB),
    ],
};

/// `len` bytes starting with `magic`, the rest random (captures and scans are compressed, so
/// incompressible).
fn file_bytes(magic: &[u8], len: usize, random: &mut rand::rngs::StdRng) -> Vec<u8> {
    let mut data = vec![0u8; len.max(magic.len())];
    random.fill_bytes(&mut data);
    data[..magic.len()].copy_from_slice(magic);
    data
}

/// Build packet contents of `shape`, their bytes random from `seed`, as the station has them at
/// finalize (`finalized_at` is `created_at`).
pub fn contents_with(
    registration_id: &str,
    signing_key: &StationSigningKey,
    shape: &PacketShape,
    seed: u64,
    created_at: &str,
) -> PacketContents {
    let mut random = rand::rngs::StdRng::seed_from_u64(seed);
    let device = DeviceIdentity {
        make: "Bench".into(),
        model: "Synthetic capture".into(),
        serial: "BENCH-0001".into(),
        simulated: true,
    };
    let biometrics = shape
        .captures
        .iter()
        .map(|(modality, position, size)| BiometricRecord {
            modality: *modality,
            position: (*position).into(),
            quality: 80,
            retries: 1,
            force_captured: false,
            captured_at: created_at.into(),
            device: device.clone(),
            device_digital_id: None,
            device_signature: None,
            data: file_bytes(modality.iso_identifier(), *size, &mut random),
        })
        .collect();
    let documents = documents_of(shape, &mut random);
    PacketContents {
        identity: serde_json::json!({
            "IDSchemaVersion": 1.0,
            "fullName": [{"language": "eng", "value": "Amina Benali"}, {"language": "fra", "value": "Amina Benali"}],
            "dateOfBirth": "1990/04/12",
        }),
        biometrics,
        exceptions: Vec::new(),
        documents,
        audit: Vec::new(),
        meta: PacketMeta {
            registration_id: registration_id.into(),
            station_id: crate::fixture::STATION_ID.into(),
            station_public_key: base64::engine::general_purpose::STANDARD.encode(signing_key.public_key()),
            center_id: crate::fixture::CENTER_ID.into(),
            officer: "officer".into(),
            supervisor: None,
            supervisor_decision: None,
            supervisor_reason: None,
            devices: vec![device],
            gps: None,
            created_at: created_at.into(),
            finalized_at: Some(created_at.into()),
            approved_at: None,
            software_version: env!("CARGO_PKG_VERSION").into(),
            consent: None,
            process: None,
        },
    }
}

/// The documents of `shape`, their bytes random behind each format's magic number.
fn documents_of(shape: &PacketShape, random: &mut rand::rngs::StdRng) -> Vec<Document> {
    shape
        .documents
        .iter()
        .map(|(category, format, size)| {
            let magic: &[u8] = match format {
                DocumentFormat::Pdf => b"%PDF-1.7\n",
                DocumentFormat::Jpeg => b"\xff\xd8\xff\xe0",
                DocumentFormat::Png => b"\x89PNG\r\n\x1a\n",
            };
            Document {
                category: (*category).into(),
                document_type: "DOC001".into(),
                reference_number: Some("A1234567".into()),
                format: *format,
                data: file_bytes(magic, *size, random),
            }
        })
        .collect()
}

/// A packet the station made (opened from its envelope), made pending again as registration
/// `registration_id`, finalized at `finalized_at`, with the documents of `shape` added (random
/// from `seed`): the station's own captures and records, and the documents it cannot capture
/// yet. The review (decision, supervisor, approval time) and the audit events of the opened
/// packet are dropped; approving again writes them anew.
pub fn pending_again_with_documents(
    opened: &PacketContents,
    registration_id: &str,
    finalized_at: &str,
    shape: &PacketShape,
    seed: u64,
) -> PacketContents {
    let mut random = rand::rngs::StdRng::seed_from_u64(seed);
    let mut contents = opened.clone();
    contents.meta.registration_id = registration_id.into();
    contents.meta.finalized_at = Some(finalized_at.into());
    contents.meta.supervisor = None;
    contents.meta.supervisor_decision = None;
    contents.meta.supervisor_reason = None;
    contents.meta.approved_at = None;
    contents.audit = Vec::new();
    contents.documents.extend(documents_of(shape, &mut random));
    contents
}
