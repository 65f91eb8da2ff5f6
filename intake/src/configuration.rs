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
//! Every document is checked before it is signed with the same code a station checks it with
//! (`enroll_schemas`), so the register cannot publish what its stations would refuse.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use axum::extract::{Query, State};
use axum::Json;
use enroll_packet::register_config::{ConfigDocument, ConfigKind, SignedConfig};
use enroll_packet::RegisterKeyPair;
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

    /// The latest published document of each kind, with what it says.
    pub fn published(&self) -> Result<Vec<(ConfigDocument, SignedConfig)>, IntakeError> {
        let mut documents = Vec::new();
        for kind in ConfigKind::ALL {
            let text = match fs::read_to_string(self.path_of(kind)) {
                Ok(text) => text,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(error) => return Err(error.into()),
            };
            let damaged =
                |why: String| IntakeError::Internal(format!("config/{}.json is damaged: {why}", kind.as_str()));
            let signed: SignedConfig = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
            let document: ConfigDocument = serde_json::from_str(&signed.payload).map_err(|e| damaged(e.to_string()))?;
            if document.kind != kind {
                return Err(damaged(format!("it holds a {} document", document.kind.as_str())));
            }
            documents.push((document, signed));
        }
        Ok(documents)
    }

    /// What a station holding everything up to `since` is missing.
    pub fn since(&self, since: u64) -> Result<ConfigDelta, IntakeError> {
        let published = self.published()?;
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
        let version = self.since(0)?.latest + 1;
        let document = ConfigDocument {
            kind,
            version,
            published_at: enroll_packet::time::rfc3339(now),
            document,
        };
        let signed = SignedConfig::sign(&document, &keys.signing_key);
        let text = serde_json::to_string_pretty(&signed)
            .map_err(|e| IntakeError::Internal(format!("a signed document could not be written: {e}")))?;
        let path = self.path_of(kind);
        let temporary = path.with_extension("json.partial");
        let mut file = fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&temporary, &path)?;
        fs::File::open(&self.dir)?.sync_all()?;
        tracing::info!(kind = kind.as_str(), version, "configuration published");
        Ok(document)
    }
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
}
