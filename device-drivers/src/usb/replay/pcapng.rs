//! Reads usbmon captures saved as pcapng (what Wireshark or `tcpdump -i usbmonN` write) into the
//! same [`Recording`] that umockdev files give, so that [`super::ReplayTransport`] replays them.
//!
//! Why: half of libfprint's recordings of real sensors are usbmon captures, and a driver for one
//! of those sensors needs them replayed like the others.
//!
//! The formats, as their specifications give them: pcapng blocks are `type, total length, body,
//! total length`, 32-bit aligned, in the byte order the Section Header Block's magic
//! (0x1A2B3C4D) shows; Interface Description Blocks (type 1) give each interface's link type;
//! Enhanced Packet Blocks (type 6) hold `interface, timestamp (2 × 32 bits), captured length,
//! original length, data`. With link type 220 (`USB_LINUX_MMAPPED`) a packet is a 64-byte usbmon
//! header, 48 bytes with link type 189 (`USB_LINUX`), then the data: `id` (u64, pairs a
//! submission with its completion), event (`S` submit, `C` complete, `E` error), transfer type
//! (0 isochronous, 1 interrupt, 2 control, 3 bulk), endpoint (bit 7: IN), device number, bus
//! number (u16), setup flag (0: the setup packet follows), data flag, seconds (i64),
//! microseconds (i32), status (i32), length (u32: requested at submission, done at completion),
//! captured length (u32), setup packet (8 bytes); the header is in the capturing machine's byte
//! order, taken to be the section's.
//!
//! A URB is made when its completion arrives: OUT data and the setup packet come from the
//! submission, IN data from the completion. `line` in each [`Urb`] is the packet's number in the
//! file (from 1). Bounds are checked before every read; nothing is allocated from a length field.
//!
//! Deliberately absent: isochronous frame descriptors, the text usbmon format, and other link
//! types (their packets are skipped, not guessed at).

use std::collections::HashMap;

use super::umockdev::{Entry, Recording, Urb, UrbKind};
use crate::DeviceError;

const SECTION_HEADER: u32 = 0x0a0d_0d0a;
const INTERFACE_DESCRIPTION: u32 = 1;
const ENHANCED_PACKET: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
const LINKTYPE_USB_LINUX: u16 = 189;
const LINKTYPE_USB_LINUX_MMAPPED: u16 = 220;

/// One usbmon event.
#[derive(Debug, Clone)]
struct Event {
    id: u64,
    kind: u8,
    transfer: u8,
    endpoint: u8,
    device: u8,
    bus: u16,
    setup: Option<[u8; 8]>,
    status: i32,
    length: u32,
    data: Vec<u8>,
}

fn invalid(packet: usize, message: impl Into<String>) -> DeviceError {
    DeviceError::UsbRecording {
        line: packet,
        message: message.into(),
    }
}

#[derive(Clone, Copy)]
struct Reader {
    little_endian: bool,
}

impl Reader {
    fn u16(self, bytes: &[u8], at: usize) -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32(self, bytes: &[u8], at: usize) -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn u64(self, bytes: &[u8], at: usize) -> Option<u64> {
        let b: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    }
}

/// Every usbmon event of the file, with its packet number.
fn events(file: &[u8]) -> Result<Vec<(usize, Event)>, DeviceError> {
    let mut reader = Reader { little_endian: true };
    let mut link_types: Vec<u16> = Vec::new();
    let mut events = Vec::new();
    let mut offset = 0usize;
    let mut packet = 0usize;
    while offset < file.len() {
        let block_type = reader
            .u32(file, offset)
            .ok_or_else(|| invalid(packet, "a block header is cut short"))?;
        if block_type == SECTION_HEADER {
            let magic = file
                .get(offset + 8..offset + 12)
                .ok_or_else(|| invalid(packet, "the section header is cut short"))?;
            reader.little_endian = match u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]) {
                BYTE_ORDER_MAGIC => true,
                value if value.swap_bytes() == BYTE_ORDER_MAGIC => false,
                _ => return Err(invalid(packet, "not a pcapng file: no byte-order magic")),
            };
            link_types.clear();
        } else if offset == 0 {
            return Err(invalid(0, "not a pcapng file: it does not open with a section header"));
        }
        let total = reader
            .u32(file, offset + 4)
            .and_then(|total| usize::try_from(total).ok())
            .ok_or_else(|| invalid(packet, "a block length is cut short"))?;
        let end = offset
            .checked_add(total)
            .filter(|end| total >= 12 && total % 4 == 0 && *end <= file.len())
            .ok_or_else(|| invalid(packet, format!("a block of {total} bytes does not fit the file")))?;
        let body = &file[offset + 8..end - 4];
        match block_type {
            INTERFACE_DESCRIPTION => link_types.push(
                reader
                    .u16(body, 0)
                    .ok_or_else(|| invalid(packet, "an interface block is cut short"))?,
            ),
            ENHANCED_PACKET => {
                packet += 1;
                let interface = reader
                    .u32(body, 0)
                    .ok_or_else(|| invalid(packet, "a packet block is cut short"))?;
                let captured = reader
                    .u32(body, 12)
                    .and_then(|length| usize::try_from(length).ok())
                    .ok_or_else(|| invalid(packet, "a packet block is cut short"))?;
                let data = body
                    .get(20..20usize.saturating_add(captured))
                    .ok_or_else(|| invalid(packet, "a packet's data runs past its block"))?;
                let header_length = match usize::try_from(interface).ok().and_then(|i| link_types.get(i)) {
                    Some(&LINKTYPE_USB_LINUX_MMAPPED) => Some(64),
                    Some(&LINKTYPE_USB_LINUX) => Some(48),
                    // Another link type: the packet is skipped, and the loop still moves past
                    // its block (a `continue` here once looped on it for ever).
                    Some(_) => None,
                    None => return Err(invalid(packet, format!("a packet on undeclared interface {interface}"))),
                };
                if let Some(header_length) = header_length {
                    events.push((packet, usbmon_event(reader, packet, data, header_length)?));
                }
            }
            _ => {}
        }
        offset = end;
    }
    Ok(events)
}

