//! Which device signatures the station believes: a trust store of CA certificates (a folder of
//! PEM files, given by configuration or `--device-trust DIR`) and the check that a signer's
//! certificate chains to one of them, every certificate on the way within its validity period.
//!
//! Why here and not in a TLS library: SBI signatures carry their certificate in the JWS `x5c`
//! header, outside any TLS handshake, and MOSIP's device PKI is plain RSA with SHA-2. The path
//! is built from the signer's certificate upward: an issuer is a trust-store certificate (an
//! anchor, believed as configured) or an `x5c` certificate marked as a CA; each link's signature
//! is checked with the issuer's key.
//!
//! Deliberately absent: revocation (the register's device management withdraws devices, not
//! the station), name constraints and policies, and algorithms other than RSA with SHA-256,
//! SHA-384 or SHA-512.

use std::path::Path;

use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::{Sha256, Sha384, Sha512};
use time::OffsetDateTime;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::Certificate;

use crate::capture::DeviceTrust;
use crate::sbi::jws::{self, Jws};
use crate::DeviceError;

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// A longer path than this is refused rather than followed (a loop, or a hostile chain).
const MAX_PATH_LENGTH: usize = 8;

/// The CA certificates whose devices the station trusts.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
}

impl TrustStore {
    /// A store that trusts nothing: every signed device is refused (outside developer mode).
    pub fn empty() -> TrustStore {
        TrustStore::default()
    }

    /// Every certificate in the `.pem`, `.crt` and `.cer` files (PEM, one or more certificates
    /// each) of `dir`. Other files are ignored; a certificate file that cannot be read is an
    /// error naming it, so that a typo does not silently distrust a whole make of scanner.
    pub fn from_dir(dir: &Path) -> Result<TrustStore, DeviceError> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            DeviceError::TrustStore(format!("cannot read the device trust folder {}: {e}", dir.display()))
        })?;
        let mut paths = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| DeviceError::TrustStore(format!("cannot read {}: {e}", dir.display())))?
                .path();
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if path.is_file() && matches!(extension.as_str(), "pem" | "crt" | "cer") {
                paths.push(path);
            }
        }
        // Sorted so that the store, and any message about it, is the same on every run.
        paths.sort();
        let mut store = TrustStore::empty();
        for path in paths {
            let bytes = std::fs::read(&path)
                .map_err(|e| DeviceError::TrustStore(format!("cannot read {}: {e}", path.display())))?;
            store
                .add_pem(&bytes)
                .map_err(|e| DeviceError::TrustStore(format!("{}: {e}", path.display())))?;
        }
        Ok(store)
    }

    /// Adds the certificates of a PEM text (one or more `CERTIFICATE` blocks).
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<(), String> {
        let certificates = Certificate::load_pem_chain(pem).map_err(|e| format!("not a PEM certificate file: {e}"))?;
        if certificates.is_empty() {
            return Err("holds no certificate".into());
        }
        self.anchors.extend(certificates);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Checks that `signer` chains to a certificate of this store through `intermediates`,
    /// every certificate on the path valid at `now`. The error says why not, for the clerk's
    /// detail and the log.
    pub fn verify_chain(
        &self,
        signer: &Certificate,
        intermediates: &[Certificate],
        now: OffsetDateTime,
    ) -> Result<(), String> {
        check_validity(signer, now)?;
        if self.anchors.contains(signer) {
            // The signer's own certificate is in the store: trusted as configured.
            return Ok(());
        }
        let mut current = signer;
        for _ in 0..MAX_PATH_LENGTH {
            let issuer_name = &current.tbs_certificate.issuer;
            if let Some(anchor) = self
                .anchors
                .iter()
                .find(|anchor| &anchor.tbs_certificate.subject == issuer_name && signed_by(current, anchor).is_ok())
            {
                return check_validity(anchor, now);
            }
            let next = intermediates
                .iter()
                .find(|candidate| {
                    &candidate.tbs_certificate.subject == issuer_name
                        && is_ca(candidate)
                        && signed_by(current, candidate).is_ok()
                })
                .ok_or_else(|| {
                    format!(
                        "its certificate ({}) was not issued by a CA in the station's device trust store",
                        current.tbs_certificate.subject
                    )
                })?;
            check_validity(next, now)?;
            current = next;
        }
        Err("its certificate chain is longer than any real device's".into())
    }
}

/// Checks a signed SBI value with the station's policy: the signature must match its own
/// certificate (always: a mismatch means the content was altered); the certificate must chain
/// to the trust store, unless the station runs in developer mode, which accepts an unknown or
/// missing signer and says so.
#[derive(Debug, Clone)]
pub struct TrustPolicy {
    pub store: TrustStore,
    pub developer_mode: bool,
}

/// A value that passed [`TrustPolicy::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub payload: Vec<u8>,
    pub trust: DeviceTrust,
}

