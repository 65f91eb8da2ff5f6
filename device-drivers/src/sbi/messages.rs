//! The JSON messages of MOSIP SBI, in both versions a station meets: 0.9.5 (verbs `MOSIPDISC`,
//! `MOSIPDINFO`; devices named by `deviceId`) and 1.0 (verbs `SBIDISC`, `SBIINFO`; devices named
//! by `serialNo`), plus `RCAPTURE` and `STREAM`, which both share.
//!
//! Why one set of types for both versions: the two differ by a few field names, and real
//! services mix them (the MOSIP mock answers 0.9.5 discovery with 1.0 sub-type names). Every
//! field either version has is here, optional where one version lacks it. Services send numbers
//! as strings ("2", "40") as often as numbers, so numeric fields accept both.
//!
//! Deliberately absent: signing and checking (`jws`, `trust`), the hash chain (`hash_chain`),
//! and the encrypted authentication `CAPTURE` (a station registers; it never authenticates).

use serde::{Deserialize, Deserializer, Serialize};

use crate::capture::{Modality, Position};

/// The discovery and info request body: which kind of device the caller looks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryRequest {
    /// "Biometric Device" (any), "Finger", "Iris" or "Face".
    #[serde(rename = "type")]
    pub device_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
}

/// The `error` object of every SBI answer. 0.9.5 spells its keys in lower case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SbiErrorObject {
    #[serde(default, alias = "errorcode", deserialize_with = "lenient_string")]
    pub error_code: Option<String>,
    #[serde(default, alias = "errorinfo", deserialize_with = "lenient_string")]
    pub error_info: Option<String>,
}

impl SbiErrorObject {
    pub fn new(code: i64, info: impl Into<String>) -> SbiErrorObject {
        SbiErrorObject {
            error_code: Some(code.to_string()),
            error_info: Some(info.into()),
        }
    }

    /// The numeric code; a missing or empty code counts as success (0), as services that
    /// answer `"error": {}` or `null` mean it. `None` when the code is not a number.
    pub fn code(&self) -> Option<i64> {
        match self.error_code.as_deref().map(str::trim) {
            None | Some("") => Some(0),
            Some(text) => text.parse().ok(),
        }
    }
}

/// One device in a discovery answer (`MOSIPDISC` or `SBIDISC`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryEntry {
    /// 0.9.5: the service's own id for the device.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub device_id: Option<String>,
    /// 1.0: the printed serial number, which names the device instead of `deviceId`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub serial_no: Option<String>,
    #[serde(default)]
    pub device_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_string_list")]
    pub device_sub_id: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_id: Option<String>,
    /// Unsigned at discovery: the base64url of the digital id JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digital_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_code: Option<String>,
    #[serde(default, deserialize_with = "lenient_string_list")]
    pub spec_version: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SbiErrorObject>,
}

/// One element of a device info answer (`MOSIPDINFO` or `SBIINFO`): the signed info.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfoEntry {
    /// A compact JWS of [`DeviceInfoPayload`], or only its base64url payload for a device that
    /// is not registered.
    #[serde(default)]
    pub device_info: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SbiErrorObject>,
}

/// What a device info JWS carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfoPayload {
    #[serde(default)]
    pub device_status: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub device_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub serial_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_string_list")]
    pub device_sub_id: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_id: Option<String>,
    /// Signed (a compact JWS of [`DigitalId`]) once the device is registered.
    #[serde(default)]
    pub digital_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, deserialize_with = "lenient_string_list")]
    pub spec_version: Vec<String>,
}

/// The device's identity, as its digital id states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigitalId {
    #[serde(default, deserialize_with = "lenient_string_or_empty")]
    pub serial_no: String,
    #[serde(default)]
    pub make: String,
    #[serde(default)]
    pub model: String,
    /// "Finger" (0.9.5 also "Fingerprint"), "Iris", "Face".
    #[serde(rename = "type", default)]
    pub device_type: String,
    /// "Slap", "Single", "Touchless", "Double", "Full face".
    #[serde(default)]
    pub device_sub_type: String,
    #[serde(default)]
    pub device_provider: String,
    #[serde(default)]
    pub device_provider_id: String,
    #[serde(default)]
    pub date_time: String,
}

