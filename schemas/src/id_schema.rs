//! The ID schema, in MOSIP's format: a JSON Schema (draft-07) whose `properties.identity`
//! lists the identity fields. We read what the station enforces: which fields exist, which are
//! required, their kind (multilingual `simpleType`, string, number, document, biometrics) and
//! their `validators` of type `regex`. Other JSON Schema keywords are accepted and ignored.

use std::collections::BTreeMap;

use fancy_regex::Regex;
use serde_json::Value;

use crate::SchemaError;

/// What kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// MOSIP `simpleType`: `[{"language": "eng", "value": "..."}, ...]`.
    Multilingual,
    String,
    Number,
    /// MOSIP `documentType`: a reference to a document in the packet.
    Document,
    /// MOSIP `biometricsType`: a reference to a CBEFF file in the packet.
    Biometrics,
}

#[derive(Debug, Clone)]
pub struct SchemaField {
    pub kind: FieldKind,
    pub required: bool,
    /// Every validator must match every value of the field.
    pub patterns: Vec<Regex>,
}

#[derive(Debug, Clone)]
pub struct IdSchema {
    pub fields: BTreeMap<String, SchemaField>,
}

impl IdSchema {
    pub fn from_json(text: &str) -> Result<IdSchema, SchemaError> {
        let bad = |why: String| SchemaError::IdSchema(why);
        let root: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let identity = root
            .pointer("/properties/identity")
            .ok_or_else(|| bad("no `properties.identity` object".into()))?;
        let properties = identity
            .get("properties")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("`properties.identity.properties` is not an object".into()))?;
        let required: Vec<&str> = match identity.get("required") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().ok_or_else(|| bad("`required` holds a non-string".into())))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(bad("`required` is not an array".into())),
        };
        let mut fields = BTreeMap::new();
        for (name, definition) in properties {
            let kind =
                field_kind(definition).ok_or_else(|| bad(format!("field `{name}` has no type or $ref we know")))?;
            let patterns = validators(name, definition)?;
            fields.insert(
                name.clone(),
                SchemaField {
                    kind,
                    required: required.contains(&name.as_str()),
                    patterns,
                },
            );
        }
        if let Some(missing) = required.iter().find(|name| !fields.contains_key(**name)) {
            return Err(bad(format!("`{missing}` is required but not defined")));
        }
        Ok(IdSchema { fields })
    }
}

fn field_kind(definition: &Value) -> Option<FieldKind> {
    if let Some(reference) = definition.get("$ref").and_then(Value::as_str) {
        return match reference.rsplit('/').next()? {
            "simpleType" => Some(FieldKind::Multilingual),
            "documentType" => Some(FieldKind::Document),
            "biometricsType" => Some(FieldKind::Biometrics),
            _ => None,
        };
    }
    match definition.get("type")? {
        Value::String(t) if t == "string" => Some(FieldKind::String),
        Value::String(t) if t == "number" || t == "integer" => Some(FieldKind::Number),
        _ => None,
    }
}

fn validators(name: &str, definition: &Value) -> Result<Vec<Regex>, SchemaError> {
    let Some(list) = definition.get("validators") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| SchemaError::IdSchema(format!("`{name}.validators` is not an array")))?;
    let mut patterns = Vec::new();
    for validator in list {
        if validator.get("type").and_then(Value::as_str) != Some("regex") {
            continue; // MOSIP also knows script validators; the station cannot run those.
        }
        let source = validator
            .get("validator")
            .and_then(Value::as_str)
            .ok_or_else(|| SchemaError::IdSchema(format!("`{name}` has a regex validator without a pattern")))?;
        let regex = Regex::new(source).map_err(|e| {
            SchemaError::IdSchema(format!("`{name}` has a regex that does not compile ({source}): {e}"))
        })?;
        patterns.push(regex);
    }
    Ok(patterns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schema_reads_kinds_required_and_validators() {
        let schema = IdSchema::from_json(crate::DEFAULT_ID_SCHEMA).unwrap();
        let full_name = &schema.fields["fullName"];
        assert_eq!(full_name.kind, FieldKind::Multilingual);
        assert!(full_name.required);
        assert_eq!(full_name.patterns.len(), 1, "the look-ahead length validator must load");
        assert_eq!(schema.fields["phone"].kind, FieldKind::String);
        assert!(!schema.fields["phone"].required);
        assert_eq!(schema.fields["IDSchemaVersion"].kind, FieldKind::Number);
    }

    #[test]
    fn mosip_sample_schema_loads() {
        let Some(path) = fixture("mosip-packet-sample/id-schema-sample.json") else {
            return;
        };
        let schema = IdSchema::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(schema.fields["proofOfAddress"].kind, FieldKind::Document);
        assert_eq!(schema.fields["individualBiometrics"].kind, FieldKind::Biometrics);
        assert!(schema.fields["city"].required);
    }

    #[test]
    fn broken_schemas_say_what_is_wrong() {
        let cases = [
            ("not json", "not JSON"),
            ("{}", "properties.identity"),
            (
                r#"{"properties":{"identity":{"properties":{"a":{"type":"string"}},"required":["b"]}}}"#,
                "`b` is required",
            ),
            (
                r#"{"properties":{"identity":{"properties":{"a":{"type":"object"}}}}}"#,
                "field `a`",
            ),
            (
                r#"{"properties":{"identity":{"properties":{"a":{"type":"string","validators":[{"type":"regex","validator":"("}]}}}}}"#,
                "does not compile",
            ),
        ];
        for (text, expected) in cases {
            let error = IdSchema::from_json(text).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "{text:?} gave {error:?}, expected it to mention {expected:?}"
            );
        }
    }

    /// A shared fixture. A missing fixture fails the test with a clear message rather than
    /// letting it pass unseen (the test harness has no runtime skip).
    fn fixture(relative: &str) -> Option<std::path::PathBuf> {
        let root = std::env::var_os("ENROLL_FIXTURES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
        let path = root.join(relative);
        assert!(
            path.exists(),
            "fixture {} is absent: put ../shared/fixtures beside the repo or set ENROLL_FIXTURES",
            path.display()
        );
        Some(path)
    }
}