fn usbmon_event(reader: Reader, packet: usize, data: &[u8], header_length: usize) -> Result<Event, DeviceError> {
    let short = || invalid(packet, "a usbmon header is cut short");
    if data.len() < header_length {
        return Err(short());
    }
    let captured = reader
        .u32(data, 36)
        .and_then(|length| usize::try_from(length).ok())
        .ok_or_else(short)?;
    let payload = data
        .get(header_length..header_length.saturating_add(captured))
        .ok_or_else(|| invalid(packet, "a usbmon packet holds less data than its header says"))?;
    let setup = (data[14] == 0).then(|| {
        let mut setup = [0u8; 8];
        setup.copy_from_slice(&data[40..48]);
        setup
    });
    Ok(Event {
        id: reader.u64(data, 0).ok_or_else(short)?,
        kind: data[8],
        transfer: data[9],
        endpoint: data[10],
        device: data[11],
        bus: reader.u16(data, 12).ok_or_else(short)?,
        setup,
        status: reader.u32(data, 28).ok_or_else(short)? as i32,
        length: reader.u32(data, 32).ok_or_else(short)?,
        data: payload.to_vec(),
    })
}

/// The (bus, device number) pairs that appear in a capture, in order of first appearance.
pub fn devices_in_capture(file: &[u8]) -> Result<Vec<(u16, u8)>, DeviceError> {
    let mut devices = Vec::new();
    for (_, event) in events(file)? {
        if !devices.contains(&(event.bus, event.device)) {
            devices.push((event.bus, event.device));
        }
    }
    Ok(devices)
}

/// The completed URBs of one device (`bus`, `device` number) in a usbmon pcapng capture.
pub fn parse_usbmon_pcapng(file: &[u8], bus: u16, device: u8) -> Result<Recording, DeviceError> {
    let mut submitted: HashMap<u64, Event> = HashMap::new();
    let mut entries = Vec::new();
    for (packet, event) in events(file)? {
        if (event.bus, event.device) != (bus, device) {
            continue;
        }
        match event.kind {
            b'S' => {
                submitted.insert(event.id, event);
            }
            b'C' | b'E' => {
                let Some(submission) = submitted.remove(&event.id) else {
                    // Completed before the capture began: nothing to pair it with.
                    continue;
                };
                entries.push(Entry::Urb(urb(packet, &submission, &event)?));
            }
            other => {
                return Err(invalid(
                    packet,
                    format!("usbmon event `{}` is not S, C or E", other as char),
                ))
            }
        }
    }
    Ok(Recording {
        device: Some(format!("usb bus {bus} device {device}")),
        entries,
    })
}

fn urb(packet: usize, submission: &Event, completion: &Event) -> Result<Urb, DeviceError> {
    let kind = match submission.transfer {
        0 => UrbKind::Isochronous,
        1 => UrbKind::Interrupt,
        2 => UrbKind::Control,
        3 => UrbKind::Bulk,
        other => return Err(invalid(packet, format!("usbmon transfer type {other}"))),
    };
    let requested = usize::try_from(submission.length).map_err(|_| invalid(packet, "a length out of range"))?;
    let done = usize::try_from(completion.length).map_err(|_| invalid(packet, "a length out of range"))?;
    let is_in = submission.endpoint & 0x80 != 0;
    let sent_or_received = if is_in { &completion.data } else { &submission.data };
    if is_in && completion.status == 0 && sent_or_received.len() < done {
        return Err(invalid(
            packet,
            "the capture cut this transfer's data short (snap length)",
        ));
    }
    let (data, buffer_length, actual_length) = if kind == UrbKind::Control {
        let setup = submission
            .setup
            .ok_or_else(|| invalid(packet, "a control submission without its setup packet"))?;
        let mut data = setup.to_vec();
        data.extend_from_slice(sent_or_received);
        (data, requested.saturating_add(8), done)
    } else {
        (sent_or_received.clone(), requested, done)
    };
    Ok(Urb {
        line: packet,
        kind,
        // umockdev records control transfers on endpoint 0 and keeps the direction in the
        // setup packet; do the same so that recordings of both kinds look alike.
        endpoint: if kind == UrbKind::Control {
            0
        } else {
            submission.endpoint
        },
        status: completion.status,
        flags: 0,
        buffer_length,
        actual_length,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_pcapng_or_are_cut_short_are_refused() {
        assert!(events(b"not a capture at all").is_err());
        let mut header = vec![0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a];
        assert!(events(&header).is_err(), "the block says 28 bytes but has 12");
        header.extend_from_slice(&[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0]);
        assert_eq!(events(&header).unwrap().len(), 0, "an empty section holds no event");
    }
}
