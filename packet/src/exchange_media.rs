//! An export folder on removable media, on disk: written by the station that exports its
//! sealed packets ([`ExportWriter`]), read and verified file by file by whoever imports them
//! ([`ExportFolder`]): another station with a link, which relays them to the register, the
//! register itself, and the station that made them, which takes the receipts back. The layout
//! and the rules are `schemas/exchange-media.md`; the manifest is [`crate::exchange_manifest`].
//!
//! ```text
//! <media>/enroll-export-<station id>-<UTC time>/
//!     manifest.json                   written last: without it the export is incomplete
//!     manifest.sig                    the request key's signature over manifest.json
//!     packets/<registration id>.envelope
//!     receipts/<registration id>.json written by whoever imports the packets at the register
//! ```
//!
//! Writing: every file goes to a hidden temporary name, is synced, renamed into place, and its
//! folder synced, so that a file under its real name is whole; the manifest comes last, so that a
//! folder without one is recognisably an export that did not finish. Reading: nothing is
//! followed out of the folder (links and anything but plain files and the two sub-folders are
//! refused by name), every listed file is measured and hashed a block at a time against the
//! signed manifest, and anything the station did not write is named. The hash is checked again
//! when a packet is read for import, so a file changed after the check is caught too.
//!
//! Tolerated and skipped: what operating systems leave on sticks by themselves (`.DS_Store`,
//! `._*` AppleDouble files, `Thumbs.db`, `desktop.ini`), and hidden temporary files of a receipt
//! write that was cut off, in `receipts/`. Nothing else.
//!
//! Deliberately absent: deciding whose folder it is and what to do with its packets (the station
//! and the intake), and any network.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use crate::exchange_manifest::{
    receipt_file, sign_manifest, verify_manifest_signature, ExchangeManifest, ExportDecision, ManifestPacket,
    MediaFault, MANIFEST_FILE, MAX_MANIFEST_BYTES, MAX_PACKETS, MAX_PACKET_BYTES, MAX_SIGNATURE_BYTES, PACKETS_DIR,
    RECEIPTS_DIR, SIGNATURE_FILE,
};
use crate::{EnvelopeHeader, PacketError, SignedReceipt};

/// What every export folder's name starts with.
pub const EXPORT_FOLDER_PREFIX: &str = "enroll-export-";
/// Largest receipt file read (a receipt is a few hundred bytes).
pub const MAX_RECEIPT_BYTES: u64 = 16 * 1024;
/// Suffix of the hidden temporary files a write goes through.
const PARTIAL_SUFFIX: &str = ".partial";
/// Block size of the copies and hashes: large enough for a stick's throughput, small in memory.
const BLOCK: usize = 256 * 1024;

fn fault(fault: MediaFault, file: impl Into<String>, detail: impl Into<String>) -> PacketError {
    PacketError::Media {
        fault,
        file: file.into(),
        detail: detail.into(),
    }
}

/// The export folders `dir` holds: `dir` itself when it is one (it has a manifest, or an export
/// folder's name), or else its sub-folders named `enroll-export-*`, in name order. Links are not
/// followed.
pub fn find_export_folders(dir: &Path) -> Result<Vec<PathBuf>, PacketError> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if dir.join(MANIFEST_FILE).exists() || name.starts_with(EXPORT_FOLDER_PREFIX) {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut folders = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(EXPORT_FOLDER_PREFIX) && entry.file_type()?.is_dir() {
            folders.push(entry.path());
        }
    }
    folders.sort();
    Ok(folders)
}

/// Writes one export folder. Dropped before [`ExportWriter::finish`], it removes what it wrote
/// (best effort: what is left has no manifest and reads as incomplete).
pub struct ExportWriter {
    folder: PathBuf,
    packets_dir: PathBuf,
    station_id: String,
    packets: Vec<ManifestPacket>,
    finished: bool,
}

