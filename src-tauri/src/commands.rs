//! The commands the window may call: each takes the shared [`Station`], calls one method of
//! the application API and returns its result. Errors cross IPC as an [`ErrorView`]
//! (`{code, params, fields}`, no English); the UI words them from its catalogues and branches on
//! `code` in `ui/src/lib/backend/errors.ts`.
//!
//! This file is the one list of the window's commands: every `#[tauri::command]` function here
//! is registered (`build.rs` reads them into the handler list and the permission manifest), and
//! its TypeScript binding is generated from its signature (`crate::bindings`). A new command is
//! a function here and its `allow-` line in `capabilities/main.json`; a test checks both lists
//! agree and that the committed bindings are current.
//!
//! Deliberately absent: role checks, validation and any other rule. The station enforces
//! them in Rust, whatever the window asks. Nothing here logs resident data or passwords.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use enroll_station::biometrics::{
    BiometricsView, DeviceListView, ExceptionKindName, FrameSink, LivePreviewView, MyFingerprintsView, PolicyStep,
    Position, PreviewFrameView,
};
use enroll_station::home::{HomeCursor, HomeList, HomeListName, HomeSummary};
use enroll_station::{
    AcknowledgementView, BatchApprovalView, CaptureView, DocumentCameraView, DocumentChoicesView, DocumentInput,
    DocumentPreviewView, ErrorCode, ErrorView, FormSpec, IntakeAddressRequest, MasterEntryView, NewOperatorRequest,
    OperatorView, PolicyRequest, PolicyView, PurgeReport, QualityThresholdsRequest, RegistrationView,
    ReturnedByRegisterView, ScannedPageView, ScannerView, SessionView, SettingsView, SetupRequest,
    StartRegistrationRequest, Station, StationError, StationStatus, SyncReport, SyncStatusView, UiLanguageRequest,
    UploadCenterView, WizardStep,
};
use tauri::ipc::Channel;
use tauri::State;

use crate::slip_pdf::{self, SlipPdfError};
use crate::slot::StationSlot;

type SharedStation<'a> = State<'a, StationSlot>;

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn status(station: SharedStation<'_>) -> Result<StationStatus, ErrorView> {
    blocking(&station, |station| station.status()).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, request))]
pub async fn set_up(station: SharedStation<'_>, request: SetupRequest) -> Result<StationStatus, ErrorView> {
    blocking_async(&station, |station| async move { station.set_up(request).await }).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, password))]
