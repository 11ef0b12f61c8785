//! Service areas: geodesic circles as lon/lat polygons.
//!
//! The polygon's vertices lie on the geodesic circle (Karney's direct
//! problem), so it is inscribed: its area falls short of the circle's by
//! the factor N·sin(2π/N)/(2π), 0.13 % for N = 72, which is what a gap
//! polygon can over-state along its arcs (shares are measured on exact
//! circles, see `field`). Edges are straight
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
