//! An area prepared for many point-in-area tests.
//!
//! geo's `Intersects<Coord>` walks every edge of every ring (and computes
//! the bounding box again) for each point. An area is tested against all
//! the stations in its bounding box — about a hundred on a national run —
//! so here each ring's edges are sorted once into horizontal bands, and a
//! point only looks at the edges of its band. Whether an edge can matter
//! depends only on its y-range containing the point's y, so skipping the
//! other edges changes nothing: within the band, each edge is judged by
//! geo's own winding-number rules with the same robust orientation test,
//! and the verdict — inside, on the boundary, or outside — is geo's.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, LineString, MultiPolygon};

/// At most this many bands per ring.
const MAX_BANDS: usize = 64;
/// About this many edges per band.
const EDGES_PER_BAND: usize = 4;

/// A ring with its edges sorted into horizontal bands.
struct Ring<'a> {
    coords: &'a [Coord<f64>],
    south: f64,
    north: f64,
    /// Bands per unit of y.
    scale: f64,
    bands: usize,
    /// Band b's edges are `edges[starts[b]..starts[b + 1]]`; edge i runs
    /// from `coords[i]` to `coords[i + 1]`.
    starts: Vec<u32>,
    edges: Vec<u32>,
}

/// Where a point lies with respect to a ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RingSide {
    Inside,
    OnBoundary,
    Outside,
}

impl<'a> Ring<'a> {
    fn new(ring: &'a LineString<f64>) -> Self {
        let coords = ring.0.as_slice();
        let n_edges = coords.len().saturating_sub(1);
        let (south, north) = coords
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(s, n), c| {
                (s.min(c.y), n.max(c.y))
            });
        let bands = (n_edges / EDGES_PER_BAND).clamp(1, MAX_BANDS);
        let height = north - south;
        let scale = if height > 0.0 {
            bands as f64 / height
        } else {
            0.0
        };
        let mut ring = Ring {
            coords,
            south,
            north,
            scale,
            bands,
            starts: Vec::new(),
            edges: Vec::new(),
        };
        // Counting pass, then filling pass (compressed rows).
        let mut counts = vec![0u32; bands + 1];
        for w in coords.windows(2) {
            let (lo, hi) = ring.band_range(w[0].y, w[1].y);
            for b in lo..=hi {
                counts[b + 1] += 1;
            }
        }
        for b in 0..bands {
            counts[b + 1] += counts[b];
        }
        let mut fill = counts.clone();
        let mut edges = vec![0u32; counts[bands] as usize];
        for (i, w) in coords.windows(2).enumerate() {
            let (lo, hi) = ring.band_range(w[0].y, w[1].y);
            for slot in &mut fill[lo..=hi] {
                edges[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        ring.starts = counts;
        ring.edges = edges;
        ring
    }

    /// The band of a y within the ring's extent. Monotonic in y, so an edge
    /// whose y-range holds y is listed in y's band.
    fn band(&self, y: f64) -> usize {
        (((y - self.south) * self.scale) as usize).min(self.bands - 1)
    }

    fn band_range(&self, a: f64, b: f64) -> (usize, usize) {
        (self.band(a.min(b)), self.band(a.max(b)))
    }

    /// geo's `coord_pos_relative_to_ring`, over the point's band only.
    fn position(&self, c: Coord<f64>) -> RingSide {
        match self.coords {
            [] => return RingSide::Outside,
            [only] => {
                return if c == *only {
                    RingSide::OnBoundary
                } else {
                    RingSide::Outside
                };
            }
            _ => {}
        }
        // No edge's y-range holds y: no edge counts (NaN lands here too).
        if !(c.y >= self.south && c.y <= self.north) {
            return RingSide::Outside;
        }
        let b = self.band(c.y);
        let mut winding = 0i32;
        for &i in &self.edges[self.starts[b] as usize..self.starts[b + 1] as usize] {
            let (start, end) = (self.coords[i as usize], self.coords[i as usize + 1]);
            if start.y <= c.y {
                if end.y >= c.y {
                    let o = RobustKernel::orient2d(start, end, c);
                    if o == Orientation::CounterClockwise && end.y != c.y {
                        winding += 1;
                    } else if o == Orientation::Collinear && between(c.x, start.x, end.x) {
                        return RingSide::OnBoundary;
                    }
                }
            } else if end.y <= c.y {
                let o = RobustKernel::orient2d(start, end, c);
                if o == Orientation::Clockwise {
                    winding -= 1;
                } else if o == Orientation::Collinear && between(c.x, start.x, end.x) {
                    return RingSide::OnBoundary;
                }
            }
        }
        if winding == 0 {
            RingSide::Outside
        } else {
            RingSide::Inside
        }
    }
}

fn between(x: f64, a: f64, b: f64) -> bool {
    x >= a.min(b) && x <= a.max(b)
}

/// A polygon's rings, prepared.
struct PreparedPolygon<'a> {
    exterior: Ring<'a>,
    holes: Vec<Ring<'a>>,
}

/// A (multi)polygon prepared for point tests; borrows its coordinates.
pub struct PreparedArea<'a> {
    polygons: Vec<PreparedPolygon<'a>>,
}

