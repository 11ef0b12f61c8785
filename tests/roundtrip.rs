//! Every input format against the reference tools: real layers converted
//! by GDAL's `ogr2ogr` (GeoPackage, FlatGeobuf, Shapefile, GeoJSONSeq,
//! CSV with WKT) and by GeoPandas (GeoParquet; Debian's GDAL has no
//! Parquet driver) must give the answers of the original GeoJSON — the
//! same areas with the same ids and names, the same station counts
//! inside each, the same verdicts. And `generate --format` writes the same
//! data set in every format: a check on each gives the GeoJSON's report.
//!
//! The real layers (`../shared/data`): Germany's 401 districts with the
//! 9,690 registered chargers (WGS84; ids AGS, names GEN), Shenzhen's
//! city boundary with its 1,445 observed-power sites (GCJ-02), and
//! Chongqing's 38 districts (GCJ-02, Chinese names) with the embedded demo
//! stations. Under CI the data and the tools must be there.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::{chargecov, have_tool, path_str, shared_data};
use serde_json::Value;

/// A layer to convert: its path (GDAL syntax) and the ogr2ogr options
/// that read it.
struct Layer {
    gdal: String,
    open: Vec<&'static str>,
}

struct Case {
    name: &'static str,
    areas: Layer,
    stations: Layer,
    /// The original files, for the reference run.
    originals: (PathBuf, PathBuf),
    flags: Vec<&'static str>,
}

fn cases() -> Option<Vec<Case>> {
    let test = "roundtrip";
    let kreise = shared_data(test, "germany/kreise_vg5000_2021_wgs84.geojson.gz")?;
    let chargers = shared_data(test, "germany/stations_bnetza_2019-07-19.csv.gz")?;
    let boundary = shared_data(test, "shenzhen-charged/shenzhen_city_boundary.geojson")?;
    let sites = shared_data(test, "shenzhen-charged/sites_gcj02.geojson")?;
    let districts = shared_data(test, "chongqing/districts_gcj02.geojson")?;
    let demo = common::root().join("data/stations.geojson");
    let plain = |p: &Path| Layer {
        gdal: path_str(p).to_owned(),
        open: vec![],
    };
    Some(vec![
        Case {
            name: "germany",
            areas: Layer {
                gdal: format!("/vsigzip/{}", path_str(&kreise)),
                open: vec![],
            },
            stations: Layer {
                gdal: format!("/vsigzip/{}", path_str(&chargers)),
                open: vec![
                    "-oo",
                    "X_POSSIBLE_NAMES=lon",
                    "-oo",
                    "Y_POSSIBLE_NAMES=lat",
                    "-oo",
                    "AUTODETECT_TYPE=YES",
                    "-a_srs",
                    "EPSG:4326",
                ],
            },
            originals: (kreise.clone(), chargers.clone()),
            flags: vec![
                "--id-field",
                "AGS",
                "--name-field",
                "GEN",
                "--min-power-kw",
                "50",
            ],
        },
        Case {
            name: "shenzhen",
            areas: plain(&boundary),
            stations: plain(&sites),
            originals: (boundary.clone(), sites.clone()),
            flags: vec![
                "--stations-crs",
                "gcj02",
                "--power-field",
                "avg_power",
                "--min-power-kw",
                "30",
            ],
        },
        Case {
            name: "chongqing",
            areas: plain(&districts),
            stations: plain(&demo),
            originals: (districts.clone(), demo.clone()),
            flags: vec![
                "--areas-crs",
                "gcj02",
                "--id-field",
                "adcode",
                "--min-power-kw",
                "480",
            ],
        },
    ])
}

/// Runs check and returns the report.
fn check(areas: &Path, stations: &Path, flags: &[&str]) -> Value {
    let out = chargecov()
        .args(["check", "--areas", path_str(areas)])
        .args(["--stations", path_str(stations)])
        .args(flags)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{} {}: {}",
        areas.display(),
        stations.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The answers that must not depend on the format: per area (sorted by
/// id, then name — converters may reorder features) its id, name,
/// stations and qualifying stations inside, verdict; and the counts of
/// the summary. An id made up from the feature index (`#3`) is left out:
/// formats with feature ids (a GeoPackage's fid) supply a real one.
fn answers(report: &Value) -> (Vec<Vec<Value>>, Vec<Value>) {
    let mut areas: Vec<Vec<Value>> = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            [
                "id",
                "name",
                "stations_inside",
                "qualifying_inside",
                "covered",
            ]
            .iter()
            .map(|k| match &a[*k] {
                Value::String(id) if *k == "id" && id.starts_with('#') => Value::Null,
                v => v.clone(),
            })
            .collect()
        })
        .collect();
    areas.sort_by_key(|a| format!("{}|{}", a[0], a[1]));
    let s = &report["summary"];
    let summary = [
        "areas_total",
        "areas_covered",
        "areas_uncovered",
        "stations_total",
        "stations_qualifying",
        "stations_outside",
    ]
    .iter()
    .map(|k| s[*k].clone())
    .collect();
    (areas, summary)
}

