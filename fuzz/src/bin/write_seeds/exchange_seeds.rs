//! The seeds of `exchange_manifest`: an export folder's manifest as a station writes it
//! (`enroll_packet::exchange_manifest`), signed by the fuzz request key and vouched for by the
//! fuzz station's key, joined to its signature file; and copies that break one rule each (an
//! unknown field, a path out of the folder, two ids equal but for case, sizes and hashes out of
//! their rules, a signature that does not match).
//!
//! Deliberately absent: anything from a real deployment (ids and times are made up).

use enroll_fuzz::packet_targets::{fuzz_request_key, fuzz_station, MANIFEST_SEPARATOR};
use enroll_packet::exchange_manifest::{sign_manifest, ExchangeManifest, ExportDecision, ManifestPacket};
use serde_json::{json, Value};

use super::{edit, remove, shorten, to_json, Result, Seeds};

const STATION_ID: &str = "10001";

fn manifest() -> ExchangeManifest {
    let request_public = fuzz_request_key().verifying_key().to_bytes();
    ExchangeManifest {
        station_id: STATION_ID.into(),
        created_at: "2025-03-01T09:30:00Z".into(),
        request_key: request_public,
        request_key_proof: enroll_packet::signing::request_key_proof(&fuzz_station().0, STATION_ID, &request_public),
        packets: vec![
            ManifestPacket {
                registration_id: "100011000100001202503010930001".into(),
                length: 6_144,
                sha256: "1f".repeat(32),
                decision: ExportDecision::Approved,
            },
            ManifestPacket {
                registration_id: "100011000100002202503010931002".into(),
                length: 5_900,
                sha256: "2e".repeat(32),
                decision: ExportDecision::Rejected,
            },
        ],
    }
}

/// `manifest` and its signature file, as the target reads them.
fn with_signature(manifest: &[u8], signature: &[u8]) -> Vec<u8> {
    [manifest, &[MANIFEST_SEPARATOR], signature].concat()
}

/// A manifest text signed as it stands (so only the manifest's rules refuse it).
fn signed(text: &str) -> Vec<u8> {
    with_signature(text.as_bytes(), &sign_manifest(text.as_bytes(), &fuzz_request_key()))
}

pub fn exchange_manifest_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "exchange_manifest";
    let bytes = manifest().to_bytes();
    let signature = sign_manifest(&bytes, &fuzz_request_key());
    seeds.add(target, "valid", with_signature(&bytes, &signature));
    seeds.add(target, "valid-unsigned", bytes.clone());

    let value: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    let mut changed = bytes.clone();
    let at = changed.len() / 2;
    changed[at] ^= 0x01;
    seeds.add(target, "near-byte-changed", with_signature(&changed, &signature));
    seeds.add(
        target,
        "near-signature-short",
        with_signature(&bytes, &signature[..signature.len() / 2]),
    );
    seeds.add(
        target,
        "near-unknown-field",
        signed(&edit(&value, |v| v["comment"] = json!("copied by hand"))),
    );
    seeds.add(
        target,
        "near-path-out-of-the-folder",
        signed(&edit(&value, |v| {
            v["packets"][0]["registration_id"] = json!("../../etc/passwd");
            v["packets"][0]["file"] = json!("packets/../../etc/passwd.envelope");
        })),
    );
    seeds.add(
        target,
        "near-file-of-another-packet",
        signed(&edit(&value, |v| {
            v["packets"][0]["file"] = v["packets"][1]["file"].clone()
        })),
    );
    seeds.add(
        target,
        "near-ids-equal-but-for-case",
        signed(&edit(&value, |v| {
            for (index, id) in ["R-a", "r-A"].into_iter().enumerate() {
                v["packets"][index]["registration_id"] = json!(id);
                v["packets"][index]["file"] = json!(format!("packets/{id}.envelope"));
            }
        })),
    );
    seeds.add(
        target,
        "near-length-zero",
        signed(&edit(&value, |v| v["packets"][1]["length"] = json!(0))),
    );
    seeds.add(
        target,
        "near-sha256-upper-case",
        signed(&edit(&value, |v| v["packets"][0]["sha256"] = json!("1F".repeat(32)))),
    );
    seeds.add(
        target,
        "near-proof-short",
        signed(&edit(&value, |v| shorten(&mut v["request_key_proof"]))),
    );
    seeds.add(
        target,
        "near-no-packets",
        signed(&edit(&value, |v| v["packets"] = json!([]))),
    );
    seeds.add(
        target,
        "near-version-2",
        signed(&edit(&value, |v| v["version"] = json!(2))),
    );
    seeds.add(
        target,
        "near-station-removed",
        signed(&edit(&value, |v| remove(v, "station_id"))),
    );
    seeds.add(target, "near-cut-short", bytes[..bytes.len() / 2].to_vec());
    // Pretty-printed by another writer: still the same manifest, signed as it is.
    seeds.add(target, "valid-compact", signed(&to_json(&value).replace("\n", "")));
    Ok(())
}
