//! A full registration made by the station's own capture path, for the finalize and approve
//! benchmark: a [`Station`] on a bench vault ([`crate::fixture`]) with the simulated devices
//! of `enroll-devices` as its only backend; an officer types the identity, captures the left
//! slap, the right slap, the thumbs, both irises and the face through
//! `Station::capture_biometrics`.
//!
//! Captures are the clerk's time, not the benchmark's: after the last one,
//! [`wait_for_background_encoding`] waits until the station's background encoder (the
//! `record-encoder` threads of `station/src/biometrics/encoder.rs`, which wrap each capture's
//! pixels into a JPEG 2000 record while the clerk goes on) has finished, as it would have
//! while the clerk reviewed the form.
//!
//! The officer also attaches the one document the default form requires, a proof of identity of
//! one small scanned page (`Station::attach_document`), so that finalize takes the draft; the
//! benchmark's documents of realistic size are still added at the packet level (see
//! `benches/vault.rs`).
//!
//! Deliberately absent: failures of the simulated devices, and capture latency (set to zero: it
//! is waiting, not work).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use enroll_devices::simulated::{SimulationHandle, SimulationSettings};
use enroll_devices::SimulatedBackend;
use enroll_packet::RegisterKeyPair;
use enroll_station::biometrics::PolicyStep;
use enroll_station::{NewOperatorRequest, RoleName, Station, StationConfig};

use crate::fixture::{open_or_set_up, ADMIN, ADMIN_PASSWORD};

/// The officer who captures and finalizes.
pub const OFFICER: &str = "officer";
/// The supervisor who approves (not the maker, as the station requires).
pub const SUPERVISOR: &str = "supervisor";
pub const OPERATOR_PASSWORD: &str = "bench operator password";

/// The capture steps of the default policy that go through the capture model, in order.
pub const CAPTURE_STEPS: [PolicyStep; 5] = [
    PolicyStep::LeftSlap,
    PolicyStep::RightSlap,
    PolicyStep::Thumbs,
    PolicyStep::BothIrises,
    PolicyStep::Face,
];

/// A station ready to capture, and what a checker needs to open what it seals.
pub struct CaptureStation {
    pub station: Station,
    /// The simulated devices' settings (the sitter changes per registration).
    pub simulation: SimulationHandle,
    pub register: RegisterKeyPair,
    pub station_public_key: [u8; 32],
}

/// Open the station in `data_dir` (set up first if needed) with the simulated devices, and
/// make sure the officer and the supervisor exist. Nobody is signed in afterwards.
pub fn open_capture_station(data_dir: &Path, now: &str) -> anyhow::Result<CaptureStation> {
    let fixture = open_or_set_up(data_dir, now)?;
    let register = fixture.register;
    let station_public_key = fixture.signing_key.public_key();
    // One writer at a time: the fixture's vault closes before the station opens it.
    drop(fixture.vault);

    let simulation = SimulationHandle::new(SimulationSettings {
        latency: Duration::ZERO,
        ..SimulationSettings::default()
    });
    let station = Station::open_with(
        StationConfig {
            data_dir: data_dir.to_path_buf(),
            intake_url: "http://127.0.0.1:9".into(),
        },
        Arc::new(time::OffsetDateTime::now_utc),
    )?;
    station.use_device_backends(vec![Arc::new(SimulatedBackend::new(simulation.clone()))]);
    station.log_in(ADMIN, ADMIN_PASSWORD)?;
    let existing: Vec<String> = station.list_operators()?.into_iter().map(|o| o.username).collect();
    for (username, role) in [(OFFICER, RoleName::Officer), (SUPERVISOR, RoleName::Supervisor)] {
        if !existing.iter().any(|name| name == username) {
            station.add_operator(NewOperatorRequest {
                username: username.into(),
                full_name: format!("Bench {username}"),
                role,
                password: OPERATOR_PASSWORD.into(),
            })?;
        }
    }
    station.log_out();
    Ok(CaptureStation {
        station,
        simulation,
        register,
        station_public_key,
    })
}

/// An identity the default form accepts at finalize.
pub fn identity(n: u64) -> serde_json::Value {
    enroll_station::example_identity(&format!("Resident {n}"))
}

/// A registration captured and ready to finalize.
pub struct CapturedRegistration {
    pub registration_id: String,
    /// Steps still under their threshold after the last attempt, kept by the supervisor's
    /// sign-off (`Station::force_capture`).
    pub signed_off: Vec<PolicyStep>,
}

