//! Sneaker-net: sealed packets on removable media, for a station that has no link for weeks.
//!
//! - Export ([`Station::export_to_media`], `enroll export --to DIR`): every packet of the upload
//!   queue that has no receipt (sealed, approved or rejected, and uploaded but not yet
//!   acknowledged; not the quarantined ones, which the sync passes by too) is copied into a new
//!   export folder with a manifest signed by the request key
//!   (`enroll_packet::exchange_media`). Nothing moves: the packets stay queued, and the network
//!   sync may still send them (the register stores a packet once, whichever way it comes).
//! - Import ([`Station::import_from_media`], `enroll import DIR`), for each export folder found:
//!   - another station's: every file is verified against its signed manifest (a folder with a
//!     missing, cut or changed file is refused whole and the file named), each packet is
//!     relayed to this station's intake with its sync client (the register checks the packet's
//!     own station signature) and the register's receipt, verified against the pinned register
//!     key, is written into the folder's `receipts/` for the stick's way back;
//!   - this station's own, with receipts in it: each receipt is verified against the pinned
//!     register key and this station's copy of the envelope (its SHA-256), and the registration
//!     becomes acknowledged as the sync's would (`Vault::record_receipt_from_media`). A receipt
//!     that does not verify is named and changes nothing.
//!
//! Both run with nobody signed in (the CLI on the station's own machine, as `enroll sync`):
//! only sealed bytes leave, and what comes back is believed only once the register's signature
//! verifies. Their moves and events are audited as [`MEDIA_ACTOR`], never with resident data.
//!
//! Deliberately absent: resuming a relay cut by the link (the next import sends the packets
//! without a receipt again; the intake expires the partial upload), and deleting anything from
//! the media.

use std::path::Path;

use enroll_packet::exchange_manifest::{receipt_file, ExportDecision, ManifestPacket, MediaFault, MAX_PACKETS};
use enroll_packet::exchange_media::{find_export_folders, ExportFolder, ExportWriter};
use enroll_packet::{PacketError, SignedReceipt};
use enroll_store::{NewAuditEvent, RegistrationState, StationRecord, StoredEnvelope};
use enroll_sync::{verify_receipt, EnvelopeFile, EnvelopeSource, FailureScope, IntakeClient};
use serde::Serialize;
use specta::Type;

use crate::register_keys::PinnedKeys;
use crate::request_key::{self, RunClient};
use crate::{rfc3339, ErrorView, Station, StationError};

/// The audit trail's name for the station's removable-media exchange (`enroll export`,
/// `enroll import`).
pub const MEDIA_ACTOR: &str = "media";

/// What an export wrote.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct MediaExportView {
    /// The export folder written, `None` when nothing was waiting for the register.
    pub folder: Option<String>,
    /// The registrations exported, in queue order.
    pub exported: Vec<String>,
    /// Quarantined packets, not exported (a supervisor releases them first).
    pub quarantined: u32,
    /// Packets beyond what one folder holds, left for the next export.
    pub left_for_next_export: u32,
    /// Lower-case hex SHA-256 of the folder's manifest.
    pub manifest_sha256: Option<String>,
}

/// What an import did, folder by folder.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct MediaImportView {
    pub folders: Vec<MediaFolderView>,
}

impl MediaImportView {
    /// Whether anything failed, in any folder.
    pub fn has_failures(&self) -> bool {
        self.folders.iter().any(|folder| !folder.failures.is_empty())
    }
}

/// Whose folder it was, and so what was done with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MediaFolderKind {
    /// This station's own export: its receipts were taken back.
    Own,
    /// Another station's: its packets were relayed to the register.
    Relayed,
    /// Refused whole: nothing of it was used (see its failure).
    Refused,
}

/// One export folder.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MediaFolderView {
    /// The folder's name (`enroll-export-...`).
    pub folder: String,
    pub kind: MediaFolderKind,
    /// The station that wrote it, once its manifest read.
    pub station_id: Option<String>,
    /// Packets its manifest lists.
    pub packets: u32,
    /// Own folder: registrations acknowledged now.
    pub acknowledged: u32,
    /// Own folder: acknowledged before (by the sync, or an earlier import).
    pub already_acknowledged: u32,
    /// Own folder: packets whose receipt is not in the folder yet.
    pub waiting: u32,
    /// Relayed folder: packets sent to the register now, their receipts written.
    pub relayed: u32,
    /// Relayed folder: packets whose verified receipt was in the folder already.
    pub already_receipted: u32,
    /// What failed: the folder itself (no registration id) or one packet.
    pub failures: Vec<MediaFailureView>,
}

