//! Native driver for the DigitalPersona U.are.U 4000 (USB 05ba:0007) and 4000B/4500
//! (05ba:000a): press sensors of 384 × 290 pixels at 512 ppi (the maker's figure).
//!
//! Written from the protocol facts that libfprint's `uru4000` driver documents (our own code;
//! no recording of these readers exists here, so the tests script the exchange from the same
//! facts and say so):
//! - Registers are read and written with vendor control requests 0x04 (`wValue` = register):
//!   0x07 hardware status, 0x33 scramble index, 0x34 scramble key, 0x4e mode, 0xf0 device
//!   information (16 bytes: versions at 4..6 and 10..12).
//! - Power-up: read the status; if bits 7 and 2 are both set, write `status & 0x0f` and poll
//!   until bit 0 is set; if bit 7 (low power) is clear, write `status | 0x80`; then write
//!   `status & 0x0f` until a read shows bit 7 clear, and wait for interrupt 0x56aa ("scan power
//!   on") on endpoint 0x81 (64-byte interrupts, type in the first two bytes, big-endian), up to
//!   300 ms, retrying the whole power-up three times.
//! - Capture: mode 0x10 (await finger), interrupt 0x0101 (finger on), mode 0x20 (capture), then
//!   one bulk read on endpoint 0x82 of a 64-byte header and up to 290 lines of 384 pixels. The
//!   header: line count (little-endian u16 at 4), key number (6), and 15 blocks of (flags, line
//!   count) from 16. Flags: 0x80 change key, 0x04 no key update, 0x02 encrypted, 0x01 not
//!   present (lines repeated from before, not sent). Mode 0x70 turns the sensor off.
//! - The 4000B and 4500 scramble the image: the host writes (key number, 32-bit seed) to 0x33,
//!   reads 4 bytes from 0x34, and the key is those bytes xor the seed. The key steps a 32-bit
//!   linear feedback shift register (taps 1 3 4 7 11 13 20 23 26 29 32); each byte's mask takes
//!   key bits 4 8 11 14 18 21 24 29, and the clear byte is the *next* scrambled byte xor the
//!   mask (the block's last byte is zero). Clear blocks advance the key one step per byte. The
//!   4000 sends the clear image, which libfprint detects by the low variance of its first two
//!   lines (below 5000), and descrambles otherwise.
//! - The image comes with dark and light swapped; the 4000's also upside down and mirrored.
//!   This driver returns it upright with dark ridges, as libfprint does.
//!
//! Quality is left to the station: captures carry quality 0 with [`QualitySource::Station`].
//!
//! Deliberately absent: the Microsoft readers that share this protocol (the v2 needs an AES
//! challenge-response; not enrollment devices), firmware patching (an old way to switch the
//! scrambling off), and live preview.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use image::GrayImage;

use crate::capture::{CancelToken, DeviceInfo};
use crate::usb::transport::{ControlSetup, UsbTransport};
use crate::DeviceError;

pub const VENDOR_ID: u16 = 0x05ba;
pub const PRODUCT_ID_4000: u16 = 0x0007;
pub const PRODUCT_ID_4000B: u16 = 0x000a;
pub const WIDTH: u32 = 384;
pub const HEIGHT: u32 = 290;
pub const PPI: u16 = 512;

const ENDPOINT_INTERRUPT: u8 = 0x81;
const ENDPOINT_DATA: u8 = 0x82;
const REGISTER_REQUEST: u8 = 0x04;
const CONTROL_TIMEOUT: Duration = Duration::from_millis(5000);
const IMAGE_TIMEOUT: Duration = Duration::from_millis(5000);
const INTERRUPT_LENGTH: usize = 64;
const SCAN_POWER_WAIT: Duration = Duration::from_millis(300);
const POLL_PAUSE: Duration = Duration::from_millis(10);

const REG_HWSTAT: u16 = 0x07;
const REG_SCRAMBLE_INDEX: u16 = 0x33;
const REG_SCRAMBLE_KEY: u16 = 0x34;
const REG_MODE: u16 = 0x4e;
const REG_DEVICE_INFO: u16 = 0xf0;

