//! The seeds of `usb_recording`: small recordings written here in the two formats the replay
//! reads, umockdev's ioctl log (and its sysfs `device` file) and a usbmon capture in pcapng,
//! holding the exchange of an imaginary scanner (a device descriptor read, a command out, an
//! answer in), and damaged copies.
//!
//! Deliberately absent: recordings of real devices (libfprint's are in `../shared/fixtures`,
//! which is not committed).

use enroll_devices::usb::replay::pcapng::{devices_in_capture, parse_usbmon_pcapng};
use enroll_devices::usb::replay::umockdev::{device_ids, parse_ioctl_recording};

use super::{flip, set, Result, Seeds};

/// An umockdev ioctl log: a control IN (GET_DESCRIPTOR device, 18 bytes answered), a bulk OUT
/// and a bulk IN, with a capability query and a comment around them.
const UMOCKDEV_LOG: &str = "@DEV /dev/bus/usb/001/003\n\
USBDEVFS_GET_CAPABILITIES 0 FD010000\n\
# the device descriptor\n\
USBDEVFS_REAPURB 0 2 0 0 0 26 18 0 80060001000012001201000200000040FE1F0A00010001020001\n\
USBDEVFS_REAPURBNDELAY 0 3 2 0 0 2 2 0 8038\n \
USBDEVFS_REAPURBNDELAY 0 3 131 0 0 16 3 0 803701\n\
USBDEVFS_REAPURBNDELAY 0 1 129 -110 0 64 0 0\n";

/// An umockdev `device` file: the sysfs attributes, with the descriptors on an `N:` line.
const UMOCKDEV_DEVICE: &str = "P: /devices/pci0000:00/0000:00:14.0/usb1/1-3\n\
N: bus/usb/001/003=1201000200000040FE1F0A0001000102000109022000010100A0320904000002FF000000\n\
E: DEVNAME=/dev/bus/usb/001/003\n\
A: idVendor=1ffe\n\
A: idProduct=000a\n";

/// pcapng little-endian blocks: `type, total length, body, total length`, padded to 4 bytes.
fn block(block_type: u32, body: &[u8]) -> Vec<u8> {
    let padded = body.len().div_ceil(4) * 4;
    let total = (12 + padded) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.resize(8 + padded, 0);
    out.extend_from_slice(&total.to_le_bytes());
    out
}

fn section_header() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&u64::MAX.to_le_bytes());
    block(0x0a0d_0d0a, &body)
}

fn interface(link_type: u16) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&link_type.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&65535u32.to_le_bytes());
    block(1, &body)
}

/// One usbmon event as an Enhanced Packet Block on interface 0.
struct Event<'a> {
    id: u64,
    kind: u8,
    transfer: u8,
    endpoint: u8,
    setup: Option<[u8; 8]>,
    status: i32,
    length: u32,
    data: &'a [u8],
}

fn packet(event: &Event<'_>, header_length: usize) -> Vec<u8> {
    let mut usbmon = vec![0u8; header_length];
    usbmon[0..8].copy_from_slice(&event.id.to_le_bytes());
    usbmon[8] = event.kind;
    usbmon[9] = event.transfer;
    usbmon[10] = event.endpoint;
    usbmon[11] = 3; // device number
    usbmon[12..14].copy_from_slice(&1u16.to_le_bytes()); // bus
    usbmon[14] = if event.setup.is_some() { 0 } else { b'-' };
    usbmon[15] = if event.data.is_empty() { b'<' } else { 0 };
    usbmon[28..32].copy_from_slice(&event.status.to_le_bytes());
    usbmon[32..36].copy_from_slice(&event.length.to_le_bytes());
    usbmon[36..40].copy_from_slice(&(event.data.len() as u32).to_le_bytes());
    if let Some(setup) = event.setup {
        usbmon[40..48].copy_from_slice(&setup);
    }
    usbmon.extend_from_slice(event.data);
    let mut body = Vec::new();
    body.extend_from_slice(&0u32.to_le_bytes()); // interface
    body.extend_from_slice(&0u64.to_le_bytes()); // timestamp
    body.extend_from_slice(&(usbmon.len() as u32).to_le_bytes());
    body.extend_from_slice(&(usbmon.len() as u32).to_le_bytes());
    body.extend_from_slice(&usbmon);
    block(6, &body)
}

