//! The form: the UI spec joined with the ID schema. It gives the UI what to render
//! ([`FormSpec`]) and checks identity documents ([`Form::validate`], [`Form::check_draft`]).
//!
//! Identity documents are MOSIP-shaped JSON objects: a multilingual field is
//! `[{"language": "eng", "value": "..."}, ...]`, any other field a plain string.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::station_config::MasterData;
use crate::{FieldError, FieldKind, FormScope, IdSchema, SchemaError, UiSpec};

/// The schema version written into every identity document the station makes.
pub const ID_SCHEMA_VERSION_FIELD: &str = "IDSchemaVersion";
/// The field of the resident's ID number, which the station writes for an update or a
/// correction (when the ID schema defines it), never typed on the form.
pub const RESIDENT_ID_FIELD: &str = "UIN";
/// No single value may be longer than this, whatever the spec says: drafts are autosaved on
/// every keystroke and must stay small.
const MAX_VALUE_CHARS: usize = 1000;

/// How a field is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Control {
    Text,
    Date,
    Dropdown,
    Phone,
    /// A yes/no question: the value is [`CHECKBOX_YES`] or [`CHECKBOX_NO`].
    Checkbox,
}

/// A checkbox's value when ticked, and when the clerk untick it, as MOSIP writes its flags.
pub const CHECKBOX_YES: &str = "Y";
pub const CHECKBOX_NO: &str = "N";

/// When a field applies, from the values of others: a guardian only for a minor, a permit
/// number only for a foreign resident. A field that does not apply is hidden in the form, not
/// checked at finalize, and left out of the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The date in `field` (a date field) is less than `years` full years before today. False
    /// while that date is missing or not a real date.
    AgeBelow { field: String, years: u32 },
    /// The plain value of `field` (a dropdown's code, a checkbox's "Y") is `value`.
    Equals { field: String, value: String },
}

impl Condition {
    /// The field whose value decides.
    pub fn field(&self) -> &str {
        match self {
            Condition::AgeBelow { field, .. } | Condition::Equals { field, .. } => field,
        }
    }
}

/// Where a dropdown's options come from when the UI spec does not list them: a master-data
/// list, optionally the level under another dropdown's choice (a province under the region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsFrom {
    pub list: MasterList,
    /// The dropdown (earlier in the form) whose chosen entry is the parent of these options;
    /// absent: the list's top level (entries without a parent).
    #[serde(default)]
    pub parent: Option<String>,
}

/// The master-data lists a dropdown may take its options from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MasterList {
    Locations,
}

/// Which way a language's text runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

/// A language the form is filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct FormLanguage {
    /// ISO 639-3 code as MOSIP uses: "eng", "fra", "ara".
    pub code: String,
    /// The language's own name, e.g. "العربية".
    pub name: String,
    pub direction: Direction,
    /// Whether every multilingual field must be filled in this language.
    pub mandatory: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct FormOption {
    pub value: String,
    /// Label per UI language code ("en", "fr", "ar").
    pub label: BTreeMap<String, String>,
    /// For a dependent dropdown's option, the value of the parent field it belongs under (the
    /// region of a province).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FormField {
    /// The identity document's key, e.g. "fullName".
    pub id: String,
    pub control: Control,
    /// Label per UI language code ("en", "fr", "ar").
    pub label: BTreeMap<String, String>,
    pub required: bool,
    /// One value per form language (MOSIP's multilingual simpleType).
    pub multilingual: bool,
    pub options: Vec<FormOption>,
    /// Hint for the input, per UI language, e.g. the expected date format.
    pub hint: BTreeMap<String, String>,
    pub max_length: Option<u32>,
    /// A date field (the date of birth) may be given as an age in years instead, when the
    /// resident does not know the date: the form turns it into a date.
    pub accepts_age: bool,
    /// A dependent dropdown: the field whose value its options hang under (see
    /// [`FormOption::parent`]).
    pub options_parent: Option<String>,
    /// The field applies only when this holds (absent: always).
    pub shown_when: Option<Condition>,
}

/// The form to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FormSpec {
    pub languages: Vec<FormLanguage>,
    pub fields: Vec<FormField>,
    /// The consent the resident gives before a registration starts (absent: none is asked).
    #[serde(default)]
    pub consent: Option<FormConsent>,
    /// The documents the resident brings (absent: the country asks for none at the station).
    #[serde(default)]
    pub documents: Option<FormDocuments>,
    /// The processes besides a new registration (update, lost card, correction), in the order
    /// the window offers them; empty: new registrations only.
    pub processes: Vec<crate::FormProcess>,
}

