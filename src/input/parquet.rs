//! GeoParquet (1.0/1.1) and plain Parquet, read with the Apache `parquet`
//! crate's record API (no Arrow): the geometry column named by the file's
//! `geo` metadata (`primary_column`, WKB encoding) — or, without that
//! metadata, a binary column with a geometry name (`--geometry-field`) —
//! decoded with the `wkb` crate; stations may instead come from
//! longitude/latitude columns, as in a CSV. The CRS from the metadata:
//! absent means OGC:CRS84 (WGS84), a PROJJSON object is read by its `id`,
//! `null` is undeclared. Row groups are read side by side.

use bytes::Bytes;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, Row};
use parquet::schema::types::{Type, TypePtr};
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::error::{Error, Layer, Result};
use crate::fields::StationFieldSpecs;
use crate::input::format::InputFormat;
use crate::input::raw::{
    LayerMeta, RawFeature, RawGeometry, RawLayer, RawPoint, RawStation, Scalar,
};
use crate::input::{Collect, Input, LayerReader, traits};

/// The reader of (Geo)Parquet files.
#[derive(Debug, Clone, Copy)]
pub struct Parquet;

impl LayerReader for Parquet {
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        let file = File::open(input, Layer::Areas)?;
        let Some(geometry) = file.geometry.clone() else {
            return Err(file.no_geometry(None));
        };
        let per_group = file.each_group(None, |index, row| {
            let mut properties = Map::new();
            let mut shape = RawGeometry::Null;
            for (name, field) in row.get_column_iter() {
                if *name == geometry {
                    shape = match field {
                        Field::Bytes(b) => traits::wkb_feature_geometry(b.data()),
                        Field::Null => RawGeometry::Null,
                        other => RawGeometry::Malformed(format!(
                            "the geometry column holds {other:?}, not WKB"
                        )),
                    };
                } else {
                    properties.insert(name.clone(), field.to_json_value());
                }
            }
            RawFeature {
                index,
                feature_id: None,
                properties,
                geometry: shape,
            }
        })?;
        let records: Vec<RawFeature> = per_group.into_iter().flatten().collect();
        if records.is_empty() {
            return Err(file.empty());
        }
        let mut meta = LayerMeta::new(InputFormat::GeoParquet, records.len());
        meta.declared_crs = file.crs.clone();
        Ok(RawLayer { records, meta })
    }

    fn read_stations<T: Send>(
        &self,
        input: &Input,
        specs: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let file = File::open(input, Layer::Stations)?;
        let names = &file.columns;
        let id = specs.id.pick(names);
        let power = specs.power.pick(names);
        // Where the point is: the geometry column, else lon/lat columns.
        let place = match (&file.geometry, specs.lon.pick(names), specs.lat.pick(names)) {
            (Some(g), _, _) => Place::Wkb(g.clone()),
            (None, Some(lon), Some(lat)) => Place::LonLat(names[lon].clone(), names[lat].clone()),
            _ => {
                return Err(file.no_geometry(Some((specs.lon.describe(), specs.lat.describe()))));
            }
        };
        let required: Vec<&String> = specs.required.iter().take(64).collect();
        let mut wanted: Vec<&str> = match &place {
            Place::Wkb(g) => vec![g.as_str()],
            Place::LonLat(lon, lat) => vec![lon.as_str(), lat.as_str()],
        };
        wanted.extend(id.iter().chain(&power).map(|&i| names[i].as_str()));
        wanted.extend(required.iter().map(|s| s.as_str()));
        let captures = specs.feed.captures();
        let kept = crate::feed::CapturedColumns::new(captures, names);
        wanted.extend(kept.names());
        let (id_name, power_name) = (id.map(|i| &names[i]), power.map(|i| &names[i]));
        let per_group = file.each_group(Some(&wanted), |index, row| {
            let mut station = RawStation {
                index,
                feature_id: None,
                id: None,
                power: None,
                present: 0,
                captured: Vec::new(),
                geometry: RawPoint::Null,
            };
            let (mut lon, mut lat) = (None, None);
            for (name, field) in row.get_column_iter() {
                match &place {
                    Place::Wkb(g) if name == g => {
                        station.geometry = match field {
                            Field::Bytes(b) => traits::wkb_point(b.data()),
                            Field::Null => RawPoint::Null,
                            other => RawPoint::Malformed(format!(
                                "the geometry column holds {other:?}, not WKB"
                            )),
                        };
                    }
                    Place::LonLat(x, _) if name == x => lon = Some(field),
                    Place::LonLat(_, y) if name == y => lat = Some(field),
                    _ => {}
                }
                if Some(name) == id_name {
                    station.id = scalar(field).map(|s| (0, s));
                }
                if Some(name) == power_name {
                    station.power = scalar(field).map(|s| (0, s));
                }
                if let Some(bit) = required.iter().position(|r| *r == name)
                    && !matches!(field, Field::Null)
                    && !matches!(field, Field::Str(s) if s.is_empty())
                {
                    station.present |= 1 << bit;
                }
                if crate::feed::wanted(captures, name)
                    && let Some(v) = scalar(field)
                {
                    crate::feed::capture(captures, &mut station.captured, name, v.to_json());
                }
            }
            if let (Some(x), Some(y)) = (lon, lat) {
                station.geometry = lon_lat(x, y);
            }
            station
        })?;
        let total: usize = per_group.iter().map(Vec::len).sum();
        if total == 0 {
            return Err(file.empty());
        }
        // Each row group is converted on its own thread, in chunks.
        let converted: Vec<Vec<T>> = per_group
            .into_par_iter()
            .map(|group| {
                let mut out = Vec::new();
                let mut group = group.into_iter();
                loop {
                    let chunk: Vec<RawStation> =
                        group.by_ref().take(super::STATION_CHUNK).collect();
                    if chunk.is_empty() {
                        break;
                    }
                    out.push(convert(chunk));
                }
                out
            })
            .collect();
        sink.restart();
        for batch in converted.into_iter().flatten() {
            sink.take(batch, total);
        }
        let mut meta = LayerMeta::new(InputFormat::GeoParquet, total);
        meta.declared_crs = file.crs.clone();
        meta.id_field = id_name.cloned();
        meta.power_field = power_name.cloned();
        meta.fields = names.clone();
        if let Place::LonLat(x, y) = place {
            meta.lon_lat_columns = Some((x, y));
        }
        Ok(meta)
    }
}

