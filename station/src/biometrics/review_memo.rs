//! The biometrics of the pending registration under review, parsed once for the review
//! screen rather than once per image: each preview used to decrypt the whole pending packet,
//! check every entry's hash and parse its CBEFF again before decoding the one image it shows
//! (about 12 ms of each preview's 45, thirteen times per review).
//!
//! Why it cannot show stale data: a pending registration's packet is written once, at
//! finalize, and never changed; the caller uses the memo only for a registration it has just
//! read to be pending approval. Why it does not outlive the session: the station forgets it
//! whenever the vault's audit session changes (sign-in, sign-out, idle lock), with the
//! vault's own memo of the draft.

use std::sync::{Arc, Mutex, MutexGuard};

use super::BiometricsDraft;

#[derive(Default)]
pub(crate) struct ReviewMemo(Mutex<Option<(String, Arc<BiometricsDraft>)>>);

impl ReviewMemo {
    /// The biometrics kept for `registration_id`, if they are the ones kept.
    pub(crate) fn get(&self, registration_id: &str) -> Option<Arc<BiometricsDraft>> {
        self.slot()
            .as_ref()
            .filter(|(kept_for, _)| kept_for == registration_id)
            .map(|(_, biometrics)| Arc::clone(biometrics))
    }

    /// Keep `biometrics` for `registration_id`, in place of any other registration's.
    pub(crate) fn keep(&self, registration_id: &str, biometrics: Arc<BiometricsDraft>) {
        *self.slot() = Some((registration_id.to_string(), biometrics));
    }

    pub(crate) fn forget(&self) {
        self.slot().take();
    }

    fn slot(&self) -> MutexGuard<'_, Option<(String, Arc<BiometricsDraft>)>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
