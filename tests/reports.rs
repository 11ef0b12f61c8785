//! `--html`, `--markdown`, `--svg`, `--png` on the embedded demo data.

mod common;

use common::{chargecov, green_pixels, path_str};
use resvg::tiny_skia::Pixmap;

fn run_demo(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let out = chargecov()
        .args(["check", "--min-power-kw", "480", "-q"])
        .args(["--html", path_str(&p("report.html"))])
        .args(["--markdown", path_str(&p("summary.md"))])
        .args(["--svg", path_str(&p("map.svg"))])
        .args(["--png", path_str(&p("map.png"))])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn markdown_summary_snapshot() {
    let dir = run_demo(&[]);
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    insta::assert_snapshot!(md);
}

#[test]
fn markdown_truncates_long_lists() {
    // Every area needs a 600 kW station inside: most fail.
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("s.md");
    chargecov()
        .args([
            "check",
            "--min-power-kw",
            "600",
            "-q",
            "--markdown",
            path_str(&md),
        ])
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&md).unwrap();
    let rows = text.lines().filter(|l| l.starts_with("| 50")).count();
    assert_eq!(rows, 20, "the uncovered list stops at 20");
    assert!(text.contains("more groups with uncovered areas"));
    let more = text
        .lines()
        .find(|l| l.starts_with("…and ") && l.ends_with(" more."))
        .unwrap();
    let n: usize = more.split(' ').nth(1).unwrap().parse().unwrap();
    let uncovered: usize = text
        .split("**Uncovered areas** (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(n + 20, uncovered);
}

#[test]
fn html_is_self_contained_and_complete() {
    let dir = run_demo(&[]);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.len() < 5_000_000, "{} bytes", html.len());
    // No network: the only URL is the SVG namespace, which is a name.
    let urls: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..i + 30])
        .collect();
    assert!(
        urls.iter()
            .all(|u| u.starts_with("http://www.w3.org/2000/svg")),
        "{urls:?}"
    );
    for forbidden in ["<link", " src=", "@import", "url("] {
        assert!(!html.contains(forbidden), "found {forbidden}");
    }
    assert_eq!(html.matches("<path class=\"area").count(), 1031);
    assert_eq!(html.matches("<path class=\"area uncovered\"").count(), 6);
    assert!(html.contains("Claim fails: 6 of 1031 areas uncovered"));
    assert!(html.contains("Synthetic demo data"));
    assert!(html.contains("id=\"histogram\""));
    assert_eq!(
        html.matches("<tr><td>5").count(),
        6,
        "one row per uncovered area"
    );
    // Each area's hover title names it and its facts.
    assert!(html.contains("NOT covered; 0 qualifying of"));
}

#[test]
fn svg_and_png_show_the_map() {
    let dir = run_demo(&[]);
    let svg = std::fs::read_to_string(dir.path().join("map.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("id=\"legend\"") && svg.contains("≥ 480 kW"));
    let png = std::fs::read(dir.path().join("map.png")).unwrap();
    let pixmap = Pixmap::decode_png(&png).unwrap();
    assert!(pixmap.width() >= 1000 && pixmap.height() >= 600);
    let pixels = pixmap.pixels();
    let white = pixels
        .iter()
        .filter(|p| p.red() > 250 && p.green() > 250 && p.blue() > 250)
        .count();
    let greens = green_pixels(pixels);
    let share = |n: usize| n as f64 / pixels.len() as f64;
    assert!(
        share(white) < 0.8,
        "mostly blank: {:.2} white",
        share(white)
    );
    assert!(
        share(greens) > 0.2,
        "covered areas are green: {:.2}",
        share(greens)
    );
}

#[test]
fn html_shows_the_coverage_curve_when_computed() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    chargecov()
        .args(["check", "--areas", "fixtures/basic/areas.geojson"])
        .args(["--stations", "fixtures/basic/stations.geojson", "-q"])
        .args(["--radius-km", "10", "--html", path_str(&html)])
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("id=\"curve\""));
    assert_eq!(
        text.matches("<polyline").count(),
        1,
        "no population: one line"
    );
    let without = dir.path().join("plain.html");
    chargecov()
        .args(["check", "--areas", "fixtures/basic/areas.geojson"])
        .args(["--stations", "fixtures/basic/stations.geojson", "-q"])
        .args(["--html", path_str(&without)])
        .output()
        .unwrap();
    assert!(
        !std::fs::read_to_string(&without)
            .unwrap()
            .contains("id=\"curve\"")
    );
}