enum Place {
    Wkb(String),
    LonLat(String, String),
}

/// A station's id or power, `None` when null.
fn scalar(field: &Field) -> Option<Scalar> {
    Some(match field {
        Field::Null => return None,
        Field::Bool(b) => Scalar::Bool(*b),
        Field::Byte(v) => Scalar::Int(i64::from(*v)),
        Field::Short(v) => Scalar::Int(i64::from(*v)),
        Field::Int(v) => Scalar::Int(i64::from(*v)),
        Field::Long(v) => Scalar::Int(*v),
        Field::UByte(v) => Scalar::Int(i64::from(*v)),
        Field::UShort(v) => Scalar::Int(i64::from(*v)),
        Field::UInt(v) => Scalar::Int(i64::from(*v)),
        Field::ULong(v) => Scalar::UInt(*v),
        Field::Float(v) => Scalar::Float(f64::from(*v)),
        Field::Double(v) => Scalar::Float(*v),
        Field::Str(s) => Scalar::Str(s.as_str().into()),
        Field::Group(_) | Field::ListInternal(_) | Field::MapInternal(_) | Field::Bytes(_) => {
            Scalar::Compound
        }
        other => Scalar::from_json(&other.to_json_value()),
    })
}

/// A point from longitude and latitude columns (numbers, or numbers as text).
fn lon_lat(x: &Field, y: &Field) -> RawPoint {
    let number = |f: &Field| match f {
        Field::Null => Ok(None),
        Field::Str(s) if s.trim().is_empty() => Ok(None),
        Field::Str(s) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("{s:?}")),
        other => match scalar(other) {
            Some(Scalar::Int(i)) => Ok(Some(i as f64)),
            Some(Scalar::UInt(u)) => Ok(Some(u as f64)),
            Some(Scalar::Float(v)) => Ok(Some(v)),
            _ => Err(format!("{other:?}")),
        },
    };
    match (number(x), number(y)) {
        (Ok(Some(x)), Ok(Some(y))) => RawPoint::Point(x, y),
        (Ok(None), Ok(None)) => RawPoint::Null,
        (Ok(None), _) | (_, Ok(None)) => {
            RawPoint::Malformed("longitude or latitude is empty".into())
        }
        (Err(v), _) => RawPoint::Malformed(format!("longitude {v} is not a number")),
        (_, Err(v)) => RawPoint::Malformed(format!("latitude {v} is not a number")),
    }
}

