//! `enroll devices list`, `enroll devices capture` and `enroll sim-devices`, run as an admin
//! runs them: the simulators in process, then behind real SBI services in another `enroll`
//! process, found over loopback HTTP with and without the simulators' CA in the trust folder.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

use serde_json::Value;

use crate::biometrics::{enroll, stdout_json};

fn entries_of<'a>(list: &'a Value, entry: &str) -> Vec<&'a Value> {
    list.as_array()
        .expect("an array")
        .iter()
        .filter(|e| e["entry"] == entry)
        .collect()
}

fn sorted(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut values: Vec<String> = values.collect();
    values.sort();
    values
}

#[test]
fn the_simulated_backend_lists_three_devices_marked_simulated() {
    let list = stdout_json(&enroll(&["devices", "list", "--simulated", "--json"]));
    let devices = entries_of(&list, "device");
    assert_eq!(devices.len(), 3);
    assert_eq!(list.as_array().unwrap().len(), 3, "no other backend was asked for");
    for device in &devices {
        assert_eq!(device["backend"], "simulated");
        assert_eq!(device["simulated"], true);
        assert_eq!(device["trust"], "notApplicable");
    }
    assert_eq!(
        sorted(devices.iter().map(|d| d["kind"].as_str().unwrap().to_string())),
        ["face", "fingerSlap", "irisDouble"]
    );

    let text = enroll(&["devices", "list", "--simulated"]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().filter(|l| l.ends_with("SIMULATED")).count(), 3, "{text}");
    assert!(text.contains("trust n/a"), "{text}");
}

fn inspect_positions(files: &[PathBuf]) -> Vec<String> {
    let mut args = vec!["biometrics", "inspect"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let summaries = stdout_json(&enroll(&args));
    sorted(
        summaries
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["representations"][0]["position"].as_str().unwrap().to_string()),
    )
}

