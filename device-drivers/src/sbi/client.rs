//! The station's side of SBI: finds device services on the loopback ports, reads their signed
//! device info, asks for registration captures (`RCAPTURE`) and previews (`STREAM`), and checks
//! every answer before anything of it reaches the register.
//!
//! The checks on a capture, in order: the entry's error code (a non-zero code becomes
//! [`DeviceError::Sbi`] worded from the specification's table); the entry's JWS against the
//! trust store ([`DeviceError::Untrusted`]); then [`DeviceError::SbiMismatch`] for a digital id
//! of another device, a `transactionId` that does not echo the request, a `timestamp` further
//! from the station's clock than the configured skew, a broken hash chain, and positions other
//! than the ones asked for. Developer mode relaxes only who signed, never what was signed.
//!
//! Calls block (reqwest's blocking client), as the capture model wants; a capture runs on a
//! helper thread so that a [`CancelToken`] returns at once.
//!
//! The hash chain runs across a registration's captures (SBI 1.0, `bio.previousHash`: "for the
//! first capture the previousHash is hash of empty UTF-8 string; from the second capture the
//! previous captures hash (as hex encoded) is used as input"): the request carries the link to
//! continue from and the answer gives back its last link; who holds the link between captures
//! is the caller's business (the station keeps it in the registration's draft).
//!
//! Deliberately absent: the encrypted authentication `CAPTURE` and the register's device
//! management (device codes, registration status).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::{ControlFlow, RangeInclusive};
use std::sync::Arc;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde::de::DeserializeOwned;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::capture::{
    Backend, CancelToken, Capture, CaptureRequest, CaptureResult, CaptureStep, CapturedData, DeviceDescriptor,
    DeviceInfo, DeviceKind, DeviceStatus, DeviceTrust, Modality, Position, PreviewFrame, QualitySource,
};
use crate::sbi::codes;
use crate::sbi::hash_chain;
use crate::sbi::jws;
use crate::sbi::messages::{
    bio_type_name, modality_from_bio_type, position_from_bio_sub_type, BioRequest, CaptureData, DeviceInfoEntry,
    DeviceInfoPayload, DigitalId, DiscoveryEntry, DiscoveryRequest, RCaptureRequest, RCaptureResponse,
    StreamErrorAnswer, StreamRequest,
};
use crate::sbi::stream::{boundary_from_content_type, MultipartFrames};
use crate::sbi::trust::{TrustPolicy, TrustStore};
use crate::DeviceError;

/// The ports SBI services listen on.
pub const DEFAULT_PORTS: RangeInclusive<u16> = 4501..=4600;
/// The `make` of a digital id that marks a simulated device; the station shows it as such.
pub const SIMULATED_MAKE: &str = "Simulated";

/// The station's clock, passed in so that tests can move it.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The two SBI versions, by the verbs they discover and describe devices with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    /// MDS 0.9.5: `MOSIPDISC`, `MOSIPDINFO`; devices named by `deviceId`.
    Mds095,
    /// SBI 1.0: `SBIDISC`, `SBIINFO`; devices named by `serialNo`.
    Sbi10,
}

impl SpecVersion {
    pub fn discovery_verb(self) -> &'static str {
        match self {
            SpecVersion::Mds095 => "MOSIPDISC",
            SpecVersion::Sbi10 => "SBIDISC",
        }
    }

    pub fn info_verb(self) -> &'static str {
        match self {
            SpecVersion::Mds095 => "MOSIPDINFO",
            SpecVersion::Sbi10 => "SBIINFO",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::Mds095 => "0.9.5",
            SpecVersion::Sbi10 => "1.0",
        }
    }
}

/// How the client finds and checks devices.
#[derive(Clone)]
pub struct SbiClientConfig {
    /// SBI services bind to 127.0.0.1 and nothing else.
    pub host: IpAddr,
    pub ports: RangeInclusive<u16>,
    pub trust: TrustStore,
    /// Accept devices whose signatures do not chain to the trust store (or that sign nothing),
    /// marking them [`DeviceTrust::DeveloperMode`]. Never in production.
    pub developer_mode: bool,
    /// How far a capture's timestamp may be from the station's clock.
    pub max_clock_skew: Duration,
    /// Sent as the `EXT` header, as the specification asks.
    pub app_name: String,
    /// SBI `env`: "Staging", "Developer", "Pre-Production" or "Production".
    pub env: String,
    /// How long one port may take to answer discovery or info.
    pub discovery_timeout: Duration,
    pub clock: Clock,
}