impl ExportWriter {
    /// A new, empty export folder in `media` (which must exist: a missing folder usually means
    /// the stick is not mounted, and writing to the local disk under its name would be worse than
    /// refusing), named after the station and `at` in UTC, with `-2`, `-3`... when taken.
    pub fn create(media: &Path, station_id: &str, at: OffsetDateTime) -> Result<ExportWriter, PacketError> {
        if !media.is_dir() {
            return Err(PacketError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "{} is not a folder; is the removable media mounted there?",
                    media.display()
                ),
            )));
        }
        let utc = at.to_offset(time::UtcOffset::UTC);
        let stamp = format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        );
        // The folder's name is for people; the manifest says whose it is. Only characters every
        // file system takes.
        let station: String = station_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let base = format!("{EXPORT_FOLDER_PREFIX}{station}-{stamp}");
        let mut folder = media.join(&base);
        let mut attempt = 1;
        loop {
            match fs::create_dir(&folder) {
                Ok(()) => break,
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                    folder = media.join(format!("{base}-{attempt}"));
                }
                Err(error) => return Err(error.into()),
            }
        }
        let packets_dir = folder.join(PACKETS_DIR);
        let writer = ExportWriter {
            folder,
            packets_dir,
            station_id: station_id.to_owned(),
            packets: Vec::new(),
            finished: false,
        };
        fs::create_dir(&writer.packets_dir)?;
        sync_directory(&writer.folder)?;
        sync_directory(media)?;
        Ok(writer)
    }

    /// The folder being written.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Copies one sealed envelope from `envelope` into `packets/<registration id>.envelope`,
    /// hashing it on the way, and checks that its header names this station and that
    /// registration (a station bug, never a resident's data, would make them differ).
    pub fn add_packet(
        &mut self,
        registration_id: &str,
        decision: ExportDecision,
        envelope: &mut dyn Read,
    ) -> Result<&ManifestPacket, PacketError> {
        crate::exchange_manifest::check_registration_id(registration_id)
            .map_err(|why| PacketError::Contents(format!("cannot export: {why}")))?;
        if self.packets.len() >= MAX_PACKETS {
            return Err(PacketError::Contents(format!(
                "an export folder holds at most {MAX_PACKETS} packets"
            )));
        }
        let name = format!("{registration_id}.envelope");
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut length: u64 = 0;
        write_whole(&self.packets_dir, &name, |file| {
            let mut buffer = vec![0u8; BLOCK];
            loop {
                let read = envelope.read(&mut buffer)?;
                if read == 0 {
                    break;
                }
                let bytes = &buffer[..read];
                if head.len() < 64 * 1024 {
                    head.extend_from_slice(&bytes[..read.min(64 * 1024 - head.len())]);
                }
                hasher.update(bytes);
                file.write_all(bytes)?;
                length += read as u64;
            }
            Ok(())
        })?;
        let header = EnvelopeHeader::parse(&head)?;
        if header.station_id != self.station_id || header.registration_id != registration_id {
            let _ = fs::remove_file(self.packets_dir.join(&name));
            return Err(PacketError::Contents(format!(
                "the envelope of {registration_id} names registration '{}' of station '{}'",
                header.registration_id, header.station_id
            )));
        }
        if length == 0 || length > MAX_PACKET_BYTES {
            return Err(PacketError::Contents(format!(
                "the envelope of {registration_id} is {length} bytes; a packet on removable media is 1 to {MAX_PACKET_BYTES}"
            )));
        }
        self.packets.push(ManifestPacket {
            registration_id: registration_id.to_owned(),
            length,
            sha256: hex::encode(hasher.finalize()),
            decision,
        });
        Ok(self.packets.last().expect("just pushed"))
    }

    /// Writes `manifest.sig`, then `manifest.json`, whose presence marks the export complete.
    /// `request_key` signs; `request_key_proof` is the packet key's proof for it.
    pub fn finish(
        mut self,
        created_at: &str,
        request_key: &ed25519_dalek::SigningKey,
        request_key_proof: &[u8; 64],
    ) -> Result<FinishedExport, PacketError> {
        let manifest = ExchangeManifest {
            station_id: self.station_id.clone(),
            created_at: created_at.to_owned(),
            request_key: request_key.verifying_key().to_bytes(),
            request_key_proof: *request_key_proof,
            packets: std::mem::take(&mut self.packets),
        };
        let bytes = manifest.to_bytes();
        // What this writer wrote must read back under the reader's rules.
        let manifest = ExchangeManifest::parse(&bytes)?;
        write_whole(&self.folder, SIGNATURE_FILE, |file| {
            file.write_all(&sign_manifest(&bytes, request_key))
        })?;
        write_whole(&self.folder, MANIFEST_FILE, |file| file.write_all(&bytes))?;
        self.finished = true;
        Ok(FinishedExport {
            folder: self.folder.clone(),
            manifest_sha256: hex::encode(Sha256::digest(&bytes)),
            manifest,
        })
    }
}

impl Drop for ExportWriter {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.folder);
        }
    }
}

