//! Distance from a point to an area's boundary, for many points.
//!
//! The boundary's segments (straight in lon/lat, as RFC 7946 defines
//! edges) are grouped in ring order into a binary hierarchy of lon/lat
//! boxes. A query is best-first over that hierarchy: a box is opened only
//! while a rigorous lower bound of its distance — the geodesic distance to
//! its centre less the longest path from the centre to a corner — is below
//! the best found, and a segment is searched (golden section on the
//! geodesic distance) only under the same test. From a point far away
//! only the few boxes facing it are opened, where a scan with a planar
//! slack had to search hundreds of segments within the slack.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use geo::{Coord, Intersects, MultiPolygon, Rect};

// The largest radius of curvature of WGS84, a²/b (meridional and prime
// vertical at the poles), rounded up: a path whose latitude changes by
// Δφ and longitude by Δλ (radians), straight in lon/lat, is no longer
// than this times √(Δφ² + (cos φ_min · Δλ)²).
use super::MAX_CURVATURE_RADIUS_M;
use super::{LocalFrame, distance_and_azimuth_m, distance_m, lower_bound_to_rect_m};

/// Segments per leaf box.
const CHUNK: usize = 8;

/// Golden-section search stops once the bracket is this short on the
/// ground (the distance is 1-Lipschitz along the segment).
const PRECISION_M: f64 = 1e-4;

/// An area's boundary prepared for distance queries.
pub struct Boundary<'a> {
    area: &'a MultiPolygon<f64>,
    segments: Vec<(Coord<f64>, Coord<f64>)>,
    /// `levels[0][i]` bounds segments `i·CHUNK ..`; `levels[k + 1][i]`
    /// bounds `levels[k][2i]` and `levels[k][2i + 1]`. The last level has
    /// one box.
    levels: Vec<Vec<Rect<f64>>>,
}

/// A box by its corners' union.
fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

/// An upper bound of the ground length of any path inside `rect` that is
/// straight in lon/lat and spans at most `fraction` of its sides.
fn path_bound_m(rect: Rect<f64>, fraction: f64) -> f64 {
    let (lo, hi) = (rect.min().y, rect.max().y);
    let min_abs_lat = if lo <= 0.0 && hi >= 0.0 {
        0.0
    } else {
        lo.abs().min(hi.abs())
    };
    let dphi = (hi - lo).to_radians() * fraction;
    let dlam = rect.width().to_radians() * fraction * min_abs_lat.to_radians().cos();
    MAX_CURVATURE_RADIUS_M * dphi.hypot(dlam) * (1.0 + 1e-12) + 1e-9
}

