//! Native USB drivers against real traffic: libfprint's umockdev recordings of real sensors,
//! replayed through our drivers, must yield the images libfprint assembled from them.

mod uru4000;

use std::path::{Path, PathBuf};
use std::time::Duration;

use enroll_devices::usb::drivers::nb1010::{self, Nb1010};
use enroll_devices::usb::replay::pcapng;
use enroll_devices::usb::replay::umockdev::{self, Entry, UrbKind};
use enroll_devices::usb::replay::{ReplayTransport, ScriptedExchange};
use enroll_devices::usb::{known, Support};
use enroll_devices::{
    BiometricDevice, CancelToken, CaptureRequest, CaptureStep, CapturedData, DeviceInfo, Position, QualitySource,
};

/// The shared fixtures folder. A missing fixture fails the test with a clear message.
fn fixtures(relative: &str) -> PathBuf {
    let root = std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let path = root.join(relative);
    assert!(
        path.exists(),
        "fixture {} is absent: put ../shared/fixtures beside the repo or set ENROLL_FIXTURES",
        path.display()
    );
    path
}

fn read_text(relative: &str) -> String {
    let path = fixtures(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The grey levels of libfprint's `capture.png`, which it saves as RGB with equal channels.
fn expected_grey(relative: &str) -> image::GrayImage {
    let path = fixtures(relative);
    let rgb = image::open(&path)
        .unwrap_or_else(|e| panic!("decoding {}: {e}", path.display()))
        .to_rgb8();
    for pixel in rgb.pixels() {
        assert!(
            pixel[0] == pixel[1] && pixel[1] == pixel[2],
            "{} is not grey: its luma is not simply one channel",
            path.display()
        );
    }
    image::GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| image::Luma([rgb.get_pixel(x, y)[0]]))
}

fn finger_request(position: Position) -> CaptureRequest {
    CaptureRequest {
        step: CaptureStep::Finger(position),
        exceptions: Vec::new(),
        requested_quality: 40,
        timeout: Duration::from_secs(5),
        transaction_id: "replay".into(),
        previous_hash: None,
        subject: Default::default(),
    }
}

#[test]
fn every_libfprint_ioctl_recording_parses_with_every_urb_line_kept() {
    let recordings = [
        "libfprint-usb/aes3500/capture.ioctl",
        "libfprint-usb/elan/capture.ioctl",
        "libfprint-usb/nb1010/capture.ioctl",
        "libfprint-usb/vfs0050/capture.ioctl",
    ];
    for relative in recordings {
        let text = read_text(relative);
        let recording = umockdev::parse_ioctl_recording(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
        // Counted independently of the parser: every line naming a reaped URB is one URB.
        let urb_lines = text
            .lines()
            .filter(|line| line.trim_start().starts_with("USBDEVFS_REAPURB"))
            .count();
        assert!(urb_lines > 0, "{relative} holds no URB");
        assert_eq!(recording.urbs().count(), urb_lines, "{relative}");
        assert!(recording.device.is_some(), "{relative} names no device");
        let skipped: Vec<&str> = recording
            .entries
            .iter()
            .filter_map(|entry| match entry {
                Entry::Other { name, .. } => Some(name.as_str()),
                Entry::Urb(_) => None,
            })
            .collect();
        assert_eq!(skipped, ["USBDEVFS_GET_CAPABILITIES"], "{relative}");
    }
}

#[test]
fn nb1010_replays_its_real_recording_into_libfprints_image_pixel_for_pixel() {
    let recording = umockdev::parse_ioctl_recording(&read_text("libfprint-usb/nb1010/capture.ioctl")).unwrap();
    let (vendor, product) = umockdev::device_ids(&read_text("libfprint-usb/nb1010/device")).unwrap();
    assert_eq!((vendor, product), (nb1010::VENDOR_ID, nb1010::PRODUCT_ID));

    let transport = ReplayTransport::new(&recording);
    let progress = transport.progress();
    let driver = Nb1010::new(
        Box::new(transport),
        "usb:1-7".into(),
        DeviceInfo {
            make: "Next Biometrics".into(),
            model: "NB-1010-U".into(),
            ..DeviceInfo::default()
        },
    )
    .with_settle_delay(Duration::ZERO);
    let result = driver
        .capture(&finger_request(Position::RightIndex), &CancelToken::new())
        .unwrap_or_else(|e| panic!("replay failed: {e}"));
    progress.finish().expect("the driver made every recorded transfer");

    assert_eq!(result.captures.len(), 1);
    let capture = &result.captures[0];
    assert_eq!(capture.position, Position::RightIndex);
    assert_eq!((capture.quality, capture.quality_source), (0, QualitySource::Station));
    let CapturedData::Image { image, ppi } = &capture.data else {
        panic!("the NB-1010 hands over pixels, not a record");
    };
    assert_eq!(*ppi, nb1010::PPI);
    let expected = expected_grey("libfprint-usb/nb1010/capture.png");
    assert_eq!(image.dimensions(), expected.dimensions());
    let differing = image
        .pixels()
        .zip(expected.pixels())
        .filter(|(ours, theirs)| ours != theirs)
        .count();
    assert_eq!(differing, 0, "pixels that differ from libfprint's capture.png");
}

#[test]
fn every_libfprint_sensor_is_recognised_and_only_the_nb1010_is_driven() {
    let sensors = ["aes3500", "egis0570", "elan", "nb1010", "upektc_img", "vfs0050"];
    for sensor in sensors {
        let (vendor, product) = umockdev::device_ids(&read_text(&format!("libfprint-usb/{sensor}/device")))
            .unwrap_or_else(|e| panic!("{sensor}: {e}"));
        let scanner = known::lookup(vendor, product)
            .unwrap_or_else(|| panic!("{sensor} ({vendor:04x}:{product:04x}) is not in the table"));
        let expected_driven = sensor == "nb1010";
        assert_eq!(scanner.has_native_driver(), expected_driven, "{sensor}");
        if !expected_driven {
            assert_eq!(scanner.support, Support::NotForEnrollment, "{sensor}");
        }
    }
}

fn nb1010_on(transport: ReplayTransport) -> Nb1010 {
    Nb1010::new(Box::new(transport), "usb:1-7".into(), DeviceInfo::default()).with_settle_delay(Duration::ZERO)
}

#[test]
fn nb1010_replay_names_the_step_where_a_recording_and_the_driver_part() {
    // The real recording with the pre-capture command (the third transfer, second OUT) changed
    // by one byte: the driver sends the protocol's bytes, so the replay stops there.
    let text = read_text("libfprint-usb/nb1010/capture.ioctl");
    let damaged = text.replacen("800D03000C00000000040000", "800D03000C00000000050000", 1);
    assert_ne!(damaged, text, "the recording holds the pre-capture command");
    let recording = umockdev::parse_ioctl_recording(&damaged).unwrap();
    let error = nb1010_on(ReplayTransport::new(&recording))
        .capture(&finger_request(Position::LeftThumb), &CancelToken::new())
        .unwrap_err();
    assert_eq!(error.code(), "usb_replay_mismatch");
    let expected_line = damaged
        .lines()
        .position(|line| line.contains("800D03000C00000000050000"))
        .map(|index| index + 1)
        .unwrap();
    assert!(
        matches!(error, enroll_devices::DeviceError::UsbReplayMismatch { step: 3, line, .. } if line == expected_line),
        "{error}"
    );
}

#[test]
fn nb1010_without_a_finger_times_out_and_cancelled_or_asked_for_a_slap_touches_nothing() {
    // Scripted from the protocol facts: answers with presence byte 0x10 (no finger).
    let check_finger = [0x80, 0x38, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00];
    let mut no_finger = [0u8; 16];
    no_finger[..2].copy_from_slice(&[0x80, 0x37]);
    no_finger[12] = 0x10;
    let mut script = ScriptedExchange::new();
    script.bulk_out(0x02, &check_finger).bulk_in(0x83, 16, &no_finger);
    let transport = ReplayTransport::new(&script.recording());
    let progress = transport.progress();
    let mut request = finger_request(Position::LeftThumb);
    request.timeout = Duration::ZERO;
    let error = nb1010_on(transport).capture(&request, &CancelToken::new()).unwrap_err();
    assert_eq!(error.code(), "capture_timeout", "{error}");
    progress.finish().unwrap();

    // A cancelled capture stops before touching the device.
    let cancel = CancelToken::new();
    cancel.cancel();
    let untouched = ReplayTransport::new(&ScriptedExchange::new().recording());
    let error = nb1010_on(untouched)
        .capture(&finger_request(Position::LeftThumb), &cancel)
        .unwrap_err();
    assert_eq!(error.code(), "capture_cancelled");

    // A slap is not a single-finger step.
    let empty = ReplayTransport::new(&ScriptedExchange::new().recording());
    let mut slap = finger_request(Position::LeftThumb);
    slap.step = CaptureStep::LeftSlap;
    assert_eq!(
        nb1010_on(empty).capture(&slap, &CancelToken::new()).unwrap_err().code(),
        "device_unsupported_step"
    );
}

#[test]
fn usbmon_captures_of_libfprint_hold_the_sensor_whose_descriptor_names_it() {
    for sensor in ["upektc_img", "egis0570"] {
        let (vendor, product) = umockdev::device_ids(&read_text(&format!("libfprint-usb/{sensor}/device"))).unwrap();
        let path = fixtures(&format!("libfprint-usb/{sensor}/capture.pcapng"));
        let file = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let devices = pcapng::devices_in_capture(&file).unwrap_or_else(|e| panic!("{sensor}: {e}"));
        assert!(!devices.is_empty(), "{sensor}: no USB traffic");
        // The sensor is the one device whose GET_DESCRIPTOR(DEVICE) answer carries the ids of
        // the fixture's sysfs description, and it is among those that moved bulk data.
        let mut with_descriptor = Vec::new();
        let mut with_bulk = Vec::new();
        for (bus, device) in devices {
            let recording = pcapng::parse_usbmon_pcapng(&file, bus, device).unwrap();
            for urb in recording.urbs() {
                if urb
                    .setup_packet()
                    .is_some_and(|setup| setup[..4] == [0x80, 0x06, 0x00, 0x01])
                {
                    let answer = urb.answer();
                    if answer.len() >= 12
                        && u16::from_le_bytes([answer[8], answer[9]]) == vendor
                        && u16::from_le_bytes([answer[10], answer[11]]) == product
                    {
                        with_descriptor.push((bus, device));
                    }
                }
                // Every IN transfer carries the bytes its completion counted.
                if urb.kind != UrbKind::Control && urb.is_in() && urb.status == 0 {
                    assert_eq!(urb.data.len(), urb.actual_length, "{sensor} packet {}", urb.line);
                }
            }
            if recording.urbs().any(|urb| urb.kind == UrbKind::Bulk) {
                with_bulk.push((bus, device));
            }
        }
        with_descriptor.dedup();
        let [sensor_device] = with_descriptor[..] else {
            panic!(
                "{sensor}: {with_descriptor:?} answer GET_DESCRIPTOR with {vendor:04x}:{product:04x}, not one device"
            );
        };
        assert!(
            with_bulk.contains(&sensor_device),
            "{sensor}: the sensor moved no image over bulk"
        );
    }
}

#[test]
fn damaged_recordings_are_refused_or_shorter_never_a_panic() {
    let text = read_text("libfprint-usb/nb1010/capture.ioctl");
    let full = umockdev::parse_ioctl_recording(&text).unwrap().urbs().count();
    let mut refused = 0;
    for cut in (0..text.len().min(4000)).filter(|cut| text.is_char_boundary(*cut)) {
        match umockdev::parse_ioctl_recording(&text[..cut]) {
            Ok(recording) => assert!(recording.urbs().count() <= full),
            Err(error) => {
                assert_eq!(error.code(), "usb_recording_invalid");
                refused += 1;
            }
        }
    }
    // Most cuts land inside a line's hex, whose length then disagrees with the line's fields.
    assert!(refused > 1000, "only {refused} cut recordings were refused");

    let path = fixtures("libfprint-usb/upektc_img/capture.pcapng");
    let file = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let whole = pcapng::parse_usbmon_pcapng(&file, 1, 3).unwrap().urbs().count();
    for cut in (0..file.len().min(6000)).step_by(5) {
        if let Ok(recording) = pcapng::parse_usbmon_pcapng(&file[..cut], 1, 3) {
            assert!(recording.urbs().count() <= whole);
        }
    }
    let head = &file[..file.len().min(8000)];
    for position in (0..head.len()).step_by(7) {
        let mut damaged = head.to_vec();
        damaged[position] ^= 0xff;
        // Either refused or read; a flipped byte must never panic or run past the file.
        let _ = pcapng::parse_usbmon_pcapng(&damaged, 1, 3).map(|recording| recording.urbs().count());
    }
}
