//! Deterministic noise for the simulated devices: a hash of (seed, lattice point) and smooth value
//! noise built on it. Every image the simulators draw follows from a seed through these, so the
//! same person and the same capture number always give the same pixels.
//!
//! Why our own: per-pixel draws must be cheap and stateless (a texture is looked up at any point,
//! in any order), which a stream generator such as `rand`'s is not made for.
//!
//! Deliberately absent: gradient (Perlin) noise and anything cryptographic; value noise with a
//! smooth fade is enough for skin, contact patches and iris texture.

/// SplitMix64's finaliser: a bijective mix of 64 bits.
pub(crate) fn mix64(mut value: u64) -> u64 {
    value = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    value ^ (value >> 31)
}

/// A seed derived from a parent seed and a label, so that sub-generators never share streams.
pub(crate) fn derive_seed(seed: u64, label: u64) -> u64 {
    mix64(seed ^ mix64(label))
}

/// Uniform in [0, 1) at an integer lattice point.
fn lattice(seed: u64, x: i64, y: i64) -> f32 {
    let hash = mix64(seed ^ mix64((x as u64).wrapping_mul(0x1656_67B1) ^ (y as u64).rotate_left(32)));
    (hash >> 40) as f32 / (1u64 << 24) as f32
}

/// Smooth value noise in [-1, 1]: lattice values one unit apart, blended with a quintic fade.
pub(crate) fn value_noise(seed: u64, x: f32, y: f32) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (fade(x - x0), fade(y - y0));
    let (ix, iy) = (x0 as i64, y0 as i64);
    let top = lerp(lattice(seed, ix, iy), lattice(seed, ix + 1, iy), fx);
    let bottom = lerp(lattice(seed, ix, iy + 1), lattice(seed, ix + 1, iy + 1), fx);
    lerp(top, bottom, fy) * 2.0 - 1.0
}

/// Value noise summed over `octaves`, each twice as fine and half as strong; about [-1, 1].
pub(crate) fn fractal_noise(seed: u64, x: f32, y: f32, octaves: u32) -> f32 {
    let (mut sum, mut amplitude, mut frequency, mut norm) = (0.0, 1.0, 1.0, 0.0);
    for octave in 0..octaves {
        sum += amplitude * value_noise(derive_seed(seed, octave as u64), x * frequency, y * frequency);
        norm += amplitude;
        amplitude *= 0.5;
        frequency *= 2.0;
    }
    sum / norm
}

fn fade(t: f32) -> f32 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

pub(crate) fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

/// Hermite step from 0 at `edge0` to 1 at `edge1` (either order).
pub(crate) fn smoothstep(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A fast stream of pixel noise (SplitMix64), for sensor grain where order does not matter.
pub(crate) struct Grain(u64);

impl Grain {
    pub(crate) fn new(seed: u64) -> Grain {
        Grain(seed)
    }

    /// Uniform in [-1, 1).
    pub(crate) fn uniform(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let hash = mix64(self.0);
        (hash >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    /// About normal with unit standard deviation (the sum of three uniforms, rescaled).
    pub(crate) fn normal(&mut self) -> f32 {
        self.uniform() + self.uniform() + self.uniform()
    }
}

/// Adds grain of standard deviation `sigma` to every pixel and blurs `passes` times with a 3x3
/// box, in place on a row-major buffer of grey levels.
pub(crate) fn grain_and_blur(levels: &mut [f32], width: usize, sigma: f32, passes: u8, seed: u64) {
    if sigma > 0.0 {
        let mut grain = Grain::new(seed);
        for level in levels.iter_mut() {
            *level += sigma * grain.normal();
        }
    }
    for _ in 0..passes {
        box_blur_3x3(levels, width);
    }
}

/// A 3x3 box blur with clamped edges: a horizontal then a vertical pass of three taps.
pub(crate) fn box_blur_3x3(levels: &mut [f32], width: usize) {
    if width == 0 {
        return;
    }
    let height = levels.len() / width;
    let mut row_pass = vec![0.0f32; levels.len()];
    for (source, target) in levels.chunks_exact(width).zip(row_pass.chunks_exact_mut(width)) {
        for x in 0..width {
            let left = source[x.saturating_sub(1)];
            let right = source[(x + 1).min(width - 1)];
            target[x] = (left + source[x] + right) / 3.0;
        }
    }
    for y in 0..height {
        let above = y.saturating_sub(1) * width;
        let here = y * width;
        let below = (y + 1).min(height - 1) * width;
        for x in 0..width {
            levels[here + x] = (row_pass[above + x] + row_pass[here + x] + row_pass[below + x]) / 3.0;
        }
    }
}

/// Grey levels to an 8-bit image, clamped.
pub(crate) fn to_gray_image(levels: &[f32], width: u32, height: u32) -> image::GrayImage {
    let pixels = levels.iter().map(|level| level.clamp(0.0, 255.0) as u8).collect();
    image::GrayImage::from_raw(width, height, pixels).expect("the buffer holds width * height levels")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_noise_is_deterministic_bounded_and_continuous() {
        let a = value_noise(5, 3.25, 7.5);
        assert_eq!(a, value_noise(5, 3.25, 7.5));
        assert_ne!(a, value_noise(6, 3.25, 7.5));
        for i in 0..1000 {
            let (x, y) = (i as f32 * 0.37, i as f32 * 0.11);
            let here = value_noise(1, x, y);
            assert!((-1.0..=1.0).contains(&here));
            // The quintic fade has a slope of at most 15/8 per unit, times a value step of 2.
            assert!((value_noise(1, x + 0.001, y) - here).abs() < 0.01);
        }
    }

    #[test]
    fn grain_has_zero_mean_and_unit_spread() {
        let mut grain = Grain::new(9);
        let samples: Vec<f32> = (0..20_000).map(|_| grain.normal()).collect();
        let mean = samples.iter().sum::<f32>() / samples.len() as f32;
        let sd = (samples.iter().map(|s| (s - mean).powi(2)).sum::<f32>() / samples.len() as f32).sqrt();
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((0.9..1.1).contains(&sd), "sd {sd}");
    }
}
