//! Roles are enforced by the application API, whatever the UI shows: the matrix of every
//! `Station` method against nobody, an officer, a supervisor and an admin.

use enroll_station::home::{HomeCursor, HomeListName};
use enroll_station::{
    IntakeAddressRequest, NewOperatorRequest, PolicyRequest, QualityThresholdsRequest, RoleName, SetupRequest, Station,
    StationError, UiLanguageRequest,
};

use crate::{as_user, fixture, identity, password, pending_registration, ADMIN, MAKER, OFFICER, SUPERVISOR};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Nobody,
    Officer,
    Supervisor,
    Admin,
}

const EVERYONE: &[Who] = &[Who::Nobody, Who::Officer, Who::Supervisor, Who::Admin];
const SIGNED_IN: &[Who] = &[Who::Officer, Who::Supervisor, Who::Admin];
const REVIEWERS: &[Who] = &[Who::Supervisor, Who::Admin];
const ADMINS: &[Who] = &[Who::Admin];
const NO_ONE: &[Who] = &[];

fn username(who: Who) -> Option<&'static str> {
    match who {
        Who::Nobody => None,
        Who::Officer => Some(OFFICER),
        Who::Supervisor => Some(SUPERVISOR),
        Who::Admin => Some(ADMIN),
    }
}

type Prepare = fn(&Station, Who) -> String;
type Call = fn(&Station, &str) -> Result<(), StationError>;

fn nothing(_: &Station, _: Who) -> String {
    String::new()
}

fn draft_by_maker(station: &Station, _: Who) -> String {
    as_user(station, MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, identity("Karim Test")).unwrap();
    crate::attach_proof_of_identity(station, &rid);
    crate::capture_face(station, &rid);
    rid
}

fn pending_by_maker(station: &Station, _: Who) -> String {
    as_user(station, MAKER);
    pending_registration(station)
}

fn pending_by_caller(station: &Station, who: Who) -> String {
    as_user(station, username(who).unwrap_or(MAKER));
    pending_registration(station)
}

fn sealed_by_maker(station: &Station, _: Who) -> String {
    as_user(station, MAKER);
    let rid = pending_registration(station);
    as_user(station, SUPERVISOR);
    station.approve(&rid).unwrap();
    rid
}

fn throwaway_operator(station: &Station, _: Who) -> String {
    as_user(station, ADMIN);
    let name = format!("temp{}", rand_suffix());
    station
        .add_operator(NewOperatorRequest {
            username: name.clone(),
            full_name: "Temporary".into(),
            role: RoleName::Officer,
            password: password(&name),
        })
        .unwrap();
    name
}