impl<'a> Boundary<'a> {
    /// Prepares the boundary of `area` (every ring of every part).
    pub fn new(area: &'a MultiPolygon<f64>) -> Self {
        let segments: Vec<(Coord<f64>, Coord<f64>)> = area
            .iter()
            .flat_map(|polygon| std::iter::once(polygon.exterior()).chain(polygon.interiors()))
            .flat_map(|ring| ring.0.windows(2).map(|w| (w[0], w[1])))
            .collect();
        let mut levels = vec![
            segments
                .chunks(CHUNK)
                .map(|chunk| {
                    chunk
                        .iter()
                        .map(|&(a, b)| Rect::new(a, b))
                        .reduce(union)
                        .expect("chunks are not empty")
                })
                .collect::<Vec<_>>(),
        ];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last().expect("checked");
            let up = below
                .chunks(2)
                .map(|pair| pair.iter().copied().reduce(union).expect("not empty"))
                .collect();
            levels.push(up);
        }
        Boundary {
            area,
            segments,
            levels,
        }
    }

    /// Geodesic distance in metres from `p` to the area (0 when `p` lies
    /// in it or on its boundary), and the lon/lat point of the area that
    /// realises it, to within 0.1 mm.
    pub fn distance_m(&self, p: Coord<f64>) -> (f64, Coord<f64>) {
        self.search(p, f64::INFINITY, -1.0)
    }

    /// Is `p` within `d_m` metres (geodesic) of the area? The search of
    /// [`Boundary::distance_m`] with nothing farther than `d_m` opened,
    /// stopped at the first point that close.
    pub fn within_m(&self, p: Coord<f64>, d_m: f64) -> bool {
        // Just above d_m, so that a point at exactly d_m is found.
        let above = d_m + d_m.abs() * 1e-12 + 1e-9;
        self.search(p, above, d_m).0 <= d_m
    }

    /// The nearest point of the area to `p` among those nearer than
    /// `bound_m` (else `bound_m` and `p`), the search stopping early once
    /// one is found at `stop_m` or nearer.
    fn search(&self, p: Coord<f64>, bound_m: f64, stop_m: f64) -> (f64, Coord<f64>) {
        let Some(root) = self.levels.last().and_then(|l| l.first()).copied() else {
            return (f64::INFINITY, p);
        };
        if root.intersects(&p) && self.area.intersects(&p) {
            return (0.0, p);
        }
        // Heap items: (bound, level, index); level usize::MAX marks a
        // segment. Bounds are non-negative, so their bits order like them.
        let mut heap = BinaryHeap::new();
        let top = self.levels.len() - 1;
        heap.push(Reverse((0u64, top, 0usize)));
        let mut best = (bound_m, p);
        while let Some(Reverse((bits, level, i))) = heap.pop() {
            if f64::from_bits(bits) >= best.0 || best.0 <= stop_m {
                break;
            }
            if level == usize::MAX {
                let (a, b) = self.segments[i];
                // Distances and arriving azimuths: the azimuths give the
                // slopes the segment search starts from.
                let ends = [distance_and_azimuth_m(p, a), distance_and_azimuth_m(p, b)];
                let nearer = if ends[0].0 <= ends[1].0 {
                    (ends[0].0, a)
                } else {
                    (ends[1].0, b)
                };
                if nearer.0 < best.0 {
                    best = nearer;
                }
                // Seen from afar, the distance along a segment hardly
                // bends: the ends bound its interior (see `dip_bound_m`).
                if nearer.0 - dip_bound_m(a, b, f64::from_bits(bits)) >= best.0 {
                    continue;
                }
                let found = nearest_on_segment(p, a, b, ends);
                if found.0 < best.0 {
                    best = found;
                }
                continue;
            }
            let mut push = |rect: Rect<f64>, level: usize, i: usize| {
                let bound = box_bound_m(p, rect, best.0);
                if bound < best.0 {
                    heap.push(Reverse((bound.to_bits(), level, i)));
                }
            };
            if level == 0 {
                let end = ((i + 1) * CHUNK).min(self.segments.len());
                for s in i * CHUNK..end {
                    let (a, b) = self.segments[s];
                    push(Rect::new(a, b), usize::MAX, s);
                }
            } else {
                let below = &self.levels[level - 1];
                for child in [2 * i, 2 * i + 1] {
                    if let Some(&rect) = below.get(child) {
                        push(rect, level - 1, child);
                    }
                }
            }
        }
        best
    }
}

/// A lower bound (≥ 0) of the geodesic distance from `p` to any point of
/// `rect`: the distance to its centre less the longest straight lon/lat
/// path from the centre to a corner, or the latitude/longitude gap
/// bound, whichever is larger. Only bounds below `best_m` matter.
fn box_bound_m(p: Coord<f64>, rect: Rect<f64>, best_m: f64) -> f64 {
    if rect.intersects(&p) {
        return 0.0;
    }
    let by_gap = lower_bound_to_rect_m(p, rect, best_m);
    if by_gap >= best_m {
        return by_gap;
    }
    let by_centre = distance_m(p, rect.center()) - path_bound_m(rect, 0.5);
    by_gap.max(by_centre).max(0.0)
}

