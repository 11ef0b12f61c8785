//! `check` and `diff` for CI systems: GitHub annotations (capped, with
//! the feature's line in a GeoJSON areas file) and JUnit XML.

use crate::common;

use common::{chargecov, path_str};

fn stdout(args: &[&str]) -> (i32, String) {
    let out = chargecov().args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The 1-based line holding `"code": "<id>"` (one feature starts per line
/// in these files: the fixture by hand, the generator's output one
/// feature per line): found by reading the text, not by the scanner.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in the file"))
        + 1
}

#[test]
fn diff_annotates_each_changed_area_at_its_line() {
    // fixtures/diff/EXPECTED.md: at 100 kW area A lost coverage, E gained
    // it, and A, B, D moved farther from their nearest station.
    let areas = "fixtures/basic/areas.geojson";
    let text = std::fs::read_to_string(common::root().join(areas)).unwrap();
    let diff = |format: &str| {
        stdout(&[
            "diff",
            "fixtures/diff/old.geojson",
            "fixtures/diff/new.geojson",
            "--areas",
            areas,
            "--min-power-kw",
            "100",
            "--format",
            format,
            "-q",
        ])
    };
    let (code, out) = diff("github");
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    let line = |id: &str| line_of(&text, &format!("\"code\": \"{id}\""));
    assert_eq!(lines.len(), 6, "{out}");
    assert!(lines[0].starts_with(&format!(
        "::error file={areas},line={},title=chargecov diff%3A coverage lost::area A (West, G1) lost coverage",
        line("A")
    )));
    for (i, id) in ["A", "B", "D"].iter().enumerate() {
        assert!(
            lines[1 + i].starts_with(&format!("::warning file={areas},line={},", line(id))),
            "{}",
            lines[1 + i]
        );
    }
    assert!(lines[4].starts_with(&format!("::notice file={areas},line={},", line("E"))));
    assert!(lines[5].starts_with(
        "::notice title=chargecov diff::claim failed → fails: 1 areas lost coverage, 1 gained"
    ));
    let (_, xml) = diff("junit");
    // The claim (fails after), A lost (fails), E gained (passes).
    assert!(xml.contains(r#"tests="3" failures="2""#), "{xml}");
    assert!(xml.contains(r#"name="coverage kept: A (West, G1)""#));
}

#[test]
fn check_annotations_are_capped_at_ten_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    chargecov()
        .args(["generate", "--out", path_str(&out), "-q"])
        .assert()
        .success();
    let areas = out.join("areas.geojson");
    let stations = out.join("stations.geojson");
    let text = std::fs::read_to_string(&areas).unwrap();
    let args = |kw: &str, format: &str| {
        stdout(&[
            "check",
            "--areas",
            path_str(&areas),
            "--stations",
            path_str(&stations),
            "--min-power-kw",
            kw,
            "--format",
            format,
            "-q",
        ])
    };
    // At 480 kW the demo has 6 uncovered townships (README): six errors,
    // each at the line of its feature, and the verdict.
    let (_, report) = common::check_json(&[
        "--areas",
        path_str(&areas),
        "--stations",
        path_str(&stations),
        "--min-power-kw",
        "480",
    ]);
    let uncovered: Vec<String> = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["covered"] == false)
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    let (code, out) = args("480", "github");
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), uncovered.len() + 1, "{out}");
    for (line, id) in lines.iter().zip(&uncovered) {
        let at = line_of(&text, &format!("\"code\":\"{id}\""));
        assert!(
            line.starts_with(&format!("::error file={},line={at},", path_str(&areas)))
                && line.contains(&format!("area {id} (")),
            "{line}"
        );
    }
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("::notice title=chargecov check::claim fails: 1025 of 1031")
    );
    // At 5,000 kW nothing qualifies: 1,031 errors are 9 shown and a tenth
    // counting the other 1,022.
    let (_, out) = args("5000", "github");
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 10);
    assert!(
        errors[9].ends_with("::… and 1022 more: see the report's areas"),
        "{}",
        errors[9]
    );
    // JUnit: a case per area, the uncovered failed.
    let (_, xml) = args("480", "junit");
    assert!(xml.contains(r#"<testsuites name="chargecov check" tests="1031" failures="6">"#));
    assert_eq!(xml.matches("<failure ").count(), 6);
}
