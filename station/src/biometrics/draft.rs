//! What a draft holds of its biometrics, and the capture policy's rules applied to it: the best
//! capture per position, attempts per step, exceptions, force-capture sign-offs, the exception
//! photo. Pure data and decisions, no devices and no vault, so that every rule is tested here.
//!
//! The rules (MOSIP's, with its defaults in `schemas/default/capture-policy.json`):
//! - each attempt at a step counts; per position the best-quality capture is kept;
//! - a step is done when every position is either captured at or above its modality's
//!   threshold, or recorded as an exception;
//! - after the last attempt, a step still under the threshold can be accepted as it is only
//!   with a supervisor's sign-off (force capture), if the policy allows it;
//! - an exception needs a photo that documents it, if the policy says so.

use std::collections::BTreeMap;

use enroll_devices::{DeviceInfo, Position, QualitySource};
use enroll_schemas::{CapturePolicy, ForceCapture, PolicyStep};
use serde::{Deserialize, Serialize};

/// One kept capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredCapture {
    pub data: StoredData,
    pub quality: u8,
    pub quality_source: QualitySource,
    pub device: DeviceInfo,
    /// The device's signature over the capture (SBI: compact JWS), for the packet.
    pub signature: Option<String>,
    /// RFC 3339.
    pub captured_at: String,
    /// Which attempt at its step produced it (1 for the first).
    pub attempt: u32,
}

/// The bytes of a kept capture, standard base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StoredData {
    /// An ISO/IEC 19794 record as the device delivered or the station wrote it.
    IsoRecord { record: String },
    /// Pixels not yet wrapped in a record (native and simulated devices), as PNG.
    Image {
        png: String,
        ppi: u16,
        /// SHA-256 (hex) of the PNG's bytes, taken when the capture was kept: the key of its
        /// record in the background encoder (see `encoder`), so that finalize finds the record
        /// without decoding and hashing megabytes of PNG again. Absent in drafts saved by an
        /// earlier version; finalize then hashes the PNG itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        png_sha256: Option<String>,
    },
}

/// Why a position has no capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKindName {
    /// The finger or eye is absent.
    Missing,
    /// Present, but cannot give a usable capture (injury, worn ridges, bandage).
    Unusable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredException {
    pub kind: ExceptionKindName,
    pub reason: String,
    pub marked_by: String,
    pub marked_at: String,
}

/// A supervisor's sign-off of a step kept under the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOff {
    pub supervisor: String,
    pub at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BiometricsDraft {
    #[serde(default)]
    pub captures: BTreeMap<Position, StoredCapture>,
    #[serde(default)]
    pub attempts: BTreeMap<PolicyStep, u32>,
    #[serde(default)]
    pub exceptions: BTreeMap<Position, StoredException>,
    #[serde(default)]
    pub forced: BTreeMap<PolicyStep, SignOff>,
    #[serde(default)]
    pub exception_photo: Option<StoredCapture>,
    /// The SBI hash chain's last link (hex) over this registration's captures so far, which the
    /// next SBI capture continues from (`previousHash`); absent until the first SBI capture.
    /// Kept in the draft because the chain runs across steps, devices and app restarts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbi_chain: Option<String>,
    /// The capture policy's steps this registration takes, when its process takes fewer than
    /// all (an update that only authenticates the resident: the face); absent: every step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_steps: Option<Vec<PolicyStep>>,
}

/// Where one position stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionState {
    NotCaptured,
    Excepted,
    /// Captured; `meets` is whether it reaches the threshold.
    Captured {
        quality: u8,
        meets: bool,
    },
}

/// The positions a policy step covers.
pub fn step_positions(step: PolicyStep) -> Vec<Position> {
    capture_step(step).positions()
}

/// The device layer's step for a policy step.
pub fn capture_step(step: PolicyStep) -> enroll_devices::CaptureStep {
    use enroll_devices::CaptureStep as C;
    match step {
        PolicyStep::LeftSlap => C::LeftSlap,
        PolicyStep::RightSlap => C::RightSlap,
        PolicyStep::Thumbs => C::Thumbs,
        PolicyStep::BothIrises => C::BothIrises,
        PolicyStep::LeftIris => C::LeftIris,
        PolicyStep::RightIris => C::RightIris,
        PolicyStep::Face => C::Face,
    }
}

/// The policy step that covers `position`, if the policy takes it.
pub fn step_of(policy: &CapturePolicy, position: Position) -> Option<PolicyStep> {
    policy
        .steps
        .iter()
        .copied()
        .find(|step| step_positions(*step).contains(&position))
}