/// Converts `layer` with ogr2ogr to `driver` at `out`.
fn ogr2ogr(layer: &Layer, driver: &str, out: &Path, extra: &[&str]) {
    let status = StdCommand::new("ogr2ogr")
        .args(["-f", driver])
        .args(extra)
        .arg(out)
        .arg(&layer.gdal)
        .args(&layer.open)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "ogr2ogr -f {driver} {}: {}",
        layer.gdal,
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn layers_converted_by_gdal_give_the_geojson_answers() {
    let Some(cases) = cases() else { return };
    if !have_tool("roundtrip", "ogr2ogr", "gdal-bin") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // (driver, extension, layer creation options)
    let formats: [(&str, &str, &[&str]); 5] = [
        ("GPKG", "gpkg", &[]),
        ("FlatGeobuf", "fgb", &[]),
        ("ESRI Shapefile", "shp", &["-lco", "ENCODING=UTF-8"]),
        ("GeoJSONSeq", "geojsonl", &[]),
        ("CSV", "csv", &["-lco", "GEOMETRY=AS_WKT"]),
    ];
    for case in &cases {
        let reference = answers(&check(&case.originals.0, &case.originals.1, &case.flags));
        assert!(!reference.0.is_empty());
        for (driver, ext, options) in formats {
            let areas = dir.path().join(format!("{}-areas.{ext}", case.name));
            let stations = dir.path().join(format!("{}-stations.{ext}", case.name));
            ogr2ogr(&case.areas, driver, &areas, options);
            ogr2ogr(&case.stations, driver, &stations, options);
            let report = check(&areas, &stations, &case.flags);
            let got = answers(&report);
            assert_eq!(got.1, reference.1, "{} as {driver}: summary", case.name);
            assert_eq!(got.0.len(), reference.0.len(), "{} as {driver}", case.name);
            for (g, r) in got.0.iter().zip(&reference.0) {
                let mut g = g.clone();
                if r[0].is_null() {
                    // No id in the original; the converted file may have one.
                    g[0] = Value::Null;
                }
                assert_eq!(&g, r, "{} as {driver}", case.name);
            }
        }
    }
}

#[cfg(feature = "parquet")]
#[test]
fn layers_written_by_geopandas_as_geoparquet_give_the_geojson_answers() {
    let Some(cases) = cases() else { return };
    if !have_python_module("geopandas") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for case in &cases {
        let reference = answers(&check(&case.originals.0, &case.originals.1, &case.flags));
        let areas = dir.path().join(format!("{}-areas.parquet", case.name));
        let stations = dir.path().join(format!("{}-stations.parquet", case.name));
        // GeoPandas reads the originals (the German CSV as a table with
        // points from lon/lat) and writes GeoParquet 1.x with WKB.
        let script = r#"
import sys, geopandas as gpd, pandas as pd
def load(path):
    if path.endswith('.csv.gz') or path.endswith('.csv'):
        t = pd.read_csv(path)
        return gpd.GeoDataFrame(t, geometry=gpd.points_from_xy(t.lon, t.lat), crs=4326)
    return gpd.read_file('/vsigzip/' + path if path.endswith('.gz') else path)
load(sys.argv[1]).to_parquet(sys.argv[3])
load(sys.argv[2]).to_parquet(sys.argv[4])
"#;
        let out = StdCommand::new("python3")
            .args(["-c", script])
            .args([&case.originals.0, &case.originals.1, &areas, &stations])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = answers(&check(&areas, &stations, &case.flags));
        assert_eq!(got, reference, "{} as GeoParquet", case.name);
    }
}

#[cfg(feature = "parquet")]
fn have_python_module(module: &str) -> bool {
    let ok = StdCommand::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("python3 module {module} is missing under CI (pip install {module})");
        }
        eprintln!("SKIPPED: python3 module {module} is missing");
    }
    ok
}

