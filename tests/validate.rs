//! `chargecov validate` on the corpus of broken station files in
//! fixtures/bad/ (table in fixtures/bad/README.md): each gives its
//! expected check ids, counts, messages and exit status. Also: the output
//! formats, severities, --max-warnings, and the demo data.

use crate::common;

use common::{chargecov, path_str};
use serde_json::Value;

const AREAS: &str = "fixtures/basic/areas.geojson";

/// Runs validate with `--format json`; returns (exit, report or null, stderr).
fn validate(args: &[&str]) -> (i32, Value, String) {
    let out = chargecov()
        .arg("validate")
        .args(args)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (code, report, stderr)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// (check id, count, fragments every listed message of it must contain in order of listing).
type Expect<'a> = (&'a str, usize, &'a [&'a str]);

fn expect(file: &str, extra: &[&str], exit: i32, failing: &[Expect<'_>]) {
    let path = format!("fixtures/bad/{file}");
    let mut args = vec![path.as_str()];
    args.extend_from_slice(extra);
    let (code, report, stderr) = validate(&args);
    assert_eq!(code, exit, "{file}: {stderr}");
    for c in report["checks"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        match failing.iter().find(|(f, _, _)| *f == id) {
            Some((_, count, fragments)) => {
                assert_eq!(c["count"], *count, "{file} {id}: {c}");
                let listed = c["listed"].as_array().unwrap();
                for (o, fragment) in listed.iter().zip(fragments.iter()) {
                    let text = format!("{} {} {}", o["index"], o["id"], o["message"]);
                    assert!(
                        text.contains(fragment),
                        "{file} {id}: {fragment:?} not in {text}"
                    );
                }
            }
            None => assert_eq!(c["count"], 0, "{file}: unexpected {id}: {c}"),
        }
    }
}

fn unreadable(file: &str, fragments: &[&str]) {
    let (code, report, stderr) = validate(&[&format!("fixtures/bad/{file}")]);
    assert_eq!(code, 2, "{file}");
    assert!(report.is_null(), "no report for an unreadable file");
    for f in fragments {
        assert!(stderr.contains(f), "{file}: {f:?} not in {stderr}");
    }
}

#[test]
fn unreadable_files_exit_2() {
    unreadable("malformed.geojson", &["malformed JSON", "line 2"]);
    unreadable("truncated.geojson", &["ends in the middle", "truncated"]);
    unreadable("nan.geojson", &["NaN and Infinity are not JSON"]);
    unreadable(
        "infinity.geojson",
        &["line 2", "NaN and Infinity are not JSON"],
    );
    unreadable("empty.geojson", &["no features"]);
    unreadable("unknown-crs.geojson", &["EPSG:99999", "--stations-crs"]);
}

#[test]
fn a_byte_order_mark_is_fine() {
    expect("bom.geojson", &[], 0, &[]);
}

#[test]
fn geometry_problems() {
    expect(
        "string-coordinates.geojson",
        &[],
        1,
        &[(
            "geometry",
            1,
            &["1 \"texty\" \"Point coordinates are not numbers"],
        )],
    );
    expect(
        "polygon-station.geojson",
        &[],
        1,
        &[(
            "geometry",
            1,
            &["depot", "geometry is a Polygon; stations must be Points"],
        )],
    );
    expect(
        "huge-coordinate.geojson",
        &[],
        1,
        &[("geometry", 1, &["longitude 1e308 is outside ±180"])],
    );
    expect(
        "null-geometry.geojson",
        &[],
        1,
        &[("geometry", 1, &["nothing-here", "geometry is null"])],
    );
    expect(
        "out-of-range.geojson",
        &[],
        1,
        &[("geometry", 2, &["too-far-north", "projected metres"])],
    );
    expect(
        "degrees-declared-mercator.geojson",
        &[],
        1,
        &[("geometry", 1, &["looks like degrees"])],
    );
}

#[test]
fn missing_properties() {
    expect(
        "missing-properties.geojson",
        &["--require", "id,power_kw,operator"],
        1,
        &[(
            "required-fields",
            3,
            &[
                "no-power\" \"missing power_kw\"",
                "null-operator\" \"missing operator\"",
                "3 null \"missing id, power_kw, operator\"",
            ],
        )],
    );
    // Without --require the check does not run.
    let (code, report, _) = validate(&["fixtures/bad/missing-properties.geojson"]);
    assert_eq!(code, 0);
    assert_eq!(check(&report, "required-fields")["ran"], false);
}

#[test]
fn duplicate_ids() {
    expect(
        "duplicate-ids.geojson",
        &[],
        1,
        &[(
            "unique-ids",
            3,
            &[
                "2 \"a\" \"id \\\"a\\\" is also used by feature 0",
                "3 \"a\" \"id \\\"a\\\" is also used by feature 0",
                "5 \"7\" \"id \\\"7\\\" is also used by feature 4",
            ],
        )],
    );
}

#[test]
fn power_values() {
    expect(
        "power-abc.geojson",
        &[],
        1,
        &[
            ("power-parsed", 1, &["abc", "cannot read power \\\"abc\\\""]),
            ("power-plausible", 2, &["zero", "giga\" \"power 2000 kW"]),
        ],
    );
    // A higher limit admits 2 MW.
    expect(
        "power-abc.geojson",
        &["--max-power-kw", "2000"],
        1,
        &[
            ("power-parsed", 1, &["abc"]),
            ("power-plausible", 1, &["zero"]),
        ],
    );
}

#[test]
fn duplicates_and_areas() {
    // p and r are identical; q is 5.6 m east of them (1e-5°·5 at the equator);
    // far is 22 m away; outside is at lon 5, 144.7 km from area D's exclave
    // edge at lon 3.7 (a·Δλ with Δλ = 1.3°).
    expect(
        "near-duplicates.geojson",
        &["--areas", AREAS],
        0,
        &[
            (
                "exact-duplicates",
                1,
                &["0 \"p\" \"2 stations at exactly [0.5, 0.2]"],
            ),
            ("near-duplicates", 1, &["0 \"p\" \"3 stations within 10 m"]),
            (
                "outside-areas",
                1,
                &["outside\" \"outside every area; 144715 m from the nearest (D)"],
            ),
        ],
    );
    let (_, report, _) = validate(&["fixtures/bad/near-duplicates.geojson"]);
    let members: Vec<&str> = check(&report, "near-duplicates")["listed"][0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["p", "q", "r"]);
    // 3 m instead of 10: q (5.6 m) is no longer near.
    let (_, report, _) = validate(&["fixtures/bad/near-duplicates.geojson", "--duplicate-m", "3"]);
    assert_eq!(check(&report, "near-duplicates")["count"], 0);
}

#[test]
fn severities_and_warning_limits() {
    let file = "fixtures/bad/near-duplicates.geojson";
    let (code, report, _) = validate(&[file, "--severity", "near-duplicates=error"]);
    assert_eq!(code, 1);
    assert_eq!(check(&report, "near-duplicates")["severity"], "error");
    assert_eq!(report["summary"]["errors"], 1);
    let (code, report, _) = validate(&[
        file,
        "--severity",
        "exact-duplicates=off",
        "--severity",
        "near-duplicates=off",
    ]);
    assert_eq!(code, 0);
    assert_eq!(check(&report, "exact-duplicates")["ran"], false);
    assert_eq!(report["summary"]["warnings"], 0);
    let (code, _, _) = validate(&[file, "--max-warnings", "2"]);
    assert_eq!(code, 0, "2 warnings are allowed");
    let (code, _, _) = validate(&[file, "--max-warnings", "1"]);
    assert_eq!(code, 1, "more than 1 warning fails");
    let (code, _, stderr) = validate(&[file, "--severity", "nope=error"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown check"), "{stderr}");
}

#[test]
fn csv_is_validated_too() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    std::fs::write(
        &csv,
        "id,lon,lat,power_kw\na,0.5,0,50\na,0.6,0,abc\nb,,,60\n",
    )
    .unwrap();
    let (code, report, _) = validate(&[csv.to_str().unwrap(), "--require", "power_kw"]);
    assert_eq!(code, 1);
    assert_eq!(check(&report, "unique-ids")["count"], 1);
    assert_eq!(check(&report, "power-parsed")["count"], 1);
    assert_eq!(check(&report, "geometry")["count"], 1);
    assert_eq!(check(&report, "required-fields")["count"], 0);
    assert_eq!(report["stations"]["format"], "csv");
}

fn raw(args: &[&str]) -> (i32, String) {
    let out = chargecov()
        .arg("validate")
        .args(args)
        .arg("-q")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn junit_has_one_testcase_per_check_and_failures_for_errors() {
    let (code, xml) = raw(&["fixtures/bad/power-abc.geojson", "--format", "junit"]);
    assert_eq!(code, 1);
    assert!(xml.starts_with("<?xml"));
    assert_eq!(xml.matches("<testcase ").count(), 9);
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert!(xml.contains("name=\"power-plausible\""));
    assert!(xml.contains("feature 3 (id giga): power 2000 kW"), "{xml}");
    assert!(xml.contains("<system-out>warning: 1 found"), "{xml}");
    assert_eq!(
        xml.matches("<skipped ").count(),
        3,
        "required-fields, outside-areas, crs-mismatch"
    );
    assert!(xml.contains("failures=\"1\""));
}

#[test]
fn github_annotations() {
    let (code, text) = raw(&["fixtures/bad/duplicate-ids.geojson", "--format", "github"]);
    assert_eq!(code, 1);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 3, "{text}");
    assert!(errors[0].starts_with(
        "::error file=fixtures/bad/duplicate-ids.geojson,title=chargecov unique-ids::feature 2 (id a)"
    ));
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("::notice title=chargecov validate::invalid: 3 errors")
    );
}

#[test]
fn text_output_snapshot() {
    let (code, text) = raw(&["fixtures/bad/power-abc.geojson"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(text);
}

#[test]
fn the_demo_stations_have_their_planted_mess() {
    // data/README.md: 15 exact duplicates (same id and place) and 15 near
    // duplicates (new id, 2–8 m away); 12 stations outside the outline.
    let (code, report, _) = validate(&["data/stations.geojson", "--areas", "data/areas.geojson"]);
    assert_eq!(code, 1, "duplicate ids are errors");
    assert_eq!(check(&report, "unique-ids")["count"], 15);
    assert_eq!(check(&report, "exact-duplicates")["count"], 15);
    assert!(check(&report, "near-duplicates")["count"].as_u64().unwrap() >= 15);
    assert_eq!(check(&report, "outside-areas")["count"], 12);
    assert_eq!(check(&report, "crs-mismatch")["count"], 0);
    assert_eq!(check(&report, "geometry")["count"], 0);
    assert_eq!(check(&report, "power-parsed")["count"], 0);
}

/// `validate` shares the output flags of every command: `--report` writes
/// the JSON that `--format json` prints, while the text still goes to
/// standard output; a report naming the input is refused before any work.
#[test]
fn the_report_flag_writes_the_json_report_beside_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let stations = "data/stations.geojson";
    let text = chargecov()
        .args(["validate", stations, "--report", path_str(&report)])
        .output()
        .unwrap();
    let json = chargecov()
        .args(["validate", stations, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(text.status.code(), json.status.code());
    assert_eq!(std::fs::read(&report).unwrap(), json.stdout);
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(!shown.trim_start().starts_with('{'), "{shown}");
    assert!(!shown.is_empty());

    let clobber = chargecov()
        .args(["validate", stations, "--report", stations])
        .output()
        .unwrap();
    assert_eq!(clobber.status.code(), Some(2));
    let err = String::from_utf8_lossy(&clobber.stderr);
    assert!(err.contains("--report"), "{err}");
}
