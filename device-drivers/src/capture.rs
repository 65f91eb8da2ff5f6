//! The capture model: one interface for every kind of biometric device (finger slap scanner,
//! single-finger scanner, iris camera, face camera) whatever backend drives it (a MOSIP SBI
//! device service, a native USB driver, a simulated device).
//!
//! Why one model: the station asks for "the left slap, minus the injured ring finger, at
//! quality 40, within 10 s" and must not care whether an SBI service on port 4501, a scanner on
//! the USB bus or the training simulator answers. What differs between backends is kept to what
//! the clerk and the register must know: who made the capture ([`DeviceInfo`], with
//! `simulated`), whether the device proved who it is ([`DeviceTrust`]), and what it handed over
//! ([`CapturedData`]: an ISO/IEC 19794 record, or raw pixels that the station wraps itself).
//!
//! Calls block: the station runs them on worker threads (the app's commands already do), and a
//! [`CancelToken`] stops a capture or a preview from another thread.
//!
//! Deliberately absent: how a backend talks to its device (`sbi`, `usb`, `simulated`), policy
//! (which steps, thresholds, retries: the country's configuration, applied by the station), and
//! encoding images into records (`iso19794`, `codecs`).

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::DeviceError;

/// The three modalities the station captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Modality {
    Finger,
    Iris,
    Face,
}

/// What a device is, as SBI names it (type and sub-type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum DeviceKind {
    /// Captures four fingers (or two thumbs) at once.
    FingerSlap,
    /// Captures one finger at a time.
    FingerSingle,
    /// Captures both eyes at once.
    IrisDouble,
    /// Captures one eye at a time.
    IrisSingle,
    Face,
}

impl DeviceKind {
    pub fn modality(self) -> Modality {
        match self {
            DeviceKind::FingerSlap | DeviceKind::FingerSingle => Modality::Finger,
            DeviceKind::IrisDouble | DeviceKind::IrisSingle => Modality::Iris,
            DeviceKind::Face => Modality::Face,
        }
    }

    /// Can this kind of device take the step in one capture?
    pub fn can_capture(self, step: CaptureStep) -> bool {
        matches!(
            (self, step),
            (
                DeviceKind::FingerSlap,
                CaptureStep::LeftSlap | CaptureStep::RightSlap | CaptureStep::Thumbs
            ) | (DeviceKind::FingerSingle, CaptureStep::Finger(_))
                | (
                    DeviceKind::IrisDouble,
                    CaptureStep::BothIrises | CaptureStep::LeftIris | CaptureStep::RightIris
                )
                | (DeviceKind::IrisSingle, CaptureStep::LeftIris | CaptureStep::RightIris)
                | (DeviceKind::Face, CaptureStep::Face | CaptureStep::ExceptionPhoto)
        )
    }
}

/// One body part that a capture produces a record for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Position {
    RightThumb,
    RightIndex,
    RightMiddle,
    RightRing,
    RightLittle,
    LeftThumb,
    LeftIndex,
    LeftMiddle,
    LeftRing,
    LeftLittle,
    LeftIris,
    RightIris,
    Face,
    /// The photo that documents an exception (a missing finger or eye): a face-camera image.
    ExceptionPhoto,
}

impl Position {
    pub const FINGERS: [Position; 10] = [
        Position::RightThumb,
        Position::RightIndex,
        Position::RightMiddle,
        Position::RightRing,
        Position::RightLittle,
        Position::LeftThumb,
        Position::LeftIndex,
        Position::LeftMiddle,
        Position::LeftRing,
        Position::LeftLittle,
    ];

    pub fn modality(self) -> Modality {
        match self {
            Position::LeftIris | Position::RightIris => Modality::Iris,
            Position::Face | Position::ExceptionPhoto => Modality::Face,
            _ => Modality::Finger,
        }
    }

    /// The name MOSIP uses for this position: SBI `bioSubType` and CBEFF `Subtype`
    /// ("Left IndexFinger", "Right Thumb", iris "Left"/"Right", face "").
    pub fn mosip_name(self) -> &'static str {
        match self {
            Position::RightThumb => "Right Thumb",
            Position::RightIndex => "Right IndexFinger",
            Position::RightMiddle => "Right MiddleFinger",
            Position::RightRing => "Right RingFinger",
            Position::RightLittle => "Right LittleFinger",
            Position::LeftThumb => "Left Thumb",
            Position::LeftIndex => "Left IndexFinger",
            Position::LeftMiddle => "Left MiddleFinger",
            Position::LeftRing => "Left RingFinger",
            Position::LeftLittle => "Left LittleFinger",
            Position::LeftIris => "Left",
            Position::RightIris => "Right",
            Position::Face | Position::ExceptionPhoto => "",
        }
    }

    /// The position from its MOSIP name; `modality` tells iris "Left" from a finger.
    pub fn from_mosip_name(modality: Modality, name: &str) -> Option<Position> {
        let all = Position::FINGERS
            .iter()
            .chain(&[Position::LeftIris, Position::RightIris, Position::Face]);
        all.copied()
            .find(|p| p.modality() == modality && p.mosip_name().eq_ignore_ascii_case(name.trim()))
    }

    /// The finger position code of ISO/IEC 19794-4 (1 right thumb .. 10 left little).
    pub fn iso_finger_code(self) -> Option<u8> {
        Position::FINGERS.iter().position(|p| *p == self).map(|i| i as u8 + 1)
    }
}

