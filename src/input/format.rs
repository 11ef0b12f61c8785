//! Which format an input is in, decided once per input: magic bytes
//! first (they cannot lie), then the file's extension, then the content.
//!
//! Formats chargecov recognises but does not read yet are named too, so
//! that a Shapefile or a GeoPackage is refused as what it is rather than
//! reported as malformed JSON.

pub use crate::model::InputFormat;

/// How the bytes are wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// As they are.
    #[default]
    None,
    /// gzip (RFC 1952), possibly several members.
    Gzip,
}

/// gzip's magic bytes (RFC 1952, 2.3.1).
pub const GZIP_MAGIC: &[u8] = b"\x1f\x8b";

/// Is `head` the start of gzip data?
pub fn compression(head: &[u8]) -> Compression {
    if head.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else {
        Compression::None
    }
}

/// The file name without a compression suffix: `a.geojson.gz` → `a.geojson`.
pub fn strip_compression_suffix(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for suffix in [".gz", ".gzip"] {
        if lower.ends_with(suffix) {
            return &name[..name.len() - suffix.len()];
        }
    }
    name
}

/// Decides the format of an input from its first bytes (decompressed, a
/// byte-order mark removed) and its file name, if it has one.
pub fn detect(head: &[u8], file_name: Option<&str>) -> InputFormat {
    if let Some(format) = by_magic(head, file_name) {
        return format;
    }
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("geojsonl" | "geojsons" | "geojsonseq" | "ndjson" | "jsonl" | "ldjson") => {
            return InputFormat::GeoJsonSeq;
        }
        // A .json or .geojson file may hold either JSON layout: the
        // content decides, and a lone Feature stays GeoJSON (and is
        // refused as such) unless a second one follows on its own line.
        Some("geojson" | "json") => {
            return if looks_like_seq(head, 2) {
                InputFormat::GeoJsonSeq
            } else if looks_like_records(head) {
                InputFormat::JsonRecords
            } else {
                InputFormat::GeoJson
            };
        }
        // A table never begins with `{`: JSON saved as text is read as
        // what it holds (content decides when the two disagree).
        Some("csv" | "tsv" | "txt" | "tab") => {
            return match first_significant(head) {
                Some(b'{') if looks_like_seq(head, 2) => InputFormat::GeoJsonSeq,
                Some(b'{') => InputFormat::GeoJson,
                _ => InputFormat::Csv,
            };
        }
        Some("shp" | "shx") => return InputFormat::Shapefile,
        Some("dbf") => return InputFormat::Dbf,
        Some("gpkg" | "sqlite") => return InputFormat::GeoPackage,
        Some("fgb") => return InputFormat::FlatGeobuf,
        Some("parquet" | "geoparquet") => return InputFormat::GeoParquet,
        Some("kml") => return InputFormat::Kml,
        Some("kmz") => return InputFormat::Kmz,
        Some("gml" | "gpx" | "xml") => return InputFormat::Xml,
        Some("xlsx" | "xlsm" | "xls") => return InputFormat::Xlsx,
        Some("zip") => return InputFormat::Zip,
        _ => {}
    }
    match first_significant(head) {
        Some(b'{') if looks_like_seq(head, 2) => InputFormat::GeoJsonSeq,
        _ if looks_like_records(head) => InputFormat::JsonRecords,
        Some(b'{' | b'[') => InputFormat::GeoJson,
        Some(b'<') => xml_kind(head),
        _ => InputFormat::Csv,
    }
}

/// JSON records rather than GeoJSON: a top-level array (GeoJSON never is
/// one), or an object with OCPI's response members (`data` and
/// `status_code`) or AFDC's `fuel_stations`, and no FeatureCollection in
/// sight.
fn looks_like_records(head: &[u8]) -> bool {
    match first_significant(head) {
        Some(b'[') => true,
        Some(b'{') => {
            let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
            let ocpi = has(b"\"status_code\"") && has(b"\"data\"");
            (ocpi || has(b"\"fuel_stations\"")) && !has(b"FeatureCollection")
        }
        _ => false,
    }
}

