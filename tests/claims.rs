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

/// The threshold sweep on fixtures/basic, derived by hand from
/// fixtures/basic/EXPECTED.md: each area's strongest covering station is
/// A 150 (s1 on its edge), B 150 (s1), C 50 (s2 on its vertex), D 200
/// (s4 in the exclave; s8 is of unknown power), E none. So the claim
/// holds at no threshold (E), and at 22/50 kW only E is uncovered, at
/// 60–150 kW C and E, at 180 kW A, B, C, E, from 250 kW all five.
#[test]
fn the_sweep_gives_each_threshold_its_uncovered_areas() {
    let (_, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/basic/stations.geojson",
    ]);
    let strongest: Vec<Option<f64>> = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["strongest_kw"].as_f64())
        .collect();
    assert_eq!(
        strongest,
        [Some(150.0), Some(150.0), Some(50.0), Some(200.0), None]
    );
    let sweep = &r["summary"]["power_sweep"];
    assert!(sweep["holds_up_to_kw"].is_null());
    let counts: Vec<(f64, u64)> = sweep["uncovered_at"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["min_power_kw"].as_f64().unwrap(),
                s["areas_uncovered"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            (22.0, 1),
            (50.0, 1),
            (60.0, 2),
            (120.0, 2),
            (150.0, 2),
            (180.0, 4),
            (250.0, 5),
            (350.0, 5),
            (480.0, 5),
            (600.0, 5)
        ]
    );

    // Case 3's tolerance admits s3 (480 kW, 11,057 m from C's hole edge).
    let (_, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/basic/stations.geojson",
        "--boundary-tolerance-m",
        "12000",
    ]);
    assert_eq!(r["areas"][2]["strongest_kw"], 480.0);
}

/// The sweep counts stations inside (and within the tolerance); under a
/// covering distance (`--within-km`, Case 4) it is not computed yet and
/// says so by its absence, rather than giving inside-only answers.
#[test]
fn no_sweep_under_a_covering_distance() {
    let args = [
        "--areas",
        AREAS,
        "--stations",
        "fixtures/basic/stations.geojson",
        "--within-km",
        "800",
        "--min-power-kw",
        "100",
    ];
    let (code, r) = check_json(&args);
    assert_eq!(code, 0, "EXPECTED.md Case 4: the claim holds");
    assert!(r["summary"]["power_sweep"].is_null());
    assert!(
        r["areas"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["strongest_kw"].is_null())
    );
    let out = chargecov().arg("check").args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("power      "), "{text}");
}

/// The sweep's threshold is exact: on fixtures/basic with the tolerance
/// of Case 3 (C reaches s3, 480 kW) every area but E has a station of
/// known power; without E (the first four areas only, written here) the
/// claim holds up to the least strongest, 150 kW (A and B, s1): a 150 kW
/// check holds, a 151 kW check fails.
#[test]
fn the_claim_holds_exactly_up_to_the_swept_power() {
    let dir = tempfile::tempdir().unwrap();
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join(AREAS)).unwrap())
            .unwrap();
    let mut four = all.clone();
    four["features"].as_array_mut().unwrap().truncate(4);
    let areas = dir.path().join("four.geojson");
    std::fs::write(&areas, four.to_string()).unwrap();
    let areas = areas.to_str().unwrap();
    let args = |kw: &'static str| {
        vec![
            "--areas",
            areas,
            "--stations",
            "fixtures/basic/stations.geojson",
            "--boundary-tolerance-m",
            "12000",
            "--min-power-kw",
            kw,
        ]
    };
    let (code, r) = check_json(&args("150"));
    assert_eq!(code, 0);
    assert_eq!(r["summary"]["power_sweep"]["holds_up_to_kw"], 150.0);
    let (code, _) = check_json(&args("151"));
    assert_eq!(code, 1);
    let out = chargecov().arg("check").args(args("100")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("power      holds up to 150 kW; at 180 kW, 2 areas uncovered"),
        "{text}"
    );
}

/// On the demo data the sweep's count at a threshold is the verdict of a
/// check at that threshold.
#[test]
fn the_sweep_matches_checks_at_its_thresholds() {
    let (_, r) = check_json(&[]);
    let steps = r["summary"]["power_sweep"]["uncovered_at"]
        .as_array()
        .unwrap()
        .clone();
    for step in steps
        .iter()
        .filter(|s| [150.0, 350.0, 480.0, 600.0].contains(&s["min_power_kw"].as_f64().unwrap()))
    {
        let kw = step["min_power_kw"].to_string();
        let (_, at) = check_json(&["--min-power-kw", &kw]);
        assert_eq!(
            at["summary"]["areas_uncovered"], step["areas_uncovered"],
            "at {kw} kW"
        );
    }
}

/// `diff`'s JSON report names its three layers' files the same way.
#[test]
fn the_diff_report_carries_the_snapshots_digests() {
    let files = ["fixtures/diff/old.geojson", "fixtures/diff/new.geojson"];
    let Ok(out) = std::process::Command::new("sha256sum")
        .args(files)
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
    let out = chargecov()
        .args([
            "diff", files[0], files[1], "--areas", AREAS, "--format", "json",
        ])
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &r["provenance"];
    assert_eq!(p["old"][0]["path"], files[0]);
    assert_eq!(p["old"][0]["sha256"], sums[0]);
    assert_eq!(p["new"][0]["sha256"], sums[1]);
    assert_eq!(p["areas"][0]["path"], AREAS);
}