const MODE_AWAIT_FINGER_ON: u8 = 0x10;
const MODE_CAPTURE: u8 = 0x20;
const MODE_OFF: u8 = 0x70;

const IRQ_SCAN_POWER_ON: u16 = 0x56aa;
const IRQ_FINGER_ON: u16 = 0x0101;

pub const HEADER_LENGTH: usize = 64;
pub const BLOCKS: usize = 15;
pub const BLOCK_CHANGE_KEY: u8 = 0x80;
pub const BLOCK_NO_KEY_UPDATE: u8 = 0x04;
pub const BLOCK_ENCRYPTED: u8 = 0x02;
pub const BLOCK_NOT_PRESENT: u8 = 0x01;
const LINE: usize = WIDTH as usize;
const LINES: usize = HEIGHT as usize;
/// What the capture read asks for: the header and a full image.
pub const IMAGE_TRANSFER_LENGTH: usize = HEADER_LENGTH + LINES * LINE;
const CLEAR_IMAGE_VARIANCE_BELOW: u64 = 5000;
const TAPS: u32 = 0x9248_144d;

/// One step of the scrambling key's shift register: the parity of the tapped bits enters at
/// bit 31 as the key shifts right.
pub fn next_key(key: u32) -> u32 {
    ((key & TAPS).count_ones() & 1) << 31 | key >> 1
}

/// The mask for one byte: key bits 4, 8, 11, 14, 18, 21, 24, 29 as bits 0 to 7.
pub fn key_mask(key: u32) -> u8 {
    [4, 8, 11, 14, 18, 21, 24, 29]
        .iter()
        .enumerate()
        .fold(0u8, |mask, (bit, from)| mask | ((((key >> from) & 1) as u8) << bit))
}

/// Descramble one block in place; returns the key for the next block.
fn descramble(block: &mut [u8], mut key: u32) -> u32 {
    let Some(last) = block.len().checked_sub(1) else {
        return key;
    };
    for i in 0..last {
        let mask = key_mask(key);
        key = next_key(key);
        block[i] = block[i + 1] ^ mask;
    }
    block[last] = 0;
    next_key(key)
}

/// The header of a captured image.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ImageHeader {
    lines: usize,
    key_number: u8,
    blocks: [(u8, u8); BLOCKS],
}

impl ImageHeader {
    fn parse(bytes: &[u8]) -> Option<ImageHeader> {
        let header = bytes.get(..HEADER_LENGTH)?;
        let mut blocks = [(0u8, 0u8); BLOCKS];
        for (index, block) in blocks.iter_mut().enumerate() {
            *block = (header[16 + 2 * index], header[17 + 2 * index]);
        }
        Some(ImageHeader {
            lines: usize::from(u16::from_le_bytes([header[4], header[5]])),
            key_number: header[6],
            blocks,
        })
    }
}

/// The DigitalPersona U.are.U 4000 family on some transport.
pub struct Uru4000 {
    transport: Mutex<Box<dyn UsbTransport>>,
    id: String,
    info: DeviceInfo,
    /// The 4000B and 4500 always scramble; the 4000 may.
    scrambles: bool,
    /// Seeds for the scramble-key exchange; random, or fixed by a test.
    seeds: Mutex<Box<dyn FnMut() -> u32 + Send>>,
    pause: Duration,
}

impl Uru4000 {
    /// `scrambles`: true for the 4000B and 4500 (05ba:000a).
    pub fn new(transport: Box<dyn UsbTransport>, id: String, info: DeviceInfo, scrambles: bool) -> Uru4000 {
        Uru4000 {
            transport: Mutex::new(transport),
            id,
            info,
            scrambles,
            seeds: Mutex::new(Box::new(rand::random::<u32>)),
            pause: POLL_PAUSE,
        }
    }

    /// Use these seeds instead of random ones, and no pauses (scripted tests).
    pub fn with_seeds(mut self, seeds: Box<dyn FnMut() -> u32 + Send>) -> Uru4000 {
        self.seeds = Mutex::new(seeds);
        self.pause = Duration::ZERO;
        self
    }

