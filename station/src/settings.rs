//! The station's settings screen as the station sees it: what each operator may read and
//! change there, checked here whatever the window shows.
//!
//! - **The intake address** (admins only): where the sync sends packets and asks for
//!   configuration. The register's keys pinned at setup do not change with it: a server at the
//!   new address is believed only if it holds the same register's keys (receipts and
//!   configuration are verified against them), so moving the address cannot hand the station to
//!   another register. `https://` is required except on the station itself (loopback), where a
//!   local intake or relay runs; a plain-HTTP address across a network would show the
//!   register's traffic (not the sealed packets) to anyone on the link.
//! - **The devices** (everyone): the device panel lists what the station found, through
//!   [`Station::devices`] and [`Station::refresh_devices`].
//! - **The interface language** (each operator, their own): kept in the vault so that it follows
//!   the operator to any window of this station and across restarts; [`StationStatus`] carries
//!   it and the window applies it at sign-in. Only languages the window has a catalogue for
//!   ([`UI_LANGUAGES`]) are accepted.
//! - **The quality thresholds** (supervisors and admins), only where the capture policy lets a
//!   station move them and only within its range (`adjustableQuality` in
//!   `schemas/default/capture-policy.json`); stored, audited, in force at once
//!   (`biometrics::policy_in_force`). A supervisor is the one who sees, at the center, that
//!   residents' worn fingers never reach the national threshold; the country decides how far
//!   they may go.
//! - Deliberately absent: the data-entry languages. They are the country's configuration
//!   (`schemas/default/ui-spec.json`), which the register sends; a station dropping one would
//!   make packets the register did not ask for.
//!
//! [`StationStatus`]: crate::StationStatus

use enroll_schemas::{PolicyModality, QualityRange, QualityThresholds, MODALITIES};
use serde::{Deserialize, Serialize};

use crate::operators::{require_admin, require_supervisor};
use crate::{rfc3339, FieldError, Station, StationError};

/// The interface languages the window has a catalogue for (`ui/src/lib/i18n/catalogues.ts`,
/// whose test checks that both lists agree).
pub const UI_LANGUAGES: &[&str] = &["en", "fr", "ar", "zgh"];

/// The longest intake address accepted: a URL, not a document.
const MAX_INTAKE_URL_CHARS: usize = 2048;

/// What the settings screen shows the signed-in operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SettingsView {
    /// Where the sync sends packets.
    pub intake_url: String,
    /// Whether this operator may change it (admins).
    pub may_change_intake: bool,
    /// Each modality's threshold: in force, configured, and how far it may move.
    pub quality: Vec<QualityThresholdView>,
    /// Whether this operator may move the thresholds that can move (supervisors and admins).
    pub may_change_quality: bool,
}

/// One modality's quality threshold, 0 to 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct QualityThresholdView {
    pub modality: PolicyModality,
    /// In force at this station.
    pub threshold: u8,
    /// The capture policy's.
    pub configured: u8,
    /// How far the station may move it; `None`: the policy fixes it.
    pub range: Option<QualityRange>,
}

/// A supervisor's thresholds, one per modality (wide and signed: a wrong number is a field
/// error with a message, not a request the station cannot read). A modality the policy fixes
/// must keep its configured value.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct QualityThresholdsRequest {
    pub finger: i64,
    pub iris: i64,
    pub face: i64,
}

/// An operator's interface language.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct UiLanguageRequest {
    /// One of [`UI_LANGUAGES`].
    pub language: String,
}

/// An admin's new intake address.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct IntakeAddressRequest {
    pub intake_url: String,
}

impl Station {
    /// The settings as the signed-in operator may see them.
    pub fn settings(&self) -> Result<SettingsView, StationError> {
        let (operator, _) = self.signed_in()?;
        let station = self.vault().station()?.ok_or(StationError::NotSetUp)?;
        let in_force = self.capture_policy();
        let configured = self.capture_policies.configured();
        let quality: Vec<QualityThresholdView> = MODALITIES
            .into_iter()
            .map(|modality| QualityThresholdView {
                modality,
                threshold: in_force.quality_threshold.for_modality(modality),
                configured: configured.quality_threshold.for_modality(modality),
                range: configured.adjustable_quality.for_modality(modality),
            })
            .collect();
        Ok(SettingsView {
            intake_url: station.intake_url,
            may_change_intake: require_admin(&operator, "change the intake address").is_ok(),
            may_change_quality: require_supervisor(&operator, "change the quality thresholds").is_ok()
                && quality.iter().any(|view| view.range.is_some()),
            quality,
        })
    }

