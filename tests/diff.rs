//! `chargecov diff` on fixtures/diff (answers derived in its EXPECTED.md).

use crate::common;

use common::{chargecov, path_str};
use serde_json::Value;

const OLD: &str = "fixtures/diff/old.geojson";
const NEW: &str = "fixtures/diff/new.geojson";
const AREAS: &str = "fixtures/basic/areas.geojson";

fn diff(extra: &[&str]) -> (i32, Value) {
    let out = chargecov()
        .args(["diff", OLD, NEW, "--areas", AREAS, "--format", "json", "-q"])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

/// `diff OLD <new> --areas AREAS --min-power-kw 100`, text output, ready for more flags.
fn text_diff(new: &str) -> assert_cmd::Command {
    let mut cmd = chargecov();
    cmd.args([
        "diff",
        OLD,
        new,
        "--areas",
        AREAS,
        "-q",
        "--min-power-kw",
        "100",
    ]);
    cmd
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap_or("(none)").to_owned())
        .collect()
}

fn close(v: &Value, expected: f64) {
    let x = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((x - expected).abs() <= 0.1, "{x} vs {expected}");
}

#[test]
fn stations_are_matched_and_sorted_into_changes() {
    let (code, r) = diff(&["--min-power-kw", "100"]);
    assert_eq!(code, 1, "area A lost coverage");
    let s = &r["stations"];
    assert_eq!(s["old_total"], 5);
    assert_eq!(s["new_total"], 5);
    assert_eq!(s["matched"], 4);
    assert_eq!(ids(&s["added"]["listed"]), ["n1"]);
    assert_eq!(ids(&s["removed"]["listed"]), ["k1"]);
    assert_eq!(ids(&s["moved"]["listed"]), ["m1", "(none)"]);
    let m1 = &s["moved"]["listed"][0];
    close(&m1["distance_m"], 77_923.6);
    assert_eq!(m1["old_index"], 0);
    assert_eq!(m1["new_index"], 2);
    close(&s["moved"]["listed"][1]["distance_m"], 2.2);
    assert_eq!(ids(&s["power_changed"]["listed"]), ["p1"]);
    assert_eq!(s["power_changed"]["listed"][0]["old_power_kw"], 200.0);
    assert_eq!(s["power_changed"]["listed"][0]["new_power_kw"], 50.0);
}

#[test]
fn coverage_lost_and_gained() {
    let (_, r) = diff(&["--min-power-kw", "100"]);
    let a = &r["areas"];
    assert_eq!(ids(&a["lost"]), ["A"]);
    assert_eq!(ids(&a["gained"]), ["E"]);
    assert_eq!(ids(&a["distance_changed"]), ["A", "B", "D", "E"]);
    let s = &r["summary"];
    assert_eq!(s["coverage_lost"], 1);
    assert_eq!(s["coverage_gained"], 1);
    assert_eq!(s["areas_covered_before"], 3);
    assert_eq!(s["areas_covered_after"], 3);
    assert_eq!(s["claim_holds_before"], false);
    let by_id = |id: &str| {
        a["distance_changed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    let lost = by_id("A");
    assert_eq!(lost["covered_before"], true);
    assert_eq!(lost["covered_after"], false);
    close(&lost["nearest_distance_m_before"], 0.0);
    close(&lost["nearest_distance_m_after"], 77_923.6);
    close(&by_id("B")["nearest_distance_m_after"], 33_395.8);
    close(&by_id("D")["nearest_distance_m_before"], 110_574.4);
    close(&by_id("D")["nearest_distance_m_after"], 135_270.8);
    close(&by_id("E")["nearest_distance_m_before"], 923_951.8);
    assert_eq!(by_id("B")["nearest_station_after"], "m1");
}

#[test]
fn thresholds_change_what_is_reported() {
    // Every station qualifying: A loses m1 and has nothing left inside; D
    // loses k1, its only station. B keeps p1 (50 kW now counts) and gains m1.
    let (code, r) = diff(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        ids(&r["areas"]["lost"]),
        ["A", "D"],
        "k1 was D's only station"
    );
    // A higher distance threshold keeps only the big changes.
    let (_, r) = diff(&["--min-power-kw", "100", "--distance-change-m", "100000"]);
    assert_eq!(ids(&r["areas"]["distance_changed"]), ["E"]);
    // Moves up to 5 m are not moves.
    let (_, r) = diff(&["--min-power-kw", "100", "--moved-m", "5"]);
    assert_eq!(ids(&r["stations"]["moved"]["listed"]), ["m1"]);
    // Place matching within 1 m: the unnamed station no longer matches.
    let (_, r) = diff(&["--min-power-kw", "100", "--match-m", "1"]);
    assert_eq!(r["stations"]["added"]["count"], 2);
    assert_eq!(r["stations"]["removed"]["count"], 2);
}

#[test]
fn no_loss_exits_0_and_changes_file_has_before_after() {
    let dir = tempfile::tempdir().unwrap();
    let changes = dir.path().join("changes.geojson");
    // A snapshot against itself: nothing lost, exit 0.
    let out = text_diff(OLD).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no area lost coverage"), "{text}");

    let out = text_diff(NEW)
        .args(["--changes", path_str(&changes)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let fc: Value = serde_json::from_slice(&std::fs::read(&changes).unwrap()).unwrap();
    let features = fc["features"].as_array().unwrap();
    let summary: Vec<(String, String)> = features
        .iter()
        .map(|f| {
            (
                f["properties"]["id"].as_str().unwrap().to_owned(),
                f["properties"]["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("A", "lost"),
        ("B", "distance"),
        ("D", "distance"),
        ("E", "gained"),
    ]
    .map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(summary, expected);
    assert_eq!(features[0]["geometry"]["type"], "Polygon");
    assert_eq!(features[0]["properties"]["covered_before"], true);
    assert_eq!(features[0]["properties"]["covered_after"], false);
    assert_eq!(
        features[2]["geometry"]["type"], "MultiPolygon",
        "D keeps its exclave"
    );
}

#[test]
fn text_output_snapshot() {
    let out = text_diff(NEW).output().unwrap();
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}
