//! The block grid of a slap image: which blocks hold ridges (foreground), cleaned up, labelled
//! into connected regions, with each block's distance to the background.
//!
//! Why blocks: ridges are what tells a finger from the glass, and ridges show as variance over
//! a ridge period or more. Working on blocks of 8 px at 500 ppi (0.4 mm) makes every later
//! step (morphology, labelling, splitting) cost tens of thousands of cells instead of millions
//! of pixels.
//!
//! Deliberately absent: anything about fingers (shapes, axes, positions: `fingers`), and any
//! pixel-accurate boundary; the grid is as coarse as a block.

use image::GrayImage;

/// Grey levels of standard deviation (on the 2×2-averaged image) below which a block is glass,
/// whatever the rest of the image looks like. Sensor noise stays under it once averaged; the
/// faintest readable ridges stay above it.
const MIN_RIDGE_DEVIATION: f32 = 14.0;

/// The image averaged over 2×2 pixels: white sensor noise drops by half in deviation, ridges
/// (period about 10 px at 500 ppi) keep nearly all of theirs.
pub struct HalfImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl HalfImage {
    pub fn new(image: &GrayImage) -> HalfImage {
        let (full_width, full_height) = (image.width() as usize, image.height() as usize);
        let (width, height) = (full_width / 2, full_height / 2);
        let raw = image.as_raw();
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            let top = &raw[2 * y * full_width..][..full_width];
            let bottom = &raw[(2 * y + 1) * full_width..][..full_width];
            for x in 0..width {
                let sum = top[2 * x] as u16 + top[2 * x + 1] as u16 + bottom[2 * x] as u16 + bottom[2 * x + 1] as u16;
                pixels.push(((sum + 2) / 4) as u8);
            }
        }
        HalfImage { width, height, pixels }
    }

    /// The grey level at half-image coordinates, bilinear; `None` outside the image.
    pub fn sample(&self, x: f32, y: f32) -> Option<f32> {
        bilinear(&self.pixels, self.width, self.height, x, y)
    }
}

/// Bilinear sample of a row-major 8-bit image at pixel-centre coordinates; `None` outside.
fn bilinear(pixels: &[u8], width: usize, height: usize, x: f32, y: f32) -> Option<f32> {
    // Also false for NaN. For non-negative values truncation is the floor.
    if !(x >= 0.0 && y >= 0.0) {
        return None;
    }
    let (x0, y0) = (x as usize, y as usize);
    if x0 >= width || y0 >= height {
        return None;
    }
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let (row0, row1) = (&pixels[y0 * width..][..width], &pixels[y1 * width..][..width]);
    let top = row0[x0] as f32 + (row0[x1] as f32 - row0[x0] as f32) * fx;
    let bottom = row1[x0] as f32 + (row1[x1] as f32 - row1[x0] as f32) * fx;
    Some(top + (bottom - top) * fy)
}

/// A grid of square blocks over the image, `size` pixels on a side (the last row and column
/// may be cut short by the image's edge).
#[derive(Debug, Clone)]
pub struct BlockGrid {
    pub columns: usize,
    pub rows: usize,
    /// Side of a block in full-image pixels (even).
    pub size: usize,
    pub cells: Vec<bool>,
}

impl BlockGrid {
    pub fn index(&self, column: usize, row: usize) -> usize {
        row * self.columns + column
    }

    /// Column and row of a cell index.
    pub fn place(&self, index: usize) -> (usize, usize) {
        (index % self.columns, index / self.columns)
    }

    /// The centre of a block in full-image pixel coordinates.
    pub fn centre(&self, index: usize) -> (f32, f32) {
        let (column, row) = self.place(index);
        let size = self.size as f32;
        ((column as f32 + 0.5) * size, (row as f32 + 0.5) * size)
    }

    /// The up to 8 neighbours of a cell inside the grid.
    pub fn neighbours(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        let (column, row) = self.place(index);
        (-1i64..=1)
            .flat_map(move |dy| (-1i64..=1).map(move |dx| (dx, dy)))
            .filter(|&(dx, dy)| dx != 0 || dy != 0)
            .filter_map(move |(dx, dy)| {
                let c = column as i64 + dx;
                let r = row as i64 + dy;
                (c >= 0 && r >= 0 && (c as usize) < self.columns && (r as usize) < self.rows)
                    .then(|| self.index(c as usize, r as usize))
            })
    }
}