/// The consent text a clerk reads out or shows to the resident, per UI language code ("en",
/// "fr", "ar"), as the labels are. Its words are the country's: they are recorded in the packet
/// with the resident's agreement, so the register knows what was agreed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct FormConsent {
    pub text: BTreeMap<String, String>,
}

/// The longest consent text per language: a page read aloud, not a contract.
pub const MAX_CONSENT_CHARS: usize = 4000;

impl FormConsent {
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.text.is_empty() {
            return Err("the consent has no text".into());
        }
        for (language, text) in &self.text {
            let chars = text.trim().chars().count();
            if chars == 0 || chars > MAX_CONSENT_CHARS {
                return Err(format!(
                    "the consent text in `{language}` must have 1 to {MAX_CONSENT_CHARS} characters"
                ));
            }
        }
        Ok(())
    }
}

/// The documents a registration carries (proof of identity, of address, ...): which categories
/// the form asks for, which of them are required, and the limits on the files a clerk attaches.
/// Which document types each category accepts is master data (`document_types` whose `parent`
/// is the category), so that a country adds a type without a new form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct FormDocuments {
    /// The largest file a clerk may attach, in bytes: 1 KiB to 20 MiB.
    pub max_file_bytes: u64,
    /// The most images (scanned pages) one document may have: 1 to 50. A PDF is one file.
    pub max_pages: u32,
    /// The file formats accepted, told by the files' bytes (never by their names).
    pub formats: Vec<DocumentFileFormat>,
    /// The categories, in the order the form shows them: 1 to 32.
    pub categories: Vec<FormDocumentCategory>,
}

/// A document file's format, as the form names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum DocumentFileFormat {
    Pdf,
    Jpeg,
    Png,
}

impl DocumentFileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentFileFormat::Pdf => "pdf",
            DocumentFileFormat::Jpeg => "jpeg",
            DocumentFileFormat::Png => "png",
        }
    }
}

/// One category of document the form asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct FormDocumentCategory {
    /// MOSIP's category code, e.g. "POI" (proof of identity), "POA" (of address): as a packet
    /// names its documents, 1 to 32 of `A-Z a-z 0-9 _ -`.
    pub category: String,
    /// What the form calls it, per UI language code ("en", "fr", "ar"), as the field labels.
    pub label: BTreeMap<String, String>,
    /// Whether finalize refuses a registration without it.
    pub required: bool,
}

/// Bounds of the documents section, checked when the UI spec is read.
pub const MIN_DOCUMENT_FILE_BYTES: u64 = 1024;
pub const MAX_DOCUMENT_FILE_BYTES: u64 = 20 * 1024 * 1024;
pub const MAX_DOCUMENT_PAGES: u32 = 50;
pub const MAX_DOCUMENT_CATEGORIES: usize = 32;

