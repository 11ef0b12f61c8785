//! Ramer–Douglas–Peucker simplification of a polygon's rings, for the
//! pole-of-inaccessibility search.
//!
//! It makes the same choices as geo's `Simplify` for polygons (the
//! farthest point splits, the last of equal ones; a ring keeps at least
//! four positions), so it can be checked against it point for point. geo
//! measures each distance with `hypot` and builds a vector at every level
//! of the recursion, which made it a quarter of the representative-point
//! time on a national run; here distances are compared squared and the
//! kept positions are marked in place.

use geo::{Coord, LineString, Polygon};

/// Positions a simplified ring keeps at least (a closed triangle).
const RING_MIN: usize = 4;

/// `polygon` with every ring simplified to `epsilon` (its units).
pub fn simplify_polygon(polygon: &Polygon<f64>, epsilon: f64) -> Polygon<f64> {
    Polygon::new(
        simplify_ring(polygon.exterior(), epsilon),
        polygon
            .interiors()
            .iter()
            .map(|ring| simplify_ring(ring, epsilon))
            .collect(),
    )
}

fn simplify_ring(ring: &LineString<f64>, epsilon: f64) -> LineString<f64> {
    let coords = &ring.0;
    // NaN or no tolerance: nothing to simplify.
    if epsilon.is_nan() || epsilon <= 0.0 || coords.len() < 3 {
        return ring.clone();
    }
    let mut keep = vec![false; coords.len()];
    let mut kept = coords.len();
    mark(
        coords,
        0,
        coords.len() - 1,
        epsilon * epsilon,
        &mut keep,
        &mut kept,
    );
    LineString::new(
        coords
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(c, _)| *c)
            .collect(),
    )
}

/// Marks the positions kept between `first` and `last` (both kept),
/// the part before a split fully before the part after it, as geo does:
/// `kept` counts the positions not yet dropped, and a span is not dropped
/// when that would leave fewer than [`RING_MIN`].
fn mark(
    coords: &[Coord<f64>],
    first: usize,
    last: usize,
    epsilon_sq: f64,
    keep: &mut [bool],
    kept: &mut usize,
) {
    keep[first] = true;
    keep[last] = true;
    if last - first < 2 {
        return;
    }
    let (a, b) = (coords[first], coords[last]);
    let mut farthest = first;
    let mut farthest_sq = 0.0;
    for (i, &p) in coords.iter().enumerate().take(last).skip(first + 1) {
        let d = segment_distance_sq(p, a, b);
        if d >= farthest_sq {
            farthest = i;
            farthest_sq = d;
        }
    }
    if farthest_sq > epsilon_sq {
        mark(coords, first, farthest, epsilon_sq, keep, kept);
        mark(coords, farthest, last, epsilon_sq, keep, kept);
        return;
    }
    let dropped = last - first - 1;
    if *kept - dropped < RING_MIN {
        keep[first + 1..last].fill(true);
        return;
    }
    *kept -= dropped;
}

/// Squared distance from `p` to the segment `a`–`b`.
fn segment_distance_sq(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len_sq = dx * dx + dy * dy;
    let t = if len_sq > 0.0 {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len_sq).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (a.x + t * dx - p.x, a.y + t * dy - p.y);
    ex * ex + ey * ey
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Simplify;

    fn ring(points: &[(f64, f64)]) -> LineString<f64> {
        let mut coords: Vec<Coord<f64>> = points.iter().map(|&(x, y)| Coord { x, y }).collect();
        coords.push(coords[0]);
        LineString::new(coords)
    }

    #[test]
    fn a_square_with_a_bump_loses_the_bump_only_below_its_height() {
        let bumpy = Polygon::new(
            ring(&[
                (0.0, 0.0),
                (5.0, 0.0),
                (5.5, 0.3),
                (6.0, 0.0),
                (10.0, 0.0),
                (10.0, 10.0),
                (0.0, 10.0),
            ]),
            vec![],
        );
        assert_eq!(simplify_polygon(&bumpy, 0.5).exterior().0.len(), 5);
        assert_eq!(simplify_polygon(&bumpy, 0.2).exterior().0.len(), 8);
    }

    #[test]
    fn a_ring_keeps_at_least_four_positions() {
        let tiny = Polygon::new(ring(&[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]), vec![]);
        assert_eq!(simplify_polygon(&tiny, 100.0).exterior().0.len(), 4);
    }

    proptest::proptest! {
        /// Point for point what geo's simplification gives, on star-shaped
        /// rings with holes (distances are compared squared instead of
        /// with `hypot`, which could only differ on an exact tie with the
        /// tolerance).
        #[test]
        fn agrees_with_geo(
            radii in proptest::collection::vec(0.5f64..1.5, 3..120),
            hole in proptest::collection::vec(0.05f64..0.2, 3..20),
            epsilon in 0.0f64..0.5,
        ) {
            let star = |radii: &[f64]| {
                let n = radii.len() as f64;
                ring(
                    &radii
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let a = i as f64 / n * std::f64::consts::TAU;
                            (r * a.cos(), r * a.sin())
                        })
                        .collect::<Vec<_>>(),
                )
            };
            let polygon = Polygon::new(star(&radii), vec![star(&hole)]);
            proptest::prop_assert_eq!(simplify_polygon(&polygon, epsilon), polygon.simplify(epsilon));
        }
    }
}
