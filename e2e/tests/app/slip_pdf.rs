//! The acknowledgement slip saved as a PDF, as a clerk does it: Save as PDF, the system's save
//! dialog (GTK's file chooser, which WebDriver cannot reach, so `xdotool` types the path into it
//! and presses Return on the test's X display), the banner that names the file. Then the file is
//! checked with poppler's tools (Debian's `poppler-utils`): a PDF of one A4 page, whose text
//! names the registration and not the window's buttons, with nothing left beside it; its first
//! page, rendered to PNG, is kept with the screenshots and must not be blank.
//!
//! Deliberately absent: any judgement of the layout beyond that (a person looks at the PNG).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};

use crate::harness::{Ui, STEP_TIMEOUT};
use crate::test_ids as id;

/// A4 in PostScript points, as `pdfinfo` prints it (210 × 297 mm).
const A4_POINTS: (f64, f64) = (595.276, 841.89);

/// Saves the slip the window shows as a PDF through the Save as PDF button and the system's
/// save dialog, checks the file, and keeps its first page as `<artifacts>/<name>.png`
/// (`artifacts`: the folder of the screenshots, `artifacts/e2e`).
pub async fn save_slip_as_pdf(ui: &Ui, artifacts: &Path, name: &str) -> Result<()> {
    let registration_id = ui.text(id::SLIP_REGISTRATION_ID).await?;
    let save_label = ui.text(id::SLIP_SAVE_PDF).await?;
    // A folder of the test's own, as the clerk's choice in the dialog: the app writes nowhere
    // else (a temporary file beside the PDF, renamed over it).
    let folder = tempfile::tempdir().context("a folder for the PDF")?;
    let pdf = folder.path().join(format!("{registration_id}.pdf"));
    let typed = pdf.to_str().context("a UTF-8 temp path")?.to_string();

    ui.click(id::SLIP_SAVE_PDF).await?;
    let display = display_of_this_test()?;
    let typing = tokio::task::spawn_blocking(move || answer_save_dialog(&display, &typed));
    typing.await.context("the dialog's typist")??;
    // The banner names the file once the print finished and the file is in place (it replaces
    // the banner the slip opened with, which names the registration too).
    let folder_text = folder.path().to_str().context("a UTF-8 temp path")?;
    ui.wait_until("the banner saying where the slip was saved", || async {
        let Some(banner) = ui.find_displayed(id::BANNER).await? else {
            return Ok(None);
        };
        let text = banner.text().await?;
        if banner.attr("data-kind").await?.as_deref() == Some("error") {
            bail!("saving the slip failed: {text}");
        }
        Ok(text.contains(folder_text).then_some(()))
    })
    .await?;

    let bytes = std::fs::read(&pdf).with_context(|| format!("the PDF at {}", pdf.display()))?;
    ensure!(bytes.starts_with(b"%PDF-"), "{} is not a PDF", pdf.display());
    let beside: Vec<String> = std::fs::read_dir(folder.path())?
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|file| *file != format!("{registration_id}.pdf"))
        .collect();
    ensure!(beside.is_empty(), "the save left files beside the PDF: {beside:?}");

    let info = run("pdfinfo", &[pdf.as_os_str()])?;
    let pages = info_field(&info, "Pages")?;
    ensure!(pages == "1", "the slip takes {pages} pages, not one:\n{info}");
    let size = info_field(&info, "Page size")?;
    let (width, height) = page_size(&size).with_context(|| format!("reading the page size {size:?}"))?;
    ensure!(
        (width - A4_POINTS.0).abs() < 3.0 && (height - A4_POINTS.1).abs() < 3.0,
        "the page is {width} x {height} pt, not A4 portrait ({} x {})",
        A4_POINTS.0,
        A4_POINTS.1
    );

    // The page is the slip alone: its id in text (a font, not a picture of one) and none of the
    // window's buttons, which the print style sheet hides.
    let text = run("pdftotext", &[pdf.as_os_str(), "-".as_ref()])?;
    ensure!(
        text.contains(&registration_id),
        "the PDF's text does not name {registration_id}:\n{text}"
    );
    ensure!(
        !text.contains(save_label.trim()),
        "the PDF shows the window's {save_label:?} button:\n{text}"
    );

    let png_stem = artifacts.join(name);
    run(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "100".as_ref(),
            "-singlefile".as_ref(),
            pdf.as_os_str(),
            png_stem.as_os_str(),
        ],
    )?;
    let png = png_stem.with_extension("png");
    ensure!(png.is_file(), "pdftoppm wrote no {}", png.display());
    eprintln!("[e2e] slip PDF's first page {}", png.display());

    // Not blank: the page in grey, small, as a PGM (a header and one byte per pixel), read here
    // without an image library. The slip's text, QR code and photo darken a few percent of it.
    let grey_stem = folder.path().join("page");
    run(
        "pdftoppm",
        &[
            "-gray".as_ref(),
            "-r".as_ref(),
            "30".as_ref(),
            "-singlefile".as_ref(),
            pdf.as_os_str(),
            grey_stem.as_os_str(),
        ],
    )?;
    let grey = std::fs::read(grey_stem.with_extension("pgm")).context("the page in grey")?;
    let pixels = pgm_pixels(&grey)?;
    let dark = pixels.iter().filter(|&&value| value < 160).count();
    let share = dark as f64 / pixels.len() as f64;
    ensure!(
        (0.01..0.6).contains(&share),
        "the slip's page is {:.1}% dark: blank or black, not a slip ({})",
        share * 100.0,
        png.display()
    );
    Ok(())
}

