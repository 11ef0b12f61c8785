//! The reader seam: newline-delimited GeoJSON and gzip, for areas and
//! stations, through `check`, `validate` and `diff`; formats chargecov
//! recognises but does not read are refused by name with exit 2.
//!
//! Expected values: a layer rewritten as GeoJSONSeq or gzipped holds the
//! same features in the same order, so every answer must equal the one for
//! the original file (whose answers fixtures/basic/EXPECTED.md derives by
//! hand) — only `inputs.*.path` and `inputs.*.format` may differ.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{chargecov, fixture, path_str};
use serde_json::Value;

/// The features of a GeoJSON FeatureCollection, one per line (RFC 8142
/// style with `rs`, else plain NDJSON), with a blank line thrown in.
fn to_seq(collection: &Path, rs: bool) -> Vec<u8> {
    let value: Value = serde_json::from_slice(&std::fs::read(collection).unwrap()).unwrap();
    let mut out = Vec::new();
    for (i, feature) in value["features"].as_array().unwrap().iter().enumerate() {
        if rs {
            out.push(0x1e);
        }
        out.extend_from_slice(serde_json::to_string(feature).unwrap().as_bytes());
        out.extend_from_slice(if i == 1 { b"\r\n\n" } else { b"\n" });
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    out.write_all(bytes).unwrap();
    out.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `check --format json` without the parts that name the input files.
fn check(areas: &Path, stations: &Path) -> (i32, Value, Value) {
    let out = chargecov()
        .args(["check", "--areas", path_str(areas), "--stations"])
        .arg(path_str(stations))
        .args(["--format", "json", "-q", "--min-power-kw", "100"])
        .output()
        .unwrap();
    let mut report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let inputs = report["inputs"].take();
    // Names and hashes of the files, which differ by design.
    report["provenance"].take();
    (out.status.code().unwrap(), report, inputs)
}

#[test]
fn newline_delimited_and_gzipped_layers_give_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let areas = fixture("basic/areas.geojson");
    let stations = fixture("basic/stations.geojson");
    let (code, expected, _) = check(&areas, &stations);
    assert_eq!(code, 1, "fixtures/basic: E is uncovered at 100 kW");

    let seq_areas = write(dir.path(), "areas.geojsonl", &to_seq(&areas, false));
    let seq_stations = write(dir.path(), "stations.geojsons", &to_seq(&stations, true));
    let gz_areas = write(
        dir.path(),
        "areas.geojson.gz",
        &gzip(&std::fs::read(&areas).unwrap()),
    );
    let gz_seq_stations = write(
        dir.path(),
        "stations.ndjson.gz",
        &gzip(&to_seq(&stations, false)),
    );
    // A .json file holding lines: the content decides.
    let json_lines = write(dir.path(), "stations.json", &to_seq(&stations, false));
    let csv_gz = write(
        dir.path(),
        "stations.csv.gz",
        &gzip(b"id,lon,lat,power_kw\ns1,1,0.2,150\ns4,3.6,0,200\n"),
    );

    for (a, s, areas_format, stations_format) in [
        (&seq_areas, &seq_stations, "geojsonseq", "geojsonseq"),
        (&gz_areas, &gz_seq_stations, "geojson", "geojsonseq"),
        (&areas, &json_lines, "geojson", "geojsonseq"),
    ] {
        let (c, report, inputs) = check(a, s);
        assert_eq!(c, code, "{a:?} {s:?}");
        assert_eq!(report, expected, "{a:?} {s:?}");
        assert_eq!(inputs["areas"]["format"], areas_format);
        assert_eq!(inputs["stations"]["format"], stations_format);
    }

    // Gzipped CSV: s1 covers A and B, s4 covers D (EXPECTED.md); C and E
    // have no station of ≥ 100 kW.
    let (c, report, inputs) = check(&gz_areas, &csv_gz);
    assert_eq!(c, 1);
    assert_eq!(inputs["stations"]["format"], "csv");
    let uncovered: Vec<&str> = report["summary"]["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(uncovered, ["C", "E"]);
}

#[test]
fn a_flawed_line_is_reported_with_its_file_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = to_seq(&fixture("basic/stations.geojson"), false);
    // Line 3 of the file (the second feature is followed by a blank line).
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let mut broken = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i == 3 {
            broken.extend_from_slice(b"{\"type\":\"Feature\",");
        } else {
            broken.extend_from_slice(line);
        }
        broken.push(b'\n');
    }
    text = broken;
    let stations = write(dir.path(), "s.geojsonl", &text);
    let out = chargecov()
        .args([
            "check",
            "--areas",
            "fixtures/basic/areas.geojson",
            "--stations",
        ])
        .arg(path_str(&stations))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("s.geojsonl") && err.contains("line 4"),
        "{err}"
    );
}

