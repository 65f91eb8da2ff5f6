//! From foreground blocks to fingertips: split regions where fingers touch, group the pieces of
//! one finger, keep the uppermost piece of each finger and measure its tip.
//!
//! Why here and not in the blocks: this is where the shape of a hand is assumed (fingers point
//! up within ±45°, a finger's lower phalanges lie below its tip along its axis, a palm lies
//! below several fingers). Everything is on the block grid except the search for the first
//! crease, which reads the pixels along the finger.
//!
//! Deliberately absent: which finger is which (`assign`), and cutting pixels out (`mod`).

use super::blocks::{distance_to_background, regions, regions_among, BlockGrid, HalfImage};

/// A region splits where each side rises at least this far (mm) above the neck between them
/// (for two touching fingertips the neck is narrow and each tip is broad; for a ragged edge the
/// bump is shallow).
const SPLIT_DEPTH_MM: f32 = 1.6;

/// A piece must be this broad (distance to the background, mm) at its widest to be a core of
/// its own.
const MIN_CORE_RADIUS_MM: f32 = 2.4;

/// A piece too small for a fingertip joins a large one within this distance, mm.
const ATTACH_DISTANCE_MM: f32 = 1.6;

/// The band across the finger in which the crease search measures ridges, mm along the
/// finger: at least one ridge period (about 0.5 mm), so that ridges running across the finger
/// still show their deviation.
const CREASE_BAND_MM: f32 = 0.6;

/// A fingertip's contact is at least this many times as long as it is wide (adults' are 1.3
/// to 1.6); the first crease is looked for no nearer the tip than this either, so that a dry
/// band across the tip is not taken for it.
const MIN_TIP_LENGTH_IN_WIDTHS: f32 = 1.1;

/// The most a finger may lean from upright, degrees; steeper axes are taken as this.
const MAX_TILT_DEGREES: f32 = 45.0;

/// A region this elongated (ratio of its axes) has a trustworthy direction of its own.
const MIN_ELONGATION: f32 = 1.3;

/// One finger's tip as found: a rectangle along the finger's axis, in full-image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fingertip {
    /// The rectangle's centre.
    pub centre: (f32, f32),
    /// Unit vector along the finger towards its tip (upwards: `y < 0`).
    pub up: (f32, f32),
    /// Across the finger, pixels.
    pub width: f32,
    /// Along the finger from the tip to the first crease or the fixed length, pixels.
    pub length: f32,
}

impl Fingertip {
    /// Unit vector across the finger, to the image's right for an upright finger.
    pub fn across(&self) -> (f32, f32) {
        (-self.up.1, self.up.0)
    }

    /// The lean from upright in degrees, positive when the tip leans to the image's right.
    pub fn angle_degrees(&self) -> f32 {
        self.up.0.atan2(-self.up.1).to_degrees()
    }
}

/// Shape of a set of blocks: area, centroid and principal axes.
#[derive(Debug, Clone)]
struct Piece {
    cells: Vec<usize>,
    centroid: (f32, f32),
    /// Unit vector of the major axis, pointing up.
    axis: (f32, f32),
    /// Standard deviations along and across the major axis, pixels.
    spread_along: f32,
    spread_across: f32,
}

