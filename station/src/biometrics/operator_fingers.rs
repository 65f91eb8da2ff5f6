//! An operator's own fingers: enrolled once (from settings), then used to sign off a
//! registration with a finger instead of typing the password.
//!
//! Enrolling takes a finger step (a slap or the thumbs) on the finger device with the operator
//! at it, after their password (an unattended session must not let a stranger enrol their own
//! finger in the officer's name), and keeps each usable finger's template
//! (`enroll_devices::matching`, minutiae, never the image) in the vault, sealed. Signing off
//! takes the same step again and compares each finger with the enrolled one of the same
//! position: [`FINGERS_TO_MATCH`] must match. A finger that does not match counts as a wrong
//! password does, towards the same lockout.
//!
//! A simulated device draws a person of its own for each operator (`CaptureSubject`), so that
//! enrolling and signing off work in training as they do at a real scanner, and another
//! operator's finger is refused there too.
//!
//! Deliberately absent: signing in with a finger (signing in unwraps the data key with the
//! password, which a finger cannot do), and a matcher of record (ours is the station's own,
//! measured on synthetic fingers, see `enroll_devices::matching`).

use enroll_devices::iso19794::{Resolution, ScaleUnits};
use enroll_devices::{matching, CancelToken, CaptureRequest, CaptureSubject, CapturedData, Position};
use enroll_schemas::PolicyStep;
use enroll_store::{NewAuditEvent, OperatorFingerprint};
use serde::Serialize;

use super::{draft, segment_if_whole_slap, step_name, uuid_like};
use crate::{rfc3339, RegistrationView, Station, StationError};

/// The fewest usable fingers an enrolment keeps: one finger alone would make a sign-off rest on
/// a single comparison.
pub const MIN_ENROLLED_FINGERS: usize = 2;
/// Fingers that must match at a sign-off (all of them when fewer are enrolled).
pub const FINGERS_TO_MATCH: usize = 2;
/// The steps an operator may enrol from: those of one hand's fingers, or the thumbs.
const ENROLMENT_STEPS: [PolicyStep; 3] = [PolicyStep::RightSlap, PolicyStep::LeftSlap, PolicyStep::Thumbs];

/// What the signed-in operator has enrolled, for their settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MyFingerprintsView {
    /// The enrolled fingers, in the order of the step they came from; empty when none.
    pub positions: Vec<Position>,
    /// The step a sign-off takes; absent when none are enrolled.
    pub step: Option<PolicyStep>,
    /// RFC 3339; absent when none are enrolled.
    pub enrolled_at: Option<String>,
    /// The steps the operator may enrol from.
    pub enrolment_steps: Vec<PolicyStep>,
}

