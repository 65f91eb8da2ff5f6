//! Native driver for the Next Biometrics NB-1010-U (USB 298d:1010), a press (area) sensor of
//! 256 × 180 pixels. Its resolution, 385 ppi, is the maker's figure for this sensor family;
//! libfprint states none and no data sheet was at hand to check it, so [`PPI`] is the one
//! number here that no test confirms.
//!
//! Why this sensor first: its protocol is small and fully known (libfprint's `nb1010` driver
//! documents it from a USB capture), and libfprint's test data holds a real recording with the
//! image it yields, so the driver is tested against the real device's bytes.
//!
//! The protocol, as facts (our own code, written from them):
//! - Commands go to bulk endpoint 0x02, answers come on bulk 0x83. A command is `0x80, command,
//!   sequence, ...`; the device echoes the sequence and does not check it.
//! - Check finger (`0x38`): a 16-byte answer `0x80 0x37 ...` whose byte 12 is the finger
//!   presence; above 0x60 a finger is on the sensor.
//! - Pre-capture (`0x0d`) then capture (`0x12`): each answered by 16 bytes `0x80 0x20 ...`.
//! - Then the image comes as 90 reads of 540 bytes: a 25-byte header (`0x80 0x21 ...`) and two
//!   lines of 256 pixels, top to bottom. The pixels are the image as it is: no inversion, no
//!   scaling.
//!
//! Quality is left to the station: the sensor reports none, so captures carry quality 0 with
//! [`QualitySource::Station`] and the station must score them.
//!
//! Deliberately absent: live preview (the sensor has no preview stream; previews are refused
//! with [`DeviceError::UnsupportedStep`]), waiting for the finger to lift between captures
//! (each capture polls for a finger afresh), and the device-information command (`0x13`),
//! which the capture does not need.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use image::GrayImage;

use crate::capture::{CancelToken, DeviceInfo};
use crate::usb::transport::UsbTransport;
use crate::DeviceError;

pub const VENDOR_ID: u16 = 0x298d;
pub const PRODUCT_ID: u16 = 0x1010;
pub const WIDTH: u32 = 256;
pub const HEIGHT: u32 = 180;
pub const PPI: u16 = 385;

const ENDPOINT_OUT: u8 = 0x02;
const ENDPOINT_IN: u8 = 0x83;
const ANSWER_LENGTH: usize = 16;
const FINGER_PRESENCE_BYTE: usize = 12;
const FINGER_PRESENT_ABOVE: u8 = 0x60;
const PARTIAL_LENGTH: usize = 540;
const PARTIAL_HEADER_LENGTH: usize = 25;
const LINES_PER_PARTIAL: usize = 2;
const PARTIALS: usize = HEIGHT as usize / LINES_PER_PARTIAL;
const TRANSFER_TIMEOUT: Duration = Duration::from_millis(500);

const CHECK_FINGER: [u8; 8] = [0x80, 0x38, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00];
const PRE_CAPTURE: [u8; 12] = [0x80, 0x0d, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00];
const CAPTURE: [u8; 32] = [
    0x80, 0x12, 0x04, 0x00, 0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
];

/// The NB-1010-U on some transport.
pub struct Nb1010 {
    transport: Mutex<Box<dyn UsbTransport>>,
    id: String,
    info: DeviceInfo,
    /// Pause between finger checks, and between the capture command and the first image read
    /// (the sensor needs it to scan; libfprint waits 50 ms). Zero when replaying.
    settle: Duration,
}

impl Nb1010 {
    /// `id` is the descriptor id (`usb:<bus>-<ports>`), `info` what enumeration learnt.
    pub fn new(transport: Box<dyn UsbTransport>, id: String, info: DeviceInfo) -> Nb1010 {
        Nb1010 {
            transport: Mutex::new(transport),
            id,
            info,
            settle: Duration::from_millis(50),
        }
    }

