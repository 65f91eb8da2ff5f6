//! Measures the tests take of simulated images: ridge period by Fourier analysis, minutiae on
//! a thinned binary image, and normalised cross-correlation under small shifts. Written for
//! clarity over speed; they run on crops.

use std::f32::consts::PI;

use image::GrayImage;

/// A square crop of `size` with its top-left corner at (x, y), as floats.
pub fn crop(image: &GrayImage, x: u32, y: u32, size: u32) -> Vec<f32> {
    let mut values = Vec::with_capacity((size * size) as usize);
    for row in y..y + size {
        for column in x..x + size {
            values.push(image.get_pixel(column, row)[0] as f32);
        }
    }
    values
}

/// The dominant period in pixels of a square block: the peak of its 2-D discrete Fourier
/// spectrum (mean removed, Hann window), from the peak's distance to the origin.
pub fn dominant_period(block: &[f32], size: usize) -> f32 {
    assert_eq!(block.len(), size * size);
    let mean = block.iter().sum::<f32>() / block.len() as f32;
    let hann = |i: usize| 0.5 - 0.5 * (2.0 * PI * i as f32 / (size - 1) as f32).cos();
    let windowed: Vec<f32> = (0..size * size)
        .map(|i| (block[i] - mean) * hann(i % size) * hann(i / size))
        .collect();
    // Rows first, then columns: a separable DFT.
    let mut rows = vec![(0.0f32, 0.0f32); size * size];
    for y in 0..size {
        for u in 0..size {
            let (mut re, mut im) = (0.0, 0.0);
            for x in 0..size {
                let angle = -2.0 * PI * (u * x) as f32 / size as f32;
                re += windowed[y * size + x] * angle.cos();
                im += windowed[y * size + x] * angle.sin();
            }
            rows[y * size + u] = (re, im);
        }
    }
    let (mut best, mut best_radius) = (0.0f32, 0.0f32);
    for v in 0..size {
        for u in 0..size / 2 + 1 {
            let (mut re, mut im) = (0.0, 0.0);
            for y in 0..size {
                let angle = -2.0 * PI * (v * y) as f32 / size as f32;
                let (a, b) = rows[y * size + u];
                re += a * angle.cos() - b * angle.sin();
                im += a * angle.sin() + b * angle.cos();
            }
            let signed_v = if v > size / 2 { v as f32 - size as f32 } else { v as f32 };
            let radius = (u as f32 * u as f32 + signed_v * signed_v).sqrt();
            let power = re * re + im * im;
            // Below two cycles per block is shading, not ridges.
            if radius >= 2.0 && power > best {
                best = power;
                best_radius = radius;
            }
        }
    }
    size as f32 / best_radius
}

/// Ridge endings and bifurcations on a square crop: binarised against the mean of each 16 x 16
/// block (dark = ridge), thinned (Zhang-Suen), then counted by crossing number, skipping a
/// border where the crop cuts ridges.
pub fn minutiae(block: &[f32], size: usize) -> (usize, usize) {
    let mut ridge = vec![false; size * size];
    for by in (0..size).step_by(16) {
        for bx in (0..size).step_by(16) {
            let cells: Vec<usize> = (by..(by + 16).min(size))
                .flat_map(|y| (bx..(bx + 16).min(size)).map(move |x| y * size + x))
                .collect();
            let mean = cells.iter().map(|&i| block[i]).sum::<f32>() / cells.len() as f32;
            for &i in &cells {
                ridge[i] = block[i] < mean;
            }
        }
    }
    thin(&mut ridge, size);
    let (mut endings, mut bifurcations) = (0, 0);
    let border = 12;
    for y in border..size - border {
        for x in border..size - border {
            if !ridge[y * size + x] {
                continue;
            }
            let ring = neighbours(&ridge, size, x, y);
            let crossings = (0..8).filter(|&i| ring[i] != ring[(i + 1) % 8]).count() / 2;
            match crossings {
                1 => endings += 1,
                3 => bifurcations += 1,
                _ => {}
            }
        }
    }
    (endings, bifurcations)
}

/// The 8 neighbours clockwise from north: P2..P9 in Zhang-Suen's naming.
fn neighbours(image: &[bool], size: usize, x: usize, y: usize) -> [bool; 8] {
    let at = |dx: isize, dy: isize| image[(y as isize + dy) as usize * size + (x as isize + dx) as usize];
    [
        at(0, -1),
        at(1, -1),
        at(1, 0),
        at(1, 1),
        at(0, 1),
        at(-1, 1),
        at(-1, 0),
        at(-1, -1),
    ]
}

/// Zhang-Suen thinning to one-pixel-wide skeletons.
fn thin(image: &mut [bool], size: usize) {
    loop {
        let mut changed = false;
        for step in 0..2 {
            let mut remove = Vec::new();
            for y in 1..size - 1 {
                for x in 1..size - 1 {
                    if !image[y * size + x] {
                        continue;
                    }
                    let p = neighbours(image, size, x, y);
                    let count = p.iter().filter(|&&v| v).count();
                    let transitions = (0..8).filter(|&i| !p[i] && p[(i + 1) % 8]).count();
                    let (a, b) = if step == 0 {
                        (p[0] && p[2] && p[4], p[2] && p[4] && p[6])
                    } else {
                        (p[0] && p[2] && p[6], p[0] && p[4] && p[6])
                    };
                    if (2..=6).contains(&count) && transitions == 1 && !a && !b {
                        remove.push(y * size + x);
                    }
                }
            }
            changed |= !remove.is_empty();
            for i in remove {
                image[i] = false;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The best normalised cross-correlation of `template` (a square of `size` cut from one image
/// at (x, y)) against `other` at the same place shifted by up to `reach` pixels either way.
pub fn best_correlation(template: &[f32], size: u32, other: &GrayImage, x: u32, y: u32, reach: i32) -> f32 {
    let normalise = |values: &[f32]| {
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        let norm = values.iter().map(|v| (v - mean).powi(2)).sum::<f32>().sqrt().max(1e-6);
        values.iter().map(|v| (v - mean) / norm).collect::<Vec<f32>>()
    };
    let template = normalise(template);
    let mut best = f32::MIN;
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let candidate = normalise(&crop(other, (x as i32 + dx) as u32, (y as i32 + dy) as u32, size));
            let score: f32 = template.iter().zip(&candidate).map(|(a, b)| a * b).sum();
            best = best.max(score);
        }
    }
    best
}
