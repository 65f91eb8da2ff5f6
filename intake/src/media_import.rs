//! Packets that come to the register on removable media (`enroll intake import`): export
//! folders written by stations without a link (`enroll_packet::exchange_media`), taken in with
//! the same checks, the same storage and the same receipts as a completed tus upload
//! (`crate::completion::verify_and_accept`), the receipts written back into each folder for the
//! station to import.
//!
//! A folder is taken whole or not at all: its manifest must parse and its signature verify with
//! the request key it names, that key must be vouched for by the packet key the register holds
//! for the station (so a station that never registered its request key online still exports),
//! the station must be approved (`station_pending`, `station_revoked`, `unknown_station` as over
//! HTTP), and every file must be there, whole and unchanged, with nothing else beside them.
//! Only then is any packet stored. A packet the register refuses on its own (`packet_rejected`,
//! `station_key_mismatch`, `duplicate_registration`, too large) is named in the report and the
//! others are stored, as the sync's queue does with uploads.
//!
//! Exactly once: a packet held already (from this folder, another copy of it, or the network)
//! is not stored again, and its first receipt is what is written, so importing a folder twice
//! writes the same files.
//!
//! Deliberately absent: any HTTP (this runs beside the server, on its data folder, as `enroll
//! intake stations` does), and deleting anything from the media.

use std::path::Path;

use enroll_packet::exchange_media::{find_export_folders, ExportFolder};
use enroll_packet::RegisterKeyPair;
use serde::Serialize;
use time::OffsetDateTime;

use crate::completion::verify_and_accept;
use crate::storage::{Arrival, Storage};
use crate::storage_backend::StorageBackend;
use crate::tus_headers::DeclaredUpload;
use crate::{IntakeConfig, IntakeError};

/// The register's side of removable media, on an intake's data folder.
pub struct MediaIntake {
    storage: std::sync::Arc<dyn StorageBackend>,
    register_keys: crate::key_ring::RegisterKeyRing,
    max_packet_bytes: u64,
}

/// What importing one folder did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderImport {
    /// The folder's name (`enroll-export-...`).
    pub folder: String,
    pub station_id: String,
    /// Lower-case hex SHA-256 of its manifest.
    pub manifest_sha256: String,
    /// Packets the manifest lists.
    pub packets: usize,
    /// Stored now, for the first time.
    pub stored: usize,
    /// Held already (the same bytes): nothing stored again, the first receipt written.
    pub already_held: usize,
    /// Receipts written into the folder's `receipts/`.
    pub receipts_written: usize,
    /// Packets the register refuses, each with why.
    pub refused: Vec<PacketRefusal>,
    /// Packets stored (or held) whose receipt could not be written into the folder (a stick
    /// that is full or write-protected): importing the folder again writes them.
    pub receipts_not_written: Vec<PacketRefusal>,
}

/// One packet the register refused, or whose receipt could not be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PacketRefusal {
    pub registration_id: String,
    /// The intake's stable code (`packet_rejected`, `duplicate_registration`, ...).
    pub code: String,
    pub message: String,
}

/// A folder refused whole (nothing of it stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderRefusal {
    pub folder: String,
    /// `media_file_truncated`, `station_revoked`, ...
    pub code: String,
    pub message: String,
}

/// What importing a folder of folders (a stick) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MediaImportReport {
    pub imported: Vec<FolderImport>,
    pub refused: Vec<FolderRefusal>,
}

impl MediaImportReport {
    /// Whether anything was refused, a folder or a packet, or a receipt is not on the media.
    pub fn has_refusals(&self) -> bool {
        !self.refused.is_empty()
            || self
                .imported
                .iter()
                .any(|folder| !folder.refused.is_empty() || !folder.receipts_not_written.is_empty())
    }
}

impl MediaIntake {
    /// The intake database and packet files in `data_dir` (created if the intake never ran
    /// there; the running intake may share them), with the register's keys: the encryption key
    /// opens each packet to check it, the signing key signs receipts. Packets are taken up to
    /// the intake's default upload limit.
    pub fn open(data_dir: &Path, register_keys: RegisterKeyPair) -> Result<MediaIntake, IntakeError> {
        std::fs::create_dir_all(data_dir)?;
        Ok(MediaIntake::with_storage(
            std::sync::Arc::new(Storage::open(data_dir)?),
            register_keys,
        ))
    }

