//! The library's one error type: one variant per cause, with the fields a
//! caller needs to act on it (`match` on the cause, read the file name,
//! the feature, the setting). Messages name the file and the feature and
//! say what to do in the library's own terms — settings by their
//! configuration names, never command-line flags; the binary adds its
//! flag advice (`src/cli/advice.rs`) and maps every error to exit 2.

use std::fmt;
use std::path::PathBuf;

use crate::issues::FeatureIssue;
use crate::model::InputFormat;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which input layer an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// The boundary polygons.
    Areas,
    /// The charging stations (also either snapshot of a diff).
    Stations,
    /// The road network of a corridor check.
    Network,
    /// Candidate sites for new chargers (`suggest --candidates`).
    Candidates,
}

impl Layer {
    /// `areas` or `stations`.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Areas => "areas",
            Layer::Stations => "stations",
            Layer::Network => "network",
            Layer::Candidates => "candidates",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a property or column is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldRole {
    /// An area's or a station's id.
    Id,
    /// An area's name.
    Name,
    /// An area's group.
    Group,
    /// A station's power.
    Power,
    /// A table's longitude column.
    Lon,
    /// A table's latitude column.
    Lat,
    /// An area's population.
    Population,
    /// A station's site (pool) key.
    PoolKey,
    /// A road's route name (`ref`).
    Route,
}

impl FieldRole {
    /// The role in words: `id`, `name`, …
    pub fn name(self) -> &'static str {
        match self {
            FieldRole::Id => "id",
            FieldRole::Name => "name",
            FieldRole::Group => "group",
            FieldRole::Power => "power",
            FieldRole::Lon => "longitude",
            FieldRole::Lat => "latitude",
            FieldRole::Population => "population",
            FieldRole::PoolKey => "site key",
            FieldRole::Route => "route",
        }
    }
}

/// A setting of a run's configuration whose value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// `Rule::min_power_kw`.
    MinPowerKw,
    /// `Rule::boundary_tolerance_m`.
    BoundaryToleranceM,
    /// `Rule::within_km`.
    WithinKm,
    /// `Rule::min_pool_kw`.
    MinPoolKw,
    /// `CheckConfig::pool_by`, by distance.
    PoolM,
    /// `SurfaceRequest::radii_km`.
    RadiusKm,
    /// `ValidateConfig::max_power_kw`.
    MaxPowerKw,
    /// `ValidateConfig::duplicate_m`.
    DuplicateM,
    /// `ValidateConfig::required`.
    Required,
    /// `DiffConfig::match_m`.
    MatchM,
    /// `DiffConfig::moved_m`.
    MovedM,
    /// `DiffConfig::distance_change_m`.
    DistanceChangeM,
    /// `GenerateConfig::areas`.
    GenerateAreas,
    /// `GenerateConfig::stations`.
    GenerateStations,
    /// `GenerateConfig::seed`.
    Seed,
    /// `CorridorConfig::spacing_km`.
    SpacingKm,
    /// `CorridorConfig::max_offset_km`.
    MaxOffsetKm,
    /// `Objective::MaxCover::k` of `suggest`.
    SuggestK,
    /// `ExactLimits::time_limit_s` of `suggest`.
    TimeLimitS,
    /// `NetworkSpec::snap_m` of a corridor check.
    SnapM,
}

impl Setting {
    /// `Ok` when `value` is finite and `within` says it is in range, else
    /// the refusal with `expected` (what it must be, e.g. "a number ≥
    /// 0"). The one place numeric settings are checked.
    pub fn require(
        self,
        value: f64,
        within: impl Fn(f64) -> bool,
        expected: &'static str,
    ) -> Result<()> {
        if value.is_finite() && within(value) {
            return Ok(());
        }
        Err(Error::InvalidSetting {
            setting: self,
            value: shown_number(value),
            expected,
        })
    }

