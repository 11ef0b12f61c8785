//! GeoPackage output (OGC 12-128r18, version 1.3): one feature table of
//! MultiPolygons (or Points) with the features' properties as typed columns, the
//! output CRS in `gpkg_spatial_ref_sys` (EPSG systems by code and WKT;
//! GCJ-02/BD-09, which EPSG lacks, as an undefined-organisation system
//! that names itself), and an R-tree spatial index
//! (`gpkg_rtree_index`), so QGIS and GDAL open it as any other layer.
//!
//! Geometries are the standard's binary header with an xy envelope (a few
//! bytes of layout), then little-endian WKB written by the `wkb` crate;
//! checked by GDAL's `ogrinfo` in the tests.

use std::path::Path;

use geo::BoundingRect;
use rusqlite::{Connection, params_from_iter};
use serde_json::Value;

use crate::crs::Crs;
use std::borrow::Borrow;

use crate::output::{ColumnKind, ShapeLayer, ShapeRecord, promoted};

/// The srs_id, organisation, code and WKT definition of a CRS.
fn srs(crs: &Crs) -> (i64, &'static str, i64, String, String) {
    match crs.epsg() {
        Some(code) => {
            let wkt = crs.epsg_wkt().unwrap_or("undefined").to_owned();
            (
                i64::from(code),
                "EPSG",
                i64::from(code),
                wkt,
                crs.to_string(),
            )
        }
        // Not in EPSG: a project-local id, the name in the description.
        None => (
            990_001,
            "NONE",
            990_001,
            "undefined".to_owned(),
            crs.to_string(),
        ),
    }
}

/// Writes `records` as `layer` of a new GeoPackage at `path`.
pub fn write<R: Borrow<ShapeRecord>>(
    path: &Path,
    layer: &ShapeLayer,
    records: impl IntoIterator<Item = R>,
) -> rusqlite::Result<()> {
    let (table, kind, crs, columns) = (layer.name, layer.kind, layer.crs, &layer.columns);
    // A fresh file: the caller hands a new temporary path.
    let mut db = Connection::open(path)?;
    db.execute_batch(
        "PRAGMA application_id = 1196444487;
         PRAGMA user_version = 10300;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
           srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
           m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
         CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
           definition TEXT NOT NULL, scope TEXT NOT NULL,
           CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));",
    )?;
    let (srs_id, organisation, code, definition, description) = srs(crs);
    db.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            description,
            srs_id,
            organisation,
            code,
            definition,
            description
        ],
    )?;

    let definitions: Vec<String> = columns
        .iter()
        .map(|(name, kind)| {
            let sql = match kind {
                ColumnKind::Boolean => "BOOLEAN",
                ColumnKind::Integer => "INTEGER",
                ColumnKind::Real => "REAL",
                ColumnKind::Text => "TEXT",
            };
            format!("{} {sql}", quoted(name))
        })
        .collect();
    let mut create = format!(
        "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {}",
        quoted(table),
        kind.sql_name()
    );
    for d in &definitions {
        create.push_str(", ");
        create.push_str(d);
    }
    create.push(')');
    let rtree = format!("rtree_{table}_geom");
    let tx = db.transaction()?;
    tx.execute_batch(&create)?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        rusqlite::params![table, kind.sql_name(), srs_id],
    )?;
    tx.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy)",
        quoted(&rtree)
    ))?;
    tx.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        [table],
    )?;
    let placeholders: Vec<String> = (0..columns.len() + 1)
        .map(|i| format!("?{}", i + 1))
        .collect();
    let names: Vec<String> = columns.iter().map(|(n, _)| quoted(n)).collect();
    let insert = format!(
        "INSERT INTO {} (geom{}{}) VALUES ({})",
        quoted(table),
        if names.is_empty() { "" } else { ", " },
        names.join(", "),
        placeholders.join(", ")
    );
    let mut extent: Option<geo::Rect<f64>> = None;
    {
        let mut statement = tx.prepare(&insert)?;
        let mut index = tx.prepare(&format!(
            "INSERT INTO {} VALUES (?1, ?2, ?3, ?4, ?5)",
            quoted(&rtree)
        ))?;
        for record in records {
            let (geometry, properties) = record.borrow();
            let geometry = promoted(geometry, kind);
            let bounds = geometry.bounding_rect();
            let blob = geometry_blob(&geometry, srs_id as i32, bounds)?;
            let mut values: Vec<rusqlite::types::Value> = vec![blob.into()];
            values.extend(
                columns
                    .iter()
                    .map(|(name, _)| sql_value(properties.get(name))),
            );
            statement.execute(params_from_iter(values))?;
            let fid = tx.last_insert_rowid();
            if let Some(b) = bounds {
                index.execute(rusqlite::params![
                    fid,
                    b.min().x,
                    b.max().x,
                    b.min().y,
                    b.max().y
                ])?;
                extent = Some(match extent {
                    None => b,
                    Some(e) => geo::Rect::new(
                        (e.min().x.min(b.min().x), e.min().y.min(b.min().y)),
                        (e.max().x.max(b.max().x), e.max().y.max(b.max().y)),
                    ),
                });
            }
        }
    }
    let (min_x, min_y, max_x, max_y) = extent.map_or((None, None, None, None), |e| {
        (
            Some(e.min().x),
            Some(e.min().y),
            Some(e.max().x),
            Some(e.max().y),
        )
    });
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![table, min_x, min_y, max_x, max_y, srs_id],
    )?;
    tx.commit()?;
    db.close().map_err(|(_, e)| e)
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn sql_value(value: Option<&Value>) -> rusqlite::types::Value {
    use rusqlite::types::Value as Sql;
    match value {
        None | Some(Value::Null) => Sql::Null,
        Some(Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => n.as_f64().map_or(Sql::Null, Sql::Real),
        },
        Some(Value::String(s)) => Sql::Text(s.clone()),
        Some(other) => Sql::Text(other.to_string()),
    }
}

