//! FlatGeobuf (`.fgb`, specification v3), read with the `flatgeobuf`
//! crate: the header (verified), its columns and CRS, then the features
//! in file order (each verified), streamed — so a FlatGeobuf reads from a
//! file, standard input or gzip alike. Geometries through the crate's
//! `geo-traits` view; properties through `geozero`'s property processor.
//! The spatial index, when there is one, is skipped: every feature is
//! read.

use std::io::{BufReader, Read};

use flatgeobuf::{
    ColumnType, FallibleStreamingIterator, FeatureProperties, FgbFeature, FgbReader, Header,
    NotSeekable,
};
use geozero::{ColumnValue, PropertyProcessor};
use serde_json::{Map, Value};

use crate::error::{Error, Layer, Result};
use crate::fields::StationFieldSpecs;
use crate::input::format::{Compression, InputFormat};
use crate::input::raw::{
    LayerMeta, RawFeature, RawGeometry, RawLayer, RawPoint, RawStation, Scalar,
};
use crate::input::{Collect, Input, LayerReader, convert_in_chunks, traits};

/// The reader of FlatGeobuf files.
#[derive(Debug, Clone, Copy)]
pub struct FlatGeobuf;

impl LayerReader for FlatGeobuf {
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        let mut file = File::open(input, Layer::Areas)?;
        let columns = file.columns.clone();
        let mut records = Vec::with_capacity(file.count.unwrap_or(0));
        let declared = file.geometry_type;
        file.each(|index, feature| {
            let mut properties = Properties {
                map: columns.iter().map(|c| (c.clone(), Value::Null)).collect(),
            };
            feature
                .process_properties(&mut properties)
                .map_err(|e| format!("its properties cannot be read: {e}"))?;
            let geometry = match feature.geometry_trait() {
                Ok(Some(g)) => traits::feature_geometry(&g),
                Ok(None) => RawGeometry::Null,
                Err(e) => match unsupported(feature, declared) {
                    Some(kind) => RawGeometry::WrongType(kind.to_owned()),
                    None => RawGeometry::Malformed(e.to_string()),
                },
            };
            records.push(RawFeature {
                index,
                feature_id: None,
                properties: properties.map,
                geometry,
            });
            Ok(())
        })?;
        if records.is_empty() {
            return Err(file.empty());
        }
        let mut meta = LayerMeta::new(InputFormat::FlatGeobuf, records.len());
        meta.declared_crs = file.crs;
        Ok(RawLayer { records, meta })
    }

    fn read_stations<T: Send>(
        &self,
        input: &Input,
        specs: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let mut file = File::open(input, Layer::Stations)?;
        let declared = file.geometry_type;
        let id = specs.id.pick(&file.columns);
        let power = specs.power.pick(&file.columns);
        // Column index → what it is to a station: id, power, or the nth
        // required field.
        let roles: Vec<Role> = file
            .columns
            .iter()
            .enumerate()
            .map(|(i, name)| Role {
                id: id == Some(i),
                power: power == Some(i),
                required: specs.required.iter().take(64).position(|r| r == name),
                captured: crate::feed::wanted(specs.feed.captures(), name.trim()),
            })
            .collect();
        let captures = specs.feed.captures();
        let mut stations = Vec::with_capacity(file.count.unwrap_or(0));
        file.each(|index, feature| {
            let mut picked = Picked {
                roles: &roles,
                id: None,
                power: None,
                present: 0,
                captures,
                captured: Vec::new(),
            };
            feature
                .process_properties(&mut picked)
                .map_err(|e| format!("its properties cannot be read: {e}"))?;
            let geometry = match feature.geometry_trait() {
                Ok(Some(g)) => traits::point(&g),
                Ok(None) => RawPoint::Null,
                Err(e) => match unsupported(feature, declared) {
                    Some(kind) => RawPoint::WrongType(kind.to_owned()),
                    None => RawPoint::Malformed(e.to_string()),
                },
            };
            stations.push(RawStation {
                index,
                feature_id: None,
                id: picked.id.map(|v| (0, v)),
                power: picked.power.map(|v| (0, v)),
                present: picked.present,
                captured: picked.captured,
                geometry,
            });
            Ok(())
        })?;
        if stations.is_empty() {
            return Err(file.empty());
        }
        let mut meta = LayerMeta::new(InputFormat::FlatGeobuf, stations.len());
        meta.declared_crs = file.crs.clone();
        meta.id_field = id.map(|i| file.columns[i].clone());
        meta.power_field = power.map(|i| file.columns[i].clone());
        meta.fields = file.columns.clone();
        convert_in_chunks(stations, convert, sink);
        Ok(meta)
    }
}

