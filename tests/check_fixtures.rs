//! `chargecov check` on the hand-made fixtures; every expected value is
//! derived in the fixture's EXPECTED.md.

use crate::common;

use common::{area, chargecov, check_json, fixture, path_str};
use serde_json::Value;

const AREAS: &str = "fixtures/basic/areas.geojson";
const STATIONS: &str = "fixtures/basic/stations.geojson";

fn basic(extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--areas", AREAS, "--stations", STATIONS];
    args.extend_from_slice(extra);
    check_json(&args)
}

fn assert_m(value: &Value, expected: f64, tolerance: f64) {
    let v = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!(
        (v - expected).abs() <= tolerance,
        "{v} vs expected {expected}"
    );
}

#[test]
fn every_station_qualifies() {
    let (code, r) = basic(&[]);
    assert_eq!(code, 1, "E is uncovered");
    let s = &r["summary"];
    assert_eq!(s["claim_holds"], false);
    assert_eq!(s["areas_total"], 5);
    assert_eq!(s["areas_covered"], 4);
    assert_eq!(s["areas_uncovered"], 1);
    assert_eq!(s["uncovered"][0]["id"], "E");
    assert_eq!(s["stations_total"], 8);
    assert_eq!(s["stations_qualifying"], 8);
    assert_eq!(
        s["stations_outside_areas"], 2,
        "s3 in the hole, s7 far east"
    );
    assert_eq!(s["stations_unknown_power"], 1, "s8 \"abc\"");

    let inside: Vec<(String, u64)> = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["stations_inside"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [("A", 3), ("B", 1), ("C", 1), ("D", 2), ("E", 0)];
    assert_eq!(
        inside,
        expected.map(|(id, n)| (id.to_owned(), n)).to_vec(),
        "boundary station s1 in A and B, vertex station s2 in C, hole station s3 nowhere, exclave station s4 in D"
    );

    let a = area(&r, "A");
    assert_eq!(a["nearest_station_id"], "s5");
    assert_eq!(a["nearest_station_index"], 4, "ties go to the lower index");
    assert_m(&a["nearest_distance_m"], 39_950.9, 0.15);
    assert_eq!(a["boundary_distance_m"], 0.0);
    assert_m(&area(&r, "B")["nearest_distance_m"], 59_892.1, 0.15);
    let e = area(&r, "E");
    assert_eq!(e["covered"], false);
    assert_eq!(e["nearest_station_id"], "s7");
    assert_m(&e["nearest_distance_m"], 612_257.2, 0.15);
    assert_eq!(e["boundary_station_id"], "s7");
    assert_m(&e["boundary_distance_m"], 556_597.5, 0.15);

    let codes = &r["warnings"]["by_code"];
    assert_eq!(codes["duplicate-location"], 1);
    assert_eq!(codes["power-unparsed"], 1);
    assert_eq!(r["inputs"]["areas"]["fields"]["id"], "code");
    assert_eq!(r["inputs"]["areas"]["fields"]["group"], "district");
    assert_eq!(r["inputs"]["stations"]["fields"]["power"], "power_kw");
}

#[test]
fn power_threshold() {
    let (code, r) = basic(&["--min-power-kw", "100"]);
    assert_eq!(code, 1);
    assert_eq!(
        r["summary"]["stations_qualifying"], 3,
        "s1 150, s3 480, s4 200 kW"
    );
    assert_eq!(r["rule"]["min_power_kw"], 100.0);
    let uncovered: Vec<&str> = r["summary"]["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(uncovered, ["C", "E"]);
    let c = area(&r, "C");
    assert_eq!(c["stations_inside"], 1);
    assert_eq!(c["qualifying_inside"], 0);
    assert_eq!(c["boundary_station_id"], "s3");
    assert_m(&c["boundary_distance_m"], 11_057.4, 0.15);
    let a = area(&r, "A");
    assert_eq!(
        (
            a["stations_inside"].as_u64(),
            a["qualifying_inside"].as_u64()
        ),
        (Some(3), Some(1))
    );
    let e = area(&r, "E");
    assert_eq!(e["nearest_station_id"], "s4");
    assert_m(&e["nearest_distance_m"], 768_104.5, 0.15);
    assert_m(&e["boundary_distance_m"], 712_444.7, 0.15);
    // Per-group counts follow.
    let g2 = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "G2")
        .unwrap();
    assert_eq!(
        (g2["areas_total"].as_u64(), g2["areas_uncovered"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn boundary_tolerance_admits_the_station_in_the_hole() {
    let (code, r) = basic(&["--min-power-kw", "100", "--boundary-tolerance-m", "12000"]);
    assert_eq!(code, 1, "E stays uncovered");
    let c = area(&r, "C");
    assert_eq!(c["covered"], true);
    assert_eq!(c["stations_inside"], 2);
    assert_eq!(c["qualifying_inside"], 1);
    assert_m(&c["boundary_distance_m"], 11_057.4, 0.15);
    assert_eq!(area(&r, "B")["stations_inside"], 1);
    let (_, r) = basic(&["--min-power-kw", "100", "--boundary-tolerance-m", "11000"]);
    assert_eq!(
        area(&r, "C")["covered"],
        false,
        "11,057 m is beyond 11,000 m"
    );
}

#[test]
fn within_km() {
    let (code, r) = basic(&["--min-power-kw", "100", "--within-km", "800"]);
    assert_eq!(code, 0);
    assert_eq!(r["summary"]["claim_holds"], true);
    let (code, r) = basic(&["--min-power-kw", "100", "--within-km", "700"]);
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["uncovered"].as_array().unwrap().len(), 1);
    assert_eq!(r["summary"]["uncovered"][0]["id"], "E");
}

#[test]
fn euclidean_degrees_would_pick_the_wrong_station() {
    let (code, r) = check_json(&[
        "--areas",
        "fixtures/highlat/areas.geojson",
        "--stations",
        "fixtures/highlat/stations.csv",
    ]);
    assert_eq!(code, 1);
    let p = area(&r, "P");
    assert_eq!(p["nearest_station_id"], "X", "Y is nearer only in degrees");
    assert_m(&p["nearest_distance_m"], 83_698.2, 0.15);
    assert_m(&p["boundary_distance_m"], 72_535.3, 0.15);
    assert_eq!(r["inputs"]["stations"]["fields"]["lon"], "lon");
}

#[test]
fn uncovered_geojson_keeps_properties_and_adds_the_nearest_station() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("uncovered.geojson");
    let (code, _) = basic(&["--min-power-kw", "100", "--uncovered", path_str(&out)]);
    assert_eq!(code, 1);
    let fc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    let c = &features[0];
    assert_eq!(c["properties"]["code"], "C");
    assert_eq!(c["properties"]["name"], "Holey");
    assert_eq!(c["properties"]["district"], "G2");
    assert_eq!(c["properties"]["boundary_station_id"], "s3");
    assert_m(&c["properties"]["boundary_distance_m"], 11_057.4, 0.15);
    assert_eq!(c["geometry"]["type"], "Polygon");
    assert_eq!(
        c["geometry"]["coordinates"].as_array().unwrap().len(),
        2,
        "hole kept"
    );
    assert_eq!(features[1]["properties"]["nearest_station_id"], "s4");
}

#[test]
fn areas_out_as_csv_and_geojson() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("areas.csv");
    let geo_path = dir.path().join("areas.geojson");
    basic(&["--areas-out", path_str(&csv_path)]);
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0].starts_with("id,name,group,feature_index,stations_inside"));
    assert!(
        lines[1].starts_with("A,West,G1,0,3,3,true,0.5,0.0,s5,4,39950.9,"),
        "{}",
        lines[1]
    );
    basic(&["--areas-out", path_str(&geo_path)]);
    let fc: Value = serde_json::from_slice(&std::fs::read(&geo_path).unwrap()).unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len(), 5);
    assert_eq!(fc["features"][3]["geometry"]["type"], "MultiPolygon");
}

#[test]
fn report_file_equals_stdout_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let (_, stdout_report) = basic(&["--report", path_str(&path)]);
    let file_report: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(stdout_report, file_report);
    assert_eq!(file_report["tool"]["name"], "chargecov");
}

#[test]
fn stations_from_standard_input() {
    let stations = std::fs::read(fixture("basic/stations.geojson")).unwrap();
    let out = chargecov()
        .args([
            "check",
            "--areas",
            AREAS,
            "--stations",
            "-",
            "--format",
            "json",
            "-q",
        ])
        .write_stdin(stations)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["stations_total"], 8);
    assert_eq!(r["inputs"]["stations"]["path"], "<stdin>");
}

#[test]
fn text_output_snapshot() {
    let out = chargecov()
        .args([
            "check",
            "--areas",
            AREAS,
            "--stations",
            STATIONS,
            "--min-power-kw",
            "100",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn output_is_deterministic() {
    let (_, first) = basic(&["--min-power-kw", "100"]);
    let (_, second) = basic(&["--min-power-kw", "100"]);
    assert_eq!(
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&second).unwrap()
    );
}
