//! `chargecov generate`: determinism, the committed demo data being the
//! generator's own output, and the shapes being a true tiling — checked
//! on the written GeoJSON with geo's own algorithms, not the generator's.

use crate::common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use geo::{
    Area, BooleanOps, BoundingRect, Contains, Distance, GeodesicArea, Geometry, Haversine,
    MultiPolygon, Point, Validation,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree, RTreeObject};
use serde_json::Value;

use common::{chargecov, path_str, root};

const FILES: [&str; 4] = [
    "areas.geojson",
    "stations.geojson",
    "outline.geojson",
    "README.md",
];

fn generate(dir: &Path, args: &[&str]) -> std::process::Output {
    chargecov()
        .arg("generate")
        .args(args)
        .args(["--out", path_str(dir), "--quiet"])
        .output()
        .expect("runs")
}

fn features(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("readable");
    let mut doc: Value = serde_json::from_str(&text).expect("GeoJSON is JSON");
    assert_eq!(doc["type"], "FeatureCollection");
    match doc["features"].take() {
        Value::Array(list) => list,
        other => panic!("features is {other}"),
    }
}

fn multipolygon(feature: &Value) -> MultiPolygon<f64> {
    let geometry: geojson::Geometry =
        serde_json::from_value(feature["geometry"].clone()).expect("a GeoJSON geometry");
    match Geometry::<f64>::try_from(geometry).expect("convertible") {
        Geometry::Polygon(p) => MultiPolygon(vec![p]),
        Geometry::MultiPolygon(m) => m,
        other => panic!("not a polygon: {other:?}"),
    }
}

#[test]
fn same_seed_gives_the_same_bytes_on_any_number_of_threads() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().expect("tmp")).collect();
    let args = ["--areas", "40", "--stations", "150", "--seed", "7"];
    assert!(generate(dirs[0].path(), &args).status.success());
    let single = chargecov()
        .env("RAYON_NUM_THREADS", "1")
        .arg("generate")
        .args(args)
        .args(["--out", path_str(dirs[1].path()), "--quiet"])
        .output()
        .expect("runs");
    assert!(single.status.success());
    let other = ["--areas", "40", "--stations", "150", "--seed", "8"];
    assert!(generate(dirs[2].path(), &other).status.success());
    for name in FILES {
        let a = std::fs::read(dirs[0].path().join(name)).expect("written");
        let b = std::fs::read(dirs[1].path().join(name)).expect("written");
        let c = std::fs::read(dirs[2].path().join(name)).expect("written");
        assert!(a == b, "{name} differs between runs");
        if name != "README.md" {
            assert!(a != c, "{name} does not depend on the seed");
        }
    }
}

#[test]
fn the_committed_demo_data_is_what_the_generator_makes() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = generate(dir.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in FILES {
        let fresh = std::fs::read(dir.path().join(name)).expect("written");
        let committed = std::fs::read(root().join("data").join(name)).expect("committed");
        assert!(
            fresh == committed,
            "data/{name} is not what `chargecov generate` makes; regenerate it with \
             `cargo run --release -- generate --out data`"
        );
    }
}

struct Tiling {
    areas: Vec<MultiPolygon<f64>>,
    outline: MultiPolygon<f64>,
}

fn read_tiling(dir: &Path) -> Tiling {
    let areas = features(&dir.join("areas.geojson"))
        .iter()
        .map(multipolygon)
        .collect();
    let outline = features(&dir.join("outline.geojson"));
    assert_eq!(outline.len(), 1);
    Tiling {
        areas,
        outline: multipolygon(&outline[0]),
    }
}

/// Each area valid, with 50–400 vertices per ring; the areas' geodesic
/// sizes add up to the outline's within 0.1 %; no two overlap by more
/// than a rounding sliver (1e-9 of the smaller, in planar degrees²).
fn assert_tiles(t: &Tiling) {
    for (i, area) in t.areas.iter().enumerate() {
        assert!(
            area.is_valid(),
            "area {i} is invalid: {:?}",
            area.validation_errors()
        );
        for polygon in area {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                let vertices = ring.0.len() - 1;
                assert!(
                    (50..=400).contains(&vertices),
                    "area {i}: a ring of {vertices} vertices"
                );
            }
        }
    }
    assert!(t.outline.is_valid());
    let sum: f64 = t.areas.iter().map(|a| a.geodesic_area_unsigned()).sum();
    let outline = t.outline.geodesic_area_unsigned();
    assert!(
        (sum / outline - 1.0).abs() < 1e-3,
        "areas add up to {sum} m², the outline is {outline} m²"
    );

    assert_no_overlaps(&t.areas);
}