/// A FlatGeobuf file, its header read.
struct File<'a> {
    name: String,
    layer: Layer,
    features: flatgeobuf::FeatureIter<BufReader<Box<dyn Read + Send + 'a>>, NotSeekable>,
    columns: Vec<String>,
    /// Their types, to check each feature's property bytes.
    types: Vec<ColumnType>,
    /// The feature count the header declares (0 or absent when unknown).
    count: Option<usize>,
    crs: Option<String>,
    /// The geometry type the header declares (0 when mixed).
    geometry_type: u32,
}

impl<'a> File<'a> {
    fn open(input: &'a Input, layer: Layer) -> Result<File<'a>> {
        let name = input.name();
        let malformed = |problem: String| Error::Malformed {
            source_name: name.clone(),
            format: InputFormat::FlatGeobuf,
            problem,
        };
        // Every feature's size prefix is checked against the bytes left
        // before the crate reads it: it allocates what the prefix says, so
        // a corrupt prefix would ask for gigabytes. A file is walked
        // through once; a stream is held in memory.
        let file_len = input
            .path()
            .filter(|_| input.compression() == Compression::None)
            .and_then(|p| std::fs::metadata(p).ok())
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len());
        let raw: Box<dyn Read + Send + 'a> = match file_len {
            Some(total) => {
                let walk = BufReader::with_capacity(1 << 16, input.reader()?);
                check_sizes(walk, total).map_err(malformed)?;
                input.reader()?
            }
            None => {
                let bytes = input.read_all()?;
                check_sizes(bytes.as_slice(), bytes.len() as u64).map_err(malformed)?;
                Box::new(std::io::Cursor::new(bytes))
            }
        };
        let reader = BufReader::with_capacity(1 << 16, raw);
        let fgb = FgbReader::open(reader)
            .map_err(|e| malformed(format!("the header cannot be read: {}", describe(&e))))?;
        let header = fgb.header();
        let columns = column_names(&header);
        let types: Vec<ColumnType> = header
            .columns()
            .map(|c| c.iter().map(|c| c.type_()).collect())
            .unwrap_or_default();
        let count = usize::try_from(header.features_count())
            .ok()
            .filter(|&n| n > 0);
        let crs = crs_of(&header);
        let geometry_type = u32::from(header.geometry_type().0);
        let features = fgb
            .select_all_seq()
            .map_err(|e| malformed(format!("the spatial index cannot be skipped: {e}")))?;
        Ok(File {
            name,
            layer,
            features,
            columns,
            types,
            count,
            crs,
            geometry_type,
        })
    }

    /// Calls `feature` with each feature and its index, in file order; a
    /// feature that cannot be decoded ends the read with an error naming it.
    fn each(
        &mut self,
        mut feature: impl FnMut(usize, &FgbFeature) -> std::result::Result<(), String>,
    ) -> Result<()> {
        let mut index = 0;
        loop {
            let next = self.features.next().map_err(|e| Error::Malformed {
                source_name: self.name.clone(),
                format: InputFormat::FlatGeobuf,
                problem: format!("feature {index} cannot be read: {}", describe(&e)),
            })?;
            let Some(f) = next else { break };
            // The crate slices property bytes and coordinate arrays as
            // the feature says, without checking: a corrupt feature is
            // refused here instead of panicking there.
            let fits = properties_fit(f, &self.types)
                .and_then(|()| f.geometry().map_or(Ok(()), |g| geometry_fits(&g, 0)));
            fits.and_then(|()| feature(index, f))
                .map_err(|problem| Error::Malformed {
                    source_name: self.name.clone(),
                    format: InputFormat::FlatGeobuf,
                    problem: format!("feature {index}: {problem}"),
                })?;
            index += 1;
        }
        match self.count {
            Some(declared) if declared != index => Err(Error::Malformed {
                source_name: self.name.clone(),
                format: InputFormat::FlatGeobuf,
                problem: format!(
                    "the header declares {declared} features but the file holds {index} (truncated?)"
                ),
            }),
            _ => Ok(()),
        }
    }

    fn empty(&self) -> Error {
        Error::EmptyLayer {
            source_name: self.name.clone(),
            format: InputFormat::FlatGeobuf,
            layer: self.layer,
        }
    }
}