    /// The same over another storage backend (see [`crate::storage_backend`]): a scale-out
    /// intake's PostgreSQL and object store.
    pub fn with_storage(storage: std::sync::Arc<dyn StorageBackend>, register_keys: RegisterKeyPair) -> MediaIntake {
        MediaIntake {
            storage,
            register_keys: crate::key_ring::RegisterKeyRing::new(register_keys, Vec::new()),
            max_packet_bytes: IntakeConfig::DEFAULT_MAX_UPLOAD_BYTES,
        }
    }

    /// The same, also taking packets sealed to the register's earlier key pairs (newest first),
    /// each receipted with its own pair (see [`crate::key_ring`]).
    pub fn with_previous_keys(mut self, previous: Vec<RegisterKeyPair>) -> MediaIntake {
        let current = self.register_keys.into_current();
        self.register_keys = crate::key_ring::RegisterKeyRing::new(current, previous);
        self
    }

    /// The same with another largest packet (an intake served with another upload limit).
    pub fn with_max_packet_bytes(mut self, max_packet_bytes: u64) -> MediaIntake {
        self.max_packet_bytes = max_packet_bytes;
        self
    }

    /// Every export folder in `dir` (or `dir` itself, when it is one), each taken or refused on
    /// its own. `Err` only for what stops everything: the register's own storage failing, or
    /// `dir` unreadable.
    pub fn import(&self, dir: &Path, now: OffsetDateTime) -> Result<MediaImportReport, IntakeError> {
        let folders = find_export_folders(dir).map_err(IntakeError::Media)?;
        let mut report = MediaImportReport::default();
        for folder in folders {
            let name = folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match self.import_folder(&folder, now) {
                Ok(imported) => report.imported.push(imported),
                Err(error) if is_refusal(&error) => {
                    tracing::warn!(folder = %name, code = error.code(), %error, "export folder refused");
                    report.refused.push(FolderRefusal {
                        folder: name,
                        code: error.code().to_owned(),
                        message: error.to_string(),
                    });
                }
                Err(error) => return Err(error),
            }
        }
        Ok(report)
    }

    /// One export folder (see the module's notes). `Err` when the folder is refused whole, or
    /// the register's storage fails.
    pub fn import_folder(&self, folder: &Path, now: OffsetDateTime) -> Result<FolderImport, IntakeError> {
        let export = ExportFolder::open(folder).map_err(IntakeError::Media)?;
        let manifest = export.manifest();
        let station_key = self.storage.approved_station_key(&manifest.station_id)?;
        manifest
            .check_request_key_proof(&station_key)
            .map_err(IntakeError::Media)?;
        export.verify_files().map_err(IntakeError::Media)?;

        let mut imported = FolderImport {
            folder: export.name(),
            station_id: manifest.station_id.clone(),
            manifest_sha256: export.manifest_sha256().to_owned(),
            packets: manifest.packets.len(),
            stored: 0,
            already_held: 0,
            receipts_written: 0,
            refused: Vec::new(),
            receipts_not_written: Vec::new(),
        };
        for packet in &manifest.packets {
            let refuse = |error: IntakeError| PacketRefusal {
                registration_id: packet.registration_id.clone(),
                code: error.code().to_owned(),
                message: error.to_string(),
            };
            if packet.length > self.max_packet_bytes {
                imported.refused.push(refuse(IntakeError::UploadTooLarge {
                    length: packet.length,
                    max: self.max_packet_bytes,
                }));
                continue;
            }
            // Read again and hashed again: a file changed since the check is not taken.
            let envelope = match export.read_packet(packet) {
                Ok(envelope) => envelope,
                Err(error) => {
                    imported.refused.push(refuse(IntakeError::Media(error)));
                    continue;
                }
            };
            let declared = DeclaredUpload {
                registration_id: packet.registration_id.clone(),
                station_id: manifest.station_id.clone(),
                sha256: packet.sha256.clone(),
            };
            let reference = format!("media-{}", hex::encode(rand::random::<[u8; 16]>()));
            match verify_and_accept(
                self.storage.as_ref(),
                &self.register_keys,
                &declared,
                &envelope,
                Arrival::Media(&envelope),
                &reference,
                now,
            ) {
                Ok(accepted) => {
                    if accepted.stored_now {
                        imported.stored += 1;
                    } else {
                        imported.already_held += 1;
                    }
                    match export.write_receipt(&accepted.receipt) {
                        Ok(()) => imported.receipts_written += 1,
                        Err(error) => {
                            tracing::warn!(registration_id = %packet.registration_id, %error, "the receipt could not be written to the media");
                            imported.receipts_not_written.push(refuse(IntakeError::Media(error)));
                        }
                    }
                }
                Err(
                    error @ (IntakeError::PacketRejected(_)
                    | IntakeError::StationKeyMismatch(_)
                    | IntakeError::DuplicateRegistration(_)),
                ) => {
                    tracing::warn!(registration_id = %packet.registration_id, code = error.code(), %error, "packet from removable media refused");
                    imported.refused.push(refuse(error));
                }
                Err(error) => return Err(error),
            }
        }
        tracing::info!(
            folder = %imported.folder,
            station_id = %imported.station_id,
            stored = imported.stored,
            already_held = imported.already_held,
            refused = imported.refused.len(),
            "export folder imported"
        );
        Ok(imported)
    }
}

