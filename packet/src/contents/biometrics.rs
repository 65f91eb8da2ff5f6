//! The biometrics entry: a packet's biometric records and exceptions as one CBEFF
//! (ISO/IEC 19785-3) document in MOSIP's form, and back.
//!
//! Why apart from the codec: this is the mapping to MOSIP's vocabulary (BDBInfo fields,
//! `others` keys, the device PAYLOAD), which changes with MOSIP, not with the container.
//! Deliberately absent: XML itself (that is [`crate::cbeff`]) and decoding ISO/IEC 19794
//! records beyond their format identifier.

use serde::{Deserialize, Serialize};

use super::model::{BiometricException, BiometricRecord, DeviceIdentity, ExceptionKind, Modality};
use super::validate::check_position;
use crate::cbeff::{self, BdbInfo, Bir, Cbeff, OtherEntry, Quality, RegistryId, Version};
use crate::PacketError;

/// `others` keys this station adds to MOSIP's, for what MOSIP keeps elsewhere.
pub const KEY_EXCEPTION_KIND: &str = "EXCEPTION_KIND";
pub const KEY_EXCEPTION_REASON: &str = "EXCEPTION_REASON";
/// The BDB format owner and the quality algorithm owner written by this station.
pub const FORMAT_ORGANIZATION: &str = "Mosip";
const QUALITY_ORGANIZATION: &str = "ENROLL";
const QUALITY_KIND: &str = "DEVICE";

impl BiometricRecord {
    /// The CBEFF record for this capture: BDBInfo (format Mosip/7|8|9, creation date, type,
    /// subtype, level Raw, purpose Enroll, quality), the ISO record as BDB, the device
    /// signature as SB, and `others`: RETRIES, FORCE_CAPTURED, EXCEPTION=false and PAYLOAD, a
    /// JSON object naming the device (`make`, `model`, `serialNo`, `simulated`, and
    /// `digitalId` when the device has one).
    pub fn to_bir(&self) -> Result<Bir, PacketError> {
        let payload = DevicePayload {
            digital_id: self.device_digital_id.clone(),
            make: self.device.make.clone(),
            model: self.device.model.clone(),
            serial_no: self.device.serial.clone(),
            simulated: self.device.simulated,
        };
        let payload = serde_json::to_string(&payload)
            .map_err(|e| PacketError::Cbeff(format!("the device payload cannot be written: {e}")))?;
        Ok(Bir {
            bdb_info: Some(BdbInfo {
                format: Some(RegistryId {
                    organization: FORMAT_ORGANIZATION.into(),
                    kind: self.modality.format_type().into(),
                }),
                creation_date: Some(self.captured_at.clone()),
                quality: Some(Quality {
                    algorithm: RegistryId {
                        organization: QUALITY_ORGANIZATION.into(),
                        kind: QUALITY_KIND.into(),
                    },
                    score: Some(self.quality),
                    calculation_failed: None,
                }),
                ..bdb_info(self.modality, &self.position)
            }),
            bdb: Some(self.data.clone()),
            sb: self.device_signature.clone(),
            others: vec![
                other(cbeff::KEY_EXCEPTION, "false"),
                other(cbeff::KEY_RETRIES, &self.retries.to_string()),
                other(
                    cbeff::KEY_FORCE_CAPTURED,
                    if self.force_captured { "true" } else { "false" },
                ),
                other(cbeff::KEY_PAYLOAD, &payload),
            ],
            ..bir_frame()
        })
    }
}

impl BiometricException {
    /// The CBEFF record for a missing or unusable body part: no BDB, EXCEPTION=true, and this
    /// station's EXCEPTION_KIND and EXCEPTION_REASON entries.
    pub fn to_bir(&self) -> Bir {
        Bir {
            bdb_info: Some(bdb_info(self.modality, &self.position)),
            others: vec![
                other(cbeff::KEY_EXCEPTION, "true"),
                other(KEY_EXCEPTION_KIND, self.kind.as_str()),
                other(KEY_EXCEPTION_REASON, &self.reason),
            ],
            ..bir_frame()
        }
    }
}

/// The device identity as PAYLOAD JSON.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DevicePayload {
    #[serde(skip_serializing_if = "Option::is_none")]
    digital_id: Option<String>,
    make: String,
    model: String,
    serial_no: String,
    simulated: bool,
}

fn other(key: &str, value: &str) -> OtherEntry {
    OtherEntry {
        key: key.into(),
        value: value.into(),
    }
}

/// Version 1.1 and CBEFF version 1.1, integrity false: what MOSIP writes.
fn bir_frame() -> Bir {
    Bir {
        version: Some(Version { major: 1, minor: 1 }),
        cbeff_version: Some(Version { major: 1, minor: 1 }),
        integrity: false,
        ..Bir::default()
    }
}

