//! GeoParquet output (GeoParquet 1.1 metadata, Apache `parquet` without
//! Arrow): a `geometry` column of little-endian WKB (MultiPolygons or
//! Points) (the `wkb` crate), the
//! properties as typed, nullable columns, snappy compression, row groups
//! of 65,536 rows, and the `geo` key-value metadata (encoding, geometry
//! types, bounding box).
//!
//! The CRS: GeoParquet states it as PROJJSON, absent meaning OGC:CRS84.
//! WGS84 output leaves it absent; any other output CRS would need a full
//! PROJJSON definition, which the pure-Rust build cannot produce, so it is
//! refused ([`Unsupported`]) rather than written half-declared.

use std::borrow::Borrow;
use std::io::Write;
use std::sync::Arc;

use geo::BoundingRect;
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use serde_json::json;

use crate::crs::Crs;
use crate::output::{Cell, ColumnKind, ShapeKind, ShapeLayer, ShapeRecord, cell, promoted};

/// Rows per row group.
const ROW_GROUP: usize = 1 << 16;

/// Why a layer cannot be written as GeoParquet.
#[derive(Debug, thiserror::Error)]
pub enum Unsupported {
    /// Only WGS84 can be declared without PROJJSON.
    #[error(
        "GeoParquet declares a CRS other than WGS84 as PROJJSON, which this build cannot write for {0}"
    )]
    Crs(String),
}

/// Whether `crs` can be written (see the module notes).
pub fn supports(crs: &Crs) -> Result<(), Unsupported> {
    match crs {
        Crs::Wgs84 => Ok(()),
        other => Err(Unsupported::Crs(other.to_string())),
    }
}

/// Writes `records` as GeoParquet to `out`, a row group at a time.
pub fn write<R: Borrow<ShapeRecord>>(
    out: impl Write + Send,
    layer: &ShapeLayer,
    records: impl IntoIterator<Item = R>,
) -> std::io::Result<()> {
    supports(layer.crs).map_err(std::io::Error::other)?;
    let (kind, columns) = (layer.kind, &layer.columns);
    let mut fields = vec![Arc::new(
        Type::primitive_type_builder("geometry", Physical::BYTE_ARRAY)
            .with_repetition(Repetition::OPTIONAL)
            .build()
            .map_err(std::io::Error::other)?,
    )];
    for (name, kind) in columns {
        let (physical, logical) = match kind {
            ColumnKind::Boolean => (Physical::BOOLEAN, None),
            ColumnKind::Integer => (Physical::INT64, None),
            ColumnKind::Real => (Physical::DOUBLE, None),
            ColumnKind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        };
        fields.push(Arc::new(
            Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map_err(std::io::Error::other)?,
        ));
    }
    let schema = Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(std::io::Error::other)?,
    );
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("chargecov {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = SerializedFileWriter::new(out, schema, Arc::new(properties))
        .map_err(std::io::Error::other)?;

    let mut extent: Option<geo::Rect<f64>> = None;
    let mut records = records.into_iter();
    loop {
        let group: Vec<R> = records.by_ref().take(ROW_GROUP).collect();
        if group.is_empty() {
            break;
        }
        for (g, _) in group.iter().map(Borrow::borrow) {
            if let Some(b) = g.bounding_rect() {
                extent = Some(match extent {
                    None => b,
                    Some(e) => geo::Rect::new(
                        (e.min().x.min(b.min().x), e.min().y.min(b.min().y)),
                        (e.max().x.max(b.max().x), e.max().y.max(b.max().y)),
                    ),
                });
            }
        }
        write_group(&mut writer, kind, columns, &group)?;
    }

    let mut column = json!({
        "encoding": "WKB",
        "geometry_types": [kind.name()],
    });
    if let Some(e) = extent {
        column["bbox"] = json!([e.min().x, e.min().y, e.max().x, e.max().y]);
    }
    let geo = json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": { "geometry": column },
    });
    writer.append_key_value_metadata(KeyValue::new("geo".to_owned(), geo.to_string()));
    writer.close().map_err(std::io::Error::other)?;
    Ok(())
}

