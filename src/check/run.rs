//! The check's pipeline — read → normalise → index → assess → judge —
//! and its result: plain data handed to the report and the writers.

use crate::assess::{Assessment, assess};
use crate::crs::mismatch::{self, Suggestion};
use crate::error::{Error, Result, Setting};
use crate::index::StationIndex;
use crate::issues::{FeatureIssue, IssueCode};
use crate::model::{AreaLayer, StationLayer};
use crate::normalise::{load_areas, load_stations};
use crate::prepare::{StationSource, prepare_stations};
use crate::progress::Progress;
use crate::rules::{Rule, Verdict, judge};
use crate::surface::{self, AreaSurface};

use super::CheckConfig;

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
    /// What was asked.
    pub request: SurfaceRequest,
    /// Per area, in layer order.
    pub areas: Vec<AreaSurface>,
}

/// The result of a check, ready to be reported.
#[derive(Debug, Clone)]
pub struct CheckRun {
    /// The area layer as read.
    pub areas: AreaLayer,
    /// The station layer as read.
    pub stations: StationLayer,
    /// The rule judged by.
    pub rule: Rule,
    /// Per station (in layer order): does it qualify under the rule?
    pub qualifies: Vec<bool>,
    /// Per-area facts: containment, nearest stations.
    pub assessment: Assessment,
    /// Per area: covered under the rule?
    pub covered: Vec<bool>,
    /// The verdict on the claim.
    pub verdict: Verdict,
    /// The layers look like they are in different coordinate systems.
    pub crs_mismatch: Option<Suggestion>,
    /// Surface coverage, when asked for.
    pub surface: Option<SurfaceRun>,
    /// Per area: its population, when a population field was named.
    pub population: Option<Vec<Option<f64>>>,
}

/// Runs the whole check.
pub fn run_check(config: &CheckConfig, progress: &dyn Progress) -> Result<CheckRun> {
    config.rule.check()?;
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
    let stations = prepare_stations(
        stations,
        &config.rule,
        config.pool_by.as_ref(),
        &StationSource {
            source: &config.stations,
            read: &config.stations_read,
            specs: &config.station_fields,
        },
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
