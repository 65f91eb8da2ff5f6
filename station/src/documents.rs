//! The documents a resident brings (proof of identity, of address, of relationship...), as the
//! country's form asks for them (`FormSpec::documents`) with the types its master data lists
//! for each category (`document_types` whose `parent` is the category).
//!
//! - A clerk attaches a document to a draft: one PDF, or one to `max_pages` images (JPEG, PNG,
//!   scanned pages). Each file is told by its bytes, never by its name; an image must decode
//!   (within limits, so a decompression bomb is refused, not allocated), a PDF must at least look
//!   like one from its first and last bytes. One document per category: attaching again
//!   replaces it. The draft keeps the files (base64, like its captures) until finalize.
//! - Finalize refuses a draft without a required category (`documents.<category>`, `required`),
//!   and puts each document into the packet (`documents/<category>-1.<ext>`): a PDF or a single
//!   image as it came, several images as one PDF made here with a page each ([`pdf`]).
//! - The registration view lists the documents without their bytes; a page is seen through
//!   [`Station::document_page_preview`], an image scaled down to a JPEG.
//! - The same people who may edit a draft attach and remove: its maker, a supervisor, an admin.
//!   Both are audited (`document_attached`, `document_removed`) with the category and the type,
//!   never the reference number or the content.
//!
//! Deliberately absent: OCR, reading PDFs beyond their outline, and the Tauri commands (thin
//! adapters in `src-tauri` over these methods).

pub(crate) mod pdf;

use std::collections::BTreeMap;
use std::io::Cursor;

use base64::Engine as _;
use enroll_packet::{Document, DocumentFormat};
use enroll_schemas::{DocumentFileFormat, FormDocuments};
use enroll_store::{NewAuditEvent, RegistrationState};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::content::Draft;
use crate::{invalid_state, rfc3339, FieldError, MasterEntryView, RegistrationView, Station, StationError};

/// The widest or tallest image the station decodes; a scan of A4 at 600 dpi is 4961 × 7016.
const MAX_IMAGE_SIDE: u32 = 10_000;
/// The most memory one image's decoding may take: an A4 colour scan at 600 dpi needs 105 MB.
const MAX_IMAGE_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// The longest side of a page's preview, in pixels.
const PREVIEW_MAX_SIDE: u32 = 1200;
const PREVIEW_JPEG_QUALITY: u8 = 85;
/// A document's printed number: at most this many characters.
const MAX_REFERENCE_CHARS: usize = 64;
/// Where a PDF's `%%EOF` must be found: within this many bytes of its end (readers look there
/// for the last cross-reference section; a few tools append whitespace or a line after it).
const PDF_TAIL_BYTES: usize = 1024;

/// A document the clerk attaches to a draft, as the window sends it.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct DocumentInput {
    /// A category of the form's `documents`, e.g. "POI".
    pub category: String,
    /// A document type the master data lists for the category, e.g. "CIN".
    pub document_type: String,
    /// The number printed on the document, if it has one (at most 64 characters).
    pub reference_number: Option<String>,
    /// One PDF, or one image per scanned page, in page order.
    pub pages: Vec<DocumentPage>,
}

/// One file of a document, as the window read it from disk or the scanner.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct DocumentPage {
    /// The file's name as the window had it. Neither kept nor logged: the format is told by the
    /// bytes, and a name may carry the resident's (the log never holds resident data).
    pub file_name: String,
    /// The file's bytes, standard base64.
    pub data_base64: String,
}

/// A document of a registration as the window lists it: no content (see
/// [`Station::document_page_preview`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DocumentView {
    pub category: String,
    pub document_type: String,
    pub reference_number: Option<String>,
    /// What the packet holds (or will hold) for it: `pdf` for a PDF and for several images
    /// (joined into one PDF at finalize), else the one image's format.
    pub format: DocumentFileFormat,
    /// The pages: the images attached, or the pages counted in a PDF; `None` for a PDF whose
    /// pages cannot be counted without reading it whole (compressed object streams).
    pub pages: Option<u32>,
    /// The files' size together, in bytes.
    pub bytes: u64,
}

