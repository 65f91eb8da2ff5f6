//! The device CA of the station's own SBI service: an RSA CA and a device key with its
//! certificate, made once and kept in a folder, so that the simulators behind `SbiService`
//! sign like a certified device and a station can trust them by putting the CA certificate
//! (`ca.pem`) in its device trust folder.
//!
//! Why kept in a folder: 2048-bit RSA key generation takes seconds; the service and the tests
//! make the keys once and reuse them. The folder is made whole in one rename, so two processes
//! starting at once agree on one set of keys.
//!
//! Deliberately absent: a device provider's PKI (key rotation, registration with a management
//! server, HSM storage). These keys sign simulated captures and nothing else; their CA must never
//! be put in a production station's trust folder.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;
use sha2::Sha256;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{DecodePem, Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use crate::sbi::jws;
use crate::DeviceError;

const CA_CERTIFICATE: &str = "ca.pem";
const CA_KEY: &str = "ca-key.pem";
const DEVICE_CERTIFICATE: &str = "device.pem";
const DEVICE_KEY: &str = "device-key.pem";
/// SBI asks for RSA keys of 2048 bits or more.
const KEY_BITS: usize = 2048;
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// What signs the service's answers: the device key and its certificate.
#[derive(Clone)]
pub struct DeviceSigner {
    key: RsaPrivateKey,
    certificate_der: Vec<u8>,
}

impl std::fmt::Debug for DeviceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("DeviceSigner").finish_non_exhaustive()
    }
}

impl DeviceSigner {
    /// A compact JWS (`RS256`, the device certificate in `x5c`) of `payload`.
    pub fn sign(&self, payload: &[u8]) -> String {
        jws::sign(payload, &self.key, std::slice::from_ref(&self.certificate_der))
    }
}

/// A CA and the device key it certified, as kept in their folder.
#[derive(Debug, Clone)]
pub struct DeviceCa {
    dir: PathBuf,
    ca_certificate_pem: String,
    signer: DeviceSigner,
}

impl DeviceCa {
    /// Loads the CA kept in `dir`, or makes one (named after `name`, valid from `now`) when
    /// `dir` does not exist yet or is empty.
    pub fn load_or_create(dir: &Path, name: &str, now: SystemTime) -> Result<DeviceCa, DeviceError> {
        if dir.join(DEVICE_KEY).exists() {
            return DeviceCa::load(dir);
        }
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| ca_error(parent, e))?;
        let staging = parent.join(format!(
            ".{}.{}-{}",
            dir.file_name().and_then(|n| n.to_str()).unwrap_or("device-ca"),
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&staging).map_err(|e| ca_error(&staging, e))?;
        let written = write_new_ca(&staging, name, now);
        if let Err(error) = written {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error);
        }
        if std::fs::rename(&staging, dir).is_err() {
            // Another process made the folder first (or it holds other files): use what is
            // there, so that every process signs with the same keys.
            let _ = std::fs::remove_dir_all(&staging);
        }
        DeviceCa::load(dir)
    }

    /// Loads a CA kept in `dir` by [`DeviceCa::load_or_create`].
    pub fn load(dir: &Path) -> Result<DeviceCa, DeviceError> {
        let read = |file: &str| std::fs::read_to_string(dir.join(file)).map_err(|e| ca_error(&dir.join(file), e));
        let ca_certificate_pem = read(CA_CERTIFICATE)?;
        let device_certificate = Certificate::from_pem(read(DEVICE_CERTIFICATE)?.as_bytes())
            .map_err(|e| ca_error(&dir.join(DEVICE_CERTIFICATE), e))?;
        let key = RsaPrivateKey::from_pkcs8_pem(&read(DEVICE_KEY)?).map_err(|e| ca_error(&dir.join(DEVICE_KEY), e))?;
        let certificate_der = device_certificate
            .to_der()
            .map_err(|e| ca_error(&dir.join(DEVICE_CERTIFICATE), e))?;
        Ok(DeviceCa {
            dir: dir.to_path_buf(),
            ca_certificate_pem,
            signer: DeviceSigner { key, certificate_der },
        })
    }

    /// The CA certificate, PEM: what a station puts in its device trust folder.
    pub fn ca_certificate_pem(&self) -> &str {
        &self.ca_certificate_pem
    }

    /// Where the CA certificate is kept.
    pub fn ca_certificate_path(&self) -> PathBuf {
        self.dir.join(CA_CERTIFICATE)
    }

    pub fn signer(&self) -> DeviceSigner {
        self.signer.clone()
    }
}