impl Default for SbiClientConfig {
    fn default() -> SbiClientConfig {
        SbiClientConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: DEFAULT_PORTS,
            trust: TrustStore::empty(),
            developer_mode: false,
            max_clock_skew: Duration::from_secs(10 * 60),
            app_name: "enroll-station".into(),
            env: "Staging".into(),
            discovery_timeout: Duration::from_secs(2),
            clock: Arc::new(OffsetDateTime::now_utc),
        }
    }
}

impl std::fmt::Debug for SbiClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SbiClientConfig")
            .field("host", &self.host)
            .field("ports", &self.ports)
            .field("trust_anchors", &self.trust.len())
            .field("developer_mode", &self.developer_mode)
            .field("max_clock_skew", &self.max_clock_skew)
            .finish_non_exhaustive()
    }
}

/// Where a device is and how to name it in requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbiDeviceAddress {
    pub port: u16,
    pub version: SpecVersion,
    /// 0.9.5's name for the device.
    pub device_id: Option<String>,
    /// 1.0's name for the device.
    pub serial_no: Option<String>,
    pub spec_version: String,
}

/// A device whose info and digital id passed the trust check.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedDevice {
    pub address: SbiDeviceAddress,
    pub descriptor: DeviceDescriptor,
    pub digital_id: DigitalId,
}

/// The SBI client. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct SbiClient {
    config: SbiClientConfig,
    http: Client,
    policy: TrustPolicy,
}

impl SbiClient {
    pub fn new(config: SbiClientConfig) -> Result<SbiClient, DeviceError> {
        let http = Client::builder()
            // Loopback only: a proxy from the environment must not see biometrics.
            .no_proxy()
            .connect_timeout(config.discovery_timeout)
            .timeout(None)
            .build()
            .map_err(|e| DeviceError::Protocol(format!("cannot start the SBI client: {e}")))?;
        let policy = TrustPolicy {
            store: config.trust.clone(),
            developer_mode: config.developer_mode,
        };
        Ok(SbiClient { config, http, policy })
    }

    pub fn config(&self) -> &SbiClientConfig {
        &self.config
    }

    fn now(&self) -> OffsetDateTime {
        (self.config.clock)()
    }

    fn url(&self, port: u16, path: &str) -> String {
        format!("http://{}/{path}", SocketAddr::new(self.config.host, port))
    }

    fn request(
        &self,
        verb: &str,
        port: u16,
        path: &str,
        body: &impl serde::Serialize,
    ) -> reqwest::blocking::RequestBuilder {
        // Every verb here is a valid HTTP token, so this cannot fail.
        let method = Method::from_bytes(verb.as_bytes()).expect("SBI verbs are HTTP tokens");
        self.http
            .request(method, self.url(port, path))
            .header("EXT", &self.config.app_name)
            .json(body)
    }

    /// Every device service in the configured range, with the devices each reports or why
    /// they were refused. Ports where nothing listens, or something that is not an SBI service,
    /// are left out.
    pub fn scan(&self) -> Vec<(u16, Result<Vec<VerifiedDevice>, DeviceError>)> {
        self.config
            .ports
            .clone()
            .filter_map(|port| match self.discover_port(port) {
                Ok(None) => None,
                Ok(Some((version, _))) => Some((port, self.device_info(port, version))),
                // Something that is not an SBI service listens there: not a device to report.
                Err(DeviceError::Protocol(why)) => {
                    tracing::debug!(port, why, "not an SBI device service");
                    None
                }
                Err(error) => Some((port, Err(error))),
            })
            .collect()
    }

