//! Records as read, before validation: what the readers hand to the
//! normalise stage. Nothing here has been checked beyond being well-formed
//! JSON or CSV, so every field keeps enough to explain what was wrong.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, Visitor};
use serde_json::{Map, Value};

use crate::input::format::InputFormat;

/// A property value that may serve as an id, a name or a power.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Text.
    Str(Box<str>),
    /// A negative integer (or any that fits `i64`).
    Int(i64),
    /// An integer too large for `i64`.
    UInt(u64),
    /// Any other number.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An object or an array: never a usable id or power.
    Compound,
}

impl Scalar {
    /// The value as text for an id or a name: numbers without a spurious
    /// `.0` (`1054.0` → `"1054"`), `None` for null.
    pub fn to_text(&self) -> Result<Option<String>, &'static str> {
        Ok(Some(match self {
            Scalar::Str(s) => s.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::UInt(u) => u.to_string(),
            Scalar::Float(f) => crate::units::float_id_text(*f),
            Scalar::Null => return Ok(None),
            Scalar::Bool(_) => return Err("is a boolean"),
            Scalar::Compound => return Err("is an object or array"),
        }))
    }

    /// As [`Scalar::to_text`], taking the value: text is moved, not copied.
    pub fn into_text(self) -> Result<Option<Box<str>>, &'static str> {
        match self {
            Scalar::Str(s) => Ok(Some(s)),
            other => other.to_text().map(|t| t.map(String::into_boxed_str)),
        }
    }

    /// The value as a power in kW: numbers are kW, text goes through
    /// [`parse_power_kw`](crate::power::parse_power_kw); `Ok(None)` when
    /// missing; the error says why the value cannot be read.
    pub fn to_power_kw(&self) -> Result<Option<f64>, String> {
        match self {
            Scalar::Null => Ok(None),
            Scalar::Int(i) => Ok(Some(*i as f64)),
            Scalar::UInt(u) => Ok(Some(*u as f64)),
            Scalar::Float(f) => Ok(Some(*f)),
            Scalar::Str(text) => crate::power::parse_power_kw(text).map_err(|e| e.to_string()),
            Scalar::Bool(_) | Scalar::Compound => Err("power is not a number or text".into()),
        }
    }

    /// A JSON value from its text, numbers as written: an integer beyond
    /// 64 bits (a 30-digit id) stays its digits rather than becoming the
    /// nearest float, which it would share with its neighbours.
    pub fn as_written(text: &str) -> Result<Scalar, serde_json::Error> {
        let t = text.trim();
        match t.as_bytes().first() {
            Some(b'"') if !t.contains('\\') && t.len() >= 2 => {
                Ok(Scalar::Str(t[1..t.len() - 1].into()))
            }
            Some(b'-' | b'0'..=b'9') => {
                let digits = t.strip_prefix('-').unwrap_or(t);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(t.parse::<i64>()
                        .map(Scalar::Int)
                        .or_else(|_| t.parse::<u64>().map(Scalar::UInt))
                        .unwrap_or_else(|_| Scalar::Str(t.into())))
                } else {
                    serde_json::from_str(t)
                }
            }
            _ => serde_json::from_str(t),
        }
    }

    /// The value as JSON (`Compound` becomes null: its parts are gone).
    pub fn to_json(&self) -> Value {
        match self {
            Scalar::Str(s) => Value::String(s.to_string()),
            Scalar::Int(i) => Value::from(*i),
            Scalar::UInt(u) => Value::from(*u),
            Scalar::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Null | Scalar::Compound => Value::Null,
        }
    }

    /// Converts a generic JSON value (area properties are kept whole).
    pub fn from_json(value: &Value) -> Scalar {
        match value {
            Value::String(s) => Scalar::Str(s.as_str().into()),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Scalar::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Scalar::UInt(u)
                } else {
                    Scalar::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Null => Scalar::Null,
            Value::Array(_) | Value::Object(_) => Scalar::Compound,
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::UInt(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Compound)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Compound)
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// A value found under one of a role's candidate keys, with the key's rank.
pub type Ranked = Option<(u8, Scalar)>;

/// Keeps the better-ranked of two candidates.
pub fn keep_best(slot: &mut Ranked, rank: u8, value: Scalar) {
    // `<=`: a key repeated in one object keeps its last value, as GDAL
    // and Python's json do.
    if slot.as_ref().is_none_or(|(r, _)| rank <= *r) {
        *slot = Some((rank, value));
    }
}

/// A station's geometry as read.
#[derive(Debug, Clone, PartialEq)]
pub enum RawPoint {
    /// No `geometry` member, or `null`.
    Null,
    /// A well-formed position (extra ordinates dropped).
    Point(f64, f64),
    /// `"coordinates": []`.
    Empty,
    /// A geometry of another type (its name), e.g. Polygon.
    WrongType(String),
    /// Present but unreadable; the reason.
    Malformed(String),
}

/// A station record as read.
#[derive(Debug, Clone, PartialEq)]
pub struct RawStation {
    /// Feature index (or table data row) in its file, 0-based.
    pub index: usize,
    /// The Feature's own `id` member (GeoJSON only).
    pub feature_id: Option<Scalar>,
    /// The best-ranked id value found, with its rank.
    pub id: Ranked,
    /// The best-ranked power value found, with its rank.
    pub power: Ranked,
    /// Bit i: required field i is present and not null (validate only).
    pub present: u64,
    /// The properties the feed spec asks to keep, in the order of
    /// [`Feed::captures`](crate::feed::Feed::captures) (empty when none
    /// was found or none was asked for).
    pub captured: Vec<Value>,
    /// The geometry as read.
    pub geometry: RawPoint,
}

/// A position: longitude then latitude (RFC 7946 order).
pub type Position = (f64, f64);

/// A geometry of a layer read whole (areas, road networks) as read.
#[derive(Debug, Clone, PartialEq)]
pub enum RawGeometry {
    /// No `geometry` member, or `null`.
    Null,
    /// A Polygon's rings.
    Polygon(Vec<Vec<Position>>),
    /// A MultiPolygon's polygons.
    MultiPolygon(Vec<Vec<Vec<Position>>>),
    /// A LineString's positions.
    LineString(Vec<Position>),
    /// A MultiLineString's lines.
    MultiLineString(Vec<Vec<Position>>),
    /// A geometry of another type (its name).
    WrongType(String),
    /// Present but unreadable; the reason.
    Malformed(String),
}

impl RawGeometry {
    /// The geometry's type as GeoJSON names it (`"null"` when missing,
    /// `"malformed"` when unreadable).
    pub fn type_name(&self) -> &str {
        match self {
            RawGeometry::Null => "null",
            RawGeometry::Polygon(_) => "Polygon",
            RawGeometry::MultiPolygon(_) => "MultiPolygon",
            RawGeometry::LineString(_) => "LineString",
            RawGeometry::MultiLineString(_) => "MultiLineString",
            RawGeometry::WrongType(kind) => kind,
            RawGeometry::Malformed(_) => "malformed",
        }
    }
}

/// A record of a layer read whole (an area, a road) as read.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFeature {
    /// Feature index in its file, 0-based.
    pub index: usize,
    /// The Feature's own `id` member.
    pub feature_id: Option<Scalar>,
    /// Its properties, kept whole.
    pub properties: Map<String, Value>,
    /// The geometry as read.
    pub geometry: RawGeometry,
}

