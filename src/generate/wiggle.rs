//! Irregular boundaries that neighbours share exactly.
//!
//! Each Voronoi edge is replaced once by a wiggly polyline (a few random
//! sine harmonics, zero at both ends) that both cells then use, one
//! forwards and one backwards, so shared boundaries are identical vertex
//! for vertex.
//!
//! Why the result is always a valid tiling: the cell of seed `s` is the
//! fan of triangles (s, v₀, v₁) over its edges, and these triangles tile
//! the plane. Each wiggle is a graph over its straight edge (offsets
//! along one normal, so it cannot cross itself) and stays within 45 % of
//! the height of the triangle on the side it bulges to, so it never
//! leaves the two triangles of its own edge — no two boundaries can meet,
//! and the region within 55 % of the way from a seed to its edges stays
//! clear (room for an enclave).

use std::collections::HashMap;

use geo::Coord;
use rand::RngExt;
use rayon::prelude::*;

use super::rng;
use super::tessellate::Tessellation;

/// Vertices wanted per ring: real township boundaries in open data have
/// tens to hundreds, more for larger areas. A ring of median perimeter
/// gets about `RING_VERTICES`, others in proportion within the bounds.
const RING_VERTICES: f64 = 64.0;
const RING_VERTICES_MIN: f64 = 56.0;
const RING_VERTICES_MAX: f64 = 240.0;
/// Harmonics of the wiggle, and its amplitude against the edge length.
const HARMONICS: usize = 8;
const AMPLITUDE: f64 = 0.18;
/// Share of the fan triangle's height a wiggle may use.
pub const ENVELOPE: f64 = 0.45;

/// The interior points of every boundary, keyed by (lower seed, higher
/// seed) and running from the lower seed's ring start to end, i.e. with the
/// lower seed's cell on the left.
pub struct Boundaries {
    index: HashMap<(u32, u32), usize>,
    lines: Vec<Vec<Coord<f64>>>,
}

impl Boundaries {
    /// The interior points of ring edge `k` of `cell`'s ring, in its ring order.
    pub fn interior(&self, cell: u32, neighbour: u32) -> impl Iterator<Item = Coord<f64>> + '_ {
        let key = (cell.min(neighbour), cell.max(neighbour));
        let line = self.index.get(&key).map(|&i| self.lines[i].as_slice());
        let line = line.unwrap_or(&[]);
        let forward = cell < neighbour;
        let (a, b) = if forward {
            (Some(line.iter()), None)
        } else {
            (None, Some(line.iter().rev()))
        };
        a.into_iter()
            .flatten()
            .chain(b.into_iter().flatten())
            .copied()
    }
}

/// Wiggles every edge of every inside cell.
pub fn wiggle(t: &Tessellation, seed: u64) -> Boundaries {
    // Demand: segments per edge so that each cell gets about RING_VERTICES.
    let perimeter = |a: usize| -> f64 {
        (0..t.cells[a].vertices.len())
            .map(|k| edge_length(t, a, k))
            .sum()
    };
    let mut perimeters: Vec<f64> = (0..t.cells.len())
        .filter(|&a| !t.cells[a].vertices.is_empty())
        .map(perimeter)
        .collect();
    perimeters.sort_by(f64::total_cmp);
    let median = perimeters.get(perimeters.len() / 2).copied().unwrap_or(1.0);

    let mut segments: HashMap<(u32, u32), usize> = HashMap::new();
    let mut order = Vec::new();
    for (a, cell) in t.cells.iter().enumerate() {
        let n = cell.vertices.len();
        let total = perimeter(a);
        if n == 0 || total <= 0.0 {
            continue;
        }
        let target = (RING_VERTICES * total / median).clamp(RING_VERTICES_MIN, RING_VERTICES_MAX);
        let a = a as u32;
        for k in 0..n {
            let b = cell.neighbours[k];
            let key = (a.min(b), a.max(b));
            let share = edge_length(t, a as usize, k) / total;
            let want = (target * share).ceil().max(1.0) as usize;
            let entry = segments.entry(key).or_insert_with(|| {
                order.push(key);
                0
            });
            *entry = (*entry).max(want);
        }
    }
    order.sort_unstable();
    let lines: Vec<Vec<Coord<f64>>> = order
        .par_iter()
        .map(|&key| edge_line(t, key, segments[&key], seed))
        .collect();
    let index = order.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    Boundaries { index, lines }
}

fn edge_length(t: &Tessellation, cell: usize, k: usize) -> f64 {
    let (from, to) = edge_ends(t, cell, k);
    let d = to - from;
    d.x.hypot(d.y)
}

