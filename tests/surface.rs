//! Surface coverage (`--radius-km`, `--gaps`, `--population-field`):
//! shares and gaps against hand-derived values and against dense point
//! sampling (an estimate made independently of the polygon method), the
//! worst-served point against a brute-force grid, and distances against
//! GeographicLib's published example.

use crate::common;

use geo::{Contains, Coord, Distance, Geodesic, GeodesicArea, MultiPolygon, Point, Validation};
use serde_json::Value;

use common::{area, chargecov, check_json, path_str};

const AREAS: &str = "fixtures/basic/areas.geojson";
const STATIONS: &str = "fixtures/basic/stations.geojson";

fn geodesic(a: Coord<f64>, b: Coord<f64>) -> f64 {
    Geodesic.distance(Point(a), Point(b))
}

#[test]
fn geodesic_distance_matches_geographiclib() {
    // GeographicLib's documented example (geographiclib.sourceforge.io,
    // "Geodesic.WGS84.Inverse(-41.32, 174.81, 40.96, -5.50)"): Wellington
    // to Salamanca, s12 = 19959679.267353 m.
    let d = chargecov::geodesy::distance_m(
        Coord {
            x: 174.81,
            y: -41.32,
        },
        Coord { x: -5.50, y: 40.96 },
    );
    assert!((d - 19_959_679.267_353).abs() < 1e-5, "{d}");
}

#[test]
fn shares_by_hand_on_the_equator() {
    // Area A is [0,1]×[−0.5,0.5]; with every station qualifying, s5 (0.3,
    // 0.3) lies 22 km and more from every edge, so its 10 km circle is
    // wholly inside A; s1 (1, 0.2) is on A's east edge, so half its circle
    // is. Covered: 1.5·πr² (a geodesic circle of 10 km at the equator
    // differs from πr² by r²/(12R²) ≈ 2·10⁻⁷ of it). A's size as drawn
    // (edges straight in lon/lat): the exact ellipsoidal box,
    // Δλ·b²·[f(φ₂) − f(φ₁)] with f(φ) = sin φ/(2(1 − e² sin² φ)) +
    // atanh(e sin φ)/(2e), is 12 308.9200 km² (pyproj's
    // Geod.polygon_area_perimeter on the box densified to 100 pieces a
    // side agrees: 12 308.9201; on the bare 4 corners, whose edges it takes
    // as geodesics, it says 12 309.2346).
    let (_, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        STATIONS,
        "--radius-km",
        "10,0.5",
    ]);
    let a = area(&r, "A");
    let expected = 1.5 * std::f64::consts::PI * 100.0 / 12_308.920_0;
    let share = a["within"]["10"].as_f64().unwrap();
    // The report rounds shares to 6 decimals: 5·10⁻⁷ in 0.038, 1.3·10⁻⁵
    // of it; exact circles leave nothing else to allow for.
    assert!(
        (share / expected - 1.0).abs() < 2e-5,
        "{share} vs {expected}"
    );
    assert!((a["area_km2"].as_f64().unwrap() - 12_308.920_0).abs() < 0.01);
    // Keys as written on the command line, in that order.
    let keys: Vec<&String> = a["within"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["10", "0.5"]);
    // Area E has nothing within 10 km.
    assert_eq!(area(&r, "E")["within"]["10"], 0.0);
}

/// Dense sampling: the share of a regular lon/lat grid (weighted by
/// cos(lat) for the cells' sizes) within `r` of the nearest station.
fn sampled_share(shape: &MultiPolygon<f64>, stations: &[Coord<f64>], r: f64, n: usize) -> f64 {
    use geo::BoundingRect;
    let rect = shape.bounding_rect().unwrap();
    // Only stations that can be within r of some point of the box matter.
    let centre = rect.center();
    let reach = geodesic(centre, rect.min()).max(geodesic(centre, rect.max())) + r;
    let stations: Vec<Coord<f64>> = stations
        .iter()
        .copied()
        .filter(|&s| geodesic(centre, s) <= reach * 1.01)
        .collect();
    let (mut inside, mut near) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let p = Coord {
                x: rect.min().x + (i as f64 + 0.5) / n as f64 * rect.width(),
                y: rect.min().y + (j as f64 + 0.5) / n as f64 * rect.height(),
            };
            if !shape.contains(&Point(p)) {
                continue;
            }
            let w = p.y.to_radians().cos();
            inside += w;
            if stations.iter().any(|&s| geodesic(p, s) <= r) {
                near += w;
            }
        }
    }
    near / inside
}