/// A capture of the same exchange as [`UMOCKDEV_LOG`], with usbmon headers of
/// `header_length` bytes (64 for link type 220, 48 for 189).
fn capture(link_type: u16, header_length: usize) -> Vec<u8> {
    let descriptor: [u8; 18] = [
        0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0xfe, 0x1f, 0x0a, 0x00, 0x01, 0x00, 0x01, 0x02, 0x00, 0x01,
    ];
    let setup = [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00];
    let events = [
        Event {
            id: 1,
            kind: b'S',
            transfer: 2,
            endpoint: 0x80,
            setup: Some(setup),
            status: -115,
            length: 18,
            data: &[],
        },
        Event {
            id: 1,
            kind: b'C',
            transfer: 2,
            endpoint: 0x80,
            setup: None,
            status: 0,
            length: 18,
            data: &descriptor,
        },
        Event {
            id: 2,
            kind: b'S',
            transfer: 3,
            endpoint: 0x02,
            setup: None,
            status: -115,
            length: 2,
            data: &[0x80, 0x38],
        },
        Event {
            id: 2,
            kind: b'C',
            transfer: 3,
            endpoint: 0x02,
            setup: None,
            status: 0,
            length: 2,
            data: &[],
        },
        Event {
            id: 3,
            kind: b'S',
            transfer: 3,
            endpoint: 0x83,
            setup: None,
            status: -115,
            length: 16,
            data: &[],
        },
        Event {
            id: 3,
            kind: b'C',
            transfer: 3,
            endpoint: 0x83,
            setup: None,
            status: 0,
            length: 3,
            data: &[0x80, 0x37, 0x01],
        },
    ];
    let mut out = section_header();
    out.extend(interface(link_type));
    for event in &events {
        out.extend(packet(event, header_length));
    }
    out
}

pub fn usb_recording_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "usb_recording";
    seeds.add(target, "valid-umockdev-ioctl-log", UMOCKDEV_LOG);
    seeds.add(target, "valid-umockdev-device-file", UMOCKDEV_DEVICE);
    let mmapped = capture(220, 64);
    seeds.add(target, "valid-pcapng-usbmon-mmapped", mmapped.clone());
    seeds.add(target, "valid-pcapng-usbmon", capture(189, 48));
    check_valid(&mmapped, &capture(189, 48))?;
    let log = UMOCKDEV_LOG.as_bytes();
    let last_line = UMOCKDEV_LOG.trim_end().rfind('\n').ok_or("a one-line log")? + 1;
    seeds.add(target, "near-umockdev-last-line-cut", &log[..log.len() - 6]);
    seeds.add(
        target,
        "near-umockdev-urb-type-9",
        set(log, last_line + "USBDEVFS_REAPURBNDELAY 0 ".len(), b'9'),
    );
    seeds.add(
        target,
        "near-umockdev-two-devices",
        format!("{UMOCKDEV_LOG}@DEV /dev/bus/usb/001/004\n"),
    );
    seeds.add(target, "near-umockdev-not-usbdevfs", "EVIOCGBIT 0 00\n");
    seeds.add(target, "near-pcapng-cut-in-packet", &mmapped[..mmapped.len() - 30]);
    seeds.add(target, "near-pcapng-magic-flipped", flip(&mmapped, 8));
    // The first packet block's captured length (after the section header's 28 bytes and the
    // interface block's 20, then type, length, interface and timestamp).
    seeds.add(
        target,
        "near-pcapng-captured-length-huge",
        set(&mmapped, 28 + 20 + 8 + 12 + 3, 0x7f),
    );
    // The event byte of the first usbmon header (packet data starts 28 bytes into its block).
    seeds.add(target, "near-pcapng-event-x", set(&mmapped, 28 + 20 + 28 + 8, b'X'));
    Ok(())
}

/// The valid recordings must read as the three transfers they were written with, or they would
/// not be valid seeds.
fn check_valid(mmapped: &[u8], plain: &[u8]) -> Result<()> {
    let urbs = parse_ioctl_recording(UMOCKDEV_LOG)
        .map_err(|e| e.to_string())?
        .urbs()
        .count();
    if urbs != 4 {
        return Err(format!("the umockdev seed reads as {urbs} URBs, not 4"));
    }
    if device_ids(UMOCKDEV_DEVICE).map_err(|e| e.to_string())? != (0x1ffe, 0x000a) {
        return Err("the umockdev device seed names another device".into());
    }
    for capture in [mmapped, plain] {
        if devices_in_capture(capture).map_err(|e| e.to_string())? != [(1, 3)] {
            return Err("a pcapng seed does not hold exactly device 3 on bus 1".into());
        }
        let urbs = parse_usbmon_pcapng(capture, 1, 3)
            .map_err(|e| e.to_string())?
            .urbs()
            .count();
        if urbs != 3 {
            return Err(format!("a pcapng seed reads as {urbs} URBs, not 3"));
        }
    }
    Ok(())
}
