//! Real data: Shenzhen's 491 traffic zones and 1,706 stations from
//! `../shared/data/shenzhen/` (read-only, never copied here), checked
//! against an independent computation with shapely + pyproj
//! (`tests/reference/shenzhen_reference.py`, run at test time so nothing
//! derived from the data is stored in the repository).
//!
//! Stations are read as WGS84 although they are GCJ-02; both sides read
//! them the same way, so counts must agree exactly and distances within
//! 0.1 %. The test skips, loudly, when the data is absent, and when
//! Python's shapely/pyproj are missing — unless CHARGECOV_REQUIRE_REFERENCE
//! is set (CI sets it), in which case missing Python packages fail it.

mod common;

use std::process::Command as StdCommand;

use common::{chargecov, path_str, root};
use serde_json::Value;

fn skip_or_fail_python(why: &str) {
    if std::env::var_os("CHARGECOV_REQUIRE_REFERENCE").is_some() {
        panic!("real-data test cannot run: {why}");
    }
    eprintln!("SKIPPED real_shenzhen: {why}");
}

#[test]
fn shenzhen_counts_and_distances_match_shapely_and_pyproj() {
    let data = root().join("../shared/data/shenzhen");
    let zones = data.join("zones_wgs84.geojson");
    let stations = data.join("stations_gcj02.csv");
    if !zones.exists() || !stations.exists() {
        // Absent shared data always skips (loudly); only a missing Python
        // reference is an error when CHARGECOV_REQUIRE_REFERENCE is set.
        eprintln!("SKIPPED real_shenzhen: {} is absent", data.display());
        return;
    }
    let probe = StdCommand::new("python3")
        .args(["-c", "import shapely, pyproj, numpy"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return skip_or_fail_python(
            "python3 with shapely, pyproj and numpy is not installed (pip install shapely pyproj numpy)",
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let areas_csv = dir.path().join("areas.csv");
    let report_path = dir.path().join("report.json");
    let out = chargecov()
        .args(["check", "--id-field", "TAZID", "-q"])
        .args([
            "--areas",
            path_str(&zones),
            "--stations",
            path_str(&stations),
        ])
        .args([
            "--areas-out",
            path_str(&areas_csv),
            "--report",
            path_str(&report_path),
        ])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let reference_path = dir.path().join("reference.json");
    let status = StdCommand::new("python3")
        .arg(root().join("tests/reference/shenzhen_reference.py"))
        .args([&zones, &stations, &areas_csv, &reference_path])
        .status()
        .unwrap();
    assert!(status.success(), "reference script failed");
    let reference: Value =
        serde_json::from_slice(&std::fs::read(&reference_path).unwrap()).unwrap();
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();

    let areas = report["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 491);
    let mut checked = 0;
    for area in areas {
        let id = area["id"].as_str().unwrap();
        let expected = &reference["zones"][id];
        assert!(expected.is_object(), "zone {id} missing from the reference");
        assert_eq!(area["stations_inside"], expected["count"], "zone {id}");
        for field in ["nearest_distance_m", "boundary_distance_m"] {
            let ours = area[field].as_f64().unwrap();
            let theirs = expected[field].as_f64().unwrap();
            // 0.1 % or 0.1 m (our output is rounded to 0.1 m).
            let tolerance = (theirs * 1e-3).max(0.1);
            assert!(
                (ours - theirs).abs() <= tolerance,
                "zone {id} {field}: chargecov {ours} vs reference {theirs}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 491);
    assert_eq!(
        report["summary"]["stations_outside_areas"],
        reference["stations_outside"]
    );
    // The shared data's README: about 1,645 of 1,706 fall inside a zone raw.
    let outside = report["summary"]["stations_outside_areas"]
        .as_u64()
        .unwrap();
    assert!((50..=75).contains(&outside), "{outside} stations outside");
}
