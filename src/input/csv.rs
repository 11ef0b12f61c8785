//! CSV reader for station layers: one station per row, longitude and
//! latitude in two columns found by name (or named with `--lon-field` /
//! `--lat-field`). Comma, semicolon and tab delimiters are recognised from
//! the header line.

use crate::error::{Error, Layer, Result};
use crate::fields::{FieldSpec, StationFieldSpecs};
use crate::input::encoding::to_utf8;
use crate::input::format::InputFormat;
use crate::input::raw::{
    LayerMeta, Position, RawFeature, RawGeometry, RawLayer, RawPoint, RawStation, Scalar,
};
use crate::input::{Collect, Input, LayerReader, convert_in_chunks};

/// The reader of CSV station tables.
#[derive(Debug, Clone, Copy)]
pub struct Csv;

impl LayerReader for Csv {
    /// Areas from a table need a geometry column of WKT polygons.
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        let (bytes, _) = to_utf8(input.read_all()?, input.encoding(), &input.name())?;
        read_features(&bytes, &input.name(), &input.geometry_field())
    }

    /// The text is read whole and parsed in one pass; the records are
    /// converted in chunks on all cores.
    fn read_stations<T: Send>(
        &self,
        input: &Input,
        fields: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let (bytes, _) = to_utf8(input.read_all()?, input.encoding(), &input.name())?;
        let layer = read_stations(&bytes, &input.name(), fields, &input.geometry_field())?;
        drop(bytes);
        convert_in_chunks(layer.records, convert, sink);
        Ok(layer.meta)
    }
}

fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or(bytes);
    let count = |d: u8| header.iter().filter(|b| **b == d).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| count(*d))
        .filter(|d| count(*d) > 0)
        .unwrap_or(b',')
}

fn csv_error(source_name: &str, e: &csv::Error, hint: &'static str) -> Error {
    let message = match e.position() {
        Some(p) => format!("invalid CSV at line {}: {e}", p.line()),
        None => format!("invalid CSV: {e}"),
    };
    Error::Csv {
        source_name: source_name.to_owned(),
        message,
        hint,
    }
}

const ROW_HINT: &str =
    "every row must have as many fields as the header; quote fields that contain the delimiter";

/// A reader over the text and its header names.
/// The header row's names, from the start of the text (the first line is
/// enough).
pub(crate) fn header_names(input: &crate::input::Input) -> Result<Vec<String>> {
    use std::io::Read;
    let mut head = Vec::new();
    input
        .reader()?
        .take(1 << 20)
        .read_to_end(&mut head)
        .map_err(|e| input.read_error(e))?;
    if let Some(end) = head.iter().position(|b| *b == b'\n') {
        head.truncate(end + 1);
    }
    let (bytes, _) = to_utf8(head, input.encoding(), &input.name())?;
    Ok(open(&bytes, &input.name())?.1)
}

fn open<'b>(bytes: &'b [u8], source_name: &str) -> Result<(csv::Reader<&'b [u8]>, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(bytes))
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(source_name, &e, "the first line must name the columns"))?
        .iter()
        .map(str::to_owned)
        .collect();
    Ok((reader, headers))
}

/// Reads an area layer from CSV bytes with a WKT geometry column: the
/// other columns become properties (as text; empty cells null).
pub fn read_features(
    bytes: &[u8],
    source_name: &str,
    geometry: &FieldSpec,
) -> Result<RawLayer<RawFeature>> {
    let (mut reader, headers) = open(bytes, source_name)?;
    let Some(column) = geometry.pick(&headers) else {
        return Err(Error::NotAnAreaFormat {
            source_name: source_name.to_owned(),
            format: InputFormat::Csv,
        });
    };
    let mut records = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let row = row.map_err(|e| csv_error(source_name, &e, ROW_HINT))?;
        let mut properties = serde_json::Map::new();
        for (k, name) in headers.iter().enumerate() {
            if k == column {
                continue;
            }
            let cell = row.get(k).unwrap_or("").trim();
            let value = if cell.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::Value::String(cell.to_owned())
            };
            properties.insert(name.trim().to_owned(), value);
        }
        records.push(RawFeature {
            index,
            feature_id: None,
            properties,
            geometry: wkt_area(row.get(column).unwrap_or("").trim()),
        });
    }
    if records.is_empty() {
        return Err(Error::EmptyLayer {
            source_name: source_name.to_owned(),
            format: InputFormat::Csv,
            layer: Layer::Areas,
        });
    }
    let meta = LayerMeta::new(InputFormat::Csv, records.len());
    Ok(RawLayer { records, meta })
}

