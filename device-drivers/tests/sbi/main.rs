//! MOSIP SBI over real HTTP on loopback: our service serves a test double that answers with
//! the MOSIP mock device's ISO records, and our client discovers it, checks it and captures
//! from it. Tampering is done by a small proxy between the two, as an attacker on the machine
//! would; the client must refuse what it changes.
//!
//! Keys are made once per build (under cargo's test temp folder): RSA key generation is slow.

use std::net::{SocketAddr, TcpStream};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use enroll_devices::sbi::client::device_kind;
use enroll_devices::sbi::jws::{self, Jws};
use enroll_devices::sbi::messages::{DeviceInfoPayload, DigitalId, DiscoveryEntry};
use enroll_devices::sbi::{
    DeviceCa, ImageEncoder, RunningService, SbiBackend, SbiClient, SbiClientConfig, SbiService, SpecVersion, TrustStore,
};
use enroll_devices::{
    Backend, BiometricDevice, CancelToken, Capture, CaptureRequest, CaptureResult, CaptureStep, CapturedData,
    DeviceBackend, DeviceDescriptor, DeviceError, DeviceInfo, DeviceKind, DeviceStatus, DeviceTrust, FrameFormat,
    Position, PreviewFrame, QualitySource,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Fixtures and keys

/// The shared fixtures folder. A missing fixture fails the test with a clear message.
fn fixtures(relative: &str) -> PathBuf {
    let root = std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let path = root.join(relative);
    assert!(
        path.exists(),
        "fixture {} is absent: put ../shared/fixtures beside the repo or set ENROLL_FIXTURES",
        path.display()
    );
    path
}

/// The mock device's record for a position, e.g. `registration/Left_Index.iso`.
fn fixture_record(position: Position) -> Vec<u8> {
    let name = match position {
        Position::RightThumb => "Right_Thumb",
        Position::RightIndex => "Right_Index",
        Position::RightMiddle => "Right_Middle",
        Position::RightRing => "Right_Ring",
        Position::RightLittle => "Right_Little",
        Position::LeftThumb => "Left_Thumb",
        Position::LeftIndex => "Left_Index",
        Position::LeftMiddle => "Left_Middle",
        Position::LeftRing => "Left_Ring",
        Position::LeftLittle => "Left_Little",
        Position::LeftIris => "Left_Iris",
        Position::RightIris => "Right_Iris",
        Position::Face => "Face",
        Position::ExceptionPhoto => "Exception_Photo",
    };
    let path = fixtures(&format!("mosip-mock-mds/registration/{name}.iso"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Two CAs with their device keys: one the station trusts, one it does not.
fn cas() -> &'static (DeviceCa, DeviceCa) {
    static CAS: OnceLock<(DeviceCa, DeviceCa)> = OnceLock::new();
    CAS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbi-test-keys");
        let trusted = DeviceCa::load_or_create(&dir.join("trusted"), "Trusted test", SystemTime::now()).unwrap();
        let foreign = DeviceCa::load_or_create(&dir.join("foreign"), "Foreign test", SystemTime::now()).unwrap();
        (trusted, foreign)
    })
}

/// A trust folder holding the trusted CA's certificate, read as a station reads it.
fn trust_store() -> TrustStore {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "enroll-sbi-trust-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("simulators.pem"), cas().0.ca_certificate_pem()).unwrap();
    let store = TrustStore::from_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(store.len(), 1);
    store
}

// ---------------------------------------------------------------------------------------------
// The test double

/// Test double: a device (a slap scanner by default) that answers every capture with the MOSIP mock device's records
/// and previews with small real JPEG frames.
struct FixtureDeviceDouble {
    /// A slap scanner unless a test makes it another kind (a face camera).
    kind: DeviceKind,
    simulated: bool,
    fail_with: Option<fn() -> DeviceError>,
}

impl FixtureDeviceDouble {
    fn new() -> FixtureDeviceDouble {
        FixtureDeviceDouble {
            kind: DeviceKind::FingerSlap,
            simulated: false,
            fail_with: None,
        }
    }
}

/// Quality the double reports for a position: differs per finger so a mix-up would show.
fn double_quality(position: Position) -> u8 {
    60 + position.iso_finger_code().unwrap_or(0) * 3
}

fn preview_jpeg(index: u8) -> Vec<u8> {
    let image = image::GrayImage::from_fn(32, 24, |x, y| image::Luma([(x * 4 + y * 2) as u8 + index * 20]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
    bytes.into_inner()
}

impl BiometricDevice for FixtureDeviceDouble {
    fn descriptor(&self) -> DeviceDescriptor {
        DeviceDescriptor {
            id: "double:slap".into(),
            kind: self.kind,
            backend: Backend::Simulated,
            info: DeviceInfo {
                make: "MOSIP".into(),
                model: "SLAP01".into(),
                serial: "1234567890".into(),
                firmware: "MOSIP.SLAP.1.0.0.0".into(),
                certification: Some("L0".into()),
                digital_id: None,
                simulated: self.simulated,
            },
            status: DeviceStatus::Ready,
            trust: DeviceTrust::NotApplicable,
        }
    }

    fn capture(&self, request: &CaptureRequest, _cancel: &CancelToken) -> Result<CaptureResult, DeviceError> {
        if let Some(error) = self.fail_with {
            return Err(error());
        }
        let captures = request
            .expected_positions()
            .into_iter()
            .map(|position| Capture {
                position,
                data: CapturedData::IsoRecord(fixture_record(position)),
                quality: double_quality(position),
                quality_source: QualitySource::Device,
                signature: None,
            })
            .collect();
        Ok(CaptureResult {
            captures,
            device: self.descriptor().info,
            chain_hash: None,
        })
    }

    fn preview(
        &self,
        _step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        for index in 0..100u8 {
            if cancel.is_cancelled() {
                break;
            }
            let frame = PreviewFrame {
                format: FrameFormat::Jpeg,
                bytes: preview_jpeg(index % 5),
            };
            if on_frame(frame).is_break() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

fn no_encoder() -> ImageEncoder {
    Arc::new(|_: &Capture, _: &CaptureRequest| -> Result<Vec<u8>, DeviceError> {
        Err(DeviceError::BadImage(
            "the test double hands over ISO records only".into(),
        ))
    })
}

fn start_service(ca: &DeviceCa, device: FixtureDeviceDouble) -> RunningService {
    SbiService::new(vec![Arc::new(device)], ca.signer(), no_encoder())
        .spawn("127.0.0.1:0".parse().unwrap())
        .unwrap()
}

fn config_for(port: u16) -> SbiClientConfig {
    SbiClientConfig {
        ports: port..=port,
        trust: trust_store(),
        ..SbiClientConfig::default()
    }
}

fn backend_for(port: u16) -> SbiBackend {
    SbiBackend::new(SbiClient::new(config_for(port)).unwrap())
}

fn left_slap_without_ring(transaction_id: &str) -> CaptureRequest {
    CaptureRequest {
        step: CaptureStep::LeftSlap,
        exceptions: vec![Position::LeftRing],
        requested_quality: 40,
        timeout: Duration::from_secs(10),
        transaction_id: transaction_id.into(),
        previous_hash: None,
        subject: Default::default(),
    }
}

fn only_device(backend: &SbiBackend) -> Arc<dyn BiometricDevice> {
    let mut devices = backend.discover().unwrap();
    assert_eq!(devices.len(), 1, "the service serves one device");
    devices.remove(0)
}

// ---------------------------------------------------------------------------------------------
// Messages

#[test]
fn every_mock_mds_fixture_json_parses() {
    let devices_dir = fixtures("mosip-mock-mds/devices");
    let mut parsed = 0;
    let mut kinds = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&devices_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    folders.sort();
    assert_eq!(
        folders.len(),
        5,
        "face, finger-slap, finger-single, iris-double, iris-single"
    );
    for folder in &folders {
        let read = |name: &str| std::fs::read(folder.join(name)).unwrap();
        let discovery: DiscoveryEntry = serde_json::from_slice(&read("DeviceDiscovery.json")).unwrap();
        let info: DeviceInfoPayload = serde_json::from_slice(&read("DeviceInfo.json")).unwrap();
        let digital_id: DigitalId = serde_json::from_slice(&read("DigitalId.json")).unwrap();
        parsed += 3;
        assert_eq!(discovery.device_id, info.device_id, "{}", folder.display());
        assert_eq!(discovery.device_status, "Ready");
        assert_eq!(discovery.spec_version, vec!["0.9.5".to_string()]);
        assert!(!info.firmware.unwrap_or_default().is_empty());
        assert!(!discovery.device_sub_id.is_empty());
        assert_eq!(digital_id.make, "MOSIP");
        kinds.push(device_kind(&digital_id).unwrap_or_else(|| panic!("no kind for {}", folder.display())));
    }
    assert_eq!(parsed, 15);
    assert_eq!(
        kinds,
        vec![
            DeviceKind::Face,
            DeviceKind::FingerSingle,
            DeviceKind::FingerSlap,
            DeviceKind::IrisDouble,
            DeviceKind::IrisSingle
        ]
    );
    let slap: DeviceInfoPayload =
        serde_json::from_slice(&std::fs::read(devices_dir.join("finger-slap/DeviceInfo.json")).unwrap()).unwrap();
    assert_eq!(slap.firmware.as_deref(), Some("MOSIP.SLAP.1.0.0.0"));
    assert_eq!(slap.device_sub_id, vec!["1", "2", "3"]);
}

// ---------------------------------------------------------------------------------------------
// Discovery, info, capture, stream

#[test]
fn a_left_slap_with_one_exception_comes_back_verified_and_byte_identical() {
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let backend = backend_for(service.port());
    let device = only_device(&backend);

    let descriptor = device.descriptor();
    assert_eq!(descriptor.id, format!("sbi:{}:1234567890", service.port()));
    assert_eq!(descriptor.kind, DeviceKind::FingerSlap);
    assert_eq!(descriptor.backend, Backend::Sbi);
    assert_eq!(descriptor.trust, DeviceTrust::Verified);
    assert_eq!(descriptor.status, DeviceStatus::Ready);
    assert_eq!(descriptor.info.make, "MOSIP");
    assert_eq!(descriptor.info.serial, "1234567890");
    assert_eq!(descriptor.info.firmware, "MOSIP.SLAP.1.0.0.0");
    assert_eq!(descriptor.info.certification.as_deref(), Some("L0"));
    assert!(!descriptor.info.simulated);
    let digital_id = Jws::parse(descriptor.info.digital_id.as_deref().unwrap()).unwrap();
    digital_id.verify_signature().unwrap();

    let result = device
        .capture(&left_slap_without_ring("tx-slap-1"), &CancelToken::new())
        .unwrap();
    let positions: Vec<Position> = result.captures.iter().map(|c| c.position).collect();
    assert_eq!(
        positions,
        vec![Position::LeftIndex, Position::LeftMiddle, Position::LeftLittle]
    );
    for capture in &result.captures {
        assert_eq!(
            capture.data,
            CapturedData::IsoRecord(fixture_record(capture.position)),
            "{:?} must be the device's record byte for byte",
            capture.position
        );
        assert_eq!(capture.quality, double_quality(capture.position));
        assert_eq!(capture.quality_source, QualitySource::Device);
        let signature = Jws::parse(capture.signature.as_deref().unwrap()).unwrap();
        signature.verify_signature().unwrap();
    }
    assert_eq!(result.device, descriptor.info);
}

#[test]
fn discovery_and_info_answer_both_spec_versions() {
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let client = SbiClient::new(config_for(service.port())).unwrap();
    let (version, entries) = client.discover_port(service.port()).unwrap().unwrap();
    assert_eq!(version, SpecVersion::Sbi10);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].serial_no.as_deref(), Some("1234567890"));
    // Discovery carries the digital id unsigned.
    let unsigned: DigitalId =
        serde_json::from_slice(&jws::base64url_decode(entries[0].digital_id.as_deref().unwrap()).unwrap()).unwrap();
    assert_eq!(unsigned.device_sub_type, "Slap");

    let old = client.device_info(service.port(), SpecVersion::Mds095).unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].address.device_id.as_deref(), Some("1"));
    assert_eq!(old[0].descriptor.trust, DeviceTrust::Verified);
    // A capture through the 0.9.5 address works as well.
    let result = client
        .capture(&old[0], &left_slap_without_ring("tx-old-spec"), &CancelToken::new())
        .unwrap();
    assert_eq!(result.captures.len(), 3);
}

#[test]
fn the_stream_yields_jpeg_frames() {
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let device = only_device(&backend_for(service.port()));
    let mut frames = Vec::new();
    device
        .preview(
            CaptureStep::LeftSlap,
            &mut |frame| {
                frames.push(frame);
                if frames.len() == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
            &CancelToken::new(),
        )
        .unwrap();
    assert_eq!(frames.len(), 3);
    for (index, frame) in frames.iter().enumerate() {
        assert_eq!(frame.format, FrameFormat::Jpeg);
        assert_eq!(
            frame.bytes,
            preview_jpeg(index as u8),
            "frame {index} arrives byte for byte"
        );
        let decoded = image::load_from_memory_with_format(&frame.bytes, image::ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (32, 24));
    }
}

#[test]
fn a_simulated_device_stays_marked_simulated_through_the_service() {
    let double = FixtureDeviceDouble {
        simulated: true,
        ..FixtureDeviceDouble::new()
    };
    let service = start_service(&cas().0, double);
    let device = only_device(&backend_for(service.port()));
    let info = device.descriptor().info;
    assert!(info.simulated);
    assert_eq!(info.make, "Simulated");
    assert_eq!(info.model, "MOSIP SLAP01");
}

#[test]
fn discovery_over_a_range_with_nothing_listening_is_empty() {
    let ports = 1..=10u16;
    for port in ports.clone() {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        assert!(
            TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err(),
            "this test needs nothing listening on 127.0.0.1:{port}"
        );
    }
    let backend = SbiBackend::new(
        SbiClient::new(SbiClientConfig {
            ports,
            ..SbiClientConfig::default()
        })
        .unwrap(),
    );
    assert!(backend.discover().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Trust

#[test]
fn a_service_whose_ca_is_not_in_the_trust_store_is_refused() {
    let service = start_service(&cas().1, FixtureDeviceDouble::new());
    let error = match backend_for(service.port()).discover() {
        Err(error) => error,
        Ok(devices) => panic!("{} untrusted devices were accepted", devices.len()),
    };
    assert_eq!(error.code(), "device_untrusted", "{error}");
}

#[test]
fn developer_mode_accepts_an_untrusted_device_and_marks_it() {
    let service = start_service(&cas().1, FixtureDeviceDouble::new());
    let backend = SbiBackend::new(
        SbiClient::new(SbiClientConfig {
            developer_mode: true,
            ..config_for(service.port())
        })
        .unwrap(),
    );
    let device = only_device(&backend);
    assert_eq!(device.descriptor().trust, DeviceTrust::DeveloperMode);
    let result = device
        .capture(&left_slap_without_ring("tx-developer"), &CancelToken::new())
        .unwrap();
    assert_eq!(result.captures.len(), 3);
}

#[test]
fn certificates_outside_their_validity_are_refused() {
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    for years in [-30i64, 30] {
        let clock_offset = time::Duration::days(365 * years);
        let backend = SbiBackend::new(
            SbiClient::new(SbiClientConfig {
                clock: Arc::new(move || time::OffsetDateTime::now_utc() + clock_offset),
                ..config_for(service.port())
            })
            .unwrap(),
        );
        let error = backend
            .discover()
            .err()
            .expect("a certificate outside its validity is refused");
        assert_eq!(error.code(), "device_untrusted", "{error}");
    }
}

#[test]
fn a_capture_stamped_far_from_the_station_clock_is_refused() {
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let backend = SbiBackend::new(
        SbiClient::new(SbiClientConfig {
            max_clock_skew: Duration::from_secs(60),
            clock: Arc::new(|| time::OffsetDateTime::now_utc() + time::Duration::hours(2)),
            ..config_for(service.port())
        })
        .unwrap(),
    );
    let device = only_device(&backend);
    let error = device
        .capture(&left_slap_without_ring("tx-skew"), &CancelToken::new())
        .unwrap_err();
    assert_eq!(error.code(), "sbi_answer_mismatch", "{error}");
}

#[test]
fn an_sbi_error_answer_becomes_sbi_error_with_its_code() {
    let double = FixtureDeviceDouble {
        fail_with: Some(|| DeviceError::NotConnected("slap scanner".into())),
        ..FixtureDeviceDouble::new()
    };
    let service = start_service(&cas().0, double);
    let device = only_device(&backend_for(service.port()));
    match device.capture(&left_slap_without_ring("tx-error"), &CancelToken::new()) {
        Err(DeviceError::Sbi { code, message }) => {
            assert_eq!(code, 106);
            assert!(message.starts_with("Device not found"), "{message}");
        }
        other => panic!("expected an SBI error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Tampering in transit

/// What the proxy changes in an `RCAPTURE` request or answer.
type Tamper = fn(&mut Value);

struct TamperingProxy {
    port: u16,
    _runtime: tokio::runtime::Runtime,
}

struct ProxyState {
    target: u16,
    request: Tamper,
    response: Tamper,
    http: reqwest::Client,
}

async fn forward(State(proxy): State<Arc<ProxyState>>, method: Method, uri: Uri, body: Bytes) -> Response {
    let capture = method.as_str() == "RCAPTURE";
    let mut body = body.to_vec();
    if capture {
        let mut value: Value = serde_json::from_slice(&body).unwrap();
        (proxy.request)(&mut value);
        body = serde_json::to_vec(&value).unwrap();
    }
    let answer = proxy
        .http
        .request(method, format!("http://127.0.0.1:{}{}", proxy.target, uri.path()))
        .body(body)
        .send()
        .await
        .unwrap();
    let mut bytes = answer.bytes().await.unwrap().to_vec();
    if capture {
        let mut value: Value = serde_json::from_slice(&bytes).unwrap();
        (proxy.response)(&mut value);
        bytes = serde_json::to_vec(&value).unwrap();
    }
    ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

fn start_proxy(target: u16, request: Tamper, response: Tamper) -> TamperingProxy {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = Arc::new(ProxyState {
        target,
        request,
        response,
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
    });
    let router = axum::Router::new().fallback(forward).with_state(state);
    runtime.spawn(async move { axum::serve(listener, router).await });
    TamperingProxy {
        port,
        _runtime: runtime,
    }
}

fn untouched(_: &mut Value) {}

/// Rewrites part `index` (0 header, 1 payload, 2 signature) of the first biometric's JWS.
fn rewrite_jws_part(answer: &mut Value, index: usize, change: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let data = answer["biometrics"][0]["data"].as_str().unwrap().to_string();
    let mut parts: Vec<String> = data.split('.').map(str::to_string).collect();
    let bytes = jws::base64url_decode(&parts[index]).unwrap();
    parts[index] = jws::base64url_encode(&change(bytes));
    answer["biometrics"][0]["data"] = Value::String(parts.join("."));
}

fn capture_through(request: Tamper, response: Tamper) -> DeviceError {
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let proxy = start_proxy(service.port(), request, response);
    let device = only_device(&backend_for(proxy.port));
    device
        .capture(&left_slap_without_ring("tx-tamper"), &CancelToken::new())
        .expect_err("an altered capture must be refused")
}

#[test]
fn the_proxy_passes_an_untouched_capture() {
    // The tampering tests below mean something only if the proxy alone changes nothing.
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let proxy = start_proxy(service.port(), untouched, untouched);
    let device = only_device(&backend_for(proxy.port));
    let result = device
        .capture(&left_slap_without_ring("tx-proxy"), &CancelToken::new())
        .unwrap();
    assert_eq!(result.captures.len(), 3);
}

#[test]
fn an_altered_payload_is_refused() {
    let error = capture_through(untouched, |answer| {
        rewrite_jws_part(answer, 1, |payload| {
            let mut data: Value = serde_json::from_slice(&payload).unwrap();
            data["qualityScore"] = Value::from(99);
            serde_json::to_vec(&data).unwrap()
        })
    });
    assert_eq!(error.code(), "device_untrusted", "{error}");
}

#[test]
fn an_altered_signature_is_refused() {
    let error = capture_through(untouched, |answer| {
        rewrite_jws_part(answer, 2, |mut signature| {
            signature[10] ^= 0x01;
            signature
        })
    });
    assert_eq!(error.code(), "device_untrusted", "{error}");
}

#[test]
fn an_answer_for_another_transaction_is_refused() {
    let error = capture_through(
        |request| request["transactionId"] = Value::String("someone-else".into()),
        untouched,
    );
    assert_eq!(error.code(), "sbi_answer_mismatch", "{error}");
    assert!(error.to_string().contains("transaction"), "{error}");
}

#[test]
fn a_broken_hash_chain_is_refused() {
    let error = capture_through(untouched, |answer| {
        let first = answer["biometrics"][0]["hash"].clone();
        answer["biometrics"][1]["hash"] = first;
    });
    assert_eq!(error.code(), "sbi_answer_mismatch", "{error}");
    assert!(error.to_string().contains("hash chain"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// The hash chain across captures (SBI 1.0 `bio.previousHash`: the first capture chains from
// SHA-256 of the empty string, each later one from the previous capture's last `hash`)

/// The link after `previous` for each record in turn, computed here from the definition (raw
/// 32-byte previous link, then SHA-256 of the decoded bioValue) rather than by the code under
/// test.
fn chained(previous: [u8; 32], captures: &[Capture]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    captures.iter().fold(previous, |previous, capture| {
        let CapturedData::IsoRecord(record) = &capture.data else {
            panic!("SBI captures are ISO records");
        };
        let mut hasher = Sha256::new();
        hasher.update(previous);
        hasher.update(Sha256::digest(record));
        hasher.finalize().into()
    })
}

fn empty_string_hash() -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(b"").into()
}

fn thumbs_after(previous: Option<[u8; 32]>, transaction_id: &str) -> CaptureRequest {
    CaptureRequest {
        step: CaptureStep::Thumbs,
        exceptions: Vec::new(),
        requested_quality: 40,
        timeout: Duration::from_secs(10),
        transaction_id: transaction_id.into(),
        previous_hash: previous,
        subject: Default::default(),
    }
}

#[test]
fn a_chain_continues_across_two_captures() {
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let device = only_device(&backend_for(service.port()));

    let first = device
        .capture(&left_slap_without_ring("tx-chain-1"), &CancelToken::new())
        .unwrap();
    let first_link = first.chain_hash.expect("an SBI capture gives back its last link");
    assert_eq!(first_link, chained(empty_string_hash(), &first.captures));

    let second = device
        .capture(&thumbs_after(Some(first_link), "tx-chain-2"), &CancelToken::new())
        .unwrap();
    assert_eq!(second.captures.len(), 2);
    let second_link = second.chain_hash.unwrap();
    assert_eq!(second_link, chained(first_link, &second.captures));
    // Starting over would give another link: the second capture really hangs on the first.
    assert_ne!(second_link, chained(empty_string_hash(), &second.captures));
}

#[test]
fn a_capture_that_does_not_continue_the_chain_is_refused() {
    // A device (or whoever sits between) that starts every capture afresh instead of from the
    // station's link: the first capture of a registration passes, the second must not.
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let proxy = start_proxy(
        service.port(),
        |request| request["bio"][0]["previousHash"] = Value::String(String::new()),
        untouched,
    );
    let device = only_device(&backend_for(proxy.port));
    let first = device
        .capture(&left_slap_without_ring("tx-restart-1"), &CancelToken::new())
        .unwrap();
    let error = device
        .capture(&thumbs_after(first.chain_hash, "tx-restart-2"), &CancelToken::new())
        .expect_err("a chain that restarts mid-registration must be refused");
    assert_eq!(error.code(), "sbi_answer_mismatch", "{error}");
    assert!(error.to_string().contains("hash chain"), "{error}");
}

#[test]
fn a_capture_chained_from_another_link_is_refused() {
    // The device continues from a link the station never sent (another registration's, say).
    let service = start_service(&cas().0, FixtureDeviceDouble::new());
    let proxy = start_proxy(
        service.port(),
        |request| request["bio"][0]["previousHash"] = Value::String("AB".repeat(32)),
        untouched,
    );
    let device = only_device(&backend_for(proxy.port));
    let error = device
        .capture(&thumbs_after(Some([7; 32]), "tx-other-link"), &CancelToken::new())
        .expect_err("a chain from another link must be refused");
    assert_eq!(error.code(), "sbi_answer_mismatch", "{error}");
}

#[test]
fn a_dropped_biometric_is_refused() {
    let error = capture_through(untouched, |answer| {
        answer["biometrics"].as_array_mut().unwrap().pop();
    });
    assert_eq!(error.code(), "sbi_answer_mismatch", "{error}");
}

#[test]
fn developer_mode_still_refuses_an_altered_payload() {
    // Developer mode relaxes who signed, never what was signed.
    let service = start_service(&cas().1, FixtureDeviceDouble::new());
    let proxy = start_proxy(service.port(), untouched, |answer| {
        rewrite_jws_part(answer, 1, |payload| {
            let mut data: Value = serde_json::from_slice(&payload).unwrap();
            data["bioSubType"] = Value::String("Left RingFinger".into());
            serde_json::to_vec(&data).unwrap()
        })
    });
    let backend = SbiBackend::new(
        SbiClient::new(SbiClientConfig {
            developer_mode: true,
            ..config_for(proxy.port)
        })
        .unwrap(),
    );
    let device = only_device(&backend);
    assert_eq!(device.descriptor().trust, DeviceTrust::DeveloperMode);
    let error = device
        .capture(&left_slap_without_ring("tx-developer-tamper"), &CancelToken::new())
        .unwrap_err();
    assert_eq!(error.code(), "device_untrusted", "{error}");
}

// ---------------------------------------------------------------------------------------------
// Chains through an intermediate

/// Cross-certifies the foreign CA under the trusted one: a certificate with the foreign CA's
/// name and key, issued by the trusted CA, as a CA (`SubCA`) or, wrongly, as an end entity.
/// The key files are the ones `DeviceCa` keeps (`ca-key.pem`, `device.pem`).
fn cross_certificate(as_ca: bool) -> Vec<u8> {
    use rsa::pkcs8::DecodePrivateKey;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::der::{DecodePem, Encode};

    let keys = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbi-test-keys");
    cas();
    let read = |path: PathBuf| std::fs::read_to_string(path).unwrap();
    let trusted_key = rsa::RsaPrivateKey::from_pkcs8_pem(&read(keys.join("trusted/ca-key.pem"))).unwrap();
    let foreign_key = rsa::RsaPrivateKey::from_pkcs8_pem(&read(keys.join("foreign/ca-key.pem"))).unwrap();
    let trusted_ca = x509_cert::Certificate::from_pem(read(keys.join("trusted/ca.pem"))).unwrap();
    let foreign_device = x509_cert::Certificate::from_pem(read(keys.join("foreign/device.pem"))).unwrap();

    let profile = if as_ca {
        Profile::SubCA {
            issuer: trusted_ca.tbs_certificate.subject.clone(),
            path_len_constraint: Some(0),
        }
    } else {
        Profile::Leaf {
            issuer: trusted_ca.tbs_certificate.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        }
    };
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(trusted_key);
    let builder = CertificateBuilder::new(
        profile,
        x509_cert::serial_number::SerialNumber::from(7u32),
        x509_cert::time::Validity::from_now(Duration::from_secs(24 * 3600)).unwrap(),
        // The foreign device certificate names its issuer so: the cross certificate must too.
        foreign_device.tbs_certificate.issuer.clone(),
        x509_cert::spki::SubjectPublicKeyInfoOwned::from_key(foreign_key.to_public_key()).unwrap(),
        &signer,
    )
    .unwrap();
    builder.build::<rsa::pkcs1v15::Signature>().unwrap().to_der().unwrap()
}

fn signed_by_foreign_device(intermediate: Option<Vec<u8>>) -> String {
    use rsa::pkcs8::DecodePrivateKey;
    use x509_cert::der::{DecodePem, Encode};
    let keys = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbi-test-keys");
    cas();
    let device_key =
        rsa::RsaPrivateKey::from_pkcs8_pem(&std::fs::read_to_string(keys.join("foreign/device-key.pem")).unwrap())
            .unwrap();
    let device_certificate =
        x509_cert::Certificate::from_pem(std::fs::read(keys.join("foreign/device.pem")).unwrap()).unwrap();
    let mut chain = vec![device_certificate.to_der().unwrap()];
    chain.extend(intermediate);
    jws::sign(br#"{"make":"Foreign"}"#, &device_key, &chain)
}

#[test]
fn a_signer_chains_to_the_trust_store_through_a_ca_certificate_in_x5c() {
    use enroll_devices::sbi::TrustPolicy;
    let policy = TrustPolicy {
        store: trust_store(),
        developer_mode: false,
    };
    let now = time::OffsetDateTime::now_utc();

    let alone = policy.check(&signed_by_foreign_device(None), now).unwrap_err();
    assert_eq!(alone.code(), "device_untrusted", "{alone}");

    let through_ca = policy
        .check(&signed_by_foreign_device(Some(cross_certificate(true))), now)
        .unwrap();
    assert_eq!(through_ca.trust, DeviceTrust::Verified);
    assert_eq!(through_ca.payload, br#"{"make":"Foreign"}"#);

    // An end-entity certificate cannot issue others, whatever its name and key.
    let through_leaf = policy
        .check(&signed_by_foreign_device(Some(cross_certificate(false))), now)
        .unwrap_err();
    assert_eq!(through_leaf.code(), "device_untrusted", "{through_leaf}");
}

#[test]
fn an_exception_photo_comes_back_from_a_face_camera() {
    let camera = FixtureDeviceDouble {
        kind: DeviceKind::Face,
        ..FixtureDeviceDouble::new()
    };
    let service = start_service(&cas().0, camera);
    let device = only_device(&backend_for(service.port()));
    assert_eq!(device.descriptor().kind, DeviceKind::Face);
    let request = CaptureRequest {
        step: CaptureStep::ExceptionPhoto,
        exceptions: vec![Position::LeftRing, Position::RightIris],
        requested_quality: 40,
        timeout: Duration::from_secs(10),
        transaction_id: "tx-exception-photo".into(),
        previous_hash: None,
        subject: Default::default(),
    };
    let result = device.capture(&request, &CancelToken::new()).unwrap();
    assert_eq!(result.captures.len(), 1);
    assert_eq!(result.captures[0].position, Position::ExceptionPhoto);
    assert_eq!(
        result.captures[0].data,
        CapturedData::IsoRecord(fixture_record(Position::ExceptionPhoto))
    );
    let face = CaptureRequest {
        step: CaptureStep::Face,
        exceptions: Vec::new(),
        transaction_id: "tx-face".into(),
        previous_hash: None,
        ..request
    };
    let result = device.capture(&face, &CancelToken::new()).unwrap();
    assert_eq!(result.captures[0].position, Position::Face);
    assert_eq!(
        result.captures[0].data,
        CapturedData::IsoRecord(fixture_record(Position::Face))
    );
}
