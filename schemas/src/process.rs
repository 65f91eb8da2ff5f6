//! The registration processes besides a new registration, as the UI spec configures them: an
//! update of a registered resident, a lost card, a correction. Each reuses the same form; the
//! clerk enters the resident's ID number and chooses what changes, and only those fields, their
//! documents and the biometrics the process needs are taken.
//!
//! A process with no `groups` takes the whole form (a lost card: the resident is found again by
//! what they give, chiefly their biometrics). With `groups`, the clerk ticks the groups that
//! change (a new address, a new phone); the fields of the others are not shown, not checked and
//! not in the packet. Biometrics are taken whole when a group says so (`biometrics: true`);
//! otherwise only the process's `authentication` steps, which prove that the resident in front of
//! the clerk is the one registered.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::PolicyStep;

/// Which process a registration follows. `New` needs no configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ProcessKind {
    New,
    Update,
    Lost,
    Correction,
}

impl ProcessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessKind::New => "new",
            ProcessKind::Update => "update",
            ProcessKind::Lost => "lost",
            ProcessKind::Correction => "correction",
        }
    }
}

/// A process as the UI spec configures it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct FormProcess {
    /// `update`, `lost` or `correction` (`new` is the form itself).
    pub process: ProcessKind,
    /// What the clerk calls it, per UI language code ("en", "fr", "ar").
    pub label: BTreeMap<String, String>,
    /// The clerk enters the resident's ID number (UIN) first.
    pub asks_for_id: bool,
    /// The clerk enters the register's request this registration answers: a correction is
    /// made because the register asked for one (MOSIP's additional-information request, whose
    /// id the resident received, e.g. `10001100010000120261125094920-BIOMETRIC_CORRECTION-1`).
    /// The packet carries it so that the register joins the answer to its question.
    #[serde(default)]
    pub asks_for_request: bool,
    /// The groups of fields that may change, of which the clerk ticks at least one; absent: the
    /// whole form.
    #[serde(default)]
    pub groups: Option<Vec<ChangeGroup>>,
    /// Whether the form's required fields are required (false for a lost card: the resident
    /// gives what they remember).
    #[serde(default = "yes")]
    pub fields_required: bool,
    /// The biometric steps taken when no chosen group takes them all: the resident proves who
    /// they are (the face by default).
    #[serde(default = "face_only")]
    pub authentication: Vec<PolicyStep>,
}

fn yes() -> bool {
    true
}

fn face_only() -> Vec<PolicyStep> {
    vec![PolicyStep::Face]
}

/// What may change together, e.g. the address (its lines, its place, its postal code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ChangeGroup {
    /// Stable id, 1 to 32 of `a-z 0-9 _ -`: what the packet records as changed.
    pub id: String,
    pub label: BTreeMap<String, String>,
    /// The form's fields of the group.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Document categories the change needs (a proof of address for a new address): required
    /// when the group is chosen.
    #[serde(default)]
    pub documents: Vec<String>,
    /// The group takes every biometric step of the capture policy (a new capture).
    #[serde(default)]
    pub biometrics: bool,
}

/// What one registration takes of the form: its process, and for a process with groups, the
/// fields and documents of the groups chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormScope {
    pub process: ProcessKind,
    /// `None`: every field of the form.
    pub fields: Option<BTreeSet<String>>,
    /// `None`: the form's document categories as configured; else only these, each required.
    pub documents: Option<BTreeSet<String>>,
    /// `None`: every step of the capture policy; else only these.
    pub biometric_steps: Option<Vec<PolicyStep>>,
    pub fields_required: bool,
}

impl FormScope {
    /// A new registration: the whole form.
    pub fn whole_form() -> FormScope {
        FormScope {
            process: ProcessKind::New,
            fields: None,
            documents: None,
            biometric_steps: None,
            fields_required: true,
        }
    }

    /// Whether `field` is part of this registration.
    pub fn takes(&self, field: &str) -> bool {
        self.fields.as_ref().is_none_or(|fields| fields.contains(field))
    }
}

impl FormProcess {
    /// The scope of a registration of this process with `changes` chosen: every change must be
    /// a group of the process, and a process with groups needs at least one.
    pub fn scope(&self, changes: &[String]) -> Result<FormScope, String> {
        let Some(groups) = &self.groups else {
            if !changes.is_empty() {
                return Err(format!(
                    "a {} takes the whole form; it has no groups to choose",
                    self.process.as_str()
                ));
            }
            return Ok(FormScope {
                process: self.process,
                fields: None,
                documents: None,
                biometric_steps: None,
                fields_required: self.fields_required,
            });
        };
        if changes.is_empty() {
            return Err("choose at least one thing that changes".into());
        }
        let mut fields = BTreeSet::new();
        let mut documents = BTreeSet::new();
        let mut all_biometrics = false;
        for change in changes {
            let group = groups
                .iter()
                .find(|group| &group.id == change)
                .ok_or_else(|| format!("`{change}` is not something a {} changes", self.process.as_str()))?;
            fields.extend(group.fields.iter().cloned());
            documents.extend(group.documents.iter().cloned());
            all_biometrics |= group.biometrics;
        }
        Ok(FormScope {
            process: self.process,
            fields: Some(fields),
            documents: Some(documents),
            biometric_steps: (!all_biometrics).then(|| self.authentication.clone()),
            fields_required: self.fields_required,
        })
    }