/// As the signed-in officer: a new draft with an identity, every capture step of the policy
/// taken from the simulated devices (retaken while under the threshold, as a clerk would, up
/// to the attempts the policy allows, then signed off by the supervisor), the face among them.
/// Returns once the background encoder has finished.
pub fn capture_full_registration(capture: &CaptureStation, sitter: u64) -> anyhow::Result<CapturedRegistration> {
    let station = &capture.station;
    capture.simulation.update(|settings| settings.person_seed = sitter);
    let registration_id = station.new_registration()?.registration_id;
    station.record_consent(&registration_id, true)?;
    station.save_draft(&registration_id, identity(sitter))?;
    let mut signed_off = Vec::new();
    for step in CAPTURE_STEPS {
        let done =
            |view: &enroll_station::biometrics::BiometricsView| view.steps.iter().any(|s| s.step == step && s.done);
        let mut view = station.capture_biometrics(&registration_id, step)?;
        let allowed = station.capture_policy().attempts;
        let mut attempts = 1;
        while !done(&view) && attempts < allowed {
            view = station.capture_biometrics(&registration_id, step)?;
            attempts += 1;
        }
        if !done(&view) {
            // What the clerk does then: the supervisor signs the step off as it is.
            view = station.force_capture(&registration_id, step, SUPERVISOR, OPERATOR_PASSWORD)?;
            signed_off.push(step);
        }
        anyhow::ensure!(done(&view), "{step:?} is done after its attempts and a sign-off");
    }
    let view = station.biometrics(&registration_id)?;
    anyhow::ensure!(view.complete, "the biometrics are complete after every step");
    station.attach_document(&registration_id, proof_of_identity())?;
    wait_for_background_encoding(Duration::from_secs(300))?;
    Ok(CapturedRegistration {
        registration_id,
        signed_off,
    })
}

/// The document the default form requires: a proof of identity, one small scanned page (a real
/// JPEG, as the window sends a file).
fn proof_of_identity() -> enroll_station::DocumentInput {
    use base64::Engine as _;
    let pixels = image::RgbImage::from_fn(64, 40, |x, y| image::Rgb([(x * 3) as u8, (y * 5) as u8, 128]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&pixels)
        .expect("a small JPEG encodes");
    enroll_station::DocumentInput {
        category: "POI".into(),
        document_type: "CIN".into(),
        reference_number: None,
        pages: vec![enroll_station::DocumentPage {
            file_name: "id-card.jpg".into(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(jpeg),
        }],
    }
}

/// The name the station gives its background encoder threads (`encoder.rs`).
const ENCODER_THREAD: &str = "record-encoder";

/// How many of this process's threads are the station's background encoders, where the
/// kernel says (Linux); `None` elsewhere.
fn encoder_threads() -> Option<usize> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    Some(
        tasks
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
            .filter(|name| name.trim_end() == ENCODER_THREAD)
            .count(),
    )
}

/// Wait until no background encoder thread is left (Linux), or a fixed 10 s elsewhere
/// (ten fingers and two irises take a few seconds on one core). An error after `timeout`.
///
/// A thread takes its name a moment after it starts, so "none left" must hold for a few
/// polls in a row before it is believed.
pub fn wait_for_background_encoding(timeout: Duration) -> anyhow::Result<()> {
    const QUIET_POLLS: u32 = 5;
    let started = Instant::now();
    let mut quiet = 0;
    loop {
        match encoder_threads() {
            Some(0) if quiet + 1 >= QUIET_POLLS => return Ok(()),
            Some(0) => {
                quiet += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Some(running) if started.elapsed() > timeout => {
                anyhow::bail!("{running} background encoders still running after {timeout:?}")
            }
            Some(_) => {
                quiet = 0;
                std::thread::sleep(Duration::from_millis(20));
            }
            None => {
                std::thread::sleep(Duration::from_secs(10));
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoder_thread(for_how_long: Duration) -> std::thread::JoinHandle<()> {
        std::thread::Builder::new()
            .name(ENCODER_THREAD.into())
            .spawn(move || std::thread::sleep(for_how_long))
            .unwrap()
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn waiting_for_background_encoding_returns_once_the_encoder_thread_has_ended() {
        let encoder = encoder_thread(Duration::from_millis(300));
        // Let the thread take its name before looking.
        std::thread::sleep(Duration::from_millis(50));
        wait_for_background_encoding(Duration::from_secs(30)).unwrap();
        assert!(encoder.is_finished(), "the wait returned while the encoder still ran");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn an_encoder_that_runs_past_the_timeout_is_an_error() {
        let encoder = encoder_thread(Duration::from_secs(2));
        std::thread::sleep(Duration::from_millis(50));
        let error = wait_for_background_encoding(Duration::from_millis(100)).unwrap_err();
        assert!(error.to_string().contains("still running"), "{error:#}");
        encoder.join().unwrap();
    }
}
