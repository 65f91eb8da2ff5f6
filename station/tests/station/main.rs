//! The station's application API with real parts: a real vault file, a real intake on
//! loopback, a fake clock. One binary; each test in its own temporary folder.
//!
//! - `audit_details`: what the audit trail says of each move, tied to the register's receipt.
//! - `biometrics`: capture steps against the policy, exceptions, sign-offs, into the packet.
//! - `home`: the home screen's lists, their paging, and the decision on a registration.
//! - `roles`: the role matrix over every `Station` method.
//! - `session`: lockout (persisted across a restart) and the idle lock.
//! - `lifecycle`: reject, discard, purge after retention, and the audit chain behind them.
//! - `onboarding`: a register that approves stations itself, one-time codes, revocation.
//! - `offline`: the offline limits stop new registrations, with the reason, until a sync.
//! - `marker`: no resident data in any file the station writes, at every stage.
//! - `private_files`: the data folder and every file in it are owner-only, old ones tightened.
//! - `sync`: the upload queue's order, quarantine, and the background sync.
//! - `exchange`: sealed packets on removable media, to the register and back, relayed by a
//!   second station; damaged and forged media refused.
//! - `request_key`: the key that signs the sync's requests, from setup, and for a station set up
//!   before request keys, from the first sign-in after the upgrade.

mod audit_details;
mod biometrics;
mod exchange;
mod form;
mod home;
mod lifecycle;
mod marker;
mod offline;
mod onboarding;
mod private_files;
mod process;
mod register_config;
mod register_keys;
mod register_status;
mod request_key;
mod roles;
mod session;
mod settings;
mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use enroll_devices::simulated::{SimulationHandle, SimulationSettings};
use enroll_devices::{DeviceBackend, SimulatedBackend};
use enroll_intake::{IntakeConfig, RunningIntake};
use enroll_packet::RegisterKeyPair;
use enroll_schemas::CapturePolicy;
use enroll_station::biometrics::PolicyStep;
use enroll_station::{NewOperatorRequest, RoleName, SetupRequest, Station, StationConfig, StationPolicy};
use time::OffsetDateTime;

/// A clock the test moves by hand; it starts at 2026-11-25 09:00 UTC.
#[derive(Clone)]
pub struct FakeClock(Arc<Mutex<OffsetDateTime>>);

impl Default for FakeClock {
    fn default() -> FakeClock {
        FakeClock(Arc::new(Mutex::new(time::macros::datetime!(2026-11-25 09:00 UTC))))
    }
}

impl FakeClock {
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
    pub fn clock(&self) -> enroll_station::Clock {
        let inner = self.0.clone();
        Arc::new(move || *inner.lock().unwrap())
    }
}

/// A station set up against a real intake, with an admin, a supervisor and two officers.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub intake: RunningIntake,
    pub clock: FakeClock,
    pub station: Station,
    /// The register's private key file, to open what the station sealed.
    pub register_key_json: String,
}

pub const ADMIN: &str = "admin";
pub const SUPERVISOR: &str = "sara";
pub const OFFICER: &str = "omar";
/// A second officer, who makes the registrations that others act on.
pub const MAKER: &str = "olga";

pub fn password(username: &str) -> String {
    format!("{username}-password")
}

pub fn data_dir(dir: &Path) -> PathBuf {
    dir.join("station")
}

/// The simulated devices with a fixed sitter and no latency (the station's own default has a
/// new sitter per start and a capture that takes most of a second, as a demo should).
pub fn quick_simulated_devices(person_seed: u64) -> Vec<Arc<dyn DeviceBackend>> {
    vec![Arc::new(SimulatedBackend::new(SimulationHandle::new(
        SimulationSettings {
            person_seed,
            latency: Duration::ZERO,
            preview_interval: Duration::ZERO,
            ..SimulationSettings::default()
        },
    )))]
}

/// A station whose registrations take the face only: the tests here are about everything but
/// fingers and irises, which `biometrics` covers with the default policy.
pub fn open_station(dir: &Path, intake_url: &str, clock: &FakeClock) -> Station {
    open_station_with_policy(dir, intake_url, clock, CapturePolicy::face_only())
}