/// How far the geodesic distance from a point at least `from_m` away can
/// dip, inside segment `a`–`b`, below the nearer of its ends.
///
/// Along the segment (x(t), t in [0, 1]) the distance f(t) = r(x(t)) has
/// f'' = Hess r(x', x') + ⟨∇r, x''⟩. On a surface of positive curvature
/// the Hessian of the distance is at most 1/r (Hessian comparison with the
/// plane), and where r is not smooth it only has concave kinks; x'' is the
/// path's bending (geodesic curvature of a straight lon/lat line, at most
/// about tan φ / N) and its change of speed (at most tan φ · |Δφ| per unit
/// length). So f'' ≤ C with C = L²/r + L²·κ + L·|Δφ|·τ, and f can fall
/// below the chord between its ends by at most C/8. The constants are
/// doubled for safety; near a pole, or closer than the segment's length,
/// no bound is claimed. The property test against searching every
/// segment is the check.
fn dip_bound_m(a: Coord<f64>, b: Coord<f64>, from_m: f64) -> f64 {
    let rect = Rect::new(a, b);
    let length = path_bound_m(rect, 1.0);
    let max_abs_lat = rect.min().y.abs().max(rect.max().y.abs());
    if from_m <= length || max_abs_lat > 89.0 {
        return f64::INFINITY;
    }
    let tan = max_abs_lat.to_radians().tan() + 0.01;
    let dphi = rect.height().to_radians();
    let c = length * length / from_m
        + length * length * tan / super::MIN_CURVATURE_RADIUS_M
        + length * dphi * tan;
    2.0 * c / 8.0 + 1e-6
}

/// The point of lon/lat segment `a`–`b` geodesically nearest to `p`, to
/// within [`PRECISION_M`], given the distances to its ends and the
/// azimuths at which geodesics from `p` arrive there.
///
/// The distance's slope along the segment is known at each probe: the
/// geodesic's azimuth where it arrives is the direction in which the
/// distance grows fastest, and the segment's direction in metres there
/// follows from the radii of curvature. An interior minimum is where the
/// slope changes sign from − to +; it is bracketed and the bracket closed
/// by regula falsi (Illinois), a handful of geodesics where a golden
/// section, which reads only values, needs about thirty-five. The answer
/// is the nearest probe, within the final bracket's ground length of the
/// minimum (the distance is 1-Lipschitz).
pub(super) fn nearest_on_segment(
    p: Coord<f64>,
    a: Coord<f64>,
    b: Coord<f64>,
    ends: [(f64, f64); 2],
) -> (f64, Coord<f64>) {
    let at = |t: f64| a + (b - a) * t;
    // The distance's slope at x (metres per unit of t), given the azimuth.
    let slope = |x: Coord<f64>, azimuth: f64| {
        let along = LocalFrame::new(x).to_local(x + (b - a));
        let (sin, cos) = azimuth.to_radians().sin_cos();
        along.x * sin + along.y * cos
    };
    let probe = |t: f64| {
        let x = at(t);
        let (d, azimuth) = distance_and_azimuth_m(p, x);
        (d, slope(x, azimuth))
    };
    let end = if ends[0].0 <= ends[1].0 {
        (ends[0].0, 0.0)
    } else {
        (ends[1].0, 1.0)
    };
    let (slope_a, slope_b) = (slope(a, ends[0].1), slope(b, ends[1].1));
    if !(slope_a.is_finite() && slope_b.is_finite()) {
        return golden_section(p, a, b, [ends[0].0, ends[1].0]);
    }
    if !(slope_a < 0.0 && slope_b > 0.0) {
        // Rising from a, or falling all the way to b, or rising then
        // falling: the nearest point is an end.
        return (end.0, at(end.1));
    }
    let length = path_bound_m(Rect::new(a, b), 1.0);
    let mut best = end;
    let (mut lo, mut slope_lo) = (0.0f64, slope_a);
    let (mut hi, mut slope_hi) = (1.0f64, slope_b);
    // Which end the last step kept (Illinois halves a slope kept twice).
    let mut kept = 0i8;
    for _ in 0..100 {
        if (hi - lo) * length < PRECISION_M {
            break;
        }
        let mut t = (lo * slope_hi - hi * slope_lo) / (slope_hi - slope_lo);
        if !(t > lo && t < hi) {
            t = (lo + hi) / 2.0;
        }
        let (d, slope) = probe(t);
        if d < best.0 {
            best = (d, t);
        }
        if slope < 0.0 {
            lo = t;
            slope_lo = slope;
            if kept == 1 {
                slope_hi /= 2.0;
            }
            kept = 1;
        } else if slope > 0.0 {
            hi = t;
            slope_hi = slope;
            if kept == -1 {
                slope_lo /= 2.0;
            }
            kept = -1;
        } else {
            break;
        }
    }
    (best.0, at(best.1))
}

