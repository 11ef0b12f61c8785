//! `chargecov corridor`: hand-made equator fixtures pin the arithmetic;
//! the OSM motorways around Mannheim–Karlsruhe with the German register
//! are compared with an independent shapely + pyproj reference.

use crate::common;

use std::collections::BTreeMap;
use std::process::Command as StdCommand;

use common::{chargecov, fixture, path_str, root, shared_data};
use serde_json::Value;

/// One degree of longitude on the equator: a·π/180 with WGS84's a. On the
/// equator geodesics run along it, so every distance below is a·Δλ.
const DEG_M: f64 = 6_378_137.0 * std::f64::consts::PI / 180.0;

fn km(deg: f64) -> f64 {
    deg * DEG_M / 1000.0
}

fn close(actual: &Value, expected: f64, what: &str) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {actual}"));
    assert!(
        (a - expected).abs() <= 0.0015,
        "{what}: {a} km, expected {expected:.4} km"
    );
}

/// Runs `corridor` on the equator fixtures with `extra` flags; (exit
/// code, JSON report, stderr).
fn equator(extra: &[&str]) -> (i32, Value, String) {
    let out = chargecov()
        .args(["corridor", "--network"])
        .arg(fixture("corridor/equator.geojson"))
        .arg("--stations")
        .arg(fixture("corridor/stations.geojson"))
        .args(["--format", "json", "-q"])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn route<'a>(report: &'a Value, name: &str, direction: &str) -> &'a Value {
    report["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["route"] == name && r["direction"] == direction)
        .unwrap_or_else(|| panic!("no route {name} {direction}"))
}

#[test]
fn equator_fixture_gaps_chainages_and_verdicts() {
    let (code, report, stderr) =
        equator(&["--min-power-kw", "150", "--spacing-km", "60", "--suggest"]);
    assert_eq!(code, 1, "{stderr}");
    // fixtures/corridor/README.md derives every figure below.
    let net = &report["inputs"]["network"];
    assert_eq!(net["lines"], 5);
    assert_eq!(net["oneway_lines"], 4);
    assert_eq!(net["skipped"]["Point"], 1);
    assert_eq!(net["route_field"], "ref");
    let s = &report["summary"];
    assert_eq!(s["routes"], 3, "E 1, E 2 and E 3 (\"E 2;E 3\")");
    assert_eq!(s["paths"], 4);
    assert_eq!(s["qualifying_sites"], 4, "S4 has 50 kW");
    assert_eq!(s["sites_on_roads"], 3, "S3 is 11 km off the road");
    assert_eq!(s["claim_holds"], false);

    let east = route(&report, "E 1", "eastbound");
    close(&east["length_km"], km(2.0), "E 1 eastbound length");
    assert_eq!(east["paths"], 1, "two ways merged into one path");
    assert_eq!(east["sites"], 2);
    close(
        &east["max_gap_km"],
        km(0.8),
        "E 1 eastbound: S2 at 1.2° to the end",
    );
    assert_eq!(east["stretches"], 2);
    let west = route(&report, "E 1", "westbound");
    assert_eq!(west["paths"], 1, "the oneway=-1 way is reversed and merged");
    close(&west["max_gap_km"], km(0.8), "E 1 westbound: start to S2");
    let e2 = route(&report, "E 2", "both");
    close(&e2["max_gap_km"], km(0.95), "E 2: start to S5 at 2.95°");
    assert_eq!(
        route(&report, "E 3", "both")["max_gap_km"],
        e2["max_gap_km"]
    );

    // Network view: E 2's start is 0.8° from S2 on E 1 (joined at 2°), so
    // the farthest point of E 2 lies between, (0.8 + 0 + 0.95) / 2 = 0.875°
    // from a site; E 1's farthest is its end at 2°, 0.8° (ends do not halve).
    close(&e2["network_max_km"], km(0.875), "E 2 network view");
    close(&east["network_max_km"], km(0.8), "E 1 network view");

    let stretches = report["stretches"].as_array().unwrap();
    assert_eq!(stretches.len(), 6);
    let between = stretches
        .iter()
        .find(|g| g["direction"] == "eastbound" && g["kind"] == "between")
        .unwrap();
    close(&between["start_km"], km(0.5), "S1's chainage");
    close(&between["end_km"], km(1.2), "S2's chainage");
    close(&between["gap_km"], km(0.7), "S1 to S2");

    // Greedy closing: 0.5° + 60 km, then 1.2° + 60 km on E 1 eastbound.
    let suggested = report["suggested"].as_array().unwrap();
    assert_eq!(suggested.len(), 6);
    assert_eq!(s["sites_to_close"], 6);
    close(&suggested[0]["km"], km(0.5) + 60.0, "first suggested site");
    close(&suggested[1]["km"], km(1.2) + 60.0, "second suggested site");
    assert_eq!(suggested[0]["route"], "E 1");
    assert_eq!(suggested[0]["direction"], "eastbound");
    let lon = suggested[0]["at"][0].as_f64().unwrap();
    assert!((lon - (0.5 + 60_000.0 / DEG_M)).abs() < 1e-6, "{lon}");
}

