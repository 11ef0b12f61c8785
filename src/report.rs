//! The report: every number a check produced, in one serialisable
//! structure with stable names (documented in the README). Text, JSON and
//! GeoJSON outputs are all rendered from it, so they cannot disagree.
//!
//! Floats are rounded on the way in — metres to 0.1, degrees to 1e-7 — so
//! reports are deterministic and diff cleanly.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assess::AreaFacts;
use crate::check::CheckRun;
use crate::crs::mismatch::Suggestion;
use crate::index::Nearest;
use crate::issues::FeatureIssue;
use crate::model::{Area, LayerInfo, StationLayer};
use crate::rules::Rule;
use crate::stats::DistanceStats;

/// How many warnings per code the report lists before only counting.
pub const LISTED_WARNINGS_PER_CODE: usize = 1000;

/// Metres to 0.1 m.
pub fn round_m(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Degrees to 1e-7° (about 1 cm).
pub fn round_deg(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: Tool,
    pub inputs: Inputs,
    pub rule: RuleReport,
    pub summary: Summary,
    pub groups: Vec<GroupReport>,
    pub areas: Vec<AreaReport>,
    pub warnings: Warnings,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inputs {
    pub areas: LayerInfo,
    pub stations: LayerInfo,
    /// True when the run used the embedded synthetic demo data.
    pub synthetic: bool,
    /// Set when the layers look like they are in different coordinate
    /// systems (e.g. GCJ-02 stations read as WGS84), with the flag that
    /// would fix it; `null` otherwise.
    pub crs_mismatch: Option<Suggestion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    pub description: String,
    pub min_power_kw: f64,
    pub boundary_tolerance_m: f64,
    pub within_km: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaRef {
    pub id: String,
    pub name: Option<String>,
    pub group: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub claim_holds: bool,
    pub areas_total: usize,
    pub areas_covered: usize,
    pub areas_uncovered: usize,
    pub uncovered: Vec<AreaRef>,
    /// Records in the station file.
    pub stations_read: usize,
    /// Stations in use (after any skipped with --skip-invalid).
    pub stations_total: usize,
    pub stations_qualifying: usize,
    pub stations_unknown_power: usize,
    /// Stations inside (or on the boundary of) no area.
    pub stations_outside_areas: usize,
    /// Representative point → nearest qualifying station.
    pub distance_m: Option<DistanceStats>,
    /// Area → nearest qualifying station (0 for areas with one inside).
    pub boundary_distance_m: Option<DistanceStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    pub group: String,
    pub areas_total: usize,
    pub areas_covered: usize,
    pub areas_uncovered: usize,
    pub distance_m: Option<DistanceStats>,
    pub boundary_distance_m: Option<DistanceStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaReport {
    pub id: String,
    pub name: Option<String>,
    pub group: Option<String>,
    /// Index of the feature in the area file.
    pub feature_index: usize,
    pub stations_inside: u32,
    pub qualifying_inside: u32,
    pub covered: bool,
    pub representative_point: Point,
    pub nearest_station_id: Option<String>,
    pub nearest_station_index: Option<usize>,
    pub nearest_distance_m: Option<f64>,
    pub boundary_station_id: Option<String>,
    pub boundary_distance_m: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Warnings {
    pub count: usize,
    pub by_code: BTreeMap<&'static str, usize>,
    /// At most [`LISTED_WARNINGS_PER_CODE`] per code, areas first.
    pub listed: Vec<ListedWarning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListedWarning {
    pub layer: &'static str,
    #[serde(flatten)]
    pub issue: FeatureIssue,
}

fn rounded(stats: Option<DistanceStats>) -> Option<DistanceStats> {
    stats.map(|s| DistanceStats {
        count: s.count,
        mean: round_m(s.mean),
        median: round_m(s.median),
        p90: round_m(s.p90),
        p95: round_m(s.p95),
        max: round_m(s.max),
    })
}

fn station_label(stations: &StationLayer, n: Option<Nearest>) -> Option<String> {
    n.map(|n| stations.stations[n.station as usize].label())
}

fn area_report(
    area: &Area,
    facts: &AreaFacts,
    covered: bool,
    stations: &StationLayer,
) -> AreaReport {
    AreaReport {
        id: area.id.clone(),
        name: area.name.clone(),
        group: area.group.clone(),
        feature_index: area.index,
        stations_inside: facts.stations_inside,
        qualifying_inside: facts.qualifying_inside,
        covered,
        representative_point: Point {
            lon: round_deg(facts.representative_point.x),
            lat: round_deg(facts.representative_point.y),
        },
        nearest_station_id: station_label(stations, facts.nearest),
        nearest_station_index: facts
            .nearest
            .map(|n| stations.stations[n.station as usize].index),
        nearest_distance_m: facts.nearest.map(|n| round_m(n.distance_m)),
        boundary_station_id: station_label(stations, facts.boundary),
        boundary_distance_m: facts.boundary.map(|n| round_m(n.distance_m)),
    }
}

impl Report {
    /// Builds the report of a finished check.
    pub fn new(run: &CheckRun, synthetic: bool) -> Report {
        let areas = &run.areas.areas;
        let facts = &run.assessment.facts;
        let area_reports: Vec<AreaReport> = areas
            .iter()
            .zip(facts)
            .zip(&run.covered)
            .map(|((a, f), c)| area_report(a, f, *c, &run.stations))
            .collect();

        let stats_of = |members: &[usize]| {
            (
                rounded(DistanceStats::of(
                    members
                        .iter()
                        .filter_map(|&i| facts[i].nearest.map(|n| n.distance_m)),
                )),
                rounded(DistanceStats::of(
                    members
                        .iter()
                        .filter_map(|&i| facts[i].boundary.map(|n| n.distance_m)),
                )),
            )
        };

        let mut by_group: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, area) in areas.iter().enumerate() {
            if let Some(g) = &area.group {
                by_group.entry(g.as_str()).or_default().push(i);
            }
        }
        let groups = by_group
            .into_iter()
            .map(|(group, members)| {
                let covered = members.iter().filter(|&&i| run.covered[i]).count();
                let (distance_m, boundary_distance_m) = stats_of(&members);
                GroupReport {
                    group: group.to_owned(),
                    areas_total: members.len(),
                    areas_covered: covered,
                    areas_uncovered: members.len() - covered,
                    distance_m,
                    boundary_distance_m,
                }
            })
            .collect();

        let all: Vec<usize> = (0..areas.len()).collect();
        let (distance_m, boundary_distance_m) = stats_of(&all);
        let stations = &run.stations;
        let summary = Summary {
            claim_holds: run.verdict.claim_holds,
            areas_total: areas.len(),
            areas_covered: areas.len() - run.verdict.uncovered.len(),
            areas_uncovered: run.verdict.uncovered.len(),
            uncovered: run
                .verdict
                .uncovered
                .iter()
                .map(|&i| AreaRef {
                    id: areas[i].id.clone(),
                    name: areas[i].name.clone(),
                    group: areas[i].group.clone(),
                })
                .collect(),
            stations_read: stations.info.features_read,
            stations_total: stations.stations.len(),
            stations_qualifying: run.qualifies.iter().filter(|q| **q).count(),
            stations_unknown_power: stations
                .stations
                .iter()
                .filter(|s| s.power_kw.is_none())
                .count(),
            stations_outside_areas: run
                .assessment
                .station_in_area
                .iter()
                .filter(|inside| !**inside)
                .count(),
            distance_m,
            boundary_distance_m,
        };

        Report {
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            inputs: Inputs {
                areas: run.areas.info.clone(),
                stations: stations.info.clone(),
                synthetic,
                crs_mismatch: run.crs_mismatch.clone(),
            },
            rule: rule_report(&run.rule),
            summary,
            groups,
            areas: area_reports,
            warnings: warnings(run),
        }
    }
}

fn rule_report(rule: &Rule) -> RuleReport {
    RuleReport {
        description: rule.describe(),
        min_power_kw: rule.min_power_kw,
        boundary_tolerance_m: rule.boundary_tolerance_m,
        within_km: rule.within_km,
    }
}

fn warnings(run: &CheckRun) -> Warnings {
    let mut by_code: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut listed = Vec::new();
    let layers = [
        ("areas", &run.areas.warnings),
        ("stations", &run.stations.warnings),
    ];
    for (layer, issues) in layers {
        for issue in issues.iter() {
            let n = by_code.entry(issue.code.as_str()).or_default();
            *n += 1;
            if *n <= LISTED_WARNINGS_PER_CODE {
                listed.push(ListedWarning {
                    layer,
                    issue: issue.clone(),
                });
            }
        }
    }
    Warnings {
        count: by_code.values().sum(),
        by_code,
        listed,
    }
}
