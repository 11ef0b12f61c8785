//! The HTML report in a real browser: headless Chromium renders the demo
//! report to a dumped DOM and to a screenshot. The DOM must hold the map
//! with one shape per area and the verdict; the screenshot must not be
//! blank. Then a page script (`tests/browser/selftest.js`, injected into a
//! copy of the report) drives the map as a person would — wheel, keys,
//! buttons, a click where an area is drawn, the metric selector, a CJK
//! search, a table row, a layer checkbox — and writes what it saw into the
//! DOM; a screenshot of the same page checks the CJK name's pixels.
//!
//! Skips loudly when Chromium is not installed, unless
//! CHARGECOV_REQUIRE_BROWSER is set (CI sets it and installs Debian's
//! chromium), in which case a missing browser fails the test.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::{chargecov, check_json, have_cjk_font, path_str, warm_pixels};
use resvg::tiny_skia::Pixmap;

fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("CHROMIUM").unwrap_or_default(),
        "chromium".into(),
        "chromium-browser".into(),
        "google-chrome".into(),
    ];
    candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        .find(|c| {
            StdCommand::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(PathBuf::from)
}

/// Flags for a quiet headless run on a closed network.
fn headless(browser: &Path, profile: &Path) -> StdCommand {
    let mut cmd = StdCommand::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// Chromium, or `None` after saying loudly that the test skips; a missing
/// browser fails under CI (`CHARGECOV_REQUIRE_BROWSER`).
fn browser_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        if std::env::var_os("CHARGECOV_REQUIRE_BROWSER").is_some() {
            panic!("browser test cannot run: chromium is not installed (apt-get install chromium)");
        }
        eprintln!("SKIPPED browser: chromium is not installed (apt-get install chromium)");
    }
    found
}

