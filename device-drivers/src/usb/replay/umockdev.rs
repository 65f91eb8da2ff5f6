//! Reads umockdev's recordings of a USB device: the ioctl log (`*.ioctl`, what `umockdev-record
//! --ioctl` writes) and the sysfs description (`device`, for its USB descriptors).
//!
//! Why: libfprint records real fingerprint sensors with umockdev, and a recording plus the image
//! libfprint built from it is the closest we get to the hardware in a test. The format, as
//! umockdev's `ioctl_tree.c` writes it: one ioctl per line, `NAME args`; a leading run of spaces
//! gives the depth in umockdev's tree of ioctls (an answer sits one deeper than what it answers);
//! `@DEV path` opens the log of one device; `#` starts a comment. Since umockdev 0.13 the name is
//! followed by the ioctl's return value. A USB request block reaped by the driver is
//!
//! ```text
//! USBDEVFS_REAPURB[NDELAY] ret type endpoint status flags buffer_length actual_length error_count hex
//! ```
//!
//! with `type` 0 isochronous, 1 interrupt, 2 control, 3 bulk (linux `usbdevice_fs.h`), and the
//! bytes in hex: the whole buffer for an OUT endpoint (a control transfer's buffer starts with its
//! 8-byte setup packet), the `actual_length` bytes received for an IN endpoint.
//!
//! Replay order: the lines in file order, which is the order of the exchange for a fresh
//! recording. umockdev folds a request identical to an earlier one into the earlier node and its
//! replayer searches the tree; [`super::ReplayTransport`] does not, so a recording with such
//! repeats replays as a mismatch at the repeat, never silently out of order.
//!
//! Every number is checked against the bytes on its line; nothing is allocated from a length
//! field. Deliberately absent: writing recordings, ioctls other than reaped URBs (kept by name and
//! skipped: `USBDEVFS_GET_CAPABILITIES` and the like carry nothing a driver sends or receives),
//! the script and evemu formats of umockdev, and the format of umockdev before 0.13 (no return
//! value).

use crate::DeviceError;

/// The transfer type of a URB, as `usbdevice_fs.h` numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrbKind {
    Isochronous,
    Interrupt,
    Control,
    Bulk,
}

impl UrbKind {
    fn from_usbdevfs(value: u32) -> Option<UrbKind> {
        match value {
            0 => Some(UrbKind::Isochronous),
            1 => Some(UrbKind::Interrupt),
            2 => Some(UrbKind::Control),
            3 => Some(UrbKind::Bulk),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            UrbKind::Isochronous => "isochronous",
            UrbKind::Interrupt => "interrupt",
            UrbKind::Control => "control",
            UrbKind::Bulk => "bulk",
        }
    }
}

/// One reaped USB request block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urb {
    /// 1-based line in the recording, for messages.
    pub line: usize,
    pub kind: UrbKind,
    /// Endpoint address; bit 7 set for IN. Control transfers record endpoint 0, and their
    /// direction is in the setup packet.
    pub endpoint: u8,
    /// 0, or a negative errno (-110 timed out, -2 cancelled, -32 stalled).
    pub status: i32,
    pub flags: u32,
    pub buffer_length: usize,
    pub actual_length: usize,
    /// What the host sent (OUT, and control transfers: setup packet first) or what the device
    /// answered (IN).
    pub data: Vec<u8>,
}

impl Urb {
    /// For a control transfer, the setup packet; `None` for other kinds.
    pub fn setup_packet(&self) -> Option<[u8; 8]> {
        if self.kind != UrbKind::Control {
            return None;
        }
        self.data.get(..8).and_then(|bytes| bytes.try_into().ok())
    }

    /// A control transfer goes device-to-host when bit 7 of its `bmRequestType` is set.
    pub fn is_in(&self) -> bool {
        match self.setup_packet() {
            Some(setup) => setup[0] & 0x80 != 0,
            None => self.endpoint & 0x80 != 0,
        }
    }

    /// What the device answered: for a control IN transfer, the bytes after the setup packet
    /// (`actual_length` of them); for other IN transfers, all recorded bytes.
    pub fn answer(&self) -> &[u8] {
        if self.kind == UrbKind::Control {
            let end = 8usize.saturating_add(self.actual_length).min(self.data.len());
            self.data.get(8..end).unwrap_or(&[])
        } else {
            &self.data
        }
    }
}

