//! 1:1 comparison of two minutiae templates, whatever the finger's placement on the glass
//! (translation and rotation), as an alignment search:
//!
//! 1. Each minutia gets a local structure: its neighbours within [`NEIGHBOURHOOD`] pixels,
//!    each as a distance, the bearing of the neighbour seen from the minutia's own direction,
//!    and the neighbour's direction relative to it. These are the same wherever the finger lies.
//! 2. Every probe minutia is scored against every reference minutia by how many neighbours
//!    their structures share within tolerances; the best pairs are the candidate alignments.
//! 3. Each candidate pair gives a rotation (the difference of the two directions) and a
//!    translation (one onto the other). Under it, probe and reference minutiae are paired one
//!    to one, nearest first, when they lie within [`PAIR_DISTANCE`] pixels and [`PAIR_ANGLE`] of
//!    each other. The pairs found refine the alignment once (least-squares rotation and
//!    translation) and are counted again.
//! 4. A pair counts 1 when both are endings or both forks, [`OTHER_KIND_WEIGHT`] otherwise
//!    (pressure sometimes turns one into the other; between different fingers, about half the
//!    chance pairs are of mixed kinds). The count is then discounted by how much of the two
//!    prints' common area it explains: squared, over the geometric mean of the numbers of
//!    minutiae each print has in that area (those within [`OVERLAP_REACH`] of a minutia of the
//!    other). Two prints of different fingers share a few minutiae by chance under their best
//!    alignment, but out of many; the discount is what keeps those scores low without pairing
//!    tolerances too tight for a finger that moved.
//! 5. The score is the best over the candidates, rounded: the number of minutiae when a
//!    template is compared with itself, 0 when either has none.
//!
//! Coordinates are compared at 500 ppi whatever each template's resolution.
//!
//! Deliberately absent: elastic distortion (one rigid alignment per candidate; real fingers
//! stretch a little, and [`PAIR_DISTANCE`] is what absorbs it), the finger areas themselves
//! (templates do not carry their masks: the overlap is judged from the minutiae), and minutia
//! quality weighting.

use std::f32::consts::PI;

use super::minutiae::angle_difference;
use super::FingerTemplate;

/// Neighbours farther than this (pixels at 500 ppi, about 5 mm) are not in a local structure.
const NEIGHBOURHOOD: f32 = 100.0;
/// At most this many nearest neighbours per local structure.
const MAX_NEIGHBOURS: usize = 10;
/// Tolerances between two neighbours of two local structures.
const NEIGHBOUR_DISTANCE: f32 = 8.0;
const NEIGHBOUR_BEARING: f32 = 15.0 * PI / 180.0;
const NEIGHBOUR_DIRECTION: f32 = 20.0 * PI / 180.0;
/// A candidate alignment must share at least this many neighbours.
const MIN_SHARED_NEIGHBOURS: u32 = 2;
/// The best candidate alignments tried, per comparison.
const CANDIDATE_ALIGNMENTS: usize = 25;
/// Two aligned minutiae are one when this close (pixels at 500 ppi, about 1.2 ridge periods)...
const PAIR_DISTANCE: f32 = 12.0;
/// ...and their directions this close.
const PAIR_ANGLE: f32 = 20.0 * PI / 180.0;
/// A pair of an ending and a fork counts this much (a pair of the same kind counts 1): pressure
/// and moisture turn one into the other, but less often than chance pairs them.
const OTHER_KIND_WEIGHT: f32 = 0.5;

/// Minutiae farther than this (pixels at 500 ppi, about 2 mm) from every minutia of the other
/// print lie outside the area both prints show, and do not count against a score.
const OVERLAP_REACH: f32 = 40.0;

/// A minutia at 500 ppi.
#[derive(Debug, Clone, Copy)]
struct Point {
    x: f32,
    y: f32,
    angle: f32,
    kind: super::MinutiaKind,
}

/// One neighbour as its minutia sees it.
#[derive(Debug, Clone, Copy)]
struct Neighbour {
    distance: f32,
    /// Bearing of the neighbour from the minutia, relative to the minutia's direction.
    bearing: f32,
    /// The neighbour's direction relative to the minutia's.
    direction: f32,
}

