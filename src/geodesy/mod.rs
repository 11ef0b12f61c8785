//! Distances on the WGS84 ellipsoid, and the local planar frames used to
//! find *which* point is nearest before measuring it geodesically.
//!
//! Rule of the house: no distance is ever compared in degrees. Candidate
//! search happens in a local equirectangular frame (an affine map of
//! lon/lat, so the straight lon/lat edges of GeoJSON stay straight) and
//! every reported metre comes from Karney's geodesic inverse.

mod boundary;

pub use boundary::Boundary;

use geo::{Coord, Distance, Geodesic, MultiPolygon, Point, Rect};

/// WGS84 equatorial radius, metres.
pub const WGS84_A: f64 = 6_378_137.0;

/// Smallest radius of curvature of WGS84 (meridional, at the equator),
/// rounded down: no geodesic is shorter than this times its angle between
/// surface normals. Used to turn angles into safe lower bounds.
pub const MIN_CURVATURE_RADIUS_M: f64 = 6_335_000.0;

/// Metres per degree of latitude, rounded down (the true value is at least
/// 110,574 m everywhere).
pub(crate) const MIN_M_PER_DEG_LAT: f64 = 110_500.0;

/// Metres per degree of longitude on the equator, rounded down.
pub(crate) const MIN_M_PER_DEG_LON_EQUATOR: f64 = 111_300.0;

/// The largest radius of curvature of the WGS84 ellipsoid, a²/b (at the
/// poles), rounded up: a geodesic is at most the angle between its end
/// normals times this.
pub const MAX_CURVATURE_RADIUS_M: f64 = 6_399_594.0;

/// Is the geodesic between `a` and `b` at most `d_m` metres? Decided by
/// the angle between their normals where that settles it (the geodesic
/// lies between that angle times the least and the largest radius of
/// curvature), by the geodesic itself otherwise.
pub fn within_m(a: Coord<f64>, b: Coord<f64>, d_m: f64) -> bool {
    let angle = angle_from_chord_sq(chord_sq(unit_vector(a), unit_vector(b)));
    // Margins far above the rounding of the unit vectors (~1e-9 m).
    if angle * MIN_CURVATURE_RADIUS_M > d_m + 1e-6 {
        return false;
    }
    if angle * MAX_CURVATURE_RADIUS_M < d_m - 1e-6 {
        return true;
    }
    distance_m(a, b) <= d_m
}

/// Geodesic distance in metres between two lon/lat points (Karney 2013).
pub fn distance_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    Geodesic.distance(Point(a), Point(b))
}

/// Geodesic distance in metres from `a` to `b` and the geodesic's
/// azimuth at `b` (degrees clockwise from north, pointing away from `a`):
/// the direction in which the distance from `a` grows fastest at `b`.
pub fn distance_and_azimuth_m(a: Coord<f64>, b: Coord<f64>) -> (f64, f64) {
    use geographiclib_rs::InverseGeodesic;
    static WGS84: std::sync::LazyLock<geographiclib_rs::Geodesic> =
        std::sync::LazyLock::new(geographiclib_rs::Geodesic::wgs84);
    let (s12, _azi1, azi2, _a12): (f64, f64, f64, f64) = WGS84.inverse(a.y, a.x, b.y, b.x);
    (s12, azi2)
}

