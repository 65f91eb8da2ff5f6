//! The fuzz targets over the image codecs that read device images: `wsq` (the FBI's WSQ, which
//! finger devices put in ISO/IEC 19794-4 records) and `jpeg2000` (JP2 files and codestreams,
//! which MOSIP devices return). Both read bytes straight from a device. Must never panic, hang
//! or allocate from a size they have not checked.
//!
//! Compiled into the fuzz binaries and, through `#[path]`, into
//! `device-drivers/tests/fuzz_regressions`; so it uses only `enroll-devices` and `image`.
//!
//! Deliberately absent: judging the pixels (the quality module's job); the round trip through
//! our encoder is limited to small images so that the fuzzer spends its time in the decoders.

use enroll_devices::codecs::{jpeg2000, wsq};

/// Images up to this many pixels are also encoded again by our lossless encoder in the
/// `jpeg2000` target. Larger ones would make each run slow and find nothing more.
const ROUND_TRIP_MAX_PIXELS: u64 = 64 * 64;

/// `wsq::dimensions` and `wsq::decode`: a decoded image has the size the frame header gives,
/// and a refusal carries one of the WSQ codes.
pub fn wsq(data: &[u8]) {
    let dimensions = wsq::dimensions(data);
    match wsq::decode(data) {
        Ok(decoded) => {
            let size = (decoded.image.width(), decoded.image.height());
            assert_eq!(
                dimensions.ok(),
                Some(size),
                "a WSQ image decoded to another size than its frame header reads"
            );
            assert!(size.0 > 0 && size.1 > 0, "a WSQ image decoded to no pixels");
        }
        Err(error) => assert!(
            matches!(
                error.code(),
                wsq::WSQ_TRUNCATED | wsq::WSQ_INVALID | wsq::WSQ_UNSUPPORTED
            ),
            "{error:?}"
        ),
    }
}

/// `jpeg2000::dimensions` and `jpeg2000::decode`: a decoded image has the size its header
/// reads; a small one goes through our lossless encoder and must decode to the same pixels.
pub fn jpeg2000(data: &[u8]) {
    let dimensions = jpeg2000::dimensions(data);
    match jpeg2000::decode(data) {
        Ok(decoded) => {
            assert_eq!(
                dimensions.ok(),
                Some(decoded.dimensions()),
                "a JPEG 2000 image decoded to another size than its header reads"
            );
            let pixels = u64::from(decoded.width()) * u64::from(decoded.height());
            if pixels <= ROUND_TRIP_MAX_PIXELS {
                let encoded = jpeg2000::encode_lossless(&decoded)
                    .unwrap_or_else(|e| panic!("our encoder refused a decoded image: {e}"));
                let again = jpeg2000::decode(&encoded)
                    .unwrap_or_else(|e| panic!("our own lossless JPEG 2000 does not decode: {e}"));
                assert!(again == decoded, "our lossless JPEG 2000 changed the pixels");
            }
        }
        Err(error) => assert!(
            matches!(
                error.code(),
                "jpeg2000_invalid" | "jpeg2000_unsupported" | "jpeg2000_too_large"
            ),
            "{error:?}"
        ),
    }
}
