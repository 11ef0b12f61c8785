//! How much of an area lies within R of a qualifying station, for many
//! radii at once, by classifying cells of the area against the distance
//! field — at a cost that follows the contours, not the station count.
//!
//! The distance to the nearest qualifying station is 1-Lipschitz: no
//! point of a cell whose centre is `d` from the nearest station and whose
//! farthest point is at most `h` from the centre is nearer than `d − h` or
//! farther than `d + h`. A cell is wholly within every radius `R ≥ d + h`
//! and wholly outside every `R < d − h`; only radii in between need more
//! work. Such cells are split in four (the area's rings clipped along)
//! down to [`LEAF_HALF_DIAGONAL_M`]. In a leaf, the stations that can
//! matter (within `d + 2h` of its centre) are placed in an azimuthal
//! equidistant frame around it — exact geodesic distance and azimuth — and
//! the covered part, the union of their disks ∩ the cell's piece of the
//! area, is measured exactly by Green's theorem over its boundary: the
//! disks' arcs inside the piece and outside the other disks, and the
//! piece's edges inside some disk. All radii, and the coverage curve's,
//! come out of one pass.
//!
//! Error bound (the report's `share_error_bound`, [`SHARE_ERROR_BOUND`]):
//! only the frames approximate. A piece's size is its lon/lat area scaled
//! at its centroid's latitude (second order: under 10⁻⁵ for cells below
//! 100 km). In a leaf, the piece's vertices are placed by an
//! equirectangular frame at its centre, off the azimuthal one by at most
//! h²(1 + |tan φ|)/R — under 0.5 m at 45° for h = 1 km, a 5·10⁻⁴ shear of
//! the leaf — and distances between points of the frame differ from the
//! geodesic by about h²·d/(6R²), under a millimetre. Together under 0.1 %
//! of an area; the tests measure it against exact references.

use std::collections::HashSet;
use std::rc::Rc;

use geo::orient::{Direction, Orient};
use geo::{BooleanOps, BoundingRect, Coord, MultiPolygon, Polygon, Rect};
use geographiclib_rs::{Geodesic, InverseGeodesic};

use crate::geodesy::LocalFrame;
use crate::index::StationIndex;

use super::circle::geodesic_circle;
use super::near::{self, Near};

/// Cells are split on the nearest-station distance down to this
/// half-diagonal (metres); a cell this small is measured exactly against
/// the stations that matter in it.
pub const LEAF_HALF_DIAGONAL_M: f64 = 1_000.0;

/// Splits at most this deep (a 1° cell becomes 10⁻¹⁵° wide): a guard
/// against rounding, never reached on real cells.
const MAX_DEPTH: u32 = 50;

/// The stated bound on a share's error, as a fraction of the area.
pub const SHARE_ERROR_BOUND: f64 = 0.001;

/// One area measured against the distance field.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// The area's size (m²) as the sum of its cells' pieces.
    pub area_m2: f64,
    /// Size within each radius (m²), in the order the radii were given.
    pub covered_m2: Vec<f64>,
    /// For the gap radius: the stations whose circles cover the area's
    /// covered part — the nearest to each wholly covered cell and the one
    /// reaching into each leaf. Their union is every qualifying station's
    /// union within the area (each covered point lies in one of them).
    pub gap_stations: Vec<u32>,
    /// For the gap radius: every cell was wholly within it, so the gap is
    /// empty — proven by the field, with no polygon to build.
    pub gap_free: bool,
    /// The centre of a cell wholly inside the area that is farthest from
    /// every qualifying station, with that distance: a good first guess
    /// for the worst-served point's search.
    pub farthest: Option<(Coord<f64>, f64)>,
    /// Cells visited.
    pub cells: u64,
    /// Leaves measured against their stations.
    pub leaves: u64,
}

/// Metres per degree, bounded from above: of latitude at most 111,700
/// (at the poles, 111,694); of longitude at most 111,320·cos φ at the
/// cell's equatorward edge.
const MAX_M_PER_DEG_LAT: f64 = 111_700.0;
const MAX_M_PER_DEG_LON_EQUATOR: f64 = 111_320.0;

/// An upper bound (metres) of the geodesic distance from a lon/lat
/// rectangle's centre to any point of it (1 % slack for the ellipsoid's
/// shape across the cell).
pub fn half_diagonal_m(rect: Rect<f64>) -> f64 {
    let equatorward = if rect.min().y <= 0.0 && rect.max().y >= 0.0 {
        0.0
    } else {
        rect.min().y.abs().min(rect.max().y.abs())
    };
    let half_x = rect.width() / 2.0 * MAX_M_PER_DEG_LON_EQUATOR * equatorward.to_radians().cos();
    let half_y = rect.height() / 2.0 * MAX_M_PER_DEG_LAT;
    1.01 * half_x.hypot(half_y)
}