/// One entry of a recording, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Urb(Urb),
    /// An ioctl that moves no data (kept so that a test can count and name what was skipped).
    Other {
        line: usize,
        name: String,
    },
}

/// A parsed ioctl recording of one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// The device node of the `@DEV` line, when there is one.
    pub device: Option<String>,
    pub entries: Vec<Entry>,
}

impl Recording {
    pub fn urbs(&self) -> impl Iterator<Item = &Urb> {
        self.entries.iter().filter_map(|entry| match entry {
            Entry::Urb(urb) => Some(urb),
            Entry::Other { .. } => None,
        })
    }
}

fn invalid(line: usize, message: impl Into<String>) -> DeviceError {
    DeviceError::UsbRecording {
        line,
        message: message.into(),
    }
}

/// Parse an umockdev ioctl recording (`capture.ioctl`).
pub fn parse_ioctl_recording(text: &str) -> Result<Recording, DeviceError> {
    let mut recording = Recording {
        device: None,
        entries: Vec::new(),
    };
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(path) = content.strip_prefix("@DEV") {
            if recording.device.is_some() {
                return Err(invalid(
                    line,
                    "a second @DEV: recordings of several devices are not supported",
                ));
            }
            recording.device = Some(path.trim().to_string());
            continue;
        }
        let mut fields = content.split_ascii_whitespace();
        let name = fields.next().unwrap_or_default();
        if !name.starts_with("USBDEVFS_") {
            return Err(invalid(line, format!("`{name}` is not a usbdevfs ioctl")));
        }
        if name == "USBDEVFS_REAPURB" || name == "USBDEVFS_REAPURBNDELAY" {
            let fields: Vec<&str> = fields.collect();
            recording.entries.push(Entry::Urb(parse_urb(line, &fields)?));
        } else {
            recording.entries.push(Entry::Other {
                line,
                name: name.to_string(),
            });
        }
    }
    Ok(recording)
}

fn number<T: std::str::FromStr>(line: usize, fields: &[&str], position: usize, what: &str) -> Result<T, DeviceError> {
    let text = fields
        .get(position)
        .ok_or_else(|| invalid(line, format!("the URB has no {what}")))?;
    text.parse()
        .map_err(|_| invalid(line, format!("the URB's {what} `{text}` is not a number in range")))
}

fn parse_urb(line: usize, fields: &[&str]) -> Result<Urb, DeviceError> {
    let _ioctl_return: i32 = number(line, fields, 0, "ioctl return value")?;
    let kind_code: u32 = number(line, fields, 1, "type")?;
    let kind = UrbKind::from_usbdevfs(kind_code)
        .ok_or_else(|| invalid(line, format!("URB type {kind_code} is not one of usbdevfs's 0..=3")))?;
    let endpoint: u8 = number(line, fields, 2, "endpoint")?;
    let status: i32 = number(line, fields, 3, "status")?;
    let flags: u32 = number(line, fields, 4, "flags")?;
    let buffer_length: usize = number(line, fields, 5, "buffer length")?;
    let actual_length: usize = number(line, fields, 6, "actual length")?;
    let _error_count: i32 = number(line, fields, 7, "error count")?;
    if fields.len() > 9 {
        return Err(invalid(line, "the URB has fields after its data"));
    }
    let data = decode_hex(line, fields.get(8).copied().unwrap_or(""))?;
    if actual_length > buffer_length {
        return Err(invalid(
            line,
            format!("actual length {actual_length} exceeds buffer length {buffer_length}"),
        ));
    }
    let urb = Urb {
        line,
        kind,
        endpoint,
        status,
        flags,
        buffer_length,
        actual_length,
        data,
    };
    // umockdev writes the whole buffer of an OUT (or control) URB and the received bytes of an
    // IN one; anything else is a damaged line.
    let expected = if kind != UrbKind::Control && endpoint & 0x80 != 0 {
        actual_length
    } else {
        buffer_length
    };
    if urb.data.len() != expected {
        return Err(invalid(
            line,
            format!(
                "the URB carries {} bytes where its lengths say {expected}",
                urb.data.len()
            ),
        ));
    }
    if kind == UrbKind::Control && buffer_length < 8 {
        return Err(invalid(line, "a control URB shorter than its 8-byte setup packet"));
    }
    Ok(urb)
}