/// The registration capture request (`RCAPTURE`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RCaptureRequest {
    #[serde(default)]
    pub env: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub spec_version: String,
    /// Milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_u64")]
    pub timeout: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_time: Option<String>,
    /// 0.9.5 called it `registrationId`.
    #[serde(default, alias = "registrationId")]
    pub transaction_id: String,
    #[serde(default)]
    pub bio: Vec<BioRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_opts: Option<serde_json::Value>,
}

/// One modality of a capture request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BioRequest {
    /// "Finger", "Iris", "Face" (0.9.5 also "FIR", "IIR").
    #[serde(rename = "type", default)]
    pub bio_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_u64")]
    pub count: Option<u64>,
    #[serde(
        default,
        deserialize_with = "lenient_string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub bio_sub_type: Vec<String>,
    #[serde(default, deserialize_with = "lenient_string_list")]
    pub exception: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_f64")]
    pub requested_score: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub device_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub serial_no: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub device_sub_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_hash: Option<String>,
}

/// The registration capture answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RCaptureResponse {
    #[serde(default)]
    pub biometrics: Vec<BiometricEntry>,
}

/// One captured position: its signed data, the hash chain link and an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BiometricEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    /// A compact JWS of [`CaptureData`]; empty when the entry only reports an error.
    #[serde(default)]
    pub data: String,
    /// Hex SHA-256 chaining this entry to the previous one (see `hash_chain`).
    #[serde(default)]
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SbiErrorObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<serde_json::Value>,
}

/// What the data JWS of a [`BiometricEntry`] carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureData {
    /// The device's signed digital id.
    #[serde(default)]
    pub digital_id: String,
    #[serde(default)]
    pub bio_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_service_version: Option<String>,
    #[serde(default)]
    pub bio_sub_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// The ISO/IEC 19794 record, base64url.
    #[serde(default)]
    pub bio_value: String,
    /// 0.9.5 called it `registrationId`.
    #[serde(default, alias = "registrationId")]
    pub transaction_id: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_f64")]
    pub requested_score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_f64")]
    pub quality_score: Option<f64>,
}

/// The `STREAM` request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamRequest {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub device_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub serial_no: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub device_sub_id: Option<String>,
    /// Milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_u64")]
    pub timeout: Option<u64>,
}

/// A `STREAM` that cannot start answers this instead of frames.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamErrorAnswer {
    pub error: SbiErrorObject,
}

/// The position a `bioSubType` names: the 1.0 names ("Left IndexFinger", iris "Left") and the
/// 0.9.5 codes ("LF_INDEX", "L_IRIS").
pub fn position_from_bio_sub_type(modality: Modality, name: &str) -> Option<Position> {
    if let Some(position) = Position::from_mosip_name(modality, name) {
        return Some(position);
    }
    let legacy = match name.trim().to_ascii_uppercase().as_str() {
        "LF_INDEX" => Position::LeftIndex,
        "LF_MIDDLE" => Position::LeftMiddle,
        "LF_RING" => Position::LeftRing,
        "LF_LITTLE" => Position::LeftLittle,
        "LF_THUMB" => Position::LeftThumb,
        "RF_INDEX" => Position::RightIndex,
        "RF_MIDDLE" => Position::RightMiddle,
        "RF_RING" => Position::RightRing,
        "RF_LITTLE" => Position::RightLittle,
        "RF_THUMB" => Position::RightThumb,
        "L_IRIS" => Position::LeftIris,
        "R_IRIS" => Position::RightIris,
        _ => return None,
    };
    (legacy.modality() == modality).then_some(legacy)
}

/// The modality a `type`/`bioType` names, in either version's spelling.
pub fn modality_from_bio_type(name: &str) -> Option<Modality> {
    match name.trim().to_ascii_lowercase().as_str() {
        "finger" | "fingerprint" | "fir" => Some(Modality::Finger),
        "iris" | "iir" => Some(Modality::Iris),
        "face" => Some(Modality::Face),
        _ => None,
    }
}