/// One failure of an import, with the file it concerns.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MediaFailureView {
    /// The file inside the folder (`packets/<id>.envelope`, `receipts/<id>.json`,
    /// `manifest.sig`), when one is concerned.
    pub file: Option<String>,
    pub registration_id: Option<String>,
    pub error: ErrorView,
}

impl MediaFolderView {
    fn new(folder: String, kind: MediaFolderKind) -> MediaFolderView {
        MediaFolderView {
            folder,
            kind,
            station_id: None,
            packets: 0,
            acknowledged: 0,
            already_acknowledged: 0,
            waiting: 0,
            relayed: 0,
            already_receipted: 0,
            failures: Vec::new(),
        }
    }

    /// Notes `error` (the English detail goes to the log, the view keeps the code).
    fn fail(&mut self, registration_id: Option<&str>, file: Option<String>, error: StationError) {
        let file = file.or_else(|| match &error {
            StationError::Packet(PacketError::Media { file, .. }) => Some(file.clone()),
            _ => None,
        });
        tracing::warn!(
            folder = %self.folder,
            registration_id = registration_id.unwrap_or("-"),
            file = file.as_deref().unwrap_or("-"),
            code = error.code(),
            %error,
            "removable media"
        );
        self.failures.push(MediaFailureView {
            file,
            registration_id: registration_id.map(str::to_owned),
            error: ErrorView::from(&error),
        });
    }
}

impl Station {
    /// Writes every packet still waiting for the register into a new export folder in `media`
    /// (see the module's notes). Nothing changes in the vault but one audit event.
    pub fn export_to_media(&self, media: &Path) -> Result<MediaExportView, StationError> {
        let now = (self.clock)();
        let (record, queue, seed, proof) = {
            let mut vault = self.vault();
            let record = vault.station()?.ok_or(StationError::NotSetUp)?;
            // The register takes the manifest's request key only with the packet key's proof.
            let proof = vault.request_key_proof()?.ok_or(StationError::RequestKeyUnproven)?;
            let seed = zeroize::Zeroizing::new(vault.ensure_request_key_seed()?);
            (record, vault.upload_queue()?, seed, proof)
        };
        let (quarantined, waiting): (Vec<_>, Vec<_>) =
            queue.into_iter().partition(|entry| entry.quarantined_at.is_some());
        let mut view = MediaExportView {
            quarantined: quarantined.len() as u32,
            left_for_next_export: waiting.len().saturating_sub(MAX_PACKETS) as u32,
            ..MediaExportView::default()
        };
        if waiting.is_empty() {
            tracing::info!(
                quarantined = view.quarantined,
                "nothing waits for the register; no export written"
            );
            return Ok(view);
        }
        let mut writer = ExportWriter::create(media, &record.station_id, now)?;
        for entry in waiting.iter().take(MAX_PACKETS) {
            let rejected = entry.state == RegistrationState::Rejected || entry.rejected_by.is_some();
            let decision = if rejected {
                ExportDecision::Rejected
            } else {
                ExportDecision::Approved
            };
            // The file is opened under the vault's lock and copied without it.
            let stored = self.vault().open_envelope(&entry.registration_id)?;
            match stored {
                StoredEnvelope::InRow(bytes) => {
                    writer.add_packet(&entry.registration_id, decision, &mut bytes.as_slice())
                }
                StoredEnvelope::File { mut file, .. } => writer.add_packet(&entry.registration_id, decision, &mut file),
            }?;
            view.exported.push(entry.registration_id.clone());
        }
        let request_key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let finished = writer.finish(&rfc3339(now), &request_key, &proof)?;
        let folder_name = finished
            .folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.vault().record_audit(&NewAuditEvent {
            at: &rfc3339(now),
            actor: Some(MEDIA_ACTOR),
            action: "packets_exported",
            registration_id: None,
            details: &format!(
                "{} packets to removable media, folder {folder_name}; manifest sha256 {}",
                view.exported.len(),
                finished.manifest_sha256
            ),
        })?;
        tracing::info!(
            folder = %finished.folder.display(),
            packets = view.exported.len(),
            quarantined = view.quarantined,
            left = view.left_for_next_export,
            "packets exported to removable media"
        );
        view.folder = Some(finished.folder.display().to_string());
        view.manifest_sha256 = Some(finished.manifest_sha256);
        Ok(view)
    }

