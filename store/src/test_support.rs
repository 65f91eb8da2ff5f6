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

/// A new vault with the test station set up and one acknowledged registration for each of
/// `ids` (sealed, uploaded and receipted in order).
pub(crate) fn vault_with_acknowledged(ids: &[&str]) -> (tempfile::TempDir, Vault, DataKey) {
    let dir = tempfile::tempdir().unwrap();
    let (mut vault, key) = vault_with_station(dir.path());
    for id in ids {
        vault
            .insert_draft(id, "omar", b"draft", &key, "2026-01-01T09:00:00Z")
            .unwrap();
        vault.finalize(id, b"content", &key, "2026-01-01T09:30:00Z").unwrap();
        vault
            .approve_and_seal(id, b"sealed", "sara", "2026-01-01T10:00:00Z")
            .unwrap();
        vault.mark_uploaded(id, "http://x/1", "2026-01-01T10:01:00Z").unwrap();
        vault.record_receipt(id, "{}", "2026-01-01T10:02:00Z").unwrap();
    }
    (dir, vault, key)
}
