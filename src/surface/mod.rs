//! Surface coverage: for each area, the share of its surface within R of
//! a qualifying station for each radius asked, its worst-served point, and
//! the uncovered remainder (the gap) for the largest radius; over all
//! areas, a coverage-versus-radius curve. Runs when `--radius-km` is given.

pub mod circle;
pub mod shares;
pub mod worst;

use geo::{GeodesicArea, MultiPolygon};
use rayon::prelude::*;

use crate::assess::AreaFacts;
use crate::index::StationIndex;
use crate::model::Area;
use crate::progress::Progress;

pub use worst::Worst;

/// The geodesic size of a (multi)polygon in m², robust to what boolean
/// operations can leave behind: each polygon is oriented (exterior
/// counter-clockwise) before its signed area is taken, and slivers below
/// a square millimetre are dropped — a degenerate ring can otherwise read
/// as the whole Earth less nothing.
pub fn geodesic_m2(shape: &MultiPolygon<f64>) -> f64 {
    use geo::Area;
    use geo::orient::{Direction, Orient};
    shape
        .iter()
        .filter(|p| p.unsigned_area() > 1e-16)
        .map(|p| p.orient(Direction::Default).geodesic_area_signed().max(0.0))
        .sum()
}

/// Radii (km) of the coverage-versus-radius curve.
pub const CURVE_KM: [f64; 14] = [
    0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 7.5, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0,
];

/// One area's surface facts.
#[derive(Debug, Clone)]
pub struct AreaSurface {
    /// The area's size in m² (geodesic).
    pub area_m2: f64,
    /// Covered share per requested radius, in the order asked.
    pub within: Vec<f64>,
    /// Covered share per [`CURVE_KM`] radius.
    pub curve: Vec<f64>,
    /// The worst-served point, when a station qualifies.
    pub worst: Option<Worst>,
    /// The part farther than the largest radius from every qualifying
    /// station (when gaps were asked for).
    pub gap: Option<MultiPolygon<f64>>,
    /// The uncovered part's size in m², when gaps were asked for.
    pub gap_m2: Option<f64>,
}

/// Surface facts for every area.
pub fn analyse(
    areas: &[Area],
    facts: &[AreaFacts],
    index: &StationIndex,
    qualifies: &[bool],
    radii_km: &[f64],
    want_gaps: bool,
    progress: &dyn Progress,
) -> Vec<AreaSurface> {
    progress.start("surface coverage", Some(areas.len() as u64));
    let largest = radii_km.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let out = areas
        .par_iter()
        .zip(facts)
        .map(|(area, f)| {
            let shape = &area.geometry;
            let area_m2 = geodesic_m2(shape);
            let reach = shares::AreaReach::new(
                shape,
                f.representative_point,
                f.nearest.map(|n| n.distance_m),
                f.boundary.map(|n| n.distance_m),
            );
            let mut gap = None;
            let within = radii_km
                .iter()
                .map(|&r| {
                    let is_gap_radius = want_gaps && r == largest && gap.is_none();
                    let s = shares::share(
                        shape,
                        area_m2,
                        &reach,
                        index,
                        qualifies,
                        r * 1000.0,
                        is_gap_radius,
                    );
                    if is_gap_radius {
                        gap = s.gap;
                    }
                    s.share
                })
                .collect();
            let curve = CURVE_KM
                .iter()
                .map(|&r| {
                    shares::share(shape, area_m2, &reach, index, qualifies, r * 1000.0, false).share
                })
                .collect();
            let worst = worst::worst_point(shape, f.representative_point, index);
            let gap_m2 = gap.as_ref().map(geodesic_m2);
            progress.advance(1);
            AreaSurface {
                area_m2,
                within,
                curve,
                worst,
                gap,
                gap_m2,
            }
        })
        .collect();
    progress.finish();
    out
}