/// Golden-section search on the distance alone, for a slope that cannot
/// be read (and the tests' reference).
fn golden_section(
    p: Coord<f64>,
    a: Coord<f64>,
    b: Coord<f64>,
    ends: [f64; 2],
) -> (f64, Coord<f64>) {
    let at = |t: f64| a + (b - a) * t;
    let f = |t: f64| distance_m(p, at(t));
    let length = path_bound_m(Rect::new(a, b), 1.0);
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x1 = hi - ratio * (hi - lo);
    let mut x2 = lo + ratio * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    // At most 60 steps (a bracket of 1e-12 of the segment).
    for _ in 0..60 {
        if (hi - lo) * length < PRECISION_M {
            break;
        }
        if f1 <= f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - ratio * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + ratio * (hi - lo);
            f2 = f(x2);
        }
    }
    let inner = if f1 <= f2 { (f1, x1) } else { (f2, x2) };
    // The ends are candidates too: the search only brackets interior minima.
    [(ends[0], 0.0), (ends[1], 1.0), inner]
        .into_iter()
        .min_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(d, t)| (d, at(t)))
        .unwrap_or((f64::INFINITY, p))
}

#[cfg(test)]
mod tests {
    use super::super::star;
    use super::*;
    use geo::polygon;

    /// Every segment searched by golden section: the reference.
    fn brute(p: Coord<f64>, area: &MultiPolygon<f64>) -> f64 {
        if area.intersects(&p) {
            return 0.0;
        }
        Boundary::new(area)
            .segments
            .iter()
            .map(|&(a, b)| golden_section(p, a, b, [distance_m(p, a), distance_m(p, b)]).0)
            .fold(f64::INFINITY, f64::min)
    }

