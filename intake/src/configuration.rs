//! Configuration sent down to stations (`schemas/intake-api.md` §"Configuration"): the register
//! publishes a document of a kind (offline limits, capture policy, form, master data), signed
//! with its signing key and numbered with the next version of one counter across kinds; a
//! station asks for what is newer than the highest version it holds and gets the latest
//! document of each kind that changed since.
//!
//! Kept as one file per kind under `<data>/config/` (`<kind>.json`, the signed document as
//! served), written whole and atomically (temporary file, fsync, rename, fsync of the folder):
//! a reader sees the old document or the new one. Publishing is an operator's act, one at a
//! time (a lock file says so); serving reads the files on each request (a handful of small
//! files, asked every few minutes by each station).
//!
//! Key rotations are the exception: every one is kept (`register_keys/<version>.json`) and
//! every one newer than a station's version is sent, because each is signed by the keys the one
//! before it introduced, and a station that slept through two rotations must follow both.
//! [`ConfigFolder::rotate_keys`] signs the rotation with the retiring keys and signs the
//! documents in force again with the new ones (same versions, same payloads), so a station
//! that takes the rotation verifies everything after it with the keys it now pins. The
//! documents are signed again first and the rotation written last: an interrupted rotation is
//! run again, and until it completes stations keep the old keys.
//!
//! Every document is checked before it is signed with the same code a station checks it with
//! (`enroll_schemas`), so the register cannot publish what its stations would refuse.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use axum::extract::{Query, State};
use axum::Json;
use enroll_packet::register_config::{ConfigDocument, ConfigKind, KeyRotation, SignedConfig};
use enroll_packet::{RegisterKeyPair, RegisterPublicKeys};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::blocking;
use crate::request_auth::SignedStation;
use crate::{IntakeError, IntakeState};

/// The folder of published documents, inside the intake's data folder.
pub struct ConfigFolder {
    dir: PathBuf,
}

/// What `GET /v1/config` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigDelta {
    /// The highest version published, of any kind (0: none yet).
    pub latest: u64,
    /// The latest document of each kind published after the version asked for.
    pub documents: Vec<SignedConfig>,
}

/// Checks a document of `kind` as a station will, before the register signs it.
pub fn check_document(kind: ConfigKind, document: &serde_json::Value) -> Result<(), IntakeError> {
    let refused = |error: enroll_schemas::SchemaError| IntakeError::BadRequest(error.to_string());
    match kind {
        ConfigKind::OfflineLimits => enroll_schemas::station_config::OfflineLimitsConfig::from_value(document)
            .map(drop)
            .map_err(refused),
        ConfigKind::CapturePolicy => enroll_schemas::CapturePolicy::from_json(&document.to_string())
            .map(drop)
            .map_err(refused),
        ConfigKind::Form => enroll_schemas::station_config::form_from_value(document)
            .map(drop)
            .map_err(refused),
        ConfigKind::MasterData => enroll_schemas::station_config::MasterData::from_value(document)
            .map(drop)
            .map_err(refused),
        ConfigKind::Operators => enroll_schemas::station_config::OperatorList::from_value(document)
            .map(drop)
            .map_err(refused),
        ConfigKind::RegisterKeys => Err(IntakeError::BadRequest(
            "register keys are not published as a document: rotate them (enroll intake config rotate-keys)".into(),
        )),
    }
}

impl ConfigFolder {
    pub fn open(data_dir: &Path) -> Result<ConfigFolder, IntakeError> {
        let dir = data_dir.join("config");
        fs::create_dir_all(&dir)?;
        Ok(ConfigFolder { dir })
    }

    fn path_of(&self, kind: ConfigKind) -> PathBuf {
        self.dir.join(format!("{}.json", kind.as_str()))
    }

    fn rotations_dir(&self) -> PathBuf {
        self.dir.join(ConfigKind::RegisterKeys.as_str())
    }

    /// The latest published document of each kind but the key rotations, with what it says.
    pub fn published(&self) -> Result<Vec<(ConfigDocument, SignedConfig)>, IntakeError> {
        let mut documents = Vec::new();
        for kind in ConfigKind::ALL
            .into_iter()
            .filter(|kind| *kind != ConfigKind::RegisterKeys)
        {
            if let Some(published) = read_signed(&self.path_of(kind), kind)? {
                documents.push(published);
            }
        }
        Ok(documents)
    }

