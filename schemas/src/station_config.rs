//! The parts of a country's configuration that are neither the form nor the capture policy and
//! that the register sends down to its stations: the offline limits, the master data (the
//! lists a form chooses from) and the operator list (who may work at the stations). Read strictly here, so that the intake refuses to publish
//! what a station would refuse to take, with the same words.
//!
//! Deliberately absent: what the station does with them (`enroll_station::offline` and, for
//! master data, the forms of a later version) and how they travel (`enroll_packet::register_config`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::SchemaError;

/// How long and how far a station may work without the register (country configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfflineLimitsConfig {
    /// Days since the last sync before new registrations stop: 1 to 365.
    pub max_days_since_sync: u32,
    /// Packets finalized and not yet acknowledged before new ones stop: 1 to 100,000.
    pub max_packets_not_uploaded: u32,
    /// Free disk, in megabytes, below which new registrations stop: 64 to 1,000,000.
    pub min_free_disk_mb: u64,
}

impl OfflineLimitsConfig {
    pub fn from_value(value: &serde_json::Value) -> Result<OfflineLimitsConfig, SchemaError> {
        let bad = |why: String| SchemaError::OfflineLimits(why);
        let limits = OfflineLimitsConfig::deserialize(value).map_err(|e| bad(e.to_string()))?;
        let checks = [
            ("max_days_since_sync", u64::from(limits.max_days_since_sync), 1, 365),
            (
                "max_packets_not_uploaded",
                u64::from(limits.max_packets_not_uploaded),
                1,
                100_000,
            ),
            ("min_free_disk_mb", limits.min_free_disk_mb, 64, 1_000_000),
        ];
        for (name, value, min, max) in checks {
            if !(min..=max).contains(&value) {
                return Err(bad(format!("`{name}` is {value}; it must be from {min} to {max}")));
            }
        }
        Ok(limits)
    }
}

/// One entry of a master-data list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterDataEntry {
    /// Stable code: 1 to 64 of `A-Z a-z 0-9 _ -`.
    pub code: String,
    /// What the form shows, by language code (`eng`, `fra`, `ara`, `tzm`): at least one.
    pub labels: BTreeMap<String, String>,
    /// Locations: the code of the enclosing location (a region for a province), if any.
    /// Document types: the document category they prove (`POI`, `POA`, ...: a category of the
    /// form's `documents`, not an entry of a list); a type without one is offered in every
    /// category. Rejection reasons have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The lists a form chooses from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterData {
    #[serde(default)]
    pub locations: Vec<MasterDataEntry>,
    #[serde(default)]
    pub document_types: Vec<MasterDataEntry>,
    #[serde(default)]
    pub rejection_reasons: Vec<MasterDataEntry>,
}

/// The most entries one list may hold (every locality of a large country fits).
pub const MAX_MASTER_DATA_ENTRIES: usize = 100_000;

