//! The enrollment station's application API: the one surface that the desktop app
//! (`src-tauri`), the CLI and the tests call, so that a flow works the same from each.
//!
//! A [`Station`] owns the vault, the configured form, the capture devices and the intake
//! address, and holds the signed-in operator. Every method checks the operator's role here, in
//! Rust, whatever the UI shows. Errors are [`StationError`]s with stable codes.
//!
//! Deliberately absent: windows, IPC and rendering (that is `src-tauri` and `ui/`), SQL (that
//! is `store`), bytes and ciphers (that is `packet`), HTTP (that is `sync`).

mod acknowledgement;
mod audit;
mod batch_review;
pub mod biometrics;
mod consent;
mod content;
mod dashboard;
mod document_camera;
mod document_scanner;
mod documents;
mod error;
pub mod exchange;
pub mod home;
pub mod offline;
mod operator_list;
mod operators;
pub mod packaging;
pub mod policy;
pub mod private_files;
pub mod process;
pub mod register_config;
mod register_keys;
pub mod register_status;
mod registration_id;
mod request_key;
mod review;
mod session;
mod settings;
mod setup;
pub mod sync_engine;
mod sync_queue;
pub mod sync_status;
#[cfg(test)]
mod test_support;
mod upload_center;
mod views;
mod wizard;

pub use acknowledgement::AcknowledgementView;
pub use audit::{check_vault, verify_audit_chain, AuditVerification, VaultCheck};
pub use batch_review::{BatchApprovalView, BatchRefusalView, MAX_BATCH_APPROVAL};
pub use dashboard::{
    DashboardStatesView, DashboardSyncView, DashboardView, DayCountsView, OperatorDayView, PendingApprovalsView,
};
pub use document_camera::DocumentCameraView;
pub use document_scanner::{ScannedPageView, ScannerView};
pub use documents::{
    DocumentCategoryView, DocumentChoicesView, DocumentInput, DocumentPage, DocumentPreviewView, DocumentView,
};
/// A complete identity of the default form, for tests, benches and examples.
pub use enroll_schemas::example_identity;
/// Which biometrics a registration takes (country configuration; see `with_capture_policy`).
pub use enroll_schemas::CapturePolicy;
/// A document file's format (`pdf`, `jpeg`, `png`), as the form and the views name it.
pub use enroll_schemas::DocumentFileFormat;
pub use error::{ErrorCode, ErrorParam, ErrorView, FieldError, PermissionRule, StationError};
pub use exchange::{MediaExportView, MediaFailureView, MediaFolderKind, MediaFolderView, MediaImportView};
pub use policy::{PolicyLimits, PolicyRequest, PolicyView};
pub use process::{ProcessView, StartRegistrationRequest};
pub use register_status::{RegisterStatusName, RegisterStatusView, ReturnedByRegisterView};
pub use registration_id::{registration_id, verhoeff_check_digit, verhoeff_is_valid};
pub use session::{SessionState, SessionView, StationPolicy};
pub use settings::{
    IntakeAddressRequest, QualityThresholdView, QualityThresholdsRequest, SettingsView, UiLanguageRequest, UI_LANGUAGES,
};
pub use sync_engine::{start_background_sync, watch_sync, BackgroundSync};
pub use sync_status::{IntakeLink, SyncListener, SyncStatusView, UploadProgressView};
pub use upload_center::{UploadCenterView, UploadEntryView};
pub use views::*;
pub use wizard::WizardStep;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use enroll_packet::{PacketContents, PacketMeta, StationSigningKey};
use enroll_schemas::{CalendarDate, Form};
use enroll_store::{DataKey, Operator, RegistrationRow, RegistrationState, Role, Vault};
use time::OffsetDateTime;

