//! Coordinate systems in `chargecov check`: a projected twin of a fixture
//! gives the same answers as the original; outputs in another CRS carry a
//! `crs` member and read back to the same places.

use crate::common;

use common::{area, chargecov, check_json, path_str};
use serde_json::Value;

const AREAS: &str = "fixtures/basic/areas.geojson";
const STATIONS: &str = "fixtures/basic/stations.geojson";
/// EPSG:3857 twins made with pyproj (fixtures/projected/README.md).
const AREAS_3857: &str = "fixtures/projected/areas-3857.geojson";
const STATIONS_3857: &str = "fixtures/projected/stations-3857.geojson";

fn assert_close(a: &Value, b: &Value, tolerance: f64, what: &str) {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => assert!((x - y).abs() <= tolerance, "{what}: {x} vs {y}"),
        _ => assert_eq!(a, b, "{what}"),
    }
}

#[test]
fn a_projected_twin_gives_the_same_answers() {
    for rule in [
        &[][..],
        &["--min-power-kw", "100"][..],
        &["--min-power-kw", "100", "--within-km", "800"][..],
    ] {
        let mut original = vec!["--areas", AREAS, "--stations", STATIONS];
        original.extend_from_slice(rule);
        let mut twin = vec!["--areas", AREAS_3857, "--stations", STATIONS_3857];
        twin.extend_from_slice(rule);
        let (code_a, a) = check_json(&original);
        let (code_b, b) = check_json(&twin);
        assert_eq!(code_a, code_b, "{rule:?}");
        assert!(
            b["inputs"]["areas"]["crs"]
                .as_str()
                .unwrap()
                .starts_with("EPSG:3857, declared")
        );
        assert_eq!(a["summary"]["uncovered"], b["summary"]["uncovered"]);
        assert_eq!(
            a["summary"]["stations_outside_areas"],
            b["summary"]["stations_outside_areas"]
        );
        for id in ["A", "B", "C", "D", "E"] {
            let (x, y) = (area(&a, id), area(&b, id));
            for exact in [
                "stations_inside",
                "qualifying_inside",
                "covered",
                "nearest_station_id",
                "boundary_station_id",
            ] {
                assert_eq!(x[exact], y[exact], "{id} {exact} {rule:?}");
            }
            // Rounded to 0.1 m on both sides.
            for metres in ["nearest_distance_m", "boundary_distance_m"] {
                assert_close(&x[metres], &y[metres], 0.11, &format!("{id} {metres}"));
            }
            for axis in ["lon", "lat"] {
                assert_close(
                    &x["representative_point"][axis],
                    &y["representative_point"][axis],
                    2e-7,
                    &format!("{id} rep {axis}"),
                );
            }
        }
    }
}

#[test]
fn gcj02_output_carries_its_crs_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let wgs = dir.path().join("uncovered-wgs84.geojson");
    let gcj = dir.path().join("uncovered-gcj02.geojson");
    let strict = ["check", "--min-power-kw", "480", "-q"];
    for (path, crs) in [(&wgs, None), (&gcj, Some("gcj02"))] {
        let mut cmd = chargecov();
        cmd.args(strict).args(["--uncovered", path_str(path)]);
        if let Some(crs) = crs {
            cmd.args(["--output-crs", crs]);
        }
        assert_eq!(cmd.output().unwrap().status.code(), Some(1));
    }
    let read = |p: &std::path::Path| -> Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let (w, g) = (read(&wgs), read(&gcj));
    assert!(w.get("crs").is_none(), "RFC 7946 output has no crs member");
    assert_eq!(g["crs"]["properties"]["name"], "GCJ-02");
    let first = |v: &Value| -> (f64, f64) {
        let c = &v["features"][0]["geometry"]["coordinates"];
        let ring = if c[0][0][0].is_array() {
            &c[0][0]
        } else {
            &c[0]
        };
        (ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap())
    };
    let (a, b) = (first(&w), first(&g));
    // GCJ-02 moves points in Chongqing by a few hundred metres.
    let shift_m = ((b.0 - a.0) * 96_000.0).hypot((b.1 - a.1) * 111_000.0);
    assert!((200.0..900.0).contains(&shift_m), "shift {shift_m} m");

    // Read back as areas (the crs member says GCJ-02), written out as WGS84:
    // the same areas, the same places.
    let back = dir.path().join("back.geojson");
    let out = chargecov()
        .args(["check", "--min-power-kw", "480", "-q"])
        .args([
            "--areas",
            path_str(&gcj),
            "--stations",
            "data/stations.geojson",
        ])
        .args(["--areas-out", path_str(&back)])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = read(&back);
    assert_eq!(r["features"].as_array().unwrap().len(), 6);
    let c = first(&r);
    assert!(
        (c.0 - a.0).abs() < 1e-7 && (c.1 - a.1).abs() < 1e-7,
        "{c:?} vs {a:?}"
    );
    for f in r["features"].as_array().unwrap() {
        assert_eq!(f["properties"]["covered"], false);
    }
}

