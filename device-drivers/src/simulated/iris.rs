//! Synthetic near-infrared eye images, 640 x 480 as iris cameras deliver them (ISO/IEC 19794-6
//! asks for an iris diameter of about 200 px or more; ours is about 230).
//!
//! The texture is fixed per eye ([`IrisTexture`], from the person) and drawn in the iris's own
//! polar coordinates, normalised from the pupil's edge (0) to the limbus (1), so a wider or
//! narrower pupil stretches the same texture the way the real iris stretches: radial furrows,
//! crypts, a zig-zag collarette, contraction rings, a dark limbus. Around it: the pupil with the
//! illuminator's specular highlight, the sclera, eyelids that cover part of the iris, lashes that
//! cross it, skin. Each capture ([`EyeView`]) varies gaze, pupil size, lid opening, focus and
//! grain.
//!
//! Deliberately absent: colour (near-infrared images are grey), iris segmentation, and any
//! claim that this texture would pass a real iris matcher's liveness checks.

use std::f32::consts::PI;

use image::GrayImage;
use rand::{Rng, SeedableRng};

use super::noise::{derive_seed, fractal_noise, grain_and_blur, smoothstep, to_gray_image, value_noise};
use super::settings::SimulatedQuality;

pub const EYE_WIDTH: u32 = 640;
pub const EYE_HEIGHT: u32 = 480;
/// The iris's radius in pixels at the simulated camera's distance.
const IRIS_RADIUS: f32 = 116.0;

/// One crypt: a dark lozenge in the iris, in normalised polar coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Crypt {
    angle: f32,
    radius: f32,
    half_width: f32,
    half_length: f32,
    depth: f32,
}

/// What stays the same between captures of one eye.
#[derive(Debug, Clone, PartialEq)]
pub struct IrisTexture {
    seed: u64,
    base_level: f32,
    collarette_radius: f32,
    crypts: Vec<Crypt>,
}

impl IrisTexture {
    pub fn new(seed: u64) -> IrisTexture {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let count = rng.gen_range(12..30);
        let crypts = (0..count)
            .map(|_| Crypt {
                angle: rng.gen_range(0.0..2.0 * PI),
                radius: rng.gen_range(0.3..0.8),
                half_width: rng.gen_range(0.03..0.09),
                half_length: rng.gen_range(0.04..0.12),
                depth: rng.gen_range(20.0..45.0),
            })
            .collect();
        IrisTexture {
            seed,
            base_level: rng.gen_range(95.0..130.0),
            collarette_radius: rng.gen_range(0.26..0.38),
            crypts,
        }
    }

    /// The iris's grey level at normalised radius `rho` (0 pupil edge .. 1 limbus) and `angle`.
    fn level(&self, rho: f32, angle: f32) -> f32 {
        let (cos, sin) = (angle.cos(), angle.sin());
        // Sampling the noise on circles keeps it seamless around the iris.
        let furrows = fractal_noise(self.seed, 38.0 * cos + 2.5 * rho, 38.0 * sin + 2.5 * rho, 3);
        let fibres = value_noise(
            derive_seed(self.seed, 1),
            110.0 * cos + 6.0 * rho,
            110.0 * sin - 6.0 * rho,
        );
        let wobble = value_noise(derive_seed(self.seed, 2), 5.0 * cos, 5.0 * sin);
        let collarette = self.collarette_radius + 0.05 * wobble;
        let mut level = self.base_level + 22.0 * furrows + 8.0 * fibres;
        if rho < collarette {
            // The pupillary zone: darker and finer.
            level -= 14.0 - 10.0 * fibres;
        }
        level += 26.0 * (-((rho - collarette) / 0.03).powi(2)).exp();
        // Contraction furrows: faint rings in the outer zone.
        for ring in [0.62f32, 0.78] {
            level -= 10.0 * (-((rho - ring - 0.02 * wobble) / 0.012).powi(2)).exp() * (0.6 + 0.4 * furrows);
        }
        for crypt in &self.crypts {
            let mut angular = (angle - crypt.angle).rem_euclid(2.0 * PI);
            if angular > PI {
                angular -= 2.0 * PI;
            }
            let across = angular * (0.5 + crypt.radius) / crypt.half_width;
            let along = (rho - crypt.radius) / crypt.half_length;
            let distance = across.abs() + along.abs();
            if distance < 1.0 {
                level -= crypt.depth * smoothstep(1.0, 0.4, distance);
            }
        }
        // The pupil's ruff and the limbus are dark.
        level -= 30.0 * smoothstep(0.05, 0.0, rho);
        level -= 40.0 * smoothstep(0.82, 1.0, rho);
        level
    }
}

