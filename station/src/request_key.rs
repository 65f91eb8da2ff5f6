//! The station's request key: the Ed25519 key that signs every request of the sync to the
//! intake (HTTP Message Signatures, `enroll_sync::IntakeClient::with_request_key`), apart from
//! the packet key that signs packets.
//!
//! Why a key of its own: the packet key's seed is sealed under the data key, readable only while
//! an operator is signed in, and the sync (the background sync, `enroll sync`) runs with nobody
//! signed in. The request key's seed is kept in clear in the vault's station row (the vault is
//! owner-only): a stolen one does what the sync does and no more (it cannot sign a packet), and
//! the register revokes the station. The intake takes a request key only with the packet key's
//! proof (`enroll_packet::signing::request_key_proof`), so the proof is made where the packet
//! key is at hand.
//!
//! Its life:
//! - setup: a new key, its proof sent with the station's registration, all stored with the
//!   station (`setup`);
//! - sign-in: a station set up before request keys makes its key and the proof
//!   ([`vouch_if_unproven`]);
//! - a sync run: the client signs with the key, registering it first when the intake has not
//!   taken it yet ([`signing_client`]); without a proof the run stops, `request_key_unproven`,
//!   until someone signs in;
//! - an upload answered `request_key_unknown` (the intake lost it): the next run registers it
//!   again ([`note_refusal`]).
//!
//! Deliberately absent: rotating the key (the intake would take a new proven one; nothing asks
//! for it yet).

use enroll_packet::StationSigningKey;
use enroll_store::{StationRecord, Vault};
use enroll_sync::{IntakeClient, SyncError};
use rand::RngCore as _;

use crate::{rfc3339, Station, StationError};

/// The seed of a new request key (setup; a vault without one makes its own,
/// `Vault::ensure_request_key_seed`).
pub(crate) fn new_seed() -> [u8; 32] {
    let mut seed = [0; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    seed
}

/// The packet key's proof that the request key of `seed` signs `station_id`'s requests.
pub(crate) fn proof(packet_key: &StationSigningKey, station_id: &str, seed: &[u8; 32]) -> [u8; 64] {
    let request_key = ed25519_dalek::SigningKey::from_bytes(seed).verifying_key().to_bytes();
    enroll_packet::signing::request_key_proof(&packet_key.0, station_id, &request_key)
}

/// At sign-in, the packet key at hand: a station whose request key has no proof (set up before
/// request keys) makes the key if need be and vouches for it. True when it did so now: a sync
/// stopped for want of it may go on.
pub(crate) fn vouch_if_unproven(
    vault: &mut Vault,
    station_id: &str,
    packet_key: &StationSigningKey,
) -> Result<bool, StationError> {
    if vault.request_key_proof()?.is_some() {
        return Ok(false);
    }
    let seed = vault.ensure_request_key_seed()?;
    vault.store_request_key_proof(&proof(packet_key, station_id, &seed))?;
    tracing::info!(
        station_id,
        "the packet key vouched for the station's request key; the next sync registers it"
    );
    Ok(true)
}

/// What a sync run may send with.
pub(crate) enum RunClient {
    /// The client signing with the request key, which the intake has taken.
    Ready(IntakeClient),
    /// The run cannot sign: the key has no proof yet ([`StationError::RequestKeyUnproven`]),
    /// or the intake did not take it (its [`SyncError`]).
    NotReady(StationError),
}

/// `client` signing with the station's request key, registered with the intake first when it
/// has not taken the key yet (a station set up before request keys, or one whose key the
/// intake forgot). `Err` is the vault's failure only.
pub(crate) async fn signing_client(
    station: &Station,
    record: &StationRecord,
    client: IntakeClient,
) -> Result<RunClient, StationError> {
    let (seed, proof, public_key, registered) = {
        let mut vault = station.vault();
        // The sign-in that makes the proof records the station public key too.
        let (Some(proof), Some(public_key)) = (vault.request_key_proof()?, vault.station_public_key()?) else {
            return Ok(RunClient::NotReady(StationError::RequestKeyUnproven));
        };
        let registered = vault.request_key_registered_at()?.is_some();
        (vault.ensure_request_key_seed()?, proof, public_key, registered)
    };
    let client = client.with_request_key(seed, proof);
    if !registered {
        match client
            .register_station(&record.station_id, &record.name, &public_key)
            .await
        {
            Ok(standing) => {
                station
                    .vault()
                    .mark_request_key_registered(&rfc3339((station.clock)()))?;
                tracing::info!(station_id = %record.station_id, ?standing, "the intake took the station's request key");
            }
            Err(error) => {
                tracing::warn!(code = error.code(), %error, "the intake did not take the station's request key; packets stay queued");
                return Ok(RunClient::NotReady(error.into()));
            }
        }
    }
    Ok(RunClient::Ready(client))
}

/// After an upload failed with `error`: when the intake no longer knows the request key, the
/// next run registers it again.
pub(crate) fn note_refusal(vault: &mut Vault, error: &SyncError) -> Result<(), StationError> {
    if let SyncError::RequestKeyUnknown { .. } = error {
        vault.forget_request_key_registration()?;
        tracing::warn!("the intake does not know the station's request key; the next sync registers it again");
    }
    Ok(())
}
