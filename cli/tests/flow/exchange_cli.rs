//! Sneaker-net with the real `enroll` binary, as a station's admin and the register's operator
//! run it: `enroll export --to` a folder standing for a stick while the intake is down, `enroll
//! intake import` at the register (a damaged copy refused with exit code 4 and the file named,
//! the good one stored), and `enroll import` back at the station, which acknowledges the packets.

use std::path::Path;
use std::process::{Command, Output};

use crate::sync_cli::{states, station_with_queue};

fn enroll(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_enroll")).args(args).output().unwrap()
}

fn os(text: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(text)
}

fn report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not a JSON report ({error}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_export_and_import_carry_packets_to_the_register_and_receipts_back() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, _address, keys) = station_with_queue(dir.path(), 2).await;
    let data = dir.path().join("station");
    let key_file = dir.path().join("register.key");
    std::fs::write(&key_file, keys.to_json()).unwrap();
    let stick = dir.path().join("stick");

    // A stick that is not mounted: refused, nothing written to the local disk under its name.
    let unmounted = enroll(&[
        os("export"),
        os("--to"),
        stick.as_os_str(),
        os("--data"),
        data.as_os_str(),
    ]);
    assert_eq!(
        unmounted.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&unmounted.stderr)
    );
    assert!(!stick.exists());

    std::fs::create_dir(&stick).unwrap();
    let export = enroll(&[
        os("export"),
        os("--to"),
        stick.as_os_str(),
        os("--data"),
        data.as_os_str(),
    ]);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let exported = report(&export);
    assert_eq!(exported["exported"], serde_json::json!(ids));
    let folder = std::path::PathBuf::from(exported["folder"].as_str().unwrap());
    assert!(folder.join("manifest.json").is_file() && folder.join("manifest.sig").is_file());
    assert_eq!(states(dir.path(), &ids), ["sealed", "sealed"], "still queued");

    // A copy with one byte changed is refused at the register, the file named.
    let damaged = dir.path().join("damaged");
    copy_folder(&folder, &damaged.join(folder.file_name().unwrap()));
    let packet = damaged
        .join(folder.file_name().unwrap())
        .join("packets")
        .join(format!("{}.envelope", ids[1]));
    let mut bytes = std::fs::read(&packet).unwrap();
    bytes[100] ^= 0x40;
    std::fs::write(&packet, bytes).unwrap();
    let intake_data = dir.path().join("intake");
    let refused = enroll(&[
        os("intake"),
        os("import"),
        damaged.as_os_str(),
        os("--data"),
        intake_data.as_os_str(),
        os("--key"),
        key_file.as_os_str(),
    ]);
    assert_eq!(
        refused.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let refusal = report(&refused);
    assert_eq!(refusal["refused"][0]["code"], "media_file_changed");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains(&format!("packets/{}.envelope", ids[1])), "{stderr}");

    // The good copy is stored, and its receipts written onto the stick.
    let import = enroll(&[
        os("intake"),
        os("import"),
        stick.as_os_str(),
        os("--data"),
        intake_data.as_os_str(),
        os("--key"),
        key_file.as_os_str(),
    ]);
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    let imported = report(&import);
    assert_eq!(imported["imported"][0]["stored"], 2);
    assert_eq!(imported["imported"][0]["receipts_written"], 2);

    // Back at the station.
    let back = enroll(&[os("import"), stick.as_os_str(), os("--data"), data.as_os_str()]);
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    let view = report(&back);
    assert_eq!(view["folders"][0]["kind"], "own");
    assert_eq!(view["folders"][0]["acknowledged"], 2);
    assert_eq!(states(dir.path(), &ids), ["acknowledged", "acknowledged"]);

    // A receipt that is not the register's is named, exit code 4, and changes nothing more.
    let receipt = folder.join("receipts").join(format!("{}.json", ids[0]));
    std::fs::write(&receipt, b"{\"receipt\": 1}").unwrap();
    let again = enroll(&[os("import"), stick.as_os_str(), os("--data"), data.as_os_str()]);
    assert_eq!(
        again.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let view = report(&again);
    assert_eq!(
        view["folders"][0]["failures"][0]["error"]["code"],
        "media_receipt_invalid"
    );
    assert_eq!(
        view["folders"][0]["failures"][0]["file"],
        format!("receipts/{}.json", ids[0])
    );
}