/// What a layer's file said about itself, besides its records.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerMeta {
    /// The format it was read as.
    pub format: InputFormat,
    /// How many records were read (usable or not).
    pub records: usize,
    /// The old-style GeoJSON `crs` member's name, if the file had one.
    pub declared_crs: Option<String>,
    /// For tables: the header names chosen for lon and lat.
    pub lon_lat_columns: Option<(String, String)>,
    /// For tables: the header chosen for the id, as written.
    pub id_field: Option<String>,
    /// For tables: the header chosen for the power, as written.
    pub power_field: Option<String>,
    /// For tables: every column's name as written (the geometry's too);
    /// empty for GeoJSON, whose features each carry their own.
    pub fields: Vec<String>,
}

impl LayerMeta {
    /// A layer of `records` records in `format` that said nothing else.
    pub fn new(format: InputFormat, records: usize) -> Self {
        LayerMeta {
            format,
            records,
            declared_crs: None,
            lon_lat_columns: None,
            id_field: None,
            power_field: None,
            fields: Vec::new(),
        }
    }
}

/// A layer's records plus what the file said about itself.
#[derive(Debug, Clone)]
pub struct RawLayer<T> {
    /// The records, in file order.
    pub records: Vec<T>,
    /// What the file said about itself.
    pub meta: LayerMeta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_kept_as_written() {
        let a = Scalar::as_written("123456789012345678901234567890").unwrap();
        let b = Scalar::as_written("123456789012345678901234567891").unwrap();
        assert_ne!(a, b);
        assert_eq!(
            a.to_text().unwrap().as_deref(),
            Some("123456789012345678901234567890")
        );
        assert_eq!(Scalar::as_written("-42").unwrap(), Scalar::Int(-42));
        assert_eq!(
            Scalar::as_written("18446744073709551615").unwrap(),
            Scalar::UInt(u64::MAX)
        );
        assert_eq!(Scalar::as_written("2.5").unwrap(), Scalar::Float(2.5));
        assert_eq!(
            Scalar::as_written("\"S1\"").unwrap(),
            Scalar::Str("S1".into())
        );
        assert_eq!(
            Scalar::as_written(r#""a\"b""#).unwrap(),
            Scalar::Str("a\"b".into())
        );
        assert_eq!(Scalar::as_written("null").unwrap(), Scalar::Null);
        assert_eq!(Scalar::as_written("[1]").unwrap(), Scalar::Compound);
    }
}
