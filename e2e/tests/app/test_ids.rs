//! The `data-testid`s the test touches: a mirror of `ui/src/lib/testIds.ts`. The test
//! [`mirror_matches_the_ui_table`] reads that file, so the two cannot drift apart silently.

pub const LANGUAGE_SELECT: &str = "language-select";
pub const BANNER: &str = "banner";
pub const SIMULATED_STATION_BADGE: &str = "simulated-station-badge";
pub const SIGNED_IN_OPERATOR: &str = "signed-in-operator";
pub const LOG_OUT_BUTTON: &str = "log-out";
pub const START_FAILED: &str = "start-failed";
pub const START_RETRY: &str = "start-retry";

pub const SETUP_SCREEN: &str = "setup-screen";
pub const SETUP_STATION_NAME: &str = "setup-station-name";
pub const SETUP_CENTER_ID: &str = "setup-center-id";
pub const SETUP_ADMIN_USERNAME: &str = "setup-admin-username";
pub const SETUP_ADMIN_FULL_NAME: &str = "setup-admin-full-name";
pub const SETUP_PASSWORD: &str = "setup-password";
pub const SETUP_PASSWORD_CONFIRM: &str = "setup-password-confirm";
pub const SETUP_SUBMIT: &str = "setup-submit";

pub const LOGIN_SCREEN: &str = "login-screen";
pub const LOGIN_USERNAME: &str = "login-username";
pub const LOGIN_PASSWORD: &str = "login-password";
pub const LOGIN_SUBMIT: &str = "login-submit";
pub const LOGIN_ERROR: &str = "login-error";
pub const LOCK_NOTICE: &str = "lock-notice";

pub const HOME_SCREEN: &str = "home-screen";
pub const HOME_STATION_NAME: &str = "home-station-name";
pub const HOME_COUNTS: &str = "home-counts";
pub const NEW_REGISTRATION: &str = "new-registration";
pub const SYNC_NOW: &str = "sync-now";
pub const HOME_DRAFTS: &str = "home-drafts";
pub const HOME_PENDING: &str = "home-pending";
pub const HOME_QUEUE: &str = "home-queue";
pub const HOME_ACKNOWLEDGED: &str = "home-acknowledged";

pub const REGISTRATION_SCREEN: &str = "registration-screen";
pub const REGISTRATION_ID: &str = "registration-id";
pub const AUTOSAVE_STATUS: &str = "autosave-status";
pub const CAPTURE_FACE: &str = "capture-face";
pub const FACE_PREVIEW: &str = "face-preview";
pub const FACE_QUALITY: &str = "face-quality";
pub const SIMULATED_DEVICE_BADGE: &str = "simulated-device-badge";
pub const FINALIZE_BUTTON: &str = "finalize";
pub const REGISTRATION_DECISION: &str = "registration-decision";
pub const REGISTRATION_RECEIPT: &str = "registration-receipt";
pub const BACK_TO_HOME: &str = "back-to-home";

pub const ADD_OPERATOR_OPEN: &str = "add-operator-open";
pub const OPERATOR_USERNAME: &str = "operator-username";
pub const OPERATOR_FULL_NAME: &str = "operator-full-name";
pub const OPERATOR_ROLE: &str = "operator-role";
pub const OPERATOR_PASSWORD: &str = "operator-password";
pub const OPERATOR_PASSWORD_CONFIRM: &str = "operator-password-confirm";
pub const OPERATOR_SUBMIT: &str = "operator-submit";

pub const ADMIN_OPEN: &str = "admin-open";
pub const ADMIN_SCREEN: &str = "admin-screen";
pub const ADMIN_BACK: &str = "admin-back";
pub const OPERATOR_LIST: &str = "operator-list";
pub const RESET_PASSWORD: &str = "reset-password";
pub const RESET_PASSWORD_CONFIRM: &str = "reset-password-confirm";
pub const RESET_SUBMIT: &str = "reset-submit";
pub const ACCOUNT_OPEN: &str = "account-open";
pub const ACCOUNT_SCREEN: &str = "account-screen";
pub const ACCOUNT_BACK: &str = "account-back";
pub const OLD_PASSWORD: &str = "old-password";
pub const NEW_PASSWORD: &str = "new-password";
pub const NEW_PASSWORD_CONFIRM: &str = "new-password-confirm";
pub const CHANGE_PASSWORD_SUBMIT: &str = "change-password-submit";
pub const POLICY_IDLE_LOCK: &str = "policy-idle-lock";
pub const POLICY_RETENTION: &str = "policy-retention";
pub const POLICY_SUBMIT: &str = "policy-submit";
pub const POLICY_OUTCOME: &str = "policy-outcome";
pub const PURGE_START: &str = "purge-start";
pub const PURGE_CONFIRM: &str = "purge-confirm";
pub const PURGE_CANCEL: &str = "purge-cancel";
pub const PURGE_OUTCOME: &str = "purge-outcome";

