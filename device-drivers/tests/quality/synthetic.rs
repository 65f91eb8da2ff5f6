//! Synthetic test images, drawn here so that tests know exactly what is in them: a fingerprint
//! (a whorl of ridges on an elliptic finger), a near-infrared eye (pupil with a reflection,
//! textured iris with radial furrows, crypts and a collarette, sclera, eyelids and lashes) and a
//! frontal face. They are not real biometric samples and say nothing of real sensors; the real
//! fingerprints come from the shared fixtures.

use image::{GrayImage, Luma};
use rand::{rngs::StdRng, Rng, SeedableRng};

/// Where the synthetic finger is: an ellipse centred at `center` with semi-axes `radii`.
pub struct SyntheticFinger {
    pub image: GrayImage,
    pub center: (f32, f32),
    pub radii: (f32, f32),
}

/// A whorl fingerprint at 500 ppi: ridge period 9 pixels (0.46 mm), dark ridges on a light
/// background, with pressure varying across the finger and sensor noise.
pub fn finger(width: u32, height: u32, seed: u64) -> SyntheticFinger {
    let mut rng = StdRng::seed_from_u64(seed);
    let center = (width as f32 * 0.5, height as f32 * 0.53);
    let radii = (width as f32 * 0.3, height as f32 * 0.38);
    let core = (
        center.0 + rng.gen_range(-20.0..20.0),
        center.1 + rng.gen_range(-30.0..0.0),
    );
    let period = 9.0;
    let image = GrayImage::from_fn(width, height, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let inside = ((x - center.0) / radii.0).powi(2) + ((y - center.1) / radii.1).powi(2);
        // A soft finger edge, 0 outside to 1 inside over about 12 pixels.
        let mask = ((1.0 - inside.sqrt()) * radii.0 / 12.0).clamp(0.0, 1.0);
        let (dx, dy) = (x - core.0, (y - core.1) / 1.25);
        let distance = (dx * dx + dy * dy).sqrt() + 4.0 * (x / 37.0).sin() + 3.0 * (y / 53.0).cos();
        let ridge = (distance / period * std::f32::consts::TAU).cos();
        // Ridges a little flattened at top and bottom, as pressed ridges are.
        let shaped = (1.6 * ridge).tanh() / 1.6f32.tanh();
        let pressure = 0.75 + 0.25 * (x / width as f32 * 3.0).sin().abs();
        let finger_level = 130.0 - 90.0 * pressure * shaped;
        let background = 235.0;
        let level = background + mask * (finger_level - background) + rng.gen_range(-10.0..10.0);
        Luma([level.clamp(0.0, 255.0) as u8])
    });
    SyntheticFinger { image, center, radii }
}

/// Where the synthetic eye's pupil and iris are drawn.
pub struct SyntheticEye {
    pub image: GrayImage,
    pub pupil: (f32, f32, f32),
    pub iris: (f32, f32, f32),
}

/// A 640×480 near-infrared eye as an iris camera frames it.
pub fn eye(seed: u64) -> SyntheticEye {
    let mut rng = StdRng::seed_from_u64(seed);
    let pupil = (320.0 + rng.gen_range(-8.0..8.0), 240.0 + rng.gen_range(-6.0..6.0), 42.0);
    let iris = (pupil.0 + 3.0, pupil.1 - 2.0, 118.0);
    let crypts: Vec<(f32, f32, f32, f32)> = (0..30)
        .map(|_| {
            let r = rng.gen_range(pupil.2 + 12.0..iris.2 - 12.0);
            let a: f32 = rng.gen_range(0.0..std::f32::consts::TAU);
            (iris.0 + r * a.cos(), iris.1 + r * a.sin(), rng.gen_range(3.0..8.0), a)
        })
        .collect();
    let furrow_phase: f32 = rng.gen_range(0.0..6.0);
    let highlight = (pupil.0 + 12.0, pupil.1 - 10.0);
    let image = GrayImage::from_fn(640, 480, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let mut level;
        let (px, py) = (x - pupil.0, y - pupil.1);
        let (ix, iy) = (x - iris.0, y - iris.1);
        let r_iris = (ix * ix + iy * iy).sqrt();
        if (px * px + py * py).sqrt() <= pupil.2 {
            level = 22.0;
            if (x - highlight.0).hypot(y - highlight.1) < 6.0 {
                level = 250.0;
            }
        } else if r_iris <= iris.2 {
            let angle = iy.atan2(ix);
            let t = (r_iris - pupil.2) / (iris.2 - pupil.2);
            level = 105.0;
            // Radial furrows that wander a little with the radius.
            level += 16.0 * (28.0 * angle + furrow_phase + 2.5 * (r_iris / 11.0).sin()).cos();
            level += 8.0 * (71.0 * angle + 0.4 * r_iris).sin();
            // The collarette, a brighter ring at about a third of the way out.
            level += 14.0 * (-((t - 0.3) / 0.06).powi(2)).exp();
            // The limbus darkens toward the sclera.
            level -= 20.0 * ((t - 0.85) / 0.15).clamp(0.0, 1.0);
            for &(cx, cy, size, a) in &crypts {
                let (dx, dy) = (x - cx, y - cy);
                let along = dx * a.cos() + dy * a.sin();
                let across = -dx * a.sin() + dy * a.cos();
                if (along / (size * 1.8)).powi(2) + (across / size).powi(2) < 1.0 {
                    level -= 35.0;
                }
            }
        } else {
            level = 200.0 - 10.0 * ((r_iris - iris.2) / 150.0).clamp(0.0, 1.0);
        }
        // Eyelids: skin outside the opening between two curves.
        let dx = x - 320.0;
        let upper = 240.0 - 112.0 + 0.0022 * dx * dx;
        let lower = 240.0 + 128.0 - 0.0016 * dx * dx;
        if y < upper || y > lower {
            // Skin, with soft folds.
            level = 150.0 + 20.0 * ((y - upper).abs() / 80.0).min(1.0) + 8.0 * (x / 23.0 + y / 41.0).sin();
        }
        // Lashes: thin dark strokes hanging from the upper lid.
        if y < upper + 16.0 && y >= upper - 4.0 && ((dx + 0.3 * (y - upper)) / 7.0).sin() > 0.96 {
            level = 40.0;
        }
        // The illuminator lights the centre more than the corners.
        let falloff = 1.0 - 0.25 * ((x - 320.0).powi(2) + (y - 240.0).powi(2)) / (400.0f32 * 400.0);
        level = level * falloff + rng.gen_range(-6.0..6.0);
        Luma([level.clamp(0.0, 255.0) as u8])
    });
    SyntheticEye { image, pupil, iris }
}

