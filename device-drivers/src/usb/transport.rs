//! The USB transfers a native driver needs, behind one trait: [`UsbTransport`].
//!
//! Why a trait: a driver written against it runs unchanged on a real scanner
//! ([`super::nusb_transport::NusbTransport`]) and on a recording of real traffic
//! ([`super::replay::ReplayTransport`]), which is how the drivers are tested without hardware.
//!
//! Every call blocks until the transfer completes, fails or its timeout passes. A transfer that
//! gets no answer in time is [`DeviceError::UsbTimeout`], distinct from a failed one
//! ([`DeviceError::UsbTransfer`]), because drivers waiting for a finger poll through timeouts.
//!
//! Deliberately absent: isochronous transfers (no fingerprint scanner we drive uses them),
//! asynchronous queues of transfers, and opening devices (that is the transport's constructor).

use std::time::Duration;

use crate::DeviceError;

/// The type bits of a control request's `bmRequestType` (USB 2.0, 9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlKind {
    Standard,
    Class,
    Vendor,
}

/// The recipient bits of a control request's `bmRequestType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlRecipient {
    Device,
    Interface,
    Endpoint,
    Other,
}

/// A control request without its direction and length, which the call gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlSetup {
    pub kind: ControlKind,
    pub recipient: ControlRecipient,
    pub request: u8,
    pub value: u16,
    pub index: u16,
}

impl ControlSetup {
    /// A vendor request to the device, the form most scanners use for their registers.
    pub fn vendor(request: u8, value: u16, index: u16) -> ControlSetup {
        ControlSetup {
            kind: ControlKind::Vendor,
            recipient: ControlRecipient::Device,
            request,
            value,
            index,
        }
    }

    /// The 8-byte setup packet as it goes on the wire (USB 2.0, table 9-2).
    pub fn packet(&self, device_to_host: bool, length: u16) -> [u8; 8] {
        let direction = if device_to_host { 0x80 } else { 0x00 };
        let kind = match self.kind {
            ControlKind::Standard => 0x00,
            ControlKind::Class => 0x20,
            ControlKind::Vendor => 0x40,
        };
        let recipient = match self.recipient {
            ControlRecipient::Device => 0,
            ControlRecipient::Interface => 1,
            ControlRecipient::Endpoint => 2,
            ControlRecipient::Other => 3,
        };
        let [value_low, value_high] = self.value.to_le_bytes();
        let [index_low, index_high] = self.index.to_le_bytes();
        let [length_low, length_high] = length.to_le_bytes();
        [
            direction | kind | recipient,
            self.request,
            value_low,
            value_high,
            index_low,
            index_high,
            length_low,
            length_high,
        ]
    }
}

/// Blocking USB transfers on one opened device (one claimed interface).
///
/// Endpoint numbers are full addresses: `0x81` is endpoint 1 IN, `0x02` endpoint 2 OUT.
/// An IN call returns what the device sent, at most `length` bytes (a short answer is not an
/// error here: drivers check the length their protocol expects).
pub trait UsbTransport: Send {
    fn control_in(&mut self, setup: ControlSetup, length: u16, timeout: Duration) -> Result<Vec<u8>, DeviceError>;
    fn control_out(&mut self, setup: ControlSetup, data: &[u8], timeout: Duration) -> Result<(), DeviceError>;
    fn bulk_in(&mut self, endpoint: u8, length: usize, timeout: Duration) -> Result<Vec<u8>, DeviceError>;
    fn bulk_out(&mut self, endpoint: u8, data: &[u8], timeout: Duration) -> Result<(), DeviceError>;
    fn interrupt_in(&mut self, endpoint: u8, length: usize, timeout: Duration) -> Result<Vec<u8>, DeviceError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vendor_read_packs_its_setup_packet_as_usb_2_table_9_2_says() {
        let setup = ControlSetup::vendor(0x04, 0x2010, 0x0001);
        // 0xc0: device-to-host (bit 7), vendor (bits 6..5 = 2), device (bits 4..0 = 0).
        assert_eq!(setup.packet(true, 16), [0xc0, 0x04, 0x10, 0x20, 0x01, 0x00, 0x10, 0x00]);
        assert_eq!(setup.packet(false, 1)[0], 0x40);
    }
}
