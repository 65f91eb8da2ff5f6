//! The one error type of the sync crate.
//!
//! The station's screens branch on [`SyncError::code`] (stable snake_case, never renamed) and
//! the queue on [`SyncError::retry_later`]; the message is for the clerk: what happened, and
//! whether the packet is still safe on the station (it always is: nothing here deletes).
//!
//! This module does not decide when to retry; `upload` does for single chunks, the station's
//! queue does for whole packets.

/// Whom a failure concerns, and so what a queue of packets does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureScope {
    /// The intake is out of reach: no other packet would fare better now; wait for the link.
    Link,
    /// The station itself is refused or misconfigured (not registered, another key, a bad
    /// address): every packet would fail the same way until an admin acts.
    Station,
    /// The register refused this packet for good (rejected, a different packet under its
    /// registration id, too large): trying again changes nothing; it needs a supervisor.
    PacketRefused,
    /// This packet's try failed in a way the next may not (a damaged chunk, an expired upload,
    /// an intake error): try it again later, after the others.
    PacketTransient,
    /// Something a retry may or may not cure and a person should look at if it persists (a
    /// receipt that does not verify, an answer outside the protocol, an unreadable file).
    PacketSuspect,
}

/// Everything that can go wrong talking to the intake. Plain values only (`Clone`): the
/// station keeps a copy of what stops its sync in the status it shows.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    #[error("The intake server at {url} cannot be reached. The packet stays queued and will be sent when the connection is back")]
    IntakeUnreachable {
        url: String,
        /// What the network stack said, for the log.
        detail: String,
    },
    #[error("'{url}' is not a usable intake address: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("The register refused the packet: {message}")]
    PacketRejected {
        /// The intake's reason, naming the check that failed.
        message: String,
    },
    #[error("The register already holds a different packet for registration {registration_id}. This packet cannot be sent; ask a supervisor")]
    DuplicateRegistration { registration_id: String, message: String },
    #[error("This station ({station_id}) is not registered at the intake. A station admin must register it before packets can be sent")]
    UnknownStation { station_id: String },
    #[error("Another station is already registered at the intake as {station_id} with a different key. Choose another station id or ask the register")]
    StationExists { station_id: String },
    #[error("This station ({station_id}) waits for the register's approval. Packets stay queued and are sent once it is approved")]
    StationPending { station_id: String },
    #[error("The register revoked this station ({station_id}). It cannot send packets; they stay on the station. Ask the register")]
    StationRevoked { station_id: String },
    #[error("The enrollment code is not valid: mistyped, already used or expired. Ask the register for a new one")]
    EnrollmentCodeInvalid,
    #[error("The intake does not know the key this station ({station_id}) signs its requests with. Packets stay queued; the station registers its key again")]
    RequestKeyUnknown { station_id: String },
    #[error("The intake refused the station's request signature: {message}. Packets stay queued")]
    SignatureRefused {
        /// The intake's code (`signature_missing`, `signature_invalid`, `signature_replayed`).
        code: String,
        message: String,
    },
    #[error("The station's clock is too far from the intake's: {message}. The packet stays queued and is sent again with the intake's time")]
    SignatureExpired { message: String },
    #[error("The receipt from the intake cannot be trusted: {reason}. The packet stays on the station")]
    BadReceipt { reason: String },
    #[error("The packet is too large for the intake: {message}")]
    UploadTooLarge { message: String },
    #[error("The packet kept arriving damaged at the intake. The packet stays queued and will be sent again later")]
    ChecksumMismatch,
    #[error("The upload expired or was removed on the intake. It will start again from the beginning")]
    UploadGone,
    #[error("The upload is not complete on the intake yet. It will continue on the next try")]
    UploadIncomplete,
    #[error("The intake server had a problem (HTTP {status}): {message}. The packet stays queued and will be sent again later")]
    IntakeFailed {
        status: u16,
        message: String,
        /// How long the intake asked the station to wait (`Retry-After`), if it did.
        retry_after: Option<std::time::Duration>,
    },
    #[error("The intake answered in an unexpected way: {0}")]
    Protocol(String),
    #[error("The sealed packet cannot be read from the station's disk: {0}. It stays queued")]
    EnvelopeUnreadable(String),
}