/// One row group: the WKB column, then each property column.
fn write_group<W: Write + Send, R: Borrow<ShapeRecord>>(
    writer: &mut SerializedFileWriter<W>,
    kind: ShapeKind,
    columns: &[(String, ColumnKind)],
    group: &[R],
) -> std::io::Result<()> {
    let wkb_options = wkb::writer::WriteOptions {
        endianness: wkb::Endianness::LittleEndian,
    };
    let mut row_group = writer.next_row_group().map_err(std::io::Error::other)?;
    let mut index = 0;
    while let Some(mut column) = row_group.next_column().map_err(std::io::Error::other)? {
        if index == 0 {
            let mut values = Vec::with_capacity(group.len());
            for record in group {
                let mut buffer = Vec::new();
                wkb::writer::write_geometry(
                    &mut buffer,
                    &promoted(&record.borrow().0, kind),
                    &wkb_options,
                )
                .map_err(std::io::Error::other)?;
                values.push(ByteArray::from(buffer));
            }
            let levels = vec![1i16; values.len()];
            column
                .typed::<ByteArrayType>()
                .write_batch(&values, Some(&levels), None)
                .map_err(std::io::Error::other)?;
        } else {
            let (name, kind) = &columns[index - 1];
            let cells: Vec<Cell> = group
                .iter()
                .filter_map(|r| cell(*kind, r.borrow().1.get(name)))
                .collect();
            let levels: Vec<i16> = group
                .iter()
                .map(|r| i16::from(cell(*kind, r.borrow().1.get(name)).is_some()))
                .collect();
            // `cell` gives each kind only its own variant.
            let result = match kind {
                ColumnKind::Boolean => {
                    let values: Vec<bool> = cells
                        .iter()
                        .filter_map(|c| match c {
                            Cell::Bool(b) => Some(*b),
                            _ => None,
                        })
                        .collect();
                    column
                        .typed::<BoolType>()
                        .write_batch(&values, Some(&levels), None)
                }
                ColumnKind::Integer => {
                    let values: Vec<i64> = cells
                        .iter()
                        .filter_map(|c| match c {
                            Cell::Int(v) => Some(*v),
                            _ => None,
                        })
                        .collect();
                    column
                        .typed::<Int64Type>()
                        .write_batch(&values, Some(&levels), None)
                }
                ColumnKind::Real => {
                    let values: Vec<f64> = cells
                        .iter()
                        .filter_map(|c| match c {
                            Cell::Real(v) => Some(*v),
                            _ => None,
                        })
                        .collect();
                    column
                        .typed::<DoubleType>()
                        .write_batch(&values, Some(&levels), None)
                }
                ColumnKind::Text => {
                    let values: Vec<ByteArray> = cells
                        .iter()
                        .filter_map(|c| match c {
                            Cell::Text(s) => Some(ByteArray::from(s.as_ref())),
                            _ => None,
                        })
                        .collect();
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&values, Some(&levels), None)
                }
            };
            result.map_err(std::io::Error::other)?;
        }
        column.close().map_err(std::io::Error::other)?;
        index += 1;
    }
    row_group.close().map_err(std::io::Error::other)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputFormat, ReadOptions, Source};
    use crate::output::tests::square;
    use serde_json::{Map, Value};

    /// Written, then read back through chargecov's GeoParquet reader: the
    /// typed properties (nulls kept), the geometry, WGS84 declared by
    /// omission.
    #[test]
    fn a_written_geoparquet_reads_back() {
        let mut a = Map::new();
        a.insert("id".into(), Value::from("A"));
        a.insert("n".into(), Value::from(3));
        a.insert("d".into(), Value::from(2.5));
        a.insert("ok".into(), Value::from(true));
        let mut b = Map::new();
        b.insert("id".into(), Value::from("B"));
        b.insert("n".into(), Value::Null);
        b.insert("ok".into(), Value::from(false));
        let records = vec![(square(0.0).into(), a), (square(10.0).into(), b)];
        let mut bytes = Vec::new();
        let layer = ShapeLayer {
            name: "areas",
            kind: ShapeKind::MultiPolygon,
            crs: &Crs::Wgs84,
            columns: crate::output::property_columns(&records),
        };
        write(&mut bytes, &layer, &records).unwrap();
        let source = Source::from_bytes("out.parquet", bytes);
        let input = source.open_with(&ReadOptions::default()).unwrap();
        assert_eq!(input.format(), InputFormat::GeoParquet);
        let layer = crate::input::read_features(&input).unwrap();
        assert_eq!(layer.meta.declared_crs.as_deref(), Some("EPSG:4326"));
        let p: Vec<_> = layer.records.iter().map(|r| &r.properties).collect();
        assert_eq!(p[0]["id"], "A");
        assert_eq!(p[0]["n"], 3);
        assert_eq!(p[0]["d"], 2.5);
        assert_eq!(p[0]["ok"], true);
        assert_eq!(p[1]["id"], "B");
        assert_eq!(p[1]["n"], Value::Null);
        assert_eq!(p[1]["d"], Value::Null);
        assert_eq!(p[1]["ok"], false);
        match &layer.records[1].geometry {
            crate::input::raw::RawGeometry::MultiPolygon(polygons) => {
                assert_eq!(polygons[0][0][1], (11.0, 0.0));
            }
            other => panic!("not a MultiPolygon: {other:?}"),
        }
    }

    #[test]
    fn other_crs_are_refused_before_writing() {
        let mut bytes = Vec::new();
        let layer = ShapeLayer {
            name: "areas",
            kind: ShapeKind::MultiPolygon,
            crs: &Crs::Epsg(3857),
            columns: vec![],
        };
        let err = write(&mut bytes, &layer, Vec::<ShapeRecord>::new()).unwrap_err();
        assert!(err.to_string().contains("PROJJSON"), "{err}");
        assert!(bytes.is_empty());
    }
}
