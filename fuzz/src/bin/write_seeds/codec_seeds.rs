//! The seeds of `jpeg2000` and `wsq`.
//!
//! JPEG 2000: small generated greyscale images through our own lossless encoder
//! (`encode_lossless`), as a JP2 file and as a bare codestream, and damaged copies.
//!
//! WSQ: the station has no WSQ encoder, so the valid seeds are tiny streams built here by hand
//! from the syntax of IAFIS-IC-0110 (SOI, the FBI's 9/7 filter pair in DTT, DQT, DHT, a NISTCOM
//! comment, SOF, one Huffman-coded block, EOI), each checked by decoding it before it is
//! written; the near-valid ones are those streams cut short or with one field altered. They
//! reach every step of the decoder, but their pixels mean nothing.
//!
//! Deliberately absent: any real fingerprint or `../shared/fixtures` file.

use enroll_devices::codecs::{jpeg2000, wsq};
use enroll_devices::iso19794;
use image::{GrayImage, Luma};

use super::{flip, set, Result, Seeds};

/// A greyscale test pattern of the given size: gradients and a checker, no picture of anyone.
pub fn pattern(width: u32, height: u32) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        Luma([((x * 29 + y * 53 + ((x / 4 + y / 4) % 2) * 90) % 256) as u8])
    })
}

/// A lossless JP2 of [`pattern`], checked to decode to it again.
pub fn jp2(width: u32, height: u32) -> Result<Vec<u8>> {
    let image = pattern(width, height);
    let encoded = jpeg2000::encode_lossless(&image).map_err(|e| format!("encoding a seed image failed: {e}"))?;
    match jpeg2000::decode(&encoded) {
        Ok(decoded) if decoded == image => Ok(encoded),
        other => Err(format!(
            "the {width}x{height} JPEG 2000 seed does not decode to its pixels: {:?}",
            other.map(|i| i.dimensions())
        )),
    }
}

pub fn jpeg2000_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "jpeg2000";
    let small = jp2(8, 8)?;
    seeds.add(target, "valid-1x1", jp2(1, 1)?);
    seeds.add(target, "valid-8x8", small.clone());
    seeds.add(target, "valid-17x5", jp2(17, 5)?);
    let large = jp2(70, 66)?;
    seeds.add(target, "valid-70x66-two-code-blocks-wide", large.clone());
    let codestream = iso19794::jpeg2000::codestream(&small)
        .ok_or("our JP2 holds no codestream")?
        .to_vec();
    seeds.add(target, "valid-8x8-codestream", codestream.clone());
    seeds.add(target, "near-cut-before-eoc", &large[..large.len() - 2]);
    seeds.add(target, "near-cut-in-packets", &large[..large.len() * 2 / 3]);
    seeds.add(target, "near-packet-byte-flipped", flip(&large, large.len() - 40));
    // SIZ follows SOC: marker (2), length (2), capabilities (2), then the width's four bytes.
    seeds.add(target, "near-codestream-width-huge", set(&codestream, 8, 0x7f));
    seeds.add(target, "near-codestream-8-bit-depth-changed", {
        // The first component's depth byte: after SOC (2), SIZ marker and length (4),
        // capabilities (2), eight 4-byte sizes (32) and the component count (2).
        set(&codestream, 2 + 4 + 2 + 32 + 2, 0x0f)
    });
    Ok(())
}

/// Writes a WSQ marker segment: marker, length (counting itself), body.
fn segment(out: &mut Vec<u8>, marker: u16, body: &[u8]) {
    out.extend_from_slice(&marker.to_be_bytes());
    out.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
    out.extend_from_slice(body);
}

/// The FBI's 9/7 analysis filters, each as half its taps from the centre out (sign byte,
/// scale exponent, value), as WSQ's DTT carries them.
fn transform_table(lowpass_taps: u8) -> Vec<u8> {
    let lowpass = [
        0.852_698_679_009f64,
        0.377_402_855_613,
        -0.110_624_404_418,
        -0.023_849_465_020,
        0.037_828_455_507,
    ];
    let highpass = [
        0.788_485_616_406f64,
        -0.418_092_273_222,
        -0.040_689_417_609,
        0.064_538_882_629,
    ];
    let mut body = vec![lowpass_taps, 7];
    for tap in lowpass.iter().chain(&highpass) {
        body.push(u8::from(*tap < 0.0));
        body.push(9);
        body.extend_from_slice(&((tap.abs() * 1e9).round() as u32).to_be_bytes());
    }
    body
}

/// The quantization table: bin centre 0.44, every subband with step `step` (tenths; 0 leaves
/// it uncoded) and zero bin 1.2.
fn quantization_table(step_tenths: u16) -> Vec<u8> {
    let mut body = vec![2];
    body.extend_from_slice(&44u16.to_be_bytes());
    for _ in 0..64 {
        body.push(1);
        body.extend_from_slice(&step_tenths.to_be_bytes());
        body.push(1);
        body.extend_from_slice(&12u16.to_be_bytes());
    }
    body
}

/// Huffman table 0 with three 2-bit codes: 00 = +1 (symbol 181), 01 = a run of zeros whose
/// length follows in 16 bits (106), 10 = -1 (179).
fn huffman_table() -> Vec<u8> {
    let mut body = vec![0];
    let mut counts = [0u8; 16];
    counts[1] = 3;
    body.extend_from_slice(&counts);
    body.extend_from_slice(&[181, 106, 179]);
    body
}

