//! GeoJSON readers for the two layers.
//!
//! Stations are deserialised straight into typed records by a streaming
//! serde visitor: no generic JSON tree per feature, and of the properties
//! only the candidate id and power keys are kept, so millions of points
//! cost little more than their coordinates. Areas keep their properties
//! whole (outputs carry them on); their coordinates are parsed from a
//! borrowed slice once the geometry's type is known, whatever the member
//! order in the file.
//!
//! Both layers are read on all cores when the text allows it
//! ([`read_stations_parallel`], [`read_features_parallel`]): one thread cuts
//! it into batches of whole features, the batches are parsed anywhere and
//! taken back in file order. Anything unusual sends the text to the serial
//! readers, which say exactly what is wrong.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{Error, Layer, NotACollection, Result};
use crate::fields::StationFieldSpecs;
use crate::input::format::InputFormat;
use crate::input::geojson_split;
use crate::input::parallel::{self, BATCH_BYTES, Batch};
use crate::input::raw::{
    LayerMeta, Position, RawFeature, RawGeometry, RawLayer, RawPoint, RawStation, Scalar, keep_best,
};
use crate::input::{Chunked, Collect, Input, LayerReader};

/// The reader of GeoJSON FeatureCollections.
#[derive(Debug, Clone, Copy)]
pub struct GeoJson;

impl LayerReader for GeoJson {
    /// Read in pieces on all cores; anything unusual is read whole by the
    /// serial parser, which reports exactly what is wrong.
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        if let Some(layer) = read_features_parallel(input.reader()?, input.byte_len()) {
            return Ok(layer);
        }
        read_features(&input.read_all()?, &input.name())
    }

    /// Read in pieces and parsed on all cores, converting each batch as it
    /// is parsed, so memory holds the stations and not the text; a text it
    /// cannot split is read again by the serial streaming parser, which
    /// also reports any error.
    fn read_stations<T: Send>(
        &self,
        input: &Input,
        fields: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let parallel = read_stations_parallel(
            input.reader()?,
            input.byte_len(),
            fields,
            convert,
            |batch, expected| sink.take(batch, expected),
        );
        if let Some(meta) = parallel {
            return Ok(meta);
        }
        let mut chunked = Chunked::restart(convert, sink);
        let meta = stream_stations(input.reader()?, &input.name(), fields, &mut |r| {
            chunked.push(r);
        })?;
        chunked.finish(meta.records);
        Ok(meta)
    }
}

/// Maps a serde_json error to a message that says what to do.
pub(crate) fn json_error(source_name: &str, e: &serde_json::Error) -> Error {
    let (message, hint) = match e.classify() {
        serde_json::error::Category::Eof => (
            "the file ends in the middle of the JSON text".to_owned(),
            "the file looks truncated; download or export it again",
        ),
        serde_json::error::Category::Syntax => (
            format!("malformed JSON ({e})"),
            "fix the JSON syntax (a validator such as `jq . FILE` shows the spot); NaN and Infinity are not JSON",
        ),
        serde_json::error::Category::Data => (
            format!("unexpected JSON structure ({e})"),
            "expected a GeoJSON FeatureCollection as in RFC 7946",
        ),
        serde_json::error::Category::Io => (
            format!("read error ({e})"),
            "check that the file is readable",
        ),
    };
    // serde_json appends " at line L column C" itself; keep the message clean.
    let message = match message.rfind(" at line ") {
        Some(pos) if message.ends_with(')') => format!("{})", &message[..pos]),
        _ => message,
    };
    Error::Json {
        source_name: source_name.to_owned(),
        line: e.line(),
        column: e.column(),
        message,
        hint,
    }
}

fn require_collection(source_name: &str, kind: Option<&str>, has_features: bool) -> Result<()> {
    match (kind, has_features) {
        (Some("FeatureCollection") | None, true) => Ok(()),
        (Some("Feature"), _) => Err(Error::NotACollection {
            source_name: source_name.to_owned(),
            kind: NotACollection::SingleFeature,
        }),
        (Some(other), _) => Err(Error::NotACollection {
            source_name: source_name.to_owned(),
            kind: NotACollection::OtherType(other.to_owned()),
        }),
        (None, false) => Err(Error::NotACollection {
            source_name: source_name.to_owned(),
            kind: NotACollection::NoFeatures,
        }),
    }
}

fn empty_error(source_name: &str, layer: Layer) -> Error {
    Error::EmptyLayer {
        source_name: source_name.to_owned(),
        format: InputFormat::GeoJson,
        layer,
    }
}

