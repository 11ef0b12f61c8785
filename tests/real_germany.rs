//! The German districts read straight from the BKG's Shapefile
//! (`../shared/data/germany/src/VG5000_KRS.shp`, EPSG:31467 in its `.prj`,
//! UTF-8 per its `.cpg`) give the same answers as the WGS84 GeoJSON made
//! from it (`kreise_vg5000_2021_wgs84.geojson.gz`), with the registered
//! chargers of 2019: the GeoJSON run is the reference, so every
//! district's id, name, counts and verdict must agree, and distances
//! within 1 m (the reprojection's rounding to 1e-7° in the GeoJSON).

use crate::common;

use common::{chargecov, path_str, shared_data};
use serde_json::Value;

fn run(areas: &std::path::Path, stations: &std::path::Path) -> Value {
    let out = chargecov()
        .args([
            "check",
            "--areas",
            path_str(areas),
            "--stations",
            path_str(stations),
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
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_shapefile_reads_as_its_geojson_export() {
    let (Some(shp), Some(geojson), Some(stations)) = (
        shared_data("real_germany", "germany/src/VG5000_KRS.shp"),
        shared_data(
            "real_germany",
            "germany/kreise_vg5000_2021_wgs84.geojson.gz",
        ),
        shared_data("real_germany", "germany/stations_bnetza_2019-07-19.csv.gz"),
    ) else {
        return;
    };
    let from_shp = run(&shp, &stations);
    let reference = run(&geojson, &stations);
    assert_eq!(from_shp["inputs"]["areas"]["format"], "shapefile");
    assert_eq!(
        from_shp["inputs"]["areas"]["crs"],
        "EPSG:31467, declared in the file"
    );
    let (a, b) = (
        from_shp["areas"].as_array().unwrap(),
        reference["areas"].as_array().unwrap(),
    );
    assert_eq!(a.len(), 401);
    assert_eq!(a.len(), b.len());
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
        for key in ["nearest_distance_m", "boundary_distance_m"] {
            let (p, q) = (x[key].as_f64(), y[key].as_f64());
            assert!(
                p.zip(q).is_none_or(|(p, q)| (p - q).abs() <= 1.0) && p.is_some() == q.is_some(),
                "{key} of {}: {p:?} vs {q:?}",
                y["id"]
            );
        }
    }
    // Umlauts decoded (the .cpg says UTF-8).
    assert!(a.iter().any(|x| x["name"] == "München"));
    assert_eq!(from_shp["summary"], reference["summary"]);
}