fn read_geojson(path: &std::path::Path) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["features"].as_array().unwrap().clone()
}

fn shape(feature: &Value) -> MultiPolygon<f64> {
    let g: geojson::Geometry = serde_json::from_value(feature["geometry"].clone()).unwrap();
    match geo::Geometry::<f64>::try_from(g).unwrap() {
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(m) => m,
        other => panic!("{other:?}"),
    }
}

fn points(features: &[Value], min_kw: f64) -> Vec<Coord<f64>> {
    features
        .iter()
        .filter(|f| {
            let p = &f["properties"]["power_kw"];
            p.as_f64()
                .or_else(|| chargecov::power::parse_power_kw(p.as_str()?).ok()?)
                .unwrap_or(0.0)
                >= min_kw
        })
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            Coord {
                x: c[0].as_f64().unwrap(),
                y: c[1].as_f64().unwrap(),
            }
        })
        .collect()
}

#[test]
fn demo_shares_and_gaps_agree_with_dense_sampling() {
    let dir = tempfile::tempdir().unwrap();
    let gaps = dir.path().join("gaps.geojson");
    let out = chargecov()
        .args(["check", "--min-power-kw", "480", "-q", "--format", "json"])
        .args(["--radius-km", "2,5", "--gaps", path_str(&gaps)])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let areas = read_geojson(&common::root().join("data/areas.geojson"));
    let stations = points(
        &read_geojson(&common::root().join("data/stations.geojson")),
        480.0,
    );
    // Every 50th area: a spread of urban and rural ones.
    let mut checked = 0;
    for (k, feature) in areas.iter().enumerate().step_by(50) {
        let s = shape(feature);
        let r = &report["areas"][k];
        for (label, metres) in [("2", 2_000.0), ("5", 5_000.0)] {
            let ours = r["within"][label].as_f64().unwrap();
            let sampled = sampled_share(&s, &stations, metres, 100);
            // 100×100 samples: the boundary cells' share of the area is a
            // few per cent at most; 2 percentage points is ample.
            assert!(
                (ours - sampled).abs() < 0.02,
                "area {k} r {label}: {ours} vs sampled {sampled}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 20);

    // Gaps (5 km): valid, inside their area, and gap + covered = area.
    let gap_features = read_geojson(&gaps);
    assert!(!gap_features.is_empty());
    for g in &gap_features {
        let k = g["properties"]["feature_index"].as_u64().unwrap() as usize;
        let gap = shape(g);
        assert!(gap.is_valid(), "gap of area {k} is invalid");
        assert_eq!(g["properties"]["radius_km"], "5");
        let area_shape = shape(&areas[k]);
        let gap_m2 = gap.geodesic_area_unsigned();
        let r = &report["areas"][k];
        let area_km2 = r["area_km2"].as_f64().unwrap();
        let within = r["within"]["5"].as_f64().unwrap();
        let sum = gap_m2 / 1e6 + within * area_km2;
        assert!(
            (sum / area_km2 - 1.0).abs() < 0.002,
            "area {k}: {sum} vs {area_km2}"
        );
        assert!((g["properties"]["gap_km2"].as_f64().unwrap() - gap_m2 / 1e6).abs() < 0.01);
        use geo::{Area, BooleanOps};
        // Planar sizes in degrees² suffice for a ratio this small; a
        // rounding sliver of the boolean operations is allowed.
        let outside = gap.difference(&area_shape).unsigned_area();
        assert!(
            outside <= 1e-6 * gap.unsigned_area().max(1e-12),
            "gap of area {k} leaves its area: {outside} of {} deg²",
            gap.unsigned_area()
        );
    }
}

#[test]
fn worst_point_matches_a_brute_force_grid() {
    let (_, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        STATIONS,
        "--radius-km",
        "10",
        "--min-power-kw",
        "100",
    ]);
    let areas = read_geojson(&common::root().join(AREAS));
    let stations = points(&read_geojson(&common::root().join(STATIONS)), 100.0);
    for (k, id) in ["A", "B", "C", "D"].iter().enumerate() {
        let s = shape(&areas[k]);
        let worst = &area(&r, id)["worst_point"];
        let ours = worst["distance_m"].as_f64().unwrap();
        let at = Coord {
            x: worst["lon"].as_f64().unwrap(),
            y: worst["lat"].as_f64().unwrap(),
        };
        use geo::Intersects;
        assert!(
            s.intersects(&Point(at)),
            "{id}: the worst point is outside the area"
        );
        let nearest = |p: Coord<f64>| {
            stations
                .iter()
                .map(|&q| geodesic(p, q))
                .fold(f64::INFINITY, f64::min)
        };
        assert!(
            (nearest(at) - ours).abs() < 0.2,
            "{id}: reported distance is the point's"
        );
        // Brute force over a 200×200 grid plus the vertices.
        use geo::BoundingRect;
        let rect = s.bounding_rect().unwrap();
        let n = 200;
        let mut best = s
            .iter()
            .flat_map(|p| p.exterior().coords())
            .map(|&v| nearest(v))
            .fold(0.0, f64::max);
        for i in 0..=n {
            for j in 0..=n {
                let p = Coord {
                    x: rect.min().x + i as f64 / n as f64 * rect.width(),
                    y: rect.min().y + j as f64 / n as f64 * rect.height(),
                };
                if s.intersects(&Point(p)) {
                    best = best.max(nearest(p));
                }
            }
        }
        // Ours is within 10 m of the true maximum, which is at least the
        // grid's best and at most that plus half a grid diagonal.
        let half_diagonal =
            0.5 * (rect.width() / n as f64 * 111_320.0).hypot(rect.height() / n as f64 * 110_600.0);
        assert!(ours >= best - 10.5, "{id}: {ours} below the grid's {best}");
        assert!(
            ours <= best + half_diagonal + 1.0,
            "{id}: {ours} beyond any point"
        );
    }
}

#[test]
fn population_weighted_statistics() {
    // The demo areas carry `population`; every area has one.
    let (_, r) = check_json(&[
        "--min-power-kw",
        "480",
        "--radius-km",
        "5",
        "--population-field",
        "population",
    ]);
    let p = &r["summary"]["population"];
    assert_eq!(p["areas_with_population"], 1031);
    let total = p["total"].as_f64().unwrap();
    assert!((total / 32e6 - 1.0).abs() < 0.01);
    // Population in the 6 uncovered townships, summed here independently.
    let uncovered: f64 = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["covered"] == false)
        .map(|a| a["population"].as_f64().unwrap())
        .sum();
    let share = p["in_covered_areas_share"].as_f64().unwrap();
    assert!((share - (1.0 - uncovered / total)).abs() < 1e-6);
    // Dense cities: people are closer to chargers than the surface is.
    let s = &r["summary"]["surface"];
    assert!(
        s["within_population_weighted"]["5"].as_f64() > s["within_area_weighted"]["5"].as_f64()
    );
    let curve = s["curve"].as_array().unwrap();
    assert_eq!(curve.len(), 14);
    let shares: Vec<f64> = curve.iter().map(|c| c["share"].as_f64().unwrap()).collect();
    assert!(
        shares.windows(2).all(|w| w[0] <= w[1]),
        "the curve rises: {shares:?}"
    );
    assert!(shares[13] > 0.99);
    // The curve at 5 km is the 5 km share.
    let at5 = curve.iter().find(|c| c["radius_km"] == 5.0).unwrap();
    assert_eq!(at5["share"], s["within_area_weighted"]["5"]);
}

#[test]
fn bad_radii_and_missing_population_are_refused() {
    for (args, needle) in [
        (vec!["--radius-km", "0"], "more than 0"),
        (vec!["--radius-km", "two"], "not a number"),
        (vec!["--gaps", "x.geojson"], "need --radius-km"),
        (
            vec!["--population-field", "nope"],
            "no area has a numeric property",
        ),
    ] {
        let out = chargecov()
            .args(["check", "--areas", AREAS, "--stations", STATIONS, "-q"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
