//! Fingerprint minutiae and 1:1 comparison, for an officer who signs off with a finger instead
//! of a password: [`extract`] turns a fingerprint image into a [`FingerTemplate`] (where ridges
//! end and fork, with their directions), and [`compare()`] scores a probe template against a
//! reference one; a score of at least [`MATCH_THRESHOLD`] says they are the same finger.
//!
//! How: extraction enhances the ridges with an oriented filter tuned to the print's ridge
//! period, thins them to one-pixel lines and reads minutiae off the lines by crossing number,
//! dropping those a broken or spurred ridge makes (the private `minutiae` module); comparison
//! searches the rotation and translation that lay the most minutiae of one template onto the
//! other, starting from pairs of minutiae whose neighbourhoods look alike, and discounts the
//! count by how many minutiae both prints show in their common area (the private `compare`
//! module). Both are our own code, written after the published descriptions of such systems
//! (NIST's MINDTCT for extraction; alignment and local-structure matchers for comparison).
//!
//! Deliberately absent: 1:N search, ISO/IEC 19794-2 or ANSI 378 template records (the template
//! is our own serde structure), liveness, and any claim of accuracy on real fingers: the
//! threshold was set on synthetic prints from our own simulator (see the tests), as matchers are
//! commonly first tuned on SFinGe-style synthetic data, and must be checked on real captures
//! before it decides anything that matters.

mod compare;
mod minutiae;

use image::GrayImage;
use serde::{Deserialize, Serialize};

use crate::DeviceError;

/// The image is smaller than a fingerprint can be matched from, or larger than the station
/// processes.
pub const FINGERPRINT_IMAGE_SIZE: &str = "fingerprint_image_size";
/// The resolution given is outside what the extractor handles.
pub const FINGERPRINT_RESOLUTION_UNSUPPORTED: &str = "fingerprint_resolution_unsupported";
/// The image shows no ridges (blank glass, a uniform frame, noise).
pub const FINGERPRINT_NO_RIDGES: &str = "fingerprint_no_ridges";
/// Ridges were found, but too few minutiae to compare reliably.
pub const FINGERPRINT_TOO_FEW_MINUTIAE: &str = "fingerprint_too_few_minutiae";

/// A score at or above this says the two templates are of the same finger.
///
/// The score is about the number of minutiae the two prints share, discounted when they are
/// only a small part of the minutiae both prints show in their common area (see [`compare()`]);
/// a template compared with itself scores its number of minutiae (at least 12).
///
/// Chosen on the synthetic sample of the tests (`genuine_and_impostor_scores_separate`, release
/// build: 12 people x 2 fingers x 4 captures, a good reference and fair probes): 1656 impostor
/// comparisons (other people, and the same person's other finger) scored 0 to 7, median 1; 144
/// genuine ones 13 to 55, median 36. 10 lies between the two, 3 above the highest impostor
/// score and 3 below the lowest genuine one, so FMR and FNMR are both 0 on that sample. On poor
/// captures (partial, faint, smudged) genuine scores fall to 6..38 and about one in five falls
/// below 10, while impostors stay at 6 or below.
pub const MATCH_THRESHOLD: u32 = 10;

/// Images smaller than this on either side (pixels at 500 ppi, about 5 mm) are refused.
const MIN_SIDE_AT_500_PPI: u32 = 96;
/// Images larger than this many pixels (at 500 ppi) are refused: a slap is not one finger.
const MAX_PIXELS_AT_500_PPI: u64 = 1200 * 1200;
/// Resolutions the extractor accepts; images are resampled to 500 ppi first.
const PPI_RANGE: (u16, u16) = (250, 1000);

/// What a minutia is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinutiaKind {
    RidgeEnding,
    Bifurcation,
}

/// One minutia, in the pixels of the image it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Minutia {
    pub x: u16,
    pub y: u16,
    /// Direction in radians in [0, 2π), from the image's x axis towards its y axis (y points
    /// down, so it turns clockwise on screen). An ending points out of its ridge; a bifurcation
    /// along its single stem.
    pub angle: f32,
    pub kind: MinutiaKind,
    /// 0..=100: how clearly the ridges around it run one way.
    pub quality: u8,
}