/// How one capture sees the eye.
#[derive(Debug, Clone, PartialEq)]
pub struct EyeView {
    /// The pupil's radius as a fraction of the iris's (0.2 bright light .. 0.6 dark).
    pub pupil_ratio: f32,
    /// Where the iris centre lands, from the image centre, in pixels.
    pub gaze: (f32, f32),
    /// How open the lids are: 1 wide open, 0.4 half closed.
    pub opening: f32,
    pub blur_passes: u8,
    pub noise: f32,
    /// Scales the illumination (0.6 dim .. 1.1 bright).
    pub illumination: f32,
    pub seed: u64,
}

impl EyeView {
    pub fn typical(quality: SimulatedQuality, rng: &mut impl Rng) -> EyeView {
        let seed = rng.gen();
        let pupil_ratio = rng.gen_range(0.28..0.5);
        match quality {
            SimulatedQuality::Good => EyeView {
                pupil_ratio,
                gaze: (rng.gen_range(-15.0..15.0), rng.gen_range(-10.0..10.0)),
                opening: rng.gen_range(0.85..1.0),
                blur_passes: 0,
                noise: rng.gen_range(2.0..4.0),
                illumination: rng.gen_range(0.95..1.05),
                seed,
            },
            SimulatedQuality::Fair => EyeView {
                pupil_ratio,
                gaze: (rng.gen_range(-50.0..50.0), rng.gen_range(-30.0..30.0)),
                opening: rng.gen_range(0.65..0.8),
                blur_passes: 1,
                noise: rng.gen_range(4.0..7.0),
                illumination: rng.gen_range(0.8..0.95),
                seed,
            },
            SimulatedQuality::Poor => EyeView {
                pupil_ratio,
                gaze: (rng.gen_range(-140.0..140.0), rng.gen_range(-80.0..80.0)),
                opening: rng.gen_range(0.42..0.55),
                blur_passes: 4,
                noise: rng.gen_range(7.0..10.0),
                illumination: rng.gen_range(0.6..0.75),
                seed,
            },
        }
    }

    /// A blink, far out of focus: no quality measure passes it.
    pub fn unusable(rng: &mut impl Rng) -> EyeView {
        EyeView {
            pupil_ratio: 0.4,
            gaze: (rng.gen_range(-150.0..150.0), 90.0),
            opening: 0.15,
            blur_passes: 8,
            noise: 4.0,
            illumination: 0.5,
            seed: rng.gen(),
        }
    }
}

