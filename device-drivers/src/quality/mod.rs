//! Image quality scores computed on the station, 0 to 100 per modality, for captures whose device
//! gives none (simulated devices, native USB scanners). Each score comes with the named features
//! it was computed from and a list of [`QualityIssue`]s, so that the screen can tell the clerk
//! why a capture is poor ("too dark", "blurred", "too little of the finger") rather than only
//! that it is.
//!
//! - [`finger_quality`] ([`finger`]): NFIQ 2-inspired block features: foreground, orientation
//!   certainty, ridge-valley clarity and contrast, ridge frequency, finger area.
//! - [`iris_quality`] ([`iris`]): pupil and limbus found, usable iris area, sharpness (Daugman's
//!   focus kernel), iris-pupil and iris-sclera contrast, grey-scale utilisation.
//! - [`face_assessment`] ([`face`]): eyes found, pose symmetry, exposure, illumination
//!   uniformity, sharpness, face inside the frame; [`face_quality`] is its score alone.
//!
//! Every score is a weighted geometric mean of features mapped to 0..=1 (see
//! `pixels::weighted_score`), with the weights documented in each modality's file. The scales
//! are tuned so that the MOSIP default thresholds (finger 40, iris 60, face 90) keep their
//! meaning: a clean, sharp, well-exposed capture passes them, a blurred, dark or cut-off one
//! does not.
//!
//! Deliberately absent: certified algorithms. These are not NFIQ 2 (ISO/IEC 29794-4) nor
//! ISO/IEC 29794-5/-6 implementations and their numbers are not comparable with an SDK's; where
//! a device or SBI service gives its own score, that score is the one recorded. No image is
//! modified, and no score depends on anything but the pixels (and, for fingers, the resolution).

pub mod face;
pub mod finger;
pub mod iris;
pub(crate) mod pixels;

pub use face::{face_assessment, EyePair, FaceQuality};
pub use finger::{finger_quality, FingerQuality};
pub use iris::{iris_quality, Circle, IrisQuality};

use image::GrayImage;
use serde::Serialize;

/// Quality 0..=100 of a face image: the score of [`face_assessment`].
pub fn face_quality(image: &GrayImage) -> u8 {
    face_assessment(image).score
}

/// The station's score for a capture of `position`: the measure of its modality. `ppi` matters
/// for fingers only.
pub fn score(position: crate::Position, image: &GrayImage, ppi: u16) -> u8 {
    match position.modality() {
        crate::Modality::Finger => finger_quality(image, ppi).score,
        crate::Modality::Iris => iris_quality(image).score,
        crate::Modality::Face => face_quality(image),
    }
}

/// Why a capture scored low, in words a screen can translate. [`QualityIssue::code`] is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum QualityIssue {
    /// The image is too small to be assessed at all.
    ImageTooSmall,
    /// The finger resolution given is outside 125..=2000 ppi, so ridge spacing cannot be judged.
    ResolutionUnsupported,
    /// Too little of the finger is in the image.
    TooLittleFinger,
    /// Ridges have no clear direction (smudged, noisy or no finger).
    NoRidgeFlow,
    /// Ridges and valleys cannot be told apart.
    RidgesUnclear,
    /// Ridge spacing is outside what a finger shows at this resolution.
    RidgeSpacingImplausible,
    /// The image is too dark.
    TooDark,
    /// The image is too bright (washed out).
    TooBright,
    /// Too little contrast between light and dark parts.
    LowContrast,
    /// The image is out of focus or moved.
    Blurred,
    /// No pupil was found.
    PupilNotFound,
    /// No iris boundary was found.
    IrisNotFound,
    /// Too much of the iris is hidden by eyelids or lashes, or outside the frame.
    IrisOccluded,
    /// The iris is too small in the image (the camera is too far).
    IrisTooSmall,
    /// The pupil is implausibly large or small for the iris (dilation or a wrong detection).
    PupilIrisRatioImplausible,
    /// Two eyes could not be found where a face's eyes would be.
    EyesNotFound,
    /// The face is turned or tilted.
    FaceNotFrontal,
    /// One side of the face is much brighter than the other.
    UnevenLighting,
    /// Part of the face is outside the frame.
    FaceCutOff,
}

impl QualityIssue {
    /// A stable snake_case code for the screen's message catalogue.
    pub fn code(self) -> &'static str {
        match self {
            QualityIssue::ImageTooSmall => "quality_image_too_small",
            QualityIssue::ResolutionUnsupported => "quality_resolution_unsupported",
            QualityIssue::TooLittleFinger => "quality_too_little_finger",
            QualityIssue::NoRidgeFlow => "quality_no_ridge_flow",
            QualityIssue::RidgesUnclear => "quality_ridges_unclear",
            QualityIssue::RidgeSpacingImplausible => "quality_ridge_spacing_implausible",
            QualityIssue::TooDark => "quality_too_dark",
            QualityIssue::TooBright => "quality_too_bright",
            QualityIssue::LowContrast => "quality_low_contrast",
            QualityIssue::Blurred => "quality_blurred",
            QualityIssue::PupilNotFound => "quality_pupil_not_found",
            QualityIssue::IrisNotFound => "quality_iris_not_found",
            QualityIssue::IrisOccluded => "quality_iris_occluded",
            QualityIssue::IrisTooSmall => "quality_iris_too_small",
            QualityIssue::PupilIrisRatioImplausible => "quality_pupil_iris_ratio_implausible",
            QualityIssue::EyesNotFound => "quality_eyes_not_found",
            QualityIssue::FaceNotFrontal => "quality_face_not_frontal",
            QualityIssue::UnevenLighting => "quality_uneven_lighting",
            QualityIssue::FaceCutOff => "quality_face_cut_off",
        }
    }
}