#[test]
fn validate_and_diff_read_the_same_formats() {
    let dir = tempfile::tempdir().unwrap();
    let stations = fixture("basic/stations.geojson");
    let json = |args: &[&str]| -> (i32, Value) {
        let out = chargecov().args(args).output().unwrap();
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), v)
    };
    let seq = write(
        dir.path(),
        "stations.geojsonl.gz",
        &gzip(&to_seq(&stations, true)),
    );
    let (code, mut expected) = json(&["validate", path_str(&stations), "--format", "json"]);
    let (c, mut got) = json(&["validate", path_str(&seq), "--format", "json"]);
    assert_eq!(c, code);
    assert_eq!(got["stations"]["format"], "geojsonseq");
    assert_eq!(got["stations"]["records"], 8);
    expected["stations"].take();
    got["stations"].take();
    assert_eq!(got, expected);

    let old = write(
        dir.path(),
        "old.geojsonl",
        &to_seq(&fixture("diff/old.geojson"), false),
    );
    let new = write(
        dir.path(),
        "new.geojson.gz",
        &gzip(&std::fs::read(fixture("diff/new.geojson")).unwrap()),
    );
    let areas = write(
        dir.path(),
        "areas.geojsons",
        &to_seq(&fixture("basic/areas.geojson"), true),
    );
    let diff = |old: &Path, new: &Path, areas: &Path| {
        let (code, mut v) = json(&[
            "diff",
            path_str(old),
            path_str(new),
            "--areas",
            path_str(areas),
            "--format",
            "json",
            "-q",
            "--min-power-kw",
            "100",
        ]);
        v["inputs"].take();
        v["provenance"].take();
        (code, v)
    };
    let expected = diff(
        &fixture("diff/old.geojson"),
        &fixture("diff/new.geojson"),
        &fixture("basic/areas.geojson"),
    );
    assert_eq!(expected.0, 1, "fixtures/diff/EXPECTED.md: A loses coverage");
    assert_eq!(diff(&old, &new, &areas), expected);
}

#[test]
fn standard_input_may_be_gzipped_newline_delimited_geojson() {
    let stations = gzip(&to_seq(&fixture("basic/stations.geojson"), false));
    let out = chargecov()
        .args(["check", "--areas", "fixtures/basic/areas.geojson"])
        .args(["--stations", "-", "--format", "json", "-q"])
        .write_stdin(stations)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(report["inputs"]["stations"]["format"], "geojsonseq");
    assert_eq!(report["summary"]["stations_read"], 8);
}