/// What the documents step offers: each category of the form with its document types, and the
/// limits on files. No categories: the form asks for no documents (the step is skipped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DocumentChoicesView {
    pub categories: Vec<DocumentCategoryView>,
    /// The largest file accepted, in bytes (0 when no documents are asked).
    pub max_file_bytes: u64,
    /// The most images one document may have (0 when no documents are asked).
    pub max_pages: u32,
    pub formats: Vec<DocumentFileFormat>,
}

/// One category the form asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DocumentCategoryView {
    pub category: String,
    /// Per UI language code ("en", "fr", "ar"), as the form's labels.
    pub label: BTreeMap<String, String>,
    pub required: bool,
    /// The document types accepted (master data: those naming this category, and those naming
    /// none), labelled per language code ("eng", "fra", "ara") as master data is.
    pub document_types: Vec<MasterEntryView>,
}

/// One page of a document to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DocumentPreviewView {
    pub category: String,
    /// The page shown, counted from 0.
    pub page: u32,
    /// The document's pages, as in [`DocumentView::pages`].
    pub page_count: Option<u32>,
    /// This page's file format (for a finalized document: the packet file's).
    pub format: DocumentFileFormat,
    /// This page's file size, in bytes.
    pub bytes: u64,
    /// `data:image/jpeg;base64,...`, the longest side at most 1200 pixels; `None` for a PDF
    /// (the window says it is a PDF of so many pages; the station does not render PDFs).
    pub preview_data_url: Option<String>,
}

/// A document as the draft keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftDocument {
    pub category: String,
    pub document_type: String,
    #[serde(default)]
    pub reference_number: Option<String>,
    pub pages: Vec<DraftPage>,
    /// For a PDF, the pages counted in it when it was attached.
    #[serde(default)]
    pub pdf_pages: Option<u32>,
    /// Who attached it and when (RFC 3339).
    pub attached_by: String,
    pub attached_at: String,
}

/// One file of a draft's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftPage {
    pub format: DocumentFileFormat,
    /// The file's bytes, standard base64.
    pub data: String,
    pub bytes: u64,
}

impl DraftDocument {
    fn view(&self) -> DocumentView {
        let single = self.pages.len() == 1;
        DocumentView {
            category: self.category.clone(),
            document_type: self.document_type.clone(),
            reference_number: self.reference_number.clone(),
            format: if single {
                self.pages[0].format
            } else {
                DocumentFileFormat::Pdf
            },
            pages: match self.pages.first() {
                Some(page) if page.format == DocumentFileFormat::Pdf => self.pdf_pages,
                _ => Some(self.pages.len() as u32),
            },
            bytes: self.pages.iter().map(|page| page.bytes).sum(),
        }
    }
}

/// The documents of a draft, as the registration view lists them.
pub(crate) fn draft_views(draft: &Draft) -> Vec<DocumentView> {
    draft.documents.iter().map(DraftDocument::view).collect()
}

/// The documents of a packet, as the registration view lists them.
pub(crate) fn packet_views(documents: &[Document]) -> Vec<DocumentView> {
    documents
        .iter()
        .map(|document| DocumentView {
            category: document.category.clone(),
            document_type: document.document_type.clone(),
            reference_number: document.reference_number.clone(),
            format: file_format(document.format),
            pages: match document.format {
                DocumentFormat::Pdf => count_pdf_pages(&document.data),
                DocumentFormat::Jpeg | DocumentFormat::Png => Some(1),
            },
            bytes: document.data.len() as u64,
        })
        .collect()
}

fn file_format(format: DocumentFormat) -> DocumentFileFormat {
    match format {
        DocumentFormat::Pdf => DocumentFileFormat::Pdf,
        DocumentFormat::Jpeg => DocumentFileFormat::Jpeg,
        DocumentFormat::Png => DocumentFileFormat::Png,
    }
}

fn packet_format(format: DocumentFileFormat) -> DocumentFormat {
    match format {
        DocumentFileFormat::Pdf => DocumentFormat::Pdf,
        DocumentFileFormat::Jpeg => DocumentFormat::Jpeg,
        DocumentFileFormat::Png => DocumentFormat::Png,
    }
}

/// A file's format from its first bytes (the packet's own magic numbers).
pub(crate) fn detect_format(bytes: &[u8]) -> Option<DocumentFileFormat> {
    [DocumentFormat::Pdf, DocumentFormat::Jpeg, DocumentFormat::Png]
        .into_iter()
        .find(|format| format.magic_matches(bytes))
        .map(file_format)
}

