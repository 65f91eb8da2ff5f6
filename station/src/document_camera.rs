//! Photographing a document's page with the station's camera, for a centre without a scanner
//! (a mobile team's laptop has a camera, rarely a scanner).
//!
//! The camera is the one that takes the face and the exception photo (`CaptureStep::
//! ExceptionPhoto`: a still, no quality threshold), real before simulated as for every capture.
//! A page is not a biometric: it joins no SBI hash chain and is not kept with the biometrics.
//! It goes back to the window as a JPEG file, as if the clerk had picked it from disk, and
//! reaches the draft through `attach_document`, which checks it again like any page.
//!
//! The devices deliver grey pixels (the face profile's records decode to grey), so pages from
//! the camera are grey JPEGs: legible, and small enough for the form's file limit.

use std::io::Cursor;

use base64::Engine as _;
use enroll_devices::{CancelToken, CaptureRequest, CaptureStep, CapturedData};
use serde::Serialize;
use specta::Type;

use crate::{ScannedPageView, Station, StationError};

/// JPEG quality of a photographed page: print stays sharp, a page stays well under 1 MB.
const PHOTO_JPEG_QUALITY: u8 = 88;

/// The camera a clerk may photograph pages with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DocumentCameraView {
    pub make: String,
    pub model: String,
    /// A simulated camera (training, tests): the window says so.
    pub simulated: bool,
}

impl Station {
    /// The camera pages can be photographed with, if the station has one ready.
    pub fn document_camera(&self) -> Result<Option<DocumentCameraView>, StationError> {
        self.signed_in()?;
        Ok(self.devices.for_step(CaptureStep::ExceptionPhoto).map(|device| {
            let info = device.descriptor().info;
            DocumentCameraView {
                make: info.make,
                model: info.model,
                simulated: info.simulated,
            }
        }))
    }

    /// Photograph one page with [`Station::document_camera`]'s camera.
    pub fn photograph_document_page(&self) -> Result<ScannedPageView, StationError> {
        self.signed_in()?;
        let device = self
            .devices
            .for_step(CaptureStep::ExceptionPhoto)
            .ok_or_else(|| StationError::NoDevice {
                step: "documentPhoto".into(),
            })?;
        let request = CaptureRequest {
            step: CaptureStep::ExceptionPhoto,
            exceptions: Vec::new(),
            requested_quality: 0,
            timeout: std::time::Duration::from_secs(self.capture_policy().capture_timeout_seconds.into()),
            transaction_id: crate::biometrics::uuid_like(),
            // Not a biometric: it starts no chain and continues none.
            previous_hash: None,
            subject: Default::default(),
        };
        // The camera serves one client: a running face preview lets go of it first.
        self.live.stop();
        let result = device.capture(&request, &CancelToken::new())?;
        let capture =
            result.captures.into_iter().next().ok_or_else(|| {
                enroll_devices::DeviceError::Protocol("the camera returned no image for the page".into())
            })?;
        let pixels = match &capture.data {
            CapturedData::Image { image, .. } => image.clone(),
            CapturedData::IsoRecord(record) => {
                let parsed = enroll_devices::iso19794::Iso19794Record::parse(record)?;
                enroll_devices::codecs::decode_record_image(&parsed.first().image)?
            }
        };
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), PHOTO_JPEG_QUALITY)
            .encode_image(&pixels)
            .map_err(|e| StationError::Internal(format!("encoding a photographed page as JPEG: {e}")))?;
        let at = (self.clock)();
        tracing::info!(
            bytes = jpeg.len(),
            width = pixels.width(),
            height = pixels.height(),
            simulated = result.device.simulated,
            "page photographed"
        );
        Ok(ScannedPageView {
            file_name: format!("photo-{}.jpg", at.unix_timestamp()),
            media_type: "image/jpeg".into(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(&jpeg),
            width: pixels.width(),
            height: pixels.height(),
            dpi: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{complete_draft, TestStation, OFFICER};

    /// The simulated camera photographs a page that attaches as a proof of address.
    #[test]
    fn a_photographed_page_is_a_jpeg_that_attaches_like_a_picked_file() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let camera = test
            .station
            .document_camera()
            .unwrap()
            .expect("the simulated face camera");
        assert!(camera.simulated);

        let page = test.station.photograph_document_page().unwrap();
        assert_eq!(page.media_type, "image/jpeg");
        assert!(page.file_name.starts_with("photo-") && page.file_name.ends_with(".jpg"));
        let jpeg = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &page.data_base64).unwrap();
        let image = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap();
        assert_eq!((image.width(), image.height()), (page.width, page.height));
        assert!(
            page.width >= 320 && page.height >= 240,
            "{}x{}",
            page.width,
            page.height
        );

        let rid = complete_draft(&test.station);
        let view = test
            .station
            .attach_document(
                &rid,
                crate::DocumentInput {
                    category: "POA".into(),
                    document_type: "UTILITY_BILL".into(),
                    reference_number: None,
                    pages: vec![crate::DocumentPage {
                        file_name: page.file_name.clone(),
                        data_base64: page.data_base64.clone(),
                    }],
                },
            )
            .unwrap();
        let attached = view.documents.iter().find(|d| d.category == "POA").unwrap();
        assert_eq!(attached.format, crate::DocumentFileFormat::Jpeg);
    }

    #[test]
    fn nobody_signed_in_photographs_nothing() {
        let test = TestStation::new();
        assert_eq!(
            test.station.photograph_document_page().unwrap_err().code(),
            "not_signed_in"
        );
        assert_eq!(test.station.document_camera().unwrap_err().code(), "not_signed_in");
    }
}
