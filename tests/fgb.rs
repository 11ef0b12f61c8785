//! FlatGeobuf through the reader and writer seams. The demo under 480 kW
//! has 6 uncovered areas of 1,031 (README, tests/demo.rs): written as
//! FlatGeobuf, read back by chargecov with the same verdict, and opened by
//! GDAL's `ogrinfo` (the reference; CI installs gdal-bin) with the
//! expected feature count, geometry type, CRS and column types. A
//! FlatGeobuf cut short anywhere is refused with exit 2 naming the file.

use crate::common;

use std::path::Path;
use std::process::Command as StdCommand;

use common::{chargecov, have_tool, path_str};
use serde_json::Value;

fn run_demo(extra: &[&str]) {
    let out = chargecov()
        .args(["check", "--min-power-kw", "480", "-q"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn check_json(areas: &Path, stations: &str) -> Value {
    let out = chargecov()
        .args(["check", "--areas", path_str(areas), "--stations", stations])
        .args(["--min-power-kw", "480", "--format", "json", "-q"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn flatgeobuf_outputs_read_back_and_open_in_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let uncovered = dir.path().join("uncovered.fgb");
    let all = dir.path().join("areas.fgb");
    let mercator = dir.path().join("mercator.fgb");
    run_demo(&[
        "--uncovered",
        path_str(&uncovered),
        "--areas-out",
        path_str(&all),
    ]);
    run_demo(&[
        "--output-crs",
        "EPSG:3857",
        "--uncovered",
        path_str(&mercator),
    ]);

    // chargecov reads its own output: the areas from the FlatGeobuf give
    // the same verdict, and the Mercator file declares its CRS.
    let r = check_json(&all, "data/stations.geojson");
    assert_eq!(r["inputs"]["areas"]["format"], "flatgeobuf");
    assert_eq!(r["summary"]["areas_total"], 1031);
    assert_eq!(r["summary"]["areas_uncovered"], 6);
    let m = check_json(&mercator, "data/stations.geojson");
    assert!(
        m["inputs"]["areas"]["crs"]
            .as_str()
            .unwrap()
            .contains("3857"),
        "{}",
        m["inputs"]["areas"]
    );
    // The six uncovered areas, reprojected and read back, are still the
    // six uncovered areas (all six have no qualifying station inside).
    assert_eq!(m["summary"]["areas_total"], 6);
    assert_eq!(m["summary"]["areas_uncovered"], 6);

    if !have_tool("fgb", "ogrinfo", "gdal-bin") {
        return;
    }
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
    let u = info(&uncovered);
    assert!(u.contains("Layer name: uncovered"), "{u}");
    assert!(u.contains("Feature Count: 6"), "{u}");
    assert!(u.contains("Geometry: Multi Polygon"), "{u}");
    assert!(u.contains("ID[\"EPSG\",4326]"), "{u}");
    assert!(u.contains("covered: Integer(Boolean)"), "{u}");
    assert!(u.contains("nearest_distance_m: Real"), "{u}");
    assert!(u.contains("stations_inside: Integer64"), "{u}");
    let a = info(&all);
    assert!(a.contains("Feature Count: 1031"), "{a}");
    let m = info(&mercator);
    assert!(
        m.contains("Pseudo-Mercator") && m.contains("Feature Count: 6"),
        "{m}"
    );
}

/// A feature size prefix larger than the file (found by the fuzzer;
/// fixtures/hostile/README.md) is refused at once, not allocated.
#[test]
fn a_feature_larger_than_its_file_is_refused_at_once() {
    for stdin in [false, true] {
        let mut cmd = chargecov();
        cmd.args(["check", "--stations", "fixtures/basic/stations.geojson"]);
        if stdin {
            cmd.args(["--areas", "-"])
                .write_stdin(std::fs::read("fixtures/hostile/huge-feature-size.fgb").unwrap());
        } else {
            cmd.args(["--areas", "fixtures/hostile/huge-feature-size.fgb"]);
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("feature 3 claims 2332033024 bytes but the file has 678 left"),
            "{err}"
        );
    }
}

/// Property bytes that run past their end (the fuzzer's second finding;
/// fixtures/hostile/README.md): exit 2 naming the feature, no panic.
#[test]
fn corrupt_feature_properties_are_refused_not_panicked_on() {
    for flag in ["--areas", "--stations"] {
        let other = if flag == "--areas" {
            ["--stations", "fixtures/basic/stations.geojson"]
        } else {
            ["--areas", "fixtures/basic/areas.geojson"]
        };
        let out = chargecov()
            .args(["check", flag, "fixtures/hostile/corrupt-properties.fgb"])
            .args(other)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("feature 3: its properties are corrupt"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_flatgeobuf_cut_short_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("areas.fgb");
    run_demo(&["--areas-out", path_str(&whole)]);
    let bytes = std::fs::read(&whole).unwrap();
    // Cut in the header, in the spatial index, and in the features.
    for (cut, expected) in [
        (20, "header"),
        (bytes.len() / 50, "truncated"),
        (bytes.len() / 2, "truncated"),
    ] {
        let path = dir.path().join(format!("cut{cut}.fgb"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        for flag in ["--areas", "--stations"] {
            let other = if flag == "--areas" {
                ["--stations", "data/stations.geojson"]
            } else {
                ["--areas", "data/areas.geojson"]
            };
            let out = chargecov()
                .args(["check", flag, path_str(&path)])
                .args(other)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cut} {flag}: {err}");
            assert!(
                err.contains(&format!("cut{cut}.fgb"))
                    && err.contains("FlatGeobuf")
                    && err.contains(expected),
                "{cut} {flag}: {err}"
            );
        }
    }
}

/// `--csv-bom` puts the UTF-8 byte-order mark Excel needs before CSV
/// outputs (and only then); the demo's area names are Chinese.
#[test]
fn csv_outputs_carry_a_byte_order_mark_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let with = dir.path().join("with.csv");
    let without = dir.path().join("without.csv");
    run_demo(&["--areas-out", path_str(&with), "--csv-bom"]);
    run_demo(&["--areas-out", path_str(&without)]);
    let with = std::fs::read(&with).unwrap();
    let without = std::fs::read(&without).unwrap();
    assert!(with.starts_with(b"\xEF\xBB\xBF"));
    assert!(!without.starts_with(b"\xEF\xBB\xBF"));
    // Otherwise the same bytes, with names like 街道 in UTF-8.
    assert_eq!(&with[3..], &without[..]);
    assert!(String::from_utf8(without).unwrap().contains("街道"));
}

/// An area collapsed to a sliver a few subnormals wide (the fuzzer's
/// out-of-memory finding; fixtures/hostile/README.md): judged at once.
#[test]
fn a_sliver_area_is_judged_without_running_out_of_memory() {
    let out = chargecov()
        .args(["check", "--areas", "fixtures/hostile/sliver-area.fgb"])
        .args(["--stations", "fixtures/basic/stations.geojson", "-q"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Eight points written by the flatgeobuf crate without an index, and a
/// new header around its features built with `count` features and index
/// nodes of `node_size` entries.
fn fgb_with_header(count: u64, node_size: u16) -> Vec<u8> {
    use flatgeobuf::{FgbWriter, FgbWriterOptions, GeometryType, Header, HeaderArgs};
    let mut writer = FgbWriter::create_with_options(
        "stations",
        GeometryType::Point,
        FgbWriterOptions {
            write_index: false,
            ..Default::default()
        },
    )
    .unwrap();
    for i in 0..8 {
        let p = geo::Geometry::Point(geo::Point::new(0.1 + f64::from(i) * 0.1, 0.5));
        writer.add_feature_geom(p, |_| {}).unwrap();
    }
    let mut honest = Vec::new();
    writer.write(&mut honest).unwrap();
    let header_len = u32::from_le_bytes(honest[8..12].try_into().unwrap()) as usize;
    let features = &honest[12 + header_len..];
    let mut fbb = flatbuffers::FlatBufferBuilder::new();
    let args = HeaderArgs {
        geometry_type: GeometryType::Point,
        features_count: count,
        index_node_size: node_size,
        ..Default::default()
    };
    let header = Header::create(&mut fbb, &args);
    fbb.finish_size_prefixed(header, None);
    let mut bytes = honest[..8].to_vec();
    bytes.extend_from_slice(fbb.finished_data());
    bytes.extend_from_slice(features);
    bytes
}

#[test]
fn a_header_that_miscounts_its_features_is_refused() {
    // Honest (8, or 0 for "unknown") reads all eight points; a header
    // that says 2 (or 9) is refused naming both counts — never 2 of 8
    // read and called valid. Index nodes of 1 entry are refused by name,
    // not an assertion in the crate.
    let dir = tempfile::tempdir().unwrap();
    for (count, node_size, expected) in [
        (8, 0, Ok(8)),
        (0, 0, Ok(8)),
        (
            2,
            0,
            Err("the header declares 2 features but the file holds 8"),
        ),
        (
            9,
            0,
            Err("the header declares 9 features but the file holds 8"),
        ),
        (8, 1, Err("nodes of 1 entry")),
    ] {
        let path = dir.path().join(format!("c{count}n{node_size}.fgb"));
        std::fs::write(&path, fgb_with_header(count, node_size)).unwrap();
        for command in ["check", "validate"] {
            let mut cmd = chargecov();
            if command == "check" {
                cmd.args(["check", "--areas", "fixtures/basic/areas.geojson"])
                    .args(["--format", "json", "-q", "--stations"]);
            } else {
                cmd.args(["validate", "--format", "json"]);
            }
            let out = cmd.arg(&path).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            match expected {
                Ok(n) => {
                    let report: Value = serde_json::from_slice(&out.stdout)
                        .unwrap_or_else(|e| panic!("{command} {count}/{node_size}: {e} {err}"));
                    let read = if command == "check" {
                        &report["summary"]["stations_read"]
                    } else {
                        &report["stations"]["records"]
                    };
                    assert_eq!(read, n, "{command} {count}/{node_size}: {report}");
                }
                Err(says) => {
                    assert_eq!(out.status.code(), Some(2), "{command}: {err}");
                    assert!(err.contains(says), "{command} {count}/{node_size}: {err}");
                }
            }
        }
    }
}
