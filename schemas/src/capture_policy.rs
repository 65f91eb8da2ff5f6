//! The capture policy: which biometrics a registration takes, how good each must be, and what
//! the clerk may do when a capture stays poor. Country configuration, beside the ID schema, in
//! our own small format (`"kind": "enroll-capture-policy"`; the embedded default,
//! `schemas/default/capture-policy.json`, shows every key).
//!
//! MOSIP's registration client has the same knobs spread over global parameters; its defaults
//! are ours: finger 40, iris 60, face 90; three attempts; force capture after the last one.
//!
//! Deliberately absent: devices and images (the station applies the policy to captures from
//! `enroll-devices`, which this crate does not depend on: configuration stays light).

use serde::{Deserialize, Serialize};

use crate::SchemaError;

/// One capture the registration takes. The names match the station's capture steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum PolicyStep {
    LeftSlap,
    RightSlap,
    Thumbs,
    BothIrises,
    LeftIris,
    RightIris,
    Face,
}

impl PolicyStep {
    pub fn modality(self) -> PolicyModality {
        match self {
            PolicyStep::LeftSlap | PolicyStep::RightSlap | PolicyStep::Thumbs => PolicyModality::Finger,
            PolicyStep::BothIrises | PolicyStep::LeftIris | PolicyStep::RightIris => PolicyModality::Iris,
            PolicyStep::Face => PolicyModality::Face,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum PolicyModality {
    Finger,
    Iris,
    Face,
}

/// Quality thresholds, 0..=100, per modality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct QualityThresholds {
    pub finger: u8,
    pub iris: u8,
    pub face: u8,
}

impl QualityThresholds {
    pub fn for_modality(&self, modality: PolicyModality) -> u8 {
        match modality {
            PolicyModality::Finger => self.finger,
            PolicyModality::Iris => self.iris,
            PolicyModality::Face => self.face,
        }
    }
}

/// How far the station may move one modality's threshold (inclusive): the country's choice,
/// for example so that a center whose residents are manual labourers with worn fingerprints
/// can accept a little less than the national threshold without a release of the software.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct QualityRange {
    pub min: u8,
    pub max: u8,
}

/// Which thresholds a station's supervisor may change, and within what range; a modality left
/// out keeps the policy's threshold (the default: nothing is adjustable).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct AdjustableQuality {
    #[serde(default)]
    pub finger: Option<QualityRange>,
    #[serde(default)]
    pub iris: Option<QualityRange>,
    #[serde(default)]
    pub face: Option<QualityRange>,
}

impl AdjustableQuality {
    pub fn for_modality(&self, modality: PolicyModality) -> Option<QualityRange> {
        match modality {
            PolicyModality::Finger => self.finger,
            PolicyModality::Iris => self.iris,
            PolicyModality::Face => self.face,
        }
    }
}

/// Every modality, in the order the screens list them.
pub const MODALITIES: [PolicyModality; 3] = [PolicyModality::Finger, PolicyModality::Iris, PolicyModality::Face];

/// What the clerk may do once the last attempt is still under the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ForceCapture {
    /// Keep the best capture if a supervisor signs it off (MOSIP's rule).
    Supervisor,
    /// Never: the body part must be recorded as an exception instead.
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CapturePolicy {
    pub kind: String,
    pub version: u32,
    /// In the order the clerk takes them.
    pub steps: Vec<PolicyStep>,
    pub quality_threshold: QualityThresholds,
    /// Attempts per step before force capture is offered (at least 1).
    pub attempts: u32,
    pub force_capture: ForceCapture,
    /// An exception (missing or unusable finger or eye) needs a photo that documents it.
    pub exception_photo: bool,
    /// How long a device may take for one capture.
    pub capture_timeout_seconds: u32,
    /// The thresholds a station may move, and how far (absent: none).
    #[serde(default)]
    pub adjustable_quality: AdjustableQuality,
}

/// The embedded default policy (`schemas/default/capture-policy.json`).
pub const DEFAULT_CAPTURE_POLICY: &str = include_str!("../default/capture-policy.json");