/// A written export.
#[derive(Debug, Clone)]
pub struct FinishedExport {
    pub folder: PathBuf,
    pub manifest: ExchangeManifest,
    /// Lower-case hex SHA-256 of `manifest.json`: what identifies this export in audit trails.
    pub manifest_sha256: String,
}

/// An export folder whose manifest parsed and whose signature verified with the request key it
/// names. Whose key that is, the caller checks ([`ExchangeManifest::check_request_key_proof`] at
/// the register; the station compares it with its own).
#[derive(Debug)]
pub struct ExportFolder {
    path: PathBuf,
    manifest: ExchangeManifest,
    manifest_sha256: String,
}

impl ExportFolder {
    /// Reads and checks `manifest.json` and `manifest.sig` of the folder at `path`.
    pub fn open(path: &Path) -> Result<ExportFolder, PacketError> {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(fault(
                    MediaFault::FileUnexpected,
                    path.display().to_string(),
                    "not a folder (links are not followed)",
                ))
            }
            Err(error) => return Err(error.into()),
        }
        let manifest_bytes =
            match read_bounded(path, MANIFEST_FILE, MAX_MANIFEST_BYTES) {
                Err(PacketError::Media {
                    fault: MediaFault::FileMissing,
                    ..
                }) => return Err(fault(
                    MediaFault::Incomplete,
                    MANIFEST_FILE,
                    "the folder has no manifest: the export did not finish, or the copy stopped before its last file; \
                     export or copy it again",
                )),
                Err(PacketError::Media {
                    fault: MediaFault::FileChanged,
                    ..
                }) => {
                    return Err(fault(
                        MediaFault::ManifestInvalid,
                        MANIFEST_FILE,
                        format!("it is larger than {MAX_MANIFEST_BYTES} bytes"),
                    ))
                }
                other => other?,
            };
        let signature = match read_bounded(path, SIGNATURE_FILE, MAX_SIGNATURE_BYTES) {
            Err(PacketError::Media {
                fault: MediaFault::FileChanged,
                ..
            }) => {
                return Err(fault(
                    MediaFault::SignatureInvalid,
                    SIGNATURE_FILE,
                    "it is too long to be a signature",
                ))
            }
            Err(PacketError::Media {
                fault: MediaFault::FileMissing,
                ..
            }) => return Err(fault(
                MediaFault::FileMissing,
                SIGNATURE_FILE,
                "the manifest's signature is missing, so nothing in this folder can be trusted; copy the folder again",
            )),
            other => other?,
        };
        let manifest = ExchangeManifest::parse(&manifest_bytes)?;
        verify_manifest_signature(&manifest_bytes, &signature, &manifest.request_key)?;
        Ok(ExportFolder {
            path: path.to_path_buf(),
            manifest_sha256: hex::encode(Sha256::digest(&manifest_bytes)),
            manifest,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's own name (`enroll-export-...`).
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }

    pub fn manifest(&self) -> &ExchangeManifest {
        &self.manifest
    }

    /// Lower-case hex SHA-256 of `manifest.json`.
    pub fn manifest_sha256(&self) -> &str {
        &self.manifest_sha256
    }

    /// Checks every file of the folder against the manifest: each listed packet there, a plain
    /// file, of its length and its SHA-256; nothing in the folder that the station did not write
    /// (receipts of listed packets excepted). Every problem is found; the error names the first
    /// and lists the others.
    pub fn verify_files(&self) -> Result<(), PacketError> {
        let mut problems = Vec::new();
        self.check_entries(&mut problems)?;
        match fs::symlink_metadata(self.path.join(PACKETS_DIR)) {
            Ok(meta) if meta.is_dir() => {
                for packet in &self.manifest.packets {
                    if let Err(error) = self.check_packet(packet) {
                        problems.push(error);
                    }
                }
            }
            Ok(_) => problems.push(fault(
                MediaFault::FileUnexpected,
                PACKETS_DIR,
                "not a folder (links are not followed)",
            )),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => problems.push(fault(
                MediaFault::FileMissing,
                PACKETS_DIR,
                "the folder of the packets is missing: the copy is incomplete",
            )),
            Err(error) => return Err(error.into()),
        }
        first_with_the_rest(problems)
    }

    /// Names anything in the folder, `packets/` and `receipts/` that the station did not write.
    fn check_entries(&self, problems: &mut Vec<PacketError>) -> Result<(), PacketError> {
        for (name, meta) in entries(&self.path)? {
            let expected = match name.as_str() {
                MANIFEST_FILE | SIGNATURE_FILE => meta.is_file(),
                PACKETS_DIR | RECEIPTS_DIR => meta.is_dir(),
                _ => false,
            };
            if !expected {
                problems.push(unexpected(&name, &meta));
            }
        }
        let listed = |name: &str, suffix: &str| {
            name.strip_suffix(suffix)
                .is_some_and(|id| self.manifest.packet(id).is_some())
        };
        if self.path.join(PACKETS_DIR).is_dir() {
            for (name, meta) in entries(&self.path.join(PACKETS_DIR))? {
                if !(meta.is_file() && listed(&name, ".envelope")) {
                    problems.push(unexpected(&format!("{PACKETS_DIR}/{name}"), &meta));
                }
            }
        }
        if self.path.join(RECEIPTS_DIR).is_dir() {
            for (name, meta) in entries(&self.path.join(RECEIPTS_DIR))? {
                let cut_off_write = name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX);
                if !(meta.is_file() && (listed(&name, ".json") || cut_off_write)) {
                    problems.push(unexpected(&format!("{RECEIPTS_DIR}/{name}"), &meta));
                }
            }
        }
        Ok(())
    }

    /// One listed packet: there, a plain file, its length, its hash.
    fn check_packet(&self, packet: &ManifestPacket) -> Result<(), PacketError> {
        let (mut file, length) = self.open_listed(packet)?;
        let digest = hash_reader(&mut file, packet)?;
        if digest != packet.sha256 || length != packet.length {
            return Err(changed(packet, length));
        }
        Ok(())
    }

    /// The packet's file, opened, and its length, which must be the listed one (shorter is a
    /// copy cut off, longer a change).
    fn open_listed(&self, packet: &ManifestPacket) -> Result<(File, u64), PacketError> {
        let name = packet.file();
        let path = self.path.join(&name);
        let file = open_plain_file(&path, &name)?;
        let length = file.metadata()?.len();
        if length < packet.length {
            return Err(fault(
                MediaFault::FileTruncated,
                name,
                format!(
                    "it has {length} of the {} bytes the manifest lists: the copy stopped in the middle; copy the folder again",
                    packet.length
                ),
            ));
        }
        if length > packet.length {
            return Err(changed(packet, length));
        }
        Ok((file, length))
    }

    /// The packet's file, for a reader that sends it on (a relay), after its length is checked.
    /// Its hash is the reader's to check (the upload declares it and the register verifies it).
    pub fn open_packet(&self, packet: &ManifestPacket) -> Result<File, PacketError> {
        Ok(self.open_listed(packet)?.0)
    }

    /// The whole packet, read into memory (the register verifies an envelope whole), its length
    /// and hash checked again: a file changed since [`ExportFolder::verify_files`] is caught.
    pub fn read_packet(&self, packet: &ManifestPacket) -> Result<Vec<u8>, PacketError> {
        let (mut file, length) = self.open_listed(packet)?;
        let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        if bytes.len() as u64 != packet.length || hex::encode(Sha256::digest(&bytes)) != packet.sha256 {
            return Err(changed(packet, bytes.len() as u64));
        }
        Ok(bytes)
    }

    /// The receipt in `receipts/` for a listed packet: `None` when there is none yet. A file
    /// that is not a readable receipt for that registration is `media_receipt_invalid`; whether
    /// its signature verifies is the reader's to check, against the register key it pinned.
    pub fn read_receipt(&self, packet: &ManifestPacket) -> Result<Option<SignedReceipt>, PacketError> {
        let name = receipt_file(&packet.registration_id);
        let bytes = match read_bounded(&self.path, &name, MAX_RECEIPT_BYTES) {
            Err(PacketError::Media {
                fault: MediaFault::FileMissing,
                ..
            }) => return Ok(None),
            Err(PacketError::Media {
                fault: MediaFault::FileChanged,
                ..
            }) => {
                return Err(fault(
                    MediaFault::ReceiptInvalid,
                    name,
                    "it is too large to be a receipt",
                ))
            }
            other => other?,
        };
        let receipt: SignedReceipt = serde_json::from_slice(&bytes).map_err(|error| {
            fault(
                MediaFault::ReceiptInvalid,
                name.clone(),
                format!("it is not a receipt ({error})"),
            )
        })?;
        if receipt.receipt.registration_id != packet.registration_id {
            return Err(fault(
                MediaFault::ReceiptInvalid,
                name,
                format!(
                    "it is the receipt of registration '{}'",
                    receipt.receipt.registration_id
                ),
            ));
        }
        Ok(Some(receipt))
    }

    /// Writes the register's receipt into `receipts/<registration id>.json` (creating the
    /// folder), replacing what was there. The bytes follow from the receipt alone, so writing
    /// the same receipt again writes the same file.
    pub fn write_receipt(&self, receipt: &SignedReceipt) -> Result<(), PacketError> {
        let registration_id = &receipt.receipt.registration_id;
        if self.manifest.packet(registration_id).is_none() {
            return Err(PacketError::Contents(format!(
                "registration {registration_id} is not listed in this folder's manifest"
            )));
        }
        let receipts = self.path.join(RECEIPTS_DIR);
        match fs::symlink_metadata(&receipts) {
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) => return Err(unexpected(RECEIPTS_DIR, &meta)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir(&receipts)?;
                sync_directory(&self.path)?;
            }
            Err(error) => return Err(error.into()),
        }
        let mut bytes = serde_json::to_vec_pretty(receipt).expect("a receipt is strings");
        bytes.push(b'\n');
        write_whole(&receipts, &format!("{registration_id}.json"), |file| {
            file.write_all(&bytes)
        })
    }
}

