//! The `check` pipeline: read → normalise → index → assess → judge.
//! Reporting is left to [`crate::report`], so the same run can be
//! rendered as text, JSON and GeoJSON without recomputing anything.

use crate::assess::assess;
use crate::crs::Crs;
use crate::crs::mismatch;
use crate::error::{Error, Result, Setting};
use crate::fields::{AreaFieldSpecs, StationFieldSpecs};
use crate::index::StationIndex;
use crate::input::{ReadOptions, Source};
use crate::issues::{FeatureIssue, IssueCode};
use crate::model::{AreaLayer, StationLayer};
use crate::model::{CheckRun, SurfaceRequest, SurfaceRun};
use crate::normalise::{load_areas, load_stations};
use crate::pools::{self, PoolBy};
use crate::progress::Progress;
use crate::rules::{Rule, judge};
use crate::surface;

/// Everything `check` needs; built by the CLI from its flags.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// The boundary polygons.
    pub areas: Source,
    /// The charging stations.
    pub stations: Source,
    /// How to read the areas' properties.
    pub area_fields: AreaFieldSpecs,
    /// How to read the stations' properties or columns.
    pub station_fields: StationFieldSpecs,
    /// The claim: which stations qualify and what covers an area.
    pub rule: Rule,
    /// Drop unusable features with a warning instead of stopping.
    pub skip_invalid: bool,
    /// Coordinate systems set by flag (else the file's `crs`, else WGS84).
    pub areas_crs: Option<Crs>,
    /// See `areas_crs`.
    pub stations_crs: Option<Crs>,
    /// Surface coverage, worst-served points and gaps (`--radius-km`).
    pub surface: Option<SurfaceRequest>,
    /// Area property holding a population, for population-weighted statistics.
    pub population_field: Option<String>,
    /// How to read the areas (text encoding, layer name).
    pub areas_read: ReadOptions,
    /// How to read the stations.
    pub stations_read: ReadOptions,
    /// Group records into pools (sites) before judging; `None` judges
    /// records (each a pool of its own points when the rule has pool terms).
    pub pool_by: Option<PoolBy>,
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
            areas_read: ReadOptions::default(),
            stations_read: ReadOptions::default(),
            pool_by: None,
        }
    }
}

/// Refuses a rule with impossible numbers.
pub fn check_rule(rule: &Rule) -> Result<()> {
    let at_least_0 = |v: f64| v >= 0.0;
    Setting::MinPowerKw.require(rule.min_power_kw, at_least_0, "a number ≥ 0")?;
    Setting::BoundaryToleranceM.require(rule.boundary_tolerance_m, at_least_0, "a number ≥ 0")?;
    Setting::MinPoolKw.require(rule.min_pool_kw, at_least_0, "a number ≥ 0")?;
    if let Some(km) = rule.within_km {
        Setting::WithinKm.require(km, at_least_0, "a number ≥ 0")?;
    }
    Ok(())
}