/// Decode an image within the station's limits (see [`MAX_IMAGE_SIDE`]): a small file that
/// claims a huge canvas is refused before its pixels are allocated.
pub(crate) fn decode_image(format: DocumentFileFormat, bytes: &[u8]) -> Result<image::DynamicImage, String> {
    let image_format = match format {
        DocumentFileFormat::Jpeg => image::ImageFormat::Jpeg,
        DocumentFileFormat::Png => image::ImageFormat::Png,
        DocumentFileFormat::Pdf => return Err("a PDF is not an image".into()),
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_DECODE_BYTES);
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.limits(limits);
    reader.decode().map_err(|e| e.to_string())
}

/// Whether `bytes` look like a whole PDF: the header first, `%%EOF` near the end. A cheap
/// check that catches a renamed file and a cut-off download; it does not parse the PDF.
pub(crate) fn pdf_outline_is_plausible(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(PDF_TAIL_BYTES)..];
    bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// The pages of a PDF, counted as its page objects (`/Type /Page`, not `/Pages`) in one pass
/// over the bytes; `None` when there are none to see (they are in compressed object streams).
pub(crate) fn count_pdf_pages(bytes: &[u8]) -> Option<u32> {
    let mut count = 0u32;
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(5).position(|w| w == b"/Type") {
        let mut next = at + found + 5;
        while bytes.get(next).is_some_and(|b| b.is_ascii_whitespace()) {
            next += 1;
        }
        if bytes[next..].starts_with(b"/Page") && !bytes.get(next + 5).is_some_and(|b| b.is_ascii_alphanumeric()) {
            count += 1;
        }
        at = next;
    }
    (count > 0).then_some(count)
}

/// A problem with the document of `category`, shown beside it.
fn problem(category: &str, code: &str, message: impl Into<String>) -> StationError {
    StationError::ValidationFailed(vec![field_error(category, code, message)])
}

fn field_error(category: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: format!("documents.{category}"),
        language: None,
        code: code.into(),
        message: message.into(),
    }
}

/// The document types accepted for `category`: those naming it, and those naming no category.
fn types_for<'a>(
    master_data: &'a enroll_schemas::station_config::MasterData,
    category: &'a str,
) -> impl Iterator<Item = &'a enroll_schemas::station_config::MasterDataEntry> {
    master_data
        .document_types
        .iter()
        .filter(move |entry| entry.parent.as_deref().is_none_or(|parent| parent == category))
}

/// A document's files as checked: the bytes of each, with the format they are.
#[derive(Debug)]
struct CheckedFiles {
    files: Vec<(DocumentFileFormat, Vec<u8>)>,
    /// For a PDF, the pages counted in it.
    pdf_pages: Option<u32>,
}