    /// Checked against the form when the UI spec is joined with the ID schema.
    pub(crate) fn check(&self, field_ids: &BTreeSet<&str>, categories: &BTreeSet<&str>) -> Result<(), String> {
        let name = self.process.as_str();
        if self.process == ProcessKind::New {
            return Err("`new` is the form itself; processes configure update, lost and correction".into());
        }
        if self.label.is_empty() || self.label.values().any(|label| label.trim().is_empty()) {
            return Err(format!("the process {name} needs a label"));
        }
        let Some(groups) = &self.groups else { return Ok(()) };
        if groups.is_empty() {
            return Err(format!(
                "the process {name} has an empty `groups`; leave it out to take the whole form"
            ));
        }
        let mut seen = BTreeSet::new();
        for group in groups {
            let id_ok = (1..=32).contains(&group.id.len())
                && group
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
            if !id_ok {
                return Err(format!(
                    "{name}: the group id {:?} must be 1 to 32 of a-z 0-9 _ -",
                    group.id
                ));
            }
            if !seen.insert(group.id.as_str()) {
                return Err(format!("{name}: the group {} appears twice", group.id));
            }
            if group.label.is_empty() {
                return Err(format!("{name}: the group {} needs a label", group.id));
            }
            if group.fields.is_empty() && group.documents.is_empty() && !group.biometrics {
                return Err(format!("{name}: the group {} changes nothing", group.id));
            }
            if let Some(field) = group.fields.iter().find(|f| !field_ids.contains(f.as_str())) {
                return Err(format!(
                    "{name}: the group {} names `{field}`, which is not on the form",
                    group.id
                ));
            }
            if let Some(category) = group.documents.iter().find(|c| !categories.contains(c.as_str())) {
                return Err(format!(
                    "{name}: the group {} needs the document {category}, which the form's documents do not list",
                    group.id
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::CalendarDate;

    const TODAY: CalendarDate = CalendarDate {
        year: 2026,
        month: 11,
        day: 25,
    };

    fn process(kind: ProcessKind) -> FormProcess {
        crate::default_form()
            .unwrap()
            .spec()
            .processes
            .iter()
            .find(|p| p.process == kind)
            .unwrap()
            .clone()
    }

    fn codes(result: Result<(), Vec<crate::FieldError>>) -> Vec<(String, Option<String>, String)> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.language, e.code))
            .collect()
    }

    #[test]
    fn an_address_update_takes_the_address_and_its_proof_and_authenticates_by_the_face() {
        let update = process(ProcessKind::Update);
        assert!(update.asks_for_id);
        assert!(!update.asks_for_request, "an update answers no request of the register");
        let correction = process(ProcessKind::Correction);
        assert!(
            correction.asks_for_request && !correction.asks_for_id,
            "a correction answers the register"
        );
        let scope = update.scope(&["address".into()]).unwrap();
        assert!(scope.takes("postalCode") && !scope.takes("fullName"));
        assert_eq!(scope.documents, Some(["POA".to_string()].into()));
        assert_eq!(scope.biometric_steps, Some(vec![PolicyStep::Face]));

        let form = crate::default_form().unwrap();
        let mut identity = crate::example_identity("x");
        let address_only: serde_json::Map<_, _> = identity
            .as_object()
            .unwrap()
            .iter()
            .filter(|(key, _)| scope.takes(key))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let address_only = serde_json::Value::Object(address_only);
        form.validate_in(&address_only, TODAY, &scope).unwrap();
        assert!(
            form.validate(&address_only, TODAY).is_err(),
            "a new registration needs the name"
        );

        // The name typed by mistake is not checked and stays out of the packet.
        identity["fullName"] = json!([{"language": "eng", "value": "x"}]);
        form.validate_in(&identity, TODAY, &scope).unwrap();
        let packet = form.applicable_identity(&identity, TODAY, &scope);
        assert!(packet.get("fullName").is_none() && packet.get("gender").is_none());
        assert_eq!(packet["postalCode"], "10090");

        // A required field of a chosen group is still required.
        let mut missing = address_only.clone();
        missing.as_object_mut().unwrap().remove("region");
        assert_eq!(
            codes(form.validate_in(&missing, TODAY, &scope)),
            vec![
                ("region".into(), None, "required".into()),
                ("province".into(), None, "not_an_option".into())
            ]
        );
        // A new capture: every step.
        let scope = update.scope(&["contact".into(), "biometrics".into()]).unwrap();
        assert_eq!(scope.biometric_steps, None);
        assert_eq!(scope.documents, Some(Default::default()));
    }

    #[test]
    fn changes_must_be_groups_of_the_process() {
        let update = process(ProcessKind::Update);
        assert_eq!(update.scope(&[]).unwrap_err(), "choose at least one thing that changes");
        assert!(update
            .scope(&["nickname".into()])
            .unwrap_err()
            .contains("`nickname` is not something"));
        let lost = process(ProcessKind::Lost);
        assert!(lost
            .scope(&["address".into()])
            .unwrap_err()
            .contains("takes the whole form"));
    }

    #[test]
    fn a_lost_card_takes_the_whole_form_with_nothing_required_and_every_biometric() {
        let lost = process(ProcessKind::Lost);
        assert!(!lost.asks_for_id);
        let scope = lost.scope(&[]).unwrap();
        assert!(scope.takes("fullName") && !scope.fields_required);
        let form = crate::default_form().unwrap();
        form.validate_in(
            &json!({"fullName": [{"language": "eng", "value": "Amina"}]}),
            TODAY,
            &scope,
        )
        .unwrap();
        // What is given is still checked.
        assert_eq!(
            codes(form.validate_in(&json!({"phone": "12"}), TODAY, &scope)),
            vec![("phone".into(), None, "invalid_format".into())]
        );
    }

    #[test]
    fn a_guardian_updated_alone_is_asked_for_whatever_the_age() {
        let scope = process(ProcessKind::Update).scope(&["guardian".into()]).unwrap();
        let form = crate::default_form().unwrap();
        assert_eq!(
            codes(form.validate_in(&json!({}), TODAY, &scope)),
            vec![
                ("parentOrGuardianName".into(), Some("eng".into()), "required".into()),
                ("parentOrGuardianName".into(), Some("ara".into()), "required".into()),
            ]
        );
    }

    #[test]
    fn processes_are_checked_against_the_form() {
        let with = |processes: &str| {
            let mut spec: serde_json::Value = serde_json::from_str(crate::DEFAULT_UI_SPEC).unwrap();
            spec["processes"] = serde_json::from_str(processes).unwrap();
            let ui = crate::UiSpec::from_json(&spec.to_string())
                .and_then(|ui| crate::Form::new(crate::IdSchema::from_json(crate::DEFAULT_ID_SCHEMA)?, ui));
            ui.map(|_| ()).unwrap_err().to_string()
        };
        let label = r#""label":{"en":"U"}"#;
        for (processes, expected) in [
            (
                format!(r#"[{{"process":"new",{label},"asks_for_id":false}}]"#),
                "`new` is the form itself",
            ),
            (
                format!(
                    r#"[{{"process":"update",{label},"asks_for_id":true}},{{"process":"update",{label},"asks_for_id":true}}]"#
                ),
                "configured twice",
            ),
            (
                format!(r#"[{{"process":"update",{label},"asks_for_id":true,"groups":[]}}]"#),
                "empty `groups`",
            ),
            (
                format!(
                    r#"[{{"process":"update",{label},"asks_for_id":true,"groups":[{{"id":"x",{label},"fields":["nickname"]}}]}}]"#
                ),
                "names `nickname`, which is not on the form",
            ),
            (
                format!(
                    r#"[{{"process":"update",{label},"asks_for_id":true,"groups":[{{"id":"x",{label},"documents":["POB"]}}]}}]"#
                ),
                "the document POB",
            ),
            (
                format!(r#"[{{"process":"update",{label},"asks_for_id":true,"groups":[{{"id":"x",{label}}}]}}]"#),
                "changes nothing",
            ),
            (
                format!(
                    r#"[{{"process":"update",{label},"asks_for_id":true,"groups":[{{"id":"X Y",{label},"biometrics":true}}]}}]"#
                ),
                "must be 1 to 32",
            ),
            (
                r#"[{"process":"update","label":{},"asks_for_id":true}]"#.to_string(),
                "needs a label",
            ),
            (
                format!(r#"[{{"process":"renew",{label},"asks_for_id":true}}]"#),
                "unknown variant `renew`",
            ),
        ] {
            let error = with(&processes);
            assert!(
                error.contains(expected),
                "{processes} gave {error:?}, expected {expected:?}"
            );
        }
    }
}