/// `generate --format`: the same data set in every format gives the
/// same report (summary and every area) as its GeoJSON.
#[test]
fn generated_formats_give_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut formats = vec!["geojson", "gpkg", "fgb"];
    if cfg!(feature = "parquet") {
        formats.push("parquet");
    }
    let mut reports = Vec::new();
    for format in &formats {
        let out_dir = dir.path().join(format);
        let out = chargecov()
            .args(["generate", "--areas", "60", "--stations", "900", "-q"])
            .args(["--format", format, "--out", path_str(&out_dir)])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let readme = std::fs::read_to_string(out_dir.join("README.md")).unwrap();
        assert!(readme.contains(&format!("`stations.{format}`")), "{readme}");
        let report = check(
            &out_dir.join(format!("areas.{format}")),
            &out_dir.join(format!("stations.{format}")),
            &["--min-power-kw", "480", "--radius-km", "5"],
        );
        reports.push(report);
    }
    // FlatGeobuf stores features in its index's order, so areas are
    // compared by id and without the feature and station indexes — and
    // without the boundary station's id: of several stations on the
    // boundary (distance 0) the first in file order is named.
    let areas = |report: &Value| {
        let mut areas: Vec<Value> = report["areas"].as_array().unwrap().clone();
        for a in &mut areas {
            let a = a.as_object_mut().unwrap();
            a.remove("feature_index");
            a.remove("nearest_station_index");
            a.remove("boundary_station_id");
        }
        areas.sort_by_key(|a| a["id"].to_string());
        areas
    };
    let reference = &reports[0];
    for (format, report) in formats.iter().zip(&reports).skip(1) {
        assert_eq!(report["summary"], reference["summary"], "{format}: summary");
        let (got, want) = (areas(report), areas(reference));
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w, "{format}");
        }
    }
}

/// Every output format chargecov writes opens in the reference tools with
/// the expected feature count, geometry type and CRS: GeoJSON and CSV in
/// GDAL's `ogrinfo` (GeoPackage and FlatGeobuf have their own tests in
/// gpkg.rs and fgb.rs), GeoParquet in GeoPandas. The demo under 480 kW has
/// 6 uncovered areas of 1,031; with `--radius-km 10` every area with a gap
/// farther than 10 km is one `--gaps` feature.
#[test]
fn every_output_format_opens_in_the_reference_tools() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let args = ["check", "--min-power-kw", "480", "-q", "--radius-km", "10"];
    let mut outputs = vec![
        ("--uncovered", "uncovered.geojson"),
        ("--areas-out", "areas.csv"),
        ("--gaps", "gaps.fgb"),
    ];
    if cfg!(feature = "parquet") {
        outputs.push(("--uncovered", "uncovered.parquet"));
    }
    // One run per output (a flag may be given once); the gaps run writes
    // the report, whose per-area gap_km2 says how many gaps there are.
    for (flag, name) in &outputs {
        let mut cmd = chargecov();
        cmd.args(args).args([*flag, path_str(&p(name))]);
        if *flag == "--gaps" {
            cmd.args(["--report", path_str(&p("report.json"))]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report: Value = serde_json::from_slice(&std::fs::read(p("report.json")).unwrap()).unwrap();
    let gaps = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["gap_km2"].as_f64().is_some_and(|g| g > 0.0))
        .count();
    assert!(gaps > 0);

    if have_tool("roundtrip", "ogrinfo", "gdal-bin") {
        let info = |path: &Path| {
            let out = StdCommand::new("ogrinfo")
                .args(["-so", "-al", path_str(path)])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let u = info(&p("uncovered.geojson"));
        assert!(u.contains("Feature Count: 6"), "{u}");
        assert!(u.contains("Polygon"), "{u}");
        assert!(u.contains("WGS 84"), "{u}");
        let a = info(&p("areas.csv"));
        assert!(a.contains("Feature Count: 1031"), "{a}");
        let g = info(&p("gaps.fgb"));
        assert!(g.contains(&format!("Feature Count: {gaps}")), "{g}");
        assert!(
            g.contains("Multi Polygon") && g.contains("ID[\"EPSG\",4326]"),
            "{g}"
        );
    }

    #[cfg(feature = "parquet")]
    if have_python_module("geopandas") {
        let out = StdCommand::new("python3")
            .args([
                "-c",
                "import sys, geopandas as g; d = g.read_parquet(sys.argv[1]); \
                 print(len(d), sorted(set(d.geom_type)), d.crs.to_string(), d['covered'].dtype)",
                path_str(&p("uncovered.parquet")),
            ])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Six features, all MultiPolygons, in OGC:CRS84 (GeoParquet's
        // default, WGS84 lon/lat), with a boolean column.
        assert_eq!(said.trim(), "6 ['MultiPolygon'] OGC:CRS84 bool", "{said}");
    }
}