impl BiometricsDraft {
    /// The link the next SBI capture continues from; `None` before the first SBI capture.
    pub fn chain_link(&self) -> Result<Option<[u8; 32]>, crate::StationError> {
        self.sbi_chain
            .as_deref()
            .map(|hex| {
                enroll_devices::sbi::hash_chain::from_hex(hex)
                    .ok_or_else(|| crate::StationError::Internal("the draft's SBI hash chain link is not hex".into()))
            })
            .transpose()
    }

    /// Move the chain on to a capture's last link. A device that keeps no chain (simulated,
    /// USB) gives none and leaves the chain where it was, so SBI captures on either side of it
    /// still follow one another.
    pub fn continue_chain(&mut self, last_link: Option<[u8; 32]>) {
        if let Some(link) = last_link {
            self.sbi_chain = Some(enroll_devices::sbi::hash_chain::to_hex(&link));
        }
    }

    /// Positions of `step` the clerk marked as exceptions.
    pub fn excepted_in(&self, step: PolicyStep) -> Vec<Position> {
        step_positions(step)
            .into_iter()
            .filter(|p| self.exceptions.contains_key(p))
            .collect()
    }

    /// Count an attempt at `step` and keep, per position, the better of the kept capture and
    /// the new one (the newer on a tie: it reflects the sitter now). A new attempt withdraws
    /// an earlier sign-off: it was given for other captures.
    pub fn record_attempt(&mut self, step: PolicyStep, captures: Vec<(Position, StoredCapture)>) -> u32 {
        let attempt = self.attempts.get(&step).copied().unwrap_or(0) + 1;
        self.attempts.insert(step, attempt);
        self.forced.remove(&step);
        for (position, mut capture) in captures {
            capture.attempt = attempt;
            let better = self
                .captures
                .get(&position)
                .is_none_or(|kept| capture.quality >= kept.quality);
            if better {
                self.captures.insert(position, capture);
            }
        }
        attempt
    }

    pub fn attempts(&self, step: PolicyStep) -> u32 {
        self.attempts.get(&step).copied().unwrap_or(0)
    }

    /// Record an exception: any capture kept for the position is dropped (an exception has no
    /// image in the packet).
    pub fn mark_exception(&mut self, position: Position, exception: StoredException) {
        self.captures.remove(&position);
        self.exceptions.insert(position, exception);
    }

    /// Withdraw an exception; the exception photo goes too when no exception is left.
    pub fn clear_exception(&mut self, position: Position) {
        self.exceptions.remove(&position);
        if self.exceptions.is_empty() {
            self.exception_photo = None;
        }
    }

    pub fn position_state(&self, policy: &CapturePolicy, step: PolicyStep, position: Position) -> PositionState {
        if self.exceptions.contains_key(&position) {
            return PositionState::Excepted;
        }
        match self.captures.get(&position) {
            Some(capture) => PositionState::Captured {
                quality: capture.quality,
                meets: capture.quality >= policy.threshold(step),
            },
            None => PositionState::NotCaptured,
        }
    }

    /// Done: every position is excepted, or captured and at the threshold or signed off.
    pub fn step_done(&self, policy: &CapturePolicy, step: PolicyStep) -> bool {
        let forced = self.forced.contains_key(&step);
        step_positions(step)
            .into_iter()
            .all(|position| match self.position_state(policy, step, position) {
                PositionState::Excepted => true,
                PositionState::Captured { meets, .. } => meets || forced,
                PositionState::NotCaptured => false,
            })
    }

    /// May a supervisor sign off `step` as it is now? Only once its attempts are used up,
    /// every position is captured or excepted, and some capture is under the threshold.
    pub fn may_force(&self, policy: &CapturePolicy, step: PolicyStep) -> bool {
        if policy.force_capture == ForceCapture::Never || self.forced.contains_key(&step) {
            return false;
        }
        if self.attempts(step) < policy.attempts {
            return false;
        }
        let states: Vec<PositionState> = step_positions(step)
            .into_iter()
            .map(|position| self.position_state(policy, step, position))
            .collect();
        states.iter().all(|s| *s != PositionState::NotCaptured)
            && states
                .iter()
                .any(|s| matches!(s, PositionState::Captured { meets: false, .. }))
    }

    /// Does the registration need an exception photo it does not have yet?
    pub fn exception_photo_missing(&self, policy: &CapturePolicy) -> bool {
        policy.exception_photo && !self.exceptions.is_empty() && self.exception_photo.is_none()
    }

