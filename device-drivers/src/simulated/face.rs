//! Synthetic frontal portraits, 480 x 640 grey, laid out as ICAO 9303 asks: plain light
//! background, head upright and centred, eyes about 45 % down the frame, face from crown to chin
//! about two thirds of its height, shoulders square to the camera.
//!
//! A face is a handful of shaded shapes (hair, head, ears, neck, shoulders, eyes with iris and
//! catch-light, brows, nose, lips) whose sizes and tones are fixed per person ([`FaceTraits`]),
//! lit from one side and posed a little differently at each capture ([`FaceView`]). It is meant
//! to look plausible on the clerk's screen and to give quality scores something real to
//! measure, while staying obviously synthetic.
//!
//! Deliberately absent: colour, expressions, glasses, and any likeness to a real person.

use image::GrayImage;
use rand::{Rng, SeedableRng};

use super::noise::{derive_seed, fractal_noise, grain_and_blur, smoothstep, to_gray_image};
use super::settings::SimulatedQuality;

pub const FACE_WIDTH: u32 = 480;
pub const FACE_HEIGHT: u32 = 640;
/// The grey a face-metering camera brings a sitter's skin up to (never down: a light face is
/// already well exposed).
const METERED_SKIN_LEVEL: f32 = 150.0;

/// What stays the same between captures of one face.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceTraits {
    seed: u64,
    head_half_width: f32,
    head_half_height: f32,
    skin: f32,
    hair: f32,
    /// 0 close-cropped .. 1 full hair reaching the shoulders.
    hair_volume: f32,
    eye_spacing: f32,
    iris_level: f32,
    nose_length: f32,
    mouth_half_width: f32,
    lips: f32,
    clothing: f32,
}

impl FaceTraits {
    pub fn new(seed: u64) -> FaceTraits {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let skin = rng.gen_range(110.0..200.0);
        FaceTraits {
            seed,
            head_half_width: rng.gen_range(112.0..130.0),
            head_half_height: rng.gen_range(160.0..178.0),
            skin,
            hair: rng.gen_range(20.0..90.0),
            hair_volume: rng.gen_range(0.0..1.0),
            eye_spacing: rng.gen_range(46.0..56.0),
            // Grey levels of irises as a visible-light camera renders them: brown (most of the
            // world's people) near 30, light eyes up to 70; the darker the skin, the darker the
            // eyes (both follow melanin), so a dark-skinned sitter's eyes do not fade into the
            // face, as no real sitter's do.
            iris_level: rng.gen_range(25.0..70.0) * melanin_darkening(skin),
            nose_length: rng.gen_range(58.0..72.0),
            mouth_half_width: rng.gen_range(30.0..40.0),
            lips: skin * rng.gen_range(0.6..0.8),
            clothing: rng.gen_range(30.0..130.0),
        }
    }

    /// The same person with another skin tone: `skin` is the grey of lit skin at exposure 1
    /// ([`FaceTraits::new`] draws it from 110..200; real portraits reach below 60 for the
    /// darkest skin). The lips follow the skin, and the iris darkens with it as in
    /// [`FaceTraits::new`]; nothing else changes. For tests that score one face across skin
    /// tones.
    pub fn with_skin(&self, skin: f32) -> FaceTraits {
        FaceTraits {
            skin,
            iris_level: self.iris_level / melanin_darkening(self.skin) * melanin_darkening(skin),
            lips: self.lips / self.skin * skin,
            ..self.clone()
        }
    }
}

/// How much darker than a light-skinned sitter's a sitter's irises are, 0.5..=1: eyes and skin
/// both follow melanin.
fn melanin_darkening(skin: f32) -> f32 {
    0.5 + 0.5 * ((skin - 110.0) / 90.0).clamp(0.0, 1.0)
}

/// How one capture sees the face.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceView {
    /// Where the head's centre lands, from its ideal place, in pixels.
    pub shift: (f32, f32),
    /// Side of the key light: -1 from the image's left .. 1 from its right.
    pub light_side: f32,
    /// 0.5 dark .. 1.1 bright.
    pub exposure: f32,
    /// The camera meters on the face, as an enrollment camera set up for ICAO portraits does:
    /// a dark-skinned sitter is exposed brighter (up to 1.3 times), so that the face, not the
    /// backdrop, gets the camera's range. A camera that meters the whole frame does not.
    pub metered_on_face: bool,
    pub noise: f32,
    pub blur_passes: u8,
    /// The backdrop's grey.
    pub background: f32,
    pub seed: u64,
}