    /// The configuration field's name.
    pub fn name(self) -> &'static str {
        match self {
            Setting::MinPowerKw => "min_power_kw",
            Setting::BoundaryToleranceM => "boundary_tolerance_m",
            Setting::WithinKm => "within_km",
            Setting::MinPoolKw => "min_pool_kw",
            Setting::PoolM => "pool_m",
            Setting::RadiusKm => "radii_km",
            Setting::MaxPowerKw => "max_power_kw",
            Setting::DuplicateM => "duplicate_m",
            Setting::Required => "required",
            Setting::MatchM => "match_m",
            Setting::MovedM => "moved_m",
            Setting::DistanceChangeM => "distance_change_m",
            Setting::GenerateAreas => "areas",
            Setting::GenerateStations => "stations",
            Setting::Seed => "seed",
            Setting::SpacingKm => "spacing_km",
            Setting::SnapM => "snap_m",
            Setting::MaxOffsetKm => "max_offset_km",
            Setting::SuggestK => "k",
            Setting::TimeLimitS => "time_limit_s",
        }
    }
}

/// How a GeoJSON text fails to be a FeatureCollection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotACollection {
    /// A single Feature.
    SingleFeature,
    /// Another GeoJSON type (its name).
    OtherType(String),
    /// An object without a `features` array.
    NoFeatures,
}