use content::Draft;
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
    /// The biometric devices and which takes each step.
    devices: biometrics::DeviceRegistry,
    /// Captured pixels being wrapped into records while the clerk goes on.
    record_encoder: biometrics::encoder::RecordEncoder,
    /// The one live preview that may stream to the window.
    live: biometrics::live::LivePreviews,
    /// The biometrics of the pending registration under review, parsed once per review.
    review_memo: biometrics::review_memo::ReviewMemo,
    /// Which biometrics a registration takes and how good they must be.
    capture_policies: biometrics::policy_in_force::CapturePolicySlot,
    /// How long and how far the station may work without the register (see [`offline`]); the
    /// register's configuration changes it while the station runs ([`register_config`]).
    offline_limits: Mutex<offline::OfflineLimits>,
    /// The lists the forms choose from, as the register last sent them ([`register_config`]).
    master_data: Option<enroll_schemas::station_config::MasterData>,
    /// The lists in force: the register's, each list it left empty taken from the embedded
    /// default (see [`register_config::master_data_in_force`]).
    master_data_in_force: enroll_schemas::station_config::MasterData,
    /// Who may sign in, and in which role, when the register sent a list (see
    /// [`operator_list`]); the register's configuration changes it while the station runs.
    operator_list: Mutex<Option<enroll_schemas::station_config::OperatorList>>,
    /// What the sync is doing, and who hears of it.
    sync_monitor: sync_status::SyncMonitor,
    /// Held by a sync run: one at a time.
    sync_running: tokio::sync::Mutex<()>,
    /// Wakes the background sync (see [`sync_engine`]).
    sync_wake: Arc<sync_engine::SyncWake>,
    /// When the register was last asked about its packets (see [`register_status`]).
    register_status_asked: register_status::LastAsked,
    /// When the register was last asked for configuration (see [`register_config`]).
    config_asked: register_status::LastAsked,
    clock: Clock,
}

impl Drop for Station {
    /// Wakes the background sync, which finds the station gone and ends.
    fn drop(&mut self) {
        self.sync_wake.ring();
    }
}

impl Station {
    /// Open (or create) the station at `config.data_dir` with the embedded form, the default
    /// devices (simulated; see [`Station::use_device_backends`]) and the system clock. Fast: no
    /// network, no key derivation.
    pub fn open(config: StationConfig) -> Result<Station, StationError> {
        Station::open_with(config, Arc::new(OffsetDateTime::now_utc))
    }

