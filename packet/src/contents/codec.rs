//! The container's bytes: `"ENRC"`, version, manifest length, manifest JSON, then the entries
//! (`schemas/packet-envelope.md` §3). Writing, strict reading, and the review splice that
//! replaces `meta.json` and `audit.json` without re-encoding the rest.
//!
//! Deliberately absent: what makes a value acceptable (`validate`) and the CBEFF mapping
//! (`biometrics`); this module only calls them at the right moments.

use sha2::{Digest, Sha256};

use super::biometrics::{biometrics_from_cbeff, biometrics_to_cbeff};
use super::model::{document_entry_name, Document, ManifestEntry, PacketContents, PacketManifest, PacketMeta};
use super::validate::{check_category, check_document, check_meta};
use super::{
    AUDIT_ENTRY, BIOMETRICS_ENTRY, CONTENTS_MAGIC, CONTENTS_VERSION, IDENTITY_ENTRY, MAX_MANIFEST_LEN, META_ENTRY,
};
use crate::cbeff::Cbeff;
use crate::{AuditEvent, PacketError};

/// Fixed part of the container before the manifest: magic, version, manifest length.
const PREFIX_LEN: usize = 4 + 1 + 4;

/// A container in the pieces it is made of, in order: the bytes [`PacketContents::to_bytes`]
/// joins. Sealing copies the pieces into place (`crate::reviewed::seal_pending`), so the
/// megabytes are not joined into one buffer first. The pieces the container owns are resident
/// data, zeroed when dropped; the documents are borrowed from the contents.
pub struct ContainerPieces<'a> {
    pieces: Vec<Piece<'a>>,
}

enum Piece<'a> {
    Owned(zeroize::Zeroizing<Vec<u8>>),
    Borrowed(&'a [u8]),
}

impl ContainerPieces<'_> {
    /// The pieces' bytes, in order.
    pub fn slices(&self) -> Vec<&[u8]> {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Owned(bytes) => bytes.as_slice(),
                Piece::Borrowed(bytes) => bytes,
            })
            .collect()
    }

    /// The container joined into one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        self.slices().concat()
    }
}

impl PacketContents {
    /// The canonical plaintext bytes (container described in the module docs).
    pub fn to_bytes(&self) -> Result<Vec<u8>, PacketError> {
        Ok(self.to_pieces()?.to_vec())
    }

    /// [`PacketContents::to_bytes`] in pieces, not joined.
    pub fn to_pieces(&self) -> Result<ContainerPieces<'_>, PacketError> {
        check_meta(&self.meta)?;
        let identity = serde_json::to_vec(&self.identity)
            .map_err(|e| PacketError::Contents(format!("the identity document cannot be written as JSON: {e}")))?;
        let meta = serde_json::to_vec(&self.meta)
            .map_err(|e| PacketError::Contents(format!("the packet metadata cannot be written as JSON: {e}")))?;
        // The largest entry by far: hashed while it is written, and kept in its parts.
        let (biometrics, biometrics_sha256) =
            biometrics_to_cbeff(&self.biometrics, &self.exceptions)?.to_xml_parts_and_sha256()?;
        let biometrics: Vec<Vec<u8>> = biometrics.into_iter().map(String::into_bytes).collect();
        let biometrics_len: usize = biometrics.iter().map(Vec::len).sum();
        let audit = serde_json::to_vec(&self.audit)
            .map_err(|e| PacketError::Contents(format!("the audit events cannot be written as JSON: {e}")))?;
        for (index, document) in self.documents.iter().enumerate() {
            check_document(index, document)?;
        }

