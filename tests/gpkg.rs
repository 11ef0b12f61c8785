//! GeoPackage through the reader seam. A GeoPackage is built here with
//! SQL (the tables of OGC 12-128r18: `gpkg_spatial_ref_sys`,
//! `gpkg_contents`, `gpkg_geometry_columns`, a feature table) and its
//! geometries written byte by byte as the standard's binary header plus
//! little-endian WKB, so the reader is checked against the specification,
//! not against itself. When GDAL's `ogr2ogr` is installed (CI installs
//! it), the German districts converted by GDAL are read as well and must
//! give the GeoJSON run's answers.
//!
//! The hand-built layer: two unit squares A = [0,1]×[0,1] (fid 1, code
//! "A", name "West") and B = [2,3]×[0,1] (fid 2, "B", "East"), EPSG:4326;
//! stations (CSV) S1 (0.5, 0.5, 150 kW) in A and S2 (5, 5) in neither:
//! with `--min-power-kw 100`, A is covered and B is not (exit 1).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::{chargecov, check_files, have_tool, path_str, shared_data};
use serde_json::Value;

/// A GeoPackage geometry: "GP", version 0, flags 0x01 (little-endian, no
/// envelope), srs_id 4326, then WKB Polygon (type 3) of one ring.
fn gpkg_polygon(ring: &[(f64, f64)]) -> Vec<u8> {
    let mut b = b"GP\x00\x01".to_vec();
    b.extend_from_slice(&4326i32.to_le_bytes());
    b.push(1); // WKB little-endian
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&(ring.len() as u32).to_le_bytes());
    for &(x, y) in ring {
        b.extend_from_slice(&x.to_le_bytes());
        b.extend_from_slice(&y.to_le_bytes());
    }
    b
}

fn gpkg_point(x: f64, y: f64) -> Vec<u8> {
    let mut b = b"GP\x00\x01".to_vec();
    b.extend_from_slice(&4326i32.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&x.to_le_bytes());
    b.extend_from_slice(&y.to_le_bytes());
    b
}

fn square(x0: f64) -> Vec<(f64, f64)> {
    vec![
        (x0, 0.0),
        (x0 + 1.0, 0.0),
        (x0 + 1.0, 1.0),
        (x0, 1.0),
        (x0, 0.0),
    ]
}

/// A feature row: geometry blob, code, name.
type Row<'a> = (Vec<u8>, &'a str, &'a str);

/// Builds the GeoPackage with the given feature tables: (name, rows).
fn build(path: &Path, tables: &[(&str, Vec<Row>)]) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "PRAGMA application_id = 1196444487;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\"]', NULL);
         CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT, description TEXT, last_change TEXT, min_x REAL, min_y REAL,
           max_x REAL, max_y REAL, srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT, m TINYINT);",
    )
    .unwrap();
    for (table, rows) in tables {
        db.execute_batch(&format!(
            "CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, code TEXT, name TEXT, power_kw REAL);
             INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('{table}', 'features', 4326);
             INSERT INTO gpkg_geometry_columns VALUES ('{table}', 'geom', 'GEOMETRY', 4326, 0, 0);"
        ))
        .unwrap();
        for (geom, code, name) in rows {
            db.execute(
                &format!(
                    "INSERT INTO \"{table}\" (geom, code, name, power_kw) VALUES (?1, ?2, ?3, 150)"
                ),
                rusqlite::params![geom, code, name],
            )
            .unwrap();
        }
    }
}

fn stations(dir: &Path) -> PathBuf {
    let path = dir.join("s.csv");
    std::fs::write(&path, "id,lon,lat,power_kw\nS1,0.5,0.5,150\nS2,5,5,60\n").unwrap();
    path
}

