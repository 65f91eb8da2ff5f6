//! The seeds of `register_config` and `station_config`: configuration documents as the register
//! sends them down (`enroll_packet::register_config`), signed by the fuzz register, and copies
//! that break one rule each (a changed payload, a signature of another key or cut short, an
//! unknown kind, version 0, an unknown field), and key rotations (one whole, one that keeps a
//! key); and the documents themselves (`enroll_schemas::station_config`: offline limits, master
//! data, a form, an operator list), valid and each near a rule.
//!
//! Deliberately absent: anything from a real deployment (codes and labels are made up).

use enroll_fuzz::packet_targets::fuzz_register;
use enroll_packet::register_config::{ConfigDocument, ConfigKind, KeyRotation, SignedConfig};
use enroll_packet::{RegisterPublicKeys, StationSigningKey};
use serde_json::{json, Value};

use super::{edit, parse_json, remove, shorten, to_json, Result, Seeds};

fn limits() -> Value {
    json!({"max_days_since_sync": 14, "max_packets_not_uploaded": 500, "min_free_disk_mb": 1024})
}

fn master_data() -> Value {
    json!({
        "locations": [
            {"code": "RSK", "labels": {"fra": "Rabat-Salé-Kénitra", "ara": "الرباط سلا القنيطرة"}},
            {"code": "RSK-RBA", "labels": {"fra": "Rabat"}, "parent": "RSK"}
        ],
        "document_types": [{"code": "CNIE", "labels": {"fra": "Carte nationale"}}],
        "rejection_reasons": [{"code": "blurred", "labels": {"eng": "Blurred photo", "tzm": "ⵜⴰⵡⵍⴰⴼⵜ"}}]
    })
}

fn operators() -> Value {
    json!({"operators": [
        {"username": "amina.b", "full_name": "Amina Benali", "role": "supervisor", "active": true},
        {"username": "idir", "full_name": "ⵉⴷⵉⵔ", "role": "officer", "active": false}
    ]})
}

/// A rotation from the fuzz register's keys to made-up ones (any 32 bytes are an X25519 key).
fn rotation() -> KeyRotation {
    KeyRotation {
        keys: RegisterPublicKeys {
            encryption_public: [0x66; 32],
            signing_public: StationSigningKey::from_seed([0x55; 32]).0.verifying_key().to_bytes(),
        },
        replaces: fuzz_register().public_keys(),
    }
}

fn signed(kind: ConfigKind, version: u64, document: Value) -> Result<Value> {
    let document = ConfigDocument {
        kind,
        version,
        published_at: "2025-03-01T09:30:00Z".into(),
        document,
    };
    serde_json::to_value(SignedConfig::sign(&document, &fuzz_register().signing_key)).map_err(|e| e.to_string())
}

pub(crate) fn register_config_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "register_config";
    let valid = signed(ConfigKind::OfflineLimits, 3, limits())?;
    seeds.add(target, "valid-offline-limits", to_json(&valid));
    seeds.add(
        target,
        "valid-master-data",
        to_json(&signed(ConfigKind::MasterData, 4, master_data())?),
    );
    seeds.add(
        target,
        "valid-key-rotation",
        to_json(&signed(ConfigKind::RegisterKeys, 5, rotation().to_value())?),
    );
    let mut keeps_a_key = rotation();
    keeps_a_key.keys.signing_public = keeps_a_key.replaces.signing_public;
    seeds.add(
        target,
        "near-key-rotation-keeps-a-key",
        to_json(&signed(ConfigKind::RegisterKeys, 6, keeps_a_key.to_value())?),
    );
    seeds.add(
        target,
        "valid-operators",
        to_json(&signed(ConfigKind::Operators, 7, operators())?),
    );
    seeds.add(
        target,
        "near-payload-changed",
        edit(&valid, |v| {
            let payload = v["payload"].as_str().unwrap_or_default().replace("14", "41");
            v["payload"] = json!(payload);
        }),
    );
    seeds.add(
        target,
        "near-signature-short",
        edit(&valid, |v| shorten(&mut v["signature"])),
    );
    seeds.add(
        target,
        "near-signature-removed",
        edit(&valid, |v| remove(v, "signature")),
    );
    let by_another = SignedConfig::sign(
        &serde_json::from_str(valid["payload"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?,
        &StationSigningKey::from_seed([0x44; 32]).0,
    );
    seeds.add(
        target,
        "near-signed-by-another",
        to_json(&serde_json::to_value(by_another).map_err(|e| e.to_string())?),
    );
    // Signed by the register, but not what a payload may be: the signature holds, the reading
    // refuses.
    let payload = parse_json(valid["payload"].as_str().unwrap_or_default())?;
    for (name, changed) in [
        ("near-kind-unknown", edit(&payload, |v| v["kind"] = json!("firmware"))),
        ("near-version-0", edit(&payload, |v| v["version"] = json!(0))),
        (
            "near-field-unknown",
            edit(&payload, |v| v["signed_by"] = json!("someone")),
        ),
    ] {
        let signature = {
            use ed25519_dalek::Signer as _;
            let message = enroll_packet::register_config::signed_message(changed.as_bytes());
            base64_standard(&fuzz_register().signing_key.sign(&message).to_bytes())
        };
        seeds.add(
            target,
            name,
            to_json(&json!({"payload": changed, "signature": signature})),
        );
    }
    Ok(())
}

pub(crate) fn station_config_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "station_config";
    seeds.add(target, "valid-offline-limits", to_json(&limits()));
    seeds.add(target, "valid-master-data", to_json(&master_data()));
    seeds.add(target, "valid-operators", to_json(&operators()));
    seeds.add(
        target,
        "near-operator-twice",
        edit(&operators(), |v| v["operators"][1]["username"] = json!("amina.b")),
    );
    seeds.add(
        target,
        "near-operator-role-unknown",
        edit(&operators(), |v| v["operators"][0]["role"] = json!("chief")),
    );
    seeds.add(
        target,
        "near-operator-name-spaces",
        edit(&operators(), |v| v["operators"][0]["username"] = json!("amina b")),
    );
    let form = json!({
        "id_schema": parse_json(enroll_schemas::DEFAULT_ID_SCHEMA)?,
        "ui_spec": parse_json(enroll_schemas::DEFAULT_UI_SPEC)?,
    });
    seeds.add(target, "valid-form", to_json(&form));
    seeds.add(
        target,
        "near-form-without-ui-spec",
        edit(&form, |v| remove(v, "ui_spec")),
    );
    seeds.add(
        target,
        "near-limits-days-0",
        edit(&limits(), |v| v["max_days_since_sync"] = json!(0)),
    );
    seeds.add(
        target,
        "near-limits-disk-huge",
        edit(&limits(), |v| v["min_free_disk_mb"] = json!(u64::MAX)),
    );
    seeds.add(
        target,
        "near-master-code-twice",
        edit(&master_data(), |v| {
            let first = v["document_types"][0].clone();
            if let Some(list) = v["document_types"].as_array_mut() {
                list.push(first);
            }
        }),
    );
    seeds.add(
        target,
        "near-master-parent-missing",
        edit(&master_data(), |v| v["locations"][1]["parent"] = json!("NOWHERE")),
    );
    seeds.add(
        target,
        "near-master-label-empty",
        edit(&master_data(), |v| {
            v["rejection_reasons"][0]["labels"]["eng"] = json!(" ")
        }),
    );
    Ok(())
}

fn base64_standard(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
