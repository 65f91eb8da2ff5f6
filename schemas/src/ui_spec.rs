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
