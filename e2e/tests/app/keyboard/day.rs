//! The rest of a station's day by keyboard alone, in French, after `mod.rs`'s registration:
//! the admin's settings (her interface language, the intake address, her fingers), three
//! updates of registered residents (the first signed off with her finger), and then the
//! supervisor's work: a rejection with a reason from the register's list, a batch approval
//! after one password, and the upload centre. Same rules as `mod.rs`: keys only, and scripts
//! only read.

use anyhow::{ensure, Context, Result};
use fantoccini::key::Key;
use serde_json::json;

use super::super::harness::{by_test_id, Ui};
use super::super::test_ids as id;
use super::keys::{
    capture, choose, choose_radio, ensure_direction, press, replace_text, tab_to, type_text, wait_for_focus, Backwards,
    Forwards,
};

/// How the admin signs an update off.
#[derive(Clone, Copy)]
pub enum SignOff {
    Password,
    Finger,
}

/// Residents the register knows (ID numbers with their Verhoeff check digit), one per update.
pub const UPDATED_RESIDENTS: [(&str, SignOff); 3] = [
    ("1234567890", SignOff::Finger),
    ("2345678910", SignOff::Password),
    ("3456789128", SignOff::Password),
];

/// The settings, from home and back to it: French for the interface (the window follows at
/// once), an intake address over plain HTTP refused next to its field and then the right one
/// saved, and her right hand enrolled for the sign-off after her password.
pub async fn settings_in_french(ui: &Ui, password: &str) -> Result<()> {
    tab_to(ui, id::SETTINGS_OPEN, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::SETTINGS_SCREEN).await?;
    wait_for_focus(ui, &by_test_id(id::SETTINGS_BACK), "the settings open").await?;
    // Tab enters the language group on the checked choice; Down moves the choice.
    let current: String = ui
        .client
        .execute("return document.documentElement.lang", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    tab_to(ui, &id::ui_language_choice_id(&current), Forwards).await?;
    choose_radio(ui, "fr").await?;
    ui.wait_for(id::SETTINGS_LANGUAGE_OUTCOME).await?;
    ensure_language(ui, "fr").await?;

    tab_to(ui, id::SETTINGS_INTAKE_URL, Forwards).await?;
    let intake_url = ui.value(id::SETTINGS_INTAKE_URL).await?;
    ensure!(
        intake_url.starts_with("http://127.0.0.1:"),
        "the intake address shown: {intake_url:?}"
    );
    replace_text(ui, "http://intake.register.example").await?;
    press(ui, Key::Enter).await?;
    let refused = ui.text(&id::input_error_id(id::SETTINGS_INTAKE_URL)).await?;
    ensure!(
        refused.contains("https://"),
        "the refusal says why, in French: {refused:?}"
    );
    // The caret stays in the refused address, to be corrected there.
    wait_for_focus(ui, &by_test_id(id::SETTINGS_INTAKE_URL), "the address is refused").await?;
    ui.screenshot("12i-keyboard-settings-intake-refused-french").await?;
    replace_text(ui, &intake_url).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::SETTINGS_INTAKE_OUTCOME).await?;

    tab_to(ui, id::SETTINGS_FINGERS_STEP, Forwards).await?;
    choose(ui, "rightSlap").await?;
    tab_to(ui, id::SETTINGS_FINGERS_PASSWORD, Forwards).await?;
    type_text(ui, password).await?;
    press(ui, Key::Enter).await?;
    let enrolled = ui.text(id::SETTINGS_FINGERS_OUTCOME).await?;
    ensure!(
        enrolled.contains("Vos doigts sont enregistrés"),
        "the enrolment says, in French: {enrolled:?}"
    );
    ui.screenshot("12j-keyboard-settings-fingers-french").await?;
    tab_to(ui, id::SETTINGS_BACK, Backwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    Ok(())
}

/// An update of `resident`'s phone, from home's Start button to the slip and home again;
/// returns its registration id, pending approval.
pub async fn update_by_keyboard(ui: &Ui, resident: &str, sign_off: SignOff, password: &str) -> Result<String> {
    tab_to(ui, id::START_PROCESS_OPEN, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::START_PROCESS_DIALOG).await?;
    // The dialog takes the caret to the process it offers first.
    wait_for_focus(ui, "[data-testid^=process-]", "the start dialog opens").await?;
    choose_radio(ui, "update").await?;
    tab_to(ui, id::START_PROCESS_RESIDENT_ID, Forwards).await?;
    type_text(ui, resident).await?;
    tab_to(ui, &id::process_change_id("contact"), Forwards).await?;
    press(ui, Key::Space).await?;
    tab_to(ui, id::START_PROCESS_CONFIRM, Forwards).await?;
    press(ui, Key::Enter).await?;
    let registration_id = super::super::flows::registration_opened(ui).await?;
    eprintln!("[e2e] keyboard update {registration_id} of {resident}");
    wait_for_focus(ui, &by_test_id(id::CONSENT_AGREE), "the update's consent step opens").await?;
    press(ui, Key::Enter).await?;
    let banner = ui.text(id::PROCESS_BANNER).await?;
    ensure!(
        banner.contains(resident) && banner.contains("Téléphone et courriel"),
        "the update's banner reads {banner:?}"
    );
    // The form holds only what changes: the caret waits in the phone.
    let phone = id::field_input("phone", None);
    wait_for_focus(ui, &by_test_id(&phone), "the update's consent is given").await?;
    type_text(ui, "+212611223344").await?;
    tab_to(ui, id::WIZARD_NEXT, Forwards).await?;
    press(ui, Key::Enter).await?;
    // No document changes: Next goes on to the biometrics, where the face authenticates.
    ui.wait_for(id::BIOMETRICS_SECTION).await?;
    wait_for_focus(ui, &by_test_id(id::BIOMETRICS_SECTION), "the update's biometrics open").await?;
    capture(ui, "face").await?;
    ui.wait_for_attr(id::BIOMETRICS_STATUS, "data-complete", "true").await?;
    tab_to(ui, id::WIZARD_NEXT, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::REVIEW_STEP).await?;
    wait_for_focus(ui, &by_test_id(id::REVIEW_STEP), "the update's review opens").await?;
    tab_to(ui, id::OFFICER_SIGN_OFF_OPEN, Forwards).await?;
    press(ui, Key::Enter).await?;
    wait_for_focus(
        ui,
        &by_test_id(id::OFFICER_SIGN_OFF_PASSWORD),
        "the update's sign-off opens",
    )
    .await?;
    match sign_off {
        SignOff::Password => type_text(ui, password).await?,
        SignOff::Finger => {
            tab_to(ui, id::OFFICER_SIGN_OFF_BY_FINGER, Forwards).await?;
            ui.screenshot("12k-keyboard-sign-off-by-finger-french").await?;
        }
    }
    press(ui, Key::Enter).await?;
    ui.wait_for(id::SLIP_SCREEN).await?;
    wait_for_focus(ui, &by_test_id(id::SLIP_DONE), "the update's slip opens").await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    super::super::ensure_in_list(ui, id::HOME_PENDING, &registration_id).await?;
    Ok(registration_id)
}

/// The supervisor, signed in on home: rejects `rejected` from its review with the register's
/// first reason, then ticks `batch` on home and approves them together after her password.
pub async fn reject_and_approve_a_batch(ui: &Ui, rejected: &str, batch: &[String], password: &str) -> Result<()> {
    tab_to(ui, &id::row_review_id(rejected), Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::REVIEW_REJECT).await?;
    // The review shows the update's face alone: no fingers or irises "left to capture".
    ui.wait_for_attr(&id::biometric_step_id("face"), "data-done", "true")
        .await?;
    let steps = super::super::flows::biometric_steps_shown(ui).await?;
    ensure!(
        steps == 1,
        "the update's review shows {steps} biometric steps, not its face alone"
    );
    tab_to(ui, id::REVIEW_REJECT, Forwards).await?;
    press(ui, Key::Enter).await?;
    // The register's reasons open under the caret; the first one fills the reason below.
    wait_for_focus(ui, &by_test_id(id::REVIEW_REJECT_CHOICE), "Reject is pressed").await?;
    let first = ui
        .client
        .execute("return document.activeElement.options[1]?.value ?? null", vec![])
        .await?;
    let first = first
        .as_str()
        .context("the register's list has a rejection reason")?
        .to_owned();
    choose(ui, &first).await?;
    let reason = ui.value(id::REVIEW_REJECT_REASON).await?;
    ensure!(!reason.is_empty(), "choosing {first} left the reason empty");
    tab_to(ui, id::REVIEW_REJECT_CONFIRM, Forwards).await?;
    ui.screenshot("12l-keyboard-reject-french").await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let banner = ui.text(id::BANNER).await?;
    ensure!(
        banner.contains(rejected) && banner.contains("est rejeté"),
        "after the rejection by keyboard, home says {banner:?}"
    );

    for registration_id in batch {
        super::super::ensure_in_list(ui, id::HOME_PENDING, registration_id).await?;
        tab_to(ui, &id::row_select_id(registration_id), Forwards).await?;
        press(ui, Key::Space).await?;
    }
    tab_to(ui, id::HOME_APPROVE_SELECTED, Forwards).await?;
    let approve_selected = ui.text(id::HOME_APPROVE_SELECTED).await?;
    ensure!(
        approve_selected == format!("Approuver la sélection ({})", batch.len()),
        "the batch button reads {approve_selected:?}"
    );
    press(ui, Key::Enter).await?;
    ui.wait_for(id::BATCH_APPROVE_DIALOG).await?;
    wait_for_focus(ui, &by_test_id(id::BATCH_APPROVE_PASSWORD), "the batch dialog opens").await?;
    type_text(ui, password).await?;
    ui.screenshot("12m-keyboard-batch-french").await?;
    press(ui, Key::Enter).await?;
    let banner = ui
        .wait_until("the batch's banner", || async {
            let text = ui.text(id::BANNER).await?;
            Ok(text.contains("Approuvés").then_some(text))
        })
        .await?;
    ensure!(
        banner.contains(&format!(
            "Approuvés et en file d’envoi : {} enregistrements.",
            batch.len()
        )),
        "after the batch by keyboard, home says {banner:?}"
    );
    Ok(())
}

/// The upload centre from home: Send now, then back home once every packet in `sent` has
/// its receipt.
pub async fn upload_centre(ui: &Ui, sent: &[String]) -> Result<()> {
    tab_to(ui, id::UPLOAD_CENTER_OPEN, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::UPLOAD_CENTER).await?;
    wait_for_focus(ui, &by_test_id(id::UPLOAD_CENTER_BACK), "the upload centre opens").await?;
    tab_to(ui, id::UPLOAD_CENTER_SYNC, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_until("the upload centre's queue to empty", || async {
        let left = ui
            .client
            .execute(
                "return document.querySelectorAll('[data-testid^=\"upload-\"][data-quarantined]').length",
                vec![],
            )
            .await?;
        Ok((left == json!(0)).then_some(()))
    })
    .await?;
    // Send now kept the caret through the sending.
    wait_for_focus(ui, &by_test_id(id::UPLOAD_CENTER_SYNC), "the upload centre sent").await?;
    ui.screenshot("12n-keyboard-upload-centre-french").await?;
    tab_to(ui, id::UPLOAD_CENTER_BACK, Backwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    for registration_id in sent {
        ui.wait_for_attr(&id::row_state_id(registration_id), "data-state", "acknowledged")
            .await
            .with_context(|| format!("{registration_id} acknowledged by the intake"))?;
    }
    ensure_direction(ui, "ltr").await
}

/// The window's interface is in `language`.
pub async fn ensure_language(ui: &Ui, language: &str) -> Result<()> {
    let found = ui
        .client
        .execute("return document.documentElement.lang", vec![])
        .await?;
    ensure!(found == json!(language), "the window is in {found}, not {language}");
    Ok(())
}