/// Check a document the window sends against the form's rules and the master data.
fn check_input(
    rules: Option<&FormDocuments>,
    master_data: &enroll_schemas::station_config::MasterData,
    input: &DocumentInput,
) -> Result<CheckedFiles, StationError> {
    let category = input.category.as_str();
    let Some(rules) = rules.filter(|rules| rules.category(category).is_some()) else {
        return Err(problem(
            category,
            "unknown_category",
            format!("this station's form asks for no document of the category {category:?}"),
        ));
    };
    if !types_for(master_data, category).any(|entry| entry.code == input.document_type) {
        return Err(problem(
            category,
            "unknown_type",
            format!(
                "{:?} is not a document type of the category {category}; choose one of the listed types",
                input.document_type
            ),
        ));
    }
    if let Some(reference) = input.reference_number.as_deref().map(str::trim) {
        if reference.chars().count() > MAX_REFERENCE_CHARS || reference.chars().any(char::is_control) {
            return Err(problem(
                category,
                "invalid_reference",
                format!("the document's number must be at most {MAX_REFERENCE_CHARS} characters on one line"),
            ));
        }
    }
    if input.pages.is_empty() {
        return Err(problem(category, "empty", "attach at least one file"));
    }
    if input.pages.len() > rules.max_pages as usize {
        return Err(problem(
            category,
            "too_many_pages",
            format!(
                "{} files; a document has at most {} pages",
                input.pages.len(),
                rules.max_pages
            ),
        ));
    }
    let mut files = Vec::with_capacity(input.pages.len());
    for (index, page) in input.pages.iter().enumerate() {
        let number = index + 1;
        // Refused before decoding: base64 is four characters for every three bytes.
        let estimated = (page.data_base64.len() as u64 / 4) * 3;
        if estimated > rules.max_file_bytes + 3 {
            return Err(too_large(category, number, estimated, rules.max_file_bytes));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(page.data_base64.trim())
            .map_err(|_| {
                problem(
                    category,
                    "not_decodable",
                    format!("file {number} did not arrive whole; attach it again"),
                )
            })?;
        if bytes.is_empty() {
            return Err(problem(category, "empty", format!("file {number} is empty")));
        }
        if bytes.len() as u64 > rules.max_file_bytes {
            return Err(too_large(category, number, bytes.len() as u64, rules.max_file_bytes));
        }
        let format = detect_format(&bytes)
            .filter(|format| rules.formats.contains(format))
            .ok_or_else(|| {
                let accepted: Vec<&str> = rules.formats.iter().map(|f| f.as_str()).collect();
                problem(
                    category,
                    "unsupported_format",
                    format!("file {number} is not one of {}", accepted.join(", ")),
                )
            })?;
        files.push((format, bytes));
    }
    if files.len() > 1 && files.iter().any(|(format, _)| *format == DocumentFileFormat::Pdf) {
        return Err(problem(
            category,
            "mixed_pdf_and_images",
            "a PDF is attached on its own; scanned pages are attached as images",
        ));
    }
    let mut pdf_pages = None;
    for (index, (format, bytes)) in files.iter().enumerate() {
        let number = index + 1;
        if *format == DocumentFileFormat::Pdf {
            if !pdf_outline_is_plausible(bytes) {
                return Err(problem(
                    category,
                    "not_decodable",
                    "the PDF is cut short or damaged (it must end with %%EOF); save it again",
                ));
            }
            pdf_pages = count_pdf_pages(bytes);
        } else if let Err(why) = decode_image(*format, bytes) {
            // The decoder's words, not the file's name: a name may carry the resident's.
            tracing::info!(category, page = number, %why, "a document image does not decode");
            return Err(problem(
                category,
                "not_decodable",
                format!(
                    "image {number} cannot be read (damaged, or too large: at most {MAX_IMAGE_SIDE} pixels a side)"
                ),
            ));
        }
    }
    Ok(CheckedFiles { files, pdf_pages })
}

fn too_large(category: &str, number: usize, bytes: u64, max: u64) -> StationError {
    problem(
        category,
        "too_large",
        format!("file {number} has {bytes} bytes; at most {max} are accepted"),
    )
}

/// Finalize's check: each required category has its document, and each document is of a
/// category the form still asks for (a form changes only at a start; a draft may be older).
/// `only`: the categories a process's changes need (each then required, the others not asked
/// for); `None` for the form's as configured.
pub(crate) fn finalize_problems(
    rules: Option<&FormDocuments>,
    only: Option<&std::collections::BTreeSet<String>>,
    draft: &Draft,
) -> Vec<FieldError> {
    let mut problems = Vec::new();
    for category in rules.map(|rules| rules.categories.as_slice()).unwrap_or_default() {
        let required = only.map_or(category.required, |only| only.contains(&category.category));
        if required && !draft.documents.iter().any(|d| d.category == category.category) {
            problems.push(field_error(&category.category, "required", "this document is required"));
        }
    }
    for document in &draft.documents {
        if rules.and_then(|rules| rules.category(&document.category)).is_none() {
            problems.push(field_error(
                &document.category,
                "unknown_category",
                "the form no longer asks for this document; remove it",
            ));
        }
    }
    problems
}

/// The packet's documents of a draft, in the form's category order: one PDF or one image as it
/// came, several images as one PDF with a page each.
pub(crate) fn packet_documents(rules: Option<&FormDocuments>, draft: &Draft) -> Result<Vec<Document>, StationError> {
    let order = |document: &DraftDocument| {
        rules
            .and_then(|rules| rules.categories.iter().position(|c| c.category == document.category))
            .unwrap_or(usize::MAX)
    };
    let mut documents: Vec<&DraftDocument> = draft.documents.iter().collect();
    documents.sort_by_key(|document| order(document));
    documents
        .into_iter()
        .map(|document| {
            let mut files = document
                .pages
                .iter()
                .map(|page| Ok((page.format, crate::biometrics::draft::decode_stored(&page.data)?)))
                .collect::<Result<Vec<_>, StationError>>()?;
            let (format, data) = if files.len() == 1 {
                files.remove(0)
            } else {
                let pages = files
                    .iter()
                    .map(|(format, bytes)| pdf::page_image(*format, bytes))
                    .collect::<Result<Vec<_>, String>>()
                    .map_err(|why| {
                        StationError::corrupt(format!(
                            "a kept page of the document {} does not read back: {why}",
                            document.category
                        ))
                    })?;
                (DocumentFileFormat::Pdf, pdf::pdf_of_pages(&pages))
            };
            Ok(Document {
                category: document.category.clone(),
                document_type: document.document_type.clone(),
                reference_number: document.reference_number.clone(),
                format: packet_format(format),
                data,
            })
        })
        .collect()
}

/// A JPEG preview of an image, its longest side at most [`PREVIEW_MAX_SIDE`], as a data URL.
fn preview_of(format: DocumentFileFormat, bytes: &[u8]) -> Result<String, StationError> {
    let image = decode_image(format, bytes)
        .map_err(|why| StationError::corrupt(format!("a kept document image does not decode: {why}")))?;
    let image = if image.width().max(image.height()) > PREVIEW_MAX_SIDE {
        image.thumbnail(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE)
    } else {
        image
    };
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, PREVIEW_JPEG_QUALITY)
        .encode_image(&image::DynamicImage::ImageRgb8(image.to_rgb8()))
        .map_err(|e| StationError::Internal(format!("encoding a document preview: {e}")))?;
    Ok(format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    ))
}