        let names = expected_entry_names(&self.documents)?;
        // Each entry's length and hash; the biometrics' are known from their parts.
        let sizes: Vec<(usize, [u8; 32])> = [
            (identity.len(), Sha256::digest(&identity).into()),
            (meta.len(), Sha256::digest(&meta).into()),
            (biometrics_len, biometrics_sha256),
        ]
        .into_iter()
        .chain(
            self.documents
                .iter()
                .map(|document| (document.data.len(), Sha256::digest(&document.data).into())),
        )
        .chain([(audit.len(), Sha256::digest(&audit).into())])
        .collect();
        debug_assert_eq!(names.len(), sizes.len(), "one name per entry, by construction");
        let entries = names
            .into_iter()
            .zip(&sizes)
            .map(|(name, (length, sha256))| ManifestEntry {
                sha256: hex::encode(sha256),
                name,
                length: *length as u64,
            })
            .collect();
        let manifest = PacketManifest {
            format_version: CONTENTS_VERSION,
            registration_id: self.meta.registration_id.clone(),
            station_id: self.meta.station_id.clone(),
            entries,
            // `data` is not serialized; leave it empty rather than copying every scan.
            documents: self
                .documents
                .iter()
                .map(|document| Document {
                    data: Vec::new(),
                    ..document.clone()
                })
                .collect(),
        };
        let owned = |bytes: Vec<u8>| Piece::Owned(zeroize::Zeroizing::new(bytes));
        let pieces = [container_head(&manifest)?, identity, meta]
            .into_iter()
            .chain(biometrics)
            .map(owned)
            .chain(self.documents.iter().map(|document| Piece::Borrowed(&document.data)))
            .chain([owned(audit)])
            .collect();
        Ok(ContainerPieces { pieces })
    }

    /// Parse and check a container: every entry's length and hash must match the manifest.
    pub fn from_bytes(bytes: &[u8]) -> Result<(PacketContents, PacketManifest), PacketError> {
        let Layout { manifest, entries } = Layout::read(bytes)?;
        for (entry, data) in manifest.entries.iter().zip(&entries) {
            let actual = hex::encode(Sha256::digest(data));
            if entry.sha256 != actual {
                return Err(PacketError::Contents(format!(
                    "entry {} has SHA-256 {actual}, but the manifest says {}",
                    entry.name, entry.sha256
                )));
            }
        }
        let entry_bytes = entries;

        // The names were checked above: identity, meta, biometrics, documents, audit.
        let identity: serde_json::Value = serde_json::from_slice(entry_bytes[0])
            .map_err(|e| PacketError::Contents(format!("{IDENTITY_ENTRY} is not valid JSON: {e}")))?;
        let meta = read_meta_entry(&manifest, entry_bytes[1])?;
        let cbeff = Cbeff::from_xml(entry_bytes[2])?;
        let (biometrics, exceptions) = biometrics_from_cbeff(&cbeff)?;
        let document_bytes = &entry_bytes[3..entry_bytes.len() - 1];
        let documents = manifest
            .documents
            .iter()
            .zip(document_bytes)
            .map(|(document, data)| Document {
                data: data.to_vec(),
                ..document.clone()
            })
            .collect::<Vec<_>>();
        for (index, document) in documents.iter().enumerate() {
            check_document(index, document)?;
        }
        let audit: Vec<AuditEvent> = serde_json::from_slice(entry_bytes[entry_bytes.len() - 1])
            .map_err(|e| PacketError::Contents(format!("{AUDIT_ENTRY} is not valid: {e}")))?;

        Ok((
            PacketContents {
                identity,
                biometrics,
                exceptions,
                documents,
                audit,
                meta,
            },
            manifest,
        ))
    }
}

/// The meta of a container, read without decoding its other entries (and without checking
/// their hashes: see [`with_review`]).
pub fn read_meta(container: &[u8]) -> Result<PacketMeta, PacketError> {
    let layout = Layout::read(container)?;
    read_meta_entry(&layout.manifest, layout.entries[1])
}

