// Every element the end-to-end test touches, named once. Components use these as
// `data-testid`; the end-to-end test gets them from this file (`e2e/build.rs` turns the table
// and the helpers into Rust), so the ids are written nowhere else.
//
// Keep the form that build reads (it refuses anything else, saying which line):
// - in `TestId`, one `Name: 'id',` per line; ids of a-z, 0-9 and -;
// - a helper as three lines: `export function nameId(a: string): string {`, then
//   `return \`text-${a}\`;`, then `}`. Helpers of another form (like `fieldInputId`) are
//   written by hand in `e2e/tests/app/test_ids.rs`, which checks them against this file.

export const TestId = {
  LanguageSelect: 'language-select',
  Banner: 'banner',
  SimulatedStationBadge: 'simulated-station-badge',
  SignedInOperator: 'signed-in-operator',
  LogOutButton: 'log-out',
  StartFailed: 'start-failed',
  StartRetry: 'start-retry',

  SetupScreen: 'setup-screen',
  SetupStationName: 'setup-station-name',
  SetupCenterId: 'setup-center-id',
  SetupAdminUsername: 'setup-admin-username',
  SetupAdminFullName: 'setup-admin-full-name',
  SetupPassword: 'setup-password',
  SetupPasswordConfirm: 'setup-password-confirm',
  SetupEnrollmentCode: 'setup-enrollment-code',
  SetupSubmit: 'setup-submit',

  LoginScreen: 'login-screen',
  LoginUsername: 'login-username',
  LockNotice: 'lock-notice',
  LoginPassword: 'login-password',
  LoginSubmit: 'login-submit',
  LoginError: 'login-error',

  HomeScreen: 'home-screen',
  HomeStationName: 'home-station-name',
  HomeCounts: 'home-counts',
  NewRegistration: 'new-registration',
  StartProcessOpen: 'start-process-open',
  StartProcessDialog: 'start-process-dialog',
  StartProcessResidentId: 'start-process-resident-id',
  StartProcessResidentIdError: 'start-process-resident-id-error',
  StartProcessRequestId: 'start-process-request-id',
  StartProcessRequestIdError: 'start-process-request-id-error',
  StartProcessChangesError: 'start-process-changes-error',
  StartProcessConfirm: 'start-process-confirm',
  StartProcessCancel: 'start-process-cancel',
  ProcessBanner: 'process-banner',
  SyncNow: 'sync-now',
  HomeDrafts: 'home-drafts',
  HomePending: 'home-pending',
  HomeQueue: 'home-queue',
  HomeAcknowledged: 'home-acknowledged',
  HomeReturned: 'home-returned',
  HomeReturnedItem: 'home-returned-item',
  HomeReturnedHandled: 'home-returned-handled',

  SyncStatus: 'sync-status',
  OfflineNotice: 'offline-notice',
  SyncProgress: 'sync-progress',
  UploadCenterOpen: 'upload-center-open',
  UploadCenter: 'upload-center',
  UploadCenterBack: 'upload-center-back',
  UploadCenterSync: 'upload-center-sync',

  RegistrationScreen: 'registration-screen',
  RegistrationId: 'registration-id',
  AutosaveStatus: 'autosave-status',
  FinalizeButton: 'finalize',
  RegistrationDecision: 'registration-decision',
  RegistrationReceipt: 'registration-receipt',
  RegistrationRegisterStatus: 'registration-register-status',
  BackToHome: 'back-to-home',

  BiometricsSection: 'biometrics',
  BiometricsStatus: 'biometrics-status',
  BiometricsLoadError: 'biometrics-load-error',
  ExceptionDialog: 'exception-dialog',
  ExceptionKindMissing: 'exception-kind-missing',
  ExceptionKindUnusable: 'exception-kind-unusable',
  ExceptionReason: 'exception-reason',
  ExceptionConfirm: 'exception-confirm',
  ExceptionCancel: 'exception-cancel',
  SignOffDialog: 'sign-off-dialog',
  SignOffUsername: 'sign-off-username',
  SignOffPassword: 'sign-off-password',
  SignOffError: 'sign-off-error',
  SignOffConfirm: 'sign-off-confirm',
  SignOffCancel: 'sign-off-cancel',
  ExceptionPhotoCard: 'exception-photo',
  ExceptionPhotoPreview: 'exception-photo-preview',
  CaptureExceptionPhoto: 'capture-exception-photo',
  ExceptionPhotoError: 'exception-photo-error',

  AddOperatorOpen: 'add-operator-open',
  OperatorUsername: 'operator-username',
  OperatorFullName: 'operator-full-name',
  OperatorRole: 'operator-role',
  OperatorPassword: 'operator-password',
  OperatorPasswordConfirm: 'operator-password-confirm',
  OperatorSubmit: 'operator-submit',

  AdminOpen: 'admin-open',
  AdminScreen: 'admin-screen',
  AdminBack: 'admin-back',
  OperatorList: 'operator-list',
  ReviewDecision: 'review-decision',
  ReviewApprove: 'review-approve',
  ReviewReject: 'review-reject',
  ReviewRejectReason: 'review-reject-reason',
  ReviewRejectChoice: 'review-reject-choice',
  ReviewRejectConfirm: 'review-reject-confirm',
  SlipScreen: 'slip-screen',
  SlipQr: 'slip-qr',
  SlipPhoto: 'slip-photo',
  SlipRegistrationId: 'slip-registration-id',
  SlipPrint: 'slip-print',
  SlipSavePdf: 'slip-save-pdf',
  SlipDone: 'slip-done',
  RegistrationSlipOpen: 'registration-slip-open',
  ConsentStep: 'consent-step',
  ConsentAgree: 'consent-agree',
  ConsentRefuse: 'consent-refuse',
  ConsentRefuseConfirm: 'consent-refuse-confirm',
  ConsentRefuseCancel: 'consent-refuse-cancel',
  ConsentGiven: 'consent-given',
  WizardSteps: 'wizard-steps',
  WizardNext: 'wizard-next',
  WizardBody: 'wizard-body',
  WizardPrevious: 'wizard-previous',
  ReviewStep: 'review-step',
  OfficerSignOffOpen: 'officer-sign-off-open',
  OfficerSignOffByFinger: 'officer-sign-off-by-finger',
  OfficerSignOffDialog: 'officer-sign-off-dialog',
  OfficerSignOffPassword: 'officer-sign-off-password',
  OfficerSignOffConfirm: 'officer-sign-off-confirm',
  OfficerSignOffCancel: 'officer-sign-off-cancel',
  OfficerSignOffError: 'officer-sign-off-error',
  DocumentsStep: 'documents-step',
  ReviewDocuments: 'review-documents',
  HomeSelectAll: 'home-select-all',
  HomeApproveSelected: 'home-approve-selected',
  BatchApproveDialog: 'batch-approve-dialog',
  BatchApprovePassword: 'batch-approve-password',
  BatchApproveConfirm: 'batch-approve-confirm',
  BatchApproveCancel: 'batch-approve-cancel',
  BatchApproveError: 'batch-approve-error',
  OperatorRegisterListNote: 'operator-register-list-note',
  ResetPassword: 'reset-password',
  ResetPasswordConfirm: 'reset-password-confirm',
  ResetSubmit: 'reset-submit',

  AccountOpen: 'account-open',
  AccountScreen: 'account-screen',
  AccountBack: 'account-back',
  OldPassword: 'old-password',
  NewPassword: 'new-password',
  NewPasswordConfirm: 'new-password-confirm',
  ChangePasswordSubmit: 'change-password-submit',

  PolicyIdleLock: 'policy-idle-lock',
  PolicyRetention: 'policy-retention',
  PolicySubmit: 'policy-submit',
  PolicyOutcome: 'policy-outcome',

  PurgeStart: 'purge-start',
  PurgeConfirm: 'purge-confirm',
  PurgeCancel: 'purge-cancel',
  PurgeOutcome: 'purge-outcome',

  SettingsOpen: 'settings-open',
  SettingsScreen: 'settings-screen',
  SettingsBack: 'settings-back',
  SettingsLanguageOutcome: 'settings-language-outcome',
  SettingsIntake: 'settings-intake',
  SettingsIntakeUrl: 'settings-intake-url',
  SettingsIntakeSave: 'settings-intake-save',
  SettingsIntakeOutcome: 'settings-intake-outcome',
  SettingsQuality: 'settings-quality',
  SettingsQualitySave: 'settings-quality-save',
  SettingsQualityOutcome: 'settings-quality-outcome',
  SettingsDevices: 'settings-devices',
  SettingsDevicesRefresh: 'settings-devices-refresh',
  SettingsFingers: 'settings-fingers',
  SettingsFingersStatus: 'settings-fingers-status',
  SettingsFingersStep: 'settings-fingers-step',
  SettingsFingersPassword: 'settings-fingers-password',
  SettingsFingersEnroll: 'settings-fingers-enroll',
  SettingsFingersOutcome: 'settings-fingers-outcome',

  DashboardOpen: 'dashboard-open',
  DashboardScreen: 'dashboard-screen',
  DashboardBack: 'dashboard-back',
  DashboardRefresh: 'dashboard-refresh',
  DashboardPrint: 'dashboard-print',
  DashboardSavePdf: 'dashboard-save-pdf',
  DashboardReport: 'dashboard-report',
  DashboardOperators: 'dashboard-operators',
  DashboardTotals: 'dashboard-totals',
  DashboardStates: 'dashboard-states',
  DashboardPending: 'dashboard-pending',
  DashboardReview: 'dashboard-review',
  DashboardSync: 'dashboard-sync',
  DashboardStorage: 'dashboard-storage',
  DashboardDevices: 'dashboard-devices',
  DashboardOffline: 'dashboard-offline',
} as const;

