//! `chargecov check` on the embedded synthetic demo data: the story
//! documented in data/README.md holds. The expected uncovered areas are
//! the ones the generator chose to leave without an ultra-fast charger
//! (listed in the README it writes); the check finds them on its own.

use crate::common;

use std::path::Path;

use common::{area, chargecov, check_json, path_str, root};
use serde_json::Value;

/// The area codes in the README's table of the failing claim.
fn documented_uncovered(readme: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(readme).expect("README");
    let story = text
        .split("## The story it tells")
        .nth(1)
        .expect("a story section");
    let mut codes: Vec<String> = story
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .filter(|c| c.len() == 12 && c.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
        .collect();
    codes.sort();
    codes
}

/// The township names in the README's table of the failing claim.
fn documented_names(readme: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(readme).expect("README");
    let story = text
        .split("## The story it tells")
        .nth(1)
        .expect("a story section");
    story
        .lines()
        .filter(|l| l.starts_with("| 5"))
        .filter_map(|l| l.split(" | ").nth(1))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_project_readme_names_the_same_townships() {
    let names = documented_names(&root().join("data/README.md"));
    assert_eq!(names.len(), 6);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for name in names {
        assert!(readme.contains(&name), "README.md does not name {name}");
    }
}

fn uncovered_ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = report["summary"]["uncovered"]
        .as_array()
        .expect("uncovered list")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn strict_claim_fails_on_exactly_the_documented_townships() {
    let expected = documented_uncovered(&root().join("data/README.md"));
    assert!(
        (3..=12).contains(&expected.len()),
        "a handful expected: {expected:?}"
    );
    let (code, report) = check_json(&["--min-power-kw", "480"]);
    assert_eq!(code, 1);
    assert_eq!(report["inputs"]["synthetic"], true);
    assert_eq!(report["summary"]["areas_total"], 1031);
    assert_eq!(report["summary"]["stations_total"], 6000);
    assert_eq!(uncovered_ids(&report), expected);
    for id in &expected {
        // No ultra-fast charger inside, so the nearest one is outside.
        let entry = area(&report, id);
        let d = entry["boundary_distance_m"].as_f64().expect("a distance");
        assert!(d > 0.0, "{entry}");
    }
}

#[test]
fn fast_claim_holds_everywhere() {
    let (code, report) = check_json(&["--min-power-kw", "180"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["areas_uncovered"], 0);
    assert_eq!(report["summary"]["claim_holds"], true);
}

#[test]
fn text_output_says_the_data_is_synthetic() {
    let out = chargecov()
        .args(["check", "--min-power-kw", "480", "--quiet"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SYNTHETIC demo data"), "{text}");
    assert!(
        text.contains("1031 total, 1025 covered, 6 uncovered"),
        "{text}"
    );
}

#[test]
fn the_story_holds_for_other_seeds_and_sizes() {
    for (areas, stations, seed) in [("60", "400", "11"), ("500", "3000", "5")] {
        let dir = tempfile::tempdir().expect("tmp");
        let out = chargecov()
            .args(["generate", "--areas", areas, "--stations", stations])
            .args(["--seed", seed, "--out", path_str(dir.path()), "--quiet"])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = documented_uncovered(&dir.path().join("README.md"));
        assert!(!expected.is_empty());
        let files = [
            "--areas",
            path_str(&dir.path().join("areas.geojson")),
            "--stations",
            path_str(&dir.path().join("stations.geojson")),
        ]
        .map(str::to_owned);
        let args = |kw: &'static str| -> Vec<String> {
            let mut a = files.to_vec();
            a.extend(["--min-power-kw".to_owned(), kw.to_owned()]);
            a
        };
        let strict: Vec<String> = args("480");
        let strict: Vec<&str> = strict.iter().map(String::as_str).collect();
        let (code, report) = check_json(&strict);
        assert_eq!(code, 1);
        assert_eq!(report["inputs"]["synthetic"], false);
        assert_eq!(uncovered_ids(&report), expected, "seed {seed}");
        let fast: Vec<String> = args("180");
        let fast: Vec<&str> = fast.iter().map(String::as_str).collect();
        assert_eq!(check_json(&fast).0, 0, "seed {seed}");
    }
}