/// Everything that can stop a run before a verdict is reached.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be opened or read.
    #[error("cannot read {source_name}: {error}")]
    Read {
        /// The input.
        source_name: String,
        /// Why.
        error: std::io::Error,
    },

    /// The input holds nothing (0 bytes, or only white space).
    #[error(
        "{source_name}: the file is empty\n  hint: check that the export or download finished and wrote the layer"
    )]
    EmptyFile {
        /// The input.
        source_name: String,
    },

    /// The input is not well-formed JSON (or ends early).
    #[error("{source_name}: {message} at line {line}, column {column}\n  hint: {hint}")]
    Json {
        /// The input.
        source_name: String,
        /// Where (1-based line of the file, column within it).
        line: usize,
        /// See `line`.
        column: usize,
        /// What is wrong.
        message: String,
        /// What to do.
        hint: &'static str,
    },

    /// A GeoJSON layer that is not a FeatureCollection.
    #[error("{source_name}: {}", not_a_collection(kind))]
    NotACollection {
        /// The input.
        source_name: String,
        /// What it is instead.
        kind: NotACollection,
    },

    /// The layer holds no records at all.
    #[error("{source_name}: {}", empty_layer(*format, *layer))]
    EmptyLayer {
        /// The input.
        source_name: String,
        /// Its format.
        format: InputFormat,
        /// Which layer it was read as.
        layer: Layer,
    },

    /// The input is in a format chargecov recognises but does not read
    /// (or this build does not: see the advice).
    #[error("{source_name}: is {format}, {}", unsupported_advice(*.format))]
    UnsupportedFormat {
        /// The input.
        source_name: String,
        /// The format it was recognised as.
        format: InputFormat,
    },

    /// An area layer was given in a format that holds only points.
    #[error(
        "{source_name}: is {format} without a geometry column, so it holds no polygons for an area layer\n  hint: give the areas as GeoJSON, a Shapefile or a GeoPackage of Polygons, or a table with a WKT column (geometry, wkt, the_geom)"
    )]
    NotAnAreaFormat {
        /// The input.
        source_name: String,
        /// Its format.
        format: InputFormat,
    },

    /// A format that is read from its files (with siblings), given as a
    /// stream or bytes.
    #[error(
        "{source_name}: is {format}, which is read from its file and the files beside it, not from a stream\n  hint: name the file (e.g. zones.shp with zones.dbf beside it)"
    )]
    NeedsFile {
        /// The input.
        source_name: String,
        /// Its format.
        format: InputFormat,
    },

    /// A file of a known format that does not follow it.
    #[error(
        "{source_name}: is not readable as {format}: {problem}\n  hint: export the layer again"
    )]
    Malformed {
        /// The file.
        source_name: String,
        /// The format it claims.
        format: InputFormat,
        /// What is wrong.
        problem: String,
    },

    /// A layer with no geometry to read: an attribute table, a Parquet
    /// file without a geometry column.
    #[error(
        "{source_name}: {format} with no geometry: {found}\n  hint: export the layer with its geometry"
    )]
    NoGeometry {
        /// The file.
        source_name: String,
        /// Its format.
        format: InputFormat,
        /// Which layer it was read as.
        layer: Layer,
        /// What the file holds instead (tables, columns).
        found: String,
    },

    /// A file the layer needs beside the one named is missing.
    #[error(
        "{source_name}: {companion} is missing beside it; it holds {holds}\n  hint: keep the layer's files together"
    )]
    MissingCompanion {
        /// The input.
        source_name: String,
        /// The missing file.
        companion: String,
        /// What it holds.
        holds: &'static str,
    },

    /// A Shapefile whose shapes and attribute records do not pair up.
    #[error(
        "{source_name}: the .shp has {shapes} shapes but the .dbf {records} records\n  hint: the files are from different exports; export the layer again"
    )]
    RecordCountMismatch {
        /// The input.
        source_name: String,
        /// Shapes in the `.shp`.
        shapes: usize,
        /// Records in the `.dbf`.
        records: usize,
    },

    /// A table's text is not valid in the encoding named or detected.
    #[error(
        "{source_name}: line {line} is not valid {encoding} (byte {byte}){}",
        if *named { ", the encoding named" } else { "" }
    )]
    Encoding {
        /// The input.
        source_name: String,
        /// The encoding tried.
        encoding: &'static str,
        /// The offset of the first byte that is not valid in it.
        byte: usize,
        /// Its line, from 1.
        line: usize,
        /// Whether the caller named the encoding (else it was detected).
        named: bool,
    },

    /// A file of several layers (or none), and no layer named, an
    /// unknown one, or a name that matches several.
    #[error(
        "{source_name}: {}\n  hint: {}",
        layer_choice_problem(wanted.as_deref(), available, matches),
        if matches.len() > 1 { "name the layer by its whole path".to_owned() } else { format!("name the {layer} layer") }
    )]
    LayerChoice {
        /// The input.
        source_name: String,
        /// Which layer was being read.
        layer: Layer,
        /// The layer named, if any.
        wanted: Option<String>,
        /// The file's feature layers.
        available: Vec<String>,
        /// The layers the name matched, when it matched more than one.
        matches: Vec<String>,
    },

    /// A CSV file could not be parsed.
    #[error("{source_name}: {message}\n  hint: {hint}")]
    Csv {
        /// The input.
        source_name: String,
        /// What is wrong, with the line.
        message: String,
        /// What to do.
        hint: &'static str,
    },

    /// A table without the longitude and latitude columns.
    #[error(
        "{source_name}: no coordinate columns: looked for longitude as {lon} and latitude as {lat}; the header has {}\n  hint: name the longitude and latitude columns",
        header.join(", ")
    )]
    MissingCoordinateColumns {
        /// The input.
        source_name: String,
        /// The names looked for, described.
        lon: String,
        /// See `lon`.
        lat: String,
        /// The header's names.
        header: Vec<String>,
    },

    /// Properties named explicitly that no feature has.
    #[error(
        "{source_name}: no feature has the property named for {}\n  hint: the first feature's properties are: {}",
        missing.iter().map(|(r, n)| format!("the {} ({n:?})", r.name())).collect::<Vec<_>>().join(", "),
        available.join(", ")
    )]
    MissingFields {
        /// The input.
        source_name: String,
        /// Which layer.
        layer: Layer,
        /// The roles and the names given for them.
        missing: Vec<(FieldRole, String)>,
        /// The first feature's property names.
        available: Vec<String>,
    },

    /// The rule needs each station's power and no record has a readable
    /// one: a verdict on no data would be a wrong verdict.
    #[error("{}", no_power_text(source_name, field.as_deref(), looked_for, *records, fields))]
    NoPower {
        /// The station layer.
        source_name: String,
        /// The field chosen for power, if one was found at all.
        field: Option<String>,
        /// The names looked for, described.
        looked_for: String,
        /// Records in the layer.
        records: usize,
        /// The fields the records have (a table's columns, or the
        /// properties of a GeoJSON layer's first features).
        fields: Vec<String>,
    },

    /// The population property named is numeric in no area.
    #[error(
        "{source_name}: no area has a numeric property {field:?}\n  hint: name the population property (e.g. population, pop, POP2020)"
    )]
    MissingPopulation {
        /// The area layer.
        source_name: String,
        /// The property named.
        field: String,
    },

    /// One or more features are unusable; all of them are listed.
    #[error("{}", FeatureList { source_name, issues })]
    Features {
        /// The input.
        source_name: String,
        /// Which layer.
        layer: Layer,
        /// Every unusable feature, with index, id, cause and hint.
        issues: Vec<FeatureIssue>,
    },

    /// Every feature was unusable and skipped.
    #[error(
        "{source_name}: no usable {layer} remain\n  hint: every {} was skipped; see the warnings above",
        if *layer == Layer::Areas { "feature" } else { "record" }
    )]
    NoUsableFeatures {
        /// The input.
        source_name: String,
        /// Which layer.
        layer: Layer,
    },

    /// A road network without a usable line: nothing to check along.
    #[error(
        "{source_name}: no LineString or MultiLineString to check along ({features} features read{})",
        if skipped.is_empty() { String::new() } else { format!("; skipped: {skipped}") }
    )]
    NoLines {
        /// The input.
        source_name: String,
        /// Features read.
        features: usize,
        /// What was skipped, described (e.g. `1,111 Point`).
        skipped: String,
    },

    /// No feature of a road network names its route under any of the
    /// usual keys.
    #[error(
        "{source_name}: no line names its route (looked for {}); properties seen: {}",
        looked_for.join(", "),
        if available.is_empty() { "none".to_owned() } else { available.join(", ") }
    )]
    NoRouteField {
        /// The input.
        source_name: String,
        /// The keys looked for.
        looked_for: Vec<String>,
        /// The property names the lines have.
        available: Vec<String>,
    },

    /// The `--where` filters removed every record.
    #[error(
        "{source_name}: the filters removed every record ({})",
        filtered(removed)
    )]
    AllFiltered {
        /// The input.
        source_name: String,
        /// Each filter and how many records it removed.
        removed: Vec<crate::model::FilterCount>,
    },

    /// A layer longer than feature indexes can count.
    #[error(
        "{source_name}: has {records} records, more than chargecov can number\n  hint: split the layer into parts of at most 4,294,967,296 records"
    )]
    TooManyRecords {
        /// The input.
        source_name: String,
        /// How many it has.
        records: usize,
    },

    /// The layer's coordinate system is unknown or cannot be used.
    #[error(
        "{source_name}: {reason}\n  hint: name the layer's coordinate system (EPSG:NNNN, a PROJ string, wgs84, cgcs2000, gcj02 or bd09)"
    )]
    Crs {
        /// The input.
        source_name: String,
        /// Which layer.
        layer: Layer,
        /// Whether the system was declared in the file (else given by the
        /// caller).
        declared: bool,
        /// Why it cannot be used.
        reason: String,
    },

    /// A file format this build was compiled without.
    #[error("this chargecov was built without {format} (cargo feature `{feature}`)")]
    FormatNotBuilt {
        /// The format.
        format: &'static str,
        /// The cargo feature that adds it.
        feature: &'static str,
    },

    /// A candidate file with no usable candidate site.
    #[error("{source_name}: no candidate sites to choose from")]
    NoCandidates {
        /// The candidate file.
        source_name: String,
    },

    /// An input that grows beyond the stated limits as it is read: a
    /// compressed file or archive member expanding too far (a
    /// compression bomb, or a genuine file larger than the limits allow),
    /// or a stream too large to hold. Nothing beyond the limit was
    /// written or kept.
    #[error("{source_name}: {}", describe_size_limit(*limit_bytes, *limit, *compressed_bytes))]
    TooLarge {
        /// The input.
        source_name: String,
        /// The limit reached, in bytes of text.
        limit_bytes: u64,
        /// Which limit it is.
        limit: SizeLimit,
        /// The compressed size, where the input is compressed.
        compressed_bytes: Option<u64>,
    },

    /// A setting out of range.
    #[error("{} must be {expected}, got {value}", setting.name())]
    InvalidSetting {
        /// Which setting.
        setting: Setting,
        /// The value given, as text.
        value: String,
        /// What it must be.
        expected: &'static str,
    },

    /// The generator was asked for fewer stations than areas need.
    #[error(
        "{stations} stations are too few for {areas} areas: every area gets one anchor charger, so ask for at least {minimum}"
    )]
    TooFewStations {
        /// Stations asked for.
        stations: usize,
        /// Areas asked for.
        areas: usize,
        /// The fewest that will do.
        minimum: usize,
    },

    /// The generator's tessellation came out with another number of areas.
    #[error("seed {seed} made {made} areas instead of {wanted}; try another seed")]
    GeneratorMiss {
        /// The seed used.
        seed: u64,
        /// Areas made.
        made: usize,
        /// Areas asked for.
        wanted: usize,
    },

    /// An output file could not be written; nothing was left behind.
    #[error("cannot write {}: {error}", if path.as_os_str() == "-" { "to standard output".to_owned() } else { path.display().to_string() })]
    Write {
        /// The output.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },

    /// An output's name asks for no format its layer can be written in;
    /// refused before any work.
    #[error("{}: {refusal}", path.display())]
    OutputFormat {
        /// The output.
        path: PathBuf,
        /// What is wrong with its name, and the names that would do.
        refusal: FormatRefusal,
    },
}