/// The surface normal of a lon/lat point as a unit vector. The angle
/// between two normals, times a radius of curvature, bounds the geodesic
/// distance; chord length between normals grows with that angle.
pub fn unit_vector(c: Coord<f64>) -> [f64; 3] {
    let (lon, lat) = (c.x.to_radians(), c.y.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The squared chord between two unit vectors.
pub fn chord_sq(a: [f64; 3], b: [f64; 3]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// Angle in radians between two unit vectors given their squared chord.
pub fn angle_from_chord_sq(chord_sq: f64) -> f64 {
    2.0 * (chord_sq.sqrt() / 2.0).min(1.0).asin()
}

/// A lower bound on the geodesic distance between points whose normals
/// are `chord_sq` apart (squared chord of unit vectors).
pub fn lower_bound_m(chord_sq: f64) -> f64 {
    angle_from_chord_sq(chord_sq) * MIN_CURVATURE_RADIUS_M
}

/// An upper bound on the geodesic distance between points whose normals
/// are `chord_sq` apart: their angle times the largest radius of
/// curvature (with a margin for the rounding of the unit vectors).
pub fn upper_bound_m(chord_sq: f64) -> f64 {
    angle_from_chord_sq(chord_sq) * MAX_CURVATURE_RADIUS_M * (1.0 + 1e-9) + 1e-6
}

/// Grows a lon/lat rectangle so that it contains every point within
/// `d_m` metres (geodesic) of it, with a safety margin. Near a pole the
/// rectangle spans all longitudes.
pub fn expand_rect_m(rect: Rect<f64>, d_m: f64) -> Rect<f64> {
    let dlat = d_m / MIN_M_PER_DEG_LAT;
    let min_y = (rect.min().y - dlat).max(-90.0);
    let max_y = (rect.max().y + dlat).min(90.0);
    let max_abs_lat = min_y.abs().max(max_y.abs());
    let cos = max_abs_lat.to_radians().cos();
    // Great circles cut corners relative to parallels: 10 % margin.
    let dlon = if cos < 1e-6 {
        360.0
    } else {
        1.1 * d_m / (MIN_M_PER_DEG_LON_EQUATOR * cos)
    };
    let (min_x, max_x) = if dlon >= 180.0 {
        (-180.0, 180.0)
    } else {
        (rect.min().x - dlon, rect.max().x + dlon)
    };
    Rect::new(Coord { x: min_x, y: min_y }, Coord { x: max_x, y: max_y })
}

/// A lower bound of the geodesic distance from `p` to any point of the
/// lon/lat rectangle, valid whenever that distance is below `within_m`.
///
/// Any path from `p` changes latitude by at least the gap to the
/// rectangle's latitudes, at no less than the smallest meridional radius of
/// curvature per radian; and longitude by the gap to its longitudes, at no
/// less than a·cos φ per radian, where a path shorter than `within_m`
/// cannot get poleward of |φ_p| + within_m / (that radius). Longitude gaps
/// over 90° are not used (the short way may cross the antimeridian).
pub fn lower_bound_to_rect_m(p: Coord<f64>, rect: Rect<f64>, within_m: f64) -> f64 {
    let gap_lat = (rect.min().y - p.y).max(p.y - rect.max().y).max(0.0);
    let gap_lon = (rect.min().x - p.x).max(p.x - rect.max().x).max(0.0);
    let by_lat = gap_lat.to_radians() * MIN_CURVATURE_RADIUS_M;
    let by_lon = if gap_lon <= 90.0 {
        let reach = (p.y.abs().to_radians() + within_m / MIN_CURVATURE_RADIUS_M)
            .min(std::f64::consts::FRAC_PI_2);
        gap_lon.to_radians() * WGS84_A * reach.cos()
    } else {
        0.0
    };
    by_lat.max(by_lon)
}

/// An affine local frame around an origin: x east, y north, in metres,
/// exact at the origin and good to a fraction of a percent nearby.
#[derive(Debug, Clone, Copy)]
pub struct LocalFrame {
    origin: Coord<f64>,
    m_per_deg_x: f64,
    m_per_deg_y: f64,
}

impl LocalFrame {
    /// A frame with its origin at `origin`.
    pub fn new(origin: Coord<f64>) -> Self {
        // Radii of curvature of WGS84 at the origin's latitude.
        let e2 = 6.694_379_990_14e-3;
        let phi = origin.y.to_radians();
        let w = (1.0 - e2 * phi.sin().powi(2)).sqrt();
        let n = WGS84_A / w;
        let m = WGS84_A * (1.0 - e2) / (w * w * w);
        LocalFrame {
            origin,
            m_per_deg_x: n * phi.cos() * std::f64::consts::PI / 180.0,
            m_per_deg_y: m * std::f64::consts::PI / 180.0,
        }
    }

    /// A position in the frame, in metres east and north of the origin;
    /// the short way round in longitude (a frame by the antimeridian sees
    /// 179.9° and −179.9° 0.2° apart, not 359.8°).
    pub fn to_local(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: lon_delta(self.origin.x, c.x) * self.m_per_deg_x,
            y: (c.y - self.origin.y) * self.m_per_deg_y,
        }
    }

    /// The longitude/latitude of a position in the frame (longitude in
    /// −180…180).
    pub fn to_lonlat(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: wrap_lon(self.origin.x + c.x / self.m_per_deg_x),
            y: self.origin.y + c.y / self.m_per_deg_y,
        }
    }
}

/// `to − from` in longitude, the short way round: in −180…180.
pub fn lon_delta(from: f64, to: f64) -> f64 {
    let d = to - from;
    if d > 180.0 {
        d - 360.0
    } else if d < -180.0 {
        d + 360.0
    } else {
        d
    }
}

/// A longitude brought into −180…180.
pub fn wrap_lon(lon: f64) -> f64 {
    if lon > 180.0 {
        lon - 360.0
    } else if lon < -180.0 {
        lon + 360.0
    } else {
        lon
    }
}

/// The point a fraction `t` of the way from `a` to `b` in lon/lat, the
/// short way round in longitude (for the short segments of road data).
pub fn lerp_lonlat(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    Coord {
        x: wrap_lon(a.x + lon_delta(a.x, b.x) * t),
        y: a.y + (b.y - a.y) * t,
    }
}

/// A measured station that bounds, cheaply, the distance from the same
/// point to stations within [`Anchor::REACH_M`] of it — what keeps a pile
/// of stations a few metres apart from costing one geodesic each.
///
/// The distance from `p` is convex along a short geodesic away from `p`'s
/// cut locus (its Hessian is non-negative on a surface of positive
/// curvature, and its cone at `p` is convex), so from the anchor `b` it
/// grows at least as fast as its slope: d(s) ≥ d(b) + ∇d(b) · v, with `v`
/// the geodesic from `b` to `s`. ∇d(b) is the unit vector along the
/// azimuth at which the geodesic from `p` arrives at `b`; `v` is taken in
/// the local frame at `b`, off the geodesic's by at most
/// |v|² · (1 + |tan φ|) / 6·10⁶ m, which is subtracted.
#[derive(Debug, Clone, Copy)]
pub struct Anchor {
    at: Coord<f64>,
    distance_m: f64,
    slope: Coord<f64>,
    frame: LocalFrame,
    curvature: f64,
}

impl Anchor {
    /// Stations farther than this from the anchor are not bounded by it.
    pub const REACH_M: f64 = 50.0;

    /// The anchor at `b`, measured from `p`; its exact distance is
    /// [`Anchor::distance_m`].
    pub fn new(p: Coord<f64>, b: Coord<f64>) -> Self {
        let (distance_m, azimuth) = distance_and_azimuth_m(p, b);
        let (sin, cos) = azimuth.to_radians().sin_cos();
        Anchor {
            at: b,
            distance_m,
            slope: Coord { x: sin, y: cos },
            frame: LocalFrame::new(b),
            curvature: (1.0 + b.y.to_radians().tan().abs()) / 6.0e6,
        }
    }

    /// The geodesic distance from `p` to the anchor, in metres.
    pub fn distance_m(&self) -> f64 {
        self.distance_m
    }

    /// A lower bound of the distance from `p` to `s`, when `s` is within
    /// [`Anchor::REACH_M`] of the anchor, the anchor is more than twice
    /// that and less than 5,000 km (a quarter of a meridian: no cut locus
    /// near) from `p`, and neither is within 5° of a pole.
    pub fn lower_bound_m(&self, s: Coord<f64>) -> Option<f64> {
        let v = self.frame.to_local(s);
        let len_sq = v.x * v.x + v.y * v.y;
        let usable = len_sq <= Self::REACH_M * Self::REACH_M
            && self.distance_m > 2.0 * Self::REACH_M
            && self.distance_m < 5.0e6
            && self.at.y.abs() < 85.0
            && s.y.abs() < 85.0;
        usable.then_some(
            self.distance_m + self.slope.x * v.x + self.slope.y * v.y
                - len_sq * self.curvature
                - 1e-6,
        )
    }
}

/// A star-shaped ring with one vertex per radius (degrees) around
/// (cx, cy), for tests.
#[cfg(test)]
pub(crate) fn star(cx: f64, cy: f64, radii: &[f64]) -> MultiPolygon<f64> {
    let n = radii.len();
    let mut ring: Vec<Coord<f64>> = radii
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let t = std::f64::consts::TAU * k as f64 / n as f64;
            Coord {
                x: cx + r * t.cos(),
                y: cy + r * t.sin(),
            }
        })
        .collect();
    ring.push(ring[0]);
    MultiPolygon::new(vec![geo::Polygon::new(ring.into(), vec![])])
}

