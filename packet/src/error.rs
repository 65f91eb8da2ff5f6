//! The one error type of this crate. Each variant has a stable [`PacketError::code`] that other
//! crates and the UI branch on; the message is for people.

#[derive(Debug, thiserror::Error)]
pub enum PacketError {
    #[error("this packet is not sealed for this register key (key id {found}, expected {expected})")]
    WrongKey { expected: String, found: String },
    #[error("the sealed packet is truncated: {0}")]
    Truncated(String),
    #[error("chunk {index} of the sealed packet was modified, reordered or does not belong to it")]
    ChunkCorrupt { index: u64 },
    #[error("the station signature on the packet does not verify")]
    BadSignature,
    #[error("unknown envelope version {0}; this software reads versions 1 and 2")]
    UnknownVersion(u8),
    #[error("not a sealed packet: {0}")]
    Malformed(String),
    #[error("packet contents are inconsistent: {0}")]
    Contents(String),
    #[error("the biometrics (CBEFF XML) cannot be read or written: {0}")]
    Cbeff(String),
    #[error("a document in the packet is not valid: {0}")]
    Document(String),
    #[error("key file is not valid: {0}")]
    BadKey(String),
    /// The container's `meta.json` names another station key than the one that verified the
    /// envelope's signature. Both are key ids (or, for `named`, what the container holds).
    #[error(
        "the packet's contents name station key {named}, but its signature was verified with station key {verified}; \
         the packet is refused, ask the station's administrator which key is the station's"
    )]
    StationKeyMismatch { named: String, verified: String },
    #[error("the receipt's signature does not verify against the pinned register key")]
    BadReceipt,
    /// A request signature (RFC 9421, `crate::request_signature`) that is malformed, covers
    /// what it should not or does not verify.
    #[error("the request signature is not valid: {0}")]
    RequestSignature(String),
    /// A file of an export folder on removable media (`crate::exchange_media`): missing, cut
    /// short, changed or unexpected, or a manifest, signature or receipt that does not hold.
    /// `file` is its path inside the folder (`packets/<id>.envelope`); the code is the fault's.
    #[error("{file}: {detail}")]
    Media {
        fault: crate::exchange_manifest::MediaFault,
        file: String,
        detail: String,
    },
    /// A configuration document from the register that is unsigned, signed by another key,
    /// changed, or not what its kind must be (`crate::register_config`).
    #[error("the register's configuration is not valid: {0}")]
    ConfigInvalid(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl PacketError {
    /// A stable, machine-readable code for this error (snake_case, never renamed).
    pub fn code(&self) -> &'static str {
        match self {
            PacketError::WrongKey { .. } => "wrong_key",
            PacketError::Truncated(_) => "truncated",
            PacketError::ChunkCorrupt { .. } => "chunk_corrupt",
            PacketError::BadSignature => "bad_signature",
            PacketError::UnknownVersion(_) => "unknown_version",
            PacketError::Malformed(_) => "malformed",
            PacketError::Contents(_) => "contents_invalid",
            PacketError::Cbeff(_) => "cbeff_invalid",
            PacketError::Document(_) => "document_invalid",
            PacketError::BadKey(_) => "bad_key",
            PacketError::StationKeyMismatch { .. } => "station_key_mismatch",
            PacketError::BadReceipt => "bad_receipt",
            PacketError::RequestSignature(_) => "signature_invalid",
            PacketError::Media { fault, .. } => fault.code(),
            PacketError::ConfigInvalid(_) => "config_invalid",
            PacketError::Io(_) => "io",
        }
    }
}
