//! Tamazight in the real window: chosen on the first screen, the setup, login and home screens
//! read in Tifinagh, drawn with the font the app bundles (`ui/src/assets/fonts/`), not with
//! whatever the system has and not as empty boxes; and back to English without a restart.
//!
//! A Tifinagh string can look right and still be wrong in two ways this test tells apart on a
//! canvas in the page: every character drawn as the same missing-glyph box, or every character
//! drawn by a system font (DejaVu Sans has Tifinagh of its own, so a broken `@font-face` would
//! not show as boxes on most Linux desktops). Deliberately absent: the enrollment flow, which
//! the long test in `main.rs` drives in English, Arabic and French.

use std::path::Path;

use anyhow::{ensure, Context, Result};
use serde_json::json;

use super::harness::{self, Ui};
use super::own_window::OwnWindow;
use super::test_ids as id;

/// The family `app.css` declares for the bundled Noto Sans Tifinagh.
const FONT_FAMILY: &str = "Noto Sans Tifinagh";
/// The file `app.css` serves under that family.
const FONT_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ui/src/assets/fonts/NotoSansTifinagh-Regular.woff2"
);
const STATION_NAME: &str = "ⵔⴱⴰⵟ 1";
const ADMIN: &str = "admin";
const ADMIN_FULL_NAME: &str = "ⵏⴰⴷⵢⴰ ⴰⵎⵔⴰⵏⵉ";
const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tamazight_reads_in_tifinagh_drawn_with_the_bundled_font() {
    let window = OwnWindow::open("app-tifinagh.log").await;
    let outcome = in_tamazight(&window.ui, &window.station_dir).await;
    window.close(outcome, "tifinagh-failure").await;
}

