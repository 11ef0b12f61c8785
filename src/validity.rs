//! Geometry validity (OGC simple features) with a fast path for the
//! common case.
//!
//! geo's [`Validation`] decides whether a ring crosses itself by testing
//! every pair of its segments: 160,000 segment tests for a 400-vertex
//! township, most of the time of reading a national layer. Nearly every
//! real area is one polygon without holes, and for those the ring test is
//! the whole verdict. So that case is decided here by a sweep over the
//! segments sorted by their west end — only segments whose x-extents
//! overlap are compared, with geo's own pair test and geo's own rule for
//! which touching neighbours are allowed, so the answer is the same as
//! geo's. Anything else (holes, several parts, a suspected crossing) is
//! handed to geo, which also words the message.

use geo::{Coord, Intersects, Line, LineString, MultiPolygon, Validation};

/// `Ok` when the geometry is valid, else geo's description of the fault.
pub fn check(geometry: &MultiPolygon<f64>) -> Result<(), String> {
    if let [polygon] = geometry.0.as_slice()
        && polygon.interiors().is_empty()
        && ring_is_plainly_valid(polygon.exterior())
    {
        return Ok(());
    }
    geometry.check_validation().map_err(|e| e.to_string())
}

/// A ring of finite positions, at least four once consecutive repeats are
/// dropped, in which no two segments meet except where geo's rule allows
/// it (a segment touching the one before or after it at their shared
/// vertex) — geo's three tests of a ring.
fn ring_is_plainly_valid(ring: &LineString<f64>) -> bool {
    let coords = &ring.0;
    let distinct = 1 + coords.windows(2).filter(|w| w[0] != w[1]).count();
    if coords.is_empty()
        || distinct < 4
        || coords.iter().any(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return false;
    }
    !has_self_intersection(coords)
}

/// Whether two segments of the closed line meet where geo's
/// `linestring_has_self_intersection` would say they do.
fn has_self_intersection(coords: &[Coord<f64>]) -> bool {
    let lines: Vec<Line<f64>> = coords.windows(2).map(|w| Line::new(w[0], w[1])).collect();
    // Segment indices by the west end of their x-extent.
    let mut order: Vec<u32> = (0..lines.len() as u32).collect();
    let west = |l: &Line<f64>| l.start.x.min(l.end.x);
    let east = |l: &Line<f64>| l.start.x.max(l.end.x);
    order.sort_unstable_by(|&a, &b| west(&lines[a as usize]).total_cmp(&west(&lines[b as usize])));
    // Segments whose x-extent still reaches the sweep position.
    let mut active: Vec<u32> = Vec::new();
    for &i in &order {
        let line = &lines[i as usize];
        let x = west(line);
        active.retain(|&j| east(&lines[j as usize]) >= x);
        let (south, north) = (line.start.y.min(line.end.y), line.start.y.max(line.end.y));
        for &j in &active {
            let other = &lines[j as usize];
            if other.start.y.max(other.end.y) < south || other.start.y.min(other.end.y) > north {
                continue;
            }
            if line.intersects(other) && line.start != other.end && line.end != other.start {
                return true;
            }
        }
        active.push(i);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Polygon, polygon};
    use proptest::prelude::*;

    /// geo's own verdict on a single-ring polygon.
    fn geo_says_valid(ring: &LineString<f64>) -> bool {
        Polygon::new(ring.clone(), vec![]).is_valid()
    }

    #[test]
    fn a_square_is_valid_and_a_bow_tie_is_not() {
        let square = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0), (x: 0.0, y: 0.0)];
        assert!(ring_is_plainly_valid(square.exterior()));
        let bow_tie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0), (x: 0.0, y: 0.0)];
        assert!(!ring_is_plainly_valid(bow_tie.exterior()));
        let message = check(&MultiPolygon::new(vec![bow_tie])).unwrap_err();
        assert!(message.contains("self-intersection"), "{message}");
    }

    #[test]
    fn a_ring_touching_itself_at_a_far_vertex_is_invalid() {
        // The vertex (1, 0) is visited twice: segments 0 and 3 meet there,
        // which geo's rule does not allow (they are not neighbours).
        let ring = LineString::from(vec![
            (0.0, 0.0),
            (1.0, 0.0),
            (2.0, 1.0),
            (1.0, 0.0),
            (2.0, -1.0),
            (0.0, -1.0),
            (0.0, 0.0),
        ]);
        assert!(!geo_says_valid(&ring));
        assert!(!ring_is_plainly_valid(&ring));
    }

    proptest! {
        /// On random rings (mostly crossing) and on star-shaped ones
        /// (never crossing), the sweep agrees with geo's all-pairs test.
        #[test]
        fn agrees_with_geo(
            points in prop::collection::vec((0i32..20, 0i32..20), 3..14),
            radii in prop::collection::vec(1.0f64..10.0, 3..40),
        ) {
            let mut random: Vec<(f64, f64)> =
                points.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect();
            random.push(random[0]);
            let random = LineString::from(random);
            prop_assert_eq!(ring_is_plainly_valid(&random), geo_says_valid(&random));
            let whole = MultiPolygon::new(vec![Polygon::new(random.clone(), vec![])]);
            prop_assert_eq!(check(&whole).is_ok(), whole.is_valid());

            let n = radii.len();
            let mut star: Vec<(f64, f64)> = radii
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let a = std::f64::consts::TAU * k as f64 / n as f64;
                    (r * a.cos(), r * a.sin())
                })
                .collect();
            star.push(star[0]);
            let star = LineString::from(star);
            prop_assert_eq!(ring_is_plainly_valid(&star), geo_says_valid(&star));
            prop_assert!(ring_is_plainly_valid(&star));
        }
    }
}
