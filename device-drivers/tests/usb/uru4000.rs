//! The DigitalPersona U.are.U 4000/4000B driver against a scripted exchange.
//!
//! No recording of these readers exists here: each script is built from the protocol facts
//! that libfprint's `uru4000` driver documents (registers, modes, interrupts, the image header,
//! the scrambling), the same facts the driver was written from. So these tests show that the
//! driver follows those facts in order and undoes the scrambling as described, not that a real
//! reader agrees; a recording of a real reader would.

use std::time::Duration;

use enroll_devices::usb::drivers::uru4000::{
    Uru4000, BLOCK_CHANGE_KEY, BLOCK_ENCRYPTED, BLOCK_NOT_PRESENT, HEADER_LENGTH, IMAGE_TRANSFER_LENGTH, PPI,
};
use enroll_devices::usb::replay::{ReplayTransport, ScriptedExchange};
use enroll_devices::usb::ControlSetup;
use enroll_devices::{BiometricDevice, CancelToken, CaptureRequest, CaptureStep, CapturedData, DeviceInfo, Position};

const WIDTH: usize = 384;
const HEIGHT: usize = 290;

fn register(register: u16) -> ControlSetup {
    ControlSetup::vendor(0x04, register, 0)
}

fn interrupt(kind: u16) -> Vec<u8> {
    let mut bytes = vec![0u8; 64];
    bytes[..2].copy_from_slice(&kind.to_be_bytes());
    bytes
}

/// Power-up from low power: status 0x80 (bit 7 set, so no power-down write), one write of
/// `status & 0x0f`, a read showing bit 7 clear, then "scan power on" and the device information.
fn power_up(script: &mut ScriptedExchange) {
    script
        .control_in(register(0x07), 1, &[0x80])
        .control_out(register(0x07), &[0x00])
        .control_in(register(0x07), 1, &[0x00])
        .interrupt_in(0x81, 64, &interrupt(0x56aa))
        .control_in(register(0xf0), 16, &[0u8; 16]);
}

/// Await finger (a finger-off interrupt first, which the driver must skip), then capture mode.
fn finger_and_capture_mode(script: &mut ScriptedExchange) {
    script
        .control_out(register(0x4e), &[0x10])
        .interrupt_in(0x81, 64, &interrupt(0x0200))
        .interrupt_in(0x81, 64, &interrupt(0x0101))
        .control_out(register(0x4e), &[0x20]);
}

fn header(lines: u16, key_number: u8, blocks: &[(u8, u8)]) -> Vec<u8> {
    let mut header = vec![0u8; HEADER_LENGTH];
    header[4..6].copy_from_slice(&lines.to_le_bytes());
    header[6] = key_number;
    for (index, (flags, count)) in blocks.iter().enumerate() {
        header[16 + 2 * index] = *flags;
        header[17 + 2 * index] = *count;
    }
    header
}

fn request() -> CaptureRequest {
    CaptureRequest {
        step: CaptureStep::Finger(Position::LeftIndex),
        exceptions: Vec::new(),
        requested_quality: 40,
        timeout: Duration::from_secs(5),
        transaction_id: "scripted".into(),
        previous_hash: None,
        subject: Default::default(),
    }
}

/// The scrambling, written here from its description (taps at positions 1 3 4 7 11 13 20 23
/// 26 29 32, counted from 1; mask bits from key bits 4 8 11 14 18 21 24 29) rather than taken
/// from the driver, so that the test does not check the driver against itself.
struct Scrambler {
    key: u32,
}

impl Scrambler {
    fn step(&mut self) {
        let feedback = [1, 3, 4, 7, 11, 13, 20, 23, 26, 29, 32]
            .iter()
            .fold(0u32, |parity, position| parity ^ ((self.key >> (position - 1)) & 1));
        self.key = (self.key >> 1) | (feedback << 31);
    }

    fn mask(&self) -> u8 {
        let bits = [4, 8, 11, 14, 18, 21, 24, 29];
        let mut mask = 0u8;
        for (bit, from) in bits.iter().enumerate() {
            if self.key & (1 << from) != 0 {
                mask |= 1 << bit;
            }
        }
        mask
    }