/// Draws one eye. `left` is the sitter's left eye (its tear duct is on the image's left, as
/// the camera faces the sitter).
pub fn render_eye(texture: &IrisTexture, view: &EyeView, left: bool) -> GrayImage {
    let (width, height) = (EYE_WIDTH as usize, EYE_HEIGHT as usize);
    let centre_x = width as f32 / 2.0 + view.gaze.0;
    let centre_y = height as f32 / 2.0 + view.gaze.1;
    // The eye's opening is fixed to the head; the iris moves inside it with the gaze.
    let (eye_x, eye_y) = (
        width as f32 / 2.0 + view.gaze.0 * 0.7,
        height as f32 / 2.0 + view.gaze.1 * 0.7,
    );
    let half_span = 250.0;
    let upper_lift = 112.0 * view.opening.clamp(0.0, 1.2);
    let lower_drop = 118.0 * view.opening.clamp(0.0, 1.2).sqrt();
    let pupil_radius = IRIS_RADIUS * view.pupil_ratio.clamp(0.15, 0.75);
    // The pupil sits a little nasal and high of the iris centre, as on real eyes.
    let nasal = if left { -1.0 } else { 1.0 };
    let (pupil_x, pupil_y) = (centre_x + 3.0 * nasal, centre_y - 2.0);
    let skin_seed = derive_seed(view.seed, 7) ^ texture.seed;
    let illumination = view.illumination.clamp(0.3, 1.3);

    let mut levels = Vec::with_capacity(width * height);
    for y in 0..height {
        let yf = y as f32;
        for x in 0..width {
            let xf = x as f32;
            let across = ((xf - eye_x) / half_span).clamp(-1.0, 1.0);
            let lid_shape = 1.0 - across * across;
            let upper_lid = eye_y - upper_lift * lid_shape;
            let lower_lid = eye_y + lower_drop * lid_shape;
            let level = if yf > upper_lid && yf < lower_lid && (xf - eye_x).abs() < half_span {
                let dx = xf - centre_x;
                let dy = yf - centre_y;
                let distance = (dx * dx + dy * dy).sqrt();
                let pupil_distance = ((xf - pupil_x).powi(2) + (yf - pupil_y).powi(2)).sqrt();
                let mut level = if pupil_distance < pupil_radius {
                    16.0
                } else if distance < IRIS_RADIUS {
                    let rho = ((pupil_distance - pupil_radius) / (IRIS_RADIUS - pupil_radius)).clamp(0.0, 1.0);
                    texture.level(rho, dy.atan2(dx))
                } else {
                    // Sclera, darker towards the corners and with a soft limbus edge.
                    185.0 - 35.0 * across.abs().powi(2) - 40.0 * smoothstep(IRIS_RADIUS + 6.0, IRIS_RADIUS, distance)
                };
                // The tear duct's caruncle in the nasal corner.
                let caruncle = ((xf - (eye_x + nasal * 215.0)) / 28.0).powi(2) + ((yf - eye_y) / 22.0).powi(2);
                if caruncle < 1.0 {
                    level = level.min(120.0 + 20.0 * caruncle);
                }
                // The upper lid shades the eye just below its edge.
                level -= 45.0 * (-(yf - upper_lid) / 10.0).exp();
                level -= 20.0 * (-(lower_lid - yf) / 6.0).exp();
                level
            } else {
                // Skin, with the lid margin and the crease above it a little darker.
                let skin = 150.0 + 18.0 * fractal_noise(skin_seed, xf / 60.0, yf / 60.0, 3);
                let crease = upper_lid - 45.0 * lid_shape.max(0.2);
                // Beyond the eye's corners there is no lid edge to shade.
                let within = smoothstep(1.0, 0.85, ((xf - eye_x) / half_span).abs());
                let lines =
                    25.0 * (-((yf - crease) / 8.0).powi(2)).exp() + 30.0 * (-((yf - upper_lid) / 4.0).powi(2)).exp();
                skin - lines * within
            };
            levels.push(level);
        }
    }
    draw_lashes(&mut levels, width, view, (eye_x, eye_y), half_span, upper_lift);
    // The illuminator's reflection: a bright spot in the pupil.
    let (spot_x, spot_y) = (pupil_x + 0.3 * pupil_radius * -nasal, pupil_y - 0.35 * pupil_radius);
    stamp_disc(&mut levels, width, (spot_x, spot_y), 7.0, 252.0);
    for level in &mut levels {
        *level *= illumination;
    }
    grain_and_blur(
        &mut levels,
        width,
        view.noise,
        view.blur_passes,
        derive_seed(view.seed, 9),
    );
    to_gray_image(&levels, EYE_WIDTH, EYE_HEIGHT)
}

/// Upper lashes: dark curved strokes from the lid's edge, hanging over the eye.
fn draw_lashes(levels: &mut [f32], width: usize, view: &EyeView, eye: (f32, f32), half_span: f32, upper_lift: f32) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(derive_seed(view.seed, 11));
    for _ in 0..80 {
        let across: f32 = rng.gen_range(-0.85..0.85);
        let start_x = eye.0 + across * half_span;
        let start_y = eye.1 - upper_lift * (1.0 - across * across);
        let length: f32 = rng.gen_range(25.0..60.0);
        // Lashes hang over the eye, fanning outwards from its middle, and flatten at their tips.
        let mut direction_x = across * 0.9 + rng.gen_range(-0.2..0.2);
        let direction_y: f32 = 1.0;
        let steps = (length / 1.5) as usize;
        let (mut x, mut y) = (start_x, start_y);
        for step in 0..steps {
            let curl = step as f32 / steps as f32;
            let norm = (direction_x * direction_x + direction_y * direction_y).sqrt();
            x += 1.5 * direction_x / norm;
            y += 1.5 * (direction_y - 0.7 * curl) / norm;
            direction_x *= 1.01;
            stamp_disc(levels, width, (x, y), 1.3 * (1.0 - 0.6 * curl), 35.0);
        }
    }
}

/// Paints a soft-edged disc of grey `level`.
fn stamp_disc(levels: &mut [f32], width: usize, centre: (f32, f32), radius: f32, level: f32) {
    let height = levels.len() / width;
    let reach = radius + 1.0;
    let (x0, x1) = (
        (centre.0 - reach).floor().max(0.0) as usize,
        (centre.0 + reach).ceil().max(0.0) as usize,
    );
    let (y0, y1) = (
        (centre.1 - reach).floor().max(0.0) as usize,
        (centre.1 + reach).ceil().max(0.0) as usize,
    );
    for y in y0..y1.min(height) {
        for x in x0..x1.min(width) {
            let distance = ((x as f32 - centre.0).powi(2) + (y as f32 - centre.1).powi(2)).sqrt();
            let cover = smoothstep(radius + 0.7, radius - 0.7, distance);
            let pixel = &mut levels[y * width + x];
            *pixel += (level - *pixel) * cover;
        }
    }
}
