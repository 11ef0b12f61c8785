//! The report: every number a check produced, in one serialisable
//! structure with stable names (documented in the README). Text, JSON and
//! GeoJSON outputs are all rendered from it, so they cannot disagree.
//!
//! Floats are rounded on the way in — metres to 0.1, degrees to 1e-7 — so
//! reports are deterministic and diff cleanly.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::assess::AreaFacts;
use crate::check::CheckRun;
use crate::crs::mismatch::Suggestion;
use crate::index::Nearest;
use crate::input::Source;
use crate::input::digest::{FileDigest, digests};
use crate::model::{Area, LayerInfo, StationLayer};
use crate::reporting::{LISTED_WARNINGS_PER_CODE, ListedWarning, Tool, round_deg, round_m};
use crate::rules::Rule;
use crate::stats::DistanceStats;
use crate::units::trim_float;

/// The JSON report of a check (its schema is in the README).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Which tool made it.
    pub tool: Tool,
    /// The layers as read.
    pub inputs: Inputs,
    /// The rule judged by.
    pub rule: RuleReport,
    /// The verdict and the counts.
    pub summary: Summary,
    /// Per group, sorted by name.
    pub groups: Vec<GroupReport>,
    /// Per area, in input order.
    pub areas: Vec<AreaReport>,
    /// Problems that did not stop the run.
    pub warnings: Warnings,
    /// The files the verdict was computed from, with their SHA-256: set
    /// by whoever writes the JSON report (the command line always does),
    /// `null` otherwise.
    pub provenance: Option<Provenance>,
}

/// What a verdict was computed from, so that it can be audited later:
/// the tool's version, the claim, and every input file's size and
/// SHA-256 (hashed after the run; standard input and other streams, read
/// once, are listed as no files).
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// chargecov's version.
    pub chargecov: &'static str,
    /// The claim judged, in words.
    pub claim: String,
    /// The named claim (`--claim`): its name, version, origin (`preset` or
    /// the file) and the SHA-256 of its text; `null` when flags set the rule.
    pub claim_source: Option<crate::rules::claims::ClaimRef>,
    /// The area layer's files.
    pub areas: Vec<FileDigest>,
    /// The station layer's files.
    pub stations: Vec<FileDigest>,
}

impl Provenance {
    /// Hashes the files behind `areas` and `stations`.
    pub fn of(
        areas: &Source,
        stations: &Source,
        rule: &Rule,
        claim_source: Option<crate::rules::claims::ClaimRef>,
    ) -> crate::error::Result<Self> {
        let (a, s) = rayon::join(|| digests(areas), || digests(stations));
        Ok(Provenance {
            chargecov: env!("CARGO_PKG_VERSION"),
            claim: rule.describe(),
            claim_source,
            areas: a?,
            stations: s?,
        })
    }
}

/// The layers as read.
#[derive(Debug, Clone, Serialize)]
pub struct Inputs {
    /// The areas.
    pub areas: LayerInfo,
    /// The stations.
    pub stations: LayerInfo,
    /// True when the run used the embedded synthetic demo data.
    pub synthetic: bool,
    /// Set when the layers look like they are in different coordinate
    /// systems (e.g. GCJ-02 stations read as WGS84), with the flag that
    /// would fix it; `null` otherwise.
    pub crs_mismatch: Option<Suggestion>,
    /// Set when the rule needs power and more than 5 % of the stations
    /// have none readable; `null` otherwise.
    pub power_missing: Option<PowerMissing>,
}

/// Above this share of stations without a readable power, a rule that
/// needs power is judged on too little data to pass without a warning.
pub const POWER_MISSING_WARNING: f64 = 0.05;

/// Many stations of unknown power under a rule that needs power.
#[derive(Debug, Clone, Serialize)]
pub struct PowerMissing {
    /// Stations without a readable power.
    pub stations_without_power: usize,
    /// Stations in use.
    pub stations_total: usize,
    /// The field read for power, if one was found.
    pub field: Option<String>,
    /// The rule's threshold (kW).
    pub min_power_kw: f64,
}

