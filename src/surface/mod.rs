//! Surface coverage: for each area, the share of its surface within R of
//! a qualifying station for each radius asked, its worst-served point, and
//! the uncovered remainder (the gap) for the largest radius; over all
//! areas, a coverage-versus-radius curve. Runs when `--radius-km` is given.

pub mod circle;
pub mod field;
pub mod near;
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
///
/// chargecov's edges are straight in longitude/latitude (as GeoJSON's
/// are drawn); a geodesic area takes them as geodesics, which bow towards
/// the pole. Edges longer than [`DENSIFY_DEG`] are cut into pieces that
/// short before the area is taken, so that a large area (a 40° × 20° box:
/// 4.9 % off before) is measured as drawn; an area's usual edges are far
/// shorter and cost nothing extra.
pub fn geodesic_m2(shape: &MultiPolygon<f64>) -> f64 {
    use geo::Area;
    use geo::orient::{Direction, Orient};
    shape
        .iter()
        .filter(|p| p.unsigned_area() > 1e-16)
        .map(|p| {
            densified(p)
                .orient(Direction::Default)
                .geodesic_area_signed()
                .max(0.0)
        })
        .sum()
}

/// The longest edge (in degrees of longitude or latitude) taken as is by
/// [`geodesic_m2`]: over 0.1° a geodesic and a straight lon/lat edge
/// enclose at most a few m² between them.
pub const DENSIFY_DEG: f64 = 0.1;

fn densified(p: &geo::Polygon<f64>) -> std::borrow::Cow<'_, geo::Polygon<f64>> {
    use geo::{Coord, LineString, Polygon};
    let long = |r: &LineString<f64>| {
        r.lines()
            .any(|l| (l.dx().abs()).max(l.dy().abs()) > DENSIFY_DEG)
    };
    if !long(p.exterior()) && !p.interiors().iter().any(long) {
        return std::borrow::Cow::Borrowed(p);
    }
    let ring = |r: &LineString<f64>| -> LineString<f64> {
        let mut out: Vec<Coord<f64>> = Vec::with_capacity(r.0.len());
        for l in r.lines() {
            let steps = ((l.dx().abs()).max(l.dy().abs()) / DENSIFY_DEG)
                .ceil()
                .max(1.0) as usize;
            for k in 0..steps {
                let t = k as f64 / steps as f64;
                out.push(Coord {
                    x: l.start.x + t * l.dx(),
                    y: l.start.y + t * l.dy(),
                });
            }
        }
        if let Some(&last) = r.0.last() {
            out.push(last);
        }
        LineString(out)
    };
    std::borrow::Cow::Owned(Polygon::new(
        ring(p.exterior()),
        p.interiors().iter().map(ring).collect(),
    ))
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

/// Surface facts for every area: one pass over each area's cells
/// ([`field::measure`]) settles every requested radius and the curve's.
pub fn analyse(
    areas: &[Area],
    facts: &[AreaFacts],
    index: &StationIndex,
    radii_km: &[f64],
    want_gaps: bool,
    progress: &dyn Progress,
) -> Vec<AreaSurface> {
    progress.start("surface coverage", Some(areas.len() as u64));
    // Every radius once, ascending: the requested ones and the curve's.
    let mut all_m: Vec<f64> = radii_km
        .iter()
        .chain(CURVE_KM.iter())
        .map(|r| r * 1000.0)
        .collect();
    all_m.sort_by(f64::total_cmp);
    all_m.dedup();
    let slot = |r_km: f64| {
        all_m
            .iter()
            .position(|&m| m == r_km * 1000.0)
            .expect("every radius is in the list")
    };
    let largest = radii_km.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let gap_slot = want_gaps.then(|| slot(largest));
    let out = areas
        .par_iter()
        .zip(facts)
        .map(|(area, f)| {
            let shape = &area.geometry;
            let area_m2 = geodesic_m2(shape);
            let m = field::measure(shape, &all_m, gap_slot, index);
            let share = |k: usize| {
                if m.area_m2 > 0.0 {
                    (m.covered_m2[k] / m.area_m2).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            };
            let within = radii_km.iter().map(|&r| share(slot(r))).collect();
            let curve = CURVE_KM.iter().map(|&r| share(slot(r))).collect();
            let gap = gap_slot.map(|k| {
                if m.gap_free {
                    MultiPolygon::new(Vec::new())
                } else {
                    field::gap_polygon(shape, &m.gap_stations, all_m[k], index)
                }
            });
            // The search starts from the farthest wholly inside cell centre
            // the pass met (any start gives the same guarantee; a far one
            // prunes sooner), or the representative point.
            let start = m.farthest.map_or(f.representative_point, |(c, _)| c);
            let worst = worst::worst_point(shape, start, index);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact area of a longitude/latitude box on the WGS84 ellipsoid:
    /// Δλ · b² · [f(φ₂) − f(φ₁)], f(φ) = sin φ / (2(1 − e² sin² φ)) +
    /// atanh(e sin φ) / (2e) (the ellipsoid's zone area).
    fn box_m2(lon0: f64, lat0: f64, lon1: f64, lat1: f64) -> f64 {
        let a = 6_378_137.0_f64;
        let f: f64 = 1.0 / 298.257_223_563;
        let e2 = f * (2.0 - f);
        let e = e2.sqrt();
        let b2 = a * a * (1.0 - e2);
        let zone = |phi: f64| {
            let s = phi.to_radians().sin();
            s / (2.0 * (1.0 - e2 * s * s)) + (e * s).atanh() / (2.0 * e)
        };
        (lon1 - lon0).to_radians() * b2 * (zone(lat1) - zone(lat0))
    }

    #[test]
    fn boxes_are_measured_as_drawn() {
        for (lon0, lat0, lon1, lat1) in [
            (0.0, 10.0, 40.0, 30.0),
            (100.0, -60.0, 160.0, -20.0),
            (106.0, 29.0, 107.0, 30.0),
        ] {
            let ring = vec![
                (lon0, lat0),
                (lon1, lat0),
                (lon1, lat1),
                (lon0, lat1),
                (lon0, lat0),
            ];
            let square = geo::Polygon::new(geo::LineString::from(ring), vec![]);
            let got = geodesic_m2(&MultiPolygon(vec![square]));
            let exact = box_m2(lon0, lat0, lon1, lat1);
            let error = (got - exact).abs() / exact;
            // Within a hundred-thousandth (the README promises 0.13 %).
            assert!(
                error < 1e-5,
                "{lon0},{lat0}–{lon1},{lat1}: {got} vs {exact} ({error:e})"
            );
        }
    }
}
