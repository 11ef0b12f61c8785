//! Files other tools wrote (`../shared/data/peers-formats`): what GDAL
//! reads, chargecov reads or refuses naming the real cause.

use crate::common;

use common::{chargecov, check_files, have_tool, path_str, shared_data};
use std::process::Command as StdCommand;

/// The geometry type GDAL names for a file's layer, spaces removed
/// ("Multi Surface" → "MultiSurface"), as the reference.
fn gdal_geometry_type(path: &std::path::Path) -> String {
    let out = StdCommand::new("ogrinfo")
        .args(["-so", "-al", path_str(path)])
        .output()
        .expect("ogrinfo runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("Geometry: "))
        .unwrap_or_else(|| panic!("ogrinfo names no geometry type: {text}"))
        .replace(' ', "")
}

/// Curves, surfaces and triangles (GeoPackage WKB with ISO codes 9, 10,
/// 12; FlatGeobuf type 17) are refused per feature under the type GDAL
/// names, with advice on linearising them, never taken for a simple type
/// or given an unrelated hint.
#[test]
fn curved_geometries_are_refused_under_their_own_names() {
    if !have_tool("peer_files", "ogrinfo", "gdal-bin") {
        return;
    }
    for (file, layer) in [
        ("pyogrio/curvepolygon.gpkg", "--areas"),
        ("pyogrio/multisurface.gpkg", "--areas"),
        ("flatgeobuf/triangle.fgb", "--areas"),
        ("pyogrio/curve.gpkg", "--stations"),
    ] {
        let Some(path) = shared_data(
            "curved_geometries_are_refused_under_their_own_names",
            &format!("peers-formats/files/{file}"),
        ) else {
            return;
        };
        let expected = gdal_geometry_type(&path);
        let other = if layer == "--areas" {
            ["--stations", "data/stations.geojson"]
        } else {
            ["--areas", "data/areas.geojson"]
        };
        let out = chargecov()
            .args(["check", "-q", layer, path_str(&path)])
            .args(other)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(&format!("geometry is a {expected};")),
            "{file}: GDAL says {expected}: {err}"
        );
        assert!(!err.contains("RFC 7946"), "{file}: {err}");
        if layer == "--areas" {
            assert!(err.contains("CONVERT_TO_LINEAR"), "{file}: {err}");
        }
    }
}

/// ArcGIS writes a `.cpg` of `ANSI 1250` for Central European text; read
/// as Windows-1250, shapefile-js's Czech name is the nature reserve
/// "Hněvošický háj": its bytes `Hn EC vo 9A ick FD h E1 j` are ě, š, ý, á
/// in the Windows-1250 table (and would be ì, š, ý, á in Windows-1252).
#[test]
fn an_ansi_code_page_names_the_encoding() {
    let Some(path) = shared_data(
        "an_ansi_code_page_names_the_encoding",
        "peers-formats/files/shapefile-js/codepage.shp",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.geojson");
    let out = chargecov()
        .args(["check", "-q", "--stations", path_str(&path)])
        .args([
            "--station-id-field",
            "field",
            "--areas",
            "data/areas.geojson",
        ])
        .args(["--sites", path_str(&sites)])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&sites).unwrap()).unwrap();
    assert_eq!(v["features"][1]["properties"]["id"], "Hněvošický háj");
}

/// Natural Earth's countries (GeoPandas' sample) write Russia's eastern
/// edge as longitude 180.00000000000006: that is 180, with a warning
/// counted in the report, not a refusal. GDAL's feature count and
/// Russia's place (ogrinfo, at test time) are the reference; the one
/// polygon around the south pole is still refused, and only it.
#[test]
fn natural_earth_float_noise_is_the_limit() {
    let test = "natural_earth_float_noise_is_the_limit";
    if !have_tool("peer_files", "ogrinfo", "gdal-bin") {
        return;
    }
    let Some(path) = shared_data(test, "peers-formats/files/pyogrio/naturalearth_lowres.shp")
    else {
        return;
    };
    let info = StdCommand::new("ogrinfo")
        .args(["-so", "-al", path_str(&path)])
        .output()
        .unwrap();
    let count: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let russia = StdCommand::new("ogrinfo")
        .args(["-al", "-q", "-where", "name = 'Russia'", path_str(&path)])
        .output()
        .unwrap();
    let russia: usize = String::from_utf8_lossy(&russia.stdout)
        .lines()
        .find_map(|l| l.trim().strip_prefix("OGRFeature(naturalearth_lowres):"))
        .unwrap()
        .trim_end_matches(':')
        .parse()
        .unwrap();
    let (_, report, stderr) = check_files(
        &path,
        std::path::Path::new("data/stations.geojson"),
        &["--skip-invalid"],
    );
    assert!(report.is_object(), "{stderr}");
    let areas = &report["inputs"]["areas"];
    assert_eq!(areas["features_read"], count);
    assert_eq!(areas["features_used"], count - 1);
    let warnings = &report["warnings"];
    assert_eq!(warnings["by_code"]["antimeridian"], 1);
    let snapped: Vec<&serde_json::Value> = warnings["listed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "coordinate-snapped")
        .collect();
    assert_eq!(snapped.len(), 1, "{warnings}");
    assert_eq!(snapped[0]["index"], russia);
    assert_eq!(warnings["by_code"]["coordinate-snapped"], 1);
}