impl PowerMissing {
    /// Whether `without` of `stations`' stations lacking power calls for
    /// the warning under `rule`.
    fn of(stations: &StationLayer, without: usize, rule: &Rule) -> Option<Self> {
        let total = stations.stations.len();
        (rule.min_power_kw > 0.0 && without as f64 > POWER_MISSING_WARNING * total as f64).then(
            || PowerMissing {
                stations_without_power: without,
                stations_total: total,
                field: stations.info.fields.power.clone(),
                min_power_kw: rule.min_power_kw,
            },
        )
    }

    /// One sentence for the text, Markdown and HTML outputs.
    pub fn message(&self) -> String {
        let share = 100.0 * self.stations_without_power as f64 / self.stations_total.max(1) as f64;
        format!(
            "{} of {} stations ({share:.1} %) have no readable power{}; none of them counts \
             towards the {} kW rule, so coverage may be understated",
            self.stations_without_power,
            self.stations_total,
            match &self.field {
                Some(f) => format!(" in {f:?}"),
                None => String::new(),
            },
            trim_float(self.min_power_kw)
        )
    }
}

/// The rule as reported.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    /// The named claim judged (`--claim`), as `name (version N)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// The rule in words.
    pub description: String,
    /// A station qualifies at this power (kW) or more.
    pub min_power_kw: f64,
    /// Stations this close (m) to an area count as inside it.
    pub boundary_tolerance_m: f64,
    /// An area is covered by a qualifying station this close (km), if set.
    pub within_km: Option<f64>,
    /// More than `min_power_kw`, not at least.
    pub min_power_exclusive: bool,
    /// A site qualifies only with this many points of `min_power_kw` or more.
    pub min_points: u32,
    /// ... and this much power over all its points (kW).
    pub min_pool_kw: f64,
}

/// An area named by id, name and group.
#[derive(Debug, Clone, Serialize)]
pub struct AreaRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its group.
    pub group: Option<String>,
}

/// The verdict and the counts.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Every area is covered.
    pub claim_holds: bool,
    /// Areas in all.
    pub areas_total: usize,
    /// Areas covered.
    pub areas_covered: usize,
    /// Areas not covered.
    pub areas_uncovered: usize,
    /// The areas not covered, in input order.
    pub uncovered: Vec<AreaRef>,
    /// Records in the station file.
    pub stations_read: usize,
    /// Stations in use (after any skipped with --skip-invalid).
    pub stations_total: usize,
    /// Stations that qualify under the rule.
    pub stations_qualifying: usize,
    /// Stations of unknown power.
    pub stations_unknown_power: usize,
    /// Stations inside (or on the boundary of) no area.
    pub stations_outside_areas: usize,
    /// Representative point → nearest qualifying station.
    pub distance_m: Option<DistanceStats>,
    /// Area → nearest qualifying station (0 for areas with one inside).
    pub boundary_distance_m: Option<DistanceStats>,
    /// Surface coverage, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surface: Option<SurfaceSummary>,
    /// Population statistics, when a population field was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationSummary>,
    /// Up to which per-point power the claim holds, and how many areas
    /// are uncovered at the common thresholds; `null` under a covering
    /// distance (`within_km`), for which it is not computed yet.
    pub power_sweep: Option<PowerSweep>,
}

/// The per-point power thresholds (kW) every report sweeps: 22 (AC),
/// 50 (UK "rapid"), 60, 120, 150 (UK top band, AFIR's per-point minimum,
/// NEVI's per-port minimum), 180, 250 (China's 2025 "high-power" is
/// above 250 kW per gun), 350, 480 (Shenzhen's supercharging) and 600.
pub const SWEEP_KW: [f64; 10] = [
    22.0, 50.0, 60.0, 120.0, 150.0, 180.0, 250.0, 350.0, 480.0, 600.0,
];

