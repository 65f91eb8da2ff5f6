//! Driving the window by keys alone, for `keyboard`'s tests: Tab and Shift+Tab to a control
//! (each stop must show its focus), Enter, Space, the arrows in a select or a radio group, text
//! typed where the focus is; and what the window says about the focus, read by script.

use anyhow::{bail, ensure, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{json, Value};

use super::super::harness::{by_test_id, Ui};
use super::super::test_ids as id;
pub use Direction::{Backwards, Forwards};

/// How many Tab presses may lie between the focus and the control it is looking for: a whole
/// biometrics step from the top of the window is about forty.
const MAX_TABS: usize = 80;
/// The least contrast between a focus ring (an outline, or a focus shadow laid over what lies
/// behind the control) and that background for the focus to count as shown. The page's
/// translucent focus shadow on white is about 1.5; on a background of its own colour, 1.
const MIN_RING_CONTRAST: f64 = 1.3;

/// One biometric step: Capture (reached with Tab, pressed with Enter) until the step meets its
/// threshold, three attempts at most; after each, the focus is still somewhere in the window.
pub async fn capture(ui: &Ui, step: &str) -> Result<()> {
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
pub enum Direction {
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

pub async fn press(ui: &Ui, key: Key) -> Result<()> {
    press_chord(ui, &[key]).await
}

/// Replaces what the focused input holds with `text`: Ctrl+A, Backspace, then the text.
pub async fn replace_text(ui: &Ui, text: &str) -> Result<()> {
    let select_all = KeyActions::new("keyboard".into())
        .then(KeyAction::Down {
            value: char::from(Key::Control),
        })
        .then(KeyAction::Down { value: 'a' })
        .then(KeyAction::Up { value: 'a' })
        .then(KeyAction::Up {
            value: char::from(Key::Control),
        });
    ui.client.perform_actions(select_all).await.context("pressing Ctrl+A")?;
    press(ui, Key::Backspace).await?;
    type_text(ui, text).await
}

/// Types `text` into the focused input, then checks it holds it.
pub async fn type_text(ui: &Ui, text: &str) -> Result<()> {
    type_keys(ui, text, text).await
}

/// Presses `keys` in the focused input (empty until now), then checks it holds `expected`: a
/// field that follows its language's layout turns Latin keys into that layout's letters.
pub async fn type_keys(ui: &Ui, keys: &str, expected: &str) -> Result<()> {
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
pub struct Focus {
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
pub async fn read_focus(ui: &Ui, selector: &str) -> Result<Focus> {
    let answer = ui
        .client
        .execute(
            r#"
            const [selector, MIN_RING_CONTRAST] = arguments;
            const element = document.activeElement;
            if (!element || element === document.body || element === document.documentElement) {
              return { onBody: true, matches: false, visible: false, describe: '<body>' };
            }
            // A ring shows when its colour, laid over what lies behind the element, stands out
            // from it: a focus shadow of the page's accent is invisible on the accent's bar.
            const rgba = (text) => {
              const [r, g, b, a = 1] = text.split(',').map((n) => parseFloat(n));
              return { r, g, b, a };
            };
            const behind = (e) => {
              for (let up = e.parentElement; up; up = up.parentElement) {
                const colour = getComputedStyle(up).backgroundColor.match(/rgba?\(([^)]+)\)/);
                if (colour && rgba(colour[1]).a > 0) return rgba(colour[1]);
              }
              return { r: 255, g: 255, b: 255, a: 1 };
            };
            const luminance = ({ r, g, b }) => {
              const linear = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
              return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
            };
            const standsOut = (ringText, ground) => {
              const ring = rgba(ringText);
              const laid = ['r', 'g', 'b'].reduce((c, k) => ({ ...c, [k]: ring[k] * ring.a + ground[k] * (1 - ring.a) }), {});
              const [light, dark] = [luminance(laid), luminance(ground)].sort((x, y) => y - x);
              return (light + 0.05) / (dark + 0.05) >= MIN_RING_CONTRAST;
            };
            const shows = (e) => {
              const style = getComputedStyle(e);
              const ground = behind(e);
              const rings = [];
              if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) rings.push(style.outlineColor);
              if (style.boxShadow !== 'none') rings.push(...style.boxShadow.split(/,(?![^(]*\))/));
              return rings.some((ring) => {
                const colour = ring.match(/rgba?\(([^)]+)\)/);
                return colour !== null && standsOut(colour[1], ground);
              });
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
            vec![json!(selector), json!(MIN_RING_CONTRAST)],
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
pub async fn tab_to(ui: &Ui, target: &str, direction: Direction) -> Result<()> {
    tab_at_most(ui, target, direction, MAX_TABS).await
}

/// One Tab (or Shift+Tab) must bring the focus to `target`: the next control in that order.
pub async fn tab_once_to(ui: &Ui, target: &str, direction: Direction) -> Result<()> {
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
            "the focus on {} does not show (no outline or focus shadow that stands out from what lies behind it); Tab ({direction:?}) stopped on {stops:?} before",
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
pub async fn wait_for_focus(ui: &Ui, selector: &str, what: &str) -> Result<()> {
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
pub async fn choose(ui: &Ui, value: &str) -> Result<()> {
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

/// Checks `value` in the focused radio's group with the arrow keys (Down goes on to the next in
/// the group, round to the first), as a browser moves a radio group's choice and its focus.
pub async fn choose_radio(ui: &Ui, value: &str) -> Result<()> {
    let read = || async {
        ui.client
            .execute(
                "const radio = document.activeElement; \
                 if (!(radio instanceof HTMLInputElement) || radio.type !== 'radio') return null; \
                 const group = document.querySelectorAll(`input[type=radio][name=\"${CSS.escape(radio.name)}\"]`); \
                 return [radio.value, radio.checked, group.length];",
                vec![],
            )
            .await
            .context("reading the focused radio")
    };
    let mut stops = Vec::new();
    loop {
        let answer = read().await?;
        let Value::Array(radio) = answer else {
            bail!("the focus is on {}, not a radio", read_focus(ui, "").await?.describe);
        };
        let here = radio[0].as_str().unwrap_or_default().to_owned();
        if here == value && radio[1] == json!(true) {
            return Ok(());
        }
        stops.push(here);
        ensure!(
            stops.len() <= radio[2].as_u64().unwrap_or(0) as usize,
            "Down went round the radio group without checking {value:?}: {stops:?}"
        );
        press(ui, Key::Down).await?;
    }
}

/// The window reads in `direction` (`rtl` or `ltr`).
pub async fn ensure_direction(ui: &Ui, direction: &str) -> Result<()> {
    let found = ui.client.execute("return document.documentElement.dir", vec![]).await?;
    ensure!(found == json!(direction), "the window reads {found}, not {direction}");
    Ok(())
}

/// Tab inside the modal `dialog` goes round its `controls` and never leaves it: each stop is
/// inside it and shows, and after `controls` presses the focus is back on `start`.
pub async fn ensure_tab_goes_round(ui: &Ui, dialog: &str, start: &str, controls: usize) -> Result<()> {
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
pub async fn ensure_next_in_reading_order(ui: &Ui, previous: &str, next: &str) -> Result<()> {
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