/// The four quarters of a rectangle.
pub fn quarters(rect: Rect<f64>) -> [Rect<f64>; 4] {
    let (min, max, c) = (rect.min(), rect.max(), rect.center());
    [
        Rect::new(min, c),
        Rect::new(Coord { x: c.x, y: min.y }, Coord { x: max.x, y: c.y }),
        Rect::new(Coord { x: min.x, y: c.y }, Coord { x: c.x, y: max.y }),
        Rect::new(c, max),
    ]
}

/// A vector's length (`hypot` guards against overflow these metres never
/// come near, at several times the cost).
fn norm(v: Coord<f64>) -> f64 {
    (v.x * v.x + v.y * v.y).sqrt()
}

/// `c` in the azimuthal equidistant frame around `origin` (x east, y
/// north, metres).
fn aeqd(geod: &Geodesic, origin: Coord<f64>, c: Coord<f64>) -> Coord<f64> {
    let (dist, azi, _, _): (f64, f64, f64, f64) = geod.inverse(origin.y, origin.x, c.y, c.x);
    let (sin, cos) = azi.to_radians().sin_cos();
    Coord {
        x: dist * sin,
        y: dist * cos,
    }
}

/// A ring's signed area in its own units (counter-clockwise positive) and
/// the latitude-moment Σ(y_i + y_j)·cross, for the centroid's y.
fn ring_area(ring: &[Coord<f64>]) -> (f64, f64) {
    let mut a = 0.0;
    let mut my = 0.0;
    let n = ring.len();
    for i in 0..n {
        let (p, q) = (ring[i], ring[(i + 1) % n]);
        let cross = p.x * q.y - q.x * p.y;
        a += cross;
        my += (p.y + q.y) * cross;
    }
    (a / 2.0, my)
}

/// Sutherland–Hodgman: the ring clipped to an axis-aligned rectangle.
/// For a non-convex ring the result may carry doubled edges along the
/// rectangle's sides; its signed area is still that of ring ∩ rectangle.
fn clip_ring(ring: &[Coord<f64>], rect: Rect<f64>) -> Vec<Coord<f64>> {
    let (min, max) = (rect.min(), rect.max());
    let mut out: Vec<Coord<f64>> = ring.to_vec();
    for side in 0..4 {
        if out.len() < 3 {
            return Vec::new();
        }
        let input = std::mem::take(&mut out);
        let inside = |c: Coord<f64>| match side {
            0 => c.x >= min.x,
            1 => c.x <= max.x,
            2 => c.y >= min.y,
            _ => c.y <= max.y,
        };
        let cut = |a: Coord<f64>, b: Coord<f64>| match side {
            0 | 1 => {
                let x = if side == 0 { min.x } else { max.x };
                let t = (x - a.x) / (b.x - a.x);
                Coord {
                    x,
                    y: a.y + t * (b.y - a.y),
                }
            }
            _ => {
                let y = if side == 2 { min.y } else { max.y };
                let t = (y - a.y) / (b.y - a.y);
                Coord {
                    x: a.x + t * (b.x - a.x),
                    y,
                }
            }
        };
        let mut prev = input[input.len() - 1];
        for &cur in &input {
            match (inside(prev), inside(cur)) {
                (true, true) => out.push(cur),
                (false, true) => {
                    out.push(cut(prev, cur));
                    out.push(cur);
                }
                (true, false) => out.push(cut(prev, cur)),
                (false, false) => {}
            }
            prev = cur;
        }
    }
    if out.len() < 3 { Vec::new() } else { out }
}

/// A cell of the search: its rectangle, its depth, and the area's rings
/// clipped to it (`None` when the cell lies wholly inside the area).
struct Cell {
    rect: Rect<f64>,
    depth: u32,
    rings: Option<Vec<Vec<Coord<f64>>>>,
    /// The stations that can be nearest anywhere in the cell, when its
    /// parent handed them down ([`super::near`]).
    near: Option<Rc<Near>>,
}

/// A piece's size: planar lon/lat area and the latitude of its centroid.
struct Piece {
    deg2: f64,
    lat: f64,
}

impl Piece {
    fn m2(&self) -> f64 {
        let f = LocalFrame::new(Coord {
            x: 0.0,
            y: self.lat,
        });
        let one = f.to_local(Coord {
            x: 1.0,
            y: self.lat + 1.0,
        });
        self.deg2 * one.x * one.y
    }
}

fn piece(cell: &Cell) -> Option<Piece> {
    match &cell.rings {
        None => Some(Piece {
            deg2: cell.rect.width() * cell.rect.height(),
            lat: cell.rect.center().y,
        }),
        Some(rings) => {
            let (mut a, mut my) = (0.0, 0.0);
            for r in rings {
                let (ra, rm) = ring_area(r);
                a += ra;
                my += rm;
            }
            (a > 0.0).then(|| Piece {
                deg2: a,
                lat: my / (6.0 * a),
            })
        }
    }
}