    /// Takes in every export folder in `dir` (or `dir` itself when it is one): receipts of this
    /// station's own exports, packets of other stations' relayed to the register (see the
    /// module's notes). `Err` only for what stops everything (the vault, an unreadable `dir`);
    /// each folder's failures are in its view. Waits for a sync run to end first.
    pub async fn import_from_media(&self, dir: &Path) -> Result<MediaImportView, StationError> {
        let _one_run_at_a_time = self.sync_running.lock().await;
        let record = self.vault().station()?.ok_or(StationError::NotSetUp)?;
        let pinned = PinnedKeys::load(&self.vault())?;
        let mut view = MediaImportView::default();
        for path in find_export_folders(dir)? {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut folder_view = MediaFolderView::new(name, MediaFolderKind::Refused);
            match ExportFolder::open(&path) {
                Err(error) => folder_view.fail(None, None, error.into()),
                Ok(folder) => {
                    folder_view.station_id = Some(folder.manifest().station_id.clone());
                    folder_view.packets = folder.manifest().packets.len() as u32;
                    if folder.manifest().station_id == record.station_id {
                        self.take_receipts_back(&folder, &record, &pinned, &mut folder_view)?;
                    } else {
                        self.relay(&folder, &record, &pinned, &mut folder_view).await?;
                    }
                }
            }
            view.folders.push(folder_view);
        }
        if view.folders.is_empty() {
            return Err(StationError::InvalidInput(format!(
                "{} holds no export folder (enroll-export-...)",
                dir.display()
            )));
        }
        Ok(view)
    }

    /// This station's own folder: each receipt in it, verified, acknowledges its registration.
    fn take_receipts_back(
        &self,
        folder: &ExportFolder,
        record: &StationRecord,
        pinned: &PinnedKeys,
        view: &mut MediaFolderView,
    ) -> Result<(), StationError> {
        // A folder naming this station but signed by another key is not this station's (and a
        // station whose request key has no proof yet never exported one).
        let own_request_key = {
            let mut vault = self.vault();
            match vault.request_key_proof()? {
                Some(_) => {
                    let seed = zeroize::Zeroizing::new(vault.ensure_request_key_seed()?);
                    Some(ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes())
                }
                None => None,
            }
        };
        if own_request_key != Some(folder.manifest().request_key) {
            view.fail(
                None,
                None,
                PacketError::Media {
                    fault: MediaFault::SignatureInvalid,
                    file: enroll_packet::exchange_manifest::SIGNATURE_FILE.to_owned(),
                    detail: format!(
                        "the folder names this station ({}) but is not signed with its request key",
                        record.station_id
                    ),
                }
                .into(),
            );
            return Ok(());
        }
        view.kind = MediaFolderKind::Own;
        for packet in &folder.manifest().packets {
            let id = packet.registration_id.as_str();
            let receipt = match folder.read_receipt(packet) {
                Ok(Some(receipt)) => receipt,
                Ok(None) => {
                    view.waiting += 1;
                    continue;
                }
                Err(error) => {
                    view.fail(Some(id), None, error.into());
                    continue;
                }
            };
            match self.acknowledge_from_media(packet, &receipt, record, pinned) {
                Ok(true) => view.acknowledged += 1,
                Ok(false) => view.already_acknowledged += 1,
                Err(
                    error
                    @ StationError::Store(enroll_store::StoreError::Database(_) | enroll_store::StoreError::Io(_)),
                ) => return Err(error),
                Err(error) => view.fail(Some(id), Some(receipt_file(id)), error),
            }
        }
        let now = rfc3339((self.clock)());
        self.vault().record_audit(&NewAuditEvent {
            at: &now,
            actor: Some(MEDIA_ACTOR),
            action: "media_receipts_imported",
            registration_id: None,
            details: &format!(
                "folder {}: {} acknowledged, {} acknowledged before, {} waiting, {} refused",
                view.folder,
                view.acknowledged,
                view.already_acknowledged,
                view.waiting,
                view.failures.len()
            ),
        })?;
        Ok(())
    }

    /// One receipt of this station's own folder. `Ok(true)`: acknowledged now; `Ok(false)`:
    /// acknowledged (or purged) before, nothing to do.
    fn acknowledge_from_media(
        &self,
        packet: &ManifestPacket,
        receipt: &SignedReceipt,
        record: &StationRecord,
        pinned: &PinnedKeys,
    ) -> Result<bool, StationError> {
        let id = packet.registration_id.as_str();
        let row = self.vault().registration(id)?;
        match row.state {
            RegistrationState::Acknowledged | RegistrationState::Purged => return Ok(false),
            RegistrationState::Sealed | RegistrationState::Rejected | RegistrationState::Uploaded => {}
            _ => return Err(crate::invalid_state(&row)),
        }
        // The receipt must name this station's very bytes, whatever the manifest says, and be
        // signed with the register keys they were sealed to.
        let envelope: Box<dyn EnvelopeSource> = match self.vault().open_envelope(id)? {
            StoredEnvelope::InRow(bytes) => Box::new(bytes),
            StoredEnvelope::File { file, name } => Box::new(EnvelopeFile::from_file(file, &name)?),
        };
        let sha256 = envelope.sha256_hex()?;
        let sealed_to = pinned.for_envelope(envelope.as_ref())?;
        verify_receipt(receipt, sealed_to, id, &record.station_id, &sha256).map_err(|error| {
            StationError::Packet(PacketError::Media {
                fault: MediaFault::ReceiptInvalid,
                file: receipt_file(id),
                detail: format!("it cannot be believed: {error}"),
            })
        })?;
        let receipt_json = serde_json::to_string(receipt).expect("a receipt is plain JSON values");
        let now = rfc3339((self.clock)());
        self.vault().acting_as(MEDIA_ACTOR, |vault| {
            vault.record_receipt_from_media(id, &receipt_json, &now)
        })?;
        tracing::info!(registration_id = %id, reference = %receipt.receipt.intake_reference, "acknowledged by a receipt from removable media");
        Ok(true)
    }

