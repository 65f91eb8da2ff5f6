//! `enroll packet`: the register-side view of sealed packets.

use std::path::PathBuf;

use base64::Engine as _;
use clap::Subcommand;

use crate::Failure;

#[derive(Subcommand)]
pub enum PacketCommand {
    /// Decrypt and verify a sealed packet and print it as JSON: manifest, metadata, every
    /// biometric record (capture metadata and ISO/IEC 19794 header), exceptions and audit
    Open {
        /// The register private key file (from `enroll keys generate-register`)
        #[arg(long)]
        key: PathBuf,
        /// The station's Ed25519 public key (base64), as registered with the intake. Without
        /// it, the signature is checked with the key the packet names, and that key is printed
        /// for you to check against the station registry. Given, the packet must also name it
        /// in its meta.json (exit code 4, station_key_mismatch, otherwise)
        #[arg(long, conflicts_with = "station_key_file")]
        station_key: Option<String>,
        /// The station's public key file (kind "enroll-station-public-key"), instead of
        /// --station-key; the packet must come from the station the file names
        #[arg(long)]
        station_key_file: Option<PathBuf>,
        /// The sealed packet file
        packet: PathBuf,
    },
    /// Check a sealed packet's structure and station signature without the register key:
    /// anyone holding the station's public key can tell whether the file is intact and whose it
    /// is. Prints the header as JSON; exit code 4 when the check fails
    Verify {
        /// The station's Ed25519 public key (base64), as registered with the intake
        #[arg(
            long,
            required_unless_present = "station_key_file",
            conflicts_with = "station_key_file"
        )]
        station_key: Option<String>,
        /// The station's public key file (kind "enroll-station-public-key"), instead of
        /// --station-key; the packet must come from the station the file names
        #[arg(long)]
        station_key_file: Option<PathBuf>,
        /// The sealed packet file
        packet: PathBuf,
    },
}

pub fn run(command: PacketCommand) -> Result<(), Failure> {
    match command {
        PacketCommand::Verify {
            station_key,
            station_key_file,
            packet,
        } => {
            let given = given_station_key(station_key, station_key_file)?;
            let envelope =
                std::fs::read(&packet).map_err(|e| Failure::input(format!("cannot read {}: {e}", packet.display())))?;
            let Some(GivenStationKey { key: station_key, .. }) = given else {
                return Err(Failure::input(
                    "give the station's key with --station-key or --station-key-file",
                ));
            };
            given_key_names_packet_station(given.as_ref(), &envelope, &packet)?;
            let header = enroll_packet::verify_envelope_signature(&envelope, &station_key)
                .map_err(|e| Failure::verification(format!("{}: {e} [{}]", packet.display(), e.code())))?;
            let output = serde_json::json!({
                "registration_id": header.registration_id,
                "station_id": header.station_id,
                "version": header.version,
                "register_key_id": header.register_key_id.to_hex(),
                "chunk_size": header.chunk_size,
                "chunks": header.chunk_count(),
                "bytes": envelope.len(),
                "signature": "valid",
            });
            println!("{}", serde_json::to_string_pretty(&output).expect("plain JSON values"));
            Ok(())
        }
        PacketCommand::Open {
            key,
            station_key,
            station_key_file,
            packet,
        } => {
            let register = crate::keys::read_register_key(&key)?;
            let given = given_station_key(station_key, station_key_file)?;
            let envelope =
                std::fs::read(&packet).map_err(|e| Failure::input(format!("cannot read {}: {e}", packet.display())))?;
            given_key_names_packet_station(given.as_ref(), &envelope, &packet)?;
            let failed = |e: enroll_packet::PacketError| {
                Failure::verification(format!("{}: {e} [{}]", packet.display(), e.code()))
            };
            let (station_key, key_source) = match given {
                Some(GivenStationKey { key, .. }) => (key, "given"),
                None => (
                    station_key_named_by(&envelope, &register).map_err(failed)?,
                    "named by the packet; check it against the station registry",
                ),
            };
            let opened = enroll_packet::open_envelope(&envelope, &register, &station_key).map_err(failed)?;
            let output = serde_json::json!({
                "registration_id": opened.header.registration_id,
                "station_id": opened.header.station_id,
                "register_key_id": opened.header.register_key_id.to_hex(),
                "signature": "valid",
                "station_public_key": base64::engine::general_purpose::STANDARD.encode(station_key),
                "station_public_key_source": key_source,
                "manifest": opened.manifest,
                "meta": opened.contents.meta,
                "biometrics": opened.contents.biometrics.iter().map(biometric_summary).collect::<Vec<_>>(),
                "exceptions": opened.contents.exceptions,
                "documents": opened.contents.documents.iter().map(document_summary).collect::<Vec<_>>(),
                "audit": opened.contents.audit,
            });
            println!("{}", serde_json::to_string_pretty(&output).expect("plain JSON values"));
            Ok(())
        }
    }
}

/// One document of an opened packet: what the manifest says of it, its size and, for a PDF,
/// its pages (counted from its page objects, enough to see that scanned pages were joined).
fn document_summary(document: &enroll_packet::Document) -> serde_json::Value {
    let pdf_pages = (document.format == enroll_packet::DocumentFormat::Pdf).then(|| count_pdf_pages(&document.data));
    serde_json::json!({
        "category": document.category,
        "document_type": document.document_type,
        "reference_number": document.reference_number,
        "format": document.format.extension(),
        "bytes": document.data.len(),
        "pdf_pages": pdf_pages,
    })
}

