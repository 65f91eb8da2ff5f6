//! The acknowledgement slip saved as a PDF file: the window printed to a file by WebKitGTK's
//! own print engine, with the slip's print style sheet, and no dialog. The engine that shapes
//! the slip's Arabic and Tifinagh on screen lays out the page, so the PDF is what Print would
//! put on paper.
//!
//! The path is the clerk's choice (the window asks the system's save dialog first): a slip holds
//! the resident's name and photo, so it goes where the clerk said and nowhere else. It is checked
//! here (absolute, `.pdf`, in a folder that exists), the PDF is written to a temporary file
//! beside it and renamed over it only once WebKit says the print finished and the file reads as
//! a PDF, so a failed print never leaves half a file at the path.
//!
//! Deliberately absent: a second typesetter (the webview already lays out the slip), any folder
//! of the app's own, and logging the path (the clerk may have named the file after the resident).

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Longer than any slip takes (a page, well under a second), short enough that a print that
/// never reports back does not leave the clerk's button spinning for good.
const PRINT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a slip could not be saved. The window gets `invalid_path` or `slip_pdf_failed`; the
/// English goes to the log.
#[derive(Debug)]
pub enum SlipPdfError {
    /// The path is not one to write a PDF to.
    InvalidPath(&'static str),
    /// The print or the file failed.
    Failed(String),
}

impl std::fmt::Display for SlipPdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SlipPdfError::InvalidPath(why) => write!(f, "not a path to save the slip to: {why}"),
            SlipPdfError::Failed(why) => write!(f, "the slip could not be saved as a PDF: {why}"),
        }
    }
}

/// Where the PDF goes, and the temporary file it is printed to first, in the same folder (so
/// that the rename is atomic and needs no copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfTarget {
    pub path: PathBuf,
    pub temporary: PathBuf,
}

/// Checks the path the window sent: absolute, a file name ending in `.pdf` (any case), in a
/// folder that exists, and not a folder itself.
pub fn target_for(path: &str) -> Result<PdfTarget, SlipPdfError> {
    let path = PathBuf::from(path);
    if !path.is_absolute() {
        return Err(SlipPdfError::InvalidPath("the path is not absolute"));
    }
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return Err(SlipPdfError::InvalidPath("the path names no file"));
    };
    let is_pdf = name.len() > ".pdf".len() && name.to_ascii_lowercase().ends_with(".pdf");
    if !is_pdf {
        return Err(SlipPdfError::InvalidPath("the file name does not end in .pdf"));
    }
    let Some(folder) = path.parent().filter(|folder| folder.is_dir()) else {
        return Err(SlipPdfError::InvalidPath("the folder does not exist"));
    };
    if path.is_dir() {
        return Err(SlipPdfError::InvalidPath("the path is a folder"));
    }
    // Hidden, and named after nothing of the resident's; the process id and the time keep two
    // saves apart.
    let unique = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or_default();
    let temporary = folder.join(format!(".slip-{}-{unique}.pdf.part", std::process::id()));
    Ok(PdfTarget { path, temporary })
}

/// Prints the window to `target.temporary`, checks it is a PDF and moves it to `target.path`.
/// Whatever fails, the temporary file is gone afterwards.
pub async fn save(window: &tauri::WebviewWindow, target: &PdfTarget) -> Result<(), SlipPdfError> {
    let outcome = print_and_check(window, &target.temporary).await;
    let outcome = outcome.and_then(|()| {
        std::fs::rename(&target.temporary, &target.path)
            .map_err(|error| SlipPdfError::Failed(format!("cannot move the PDF into place: {error}")))
    });
    if outcome.is_err() {
        // Nothing to do if the print never created it.
        let _ = std::fs::remove_file(&target.temporary);
    }
    outcome
}

async fn print_and_check(window: &tauri::WebviewWindow, file: &Path) -> Result<(), SlipPdfError> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<(), String>>(1);
    start_print(window, file, sender)?;
    // The GTK main thread does the printing; this waits off it, on the blocking pool.
    let answer = tauri::async_runtime::spawn_blocking(move || receiver.recv_timeout(PRINT_TIMEOUT))
        .await
        .map_err(|error| SlipPdfError::Failed(format!("waiting for the print failed: {error}")))?;
    match answer {
        Ok(Ok(())) => {}
        Ok(Err(why)) => return Err(SlipPdfError::Failed(why)),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            return Err(SlipPdfError::Failed(format!(
                "the print did not finish within {PRINT_TIMEOUT:?}"
            )))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            return Err(SlipPdfError::Failed(
                "the window went away before the print finished".into(),
            ))
        }
    }
    check_pdf(file)
}

/// The file the print finished with starts as a PDF does, and is on disk before it is renamed.
fn check_pdf(file: &Path) -> Result<(), SlipPdfError> {
    use std::io::Read as _;
    let mut handle =
        std::fs::File::open(file).map_err(|error| SlipPdfError::Failed(format!("the print left no file: {error}")))?;
    let mut start = [0u8; 5];
    handle
        .read_exact(&mut start)
        .map_err(|error| SlipPdfError::Failed(format!("the printed file is too short: {error}")))?;
    if &start != b"%PDF-" {
        return Err(SlipPdfError::Failed("the printed file is not a PDF".into()));
    }
    handle
        .sync_all()
        .map_err(|error| SlipPdfError::Failed(format!("cannot write the PDF to disk: {error}")))
}