impl TrustPolicy {
    /// `value` is a compact JWS, or (for devices that sign nothing) only the base64url payload.
    pub fn check(&self, value: &str, now: OffsetDateTime) -> Result<Checked, DeviceError> {
        let value = value.trim();
        if !value.contains('.') {
            if !self.developer_mode {
                return Err(DeviceError::Untrusted(
                    "the device signs nothing; only a station in developer mode accepts it".into(),
                ));
            }
            return Ok(Checked {
                payload: jws::base64url_decode(value)?,
                trust: DeviceTrust::DeveloperMode,
            });
        }
        let jws = match Jws::parse(value) {
            Ok(jws) => jws,
            // An unusable signature from a device the station would not trust anyway is the
            // same as no signature in developer mode; its payload still has to be readable.
            Err(DeviceError::Untrusted(_)) if self.developer_mode => {
                let payload = value.split('.').nth(1).unwrap_or_default();
                return Ok(Checked {
                    payload: jws::base64url_decode(payload)?,
                    trust: DeviceTrust::DeveloperMode,
                });
            }
            Err(error) => return Err(error),
        };
        jws.verify_signature()?;
        match self
            .store
            .verify_chain(jws.signer_certificate(), jws.intermediates(), now)
        {
            Ok(()) => Ok(Checked {
                payload: jws.payload().to_vec(),
                trust: DeviceTrust::Verified,
            }),
            Err(_) if self.developer_mode => Ok(Checked {
                payload: jws.payload().to_vec(),
                trust: DeviceTrust::DeveloperMode,
            }),
            Err(reason) => Err(DeviceError::Untrusted(reason)),
        }
    }
}

fn check_validity(certificate: &Certificate, now: OffsetDateTime) -> Result<(), String> {
    let validity = &certificate.tbs_certificate.validity;
    let now = i128::from(now.unix_timestamp());
    let not_before = i128::from(validity.not_before.to_unix_duration().as_secs());
    let not_after = i128::from(validity.not_after.to_unix_duration().as_secs());
    if now < not_before {
        return Err(format!(
            "the certificate of {} is not valid yet (from {}); check the station's clock",
            certificate.tbs_certificate.subject, validity.not_before
        ));
    }
    if now > not_after {
        return Err(format!(
            "the certificate of {} expired on {}",
            certificate.tbs_certificate.subject, validity.not_after
        ));
    }
    Ok(())
}

fn is_ca(certificate: &Certificate) -> bool {
    certificate
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|extension| extension.extn_id == BASIC_CONSTRAINTS)
        .any(|extension| {
            BasicConstraints::from_der(extension.extn_value.as_bytes())
                .map(|constraints| constraints.ca)
                .unwrap_or(false)
        })
}

/// Checks `child`'s signature with `issuer`'s key.
fn signed_by(child: &Certificate, issuer: &Certificate) -> Result<(), String> {
    let key = jws::public_key(issuer)?;
    let tbs = child.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    let signature_bytes = child
        .signature
        .as_bytes()
        .ok_or_else(|| "the certificate's signature is not whole bytes".to_string())?;
    let signature = Signature::try_from(signature_bytes).map_err(|e| e.to_string())?;
    let algorithm = child.signature_algorithm.oid;
    let verified = if algorithm == SHA256_WITH_RSA {
        VerifyingKey::<Sha256>::new(key).verify(&tbs, &signature)
    } else if algorithm == SHA384_WITH_RSA {
        VerifyingKey::<Sha384>::new(key).verify(&tbs, &signature)
    } else if algorithm == SHA512_WITH_RSA {
        VerifyingKey::<Sha512>::new(key).verify(&tbs, &signature)
    } else {
        return Err(format!("certificates signed with {algorithm} are not supported"));
    };
    verified.map_err(|_| "the certificate's signature does not verify".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_does_not_exist_is_a_clear_error() {
        let error = TrustStore::from_dir(Path::new("/nonexistent/device-trust")).unwrap_err();
        assert_eq!(error.code(), "device_trust_store_invalid");
        assert!(error.to_string().contains("/nonexistent/device-trust"));
    }

    #[test]
    fn a_certificate_file_that_is_not_pem_is_named() {
        let dir = std::env::temp_dir().join(format!("enroll-trust-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("vendor.pem"), b"not a certificate").unwrap();
        std::fs::write(dir.join("notes.txt"), b"ignored").unwrap();
        let error = TrustStore::from_dir(&dir).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(error.to_string().contains("vendor.pem"), "{error}");
    }

    #[test]
    fn without_developer_mode_an_unsigned_value_is_refused_and_with_it_accepted() {
        let payload = jws::base64url_encode(br#"{"make":"X"}"#);
        let strict = TrustPolicy {
            store: TrustStore::empty(),
            developer_mode: false,
        };
        let now = OffsetDateTime::now_utc();
        assert_eq!(strict.check(&payload, now).unwrap_err().code(), "device_untrusted");
        let developer = TrustPolicy {
            developer_mode: true,
            ..strict
        };
        let checked = developer.check(&payload, now).unwrap();
        assert_eq!(checked.payload, br#"{"make":"X"}"#);
        assert_eq!(checked.trust, DeviceTrust::DeveloperMode);
    }
}
