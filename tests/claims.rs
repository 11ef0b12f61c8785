//! Claims as data (issue 16): no verdict without power data, and a
//! warning when much of it is missing. Fixtures and the derivation of
//! every expected value: `fixtures/claims/README.md`.

use crate::common;

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

// ------------------------------------------------------ built-in claims --

/// Runs `check --claim NAME` on `fixtures/claims/square.geojson` with the
/// stations of one case of `presets.csv`; (exit code, stdout JSON, stderr).
fn judge_preset(name: &str, case: &str) -> (i32, serde_json::Value, String) {
    let filter = format!("preset = '{name}' and case = '{case}'");
    let out = chargecov()
        .args([
            "check",
            "--areas",
            "fixtures/claims/square.geojson",
            "--stations",
            "fixtures/claims/presets.csv",
            "--claim",
            name,
            "--where",
            &filter,
            "--format",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap(),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_area_preset_passes_its_passing_case_and_fails_its_failing_one() {
    let presets = chargecov::rules::claims::presets();
    let mut judged = 0;
    for claim in &presets {
        if claim.kind == chargecov::rules::claims::ClaimKind::Corridor {
            continue;
        }
        let (code, report, stderr) = judge_preset(&claim.name, "pass");
        assert_eq!(
            code, 0,
            "{} should hold on its passing case: {stderr}",
            claim.name
        );
        assert_eq!(
            report["rule"]["claim"],
            format!("{} (version {})", claim.name, claim.version)
        );
        let source = &report["provenance"]["claim_source"];
        assert_eq!(source["name"], claim.name.as_str());
        assert_eq!(source["origin"], "preset");
        assert_eq!(source["sha256"].as_str().map(str::len), Some(64));
        let (code, _, stderr) = judge_preset(&claim.name, "fail");
        assert_eq!(
            code, 1,
            "{} should fail on its failing case: {stderr}",
            claim.name
        );
        judged += 1;
    }
    assert_eq!(judged, 8, "the eight area presets");
}

#[test]
fn corridor_presets_stop_an_area_run_and_say_why() {
    for name in ["afir-2025-core", "afir-2027-core", "us-nevi"] {
        for case in ["pass", "fail"] {
            let (code, _, stderr) = judge_preset(name, case);
            assert_eq!(code, 2, "{name}");
            assert!(stderr.contains("corridor claim"), "{stderr}");
        }
    }
}

#[test]
fn corridor_presets_pool_terms_judge_sites() {
    use chargecov::pools::pool_power;
    use chargecov::rules::claims::preset;
    let qualifies = |name: &str, points: &[f64]| {
        let rule = preset(name).unwrap().rule();
        let mut points = points.to_vec();
        pool_power(&mut points, &rule).is_some_and(|kw| kw > 0.0 && rule.enough(kw))
    };
    // AFIR 2025: 400 kW in all with one point of 150 kW.
    assert!(qualifies("afir-2025-core", &[150.0, 150.0, 50.0, 50.0]));
    assert!(!qualifies("afir-2025-core", &[150.0, 100.0, 100.0, 49.0]));
    assert!(!qualifies("afir-2025-core", &[149.0, 149.0, 149.0]));
    // AFIR 2027: 600 kW in all with two points of 150 kW.
    assert!(qualifies("afir-2027-core", &[150.0, 150.0, 150.0, 150.0]));
    assert!(!qualifies("afir-2027-core", &[350.0, 149.0, 149.0]));
    // NEVI: four ports of 150 kW, 600 kW in all.
    assert!(qualifies("us-nevi", &[150.0, 150.0, 150.0, 150.0]));
    assert!(!qualifies("us-nevi", &[350.0, 350.0, 350.0, 149.0]));
}

#[test]
fn a_claim_file_is_judged_and_hashed_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    let text = "name = \"my-50\"\ntitle = \"t\"\nversion = \"3\"\nkind = \"area\"\neffective = \"2026-01-01\"\nverifiable = [\"v\"]\n[[sources]]\ndocument = \"d\"\narticle = \"a\"\n[rule]\nmin_power_kw = 50\n";
    std::fs::write(&file, text).unwrap();
    let (code, report) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/basic/stations.geojson",
        "--claim",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(report["rule"]["min_power_kw"], 50.0);
    assert_eq!(report["rule"]["claim"], "my-50 (version 3)");
    let source = &report["provenance"]["claim_source"];
    assert_eq!(source["origin"], file.to_str().unwrap());
    // The digest is the file's own: compare with sha256 of the same bytes.
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(source["sha256"], want);

    std::fs::write(
        &file,
        text.replace("min_power_kw = 50", "min_power_kw = \"fast\""),
    )
    .unwrap();
    let out = chargecov()
        .args(["check", "--claim", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mine.toml") && err.contains("min_power_kw"),
        "{err}"
    );

    let out = chargecov()
        .args(["check", "--claim", "no-such-claim"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("uk-rapid"));
}

#[test]
fn claims_lists_every_preset_with_its_source() {
    let out = chargecov().args(["claims"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for claim in chargecov::rules::claims::presets() {
        assert!(text.contains(&claim.name), "{}", claim.name);
        assert!(text.contains(&claim.sources[0].document), "{}", claim.name);
    }
    let out = chargecov().args(["claims", "us-nevi"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("UNVERIFIABLE") && text.contains("simultaneously"),
        "{text}"
    );
    let out = chargecov()
        .args(["claims", "--format", "json"])
        .output()
        .unwrap();
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        all.as_array().unwrap().len(),
        chargecov::rules::claims::presets().len()
    );
}
