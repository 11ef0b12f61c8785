//! Flag groups shared by several subcommands, each turning itself into
//! the library's plain configuration.

use std::path::Path;

use anyhow::bail;
use chargecov::input::{ReadOptions, Source, TextEncoding};
use chargecov::output::layer::{self, FormatProblem, LayerFormat, LayerOptions, OutputLayer};
use chargecov::output::staged::{self, Clash};
use clap::Args;

use chargecov::crs::Crs;
use chargecov::feed::preset::FeedFormat;
use chargecov::feed::{Feed, FieldPath, Filter, PowerSource};
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
    /// Repeat the flag for a feed that gives each charging point its own
    /// field (`--power-field "P1 [kW]" --power-field "P2 [kW]"`): each value
    /// is a point and the strongest counts. A path reaches into nested
    /// arrays (`Connections[].PowerKW`; each element is a point), a `*`
    /// matches tag names (`socket:*:output`), and `@W`, `@kW` or `@MW` gives
    /// the unit of bare numbers (`evses[].connectors[].max_electric_power@W`).
    #[arg(long, value_name = "NAME[@UNIT]", help_heading = "Fields")]
    pub power_field: Vec<String>,

    /// The station feed's own shape: `bnetza` (the German register's sheet:
    /// `Längengrad [DG]`, `P1 [kW]` … `P4 [kW]`), `osm` (tags as properties,
    /// power from `socket:*:output`), `ocm` (Open Charge Map JSON:
    /// `Connections[].PowerKW`) or `ocpi` (OCPI 2.2.1 Locations: one point per
    /// EVSE, `max_electric_power` in W). Sets the position, id and power
    /// fields the flags above do not. Detected from the names when unambiguous.
    #[arg(long, value_name = "FEED", value_parser = FeedFormat::parse, help_heading = "Fields")]
    pub stations_format: Option<FeedFormat>,

    /// Only the station records for which EXPR holds, e.g. "status = 'operational'",
    /// "access in ('public', 'yes') and not kind = 'AC'", "\"P1 [kW]\" >= 50", "operator is not null".
    ///
    /// SQL-like, as `ogr2ogr -where`: text in single quotes, names with spaces
    /// in double quotes; a comparison with a missing value is false.
    /// Repeatable (all must hold); the report says how many records each removed.
    #[arg(long = "where", value_name = "EXPR", help_heading = "Fields")]
    pub filters: Vec<String>,

    /// CSV column holding longitude [default: first of lon, lng, long, longitude, x].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub lon_field: Option<String>,

    /// CSV column holding latitude [default: first of lat, latitude, y].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub lat_field: Option<String>,
}

impl StationFieldArgs {
    /// The fields to read, with the feed's power sources and filters;
    /// `pool_key` names the site field for pools by key. Without
    /// --stations-format or --power-field, the feed's shape is detected
    /// from `source`'s column or property names when they show it.
    pub fn specs(
        &self,
        pool_key: Option<&str>,
        source: &Source,
        read: &ReadOptions,
    ) -> anyhow::Result<StationFieldSpecs> {
        let format = self.stations_format.or_else(|| {
            // Only a regular file can be looked into and read again: a
            // pipe or standard input is read once, by the check itself.
            let regular = source.path().is_none_or(|p| p.is_file());
            if !self.power_field.is_empty() || *source == Source::Stdin || !regular {
                return None;
            }
            let names = source
                .open_with(read)
                .and_then(|input| chargecov::input::names::property_names(&input, 1000))
                .ok()?;
            FeedFormat::detect(&names)
        });
        let shape = format.map(FeedFormat::shape);
        let preset =
            |flag: &Option<String>, from: Option<&'static [&'static str]>, defaults| match from {
                Some(list) if flag.is_none() && !list.is_empty() => FieldSpec::discover(list),
                _ => spec(flag, defaults),
            };
        let plain_power = match self.power_field.as_slice() {
            [one] if !one.contains('@') && !one.contains("[]") && !one.contains('*') => {
                Some(one.clone())
            }
            _ => None,
        };
        let mut sources = Vec::new();
        if plain_power.is_none() {
            let given: Vec<&str> = if self.power_field.is_empty() {
                shape.as_ref().map(|s| s.power.to_vec()).unwrap_or_default()
            } else {
                self.power_field.iter().map(String::as_str).collect()
            };
            for text in given {
                sources.push(
                    PowerSource::parse(text)
                        .map_err(|why| anyhow::anyhow!("--power-field {text:?}: {why}"))?,
                );
            }
        }
        let mut filters = Vec::new();
        for text in shape.as_ref().map_or(&[][..], |s| s.filters) {
            filters.push(Filter::parse(text).map_err(|e| anyhow::anyhow!("{e}"))?);
        }
        for text in &self.filters {
            filters.push(Filter::parse(text).map_err(|e| anyhow::anyhow!("--where: {e}"))?);
        }
        let pool_key = pool_key
            .map(|k| FieldPath::parse(k).map_err(|why| anyhow::anyhow!("--pool-field: {why}")))
            .transpose()?;
        Ok(StationFieldSpecs {
            id: preset(
                &self.station_id_field,
                shape.as_ref().map(|s| s.id),
                defaults::STATION_ID,
            ),
            power: if sources.is_empty() {
                spec(&plain_power, defaults::POWER)
            } else {
                // Read through the sources only.
                FieldSpec::discover(&[])
            },
            lon: preset(
                &self.lon_field,
                shape.as_ref().map(|s| s.lon),
                defaults::LON,
            ),
            lat: preset(
                &self.lat_field,
                shape.as_ref().map(|s| s.lat),
                defaults::LAT,
            ),
            required: Vec::new(),
            feed: Feed::new(sources, filters, pool_key),
        })
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
    #[arg(
        long,
        value_name = "KM",
        allow_hyphen_values = true,
        help_heading = "Rule"
    )]
    pub within_km: Option<f64>,
}

