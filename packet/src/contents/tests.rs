//! The container's unit tests: round trips, the review splice, entry naming, the CBEFF entry,
//! and every way a container can be inconsistent, each with its named error.

use super::*;
use crate::cbeff::Cbeff;
use crate::AuditEvent;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

fn device() -> DeviceIdentity {
    DeviceIdentity {
        make: "Sim".into(),
        model: "Face 1".into(),
        serial: "SIM-0001".into(),
        simulated: true,
    }
}

fn record(modality: Modality, position: &str, data: &[u8]) -> BiometricRecord {
    BiometricRecord {
        modality,
        position: position.into(),
        quality: 80,
        retries: 2,
        force_captured: false,
        captured_at: "2025-01-01T09:05:00Z".into(),
        device: device(),
        device_digital_id: None,
        device_signature: None,
        data: data.to_vec(),
    }
}

fn sample() -> PacketContents {
    let mut thumb = record(Modality::Finger, "Left Thumb", b"FIR\x00020\x00 left thumb");
    thumb.force_captured = true;
    thumb.device_digital_id = Some("eyJ.digital.id".into());
    thumb.device_signature = Some(b"eyJ.jws.signature".to_vec());
    PacketContents {
        identity: serde_json::json!({"fullName": "Amina Diallo", "dateOfBirth": "1990-04-01"}),
        biometrics: vec![
            record(Modality::Face, "", b"FAC\x00030\x00 face"),
            thumb,
            record(Modality::Finger, "Right IndexFinger", b"FIR\x00020\x00 right index"),
            record(Modality::Iris, "Left", b"IIR\x00020\x00 left eye"),
        ],
        exceptions: vec![BiometricException {
            modality: Modality::Finger,
            position: "Right Thumb".into(),
            kind: ExceptionKind::Missing,
            reason: "amputated <in 2019> & healed".into(),
        }],
        documents: vec![
            Document {
                category: "POI".into(),
                document_type: "DOC001".into(),
                reference_number: Some("A-1234".into()),
                format: DocumentFormat::Pdf,
                data: b"%PDF-1.4 passport".to_vec(),
            },
            Document {
                category: "POA".into(),
                document_type: "RNC".into(),
                reference_number: None,
                format: DocumentFormat::Jpeg,
                data: b"\xff\xd8\xff\xe0 bill".to_vec(),
            },
            Document {
                category: "POI".into(),
                document_type: "DOC002".into(),
                reference_number: None,
                format: DocumentFormat::Png,
                data: b"\x89PNG\r\n\x1a\n card".to_vec(),
            },
        ],
        audit: vec![AuditEvent {
            sequence: 7,
            at: "2025-01-01T09:00:00Z".into(),
            actor: "officer1".into(),
            action: "registration_created".into(),
            registration_id: Some("10001-20250101-000001".into()),
            details: String::new(),
        }],
        meta: PacketMeta {
            registration_id: "10001-20250101-000001".into(),
            station_id: "ST-0001".into(),
            station_public_key: String::new(),
            center_id: "C-01".into(),
            officer: "officer1".into(),
            supervisor: Some("super1".into()),
            supervisor_decision: Some(SupervisorDecision::Approved),
            supervisor_reason: None,
            devices: vec![device()],
            gps: Some(GpsPosition {
                latitude: 12.3714,
                longitude: -1.5197,
                accuracy_m: Some(8.5),
            }),
            created_at: "2025-01-01T09:00:00Z".into(),
            finalized_at: Some("2025-01-01T09:10:00Z".into()),
            approved_at: Some("2025-01-01T10:00:00Z".into()),
            software_version: "0.1.0".into(),
            consent: None,
            process: Some(crate::ProcessRecord {
                kind: "update".into(),
                resident_id: Some("1234567890".into()),
                changes: vec!["address".into()],
                request_id: None,
            }),
        },
    }
}