/// The clerk's part in GTK's save dialog: wait for it (its title, in any of the UI's languages,
/// says PDF), focus it, replace the file name offered with the whole path, press Return.
fn answer_save_dialog(display: &str, path: &str) -> Result<()> {
    let xdotool = |args: &[&str]| -> Result<String> {
        let output = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", display)
            .output()
            .context("running xdotool (apt-get install xdotool)")?;
        // `search` exits 1 when nothing matches yet; the caller looks at what it printed.
        if !output.status.success() && args.first() != Some(&"search") {
            bail!("xdotool {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let deadline = Instant::now() + STEP_TIMEOUT;
    let dialog = loop {
        let found = xdotool(&["search", "--onlyvisible", "--name", "PDF"])?;
        if let Some(window) = found.lines().last().filter(|window| !window.is_empty()) {
            break window.to_string();
        }
        ensure!(
            Instant::now() < deadline,
            "the system's save dialog did not open on {display} within {STEP_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    xdotool(&["windowfocus", "--sync", &dialog])?;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"])?;
    xdotool(&["type", "--delay", "10", path])?;
    xdotool(&["key", "Return"])?;
    Ok(())
}

/// The X display the window is on: `$DISPLAY` when the test has one (the harness then uses it),
/// else the Xvfb the harness started as this process's child: the display whose socket
/// (`/tmp/.X11-unix/X<n>`) that Xvfb listens on.
fn display_of_this_test() -> Result<String> {
    if let Some(display) = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) {
        return Ok(display);
    }
    let me = std::process::id();
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`; the command may hold spaces, so count after its `)`.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let parent = rest.split_whitespace().nth(1).and_then(|ppid| ppid.parse::<u32>().ok());
        if parent != Some(me) || !head.ends_with("(Xvfb") {
            continue;
        }
        let sockets: Vec<String> = std::fs::read_dir(entry.path().join("fd"))?
            .flatten()
            .filter_map(|fd| std::fs::read_link(fd.path()).ok())
            .filter_map(|link| {
                let link = link.to_string_lossy().into_owned();
                Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
            })
            .collect();
        // /proc/net/unix: `Num RefCount Protocol Flags Type St Inode Path`.
        let table = std::fs::read_to_string("/proc/net/unix")?;
        for line in table.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(inode), Some(path)) = (fields.get(6), fields.get(7)) else {
                continue;
            };
            if let Some((_, number)) = path.split_once(".X11-unix/X") {
                if sockets.iter().any(|socket| socket == inode) {
                    return Ok(format!(":{number}"));
                }
            }
        }
    }
    bail!("no DISPLAY, and no Xvfb started by this test")
}

/// Runs one of poppler's tools and returns what it printed.
fn run(tool: &str, args: &[&std::ffi::OsStr]) -> Result<String> {
    let output = Command::new(tool)
        .args(args)
        .output()
        .with_context(|| format!("running {tool} (apt-get install poppler-utils)"))?;
    ensure!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The value of `pdfinfo`'s line `name: value`.
fn info_field(info: &str, name: &str) -> Result<String> {
    info.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(|value| value.trim().to_string())
        .with_context(|| format!("pdfinfo printed no {name}:\n{info}"))
}

/// `595.276 x 841.89 pts (A4)` → (595.276, 841.89).
fn page_size(text: &str) -> Option<(f64, f64)> {
    let mut words = text.split_whitespace();
    let width = words.next()?.parse().ok()?;
    let _by = words.next().filter(|word| *word == "x")?;
    let height = words.next()?.parse().ok()?;
    Some((width, height))
}

/// The pixels of an 8-bit binary PGM (`P5`, as pdftoppm writes it).
fn pgm_pixels(bytes: &[u8]) -> Result<&[u8]> {
    // The header: magic, width, height, maxval, each after whitespace, then one whitespace byte.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        ensure!(at > start, "a PGM header cut short");
        fields.push(std::str::from_utf8(&bytes[start..at])?.to_string());
    }
    ensure!(
        fields[0] == "P5" && fields[3] == "255",
        "not an 8-bit binary PGM: {fields:?}"
    );
    let width: usize = fields[1].parse()?;
    let height: usize = fields[2].parse()?;
    let pixels = bytes.get(at + 1..).context("a PGM without pixels")?;
    ensure!(
        pixels.len() == width * height,
        "a PGM of {width} x {height} with {} bytes of pixels",
        pixels.len()
    );
    Ok(pixels)
}
