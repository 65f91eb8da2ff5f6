//! Synthetic slap images for the segmentation tests and benchmark: fingers (a ridged fingertip
//! ellipse above a narrower ridged middle phalanx, a crease between them) at known places and
//! angles on a noisy glass, drawn here so that the truth is known exactly.
//!
//! Deliberately absent: any claim to look like a real slap beyond what segmentation reads
//! (ridge texture, finger shapes, noise); no minutiae, no pressure or moisture.

// The tests and the benchmark each use part of this module.
#![allow(dead_code)]

use image::GrayImage;

pub const PPI: u16 = 500;
pub const PX_PER_MM: f32 = PPI as f32 / 25.4;
/// The slap scanner's frame at 500 ppi: 3.2 × 3.0 inches.
pub const SLAP_WIDTH: u32 = 1600;
pub const SLAP_HEIGHT: u32 = 1500;
/// One synthetic finger: its fingertip ellipse (centre, lean from upright, clockwise positive)
/// and, below it along its axis beyond a 1.5 mm crease, its middle phalanx.
#[derive(Debug, Clone, Copy)]
pub struct SyntheticFinger {
    pub tip_centre: (f32, f32),
    pub angle_degrees: f32,
    pub half_width_mm: f32,
    pub half_length_mm: f32,
    /// The ridge-free band between tip and middle phalanx, mm; negative when they overlap.
    pub crease_mm: f32,
}

impl SyntheticFinger {
    pub fn finger(x: f32, y: f32) -> SyntheticFinger {
        SyntheticFinger {
            tip_centre: (x, y),
            angle_degrees: 0.0,
            half_width_mm: 7.0,
            half_length_mm: 11.0,
            crease_mm: 1.5,
        }
    }

    pub fn thumb(x: f32, y: f32, angle_degrees: f32) -> SyntheticFinger {
        SyntheticFinger {
            tip_centre: (x, y),
            angle_degrees,
            half_width_mm: 9.0,
            half_length_mm: 13.0,
            crease_mm: 1.5,
        }
    }

    pub fn leaning(self, angle_degrees: f32) -> SyntheticFinger {
        SyntheticFinger { angle_degrees, ..self }
    }

    pub fn up(&self) -> (f32, f32) {
        let a = self.angle_degrees.to_radians();
        (a.sin(), -a.cos())
    }
}

/// A small deterministic generator for the noise (xorshift64*), so that every run draws the
/// same image.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        bits as f32 / (1u64 << 24) as f32
    }

    /// Uniform in -17..17: a deviation of about 10 grey levels, a noisy sensor.
    fn grey(&mut self) -> f32 {
        (self.next() - 0.5) * 34.0
    }
}

/// Grey levels being drawn, row-major.
struct Canvas {
    pixels: Vec<f32>,
    width: usize,
    height: usize,
}

impl Canvas {
    /// Draws ridges (rings of period `period` px around a core, as in a whorl) into the ellipse
    /// with centre `centre`, half-axes `half_across`/`half_along` (pixels), long axis along `up`.
    fn ridged_ellipse(&mut self, centre: (f32, f32), up: (f32, f32), half_across: f32, half_along: f32, period: f32) {
        let across = (-up.1, up.0);
        let reach = half_across.max(half_along).ceil() as i64 + 1;
        let core = (centre.0 + up.0 * half_along * 0.2, centre.1 + up.1 * half_along * 0.2);
        for y in (centre.1 as i64 - reach).max(0)..(centre.1 as i64 + reach).min(self.height as i64) {
            for x in (centre.0 as i64 - reach).max(0)..(centre.0 as i64 + reach).min(self.width as i64) {
                let (dx, dy) = (x as f32 + 0.5 - centre.0, y as f32 + 0.5 - centre.1);
                let a = dx * across.0 + dy * across.1;
                let b = dx * up.0 + dy * up.1;
                if (a / half_across).powi(2) + (b / half_along).powi(2) > 1.0 {
                    continue;
                }
                let r = ((x as f32 - core.0).powi(2) + (y as f32 - core.1).powi(2)).sqrt();
                self.pixels[y as usize * self.width + x as usize] =
                    130.0 + 80.0 * (2.0 * std::f32::consts::PI * r / period).cos();
            }
        }
    }
}

/// A synthetic slap at 500 ppi: glass at grey 225 with noise everywhere, each finger's tip and
/// middle phalanx (narrower, as it presses less) drawn with ridges of period 9.5 px.
pub fn synthetic_slap(fingers: &[SyntheticFinger], seed: u64) -> GrayImage {
    synthetic_slap_with_palm(fingers, None, seed)
}

/// The upper palm as a ridged ellipse: centre, half-width and half-height in pixels.
pub type Palm = ((f32, f32), f32, f32);

pub fn synthetic_slap_with_palm(fingers: &[SyntheticFinger], palm: Option<Palm>, seed: u64) -> GrayImage {
    synthetic_slap_scaled(fingers, palm, seed, 1)
}

/// The same slap at `scale` × 500 ppi: every length (image, places, fingers, ridge period)
/// multiplied by `scale`; the sensor noise per pixel stays the same.
pub fn synthetic_slap_scaled(fingers: &[SyntheticFinger], palm: Option<Palm>, seed: u64, scale: u32) -> GrayImage {
    let k = scale as f32;
    let (width, height) = (SLAP_WIDTH * scale, SLAP_HEIGHT * scale);
    let mut canvas = Canvas {
        pixels: vec![225.0f32; (width * height) as usize],
        width: width as usize,
        height: height as usize,
    };
    let period = 9.5 * k;
    if let Some((centre, half_width, half_height)) = palm {
        canvas.ridged_ellipse(
            (centre.0 * k, centre.1 * k),
            (0.0, -1.0),
            half_width * k,
            half_height * k,
            period,
        );
    }
    let px_per_mm = PX_PER_MM * k;
    for finger in fingers {
        let up = finger.up();
        let tip_centre = (finger.tip_centre.0 * k, finger.tip_centre.1 * k);
        let (half_width, half_length) = (finger.half_width_mm * px_per_mm, finger.half_length_mm * px_per_mm);
        let lower_half_length = 10.0 * px_per_mm;
        let offset = half_length + finger.crease_mm * px_per_mm + lower_half_length;
        let lower_centre = (tip_centre.0 - up.0 * offset, tip_centre.1 - up.1 * offset);
        canvas.ridged_ellipse(tip_centre, up, half_width, half_length, period);
        canvas.ridged_ellipse(lower_centre, up, half_width * 0.85, lower_half_length, period);
    }
    let mut noise = Noise(seed | 1);
    GrayImage::from_fn(width, height, |x, y| {
        let value = canvas.pixels[(y * width + x) as usize] + noise.grey();
        image::Luma([value.round().clamp(0.0, 255.0) as u8])
    })
}

/// Four upright fingers as a hand lays them: the middle finger highest, the little finger
/// lowest, centres 300 px (15 mm) apart.
pub fn four_fingers() -> [SyntheticFinger; 4] {
    [
        SyntheticFinger::finger(350.0, 420.0),
        SyntheticFinger::finger(650.0, 360.0),
        SyntheticFinger::finger(950.0, 400.0),
        SyntheticFinger::finger(1250.0, 540.0),
    ]
}