export type TestIdValue = (typeof TestId)[keyof typeof TestId];

/** The input of one field, e.g. `field-fullName-ara`, or `field-gender` when not multilingual. */
export function fieldInputId(fieldId: string, language?: string): string {
  return language ? `field-${fieldId}-${language}` : `field-${fieldId}`;
}

/** The error message shown under one field's input (same naming as the input, `-error`). */
export function fieldErrorId(fieldId: string, language?: string): string {
  return `${fieldInputId(fieldId, language)}-error`;
}

/** The problem under a labelled input of the setup, operator, password and policy forms. */
export function inputErrorId(inputTestId: string): string {
  return `${inputTestId}-error`;
}

/** A row of the home list and the parts of it the test reads. */
export function documentPhotographId(category: string): string {
  return `document-${category}-photograph`;
}
export function qualityThresholdId(modality: string): string {
  return `quality-threshold-${modality}`;
}
export function uiLanguageChoiceId(language: string): string {
  return `ui-language-${language}`;
}
export function processChoiceId(process: string): string {
  return `process-${process}`;
}
export function processChangeId(group: string): string {
  return `process-change-${group}`;
}
export function fieldAgeInputId(fieldId: string): string {
  return `age-${fieldId}`;
}
export function rowId(registrationId: string): string {
  return `row-${registrationId}`;
}
export function rowStateId(registrationId: string): string {
  return `row-${registrationId}-state`;
}
export function consentTextId(language: string): string {
  return `consent-text-${language}`;
}
export function rowSelectId(registrationId: string): string {
  return `row-${registrationId}-select`;
}
export function rowApproveId(registrationId: string): string {
  return `row-${registrationId}-approve`;
}
export function rowRejectChoiceId(registrationId: string): string {
  return `row-${registrationId}-reject-choice`;
}
export function rowRejectReasonId(registrationId: string): string {
  return `row-${registrationId}-reject-reason`;
}
export function rowRejectConfirmId(registrationId: string): string {
  return `row-${registrationId}-reject-confirm`;
}
export function rowRejectId(registrationId: string): string {
  return `row-${registrationId}-reject`;
}
export function rowContinueId(registrationId: string): string {
  return `row-${registrationId}-continue`;
}
export function rowReviewId(registrationId: string): string {
  return `row-${registrationId}-review`;
}
export function rowReceiptId(registrationId: string): string {
  return `row-${registrationId}-receipt`;
}
export function rowErrorId(registrationId: string): string {
  return `row-${registrationId}-error`;
}
export function rowDecisionId(registrationId: string): string {
  return `row-${registrationId}-decision`;
}
export function rowOpenId(registrationId: string): string {
  return `row-${registrationId}-open`;
}