impl Piece {
    fn new(grid: &BlockGrid, cells: Vec<usize>) -> Piece {
        let n = cells.len().max(1) as f32;
        let (mut mx, mut my) = (0.0f32, 0.0f32);
        for &c in &cells {
            let (x, y) = grid.centre(c);
            mx += x;
            my += y;
        }
        let centroid = (mx / n, my / n);
        let (mut sxx, mut syy, mut sxy) = (0.0f32, 0.0f32, 0.0f32);
        for &c in &cells {
            let (x, y) = grid.centre(c);
            let (dx, dy) = (x - centroid.0, y - centroid.1);
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        // A block is a square, not a point: add its own variance so that a one-block-wide
        // piece has a width.
        let block_variance = (grid.size * grid.size) as f32 / 12.0;
        let (sxx, syy, sxy) = (sxx / n + block_variance, syy / n + block_variance, sxy / n);
        let half_trace = (sxx + syy) / 2.0;
        let root = (((sxx - syy) / 2.0).powi(2) + sxy * sxy).sqrt();
        let (major, minor) = (half_trace + root, (half_trace - root).max(0.0));
        // Orientation of the major axis from the x axis.
        let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
        let mut axis = (theta.cos(), theta.sin());
        if axis.1 > 0.0 {
            axis = (-axis.0, -axis.1);
        }
        Piece {
            cells,
            centroid,
            axis,
            spread_along: major.sqrt(),
            spread_across: minor.sqrt(),
        }
    }

    fn elongation(&self) -> f32 {
        self.spread_along / self.spread_across.max(1e-3)
    }

    /// Width across the major axis, pixels (an ellipse of semi-axis `a` has deviation `a/2`).
    fn width(&self) -> f32 {
        4.0 * self.spread_across
    }

    /// Its own direction when it has one, else `fallback`.
    fn direction(&self, fallback: (f32, f32)) -> (f32, f32) {
        if self.elongation() >= MIN_ELONGATION {
            clamp_tilt(self.axis)
        } else {
            fallback
        }
    }
}

/// Limits a direction to [`MAX_TILT_DEGREES`] from upright, pointing up.
fn clamp_tilt(up: (f32, f32)) -> (f32, f32) {
    let angle = up.0.atan2(-up.1).to_degrees();
    let angle = if angle > 90.0 {
        angle - 180.0
    } else if angle < -90.0 {
        angle + 180.0
    } else {
        angle
    };
    let clamped = angle.clamp(-MAX_TILT_DEGREES, MAX_TILT_DEGREES).to_radians();
    (clamped.sin(), -clamped.cos())
}

/// The fingertips in a cleaned foreground grid, in no particular order.
pub fn find_fingertips(
    grid: &BlockGrid,
    half: &HalfImage,
    pixels_per_mm: f32,
    min_area_blocks: usize,
    max_tip_length: f32,
) -> Vec<Fingertip> {
    let in_blocks = |mm: f32| ((mm * pixels_per_mm / grid.size as f32).round() as u16).max(1);
    let (split_depth, min_core_radius) = (in_blocks(SPLIT_DEPTH_MM), in_blocks(MIN_CORE_RADIUS_MM));
    let distance = distance_to_background(grid);
    let mut pieces = Vec::new();
    for region in regions(grid, |i| grid.cells[i]) {
        for cells in split_region(grid, &distance, &region, split_depth, min_core_radius) {
            pieces.push(Piece::new(grid, cells));
        }
    }
    let (large, small): (Vec<Piece>, Vec<Piece>) = pieces.into_iter().partition(|p| p.cells.len() >= min_area_blocks);
    let mut large = large;
    attach_small_pieces(grid, &mut large, small, in_blocks(ATTACH_DISTANCE_MM) as usize);
    let hand_up = hand_direction(&large);
    let attach_distance = ATTACH_DISTANCE_MM * pixels_per_mm;
    group_fingers(grid, &large, hand_up)
        .into_iter()
        .map(|(top, lower)| {
            let lower: Vec<&Piece> = lower.iter().map(|&i| &large[i]).collect();
            let (top, lower) = whole_tip(grid, &large[top], lower, hand_up, attach_distance);
            measure_tip(grid, half, &top, &lower, hand_up, max_tip_length, pixels_per_mm)
        })
        .collect()
}

/// A fingertip is longer than it is wide; a top piece shorter than [`MIN_TIP_LENGTH_IN_WIDTHS`]
/// of its width is the cap of a tip cut off by a dry patch or a scar, and takes in the piece
/// right below it (within `attach_distance` pixels) until it is long enough or none is left.
fn whole_tip<'a>(
    grid: &BlockGrid,
    top: &Piece,
    mut lower: Vec<&'a Piece>,
    hand_up: (f32, f32),
    attach_distance: f32,
) -> (Piece, Vec<&'a Piece>) {
    let mut top = top.clone();
    loop {
        let up = top.direction(hand_up);
        let extent = Extent::new(grid, &top, up);
        let (length, width) = (extent.along.1 - extent.along.0, extent.across.1 - extent.across.0);
        if length >= MIN_TIP_LENGTH_IN_WIDTHS * width {
            return (top, lower);
        }
        let next = lower
            .iter()
            .enumerate()
            .map(|(k, piece)| (k, extent.along.0 - Extent::new(grid, piece, up).along.1))
            .filter(|&(_, gap)| gap <= attach_distance)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let Some((k, _)) = next else {
            return (top, lower);
        };
        let piece = lower.remove(k);
        let mut cells = std::mem::take(&mut top.cells);
        cells.extend_from_slice(&piece.cells);
        top = Piece::new(grid, cells);
    }
}

