//! The enrollment station's application API: the one surface that the desktop app
//! (`src-tauri`), the CLI and the tests call, so that a flow works the same from each.
//!
//! A [`Station`] owns the vault, the configured form, the capture devices and the intake
//! address, and holds the signed-in operator. Every method checks the operator's role here, in
//! Rust, whatever the UI shows. Errors are [`StationError`]s with stable codes.
//!
//! Deliberately absent: windows, IPC and rendering (that is `src-tauri` and `ui/`), SQL (that
//! is `store`), bytes and ciphers (that is `packet`), HTTP (that is `sync`).

mod audit;
pub mod biometrics;
mod content;
mod error;
pub mod home;
mod operators;
pub mod packaging;
pub mod policy;
pub mod private_files;
mod registration_id;
mod review;
mod session;
mod setup;
mod sync_queue;
#[cfg(test)]
mod test_support;
mod views;

pub use audit::{check_vault, verify_audit_chain, AuditVerification, VaultCheck};
/// Which biometrics a registration takes (country configuration; see `with_capture_policy`).
pub use enroll_schemas::CapturePolicy;
pub use error::{ErrorCode, ErrorParam, ErrorView, FieldError, PermissionRule, StationError};
pub use policy::{PolicyLimits, PolicyRequest, PolicyView};
pub use registration_id::{registration_id, verhoeff_check_digit, verhoeff_is_valid};
pub use session::{SessionState, SessionView, StationPolicy};
pub use views::*;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use enroll_devices::{FaceCamera, SimulatedFaceCamera};
use enroll_packet::{BiometricRecord, DeviceIdentity, PacketContents, PacketMeta, StationSigningKey};
use enroll_schemas::{CalendarDate, Form};
use enroll_store::{DataKey, Operator, RegistrationRow, RegistrationState, Role, Vault};
use time::OffsetDateTime;

use content::{Draft, FaceCaptured};
use session::Session;

/// The name of the vault file inside the data folder.
pub const VAULT_FILE: &str = "vault.sqlite";

/// The name of the station's log file inside the data folder (the app writes its log there; it
/// never holds resident data: see `tests/station/marker.rs`).
pub const LOG_FILE: &str = "station.log";

/// Where the station keeps its data and whom it talks to.
#[derive(Debug, Clone)]
pub struct StationConfig {
    /// The folder holding the vault (the platform's app-data folder in the app).
    pub data_dir: PathBuf,
    /// Base URL of the intake, e.g. `http://127.0.0.1:8470`.
    pub intake_url: String,
}

/// What time it is. Passed in so that tests can fix it.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The application API. `Send + Sync`: share it in an `Arc`.
pub struct Station {
    config: StationConfig,
    vault: Mutex<Vault>,
    session: Mutex<Option<Session>>,
    /// The current policy: the base with the admin's stored choices on top (see [`policy`]).
    policy: policy::PolicySlot,
    form: Form,
    /// The ID schema's `idVersion`, which every packet records as `IDSchemaVersion`.
    id_schema_version: f64,
    camera: Box<dyn FaceCamera>,
    /// The biometric devices and which takes each step.
    devices: biometrics::DeviceRegistry,
    /// Captured pixels being wrapped into records while the clerk goes on.
    record_encoder: biometrics::encoder::RecordEncoder,
    /// The one live preview that may stream to the window.
    live: biometrics::live::LivePreviews,
    /// Which biometrics a registration takes and how good they must be.
    capture_policy: enroll_schemas::CapturePolicy,
    clock: Clock,
}

impl Station {
    /// Open (or create) the station at `config.data_dir` with the embedded form, the simulated
    /// camera and the system clock. Fast: no network, no key derivation.
    pub fn open(config: StationConfig) -> Result<Station, StationError> {
        let camera = SimulatedFaceCamera::new("SIM-FACE-0001", rand::random());
        Station::open_with(config, Box::new(camera), Arc::new(OffsetDateTime::now_utc))
    }