/// The minutiae of one fingerprint image, with the image's size and resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FingerTemplate {
    pub width: u16,
    pub height: u16,
    pub ppi: u16,
    /// Best quality first.
    pub minutiae: Vec<Minutia>,
}

fn refusal(code: &'static str, message: String) -> DeviceError {
    DeviceError::Fingerprint { code, message }
}

/// The template of one fingerprint image scanned at `ppi` pixels per inch (250..=1000; other
/// resolutions than 500 are resampled to it). Refuses, with a [`DeviceError::Fingerprint`]
/// whose code is one of the `FINGERPRINT_*` constants, an image too small or too large, one
/// with no ridges, and one with fewer than 12 usable minutiae.
pub fn extract(image: &GrayImage, ppi: u16) -> Result<FingerTemplate, DeviceError> {
    if !(PPI_RANGE.0..=PPI_RANGE.1).contains(&ppi) {
        return Err(refusal(
            FINGERPRINT_RESOLUTION_UNSUPPORTED,
            format!(
                "a fingerprint at {ppi} ppi cannot be matched: the station matches {} to {} ppi",
                PPI_RANGE.0, PPI_RANGE.1
            ),
        ));
    }
    let scale = 500.0 / ppi as f32;
    let (width, height) = (
        (image.width() as f32 * scale).round() as u32,
        (image.height() as f32 * scale).round() as u32,
    );
    if width < MIN_SIDE_AT_500_PPI || height < MIN_SIDE_AT_500_PPI {
        return Err(refusal(
            FINGERPRINT_IMAGE_SIZE,
            format!(
                "the fingerprint image is {}x{} pixels, too small to match: place the finger flat on the scanner",
                image.width(),
                image.height()
            ),
        ));
    }
    if width as u64 * height as u64 > MAX_PIXELS_AT_500_PPI
        || image.width() > u16::MAX as u32
        || image.height() > u16::MAX as u32
    {
        return Err(refusal(
            FINGERPRINT_IMAGE_SIZE,
            format!(
                "the fingerprint image is {}x{} pixels, larger than one finger: capture a single finger",
                image.width(),
                image.height()
            ),
        ));
    }
    // A few percent off 500 ppi changes ridge spacing less than fingers differ: not resampled.
    let resampled;
    let working = if (scale - 1.0).abs() > 0.04 {
        resampled = image::imageops::resize(image, width, height, image::imageops::FilterType::Triangle);
        &resampled
    } else {
        image
    };
    let found = minutiae::extract_minutiae(working).map_err(|unusable| match unusable {
        minutiae::Unusable::NoFinger => refusal(
            FINGERPRINT_NO_RIDGES,
            "no fingerprint ridges were found in the image: place the finger on the scanner".to_string(),
        ),
        minutiae::Unusable::TooFewMinutiae { found } => refusal(
            FINGERPRINT_TOO_FEW_MINUTIAE,
            format!(
                "only {found} fingerprint features were found, {} are needed: press the finger flat and a little \
                 harder, or use another finger",
                minutiae::MIN_MINUTIAE
            ),
        ),
    })?;
    let back = |value: u16, limit: u32| ((value as f32 / scale).round() as u32).min(limit.saturating_sub(1)) as u16;
    Ok(FingerTemplate {
        width: image.width() as u16,
        height: image.height() as u16,
        ppi,
        minutiae: found
            .into_iter()
            .map(|m| Minutia {
                x: back(m.x, image.width()),
                y: back(m.y, image.height()),
                ..m
            })
            .collect(),
    })
}

/// How alike two templates are: the number of minutiae they share under the best rotation and
/// translation found (0 when either has none). Symmetric up to the alignment search's choices;
/// compare it with [`MATCH_THRESHOLD`].
pub fn compare(probe: &FingerTemplate, reference: &FingerTemplate) -> u32 {
    compare::similarity(probe, reference)
}

#[cfg(test)]
mod tests;
