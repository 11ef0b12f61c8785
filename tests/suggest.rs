//! `chargecov suggest`: the facility-location models against hand-derived
//! answers, against PySAL's spopt at test time, on the demo (the claim
//! holds after), and bad input.

use crate::common;

use std::path::Path;

use serde_json::{Value, json};

use common::{chargecov, have_python, path_str, root};

/// Runs `suggest … --format json -q`: (exit code, report or null, stderr).
fn suggest(args: &[&str]) -> (i32, Value, String) {
    let out = chargecov()
        .arg("suggest")
        .args(args)
        .args(["--format", "json", "-q"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().expect("exit code"), report, stderr)
}

fn square(x0: f64, y0: f64, side: f64) -> Value {
    json!([[
        [x0, y0],
        [x0 + side, y0],
        [x0 + side, y0 + side],
        [x0, y0 + side],
        [x0, y0]
    ]])
}

fn write(path: &Path, features: Vec<Value>) {
    let fc = json!({"type": "FeatureCollection", "features": features});
    std::fs::write(path, serde_json::to_vec(&fc).unwrap()).unwrap();
}

fn point(id: &str, x: f64, y: f64, props: Value) -> Value {
    let mut p = props;
    p["id"] = json!(id);
    json!({"type": "Feature", "properties": p, "geometry": {"type": "Point", "coordinates": [x, y]}})
}

/// Four 0.1° squares on the equator (sq0 at x 0–0.1, sq1 0.2–0.3, sq2
/// 0.4–0.5, sq3 1.0–1.1), one station of 50 kW far away (none qualifies at
/// 100 kW), and candidates A (0.15, 0.05) between sq0 and sq1, B (0.35,
/// 0.05) between sq1 and sq2, C (1.05, 0.05) inside sq3, D (0.05, 0.05)
/// inside sq0.
///
/// On the equator 0.05° of longitude is 5.566 km (a · 0.05 · π/180 with
/// a = 6,378,137 m), so within 6 km of the area: A serves sq0 and sq1, B
/// sq1 and sq2, C sq3, D sq0 (the next square is 0.15° = 16.7 km away).
fn hand_fixture(dir: &Path) {
    let pops = [10, 1, 100, 50];
    let xs = [0.0, 0.2, 0.4, 1.0];
    let areas = (0..4)
        .map(|i| {
            json!({"type": "Feature",
                "properties": {"id": format!("sq{i}"), "pop": pops[i]},
                "geometry": {"type": "Polygon", "coordinates": square(xs[i], 0.0, 0.1)}})
        })
        .collect();
    write(&dir.join("areas.geojson"), areas);
    write(
        &dir.join("stations.geojson"),
        vec![point("far", 30.0, 30.0, json!({"power_kw": 50}))],
    );
    write(
        &dir.join("candidates.geojson"),
        vec![
            point("A", 0.15, 0.05, json!({})),
            point("B", 0.35, 0.05, json!({})),
            point("C", 1.05, 0.05, json!({})),
            point("D", 0.05, 0.05, json!({})),
        ],
    );
}

fn hand_args(dir: &Path) -> Vec<String> {
    [
        "--areas",
        path_str(&dir.join("areas.geojson")),
        "--stations",
        path_str(&dir.join("stations.geojson")),
        "--candidates",
        path_str(&dir.join("candidates.geojson")),
        "--min-power-kw",
        "100",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn with<'a>(base: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter()
        .map(String::as_str)
        .chain(extra.iter().copied())
        .collect()
}

fn site_ids(report: &Value) -> Vec<String> {
    report["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["candidate_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn set_covering_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    hand_fixture(dir.path());
    let base = hand_args(dir.path());
    // Greedy: A and B each serve 2 (tie: A, the earlier record), then B
    // and C each add 1 (B first), then C: 3 sites, the fewest possible
    // (sq2 needs B, sq3 needs C, sq0 needs A or D).
    let (code, r, err) = suggest(&with(
        &base,
        &["--cover-all", "--within-km", "6", "--then-check"],
    ));
    assert_eq!(code, 0, "{err}");
    assert_eq!(site_ids(&r), ["A", "B", "C"]);
    let newly: Vec<&Value> = r["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["newly_served_ids"])
        .collect();
    assert_eq!(
        newly,
        [&json!(["sq0", "sq1"]), &json!(["sq2"]), &json!(["sq3"])]
    );
    assert_eq!(r["summary"]["areas_served_after"], 4);
    assert_eq!(r["after"]["claim_holds"], true);
    let curve: Vec<u64> = r["curve"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["areas_served"].as_u64().unwrap())
        .collect();
    assert_eq!(curve, [0, 2, 3, 4]);
    // Exactly: also 3.
    let (code, r, err) = suggest(&with(
        &base,
        &["--cover-all", "--within-km", "6", "--exact"],
    ));
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["summary"]["sites"], 3);
    assert_eq!(r["method"]["proven_optimal"], true);
    assert_eq!(r["exact"]["status"], "optimal");
    // Within 5 km (< 5.566) only C and D serve anything (their own
    // squares); sq1 and sq2 no candidate can serve. A and B then serve no
    // area at all: --skip-invalid leaves them out (without it they are
    // refused, as in the bad-input test).
    let (code, r, err) = suggest(&with(
        &base,
        &[
            "--cover-all",
            "--within-km",
            "5",
            "--then-check",
            "--skip-invalid",
        ],
    ));
    assert_eq!(code, 1, "the claim still fails: {err}");
    assert_eq!(site_ids(&r), ["C", "D"]);
    assert_eq!(r["unservable"], json!(["sq1", "sq2"]));
    assert_eq!(r["after"]["uncovered_ids"], json!(["sq1", "sq2"]));
}

#[test]
fn maximal_covering_by_hand_with_population() {
    let dir = tempfile::tempdir().unwrap();
    hand_fixture(dir.path());
    let base = hand_args(dir.path());
    // Populations 10, 1, 100, 50: A serves 11, B 101, C 50, D 10. k = 1:
    // B. k = 2: B then C (50 > A's remaining 10): 151 of 161.
    let common = ["--within-km", "6", "--population-field", "pop"];
    let (code, r, err) = suggest(&with(&base, &[&["--k", "1"][..], &common[..]].concat()));
    assert_eq!(code, 0, "{err}");
    assert_eq!(site_ids(&r), ["B"]);
    assert_eq!(r["summary"]["population_served_after"], 101.0);
    let (_, r, _) = suggest(&with(
        &base,
        &[&["--k", "2", "--exact"][..], &common[..]].concat(),
    ));
    assert_eq!(site_ids(&r), ["B", "C"]);
    assert_eq!(r["sites"][0]["gain_population"], 101.0);
    assert_eq!(r["sites"][1]["cumulative_population"], 151.0);
    assert_eq!(r["summary"]["population_total"], 161.0);
    // The stations' --where filters the candidates too: without B, C
    // (50) is the best single site.
    let (_, r, _) = suggest(&with(
        &base,
        &[&["--k", "1", "--where", "id <> 'B'"][..], &common[..]].concat(),
    ));
    assert_eq!(site_ids(&r), ["C"]);
    // Point demand: representative points are the centres; A is 0.1°
    // (11.1 km) from sq0's and sq1's, so within 6 km only D (sq0) and C
    // (sq3) serve a point.
    let (_, r, _) = suggest(&with(
        &base,
        &[&["--k", "4", "--demand", "representative"][..], &common[..]].concat(),
    ));
    assert_eq!(site_ids(&r), ["C", "D"]);
}

#[test]
fn sites_are_written_in_every_layer_format_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    hand_fixture(dir.path());
    let base = hand_args(dir.path());
    for ext in ["geojson", "gpkg", "fgb"] {
        let out = dir.path().join(format!("sites.{ext}"));
        let html = dir.path().join(format!("plan-{ext}.html"));
        let (code, _, err) = suggest(&with(
            &base,
            &[
                "--cover-all",
                "--within-km",
                "6",
                "--out",
                path_str(&out),
                "--html",
                path_str(&html),
            ],
        ));
        assert_eq!(code, 0, "{err}");
        // Read back as a station layer: three points, at A, B and C.
        let (code, r) = common::check_json(&[
            "--areas",
            path_str(&dir.path().join("areas.geojson")),
            "--stations",
            path_str(&out),
        ]);
        // Only C lies in an area (sq3); A and B are between squares.
        assert_eq!(code, 1, "{r}");
        assert_eq!(r["summary"]["areas_covered"], 1, "{ext}");
        assert_eq!(r["summary"]["stations_total"], 3, "{ext}");
        let page = std::fs::read_to_string(&html).unwrap();
        assert_eq!(page.matches(r#"<g class="site">"#).count(), 3);
        // The panel of an area names the site that serves it: A (rank 1)
        // newly serves sq0 and sq1.
        let data: Value = serde_json::from_str(
            page.split(r#"id="map-data">"#)
                .nth(1)
                .and_then(|s| s.split("</script>").next())
                .unwrap(),
        )
        .unwrap();
        let sq0 = data["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == "sq0")
            .unwrap();
        assert_eq!(sq0["sites"], serde_json::json!([1]));
        assert!(page.contains(r#"id="sites-table""#) && page.contains("suggested site"));
    }
    let text = std::fs::read_to_string(dir.path().join("sites.geojson")).unwrap();
    let fc: Value = serde_json::from_str(&text).unwrap();
    let first = &fc["features"][0]["properties"];
    assert_eq!(first["rank"], 1);
    assert_eq!(first["candidate_id"], "A");
    assert_eq!(first["newly_served_ids"], "sq0,sq1");
    assert_eq!(first["cumulative_share"], 0.5);
}

#[test]
fn demo_cover_all_makes_the_claim_hold() {
    // The uncovered townships, from `check` itself.
    let (code, check) = common::check_json(&["--min-power-kw", "480"]);
    assert_eq!(code, 1);
    let uncovered = check["summary"]["areas_uncovered"].as_u64().unwrap();
    assert!(uncovered > 0);
    let (code, r, err) = suggest(&["--min-power-kw", "480", "--cover-all", "--then-check"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["after"]["claim_holds"], true);
    let sites = r["summary"]["sites"].as_u64().unwrap();
    assert!(
        sites >= 1 && sites <= uncovered,
        "{sites} sites for {uncovered} townships"
    );
    // Each uncovered township is newly served exactly once.
    let mut served: Vec<String> = r["sites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["newly_served_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
        })
        .collect();
    served.sort();
    let mut expected: Vec<String> = check["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["covered"] == false)
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    assert_eq!(served, expected);
}

#[test]
fn bad_input_exits_2_naming_the_record() {
    let dir = tempfile::tempdir().unwrap();
    hand_fixture(dir.path());
    let base = hand_args(dir.path());
    let fails = |extra: &[&str], needle: &str| {
        let (code, _, err) = suggest(&with(&base, extra));
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err:?} lacks {needle:?}");
    };
    fails(&["--k", "0", "--within-km", "6"], "--k 0");
    fails(&["--k", "-3", "--within-km", "6"], "--k -3");
    fails(&["--k", "2", "--within-km", "0"], "--within-km 0");
    fails(&["--k", "2", "--within-km", "-1"], "--within-km -1");
    fails(&["--k", "2"], "--within-km");
    fails(&[], "--cover-all");
    fails(&["--cover-all", "--demand", "worst"], "--within-km");
    // Population: named in no area; one area's negative; one missing.
    fails(
        &[
            "--k",
            "1",
            "--within-km",
            "6",
            "--population-field",
            "people",
        ],
        "people",
    );
    let areas = dir.path().join("areas.geojson");
    let mut fc: Value = serde_json::from_str(&std::fs::read_to_string(&areas).unwrap()).unwrap();
    fc["features"][2]["properties"]["pop"] = json!(-5);
    fc["features"][3]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("pop");
    std::fs::write(&areas, serde_json::to_vec(&fc).unwrap()).unwrap();
    let (code, _, err) = suggest(&with(
        &base,
        &["--k", "1", "--within-km", "6", "--population-field", "pop"],
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sq2") && err.contains("-5"), "{err}");
    assert!(err.contains("sq3") && err.contains("missing"), "{err}");
    // Candidates: an empty file; one far outside every area.
    let candidates = dir.path().join("candidates.geojson");
    write(&candidates, vec![]);
    let (code, _, err) = suggest(&with(&base, &["--cover-all"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("candidates.geojson"), "{err}");
    write(
        &candidates,
        vec![
            point("A", 0.15, 0.05, json!({})),
            point("sea", 0.7, 0.5, json!({})),
        ],
    );
    let (code, _, err) = suggest(&with(&base, &["--cover-all", "--within-km", "6"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sea") && err.contains("feature 1"), "{err}");
    // … which --skip-invalid leaves out.
    let (code, r, err) = suggest(&with(
        &base,
        &["--cover-all", "--within-km", "6", "--skip-invalid"],
    ));
    assert_eq!(code, 0, "{err}");
    assert_eq!(site_ids(&r), ["A"]);
    // An output over an input.
    let (code, _, err) = suggest(&with(
        &base,
        &["--cover-all", "--out", path_str(&candidates)],
    ));
    assert_eq!(code, 2, "{err}");
}

/// A small xorshift generator: the instances are reproducible without a
/// random-number crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Random instances of 50–300 small squares and 20–200 candidates
/// (southern Germany, 1° × 0.7°), each solved by chargecov exactly and
/// greedily and by spopt (CBC) on the same geodesic costs, computed by
/// pyproj. The optima must be equal; the greedy answers within their
/// guarantees.
#[test]
fn exact_equals_spopt_and_greedy_keeps_its_guarantee() {
    if !have_python("suggest spopt reference", "spopt, pulp, pyproj") {
        return;
    }
    let script = root().join("tests/reference/suggest_reference.py");
    let r_km = 8.0;
    let k: i32 = 5;
    for (n_areas, n_candidates, mut seed) in [(50, 20, 11u64), (150, 80, 23), (300, 200, 37)] {
        let dir = tempfile::tempdir().unwrap();
        let (areas, candidates) = (
            dir.path().join("areas.geojson"),
            dir.path().join("candidates.geojson"),
        );
        let stations = dir.path().join("stations.geojson");
        write(
            &stations,
            vec![point("far", 30.0, 30.0, json!({"power_kw": 50}))],
        );
        let reference = loop {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let features = (0..n_areas)
                .map(|i| {
                    let (x, y) = (8.0 + rng.next(), 49.0 + 0.7 * rng.next());
                    json!({"type": "Feature",
                        "properties": {"id": format!("a{i}"), "pop": 1 + (rng.next() * 999.0) as u32},
                        "geometry": {"type": "Polygon", "coordinates": square(x, y, 0.01)}})
                })
                .collect();
            write(&areas, features);
            let sites = (0..n_candidates)
                .map(|j| {
                    point(
                        &format!("c{j}"),
                        8.0 + rng.next(),
                        49.0 + 0.7 * rng.next(),
                        json!({}),
                    )
                })
                .collect();
            write(&candidates, sites);
            let out = std::process::Command::new("python3")
                .arg(&script)
                .args([
                    path_str(&areas),
                    path_str(&candidates),
                    &(r_km * 1000.0).to_string(),
                    &k.to_string(),
                    "pop",
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let reference: Value = serde_json::from_slice(&out.stdout).unwrap();
            // A demand point within 2 m of the radius could fall either
            // way (chargecov's representative point is the centre to well
            // under a metre): such an instance is redrawn.
            if reference["closest_to_r_m"].as_f64().unwrap() >= 2.0 {
                break reference;
            }
            seed += 1000;
        };
        let args = |extra: &[&str]| -> Value {
            let mut all = vec![
                "--areas",
                path_str(&areas),
                "--stations",
                path_str(&stations),
                "--candidates",
                path_str(&candidates),
                "--min-power-kw",
                "100",
                "--demand",
                "representative",
                "--within-km",
                "8",
                // Candidates more than 8 km from every area serve nothing.
                "--skip-invalid",
            ];
            all.extend_from_slice(extra);
            let (code, r, err) = suggest(&all);
            assert_eq!(code, 0, "{err}");
            r
        };
        let label = format!("{n_areas} areas, {n_candidates} candidates");
        let lscp = reference["lscp"].as_u64().unwrap();
        let mclp = reference["mclp"].as_f64().unwrap();
        let rows = reference["rows"].as_u64().unwrap();
        let exact = args(&["--cover-all", "--exact"]);
        assert_eq!(exact["method"]["proven_optimal"], true, "{label}");
        assert_eq!(
            exact["summary"]["sites"].as_u64().unwrap(),
            lscp,
            "{label}: LSCP"
        );
        assert_eq!(
            exact["summary"]["areas_served_after"].as_u64().unwrap(),
            rows,
            "{label}"
        );
        let greedy = args(&["--cover-all"]);
        // Chvátal: greedy ≤ H(m) · optimum, m the most rows one candidate reaches.
        let m = reference["max_set"].as_u64().unwrap();
        let h: f64 = (1..=m).map(|j| 1.0 / j as f64).sum();
        let g = greedy["summary"]["sites"].as_u64().unwrap();
        let greedy_sites = g;
        assert!(
            g >= lscp && g as f64 <= h * lscp as f64,
            "{label}: greedy {g}, optimum {lscp}, H = {h}"
        );
        let k_arg = k.to_string();
        let exact = args(&["--k", &k_arg, "--population-field", "pop", "--exact"]);
        assert_eq!(exact["method"]["proven_optimal"], true, "{label}");
        let served = exact["summary"]["population_served_after"]
            .as_f64()
            .unwrap();
        assert!(
            (served - mclp).abs() < 1e-6,
            "{label}: MCLP {served} vs spopt {mclp}"
        );
        let greedy = args(&["--k", &k_arg, "--population-field", "pop"]);
        let g = greedy["summary"]["population_served_after"]
            .as_f64()
            .unwrap();
        // Nemhauser–Wolsey–Fisher: greedy ≥ (1 − (1 − 1/k)^k) · optimum.
        let bound = 1.0 - (1.0 - 1.0 / f64::from(k)).powi(k);
        assert!(
            g <= mclp + 1e-6 && g >= bound * mclp,
            "{label}: greedy {g}, optimum {mclp}"
        );
        eprintln!("{label}: LSCP {lscp} (greedy {greedy_sites}), MCLP {mclp} (greedy {g})");
    }
}
