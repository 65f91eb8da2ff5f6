//! Checking a receipt before the station believes it.
//!
//! A receipt is what allows the station, later, to delete its sealed copy, so it must be
//! signed by the register key pinned at onboarding (not whatever key the intake presents now)
//! and must name exactly this registration, this station and these bytes.
//!
//! This module does not fetch receipts and does not delete anything.

use enroll_packet::{RegisterPublicKeys, SignedReceipt};

use crate::SyncError;

/// Verifies `signed` against the pinned register key and the packet the station sent.
pub fn verify_receipt(
    signed: &SignedReceipt,
    pinned: &RegisterPublicKeys,
    registration_id: &str,
    station_id: &str,
    envelope_sha256: &str,
) -> Result<(), SyncError> {
    signed
        .verify(&pinned.signing_public)
        .map_err(|_| SyncError::BadReceipt {
            reason: "its signature does not verify with the register key pinned at onboarding".to_owned(),
        })?;
    let receipt = &signed.receipt;
    let mismatch = |what: &str, found: &str, expected: &str| SyncError::BadReceipt {
        reason: format!("it names {what} '{found}' but the station sent '{expected}'"),
    };
    if receipt.registration_id != registration_id {
        return Err(mismatch("registration", &receipt.registration_id, registration_id));
    }
    if receipt.station_id != station_id {
        return Err(mismatch("station", &receipt.station_id, station_id));
    }
    if receipt.envelope_sha256 != envelope_sha256 {
        return Err(mismatch("packet hash", &receipt.envelope_sha256, envelope_sha256));
    }
    Ok(())
}
