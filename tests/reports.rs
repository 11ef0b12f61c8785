//! `--html`, `--markdown`, `--svg`, `--png` on the embedded demo data.

use crate::common;

use common::{chargecov, check_json, have_cjk_font, path_str, warm_pixels};
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
    for forbidden in ["<link", " src=", "@import"] {
        assert!(!html.contains(forbidden), "found {forbidden}");
    }
    // The only url() is the map's own hatch pattern.
    assert_eq!(
        html.matches("url(").count(),
        html.matches("url(#hatch)").count()
    );
    assert_eq!(html.matches("<path class=\"a m0c").count(), 1031);
    let outlined = html
        .split("<g id=\"uncovered\"")
        .nth(1)
        .and_then(|s| s.split("</g>").next())
        .unwrap();
    assert_eq!(outlined.matches("<path").count(), 6, "uncovered outlined");
    assert!(html.contains("Claim fails: 6 of 1031 areas uncovered"));
    assert!(html.contains("Synthetic demo data"));
    assert!(html.contains("id=\"histogram\""));
    assert_eq!(
        html.matches("<tr data-i=").count(),
        6,
        "one row per uncovered area, each naming its area for the map"
    );
    // The facts behind the panel and the search: one record per area, in
    // the report's order, the same as the JSON report's.
    let data: serde_json::Value = serde_json::from_str(
        html.split("<script type=\"application/json\" id=\"map-data\">")
            .nth(1)
            .and_then(|s| s.split("</script>").next())
            .unwrap(),
    )
    .unwrap();
    let (_, report) = check_json(&["--min-power-kw", "480"]);
    let areas = data["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 1031);
    for (page, json) in areas.iter().zip(report["areas"].as_array().unwrap()) {
        assert_eq!(page["id"], json["id"]);
        assert_eq!(page["name"], json["name"]);
        assert_eq!(page["covered"], json["covered"]);
        assert_eq!(page["inside"], json["stations_inside"]);
    }
    // Without --radius-km: covered and distance only.
    let keys: Vec<&str> = data["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["covered", "distance"]);
    assert_eq!(html.matches("<option value=").count(), 2);
}

/// The legend labels of the covered metric, derived from the report's
/// distances by the classes' definitions (≤ 2, 2–5, 5–10, > 10 km from the
/// centre when covered; ≤ 5, 5–20, > 20 km from the area when not).
fn expected_covered_labels(report: &serde_json::Value) -> std::collections::BTreeSet<String> {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let km = |k: &str| a[k].as_f64().map(|m| m / 1000.0);
            if a["covered"].as_bool().unwrap() {
                match km("nearest_distance_m").unwrap() {
                    d if d <= 2.0 => "covered, nearest ≤ 2 km",
                    d if d <= 5.0 => "covered, nearest 2–5 km",
                    d if d <= 10.0 => "covered, nearest 5–10 km",
                    _ => "covered, nearest > 10 km",
                }
            } else {
                match km("boundary_distance_m") {
                    Some(d) if d <= 5.0 => "uncovered, away ≤ 5 km",
                    Some(d) if d <= 20.0 => "uncovered, away 5–20 km",
                    Some(_) => "uncovered, away > 20 km",
                    None => "no qualifying station at all",
                }
            }
            .to_owned()
        })
        .collect()
}

const ALL_COVERED_LABELS: [&str; 8] = [
    "covered, nearest ≤ 2 km",
    "covered, nearest 2–5 km",
    "covered, nearest 5–10 km",
    "covered, nearest > 10 km",
    "uncovered, away ≤ 5 km",
    "uncovered, away 5–20 km",
    "uncovered, away > 20 km",
    "no qualifying station at all",
];

