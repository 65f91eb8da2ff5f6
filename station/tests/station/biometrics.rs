//! Biometric capture through the station's API against the capture policy: attempts keep the
//! best capture, exceptions need their photo, a supervisor signs off a step that stays poor,
//! and the approved packet carries every record with its metadata.
//!
//! The devices here are a test double, `ScriptedDevice`: it answers with the real ISO/IEC
//! 19794 records of a MOSIP mock device (`../shared/fixtures/mosip-mock-mds/registration/`)
//! and the quality scores the test scripts, so that each policy rule can be driven exactly.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use enroll_devices::{
    Backend, BiometricDevice, CancelToken, Capture, CaptureRequest, CaptureResult, CaptureStep, CapturedData,
    DeviceBackend, DeviceDescriptor, DeviceError, DeviceInfo, DeviceKind, DeviceStatus, DeviceTrust, Position,
    PreviewFrame, QualitySource,
};
use enroll_schemas::PolicyStep;
use enroll_station::biometrics::ExceptionKindName;
use enroll_station::Station;

use crate::{
    as_user, data_dir, fixture_with_default_capture_policy as fixture, identity, password, MAKER, OFFICER, SUPERVISOR,
};

fn fixtures_dir() -> PathBuf {
    let root = std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let dir = root.join("mosip-mock-mds/registration");
    assert!(
        dir.is_dir(),
        "fixture {} is absent: put ../shared/fixtures beside the repo",
        dir.display()
    );
    dir
}