/// The foreground blocks: those whose grey-level deviation (on the 2×2-averaged image) is above
/// both [`MIN_RIDGE_DEVIATION`] and Otsu's threshold over all blocks, so that a light print on
/// a noisy sensor and a dark print on a clean one are both split where their histogram splits.
pub fn foreground(half: &HalfImage, block_size: usize) -> BlockGrid {
    let half_block = (block_size / 2).max(1);
    let columns = half.width.div_ceil(half_block);
    let rows = half.height.div_ceil(half_block);
    let mut deviations = vec![0.0f32; columns * rows];
    for row in 0..rows {
        for column in 0..columns {
            let (x0, y0) = (column * half_block, row * half_block);
            let (x1, y1) = ((x0 + half_block).min(half.width), (y0 + half_block).min(half.height));
            let count = (x1 - x0) * (y1 - y0);
            // A sliver of a block at the image's edge says too little to be trusted.
            if count * 4 < half_block * half_block {
                continue;
            }
            let (mut sum, mut sum_squares) = (0u64, 0u64);
            for y in y0..y1 {
                for &value in &half.pixels[y * half.width + x0..y * half.width + x1] {
                    sum += value as u64;
                    sum_squares += value as u64 * value as u64;
                }
            }
            let n = count as f64;
            let mean = sum as f64 / n;
            let variance = (sum_squares as f64 / n - mean * mean).max(0.0);
            deviations[row * columns + column] = variance.sqrt() as f32;
        }
    }
    let threshold = otsu_threshold(&deviations).max(MIN_RIDGE_DEVIATION);
    BlockGrid {
        columns,
        rows,
        size: half_block * 2,
        cells: deviations.iter().map(|&d| d > threshold).collect(),
    }
}

/// Otsu's threshold over values in 0..128 (deviations of 8-bit grey levels never exceed 128).
fn otsu_threshold(values: &[f32]) -> f32 {
    let mut histogram = [0u64; 128];
    for &value in values {
        histogram[(value.max(0.0) as usize).min(127)] += 1;
    }
    let total = values.len() as f64;
    let weighted_total: f64 = histogram.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
    let (mut below, mut weighted_below) = (0.0f64, 0.0f64);
    let (mut best, mut best_between) = (0usize, -1.0f64);
    for (i, &count) in histogram.iter().enumerate() {
        below += count as f64;
        weighted_below += i as f64 * count as f64;
        let above = total - below;
        if below == 0.0 || above == 0.0 {
            continue;
        }
        let mean_below = weighted_below / below;
        let mean_above = (weighted_total - weighted_below) / above;
        let between = below * above * (mean_below - mean_above).powi(2);
        if between > best_between {
            best_between = between;
            best = i;
        }
    }
    best as f32 + 0.5
}

/// Opening by a 3×3 square (drops specks and one-block bridges), then filling holes (a dry
/// patch or a scar inside a finger is still finger). No closing: it would bridge the narrow
/// gaps between fingers and the creases between phalanges that later steps rely on.
pub fn clean(grid: &mut BlockGrid) {
    let eroded = erode(grid);
    grid.cells = dilate(&eroded).cells;
    fill_holes(grid);
}

fn erode(grid: &BlockGrid) -> BlockGrid {
    let mut out = grid.clone();
    for (index, cell) in out.cells.iter_mut().enumerate() {
        let (column, row) = grid.place(index);
        let inner = column > 0 && row > 0 && column + 1 < grid.columns && row + 1 < grid.rows;
        *cell = grid.cells[index] && inner && grid.neighbours(index).all(|n| grid.cells[n]);
    }
    out
}

fn dilate(grid: &BlockGrid) -> BlockGrid {
    let mut out = grid.clone();
    for (index, cell) in out.cells.iter_mut().enumerate() {
        *cell = grid.cells[index] || grid.neighbours(index).any(|n| grid.cells[n]);
    }
    out
}

/// Sets every background cell that the image's border cannot reach through background.
fn fill_holes(grid: &mut BlockGrid) {
    let mut outside = vec![false; grid.cells.len()];
    let mut queue: Vec<usize> = (0..grid.cells.len())
        .filter(|&i| {
            let (column, row) = grid.place(i);
            !grid.cells[i] && (column == 0 || row == 0 || column + 1 == grid.columns || row + 1 == grid.rows)
        })
        .collect();
    for &i in &queue {
        outside[i] = true;
    }
    while let Some(i) = queue.pop() {
        // Background connects through edges only, so that a diagonal chink between two
        // foreground cells does not count as a way out.
        let (column, row) = grid.place(i);
        let mut edge_neighbours = Vec::with_capacity(4);
        if column > 0 {
            edge_neighbours.push(i - 1);
        }
        if column + 1 < grid.columns {
            edge_neighbours.push(i + 1);
        }
        if row > 0 {
            edge_neighbours.push(i - grid.columns);
        }
        if row + 1 < grid.rows {
            edge_neighbours.push(i + grid.columns);
        }
        for n in edge_neighbours {
            if !grid.cells[n] && !outside[n] {
                outside[n] = true;
                queue.push(n);
            }
        }
    }
    for (cell, out) in grid.cells.iter_mut().zip(outside) {
        *cell = !out;
    }
}

