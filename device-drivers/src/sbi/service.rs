//! An SBI device service: serves any [`BiometricDevice`] (simulated, native USB) to SBI clients
//! over HTTP on a loopback port, signing like a certified device with a key from its own CA
//! ([`crate::sbi::ca`]). `enroll sim-devices` runs it, and the SBI tests drive the client
//! against it over real HTTP.
//!
//! What it answers: `MOSIPDISC`/`SBIDISC` (discovery, unsigned digital id), `MOSIPDINFO`/
//! `SBIINFO` (signed device info and digital id), `RCAPTURE` (signed biometrics on a hash chain
//! from the request's `previousHash`) and `STREAM` (M-JPEG multipart). A capture that comes back
//! as pixels ([`CapturedData::Image`]) is wrapped into an ISO record by the encoder given at
//! construction. A simulated device stays marked simulated: its digital id's `make` is
//! [`SIMULATED_MAKE`].
//!
//! Deliberately absent: the authentication `CAPTURE` (encrypted, for authentication devices),
//! registration with a management server, and any listening beyond the address it is given.

use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::capture::{
    BiometricDevice, CancelToken, Capture, CaptureRequest, CaptureStep, CapturedData, DeviceDescriptor, DeviceKind,
    DeviceStatus, Modality, Position, PreviewFrame,
};
use crate::sbi::ca::DeviceSigner;
use crate::sbi::client::{Clock, SIMULATED_MAKE};
use crate::sbi::codes;
use crate::sbi::hash_chain;
use crate::sbi::jws;
use crate::sbi::messages::{
    bio_type_name, modality_from_bio_type, position_from_bio_sub_type, BiometricEntry, CaptureData, DeviceInfoEntry,
    DeviceInfoPayload, DigitalId, DiscoveryEntry, RCaptureRequest, RCaptureResponse, SbiErrorObject, StreamErrorAnswer,
    StreamRequest,
};
use crate::sbi::stream;
use crate::DeviceError;

/// Wraps a capture made of pixels into the ISO/IEC 19794 record the answer carries.
pub type ImageEncoder = Arc<dyn Fn(&Capture, &CaptureRequest) -> Result<Vec<u8>, DeviceError> + Send + Sync>;

/// The version this service implements; it also answers 0.9.5's verbs.
const SERVICE_VERSION: &str = "1.0";
const BOUNDARY: &str = "sbiframe";
const DEFAULT_CAPTURE_TIMEOUT: Duration = Duration::from_secs(10);
/// SBI's default stream length.
const DEFAULT_STREAM_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// A request body bigger than this is not an SBI request.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// The SBI service over a list of devices.
#[derive(Clone)]
pub struct SbiService {
    state: Arc<ServiceState>,
}

struct ServiceState {
    devices: Vec<Arc<dyn BiometricDevice>>,
    signer: DeviceSigner,
    encoder: ImageEncoder,
    clock: Clock,
    provider_id: String,
}

impl SbiService {
    pub fn new(devices: Vec<Arc<dyn BiometricDevice>>, signer: DeviceSigner, encoder: ImageEncoder) -> SbiService {
        SbiService {
            state: Arc::new(ServiceState {
                devices,
                signer,
                encoder,
                clock: Arc::new(OffsetDateTime::now_utc),
                provider_id: "ENROLL.SBI.SERVICE".into(),
            }),
        }
    }

    /// The clock the service stamps answers with (tests move it to check the client's skew).
    pub fn with_clock(self, clock: Clock) -> SbiService {
        let state = Arc::try_unwrap(self.state).unwrap_or_else(|shared| ServiceState {
            devices: shared.devices.clone(),
            signer: shared.signer.clone(),
            encoder: Arc::clone(&shared.encoder),
            clock: Arc::clone(&shared.clock),
            provider_id: shared.provider_id.clone(),
        });
        SbiService {
            state: Arc::new(ServiceState { clock, ..state }),
        }
    }

    /// The HTTP routes: every SBI verb on any path, as services in the field accept them.
    pub fn router(&self) -> Router {
        Router::new().fallback(dispatch).with_state(Arc::clone(&self.state))
    }

