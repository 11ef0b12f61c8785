//! ESRI Shapefiles: the `.shp` named, its `.shx`, `.dbf`, `.prj` and
//! `.cpg` beside it (read with the `shapefile` and `dbase` crates).
//!
//! - Attributes come from the `.dbf`, in its field order; their text
//!   encoding is the one the caller names, else the `.cpg`'s, else the
//!   `.dbf` header's code page, else detected ([`crate::input::encoding`]).
//! - The coordinate system is the `.prj`'s (ESRI or OGC WKT, see
//!   [`crate::crs::wkt`]), declared like a GeoJSON `crs` member: a flag
//!   still overrides it, and one the table does not know is refused.
//! - Polygon rings: outer rings (clockwise) start polygons, each inner
//!   ring (a hole) goes to the outer ring that contains it.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use shapefile::dbase::{self, FieldValue};
use shapefile::{PolygonRing, Shape};

use crate::error::{Error, Layer, Result};
use crate::fields::StationFieldSpecs;
use crate::input::encoding::detect;
use crate::input::format::InputFormat;
use crate::input::raw::{
    LayerMeta, Position, RawFeature, RawGeometry, RawLayer, RawPoint, RawStation, Scalar,
};
use crate::input::{Collect, Input, LayerReader, TextEncoding, convert_in_chunks};

/// The reader of ESRI Shapefiles.
#[derive(Debug, Clone, Copy)]
pub struct Shapefile;

impl LayerReader for Shapefile {
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        let files = Files::of(input)?;
        let (shapes, records, fields) = files.read()?;
        let mut areas = Vec::with_capacity(shapes.len());
        for (index, (shape, record)) in shapes.into_iter().zip(records).enumerate() {
            areas.push(RawFeature {
                index,
                feature_id: None,
                properties: properties(record, &fields),
                geometry: feature_geometry(shape),
            });
        }
        let mut meta = LayerMeta::new(InputFormat::Shapefile, areas.len());
        meta.declared_crs = files.declared_crs()?;
        if areas.is_empty() {
            return Err(Error::EmptyLayer {
                source_name: input.name(),
                format: InputFormat::Shapefile,
                layer: Layer::Areas,
            });
        }
        Ok(RawLayer {
            records: areas,
            meta,
        })
    }

    fn read_stations<T: Send>(
        &self,
        input: &Input,
        specs: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let files = Files::of(input)?;
        let (shapes, records, fields) = files.read()?;
        let id = specs.id.pick(&fields);
        let power = specs.power.pick(&fields);
        let required: Vec<&str> = specs.required.iter().take(64).map(String::as_str).collect();
        let captures = specs.feed.captures();
        let kept = crate::feed::CapturedColumns::new(captures, &fields);
        let mut stations = Vec::with_capacity(shapes.len());
        for (index, (shape, mut record)) in shapes.into_iter().zip(records).enumerate() {
            let captured = kept.row(captures, |_, name| {
                record.get(name).map(|v| scalar(v.clone()).to_json())
            });
            let present = required
                .iter()
                .enumerate()
                .filter(|(_, name)| {
                    record
                        .get(name)
                        .is_some_and(|v| !matches!(scalar(v.clone()), Scalar::Null))
                })
                .fold(0u64, |bits, (i, _)| bits | 1 << i);
            let mut value = |column: Option<usize>| {
                let name = &fields[column?];
                let v = scalar(record.remove(name)?);
                (!matches!(v, Scalar::Null)).then_some((0u8, v))
            };
            stations.push(RawStation {
                index,
                feature_id: None,
                id: value(id),
                power: value(power),
                present,
                captured,
                geometry: point(shape),
            });
        }
        if stations.is_empty() {
            return Err(Error::EmptyLayer {
                source_name: input.name(),
                format: InputFormat::Shapefile,
                layer: Layer::Stations,
            });
        }
        let mut meta = LayerMeta::new(InputFormat::Shapefile, stations.len());
        meta.declared_crs = files.declared_crs()?;
        meta.id_field = id.map(|i| fields[i].clone());
        meta.power_field = power.map(|i| fields[i].clone());
        meta.fields = fields.to_vec();
        convert_in_chunks(stations, convert, sink);
        Ok(meta)
    }
}