/// No two areas overlap by more than a rounding sliver (1e-9 of the
/// smaller, in planar degrees²); neighbours are found by bounding box.
fn assert_no_overlaps(areas: &[MultiPolygon<f64>]) {
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let r = a.bounding_rect().expect("non-empty");
            GeomWithData::new(
                Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                i,
            )
        })
        .collect();
    let tree = RTree::bulk_load(boxes.clone());
    let mut pairs = 0;
    for b in &boxes {
        let envelope: AABB<[f64; 2]> = b.envelope();
        for other in tree.locate_in_envelope_intersecting(&envelope) {
            let (i, j) = (b.data, other.data);
            if j <= i {
                continue;
            }
            pairs += 1;
            let overlap = areas[i].intersection(&areas[j]).unsigned_area();
            let smaller = areas[i].unsigned_area().min(areas[j].unsigned_area());
            assert!(
                overlap <= 1e-9 * smaller,
                "areas {i} and {j} overlap by {overlap} deg² ({smaller} deg² is the smaller)"
            );
        }
    }
    assert!(
        pairs + 1 >= areas.len(),
        "too few neighbour pairs tested: {pairs}"
    );
}

#[test]
fn the_demo_areas_tile_a_chongqing_sized_outline() {
    let t = read_tiling(&root().join("data"));
    assert_eq!(t.areas.len(), 1031);
    assert_tiles(&t);
    let km2 = t.outline.geodesic_area_unsigned() / 1e6;
    assert!((km2 / 82_400.0 - 1.0).abs() < 0.03, "outline is {km2} km²");
    let r = t.outline.bounding_rect().expect("non-empty");
    assert!(r.min().x > 105.1 && r.max().x < 110.4, "{r:?}");
    assert!(r.min().y > 28.0 && r.max().y < 32.4, "{r:?}");
    assert!(
        t.areas.iter().any(|a| a.0.len() > 1),
        "no exclave (MultiPolygon)"
    );
    assert!(
        t.areas
            .iter()
            .any(|a| a.0.iter().any(|p| !p.interiors().is_empty())),
        "no enclave (hole)"
    );
}