    proptest::proptest! {
        /// The pruned search finds what searching every segment finds,
        /// near and far, at every latitude.
        #[test]
        fn agrees_with_searching_every_segment(
            radii in proptest::collection::vec(0.01f64..2.0, 3..80),
            (cy, px, py) in (-80.0f64..80.0, -40.0f64..40.0, -89.0f64..89.0),
        ) {
            let area = star(0.0, cy, &radii);
            let p = Coord { x: px, y: py };
            let (d, at) = Boundary::new(&area).distance_m(p);
            let want = brute(p, &area);
            proptest::prop_assert!((d - want).abs() <= 2.0 * PRECISION_M, "{} vs {}", d, want);
            // The witness is on the area and realises the distance.
            if d > 0.0 {
                proptest::prop_assert!((distance_m(p, at) - d).abs() < 1e-6);
            }
        }

        /// The bounded search says "within d" exactly when the distance
        /// is at most d (away from d by more than the search's precision).
        #[test]
        fn within_agrees_with_the_distance(
            radii in proptest::collection::vec(0.01f64..2.0, 3..40),
            (cy, px, py) in (-80.0f64..80.0, -5.0f64..5.0, -85.0f64..85.0),
            factor in 0.0f64..2.0,
        ) {
            let area = star(0.0, cy, &radii);
            let p = Coord { x: px, y: py.clamp(cy - 5.0, cy + 5.0) };
            let outline = Boundary::new(&area);
            let d = outline.distance_m(p).0;
            let limit = d * factor;
            proptest::prop_assume!((limit - d).abs() > 4.0 * PRECISION_M || d == 0.0);
            proptest::prop_assert_eq!(outline.within_m(p, limit), d <= limit, "d {} limit {}", d, limit);
        }

        /// Reading the slope finds what the golden section finds, on
        /// segments short and long, near and far, at every latitude.
        #[test]
        fn slope_search_agrees_with_golden_section(
            (ax, ay, dx, dy) in (-60.0f64..60.0, -85.0f64..85.0, -3.0f64..3.0, -3.0f64..3.0),
            (px, py) in (-70.0f64..70.0, -89.0f64..89.0),
            scale in proptest::sample::select(vec![1e-4, 1e-2, 1.0]),
        ) {
            let a = Coord { x: ax, y: ay };
            let b = Coord { x: ax + dx * scale, y: (ay + dy * scale).clamp(-89.9, 89.9) };
            // Near the segment as often as far from it.
            let p = if px > 0.0 {
                Coord { x: px, y: py }
            } else {
                Coord { x: ax + px * scale / 20.0, y: (ay + py * scale / 40.0).clamp(-89.9, 89.9) }
            };
            let ends = [distance_and_azimuth_m(p, a), distance_and_azimuth_m(p, b)];
            let (d, at) = nearest_on_segment(p, a, b, ends);
            let (want, _) = golden_section(p, a, b, [ends[0].0, ends[1].0]);
            proptest::prop_assert!((d - want).abs() <= 2.0 * PRECISION_M, "{} vs {}", d, want);
            proptest::prop_assert!((distance_m(p, at) - d).abs() < 1e-6);
        }

        /// The box bound never exceeds the distance to a point of the box.
        #[test]
        fn box_bound_is_a_lower_bound(
            (px, py) in (-180.0f64..180.0, -89.0f64..89.0),
            (x0, y0, w, h) in (-179.0f64..170.0, -89.0f64..80.0, 0.0f64..9.0, 0.0f64..9.0),
            (u, v) in (0.0f64..=1.0, 0.0f64..=1.0),
        ) {
            let rect = Rect::new(Coord { x: x0, y: y0 }, Coord { x: x0 + w, y: y0 + h });
            let q = Coord { x: x0 + u * w, y: y0 + v * h };
            let p = Coord { x: px, y: py };
            let d = distance_m(p, q);
            proptest::prop_assert!(box_bound_m(p, rect, d + 1.0) <= d + 1e-6);
        }
    }

    #[test]
    fn a_hole_and_an_exclave() {
        // From the centre of the hole the nearest edge is 0.1° of meridian
        // away (11,057.43 m, pyproj.Geod on WGS84); from (11°, 2°) the
        // nearest point is the exclave's corner (11°, 1°).
        let area = MultiPolygon::new(vec![
            polygon![
                exterior: [(x: 2.0, y: -0.5), (x: 3.0, y: -0.5), (x: 3.0, y: 0.5), (x: 2.0, y: 0.5), (x: 2.0, y: -0.5)],
                interiors: [[(x: 2.4, y: -0.1), (x: 2.6, y: -0.1), (x: 2.6, y: 0.1), (x: 2.4, y: 0.1), (x: 2.4, y: -0.1)]],
            ],
            polygon![(x: 10.0, y: 0.0), (x: 11.0, y: 0.0), (x: 11.0, y: 1.0), (x: 10.0, y: 0.0)],
        ]);
        let boundary = Boundary::new(&area);
        assert!((boundary.distance_m(Coord { x: 2.5, y: 0.0 }).0 - 11_057.43).abs() < 0.01);
        let (d, at) = boundary.distance_m(Coord { x: 11.0, y: 2.0 });
        assert!((d - brute(Coord { x: 11.0, y: 2.0 }, &area)).abs() < 1e-3);
        assert!(
            (at.x - 11.0).abs() < 1e-9 && (at.y - 1.0).abs() < 1e-9,
            "{at:?}"
        );
    }
}