/// JSON saved under a table's extension is read as what it holds: the
/// basic stations as GeoJSONSeq in `stations.txt`, and as a
/// FeatureCollection in `stations.csv`, give the fixture's 8 stations.
#[test]
fn content_decides_when_a_table_extension_holds_json() {
    let dir = tempfile::tempdir().unwrap();
    let collection = std::fs::read(fixture("basic/stations.geojson")).unwrap();
    for (name, bytes, format) in [
        (
            "stations.txt",
            to_seq(&fixture("basic/stations.geojson"), false),
            "geojsonseq",
        ),
        ("stations.csv", collection, "geojson"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = chargecov()
            .args(["check", "--areas", "fixtures/basic/areas.geojson"])
            .args(["--stations", path_str(&path), "--format", "json", "-q"])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(report["inputs"]["stations"]["format"], format, "{name}");
        assert_eq!(report["summary"]["stations_read"], 8, "{name}");
    }
}

/// A zip archive's first local file header naming `entry` (APPNOTE 4.3.7).
fn zip_with(entry: &str) -> Vec<u8> {
    let mut z = b"PK\x03\x04".to_vec();
    z.resize(26, 0);
    z.extend_from_slice(&(entry.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0, 0]);
    z.extend_from_slice(entry.as_bytes());
    z
}

#[test]
fn formats_recognised_but_not_read_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut samples: Vec<(&str, Vec<u8>, &str)> = vec![
        ("zones.dbf", b"\x03\x7a\x01\x01".to_vec(), "dBASE table"),
        (
            "book.xlsx",
            zip_with("[Content_Types].xml"),
            "Excel workbook",
        ),
        ("upload", zip_with("doc.kml"), "KMZ"),
        (
            "zones.kml",
            b"<?xml version=\"1.0\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\">".to_vec(),
            "KML",
        ),
    ];
    // An OSM PBF extract: a blob header's length, then the header with its
    // type "OSMHeader" (field 1: tag 0x0A, length 9), whatever the name.
    let mut pbf = b"\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\x80\x01".to_vec();
    pbf.extend([0u8; 16]);
    samples.push(("extract.osm.pbf", pbf.clone(), "OpenStreetMap"));
    samples.push(("chargers.csv", pbf, "OpenStreetMap"));
    // Built with the `parquet` feature, a Parquet file is read (and this
    // one refused as malformed, in tests/check_errors.rs' sense).
    let parquet_read = cfg!(feature = "parquet");
    if !parquet_read {
        samples.push(("zones.parquet", b"PAR1\x15\x04\x15".to_vec(), "Parquet"));
    }
    for (name, bytes, what) in samples {
        let path = write(dir.path(), name, &bytes);
        for (layer_flag, other_flag, other) in [
            ("--areas", "--stations", "fixtures/basic/stations.geojson"),
            ("--stations", "--areas", "fixtures/basic/areas.geojson"),
        ] {
            let out = chargecov()
                .args(["check", layer_flag, path_str(&path), other_flag, other])
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name}: {err}");
            // A format this build leaves out names the feature that reads it.
            let why = if what == "Parquet" {
                "this build of chargecov does not read\n  hint: use a build with the cargo feature `parquet`"
            } else {
                "does not read yet"
            };
            assert!(
                err.contains(name) && err.contains(what) && err.contains(why),
                "{name} as {layer_flag}: {err}"
            );
            assert!(!err.contains("JSON ("), "{name}: {err}");
        }
        let out = chargecov()
            .args(["validate", path_str(&path)])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "validate {name}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(what));
    }
    if parquet_read {
        let path = write(dir.path(), "zones.parquet", b"PAR1\x15\x04\x15");
        let out = chargecov()
            .args(["check", "--areas", path_str(&path)])
            .args(["--stations", "fixtures/basic/stations.geojson"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("zones.parquet") && err.contains("Parquet"),
            "{err}"
        );
    }
}

