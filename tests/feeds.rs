//! Station feeds in their own shapes, filters and pools (issue 16):
//! fixtures in `fixtures/feeds/` (expected values derived by hand in its
//! EXPECTED.md), and the German register's own sheet from
//! `../shared/data/germany/` against its conversion and against an
//! independent Python reference for pools (`tests/reference/pools_reference.py`).

use crate::common;

use std::collections::BTreeMap;
use std::process::Command as StdCommand;

use common::{area, chargecov, check_json, fixture, path_str, root, shared_data};
use serde_json::Value;

const AREAS: &str = "basic/areas.geojson";

fn run(stations: &str, extra: &[&str]) -> (i32, Value) {
    let areas = fixture(AREAS);
    let stations = fixture(stations);
    let mut args = vec![
        "--areas",
        path_str(&areas),
        "--stations",
        path_str(&stations),
    ];
    args.extend_from_slice(extra);
    check_json(&args)
}

/// `chargecov check --areas <basic areas> --stations STATIONS`, to add to.
fn check_cmd(stations: &std::path::Path) -> assert_cmd::Command {
    let areas = fixture(AREAS);
    let mut cmd = chargecov();
    cmd.args([
        "check",
        "--areas",
        path_str(&areas),
        "--stations",
        path_str(stations),
    ]);
    cmd
}

fn covered(report: &Value) -> Vec<String> {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["covered"] == true)
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn osm_socket_tags_are_read_without_a_flag() {
    let (code, report) = run("feeds/osm.geojson", &["--min-power-kw", "50"]);
    assert_eq!(code, 1);
    assert_eq!(covered(&report), ["A", "B"]);
    let st = &report["inputs"]["stations"];
    assert_eq!(st["fields"]["power"], "socket:*:output");
    assert_eq!(st["fields"]["id"], "@id");
    assert_eq!(
        report["inputs"]["power_missing"]["stations_without_power"],
        1
    );
    assert_eq!(area(&report, "A")["strongest_kw"], 150.0);

    let (_, report) = run("feeds/osm.geojson", &["--min-power-kw", "150"]);
    assert_eq!(covered(&report), ["A"]);
}

#[test]
fn a_filter_removes_records_and_says_how_many() {
    let (code, report) = run(
        "feeds/osm.geojson",
        &["--where", "access = 'yes'", "--min-power-kw", "50"],
    );
    assert_eq!(code, 1);
    assert_eq!(covered(&report), ["A"]);
    let filters = &report["inputs"]["stations"]["filters"];
    assert_eq!(filters[0]["filter"], "access = 'yes'");
    assert_eq!(filters[0]["removed"], 1);
    assert_eq!(report["inputs"]["stations"]["features_used"], 3);
    assert_eq!(report["inputs"]["stations"]["features_read"], 4);

    // A misspelt name is not silently false (or, under `not`, true).
    let (_, report) = run(
        "feeds/osm.geojson",
        &["--where", "not acess = 'no' and access = 'yes'"],
    );
    let filters = &report["inputs"]["stations"]["filters"];
    assert_eq!(filters[0]["unseen"], serde_json::json!(["acess"]));
    assert_eq!(filters[0]["removed"], 1);
    let (_, report) = run("feeds/osm.geojson", &["--where", "access = 'yes'"]);
    assert!(
        report["inputs"]["stations"]["filters"][0]
            .get("unseen")
            .is_none()
    );

    // Two filters: each counts what it removed of what the earlier left.
    let (_, report) = run(
        "feeds/osm.geojson",
        &[
            "--where",
            "access = 'yes'",
            "--where",
            "\"@id\" != 'node/3'",
        ],
    );
    let filters = &report["inputs"]["stations"]["filters"];
    assert_eq!(filters[0]["removed"], 1);
    assert_eq!(filters[1]["removed"], 1);
    assert_eq!(report["inputs"]["stations"]["features_used"], 2);
}