/// Why a file's name asks for no format the layer can be written in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatProblem {
    /// `.csv` for a layer of shapes that has no table of facts.
    ShapesOnly,
    /// A format this build leaves out (its cargo feature is off).
    NotBuilt {
        /// The format's name.
        format: &'static str,
        /// The cargo feature that adds it.
        feature: &'static str,
    },
    /// A format chargecov reads but does not write (`.shp`).
    NotWritten {
        /// The extension, without its dot.
        extension: String,
    },
    /// No extension that names a format.
    Unknown,
    /// The format cannot declare the layer's coordinate system.
    Crs {
        /// The format's name.
        format: &'static str,
        /// Why.
        why: String,
    },
}

/// A refused output name: the problem and the extensions that would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatRefusal {
    /// What is wrong with the name.
    pub problem: FormatProblem,
    /// The extensions this layer can be written with, as a list for a
    /// sentence (".geojson, .json, .gpkg or .fgb").
    pub allowed: String,
}

impl fmt::Display for FormatRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed = &self.allowed;
        match &self.problem {
            FormatProblem::ShapesOnly => write!(
                f,
                "these are shapes, and CSV here holds facts only; end the name in {allowed}"
            ),
            FormatProblem::NotBuilt { format, feature } => write!(
                f,
                "this chargecov was built without {format} (cargo feature `{feature}`); end the name in {allowed}"
            ),
            FormatProblem::NotWritten { extension } => write!(
                f,
                ".{extension} output is not written yet; end the name in {allowed}"
            ),
            FormatProblem::Unknown => {
                write!(f, "cannot tell the format; end the name in {allowed}")
            }
            FormatProblem::Crs { format, why } => {
                write!(f, "{why}; {format} here is written in WGS84")
            }
        }
    }
}

