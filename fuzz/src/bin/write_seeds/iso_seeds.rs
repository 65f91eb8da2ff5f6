//! The ISO/IEC 19794 seeds beyond the face record of `write_seeds`' main file: records of all
//! three parts in both editions, built by the station's own builders around small generated
//! images (a JPEG 2000 one for the 2005 editions, which know no PNG iris or face), and damaged
//! copies of the 2005 ones, whose layouts differ most from 2011.
//!
//! Deliberately absent: any real capture or `../shared/fixtures` record.

use enroll_devices::iso19794::{
    CaptureDateTime, CaptureDevice, Edition, FaceImageInput, FingerImageInput, IrisImageInput, QualityBlock,
};

use super::codec_seeds::jp2;
use super::{flip, set, Result, Seeds, TINY_PNG};

const DEVICE: CaptureDevice = CaptureDevice {
    technology_id: 1,
    vendor_id: 0,
    type_id: 7,
};

/// A 2005 finger or iris record has only a device type id, no technology id.
fn device_for(edition: Edition) -> CaptureDevice {
    match edition {
        Edition::Iso2005 => CaptureDevice {
            technology_id: 0,
            ..DEVICE
        },
        Edition::Iso2011 => DEVICE,
    }
}

/// A 2005 record cannot name the algorithm behind its quality.
const QUALITY: QualityBlock = QualityBlock {
    score: 80,
    algorithm_vendor_id: 0,
    algorithm_id: 0,
};

const CAPTURED_AT: CaptureDateTime = CaptureDateTime {
    year: 2025,
    month: 6,
    day: 1,
    hour: 9,
    minute: 0,
    second: 0,
    millisecond: 0,
};

fn finger<'a>(image: &'a [u8], edition: Edition) -> FingerImageInput<'a> {
    FingerImageInput {
        image,
        position: 2,
        impression_type: 0,
        resolution_ppi: 500,
        bit_depth: 8,
        captured_at: (edition == Edition::Iso2011).then_some(CAPTURED_AT),
        device: device_for(edition),
        quality: QUALITY,
        image_acquisition_level_2005: (edition == Edition::Iso2005).then_some(31),
    }
}

fn iris(image: &[u8], edition: Edition) -> IrisImageInput<'_> {
    IrisImageInput {
        image,
        eye_label: 1,
        image_type: 3,
        bit_depth: 8,
        captured_at: (edition == Edition::Iso2011).then_some(CAPTURED_AT),
        device: device_for(edition),
        quality: QUALITY,
    }
}

fn face(image: &[u8], edition: Edition) -> FaceImageInput<'_> {
    FaceImageInput {
        image,
        captured_at: (edition == Edition::Iso2011).then_some(CAPTURED_AT),
        device: DEVICE,
        quality: QUALITY,
        colour_space: 3,
    }
}

fn written(what: &str, record: std::result::Result<Vec<u8>, enroll_devices::DeviceError>) -> Result<Vec<u8>> {
    record.map_err(|e| format!("writing the seed {what} failed: {e}"))
}

pub fn iso19794_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "iso19794";
    let image = jp2(8, 8)?;
    let finger_2005 = written(
        "2005 finger record",
        finger(&image, Edition::Iso2005).write(Edition::Iso2005),
    )?;
    let iris_2005 = written(
        "2005 iris record",
        iris(&image, Edition::Iso2005).write(Edition::Iso2005),
    )?;
    let face_2005 = written(
        "2005 face record",
        face(&image, Edition::Iso2005).write(Edition::Iso2005),
    )?;
    seeds.add(target, "valid-2005-finger-jpeg2000", finger_2005.clone());
    seeds.add(target, "valid-2005-iris-jpeg2000", iris_2005.clone());
    seeds.add(target, "valid-2005-face-jpeg2000", face_2005.clone());
    seeds.add(
        target,
        "valid-2011-finger-png",
        written(
            "2011 finger record",
            finger(&TINY_PNG, Edition::Iso2011).write(Edition::Iso2011),
        )?,
    );
    seeds.add(
        target,
        "valid-2011-iris-jpeg2000",
        written(
            "2011 iris record",
            iris(&image, Edition::Iso2011).write(Edition::Iso2011),
        )?,
    );
    // Offsets in the 2005 general headers: the record length starts at 8 (six bytes in a
    // finger record, four in the others); a finger record counts its fingers at 18, a face
    // record its faces at 12..14.
    seeds.add(
        target,
        "near-2005-finger-cut-in-image",
        &finger_2005[..finger_2005.len() - 3],
    );
    seeds.add(target, "near-2005-finger-record-length-flipped", flip(&finger_2005, 11));
    seeds.add(target, "near-2005-finger-two-views", set(&finger_2005, 18, 2));
    seeds.add(target, "near-2005-iris-version-030", set(&iris_2005, 5, b'3'));
    seeds.add(target, "near-2005-iris-header-byte-flipped", flip(&iris_2005, 20));
    seeds.add(target, "near-2005-face-two-representations", set(&face_2005, 13, 2));
    seeds.add(
        target,
        "near-2005-face-trailing-byte",
        [face_2005.as_slice(), &[0]].concat(),
    );
    Ok(())
}