    /// Set the station's quality thresholds (supervisors and admins), each within the range
    /// the capture policy allows (fields `quality.finger`, `quality.iris`, `quality.face`,
    /// codes `out_of_range`, `not_adjustable`). Stored and audited in one transaction; in force
    /// for the next capture and every check from then on. The configured values clear the
    /// station's choice.
    pub fn set_quality_thresholds(&self, request: QualityThresholdsRequest) -> Result<SettingsView, StationError> {
        let (operator, _) = self.signed_in()?;
        require_supervisor(&operator, "change the quality thresholds")?;
        let configured = self.capture_policies.configured();
        let chosen = check_thresholds(&request, &configured)?;
        let before = self.capture_policy().quality_threshold;
        let stored = (chosen != configured.quality_threshold).then_some(chosen);
        let json = stored.map(|t| serde_json::to_string(&t).expect("three numbers serialize"));
        let shown = |t: QualityThresholds| format!("finger {}, iris {}, face {}", t.finger, t.iris, t.face);
        let details = format!("{} -> {}", shown(before), shown(chosen));
        self.vault()
            .set_station_quality_thresholds(json.as_deref(), &details, &rfc3339((self.clock)()))?;
        self.capture_policies.choose(stored);
        tracing::info!(%details, by = %operator.username, "quality thresholds changed");
        self.settings()
    }

    /// What the vault holds of the station's chosen thresholds (see [`parse_chosen_quality`]).
    pub(crate) fn chosen_quality_thresholds(&self) -> Option<QualityThresholds> {
        match self.vault().station_quality_thresholds() {
            Ok(stored) => parse_chosen_quality(stored),
            Err(error) => {
                tracing::warn!(%error, "the station's quality thresholds could not be read; the policy's apply");
                None
            }
        }
    }

    /// Point the sync at another intake (admins only). The address is checked first (field
    /// `intake_url`, codes `required`, `invalid_format`, `not_secure`), then stored and
    /// audited in one transaction; the next sync uses it, and the background sync is woken to
    /// try it at once.
    pub fn set_intake_address(&self, request: IntakeAddressRequest) -> Result<SettingsView, StationError> {
        let (operator, _) = self.signed_in()?;
        require_admin(&operator, "change the intake address")?;
        let intake_url = check_intake_url(&request.intake_url)?;
        self.vault().set_intake_url(&intake_url, &rfc3339((self.clock)()))?;
        tracing::info!(%intake_url, by = %operator.username, "intake address changed");
        self.wake_sync();
        self.settings()
    }
}

impl Station {
    /// Keep the signed-in operator's interface language (any operator, for themselves only:
    /// the request names no one). Field `language`, code `not_an_option` for a language the
    /// window has no catalogue for.
    pub fn set_ui_language(&self, request: UiLanguageRequest) -> Result<(), StationError> {
        let (operator, _) = self.signed_in()?;
        let Some(language) = UI_LANGUAGES.iter().find(|code| **code == request.language) else {
            return Err(StationError::ValidationFailed(vec![FieldError {
                field: "language".into(),
                language: None,
                code: "not_an_option".into(),
                message: format!("the interface is in {}", UI_LANGUAGES.join(", ")),
            }]));
        };
        self.vault()
            .set_operator_ui_language(&operator.username, Some(language))?;
        Ok(())
    }

    /// The signed-in operator's interface language, if they chose one.
    pub(crate) fn operator_ui_language(&self, username: &str) -> Result<Option<String>, StationError> {
        let stored = self.vault().operator_ui_language(username)?;
        // A value this version has no catalogue for (written by a later one) is no choice.
        Ok(stored.filter(|language| UI_LANGUAGES.contains(&language.as_str())))
    }
}

/// The thresholds as stored by [`Station::set_quality_thresholds`]; anything else (a vault
/// edited by hand) is set aside with a warning: the capture policy's apply.
pub(crate) fn parse_chosen_quality(stored: Option<String>) -> Option<QualityThresholds> {
    let stored = stored?;
    match serde_json::from_str::<QualityThresholds>(&stored) {
        Ok(thresholds) => Some(thresholds),
        Err(error) => {
            tracing::warn!(%error, "the station's stored quality thresholds are unreadable; the policy's apply");
            None
        }
    }
}