impl FaceView {
    pub fn typical(quality: SimulatedQuality, rng: &mut impl Rng) -> FaceView {
        let seed = rng.gen();
        match quality {
            // A good sitter follows the capture screen's guide oval: centred within a few
            // pixels, as a station's face threshold (MOSIP: 90) expects at the first attempt.
            SimulatedQuality::Good => FaceView {
                shift: (rng.gen_range(-4.0..4.0), rng.gen_range(-4.0..4.0)),
                light_side: rng.gen_range(-0.3..0.3),
                exposure: rng.gen_range(0.95..1.05),
                noise: rng.gen_range(2.0..4.0),
                blur_passes: 0,
                background: rng.gen_range(200.0..220.0),
                metered_on_face: true,
                seed,
            },
            SimulatedQuality::Fair => FaceView {
                shift: (rng.gen_range(-30.0..30.0), rng.gen_range(-25.0..25.0)),
                light_side: rng.gen_range(-0.7..0.7),
                exposure: rng.gen_range(0.8..0.9),
                noise: rng.gen_range(4.0..7.0),
                blur_passes: 1,
                background: rng.gen_range(170.0..200.0),
                metered_on_face: false,
                seed,
            },
            SimulatedQuality::Poor => FaceView {
                shift: (rng.gen_range(-80.0..80.0), rng.gen_range(-60.0..60.0)),
                light_side: if rng.gen() { -1.0 } else { 1.0 },
                exposure: rng.gen_range(0.5..0.6),
                noise: rng.gen_range(6.0..9.0),
                blur_passes: 4,
                background: rng.gen_range(120.0..150.0),
                metered_on_face: false,
                seed,
            },
        }
    }

    /// A dark, blurred frame with the sitter half out of it: no quality measure passes it.
    pub fn unusable(rng: &mut impl Rng) -> FaceView {
        FaceView {
            shift: (if rng.gen() { -200.0 } else { 200.0 }, 120.0),
            light_side: 1.0,
            exposure: 0.3,
            noise: 3.0,
            blur_passes: 10,
            background: 110.0,
            metered_on_face: false,
            seed: rng.gen(),
        }
    }
}

/// Inside-ness of an ellipse: below 1 inside.
fn ellipse(x: f32, y: f32, centre_x: f32, centre_y: f32, half_width: f32, half_height: f32) -> f32 {
    ((x - centre_x) / half_width).powi(2) + ((y - centre_y) / half_height).powi(2)
}

/// Coverage of an ellipse with a soft edge about a pixel wide.
fn cover(value: f32, half_size: f32) -> f32 {
    let edge = 2.0 / half_size.max(1.0);
    smoothstep(1.0 + edge, 1.0 - edge, value)
}