fn points(template: &FingerTemplate) -> Vec<Point> {
    let scale = 500.0 / template.ppi.max(1) as f32;
    template
        .minutiae
        .iter()
        .map(|m| Point {
            x: m.x as f32 * scale,
            y: m.y as f32 * scale,
            angle: m.angle,
            kind: m.kind,
        })
        .collect()
}

fn local_structures(points: &[Point]) -> Vec<Vec<Neighbour>> {
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut neighbours: Vec<Neighbour> = points
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .filter_map(|(_, q)| {
                    let (dx, dy) = (q.x - p.x, q.y - p.y);
                    let distance = (dx * dx + dy * dy).sqrt();
                    (distance <= NEIGHBOURHOOD).then(|| Neighbour {
                        distance,
                        bearing: (dy.atan2(dx) - p.angle).rem_euclid(2.0 * PI),
                        direction: (q.angle - p.angle).rem_euclid(2.0 * PI),
                    })
                })
                .collect();
            neighbours.sort_by(|a, b| a.distance.total_cmp(&b.distance));
            neighbours.truncate(MAX_NEIGHBOURS);
            neighbours
        })
        .collect()
}

/// How many neighbours two local structures share, each used once.
fn shared_neighbours(a: &[Neighbour], b: &[Neighbour]) -> u32 {
    let mut used = [false; MAX_NEIGHBOURS];
    let mut shared = 0;
    for na in a {
        let found = b.iter().enumerate().position(|(k, nb)| {
            !used[k]
                && (na.distance - nb.distance).abs() <= NEIGHBOUR_DISTANCE
                && angle_difference(na.bearing, nb.bearing) <= NEIGHBOUR_BEARING
                && angle_difference(na.direction, nb.direction) <= NEIGHBOUR_DIRECTION
        });
        if let Some(k) = found {
            used[k] = true;
            shared += 1;
        }
    }
    shared
}

/// A rotation by `angle` about the origin, then a translation.
#[derive(Debug, Clone, Copy)]
struct Alignment {
    angle: f32,
    cos: f32,
    sin: f32,
    dx: f32,
    dy: f32,
}

impl Alignment {
    /// The alignment that lays probe minutia `p` on reference minutia `r`.
    fn laying(p: &Point, r: &Point) -> Alignment {
        let angle = r.angle - p.angle;
        let (sin, cos) = angle.sin_cos();
        Alignment {
            angle,
            cos,
            sin,
            dx: r.x - (cos * p.x - sin * p.y),
            dy: r.y - (sin * p.x + cos * p.y),
        }
    }

    fn apply(&self, p: &Point) -> Point {
        Point {
            x: self.cos * p.x - self.sin * p.y + self.dx,
            y: self.sin * p.x + self.cos * p.y + self.dy,
            angle: p.angle + self.angle,
            kind: p.kind,
        }
    }

    /// The least-squares rotation and translation that lays the probe points of `pairs` on
    /// their reference points.
    fn fitted(probe: &[Point], reference: &[Point], pairs: &[(usize, usize)]) -> Alignment {
        let n = pairs.len() as f32;
        let (mut px, mut py, mut rx, mut ry) = (0.0, 0.0, 0.0, 0.0);
        for &(i, j) in pairs {
            px += probe[i].x;
            py += probe[i].y;
            rx += reference[j].x;
            ry += reference[j].y;
        }
        let (px, py, rx, ry) = (px / n, py / n, rx / n, ry / n);
        let (mut dot, mut cross) = (0.0, 0.0);
        for &(i, j) in pairs {
            let (ax, ay) = (probe[i].x - px, probe[i].y - py);
            let (bx, by) = (reference[j].x - rx, reference[j].y - ry);
            dot += ax * bx + ay * by;
            cross += ax * by - ay * bx;
        }
        let angle = cross.atan2(dot);
        let (sin, cos) = angle.sin_cos();
        Alignment {
            angle,
            cos,
            sin,
            dx: rx - (cos * px - sin * py),
            dy: ry - (sin * px + cos * py),
        }
    }
}