/** The "show more" button under one of the home lists, e.g. `home-queue-more`. */
export function listMoreId(listTestId: string): string {
  return `${listTestId}-more`;
}

/** A packet of the upload center, and its "Try again" (a quarantined one, for supervisors). */
export function uploadRowId(registrationId: string): string {
  return `upload-${registrationId}`;
}
export function uploadReleaseId(registrationId: string): string {
  return `upload-release-${registrationId}`;
}

/** A row of the operator list and its parts, e.g. `operator-sara.officer-remove`. */
/** What the register's operator list says of an operator it leaves out or suspends. */
export function operatorListingId(username: string): string {
  return `operator-listing-${username}`;
}
export function operatorRowId(username: string): string {
  return `operator-${username}`;
}
export function operatorResetId(username: string): string {
  return `operator-${username}-reset`;
}
export function operatorRemoveId(username: string): string {
  return `operator-${username}-remove`;
}
export function operatorRemoveConfirmId(username: string): string {
  return `operator-${username}-remove-confirm`;
}
export function operatorErrorId(username: string): string {
  return `operator-${username}-error`;
}

/** One step of the biometrics (`leftSlap`...): its card, and the parts of it the test uses. */
export function biometricStepId(step: string): string {
  return `biometric-step-${step}`;
}
export function captureStepId(step: string): string {
  return `biometric-step-${step}-capture`;
}
export function stepAttemptsId(step: string): string {
  return `biometric-step-${step}-attempts`;
}
export function stepSimulatedBadgeId(step: string): string {
  return `biometric-step-${step}-simulated`;
}
export function stepDeviceNameId(step: string): string {
  return `biometric-step-${step}-device`;
}
export function stepDeveloperModeId(step: string): string {
  return `biometric-step-${step}-developer-mode`;
}
export function stepRefreshDevicesId(step: string): string {
  return `biometric-step-${step}-refresh-devices`;
}
export function stepErrorId(step: string): string {
  return `biometric-step-${step}-error`;
}
export function signOffOpenId(step: string): string {
  return `biometric-step-${step}-sign-off`;
}
export function signedOffById(step: string): string {
  return `biometric-step-${step}-signed-off`;
}

