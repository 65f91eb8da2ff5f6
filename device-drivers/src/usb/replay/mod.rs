//! Plays a recorded USB exchange back to a driver: [`ReplayTransport`].
//!
//! Why: it is how a native driver meets real hardware in a test. The transport checks that
//! every transfer the driver makes is the one the recording says came next (same kind,
//! endpoint, direction, requested length, and for OUT the same bytes) and answers with what the
//! device answered. The first difference is a [`DeviceError::UsbReplayMismatch`] naming the step
//! and the recording's line, so a failing test says where the driver went wrong.
//!
//! Recordings come from umockdev files ([`umockdev`]), usbmon captures ([`pcapng`]), or are
//! built in code from a protocol's published facts ([`ScriptedExchange`]) for devices we have
//! no recording of; a test built that way says so.
//!
//! Deliberately absent: timing (the recording's pace is not replayed), reordering (see
//! [`umockdev`] on repeated requests).

pub mod pcapng;
pub mod umockdev;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use self::umockdev::{Recording, Urb, UrbKind};
use super::transport::{ControlSetup, UsbTransport};
use crate::DeviceError;

/// errno values a URB's status can carry (linux `errno.h`).
const ETIMEDOUT: i32 = 110;
const ENOENT: i32 = 2;

/// A [`UsbTransport`] that answers from a recording.
#[derive(Debug)]
pub struct ReplayTransport {
    progress: ReplayProgress,
}

/// How far a replay has got; kept by a test while the driver owns the transport.
#[derive(Debug, Clone)]
pub struct ReplayProgress {
    urbs: Arc<Vec<Urb>>,
    next: Arc<AtomicUsize>,
}

impl ReplayProgress {
    /// How many recorded transfers the driver has not made yet.
    pub fn remaining(&self) -> usize {
        self.urbs.len().saturating_sub(self.next.load(Ordering::SeqCst))
    }

    /// Succeeds when the driver made every recorded transfer; a test calls it at the end.
    pub fn finish(&self) -> Result<(), DeviceError> {
        let next = self.next.load(Ordering::SeqCst);
        match self.urbs.get(next) {
            None => Ok(()),
            Some(urb) => Err(DeviceError::UsbReplayMismatch {
                step: next + 1,
                line: urb.line,
                message: format!(
                    "the driver stopped, but {} recorded transfers remain, the next being {}",
                    self.remaining(),
                    describe_urb(urb)
                ),
            }),
        }
    }
}

/// What the driver asked for, in the recording's terms.
struct Request<'a> {
    kind: UrbKind,
    endpoint: u8,
    is_in: bool,
    /// Bytes requested (IN) or sent (OUT); for control transfers, without the setup packet.
    length: usize,
    setup: Option<[u8; 8]>,
    sent: &'a [u8],
}