/// The name SBI 1.0 gives a modality in `type` and `bioType`.
pub fn bio_type_name(modality: Modality) -> &'static str {
    match modality {
        Modality::Finger => "Finger",
        Modality::Iris => "Iris",
        Modality::Face => "Face",
    }
}

/// A string that may arrive as a JSON string or number (or null).
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(text)) => Some(text),
        Some(serde_json::Value::Number(number)) => Some(number.to_string()),
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "expected a string or a number, got {other}"
            )))
        }
    })
}

fn lenient_string_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(lenient_string(deserializer)?.unwrap_or_default())
}

/// A list of strings that may arrive as strings or numbers, or as one bare value.
fn lenient_string_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let one = |value: serde_json::Value| match value {
        serde_json::Value::String(text) => Ok(text),
        serde_json::Value::Number(number) => Ok(number.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    };
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(values)) => values.into_iter().map(one).collect(),
        Some(value) => Ok(vec![one(value)?]),
    }
}

/// A number that may arrive as a JSON number or a numeric string; an empty string is absent.
fn lenient_f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    match lenient_string(deserializer)? {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a number, got {text:?}"))),
    }
}

fn lenient_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    match lenient_f64(deserializer)? {
        None => Ok(None),
        Some(value) if value >= 0.0 && value.fract() == 0.0 && value <= u64::MAX as f64 => Ok(Some(value as u64)),
        Some(value) => Err(serde::de::Error::custom(format!(
            "expected a whole number, got {value}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_arrive_as_strings_or_numbers() {
        let bio: BioRequest = serde_json::from_str(
            r#"{"type":"Finger","count":"4","requestedScore":"40","deviceSubId":1,"exception":"Left RingFinger"}"#,
        )
        .unwrap();
        assert_eq!(bio.count, Some(4));
        assert_eq!(bio.requested_score, Some(40.0));
        assert_eq!(bio.device_sub_id.as_deref(), Some("1"));
        assert_eq!(bio.exception, vec!["Left RingFinger".to_string()]);

        let data: CaptureData = serde_json::from_str(r#"{"qualityScore":80.5,"requestedScore":""}"#).unwrap();
        assert_eq!(data.quality_score, Some(80.5));
        assert_eq!(data.requested_score, None);
        assert!(serde_json::from_str::<CaptureData>(r#"{"qualityScore":"high"}"#).is_err());
        assert!(serde_json::from_str::<BioRequest>(r#"{"count":"-1"}"#).is_err());
    }

    #[test]
    fn error_objects_in_both_spellings() {
        let old: SbiErrorObject = serde_json::from_str(r#"{"errorcode":"101","errorinfo":"x"}"#).unwrap();
        assert_eq!(old.code(), Some(101));
        let new: SbiErrorObject = serde_json::from_str(r#"{"errorCode":0,"errorInfo":"Success"}"#).unwrap();
        assert_eq!(new.code(), Some(0));
        assert_eq!(SbiErrorObject::default().code(), Some(0));
        let bad = SbiErrorObject {
            error_code: Some("E1".into()),
            error_info: None,
        };
        assert_eq!(bad.code(), None);
    }

    #[test]
    fn sub_types_in_both_versions() {
        assert_eq!(
            position_from_bio_sub_type(Modality::Finger, "LF_INDEX"),
            Some(Position::LeftIndex)
        );
        assert_eq!(
            position_from_bio_sub_type(Modality::Finger, "Left IndexFinger"),
            Some(Position::LeftIndex)
        );
        assert_eq!(
            position_from_bio_sub_type(Modality::Iris, "L_IRIS"),
            Some(Position::LeftIris)
        );
        assert_eq!(position_from_bio_sub_type(Modality::Finger, "L_IRIS"), None);
        assert_eq!(modality_from_bio_type("FIR"), Some(Modality::Finger));
        assert_eq!(modality_from_bio_type("Fingerprint"), Some(Modality::Finger));
    }
}