    /// Scramble a block whose last byte is zero: each clear byte travels in the next position,
    /// under the mask of its own position.
    fn scramble(&mut self, clear: &[u8]) -> Vec<u8> {
        assert_eq!(
            clear.last(),
            Some(&0),
            "the protocol zeroes a scrambled block's last byte"
        );
        let mut scrambled = vec![0x5a; clear.len()];
        for i in 0..clear.len() - 1 {
            scrambled[i + 1] = clear[i] ^ self.mask();
            self.step();
        }
        self.step();
        scrambled
    }

    fn skip(&mut self, bytes: usize) {
        for _ in 0..bytes {
            self.step();
        }
    }
}

fn captured_image(driver: &Uru4000) -> image::GrayImage {
    let result = driver
        .capture(&request(), &CancelToken::new())
        .unwrap_or_else(|e| panic!("capture failed: {e}"));
    assert_eq!(result.captures.len(), 1);
    let CapturedData::Image { image, ppi } = result.captures[0].data.clone() else {
        panic!("the U.are.U hands over pixels");
    };
    assert_eq!(ppi, PPI);
    image
}

#[test]
fn uru4000b_powers_up_waits_for_the_finger_and_descrambles_its_image_scripted_from_protocol_facts() {
    // Three blocks: scrambled, clear (the key still advances over it), scrambled.
    let blocks = [(BLOCK_ENCRYPTED, 100u8), (0, 100), (BLOCK_ENCRYPTED, 89)];
    let lines = 289usize;
    let mut clear: Vec<u8> = (0..lines * WIDTH).map(|i| ((i * 7 + i / WIDTH) % 251) as u8).collect();
    // The last byte of each scrambled block comes out zero by the protocol.
    clear[100 * WIDTH - 1] = 0;
    clear[lines * WIDTH - 1] = 0;

    let seed = 0x1234_5678u32;
    let key = 0xdead_beefu32;
    let mut scrambler = Scrambler { key };
    let mut sent = scrambler.scramble(&clear[..100 * WIDTH]);
    sent.extend_from_slice(&clear[100 * WIDTH..200 * WIDTH]);
    scrambler.skip(100 * WIDTH);
    sent.extend(scrambler.scramble(&clear[200 * WIDTH..]));

    let mut transfer = header(lines as u16, 7, &blocks);
    transfer.extend_from_slice(&sent);

    let mut script = ScriptedExchange::new();
    power_up(&mut script);
    finger_and_capture_mode(&mut script);
    let mut index = vec![7u8];
    index.extend_from_slice(&seed.to_le_bytes());
    script
        .bulk_in(0x82, IMAGE_TRANSFER_LENGTH, &transfer)
        .control_out(register(0x33), &index)
        .control_in(register(0x34), 4, &(key ^ seed).to_le_bytes())
        .control_out(register(0x4e), &[0x70]);
    let transport = ReplayTransport::new(&script.recording());
    let progress = transport.progress();
    let driver = Uru4000::new(Box::new(transport), "usb:1-2".into(), DeviceInfo::default(), true)
        .with_seeds(Box::new(move || seed));

    let image = captured_image(&driver);
    progress.finish().expect("the driver made every scripted transfer");
    assert_eq!(image.dimensions(), (WIDTH as u32, HEIGHT as u32));
    // Dark and light swapped back; the 4000B's image is upright. The 290th line was not sent.
    for (index, pixel) in image.as_raw().iter().enumerate() {
        let expected = if index < lines * WIDTH { 255 - clear[index] } else { 255 };
        assert_eq!(*pixel, expected, "pixel {} of line {}", index % WIDTH, index / WIDTH);
    }
}