/// Extracts the name of an old-style GeoJSON `crs` member.
fn crs_name(crs: &Value) -> Option<String> {
    match crs {
        Value::Null => None,
        Value::Object(o) => o
            .get("properties")
            .and_then(|p| p.get("name").or_else(|| p.get("code")))
            .map(|n| match n {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .or_else(|| Some(crs.to_string())),
        other => Some(other.to_string()),
    }
}

// ---------------------------------------------------------------- areas --

#[derive(Deserialize)]
struct AreaCollection<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    features: Option<Vec<AreaFeature<'a>>>,
    crs: Option<Value>,
}

/// A Feature of an area layer. Written out rather than derived so that a
/// repeated member keeps its last value, as GDAL and Python do (a derived
/// struct refuses duplicates).
struct AreaFeature<'a> {
    kind: Option<String>,
    id: Option<Scalar>,
    geometry: Option<AreaGeometry<'a>>,
    properties: Option<Map<String, Value>>,
}

/// An area's properties, with integers beyond 64 bits kept as their digits
/// (a text value) rather than the nearest float, which a 30-digit id would
/// share with its neighbours.
struct PropertiesAsWritten(Option<Map<String, Value>>);

impl<'de> Deserialize<'de> for PropertiesAsWritten {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PropertiesAsWritten;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a properties object or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(PropertiesAsWritten(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(PropertiesAsWritten(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // In the file's order; a repeated key keeps its last value.
                let mut out = Map::new();
                while let Some((key, raw)) = map.next_entry::<String, Box<RawValue>>()? {
                    let text = raw.get();
                    let value = match Scalar::as_written(text).map_err(de::Error::custom)? {
                        Scalar::Str(digits) if !text.trim_start().starts_with('"') => {
                            Value::String(digits.to_string())
                        }
                        _ => serde_json::from_str(text).map_err(de::Error::custom)?,
                    };
                    out.insert(key, value);
                }
                Ok(PropertiesAsWritten(Some(out)))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for AreaFeature<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = AreaFeature<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON Feature object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut feature = AreaFeature {
                    kind: None,
                    id: None,
                    geometry: None,
                    properties: None,
                };
                while let Some(key) =
                    map.next_key_seed(KeyIn(&["type", "id", "geometry", "properties"]))?
                {
                    match key {
                        Some(0) => feature.kind = map.next_value()?,
                        Some(1) => {
                            let raw: Box<RawValue> = map.next_value()?;
                            feature.id =
                                Some(Scalar::as_written(raw.get()).map_err(de::Error::custom)?);
                        }
                        Some(2) => feature.geometry = map.next_value()?,
                        Some(3) => {
                            feature.properties = map.next_value::<PropertiesAsWritten>()?.0;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(feature)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// An area's geometry member, its coordinates left as text.
type AreaGeometry<'a> = GeometryMembers<Option<&'a RawValue>>;

/// The members of a geometry object both layers read: its `type`, and its
/// `coordinates` as `C` (text for an area, a position for a station).
/// Other members are skipped; a repeated member keeps its last value.
struct GeometryMembers<C> {
    kind: Option<String>,
    coordinates: Option<C>,
}

impl<'de, C: Deserialize<'de>> Deserialize<'de> for GeometryMembers<C> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(GeometryVisitor(std::marker::PhantomData))
    }
}

struct GeometryVisitor<C>(std::marker::PhantomData<C>);

impl<'de, C: Deserialize<'de>> Visitor<'de> for GeometryVisitor<C> {
    type Value = GeometryMembers<C>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON geometry object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut geometry = GeometryMembers {
            kind: None,
            coordinates: None,
        };
        while let Some(key) = map.next_key_seed(KeyIn(&["type", "coordinates"]))? {
            match key {
                Some(0) => geometry.kind = map.next_value()?,
                Some(1) => geometry.coordinates = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(geometry)
    }
}

/// Reads an area layer from GeoJSON bytes.
pub fn read_features(bytes: &[u8], source_name: &str) -> Result<RawLayer<RawFeature>> {
    let collection: AreaCollection =
        serde_json::from_slice(bytes).map_err(|e| json_error(source_name, &e))?;
    require_collection(
        source_name,
        collection.kind.as_deref(),
        collection.features.is_some(),
    )?;
    let features = collection.features.unwrap_or_default();
    if features.is_empty() {
        return Err(empty_error(source_name, Layer::Areas));
    }
    let records: Vec<RawFeature> = features
        .into_iter()
        .enumerate()
        .map(|(index, f)| raw_area(index, f))
        .collect();
    let mut meta = LayerMeta::new(InputFormat::GeoJson, records.len());
    meta.declared_crs = collection.crs.as_ref().and_then(crs_name);
    Ok(RawLayer { records, meta })
}

/// Reads an area layer on all cores, as [`read_stations_parallel`] reads
/// stations: the text is never held whole. `None` when the text is not a
/// plain FeatureCollection or has any flaw; [`read_features`] then reads it
/// and says exactly what is wrong.
pub fn read_features_parallel(
    reader: impl std::io::Read + Send,
    total_bytes: Option<u64>,
) -> Option<RawLayer<RawFeature>> {
    let mut records: Vec<RawFeature> = Vec::new();
    let meta = read_parallel(
        reader,
        total_bytes,
        |batch| {
            batch
                .texts()
                .enumerate()
                .map(|(k, text)| {
                    let feature: AreaFeature = serde_json::from_slice(text).ok()?;
                    Some(raw_area(batch.first_index + k, feature))
                })
                .collect::<Option<Vec<RawFeature>>>()
        },
        |batch, expected| {
            if records.is_empty() {
                records.reserve(expected + expected / 16);
            }
            records.extend(batch);
        },
    )?;
    Some(RawLayer { records, meta })
}

fn raw_area(index: usize, f: AreaFeature) -> RawFeature {
    RawFeature {
        index,
        feature_id: f.id,
        properties: f.properties.unwrap_or_default(),
        geometry: match f.kind.as_deref() {
            Some("Feature") | None => feature_geometry(f.geometry),
            Some(other) => RawGeometry::Malformed(format!(
                "member of `features` has type {other:?}, not \"Feature\""
            )),
        },
    }
}

fn feature_geometry(geometry: Option<AreaGeometry>) -> RawGeometry {
    let Some(g) = geometry else {
        return RawGeometry::Null;
    };
    let kind = g.kind.unwrap_or_default();
    let Some(coordinates) = g.coordinates.flatten() else {
        return match kind.as_str() {
            "Polygon" | "MultiPolygon" | "LineString" | "MultiLineString" => {
                RawGeometry::Malformed(format!("{kind} has no `coordinates`"))
            }
            "" => RawGeometry::Malformed("geometry has no `type`".into()),
            _ => RawGeometry::WrongType(kind),
        };
    };
    let parsed = match kind.as_str() {
        "Polygon" => serde_json::from_str::<Vec<Ring>>(coordinates.get())
            .map(|rings| RawGeometry::Polygon(rings_of(rings))),
        "MultiPolygon" => serde_json::from_str::<Vec<Vec<Ring>>>(coordinates.get())
            .map(|polys| RawGeometry::MultiPolygon(polys.into_iter().map(rings_of).collect())),
        "LineString" => serde_json::from_str::<Ring>(coordinates.get())
            .map(|line| RawGeometry::LineString(line.0)),
        "MultiLineString" => serde_json::from_str::<Vec<Ring>>(coordinates.get())
            .map(|lines| RawGeometry::MultiLineString(rings_of(lines))),
        "" => return RawGeometry::Malformed("geometry has no `type`".into()),
        _ => return RawGeometry::WrongType(kind),
    };
    parsed.unwrap_or_else(|e| {
        let text = e.to_string();
        let reason = text.split(" at line ").next().unwrap_or(&text);
        RawGeometry::Malformed(format!("{kind} coordinates are not valid: {reason}"))
    })
}

fn rings_of(rings: Vec<Ring>) -> Vec<Vec<Position>> {
    rings.into_iter().map(|r| r.0).collect()
}

/// A ring's positions in a vector of exactly their length: grown as it
/// is read, a vector would leave a fifth of it unused on average, 20 MB
/// at national scale. Read into a per-thread scratch vector, then copied.
struct Ring(Vec<Position>);

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<Position>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl<'de> Deserialize<'de> for Ring {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RingVisitor;
        impl<'de> Visitor<'de> for RingVisitor {
            type Value = Ring;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a ring: an array of positions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ring, A::Error> {
                SCRATCH.with_borrow_mut(|scratch| {
                    scratch.clear();
                    while let Some(Pos(x, y)) = seq.next_element()? {
                        scratch.push((x, y));
                    }
                    Ok(Ring(scratch.as_slice().to_vec()))
                })
            }
        }
        deserializer.deserialize_seq(RingVisitor)
    }
}

/// A position `[x, y, …]`; further ordinates (height, measure) are ignored.
struct Pos(f64, f64);

impl<'de> Deserialize<'de> for Pos {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PosVisitor;
        impl<'de> Visitor<'de> for PosVisitor {
            type Value = Pos;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a position [longitude, latitude]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pos, A::Error> {
                let x: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Pos(x, y))
            }
        }
        deserializer.deserialize_seq(PosVisitor)
    }
}

// ------------------------------------------------------------- stations --

/// Reads a station layer from GeoJSON bytes.
pub fn read_stations(
    bytes: &[u8],
    source_name: &str,
    fields: &StationFieldSpecs,
) -> Result<RawLayer<RawStation>> {
    let mut records = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let meta = stream_with(&mut de, source_name, fields, &mut |s| records.push(s))?;
    Ok(RawLayer { records, meta })
}

/// Parses one station feature's text (a member of `features`, or a line
/// of a GeoJSON text sequence).
pub(crate) fn station_feature(
    text: &[u8],
    index: usize,
    fields: &StationFieldSpecs,
) -> serde_json::Result<RawStation> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let record = FeatureSeed { fields, index }.deserialize(&mut de)?;
    de.end()?;
    Ok(record)
}

/// Parses one area feature's text.
pub(crate) fn area_feature(text: &[u8], index: usize) -> serde_json::Result<RawFeature> {
    let feature: AreaFeature = serde_json::from_slice(text)?;
    Ok(raw_area(index, feature))
}

/// Reads a station layer on all cores: one thread cuts the text into
/// batches of whole features (`geojson_split`), the batches are parsed
/// with the same visitor as [`stream_stations`] and handed to `convert`
/// in parallel, and each converted batch is handed to `take` in file
/// order (see `parallel::run`).
///
/// Returns what the layer said about itself — or `None` when the text is
/// not a plain FeatureCollection or has any flaw, for the caller to throw
/// away what it was given and read the text again with
/// [`stream_stations`], which reports exactly what is wrong.
pub fn read_stations_parallel<T: Send>(
    reader: impl std::io::Read + Send,
    total_bytes: Option<u64>,
    fields: &StationFieldSpecs,
    convert: impl Fn(Vec<RawStation>) -> T + Sync,
    take: impl FnMut(T, usize) + Send,
) -> Option<LayerMeta> {
    read_parallel(
        reader,
        total_bytes,
        |batch| {
            let mut records = Vec::with_capacity(batch.features.len());
            for (k, text) in batch.texts().enumerate() {
                records.push(station_feature(text, batch.first_index + k, fields).ok()?);
            }
            Some(convert(records))
        },
        take,
    )
}

/// A FeatureCollection cut by [`geojson_split`] and parsed by
/// [`parallel::run`]; the rest of the collection is checked to be plain.
fn read_parallel<T: Send>(
    reader: impl std::io::Read + Send,
    total_bytes: Option<u64>,
    parse: impl Fn(&Batch) -> Option<T> + Sync,
    take: impl FnMut(T, usize) + Send,
) -> Option<LayerMeta> {
    let (skeleton, records) = parallel::run(
        |spare, on_batch| geojson_split::split(reader, BATCH_BYTES, spare, on_batch).ok(),
        total_bytes,
        parse,
        take,
    )?;

    #[derive(Deserialize)]
    struct Skeleton {
        #[serde(rename = "type")]
        kind: Option<String>,
        features: Option<Vec<IgnoredAny>>,
        crs: Option<Value>,
    }
    let collection: Skeleton = serde_json::from_slice(&skeleton).ok()?;
    let plain = matches!(collection.kind.as_deref(), None | Some("FeatureCollection"));
    if !plain || collection.features.is_none_or(|f| !f.is_empty()) || records == 0 {
        return None;
    }
    let mut meta = LayerMeta::new(InputFormat::GeoJson, records);
    meta.declared_crs = collection.crs.as_ref().and_then(crs_name);
    Some(meta)
}

/// Reads a station layer from a reader, handing each record to `sink` as
/// it is parsed: memory stays flat whatever the file's size.
pub fn stream_stations(
    reader: impl std::io::Read,
    source_name: &str,
    fields: &StationFieldSpecs,
    sink: &mut dyn FnMut(RawStation),
) -> Result<LayerMeta> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    stream_with(&mut de, source_name, fields, sink)
}

fn stream_with<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    source_name: &str,
    fields: &StationFieldSpecs,
    sink: &mut dyn FnMut(RawStation),
) -> Result<LayerMeta> {
    let collection = CollectionSeed { fields, sink }
        .deserialize(&mut *de)
        .and_then(|c| de.end().map(|()| c))
        .map_err(|e| json_error(source_name, &e))?;
    require_collection(
        source_name,
        collection.kind.as_deref(),
        collection.features.is_some(),
    )?;
    let records = collection.features.unwrap_or_default();
    if records == 0 {
        return Err(empty_error(source_name, Layer::Stations));
    }
    let mut meta = LayerMeta::new(InputFormat::GeoJson, records);
    meta.declared_crs = collection.crs.as_ref().and_then(crs_name);
    Ok(meta)
}