impl Request<'_> {
    fn describe(&self) -> String {
        let direction = if self.is_in { "IN" } else { "OUT" };
        match self.setup {
            Some(setup) => format!("control {direction} setup {}", hex(&setup)),
            None => format!(
                "{} {direction} on endpoint {:#04x}, {} bytes",
                self.kind.name(),
                self.endpoint,
                self.length
            ),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(32).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > 32 {
        format!("{shown}… ({} bytes)", bytes.len())
    } else {
        shown
    }
}

fn describe_urb(urb: &Urb) -> String {
    let direction = if urb.is_in() { "IN" } else { "OUT" };
    match urb.setup_packet() {
        Some(setup) => format!("control {direction} setup {}", hex(&setup)),
        None => {
            let length = if urb.is_in() { urb.buffer_length } else { urb.data.len() };
            format!(
                "{} {direction} on endpoint {:#04x}, {length} bytes",
                urb.kind.name(),
                urb.endpoint
            )
        }
    }
}

impl ReplayTransport {
    pub fn new(recording: &Recording) -> ReplayTransport {
        ReplayTransport {
            progress: ReplayProgress {
                urbs: Arc::new(recording.urbs().cloned().collect()),
                next: Arc::new(AtomicUsize::new(0)),
            },
        }
    }

    /// A handle on this replay's progress, to check after the driver (which owns the transport)
    /// is done.
    pub fn progress(&self) -> ReplayProgress {
        self.progress.clone()
    }

    /// Succeeds when the driver made every recorded transfer.
    pub fn finish(&self) -> Result<(), DeviceError> {
        self.progress.finish()
    }

    fn exchange(&mut self, request: Request<'_>, timeout: Duration) -> Result<Vec<u8>, DeviceError> {
        let next = self.progress.next.load(Ordering::SeqCst);
        let step = next + 1;
        let urbs = Arc::clone(&self.progress.urbs);
        let Some(urb) = urbs.get(next) else {
            return Err(DeviceError::UsbReplayMismatch {
                step,
                line: 0,
                message: format!(
                    "the recording has ended, but the driver asked for {}",
                    request.describe()
                ),
            });
        };
        let mismatch = |message: String| DeviceError::UsbReplayMismatch {
            step,
            line: urb.line,
            message,
        };
        let recorded_length = match urb.kind {
            UrbKind::Control => urb.buffer_length.saturating_sub(8),
            _ if urb.is_in() => urb.buffer_length,
            _ => urb.data.len(),
        };
        let same_shape = urb.kind == request.kind
            && urb.is_in() == request.is_in
            && urb.setup_packet() == request.setup
            && (urb.kind == UrbKind::Control || urb.endpoint == request.endpoint)
            && recorded_length == request.length;
        if !same_shape {
            return Err(mismatch(format!(
                "the driver asked for {}, the recording has {}",
                request.describe(),
                describe_urb(urb)
            )));
        }
        if !request.is_in {
            let recorded = if urb.kind == UrbKind::Control {
                urb.data.get(8..).unwrap_or(&[])
            } else {
                &urb.data[..]
            };
            if recorded != request.sent {
                return Err(mismatch(format!(
                    "the driver sent {}, the recording has {}",
                    hex(request.sent),
                    hex(recorded)
                )));
            }
        }
        self.progress.next.store(next + 1, Ordering::SeqCst);
        match -urb.status {
            0 => Ok(urb.answer().to_vec()),
            ETIMEDOUT | ENOENT => Err(DeviceError::UsbTimeout {
                endpoint: request.endpoint,
                millis: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            }),
            errno => Err(DeviceError::UsbTransfer(format!(
                "recorded failure errno {errno} on endpoint {:#04x}",
                request.endpoint
            ))),
        }
    }
}

impl UsbTransport for ReplayTransport {
    fn control_in(&mut self, setup: ControlSetup, length: u16, timeout: Duration) -> Result<Vec<u8>, DeviceError> {
        let request = Request {
            kind: UrbKind::Control,
            endpoint: 0x80,
            is_in: true,
            length: usize::from(length),
            setup: Some(setup.packet(true, length)),
            sent: &[],
        };
        self.exchange(request, timeout)
    }

    fn control_out(&mut self, setup: ControlSetup, data: &[u8], timeout: Duration) -> Result<(), DeviceError> {
        let length = u16::try_from(data.len())
            .map_err(|_| DeviceError::UsbTransfer("a control transfer longer than 65535 bytes".into()))?;
        let request = Request {
            kind: UrbKind::Control,
            endpoint: 0x00,
            is_in: false,
            length: data.len(),
            setup: Some(setup.packet(false, length)),
            sent: data,
        };
        self.exchange(request, timeout).map(drop)
    }

    fn bulk_in(&mut self, endpoint: u8, length: usize, timeout: Duration) -> Result<Vec<u8>, DeviceError> {
        let request = Request {
            kind: UrbKind::Bulk,
            endpoint,
            is_in: true,
            length,
            setup: None,
            sent: &[],
        };
        self.exchange(request, timeout)
    }

    fn bulk_out(&mut self, endpoint: u8, data: &[u8], timeout: Duration) -> Result<(), DeviceError> {
        let request = Request {
            kind: UrbKind::Bulk,
            endpoint,
            is_in: false,
            length: data.len(),
            setup: None,
            sent: data,
        };
        self.exchange(request, timeout).map(drop)
    }

    fn interrupt_in(&mut self, endpoint: u8, length: usize, timeout: Duration) -> Result<Vec<u8>, DeviceError> {
        let request = Request {
            kind: UrbKind::Interrupt,
            endpoint,
            is_in: true,
            length,
            setup: None,
            sent: &[],
        };
        self.exchange(request, timeout)
    }
}

/// Builds a [`Recording`] in code, one transfer at a time, for devices known only from their
/// published protocol. Lines are numbered from 1 in the order the transfers are added.
#[derive(Debug, Default)]
pub struct ScriptedExchange {
    urbs: Vec<Urb>,
}

impl ScriptedExchange {
    pub fn new() -> ScriptedExchange {
        ScriptedExchange::default()
    }

    fn push(&mut self, kind: UrbKind, endpoint: u8, status: i32, buffer_length: usize, data: Vec<u8>) -> &mut Self {
        // A control transfer's buffer starts with its setup packet, which is not data.
        let actual_length = if kind == UrbKind::Control {
            data.len().saturating_sub(8)
        } else {
            data.len()
        };
        self.urbs.push(Urb {
            line: self.urbs.len() + 1,
            kind,
            endpoint,
            status,
            flags: 0,
            buffer_length,
            actual_length,
            data,
        });
        self
    }

    /// The host reads `answer` through a control request asking for `length` bytes.
    pub fn control_in(&mut self, setup: ControlSetup, length: u16, answer: &[u8]) -> &mut Self {
        let mut data = setup.packet(true, length).to_vec();
        data.extend_from_slice(answer);
        self.push(UrbKind::Control, 0, 0, 8 + usize::from(length), data)
    }

    /// The host writes `sent` through a control request.
    pub fn control_out(&mut self, setup: ControlSetup, sent: &[u8]) -> &mut Self {
        let length = u16::try_from(sent.len()).unwrap_or(u16::MAX);
        let mut data = setup.packet(false, length).to_vec();
        data.extend_from_slice(sent);
        let buffer_length = data.len();
        self.push(UrbKind::Control, 0, 0, buffer_length, data)
    }

    pub fn bulk_in(&mut self, endpoint: u8, length: usize, answer: &[u8]) -> &mut Self {
        self.push(UrbKind::Bulk, endpoint | 0x80, 0, length, answer.to_vec())
    }

    pub fn bulk_out(&mut self, endpoint: u8, sent: &[u8]) -> &mut Self {
        self.push(UrbKind::Bulk, endpoint & 0x7f, 0, sent.len(), sent.to_vec())
    }

    pub fn interrupt_in(&mut self, endpoint: u8, length: usize, answer: &[u8]) -> &mut Self {
        self.push(UrbKind::Interrupt, endpoint | 0x80, 0, length, answer.to_vec())
    }

    /// An interrupt read that the device leaves unanswered until the host's timeout.
    pub fn interrupt_timeout(&mut self, endpoint: u8, length: usize) -> &mut Self {
        self.push(UrbKind::Interrupt, endpoint | 0x80, -ETIMEDOUT, length, Vec::new())
    }

    pub fn recording(&self) -> Recording {
        Recording {
            device: None,
            entries: self.urbs.iter().cloned().map(umockdev::Entry::Urb).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_driver_that_sends_other_bytes_fails_at_that_step() {
        let mut script = ScriptedExchange::new();
        script.bulk_out(0x02, &[1, 2, 3]).bulk_in(0x83, 16, &[9, 9]);
        let mut replay = ReplayTransport::new(&script.recording());
        let error = replay
            .bulk_out(0x02, &[1, 2, 4], Duration::from_millis(10))
            .unwrap_err();
        assert_eq!(error.code(), "usb_replay_mismatch");
        assert!(
            matches!(error, DeviceError::UsbReplayMismatch { step: 1, line: 1, .. }),
            "{error}"
        );
    }

    #[test]
    fn a_faithful_driver_gets_the_recorded_answers_and_finishes() {
        let mut script = ScriptedExchange::new();
        script
            .bulk_out(0x02, &[1, 2, 3])
            .bulk_in(0x83, 16, &[9, 9])
            .control_in(ControlSetup::vendor(4, 7, 0), 1, &[0x80])
            .interrupt_timeout(0x81, 64);
        let mut replay = ReplayTransport::new(&script.recording());
        let timeout = Duration::from_millis(10);
        replay.bulk_out(0x02, &[1, 2, 3], timeout).unwrap();
        assert!(replay.finish().is_err(), "three transfers are still to come");
        assert_eq!(replay.bulk_in(0x83, 16, timeout).unwrap(), vec![9, 9]);
        assert_eq!(
            replay.control_in(ControlSetup::vendor(4, 7, 0), 1, timeout).unwrap(),
            vec![0x80]
        );
        let error = replay.interrupt_in(0x81, 64, timeout).unwrap_err();
        assert!(
            matches!(
                error,
                DeviceError::UsbTimeout {
                    endpoint: 0x81,
                    millis: 10
                }
            ),
            "{error}"
        );
        replay.finish().unwrap();
        // One transfer past the end names what the driver asked for.
        let error = replay.bulk_in(0x83, 16, timeout).unwrap_err();
        assert!(error.to_string().contains("recording has ended"), "{error}");
    }

    #[test]
    fn a_wrong_requested_length_is_a_mismatch() {
        let mut script = ScriptedExchange::new();
        script.bulk_in(0x83, 16, &[1]);
        let mut replay = ReplayTransport::new(&script.recording());
        assert!(replay.bulk_in(0x83, 540, Duration::ZERO).is_err());
    }
}
