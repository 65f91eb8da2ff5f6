//! The capture devices of the end-to-end run and the register's view of what they captured,
//! both through the `enroll` CLI as a centre and a register would use it:
//! - `enroll sim-devices`: the simulated slap scanner, iris camera and face camera behind MOSIP
//!   SBI services on loopback, signed by their own device CA, which the station trusts through
//!   a trust folder holding only that CA's certificate. The app drives them over SBI exactly as
//!   it drives certified devices (`ENROLL_DEVICES=sbi`). The iris camera stages low-quality
//!   captures, so that its step stays under the threshold and needs a supervisor's sign-off.
//! - `enroll packet open`: the intake's stored packets, decrypted with the register key.
//!
//! Deliberately absent: the flow itself (`main.rs`) and the WebDriver plumbing (`harness.rs`).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

use crate::harness::ProcessGroup;

/// The step whose device stages low-quality captures (`--failure-on iris`).
pub const SIGNED_OFF_STEP: &str = "bothIrises";

/// `enroll sim-devices` in its own process group, and the environment that points the app at it.
pub struct SbiDevices {
    _process: ProcessGroup,
    first_port: u16,
    trust_dir: PathBuf,
}

impl SbiDevices {
    /// Starts the three simulated devices on three consecutive free ports (retrying when another
    /// process takes one in between), their CA made under `dir`.
    pub fn start(cli: &Path, dir: &Path) -> Result<SbiDevices> {
        let ca_dir = dir.join("device-ca");
        for _ in 0..5 {
            let port = three_free_ports()?;
            let mut process = ProcessGroup::spawn(
                "enroll sim-devices",
                Command::new(cli)
                    .args(["sim-devices", "--listen", &format!("127.0.0.1:{port}")])
                    .arg("--ca-dir")
                    .arg(&ca_dir)
                    .args(["--failure", "low-quality", "--failure-on", "iris"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::inherit()),
            )?;
            let stdout = process.child().stdout.take().context("stdout is piped")?;
            let (sender, receiver) = mpsc::channel();
            std::thread::spawn(move || {
                let mut ca_certificate = None;
                for line in BufReader::new(stdout).lines().map_while(|line| line.ok()) {
                    eprintln!("[e2e] sim-devices: {line}");
                    if let Some((_, path)) = line.split_once("--device-trust): ") {
                        ca_certificate = Some(PathBuf::from(path));
                    }
                    if line.starts_with("ready") {
                        let _ = sender.send(ca_certificate.take());
                    }
                }
            });
            // Making the CA's RSA keys takes seconds in a debug build.
            let Ok(ca_certificate) = receiver.recv_timeout(Duration::from_secs(90)) else {
                // A port was taken in between (the process exited) or it hangs: try others.
                continue;
            };
            let ca_certificate = ca_certificate.ok_or_else(|| anyhow!("sim-devices printed no CA certificate"))?;
            let trust_dir = dir.join("device-trust");
            std::fs::create_dir_all(&trust_dir)?;
            std::fs::copy(&ca_certificate, trust_dir.join("simulated-devices.pem"))
                .context("copying the simulators' CA certificate into the trust folder")?;
            return Ok(SbiDevices {
                _process: process,
                first_port: port,
                trust_dir,
            });
        }
        bail!("enroll sim-devices did not start on any of five port ranges")
    }

    /// What the app reads to drive these devices over SBI, and only them.
    pub fn app_environment(&self) -> [(&'static str, String); 3] {
        [
            ("ENROLL_DEVICES", "sbi".into()),
            (
                "ENROLL_SBI_PORTS",
                format!("{}-{}", self.first_port, self.first_port + 2),
            ),
            ("ENROLL_DEVICE_TRUST", self.trust_dir.display().to_string()),
        ]
    }
}

/// A port with the two after it free a moment ago.
fn three_free_ports() -> Result<u16> {
    for _ in 0..50 {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        if port < 65000 && (1..3).all(|offset| TcpListener::bind(("127.0.0.1", port + offset)).is_ok()) {
            return Ok(port);
        }
    }
    bail!("no three consecutive free ports on loopback")
}

/// Every packet the intake stored, opened with `enroll packet open` and the register key: the
/// JSON it prints, by registration id.
pub fn open_stored_packets(
    cli: &Path,
    intake_dir: &Path,
    register_keys_json: &str,
    scratch: &Path,
) -> Result<Vec<serde_json::Value>> {
    let key_file = scratch.join("register-key.json");
    std::fs::write(&key_file, register_keys_json)?;
    let packets = intake_dir.join("packets");
    let mut opened = Vec::new();
    for entry in std::fs::read_dir(&packets).with_context(|| format!("reading {}", packets.display()))? {
        let path = entry?.path();
        let output = Command::new(cli)
            .args(["packet", "open", "--key"])
            .arg(&key_file)
            .arg(&path)
            .output()
            .context("running enroll packet open")?;
        if !output.status.success() {
            bail!(
                "enroll packet open {} failed: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        opened.push(serde_json::from_slice(&output.stdout).context("enroll packet open prints JSON")?);
    }
    Ok(opened)
}
