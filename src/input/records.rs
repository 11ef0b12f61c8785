//! Station feeds published as plain JSON records rather than GeoJSON: an
//! array of objects (Open Charge Map's POI export), or an OCPI 2.2.1
//! response whose `data` holds the Location objects. Each object is one
//! station; its position, id and power are read through paths
//! (`AddressInfo.Latitude`, `coordinates.latitude` — OCPI writes them as
//! strings), chosen by the feed preset or the field flags.

use serde_json::Value;

use crate::error::{Error, Layer, Result};
use crate::feed::FieldPath;
use crate::fields::{FieldSpec, StationFieldSpecs};
use crate::input::format::InputFormat;
use crate::input::raw::{LayerMeta, RawFeature, RawLayer, RawPoint, RawStation, Scalar};
use crate::input::{Collect, Input, LayerReader, convert_in_chunks};

/// The reader of JSON record feeds.
#[derive(Debug, Clone, Copy)]
pub struct JsonRecords;

impl LayerReader for JsonRecords {
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        Err(Error::NotAnAreaFormat {
            source_name: input.name(),
            format: InputFormat::JsonRecords,
        })
    }

    /// The text is parsed whole (feeds are a few hundred MB at most); the
    /// records are converted in chunks on all cores.
    fn read_stations<T: Send>(
        &self,
        input: &Input,
        fields: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let bytes = input.read_all()?;
        let layer = read_stations(&bytes, &input.name(), fields)?;
        drop(bytes);
        convert_in_chunks(layer.records, convert, sink);
        Ok(layer.meta)
    }
}

/// The records of a JSON feed: a top-level array, the `data` member (an
/// array, or one object) of an OCPI response, or the `fuel_stations` array
/// of an AFDC API response.
pub fn records(value: Value, source_name: &str) -> Result<Vec<Value>> {
    let malformed = |problem: &str| Error::Malformed {
        source_name: source_name.to_owned(),
        format: InputFormat::JsonRecords,
        problem: problem.to_owned(),
    };
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(mut map) => {
            match map.remove("data").or_else(|| map.remove("fuel_stations")) {
                Some(Value::Array(items)) => Ok(items),
                Some(one @ Value::Object(_)) => Ok(vec![one]),
                _ => Err(malformed(
                    "an object without a `data` (OCPI) or `fuel_stations` (AFDC) array of records",
                )),
            }
        }
        _ => Err(malformed(
            "neither an array of records nor an object with `data`",
        )),
    }
}

/// The paths a role may be read from, best first.
fn paths(spec: &FieldSpec) -> Vec<FieldPath> {
    let names: Vec<&str> = match spec.explicit_name() {
        Some(name) => vec![name],
        None => spec.candidates().to_vec(),
    };
    names
        .iter()
        .filter_map(|n| FieldPath::parse(n).ok())
        .collect()
}

/// The first value any of `paths` reaches in `record`, with the path's rank.
fn first<'v>(paths: &[FieldPath], record: &'v Value) -> Option<(u8, &'v Value)> {
    let map = record.as_object()?;
    paths.iter().enumerate().find_map(|(rank, p)| {
        let get = |k: &crate::feed::KeyPattern| map.get(&k.to_string());
        p.values(get).first().map(|v| (rank as u8, *v))
    })
}

/// A coordinate from a number or numeric text (OCPI writes `"51.047599"`).
fn coordinate(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads a station layer from JSON record bytes.
pub fn read_stations(
    bytes: &[u8],
    source_name: &str,
    fields: &StationFieldSpecs,
) -> Result<RawLayer<RawStation>> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| crate::input::geojson::json_error(source_name, &e))?;
    let items = records(value, source_name)?;
    let (lon, lat) = (paths(&fields.lon), paths(&fields.lat));
    let (id, power) = (paths(&fields.id), paths(&fields.power));
    let captures = fields.feed.captures();
    let mut used: [Option<u8>; 2] = [None, None];
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let Value::Object(map) = &item else {
            out.push(RawStation {
                index,
                feature_id: None,
                id: None,
                power: None,
                present: 0,
                captured: Vec::new(),
                geometry: RawPoint::Malformed("record is not a JSON object".into()),
            });
            continue;
        };
        let geometry = match (first(&lon, &item), first(&lat, &item)) {
            (Some((rx, x)), Some((ry, y))) => match (coordinate(x), coordinate(y)) {
                (Some(x), Some(y)) => {
                    used = [Some(rx), Some(ry)];
                    RawPoint::Point(x, y)
                }
                _ => RawPoint::Malformed(format!("position is not a number: {x}, {y}")),
            },
            _ => RawPoint::Null,
        };
        let scalar = |found: Option<(u8, &Value)>| {
            found.map(|(rank, v)| match v {
                Value::Number(n) => (
                    rank,
                    Scalar::as_written(&n.to_string()).unwrap_or(Scalar::Null),
                ),
                other => (rank, Scalar::from_json(other)),
            })
        };
        let mut captured = Vec::new();
        for (k, v) in map {
            if crate::feed::wanted(captures, k) {
                crate::feed::capture(captures, &mut captured, k, v.clone());
            }
        }
        out.push(RawStation {
            index,
            feature_id: None,
            id: scalar(first(&id, &item)),
            power: scalar(first(&power, &item)),
            present: 0,
            captured,
            geometry,
        });
    }
    if out.is_empty() {
        return Err(Error::EmptyLayer {
            source_name: source_name.to_owned(),
            format: InputFormat::JsonRecords,
            layer: Layer::Stations,
        });
    }
    let mut meta = LayerMeta::new(InputFormat::JsonRecords, out.len());
    if let [Some(x), Some(y)] = used {
        meta.lon_lat_columns = Some((
            lon[x as usize].as_str().to_owned(),
            lat[y as usize].as_str().to_owned(),
        ));
    }
    Ok(RawLayer { records: out, meta })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ocpi_response_and_a_bare_array_give_their_records() {
        let ocpi = serde_json::json!({"data": [{"id": "L1"}], "status_code": 1000});
        assert_eq!(records(ocpi, "x").unwrap().len(), 1);
        let array = serde_json::json!([{"ID": 1}, {"ID": 2}]);
        assert_eq!(records(array, "x").unwrap().len(), 2);
        assert!(records(serde_json::json!({"type": "FeatureCollection"}), "x").is_err());
    }

    #[test]
    fn positions_may_be_nested_and_written_as_text() {
        let fields = StationFieldSpecs {
            lon: FieldSpec::explicit("coordinates.longitude"),
            lat: FieldSpec::explicit("coordinates.latitude"),
            ..StationFieldSpecs::default()
        };
        let text = br#"{"data": [
            {"id": "L1", "coordinates": {"latitude": "51.047599", "longitude": "3.729944"}},
            {"id": "L2", "coordinates": {"latitude": "north", "longitude": "3.7"}},
            {"id": "L3"}
        ]}"#;
        let layer = read_stations(text, "ocpi.json", &fields).unwrap();
        assert_eq!(
            layer.records[0].geometry,
            RawPoint::Point(3.729944, 51.047599)
        );
        assert!(matches!(layer.records[1].geometry, RawPoint::Malformed(_)));
        assert_eq!(layer.records[2].geometry, RawPoint::Null);
        assert_eq!(layer.records[0].id, Some((0, Scalar::Str("L1".into()))));
    }
}
