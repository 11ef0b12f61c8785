//! Real data: Chongqing's 38 districts in GCJ-02 (AMap-derived) against
//! the municipality's WGS84 outline, from `../shared/data/chongqing/`
//! (read-only, never copied here).
//!
//! Read with `--areas-crs gcj02`, the districts' outer boundary must lie
//! on the outline: a sample of outline vertices is within 100 m of a
//! district boundary almost everywhere (the two come from different
//! sources, so not everywhere). Read raw, the offset is several hundred
//! metres. Distances are measured in a local equirectangular frame, exact
//! to well under a metre at these distances.

use crate::common;

use std::path::Path;

use geo::{Coord, Line};
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde_json::Value;

use common::{chargecov, path_str, shared_data};

/// Every ring of every polygon in a GeoJSON file, as lon/lat lines.
fn boundary_lines(path: &Path) -> Vec<Line<f64>> {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut lines = Vec::new();
    for f in doc["features"].as_array().unwrap() {
        let geometry = &f["geometry"];
        let polygons: Vec<&Value> = match geometry["type"].as_str().unwrap() {
            "Polygon" => vec![&geometry["coordinates"]],
            "MultiPolygon" => geometry["coordinates"].as_array().unwrap().iter().collect(),
            other => panic!("unexpected {other}"),
        };
        for polygon in polygons {
            for ring in polygon.as_array().unwrap() {
                let points: Vec<Coord<f64>> = ring
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| Coord {
                        x: p[0].as_f64().unwrap(),
                        y: p[1].as_f64().unwrap(),
                    })
                    .collect();
                lines.extend(points.windows(2).map(|w| Line::new(w[0], w[1])));
            }
        }
    }
    lines
}

/// Metres from `p` to the nearest line, in a local frame at `p`.
fn distance_m(tree: &RTree<GeomWithData<Line<f64>, ()>>, p: Coord<f64>) -> f64 {
    let kx = 111_320.0 * p.y.to_radians().cos();
    let ky = 110_574.0;
    let local = |c: Coord<f64>| Coord {
        x: (c.x - p.x) * kx,
        y: (c.y - p.y) * ky,
    };
    // Candidates: the nearest lines in degrees, then exact in metres.
    tree.nearest_neighbor_iter(&geo::Point(p))
        .take(64)
        .map(|g| {
            let (a, b) = (local(g.geom().start), local(g.geom().end));
            let d = b - a;
            let len2 = d.x * d.x + d.y * d.y;
            let t = if len2 > 0.0 {
                (-(a.x * d.x + a.y * d.y) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let q = a + d * t;
            q.x.hypot(q.y)
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn gcj02_districts_line_up_with_the_wgs84_outline_once_converted() {
    // Absent shared data skips loudly, and fails under CI.
    let (Some(districts), Some(outline)) = (
        shared_data("real_chongqing", "chongqing/districts_gcj02.geojson"),
        shared_data("real_chongqing", "chongqing/outline_wgs84.geojson"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let station = dir.path().join("one.csv");
    std::fs::write(&station, "id,lon,lat,power_kw\nx,106.55,29.56,480\n").unwrap();
    let mut shares = Vec::new();
    for converted in [true, false] {
        let out_path = dir.path().join(format!("districts-{converted}.geojson"));
        let mut cmd = chargecov();
        cmd.args(["check", "-q", "--areas", path_str(&districts)])
            .args(["--stations", path_str(&station)])
            .args(["--areas-out", path_str(&out_path)]);
        if converted {
            cmd.args(["--areas-crs", "gcj02"]);
        }
        let out = cmd.output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = boundary_lines(&out_path);
        let tree = RTree::bulk_load(
            lines
                .into_iter()
                .map(|l| GeomWithData::new(l, ()))
                .collect(),
        );
        let outline_lines = boundary_lines(&outline);
        let mut distances: Vec<f64> = outline_lines
            .iter()
            .step_by(50)
            .map(|l| distance_m(&tree, l.start))
            .collect();
        distances.sort_by(f64::total_cmp);
        let within =
            distances.iter().filter(|&&d| d <= 100.0).count() as f64 / distances.len() as f64;
        let median = distances[distances.len() / 2];
        eprintln!(
            "real_chongqing: converted={converted}: {} outline vertices sampled, {:.1} % within 100 m, median {median:.0} m",
            distances.len(),
            100.0 * within
        );
        shares.push((within, median));
    }
    let (converted, raw) = (shares[0], shares[1]);
    assert!(
        converted.0 >= 0.9,
        "converted: only {:.3} within 100 m",
        converted.0
    );
    assert!(converted.1 < 50.0, "converted: median {} m", converted.1);
    assert!(
        raw.1 > 300.0,
        "raw: median {} m, expected several hundred",
        raw.1
    );
    assert!(raw.0 < 0.3, "raw: {:.3} within 100 m", raw.0);
}
