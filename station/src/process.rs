//! Starting a registration of another process than a new one: an update of a registered
//! resident, a lost card, a correction (`enroll_schemas::process`). The process, the resident's
//! ID number and the groups that change are fixed when the draft is made and kept in it; every
//! later check (the form, the documents, the biometric steps) takes the draft's scope from them.
//!
//! The ID number is checked for shape only (MOSIP's UIN: 10 digits, the last a Verhoeff check
//! digit): the station is offline and cannot look the resident up. The register does, when the
//! packet arrives.

use enroll_schemas::{FormScope, ProcessKind};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::content::Draft;
use crate::{FieldError, RegistrationView, Station, StationError};

/// The digits of a UIN as MOSIP issues them by default.
const UIN_DIGITS: usize = 10;

/// The longest register request id accepted: MOSIP's are a registration id (29 digits), the
/// process's name and a count, about 60 characters.
const MAX_REQUEST_ID_CHARS: usize = 100;

/// What the clerk chose to start.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
pub struct StartRegistrationRequest {
    pub process: ProcessKind,
    /// The resident's ID number, for a process that asks for it.
    pub resident_id: Option<String>,
    /// The ids of the groups that change, for a process with groups.
    pub changes: Vec<String>,
    /// The register's request this registration answers, for a process that asks for it.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// A draft's process, kept in the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ProcessView {
    pub process: ProcessKind,
    pub resident_id: Option<String>,
    /// Empty: the whole form.
    pub changes: Vec<String>,
    /// The register's request it answers (a correction).
    #[serde(default)]
    pub request_id: Option<String>,
}

impl ProcessView {
    /// A packet's record, read back: `None` for a new registration (and a kind this version
    /// does not know, which it shows as it shows a new one).
    pub(crate) fn from_record(record: &enroll_packet::ProcessRecord) -> Option<ProcessView> {
        let process = match record.kind.as_str() {
            "update" => ProcessKind::Update,
            "lost" => ProcessKind::Lost,
            "correction" => ProcessKind::Correction,
            _ => return None,
        };
        Some(ProcessView {
            process,
            resident_id: record.resident_id.clone(),
            changes: record.changes.clone(),
            request_id: record.request_id.clone(),
        })
    }