    /// Every key rotation the register made, oldest first.
    pub fn rotations(&self) -> Result<Vec<(ConfigDocument, SignedConfig)>, IntakeError> {
        let entries = match fs::read_dir(self.rotations_dir()) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(error.into()),
        };
        let mut rotations = Vec::new();
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|extension| extension == "json") {
                if let Some(rotation) = read_signed(&path, ConfigKind::RegisterKeys)? {
                    rotations.push(rotation);
                }
            }
        }
        rotations.sort_by_key(|(document, _)| document.version);
        Ok(rotations)
    }

    /// The register's keys in force according to the rotations: the last rotation's, or
    /// `None` before the first (the keys the intake was first set up with).
    fn rotated_keys(&self) -> Result<Option<RegisterPublicKeys>, IntakeError> {
        let Some((document, _)) = self.rotations()?.pop() else {
            return Ok(None);
        };
        let rotation = KeyRotation::from_value(&document.document)
            .map_err(|error| IntakeError::Internal(format!("a key rotation on file is damaged: {error}")))?;
        Ok(Some(rotation.keys))
    }

    /// What a station holding everything up to `since` is missing: every key rotation after
    /// it, and the latest document of each other kind published after it, by version.
    pub fn since(&self, since: u64) -> Result<ConfigDelta, IntakeError> {
        let mut published = self.published()?;
        published.extend(self.rotations()?);
        let latest = published
            .iter()
            .map(|(document, _)| document.version)
            .max()
            .unwrap_or(0);
        let mut newer: Vec<_> = published
            .into_iter()
            .filter(|(document, _)| document.version > since)
            .collect();
        newer.sort_by_key(|(document, _)| document.version);
        Ok(ConfigDelta {
            latest,
            documents: newer.into_iter().map(|(_, signed)| signed).collect(),
        })
    }

    /// Check, sign and publish `document` as the latest of `kind`, with the next version.
    pub fn publish(
        &self,
        kind: ConfigKind,
        document: serde_json::Value,
        keys: &RegisterKeyPair,
        now: OffsetDateTime,
    ) -> Result<ConfigDocument, IntakeError> {
        check_document(kind, &document)?;
        let _lock = PublishLock::take(&self.dir)?;
        if let Some(rotated) = self.rotated_keys()? {
            if rotated != keys.public_keys() {
                return Err(IntakeError::BadRequest(format!(
                    "the register's keys were rotated to key {}; this key file is not them (stations would refuse what it signs)",
                    rotated.key_id().to_hex()
                )));
            }
        }
        let version = self.since(0)?.latest + 1;
        let document = ConfigDocument {
            kind,
            version,
            published_at: enroll_packet::time::rfc3339(now),
            document,
        };
        write_atomically(
            &self.dir,
            &self.path_of(kind),
            &SignedConfig::sign(&document, &keys.signing_key),
        )?;
        tracing::info!(kind = kind.as_str(), version, "configuration published");
        Ok(document)
    }

    /// Rotate the register's keys from `old` to `new`: the documents in force are signed again
    /// with `new`, then the rotation, signed with `old`, is published with the next version.
    /// `old` must be the keys in force (the last rotation's, or any before the first). The
    /// intake must already take packets sealed to both (serve with `new` and `--previous-key`
    /// `old`), or stations that take the rotation would seal to a key it cannot open.
    pub fn rotate_keys(
        &self,
        old: &RegisterKeyPair,
        new: &RegisterKeyPair,
        now: OffsetDateTime,
    ) -> Result<ConfigDocument, IntakeError> {
        let rotation = KeyRotation {
            keys: new.public_keys(),
            replaces: old.public_keys(),
        };
        KeyRotation::from_value(&rotation.to_value()).map_err(|error| IntakeError::BadRequest(error.to_string()))?;
        let _lock = PublishLock::take(&self.dir)?;
        if let Some(rotated) = self.rotated_keys()? {
            if rotated != rotation.replaces {
                return Err(IntakeError::BadRequest(format!(
                    "the register's keys in force are key {} (the last rotation's); rotate from them, not from key {}",
                    rotated.key_id().to_hex(),
                    rotation.replaces.key_id().to_hex()
                )));
            }
        }
        for (document, signed) in self.published()? {
            let signed_by = |keys: &RegisterPublicKeys| signed.verify(&keys.signing_public).is_ok();
            if signed_by(&rotation.keys) {
                continue; // signed again by an interrupted run of this rotation
            }
            if !signed_by(&rotation.replaces) {
                return Err(IntakeError::BadRequest(format!(
                    "config/{}.json is not signed by the keys being retired; publish it again with them first",
                    document.kind.as_str()
                )));
            }
            write_atomically(
                &self.dir,
                &self.path_of(document.kind),
                &SignedConfig::sign(&document, &new.signing_key),
            )?;
        }
        let version = self.since(0)?.latest + 1;
        let document = ConfigDocument {
            kind: ConfigKind::RegisterKeys,
            version,
            published_at: enroll_packet::time::rfc3339(now),
            document: rotation.to_value(),
        };
        let dir = self.rotations_dir();
        fs::create_dir_all(&dir)?;
        fs::File::open(&self.dir)?.sync_all()?;
        write_atomically(
            &dir,
            &dir.join(format!("{version:020}.json")),
            &SignedConfig::sign(&document, &old.signing_key),
        )?;
        tracing::info!(
            version,
            from = %rotation.replaces.key_id().to_hex(),
            to = %rotation.keys.key_id().to_hex(),
            "register keys rotated"
        );
        Ok(document)
    }
}