/// The error for a packet whose bytes are not the listed ones.
fn changed(packet: &ManifestPacket, length: u64) -> PacketError {
    let detail = if length == packet.length {
        "its bytes are not the ones the station listed (SHA-256 differs): it was changed or damaged; copy the folder \
         again from the station"
            .to_owned()
    } else {
        format!(
            "it has {length} bytes, not the {} the manifest lists: it was changed; copy the folder again from the station",
            packet.length
        )
    };
    fault(MediaFault::FileChanged, packet.file(), detail)
}

fn unexpected(name: &str, meta: &fs::Metadata) -> PacketError {
    let what = if meta.file_type().is_symlink() {
        "a link (links are not followed)"
    } else if meta.is_dir() {
        "a folder the station did not write"
    } else {
        "a file the station did not write (it is not in the signed manifest)"
    };
    fault(MediaFault::FileUnexpected, name, what)
}

/// The first problem, its detail naming the others too; `Ok` when there is none.
fn first_with_the_rest(mut problems: Vec<PacketError>) -> Result<(), PacketError> {
    if problems.is_empty() {
        return Ok(());
    }
    let first = problems.remove(0);
    if problems.is_empty() {
        return Err(first);
    }
    let others: Vec<String> = problems
        .iter()
        .map(|problem| match problem {
            PacketError::Media { fault, file, .. } => format!("{file} ({})", fault.code()),
            other => format!("{other} ({})", other.code()),
        })
        .collect();
    match first {
        PacketError::Media { fault, file, detail } => Err(PacketError::Media {
            fault,
            file,
            detail: format!("{detail}; {} more: {}", others.len(), others.join(", ")),
        }),
        other => Err(other),
    }
}

