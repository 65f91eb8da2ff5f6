//! Biometric capture on the station: the clerk takes each step of the capture policy (slaps,
//! thumbs, irises, face) from whichever device can, retries while quality is short, records
//! missing or unusable fingers and eyes as exceptions with a photo, and a supervisor signs off
//! a step that stays under the threshold after the last attempt.
//!
//! - [`draft`]: what a draft keeps and the policy's rules over it (pure, tested there).
//! - [`devices`]: the backends and which device takes a step.
//! - [`views`]: what the window is shown.
//! - [`live`]: the live preview of a step, one at a time, stopped by any capture.
//!
//! Every call checks the signed-in operator and the registration's state here, whatever the
//! window shows. A capture does not hold the vault while the device works (a capture can take
//! seconds; autosave and other screens go on).

pub mod devices;
pub mod draft;
pub(crate) mod encoder;
pub mod live;
mod operator_fingers;
pub(crate) mod policy_in_force;
mod preview;
pub(crate) mod records;
pub(crate) mod review_memo;
mod views;

pub use devices::{DeviceRegistry, DeviceSettings, SbiSettings};
pub use draft::{BiometricsDraft, ExceptionKindName};
/// The names the biometrics calls take, re-exported so that callers need no device crate.
pub use enroll_devices::Position;
pub use enroll_schemas::PolicyStep;
pub use live::{FrameSink, LivePreviewView, PreviewFrameView};
pub use operator_fingers::MyFingerprintsView;
pub use views::{BiometricsView, DeviceListView, ExceptionView, PositionStateName, PositionView, StepView};

use std::sync::Arc;

use base64::Engine as _;
use enroll_devices::{CancelToken, CaptureRequest, CapturedData, QualitySource};
use enroll_schemas::ForceCapture;
use enroll_store::{NewAuditEvent, RegistrationState, Role};

use crate::content::Draft;
use crate::{rfc3339, PermissionRule, Station, StationError};
use draft::{StoredCapture, StoredData, StoredException};

/// Longest exception reason kept (it goes into the packet).
const MAX_REASON_CHARS: usize = 200;

impl Station {
    /// Capture with these device backends from now on (simulated devices, SBI services, USB).
    pub fn use_device_backends(&self, backends: Vec<std::sync::Arc<dyn enroll_devices::DeviceBackend>>) {
        self.devices.set_backends(backends);
    }

    /// This capture policy instead of the embedded default (country configuration, tests),
    /// with the thresholds the station chose, where it allows them.
    pub fn with_capture_policy(self, policy: enroll_schemas::CapturePolicy) -> Station {
        let chosen = self.chosen_quality_thresholds();
        self.capture_policies.configure(policy, chosen);
        self
    }

    /// The capture policy in force: the configured one with the station's chosen thresholds.
    pub fn capture_policy(&self) -> Arc<enroll_schemas::CapturePolicy> {
        self.capture_policies.in_force()
    }

    /// The devices the station can capture with, as last discovered.
    pub fn devices(&self) -> Result<Vec<DeviceListView>, StationError> {
        self.signed_in()?;
        Ok(self.devices.descriptors().iter().map(DeviceListView::from).collect())
    }

    /// Discover devices again (a scanner was plugged in, a device service started).
    pub fn refresh_devices(&self) -> Result<Vec<DeviceListView>, StationError> {
        self.signed_in()?;
        self.devices.refresh();
        self.devices()
    }

    /// Where a registration's biometrics stand against the capture policy: a draft's as the
    /// clerk takes them, a pending registration's as finalized (for the supervisor's review).
    pub fn biometrics(&self, registration_id: &str) -> Result<BiometricsView, StationError> {
        Ok(self.biometrics_view(&*self.readable_biometrics(registration_id)?))
    }