    /// Discovery on one port: `SBIDISC` first, then 0.9.5's `MOSIPDISC` for older services.
    /// `None` when nothing listens there.
    pub fn discover_port(&self, port: u16) -> Result<Option<(SpecVersion, Vec<DiscoveryEntry>)>, DeviceError> {
        let mut last_error = None;
        for version in [SpecVersion::Sbi10, SpecVersion::Mds095] {
            let body = DiscoveryRequest {
                device_type: "Biometric Device".into(),
                spec_version: Some(version.as_str().into()),
            };
            let response = self
                .request(version.discovery_verb(), port, "device", &body)
                .timeout(self.config.discovery_timeout)
                .send();
            let response = match response {
                Ok(response) => response,
                Err(error) if error.is_connect() => return Ok(None),
                Err(error) => return Err(unreachable(port, &error)),
            };
            if !response.status().is_success() {
                last_error = Some(DeviceError::Protocol(format!(
                    "the service on port {port} answered {} to {}",
                    response.status(),
                    version.discovery_verb()
                )));
                continue;
            }
            match read_json::<Vec<DiscoveryEntry>>(response, port) {
                Ok(entries) => return Ok(Some((version, entries))),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| DeviceError::Protocol(format!("no SBI discovery answer on port {port}"))))
    }

    /// The devices a service on `port` describes, each checked against the trust store.
    pub fn device_info(&self, port: u16, version: SpecVersion) -> Result<Vec<VerifiedDevice>, DeviceError> {
        let body = DiscoveryRequest {
            device_type: "Biometric Device".into(),
            spec_version: Some(version.as_str().into()),
        };
        let response = self
            .request(version.info_verb(), port, "info", &body)
            .timeout(self.config.discovery_timeout)
            .send()
            .map_err(|e| unreachable(port, &e))?;
        if !response.status().is_success() {
            return Err(DeviceError::Protocol(format!(
                "the service on port {port} answered {} to {}",
                response.status(),
                version.info_verb()
            )));
        }
        let entries: Vec<DeviceInfoEntry> = read_json(response, port)?;
        let now = self.now();
        let mut devices = Vec::new();
        for entry in entries {
            let code = entry.error.as_ref().map_or(Some(codes::SUCCESS), |e| e.code());
            if entry.device_info.trim().is_empty() {
                match code {
                    Some(codes::SUCCESS) => continue,
                    Some(code) => {
                        let info = entry.error.and_then(|e| e.error_info).unwrap_or_default();
                        tracing::warn!(port, code, info, "an SBI service reports a device it cannot describe");
                        continue;
                    }
                    None => return Err(DeviceError::Protocol("a device info error code is not a number".into())),
                }
            }
            let info = self.policy.check(&entry.device_info, now)?;
            let payload: DeviceInfoPayload = parse_payload(&info.payload, "device info")?;
            let digital = self.policy.check(&payload.digital_id, now)?;
            let digital_id: DigitalId = parse_payload(&digital.payload, "digital id")?;
            let trust = if info.trust == DeviceTrust::Verified && digital.trust == DeviceTrust::Verified {
                DeviceTrust::Verified
            } else {
                DeviceTrust::DeveloperMode
            };
            let Some(kind) = device_kind(&digital_id) else {
                tracing::warn!(
                    port,
                    device_type = digital_id.device_type,
                    sub_type = digital_id.device_sub_type,
                    "an SBI service reports a kind of device the station does not use"
                );
                continue;
            };
            let name = payload
                .serial_no
                .clone()
                .or_else(|| payload.device_id.clone())
                .unwrap_or_else(|| digital_id.serial_no.clone());
            let address = SbiDeviceAddress {
                port,
                version,
                device_id: payload.device_id.clone(),
                serial_no: payload.serial_no.clone().or_else(|| Some(digital_id.serial_no.clone())),
                spec_version: payload
                    .spec_version
                    .first()
                    .cloned()
                    .unwrap_or_else(|| version.as_str().to_string()),
            };
            let descriptor = DeviceDescriptor {
                id: format!("sbi:{port}:{name}"),
                kind,
                backend: Backend::Sbi,
                info: DeviceInfo {
                    make: digital_id.make.clone(),
                    model: digital_id.model.clone(),
                    serial: digital_id.serial_no.clone(),
                    firmware: payload.firmware.clone().unwrap_or_default(),
                    certification: payload.certification.clone(),
                    digital_id: Some(payload.digital_id.clone()),
                    simulated: digital_id.make.eq_ignore_ascii_case(SIMULATED_MAKE),
                },
                status: device_status(&payload.device_status),
                trust,
            };
            devices.push(VerifiedDevice {
                address,
                descriptor,
                digital_id,
            });
        }
        Ok(devices)
    }