#[test]
fn projected_csv_output_names_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("areas.csv");
    let out = chargecov()
        .args(["check", "--areas", AREAS, "--stations", STATIONS, "-q"])
        .args(["--output-crs", "EPSG:3857", "--areas-out", path_str(&csv)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&csv).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("rep_x,rep_y") && !header.contains("rep_lon"),
        "{header}"
    );
    // Area B's representative point (1.5, 0) in Web Mercator: x = a·λ.
    let b = text.lines().find(|l| l.starts_with("B,")).unwrap();
    let x: f64 = b.split(',').nth(7).unwrap().parse().unwrap();
    assert!((x - 6_378_137.0 * 1.5f64.to_radians()).abs() < 0.01, "{x}");
}

/// Every layer flag of `check` honours `--output-crs`, as its help says:
/// each layer's first position in EPSG:3857 is its WGS84 twin projected by
/// the spherical Mercator formulas (x = Rλ, y = R ln tan(π/4 + φ/2),
/// R = 6,378,137 m), to a centimetre.
#[test]
fn every_check_layer_flag_honours_the_output_crs() {
    let help = chargecov().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    let paragraph: String = help
        .lines()
        .skip_while(|l| !l.contains("--output-crs"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--uncovered", "--areas-out", "--gaps", "--sites"];
    let path = |crs: &str, flag: &str| {
        dir.path()
            .join(format!("{crs}-{}.geojson", flag.trim_start_matches('-')))
    };
    for crs in ["wgs84", "EPSG:3857"] {
        let mut cmd = chargecov();
        cmd.args(["check", "--min-power-kw", "480", "-q", "--radius-km", "2"])
            .args(["--output-crs", crs]);
        for flag in flags {
            cmd.args([flag, path_str(&path(crs, flag))]);
        }
        assert_eq!(cmd.output().unwrap().status.code(), Some(1));
    }
    let first = |p: &std::path::Path| -> (Value, [f64; 2]) {
        let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        let mut c = &v["features"][0]["geometry"]["coordinates"];
        while c[0].is_array() {
            c = &c[0];
        }
        let xy = [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()];
        (v, xy)
    };
    const R: f64 = 6_378_137.0;
    for flag in flags {
        assert!(
            paragraph.contains(flag),
            "--output-crs help names {flag}: {paragraph}"
        );
        let (_, [lon, lat]) = first(&path("wgs84", flag));
        let (v, [x, y]) = first(&path("EPSG:3857", flag));
        assert_eq!(
            v["crs"]["properties"]["name"], "urn:ogc:def:crs:EPSG::3857",
            "{flag}"
        );
        let (ex, ey) = (
            R * lon.to_radians(),
            R * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
                .tan()
                .ln(),
        );
        assert!(
            (x - ex).abs() < 0.01 && (y - ey).abs() < 0.01,
            "{flag}: [{x}, {y}] vs [{ex}, {ey}]"
        );
    }
}
