//! The UI spec: which identity fields the form shows, in what order, with what control and
//! labels, and in which languages multilingual values are entered. Our own small format
//! (`"kind": "enroll-ui-spec"`), documented in `schemas/README.md`; MOSIP's UI specs carry far
//! more (screens, conditions) and are read by a later converter, not here.

use serde::Deserialize;

use crate::{FormLanguage, SchemaError};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSpec {
    pub kind: String,
    pub version: u32,
    pub languages: Vec<FormLanguage>,
    pub fields: Vec<UiField>,
    /// What the resident is asked to agree to before anything is taken down; absent: the
    /// country asks for no consent at the station.
    #[serde(default)]
    pub consent: Option<crate::FormConsent>,
    /// The documents the resident brings, by category, and the limits on their files; absent:
    /// the country asks for no documents at the station.
    #[serde(default)]
    pub documents: Option<crate::FormDocuments>,
}

/// A field as the UI spec states it; `required` and `multilingual` come from the ID schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiField {
    pub id: String,
    pub control: crate::form::Control,
    pub label: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub options: Vec<crate::FormOption>,
    #[serde(default)]
    pub hint: std::collections::BTreeMap<String, String>,
    pub max_length: Option<u32>,
}

impl UiSpec {
    pub fn from_json(text: &str) -> Result<UiSpec, SchemaError> {
        let bad = |why: String| SchemaError::UiSpec(why);
        let spec: UiSpec = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if spec.kind != "enroll-ui-spec" {
            return Err(bad(format!("`kind` is {:?}, expected \"enroll-ui-spec\"", spec.kind)));
        }
        if spec.version != 1 {
            return Err(bad(format!(
                "version {} is not supported; this software reads version 1",
                spec.version
            )));
        }
        if spec.languages.is_empty() {
            return Err(bad("no languages".into()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for field in &spec.fields {
            if !seen.insert(field.id.as_str()) {
                return Err(bad(format!("field `{}` appears twice", field.id)));
            }
            if field.control == crate::form::Control::Dropdown && field.options.is_empty() {
                return Err(bad(format!("dropdown `{}` has no options", field.id)));
            }
            if field.label.is_empty() {
                return Err(bad(format!("field `{}` has no label", field.id)));
            }
        }
        if let Some(consent) = &spec.consent {
            consent.check().map_err(bad)?;
        }
        if let Some(documents) = &spec.documents {
            documents.check().map_err(bad)?;
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_spec_loads() {
        let spec = UiSpec::from_json(crate::DEFAULT_UI_SPEC).unwrap();
        assert_eq!(spec.languages.iter().filter(|l| l.mandatory).count(), 2);
        assert_eq!(spec.fields[0].id, "fullName");
        let consent = spec.consent.expect("the default form asks for consent");
        assert_eq!(consent.text.keys().collect::<Vec<_>>(), ["ar", "en", "fr"]);
        let documents = spec.documents.expect("the default form asks for documents");
        let categories: Vec<_> = documents
            .categories
            .iter()
            .map(|c| (c.category.as_str(), c.required))
            .collect();
        assert_eq!(categories, [("POI", true), ("POA", false), ("POR", false)]);
        assert!(documents
            .categories
            .iter()
            .all(|c| c.label.keys().collect::<Vec<_>>() == ["ar", "en", "fr"]));
        assert_eq!(documents.max_file_bytes, 5 * 1024 * 1024);
    }

    /// A spec with the given `documents` section (JSON text).
    fn with_documents(documents: &str) -> String {
        let lang = r#"{"code":"eng","name":"English","direction":"ltr","mandatory":true}"#;
        format!(r#"{{"kind":"enroll-ui-spec","version":1,"languages":[{lang}],"fields":[],"documents":{documents}}}"#)
    }

    #[test]
    fn a_documents_section_is_read_strictly_and_within_bounds() {
        let good = r#"{"max_file_bytes":1024,"max_pages":50,"formats":["png","pdf"],
            "categories":[{"category":"POI","label":{"en":"Proof of identity"},"required":true},
                          {"category":"POA-2","label":{"fr":"Domicile"},"required":false}]}"#;
        let spec = UiSpec::from_json(&with_documents(good)).unwrap();
        let documents = spec.documents.unwrap();
        assert_eq!(
            documents.formats,
            [crate::DocumentFileFormat::Png, crate::DocumentFileFormat::Pdf]
        );
        assert!(documents.category("POA-2").is_some_and(|c| !c.required));
        assert!(documents.category("POR").is_none());

        let category = r#"{"category":"POI","label":{"en":"Proof"},"required":true}"#;
        let section = |bytes: &str, pages: &str, formats: &str, categories: &str| {
            format!(r#"{{"max_file_bytes":{bytes},"max_pages":{pages},"formats":{formats},"categories":{categories}}}"#)
        };
        let cases = [
            (
                section("1023", "10", r#"["pdf"]"#, &format!("[{category}]")),
                "`max_file_bytes` is 1023",
            ),
            (
                section("20971521", "10", r#"["pdf"]"#, &format!("[{category}]")),
                "from 1024 to 20971520",
            ),
            (
                section("5242880", "0", r#"["pdf"]"#, &format!("[{category}]")),
                "`max_pages` is 0",
            ),
            (
                section("5242880", "51", r#"["pdf"]"#, &format!("[{category}]")),
                "from 1 to 50",
            ),
            (
                section("5242880", "10", "[]", &format!("[{category}]")),
                "`formats` is empty",
            ),
            (
                section("5242880", "10", r#"["pdf","pdf"]"#, &format!("[{category}]")),
                "a format twice",
            ),
            (
                section("5242880", "10", r#"["tiff"]"#, &format!("[{category}]")),
                "unknown variant `tiff`",
            ),
            (section("5242880", "10", r#"["pdf"]"#, "[]"), "0 categories"),
            (
                section(
                    "5242880",
                    "10",
                    r#"["pdf"]"#,
                    &format!("[{}]", vec![category; 33].join(",")),
                ),
                "33 categories",
            ),
            (
                section("5242880", "10", r#"["pdf"]"#, &format!("[{category},{category}]")),
                "appears twice",
            ),
            (
                section(
                    "5242880",
                    "10",
                    r#"["pdf"]"#,
                    r#"[{"category":"P/OI","label":{"en":"x"},"required":true}]"#,
                ),
                "the category \"P/OI\" must be",
            ),
            (
                section(
                    "5242880",
                    "10",
                    r#"["pdf"]"#,
                    &format!(
                        r#"[{{"category":"{}","label":{{"en":"x"}},"required":true}}]"#,
                        "A".repeat(33)
                    ),
                ),
                "must be 1 to 32",
            ),
            (
                section(
                    "5242880",
                    "10",
                    r#"["pdf"]"#,
                    r#"[{"category":"POI","label":{"en":" "},"required":true}]"#,
                ),
                "needs a label",
            ),
            (
                section(
                    "5242880",
                    "10",
                    r#"["pdf"]"#,
                    r#"[{"category":"POI","label":{"en":"x"}}]"#,
                ),
                "missing field `required`",
            ),
            (
                section(
                    "5242880",
                    "10",
                    r#"["pdf"]"#,
                    r#"[{"category":"POI","label":{"en":"x"},"required":true,"types":[]}]"#,
                ),
                "unknown field `types`",
            ),
            (
                r#"{"max_file_bytes":5242880,"max_pages":10,"formats":["pdf"],"categories":[],"total":1}"#.to_string(),
                "unknown field `total`",
            ),
        ];
        for (section, expected) in cases {
            let error = UiSpec::from_json(&with_documents(&section)).unwrap_err();
            assert_eq!(error.code(), "ui_spec_invalid");
            let error = error.to_string();
            assert!(
                error.contains(expected),
                "{section} gave {error:?}, expected {expected:?}"
            );
        }
    }

    #[test]
    fn broken_specs_say_what_is_wrong() {
        let field = r#"{"id":"a","control":"text","label":{"en":"A"}}"#;
        let lang = r#"{"code":"eng","name":"English","direction":"ltr","mandatory":true}"#;
        let cases = [
            (
                format!(r#"{{"kind":"other","version":1,"languages":[{lang}],"fields":[]}}"#),
                "expected \"enroll-ui-spec\"",
            ),
            (
                format!(r#"{{"kind":"enroll-ui-spec","version":2,"languages":[{lang}],"fields":[]}}"#),
                "version 2",
            ),
            (
                r#"{"kind":"enroll-ui-spec","version":1,"languages":[],"fields":[]}"#.to_string(),
                "no languages",
            ),
            (
                format!(r#"{{"kind":"enroll-ui-spec","version":1,"languages":[{lang}],"fields":[{field},{field}]}}"#),
                "appears twice",
            ),
            (
                format!(
                    r#"{{"kind":"enroll-ui-spec","version":1,"languages":[{lang}],"fields":[{{"id":"a","control":"slider","label":{{"en":"A"}}}}]}}"#
                ),
                "unknown variant `slider`, expected one of `text`, `date`, `dropdown`, `phone`",
            ),
            (
                format!(r#"{{"kind":"enroll-ui-spec","version":1,"languages":[{lang}],"fields":[],"extra":1}}"#),
                "unknown field",
            ),
            (
                format!(
                    r#"{{"kind":"enroll-ui-spec","version":1,"languages":[{lang}],"fields":[],"consent":{{"text":{{}}}}}}"#
                ),
                "the consent has no text",
            ),
            (
                format!(
                    r#"{{"kind":"enroll-ui-spec","version":1,"languages":[{lang}],"fields":[],"consent":{{"text":{{"en":"  "}}}}}}"#
                ),
                "the consent text in `en` must have 1 to 4000 characters",
            ),
        ];
        for (text, expected) in cases {
            let error = UiSpec::from_json(&text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text} gave {error:?}, expected {expected:?}");
        }
    }
}