fn decode_hex(line: usize, text: &str) -> Result<Vec<u8>, DeviceError> {
    let pairs = text.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err(invalid(line, "the URB's data has an odd number of hex digits"));
    }
    pairs
        .map(|pair| {
            let high = (pair[0] as char).to_digit(16);
            let low = (pair[1] as char).to_digit(16);
            match (high, low) {
                (Some(high), Some(low)) => Ok((high * 16 + low) as u8),
                _ => Err(invalid(line, "the URB's data is not hex")),
            }
        })
        .collect()
}

/// The vendor and product ids of the device an umockdev `device` file describes: from the
/// device descriptor on its first `N:` line that holds one (`12 01 ...`, USB 2.0 table 9-8:
/// `idVendor` at offset 8, `idProduct` at 10, little-endian).
pub fn device_ids(device_file: &str) -> Result<(u16, u16), DeviceError> {
    for (index, raw) in device_file.lines().enumerate() {
        let Some(attribute) = raw.strip_prefix("N: ") else {
            continue;
        };
        let Some((_, hex)) = attribute.split_once('=') else {
            continue;
        };
        let bytes = decode_hex(index + 1, hex.trim())?;
        if bytes.len() >= 18 && bytes[0] == 0x12 && bytes[1] == 0x01 {
            let vendor = u16::from_le_bytes([bytes[8], bytes[9]]);
            let product = u16::from_le_bytes([bytes[10], bytes[11]]);
            return Ok((vendor, product));
        }
    }
    Err(invalid(0, "no USB device descriptor on any N: line"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_exchange_parses_with_its_depth_ignored() {
        let text = "@DEV /dev/bus/usb/001/003\nUSBDEVFS_GET_CAPABILITIES 0 FD010000\n\
                    USBDEVFS_REAPURBNDELAY 0 3 2 0 0 2 2 0 8038\n \
                    USBDEVFS_REAPURBNDELAY 0 3 131 0 0 16 3 0 803701\n";
        let recording = parse_ioctl_recording(text).unwrap();
        assert_eq!(recording.device.as_deref(), Some("/dev/bus/usb/001/003"));
        let urbs: Vec<&Urb> = recording.urbs().collect();
        assert_eq!(urbs.len(), 2);
        assert_eq!(
            (urbs[0].kind, urbs[0].endpoint, urbs[0].data.clone()),
            (UrbKind::Bulk, 2, vec![0x80, 0x38])
        );
        assert!(urbs[1].is_in());
        assert_eq!(urbs[1].answer(), &[0x80, 0x37, 0x01]);
        assert_eq!(urbs[1].line, 4);
    }

    #[test]
    fn lengths_that_disagree_with_the_bytes_are_refused_with_their_line() {
        // Claims 16 bytes received but carries 2.
        let error = parse_ioctl_recording("USBDEVFS_REAPURBNDELAY 0 3 131 0 0 16 16 0 8037\n").unwrap_err();
        assert_eq!(error.code(), "usb_recording_invalid");
        assert!(matches!(error, DeviceError::UsbRecording { line: 1, .. }));
        // A length field far larger than memory allocates nothing: it is compared, not used.
        let huge = format!("USBDEVFS_REAPURBNDELAY 0 3 2 0 0 {} 0 0 00\n", usize::MAX);
        assert!(parse_ioctl_recording(&huge).is_err());
        assert!(parse_ioctl_recording("USBDEVFS_REAPURBNDELAY 0 3 2 0 0 1 1 0 zz\n").is_err());
        assert!(parse_ioctl_recording("USBDEVFS_REAPURBNDELAY 0 9 2 0 0 0 0 0\n").is_err());
        assert!(parse_ioctl_recording("USBDEVFS_REAPURBNDELAY 0 3\n").is_err());
    }

    #[test]
    fn a_control_transfer_keeps_its_setup_packet_and_answers_after_it() {
        let text = "USBDEVFS_REAPURB 0 2 0 0 0 9 1 0 C004070000000100AB\n";
        let recording = parse_ioctl_recording(text).unwrap();
        let urb = recording.urbs().next().unwrap();
        assert_eq!(
            urb.setup_packet(),
            Some([0xc0, 0x04, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00])
        );
        assert!(urb.is_in());
        assert_eq!(urb.answer(), &[0xab]);
    }
}
