//! The ID schema, in MOSIP's format: a JSON Schema (draft-07) whose `properties.identity`
//! lists the identity fields. We read what the station enforces: which fields exist, which are
//! required, their kind (multilingual `simpleType`, string, number, document, biometrics) and
//! their `validators` of type `regex`. Other JSON Schema keywords are accepted and ignored.
//!
//! [`IdSchema::validate_document`] checks a MOSIP ID document (`{"identity": {...}}`, the
//! `ID.json` of a packet) against the schema: required fields, `additionalProperties`, each
//! field's kind (MOSIP's `simpleType`, `documentType` and `biometricsType` definitions, numbers,
//! strings) and the regex validators. It is not a general JSON Schema validator: it knows the
//! shapes MOSIP's ID schemas use, and nothing else.

use std::collections::BTreeMap;

use fancy_regex::Regex;
use serde_json::Value;

use crate::{FieldError, SchemaError};

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
    /// `properties.identity.additionalProperties`: whether fields the schema does not define
    /// are allowed (MOSIP's schemas say false).
    pub additional_properties: bool,
    /// The schema's version as MOSIP's master data gives it beside the schema (`idVersion`),
    /// here a top-level key of the schema file. Every identity document made with this schema
    /// records it as `IDSchemaVersion`. `None` for a schema file that does not say it.
    pub version: Option<f64>,
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
        let additional_properties = identity
            .get("additionalProperties")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let version = match root.get("idVersion") {
            None => None,
            Some(value) => match value.as_f64() {
                Some(version) if version >= 0.0 => Some(version),
                _ => return Err(bad(format!("`idVersion` is {value}, not a non-negative number"))),
            },
        };
        Ok(IdSchema {
            fields,
            additional_properties,
            version,
        })
    }

    /// Check a MOSIP ID document, `{"identity": {...}}`. Beside `identity`, MOSIP writes fields
    /// that have no value at the top level as `null` or `"null"` (the sample's
    /// `"introducerBiometrics": "null"`); those are accepted when they name a schema field, and
    /// any other top-level key is `unknown_field`. Every problem is reported, not only the first.
    pub fn validate_document(&self, document: &Value) -> Result<(), Vec<FieldError>> {
        let Some(root) = document.as_object() else {
            return Err(vec![FieldError::new(
                "identity",
                None,
                "wrong_type",
                "an ID document is a JSON object with an \"identity\" object inside",
            )]);
        };
        let mut problems = Vec::new();
        for (key, value) in root {
            let absent = value.is_null() || value.as_str() == Some("null");
            if key != "identity" && !(absent && self.fields.contains_key(key)) {
                problems.push(FieldError::new(
                    key,
                    None,
                    "unknown_field",
                    format!("`{key}` is not expected beside `identity` in an ID document"),
                ));
            }
        }
        match root.get("identity") {
            None => problems.push(FieldError::new(
                "identity",
                None,
                "required",
                "the ID document has no \"identity\" object",
            )),
            Some(identity) => {
                if let Err(found) = self.validate_identity(identity) {
                    problems.extend(found);
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Check the identity object itself (the value of `identity`).
    pub fn validate_identity(&self, identity: &Value) -> Result<(), Vec<FieldError>> {
        let Some(identity) = identity.as_object() else {
            return Err(vec![FieldError::new(
                "identity",
                None,
                "wrong_type",
                "`identity` must be a JSON object of fields",
            )]);
        };
        let mut problems = Vec::new();
        for (name, field) in &self.fields {
            if field.required && identity.get(name).is_none_or(Value::is_null) {
                problems.push(FieldError::new(name, None, "required", format!("`{name}` is required")));
            }
        }
        for (name, value) in identity {
            let Some(field) = self.fields.get(name) else {
                if !self.additional_properties {
                    problems.push(FieldError::new(
                        name,
                        None,
                        "unknown_field",
                        format!("`{name}` is not a field of this ID schema"),
                    ));
                }
                continue;
            };
            if value.is_null() {
                continue; // absent; `required` was checked above
            }
            check_field(name, field, value, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn wrong_type(name: &str, language: Option<&str>, expected: &str) -> FieldError {
    FieldError::new(name, language, "wrong_type", format!("`{name}` must be {expected}"))
}

fn check_patterns(name: &str, language: Option<&str>, field: &SchemaField, text: &str, problems: &mut Vec<FieldError>) {
    for pattern in &field.patterns {
        // A regex that fails to run (backtracking limit) counts as not matching.
        if !pattern.is_match(text).unwrap_or(false) {
            problems.push(FieldError::new(
                name,
                language,
                "invalid_format",
                format!("`{name}` does not match the pattern {}", pattern.as_str()),
            ));
        }
    }
}

/// Only the listed keys, each of the kind given ("string", "string_or_null", "number").
fn check_object(name: &str, value: &Value, keys: &[(&str, &str)], what: &str, problems: &mut Vec<FieldError>) {
    let Some(object) = value.as_object() else {
        problems.push(wrong_type(name, None, what));
        return;
    };
    for (key, item) in object {
        let Some((_, kind)) = keys.iter().find(|(k, _)| k == key) else {
            problems.push(FieldError::new(
                name,
                None,
                "unknown_field",
                format!("`{name}.{key}` is not part of {what}"),
            ));
            continue;
        };
        let fits = match *kind {
            "string" => item.is_string(),
            "string_or_null" => item.is_string() || item.is_null(),
            "number" => item.as_f64().is_some_and(|n| n >= 0.0),
            _ => false,
        };
        if !fits {
            problems.push(wrong_type(name, None, &format!("{what} whose `{key}` is a {kind}")));
        }
    }
}

fn check_field(name: &str, field: &SchemaField, value: &Value, problems: &mut Vec<FieldError>) {
    match field.kind {
        FieldKind::String => match value.as_str() {
            Some(text) => check_patterns(name, None, field, text, problems),
            None => problems.push(wrong_type(name, None, "a string")),
        },
        FieldKind::Number => {
            if !value.is_number() {
                problems.push(wrong_type(name, None, "a number"));
            }
        }
        FieldKind::Multilingual => {
            let Some(items) = value.as_array() else {
                problems.push(wrong_type(name, None, "a list of {\"language\", \"value\"} objects"));
                return;
            };
            let mut seen = std::collections::BTreeSet::new();
            for item in items {
                let entry = item.as_object();
                let language = entry.and_then(|e| e.get("language")).and_then(Value::as_str);
                let text = entry.and_then(|e| e.get("value")).and_then(Value::as_str);
                let extra = entry.is_some_and(|e| e.keys().any(|k| k != "language" && k != "value"));
                let (Some(language), Some(text), false) = (language, text, extra) else {
                    problems.push(wrong_type(
                        name,
                        language,
                        "a list of objects with exactly a string \"language\" and a string \"value\"",
                    ));
                    continue;
                };
                if !seen.insert(language) {
                    problems.push(FieldError::new(
                        name,
                        Some(language),
                        "duplicate_language",
                        format!("`{name}` has more than one value in {language}"),
                    ));
                }
                check_patterns(name, Some(language), field, text, problems);
            }
        }
        FieldKind::Document => check_object(
            name,
            value,
            &[
                ("format", "string"),
                ("type", "string"),
                ("value", "string"),
                ("refNumber", "string_or_null"),
            ],
            "a document reference {format, type, value, refNumber}",
            problems,
        ),
        FieldKind::Biometrics => check_object(
            name,
            value,
            &[("format", "string"), ("version", "number"), ("value", "string")],
            "a biometrics reference {format, version, value}",
            problems,
        ),
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
        // MOSIP checks with Java's `String::matches`: the whole value must match, anchored or
        // not. A search would let `[0-9]{5}` accept "x12345y".
        let regex = Regex::new(&format!("^(?:{source})$")).map_err(|e| {
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
    fn a_validator_must_match_the_whole_value_as_mosip_checks_it() {
        let schema = IdSchema::from_json(
            r#"{"properties":{"identity":{"properties":{
                "postalCode":{"type":"string","validators":[{"type":"regex","validator":"[0-9]{5}"}]},
                "code":{"type":"string","validators":[{"type":"regex","validator":"^[A-Z]{2}$|^NA$"}]}
            }}}}"#,
        )
        .unwrap();
        let matches = |field: &str, value: &str| schema.fields[field].patterns[0].is_match(value).unwrap();
        assert!(matches("postalCode", "10090"));
        assert!(
            !matches("postalCode", "x10090y"),
            "a search would accept it; MOSIP does not"
        );
        assert!(matches("code", "MA") && matches("code", "NA"));
        assert!(!matches("code", "MAR"));
    }

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

    fn sample_schema_and_document() -> (IdSchema, Value) {
        let schema = fixture("mosip-packet-sample/id-schema-sample.json").unwrap();
        let schema = IdSchema::from_json(&std::fs::read_to_string(schema).unwrap()).unwrap();
        let document = fixture("mosip-packet-sample/components/id/ID.json").unwrap();
        let document: Value = serde_json::from_str(&std::fs::read_to_string(document).unwrap()).unwrap();
        (schema, document)
    }

    /// The problems as (field, language, code), sorted: the order of fields in a document is
    /// not part of the contract.
    fn codes(result: Result<(), Vec<FieldError>>) -> Vec<(String, Option<String>, String)> {
        let mut found: Vec<_> = result
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.language, e.code))
            .collect();
        found.sort();
        found
    }

    fn sorted<const N: usize>(
        mut expected: [(String, Option<String>, String); N],
    ) -> Vec<(String, Option<String>, String)> {
        expected.sort();
        expected.to_vec()
    }

    fn owned(field: &str, language: Option<&str>, code: &str) -> (String, Option<String>, String) {
        (field.to_string(), language.map(str::to_string), code.to_string())
    }

    /// The sample ID.json is MOSIP's own, and it breaks one rule of MOSIP's own sample schema:
    /// its generated full names are 92 to 96 characters, and `fullName`'s validator
    /// `^(?=.{3,50}$).*` allows at most 50. Everything else (required fields, kinds, the other
    /// validators, the top-level `"introducerBiometrics": "null"`) passes; with a real name, the
    /// whole document validates.
    #[test]
    fn mosip_sample_document_validates_against_the_sample_schema() {
        let (schema, mut document) = sample_schema_and_document();
        assert!(!schema.additional_properties);
        assert_eq!(
            codes(schema.validate_document(&document)),
            sorted([
                owned("fullName", Some("eng"), "invalid_format"),
                owned("fullName", Some("ara"), "invalid_format"),
                owned("fullName", Some("fra"), "invalid_format"),
            ])
        );
        document["identity"]["fullName"] = serde_json::json!([
            {"language": "eng", "value": "Pavlo Tvlcs"},
            {"language": "ara", "value": "پَڤلُ تڤلكس"},
            {"language": "fra", "value": "Pavlo Tvlcs"}
        ]);
        assert_eq!(schema.validate_document(&document), Ok(()));
    }

    #[test]
    fn mutated_sample_documents_are_refused_with_the_right_codes() {
        let (schema, mut valid) = sample_schema_and_document();
        valid["identity"]["fullName"] = serde_json::json!([{"language": "eng", "value": "Pavlo Tvlcs"}]);
        assert_eq!(schema.validate_document(&valid), Ok(()));

        let mut missing = valid.clone();
        missing["identity"].as_object_mut().unwrap().remove("dateOfBirth");
        assert_eq!(
            codes(schema.validate_document(&missing)),
            sorted([owned("dateOfBirth", None, "required")])
        );

        let mut kinds = valid.clone();
        kinds["identity"]["IDSchemaVersion"] = "0.1".into();
        kinds["identity"]["gender"] = "MLE".into();
        kinds["identity"]["phone"] = 535081.into();
        kinds["identity"]["proofOfAddress"]["refNumber"] = 12.into();
        kinds["identity"]["individualBiometrics"]["version"] = "1".into();
        assert_eq!(
            codes(schema.validate_document(&kinds)),
            sorted([
                owned("IDSchemaVersion", None, "wrong_type"),
                owned("gender", None, "wrong_type"),
                owned("individualBiometrics", None, "wrong_type"),
                owned("phone", None, "wrong_type"),
                owned("proofOfAddress", None, "wrong_type"),
            ])
        );

        let mut regex = valid.clone();
        regex["identity"]["postalCode"] = "1011".into();
        regex["identity"]["dateOfBirth"] = "1958-01-29".into();
        regex["identity"]["city"][1]["value"] = "x".repeat(51).into();
        assert_eq!(
            codes(schema.validate_document(&regex)),
            sorted([
                owned("city", Some("ara"), "invalid_format"),
                owned("dateOfBirth", None, "invalid_format"),
                owned("postalCode", None, "invalid_format"),
            ])
        );

        let mut unknown = valid.clone();
        unknown["identity"]["favouriteColour"] = "blue".into();
        unknown["identity"]["proofOfIdentity"]["issuer"] = "someone".into();
        unknown["identity"]["gender"][0]["script"] = "latn".into();
        unknown["somethingElse"] = "x".into();
        assert_eq!(
            codes(schema.validate_document(&unknown)),
            sorted([
                owned("somethingElse", None, "unknown_field"),
                owned("favouriteColour", None, "unknown_field"),
                owned("gender", Some("eng"), "wrong_type"),
                owned("proofOfIdentity", None, "unknown_field"),
            ])
        );

        let mut twice = valid.clone();
        twice["identity"]["zone"][2]["language"] = "eng".into();
        assert_eq!(
            codes(schema.validate_document(&twice)),
            sorted([owned("zone", Some("eng"), "duplicate_language")])
        );

        assert_eq!(
            codes(schema.validate_document(&serde_json::json!({"IDSchemaVersion": 0.1}))),
            sorted([
                owned("IDSchemaVersion", None, "unknown_field"),
                owned("identity", None, "required"),
            ])
        );
        assert_eq!(
            codes(schema.validate_document(&serde_json::json!([]))),
            sorted([owned("identity", None, "wrong_type")])
        );
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