impl CapturePolicy {
    pub fn from_json(text: &str) -> Result<CapturePolicy, SchemaError> {
        let bad = |why: String| SchemaError::CapturePolicy(why);
        let policy: CapturePolicy = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if policy.kind != "enroll-capture-policy" {
            return Err(bad(format!(
                "`kind` is {:?}, expected \"enroll-capture-policy\"",
                policy.kind
            )));
        }
        if policy.version != 1 {
            return Err(bad(format!(
                "version {} is not supported; this software reads version 1",
                policy.version
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for step in &policy.steps {
            if !seen.insert(format!("{step:?}")) {
                return Err(bad(format!("step {step:?} appears twice")));
            }
        }
        let irises = [PolicyStep::BothIrises, PolicyStep::LeftIris, PolicyStep::RightIris];
        if policy.steps.contains(&PolicyStep::BothIrises) && irises[1..].iter().any(|s| policy.steps.contains(s)) {
            return Err(bad("bothIrises already takes each eye; drop leftIris/rightIris".into()));
        }
        for (name, value) in [
            ("finger", policy.quality_threshold.finger),
            ("iris", policy.quality_threshold.iris),
            ("face", policy.quality_threshold.face),
        ] {
            if value > 100 {
                return Err(bad(format!("the {name} quality threshold {value} is over 100")));
            }
        }
        for modality in MODALITIES {
            let Some(range) = policy.adjustable_quality.for_modality(modality) else {
                continue;
            };
            let threshold = policy.quality_threshold.for_modality(modality);
            if !(range.min <= threshold && threshold <= range.max && range.max <= 100) {
                return Err(bad(format!(
                    "the adjustable {} range {}..={} must lie within 0..=100 and hold the threshold {threshold}",
                    modality.name(),
                    range.min,
                    range.max
                )));
            }
        }
        if !(1..=10).contains(&policy.attempts) {
            return Err(bad(format!("attempts must be 1 to 10, not {}", policy.attempts)));
        }
        if !(1..=300).contains(&policy.capture_timeout_seconds) {
            return Err(bad(format!(
                "captureTimeoutSeconds must be 1 to 300, not {}",
                policy.capture_timeout_seconds
            )));
        }
        Ok(policy)
    }

    /// The embedded default.
    pub fn default_policy() -> CapturePolicy {
        CapturePolicy::from_json(DEFAULT_CAPTURE_POLICY).expect("the embedded capture policy is valid")
    }

    /// The default with the face as its only step: what a register that takes no fingers or
    /// irises configures, and what tests of other features use to skip ten fingers.
    pub fn face_only() -> CapturePolicy {
        CapturePolicy {
            steps: vec![PolicyStep::Face],
            ..CapturePolicy::default_policy()
        }
    }

    pub fn threshold(&self, step: PolicyStep) -> u8 {
        self.quality_threshold.for_modality(step.modality())
    }

    /// This policy with a station's own thresholds, or the first modality whose chosen
    /// threshold the policy does not allow (outside its adjustable range, or a change to a
    /// modality that has none).
    pub fn with_thresholds(&self, chosen: QualityThresholds) -> Result<CapturePolicy, PolicyModality> {
        for modality in MODALITIES {
            let value = chosen.for_modality(modality);
            let allowed = match self.adjustable_quality.for_modality(modality) {
                Some(range) => (range.min..=range.max).contains(&value),
                None => value == self.quality_threshold.for_modality(modality),
            };
            if !allowed {
                return Err(modality);
            }
        }
        Ok(CapturePolicy {
            quality_threshold: chosen,
            ..self.clone()
        })
    }
}

impl PolicyModality {
    /// The name the configuration uses (`finger`, `iris`, `face`).
    pub fn name(self) -> &'static str {
        match self {
            PolicyModality::Finger => "finger",
            PolicyModality::Iris => "iris",
            PolicyModality::Face => "face",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_mosips() {
        let policy = CapturePolicy::default_policy();
        assert_eq!(
            policy.steps,
            [
                PolicyStep::LeftSlap,
                PolicyStep::RightSlap,
                PolicyStep::Thumbs,
                PolicyStep::BothIrises,
                PolicyStep::Face
            ]
        );
        assert_eq!(policy.threshold(PolicyStep::Thumbs), 40);
        assert_eq!(policy.threshold(PolicyStep::BothIrises), 60);
        assert_eq!(policy.threshold(PolicyStep::Face), 90);
        assert_eq!(policy.attempts, 3);
        assert_eq!(policy.force_capture, ForceCapture::Supervisor);
    }

    #[test]
    fn a_station_moves_a_threshold_only_within_the_configured_range() {
        let policy = CapturePolicy::default_policy();
        let range = policy.adjustable_quality.finger.expect("the default lets fingers move");
        let mut chosen = policy.quality_threshold;
        chosen.finger = range.min;
        assert_eq!(
            policy.with_thresholds(chosen).unwrap().threshold(PolicyStep::Thumbs),
            range.min
        );
        chosen.finger = range.min - 1;
        assert_eq!(policy.with_thresholds(chosen), Err(PolicyModality::Finger));
        chosen.finger = range.max + 1;
        assert_eq!(policy.with_thresholds(chosen), Err(PolicyModality::Finger));

        let fixed = with(|v| {
            v.as_object_mut().unwrap().remove("adjustableQuality");
        })
        .unwrap();
        assert_eq!(
            fixed.adjustable_quality,
            AdjustableQuality::default(),
            "absent: nothing moves"
        );
        let mut chosen = fixed.quality_threshold;
        assert_eq!(
            fixed.with_thresholds(chosen).unwrap(),
            fixed,
            "the configured values stay allowed"
        );
        chosen.face -= 1;
        assert_eq!(fixed.with_thresholds(chosen), Err(PolicyModality::Face));
    }

    fn with(change: impl FnOnce(&mut serde_json::Value)) -> Result<CapturePolicy, SchemaError> {
        let mut value: serde_json::Value = serde_json::from_str(DEFAULT_CAPTURE_POLICY).unwrap();
        change(&mut value);
        CapturePolicy::from_json(&value.to_string())
    }

    #[test]
    fn bad_policies_are_refused_with_the_reason() {
        type Change = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(&str, Change)> = vec![
            ("kind", Box::new(|v| v["kind"] = "ui-spec".into())),
            ("version 2", Box::new(|v| v["version"] = 2.into())),
            (
                "hold the threshold 40",
                Box::new(|v| v["adjustableQuality"]["finger"] = serde_json::json!({"min": 45, "max": 60})),
            ),
            (
                "within 0..=100",
                Box::new(|v| v["adjustableQuality"]["iris"] = serde_json::json!({"min": 50, "max": 101})),
            ),
            (
                "unknown field",
                Box::new(|v| v["adjustableQuality"]["voice"] = serde_json::json!({"min": 1, "max": 2})),
            ),
            (
                "appears twice",
                Box::new(|v| v["steps"] = serde_json::json!(["face", "face"])),
            ),
            (
                "drop leftIris",
                Box::new(|v| v["steps"] = serde_json::json!(["bothIrises", "leftIris"])),
            ),
            ("over 100", Box::new(|v| v["qualityThreshold"]["iris"] = 101.into())),
            ("attempts", Box::new(|v| v["attempts"] = 0.into())),
            (
                "captureTimeoutSeconds",
                Box::new(|v| v["captureTimeoutSeconds"] = 0.into()),
            ),
            (
                "unknown variant",
                Box::new(|v| v["steps"] = serde_json::json!(["leftFoot"])),
            ),
            ("unknown field", Box::new(|v| v["colour"] = "red".into())),
        ];
        for (expected, change) in cases {
            let error = with(change).expect_err(expected);
            assert_eq!(error.code(), "capture_policy_invalid");
            assert!(error.to_string().contains(expected), "{expected}: {error}");
        }
    }
}