#[test]
fn filters_that_cannot_be_read_or_remove_everything_stop_with_exit_2() {
    let stations = fixture("feeds/osm.geojson");
    for (flags, says) in [
        (["--where", "access = yes"], &["--where", "single quotes"]),
        (["--where", "access = 'no'"], &["osm.geojson", "removed 4"]),
        (
            ["--power-field", "socket:*:output@kWh"],
            &["--power-field", "unknown unit"],
        ),
    ] {
        let out = check_cmd(&stations).args(flags).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(says.iter().all(|s| err.contains(s)), "{flags:?}: {err}");
    }
}

const OCPI_POWER: &str = "evses[].connectors[].max_electric_power@W";

#[test]
fn nested_evses_in_watts_are_points_and_pools_count_them() {
    let feed = "feeds/ocpi-evses.geojson";
    let (code, report) = run(
        feed,
        &["--power-field", OCPI_POWER, "--min-power-kw", "150"],
    );
    assert_eq!(code, 1);
    assert_eq!(covered(&report), ["A", "B"]);
    assert_eq!(area(&report, "B")["strongest_kw"], 350.0);

    let nevi_like = [
        "--power-field",
        OCPI_POWER,
        "--min-power-kw",
        "150",
        "--min-points",
        "4",
    ];
    let (_, report) = run(feed, &[&nevi_like[..], &["--pool-field", "site"]].concat());
    assert_eq!(covered(&report), ["A"]);
    let pools = &report["inputs"]["stations"]["pools"];
    assert_eq!(pools["records"], 3);
    assert_eq!(pools["pools"], 2);
    assert_eq!(pools["largest"], 2);
    assert_eq!(report["rule"]["min_points"], 4);

    let (_, report) = run(feed, &[&nevi_like[..], &["--pool-m", "20"]].concat());
    assert_eq!(covered(&report), ["A"]);
    assert_eq!(report["inputs"]["stations"]["pools"]["pools"], 2);

    // Without pooling no record has four points of 150 kW.
    let (_, report) = run(feed, &nevi_like);
    assert!(covered(&report).is_empty());

    // A connector is not a point: S1 sums to 4 × 150 = 600 kW, not 650.
    let (_, report) = run(
        feed,
        &[
            "--power-field",
            OCPI_POWER,
            "--min-power-kw",
            "150",
            "--min-pool-kw",
            "500",
            "--pool-field",
            "site",
        ],
    );
    assert_eq!(covered(&report), ["A"]);
    let (_, report) = run(
        feed,
        &[
            "--power-field",
            OCPI_POWER,
            "--min-power-kw",
            "150",
            "--min-pool-kw",
            "601",
            "--pool-field",
            "site",
        ],
    );
    assert!(covered(&report).is_empty());

    let (_, report) = run(
        feed,
        &[
            "--power-field",
            OCPI_POWER,
            "--where",
            "evses[].status = 'OUTOFORDER'",
        ],
    );
    assert_eq!(report["inputs"]["stations"]["filters"][0]["removed"], 2);
    assert_eq!(covered(&report), ["B"]);
}

// ------------------------------------------------- the German register --

fn german_check(stations: &std::path::Path, extra: &[&str]) -> Value {
    let areas = shared_data("feeds", "germany/kreise_vg5000_2021_wgs84.geojson.gz").unwrap();
    let out = chargecov()
        .args([
            "check",
            "--areas",
            path_str(&areas),
            "--stations",
            path_str(stations),
        ])
        .args([
            "--id-field",
            "ARS",
            "--skip-invalid",
            "--format",
            "json",
            "-q",
        ])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn per_district(report: &Value, keys: &[&str]) -> BTreeMap<String, Vec<Value>> {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                keys.iter().map(|k| a[*k].clone()).collect(),
            )
        })
        .collect()
}