/// Splits a region where it narrows between broad parts: the cores are found by raising a
/// threshold on the distance to the background until the region falls apart into parts that
/// each rise `split_depth` blocks above the level where they parted (and `min_core_radius` in
/// all); every block then goes to the core it reaches first through the region.
fn split_region(
    grid: &BlockGrid,
    distance: &[u16],
    region: &[usize],
    split_depth: u16,
    min_core_radius: u16,
) -> Vec<Vec<usize>> {
    let mut cores: Vec<Vec<usize>> = Vec::new();
    let mut pending: Vec<(Vec<usize>, u16)> = vec![(region.to_vec(), 1)];
    // Marks for the labelling, cleared again by it: each level costs its own cells only.
    let mut marked = vec![false; grid.cells.len()];
    while let Some((cells, level)) = pending.pop() {
        let next_level = level + 1;
        for &c in &cells {
            marked[c] = distance[c] >= next_level;
        }
        let parts: Vec<Vec<usize>> = regions_among(grid, &cells, &mut marked)
            .into_iter()
            .filter(|part| {
                let peak = part.iter().map(|&c| distance[c]).max().unwrap_or(0);
                peak >= min_core_radius && peak >= level + split_depth
            })
            .collect();
        match parts.len() {
            0 => cores.push(cells),
            1 => pending.push((parts.into_iter().next().unwrap_or_default(), next_level)),
            _ => pending.extend(parts.into_iter().map(|p| (p, next_level))),
        }
    }
    if cores.len() <= 1 {
        return vec![region.to_vec()];
    }
    // Grow all cores at once through the region, one ring of blocks at a time.
    let mut owner: Vec<Option<usize>> = vec![None; grid.cells.len()];
    let mut in_region = vec![false; grid.cells.len()];
    for &c in region {
        in_region[c] = true;
    }
    let mut frontier = Vec::new();
    for (k, core) in cores.iter().enumerate() {
        for &c in core {
            owner[c] = Some(k);
            frontier.push(c);
        }
    }
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for &c in &frontier {
            for n in grid.neighbours(c) {
                if in_region[n] && owner[n].is_none() {
                    owner[n] = owner[c];
                    next.push(n);
                }
            }
        }
        frontier = next;
    }
    let mut split = vec![Vec::new(); cores.len()];
    for &c in region {
        if let Some(k) = owner[c] {
            split[k].push(c);
        }
    }
    split.retain(|cells| !cells.is_empty());
    split
}

/// Pieces too small to be a fingertip join the large piece they touch (within `reach` blocks), as
/// fragments of it; pieces touching none are specks and dropped.
fn attach_small_pieces(grid: &BlockGrid, large: &mut [Piece], small: Vec<Piece>, reach: usize) {
    for piece in small {
        let nearest = large
            .iter()
            .enumerate()
            .map(|(k, big)| (k, chessboard_gap(grid, &piece.cells, &big.cells)))
            .filter(|&(_, gap)| gap <= reach)
            .min_by_key(|&(_, gap)| gap);
        if let Some((k, _)) = nearest {
            let mut cells = std::mem::take(&mut large[k].cells);
            cells.extend(piece.cells);
            large[k] = Piece::new(grid, cells);
        }
    }
}

fn chessboard_gap(grid: &BlockGrid, a: &[usize], b: &[usize]) -> usize {
    let mut best = usize::MAX;
    for &i in a {
        let (ac, ar) = grid.place(i);
        for &j in b {
            let (bc, br) = grid.place(j);
            best = best.min(ac.abs_diff(bc).max(ar.abs_diff(br)));
        }
    }
    best
}

