//! Keys: the station's signing key and the register's key pair.
//!
//! Why this module exists: every other part of the packet's journey names a key by a short id
//! ([`KeyId`]) and loads keys from files that admins copy between machines, so the key types,
//! their ids and their file formats live in one place.
//!
//! File formats are small JSON documents with base64 (standard, padded) key bytes, so that an
//! admin can tell them apart and a script in any language can read them:
//! - register private key file: `{"kind":"enroll-register-private-key","version":1,
//!   "encryption_secret":"..32 bytes X25519..","signing_secret":"..32 bytes Ed25519 seed.."}`
//! - register public keys: `{"kind":"enroll-register-public-keys","version":1,
//!   "encryption_public":"..","signing_public":"..","key_id":"<hex>"}`
//! - a station's public key: `{"kind":"enroll-station-public-key","version":1,
//!   "station_id":"..","public_key":"..","key_id":"<hex>"}`; its text form alone (the
//!   `public_key` value: padded standard base64 of the 32 bytes) is what `meta.json`, the
//!   intake's station registration and `--station-key` carry ([`StationPublicKey`]).
//!
//! Readers check `kind` and `version` first (so that a private key file handed over where the
//! public keys were expected gets a message saying exactly that), then each key field's base64
//! and length, then that `key_id` agrees with `encryption_public`. Unknown extra fields are
//! ignored so that a later version may add optional fields without breaking old readers.
//!
//! Deliberately absent: storing the station key. Its secret lives encrypted in the vault, which
//! is the `store` crate's business; this module only gives out and takes back its 32-byte seed.
//! Nothing here derives `Debug` over secret bytes: the hand-written `Debug` impls print key ids.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::PacketError;

/// `kind` of the register's private key file.
pub const REGISTER_PRIVATE_KEY_KIND: &str = "enroll-register-private-key";
/// `kind` of the register's public keys file.
pub const REGISTER_PUBLIC_KEYS_KIND: &str = "enroll-register-public-keys";
/// `kind` of a station's public key file.
pub const STATION_PUBLIC_KEY_KIND: &str = "enroll-station-public-key";
/// The only key file version this software reads and writes.
pub const KEY_FILE_VERSION: u64 = 1;

/// The first 8 bytes of SHA-256 over a public key, shown as 16 lower-case hex characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    pub fn of_public_key(public_key: &[u8]) -> KeyId {
        let digest = Sha256::digest(public_key);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The station's Ed25519 key. Its secret lives only encrypted in the vault.
pub struct StationSigningKey(pub ed25519_dalek::SigningKey);

impl StationSigningKey {
    pub fn generate() -> StationSigningKey {
        StationSigningKey(ed25519_dalek::SigningKey::generate(&mut OsRng))
    }
    pub fn from_seed(seed: [u8; 32]) -> StationSigningKey {
        StationSigningKey(ed25519_dalek::SigningKey::from_bytes(&seed))
    }
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
    pub fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
}

impl fmt::Debug for StationSigningKey {
    // Only the public half's id: a station key must never reach a log through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StationSigningKey")
            .field("public_key_id", &KeyId::of_public_key(&self.public_key()).to_hex())
            .finish_non_exhaustive()
    }
}

/// A station's Ed25519 public key: the key its envelopes and audit chain verify with.
///
/// Text form (`schemas/packet-envelope.md` §2): standard base64 with padding of the 32-byte
/// RFC 8032 encoding, 44 characters; surrounding white space is ignored. Every constructor but
/// the tuple one applies the key rule of [`crate::signing::ed25519_public_key`] (canonical, not
/// of small order), so a key read from text or a file can verify a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StationPublicKey(pub [u8; 32]);

/// A station's public key file as written; field order is the order on disk.
#[derive(Serialize)]
struct StationPublicKeyFile<'a> {
    kind: &'static str,
    version: u64,
    station_id: &'a str,
    #[serde(with = "crate::keys::b64_32")]
    public_key: &'a [u8; 32],
    key_id: String,
}