/// Whether `error` refuses one folder (its media, its station) rather than stopping everything.
fn is_refusal(error: &IntakeError) -> bool {
    matches!(
        error,
        IntakeError::Media(_)
            | IntakeError::UnknownStation(_)
            | IntakeError::StationPending(_)
            | IntakeError::StationRevoked(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use enroll_packet::exchange_manifest::ExportDecision;
    use enroll_packet::exchange_media::ExportWriter;
    use enroll_packet::{SignedReceipt, StationSigningKey};
    use std::path::PathBuf;

    const STATION: &str = "10007";
    const NOW: OffsetDateTime = time::macros::datetime!(2026-11-26 10:00 UTC);

    struct Register {
        dir: tempfile::TempDir,
        keys: RegisterKeyPair,
        station: StationSigningKey,
        request_key: ed25519_dalek::SigningKey,
    }

    impl Register {
        fn new() -> Register {
            let dir = tempfile::tempdir().unwrap();
            let register = Register {
                dir,
                keys: RegisterKeyPair::generate(),
                station: StationSigningKey::generate(),
                request_key: ed25519_dalek::SigningKey::from_bytes(&[4; 32]),
            };
            register
                .intake()
                .storage
                .register_station(
                    STATION,
                    "Center",
                    &register.station.public_key(),
                    None,
                    None,
                    crate::StationApproval::Automatic,
                    NOW,
                )
                .unwrap();
            register
        }

        fn intake(&self) -> MediaIntake {
            MediaIntake::open(
                &self.dir.path().join("intake"),
                RegisterKeyPair::from_json(&self.keys.to_json()).unwrap(),
            )
            .unwrap()
        }

        fn media(&self) -> PathBuf {
            let media = self.dir.path().join("media");
            std::fs::create_dir_all(&media).unwrap();
            media
        }

        /// An export of `ids` by the station, as it writes one.
        fn export(&self, ids: &[&str], at: OffsetDateTime) -> PathBuf {
            let mut writer = ExportWriter::create(&self.media(), STATION, at).unwrap();
            for id in ids {
                let envelope = enroll_packet::testing::sealed_sample_packet(
                    &self.station,
                    STATION,
                    id,
                    &self.keys.public_keys(),
                    200,
                );
                writer
                    .add_packet(id, ExportDecision::Approved, &mut envelope.as_slice())
                    .unwrap();
            }
            let request_public = self.request_key.verifying_key().to_bytes();
            let proof = enroll_packet::signing::request_key_proof(&self.station.0, STATION, &request_public);
            writer
                .finish(&enroll_packet::time::rfc3339(at), &self.request_key, &proof)
                .unwrap()
                .folder
        }

        fn held(&self) -> usize {
            std::fs::read_dir(self.dir.path().join("intake").join("packets"))
                .unwrap()
                .count()
        }
    }

    fn receipt(folder: &Path, id: &str) -> SignedReceipt {
        serde_json::from_slice(&std::fs::read(folder.join("receipts").join(format!("{id}.json"))).unwrap()).unwrap()
    }

    #[test]
    fn a_folder_is_stored_once_and_its_receipts_written_the_same_each_time() {
        let register = Register::new();
        let folder = register.export(&["R1", "R2"], NOW);
        let intake = register.intake();
        let first = intake.import(&register.media(), NOW).unwrap();
        assert_eq!(first.refused, []);
        let imported = &first.imported[0];
        assert_eq!(
            (
                imported.packets,
                imported.stored,
                imported.already_held,
                imported.receipts_written
            ),
            (2, 2, 0, 2)
        );
        assert_eq!(register.held(), 2);
        let receipt_r1 = receipt(&folder, "R1");
        receipt_r1.verify(&register.keys.public_keys().signing_public).unwrap();
        assert_eq!(receipt_r1.receipt.station_id, STATION);
        assert!(receipt_r1.receipt.intake_reference.starts_with("media-"));
        let bytes = std::fs::read(folder.join("receipts/R1.json")).unwrap();

        let again = intake
            .import(&register.media(), NOW + time::Duration::hours(1))
            .unwrap();
        let imported = &again.imported[0];
        assert_eq!((imported.stored, imported.already_held), (0, 2));
        assert_eq!(register.held(), 2, "nothing stored twice");
        assert_eq!(std::fs::read(folder.join("receipts/R1.json")).unwrap(), bytes);
    }

    #[test]
    fn a_damaged_folder_or_a_station_not_approved_stores_nothing() {
        let register = Register::new();
        let folder = register.export(&["R1", "R2"], NOW);
        let path = folder.join("packets/R2.envelope");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        let report = register.intake().import(&register.media(), NOW).unwrap();
        assert_eq!(report.imported, []);
        assert_eq!(report.refused[0].code, "media_file_truncated");
        assert!(report.refused[0].message.starts_with("packets/R2.envelope: "));
        assert_eq!(register.held(), 0, "not even R1");
        assert!(!folder.join("receipts").exists());
        std::fs::write(&path, &bytes).unwrap();

        register.intake().storage.revoke_station(STATION, NOW).unwrap();
        let report = register.intake().import(&register.media(), NOW).unwrap();
        assert_eq!(report.refused[0].code, "station_revoked");
        assert_eq!(register.held(), 0);
    }

    #[test]
    fn a_manifest_signed_by_a_key_the_station_did_not_vouch_for_is_refused() {
        let register = Register::new();
        let forger = Register {
            station: StationSigningKey::generate(),
            dir: tempfile::tempdir().unwrap(),
            keys: RegisterKeyPair::from_json(&register.keys.to_json()).unwrap(),
            request_key: ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
        };
        // Packets sealed and a manifest signed by someone else's keys under this station's id.
        let folder = forger.export(&["R1"], NOW);
        let error = register.intake().import_folder(&folder, NOW).unwrap_err();
        assert_eq!(error.code(), "media_signature_invalid");
        assert!(error.to_string().starts_with("manifest.sig: "), "{error}");
        assert_eq!(register.held(), 0);
    }

    #[test]
    fn a_packet_the_register_refuses_is_named_and_the_others_are_stored() {
        let register = Register::new();
        register.export(&["R1"], NOW);
        register.intake().import(&register.media(), NOW).unwrap();
        // R1 again with other bytes (a new sealing of it), beside a new R3.
        let media = register.dir.path().join("media2");
        std::fs::create_dir_all(&media).unwrap();
        let later = NOW + time::Duration::minutes(5);
        let mut writer = ExportWriter::create(&media, STATION, later).unwrap();
        for id in ["R1", "R3"] {
            let envelope = enroll_packet::testing::sealed_sample_packet(
                &register.station,
                STATION,
                id,
                &register.keys.public_keys(),
                250,
            );
            writer
                .add_packet(id, ExportDecision::Approved, &mut envelope.as_slice())
                .unwrap();
        }
        let request_public = register.request_key.verifying_key().to_bytes();
        let proof = enroll_packet::signing::request_key_proof(&register.station.0, STATION, &request_public);
        writer
            .finish("2026-11-26T10:05:00Z", &register.request_key, &proof)
            .unwrap();
        let report = register.intake().import(&media, later).unwrap();
        let imported = &report.imported[0];
        assert_eq!(imported.stored, 1);
        assert_eq!(imported.refused.len(), 1);
        assert_eq!(
            (
                imported.refused[0].registration_id.as_str(),
                imported.refused[0].code.as_str()
            ),
            ("R1", "duplicate_registration")
        );
        assert!(report.has_refusals());
    }
}