/// The claim at other per-point thresholds, same areas and distances.
#[derive(Debug, Clone, Serialize)]
pub struct PowerSweep {
    /// The highest per-point power (kW) at which every area is still
    /// covered: the least, over the areas, of each one's strongest
    /// covering station. `null` when some area has no station of known
    /// power (the claim holds at no positive threshold).
    pub holds_up_to_kw: Option<f64>,
    /// Areas uncovered at each of [`SWEEP_KW`].
    pub uncovered_at: Vec<SweepStep>,
}

/// Areas uncovered at one threshold.
#[derive(Debug, Clone, Serialize)]
pub struct SweepStep {
    /// The threshold, kW per point.
    pub min_power_kw: f64,
    /// Areas without a covering station of at least that power.
    pub areas_uncovered: usize,
}

impl PowerSweep {
    /// The sweep over each area's strongest covering station.
    fn of(strongest: impl Iterator<Item = Option<f64>> + Clone) -> Self {
        let holds_up_to_kw = strongest
            .clone()
            .try_fold(f64::INFINITY, |least, kw| kw.map(|kw| least.min(kw)))
            .filter(|kw| kw.is_finite());
        let uncovered_at = SWEEP_KW
            .iter()
            .map(|&t| SweepStep {
                min_power_kw: t,
                areas_uncovered: strongest
                    .clone()
                    .filter(|kw| kw.is_none_or(|kw| kw < t))
                    .count(),
            })
            .collect();
        PowerSweep {
            holds_up_to_kw,
            uncovered_at,
        }
    }

    /// "holds up to X kW; at Y kW, N areas uncovered" (Y the first swept
    /// threshold above X).
    pub fn line(&self) -> String {
        let first_failing = |above: f64| {
            self.uncovered_at
                .iter()
                .find(|s| s.min_power_kw > above && s.areas_uncovered > 0)
        };
        let at = |s: &SweepStep| {
            format!(
                "at {} kW, {} area{} uncovered",
                trim_float(s.min_power_kw),
                s.areas_uncovered,
                if s.areas_uncovered == 1 { "" } else { "s" }
            )
        };
        match (self.holds_up_to_kw, self.uncovered_at.first()) {
            (Some(kw), _) => match first_failing(kw) {
                Some(step) => format!("holds up to {} kW; {}", trim_float(kw), at(step)),
                None => format!("holds up to {} kW", trim_float(kw)),
            },
            (None, Some(step)) => format!(
                "holds at no power threshold (an area has no station of known power); {}",
                at(step)
            ),
            (None, None) => "holds at no power threshold".to_owned(),
        }
    }
}

/// One group's counts and distances.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    /// The group's name.
    pub group: String,
    /// Areas in the group.
    pub areas_total: usize,
    /// Areas covered.
    pub areas_covered: usize,
    /// Areas not covered.
    pub areas_uncovered: usize,
    /// Distances from representative points to the nearest qualifying station.
    pub distance_m: Option<DistanceStats>,
    /// Distances from the areas themselves to the nearest qualifying station.
    pub boundary_distance_m: Option<DistanceStats>,
    /// Surface coverage, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surface: Option<GroupSurface>,
    /// Population statistics, when a population field was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationSummary>,
}

/// A WGS84 position.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