fn bdb_info(modality: Modality, position: &str) -> BdbInfo {
    BdbInfo {
        format: Some(RegistryId {
            organization: FORMAT_ORGANIZATION.into(),
            kind: modality.format_type().into(),
        }),
        types: vec![modality.cbeff_type().into()],
        subtypes: position.split_whitespace().map(str::to_string).collect(),
        level: Some("Raw".into()),
        purpose: Some("Enroll".into()),
        ..BdbInfo::default()
    }
}

/// The CBEFF document for a packet's biometrics: records first, then exceptions.
pub fn biometrics_to_cbeff(
    biometrics: &[BiometricRecord],
    exceptions: &[BiometricException],
) -> Result<Cbeff, PacketError> {
    for (index, record) in biometrics.iter().enumerate() {
        check_position(&record.position)
            .map_err(|why| PacketError::Contents(format!("biometric record {index}: {why}")))?;
        if record.quality > 100 {
            return Err(PacketError::Contents(format!(
                "biometric record {index} has quality {}, outside 0..=100",
                record.quality
            )));
        }
        if !record.data.starts_with(record.modality.iso_identifier()) {
            return Err(PacketError::Contents(format!(
                "biometric record {index} ({}) is not an ISO/IEC 19794 {} record",
                record.modality.cbeff_type(),
                String::from_utf8_lossy(&record.modality.iso_identifier()[..3])
            )));
        }
    }
    for (index, exception) in exceptions.iter().enumerate() {
        check_position(&exception.position)
            .map_err(|why| PacketError::Contents(format!("biometric exception {index}: {why}")))?;
        if exception.reason.trim().is_empty() {
            return Err(PacketError::Contents(format!(
                "biometric exception {index} ({} {}) gives no reason",
                exception.modality.cbeff_type(),
                exception.position
            )));
        }
    }
    let mut records = biometrics
        .iter()
        .map(BiometricRecord::to_bir)
        .collect::<Result<Vec<_>, _>>()?;
    records.extend(exceptions.iter().map(BiometricException::to_bir));
    Ok(Cbeff {
        version: None,
        cbeff_version: None,
        integrity: false,
        records,
        others: Vec::new(),
    })
}

/// Read back what [`biometrics_to_cbeff`] wrote. A CBEFF written by someone else (a MOSIP
/// packet's) reads with [`Cbeff::from_xml`], not here: this demands this station's entries.
pub fn biometrics_from_cbeff(cbeff: &Cbeff) -> Result<(Vec<BiometricRecord>, Vec<BiometricException>), PacketError> {
    let mut biometrics = Vec::new();
    let mut exceptions = Vec::new();
    for (index, bir) in cbeff.records.iter().enumerate() {
        let bad = |why: String| PacketError::Cbeff(format!("record {}: {why}", index + 1));
        let info = bir.bdb_info.as_ref().ok_or_else(|| bad("no BDBInfo".into()))?;
        let type_text = bir.type_text();
        let modality = Modality::from_cbeff_type(&type_text)
            .ok_or_else(|| bad(format!("type {type_text:?} is not Finger, Face or Iris")))?;
        let position = bir.subtype_text();
        if bir.exception() == Some(true) {
            let kind = match bir.other(KEY_EXCEPTION_KIND) {
                Some("missing") => ExceptionKind::Missing,
                Some("unusable") => ExceptionKind::Unusable,
                other => return Err(bad(format!("EXCEPTION_KIND is {other:?}, not missing or unusable"))),
            };
            exceptions.push(BiometricException {
                modality,
                position,
                kind,
                reason: bir
                    .other(KEY_EXCEPTION_REASON)
                    .ok_or_else(|| bad("an exception without EXCEPTION_REASON".into()))?
                    .to_string(),
            });
            continue;
        }
        let payload: DevicePayload = serde_json::from_str(
            bir.other(cbeff::KEY_PAYLOAD)
                .ok_or_else(|| bad("no PAYLOAD naming the device".into()))?,
        )
        .map_err(|e| bad(format!("PAYLOAD does not name the device: {e}")))?;
        biometrics.push(BiometricRecord {
            modality,
            position,
            quality: bir.quality_score().ok_or_else(|| bad("no quality score".into()))?,
            retries: bir.retries().ok_or_else(|| bad("no RETRIES".into()))?,
            force_captured: bir.force_captured().ok_or_else(|| bad("no FORCE_CAPTURED".into()))?,
            captured_at: info
                .creation_date
                .clone()
                .ok_or_else(|| bad("no CreationDate".into()))?,
            device: DeviceIdentity {
                make: payload.make,
                model: payload.model,
                serial: payload.serial_no,
                simulated: payload.simulated,
            },
            device_digital_id: payload.digital_id,
            device_signature: bir.sb.clone(),
            data: bir.bdb.clone().ok_or_else(|| bad("a capture without BDB".into()))?,
        });
    }
    // Records were written before exceptions; anything else was not written by this station.
    let written = biometrics_to_cbeff(&biometrics, &exceptions)?;
    if &written != cbeff {
        return Err(PacketError::Cbeff(
            "the biometrics file holds values this station never writes (order, extra entries or elements)".into(),
        ));
    }
    Ok((biometrics, exceptions))
}