fn iso_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "iso"))
        .collect();
    files.sort();
    files
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_simulated_left_slap_without_the_ring_finger_gives_three_records_that_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("capture");
    let capture = |extra: &[&str]| {
        let mut args = vec![
            "devices",
            "capture",
            "--simulated",
            "--modality",
            "finger",
            "--step",
            "left-slap",
            "--except",
            "left-ring",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        enroll(&args)
    };
    let output = capture(&[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let files = iso_files(&out);
    assert_eq!(
        files
            .iter()
            .map(|f| f.file_name().unwrap().to_str().unwrap())
            .collect::<Vec<_>>(),
        ["left-index.iso", "left-little.iso", "left-middle.iso"]
    );
    assert_eq!(
        inspect_positions(&files),
        ["Left IndexFinger", "Left LittleFinger", "Left MiddleFinger"]
    );
    let report = read_json(&out.join("capture.json"));
    assert_eq!(report["exceptions"], serde_json::json!(["left-ring"]));
    let positions = report["positions"].as_array().unwrap();
    assert_eq!(positions.len(), 3);
    for position in positions {
        assert_eq!(position["trust"], "notApplicable");
        assert_eq!(position["signaturePresent"], false);
        assert_eq!(position["device"]["simulated"], true);
        assert!(position["quality"].as_u64().unwrap() <= 100);
    }

    // The folder now holds a capture: refused without --force.
    let again = capture(&[]);
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // A scanner that hands over only the slap: the station cuts it and scores each fingertip.
    let segmented = capture(&["--force", "--sim-slap-image-only"]);
    assert!(
        segmented.status.success(),
        "{}",
        String::from_utf8_lossy(&segmented.stderr)
    );
    assert_eq!(
        inspect_positions(&iso_files(&out)),
        ["Left IndexFinger", "Left LittleFinger", "Left MiddleFinger"]
    );
    let report = read_json(&out.join("capture.json"));
    let sources: Vec<&str> = report["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["qualitySource"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["station", "station", "station"]);
}

#[test]
fn a_step_of_another_modality_or_an_exception_outside_the_step_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = enroll(&[
        "devices",
        "capture",
        "--simulated",
        "--modality",
        "iris",
        "--step",
        "left-slap",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not capture iris"));
    let output = enroll(&[
        "devices",
        "capture",
        "--simulated",
        "--modality",
        "finger",
        "--step",
        "left-slap",
        "--except",
        "right-ring",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!out.exists(), "nothing is written for a refused command");
}

/// `enroll sim-devices` running in its own process; killed when dropped.
struct SimDevices {
    child: Child,
    first_port: u16,
    ca_certificate: PathBuf,
}

impl Drop for SimDevices {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port with the two after it free now (another process may still take them: the caller
/// retries).
fn three_free_ports() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if port < 65000 && (1..3).all(|offset| TcpListener::bind(("127.0.0.1", port + offset)).is_ok()) {
            return port;
        }
    }
}

impl SimDevices {
    /// `enroll devices capture` of `modality` into `out` from these devices, in developer mode
    /// (their CA is not trusted).
    fn capture_untrusted(&self, modality: &str, out: &Path) -> Output {
        let ports = format!("{}-{}", self.first_port, self.first_port + 2);
        enroll(&[
            "devices",
            "capture",
            "--sbi",
            "--sbi-ports",
            &ports,
            "--developer-mode",
            "--modality",
            modality,
            "--out",
            out.to_str().unwrap(),
        ])
    }
}

fn start_sim_devices(ca_dir: &Path, extra: &[&str]) -> SimDevices {
    for _ in 0..5 {
        let port = three_free_ports();
        let mut child = Command::new(env!("CARGO_BIN_EXE_enroll"))
            .args(["sim-devices", "--listen", &format!("127.0.0.1:{port}"), "--ca-dir"])
            .arg(ca_dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let mut ca_certificate = None;
        let mut ready = false;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(path) = line.split_once("--device-trust): ").map(|(_, p)| p) {
                ca_certificate = Some(PathBuf::from(path));
            }
            if line.starts_with("ready") {
                ready = true;
                break;
            }
        }
        let sim = SimDevices {
            child,
            first_port: port,
            ca_certificate: ca_certificate.unwrap_or_default(),
        };
        if ready {
            return sim;
        }
        // A port was taken in between: dropping `sim` reaps the process; try others.
    }
    panic!("enroll sim-devices did not start on any of five port ranges");
}

#[test]
fn sim_devices_over_sbi_are_verified_with_their_ca_refused_without_and_marked_in_developer_mode() {
    let dir = tempfile::tempdir().unwrap();
    // Kept between runs: making the CA's two RSA keys takes seconds.
    let ca_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-sim-device-ca");
    let sim = start_sim_devices(&ca_dir, &[]);
    assert!(
        sim.ca_certificate.starts_with(&ca_dir),
        "{}",
        sim.ca_certificate.display()
    );
    let trust = dir.path().join("device-trust");
    std::fs::create_dir(&trust).unwrap();
    std::fs::copy(&sim.ca_certificate, trust.join("simulators.pem")).unwrap();
    let ports = format!("{}-{}", sim.first_port, sim.first_port + 2);
    let list = |extra: &[&str]| {
        let mut args = vec!["devices", "list", "--sbi", "--sbi-ports", &ports, "--json"];
        args.extend(extra);
        stdout_json(&enroll(&args))
    };

    let trusted = list(&["--device-trust", trust.to_str().unwrap()]);
    let devices = entries_of(&trusted, "device");
    assert_eq!(devices.len(), 3, "{trusted:#}");
    for device in &devices {
        assert_eq!(device["backend"], "sbi");
        assert_eq!(device["trust"], "verified");
        assert_eq!(
            device["simulated"], true,
            "a simulator behind SBI stays marked simulated"
        );
        assert_eq!(device["make"], "Simulated");
        assert!(
            !device["model"].as_str().unwrap().contains("Simulated"),
            "the make is not repeated in the model: {device:#}"
        );
    }
    assert_eq!(
        sorted(devices.iter().map(|d| d["kind"].as_str().unwrap().to_string())),
        ["face", "fingerSlap", "irisDouble"]
    );
    assert!(entries_of(&trusted, "sbiRefused").is_empty());

    let untrusted = list(&[]);
    assert!(entries_of(&untrusted, "device").is_empty(), "{untrusted:#}");
    let refused = entries_of(&untrusted, "sbiRefused");
    assert_eq!(refused.len(), 3, "{untrusted:#}");
    for refusal in &refused {
        assert_eq!(refusal["code"], "device_untrusted");
        assert!(!refusal["reason"].as_str().unwrap().is_empty());
    }

    let developer = list(&["--developer-mode"]);
    let devices = entries_of(&developer, "device");
    assert_eq!(devices.len(), 3, "{developer:#}");
    assert!(devices
        .iter()
        .all(|d| d["trust"] == "developerMode" && d["simulated"] == true));

    // A capture through SBI: signed records, delivered as the service made them.
    let out = dir.path().join("irises");
    let output = enroll(&[
        "devices",
        "capture",
        "--sbi",
        "--sbi-ports",
        &ports,
        "--device-trust",
        trust.to_str().unwrap(),
        "--modality",
        "iris",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(inspect_positions(&iso_files(&out)), ["Left", "Right"]);
    let report = read_json(&out.join("capture.json"));
    let positions = report["positions"].as_array().unwrap();
    assert_eq!(positions.len(), 2);
    assert!(positions
        .iter()
        .all(|p| p["signaturePresent"] == true && p["trust"] == "verified" && p["qualitySource"] == "device"));
    drop(sim);
}

#[test]
fn a_busy_device_behind_sbi_fails_the_capture_with_the_device_code_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-sim-device-ca");
    let sim = start_sim_devices(&ca_dir, &["--failure", "busy"]);
    let out = dir.path().join("face");
    let output = sim.capture_untrusted("face", &out);
    assert_eq!(output.status.code(), Some(6), "6: a capture device failed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sbi:") && stderr.contains("sbi_error"), "{stderr}");
    assert!(!out.exists(), "a failed capture leaves no folder behind");
    drop(sim);
}

#[test]
fn a_failure_staged_on_one_device_leaves_the_others_capturing() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-sim-device-ca");
    let sim = start_sim_devices(&ca_dir, &["--failure", "busy", "--failure-on", "iris"]);
    let capture = |modality: &str| {
        let out = dir.path().join(modality);
        (sim.capture_untrusted(modality, &out), out)
    };
    let (iris, iris_out) = capture("iris");
    assert_eq!(iris.status.code(), Some(6), "the iris camera stages the failure");
    assert!(!iris_out.exists());
    let (face, face_out) = capture("face");
    assert!(
        face.status.success(),
        "the face camera captures: {}",
        String::from_utf8_lossy(&face.stderr)
    );
    assert_eq!(iso_files(&face_out).len(), 1);
    drop(sim);

    let refused = enroll(&["sim-devices", "--failure-on", "knee"]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "a device kind that is not one is a usage error"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("all, slap, iris, face"));
}