    /// Serves on `listener` until the future is dropped.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    /// Binds `address` (SBI: 127.0.0.1, a port in 4501..=4600; port 0 picks a free one) and
    /// serves on a thread of its own until the handle is stopped or dropped.
    pub fn spawn(self, address: SocketAddr) -> Result<RunningService, DeviceError> {
        let listener = std::net::TcpListener::bind(address)
            .map_err(|e| DeviceError::NotConnected(format!("SBI service address {address} ({e})")))?;
        let address = listener
            .local_addr()
            .map_err(|e| DeviceError::NotConnected(format!("SBI service ({e})")))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| DeviceError::NotConnected(format!("SBI service ({e})")))?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| DeviceError::NotConnected(format!("SBI service runtime ({e})")))?;
        let thread = std::thread::Builder::new()
            .name(format!("sbi-service-{}", address.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(error) => {
                            tracing::error!(%error, "the SBI service cannot listen");
                            return;
                        }
                    };
                    tokio::select! {
                        served = self.serve(listener) => {
                            if let Err(error) = served {
                                tracing::error!(%error, "the SBI service stopped");
                            }
                        }
                        _ = stopped => {}
                    }
                });
                // Open previews end when their connection goes; do not wait for them.
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(|e| DeviceError::NotConnected(format!("SBI service thread ({e})")))?;
        Ok(RunningService {
            address,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

/// A service started by [`SbiService::spawn`]; dropping it stops the service.
#[derive(Debug)]
pub struct RunningService {
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningService {
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Stops the service and waits for its thread.
    pub fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The service may have stopped already; then there is nobody to tell.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningService {
    fn drop(&mut self) {
        self.stop_now();
    }
}

async fn dispatch(State(state): State<Arc<ServiceState>>, method: Method, uri: Uri, body: Bytes) -> Response {
    if body.len() > MAX_REQUEST_BYTES {
        return (StatusCode::PAYLOAD_TOO_LARGE, "an SBI request is never this big").into_response();
    }
    tracing::debug!(verb = method.as_str(), path = uri.path(), "SBI request");
    match method.as_str() {
        "MOSIPDISC" | "SBIDISC" => json(&state.discovery(&body)),
        "MOSIPDINFO" | "SBIINFO" => json(&state.device_info(&body)),
        "RCAPTURE" => json(&state.capture(&body).await),
        "STREAM" => state.stream(&body).await,
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(
                header::ALLOW,
                "MOSIPDISC, SBIDISC, MOSIPDINFO, SBIINFO, RCAPTURE, STREAM",
            )],
            "not an SBI verb this service answers",
        )
            .into_response(),
    }
}

fn json(value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

impl ServiceState {
    fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    fn timestamp(&self) -> String {
        // RFC 3339 formatting of a valid time cannot fail.
        self.now().format(&Rfc3339).unwrap_or_default()
    }

    /// The devices with their SBI names: `deviceId` is the 1-based index.
    fn named_devices(&self) -> impl Iterator<Item = (String, DeviceDescriptor)> + '_ {
        self.devices
            .iter()
            .enumerate()
            .map(|(index, device)| ((index + 1).to_string(), device.descriptor()))
    }

    fn find(&self, device_id: Option<&str>, serial_no: Option<&str>) -> Option<(String, Arc<dyn BiometricDevice>)> {
        self.devices.iter().enumerate().find_map(|(index, device)| {
            let id = (index + 1).to_string();
            let descriptor = device.descriptor();
            let matches = device_id.is_some_and(|wanted| wanted == id)
                || serial_no.is_some_and(|wanted| wanted == serial(&id, &descriptor));
            matches.then(|| (id, Arc::clone(device)))
        })
    }

    fn digital_id(&self, id: &str, descriptor: &DeviceDescriptor) -> DigitalId {
        let info = &descriptor.info;
        // A simulator served for a real device keeps its real make in the model ("Simulated"
        // "Acme X1"); our own simulators' make is already "Simulated".
        let (make, model) = if info.simulated && !info.make.eq_ignore_ascii_case(SIMULATED_MAKE) {
            (
                SIMULATED_MAKE.to_string(),
                format!("{} {}", info.make, info.model).trim().to_string(),
            )
        } else {
            (info.make.clone(), info.model.clone())
        };
        let (device_type, device_sub_type) = kind_names(descriptor.kind);
        DigitalId {
            serial_no: serial(id, descriptor),
            make: make.clone(),
            model,
            device_type: device_type.into(),
            device_sub_type: device_sub_type.into(),
            device_provider: make,
            device_provider_id: self.provider_id.clone(),
            date_time: self.timestamp(),
        }
    }

    fn signed_digital_id(&self, id: &str, descriptor: &DeviceDescriptor) -> String {
        self.signer.sign(&to_json(&self.digital_id(id, descriptor)))
    }

    fn wanted(body: &[u8], descriptor: &DeviceDescriptor) -> bool {
        let requested = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string));
        match requested {
            None => true,
            Some(kind) if kind.eq_ignore_ascii_case("Biometric Device") => true,
            Some(kind) => modality_from_bio_type(&kind) == Some(descriptor.kind.modality()),
        }
    }

    fn discovery(&self, body: &[u8]) -> Vec<DiscoveryEntry> {
        self.named_devices()
            .filter(|(_, descriptor)| ServiceState::wanted(body, descriptor))
            .map(|(id, descriptor)| DiscoveryEntry {
                serial_no: Some(serial(&id, &descriptor)),
                device_status: status_name(descriptor.status).into(),
                certification: Some(descriptor.info.certification.clone().unwrap_or_else(|| "L0".into())),
                service_version: Some(SERVICE_VERSION.into()),
                device_sub_id: sub_ids(descriptor.kind),
                callback_id: None,
                digital_id: Some(jws::base64url_encode(&to_json(&self.digital_id(&id, &descriptor)))),
                device_code: Some(id.clone()),
                spec_version: vec![SERVICE_VERSION.into(), "0.9.5".into()],
                purpose: Some("Registration".into()),
                error: Some(SbiErrorObject::new(codes::SUCCESS, "Success")),
                device_id: Some(id),
            })
            .collect()
    }

    fn device_info(&self, body: &[u8]) -> Vec<DeviceInfoEntry> {
        self.named_devices()
            .filter(|(_, descriptor)| ServiceState::wanted(body, descriptor))
            .map(|(id, descriptor)| {
                let payload = DeviceInfoPayload {
                    device_status: status_name(descriptor.status).into(),
                    serial_no: Some(serial(&id, &descriptor)),
                    firmware: Some(descriptor.info.firmware.clone()),
                    certification: Some(descriptor.info.certification.clone().unwrap_or_else(|| "L0".into())),
                    service_version: Some(SERVICE_VERSION.into()),
                    device_sub_id: sub_ids(descriptor.kind),
                    callback_id: None,
                    digital_id: self.signed_digital_id(&id, &descriptor),
                    device_code: Some(id.clone()),
                    env: Some("Developer".into()),
                    purpose: Some("Registration".into()),
                    spec_version: vec![SERVICE_VERSION.into(), "0.9.5".into()],
                    device_id: Some(id),
                };
                DeviceInfoEntry {
                    device_info: self.signer.sign(&to_json(&payload)),
                    error: Some(SbiErrorObject::new(codes::SUCCESS, "Success")),
                }
            })
            .collect()
    }

    async fn capture(&self, body: &[u8]) -> RCaptureResponse {
        match self.try_capture(body).await {
            Ok(response) => response,
            Err((code, info)) => RCaptureResponse {
                biometrics: vec![BiometricEntry {
                    spec_version: Some(SERVICE_VERSION.into()),
                    error: Some(SbiErrorObject::new(code, info)),
                    ..BiometricEntry::default()
                }],
            },
        }
    }

    async fn try_capture(&self, body: &[u8]) -> Result<RCaptureResponse, (i64, String)> {
        let bad_request = |why: String| (codes::SERVICE_CAPTURE_FAILED, why);
        let request: RCaptureRequest =
            serde_json::from_slice(body).map_err(|e| bad_request(format!("the capture request is not valid: {e}")))?;
        let bio = request
            .bio
            .first()
            .ok_or_else(|| bad_request("the capture request asks for no biometric".into()))?;
        let (id, device) = self
            .find(bio.device_id.as_deref(), bio.serial_no.as_deref())
            .ok_or_else(|| (codes::DEVICE_NOT_FOUND, "Device not found".to_string()))?;
        let descriptor = device.descriptor();
        let step = step_for(
            descriptor.kind,
            &bio.bio_type,
            bio.device_sub_id.as_deref(),
            &bio.bio_sub_type,
        )
        .map_err(|why| (codes::COUNT_NOT_SUPPORTED, why))?;
        // A face capture with exceptions is the photo that documents them.
        let step = match step {
            CaptureStep::Face if !bio.exception.is_empty() => CaptureStep::ExceptionPhoto,
            step => step,
        };
        let exceptions = bio
            .exception
            .iter()
            .filter_map(|name| {
                position_from_bio_sub_type(Modality::Finger, name)
                    .or_else(|| position_from_bio_sub_type(Modality::Iris, name))
            })
            .collect();
        let mut previous = hash_chain::from_hex(bio.previous_hash.as_deref().unwrap_or(""))
            .ok_or_else(|| bad_request("previousHash is not a hex SHA-256".into()))?;
        let capture_request = CaptureRequest {
            step,
            exceptions,
            requested_quality: bio.requested_score.unwrap_or(0.0).round().clamp(0.0, 100.0) as u8,
            timeout: request
                .timeout
                .map(Duration::from_millis)
                .unwrap_or(DEFAULT_CAPTURE_TIMEOUT),
            transaction_id: request.transaction_id.clone(),
            // The service keeps the chain itself (`previous` above, from the request); the
            // device it serves signs nothing and chains nothing.
            previous_hash: None,
            subject: Default::default(),
        };

        let captured = {
            let device = Arc::clone(&device);
            let capture_request = capture_request.clone();
            tokio::task::spawn_blocking(move || device.capture(&capture_request, &CancelToken::new()))
                .await
                .map_err(|e| bad_request(format!("the capture stopped: {e}")))?
        }
        .map_err(|error| codes::for_device_error(&error))?;

        let signed_digital_id = self.signed_digital_id(&id, &descriptor);
        let mut biometrics = Vec::with_capacity(captured.captures.len());
        for capture in &captured.captures {
            let record = match &capture.data {
                CapturedData::IsoRecord(bytes) => bytes.clone(),
                CapturedData::Image { .. } => {
                    (self.encoder)(capture, &capture_request).map_err(|error| codes::for_device_error(&error))?
                }
            };
            let data = CaptureData {
                digital_id: signed_digital_id.clone(),
                bio_type: bio_type_name(capture.position.modality()).into(),
                device_code: Some(id.clone()),
                device_service_version: Some(SERVICE_VERSION.into()),
                bio_sub_type: capture.position.mosip_name().into(),
                purpose: Some("Registration".into()),
                env: Some(request.env.clone()),
                bio_value: jws::base64url_encode(&record),
                transaction_id: request.transaction_id.clone(),
                timestamp: self.timestamp(),
                requested_score: bio.requested_score,
                quality_score: Some(f64::from(capture.quality)),
            };
            previous = hash_chain::next(&previous, &record);
            biometrics.push(BiometricEntry {
                spec_version: Some(SERVICE_VERSION.into()),
                data: self.signer.sign(&to_json(&data)),
                hash: hash_chain::to_hex(&previous),
                error: Some(SbiErrorObject::new(codes::SUCCESS, "Success")),
                additional_info: None,
            });
        }
        Ok(RCaptureResponse { biometrics })
    }

    async fn stream(&self, body: &[u8]) -> Response {
        let error = |code: i64, info: String| {
            json(&StreamErrorAnswer {
                error: SbiErrorObject::new(code, info),
            })
        };
        let request: StreamRequest = match serde_json::from_slice(body) {
            Ok(request) => request,
            Err(e) => {
                return error(
                    codes::SERVICE_CAPTURE_FAILED,
                    format!("the stream request is not valid: {e}"),
                )
            }
        };
        let Some((_, device)) = self.find(request.device_id.as_deref(), request.serial_no.as_deref()) else {
            return error(codes::NO_DEVICE_CONNECTED, "No device connected".into());
        };
        let kind = device.descriptor().kind;
        let bio_type = request
            .device_type
            .clone()
            .unwrap_or_else(|| bio_type_name(kind.modality()).into());
        let step = match step_for(kind, &bio_type, request.device_sub_id.as_deref(), &[]) {
            Ok(step) => step,
            Err(why) => return error(codes::COUNT_NOT_SUPPORTED, why),
        };
        let timeout = request
            .timeout
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_STREAM_TIMEOUT);

        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<PreviewFrame, DeviceError>>(2);
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let cancel = CancelToken::new();
            let mut on_frame = |frame: PreviewFrame| {
                // A send fails when the client has gone: that ends the preview.
                if started.elapsed() > timeout || sender.blocking_send(Ok(frame)).is_err() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            };
            if let Err(error) = device.preview(step, &mut on_frame, &cancel) {
                let _ = sender.blocking_send(Err(error));
            }
        });
        // The first frame decides between a stream and an error answer.
        let first = match receiver.recv().await {
            Some(Ok(frame)) => Some(frame),
            Some(Err(device_error)) => {
                let (code, info) = codes::for_device_error(&device_error);
                return error(code, info);
            }
            None => None,
        };
        let frames = futures_util::stream::unfold((first, receiver, false), |(first, mut receiver, done)| async move {
            if done {
                return None;
            }
            let next = match first {
                Some(frame) => Some(Ok(frame)),
                None => receiver.recv().await,
            };
            match next {
                Some(Ok(frame)) => Some((
                    Ok::<Bytes, std::io::Error>(Bytes::from(stream::write_part(BOUNDARY, &frame))),
                    (None, receiver, false),
                )),
                // A failure mid-stream, or the end: close the multipart body.
                Some(Err(_)) | None => Some((Ok(Bytes::from(format!("--{BOUNDARY}--\r\n"))), (None, receiver, true))),
            }
        });
        (
            [
                (
                    header::CONTENT_TYPE,
                    format!("multipart/x-mixed-replace; boundary={BOUNDARY}"),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            Body::from_stream(frames),
        )
            .into_response()
    }
}