    /// Replace the pause between polls (tests replaying a recording use zero).
    pub fn with_settle_delay(mut self, settle: Duration) -> Nb1010 {
        self.settle = settle;
        self
    }

    /// Wait for a finger, scan it and return the image, within `timeout`.
    pub fn capture_image(&self, timeout: Duration, cancel: &CancelToken) -> Result<GrayImage, DeviceError> {
        let mut transport = self.transport.lock().map_err(|_| DeviceError::Busy)?;
        let transport = transport.as_mut();
        let deadline = Instant::now() + timeout;
        loop {
            if cancel.is_cancelled() {
                return Err(DeviceError::Cancelled);
            }
            transport.bulk_out(ENDPOINT_OUT, &CHECK_FINGER, TRANSFER_TIMEOUT)?;
            let answer = read_answer(transport, 0x37)?;
            if answer[FINGER_PRESENCE_BYTE] > FINGER_PRESENT_ABOVE {
                break;
            }
            if Instant::now() >= deadline {
                return Err(DeviceError::Timeout {
                    seconds: timeout.as_secs(),
                });
            }
            std::thread::sleep(self.settle);
        }
        transport.bulk_out(ENDPOINT_OUT, &PRE_CAPTURE, TRANSFER_TIMEOUT)?;
        read_answer(transport, 0x20)?;
        transport.bulk_out(ENDPOINT_OUT, &CAPTURE, TRANSFER_TIMEOUT)?;
        read_answer(transport, 0x20)?;
        std::thread::sleep(self.settle);

        let line_length = WIDTH as usize;
        let mut pixels = Vec::with_capacity(line_length * HEIGHT as usize);
        for partial in 0..PARTIALS {
            if cancel.is_cancelled() {
                return Err(DeviceError::Cancelled);
            }
            let bytes = transport.bulk_in(ENDPOINT_IN, PARTIAL_LENGTH, TRANSFER_TIMEOUT)?;
            if bytes.len() != PARTIAL_LENGTH || bytes[..2] != [0x80, 0x21] {
                return Err(DeviceError::Protocol(format!(
                    "image part {} of {PARTIALS}: expected {PARTIAL_LENGTH} bytes starting 80 21, got {} bytes",
                    partial + 1,
                    bytes.len()
                )));
            }
            let lines = &bytes[PARTIAL_HEADER_LENGTH..PARTIAL_HEADER_LENGTH + LINES_PER_PARTIAL * line_length];
            pixels.extend_from_slice(lines);
        }
        GrayImage::from_raw(WIDTH, HEIGHT, pixels)
            .ok_or_else(|| DeviceError::BadImage("the NB-1010 image does not fill 256 × 180 pixels".into()))
    }
}

/// Read one 16-byte command answer and check its kind byte.
fn read_answer(transport: &mut dyn UsbTransport, kind: u8) -> Result<Vec<u8>, DeviceError> {
    let answer = transport.bulk_in(ENDPOINT_IN, ANSWER_LENGTH, TRANSFER_TIMEOUT)?;
    if answer.len() != ANSWER_LENGTH || answer[0] != 0x80 || answer[1] != kind {
        return Err(DeviceError::Protocol(format!(
            "expected a {ANSWER_LENGTH}-byte answer 80 {kind:02x}, got {} bytes starting {:02x?}",
            answer.len(),
            &answer[..answer.len().min(2)]
        )));
    }
    Ok(answer)
}

impl super::SingleFingerSensor for Nb1010 {
    fn id(&self) -> &str {
        &self.id
    }

    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn is_busy(&self) -> bool {
        self.transport.try_lock().is_err()
    }

    fn ppi(&self) -> u16 {
        PPI
    }

    fn name(&self) -> &'static str {
        "the NB-1010"
    }

    fn capture_image(&self, timeout: Duration, cancel: &CancelToken) -> Result<GrayImage, DeviceError> {
        Nb1010::capture_image(self, timeout, cancel)
    }
}
