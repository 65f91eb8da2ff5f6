//! [`UsbTransport`] on a real device, through `nusb`: [`NusbTransport`].
//!
//! Why nusb: pure Rust (no libusb to ship or link), maintained, and its calls can block
//! (`MaybeFuture::wait`, `Endpoint::transfer_blocking`) so drivers need no async runtime.
//!
//! Two adaptations to nusb, stated where they are made: an IN request is rounded up to a whole
//! number of the endpoint's packets (nusb requires it; the device still ends the transfer with a
//! short packet, and more bytes than asked for is an error), and endpoints are opened on first
//! use and kept, since nusb gives each endpoint to one owner.
//!
//! Deliberately absent: choosing the interface (the driver knows its interface), detaching
//! kernel drivers (fingerprint sensors have none bound on Linux), and hotplug (`enumerate`).

use std::collections::HashMap;
use std::time::Duration;

use nusb::transfer::{Buffer, Bulk, ControlIn, ControlOut, ControlType, In, Interrupt, Out, Recipient, TransferError};
use nusb::{Endpoint, Interface, MaybeFuture};

use super::transport::{ControlKind, ControlRecipient, ControlSetup, UsbTransport};
use crate::DeviceError;

/// One claimed interface of an opened USB device.
pub struct NusbTransport {
    interface: Interface,
    bulk_in: HashMap<u8, Endpoint<Bulk, In>>,
    bulk_out: HashMap<u8, Endpoint<Bulk, Out>>,
    interrupt_in: HashMap<u8, Endpoint<Interrupt, In>>,
}

/// An error of opening or claiming, for the clerk.
pub(crate) fn open_error(what: &str, error: nusb::Error) -> DeviceError {
    match error.kind() {
        nusb::ErrorKind::PermissionDenied => DeviceError::UsbAccessDenied(what.to_string()),
        nusb::ErrorKind::Disconnected | nusb::ErrorKind::NotFound => DeviceError::NotConnected(what.to_string()),
        nusb::ErrorKind::Busy => DeviceError::Busy,
        _ => DeviceError::UsbTransfer(format!("{what}: {error}")),
    }
}

fn transfer_error(endpoint: u8, timeout: Duration, error: TransferError) -> DeviceError {
    match error {
        // nusb cancels a blocking transfer when its timeout passes.
        TransferError::Cancelled => DeviceError::UsbTimeout {
            endpoint,
            millis: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
        },
        TransferError::Disconnected => DeviceError::NotConnected("fingerprint scanner".into()),
        other => DeviceError::UsbTransfer(format!("endpoint {endpoint:#04x}: {other}")),
    }
}

fn control_type(kind: ControlKind) -> ControlType {
    match kind {
        ControlKind::Standard => ControlType::Standard,
        ControlKind::Class => ControlType::Class,
        ControlKind::Vendor => ControlType::Vendor,
    }
}

fn recipient(recipient: ControlRecipient) -> Recipient {
    match recipient {
        ControlRecipient::Device => Recipient::Device,
        ControlRecipient::Interface => Recipient::Interface,
        ControlRecipient::Endpoint => Recipient::Endpoint,
        ControlRecipient::Other => Recipient::Other,
    }
}

/// The smallest whole number of packets that holds `length` bytes.
fn whole_packets(length: usize, packet: usize) -> usize {
    let packet = packet.max(1);
    length.div_ceil(packet).max(1).saturating_mul(packet)
}

/// The bytes an IN transfer received, refusing more than the driver asked for.
fn received(endpoint: u8, length: usize, buffer: Buffer, actual: usize) -> Result<Vec<u8>, DeviceError> {
    if actual > length {
        return Err(DeviceError::UsbTransfer(format!(
            "endpoint {endpoint:#04x} sent {actual} bytes where {length} were asked for"
        )));
    }
    let mut bytes = buffer.into_vec();
    bytes.truncate(actual);
    Ok(bytes)
}

impl NusbTransport {
    /// Open the device and claim `interface`. `what` names the device in errors.
    pub fn open(device: &nusb::DeviceInfo, interface: u8, what: &str) -> Result<NusbTransport, DeviceError> {
        let opened = device.open().wait().map_err(|e| open_error(what, e))?;
        let interface = opened
            .claim_interface(interface)
            .wait()
            .map_err(|e| open_error(what, e))?;
        Ok(NusbTransport {
            interface,
            bulk_in: HashMap::new(),
            bulk_out: HashMap::new(),
            interrupt_in: HashMap::new(),
        })
    }