/// The environment variables that raise (or lower) the limits on how far
/// compressed input may expand, in the manner of unzip's
/// `UNZIP_DISABLE_ZIPBOMB_DETECTION`: set for a run, not kept.
pub const MAX_EXPANDED_MB: &str = "CHARGECOV_MAX_EXPANDED_MB";
/// See [`MAX_EXPANDED_MB`].
pub const MAX_EXPANSION_RATIO: &str = "CHARGECOV_MAX_EXPANSION_RATIO";

static LIMITS: std::sync::OnceLock<chargecov::input::ExpansionLimits> = std::sync::OnceLock::new();

/// Reads the expansion limits from the environment, once, before any
/// command runs.
pub fn read_limits_from_env() -> anyhow::Result<()> {
    let mut limits = chargecov::input::ExpansionLimits::default();
    let read = |name: &str| -> anyhow::Result<Option<u64>> {
        match std::env::var(name) {
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => bail!("{name} must be a whole number"),
            Ok(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => bail!("{name} must be a whole number above 0, got {v:?}"),
            },
        }
    };
    if let Some(mb) = read(MAX_EXPANDED_MB)? {
        limits.max_bytes = mb.saturating_mul(1 << 20);
    }
    if let Some(ratio) = read(MAX_EXPANSION_RATIO)? {
        limits.max_ratio = ratio;
    }
    let _ = LIMITS.set(limits);
    Ok(())
}

/// The expansion limits of this run.
pub fn expansion_limits() -> chargecov::input::ExpansionLimits {
    LIMITS.get().copied().unwrap_or_default()
}

impl CrsArgs {
    /// How to read the areas.
    pub fn areas_read(&self) -> ReadOptions {
        ReadOptions {
            encoding: self.encoding,
            layer: self.areas_layer.clone(),
            geometry_field: self.geometry_field.clone(),
            limits: expansion_limits(),
        }
    }

    /// How to read the stations.
    pub fn stations_read(&self) -> ReadOptions {
        ReadOptions {
            encoding: self.encoding,
            layer: self.stations_layer.clone(),
            geometry_field: self.geometry_field.clone(),
            limits: expansion_limits(),
        }
    }
}

impl RuleArgs {
    pub fn rule(&self) -> Rule {
        Rule {
            min_power_kw: self.min_power_kw,
            boundary_tolerance_m: self.boundary_tolerance_m,
            within_km: self.within_km,
            ..Rule::default()
        }
    }
}

/// The 1-based line of each feature of a GeoJSON areas file, for CI
/// annotations (`line=`); empty for other formats, streams, or a file that
/// cannot be read again.
pub fn feature_lines(source: &Source) -> Vec<u32> {
    let Some(path) = source.path() else {
        return Vec::new();
    };
    let geojson = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"));
    if !geojson {
        return Vec::new();
    }
    std::fs::File::open(path)
        .and_then(|f| chargecov::input::lines::feature_lines(std::io::BufReader::new(f)))
        .unwrap_or_default()
}

/// `--output-crs`, prepared (WGS84 without it).
pub fn output_crs(crs: Option<&Crs>) -> anyhow::Result<chargecov::crs::OutputCrs> {
    match crs {
        Some(crs) => {
            chargecov::crs::OutputCrs::new(crs).map_err(|why| anyhow::anyhow!("--output-crs {why}"))
        }
        None => Ok(chargecov::crs::OutputCrs::wgs84()),
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

/// The format the file of an output `flag` asks for (checked before any
/// work), refused with the flag named and what to do.
pub fn layer_format(
    flag: &str,
    path: &Path,
    with_csv: bool,
    crs: &chargecov::crs::OutputCrs,
) -> anyhow::Result<LayerFormat> {
    LayerFormat::of_path_in(path, with_csv, crs).map_err(|refusal| {
        let allowed = &refusal.allowed;
        let advice = match &refusal.problem {
            FormatProblem::NotBuilt { format, feature } => format!(
                "this chargecov was built without {format}; rebuild with `--features {feature}` or end the name in {allowed}"
            ),
            FormatProblem::NotWritten { .. } => {
                format!("{refusal} (ogr2ogr converts GeoJSON to any of them)")
            }
            FormatProblem::Crs { format, why } => format!(
                "{why}; write {format} in WGS84 (leave out --output-crs) or choose .gpkg or .fgb"
            ),
            _ => refusal.to_string(),
        };
        anyhow::anyhow!("{flag} {}: {advice}", path.display())
    })
}

/// Stages `layer` for the file of an output flag (its format checked
/// with [`layer_format`] before the work).
pub fn stage_layer(
    outputs: &mut staged::StagedOutputs,
    path: &Path,
    layer: &dyn OutputLayer,
    csv_bom: bool,
) -> anyhow::Result<()> {
    layer::stage(outputs, path, layer, LayerOptions { csv_bom })?;
    Ok(())
}

/// The output flags every command shares: what standard output gets, the
/// JSON report, and quiet. `F` is the command's formats for standard
/// output.
#[derive(Debug, Args)]
pub struct OutputArgs<F>
where
    F: clap::ValueEnum + Default + Clone + Send + Sync + 'static,
{
    /// Format of the result on standard output.
    #[arg(long, value_enum, default_value_t, help_heading = "Output")]
    pub format: F,

    /// Write the JSON report to this file (`-`: standard output).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub report: Option<std::path::PathBuf>,

    /// No progress bars and no warnings on stderr (errors are always shown).
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,
}
