//! FlatGeobuf output (specification v3) with the `flatgeobuf` crate: one
//! layer of MultiPolygons, the features' properties as typed columns, the
//! output CRS in the header (EPSG systems by code and WKT; GCJ-02/BD-09,
//! which EPSG lacks, by name only), and the packed Hilbert R-tree, so
//! QGIS, GDAL and web clients can read by bounding box (the features are
//! stored in index order, as the format's spatial index requires).

use std::borrow::Borrow;
use std::io::Write;

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::ColumnValue;

use crate::output::{Cell, ColumnKind, ShapeKind, ShapeLayer, ShapeRecord, cell, promoted};

/// Writes `records` as layer `name` of a FlatGeobuf to `out`.
pub fn write<R: Borrow<ShapeRecord>>(
    out: impl Write,
    layer: &ShapeLayer,
    records: impl IntoIterator<Item = R>,
) -> std::io::Result<()> {
    let (name, kind, crs, columns) = (layer.name, layer.kind, layer.crs, &layer.columns);
    let described = crs.to_string();
    let fgb_crs = match crs.epsg() {
        Some(code) => FgbCrs {
            code: i32::try_from(code).unwrap_or(0),
            wkt: crs.epsg_wkt(),
            ..Default::default()
        },
        None => FgbCrs {
            org: Some("NONE"),
            name: Some(&described),
            description: Some(&described),
            ..Default::default()
        },
    };
    let options = FgbWriterOptions {
        write_index: true,
        // Every geometry is of the layer's kind already.
        detect_type: false,
        promote_to_multi: true,
        crs: fgb_crs,
        ..Default::default()
    };
    let geometry_type = match kind {
        ShapeKind::MultiPolygon => GeometryType::MultiPolygon,
        ShapeKind::Point => GeometryType::Point,
        ShapeKind::LineString => GeometryType::LineString,
    };
    let mut fgb = FgbWriter::create_with_options(name, geometry_type, options)
        .map_err(std::io::Error::other)?;
    for (column, kind) in columns {
        let kind = match kind {
            ColumnKind::Boolean => ColumnType::Bool,
            ColumnKind::Integer => ColumnType::Long,
            ColumnKind::Real => ColumnType::Double,
            ColumnKind::Text => ColumnType::String,
        };
        fgb.add_column(column, kind, |_, c| c.nullable = true);
    }
    for record in records {
        let (geometry, properties) = record.borrow();
        let mut failed = None;
        fgb.add_feature_geom(promoted(geometry, kind), |feature| {
            use geozero::PropertyProcessor as _;
            for (i, (column, kind)) in columns.iter().enumerate() {
                let Some(cell) = cell(*kind, properties.get(column)) else {
                    continue;
                };
                let value = match &cell {
                    Cell::Bool(b) => ColumnValue::Bool(*b),
                    Cell::Int(v) => ColumnValue::Long(*v),
                    Cell::Real(v) => ColumnValue::Double(*v),
                    Cell::Text(s) => ColumnValue::String(s),
                };
                if let Err(e) = feature.property(i, column, &value) {
                    failed = Some(e);
                }
            }
        })
        .map_err(std::io::Error::other)?;
        if let Some(e) = failed {
            return Err(std::io::Error::other(e));
        }
    }
    fgb.write(out).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Crs;
    use crate::input::{InputFormat, ReadOptions, Source};
    use crate::output::tests::square;
    use serde_json::{Map, Value};

    /// Written, then read back through chargecov's own FlatGeobuf reader:
    /// the properties with their types, the geometry and the CRS.
    #[test]
    fn a_written_flatgeobuf_reads_back() {
        let mut properties = Map::new();
        properties.insert("id".into(), Value::from("A"));
        properties.insert("n".into(), Value::from(3));
        properties.insert("d".into(), Value::from(2.5));
        properties.insert("none".into(), Value::Null);
        let mut other = Map::new();
        other.insert("id".into(), Value::from("B"));
        other.insert("n".into(), Value::from(-4));
        let records = vec![
            (square(0.0).into(), properties),
            (square(10.0).into(), other),
        ];
        let mut bytes = Vec::new();
        let layer = ShapeLayer {
            name: "areas",
            kind: ShapeKind::MultiPolygon,
            crs: &Crs::Epsg(3857),
            columns: crate::output::property_columns(&records),
        };
        write(&mut bytes, &layer, &records).unwrap();
        let source = Source::from_bytes("out.fgb", bytes);
        let input = source.open_with(&ReadOptions::default()).unwrap();
        assert_eq!(input.format(), InputFormat::FlatGeobuf);
        let layer = crate::input::read_features(&input).unwrap();
        assert_eq!(layer.meta.declared_crs.as_deref(), Some("EPSG:3857"));
        let mut read: Vec<_> = layer
            .records
            .iter()
            .map(|r| {
                (
                    r.properties["id"].clone(),
                    r.properties["n"].clone(),
                    r.properties["d"].clone(),
                )
            })
            .collect();
        read.sort_by_key(|r| r.0.to_string());
        assert_eq!(
            read,
            vec![
                (Value::from("A"), Value::from(3), Value::from(2.5)),
                (Value::from("B"), Value::from(-4), Value::Null),
            ]
        );
        let a = layer
            .records
            .iter()
            .find(|r| r.properties["id"] == "A")
            .unwrap();
        match &a.geometry {
            crate::input::raw::RawGeometry::MultiPolygon(polygons) => {
                assert_eq!(polygons.len(), 1);
                assert_eq!(polygons[0][0].len(), 5);
                assert!(polygons[0][0].contains(&(1.0, 1.0)));
            }
            other => panic!("not a MultiPolygon: {other:?}"),
        }
    }

    #[test]
    fn an_empty_layer_is_a_valid_file() {
        let mut bytes = Vec::new();
        let layer = ShapeLayer {
            name: "uncovered",
            kind: ShapeKind::MultiPolygon,
            crs: &Crs::Wgs84,
            columns: vec![],
        };
        write(&mut bytes, &layer, Vec::<ShapeRecord>::new()).unwrap();
        assert!(bytes.starts_with(b"fgb\x03"));
        // Readers see a header and no features: chargecov calls the layer empty.
        let source = Source::from_bytes("out.fgb", bytes);
        let input = source.open_with(&ReadOptions::default()).unwrap();
        assert!(matches!(
            crate::input::read_features(&input),
            Err(crate::error::Error::EmptyLayer { .. })
        ));
    }
}