/// A Parquet file, its footer and `geo` metadata read.
struct File {
    name: String,
    layer: Layer,
    reader: SerializedFileReader<Bytes>,
    /// The top-level columns, in schema order.
    columns: Vec<String>,
    /// The geometry column (WKB), if there is one.
    geometry: Option<String>,
    crs: Option<String>,
}

impl File {
    fn open(input: &Input, layer: Layer) -> Result<File> {
        let name = input.name();
        let malformed = |problem: String| Error::Malformed {
            source_name: name.clone(),
            format: InputFormat::GeoParquet,
            problem,
        };
        let bytes = Bytes::from(input.read_all()?);
        let length = bytes.len() as u64;
        let reader = SerializedFileReader::new(bytes)
            .map_err(|e| malformed(format!("the footer cannot be read: {e}")))?;
        // The crate trusts the footer's column chunk offsets (it panics on
        // a negative one): every chunk must lie within the file.
        for (g, group) in reader.metadata().row_groups().iter().enumerate() {
            for column in group.columns() {
                let start = column
                    .dictionary_page_offset()
                    .unwrap_or_else(|| column.data_page_offset());
                let size = column.compressed_size();
                let fits = start >= 0
                    && size >= 0
                    && (start as u64)
                        .checked_add(size as u64)
                        .is_some_and(|end| end <= length);
                if !fits {
                    return Err(malformed(format!(
                        "row group {g}: column {:?} lies outside the file (corrupt footer)",
                        column.column_path().string()
                    )));
                }
            }
        }
        let metadata = reader.metadata().file_metadata();
        let fields: Vec<TypePtr> = metadata.schema_descr().root_schema().get_fields().to_vec();
        let columns: Vec<String> = fields.iter().map(|f| f.name().to_owned()).collect();
        let geo = metadata
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|k| k.key == "geo"))
            .and_then(|k| k.value.as_deref());
        let (geometry, crs) = match geo {
            Some(text) => {
                let geo: Value = serde_json::from_str(text)
                    .map_err(|e| malformed(format!("the `geo` metadata is not JSON: {e}")))?;
                let primary = geo["primary_column"]
                    .as_str()
                    .ok_or_else(|| malformed("the `geo` metadata names no primary_column".into()))?
                    .to_owned();
                let column = &geo["columns"][&primary];
                let encoding = column["encoding"].as_str().unwrap_or("WKB");
                if !encoding.eq_ignore_ascii_case("WKB") {
                    return Err(malformed(format!(
                        "geometry column {primary:?} is encoded as {encoding:?}; chargecov reads WKB \
                         (write the file with WKB geometries, the GeoParquet default)"
                    )));
                }
                if !columns.contains(&primary) {
                    return Err(malformed(format!(
                        "the `geo` metadata names column {primary:?}, which the file does not have"
                    )));
                }
                let crs = match column.get("crs") {
                    None => Some("EPSG:4326".to_owned()),
                    Some(Value::Null) => None,
                    Some(crs) => Some(crs_name(crs)),
                };
                (Some(primary), crs)
            }
            None => {
                // Plain Parquet: a binary column with a geometry name, read as WKB.
                let spec = input.geometry_field();
                let binary = |i: &usize| {
                    fields[*i].is_primitive()
                        && fields[*i].get_physical_type() == parquet::basic::Type::BYTE_ARRAY
                };
                let column = spec.pick(&columns).filter(binary);
                (column.map(|i| columns[i].clone()), None)
            }
        };
        Ok(File {
            name,
            layer,
            reader,
            columns,
            geometry,
            crs,
        })
    }

    /// Calls `row` for every row of every row group (groups side by side),
    /// reading only the `wanted` columns when given; the results per group,
    /// in file order.
    fn each_group<R: Send>(
        &self,
        wanted: Option<&[&str]>,
        row: impl Fn(usize, &Row) -> R + Sync,
    ) -> Result<Vec<Vec<R>>> {
        let metadata = self.reader.metadata();
        let projection = wanted.map(|wanted| {
            let fields: Vec<TypePtr> = metadata
                .file_metadata()
                .schema_descr()
                .root_schema()
                .get_fields()
                .iter()
                .filter(|f| wanted.contains(&f.name()))
                .cloned()
                .collect();
            Type::group_type_builder("schema")
                .with_fields(fields)
                .build()
        });
        let projection = projection
            .transpose()
            .map_err(|e| self.fail(format!("choosing columns: {e}")))?;
        let mut first = Vec::with_capacity(metadata.num_row_groups());
        let mut start = 0;
        for group in metadata.row_groups() {
            first.push(start);
            start += usize::try_from(group.num_rows()).unwrap_or(0);
        }
        (0..metadata.num_row_groups())
            .into_par_iter()
            .map(|g| {
                let group = self
                    .reader
                    .get_row_group(g)
                    .map_err(|e| self.fail(format!("row group {g}: {e}")))?;
                // The crate's page decoders panic on some corrupt pages:
                // contained, and reported as a corrupt row group.
                crate::contained::contained(|| {
                    let rows = group
                        .get_row_iter(projection.clone())
                        .map_err(|e| self.fail(format!("row group {g}: {e}")))?;
                    let mut out = Vec::new();
                    for (k, r) in rows.enumerate() {
                        let index = first[g] + k;
                        let r = r.map_err(|e| self.fail(format!("row {index}: {e}")))?;
                        out.push(row(index, &r));
                    }
                    Ok(out)
                })
                .unwrap_or_else(|why| Err(self.fail(format!("row group {g} is corrupt ({why})"))))
            })
            .collect()
    }

    fn fail(&self, problem: String) -> Error {
        Error::Malformed {
            source_name: self.name.clone(),
            format: InputFormat::GeoParquet,
            problem,
        }
    }

    fn empty(&self) -> Error {
        Error::EmptyLayer {
            source_name: self.name.clone(),
            format: InputFormat::GeoParquet,
            layer: self.layer,
        }
    }

    /// No geometry column (and, for stations, no lon/lat columns).
    fn no_geometry(&self, lon_lat: Option<(String, String)>) -> Error {
        let also = match lon_lat {
            Some((lon, lat)) => format!(" and no longitude ({lon}) and latitude ({lat}) columns"),
            None => String::new(),
        };
        Error::NoGeometry {
            source_name: self.name.clone(),
            format: InputFormat::GeoParquet,
            layer: self.layer,
            found: format!(
                "no GeoParquet `geo` metadata, no binary (WKB) column named like a geometry{also}; \
                 columns are {}",
                self.columns.join(", ")
            ),
        }
    }
}