fn first_significant(head: &[u8]) -> Option<u8> {
    head.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn by_magic(head: &[u8], file_name: Option<&str>) -> Option<InputFormat> {
    const SQLITE: &[u8] = b"SQLite format 3\0";
    // The file code 9994, big-endian (ESRI Shapefile Technical Description).
    const SHAPEFILE: &[u8] = b"\x00\x00\x27\x0a";
    // "fgb", the major version 3 (FlatGeobuf's specification).
    const FLATGEOBUF: &[u8] = b"fgb\x03";
    const PARQUET: &[u8] = b"PAR1";
    const ZIP: &[u8] = b"PK\x03\x04";
    const EMPTY_ZIP: &[u8] = b"PK\x05\x06";
    // RFC 8142: every GeoJSON text in a sequence starts with RS.
    const RECORD_SEPARATOR: u8 = 0x1e;
    let magic = [
        (SQLITE, InputFormat::GeoPackage),
        (SHAPEFILE, InputFormat::Shapefile),
        (FLATGEOBUF, InputFormat::FlatGeobuf),
        (PARQUET, InputFormat::GeoParquet),
        (EMPTY_ZIP, InputFormat::Zip),
    ];
    if let Some(&(_, format)) = magic.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(format);
    }
    if head.starts_with(ZIP) {
        return Some(zip_kind(head, file_name));
    }
    if head.first() == Some(&RECORD_SEPARATOR) {
        return Some(InputFormat::GeoJsonSeq);
    }
    // An OSM PBF file opens with a blob header's length (4 bytes, big
    // endian) and the header itself, whose field 1 (tag 0x0A, length 9)
    // is the blob type "OSMHeader" (OpenStreetMap wiki, "PBF Format").
    if head.len() >= 15 && &head[4..6] == b"\x0a\x09" && &head[6..15] == b"OSMHeader" {
        return Some(InputFormat::OsmPbf);
    }
    None
}

/// A zip archive's kind: by extension, else by its first entry's name
/// (the local file header keeps it at offset 30, its length at 26).
fn zip_kind(head: &[u8], file_name: Option<&str>) -> InputFormat {
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("xlsx" | "xlsm") => return InputFormat::Xlsx,
        Some("kmz") => return InputFormat::Kmz,
        _ => {}
    }
    let entry = head.get(26..28).and_then(|len| {
        let len = u16::from_le_bytes([len[0], len[1]]) as usize;
        head.get(30..30 + len)
    });
    let entry = entry.map(String::from_utf8_lossy).unwrap_or_default();
    if entry == "[Content_Types].xml" || entry.starts_with("xl/") {
        InputFormat::Xlsx
    } else if entry.to_ascii_lowercase().ends_with(".kml") {
        InputFormat::Kmz
    } else {
        InputFormat::Zip
    }
}

fn xml_kind(head: &[u8]) -> InputFormat {
    let text = String::from_utf8_lossy(head);
    if text.contains("<kml") {
        InputFormat::Kml
    } else {
        InputFormat::Xml
    }
}

/// Does `head` start with at least `records` one-line GeoJSON Features
/// (or one, when the first line is longer than `head`)?
fn looks_like_seq(head: &[u8], records: usize) -> bool {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| {
            l.trim_ascii_start()
                .strip_prefix(b"\x1e")
                .unwrap_or(l)
                .trim_ascii()
        })
        .filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let complete = head.contains(&b'\n');
    if !complete {
        // One long first line: judge by how it starts.
        return starts_as_feature(first);
    }
    if !is_feature(first) {
        return false;
    }
    // The last piece may be cut off by the end of `head`: it counts when
    // it starts as a Feature.
    let rest: Vec<&[u8]> = lines.take(records - 1).collect();
    rest.len() == records - 1 && rest.iter().all(|l| is_feature(l) || starts_as_feature(l))
}

fn is_feature(line: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "type", borrow)]
        kind: Option<&'a str>,
    }
    serde_json::from_slice::<Kind>(line).is_ok_and(|k| k.kind == Some("Feature"))
}

