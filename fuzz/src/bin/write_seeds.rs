//! Writes the starting corpus of every fuzz target into `fuzz/corpus/<target>/`: real inputs
//! that the fuzzer mutates from, so that it starts past the magic bytes and the JSON syntax.
//!
//! The inputs come from the repository's own files (the committed envelope test vectors, the
//! embedded default configuration) and from sealing the vectors' container to the fuzz targets'
//! fixed keys, so they follow the formats as they are now. Run by `make fuzz`; idempotent.

use std::path::{Path, PathBuf};

use enroll_fuzz::packet_targets::{fuzz_register, fuzz_station};
use enroll_packet::envelope::seal_for_register_with_chunk_size;
use enroll_packet::{EnvelopeHeader, Receipt, SignedReceipt, StationSigningKey};
use serde_json::Value;

fn main() -> Result<(), String> {
    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = fuzz_dir.join("..");
    let corpus = fuzz_dir.join("corpus");
    let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()));
    let json = |path: &Path| -> Result<Value, String> {
        serde_json::from_str(&read(path)?).map_err(|e| format!("{} is not JSON: {e}", path.display()))
    };
    let hex = |value: &Value| hex_decode(value.as_str().unwrap_or_default());

    let mut seeds: Vec<(&str, String, Vec<u8>)> = Vec::new();

    // Envelopes: the committed vectors (sealed to other keys) and a real container sealed to the
    // fuzz keys, whole and with its body only, for the re-signing target.
    let vectors = json(&repo.join("schemas/vectors/envelope-v1.json"))?;
    for p in vectors["positive"].as_array().into_iter().flatten() {
        let envelope = hex(&p["expected"]["envelope_hex"]);
        seeds.push((
            "envelope_header",
            format!("vector-{}", p["name"].as_str().unwrap_or("")),
            envelope.clone(),
        ));
        seeds.push((
            "envelope_open",
            format!("vector-{}", p["name"].as_str().unwrap_or("")),
            envelope,
        ));
    }
    let container_vector = json(&repo.join("packet/tests/envelope/vector-v1.json"))?;
    let container = hex(&container_vector["plaintext_hex"]);
    seeds.push(("contents", "vector-v1-container".into(), container.clone()));
    let station_id = container_vector["header"]["station_id"].as_str().unwrap_or("ST");
    let registration_id = container_vector["header"]["registration_id"].as_str().unwrap_or("R");
    for chunk_size in [1024u32, 65536] {
        let envelope = seal_for_register_with_chunk_size(
            &container,
            station_id,
            registration_id,
            &fuzz_station(),
            &fuzz_register().public_keys(),
            chunk_size,
        )
        .map_err(|e| format!("sealing the seed failed: {e}"))?;
        let header = EnvelopeHeader::parse(&envelope).map_err(|e| e.to_string())?;
        let name = format!("sealed-to-fuzz-keys-{chunk_size}");
        seeds.push(("envelope_header", name.clone(), envelope.clone()));
        seeds.push(("envelope_open", name.clone(), envelope.clone()));
        let unsigned = envelope[..envelope.len() - 64].to_vec();
        seeds.push(("envelope_open_resigned", name.clone(), unsigned));
        seeds.push((
            "envelope_open_resigned",
            format!("{name}-header-only"),
            envelope[..header.header_len].to_vec(),
        ));
    }

    // Key files and a receipt signed by another register (the target verifies with the fuzz one).
    let register = fuzz_register();
    seeds.push((
        "register_keys",
        "public".into(),
        register.public_keys().to_json().into_bytes(),
    ));
    seeds.push(("register_keys", "private".into(), register.to_json().into_bytes()));
    let receipt = Receipt {
        registration_id: registration_id.into(),
        station_id: station_id.into(),
        envelope_sha256: "0".repeat(64),
        received_at: "2025-03-01T09:30:00Z".into(),
        intake_reference: "upload-31".into(),
    };
    let other = StationSigningKey::from_seed([0x44; 32]);
    let signed = SignedReceipt::sign(receipt, &other.0);
    seeds.push((
        "receipt",
        "signed-by-another".into(),
        serde_json::to_vec(&signed).map_err(|e| e.to_string())?,
    ));

    // Configuration and identities.
    seeds.push((
        "id_schema",
        "default".into(),
        enroll_schemas::DEFAULT_ID_SCHEMA.as_bytes().to_vec(),
    ));
    seeds.push((
        "ui_spec",
        "default".into(),
        enroll_schemas::DEFAULT_UI_SPEC.as_bytes().to_vec(),
    ));
    let identities = [
        r#"{"fullName":[{"language":"eng","value":"Amina Diallo"},{"language":"fra","value":"Amina Diallo"}],"dateOfBirth":"1990/01/31","gender":[{"language":"eng","value":"Female"}],"phone":"+221770000000"}"#,
        r#"{"fullName":[{"language":"ara","value":"أمينة"}],"dateOfBirth":"2024/02/29"}"#,
        r#"{}"#,
    ];
    for (i, identity) in identities.iter().enumerate() {
        seeds.push(("form_identity", format!("identity-{i}"), identity.as_bytes().to_vec()));
    }
    if let Ok(sample) = std::fs::read(fixtures().join("mosip-packet-sample/id-schema-sample.json")) {
        seeds.push(("id_schema", "mosip-sample".into(), sample));
    }
    if let Ok(sample) = std::fs::read(fixtures().join("mosip-packet-sample/components/id/ID.json")) {
        seeds.push(("form_identity", "mosip-sample".into(), sample));
    }

    // Biometrics: MOSIP's sample CBEFF file and the ISO/IEC 19794 records inside it.
    if let Ok(sample) =
        std::fs::read(fixtures().join("mosip-packet-sample/components/id/individualBiometrics_bio_CBEFF.xml"))
    {
        if let Ok(document) = enroll_packet::cbeff::Cbeff::from_xml(&sample) {
            for (i, record) in document.records.iter().enumerate() {
                if let Some(bdb) = &record.bdb {
                    seeds.push(("iso19794", format!("mosip-sample-{i}"), bdb.clone()));
                }
            }
        }
        seeds.push(("cbeff", "mosip-sample".into(), sample));
    }

    let mut written = 0;
    for (target, name, bytes) in seeds {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        std::fs::write(dir.join(format!("seed-{name}")), bytes).map_err(|e| e.to_string())?;
        written += 1;
    }
    println!("wrote {written} seed inputs under {}", corpus.display());
    Ok(())
}

/// The shared fixtures (`ENROLL_FIXTURES` or `../shared/fixtures` beside the repository).
fn fixtures() -> PathBuf {
    std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"))
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}