/// The entries of a folder (links not followed), by name, without what operating systems leave
/// on sticks by themselves.
fn entries(dir: &Path) -> Result<Vec<(String, fs::Metadata)>, PacketError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_system_litter(&name) {
            continue;
        }
        found.push((name, fs::symlink_metadata(entry.path())?));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

fn is_system_litter(name: &str) -> bool {
    matches!(name, ".DS_Store" | "Thumbs.db" | "desktop.ini") || name.starts_with("._")
}

/// Opens `path` (named `name` in errors) for reading if it is a plain file, not a link:
/// `media_file_missing` when it is not there, `media_file_unexpected` when it is something else.
/// On Unix the opened file is compared with what was checked, so a link put in its place in
/// between is caught too.
fn open_plain_file(path: &Path, name: &str) -> Result<File, PacketError> {
    let checked = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => meta,
        Ok(meta) => return Err(unexpected(name, &meta)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(fault(
                MediaFault::FileMissing,
                name,
                "it is listed in the manifest but not in the folder: the copy is incomplete; copy the folder again",
            ))
        }
        Err(error) => return Err(error.into()),
    };
    let file = File::open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let opened = file.metadata()?;
        if (opened.dev(), opened.ino()) != (checked.dev(), checked.ino()) {
            return Err(fault(
                MediaFault::FileUnexpected,
                name,
                "it was replaced while it was being read",
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = checked;
    Ok(file)
}

/// A small file of the folder, whole: `media_file_missing` when absent, `media_file_changed`
/// when larger than `max` (callers turn both into what they mean for that file).
fn read_bounded(folder: &Path, name: &str, max: u64) -> Result<Vec<u8>, PacketError> {
    let file = open_plain_file(&folder.join(name), name)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(fault(
            MediaFault::FileChanged,
            name,
            format!("it is larger than {max} bytes"),
        ));
    }
    Ok(bytes)
}

/// SHA-256 of what `file` holds, a block at a time, stopping past the listed length.
fn hash_reader(file: &mut File, packet: &ManifestPacket) -> Result<String, PacketError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; BLOCK];
    let mut total: u64 = 0;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        total += read as u64;
        if total > packet.length {
            return Err(changed(packet, total));
        }
        hasher.update(&buffer[..read]);
    }
    if total < packet.length {
        return Err(fault(
            MediaFault::FileTruncated,
            packet.file(),
            format!("it has {total} of the {} bytes the manifest lists", packet.length),
        ));
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Writes `dir/name` whole: through a hidden temporary file, synced, renamed into place, the
/// folder synced. A reader never sees the file under its name half-written.
fn write_whole(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), PacketError> {
    let temporary = dir.join(format!(".{name}{PARTIAL_SUFFIX}"));
    let outcome = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temporary)?;
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, dir.join(name))?;
        sync_directory(dir)
    })();
    if outcome.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    Ok(outcome?)
}

