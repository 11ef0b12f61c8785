//! The `check` pipeline: read → normalise → index → assess → judge.
//! Reporting is left to [`crate::report`], so the same run can be
//! rendered as text, JSON and GeoJSON without recomputing anything.

use crate::assess::{Assessment, assess};
use crate::crs::Crs;
use crate::crs::mismatch::{self, Suggestion};
use crate::error::{Error, Result};
use crate::fields::{FieldSpec, defaults};
use crate::index::StationIndex;
use crate::io::csv_read::{self, CsvFields};
use crate::io::geojson_read::{self, StationFields};
use crate::io::source::Source;
use crate::model::{AreaLayer, StationLayer};
use crate::normalise::{self, AreaFieldSpecs};
use crate::progress::Progress;
use crate::rules::{Rule, Verdict, judge};

/// How to read the station layer's properties or columns.
#[derive(Debug, Clone)]
pub struct StationFieldSpecs {
    pub id: FieldSpec,
    pub power: FieldSpec,
    pub lon: FieldSpec,
    pub lat: FieldSpec,
}

/// Everything `check` needs; built by the CLI from its flags.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub areas: Source,
    pub stations: Source,
    pub area_fields: AreaFieldSpecs,
    pub station_fields: StationFieldSpecs,
    pub rule: Rule,
    /// Drop unusable features with a warning instead of stopping.
    pub skip_invalid: bool,
    /// Coordinate systems set by flag (else the file's `crs`, else WGS84).
    pub areas_crs: Option<Crs>,
    pub stations_crs: Option<Crs>,
}

impl Default for StationFieldSpecs {
    /// Discover every role among its common spellings.
    fn default() -> Self {
        StationFieldSpecs {
            id: FieldSpec::discover(defaults::STATION_ID),
            power: FieldSpec::discover(defaults::POWER),
            lon: FieldSpec::discover(defaults::LON),
            lat: FieldSpec::discover(defaults::LAT),
        }
    }
}

impl CheckConfig {
    /// A check of `areas` against `stations` with discovered fields and
    /// the default rule (every station qualifies, no tolerance).
    pub fn new(areas: Source, stations: Source) -> Self {
        CheckConfig {
            areas,
            stations,
            area_fields: AreaFieldSpecs::default(),
            station_fields: StationFieldSpecs::default(),
            rule: Rule::default(),
            skip_invalid: false,
            areas_crs: None,
            stations_crs: None,
        }
    }
}

/// The result of a check, ready to be reported.
#[derive(Debug, Clone)]
pub struct CheckRun {
    pub areas: AreaLayer,
    pub stations: StationLayer,
    pub rule: Rule,
    /// Per station (in layer order): does it qualify under the rule?
    pub qualifies: Vec<bool>,
    pub assessment: Assessment,
    /// Per area: covered under the rule?
    pub covered: Vec<bool>,
    pub verdict: Verdict,
    /// The layers look like they are in different coordinate systems.
    pub crs_mismatch: Option<Suggestion>,
}

/// Reads and normalises the area layer.
pub fn load_areas(
    source: &Source,
    specs: &AreaFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<AreaLayer> {
    let name = source.to_string();
    let bytes = source.read_all()?;
    let raw = geojson_read::read_areas(&bytes, &name)?;
    drop(bytes);
    normalise::areas(raw, &name, specs, skip_invalid, crs)
}

/// Reads and normalises the station layer, GeoJSON or CSV by extension
/// (by content for standard input or an unknown extension).
pub fn load_stations(
    source: &Source,
    specs: &StationFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<StationLayer> {
    let name = source.to_string();
    let bytes = source.read_all()?;
    let is_csv = match source.extension().as_deref() {
        Some("csv" | "tsv" | "txt") => true,
        Some("geojson" | "json") => false,
        _ => bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{'),
    };
    let (raw, format) = if is_csv {
        let fields = CsvFields {
            lon: specs.lon.clone(),
            lat: specs.lat.clone(),
            id: specs.id.clone(),
            power: specs.power.clone(),
            required: Vec::new(),
        };
        (csv_read::read_stations(&bytes, &name, &fields)?, "csv")
    } else {
        let fields = StationFields {
            id: specs.id.clone(),
            power: specs.power.clone(),
            required: Vec::new(),
        };
        (
            geojson_read::read_stations(&bytes, &name, &fields)?,
            "geojson",
        )
    };
    drop(bytes);
    normalise::stations(
        raw,
        &name,
        format,
        (&specs.id, &specs.power),
        skip_invalid,
        crs,
    )
}

/// Refuses a rule with impossible numbers.
pub fn check_rule(rule: &Rule) -> Result<()> {
    if !(rule.min_power_kw.is_finite() && rule.min_power_kw >= 0.0) {
        return Err(Error::Config(format!(
            "--min-power-kw must be a number ≥ 0, got {}",
            rule.min_power_kw
        )));
    }
    if !(rule.boundary_tolerance_m.is_finite() && rule.boundary_tolerance_m >= 0.0) {
        return Err(Error::Config(format!(
            "--boundary-tolerance-m must be a number ≥ 0, got {}",
            rule.boundary_tolerance_m
        )));
    }
    if let Some(km) = rule.within_km
        && !(km.is_finite() && km >= 0.0)
    {
        return Err(Error::Config(format!(
            "--within-km must be a number ≥ 0, got {km}"
        )));
    }
    Ok(())
}

/// Runs the whole check.
pub fn run_check(config: &CheckConfig, progress: &dyn Progress) -> Result<CheckRun> {
    check_rule(&config.rule)?;
    progress.start("reading areas", None);
    let areas = load_areas(
        &config.areas,
        &config.area_fields,
        config.skip_invalid,
        config.areas_crs.as_ref(),
    )?;
    progress.finish();
    progress.start("reading stations", None);
    let stations = load_stations(
        &config.stations,
        &config.station_fields,
        config.skip_invalid,
        config.stations_crs.as_ref(),
    )?;
    progress.finish();
    Ok(assess_layers(areas, stations, config.rule, progress))
}

/// Indexes, assesses and judges loaded layers.
pub fn assess_layers(
    areas: AreaLayer,
    stations: StationLayer,
    rule: Rule,
    progress: &dyn Progress,
) -> CheckRun {
    // Offset coordinates slip through when both layers are simply taken
    // as WGS84; look for the tell-tale pattern then, and only then.
    let crs_mismatch = if areas.info.wgs84_unconfirmed && stations.info.wgs84_unconfirmed {
        progress.start("checking coordinate systems", None);
        let shapes: Vec<_> = areas.areas.iter().map(|a| a.geometry.clone()).collect();
        let points: Vec<_> = stations.stations.iter().map(|s| s.location).collect();
        let found = mismatch::suggest(&shapes, &points);
        progress.finish();
        found
    } else {
        None
    };

    progress.start("indexing stations", None);
    let qualifies: Vec<bool> = stations
        .stations
        .iter()
        .map(|s| rule.qualifies(s))
        .collect();
    let index = StationIndex::new(
        stations.stations.iter().map(|s| s.location).collect(),
        &qualifies,
    );
    progress.finish();

    let assessment = assess(
        &areas.areas,
        &index,
        &qualifies,
        rule.boundary_tolerance_m,
        progress,
    );
    let (covered, verdict) = judge(&rule, &assessment.facts);
    CheckRun {
        areas,
        stations,
        rule,
        qualifies,
        assessment,
        covered,
        verdict,
        crs_mismatch,
    }
}