/// Draws one portrait.
pub fn render_face(traits: &FaceTraits, view: &FaceView) -> GrayImage {
    let (width, height) = (FACE_WIDTH as usize, FACE_HEIGHT as usize);
    let centre_x = width as f32 / 2.0 + view.shift.0;
    let centre_y = 300.0 + view.shift.1;
    let (head_w, head_h) = (traits.head_half_width, traits.head_half_height);
    let eye_y = centre_y - 0.12 * head_h;
    let mouth_y = centre_y + 0.55 * head_h;
    let nose_tip_y = eye_y + traits.nose_length;
    let shade_seed = derive_seed(traits.seed, 5);
    let hair_seed = derive_seed(traits.seed, 6);
    let light = view.light_side.clamp(-1.0, 1.0);
    let exposure = if view.metered_on_face {
        view.exposure * (METERED_SKIN_LEVEL / traits.skin).clamp(1.0, 1.3)
    } else {
        view.exposure
    };

    let mut levels = Vec::with_capacity(width * height);
    for y in 0..height {
        let yf = y as f32;
        for x in 0..width {
            let xf = x as f32;
            // A plain backdrop, a little brighter where the light falls.
            let mut level = view.background + 12.0 * light * (xf / width as f32 - 0.5) - 10.0 * (yf / height as f32);

            // The neck, then the shoulders over its base.
            let neck = ellipse(xf, yf, centre_x, centre_y + 200.0, 0.5 * head_w, 140.0);
            let neck_shade = traits.skin * (0.78 + 0.1 * light * (xf - centre_x) / head_w);
            level = blend(
                level,
                neck_shade,
                cover(neck, 60.0) * smoothstep(centre_y + 60.0, centre_y + 120.0, yf),
            );
            let shoulders = ellipse(xf, yf, centre_x, centre_y + 400.0, 235.0, 170.0);
            level = blend(
                level,
                traits.clothing + 15.0 * light * (xf - centre_x) / 230.0,
                cover(shoulders, 170.0),
            );

            // Hair behind the head, longer with more volume.
            let hair_grain = 10.0 * fractal_noise(hair_seed, xf / 6.0, yf / 30.0, 2);
            let hair_back = ellipse(
                xf,
                yf,
                centre_x,
                centre_y - 0.1 * head_h + traits.hair_volume * 60.0,
                head_w * (1.08 + 0.15 * traits.hair_volume),
                head_h * (0.95 + 0.35 * traits.hair_volume),
            );
            // Short hair stops above the ears; long hair falls to the shoulders.
            let hair_length = smoothstep(eye_y + 40.0 + 260.0 * traits.hair_volume, eye_y - 20.0, yf);
            level = blend(level, traits.hair + hair_grain, cover(hair_back, head_w) * hair_length);

            // Ears, then the head, lit from the key light's side and rounded towards its edges.
            for side in [-1.0f32, 1.0] {
                let ear = ellipse(xf, yf, centre_x + side * head_w * 0.98, eye_y + 30.0, 18.0, 38.0);
                level = blend(level, traits.skin * (0.85 + 0.1 * side * light), cover(ear, 18.0));
            }
            let head = ellipse(xf, yf, centre_x, centre_y, head_w, head_h);
            if head < 1.1 {
                let across = (xf - centre_x) / head_w;
                let roundness = (1.0 - head.min(1.0)).sqrt();
                let mut skin = traits.skin * (0.78 + 0.22 * roundness) * (1.0 + 0.16 * light * across);
                skin += 5.0 * tone(traits) * fractal_noise(shade_seed, xf / 25.0, yf / 25.0, 2);
                skin = features(skin, traits, (xf, yf), (centre_x, eye_y, nose_tip_y, mouth_y), light);
                level = blend(level, skin, cover(head, head_w));
            }

            // The hairline: hair over the top of the head, parted a little off centre.
            let fringe = ellipse(
                xf,
                yf,
                centre_x + 10.0,
                centre_y - 0.62 * head_h,
                head_w * 1.02,
                0.52 * head_h,
            );
            let hairline = yf < centre_y - 0.55 * head_h + 25.0 * ((xf - centre_x) / head_w).powi(2);
            if hairline {
                level = blend(level, traits.hair + hair_grain, cover(fringe, head_w));
            }
            levels.push(level * exposure.clamp(0.2, 1.7));
        }
    }
    grain_and_blur(
        &mut levels,
        width,
        view.noise,
        view.blur_passes,
        derive_seed(view.seed, 3),
    );
    to_gray_image(&levels, FACE_WIDTH, FACE_HEIGHT)
}

/// Shadows and highlights on skin scale with it, as light reflected by skin does: a socket's
/// shadow takes the same share of a dark skin's grey as of a light one's. Relative to the skin
/// the camera meters for, which they were drawn on.
fn tone(traits: &FaceTraits) -> f32 {
    traits.skin / METERED_SKIN_LEVEL
}

fn blend(under: f32, over: f32, coverage: f32) -> f32 {
    under + (over - under) * coverage
}

