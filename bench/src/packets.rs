//! Packets of realistic sizes, and the station's finalize and approve steps at the level the
//! station does them: container build, Ed25519 signature, `seal_for_register`, and the vault
//! transactions on a real SQLite file.
//!
//! [`finalize_packet`] mirrors `Station::finalize` from the point where the draft has been
//! validated; [`approve_packet`] mirrors `Station::approve` after the role check. The bytes
//! stored for a pending registration are the station's `Finalized` form:
//! `signature (64) || container`.
//!
//! Deliberately absent: form validation and role checks (the station's, and cheap). The
//! capture and document bytes are random behind the right magic numbers: the container
//! checks formats by their first bytes, and real captures are compressed, hence incompressible.

use anyhow::{bail, Context as _};
use base64::Engine as _;
use ed25519_dalek::Signer as _;
use enroll_packet::{
    BiometricRecord, DeviceIdentity, Document, DocumentFormat, Modality, PacketContents, PacketMeta,
    RegisterPublicKeys, StationSigningKey, SupervisorDecision,
};
use enroll_store::{DataKey, RegistrationState, Vault};
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

/// The bytes of captures and documents in `shape`, before any encoding.
pub fn raw_size(shape: &PacketShape) -> usize {
    shape.captures.iter().map(|c| c.2).sum::<usize>() + shape.documents.iter().map(|d| d.2).sum::<usize>()
}

/// `len` bytes starting with `magic`, the rest random (captures and scans are compressed, so
/// incompressible).
fn file_bytes(magic: &[u8], len: usize, random: &mut rand::rngs::StdRng) -> Vec<u8> {
    let mut data = vec![0u8; len.max(magic.len())];
    random.fill_bytes(&mut data);
    data[..magic.len()].copy_from_slice(magic);
    data
}

/// Build packet contents of `shape`, their bytes random from `seed`.
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
    let documents = shape
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
                data: file_bytes(magic, *size, &mut random),
            }
        })
        .collect();
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
            finalized_at: None,
            approved_at: None,
            software_version: env!("CARGO_PKG_VERSION").into(),
        },
    }
}

/// `Station::finalize` after validation: take the draft (here: an unsigned container),
/// stamp `finalized_at`, build the container, sign it, store `signature || container`.
pub fn finalize_packet(vault: &mut Vault, data_key: &DataKey, registration_id: &str, now: &str) -> anyhow::Result<()> {
    let row = vault.registration(registration_id)?;
    if row.state != RegistrationState::Draft {
        bail!("registration {registration_id} is {}, not draft", row.state.as_str());
    }
    let draft = vault.registration_content(registration_id, data_key)?;
    let (contents, _) = PacketContents::from_bytes(&draft).context("the draft is not a container")?;
    store_finalized(vault, data_key, registration_id, contents, now)
}

/// The end of `Station::finalize`: stamp `finalized_at`, build the container, sign it with the
/// station key, and store `signature || container` (draft → pending_approval).
pub fn store_finalized(
    vault: &mut Vault,
    data_key: &DataKey,
    registration_id: &str,
    mut contents: PacketContents,
    now: &str,
) -> anyhow::Result<()> {
    contents.meta.finalized_at = Some(now.into());
    let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(data_key)?);
    let container = contents.to_bytes()?;
    let signature = signing_key.0.sign(&container).to_bytes();
    let mut finalized = Vec::with_capacity(64 + container.len());
    finalized.extend_from_slice(&signature);
    finalized.extend_from_slice(&container);
    vault.finalize(registration_id, &finalized, data_key, now)?;
    Ok(())
}

/// `Station::approve` after the role check: check the station's signature on the finalized
/// container, add the decision, seal to the register, and store the envelope in place of the
/// readable copy. Returns the envelope's length.
pub fn approve_packet(
    vault: &mut Vault,
    data_key: &DataKey,
    registration_id: &str,
    supervisor: &str,
    now: &str,
) -> anyhow::Result<usize> {
    let row = vault.registration(registration_id)?;
    if row.state != RegistrationState::PendingApproval {
        bail!(
            "registration {registration_id} is {}, not pending_approval",
            row.state.as_str()
        );
    }
    let finalized = vault.registration_content(registration_id, data_key)?;
    let (signature, container) = split_finalized(&finalized)?;
    let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(data_key)?);
    signing_key
        .0
        .verifying_key()
        .verify_strict(container, &signature)
        .context("the finalized packet was changed after finalize")?;
    let (mut contents, _) = PacketContents::from_bytes(container)?;
    contents.meta.supervisor = Some(supervisor.into());
    contents.meta.supervisor_decision = Some(SupervisorDecision::Approved);
    contents.meta.approved_at = Some(now.into());
    let station = vault.station()?.context("the station is not set up")?;
    let register = RegisterPublicKeys::from_json(&station.register_keys_json)?;
    let envelope = enroll_packet::seal_for_register(
        &contents.to_bytes()?,
        &station.station_id,
        registration_id,
        &signing_key,
        &register,
    )?;
    vault.approve_and_seal(registration_id, &envelope, supervisor, now)?;
    Ok(envelope.len())
}

/// Split the station's `Finalized` form into its signature and container.
pub fn split_finalized(bytes: &[u8]) -> anyhow::Result<(ed25519_dalek::Signature, &[u8])> {
    if bytes.len() < 64 {
        bail!(
            "a finalized packet of {} bytes is shorter than its signature",
            bytes.len()
        );
    }
    let (signature, container) = bytes.split_at(64);
    let signature = ed25519_dalek::Signature::from_slice(signature)?;
    Ok((signature, container))
}