    fn next_seed(&self) -> u32 {
        self.seeds
            .lock()
            .map(|mut seeds| seeds())
            .unwrap_or_else(|_| rand::random())
    }

    /// Power the sensor up, wait for a finger, capture, descramble, turn the sensor off.
    pub fn capture_image(&self, timeout: Duration, cancel: &CancelToken) -> Result<GrayImage, DeviceError> {
        let mut transport = self.transport.lock().map_err(|_| DeviceError::Busy)?;
        let transport = transport.as_mut();
        let deadline = Instant::now() + timeout;
        self.power_up(transport)?;
        let result = self.scan(transport, deadline, timeout, cancel);
        // Turn the sensor off whatever happened; the scan's own error matters more.
        let off = write_register(transport, REG_MODE, &[MODE_OFF]);
        let image = result?;
        off?;
        Ok(image)
    }

    fn power_up(&self, transport: &mut dyn UsbTransport) -> Result<(), DeviceError> {
        for _attempt in 0..3 {
            let mut status = read_register(transport, REG_HWSTAT, 1)?[0];
            if status & 0x84 == 0x84 {
                write_register(transport, REG_HWSTAT, &[status & 0x0f])?;
                status = self.poll_status(transport, |status| status & 0x01 != 0, "reboot its power")?;
            }
            if status & 0x80 == 0 {
                write_register(transport, REG_HWSTAT, &[status | 0x80])?;
            }
            let mut powered = false;
            for _ in 0..100 {
                write_register(transport, REG_HWSTAT, &[status & 0x0f])?;
                if read_register(transport, REG_HWSTAT, 1)?[0] & 0x80 == 0 {
                    powered = true;
                    break;
                }
                std::thread::sleep(self.pause);
            }
            if !powered {
                return Err(DeviceError::Protocol("the U.are.U sensor did not power up".into()));
            }
            if wait_for_interrupt(transport, IRQ_SCAN_POWER_ON, Instant::now() + SCAN_POWER_WAIT, None)? {
                // The versions are read as libfprint does, and not otherwise needed.
                read_register(transport, REG_DEVICE_INFO, 16)?;
                return Ok(());
            }
        }
        Err(DeviceError::Protocol(
            "the U.are.U sensor did not report scan power after three power-ups".into(),
        ))
    }

    fn poll_status(
        &self,
        transport: &mut dyn UsbTransport,
        done: impl Fn(u8) -> bool,
        what: &str,
    ) -> Result<u8, DeviceError> {
        for _ in 0..100 {
            let status = read_register(transport, REG_HWSTAT, 1)?[0];
            if done(status) {
                return Ok(status);
            }
            std::thread::sleep(self.pause);
        }
        Err(DeviceError::Protocol(format!("the U.are.U sensor did not {what}")))
    }

    fn scan(
        &self,
        transport: &mut dyn UsbTransport,
        deadline: Instant,
        timeout: Duration,
        cancel: &CancelToken,
    ) -> Result<GrayImage, DeviceError> {
        write_register(transport, REG_MODE, &[MODE_AWAIT_FINGER_ON])?;
        if !wait_for_interrupt(transport, IRQ_FINGER_ON, deadline, Some(cancel))? {
            return Err(DeviceError::Timeout {
                seconds: timeout.as_secs(),
            });
        }
        write_register(transport, REG_MODE, &[MODE_CAPTURE])?;
        for _attempt in 0..3 {
            let bytes = transport.bulk_in(ENDPOINT_DATA, IMAGE_TRANSFER_LENGTH, IMAGE_TIMEOUT)?;
            let Some(header) = ImageHeader::parse(&bytes) else {
                continue;
            };
            // libfprint reads again when the header and the length disagree.
            if header.lines >= LINES || bytes.len() < HEADER_LENGTH + header.lines * LINE {
                continue;
            }
            let mut data = vec![0u8; LINES * LINE];
            let received = &bytes[HEADER_LENGTH..];
            let kept = received.len().min(data.len());
            data[..kept].copy_from_slice(&received[..kept]);
            if self.scrambles || !looks_clear(&header, &data) {
                self.descramble_image(transport, &header, &mut data)?;
            }
            return assemble(&header, &data, !self.scrambles);
        }
        Err(DeviceError::Protocol(
            "the U.are.U sensor sent three images whose header and length disagree".into(),
        ))
    }

