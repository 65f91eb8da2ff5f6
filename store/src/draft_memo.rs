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

use zeroize::Zeroizing;

use crate::crypto::NONCE_LEN;

pub(crate) struct DraftMemo {
    registration_id: String,
    nonce: [u8; NONCE_LEN],
    content: Zeroizing<Vec<u8>>,
}

impl DraftMemo {
    /// The memo of `content`, just stored as `sealed` for `registration_id`; `None` when
    /// `sealed` is too short to carry a nonce (it never is).
    pub(crate) fn new(registration_id: &str, sealed: &[u8], content: &[u8]) -> Option<DraftMemo> {
        Some(DraftMemo {
            registration_id: registration_id.to_string(),
            nonce: sealed.get(..NONCE_LEN)?.try_into().ok()?,
            content: Zeroizing::new(content.to_vec()),
        })
    }

    pub(crate) fn registration_id(&self) -> &str {
        &self.registration_id
    }

    /// The content, when the stored ciphertext of its registration ([`DraftMemo::registration_id`])
    /// starts with `stored_nonce`.
    pub(crate) fn content_if_current(&self, stored_nonce: &[u8; NONCE_LEN]) -> Option<&[u8]> {
        (&self.nonce == stored_nonce).then_some(self.content.as_slice())
    }
}
