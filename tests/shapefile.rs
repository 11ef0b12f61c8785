//! Shapefiles through the reader seam: tiny layers written here (with the
//! `shapefile` crate's writer) whose answers follow from their geometry,
//! attributes in GBK without a `.cpg`, points as stations, and the broken
//! cases (truncated `.shp`, missing `.dbf`, too few `.dbf` records, an
//! unknown `.prj`), each exit 2 with a message naming the file.
//!
//! The layer: two unit squares, A = [0,1]×[0,1] (id 1, "南山区") and
//! B = [2,3]×[0,1] (id 2, "福田区"); stations S1 (0.5, 0.5, 120 kW) in A
//! and S2 (5, 5, 60 kW) in neither. With `--min-power-kw 100` only A is
//! covered (S1 lies inside it and qualifies): exit 1.

use crate::common;

use std::path::{Path, PathBuf};

use common::{chargecov, check_files, path_str};
use shapefile::dbase::{self, FieldName, FieldValue, TableWriterBuilder};
use shapefile::{Point, Polygon, PolygonRing};

fn square(x0: f64) -> Polygon {
    // Outer rings run clockwise in a Shapefile.
    Polygon::new(PolygonRing::Outer(vec![
        Point::new(x0, 0.0),
        Point::new(x0, 1.0),
        Point::new(x0 + 1.0, 1.0),
        Point::new(x0 + 1.0, 0.0),
        Point::new(x0, 0.0),
    ]))
}

/// Writes the two squares with GBK-encoded names; the header's code-page
/// mark is cleared, so the encoding must be detected from the bytes.
fn write_areas(dir: &Path) -> PathBuf {
    let shp = dir.join("zones.shp");
    let table =
        TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::GBK))
            .add_numeric_field(FieldName::try_from("CODE").unwrap(), 10, 0)
            .add_character_field(FieldName::try_from("NAME").unwrap(), 20);
    let mut writer = shapefile::Writer::from_path(&shp, table).unwrap();
    for (x0, code, name) in [(0.0, 1.0, "南山区"), (2.0, 2.0, "福田区")] {
        let mut record = dbase::Record::default();
        record.insert("CODE".into(), FieldValue::Numeric(Some(code)));
        record.insert("NAME".into(), FieldValue::Character(Some(name.into())));
        writer.write_shape_and_record(&square(x0), &record).unwrap();
    }
    drop(writer);
    let dbf = shp.with_extension("dbf");
    let mut bytes = std::fs::read(&dbf).unwrap();
    bytes[29] = 0;
    std::fs::write(&dbf, bytes).unwrap();
    shp
}

fn write_stations(dir: &Path) -> PathBuf {
    let shp = dir.join("chargers.shp");
    let table = TableWriterBuilder::new()
        .add_character_field(FieldName::try_from("ID").unwrap(), 10)
        .add_numeric_field(FieldName::try_from("POWER_KW").unwrap(), 10, 1);
    let mut writer = shapefile::Writer::from_path(&shp, table).unwrap();
    for (x, y, id, kw) in [(0.5, 0.5, "S1", 120.0), (5.0, 5.0, "S2", 60.0)] {
        let mut record = dbase::Record::default();
        record.insert("ID".into(), FieldValue::Character(Some(id.into())));
        record.insert("POWER_KW".into(), FieldValue::Numeric(Some(kw)));
        writer
            .write_shape_and_record(&Point::new(x, y), &record)
            .unwrap();
    }
    shp
}