    /// The client that relays other stations' packets: this station's own, signing with its
    /// request key (registered first if the intake has not taken it yet).
    async fn relay_client(&self, record: &StationRecord) -> Result<IntakeClient, StationError> {
        match request_key::signing_client(self, record, IntakeClient::new(&record.intake_url)?).await? {
            RunClient::Ready(client) => Ok(client),
            RunClient::NotReady(error) => Err(error),
        }
    }

    /// Another station's folder: verified whole, then each packet without a verified receipt
    /// sent to the register and its receipt written into the folder.
    async fn relay(
        &self,
        folder: &ExportFolder,
        record: &StationRecord,
        pinned: &PinnedKeys,
        view: &mut MediaFolderView,
    ) -> Result<(), StationError> {
        if let Err(error) = folder.verify_files() {
            view.fail(None, None, error.into());
            return Ok(());
        }
        let client = match self.relay_client(record).await {
            Ok(client) => client,
            Err(error @ StationError::Store(_)) => return Err(error),
            Err(error) => {
                view.fail(None, None, error);
                return Ok(());
            }
        };
        view.kind = MediaFolderKind::Relayed;
        let origin = folder.manifest().station_id.clone();
        let mut stopped = false;
        for packet in &folder.manifest().packets {
            let id = packet.registration_id.as_str();
            if stopped {
                continue;
            }
            let source = match folder
                .open_packet(packet)
                .map_err(StationError::from)
                .and_then(|file| Ok(EnvelopeFile::from_file(file, &packet.file())?))
            {
                Ok(source) => source,
                Err(error) => {
                    view.fail(Some(id), None, error);
                    continue;
                }
            };
            // The register signs a receipt with the keys the packet was sealed to.
            let sealed_to = match pinned.for_envelope(&source) {
                Ok(keys) => keys,
                Err(error) => {
                    view.fail(Some(id), Some(packet.file()), error.into());
                    continue;
                }
            };
            if let Ok(Some(receipt)) = folder.read_receipt(packet) {
                if verify_receipt(&receipt, sealed_to, id, &origin, &packet.sha256).is_ok() {
                    view.already_receipted += 1;
                    continue;
                }
            }
            // Read once more now (the hash is kept for the upload): a file changed since the
            // folder was verified is not sent.
            match source.sha256_hex() {
                Ok(sha256) if sha256 == packet.sha256 => {}
                Ok(_) => {
                    let changed = PacketError::Media {
                        fault: MediaFault::FileChanged,
                        file: packet.file(),
                        detail: "it changed after the folder was verified".to_owned(),
                    };
                    view.fail(Some(id), None, changed.into());
                    continue;
                }
                Err(error) => {
                    view.fail(Some(id), Some(packet.file()), error.into());
                    continue;
                }
            }
            match client
                .send_packet(id, &origin, &source, sealed_to, None, &|_, _| {})
                .await
            {
                Ok((_, receipt)) => {
                    if let Err(error) = folder.write_receipt(&receipt) {
                        view.fail(Some(id), Some(receipt_file(id)), error.into());
                        continue;
                    }
                    view.relayed += 1;
                    tracing::info!(registration_id = %id, station_id = %origin, "relayed to the register from removable media");
                }
                Err(error) => {
                    // The link gone or this station refused: the rest would fail the same way.
                    stopped = matches!(error.scope(), FailureScope::Link | FailureScope::Station);
                    view.fail(Some(id), Some(packet.file()), error.into());
                }
            }
        }
        let now = rfc3339((self.clock)());
        self.vault().record_audit(&NewAuditEvent {
            at: &now,
            actor: Some(MEDIA_ACTOR),
            action: "media_relayed",
            registration_id: None,
            details: &format!(
                "folder {} of station {origin}: {} relayed, {} receipted before, {} failed",
                view.folder,
                view.relayed,
                view.already_receipted,
                view.failures.len()
            ),
        })?;
        Ok(())
    }
}
