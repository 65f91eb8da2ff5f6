//! The station vault: one SQLite file (WAL, `synchronous=FULL`) holding the station record,
//! the operators and every registration through its life.
//!
//! Invariants:
//! - Resident data (identity, captures) is stored only as AES-256-GCM ciphertext under the
//!   station's data key, bound to its row by the AAD ([`crypto`]).
//! - The data key is stored only wrapped, once per operator, under a key derived from that
//!   operator's password with Argon2id ([`operators`]). Signing in *is* unwrapping.
//! - A registration moves only along the lifecycle's edges, each move one transaction
//!   ([`registrations`]). Approval stores the sealed envelope and erases the readable copy in
//!   the same transaction.
//! - Big blobs (a pending registration's content, sealed envelopes) live in files beside the
//!   database, written before a row names them and deleted after a row lets go of them
//!   ([`blobs`]). A pending registration's content has its own key, wrapped in its row:
//!   erasing the row's key erases the content.
//! - Every security-relevant change appends to a signed hash chain in the same transaction
//!   ([`audit`]).
//!
//! Deliberately absent: what a packet means (that is `packet`), who may do what (roles are
//! checked by `station`; the vault records who did it), and any network.

pub mod audit;
mod blobs;
pub mod crypto;
pub mod day_counts;
mod draft_memo;
pub mod error;
pub mod operator_fingerprints;
pub mod operators;
pub mod private_files;
pub mod queries;
pub mod register_config;
pub mod register_keys;
pub mod register_status;
pub mod registrations;
pub mod station;
#[cfg(test)]
mod test_support;
pub mod upload_queue;
mod vault;

pub use audit::{AuditChainReport, AuditRecord, AuditSession, AuditSigner, BrokenLink, NewAuditEvent};
pub use crypto::DataKey;
pub use draft_memo::DraftValue;
pub use error::StoreError;
pub use operator_fingerprints::OperatorFingerprint;
pub use operators::{LoginState, NewOperator, Operator, Role};
pub use registrations::{AppendedReview, PendingKey, RegistrationRow, RegistrationState, StoredEnvelope};
pub use station::{NewRequestKey, StationRecord, VaultCounts};
pub use upload_queue::{QueuedUpload, IN_UPLOAD_QUEUE};
pub use vault::Vault;