/// The `/Type /Page` objects of a PDF (not `/Pages`), spaces between the two names or not.
fn count_pdf_pages(pdf: &[u8]) -> usize {
    let mut pages = 0;
    let mut rest = pdf;
    while let Some(at) = rest.windows(5).position(|w| w == b"/Type") {
        rest = &rest[at + 5..];
        let name = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(&[][..], |skip| &rest[skip..]);
        if name.starts_with(b"/Page") && !name.starts_with(b"/Pages") {
            pages += 1;
        }
    }
    pages
}

/// One biometric record of an opened packet: what the capture metadata says (quality, retries,
/// force capture, device, whether the device signed it) and the ISO/IEC 19794 record's header,
/// so that the register sees every record without extracting the CBEFF file. A record whose
/// header does not parse is shown with why (the packet's signature is valid, so the station
/// sealed it so; it is the register's to decide), rather than failing the whole command.
fn biometric_summary(record: &enroll_packet::BiometricRecord) -> serde_json::Value {
    let header = match enroll_devices::iso19794::Iso19794Record::parse(&record.data) {
        Ok(parsed) => serde_json::to_value(enroll_devices::iso19794::summary(&parsed))
            .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() })),
        Err(e) => serde_json::json!({ "error": format!("{e} [{}]", e.code()) }),
    };
    serde_json::json!({
        "modality": record.modality,
        "position": record.position,
        "quality": record.quality,
        "retries": record.retries,
        "force_captured": record.force_captured,
        "captured_at": record.captured_at,
        "device": record.device,
        "device_digital_id": record.device_digital_id.is_some(),
        "device_signature": record.device_signature.is_some(),
        "record_bytes": record.data.len(),
        "record": header,
    })
}

/// A station key from the command line: its text (`--station-key`) or its file
/// (`--station-key-file`, which also names the station).
struct GivenStationKey {
    key: [u8; 32],
    /// The station the key file names, and the file; `None` for a key given as text.
    named_station: Option<(String, PathBuf)>,
}

fn given_station_key(text: Option<String>, file: Option<PathBuf>) -> Result<Option<GivenStationKey>, Failure> {
    if let Some(text) = text {
        return Ok(Some(GivenStationKey {
            key: decode_station_key(&text)?,
            named_station: None,
        }));
    }
    let Some(path) = file else {
        return Ok(None);
    };
    let json = std::fs::read_to_string(&path)
        .map_err(|e| Failure::input(format!("cannot read the station key file {}: {e}", path.display())))?;
    let (station_id, key) = enroll_packet::StationPublicKey::from_json(&json)
        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    Ok(Some(GivenStationKey {
        key: key.0,
        named_station: Some((station_id, path)),
    }))
}

/// A key file names its station: a packet whose header names another one is not that
/// station's, whatever its signature says (exit code 4). A header that does not parse is left
/// to the verification, which names what is wrong with it.
fn given_key_names_packet_station(
    given: Option<&GivenStationKey>,
    envelope: &[u8],
    packet: &std::path::Path,
) -> Result<(), Failure> {
    let Some((station_id, file)) = given.and_then(|g| g.named_station.as_ref()) else {
        return Ok(());
    };
    match enroll_packet::EnvelopeHeader::parse(envelope) {
        Ok(header) if header.station_id != *station_id => Err(Failure::verification(format!(
            "{}: the packet comes from station {:?}, but {} is the key of station {:?} [station_key_mismatch]",
            packet.display(),
            header.station_id,
            file.display(),
            station_id
        ))),
        _ => Ok(()),
    }
}

/// The text form of a station key (`schemas/packet-envelope.md` §2): padded base64 of 32 bytes.
/// Whether those bytes are a usable key (canonical, not of small order) is the verification's
/// business, which fails with exit code 4 and `bad_key`.
pub(crate) fn decode_station_key(text: &str) -> Result<[u8; 32], Failure> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| {
            Failure::input("--station-key is not base64; give the station's Ed25519 public key as registered")
        })?;
    bytes
        .try_into()
        .map_err(|_| Failure::input("--station-key must be 32 bytes (an Ed25519 public key)"))
}

/// The station key that the packet's meta names. Decrypting first is safe: the AEAD already
/// proves the bytes are what was sealed; the signature then proves who sealed them.
fn station_key_named_by(
    envelope: &[u8],
    register: &enroll_packet::RegisterKeyPair,
) -> Result<[u8; 32], enroll_packet::PacketError> {
    let (_, plaintext) = enroll_packet::decrypt_envelope_body(envelope, register)?;
    let (contents, _) = enroll_packet::PacketContents::from_bytes(&plaintext)?;
    enroll_packet::StationPublicKey::from_text(&contents.meta.station_public_key).map(|key| key.0)
}

#[cfg(test)]
mod tests {
    use super::count_pdf_pages;

    #[test]
    fn pdf_pages_are_the_page_objects_not_the_page_tree() {
        let sample = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/fixtures/mosip-packet-sample/components/id/proofOfIdentity.pdf"),
        )
        .expect("the MOSIP sample packet's PDF (../shared/fixtures)");
        assert_eq!(count_pdf_pages(&sample), 1);
        let written = b"%PDF-1.4\n1 0 obj<</Type/Pages/Count 2>>endobj\n2 0 obj<</Type /Page>>endobj\n3 0 obj<</Type\n/Page>>endobj";
        assert_eq!(count_pdf_pages(written), 2);
        assert_eq!(count_pdf_pages(b"%PDF-1.4 /Typ"), 0);
    }
}