impl Station {
    /// What the documents step offers: the form's categories with the master data's types for
    /// each, and the limits on files. Anyone signed in.
    pub fn document_choices(&self) -> Result<DocumentChoicesView, StationError> {
        self.signed_in()?;
        let Some(rules) = self.form.spec().documents.as_ref() else {
            return Ok(DocumentChoicesView {
                categories: Vec::new(),
                max_file_bytes: 0,
                max_pages: 0,
                formats: Vec::new(),
            });
        };
        let master_data = self.master_data_in_force();
        Ok(DocumentChoicesView {
            categories: rules
                .categories
                .iter()
                .map(|category| DocumentCategoryView {
                    category: category.category.clone(),
                    label: category.label.clone(),
                    required: category.required,
                    document_types: types_for(master_data, &category.category)
                        .map(|entry| MasterEntryView {
                            code: entry.code.clone(),
                            labels: entry.labels.clone(),
                        })
                        .collect(),
                })
                .collect(),
            max_file_bytes: rules.max_file_bytes,
            max_pages: rules.max_pages,
            formats: rules.formats.clone(),
        })
    }

    /// Attach a document to the draft `registration_id`, in place of any earlier one of its
    /// category (see the module's notes for the rules and their codes).
    pub fn attach_document(
        &self,
        registration_id: &str,
        input: DocumentInput,
    ) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        self.check_may_edit_draft(&operator, registration_id, "attach a document to")?;
        // The files are checked without holding the vault: decoding takes a moment.
        let CheckedFiles { files, pdf_pages } =
            check_input(self.form.spec().documents.as_ref(), self.master_data_in_force(), &input)?;
        let now = rfc3339((self.clock)());
        let document = DraftDocument {
            category: input.category,
            document_type: input.document_type,
            reference_number: input
                .reference_number
                .map(|reference| reference.trim().to_string())
                .filter(|reference| !reference.is_empty()),
            pages: files
                .into_iter()
                .map(|(format, bytes)| DraftPage {
                    format,
                    bytes: bytes.len() as u64,
                    data: base64::engine::general_purpose::STANDARD.encode(bytes),
                })
                .collect(),
            pdf_pages,
            attached_by: operator.username.clone(),
            attached_at: now.clone(),
        };
        let details = format!("{} {}", document.category, document.document_type);
        {
            let mut vault = self.vault();
            // Checked again under the vault: the draft may have moved on meanwhile.
            let mut draft = Draft::clone(&*self.current_draft(&vault, registration_id, &data_key)?);
            // An update takes only the documents its changes need.
            if let Some(only) = self.scope_of(&draft)?.documents {
                if !only.contains(&document.category) {
                    return Err(StationError::ValidationFailed(vec![field_error(
                        &document.category,
                        "unknown_category",
                        "this registration's changes do not need this document",
                    )]));
                }
            }
            draft.documents.retain(|d| d.category != document.category);
            draft.documents.push(document);
            self.write_draft(&mut vault, registration_id, draft, &data_key, &now)?;
            vault.record_audit(&NewAuditEvent {
                at: &now,
                actor: Some(&operator.username),
                action: "document_attached",
                registration_id: Some(registration_id),
                details: &details,
            })?;
        }
        tracing::info!(registration_id, by = %operator.username, document = %details, "document attached");
        self.registration(registration_id)
    }

    /// Remove the document of `category` from the draft `registration_id` (nothing to remove:
    /// nothing changes).
    pub fn remove_document(&self, registration_id: &str, category: &str) -> Result<RegistrationView, StationError> {
        let (operator, data_key) = self.signed_in()?;
        self.check_may_edit_draft(&operator, registration_id, "remove a document from")?;
        let now = rfc3339((self.clock)());
        {
            let mut vault = self.vault();
            let current = self.current_draft(&vault, registration_id, &data_key)?;
            if let Some(removed) = current.documents.iter().find(|d| d.category == category) {
                let details = format!("{} {}", removed.category, removed.document_type);
                let mut draft = Draft::clone(&current);
                draft.documents.retain(|d| d.category != category);
                self.write_draft(&mut vault, registration_id, draft, &data_key, &now)?;
                vault.record_audit(&NewAuditEvent {
                    at: &now,
                    actor: Some(&operator.username),
                    action: "document_removed",
                    registration_id: Some(registration_id),
                    details: &details,
                })?;
            }
        }
        self.registration(registration_id)
    }

    /// One page (from 0) of the document of `category`, of a draft or of a registration pending
    /// approval (as the packet holds it: several images are one PDF there). Anyone signed in,
    /// as [`Station::registration`].
    pub fn document_page_preview(
        &self,
        registration_id: &str,
        category: &str,
        page: u32,
    ) -> Result<DocumentPreviewView, StationError> {
        let (_, data_key) = self.signed_in()?;
        let not_found =
            || StationError::NotFound(format!("page {page} of the document {category} of {registration_id}"));
        let (format, bytes, page_count) = {
            let vault = self.vault();
            let row = vault.registration(registration_id)?;
            match row.state {
                RegistrationState::Draft => {
                    let draft = self.current_draft(&vault, registration_id, &data_key)?;
                    let document = draft
                        .documents
                        .iter()
                        .find(|d| d.category == category)
                        .ok_or_else(not_found)?;
                    let kept = document.pages.get(page as usize).ok_or_else(not_found)?;
                    let bytes = crate::biometrics::draft::decode_stored(&kept.data)?;
                    let page_count = document.view().pages;
                    (kept.format, bytes, page_count)
                }
                state if state.is_readable() => {
                    let container = crate::content::read_pending(&vault, registration_id, &data_key)?;
                    let (contents, _) = enroll_packet::PacketContents::from_bytes(&container)?;
                    let document = contents
                        .documents
                        .into_iter()
                        .find(|d| d.category == category)
                        .filter(|_| page == 0)
                        .ok_or_else(not_found)?;
                    let page_count = packet_views(std::slice::from_ref(&document))[0].pages;
                    (file_format(document.format), document.data, page_count)
                }
                _ => return Err(invalid_state(&row)),
            }
        };
        let preview_data_url = match format {
            DocumentFileFormat::Pdf => None,
            image => Some(preview_of(image, &bytes)?),
        };
        Ok(DocumentPreviewView {
            category: category.to_string(),
            page,
            page_count,
            format,
            bytes: bytes.len() as u64,
            preview_data_url,
        })
    }

    /// Who may change a draft's documents: its maker, a supervisor, an admin; only while it is
    /// a draft.
    fn check_may_edit_draft(
        &self,
        operator: &enroll_store::Operator,
        registration_id: &str,
        what: &str,
    ) -> Result<(), StationError> {
        let row = self.vault().registration(registration_id)?;
        crate::check_may_edit_draft(operator, &row, what)
    }
}

#[cfg(test)]
mod tests;
