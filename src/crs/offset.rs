//! China's "offset" coordinate systems, which PROJ and EPSG do not know:
//! GCJ-02 (AMap, Tencent) and BD-09 (Baidu).
//!
//! The forward formulas are the published ones (the GCJ-02 polynomial and
//! sine series with the Krasovsky ellipsoid, applied only inside a box
//! around China, and Baidu's rotation and shift on top of GCJ-02, applied
//! everywhere). Neither has a closed-form inverse, so the inverses here
//! iterate the forward formula until it reproduces the input to 1e-10°
//! (about 10 µm) — well inside the 1 cm the round trip must meet. The
//! algorithm's own "outside China" box makes GCJ-02 the identity there.

use std::f64::consts::PI;

/// Krasovsky 1940 semi-major axis and eccentricity², as the published
/// GCJ-02 algorithm uses them.
const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
/// BD-09's angular constant (π·3000/180).
const BD_X_PI: f64 = PI * 3000.0 / 180.0;
/// Inverse iterations: each gains about three digits; stop at 1e-10°.
const MAX_ITERATIONS: usize = 30;
const TOLERANCE_DEG: f64 = 1e-10;

/// The published algorithm's box: outside it GCJ-02 equals WGS84.
pub fn outside_china(lon: f64, lat: f64) -> bool {
    !((72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat))
}

fn offset_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn offset_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 → GCJ-02.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if outside_china(lon, lat) {
        return (lon, lat);
    }
    let d_lat = offset_lat(lon - 105.0, lat - 35.0);
    let d_lon = offset_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat.to_radians();
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat =
        (d_lat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let d_lon = (d_lon * 180.0) / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    (lon + d_lon, lat + d_lat)
}

/// GCJ-02 → BD-09.
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = lon.hypot(lat) + 0.000_02 * (lat * BD_X_PI).sin();
    let theta = lat.atan2(lon) + 0.000_003 * (lon * BD_X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// Inverts `forward` near `target` by fixed-point iteration: the offsets
/// change slowly with position, so `p ← p − (forward(p) − target)`
/// converges quickly.
fn invert(forward: impl Fn(f64, f64) -> (f64, f64), target: (f64, f64)) -> (f64, f64) {
    let mut p = target;
    for _ in 0..MAX_ITERATIONS {
        let (fx, fy) = forward(p.0, p.1);
        let (ex, ey) = (fx - target.0, fy - target.1);
        p = (p.0 - ex, p.1 - ey);
        if ex.abs() < TOLERANCE_DEG && ey.abs() < TOLERANCE_DEG {
            break;
        }
    }
    p
}

/// GCJ-02 → WGS84 (iterative inverse).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if outside_china(lon, lat) {
        return (lon, lat);
    }
    invert(wgs84_to_gcj02, (lon, lat))
}

/// BD-09 → GCJ-02 (iterative inverse).
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    invert(gcj02_to_bd09, (lon, lat))
}

/// WGS84 → BD-09.
pub fn wgs84_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = wgs84_to_gcj02(lon, lat);
    gcj02_to_bd09(x, y)
}

/// BD-09 → WGS84.
pub fn bd09_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = bd09_to_gcj02(lon, lat);
    gcj02_to_wgs84(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::distance_m;
    use geo::Coord;

    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        distance_m(Coord { x: a.0, y: a.1 }, Coord { x: b.0, y: b.1 })
    }

    /// Published pairs (lon, lat): WGS84 → GCJ-02 from the test suite of
    /// googollee/eviltransform (Shanghai, Shenzhen, Beijing) and the README
    /// of wandergis/coordtransform (Beijing, 116.404/39.915).
    const WGS_GCJ: [((f64, f64), (f64, f64)); 4] = [
        (
            (121.5272106, 31.1774276),
            (121.531541859215, 31.17530398364597),
        ),
        (
            (113.912316, 22.543847),
            (113.9171764808363, 22.540796131694766),
        ),
        (
            (116.377817, 39.911954),
            (116.38404722455657, 39.91334545536069),
        ),
        ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    ];

    #[test]
    fn forward_matches_published_pairs() {
        for (wgs, gcj) in WGS_GCJ {
            let got = wgs84_to_gcj02(wgs.0, wgs.1);
            assert!(
                metres(got, gcj) < 1e-6,
                "{wgs:?} → {got:?}, published {gcj:?}"
            );
        }
        // coordtransform: GCJ-02 → BD-09 of (116.404, 39.915).
        let bd = gcj02_to_bd09(116.404, 39.915);
        assert!(metres(bd, (116.41036949371029, 39.92133699351021)) < 1e-6);
    }

    #[test]
    fn inverses_match_published_pairs() {
        for (wgs, gcj) in WGS_GCJ {
            let back = gcj02_to_wgs84(gcj.0, gcj.1);
            assert!(
                metres(back, wgs) < 0.01,
                "{gcj:?} → {back:?}, expected {wgs:?}"
            );
        }
        // BD-09 → GCJ-02 / WGS84 with the exact iterative inverses of
        // prcoords 1.0.2 (PyPI, public domain): `bd_gcj_bored`, `bd_wgs_bored`.
        for (bd, gcj, wgs) in [
            (
                (116.404, 39.915),
                (116.39762708837266, 39.9086563391393),
                (116.39138589077658, 39.90725503854449),
            ),
            (
                (106.55, 29.56),
                (106.54353882313053, 29.553786682964027),
                (106.53979798564865, 29.556611892414672),
            ),
        ] {
            assert!(metres(bd09_to_gcj02(bd.0, bd.1), gcj) < 0.01, "{bd:?}");
            assert!(metres(bd09_to_wgs84(bd.0, bd.1), wgs) < 0.01, "{bd:?}");
        }
        // coordtransform's approximate (one-step) inverse of the same point
        // lies within a metre of the exact one.
        let gcj = bd09_to_gcj02(116.404, 39.915);
        assert!(metres(gcj, (116.39762729119315, 39.90865673957631)) < 1.0);
    }

    #[test]
    fn identity_outside_china_for_gcj02() {
        for p in [(2.35, 48.85), (-74.0, 40.7), (139.7, 35.7), (72.0, 30.0)] {
            assert_eq!(wgs84_to_gcj02(p.0, p.1), p);
            assert_eq!(gcj02_to_wgs84(p.0, p.1), p);
        }
    }

    #[test]
    fn offset_is_hundreds_of_metres_in_chongqing() {
        let p = (106.55, 29.56);
        let d = metres(p, wgs84_to_gcj02(p.0, p.1));
        assert!((300.0..700.0).contains(&d), "{d} m");
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips_within_a_centimetre(lon in 73.0f64..135.0, lat in 3.0f64..53.0) {
            let (gx, gy) = wgs84_to_gcj02(lon, lat);
            prop_assert!(metres(gcj02_to_wgs84(gx, gy), (lon, lat)) < 0.01);
            let (bx, by) = wgs84_to_bd09(lon, lat);
            prop_assert!(metres(bd09_to_wgs84(bx, by), (lon, lat)) < 0.01);
            let (cx, cy) = gcj02_to_bd09(lon, lat);
            prop_assert!(metres(bd09_to_gcj02(cx, cy), (lon, lat)) < 0.01);
        }
    }
}