pub async fn log_in(station: SharedStation<'_>, username: String, password: String) -> Result<OperatorView, ErrorView> {
    blocking(&station, move |station| station.log_in(&username, &password)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn log_out(station: SharedStation<'_>) -> Result<(), ErrorView> {
    blocking(&station, |station| {
        station.log_out();
        Ok(())
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, request), fields(username = %request.username, role = request.role.as_str()))]
pub async fn add_operator(station: SharedStation<'_>, request: NewOperatorRequest) -> Result<OperatorView, ErrorView> {
    blocking(&station, move |station| station.add_operator(request)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn list_operators(station: SharedStation<'_>) -> Result<Vec<OperatorView>, ErrorView> {
    blocking(&station, |station| station.list_operators()).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn remove_operator(station: SharedStation<'_>, username: String) -> Result<(), ErrorView> {
    blocking(&station, move |station| station.remove_operator(&username)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, new_password))]
pub async fn reset_password(
    station: SharedStation<'_>,
    username: String,
    new_password: String,
) -> Result<(), ErrorView> {
    blocking(&station, move |station| {
        station.reset_password(&username, &new_password)
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, old_password, new_password))]
pub async fn change_password(
    station: SharedStation<'_>,
    old_password: String,
    new_password: String,
) -> Result<(), ErrorView> {
    blocking(&station, move |station| {
        station.change_password(&old_password, &new_password)
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn policy(station: SharedStation<'_>) -> Result<PolicyView, ErrorView> {
    blocking(&station, |station| station.policy()).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station), fields(idle_lock_minutes = request.idle_lock_minutes, retention_days = request.retention_days))]
pub async fn set_policy(station: SharedStation<'_>, request: PolicyRequest) -> Result<PolicyView, ErrorView> {
    blocking(&station, move |station| station.set_policy(request)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn purge_expired(station: SharedStation<'_>) -> Result<PurgeReport, ErrorView> {
    blocking(&station, |station| station.purge_expired()).await
}

/// Asked by the window at the idle deadline it was last given; not activity. Not traced on
/// success: it runs every few minutes for the whole day.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(level = "trace", skip(station))]
pub async fn session_state(station: SharedStation<'_>) -> Result<SessionView, ErrorView> {
    blocking(&station, |station| station.session_state()).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn home_summary(station: SharedStation<'_>) -> Result<HomeSummary, ErrorView> {
    blocking(&station, |station| station.home_summary()).await
}

/// The page of one home list after `after`, when the clerk asks for more.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, after))]
pub async fn home_page(
    station: SharedStation<'_>,
    list: HomeListName,
    after: HomeCursor,
) -> Result<HomeList, ErrorView> {
    blocking(&station, move |station| station.home_page(list, &after)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn form(station: SharedStation<'_>) -> Result<FormSpec, ErrorView> {
    blocking(&station, |station| Ok(station.form())).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn new_registration(station: SharedStation<'_>) -> Result<RegistrationView, ErrorView> {
    blocking(&station, |station| station.new_registration()).await
}

/// Start an update, a lost card or a correction (or a new registration) for a resident.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, request), fields(process = ?request.process))]
pub async fn start_registration(
    station: SharedStation<'_>,
    request: StartRegistrationRequest,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| station.start_registration(request)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, identity))]
pub async fn save_draft(
    station: SharedStation<'_>,
    registration_id: String,
    identity: serde_json::Value,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| station.save_draft(&registration_id, identity)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn devices(station: SharedStation<'_>) -> Result<Vec<DeviceListView>, ErrorView> {
    blocking(&station, |station| station.devices()).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn refresh_devices(station: SharedStation<'_>) -> Result<Vec<DeviceListView>, ErrorView> {
    blocking(&station, |station| station.refresh_devices()).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn settings(station: SharedStation<'_>) -> Result<SettingsView, ErrorView> {
    blocking(&station, |station| station.settings()).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn set_quality_thresholds(
    station: SharedStation<'_>,
    request: QualityThresholdsRequest,
) -> Result<SettingsView, ErrorView> {
    blocking(&station, move |station| station.set_quality_thresholds(request)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn set_ui_language(station: SharedStation<'_>, request: UiLanguageRequest) -> Result<(), ErrorView> {
    blocking(&station, move |station| station.set_ui_language(request)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn set_intake_address(
    station: SharedStation<'_>,
    request: IntakeAddressRequest,
) -> Result<SettingsView, ErrorView> {
    blocking(&station, move |station| station.set_intake_address(request)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn biometrics(station: SharedStation<'_>, registration_id: String) -> Result<BiometricsView, ErrorView> {
    blocking(&station, move |station| station.biometrics(&registration_id)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn biometric_preview(
    station: SharedStation<'_>,
    registration_id: String,
    position: Position,
) -> Result<CaptureView, ErrorView> {
    blocking(&station, move |station| {
        station.biometric_preview(&registration_id, position)
    })
    .await
}

/// Streams the step's device into `channel` until `stop_biometric_preview`, another preview,
/// a capture or a sign-out (see `enroll_station::biometrics::live`).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, channel))]
pub async fn start_biometric_preview(
    station: SharedStation<'_>,
    registration_id: String,
    step: PolicyStep,
    channel: Channel<PreviewFrameView>,
) -> Result<LivePreviewView, ErrorView> {
    blocking(&station, move |station| {
        let sink: FrameSink = Box::new(move |frame| {
            // A window that reloaded or closed takes no frames; the preview runs on until the
            // next stop, start or capture, which every screen change brings.
            if let Err(error) = channel.send(frame) {
                tracing::debug!(%error, "a live preview frame was not delivered");
            }
        });
        station.start_biometric_preview(&registration_id, step, sink)
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn stop_biometric_preview(station: SharedStation<'_>) -> Result<(), ErrorView> {
    blocking(&station, |station| {
        station.stop_biometric_preview();
        Ok(())
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn capture_biometrics(
    station: SharedStation<'_>,
    registration_id: String,
    step: PolicyStep,
) -> Result<BiometricsView, ErrorView> {
    blocking(&station, move |station| {
        station.capture_biometrics(&registration_id, step)
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, reason))]
pub async fn mark_biometric_exception(
    station: SharedStation<'_>,
    registration_id: String,
    position: Position,
    kind: ExceptionKindName,
    reason: String,
) -> Result<BiometricsView, ErrorView> {
    blocking(&station, move |station| {
        station.mark_biometric_exception(&registration_id, position, kind, &reason)
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn clear_biometric_exception(
    station: SharedStation<'_>,
    registration_id: String,
    position: Position,
) -> Result<BiometricsView, ErrorView> {
    blocking(&station, move |station| {
        station.clear_biometric_exception(&registration_id, position)
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn capture_exception_photo(
    station: SharedStation<'_>,
    registration_id: String,
) -> Result<BiometricsView, ErrorView> {
    blocking(&station, move |station| {
        station.capture_exception_photo(&registration_id)
    })
    .await
}

/// The supervisor types their own credentials on the clerk's screen; the session stays the
/// clerk's.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, password))]
pub async fn force_capture(
    station: SharedStation<'_>,
    registration_id: String,
    step: PolicyStep,
    supervisor: String,
    password: String,
) -> Result<BiometricsView, ErrorView> {
    blocking(&station, move |station| {
        station.force_capture(&registration_id, step, &supervisor, &password)
    })
    .await
}

/// The resident agreed to the form's consent text, or refused it (which ends the registration).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn record_consent(
    station: SharedStation<'_>,
    registration_id: String,
    agreed: bool,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| {
        station.record_consent(&registration_id, agreed)
    })
    .await
}

/// Remember the wizard step the draft is at, so that it reopens there.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn set_wizard_step(
    station: SharedStation<'_>,
    registration_id: String,
    step: WizardStep,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| station.set_wizard_step(&registration_id, step)).await
}

/// The officer's sign-off: their own password again, then finalize (the window has no
/// finalize without it).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, password))]
pub async fn finalize(
    station: SharedStation<'_>,
    registration_id: String,
    password: String,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| {
        station.finalize_signed_off(&registration_id, &password)
    })
    .await
}

/// The officer's sign-off by finger: one of their enrolled steps taken again on the finger
/// device and matched against their own enrolled fingers, then finalize.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn finalize_by_fingerprint(
    station: SharedStation<'_>,
    registration_id: String,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| {
        station.finalize_signed_off_by_fingerprint(&registration_id)
    })
    .await
}

/// The signed-in operator's enrolled fingers, for signing off with a finger.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn my_fingerprints(station: SharedStation<'_>) -> Result<MyFingerprintsView, ErrorView> {
    blocking(&station, move |station| station.my_fingerprints()).await
}

/// The signed-in operator enrols their own fingers from `step`, after their password.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, password))]
pub async fn enroll_my_fingerprints(
    station: SharedStation<'_>,
    password: String,
    step: PolicyStep,
) -> Result<MyFingerprintsView, ErrorView> {
    blocking(&station, move |station| station.enroll_my_fingerprints(&password, step)).await
}

/// What the documents step offers: the form's categories, their types, the limits on files.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn document_choices(station: SharedStation<'_>) -> Result<DocumentChoicesView, ErrorView> {
    blocking(&station, move |station| station.document_choices()).await
}

/// Attach a document (a PDF or scanned pages) to a draft, replacing its category's earlier one.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, document), fields(category = %document.category, pages = document.pages.len()))]
pub async fn attach_document(
    station: SharedStation<'_>,
    registration_id: String,
    document: DocumentInput,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| {
        station.attach_document(&registration_id, document)
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn remove_document(
    station: SharedStation<'_>,
    registration_id: String,
    category: String,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| {
        station.remove_document(&registration_id, &category)
    })
    .await
}

/// One page of a document, downscaled for the screen.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn document_page_preview(
    station: SharedStation<'_>,
    registration_id: String,
    category: String,
    page: u32,
) -> Result<DocumentPreviewView, ErrorView> {
    blocking(&station, move |station| {
        station.document_page_preview(&registration_id, &category, page)
    })
    .await
}

/// The document scanners this station reaches through SANE (none without its tools).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn document_scanners(station: SharedStation<'_>) -> Result<Vec<ScannerView>, ErrorView> {
    blocking(&station, move |station| station.document_scanners()).await
}

/// Scan one page, for the documents step to attach as it attaches a picked file.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn scan_document_page(station: SharedStation<'_>, device: String) -> Result<ScannedPageView, ErrorView> {
    blocking(&station, move |station| station.scan_document_page(&device)).await
}

/// The camera a page can be photographed with, if the station has one.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn document_camera(station: SharedStation<'_>) -> Result<Option<DocumentCameraView>, ErrorView> {
    blocking(&station, move |station| station.document_camera()).await
}

/// One page photographed with the station's camera, as a JPEG file to attach.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn photograph_document_page(station: SharedStation<'_>) -> Result<ScannedPageView, ErrorView> {
    blocking(&station, move |station| station.photograph_document_page()).await
}

/// The acknowledgement slip of a finalized registration (while the station can read it).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn acknowledgement(
    station: SharedStation<'_>,
    registration_id: String,
) -> Result<AcknowledgementView, ErrorView> {
    blocking(&station, move |station| station.acknowledgement(&registration_id)).await
}

/// Saves what the window shows (the slip, as its print style sheet lays it out) as a PDF at
/// `path`, which the clerk chose in the system's save dialog (see `crate::slip_pdf`). No role:
/// it prints only what this window already shows. The path is not logged: the clerk may have
/// named the file after the resident.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(window, path))]
pub async fn save_slip_pdf(window: tauri::WebviewWindow, path: String) -> Result<(), ErrorView> {
    let target = slip_pdf::target_for(&path).map_err(slip_pdf_refused)?;
    slip_pdf::save(&window, &target).await.map_err(slip_pdf_refused)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn approve(station: SharedStation<'_>, registration_id: String) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| station.approve(&registration_id)).await
}

/// Several pending registrations approved after the supervisor's password, each on its own
/// (see `Station::approve_batch`). The password is not logged.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, password))]
pub async fn approve_batch(
    station: SharedStation<'_>,
    registration_ids: Vec<String>,
    password: String,
) -> Result<BatchApprovalView, ErrorView> {
    blocking(&station, move |station| {
        station.approve_batch(&registration_ids, &password)
    })
    .await
}

/// The reason is not logged: it may describe the resident.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, reason))]
pub async fn reject(
    station: SharedStation<'_>,
    registration_id: String,
    reason: String,
) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| station.reject(&registration_id, &reason)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn registration(station: SharedStation<'_>, registration_id: String) -> Result<RegistrationView, ErrorView> {
    blocking(&station, move |station| station.registration(&registration_id)).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn sync_now(station: SharedStation<'_>) -> Result<SyncReport, ErrorView> {
    blocking_async(&station, |station| async move { station.sync_now().await }).await
}

/// The sync's status now; every change after it goes to `channel` (the progress of each
/// packet, the link coming and going), until a later call gives another channel. Works while
/// the background sync runs, whoever is signed in.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station, channel))]
pub async fn watch_sync(
    station: SharedStation<'_>,
    channel: Channel<SyncStatusView>,
) -> Result<SyncStatusView, ErrorView> {
    blocking(&station, move |station| {
        let status = station.sync_status()?;
        station.on_sync_status(Some(Arc::new(move |status: &SyncStatusView| {
            // A window that reloaded or closed takes no more; its next `watch_sync` replaces
            // this channel.
            if let Err(error) = channel.send(status.clone()) {
                tracing::debug!(%error, "a sync status was not delivered");
            }
        })));
        Ok(status)
    })
    .await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn upload_center(station: SharedStation<'_>) -> Result<UploadCenterView, ErrorView> {
    blocking(&station, |station| station.upload_center()).await
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn release_quarantined(
    station: SharedStation<'_>,
    registration_id: String,
) -> Result<UploadCenterView, ErrorView> {
    blocking(&station, move |station| station.release_quarantined(&registration_id)).await
}

/// A supervisor dealt with a packet the register returned (rejected, or re-register).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn mark_register_return_handled(
    station: SharedStation<'_>,
    registration_id: String,
) -> Result<ReturnedByRegisterView, ErrorView> {
    blocking(&station, move |station| {
        station.mark_register_return_handled(&registration_id)
    })
    .await
}

/// The rejection reasons the register's master data offers (empty before it sent any).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn rejection_reasons(station: SharedStation<'_>) -> Result<Vec<MasterEntryView>, ErrorView> {
    blocking(&station, |station| station.rejection_reasons()).await
}

/// Runs a station call on the blocking pool: vault work (SQLite with `synchronous=FULL`,
/// Argon2 at about half a second) must not stall the async runtime that serves IPC.
async fn blocking<T, F>(station: &StationSlot, call: F) -> Result<T, ErrorView>
where
    T: Send + 'static,
    F: FnOnce(&Station) -> Result<T, StationError> + Send + 'static,
{
    let station = station.station().map_err(for_the_window)?;
    let outcome = tauri::async_runtime::spawn_blocking(move || call(&station))
        .await
        .map_err(task_failed)?;
    outcome.map_err(for_the_window)
}

/// Runs one of the station's async calls (setup, sync) on the blocking pool. They mix network
/// waits with key derivation and sealing; driving them there keeps the IPC runtime free and
/// does not require their futures to be `Send`.
async fn blocking_async<T, F, Fut>(station: &StationSlot, call: F) -> Result<T, ErrorView>
where
    T: Send + 'static,
    F: FnOnce(Arc<Station>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, StationError>>,
{
    let station = station.station().map_err(for_the_window)?;
    let outcome = tauri::async_runtime::spawn_blocking(move || tauri::async_runtime::block_on(call(station)))
        .await
        .map_err(task_failed)?;
    outcome.map_err(for_the_window)
}

/// A failed call as the window gets it. The English detail goes to the log here, inside the
/// command's span: a warning, since most failures are a person's mistake (a wrong password, an
/// empty field); the station logs its own failures as errors.
fn for_the_window(error: StationError) -> ErrorView {
    tracing::warn!(code = error.code(), %error, "command refused");
    ErrorView::from(&error)
}

/// A slip that could not be saved, as the window gets it: `invalid_path` or `slip_pdf_failed`;
/// the English detail goes to the log (not the path: the clerk may have named the file after the
/// resident).
fn slip_pdf_refused(error: SlipPdfError) -> ErrorView {
    let code = match error {
        SlipPdfError::InvalidPath(_) => ErrorCode::InvalidPath,
        SlipPdfError::Failed(_) => ErrorCode::SlipPdfFailed,
    };
    tracing::warn!(code = code.as_str(), %error, "command refused");
    ErrorView {
        code,
        params: BTreeMap::new(),
        fields: Vec::new(),
    }
}

/// A station call that panicked (a bug): the window gets a readable error with a stable code
/// instead of a promise that never settles, and the panic itself is in the log.
fn task_failed(error: tauri::Error) -> ErrorView {
    tracing::error!(%error, "a station call failed unexpectedly");
    ErrorView::from(&StationError::Internal(format!("a station call failed: {error}")))
}

/// The supervisor's dashboard and end-of-day report (see `Station::dashboard`): today is the day
/// on the window's wall clock, `utc_offset_minutes` ahead of UTC.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(station))]
pub async fn dashboard(
    station: SharedStation<'_>,
    utc_offset_minutes: i16,
) -> Result<enroll_station::DashboardView, ErrorView> {
    blocking(&station, move |station| station.dashboard(utc_offset_minutes)).await
}