    /// [`Station::open`] with a chosen clock.
    pub fn open_with(config: StationConfig, clock: Clock) -> Result<Station, StationError> {
        private_files::open_data_folder(&config.data_dir).map_err(|e| {
            StationError::Config(format!(
                "cannot create the data folder {}: {e}",
                config.data_dir.display()
            ))
        })?;
        let vault = Vault::open(&config.data_dir.join(VAULT_FILE))?;
        // One row by its key: opening stays fast.
        let stored_policy = vault.station_policy()?;
        let chosen_quality = settings::parse_chosen_quality(vault.station_quality_thresholds()?);
        // The register's configuration, checked again (a few rows, one signature each).
        let starting = register_config::starting_config(&vault)?;
        let form = match starting.form {
            Some(form) => form,
            None => enroll_schemas::default_form().map_err(|e| StationError::Config(e.to_string()))?,
        };
        // The form's dropdowns over master data offer the lists in force.
        let master_data_in_force = register_config::master_data_in_force(starting.master_data.as_ref())?;
        let form = form.with_master_data(&master_data_in_force);
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
            devices: biometrics::DeviceRegistry::new(biometrics::DeviceSettings::default().backends()?),
            record_encoder: Default::default(),
            review_memo: Default::default(),
            live: Default::default(),
            capture_policies: biometrics::policy_in_force::CapturePolicySlot::new(
                starting
                    .capture_policy
                    .unwrap_or_else(enroll_schemas::CapturePolicy::default_policy),
                chosen_quality,
            ),
            offline_limits: Mutex::new(starting.offline_limits.unwrap_or_default()),
            master_data_in_force,
            master_data: starting.master_data,
            operator_list: Mutex::new(starting.operators),
            sync_monitor: Default::default(),
            sync_running: Default::default(),
            sync_wake: Default::default(),
            register_status_asked: Default::default(),
            config_asked: Default::default(),
            clock,
        })
    }

    /// What the first screen needs: set up or log in, who is signed in, what devices are.
    pub fn status(&self) -> Result<StationStatus, StationError> {
        let station = self.vault().station()?;
        // Each read takes the session lock on its own: a guard held across both would deadlock.
        let operator = self.session().as_ref().map(|s| operator_view(&s.operator));
        let session_locked = self.session_is_locked();
        let ui_language = match &operator {
            Some(operator) => self.operator_ui_language(&operator.username)?,
            None => None,
        };
        Ok(StationStatus {
            needs_setup: station.is_none(),
            station_id: station.as_ref().map(|s| s.station_id.clone()),
            station_name: station.as_ref().map(|s| s.name.clone()),
            intake_url: station
                .map(|s| s.intake_url)
                .unwrap_or_else(|| self.config.intake_url.clone()),
            operator,
            ui_language,
            session_locked,
            simulated_devices: self.devices.uses_simulated(),
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
        operator_list::check_new(self.operator_list().as_ref(), request.username.trim(), role)?;
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
            register_listing: None,
        })
    }

    /// The demographic form to render, from the configured ID schema and UI spec.
    pub fn form(&self) -> FormSpec {
        self.form.spec().clone()
    }

    /// Start a registration: a draft with a fresh registration id.
    pub fn new_registration(&self) -> Result<RegistrationView, StationError> {
        self.make_draft(None, None)
    }

    /// A fresh draft of `process` (`None`: a new registration), taking only `biometric_steps`
    /// when the process says which (see [`Station::start_registration`]).
    pub(crate) fn make_draft(
        &self,
        process: Option<process::ProcessView>,
        biometric_steps: Option<Vec<enroll_schemas::PolicyStep>>,
    ) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        self.check_offline_limits()?;
        let now = (self.clock)();
        let mut vault = self.vault();
        let station = vault.station()?.ok_or(StationError::NotSetUp)?;
        let sequence = vault.take_registration_sequence()?;
        let id = registration_id(&station.center_id, &station.station_id, sequence, now);
        let mut draft = Draft::new(serde_json::json!({}));
        draft.process = process;
        draft.biometrics.only_steps = biometric_steps;
        vault.insert_draft(&id, &operator.username, &draft.to_bytes(), &data_key, &rfc3339(now))?;
        vault.keep_beside_draft(&id, Arc::new(draft));
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
            let mut draft = Draft::clone(&*self.current_draft(&vault, registration_id, &data_key)?);
            draft.identity = identity;
            self.write_draft(&mut vault, registration_id, draft, &data_key, &now)?;
        }
        self.registration(registration_id)
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
            let draft = self.current_draft(&vault, registration_id, &data_key)?;
            let scope = self.scope_of(&draft)?;
            let mut problems = self
                .form
                .validate_in(&draft.identity, today, &scope)
                .err()
                .unwrap_or_default();
            // The biometrics the capture policy asks for, the face among them: each position
            // captured at its threshold, signed off, or recorded as an exception with its photo.
            problems.extend(
                draft
                    .biometrics
                    .problems(&self.capture_policy())
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
            problems.extend(consent::consent_problem(self.form.spec().consent.is_some(), &draft));
            problems.extend(documents::finalize_problems(
                self.form.spec().documents.as_ref(),
                scope.documents.as_ref(),
                &draft,
            ));
            if !problems.is_empty() {
                return Err(StationError::ValidationFailed(problems));
            }
            let station = vault.station()?.ok_or(StationError::NotSetUp)?;
            let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(&data_key)?);
            // A field that no longer applies (a guardian typed before the date of birth showed
            // an adult) stays out of the packet.
            let mut identity = self.form.applicable_identity(&draft.identity, today, &scope);
            identity[enroll_schemas::form::ID_SCHEMA_VERSION_FIELD] = serde_json::json!(self.id_schema_version);
            // The resident an update or a correction is for, as MOSIP's ID document names them.
            if let Some(resident_id) = draft.process.as_ref().and_then(|p| p.resident_id.as_ref()) {
                if self.form.schema_defines(enroll_schemas::form::RESIDENT_ID_FIELD) {
                    identity[enroll_schemas::form::RESIDENT_ID_FIELD] = serde_json::json!(resident_id);
                }
            }
            // Every record (face, fingers, irises, the exception photo) and every exception
            // comes from the biometrics draft through one path.
            let captured = biometrics::records::packet_biometrics(
                &self.capture_policy(),
                &draft.biometrics,
                &self.record_encoder,
            )?;
            let contents = PacketContents {
                identity,
                exceptions: captured.exceptions,
                biometrics: captured.records,
                documents: documents::packet_documents(self.form.spec().documents.as_ref(), &draft)?,
                meta: PacketMeta {
                    registration_id: registration_id.to_string(),
                    station_id: station.station_id.clone(),
                    station_public_key: base64::engine::general_purpose::STANDARD.encode(signing_key.public_key()),
                    center_id: station.center_id.clone(),
                    officer: row.created_by.clone(),
                    devices: captured.devices,
                    created_at: row.created_at.clone(),
                    finalized_at: Some(rfc3339(now)),
                    software_version: env!("CARGO_PKG_VERSION").to_string(),
                    consent: draft.consent.clone(),
                    process: Some(draft.process.as_ref().map_or_else(
                        || enroll_packet::ProcessRecord {
                            kind: enroll_schemas::ProcessKind::New.as_str().into(),
                            resident_id: None,
                            changes: Vec::new(),
                            request_id: None,
                        },
                        process::ProcessView::record,
                    )),
                    ..PacketMeta::default()
                },
                ..PacketContents::default()
            };
            let identity_view = contents.identity.clone();
            let consent_given_at = contents.meta.consent.as_ref().map(|c| c.given_at.clone());
            let document_views = documents::packet_views(&contents.documents);
            packaging::store_finalized(&mut vault, &data_key, &contents)?;
            tracing::info!(registration_id, officer = %operator.username, "finalized");
            let row = vault.registration(registration_id)?;
            Ok(RegistrationView {
                process: draft.process.clone(),
                registration_id: row.registration_id,
                state: row.state.into(),
                identity: Some(identity_view),
                created_by: row.created_by,
                created_at: row.created_at,
                updated_at: row.updated_at,
                receipt: row.receipt_json.as_deref().and_then(views::receipt_view),
                last_error: row.last_error.map(views::upload_error_view),
                decision: views::decision_of(row.approved_by, row.rejected_by),
                register_status: None,
                consent_given_at,
                wizard_step: None,
                documents: document_views,
            })
        }
    }

    /// Supervisor approval: seal the packet to the register and queue it for upload. The
    /// station-readable copy is erased in the same transaction.
    pub fn approve(&self, registration_id: &str) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let now = rfc3339((self.clock)());
        self.approve_one(&operator, &data_key, registration_id, &now)?;
        self.sync_wake.ring();
        self.registration(registration_id)
    }

    /// The approval of one registration by `operator`, in one transaction: the reviewer rule,
    /// the state, the sealing. Shared by [`Station::approve`] and the batch's
    /// [`Station::approve_batch`], so both keep the same rules.
    pub(crate) fn approve_one(
        &self,
        operator: &Operator,
        data_key: &DataKey,
        registration_id: &str,
        now: &str,
    ) -> Result<(), StationError> {
        let mut vault = self.vault();
        let row = vault.registration(registration_id)?;
        check_may_approve(operator, &row)?;
        if row.state != RegistrationState::PendingApproval {
            return Err(invalid_state(&row));
        }
        let bytes = packaging::store_reviewed(
            &mut vault,
            data_key,
            registration_id,
            &operator.username,
            packaging::Review::Approve,
            now,
        )?;
        tracing::info!(registration_id, supervisor = %operator.username, bytes, "approved and sealed");
        Ok(())
    }

    /// One registration as the registration screen shows it: what the station can still read
    /// of it, where it is, and the decision on it (with the reason of a rejection).
    pub fn registration(&self, registration_id: &str) -> Result<RegistrationView, StationError> {
        let (_, data_key) = self.signed_in()?;
        let vault = self.vault();
        let row = vault.registration(registration_id)?;
        let (identity, consent_given_at, documents, process) = if row.state.is_readable() {
            let readable = self.readable_identity(&vault, &row, &data_key)?;
            (
                Some(readable.identity),
                readable.consent.map(|c| c.given_at),
                readable.documents,
                readable.process,
            )
        } else {
            (None, None, Vec::new(), None)
        };
        let wizard_step = match row.state {
            RegistrationState::Draft => self.current_draft(&vault, registration_id, &data_key)?.wizard_step,
            _ => None,
        };
        let mut decision = views::decision_of(row.approved_by, row.rejected_by);
        if let Some(decision) = decision.as_mut().filter(|d| d.outcome == DecisionOutcome::Rejected) {
            decision.reason = vault.decision_reason(registration_id, &data_key)?;
        }
        Ok(RegistrationView {
            registration_id: row.registration_id,
            state: row.state.into(),
            identity,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            receipt: row.receipt_json.as_deref().and_then(views::receipt_view),
            last_error: row.last_error.map(views::upload_error_view),
            decision,
            register_status: register_status::status_of(&vault, &data_key, registration_id)?,
            consent_given_at,
            wizard_step,
            documents,
            process,
        })
    }

    /// The sealed bytes of an approved registration, for removable media and the register-side
    /// tools. Sealed bytes reveal nothing to the station, so any signed-in operator may have them.
    pub fn sealed_envelope(&self, registration_id: &str) -> Result<Vec<u8>, StationError> {
        self.signed_in()?;
        Ok(self.vault().envelope(registration_id)?)
    }

    /// Upload every queued packet that is not quarantined, backoff or not, and record each
    /// verified receipt: see [`sync_queue`]. Waits for a background run to end first.
    pub async fn sync_now(&self) -> Result<SyncReport, StationError> {
        self.signed_in()?;
        sync_queue::run(self, sync_queue::RunMode::Now, sync_queue::RunBy::Operator).await
    }

    /// [`Station::sync_now`] with nobody signed in, for `enroll sync` on the station's own
    /// machine (the vault admits one program at a time, so not while the app is open). Only
    /// sealed bytes leave, which no key of the station's opens, and nothing is read or
    /// decided that needs an operator: the background sync does the same.
    pub async fn sync_unattended(&self) -> Result<SyncReport, StationError> {
        sync_queue::run(self, sync_queue::RunMode::Now, sync_queue::RunBy::Station).await
    }

    /// Use these offline limits (the country's configuration) instead of the defaults.
    pub fn with_offline_limits(mut self, limits: offline::OfflineLimits) -> Station {
        *self.offline_limits.get_mut().unwrap_or_else(|p| p.into_inner()) = limits;
        self
    }

    /// Wake the background sync now (a `watch` waiting out a pause, for instance to end it).
    pub fn wake_sync(&self) {
        self.sync_wake.ring();
    }

    /// What the sync is doing now.
    pub fn sync_status(&self) -> Result<SyncStatusView, StationError> {
        self.signed_in()?;
        Ok(self.sync_monitor.snapshot())
    }

    /// Tell `listener` of every change of the sync's status (the app sends each to the
    /// window); `None` stops telling.
    pub fn on_sync_status(&self, listener: Option<SyncListener>) {
        self.sync_monitor.set_listener(listener);
    }

    /// The upload center: the queue in the order it is sent, with its failures and quarantine.
    pub fn upload_center(&self) -> Result<UploadCenterView, StationError> {
        self.signed_in()?;
        upload_center::upload_center(self)
    }

    /// Put a quarantined packet back in the queue (a supervisor's or an admin's call, once
    /// the register has dealt with the cause); the background sync tries it at once.
    pub fn release_quarantined(&self, registration_id: &str) -> Result<UploadCenterView, StationError> {
        let (operator, _) = self.signed_in()?;
        if operator.role == Role::Officer {
            return Err(StationError::not_permitted(
                PermissionRule::OfficerCannotReview,
                format!("release {registration_id} from quarantine"),
            ));
        }
        let now = rfc3339((self.clock)());
        self.vault().release_from_quarantine(registration_id, &now)?;
        tracing::info!(registration_id, supervisor = %operator.username, "released from quarantine");
        self.sync_wake.ring();
        upload_center::upload_center(self)
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

    /// The draft of `registration_id`, parsed (`invalid_state` for a registration past its
    /// draft): the one this station kept beside its last write while the vault still holds that
    /// write, or else read and parsed.
    fn current_draft(
        &self,
        vault: &Vault,
        registration_id: &str,
        data_key: &DataKey,
    ) -> Result<Arc<Draft>, StationError> {
        let row = vault.registration(registration_id)?;
        if row.state != RegistrationState::Draft {
            return Err(invalid_state(&row));
        }
        if let Some(kept) = vault.draft_value(registration_id)? {
            if let Ok(draft) = kept.downcast::<Draft>() {
                return Ok(draft);
            }
        }
        let bytes = vault.registration_content(registration_id, data_key)?;
        Ok(Arc::new(Draft::from_bytes(&bytes)?))
    }

    /// Save `draft` as `registration_id`'s, and keep it parsed beside the write: the next step
    /// (a capture, finalize) does not parse the megabytes just serialized.
    fn write_draft(
        &self,
        vault: &mut Vault,
        registration_id: &str,
        draft: Draft,
        data_key: &DataKey,
        now: &str,
    ) -> Result<Arc<Draft>, StationError> {
        vault.update_draft(registration_id, &draft.to_bytes(), data_key, now)?;
        let draft = Arc::new(draft);
        vault.keep_beside_draft(registration_id, Arc::clone(&draft) as enroll_store::DraftValue);
        Ok(draft)
    }

    /// The identity of a draft or pending registration, the consent recorded with it and its
    /// documents, without their content (its biometrics: see [`Station::biometrics`]).
    fn readable_identity(
        &self,
        vault: &Vault,
        row: &RegistrationRow,
        data_key: &DataKey,
    ) -> Result<ReadableRegistration, StationError> {
        if row.state == RegistrationState::Draft {
            let draft = self.current_draft(vault, &row.registration_id, data_key)?;
            return Ok(ReadableRegistration {
                identity: draft.identity.clone(),
                consent: draft.consent.clone(),
                documents: documents::draft_views(&draft),
                process: draft.process.clone(),
            });
        }
        let container = content::read_pending(vault, &row.registration_id, data_key)?;
        let (contents, _) = PacketContents::from_bytes(&container)?;
        Ok(ReadableRegistration {
            documents: documents::packet_views(&contents.documents),
            identity: contents.identity,
            process: contents
                .meta
                .process
                .as_ref()
                .and_then(process::ProcessView::from_record),
            consent: contents.meta.consent,
        })
    }
}

/// What the station can read of a draft or pending registration (see
/// [`Station::readable_identity`]).
struct ReadableRegistration {
    identity: serde_json::Value,
    consent: Option<enroll_packet::ConsentRecord>,
    documents: Vec<DocumentView>,
    /// Not a new registration's: see [`RegistrationView::process`].
    process: Option<process::ProcessView>,
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

/// Who may change a draft (its identity, documents, consent, step): its maker, a supervisor,
/// an admin; and only while it is a draft. `what` names the change, for the log.
pub(crate) fn check_may_edit_draft(operator: &Operator, row: &RegistrationRow, what: &str) -> Result<(), StationError> {
    if row.state != RegistrationState::Draft {
        return Err(invalid_state(row));
    }
    if operator.role == Role::Officer && row.created_by != operator.username {
        return Err(StationError::not_permitted(
            PermissionRule::OthersDraft,
            format!("{what} {}", row.registration_id),
        ));
    }
    Ok(())
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
        register_listing: None,
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