async fn in_tamazight(ui: &Ui, station_dir: &Path) -> Result<()> {
    // 1. The first screen, switched to Tamazight: the whole window follows at once.
    ui.wait_for(id::SETUP_SCREEN).await?;
    ui.select(id::LANGUAGE_SELECT, "zgh").await?;
    let html = ui
        .client
        .execute(
            "return [document.documentElement.lang, document.documentElement.dir]",
            vec![],
        )
        .await?;
    ensure!(
        html == json!(["zgh", "ltr"]),
        "in Tamazight <html> has lang and dir {html}"
    );
    wait_for_heading(ui, id::SETUP_SCREEN, &catalogue("setup.title")?).await?;
    // The intake's address and the sample enrollment code are Latin on purpose.
    ensure_tifinagh_only(ui, &["http://", "ABCD-EFGH-JKMN"]).await?;
    ensure_bundled_font_draws(ui, id::SETUP_SCREEN).await?;
    ui.screenshot("tifinagh-setup").await?;

    // 2. Set up in Tamazight; the station and its admin have Tifinagh names.
    ui.type_into(id::SETUP_STATION_NAME, STATION_NAME).await?;
    ui.type_into(id::SETUP_CENTER_ID, "10001").await?;
    ui.type_into(id::SETUP_ADMIN_USERNAME, ADMIN).await?;
    ui.type_into(id::SETUP_ADMIN_FULL_NAME, ADMIN_FULL_NAME).await?;
    ui.type_into(id::SETUP_PASSWORD, PASSWORD).await?;
    ui.type_into(id::SETUP_PASSWORD_CONFIRM, PASSWORD).await?;
    ui.click(id::SETUP_SUBMIT).await?;
    let after_setup = ui
        .wait_until("the login or home screen after setup", || async {
            for screen in [id::LOGIN_SCREEN, id::HOME_SCREEN] {
                if ui.find_displayed(screen).await?.is_some() {
                    return Ok(Some(screen));
                }
            }
            if let Some(banner) = ui.find_displayed(id::BANNER).await? {
                anyhow::bail!("setup failed: {}", banner.text().await?);
            }
            Ok(None)
        })
        .await?;
    ensure!(
        station_dir.is_dir(),
        "the station wrote nothing into ENROLL_DATA_DIR ({})",
        station_dir.display()
    );
    if after_setup == id::HOME_SCREEN {
        ui.click(id::LOG_OUT_BUTTON).await?;
    }

    // 3. The login screen: Tifinagh only, from the bundled font, nothing clipped.
    ui.wait_for(id::LOGIN_SCREEN).await?;
    wait_for_heading(ui, id::LOGIN_SCREEN, &catalogue("login.title")?).await?;
    let station = ui.text(id::LOGIN_SCREEN).await?;
    ensure!(
        station.contains(&catalogue("login.station")?.replace("{name}", STATION_NAME)),
        "the login screen names the station as the catalogue does: {station:?}"
    );
    ensure_tifinagh_only(ui, &[]).await?;
    ensure_nothing_clipped(ui, id::LOGIN_SCREEN).await?;
    ensure_bundled_font_draws(ui, id::LOGIN_SCREEN).await?;
    ui.screenshot("tifinagh-login").await?;

    // 4. Signed in, the busier home screen too.
    ui.type_into(id::LOGIN_USERNAME, ADMIN).await?;
    ui.type_into(id::LOGIN_PASSWORD, PASSWORD).await?;
    ui.click(id::LOGIN_SUBMIT).await?;
    ui.wait_for(id::HOME_SCREEN).await?;
    wait_for_heading(ui, id::HOME_SCREEN, &catalogue("home.title")?).await?;
    let operator = ui.text(id::SIGNED_IN_OPERATOR).await?;
    ensure!(
        operator.contains(ADMIN_FULL_NAME) && operator.contains(&catalogue("role.admin")?),
        "the top bar shows {operator:?}"
    );
    ensure_tifinagh_only(ui, &[]).await?;
    ui.screenshot("tifinagh-home").await?;

    // 5. Back to English in the same window: no restart.
    ui.select(id::LANGUAGE_SELECT, "en").await?;
    wait_for_heading(ui, id::HOME_SCREEN, "Registrations").await?;
    let lang = ui
        .client
        .execute("return document.documentElement.lang", vec![])
        .await?;
    ensure!(lang == "en", "back in English <html lang> is {lang}");

    // What this engine makes of `zgh` itself, for whoever reads the log: CLDR has its dates
    // but no plural rules, which is why catalogues.ts chooses them rather than asking.
    let intl = ui
        .client
        .execute(
            "const p = new Intl.PluralRules('zgh').resolvedOptions(); \
             return { plural_locale: p.locale, plural_categories: p.pluralCategories, \
                      date_locales: Intl.DateTimeFormat.supportedLocalesOf(['zgh']), \
                      date: new Date('2026-11-25T10:05:00Z').toLocaleString('zgh', \
                        { dateStyle: 'medium', timeStyle: 'short', numberingSystem: 'latn', timeZone: 'UTC' }) }",
            vec![],
        )
        .await?;
    eprintln!("[e2e] WebKit's Intl for zgh: {intl}");
    Ok(())
}

/// The message `key` of the Tamazight catalogue, read from `ui/src/lib/i18n/zgh.ts`, so that
/// the test checks the window against the catalogue rather than against a copy of it.
fn catalogue(key: &str) -> Result<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/i18n/zgh.ts");
    let source = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let prefix = format!("  '{key}': '");
    source
        .lines()
        .find_map(|line| line.strip_prefix(&prefix)?.strip_suffix("',"))
        .map(str::to_owned)
        .with_context(|| format!("{path} has no one-line message {key}"))
}

/// Waits until the screen's first heading reads `expected`.
async fn wait_for_heading(ui: &Ui, screen: &str, expected: &str) -> Result<()> {
    let selector = format!("{} h1", harness::by_test_id(screen));
    ui.wait_until(&format!("[data-testid={screen}] h1 to read {expected:?}"), || async {
        let heading = ui
            .client
            .execute(
                "const h = document.querySelector(arguments[0]); return h ? h.innerText.trim() : null",
                vec![json!(selector)],
            )
            .await?;
        Ok((heading == expected).then_some(()))
    })
    .await
}