/// Reads one published file, `None` when there is none.
fn read_signed(path: &Path, kind: ConfigKind) -> Result<Option<(ConfigDocument, SignedConfig)>, IntakeError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    let damaged = |why: String| IntakeError::Internal(format!("{} is damaged: {why}", path.display()));
    let signed: SignedConfig = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
    let document: ConfigDocument = serde_json::from_str(&signed.payload).map_err(|e| damaged(e.to_string()))?;
    if document.kind != kind {
        return Err(damaged(format!("it holds a {} document", document.kind.as_str())));
    }
    Ok(Some((document, signed)))
}

/// Writes `signed` to `path` whole or not at all: a temporary file, fsync, rename, fsync of
/// the folder `dir` that holds it.
fn write_atomically(dir: &Path, path: &Path, signed: &SignedConfig) -> Result<(), IntakeError> {
    let text = serde_json::to_string_pretty(signed)
        .map_err(|e| IntakeError::Internal(format!("a signed document could not be written: {e}")))?;
    let temporary = path.with_extension("json.partial");
    let mut file = fs::File::create(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    fs::rename(&temporary, path)?;
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// One publisher at a time: the next version is read, then written.
struct PublishLock(PathBuf);

impl PublishLock {
    fn take(dir: &Path) -> Result<PublishLock, IntakeError> {
        let path = dir.join(".publishing");
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => Ok(PublishLock(path)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(IntakeError::BadRequest(format!(
                "another publication is running; if none is (it was interrupted), remove {}",
                path.display()
            ))),
            Err(error) => Err(error.into()),
        }
    }
}

impl Drop for PublishLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// The query of `GET /v1/config`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigQuery {
    #[serde(default)]
    since: u64,
}

/// `GET /v1/config?since=N` → `200 {"latest", "documents"}`, for an approved station.
#[tracing::instrument(skip_all, fields(station = %signed.station_id))]
pub async fn config_since(
    State(state): State<IntakeState>,
    signed: SignedStation,
    query: Result<Query<ConfigQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ConfigDelta>, IntakeError> {
    let Query(query) = query.map_err(|rejection| {
        IntakeError::BadRequest(format!(
            "the query is `since=<version>`, a whole number: {}",
            rejection.body_text()
        ))
    })?;
    let folder = state.config_folder();
    let delta = blocking(move || folder.since(query.since)).await?;
    Ok(Json(delta))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn limits(days: u32) -> serde_json::Value {
        json!({"max_days_since_sync": days, "max_packets_not_uploaded": 300, "min_free_disk_mb": 512})
    }

    #[test]
    fn each_publication_takes_the_next_version_and_a_delta_holds_the_latest_of_each_kind() {
        let dir = tempfile::tempdir().unwrap();
        let folder = ConfigFolder::open(dir.path()).unwrap();
        let keys = RegisterKeyPair::generate();
        let now = OffsetDateTime::now_utc();
        assert_eq!(
            folder.since(0).unwrap(),
            ConfigDelta {
                latest: 0,
                documents: vec![]
            }
        );

        assert_eq!(
            folder
                .publish(ConfigKind::OfflineLimits, limits(7), &keys, now)
                .unwrap()
                .version,
            1
        );
        let master = json!({"rejection_reasons": [{"code": "blurred", "labels": {"eng": "Blurred photo"}}]});
        assert_eq!(
            folder
                .publish(ConfigKind::MasterData, master, &keys, now)
                .unwrap()
                .version,
            2
        );
        assert_eq!(
            folder
                .publish(ConfigKind::OfflineLimits, limits(5), &keys, now)
                .unwrap()
                .version,
            3
        );

        let delta = folder.since(0).unwrap();
        assert_eq!(delta.latest, 3);
        let versions: Vec<_> = delta
            .documents
            .iter()
            .map(|signed| signed.verify(&keys.public_keys().signing_public).unwrap())
            .map(|document| (document.kind, document.version))
            .collect();
        assert_eq!(versions, [(ConfigKind::MasterData, 2), (ConfigKind::OfflineLimits, 3)]);
        assert_eq!(folder.since(2).unwrap().documents.len(), 1);
        assert!(folder.since(3).unwrap().documents.is_empty());
        assert!(!dir.path().join("config/.publishing").exists(), "the lock is let go");
    }

    #[test]
    fn what_a_station_would_refuse_is_not_published() {
        let dir = tempfile::tempdir().unwrap();
        let folder = ConfigFolder::open(dir.path()).unwrap();
        let keys = RegisterKeyPair::generate();
        let now = OffsetDateTime::now_utc();
        let error = folder
            .publish(ConfigKind::OfflineLimits, limits(0), &keys, now)
            .unwrap_err();
        assert_eq!(error.code(), "bad_request");
        assert!(error.to_string().contains("max_days_since_sync"), "{error}");
        let error = folder
            .publish(ConfigKind::CapturePolicy, json!({"kind": "x"}), &keys, now)
            .unwrap_err();
        assert_eq!(error.code(), "bad_request");
        assert_eq!(folder.since(0).unwrap().latest, 0, "nothing was written");
    }

    #[test]
    fn a_rotation_is_signed_by_the_old_keys_the_documents_again_by_the_new_and_every_rotation_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let folder = ConfigFolder::open(dir.path()).unwrap();
        let [a, b, c] = [(); 3].map(|()| RegisterKeyPair::generate());
        let now = OffsetDateTime::now_utc();
        folder.publish(ConfigKind::OfflineLimits, limits(7), &a, now).unwrap();

        let first = folder.rotate_keys(&a, &b, now).unwrap();
        assert_eq!((first.kind, first.version), (ConfigKind::RegisterKeys, 2));
        // Rotating again from the retired keys is refused; so is publishing with them.
        let error = folder.rotate_keys(&a, &c, now).unwrap_err();
        assert!(error.to_string().contains("rotate from them"), "{error}");
        assert_eq!(
            folder
                .publish(ConfigKind::OfflineLimits, limits(6), &a, now)
                .unwrap_err()
                .code(),
            "bad_request"
        );
        let second = folder.rotate_keys(&b, &c, now).unwrap();
        assert_eq!(second.version, 3);

        // A station that holds nothing gets both rotations, each signed by the keys it
        // retires, and the limits (version 1) signed by the keys in force.
        let delta = folder.since(0).unwrap();
        assert_eq!(delta.latest, 3);
        let [limits_doc, to_b, to_c] = &delta.documents[..] else {
            panic!("{delta:?}")
        };
        assert_eq!(limits_doc.verify(&c.public_keys().signing_public).unwrap().version, 1);
        assert!(limits_doc.verify(&a.public_keys().signing_public).is_err());
        let to_b = to_b.verify(&a.public_keys().signing_public).unwrap();
        assert_eq!(KeyRotation::from_value(&to_b.document).unwrap().keys, b.public_keys());
        let to_c = to_c.verify(&b.public_keys().signing_public).unwrap();
        assert_eq!(KeyRotation::from_value(&to_c.document).unwrap().keys, c.public_keys());
        // One that holds the first rotation gets only the second.
        assert_eq!(folder.since(2).unwrap().documents.len(), 1);
        assert!(
            check_document(ConfigKind::RegisterKeys, &to_c.document).is_err(),
            "rotations are not published"
        );
    }
}