/// A Shapefile's files.
struct Files {
    name: String,
    shp: PathBuf,
    /// The encoding named by the caller, over the `.cpg` and detection.
    forced: Option<TextEncoding>,
}

impl Files {
    fn of(input: &Input) -> Result<Files> {
        let shp = input.file_path(InputFormat::Shapefile)?;
        Ok(Files {
            name: input.name(),
            shp: shp.to_path_buf(),
            forced: input.encoding(),
        })
    }

    /// The sibling with extension `ext` (either case), if it exists.
    fn sibling(&self, ext: &str) -> Option<PathBuf> {
        [ext.to_owned(), ext.to_ascii_uppercase()]
            .into_iter()
            .map(|e| self.shp.with_extension(e))
            .find(|p| p.is_file())
    }

    fn malformed(&self, file: &Path, problem: String) -> Error {
        Error::Malformed {
            source_name: file.display().to_string(),
            format: InputFormat::Shapefile,
            problem,
        }
    }

    /// The shapes, the attribute records (same count) and the field names
    /// in the `.dbf`'s order.
    fn read(&self) -> Result<(Vec<Shape>, Vec<dbase::Record>, Vec<String>)> {
        let mut reader = shapefile::ShapeReader::from_path(&self.shp)
            .map_err(|e| self.malformed(&self.shp, describe(&e)))?;
        let mut shapes = Vec::new();
        for shape in reader.iter_shapes() {
            let shape = shape.map_err(|e| {
                self.malformed(
                    &self.shp,
                    format!("record {}: {}", shapes.len(), describe(&e)),
                )
            })?;
            shapes.push(shape);
        }
        let Some(dbf) = self.sibling("dbf") else {
            return Err(Error::MissingCompanion {
                source_name: self.name.clone(),
                companion: self
                    .shp
                    .with_extension("dbf")
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                holds: "the attributes (ids, names, power)",
            });
        };
        let encoding = self.encoding(&dbf)?;
        let file = File::open(&dbf).map_err(|error| Error::Read {
            source_name: dbf.display().to_string(),
            error,
        })?;
        let mut reader = dbase::ReaderBuilder::new()
            .with_encoding(encoding)
            .build(BufReader::new(file))
            .map_err(|e| self.malformed(&dbf, e.to_string()))?;
        let fields: Vec<String> = reader
            .fields()
            .iter()
            .map(|f| f.name().to_owned())
            .filter(|n| n != "DeletionFlag")
            .collect();
        let records = reader
            .read()
            .map_err(|e| self.malformed(&dbf, e.to_string()))?;
        if records.len() != shapes.len() {
            return Err(Error::RecordCountMismatch {
                source_name: self.name.clone(),
                shapes: shapes.len(),
                records: records.len(),
            });
        }
        Ok((shapes, records, fields))
    }

    /// The `.dbf`'s text encoding: the `.cpg`'s, the header's code page,
    /// or detected from the bytes.
    fn encoding(&self, dbf: &Path) -> Result<dbase::encoding::DynEncoding> {
        if let Some(forced) = self.forced {
            return Ok(dbase::encoding::EncodingRs::from(forced.get()).into());
        }
        if let Some(cpg) = self.sibling("cpg")
            && let Ok(label) = crate::input::limits::read_small_text(&cpg, 4096)
        {
            if let Some(encoding) = crate::input::encoding::code_page_label(&label) {
                return Ok(dbase::encoding::EncodingRs::from(encoding).into());
            }
            let label = label.trim().trim_start_matches('\u{feff}');
            if let Some(encoding) = dbase::encoding::DynEncoding::from_name(label) {
                return Ok(encoding);
            }
        }
        let bytes = std::fs::read(dbf).map_err(|error| Error::Read {
            source_name: dbf.display().to_string(),
            error,
        })?;
        // Byte 29 of the header is the language driver (code page) mark.
        let mark = bytes.get(29).copied().unwrap_or(0);
        if let Some(encoding) = code_page(mark) {
            return Ok(dbase::encoding::EncodingRs::from(encoding).into());
        }
        Ok(dbase::encoding::EncodingRs::from(detect(&bytes)).into())
    }