/// Every text the window shows, outside the language menu (which names each language in its
/// own script), is Tifinagh, digits and punctuation: no English left behind. `latin_kept` are
/// the texts that are Latin on purpose, removed before the check.
async fn ensure_tifinagh_only(ui: &Ui, latin_kept: &[&str]) -> Result<()> {
    let shown = ui
        .client
        .execute(
            "const kept = arguments[0]; \
             const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); \
             const texts = []; \
             for (let node = walker.nextNode(); node; node = walker.nextNode()) { \
               const parent = node.parentElement; \
               if (!parent || parent.closest('select, script, style')) continue; \
               if (parent.getClientRects().length === 0) continue; \
               let text = node.data; \
               for (const k of kept) text = text.split(/\\s/).filter((w) => !w.includes(k)).join(' '); \
               if (text.trim()) texts.push(text.trim()); \
             } \
             return texts;",
            vec![json!(latin_kept)],
        )
        .await?;
    let texts: Vec<String> = serde_json::from_value(shown)?;
    let latin: Vec<&String> = texts
        .iter()
        .filter(|text| text.chars().any(|c| c.is_ascii_alphabetic()))
        .collect();
    ensure!(
        latin.is_empty(),
        "the window still shows Latin text in Tamazight: {latin:?}"
    );
    ensure!(
        texts.iter().any(|text| text.chars().any(is_tifinagh)),
        "the window shows no Tifinagh at all: {texts:?}"
    );
    Ok(())
}

/// No element of the screen cuts its own text off: what a box holds fits in it.
async fn ensure_nothing_clipped(ui: &Ui, screen: &str) -> Result<()> {
    let clipped = ui
        .client
        .execute(
            "const screen = document.querySelector(arguments[0]); \
             return [...screen.querySelectorAll('h1, p, label, button, legend, span')] \
               .filter((e) => e.getClientRects().length > 0 && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1) \
                 && getComputedStyle(e).overflow !== 'visible') \
               .map((e) => e.outerHTML.slice(0, 120));",
            vec![json!(harness::by_test_id(screen))],
        )
        .await?;
    ensure!(
        clipped == json!([]),
        "text is cut off on [data-testid={screen}]: {clipped}"
    );
    Ok(())
}

fn is_tifinagh(c: char) -> bool {
    ('\u{2D30}'..='\u{2D7F}').contains(&c)
}