/// Measures `area` against the nearest-station field of `index` for each
/// of `radii_m`; finds the stations covering it at `radii_m[gap]` when
/// asked.
pub fn measure(
    area: &MultiPolygon<f64>,
    radii_m: &[f64],
    gap: Option<usize>,
    index: &StationIndex,
) -> Measured {
    let mut out = Measured {
        covered_m2: vec![0.0; radii_m.len()],
        gap_free: gap.is_some(),
        ..Measured::default()
    };
    let Some(rect) = area.bounding_rect() else {
        return out;
    };
    let rings: Vec<Vec<Coord<f64>>> = area
        .iter()
        .flat_map(|p| {
            let p = p.orient(Direction::Default);
            let (ext, holes) = p.into_inner();
            std::iter::once(ext).chain(holes)
        })
        .map(|r| {
            let mut v = r.0;
            if v.len() > 1 && v.first() == v.last() {
                v.pop();
            }
            v
        })
        .filter(|v| v.len() >= 3)
        .collect();
    let geod = Geodesic::wgs84();
    let mut covering: HashSet<u32> = HashSet::new();
    let mut stack = vec![Cell {
        rect,
        depth: 0,
        rings: Some(rings),
        near: None,
    }];
    while let Some(mut cell) = stack.pop() {
        out.cells += 1;
        if let Some(rings) = &cell.rings {
            let clipped: Vec<Vec<Coord<f64>>> = rings
                .iter()
                .map(|r| clip_ring(r, cell.rect))
                .filter(|r| !r.is_empty())
                .collect();
            let a: f64 = clipped.iter().map(|r| ring_area(r).0).sum();
            let whole = cell.rect.width() * cell.rect.height();
            if a <= whole * 1e-12 {
                continue;
            }
            cell.rings = if a >= whole * (1.0 - 1e-12) {
                None
            } else {
                Some(clipped)
            };
        }
        let centre = cell.rect.center();
        let h = half_diagonal_m(cell.rect);
        let nearest = near::nearest(index, cell.near.as_deref(), centre);
        let d = nearest.map_or(f64::INFINITY, |n| n.distance_m);
        let unresolved = |r: f64| d - h <= r && r < d + h;
        let Some(p) = piece(&cell) else { continue };
        if cell.rings.is_none() && d.is_finite() && out.farthest.is_none_or(|(_, f)| d > f) {
            out.farthest = Some((centre, d));
        }
        if radii_m.iter().any(|&r| unresolved(r))
            && h > LEAF_HALF_DIAGONAL_M
            && cell.depth < MAX_DEPTH
        {
            let list = near::for_quarters(index, cell.near.as_deref(), centre, d, h).map(Rc::new);
            for q in quarters(cell.rect) {
                stack.push(Cell {
                    rect: q,
                    depth: cell.depth + 1,
                    rings: cell.rings.clone(),
                    near: list.clone(),
                });
            }
            continue;
        }
        let m2 = p.m2();
        out.area_m2 += m2;
        for (k, &r) in radii_m.iter().enumerate() {
            if d + h <= r {
                out.covered_m2[k] += m2;
                if gap == Some(k) {
                    covering.extend(nearest.map(|n| n.station));
                }
            } else if gap == Some(k) {
                out.gap_free = false;
            }
        }
        if !radii_m.iter().any(|&r| unresolved(r)) {
            continue;
        }
        // A leaf some contour crosses: the stations within d + 2h of its
        // centre (no other reaches it within an unresolved radius, which
        // is below d + h), in the frame around the centre.
        out.leaves += 1;
        let reach = (d + 2.0 * h) * 1.001 + 1.0;
        let mut near: Vec<(u32, Coord<f64>, f64)> = Vec::new();
        let mut place = |s: u32, at: Coord<f64>| {
            let at = aeqd(&geod, centre, at);
            let dist = norm(at);
            if dist <= reach {
                near.push((s, at, dist));
            }
        };
        match &cell.near {
            Some(list) => list
                .within(centre, reach)
                .iter()
                .for_each(|c| place(c.station, c.at)),
            None => index.candidates_near(centre, reach, |s| place(s, index.location(s))),
        }
        let frame = LocalFrame::new(centre);
        let corners = |r: Rect<f64>| {
            [
                r.min(),
                Coord {
                    x: r.max().x,
                    y: r.min().y,
                },
                r.max(),
                Coord {
                    x: r.min().x,
                    y: r.max().y,
                },
            ]
        };
        let local_rings: Vec<Vec<Coord<f64>>> = match &cell.rings {
            Some(rings) => rings
                .iter()
                .map(|r| r.iter().map(|&v| frame.to_local(v)).collect())
                .collect(),
            None => vec![
                corners(cell.rect)
                    .iter()
                    .map(|&v| frame.to_local(v))
                    .collect(),
            ],
        };
        let local_area: f64 = local_rings.iter().map(|r| ring_area(r).0).sum();
        if local_area <= 0.0 {
            continue;
        }
        for (k, &r) in radii_m.iter().enumerate() {
            if !unresolved(r) {
                continue;
            }
            let reaching: Vec<&(u32, Coord<f64>, f64)> =
                near.iter().filter(|s| s.2 - h <= r).collect();
            let centres: Vec<Coord<f64>> = reaching.iter().map(|s| s.1).collect();
            let inside = union_of_disks(&local_rings, &centres, r);
            out.covered_m2[k] += m2 * (inside / local_area).clamp(0.0, 1.0);
            if gap == Some(k) {
                covering.extend(reaching.iter().map(|s| s.0));
            }
        }
    }
    out.gap_stations = covering.into_iter().collect();
    out.gap_stations.sort_unstable();
    out
}

