//! The CI examples in examples/ci run as their workflows run them: the
//! gate script on the demo data, with the binary under test.

use crate::common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::{chargecov, path_str, root};

/// Runs the gate as the workflows do (`bash examples/ci/coverage-gate.sh
/// AREAS NEW OLD`) in `dir`: (exit code, stdout).
fn gate(dir: &Path, areas: &Path, new: &Path, old: &Path) -> (i32, String) {
    let out = Command::new("bash")
        .arg(root().join("examples/ci/coverage-gate.sh"))
        .args([path_str(areas), path_str(new), path_str(old)])
        .current_dir(dir)
        .env("CHARGECOV", assert_cmd::cargo::cargo_bin("chargecov"))
        .env("FORMAT", "github")
        .env("MIN_POWER_KW", "480")
        .env("OUT", "out")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The stations without the features `keep` refuses.
fn filtered(from: &Path, to: &Path, keep: impl Fn(usize, &Value) -> bool) {
    let mut fc: Value = serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
    let features: Vec<Value> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(i, f)| keep(*i, f))
        .map(|(_, f)| f.clone())
        .collect();
    fc["features"] = Value::Array(features);
    std::fs::write(to, serde_json::to_vec(&fc).unwrap()).unwrap();
}

#[test]
fn workflows_run_the_gate_script() {
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root().join("examples/ci").join(file)).unwrap();
        assert!(
            text.contains("bash examples/ci/coverage-gate.sh data/areas.geojson data/stations.geojson previous.geojson"),
            "{file}"
        );
        assert!(text.contains("cargo install --locked --git"), "{file}");
        assert!(
            text.contains("chargecov-out"),
            "{file}: the reports are kept"
        );
    }
}

#[test]
fn the_gate_passes_a_clean_snapshot_and_stops_a_loss_or_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    chargecov()
        .args(["generate", "--out", path_str(&demo), "-q"])
        .assert()
        .success();
    let areas = demo.join("areas.geojson");
    let raw = demo.join("stations.geojson");
    // The demo's stations carry deliberate flaws (README): the features
    // validate lists as errors (repeated ids) are dropped for a clean
    // snapshot.
    let out = chargecov()
        .args(["validate", path_str(&raw), "--format", "json", "-q"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad: Vec<usize> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == "error")
        .flat_map(|c| c["listed"].as_array().unwrap().iter())
        .map(|o| o["index"].as_u64().unwrap() as usize)
        .collect();
    assert!(!bad.is_empty());
    let clean = dir.path().join("clean.geojson");
    filtered(&raw, &clean, |i, _| !bad.contains(&i));

    // The same snapshot twice: valid, nothing lost; the claim fails (6
    // townships) but that alone does not stop the gate.
    let (code, out) = gate(dir.path(), &areas, &clean, &clean);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("::notice title=chargecov validate::valid"),
        "{out}"
    );
    assert!(
        out.contains("::notice title=chargecov check::claim fails"),
        "{out}"
    );
    assert!(
        out.contains("::notice title=chargecov diff::claim failed → fails: 0 areas lost"),
        "{out}"
    );
    for report in ["report.html", "report.json", "diff.json"] {
        assert!(dir.path().join("out").join(report).is_file(), "{report}");
    }
    // Every station of 480 kW or more gone: areas lose coverage, exit 1,
    // the losses annotated (at most ten errors from the diff).
    let weak = dir.path().join("weak.geojson");
    filtered(&clean, &weak, |_, f| {
        !f["properties"]["power_kw"]
            .to_string()
            .trim_matches('"')
            .trim_end_matches("kW")
            .parse::<f64>()
            .is_ok_and(|kw| kw >= 480.0)
    });
    let (code, out) = gate(dir.path(), &areas, &weak, &clean);
    assert_eq!(code, 1, "{out}");
    let lost: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("title=chargecov diff%3A coverage lost"))
        .collect();
    assert_eq!(lost.len(), 10, "{out}");
    assert!(lost[0].contains(&format!("file={},line=", path_str(&areas))));
    // The raw demo snapshot: validate's errors stop the gate.
    let (code, out) = gate(dir.path(), &areas, &raw, &clean);
    assert_eq!(code, 1);
    assert!(out.contains("::error file="), "{out}");
}
