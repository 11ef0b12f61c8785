//! How much of an area lies within R of a qualifying station, and the
//! rest — the gap — as polygons.
//!
//! Method: the geodesic circles (72-gons, `circle`) of the qualifying
//! stations within R of the area are united and intersected with the
//! area (geo's boolean operations, in lon/lat, where chargecov's edges are
//! straight); sizes are geodesic (Karney) areas on WGS84. The share is
//! covered size / area size.
//!
//! Error bound: each circle polygon is inscribed, so the covered part can
//! only be under-estimated, by at most the polygons' shortfall — 0.13 %
//! of a circle's area — plus 0.05 % for stations merged because they lie
//! within 0.025 % of the radius of one another (`thin`). Measured against the area it is smaller still,
//! because only circle parts inside the area count: the share is exact to
//! 0.18 % of the area's size (0.5 % promised), never over-estimated.

use geo::{BooleanOps, BoundingRect, Coord, MultiPolygon, Polygon, unary_union};

use crate::geodesy::{distance_m, expand_rect_m};
use crate::index::StationIndex;

use super::circle::{MERGE_FRACTION, geodesic_circle, inscribed_radius_factor};

/// Keeps one of every group of centres closer than `delta_m` (the first
/// in order; a hash grid of `delta_m` cells, so linear). Dropping a centre
/// within δ of a kept one can only shrink the union — never over — by at
/// most a ring of width δ (`circle::share_error_bound`).
fn thin(centres: Vec<Coord<f64>>, delta_m: f64) -> Vec<Coord<f64>> {
    use std::collections::HashMap;
    if centres.len() < 2 || delta_m <= 0.0 {
        return centres;
    }
    // Cell sizes in degrees: latitude fixed, longitude at the first
    // centre's latitude (the stations of one area are close together);
    // candidates are checked by geodesic distance, so the grid only
    // narrows the search.
    let lat0 = centres[0].y.to_radians().cos().max(1e-6);
    let dy = delta_m / 111_000.0;
    let dx = dy / lat0;
    let key = |c: Coord<f64>| ((c.x / dx).floor() as i64, (c.y / dy).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<Coord<f64>>> = HashMap::new();
    let mut kept = Vec::new();
    for c in centres {
        let (i, j) = key(c);
        let near = (i - 1..=i + 1)
            .flat_map(|a| (j - 1..=j + 1).map(move |b| (a, b)))
            .filter_map(|k| grid.get(&k))
            .flatten()
            .any(|&k| distance_m(k, c) < delta_m);
        if !near {
            grid.entry((i, j)).or_default().push(c);
            kept.push(c);
        }
    }
    kept
}

/// The covered share of an area within `radius_m`, and (when asked) the
/// uncovered rest.
pub struct Share {
    /// Share (0–1) of the area within the radius.
    pub share: f64,
    /// The uncovered part, when asked for.
    pub gap: Option<MultiPolygon<f64>>,
}

/// What is known of an area before its shares are computed: cheap facts
/// that settle most radii without any polygon work.
#[derive(Debug, Clone, Copy)]
pub struct AreaReach {
    /// A point inside the area (its representative point).
    pub centre: Coord<f64>,
    /// The farthest any of the area's vertices is from `centre`: the area
    /// lies within this distance of it.
    pub radius_m: f64,
    /// Nearest qualifying station to `centre`.
    pub nearest_m: Option<f64>,
    /// Nearest qualifying station to the area itself.
    pub boundary_m: Option<f64>,
}

impl AreaReach {
    /// Circles of `radius_m` around the qualifying stations near an area.
    pub fn new(
        area: &MultiPolygon<f64>,
        centre: Coord<f64>,
        nearest_m: Option<f64>,
        boundary_m: Option<f64>,
    ) -> Self {
        let radius_m = area
            .iter()
            .flat_map(|p| p.exterior().coords())
            .map(|&v| distance_m(centre, v))
            .fold(0.0, f64::max);
        AreaReach {
            centre,
            radius_m,
            nearest_m,
            boundary_m,
        }
    }
}

/// The covered share of `area` (of geodesic size `area_m2`).
pub fn share(
    area: &MultiPolygon<f64>,
    area_m2: f64,
    reach: &AreaReach,
    index: &StationIndex,
    qualifies: &[bool],
    radius_m: f64,
    want_gap: bool,
) -> Share {
    let none = || Share {
        share: 0.0,
        gap: want_gap.then(|| area.clone()),
    };
    let all = || Share {
        share: 1.0,
        gap: want_gap.then(|| MultiPolygon(vec![])),
    };
    // No qualifying station reaches the area.
    let Some(boundary_m) = reach.boundary_m else {
        return none();
    };
    if boundary_m >= radius_m {
        return none();
    }
    // The nearest station's inscribed polygon holds the whole area: by the
    // triangle inequality every point of it is within nearest + radius.
    let safe = radius_m * inscribed_radius_factor();
    if reach.nearest_m.is_some_and(|n| n + reach.radius_m <= safe) {
        return all();
    }
    // Stations whose circle can reach the area (within radius + the area's
    // own reach of its centre).
    let Some(rect) = area.bounding_rect() else {
        return none();
    };
    let centres: Vec<Coord<f64>> = index
        .in_rect(expand_rect_m(rect, radius_m))
        .filter(|&(s, _)| qualifies[s as usize])
        .map(|(_, at)| at)
        .filter(|&c| distance_m(c, reach.centre) < radius_m + reach.radius_m)
        .collect();
    if centres.is_empty() {
        return none();
    }
    let centres = thin(centres, radius_m * MERGE_FRACTION);
    let circles: Vec<Polygon<f64>> = centres
        .iter()
        .map(|&c| geodesic_circle(c, radius_m))
        .collect();
    let union = unary_union(circles.iter());
    let covered = area.intersection(&union);
    let share = if area_m2 > 0.0 {
        (super::geodesic_m2(&covered) / area_m2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Share {
        share,
        gap: want_gap.then(|| area.difference(&union)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Centres within δ of a kept one are dropped (each checked by
    /// geodesic distance); one just beyond δ is kept.
    #[test]
    fn centres_closer_than_delta_share_a_circle() {
        // 1e-6° of latitude is about 0.11 m.
        let at = |dy: f64| Coord {
            x: 0.5,
            y: 0.2 + dy,
        };
        let kept = thin(vec![at(0.0), at(2e-6), at(4e-6), at(1e-5), at(1e-5)], 0.5);
        // 0.22 m and 0.44 m from the first: merged; 1.1 m: kept, and its
        // duplicate merged into it.
        assert_eq!(kept, vec![at(0.0), at(1e-5)]);
        assert_eq!(thin(vec![at(0.0)], 0.5), vec![at(0.0)]);
    }

    /// Thinning never raises a share, and lowers it by less than the
    /// merged part of the bound (400 stations within 3 m, a 2 km radius).
    #[test]
    fn thinning_never_over_estimates() {
        let square = MultiPolygon(vec![Polygon::new(
            geo::LineString::from(vec![
                (0.49, 0.19),
                (0.51, 0.19),
                (0.51, 0.21),
                (0.49, 0.21),
                (0.49, 0.19),
            ]),
            vec![],
        )]);
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.6e-5
        };
        let centres: Vec<Coord<f64>> = (0..60)
            .map(|_| Coord {
                x: 0.5 + next(),
                y: 0.2 + next(),
            })
            .collect();
        let radius = 1000.0;
        let union = |cs: &[Coord<f64>]| {
            let circles: Vec<Polygon<f64>> =
                cs.iter().map(|&c| geodesic_circle(c, radius)).collect();
            crate::surface::geodesic_m2(&square.intersection(&unary_union(circles.iter())))
        };
        let thinned = thin(centres.clone(), radius * MERGE_FRACTION);
        assert!(thinned.len() < centres.len());
        let (all, some) = (union(&centres), union(&thinned));
        let circle = std::f64::consts::PI * radius * radius;
        assert!(some <= all + 1e-6, "{some} > {all}");
        assert!(
            all - some <= 2.0 * MERGE_FRACTION * circle,
            "{all} - {some}"
        );
    }
}