impl Station {
    /// The signed-in operator's enrolled fingers.
    pub fn my_fingerprints(&self) -> Result<MyFingerprintsView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let enrolled = self.vault().operator_fingerprints(&operator.username, &data_key)?;
        view_of(&enrolled)
    }

    /// The signed-in operator enrols their own fingers from `step` (see the module's notes),
    /// after their `password`, replacing any enrolled before. A wrong password enrols nothing
    /// and counts towards the lockout; so few usable fingers that fewer than
    /// [`MIN_ENROLLED_FINGERS`] remain is `fingerprint_unusable`, and nothing changes.
    pub fn enroll_my_fingerprints(&self, password: &str, step: PolicyStep) -> Result<MyFingerprintsView, StationError> {
        let (operator, _) = self.signed_in()?;
        if !ENROLMENT_STEPS.contains(&step) {
            return Err(StationError::InvalidInput(format!(
                "fingers are enrolled from a slap or the thumbs, not {}",
                step_name(step)
            )));
        }
        let now = (self.clock)();
        let data_key = self.confirm_own_password(&operator.username, password, now)?;
        let mut templates = Vec::new();
        let mut unusable = None;
        for (position, image, ppi) in self.capture_operator_fingers(&operator.username, step)? {
            match matching::extract(&image, ppi) {
                Ok(template) => templates.push((position_name(position), template_bytes(&template)?)),
                Err(error) => {
                    tracing::info!(?position, code = error.code(), "an enrolled finger gave no template");
                    unusable.get_or_insert(error);
                }
            }
        }
        if templates.len() < MIN_ENROLLED_FINGERS {
            return Err(match unusable {
                Some(error) => error.into(),
                None => StationError::InvalidInput("the device returned no finger".into()),
            });
        }
        let rows: Vec<(&str, &[u8])> = templates
            .iter()
            .map(|(position, bytes)| (position.as_str(), bytes.as_slice()))
            .collect();
        self.vault().replace_operator_fingerprints(
            &operator.username,
            &rows,
            &data_key,
            &operator.username,
            &rfc3339(now),
        )?;
        tracing::info!(username = %operator.username, fingers = rows.len(), "operator fingers enrolled");
        self.my_fingerprints()
    }

    /// Finalize `registration_id` after the signed-in officer's finger (see the module's
    /// notes): their enrolled step is taken, and [`FINGERS_TO_MATCH`] fingers must match. A
    /// finger that does not match finalizes nothing and counts towards the lockout.
    pub fn finalize_signed_off_by_fingerprint(&self, registration_id: &str) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        let enrolled = self.vault().operator_fingerprints(&operator.username, &data_key)?;
        let step = view_of(&enrolled)?.step.ok_or(StationError::NoFingerprintsEnrolled)?;
        let now = (self.clock)();
        {
            let vault = self.vault();
            // Only a draft can be signed off: anything else costs no capture.
            let row = vault.registration(registration_id)?;
            if row.state != enroll_store::RegistrationState::Draft {
                return Err(crate::invalid_state(&row));
            }
            if let Some(until) = Self::locked_until(vault.login_state(&operator.username)?.as_ref(), now)? {
                return Err(StationError::AccountLocked {
                    username: operator.username.clone(),
                    until,
                });
            }
        }
        let captured = self.capture_operator_fingers(&operator.username, step)?;
        let matched = matching_fingers(&enrolled, &captured)?;
        let needed = FINGERS_TO_MATCH.min(enrolled.len());
        tracing::info!(registration_id, matched, needed, "officer sign-off by finger");
        if matched < needed {
            let mut vault = self.vault();
            vault.record_audit(&NewAuditEvent {
                at: &rfc3339(now),
                actor: Some(&operator.username),
                action: "officer_sign_off_failed",
                registration_id: Some(registration_id),
                details: "fingerprint not recognised",
            })?;
            if let Some(state) = vault.login_state(&operator.username)? {
                if let Err(error) = self.count_failed_proof(&mut vault, &operator.username, &state, now) {
                    drop(vault);
                    self.log_out();
                    return Err(error);
                }
            }
            return Err(StationError::FingerprintNotRecognised);
        }
        self.finalize_as_signed_off(registration_id, &operator.username, now, "fingerprint")
    }

    /// The fingers of `step`, captured with `username` at the device, as pixels with their
    /// resolution.
    fn capture_operator_fingers(
        &self,
        username: &str,
        step: PolicyStep,
    ) -> Result<Vec<(Position, image::GrayImage, u16)>, StationError> {
        let device_step = draft::capture_step(step);
        let request = CaptureRequest {
            step: device_step,
            exceptions: Vec::new(),
            requested_quality: self.capture_policy().threshold(step),
            timeout: std::time::Duration::from_secs(self.capture_policy().capture_timeout_seconds.into()),
            transaction_id: uuid_like(),
            // Not a registration's capture: no chain to continue.
            previous_hash: None,
            subject: CaptureSubject::Operator(username.to_string()),
        };
        let device = self
            .devices
            .for_step(device_step)
            .ok_or_else(|| StationError::NoDevice { step: step_name(step) })?;
        self.live.stop();
        let result = device.capture(&request, &CancelToken::new())?;
        let captures = segment_if_whole_slap(&request, result.captures)?;
        captures
            .into_iter()
            .map(|capture| {
                let (image, ppi) = pixels_of(&capture.data)?;
                Ok((capture.position, image, ppi))
            })
            .collect()
    }
}

