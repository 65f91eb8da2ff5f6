//! Keyboard only, in the real window: a clerk sets the station up, signs in and completes a
//! whole registration (consent, the form, the proof of identity from the scanner, every
//! biometric step, the review, the officer's sign-off, the acknowledgement slip) without a
//! mouse, with the interface in Arabic, right to left. Then, in French (`day.rs`), the admin
//! sets her settings (language, intake address, her fingers), makes three updates of
//! registered residents (the first signed off with her finger) and adds a supervisor, who signs
//! in, approves the registration from its review, rejects an update with a reason from the
//! register's list, approves the other two as a batch, and sends them from the upload centre:
//! every flow of the station's day, still by keyboard alone.
//!
//! Every input is a key pressed where the focus is (WebDriver's actions for Tab, Shift+Tab,
//! Enter, Space and the arrows; typed text goes to the focused element): no click, and no
//! script that sets a value or moves the focus. Scripts only read the window: which element has
//! the focus, and whether that focus shows. Each focus stop on the way to a control must show
//! (an outline or `app.css`'s focus shadow). Where the app moves the caret itself (a new
//! screen, the consent given, a dialog) it must land on the control the clerk needs next; a
//! button whose action takes a while (Scan, Attach, Capture, Send now) keeps it; and a step that opens
//! must not drop it on `<body>`, from where the next Tab starts at the top of the window. On
//! the form, Tab goes from the English name to the Arabic one, which lies to its left right to
//! left and to its right left to right (or below), and Shift+Tab comes back; the sign-off
//! dialog keeps Tab inside itself.
//!
//! Deliberately absent: the supervisor's sign-off of a step under its threshold (the
//! built-in simulated devices' good sitter passes every step: the test fails rather than skip
//! if one does not), optional documents and fields, a lost card and a correction (the same
//! start dialog and wizard as an update), quarantined packets, and the administration screens
//! other than adding an operator; `main.rs` covers those with clicks.

mod day;
mod keys;

use anyhow::{bail, ensure, Context, Result};
use fantoccini::key::Key;
use serde_json::json;

use super::harness::{by_test_id, Ui};
use super::own_window::OwnWindow;
use super::test_ids as id;
use keys::{
    capture, choose, ensure_direction, ensure_next_in_reading_order, ensure_tab_goes_round, press, tab_once_to, tab_to,
    type_keys, type_text, wait_for_focus, Backwards, Forwards,
};