    /// What keeps these biometrics from being finalized, as (field, code) pairs: a field per
    /// position (`biometrics.leftIndex`) with `required` (not captured) or `below_threshold`
    /// (captured, under the threshold, not signed off), and `biometrics.exceptionPhoto`.
    /// The policy's steps this registration takes, in the policy's order.
    pub fn steps(&self, policy: &CapturePolicy) -> Vec<PolicyStep> {
        policy
            .steps
            .iter()
            .copied()
            .filter(|step| self.only_steps.as_ref().is_none_or(|only| only.contains(step)))
            .collect()
    }

    /// The policy's steps of which this holds a capture or an exception.
    pub fn steps_held(&self, policy: &CapturePolicy) -> Vec<PolicyStep> {
        policy
            .steps
            .iter()
            .copied()
            .filter(|step| {
                step_positions(*step)
                    .into_iter()
                    .any(|position| self.captures.contains_key(&position) || self.exceptions.contains_key(&position))
            })
            .collect()
    }

    pub fn problems(&self, policy: &CapturePolicy) -> Vec<(String, &'static str)> {
        let mut problems = Vec::new();
        for step in self.steps(policy) {
            let forced = self.forced.contains_key(&step);
            for position in step_positions(step) {
                let code = match self.position_state(policy, step, position) {
                    PositionState::NotCaptured => Some("required"),
                    PositionState::Captured { meets: false, .. } if !forced => Some("below_threshold"),
                    _ => None,
                };
                if let Some(code) = code {
                    problems.push((format!("biometrics.{}", position_key(position)), code));
                }
            }
        }
        if self.exception_photo_missing(policy) {
            problems.push(("biometrics.exceptionPhoto".to_string(), "required"));
        }
        problems
    }
}

/// A position's name in field ids and IPC: its serde name (`leftIndex`).
pub fn position_key(position: Position) -> String {
    serde_name(position)
}