impl SyncError {
    /// A stable, machine-readable code (snake_case, never renamed).
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::IntakeUnreachable { .. } => "intake_unreachable",
            SyncError::InvalidUrl { .. } => "invalid_url",
            SyncError::PacketRejected { .. } => "packet_rejected",
            SyncError::DuplicateRegistration { .. } => "duplicate_registration",
            SyncError::UnknownStation { .. } => "unknown_station",
            SyncError::StationExists { .. } => "station_exists",
            SyncError::StationPending { .. } => "station_pending",
            SyncError::StationRevoked { .. } => "station_revoked",
            SyncError::EnrollmentCodeInvalid => "enrollment_code_invalid",
            SyncError::RequestKeyUnknown { .. } => "request_key_unknown",
            SyncError::SignatureRefused { .. } => "signature_refused",
            SyncError::SignatureExpired { .. } => "signature_expired",
            SyncError::BadReceipt { .. } => "bad_receipt",
            SyncError::UploadTooLarge { .. } => "upload_too_large",
            SyncError::ChecksumMismatch => "checksum_mismatch",
            SyncError::UploadGone => "upload_gone",
            SyncError::UploadIncomplete => "upload_incomplete",
            SyncError::IntakeFailed { .. } => "intake_error",
            SyncError::Protocol(_) => "protocol",
            SyncError::EnvelopeUnreadable(_) => "envelope_unreadable",
        }
    }

    /// The wait the intake asked for before the next try (`Retry-After` on a `423`, `429` or
    /// `5xx`), if it asked.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            SyncError::IntakeFailed { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// What the failure says about whom it concerns, for the queue to decide what to do with
    /// the packet and the packets behind it (see [`FailureScope`]).
    pub fn scope(&self) -> FailureScope {
        match self {
            SyncError::IntakeUnreachable { .. } => FailureScope::Link,
            SyncError::InvalidUrl { .. }
            | SyncError::UnknownStation { .. }
            | SyncError::StationExists { .. }
            | SyncError::StationPending { .. }
            | SyncError::StationRevoked { .. }
            | SyncError::EnrollmentCodeInvalid
            | SyncError::RequestKeyUnknown { .. }
            | SyncError::SignatureRefused { .. } => FailureScope::Station,
            SyncError::PacketRejected { .. }
            | SyncError::DuplicateRegistration { .. }
            | SyncError::UploadTooLarge { .. } => FailureScope::PacketRefused,
            SyncError::ChecksumMismatch
            | SyncError::UploadGone
            | SyncError::UploadIncomplete
            | SyncError::SignatureExpired { .. }
            | SyncError::IntakeFailed { .. } => FailureScope::PacketTransient,
            SyncError::BadReceipt { .. } | SyncError::Protocol(_) | SyncError::EnvelopeUnreadable(_) => {
                FailureScope::PacketSuspect
            }
        }
    }

    /// True when trying the same packet again later may succeed without anyone acting: the
    /// link, the intake's disk or an expired upload. False when a person must act (a rejected
    /// packet, an unregistered station, a receipt that does not verify).
    pub fn retry_later(&self) -> bool {
        matches!(
            self,
            SyncError::IntakeUnreachable { .. }
                | SyncError::ChecksumMismatch
                | SyncError::UploadGone
                | SyncError::UploadIncomplete
                | SyncError::SignatureExpired { .. }
                | SyncError::IntakeFailed { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_tells_the_clerk_the_packet_is_safe() {
        let error = SyncError::IntakeUnreachable {
            url: "http://10.0.0.1:8470".into(),
            detail: "refused".into(),
        };
        assert_eq!(error.code(), "intake_unreachable");
        assert!(error.retry_later());
        assert_eq!(
            error.to_string(),
            "The intake server at http://10.0.0.1:8470 cannot be reached. The packet stays queued and will be sent when the connection is back"
        );
    }

    #[test]
    fn each_failure_names_whom_it_concerns() {
        let unreachable = SyncError::IntakeUnreachable {
            url: "u".into(),
            detail: "d".into(),
        };
        assert_eq!(unreachable.scope(), FailureScope::Link);
        assert_eq!(
            SyncError::UnknownStation { station_id: "s".into() }.scope(),
            FailureScope::Station
        );
        assert_eq!(
            SyncError::PacketRejected { message: "m".into() }.scope(),
            FailureScope::PacketRefused
        );
        let duplicate = SyncError::DuplicateRegistration {
            registration_id: "r".into(),
            message: "m".into(),
        };
        assert_eq!(duplicate.scope(), FailureScope::PacketRefused);
        assert_eq!(SyncError::UploadGone.scope(), FailureScope::PacketTransient);
        assert_eq!(
            SyncError::BadReceipt { reason: "r".into() }.scope(),
            FailureScope::PacketSuspect
        );
        // Whatever a person must act on is never a failure to retry blindly.
        for error in [unreachable, SyncError::UploadGone, SyncError::ChecksumMismatch] {
            assert!(error.retry_later(), "{error:?}");
        }
    }

    #[test]
    fn rejections_need_a_person() {
        assert!(!SyncError::PacketRejected { message: "x".into() }.retry_later());
        assert!(!SyncError::BadReceipt { reason: "x".into() }.retry_later());
        assert!(!SyncError::UnknownStation { station_id: "s".into() }.retry_later());
    }
}
