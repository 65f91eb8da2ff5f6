//! The register keys this station pins, across the register's key rotations.
//!
//! At onboarding the station pins the register's keys. When the register rotates them it sends
//! a `register_keys` document down with its configuration (`crate::register_config`), signed by
//! the keys it retires; the station verifies it with the keys it pins, checks that it replaces
//! exactly them, and pins the new keys (`Vault::rotate_register_keys`, audited). From then on:
//! - new packets are sealed to the new encryption key (`packaging` reads the keys in force);
//! - new configuration documents are verified with the new signing key only;
//! - a receipt is verified with the keys its packet was sealed to, found by the key id in the
//!   envelope's header: a packet sealed before the rotation and uploaded after it is receipted
//!   by the register with the retired pair, and a retired key can vouch for nothing else;
//! - documents taken before the rotation stay valid (they were verified when taken), so at
//!   start a stored document may verify with any key the station pinned.
//!
//! Which rotations of a delta to take: the register sends every rotation newer than the
//! station's version, oldest first. Those up to the last one that introduced the keys the
//! station pins already are history (a station set up after them); the rest are taken in order,
//! each verified with the keys the one before introduced. The first that fails stops the
//! chain: the station keeps the keys it has (the register still takes packets sealed to them)
//! and asks again later.

use enroll_packet::register_config::{ConfigDocument, KeyRotation, SignedConfig};
use enroll_packet::{EnvelopeHeader, KeyId, RegisterPublicKeys};
use enroll_store::Vault;
use enroll_sync::{EnvelopeSource, SyncError};

use crate::sync_queue::{audited, RunBy};
use crate::StationError;

/// The keys the station pins: the ones in force and the ones they replaced.
#[derive(Debug, Clone)]
pub(crate) struct PinnedKeys {
    /// Packets are sealed to these, and new documents verified with them.
    pub(crate) current: RegisterPublicKeys,
    /// The keys in force before, newest first.
    pub(crate) retired: Vec<RegisterPublicKeys>,
    /// The version of the last rotation the station knows of.
    pub(crate) version: u64,
}

impl PinnedKeys {
    pub(crate) fn load(vault: &Vault) -> Result<PinnedKeys, StationError> {
        let stored = vault.pinned_register_keys()?;
        Ok(PinnedKeys {
            current: RegisterPublicKeys::from_json(&stored.current_json)?,
            retired: stored
                .retired_json
                .iter()
                .map(|json| RegisterPublicKeys::from_json(json))
                .collect::<Result<_, _>>()?,
            version: stored.version,
        })
    }

    /// Every pair pinned, the one in force first.
    pub(crate) fn all(&self) -> impl Iterator<Item = &RegisterPublicKeys> {
        std::iter::once(&self.current).chain(&self.retired)
    }

    /// The pair whose encryption key has id `key_id`, if pinned.
    pub(crate) fn by_key_id(&self, key_id: KeyId) -> Option<&RegisterPublicKeys> {
        self.all().find(|keys| keys.key_id() == key_id)
    }

    /// The pair a packet's receipt is verified with: the one it was sealed to, read from the
    /// envelope's header; the pair in force when the header names no pinned key (the receipt
    /// then fails verification with a clear reason, as before rotations existed).
    pub(crate) fn for_envelope(&self, envelope: &dyn EnvelopeSource) -> Result<&RegisterPublicKeys, SyncError> {
        let prefix = envelope.read_at(
            0,
            envelope.len().min(enroll_packet::envelope::MAX_HEADER_LEN as u64) as usize,
        )?;
        Ok(self.for_envelope_bytes(&prefix))
    }

    /// The same for an envelope's first bytes (at least its header).
    pub(crate) fn for_envelope_bytes(&self, prefix: &[u8]) -> &RegisterPublicKeys {
        EnvelopeHeader::parse(prefix)
            .ok()
            .and_then(|header| self.by_key_id(header.register_key_id))
            .unwrap_or(&self.current)
    }
}