/// One area's facts.
#[derive(Debug, Clone, Serialize)]
pub struct AreaReport {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its group.
    pub group: Option<String>,
    /// Index of the feature in the area file.
    pub feature_index: usize,
    /// Stations inside or on its boundary.
    pub stations_inside: u32,
    /// Of those, the qualifying ones.
    pub qualifying_inside: u32,
    /// Covered under the rule.
    pub covered: bool,
    /// The point distances are measured from (always inside the area).
    pub representative_point: Point,
    /// The qualifying station nearest to the representative point.
    pub nearest_station_id: Option<String>,
    /// That station's feature index.
    pub nearest_station_index: Option<usize>,
    /// The distance to it, in metres.
    pub nearest_distance_m: Option<f64>,
    /// The qualifying station nearest to the area itself.
    pub boundary_station_id: Option<String>,
    /// The distance from the area to it, in metres (0 inside).
    pub boundary_distance_m: Option<f64>,
    /// The most powerful station (known power, kW) that covers the area
    /// at some threshold: the claim holds here up to this per-point power.
    pub strongest_kw: Option<f64>,
    /// Geodesic size, km² (with --radius-km).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_km2: Option<f64>,
    /// With --population-field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<f64>,
    /// Share of the surface within each radius (keys as written on the
    /// command line), 0–1 (with --radius-km).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<Map<String, Value>>,
    /// The point inside the area farthest from every qualifying station.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_point: Option<WorstReport>,
    /// Size of the part farther than the largest radius from every
    /// qualifying station, km² (with --gaps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap_km2: Option<f64>,
}

/// An area's worst-served point.
#[derive(Debug, Clone, Serialize)]
pub struct WorstReport {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Its distance to the nearest qualifying station, in metres.
    pub distance_m: f64,
    /// False only if the search ran out of cells before proving the bound.
    pub proven: bool,
    /// When not proven: the true maximum is at most this, metres (the
    /// distance above is a lower bound).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_bound_m: Option<f64>,
}

/// Surface coverage over all areas (with --radius-km).
#[derive(Debug, Clone, Serialize)]
pub struct SurfaceSummary {
    /// The radii, as written.
    pub radii_km: Vec<String>,
    /// The areas' total size in km².
    pub area_km2: f64,
    /// Share of the total surface within each radius.
    pub within_area_weighted: Map<String, Value>,
    /// Share of the population whose area is covered, weighting each
    /// area's share by its population (with --population-field).
    pub within_population_weighted: Option<Map<String, Value>>,
    /// Total size of the gaps for the largest radius (with --gaps).
    pub gap_km2: Option<f64>,
    /// Statistics of the areas' worst-served distances.
    pub worst_distance_m: Option<DistanceStats>,
    /// The shares are exact up to this fraction of an area's size.
    pub share_error_bound: f64,
    /// Worst-served distances are within this many metres of the true maximum.
    pub worst_point_tolerance_m: f64,
    /// Share of the total surface within r, for r from 0.5 to 50 km.
    pub curve: Vec<CurvePoint>,
}

/// One point of the coverage curve.
#[derive(Debug, Clone, Serialize)]
pub struct CurvePoint {
    /// The radius.
    pub radius_km: f64,
    /// Share of the total surface within it.
    pub share: f64,
    /// Share of the population within it.
    pub share_population: Option<f64>,
}

/// Population statistics (with --population-field).
#[derive(Debug, Clone, Serialize)]
pub struct PopulationSummary {
    /// Areas with a usable population value.
    pub areas_with_population: usize,
    /// People in all.
    pub total: f64,
    /// Share of the population living in covered areas.
    pub in_covered_areas_share: f64,
    /// Representative-point distances weighted by population.
    pub distance_m: Option<DistanceStats>,
}

/// A group's surface coverage (with --radius-km).
#[derive(Debug, Clone, Serialize)]
pub struct GroupSurface {
    /// The group's size in km².
    pub area_km2: f64,
    /// Area-weighted share within each radius.
    pub within_area_weighted: Map<String, Value>,
    /// Population-weighted share within each radius.
    pub within_population_weighted: Option<Map<String, Value>>,
}

/// Warnings, counted and listed.
#[derive(Debug, Clone, Serialize)]
pub struct Warnings {
    /// All warnings.
    pub count: usize,
    /// Warnings per code.
    pub by_code: BTreeMap<&'static str, usize>,
    /// At most 1,000 per code, areas first.
    pub listed: Vec<ListedWarning>,
}