    /// A registration capture. Its hash chain continues from `request.previous_hash` (the
    /// registration's last link), or starts from SHA-256 of the empty string when there is
    /// none; the answer's last link comes back as [`CaptureResult::chain_hash`].
    pub fn capture(
        &self,
        device: &VerifiedDevice,
        request: &CaptureRequest,
        cancel: &CancelToken,
    ) -> Result<CaptureResult, DeviceError> {
        let previous_hash = &request.previous_hash.unwrap_or_else(hash_chain::genesis);
        if !device.descriptor.kind.can_capture(request.step) {
            return Err(DeviceError::UnsupportedStep(format!("{:?}", request.step)));
        }
        let body = rcapture_request(device, request, previous_hash, &self.config.env, self.now());
        let builder = self
            .request("RCAPTURE", device.address.port, "capture", &body)
            // The device may take the whole capture timeout; the answer gets a little more.
            .timeout(request.timeout + Duration::from_secs(10));
        let port = device.address.port;
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let answer = builder
                .send()
                .map_err(|e| unreachable(port, &e))
                .and_then(|response| read_json::<RCaptureResponse>(response, port));
            // The receiver is gone when the capture was cancelled; nothing is waiting then.
            let _ = sender.send(answer);
        });
        let response = loop {
            if cancel.is_cancelled() {
                return Err(DeviceError::Cancelled);
            }
            match receiver.recv_timeout(Duration::from_millis(50)) {
                Ok(answer) => break answer?,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(DeviceError::Protocol(
                        "the capture request ended without an answer".into(),
                    ))
                }
            }
        };
        let (captures, last_link) = self.check_capture(device, request, previous_hash, &response)?;
        Ok(CaptureResult {
            captures,
            device: device.descriptor.info.clone(),
            chain_hash: Some(last_link),
        })
    }

    /// The checks of a capture answer (see the module documentation), returning the captures
    /// and the chain's last link.
    pub fn check_capture(
        &self,
        device: &VerifiedDevice,
        request: &CaptureRequest,
        previous_hash: &[u8; 32],
        response: &RCaptureResponse,
    ) -> Result<(Vec<Capture>, [u8; 32]), DeviceError> {
        let now = self.now();
        let modality = request.step.modality();
        let expected = expected_positions(request);
        let mut previous = *previous_hash;
        let mut captures: Vec<Capture> = Vec::new();
        for entry in &response.biometrics {
            match entry.error.as_ref().map_or(Some(codes::SUCCESS), |e| e.code()) {
                Some(codes::SUCCESS) => {}
                Some(code) => {
                    let info = entry
                        .error
                        .as_ref()
                        .and_then(|e| e.error_info.clone())
                        .unwrap_or_default();
                    return Err(codes::sbi_error(code, &info));
                }
                None => return Err(DeviceError::Protocol("a capture's error code is not a number".into())),
            }
            let checked = self.policy.check(&entry.data, now)?;
            let data: CaptureData = parse_payload(&checked.payload, "capture data")?;

            let digital = self.policy.check(&data.digital_id, now)?;
            let digital_id: DigitalId = parse_payload(&digital.payload, "digital id")?;
            if digital_id.serial_no != device.digital_id.serial_no || digital_id.make != device.digital_id.make {
                return Err(DeviceError::SbiMismatch(format!(
                    "the capture was signed as device {} {}, not the {} {} asked",
                    digital_id.make, digital_id.serial_no, device.digital_id.make, device.digital_id.serial_no
                )));
            }
            if data.transaction_id != request.transaction_id {
                return Err(DeviceError::SbiMismatch(format!(
                    "it belongs to transaction {:?}, not {:?}",
                    data.transaction_id, request.transaction_id
                )));
            }
            let timestamp = OffsetDateTime::parse(data.timestamp.trim(), &Rfc3339).map_err(|_| {
                DeviceError::SbiMismatch(format!("its timestamp {:?} is not an ISO 8601 time", data.timestamp))
            })?;
            let skew = (timestamp - now).unsigned_abs();
            if skew > self.config.max_clock_skew {
                return Err(DeviceError::SbiMismatch(format!(
                    "its timestamp {} is {} s from the station's clock; check both clocks",
                    data.timestamp,
                    skew.as_secs()
                )));
            }
            if modality_from_bio_type(&data.bio_type) != Some(modality) {
                return Err(DeviceError::SbiMismatch(format!(
                    "it holds {:?} where {} was asked",
                    data.bio_type,
                    bio_type_name(modality)
                )));
            }
            let record = jws::base64url_decode(&data.bio_value)?;
            if record.is_empty() {
                return Err(DeviceError::SbiMismatch("a biometric holds no record".into()));
            }
            let link = hash_chain::next(&previous, &record);
            match hash_chain::from_hex(&entry.hash) {
                Some(received) if received == link && !entry.hash.trim().is_empty() => previous = link,
                _ => {
                    return Err(DeviceError::SbiMismatch(
                        "its hash chain is broken: a record was altered, removed or reordered".into(),
                    ))
                }
            }
            let position = match modality {
                Modality::Face => expected[0],
                _ => position_from_bio_sub_type(modality, &data.bio_sub_type).ok_or_else(|| {
                    DeviceError::SbiMismatch(format!("it names an unknown position {:?}", data.bio_sub_type))
                })?,
            };
            if !expected.contains(&position) || captures.iter().any(|c| c.position == position) {
                return Err(DeviceError::SbiMismatch(format!(
                    "it holds {} which was not asked for (or twice)",
                    data.bio_sub_type
                )));
            }
            let quality = data
                .quality_score
                .ok_or_else(|| DeviceError::Protocol("a capture has no qualityScore".into()))?;
            captures.push(Capture {
                position,
                data: CapturedData::IsoRecord(record),
                quality: quality.round().clamp(0.0, 100.0) as u8,
                quality_source: QualitySource::Device,
                signature: Some(entry.data.clone()),
            });
        }
        let missing: Vec<Position> = expected
            .iter()
            .copied()
            .filter(|p| !captures.iter().any(|c| c.position == *p))
            .collect();
        if !missing.is_empty() {
            return Err(DeviceError::SbiMismatch(format!(
                "it lacks {missing:?}, which were asked for"
            )));
        }
        Ok((captures, previous))
    }

    /// Live preview for `step` until `on_frame` breaks, `cancel` is set, or the stream ends.
    pub fn stream(
        &self,
        device: &VerifiedDevice,
        step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        let body = StreamRequest {
            device_type: Some(bio_type_name(step.modality()).into()),
            spec_version: Some(device.address.spec_version.clone()),
            device_id: device.address.device_id.clone(),
            serial_no: device.address.serial_no.clone(),
            device_sub_id: Some(step.sbi_device_sub_id().to_string()),
            timeout: None,
        };
        let port = device.address.port;
        let response = self
            .request("STREAM", port, "stream", &body)
            // A per-read limit: a stream that stops sending frames is a failed preview.
            .timeout(Duration::from_secs(30))
            .send()
            .map_err(|e| unreachable(port, &e))?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if content_type.starts_with("application/json") || !response.status().is_success() {
            let status = response.status();
            let answer: StreamErrorAnswer = read_json(response, port)
                .map_err(|_| DeviceError::Protocol(format!("the preview on port {port} failed with HTTP {status}")))?;
            let code = answer.error.code().unwrap_or(codes::SERVICE_CAPTURE_FAILED);
            return Err(codes::sbi_error(code, answer.error.error_info.as_deref().unwrap_or("")));
        }
        let mut frames = MultipartFrames::new(response, boundary_from_content_type(&content_type));
        while !cancel.is_cancelled() {
            let Some(frame) = frames.next_frame()? else {
                return Ok(());
            };
            if cancel.is_cancelled() || on_frame(frame).is_break() {
                break;
            }
        }
        // Dropping the response closes the connection, which ends the service's stream.
        Ok(())
    }
}

