//! The HTML report in a real browser: headless Chromium renders the demo
//! report to a dumped DOM and to a screenshot. The DOM must hold the map
//! with one shape per area and the verdict; the screenshot must not be
//! blank.
//!
//! Skips loudly when Chromium is not installed, unless
//! CHARGECOV_REQUIRE_BROWSER is set (CI sets it and installs Debian's
//! chromium), in which case a missing browser fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::{chargecov, green_pixels, path_str};
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

#[test]
fn the_demo_report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var_os("CHARGECOV_REQUIRE_BROWSER").is_some() {
            panic!("browser test cannot run: chromium is not installed (apt-get install chromium)");
        }
        eprintln!("SKIPPED browser: chromium is not installed (apt-get install chromium)");
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
        dom.matches("class=\"area").count(),
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
    // the demo's first 2,000 px (map, histogram, tables) in about 19 %.
    assert!(
        different as f64 > 0.1 * pixels.len() as f64,
        "the screenshot is nearly blank ({different} of {} pixels differ)",
        pixels.len()
    );
    let greens = green_pixels(pixels);
    assert!(
        greens > 10_000,
        "the map's green areas are not on screen ({greens} px)"
    );
}