    /// [`Station::open`] with a chosen camera and clock.
    pub fn open_with(
        config: StationConfig,
        camera: Box<dyn FaceCamera>,
        clock: Clock,
    ) -> Result<Station, StationError> {
        private_files::open_data_folder(&config.data_dir).map_err(|e| {
            StationError::Config(format!(
                "cannot create the data folder {}: {e}",
                config.data_dir.display()
            ))
        })?;
        let vault = Vault::open(&config.data_dir.join(VAULT_FILE))?;
        // One row by its key: opening stays fast.
        let stored_policy = vault.station_policy()?;
        let form = enroll_schemas::default_form().map_err(|e| StationError::Config(e.to_string()))?;
        let id_schema_version = form.id_schema_version().ok_or_else(|| {
            StationError::Config(
                "the ID schema does not state its version (a top-level `idVersion`); packets must record it".into(),
            )
        })?;
        Ok(Station {
            config,
            vault: Mutex::new(vault),
            session: Mutex::new(None),
            policy: policy::PolicySlot::new(StationPolicy::default(), stored_policy),
            form,
            id_schema_version,
            camera,
            devices: biometrics::DeviceRegistry::new(biometrics::DeviceSettings::default().backends()?),
            record_encoder: Default::default(),
            live: Default::default(),
            capture_policy: enroll_schemas::CapturePolicy::default_policy(),
            clock,
        })
    }

    /// What the first screen needs: set up or log in, who is signed in, what devices are.
    pub fn status(&self) -> Result<StationStatus, StationError> {
        let station = self.vault().station()?;
        // Each read takes the session lock on its own: a guard held across both would deadlock.
        let operator = self.session().as_ref().map(|s| operator_view(&s.operator));
        let session_locked = self.session_is_locked();
        Ok(StationStatus {
            needs_setup: station.is_none(),
            station_id: station.as_ref().map(|s| s.station_id.clone()),
            station_name: station.as_ref().map(|s| s.name.clone()),
            intake_url: station
                .map(|s| s.intake_url)
                .unwrap_or_else(|| self.config.intake_url.clone()),
            operator,
            session_locked,
            simulated_devices: self.camera.info().simulated,
        })
    }

    /// First run: see [`setup`].
    pub async fn set_up(&self, request: SetupRequest) -> Result<StationStatus, StationError> {
        setup::set_up(self, request).await?;
        self.status()
    }

    /// The same station with another base security and retention policy (see
    /// [`StationPolicy`]). What an admin stored with [`Station::set_policy`] (idle lock,
    /// retention) still applies on top of it; the base holds whatever they have not chosen.
    /// For tests only (short lockouts, a fake clock's retention): the app has no base but the
    /// built-in one, so this is behind the `test-support` feature.
    #[cfg(any(test, feature = "test-support"))]
    pub fn with_policy(self, policy: StationPolicy) -> Station {
        self.policy.set_base(policy);
        self
    }