/// Runs the whole check.
pub fn run_check(config: &CheckConfig, progress: &dyn Progress) -> Result<CheckRun> {
    check_rule(&config.rule)?;
    if let Some(req) = &config.surface {
        if req.radii_km.is_empty() {
            return Err(Error::InvalidSetting {
                setting: Setting::RadiusKm,
                value: "no radius".into(),
                expected: "at least one radius",
            });
        }
        for &km in &req.radii_km {
            Setting::RadiusKm.require(
                km,
                |r| r > 0.0 && r <= 1000.0,
                "radii of more than 0 and at most 1000 km",
            )?;
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
                &config.areas_read,
            )
        },
        || {
            load_stations(
                &config.stations,
                &config.station_fields,
                config.skip_invalid,
                config.stations_crs.as_ref(),
                &config.stations_read,
            )
        },
    );
    let (mut areas, stations) = (areas?, stations?);
    progress.finish();
    require_power(
        &config.rule,
        &stations,
        &config.stations,
        &config.stations_read,
        &config.station_fields,
    )?;
    let stations = pool_stations(
        stations,
        config.pool_by.as_ref(),
        &config.rule,
        &config.station_fields,
        &config.stations,
        &config.stations_read,
    )?;
    let population = match &config.population_field {
        Some(field) => Some(population(&mut areas, field, &config.areas.to_string())?),
        None => None,
    };
    let (mut run, index) = assess_layers_indexed(areas, stations, config.rule, progress);
    run.population = population;
    if let Some(request) = &config.surface {
        let areas = surface::analyse(
            &run.areas.areas,
            &run.assessment.facts,
            &index,
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

/// Groups the station records into pools (sites) when asked to, or when
/// the rule has pool terms (each record its own site then); the layer as
/// it is otherwise.
pub(crate) fn pool_stations(
    stations: StationLayer,
    pool_by: Option<&PoolBy>,
    rule: &Rule,
    specs: &StationFieldSpecs,
    source: &Source,
    read: &ReadOptions,
) -> Result<StationLayer> {
    Ok(match (pool_by, rule.has_pool_terms()) {
        (None, false) => stations,
        (by, _) => {
            if let Some(PoolBy::Distance(m)) = by {
                Setting::PoolM.require(
                    *m,
                    |m| (0.0..=100_000.0).contains(&m),
                    "metres ≥ 0 and at most 100 km",
                )?;
            }
            let key = specs.feed.pool_key().map(|k| k.to_string());
            let by = by.cloned().unwrap_or(PoolBy::Record);
            // A site key no record has is a misspelt name, not a layer of
            // one-record sites.
            if by == PoolBy::Key && stations.points.iter().all(|p| p.pool_key.is_none()) {
                let available = if stations.info.columns.is_empty() {
                    source
                        .open_with(read)
                        .and_then(|input| crate::input::names::property_names(&input, 1000))
                        .unwrap_or_default()
                } else {
                    stations.info.columns.clone()
                };
                return Err(Error::MissingFields {
                    source_name: stations.info.path.clone(),
                    layer: crate::error::Layer::Stations,
                    missing: vec![(crate::error::FieldRole::PoolKey, key.unwrap_or_default())],
                    available,
                });
            }
            let (mut layer, summary) = pools::pool_layer(stations, &by, rule, key.as_deref());
            layer.info.pools = Some(summary);
            layer
        }
    })
}

/// A rule that needs power cannot be judged on a station layer in which no
/// record has a readable power: that would be a verdict on no data. The
/// error names the fields the records do have (a table's columns, or the
/// properties of a GeoJSON layer's first 1,000 features).
pub(crate) fn require_power(
    rule: &Rule,
    stations: &StationLayer,
    source: &Source,
    read: &ReadOptions,
    specs: &StationFieldSpecs,
) -> Result<()> {
    if rule.min_power_kw <= 0.0
        || stations.stations.is_empty()
        || stations.stations.iter().any(|s| s.power_kw().is_some())
    {
        return Ok(());
    }
    let fields = if stations.info.columns.is_empty() {
        source
            .open_with(read)
            .and_then(|input| crate::input::names::property_names(&input, 1000))
            .unwrap_or_default()
    } else {
        stations.info.columns.clone()
    };
    Err(Error::NoPower {
        source_name: stations.info.path.clone(),
        field: stations.info.fields.power.clone(),
        looked_for: specs.power.describe(),
        records: stations.info.features_read,
        fields,
    })
}

/// Reads each area's population from `field`; an error when no area has
/// it. A value that is present but not a number ≥ 0 is left out of the
/// population statistics with a `bad-field` warning naming the area.
fn population(areas: &mut AreaLayer, field: &str, source_name: &str) -> Result<Vec<Option<f64>>> {
    let mut warnings = Vec::new();
    let values: Vec<Option<f64>> = areas
        .areas
        .iter()
        .map(|a| {
            let value = a.properties().get(field).cloned()?;
            let number = match &value {
                serde_json::Value::Number(n) => n.as_f64(),
                serde_json::Value::String(s) => s.trim().replace(',', "").parse::<f64>().ok(),
                serde_json::Value::Null => return None,
                _ => None,
            }
            .filter(|x| x.is_finite() && *x >= 0.0);
            if number.is_none() {
                warnings.push(FeatureIssue::warning(
                    IssueCode::BadField,
                    a.index,
                    Some(&a.id),
                    format!(
                        "population {field:?} is {value}, not a number ≥ 0; left out of the population statistics"
                    ),
                ));
            }
            number
        })
        .collect();
    if values.iter().all(Option::is_none) {
        return Err(Error::MissingPopulation {
            source_name: source_name.to_owned(),
            field: field.to_owned(),
        });
    }
    if !warnings.is_empty() {
        areas.warnings.append(&mut warnings);
        areas.warnings.sort_by_key(|w| (w.index, w.code));
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
            // Of qualifying stations at one place, the first stands for
            // all in the nearest searches: the others are at the same
            // distance and lose every tie to it, so no answer changes.
            let mut candidates = qualifies.clone();
            for group in &stations.coincident {
                let mut kept = false;
                for &i in group {
                    let i = i as usize;
                    if candidates[i] {
                        if kept {
                            candidates[i] = false;
                        } else {
                            kept = true;
                        }
                    }
                }
            }
            let index =
                StationIndex::new(stations.stations.iter().map(|s| s.location), &candidates);
            (qualifies, index)
        },
    );
    progress.finish();

    // The threshold sweep counts stations inside (and within the
    // tolerance). Under --within-km it is not computed: the strongest
    // station within a covering distance of tens of km needs a
    // max-power range query the index does not have yet (a scan of the
    // grown boxes took the national job from 5 s to 75 s at 50 km).
    let assessment = assess(
        &areas.areas,
        &index,
        &stations.stations,
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