/// Whether a feature's property bytes hold whole values of the header's
/// column types, as the crate's reader walks them.
fn properties_fit(feature: &FgbFeature, types: &[ColumnType]) -> std::result::Result<(), String> {
    let corrupt = || Err("its properties are corrupt".to_owned());
    let Some(properties) = feature.fbs_feature().properties() else {
        return Ok(());
    };
    let b = properties.bytes();
    let mut o = 0usize;
    while o + 1 < b.len() {
        let column = usize::from(u16::from_le_bytes([b[o], b[o + 1]]));
        o += 2;
        let Some(&kind) = types.get(column) else {
            return corrupt();
        };
        let size = match kind {
            ColumnType::Byte | ColumnType::UByte | ColumnType::Bool => 1,
            ColumnType::Short | ColumnType::UShort => 2,
            ColumnType::Int | ColumnType::UInt | ColumnType::Float => 4,
            ColumnType::Long | ColumnType::ULong | ColumnType::Double => 8,
            ColumnType::String | ColumnType::Json | ColumnType::DateTime | ColumnType::Binary => {
                if b.len() - o < 4 {
                    return corrupt();
                }
                let n = u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]) as usize;
                o += 4;
                n
            }
            _ => return corrupt(),
        };
        if b.len() - o < size {
            return corrupt();
        }
        o += size;
    }
    Ok(())
}

/// Whether a geometry's arrays agree: an even number of ordinates, ring
/// ends that never decrease and stay within them, parts likewise.
fn geometry_fits(g: &flatgeobuf::Geometry, depth: usize) -> std::result::Result<(), String> {
    let corrupt = || Err("its geometry is corrupt".to_owned());
    let points = g.xy().map_or(0, |xy| xy.len());
    if !points.is_multiple_of(2) || depth > 16 {
        return corrupt();
    }
    if let Some(ends) = g.ends() {
        if ends.is_empty() {
            return corrupt();
        }
        let mut previous = 0;
        for end in ends.iter() {
            if end < previous || end as usize > points / 2 {
                return corrupt();
            }
            previous = end;
        }
    }
    if let Some(parts) = g.parts() {
        for part in parts.iter() {
            geometry_fits(&part, depth + 1)?;
        }
    } else if points == 0
        && matches!(
            g.type_(),
            flatgeobuf::GeometryType::Point | flatgeobuf::GeometryType::Unknown
        )
    {
        return corrupt();
    }
    Ok(())
}

/// A feature's curve or surface type (FlatGeobuf numbers its geometry
/// types as WKB does), which the decoder does not read, by name: the
/// feature's own type, else the one the header declares for all.
fn unsupported(feature: &FgbFeature, declared: u32) -> Option<&'static str> {
    let own = feature.geometry().map_or(0, |g| u32::from(g.type_().0));
    let code = if own == 0 { declared } else { own };
    crate::input::wkb_type::name_of(code).filter(|_| code > 7)
}

