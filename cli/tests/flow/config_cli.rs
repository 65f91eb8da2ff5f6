//! `enroll intake config` as a register's operator runs it: a document is checked as stations
//! will check it, signed with the register key and published with the next version; what is
//! published is listed; a document stations would refuse is refused with exit code 3 and
//! nothing is published.

use std::path::Path;
use std::process::{Command, Output};

use enroll_packet::register_config::ConfigKind;
use enroll_packet::RegisterKeyPair;

fn config(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["intake", "config"])
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_registers_operator_publishes_configuration_that_verifies_with_the_register_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("intake");
    let keys = RegisterKeyPair::generate();
    let key_file = dir.path().join("register.key.json");
    std::fs::write(&key_file, keys.to_json()).unwrap();
    let key = key_file.to_str().unwrap();
    let document = dir.path().join("limits.json");
    std::fs::write(
        &document,
        r#"{"max_days_since_sync": 5, "max_packets_not_uploaded": 250, "min_free_disk_mb": 2048}"#,
    )
    .unwrap();
    let document = document.to_str().unwrap();

    let published = json(&config(
        &data,
        &["publish", "--key", key, "--kind", "offline-limits", document],
    ));
    assert_eq!(
        (published["kind"].as_str(), published["version"].as_u64()),
        (Some("offline_limits"), Some(1))
    );
    let again = json(&config(
        &data,
        &["publish", "--key", key, "--kind", "offline-limits", document],
    ));
    assert_eq!(again["version"], 2, "every publication takes the next version");

    let listed = json(&config(&data, &["list"]));
    assert_eq!(listed.as_array().unwrap().len(), 1, "the latest of each kind");
    assert_eq!(listed[0]["version"], 2);

    // What the intake serves is signed by the register key.
    let folder = enroll_intake::configuration::ConfigFolder::open(&data).unwrap();
    let delta = folder.since(0).unwrap();
    let served = delta.documents[0].verify(&keys.public_keys().signing_public).unwrap();
    assert_eq!((served.kind, served.version), (ConfigKind::OfflineLimits, 2));
    assert_eq!(served.document["min_free_disk_mb"], 2048);

    // A document stations would refuse is not published.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"max_days_since_sync": 0, "max_packets_not_uploaded": 1, "min_free_disk_mb": 64}"#,
    )
    .unwrap();
    let refused = config(
        &data,
        &[
            "publish",
            "--key",
            key,
            "--kind",
            "offline-limits",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("max_days_since_sync"), "{stderr}");
    let not_json = config(&data, &["publish", "--key", key, "--kind", "master-data", key]);
    assert_eq!(not_json.status.code(), Some(3), "a key file is not master data");
    assert_eq!(
        json(&config(&data, &["list"]))[0]["version"],
        2,
        "nothing more was published"
    );
}

#[test]
fn the_registers_operator_rotates_the_keys_and_publishes_an_operator_list_with_the_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("intake");
    let write_key = |name: &str, keys: &RegisterKeyPair| {
        let path = dir.path().join(name);
        std::fs::write(&path, keys.to_json()).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let (old, new) = (RegisterKeyPair::generate(), RegisterKeyPair::generate());
    let (old_key, new_key) = (write_key("old.key.json", &old), write_key("new.key.json", &new));
    let operators = dir.path().join("operators.json");
    std::fs::write(
        &operators,
        r#"{"operators": [{"username": "amina", "full_name": "Amina Benali", "role": "supervisor", "active": true}]}"#,
    )
    .unwrap();
    let operators = operators.to_str().unwrap();

    json(&config(
        &data,
        &["publish", "--key", &old_key, "--kind", "operators", operators],
    ));
    let rotated = json(&config(
        &data,
        &["rotate-keys", "--key", &old_key, "--new-key", &new_key],
    ));
    assert_eq!(rotated["kind"], "register_keys");
    assert_eq!(rotated["version"], 2);
    assert_eq!(rotated["to_key_id"], new.public_keys().key_id().to_hex());

    // The retired key publishes nothing more (exit code 3, with the reason); the new one does.
    let refused = config(&data, &["publish", "--key", &old_key, "--kind", "operators", operators]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("rotated"));
    json(&config(
        &data,
        &["publish", "--key", &new_key, "--kind", "operators", operators],
    ));
    let listed = json(&config(&data, &["list"]));
    let kinds: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["kind"].as_str().unwrap().to_owned(),
                entry["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("register_keys".to_owned(), 2), ("operators".to_owned(), 3)]);

    // An operator list stations would refuse is not published.
    let bad = dir.path().join("bad-operators.json");
    std::fs::write(
        &bad,
        r#"{"operators": [{"username": "a b", "full_name": "A", "role": "officer", "active": true}]}"#,
    )
    .unwrap();
    let refused = config(
        &data,
        &[
            "publish",
            "--key",
            &new_key,
            "--kind",
            "operators",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("username"));
}