fn rounded(stats: Option<DistanceStats>) -> Option<DistanceStats> {
    stats.map(|s| DistanceStats {
        count: s.count,
        mean: round_m(s.mean),
        median: round_m(s.median),
        p90: round_m(s.p90),
        p95: round_m(s.p95),
        max: round_m(s.max),
        rule: s.rule,
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
            .map(|n| stations.stations[n.station as usize].index as usize),
        nearest_distance_m: facts.nearest.map(|n| round_m(n.distance_m)),
        boundary_station_id: station_label(stations, facts.boundary),
        boundary_distance_m: facts.boundary.map(|n| round_m(n.distance_m)),
        strongest_kw: facts.strongest_kw,
        area_km2: None,
        population: None,
        within: None,
        worst_point: None,
        gap_km2: None,
    }
}

/// Shares are written to 1e-6.
fn round_share(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn round_km2(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// `labels[k]` → `values[k]`, in order.
fn share_map(labels: &[String], values: impl Iterator<Item = f64>) -> Map<String, Value> {
    labels
        .iter()
        .zip(values)
        .map(|(l, v)| (l.clone(), Value::from(round_share(v))))
        .collect()
}

/// Weighted mean of per-area values over `members`; `None` without weight.
fn weighted_mean(
    members: &[usize],
    weight: &dyn Fn(usize) -> Option<f64>,
    value: &dyn Fn(usize) -> f64,
) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for &i in members {
        if let Some(w) = weight(i) {
            num += w * value(i);
            den += w;
        }
    }
    (den > 0.0).then(|| num / den)
}

impl Report {
    /// Builds the report of a finished check.
    pub fn new(run: &CheckRun, synthetic: bool) -> Report {
        let areas = &run.areas.areas;
        let facts = &run.assessment.facts;
        let area_reports: Vec<AreaReport> = areas
            .par_iter()
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
                    surface: group_surface(run, &members),
                    population: population_summary(run, &members),
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
                .filter(|s| s.power_kw().is_none())
                .count(),
            stations_outside_areas: run
                .assessment
                .station_in_area
                .iter()
                .filter(|inside| !**inside)
                .count(),
            distance_m,
            boundary_distance_m,
            surface: surface_summary(run, &all),
            population: population_summary(run, &all),
            power_sweep: run
                .rule
                .within_km
                .is_none()
                .then(|| PowerSweep::of(run.assessment.facts.iter().map(|f| f.strongest_kw))),
        };
        let mut area_reports = area_reports;
        for (i, r) in area_reports.iter_mut().enumerate() {
            if run.rule.within_km.is_some() {
                // Inside-only under a covering distance: not the answer.
                r.strongest_kw = None;
            }
            r.population = run.population.as_ref().and_then(|p| p[i]);
            if let Some(s) = &run.surface {
                let a = &s.areas[i];
                r.area_km2 = Some(round_km2(a.area_m2 / 1e6));
                r.within = Some(share_map(&s.request.labels, a.within.iter().copied()));
                r.worst_point = a.worst.map(|w| WorstReport {
                    lon: round_deg(w.at.x),
                    lat: round_deg(w.at.y),
                    distance_m: round_m(w.distance_m),
                    proven: w.proven,
                    upper_bound_m: (!w.proven).then(|| round_m(w.upper_m)),
                });
                r.gap_km2 = a.gap_m2.map(|g| round_km2(g / 1e6));
            }
        }

        Report {
            tool: Tool::THIS,
            inputs: Inputs {
                areas: run.areas.info.clone(),
                stations: stations.info.clone(),
                synthetic,
                crs_mismatch: run.crs_mismatch.clone(),
                power_missing: PowerMissing::of(
                    &run.stations,
                    summary.stations_unknown_power,
                    &run.rule,
                ),
            },
            rule: rule_report(&run.rule),
            summary,
            groups,
            areas: area_reports,
            warnings: warnings(run),
            provenance: None,
        }
    }
}

fn group_surface(run: &CheckRun, members: &[usize]) -> Option<GroupSurface> {
    let s = run.surface.as_ref()?;
    let size = |i: usize| Some(s.areas[i].area_m2);
    let radii = s.request.labels.len();
    let area_weighted =
        (0..radii).map(|k| weighted_mean(members, &size, &|i| s.areas[i].within[k]).unwrap_or(0.0));
    let population_weighted = run.population.as_ref().map(|p| {
        let weight = |i: usize| p[i];
        share_map(
            &s.request.labels,
            (0..radii)
                .map(|k| weighted_mean(members, &weight, &|i| s.areas[i].within[k]).unwrap_or(0.0)),
        )
    });
    Some(GroupSurface {
        area_km2: round_km2(members.iter().map(|&i| s.areas[i].area_m2).sum::<f64>() / 1e6),
        within_area_weighted: share_map(&s.request.labels, area_weighted),
        within_population_weighted: population_weighted,
    })
}

fn surface_summary(run: &CheckRun, all: &[usize]) -> Option<SurfaceSummary> {
    let s = run.surface.as_ref()?;
    let group = group_surface(run, all)?;
    let size = |i: usize| Some(s.areas[i].area_m2);
    let curve = crate::surface::CURVE_KM
        .iter()
        .enumerate()
        .map(|(k, &r)| CurvePoint {
            radius_km: r,
            share: round_share(weighted_mean(all, &size, &|i| s.areas[i].curve[k]).unwrap_or(0.0)),
            share_population: run.population.as_ref().and_then(|p| {
                weighted_mean(all, &|i| p[i], &|i| s.areas[i].curve[k]).map(round_share)
            }),
        })
        .collect();
    let gaps: Vec<f64> = s.areas.iter().filter_map(|a| a.gap_m2).collect();
    Some(SurfaceSummary {
        radii_km: s.request.labels.clone(),
        area_km2: group.area_km2,
        within_area_weighted: group.within_area_weighted,
        within_population_weighted: group.within_population_weighted,
        gap_km2: (!gaps.is_empty()).then(|| round_km2(gaps.iter().sum::<f64>() / 1e6)),
        worst_distance_m: rounded(DistanceStats::of(
            s.areas.iter().filter_map(|a| a.worst.map(|w| w.distance_m)),
        )),
        share_error_bound: crate::surface::field::SHARE_ERROR_BOUND,
        worst_point_tolerance_m: crate::surface::worst::TOLERANCE_M,
        curve,
    })
}

fn population_summary(run: &CheckRun, members: &[usize]) -> Option<PopulationSummary> {
    let p = run.population.as_ref()?;
    let with: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| p[i].is_some())
        .collect();
    let total: f64 = with.iter().filter_map(|&i| p[i]).sum();
    let covered: f64 = with
        .iter()
        .filter(|&&i| run.covered[i])
        .filter_map(|&i| p[i])
        .sum();
    let facts = &run.assessment.facts;
    Some(PopulationSummary {
        areas_with_population: with.len(),
        total,
        in_covered_areas_share: if total > 0.0 {
            round_share(covered / total)
        } else {
            0.0
        },
        distance_m: rounded(DistanceStats::weighted(
            with.iter()
                .filter_map(|&i| Some((facts[i].nearest?.distance_m, p[i]?))),
        )),
    })
}

fn rule_report(rule: &Rule) -> RuleReport {
    RuleReport {
        claim: None,
        description: rule.describe(),
        min_power_kw: rule.min_power_kw,
        boundary_tolerance_m: rule.boundary_tolerance_m,
        within_km: rule.within_km,
        min_power_exclusive: rule.min_power_exclusive,
        min_points: rule.min_points,
        min_pool_kw: rule.min_pool_kw,
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