/// A GeoParquet `crs` value as a name chargecov parses: a PROJJSON
/// object by its `id` (OGC:CRS84 is WGS84), a string as it is; a PROJJSON
/// without an id as its JSON text (refused downstream as unknown, with
/// the flag that overrides it).
fn crs_name(crs: &Value) -> String {
    if let Some(text) = crs.as_str() {
        return text.to_owned();
    }
    let id = &crs["id"];
    match (id["authority"].as_str(), &id["code"]) {
        (Some(a), Value::String(c)) if a.eq_ignore_ascii_case("OGC") && c == "CRS84" => {
            "EPSG:4326".to_owned()
        }
        (Some(a), Value::Number(n)) => format!("{}:{n}", a.to_ascii_uppercase()),
        (Some(a), Value::String(c)) => format!("{}:{c}", a.to_ascii_uppercase()),
        _ => crs["name"]
            .as_str()
            .map_or_else(|| crs.to_string(), str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crs_values_are_named_by_their_id() {
        assert_eq!(
            crs_name(&json!({"id": {"authority": "EPSG", "code": 3857}})),
            "EPSG:3857"
        );
        assert_eq!(
            crs_name(&json!({"id": {"authority": "OGC", "code": "CRS84"}})),
            "EPSG:4326"
        );
        assert_eq!(crs_name(&json!("EPSG:31467")), "EPSG:31467");
        assert_eq!(crs_name(&json!({"name": "Local grid"})), "Local grid");
    }
}