/// The straight ends of ring edge `k` of `cell`, in ring order.
fn edge_ends(t: &Tessellation, cell: usize, k: usize) -> (Coord<f64>, Coord<f64>) {
    let c = &t.cells[cell];
    let n = c.vertices.len();
    let from = t.vertices[c.vertices[(k + n - 1) % n] as usize];
    let to = t.vertices[c.vertices[k] as usize];
    (from, to)
}

fn edge_line(t: &Tessellation, (a, b): (u32, u32), segments: usize, seed: u64) -> Vec<Coord<f64>> {
    // The lower seed's view; when only `b` is inside, take b's and reverse.
    let (owner, other, reverse) = if t.cells[a as usize].vertices.is_empty() {
        (b, a, true)
    } else {
        (a, b, false)
    };
    let cell = &t.cells[owner as usize];
    let Some(k) = cell.neighbours.iter().position(|&n| n == other) else {
        return Vec::new();
    };
    let (from, to) = edge_ends(t, owner as usize, k);
    let mut points = wiggle_between(
        from,
        to,
        t.seeds[owner as usize],
        t.seeds[other as usize],
        segments,
        seed,
        (u64::from(a) << 32) | u64::from(b),
    );
    if reverse {
        points.reverse();
    }
    points
}

/// Interior points of a wiggle from `from` to `to`, with `left` the seed
/// on the left of the direction of travel and `right` the other.
fn wiggle_between(
    from: Coord<f64>,
    to: Coord<f64>,
    left: Coord<f64>,
    right: Coord<f64>,
    segments: usize,
    seed: u64,
    key: u64,
) -> Vec<Coord<f64>> {
    let d = to - from;
    let len = d.x.hypot(d.y);
    if segments < 2 || len <= 0.0 {
        return Vec::new();
    }
    let u = d / len;
    let normal = Coord { x: -u.y, y: u.x };
    let apex = |s: Coord<f64>, sign: f64| {
        let r = s - from;
        (
            (r.x * u.x + r.y * u.y) / len,
            sign * (r.x * normal.x + r.y * normal.y),
        )
    };
    let left_apex = apex(left, 1.0);
    let right_apex = apex(right, -1.0);

    let mut rng = rng::keyed(seed, rng::Stream::Boundary, key);
    let coefficients: Vec<(f64, f64)> = (1..=HARMONICS)
        .map(|k| {
            let a = (rng.random::<f64>() * 2.0 - 1.0) * AMPLITUDE * len / k as f64;
            (k as f64, a)
        })
        .collect();
    (1..segments)
        .map(|i| {
            let t = i as f64 / segments as f64;
            let mut offset: f64 = coefficients
                .iter()
                .map(|&(k, a)| a * (k * std::f64::consts::PI * t).sin())
                .sum();
            offset = offset.clamp(
                -ENVELOPE * room(right_apex, t),
                ENVELOPE * room(left_apex, t),
            );
            from + d * t + normal * offset
        })
        .collect()
}

/// The height at parameter `t` (0..1 along the base) of the triangle with
/// the base edge and the apex at (`t_apex`, `h_apex`) in edge coordinates.
fn room((t_apex, h_apex): (f64, f64), t: f64) -> f64 {
    if h_apex <= 0.0 {
        return 0.0;
    }
    let mut h = f64::INFINITY;
    if t_apex > 0.0 {
        h = h.min(h_apex * t / t_apex);
    }
    if t_apex < 1.0 {
        h = h.min(h_apex * (1.0 - t) / (1.0 - t_apex));
    }
    h.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_the_triangle_height() {
        // Apex above the middle: a tent, peak 2 at t = 0.5.
        assert!((room((0.5, 2.0), 0.5) - 2.0).abs() < 1e-12);
        assert!((room((0.5, 2.0), 0.25) - 1.0).abs() < 1e-12);
        // Apex beyond the start (obtuse at the start): only the far side limits.
        assert!((room((-1.0, 2.0), 0.0) - 1.0).abs() < 1e-12);
        assert!((room((-1.0, 2.0), 0.5) - 0.5).abs() < 1e-12);
        assert_eq!(room((0.5, 2.0), 1.0), 0.0);
    }

    #[test]
    fn wiggle_stays_inside_its_triangles() {
        let from = Coord { x: 0.0, y: 0.0 };
        let to = Coord { x: 10.0, y: 0.0 };
        let left = Coord { x: 2.0, y: 1.0 };
        let right = Coord { x: 12.0, y: -3.0 };
        for key in 0..200 {
            let line = wiggle_between(from, to, left, right, 40, 7, key);
            assert_eq!(line.len(), 39);
            for p in line {
                let t = p.x / 10.0;
                assert!(p.y <= ENVELOPE * room((0.2, 1.0), t) + 1e-12, "{p:?}");
                assert!(-p.y <= ENVELOPE * room((1.2, 3.0), t) + 1e-12, "{p:?}");
            }
        }
    }
}