/// Eyes, brows, nose and mouth over the skin's grey at one point.
fn features(
    skin: f32,
    traits: &FaceTraits,
    (x, y): (f32, f32),
    (centre_x, eye_y, nose_tip_y, mouth_y): (f32, f32, f32, f32),
    light: f32,
) -> f32 {
    let mut level = skin;
    let tone = tone(traits);
    for side in [-1.0f32, 1.0] {
        let eye_x = centre_x + side * traits.eye_spacing;
        // The eye socket's soft shadow, then the eye itself.
        let socket = ellipse(x, y, eye_x, eye_y - 4.0, 38.0, 22.0);
        level -= 36.0 * tone * smoothstep(1.0, 0.2, socket);
        let eye = ellipse(x, y, eye_x, eye_y, 25.0, 10.0);
        if eye < 1.2 {
            let iris = ellipse(x, y, eye_x, eye_y, 10.5, 10.5);
            let pupil = ellipse(x, y, eye_x, eye_y, 4.0, 4.0);
            // The station's light faces the sitter, so its catchlight sits just above the
            // pupil in both eyes (a mirror-image pair, as the quality measure expects).
            let catchlight = ellipse(x, y, eye_x, eye_y - 4.0, 2.0, 2.0);
            // The white of the eye is never white in a portrait: the lids and the socket shade
            // it towards the skin, so a dark face does not get glowing eyes.
            let sclera = blend(skin, 215.0, 0.3);
            let mut eye_level = blend(sclera, traits.iris_level, cover(iris, 10.5));
            eye_level = blend(eye_level, 15.0, cover(pupil, 4.0));
            eye_level = blend(eye_level, 245.0, cover(catchlight, 2.0));
            // The upper lid's line.
            eye_level -= 90.0 * (-((y - (eye_y - 10.0 + 0.012 * (x - eye_x).powi(2))) / 1.8).powi(2)).exp();
            level = blend(level, eye_level, cover(eye, 10.0));
        }
        // A brow: an arc above the eye, thicker towards the nose.
        let brow_centre = eye_y - 28.0 + 0.008 * (x - eye_x).powi(2);
        let thickness = 5.0 + 2.5 * (1.0 - side * (x - eye_x) / 35.0).clamp(0.0, 2.0);
        if (x - eye_x).abs() < 36.0 {
            let brow = smoothstep(thickness, thickness - 2.0, (y - brow_centre).abs());
            // Brows are sparse hair over skin, never as dark as the hair on the head: a brow
            // as dark as black hair would outweigh the eye below it.
            level = blend(level, traits.hair + 10.0, brow * 0.6);
        }
    }
    // The nose: a shadowed side away from the light, a highlit tip, two nostrils.
    let shadow_side = if light >= 0.0 { -1.0 } else { 1.0 };
    if y > eye_y + 10.0 && y < nose_tip_y + 5.0 {
        let ridge_x = centre_x + shadow_side * 11.0;
        level -= 22.0 * tone * (-((x - ridge_x) / 4.0).powi(2)).exp() * smoothstep(eye_y + 10.0, nose_tip_y - 10.0, y);
    }
    let tip = ellipse(x, y, centre_x, nose_tip_y - 4.0, 16.0, 11.0);
    level += 14.0 * tone * smoothstep(1.0, 0.0, tip);
    for side in [-1.0f32, 1.0] {
        let nostril = ellipse(x, y, centre_x + side * 10.0, nose_tip_y + 6.0, 6.5, 3.5);
        level = blend(level, skin * 0.4, cover(nostril, 3.5) * 0.9);
    }
    // The mouth: darker upper lip, lighter lower lip, the line between them.
    let upper = ellipse(x, y, centre_x, mouth_y - 4.0, traits.mouth_half_width, 6.0);
    let lower = ellipse(x, y, centre_x, mouth_y + 6.0, traits.mouth_half_width * 0.85, 8.0);
    level = blend(level, traits.lips * 0.9, cover(upper, 6.0));
    level = blend(level, traits.lips * 1.05, cover(lower, 8.0));
    if (x - centre_x).abs() < traits.mouth_half_width {
        level -= 50.0 * tone * (-((y - mouth_y) / 1.5).powi(2)).exp();
    }
    // The shadow under the lower lip and along the jaw.
    level -= 12.0 * tone * smoothstep(1.0, 0.0, ellipse(x, y, centre_x, mouth_y + 26.0, 22.0, 6.0));
    level
}