/// The 8-connected regions of the cells for which `member` holds, each as its cell indices.
pub fn regions(grid: &BlockGrid, member: impl Fn(usize) -> bool) -> Vec<Vec<usize>> {
    let mut seen = vec![false; grid.cells.len()];
    let mut found = Vec::new();
    for start in 0..grid.cells.len() {
        if seen[start] || !member(start) {
            continue;
        }
        seen[start] = true;
        let mut region = vec![start];
        let mut next = 0;
        while next < region.len() {
            let here = region[next];
            next += 1;
            for n in grid.neighbours(here) {
                if !seen[n] && member(n) {
                    seen[n] = true;
                    region.push(n);
                }
            }
        }
        found.push(region);
    }
    found
}

/// The 8-connected regions of the marked cells among `cells`, each as its cell indices. Every
/// marked cell must be among `cells`; the marks are cleared as the cells are visited, so that
/// `marked` comes back all false and can be reused without a pass over the whole grid.
pub fn regions_among(grid: &BlockGrid, cells: &[usize], marked: &mut [bool]) -> Vec<Vec<usize>> {
    let mut found = Vec::new();
    for &start in cells {
        if !marked[start] {
            continue;
        }
        marked[start] = false;
        let mut region = vec![start];
        let mut next = 0;
        while next < region.len() {
            let here = region[next];
            next += 1;
            for n in grid.neighbours(here) {
                if marked[n] {
                    marked[n] = false;
                    region.push(n);
                }
            }
        }
        found.push(region);
    }
    found
}

/// Chessboard distance of every foreground cell to the nearest background cell or the grid's
/// edge (a cell on the edge is 1), 0 for background.
pub fn distance_to_background(grid: &BlockGrid) -> Vec<u16> {
    let (columns, rows) = (grid.columns, grid.rows);
    let mut distance: Vec<u16> = grid.cells.iter().map(|&c| if c { u16::MAX } else { 0 }).collect();
    let at = |d: &Vec<u16>, c: i64, r: i64| -> u16 {
        if c < 0 || r < 0 || c as usize >= columns || r as usize >= rows {
            0
        } else {
            d[r as usize * columns + c as usize]
        }
    };
    for r in 0..rows as i64 {
        for c in 0..columns as i64 {
            let i = r as usize * columns + c as usize;
            if distance[i] == 0 {
                continue;
            }
            let nearest = [
                at(&distance, c - 1, r),
                at(&distance, c - 1, r - 1),
                at(&distance, c, r - 1),
                at(&distance, c + 1, r - 1),
            ]
            .into_iter()
            .min()
            .unwrap_or(0);
            distance[i] = distance[i].min(nearest.saturating_add(1));
        }
    }
    for r in (0..rows as i64).rev() {
        for c in (0..columns as i64).rev() {
            let i = r as usize * columns + c as usize;
            if distance[i] == 0 {
                continue;
            }
            let nearest = [
                at(&distance, c + 1, r),
                at(&distance, c + 1, r + 1),
                at(&distance, c, r + 1),
                at(&distance, c - 1, r + 1),
            ]
            .into_iter()
            .min()
            .unwrap_or(0);
            distance[i] = distance[i].min(nearest.saturating_add(1));
        }
    }
    distance
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&str]) -> BlockGrid {
        BlockGrid {
            columns: rows[0].len(),
            rows: rows.len(),
            size: 16,
            cells: rows.iter().flat_map(|r| r.chars().map(|c| c == '#')).collect(),
        }
    }

    #[test]
    fn holes_inside_a_region_are_filled_but_open_background_is_not() {
        let mut g = grid(&[".......", ".#####.", ".#...#.", ".#####.", "......."]);
        fill_holes(&mut g);
        assert_eq!(g.cells.iter().filter(|&&c| c).count(), 15);
        assert!(!g.cells[0]);
    }

    #[test]
    fn distance_counts_blocks_to_the_nearest_background() {
        let g = grid(&[".....", ".###.", ".###.", ".###.", "....."]);
        let d = distance_to_background(&g);
        assert_eq!(d[g.index(2, 2)], 2);
        assert_eq!(d[g.index(1, 1)], 1);
        assert_eq!(d[g.index(0, 0)], 0);
    }

    #[test]
    fn regions_are_eight_connected() {
        let g = grid(&["#...", ".#..", "...#"]);
        let found = regions(&g, |i| g.cells[i]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].len(), 2);
    }
}