/// One capture the clerk asks for: a slap, the thumbs, the irises, the face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum CaptureStep {
    LeftSlap,
    RightSlap,
    Thumbs,
    /// One finger on a single-finger scanner.
    Finger(Position),
    BothIrises,
    LeftIris,
    RightIris,
    Face,
    ExceptionPhoto,
}

impl CaptureStep {
    /// The positions this step yields records for when nothing is excepted.
    pub fn positions(self) -> Vec<Position> {
        use Position::*;
        match self {
            CaptureStep::LeftSlap => vec![LeftIndex, LeftMiddle, LeftRing, LeftLittle],
            CaptureStep::RightSlap => vec![RightIndex, RightMiddle, RightRing, RightLittle],
            CaptureStep::Thumbs => vec![LeftThumb, RightThumb],
            CaptureStep::Finger(position) => vec![position],
            CaptureStep::BothIrises => vec![LeftIris, RightIris],
            CaptureStep::LeftIris => vec![LeftIris],
            CaptureStep::RightIris => vec![RightIris],
            CaptureStep::Face => vec![Face],
            CaptureStep::ExceptionPhoto => vec![ExceptionPhoto],
        }
    }

    pub fn modality(self) -> Modality {
        self.positions()[0].modality()
    }

    /// SBI `deviceSubId` for this step: slaps 1 left, 2 right, 3 thumbs; irises 1 left,
    /// 2 right, 3 both; face and single finger 0.
    pub fn sbi_device_sub_id(self) -> u8 {
        match self {
            CaptureStep::LeftSlap | CaptureStep::LeftIris => 1,
            CaptureStep::RightSlap | CaptureStep::RightIris => 2,
            CaptureStep::Thumbs | CaptureStep::BothIrises => 3,
            CaptureStep::Finger(_) | CaptureStep::Face | CaptureStep::ExceptionPhoto => 0,
        }
    }
}

/// What the station asks a device for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRequest {
    pub step: CaptureStep,
    /// Positions of the step not to capture (missing or injured), marked by the clerk.
    pub exceptions: Vec<Position>,
    /// The quality the device should aim for, 0..=100 (SBI `requestedScore`).
    pub requested_quality: u8,
    /// How long the device may take, from the call.
    pub timeout: Duration,
    /// Unique per capture; SBI devices echo it in their signed answer.
    pub transaction_id: String,
    /// SBI's hash chain: the last link (`hash`) of the registration's previous capture, which
    /// the device continues from (`previousHash`); `None` for a registration's first capture,
    /// whose chain starts from SHA-256 of the empty string. The chain runs across captures and
    /// modalities so that the register can tell that they belong together (SBI 1.0,
    /// `bio.previousHash`). Devices that sign nothing ignore it.
    pub previous_hash: Option<[u8; 32]>,
    /// Who is at the device. Real devices take whoever is there; the simulated ones draw a
    /// person of their own for each operator (see [`CaptureSubject`]).
    pub subject: CaptureSubject,
}

/// Who a capture is of: the resident being registered, or an operator proving who they are
/// (their fingers enrolled, or their sign-off).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CaptureSubject {
    #[default]
    Resident,
    /// The operator with this username. A simulated device draws the same person for the
    /// same username, across captures and restarts, so that an operator's enrolled fingers
    /// match their sign-off in training, and another operator's do not.
    Operator(String),
}

impl CaptureRequest {
    /// The positions the device must return: the step's, minus the exceptions.
    pub fn expected_positions(&self) -> Vec<Position> {
        self.step
            .positions()
            .into_iter()
            .filter(|p| !self.exceptions.contains(p))
            .collect()
    }
}

/// Who made a capture, as recorded in the packet and shown to the clerk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    pub make: String,
    pub model: String,
    pub serial: String,
    /// Firmware version as the device reports it; empty when it reports none.
    #[serde(default)]
    pub firmware: String,
    /// SBI certification level ("L0", "L1") when the device states one.
    #[serde(default)]
    pub certification: Option<String>,
    /// The device's signed digital id (SBI: a compact JWS), kept for the packet.
    #[serde(default)]
    pub digital_id: Option<String>,
    /// True for simulated devices; the UI must say so wherever their captures are shown.
    pub simulated: bool,
}

/// Which backend drives a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Backend {
    Sbi,
    Usb,
    Simulated,
}

/// Whether the device proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum DeviceTrust {
    /// Its signatures chain to a CA in the station's trust store.
    Verified,
    /// Accepted without proof because the station runs in developer mode; the UI must show it.
    DeveloperMode,
    /// A device that signs nothing by design: a native USB scanner or a simulated device.
    NotApplicable,
}

/// Whether a device can take a capture now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum DeviceStatus {
    Ready,
    Busy,
    NotReady,
    /// SBI: the device is not registered with the register's device management.
    NotRegistered,
}

