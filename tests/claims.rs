//! Claims as data (issue 16): no verdict without power data, and a
//! warning when much of it is missing. Fixtures and the derivation of
//! every expected value: `fixtures/claims/README.md`.

mod common;

use common::{chargecov, check_json};

const AREAS: &str = "fixtures/basic/areas.geojson";

#[test]
fn a_rule_on_power_with_no_readable_power_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let out = chargecov()
        .args(["check", "--areas", AREAS])
        .args(["--stations", "fixtures/claims/no-power.csv"])
        .args(["--min-power-kw", "50", "--report"])
        .arg(&report)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("fixtures/claims/no-power.csv"), "{err}");
    assert!(err.contains("id, lon, lat, P1 [kW], Betreiber"), "{err}");
    assert!(err.contains("--power-field"), "{err}");
    assert!(!report.exists(), "no report from a refused run");

    // Without a threshold no power is needed: A and B have a station.
    let (code, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/claims/no-power.csv",
    ]);
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["areas_covered"], 2);
    assert!(r["inputs"]["power_missing"].is_null());

    // Naming the column judges the claim: only n1 (150 kW, in A) qualifies.
    let (code, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/claims/no-power.csv",
        "--power-field",
        "P1 [kW]",
        "--min-power-kw",
        "50",
    ]);
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["areas_covered"], 1);
    assert_eq!(r["summary"]["stations_qualifying"], 1);
}

#[test]
fn a_named_power_field_that_no_feature_has_is_refused_with_the_properties_seen() {
    // GeoJSON: the names come from the features' properties.
    let out = chargecov()
        .args(["check", "--areas", AREAS])
        .args(["--stations", "fixtures/basic/stations.geojson"])
        .args(["--power-field", "kw", "--min-power-kw", "50"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("\"kw\""), "{err}");
    assert!(err.contains("id, power_kw"), "{err}");
}

#[test]
fn diff_refuses_a_snapshot_without_power_under_a_power_rule() {
    let out = chargecov()
        .args(["diff", "fixtures/basic/stations.geojson"])
        .arg("fixtures/claims/no-power.csv")
        .args(["--areas", AREAS, "--min-power-kw", "50"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no-power.csv"), "{err}");
}

#[test]
fn much_missing_power_is_a_warning_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let (html, md) = (dir.path().join("r.html"), dir.path().join("r.md"));
    let out = chargecov()
        .args(["check", "--areas", AREAS])
        .args(["--stations", "fixtures/claims/some-power.csv"])
        .args(["--min-power-kw", "50", "--html"])
        .arg(&html)
        .arg("--markdown")
        .arg(&md)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let warning = "2 of 3 stations (66.7 %) have no readable power in \"power_kw\"";
    // Near the top: before the counts.
    let at = text.find(warning).expect("warning in the text output");
    assert!(
        at < text.find("areas      5 total").expect("counts"),
        "{text}"
    );
    let escaped = warning.replace('"', "&quot;");
    assert!(std::fs::read_to_string(&html).unwrap().contains(&escaped));
    assert!(std::fs::read_to_string(&md).unwrap().contains(warning));

    let (_, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/claims/some-power.csv",
        "--min-power-kw",
        "50",
    ]);
    let m = &r["inputs"]["power_missing"];
    assert_eq!(m["stations_without_power"], 2);
    assert_eq!(m["stations_total"], 3);
    assert_eq!(m["field"], "power_kw");
    assert_eq!(m["min_power_kw"], 50.0);

    // No rule on power, no warning.
    let (_, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/claims/some-power.csv",
    ]);
    assert!(r["inputs"]["power_missing"].is_null());
}

/// The JSON report names each input file with its size and SHA-256, as
/// `sha256sum` (coreutils, an independent implementation) prints it.
#[test]
fn the_report_carries_the_inputs_digests() {
    let Ok(out) = std::process::Command::new("sha256sum")
        .args([AREAS, "fixtures/claims/some-power.csv"])
        .current_dir(common::root())
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "sha256sum is needed under CI"
        );
        eprintln!("SKIPPED: no sha256sum on this machine");
        return;
    };
    let text = String::from_utf8(out.stdout).unwrap();
    let sums: Vec<&str> = text.lines().map(|l| &l[..64]).collect();
    let (_, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/claims/some-power.csv",
    ]);
    let p = &r["provenance"];
    assert_eq!(p["chargecov"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["areas"][0]["path"], AREAS);
    assert_eq!(p["areas"][0]["sha256"], sums[0]);
    assert_eq!(p["stations"][0]["sha256"], sums[1]);
    let size = std::fs::metadata(common::root().join(AREAS)).unwrap().len();
    assert_eq!(p["areas"][0]["bytes"], size);
    assert_eq!(p["claim"], r["rule"]["description"]);
}