/// Every modality within what the policy allows, or a field error for each one that is not.
fn check_thresholds(
    request: &QualityThresholdsRequest,
    configured: &enroll_schemas::CapturePolicy,
) -> Result<QualityThresholds, StationError> {
    let mut problems = Vec::new();
    let mut values = [0u8; 3];
    for (index, modality) in MODALITIES.into_iter().enumerate() {
        let asked = match modality {
            PolicyModality::Finger => request.finger,
            PolicyModality::Iris => request.iris,
            PolicyModality::Face => request.face,
        };
        let configured_value = configured.quality_threshold.for_modality(modality);
        let field = format!("quality.{}", modality.name());
        match configured.adjustable_quality.for_modality(modality) {
            Some(range) => match u8::try_from(asked).ok().filter(|v| (range.min..=range.max).contains(v)) {
                Some(value) => values[index] = value,
                None => problems.push(FieldError {
                    field,
                    language: None,
                    code: "out_of_range".into(),
                    message: format!(
                        "the {} threshold is from {} to {}",
                        modality.name(),
                        range.min,
                        range.max
                    ),
                }),
            },
            None if asked == i64::from(configured_value) => values[index] = configured_value,
            None => problems.push(FieldError {
                field,
                language: None,
                code: "not_adjustable".into(),
                message: format!(
                    "the capture policy fixes the {} threshold at {configured_value}",
                    modality.name()
                ),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(StationError::ValidationFailed(problems));
    }
    let [finger, iris, face] = values;
    Ok(QualityThresholds { finger, iris, face })
}

/// The address as it will be stored (trimmed), or why it is refused.
fn check_intake_url(typed: &str) -> Result<String, StationError> {
    let refuse = |code: &str, message: &str| {
        StationError::ValidationFailed(vec![FieldError {
            field: "intake_url".into(),
            language: None,
            code: code.into(),
            message: message.into(),
        }])
    };
    let trimmed = typed.trim();
    if trimmed.is_empty() {
        return Err(refuse("required", "the intake address is required"));
    }
    if trimmed.chars().count() > MAX_INTAKE_URL_CHARS || trimmed.chars().any(char::is_control) {
        return Err(refuse("invalid_format", "this is not a web address"));
    }
    // The sync client's own rules (http or https, a host, no query or fragment)...
    if let Err(error) = enroll_sync::IntakeClient::new(trimmed) {
        return Err(refuse("invalid_format", &error.to_string()));
    }
    // ...and the station's: no password in the address (it would sit in the vault and the
    // audit trail in clear), and https beyond this machine.
    let url = enroll_sync::Url::parse(trimmed).map_err(|error| refuse("invalid_format", &error.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "invalid_format",
            "the address must not hold a user name or a password",
        ));
    }
    if url.scheme() != "https" && !is_loopback(&url) {
        return Err(refuse(
            "not_secure",
            "an intake on another machine is reached over https://; http:// is for this machine only",
        ));
    }
    Ok(trimmed.to_owned())
}

fn is_loopback(url: &enroll_sync::Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{TestStation, ADMIN, OFFICER, SUPERVISOR};
    use enroll_schemas::{CapturePolicy, PolicyStep};

    fn thresholds(finger: i64, iris: i64, face: i64) -> QualityThresholdsRequest {
        QualityThresholdsRequest { finger, iris, face }
    }

    fn refusals(result: Result<SettingsView, StationError>) -> Vec<(String, String)> {
        match result {
            Err(StationError::ValidationFailed(problems)) => problems.into_iter().map(|p| (p.field, p.code)).collect(),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn a_supervisor_moves_a_threshold_within_the_policys_range_and_it_applies_at_once() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        assert!(!test.station.settings().unwrap().may_change_quality);
        assert!(matches!(
            test.station.set_quality_thresholds(thresholds(30, 60, 90)),
            Err(StationError::NotPermitted { .. })
        ));

        test.as_user(SUPERVISOR);
        let view = test.station.settings().unwrap();
        assert!(view.may_change_quality);
        let face = view
            .quality
            .iter()
            .find(|q| q.modality == PolicyModality::Face)
            .unwrap();
        assert_eq!((face.threshold, face.configured), (90, 90));
        assert_eq!(face.range, Some(QualityRange { min: 80, max: 95 }));

        // Out of range and not a number of the range: each field says so, nothing changes.
        assert_eq!(
            refusals(test.station.set_quality_thresholds(thresholds(29, 60, 96))),
            [
                ("quality.finger".to_string(), "out_of_range".to_string()),
                ("quality.face".to_string(), "out_of_range".to_string())
            ]
        );
        assert_eq!(test.station.capture_policy().threshold(PolicyStep::Face), 90);

        let view = test.station.set_quality_thresholds(thresholds(30, 60, 85)).unwrap();
        let face = view
            .quality
            .iter()
            .find(|q| q.modality == PolicyModality::Face)
            .unwrap();
        assert_eq!((face.threshold, face.configured), (85, 90));
        assert_eq!(test.station.capture_policy().threshold(PolicyStep::Thumbs), 30);
        // The next capture is judged against it: the registration's view says the new threshold.
        let rid = test.station.new_registration().unwrap().registration_id;
        let biometrics = test.station.biometrics(&rid).unwrap();
        let face_step = biometrics.steps.iter().find(|s| s.step == PolicyStep::Face).unwrap();
        assert_eq!(face_step.threshold, 85);

        // Kept across a restart; audited with before and after.
        let test = test.reopen();
        assert_eq!(test.station.capture_policy().threshold(PolicyStep::Face), 85);
        let events = test.station.vault().audit_events().unwrap();
        let changed = events
            .iter()
            .find(|e| e.action == "quality_thresholds_changed")
            .unwrap();
        assert_eq!(changed.actor, SUPERVISOR);
        assert_eq!(
            changed.details,
            "finger 40, iris 60, face 90 -> finger 30, iris 60, face 85"
        );

        // The configured values clear the choice.
        test.as_user(ADMIN);
        test.station.set_quality_thresholds(thresholds(40, 60, 90)).unwrap();
        assert_eq!(test.station.vault().station_quality_thresholds().unwrap(), None);
    }

    #[test]
    fn a_threshold_the_policy_fixes_stays_and_a_narrowed_policy_sets_the_choice_aside() {
        let test = TestStation::new();
        test.as_user(SUPERVISOR);
        test.station.set_quality_thresholds(thresholds(40, 60, 82)).unwrap();

        // The register sends a policy that fixes the face: the station's 82 no longer applies.
        let fixed = CapturePolicy {
            adjustable_quality: Default::default(),
            ..CapturePolicy::face_only()
        };
        let test = TestStation {
            station: test.station.with_capture_policy(fixed),
            ..test
        };
        assert_eq!(test.station.capture_policy().threshold(PolicyStep::Face), 90);
        let view = test.station.settings().unwrap();
        assert!(!view.may_change_quality, "nothing can move");
        assert_eq!(
            refusals(test.station.set_quality_thresholds(thresholds(40, 60, 82))),
            [("quality.face".to_string(), "not_adjustable".to_string())]
        );
    }

    fn language_request(language: &str) -> UiLanguageRequest {
        UiLanguageRequest {
            language: language.into(),
        }
    }

    #[test]
    fn each_operator_keeps_their_own_interface_language_across_a_restart() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        assert_eq!(test.station.status().unwrap().ui_language, None, "nothing chosen yet");
        test.station.set_ui_language(language_request("ar")).unwrap();
        match test.station.set_ui_language(language_request("de")) {
            Err(StationError::ValidationFailed(problems)) => {
                assert_eq!(
                    (problems[0].field.as_str(), problems[0].code.as_str()),
                    ("language", "not_an_option")
                );
            }
            other => panic!("a language without a catalogue was taken: {other:?}"),
        }
        test.as_user(SUPERVISOR);
        assert_eq!(
            test.station.status().unwrap().ui_language,
            None,
            "the officer's choice is theirs"
        );
        test.station.set_ui_language(language_request("zgh")).unwrap();

        let test = test.reopen();
        assert_eq!(test.station.status().unwrap().ui_language, None, "nobody is signed in");
        test.as_user(OFFICER);
        assert_eq!(test.station.status().unwrap().ui_language.as_deref(), Some("ar"));
        test.as_user(SUPERVISOR);
        assert_eq!(test.station.status().unwrap().ui_language.as_deref(), Some("zgh"));
        test.station.log_out();
        assert!(matches!(
            test.station.set_ui_language(language_request("fr")),
            Err(StationError::NotSignedIn)
        ));
    }

    fn code_of(typed: &str) -> String {
        match check_intake_url(typed) {
            Err(StationError::ValidationFailed(problems)) => problems[0].code.clone(),
            other => panic!("{typed:?} was not refused: {other:?}"),
        }
    }

    #[test]
    fn an_intake_address_is_https_or_on_this_machine() {
        for accepted in [
            "https://intake.register.example",
            " https://intake.register.example:8443/v1/ ",
            "http://127.0.0.1:8470",
            "http://localhost:8470",
            "http://[::1]:8470",
        ] {
            assert_eq!(check_intake_url(accepted).unwrap(), accepted.trim());
        }
        assert_eq!(code_of("   "), "required");
        assert_eq!(code_of("intake.register.example"), "invalid_format");
        assert_eq!(code_of("ftp://intake.register.example"), "invalid_format");
        assert_eq!(code_of("https://intake.register.example/?station=1"), "invalid_format");
        assert_eq!(
            code_of("https://admin:secret@intake.register.example"),
            "invalid_format"
        );
        assert_eq!(code_of("https://intake.register.example/\nx"), "invalid_format");
        assert_eq!(
            code_of(&format!("https://{}.example", "a".repeat(3000))),
            "invalid_format"
        );
        assert_eq!(code_of("http://intake.register.example"), "not_secure");
        assert_eq!(code_of("http://192.168.1.20:8470"), "not_secure");
    }
}
