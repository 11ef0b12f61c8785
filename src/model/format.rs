//! Which format a layer was read from (detection is the readers' own,
//! in `input::format`).

use std::fmt;

/// An input's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// A GeoJSON FeatureCollection (RFC 7946).
    GeoJson,
    /// Newline-delimited GeoJSON: one Feature per line (GeoJSONSeq,
    /// RFC 8142, with or without the record separator; NDJSON).
    GeoJsonSeq,
    /// Plain JSON records: an array of objects (Open Charge Map), or an
    /// OCPI response whose `data` holds them.
    JsonRecords,
    /// Comma-, semicolon- or tab-separated text with a header line.
    Csv,
    /// An ESRI Shapefile (`.shp`, with `.shx`, `.dbf` and `.prj`).
    Shapefile,
    /// A dBASE table, e.g. a Shapefile's `.dbf` on its own.
    Dbf,
    /// An OGC GeoPackage (an SQLite database).
    GeoPackage,
    /// FlatGeobuf.
    FlatGeobuf,
    /// (Geo)Parquet.
    GeoParquet,
    /// KML.
    Kml,
    /// KMZ (zipped KML).
    Kmz,
    /// Another XML document (GML, GPX, …).
    Xml,
    /// An Excel workbook.
    Xlsx,
    /// A zip archive.
    Zip,
    /// An OpenStreetMap extract in the PBF format (`.osm.pbf`).
    OsmPbf,
}

impl InputFormat {
    /// The short name used in reports (`inputs.*.format`).
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::GeoJson => "geojson",
            InputFormat::GeoJsonSeq => "geojsonseq",
            InputFormat::JsonRecords => "json-records",
            InputFormat::Csv => "csv",
            InputFormat::Shapefile => "shapefile",
            InputFormat::Dbf => "dbf",
            InputFormat::GeoPackage => "gpkg",
            InputFormat::FlatGeobuf => "flatgeobuf",
            InputFormat::GeoParquet => "parquet",
            InputFormat::Kml => "kml",
            InputFormat::Kmz => "kmz",
            InputFormat::Xml => "xml",
            InputFormat::Xlsx => "xlsx",
            InputFormat::Zip => "zip",
            InputFormat::OsmPbf => "osm-pbf",
        }
    }

    /// A description for people.
    pub fn describe(self) -> &'static str {
        match self {
            InputFormat::GeoJson => "a GeoJSON FeatureCollection",
            InputFormat::GeoJsonSeq => "newline-delimited GeoJSON (GeoJSONSeq)",
            InputFormat::JsonRecords => "JSON records (an array of objects, or an OCPI response)",
            InputFormat::Csv => "a CSV table",
            InputFormat::Shapefile => "an ESRI Shapefile",
            InputFormat::Dbf => "a dBASE table (a Shapefile's .dbf)",
            InputFormat::GeoPackage => "an SQLite database (GeoPackage)",
            InputFormat::FlatGeobuf => "a FlatGeobuf file",
            InputFormat::GeoParquet => "a Parquet file (GeoParquet)",
            InputFormat::Kml => "a KML document",
            InputFormat::Kmz => "a KMZ archive (zipped KML)",
            InputFormat::Xml => "an XML document",
            InputFormat::Xlsx => "an Excel workbook",
            InputFormat::Zip => "a zip archive",
            InputFormat::OsmPbf => "an OpenStreetMap extract (.osm.pbf)",
        }
    }

    /// Records are rows of a table (numbered as data rows, with a file
    /// line one header below), not features of a collection.
    pub fn is_table(self) -> bool {
        self == InputFormat::Csv
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}