/// The MOSIP mock device's record for a position.
fn fixture_record(position: Position) -> Vec<u8> {
    let name = match position {
        Position::ExceptionPhoto => "Exception_Photo".to_string(),
        Position::Face => "Face".to_string(),
        Position::LeftIris => "Left_Iris".to_string(),
        Position::RightIris => "Right_Iris".to_string(),
        finger => {
            let (hand, rest) = finger.mosip_name().split_once(' ').unwrap();
            format!("{hand}_{}", rest.trim_end_matches("Finger"))
        }
    };
    let path = fixtures_dir().join(format!("{name}.iso"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Answers each capture with fixture records and the next scripted quality (or 80).
struct ScriptedDevice {
    kind: DeviceKind,
    qualities: Mutex<VecDeque<u8>>,
    requests: Mutex<Vec<CaptureRequest>>,
}

impl ScriptedDevice {
    fn new(kind: DeviceKind) -> Arc<ScriptedDevice> {
        Arc::new(ScriptedDevice {
            kind,
            qualities: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
        })
    }

    fn script(&self, qualities: &[u8]) {
        self.qualities.lock().unwrap().extend(qualities);
    }
}

impl BiometricDevice for ScriptedDevice {
    fn descriptor(&self) -> DeviceDescriptor {
        DeviceDescriptor {
            id: format!("test:{:?}", self.kind),
            kind: self.kind,
            backend: Backend::Sbi,
            info: DeviceInfo {
                make: "MOSIP".into(),
                model: format!("{:?}", self.kind),
                serial: "1234567890".into(),
                firmware: "1.0".into(),
                certification: Some("L0".into()),
                digital_id: Some("header.payload.signature".into()),
                simulated: false,
            },
            status: DeviceStatus::Ready,
            trust: DeviceTrust::Verified,
        }
    }

    fn capture(&self, request: &CaptureRequest, _cancel: &CancelToken) -> Result<CaptureResult, DeviceError> {
        // An SBI device's last hash link; here a made-up one that names the capture, so a test
        // can see which link the next request continues from.
        let link = chain_link_of(&request.transaction_id);
        self.requests.lock().unwrap().push(request.clone());
        let captures = request
            .expected_positions()
            .into_iter()
            .map(|position| Capture {
                position,
                data: CapturedData::IsoRecord(fixture_record(position)),
                quality: self.qualities.lock().unwrap().pop_front().unwrap_or(80),
                quality_source: QualitySource::Device,
                signature: Some(format!("jws-of-{}", position.mosip_name())),
            })
            .collect();
        Ok(CaptureResult {
            captures,
            device: self.descriptor().info,
            chain_hash: Some(link),
        })
    }

    fn preview(
        &self,
        _step: CaptureStep,
        _on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        _cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        Ok(())
    }
}

fn chain_link_of(transaction_id: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(transaction_id.as_bytes()).into()
}

struct ScriptedBackend(Vec<Arc<dyn BiometricDevice>>);

impl DeviceBackend for ScriptedBackend {
    fn name(&self) -> &'static str {
        "scripted"
    }
    fn discover(&self) -> Result<Vec<Arc<dyn BiometricDevice>>, DeviceError> {
        Ok(self.0.clone())
    }
}

struct Devices {
    slap: Arc<ScriptedDevice>,
    iris: Arc<ScriptedDevice>,
    face: Arc<ScriptedDevice>,
}

fn plug_in(station: &Station) -> Devices {
    let devices = Devices {
        slap: ScriptedDevice::new(DeviceKind::FingerSlap),
        iris: ScriptedDevice::new(DeviceKind::IrisDouble),
        face: ScriptedDevice::new(DeviceKind::Face),
    };
    station.use_device_backends(vec![Arc::new(ScriptedBackend(vec![
        devices.slap.clone(),
        devices.iris.clone(),
        devices.face.clone(),
    ]))]);
    devices
}

fn step(view: &enroll_station::biometrics::BiometricsView, step: PolicyStep) -> &enroll_station::biometrics::StepView {
    view.steps.iter().find(|s| s.step == step).unwrap()
}

#[tokio::test]
async fn every_finger_iris_exception_and_sign_off_reaches_the_sealed_packet() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let devices = plug_in(station);
    as_user(station, MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, identity("Karim Test")).unwrap();
    crate::attach_proof_of_identity(station, &rid);

    let listed = station.devices().unwrap();
    assert_eq!(listed.len(), 3);
    let start = station.biometrics(&rid).unwrap();
    assert!(!start.complete);
    assert_eq!(start.steps.len(), 5, "the default policy's steps, the face among them");
    assert_eq!(step(&start, PolicyStep::Face).threshold, 90);
    devices.face.script(&[95]);
    let face = station.capture_biometrics(&rid, PolicyStep::Face).unwrap();
    assert!(step(&face, PolicyStep::Face).done);
    assert_eq!(
        step(&start, PolicyStep::LeftSlap).device.as_ref().unwrap().kind,
        DeviceKind::FingerSlap
    );

    // Left slap: three poor attempts; the best per finger is kept; then a supervisor signs off.
    devices.slap.script(&[30, 50, 20, 60, 35, 10, 25, 10, 10, 10, 10, 10]);
    for attempt in 1..=3 {
        let view = station.capture_biometrics(&rid, PolicyStep::LeftSlap).unwrap();
        let left = step(&view, PolicyStep::LeftSlap);
        assert_eq!(left.attempts, attempt);
        assert_eq!(
            left.may_force,
            attempt == 3,
            "force capture only after the last attempt"
        );
        assert!(!left.done);
    }
    let qualities: Vec<Option<u8>> = step(&station.biometrics(&rid).unwrap(), PolicyStep::LeftSlap)
        .positions
        .iter()
        .map(|p| p.quality)
        .collect();
    assert_eq!(
        qualities,
        [Some(35), Some(50), Some(25), Some(60)],
        "best of three per finger"
    );

    // The sign-off: not the clerk, not an officer, not a wrong password; then the supervisor.
    let refused = station
        .force_capture(&rid, PolicyStep::LeftSlap, MAKER, &password(MAKER))
        .unwrap_err();
    assert_eq!(refused.code(), "not_permitted");
    let refused = station
        .force_capture(&rid, PolicyStep::LeftSlap, OFFICER, &password(OFFICER))
        .unwrap_err();
    assert_eq!(refused.code(), "not_permitted");
    let refused = station
        .force_capture(&rid, PolicyStep::LeftSlap, SUPERVISOR, "guess")
        .unwrap_err();
    assert_eq!(refused.code(), "wrong_credentials");
    let signed = station
        .force_capture(&rid, PolicyStep::LeftSlap, SUPERVISOR, &password(SUPERVISOR))
        .unwrap();
    let left = step(&signed, PolicyStep::LeftSlap);
    assert!(left.done && !left.may_force);
    assert_eq!(left.forced_by.as_deref(), Some(SUPERVISOR));
    assert_eq!(
        station.session_state().unwrap().username.as_deref(),
        Some(MAKER),
        "the session stays the clerk's"
    );

    // Right slap first time good; thumbs with the right thumb recorded missing, then its photo.
    station.capture_biometrics(&rid, PolicyStep::RightSlap).unwrap();
    let marked = station
        .mark_biometric_exception(&rid, Position::RightThumb, ExceptionKindName::Missing, "amputated")
        .unwrap();
    assert!(marked.exception_photo_missing);
    station.capture_biometrics(&rid, PolicyStep::Thumbs).unwrap();
    let thumbs_request = devices.slap.requests.lock().unwrap().last().unwrap().clone();
    assert_eq!(
        thumbs_request.exceptions,
        [Position::RightThumb],
        "the device is told what not to capture"
    );
    assert_eq!(thumbs_request.requested_quality, 40);
    station.capture_biometrics(&rid, PolicyStep::BothIrises).unwrap();
    let before_photo = station.biometrics(&rid).unwrap();
    assert!(before_photo.steps.iter().all(|s| s.done) && !before_photo.complete);
    let done = station.capture_exception_photo(&rid).unwrap();
    assert!(done.complete, "{done:?}");
    assert_eq!(
        devices.face.requests.lock().unwrap().last().unwrap().step,
        CaptureStep::ExceptionPhoto
    );
    assert_eq!(devices.iris.requests.lock().unwrap().len(), 1);

    // The device's JPEG 2000 images show as PNG previews of the record's image, scaled to a
    // finger's preview size (320 px on the longest side, `preview.rs`) with its proportions.
    let preview = station.biometric_preview(&rid, Position::LeftIndex).unwrap();
    let png = preview_png(&preview.preview_data_url);
    let shown = image::load_from_memory(&png).unwrap();
    let record = enroll_devices::iso19794::Iso19794Record::parse(&fixture_record(Position::LeftIndex)).unwrap();
    let (width, height) = (
        u32::from(record.first().image.width),
        u32::from(record.first().image.height),
    );
    assert!(width.max(height) > 320, "the fixture's finger is larger than a preview");
    assert_eq!(shown.width().max(shown.height()), 320);
    assert_eq!(
        (shown.width(), shown.height()),
        (width * 320 / width.max(height), height * 320 / width.max(height)),
        "the record's {width}x{height} image scaled with its proportions"
    );
    assert_eq!(preview.quality, 35);
    let photo = station.biometric_preview(&rid, Position::ExceptionPhoto).unwrap();
    assert!(image::load_from_memory(&preview_png(&photo.preview_data_url)).is_ok());
    assert_eq!(
        station
            .biometric_preview(&rid, Position::RightThumb)
            .unwrap_err()
            .code(),
        "not_found",
        "an exception has no image"
    );

    station.finalize(&rid).unwrap();
    as_user(station, SUPERVISOR);

    // The supervisor's review shows what the packet holds: every step done, the forced one
    // marked, the exception with its reason, each image.
    let review = station.biometrics(&rid).unwrap();
    assert!(review.complete, "{review:?}");
    let left = step(&review, PolicyStep::LeftSlap);
    assert!(left.done && !left.may_force);
    let ring = left
        .positions
        .iter()
        .find(|p| p.position == Position::LeftRing)
        .unwrap();
    assert_eq!((ring.quality, ring.meets_threshold), (Some(25), false));
    let thumb = step(&review, PolicyStep::Thumbs)
        .positions
        .iter()
        .find(|p| p.position == Position::RightThumb)
        .unwrap();
    assert_eq!(thumb.exception.as_ref().map(|e| e.reason.as_str()), Some("amputated"));
    let shown = station.biometric_preview(&rid, Position::RightIris).unwrap();
    assert!(image::load_from_memory(&preview_png(&shown.preview_data_url)).is_ok());
    assert!(station.biometric_preview(&rid, Position::ExceptionPhoto).is_ok());
    assert!(step(&review, PolicyStep::Face).done);
    let face = station.biometric_preview(&rid, Position::Face).unwrap();
    assert_eq!(face.quality, 95, "the face from the packet");
    assert!(image::load_from_memory(&preview_png(&face.preview_data_url)).is_ok());

    // The review parses the pending packet once, not once per image: with the file on disk
    // damaged in its body, the previews still come (from what was parsed); a new session
    // reads the packet again, and finds the damage.
    let content_file = data_dir(fixture.dir.path())
        .join("vault.blobs")
        .join(format!("{rid}.envelope"));
    let intact = std::fs::read(&content_file).unwrap();
    let mut damaged = intact.clone();
    damaged[1000] ^= 1;
    std::fs::write(&content_file, &damaged).unwrap();
    assert!(station.biometric_preview(&rid, Position::LeftIris).is_ok());
    assert!(station.biometrics(&rid).unwrap().complete);
    as_user(station, SUPERVISOR);
    assert_eq!(
        station.biometric_preview(&rid, Position::LeftIris).unwrap_err().code(),
        "vault_corrupt"
    );
    std::fs::write(&content_file, &intact).unwrap();
    assert!(station.biometric_preview(&rid, Position::LeftIris).is_ok());
    assert_eq!(
        station
            .capture_biometrics(&rid, PolicyStep::LeftSlap)
            .unwrap_err()
            .code(),
        "invalid_state",
        "the review is read-only"
    );

    station.approve(&rid).unwrap();
    assert_eq!(
        station.biometrics(&rid).unwrap_err().code(),
        "invalid_state",
        "sealed: the station can no longer read it"
    );
    let envelope = station.sealed_envelope(&rid).unwrap();
    let register = enroll_packet::RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    let (_, plaintext) = enroll_packet::decrypt_envelope_body(&envelope, &register).unwrap();
    let (contents, _) = enroll_packet::PacketContents::from_bytes(&plaintext).unwrap();

    use enroll_packet::Modality as M;
    let count = |m: M| contents.biometrics.iter().filter(|r| r.modality == m).count();
    assert_eq!(
        (
            count(M::Finger),
            count(M::Iris),
            count(M::Face),
            count(M::ExceptionPhoto)
        ),
        (9, 2, 1, 1)
    );
    let record = |position: &str| {
        contents
            .biometrics
            .iter()
            .find(|r| r.modality == M::Finger && r.position == position)
            .unwrap()
    };
    let ring = record("Left RingFinger");
    assert!(ring.force_captured, "under the threshold, kept by sign-off");
    assert_eq!(
        (ring.quality, ring.retries),
        (25, 1),
        "the second attempt's, after one retry"
    );
    let little = record("Left LittleFinger");
    assert!(!little.force_captured, "60 meets the threshold of 40");
    assert_eq!(little.retries, 0, "kept from the first attempt");
    assert_eq!(
        ring.data,
        fixture_record(Position::LeftRing),
        "the device's record, byte for byte"
    );
    assert_eq!(ring.device_signature.as_deref(), Some(&b"jws-of-Left RingFinger"[..]));
    assert_eq!(ring.device_digital_id.as_deref(), Some("header.payload.signature"));
    let face = contents.face().unwrap();
    assert_eq!(
        face.data,
        fixture_record(Position::Face),
        "the face device's record, byte for byte"
    );
    assert_eq!((face.quality, face.retries, face.force_captured), (95, 0, false));
    assert_eq!(face.device.model, "Face");
    assert_eq!(face.device_digital_id.as_deref(), Some("header.payload.signature"));
    assert_eq!(contents.exceptions.len(), 1);
    assert_eq!(contents.exceptions[0].position, "Right Thumb");
    assert_eq!(contents.exceptions[0].reason, "amputated");
    assert!(contents.meta.devices.iter().any(|d| d.model == "FingerSlap"));

    let audit = station.registration_audit(&rid).unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"force_capture_signed_off"), "{actions:?}");
    assert!(actions.contains(&"biometric_exception_marked"), "{actions:?}");
}