/// Which limit an input reached (see `input::ExpansionLimits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SizeLimit {
    /// The most text a compressed input may give.
    Expanded,
    /// The most text per compressed byte.
    Ratio(u64),
    /// The most a stream read whole (standard input, a pipe) may hold.
    Stream,
}

/// A number as a person reads it in a message: `1e308`, not 309 digits.
pub fn shown_number(value: f64) -> String {
    let magnitude = value.abs();
    if value != 0.0 && value.is_finite() && !(1e-6..1e15).contains(&magnitude) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// `text` cut to at most about `max` bytes at a character boundary, with
/// how much was left out: a file's own text quoted in a message (a
/// coordinate system's definition, a value) must not make it megabytes.
pub fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &text[..end], text.len() - end)
}

/// At most this many names are listed in a message.
const LISTED: usize = 20;

/// Why a recognised format is not read, and what to do.
fn unsupported_advice(format: InputFormat) -> &'static str {
    match format {
        InputFormat::GeoPackage => {
            "which this build of chargecov does not read\n  hint: use a build with the cargo feature `gpkg` (on by default), or convert the file to GeoJSON or CSV (e.g. ogr2ogr)"
        }
        InputFormat::FlatGeobuf => {
            "which this build of chargecov does not read\n  hint: use a build with the cargo feature `fgb` (on by default), or convert the file to GeoJSON or CSV (e.g. ogr2ogr)"
        }
        InputFormat::GeoParquet => {
            "which this build of chargecov does not read\n  hint: use a build with the cargo feature `parquet` (on by default), or convert the file to GeoJSON or CSV (e.g. ogr2ogr)"
        }
        InputFormat::OsmPbf => {
            "which chargecov does not read yet\n  hint: extract the layer first, e.g. the chargers: osmium tags-filter extract.osm.pbf nw/amenity=charging_station -o chargers.osm.pbf, then ogr2ogr -f GeoJSON chargers.geojson chargers.osm.pbf points"
        }
        _ => {
            "which chargecov does not read yet\n  hint: convert it to GeoJSON, newline-delimited GeoJSON or CSV (for example with GDAL's ogr2ogr)"
        }
    }
}