impl StationPublicKey {
    /// The key, if the 32 bytes are a usable Ed25519 public key (`BadKey` otherwise).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<StationPublicKey, PacketError> {
        crate::signing::ed25519_public_key(bytes, "station public key")?;
        Ok(StationPublicKey(*bytes))
    }
    /// Read the text form (see the type's docs).
    pub fn from_text(text: &str) -> Result<StationPublicKey, PacketError> {
        let bytes = b64_32::decode(text).map_err(|why| PacketError::BadKey(format!("station public key: {why}")))?;
        StationPublicKey::from_bytes(&bytes)
    }
    /// The text form: padded standard base64 of the 32 bytes.
    pub fn to_text(&self) -> String {
        use base64::Engine as _;
        BASE64.encode(self.0)
    }
    pub fn key_id(&self) -> KeyId {
        KeyId::of_public_key(&self.0)
    }
    /// The station public key file naming `station_id` (see module docs).
    pub fn to_json(&self, station_id: &str) -> String {
        let file = StationPublicKeyFile {
            kind: STATION_PUBLIC_KEY_KIND,
            version: KEY_FILE_VERSION,
            station_id,
            public_key: &self.0,
            key_id: self.key_id().to_hex(),
        };
        serde_json::to_string_pretty(&file).expect("a struct of strings and numbers always serializes")
    }
    /// Read a station public key file: the station id it names and the key.
    pub fn from_json(text: &str) -> Result<(String, StationPublicKey), PacketError> {
        let file = KeyFileObject::parse(text, STATION_PUBLIC_KEY_KIND)?;
        let station_id = file.string("station_id")?.to_string();
        if station_id.is_empty() {
            return Err(PacketError::BadKey(
                "\"station_id\" is empty; the file must name its station".into(),
            ));
        }
        let key = StationPublicKey::from_bytes(&*file.key_bytes("public_key")?)?;
        let key_id = file.string("key_id")?;
        if !key_id.eq_ignore_ascii_case(&key.key_id().to_hex()) {
            return Err(PacketError::BadKey(format!(
                "key_id {key_id} does not match public_key (whose id is {}); the file was edited, ask the station's \
                 administrator for a fresh copy",
                key.key_id()
            )));
        }
        Ok((station_id, key))
    }
}

impl StationSigningKey {
    /// The public half, as read and written in text and files.
    pub fn station_public_key(&self) -> StationPublicKey {
        StationPublicKey(self.public_key())
    }
}

/// The register's public keys, pinned by a station at onboarding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPublicKeys {
    /// X25519 public key that packets are sealed to.
    #[serde(with = "crate::keys::b64_32")]
    pub encryption_public: [u8; 32],
    /// Ed25519 public key that receipts are verified with.
    #[serde(with = "crate::keys::b64_32")]
    pub signing_public: [u8; 32],
}

/// The public keys file as written; field order is the order on disk.
#[derive(Serialize)]
struct PublicKeysFile<'a> {
    kind: &'static str,
    version: u64,
    #[serde(with = "crate::keys::b64_32")]
    encryption_public: &'a [u8; 32],
    #[serde(with = "crate::keys::b64_32")]
    signing_public: &'a [u8; 32],
    key_id: String,
}

