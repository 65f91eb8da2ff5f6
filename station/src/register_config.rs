//! The country's configuration as the register sends it down (`GET /v1/config`): the offline
//! limits, the capture policy, the form (ID schema and layout), the master data, the operator
//! list, and rotations of the register's keys (`crate::register_keys`, taken first).
//!
//! Each document must be signed by the register key the station pins (after the delta's
//! rotations), of a version above the one the station holds of its kind, and valid for its
//! kind (`enroll_schemas`, the checks the intake made before it signed); anything else is
//! refused, logged, and changes nothing. A document taken is stored as signed
//! (`Vault::store_config`, audited) and checked again each time the station opens, then with
//! any key the station pinned (it was verified when taken, perhaps before a rotation).
//!
//! When it takes effect: the offline limits and the operator list at once (they only say when
//! new registrations stop and who may sign in next); the capture policy, the form and the
//! master data the next time the station starts, so that a registration never changes form or
//! policy in front of a clerk.
//!
//! Until the register sends master data, the station offers the embedded default
//! (`schemas/default/master-data.json`: document types per category, rejection reasons, a
//! location hierarchy). Once it has, each list comes from the register's document, and a list
//! that document leaves empty from the default: a register that sends only its rejection
//! reasons does not leave the form's required documents without a type to choose.
//!
//! When the station asks: after every Sync now (and `enroll sync`), and in the background every
//! [`BackgroundSync::configuration`](crate::BackgroundSync) while the intake answers. A failure
//! to ask is logged; the station works on with what it has.

use std::time::Duration;

use enroll_packet::register_config::{ConfigDocument, ConfigKind, SignedConfig};
use enroll_packet::RegisterPublicKeys;
use enroll_schemas::station_config::{form_from_value, MasterData, OfflineLimitsConfig, OperatorList};
use enroll_schemas::{CapturePolicy, Form};
use enroll_store::register_config::StoredConfig;
use enroll_store::Vault;
use enroll_sync::IntakeClient;

use crate::offline::OfflineLimits;
use crate::register_keys::{take_rotations, OfferedRotation, PinnedKeys};
use crate::request_key::{self, RunClient};
use crate::sync_queue::{audited, RunBy};
use crate::{rfc3339, Station, StationError};

/// What one ask did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigReport {
    /// The documents taken, by kind and version.
    pub taken: Vec<(ConfigKind, u64)>,
    /// The documents refused, each with the reason's code.
    pub refused: Vec<(String, &'static str)>,
}

/// A document read and checked: what it configures, in the station's terms.
enum Checked {
    OfflineLimits(OfflineLimits),
    CapturePolicy(CapturePolicy),
    Form(Box<Form>),
    MasterData(MasterData),
    Operators(OperatorList),
}

/// Check a verified document's contents as its kind requires.
fn check(document: &ConfigDocument) -> Result<Checked, StationError> {
    let refused = |error: enroll_schemas::SchemaError| {
        StationError::from(enroll_packet::PacketError::ConfigInvalid(error.to_string()))
    };
    Ok(match document.kind {
        ConfigKind::OfflineLimits => {
            let limits = OfflineLimitsConfig::from_value(&document.document).map_err(refused)?;
            Checked::OfflineLimits(OfflineLimits {
                max_days_since_sync: limits.max_days_since_sync,
                max_packets_not_uploaded: limits.max_packets_not_uploaded,
                min_free_disk_mb: limits.min_free_disk_mb,
            })
        }
        ConfigKind::CapturePolicy => {
            Checked::CapturePolicy(CapturePolicy::from_json(&document.document.to_string()).map_err(refused)?)
        }
        ConfigKind::Form => Checked::Form(Box::new(form_from_value(&document.document).map_err(refused)?)),
        ConfigKind::MasterData => Checked::MasterData(MasterData::from_value(&document.document).map_err(refused)?),
        ConfigKind::Operators => Checked::Operators(OperatorList::from_value(&document.document).map_err(refused)?),
        ConfigKind::RegisterKeys => {
            return Err(StationError::from(enroll_packet::PacketError::ConfigInvalid(
                "a key rotation is taken with the register keys, not kept as a document".into(),
            )))
        }
    })
}

