//! `enroll packet open|verify` with the station's key given as text or as a station public key
//! file, and the refusal of a packet whose contents name another station key than the one that
//! verified it (exit code 4, `station_key_mismatch`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use enroll_packet::testing::{sample_packet_contents, sealed_sample_packet};
use enroll_packet::{seal_for_register, RegisterKeyPair, StationSigningKey};

const STATION_ID: &str = "ST-0042";
const REGISTRATION_ID: &str = "10042-20250301-000017";

fn enroll(args: &[&str], paths: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(args)
        .args(paths)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A register key file, a station, and a file for `envelope` in `dir`.
struct Register {
    key_file: PathBuf,
    keys: RegisterKeyPair,
}

fn register_in(dir: &Path) -> Register {
    let keys = RegisterKeyPair::generate();
    let key_file = dir.join("register.key");
    std::fs::write(&key_file, keys.to_json()).unwrap();
    Register { key_file, keys }
}

fn packet_file(dir: &Path, name: &str, envelope: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, envelope).unwrap();
    path
}

#[test]
fn packet_open_refuses_contents_naming_another_station_key_with_exit_code_4() {
    let dir = tempfile::tempdir().unwrap();
    let register = register_in(dir.path());
    let station = StationSigningKey::generate();
    let other = StationSigningKey::generate();
    // Signed by `station`, but meta.json names `other`.
    let contents = sample_packet_contents(other.station_public_key(), STATION_ID, REGISTRATION_ID, 500);
    let envelope = seal_for_register(
        &contents.to_bytes().unwrap(),
        STATION_ID,
        REGISTRATION_ID,
        &station,
        &register.keys.public_keys(),
    )
    .unwrap();
    let packet = packet_file(dir.path(), "mismatch.enrp", &envelope);

    // The signing key given: the signature verifies, the contents name another key.
    let text = station.station_public_key().to_text();
    let output = enroll(
        &["packet", "open", "--station-key", &text, "--key"],
        &[&register.key_file, &packet],
    );
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("[station_key_mismatch]"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty(), "nothing of the packet is printed");

    // No key given: the key the packet names does not verify its signature.
    let output = enroll(&["packet", "open", "--key"], &[&register.key_file, &packet]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("[bad_signature]"), "{}", stderr(&output));

    // `packet verify` cannot see the contents, so it vouches only for the signature.
    let output = enroll(&["packet", "verify", "--station-key", &text], &[&packet]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_station_public_key_file_opens_its_stations_packets_only() {
    let dir = tempfile::tempdir().unwrap();
    let register = register_in(dir.path());
    let station = StationSigningKey::generate();
    let envelope = sealed_sample_packet(&station, STATION_ID, REGISTRATION_ID, &register.keys.public_keys(), 500);
    let packet = packet_file(dir.path(), "good.enrp", &envelope);

    let key_file = dir.path().join("station.pub.json");
    std::fs::write(&key_file, station.station_public_key().to_json(STATION_ID)).unwrap();
    let output = enroll(&["packet", "open", "--key"], &[&register.key_file, &packet]);
    assert!(output.status.success(), "{}", stderr(&output));
    let with_file = Command::new(env!("CARGO_BIN_EXE_enroll"))
        .args(["packet", "open", "--station-key-file"])
        .arg(&key_file)
        .arg("--key")
        .arg(&register.key_file)
        .arg(&packet)
        .output()
        .unwrap();
    assert!(with_file.status.success(), "{}", stderr(&with_file));
    let opened: serde_json::Value = serde_json::from_slice(&with_file.stdout).unwrap();
    assert_eq!(opened["station_public_key"], station.station_public_key().to_text());
    assert_eq!(opened["station_public_key_source"], "given");
    let verified = enroll(&["packet", "verify", "--station-key-file"], &[&key_file, &packet]);
    assert!(verified.status.success(), "{}", stderr(&verified));

    // The same key, filed under another station: not this packet's station.
    let elsewhere = dir.path().join("elsewhere.pub.json");
    std::fs::write(&elsewhere, station.station_public_key().to_json("ST-0099")).unwrap();
    let output = enroll(&["packet", "verify", "--station-key-file"], &[&elsewhere, &packet]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("ST-0099"), "{}", stderr(&output));

    // A key file that is not one (a register key file), or an edited key id: unreadable input.
    let output = enroll(
        &["packet", "verify", "--station-key-file"],
        &[&register.key_file, &packet],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let edited = dir.path().join("edited.pub.json");
    let text = station.station_public_key().to_json(STATION_ID);
    std::fs::write(
        &edited,
        text.replace(&station.station_public_key().key_id().to_hex(), &"0".repeat(16)),
    )
    .unwrap();
    let output = enroll(&["packet", "verify", "--station-key-file"], &[&edited, &packet]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));

    // A small-order "key" given as text is refused when verifying: bad_key, exit code 4.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let identity = enroll_packet::StationPublicKey(identity).to_text();
    let output = enroll(&["packet", "verify", "--station-key", &identity], &[&packet]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("[bad_key]"), "{}", stderr(&output));
}
