//! The simulated face camera: a product feature for training and tests, always labelled as
//! simulated. Each capture draws a schematic face with slightly different pose and lighting,
//! so that consecutive captures differ and quality varies as it would with a real sitter.

use std::io::Cursor;
use std::sync::atomic::{AtomicU64, Ordering};

use image::{GrayImage, ImageFormat, Luma};
use rand::{Rng, SeedableRng};

use crate::{quality, DeviceError, DeviceInfo, FaceCamera, FaceCapture};

const WIDTH: u32 = 240;
const HEIGHT: u32 = 300;

pub struct SimulatedFaceCamera {
    serial: String,
    captures: AtomicU64,
    seed: u64,
}

impl SimulatedFaceCamera {
    /// A camera whose captures follow from `seed` (tests pass a fixed one).
    pub fn new(serial: &str, seed: u64) -> SimulatedFaceCamera {
        SimulatedFaceCamera {
            serial: serial.to_string(),
            captures: AtomicU64::new(0),
            seed,
        }
    }
}

impl FaceCamera for SimulatedFaceCamera {
    fn info(&self) -> DeviceInfo {
        DeviceInfo {
            make: "Simulated".into(),
            model: "Face camera".into(),
            serial: self.serial.clone(),
            simulated: true,
            ..DeviceInfo::default()
        }
    }

    fn capture(&self) -> Result<FaceCapture, DeviceError> {
        let n = self.captures.fetch_add(1, Ordering::Relaxed);
        let mut rng = rand::rngs::StdRng::seed_from_u64(self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let image = draw_face(&mut rng);
        let quality = quality::face_quality(&image);
        let mut png = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .map_err(|e| DeviceError::CaptureFailed(format!("encoding the simulated frame: {e}")))?;
        Ok(FaceCapture {
            png,
            width: WIDTH,
            height: HEIGHT,
            quality,
        })
    }
}

/// A schematic face: background, head ellipse, eyes, mouth, with noise and a lighting gradient.
fn draw_face(rng: &mut impl Rng) -> GrayImage {
    let center_x = WIDTH as f32 / 2.0 + rng.gen_range(-12.0..12.0);
    let center_y = HEIGHT as f32 / 2.0 + rng.gen_range(-10.0..10.0);
    let light: f32 = rng.gen_range(0.7..1.1);
    let noise: f32 = rng.gen_range(2.0..14.0);
    let inside =
        |x: f32, y: f32, cx: f32, cy: f32, rx: f32, ry: f32| ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2) <= 1.0;
    GrayImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let mut level = 60.0 + 40.0 * (y / HEIGHT as f32); // backdrop
        if inside(x, y, center_x, center_y, 78.0, 100.0) {
            level = 190.0 - 30.0 * ((x - center_x) / 78.0); // skin, lit from one side
            let eye_y = center_y - 25.0;
            if inside(x, y, center_x - 28.0, eye_y, 12.0, 7.0) || inside(x, y, center_x + 28.0, eye_y, 12.0, 7.0) {
                level = 40.0;
            }
            if inside(x, y, center_x, center_y + 45.0, 26.0, 6.0) {
                level = 90.0;
            }
            if inside(x, y, center_x, center_y + 8.0, 6.0, 18.0) {
                level = 160.0;
            }
        }
        let grain = rng.gen_range(-noise..noise);
        Luma([(level * light + grain).clamp(0.0, 255.0) as u8])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_are_png_labelled_simulated_and_differ() {
        let camera = SimulatedFaceCamera::new("SIM-0001", 7);
        assert!(camera.info().simulated);
        let first = camera.capture().unwrap();
        let second = camera.capture().unwrap();
        assert_eq!(&first.png[..8], b"\x89PNG\r\n\x1a\n");
        assert_ne!(first.png, second.png, "consecutive captures must differ");
        let decoded = image::load_from_memory(&first.png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (WIDTH, HEIGHT));
        assert!(
            (30..=100).contains(&first.quality),
            "a drawn face has contrast: {}",
            first.quality
        );
    }
}