#[tokio::test]
async fn the_sbi_hash_chain_runs_across_steps_and_devices_of_a_registration() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let devices = plug_in(station);
    as_user(station, MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    let other = station.new_registration().unwrap().registration_id;

    station.capture_biometrics(&rid, PolicyStep::LeftSlap).unwrap();
    station.capture_biometrics(&rid, PolicyStep::BothIrises).unwrap();
    station.capture_biometrics(&rid, PolicyStep::RightSlap).unwrap();
    station.capture_biometrics(&other, PolicyStep::LeftSlap).unwrap();

    let slap = devices.slap.requests.lock().unwrap().clone();
    let iris = devices.iris.requests.lock().unwrap().clone();
    assert_eq!(
        slap[0].previous_hash, None,
        "a registration's first capture starts the chain"
    );
    assert_eq!(
        iris[0].previous_hash,
        Some(chain_link_of(&slap[0].transaction_id)),
        "the irises continue from the left slap, on another device"
    );
    assert_eq!(slap[1].previous_hash, Some(chain_link_of(&iris[0].transaction_id)));
    assert_eq!(
        slap[2].previous_hash, None,
        "another registration has a chain of its own"
    );
}

#[tokio::test]
async fn force_capture_is_refused_before_the_last_attempt_and_wrong_sign_offs_lock_the_supervisor_out() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let devices = plug_in(station);
    as_user(station, MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    devices.slap.script(&[10; 4]);
    station.capture_biometrics(&rid, PolicyStep::LeftSlap).unwrap();
    let early = station
        .force_capture(&rid, PolicyStep::LeftSlap, SUPERVISOR, &password(SUPERVISOR))
        .unwrap_err();
    assert_eq!(early.code(), "force_capture_not_allowed");
    assert_eq!(
        enroll_station::ErrorView::from(&early).params.get("step"),
        Some(&enroll_station::ErrorParam::Text("leftSlap".into()))
    );

    devices.slap.script(&[10; 8]);
    station.capture_biometrics(&rid, PolicyStep::LeftSlap).unwrap();
    station.capture_biometrics(&rid, PolicyStep::LeftSlap).unwrap();
    let mut last = None;
    for _ in 0..5 {
        last = Some(
            station
                .force_capture(&rid, PolicyStep::LeftSlap, SUPERVISOR, "guess")
                .unwrap_err(),
        );
    }
    assert_eq!(
        last.unwrap().code(),
        "account_locked",
        "sign-off guesses count like sign-in guesses"
    );
    let locked = station
        .force_capture(&rid, PolicyStep::LeftSlap, SUPERVISOR, &password(SUPERVISOR))
        .unwrap_err();
    assert_eq!(locked.code(), "account_locked");
}

