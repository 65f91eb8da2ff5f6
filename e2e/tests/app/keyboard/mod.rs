//! Keyboard only, in the real window: a clerk sets the station up, signs in and completes a
//! whole registration (consent, the form, the proof of identity from the scanner, every
//! biometric step, the review, the officer's sign-off, the acknowledgement slip) without a
//! mouse, with the interface in Arabic, right to left; then the admin adds a supervisor, who
//! signs in, opens the registration from home and approves it, still by keyboard alone.
//!
//! Every input is a key pressed where the focus is (WebDriver's actions for Tab, Shift+Tab,
//! Enter, Space and the arrows; typed text goes to the focused element): no click, and no
//! script that sets a value or moves the focus. Scripts only read the window: which element has
//! the focus, and whether that focus shows. Each focus stop on the way to a control must show
//! (an outline or `app.css`'s focus shadow). Where the app moves the caret itself (a new
//! screen, the consent given, a dialog) it must land on the control the clerk needs next; a
//! button whose action takes a while (Scan, Attach, Capture) keeps it; and a step that opens
//! must not drop it on `<body>`, from where the next Tab starts at the top of the window. On
//! the form, Tab goes from the English name to the Arabic one, which lies to its left right to
//! left and to its right left to right (or below), and Shift+Tab comes back; the sign-off
//! dialog keeps Tab inside itself.
//!
//! Deliberately absent: the supervisor's sign-off of a step under its threshold (the
//! built-in simulated devices' good sitter passes every step: the test fails rather than skip
//! if one does not), optional documents and fields, rejection, batch approval and the rest of
//! the administration screens; `main.rs` covers those with clicks.

use anyhow::{bail, ensure, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{json, Value};

use super::harness::{by_test_id, Ui};
use super::own_window::OwnWindow;
use super::test_ids as id;
use Direction::{Backwards, Forwards};

const STATION_NAME: &str = "الرباط 2";
const ADMIN: &str = "admin";
const ADMIN_FULL_NAME: &str = "نادية العمراني";
const PASSWORD: &str = "correct horse battery";
const SUPERVISOR: &str = "sara";
const SUPERVISOR_FULL_NAME: &str = "Sara Bennani";
/// The capture policy's steps, in the order the biometrics step lists them.
const BIOMETRIC_STEPS: [&str; 5] = ["leftSlap", "rightSlap", "thumbs", "bothIrises", "face"];
/// How many Tab presses may lie between the focus and the control it is looking for: a whole
/// biometrics step from the top of the window is about forty.
const MAX_TABS: usize = 80;

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
    let registration_id = ui
        .wait_for(id::REGISTRATION_SCREEN)
        .await?
        .attr("data-registration-id")
        .await?
        .context("the registration screen names its id")?;
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
    let born = ui
        .wait_for(&id::field_input("dateOfBirth", None))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
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

    // 11. The supervisor's day by keyboard: the admin adds a supervisor on the administration
    //     screen, signs out; the supervisor signs in, opens the pending registration from its
    //     row and approves it from the review screen.
    tab_to(ui, id::BACK_TO_HOME, Backwards).await?;
    press(ui, Key::Enter).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
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
        banner.contains(&registration_id) && banner.contains("is approved"),
        "after the approval by keyboard, home says {banner:?}"
    );
    Ok(())
}

/// One biometric step: Capture (reached with Tab, pressed with Enter) until the step meets its
/// threshold, three attempts at most; after each, the focus is still somewhere in the window.
async fn capture(ui: &Ui, step: &str) -> Result<()> {
    let button = id::capture_step_id(step);
    for attempt in 1..=3 {
        tab_to(ui, &button, Forwards).await?;
        press(ui, Key::Enter).await?;
        ui.wait_for_attr(&id::step_attempts_id(step), "data-attempts", &attempt.to_string())
            .await
            .with_context(|| format!("attempt {attempt} at {step} is counted"))?;
        // The step stays busy a moment after the attempt is counted: a press then is ignored.
        ui.wait_until(&format!("{step}'s Capture button to be free again"), || async {
            let Some(element) = ui.find_displayed(&button).await? else {
                return Ok(None);
            };
            let free = element.is_enabled().await? && element.attr("aria-disabled").await?.is_none();
            Ok(free.then_some(()))
        })
        .await?;
        // The button keeps the focus through the capture: Enter again takes another attempt.
        wait_for_focus(ui, &by_test_id(&button), &format!("attempt {attempt} at {step}")).await?;
        let card = ui.wait_for(&id::biometric_step_id(step)).await?;
        if card.attr("data-done").await?.as_deref() == Some("true") {
            return Ok(());
        }
    }
    bail!("{step} stayed under its threshold after three attempts with the built-in simulated devices")
}

/// Which way Tab goes: Tab, or Shift+Tab.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Direction {
    Forwards,
    Backwards,
}