#[test]
fn uru4000_sends_clear_images_upside_down_with_repeated_blocks_scripted_from_protocol_facts() {
    // 10 lines sent, then a block of 5 "not present" lines that repeats lines already sent.
    let blocks = [(0u8, 10u8), (BLOCK_NOT_PRESENT, 5)];
    let lines = 10usize;
    // Little variation between the first two lines: libfprint's sign of a clear image.
    let sent: Vec<u8> = (0..lines * WIDTH).map(|i| (100 + (i % 5) + i / WIDTH) as u8).collect();
    let mut transfer = header(lines as u16, 0, &blocks);
    transfer.extend_from_slice(&sent);

    let mut script = ScriptedExchange::new();
    power_up(&mut script);
    finger_and_capture_mode(&mut script);
    script
        .bulk_in(0x82, IMAGE_TRANSFER_LENGTH, &transfer)
        .control_out(register(0x4e), &[0x70]);
    let transport = ReplayTransport::new(&script.recording());
    let progress = transport.progress();
    let driver =
        Uru4000::new(Box::new(transport), "usb:1-3".into(), DeviceInfo::default(), false).with_seeds(Box::new(|| 0));

    let image = captured_image(&driver);
    progress.finish().expect("no key exchange for a clear image");
    // As laid out: the 10 lines sent; laying out stops once every sent line is placed, so the
    // not-present block adds nothing and the rest stays zero. Then inverted and turned 180°.
    let mut laid_out = vec![0u8; WIDTH * HEIGHT];
    laid_out[..lines * WIDTH].copy_from_slice(&sent);
    let expected: Vec<u8> = laid_out.iter().rev().map(|value| 255 - value).collect();
    assert_eq!(image.as_raw(), &expected);
}

#[test]
fn uru4000_without_a_finger_times_out_and_still_turns_the_sensor_off() {
    let mut script = ScriptedExchange::new();
    power_up(&mut script);
    script
        .control_out(register(0x4e), &[0x10])
        .interrupt_timeout(0x81, 64)
        .control_out(register(0x4e), &[0x70]);
    let transport = ReplayTransport::new(&script.recording());
    let progress = transport.progress();
    let driver = Uru4000::new(Box::new(transport), "usb:1-3".into(), DeviceInfo::default(), true);
    let mut request = request();
    request.timeout = Duration::ZERO;
    let error = driver.capture(&request, &CancelToken::new()).unwrap_err();
    assert_eq!(error.code(), "capture_timeout", "{error}");
    progress.finish().expect("the sensor was turned off after the timeout");
}

#[test]
fn uru4000b_asks_for_a_new_key_where_a_block_says_so_scripted_from_protocol_facts() {
    // Two scrambled blocks; the second changes key: the driver asks for key number 4 with a
    // fresh seed before descrambling it.
    let blocks = [(BLOCK_ENCRYPTED, 50u8), (BLOCK_ENCRYPTED | BLOCK_CHANGE_KEY, 50)];
    let lines = 100usize;
    let mut clear: Vec<u8> = (0..lines * WIDTH).map(|i| ((i * 13) % 241) as u8).collect();
    clear[50 * WIDTH - 1] = 0;
    clear[lines * WIDTH - 1] = 0;
    let (first_seed, second_seed) = (0x0101_0101u32, 0x2222_2222u32);
    let (first_key, second_key) = (0x1357_9bdfu32, 0x0246_8aceu32);
    let mut sent = Scrambler { key: first_key }.scramble(&clear[..50 * WIDTH]);
    sent.extend(Scrambler { key: second_key }.scramble(&clear[50 * WIDTH..]));
    let mut transfer = header(lines as u16, 3, &blocks);
    transfer.extend_from_slice(&sent);

    let index = |key_number: u8, seed: u32| {
        let mut index = vec![key_number];
        index.extend_from_slice(&seed.to_le_bytes());
        index
    };
    let mut script = ScriptedExchange::new();
    power_up(&mut script);
    finger_and_capture_mode(&mut script);
    script
        .bulk_in(0x82, IMAGE_TRANSFER_LENGTH, &transfer)
        .control_out(register(0x33), &index(3, first_seed))
        .control_in(register(0x34), 4, &(first_key ^ first_seed).to_le_bytes())
        .control_out(register(0x33), &index(4, second_seed))
        .control_in(register(0x34), 4, &(second_key ^ second_seed).to_le_bytes())
        .control_out(register(0x4e), &[0x70]);
    let transport = ReplayTransport::new(&script.recording());
    let progress = transport.progress();
    let mut seeds = [first_seed, second_seed].into_iter();
    let driver = Uru4000::new(Box::new(transport), "usb:1-2".into(), DeviceInfo::default(), true)
        .with_seeds(Box::new(move || seeds.next().expect("two key exchanges, two seeds")));

    let image = captured_image(&driver);
    progress.finish().expect("the driver made both key exchanges");
    let expected: Vec<u8> = (0..WIDTH * HEIGHT)
        .map(|index| if index < lines * WIDTH { 255 - clear[index] } else { 255 })
        .collect();
    assert_eq!(image.as_raw(), &expected);
}