#[test]
fn shapefile_bytes_are_read_as_a_shapefile_whatever_the_name() {
    // A Shapefile's main header (file code 9994) under a .geojson name and
    // gzipped: recognised by its magic bytes, and refused as a Shapefile
    // (no .dbf beside it; not a file that can be read in place), never
    // as malformed JSON.
    let dir = tempfile::tempdir().unwrap();
    let mut shp = vec![0x00, 0x00, 0x27, 0x0a];
    shp.resize(100, 0);
    for (name, bytes, says) in [
        ("zones.geojson", shp.clone(), "zones.dbf is missing"),
        ("zones.shp.gz", gzip(&shp), "not from a stream"),
    ] {
        let path = write(dir.path(), name, &bytes);
        let out = chargecov()
            .args(["check", "--areas", path_str(&path)])
            .args(["--stations", "fixtures/basic/stations.geojson"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(says) && !err.contains("JSON"), "{name}: {err}");
    }
}

#[test]
fn a_csv_table_is_not_an_area_layer() {
    let out = chargecov()
        .args(["check", "--areas", "fixtures/highlat/stations.csv"])
        .args(["--stations", "fixtures/highlat/stations.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stations.csv") && err.contains("without a geometry column"),
        "{err}"
    );
}

#[test]
fn tables_in_chinese_and_european_encodings() {
    // One station in area A of fixtures/basic (s1's place, 150 kW), its
    // id in Chinese or German; written as Excel writes them on Chinese
    // Windows (GBK), as German exports do (Latin-1), and as UTF-16 with a
    // byte-order mark. Each must read to the same id.
    let dir = tempfile::tempdir().unwrap();
    let text = |id: &str| format!("id,lon,lat,power_kw\n{id},0.5,0.0,150\n");
    let gbk = encoding_rs::GBK.encode(&text("南山充电站")).0.into_owned();
    let latin1 = encoding_rs::WINDOWS_1252
        .encode(&text("Köln Süd"))
        .0
        .into_owned();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text("Köln Süd").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    for (name, bytes, id) in [
        ("gbk.csv", gbk.clone(), "南山充电站"),
        ("latin1.csv", latin1, "Köln Süd"),
        ("utf16.csv", utf16, "Köln Süd"),
    ] {
        let path = write(dir.path(), name, &bytes);
        let (code, report, _) = check(&fixture("basic/areas.geojson"), &path);
        assert_eq!(code, 1, "{name}: only A is covered at 100 kW");
        assert_eq!(report["areas"][0]["nearest_station_id"], id, "{name}");
    }
    // Named wrongly: an error at the first bad byte, not mojibake.
    let path = write(dir.path(), "named.csv", &gbk);
    let out = chargecov()
        .args([
            "check",
            "--areas",
            "fixtures/basic/areas.geojson",
            "--stations",
        ])
        .arg(path_str(&path))
        .args(["--encoding", "utf-8"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not valid UTF-8") && err.contains("--encoding"),
        "{err}"
    );
    // Named rightly.
    let out = chargecov()
        .args([
            "check",
            "--areas",
            "fixtures/basic/areas.geojson",
            "--stations",
        ])
        .arg(path_str(&path))
        .args(["--encoding", "gbk", "--format", "json", "-q"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["areas"][0]["nearest_station_id"], "南山充电站");
}

#[test]
fn tables_with_wkt_geometries() {
    // Areas A and B of fixtures/basic written as WKT (the same squares:
    // [0,1]×[−0.5,0.5] and [1,2]×[−0.5,0.5]); its EXPECTED.md says, with
    // every station qualifying, A holds 3 stations (s1 on the shared edge,
    // s5 twice) and B 1 (s1). Stations as WKT POINTs give the same.
    let dir = tempfile::tempdir().unwrap();
    let areas = write(
        dir.path(),
        "areas.csv",
        b"id;name;wkt\nA;West;POLYGON((0 -0.5,1 -0.5,1 0.5,0 0.5,0 -0.5))\nB;East;POLYGON((1 -0.5,2 -0.5,2 0.5,1 0.5,1 -0.5))\n",
    );
    let stations_wkt = write(
        dir.path(),
        "stations.csv",
        b"id,geometry,power_kw\ns1,POINT(1 0.2),150\ns5,POINT(0.3 0.3),22\ns5,POINT(0.3 0.3),22\n",
    );
    for stations in [fixture("basic/stations.geojson"), stations_wkt] {
        let out = chargecov()
            .args([
                "check",
                "--areas",
                path_str(&areas),
                "--stations",
                path_str(&stations),
            ])
            .args(["--format", "json", "-q"])
            .output()
            .unwrap();
        let r: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(r["areas"][0]["id"], "A");
        assert_eq!(r["areas"][0]["name"], "West");
        assert_eq!(r["areas"][0]["stations_inside"], 3);
        assert_eq!(r["areas"][1]["stations_inside"], 1);
    }
    // A row whose WKT is not a polygon is named.
    let bad = write(
        dir.path(),
        "bad.csv",
        b"id;wkt\nA;POLYGON((0 0,1 0,1 1,0 0))\nB;LINESTRING(0 0,1 1)\nC;POLYGON((oops\n",
    );
    let out = chargecov()
        .args([
            "check",
            "--areas",
            path_str(&bad),
            "--stations",
            "fixtures/basic/stations.geojson",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 1")
            && err.contains("LineString")
            && err.contains("row 2")
            && err.contains("WKT"),
        "{err}"
    );
}