fn wkt_ring(ring: &wkt::types::LineString<f64>) -> Vec<Position> {
    ring.coords().iter().map(|c| (c.x, c.y)).collect()
}

fn wkt_polygon(p: &wkt::types::Polygon<f64>) -> Vec<Vec<Position>> {
    p.rings().iter().map(wkt_ring).collect()
}

fn wkt_name(w: &wkt::Wkt<f64>) -> &'static str {
    match w {
        wkt::Wkt::Point(_) => "Point",
        wkt::Wkt::LineString(_) => "LineString",
        wkt::Wkt::Polygon(_) => "Polygon",
        wkt::Wkt::MultiPoint(_) => "MultiPoint",
        wkt::Wkt::MultiLineString(_) => "MultiLineString",
        wkt::Wkt::MultiPolygon(_) => "MultiPolygon",
        wkt::Wkt::GeometryCollection(_) => "GeometryCollection",
    }
}

fn wkt_area(text: &str) -> RawGeometry {
    if text.is_empty() {
        return RawGeometry::Null;
    }
    match text.parse::<wkt::Wkt<f64>>() {
        Ok(wkt::Wkt::Polygon(p)) => RawGeometry::Polygon(wkt_polygon(&p)),
        Ok(wkt::Wkt::MultiPolygon(m)) => {
            RawGeometry::MultiPolygon(m.polygons().iter().map(wkt_polygon).collect())
        }
        Ok(wkt::Wkt::LineString(l)) => RawGeometry::LineString(wkt_ring(&l)),
        Ok(wkt::Wkt::MultiLineString(m)) => {
            RawGeometry::MultiLineString(m.line_strings().iter().map(wkt_ring).collect())
        }
        Ok(other) => RawGeometry::WrongType(wkt_name(&other).to_owned()),
        Err(e) => RawGeometry::Malformed(format!("the WKT geometry cannot be read: {e}")),
    }
}

fn wkt_point(text: &str) -> RawPoint {
    if text.is_empty() {
        return RawPoint::Null;
    }
    match text.parse::<wkt::Wkt<f64>>() {
        Ok(wkt::Wkt::Point(p)) => match p.coord() {
            Some(c) => RawPoint::Point(c.x, c.y),
            None => RawPoint::Empty,
        },
        Ok(other) => RawPoint::WrongType(wkt_name(&other).to_owned()),
        Err(e) => RawPoint::Malformed(format!("the WKT geometry cannot be read: {e}")),
    }
}

/// Where a table's stations are: two coordinate columns, or one of WKT.
enum Place {
    LonLat(usize, usize),
    Wkt(usize),
}

