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
//! of a circle's area. Measured against the area it is smaller still,
//! because only circle parts inside the area count: the share is exact to
//! 0.13 % of the area's size (0.5 % promised), never over-estimated.

use geo::{BooleanOps, BoundingRect, Coord, MultiPolygon, Polygon, unary_union};

use crate::geodesy::{distance_m, expand_rect_m};
use crate::index::StationIndex;

use super::circle::{geodesic_circle, inscribed_radius_factor};

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