/// The area of (the union of the disks of radius `r` around `centres`) ∩
/// (the region the signed `rings` enclose), by Green's theorem: ½∮(x dy −
/// y dx) over the boundary of that intersection, which consists of the
/// circles' arcs inside the region and outside every other disk, and the
/// rings' edges inside some disk. Centres closer than 10⁻⁹·r are taken
/// once (their circles coincide).
pub fn union_of_disks(rings: &[Vec<Coord<f64>>], centres: &[Coord<f64>], r: f64) -> f64 {
    // Coinciding centres once: sorted by x, each compared with the kept
    // ones whose x is within the tolerance.
    let tol = 1e-9 * r;
    let mut sorted: Vec<Coord<f64>> = centres.to_vec();
    sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut cs: Vec<Coord<f64>> = Vec::with_capacity(sorted.len());
    for c in sorted {
        let same = cs
            .iter()
            .rev()
            .take_while(|k| c.x - k.x <= tol)
            .any(|&k| (k.y - c.y).abs() <= tol);
        if !same {
            cs.push(c);
        }
    }
    union_of_distinct_disks(rings, unburied(cs, r), r)
}

/// The centres whose disks can reach the boundary of the union of the
/// disks of radius `r` around `centres`; the others' disks lie inside the
/// union of the rest, which is therefore the same set.
///
/// Let δ bound every distance between centres, δ < r, and let c be deeper
/// inside the set's convex hull than δ²/(2r). For a point x = c + t·u of
/// c's disk (u a unit direction, 0 ≤ t ≤ r), the centre c* farthest along
/// u has D = u·(c* − c) ≥ the distance from c to the hull's boundary (the
/// supporting line in direction u lies beyond it), so D > δ²/(2r); and
/// |x − c*|² = t² − 2tD + |c* − c|², convex in t, is below r² at t = r
/// (r² − 2rD + δ²) and at most δ² < r² at t = 0: x is inside c*'s disk.
/// (No point of a hull is deeper than δ/2, so with δ ≥ r nothing would be
/// dropped anyway.) In a pile of stations a few metres apart only the
/// hull's corners remain.
fn unburied(cs: Vec<Coord<f64>>, r: f64) -> Vec<Coord<f64>> {
    use geo::{ConvexHull, MultiPoint};
    if cs.len() < 8 {
        return cs;
    }
    let hull = MultiPoint::from(cs.clone()).convex_hull();
    let ring = &hull.exterior().0;
    let Some(bounds) = hull.bounding_rect() else {
        return cs;
    };
    let delta = norm(bounds.max() - bounds.min());
    if delta >= r {
        return cs;
    }
    // A margin far above the rounding of the distances below.
    let depth = delta * delta / (2.0 * r) * (1.0 + 1e-9) + 1e-9 * (r + delta);
    let to_boundary = |p: Coord<f64>| {
        ring.windows(2)
            .map(|w| {
                let (a, b) = (w[0], w[1]);
                let d = b - a;
                let len_sq = d.x * d.x + d.y * d.y;
                let t = if len_sq > 0.0 {
                    (((p - a).x * d.x + (p - a).y * d.y) / len_sq).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                norm(p - (a + d * t))
            })
            .fold(f64::INFINITY, f64::min)
    };
    cs.into_iter()
        .filter(|&c| to_boundary(c) <= depth)
        .collect()
}

/// [`union_of_disks`] for centres that are distinct (no two within 10⁻⁹·r).
fn union_of_distinct_disks(rings: &[Vec<Coord<f64>>], mut cs: Vec<Coord<f64>>, r: f64) -> f64 {
    if cs.is_empty() {
        return 0.0;
    }
    let r2 = r * r;
    let winding = |p: Coord<f64>| -> i32 {
        let mut w = 0;
        for ring in rings {
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                let side = (b.x - a.x) * (p.y - a.y) - (p.x - a.x) * (b.y - a.y);
                if a.y <= p.y {
                    if b.y > p.y && side > 0.0 {
                        w += 1;
                    }
                } else if b.y <= p.y && side < 0.0 {
                    w -= 1;
                }
            }
        }
        w
    };
    // Where segment a→b meets the circle around c: parameters in (0, 1).
    let meets = |a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, out: &mut Vec<f64>| {
        let d = b - a;
        let f = a - c;
        let qa = d.x * d.x + d.y * d.y;
        if qa == 0.0 {
            return;
        }
        let qb = f.x * d.x + f.y * d.y;
        let qc = f.x * f.x + f.y * f.y - r2;
        let disc = qb * qb - qa * qc;
        if disc <= 0.0 {
            return;
        }
        let root = disc.sqrt();
        for t in [(-qb - root) / qa, (-qb + root) / qa] {
            if t > 0.0 && t < 1.0 {
                out.push(t);
            }
        }
    };
    let mut total = 0.0;
    // The rings' edges: the parts inside some disk (the union of each
    // disk's chord interval along the edge) are on the boundary.
    let mut ts: Vec<f64> = Vec::new();
    let mut spans: Vec<(f64, f64)> = Vec::new();
    for ring in rings {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            let d = b - a;
            let qa = d.x * d.x + d.y * d.y;
            if qa == 0.0 {
                continue;
            }
            spans.clear();
            for &c in &cs {
                let f = a - c;
                let qb = f.x * d.x + f.y * d.y;
                let qc = f.x * f.x + f.y * f.y - r2;
                let disc = qb * qb - qa * qc;
                if disc > 0.0 {
                    let root = disc.sqrt();
                    let lo = ((-qb - root) / qa).max(0.0);
                    let hi = ((-qb + root) / qa).min(1.0);
                    if hi > lo {
                        spans.push((lo, hi));
                    }
                }
            }
            spans.sort_by(|x, y| x.0.total_cmp(&y.0));
            let mut open: Option<(f64, f64)> = None;
            let mut add = |lo: f64, hi: f64| {
                let p = a + d * lo;
                let q = a + d * hi;
                total += (p.x * q.y - q.x * p.y) / 2.0;
            };
            for &(lo, hi) in &spans {
                open = match open {
                    Some((l, h)) if lo <= h => Some((l, h.max(hi))),
                    Some((l, h)) => {
                        add(l, h);
                        Some((lo, hi))
                    }
                    None => Some((lo, hi)),
                };
            }
            if let Some((l, h)) = open {
                add(l, h);
            }
        }
    }
    // The circles: on each, the arcs outside every other disk (the
    // complement of the intervals the others cover, found by sorting
    // them), cut where the rings' edges cross; an arc inside the region is
    // on the boundary (counter-clockwise).
    let tau = std::f64::consts::TAU;
    let mut covered: Vec<(f64, f64)> = Vec::new();
    let mut free: Vec<(f64, f64)> = Vec::new();
    let mut cuts: Vec<f64> = Vec::new();
    // A circle in a pile is usually covered all round after a few of its
    // neighbours: 64 angular bins, each set when one interval holds it
    // whole, stop the scan once all are set.
    const BINS: f64 = 64.0;
    let bin = tau / BINS;
    let mark = |mask: &mut u64, lo: f64, hi: f64| {
        let first = ((lo / bin).ceil() as i64).max(0);
        let last = ((hi / bin).floor() as i64 - 1).min(63);
        if first <= last {
            let upto = if last == 63 {
                u64::MAX
            } else {
                (1u64 << (last + 1)) - 1
            };
            *mask |= upto & !((1u64 << first) - 1);
        }
    };
    // Neighbours are scanned from the outside of the group in (farthest
    // from its mean first): a circle inside a pile meets neighbours on
    // every side early, and its scan stops.
    let mean = cs.iter().fold(Coord { x: 0.0, y: 0.0 }, |m, &c| m + c) / cs.len() as f64;
    cs.sort_by(|a, b| norm(*b - mean).total_cmp(&norm(*a - mean)));
    for (i, &c) in cs.iter().enumerate() {
        covered.clear();
        let mut mask = 0u64;
        for (j, &o) in cs.iter().enumerate() {
            let v = o - c;
            let dist = norm(v);
            if j != i && dist < 2.0 * r {
                let base = v.y.atan2(v.x).rem_euclid(tau);
                let spread = (dist / (2.0 * r)).acos();
                let (lo, hi) = (base - spread, base + spread);
                let parts = if lo < 0.0 {
                    [(lo + tau, tau), (0.0, hi)]
                } else if hi > tau {
                    [(lo, tau), (0.0, hi - tau)]
                } else {
                    [(lo, hi), (lo, hi)]
                };
                for (lo, hi) in parts {
                    covered.push((lo, hi));
                    mark(&mut mask, lo, hi);
                }
                if mask == u64::MAX {
                    break;
                }
            }
        }
        if mask == u64::MAX {
            continue;
        }
        covered.sort_by(|a, b| a.0.total_cmp(&b.0));
        free.clear();
        let mut at = 0.0;
        for &(lo, hi) in &covered {
            if lo > at {
                free.push((at, lo));
            }
            at = f64::max(at, hi);
        }
        if at < tau {
            free.push((at, tau));
        }
        if free.is_empty() {
            continue;
        }
        cuts.clear();
        for ring in rings {
            let n = ring.len();
            for e in 0..n {
                let (a, b) = (ring[e], ring[(e + 1) % n]);
                ts.clear();
                meets(a, b, c, &mut ts);
                for &t in &ts {
                    let p = a + (b - a) * t - c;
                    cuts.push(p.y.atan2(p.x).rem_euclid(tau));
                }
            }
        }
        cuts.sort_by(f64::total_cmp);
        for &(lo, hi) in &free {
            let inner = cuts.iter().copied().filter(|&t| t > lo && t < hi);
            let mut from = lo;
            for to in inner.chain(std::iter::once(hi)) {
                if to > from {
                    let mid = (from + to) / 2.0;
                    let m = Coord {
                        x: c.x + r * mid.cos(),
                        y: c.y + r * mid.sin(),
                    };
                    if winding(m) > 0 {
                        let (s1, c1) = from.sin_cos();
                        let (s2, c2) = to.sin_cos();
                        total +=
                            (r2 * (to - from) + c.x * r * (s2 - s1) - c.y * r * (c2 - c1)) / 2.0;
                    }
                }
                from = to;
            }
        }
    }
    total
}