    /// The `.prj`'s text, as the layer's declared coordinate system.
    fn declared_crs(&self) -> Result<Option<String>> {
        let Some(prj) = self.sibling("prj") else {
            return Ok(None);
        };
        let text =
            crate::input::limits::read_small_text(&prj, 1 << 20).map_err(|error| Error::Read {
                source_name: prj.display().to_string(),
                error,
            })?;
        let text = text.trim();
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }
}

/// The `shapefile` crate's error in words.
fn describe(e: &shapefile::Error) -> String {
    match e {
        shapefile::Error::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends early (truncated)".to_owned()
        }
        other => other.to_string(),
    }
}

/// The encodings of the common dBASE language driver marks (the codes
/// of the ESRI/dBASE table; 0 means none given).
fn code_page(mark: u8) -> Option<&'static encoding_rs::Encoding> {
    Some(match mark {
        0x57 | 0x03 => encoding_rs::WINDOWS_1252,
        0x4D | 0x7A => encoding_rs::GBK,
        0x4E => encoding_rs::EUC_KR,
        0x4F | 0x78 => encoding_rs::BIG5,
        0x13 | 0x7B => encoding_rs::SHIFT_JIS,
        0xC8 => encoding_rs::WINDOWS_1250,
        0xC9 => encoding_rs::WINDOWS_1251,
        _ => return None,
    })
}

/// A `.dbf` value as a property value.
fn json(value: FieldValue) -> Value {
    match scalar(value) {
        Scalar::Str(s) => Value::String(s.into()),
        Scalar::Int(i) => Value::from(i),
        Scalar::UInt(u) => Value::from(u),
        Scalar::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Null | Scalar::Compound => Value::Null,
    }
}

/// A `.dbf` value as a scalar: whole numbers as integers (ids such as
/// `1054` stay `1054`, not `1054.0`), text trimmed, empty as null.
fn scalar(value: FieldValue) -> Scalar {
    let number = |f: f64| {
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            Scalar::Int(f as i64)
        } else {
            Scalar::Float(f)
        }
    };
    match value {
        FieldValue::Character(Some(s)) | FieldValue::Memo(s) => {
            let t = s.trim();
            if t.is_empty() {
                Scalar::Null
            } else {
                Scalar::Str(t.into())
            }
        }
        FieldValue::Numeric(Some(f)) | FieldValue::Double(f) | FieldValue::Currency(f) => number(f),
        FieldValue::Float(Some(f)) => number(f64::from(f)),
        FieldValue::Integer(i) => Scalar::Int(i64::from(i)),
        FieldValue::Logical(Some(b)) => Scalar::Bool(b),
        FieldValue::Date(Some(d)) => Scalar::Str(d.to_string().into()),
        FieldValue::DateTime(dt) => Scalar::Str(format!("{dt:?}").into()),
        _ => Scalar::Null,
    }
}

/// The record's values in the `.dbf`'s field order.
fn properties(mut record: dbase::Record, fields: &[String]) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|name| Some((name.clone(), json(record.remove(name)?))))
        .collect()
}

fn point(shape: Shape) -> RawPoint {
    match shape {
        Shape::Point(p) => RawPoint::Point(p.x, p.y),
        Shape::PointM(p) => RawPoint::Point(p.x, p.y),
        Shape::PointZ(p) => RawPoint::Point(p.x, p.y),
        Shape::NullShape => RawPoint::Null,
        Shape::Multipoint(m) if m.points().len() == 1 => {
            RawPoint::Point(m.points()[0].x, m.points()[0].y)
        }
        other => RawPoint::WrongType(shape_name(&other).to_owned()),
    }
}

fn shape_name(shape: &Shape) -> &'static str {
    match shape {
        Shape::NullShape => "null shape",
        Shape::Point(_) | Shape::PointM(_) | Shape::PointZ(_) => "Point",
        Shape::Polyline(_) | Shape::PolylineM(_) | Shape::PolylineZ(_) => "Polyline (LineString)",
        Shape::Polygon(_) | Shape::PolygonM(_) | Shape::PolygonZ(_) => "Polygon",
        Shape::Multipoint(_) | Shape::MultipointM(_) | Shape::MultipointZ(_) => "MultiPoint",
        Shape::Multipatch(_) => "MultiPatch",
    }
}