/// Makes a new name in `dir` durable (a file's own sync does not cover its name). On Unix a
/// folder is synced through a handle to it; elsewhere the file system's own rules apply.
fn sync_directory(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RegisterKeyPair, StationSigningKey};

    const STATION: &str = "10007";
    const IDS: [&str; 3] = ["100011000700001", "100011000700002", "100011000700003"];

    fn request_key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[5; 32])
    }

    struct Written {
        _dir: tempfile::TempDir,
        folder: PathBuf,
        station: StationSigningKey,
    }

    fn write_export() -> Written {
        let dir = tempfile::tempdir().unwrap();
        let register = RegisterKeyPair::generate().public_keys();
        let station = StationSigningKey::from_seed([9; 32]);
        let at = time::macros::datetime!(2026-11-25 09:00 UTC);
        let mut writer = ExportWriter::create(dir.path(), STATION, at).unwrap();
        for (index, id) in IDS.iter().enumerate() {
            let envelope = crate::testing::sealed_sample_packet(&station, STATION, id, &register, 300 + index);
            let decision = if index == 1 {
                ExportDecision::Rejected
            } else {
                ExportDecision::Approved
            };
            writer.add_packet(id, decision, &mut envelope.as_slice()).unwrap();
        }
        let request_public = request_key().verifying_key().to_bytes();
        let proof = crate::signing::request_key_proof(&station.0, STATION, &request_public);
        let finished = writer.finish("2026-11-25T09:00:00Z", &request_key(), &proof).unwrap();
        assert_eq!(
            finished.folder.file_name().unwrap(),
            "enroll-export-10007-20261125T090000Z"
        );
        Written {
            folder: finished.folder,
            _dir: dir,
            station,
        }
    }

    fn verify(folder: &Path) -> Result<(), PacketError> {
        ExportFolder::open(folder)?.verify_files()
    }

    fn failure(folder: &Path) -> (String, String, String) {
        match verify(folder).unwrap_err() {
            PacketError::Media { fault, file, detail } => (fault.code().to_owned(), file, detail),
            other => panic!("expected a media fault, got {other:?}"),
        }
    }

    fn packet_path(folder: &Path, index: usize) -> PathBuf {
        folder.join(PACKETS_DIR).join(format!("{}.envelope", IDS[index]))
    }

    #[test]
    fn a_written_export_verifies_and_names_the_station_that_wrote_it() {
        let written = write_export();
        let folder = ExportFolder::open(&written.folder).unwrap();
        folder.verify_files().unwrap();
        let manifest = folder.manifest();
        assert_eq!(manifest.station_id, STATION);
        assert_eq!(manifest.packets.len(), 3);
        assert_eq!(manifest.packets[1].decision, ExportDecision::Rejected);
        manifest.check_request_key_proof(&written.station.public_key()).unwrap();
        let bytes = folder.read_packet(&manifest.packets[0]).unwrap();
        assert_eq!(bytes.len() as u64, manifest.packets[0].length);
        assert_eq!(
            find_export_folders(written.folder.parent().unwrap()).unwrap(),
            std::slice::from_ref(&written.folder)
        );
        assert_eq!(
            find_export_folders(&written.folder).unwrap(),
            std::slice::from_ref(&written.folder)
        );
        // No temporary file is left behind.
        for dir in [written.folder.clone(), written.folder.join(PACKETS_DIR)] {
            for entry in fs::read_dir(dir).unwrap() {
                assert!(!entry.unwrap().file_name().to_string_lossy().starts_with('.'));
            }
        }
    }

    #[test]
    fn a_second_export_in_the_same_second_gets_a_folder_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let at = time::macros::datetime!(2026-11-25 09:00 UTC);
        let first = ExportWriter::create(dir.path(), "ST/1", at).unwrap();
        let second = ExportWriter::create(dir.path(), "ST/1", at).unwrap();
        assert_eq!(
            first.folder().file_name().unwrap(),
            "enroll-export-ST_1-20261125T090000Z"
        );
        assert_eq!(
            second.folder().file_name().unwrap(),
            "enroll-export-ST_1-20261125T090000Z-2"
        );
        drop(second);
        assert!(
            !dir.path().join("enroll-export-ST_1-20261125T090000Z-2").exists(),
            "an unfinished export is removed"
        );
        assert!(ExportWriter::create(&dir.path().join("not-mounted"), "ST", at).is_err());
    }

    #[test]
    fn a_truncated_changed_missing_or_extra_file_is_named() {
        let written = write_export();
        let folder = &written.folder;

        let path = packet_path(folder, 1);
        let original = fs::read(&path).unwrap();
        fs::write(&path, &original[..original.len() / 2]).unwrap();
        let (code, file, detail) = failure(folder);
        assert_eq!(
            (code.as_str(), file.as_str()),
            ("media_file_truncated", &*format!("packets/{}.envelope", IDS[1]))
        );
        assert!(detail.contains("copy"), "{detail}");

        let mut flipped = original.clone();
        flipped[original.len() / 2] ^= 1;
        fs::write(&path, &flipped).unwrap();
        assert_eq!(failure(folder).0, "media_file_changed");
        let mut longer = original.clone();
        longer.push(0);
        fs::write(&path, &longer).unwrap();
        assert_eq!(failure(folder).0, "media_file_changed");

        fs::remove_file(&path).unwrap();
        assert_eq!(failure(folder).0, "media_file_missing");
        fs::write(&path, &original).unwrap();
        verify(folder).unwrap();

        fs::write(folder.join(PACKETS_DIR).join("999.envelope"), b"x").unwrap();
        let (code, file, _) = failure(folder);
        assert_eq!(
            (code.as_str(), file.as_str()),
            ("media_file_unexpected", "packets/999.envelope")
        );
        fs::remove_file(folder.join(PACKETS_DIR).join("999.envelope")).unwrap();
        fs::write(folder.join("notes.txt"), b"x").unwrap();
        assert_eq!(failure(folder).1, "notes.txt");
        fs::remove_file(folder.join("notes.txt")).unwrap();

        // What operating systems leave on sticks is no one's packet.
        fs::write(folder.join(".DS_Store"), b"x").unwrap();
        fs::write(folder.join(PACKETS_DIR).join("._x.envelope"), b"x").unwrap();
        verify(folder).unwrap();
    }

    #[test]
    fn every_problem_is_listed_in_the_first() {
        let written = write_export();
        fs::remove_file(packet_path(&written.folder, 0)).unwrap();
        fs::write(packet_path(&written.folder, 2), b"ENRP").unwrap();
        let (code, file, detail) = failure(&written.folder);
        assert_eq!(code, "media_file_missing");
        assert_eq!(file, format!("packets/{}.envelope", IDS[0]));
        assert!(
            detail.contains(&format!("1 more: packets/{}.envelope (media_file_truncated)", IDS[2])),
            "{detail}"
        );
    }

    #[test]
    fn a_folder_without_manifest_is_incomplete_and_one_without_signature_is_refused() {
        let written = write_export();
        let folder = &written.folder;
        let signature = fs::read(folder.join(SIGNATURE_FILE)).unwrap();
        fs::remove_file(folder.join(SIGNATURE_FILE)).unwrap();
        assert_eq!(
            failure(folder),
            (
                "media_file_missing".into(),
                "manifest.sig".into(),
                "the manifest's signature is missing, so nothing in this folder can be trusted; copy the folder again"
                    .into()
            )
        );
        fs::write(folder.join(SIGNATURE_FILE), &signature).unwrap();

        let manifest = fs::read(folder.join(MANIFEST_FILE)).unwrap();
        let edited = String::from_utf8(manifest.clone())
            .unwrap()
            .replace("\"approved\"", "\"rejected\"");
        fs::write(folder.join(MANIFEST_FILE), edited).unwrap();
        let (code, file, _) = failure(folder);
        assert_eq!(
            (code.as_str(), file.as_str()),
            ("media_signature_invalid", "manifest.sig")
        );

        fs::remove_file(folder.join(MANIFEST_FILE)).unwrap();
        assert_eq!(failure(folder).0, "media_incomplete");
        fs::write(folder.join(MANIFEST_FILE), b"{}").unwrap();
        assert_eq!(failure(folder).0, "media_manifest_invalid");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_not_followed_out_of_the_folder() {
        let written = write_export();
        let outside = written.folder.parent().unwrap().join("outside");
        let path = packet_path(&written.folder, 0);
        fs::rename(&path, &outside).unwrap();
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        let (code, file, detail) = failure(&written.folder);
        assert_eq!(code, "media_file_unexpected");
        assert_eq!(file, format!("packets/{}.envelope", IDS[0]));
        assert!(detail.contains("link"), "{detail}");
    }

    #[test]
    fn receipts_are_written_beside_the_packets_and_read_back() {
        let written = write_export();
        let folder = ExportFolder::open(&written.folder).unwrap();
        let packet = folder.manifest().packets[0].clone();
        assert_eq!(folder.read_receipt(&packet).unwrap(), None);
        let register = RegisterKeyPair::generate();
        let receipt = SignedReceipt::sign(
            crate::Receipt {
                registration_id: packet.registration_id.clone(),
                station_id: STATION.into(),
                envelope_sha256: packet.sha256.clone(),
                received_at: "2026-11-26T10:00:00Z".into(),
                intake_reference: "ref".into(),
            },
            &register.signing_key,
        );
        folder.write_receipt(&receipt).unwrap();
        let first = fs::read(written.folder.join(receipt_file(&packet.registration_id))).unwrap();
        folder.write_receipt(&receipt).unwrap();
        assert_eq!(
            fs::read(written.folder.join(receipt_file(&packet.registration_id))).unwrap(),
            first,
            "the same receipt writes the same bytes"
        );
        assert_eq!(folder.read_receipt(&packet).unwrap(), Some(receipt.clone()));
        folder.verify_files().unwrap();

        // A receipt under another packet's name, or not a receipt at all, is named.
        let other = folder.manifest().packets[1].clone();
        fs::copy(
            written.folder.join(receipt_file(&packet.registration_id)),
            written.folder.join(receipt_file(&other.registration_id)),
        )
        .unwrap();
        assert_eq!(folder.read_receipt(&other).unwrap_err().code(), "media_receipt_invalid");
        fs::write(written.folder.join(receipt_file(&other.registration_id)), b"[1,2]").unwrap();
        let error = folder.read_receipt(&other).unwrap_err();
        assert_eq!(error.code(), "media_receipt_invalid");
        assert!(error
            .to_string()
            .starts_with(&format!("receipts/{}.json", other.registration_id)));
        // A receipt of a packet not listed is not written, and one found is unexpected.
        let mut stranger = receipt.clone();
        stranger.receipt.registration_id = "123".into();
        assert!(folder.write_receipt(&stranger).is_err());
        fs::write(written.folder.join(RECEIPTS_DIR).join("123.json"), b"{}").unwrap();
        assert_eq!(failure(&written.folder).1, "receipts/123.json");
    }

    #[test]
    fn an_envelope_of_another_registration_is_not_exported_under_this_one() {
        let dir = tempfile::tempdir().unwrap();
        let register = RegisterKeyPair::generate().public_keys();
        let station = StationSigningKey::from_seed([9; 32]);
        let mut writer =
            ExportWriter::create(dir.path(), STATION, time::macros::datetime!(2026-11-25 09:00 UTC)).unwrap();
        let envelope = crate::testing::sealed_sample_packet(&station, STATION, IDS[0], &register, 100);
        let error = writer
            .add_packet(IDS[1], ExportDecision::Approved, &mut envelope.as_slice())
            .unwrap_err();
        assert!(error.to_string().contains("names registration"), "{error}");
        assert!(writer
            .add_packet("../x", ExportDecision::Approved, &mut envelope.as_slice())
            .is_err());
    }
}