/// Draws each Tifinagh letter the screen shows on a canvas in the page, and checks that the
/// glyphs come from the bundled face: `document.fonts` holds it loaded; each letter is drawn
/// exactly as the committed font file draws it (loaded into the page a second time, from the
/// bytes in the repository, under a family of its own), which a missing file, a file without
/// Tifinagh or a system font in its place all fail; each letter has ink and a shape of its own
/// (missing glyphs all draw the same box, like the private-use characters drawn beside them);
/// and the system's fallback font draws each letter otherwise, so that the comparison can tell
/// the two apart on this machine.
async fn ensure_bundled_font_draws(ui: &Ui, screen: &str) -> Result<()> {
    let font_bytes = std::fs::read(FONT_FILE).with_context(|| format!("reading {FONT_FILE}"))?;
    let report = ui
        .client
        .execute_async(
            r#"
            const [family, selector, fontBytes] = arguments;
            const done = arguments[arguments.length - 1];
            (async () => {
              const screen = document.querySelector(selector);
              const letters = [...new Set([...screen.innerText].filter((c) => /[\u2D30-\u2D7F]/.test(c)))];
              // A face that fails to load rejects: say so, and draw all the same.
              const faces = await document.fonts
                .load(`16px "${family}"`, letters.join(''))
                .then((loaded) => loaded.map((f) => ({ family: f.family, status: f.status })))
                .catch((error) => [{ family, status: `error: ${error}` }]);
              await document.fonts.ready;
              const reference = new FontFace('Enroll Reference Tifinagh', new Uint8Array(fontBytes));
              await reference.load();
              document.fonts.add(reference);
              const size = 40;
              const canvas = document.createElement('canvas');
              canvas.width = 2 * size;
              canvas.height = 2 * size;
              const context = canvas.getContext('2d', { willReadFrequently: true });
              const bitmap = (font, text) => {
                context.clearRect(0, 0, canvas.width, canvas.height);
                context.font = font;
                context.textBaseline = 'middle';
                context.fillStyle = '#000';
                context.fillText(text, size / 2, size);
                const alpha = context.getImageData(0, 0, canvas.width, canvas.height).data;
                let bits = '';
                for (let i = 3; i < alpha.length; i += 4) bits += alpha[i] > 127 ? '1' : '0';
                return bits;
              };
              const bundled = letters.map((c) => bitmap(`${size}px "${family}"`, c));
              const expected = letters.map((c) => bitmap(`${size}px "Enroll Reference Tifinagh"`, c));
              const fallback = letters.map((c) => bitmap(`${size}px "Enroll No Such Font", sans-serif`, c));
              const boxes = ['\uE000', '\uE001', '\uE002'].map((c) => bitmap(`${size}px "${family}", sans-serif`, c));
              const heading = screen.querySelector('h1');
              done({
                faces,
                letters: letters.join(''),
                without_ink: letters.filter((c, i) => !bundled[i].includes('1')).join(''),
                distinct: new Set(bundled).size,
                like_a_box: letters.filter((c, i) => boxes.includes(bundled[i])).join(''),
                boxes_alike: new Set(boxes).size === 1,
                not_as_the_file_draws: letters.filter((c, i) => bundled[i] !== expected[i]).join(''),
                file_like_the_fallback: letters.filter((c, i) => expected[i] === fallback[i]).join(''),
                heading_font: heading ? getComputedStyle(heading).fontFamily : '',
              });
            })().catch((error) => done({ error: String(error) }));
            "#,
            vec![
                json!(FONT_FAMILY),
                json!(harness::by_test_id(screen)),
                json!(font_bytes),
            ],
        )
        .await
        .context("drawing Tifinagh on a canvas")?;
    eprintln!("[e2e] Tifinagh on [data-testid={screen}]: {report}");
    ensure!(
        report.get("error").is_none(),
        "the glyph check failed in the page: {report}"
    );
    let text = |name: &str| report[name].as_str().unwrap_or_default().to_owned();
    let letters = text("letters");
    let count = letters.chars().count();
    ensure!(
        count >= 5,
        "too few Tifinagh letters on the screen to judge: {letters:?}"
    );
    let loaded = report["faces"].as_array().is_some_and(|faces| {
        faces
            .iter()
            .any(|f| f["family"] == json!(FONT_FAMILY) && f["status"] == "loaded")
    });
    ensure!(
        loaded,
        "document.fonts did not load the bundled {FONT_FAMILY} for the screen's Tifinagh: {}",
        report["faces"]
    );
    ensure!(
        text("heading_font").contains(FONT_FAMILY),
        "the heading's font stack lacks {FONT_FAMILY}: {}",
        text("heading_font")
    );
    ensure!(
        text("without_ink").is_empty(),
        "letters drawn blank: {}",
        text("without_ink")
    );
    ensure!(
        text("like_a_box").is_empty(),
        "letters drawn as the missing-glyph box: {}",
        text("like_a_box")
    );
    ensure!(
        report["distinct"] == json!(count),
        "{count} different letters gave only {} different shapes: boxes, not glyphs",
        report["distinct"]
    );
    ensure!(
        text("not_as_the_file_draws").is_empty(),
        "letters not drawn as {FONT_FILE} draws them (a system font, or a file without them): {}",
        text("not_as_the_file_draws")
    );
    ensure!(
        text("file_like_the_fallback").is_empty(),
        "the system's fallback font draws these letters exactly as {FONT_FAMILY} does, so the check cannot tell \
         them apart: {}",
        text("file_like_the_fallback")
    );
    Ok(())
}