impl RegisterPublicKeys {
    /// Key id of the encryption key; it is written into every envelope header.
    pub fn key_id(&self) -> KeyId {
        KeyId::of_public_key(&self.encryption_public)
    }
    pub fn to_json(&self) -> String {
        let file = PublicKeysFile {
            kind: REGISTER_PUBLIC_KEYS_KIND,
            version: KEY_FILE_VERSION,
            encryption_public: &self.encryption_public,
            signing_public: &self.signing_public,
            key_id: self.key_id().to_hex(),
        };
        serde_json::to_string_pretty(&file).expect("a struct of strings and numbers always serializes")
    }
    pub fn from_json(text: &str) -> Result<RegisterPublicKeys, PacketError> {
        let file = KeyFileObject::parse(text, REGISTER_PUBLIC_KEYS_KIND)?;
        let keys = RegisterPublicKeys {
            encryption_public: *file.key_bytes("encryption_public")?,
            signing_public: *file.key_bytes("signing_public")?,
        };
        let key_id = file.string("key_id")?;
        if !key_id.eq_ignore_ascii_case(&keys.key_id().to_hex()) {
            return Err(PacketError::BadKey(format!(
                "key_id {key_id} does not match encryption_public (whose id is {}); \
                 the file was edited or mixed from two key sets, ask the register for a fresh copy",
                keys.key_id()
            )));
        }
        Ok(keys)
    }
}

/// The register's private keys (held by the intake / the register, never by a station).
pub struct RegisterKeyPair {
    pub encryption_secret: x25519_dalek::StaticSecret,
    pub signing_key: ed25519_dalek::SigningKey,
}

/// The private key file as written. No `Debug`: it holds secrets.
#[derive(Serialize)]
struct PrivateKeyFile<'a> {
    kind: &'static str,
    version: u64,
    #[serde(with = "crate::keys::b64_32")]
    encryption_secret: &'a [u8; 32],
    #[serde(with = "crate::keys::b64_32")]
    signing_secret: &'a [u8; 32],
}

impl RegisterKeyPair {
    pub fn generate() -> RegisterKeyPair {
        RegisterKeyPair {
            encryption_secret: x25519_dalek::StaticSecret::random_from_rng(OsRng),
            signing_key: ed25519_dalek::SigningKey::generate(&mut OsRng),
        }
    }
    pub fn public_keys(&self) -> RegisterPublicKeys {
        RegisterPublicKeys {
            encryption_public: x25519_dalek::PublicKey::from(&self.encryption_secret).to_bytes(),
            signing_public: self.signing_key.verifying_key().to_bytes(),
        }
    }
    /// The private key file's text (see module docs).
    pub fn to_json(&self) -> String {
        let encryption_secret = Zeroizing::new(self.encryption_secret.to_bytes());
        let signing_secret = Zeroizing::new(self.signing_key.to_bytes());
        let file = PrivateKeyFile {
            kind: REGISTER_PRIVATE_KEY_KIND,
            version: KEY_FILE_VERSION,
            encryption_secret: &encryption_secret,
            signing_secret: &signing_secret,
        };
        serde_json::to_string_pretty(&file).expect("a struct of strings and numbers always serializes")
    }
    pub fn from_json(text: &str) -> Result<RegisterKeyPair, PacketError> {
        let file = KeyFileObject::parse(text, REGISTER_PRIVATE_KEY_KIND)?;
        let encryption_secret = file.key_bytes("encryption_secret")?;
        let signing_secret = file.key_bytes("signing_secret")?;
        Ok(RegisterKeyPair {
            // `StaticSecret::from` clamps; any 32 bytes are a valid X25519 secret.
            encryption_secret: x25519_dalek::StaticSecret::from(*encryption_secret),
            signing_key: ed25519_dalek::SigningKey::from_bytes(&signing_secret),
        })
    }
}

impl fmt::Debug for RegisterKeyPair {
    // Key ids only, so that a `#[derive(Debug)]` on a struct holding this pair stays safe to log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let public = self.public_keys();
        f.debug_struct("RegisterKeyPair")
            .field("encryption_key_id", &public.key_id().to_hex())
            .field("signing_key_id", &KeyId::of_public_key(&public.signing_public).to_hex())
            .finish_non_exhaustive()
    }
}

/// A key file read as a JSON object whose `kind` and `version` were checked.
///
/// Reading through a generic object rather than a derived struct lets each failure name the
/// field and say what was expected, which an admin needs more than serde's generic messages.
struct KeyFileObject {
    fields: serde_json::Map<String, serde_json::Value>,
}