impl MasterData {
    pub fn from_value(value: &serde_json::Value) -> Result<MasterData, SchemaError> {
        let bad = |why: String| SchemaError::MasterData(why);
        let data = MasterData::deserialize(value).map_err(|e| bad(e.to_string()))?;
        for (list, entries) in [
            ("locations", &data.locations),
            ("document_types", &data.document_types),
            ("rejection_reasons", &data.rejection_reasons),
        ] {
            if entries.len() > MAX_MASTER_DATA_ENTRIES {
                return Err(bad(format!(
                    "`{list}` has {} entries; at most {MAX_MASTER_DATA_ENTRIES}",
                    entries.len()
                )));
            }
            let mut codes = BTreeSet::new();
            for entry in entries {
                let code_ok = (1..=64).contains(&entry.code.len())
                    && entry
                        .code
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if !code_ok {
                    return Err(bad(format!(
                        "`{list}` has the code {:?}: 1 to 64 of A-Z a-z 0-9 _ -",
                        entry.code
                    )));
                }
                if !codes.insert(entry.code.as_str()) {
                    return Err(bad(format!("`{list}` has the code {} twice", entry.code)));
                }
                if entry.labels.is_empty() || entry.labels.values().any(|label| label.trim().is_empty()) {
                    return Err(bad(format!(
                        "`{list}` entry {} needs a label in at least one language, none empty",
                        entry.code
                    )));
                }
                match (list, &entry.parent) {
                    (_, None) | ("locations", Some(_)) => {}
                    ("document_types", Some(category)) => {
                        if !crate::form::is_document_category_code(category) {
                            return Err(bad(format!(
                                "document type {} names the category {category:?}: 1 to 32 of A-Z a-z 0-9 _ -",
                                entry.code
                            )));
                        }
                    }
                    (_, Some(_)) => {
                        return Err(bad(format!(
                            "`{list}` entry {} has a parent; only locations (their enclosing location) and document types (their category) do",
                            entry.code
                        )));
                    }
                }
            }
            if list == "locations" {
                for entry in entries {
                    if let Some(parent) = &entry.parent {
                        if !codes.contains(parent.as_str()) || parent == &entry.code {
                            return Err(bad(format!(
                                "location {} names the parent {parent}, which is not another location",
                                entry.code
                            )));
                        }
                    }
                }
            }
        }
        Ok(data)
    }
}

/// What a station's operator may do, as the register lists it (the station's own roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListedRole {
    Admin,
    Supervisor,
    Officer,
}

impl ListedRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ListedRole::Admin => "admin",
            ListedRole::Supervisor => "supervisor",
            ListedRole::Officer => "officer",
        }
    }
}

/// One operator the register lets work at its stations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedOperator {
    /// The station's sign-in name: 1 to 32 of `A-Z a-z 0-9 . _ -`, as a station takes it.
    pub username: String,
    pub full_name: String,
    pub role: ListedRole,
    /// False: suspended; the operator cannot sign in until a later list says otherwise.
    pub active: bool,
}

/// Who may work at the register's stations. A station that holds a list lets only the
/// operators on it sign in, each in the role the list gives; passwords stay at the station.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorList {
    pub operators: Vec<ListedOperator>,
}

/// The most operators one list may hold.
pub const MAX_LISTED_OPERATORS: usize = 100_000;

impl OperatorList {
    pub fn from_value(value: &serde_json::Value) -> Result<OperatorList, SchemaError> {
        let bad = |why: String| SchemaError::Operators(why);
        let list = OperatorList::deserialize(value).map_err(|e| bad(e.to_string()))?;
        if list.operators.len() > MAX_LISTED_OPERATORS {
            return Err(bad(format!(
                "it lists {} operators; at most {MAX_LISTED_OPERATORS}",
                list.operators.len()
            )));
        }
        let mut usernames = BTreeSet::new();
        for operator in &list.operators {
            let name = &operator.username;
            let name_ok = (1..=32).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
            if !name_ok {
                return Err(bad(format!(
                    "the username {name:?} must be 1 to 32 letters, digits, dots, dashes or underscores"
                )));
            }
            if operator.full_name.trim().is_empty() {
                return Err(bad(format!("operator {name} has no full name")));
            }
            if !usernames.insert(name.as_str()) {
                return Err(bad(format!("operator {name} is listed twice")));
            }
        }
        Ok(list)
    }

    /// The entry for `username`, if listed.
    pub fn find(&self, username: &str) -> Option<&ListedOperator> {
        self.operators.iter().find(|operator| operator.username == username)
    }
}