#[test]
fn equator_fixture_outputs_and_a_claim_that_holds() {
    let dir = tempfile::tempdir().unwrap();
    let gaps = dir.path().join("gaps.geojson");
    let sites = dir.path().join("sites.geojson");
    let new = dir.path().join("new.geojson");
    let (code, _, stderr) = equator(&[
        "--min-power-kw",
        "150",
        "--spacing-km",
        "60",
        "--gaps",
        path_str(&gaps),
        "--stations-out",
        path_str(&sites),
        "--suggest-out",
        path_str(&new),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let gaps: Value = serde_json::from_str(&std::fs::read_to_string(&gaps).unwrap()).unwrap();
    let features = gaps["features"].as_array().unwrap();
    assert_eq!(features.len(), 6);
    let between = features
        .iter()
        .find(|f| {
            f["properties"]["direction"] == "eastbound" && f["properties"]["kind"] == "between"
        })
        .unwrap();
    // The substring from S1's foot (0.5°) through the vertex at 1° to S2 (1.2°).
    let line = between["geometry"]["coordinates"].as_array().unwrap();
    let lons: Vec<f64> = line.iter().map(|c| c[0].as_f64().unwrap()).collect();
    assert_eq!(lons, vec![0.5, 1.0, 1.2]);

    let sites: Value = serde_json::from_str(&std::fs::read_to_string(&sites).unwrap()).unwrap();
    let s1: Vec<&Value> = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["id"] == "S1")
        .collect();
    assert_eq!(s1.len(), 2, "S1 serves both carriageways");
    // 0.0005° of latitude at the equator: M·Δφ with M = a(1 − e²) = 6,335,439 m.
    let offset = s1
        .iter()
        .find(|f| f["properties"]["direction"] == "eastbound")
        .unwrap()["properties"]["offset_m"]
        .as_f64()
        .unwrap();
    assert!((offset - 55.3).abs() < 0.1, "{offset}");
    let new: Value = serde_json::from_str(&std::fs::read_to_string(&new).unwrap()).unwrap();
    assert_eq!(new["features"].as_array().unwrap().len(), 6);

    // At 110 km spacing the longest gap, E 2's start (0.95° = 105.8 km),
    // is within: the claim holds, exit 0.
    let (code, report, _) = equator(&["--min-power-kw", "150", "--spacing-km", "110"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["claim_holds"], true);
    assert_eq!(report["summary"]["stretches"], 0);
    assert!(report.get("suggested").is_none());
}

#[test]
fn corridor_claims_set_the_rule_and_area_claims_are_refused() {
    // AFIR 2025: pools of 400 kW with a 150 kW point; records within 50 m
    // are one pool. Each fixture station is its own pool of 400 kW (or 50).
    let (code, report, stderr) = equator(&["--claim", "afir-2025-core"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["rule"]["claim"], "afir-2025-core (version 1)");
    assert_eq!(report["rule"]["spacing_km"], 60.0);
    assert_eq!(report["summary"]["qualifying_sites"], 4);
    // NEVI: 4 points of 150 kW per site; none of these sites has them.
    let (code, report, _) = equator(&["--claim", "us-nevi"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["qualifying_sites"], 0);
    assert!(report["rule"]["max_offset_km"].as_f64().unwrap() - 1.609344 < 1e-9);
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .contains("no site qualifies")
    );

    let (code, _, stderr) = equator(&["--claim", "uk-rapid"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("chargecov check --claim uk-rapid"),
        "{stderr}"
    );
    let (code, _, stderr) = equator(&["--claim", "afir-2025-core", "--spacing-km", "50"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("sets the rule"), "{stderr}");
}

#[test]
fn bad_networks_and_settings_stop_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let points = write(
        "points.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ref":"A 1"},"geometry":{"type":"Point","coordinates":[8,49]}}]}"#,
    );
    let short = write(
        "short.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"w7","properties":{"ref":"A 1"},"geometry":{"type":"LineString","coordinates":[[8,49],[8,49]]}}]}"#,
    );
    let unnamed = write(
        "unnamed.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"motorway"},"geometry":{"type":"LineString","coordinates":[[8,49],[8.1,49]]}}]}"#,
    );
    let stations = fixture("corridor/stations.geojson");
    let equator = fixture("corridor/equator.geojson");
    let cases: Vec<(&std::path::Path, Vec<&str>, Vec<&str>)> = vec![
        (
            &points,
            vec![],
            vec!["points.geojson", "no LineString", "1 Point"],
        ),
        (
            &short,
            vec![],
            vec!["short.geojson", "feature 0", "w7", "two distinct positions"],
        ),
        (
            &unnamed,
            vec![],
            vec!["no line names its route", "highway", "--route-field"],
        ),
        (
            &equator,
            vec!["--route-field", "nom"],
            vec!["--route-field \"nom\"", "ref"],
        ),
        (
            &equator,
            vec!["--spacing-km", "0"],
            vec!["--spacing-km", "0"],
        ),
        (
            &equator,
            vec!["--spacing-km", "60", "--max-offset-km", "0"],
            vec!["--max-offset-km"],
        ),
        (&equator, vec![], vec!["--spacing-km is needed"]),
    ];
    for (network, flags, says) in cases {
        let mut cmd = chargecov();
        cmd.args(["corridor", "--network"])
            .arg(network)
            .arg("--stations")
            .arg(&stations)
            .arg("-q");
        if !flags.iter().any(|f| f.starts_with("--spacing")) && !says[0].contains("needed") {
            cmd.args(["--spacing-km", "60"]);
        }
        let out = cmd.args(&flags).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        for s in says {
            assert!(err.contains(s), "{flags:?}: {s:?} not in {err}");
        }
    }

    // Every qualifying station far from every road: a verdict that says so.
    let far = write(
        "far.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"power_kw":400},"geometry":{"type":"Point","coordinates":[10,10]}}]}"#,
    );
    let out = chargecov()
        .args(["corridor", "--network"])
        .arg(&equator)
        .arg("--stations")
        .arg(&far)
        .args(["--spacing-km", "60", "--min-power-kw", "150"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("none of the 1 qualifying sites lies within 3 km of a road"),
        "{text}"
    );
}

/// A path's (route, direction, start, end).
type PathKey = (String, String, String, String);

/// The reference's paths: key, length, chainages, max gap (metres). Two
/// paths may share a key (the two branches of a split that merges again).
type Paths = Vec<(PathKey, f64, Vec<f64>, f64)>;

fn key(route: &Value, direction: &Value, start: &Value, end: &Value) -> PathKey {
    let at = |p: &Value| {
        format!(
            "{:.6},{:.6}",
            p[0].as_f64().unwrap(),
            p[1].as_f64().unwrap()
        )
    };
    (
        route.as_str().unwrap().to_owned(),
        direction.as_str().unwrap().to_owned(),
        at(start),
        at(end),
    )
}

fn python_reference(args: &[&str]) -> Option<Paths> {
    if !common::have_python("corridor reference", "pyproj, shapely") {
        return None;
    }
    let out = StdCommand::new("python3")
        .arg(root().join("tests/reference/corridor_reference.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    Some(
        list.iter()
            .map(|p| {
                let chainages = p["chainages_m"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_f64().unwrap())
                    .collect();
                (
                    key(&p["route"], &p["direction"], &p["start"], &p["end"]),
                    p["length_m"].as_f64().unwrap(),
                    chainages,
                    p["max_gap_m"].as_f64().unwrap(),
                )
            })
            .collect(),
    )
}

fn within(actual: f64, expected: f64, what: &str) {
    // 0.5 % as the issue asks, and 5 m for chainages near a path's start.
    assert!(
        (actual - expected).abs() <= (0.005 * expected).max(5.0),
        "{what}: {actual:.1} m, reference {expected:.1} m"
    );
}

#[test]
fn german_motorways_agree_with_shapely_and_pyproj() {
    let (Some(network), Some(stations)) = (
        shared_data(
            "corridor",
            "germany-motorways/motorways_osm_2019-11-18.geojson",
        ),
        shared_data("corridor", "germany/stations_bnetza_2019-07-19.csv.gz"),
    ) else {
        return;
    };
    let Some(mut reference) =
        python_reference(&[path_str(&network), path_str(&stations), "50", "3"])
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let placed = dir.path().join("placed.geojson");
    let out = chargecov()
        .args(["corridor", "--network"])
        .arg(&network)
        .arg("--stations")
        .arg(&stations)
        .args([
            "--min-power-kw",
            "50",
            "--spacing-km",
            "20",
            "--max-offset-km",
            "3",
        ])
        .args([
            "--format",
            "json",
            "-q",
            "--stations-out",
            path_str(&placed),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"]["network"]["lines"], 2196);
    assert_eq!(report["inputs"]["network"]["skipped"]["Point"], 1111);
    let placed: Value = serde_json::from_str(&std::fs::read_to_string(&placed).unwrap()).unwrap();
    let mut chainages: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for f in placed["features"].as_array().unwrap() {
        let p = &f["properties"];
        chainages
            .entry(p["path"].as_u64().unwrap())
            .or_default()
            .push(p["chainage_km"].as_f64().unwrap() * 1000.0);
    }
    // Per route and direction: the sums of the paths' lengths.
    let mut by_route: BTreeMap<(String, String), f64> = BTreeMap::new();
    for ((route, direction, _, _), length, _, _) in &reference {
        *by_route
            .entry((route.clone(), direction.clone()))
            .or_default() += length;
    }
    let paths = report["paths"].as_array().unwrap();
    assert_eq!(paths.len(), reference.len(), "path count");
    for p in paths {
        let k = key(&p["route"], &p["direction"], &p["start"], &p["end"]);
        let ours_m = p["length_km"].as_f64().unwrap() * 1000.0;
        let best = reference
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0 == k)
            .min_by(|a, b| (a.1.1 - ours_m).abs().total_cmp(&(b.1.1 - ours_m).abs()))
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("path {k:?} is not in the reference"));
        let (_, length, expected, max_gap) = reference.swap_remove(best);
        let (length, expected, max_gap) = (&length, &expected, &max_gap);
        within(
            p["length_km"].as_f64().unwrap() * 1000.0,
            *length,
            &format!("{k:?} length"),
        );
        within(
            p["max_gap_km"].as_f64().unwrap() * 1000.0,
            *max_gap,
            &format!("{k:?} max gap"),
        );
        let mut ours = chainages
            .remove(&p["path"].as_u64().unwrap())
            .unwrap_or_default();
        ours.sort_by(f64::total_cmp);
        assert_eq!(ours.len(), expected.len(), "{k:?}: sites placed");
        for (a, e) in ours.iter().zip(expected) {
            within(*a, *e, &format!("{k:?} chainage"));
        }
    }
    for r in report["routes"].as_array().unwrap() {
        let k = (
            r["route"].as_str().unwrap().to_owned(),
            r["direction"].as_str().unwrap().to_owned(),
        );
        within(
            r["length_km"].as_f64().unwrap() * 1000.0,
            by_route[&k],
            &format!("{k:?}"),
        );
    }
}

#[test]
fn networks_read_alike_in_every_format_ogr2ogr_writes() {
    if !common::have_tool("corridor formats", "ogr2ogr", "gdal-bin") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--min-power-kw", "150", "--spacing-km", "60"];
    let (_, expected, _) = equator(&flags);
    // Shapefile lines are polylines: the MultiLineString of one part reads
    // back as a LineString, and the Point goes to a layer of its own
    // (ogr2ogr skips it), so only the roads are compared.
    for (driver, name, extra) in [
        ("GPKG", "net.gpkg", vec![]),
        ("FlatGeobuf", "net.fgb", vec!["-nlt", "PROMOTE_TO_MULTI"]),
        (
            "ESRI Shapefile",
            "net.shp",
            vec!["-where", "OGR_GEOMETRY <> 'POINT'"],
        ),
        ("GeoJSONSeq", "net.geojsonl", vec![]),
    ] {
        let out = dir.path().join(name);
        let status = StdCommand::new("ogr2ogr")
            .args(["-f", driver])
            .arg(&out)
            .arg(fixture("corridor/equator.geojson"))
            .args(&extra)
            .status()
            .unwrap();
        assert!(status.success(), "{driver}");
        let run = chargecov()
            .args(["corridor", "--network"])
            .arg(&out)
            .arg("--stations")
            .arg(fixture("corridor/stations.geojson"))
            .args(flags)
            .args(["--format", "json", "-q"])
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(1),
            "{driver}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let report: Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(report["routes"], expected["routes"], "{driver}");
        assert_eq!(report["stretches"], expected["stretches"], "{driver}");
        assert_eq!(
            report["inputs"]["network"]["lines"], expected["inputs"]["network"]["lines"],
            "{driver}"
        );
    }
}

#[test]
fn the_html_report_draws_the_stretches_and_a_legend_of_what_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("corridor.html");
    let (code, _, stderr) = equator(&[
        "--min-power-kw",
        "150",
        "--spacing-km",
        "60",
        "--suggest",
        "--html",
        path_str(&html),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Claim fails: 6 stretches longer than 60 km"));
    // Six stretches over the spacing, drawn thick in red; the three gaps
    // within it (two of 55.7 km ≤ 60, E 2's and E 3's 5.6 km ends ≤ 30)
    // in the lighter classes.
    assert_eq!(
        page.matches(r##"stroke="#cb181d" stroke-width="3.5" stroke-linecap"##)
            .count(),
        6
    );
    assert_eq!(
        page.matches(r##"stroke="#3182bd" stroke-width="1.5" stroke-linecap"##)
            .count(),
        2
    );
    assert_eq!(
        page.matches(r##"stroke="#9ecae1" stroke-width="1.5" stroke-linecap"##)
            .count(),
        2
    );
    // S1, S2, S5 placed; S3 off the road and outside the map (the map
    // frames the roads), so not in the legend either; six suggested sites.
    assert_eq!(
        page.matches("<circle").count(),
        3 + 1,
        "sites and their legend marks"
    );
    assert_eq!(page.matches("suggested site ").count(), 6);
    assert!(!page.contains("qualifying, too far from roads"));
    // Stations by tier: every placed site has 400 kW; only that tier is in
    // the legend.
    assert!(page.contains("site on a road, ≥ 350 kW"));
    assert!(!page.contains("site on a road, 150–350 kW"));
    // The map pans and zooms (its layers inside the viewport), and each
    // layer drawn has a checkbox: no off-road sites are drawn, so none.
    assert!(page.contains(r#"<g id="viewport"><g id="roads">"#));
    for layer in ["roads", "sites", "suggested"] {
        assert!(
            page.contains(&format!(r#"data-layer="{layer}""#)),
            "{layer}"
        );
        assert!(page.contains(&format!(r#"<g id="{layer}">"#)), "{layer}");
    }
    assert!(!page.contains(r#"data-layer="off-road""#));
    // With 110 km spacing nothing is red and the legend does not list it.
    let (code, _, _) = equator(&[
        "--min-power-kw",
        "150",
        "--spacing-km",
        "110",
        "--html",
        path_str(&html),
    ]);
    assert_eq!(code, 0);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("#cb181d"));
    assert!(!page.contains("gap longer than the spacing"));
    assert!(!page.contains("suggested new site"));
}

#[test]
fn the_generated_network_is_what_the_corridor_check_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out = chargecov()
        .args([
            "generate",
            "--network",
            "--stations",
            "20000",
            "--seed",
            "5",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    // "wrote R motorways (W ways, K km of carriageways) and N stations"
    let number_after = |word: &str| -> f64 {
        let head = said.split(word).next().unwrap();
        head.split_whitespace()
            .last()
            .unwrap()
            .trim_start_matches('(')
            .parse()
            .unwrap()
    };
    let (routes, ways) = (number_after(" motorways"), number_after(" ways"));
    let run = chargecov()
        .args(["corridor", "--network"])
        .arg(dir.path().join("network.geojson"))
        .arg("--stations")
        .arg(dir.path().join("stations.geojson"))
        .args([
            "--claim",
            "afir-2025-core",
            "--pool-field",
            "site",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.code().unwrap() <= 1,
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let s = &report["summary"];
    // Each motorway: two carriageways that never branch, so two paths; four
    // links per motorway carry no route.
    assert_eq!(s["routes"].as_f64().unwrap(), routes);
    assert_eq!(s["paths"].as_f64().unwrap(), 2.0 * routes);
    assert_eq!(report["inputs"]["network"]["lines"].as_f64().unwrap(), ways);
    assert_eq!(
        report["inputs"]["network"]["no_route"].as_f64().unwrap(),
        4.0 * routes
    );
    let length = s["length_km"].as_f64().unwrap();
    assert!(
        (30_000.0..40_000.0).contains(&length),
        "{length} km of paths"
    );
    assert!(
        report["paths"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["starts_at"] == "end" && p["ends_at"] == "end")
    );
    // Links join the motorways at their cities: the network view reaches
    // most of the network from the service areas.
    assert!(s["unreached_km"].as_f64().unwrap() < 0.1 * length);
    assert!(s["qualifying_sites"].as_u64().unwrap() > 100);
}

#[test]
fn gaps_are_joined_across_a_split_of_the_route() {
    // J 1, one-way eastbound on the equator: 0 → 0.3°, then two branches
    // (via ±0.05° of latitude) to 0.4°, then on to 1°. Sites at 0.1° and
    // 0.8°. Alone, no path has a gap over 60 km (0.2°, a branch, 0.4° to
    // the first site on the last path); a driver meets 0.2° + a branch +
    // 0.4°. A branch is two geodesics of (0.05°, 0.05°): near the equator
    // a degree of latitude is (1 − e²) = 0.993306 of one of longitude, so
    // each is √(0.05² + 0.0496653²)° = 0.0704744° (to 1e-6 relative: the
    // geodesic bows little over 8 km), a branch 0.1409488°, and the
    // joined gap 0.2 + 0.1409488 + 0.4 = 0.7409488° = 82.482 km.
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("split.geojson");
    let way = |coords: &str| {
        format!(
            r#"{{"type":"Feature","properties":{{"ref":"J 1","oneway":"yes"}},"geometry":{{"type":"LineString","coordinates":{coords}}}}}"#
        )
    };
    let features = [
        way("[[0,0],[0.3,0]]"),
        way("[[0.3,0],[0.35,0.05],[0.4,0]]"),
        way("[[0.3,0],[0.35,-0.05],[0.4,0]]"),
        way("[[0.4,0],[1,0]]"),
    ];
    std::fs::write(
        &net,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .unwrap();
    let stations = dir.path().join("s.geojson");
    std::fs::write(
        &stations,
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"power_kw":400},"geometry":{"type":"Point","coordinates":[0.1,0]}},
{"type":"Feature","properties":{"power_kw":400},"geometry":{"type":"Point","coordinates":[0.8,0]}}]}"#,
    )
    .unwrap();
    let out = chargecov()
        .args(["corridor", "--network"])
        .arg(&net)
        .arg("--stations")
        .arg(&stations)
        .args([
            "--min-power-kw",
            "150",
            "--spacing-km",
            "60",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["paths"], 4);
    assert_eq!(report["summary"]["stretches"], 0, "no path alone has one");
    close(
        &route(&report, "J 1", "eastbound")["max_gap_km"],
        0.7409488 * DEG_M / 1000.0,
        "the route's gap, joined",
    );
    close(
        &report["summary"]["max_gap_km"],
        0.7409488 * DEG_M / 1000.0,
        "joined gap",
    );
    let first = report["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["start"][0] == 0.0)
        .unwrap();
    close(&first["max_gap_km"], km(0.2), "the first path alone");
    close(
        &first["joined_gap_km"],
        0.7409488 * DEG_M / 1000.0,
        "the first path joined",
    );
    assert_eq!(first["ends_at"], "junction");
    assert!(
        report["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("only when joined across a junction")),
        "{}",
        report["notes"]
    );
    // A site at the far point of one branch: from the first site a driver
    // takes that branch, 0.2 + 0.0704744 = 0.2704744° to the next site;
    // the longest distance ahead is now from the start of the other
    // branch, 0.1409488 + 0.4 = 0.5409488° = 60.215 km: over 60 km.
    std::fs::write(
        &stations,
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"power_kw":400},"geometry":{"type":"Point","coordinates":[0.1,0]}},
{"type":"Feature","properties":{"power_kw":400},"geometry":{"type":"Point","coordinates":[0.35,0.05]}},
{"type":"Feature","properties":{"power_kw":400},"geometry":{"type":"Point","coordinates":[0.8,0]}}]}"#,
    )
    .unwrap();
    let out = chargecov()
        .args(["corridor", "--network"])
        .arg(&net)
        .arg("--stations")
        .arg(&stations)
        .args([
            "--min-power-kw",
            "150",
            "--spacing-km",
            "60",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = report["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["start"][0] == 0.0)
        .unwrap();
    close(
        &first["joined_gap_km"],
        0.2704744 * DEG_M / 1000.0,
        "the better branch",
    );
    close(
        &report["summary"]["max_gap_km"],
        0.5409488 * DEG_M / 1000.0,
        "the other branch",
    );
}

/// A road drawn as `pieces` (each a list of [lon, lat]), every piece a
/// two-way line of route "R 1".
fn road_layer(pieces: &[Vec<[f64; 2]>]) -> Vec<u8> {
    let features: Vec<Value> = pieces
        .iter()
        .map(|p| {
            serde_json::json!({"type": "Feature", "properties": {"ref": "R 1", "oneway": "no"},
                "geometry": {"type": "LineString", "coordinates": p}})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
        .to_string()
        .into_bytes()
}

fn site_layer(sites: &[[f64; 2]]) -> Vec<u8> {
    let features: Vec<Value> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            serde_json::json!({"type": "Feature", "properties": {"id": format!("s{i}"), "power_kw": 150},
                "geometry": {"type": "Point", "coordinates": s}})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
        .to_string()
        .into_bytes()
}

/// The verdict and the longest judged gap (m) of a corridor check of
/// `road` and `sites` at `spacing_km`, through the library.
fn judge(road: Vec<u8>, sites: Vec<u8>, spacing_km: f64) -> (bool, f64) {
    use chargecov::input::{ReadOptions, Source};
    let config = chargecov::corridor::CorridorConfig {
        network: Source::from_bytes("road.geojson", road),
        network_read: ReadOptions::default(),
        network_crs: None,
        network_spec: Default::default(),
        stations: Source::from_bytes("sites.geojson", sites),
        stations_read: ReadOptions::default(),
        stations_crs: None,
        station_fields: Default::default(),
        rule: chargecov::Rule::default(),
        pool_by: None,
        spacing_km,
        max_offset_km: 3.0,
        skip_invalid: false,
    };
    let run = chargecov::run_corridor(&config, &chargecov::progress::Silent).unwrap();
    let longest = (0..run.paths.len())
        .map(|p| run.judged_gap_m(p))
        .fold(0.0, f64::max);
    (run.holds(), longest)
}

/// A ring of `n` vertices, radius `r` degrees, round (20, 10).
fn ring(n: usize, r: f64) -> Vec<[f64; 2]> {
    (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64;
            [20.0 + r * a.cos(), 10.0 + r * a.sin()]
        })
        .collect()
}

#[test]
fn a_ring_road_is_judged_alike_wherever_it_starts() {
    // 8 vertices 0.25° round: edges of about 21 km, the ring about 170 km.
    // Sites by vertices 1 and 3 (100 m outside): gaps of 2 edges and 6
    // edges round the ring. Drawn from vertex 0 the last gap (3 → 0) and
    // the first (0 → 1) used to be measured apart (5 and 1 edges), so a
    // spacing of 5.5 edges held; from vertex 3 it failed. Now: fails from
    // every start, longest gap 6 edges.
    let v = ring(8, 0.25);
    let out = |i: usize| {
        let (dx, dy) = (v[i][0] - 20.0, v[i][1] - 10.0);
        let k = 1.0 + 0.0009 / 0.25;
        [20.0 + dx * k, 10.0 + dy * k]
    };
    let sites = site_layer(&[out(1), out(3)]);
    // Each site's foot on the road is its vertex (it lies on the ray
    // through it); the gap round the ring is the 6 edges 3 → 1.
    let edge_m = |i: usize| {
        let (a, b) = (v[i % 8], v[(i + 1) % 8]);
        chargecov::geodesy::distance_m(
            geo::Coord { x: a[0], y: a[1] },
            geo::Coord { x: b[0], y: b[1] },
        )
    };
    let around_m: f64 = (3..9).map(edge_m).sum();
    // From vertex 0 the pieces were 1 and 5 edges (0 → 1, 3 → 8 ≡ 0).
    let last_m: f64 = (3..8).map(edge_m).sum();
    let spacing_km = (last_m + around_m) / 2.0 / 1000.0;
    assert!(last_m < spacing_km * 1000.0 && around_m > spacing_km * 1000.0);
    for start in 0..8 {
        let mut closed: Vec<[f64; 2]> = (0..=8).map(|i| v[(start + i) % 8]).collect();
        closed[8] = closed[0];
        let (holds, longest) = judge(road_layer(&[closed]), sites.clone(), spacing_km);
        assert!(!holds, "from vertex {start}");
        assert!(
            (longest - around_m).abs() < 1.0,
            "from vertex {start}: {longest} m, {around_m} m"
        );
    }
}

#[test]
fn a_road_of_centimetre_breaks_is_one_road() {
    // 100 km along the equator drawn as 1,000 lines of 100 m with 7 cm
    // breaks between them, one site at km 1: the road from km 1 to km 100
    // is a 99 km gap. It used to hold (1,000 paths, each shorter than the
    // spacing, 999 of them reaching no site).
    let step = 100.0 / 111_320.0; // 100 m of longitude at the equator
    let brk = 0.07 / 111_320.0;
    let pieces: Vec<Vec<[f64; 2]>> = (0..1000)
        .map(|i| {
            let x0 = i as f64 * step;
            vec![[x0 + brk, 0.0], [x0 + step, 0.0]]
        })
        .collect();
    let sites = site_layer(&[[1000.0 / 111_320.0, 0.0005]]);
    let (holds, longest) = judge(road_layer(&pieces), sites.clone(), 60.0);
    assert!(!holds);
    assert!((longest - 99_000.0).abs() < 200.0, "{longest}");
    // With snapping off, every piece is a path of its own: the site is
    // within 3 km of the 40 pieces of km 0–4; the other 960 reach none,
    // and fail the claim all the same.
    let out = chargecov()
        .args([
            "corridor",
            "--spacing-km",
            "60",
            "--snap-m",
            "0",
            "--format",
            "json",
            "-q",
        ])
        .args(["--network", "-"])
        .write_stdin(road_layer(&pieces))
        .arg("--stations")
        .arg({
            let dir = std::env::temp_dir().join(format!("breaks-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let p = dir.join("sites.geojson");
            std::fs::write(&p, &sites).unwrap();
            p
        })
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["summary"]["claim_holds"], false);
    assert_eq!(report["summary"]["paths"], 1000);
    assert_eq!(report["summary"]["unreached_paths"], 960);
}

#[test]
fn a_road_across_the_antimeridian_is_near_its_sites() {
    // Along the equator from 179.9° to −179.9° (about 22 km), a site 111 m
    // north of its middle: on the road, 11 km from either end.
    let road = road_layer(&[vec![[179.9, 0.0], [180.0 - 1e-9, 0.0], [-179.9, 0.0]]]);
    let road2 = road_layer(&[vec![[179.9, 0.0], [-179.9, 0.0]]]);
    for road in [road, road2] {
        let (holds, longest) = judge(road, site_layer(&[[179.99999, 0.001]]), 12.0);
        assert!(holds);
        assert!((longest - 11_132.0).abs() < 20.0, "{longest}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Rotating a closed road's start, reversing a two-way road, or
    /// cutting a road into pieces joined end to end (exactly, or across
    /// breaks of a few centimetres) changes neither the verdict nor the
    /// longest gap.
    #[test]
    fn drawing_a_road_differently_never_changes_its_verdict(
        n in 6usize..24,
        closed in proptest::bool::ANY,
        start in 0usize..24,
        reverse in proptest::bool::ANY,
        cuts in proptest::collection::vec(1usize..23, 0..4),
        break_cm in 0.0f64..5.0,
        site_at in proptest::collection::vec(0.0f64..1.0, 1..4),
        spacing_share in 0.1f64..0.9,
    ) {
        let mut v = ring(n, 0.3);
        if !closed {
            // An open road: the ring without its last edge.
            v.truncate(n);
        }
        let mut line: Vec<[f64; 2]> = if closed {
            let s = start % n;
            let mut l: Vec<[f64; 2]> = (0..n).map(|i| v[(s + i) % n]).collect();
            l.push(l[0]);
            l
        } else {
            v.clone()
        };
        // Sites 100 m off the road at fractions of its vertices.
        let sites: Vec<[f64; 2]> = site_at
            .iter()
            .map(|f| {
                let p = v[((f * n as f64) as usize).min(n - 1)];
                let k = 1.0 + 0.0009 / 0.3;
                [20.0 + (p[0] - 20.0) * k, 10.0 + (p[1] - 10.0) * k]
            })
            .collect();
        let length_km: f64 = line
            .windows(2)
            .map(|w| chargecov::geodesy::distance_m(
                geo::Coord { x: w[0][0], y: w[0][1] },
                geo::Coord { x: w[1][0], y: w[1][1] },
            ))
            .sum::<f64>() / 1000.0;
        let spacing_km = (length_km * spacing_share).max(0.1);
        let base = judge(road_layer(&[line.clone()]), site_layer(&sites), spacing_km);
        if reverse {
            line.reverse();
        }
        let mut at: Vec<usize> = cuts.into_iter().filter(|&c| c < line.len() - 1).collect();
        at.sort_unstable();
        at.dedup();
        let mut pieces = Vec::new();
        let mut from = 0;
        for c in at.into_iter().chain(std::iter::once(line.len() - 1)) {
            if c > from {
                let mut piece = line[from..=c].to_vec();
                if from > 0 {
                    // A break of a few cm before the piece.
                    piece[0][0] += break_cm / 100.0 / 111_320.0;
                }
                pieces.push(piece);
                from = c;
            }
        }
        let drawn = judge(road_layer(&pieces), site_layer(&sites), spacing_km);
        proptest::prop_assert_eq!(base.0, drawn.0, "verdict: {:?} vs {:?}", base, drawn);
        proptest::prop_assert!((base.1 - drawn.1).abs() < 1.0, "longest gap: {:?} vs {:?}", base, drawn);
    }
}