/// A device as discovery finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDescriptor {
    /// Stable while the device stays plugged in, unique across backends, e.g. `sbi:4501:2`,
    /// `usb:3-1.2`, `sim:finger-slap`.
    pub id: String,
    pub kind: DeviceKind,
    pub backend: Backend,
    pub info: DeviceInfo,
    pub status: DeviceStatus,
    pub trust: DeviceTrust,
}

/// What a device handed over for one position.
#[derive(Debug, Clone, PartialEq)]
pub enum CapturedData {
    /// An ISO/IEC 19794 record, as SBI devices return it; kept byte for byte.
    IsoRecord(Vec<u8>),
    /// Raw 8-bit grey pixels (native drivers, simulated devices): the station wraps them into a
    /// record (JPEG 2000 lossless for the registration profile).
    Image { image: image::GrayImage, ppi: u16 },
}

/// Where a quality score comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum QualitySource {
    Device,
    /// Computed by the station (`crate::quality`) because the device gave none.
    Station,
}

/// One position's capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    pub position: Position,
    pub data: CapturedData,
    /// 0..=100.
    pub quality: u8,
    pub quality_source: QualitySource,
    /// The device's signature over this capture (SBI: the compact JWS of the biometric entry),
    /// carried into the packet's CBEFF `SB`.
    pub signature: Option<String>,
}

/// The answer to one [`CaptureRequest`].
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureResult {
    pub captures: Vec<Capture>,
    pub device: DeviceInfo,
    /// SBI: the last link of the hash chain this answer was checked against, for the next
    /// capture's [`CaptureRequest::previous_hash`]. `None` from devices that keep no chain
    /// (native USB, simulated): the registration's chain then stays where it was.
    pub chain_hash: Option<[u8; 32]>,
}

/// One live preview frame, encoded for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewFrame {
    pub format: FrameFormat,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum FrameFormat {
    Jpeg,
    Png,
}

/// Stops a capture or a preview from another thread. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A device that captures biometrics. Implementations must be usable from any thread; calls
/// block until done, failed, timed out or cancelled.
pub trait BiometricDevice: Send + Sync {
    fn descriptor(&self) -> DeviceDescriptor;

    /// Capture what `request` asks for. Returns one [`Capture`] per expected position (a slap
    /// scanner that gives only the slap image leaves segmentation to the station: it returns
    /// one capture with the slap's first position and says so in its docs).
    fn capture(&self, request: &CaptureRequest, cancel: &CancelToken) -> Result<CaptureResult, DeviceError>;

    /// Stream live preview frames for `step` to `on_frame` until it returns
    /// `ControlFlow::Break`, `cancel` is set, or the device fails.
    fn preview(
        &self,
        step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
    ) -> Result<(), DeviceError>;
}

/// A source of devices: SBI discovery, the USB bus, the simulators.
pub trait DeviceBackend: Send + Sync {
    /// Short name for logs and the device list ("sbi", "usb", "simulated").
    fn name(&self) -> &'static str;

    /// The devices this backend can drive now. A backend that cannot work on this machine
    /// (no USB subsystem) returns an empty list and says why in its log, not an error.
    fn discover(&self) -> Result<Vec<Arc<dyn BiometricDevice>>, DeviceError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_yield_their_positions_minus_exceptions() {
        let request = CaptureRequest {
            step: CaptureStep::LeftSlap,
            exceptions: vec![Position::LeftRing],
            requested_quality: 40,
            timeout: Duration::from_secs(10),
            transaction_id: "t".into(),
            previous_hash: None,
            subject: Default::default(),
        };
        assert_eq!(
            request.expected_positions(),
            vec![Position::LeftIndex, Position::LeftMiddle, Position::LeftLittle]
        );
        assert_eq!(CaptureStep::Thumbs.sbi_device_sub_id(), 3);
        assert!(DeviceKind::FingerSlap.can_capture(CaptureStep::Thumbs));
        assert!(!DeviceKind::FingerSlap.can_capture(CaptureStep::Face));
    }

    #[test]
    fn mosip_names_round_trip_and_iso_codes_follow_the_standard() {
        for position in Position::FINGERS
            .iter()
            .chain(&[Position::LeftIris, Position::RightIris])
        {
            assert_eq!(
                Position::from_mosip_name(position.modality(), position.mosip_name()),
                Some(*position)
            );
        }
        assert_eq!(
            Position::from_mosip_name(Modality::Iris, "left"),
            Some(Position::LeftIris)
        );
        assert_eq!(Position::from_mosip_name(Modality::Finger, "Left"), None);
        assert_eq!(Position::RightThumb.iso_finger_code(), Some(1));
        assert_eq!(Position::LeftLittle.iso_finger_code(), Some(10));
        assert_eq!(Position::Face.iso_finger_code(), None);
    }

    #[test]
    fn a_cancel_token_is_shared_by_its_clones() {
        let token = CancelToken::new();
        let other = token.clone();
        assert!(!other.is_cancelled());
        token.cancel();
        assert!(other.is_cancelled());
    }
}
