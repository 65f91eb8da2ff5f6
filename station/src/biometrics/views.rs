//! What the window is shown of a draft's biometrics and of the devices: plain values, for
//! the generated TypeScript bindings.

use enroll_devices::{Backend, DeviceDescriptor, DeviceKind, DeviceStatus, DeviceTrust, Position};
use enroll_schemas::{CapturePolicy, PolicyStep};
use serde::Serialize;
use specta::Type;

use super::draft::{step_positions, BiometricsDraft, ExceptionKindName, PositionState};

/// A device as the device list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DeviceListView {
    pub id: String,
    pub kind: DeviceKind,
    pub backend: Backend,
    pub make: String,
    pub model: String,
    pub serial: String,
    pub firmware: String,
    pub certification: Option<String>,
    /// The UI shows a SIMULATED badge wherever this is true.
    pub simulated: bool,
    /// `developerMode`: accepted without proof of origin; the UI shows it.
    pub trust: DeviceTrust,
    pub status: DeviceStatus,
}

impl From<&DeviceDescriptor> for DeviceListView {
    fn from(descriptor: &DeviceDescriptor) -> DeviceListView {
        DeviceListView {
            id: descriptor.id.clone(),
            kind: descriptor.kind,
            backend: descriptor.backend,
            make: descriptor.info.make.clone(),
            model: descriptor.info.model.clone(),
            serial: descriptor.info.serial.clone(),
            firmware: descriptor.info.firmware.clone(),
            certification: descriptor.info.certification.clone(),
            simulated: descriptor.info.simulated,
            trust: descriptor.trust,
            status: descriptor.status,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PositionStateName {
    NotCaptured,
    Captured,
    Excepted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct ExceptionView {
    pub kind: ExceptionKindName,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct PositionView {
    pub position: Position,
    pub state: PositionStateName,
    /// 0..=100, when captured.
    pub quality: Option<u8>,
    pub meets_threshold: bool,
    pub exception: Option<ExceptionView>,
    /// Who captured it; `simulated` drives the badge.
    pub device_simulated: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct StepView {
    pub step: PolicyStep,
    pub threshold: u8,
    pub attempts: u32,
    pub attempts_allowed: u32,
    /// Every position captured at the threshold, excepted, or signed off.
    pub done: bool,
    /// A supervisor may sign the step off as it is now.
    pub may_force: bool,
    /// The supervisor who signed it off.
    pub forced_by: Option<String>,
    /// The device that would take the next attempt; none when no device can.
    pub device: Option<DeviceListView>,
    pub positions: Vec<PositionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct BiometricsView {
    /// The policy's steps in order.
    pub steps: Vec<StepView>,
    /// Exceptions are recorded and their photo is not taken yet.
    pub exception_photo_missing: bool,
    pub has_exception_photo: bool,
    /// Every step done and the exception photo taken where needed.
    pub complete: bool,
}

pub(super) fn biometrics_view(
    policy: &CapturePolicy,
    biometrics: &BiometricsDraft,
    device_for: impl Fn(PolicyStep) -> Option<DeviceListView>,
) -> BiometricsView {
    let steps: Vec<StepView> = biometrics
        .steps(policy)
        .into_iter()
        .map(|step| StepView {
            step,
            threshold: policy.threshold(step),
            attempts: biometrics.attempts(step),
            attempts_allowed: policy.attempts,
            done: biometrics.step_done(policy, step),
            may_force: biometrics.may_force(policy, step),
            // A packet records that a step was forced, not by whom (the audit trail does).
            forced_by: biometrics
                .forced
                .get(&step)
                .map(|s| s.supervisor.clone())
                .filter(|name| !name.is_empty()),
            device: device_for(step),
            positions: step_positions(step)
                .into_iter()
                .map(|position| {
                    let state = biometrics.position_state(policy, step, position);
                    PositionView {
                        position,
                        state: match state {
                            PositionState::NotCaptured => PositionStateName::NotCaptured,
                            PositionState::Captured { .. } => PositionStateName::Captured,
                            PositionState::Excepted => PositionStateName::Excepted,
                        },
                        quality: match state {
                            PositionState::Captured { quality, .. } => Some(quality),
                            _ => None,
                        },
                        meets_threshold: matches!(state, PositionState::Captured { meets: true, .. }),
                        exception: biometrics.exceptions.get(&position).map(|e| ExceptionView {
                            kind: e.kind,
                            reason: e.reason.clone(),
                        }),
                        device_simulated: biometrics.captures.get(&position).map(|c| c.device.simulated),
                    }
                })
                .collect(),
        })
        .collect();
    let exception_photo_missing = biometrics.exception_photo_missing(policy);
    BiometricsView {
        complete: steps.iter().all(|s| s.done) && !exception_photo_missing,
        steps,
        exception_photo_missing,
        has_exception_photo: biometrics.exception_photo.is_some(),
    }
}
