//! `enroll biometrics inspect` on the MOSIP mock device's records (real data no one on this
//! project made) and on a file that is not a record.

use std::path::PathBuf;
use std::process::{Command, Output};

use enroll_devices::codecs::decode_record_image;
use enroll_devices::iso19794::Iso19794Record;
use enroll_devices::Position;
use serde_json::Value;

pub fn enroll(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_enroll")).args(args).output().unwrap()
}

pub fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "enroll failed ({:?}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// The shared fixtures folder: `ENROLL_FIXTURES`, else `../shared/fixtures` beside the project.
fn fixtures() -> PathBuf {
    std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"))
}

/// The position a MOSIP mock record's file stem names ("Left_Index"), by the capture model's
/// MOSIP names, independently of the CLI's.
fn position_of_stem(stem: &str) -> Option<Position> {
    let (side, part) = stem.split_once('_')?;
    match part {
        "Iris" => Position::from_mosip_name(enroll_devices::Modality::Iris, side),
        "Thumb" => Position::from_mosip_name(enroll_devices::Modality::Finger, &format!("{side} Thumb")),
        finger => Position::from_mosip_name(enroll_devices::Modality::Finger, &format!("{side} {finger}Finger")),
    }
}

#[test]
fn inspect_reads_every_mosip_record_with_the_size_of_its_image_and_the_position_of_its_name() {
    let folder = fixtures().join("mosip-mock-mds/registration");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        println!("SKIPPED: the fixture folder {} is absent", folder.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "iso"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 14, "ten fingers, two irises, face and exception photo");
    let mut args = vec!["biometrics", "inspect"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let summaries = stdout_json(&enroll(&args));
    let summaries = summaries.as_array().expect("an array");
    assert_eq!(summaries.len(), files.len());
    for (file, summary) in files.iter().zip(summaries) {
        assert_eq!(summary["file"], file.to_str().unwrap());
        let representation = &summary["representations"][0];
        // The header's size must be the size of the image it carries, decoded here.
        let record = Iso19794Record::parse(&std::fs::read(file).unwrap()).unwrap();
        let pixels = decode_record_image(&record.representations[0].image).unwrap();
        assert_eq!(representation["width"], pixels.width(), "{}", file.display());
        assert_eq!(representation["height"], pixels.height(), "{}", file.display());
        assert_eq!(summary["edition"], 2011, "{}", file.display());
        let stem = file.file_stem().unwrap().to_str().unwrap();
        match position_of_stem(stem) {
            Some(position) => {
                assert_eq!(representation["position"], position.mosip_name(), "{}", file.display());
                let format = if position.modality() == enroll_devices::Modality::Iris {
                    "iris"
                } else {
                    "finger"
                };
                assert_eq!(summary["format"], format);
            }
            None => {
                assert!(matches!(stem, "Face" | "Exception_Photo"), "{stem}");
                assert_eq!(summary["format"], "face");
                assert_eq!(representation["position"], Value::Null);
            }
        }
    }
}

#[test]
fn a_file_that_is_not_a_record_fails_with_the_input_code_and_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("holiday-photo.iso");
    std::fs::write(&garbage, b"GIF89a this is not a biometric record at all").unwrap();
    let output = enroll(&["biometrics", "inspect", garbage.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "3: an input that is not valid");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(garbage.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains("not an ISO/IEC 19794 record"), "{stderr}");
    assert!(stderr.contains("iso_record_unknown_format"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing is printed for a partial list");

    let missing = dir.path().join("missing.iso");
    let output = enroll(&["biometrics", "inspect", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
}