/// `{"type": "Feature"` as the first member (with any spacing); other
/// member orders are judged by a complete parse instead.
fn starts_as_feature(line: &[u8]) -> bool {
    let compact: Vec<u8> = line
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .take(20)
        .collect();
    compact.starts_with(br#"{"type":"Feature""#) && !compact.starts_with(br#"{"type":"FeatureC"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_the_extension() {
        assert_eq!(
            detect(b"SQLite format 3\0\x10\x00", Some("a.geojson")),
            InputFormat::GeoPackage
        );
        assert_eq!(
            detect(b"\x00\x00\x27\x0a\x00\x00", Some("a.json")),
            InputFormat::Shapefile
        );
        assert_eq!(detect(b"fgb\x03fgb\x00", None), InputFormat::FlatGeobuf);
        assert_eq!(detect(b"PAR1\x15\x04", None), InputFormat::GeoParquet);
        assert_eq!(detect(b"PK\x05\x06\0\0", None), InputFormat::Zip);
    }

    #[test]
    fn zip_archives_by_extension_or_first_entry() {
        let entry = |name: &str| {
            let mut h = b"PK\x03\x04".to_vec();
            h.resize(26, 0);
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&[0, 0]);
            h.extend_from_slice(name.as_bytes());
            h
        };
        assert_eq!(
            detect(&entry("[Content_Types].xml"), None),
            InputFormat::Xlsx
        );
        assert_eq!(detect(&entry("doc.kml"), None), InputFormat::Kmz);
        assert_eq!(detect(&entry("zones.shp"), None), InputFormat::Zip);
        assert_eq!(detect(&entry("x"), Some("book.xlsx")), InputFormat::Xlsx);
    }

    #[test]
    fn json_layouts_by_content() {
        let seq =
            b"{\"type\":\"Feature\",\"geometry\":null}\n{\"type\":\"Feature\",\"geometry\":null}\n";
        assert_eq!(detect(seq, Some("a.geojson")), InputFormat::GeoJsonSeq);
        assert_eq!(detect(seq, None), InputFormat::GeoJsonSeq);
        let one = b"{\"type\":\"Feature\",\"geometry\":null}\n";
        assert_eq!(detect(one, Some("a.geojson")), InputFormat::GeoJson);
        assert_eq!(detect(one, Some("a.geojsonl")), InputFormat::GeoJsonSeq);
        let collection = b"{\n \"type\": \"FeatureCollection\",\n \"features\": []}";
        assert_eq!(detect(collection, None), InputFormat::GeoJson);
        let one_line = b"{\"type\":\"FeatureCollection\",\"features\":[]}\n";
        assert_eq!(detect(one_line, None), InputFormat::GeoJson);
        // A first line longer than the head: judged by how it starts.
        assert_eq!(
            detect(
                b"{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coord",
                None
            ),
            InputFormat::GeoJsonSeq
        );
        assert_eq!(
            detect(b"\x1e{\"type\":\"Feature\"}", None),
            InputFormat::GeoJsonSeq
        );
    }

    #[test]
    fn text_formats_by_extension_then_content() {
        assert_eq!(detect(b"lon,lat\n1,2\n", None), InputFormat::Csv);
        // No table begins with `{`: the content wins over `.csv`.
        assert_eq!(detect(b"{}", Some("x.csv")), InputFormat::GeoJson);
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><kml xmlns=", None),
            InputFormat::Kml
        );
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><gpx", None),
            InputFormat::Xml
        );
        assert_eq!(detect(b"", Some("a.fgb")), InputFormat::FlatGeobuf);
    }

    /// An OSM PBF extract is known by its first blob header whatever its
    /// name; JSON under a table's extension is read as JSON.
    #[test]
    fn osm_pbf_by_header_and_json_in_a_text_file() {
        let mut pbf = b"\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\x80\x01".to_vec();
        pbf.extend([0u8; 8]);
        for name in ["a.osm.pbf", "a.csv", "a"] {
            assert_eq!(detect(&pbf, Some(name)), InputFormat::OsmPbf, "{name}");
        }
        // A blob of another type is not taken for one.
        assert_eq!(
            detect(b"\x00\x00\x00\x0d\x0a\x07OSMData", Some("a.csv")),
            InputFormat::Csv
        );
        let seq = b"{\"type\":\"Feature\"}\n{\"type\":\"Feature\"}\n";
        assert_eq!(detect(seq, Some("a.txt")), InputFormat::GeoJsonSeq);
        assert_eq!(
            detect(b"{\"type\":\"FeatureCollection\"}", Some("a.tsv")),
            InputFormat::GeoJson
        );
        assert_eq!(detect(b"lon,lat\n1,2\n", Some("a.txt")), InputFormat::Csv);
    }

    #[test]
    fn compression_suffixes() {
        assert_eq!(strip_compression_suffix("a.geojson.gz"), "a.geojson");
        assert_eq!(strip_compression_suffix("a.CSV.GZ"), "a.CSV");
        assert_eq!(strip_compression_suffix("a.csv"), "a.csv");
        assert_eq!(compression(b"\x1f\x8b\x08"), Compression::Gzip);
    }
}
