//! One door out: every writer, drawn from finished results, none
//! computing coverage. Organised one way:
//!
//! - per command, its renderers: [`check`] (text, area tables, sites,
//!   the HTML page, Markdown, CI), [`corridor`], [`diff`], [`suggest`],
//!   [`validate`];
//! - per format, the writers every command's layers share: [`formats`]
//!   (GeoPackage, FlatGeobuf, GeoParquet, PNG, JUnit and GitHub
//!   annotations), chosen from a file's name by [`layer`];
//! - the map the HTML pages and the printed map draw (`map`, `explore`),
//!   and files staged and committed all-or-nothing ([`staged`]).
//!
//! Formatting shared by the writers is here too.

pub mod check;
pub mod corridor;
pub mod diff;
#[cfg(feature = "render")]
pub mod explore;
pub mod formats;
pub mod layer;
#[cfg(feature = "render")]
pub mod map;
pub mod staged;
pub mod suggest;
pub mod validate;

/// Text for a terminal or a text file with every control character but
/// line feed and tab written as an escape (`\u{1b}`): ids, names and
/// values come from the input, and a feed must not be able to clear the
/// screen, retitle the terminal or rewrite a line of the verdict. The
/// renderers write no control characters of their own, so the whole
/// rendered text passes through this once.
pub fn printable(text: String) -> String {
    if !text.chars().any(is_hostile) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hostile(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_hostile(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The horizontal lines of a chart of shares (0, 25, 50, 75, 100 %) from
/// `left` to `right`, labelled at the left; `y` places a share.
pub(crate) fn share_gridlines(s: &mut String, left: f64, right: f64, y: impl Fn(f64) -> f64) {
    use std::fmt::Write as _;
    for share in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{:.1}" x2="{right:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="4" y="{:.1}" fill="#404040">{:.0} %</text>"##,
            y(share),
            y(share),
            y(share) + 4.0,
            share * 100.0
        );
    }
}

/// Opens a FeatureCollection, up to its `features` array.
pub(crate) fn collection_start(
    out: &mut dyn std::io::Write,
    crs: &crate::crs::OutputCrs,
) -> std::io::Result<()> {
    out.write_all(b"{\"type\":\"FeatureCollection\",")?;
    if let Some(name) = crs.geojson_name() {
        // Not WGS84: say so the old (GeoJSON 2008) way, which GDAL and QGIS read.
        let member = serde_json::json!({"type": "name", "properties": {"name": name}});
        write!(out, "\"crs\":{member},")?;
    }
    out.write_all(b"\"features\":[")
}

/// Writes point and line records as a GeoJSON FeatureCollection in
/// `crs`: coordinates to 7 decimals of a degree, or to the centimetre in
/// a projected system.
pub(crate) fn write_features(
    out: &mut dyn std::io::Write,
    crs: &crate::crs::OutputCrs,
    records: Vec<ShapeRecord>,
) -> std::io::Result<()> {
    let place = |c: geo::Coord<f64>| {
        if crs.is_geographic() {
            [
                crate::reporting::round_deg(c.x),
                crate::reporting::round_deg(c.y),
            ]
        } else {
            [(c.x * 100.0).round() / 100.0, (c.y * 100.0).round() / 100.0]
        }
    };
    collection_start(out, crs)?;
    for (i, (geometry, properties)) in records.into_iter().enumerate() {
        let geometry = match geometry {
            geo::Geometry::Point(p) => {
                serde_json::json!({"type": "Point", "coordinates": place(p.0)})
            }
            geo::Geometry::LineString(line) => {
                let coordinates: Vec<[f64; 2]> = line.0.into_iter().map(place).collect();
                serde_json::json!({"type": "LineString", "coordinates": coordinates})
            }
            _ => unreachable!("point and line layers hold points and lines"),
        };
        let feature = serde_json::json!({
            "type": "Feature",
            "properties": properties,
            "geometry": geometry,
        });
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        out.write_all(&serde_json::to_vec(&feature)?)?;
    }
    out.write_all(b"\n]}\n")
}

/// One output feature for writers of formats other than GeoJSON: its
/// geometry (in the output CRS; a MultiPolygon or a Point, as its layer's
/// [`ShapeKind`] says) and its properties, in order.
pub type ShapeRecord = (
    geo::Geometry<f64>,
    serde_json::Map<String, serde_json::Value>,
);

/// A layer written from [`ShapeRecord`]s by a typed writer (GeoPackage,
/// FlatGeobuf, GeoParquet): what is known before the first record, so
/// the records may stream.
#[derive(Debug, Clone)]
pub struct ShapeLayer<'a> {
    /// The table or layer name.
    pub name: &'a str,
    /// Its geometry type.
    pub kind: ShapeKind,
    /// The CRS its coordinates are in.
    pub crs: &'a crate::crs::Crs,
    /// Its property columns, in order (see [`property_columns`]).
    pub columns: Vec<(String, ColumnKind)>,
}

/// The geometry type of a layer written from [`ShapeRecord`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeKind {
    /// Areas, gaps, changes (a Polygon is written as a one-part MultiPolygon).
    MultiPolygon,
    /// Stations.
    Point,
    /// Stretches of road.
    LineString,
}

