//! The pole of inaccessibility of a polygon: the interior point farthest
//! from its boundary, found to a tolerance by best-first subdivision of
//! square cells (the method of Mapbox's polylabel, 2016).
//!
//! The polylabel crate implements the same search, but measures each
//! edge with `hypot` and took 40 % of a national run; here distances are
//! compared squared, with one square root per cell, which is about five
//! times faster on 50–400-vertex townships. Planar coordinates only: the
//! caller works in a local metric frame.

use std::collections::BinaryHeap;

use geo::{BoundingRect, Centroid, Coord, Polygon};

use crate::index::keyed::Keyed;

/// Cells examined at most, so that a pathological ring cannot stall a run.
const MAX_CELLS: usize = 100_000;

/// The most squares the first grid has along the box's long side.
const INITIAL_CELLS_PER_SIDE: f64 = 4096.0;

/// The polygon's boundary as segments, for signed distances, with what
/// each distance needs worked out once: its start, its direction and the
/// inverse of its squared length (the search measures every segment from
/// dozens of cell centres: 119 million measurements on a national run).
/// Held column by column, so that the distance loop runs four segments at
/// a time in vector registers.
struct Outline {
    ax: Vec<f64>,
    ay: Vec<f64>,
    /// The end's y, for the crossing test.
    by: Vec<f64>,
    dx: Vec<f64>,
    dy: Vec<f64>,
    /// 1 / |d|², or 0 for a segment of no length (then `t` is 0).
    inv_len_sq: Vec<f64>,
}

impl Outline {
    fn new(polygon: &Polygon<f64>) -> Self {
        let mut o = Outline {
            ax: Vec::new(),
            ay: Vec::new(),
            by: Vec::new(),
            dx: Vec::new(),
            dy: Vec::new(),
            inv_len_sq: Vec::new(),
        };
        let segments = std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .flat_map(|ring| ring.0.windows(2));
        for w in segments {
            let (a, b) = (w[0], w[1]);
            let d = b - a;
            let len_sq = d.x * d.x + d.y * d.y;
            o.ax.push(a.x);
            o.ay.push(a.y);
            o.by.push(b.y);
            o.dx.push(d.x);
            o.dy.push(d.y);
            o.inv_len_sq
                .push(if len_sq > 0.0 { 1.0 / len_sq } else { 0.0 });
        }
        o
    }

    /// Distance from `p` to the boundary: positive inside, negative outside
    /// (even–odd rule over all rings, so holes are outside).
    fn signed_distance(&self, p: Coord<f64>) -> f64 {
        let n = self.ax.len();
        let (ax, ay, by) = (&self.ax[..n], &self.ay[..n], &self.by[..n]);
        let (dx, dy, inv) = (&self.dx[..n], &self.dy[..n], &self.inv_len_sq[..n]);
        let distance_sq = |j: usize| {
            let (vx, vy) = (p.x - ax[j], p.y - ay[j]);
            let t = ((vx * dx[j] + vy * dy[j]) * inv[j]).clamp(0.0, 1.0);
            let (ex, ey) = (t * dx[j] - vx, t * dy[j] - vy);
            ex * ex + ey * ey
        };
        // Four running minima (the minimum does not depend on the order).
        let mut best = [f64::INFINITY; 4];
        let whole = n - n % 4;
        for j in (0..whole).step_by(4) {
            for (k, b) in best.iter_mut().enumerate() {
                *b = b.min(distance_sq(j + k));
            }
        }
        let mut best = best.into_iter().fold(f64::INFINITY, f64::min);
        for j in whole..n {
            best = best.min(distance_sq(j));
        }
        let mut inside = false;
        for j in 0..n {
            if (ay[j] > p.y) != (by[j] > p.y) && p.x < dx[j] * (p.y - ay[j]) / dy[j] + ax[j] {
                inside = !inside;
            }
        }
        let d = best.sqrt();
        if inside { d } else { -d }
    }
}