/// The visits of a scalar where a visitor wants an object or an array:
/// each returns `self.$wrong(kind)` with the value's kind ("a string", "a
/// number", "a boolean"), so that a wrong value is reported per feature
/// rather than failing the file. Written once for every such visitor.
macro_rules! visit_wrong_scalars {
    ($value:ty, $wrong:ident) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<$value, E> {
            Ok(self.$wrong("a string"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$value, E> {
            Ok(self.$wrong("a number"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$value, E> {
            Ok(self.$wrong("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$value, E> {
            Ok(self.$wrong("a number"))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$value, E> {
            Ok(self.$wrong("a boolean"))
        }
    };
}

struct StationCollection {
    kind: Option<String>,
    /// How many features were read, when `features` was present.
    features: Option<usize>,
    crs: Option<Value>,
}

/// Matches a map key against a fixed list without allocating.
struct KeyIn(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyIn {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIn {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|k| *k == v))
    }
}

struct CollectionSeed<'s> {
    fields: &'s StationFieldSpecs,
    sink: &'s mut dyn FnMut(RawStation),
}

impl<'de> DeserializeSeed<'de> for CollectionSeed<'_> {
    type Value = StationCollection;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CollectionSeed<'_> {
    type Value = StationCollection;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = StationCollection {
            kind: None,
            features: None,
            crs: None,
        };
        while let Some(key) = map.next_key_seed(KeyIn(&["type", "features", "crs"]))? {
            match key {
                Some(0) => out.kind = Some(map.next_value()?),
                Some(1) => {
                    out.features = Some(map.next_value_seed(FeaturesSeed {
                        fields: self.fields,
                        sink: &mut *self.sink,
                    })?)
                }
                Some(2) => out.crs = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

struct FeaturesSeed<'s> {
    fields: &'s StationFieldSpecs,
    sink: &'s mut dyn FnMut(RawStation),
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of GeoJSON Features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut index = 0;
        loop {
            let seed = FeatureSeed {
                fields: self.fields,
                index,
            };
            match seq.next_element_seed(seed)? {
                Some(station) => {
                    (self.sink)(station);
                    index += 1;
                }
                None => return Ok(index),
            }
        }
    }
}

struct FeatureSeed<'s> {
    fields: &'s StationFieldSpecs,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = RawStation;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeed<'_> {
    type Value = RawStation;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON Feature object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut station = RawStation {
            index: self.index,
            feature_id: None,
            id: None,
            power: None,
            present: 0,
            captured: Vec::new(),
            geometry: RawPoint::Null,
        };
        let mut kind: Option<String> = None;
        while let Some(key) = map.next_key_seed(KeyIn(&["type", "id", "geometry", "properties"]))? {
            match key {
                Some(0) => kind = Some(map.next_value()?),
                Some(1) => station.feature_id = Some(map.next_value()?),
                Some(2) => station.geometry = map.next_value_seed(PointSeed)?,
                Some(3) => {
                    // A repeated `properties` member replaces the first.
                    station.id = None;
                    station.power = None;
                    station.present = 0;
                    station.captured.clear();
                    map.next_value_seed(PropertiesSeed {
                        fields: self.fields,
                        station: &mut station,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(k) = kind.filter(|k| k != "Feature") {
            station.geometry = RawPoint::Malformed(format!(
                "member of `features` has type {k:?}, not \"Feature\""
            ));
        }
        Ok(station)
    }

    // A non-object element is reported per feature rather than failing the file.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.not_an_object("an array"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.not_an_object("null"))
    }
    visit_wrong_scalars!(RawStation, not_an_object);
}

impl FeatureSeed<'_> {
    fn not_an_object(&self, what: &'static str) -> RawStation {
        RawStation {
            index: self.index,
            feature_id: None,
            id: None,
            power: None,
            present: 0,
            captured: Vec::new(),
            geometry: RawPoint::Malformed(format!("member of `features` is {what}, not a Feature")),
        }
    }
}

struct PropertiesSeed<'s, 'r> {
    fields: &'s StationFieldSpecs,
    station: &'r mut RawStation,
}

impl<'de> DeserializeSeed<'de> for PropertiesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PropertiesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a properties object or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let fields = self.fields;
        let captures = fields.feed.captures();
        while let Some(key) = map.next_key_seed(RoleKey { fields })? {
            let RoleOf {
                id: id_rank,
                power: power_rank,
                required,
                captured,
            } = key;
            if let Some(name) = captured {
                // Kept whole (nested arrays and all) for the feed spec.
                let raw: Box<RawValue> = map.next_value()?;
                let value: Value = serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
                if let Some(bit) = required
                    && !value.is_null()
                {
                    self.station.present |= 1 << bit;
                }
                if let Some(rank) = power_rank {
                    keep_best(&mut self.station.power, rank, Scalar::from_json(&value));
                }
                if let Some(rank) = id_rank {
                    let id = Scalar::as_written(raw.get()).map_err(de::Error::custom)?;
                    keep_best(&mut self.station.id, rank, id);
                }
                crate::feed::capture(captures, &mut self.station.captured, &name, value);
                continue;
            }
            if id_rank.is_none() && power_rank.is_none() {
                if let Some(bit) = required {
                    if map.next_value::<NotNull>()?.0 {
                        self.station.present |= 1 << bit;
                    }
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
                continue;
            }
            // An id is kept as written: a 30-digit number must not become
            // a float that equals its neighbours.
            let value: Scalar = if id_rank.is_some() {
                let raw: Box<RawValue> = map.next_value()?;
                Scalar::as_written(raw.get()).map_err(de::Error::custom)?
            } else {
                map.next_value()?
            };
            if let Some(bit) = required
                && value != Scalar::Null
            {
                self.station.present |= 1 << bit;
            }
            if let Some(rank) = power_rank {
                keep_best(&mut self.station.power, rank, value.clone());
            }
            if let Some(rank) = id_rank {
                keep_best(&mut self.station.id, rank, value);
            }
        }
        Ok(())
    }
}

/// What a property key is to a station.
struct RoleOf {
    id: Option<u8>,
    power: Option<u8>,
    required: Option<u32>,
    /// The key itself, when the feed spec keeps its value.
    captured: Option<String>,
}

/// Ranks a property key for the id and power roles, without allocating.
struct RoleKey<'s> {
    fields: &'s StationFieldSpecs,
}

impl<'de> DeserializeSeed<'de> for RoleKey<'_> {
    type Value = RoleOf;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RoleKey<'_> {
    type Value = RoleOf;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let required = self
            .fields
            .required
            .iter()
            .take(64)
            .position(|r| r == v)
            .map(|i| i as u32);
        let captured = crate::feed::wanted(self.fields.feed.captures(), v).then(|| v.to_owned());
        Ok(RoleOf {
            id: self.fields.id.rank(v),
            power: self.fields.power.rank(v),
            required,
            captured,
        })
    }
}

/// Whether a property value is anything but `null`, without keeping it.
struct NotNull(bool);

impl<'de> Deserialize<'de> for NotNull {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<IgnoredAny>::deserialize(d).map(|v| NotNull(v.is_some()))
    }
}

/// Reads a geometry member as a point, recording what else it may be.
struct PointSeed;

impl<'de> DeserializeSeed<'de> for PointSeed {
    type Value = RawPoint;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PointSeed {
    type Value = RawPoint;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON geometry or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<RawPoint, E> {
        Ok(RawPoint::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawPoint, A::Error> {
        let GeometryMembers { kind, coordinates } =
            GeometryVisitor::<PointCoords>(std::marker::PhantomData).visit_map(map)?;
        Ok(match (kind.as_deref(), coordinates) {
            (Some("Point"), Some(PointCoords::Position(x, y))) => RawPoint::Point(x, y),
            (Some("Point"), Some(PointCoords::Empty)) => RawPoint::Empty,
            (Some("Point"), Some(PointCoords::Bad(why))) => {
                RawPoint::Malformed(format!("Point coordinates {why}"))
            }
            (Some("Point"), Some(PointCoords::NotAnArray(what))) => {
                RawPoint::Malformed(format!("Point coordinates are {what}, not an array"))
            }
            (Some("Point"), None) => RawPoint::Malformed("Point has no `coordinates`".into()),
            (Some(other), _) => RawPoint::WrongType(other.to_owned()),
            (None, _) => RawPoint::Malformed("geometry has no `type`".into()),
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawPoint, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.not_an_object("an array"))
    }
    visit_wrong_scalars!(RawPoint, not_an_object);
}

impl PointSeed {
    fn not_an_object(self, what: &'static str) -> RawPoint {
        RawPoint::Malformed(format!("geometry is {what}, not an object"))
    }
}

/// The `coordinates` of what should be a Point, whatever it turns out to be.
enum PointCoords {
    Position(f64, f64),
    Empty,
    Bad(&'static str),
    /// A value of this kind ("a string") where an array belongs.
    NotAnArray(&'static str),
}

impl<'de> Deserialize<'de> for PointCoords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PointCoords;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("coordinates")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PointCoords, A::Error> {
                let first: Option<Ordinate> = seq.next_element()?;
                let second: Option<Ordinate> = match first {
                    Some(_) => seq.next_element()?,
                    None => None,
                };
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(match (first, second) {
                    (None, _) => PointCoords::Empty,
                    (Some(Ordinate::Number(x)), Some(Ordinate::Number(y))) => {
                        PointCoords::Position(x, y)
                    }
                    (Some(Ordinate::Number(_)), None) => PointCoords::Bad("have only one number"),
                    (Some(Ordinate::Nested), _) => PointCoords::Bad("are nested arrays"),
                    _ => PointCoords::Bad("are not numbers"),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PointCoords, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(self.not_an_array("an object"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<PointCoords, E> {
                Ok(PointCoords::Bad("are null"))
            }
            visit_wrong_scalars!(PointCoords, not_an_array);
        }
        impl V {
            fn not_an_array(self, what: &'static str) -> PointCoords {
                PointCoords::NotAnArray(what)
            }
        }
        d.deserialize_any(V)
    }
}

/// One element of a Point's coordinates array.
enum Ordinate {
    Number(f64),
    Nested,
    Other,
}

impl<'de> Deserialize<'de> for Ordinate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Int(i) => Ok(Ordinate::Number(i as f64)),
            Scalar::UInt(u) => Ok(Ordinate::Number(u as f64)),
            Scalar::Float(f) => Ok(Ordinate::Number(f)),
            Scalar::Compound => Ok(Ordinate::Nested),
            _ => Ok(Ordinate::Other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> StationFieldSpecs {
        StationFieldSpecs {
            required: vec!["operator".into(), "power_kw".into()],
            ..StationFieldSpecs::default()
        }
    }

    #[test]
    fn keeps_only_the_roles_it_needs() {
        let text = br#"{"features":[
            {"type":"Feature","properties":{"name":"x","power":"50 kW","power_kw":120,"id":"a1"},
             "geometry":{"coordinates":[106.5,29.5,300],"type":"Point"}}],
            "type":"FeatureCollection"}"#;
        let layer = read_stations(text, "t", &fields()).unwrap();
        let s = &layer.records[0];
        assert_eq!(s.geometry, RawPoint::Point(106.5, 29.5));
        assert_eq!(s.power, Some((0, Scalar::UInt(120))));
        assert_eq!(s.id, Some((0, Scalar::Str("a1".into()))));
    }

    #[test]
    fn odd_geometries_are_recorded_per_feature() {
        let text = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":null,"geometry":null},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1],[0,0]]]}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[]}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":["1","2"]}},
            {"type":"Feature"},
            7
        ]}"#;
        let layer = read_stations(text, "t", &fields()).unwrap();
        let g: Vec<_> = layer.records.iter().map(|r| r.geometry.clone()).collect();
        assert_eq!(g[0], RawPoint::Null);
        assert_eq!(g[1], RawPoint::WrongType("Polygon".into()));
        assert_eq!(g[2], RawPoint::Empty);
        assert!(matches!(&g[3], RawPoint::Malformed(m) if m.contains("not numbers")));
        assert_eq!(g[4], RawPoint::Null);
        assert!(matches!(&g[5], RawPoint::Malformed(m) if m.contains("a number")));
    }

    /// Every kind of wrong value, at each level, is reported for its own
    /// feature in words naming the kind (the messages written out by hand
    /// from the GeoJSON members involved); a geometry whose `type` is null
    /// has no type, in a station layer as in an area layer.
    #[test]
    fn wrong_kinds_are_named_per_feature() {
        let text = br#"{"type":"FeatureCollection","features":[
            true,
            "x",
            null,
            [1],
            {"type":"Feature","geometry":"x"},
            {"type":"Feature","geometry":[0,0]},
            {"type":"Feature","geometry":false},
            {"type":"Feature","geometry":{"type":"Point","coordinates":"1,2"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":{"x":1}}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":7}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":null}},
            {"type":"Feature","geometry":{"type":null,"coordinates":[1,2]}}
        ]}"#;
        let layer = read_stations(text, "t", &fields()).unwrap();
        let said: Vec<String> = layer
            .records
            .iter()
            .map(|r| match &r.geometry {
                RawPoint::Malformed(m) => m.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            said,
            [
                "member of `features` is a boolean, not a Feature",
                "member of `features` is a string, not a Feature",
                "member of `features` is null, not a Feature",
                "member of `features` is an array, not a Feature",
                "geometry is a string, not an object",
                "geometry is an array, not an object",
                "geometry is a boolean, not an object",
                "Point coordinates are a string, not an array",
                "Point coordinates are an object, not an array",
                "Point coordinates are a number, not an array",
                "Point coordinates are null",
                "geometry has no `type`",
            ]
        );
        let areas = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":null,"coordinates":[]}}]}"#;
        let layer = read_features(areas, "t").unwrap();
        assert_eq!(
            layer.records[0].geometry,
            RawGeometry::Malformed("geometry has no `type`".into())
        );
    }

    #[test]
    fn area_members_may_come_in_any_order() {
        let text = br#"{"features":[{"geometry":{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"type":"Polygon"},
            "properties":{"adcode":500101},"type":"Feature"}],"type":"FeatureCollection",
            "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}}}"#;
        let layer = read_features(text, "t").unwrap();
        assert_eq!(
            layer.meta.declared_crs.as_deref(),
            Some("urn:ogc:def:crs:EPSG::4490")
        );
        match &layer.records[0].geometry {
            RawGeometry::Polygon(rings) => assert_eq!(rings[0].len(), 4),
            other => panic!("{other:?}"),
        }
    }

    /// The parallel reader against the serial one, record for record.
    fn same_as_serial(text: &[u8]) -> LayerMeta {
        let serial = read_stations(text, "t", &fields()).unwrap();
        let mut parallel: Vec<RawStation> = Vec::new();
        let len = text.len() as u64;
        let streamed = read_stations_parallel(
            text,
            Some(len),
            &fields(),
            |v| v,
            |batch, expected| {
                // Handed over in file order, with an estimate that is at
                // least what has been read.
                parallel.extend(batch);
                assert!(
                    expected >= parallel.len(),
                    "{expected} < {}",
                    parallel.len()
                );
            },
        )
        .unwrap();
        assert_eq!(parallel, serial.records);
        assert_eq!(streamed.records, serial.records.len());
        assert_eq!(streamed.declared_crs, serial.meta.declared_crs);
        streamed
    }

    #[test]
    fn the_parallel_reader_reads_what_the_serial_one_does() {
        // The demo layer: 6000 features, several batches' worth of text
        // only at national scale, so also a layer of 40,000 small ones.
        same_as_serial(crate::demo::STATIONS);
        let mut big = String::from(r#"{"type":"FeatureCollection","features":["#);
        for i in 0..40_000 {
            if i > 0 {
                big.push(',');
            }
            big.push_str(&format!(
                r#"{{"type":"Feature","properties":{{"id":"s{i}","note":"a \"b\" ],}}","power_kw":{}}},"geometry":{{"type":"Point","coordinates":[{}.5,{}.25]}}}}"#,
                i % 700,
                i % 170,
                i % 80
            ));
        }
        big.push_str(r#"],"crs":{"type":"name","properties":{"name":"EPSG:3857"}}}"#);
        let streamed = same_as_serial(big.as_bytes());
        assert_eq!(streamed.records, 40_000);
        assert_eq!(
            streamed.declared_crs.as_deref(),
            Some("EPSG:3857"),
            "crs after the features"
        );
        // Odd members are recorded per feature, as the serial reader does.
        same_as_serial(
            br#"{"features":[{"type":"Feature","geometry":null},7,"x",{"type":"Feature","id":3,
               "geometry":{"type":"Point","coordinates":["1","2"]}}],"type":"FeatureCollection"}"#,
        );
    }

    /// The parallel area reader against the serial one, area for area.
    fn same_areas_as_serial(text: &[u8]) {
        let serial = read_features(text, "t").unwrap();
        let parallel = read_features_parallel(text, Some(text.len() as u64)).unwrap();
        assert_eq!(parallel.records, serial.records);
        assert_eq!(parallel.meta, serial.meta);
    }

    #[test]
    fn the_parallel_area_reader_reads_what_the_serial_one_does() {
        same_areas_as_serial(crate::demo::AREAS);
        // Many small areas (several batches), odd members, a hole, a
        // multipolygon, a null geometry, and `crs` after the features.
        let mut big = String::from(r#"{"type":"FeatureCollection","features":["#);
        for i in 0..20_000 {
            if i > 0 {
                big.push(',');
            }
            let geometry = match i % 4 {
                0 => format!(
                    r#"{{"type":"Polygon","coordinates":[[[{i},0],[{i}.5,0],[{i}.5,1],[{i},0]]]}}"#
                ),
                1 => r#"{"coordinates":[[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]],[[[9,9],[10,9],[10,10],[9,9]]]],"type":"MultiPolygon"}"#.to_owned(),
                2 => "null".to_owned(),
                _ => r#"{"type":"Point","coordinates":[1,2]}"#.to_owned(),
            };
            big.push_str(&format!(
                r#"{{"type":"Feature","id":{i},"properties":{{"name":"a \"b\" ],}}{{","n":{i}}},"geometry":{geometry}}}"#
            ));
        }
        big.push_str(r#"],"crs":{"type":"name","properties":{"name":"EPSG:4490"}}}"#);
        same_areas_as_serial(big.as_bytes());
    }

    #[test]
    fn the_parallel_area_reader_leaves_flawed_text_to_the_serial_one() {
        for text in [
            &br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":7}]}"#[..],
            br#"{"type":"FeatureCollection","features":[7]}"#,
            br#"{"type":"FeatureCollection","features":[]}"#,
            br#"{"type":"Feature","features":[{"type":"Feature"}]}"#,
            br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}"#,
        ] {
            assert!(
                read_features_parallel(text, None).is_none(),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn the_parallel_reader_leaves_flawed_text_to_the_serial_one() {
        for text in [
            &br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":1}}]}"#[..],
            br#"{"type":"FeatureCollection","features":[{"type":"Feature"}],"features":[]}"#,
            br#"{"type":"Feature","features":[{"type":"Feature"}]}"#,
            br#"{"type":"FeatureCollection","features":[]}"#,
            br#"{"type":"FeatureCollection","features":[{"type":"Feature",}]}"#,
        ] {
            assert!(
                read_stations_parallel(text, None, &fields(), |v| v, |_, _| ()).is_none(),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn truncated_and_malformed_json_say_so() {
        let err = read_features(br#"{"type":"FeatureCollection","features":[{"type":"#, "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated"), "{err}");
        let err = read_stations(
            br#"{"type":"FeatureCollection","features":[}"#,
            "t",
            &fields(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("malformed JSON") && err.contains("line 1"),
            "{err}"
        );
    }
}