/// `names`, comma-separated, the first `LISTED` and a count of the rest.
pub fn list_names(names: &[String]) -> String {
    let mut text = names
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > LISTED {
        text.push_str(&format!(" … and {} more", names.len() - LISTED));
    }
    text
}

/// What is wrong with the choice of a layer (see [`Error::LayerChoice`]).
pub fn layer_choice_problem(
    wanted: Option<&str>,
    available: &[String],
    matches: &[String],
) -> String {
    if available.is_empty() {
        return "holds no feature layer".to_owned();
    }
    match wanted {
        Some(w) if matches.len() > 1 => format!(
            "{w:?} matches {} feature layers: {}",
            matches.len(),
            list_names(matches)
        ),
        Some(w) => format!(
            "has no feature layer {w:?}; its feature layers are: {}",
            list_names(available)
        ),
        None => format!(
            "holds {} feature layers: {}",
            available.len(),
            list_names(available)
        ),
    }
}

/// Megabytes, for messages.
fn mb(bytes: u64) -> String {
    let mb = bytes as f64 / 1_048_576.0;
    if mb >= 10.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

fn describe_size_limit(limit_bytes: u64, limit: SizeLimit, compressed: Option<u64>) -> String {
    match (limit, compressed) {
        (SizeLimit::Stream, _) | (_, None) => format!(
            "holds more than {} (the limit on a stream read into memory); refused before reading further\n  hint: save it to a file and read the file",
            mb(limit_bytes)
        ),
        (SizeLimit::Expanded, Some(c)) => format!(
            "expands beyond {} from {} compressed (the limit on decompressed size); refused before reading further, as a compression bomb would be\n  hint: if the file is genuine, decompress it and read the file, or raise the limit on decompressed size",
            mb(limit_bytes),
            mb(c)
        ),
        (SizeLimit::Ratio(ratio), Some(c)) => format!(
            "expands beyond {} from {} compressed, more than {ratio} times (the limit on the compression ratio); refused before reading further, as a compression bomb would be\n  hint: if the file is genuine, decompress it and read the file, or raise the limit on the compression ratio",
            mb(limit_bytes),
            mb(c)
        ),
    }
}

impl Error {
    /// The same error with its file named by `rename` (e.g. a member of
    /// an archive instead of its temporary copy).
    pub fn with_source_name(mut self, rename: impl Fn(&str) -> String) -> Error {
        match &mut self {
            Error::Read { source_name, .. }
            | Error::EmptyFile { source_name, .. }
            | Error::Json { source_name, .. }
            | Error::NotACollection { source_name, .. }
            | Error::EmptyLayer { source_name, .. }
            | Error::UnsupportedFormat { source_name, .. }
            | Error::NotAnAreaFormat { source_name, .. }
            | Error::NeedsFile { source_name, .. }
            | Error::Malformed { source_name, .. }
            | Error::NoGeometry { source_name, .. }
            | Error::MissingCompanion { source_name, .. }
            | Error::RecordCountMismatch { source_name, .. }
            | Error::Encoding { source_name, .. }
            | Error::LayerChoice { source_name, .. }
            | Error::Csv { source_name, .. }
            | Error::MissingCoordinateColumns { source_name, .. }
            | Error::MissingFields { source_name, .. }
            | Error::NoLines { source_name, .. }
            | Error::NoRouteField { source_name, .. }
            | Error::MissingPopulation { source_name, .. }
            | Error::NoPower { source_name, .. }
            | Error::Features { source_name, .. }
            | Error::NoUsableFeatures { source_name, .. }
            | Error::AllFiltered { source_name, .. }
            | Error::TooManyRecords { source_name, .. }
            | Error::NoCandidates { source_name }
            | Error::TooLarge { source_name, .. }
            | Error::Crs { source_name, .. } => *source_name = rename(source_name),
            Error::InvalidSetting { .. }
            | Error::TooFewStations { .. }
            | Error::GeneratorMiss { .. }
            | Error::FormatNotBuilt { .. }
            | Error::Write { .. }
            | Error::OutputFormat { .. } => {}
        }
        self
    }
}

fn not_a_collection(kind: &NotACollection) -> String {
    match kind {
        NotACollection::SingleFeature => "is a single Feature, not a FeatureCollection\n  hint: wrap it: {\"type\": \"FeatureCollection\", \"features\": [ … ]}".to_owned(),
        NotACollection::OtherType(other) => format!(
            "is a GeoJSON {other:?}, not a FeatureCollection with `features`\n  hint: export the layer as a GeoJSON FeatureCollection"
        ),
        NotACollection::NoFeatures => {
            "has no `features` array\n  hint: export the layer as a GeoJSON FeatureCollection".to_owned()
        }
    }
}

fn empty_layer(format: InputFormat, layer: Layer) -> String {
    let what = match format {
        InputFormat::GeoJson => "the FeatureCollection has no features",
        f if f.is_table() => "the table has a header but no rows",
        _ => "the file has no features",
    };
    format!(
        "{what}, so there are no {layer}\n  hint: check that the export selected the right layer and was not filtered to nothing"
    )
}

/// How many feature problems an error message lists before summarising.
const LISTED_ISSUES: usize = 20;

struct FeatureList<'a> {
    source_name: &'a str,
    issues: &'a [FeatureIssue],
}

