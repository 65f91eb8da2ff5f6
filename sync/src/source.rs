//! Where an upload's bytes come from: the envelope's file, read a chunk at a time (what the
//! station sends: a 20 MB packet never sits in its memory whole), or bytes already in memory
//! (tests, tools).
//!
//! Every read names the part it wanted, and a source that is shorter than it said, or that
//! cannot be read, is [`SyncError::EnvelopeUnreadable`]: the packet stays queued, and nothing
//! is sent that is not the envelope's own bytes.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use sha2::{Digest as _, Sha256};

use crate::SyncError;

/// The bytes of one sealed envelope, readable at any offset.
pub trait EnvelopeSource: Send + Sync {
    /// The envelope's length in bytes.
    fn len(&self) -> u64;

    /// Whether the envelope has no bytes (never, for a real one).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes `offset..offset + len`, which must lie within [`EnvelopeSource::len`].
    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SyncError>;

    /// Lower-case hex SHA-256 of the whole envelope, read a block at a time.
    fn sha256_hex(&self) -> Result<String, SyncError> {
        hash_in_blocks(self)
    }
}

/// The SHA-256 of a source, read a block at a time.
fn hash_in_blocks<S: EnvelopeSource + ?Sized>(source: &S) -> Result<String, SyncError> {
    const BLOCK: u64 = 256 * 1024;
    let mut hasher = Sha256::new();
    let mut offset = 0;
    while offset < source.len() {
        let len = BLOCK.min(source.len() - offset);
        hasher.update(source.read_at(offset, len as usize)?);
        offset += len;
    }
    Ok(hex::encode(hasher.finalize()))
}

impl EnvelopeSource for [u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SyncError> {
        usize::try_from(offset)
            .ok()
            .and_then(|start| self.get(start..start.checked_add(len)?))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| outside(offset, len, EnvelopeSource::len(self)))
    }
}

impl EnvelopeSource for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SyncError> {
        EnvelopeSource::read_at(self.as_slice(), offset, len)
    }
}

/// An envelope in a file, read where the upload needs it. Its length is taken when it is
/// opened: the station never changes a sealed envelope's file.
pub struct EnvelopeFile {
    file: Mutex<File>,
    len: u64,
    /// Its hash, read once: creating the upload, sending it and checking the receipt all need it.
    sha256: OnceLock<String>,
    /// For messages.
    name: String,
}

impl EnvelopeFile {
    pub fn open(path: &Path) -> Result<EnvelopeFile, SyncError> {
        let unreadable = |error: std::io::Error| SyncError::EnvelopeUnreadable(format!("{}: {error}", path.display()));
        let file = File::open(path).map_err(unreadable)?;
        EnvelopeFile::from_file(file, &path.display().to_string())
    }

    /// An already opened file; `name` says which in messages.
    pub fn from_file(file: File, name: &str) -> Result<EnvelopeFile, SyncError> {
        let len = file
            .metadata()
            .map_err(|error| SyncError::EnvelopeUnreadable(format!("{name}: {error}")))?
            .len();
        Ok(EnvelopeFile {
            file: Mutex::new(file),
            len,
            sha256: OnceLock::new(),
            name: name.to_owned(),
        })
    }
}

impl EnvelopeSource for EnvelopeFile {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SyncError> {
        if offset.checked_add(len as u64).is_none_or(|end| end > self.len) {
            return Err(outside(offset, len, self.len));
        }
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut bytes = vec![0; len];
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|error| {
                SyncError::EnvelopeUnreadable(format!("{}, {len} bytes at offset {offset}: {error}", self.name))
            })?;
        Ok(bytes)
    }

    fn sha256_hex(&self) -> Result<String, SyncError> {
        if let Some(known) = self.sha256.get() {
            return Ok(known.clone());
        }
        let hashed = hash_in_blocks(self)?;
        Ok(self.sha256.get_or_init(|| hashed).clone())
    }
}

fn outside(offset: u64, len: usize, total: u64) -> SyncError {
    SyncError::EnvelopeUnreadable(format!(
        "{len} bytes at offset {offset} were asked of an envelope of {total} bytes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_and_the_same_bytes_in_memory_read_and_hash_alike() {
        let bytes: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("R1.envelope");
        std::fs::write(&path, &bytes).unwrap();
        let file = EnvelopeFile::open(&path).unwrap();
        assert_eq!(EnvelopeSource::len(&file), bytes.len() as u64);
        assert_eq!(file.read_at(300_000, 1000).unwrap(), bytes[300_000..301_000]);
        assert_eq!(file.sha256_hex().unwrap(), bytes.sha256_hex().unwrap());
        assert_eq!(bytes.sha256_hex().unwrap(), hex::encode(Sha256::digest(&bytes)));
        assert_eq!(
            file.sha256_hex().unwrap(),
            bytes.sha256_hex().unwrap(),
            "and again, kept"
        );
    }

    #[test]
    fn reads_past_the_end_and_missing_files_are_named_errors() {
        let bytes = vec![7u8; 100];
        for error in [
            bytes.read_at(90, 11).unwrap_err(),
            bytes.read_at(u64::MAX, 1).unwrap_err(),
            EnvelopeFile::open(Path::new("/nonexistent/R1.envelope")).err().unwrap(),
        ] {
            assert_eq!(error.code(), "envelope_unreadable", "{error}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("R1.envelope");
        std::fs::write(&path, &bytes).unwrap();
        let file = EnvelopeFile::open(&path).unwrap();
        // Cut after it was opened: the read says so, it does not send short.
        std::fs::write(&path, &bytes[..50]).unwrap();
        let error = file.read_at(40, 20).unwrap_err();
        assert_eq!(error.code(), "envelope_unreadable");
        assert!(error.to_string().contains("R1.envelope"), "{error}");
    }
}