/// Walks a FlatGeobuf's layout — magic bytes, header, spatial index, then
/// each feature's size prefix — and refuses a size the `total` bytes
/// cannot hold (before any reader allocates it).
fn check_sizes(mut r: impl Read, total: u64) -> std::result::Result<(), String> {
    let truncated = || "the file ends in the middle of its header (truncated?)".to_owned();
    let mut head = [0u8; 12];
    if r.read_exact(&mut head).is_err() {
        return Err(truncated());
    }
    let header_size = u64::from(u32::from_le_bytes([head[8], head[9], head[10], head[11]]));
    if header_size + 12 > total {
        return Err(truncated());
    }
    let mut header = vec![0u8; header_size as usize + 4];
    header[..4].copy_from_slice(&head[8..12]);
    r.read_exact(&mut header[4..]).map_err(|_| truncated())?;
    let header = flatgeobuf::size_prefixed_root_as_header(&header)
        .map_err(|e| format!("the header is corrupt: {e}"))?;
    let mut position = 12 + header_size;
    let count = header.features_count();
    // A feature takes at least its 4-byte size and an 8-byte table.
    if count > total / 12 {
        return Err(format!(
            "the header declares {count} features, more than {total} bytes can hold"
        ));
    }
    // A node of one entry never narrows a search: the format's index
    // needs at least two (and the crate asserts it).
    if header.index_node_size() == 1 {
        return Err(
            "the header's spatial index has nodes of 1 entry; FlatGeobuf needs 0 (no index) or at least 2"
                .to_owned(),
        );
    }
    if header.index_node_size() > 0 && count > 0 {
        let index = flatgeobuf::packed_r_tree::PackedRTree::index_size(
            count as usize,
            header.index_node_size(),
        ) as u64;
        if position + index > total {
            return Err("the file ends in its spatial index (truncated?)".to_owned());
        }
        std::io::copy(&mut r.by_ref().take(index), &mut std::io::sink())
            .map_err(|e| e.to_string())?;
        position += index;
    }
    // Every feature is counted, not only as many as the header says: a
    // count of 0 means unknown, any other must be right.
    let counted = |held: u64| {
        if count == 0 || held == count {
            Ok(())
        } else {
            Err(format!(
                "the header declares {count} features but the file holds {held}"
            ))
        }
    };
    let mut feature = 0u64;
    loop {
        let mut size = [0u8; 4];
        match r.read_exact(&mut size) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return counted(feature),
            Err(e) => return Err(e.to_string()),
        }
        let size = u64::from(u32::from_le_bytes(size));
        // A feature is a table of some bytes: a size of 0 is padding
        // after the last one, not a feature.
        if size == 0 {
            return counted(feature);
        }
        position += 4;
        if position + size > total {
            return Err(format!(
                "feature {feature} claims {size} bytes but the file has {} left (truncated or corrupt)",
                total - position
            ));
        }
        std::io::copy(&mut r.by_ref().take(size), &mut std::io::sink())
            .map_err(|e| e.to_string())?;
        position += size;
        feature += 1;
    }
}

/// The crate's error in words: an early end of file is a truncated file.
fn describe(e: &flatgeobuf::Error) -> String {
    match e {
        flatgeobuf::Error::IO(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends in the middle of it (truncated?)".to_owned()
        }
        other => other.to_string(),
    }
}

fn column_names(header: &Header) -> Vec<String> {
    header
        .columns()
        .map(|columns| columns.iter().map(|c| c.name().to_owned()).collect())
        .unwrap_or_default()
}

/// The CRS as a name chargecov parses: `EPSG:N` when the organisation is
/// EPSG (or unnamed, which the specification reads as EPSG), else the WKT;
/// `None` when the header has none.
fn crs_of(header: &Header) -> Option<String> {
    let crs = header.crs()?;
    let epsg = crs.org().is_none_or(|o| o.eq_ignore_ascii_case("EPSG"));
    if epsg && crs.code() > 0 {
        Some(format!("EPSG:{}", crs.code()))
    } else if let Some(wkt) = crs.wkt().filter(|w| !w.trim().is_empty()) {
        Some(wkt.to_owned())
    } else {
        crs.code_string()
            .map(|code| format!("{}:{code}", crs.org().unwrap_or("EPSG")))
    }
}