/// Probe and reference minutiae paired one to one under `alignment`, nearest first.
fn pair_up(probe: &[Point], reference: &[Point], alignment: &Alignment) -> Vec<(usize, usize)> {
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (i, p) in probe.iter().enumerate() {
        let moved = alignment.apply(p);
        for (j, r) in reference.iter().enumerate() {
            let (dx, dy) = (moved.x - r.x, moved.y - r.y);
            let squared = dx * dx + dy * dy;
            if squared <= PAIR_DISTANCE * PAIR_DISTANCE && angle_difference(moved.angle, r.angle) <= PAIR_ANGLE {
                candidates.push((squared, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut probe_used, mut reference_used) = (vec![false; probe.len()], vec![false; reference.len()]);
    let mut pairs = Vec::new();
    for (_, i, j) in candidates {
        if !probe_used[i] && !reference_used[j] {
            probe_used[i] = true;
            reference_used[j] = true;
            pairs.push((i, j));
        }
    }
    pairs
}

/// The best score over the candidate alignments (see the module comment): 0 when either
/// template is empty, the number of minutiae when a template is compared with itself.
pub(super) fn similarity(probe: &FingerTemplate, reference: &FingerTemplate) -> u32 {
    let (probe, reference) = (points(probe), points(reference));
    if probe.is_empty() || reference.is_empty() {
        return 0;
    }
    let (probe_local, reference_local) = (local_structures(&probe), local_structures(&reference));
    let mut candidates: Vec<(u32, usize, usize)> = Vec::new();
    for (i, a) in probe_local.iter().enumerate() {
        for (j, b) in reference_local.iter().enumerate() {
            let shared = shared_neighbours(a, b);
            if shared >= MIN_SHARED_NEIGHBOURS {
                candidates.push((shared, i, j));
            }
        }
    }
    candidates.sort_by_key(|&(shared, ..)| std::cmp::Reverse(shared));
    candidates.truncate(CANDIDATE_ALIGNMENTS);
    let mut best = 0.0f32;
    for (_, i, j) in candidates {
        let alignment = Alignment::laying(&probe[i], &reference[j]);
        let mut pairs = pair_up(&probe, &reference, &alignment);
        let mut used = alignment;
        if pairs.len() >= 3 {
            let fitted = Alignment::fitted(&probe, &reference, &pairs);
            let refined = pair_up(&probe, &reference, &fitted);
            if refined.len() > pairs.len() {
                pairs = refined;
                used = fitted;
            }
        }
        let shared: f32 = pairs
            .iter()
            .map(|&(i, j)| {
                if probe[i].kind == reference[j].kind {
                    1.0
                } else {
                    OTHER_KIND_WEIGHT
                }
            })
            .sum();
        let score = discounted(&probe, &reference, &used, pairs.len(), shared);
        best = best.max(score);
    }
    best.round() as u32
}

/// `shared` (the weighted count of `pairs` pairs) discounted by the share of the overlap's
/// minutiae it makes up: `shared` squared over the geometric mean of the two prints' minutiae
/// counts in their overlap under `alignment`.
fn discounted(probe: &[Point], reference: &[Point], alignment: &Alignment, pairs: usize, shared: f32) -> f32 {
    if pairs == 0 {
        return 0.0;
    }
    let moved: Vec<Point> = probe.iter().map(|p| alignment.apply(p)).collect();
    let near = |a: &Point, others: &[Point]| {
        others
            .iter()
            .any(|b| (a.x - b.x).powi(2) + (a.y - b.y).powi(2) <= OVERLAP_REACH * OVERLAP_REACH)
    };
    // Every paired minutia is in the overlap; the counts never fall below the pairs.
    let probe_in = moved.iter().filter(|p| near(p, reference)).count().max(pairs);
    let reference_in = reference.iter().filter(|r| near(r, &moved)).count().max(pairs);
    shared * shared / ((probe_in * reference_in) as f32).sqrt()
}
