//! Impressions: one capture of a finger's pattern on the glass, different at every capture.
//!
//! An impression places the pattern (rotation, shift, partial placement), presses it (contact
//! area and ridge width grow with pressure, a light touch leaves patches off the glass), dries
//! or wets it (broken ridges, filled valleys), and shades it like a sensor (dark ridges on a
//! light background, grain, blur). Below the fingertip lie a white first crease and, on slaps,
//! the middle phalanx, whose mostly level ridges are borrowed from the bottom band of the same
//! pattern.
//!
//! Pressing and shading are apart because a slap presses four fingers and shades one glass.
//!
//! Deliberately absent: the pattern itself (`super::finger`), secondary creases, and sensor
//! artefacts beyond grain and blur (no platen dirt, no latent prints).

use image::GrayImage;
use rand::Rng;

use super::finger::{FingerPattern, FINGER_HEIGHT, FINGER_WIDTH, PATTERN_HEIGHT, PATTERN_WIDTH};
use super::noise::{derive_seed, fractal_noise, grain_and_blur, smoothstep, to_gray_image, value_noise};
use super::settings::SimulatedQuality;

/// How one capture presents a finger: everything that differs between two captures of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Impression {
    /// Clockwise tilt of the finger on the glass.
    pub rotation_degrees: f32,
    /// Where the finger's centre lands, from the image centre, in pixels; large shifts cut off
    /// part of the finger (partial placement).
    pub shift: (f32, f32),
    /// 0 barely touching .. 1 pressed hard; 0.5 is ideal. Drives contact area and ridge width.
    pub pressure: f32,
    /// -1 dry (broken ridges) .. 0 normal .. 1 wet (filled valleys, smudges).
    pub moisture: f32,
    /// 0..1, the depth of the ridges' grey against the background.
    pub contrast: f32,
    /// Standard deviation of the sensor grain, in grey levels.
    pub noise: f32,
    /// 3x3 box blurs applied after the grain (motion, smudge, focus).
    pub blur_passes: u8,
    /// Seeds the contact patches, dryness breaks and grain.
    pub seed: u64,
}

impl Impression {
    /// A plausible impression at the given quality.
    pub fn typical(quality: SimulatedQuality, rng: &mut impl Rng) -> Impression {
        let seed = rng.gen();
        match quality {
            SimulatedQuality::Good => Impression {
                rotation_degrees: rng.gen_range(-3.0..3.0),
                shift: (rng.gen_range(-10.0..10.0), rng.gen_range(-10.0..10.0)),
                pressure: rng.gen_range(0.45..0.65),
                moisture: rng.gen_range(-0.15..0.15),
                contrast: rng.gen_range(0.85..1.0),
                noise: rng.gen_range(2.0..5.0),
                blur_passes: 0,
                seed,
            },
            SimulatedQuality::Fair => Impression {
                rotation_degrees: rng.gen_range(-8.0..8.0),
                shift: (rng.gen_range(-30.0..30.0), rng.gen_range(-30.0..30.0)),
                pressure: if rng.gen() {
                    rng.gen_range(0.25..0.4)
                } else {
                    rng.gen_range(0.7..0.85)
                },
                moisture: if rng.gen() {
                    rng.gen_range(-0.5..-0.25)
                } else {
                    rng.gen_range(0.25..0.45)
                },
                contrast: rng.gen_range(0.6..0.8),
                noise: rng.gen_range(5.0..9.0),
                blur_passes: 1,
                seed,
            },
            SimulatedQuality::Poor => Impression {
                rotation_degrees: rng.gen_range(-15.0..15.0),
                shift: (rng.gen_range(-70.0..70.0), rng.gen_range(-110.0..-60.0)),
                pressure: if rng.gen() {
                    rng.gen_range(0.1..0.2)
                } else {
                    rng.gen_range(0.9..1.0)
                },
                moisture: if rng.gen() {
                    rng.gen_range(-0.9..-0.6)
                } else {
                    rng.gen_range(0.6..0.9)
                },
                contrast: rng.gen_range(0.3..0.45),
                noise: rng.gen_range(8.0..12.0),
                blur_passes: 3,
                seed,
            },
        }
    }

    /// An impression so degraded that no quality measure passes it: a faint, smudged touch of
    /// the tip at the edge of the glass.
    pub fn unusable(rng: &mut impl Rng) -> Impression {
        Impression {
            rotation_degrees: rng.gen_range(-20.0..20.0),
            shift: (rng.gen_range(-120.0..120.0), -170.0),
            pressure: 0.05,
            moisture: 0.95,
            contrast: 0.15,
            noise: 6.0,
            blur_passes: 6,
            seed: rng.gen(),
        }
    }
}

/// How dark each pixel of an impression is (0 background .. 1 ridge in full contact), before the
/// sensor shades it; the slap scanner composes several of these on one glass.
#[derive(Debug, Clone)]
pub(crate) struct Ink {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) values: Vec<f32>,
}

/// How far below a finger image's bottom edge the middle phalanx reaches on a slap.
pub(crate) const MIDDLE_PHALANX_REACH: usize = 320;
/// Where the first crease lies below the finger's centre, in the finger's frame, and how wide.
const CREASE: f32 = 205.0;
const CREASE_WIDTH: f32 = 14.0;
/// The band of the pattern, below the centre, whose mostly level ridges the middle phalanx
/// shows (mirrored back and forth, so that the ridges stay continuous).
const PHALANX_BAND: (f32, f32) = (150.0, 275.0);

