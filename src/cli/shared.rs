//! Flag groups shared by several subcommands, each turning itself into
//! the library's plain configuration.

use std::path::Path;

use anyhow::bail;
use chargecov::input::{ReadOptions, TextEncoding};
use chargecov::output::staged::{self, Clash};
use clap::Args;

use chargecov::crs::Crs;
use chargecov::fields::{FieldSpec, defaults};
use chargecov::{AreaFieldSpecs, Rule, StationFieldSpecs};

fn spec(flag: &Option<String>, list: &'static [&'static str]) -> FieldSpec {
    FieldSpec::from_option(flag.as_deref(), list)
}

/// Which area properties feed id, name and group.
#[derive(Debug, Clone, Args)]
pub struct AreaFieldArgs {
    /// Area property used as id [default: first of adcode, code, id, …; else the feature index].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub id_field: Option<String>,

    /// Area property used as name [default: first of name, name_zh, name_en, …].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub name_field: Option<String>,

    /// Area property used to group areas, e.g. the district [default: first of district, county, group, …].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub group_field: Option<String>,
}

impl AreaFieldArgs {
    pub fn specs(&self) -> AreaFieldSpecs {
        AreaFieldSpecs {
            id: spec(&self.id_field, defaults::AREA_ID),
            name: spec(&self.name_field, defaults::AREA_NAME),
            group: spec(&self.group_field, defaults::AREA_GROUP),
        }
    }
}

/// Which station properties or columns feed id, power and position.
#[derive(Debug, Clone, Args)]
pub struct StationFieldArgs {
    /// Station property or column used as id [default: first of id, station_id, uid, …].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub station_id_field: Option<String>,

    /// Station property or column holding power [default: first of power_kw, max_power_kw, power, kw, …].
    ///
    /// Numbers are kW; text such as "120 kW", "0.48 MW", "22+11+3,7 kW" (the
    /// largest socket counts) and "7,4" is parsed; anything else is reported.
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub power_field: Option<String>,

    /// CSV column holding longitude [default: first of lon, lng, long, longitude, x].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub lon_field: Option<String>,

    /// CSV column holding latitude [default: first of lat, latitude, y].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub lat_field: Option<String>,
}

impl StationFieldArgs {
    pub fn specs(&self) -> StationFieldSpecs {
        StationFieldSpecs {
            id: spec(&self.station_id_field, defaults::STATION_ID),
            power: spec(&self.power_field, defaults::POWER),
            lon: spec(&self.lon_field, defaults::LON),
            lat: spec(&self.lat_field, defaults::LAT),
            required: Vec::new(),
        }
    }
}

/// How the input layers are read: coordinate systems, text encoding.
#[derive(Debug, Clone, Args)]
pub struct CrsArgs {
    /// Text encoding of CSV tables and Shapefile attributes, e.g. utf-8, gbk, gb18030, latin1, windows-1252
    /// [default: a .cpg or byte-order mark, else detected: UTF-8, else GB18030, else Windows-1252].
    #[arg(long, value_name = "ENCODING", value_parser = TextEncoding::parse, help_heading = "Coordinates and encoding")]
    pub encoding: Option<TextEncoding>,

    /// The areas' layer (table) in a file that holds several, e.g. a GeoPackage.
    #[arg(long, value_name = "NAME", help_heading = "Coordinates and encoding")]
    pub areas_layer: Option<String>,

    /// A CSV table's geometry column as WKT (areas as POLYGON/MULTIPOLYGON, stations as POINT)
    /// [default: first of geometry, wkt, the_geom, geom, wkb_geometry, shape].
    #[arg(long, value_name = "NAME", help_heading = "Coordinates and encoding")]
    pub geometry_field: Option<String>,

    /// The stations' layer (table) in a file that holds several.
    #[arg(long, value_name = "NAME", help_heading = "Coordinates and encoding")]
    pub stations_layer: Option<String>,

    /// Coordinate system of the areas: EPSG:NNNN, a PROJ string, wgs84, cgcs2000, gcj02 (AMap, Tencent) or bd09 (Baidu)
    /// [default: the file's `crs` member, else WGS84].
    #[arg(long, value_name = "CRS", value_parser = Crs::parse, help_heading = "Coordinates and encoding")]
    pub areas_crs: Option<Crs>,

    /// Coordinate system of the stations, as for --areas-crs.
    #[arg(long, value_name = "CRS", value_parser = Crs::parse, help_heading = "Coordinates and encoding")]
    pub stations_crs: Option<Crs>,
}

/// What a qualifying station and a covered area are.
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// A station qualifies when its power is at least this many kW (0: every station, even of unknown power).
    #[arg(long, value_name = "KW", default_value_t = 0.0, help_heading = "Rule")]
    pub min_power_kw: f64,

    /// A station this many metres (geodesic) outside an area's boundary still counts as inside.
    #[arg(long, value_name = "M", default_value_t = 0.0, help_heading = "Rule")]
    pub boundary_tolerance_m: f64,

    /// An area is also covered when a qualifying station is within this many km of it.
    #[arg(long, value_name = "KM", help_heading = "Rule")]
    pub within_km: Option<f64>,
}

impl CrsArgs {
    /// How to read the areas.
    pub fn areas_read(&self) -> ReadOptions {
        ReadOptions {
            encoding: self.encoding,
            layer: self.areas_layer.clone(),
            geometry_field: self.geometry_field.clone(),
        }
    }

    /// How to read the stations.
    pub fn stations_read(&self) -> ReadOptions {
        ReadOptions {
            encoding: self.encoding,
            layer: self.stations_layer.clone(),
            geometry_field: self.geometry_field.clone(),
        }
    }
}

impl RuleArgs {
    pub fn rule(&self) -> Rule {
        Rule {
            min_power_kw: self.min_power_kw,
            boundary_tolerance_m: self.boundary_tolerance_m,
            within_km: self.within_km,
        }
    }
}

/// Refuses, before any work, an output that would overwrite an input and
/// two outputs naming the same file or stream; says whether one output
/// goes to standard output (which then carries that output alone, not
/// the summary). `inputs` and `outputs` are (flag, path) pairs.
pub fn check_output_targets(
    inputs: &[(&str, &Path)],
    outputs: &[(&str, &Path)],
) -> anyhow::Result<bool> {
    let input_paths: Vec<&Path> = inputs.iter().map(|(_, p)| *p).collect();
    let output_paths: Vec<&Path> = outputs.iter().map(|(_, p)| *p).collect();
    match staged::check_targets(&input_paths, &output_paths) {
        Ok(()) => {}
        Err(Clash::OutputIsInput { output, input }) => {
            let (oflag, opath) = outputs[output];
            let (iflag, ipath) = inputs[input];
            bail!(
                "{oflag} {} would overwrite the input {iflag} {}; write the output elsewhere",
                opath.display(),
                ipath.display()
            );
        }
        Err(Clash::SameOutput { first, second }) => {
            let (f1, p1) = outputs[first];
            let (f2, p2) = outputs[second];
            bail!(
                "{f1} {} and {f2} {} name the same file or stream; give each output its own",
                p1.display(),
                p2.display()
            );
        }
    }
    Ok(output_paths.iter().any(|p| staged::is_stdout(p)))
}