/// How many captured fingers match the enrolled one of their position.
fn matching_fingers(
    enrolled: &[OperatorFingerprint],
    captured: &[(Position, image::GrayImage, u16)],
) -> Result<usize, StationError> {
    let mut matched = 0;
    for (position, image, ppi) in captured {
        let name = position_name(*position);
        let Some(reference) = enrolled.iter().find(|finger| finger.position == name) else {
            continue;
        };
        let reference: matching::FingerTemplate = serde_json::from_slice(&reference.template)
            .map_err(|why| StationError::corrupt(format!("an enrolled finger's template does not read: {why}")))?;
        // A finger too poor to read this time simply does not count.
        let Ok(probe) = matching::extract(image, *ppi) else {
            continue;
        };
        if matching::compare(&probe, &reference) >= matching::MATCH_THRESHOLD {
            matched += 1;
        }
    }
    Ok(matched)
}

fn view_of(enrolled: &[OperatorFingerprint]) -> Result<MyFingerprintsView, StationError> {
    let positions: Vec<Position> = enrolled
        .iter()
        .map(|finger| parse_position(&finger.position))
        .collect::<Result<_, _>>()?;
    // The step that holds every enrolled finger (one step is enrolled at a time).
    let step = ENROLMENT_STEPS.into_iter().find(|step| {
        !positions.is_empty()
            && positions
                .iter()
                .all(|position| draft::capture_step(*step).positions().contains(position))
    });
    let mut ordered = Vec::new();
    if let Some(step) = step {
        ordered = draft::capture_step(step)
            .positions()
            .into_iter()
            .filter(|position| positions.contains(position))
            .collect();
    }
    Ok(MyFingerprintsView {
        positions: ordered,
        step,
        enrolled_at: enrolled.iter().map(|finger| finger.enrolled_at.clone()).max(),
        enrolment_steps: ENROLMENT_STEPS.to_vec(),
    })
}

/// A capture's pixels at the device's resolution: a record's image decoded, or the pixels as
/// they came.
fn pixels_of(data: &CapturedData) -> Result<(image::GrayImage, u16), StationError> {
    match data {
        CapturedData::Image { image, ppi } => Ok((image.clone(), *ppi)),
        CapturedData::IsoRecord(record) => {
            let parsed = enroll_devices::iso19794::Iso19794Record::parse(record)?;
            let image = &parsed.first().image;
            // A record in pixels per centimetre states 197 for 500 ppi.
            let ppi = match image.resolution {
                Some(Resolution {
                    horizontal,
                    units: ScaleUnits::PixelsPerInch,
                    ..
                }) => horizontal,
                Some(Resolution {
                    horizontal,
                    units: ScaleUnits::PixelsPerCentimetre,
                    ..
                }) => (f32::from(horizontal) * 2.54).round() as u16,
                None => 500,
            };
            let pixels = if image.format == enroll_devices::iso19794::ImageFormat::Png {
                image::load_from_memory_with_format(&image.data, image::ImageFormat::Png)
                    .map_err(|why| StationError::from(enroll_devices::DeviceError::BadImage(why.to_string())))?
                    .to_luma8()
            } else {
                enroll_devices::codecs::decode_record_image(image)?
            };
            Ok((pixels, ppi))
        }
    }
}

/// A position as the vault keeps it: its name in the window and the packet (`rightIndex`).
fn position_name(position: Position) -> String {
    match serde_json::to_value(position) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{position:?}"),
    }
}

fn parse_position(name: &str) -> Result<Position, StationError> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .map_err(|_| StationError::corrupt(format!("an enrolled finger names the position {name:?}")))
}