fn feature_geometry(shape: Shape) -> RawGeometry {
    let rings: Vec<(bool, Vec<Position>)> = match shape {
        Shape::Polygon(p) => rings_of(p.into_inner(), |q| (q.x, q.y)),
        Shape::PolygonM(p) => rings_of(p.into_inner(), |q| (q.x, q.y)),
        Shape::PolygonZ(p) => rings_of(p.into_inner(), |q| (q.x, q.y)),
        Shape::Polyline(l) => return lines_of(l.into_inner(), |q| (q.x, q.y)),
        Shape::PolylineM(l) => return lines_of(l.into_inner(), |q| (q.x, q.y)),
        Shape::PolylineZ(l) => return lines_of(l.into_inner(), |q| (q.x, q.y)),
        Shape::NullShape => return RawGeometry::Null,
        other => return RawGeometry::WrongType(shape_name(&other).to_owned()),
    };
    let mut polygons: Vec<Vec<Vec<Position>>> = Vec::new();
    let mut holes = Vec::new();
    for (outer, ring) in rings {
        if outer {
            polygons.push(vec![ring]);
        } else {
            holes.push(ring);
        }
    }
    if polygons.is_empty() {
        return RawGeometry::Malformed("the polygon has holes but no outer ring".into());
    }
    for hole in holes {
        let owner = hole
            .first()
            .and_then(|&p| polygons.iter().position(|poly| inside(p, &poly[0])))
            .unwrap_or(polygons.len() - 1);
        polygons[owner].push(hole);
    }
    if polygons.len() == 1 {
        RawGeometry::Polygon(polygons.pop().unwrap_or_default())
    } else {
        RawGeometry::MultiPolygon(polygons)
    }
}

/// A polyline's parts: a LineString when it has one, else a
/// MultiLineString.
fn lines_of<P>(parts: Vec<Vec<P>>, xy: impl Fn(&P) -> Position) -> RawGeometry {
    let mut lines: Vec<Vec<Position>> = parts
        .iter()
        .map(|part| part.iter().map(&xy).collect())
        .collect();
    if lines.len() == 1 {
        RawGeometry::LineString(lines.pop().unwrap_or_default())
    } else {
        RawGeometry::MultiLineString(lines)
    }
}

fn rings_of<P>(
    rings: Vec<PolygonRing<P>>,
    xy: impl Fn(&P) -> Position,
) -> Vec<(bool, Vec<Position>)> {
    rings
        .into_iter()
        .map(|ring| {
            let outer = matches!(ring, PolygonRing::Outer(_));
            (outer, ring.into_inner().iter().map(&xy).collect())
        })
        .collect()
}

/// Even-odd test of a point against a ring (positions as written).
fn inside((x, y): Position, ring: &[Position]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) / (y2 - y1) * (x2 - x1) {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_go_to_the_outer_ring_around_them() {
        let square = |x0: f64, size: f64| {
            vec![
                (x0, 0.0),
                (x0, size),
                (x0 + size, size),
                (x0 + size, 0.0),
                (x0, 0.0),
            ]
        };
        let rings = vec![
            (true, square(0.0, 4.0)),
            (true, square(10.0, 4.0)),
            (false, square(11.0, 1.0)),
        ];
        let shape = Shape::Polygon(shapefile::Polygon::with_rings(
            rings
                .into_iter()
                .map(|(outer, r)| {
                    let pts: Vec<shapefile::Point> = r
                        .into_iter()
                        .map(|(x, y)| shapefile::Point::new(x, y))
                        .collect();
                    if outer {
                        PolygonRing::Outer(pts)
                    } else {
                        PolygonRing::Inner(pts)
                    }
                })
                .collect(),
        ));
        match feature_geometry(shape) {
            RawGeometry::MultiPolygon(polys) => {
                assert_eq!(polys.len(), 2);
                assert_eq!(polys[0].len(), 1);
                assert_eq!(polys[1].len(), 2, "the hole lies in the second square");
            }
            other => panic!("{other:?}"),
        }
    }
}