/** One finger or eye (`leftIndex`...): its tile (which carries `data-position`) and its parts. */
export function biometricTileId(position: string): string {
  return `tile-${position}`;
}
export function tileQualityId(position: string): string {
  return `tile-${position}-quality`;
}
export function tileStateId(position: string): string {
  return `tile-${position}-state`;
}
export function tileThumbnailId(position: string): string {
  return `tile-${position}-thumbnail`;
}
export function tileMarkExceptionId(position: string): string {
  return `tile-${position}-mark-exception`;
}
export function tileUndoExceptionId(position: string): string {
  return `tile-${position}-undo-exception`;
}
export function tileErrorId(position: string): string {
  return `tile-${position}-error`;
}

// The live preview of a biometric step (LivePreview.svelte).
export function livePreviewToggleId(step: string): string {
  return `live-preview-${step}-toggle`;
}
export function livePreviewFrameId(step: string): string {
  return `live-preview-${step}-frame`;
}
export function livePreviewStatusId(step: string): string {
  return `live-preview-${step}-status`;
}
export function livePreviewSimulatedId(step: string): string {
  return `live-preview-${step}-simulated`;
}

// The registration wizard (WizardSteps.svelte, ReviewStep.svelte, DocumentsStep.svelte).
export function wizardStepId(step: string): string {
  return `wizard-step-${step}`;
}
export function reviewEditId(step: string): string {
  return `review-edit-${step}`;
}
export function documentFileId(category: string): string {
  return `document-${category}-file`;
}
export function documentTypeId(category: string): string {
  return `document-${category}-type`;
}
export function documentReferenceId(category: string): string {
  return `document-${category}-reference`;
}
export function documentAttachedId(category: string): string {
  return `document-${category}-attached`;
}
export function documentRemoveId(category: string): string {
  return `document-${category}-remove`;
}
export function documentPreviewId(category: string): string {
  return `document-${category}-preview`;
}
export function documentErrorId(category: string): string {
  return `document-${category}-error`;
}
export function documentScanId(category: string): string {
  return `document-${category}-scan`;
}
export function documentPagesReadyId(category: string): string {
  return `document-${category}-pages-ready`;
}

// The supervisor's dashboard (DashboardScreen.svelte): an operator's row of today's counts.
export function dashboardOperatorId(username: string): string {
  return `dashboard-operator-${username}`;
}