/// A column value as JSON (areas keep their properties whole).
fn json(value: &ColumnValue) -> Value {
    match value {
        ColumnValue::Byte(v) => Value::from(*v),
        ColumnValue::UByte(v) => Value::from(*v),
        ColumnValue::Bool(v) => Value::from(*v),
        ColumnValue::Short(v) => Value::from(*v),
        ColumnValue::UShort(v) => Value::from(*v),
        ColumnValue::Int(v) => Value::from(*v),
        ColumnValue::UInt(v) => Value::from(*v),
        ColumnValue::Long(v) => Value::from(*v),
        ColumnValue::ULong(v) => Value::from(*v),
        ColumnValue::Float(v) => Value::from(f64::from(*v)),
        ColumnValue::Double(v) => Value::from(*v),
        ColumnValue::String(s) | ColumnValue::DateTime(s) => Value::String((*s).to_owned()),
        ColumnValue::Json(s) => {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String((*s).to_owned()))
        }
        ColumnValue::Binary(_) => Value::Null,
    }
}

/// A column value as a station's scalar.
fn scalar(value: &ColumnValue) -> Scalar {
    match value {
        ColumnValue::Byte(v) => Scalar::Int(i64::from(*v)),
        ColumnValue::UByte(v) => Scalar::Int(i64::from(*v)),
        ColumnValue::Bool(v) => Scalar::Bool(*v),
        ColumnValue::Short(v) => Scalar::Int(i64::from(*v)),
        ColumnValue::UShort(v) => Scalar::Int(i64::from(*v)),
        ColumnValue::Int(v) => Scalar::Int(i64::from(*v)),
        ColumnValue::UInt(v) => Scalar::Int(i64::from(*v)),
        ColumnValue::Long(v) => Scalar::Int(*v),
        ColumnValue::ULong(v) => Scalar::UInt(*v),
        ColumnValue::Float(v) => Scalar::Float(f64::from(*v)),
        ColumnValue::Double(v) => Scalar::Float(*v),
        ColumnValue::String(s) | ColumnValue::DateTime(s) => Scalar::Str((*s).into()),
        ColumnValue::Json(s) => Scalar::from_json(
            &serde_json::from_str(s).unwrap_or_else(|_| Value::String((*s).to_owned())),
        ),
        ColumnValue::Binary(_) => Scalar::Compound,
    }
}

/// Collects every property (absent columns stay null).
struct Properties {
    map: Map<String, Value>,
}

impl PropertyProcessor for Properties {
    fn property(
        &mut self,
        _index: usize,
        name: &str,
        value: &ColumnValue,
    ) -> geozero::error::Result<bool> {
        self.map.insert(name.to_owned(), json(value));
        Ok(false)
    }
}

/// What a column is to a station.
struct Role {
    id: bool,
    power: bool,
    required: Option<usize>,
    /// The feed spec keeps its value.
    captured: bool,
}

/// Picks a station's id, power and required fields from its properties.
struct Picked<'r> {
    roles: &'r [Role],
    id: Option<Scalar>,
    power: Option<Scalar>,
    present: u64,
    captures: &'r [crate::feed::KeyPattern],
    captured: Vec<serde_json::Value>,
}

impl PropertyProcessor for Picked<'_> {
    fn property(
        &mut self,
        index: usize,
        name: &str,
        value: &ColumnValue,
    ) -> geozero::error::Result<bool> {
        let Some(role) = self.roles.get(index) else {
            return Ok(false);
        };
        let empty = matches!(value, ColumnValue::String(""));
        if let Some(bit) = role.required.filter(|_| !empty) {
            self.present |= 1 << bit;
        }
        if role.id {
            self.id = Some(scalar(value));
        }
        if role.power {
            self.power = Some(scalar(value));
        }
        if role.captured && !empty {
            let v = scalar(value).to_json();
            crate::feed::capture(self.captures, &mut self.captured, name.trim(), v);
        }
        Ok(false)
    }
}