impl ShapeKind {
    /// The OGC Simple Features name, upper case as GeoPackage wants it.
    pub fn sql_name(self) -> &'static str {
        match self {
            ShapeKind::MultiPolygon => "MULTIPOLYGON",
            ShapeKind::Point => "POINT",
            ShapeKind::LineString => "LINESTRING",
        }
    }

    /// The OGC Simple Features name (GeoParquet's `geometry_types`).
    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::MultiPolygon => "MultiPolygon",
            ShapeKind::Point => "Point",
            ShapeKind::LineString => "LineString",
        }
    }
}

/// A record's geometry as its layer's kind wants it: Polygons become
/// one-part MultiPolygons.
#[cfg(any(feature = "gpkg", feature = "fgb", feature = "parquet"))]
pub(crate) fn promoted(geometry: &geo::Geometry<f64>, kind: ShapeKind) -> geo::Geometry<f64> {
    match (kind, geometry) {
        (ShapeKind::MultiPolygon, geo::Geometry::Polygon(p)) => {
            geo::Geometry::MultiPolygon(geo::MultiPolygon::new(vec![p.clone()]))
        }
        (_, g) => g.clone(),
    }
}

/// The type of a property column in a typed format (GeoPackage,
/// FlatGeobuf).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// `true`/`false` (GeoPackage BOOLEAN, FlatGeobuf Bool).
    Boolean,
    /// Whole numbers (and booleans among them, as 0/1).
    Integer,
    /// Other numbers.
    Real,
    /// Text, and anything else as its JSON text.
    Text,
}

impl ColumnKind {
    /// The kind that holds values of both: text holds anything, reals
    /// hold integers and booleans, integers hold booleans.
    fn widen(self, other: ColumnKind) -> ColumnKind {
        use ColumnKind::*;
        match (self, other) {
            (Text, _) | (_, Text) => Text,
            (Real, _) | (_, Real) => Real,
            (Integer, _) | (_, Integer) => Integer,
            (Boolean, Boolean) => Boolean,
        }
    }
}

/// A property value as a typed column of `kind` holds it (see
/// [`property_columns`]: booleans count as 0/1 in number columns, text
/// columns hold anything as its JSON text); `None` writes a null.
#[cfg(any(feature = "fgb", feature = "parquet"))]
pub(crate) fn cell(kind: ColumnKind, value: Option<&serde_json::Value>) -> Option<Cell<'_>> {
    use serde_json::Value;
    Some(match (kind, value?) {
        (_, Value::Null) => return None,
        (ColumnKind::Boolean, Value::Bool(b)) => Cell::Bool(*b),
        (ColumnKind::Integer, Value::Bool(b)) => Cell::Int(i64::from(*b)),
        (ColumnKind::Integer, Value::Number(n)) => Cell::Int(n.as_i64()?),
        (ColumnKind::Real, Value::Bool(b)) => Cell::Real(f64::from(u8::from(*b))),
        (ColumnKind::Real, Value::Number(n)) => Cell::Real(n.as_f64()?),
        (ColumnKind::Text, Value::String(s)) => Cell::Text(s.as_str().into()),
        (ColumnKind::Text, other) => Cell::Text(other.to_string().into()),
        _ => return None,
    })
}