/// A square cell: its centre, half its side, the centre's signed distance
/// and the most any point of the cell could have.
#[derive(Clone, Copy)]
struct Cell {
    centre: Coord<f64>,
    half: f64,
    distance: f64,
    potential: f64,
}

impl Cell {
    fn new(centre: Coord<f64>, half: f64, outline: &Outline) -> Self {
        let distance = outline.signed_distance(centre);
        Cell {
            centre,
            half,
            distance,
            potential: distance + half * std::f64::consts::SQRT_2,
        }
    }
}

/// The point of `polygon` farthest from its boundary, to within
/// `tolerance` (in the polygon's units); `None` for a polygon without
/// extent.
pub fn pole_of_inaccessibility(polygon: &Polygon<f64>, tolerance: f64) -> Option<Coord<f64>> {
    let rect = polygon.bounding_rect()?;
    let (short, long) = (
        rect.width().min(rect.height()),
        rect.width().max(rect.height()),
    );
    if !(short > 0.0 && tolerance > 0.0) {
        return None;
    }
    // Squares as wide as the box's short side — but no more of them along
    // its long side than the search may examine in all: a sliver 1e-9°
    // tall and 360° wide would otherwise ask for 3.6e11 of them.
    let side = short.max(long / INITIAL_CELLS_PER_SIDE);
    let outline = Outline::new(polygon);
    let half = side / 2.0;
    let mut queue = BinaryHeap::new();
    // Counted, not stepped: a side below the coordinates' precision would
    // never move a running sum.
    let count =
        |extent: f64| ((extent / side).ceil() as usize).clamp(1, INITIAL_CELLS_PER_SIDE as usize);
    for row in 0..count(rect.height()) {
        for column in 0..count(rect.width()) {
            let cell = Cell::new(
                Coord {
                    x: rect.min().x + (column as f64 + 0.5) * side,
                    y: rect.min().y + (row as f64 + 0.5) * side,
                },
                half,
                &outline,
            );
            queue.push(Keyed(cell.potential, cell));
        }
    }
    // Start from the better of the centroid and the box's centre.
    let mut best = Cell::new(rect.center(), 0.0, &outline);
    if let Some(c) = polygon.centroid() {
        let at_centroid = Cell::new(c.0, 0.0, &outline);
        if at_centroid.distance > best.distance {
            best = at_centroid;
        }
    }
    let mut examined = queue.len();
    while let Some(Keyed(_, cell)) = queue.pop() {
        if cell.distance > best.distance {
            best = cell;
        }
        if cell.potential - best.distance <= tolerance || examined >= MAX_CELLS {
            continue;
        }
        let h = cell.half / 2.0;
        for (dx, dy) in [(-h, -h), (h, -h), (-h, h), (h, h)] {
            let centre = Coord {
                x: cell.centre.x + dx,
                y: cell.centre.y + dy,
            };
            let child = Cell::new(centre, h, &outline);
            queue.push(Keyed(child.potential, child));
        }
        examined += 4;
    }
    Some(best.centre)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, LineString, polygon};

    #[test]
    fn a_sliver_starts_from_a_bounded_grid() {
        // 360° by 1e-9°: squares of the short side would number 3.6e11
        // (the fuzzer's out-of-memory finding); the grid is capped at 4,096
        // along the long side and the answer still lies inside, on the
        // sliver's midline to within its height.
        let r = polygon![(x: -180.0, y: 0.0), (x: 180.0, y: 0.0), (x: 180.0, y: 1e-9), (x: -180.0, y: 1e-9), (x: -180.0, y: 0.0)];
        let p = pole_of_inaccessibility(&r, 1e-12).unwrap();
        assert!((0.0..=1e-9).contains(&p.y), "{p:?}");
        assert!((-180.0..=180.0).contains(&p.x), "{p:?}");
    }

    #[test]
    fn a_box_narrower_than_its_coordinates_precision_ends() {
        // 3e-14° wide at 180°: one ulp of 180 is 2.8e-14, so a grid
        // stepped by adding its side could stand still forever.
        let (a, b) = (180.0 - 3e-14, 180.0);
        let r = polygon![(x: a, y: 0.0), (x: b, y: 0.0), (x: b, y: 1.0), (x: a, y: 1.0), (x: a, y: 0.0)];
        let p = pole_of_inaccessibility(&r, 1e-15).unwrap();
        assert!((0.0..=1.0).contains(&p.y), "{p:?}");
    }

    #[test]
    fn centre_of_a_rectangle() {
        let r = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 2.0), (x: 0.0, y: 2.0), (x: 0.0, y: 0.0)];
        let p = pole_of_inaccessibility(&r, 1e-3).unwrap();
        assert!((p.y - 1.0).abs() < 1e-3, "{p:?}");
        assert!((1.0..=3.0).contains(&p.x), "{p:?}");
    }

    #[test]
    fn avoids_a_hole_in_the_middle() {
        // A 10 × 10 square with a 6 × 6 hole in the middle: the pole is in
        // a corner of the 2-wide frame, on the diagonal at x where the outer
        // edges (10 − x) and the hole's corner (√2·(x − 8)) are equally far:
        // x = (10 + 8√2)/(1 + √2), distance 10 − x ≈ 1.1716.
        let hole = LineString::from(vec![
            (2.0, 2.0),
            (8.0, 2.0),
            (8.0, 8.0),
            (2.0, 8.0),
            (2.0, 2.0),
        ]);
        let mut square = polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)];
        square.interiors_push(hole);
        let p = pole_of_inaccessibility(&square, 1e-3).unwrap();
        assert!(square.contains(&p), "{p:?}");
        let outline = Outline::new(&square);
        let s2 = std::f64::consts::SQRT_2;
        let best = 10.0 - (10.0 + 8.0 * s2) / (1.0 + s2);
        let d = outline.signed_distance(p);
        assert!(d <= best + 1e-9 && d >= best - 1e-3, "{p:?} {d} {best}");
    }

    #[test]
    fn within_tolerance_of_the_best_on_an_l_shape() {
        // The L's widest spot is in its corner square, on the diagonal at x
        // where the outer edges (x) and the reflex corner (4, 4) (√2·(4 − x))
        // are equally far: x = 4√2/(1 + √2) ≈ 2.343.
        let l = polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 4.0), (x: 4.0, y: 4.0),
            (x: 4.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)];
        let p = pole_of_inaccessibility(&l, 0.01).unwrap();
        let d = Outline::new(&l).signed_distance(p);
        let s2 = std::f64::consts::SQRT_2;
        let best = 4.0 * s2 / (1.0 + s2);
        assert!(d >= best - 0.01 && d <= best + 1e-9, "{p:?} {d} {best}");
    }

    #[test]
    fn a_flat_polygon_has_none() {
        let flat = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 0.0, y: 0.0)];
        assert_eq!(pole_of_inaccessibility(&flat, 1e-3), None);
    }

    proptest::proptest! {
        /// Agrees with the polylabel crate (the reference implementation
        /// of the method) to within the tolerance, on star-shaped rings.
        #[test]
        fn as_good_as_polylabel(radii in proptest::collection::vec(1.0f64..10.0, 5..60)) {
            let n = radii.len();
            let mut ring: Vec<(f64, f64)> = radii.iter().enumerate().map(|(k, r)| {
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                (r * a.cos(), r * a.sin())
            }).collect();
            ring.push(ring[0]);
            let polygon = Polygon::new(LineString::from(ring), vec![]);
            let tolerance = 0.05;
            let ours = pole_of_inaccessibility(&polygon, tolerance).unwrap();
            let theirs = polylabel::polylabel(&polygon, &tolerance).unwrap();
            let outline = Outline::new(&polygon);
            let (d_ours, d_theirs) = (outline.signed_distance(ours), outline.signed_distance(theirs.0));
            proptest::prop_assert!(d_ours > 0.0);
            proptest::prop_assert!((d_ours - d_theirs).abs() <= tolerance + 1e-9, "{} vs {}", d_ours, d_theirs);
        }
    }
}