    fn endpoint_error(endpoint: u8, error: nusb::Error) -> DeviceError {
        DeviceError::Protocol(format!("the scanner has no usable endpoint {endpoint:#04x}: {error}"))
    }
}

impl UsbTransport for NusbTransport {
    fn control_in(&mut self, setup: ControlSetup, length: u16, timeout: Duration) -> Result<Vec<u8>, DeviceError> {
        let request = ControlIn {
            control_type: control_type(setup.kind),
            recipient: recipient(setup.recipient),
            request: setup.request,
            value: setup.value,
            index: setup.index,
            length,
        };
        self.interface
            .control_in(request, timeout)
            .wait()
            .map_err(|e| transfer_error(0x80, timeout, e))
    }

    fn control_out(&mut self, setup: ControlSetup, data: &[u8], timeout: Duration) -> Result<(), DeviceError> {
        let request = ControlOut {
            control_type: control_type(setup.kind),
            recipient: recipient(setup.recipient),
            request: setup.request,
            value: setup.value,
            index: setup.index,
            data,
        };
        self.interface
            .control_out(request, timeout)
            .wait()
            .map_err(|e| transfer_error(0x00, timeout, e))
    }

    fn bulk_in(&mut self, endpoint: u8, length: usize, timeout: Duration) -> Result<Vec<u8>, DeviceError> {
        if !self.bulk_in.contains_key(&endpoint) {
            let opened = self
                .interface
                .endpoint::<Bulk, In>(endpoint)
                .map_err(|e| Self::endpoint_error(endpoint, e))?;
            self.bulk_in.insert(endpoint, opened);
        }
        let Some(opened) = self.bulk_in.get_mut(&endpoint) else {
            return Err(DeviceError::Protocol(format!(
                "endpoint {endpoint:#04x} could not be kept open"
            )));
        };
        let requested = whole_packets(length, opened.max_packet_size());
        let completion = opened.transfer_blocking(Buffer::new(requested), timeout);
        completion.status.map_err(|e| transfer_error(endpoint, timeout, e))?;
        received(endpoint, length, completion.buffer, completion.actual_len)
    }

    fn bulk_out(&mut self, endpoint: u8, data: &[u8], timeout: Duration) -> Result<(), DeviceError> {
        if !self.bulk_out.contains_key(&endpoint) {
            let opened = self
                .interface
                .endpoint::<Bulk, Out>(endpoint)
                .map_err(|e| Self::endpoint_error(endpoint, e))?;
            self.bulk_out.insert(endpoint, opened);
        }
        let Some(opened) = self.bulk_out.get_mut(&endpoint) else {
            return Err(DeviceError::Protocol(format!(
                "endpoint {endpoint:#04x} could not be kept open"
            )));
        };
        let completion = opened.transfer_blocking(Buffer::from(data.to_vec()), timeout);
        completion.status.map_err(|e| transfer_error(endpoint, timeout, e))
    }

    fn interrupt_in(&mut self, endpoint: u8, length: usize, timeout: Duration) -> Result<Vec<u8>, DeviceError> {
        if !self.interrupt_in.contains_key(&endpoint) {
            let opened = self
                .interface
                .endpoint::<Interrupt, In>(endpoint)
                .map_err(|e| Self::endpoint_error(endpoint, e))?;
            self.interrupt_in.insert(endpoint, opened);
        }
        let Some(opened) = self.interrupt_in.get_mut(&endpoint) else {
            return Err(DeviceError::Protocol(format!(
                "endpoint {endpoint:#04x} could not be kept open"
            )));
        };
        let requested = whole_packets(length, opened.max_packet_size());
        let completion = opened.transfer_blocking(Buffer::new(requested), timeout);
        completion.status.map_err(|e| transfer_error(endpoint, timeout, e))?;
        received(endpoint, length, completion.buffer, completion.actual_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_requests_round_up_to_whole_packets() {
        // The NB-1010's 540-byte image parts on its 64-byte endpoint: 9 packets.
        assert_eq!(whole_packets(540, 64), 576);
        assert_eq!(whole_packets(16, 64), 64);
        assert_eq!(whole_packets(64, 64), 64);
        assert_eq!(whole_packets(0, 64), 64, "nusb refuses an empty IN request");
    }
}