#[test]
fn the_registers_own_sheet_reads_as_its_conversion() {
    let (Some(raw), Some(converted)) = (
        shared_data("feeds", "germany/stations_raw_bnetza_2019-07-19.csv.gz"),
        shared_data("feeds", "germany/stations_bnetza_2019-07-19.csv.gz"),
    ) else {
        return;
    };
    // The conversion's power_kw is max(P1..P4) (its SOURCE.txt); the
    // preset reads P1..P4 itself, so every district's counts agree.
    for kw in ["0", "50", "150"] {
        let keys = [
            "stations_inside",
            "qualifying_inside",
            "covered",
            "strongest_kw",
        ];
        let reference = per_district(&german_check(&converted, &["--min-power-kw", kw]), &keys);
        let preset = german_check(&raw, &["--stations-format", "bnetza", "--min-power-kw", kw]);
        assert_eq!(per_district(&preset, &keys), reference, "at {kw} kW");
        assert_eq!(preset["inputs"]["stations"]["features_used"], 9690);
        // Detected from the German headers without the flag.
        let detected = german_check(&raw, &["--min-power-kw", kw]);
        assert_eq!(
            per_district(&detected, &keys),
            reference,
            "detected, at {kw} kW"
        );
        assert_eq!(
            detected["inputs"]["stations"]["fields"]["power"],
            "P1 [kW], P2 [kW], P3 [kW], P4 [kW]"
        );
    }
}