    /// The kept image of one position (or of the exception photo), ready to show, with its
    /// quality and device.
    pub fn biometric_preview(
        &self,
        registration_id: &str,
        position: Position,
    ) -> Result<crate::CaptureView, StationError> {
        let biometrics = self.readable_biometrics(registration_id)?;
        let capture = match position {
            Position::ExceptionPhoto => biometrics.exception_photo.as_ref(),
            other => biometrics.captures.get(&other),
        }
        .ok_or_else(|| StationError::NotFound(format!("capture of {position:?} in {registration_id}")))?;
        Ok(crate::CaptureView {
            preview_data_url: format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD
                    .encode(preview::png_of(capture, preview::max_side(position))?)
            ),
            quality: capture.quality,
            device: crate::DeviceView {
                make: capture.device.make.clone(),
                model: capture.device.model.clone(),
                serial: capture.device.serial.clone(),
                simulated: capture.device.simulated,
            },
        })
    }

    /// Take one attempt at `step` with the device that can, and keep the best capture per
    /// position. Positions marked as exceptions are not asked for.
    pub fn capture_biometrics(&self, registration_id: &str, step: PolicyStep) -> Result<BiometricsView, StationError> {
        self.policy_step(step)?;
        // Check the draft before asking the device, so a wrong id costs no capture.
        let before = self.draft_for_biometrics(registration_id)?;
        if !before.biometrics.steps(&self.capture_policy()).contains(&step) {
            return Err(StationError::InvalidInput(format!(
                "{step:?} is not taken by this registration's process"
            )));
        }
        let device_step = draft::capture_step(step);
        let exceptions = before.biometrics.excepted_in(step);
        let request = CaptureRequest {
            step: device_step,
            exceptions: exceptions.clone(),
            requested_quality: self.capture_policy().threshold(step),
            timeout: std::time::Duration::from_secs(self.capture_policy().capture_timeout_seconds.into()),
            transaction_id: uuid_like(),
            previous_hash: before.biometrics.chain_link()?,
            subject: Default::default(),
        };
        let expected = request.expected_positions();
        if expected.is_empty() {
            return Err(StationError::InvalidInput(format!(
                "every position of {step:?} is recorded as an exception: nothing to capture"
            )));
        }
        let device = self
            .devices
            .for_step(device_step)
            .ok_or_else(|| StationError::NoDevice { step: step_name(step) })?;
        // The device is the capture's now; the preview is not waited for (see `live`).
        self.live.stop();
        let mut result = device.capture(&request, &CancelToken::new())?;
        result.captures = segment_if_whole_slap(&request, result.captures)?;
        let captured_at = rfc3339((self.clock)());
        let mut kept = Vec::new();
        for capture in result.captures {
            if !expected.contains(&capture.position) {
                return Err(enroll_devices::DeviceError::Protocol(format!(
                    "asked for {expected:?}, the device returned {:?}",
                    capture.position
                ))
                .into());
            }
            let (data, quality) =
                stored_data(&capture.data, capture.quality, capture.quality_source, capture.position)?;
            kept.push((
                capture.position,
                StoredCapture {
                    data,
                    quality,
                    quality_source: capture.quality_source,
                    device: result.device.clone(),
                    signature: capture.signature,
                    captured_at: captured_at.clone(),
                    attempt: 0,
                },
            ));
        }
        let mut kept_now = Vec::new();
        let view = self.update_biometrics(registration_id, |biometrics| {
            let attempt = biometrics.record_attempt(step, kept);
            tracing::info!(registration_id, ?step, attempt, "biometric capture");
            biometrics.continue_chain(result.chain_hash);
            kept_now = expected
                .iter()
                .filter_map(|p| {
                    let kept = biometrics.captures.get(p).filter(|c| c.attempt == attempt)?;
                    Some((*p, kept.clone()))
                })
                .collect();
            Ok(())
        })?;
        self.encode_in_background(kept_now);
        Ok(view)
    }

    /// Start wrapping the pixel captures just kept into their records (see [`encoder`]).
    fn encode_in_background(&self, captures: Vec<(Position, StoredCapture)>) {
        let mut jobs = Vec::new();
        for (position, capture) in captures {
            if let StoredData::Image { png, ppi, .. } = &capture.data {
                let Ok(png) = draft::decode_stored(png) else {
                    continue;
                };
                match records::job_for(position, png, *ppi, &capture) {
                    Ok(job) => jobs.push(job),
                    Err(error) => tracing::warn!(%error, "a capture cannot be queued for encoding"),
                }
            }
        }
        self.record_encoder.start(jobs);
    }

    /// Record a finger or an eye as missing or unusable, with the reason. It is not captured,
    /// and the packet says why.
    pub fn mark_biometric_exception(
        &self,
        registration_id: &str,
        position: Position,
        kind: ExceptionKindName,
        reason: &str,
    ) -> Result<BiometricsView, StationError> {
        let (operator, _) = self.signed_in()?;
        let step = draft::step_of(&self.capture_policy(), position)
            .filter(|step| *step != PolicyStep::Face)
            .ok_or_else(|| {
                StationError::InvalidInput(format!("{position:?} is not a finger or eye this policy captures"))
            })?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(StationError::ValidationFailed(vec![crate::FieldError {
                field: "reason".into(),
                language: None,
                code: if reason.is_empty() { "required" } else { "too_long" }.into(),
                message: format!("give the reason in 1 to {MAX_REASON_CHARS} characters"),
            }]));
        }
        let now = rfc3339((self.clock)());
        let exception = StoredException {
            kind,
            reason: reason.to_string(),
            marked_by: operator.username.clone(),
            marked_at: now.clone(),
        };
        let view = self.update_biometrics(registration_id, |biometrics| {
            biometrics.mark_exception(position, exception);
            Ok(())
        })?;
        self.vault().record_audit(&NewAuditEvent {
            at: &now,
            actor: None,
            action: "biometric_exception_marked",
            registration_id: Some(registration_id),
            details: &format!("{} {:?} ({step:?})", draft::position_key(position), kind),
        })?;
        Ok(view)
    }

    /// Withdraw an exception: the position must be captured again.
    pub fn clear_biometric_exception(
        &self,
        registration_id: &str,
        position: Position,
    ) -> Result<BiometricsView, StationError> {
        self.update_biometrics(registration_id, |biometrics| {
            biometrics.clear_exception(position);
            Ok(())
        })
    }

    /// Take the photo that documents the exceptions, with the face camera.
    pub fn capture_exception_photo(&self, registration_id: &str) -> Result<BiometricsView, StationError> {
        let before = self.draft_for_biometrics(registration_id)?;
        if before.biometrics.exceptions.is_empty() {
            return Err(StationError::InvalidInput(
                "an exception photo documents an exception: record one first".into(),
            ));
        }
        let step = enroll_devices::CaptureStep::ExceptionPhoto;
        let device = self.devices.for_step(step).ok_or_else(|| StationError::NoDevice {
            step: "exceptionPhoto".into(),
        })?;
        let request = CaptureRequest {
            step,
            exceptions: Vec::new(),
            requested_quality: 0,
            timeout: std::time::Duration::from_secs(self.capture_policy().capture_timeout_seconds.into()),
            transaction_id: uuid_like(),
            previous_hash: before.biometrics.chain_link()?,
            subject: Default::default(),
        };
        self.live.stop();
        let result = device.capture(&request, &CancelToken::new())?;
        let chain_hash = result.chain_hash;
        let capture = result.captures.into_iter().next().ok_or_else(|| {
            enroll_devices::DeviceError::Protocol("the exception photo capture returned no image".into())
        })?;
        let (data, quality) = stored_data(&capture.data, capture.quality, capture.quality_source, capture.position)?;
        let photo = StoredCapture {
            data,
            quality,
            quality_source: capture.quality_source,
            device: result.device,
            signature: capture.signature,
            captured_at: rfc3339((self.clock)()),
            attempt: 1,
        };
        let view = self.update_biometrics(registration_id, |biometrics| {
            biometrics.exception_photo = Some(photo.clone());
            biometrics.continue_chain(chain_hash);
            Ok(())
        })?;
        self.encode_in_background(vec![(Position::ExceptionPhoto, photo)]);
        Ok(view)
    }

    /// A supervisor's sign-off of `step` as it is, after its last attempt stayed under the
    /// threshold. The supervisor types their own username and password on the clerk's screen;
    /// the session stays the clerk's. Wrong passwords count towards the supervisor's lockout.
    pub fn force_capture(
        &self,
        registration_id: &str,
        step: PolicyStep,
        supervisor: &str,
        password: &str,
    ) -> Result<BiometricsView, StationError> {
        self.policy_step(step)?;
        let (clerk, _) = self.signed_in()?;
        let draft = self.draft_for_biometrics(registration_id)?;
        if self.capture_policy().force_capture == ForceCapture::Never {
            return Err(StationError::ForceCaptureNotAllowed {
                step: step_name(step),
                why: "this country's policy never allows it".into(),
            });
        }
        if !draft.biometrics.may_force(&self.capture_policy(), step) {
            return Err(StationError::ForceCaptureNotAllowed {
                step: step_name(step),
                why: format!(
                    "{} of {} attempts used, or nothing under the threshold, or already signed off",
                    draft.biometrics.attempts(step),
                    self.capture_policy().attempts
                ),
            });
        }
        let supervisor = supervisor.trim();
        if supervisor.is_empty() || password.is_empty() {
            return Err(StationError::WrongCredentials);
        }
        let now = (self.clock)();
        let signer = {
            let mut vault = self.vault();
            let (signer, _) = self.check_credentials(&mut vault, supervisor, password, now)?;
            signer
        };
        let creator = self.vault().registration(registration_id)?.created_by;
        if signer.role == Role::Officer || signer.username == clerk.username || signer.username == creator {
            return Err(StationError::not_permitted(
                PermissionRule::SignOffNeedsSupervisor,
                format!(
                    "force capture of {step:?} on {registration_id} signed by {}",
                    signer.username
                ),
            ));
        }
        let at = rfc3339(now);
        let view = self.update_biometrics(registration_id, |biometrics| {
            biometrics.forced.insert(
                step,
                draft::SignOff {
                    supervisor: signer.username.clone(),
                    at: at.clone(),
                },
            );
            Ok(())
        })?;
        self.vault().record_audit(&NewAuditEvent {
            at: &at,
            actor: None,
            action: "force_capture_signed_off",
            registration_id: Some(registration_id),
            details: &format!("{step:?} signed off by {}", signer.username),
        })?;
        tracing::info!(registration_id, ?step, supervisor = %signer.username, "force capture signed off");
        Ok(view)
    }

    // ---- internals ----

    fn policy_step(&self, step: PolicyStep) -> Result<(), StationError> {
        if self.capture_policy().steps.contains(&step) {
            Ok(())
        } else {
            Err(StationError::InvalidInput(format!(
                "{step:?} is not a step of this capture policy"
            )))
        }
    }

    /// A draft's biometrics, or those a pending registration's packet holds; nothing once the
    /// station can no longer read the registration.
    fn readable_biometrics(&self, registration_id: &str) -> Result<Arc<BiometricsDraft>, StationError> {
        let (_, data_key) = self.signed_in()?;
        let vault = self.vault();
        let row = vault.registration(registration_id)?;
        let pending = match row.state {
            RegistrationState::Draft => false,
            RegistrationState::PendingApproval => true,
            _ => return Err(crate::invalid_state(&row)),
        };
        if pending {
            if let Some(biometrics) = self.review_memo.get(registration_id) {
                return Ok(biometrics);
            }
        }
        if !pending {
            let draft = self.current_draft(&vault, registration_id, &data_key)?;
            drop(vault);
            return Ok(Arc::new(draft.biometrics.clone()));
        }
        let container = crate::content::read_pending(&vault, registration_id, &data_key)?;
        drop(vault);
        let (contents, _) = enroll_packet::PacketContents::from_bytes(&container)?;
        let policy = self.capture_policy();
        let mut biometrics = records::from_packet(&policy, &contents);
        // Only what the packet's process took: an update of the phone shows its face alone,
        // not the fingers and irises it never asked for as "not captured".
        biometrics.only_steps =
            self.packet_biometric_steps(contents.meta.process.as_ref(), || biometrics.steps_held(&policy));
        let biometrics = Arc::new(biometrics);
        self.review_memo.keep(registration_id, Arc::clone(&biometrics));
        Ok(biometrics)
    }

    /// The draft (`invalid_state` for a registration past it: `current_draft` checks).
    fn draft_for_biometrics(&self, registration_id: &str) -> Result<Arc<Draft>, StationError> {
        let (_, data_key) = self.signed_in()?;
        let vault = self.vault();
        self.current_draft(&vault, registration_id, &data_key)
    }

    /// Read the draft, change its biometrics, write it back, all under the vault lock.
    fn update_biometrics(
        &self,
        registration_id: &str,
        change: impl FnOnce(&mut BiometricsDraft) -> Result<(), StationError>,
    ) -> Result<BiometricsView, StationError> {
        let (_, data_key) = self.signed_in()?;
        let now = rfc3339((self.clock)());
        let mut vault = self.vault();
        // `current_draft` refuses a registration past its draft.
        let mut draft = Draft::clone(&*self.current_draft(&vault, registration_id, &data_key)?);
        change(&mut draft.biometrics)?;
        let draft = self.write_draft(&mut vault, registration_id, draft, &data_key, &now)?;
        drop(vault);
        Ok(self.biometrics_view(&draft.biometrics))
    }

    fn biometrics_view(&self, biometrics: &BiometricsDraft) -> BiometricsView {
        views::biometrics_view(&self.capture_policy(), biometrics, |step| {
            self.devices
                .for_step(draft::capture_step(step))
                .map(|device| DeviceListView::from(&device.descriptor()))
        })
    }
}