/// Geodesic distance in metres from `p` to an area (0 when `p` lies in it
/// or on its boundary), and the lon/lat point of the area that realises
/// it, to within 0.1 mm. For many points against one area, prepare a
/// [`Boundary`] once.
pub fn distance_to_area_m(p: Coord<f64>, area: &MultiPolygon<f64>) -> (f64, Coord<f64>) {
    Boundary::new(area).distance_m(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Intersects;

    proptest::proptest! {
        /// The bound never exceeds the true distance to a point of the box.
        #[test]
        fn rect_lower_bound_is_a_lower_bound(
            (px, py) in (-180.0f64..180.0, -89.0f64..89.0),
            (x0, y0, w, h) in (-179.0f64..170.0, -89.0f64..80.0, 0.0f64..9.0, 0.0f64..9.0),
            (u, v) in (0.0f64..=1.0, 0.0f64..=1.0),
        ) {
            let rect = Rect::new(Coord { x: x0, y: y0 }, Coord { x: x0 + w, y: y0 + h });
            let q = Coord { x: x0 + u * w, y: y0 + v * h };
            let p = Coord { x: px, y: py };
            let d = distance_m(p, q);
            let lb = lower_bound_to_rect_m(p, rect, d + 1.0);
            proptest::prop_assert!(lb <= d + 1e-6, "{} > {}", lb, d);
        }
    }
    use geo::polygon;

    #[test]
    fn equator_distances_are_arcs_of_the_equatorial_radius() {
        // Along the equator a geodesic shorter than (1 - f)·π·a is the
        // equator itself, so its length is a·Δλ exactly.
        let d = distance_m(Coord { x: 10.5, y: 0.0 }, Coord { x: 3.6, y: 0.0 });
        let expected = WGS84_A * 6.9f64.to_radians();
        assert!((d - expected).abs() < 1e-6, "{d} vs {expected}");
    }

    #[test]
    fn lower_bound_never_exceeds_the_geodesic() {
        let pairs = [
            ((0.0, 0.0), (0.0, 1.0)),
            ((106.5, 29.5), (107.9, 31.0)),
            ((0.0, 89.0), (180.0, 89.0)),
            ((-70.0, -33.0), (151.0, -34.0)),
        ];
        for ((ax, ay), (bx, by)) in pairs {
            let (a, b) = (Coord { x: ax, y: ay }, Coord { x: bx, y: by });
            let chord = chord_sq(unit_vector(a), unit_vector(b));
            assert!(lower_bound_m(chord) <= distance_m(a, b));
        }
    }

    #[test]
    fn expanded_rect_holds_every_point_within_the_distance() {
        let rect = Rect::new(Coord { x: 106.0, y: 29.0 }, Coord { x: 106.1, y: 29.1 });
        let grown = expand_rect_m(rect, 50_000.0);
        // Go 50 km in eight directions from each corner.
        for corner in [rect.min(), rect.max()] {
            for bearing in (0..360).step_by(45) {
                let q = geo::Destination::destination(
                    &Geodesic,
                    Point(corner),
                    bearing as f64,
                    50_000.0,
                );
                assert!(
                    grown.intersects(&q.0),
                    "bearing {bearing}: {q:?} not in {grown:?}"
                );
            }
        }
    }

    #[test]
    fn distance_to_area_handles_inside_holes_and_outside() {
        let area = MultiPolygon::new(vec![polygon![
            exterior: [(x: 2.0, y: -0.5), (x: 3.0, y: -0.5), (x: 3.0, y: 0.5), (x: 2.0, y: 0.5), (x: 2.0, y: -0.5)],
            interiors: [[(x: 2.4, y: -0.1), (x: 2.6, y: -0.1), (x: 2.6, y: 0.1), (x: 2.4, y: 0.1), (x: 2.4, y: -0.1)]],
        ]]);
        assert_eq!(distance_to_area_m(Coord { x: 2.2, y: 0.0 }, &area).0, 0.0);
        assert_eq!(distance_to_area_m(Coord { x: 3.0, y: 0.0 }, &area).0, 0.0);
        // From the centre of the hole the nearest edge is 0.1° of meridian
        // away (11,057 m), nearer than 0.1° of equator (11,132 m).
        let (d, at) = distance_to_area_m(Coord { x: 2.5, y: 0.0 }, &area);
        assert!((d - 11_057.43).abs() < 0.01, "{d}");
        assert!(
            (at.x - 2.5).abs() < 1e-6 && (at.y.abs() - 0.1).abs() < 1e-9,
            "{at:?}"
        );
        // East of the area along the equator: a·Δλ.
        let (d, _) = distance_to_area_m(Coord { x: 5.0, y: 0.0 }, &area);
        assert!((d - WGS84_A * 2f64.to_radians()).abs() < 1e-3, "{d}");
    }

    #[test]
    fn nearest_boundary_point_is_geodesic_not_planar() {
        // At 60° N the geodesic from a point 1.3° east of an edge meets it a
        // little north of the parallel. Reference: pyproj.Geod(ellps="WGS84")
        // minimised over 200,001 points of the edge: 72,535.334 m at 60.0064°.
        let area = MultiPolygon::new(vec![polygon![
            (x: -0.2, y: 59.9), (x: 0.2, y: 59.9), (x: 0.2, y: 60.1), (x: -0.2, y: 60.1), (x: -0.2, y: 59.9)
        ]]);
        let (d, at) = distance_to_area_m(Coord { x: 1.5, y: 60.0 }, &area);
        assert!((d - 72_535.334).abs() < 0.01, "{d}");
        assert!((at.y - 60.0064).abs() < 1e-4, "{at:?}");
    }
}