#[tokio::test]
async fn steps_without_a_device_outside_the_policy_or_on_finalized_registrations_are_refused() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.use_device_backends(Vec::new());
    assert_eq!(
        station
            .capture_biometrics(&rid, PolicyStep::LeftSlap)
            .unwrap_err()
            .code(),
        "no_device"
    );
    let devices = plug_in(station);
    assert_eq!(
        station
            .capture_biometrics(&rid, PolicyStep::LeftIris)
            .unwrap_err()
            .code(),
        "invalid_input",
        "the default policy takes both irises at once"
    );
    assert_eq!(
        station
            .mark_biometric_exception(&rid, Position::Face, ExceptionKindName::Missing, "no")
            .unwrap_err()
            .code(),
        "invalid_input",
        "a face is never an exception"
    );
    let blank = station
        .mark_biometric_exception(&rid, Position::LeftIndex, ExceptionKindName::Unusable, "  ")
        .unwrap_err();
    assert_eq!(blank.code(), "validation_failed");
    assert_eq!(
        station.capture_exception_photo(&rid).unwrap_err().code(),
        "invalid_input",
        "no exception, no exception photo"
    );
    for position in enroll_schemas_steps_left_slap() {
        station
            .mark_biometric_exception(&rid, position, ExceptionKindName::Missing, "amputated hand")
            .unwrap();
    }
    assert_eq!(
        station
            .capture_biometrics(&rid, PolicyStep::LeftSlap)
            .unwrap_err()
            .code(),
        "invalid_input",
        "nothing left to capture"
    );
    station.save_draft(&rid, identity("Karim Test")).unwrap();
    crate::attach_proof_of_identity(station, &rid);
    devices.face.script(&[95]);
    station.capture_biometrics(&rid, PolicyStep::Face).unwrap();

    // Finalize refuses, in Rust, whatever the window checked, and names each gap.
    let refused = station.finalize(&rid).unwrap_err();
    assert_eq!(refused.code(), "validation_failed");
    let enroll_station::StationError::ValidationFailed(fields) = refused else {
        unreachable!()
    };
    let gaps: Vec<(&str, &str)> = fields.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect();
    assert_eq!(gaps.len(), 9, "{gaps:?}");
    assert!(gaps.contains(&("biometrics.rightIndex", "required")), "{gaps:?}");
    assert!(gaps.contains(&("biometrics.leftIris", "required")), "{gaps:?}");
    assert!(gaps.contains(&("biometrics.exceptionPhoto", "required")), "{gaps:?}");
    assert!(
        !gaps.contains(&("biometrics.leftIndex", "required")),
        "excepted: {gaps:?}"
    );

    for step in [PolicyStep::RightSlap, PolicyStep::Thumbs, PolicyStep::BothIrises] {
        station.capture_biometrics(&rid, step).unwrap();
    }
    station.capture_exception_photo(&rid).unwrap();
    station.finalize(&rid).unwrap();
    assert_eq!(
        station
            .capture_biometrics(&rid, PolicyStep::RightSlap)
            .unwrap_err()
            .code(),
        "invalid_state"
    );
}

