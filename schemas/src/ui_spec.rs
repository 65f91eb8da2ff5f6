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
    /// Update, lost card, correction: see `process.rs`. Absent: new registrations only.
    #[serde(default)]
    pub processes: Vec<crate::FormProcess>,
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
    /// A dropdown's options from master data instead of `options`.
    #[serde(default)]
    pub options_from: Option<crate::form::OptionsFrom>,
    /// The field applies only when this holds: hidden otherwise, and left out of the packet.
    #[serde(default)]
    pub shown_when: Option<crate::form::Condition>,
    /// Required by the form although the ID schema leaves it optional: a guardian's name is
    /// optional for the register, but required whenever it is shown (for a minor).
    #[serde(default)]
    pub required: bool,
    /// A date field that may be given as an age in years (see `FormField::accepts_age`).
    #[serde(default)]
    pub accepts_age: bool,
}

/// The oldest age a `shown_when` may name.
const MAX_CONDITION_YEARS: u32 = 150;

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
        for (index, field) in spec.fields.iter().enumerate() {
            if !seen.insert(field.id.as_str()) {
                return Err(bad(format!("field `{}` appears twice", field.id)));
            }
            if field.label.is_empty() {
                return Err(bad(format!("field `{}` has no label", field.id)));
            }
            check_field(field, &spec.fields[..index], &spec.fields).map_err(bad)?;
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

/// A field's own rules: its control's options, its dependent dropdown's parent (an earlier
/// dropdown over the same list) and its condition (on a field of the form).
fn check_field(field: &UiField, earlier: &[UiField], all: &[UiField]) -> Result<(), String> {
    use crate::form::{Condition, Control};
    let id = &field.id;
    match (field.control, field.options.is_empty(), &field.options_from) {
        (Control::Dropdown, true, None) => return Err(format!("dropdown `{id}` has no options")),
        (Control::Dropdown, false, Some(_)) => {
            return Err(format!(
                "dropdown `{id}` has both `options` and `options_from`; keep one"
            ))
        }
        (Control::Dropdown, _, _) => {}
        (_, false, _) | (_, _, Some(_)) => return Err(format!("`{id}` is not a dropdown; it takes no options")),
        _ => {}
    }
    if let Some(parent) = field.options_from.as_ref().and_then(|source| source.parent.as_ref()) {
        if !earlier
            .iter()
            .any(|other| &other.id == parent && other.options_from.is_some())
        {
            return Err(format!(
                "`{id}` takes its options under `{parent}`, which must be a dropdown over master data earlier in the form"
            ));
        }
    }
    if field.accepts_age && field.control != Control::Date {
        return Err(format!("`{id}` accepts an age, which only a date field may"));
    }
    if let Some(condition) = &field.shown_when {
        let on = condition.field();
        let Some(other) = all.iter().find(|other| other.id == on && other.id != *id) else {
            return Err(format!(
                "`{id}` is shown when `{on}` ..., which is not another field of the form"
            ));
        };
        match condition {
            Condition::AgeBelow { years, .. } => {
                if other.control != Control::Date {
                    return Err(format!(
                        "`{id}` is shown by the age in `{on}`, which is not a date field"
                    ));
                }
                if !(1..=MAX_CONDITION_YEARS).contains(years) {
                    return Err(format!(
                        "`{id}`: an age below {years}; it must be from 1 to {MAX_CONDITION_YEARS}"
                    ));
                }
            }
            Condition::Equals { value, .. } => {
                if value.trim().is_empty() {
                    return Err(format!("`{id}` is shown when `{on}` equals an empty value"));
                }
            }
        }
    }
    Ok(())
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
                "unknown variant `slider`, expected one of `text`, `date`, `dropdown`, `phone`, `checkbox`",
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

    #[test]
    fn dependent_dropdowns_conditions_and_ages_are_checked() {
        let lang = r#"{"code":"eng","name":"English","direction":"ltr","mandatory":true}"#;
        let spec = |fields: &str| {
            format!(r#"{{"kind":"enroll-ui-spec","version":1,"languages":[{lang}],"fields":[{fields}]}}"#)
        };
        let region = r#"{"id":"region","control":"dropdown","label":{"en":"R"},"options_from":{"list":"locations"}}"#;
        let province = r#"{"id":"province","control":"dropdown","label":{"en":"P"},"options_from":{"list":"locations","parent":"region"}}"#;
        let birth = r#"{"id":"dob","control":"date","label":{"en":"D"},"accepts_age":true}"#;
        let guardian = r#"{"id":"guardian","control":"text","label":{"en":"G"},"required":true,"shown_when":{"age_below":{"field":"dob","years":18}}}"#;
        let good = UiSpec::from_json(&spec(&[region, province, birth, guardian].join(","))).unwrap();
        assert!(good.fields[3].required && good.fields[2].accepts_age);

        let cases = [
            (spec(&[province, region].join(",")), "`province` takes its options under `region`, which must be a dropdown over master data earlier"),
            (
                spec(r#"{"id":"a","control":"dropdown","label":{"en":"A"},"options":[{"value":"x","label":{"en":"X"}}],"options_from":{"list":"locations"}}"#),
                "both `options` and `options_from`",
            ),
            (
                spec(r#"{"id":"a","control":"text","label":{"en":"A"},"options_from":{"list":"locations"}}"#),
                "`a` is not a dropdown",
            ),
            (
                spec(r#"{"id":"a","control":"dropdown","label":{"en":"A"},"options_from":{"list":"genders"}}"#),
                "unknown variant `genders`",
            ),
            (spec(r#"{"id":"a","control":"text","label":{"en":"A"},"accepts_age":true}"#), "only a date field"),
            (spec(&[guardian].join(",")), "`guardian` is shown when `dob` ..., which is not another field"),
            (
                spec(&[region, r#"{"id":"g","control":"text","label":{"en":"G"},"shown_when":{"age_below":{"field":"region","years":18}}}"#].join(",")),
                "which is not a date field",
            ),
            (
                spec(&[birth, r#"{"id":"g","control":"text","label":{"en":"G"},"shown_when":{"age_below":{"field":"dob","years":0}}}"#].join(",")),
                "it must be from 1 to 150",
            ),
            (
                spec(&[region, r#"{"id":"g","control":"text","label":{"en":"G"},"shown_when":{"equals":{"field":"region","value":" "}}}"#].join(",")),
                "equals an empty value",
            ),
            (
                spec(&[birth, r#"{"id":"g","control":"text","label":{"en":"G"},"shown_when":{"older_than":{"field":"dob","years":3}}}"#].join(",")),
                "unknown variant `older_than`",
            ),
        ];
        for (text, expected) in cases {
            let error = UiSpec::from_json(&text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text} gave {error:?}, expected {expected:?}");
        }
    }
}