/// The gap: the area less the circles of `radius_m` around the
/// stations [`measure`] found covering it (geodesic 72-gons, inscribed:
/// a gap can be over-stated by 0.13 % of a circle along its arcs).
pub fn gap_polygon(
    area: &MultiPolygon<f64>,
    stations: &[u32],
    radius_m: f64,
    index: &StationIndex,
) -> MultiPolygon<f64> {
    if stations.is_empty() {
        return area.clone();
    }
    let circles: Vec<Polygon<f64>> = stations
        .iter()
        .map(|&s| geodesic_circle(index.location(s), radius_m))
        .collect();
    area.difference(&geo::unary_union(circles.iter()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    // The single-disk case another way, for comparison: a signed
    // disk–triangle fan from the disk's centre.
    /// The signed area of a disk of radius `r` around the origin intersected
    /// with the triangle (origin, a, b): positive when a → b turns
    /// counter-clockwise around the origin.
    fn disk_triangle(a: Coord<f64>, b: Coord<f64>, r: f64) -> f64 {
        let d = b - a;
        let qa = d.x * d.x + d.y * d.y;
        if qa == 0.0 {
            return 0.0;
        }
        let qb = a.x * d.x + a.y * d.y;
        let qc = a.x * a.x + a.y * a.y - r * r;
        let disc = qb * qb - qa * qc;
        let mut ts = [0.0, 1.0, 1.0, 1.0];
        let mut n = 1;
        if disc > 0.0 {
            let root = disc.sqrt();
            for t in [(-qb - root) / qa, (-qb + root) / qa] {
                if t > 0.0 && t < 1.0 {
                    ts[n] = t;
                    n += 1;
                }
            }
        }
        ts[n] = 1.0;
        let at = |t: f64| Coord {
            x: a.x + t * d.x,
            y: a.y + t * d.y,
        };
        let r2 = r * r;
        (0..n)
            .map(|k| {
                let (p, q) = (at(ts[k]), at(ts[k + 1]));
                let cross = p.x * q.y - q.x * p.y;
                let mid = (p + q) / 2.0;
                if mid.x * mid.x + mid.y * mid.y <= r2 {
                    cross / 2.0
                } else {
                    r2 / 2.0 * cross.atan2(p.x * q.x + p.y * q.y)
                }
            })
            .sum()
    }

    /// The signed area of (disk ∩ the region a ring encloses), the ring's
    /// vertices relative to the disk's centre. Additive over edges like the
    /// shoelace formula, so it holds for any simple ring and for the
    /// degenerate rings clipping leaves (their doubled edges cancel).
    fn disk_ring(ring: &[Coord<f64>], r: f64) -> f64 {
        let n = ring.len();
        (0..n)
            .map(|i| disk_triangle(ring[i], ring[(i + 1) % n], r))
            .sum()
    }

    fn square(s: f64, cx: f64, cy: f64) -> Vec<Coord<f64>> {
        vec![
            Coord {
                x: cx - s,
                y: cy - s,
            },
            Coord {
                x: cx + s,
                y: cy - s,
            },
            Coord {
                x: cx + s,
                y: cy + s,
            },
            Coord {
                x: cx - s,
                y: cy + s,
            },
        ]
    }

    /// Two disks of radius r with centres c apart: union 2πr² − lens,
    /// lens = 2r²·acos(c/2r) − (c/2)·√(4r² − c²) (by hand); inside a big
    /// square, all of it; in the half-plane y ≥ 0 through both centres,
    /// half; one disk alone agrees with the disk–triangle fan.
    #[test]
    fn union_of_disks_by_hand() {
        let pi = std::f64::consts::PI;
        let (r, c) = (1.0f64, 1.2f64);
        let lens = 2.0 * r * r * (c / (2.0 * r)).acos() - c / 2.0 * (4.0 * r * r - c * c).sqrt();
        let union = 2.0 * pi * r * r - lens;
        let centres = [Coord { x: 0.0, y: 0.0 }, Coord { x: c, y: 0.0 }];
        let big = vec![square(10.0, 0.0, 0.0)];
        assert!((union_of_disks(&big, &centres, r) - union).abs() < 1e-12);
        let upper = vec![vec![
            Coord { x: -5.0, y: 0.0 },
            Coord { x: 5.0, y: 0.0 },
            Coord { x: 5.0, y: 5.0 },
            Coord { x: -5.0, y: 5.0 },
        ]];
        assert!((union_of_disks(&upper, &centres, r) - union / 2.0).abs() < 1e-12);
        // A duplicated centre counts once; a disk inside another adds
        // nothing.
        let dup = [centres[0], centres[0], centres[1]];
        assert!((union_of_disks(&big, &dup, r) - union).abs() < 1e-12);
        // One disk against odd pieces: the fan's answer.
        for (ring, at, tolerance) in [
            (square(0.7, 0.25, 0.1), Coord { x: 0.0, y: 0.0 }, 1e-12),
            (square(2.0, 1.5, -0.4), Coord { x: 0.2, y: 0.9 }, 1e-12),
            // An edge tangent to the circle (x = 1): the touching point is
            // found to √ε, a sliver of 10⁻⁸·r² either way.
            (square(0.7, 0.3, 0.1), Coord { x: 0.0, y: 0.0 }, 1e-7),
        ] {
            let rel: Vec<Coord<f64>> = ring.iter().map(|&v| v - at).collect();
            let fan = disk_ring(&rel, r);
            let ours = union_of_disks(&[ring], &[at], r);
            assert!((fan - ours).abs() < tolerance, "{fan} vs {ours}");
        }
        // A hole (clockwise ring) in the big square around the first
        // centre: the union less the hole's square (wholly inside disk 1).
        let mut hole = square(0.3, 0.0, 0.0);
        hole.reverse();
        let holed = vec![square(10.0, 0.0, 0.0), hole];
        assert!((union_of_disks(&holed, &centres, r) - (union - 0.36)).abs() < 1e-12);
    }

    proptest::proptest! {
        /// Dropping the buried disks leaves the union as it was: piles a
        /// few metres wide and spread-out sets, against the union of
        /// every disk, clipped by a square that may cut through them.
        #[test]
        fn buried_disks_change_nothing(
            points in proptest::collection::vec((-1.0f64..1.0, -1.0f64..1.0), 8..300),
            spread in proptest::sample::select(vec![3.0, 300.0, 3_000.0]),
            r in proptest::sample::select(vec![500.0, 2_000.0, 10_000.0]),
            (sx, sy, side) in (-3_000.0f64..3_000.0, -3_000.0f64..3_000.0, 100.0f64..4_000.0),
        ) {
            let centres: Vec<Coord<f64>> = points
                .iter()
                .map(|&(x, y)| Coord { x: x * spread, y: y * spread })
                .collect();
            let ring = square(side, sx + r * 0.9, sy);
            let kept = unburied(centres.clone(), r);
            let filtered = union_of_disks(std::slice::from_ref(&ring), &centres, r);
            let every = union_of_distinct_disks(std::slice::from_ref(&ring), centres, r);
            proptest::prop_assert!(
                (filtered - every).abs() <= 1e-9 * every.max(1.0),
                "{} vs {} ({} kept)", filtered, every, kept.len()
            );
        }
    }

    /// A pile keeps only its hull's corners (and what lies within δ²/2r of
    /// the hull's edges): 2,000 centres in a 3 m square, r = 2 km, keep
    /// the few on or within 2 mm of its boundary.
    #[test]
    fn a_pile_keeps_its_edge() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let centres: Vec<Coord<f64>> = (0..2_000)
            .map(|_| Coord {
                x: 3.0 * next(),
                y: 3.0 * next(),
            })
            .collect();
        let kept = unburied(centres, 2_000.0);
        assert!(kept.len() < 60, "{} kept", kept.len());
    }

    /// Many overlapping disks against a fine grid count (an independent
    /// estimate): within the grid's resolution.
    #[test]
    fn union_of_many_disks_matches_a_grid_count() {
        let centres: Vec<Coord<f64>> = (0..12)
            .map(|k| {
                let t = k as f64 * 0.7;
                Coord {
                    x: 1.3 * t.cos() + 0.2 * k as f64 - 1.0,
                    y: 1.1 * (1.7 * t).sin(),
                }
            })
            .collect();
        // An L-shaped piece.
        let ring = vec![
            Coord { x: -2.0, y: -2.0 },
            Coord { x: 2.0, y: -2.0 },
            Coord { x: 2.0, y: 0.3 },
            Coord { x: 0.1, y: 0.3 },
            Coord { x: 0.1, y: 2.0 },
            Coord { x: -2.0, y: 2.0 },
        ];
        let r = 0.6;
        let ours = union_of_disks(std::slice::from_ref(&ring), &centres, r);
        let n = 2000;
        let step = 4.0 / n as f64;
        let mut count = 0usize;
        for i in 0..n {
            for j in 0..n {
                let p = Coord {
                    x: -2.0 + (i as f64 + 0.5) * step,
                    y: -2.0 + (j as f64 + 0.5) * step,
                };
                let in_l = !(p.x > 0.1 && p.y > 0.3);
                if in_l && centres.iter().any(|&c| norm(p - c) < r) {
                    count += 1;
                }
            }
        }
        let grid = count as f64 * step * step;
        assert!((ours - grid).abs() < 2e-3, "{ours} vs {grid}");
    }

    /// A disk wholly inside a square: its area; a square wholly inside
    /// the disk: the square's; half-plane cuts through the centre: half.
    #[test]
    fn disk_and_ring_areas_by_hand() {
        let pi = std::f64::consts::PI;
        // Disk of radius 1 inside a 10 × 10 square around it: π.
        assert!((disk_ring(&square(5.0, 0.0, 0.0), 1.0) - pi).abs() < 1e-12);
        // A 1 × 1 square inside a disk of radius 2: 1.
        assert!((disk_ring(&square(0.5, 0.3, -0.2), 2.0) - 1.0).abs() < 1e-12);
        // The square [0, 10] × [-5, 5] holds the right half of the disk.
        assert!((disk_ring(&square(5.0, 5.0, 0.0), 1.0) - pi / 2.0).abs() < 1e-12);
        // The quadrant [0, 5]²: a quarter.
        assert!((disk_ring(&square(2.5, 2.5, 2.5), 1.0) - pi / 4.0).abs() < 1e-12);
        // A strip 0 ≤ y ≤ 0.5 across the unit disk: the segment formula
        // r²·asin(y) + y·√(1 − y²) from 0 to 0.5 (by hand: ½·… doubled).
        let strip = vec![
            Coord { x: -3.0, y: 0.0 },
            Coord { x: 3.0, y: 0.0 },
            Coord { x: 3.0, y: 0.5 },
            Coord { x: -3.0, y: 0.5 },
        ];
        let expected = 0.5f64.asin() + 0.5 * (0.75f64).sqrt();
        assert!((disk_ring(&strip, 1.0) - expected).abs() < 1e-12);
        // Clockwise: negative.
        let mut cw = square(5.0, 0.0, 0.0);
        cw.reverse();
        assert!((disk_ring(&cw, 1.0) + pi).abs() < 1e-12);
    }

    /// A concave ring (an L) clipped to a box that cuts both arms: the
    /// area is what is left by hand.
    #[test]
    fn clipping_a_concave_ring_keeps_its_area() {
        // L: [0,2]×[0,1] ∪ [0,1]×[1,2], area 3.
        let l = vec![
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 2.0, y: 0.0 },
            Coord { x: 2.0, y: 1.0 },
            Coord { x: 1.0, y: 1.0 },
            Coord { x: 1.0, y: 2.0 },
            Coord { x: 0.0, y: 2.0 },
        ];
        assert!((ring_area(&l).0 - 3.0).abs() < 1e-12);
        // The box [0.5, 1.5]² holds 3 of the 4 quarter squares: 0.75.
        let r = Rect::new(Coord { x: 0.5, y: 0.5 }, Coord { x: 1.5, y: 1.5 });
        assert!((ring_area(&clip_ring(&l, r)).0 - 0.75).abs() < 1e-12);
        // A box [1.2, 1.8] × [1.2, 1.8] in the L's notch: nothing.
        let r = Rect::new(Coord { x: 1.2, y: 1.2 }, Coord { x: 1.8, y: 1.8 });
        assert!(ring_area(&clip_ring(&l, r)).0.abs() < 1e-12);
    }

    /// A 0.01° square (about 1.1 km) around a station at its centre: its
    /// farthest corner is under 800 m away (0.005° · 111.3 km · √2), so at
    /// 1 km the field proves the gap empty with no polygon; at 300 m the
    /// corners are uncovered and the gap is built, and its size is the
    /// square less the disk (π · 300² of about 1.2 km²).
    #[test]
    fn a_wholly_covered_area_needs_no_gap_polygon() {
        let (cx, cy) = (10.0, 0.0);
        let block = polygon![
            (x: cx - 0.005, y: cy - 0.005),
            (x: cx + 0.005, y: cy - 0.005),
            (x: cx + 0.005, y: cy + 0.005),
            (x: cx - 0.005, y: cy + 0.005),
        ];
        let area = MultiPolygon::new(vec![block]);
        let index = StationIndex::new([Coord { x: cx, y: cy }], &[true]);
        let covered = measure(&area, &[1_000.0], Some(0), &index);
        assert!(covered.gap_free);
        assert!((covered.covered_m2[0] - covered.area_m2).abs() < 1e-6 * covered.area_m2);
        let partly = measure(&area, &[300.0], Some(0), &index);
        assert!(!partly.gap_free);
        let gap = gap_polygon(&area, &partly.gap_stations, 300.0, &index);
        let gap_m2 = super::super::geodesic_m2(&gap);
        let want = partly.area_m2 - std::f64::consts::PI * 300.0 * 300.0;
        // The 72-gon's area is 0.13 % under the disk's.
        assert!(
            (gap_m2 - want).abs() < 0.002 * partly.area_m2,
            "{gap_m2} vs {want}"
        );
    }
}