fn rand_suffix() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// (method, who may call it, preparation as someone else, the call).
fn methods() -> Vec<(&'static str, &'static [Who], Prepare, Call)> {
    vec![
        ("status", EVERYONE, nothing, |s, _| s.status().map(|_| ())),
        ("form", EVERYONE, nothing, |s, _| {
            assert!(!s.form().fields.is_empty());
            Ok(())
        }),
        ("add_operator", ADMINS, nothing, |s, _| {
            let name = format!("added{}", rand_suffix());
            s.add_operator(NewOperatorRequest {
                username: name.clone(),
                full_name: "Added".into(),
                role: RoleName::Officer,
                password: password(&name),
            })
            .map(|_| ())
        }),
        ("list_operators", ADMINS, nothing, |s, _| s.list_operators().map(|_| ())),
        ("remove_operator", ADMINS, throwaway_operator, |s, name| {
            s.remove_operator(name)
        }),
        ("reset_password", ADMINS, throwaway_operator, |s, name| {
            s.reset_password(name, "a brand new password")
        }),
        ("change_password", SIGNED_IN, nothing, |s, _| {
            let me = s.status()?.operator.ok_or(StationError::NotSignedIn)?.username;
            s.change_password(&password(&me), "temporary password")?;
            // Put it back so the next rows can sign in as before.
            s.change_password("temporary password", &password(&me))
        }),
        ("new_registration", SIGNED_IN, nothing, |s, _| {
            s.new_registration().map(|_| ())
        }),
        ("start_registration", SIGNED_IN, nothing, |s, _| {
            s.start_registration(enroll_station::StartRegistrationRequest {
                process: enroll_schemas::ProcessKind::Lost,
                resident_id: None,
                changes: Vec::new(),
                request_id: None,
            })
            .map(|_| ())
        }),
        ("save_draft", SIGNED_IN, draft_by_maker, |s, rid| {
            s.save_draft(rid, identity("Changed Name")).map(|_| ())
        }),
        ("devices", SIGNED_IN, nothing, |s, _| s.devices().map(|_| ())),
        ("refresh_devices", SIGNED_IN, nothing, |s, _| {
            s.refresh_devices().map(|_| ())
        }),
        ("capture_biometrics (face)", SIGNED_IN, draft_by_maker, |s, rid| {
            s.capture_biometrics(rid, enroll_station::biometrics::PolicyStep::Face)
                .map(|_| ())
        }),
        ("biometrics", SIGNED_IN, draft_by_maker, |s, rid| {
            s.biometrics(rid).map(|_| ())
        }),
        ("start_biometric_preview", SIGNED_IN, draft_by_maker, |s, rid| {
            let started = s.start_biometric_preview(rid, enroll_schemas::PolicyStep::Face, Box::new(|_| {}));
            s.stop_biometric_preview();
            started.map(|_| ())
        }),
        ("finalize", SIGNED_IN, draft_by_maker, |s, rid| {
            s.finalize(rid).map(|_| ())
        }),
        ("finalize_signed_off", SIGNED_IN, draft_by_maker, |s, rid| {
            let me = s.status()?.operator.ok_or(StationError::NotSignedIn)?.username;
            s.finalize_signed_off(rid, &password(&me)).map(|_| ())
        }),
        ("my_fingerprints", SIGNED_IN, nothing, |s, _| {
            s.my_fingerprints().map(|_| ())
        }),
        ("enroll_my_fingerprints", SIGNED_IN, nothing, |s, _| {
            let me = s.status()?.operator.ok_or(StationError::NotSignedIn)?.username;
            s.enroll_my_fingerprints(&password(&me), enroll_schemas::PolicyStep::Thumbs)
                .map(|_| ())
        }),
        (
            "finalize_signed_off_by_fingerprint",
            SIGNED_IN,
            draft_by_maker,
            |s, rid| {
                let me = s.status()?.operator.ok_or(StationError::NotSignedIn)?.username;
                s.enroll_my_fingerprints(&password(&me), enroll_schemas::PolicyStep::Thumbs)?;
                s.finalize_signed_off_by_fingerprint(rid).map(|_| ())
            },
        ),
        (
            "set_wizard_step (someone else's draft)",
            REVIEWERS,
            draft_by_maker,
            |s, rid| s.set_wizard_step(rid, enroll_station::WizardStep::Review).map(|_| ()),
        ),
        ("document_choices", SIGNED_IN, nothing, |s, _| {
            s.document_choices().map(|_| ())
        }),
        (
            "attach_document (someone else's draft)",
            REVIEWERS,
            draft_by_maker,
            |s, rid| s.attach_document(rid, crate::proof_of_identity()).map(|_| ()),
        ),
        (
            "remove_document (someone else's draft)",
            REVIEWERS,
            draft_by_maker,
            |s, rid| s.remove_document(rid, "POI").map(|_| ()),
        ),
        ("document_page_preview", SIGNED_IN, pending_by_maker, |s, rid| {
            s.document_page_preview(rid, "POI", 0).map(|_| ())
        }),
        ("document_scanners", SIGNED_IN, nothing, |s, _| {
            s.document_scanners().map(|_| ())
        }),
        ("document_camera", SIGNED_IN, nothing, |s, _| {
            s.document_camera().map(|_| ())
        }),
        ("photograph_document_page", SIGNED_IN, nothing, |s, _| {
            s.photograph_document_page().map(|_| ())
        }),
        ("discard_draft (someone else's)", REVIEWERS, draft_by_maker, |s, rid| {
            s.discard_draft(rid)
        }),
        ("approve", REVIEWERS, pending_by_maker, |s, rid| {
            s.approve(rid).map(|_| ())
        }),
        ("reject", REVIEWERS, pending_by_maker, |s, rid| {
            s.reject(rid, "the photo is blurred").map(|_| ())
        }),
        ("approve_batch", REVIEWERS, pending_by_maker, |s, rid| {
            let me = s.status()?.operator.ok_or(StationError::NotSignedIn)?.username;
            let report = s.approve_batch(&[rid.to_string()], &password(&me))?;
            assert_eq!(report.approved, [rid.to_string()], "{:?}", report.refused);
            Ok(())
        }),
        (
            "record_consent (someone else's draft)",
            REVIEWERS,
            draft_by_maker,
            |s, rid| s.record_consent(rid, true).map(|_| ()),
        ),
        ("approve (own registration)", NO_ONE, pending_by_caller, |s, rid| {
            s.approve(rid).map(|_| ())
        }),
        ("reject (own registration)", NO_ONE, pending_by_caller, |s, rid| {
            s.reject(rid, "the photo is blurred").map(|_| ())
        }),
        ("home_summary", SIGNED_IN, nothing, |s, _| s.home_summary().map(|_| ())),
        ("rejection_reasons", SIGNED_IN, nothing, |s, _| {
            s.rejection_reasons().map(|_| ())
        }),
        ("home_page", SIGNED_IN, nothing, |s, _| {
            let after = HomeCursor {
                updated_at: "2026-11-25T09:00:00Z".into(),
                registration_id: "0".into(),
            };
            s.home_page(HomeListName::Drafts, &after).map(|_| ())
        }),
        ("policy", SIGNED_IN, nothing, |s, _| s.policy().map(|_| ())),
        ("set_policy", ADMINS, nothing, |s, _| {
            // The policy as it is: the rows after this one keep their idle lock and retention.
            let current = s.policy()?;
            s.set_policy(PolicyRequest {
                idle_lock_minutes: current.idle_lock_minutes.into(),
                retention_days: current.retention_days.into(),
            })
            .map(|_| ())
        }),
        ("settings", SIGNED_IN, nothing, |s, _| s.settings().map(|_| ())),
        ("set_quality_thresholds", REVIEWERS, nothing, |s, _| {
            // The thresholds in force: the rows after this one capture as before.
            let in_force = s.capture_policy().quality_threshold;
            s.set_quality_thresholds(QualityThresholdsRequest {
                finger: in_force.finger.into(),
                iris: in_force.iris.into(),
                face: in_force.face.into(),
            })
            .map(|_| ())
        }),
        ("set_ui_language", SIGNED_IN, nothing, |s, _| {
            s.set_ui_language(UiLanguageRequest { language: "fr".into() })
        }),
        ("set_intake_address", ADMINS, nothing, |s, _| {
            // The address as it is: the rows after this one keep their intake.
            let current = s.settings()?;
            s.set_intake_address(IntakeAddressRequest {
                intake_url: current.intake_url,
            })
            .map(|_| ())
        }),
        ("session_state", EVERYONE, nothing, |s, _| s.session_state().map(|_| ())),
        ("lock_if_idle", EVERYONE, nothing, |s, _| s.lock_if_idle().map(|_| ())),
        ("registration", SIGNED_IN, pending_by_maker, |s, rid| {
            s.registration(rid).map(|_| ())
        }),
        ("registration_audit", SIGNED_IN, pending_by_maker, |s, rid| {
            s.registration_audit(rid).map(|_| ())
        }),
        ("sealed_envelope", SIGNED_IN, sealed_by_maker, |s, rid| {
            s.sealed_envelope(rid).map(|_| ())
        }),
        ("purge_expired", ADMINS, nothing, |s, _| s.purge_expired().map(|_| ())),
        ("sync_status", SIGNED_IN, nothing, |s, _| s.sync_status().map(|_| ())),
        ("offline_state", SIGNED_IN, nothing, |s, _| {
            s.offline_state().map(|_| ())
        }),
        ("upload_center", SIGNED_IN, sealed_by_maker, |s, _| {
            s.upload_center().map(|_| ())
        }),
        ("dashboard", REVIEWERS, nothing, |s, _| s.dashboard(0).map(|_| ())),
        // Who may release a quarantined packet: `tests/station/sync.rs`, which makes one.
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_checks_who_is_calling() {
    let fixture = fixture().await;
    let station = &fixture.station;
    let mut checked = 0;
    for (name, allowed, prepare, call) in methods() {
        for who in [Who::Nobody, Who::Officer, Who::Supervisor, Who::Admin] {
            let target = prepare(station, who);
            station.log_out();
            if let Some(user) = username(who) {
                station.log_in(user, &password(user)).unwrap();
            }
            let outcome = call(station, &target);
            if allowed.contains(&who) {
                outcome.unwrap_or_else(|e| panic!("{name} as {who:?} must be allowed, got {} ({e})", e.code()));
            } else {
                let error = outcome.expect_err(&format!("{name} as {who:?} must be refused"));
                let expected = if who == Who::Nobody {
                    "not_signed_in"
                } else {
                    "not_permitted"
                };
                assert_eq!(error.code(), expected, "{name} as {who:?}: {error}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, methods().len() * 4);

    // The async methods, and the ones that do not depend on a role.
    station.log_out();
    assert_eq!(station.sync_now().await.unwrap_err().code(), "not_signed_in");
    for user in [OFFICER, SUPERVISOR, ADMIN] {
        as_user(station, user);
        station.sync_now().await.unwrap();
    }
    let again = SetupRequest {
        station_name: "again".into(),
        center_id: "10001".into(),
        admin_username: "x".into(),
        admin_full_name: "x".into(),
        admin_password: "long enough".into(),
        enrollment_code: None,
    };
    assert_eq!(station.set_up(again).await.unwrap_err().code(), "already_set_up");
    station.log_out();
    assert_eq!(
        station.log_in(OFFICER, "wrong password").unwrap_err().code(),
        "wrong_credentials"
    );
    station.log_out();
    fixture.intake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_discard_their_own_drafts_and_admins_keep_the_station_manageable() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, OFFICER);
    let own = station.new_registration().unwrap().registration_id;
    station.discard_draft(&own).unwrap();
    assert_eq!(station.registration(&own).unwrap().state, "purged");

    as_user(station, ADMIN);
    let refused = station.remove_operator(ADMIN).unwrap_err();
    assert_eq!(refused.code(), "not_permitted");
    assert_eq!(
        serde_json::to_value(&refused).unwrap()["params"]["rule"],
        "remove_self",
        "the window is told which rule refused"
    );
    station
        .add_operator(NewOperatorRequest {
            username: "ali".into(),
            full_name: "Ali".into(),
            role: RoleName::Admin,
            password: password("ali"),
        })
        .unwrap();
    as_user(station, "ali");
    station.remove_operator(ADMIN).unwrap();
    let refused = station.remove_operator("ali").unwrap_err();
    assert_eq!(
        serde_json::to_value(&refused).unwrap()["params"]["rule"],
        "remove_self",
        "{refused}"
    );
    station.log_out();
    assert_eq!(
        station.log_in(ADMIN, &password(ADMIN)).unwrap_err().code(),
        "wrong_credentials",
        "a removed operator cannot sign in"
    );
    let refused = station.approve("nothing").unwrap_err();
    assert_eq!(refused.code(), "not_signed_in");
    fixture.intake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_operator_is_checked_before_any_keyslot_is_made() {
    let fixture = fixture().await;
    let station = &fixture.station;
    as_user(station, ADMIN);
    let request = |username: &str, role: RoleName, password: &str| NewOperatorRequest {
        username: username.into(),
        full_name: "Someone".into(),
        role,
        password: password.into(),
    };
    assert_eq!(
        station
            .add_operator(request(OFFICER, RoleName::Officer, "long enough"))
            .unwrap_err()
            .code(),
        "operator_exists"
    );
    // A role that does not exist does not even make a request: the window's call is refused
    // before it reaches the station.
    let unknown_role =
        serde_json::json!({"username": "x", "full_name": "X", "role": "superuser", "password": "long enough"});
    assert!(serde_json::from_value::<NewOperatorRequest>(unknown_role).is_err());
    assert_eq!(
        station
            .add_operator(request("y", RoleName::Officer, "short"))
            .unwrap_err()
            .code(),
        "validation_failed"
    );
    assert_eq!(
        station.reset_password(OFFICER, "short").unwrap_err().code(),
        "validation_failed"
    );
    assert_eq!(
        station.reset_password("nobody", "long enough").unwrap_err().code(),
        "not_found"
    );
    fixture.intake.shutdown().await;
}
