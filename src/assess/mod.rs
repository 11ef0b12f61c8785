//! Coverage facts per area: which stations lie in it, where its
//! representative point is, and how far the nearest qualifying station is
//! from that point and from the area itself. Areas are assessed in
//! parallel; the result is in area order whatever the scheduling.

mod containment;
mod pole;
mod prepared;
mod representative;
mod simplify;

pub use containment::stations_in_area;
pub use pole::pole_of_inaccessibility;
pub use prepared::PreparedArea;
pub use representative::representative_point;

use std::sync::atomic::{AtomicBool, Ordering};

use geo::Coord;
use rayon::prelude::*;
use serde::Serialize;

use crate::geodesy::{Boundary, chord_sq, unit_vector, upper_bound_m};
use crate::index::{Nearest, StationIndex};
use crate::model::{Area, Station};
use crate::progress::Progress;

/// What is known about one area under one rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AreaFacts {
    /// Stations inside or on the boundary (within the tolerance).
    pub stations_inside: u32,
    /// Of those, the ones that qualify.
    pub qualifying_inside: u32,
    /// The point distances to the nearest station are measured from: the pole of inaccessibility of the area's largest part.
    pub representative_point: Coord<f64>,
    /// Nearest qualifying station to the representative point.
    pub nearest: Option<Nearest>,
    /// Nearest qualifying station to the area itself (0 m when one is in it).
    pub boundary: Option<Nearest>,
    /// The most powerful station (of known power) inside the area or within
    /// the tolerance: the claim holds for this area at any per-point
    /// threshold up to this.
    pub strongest_kw: Option<f64>,
}

/// Facts for every area, plus which stations fell in no area.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Per area, in layer order.
    pub facts: Vec<AreaFacts>,
    /// `true` for stations inside (or on the boundary of) at least one area.
    pub station_in_area: Vec<bool>,
}

/// Assesses every area against the indexed stations (`stations` for their
/// power, [`AreaFacts::strongest_kw`]).
pub fn assess(
    areas: &[Area],
    index: &StationIndex,
    stations: &[Station],
    qualifies: &[bool],
    tolerance_m: f64,
    progress: &dyn Progress,
) -> Assessment {
    progress.start("assessing areas", Some(areas.len() as u64));
    let in_area: Vec<AtomicBool> = (0..qualifies.len())
        .map(|_| AtomicBool::new(false))
        .collect();
    let facts = areas
        .par_iter()
        .map(|area| {
            let facts = assess_area(area, index, (stations, qualifies), tolerance_m, &in_area);
            progress.advance(1);
            facts
        })
        .collect();
    progress.finish();
    Assessment {
        facts,
        station_in_area: in_area.into_iter().map(AtomicBool::into_inner).collect(),
    }
}

/// An upper bound of the distance (geodesic metres) from `p` to the area's
/// farthest vertex: by the angle between normals, a few multiplications
/// per vertex where a geodesic costs a microsecond.
pub(crate) fn vertex_reach_m(area: &geo::MultiPolygon<f64>, p: Coord<f64>) -> f64 {
    let q = unit_vector(p);
    let farthest_sq = area
        .iter()
        .flat_map(|poly| poly.exterior().coords())
        .map(|&v| chord_sq(unit_vector(v), q))
        .fold(0.0, f64::max);
    upper_bound_m(farthest_sq)
}

fn assess_area(
    area: &Area,
    index: &StationIndex,
    (stations, qualifies): (&[Station], &[bool]),
    tolerance_m: f64,
    in_area: &[AtomicBool],
) -> AreaFacts {
    let inside = stations_in_area(&area.geometry, index, tolerance_m);
    let strongest_kw = inside
        .iter()
        .filter_map(|h| stations[h.station as usize].power_kw())
        .reduce(f64::max);
    let mut qualifying_inside = 0;
    let mut boundary: Option<Nearest> = None;
    for hit in &inside {
        in_area[hit.station as usize].store(true, Ordering::Relaxed);
        if qualifies[hit.station as usize] {
            qualifying_inside += 1;
            let candidate = Nearest {
                station: hit.station,
                distance_m: hit.distance_m,
            };
            if boundary.is_none_or(|b| {
                (candidate.distance_m, candidate.station) < (b.distance_m, b.station)
            }) {
                boundary = Some(candidate);
            }
        }
    }
    // Only the rectangle could be empty here, and only for an empty area,
    // which normalisation has already refused.
    let representative = representative_point(&area.geometry).unwrap_or_default();
    let nearest = index.nearest(representative);
    if boundary.is_none_or(|b| b.distance_m > 0.0)
        && let Some(n) = nearest
    {
        // The nearest station from the representative point p is at most
        // its distance from p away from the area (p is inside), which
        // bounds the search; the area lies within `reach` of p.
        let reach = vertex_reach_m(&area.geometry, representative) * 1.01 + 1.0;
        let outline = Boundary::new(&area.geometry);
        let upper = boundary.map_or(n.distance_m, |b| b.distance_m.min(n.distance_m));
        let found = index.nearest_to_set(representative, reach, upper, |s| outline.distance_m(s).0);
        if let Some(f) = found
            && boundary.is_none_or(|b| (f.distance_m, f.station) < (b.distance_m, b.station))
        {
            boundary = Some(f);
        }
    }
    AreaFacts {
        stations_inside: inside.len() as u32,
        qualifying_inside,
        representative_point: representative,
        nearest,
        boundary,
        strongest_kw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::distance_m;

    proptest::proptest! {
        /// The bound is never below the farthest vertex's geodesic
        /// distance, and at most the ellipsoid's curvature ratio above it.
        #[test]
        fn vertex_reach_bounds_the_farthest_vertex(
            (cx, cy) in (-170.0f64..170.0, -80.0f64..80.0),
            radii in proptest::collection::vec(0.001f64..5.0, 3..40),
        ) {
            let area = crate::geodesy::star(cx, cy, &radii);
            let p = Coord { x: cx, y: cy };
            let farthest = area.0[0]
                .exterior()
                .coords()
                .map(|&v| distance_m(p, v))
                .fold(0.0, f64::max);
            let reach = vertex_reach_m(&area, p);
            // a²/b over the least radius of curvature b²/a is 1.0101.
            proptest::prop_assert!(reach >= farthest && reach <= farthest * 1.0102 + 1e-3,
                "{} vs {}", reach, farthest);
        }
    }
}