    fn descramble_image(
        &self,
        transport: &mut dyn UsbTransport,
        header: &ImageHeader,
        data: &mut [u8],
    ) -> Result<(), DeviceError> {
        let mut blocks = header.blocks;
        let mut key_number = header.key_number;
        let mut block = 0;
        let mut lines_done = 0usize;
        'key: loop {
            let seed = self.next_seed();
            let mut index = vec![key_number];
            index.extend_from_slice(&seed.to_le_bytes());
            write_register(transport, REG_SCRAMBLE_INDEX, &index)?;
            let key_bytes = read_register(transport, REG_SCRAMBLE_KEY, 4)?;
            let mut key = u32::from_le_bytes([key_bytes[0], key_bytes[1], key_bytes[2], key_bytes[3]]) ^ seed;
            while block < BLOCKS && lines_done < header.lines {
                let (flags, count) = blocks[block];
                let count = usize::from(count);
                if count == 0 {
                    break 'key;
                }
                if flags & BLOCK_CHANGE_KEY != 0 {
                    blocks[block].0 &= !BLOCK_CHANGE_KEY;
                    key_number = key_number.wrapping_add(1);
                    continue 'key;
                }
                let end = lines_done
                    .checked_add(count)
                    .filter(|end| *end <= LINES)
                    .ok_or_else(|| DeviceError::Protocol("an image block runs past the sensor's 290 lines".into()))?;
                match flags & (BLOCK_NO_KEY_UPDATE | BLOCK_ENCRYPTED) {
                    BLOCK_ENCRYPTED => key = descramble(&mut data[lines_done * LINE..end * LINE], key),
                    0 => {
                        for _ in 0..count * LINE {
                            key = next_key(key);
                        }
                    }
                    _ => {}
                }
                if flags & BLOCK_NOT_PRESENT == 0 {
                    lines_done = end;
                }
                block += 1;
            }
            break;
        }
        Ok(())
    }
}

/// Whether the image came in the clear: the first two lines sent vary little (libfprint's
/// test, for the 4000, which may or may not scramble).
fn looks_clear(header: &ImageHeader, data: &[u8]) -> bool {
    let mut present_lines = Vec::with_capacity(2);
    let mut row = 0usize;
    for (flags, count) in header.blocks {
        if flags & BLOCK_NOT_PRESENT != 0 {
            continue;
        }
        for _ in 0..count {
            if present_lines.len() < 2 {
                present_lines.push(row);
            }
            row += 1;
        }
    }
    let [first, second] = present_lines[..] else {
        return true;
    };
    let line = |row: usize| &data[row * LINE..(row + 1) * LINE];
    let sums: Vec<i64> = line(first)
        .iter()
        .zip(line(second))
        .map(|(a, b)| i64::from(*a) + i64::from(*b))
        .collect();
    let mean = sums.iter().sum::<i64>() / LINE as i64;
    let variance = sums.iter().map(|sum| (sum - mean) * (sum - mean)).sum::<i64>() / LINE as i64;
    (variance as u64) < CLEAR_IMAGE_VARIANCE_BELOW
}