/// Bits to bytes, most significant first, the last byte filled with ones and every 0xFF
/// followed by a stuffed zero, as WSQ's entropy-coded data is written.
fn entropy_coded(bits: &[(u32, u32)]) -> Vec<u8> {
    let mut all: Vec<bool> = Vec::new();
    for &(value, count) in bits {
        for i in (0..count).rev() {
            all.push(value >> i & 1 == 1);
        }
    }
    while !all.len().is_multiple_of(8) {
        all.push(true);
    }
    let mut out = Vec::new();
    for byte in all.chunks(8) {
        let value = byte.iter().fold(0u8, |acc, &bit| acc << 1 | u8::from(bit));
        out.push(value);
        if value == 0xff {
            out.push(0x00);
        }
    }
    out
}

/// A whole WSQ stream of `width` × `height` pixels whose every subband is coded: the block
/// holds +1, -1, then zeros for the rest of the `width * height` coefficients.
fn wsq_stream(width: u16, height: u16, lowpass_taps: u8) -> Vec<u8> {
    let mut out = vec![0xff, 0xa0];
    segment(&mut out, 0xffa8, b"NIST_COM 3\nPIX_WIDTH 16\nPPI 500\n");
    segment(&mut out, 0xffa4, &transform_table(lowpass_taps));
    segment(&mut out, 0xffa5, &quantization_table(10));
    segment(&mut out, 0xffa6, &huffman_table());
    let mut frame = vec![0, 255];
    frame.extend_from_slice(&height.to_be_bytes());
    frame.extend_from_slice(&width.to_be_bytes());
    // Shift M = 127.5 (scale 1, 1275); scale R = 2.0 (scale 0, 2); encoder 1; software 0.
    frame.extend_from_slice(&[1, 0x04, 0xfb, 0, 0, 2, 1, 0, 0]);
    segment(&mut out, 0xffa2, &frame);
    segment(&mut out, 0xffa3, &[0]);
    let zeros = u32::from(width) * u32::from(height) - 2;
    out.extend(entropy_coded(&[(0b00, 2), (0b10, 2), (0b01, 2), (zeros, 16)]));
    out.extend_from_slice(&[0xff, 0xa1]);
    out
}

/// A stream with no coded subband (every step 0): no Huffman table and no block, a flat image.
fn wsq_flat(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0xff, 0xa0];
    segment(&mut out, 0xffa4, &transform_table(9));
    segment(&mut out, 0xffa5, &quantization_table(0));
    let mut frame = vec![0, 255];
    frame.extend_from_slice(&height.to_be_bytes());
    frame.extend_from_slice(&width.to_be_bytes());
    frame.extend_from_slice(&[0, 0, 128, 0, 0, 1, 1, 0, 0]);
    segment(&mut out, 0xffa2, &frame);
    out.extend_from_slice(&[0xff, 0xa1]);
    out
}

fn decodes(name: &str, bytes: &[u8]) -> Result<()> {
    wsq::decode(bytes)
        .map(|_| ())
        .map_err(|e| format!("the hand-built WSQ seed {name} does not decode: {e}"))
}

pub fn wsq_seeds(seeds: &mut Seeds) -> Result<()> {
    let target = "wsq";
    let small = wsq_stream(16, 16, 9);
    let odd = wsq_stream(23, 9, 9);
    let flat = wsq_flat(5, 3);
    for (name, bytes) in [("valid-16x16", &small), ("valid-23x9", &odd), ("valid-5x3-flat", &flat)] {
        decodes(name, bytes)?;
        seeds.add(target, name, bytes.clone());
    }
    let sof = find_marker(&small, 0xffa2)?;
    let sob = find_marker(&small, 0xffa3)?;
    let dtt = find_marker(&small, 0xffa4)?;
    seeds.add(target, "near-cut-in-block", &small[..small.len() - 4]);
    seeds.add(target, "near-cut-before-eoi", &small[..small.len() - 2]);
    seeds.add(target, "near-cut-in-frame-header", &small[..sof + 6]);
    seeds.add(target, "near-even-lowpass-filter", wsq_stream(16, 16, 8));
    // The height's high byte: 16 becomes 0x4010 rows, so the block runs out of coefficients.
    seeds.add(target, "near-height-changed", set(&small, sof + 6, 0x40));
    seeds.add(target, "near-width-zero", {
        let mut bytes = small.clone();
        bytes[sof + 8..sof + 10].fill(0);
        bytes
    });
    seeds.add(target, "near-huffman-table-id-9", set(&small, sob + 4, 9));
    seeds.add(target, "near-filter-sign-byte-2", set(&small, dtt + 6, 2));
    // The zero run's length byte raised past the image's end.
    seeds.add(target, "near-zero-run-too-long", set(&small, sob + 5, 0x7f));
    Ok(())
}

fn find_marker(bytes: &[u8], marker: u16) -> Result<usize> {
    bytes
        .windows(2)
        .position(|w| w == marker.to_be_bytes())
        .ok_or_else(|| format!("marker {marker:#06x} missing from a hand-built WSQ seed"))
}