/// Presses `keys` together where the focus is (down in order, up in reverse), as a chord.
async fn press_chord(ui: &Ui, keys: &[Key]) -> Result<()> {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys {
        actions = actions.then(KeyAction::Down {
            value: char::from(*key),
        });
    }
    for key in keys.iter().rev() {
        actions = actions.then(KeyAction::Up {
            value: char::from(*key),
        });
    }
    ui.client
        .perform_actions(actions)
        .await
        .with_context(|| format!("pressing {keys:?}"))
}

async fn press(ui: &Ui, key: Key) -> Result<()> {
    press_chord(ui, &[key]).await
}

/// Types `text` into the focused input, then checks it holds it.
async fn type_text(ui: &Ui, text: &str) -> Result<()> {
    type_keys(ui, text, text).await
}

/// Presses `keys` in the focused input (empty until now), then checks it holds `expected`: a
/// field that follows its language's layout turns Latin keys into that layout's letters.
async fn type_keys(ui: &Ui, keys: &str, expected: &str) -> Result<()> {
    let focused = ui.client.active_element().await.context("the focused element")?;
    focused
        .send_keys(keys)
        .await
        .with_context(|| format!("typing {keys:?} where the focus is"))?;
    let value = focused.prop("value").await?.unwrap_or_default();
    ensure!(
        value == expected,
        "typed {keys:?} into the focused {}, expecting {expected:?}, but it holds {value:?}",
        read_focus(ui, "").await?.describe
    );
    Ok(())
}

/// Where the focus is, as the window says.
struct Focus {
    /// Nothing has it: `<body>` (or the document) does.
    on_body: bool,
    /// It is on `selector`'s element or inside it.
    matches: bool,
    /// It shows: an outline or a focus shadow, on the element or on the control drawn for it.
    visible: bool,
    /// The element's tag, its nearest test id and its first words, for failure messages.
    describe: String,
}

/// Reads where the focus is, and whether `selector` (may be empty) holds it.
async fn read_focus(ui: &Ui, selector: &str) -> Result<Focus> {
    let answer = ui
        .client
        .execute(
            r#"
            const [selector] = arguments;
            const element = document.activeElement;
            if (!element || element === document.body || element === document.documentElement) {
              return { onBody: true, matches: false, visible: false, describe: '<body>' };
            }
            const shows = (e) => {
              const style = getComputedStyle(e);
              return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
            };
            let visible = shows(element);
            // A file input is drawn as the label for it beside it (DocumentsStep.svelte): there
            // the label shows the focus.
            if (!visible && element.id && element.parentElement) {
              const standIn = element.parentElement.querySelector(`label[for="${CSS.escape(element.id)}"]`);
              if (standIn) visible = shows(standIn);
            }
            const holder = element.closest('[data-testid]');
            const words = (element.getAttribute('aria-label') || element.innerText || element.value || '')
              .trim().replace(/\s+/g, ' ').slice(0, 30);
            return {
              onBody: false,
              matches: selector !== '' && element.closest(selector) !== null,
              visible,
              describe: `<${element.tagName.toLowerCase()}> in [${holder ? holder.dataset.testid : ''}] "${words}"`,
            };
            "#,
            vec![json!(selector)],
        )
        .await
        .context("reading the focus")?;
    let flag = |name: &str| answer[name].as_bool().unwrap_or(false);
    Ok(Focus {
        on_body: flag("onBody"),
        matches: flag("matches"),
        visible: flag("visible"),
        describe: answer["describe"].as_str().unwrap_or("?").to_owned(),
    })
}

/// `test_id`, or a CSS selector when it already is one.
fn selector_for(target: &str) -> String {
    if target.contains(['[', ' ', ':']) {
        target.to_owned()
    } else {
        by_test_id(target)
    }
}

/// Presses Tab (or Shift+Tab) until the focus is on `target` (a test id or a CSS selector), at
/// most [`MAX_TABS`] times; each element the focus stops on must show it. Fails naming every
/// stop when the target is not reached.
async fn tab_to(ui: &Ui, target: &str, direction: Direction) -> Result<()> {
    tab_at_most(ui, target, direction, MAX_TABS).await
}

/// One Tab (or Shift+Tab) must bring the focus to `target`: the next control in that order.
async fn tab_once_to(ui: &Ui, target: &str, direction: Direction) -> Result<()> {
    // Already there would prove nothing about the order.
    let selector = selector_for(target);
    let before = read_focus(ui, &selector).await?;
    ensure!(!before.matches, "the focus is already on {target} before the Tab");
    tab_at_most(ui, target, direction, 1).await
}

async fn tab_at_most(ui: &Ui, target: &str, direction: Direction, most: usize) -> Result<()> {
    let selector = selector_for(target);
    let keys: &[Key] = match direction {
        Forwards => &[Key::Tab],
        Backwards => &[Key::Shift, Key::Tab],
    };
    let mut stops = Vec::new();
    let mut focus = read_focus(ui, &selector).await?;
    loop {
        ensure!(
            focus.on_body || focus.visible,
            "the focus on {} does not show (no outline, no focus shadow); Tab ({direction:?}) stopped on {stops:?} before",
            focus.describe
        );
        if focus.matches {
            return Ok(());
        }
        stops.push(focus.describe.clone());
        if stops.len() > most {
            bail!("{most} presses of Tab ({direction:?}) did not reach {target}; the focus stopped on {stops:?}");
        }
        press_chord(ui, keys).await?;
        focus = read_focus(ui, &selector).await?;
    }
}

