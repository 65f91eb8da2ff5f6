//! Fixtures shared by the vault's unit tests: a station record and its first admin, so each
//! test states only what it is about.

use zeroize::Zeroizing;

use crate::{DataKey, NewOperator, Role, StationRecord, Vault};

/// The admin's password in every test station.
pub(crate) const ADMIN_PASSWORD: &str = "correct horse";
/// The station signing key seed in every test station.
pub(crate) const SIGNING_SEED: [u8; 32] = [7; 32];

pub(crate) fn station_record() -> StationRecord {
    StationRecord {
        station_id: "10001".into(),
        name: "Center A".into(),
        center_id: "10002".into(),
        intake_url: "http://127.0.0.1:1".into(),
        register_keys_json: "{}".into(),
        created_at: "2026-11-25T10:00:00Z".into(),
    }
}

pub(crate) fn admin() -> NewOperator {
    NewOperator {
        username: "admin".into(),
        full_name: "Ada Admin".into(),
        role: Role::Admin,
        password: Zeroizing::new(ADMIN_PASSWORD.into()),
    }
}

/// Set up the test station in `vault` under `data_key`.
pub(crate) fn create_station(vault: &mut Vault, data_key: &DataKey) {
    vault
        .create_station(&station_record(), &SIGNING_SEED, &admin(), data_key)
        .unwrap();
}

/// A new vault file in `dir` with the test station set up.
pub(crate) fn vault_with_station(dir: &std::path::Path) -> (Vault, DataKey) {
    let mut vault = Vault::open(&dir.join("v.sqlite")).unwrap();
    let key = DataKey::generate();
    create_station(&mut vault, &key);
    (vault, key)
}