/// Reads a station layer from CSV bytes: positions from the longitude and
/// latitude columns, else from a WKT geometry column of POINTs.
pub fn read_stations(
    bytes: &[u8],
    source_name: &str,
    fields: &StationFieldSpecs,
    geometry: &FieldSpec,
) -> Result<RawLayer<RawStation>> {
    let (mut reader, headers) = open(bytes, source_name)?;
    let place = match (
        fields.lon.pick(&headers),
        fields.lat.pick(&headers),
        geometry.pick(&headers),
    ) {
        (Some(lon), Some(lat), _) => Place::LonLat(lon, lat),
        (_, _, Some(column)) => Place::Wkt(column),
        _ => {
            return Err(Error::MissingCoordinateColumns {
                source_name: source_name.to_owned(),
                lon: fields.lon.describe(),
                lat: fields.lat.describe(),
                header: headers,
            });
        }
    };
    let id = fields.id.pick(&headers);
    let power = fields.power.pick(&headers);
    let required: Vec<Option<usize>> = fields
        .required
        .iter()
        .take(64)
        .map(|name| headers.iter().position(|h| h.trim() == name))
        .collect();

    let captures = fields.feed.captures();
    let kept = crate::feed::CapturedColumns::new(captures, &headers);
    let mut records = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let row = row.map_err(|e| csv_error(source_name, &e, ROW_HINT))?;
        let cell = |col: usize| row.get(col).unwrap_or("").trim();
        let text = |col: Option<usize>| {
            col.map(cell)
                .filter(|s| !s.is_empty())
                .map(|s| (0u8, Scalar::Str(s.into())))
        };
        records.push(RawStation {
            index,
            feature_id: None,
            id: text(id),
            power: text(power),
            present: required
                .iter()
                .enumerate()
                .filter(|(_, col)| col.is_some_and(|c| !cell(c).is_empty()))
                .fold(0, |bits, (i, _)| bits | 1 << i),
            captured: kept.row(captures, |col, _| {
                let text = cell(col);
                (!text.is_empty()).then(|| serde_json::Value::String(text.to_owned()))
            }),
            geometry: match place {
                Place::LonLat(lon, lat) => {
                    point(cell(lon), cell(lat), &headers[lon], &headers[lat])
                }
                Place::Wkt(column) => wkt_point(cell(column)),
            },
        });
    }
    if records.is_empty() {
        return Err(Error::EmptyLayer {
            source_name: source_name.to_owned(),
            format: InputFormat::Csv,
            layer: Layer::Stations,
        });
    }
    let mut meta = LayerMeta::new(InputFormat::Csv, records.len());
    meta.lon_lat_columns = match place {
        Place::LonLat(lon, lat) => Some((headers[lon].clone(), headers[lat].clone())),
        Place::Wkt(column) => Some((headers[column].clone(), headers[column].clone())),
    };
    meta.id_field = id.map(|i| headers[i].clone());
    meta.power_field = power.map(|i| headers[i].clone());
    meta.fields = headers.to_vec();
    Ok(RawLayer { records, meta })
}

fn point(lon: &str, lat: &str, lon_name: &str, lat_name: &str) -> RawPoint {
    if lon.is_empty() && lat.is_empty() {
        return RawPoint::Null;
    }
    // A decimal comma is common in European exports of semicolon CSV.
    let number = |s: &str| {
        s.parse::<f64>()
            .or_else(|_| s.replacen(',', ".", 1).parse::<f64>())
    };
    match (number(lon), number(lat)) {
        (Ok(x), Ok(y)) => RawPoint::Point(x, y),
        (Err(_), _) => RawPoint::Malformed(format!("{lon_name} {lon:?} is not a number")),
        (_, Err(_)) => RawPoint::Malformed(format!("{lat_name} {lat:?} is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry() -> FieldSpec {
        FieldSpec::discover(crate::fields::defaults::GEOMETRY)
    }

    fn fields() -> StationFieldSpecs {
        StationFieldSpecs {
            required: vec!["operator".into()],
            ..StationFieldSpecs::default()
        }
    }

    #[test]
    fn finds_columns_by_common_names() {
        let text = b"station_id,latitude,longitude,fast\n1,22.7,113.8,5\n2,,,0\n3,abc,113.9,1\n";
        let layer = read_stations(text, "t.csv", &fields(), &geometry()).unwrap();
        assert_eq!(
            layer.meta.lon_lat_columns,
            Some(("longitude".into(), "latitude".into()))
        );
        assert_eq!(layer.records[0].geometry, RawPoint::Point(113.8, 22.7));
        assert_eq!(layer.records[1].geometry, RawPoint::Null);
        assert!(
            matches!(&layer.records[2].geometry, RawPoint::Malformed(m) if m.contains("latitude"))
        );
        assert_eq!(layer.meta.id_field.as_deref(), Some("station_id"));
        assert_eq!(layer.meta.power_field, None);
    }

    #[test]
    fn semicolons_and_decimal_commas() {
        let text = "id;lng;lat;power\nA;106,5;29,5;7,4\n".as_bytes();
        let layer = read_stations(text, "t.csv", &fields(), &geometry()).unwrap();
        assert_eq!(layer.records[0].geometry, RawPoint::Point(106.5, 29.5));
        assert_eq!(layer.records[0].power, Some((0, Scalar::Str("7,4".into()))));
    }

    #[test]
    fn missing_coordinate_columns_name_the_header() {
        let err = read_stations(b"id,a,b\n1,2,3\n", "t.csv", &fields(), &geometry())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("name the longitude and latitude columns") && err.contains("id, a, b"),
            "{err}"
        );
    }
}