    /// Add an operator (admins only). Their keyslot wraps the same data key.
    pub fn add_operator(&self, request: NewOperatorRequest) -> Result<OperatorView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        if operator.role != Role::Admin {
            return Err(StationError::not_permitted(PermissionRule::AdminOnly, "add operators"));
        }
        let role = Role::from(request.role);
        setup::check_operator(&request.username, &request.full_name, &request.password)?;
        let new = enroll_store::NewOperator {
            username: request.username.trim().to_string(),
            full_name: request.full_name.trim().to_string(),
            role,
            password: zeroize::Zeroizing::new(request.password),
        };
        self.vault().add_operator(&new, &data_key, &rfc3339((self.clock)()))?;
        tracing::info!(username = %new.username, role = role.as_str(), by = %operator.username, "operator added");
        Ok(OperatorView {
            username: new.username,
            full_name: new.full_name,
            role: role.into(),
        })
    }

    /// The demographic form to render, from the configured ID schema and UI spec.
    pub fn form(&self) -> FormSpec {
        self.form.spec().clone()
    }

    /// Start a registration: a draft with a fresh registration id.
    pub fn new_registration(&self) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let now = (self.clock)();
        let mut vault = self.vault();
        let station = vault.station()?.ok_or(StationError::NotSetUp)?;
        let sequence = vault.take_registration_sequence()?;
        let id = registration_id(&station.center_id, &station.station_id, sequence, now);
        let draft = Draft {
            identity: serde_json::json!({}),
            ..Draft::default()
        };
        vault.insert_draft(&id, &operator.username, &draft.to_bytes(), &data_key, &rfc3339(now))?;
        drop(vault);
        self.registration(&id)
    }

    /// Autosave the draft's identity document: shape checks only, a draft may be incomplete.
    pub fn save_draft(
        &self,
        registration_id: &str,
        identity: serde_json::Value,
    ) -> Result<RegistrationView, StationError> {
        let (_, data_key) = self.signed_in()?;
        self.form
            .check_draft(&identity)
            .map_err(StationError::ValidationFailed)?;
        let now = rfc3339((self.clock)());
        {
            let mut vault = self.vault();
            let mut draft = Draft::from_bytes(&self.readable_content(&vault, registration_id, &data_key)?)?;
            draft.identity = identity;
            vault.update_draft(registration_id, &draft.to_bytes(), &data_key, &now)?;
        }
        self.registration(registration_id)
    }

    /// Capture the face with the station's camera and attach it to the draft.
    pub fn capture_face(&self, registration_id: &str) -> Result<CaptureView, StationError> {
        let (_, data_key) = self.signed_in()?;
        // Check the draft before asking the camera, so a wrong id costs no capture.
        self.expect_state(registration_id, RegistrationState::Draft)?;
        self.live.stop();
        let capture = self.camera.capture()?;
        let info = self.camera.info();
        let face = FaceCaptured {
            png: base64::engine::general_purpose::STANDARD.encode(&capture.png),
            quality: capture.quality,
            device: DeviceIdentity {
                make: info.make,
                model: info.model,
                serial: info.serial,
                simulated: info.simulated,
            },
            captured_at: Some(rfc3339((self.clock)())),
        };
        let now = rfc3339((self.clock)());
        let mut vault = self.vault();
        let mut draft = Draft::from_bytes(&self.readable_content(&vault, registration_id, &data_key)?)?;
        draft.face = Some(face.clone());
        vault.update_draft(registration_id, &draft.to_bytes(), &data_key, &now)?;
        Ok(capture_view(&face))
    }

    /// Validate the draft fully and move it to pending approval: the packet is built and
    /// signed by the station key.
    pub fn finalize(&self, registration_id: &str) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let now = (self.clock)();
        let today = CalendarDate {
            year: now.year(),
            month: u8::from(now.month()),
            day: now.day(),
        };
        {
            let mut vault = self.vault();
            let row = vault.registration(registration_id)?;
            if row.state != RegistrationState::Draft {
                return Err(invalid_state(&row));
            }
            let draft = Draft::from_bytes(&self.readable_content(&vault, registration_id, &data_key)?)?;
            let mut problems = self.form.validate(&draft.identity, today).err().unwrap_or_default();
            if draft.face.is_none() {
                problems.push(FieldError {
                    field: "face".into(),
                    language: None,
                    code: "required".into(),
                    message: "capture the face before finalizing".into(),
                });
            }
            // The biometrics the capture policy asks for: each position captured at its
            // threshold, signed off, or recorded as an exception with its photo.
            problems.extend(
                draft
                    .biometrics
                    .problems(&self.capture_policy, biometrics::OWN_PATH)
                    .into_iter()
                    .map(|(field, code)| FieldError {
                        message: match code {
                            "below_threshold" => "under the quality threshold and not signed off by a supervisor",
                            _ => "capture it or record it as an exception",
                        }
                        .into(),
                        field,
                        language: None,
                        code: code.into(),
                    }),
            );
            let face = match (problems.is_empty(), draft.face) {
                (true, Some(face)) => face,
                _ => return Err(StationError::ValidationFailed(problems)),
            };
            let station = vault.station()?.ok_or(StationError::NotSetUp)?;
            let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(&data_key)?);
            let mut identity = draft.identity;
            identity[enroll_schemas::form::ID_SCHEMA_VERSION_FIELD] = serde_json::json!(self.id_schema_version);
            // The face travels as an ISO/IEC 19794-5 record (image data type PNG) in the
            // packet's CBEFF biometrics.
            // The station wrote this time at capture; one that does not read back is a damaged
            // draft, refused rather than replaced by "now" (the packet would lie about it).
            let captured_at = face.captured_at.clone().unwrap_or_else(|| rfc3339(now));
            let captured_time = OffsetDateTime::parse(&captured_at, &time::format_description::well_known::Rfc3339)
                .map_err(|_| StationError::corrupt(format!("the face capture time {captured_at:?} does not parse")))?;
            // The registration screen's view after finalize, from what is in hand: reading back
            // the packet just stored would decrypt and parse megabytes of records for a name
            // and a face (a fifth of finalize's time in `make bench`).
            let face_view = capture_view(&face);
            let png = face.png_bytes()?;
            let face_record =
                enroll_devices::iso19794::write_face_record(&enroll_devices::iso19794::FaceRecordInput {
                    png: &png,
                    captured_at: content::iso_capture_time(captured_time),
                    device: enroll_devices::iso19794::CaptureDevice::default(),
                    quality: enroll_devices::iso19794::QualityBlock {
                        score: face.quality,
                        algorithm_vendor_id: 0,
                        algorithm_id: 0,
                    },
                    colour_space: 0,
                })?;
            // The face keeps its own path until the face step moves to the capture model; the
            // fingers, irises, exceptions and exception photo come from the biometrics draft.
            let captured =
                biometrics::records::packet_biometrics(&self.capture_policy, &draft.biometrics, &self.record_encoder)?;
            let mut devices = vec![face.device.clone()];
            devices.extend(captured.devices.into_iter().filter(|d| *d != face.device));
            let contents = PacketContents {
                identity,
                exceptions: captured.exceptions,
                biometrics: std::iter::once(BiometricRecord {
                    modality: enroll_packet::Modality::Face,
                    position: String::new(),
                    quality: face.quality,
                    retries: 0,
                    force_captured: false,
                    captured_at,
                    device: face.device.clone(),
                    device_digital_id: None,
                    device_signature: None,
                    data: face_record,
                })
                .chain(captured.records)
                .collect(),
                meta: PacketMeta {
                    registration_id: registration_id.to_string(),
                    station_id: station.station_id.clone(),
                    station_public_key: base64::engine::general_purpose::STANDARD.encode(signing_key.public_key()),
                    center_id: station.center_id.clone(),
                    officer: row.created_by.clone(),
                    devices,
                    created_at: row.created_at.clone(),
                    finalized_at: Some(rfc3339(now)),
                    software_version: env!("CARGO_PKG_VERSION").to_string(),
                    ..PacketMeta::default()
                },
                ..PacketContents::default()
            };
            let identity_view = contents.identity.clone();
            packaging::store_finalized(&mut vault, &data_key, &contents)?;
            tracing::info!(registration_id, officer = %operator.username, "finalized");
            let row = vault.registration(registration_id)?;
            Ok(RegistrationView {
                registration_id: row.registration_id,
                state: row.state.into(),
                identity: Some(identity_view),
                face: Some(face_view),
                created_by: row.created_by,
                created_at: row.created_at,
                updated_at: row.updated_at,
                receipt: row.receipt_json.as_deref().and_then(views::receipt_view),
                last_error: row.last_error.map(views::upload_error_view),
                decision: views::decision_of(row.approved_by, row.rejected_by),
            })
        }
    }

    /// Supervisor approval: seal the packet to the register and queue it for upload. The
    /// station-readable copy is erased in the same transaction.
    pub fn approve(&self, registration_id: &str) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let now = rfc3339((self.clock)());
        {
            let mut vault = self.vault();
            let row = vault.registration(registration_id)?;
            check_may_approve(&operator, &row)?;
            if row.state != RegistrationState::PendingApproval {
                return Err(invalid_state(&row));
            }
            let bytes = packaging::store_reviewed(
                &mut vault,
                &data_key,
                registration_id,
                &operator.username,
                packaging::Review::Approve,
                &now,
            )?;
            tracing::info!(registration_id, supervisor = %operator.username, bytes, "approved and sealed");
        }
        self.registration(registration_id)
    }

    /// One registration as the registration screen shows it: what the station can still read
    /// of it, where it is, and the decision on it (with the reason of a rejection).
    pub fn registration(&self, registration_id: &str) -> Result<RegistrationView, StationError> {
        let (_, data_key) = self.signed_in()?;
        let vault = self.vault();
        let row = vault.registration(registration_id)?;
        let (identity, face) = if row.state.is_readable() {
            let (identity, face) = self.readable_parts(&vault, &row, &data_key)?;
            (Some(identity), face)
        } else {
            (None, None)
        };
        let mut decision = views::decision_of(row.approved_by, row.rejected_by);
        if let Some(decision) = decision.as_mut().filter(|d| d.outcome == DecisionOutcome::Rejected) {
            decision.reason = vault.decision_reason(registration_id, &data_key)?;
        }
        Ok(RegistrationView {
            registration_id: row.registration_id,
            state: row.state.into(),
            identity,
            face,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            receipt: row.receipt_json.as_deref().and_then(views::receipt_view),
            last_error: row.last_error.map(views::upload_error_view),
            decision,
        })
    }

    /// The sealed bytes of an approved registration, for removable media and the register-side
    /// tools. Sealed bytes reveal nothing to the station, so any signed-in operator may have them.
    pub fn sealed_envelope(&self, registration_id: &str) -> Result<Vec<u8>, StationError> {
        self.signed_in()?;
        Ok(self.vault().envelope(registration_id)?)
    }

    /// Upload every queued packet and record each verified receipt: see [`sync_queue`].
    pub async fn sync_now(&self) -> Result<SyncReport, StationError> {
        self.signed_in()?;
        sync_queue::sync_now(self).await
    }

    // ---- internals shared by the modules of this crate ----

    fn vault(&self) -> MutexGuard<'_, Vault> {
        // A panic while holding the vault cannot leave it inconsistent: every change is one
        // SQLite transaction. So a poisoned lock is safe to take over.
        self.vault.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn session(&self) -> MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn expect_state(&self, registration_id: &str, expected: RegistrationState) -> Result<(), StationError> {
        let row = self.vault().registration(registration_id)?;
        if row.state == expected {
            Ok(())
        } else {
            Err(invalid_state(&row))
        }
    }

    fn readable_content(
        &self,
        vault: &Vault,
        registration_id: &str,
        data_key: &DataKey,
    ) -> Result<Vec<u8>, StationError> {
        let row = vault.registration(registration_id)?;
        if row.state != RegistrationState::Draft {
            return Err(invalid_state(&row));
        }
        Ok(vault.registration_content(registration_id, data_key)?)
    }

    /// Identity and face of a draft or pending registration.
    fn readable_parts(
        &self,
        vault: &Vault,
        row: &RegistrationRow,
        data_key: &DataKey,
    ) -> Result<(serde_json::Value, Option<CaptureView>), StationError> {
        let bytes = vault.registration_content(&row.registration_id, data_key)?;
        if row.state == RegistrationState::Draft {
            let draft = Draft::from_bytes(&bytes)?;
            return Ok((draft.identity, draft.face.as_ref().map(capture_view)));
        }
        let (contents, _) = PacketContents::from_bytes(content::pending_container(&bytes)?)?;
        let face = match contents.face() {
            Some(record) => Some(CaptureView {
                preview_data_url: format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(content::face_preview(record)?)
                ),
                quality: record.quality,
                device: DeviceView::from(&record.device),
            }),
            None => None,
        };
        Ok((contents.identity, face))
    }
}