fn to_json(value: &impl serde::Serialize) -> Vec<u8> {
    // The message types hold strings, numbers and lists only: serialising cannot fail.
    serde_json::to_vec(value).expect("SBI messages serialise")
}

/// The device's serial number, or its id when it reports none.
fn serial(id: &str, descriptor: &DeviceDescriptor) -> String {
    if descriptor.info.serial.trim().is_empty() {
        id.to_string()
    } else {
        descriptor.info.serial.clone()
    }
}

fn status_name(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Ready => "Ready",
        DeviceStatus::Busy => "Busy",
        DeviceStatus::NotReady => "Not Ready",
        DeviceStatus::NotRegistered => "Not Registered",
    }
}

/// SBI `type` and `deviceSubType` of a kind of device.
fn kind_names(kind: DeviceKind) -> (&'static str, &'static str) {
    match kind {
        DeviceKind::FingerSlap => ("Finger", "Slap"),
        DeviceKind::FingerSingle => ("Finger", "Single"),
        DeviceKind::IrisDouble => ("Iris", "Double"),
        DeviceKind::IrisSingle => ("Iris", "Single"),
        DeviceKind::Face => ("Face", "Full face"),
    }
}

fn sub_ids(kind: DeviceKind) -> Vec<String> {
    let ids: &[&str] = match kind {
        DeviceKind::FingerSlap | DeviceKind::IrisDouble => &["1", "2", "3"],
        DeviceKind::IrisSingle => &["1", "2"],
        DeviceKind::FingerSingle | DeviceKind::Face => &["0"],
    };
    ids.iter().map(|id| id.to_string()).collect()
}