#[test]
fn a_geopackage_of_polygons_and_one_of_points() {
    let dir = tempfile::tempdir().unwrap();
    let areas = dir.path().join("zones.gpkg");
    build(
        &areas,
        &[(
            "zones",
            vec![
                (gpkg_polygon(&square(0.0)), "A", "West"),
                (gpkg_polygon(&square(2.0)), "B", "East"),
            ],
        )],
    );
    let (code, r, err) = check_files(&areas, &stations(dir.path()), &["--id-field", "code"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(r["inputs"]["areas"]["format"], "gpkg");
    assert_eq!(
        r["inputs"]["areas"]["crs"],
        "WGS84 (EPSG:4326), declared in the file"
    );
    let a = &r["areas"];
    assert_eq!(
        (a[0]["id"].as_str(), a[0]["name"].as_str()),
        (Some("A"), Some("West"))
    );
    assert_eq!(a[0]["covered"], true);
    assert_eq!(a[1]["covered"], false);

    // Stations from a GeoPackage too: S1's point, 150 kW from the column.
    let points = dir.path().join("chargers.gpkg");
    build(
        &points,
        &[("chargers", vec![(gpkg_point(0.5, 0.5), "S1", "one")])],
    );
    let (code, r, err) = check_files(&areas, &points, &[]);
    assert_eq!(code, 1, "{err}");
    // Without an id column among the usual names, the feature id.
    assert_eq!(r["inputs"]["stations"]["fields"]["id"], "(feature id)");
    assert_eq!(r["areas"][0]["nearest_station_id"], "1");
    let (_, r, _) = check_files(&areas, &points, &["--station-id-field", "code"]);
    assert_eq!(r["inputs"]["stations"]["fields"]["power"], "power_kw");
    assert_eq!(r["areas"][0]["nearest_station_id"], "S1");
}

#[test]
fn several_layers_need_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.gpkg");
    build(
        &path,
        &[
            ("east", vec![(gpkg_polygon(&square(2.0)), "B", "East")]),
            ("west", vec![(gpkg_polygon(&square(0.0)), "A", "West")]),
        ],
    );
    let s = stations(dir.path());
    let (code, _, err) = check_files(&path, &s, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("holds 2 feature layers: east, west") && err.contains("--areas-layer"),
        "{err}"
    );
    let (code, _, err) = check_files(&path, &s, &["--areas-layer", "north"]);
    assert_eq!(code, 2);
    assert!(err.contains("no feature layer \"north\""), "{err}");
    let (code, r, err) = check_files(&path, &s, &["--areas-layer", "west"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["summary"]["areas_total"], 1);
}

#[test]
fn an_sqlite_file_without_geopackage_tables_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER);")
        .unwrap();
    let (code, _, err) = check_files(&path, &stations(dir.path()), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("plain.sqlite") && err.contains("GeoPackage"),
        "{err}"
    );
}