/// A slap scanner that returns only the whole slap (one image where several fingers were asked
/// for) leaves the cutting to the station: the fingertips are segmented and named here, each
/// scored by the station.
fn segment_if_whole_slap(
    request: &CaptureRequest,
    captures: Vec<enroll_devices::Capture>,
) -> Result<Vec<enroll_devices::Capture>, StationError> {
    let expected = request.expected_positions();
    let whole_slap = expected.len() > 1
        && captures.len() == 1
        && matches!(captures[0].data, CapturedData::Image { .. })
        && enroll_devices::segment::image_order(request.step).is_some();
    if !whole_slap {
        return Ok(captures);
    }
    let Some(slap) = captures.into_iter().next() else {
        return Ok(Vec::new());
    };
    let CapturedData::Image { image, ppi } = slap.data else {
        return Err(StationError::Internal("a whole slap that is not pixels".into()));
    };
    let segments = enroll_devices::segment::segment_slap(&image, ppi, request.step, &request.exceptions)?;
    Ok(segments
        .into_iter()
        .map(|segment| enroll_devices::Capture {
            position: segment.position,
            quality: 0,
            quality_source: QualitySource::Station,
            data: CapturedData::Image {
                image: segment.image,
                ppi,
            },
            // The device signed the slap, not the cuts: no signature travels with a fingertip.
            signature: None,
        })
        .collect())
}