fn enroll_schemas_steps_left_slap() -> Vec<Position> {
    CaptureStep::LeftSlap.positions()
}

fn preview_png(data_url: &str) -> Vec<u8> {
    use base64::Engine as _;
    let encoded = data_url.strip_prefix("data:image/png;base64,").expect("a PNG data URL");
    base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()
}

/// The simulated devices through the station's own path: pixels kept as PNG, wrapped into
/// JPEG 2000 lossless records in the background, a whole slap cut into fingertips by the
/// station, and the sealed packet holding a readable record for every position.
#[tokio::test]
async fn simulated_devices_fill_the_packet_with_jpeg_2000_records_and_whole_slaps_are_segmented() {
    use enroll_devices::iso19794::{Edition, ImageFormat, Iso19794Record};
    use enroll_devices::simulated::{SimulationHandle, SimulationSettings};

    let fixture = fixture().await;
    let station = &fixture.station;
    let settings = SimulationHandle::new(SimulationSettings {
        person_seed: 11,
        latency: std::time::Duration::ZERO,
        slap_image_only: true,
        ..SimulationSettings::default()
    });
    station.use_device_backends(vec![Arc::new(enroll_devices::SimulatedBackend::new(settings.clone()))]);
    as_user(station, MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, identity("Karim Test")).unwrap();
    crate::attach_proof_of_identity(station, &rid);
    let listed = station.devices().unwrap();
    assert!(listed.iter().all(|d| d.simulated), "{listed:?}");

    // The scanner hands over the whole slap; the station finds and names the four fingertips.
    let view = station.capture_biometrics(&rid, PolicyStep::LeftSlap).unwrap();
    let left = step(&view, PolicyStep::LeftSlap);
    assert!(
        left.positions.iter().all(|p| p.quality.is_some()),
        "every fingertip of the whole slap is kept: {left:?}"
    );
    settings.update(|s| s.slap_image_only = false);
    for step in [
        PolicyStep::RightSlap,
        PolicyStep::Thumbs,
        PolicyStep::BothIrises,
        PolicyStep::Face,
    ] {
        station.capture_biometrics(&rid, step).unwrap();
    }
    let view = station.biometrics(&rid).unwrap();
    for step in &view.steps {
        if !step.done {
            // A simulated capture can land under the threshold, as a real one can: the clerk
            // retries (the test does too, within the policy's attempts).
            for _ in step.attempts..step.attempts_allowed {
                if step_done(station, &rid, step.step) {
                    break;
                }
                station.capture_biometrics(&rid, step.step).unwrap();
            }
        }
    }
    let view = station.biometrics(&rid).unwrap();
    for step in view.steps.iter().filter(|s| !s.done) {
        // Still short after every attempt: a supervisor keeps it, as the policy allows.
        station
            .force_capture(&rid, step.step, SUPERVISOR, &password(SUPERVISOR))
            .unwrap();
    }
    assert!(station.biometrics(&rid).unwrap().complete);
    let preview = station.biometric_preview(&rid, Position::RightIris).unwrap();
    assert!(preview.device.simulated);

    station.finalize(&rid).unwrap();
    as_user(station, SUPERVISOR);
    station.approve(&rid).unwrap();
    let envelope = station.sealed_envelope(&rid).unwrap();
    let register = enroll_packet::RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    let (_, plaintext) = enroll_packet::decrypt_envelope_body(&envelope, &register).unwrap();
    let (contents, _) = enroll_packet::PacketContents::from_bytes(&plaintext).unwrap();
    assert!(contents.face().is_some());
    assert_eq!(contents.biometrics.len(), 13, "ten fingers, two irises and the face");
    for record in &contents.biometrics {
        assert!(record.device.simulated, "{}", record.position);
        let parsed = Iso19794Record::parse(&record.data).unwrap();
        assert_eq!(parsed.edition(), Edition::Iso2011);
        let image = &parsed.first().image;
        assert_eq!(image.format, ImageFormat::Jpeg2000Lossless, "{}", record.position);
        let pixels = enroll_devices::codecs::decode_record_image(image).unwrap();
        assert!(pixels.width() > 100 && pixels.height() > 100, "{}", record.position);
    }
}