fn template_bytes(template: &matching::FingerTemplate) -> Result<Vec<u8>, StationError> {
    serde_json::to_vec(template).map_err(|why| StationError::Internal(format!("writing a finger's template: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{complete_draft, password, TestStation, OFFICER, SUPERVISOR};
    use crate::views::RegistrationStateName;

    /// A complete draft of the signed-in officer's, the resident's consent given.
    fn draft_to_sign_off(test: &TestStation) -> String {
        let rid = complete_draft(&test.station);
        test.station.record_consent(&rid, true).unwrap();
        rid
    }

    fn audited(test: &TestStation, action: &str) -> Vec<String> {
        test.station
            .vault()
            .audit_events()
            .unwrap()
            .into_iter()
            .filter(|event| event.action == action)
            .map(|event| event.details)
            .collect()
    }

    #[test]
    fn an_officer_enrols_a_hand_after_their_password_and_signs_off_with_it() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let none = test.station.my_fingerprints().unwrap();
        assert!(none.positions.is_empty() && none.step.is_none());
        assert_eq!(none.enrolment_steps, ENROLMENT_STEPS);

        // A wrong password enrols nothing.
        assert!(matches!(
            test.station
                .enroll_my_fingerprints("not my password", PolicyStep::RightSlap),
            Err(StationError::WrongCredentials)
        ));
        assert!(test.station.my_fingerprints().unwrap().positions.is_empty());

        let enrolled = test
            .station
            .enroll_my_fingerprints(&password(OFFICER), PolicyStep::RightSlap)
            .unwrap();
        assert_eq!(enrolled.step, Some(PolicyStep::RightSlap));
        assert!(enrolled.positions.len() >= MIN_ENROLLED_FINGERS, "{enrolled:?}");
        assert_eq!(audited(&test, "operator_fingerprints_enrolled").len(), 1);

        let rid = draft_to_sign_off(&test);
        let view = test.station.finalize_signed_off_by_fingerprint(&rid).unwrap();
        assert_eq!(view.state, RegistrationStateName::PendingApproval);
        assert_eq!(audited(&test, "officer_signed_off"), ["fingerprint"]);
    }

    #[test]
    fn another_persons_fingers_do_not_sign_off_and_count_towards_the_lockout() {
        let test = TestStation::new();
        // The supervisor enrols a hand; the officer too, then the officer's enrolled templates are
        // replaced by the supervisor's: the officer's own finger at the scanner is now a stranger's.
        test.as_user(SUPERVISOR);
        test.station
            .enroll_my_fingerprints(&password(SUPERVISOR), PolicyStep::RightSlap)
            .unwrap();
        test.as_user(OFFICER);
        test.station
            .enroll_my_fingerprints(&password(OFFICER), PolicyStep::RightSlap)
            .unwrap();
        {
            let (_, key) = test.station.signed_in().unwrap();
            let mut vault = test.station.vault();
            let supervisors = vault.operator_fingerprints(SUPERVISOR, &key).unwrap();
            let rows: Vec<(&str, &[u8])> = supervisors
                .iter()
                .map(|f| (f.position.as_str(), f.template.as_slice()))
                .collect();
            vault
                .replace_operator_fingerprints(OFFICER, &rows, &key, "test", "2026-12-02T09:00:00Z")
                .unwrap();
        }
        let rid = draft_to_sign_off(&test);
        assert!(matches!(
            test.station.finalize_signed_off_by_fingerprint(&rid),
            Err(StationError::FingerprintNotRecognised)
        ));
        assert_eq!(
            test.station.registration(&rid).unwrap().state,
            RegistrationStateName::Draft,
            "nothing finalized"
        );
        assert_eq!(
            audited(&test, "officer_sign_off_failed"),
            ["fingerprint not recognised"]
        );
        let failures = test
            .station
            .vault()
            .login_state(OFFICER)
            .unwrap()
            .unwrap()
            .failed_logins;
        assert_eq!(failures, 1, "counted as a wrong password is");
    }

    #[test]
    fn a_sign_off_by_finger_needs_enrolled_fingers_a_draft_and_a_finger_step() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let rid = draft_to_sign_off(&test);
        assert!(matches!(
            test.station.finalize_signed_off_by_fingerprint(&rid),
            Err(StationError::NoFingerprintsEnrolled)
        ));
        assert!(matches!(
            test.station
                .enroll_my_fingerprints(&password(OFFICER), PolicyStep::Face),
            Err(StationError::InvalidInput(_))
        ));
        test.station
            .enroll_my_fingerprints(&password(OFFICER), PolicyStep::Thumbs)
            .unwrap();
        test.station.finalize_signed_off_by_fingerprint(&rid).unwrap();
        // Finalized once: a second sign-off of the same registration captures nothing.
        assert!(matches!(
            test.station.finalize_signed_off_by_fingerprint(&rid),
            Err(StationError::InvalidState { .. })
        ));
    }
}