/// A unit variant's name as serde spells it on the wire (`leftIndex`, `leftSlap`).
pub fn serde_name(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The bytes of a kept capture's base64 (its ISO record or PNG); text that is not base64 is a
/// damaged draft or packet.
pub fn decode_stored(text: &str) -> Result<Vec<u8>, crate::StationError> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| crate::StationError::corrupt("a stored capture is not valid base64"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(quality: u8) -> StoredCapture {
        StoredCapture {
            data: StoredData::Image {
                png: String::new(),
                ppi: 500,
                png_sha256: None,
            },
            quality,
            quality_source: QualitySource::Station,
            device: DeviceInfo::default(),
            signature: None,
            captured_at: "2026-11-30T10:00:00Z".into(),
            attempt: 0,
        }
    }

    fn slap(qualities: [u8; 4]) -> Vec<(Position, StoredCapture)> {
        step_positions(PolicyStep::LeftSlap)
            .into_iter()
            .zip(qualities)
            .map(|(p, q)| (p, capture(q)))
            .collect()
    }

    fn exception() -> StoredException {
        StoredException {
            kind: ExceptionKindName::Missing,
            reason: "amputated".into(),
            marked_by: "officer".into(),
            marked_at: "2026-11-30T10:00:00Z".into(),
        }
    }

    #[test]
    fn the_best_capture_per_position_is_kept_across_attempts() {
        let policy = CapturePolicy::default_policy();
        let mut draft = BiometricsDraft::default();
        assert_eq!(draft.record_attempt(PolicyStep::LeftSlap, slap([30, 50, 20, 60])), 1);
        assert_eq!(draft.record_attempt(PolicyStep::LeftSlap, slap([45, 10, 41, 10])), 2);
        let kept: Vec<(u8, u32)> = step_positions(PolicyStep::LeftSlap)
            .iter()
            .map(|p| (draft.captures[p].quality, draft.captures[p].attempt))
            .collect();
        assert_eq!(kept, [(45, 2), (50, 1), (41, 2), (60, 1)]);
        assert!(draft.step_done(&policy, PolicyStep::LeftSlap));
        let slap_fields: Vec<String> = step_positions(PolicyStep::LeftSlap)
            .into_iter()
            .map(|p| format!("biometrics.{}", position_key(p)))
            .collect();
        let problems = draft.problems(&policy);
        assert!(!problems.is_empty(), "the other steps are still to do");
        assert!(
            problems.iter().all(|(field, _)| !slap_fields.contains(field)),
            "{problems:?}"
        );
    }

    #[test]
    fn force_capture_opens_only_after_the_last_attempt_and_a_new_attempt_withdraws_it() {
        let policy = CapturePolicy::default_policy();
        let mut draft = BiometricsDraft::default();
        for attempt in 1..=policy.attempts {
            assert!(!draft.may_force(&policy, PolicyStep::LeftSlap), "attempt {attempt}");
            draft.record_attempt(PolicyStep::LeftSlap, slap([30, 50, 20, 60]));
        }
        assert!(draft.may_force(&policy, PolicyStep::LeftSlap));
        assert!(!draft.step_done(&policy, PolicyStep::LeftSlap));
        let fields: Vec<_> = draft
            .problems(&policy)
            .into_iter()
            .filter(|(f, _)| f == "biometrics.leftIndex" || f == "biometrics.leftRing")
            .collect();
        assert_eq!(
            fields,
            [
                ("biometrics.leftIndex".to_string(), "below_threshold"),
                ("biometrics.leftRing".to_string(), "below_threshold")
            ]
        );
        draft.forced.insert(
            PolicyStep::LeftSlap,
            SignOff {
                supervisor: "sup".into(),
                at: "now".into(),
            },
        );
        assert!(draft.step_done(&policy, PolicyStep::LeftSlap));
        assert!(!draft.may_force(&policy, PolicyStep::LeftSlap), "signed off once");
        draft.record_attempt(PolicyStep::LeftSlap, slap([30, 50, 20, 60]));
        assert!(
            !draft.step_done(&policy, PolicyStep::LeftSlap),
            "a new attempt needs a new sign-off"
        );
    }

    #[test]
    fn nothing_to_force_when_all_meet_or_some_are_missing_or_the_policy_forbids_it() {
        let mut policy = CapturePolicy::default_policy();
        let mut draft = BiometricsDraft::default();
        for _ in 0..policy.attempts {
            draft.record_attempt(PolicyStep::LeftSlap, slap([90, 90, 90, 90]));
        }
        assert!(!draft.may_force(&policy, PolicyStep::LeftSlap), "all meet");
        let mut partial = BiometricsDraft::default();
        for _ in 0..policy.attempts {
            partial.record_attempt(PolicyStep::LeftSlap, slap([10, 10, 10, 10])[..2].to_vec());
        }
        assert!(
            !partial.may_force(&policy, PolicyStep::LeftSlap),
            "two fingers never captured"
        );
        policy.force_capture = ForceCapture::Never;
        let mut poor = BiometricsDraft::default();
        for _ in 0..policy.attempts {
            poor.record_attempt(PolicyStep::LeftSlap, slap([10, 10, 10, 10]));
        }
        assert!(!poor.may_force(&policy, PolicyStep::LeftSlap), "policy says never");
    }

    #[test]
    fn an_exception_replaces_the_capture_and_asks_for_a_photo() {
        let policy = CapturePolicy::default_policy();
        let mut draft = BiometricsDraft::default();
        draft.record_attempt(PolicyStep::LeftSlap, slap([90, 90, 90, 90]));
        draft.mark_exception(Position::LeftRing, exception());
        assert!(!draft.captures.contains_key(&Position::LeftRing));
        assert!(draft.step_done(&policy, PolicyStep::LeftSlap));
        assert_eq!(draft.excepted_in(PolicyStep::LeftSlap), [Position::LeftRing]);
        assert!(draft
            .problems(&policy)
            .contains(&("biometrics.exceptionPhoto".to_string(), "required")));
        draft.exception_photo = Some(capture(80));
        assert!(!draft.exception_photo_missing(&policy));
        draft.clear_exception(Position::LeftRing);
        assert!(draft.exception_photo.is_none(), "no exception left, no photo kept");
        assert!(
            !draft.step_done(&policy, PolicyStep::LeftSlap),
            "the ring finger is needed again"
        );
    }

    #[test]
    fn an_empty_draft_lists_every_position_of_the_policy_once() {
        let policy = CapturePolicy::default_policy();
        let problems = BiometricsDraft::default().problems(&policy);
        assert_eq!(problems.len(), 13, "ten fingers, two irises, the face: {problems:?}");
        assert!(problems.iter().all(|(_, code)| *code == "required"));
        assert!(problems.contains(&("biometrics.rightIris".to_string(), "required")));
        assert!(problems.contains(&("biometrics.face".to_string(), "required")));
    }

    #[test]
    fn the_draft_reads_back_as_it_was_written() {
        let mut draft = BiometricsDraft::default();
        draft.record_attempt(PolicyStep::Thumbs, vec![(Position::LeftThumb, capture(55))]);
        draft.mark_exception(Position::RightThumb, exception());
        let json = serde_json::to_string(&draft).unwrap();
        assert!(json.contains("\"leftThumb\""), "{json}");
        assert_eq!(serde_json::from_str::<BiometricsDraft>(&json).unwrap(), draft);
    }
}