/// The container with its `meta.json` and `audit.json` replaced and every other entry copied
/// byte for byte: what the supervisor's decision changes, without decoding and re-encoding
/// megabytes of biometrics and documents.
///
/// For a container this software wrote, the result is exactly what
/// [`PacketContents::to_bytes`] gives for the parsed container with that meta and those events
/// (a unit test and the `contents` fuzz target hold it to that). The copied entries keep the hashes the
/// manifest gives them, so a damaged entry stays as detectable as it was; the station calls this
/// only on a container it decrypted from its own vault.
pub fn with_review(container: &[u8], meta: &PacketMeta, audit: &[AuditEvent]) -> Result<Vec<u8>, PacketError> {
    let Layout {
        mut manifest,
        mut entries,
    } = Layout::read(container)?;
    if meta.registration_id != manifest.registration_id || meta.station_id != manifest.station_id {
        return Err(PacketError::Contents(format!(
            "the new {META_ENTRY} names registration {:?} from station {:?}, but the container holds registration {:?} from station {:?}",
            meta.registration_id, meta.station_id, manifest.registration_id, manifest.station_id
        )));
    }
    check_meta(meta)?;
    let meta_json = serde_json::to_vec(meta)
        .map_err(|e| PacketError::Contents(format!("the packet metadata cannot be written as JSON: {e}")))?;
    let audit_json = serde_json::to_vec(audit)
        .map_err(|e| PacketError::Contents(format!("the audit events cannot be written as JSON: {e}")))?;
    let last = entries.len() - 1;
    for (index, bytes) in [(1, meta_json.as_slice()), (last, audit_json.as_slice())] {
        entries[index] = bytes;
        manifest.entries[index].length = bytes.len() as u64;
        manifest.entries[index].sha256 = hex::encode(Sha256::digest(bytes));
    }
    write_container(&manifest, &entries)
}