/// Rebuild a container from a (possibly edited) manifest and entry bytes.
fn assemble(manifest: &serde_json::Value, entries: &[&[u8]]) -> Vec<u8> {
    let json = serde_json::to_vec(manifest).unwrap();
    let mut out = b"ENRC\x02".to_vec();
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    for entry in entries {
        out.extend_from_slice(entry);
    }
    out
}

fn split(bytes: &[u8]) -> (serde_json::Value, Vec<Vec<u8>>) {
    let len = u32::from_be_bytes(bytes[5..9].try_into().unwrap()) as usize;
    let manifest: serde_json::Value = serde_json::from_slice(&bytes[9..9 + len]).unwrap();
    let mut at = 9 + len;
    let mut entries = Vec::new();
    for entry in manifest["entries"].as_array().unwrap() {
        let n = entry["length"].as_u64().unwrap() as usize;
        entries.push(bytes[at..at + n].to_vec());
        at += n;
    }
    (manifest, entries)
}

/// Replace entry `index` and fix its length and hash in the manifest.
fn replace_entry(bytes: &[u8], index: usize, new: &[u8]) -> Vec<u8> {
    let (mut manifest, mut entries) = split(bytes);
    entries[index] = new.to_vec();
    manifest["entries"][index]["length"] = new.len().into();
    manifest["entries"][index]["sha256"] = hex::encode(Sha256::digest(new)).into();
    let entries: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    assemble(&manifest, &entries)
}

fn error_of(bytes: &[u8]) -> (String, &'static str) {
    let error = PacketContents::from_bytes(bytes).unwrap_err();
    (error.to_string(), error.code())
}

fn contents_error(bytes: &[u8]) -> String {
    let (message, code) = error_of(bytes);
    assert_eq!(code, "contents_invalid", "{message}");
    message
}

#[test]
fn round_trip_keeps_everything() {
    let contents = sample();
    let bytes = contents.to_bytes().unwrap();
    assert_eq!(&bytes[..5], b"ENRC\x02");
    let (back, manifest) = PacketContents::from_bytes(&bytes).unwrap();
    assert_eq!(back, contents);
    assert_eq!(manifest.registration_id, contents.meta.registration_id);
    assert!(manifest.documents.iter().all(|d| d.data.is_empty()));
    // Canonical: writing the parsed contents again gives the same bytes.
    assert_eq!(back.to_bytes().unwrap(), bytes);
    assert_eq!(back.face().unwrap().data, b"FAC\x00030\x00 face");
}

#[test]
fn a_review_spliced_in_is_what_a_full_rebuild_writes() {
    let contents = sample();
    let bytes = contents.to_bytes().unwrap();
    assert_eq!(read_meta(&bytes).unwrap(), contents.meta);

    let mut meta = contents.meta.clone();
    meta.supervisor = Some("sara".into());
    meta.supervisor_decision = Some(SupervisorDecision::Rejected);
    meta.supervisor_reason = Some("the document photo is blurred".into());
    let audit = vec![AuditEvent {
        sequence: 7,
        at: "2025-03-01T09:00:00Z".into(),
        actor: "sara".into(),
        action: "registration_rejected".into(),
        registration_id: Some(contents.meta.registration_id.clone()),
        details: String::new(),
    }];
    let spliced = with_review(&bytes, &meta, &audit).unwrap();

    let mut rebuilt = contents.clone();
    rebuilt.meta = meta.clone();
    rebuilt.audit = audit.clone();
    assert_eq!(spliced, rebuilt.to_bytes().unwrap());
    let (back, _) = PacketContents::from_bytes(&spliced).unwrap();
    assert_eq!(back, rebuilt);
}

#[test]
fn a_review_is_refused_for_another_packet_or_without_a_reason() {
    let contents = sample();
    let bytes = contents.to_bytes().unwrap();
    let mut other = contents.meta.clone();
    other.registration_id = "99999".into();
    let error = with_review(&bytes, &other, &[]).unwrap_err();
    assert_eq!(error.code(), "contents_invalid");
    assert!(error.to_string().contains("99999"), "{error}");

    let mut unexplained = contents.meta.clone();
    unexplained.supervisor = Some("sara".into());
    unexplained.supervisor_decision = Some(SupervisorDecision::Rejected);
    let error = with_review(&bytes, &unexplained, &[]).unwrap_err();
    assert!(error.to_string().contains("must say why"), "{error}");

    // A damaged container is refused, not spliced.
    assert!(with_review(&bytes[..bytes.len() - 1], &contents.meta, &[]).is_err());
}

