//! The readable content of the draft this vault wrote last, kept in memory while someone is
//! signed in, so that finalizing right after an autosave does not read and decrypt the
//! megabytes just written (`make bench`: about a fifth of finalize's time).
//!
//! Why it can never hand out stale content: each write seals under a fresh random nonce, the
//! first 12 bytes of the stored ciphertext. The memo keeps that nonce, and is used only when
//! the row's stored ciphertext still starts with it: whatever wrote the row since (another
//! path, a rolled-back transaction, another process) wrote another nonce.
//!
//! Why it does not widen what a thief gets: the memo lives no longer than the data key that
//! would decrypt the same bytes. A new audit session (sign-in, sign-out, idle lock) drops it,
//! and so does any move of its registration out of the draft state. Its bytes are zeroed when
//! dropped.
//!
//! Beside the bytes, the writer may keep what it made of them ([`DraftValue`]: the station's
//! parsed draft), under the same rule, so that the next step does not parse the megabytes it
//! has just serialized either. That value is the writer's own type; the vault never looks
//! inside it, and it is not zeroed when dropped (it is what any reader would have parsed).

use std::any::Any;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::crypto::NONCE_LEN;

/// What a writer made of the draft's content, kept beside the memo of that content.
pub type DraftValue = Arc<dyn Any + Send + Sync>;

pub(crate) struct DraftMemo {
    registration_id: String,
    nonce: [u8; NONCE_LEN],
    content: Zeroizing<Vec<u8>>,
    value: Option<DraftValue>,
}

impl DraftMemo {
    /// The memo of `content`, just stored as `sealed` for `registration_id`; `None` when
    /// `sealed` is too short to carry a nonce (it never is).
    pub(crate) fn new(registration_id: &str, sealed: &[u8], content: &[u8]) -> Option<DraftMemo> {
        Some(DraftMemo {
            registration_id: registration_id.to_string(),
            nonce: sealed.get(..NONCE_LEN)?.try_into().ok()?,
            content: Zeroizing::new(content.to_vec()),
            value: None,
        })
    }

    /// Keep `value` beside the content, in place of any other.
    pub(crate) fn keep_value(&mut self, value: DraftValue) {
        self.value = Some(value);
    }

    pub(crate) fn registration_id(&self) -> &str {
        &self.registration_id
    }

    /// The content, when the stored ciphertext of its registration ([`DraftMemo::registration_id`])
    /// starts with `stored_nonce`.
    pub(crate) fn content_if_current(&self, stored_nonce: &[u8; NONCE_LEN]) -> Option<&[u8]> {
        (&self.nonce == stored_nonce).then_some(self.content.as_slice())
    }

    /// The value kept beside the content, on the same condition.
    pub(crate) fn value_if_current(&self, stored_nonce: &[u8; NONCE_LEN]) -> Option<DraftValue> {
        (&self.nonce == stored_nonce).then(|| self.value.clone()).flatten()
    }
}