const STATION_NAME: &str = "الرباط 2";
const ADMIN: &str = "admin";
const ADMIN_FULL_NAME: &str = "نادية العمراني";
const PASSWORD: &str = "correct horse battery";
const SUPERVISOR: &str = "sara";
const SUPERVISOR_FULL_NAME: &str = "Sara Bennani";
/// The capture policy's steps, in the order the biometrics step lists them.
const BIOMETRIC_STEPS: [&str; 5] = ["leftSlap", "rightSlap", "thumbs", "bothIrises", "face"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_registers_a_resident_in_arabic_with_the_keyboard_alone() {
    let window = OwnWindow::open("app-keyboard.log").await;
    let outcome = register_by_keyboard(&window.ui).await;
    window.close(outcome, "12z-keyboard-failure").await;
}

async fn register_by_keyboard(ui: &Ui) -> Result<()> {
    // 1. The first screen, in Arabic: the caret waits in the station's name; Shift+Tab reaches
    //    the language menu above it, whose arrows choose Arabic.
    ui.wait_for(id::SETUP_SCREEN).await?;
    wait_for_focus(ui, &by_test_id(id::SETUP_STATION_NAME), "the setup form opens").await?;
    tab_to(ui, id::LANGUAGE_SELECT, Backwards).await?;
    choose(ui, "ar").await?;
    let html = ui
        .client
        .execute(
            "return [document.documentElement.lang, document.documentElement.dir]",
            vec![],
        )
        .await?;
    ensure!(html == json!(["ar", "rtl"]), "in Arabic <html> has lang and dir {html}");

    // 2. The setup form, field after field with Tab, sent with Enter on its button.
    tab_to(ui, id::SETUP_STATION_NAME, Forwards).await?;
    type_text(ui, STATION_NAME).await?;
    for (field, text) in [
        (id::SETUP_CENTER_ID, "10001"),
        (id::SETUP_ADMIN_USERNAME, ADMIN),
        (id::SETUP_ADMIN_FULL_NAME, ADMIN_FULL_NAME),
        (id::SETUP_PASSWORD, PASSWORD),
        (id::SETUP_PASSWORD_CONFIRM, PASSWORD),
    ] {
        tab_to(ui, field, Forwards).await?;
        type_text(ui, text).await?;
    }
    tab_to(ui, id::SETUP_SUBMIT, Forwards).await?;
    ui.screenshot("12a-keyboard-setup-arabic").await?;
    press(ui, Key::Enter).await?;
    let after_setup = ui
        .wait_until("the login or home screen after setup", || async {
            for screen in [id::LOGIN_SCREEN, id::HOME_SCREEN] {
                if ui.find_displayed(screen).await?.is_some() {
                    return Ok(Some(screen));
                }
            }
            if let Some(banner) = ui.find_displayed(id::BANNER).await? {
                bail!("setup failed: {}", banner.text().await?);
            }
            Ok(None)
        })
        .await?;
    if after_setup == id::HOME_SCREEN {
        // The station signed its new admin in: out again, to sign in by keyboard.
        tab_to(ui, id::LOG_OUT_BUTTON, Forwards).await?;
        press(ui, Key::Enter).await?;
        ui.wait_for(id::LOGIN_SCREEN).await?;
    }

    // 3. Sign in: the caret waits in the username; Space presses the button.
    wait_for_focus(ui, &by_test_id(id::LOGIN_USERNAME), "the login screen opens").await?;
    type_text(ui, ADMIN).await?;
    tab_to(ui, id::LOGIN_PASSWORD, Forwards).await?;
    type_text(ui, PASSWORD).await?;
    tab_to(ui, id::LOGIN_SUBMIT, Forwards).await?;
    press(ui, Key::Space).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    ensure_direction(ui, "rtl").await?;

    // 4. A new registration, from home's first button; the resident agrees.
    wait_for_focus(ui, &by_test_id(id::NEW_REGISTRATION), "home opens").await?;
    press(ui, Key::Enter).await?;
    let registration_id = super::flows::registration_opened(ui).await?;
    eprintln!("[e2e] keyboard registration {registration_id}");
    wait_for_focus(ui, &by_test_id(id::CONSENT_AGREE), "the consent step opens").await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::CONSENT_GIVEN).await?;

    // 5. The form. The caret waits in the first name; Tab goes on to the Arabic name, the next
    //    in reading order right to left, and Shift+Tab back.
    let english_name = id::field_input("fullName", Some("eng"));
    let arabic_name = id::field_input("fullName", Some("ara"));
    wait_for_focus(ui, &by_test_id(&english_name), "the consent is given").await?;
    type_text(ui, "Amina Idrissi").await?;
    tab_once_to(ui, &arabic_name, Forwards).await?;
    ensure_next_in_reading_order(ui, &english_name, &arabic_name).await?;
    tab_once_to(ui, &english_name, Backwards).await?;
    tab_once_to(ui, &arabic_name, Forwards).await?;
    type_text(ui, "أمينة الإدريسي").await?;
    ui.screenshot("12b-keyboard-demographics-rtl-focus").await?;
    // The age instead of the date of birth: the date follows from it.
    tab_to(ui, &id::field_age_input_id("dateOfBirth"), Forwards).await?;
    type_text(ui, "41").await?;
    let born = ui.value(&id::field_input("dateOfBirth", None)).await?;
    ensure!(born.len() == 10, "an age of 41 gave the date of birth {born:?}");
    tab_to(ui, &id::field_input("gender", None), Forwards).await?;
    choose(ui, "FLE").await?;
    tab_to(ui, &id::field_input("residenceStatus", None), Forwards).await?;
    choose(ui, "NFR").await?;
    tab_to(ui, &id::field_input("addressLine1", Some("eng")), Forwards).await?;
    type_text(ui, "12 Avenue Fal Ould Oumeir").await?;
    tab_to(ui, &id::field_input("addressLine1", Some("ara")), Forwards).await?;
    // The field follows the Arabic layout: the keys "ahvu" type "شارع", as flows.rs checks.
    type_keys(ui, "12 ahvu", "12 شارع").await?;
    // Each level of the place offers what lies under the one chosen above it.
    for (field, value) in super::flows::PLACE {
        tab_to(ui, &id::field_input(field, None), Forwards).await?;
        choose(ui, value)
            .await
            .with_context(|| format!("{field} {value} under the level above"))?;
    }
    tab_to(ui, &id::field_input("phone", None), Forwards).await?;
    type_text(ui, "+212600445566").await?;
    let sms = id::field_input("smsNotifications", None);
    tab_to(ui, &sms, Forwards).await?;
    press(ui, Key::Space).await?;
    let checked = ui.wait_for(&sms).await?.prop("checked").await?;
    ensure!(
        checked.as_deref() == Some("true"),
        "Space did not tick the SMS box: checked is {checked:?}"
    );
    tab_to(ui, id::WIZARD_NEXT, Forwards).await?;
    press(ui, Key::Enter).await?;

    // 6. The proof of identity: its type from the arrows, one page from the station's scanner
    //    (or its camera, when SANE finds no scanner), attached with the form's button.
    ui.wait_for(id::DOCUMENTS_STEP).await?;
    wait_for_focus(ui, &by_test_id(id::DOCUMENTS_STEP), "the documents step opens").await?;
    tab_to(ui, &id::document_type_id("POI"), Forwards).await?;
    choose(ui, "PASSPORT").await?;
    let page_source = ui
        .wait_until("the scanner or the camera to be offered", || async {
            for source in [id::document_scan_id("POI"), id::document_photograph_id("POI")] {
                if ui.find_displayed(&source).await?.is_some() {
                    return Ok(Some(source));
                }
            }
            Ok(None)
        })
        .await?;
    tab_to(ui, &page_source, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for_attr(&id::document_pages_ready_id("POI"), "data-pages", "1")
        .await
        .context("a page from the station's device")?;
    wait_for_focus(ui, &by_test_id(&page_source), "a page was taken").await?;
    let attach = format!(
        "form:has({}) button[type=submit]",
        by_test_id(&id::document_file_id("POI"))
    );
    tab_to(ui, &attach, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for_attr(&id::document_attached_id("POI"), "data-type", "PASSPORT")
        .await
        .context("the proof of identity attached as a passport")?;
    wait_for_focus(ui, &attach, "the document was attached").await?;
    ui.screenshot("12c-keyboard-documents").await?;
    tab_to(ui, id::WIZARD_NEXT, Forwards).await?;
    press(ui, Key::Enter).await?;

    // 7. The biometrics: each step's Capture pressed with Enter until it meets its threshold.
    ui.wait_for(id::BIOMETRICS_SECTION).await?;
    // The caret moves into the step once its controls came with the station's answer.
    wait_for_focus(ui, &by_test_id(id::BIOMETRICS_SECTION), "the biometrics step opened").await?;
    for step in BIOMETRIC_STEPS {
        capture(ui, step).await?;
    }
    ui.wait_for_attr(id::BIOMETRICS_STATUS, "data-complete", "true").await?;
    ui.screenshot("12d-keyboard-biometrics").await?;
    tab_to(ui, id::WIZARD_NEXT, Forwards).await?;
    press(ui, Key::Enter).await?;

    // 8. The review, and the officer's sign-off: the dialog takes the caret to its password,
    //    and Enter finalizes.
    ui.wait_for(id::REVIEW_STEP).await?;
    wait_for_focus(ui, &by_test_id(id::REVIEW_STEP), "the review opens").await?;
    tab_to(ui, id::OFFICER_SIGN_OFF_OPEN, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::OFFICER_SIGN_OFF_DIALOG).await?;
    wait_for_focus(
        ui,
        &by_test_id(id::OFFICER_SIGN_OFF_PASSWORD),
        "the sign-off dialog opens",
    )
    .await?;
    type_text(ui, PASSWORD).await?;
    ui.screenshot("12e-keyboard-sign-off").await?;
    // The dialog keeps Tab to itself, both ways round: its password, Sign off, Cancel.
    ensure_tab_goes_round(ui, id::OFFICER_SIGN_OFF_DIALOG, id::OFFICER_SIGN_OFF_PASSWORD, 3).await?;
    tab_once_to(ui, id::OFFICER_SIGN_OFF_CANCEL, Backwards).await?;
    tab_once_to(ui, id::OFFICER_SIGN_OFF_PASSWORD, Forwards).await?;
    press(ui, Key::Enter).await?;

    // 9. The acknowledgement slip, its Done button under the caret; Enter goes home, where the
    //    registration waits for a supervisor.
    ui.wait_for(id::SLIP_SCREEN).await?;
    let shown = ui.text(id::SLIP_REGISTRATION_ID).await?;
    ensure!(
        shown == registration_id,
        "the slip names {shown:?}, not {registration_id}"
    );
    wait_for_focus(ui, &by_test_id(id::SLIP_DONE), "the slip opens").await?;
    ui.screenshot("12f-keyboard-slip").await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let banner = ui.wait_for(id::BANNER).await?;
    ensure!(
        banner.attr("data-kind").await?.as_deref() == Some("success"),
        "the banner after the sign-off is not a success: {}",
        banner.text().await?
    );
    super::ensure_in_list(ui, id::HOME_PENDING, &registration_id).await?;
    ensure_direction(ui, "rtl").await?;

    // 10. Left to right, the same form's order runs the other way: back in English (home's
    //     caret is on New registration, below the language menu), a new registration's Tab goes
    //     from the English name to the Arabic one, now on its right (or below), and back.
    wait_for_focus(ui, &by_test_id(id::NEW_REGISTRATION), "home opens again").await?;
    tab_to(ui, id::LANGUAGE_SELECT, Backwards).await?;
    choose(ui, "en").await?;
    ensure_direction(ui, "ltr").await?;
    tab_to(ui, id::NEW_REGISTRATION, Forwards).await?;
    press(ui, Key::Enter).await?;
    wait_for_focus(ui, &by_test_id(id::CONSENT_AGREE), "a second consent step opens").await?;
    press(ui, Key::Enter).await?;
    wait_for_focus(ui, &by_test_id(&english_name), "the second consent is given").await?;
    tab_once_to(ui, &arabic_name, Forwards).await?;
    ensure_next_in_reading_order(ui, &english_name, &arabic_name).await?;
    ui.screenshot("12g-keyboard-demographics-ltr-focus").await?;
    tab_once_to(ui, &english_name, Backwards).await?;

    tab_to(ui, id::BACK_TO_HOME, Backwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;

    // 11. In French from here: the admin's settings, then three updates of registered
    //     residents, the first signed off with the finger she has just enrolled.
    day::settings_in_french(ui, PASSWORD).await?;
    let mut updates = Vec::new();
    for (resident, sign_off) in day::UPDATED_RESIDENTS {
        updates.push(day::update_by_keyboard(ui, resident, sign_off, PASSWORD).await?);
    }

    // 12. The supervisor's day by keyboard: the admin adds a supervisor on the administration
    //     screen, signs out; the supervisor signs in, opens the first registration from its
    //     row and approves it from the review screen, rejects the first update from its own
    //     review, approves the other two together, and sends them from the upload centre.
    tab_to(ui, id::ADMIN_OPEN, Forwards).await?;
    press(ui, Key::Enter).await?;
    tab_to(ui, id::ADD_OPERATOR_OPEN, Forwards).await?;
    press(ui, Key::Enter).await?;
    tab_to(ui, id::OPERATOR_USERNAME, Forwards).await?;
    type_text(ui, SUPERVISOR).await?;
    tab_to(ui, id::OPERATOR_FULL_NAME, Forwards).await?;
    type_text(ui, SUPERVISOR_FULL_NAME).await?;
    tab_to(ui, id::OPERATOR_ROLE, Forwards).await?;
    choose(ui, "supervisor").await?;
    tab_to(ui, id::OPERATOR_PASSWORD, Forwards).await?;
    type_text(ui, PASSWORD).await?;
    tab_to(ui, id::OPERATOR_PASSWORD_CONFIRM, Forwards).await?;
    type_text(ui, PASSWORD).await?;
    tab_to(ui, id::OPERATOR_SUBMIT, Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_until("the supervisor to be added", || async {
        let Some(banner) = ui.find_displayed(id::BANNER).await? else {
            return Ok(None);
        };
        Ok(banner.text().await?.contains(SUPERVISOR_FULL_NAME).then_some(()))
    })
    .await?;
    tab_to(ui, id::LOG_OUT_BUTTON, Backwards).await?;
    press(ui, Key::Enter).await?;
    wait_for_focus(ui, &by_test_id(id::LOGIN_USERNAME), "the login screen opens again").await?;
    type_text(ui, SUPERVISOR).await?;
    tab_to(ui, id::LOGIN_PASSWORD, Forwards).await?;
    type_text(ui, PASSWORD).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    // The login screen kept the admin's French for the next operator.
    day::ensure_language(ui, "fr").await?;
    super::ensure_in_list(ui, id::HOME_PENDING, &registration_id).await?;
    tab_to(ui, &id::row_review_id(&registration_id), Forwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::REVIEW_APPROVE).await?;
    tab_to(ui, id::REVIEW_APPROVE, Forwards).await?;
    ui.screenshot("12h-keyboard-review-approve").await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    let banner = ui.text(id::BANNER).await?;
    ensure!(
        banner.contains(&registration_id) && banner.contains("est approuvé"),
        "after the approval by keyboard, home says {banner:?}"
    );
    let [rejected, batch @ ..] = updates.as_slice() else {
        bail!("no update to reject");
    };
    day::reject_and_approve_a_batch(ui, rejected, batch, PASSWORD).await?;
    let mut sent = vec![registration_id];
    sent.extend(updates);
    day::upload_centre(ui, &sent).await
}