/// The capture step a request names, for a device of `kind`.
fn step_for(
    kind: DeviceKind,
    bio_type: &str,
    device_sub_id: Option<&str>,
    bio_sub_type: &[String],
) -> Result<CaptureStep, String> {
    let modality = modality_from_bio_type(bio_type).ok_or_else(|| format!("unknown biometric type {bio_type:?}"))?;
    if modality != kind.modality() {
        return Err(format!("this device does not capture {bio_type}"));
    }
    let sub_id = device_sub_id.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("0");
    let first_named = bio_sub_type
        .iter()
        .find_map(|name| position_from_bio_sub_type(modality, name));
    let step = match (modality, sub_id) {
        (Modality::Finger, "1") => CaptureStep::LeftSlap,
        (Modality::Finger, "2") => CaptureStep::RightSlap,
        (Modality::Finger, "3") => CaptureStep::Thumbs,
        (Modality::Finger, "0") => CaptureStep::Finger(first_named.unwrap_or(Position::RightIndex)),
        (Modality::Iris, "1") => CaptureStep::LeftIris,
        (Modality::Iris, "2") => CaptureStep::RightIris,
        (Modality::Iris, "3") => CaptureStep::BothIrises,
        (Modality::Iris, "0") => match first_named {
            Some(Position::LeftIris) if bio_sub_type.len() == 1 => CaptureStep::LeftIris,
            Some(Position::RightIris) if bio_sub_type.len() == 1 => CaptureStep::RightIris,
            _ if kind == DeviceKind::IrisDouble => CaptureStep::BothIrises,
            _ => CaptureStep::LeftIris,
        },
        (Modality::Face, _) => CaptureStep::Face,
        (_, other) => return Err(format!("deviceSubId {other:?} names no part of this device")),
    };
    if !kind.can_capture(step) {
        return Err(format!("this device cannot capture {step:?}"));
    }
    Ok(step)
}
