//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

pub fn chargecov() -> Command {
    let mut cmd = Command::cargo_bin("chargecov").expect("binary builds");
    cmd.current_dir(root());
    cmd
}

/// Runs `check` with `--format json` and returns (exit code, report).
pub fn check_json(args: &[&str]) -> (i32, Value) {
    let out = chargecov()
        .arg("check")
        .args(args)
        .args(["--format", "json", "--quiet"])
        .output()
        .expect("runs");
    let code = out.status.code().expect("exit code");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

/// The report entry of the area with this id.
pub fn area<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["areas"]
        .as_array()
        .expect("areas array")
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no area {id}"))
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Pixels of the map's area fills: the yellows, oranges and reds of the
/// palette (red well above blue), not white, grey or the blue stations.
pub fn warm_pixels(pixels: &[resvg::tiny_skia::PremultipliedColorU8]) -> usize {
    pixels
        .iter()
        .filter(|p| {
            let (r, g, b) = (
                i32::from(p.red()),
                i32::from(p.green()),
                i32::from(p.blue()),
            );
            r > b + 40 && r >= g
        })
        .count()
}

/// A path under `../shared/data`, or `None` after saying loudly that the
/// test skips; under CI (`CI` set) a missing file fails the test instead.
pub fn shared_data(test: &str, rel: &str) -> Option<PathBuf> {
    let path = root().join("../shared/data").join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test} cannot run under CI: {} is absent", path.display());
    }
    eprintln!("SKIPPED {test}: {} is absent", path.display());
    None
}

/// Runs `check --min-power-kw 100 --format json -q` on two files (plus
/// `extra`) and returns (exit code, report or null, stderr).
pub fn check_files(areas: &Path, stations: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = chargecov()
        .args([
            "check",
            "--areas",
            path_str(areas),
            "--stations",
            path_str(stations),
        ])
        .args(["--min-power-kw", "100", "--format", "json", "-q"])
        .args(extra)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().expect("exit code"), report, stderr)
}

/// Is the command-line tool `tool` (a reference, e.g. GDAL's ogrinfo)
/// installed? When not, the test skips loudly — or fails under CI, which
/// installs it.
pub fn have_tool(test: &str, tool: &str, package: &str) -> bool {
    if std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok()
    {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test} cannot run under CI: {tool} is not installed (apt-get install {package})");
    }
    eprintln!("SKIPPED {test}: {tool} is not installed (apt-get install {package})");
    false
}

/// Does `python3` import `modules` (comma-separated, e.g. "pyproj,
/// shapely")? When not, the test skips loudly — or fails under CI, which
/// installs them.
pub fn have_python(test: &str, modules: &str) -> bool {
    let probe = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output();
    if probe.is_ok_and(|o| o.status.success()) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: python3 with {modules} is required under CI");
    }
    eprintln!("SKIPPED {test}: python3 with {modules} is missing");
    false
}

/// Is a font with Chinese glyphs installed (fontconfig's `fc-list
/// :lang=zh`)? When not, a test of CJK rendering skips loudly — or fails
/// under CI, which installs fonts-noto-cjk.
pub fn have_cjk_font(test: &str) -> bool {
    let listed = std::process::Command::new("fc-list")
        .args([":lang=zh", "file"])
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false);
    if listed {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test} cannot run under CI: no CJK font (apt-get install fonts-noto-cjk)");
    }
    eprintln!("SKIPPED {test}: no CJK font (apt-get install fonts-noto-cjk)");
    false
}