/// Verify a signed document against the register keys in force and check its contents.
fn verify(signed: &SignedConfig, keys: &RegisterPublicKeys) -> Result<(ConfigDocument, Checked), StationError> {
    let document = signed.verify(&keys.signing_public)?;
    let checked = check(&document)?;
    Ok((document, checked))
}

/// Verify a stored document with any key the station pinned: it was verified when taken.
fn verify_stored(signed: &SignedConfig, pinned: &PinnedKeys) -> Result<(ConfigDocument, Checked), StationError> {
    let mut first_error = None;
    for keys in pinned.all() {
        match verify(signed, keys) {
            Ok(verified) => return Ok(verified),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.expect("a station always pins the keys in force"))
}

/// What the stored configuration sets at open, each kind checked again; a document that no
/// longer verifies is left out (and logged): the embedded default stands in for it.
pub(crate) struct StartingConfig {
    pub(crate) offline_limits: Option<OfflineLimits>,
    pub(crate) capture_policy: Option<CapturePolicy>,
    pub(crate) form: Option<Form>,
    pub(crate) master_data: Option<MasterData>,
    pub(crate) operators: Option<OperatorList>,
}

pub(crate) fn starting_config(vault: &Vault) -> Result<StartingConfig, StationError> {
    let mut config = StartingConfig {
        offline_limits: None,
        capture_policy: None,
        form: None,
        master_data: None,
        operators: None,
    };
    if vault.station()?.is_none() {
        return Ok(config);
    }
    let pinned = PinnedKeys::load(vault)?;
    for stored in vault.stored_configs()? {
        let signed = SignedConfig {
            payload: stored.payload,
            signature: stored.signature,
        };
        match verify_stored(&signed, &pinned) {
            Ok((_, Checked::OfflineLimits(limits))) => config.offline_limits = Some(limits),
            Ok((_, Checked::CapturePolicy(policy))) => config.capture_policy = Some(policy),
            Ok((_, Checked::Form(form))) => config.form = Some(*form),
            Ok((_, Checked::MasterData(data))) => config.master_data = Some(data),
            Ok((_, Checked::Operators(list))) => config.operators = Some(list),
            Err(error) => tracing::error!(
                kind = %stored.kind,
                version = stored.version,
                code = error.code(),
                %error,
                "a stored configuration does not verify; the embedded default stands in for it"
            ),
        }
    }
    Ok(config)
}

/// Ask the register when `every` has passed since the last ask (always when it is zero).
/// Never fails the caller: see the module's notes. True when the register answered now (the
/// station reached it and was accepted).
pub(crate) async fn fetch_if_due(station: &Station, every: Duration, by: RunBy) -> bool {
    let now = (station.clock)();
    if !station.config_asked.is_due(now, every) {
        return false;
    }
    match fetch(station, by).await {
        Ok(report) => {
            station.config_asked.answered(now);
            if !report.taken.is_empty() || !report.refused.is_empty() {
                tracing::info!(taken = ?report.taken, refused = ?report.refused, "asked the register for configuration");
            }
            true
        }
        Err(error) => {
            tracing::warn!(code = error.code(), %error, "the register's configuration could not be asked; asked again later");
            false
        }
    }
}

/// Ask the register for what is newer than the configuration held; take its key rotations
/// first, then each document that verifies with the keys then in force, is newer than the
/// one held of its kind, and is valid.
pub(crate) async fn fetch(station: &Station, by: RunBy) -> Result<ConfigReport, StationError> {
    let (record, since, mut pinned) = {
        let vault = station.vault();
        let record = vault.station()?.ok_or(StationError::NotSetUp)?;
        (record, vault.highest_config_version()?, PinnedKeys::load(&vault)?)
    };
    let client = match request_key::signing_client(station, &record, IntakeClient::new(&record.intake_url)?).await? {
        RunClient::Ready(client) => client,
        RunClient::NotReady(error) => return Err(error),
    };
    let delta = client.config_since(since).await?;
    let mut report = ConfigReport::default();
    // Read without trust only to sort the rotations out; each document is verified when taken.
    let mut offered = Vec::new();
    let mut documents = Vec::new();
    for signed in delta.documents {
        match serde_json::from_str::<ConfigDocument>(&signed.payload) {
            Ok(unverified) if unverified.kind == ConfigKind::RegisterKeys => {
                offered.push(OfferedRotation::read(signed, &unverified))
            }
            _ => documents.push(signed),
        }
    }
    if !offered.is_empty() {
        let now = rfc3339((station.clock)());
        let rotated = take_rotations(&mut station.vault(), &mut pinned, offered, &now, by)?;
        if !rotated.taken.is_empty() {
            station.sync_monitor.update(|status| status.register_news += 1);
        }
        report.taken.extend(
            rotated
                .taken
                .into_iter()
                .map(|version| (ConfigKind::RegisterKeys, version)),
        );
        report.refused.extend(
            rotated
                .refused
                .map(|(_, code)| (ConfigKind::RegisterKeys.as_str().to_owned(), code)),
        );
    }
    for signed in documents {
        match take(station, &signed, &pinned.current, by) {
            Ok((kind, version)) => report.taken.push((kind, version)),
            Err(error) => {
                let kind = serde_json::from_str::<serde_json::Value>(&signed.payload)
                    .ok()
                    .and_then(|payload| payload.get("kind")?.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "?".into());
                tracing::warn!(%kind, code = error.code(), %error, "a configuration document from the register is refused");
                report.refused.push((kind, error.code()));
            }
        }
    }
    Ok(report)
}

fn take(
    station: &Station,
    signed: &SignedConfig,
    pinned: &RegisterPublicKeys,
    by: RunBy,
) -> Result<(ConfigKind, u64), StationError> {
    let (document, checked) = verify(signed, pinned)?;
    let stored = StoredConfig {
        kind: document.kind.as_str().to_owned(),
        version: document.version,
        payload: signed.payload.clone(),
        signature: signed.signature.clone(),
        received_at: rfc3339((station.clock)()),
    };
    audited(&mut station.vault(), by, |vault| vault.store_config(&stored))?;
    station.sync_monitor.update(|status| status.register_news += 1);
    match checked {
        Checked::OfflineLimits(limits) => *station.offline_limits.lock().unwrap_or_else(|p| p.into_inner()) = limits,
        Checked::Operators(list) => *station.operator_list.lock().unwrap_or_else(|p| p.into_inner()) = Some(list),
        Checked::CapturePolicy(_) | Checked::Form(_) | Checked::MasterData(_) => {}
    }
    tracing::info!(
        kind = document.kind.as_str(),
        version = document.version,
        "took the register's configuration"
    );
    Ok((document.kind, document.version))
}

/// The master data in force: the register's, each empty list taken from the embedded default
/// (see the module's notes).
pub(crate) fn master_data_in_force(register: Option<&MasterData>) -> Result<MasterData, StationError> {
    let default = enroll_schemas::default_master_data()
        .map_err(|e| StationError::Config(format!("the embedded master data: {e}")))?;
    let Some(register) = register else {
        return Ok(default);
    };
    let either = |theirs: &Vec<_>, ours: Vec<_>| if theirs.is_empty() { ours } else { theirs.clone() };
    Ok(MasterData {
        locations: either(&register.locations, default.locations),
        document_types: either(&register.document_types, default.document_types),
        rejection_reasons: either(&register.rejection_reasons, default.rejection_reasons),
    })
}

impl Station {
    /// The lists the forms choose from, as the register last sent them (taken at start);
    /// `None` before it sent any (the station then offers the embedded default: see
    /// [`Station::master_data_in_force`]).
    pub fn master_data(&self) -> Option<&MasterData> {
        self.master_data.as_ref()
    }

    /// The lists the station offers: the register's, each list it left empty (or all, before
    /// it sent any) from the embedded default.
    pub fn master_data_in_force(&self) -> &MasterData {
        &self.master_data_in_force
    }

    /// The offline limits in force.
    pub fn offline_limits(&self) -> OfflineLimits {
        *self.offline_limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The reasons a supervisor may choose from when rejecting a registration, from the
    /// master data in force (the embedded default's before the register sent its own): the
    /// window offers them and the supervisor may still word the reason. Anyone signed in may
    /// read them.
    pub fn rejection_reasons(&self) -> Result<Vec<crate::MasterEntryView>, StationError> {
        self.signed_in()?;
        Ok(self
            .master_data_in_force
            .rejection_reasons
            .iter()
            .map(|entry| crate::MasterEntryView {
                code: entry.code.clone(),
                labels: entry.labels.clone(),
            })
            .collect())
    }

    /// The register's operator list in force, if it sent one.
    pub fn operator_list(&self) -> Option<OperatorList> {
        self.operator_list.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