/// The positions an answer must hold: the step's minus the exceptions; for the exception photo,
/// the photo alone (its exceptions name the missing biometrics it documents).
fn expected_positions(request: &CaptureRequest) -> Vec<Position> {
    match request.step {
        CaptureStep::ExceptionPhoto => vec![Position::ExceptionPhoto],
        _ => request.expected_positions(),
    }
}

/// The `RCAPTURE` body for `request`.
pub fn rcapture_request(
    device: &VerifiedDevice,
    request: &CaptureRequest,
    previous_hash: &[u8; 32],
    env: &str,
    now: OffsetDateTime,
) -> RCaptureRequest {
    let modality = request.step.modality();
    let expected = expected_positions(request);
    let (bio_sub_type, exception) = match request.step {
        CaptureStep::Face => (Vec::new(), Vec::new()),
        // The exception photo documents the missing biometrics it names.
        CaptureStep::ExceptionPhoto => (
            Vec::new(),
            request.exceptions.iter().map(|p| p.mosip_name().to_string()).collect(),
        ),
        _ => (
            expected.iter().map(|p| p.mosip_name().to_string()).collect(),
            request.exceptions.iter().map(|p| p.mosip_name().to_string()).collect(),
        ),
    };
    RCaptureRequest {
        env: env.to_string(),
        purpose: "Registration".into(),
        spec_version: device.address.spec_version.clone(),
        timeout: Some(u64::try_from(request.timeout.as_millis()).unwrap_or(u64::MAX)),
        capture_time: now.format(&Rfc3339).ok(),
        transaction_id: request.transaction_id.clone(),
        bio: vec![BioRequest {
            bio_type: bio_type_name(modality).into(),
            count: Some(expected.len() as u64),
            bio_sub_type,
            exception,
            requested_score: Some(f64::from(request.requested_quality)),
            device_id: device.address.device_id.clone(),
            serial_no: device.address.serial_no.clone(),
            device_sub_id: Some(request.step.sbi_device_sub_id().to_string()),
            previous_hash: Some(hash_chain::to_hex(previous_hash)),
        }],
        custom_opts: None,
    }
}