/// A form document as the register sends it: the ID schema and the UI spec together, because
/// each is checked against the other (a field the layout names must be in the schema).
pub fn form_from_value(value: &serde_json::Value) -> Result<crate::Form, SchemaError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct FormDocument {
        id_schema: serde_json::Value,
        ui_spec: serde_json::Value,
    }
    let document = FormDocument::deserialize(value)
        .map_err(|e| SchemaError::Mismatch(format!("a form document is {{\"id_schema\", \"ui_spec\"}}: {e}")))?;
    crate::Form::new(
        crate::IdSchema::from_json(&document.id_schema.to_string())?,
        crate::UiSpec::from_json(&document.ui_spec.to_string())?,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn offline_limits_are_read_strictly_and_within_bounds() {
        let limits = OfflineLimitsConfig::from_value(&json!({
            "max_days_since_sync": 7, "max_packets_not_uploaded": 200, "min_free_disk_mb": 512
        }))
        .unwrap();
        assert_eq!(limits.max_days_since_sync, 7);
        for (value, why) in [
            (
                json!({"max_days_since_sync": 0, "max_packets_not_uploaded": 1, "min_free_disk_mb": 64}),
                "from 1 to 365",
            ),
            (
                json!({"max_days_since_sync": 7, "max_packets_not_uploaded": 1, "min_free_disk_mb": 1}),
                "from 64",
            ),
            (
                json!({"max_days_since_sync": 7, "max_packets_not_uploaded": 1}),
                "missing field",
            ),
            (
                json!({"max_days_since_sync": 7, "max_packets_not_uploaded": 1, "min_free_disk_mb": 64, "x": 1}),
                "unknown field",
            ),
        ] {
            let error = OfflineLimitsConfig::from_value(&value).unwrap_err();
            assert_eq!(error.code(), "offline_limits_invalid");
            assert!(error.to_string().contains(why), "{value}: {error}");
        }
    }

    #[test]
    fn master_data_codes_are_unique_labelled_and_locations_nest() {
        let data = MasterData::from_value(&json!({
            "locations": [
                {"code": "RSK", "labels": {"fra": "Rabat-Salé-Kénitra", "ara": "الرباط سلا القنيطرة"}},
                {"code": "RSK-RBA", "labels": {"fra": "Rabat"}, "parent": "RSK"}
            ],
            "rejection_reasons": [{"code": "blurred_photo", "labels": {"eng": "Blurred photo"}}]
        }))
        .unwrap();
        assert_eq!(data.locations.len(), 2);
        assert!(data.document_types.is_empty());
        for (value, why) in [
            (
                json!({"locations": [{"code": "A", "labels": {"eng": "a"}}, {"code": "A", "labels": {"eng": "b"}}]}),
                "twice",
            ),
            (json!({"locations": [{"code": "A", "labels": {}}]}), "needs a label"),
            (
                json!({"locations": [{"code": "a b", "labels": {"eng": "a"}}]}),
                "1 to 64",
            ),
            (
                json!({"locations": [{"code": "A", "labels": {"eng": "a"}, "parent": "B"}]}),
                "not another location",
            ),
            (
                json!({"rejection_reasons": [{"code": "A", "labels": {"eng": "a"}, "parent": "B"}]}),
                "only locations",
            ),
            (
                json!({"document_types": [{"code": "A", "labels": {"eng": "a"}, "parent": "P O I"}]}),
                "names the category",
            ),
            (json!({"currencies": []}), "unknown field"),
        ] {
            let error = MasterData::from_value(&value).unwrap_err();
            assert_eq!(error.code(), "master_data_invalid");
            assert!(error.to_string().contains(why), "{value}: {error}");
        }
    }

    #[test]
    fn document_types_name_the_category_they_prove() {
        let data = MasterData::from_value(&json!({
            "document_types": [
                {"code": "CIN", "labels": {"fra": "Carte nationale"}, "parent": "POI"},
                {"code": "OTHER", "labels": {"eng": "Other"}}
            ]
        }))
        .unwrap();
        assert_eq!(data.document_types[0].parent.as_deref(), Some("POI"));
        assert_eq!(data.document_types[1].parent, None);
    }

    #[test]
    fn the_default_master_data_is_valid_and_realistic() {
        let data = crate::default_master_data().unwrap();
        let ui = crate::UiSpec::from_json(crate::DEFAULT_UI_SPEC).unwrap();
        let documents = ui.documents.expect("the default form asks for documents");
        for category in &documents.categories {
            let types = data
                .document_types
                .iter()
                .filter(|t| t.parent.as_deref() == Some(category.category.as_str()))
                .count();
            assert!(types >= 2, "{} has {types} document types", category.category);
        }
        for entry in data
            .document_types
            .iter()
            .chain(&data.rejection_reasons)
            .chain(&data.locations)
        {
            for language in ["eng", "fra", "ara"] {
                assert!(
                    entry.labels.contains_key(language),
                    "{} has no {language} label",
                    entry.code
                );
            }
        }
        assert!(data.rejection_reasons.len() >= 5);
        assert!(data.rejection_reasons.iter().all(|r| r.parent.is_none()));
        // Regions at the top, and every level below names the one above.
        let regions: Vec<_> = data.locations.iter().filter(|l| l.parent.is_none()).collect();
        assert_eq!(regions.len(), 2);
        let depth = |code: &str| {
            let mut depth = 0;
            let mut at = data.locations.iter().find(|l| l.code == code).unwrap();
            while let Some(parent) = &at.parent {
                at = data.locations.iter().find(|l| &l.code == parent).unwrap();
                depth += 1;
            }
            depth
        };
        assert_eq!(
            data.locations.iter().map(|l| depth(&l.code)).max(),
            Some(4),
            "region → province → city → zone → postal code"
        );
    }

    #[test]
    fn a_form_document_is_the_schema_and_the_layout_checked_together() {
        let id_schema: serde_json::Value = serde_json::from_str(crate::DEFAULT_ID_SCHEMA).unwrap();
        let ui_spec: serde_json::Value = serde_json::from_str(crate::DEFAULT_UI_SPEC).unwrap();
        let form = form_from_value(&json!({"id_schema": id_schema, "ui_spec": ui_spec})).unwrap();
        assert_eq!(
            form.id_schema_version(),
            crate::default_form().unwrap().id_schema_version()
        );
        assert!(form_from_value(&json!({"id_schema": id_schema})).is_err());
        assert!(form_from_value(&json!({"id_schema": {}, "ui_spec": ui_spec})).is_err());
    }

    #[test]
    fn an_operator_list_names_each_operator_once_with_a_known_role() {
        let list = OperatorList::from_value(&json!({"operators": [
            {"username": "amina", "full_name": "Amina Benali", "role": "supervisor", "active": true},
            {"username": "k.idir", "full_name": "Karim Idir", "role": "officer", "active": false}
        ]}))
        .unwrap();
        assert_eq!(list.find("amina").unwrap().role, ListedRole::Supervisor);
        assert!(!list.find("k.idir").unwrap().active);
        assert!(list.find("nobody").is_none());

        for (value, why) in [
            (
                json!({"operators": [{"username": "a b", "full_name": "A", "role": "officer", "active": true}]}),
                "username",
            ),
            (
                json!({"operators": [{"username": "a", "full_name": " ", "role": "officer", "active": true}]}),
                "full name",
            ),
            (
                json!({"operators": [{"username": "a", "full_name": "A", "role": "chief", "active": true}]}),
                "unknown variant",
            ),
            (
                json!({"operators": [{"username": "a", "full_name": "A", "role": "officer"}]}),
                "active",
            ),
            (
                json!({"operators": [
                    {"username": "a", "full_name": "A", "role": "officer", "active": true},
                    {"username": "a", "full_name": "B", "role": "admin", "active": true}
                ]}),
                "twice",
            ),
        ] {
            let error = OperatorList::from_value(&value).unwrap_err();
            assert_eq!(error.code(), "operator_list_invalid");
            assert!(error.to_string().contains(why), "{value}: {error}");
        }
    }
}