/// Starts WebKit's print of the window to `file`, on the GTK main thread (where
/// `with_webview` runs its closure); `done` gets the outcome when WebKit reports it.
#[cfg(target_os = "linux")]
fn start_print(
    window: &tauri::WebviewWindow,
    file: &Path,
    done: std::sync::mpsc::SyncSender<Result<(), String>>,
) -> Result<(), SlipPdfError> {
    use std::cell::RefCell;
    use std::rc::Rc;

    use gtk::glib;
    use webkit2gtk::PrintOperationExt as _;

    let uri = glib::filename_to_uri(file, None)
        .map_err(|error| SlipPdfError::Failed(format!("the path is not a file URI: {error}")))?
        .to_string();
    window
        .with_webview(move |webview| {
            let paper = gtk::PaperSize::new(Some(gtk::PAPER_NAME_A4));
            let page_setup = gtk::PageSetup::new();
            page_setup.set_orientation(gtk::PageOrientation::Portrait);
            page_setup.set_paper_size_and_default_margins(&paper);

            let settings = gtk::PrintSettings::new();
            // GTK's file backend ("Print to File", `printbackends/libprintbackend-file.so` of
            // libgtk-3-0). WebKit looks the printer up by its name, which GTK translates into
            // the desktop's language: ask GTK's catalogue for the same words.
            settings.set_printer(&glib::dgettext(Some("gtk30"), "Print to File"));
            settings.set(gtk::PRINT_SETTINGS_OUTPUT_URI, Some(&uri));
            settings.set(gtk::PRINT_SETTINGS_OUTPUT_FILE_FORMAT, Some("pdf"));
            settings.set_paper_size(&paper);
            settings.set_orientation(gtk::PageOrientation::Portrait);
            settings.set_n_copies(1);

            let operation = webkit2gtk::PrintOperation::new(&webview.inner());
            operation.set_page_setup(&page_setup);
            operation.set_print_settings(&settings);

            // WebKit reports `failed` (with the error) and then `finished`, either way. The
            // handlers keep the operation alive until then, and let go of it at `finished`.
            let kept = Rc::new(RefCell::new(Some(operation.clone())));
            let failure: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
            let failed = Rc::clone(&failure);
            operation.connect_failed(move |_, error| {
                *failed.borrow_mut() = Some(error.to_string());
            });
            operation.connect_finished(move |_| {
                let outcome = match failure.borrow_mut().take() {
                    Some(why) => Err(format!("WebKit's print failed: {why}")),
                    None => Ok(()),
                };
                // The command may have given up waiting; nobody is left to tell then.
                let _ = done.try_send(outcome);
                kept.borrow_mut().take();
            });
            operation.print();
        })
        .map_err(|error| SlipPdfError::Failed(format!("cannot reach the window's webview: {error}")))
}

/// Printing to a file without a dialog is WebKitGTK's; elsewhere the window's own Print remains.
#[cfg(not(target_os = "linux"))]
fn start_print(
    _window: &tauri::WebviewWindow,
    _file: &Path,
    _done: std::sync::mpsc::SyncSender<Result<(), String>>,
) -> Result<(), SlipPdfError> {
    Err(SlipPdfError::Failed(
        "saving the slip as a PDF needs WebKitGTK (Linux)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(path: &str) -> &'static str {
        match target_for(path) {
            Err(SlipPdfError::InvalidPath(why)) => why,
            other => panic!("{path:?} should be refused, got {other:?}"),
        }
    }

    #[test]
    fn a_pdf_in_an_existing_folder_is_printed_beside_it_first() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("R-0001.PDF");
        let target = target_for(path.to_str().unwrap()).unwrap();
        assert_eq!(target.path, path);
        // The same folder, so the rename neither copies nor crosses file systems.
        assert_eq!(target.temporary.parent(), Some(folder.path()));
        assert_ne!(target.temporary, target.path);
    }

    #[test]
    fn paths_the_shell_does_not_write_to_are_refused() {
        let folder = tempfile::tempdir().unwrap();
        let inside = |name: &str| folder.path().join(name).to_str().unwrap().to_string();
        assert_eq!(refusal("slip.pdf"), "the path is not absolute");
        assert_eq!(refusal("../slip.pdf"), "the path is not absolute");
        assert_eq!(refusal(&inside("slip.png")), "the file name does not end in .pdf");
        assert_eq!(refusal(&inside(".pdf")), "the file name does not end in .pdf");
        assert_eq!(refusal(&inside("missing/slip.pdf")), "the folder does not exist");
        std::fs::create_dir(folder.path().join("folder.pdf")).unwrap();
        assert_eq!(refusal(&inside("folder.pdf")), "the path is a folder");
        assert_eq!(refusal("/"), "the path names no file");
    }
}