/// The kind of device a digital id describes.
pub fn device_kind(digital_id: &DigitalId) -> Option<DeviceKind> {
    let sub_type = digital_id.device_sub_type.trim().to_ascii_lowercase();
    match modality_from_bio_type(&digital_id.device_type)? {
        Modality::Finger if sub_type == "slap" => Some(DeviceKind::FingerSlap),
        Modality::Finger if sub_type == "single" || sub_type == "touchless" => Some(DeviceKind::FingerSingle),
        Modality::Iris if sub_type == "double" => Some(DeviceKind::IrisDouble),
        Modality::Iris if sub_type == "single" => Some(DeviceKind::IrisSingle),
        Modality::Face => Some(DeviceKind::Face),
        _ => None,
    }
}

fn device_status(text: &str) -> DeviceStatus {
    match text.trim().to_ascii_lowercase().as_str() {
        "ready" => DeviceStatus::Ready,
        "busy" => DeviceStatus::Busy,
        "not registered" => DeviceStatus::NotRegistered,
        _ => DeviceStatus::NotReady,
    }
}

fn unreachable(port: u16, error: &reqwest::Error) -> DeviceError {
    if error.is_timeout() {
        return DeviceError::NotConnected(format!("device service on port {port} (it did not answer in time)"));
    }
    DeviceError::NotConnected(format!("device service on port {port} ({error})"))
}

/// No SBI answer is this big (a slap of four JPEG 2000 records is a few MiB).
const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;

fn read_json<T: DeserializeOwned>(response: Response, port: u16) -> Result<T, DeviceError> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(response, MAX_ANSWER_BYTES + 1), &mut bytes)
        .map_err(|e| DeviceError::NotConnected(format!("device service on port {port} (reading failed: {e})")))?;
    if bytes.len() as u64 > MAX_ANSWER_BYTES {
        return Err(DeviceError::Protocol(format!(
            "the service on port {port} answered more than any SBI answer"
        )));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| DeviceError::Protocol(format!("the service on port {port} answered JSON that is not SBI: {e}")))
}

fn parse_payload<T: DeserializeOwned>(payload: &[u8], what: &str) -> Result<T, DeviceError> {
    serde_json::from_slice(payload).map_err(|e| DeviceError::Protocol(format!("the signed {what} is not valid: {e}")))
}