#[test]
fn entry_names_follow_documents() {
    let bytes = sample().to_bytes().unwrap();
    let (_, manifest) = PacketContents::from_bytes(&bytes).unwrap();
    let names: Vec<&str> = manifest.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "identity.json",
            "meta.json",
            "individualBiometrics_bio_CBEFF.xml",
            "documents/POI-1.pdf",
            "documents/POA-1.jpg",
            "documents/POI-2.png",
            "audit.json"
        ]
    );
    assert_eq!(
        manifest.entries[3].sha256,
        hex::encode(Sha256::digest(b"%PDF-1.4 passport"))
    );
}

#[test]
fn biometrics_travel_as_one_cbeff_with_mosip_entries() {
    let bytes = sample().to_bytes().unwrap();
    let (_, entries) = split(&bytes);
    let cbeff = Cbeff::from_xml(&entries[2]).unwrap();
    assert_eq!(cbeff.records.len(), 5, "four captures and one exception");
    let thumb = &cbeff.records[1];
    assert_eq!(thumb.type_text(), "Finger");
    assert_eq!(thumb.subtype_text(), "Left Thumb");
    assert_eq!(thumb.quality_score(), Some(80));
    assert_eq!(thumb.retries(), Some(2));
    assert_eq!(thumb.force_captured(), Some(true));
    assert_eq!(thumb.exception(), Some(false));
    assert_eq!(thumb.digital_id().as_deref(), Some("eyJ.digital.id"));
    assert_eq!(thumb.sb.as_deref(), Some(b"eyJ.jws.signature".as_slice()));
    assert_eq!(thumb.bdb.as_deref(), Some(b"FIR\x00020\x00 left thumb".as_slice()));
    let format = thumb.bdb_info.as_ref().unwrap().format.clone().unwrap();
    assert_eq!((format.organization.as_str(), format.kind.as_str()), ("Mosip", "7"));
    let missing = &cbeff.records[4];
    assert_eq!(missing.exception(), Some(true));
    assert_eq!(missing.bdb, None);
    assert_eq!(missing.other(KEY_EXCEPTION_KIND), Some("missing"));
    assert_eq!(
        missing.other(KEY_EXCEPTION_REASON),
        Some("amputated <in 2019> & healed")
    );
}

#[test]
fn nothing_captured_is_fine() {
    let mut contents = sample();
    contents.biometrics.clear();
    contents.exceptions.clear();
    contents.documents.clear();
    contents.audit.clear();
    let (back, manifest) = PacketContents::from_bytes(&contents.to_bytes().unwrap()).unwrap();
    assert_eq!(back, contents);
    assert_eq!(manifest.entries.len(), 4);
}

#[test]
fn a_document_must_be_what_it_claims() {
    let mut contents = sample();
    contents.documents[1].format = DocumentFormat::Png;
    let error = contents.to_bytes().unwrap_err();
    assert_eq!(error.code(), "document_invalid");
    assert!(error.to_string().contains("declared png"), "{error}");

    // The same check on reading: swap a PDF's bytes for a JPEG's (hash fixed up).
    let bytes = sample().to_bytes().unwrap();
    let swapped = replace_entry(&bytes, 3, b"\xff\xd8\xff\xe0 not a pdf");
    let (message, code) = error_of(&swapped);
    assert_eq!(code, "document_invalid", "{message}");

    let mut no_type = sample();
    no_type.documents[0].document_type = " ".into();
    assert_eq!(no_type.to_bytes().unwrap_err().code(), "document_invalid");
}