/// The GeoPackage binary header (flags: little-endian, xy envelope; or
/// the empty flag) and little-endian WKB (the `wkb` crate).
fn geometry_blob(
    geometry: &geo::Geometry<f64>,
    srs_id: i32,
    bounds: Option<geo::Rect<f64>>,
) -> rusqlite::Result<Vec<u8>> {
    let mut b = Vec::with_capacity(64);
    b.extend_from_slice(b"GP");
    b.push(0); // version 1
    match bounds {
        Some(e) => {
            b.push(0b0000_0011); // xy envelope, little-endian
            b.extend_from_slice(&srs_id.to_le_bytes());
            for v in [e.min().x, e.max().x, e.min().y, e.max().y] {
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => {
            b.push(0b0001_0001); // empty, no envelope, little-endian
            b.extend_from_slice(&srs_id.to_le_bytes());
        }
    }
    let options = wkb::writer::WriteOptions {
        endianness: wkb::Endianness::LittleEndian,
    };
    wkb::writer::write_geometry(&mut b, geometry, &options)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;
    use serde_json::Map;

    #[test]
    fn a_written_geopackage_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gpkg");
        let square = geo::MultiPolygon::new(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0), (x: 0.0, y: 0.0)
        ]]);
        let mut properties = Map::new();
        properties.insert("id".into(), Value::from("A"));
        properties.insert("n".into(), Value::from(3));
        properties.insert("d".into(), Value::from(2.5));
        let records = [(square.into(), properties)];
        let layer = ShapeLayer {
            name: "uncovered",
            kind: crate::output::ShapeKind::MultiPolygon,
            crs: &Crs::Wgs84,
            columns: crate::output::property_columns(&records),
        };
        write(&path, &layer, &records).unwrap();
        let db = Connection::open(&path).unwrap();
        let (id, n, d): (String, i64, f64) = db
            .query_row("SELECT id, n, d FROM uncovered", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!((id.as_str(), n, d), ("A", 3, 2.5));
        let srs: i64 = db
            .query_row(
                "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'uncovered'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(srs, 4326);
        let indexed: i64 = db
            .query_row("SELECT count(*) FROM rtree_uncovered_geom", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(indexed, 1);
    }
}
