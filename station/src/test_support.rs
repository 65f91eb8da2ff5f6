//! A station for this crate's unit tests: set up straight through the vault (no intake, no
//! network), with a fake clock and one operator per role, so each test states only what it is
//! about. The integration tests (`tests/station`) set stations up the real way, through an
//! intake; these tests are about rules that need no intake.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use enroll_devices::simulated::{SimulationHandle, SimulationSettings};
use enroll_devices::SimulatedBackend;
use enroll_packet::{RegisterKeyPair, StationSigningKey};
use enroll_store::{DataKey, NewOperator, Role, StationRecord};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::{NewOperatorRequest, RoleName, Station, StationConfig, StationPolicy};

pub(crate) const ADMIN: &str = "admin";
pub(crate) const SUPERVISOR: &str = "sara";
pub(crate) const OFFICER: &str = "omar";
pub(crate) const MINUTE: Duration = Duration::from_secs(60);
pub(crate) const DAY: Duration = Duration::from_secs(24 * 60 * 60);

pub(crate) fn password(username: &str) -> String {
    format!("{username}-password")
}

/// A clock the test moves by hand; it starts at 2026-11-25 09:00 UTC.
#[derive(Clone)]
pub(crate) struct FakeClock(Arc<Mutex<OffsetDateTime>>);

impl FakeClock {
    pub(crate) fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

pub(crate) struct TestStation {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) clock: FakeClock,
    pub(crate) station: Station,
}

impl TestStation {
    /// A set-up station with an admin, a supervisor and an officer, nobody signed in. Its
    /// base policy keeps packets 7 days (as the integration tests' stations do).
    pub(crate) fn new() -> TestStation {
        let dir = tempfile::tempdir().unwrap();
        let clock = fake_clock();
        let station = open(dir.path(), &clock, NO_INTAKE);
        {
            let signing_key = StationSigningKey::generate();
            let record = StationRecord {
                station_id: "10001".into(),
                name: "Test Center".into(),
                center_id: "10002".into(),
                intake_url: NO_INTAKE.into(),
                register_keys_json: RegisterKeyPair::generate().public_keys().to_json(),
                created_at: "2026-11-25T09:00:00Z".into(),
            };
            let admin = NewOperator {
                username: ADMIN.into(),
                full_name: "Ada Admin".into(),
                role: Role::Admin,
                password: Zeroizing::new(password(ADMIN)),
            };
            station
                .vault()
                .create_station_with_public_key(
                    &record,
                    &signing_key.seed(),
                    Some(&signing_key.public_key()),
                    None,
                    &admin,
                    &DataKey::generate(),
                )
                .unwrap();
        }
        TestStation::with_operators(dir, clock, station)
    }

    /// The same, set up the real way against a real intake on loopback (for what needs
    /// uploads and receipts). The intake stops when it is dropped.
    pub(crate) async fn with_intake() -> (TestStation, enroll_intake::RunningIntake) {
        let dir = tempfile::tempdir().unwrap();
        let intake = enroll_intake::spawn(
            enroll_intake::IntakeConfig::new(dir.path().join("intake"), RegisterKeyPair::generate())
                .approving_stations_automatically(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let clock = fake_clock();
        let station = open(dir.path(), &clock, &intake.base_url());
        station
            .set_up(crate::SetupRequest {
                station_name: "Test Center".into(),
                center_id: "10002".into(),
                admin_username: ADMIN.into(),
                admin_full_name: "Ada Admin".into(),
                admin_password: password(ADMIN),
                enrollment_code: None,
            })
            .await
            .unwrap();
        (TestStation::with_operators(dir, clock, station), intake)
    }

    fn with_operators(dir: tempfile::TempDir, clock: FakeClock, station: Station) -> TestStation {
        station.log_in(ADMIN, &password(ADMIN)).unwrap();
        for (username, role) in [(SUPERVISOR, RoleName::Supervisor), (OFFICER, RoleName::Officer)] {
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
        TestStation { dir, clock, station }
    }

    /// Sign in as `username` (and nobody else).
    pub(crate) fn as_user(&self, username: &str) {
        self.station.log_out();
        self.station.log_in(username, &password(username)).unwrap();
    }

    /// The same vault opened again, as after a restart of the app (the old station closes
    /// first: the vault admits one station at a time).
    pub(crate) fn reopen(self) -> TestStation {
        let TestStation { dir, clock, station } = self;
        let intake_url = station.config.intake_url.clone();
        drop(station);
        let station = open(dir.path(), &clock, &intake_url);
        TestStation { dir, clock, station }
    }
}

/// Where the stations without an intake "send": nothing listens there.
const NO_INTAKE: &str = "http://127.0.0.1:1";

fn fake_clock() -> FakeClock {
    FakeClock(Arc::new(Mutex::new(time::macros::datetime!(2026-11-25 09:00 UTC))))
}

fn open(dir: &std::path::Path, clock: &FakeClock, intake_url: &str) -> Station {
    let inner = clock.0.clone();
    let station = Station::open_with(
        StationConfig {
            data_dir: dir.join("station"),
            intake_url: intake_url.into(),
        },
        Arc::new(move || *inner.lock().unwrap()),
    )
    .unwrap()
    .with_policy(StationPolicy {
        retention: 7 * DAY,
        ..StationPolicy::default()
    })
    // These tests are about everything but fingers and irises (tests/station/biometrics.rs).
    .with_capture_policy(enroll_schemas::CapturePolicy::face_only());
    // A fixed sitter and no latency: the default devices take most of a second per capture.
    station.use_device_backends(vec![Arc::new(SimulatedBackend::new(SimulationHandle::new(
        SimulationSettings {
            person_seed: 3,
            latency: Duration::ZERO,
            preview_interval: Duration::ZERO,
            ..SimulationSettings::default()
        },
    )))]);
    station
}

/// A registration made by whoever is signed in, finalized: pending approval.
pub(crate) fn pending_registration(station: &Station) -> String {
    let rid = complete_draft(station);
    station.record_consent(&rid, true).unwrap();
    station.finalize(&rid).unwrap();
    rid
}

/// A draft made by whoever is signed in, with everything finalize asks for but the resident's
/// consent: the identity, the face and the proof of identity (a one-page JPEG).
pub(crate) fn complete_draft(station: &Station) -> String {
    let rid = station.new_registration().unwrap().registration_id;
    let identity = enroll_schemas::example_identity("Karim Test");
    station.save_draft(&rid, identity).unwrap();
    station
        .capture_biometrics(&rid, crate::biometrics::PolicyStep::Face)
        .unwrap();
    // The default form requires a proof of identity.
    station
        .attach_document(
            &rid,
            crate::DocumentInput {
                category: "POI".into(),
                document_type: "CIN".into(),
                reference_number: Some("AB123456".into()),
                pages: vec![jpeg_page(64, 40)],
            },
        )
        .unwrap();
    rid
}

/// A real JPEG of `width` × `height` (a colour gradient), as the window sends a scanned page.
pub(crate) fn jpeg_page(width: u32, height: u32) -> crate::DocumentPage {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 3) as u8, (y * 5) as u8, 128]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&pixels)
        .unwrap();
    page_of("scan.jpg", &jpeg)
}

/// `bytes` as the window sends a file.
pub(crate) fn page_of(file_name: &str, bytes: &[u8]) -> crate::DocumentPage {
    use base64::Engine as _;
    crate::DocumentPage {
        file_name: file_name.into(),
        data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}