pub fn open_station_with_policy(
    dir: &Path,
    intake_url: &str,
    clock: &FakeClock,
    capture_policy: CapturePolicy,
) -> Station {
    let station = Station::open_with(
        StationConfig {
            data_dir: data_dir(dir),
            intake_url: intake_url.to_string(),
        },
        clock.clock(),
    )
    .unwrap();
    station.use_device_backends(quick_simulated_devices(11));
    station
        .with_policy(StationPolicy {
            retention: Duration::from_secs(7 * 24 * 3600),
            ..StationPolicy::default()
        })
        .with_capture_policy(capture_policy)
}

/// A fixture capturing with these devices (the face-only policy).
pub async fn fixture_with_devices(backends: Vec<Arc<dyn DeviceBackend>>) -> Fixture {
    let fixture = fixture_with(CapturePolicy::face_only()).await;
    fixture.station.use_device_backends(backends);
    fixture
}

/// A fixture whose registrations take what the embedded default policy asks for.
pub async fn fixture_with_default_capture_policy() -> Fixture {
    fixture_with(CapturePolicy::default_policy()).await
}

async fn fixture_with(capture_policy: CapturePolicy) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let register_key_json = RegisterKeyPair::generate().to_json();
    let intake = enroll_intake::spawn(
        IntakeConfig::new(
            dir.path().join("intake"),
            RegisterKeyPair::from_json(&register_key_json).unwrap(),
        )
        .approving_stations_automatically(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let clock = FakeClock::default();
    let station = open_station_with_policy(dir.path(), &intake.base_url(), &clock, capture_policy);
    station
        .set_up(SetupRequest {
            station_name: "Center".into(),
            center_id: "10001".into(),
            admin_username: ADMIN.into(),
            admin_full_name: "Ada Admin".into(),
            admin_password: password(ADMIN),
            enrollment_code: None,
        })
        .await
        .unwrap();
    station.log_in(ADMIN, &password(ADMIN)).unwrap();
    for (username, role) in [
        (SUPERVISOR, RoleName::Supervisor),
        (OFFICER, RoleName::Officer),
        (MAKER, RoleName::Officer),
    ] {
        station
            .add_operator(NewOperatorRequest {
                username: username.into(),
                full_name: format!("{username} full name"),
                role,
                password: password(username),
            })
            .unwrap();
    }
    station.log_out();
    Fixture {
        dir,
        intake,
        clock,
        station,
        register_key_json,
    }
}

pub async fn fixture() -> Fixture {
    fixture_with(CapturePolicy::face_only()).await
}

pub fn identity(name: &str) -> serde_json::Value {
    enroll_station::example_identity(name)
}

/// A registration by whoever is signed in, moved to pending approval.
pub fn pending_registration(station: &Station) -> String {
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, identity("Karim Test")).unwrap();
    capture_face(station, &rid);
    attach_proof_of_identity(station, &rid);
    station.finalize(&rid).unwrap();
    rid
}

/// The document the default form requires, as the window sends it: a proof of identity, a
/// national identity card as one scanned page (a small real JPEG).
pub fn proof_of_identity() -> enroll_station::DocumentInput {
    let pixels = image::RgbImage::from_fn(48, 32, |x, y| image::Rgb([(x * 5) as u8, (y * 7) as u8, 100]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&pixels)
        .unwrap();
    use base64::Engine as _;
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

/// Attaches [`proof_of_identity`] to the draft.
pub fn attach_proof_of_identity(station: &Station, registration_id: &str) {
    station.attach_document(registration_id, proof_of_identity()).unwrap();
}

/// The face step of the capture model, once: a good simulated sitter passes the policy's
/// threshold at the first attempt (`enroll-devices`' simulated tests hold the simulator to it).
pub fn capture_face(station: &Station, registration_id: &str) {
    let view = station.capture_biometrics(registration_id, PolicyStep::Face).unwrap();
    let face = view.steps.iter().find(|s| s.step == PolicyStep::Face).unwrap();
    assert!(
        face.done,
        "a good simulated sitter reaches the face threshold: {face:?}"
    );
}

/// Sign in as `username` (and nobody else).
pub fn as_user(station: &Station, username: &str) {
    station.log_out();
    station.log_in(username, &password(username)).unwrap();
}