/// The direction of the hand: the area-weighted mean direction of the elongated pieces (on
/// doubled angles, so that up and down agree), upright when none is elongated.
fn hand_direction(pieces: &[Piece]) -> (f32, f32) {
    let (mut c, mut s) = (0.0f32, 0.0f32);
    for piece in pieces.iter().filter(|p| p.elongation() >= MIN_ELONGATION) {
        let angle = piece.axis.0.atan2(-piece.axis.1);
        let weight = piece.cells.len() as f32;
        c += weight * (2.0 * angle).cos();
        s += weight * (2.0 * angle).sin();
    }
    if c == 0.0 && s == 0.0 {
        return (0.0, -1.0);
    }
    let angle = 0.5 * s.atan2(c);
    clamp_tilt((angle.sin(), -angle.cos()))
}

/// Where a piece lies along and across the hand, pixels: lowest and highest along the hand's
/// direction (higher is nearer the fingertips), leftmost and rightmost across it.
#[derive(Debug, Clone, Copy)]
struct Extent {
    along: (f32, f32),
    across: (f32, f32),
}

impl Extent {
    fn new(grid: &BlockGrid, piece: &Piece, up: (f32, f32)) -> Extent {
        let half_block = grid.size as f32 / 2.0;
        let (mut along, mut across) = ((f32::MAX, f32::MIN), (f32::MAX, f32::MIN));
        for &c in &piece.cells {
            let (x, y) = grid.centre(c);
            let a = x * up.0 + y * up.1;
            let s = x * -up.1 + y * up.0;
            along = (along.0.min(a - half_block), along.1.max(a + half_block));
            across = (across.0.min(s - half_block), across.1.max(s + half_block));
        }
        Extent { along, across }
    }
}

/// Is `lower` below `upper`? Either its centre lies down `upper`'s own axis (further than a
/// quarter of `upper`'s width, within half its width to either side: a lower phalanx of the
/// same finger, even one that splays), or it lies wholly below `upper` along the hand and
/// spans at least half of `upper`'s breadth (the palm, under several fingers at once).
fn is_below(lower: (&Piece, &Extent), upper: (&Piece, &Extent), hand_up: (f32, f32)) -> bool {
    let ((lower, lower_extent), (upper, upper_extent)) = (lower, upper);
    let up = upper.direction(hand_up);
    let (dx, dy) = (lower.centroid.0 - upper.centroid.0, lower.centroid.1 - upper.centroid.1);
    let down = -(dx * up.0 + dy * up.1);
    let side = (dx * -up.1 + dy * up.0).abs();
    let width = upper.width();
    if down > 0.25 * width && side < 0.5 * width {
        return true;
    }
    let overlap = lower_extent.across.1.min(upper_extent.across.1) - lower_extent.across.0.max(upper_extent.across.0);
    let breadth = upper_extent.across.1 - upper_extent.across.0;
    lower_extent.along.1 <= upper_extent.along.0 && overlap >= 0.5 * breadth
}

/// Groups pieces into fingers: a piece below no other piece is a finger's top; a piece below
/// exactly one top is a lower phalanx of that finger; a piece below several tops (a palm) or
/// below no top, only below lower pieces, is left out.
fn group_fingers(grid: &BlockGrid, pieces: &[Piece], hand_up: (f32, f32)) -> Vec<(usize, Vec<usize>)> {
    let extents: Vec<Extent> = pieces.iter().map(|p| Extent::new(grid, p, hand_up)).collect();
    let below = |i: usize, j: usize| is_below((&pieces[i], &extents[i]), (&pieces[j], &extents[j]), hand_up);
    let tops: Vec<usize> = (0..pieces.len())
        .filter(|&i| (0..pieces.len()).all(|j| j == i || !below(i, j)))
        .collect();
    let mut fingers: Vec<(usize, Vec<usize>)> = tops.iter().map(|&t| (t, Vec::new())).collect();
    for i in (0..pieces.len()).filter(|i| !tops.contains(i)) {
        let above: Vec<usize> = (0..tops.len()).filter(|&k| below(i, tops[k])).collect();
        if let [only] = above[..] {
            fingers[only].1.push(i);
        }
    }
    fingers
}