/// A rotation document as sent, read without checking its signature (only to order the delta
/// and to see which keys it introduces; nothing is trusted before it verifies).
pub(crate) struct OfferedRotation {
    pub(crate) version: u64,
    pub(crate) keys: Option<RegisterPublicKeys>,
    pub(crate) signed: SignedConfig,
}

impl OfferedRotation {
    pub(crate) fn read(signed: SignedConfig, unverified: &ConfigDocument) -> OfferedRotation {
        OfferedRotation {
            version: unverified.version,
            keys: KeyRotation::from_value(&unverified.document)
                .ok()
                .map(|rotation| rotation.keys),
            signed,
        }
    }
}

/// What taking the rotations of a delta did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct RotationsTaken {
    /// The versions of the rotations taken, in order.
    pub(crate) taken: Vec<u64>,
    /// The rotation refused, with the reason's code; the ones after it were not tried.
    pub(crate) refused: Option<(u64, &'static str)>,
}

/// Take the rotations of a delta (see the module's notes); `pinned` follows them.
pub(crate) fn take_rotations(
    vault: &mut Vault,
    pinned: &mut PinnedKeys,
    mut offered: Vec<OfferedRotation>,
    now: &str,
    by: RunBy,
) -> Result<RotationsTaken, StationError> {
    offered.sort_by_key(|rotation| rotation.version);
    offered.retain(|rotation| rotation.version > pinned.version);
    // Rotations up to the one that introduced the keys pinned are behind the station.
    let behind = offered.iter().rposition(|rotation| {
        rotation
            .keys
            .as_ref()
            .is_some_and(|keys| pinned.all().any(|pin| pin == keys))
    });
    let mut report = RotationsTaken::default();
    if let Some(last_behind) = behind {
        vault.note_register_keys_version(offered[last_behind].version)?;
        pinned.version = offered[last_behind].version;
        offered.drain(..=last_behind);
    }
    for rotation in offered {
        match verify_rotation(&rotation.signed, pinned) {
            Ok((document, keys)) => {
                let details = format!(
                    "version {}: register key {} → {}",
                    document.version,
                    pinned.current.key_id().to_hex(),
                    keys.key_id().to_hex()
                );
                audited(vault, by, |vault| {
                    vault.rotate_register_keys(&keys.to_json(), document.version, now, &details)
                })?;
                tracing::info!(version = document.version, %details, "took the register's key rotation");
                let retired = std::mem::replace(&mut pinned.current, keys);
                pinned.retired.insert(0, retired);
                pinned.version = document.version;
                report.taken.push(document.version);
            }
            Err(error) => {
                tracing::warn!(
                    version = rotation.version,
                    code = error.code(),
                    %error,
                    "a register key rotation is refused; the station keeps the keys it pins"
                );
                report.refused = Some((rotation.version, error.code()));
                break;
            }
        }
    }
    Ok(report)
}

/// A rotation verifies with the keys in force and replaces exactly them.
fn verify_rotation(
    signed: &SignedConfig,
    pinned: &PinnedKeys,
) -> Result<(ConfigDocument, RegisterPublicKeys), StationError> {
    let document = signed.verify(&pinned.current.signing_public)?;
    if document.kind != enroll_packet::register_config::ConfigKind::RegisterKeys {
        return Err(refused("the document is not a key rotation".into()));
    }
    let rotation = KeyRotation::from_value(&document.document)?;
    if rotation.replaces != pinned.current {
        return Err(refused(format!(
            "the rotation replaces register key {}, but this station pins key {}",
            rotation.replaces.key_id().to_hex(),
            pinned.current.key_id().to_hex()
        )));
    }
    Ok((document, rotation.keys))
}

fn refused(detail: String) -> StationError {
    StationError::from(enroll_packet::PacketError::ConfigInvalid(detail))
}

#[cfg(test)]
mod tests {
    use enroll_packet::register_config::ConfigKind;
    use enroll_packet::RegisterKeyPair;

