//! First run: create the station. The intake is asked first (register keys, then the
//! station's registration, which carries the station's request key and the packet key's proof
//! for it: see `request_key`), the vault is written last and in one transaction, so a failure
//! at any step leaves nothing half-created and the admin can simply try again.

use enroll_packet::StationSigningKey;
use enroll_store::{DataKey, NewOperator, NewRequestKey, Role, StationRecord};
use enroll_sync::{IntakeClient, StationRegistration};
use zeroize::Zeroizing;

use crate::{request_key, rfc3339, SetupRequest, Station, StationError};

const MIN_PASSWORD_CHARS: usize = 8;
/// Attempts at a free station id before giving up (ids are random; collisions are rare).
const STATION_ID_ATTEMPTS: usize = 5;

pub(crate) async fn set_up(station: &Station, request: SetupRequest) -> Result<(), StationError> {
    check_request(&request)?;
    if station.vault().station()?.is_some() {
        return Err(StationError::AlreadySetUp);
    }
    let client = IntakeClient::new(&station.config.intake_url)?;
    let register_keys = client.register_keys().await?;
    let signing_key = StationSigningKey::generate();
    let request_seed = request_key::new_seed();
    let code = request
        .enrollment_code
        .as_deref()
        .map(str::trim)
        .filter(|code| !code.is_empty());
    let mut station_id = String::new();
    let mut registration = StationRegistration::Pending;
    let mut request_proof = [0; 64];
    for attempt in 1..=STATION_ID_ATTEMPTS {
        station_id = format!("{}", rand::random::<u32>() % 90_000 + 10_000);
        // The proof names the station id: one per id tried.
        request_proof = request_key::proof(&signing_key, &station_id, &request_seed);
        match client
            .clone()
            .with_request_key(request_seed, request_proof)
            .register_station_with_code(
                &station_id,
                request.station_name.trim(),
                &signing_key.public_key(),
                code,
            )
            .await
        {
            Ok(registered) => {
                registration = registered;
                break;
            }
            Err(error) if error.code() == "station_exists" && attempt < STATION_ID_ATTEMPTS => continue,
            // Said next to the field, so the admin retypes it; nothing was created.
            Err(enroll_sync::SyncError::EnrollmentCodeInvalid) => {
                return Err(StationError::ValidationFailed(vec![crate::FieldError {
                    field: "enrollment_code".into(),
                    language: None,
                    code: "invalid".into(),
                    message: "the enrollment code is mistyped, already used or expired".into(),
                }]))
            }
            Err(error) => return Err(error.into()),
        }
    }
    let created_at = rfc3339((station.clock)());
    let record = StationRecord {
        station_id,
        name: request.station_name.trim().to_string(),
        center_id: request.center_id.trim().to_string(),
        intake_url: station.config.intake_url.clone(),
        register_keys_json: register_keys.to_json(),
        created_at: created_at.clone(),
    };
    let admin = NewOperator {
        username: request.admin_username.trim().to_string(),
        full_name: request.admin_full_name.trim().to_string(),
        role: Role::Admin,
        password: Zeroizing::new(request.admin_password),
    };
    {
        // The new station key signs the chain's first event: the audit is signed from the start.
        let mut vault = station.vault();
        let signer = StationSigningKey::from_seed(signing_key.seed());
        vault.set_audit_session(Some(enroll_store::AuditSession {
            actor: admin.username.clone(),
            signer: Box::new(move |message| {
                use ed25519_dalek::Signer as _;
                signer.0.sign(message).to_bytes().to_vec()
            }),
        }));
        let created = vault.create_station_with_public_key(
            &record,
            &signing_key.seed(),
            Some(&signing_key.public_key()),
            Some(&NewRequestKey {
                seed: &request_seed,
                proof: &request_proof,
                registered_at: &created_at,
            }),
            &admin,
            &DataKey::generate(),
        );
        vault.set_audit_session(None);
        created?;
    }
    if registration == StationRegistration::Pending {
        // The window says so at once; the sync keeps packets queued until the approval.
        let waiting = StationError::Sync(enroll_sync::SyncError::StationPending {
            station_id: record.station_id.clone(),
        });
        station
            .sync_monitor
            .update(|status| status.blocked = Some(waiting.into()));
    }
    tracing::info!(
        station_id = %record.station_id,
        register_key = %register_keys.key_id().to_hex(),
        approved = registration == StationRegistration::Approved,
        "station set up"
    );
    Ok(())
}

fn check_request(request: &SetupRequest) -> Result<(), StationError> {
    let mut problems = Vec::new();
    let problem = |field: &str, code: &str, message: &str| crate::FieldError {
        field: field.into(),
        language: None,
        code: code.into(),
        message: message.into(),
    };
    if request.station_name.trim().is_empty() {
        problems.push(problem("station_name", "required", "give the station a name"));
    }
    let center = request.center_id.trim();
    if center.len() != 5 || !center.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(problem(
            "center_id",
            "invalid_format",
            "the center id has 5 digits, e.g. 10002",
        ));
    }
    if let Err(StationError::ValidationFailed(operator_problems)) = check_operator(
        &request.admin_username,
        &request.admin_full_name,
        &request.admin_password,
    ) {
        problems.extend(operator_problems.into_iter().map(|mut p| {
            p.field = format!("admin_{}", p.field);
            p
        }));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StationError::ValidationFailed(problems))
    }
}

/// An operator's username, full name and password; field names `username`, `full_name`, `password`.
pub(crate) fn check_operator(username: &str, full_name: &str, password: &str) -> Result<(), StationError> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, code: &str, message: &str| {
        problems.push(crate::FieldError {
            field: field.into(),
            language: None,
            code: code.into(),
            message: message.into(),
        })
    };
    let username = username.trim();
    if username.is_empty()
        || username.len() > 32
        || !username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        problem(
            "username",
            "invalid_format",
            "use 1 to 32 letters, digits, dots, dashes or underscores",
        );
    }
    if full_name.trim().is_empty() {
        problem("full_name", "required", "the full name is required");
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        problem("password", "too_short", "use at least 8 characters");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StationError::ValidationFailed(problems))
    }
}