impl<'a> PreparedArea<'a> {
    /// Prepares `area` for many point tests.
    pub fn new(area: &'a MultiPolygon<f64>) -> Self {
        PreparedArea {
            polygons: area
                .0
                .iter()
                .filter(|p| !p.exterior().0.is_empty())
                .map(|p| PreparedPolygon {
                    exterior: Ring::new(p.exterior()),
                    holes: p.interiors().iter().map(Ring::new).collect(),
                })
                .collect(),
        }
    }

    /// Whether the point is inside the area or on its boundary — the same
    /// answer as geo's `area.intersects(&c)`.
    pub fn covers(&self, c: Coord<f64>) -> bool {
        self.polygons.iter().any(|p| match p.exterior.position(c) {
            RingSide::Outside => false,
            RingSide::OnBoundary => true,
            RingSide::Inside => p.holes.iter().all(|h| h.position(c) != RingSide::Inside),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Intersects, Polygon, polygon};
    use proptest::prelude::*;

    fn wiggly(n: usize, phase: f64) -> Polygon<f64> {
        let ring: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                let r = 2.0 + 0.6 * (5.0 * a + phase).sin() + 0.3 * (11.0 * a).cos();
                // Rounded to a grid so that test points can hit vertices and edges exactly.
                (
                    (r * a.cos() * 64.0).round() / 64.0,
                    (r * a.sin() * 64.0).round() / 64.0,
                )
            })
            .collect();
        let mut closed = ring.clone();
        closed.push(ring[0]);
        Polygon::new(LineString::from(closed), vec![])
    }

    fn area() -> MultiPolygon<f64> {
        let mut main = wiggly(120, 0.3);
        main.interiors_push(polygon![(x: -0.5, y: -0.5), (x: 0.5, y: -0.5), (x: 0.5, y: 0.5), (x: -0.5, y: 0.5), (x: -0.5, y: -0.5)].exterior().clone());
        let exclave =
            polygon![(x: 4.0, y: 4.0), (x: 5.0, y: 4.0), (x: 5.0, y: 5.0), (x: 4.0, y: 4.0)];
        MultiPolygon::new(vec![main, exclave])
    }

    #[test]
    fn hole_boundary_and_exclave() {
        let a = area();
        let p = PreparedArea::new(&a);
        assert!(!p.covers(Coord { x: 0.0, y: 0.0 }), "in the hole");
        assert!(p.covers(Coord { x: 0.5, y: 0.0 }), "on the hole's edge");
        assert!(
            p.covers(Coord { x: 1.2, y: 0.0 }),
            "between hole and exterior"
        );
        assert!(p.covers(Coord { x: 4.9, y: 4.1 }), "in the exclave");
        assert!(
            p.covers(Coord { x: 4.5, y: 4.5 }),
            "on the exclave's diagonal"
        );
        assert!(!p.covers(Coord { x: 9.0, y: 0.0 }));
        assert!(!p.covers(Coord {
            x: f64::NAN,
            y: 0.0
        }));
    }

    proptest! {
        /// Same verdict as geo for random points, grid points (which hit
        /// vertices and horizontal edges) and every vertex and edge midpoint.
        #[test]
        fn agrees_with_geo(
            points in prop::collection::vec((-3.0f64..6.0, -3.0f64..6.0), 1..200),
            phase in 0.0f64..6.0,
        ) {
            let mut a = area();
            a.0[0] = { let mut p = wiggly(97, phase); p.interiors_push(a.0[0].interiors()[0].clone()); p };
            let prepared = PreparedArea::new(&a);
            let mut probes: Vec<Coord<f64>> = points.iter().map(|&(x, y)| Coord { x, y }).collect();
            probes.extend(points.iter().map(|&(x, y)| Coord { x: (x * 64.0).round() / 64.0, y: (y * 64.0).round() / 64.0 }));
            for line in a.0.iter().flat_map(|p| p.exterior().lines().chain(p.interiors().iter().flat_map(|h| h.lines()))) {
                probes.push(line.start);
                probes.push(Coord { x: (line.start.x + line.end.x) / 2.0, y: (line.start.y + line.end.y) / 2.0 });
            }
            for c in probes {
                prop_assert_eq!(prepared.covers(c), a.intersects(&c), "at {:?}", c);
            }
        }
    }
}