    use super::*;
    use crate::test_support::TestStation;

    /// A rotation from `old` to `new` at `version`, signed by `signer`.
    fn rotation(
        old: &RegisterKeyPair,
        new: &RegisterKeyPair,
        version: u64,
        signer: &RegisterKeyPair,
    ) -> OfferedRotation {
        let document = ConfigDocument {
            kind: ConfigKind::RegisterKeys,
            version,
            published_at: "2026-12-01T10:00:00Z".into(),
            document: KeyRotation {
                keys: new.public_keys(),
                replaces: old.public_keys(),
            }
            .to_value(),
        };
        OfferedRotation::read(SignedConfig::sign(&document, &signer.signing_key), &document)
    }

    /// A station pinning `keys` (as if onboarded with them), and what taking `offered` does.
    fn take(keys: &RegisterKeyPair, offered: Vec<OfferedRotation>) -> (RotationsTaken, PinnedKeys) {
        let test = TestStation::new();
        let mut vault = test.station.vault();
        vault
            .rotate_register_keys(&keys.public_keys().to_json(), 1, "t0", "onboarded")
            .unwrap();
        let mut pinned = PinnedKeys::load(&vault).unwrap();
        let taken = take_rotations(&mut vault, &mut pinned, offered, "t1", RunBy::Operator).unwrap();
        assert_eq!(PinnedKeys::load(&vault).unwrap().current, pinned.current, "as stored");
        assert_eq!(vault.highest_config_version().unwrap(), pinned.version);
        (taken, pinned)
    }

    #[test]
    fn a_station_follows_the_chain_from_the_keys_it_pins_whenever_it_was_set_up() {
        let [a, b, c] = [(); 3].map(|()| RegisterKeyPair::generate());
        let chain = || vec![rotation(&b, &c, 9, &b), rotation(&a, &b, 5, &a)];

        // Pinned the first keys: both rotations, in order (whatever order they came in).
        let (taken, pinned) = take(&a, chain());
        assert_eq!(
            taken,
            RotationsTaken {
                taken: vec![5, 9],
                refused: None
            }
        );
        assert_eq!(pinned.current, c.public_keys());
        assert_eq!(pinned.retired[..2], [b.public_keys(), a.public_keys()]);
        assert_eq!(pinned.version, 9);
        let c_id = c.public_keys().key_id();
        assert_eq!(pinned.by_key_id(a.public_keys().key_id()), Some(&a.public_keys()));
        assert_eq!(pinned.by_key_id(c_id), Some(&c.public_keys()));

        // Set up between the two: the first is behind it.
        let (taken, pinned) = take(&b, chain());
        assert_eq!(taken.taken, [9]);
        assert_eq!((pinned.current.clone(), pinned.version), (c.public_keys(), 9));

        // Set up after both: nothing to take, and nothing asked for again.
        let (taken, pinned) = take(&c, chain());
        assert_eq!(taken, RotationsTaken::default());
        assert_eq!((pinned.current.clone(), pinned.version), (c.public_keys(), 9));
    }

    #[test]
    fn a_broken_link_stops_the_chain_and_the_station_keeps_its_keys() {
        let [a, b, c, stranger] = [(); 4].map(|()| RegisterKeyPair::generate());
        let (taken, pinned) = take(&a, vec![rotation(&a, &b, 5, &stranger), rotation(&b, &c, 9, &b)]);
        assert_eq!(
            taken,
            RotationsTaken {
                taken: vec![],
                refused: Some((5, "config_invalid"))
            }
        );
        assert_eq!((pinned.current.clone(), pinned.version), (a.public_keys(), 1));

        // Signed by the pinned key, but replacing other keys: refused too.
        let (taken, pinned) = take(&a, vec![rotation(&b, &c, 5, &a)]);
        assert_eq!(taken.refused, Some((5, "config_invalid")));
        assert_eq!(pinned.current, a.public_keys());
    }
}