#[test]
fn unsafe_names_and_bad_values_are_refused_when_writing() {
    for category in ["../etc", "", "POI/1", "a b", &"x".repeat(33)] {
        let mut contents = sample();
        contents.documents[0].category = category.to_string();
        let error = contents.to_bytes().unwrap_err();
        assert!(error.to_string().contains("category"), "{category:?}: {error}");
    }
    let mut not_iso = sample();
    not_iso.biometrics[0].data = b"\x89PNG\r\n\x1a\n".to_vec();
    assert!(not_iso
        .to_bytes()
        .unwrap_err()
        .to_string()
        .contains("not an ISO/IEC 19794 FAC record"));
    let mut quality = sample();
    quality.biometrics[1].quality = 101;
    assert!(quality.to_bytes().unwrap_err().to_string().contains("quality 101"));
    let mut position = sample();
    position.biometrics[1].position = "Left  Thumb".into();
    assert!(position.to_bytes().unwrap_err().to_string().contains("single spaces"));
    let mut no_reason = sample();
    no_reason.exceptions[0].reason = String::new();
    assert!(no_reason
        .to_bytes()
        .unwrap_err()
        .to_string()
        .contains("gives no reason"));
    let mut rejected = sample();
    rejected.meta.supervisor_decision = Some(SupervisorDecision::Rejected);
    assert!(rejected.to_bytes().unwrap_err().to_string().contains("must say why"));
    rejected.meta.supervisor_reason = Some("the photo is of someone else".into());
    assert!(rejected.to_bytes().is_ok());
    let mut nowhere = sample();
    nowhere.meta.gps = Some(GpsPosition {
        latitude: 91.0,
        longitude: 0.0,
        accuracy_m: None,
    });
    assert!(nowhere
        .to_bytes()
        .unwrap_err()
        .to_string()
        .contains("not a place on Earth"));
}

#[test]
fn bad_prefix_is_rejected() {
    let bytes = sample().to_bytes().unwrap();
    assert!(contents_error(b"").contains("ends inside the container's magic"));
    assert!(contents_error(b"ENRP\x02\0\0\0\0").contains("does not start with \"ENRC\""));
    let mut old_version = bytes.clone();
    old_version[4] = 1;
    assert!(contents_error(&old_version).contains("container version 1"));
    assert!(contents_error(&bytes[..7]).contains("ends inside the manifest length"));
    let mut huge = bytes.clone();
    huge[5..9].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(contents_error(&huge).contains("more than the limit"));
    assert!(contents_error(&bytes[..20]).contains("ends inside the manifest"));
}

#[test]
fn manifest_must_be_valid_and_match_entries() {
    let bytes = sample().to_bytes().unwrap();
    let (manifest, entries) = split(&bytes);
    let entries: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();

    let mut not_json = bytes.clone();
    not_json[9] = b'x';
    assert!(contents_error(&not_json).contains("manifest is not valid"));

    let mut edited = manifest.clone();
    edited["format_version"] = 3.into();
    assert!(contents_error(&assemble(&edited, &entries)).contains("format_version is 3"));

    let mut renamed = manifest.clone();
    renamed["entries"][3]["name"] = "documents/POI-1.png".into();
    assert!(contents_error(&assemble(&renamed, &entries)).contains("require exactly"));

    let mut missing = manifest.clone();
    missing["entries"].as_array_mut().unwrap().pop();
    assert!(contents_error(&assemble(&missing, &entries[..entries.len() - 1])).contains("require exactly"));

    let mut other_id = manifest.clone();
    other_id["registration_id"] = "someone-else".into();
    assert!(contents_error(&assemble(&other_id, &entries)).contains("meta.json names registration"));
}