/// Presses `pattern` onto the glass as `impression` says: a `FINGER_WIDTH x FINGER_HEIGHT`
/// image, or with `middle_phalanx` one taller by [`MIDDLE_PHALANX_REACH`] (for slaps, where the
/// finger below the first crease also touches the glass).
pub(crate) fn press(pattern: &FingerPattern, impression: &Impression, middle_phalanx: bool) -> Ink {
    let width = FINGER_WIDTH as usize;
    let height = FINGER_HEIGHT as usize + if middle_phalanx { MIDDLE_PHALANX_REACH } else { 0 };
    let centre_x = width as f32 / 2.0 + impression.shift.0;
    let centre_y = FINGER_HEIGHT as f32 * 0.54 + impression.shift.1;
    let (sin, cos) = impression.rotation_degrees.to_radians().sin_cos();
    let pressure = impression.pressure.clamp(0.0, 1.0);
    let moisture = impression.moisture.clamp(-1.0, 1.0);
    let half_width = 125.0 * pattern.width_scale() * (0.85 + 0.3 * pressure);
    let half_height_tip = 200.0 * (0.88 + 0.24 * pressure);
    let phalanx_end = CREASE + MIDDLE_PHALANX_REACH as f32 - 40.0;
    // Harder pressure widens ridges (a lower threshold on the field), and so does wet skin.
    let threshold = -0.35 * moisture.max(0.0) - 0.4 * (pressure - 0.5);
    let patch_seed = derive_seed(impression.seed, 1);
    let break_seed = derive_seed(impression.seed, 2);
    let smudge_seed = derive_seed(impression.seed, 3);
    let mut values = Vec::with_capacity(width * height);
    for y in 0..height {
        let dy = y as f32 - centre_y;
        for x in 0..width {
            let dx = x as f32 - centre_x;
            // Into the finger's own frame: undo the tilt.
            let u = cos * dx + sin * dy;
            let v = -sin * dx + cos * dy;
            let (mut contact, pattern_v) = if v < CREASE {
                // The fingertip: an ellipse over the tip, straight sides down to the crease.
                let ellipse = if v < 0.0 {
                    (u / half_width).powi(2) + (v / half_height_tip).powi(2)
                } else {
                    (u / half_width).powi(2)
                };
                let crease = smoothstep(CREASE, CREASE - 25.0, v);
                (smoothstep(1.0, 0.7, ellipse) * crease, v)
            } else {
                // Below the crease the middle phalanx touches more lightly and fades out.
                let band = PHALANX_BAND.1 - PHALANX_BAND.0;
                let along = (v - CREASE - CREASE_WIDTH).max(0.0) % (2.0 * band);
                let mirrored = if along < band { along } else { 2.0 * band - along };
                let sides = (u / (0.92 * half_width)).powi(2);
                let reach = smoothstep(phalanx_end, phalanx_end - 120.0, v);
                let gap = smoothstep(CREASE + CREASE_WIDTH, CREASE + CREASE_WIDTH + 10.0, v);
                (
                    0.8 * smoothstep(1.0, 0.75, sides) * reach * gap,
                    PHALANX_BAND.0 + mirrored,
                )
            };
            if contact <= 0.0 {
                values.push(0.0);
                continue;
            }
            // A light touch leaves patches of the finger off the glass.
            let patches = fractal_noise(patch_seed, u / 45.0, v / 45.0, 2);
            contact *= 1.0 - smoothstep(0.0, 0.35, patches) * (0.6 - pressure).max(0.0) * 1.6;
            let field = pattern.ridge_at(PATTERN_WIDTH as f32 / 2.0 + u, PATTERN_HEIGHT as f32 / 2.0 + pattern_v);
            let mut ink = smoothstep(threshold - 0.5, threshold + 0.5, field);
            if moisture < 0.0 {
                // Dry skin touches the glass only in spots along each ridge.
                let breaks = smoothstep(-0.1, 0.5, value_noise(break_seed, u / 4.0, v / 4.0));
                ink *= 1.0 - breaks * -moisture;
            } else {
                // Wet skin fills valleys in blotches.
                let smudge = smoothstep(0.2, 0.7, fractal_noise(smudge_seed, u / 30.0, v / 30.0, 2));
                ink = ink.max(smudge * moisture * 0.8);
            }
            values.push((ink * contact.max(0.0)).clamp(0.0, 1.0));
        }
    }
    Ink { width, height, values }
}

/// Sensor shading: background level, ridge depth, grain and blur.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Shading {
    pub(crate) contrast: f32,
    pub(crate) noise: f32,
    pub(crate) blur_passes: u8,
    pub(crate) seed: u64,
}

impl Shading {
    pub(crate) fn of(impression: &Impression) -> Shading {
        Shading {
            contrast: impression.contrast,
            noise: impression.noise,
            blur_passes: impression.blur_passes,
            seed: derive_seed(impression.seed, 4),
        }
    }
}

/// Shades ink into 8-bit grey: dark ridges (about 30) on a light background (about 235).
pub(crate) fn shade(ink: &Ink, shading: &Shading) -> GrayImage {
    let background = 236.0;
    let depth = (background - 28.0) * shading.contrast.clamp(0.0, 1.0);
    let mut levels: Vec<f32> = ink
        .values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            // The glass is lit a little unevenly from top to bottom.
            let gradient = 6.0 * ((i / ink.width) as f32 / ink.height as f32 - 0.5);
            background + gradient - depth * value
        })
        .collect();
    grain_and_blur(&mut levels, ink.width, shading.noise, shading.blur_passes, shading.seed);
    to_gray_image(&levels, ink.width as u32, ink.height as u32)
}

/// One finger image as a single-finger scanner delivers it.
pub fn render_finger(pattern: &FingerPattern, impression: &Impression) -> GrayImage {
    shade(&press(pattern, impression, false), &Shading::of(impression))
}