/// A step's name as the window and the log spell it (`leftSlap`).
fn step_name(step: PolicyStep) -> String {
    draft::serde_name(step)
}

/// What to keep of a capture, and its quality: a device's record as it is; pixels as PNG
/// (wrapped into a record at finalize), scored by the station when the device gave no score.
fn stored_data(
    data: &CapturedData,
    quality: u8,
    source: QualitySource,
    position: Position,
) -> Result<(StoredData, u8), StationError> {
    let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    match data {
        CapturedData::IsoRecord(record) => {
            // Read it now: a record the station cannot read is refused at capture, while the
            // clerk can still retry, not at finalize.
            enroll_devices::iso19794::Iso19794Record::parse(record)?;
            Ok((StoredData::IsoRecord { record: encode(record) }, quality))
        }
        CapturedData::Image { image, ppi } => {
            let quality = match source {
                QualitySource::Device => quality,
                QualitySource::Station => enroll_devices::quality::score(position, image, *ppi),
            };
            let mut png = Vec::new();
            image
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .map_err(|e| StationError::Internal(format!("encoding a capture as PNG: {e}")))?;
            Ok((
                StoredData::Image {
                    png_sha256: Some(hex::encode(encoder::key_of(&png))),
                    png: encode(&png),
                    ppi: *ppi,
                },
                quality,
            ))
        }
    }
}

/// A random transaction id (SBI echoes it in its signed answer).
pub(crate) fn uuid_like() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}
