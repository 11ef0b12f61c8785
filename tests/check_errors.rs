//! Bad input: every case exits 2 with a message naming the file, the
//! feature and what to do (see fixtures/bad/README.md), and leaves no
//! output file behind.

use crate::common;

use common::{chargecov, check_json, path_str};

const AREAS: &str = "fixtures/basic/areas.geojson";
const STATIONS: &str = "fixtures/basic/stations.geojson";

fn fails_with(args: &[&str], expected: &[&str]) {
    let out = chargecov()
        .arg("check")
        .args(args)
        .arg("-q")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout after an error");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    for needle in expected {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
}

fn bad_stations(file: &str, expected: &[&str]) {
    let path = format!("fixtures/bad/{file}");
    let mut needles = vec![path.as_str()];
    needles.extend_from_slice(expected);
    fails_with(&["--areas", AREAS, "--stations", &path], &needles);
}

#[test]
fn truncated_file() {
    bad_stations("truncated.geojson", &["ends in the middle", "truncated"]);
}

#[test]
fn malformed_json() {
    bad_stations("malformed.geojson", &["malformed JSON", "line 2"]);
}

#[test]
fn empty_feature_collection() {
    bad_stations("empty.geojson", &["no features"]);
    fails_with(
        &[
            "--areas",
            "fixtures/bad/empty.geojson",
            "--stations",
            STATIONS,
        ],
        &["fixtures/bad/empty.geojson", "no features", "no areas"],
    );
}

#[test]
fn null_geometry() {
    bad_stations(
        "null-geometry.geojson",
        &[
            "feature 1",
            "\"nothing-here\"",
            "null-geometry",
            "--skip-invalid",
        ],
    );
}

#[test]
fn nan_is_not_json() {
    bad_stations(
        "nan.geojson",
        &["malformed JSON", "NaN and Infinity are not JSON"],
    );
}

#[test]
fn out_of_range_coordinates() {
    bad_stations(
        "out-of-range.geojson",
        &[
            "2 unusable features",
            "feature 1 (id \"too-far-north\")",
            "latitude 95 is outside ±90",
            "feature 2 (id \"metres\")",
            "projected metres",
        ],
    );
}

#[test]
fn csv_without_coordinate_columns() {
    bad_stations(
        "no-coordinates.csv",
        &["no coordinate columns", "--lon-field", "--lat-field"],
    );
}

#[test]
fn area_of_the_wrong_geometry_type() {
    fails_with(
        &[
            "--areas",
            "fixtures/bad/linestring-area.geojson",
            "--stations",
            STATIONS,
        ],
        &[
            "linestring-area.geojson",
            "feature 0",
            "LineString",
            "Polygon or MultiPolygon",
        ],
    );
}

#[test]
fn unknown_declared_crs() {
    bad_stations("unknown-crs.geojson", &["EPSG:99999", "--stations-crs"]);
}

#[test]
fn degrees_in_a_projected_layer() {
    bad_stations(
        "degrees-declared-mercator.geojson",
        &[
            "feature 0",
            "lonlat",
            "looks like degrees",
            "--stations-crs wgs84",
        ],
    );
}

#[test]
#[cfg(not(feature = "proj"))]
fn a_crs_only_proj_knows_asks_for_the_proj_feature() {
    fails_with(
        &[
            "--areas",
            AREAS,
            "--stations",
            STATIONS,
            "--stations-crs",
            "ESRI:54009",
        ],
        &["ESRI:54009", "--features proj"],
    );
}

#[test]
fn unknown_crs_names_are_refused_by_the_flag_parser() {
    fails_with(
        &[
            "--areas",
            AREAS,
            "--stations",
            STATIONS,
            "--areas-crs",
            "mercator",
        ],
        &["--areas-crs", "unknown coordinate system", "gcj02"],
    );
}

#[test]
fn missing_file_and_bad_options() {
    fails_with(
        &["--areas", AREAS, "--stations", "fixtures/nope.geojson"],
        &["cannot read fixtures/nope.geojson"],
    );
    fails_with(&["--areas", AREAS], &["--stations"]);
    fails_with(
        &[
            "--areas",
            AREAS,
            "--stations",
            STATIONS,
            "--min-power-kw=-5",
        ],
        &["--min-power-kw"],
    );
    fails_with(
        &[
            "--areas",
            AREAS,
            "--stations",
            STATIONS,
            "--areas-out",
            "x.txt",
        ],
        &["--areas-out", ".csv"],
    );
    fails_with(
        &[
            "--areas",
            AREAS,
            "--stations",
            STATIONS,
            "--id-field",
            "nope",
        ],
        &["--id-field \"nope\"", "code, name, district"],
    );
}