impl fmt::Display for FeatureList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.issues.len();
        write!(
            f,
            "{}: {n} unusable feature{}",
            self.source_name,
            if n == 1 { "" } else { "s" }
        )?;
        for issue in self.issues.iter().take(LISTED_ISSUES) {
            write!(f, "\n  {issue}")?;
        }
        if n > LISTED_ISSUES {
            write!(f, "\n  … and {} more", n - LISTED_ISSUES)?;
        }
        let mut hints: Vec<&str> = self.issues.iter().map(|i| i.hint()).collect();
        hints.sort_unstable();
        hints.dedup();
        for hint in hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Each filter with its removals, for [`Error::AllFiltered`].
fn filtered(removed: &[crate::model::FilterCount]) -> String {
    removed
        .iter()
        .map(|f| format!("`{}` removed {}", f.filter, f.removed))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The message of [`Error::NoPower`].
fn no_power_text(
    source_name: &str,
    field: Option<&str>,
    looked_for: &str,
    records: usize,
    fields: &[String],
) -> String {
    let seen = if fields.is_empty() {
        "no properties".to_owned()
    } else {
        let mut list: Vec<&str> = fields.iter().map(String::as_str).take(40).collect();
        if fields.len() > list.len() {
            list.push("…");
        }
        list.join(", ")
    };
    match field {
        Some(f) => format!(
            "{source_name}: the rule needs each station's power, but {f:?} holds no readable power in any of the {records} records; the records have {seen}\n  hint: name the field that holds the power (kW, or text such as \"150 kW\")"
        ),
        None => format!(
            "{source_name}: the rule needs each station's power, but no field holds it (looked for {looked_for}); the records have {seen}\n  hint: name the field that holds the power (kW, or text such as \"150 kW\")"
        ),
    }
}

#[cfg(test)]
mod tests {

    /// A format left out of the build names its cargo feature; one never
    /// read names what to do instead; neither claims the other.
    #[test]
    fn unsupported_formats_say_what_reads_them() {
        let said = |format| {
            Error::UnsupportedFormat {
                source_name: "x".into(),
                format,
            }
            .to_string()
        };
        let parquet = said(InputFormat::GeoParquet);
        assert!(
            parquet.contains("this build of chargecov does not read"),
            "{parquet}"
        );
        assert!(parquet.contains("cargo feature `parquet`"), "{parquet}");
        assert!(!parquet.contains("yet"), "{parquet}");
        let pbf = said(InputFormat::OsmPbf);
        assert!(
            pbf.contains("an OpenStreetMap extract (.osm.pbf), which chargecov does not read yet"),
            "{pbf}"
        );
        assert!(pbf.contains("osmium tags-filter"), "{pbf}");
        let kml = said(InputFormat::Kml);
        assert!(
            kml.contains("does not read yet") && kml.contains("ogr2ogr"),
            "{kml}"
        );
    }

    use super::*;

    #[test]
    fn clipped_text_keeps_whole_characters_and_says_what_is_left() {
        assert_eq!(clip("short", 10), "short");
        // "深" is 3 bytes: a cut at 4 falls inside the second one.
        assert_eq!(clip("深圳深圳", 4), "深… (9 more bytes)");
        let huge = "x".repeat(5 << 20);
        assert!(clip(&huge, 600).len() < 700);
        assert_eq!(shown_number(1e308), "1e308");
        assert_eq!(shown_number(250.5), "250.5");
    }
}