/// Waits until the focus is on (or inside) `selector` without a key pressed: where the app puts
/// the caret after `what`.
async fn wait_for_focus(ui: &Ui, selector: &str, what: &str) -> Result<()> {
    ui.wait_until(&format!("the focus on {selector} once {what}"), || async {
        let focus = read_focus(ui, selector).await?;
        if focus.matches {
            ensure!(focus.visible, "the focus on {} does not show", focus.describe);
            return Ok(Some(()));
        }
        bail!("the focus is on {}", focus.describe)
    })
    .await
}

/// Chooses `value` in the focused select with the arrow keys (the popup stays closed), waiting
/// for the option to be offered first (a dependent list fills once its parent is chosen).
async fn choose(ui: &Ui, value: &str) -> Result<()> {
    let (wanted, current) = ui
        .wait_until(&format!("the focused select to offer {value:?}"), || async {
            let answer = ui
                .client
                .execute(
                    "const select = document.activeElement; \
                     if (!(select instanceof HTMLSelectElement)) return 'not a select'; \
                     const index = [...select.options].findIndex((o) => o.value === arguments[0]); \
                     return index < 0 ? null : [index, select.selectedIndex];",
                    vec![json!(value)],
                )
                .await?;
            match answer {
                Value::Array(pair) => Ok(Some((pair[0].as_i64().unwrap_or(0), pair[1].as_i64().unwrap_or(0)))),
                Value::String(why) => bail!("the focus is on {}: {why}", read_focus(ui, "").await?.describe),
                _ => Ok(None),
            }
        })
        .await?;
    let key = if wanted > current { Key::Down } else { Key::Up };
    for _ in 0..(wanted - current).abs() {
        press(ui, key).await?;
    }
    let chosen = ui
        .client
        .execute("return document.activeElement.value ?? null", vec![])
        .await?;
    ensure!(
        chosen == json!(value),
        "the arrows left the focused select on {chosen}, not {value:?} (from option {current} to {wanted})"
    );
    Ok(())
}

/// The window reads in `direction` (`rtl` or `ltr`).
async fn ensure_direction(ui: &Ui, direction: &str) -> Result<()> {
    let found = ui.client.execute("return document.documentElement.dir", vec![]).await?;
    ensure!(found == json!(direction), "the window reads {found}, not {direction}");
    Ok(())
}

/// Tab inside the modal `dialog` goes round its `controls` and never leaves it: each stop is
/// inside it and shows, and after `controls` presses the focus is back on `start`.
async fn ensure_tab_goes_round(ui: &Ui, dialog: &str, start: &str, controls: usize) -> Result<()> {
    let inside = by_test_id(dialog);
    let mut stops = Vec::new();
    for _ in 0..controls {
        press(ui, Key::Tab).await?;
        let focus = read_focus(ui, &inside).await?;
        stops.push(focus.describe.clone());
        ensure!(
            focus.matches,
            "Tab left the dialog {dialog}: the focus stopped on {stops:?}"
        );
        ensure!(focus.visible, "the focus on {} does not show", focus.describe);
    }
    let back = read_focus(ui, &by_test_id(start)).await?;
    ensure!(
        back.matches,
        "{controls} presses of Tab in the dialog {dialog} stopped on {stops:?}, not back on {start}"
    );
    Ok(())
}

/// `next` comes after `previous` in the window's reading order: on the same line, to its left
/// right to left (to its right left to right); else on a line below.
async fn ensure_next_in_reading_order(ui: &Ui, previous: &str, next: &str) -> Result<()> {
    let layout = ui
        .client
        .execute(
            "const box = (s) => { const r = document.querySelector(s).getBoundingClientRect(); \
               return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; }; \
             return { dir: document.documentElement.dir, previous: box(arguments[0]), next: box(arguments[1]) };",
            vec![json!(by_test_id(previous)), json!(by_test_id(next))],
        )
        .await?;
    let edge = |which: &str, name: &str| layout[which][name].as_f64().unwrap_or(f64::NAN);
    let same_line = (edge("next", "top") - edge("previous", "top")).abs() < 2.0;
    let in_order = match (same_line, layout["dir"].as_str()) {
        (true, Some("rtl")) => edge("next", "right") <= edge("previous", "left") + 1.0,
        (true, _) => edge("next", "left") >= edge("previous", "right") - 1.0,
        (false, _) => edge("next", "top") >= edge("previous", "bottom") - 1.0,
    };
    ensure!(
        in_order,
        "Tab went from {previous} to {next}, which is not after it in reading order: {layout}"
    );
    Ok(())
}
