//! The USB scanners the station recognises by vendor and product id, with what it can do with
//! each: drive it natively, or tell the clerk to install the vendor's MOSIP SBI device service,
//! or say that it is a laptop sensor not fit for enrollment.
//!
//! Why a table: a clerk who plugs in a SecuGen or a Suprema scanner must learn at once what to
//! install, not see "no device". Every id below was checked against a public source, named
//! beside the entry; ids that could not be checked (Crossmatch Guardian, Cogent CSD200, IriTech
//! IriShield) are left out rather than guessed.
//!
//! Deliberately absent: anything learnt by talking to the device (that is the drivers'), and
//! matching on names or classes, which vendors reuse across unrelated products.

use crate::capture::DeviceKind;

/// The native drivers of [`super::drivers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeDriver {
    /// Next Biometrics NB-1010-U.
    Nb1010,
    /// DigitalPersona U.are.U 4000: images in the clear.
    Uru4000,
    /// DigitalPersona U.are.U 4000B and 4500: images scrambled, with a key the device gives.
    Uru4000B,
}

/// What the station can do with a recognised scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// The station drives it itself.
    Native(NativeDriver),
    /// Only the vendor's software drives it: install the vendor's MOSIP SBI device service.
    VendorSbi { vendor: &'static str },
    /// A laptop or keyboard sensor: it gives images, but no SBI service or certification for
    /// enrollment exists for it.
    NotForEnrollment,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownScanner {
    pub vendor_id: u16,
    pub product_id: u16,
    pub make: &'static str,
    pub model: &'static str,
    pub kind: DeviceKind,
    pub support: Support,
}

impl KnownScanner {
    pub fn has_native_driver(&self) -> bool {
        matches!(self.support, Support::Native(_))
    }

    /// What to tell the clerk about this scanner, in English for logs; the UI words it from
    /// [`Support`] in the clerk's language.
    pub fn advice(&self) -> String {
        match self.support {
            Support::Native(_) => format!("{} {}: driven by the station", self.make, self.model),
            Support::VendorSbi { vendor } => format!(
                "{} {}: install {vendor}'s MOSIP SBI device service for this scanner",
                self.make, self.model
            ),
            Support::NotForEnrollment => format!(
                "{} {}: a laptop sensor, not fit for enrollment; connect a certified scanner",
                self.make, self.model
            ),
        }
    }
}

const fn scanner(
    vendor_id: u16,
    product_id: u16,
    make: &'static str,
    model: &'static str,
    kind: DeviceKind,
    support: Support,
) -> KnownScanner {
    KnownScanner {
        vendor_id,
        product_id,
        make,
        model,
        kind,
        support,
    }
}

use DeviceKind::{FingerSingle, FingerSlap};
use Support::{Native, NotForEnrollment, VendorSbi};

/// Every scanner the station recognises.
pub const KNOWN_SCANNERS: &[KnownScanner] = &[
    // DigitalPersona: usb.ids (05ba:0007, 0008, 000a "Fingerprint Reader") and libfprint's
    // uru4000 id table (0007 U.are.U 4000, 000a U.are.U 4000B; the 4500 shares 000a).
    scanner(
        0x05ba,
        0x0007,
        "DigitalPersona",
        "U.are.U 4000",
        FingerSingle,
        Native(NativeDriver::Uru4000),
    ),
    scanner(
        0x05ba,
        0x000a,
        "DigitalPersona",
        "U.are.U 4000B/4500",
        FingerSingle,
        Native(NativeDriver::Uru4000B),
    ),
    // Next Biometrics: libfprint's nb1010 id table and the recording in the shared fixtures.
    scanner(
        0x298d,
        0x1010,
        "Next Biometrics",
        "NB-1010-U",
        FingerSingle,
        Native(NativeDriver::Nb1010),
    ),
    // The other sensors of libfprint's recordings (ids from their umockdev `device` files).
    scanner(0x08ff, 0x5731, "AuthenTec", "AES3500", FingerSingle, NotForEnrollment),
    scanner(
        0x04f3,
        0x0c26,
        "Elan",
        "fingerprint sensor 0c26",
        FingerSingle,
        NotForEnrollment,
    ),
    scanner(
        0x138a,
        0x0050,
        "Validity",
        "VFS0050 swipe sensor",
        FingerSingle,
        NotForEnrollment,
    ),
    scanner(0x147e, 0x2016, "Upek", "TouchChip", FingerSingle, NotForEnrollment),
    scanner(
        0x1c7a,
        0x0570,
        "Egis",
        "0570 touch sensor",
        FingerSingle,
        NotForEnrollment,
    ),
    // SecuGen: the FDx SDK Pro release notes ("USB Hamster PRO 20 VID:0x1162 PID:0x2200").
    scanner(
        0x1162,
        0x2200,
        "SecuGen",
        "Hamster Pro 20",
        FingerSingle,
        VendorSbi { vendor: "SecuGen" },
    ),
    // Futronic: usb.ids (1491:0088 "Fingerprint Scanner Model FS88"), the FS88H family.
    scanner(
        0x1491,
        0x0088,
        "Futronic",
        "FS88H",
        FingerSingle,
        VendorSbi { vendor: "Futronic" },
    ),
    // Suprema: a published USB device inventory lists the RealScan-G10 as 16d1:1026.
    scanner(
        0x16d1,
        0x1026,
        "Suprema",
        "RealScan G10",
        FingerSlap,
        VendorSbi { vendor: "Suprema" },
    ),
    // Integrated Biometrics: the IBScanUltimate SDK's id list (VID 0x113f; Kojak 0x1300/0x1301,
    // Watson Mini 0x1020/0x1021, Columbo 0x1100/0x1101); usb.ids agrees on 1020 and 1100.
    scanner(
        0x113f,
        0x1300,
        "Integrated Biometrics",
        "Kojak",
        FingerSlap,
        VendorSbi {
            vendor: "Integrated Biometrics",
        },
    ),
    scanner(
        0x113f,
        0x1301,
        "Integrated Biometrics",
        "Kojak",
        FingerSlap,
        VendorSbi {
            vendor: "Integrated Biometrics",
        },
    ),
    // The Watson Mini takes two fingers at once; the model has no two-finger kind, and single
    // is what it can always do.
    scanner(
        0x113f,
        0x1020,
        "Integrated Biometrics",
        "Watson Mini",
        FingerSingle,
        VendorSbi {
            vendor: "Integrated Biometrics",
        },
    ),
    scanner(
        0x113f,
        0x1021,
        "Integrated Biometrics",
        "Watson Mini",
        FingerSingle,
        VendorSbi {
            vendor: "Integrated Biometrics",
        },
    ),
    scanner(
        0x113f,
        0x1100,
        "Integrated Biometrics",
        "Columbo",
        FingerSingle,
        VendorSbi {
            vendor: "Integrated Biometrics",
        },
    ),
    scanner(
        0x113f,
        0x1101,
        "Integrated Biometrics",
        "Columbo",
        FingerSingle,
        VendorSbi {
            vendor: "Integrated Biometrics",
        },
    ),
];

/// The scanner with these ids, if the station knows it.
pub fn lookup(vendor_id: u16, product_id: u16) -> Option<&'static KnownScanner> {
    KNOWN_SCANNERS
        .iter()
        .find(|scanner| scanner.vendor_id == vendor_id && scanner.product_id == product_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_rows_share_an_id() {
        for (index, scanner) in KNOWN_SCANNERS.iter().enumerate() {
            let first = KNOWN_SCANNERS
                .iter()
                .position(|other| (other.vendor_id, other.product_id) == (scanner.vendor_id, scanner.product_id));
            assert_eq!(
                first,
                Some(index),
                "{:04x}:{:04x} twice",
                scanner.vendor_id,
                scanner.product_id
            );
        }
    }

    #[test]
    fn a_scanner_without_a_driver_names_the_vendor_whose_service_to_install() {
        let hamster = lookup(0x1162, 0x2200).unwrap();
        assert!(!hamster.has_native_driver());
        assert!(
            hamster.advice().contains("install SecuGen's MOSIP SBI device service"),
            "{}",
            hamster.advice()
        );
        assert!(lookup(0x298d, 0x1010).unwrap().has_native_driver());
        assert_eq!(lookup(0x1d6b, 0x0002), None, "a root hub is no scanner");
    }
}
