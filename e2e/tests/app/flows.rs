//! Steps of the registration flow through the window that both the end-to-end test
//! (`main.rs`) and `make bench`'s registration (`e2e/benches/registration_flow.rs`) take: a new
//! registration from home (or another process's registration screen), the biometric steps it
//! shows, the resident's address, a document attached, an image that loaded,
//! and where the documents come from.
//!
//! Deliberately absent: assertions about the screens beyond what each step needs to go on
//! (those are `main.rs`'s), and the WebDriver plumbing (`harness.rs`).

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};

use crate::harness::Ui;
use crate::test_ids as id;

/// New registration from home: the registration screen opens, on the consent step; returns
/// the id it names.
pub async fn new_registration(ui: &Ui) -> Result<String> {
    ui.click(id::NEW_REGISTRATION).await?;
    registration_opened(ui).await
}

/// Waits for the registration screen (a new registration or another process just started);
/// returns the id it names.
pub async fn registration_opened(ui: &Ui) -> Result<String> {
    ui.wait_for(id::REGISTRATION_SCREEN)
        .await?
        .attr("data-registration-id")
        .await?
        .context("the registration screen names its id")
}

/// How many biometric steps the registration screen shows (the wizard's or the review's).
pub async fn biometric_steps_shown(ui: &Ui) -> Result<u64> {
    let count = ui
        .client
        .execute(
            "return document.querySelectorAll('[data-testid^=\"biometric-step-\"][data-done]').length",
            vec![],
        )
        .await?;
    count.as_u64().context("a count of biometric steps")
}

/// The resident's place, level by level from master data (region down to postal code): each
/// level's choice lies under the one above it.
pub const PLACE: [(&str, &str); 5] = [
    ("region", "RSK"),
    ("province", "RSK-RABAT"),
    ("city", "RABAT"),
    ("zone", "RABAT-AGDAL"),
    ("postalCode", "10090"),
];

/// The resident's address: the Arabic line typed on a Latin keyboard as a clerk would (the
/// field follows the Arabic layout: the keys "ahvu" type "شارع"), the place chosen level by
/// level from master data, each level offering what lies under the one above.
pub async fn fill_address(ui: &Ui) -> Result<()> {
    ui.select(&id::field_input("residenceStatus", None), "NFR").await?;
    ui.type_into(
        &id::field_input("addressLine1", Some("eng")),
        "12 Avenue Fal Ould Oumeir",
    )
    .await?;
    ui.type_keys(&id::field_input("addressLine1", Some("ara")), "12 ahvu", "12 شارع")
        .await
        .context("the Arabic address line follows the Arabic keyboard layout")?;
    for (field, value) in PLACE {
        ui.select(&id::field_input(field, None), value)
            .await
            .with_context(|| format!("{field} {value} under the level above"))?;
    }
    Ok(())
}

/// On the documents step: `category`'s document of `document_type`, with its number if given,
/// from `files` (one PDF, or the pages as images; none when the pages were scanned); waits
/// until the station holds it.
pub async fn attach_document(
    ui: &Ui,
    category: &str,
    document_type: &str,
    number: Option<&str>,
    files: &[&Path],
) -> Result<()> {
    ui.select(&id::document_type_id(category), document_type).await?;
    if let Some(number) = number {
        ui.type_into(&id::document_reference_id(category), number).await?;
    }
    // No files: the pages are already picked (scanned).
    if !files.is_empty() {
        ui.choose_files(&id::document_file_id(category), files).await?;
    }
    let attach = ui
        .client
        .find(fantoccini::Locator::Css(&format!(
            "form:has([data-testid=\"{}\"]) button[type=submit]",
            id::document_file_id(category)
        )))
        .await
        .with_context(|| format!("the Attach button of {category}"))?;
    attach.click().await?;
    ui.wait_for_attr(&id::document_attached_id(category), "data-type", document_type)
        .await
        .with_context(|| format!("{category} attached as {document_type}"))
}

/// The real data from elsewhere beside the repository (`../shared/fixtures`, or
/// `ENROLL_FIXTURES`): MOSIP's sample packet holds the documents the clerk attaches.
pub fn fixtures() -> PathBuf {
    std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"))
}

/// The image under `test_id` is a data URL that loaded (its natural width is known): the
/// window's CSP must allow `data:` images.
pub async fn ensure_loaded_image(ui: &Ui, test_id: &str) -> Result<()> {
    let image = ui.wait_for(test_id).await?;
    let source = image.attr("src").await?.unwrap_or_default();
    ensure!(
        source.starts_with("data:image/"),
        "{test_id} is not an image data URL: {:.40}",
        source
    );
    ui.wait_until(&format!("{test_id} to load"), || async {
        let width: serde_json::Value = ui
            .client
            .execute("return arguments[0].naturalWidth", vec![serde_json::to_value(&image)?])
            .await?;
        Ok((width.as_u64().unwrap_or(0) > 0).then_some(()))
    })
    .await
    .context("the image did not load (CSP must allow data: images)")
}