fn step_done(station: &Station, rid: &str, wanted: PolicyStep) -> bool {
    step(&station.biometrics(rid).unwrap(), wanted).done
}

/// The face is one more step of the capture model: required at finalize under its own field,
/// retried while under MOSIP's threshold of 90, kept by a supervisor's sign-off after the last
/// attempt, and carried into the packet with the metadata of the attempts.
#[tokio::test]
async fn the_face_is_retried_under_its_threshold_signed_off_and_required_at_finalize() {
    let fixture = crate::fixture().await;
    let station = &fixture.station;
    let devices = plug_in(station);
    as_user(station, MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, identity("Karim Test")).unwrap();
    crate::attach_proof_of_identity(station, &rid);
    let field_errors = |error: enroll_station::StationError| {
        let enroll_station::StationError::ValidationFailed(fields) = error else {
            panic!("not a validation failure: {error:?}")
        };
        fields
            .into_iter()
            .map(|f| (f.field, f.code))
            .collect::<Vec<(String, String)>>()
    };
    assert_eq!(
        field_errors(station.finalize(&rid).unwrap_err()),
        [("biometrics.face".to_string(), "required".to_string())]
    );

    devices.face.script(&[70, 85, 80]);
    for attempt in 1..=3 {
        let view = station.capture_biometrics(&rid, PolicyStep::Face).unwrap();
        let face = step(&view, PolicyStep::Face);
        assert_eq!((face.attempts, face.done), (attempt, false));
        assert_eq!(face.may_force, attempt == 3, "a sign-off only after the last attempt");
        assert_eq!(
            devices.face.requests.lock().unwrap().last().unwrap().requested_quality,
            90
        );
    }
    let face = step(&station.biometrics(&rid).unwrap(), PolicyStep::Face).positions[0].clone();
    assert_eq!(
        (face.quality, face.meets_threshold),
        (Some(85), false),
        "the best attempt"
    );
    assert_eq!(
        field_errors(station.finalize(&rid).unwrap_err()),
        [("biometrics.face".to_string(), "below_threshold".to_string())]
    );

    station
        .force_capture(&rid, PolicyStep::Face, SUPERVISOR, &password(SUPERVISOR))
        .unwrap();
    station.finalize(&rid).unwrap();
    as_user(station, SUPERVISOR);
    assert!(step(&station.biometrics(&rid).unwrap(), PolicyStep::Face).done);
    assert_eq!(station.biometric_preview(&rid, Position::Face).unwrap().quality, 85);
    station.approve(&rid).unwrap();
    let envelope = station.sealed_envelope(&rid).unwrap();
    let register = enroll_packet::RegisterKeyPair::from_json(&fixture.register_key_json).unwrap();
    let (_, plaintext) = enroll_packet::decrypt_envelope_body(&envelope, &register).unwrap();
    let (contents, _) = enroll_packet::PacketContents::from_bytes(&plaintext).unwrap();
    let face = contents.face().unwrap();
    assert_eq!(
        (face.quality, face.retries, face.force_captured),
        (85, 1, true),
        "the second attempt's, kept by the sign-off"
    );
    assert_eq!(face.device.serial, "1234567890");
    assert!(contents.meta.devices.iter().any(|d| d.model == "Face"));
}