/// Every constant above with its name in `testIds.ts` (PascalCase).
pub const ALL: &[(&str, &str)] = &[
    ("LanguageSelect", LANGUAGE_SELECT),
    ("Banner", BANNER),
    ("SimulatedStationBadge", SIMULATED_STATION_BADGE),
    ("SignedInOperator", SIGNED_IN_OPERATOR),
    ("LogOutButton", LOG_OUT_BUTTON),
    ("StartFailed", START_FAILED),
    ("StartRetry", START_RETRY),
    ("SetupScreen", SETUP_SCREEN),
    ("SetupStationName", SETUP_STATION_NAME),
    ("SetupCenterId", SETUP_CENTER_ID),
    ("SetupAdminUsername", SETUP_ADMIN_USERNAME),
    ("SetupAdminFullName", SETUP_ADMIN_FULL_NAME),
    ("SetupPassword", SETUP_PASSWORD),
    ("SetupPasswordConfirm", SETUP_PASSWORD_CONFIRM),
    ("SetupSubmit", SETUP_SUBMIT),
    ("LoginScreen", LOGIN_SCREEN),
    ("LoginUsername", LOGIN_USERNAME),
    ("LoginPassword", LOGIN_PASSWORD),
    ("LoginSubmit", LOGIN_SUBMIT),
    ("LoginError", LOGIN_ERROR),
    ("LockNotice", LOCK_NOTICE),
    ("HomeScreen", HOME_SCREEN),
    ("HomeStationName", HOME_STATION_NAME),
    ("HomeCounts", HOME_COUNTS),
    ("NewRegistration", NEW_REGISTRATION),
    ("SyncNow", SYNC_NOW),
    ("HomeDrafts", HOME_DRAFTS),
    ("HomePending", HOME_PENDING),
    ("HomeQueue", HOME_QUEUE),
    ("HomeAcknowledged", HOME_ACKNOWLEDGED),
    ("RegistrationScreen", REGISTRATION_SCREEN),
    ("RegistrationId", REGISTRATION_ID),
    ("AutosaveStatus", AUTOSAVE_STATUS),
    ("CaptureFace", CAPTURE_FACE),
    ("FacePreview", FACE_PREVIEW),
    ("FaceQuality", FACE_QUALITY),
    ("SimulatedDeviceBadge", SIMULATED_DEVICE_BADGE),
    ("FinalizeButton", FINALIZE_BUTTON),
    ("RegistrationDecision", REGISTRATION_DECISION),
    ("RegistrationReceipt", REGISTRATION_RECEIPT),
    ("BackToHome", BACK_TO_HOME),
    ("AddOperatorOpen", ADD_OPERATOR_OPEN),
    ("OperatorUsername", OPERATOR_USERNAME),
    ("OperatorFullName", OPERATOR_FULL_NAME),
    ("OperatorRole", OPERATOR_ROLE),
    ("OperatorPassword", OPERATOR_PASSWORD),
    ("OperatorPasswordConfirm", OPERATOR_PASSWORD_CONFIRM),
    ("OperatorSubmit", OPERATOR_SUBMIT),
    ("AdminOpen", ADMIN_OPEN),
    ("AdminScreen", ADMIN_SCREEN),
    ("AdminBack", ADMIN_BACK),
    ("OperatorList", OPERATOR_LIST),
    ("ResetPassword", RESET_PASSWORD),
    ("ResetPasswordConfirm", RESET_PASSWORD_CONFIRM),
    ("ResetSubmit", RESET_SUBMIT),
    ("AccountOpen", ACCOUNT_OPEN),
    ("AccountScreen", ACCOUNT_SCREEN),
    ("AccountBack", ACCOUNT_BACK),
    ("OldPassword", OLD_PASSWORD),
    ("NewPassword", NEW_PASSWORD),
    ("NewPasswordConfirm", NEW_PASSWORD_CONFIRM),
    ("ChangePasswordSubmit", CHANGE_PASSWORD_SUBMIT),
    ("PolicyIdleLock", POLICY_IDLE_LOCK),
    ("PolicyRetention", POLICY_RETENTION),
    ("PolicySubmit", POLICY_SUBMIT),
    ("PolicyOutcome", POLICY_OUTCOME),
    ("PurgeStart", PURGE_START),
    ("PurgeConfirm", PURGE_CONFIRM),
    ("PurgeCancel", PURGE_CANCEL),
    ("PurgeOutcome", PURGE_OUTCOME),
];

/// `field-<id>-<language>` or `field-<id>`, as `fieldInputId` in `testIds.ts`.
pub fn field_input(field: &str, language: Option<&str>) -> String {
    match language {
        Some(language) => format!("field-{field}-{language}"),
        None => format!("field-{field}"),
    }
}

/// As `fieldErrorId` in `testIds.ts`.
pub fn field_error(field: &str, language: Option<&str>) -> String {
    format!("{}-error", field_input(field, language))
}

/// As `operatorResetId`, `operatorRemoveId`, ... in `testIds.ts`: `operator-<username>-<part>`.
pub fn operator_part(username: &str, part: &str) -> String {
    format!("operator-{username}-{part}")
}

/// As `rowStateId`, `rowApproveId`, ... in `testIds.ts`: `row-<id>-<part>`.
pub fn row_part(registration_id: &str, part: &str) -> String {
    format!("row-{registration_id}-{part}")
}

#[test]
fn mirror_matches_the_ui_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/testIds.ts");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let table = &source[source
        .find("export const TestId = {")
        .expect("testIds.ts declares TestId")..];
    let table = &table[..table.find("} as const").expect("TestId ends with `} as const`")];
    let mut in_ui = std::collections::BTreeMap::new();
    for line in table.lines().map(str::trim).filter(|l| l.contains(": '")) {
        let (name, rest) = line.split_once(": '").unwrap();
        in_ui.insert(
            name.to_string(),
            rest.trim_end_matches(',').trim_end_matches('\'').to_string(),
        );
    }
    let mirrored: std::collections::BTreeMap<String, String> = ALL
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    assert_eq!(
        mirrored, in_ui,
        "e2e/tests/app/test_ids.rs must mirror ui/src/lib/testIds.ts"
    );
    for (helper, prefix) in [
        ("fieldInputId", "`field-${fieldId}"),
        ("rowId", "`row-${registrationId}"),
        ("operatorRowId", "`operator-${username}"),
    ] {
        assert!(
            source.contains(prefix),
            "testIds.ts {helper} no longer builds {prefix}…; update the helpers here"
        );
    }
}