/// Runs the Python pool reference; `None` (skipped loudly) without
/// pyproj and shapely, a failure under CI.
fn python_pools(args: &[&str]) -> Option<BTreeMap<String, (u64, u64)>> {
    if !common::have_python("feeds pool reference", "pyproj, shapely") {
        return None;
    }
    let script = root().join("tests/reference/pools_reference.py");
    let out = StdCommand::new("python3")
        .arg(&script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let map: BTreeMap<String, (u64, u64)> = serde_json::from_slice(&out.stdout).unwrap();
    Some(map)
}

#[test]
fn pools_within_50_m_agree_with_an_independent_reference() {
    let (Some(raw), Some(areas)) = (
        shared_data("feeds", "germany/stations_raw_bnetza_2019-07-19.csv.gz"),
        shared_data("feeds", "germany/kreise_vg5000_2021_wgs84.geojson.gz"),
    ) else {
        return;
    };
    // AFIR's pool terms (Regulation (EU) 2023/1804 Art. 3(1)): 400 kW in
    // all, at least one point of 150 kW.
    let Some(reference) =
        python_pools(&[path_str(&areas), path_str(&raw), "50", "150", "1", "400"])
    else {
        return;
    };
    let report = german_check(
        &raw,
        &[
            "--stations-format",
            "bnetza",
            "--pool-m",
            "50",
            "--min-power-kw",
            "150",
            "--min-pool-kw",
            "400",
        ],
    );
    let ours: BTreeMap<String, (u64, u64)> = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                (
                    a["stations_inside"].as_u64().unwrap(),
                    a["qualifying_inside"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(ours.len(), 401);
    let differing: Vec<_> = ours
        .iter()
        .filter(|(k, v)| reference.get(*k) != Some(v))
        .map(|(k, v)| (k, v, reference.get(k)))
        .collect();
    assert!(
        differing.is_empty(),
        "districts differing (ours, reference): {differing:?}"
    );
    // Pooling did something: fewer sites than devices, some of them big.
    let pools = &report["inputs"]["stations"]["pools"];
    assert!(pools["pools"].as_u64().unwrap() < 9690);
    assert!(pools["largest"].as_u64().unwrap() > 4);
}

#[test]
fn validate_checks_every_point_and_skips_what_the_filters_remove() {
    let feed = fixture("feeds/ocpi-evses.geojson");
    let validate = |extra: &[&str]| -> Value {
        let out = chargecov()
            .args(["validate", path_str(&feed), "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let count = |v: &Value, id: &str| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["count"]
            .clone()
    };
    // Watts read as kW: each of the six EVSEs (points) is above 1,500 kW.
    let v = validate(&["--power-field", "evses[].connectors[].max_electric_power"]);
    assert_eq!(count(&v, "power-plausible"), 6);
    let v = validate(&["--power-field", OCPI_POWER, "--where", "site = 'S1'"]);
    assert_eq!(count(&v, "power-plausible"), 0);
    assert_eq!(v["stations"]["records"], 2);
    assert_eq!(v["stations"]["filters"][0]["removed"], 1);
}

#[test]
fn markdown_and_html_say_what_filters_and_pools_did() {
    let feed = fixture("feeds/ocpi-evses.geojson");
    let dir = tempfile::tempdir().unwrap();
    let (md, html) = (dir.path().join("r.md"), dir.path().join("r.html"));
    let out = check_cmd(&feed)
        .args(["--power-field", OCPI_POWER, "--pool-field", "site", "-q"])
        .args(["--where", "site != 'S9'"])
        .args(["--markdown", path_str(&md), "--html", path_str(&html)])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains("`site != 'S9'` removed 0 records"), "{md}");
    assert!(
        md.contains("3 records grouped into 2 sites (same site)"),
        "{md}"
    );
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("removed 0 records") && html.contains("grouped into 2 sites"));
}

#[test]
fn open_charge_map_and_ocpi_json_are_read_in_their_own_shapes() {
    let (code, report) = run("feeds/ocm.json", &["--min-power-kw", "50"]);
    assert_eq!(code, 1);
    assert_eq!(covered(&report), ["A"]);
    let st = &report["inputs"]["stations"];
    assert_eq!(st["format"], "json-records");
    assert_eq!(st["fields"]["power"], "Connections[].PowerKW");
    assert_eq!(st["fields"]["lon"], "AddressInfo.Longitude");
    assert_eq!(
        report["inputs"]["power_missing"]["stations_without_power"],
        1
    );
    let (_, report) = run("feeds/ocm.json", &["--min-power-kw", "10"]);
    assert_eq!(covered(&report), ["A", "B"]);

    let (code, report) = run(
        "feeds/ocpi-locations.json",
        &["--min-power-kw", "150", "--min-points", "2"],
    );
    assert_eq!(code, 1);
    assert_eq!(covered(&report), ["A"]);
    assert_eq!(
        area(&report, "A")["strongest_kw"],
        150.0,
        "the second-strongest EVSE"
    );
    let (_, report) = run("feeds/ocpi-locations.json", &["--min-power-kw", "20"]);
    assert_eq!(covered(&report), ["A", "B"]);
    assert_eq!(area(&report, "A")["strongest_kw"], 350.0);

    // JSON records hold points, not polygons.
    let feed = fixture("feeds/ocm.json");
    let out = chargecov()
        .args([
            "check",
            "--areas",
            path_str(&feed),
            "--stations",
            path_str(&feed),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn afdc_tables_cover_by_any_charger_and_refuse_a_power_rule() {
    let (code, report) = run("feeds/afdc.csv", &[]);
    assert_eq!(code, 1);
    assert_eq!(covered(&report), ["A", "B", "C"]);
    assert_eq!(report["summary"]["stations_unknown_power"], 3);
    let (_, report) = run(
        "feeds/afdc.csv",
        &[
            "--stations-format",
            "afdc",
            "--where",
            "\"Status Code\" = 'E' and \"Access Code\" = 'public'",
        ],
    );
    assert_eq!(covered(&report), ["A"]);
    assert_eq!(report["inputs"]["stations"]["filters"][0]["removed"], 2);

    let feed = fixture("feeds/afdc.csv");
    let out = check_cmd(&feed)
        .args(["--min-power-kw", "50"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("EV DC Fast Count"));

    let (_, report) = run("feeds/afdc-api.json", &[]);
    assert_eq!(report["inputs"]["stations"]["format"], "json-records");
    assert_eq!(covered(&report), ["A", "B"]);
    let (_, report) = run("feeds/afdc-api.json", &["--where", "status_code = 'E'"]);
    assert_eq!(covered(&report), ["A"]);
}

#[test]
fn the_registers_sheet_in_small_pools_into_sites() {
    let feed = "feeds/bnetza.csv";
    let (_, report) = run(feed, &["--min-power-kw", "150"]);
    assert_eq!(covered(&report), ["A"]);
    assert_eq!(
        report["inputs"]["stations"]["fields"]["power"],
        "P1 [kW], P2 [kW]"
    );
    let afir = ["--min-power-kw", "150", "--min-pool-kw", "400"];
    let (_, report) = run(feed, &afir);
    assert!(covered(&report).is_empty(), "no device alone has 400 kW");
    let (_, report) = run(feed, &[&afir[..], &["--pool-m", "50"]].concat());
    assert_eq!(covered(&report), ["A"]);
    let pools = &report["inputs"]["stations"]["pools"];
    assert_eq!(
        (pools["records"].clone(), pools["pools"].clone()),
        (4.into(), 2.into())
    );
    assert_eq!(pools["largest"], 3);
    let fast = "\"Art der Ladeeinrichtung\" = 'Schnellladeeinrichtung'";
    let (_, report) = run(
        feed,
        &[&afir[..], &["--pool-m", "50", "--where", fast]].concat(),
    );
    assert_eq!(covered(&report), ["A"]);
    assert_eq!(report["inputs"]["stations"]["filters"][0]["removed"], 1);
}

#[test]
fn sites_are_written_with_their_points_and_totals() {
    // fixtures/feeds/EXPECTED.md, bnetza.csv: rows 0–2 are one site of six
    // points, 544 kW in all, at the mean of their positions (0.5002, 0.1).
    let feed = fixture("feeds/bnetza.csv");
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.geojson");
    let out = check_cmd(&feed)
        .args([
            "--min-power-kw",
            "150",
            "--min-pool-kw",
            "400",
            "--pool-m",
            "50",
            "-q",
        ])
        .args(["--sites", path_str(&sites)])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&sites).unwrap()).unwrap();
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    let p = &features[0]["properties"];
    assert_eq!(p["records"], 3);
    assert_eq!(p["points"], 6);
    assert_eq!(p["total_kw"], 544.0);
    assert_eq!(p["strongest_kw"], 150.0);
    assert_eq!(p["qualifies"], true);
    let xy = &features[0]["geometry"]["coordinates"];
    assert!((xy[0].as_f64().unwrap() - 0.5002).abs() < 1e-9 && xy[1] == 0.1);
    let q = &features[1]["properties"];
    assert_eq!(
        (q["records"].clone(), q["qualifies"].clone()),
        (1.into(), false.into())
    );
}

#[test]
fn an_ocpi_location_without_evses_is_not_a_station() {
    // The fixture's two Locations plus a third at B's centre with
    // `evses: []`: a place without charge points (OCPI 2.2.1 8.3.1). It
    // must not cover B under a rule of 0 kW; the preset's own filter
    // removes it, counted in the report like any filter.
    let dir = tempfile::tempdir().unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("feeds/ocpi-locations.json")).unwrap())
            .unwrap();
    let data = doc["data"].as_array_mut().unwrap();
    assert_eq!(data.len(), 2);
    let mut empty = data[1].clone();
    empty["id"] = "LOC9".into();
    empty["evses"] = serde_json::json!([]);
    data.push(empty);
    let path = dir.path().join("ocpi.json");
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    let (_, report) = run(path_str(&path), &[]);
    assert_eq!(report["summary"]["stations_read"], 3);
    assert_eq!(
        report["summary"]["stations_total"], 2,
        "{}",
        report["summary"]
    );
    let filters = &report["inputs"]["stations"]["filters"];
    assert_eq!(filters[0]["filter"], "exists(evses[])", "{filters}");
    assert_eq!(filters[0]["removed"], 1);
}