impl KeyFileObject {
    fn parse(text: &str, expected_kind: &str) -> Result<KeyFileObject, PacketError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| PacketError::BadKey(format!("not a JSON key file ({e}); expected a {expected_kind} file")))?;
        let serde_json::Value::Object(fields) = value else {
            return Err(PacketError::BadKey(format!(
                "not a JSON object; expected a {expected_kind} file"
            )));
        };
        match fields.get("kind") {
            Some(serde_json::Value::String(kind)) if kind == expected_kind => {}
            Some(serde_json::Value::String(kind)) => {
                return Err(PacketError::BadKey(format!(
                    "this is a {kind:?} file, expected a {expected_kind:?} file; check which file was given"
                )))
            }
            _ => {
                return Err(PacketError::BadKey(format!(
                    "missing \"kind\": expected \"kind\": {expected_kind:?}"
                )))
            }
        }
        match fields.get("version").and_then(serde_json::Value::as_u64) {
            Some(KEY_FILE_VERSION) => {}
            Some(other) => {
                return Err(PacketError::BadKey(format!(
                    "key file version {other} is not supported; this software reads version {KEY_FILE_VERSION}"
                )))
            }
            None => {
                return Err(PacketError::BadKey(format!(
                    "missing or non-numeric \"version\": expected \"version\": {KEY_FILE_VERSION}"
                )))
            }
        }
        Ok(KeyFileObject { fields })
    }

    fn string(&self, name: &str) -> Result<&str, PacketError> {
        self.fields
            .get(name)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| PacketError::BadKey(format!("missing or non-string field {name:?}")))
    }

    /// A 32-byte key in base64; zeroized when dropped, since it may be a secret.
    fn key_bytes(&self, name: &str) -> Result<Zeroizing<[u8; 32]>, PacketError> {
        let text = self.string(name)?;
        b64_32::decode(text).map_err(|why| PacketError::BadKey(format!("{name}: {why}")))
    }
}

/// Serde helper: 32 bytes as standard base64.
pub(crate) mod b64_32 {
    use super::BASE64;
    use base64::Engine as _;
    use zeroize::Zeroizing;