/// Whether `code` may name a document category: what a packet accepts in its entry names
/// (`documents/<category>-<n>.<ext>`), so that a category the form asks for always fits there.
pub fn is_document_category_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl FormDocuments {
    pub(crate) fn check(&self) -> Result<(), String> {
        if !(MIN_DOCUMENT_FILE_BYTES..=MAX_DOCUMENT_FILE_BYTES).contains(&self.max_file_bytes) {
            return Err(format!(
                "documents: `max_file_bytes` is {}; it must be from {MIN_DOCUMENT_FILE_BYTES} to {MAX_DOCUMENT_FILE_BYTES}",
                self.max_file_bytes
            ));
        }
        if !(1..=MAX_DOCUMENT_PAGES).contains(&self.max_pages) {
            return Err(format!(
                "documents: `max_pages` is {}; it must be from 1 to {MAX_DOCUMENT_PAGES}",
                self.max_pages
            ));
        }
        if self.formats.is_empty() {
            return Err("documents: `formats` is empty; name at least one of pdf, jpeg, png".into());
        }
        let mut formats = self.formats.clone();
        formats.sort();
        formats.dedup();
        if formats.len() != self.formats.len() {
            return Err("documents: `formats` names a format twice".into());
        }
        if self.categories.is_empty() || self.categories.len() > MAX_DOCUMENT_CATEGORIES {
            return Err(format!(
                "documents: {} categories; there must be 1 to {MAX_DOCUMENT_CATEGORIES}",
                self.categories.len()
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for category in &self.categories {
            if !is_document_category_code(&category.category) {
                return Err(format!(
                    "documents: the category {:?} must be 1 to 32 of A-Z a-z 0-9 _ -",
                    category.category
                ));
            }
            if !seen.insert(category.category.as_str()) {
                return Err(format!("documents: the category {} appears twice", category.category));
            }
            if category.label.is_empty() || category.label.values().any(|label| label.trim().is_empty()) {
                return Err(format!(
                    "documents: the category {} needs a label in at least one language, none empty",
                    category.category
                ));
            }
        }
        Ok(())
    }

    /// The category `code`, if the form asks for it.
    pub fn category(&self, code: &str) -> Option<&FormDocumentCategory> {
        self.categories.iter().find(|category| category.category == code)
    }
}

/// A calendar date, passed in so that "not in the future" is testable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl CalendarDate {
    /// Parse `YYYY/MM/DD` (MOSIP's date format) into a real calendar date.
    pub fn parse_slashed(text: &str) -> Option<CalendarDate> {
        let mut parts = text.split('/');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        let date = CalendarDate {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
            day: day.parse().ok()?,
        };
        let leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
        let days_in_month = match date.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month).contains(&date.day).then_some(date)
    }

    /// How old someone born on this date is on `today`, in full years (0 before the first
    /// birthday; a 29 February birthday comes on 1 March in other years).
    pub fn full_years_on(self, today: CalendarDate) -> u32 {
        let before_birthday = (today.month, today.day) < (self.month, self.day);
        u32::try_from(today.year - self.year - i32::from(before_birthday)).unwrap_or(0)
    }
}

/// The configured form.
#[derive(Debug, Clone)]
pub struct Form {
    schema: IdSchema,
    spec: FormSpec,
    /// The dropdowns whose options are master data, in form order (a parent before its
    /// children): filled in by [`Form::with_master_data`].
    options_from: Vec<(String, OptionsFrom)>,
}

impl Form {
    /// Join a UI spec with its ID schema; every UI field must exist in the schema, and every
    /// required schema field that a clerk types must be on the form. Dropdowns over master data
    /// have no options until [`Form::with_master_data`].
    pub fn new(schema: IdSchema, ui: UiSpec) -> Result<Form, SchemaError> {
        let mut fields = Vec::new();
        let mut options_from = Vec::new();
        for field in ui.fields {
            let schema_field = schema.fields.get(&field.id).ok_or_else(|| {
                SchemaError::Mismatch(format!(
                    "the form shows `{}`, which the ID schema does not define",
                    field.id
                ))
            })?;
            let multilingual = match schema_field.kind {
                FieldKind::Multilingual => true,
                FieldKind::String => false,
                other => {
                    return Err(SchemaError::Mismatch(format!(
                        "`{}` is a {other:?} field in the ID schema; the form can only type text into it",
                        field.id
                    )))
                }
            };
            if multilingual && matches!(field.control, Control::Date | Control::Phone | Control::Checkbox) {
                return Err(SchemaError::Mismatch(format!(
                    "`{}` is multilingual in the ID schema; a {:?} control takes one value",
                    field.id, field.control
                )));
            }
            if schema_field.required && field.shown_when.is_some() {
                return Err(SchemaError::Mismatch(format!(
                    "`{}` is required by the ID schema, so it cannot depend on `shown_when`",
                    field.id
                )));
            }
            if let Some(source) = &field.options_from {
                options_from.push((field.id.clone(), source.clone()));
            }
            fields.push(FormField {
                required: schema_field.required || field.required,
                multilingual,
                id: field.id,
                control: field.control,
                label: field.label,
                options: field.options,
                hint: field.hint,
                max_length: field.max_length,
                accepts_age: field.accepts_age,
                options_parent: field.options_from.and_then(|source| source.parent),
                shown_when: field.shown_when,
            });
        }
        for (name, schema_field) in &schema.fields {
            let typed = matches!(schema_field.kind, FieldKind::Multilingual | FieldKind::String);
            if schema_field.required && typed && !fields.iter().any(|f| &f.id == name) {
                return Err(SchemaError::Mismatch(format!(
                    "`{name}` is required by the ID schema but not on the form"
                )));
            }
        }
        let field_ids: std::collections::BTreeSet<&str> = fields.iter().map(|f| f.id.as_str()).collect();
        let categories: std::collections::BTreeSet<&str> = ui
            .documents
            .iter()
            .flat_map(|documents| documents.categories.iter().map(|c| c.category.as_str()))
            .collect();
        let mut kinds = std::collections::BTreeSet::new();
        for process in &ui.processes {
            process.check(&field_ids, &categories).map_err(SchemaError::UiSpec)?;
            if !kinds.insert(process.process) {
                return Err(SchemaError::UiSpec(format!(
                    "the process {} is configured twice",
                    process.process.as_str()
                )));
            }
        }
        Ok(Form {
            schema,
            spec: FormSpec {
                languages: ui.languages,
                fields,
                consent: ui.consent,
                documents: ui.documents,
                processes: ui.processes,
            },
            options_from,
        })
    }

    /// Fill the dropdowns over master data with its entries: the top level for a dropdown
    /// without a parent, else every entry under one of its parent's options (each option
    /// keeps its parent, and the form shows those under the chosen one). Labels are keyed by
    /// UI language as the rest of the form (`eng` becomes `en`).
    pub fn with_master_data(mut self, master_data: &MasterData) -> Form {
        for (field_id, source) in &self.options_from {
            let MasterList::Locations = source.list;
            let parents: Option<std::collections::BTreeSet<String>> = source.parent.as_ref().map(|parent| {
                self.spec
                    .fields
                    .iter()
                    .find(|f| &f.id == parent)
                    .map(|f| f.options.iter().map(|o| o.value.clone()).collect())
                    .unwrap_or_default()
            });
            let options = master_data
                .locations
                .iter()
                .filter(|entry| match (&parents, &entry.parent) {
                    (None, None) => true,
                    (Some(parents), Some(parent)) => parents.contains(parent),
                    _ => false,
                })
                .map(|entry| FormOption {
                    value: entry.code.clone(),
                    label: entry
                        .labels
                        .iter()
                        .map(|(language, label)| (ui_language_of(language).to_string(), label.clone()))
                        .collect(),
                    parent: entry.parent.clone(),
                })
                .collect();
            if let Some(field) = self.spec.fields.iter_mut().find(|f| &f.id == field_id) {
                field.options = options;
            }
        }
        self
    }

    /// The ID schema's version (`idVersion`), which packets record as `IDSchemaVersion`.
    pub fn id_schema_version(&self) -> Option<f64> {
        self.schema.version
    }

    /// Whether the ID schema has a field `name` (the form may not show it).
    pub fn schema_defines(&self, name: &str) -> bool {
        self.schema.fields.contains_key(name)
    }

    pub fn spec(&self) -> &FormSpec {
        &self.spec
    }

    /// Check a draft's shape only: known fields, right types, known languages, sane lengths.
    /// Empty and missing values are fine in a draft.
    pub fn check_draft(&self, identity: &Value) -> Result<(), Vec<FieldError>> {
        let problems = self.check(identity, None);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Full validation before finalize: everything [`Form::check_draft`] checks, plus
    /// required fields and languages, validators, options and dates (not after `today`).
    pub fn validate(&self, identity: &Value, today: CalendarDate) -> Result<(), Vec<FieldError>> {
        self.validate_in(identity, today, &FormScope::whole_form())
    }

    /// [`Form::validate`] for a registration that takes only part of the form (an update of the
    /// address): fields out of `scope` are not checked, and none is required when the process
    /// says so.
    pub fn validate_in(&self, identity: &Value, today: CalendarDate, scope: &FormScope) -> Result<(), Vec<FieldError>> {
        let problems = self.check(identity, Some((today, scope)));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The identity document as the packet holds it: without the fields that do not apply
    /// (their `shown_when` does not hold on `today`), which a clerk may have filled before
    /// changing the answer they hang on.
    pub fn applicable_identity(&self, identity: &Value, today: CalendarDate, scope: &FormScope) -> Value {
        let mut identity = identity.clone();
        if let Some(object) = identity.as_object_mut() {
            let hidden: Vec<&str> = self
                .spec
                .fields
                .iter()
                .filter(|field| !scope.takes(&field.id) || !applies(field, object, today, scope))
                .map(|field| field.id.as_str())
                .collect();
            for id in hidden {
                object.remove(id);
            }
        }
        identity
    }

    /// `full` is `Some` for the full validation (today's date and the registration's scope),
    /// `None` for a draft.
    fn check(&self, identity: &Value, full: Option<(CalendarDate, &FormScope)>) -> Vec<FieldError> {
        let complete = full.is_some();
        let today = full.map(|(today, _)| today);
        let mut problems = Vec::new();
        let Some(object) = identity.as_object() else {
            return vec![FieldError::new(
                "",
                None,
                "wrong_type",
                "the identity document must be a JSON object",
            )];
        };
        for key in object.keys() {
            if key != ID_SCHEMA_VERSION_FIELD && !self.spec.fields.iter().any(|f| &f.id == key) {
                problems.push(FieldError::new(
                    key,
                    None,
                    "unknown_field",
                    format!("`{key}` is not a field of this form"),
                ));
            }
        }
        for field in &self.spec.fields {
            if let Some((today, scope)) = full {
                if !scope.takes(&field.id) || !applies(field, object, today, scope) {
                    continue; // Hidden in the form and left out of the packet: nothing to check.
                }
            }
            let required = field.required && full.is_none_or(|(_, scope)| scope.fields_required);
            let values = match self.values_of(field, object.get(&field.id), &mut problems) {
                Some(values) => values,
                None => continue,
            };
            if field.multilingual && complete && required {
                for language in self.spec.languages.iter().filter(|l| l.mandatory) {
                    if !values
                        .iter()
                        .any(|(code, value)| code.as_deref() == Some(&language.code) && !value.trim().is_empty())
                    {
                        problems.push(FieldError::new(
                            &field.id,
                            Some(&language.code),
                            "required",
                            format!("required in {}", language.name),
                        ));
                    }
                }
            }
            if !field.multilingual && complete && required && values.iter().all(|(_, v)| v.trim().is_empty()) {
                problems.push(FieldError::new(&field.id, None, "required", "this field is required"));
            }
            if field.control == Control::Checkbox
                && complete
                && required
                && values.iter().any(|(_, v)| *v == CHECKBOX_NO)
            {
                problems.push(FieldError::new(&field.id, None, "required", "this box must be ticked"));
            }
            for (language, value) in values {
                if value.trim().is_empty() {
                    continue;
                }
                let language = language.as_deref();
                if let Some(problem) = self.check_value(field, language, value, object, today) {
                    problems.push(problem);
                }
            }
        }
        problems
    }

    /// The field's values as (language, text) pairs, or `None` after recording a type problem.
    fn values_of<'a>(
        &self,
        field: &FormField,
        value: Option<&'a Value>,
        problems: &mut Vec<FieldError>,
    ) -> Option<Vec<(Option<String>, &'a str)>> {
        let Some(value) = value else { return Some(Vec::new()) };
        if value.is_null() {
            return Some(Vec::new());
        }
        if !field.multilingual {
            return match value.as_str() {
                Some(text) => Some(vec![(None, text)]),
                None => {
                    problems.push(FieldError::new(&field.id, None, "wrong_type", "expected text"));
                    None
                }
            };
        }
        let wrong = || {
            FieldError::new(
                &field.id,
                None,
                "wrong_type",
                "expected a list of {language, value} entries",
            )
        };
        let Some(entries) = value.as_array() else {
            problems.push(wrong());
            return None;
        };
        let mut values = Vec::new();
        for entry in entries {
            let (Some(language), Some(text)) = (
                entry.get("language").and_then(Value::as_str),
                entry.get("value").and_then(Value::as_str),
            ) else {
                problems.push(wrong());
                return None;
            };
            if !self.spec.languages.iter().any(|l| l.code == language) {
                problems.push(FieldError::new(
                    &field.id,
                    Some(language),
                    "unknown_language",
                    format!("the form has no language `{language}`"),
                ));
                continue;
            }
            if values
                .iter()
                .any(|(code, _): &(Option<String>, &str)| code.as_deref() == Some(language))
            {
                problems.push(FieldError::new(
                    &field.id,
                    Some(language),
                    "duplicate_language",
                    "given twice in the same language",
                ));
                continue;
            }
            values.push((Some(language.to_string()), text));
        }
        Some(values)
    }

    fn check_value(
        &self,
        field: &FormField,
        language: Option<&str>,
        value: &str,
        identity: &serde_json::Map<String, Value>,
        today: Option<CalendarDate>,
    ) -> Option<FieldError> {
        let chars = value.chars().count();
        let limit = field
            .max_length
            .map_or(MAX_VALUE_CHARS, |m| (m as usize).min(MAX_VALUE_CHARS));
        if chars > limit {
            return Some(FieldError::new(
                &field.id,
                language,
                "too_long",
                format!("at most {limit} characters"),
            ));
        }
        // Java's `.` (MOSIP's validators) stops at line breaks that Rust's does not: a value
        // with one could pass here and be refused by the register. No typed value needs them.
        if value
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
        {
            return Some(FieldError::new(
                &field.id,
                language,
                "invalid_format",
                "line breaks and control characters are not allowed",
            ));
        }
        let today = today?; // The checks below run only on the full validation.
        if field.control == Control::Dropdown {
            let Some(option) = field.options.iter().find(|o| o.value == value) else {
                return Some(FieldError::new(
                    &field.id,
                    language,
                    "not_an_option",
                    "choose one of the listed options",
                ));
            };
            if let Some(parent) = &field.options_parent {
                if option.parent.as_deref() != plain_value(identity.get(parent)) {
                    return Some(FieldError::new(
                        &field.id,
                        language,
                        "not_an_option",
                        format!("not one of the options under the chosen `{parent}`"),
                    ));
                }
            }
        }
        if field.control == Control::Checkbox && value != CHECKBOX_YES && value != CHECKBOX_NO {
            return Some(FieldError::new(
                &field.id,
                language,
                "not_an_option",
                format!("a checkbox is {CHECKBOX_YES:?} or {CHECKBOX_NO:?}"),
            ));
        }
        if field.control == Control::Date {
            match CalendarDate::parse_slashed(value) {
                None => {
                    return Some(FieldError::new(
                        &field.id,
                        language,
                        "invalid_date",
                        "not a real date; use YYYY/MM/DD",
                    ))
                }
                Some(date) if date > today => {
                    return Some(FieldError::new(
                        &field.id,
                        language,
                        "invalid_date",
                        "this date is in the future",
                    ))
                }
                Some(_) => {}
            }
        }
        let schema_field = &self.schema.fields[&field.id];
        // A regex engine error (catastrophic backtracking limit) counts as a mismatch: we
        // never accept a value we could not check.
        if schema_field
            .patterns
            .iter()
            .any(|pattern| !pattern.is_match(value).unwrap_or(false))
        {
            let hint = field
                .hint
                .get("en")
                .map(|h| format!(" (expected like {h})"))
                .unwrap_or_default();
            return Some(FieldError::new(
                &field.id,
                language,
                "invalid_format",
                format!("not in the expected format{hint}"),
            ));
        }
        None
    }
}

/// Whether `field` applies to this identity on `today` (see [`Condition`]). A condition on a
/// field the registration does not take (an update of the guardian alone, without the date of
/// birth) cannot be decided here: the field applies.
fn applies(
    field: &FormField,
    identity: &serde_json::Map<String, Value>,
    today: CalendarDate,
    scope: &FormScope,
) -> bool {
    match &field.shown_when {
        None => true,
        Some(condition) if !scope.takes(condition.field()) => true,
        Some(Condition::AgeBelow { field, years }) => plain_value(identity.get(field))
            .and_then(CalendarDate::parse_slashed)
            .is_some_and(|born| born <= today && born.full_years_on(today) < *years),
        Some(Condition::Equals { field, value }) => plain_value(identity.get(field)) == Some(value.as_str()),
    }
}

/// A field's one value: a plain field's text, or a multilingual field's first entry (a
/// dropdown writes the same code in every language).
fn plain_value(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::String(text) => Some(text.as_str()),
        Value::Array(entries) => entries.first()?.get("value")?.as_str(),
        _ => None,
    }
}

/// The UI language code ("en") for a master-data label's language code ("eng").
fn ui_language_of(code: &str) -> &str {
    match code {
        "eng" => "en",
        "fra" => "fr",
        "ara" => "ar",
        "tzm" | "zgh" => "zgh",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TODAY: CalendarDate = CalendarDate {
        year: 2026,
        month: 11,
        day: 25,
    };

    fn form() -> Form {
        crate::default_form().unwrap()
    }

    fn complete() -> Value {
        crate::example_identity("Amina Idrissi")
    }

    fn codes(result: Result<(), Vec<FieldError>>) -> Vec<(String, Option<String>, String)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.language, e.code))
            .collect()
    }

    #[test]
    fn a_complete_identity_validates() {
        form().validate(&complete(), TODAY).unwrap();
    }

    #[test]
    fn required_fields_are_named_per_language() {
        let mut identity = complete();
        identity["fullName"] = json!([{"language": "eng", "value": "Amina"}, {"language": "ara", "value": "  "}]);
        identity.as_object_mut().unwrap().remove("gender");
        assert_eq!(
            codes(form().validate(&identity, TODAY)),
            vec![
                ("fullName".into(), Some("ara".into()), "required".into()),
                ("gender".into(), None, "required".into()),
            ]
        );
    }

    #[test]
    fn drafts_may_be_incomplete_but_not_malformed() {
        form()
            .check_draft(&json!({"fullName": [{"language": "eng", "value": "A"}]}))
            .unwrap();
        form().check_draft(&json!({})).unwrap();
        assert_eq!(
            codes(form().check_draft(&json!({"fullName": "plain", "nickname": "x"}))),
            vec![
                ("nickname".into(), None, "unknown_field".into()),
                ("fullName".into(), None, "wrong_type".into())
            ]
        );
        assert_eq!(
            codes(form().check_draft(&json!([1, 2]))),
            vec![("".into(), None, "wrong_type".into())]
        );
        let long = "x".repeat(81);
        assert_eq!(
            codes(form().check_draft(&json!({"fullName": [{"language": "eng", "value": long}]}))),
            vec![("fullName".into(), Some("eng".into()), "too_long".into())]
        );
    }

    #[test]
    fn dates_must_be_real_and_not_in_the_future() {
        for (date, ok) in [
            ("1990/02/28", true),
            ("2000/02/29", true),
            ("2023/02/29", false),
            ("1990/13/01", false),
            ("2027/01/01", false),
            ("1990-02-28", false),
        ] {
            let mut identity = complete();
            identity["dateOfBirth"] = json!(date);
            assert_eq!(form().validate(&identity, TODAY).is_ok(), ok, "{date}");
        }
    }

    #[test]
    fn formats_options_and_languages_are_checked() {
        let mut identity = complete();
        identity["phone"] = json!("06-12");
        identity["gender"] = json!("XYZ");
        identity["fullName"] = json!([
            {"language": "eng", "value": "Amina"}, {"language": "ara", "value": "أمينة"}, {"language": "deu", "value": "A"}
        ]);
        assert_eq!(
            codes(form().validate(&identity, TODAY)),
            vec![
                ("fullName".into(), Some("deu".into()), "unknown_language".into()),
                ("gender".into(), None, "not_an_option".into()),
                ("phone".into(), None, "invalid_format".into()),
            ]
        );
    }

    #[test]
    fn spec_carries_required_and_multilingual_from_the_schema() {
        let form = form();
        let full_name = &form.spec().fields[0];
        assert!(full_name.required && full_name.multilingual);
        let phone = form.spec().fields.iter().find(|f| f.id == "phone").unwrap();
        assert!(!phone.required && !phone.multilingual);
    }

    #[test]
    fn a_required_schema_field_missing_from_the_form_is_refused() {
        let schema = IdSchema::from_json(crate::DEFAULT_ID_SCHEMA).unwrap();
        let mut ui = UiSpec::from_json(crate::DEFAULT_UI_SPEC).unwrap();
        ui.fields.retain(|f| f.id != "gender");
        let error = Form::new(schema, ui).unwrap_err();
        assert_eq!(error.code(), "schema_mismatch");
        assert!(error.to_string().contains("`gender` is required"));
    }

    #[test]
    fn dependent_dropdowns_take_master_data_under_the_chosen_parent() {
        let form = form();
        let field = |id: &str| form.spec().fields.iter().find(|f| f.id == id).unwrap().clone();
        let regions: Vec<_> = field("region").options.iter().map(|o| o.value.clone()).collect();
        assert_eq!(regions, ["RSK", "CS"]);
        let province = field("province");
        assert_eq!(province.options_parent.as_deref(), Some("region"));
        let rabat = province.options.iter().find(|o| o.value == "RSK-RABAT").unwrap();
        assert_eq!(rabat.parent.as_deref(), Some("RSK"));
        assert_eq!(rabat.label["fr"], "Préfecture de Rabat", "labels keyed by UI language");
        assert_eq!(field("postalCode").options.len(), 10);

        // Casablanca's district under Rabat: each level must hang under the one above.
        let mut identity = complete();
        identity["zone"] = json!("CASABLANCA-ANFA");
        identity["postalCode"] = json!("20050");
        assert_eq!(
            codes(form.validate(&identity, TODAY)),
            vec![("zone".into(), None, "not_an_option".into())]
        );
        identity["city"] = json!("NOWHERE");
        assert_eq!(
            codes(form.validate(&identity, TODAY)),
            vec![
                ("city".into(), None, "not_an_option".into()),
                ("zone".into(), None, "not_an_option".into())
            ]
        );
    }

    #[test]
    fn a_guardian_is_asked_for_a_minor_only_and_left_out_for_an_adult() {
        let form = form();
        let mut minor = complete();
        minor["dateOfBirth"] = json!("2010/11/26"); // 15, sixteen tomorrow
        assert_eq!(
            codes(form.validate(&minor, TODAY)),
            vec![
                ("parentOrGuardianName".into(), Some("eng".into()), "required".into()),
                ("parentOrGuardianName".into(), Some("ara".into()), "required".into()),
            ]
        );
        minor["parentOrGuardianName"] = json!([
            {"language": "eng", "value": "Hassan Idrissi"}, {"language": "ara", "value": "حسن الإدريسي"}
        ]);
        minor["parentOrGuardianUIN"] = json!("12");
        assert_eq!(
            codes(form.validate(&minor, TODAY)),
            vec![("parentOrGuardianUIN".into(), None, "invalid_format".into())]
        );
        minor["parentOrGuardianUIN"] = json!("1234567890");
        form.validate(&minor, TODAY).unwrap();
        assert_eq!(form.applicable_identity(&minor, TODAY, &FormScope::whole_form()), minor);

        // Eighteen on TODAY: an adult; a guardian typed earlier is not checked and not kept.
        let mut adult = minor.clone();
        adult["dateOfBirth"] = json!("2008/11/25");
        adult["parentOrGuardianUIN"] = json!("12");
        form.validate(&adult, TODAY).unwrap();
        let kept = form.applicable_identity(&adult, TODAY, &FormScope::whole_form());
        assert!(kept.get("parentOrGuardianName").is_none() && kept.get("parentOrGuardianUIN").is_none());
        assert_eq!(kept["fullName"], adult["fullName"]);
        // One day short of eighteen: still a minor.
        adult["dateOfBirth"] = json!("2008/11/26");
        assert_eq!(
            codes(form.validate(&adult, TODAY)),
            vec![("parentOrGuardianUIN".into(), None, "invalid_format".into())]
        );
    }

    #[test]
    fn ages_count_full_years() {
        let born = CalendarDate::parse_slashed("2000/02/29").unwrap();
        let on = |text: &str| born.full_years_on(CalendarDate::parse_slashed(text).unwrap());
        assert_eq!(on("2018/02/28"), 17);
        assert_eq!(on("2018/03/01"), 18);
        assert_eq!(on("2020/02/29"), 20);
        assert_eq!(on("2000/02/29"), 0);
        assert_eq!(on("1999/01/01"), 0, "born after today: no negative age");
    }

    #[test]
    fn a_checkbox_is_yes_or_no_and_a_required_one_must_be_ticked() {
        let mut identity = complete();
        identity["smsNotifications"] = json!("Y");
        form().validate(&identity, TODAY).unwrap();
        identity["smsNotifications"] = json!("N");
        form().validate(&identity, TODAY).unwrap();
        identity["smsNotifications"] = json!("yes");
        assert_eq!(
            codes(form().validate(&identity, TODAY)),
            vec![("smsNotifications".into(), None, "not_an_option".into())]
        );

        let schema = IdSchema::from_json(crate::DEFAULT_ID_SCHEMA).unwrap();
        let mut ui = UiSpec::from_json(crate::DEFAULT_UI_SPEC).unwrap();
        ui.fields
            .iter_mut()
            .find(|f| f.id == "smsNotifications")
            .unwrap()
            .required = true;
        let form = Form::new(schema, ui)
            .unwrap()
            .with_master_data(&crate::default_master_data().unwrap());
        identity["smsNotifications"] = json!("N");
        assert_eq!(
            codes(form.validate(&identity, TODAY)),
            vec![("smsNotifications".into(), None, "required".into())]
        );
    }

    #[test]
    fn a_field_the_schema_requires_cannot_be_conditional_and_a_date_is_not_multilingual() {
        let schema = IdSchema::from_json(crate::DEFAULT_ID_SCHEMA).unwrap();
        let mut ui = UiSpec::from_json(crate::DEFAULT_UI_SPEC).unwrap();
        ui.fields.iter_mut().find(|f| f.id == "gender").unwrap().shown_when = Some(Condition::Equals {
            field: "residenceStatus".into(),
            value: "FR".into(),
        });
        let error = Form::new(schema.clone(), ui).unwrap_err().to_string();
        assert!(
            error.contains("`gender` is required by the ID schema, so it cannot depend"),
            "{error}"
        );

        let mut ui = UiSpec::from_json(crate::DEFAULT_UI_SPEC).unwrap();
        ui.fields.iter_mut().find(|f| f.id == "fullName").unwrap().control = Control::Date;
        let error = Form::new(schema, ui).unwrap_err().to_string();
        assert!(error.contains("`fullName` is multilingual"), "{error}");
    }

    #[test]
    fn control_characters_and_line_breaks_are_refused_even_in_a_draft() {
        for text in ["Amina\rIdrissi", "Amina\nIdrissi", "Amina\u{2028}Idrissi", "Amina\u{0}"] {
            let identity = json!({"fullName": [{"language": "eng", "value": text}]});
            assert_eq!(
                codes(form().check_draft(&identity)),
                vec![("fullName".into(), Some("eng".into()), "invalid_format".into())],
                "{text:?}"
            );
        }
    }
}