#[test]
fn skip_invalid_drops_the_feature_and_warns() {
    let (code, r) = check_json(&[
        "--areas",
        AREAS,
        "--stations",
        "fixtures/bad/null-geometry.geojson",
        "--skip-invalid",
    ]);
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["stations_read"], 2);
    assert_eq!(r["summary"]["stations_total"], 1);
    assert_eq!(r["warnings"]["by_code"]["null-geometry"], 1);
}

#[test]
fn a_failed_run_writes_nothing_and_clobbers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let uncovered = dir.path().join("uncovered.geojson");
    std::fs::write(&report, "previous report").unwrap();
    fails_with(
        &[
            "--areas",
            AREAS,
            "--stations",
            "fixtures/bad/truncated.geojson",
            "--report",
            path_str(&report),
            "--uncovered",
            path_str(&uncovered),
        ],
        &["truncated"],
    );
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "previous report");
    assert!(!uncovered.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary files left"
    );
}

#[test]
fn csv_row_with_a_bad_number_names_row_and_line() {
    bad_stations(
        "csv-bad-row.csv",
        &[
            "row 1 (line 3)",
            "(id \"broken\")",
            "lat \"north\" is not a number",
        ],
    );
}

#[test]
fn skip_invalid_also_drops_bad_areas() {
    let dir = tempfile::tempdir().unwrap();
    let areas = dir.path().join("areas.geojson");
    std::fs::write(
        &areas,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"good"},"geometry":{"type":"Polygon","coordinates":[[[0,-0.5],[1,-0.5],[1,0.5],[0,0.5],[0,-0.5]]]}},
        {"type":"Feature","properties":{"code":"line"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}"#,
    )
    .unwrap();
    let (code, r) = check_json(&[
        "--areas",
        path_str(&areas),
        "--stations",
        STATIONS,
        "--skip-invalid",
    ]);
    assert_eq!(code, 0, "the one usable area has s1 and s5");
    assert_eq!(r["inputs"]["areas"]["features_read"], 2);
    assert_eq!(r["summary"]["areas_total"], 1);
    assert_eq!(r["warnings"]["by_code"]["geometry-type"], 1);
}

/// Broken binary layers (fixtures/bad/formats, table in
/// fixtures/bad/README.md): each named with the record or table and what
/// to do.
#[test]
fn broken_binary_layers() {
    let f = |name: &str| format!("fixtures/bad/formats/{name}");
    let cases: Vec<(String, &str, Vec<&str>, Vec<&str>)> = vec![
        (
            f("truncated-shp/zones.shp"),
            "--areas",
            vec![],
            vec![
                "record 4",
                "ends early (truncated)",
                "export the layer again",
            ],
        ),
        (
            f("missing-dbf/zones.shp"),
            "--areas",
            vec![],
            vec!["zones.dbf is missing", "keep the layer's files together"],
        ),
        (
            f("short-dbf/zones.shp"),
            "--areas",
            vec![],
            vec!["5 shapes but the .dbf 4 records", "different exports"],
        ),
        (
            f("two-shapefiles.zip"),
            "--areas",
            vec![],
            vec!["a/west.shp, b/east.shp", "--areas-layer"],
        ),
        (
            f("two-layers.gpkg"),
            "--areas",
            vec!["--areas-layer", "north"],
            vec!["no feature layer \"north\"", "east, west", "--areas-layer"],
        ),
        (
            f("attributes-only.gpkg"),
            "--areas",
            vec![],
            vec!["no geometry", "only attribute tables (zones_table)"],
        ),
        (
            f("latin1.csv"),
            "--stations",
            vec!["--encoding", "utf-8"],
            vec![
                "line 2 is not valid UTF-8",
                "--encoding UTF-8 does not fit",
                "leave --encoding out",
            ],
        ),
    ];
    let mut cases = cases;
    if cfg!(feature = "parquet") {
        cases.push((
            f("no-geometry.parquet"),
            "--stations",
            vec![],
            vec!["no geometry", "columns are code, name", "--lon-field"],
        ));
        // The fuzzer's third finding (fixtures/hostile/README.md).
        cases.push((
            "fixtures/hostile/corrupt-footer.parquet".to_owned(),
            "--areas",
            vec![],
            vec!["row group 0: column \"id\" lies outside the file"],
        ));
        // Its fourth: a dependency's panic, contained.
        cases.push((
            "fixtures/hostile/corrupt-page.parquet".to_owned(),
            "--areas",
            vec![],
            vec!["row group 0 is corrupt"],
        ));
    }
    for (path, flag, extra, expected) in &cases {
        let mut args = vec![flag.to_owned(), path.as_str()];
        if *flag == "--areas" {
            args.extend(["--stations", STATIONS]);
        } else {
            args.extend(["--areas", AREAS]);
        }
        args.extend(extra.iter().copied());
        let name = std::path::Path::new(path)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let mut needles = vec![name];
        needles.extend(expected.iter().copied());
        fails_with(&args, &needles);
    }
}