/// Where the synthetic face's eyes and outline are drawn.
pub struct SyntheticFace {
    pub image: GrayImage,
    pub left_eye: (f32, f32),
    pub right_eye: (f32, f32),
    /// Top and bottom of the face ellipse (crown to chin).
    pub face_y: (f32, f32),
}

/// A 300×400 frontal portrait on a light grey backdrop, lit evenly, eyes 80 pixels apart.
pub fn face(seed: u64) -> SyntheticFace {
    let mut rng = StdRng::seed_from_u64(seed);
    let (cx, cy) = (150.0f32, 205.0f32);
    let (ax, ay) = (92.0f32, 125.0f32);
    let left_eye = (cx - 40.0, cy - 30.0);
    let right_eye = (cx + 40.0, cy - 30.0);
    let ellipse =
        |x: f32, y: f32, ex: f32, ey: f32, rx: f32, ry: f32| ((x - ex) / rx).powi(2) + ((y - ey) / ry).powi(2);
    let image = GrayImage::from_fn(300, 400, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let mut level = 200.0; // backdrop
        if y > cy + 110.0 && (x - cx).abs() < 40.0 + (y - cy - 110.0) * 1.6 {
            level = 120.0; // neck and shoulders, in a dark shirt below the chin
        }
        let head = ellipse(x, y, cx, cy, ax, ay);
        if head <= 1.0 {
            // Skin, a little darker toward the edges as a rounded face is.
            level = 175.0 - 25.0 * head * head;
            for eye in [left_eye, right_eye] {
                // Eyebrow.
                if ellipse(x, y, eye.0, eye.1 - 20.0, 20.0, 3.5) <= 1.0 {
                    level = 95.0;
                }
                let almond = ellipse(x, y, eye.0, eye.1, 17.0, 8.0);
                if almond <= 1.0 {
                    level = 215.0;
                    let r = (x - eye.0).hypot(y - eye.1);
                    if r <= 8.0 {
                        level = 60.0;
                    }
                    if r <= 3.5 {
                        level = 20.0;
                    }
                }
                // The upper lid and lashes, a dark arc over the eye.
                if (1.0..=1.5).contains(&almond) && y < eye.1 {
                    level = 45.0;
                }
            }
            // Nose: a shadow on each side of the bridge and the nostrils.
            if (x - cx).abs() < 12.0 && (x - cx).abs() > 6.0 && y > cy - 20.0 && y < cy + 20.0 {
                level -= 20.0;
            }
            if ellipse(x, y, cx - 8.0, cy + 25.0, 4.0, 2.5) <= 1.0
                || ellipse(x, y, cx + 8.0, cy + 25.0, 4.0, 2.5) <= 1.0
            {
                level = 70.0;
            }
            // Mouth.
            if ellipse(x, y, cx, cy + 58.0, 26.0, 6.0) <= 1.0 {
                level = 115.0;
            }
            if ellipse(x, y, cx, cy + 58.0, 24.0, 1.2) <= 1.0 {
                level = 60.0;
            }
        }
        // Hair over the top of the head.
        if ellipse(x, y, cx, cy - 20.0, ax + 8.0, ay + 12.0) <= 1.0 && y < cy - 78.0 {
            level = 45.0;
        }
        level += rng.gen_range(-4.0..4.0);
        Luma([level.clamp(0.0, 255.0) as u8])
    });
    SyntheticFace {
        image,
        left_eye,
        right_eye,
        face_y: (cy - ay, cy + ay),
    }
}

/// Uniform noise over all grey levels.
pub fn noise(width: u32, height: u32, seed: u64) -> GrayImage {
    let mut rng = StdRng::seed_from_u64(seed);
    GrayImage::from_fn(width, height, |_, _| Luma([rng.gen()]))
}
