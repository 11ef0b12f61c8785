//! Service areas: geodesic circles as lon/lat polygons.
//!
//! The polygon's vertices lie on the geodesic circle (Karney's direct
//! problem), so it is inscribed: its area falls short of the circle's by
//! the factor N·sin(2π/N)/(2π), 0.13 % for N = 72 — the bound that
//! carries over to the coverage shares (see `shares`). Edges are straight
//! in lon/lat, as every edge in chargecov is; over a 72nd of a 50 km
//! circle (4.4 km) that differs from a geodesic by centimetres.

use geo::{Coord, Destination, Geodesic, LineString, Point, Polygon};

/// Vertices per circle.
pub const CIRCLE_VERTICES: usize = 72;

/// How much of a circle's area the inscribed polygon misses (relative).
pub fn inscribed_shortfall() -> f64 {
    let n = CIRCLE_VERTICES as f64;
    1.0 - n * (std::f64::consts::TAU / n).sin() / std::f64::consts::TAU
}

/// Stations closer together than this fraction of the radius share one
/// circle (`shares`): a pile of chargers listed one by one is one circle,
/// not hundreds of nearly equal ones, whose union is pathological.
pub const MERGE_FRACTION: f64 = 2.5e-4;

/// The whole share error bound: the inscribed polygons' shortfall plus
/// what merged stations can leave out — a circle of radius R around a
/// station within δ of the kept one lies inside the kept circle grown by
/// δ, a ring of area 2πRδ, i.e. 2δ/R = 0.05 % of a circle.
pub fn share_error_bound() -> f64 {
    inscribed_shortfall() + 2.0 * MERGE_FRACTION
}

/// The distance from the centre to an edge's midpoint, relative to the
/// radius: cos(π/N). A point this close is certainly inside the polygon.
pub fn inscribed_radius_factor() -> f64 {
    (std::f64::consts::PI / CIRCLE_VERTICES as f64).cos()
}

/// The geodesic circle of `radius_m` around `centre`, counter-clockwise.
pub fn geodesic_circle(centre: Coord<f64>, radius_m: f64) -> Polygon<f64> {
    let mut ring: Vec<Coord<f64>> = (0..CIRCLE_VERTICES)
        .map(|k| {
            // Bearings clockwise from north; walk them backwards for a
            // counter-clockwise ring.
            let bearing = 360.0 * (CIRCLE_VERTICES - k) as f64 / CIRCLE_VERTICES as f64;
            Geodesic.destination(Point(centre), bearing, radius_m).0
        })
        .collect();
    ring.push(ring[0]);
    Polygon::new(LineString::new(ring), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::GeodesicArea;

    /// Spherical cap area 2πR²(1 − cos(r/R)) with R the WGS84 authalic
    /// radius: the analytic area of a small geodesic circle to well under
    /// 0.1 % (the ellipsoid's flattening changes r/R by less).
    fn cap_m2(r: f64) -> f64 {
        let big_r = 6_371_007.180_9;
        std::f64::consts::TAU * big_r * big_r * (1.0 - (r / big_r).cos())
    }

    #[test]
    fn circle_area_matches_the_cap_within_the_stated_bound() {
        for (lat, r) in [
            (0.0, 1_000.0),
            (30.0, 10_000.0),
            (30.0, 50_000.0),
            (60.0, 20_000.0),
        ] {
            let polygon = geodesic_circle(Coord { x: 106.0, y: lat }, r);
            let area = polygon.geodesic_area_unsigned();
            let expected = cap_m2(r) * (1.0 - inscribed_shortfall());
            let error = (area / expected - 1.0).abs();
            // Ellipsoid vs sphere enters through the curvature term
            // r²/(12·M·N), a few millionths at these radii.
            assert!(
                error < 1e-4,
                "lat {lat} r {r}: {area} vs {expected} ({error})"
            );
        }
        assert!((inscribed_shortfall() - 0.00127).abs() < 1e-5);
    }

    #[test]
    fn vertices_lie_on_the_circle() {
        let c = Coord { x: 106.5, y: 29.5 };
        let polygon = geodesic_circle(c, 5_000.0);
        assert_eq!(polygon.exterior().0.len(), CIRCLE_VERTICES + 1);
        for v in polygon.exterior().coords() {
            assert!((crate::geodesy::distance_m(c, *v) - 5_000.0).abs() < 1e-6);
        }
        use geo::Orient;
        use geo::orient::Direction;
        assert_eq!(polygon.orient(Direction::Default), polygon);
    }
}