/// The tip rectangle of a finger: its direction from all its pieces, its extent from the top
/// piece, cut at the first crease when one shows within reach, else at `max_length`.
fn measure_tip(
    grid: &BlockGrid,
    half: &HalfImage,
    top: &Piece,
    lower: &[&Piece],
    hand_up: (f32, f32),
    max_length: f32,
    pixels_per_mm: f32,
) -> Fingertip {
    let up = if lower.is_empty() {
        top.direction(hand_up)
    } else {
        let mut cells = top.cells.clone();
        for piece in lower {
            cells.extend_from_slice(&piece.cells);
        }
        Piece::new(grid, cells).direction(hand_up)
    };
    let across = (-up.1, up.0);
    let half_block = grid.size as f32 / 2.0;
    let projections: Vec<(f32, f32)> = top
        .cells
        .iter()
        .map(|&c| {
            let (x, y) = grid.centre(c);
            (x * up.0 + y * up.1, x * across.0 + y * across.1)
        })
        .collect();
    let top_along = projections.iter().map(|p| p.0).fold(f32::MIN, f32::max) + half_block;
    let bottom_along = projections.iter().map(|p| p.0).fold(f32::MAX, f32::min) - half_block;
    let extent = top_along - bottom_along;
    let lateral_range = |reach: f32| {
        let in_reach = projections.iter().filter(|p| p.0 >= top_along - reach);
        let (lo, hi) = in_reach.fold((f32::MAX, f32::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        (lo - half_block, hi + half_block)
    };
    let (lo, hi) = lateral_range(extent.min(max_length));
    let width = (hi - lo).max(grid.size as f32);
    let middle = (lo + hi) / 2.0;
    let mut length = extent.min(max_length);
    if let Some(crease) = find_crease(half, up, across, top_along, middle, width, length, pixels_per_mm) {
        length = crease.min(max_length);
    }
    // The width where the tip is, now that its length is known.
    let (lo, hi) = lateral_range(length);
    let width = (hi - lo).max(grid.size as f32);
    let middle = (lo + hi) / 2.0;
    let along = top_along - length / 2.0;
    Fingertip {
        centre: (up.0 * along + across.0 * middle, up.1 * along + across.1 * middle),
        up,
        width,
        length,
    }
}

/// The first crease below the tip: a band across the finger, between 1.1 and 2 widths below
/// the top, where the ridges stop (grey-level deviation under 40 % of the tip's), the highest
/// such band. Returns its distance from the top, pixels.
#[allow(clippy::too_many_arguments)]
fn find_crease(
    half: &HalfImage,
    up: (f32, f32),
    across: (f32, f32),
    top_along: f32,
    middle: f32,
    width: f32,
    reach: f32,
    pixels_per_mm: f32,
) -> Option<f32> {
    let band = CREASE_BAND_MM * pixels_per_mm;
    let deviation_at = |depth: f32| -> Option<f32> {
        let along = top_along - depth;
        let (mut n, mut sum, mut sum_squares) = (0.0f32, 0.0f32, 0.0f32);
        let lateral_steps = 24;
        let along_steps = 6;
        for i in 0..=lateral_steps {
            let side = middle + width * 0.3 * (2.0 * i as f32 / lateral_steps as f32 - 1.0);
            for j in 0..=along_steps {
                let a = along + band * (j as f32 / along_steps as f32 - 0.5);
                let (x, y) = (up.0 * a + across.0 * side, up.1 * a + across.1 * side);
                // Half-image coordinates of a full-image point (pixel centres shift by half).
                let value = half.sample(x / 2.0 - 0.5, y / 2.0 - 0.5)?;
                n += 1.0;
                sum += value;
                sum_squares += value * value;
            }
        }
        let mean = sum / n;
        Some((sum_squares / n - mean * mean).max(0.0).sqrt())
    };
    // Steps of 0.2 mm; the search may run 1 mm past the piece, whose end is only as exact as
    // a block.
    let step = 0.2 * pixels_per_mm;
    let reference: Vec<f32> = (0..8)
        .filter_map(|i| deviation_at(width * (0.15 + 0.05 * i as f32)))
        .collect();
    if reference.is_empty() {
        return None;
    }
    let mut sorted = reference;
    sorted.sort_by(f32::total_cmp);
    let tip_deviation = sorted[sorted.len() / 2];
    let (start, end) = (
        MIN_TIP_LENGTH_IN_WIDTHS * width,
        (2.0 * width).min(reach + pixels_per_mm),
    );
    let mut depth = start;
    while depth <= end {
        if deviation_at(depth).is_some_and(|deviation| deviation < 0.4 * tip_deviation) {
            return Some(depth);
        }
        depth += step;
    }
    None
}