#[test]
fn the_demo_report_renders_in_chromium() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let out = chargecov()
        .args([
            "check",
            "--min-power-kw",
            "480",
            "-q",
            "--html",
            path_str(&html),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let url = format!("file://{}", html.display());

    let dom = headless(&browser, &dir.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("<svg"), "no map in the DOM");
    // The browser re-serialises the DOM: count the area shapes it parsed.
    assert_eq!(
        dom.matches("class=\"a m0c").count(),
        1031,
        "one shape per area"
    );
    assert!(dom.contains("Claim fails: 6 of 1031 areas uncovered"));

    let shot = dir.path().join("shot.png");
    let status = headless(&browser, &dir.path().join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pixmap = Pixmap::load_png(&shot).expect("a PNG screenshot");
    assert_eq!((pixmap.width(), pixmap.height()), (1280, 2000));
    let pixels = pixmap.pixels();
    let first = pixels[0];
    let different = pixels.iter().filter(|p| **p != first).count();
    // A blank or unstyled page differs in well under 5 % of its pixels;
    // the demo's first 2,000 px (inputs, map, legend) in about half.
    assert!(
        different as f64 > 0.1 * pixels.len() as f64,
        "the screenshot is nearly blank ({different} of {} pixels differ)",
        pixels.len()
    );
    let warm = warm_pixels(pixels);
    assert!(
        warm > 100_000,
        "the map's areas are not on screen ({warm} px)"
    );
}

/// ColorBrewer YlOrRd (8 classes) as `getComputedStyle` writes it: the
/// palette the map's classes are defined in (README, "The map").
fn ylorrd(k: usize) -> &'static str {
    [
        "rgb(255, 255, 204)",
        "rgb(255, 237, 160)",
        "rgb(254, 217, 118)",
        "rgb(254, 178, 76)",
        "rgb(253, 141, 60)",
        "rgb(252, 78, 42)",
        "rgb(227, 26, 28)",
        "rgb(177, 0, 38)",
    ][k]
}

/// Dark pixels (text) in a rectangle of the screenshot.
fn ink(pixmap: &Pixmap, x: u32, y: u32, w: u32, h: u32) -> Vec<bool> {
    let mut mask = Vec::with_capacity((w * h) as usize);
    for yy in y..y + h {
        for xx in x..x + w {
            let p = pixmap.pixel(xx, yy).expect("inside the screenshot");
            mask.push(u32::from(p.red()) + u32::from(p.green()) + u32::from(p.blue()) < 3 * 110);
        }
    }
    mask
}

#[test]
fn the_map_answers_a_person_in_chromium() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let out = chargecov()
        .args([
            "check",
            "--min-power-kw",
            "480",
            "-q",
            "--html",
            path_str(&html),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The target: the first uncovered township (a CJK name), from the
    // JSON report of the same check.
    let (_, report) = check_json(&["--min-power-kw", "480"]);
    let target = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["covered"] == false)
        .unwrap();
    let (id, name) = (
        target["id"].as_str().unwrap(),
        target["name"].as_str().unwrap(),
    );
    assert!(
        name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{name}"
    );
    let page = std::fs::read_to_string(&html).unwrap().replace(
        "</body>",
        &format!(
            "<script type=\"application/json\" id=\"selftest-target\">{}</script><script>{}</script></body>",
            serde_json::json!({"id": id, "name": name, "metric": "distance"}),
            include_str!("browser/selftest.js")
        ),
    );
    let driven = dir.path().join("driven.html");
    std::fs::write(&driven, page).unwrap();
    let url = format!("file://{}", driven.display());
    let dom = headless(&browser, &dir.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    let seen: serde_json::Value = serde_json::from_str(
        // The last match: the script's own comment names the element too.
        &dom.rsplit("<pre id=\"selftest\">")
            .next()
            .and_then(|s| s.split("</pre>").next())
            .expect("the self-test wrote its results")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\""),
    )
    .unwrap();
    assert!(seen.get("error").is_none(), "{}", seen["error"]);

    // Zoom: the wheel towards the reader scales the viewport up; 0 resets,
    // + zooms by 1.5, the − button divides by 1.5.
    assert!(seen["initialTransform"].is_null());
    assert!(seen["wheelTransform"].as_str().unwrap().contains("scale("));
    assert!(
        seen["wheelZoom"].as_f64().unwrap() > 1.5,
        "{}",
        seen["wheelZoom"]
    );
    assert_eq!(seen["resetZoom"].as_f64(), Some(1.0));
    assert_eq!(seen["keyZoom"].as_f64(), Some(1.5));
    assert_eq!(seen["buttonZoom"].as_f64(), Some(1.0));

    // A click where the area is drawn opens its panel; × closes it.
    assert_eq!(seen["hitFound"], true, "the area is hit-testable");
    assert_eq!(seen["clickPanel"]["hidden"], false);
    assert_eq!(seen["clickPanel"]["id"], id);
    assert_eq!(seen["clickPanel"]["title"], name);
    let text = seen["clickPanel"]["text"].as_str().unwrap();
    assert!(text.contains("coveredNO"), "{text}");
    let boundary_km = target["boundary_distance_m"].as_f64().unwrap() / 1000.0;
    assert!(text.contains(&format!("{boundary_km:.2} km")), "{text}");
    assert_eq!(seen["closedPanel"]["hidden"], true);

    // The selector recolours: an uncovered area 5–20 km away is YlOrRd's
    // 7th class under "covered"; under "distance" its class follows its
    // centre's distance (≤ 2, 2–5, 5–10, 10–20, 20–50, > 50 km take the
    // palette's 1st, 2nd, 4th, 5th, 7th and 8th colours).
    assert_eq!(seen["metrics"], serde_json::json!(["covered", "distance"]));
    let away = boundary_km;
    let covered_class = if away <= 5.0 {
        5
    } else if away <= 20.0 {
        6
    } else {
        7
    };
    assert_eq!(seen["fillBefore"], ylorrd(covered_class));
    let centre_km = target["nearest_distance_m"].as_f64().unwrap() / 1000.0;
    let distance_class = [2.0, 5.0, 10.0, 20.0, 50.0]
        .iter()
        .position(|&b| centre_km <= b)
        .map_or(7, |k| [0, 1, 3, 4, 6][k]);
    assert_eq!(seen["fillAfter"], ylorrd(distance_class));
    assert_eq!(seen["metricShown"], "distance");
    let legend: Vec<&str> = seen["legendShown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(
        legend.contains(&"metric:distance") && !legend.contains(&"metric:covered"),
        "{legend:?}"
    );

    // Search finds the CJK name; Enter zooms to it and opens its panel.
    assert_eq!(seen["searchResults"], serde_json::json!([id]));
    assert_eq!(seen["searchPanel"]["id"], id);
    assert!(seen["searchZoom"].as_f64().unwrap() > 2.0);

    // A table row zooms to its area.
    assert_eq!(seen["rowPanel"]["id"], seen["rowId"]);
    assert!(seen["rowZoom"].as_f64().unwrap() > 2.0);
    assert_eq!(seen["stationsDisplay"], "none");

    if !have_cjk_font("the_map_answers_a_person_in_chromium (CJK pixels)") {
        return;
    }
    // The name's pixels: three CJK characters in the panel's title at
    // 48 px. With a CJK font each is a different glyph; without one they
    // are the same missing-glyph box (or nothing), narrower than an em.
    // The name must span its ems, and each cell hold ink and differ from
    // the others.
    let shot = dir.path().join("panel.png");
    let status = headless(&browser, &dir.path().join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(status.status.success());
    let pixmap = Pixmap::load_png(&shot).unwrap();
    let rect = &seen["titleRect"];
    let (x, y, w, h) = (
        rect["x"].as_f64().unwrap(),
        rect["y"].as_f64().unwrap(),
        rect["width"].as_f64().unwrap(),
        rect["height"].as_f64().unwrap(),
    );
    let chars = name.chars().count() as f64;
    assert!(
        (w / chars - 48.0).abs() < 4.0,
        "each character about 1 em wide: {w} px for {chars}"
    );
    let cell = (w / chars).floor() as u32;
    let cells: Vec<Vec<bool>> = (0..chars as u32)
        .map(|k| {
            ink(
                &pixmap,
                x.round() as u32 + k * cell,
                y.round() as u32,
                cell,
                h.round() as u32,
            )
        })
        .collect();
    for (k, c) in cells.iter().enumerate() {
        let dark = c.iter().filter(|d| **d).count();
        assert!(
            dark > 150,
            "character {k} of {name:?} has no ink ({dark} px)"
        );
    }
    for a in 0..cells.len() {
        for b in a + 1..cells.len() {
            let differ = cells[a]
                .iter()
                .zip(&cells[b])
                .filter(|(p, q)| p != q)
                .count();
            assert!(
                differ > 150,
                "characters {a} and {b} of {name:?} look the same ({differ} px differ): a missing CJK font draws boxes"
            );
        }
    }
}