/// One typed value of a column ([`cell`]).
#[cfg(any(feature = "fgb", feature = "parquet"))]
pub(crate) enum Cell<'a> {
    Bool(bool),
    Int(i64),
    Real(f64),
    Text(std::borrow::Cow<'a, str>),
}

/// The columns of the records' properties, in order of first appearance,
/// typed by their non-null values: integers that meet reals become real;
/// a column only ever null is text.
pub fn property_columns(records: &[ShapeRecord]) -> Vec<(String, ColumnKind)> {
    let mut columns: Vec<(String, Option<ColumnKind>)> = Vec::new();
    for (_, properties) in records {
        for (name, value) in properties {
            let kind = match value {
                serde_json::Value::Null => None,
                serde_json::Value::Bool(_) => Some(ColumnKind::Boolean),
                // Beyond i64 (a 20-digit unsigned) only a real holds it.
                serde_json::Value::Number(n) if n.is_i64() => Some(ColumnKind::Integer),
                serde_json::Value::Number(_) => Some(ColumnKind::Real),
                _ => Some(ColumnKind::Text),
            };
            match columns.iter_mut().find(|(n, _)| n == name) {
                Some(column) => {
                    column.1 = match (column.1, kind) {
                        (None, k) | (k, None) => k,
                        (Some(a), Some(b)) => Some(a.widen(b)),
                    };
                }
                None => columns.push((name.clone(), kind)),
            }
        }
    }
    columns
        .into_iter()
        .map(|(name, kind)| (name, kind.unwrap_or(ColumnKind::Text)))
        .collect()
}

/// Text for XML, HTML and SVG: the five XML special characters escaped,
/// and the control characters XML 1.0 cannot carry replaced.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use geo::polygon;

    /// The unit square with its west edge at `x`, as a MultiPolygon (for
    /// the writers' tests; a build without the optional writers has none).
    #[allow(dead_code)]
    pub(crate) fn square(x: f64) -> geo::MultiPolygon<f64> {
        geo::MultiPolygon::new(vec![polygon![
            (x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0), (x: x, y: 0.0)
        ]])
    }

    #[test]
    fn columns_are_typed_by_their_values() {
        let record = |pairs: &[(&str, serde_json::Value)]| {
            let properties = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            (geo::MultiPolygon::<f64>::new(vec![]).into(), properties)
        };
        use serde_json::json;
        let records = [
            record(&[("n", json!(1)), ("x", json!(null)), ("s", json!("a"))]),
            record(&[("n", json!(2.5)), ("x", json!(null)), ("b", json!(true))]),
            record(&[("s", json!(3)), ("i", json!(false))]),
            record(&[("i", json!(7))]),
        ];
        // n: integer then real → real; x: only null → text; s: text then
        // a number → text; b: boolean; i: boolean then integer → integer.
        assert_eq!(
            property_columns(&records),
            vec![
                ("n".to_owned(), ColumnKind::Real),
                ("x".to_owned(), ColumnKind::Text),
                ("s".to_owned(), ColumnKind::Text),
                ("b".to_owned(), ColumnKind::Boolean),
                ("i".to_owned(), ColumnKind::Integer),
            ]
        );
    }

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}\n"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_lines_kept() {
        // ESC c (reset the terminal), OSC 0 (set the title, ended by BEL),
        // a carriage return, DEL and the one-byte CSI of C1.
        let hostile = "s1\u{1b}c\u{1b}]0;owned\u{7}\r\u{7f}\u{9b}2J\tok\n深圳\n".to_owned();
        assert_eq!(
            printable(hostile),
            "s1\\u{1b}c\\u{1b}]0;owned\\u{7}\\u{d}\\u{7f}\\u{9b}2J\tok\n深圳\n"
        );
        assert_eq!(printable("plain\n".to_owned()), "plain\n");
    }
}
