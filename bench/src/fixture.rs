//! A station set up directly in a vault, the way `station::setup` leaves it, but without
//! asking an intake: the register's key pair is generated here and kept beside the vault
//! (`register-key.json`) so that a checker can open the sealed envelopes.
//!
//! Deliberately absent: the intake round trip of the real setup (station registration); the
//! crash and disk tests are about the vault, and the benchmarks time what happens after setup.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use enroll_packet::{RegisterKeyPair, StationSigningKey};
use enroll_store::{DataKey, NewOperator, Role, StationRecord, Vault};
use zeroize::Zeroizing;

/// The vault file inside a data folder: the station's own name for it.
pub const VAULT_FILE: &str = enroll_station::VAULT_FILE;
/// The register's key pair, beside the vault (test data only: a real station never holds it).
pub const REGISTER_KEY_FILE: &str = "register-key.json";
pub const STATION_ID: &str = "10001";
pub const CENTER_ID: &str = "10002";
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "correct horse battery";

/// What a signed-in station holds in memory.
pub struct OpenStation {
    pub vault: Vault,
    pub data_key: DataKey,
    pub signing_key: StationSigningKey,
    pub register: RegisterKeyPair,
}

pub fn vault_path(data_dir: &Path) -> PathBuf {
    data_dir.join(VAULT_FILE)
}

/// Open the vault in `data_dir`, setting the station up first if it is not, and sign in as
/// the admin. Safe to interrupt at any point: the register key is written by rename before the
/// station exists, and the station is created in one transaction, so a rerun finishes the job.
pub fn open_or_set_up(data_dir: &Path, now: &str) -> anyhow::Result<OpenStation> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let key_path = data_dir.join(REGISTER_KEY_FILE);
    let register = match std::fs::read_to_string(&key_path) {
        Ok(text) => RegisterKeyPair::from_json(&text)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let register = RegisterKeyPair::generate();
            let temporary = data_dir.join(format!("{REGISTER_KEY_FILE}.tmp"));
            std::fs::write(&temporary, register.to_json())?;
            std::fs::File::open(&temporary)?.sync_all()?;
            std::fs::rename(&temporary, &key_path)?;
            register
        }
        Err(error) => return Err(error).with_context(|| format!("reading {}", key_path.display())),
    };
    let mut vault = Vault::open(&vault_path(data_dir))?;
    if vault.station()?.is_none() {
        let record = StationRecord {
            station_id: STATION_ID.into(),
            name: "Crash and bench station".into(),
            center_id: CENTER_ID.into(),
            intake_url: "http://127.0.0.1:9".into(),
            register_keys_json: register.public_keys().to_json(),
            created_at: now.into(),
        };
        let admin = NewOperator {
            username: ADMIN.into(),
            full_name: "Bench Admin".into(),
            role: Role::Admin,
            password: Zeroizing::new(ADMIN_PASSWORD.into()),
        };
        vault.create_station(
            &record,
            &StationSigningKey::generate().seed(),
            &admin,
            &DataKey::generate(),
        )?;
    }
    let (_, data_key) = vault.unlock(ADMIN, ADMIN_PASSWORD)?;
    let signing_key = StationSigningKey::from_seed(vault.station_signing_seed(&data_key)?);
    Ok(OpenStation {
        vault,
        data_key,
        signing_key,
        register,
    })
}