/// Who may approve or reject: supervisors and admins, and nobody a registration they made
/// themselves (admins included: a decision always takes a second person).
/// The registration is no longer in a state that allows what was asked (someone else acted,
/// or the screen is stale); the window names the state it is in now.
pub(crate) fn invalid_state(row: &RegistrationRow) -> StationError {
    StationError::InvalidState {
        registration_id: row.registration_id.clone(),
        state: row.state.into(),
    }
}

fn check_may_approve(operator: &Operator, row: &RegistrationRow) -> Result<(), StationError> {
    match operator.role {
        Role::Officer => Err(StationError::not_permitted(
            PermissionRule::OfficerCannotReview,
            format!("review {}", row.registration_id),
        )),
        _ if row.created_by == operator.username => Err(StationError::not_permitted(
            PermissionRule::OwnRegistration,
            format!("review {}", row.registration_id),
        )),
        Role::Supervisor | Role::Admin => Ok(()),
    }
}

fn operator_view(operator: &Operator) -> OperatorView {
    OperatorView {
        username: operator.username.clone(),
        full_name: operator.full_name.clone(),
        role: operator.role.into(),
    }
}

fn capture_view(face: &FaceCaptured) -> CaptureView {
    CaptureView {
        preview_data_url: format!("data:image/png;base64,{}", face.png),
        quality: face.quality,
        device: DeviceView::from(&face.device),
    }
}

/// The first non-empty full name, preferring English.
fn display_name(identity: &serde_json::Value) -> Option<String> {
    let names = identity.get("fullName")?.as_array()?;
    let value_of = |entry: &serde_json::Value| {
        entry
            .get("value")
            .and_then(|v| v.as_str())
            .filter(|v| !v.trim().is_empty())
            .map(str::to_string)
    };
    names
        .iter()
        .find(|entry| entry.get("language").and_then(|l| l.as_str()) == Some("eng"))
        .and_then(value_of)
        .or_else(|| names.iter().find_map(value_of))
}

/// Timestamps as the whole workspace writes them (RFC 3339, UTC); the modules name it
/// `crate::rfc3339`.
use enroll_packet::time::rfc3339;