#[test]
fn every_entry_length_and_hash_is_checked() {
    let bytes = sample().to_bytes().unwrap();
    let (manifest, entries) = split(&bytes);
    let entries: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();

    for index in 0..entries.len() {
        let mut changed: Vec<Vec<u8>> = entries.iter().map(|e| e.to_vec()).collect();
        changed[index][0] ^= 1;
        let changed: Vec<&[u8]> = changed.iter().map(Vec::as_slice).collect();
        let message = contents_error(&assemble(&manifest, &changed));
        assert!(message.contains("has SHA-256"), "entry {index}: {message}");
    }

    let mut too_long = manifest.clone();
    too_long["entries"][6]["length"] = (entries[6].len() + 1).into();
    assert!(contents_error(&assemble(&too_long, &entries)).contains("ends inside entry audit.json"));

    let mut impossible = manifest.clone();
    impossible["entries"][0]["length"] = u64::MAX.into();
    assert!(contents_error(&assemble(&impossible, &entries)).contains("identity.json"));

    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(contents_error(&trailing).contains("1 unexpected bytes"));

    assert!(contents_error(&replace_entry(&bytes, 1, b"{}")).contains("meta.json is not valid"));
    assert!(contents_error(&replace_entry(&bytes, 6, b"{}")).contains("audit.json is not valid"));
    let (message, code) = error_of(&replace_entry(&bytes, 2, b"<BIR><BIR></BIR>"));
    assert_eq!(code, "cbeff_invalid", "{message}");
}

#[test]
fn a_cbeff_this_station_did_not_write_is_refused() {
    let bytes = sample().to_bytes().unwrap();
    let (_, entries) = split(&bytes);
    let xml = String::from_utf8(entries[2].clone()).unwrap();
    // An extra `others` entry reads as CBEFF but is not what this station writes.
    let extra = xml.replacen(
        "<entry key=\"EXCEPTION\">false</entry>",
        "<entry key=\"EXCEPTION\">false</entry><entry key=\"SDK_SCORE\">0.0</entry>",
        1,
    );
    let (message, code) = error_of(&replace_entry(&bytes, 2, extra.as_bytes()));
    assert_eq!(code, "cbeff_invalid");
    assert!(message.contains("never writes"), "{message}");
    // A capture without a device payload.
    let no_payload = xml.replacen("<entry key=\"PAYLOAD\">", "<entry key=\"NOT_PAYLOAD\">", 1);
    let (message, _) = error_of(&replace_entry(&bytes, 2, no_payload.as_bytes()));
    assert!(message.contains("no PAYLOAD"), "{message}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    let valid = sample().to_bytes().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x454e_5243);
    for _ in 0..2000 {
        let mut bytes = valid.clone();
        match rng.gen_range(0..3) {
            0 => {
                // A flip inside a manifest string is not covered by any hash (the
                // envelope's AEAD protects it), so it may parse; it must never panic.
                let at = rng.gen_range(0..bytes.len());
                bytes[at] ^= 1 << rng.gen_range(0..8);
                let _ = PacketContents::from_bytes(&bytes);
            }
            1 => {
                // Cutting anything off loses bytes of the last entry.
                bytes.truncate(rng.gen_range(0..bytes.len()));
                assert_eq!(
                    PacketContents::from_bytes(&bytes).unwrap_err().code(),
                    "contents_invalid"
                );
            }
            _ => {
                let len = rng.gen_range(0..64);
                bytes = (0..len).map(|_| rng.gen()).collect();
                if rng.gen() {
                    bytes.splice(0..0, *b"ENRC\x02");
                }
                assert_eq!(
                    PacketContents::from_bytes(&bytes).unwrap_err().code(),
                    "contents_invalid"
                );
            }
        }
    }
}

#[test]
fn the_cbeff_entry_survives_random_damage_without_panicking() {
    let bytes = sample().to_bytes().unwrap();
    let (_, entries) = split(&bytes);
    let xml = entries[2].clone();
    let mut rng = rand::rngs::StdRng::seed_from_u64(19785);
    for _ in 0..3000 {
        let mut damaged = xml.clone();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..damaged.len());
            damaged[at] = rng.gen_range(0x20..0x7f);
        }
        if rng.gen_bool(0.2) {
            damaged.truncate(rng.gen_range(0..damaged.len()));
        }
        if let Err(error) = Cbeff::from_xml(&damaged).and_then(|c| biometrics_from_cbeff(&c)) {
            assert!(["cbeff_invalid", "contents_invalid"].contains(&error.code()), "{error}");
        }
    }
}