/// GDAL as the reference: the German districts converted to GeoPackage by
/// `ogr2ogr` read as the GeoJSON does (per district counts and verdicts).
#[test]
fn districts_converted_by_gdal_read_as_their_geojson() {
    let (Some(geojson), Some(stations)) = (
        shared_data("gpkg", "germany/kreise_vg5000_2021_wgs84.geojson.gz"),
        shared_data("gpkg", "germany/stations_bnetza_2019-07-19.csv.gz"),
    ) else {
        return;
    };
    if !have_tool("gpkg", "ogr2ogr", "gdal-bin") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("kreise.gpkg");
    let status = StdCommand::new("ogr2ogr")
        .args(["-f", "GPKG", path_str(&gpkg)])
        .arg(format!("/vsigzip/{}", path_str(&geojson)))
        .status()
        .unwrap();
    assert!(status.success());
    let run = |areas: &Path| {
        let out = chargecov()
            .args([
                "check",
                "--areas",
                path_str(areas),
                "--stations",
                path_str(&stations),
            ])
            .args([
                "--id-field",
                "AGS",
                "--name-field",
                "GEN",
                "--min-power-kw",
                "50",
            ])
            .args(["--format", "json", "-q"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        v
    };
    let (from_gpkg, reference) = (run(&gpkg), run(&geojson));
    assert_eq!(from_gpkg["inputs"]["areas"]["format"], "gpkg");
    let (a, b) = (
        from_gpkg["areas"].as_array().unwrap(),
        reference["areas"].as_array().unwrap(),
    );
    assert_eq!(a.len(), 401);
    for (x, y) in a.iter().zip(b) {
        for key in [
            "id",
            "name",
            "stations_inside",
            "qualifying_inside",
            "covered",
        ] {
            assert_eq!(x[key], y[key], "{key} of {}", y["id"]);
        }
    }
    assert_eq!(from_gpkg["summary"], reference["summary"]);
}

/// GeoPackage outputs open in GDAL (`ogrinfo`, the reference) with the
/// expected feature count, geometry type, CRS and spatial index, and read
/// back into chargecov with the same answers. The demo under 480 kW has
/// 6 uncovered areas of 1,031 (README, tests/demo.rs).
#[test]
fn geopackage_outputs_open_in_gdal_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let uncovered = dir.path().join("uncovered.gpkg");
    let all = dir.path().join("areas.gpkg");
    let mercator = dir.path().join("mercator.gpkg");
    let out = chargecov()
        .args(["check", "--min-power-kw", "480", "-q"])
        .args([
            "--uncovered",
            path_str(&uncovered),
            "--areas-out",
            path_str(&all),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = chargecov()
        .args([
            "check",
            "--min-power-kw",
            "480",
            "-q",
            "--output-crs",
            "EPSG:3857",
        ])
        .args(["--uncovered", path_str(&mercator)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // Read back: the areas from the GeoPackage, the same verdict.
    let out = chargecov()
        .args([
            "check",
            "--areas",
            path_str(&all),
            "--stations",
            "data/stations.geojson",
        ])
        .args(["--min-power-kw", "480", "--format", "json", "-q"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(r["summary"]["areas_total"], 1031);
    assert_eq!(r["summary"]["areas_uncovered"], 6);

    if !have_tool("gpkg", "ogrinfo", "gdal-bin") {
        return;
    }
    let info = |path: &Path, layer: &str| {
        let out = StdCommand::new("ogrinfo")
            .args(["-so", path_str(path), layer])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let u = info(&uncovered, "uncovered");
    assert!(u.contains("Feature Count: 6"), "{u}");
    assert!(u.contains("Geometry: Multi Polygon"), "{u}");
    assert!(u.contains("WGS 84"), "{u}");
    assert!(
        u.contains("covered: Integer") && u.contains("nearest_distance_m: Real"),
        "{u}"
    );
    let a = info(&all, "areas");
    assert!(a.contains("Feature Count: 1031"), "{a}");
    let m = info(&mercator, "uncovered");
    assert!(
        m.contains("Pseudo-Mercator") && m.contains("Feature Count: 6"),
        "{m}"
    );
    let index = StdCommand::new("ogrinfo")
        .args([
            path_str(&uncovered),
            "-sql",
            "SELECT HasSpatialIndex('uncovered','geom')",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&index.stdout).contains("= 1"),
        "no spatial index"
    );
}

/// `diff --changes` as a GeoPackage: fixtures/diff/EXPECTED.md has one
/// area (A) losing coverage at 100 kW; the GeoJSON and the GeoPackage
/// hold the same changed areas.
#[test]
fn diff_changes_as_a_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("changes.gpkg");
    let geojson = dir.path().join("changes.geojson");
    let out = chargecov()
        .args([
            "diff",
            "fixtures/diff/old.geojson",
            "fixtures/diff/new.geojson",
        ])
        .args([
            "--areas",
            "fixtures/basic/areas.geojson",
            "--min-power-kw",
            "100",
            "-q",
        ])
        .args(["--changes", path_str(&gpkg)])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = chargecov()
        .args([
            "diff",
            "fixtures/diff/old.geojson",
            "fixtures/diff/new.geojson",
        ])
        .args([
            "--areas",
            "fixtures/basic/areas.geojson",
            "--min-power-kw",
            "100",
            "-q",
        ])
        .args(["--changes", path_str(&geojson)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let features: Value = serde_json::from_slice(&std::fs::read(&geojson).unwrap()).unwrap();
    let expected: Vec<(String, String)> = features["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["id"].as_str().unwrap().to_owned(),
                f["properties"]["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(expected.contains(&("A".to_owned(), "lost".to_owned())));
    let db = rusqlite::Connection::open(&gpkg).unwrap();
    let got: Vec<(String, String)> = db
        .prepare("SELECT id, change FROM changes ORDER BY fid")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(got, expected);
}

#[test]
fn feature_ids_at_the_ends_of_the_64_bit_range_are_all_read() {
    // Rowids −2^63, 0 and 2^63−1: the parts the table is read in span
    // the whole range (its width overflowed 64 bits: 1 of 3 rows read, or
    // none).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ends.gpkg");
    build(&path, &[("zones", vec![])]);
    let db = rusqlite::Connection::open(&path).unwrap();
    for (fid, x, code) in [(i64::MIN, 0.0, "A"), (0, 2.0, "B"), (i64::MAX, 4.0, "C")] {
        db.execute(
            "INSERT INTO zones (fid, geom, code, name) VALUES (?1, ?2, ?3, ?3)",
            rusqlite::params![fid, gpkg_polygon(&square(x)), code],
        )
        .unwrap();
    }
    drop(db);
    let s = stations(dir.path());
    let (_, report, err) = check_files(&path, &s, &["--id-field", "code"]);
    let ids: Vec<&str> = report["areas"]
        .as_array()
        .unwrap_or_else(|| panic!("{err}"))
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["A", "B", "C"]);
}

#[test]
fn a_view_is_read_and_one_that_never_ends_is_stopped() {
    // GeoPackage allows views as feature layers (GDAL writes them); they
    // have no rowid to split by, so they are read in one pass.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("view.gpkg");
    build(
        &path,
        &[(
            "zones",
            vec![
                (gpkg_polygon(&square(0.0)), "A", "West"),
                (gpkg_polygon(&square(2.0)), "B", "East"),
            ],
        )],
    );
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "CREATE VIEW west AS SELECT fid, geom, code, name FROM zones WHERE code = 'A';
         INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('west', 'features', 4326);
         INSERT INTO gpkg_geometry_columns VALUES ('west', 'geom', 'GEOMETRY', 4326, 0, 0);
         CREATE VIEW endless AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
           SELECT z.fid, z.geom, z.code, z.name FROM zones z, n WHERE n.i < 0;
         INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('endless', 'features', 4326);
         INSERT INTO gpkg_geometry_columns VALUES ('endless', 'geom', 'GEOMETRY', 4326, 0, 0);",
    )
    .unwrap();
    drop(db);
    let s = stations(dir.path());
    let (code, report, err) =
        check_files(&path, &s, &["--areas-layer", "west", "--id-field", "code"]);
    assert!(matches!(code, 0 | 1), "{err}");
    assert_eq!(report["areas"].as_array().unwrap().len(), 1, "{err}");
    assert_eq!(report["areas"][0]["id"], "A");
    // The recursive view never gives a row: stopped after the deadline.
    let started = std::time::Instant::now();
    let (code, _, err) = check_files(&path, &s, &["--areas-layer", "endless"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("gave no row for 30 s"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
}

#[test]
fn a_huge_unknown_coordinate_system_gives_a_short_error() {
    // 5 MB of definition the CRS layer cannot use: the refusal quotes the
    // start of it and says how much more there is, not all 5 MB.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("srs.gpkg");
    build(
        &path,
        &[("zones", vec![(gpkg_polygon(&square(0.0)), "A", "West")])],
    );
    let db = rusqlite::Connection::open(&path).unwrap();
    let huge = format!("LOCAL_CS[\"{}\"]", "x".repeat(5 << 20));
    db.execute(
        "UPDATE gpkg_spatial_ref_sys SET organization = 'NONE', definition = ?1",
        [&huge],
    )
    .unwrap();
    drop(db);
    let s = stations(dir.path());
    let (code, _, err) = check_files(&path, &s, &[]);
    assert_eq!(code, 2, "{}", &err[..err.len().min(2000)]);
    assert!(err.len() < 2_000, "{} bytes", err.len());
    assert!(err.contains("more bytes"), "{err}");
}

#[test]
fn a_contents_row_naming_an_internal_table_is_no_layer() {
    // gpkg_contents may name anything; SQLite's own table is not read as
    // features: only user tables are.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("internal.gpkg");
    build(&path, &[]);
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('sqlite_master', 'features', 4326);
         INSERT INTO gpkg_geometry_columns VALUES ('sqlite_master', 'sql', 'GEOMETRY', 4326, 0, 0);",
    )
    .unwrap();
    drop(db);
    let s = stations(dir.path());
    let (code, _, err) = check_files(&path, &s, &[]);
    assert_eq!(code, 2, "{err}");
    // Before, SQLite's catalogue was read as 4 features without geometry.
    assert!(
        err.contains("internal.gpkg") && err.contains("no geometry"),
        "{err}"
    );
    assert!(!err.contains("unusable features"), "{err}");
}