#[test]
fn small_and_mid_sized_sets_tile_too() {
    for (areas, stations, seed) in [("12", "40", "3"), ("300", "900", "99")] {
        let dir = tempfile::tempdir().expect("tmp");
        let out = generate(
            dir.path(),
            &["--areas", areas, "--stations", stations, "--seed", seed],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let t = read_tiling(dir.path());
        assert_eq!(t.areas.len().to_string(), areas);
        assert_tiles(&t);
        assert_eq!(
            features(&dir.path().join("stations.geojson"))
                .len()
                .to_string(),
            stations
        );
    }
}

#[test]
fn demo_areas_have_chongqing_structure() {
    let list = features(&root().join("data/areas.geojson"));
    let mut kinds: HashMap<String, usize> = HashMap::new();
    let mut districts: HashSet<String> = HashSet::new();
    let mut codes: HashSet<String> = HashSet::new();
    let mut population = 0.0;
    for f in &list {
        let p = &f["properties"];
        *kinds
            .entry(p["kind"].as_str().expect("kind").to_owned())
            .or_default() += 1;
        districts.insert(p["district"].as_str().expect("district").to_owned());
        let code = p["code"].as_str().expect("code");
        let district_code = p["district_code"].as_str().expect("district code");
        assert_eq!(code.len(), 12, "{code}");
        assert!(
            code.starts_with(district_code) && code.starts_with("50"),
            "{code}"
        );
        assert!(
            code < "500300000000",
            "{code} is not a Chongqing-style code"
        );
        assert!(codes.insert(code.to_owned()), "duplicate code {code}");
        population += p["population"].as_f64().expect("population");
    }
    // Chongqing's proportions: 245 subdistricts, 625 towns, 161 townships.
    assert_eq!(kinds["街道"], 245);
    assert_eq!(kinds["镇"], 625);
    assert_eq!(kinds["乡"], 161);
    assert_eq!(districts.len(), 38);
    for name in ["渝中区", "万州区", "城口县", "秀山土家族苗族自治县"] {
        assert!(districts.contains(name), "{name} missing");
    }
    assert!(
        (population / 32e6 - 1.0).abs() < 0.01,
        "population {population}"
    );
}

#[test]
fn demo_stations_carry_real_world_mess() {
    let list = features(&root().join("data/stations.geojson"));
    assert_eq!(list.len(), 6000);
    let t = read_tiling(&root().join("data"));
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut text_power = 0;
    let mut outside = 0;
    let mut points = Vec::new();
    for f in &list {
        let p = &f["properties"];
        for key in ["id", "operator", "power_kw", "connectors"] {
            assert!(!p[key].is_null(), "station without {key}: {f}");
        }
        *ids.entry(p["id"].as_str().expect("id").to_owned())
            .or_default() += 1;
        if p["power_kw"].is_string() {
            text_power += 1;
        }
        let c = &f["geometry"]["coordinates"];
        let point = Point::new(c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"));
        if !t.outline.contains(&point) {
            outside += 1;
        }
        points.push((point, p["id"].as_str().expect("id").to_owned()));
    }
    let repeated = ids.values().filter(|&&n| n > 1).count();
    assert!(repeated >= 5, "only {repeated} exact duplicates");
    assert!(
        (60..=360).contains(&text_power),
        "{text_power} powers as text"
    );
    assert!(
        (5..=30).contains(&outside),
        "{outside} stations outside the outline"
    );
    // Near duplicates: another id within 10 m (grid of ~100 m cells).
    let cell = |p: &Point<f64>| ((p.x() * 1000.0) as i64, (p.y() * 1000.0) as i64);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (k, (p, _)) in points.iter().enumerate() {
        grid.entry(cell(p)).or_default().push(k);
    }
    let mut near = 0;
    for (k, (p, id)) in points.iter().enumerate() {
        let (cx, cy) = cell(p);
        let close = (cx - 1..=cx + 1)
            .flat_map(|x| (cy - 1..=cy + 1).map(move |y| (x, y)))
            .filter_map(|key| grid.get(&key))
            .flatten()
            .any(|&j| j != k && points[j].1 != *id && Haversine.distance(*p, points[j].0) < 10.0);
        near += usize::from(close);
    }
    assert!(near >= 10, "only {near} stations have a near duplicate");
}

#[test]
fn refuses_impossible_sizes_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = generate(dir.path(), &["--areas", "100", "--stations", "50"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--stations 50") && err.contains("at least"),
        "{err}"
    );
    let out = generate(dir.path(), &["--areas", "3", "--stations", "50"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8 areas"));
    // Sizes that would overflow or exhaust memory are refused up front
    // (they panicked or grew until killed).
    for (flag, value) in [
        ("--areas", "18446744073709551615"),
        ("--stations", "18446744073709551615"),
        ("--stations", "1000000000000"),
    ] {
        let other = if flag == "--areas" {
            ["--stations", "50"]
        } else {
            ["--areas", "12"]
        };
        let out = generate(dir.path(), &[flag, value, other[0], other[1]]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag) && err.contains("at most"), "{err}");
    }
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "a refused run wrote files"
    );
}

/// A square of side `side` degrees at (`x`, `y`), 64 vertices per ring.
fn square(x: f64, y: f64, side: f64) -> MultiPolygon<f64> {
    let mut ring = Vec::new();
    for k in 0..64 {
        let t = (k % 16) as f64 / 16.0 * side;
        ring.push(match k / 16 {
            0 => (x + t, y),
            1 => (x + side, y + t),
            2 => (x + side - t, y + side),
            _ => (x, y + side - t),
        });
    }
    ring.push((x, y));
    MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])])
}

#[test]
#[should_panic(expected = "overlap")]
fn the_overlap_check_catches_overlaps() {
    assert_no_overlaps(&[square(0.0, 0.0, 1.0), square(0.9, 0.0, 1.0)]);
}

#[test]
fn the_overlap_check_accepts_shared_edges() {
    assert_no_overlaps(&[square(0.0, 0.0, 1.0), square(1.0, 0.0, 1.0)]);
}
