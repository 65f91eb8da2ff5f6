//! The acknowledgement slip a clerk prints and hands to the resident once a registration is
//! finalized: the registration id, as text and as a QR code, the resident's photo, and what
//! was taken down, in the form's languages.
//!
//! - It exists while the station can still read the registration: from finalize until a
//!   supervisor's review seals it for the register. That is when the resident is at the desk.
//! - The QR code is made here, in Rust, from the id alone: a scanner at the register reads
//!   nothing but the id, and the window draws no code of its own. It is an SVG, sent as a data
//!   URL for an `<img>`, so no markup from outside the window's own code reaches its DOM.
//! - The window lays the slip out and prints it (its print style sheet), so the same engine
//!   that shapes Arabic and Tifinagh on screen shapes them on paper.

use base64::Engine;
use enroll_store::RegistrationState;
use serde::Serialize;
use specta::Type;

use crate::biometrics::Position;
use crate::{invalid_state, Station, StationError};

/// What the slip shows.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AcknowledgementView {
    pub registration_id: String,
    /// The registration id as a QR code: `data:image/svg+xml;base64,…`.
    pub qr_code: String,
    pub station_name: String,
    pub center_id: String,
    /// Who took the registration down: their full name, or their username once removed.
    pub officer: String,
    /// When the registration was finalized (RFC 3339).
    pub registered_at: String,
    /// The identity document as finalized (the window labels it with the form).
    pub identity: serde_json::Value,
    /// The resident's face, `data:image/png;base64,…`; absent when it was recorded as an
    /// exception.
    pub photo: Option<String>,
}

impl Station {
    /// The slip of a finalized registration the station can still read.
    pub fn acknowledgement(&self, registration_id: &str) -> Result<AcknowledgementView, StationError> {
        let (_, data_key) = self.signed_in()?;
        let (row, identity, station, officer) = {
            let vault = self.vault();
            let row = vault.registration(registration_id)?;
            if row.state != RegistrationState::PendingApproval {
                return Err(invalid_state(&row));
            }
            let identity = self.readable_identity(&vault, &row, &data_key)?.identity;
            let station = vault.station()?.ok_or(StationError::NotSetUp)?;
            let officer = vault
                .operators()?
                .into_iter()
                .find(|o| o.username == row.created_by)
                .map_or_else(|| row.created_by.clone(), |o| o.full_name);
            (row, identity, station, officer)
        };
        let photo = match self.biometric_preview(registration_id, Position::Face) {
            Ok(capture) => Some(capture.preview_data_url),
            Err(StationError::NotFound(_)) => None,
            Err(other) => return Err(other),
        };
        Ok(AcknowledgementView {
            qr_code: qr_code_data_url(&row.registration_id)?,
            registration_id: row.registration_id,
            station_name: station.name,
            center_id: station.center_id,
            officer,
            registered_at: row.updated_at,
            identity,
            photo,
        })
    }
}

/// `text` as a QR code (error correction M, the usual for printed ids), as an SVG data URL.
fn qr_code_data_url(text: &str) -> Result<String, StationError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|error| StationError::Internal(format!("the QR code of {text}: {error}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use crate::test_support::{complete_draft, pending_registration, TestStation, OFFICER, SUPERVISOR};

    #[test]
    fn a_finalized_registration_has_a_slip_with_its_id_as_a_qr_code_and_the_photo() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let rid = pending_registration(&test.station);

        let slip = test.station.acknowledgement(&rid).unwrap();
        assert_eq!(slip.registration_id, rid);
        assert_eq!(slip.identity["fullName"][1]["value"], "أمينة الإدريسي");
        assert!(slip.photo.unwrap().starts_with("data:image/png;base64,"));
        let svg = slip
            .qr_code
            .strip_prefix("data:image/svg+xml;base64,")
            .expect("an SVG data URL");
        let svg = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(svg).unwrap()).unwrap();
        assert!(
            svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("<path"),
            "{svg}"
        );
        // The code holds the id: the same modules as a code made from it directly.
        let expected = qrcode::QrCode::with_error_correction_level(rid.as_bytes(), qrcode::EcLevel::M).unwrap();
        assert_eq!(
            svg,
            expected
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(160, 160)
                .build()
        );
        assert!(
            !slip.officer.is_empty() && slip.officer != OFFICER,
            "the officer's full name: {}",
            slip.officer
        );
    }

    #[test]
    fn there_is_no_slip_before_finalize_or_once_the_packet_is_sealed() {
        let test = TestStation::new();
        test.as_user(OFFICER);
        let draft = complete_draft(&test.station);
        assert_eq!(
            test.station.acknowledgement(&draft).unwrap_err().code(),
            "invalid_state"
        );
        let rid = pending_registration(&test.station);
        test.as_user(SUPERVISOR);
        test.station.approve(&rid).unwrap();
        assert_eq!(test.station.acknowledgement(&rid).unwrap_err().code(), "invalid_state");
    }
}
