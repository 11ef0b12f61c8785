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
use crate::surface::{self, AreaSurface};

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
    /// Surface coverage, worst-served points and gaps (`--radius-km`).
    pub surface: Option<SurfaceRequest>,
    /// Area property holding a population, for population-weighted statistics.
    pub population_field: Option<String>,
}

/// What surface analysis to run.
#[derive(Debug, Clone, PartialEq)]
pub struct SurfaceRequest {
    /// Radii in km, in the order asked.
    pub radii_km: Vec<f64>,
    /// How each radius was written (the report's keys, e.g. "2").
    pub labels: Vec<String>,
    /// Keep the uncovered part of each area for the largest radius.
    pub gaps: bool,
}

/// The surface analysis of a run.
#[derive(Debug, Clone)]
pub struct SurfaceRun {
    pub request: SurfaceRequest,
    pub areas: Vec<AreaSurface>,
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
            surface: None,
            population_field: None,
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
    /// Surface coverage, when asked for.
    pub surface: Option<SurfaceRun>,
    /// Per area: its population, when a population field was named.
    pub population: Option<Vec<Option<f64>>>,
}

/// Reads and normalises the area layer.
pub fn load_areas(
    source: &Source,
    specs: &AreaFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<AreaLayer> {
    let name = source.to_string();
    // Read in pieces on all cores; anything unusual is read whole by the
    // serial parser, which reports exactly what is wrong. Standard input
    // is read whole first, so that it can be read twice.
    let whole = match source {
        Source::Stdin => Some(source.read_all()?),
        _ => None,
    };
    let parallel = match &whole {
        Some(bytes) => {
            geojson_read::read_areas_parallel(bytes.as_slice(), Some(bytes.len() as u64))
        }
        None => geojson_read::read_areas_parallel(source.open()?, source.byte_len()),
    };
    let raw = match parallel {
        Some(raw) => raw,
        None => {
            let bytes = match whole {
                Some(bytes) => bytes,
                None => source.read_all()?,
            };
            geojson_read::read_areas(&bytes, &name)?
        }
    };
    normalise::areas(raw, &name, specs, skip_invalid, crs)
}

/// Reads and normalises the station layer, GeoJSON or CSV by extension
/// (by content for standard input or an unknown extension).
///
/// GeoJSON is read in pieces and parsed on all cores, converting each
/// batch as it is parsed, so memory holds the stations and not the text
/// (see [`geojson_read::read_stations_parallel`]); a file it cannot split
/// is read again by the serial streaming parser, which also reports any
/// error. Standard input is read whole first, so that it can be read twice.
pub fn load_stations(
    source: &Source,
    specs: &StationFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<StationLayer> {
    let name = source.to_string();
    let whole = match source {
        Source::Stdin => Some(source.read_all()?),
        _ => None,
    };
    let is_csv = match source.extension().as_deref() {
        Some("csv" | "tsv" | "txt") => true,
        Some("geojson" | "json") => false,
        _ => {
            let mut head = Vec::new();
            let first = match &whole {
                Some(bytes) => bytes.as_slice(),
                None => {
                    std::io::Read::read_to_end(
                        &mut std::io::Read::take(source.open()?, 1 << 16),
                        &mut head,
                    )
                    .map_err(|error| Error::Read {
                        source_name: name.clone(),
                        error,
                    })?;
                    head.as_slice()
                }
            };
            first.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{')
        }
    };
    let field_specs = (&specs.id, &specs.power);
    if is_csv {
        let bytes = match whole {
            Some(bytes) => bytes,
            None => source.read_all()?,
        };
        let fields = CsvFields {
            lon: specs.lon.clone(),
            lat: specs.lat.clone(),
            id: specs.id.clone(),
            power: specs.power.clone(),
            required: Vec::new(),
        };
        let raw = csv_read::read_stations(&bytes, &name, &fields)?;
        drop(bytes);
        return normalise::stations(raw, &name, "csv", field_specs, skip_invalid, crs);
    }
    let fields = StationFields {
        id: specs.id.clone(),
        power: specs.power.clone(),
        required: Vec::new(),
    };
    let open = || -> Result<Box<dyn std::io::Read + Send + '_>> {
        match &whole {
            Some(bytes) => Ok(Box::new(bytes.as_slice())),
            None => source.open(),
        }
    };
    let total_bytes = match &whole {
        Some(bytes) => Some(bytes.len() as u64),
        None => source.byte_len(),
    };
    let mut layer = normalise::StationBatch::default();
    let parallel = geojson_read::read_stations_parallel(
        open()?,
        total_bytes,
        &fields,
        normalise::convert_stations,
        |batch, expected| {
            if layer.is_empty() {
                // A little over the estimate, so that the vectors are
                // not copied to grow near the end.
                layer.reserve(expected + expected / 16);
            }
            layer.append(batch);
        },
    );
    let streamed = match parallel {
        Some(streamed) => streamed,
        None => {
            layer = normalise::StationBatch::default();
            let mut chunk = Vec::new();
            let streamed = geojson_read::stream_stations(open()?, &name, &fields, &mut |r| {
                chunk.push(r);
                if chunk.len() == normalise::STATION_CHUNK {
                    layer.append(normalise::convert_stations(std::mem::take(&mut chunk)));
                }
            })?;
            layer.append(normalise::convert_stations(chunk));
            streamed
        }
    };
    let meta = normalise::StationLayerMeta {
        declared_crs: streamed.declared_crs,
        ..Default::default()
    };
    normalise::finish_stations(
        layer,
        meta,
        &name,
        "geojson",
        field_specs,
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
    if let Some(req) = &config.surface {
        if req.radii_km.is_empty() {
            return Err(Error::Config(
                "--radius-km needs at least one radius".into(),
            ));
        }
        if let Some(bad) = req
            .radii_km
            .iter()
            .find(|r| !(r.is_finite() && **r > 0.0 && **r <= 1000.0))
        {
            return Err(Error::Config(format!(
                "--radius-km {bad}: radii must be more than 0 and at most 1000 km"
            )));
        }
    }
    // The two layers are read side by side; an error in the areas is
    // reported first, as when they were read one after the other.
    progress.start("reading areas and stations", None);
    let (areas, stations) = rayon::join(
        || {
            load_areas(
                &config.areas,
                &config.area_fields,
                config.skip_invalid,
                config.areas_crs.as_ref(),
            )
        },
        || {
            load_stations(
                &config.stations,
                &config.station_fields,
                config.skip_invalid,
                config.stations_crs.as_ref(),
            )
        },
    );
    let (areas, stations) = (areas?, stations?);
    progress.finish();
    let population = match &config.population_field {
        Some(field) => Some(population(&areas, field, &config.areas.to_string())?),
        None => None,
    };
    let (mut run, index) = assess_layers_indexed(areas, stations, config.rule, progress);
    run.population = population;
    if let Some(request) = &config.surface {
        let areas = surface::analyse(
            &run.areas.areas,
            &run.assessment.facts,
            &index,
            &run.qualifies,
            &request.radii_km,
            request.gaps,
            progress,
        );
        run.surface = Some(SurfaceRun {
            request: request.clone(),
            areas,
        });
    }
    Ok(run)
}

/// Reads each area's population from `field`; an error when no area has it.
fn population(areas: &AreaLayer, field: &str, source_name: &str) -> Result<Vec<Option<f64>>> {
    let values: Vec<Option<f64>> = areas
        .areas
        .iter()
        .map(|a| {
            a.properties().get(field).and_then(|v| match v {
                serde_json::Value::Number(n) => n.as_f64(),
                serde_json::Value::String(s) => s.trim().replace(',', "").parse::<f64>().ok(),
                _ => None,
            })
        })
        .map(|p| p.filter(|x| x.is_finite() && *x >= 0.0))
        .collect();
    if values.iter().all(Option::is_none) {
        return Err(Error::Layer {
            source_name: source_name.to_owned(),
            message: format!("no area has a numeric property {field:?}"),
            hint: "name the population property with --population-field (e.g. population, pop, POP2020)".into(),
        });
    }
    Ok(values)
}

/// Indexes, assesses and judges loaded layers.
pub fn assess_layers(
    areas: AreaLayer,
    stations: StationLayer,
    rule: Rule,
    progress: &dyn Progress,
) -> CheckRun {
    assess_layers_indexed(areas, stations, rule, progress).0
}

/// As [`assess_layers`], also handing back the station index it built
/// (the surface analysis queries the same one).
fn assess_layers_indexed(
    areas: AreaLayer,
    stations: StationLayer,
    rule: Rule,
    progress: &dyn Progress,
) -> (CheckRun, StationIndex) {
    // Offset coordinates slip through when both layers are simply taken
    // as WGS84; look for the tell-tale pattern then, and only then. The
    // look runs alongside the index build: neither needs the other.
    progress.start("indexing stations", None);
    let (crs_mismatch, (qualifies, index)) = rayon::join(
        || {
            if !(areas.info.wgs84_unconfirmed && stations.info.wgs84_unconfirmed) {
                return None;
            }
            let shapes: Vec<_> = areas.areas.iter().map(|a| &a.geometry).collect();
            mismatch::suggest(&shapes, stations.stations.iter().map(|s| s.location))
        },
        || {
            let qualifies: Vec<bool> = stations
                .stations
                .iter()
                .map(|s| rule.qualifies(s))
                .collect();
            let index = StationIndex::new(stations.stations.iter().map(|s| s.location), &qualifies);
            (qualifies, index)
        },
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
    let run = CheckRun {
        areas,
        stations,
        rule,
        qualifies,
        assessment,
        covered,
        verdict,
        crs_mismatch,
        surface: None,
        population: None,
    };
    (run, index)
}