/// `"ENRC"`, version, manifest length, manifest, entries.
fn write_container(manifest: &PacketManifest, entries: &[&[u8]]) -> Result<Vec<u8>, PacketError> {
    let mut out = container_head(manifest)?;
    out.reserve_exact(entries.iter().map(|d| d.len()).sum::<usize>());
    for bytes in entries {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

/// `"ENRC"`, version, manifest length, manifest: what comes before the entries.
fn container_head(manifest: &PacketManifest) -> Result<Vec<u8>, PacketError> {
    let manifest_json = serde_json::to_vec(manifest)
        .map_err(|e| PacketError::Contents(format!("the manifest cannot be written as JSON: {e}")))?;
    let manifest_len = u32::try_from(manifest_json.len())
        .ok()
        .filter(|len| *len <= MAX_MANIFEST_LEN)
        .ok_or_else(|| {
            PacketError::Contents(format!(
                "the manifest is {} bytes, more than the limit of {MAX_MANIFEST_LEN}; \
                 a packet cannot hold that many documents",
                manifest_json.len()
            ))
        })?;
    let mut out = Vec::with_capacity(PREFIX_LEN + manifest_json.len());
    out.extend_from_slice(&CONTENTS_MAGIC);
    out.push(CONTENTS_VERSION);
    out.extend_from_slice(&manifest_len.to_be_bytes());
    out.extend_from_slice(&manifest_json);
    Ok(out)
}

/// `meta.json`, parsed and checked against the manifest it came with.
fn read_meta_entry(manifest: &PacketManifest, bytes: &[u8]) -> Result<PacketMeta, PacketError> {
    let meta: PacketMeta =
        serde_json::from_slice(bytes).map_err(|e| PacketError::Contents(format!("{META_ENTRY} is not valid: {e}")))?;
    if meta.registration_id != manifest.registration_id || meta.station_id != manifest.station_id {
        return Err(PacketError::Contents(format!(
            "the manifest names registration {:?} from station {:?}, but {META_ENTRY} names registration {:?} from station {:?}",
            manifest.registration_id, manifest.station_id, meta.registration_id, meta.station_id
        )));
    }
    check_meta(&meta)?;
    Ok(meta)
}

/// A container cut into its manifest and its entries' bytes: the prefix, the manifest, the
/// entry names its documents imply, and every length are checked; the hashes are not (that is
/// the caller's choice: [`PacketContents::from_bytes`] checks them all).
struct Layout<'a> {
    manifest: PacketManifest,
    /// In manifest order: identity, meta, biometrics, documents..., audit.
    entries: Vec<&'a [u8]>,
}

impl<'a> Layout<'a> {
    fn read(bytes: &'a [u8]) -> Result<Layout<'a>, PacketError> {
        let mut reader = Reader { bytes, position: 0 };

        let magic = reader.take(4, "the container's magic bytes")?;
        if magic != CONTENTS_MAGIC {
            return Err(PacketError::Contents(
                "the plaintext does not start with \"ENRC\"; it is not a packet contents container".into(),
            ));
        }
        let version = reader.take(1, "the container version")?[0];
        if version != CONTENTS_VERSION {
            return Err(PacketError::Contents(format!(
                "container version {version} is not supported; this software reads version {CONTENTS_VERSION}"
            )));
        }
        let manifest_len = reader.take_u32("the manifest length")?;
        if manifest_len > MAX_MANIFEST_LEN {
            return Err(PacketError::Contents(format!(
                "the manifest claims {manifest_len} bytes, more than the limit of {MAX_MANIFEST_LEN}"
            )));
        }
        // Widening u32 -> usize is lossless on every platform this runs on (32 or 64 bit).
        let manifest_bytes = reader.take(manifest_len as usize, "the manifest")?;
        let manifest: PacketManifest = serde_json::from_slice(manifest_bytes)
            .map_err(|e| PacketError::Contents(format!("the manifest is not valid: {e}")))?;
        if manifest.format_version != CONTENTS_VERSION {
            return Err(PacketError::Contents(format!(
                "the manifest's format_version is {}, expected {CONTENTS_VERSION}",
                manifest.format_version
            )));
        }

        let expected_names = expected_entry_names(&manifest.documents)?;
        let found_names: Vec<&str> = manifest.entries.iter().map(|e| e.name.as_str()).collect();
        if found_names != expected_names {
            return Err(PacketError::Contents(format!(
                "the manifest lists the entries {found_names:?}, but its documents require exactly {expected_names:?}"
            )));
        }

        let mut entries: Vec<&[u8]> = Vec::with_capacity(manifest.entries.len());
        for entry in &manifest.entries {
            let claimed = usize::try_from(entry.length).map_err(|_| {
                PacketError::Contents(format!(
                    "entry {} claims an impossible length of {} bytes",
                    entry.name, entry.length
                ))
            })?;
            entries.push(reader.take(claimed, &format!("entry {}", entry.name))?);
        }
        if reader.remaining() != 0 {
            return Err(PacketError::Contents(format!(
                "{} unexpected bytes follow the last entry",
                reader.remaining()
            )));
        }
        Ok(Layout { manifest, entries })
    }
}

/// The entry names a list of documents implies, after checking each category (it becomes part
/// of a name).
fn expected_entry_names(documents: &[Document]) -> Result<Vec<String>, PacketError> {
    let mut names = vec![
        IDENTITY_ENTRY.to_string(),
        META_ENTRY.to_string(),
        BIOMETRICS_ENTRY.to_string(),
    ];
    let mut seen_per_category: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, document) in documents.iter().enumerate() {
        check_category(&document.category).map_err(|why| PacketError::Contents(format!("document {index}: {why}")))?;
        let n = seen_per_category.entry(document.category.as_str()).or_insert(0);
        *n += 1;
        names.push(document_entry_name(document, *n));
    }
    names.push(AUDIT_ENTRY.to_string());
    Ok(names)
}

/// A cursor over untrusted bytes: every read is bounds-checked and names what was being read.
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], PacketError> {
        if len > self.remaining() {
            return Err(PacketError::Contents(format!(
                "the container ends inside {what}: it needs {len} bytes at offset {} but only {} remain",
                self.position,
                self.remaining()
            )));
        }
        let slice = &self.bytes[self.position..self.position + len];
        self.position += len;
        Ok(slice)
    }

    fn take_u32(&mut self, what: &str) -> Result<u32, PacketError> {
        let bytes = self.take(4, what)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}
