//! The capture policy in force: the configured one (the register's, or the embedded default)
//! with the quality thresholds this station chose, where the configured policy lets a station
//! move them (`adjustableQuality`; see `crate::settings`).
//!
//! The station's choice is stored in the vault and read once when the station opens. A choice
//! the configuration no longer allows (the register narrowed a range since) is set aside with a
//! warning, and the configured thresholds apply: the country's word is the last.
//!
//! A change applies to every capture and check from then on, drafts in progress included: a
//! capture already kept is judged against the threshold in force when the registration is
//! finalized, as it would be after a restart.

use std::sync::{Arc, Mutex};

use enroll_schemas::{CapturePolicy, QualityThresholds};

/// The configured policy and the one in force, replaced together.
pub(crate) struct CapturePolicySlot(Mutex<Policies>);

struct Policies {
    configured: Arc<CapturePolicy>,
    in_force: Arc<CapturePolicy>,
}

impl CapturePolicySlot {
    /// `configured` with `chosen` applied, if the configuration allows it.
    pub(crate) fn new(configured: CapturePolicy, chosen: Option<QualityThresholds>) -> CapturePolicySlot {
        CapturePolicySlot(Mutex::new(Policies::new(configured, chosen)))
    }

    pub(crate) fn in_force(&self) -> Arc<CapturePolicy> {
        self.lock().in_force.clone()
    }

    pub(crate) fn configured(&self) -> Arc<CapturePolicy> {
        self.lock().configured.clone()
    }

    /// Another configured policy, with the station's choice applied again.
    pub(crate) fn configure(&self, configured: CapturePolicy, chosen: Option<QualityThresholds>) {
        *self.lock() = Policies::new(configured, chosen);
    }

    /// The station's choice from now on; the caller has checked it against the configuration.
    pub(crate) fn choose(&self, chosen: Option<QualityThresholds>) {
        let mut policies = self.lock();
        policies.in_force = apply(&policies.configured, chosen);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Policies> {
        // Two `Arc`s swapped whole: a panic elsewhere cannot leave them half-written.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Policies {
    fn new(configured: CapturePolicy, chosen: Option<QualityThresholds>) -> Policies {
        let configured = Arc::new(configured);
        let in_force = apply(&configured, chosen);
        Policies { configured, in_force }
    }
}

fn apply(configured: &Arc<CapturePolicy>, chosen: Option<QualityThresholds>) -> Arc<CapturePolicy> {
    let Some(chosen) = chosen else {
        return configured.clone();
    };
    match configured.with_thresholds(chosen) {
        Ok(adjusted) => Arc::new(adjusted),
        Err(modality) => {
            tracing::warn!(
                modality = modality.name(),
                "the station's chosen quality threshold is outside what the capture policy allows now; the policy's applies"
            );
            configured.clone()
        }
    }
}