/// Lay the received lines out as the image (blocks marked not present repeat earlier lines),
/// then swap dark and light, and turn the 4000's image right way up.
fn assemble(header: &ImageHeader, data: &[u8], upside_down: bool) -> Result<GrayImage, DeviceError> {
    let mut pixels = vec![0u8; LINES * LINE];
    let (mut from, mut to) = (0usize, 0usize);
    for (flags, count) in header.blocks {
        if from >= header.lines {
            break;
        }
        let count = usize::from(count);
        if count == 0 {
            break;
        }
        if from + count > LINES || to + count > LINES {
            return Err(DeviceError::Protocol(
                "the image's blocks hold more than 290 lines".into(),
            ));
        }
        pixels[to * LINE..(to + count) * LINE].copy_from_slice(&data[from * LINE..(from + count) * LINE]);
        if flags & BLOCK_NOT_PRESENT == 0 {
            from += count;
        }
        to += count;
    }
    for pixel in &mut pixels {
        *pixel = 255 - *pixel;
    }
    if upside_down {
        pixels.reverse();
    }
    GrayImage::from_raw(WIDTH, HEIGHT, pixels)
        .ok_or_else(|| DeviceError::BadImage("the U.are.U image does not fill 384 × 290 pixels".into()))
}

fn read_register(transport: &mut dyn UsbTransport, register: u16, count: u16) -> Result<Vec<u8>, DeviceError> {
    let bytes = transport.control_in(
        ControlSetup::vendor(REGISTER_REQUEST, register, 0),
        count,
        CONTROL_TIMEOUT,
    )?;
    if bytes.len() != usize::from(count) {
        return Err(DeviceError::Protocol(format!(
            "register {register:#06x}: {} bytes where {count} were asked for",
            bytes.len()
        )));
    }
    Ok(bytes)
}

fn write_register(transport: &mut dyn UsbTransport, register: u16, values: &[u8]) -> Result<(), DeviceError> {
    transport.control_out(
        ControlSetup::vendor(REGISTER_REQUEST, register, 0),
        values,
        CONTROL_TIMEOUT,
    )
}

/// Read interrupts until one of `wanted` type arrives (true), or `deadline` passes (false);
/// other interrupts are skipped.
fn wait_for_interrupt(
    transport: &mut dyn UsbTransport,
    wanted: u16,
    deadline: Instant,
    cancel: Option<&CancelToken>,
) -> Result<bool, DeviceError> {
    loop {
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(DeviceError::Cancelled);
        }
        // Waiting for a finger is read in slices, so that a cancel is seen within a second.
        let remaining = deadline
            .saturating_duration_since(Instant::now())
            .min(Duration::from_secs(1));
        match transport.interrupt_in(ENDPOINT_INTERRUPT, INTERRUPT_LENGTH, remaining) {
            Ok(bytes) => {
                if bytes.len() < 2 {
                    return Err(DeviceError::Protocol(format!("a {}-byte interrupt", bytes.len())));
                }
                if u16::from_be_bytes([bytes[0], bytes[1]]) == wanted {
                    return Ok(true);
                }
            }
            Err(DeviceError::UsbTimeout { .. }) => {
                if Instant::now() >= deadline || cancel.is_none() {
                    return Ok(false);
                }
            }
            Err(other) => return Err(other),
        }
    }
}

impl super::SingleFingerSensor for Uru4000 {
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
        "the U.are.U 4000"
    }

    fn capture_image(&self, timeout: Duration, cancel: &CancelToken) -> Result<GrayImage, DeviceError> {
        Uru4000::capture_image(self, timeout, cancel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shift_register_feeds_the_parity_of_its_taps_into_bit_31() {
        // Bit 0 is tapped (position 1): one tapped bit set, odd parity, so bit 31 is set.
        assert_eq!(next_key(0x0000_0001), 0x8000_0000);
        // Bit 1 is not tapped: the key only shifts.
        assert_eq!(next_key(0x0000_0002), 0x0000_0001);
        // Bits 0 and 2 are both tapped: even parity.
        assert_eq!(next_key(0x0000_0005), 0x0000_0002);
    }

    #[test]
    fn the_mask_takes_its_eight_key_bits_in_order() {
        assert_eq!(key_mask(1 << 4), 0x01);
        assert_eq!(key_mask(1 << 29), 0x80);
        assert_eq!(key_mask(u32::MAX), 0xff);
        assert_eq!(
            key_mask(!((1 << 4) | (1 << 8) | (1 << 11) | (1 << 14) | (1 << 18) | (1 << 21) | (1 << 24) | (1 << 29))),
            0
        );
    }
}