#[test]
fn areas_and_stations_from_shapefiles() {
    let dir = tempfile::tempdir().unwrap();
    let areas = write_areas(dir.path());
    let stations = write_stations(dir.path());
    let (code, r, err) = check_files(&areas, &stations, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(r["inputs"]["areas"]["format"], "shapefile");
    assert_eq!(r["inputs"]["areas"]["fields"]["id"], "CODE");
    assert_eq!(r["inputs"]["stations"]["fields"]["power"], "POWER_KW");
    let areas = r["areas"].as_array().unwrap();
    assert_eq!(areas[0]["id"], "1");
    assert_eq!(areas[0]["name"], "南山区", "GBK detected without a .cpg");
    assert_eq!(areas[1]["name"], "福田区");
    assert_eq!(areas[0]["covered"], true);
    assert_eq!(areas[0]["nearest_station_id"], "S1");
    assert_eq!(areas[1]["covered"], false);
    assert_eq!(r["summary"]["stations_outside_areas"], 1);
}

#[test]
fn broken_shapefiles_are_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let stations = write_stations(dir.path());

    // A truncated .shp.
    let sub = dir.path().join("truncated");
    std::fs::create_dir(&sub).unwrap();
    let areas = write_areas(&sub);
    let bytes = std::fs::read(&areas).unwrap();
    std::fs::write(&areas, &bytes[..bytes.len() - 40]).unwrap();
    std::fs::remove_file(areas.with_extension("shx")).unwrap();
    let (code, _, err) = check_files(&areas, &stations, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("zones.shp") && err.contains("not readable as"),
        "{err}"
    );

    // No .dbf.
    let sub = dir.path().join("no-dbf");
    std::fs::create_dir(&sub).unwrap();
    let areas = write_areas(&sub);
    std::fs::remove_file(areas.with_extension("dbf")).unwrap();
    let (code, _, err) = check_files(&areas, &stations, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("zones.shp: zones.dbf is missing"), "{err}");

    // A .dbf from another export: one record for two shapes (the header's
    // record count, bytes 4–7, says 1).
    let sub = dir.path().join("short-dbf");
    std::fs::create_dir(&sub).unwrap();
    let areas = write_areas(&sub);
    let dbf = areas.with_extension("dbf");
    let mut bytes = std::fs::read(&dbf).unwrap();
    bytes[4..8].copy_from_slice(&1u32.to_le_bytes());
    std::fs::write(&dbf, bytes).unwrap();
    let (code, _, err) = check_files(&areas, &stations, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("2 shapes but the .dbf 1 records"), "{err}");

    // A .prj naming a system chargecov does not know: refused, and the
    // flag overrides it.
    let sub = dir.path().join("odd-prj");
    std::fs::create_dir(&sub).unwrap();
    let areas = write_areas(&sub);
    std::fs::write(
        areas.with_extension("prj"),
        r#"PROJCS["Made_Up_Local_Grid",GEOGCS["GCS_Local"],PROJECTION["Transverse_Mercator"]]"#,
    )
    .unwrap();
    let (code, _, err) = check_files(&areas, &stations, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("Made_Up_Local_Grid") && err.contains("--areas-crs"),
        "{err}"
    );
    let (code, r, err) = check_files(&areas, &stations, &["--areas-crs", "wgs84"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(r["summary"]["areas_covered"], 1);

    // A Shapefile cannot come through standard input.
    let out = chargecov()
        .args(["check", "--areas", "-", "--stations", path_str(&stations)])
        .write_stdin(std::fs::read(&areas).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not from a stream"));
}

#[test]
fn a_prj_sets_the_coordinate_system() {
    // A square written in EPSG:3857 metres with a .prj saying so: the
    // WGS84 square [100°,101°]×[20°,21°] in Web Mercator (x = R·λ,
    // y = R·ln tan(π/4 + φ/2), R = 6378137 m; pyproj's
    // Transformer.from_crs(4326, 3857) gives the same to the last digit).
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("merc.shp");
    let table =
        TableWriterBuilder::new().add_character_field(FieldName::try_from("ID").unwrap(), 4);
    let mut writer = shapefile::Writer::from_path(&shp, table).unwrap();
    let (x0, x1) = (11_131_949.079_327_356, 11_243_268.570_120_63);
    let (y0, y1) = (2_273_030.926_987_689, 2_391_878.587_944_315);
    let ring = PolygonRing::Outer(vec![
        Point::new(x0, y0),
        Point::new(x0, y1),
        Point::new(x1, y1),
        Point::new(x1, y0),
        Point::new(x0, y0),
    ]);
    let mut record = dbase::Record::default();
    record.insert("ID".into(), FieldValue::Character(Some("M".into())));
    writer
        .write_shape_and_record(&Polygon::new(ring), &record)
        .unwrap();
    drop(writer);
    std::fs::write(
        shp.with_extension("prj"),
        r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],UNIT["Meter",1.0]]"#,
    )
    .unwrap();
    let stations = dir.path().join("s.csv");
    std::fs::write(&stations, "id,lon,lat,power_kw\nS,100.5,20.5,120\n").unwrap();
    let (code, r, err) = check_files(&shp, &stations, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        r["inputs"]["areas"]["crs"],
        "EPSG:3857, declared in the file"
    );
    assert_eq!(r["areas"][0]["covered"], true);
}

/// Zips `files` (stored, uncompressed) into `archive`.
fn zip(archive: &Path, files: &[(&str, &Path)]) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(archive).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, path) in files {
        writer.start_file(*name, options).unwrap();
        std::io::Write::write_all(&mut writer, &std::fs::read(path).unwrap()).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn a_zipped_shapefile_reads_as_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let areas = write_areas(dir.path());
    let stations = write_stations(dir.path());
    let (_, expected, _) = check_files(&areas, &stations, &[]);
    let part = |ext: &str| areas.with_extension(ext);
    let (shp, shx, dbf) = (part("shp"), part("shx"), part("dbf"));
    let one = dir.path().join("one.zip");
    zip(
        &one,
        &[
            ("data/zones.shp", &shp),
            ("data/zones.shx", &shx),
            ("data/zones.dbf", &dbf),
        ],
    );
    let two = dir.path().join("two.zip");
    zip(
        &two,
        &[
            ("zones.shp", &shp),
            ("zones.dbf", &dbf),
            ("other.shp", &shp),
            ("other.dbf", &dbf),
            ("readme.txt", &dbf),
        ],
    );
    let member = dir.path().join("two.zip").join("other.shp");
    for (path, extra) in [
        (one.clone(), vec![]),
        (member, vec![]),
        (two.clone(), vec!["--areas-layer", "zones"]),
    ] {
        let (code, r, err) = check_files(&path, &stations, &extra);
        assert_eq!(code, 1, "{path:?}: {err}");
        assert_eq!(r["areas"], expected["areas"], "{path:?}");
    }
    let (code, _, err) = check_files(&two, &stations, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("holds 2 feature layers: other.shp, zones.shp"),
        "{err}"
    );
    // A member's missing part is named inside the archive.
    let broken = dir.path().join("broken.zip");
    zip(&broken, &[("zones.shp", &shp)]);
    let (code, _, err) = check_files(&broken, &stations, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("broken.zip/zones.shp: zones.dbf is missing"),
        "{err}"
    );
}