    pub(crate) fn record(&self) -> enroll_packet::ProcessRecord {
        enroll_packet::ProcessRecord {
            kind: self.process.as_str().to_string(),
            resident_id: self.resident_id.clone(),
            changes: self.changes.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// The register's request id, for a process that asks for one: the shape of MOSIP's
/// additional-information request ids, `<digits>-<PROCESS_NAME>-<count>`. Offline, the station
/// checks the shape only; the register knows whether it asked.
fn check_request_id(
    configured: &enroll_schemas::FormProcess,
    process: ProcessKind,
    typed: Option<&str>,
) -> Result<Option<String>, StationError> {
    let typed = typed.map(str::trim);
    if !configured.asks_for_request {
        return match typed {
            None => Ok(None),
            Some(_) => Err(StationError::InvalidInput(format!(
                "a {} answers no request of the register",
                process.as_str()
            ))),
        };
    }
    let Some(id) = typed.filter(|id| !id.is_empty()) else {
        return Err(problem(
            "process.request_id",
            "required",
            "enter the register's request number from the resident's letter",
        ));
    };
    if !is_request_id(id) {
        return Err(problem(
            "process.request_id",
            "invalid_format",
            "a request number is digits, a name in capitals and a count, joined by dashes",
        ));
    }
    Ok(Some(id.to_string()))
}

/// `<digits>-<NAME>-<count>`: 10 to 40 digits, a name of capitals and underscores, 1 to 4 digits.
fn is_request_id(id: &str) -> bool {
    if id.len() > MAX_REQUEST_ID_CHARS {
        return false;
    }
    let parts: Vec<&str> = id.split('-').collect();
    let [base, name, count] = parts.as_slice() else {
        return false;
    };
    let digits = |text: &str, range: std::ops::RangeInclusive<usize>| {
        range.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
    };
    digits(base, 10..=40)
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        && digits(count, 1..=4)
}

fn problem(field: &str, code: &str, message: &str) -> StationError {
    StationError::ValidationFailed(vec![FieldError {
        field: field.into(),
        language: None,
        code: code.into(),
        message: message.into(),
    }])
}

impl Station {
    /// Start a registration of `request.process`. A new registration is
    /// [`Station::new_registration`]; the others need the form to configure them, the ID number
    /// when the process asks for it (field `process.resident_id`: `required`,
    /// `invalid_format`), the register's request id when it asks for that (field
    /// `process.request_id`: `required`, `invalid_format`), and at least one known group when
    /// it has groups (field `process.changes`: `required`, `not_an_option`). Nothing is made
    /// when one is wrong.
    pub fn start_registration(&self, request: StartRegistrationRequest) -> Result<RegistrationView, StationError> {
        self.signed_in()?;
        if request.process == ProcessKind::New {
            if request.resident_id.is_some() || !request.changes.is_empty() || request.request_id.is_some() {
                return Err(StationError::InvalidInput(
                    "a new registration takes no ID number, no request and no changes".into(),
                ));
            }
            return self.new_registration();
        }
        let configured = self.configured_process(request.process).ok_or_else(|| {
            StationError::InvalidInput(format!("this form has no {} process", request.process.as_str()))
        })?;
        let resident_id = match (configured.asks_for_id, request.resident_id.as_deref().map(str::trim)) {
            (false, None) => None,
            (false, Some(_)) => {
                return Err(StationError::InvalidInput(format!(
                    "a {} takes no ID number",
                    request.process.as_str()
                )))
            }
            (true, None | Some("")) => {
                return Err(problem(
                    "process.resident_id",
                    "required",
                    "enter the resident's ID number",
                ))
            }
            (true, Some(id)) => {
                let shaped = id.len() == UIN_DIGITS && id.bytes().all(|b| b.is_ascii_digit());
                if !shaped || !crate::verhoeff_is_valid(id) {
                    return Err(problem(
                        "process.resident_id",
                        "invalid_format",
                        "an ID number is 10 digits and its last digit checks the others",
                    ));
                }
                Some(id.to_string())
            }
        };
        let request_id = check_request_id(configured, request.process, request.request_id.as_deref())?;
        let scope = configured.scope(&request.changes).map_err(|why| {
            let code = if request.changes.is_empty() {
                "required"
            } else {
                "not_an_option"
            };
            problem("process.changes", code, &why)
        })?;
        let process = ProcessView {
            process: request.process,
            resident_id,
            changes: request.changes,
            request_id,
        };
        tracing::info!(process = process.process.as_str(), changes = ?process.changes, "registration started");
        self.make_draft(Some(process), scope.biometric_steps)
    }

    /// The form's configuration of `kind`, if it has one.
    fn configured_process(&self, kind: ProcessKind) -> Option<&enroll_schemas::FormProcess> {
        self.form.spec().processes.iter().find(|p| p.process == kind)
    }

    /// The part of the form `draft` takes, from its process (a draft without one is new).
    pub(crate) fn scope_of(&self, draft: &Draft) -> Result<FormScope, StationError> {
        self.scope_of_process(draft.process.as_ref())
    }

    /// The biometric steps a pending packet's process took, from its record (`None`: every step
    /// of the policy, as for a new registration). Should the form have changed since, so that
    /// the record no longer fits it, the steps the packet holds anything of.
    pub(crate) fn packet_biometric_steps(
        &self,
        record: Option<&enroll_packet::ProcessRecord>,
        held: impl FnOnce() -> Vec<enroll_schemas::PolicyStep>,
    ) -> Option<Vec<enroll_schemas::PolicyStep>> {
        let process = record.and_then(ProcessView::from_record);
        match self.scope_of_process(process.as_ref()) {
            Ok(scope) => scope.biometric_steps,
            Err(_) => Some(held()),
        }
    }

    fn scope_of_process(&self, process: Option<&ProcessView>) -> Result<FormScope, StationError> {
        let Some(process) = process else {
            return Ok(FormScope::whole_form());
        };
        let configured = self.configured_process(process.process).ok_or_else(|| {
            StationError::Config(format!(
                "the form no longer has the {} process this draft was started for; discard it and start again",
                process.process.as_str()
            ))
        })?;
        configured.scope(&process.changes).map_err(|why| {
            StationError::Config(format!(
                "this draft's changes no longer fit the form ({why}); discard it and start again"
            ))
        })
    }
}