    pub fn serialize<S: serde::Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        // The encoded text may be a secret (private key file); wipe it once serialized.
        let text = Zeroizing::new(BASE64.encode(bytes));
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text: Zeroizing<String> = Zeroizing::new(serde::Deserialize::deserialize(d)?);
        decode(&text).map(|bytes| *bytes).map_err(serde::de::Error::custom)
    }

    /// Decode standard padded base64 that must hold exactly 32 bytes; the error is for people.
    pub(crate) fn decode(text: &str) -> Result<Zeroizing<[u8; 32]>, String> {
        let decoded = Zeroizing::new(
            BASE64
                .decode(text.trim())
                .map_err(|e| format!("not valid base64 (standard alphabet, with padding): {e}"))?,
        );
        let mut out = Zeroizing::new([0u8; 32]);
        if decoded.len() != out.len() {
            return Err(format!("must be 32 bytes, found {} bytes", decoded.len()));
        }
        out.copy_from_slice(&decoded);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn assert_bad_key(result: Result<impl Sized, PacketError>, needle: &str) {
        match result {
            Err(PacketError::BadKey(message)) => {
                assert!(
                    message.contains(needle),
                    "message {message:?} should mention {needle:?}"
                )
            }
            Err(other) => panic!("expected BadKey mentioning {needle:?}, got {other:?}"),
            Ok(_) => panic!("expected BadKey mentioning {needle:?}, got Ok"),
        }
    }

    #[test]
    fn key_id_is_first_eight_bytes_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea 414140de5dae2223 ...
        let id = KeyId::of_public_key(b"abc");
        assert_eq!(id.to_hex(), "ba7816bf8f01cfea");
        assert_eq!(id.to_string(), "ba7816bf8f01cfea");
    }

    #[test]
    fn station_key_seed_round_trips() {
        let key = StationSigningKey::generate();
        let again = StationSigningKey::from_seed(key.seed());
        assert_eq!(key.public_key(), again.public_key());
        assert_ne!(key.public_key(), StationSigningKey::generate().public_key());
    }

    #[test]
    fn private_key_file_round_trips() {
        let pair = RegisterKeyPair::generate();
        let text = pair.to_json();
        let again = RegisterKeyPair::from_json(&text).unwrap();
        assert_eq!(again.public_keys(), pair.public_keys());
        assert_eq!(again.encryption_secret.to_bytes(), pair.encryption_secret.to_bytes());
        assert_eq!(again.signing_key.to_bytes(), pair.signing_key.to_bytes());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["kind"], REGISTER_PRIVATE_KEY_KIND);
        assert_eq!(value["version"], 1);
    }

    #[test]
    fn public_keys_file_round_trips_and_names_its_key_id() {
        let public = RegisterKeyPair::generate().public_keys();
        let text = public.to_json();
        assert_eq!(RegisterPublicKeys::from_json(&text).unwrap(), public);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["kind"], REGISTER_PUBLIC_KEYS_KIND);
        assert_eq!(value["key_id"], public.key_id().to_hex());
        assert_eq!(value["encryption_public"], BASE64.encode(public.encryption_public));
    }

    #[test]
    fn public_keys_serde_derive_uses_base64() {
        let public = RegisterKeyPair::generate().public_keys();
        let value = serde_json::to_value(&public).unwrap();
        assert_eq!(value["signing_public"], BASE64.encode(public.signing_public));
        let back: RegisterPublicKeys = serde_json::from_value(value).unwrap();
        assert_eq!(back, public);
        let short = serde_json::json!({"encryption_public": BASE64.encode([1u8; 31]), "signing_public": BASE64.encode([2u8; 32])});
        let err = serde_json::from_value::<RegisterPublicKeys>(short).unwrap_err();
        assert!(err.to_string().contains("must be 32 bytes, found 31"), "{err}");
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let pair = RegisterKeyPair::generate();
        let printed = format!("{pair:?}");
        for secret in [pair.encryption_secret.to_bytes(), pair.signing_key.to_bytes()] {
            assert!(!printed.contains(&BASE64.encode(secret)), "{printed}");
            assert!(!printed.contains(&hex::encode(secret)), "{printed}");
            // A derived Debug would print the bytes as a list of numbers: "[12, 200, 7, ...".
            let first_bytes = format!("{:?}", &secret[..4]);
            assert!(!printed.contains(first_bytes.trim_end_matches(']')), "{printed}");
        }
        assert!(printed.contains(&pair.public_keys().key_id().to_hex()));

        let station = StationSigningKey::generate();
        let printed = format!("{station:?}");
        assert!(!printed.contains(&hex::encode(station.seed())), "{printed}");
        assert!(!printed.contains(&BASE64.encode(station.seed())), "{printed}");
    }

    #[test]
    fn wrong_kind_is_named() {
        let pair = RegisterKeyPair::generate();
        assert_bad_key(
            RegisterPublicKeys::from_json(&pair.to_json()),
            "enroll-register-private-key",
        );
        assert_bad_key(
            RegisterKeyPair::from_json(&pair.public_keys().to_json()),
            "enroll-register-public-keys",
        );
        assert_bad_key(RegisterKeyPair::from_json(r#"{"version":1}"#), "missing \"kind\"");
    }

    #[test]
    fn wrong_version_is_named() {
        let text = RegisterKeyPair::generate()
            .to_json()
            .replace("\"version\": 1", "\"version\": 2");
        assert_bad_key(RegisterKeyPair::from_json(&text), "version 2 is not supported");
        let text = RegisterKeyPair::generate()
            .to_json()
            .replace("\"version\": 1", "\"version\": \"1\"");
        assert_bad_key(RegisterKeyPair::from_json(&text), "version");
    }

    #[test]
    fn bad_base64_and_wrong_length_are_named() {
        let public = RegisterKeyPair::generate().public_keys();
        let good = BASE64.encode(public.encryption_public);

        let text = public.to_json().replace(&good, "not*base64");
        assert_bad_key(
            RegisterPublicKeys::from_json(&text),
            "encryption_public: not valid base64",
        );

        let text = public.to_json().replace(&good, &BASE64.encode([7u8; 33]));
        assert_bad_key(
            RegisterPublicKeys::from_json(&text),
            "encryption_public: must be 32 bytes, found 33",
        );

        let mut object: serde_json::Value = serde_json::from_str(&public.to_json()).unwrap();
        object.as_object_mut().unwrap().remove("signing_public");
        assert_bad_key(RegisterPublicKeys::from_json(&object.to_string()), "\"signing_public\"");
    }

    #[test]
    fn station_public_key_text_and_file_round_trip() {
        let station = StationSigningKey::from_seed([5; 32]);
        let key = station.station_public_key();
        let text = key.to_text();
        assert_eq!(text.len(), 44);
        assert_eq!(text, BASE64.encode(station.public_key()));
        assert_eq!(StationPublicKey::from_text(&format!(" {text}\n")).unwrap(), key);

        let file = key.to_json("ST-0001");
        let value: serde_json::Value = serde_json::from_str(&file).unwrap();
        assert_eq!(value["kind"], STATION_PUBLIC_KEY_KIND);
        assert_eq!(value["version"], 1);
        assert_eq!(value["station_id"], "ST-0001");
        assert_eq!(value["public_key"], text);
        assert_eq!(value["key_id"], key.key_id().to_hex());
        let names: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(names.len(), 5, "exactly the documented members: {names:?}");
        assert_eq!(
            StationPublicKey::from_json(&file).unwrap(),
            ("ST-0001".to_string(), key)
        );
    }

    #[test]
    fn bad_station_public_keys_are_bad_key() {
        let key = StationSigningKey::from_seed([5; 32]).station_public_key();
        let text = key.to_text();
        assert_bad_key(StationPublicKey::from_text(text.trim_end_matches('=')), "with padding");
        assert_bad_key(
            StationPublicKey::from_text(&BASE64.encode([9u8; 31])),
            "must be 32 bytes",
        );
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_bad_key(StationPublicKey::from_text(&BASE64.encode(identity)), "small-order");

        let file = key.to_json("ST-0001");
        assert_bad_key(
            StationPublicKey::from_json(&file.replace(&key.key_id().to_hex(), "0000000000000000")),
            "does not match public_key",
        );
        assert_bad_key(
            StationPublicKey::from_json(&file.replace(&text, &BASE64.encode(identity))),
            "small-order",
        );
        assert_bad_key(StationPublicKey::from_json(&file.replace("ST-0001", "")), "station_id");
        assert_bad_key(
            StationPublicKey::from_json(&RegisterKeyPair::generate().public_keys().to_json()),
            "expected a \"enroll-station-public-key\" file",
        );
    }

    #[test]
    fn mismatched_key_id_is_rejected() {
        let public = RegisterKeyPair::generate().public_keys();
        let text = public.to_json().replace(&public.key_id().to_hex(), "0000000000000000");
        assert_bad_key(RegisterPublicKeys::from_json(&text), "does not match encryption_public");
    }

    #[test]
    fn not_json_is_bad_key() {
        assert_bad_key(
            RegisterKeyPair::from_json("-----BEGIN PRIVATE KEY-----"),
            "not a JSON key file",
        );
        assert_bad_key(RegisterPublicKeys::from_json("[1,2,3]"), "not a JSON object");
    }
}