fn ca_error(path: &Path, error: impl std::fmt::Display) -> DeviceError {
    DeviceError::TrustStore(format!("the device CA in {} cannot be used: {error}", path.display()))
}

fn write_new_ca(dir: &Path, name: &str, now: SystemTime) -> Result<(), DeviceError> {
    let ca_key = RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS).map_err(|e| ca_error(dir, e))?;
    let device_key = RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS).map_err(|e| ca_error(dir, e))?;

    // An hour back, for stations whose clock runs a little behind the service's.
    let not_before = now.checked_sub(Duration::from_secs(3600)).unwrap_or(now);
    let ca_name = name_for(&format!("CN={name} SBI device CA,O=Enrollment station simulators"))?;
    let device_name = name_for(&format!("CN={name} SBI device,O=Enrollment station simulators"))?;

    let ca_signer = SigningKey::<Sha256>::new(ca_key.clone());
    let ca_certificate = build(
        Profile::Root,
        1,
        validity(not_before, 20 * 365 * DAY)?,
        ca_name.clone(),
        &ca_key,
        &ca_signer,
    )?;
    let device_certificate = build(
        Profile::Leaf {
            issuer: ca_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        2,
        validity(not_before, 5 * 365 * DAY)?,
        device_name,
        &device_key,
        &ca_signer,
    )?;

    let pem = |certificate: &Certificate| certificate.to_pem(LineEnding::LF).map_err(|e| ca_error(dir, e));
    write_file(&dir.join(CA_CERTIFICATE), pem(&ca_certificate)?.as_bytes())?;
    write_file(&dir.join(DEVICE_CERTIFICATE), pem(&device_certificate)?.as_bytes())?;
    for (file, key) in [(CA_KEY, &ca_key), (DEVICE_KEY, &device_key)] {
        let text = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| ca_error(dir, e))?;
        write_file(&dir.join(file), text.as_bytes())?;
    }
    Ok(())
}

fn name_for(text: &str) -> Result<Name, DeviceError> {
    Name::from_str(text).map_err(|e| DeviceError::TrustStore(format!("bad certificate name {text:?}: {e}")))
}

fn validity(not_before: SystemTime, length: Duration) -> Result<Validity, DeviceError> {
    let not_after = not_before + length;
    let time = |at: SystemTime| Time::try_from(at).map_err(|e| DeviceError::TrustStore(e.to_string()));
    Ok(Validity {
        not_before: time(not_before)?,
        not_after: time(not_after)?,
    })
}

fn build(
    profile: Profile,
    serial: u32,
    validity: Validity,
    subject: Name,
    subject_key: &RsaPrivateKey,
    issuer: &SigningKey<Sha256>,
) -> Result<Certificate, DeviceError> {
    let error = |e: x509_cert::builder::Error| DeviceError::TrustStore(format!("cannot issue a certificate: {e}"));
    let public_key = SubjectPublicKeyInfoOwned::from_key(subject_key.to_public_key())
        .map_err(|e| DeviceError::TrustStore(e.to_string()))?;
    let builder = CertificateBuilder::new(
        profile,
        SerialNumber::from(serial),
        validity,
        subject,
        public_key,
        issuer,
    )
    .map_err(error)?;
    builder.build::<rsa::pkcs1v15::Signature>().map_err(error)
}

/// Writes a new file, readable by its owner only where the platform has modes: the folder holds
/// private keys.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), DeviceError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| ca_error(path, e))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| ca_error(path, e))?;
    file.sync_all().map_err(|e| ca_error(path, e))
}