#[test]
fn svg_and_png_show_the_map() {
    let dir = run_demo(&[]);
    let svg = std::fs::read_to_string(dir.path().join("map.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    // Title with the verdict, subtitle with the rule and the data, the
    // furniture of a printed map.
    assert!(svg.contains("Claim fails: 6 of 1031 areas uncovered"));
    assert!(svg.contains("every area has a station of at least 480 kW"));
    assert!(svg.contains("data/areas.geojson (embedded) (1031"));
    for id in ["scale-bar", "north-arrow", "attribution", "labels"] {
        assert!(svg.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    // The legend lists exactly the classes that occur.
    let (_, report) = check_json(&["--min-power-kw", "480"]);
    let expected = expected_covered_labels(&report);
    for label in ALL_COVERED_LABELS {
        assert_eq!(
            svg.contains(&format!(">{}<", label.replace('>', "&gt;"))),
            expected.contains(label),
            "{label}"
        );
    }
    assert!(
        expected.len() < ALL_COVERED_LABELS.len(),
        "a class is absent"
    );
    // The six uncovered townships are named on the map.
    for a in report["summary"]["uncovered"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        assert!(svg.contains(&format!(">{name}</text>")), "{name}");
    }
    let png = std::fs::read(dir.path().join("map.png")).unwrap();
    let pixmap = Pixmap::decode_png(&png).unwrap();
    assert!(pixmap.width() >= 1000 && pixmap.height() >= 600);
    let pixels = pixmap.pixels();
    let white = pixels
        .iter()
        .filter(|p| p.red() > 250 && p.green() > 250 && p.blue() > 250)
        .count();
    let warm = warm_pixels(pixels);
    let share = |n: usize| n as f64 / pixels.len() as f64;
    assert!(
        share(white) < 0.8,
        "mostly blank: {:.2} white",
        share(white)
    );
    assert!(
        share(warm) > 0.2,
        "the areas' fills cover the map: {:.2}",
        share(warm)
    );
}

#[test]
fn the_map_metric_recolours_the_printed_map() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let render = |metric: &str, png: &str| {
        chargecov()
            .args(["check", "--min-power-kw", "480", "-q", "--radius-km", "2,5"])
            .args(["--map-metric", metric, "--png", path_str(&p(png))])
            .args(["--svg", path_str(&p(&format!("{png}.svg")))])
            .output()
            .unwrap()
    };
    assert_eq!(render("covered", "covered.png").status.code(), Some(1));
    assert_eq!(render("share:5", "share.png").status.code(), Some(1));
    let covered = std::fs::read(p("covered.png")).unwrap();
    let share = std::fs::read(p("share.png")).unwrap();
    assert_ne!(covered, share, "the metric changes the picture");
    let svg = std::fs::read_to_string(p("share.png.svg")).unwrap();
    assert!(svg.contains("Areas: surface within 5 km"));
    // Gaps are not asked for: no gap layer; worst points are computed.
    assert!(!svg.contains("id=\"gaps\"") && svg.contains("id=\"worst\""));

    // A metric that is not offered stops before any work, naming the choices.
    for (metric, says) in [
        ("share:7", "needs 7 among --radius-km"),
        ("population", "is not a metric"),
    ] {
        let out = render(metric, "bad.png");
        assert_eq!(out.status.code(), Some(2), "{metric}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(says) && err.contains("share:2, share:5, worst"),
            "{err}"
        );
        assert!(!p("bad.png").exists());
    }
    let out = chargecov()
        .args([
            "check",
            "-q",
            "--map-metric",
            "worst",
            "--png",
            path_str(&p("w.png")),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --radius-km"));
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

/// Grey to black pixels (the labels' antialiased fill) in a rectangle of
/// a rendered PNG: not the white halo, not the area's red.
fn black(pixmap: &Pixmap, x: i64, y: i64, w: i64, h: i64) -> Vec<bool> {
    let mut mask = Vec::new();
    for yy in y..y + h {
        for xx in x..x + w {
            let p = pixmap.pixel(xx as u32, yy as u32).expect("inside the map");
            mask.push(p.red().max(p.green()).max(p.blue()) < 170);
        }
    }
    mask
}

#[test]
fn cjk_labels_render_in_the_png() {
    if !have_cjk_font("cjk_labels_render_in_the_png") {
        return;
    }
    // One uncovered square named 巫溪县; its only station 60 km east of it,
    // outside the drawing. The PNG names it at its representative point.
    let dir = tempfile::tempdir().unwrap();
    let areas = dir.path().join("areas.geojson");
    let stations = dir.path().join("stations.geojson");
    std::fs::write(
        &areas,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"A1","name":"巫溪县"},"geometry":{"type":"Polygon","coordinates":[[[109.0,31.0],[109.5,31.0],[109.5,31.5],[109.0,31.5],[109.0,31.0]]]}}]}"#,
    )
    .unwrap();
    std::fs::write(
        &stations,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"S1","power_kw":500},"geometry":{"type":"Point","coordinates":[110.1,31.2]}}]}"#,
    )
    .unwrap();
    let svg_path = dir.path().join("map.svg");
    let png_path = dir.path().join("map.png");
    let out = chargecov()
        .args([
            "check",
            "-q",
            "--areas",
            path_str(&areas),
            "--stations",
            path_str(&stations),
        ])
        .args(["--svg", path_str(&svg_path), "--png", path_str(&png_path)])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    // Where the label is: its anchor in the map group, shifted down by the
    // title band (the group's translate).
    let shift: f64 = svg
        .split("<g transform=\"translate(0 ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap()
        .parse()
        .unwrap();
    let label = svg
        .split("<g id=\"labels\"")
        .nth(1)
        .and_then(|s| s.split("</text>").next())
        .unwrap();
    assert!(label.ends_with(">巫溪县"), "{label}");
    let attr = |name: &str| -> f64 {
        label
            .split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap()
    };
    let (x, y) = (attr("x"), attr("y") + shift);
    let size = 12.0;
    let pixmap = Pixmap::decode_png(&std::fs::read(&png_path).unwrap()).unwrap();
    // Three characters of 1 em centred on x, from an em above the
    // baseline to a fifth below.
    let cells: Vec<Vec<bool>> = (0..3)
        .map(|k| {
            black(
                &pixmap,
                (x - 1.5 * size + k as f64 * size).round() as i64,
                (y - size).round() as i64,
                size as i64,
                (1.2 * size) as i64,
            )
        })
        .collect();
    // A CJK glyph is a full em wide; DejaVu's missing-glyph box is about
    // 0.6 em, so three boxes span well under the 3 em of the name.
    let span = black(
        &pixmap,
        (x - 2.0 * size) as i64,
        (y - size) as i64,
        (4.0 * size) as i64,
        (1.2 * size) as i64,
    );
    let columns: Vec<usize> = (0..(4.0 * size) as usize)
        .filter(|&c| (0..(1.2 * size) as usize).any(|r| span[r * (4.0 * size) as usize + c]))
        .collect();
    let inked = columns.last().unwrap_or(&0) - columns.first().unwrap_or(&0) + 1;
    assert!(
        inked as f64 > 2.6 * size,
        "the name's ink spans {inked} px, not three ems ({} px): missing-glyph boxes? (install fonts-noto-cjk)",
        3.0 * size
    );
    for (k, c) in cells.iter().enumerate() {
        let dark = c.iter().filter(|d| **d).count();
        assert!(
            dark > 12,
            "character {k} of 巫溪县 has no ink ({dark} px): is a CJK font installed (fonts-noto-cjk)?"
        );
    }
    for a in 0..3 {
        for b in a + 1..3 {
            let differ = cells[a]
                .iter()
                .zip(&cells[b])
                .filter(|(p, q)| p != q)
                .count();
            assert!(
                differ > 12,
                "characters {a} and {b} look the same ({differ} px differ): missing-glyph boxes"
            );
        }
    }
}
