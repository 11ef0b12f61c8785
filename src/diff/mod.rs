//! `diff`: what a new station snapshot changes. Stations are matched
//! between the snapshots — by id, and where ids are missing by place —
//! and sorted into added, removed, moved and changed-power; both
//! snapshots are checked against the same areas under the same rule, and
//! the areas that gained or lost coverage, or whose distance to the
//! nearest qualifying station changed much, are reported.

mod pairing;

use std::collections::HashMap;

use geo::Coord;
use serde::Serialize;

use crate::check::CheckRun;
use crate::check::assess_layers;
use crate::check::report::{AreaReport, Point, Report, RuleReport};
use crate::crs::Crs;
use crate::error::{Error, Layer, Result, Setting};
use crate::fields::{AreaFieldSpecs, StationFieldSpecs};
use crate::geodesy::distance_m;
use crate::input::digest::{FileDigest, digests};
use crate::input::{ReadOptions, Source};
use crate::model::{LayerInfo, Station, StationLayer};
use crate::normalise::{load_areas, load_stations};
use crate::prepare::require_power;
use crate::progress::Progress;
use crate::reporting::{round_deg, round_m};
use crate::rules::Rule;

/// Changes listed per kind; the rest are counted.
pub const LISTED: usize = 1000;

/// Everything `diff` needs; built by the CLI from its flags.
#[derive(Debug, Clone)]
pub struct DiffConfig {
    /// The earlier snapshot.
    pub old: Source,
    /// The later snapshot.
    pub new: Source,
    /// The boundary polygons both are checked against.
    pub areas: Source,
    /// How to read the areas' properties.
    pub area_fields: AreaFieldSpecs,
    /// How to read the snapshots' properties or columns.
    pub station_fields: StationFieldSpecs,
    /// The claim both snapshots are judged by.
    pub rule: Rule,
    /// The areas' coordinate system (else the file's, else WGS84).
    pub areas_crs: Option<Crs>,
    /// The snapshots' coordinate system (else each file's, else WGS84).
    pub stations_crs: Option<Crs>,
    /// Stations without ids match across snapshots within this distance.
    pub match_m: f64,
    /// A matched station counts as moved beyond this distance.
    pub moved_m: f64,
    /// Areas whose nearest-station distance changed by more are reported.
    pub distance_change_m: f64,
    /// How to read the areas (text encoding, layer name).
    pub areas_read: ReadOptions,
    /// How to read both snapshots.
    pub stations_read: ReadOptions,
}

/// A station in one snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct StationRef {
    /// Feature index (or CSV data row) in its file.
    pub index: usize,
    /// Its id, if any.
    pub id: Option<String>,
    /// Longitude (WGS84).
    pub lon: f64,
    /// Latitude (WGS84).
    pub lat: f64,
    /// Its power in kW, if known.
    pub power_kw: Option<f64>,
}

/// A station found in both snapshots that moved or changed power.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// Its id, if any.
    pub id: Option<String>,
    /// Its index in the earlier snapshot.
    pub old_index: usize,
    /// Its index in the later snapshot.
    pub new_index: usize,
    /// Where it was.
    pub from: Point,
    /// Where it is.
    pub to: Point,
    /// How far it moved (geodesic metres).
    pub distance_m: f64,
    /// Its power before, in kW.
    pub old_power_kw: Option<f64>,
    /// Its power after, in kW.
    pub new_power_kw: Option<f64>,
}

/// One kind of change: how many, and the first [`LISTED`].
#[derive(Debug, Clone, Serialize)]
pub struct Listed<T> {
    /// How many there are.
    pub count: usize,
    /// The first ones, in file order.
    pub listed: Vec<T>,
}

impl<T> Listed<T> {
    fn from_all(all: Vec<T>) -> Self {
        let count = all.len();
        let mut listed = all;
        listed.truncate(LISTED);
        Listed { count, listed }
    }
}

/// What happened to the stations.
#[derive(Debug, Clone, Serialize)]
pub struct StationChanges {
    /// Stations in the earlier snapshot.
    pub old_total: usize,
    /// Stations in the later snapshot.
    pub new_total: usize,
    /// Stations found in both.
    pub matched: usize,
    /// Stations only in the later snapshot.
    pub added: Listed<StationRef>,
    /// Stations only in the earlier snapshot.
    pub removed: Listed<StationRef>,
    /// Matched stations that moved.
    pub moved: Listed<Changed>,
    /// Matched stations whose power changed.
    pub power_changed: Listed<Changed>,
}

/// An area whose coverage or distance changed, with before/after facts.
#[derive(Debug, Clone, Serialize)]
pub struct AreaChange {
    /// The area's id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its group.
    pub group: Option<String>,
    /// Its feature index.
    pub feature_index: usize,
    /// Covered under the earlier snapshot.
    pub covered_before: bool,
    /// Covered under the later snapshot.
    pub covered_after: bool,
    /// Qualifying stations inside, before.
    pub qualifying_inside_before: u32,
    /// Qualifying stations inside, after.
    pub qualifying_inside_after: u32,
    /// The nearest qualifying station to its representative point, before.
    pub nearest_station_before: Option<String>,
    /// The same, after.
    pub nearest_station_after: Option<String>,
    /// Distance to that station before, in metres.
    pub nearest_distance_m_before: Option<f64>,
    /// Distance to that station after, in metres.
    pub nearest_distance_m_after: Option<f64>,
    /// After minus before (m); `null` when either has no qualifying station.
    pub distance_change_m: Option<f64>,
}

/// What happened to the areas.
#[derive(Debug, Clone, Serialize)]
pub struct AreaChanges {
    /// Areas covered before and not after.
    pub lost: Vec<AreaChange>,
    /// Areas covered after and not before.
    pub gained: Vec<AreaChange>,
    /// Areas whose nearest-station distance changed by more than the
    /// threshold (or that got or lost every qualifying station).
    pub distance_changed: Vec<AreaChange>,
}

/// The outcome in numbers.
#[derive(Debug, Clone, Serialize)]
pub struct DiffSummary {
    /// The claim held under the earlier snapshot.
    pub claim_holds_before: bool,
    /// The claim holds under the later snapshot.
    pub claim_holds_after: bool,
    /// Areas in all.
    pub areas_total: usize,
    /// Areas covered before.
    pub areas_covered_before: usize,
    /// Areas covered after.
    pub areas_covered_after: usize,
    /// Areas that lost coverage.
    pub coverage_lost: usize,
    /// Areas that gained coverage.
    pub coverage_gained: usize,
    /// Areas whose nearest-station distance changed beyond the threshold.
    pub distance_changed: usize,
}

/// The three layers as read.
#[derive(Debug, Clone, Serialize)]
pub struct DiffInputs {
    /// The areas.
    pub areas: LayerInfo,
    /// The earlier snapshot.
    pub old: LayerInfo,
    /// The later snapshot.
    pub new: LayerInfo,
}

/// The thresholds used.
#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    /// Stations without ids match within this (m).
    pub match_m: f64,
    /// A matched station moved beyond this (m).
    pub moved_m: f64,
    /// Area distance changes beyond this (m) are reported.
    pub distance_change_m: f64,
}

/// The outcome of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// `chargecov`.
    pub tool: &'static str,
    /// The version that compared.
    pub version: &'static str,
    /// The layers as read.
    pub inputs: DiffInputs,
    /// The rule both were judged by.
    pub rule: RuleReport,
    /// The thresholds used.
    pub thresholds: Thresholds,
    /// The outcome in numbers.
    pub summary: DiffSummary,
    /// Station changes.
    pub stations: StationChanges,
    /// Area changes.
    pub areas: AreaChanges,
    /// The files compared, with their SHA-256: set by whoever writes the
    /// JSON report (the command line always does), `null` otherwise.
    pub provenance: Option<DiffProvenance>,
}

/// What a diff was computed from (see [`crate::check::report::Provenance`]).
#[derive(Debug, Clone, Serialize)]
pub struct DiffProvenance {
    /// chargecov's version.
    pub chargecov: &'static str,
    /// The claim both snapshots were judged by, in words.
    pub claim: String,
    /// The area layer's files.
    pub areas: Vec<FileDigest>,
    /// The earlier snapshot's files.
    pub old: Vec<FileDigest>,
    /// The later snapshot's files.
    pub new: Vec<FileDigest>,
}

impl DiffProvenance {
    /// Hashes the files behind the three layers of `config`.
    pub fn of(config: &DiffConfig) -> Result<Self> {
        Ok(DiffProvenance {
            chargecov: env!("CARGO_PKG_VERSION"),
            claim: config.rule.describe(),
            areas: digests(&config.areas)?,
            old: digests(&config.old)?,
            new: digests(&config.new)?,
        })
    }
}

/// The diff and both runs (for writing the changed areas' geometry).
pub struct Diff {
    /// The report.
    pub report: DiffReport,
    /// The check under the later snapshot (for the changed areas' geometry).
    pub after: CheckRun,
}

fn check_threshold(setting: Setting, v: f64) -> Result<()> {
    setting.require(v, |v| v >= 0.0, "a number ≥ 0")
}

/// Compares two snapshots.
pub fn run_diff(config: &DiffConfig, progress: &dyn Progress) -> Result<Diff> {
    config.rule.check()?;
    check_threshold(Setting::MatchM, config.match_m)?;
    check_threshold(Setting::MovedM, config.moved_m)?;
    check_threshold(Setting::DistanceChangeM, config.distance_change_m)?;
    progress.start("reading areas", None);
    let areas = load_areas(
        &config.areas,
        &config.area_fields,
        false,
        config.areas_crs.as_ref(),
        &config.areas_read,
    )?;
    progress.finish();
    // A snapshot with no stations is a real state (a feed emptied, a
    // region not yet built): every area loses (or gains) what it had.
    let snapshot = |source: &Source| match load_stations(
        source,
        &config.station_fields,
        false,
        config.stations_crs.as_ref(),
        &config.stations_read,
    ) {
        Err(Error::EmptyLayer {
            format,
            layer: Layer::Stations,
            ..
        }) => Ok(StationLayer::empty(
            source.to_string(),
            format,
            crate::crs::Crs::Wgs84.to_string(),
        )),
        other => other,
    };
    progress.start("reading the old snapshot", None);
    let old = snapshot(&config.old)?;
    progress.finish();
    progress.start("reading the new snapshot", None);
    let new = snapshot(&config.new)?;
    progress.finish();
    for (layer, source) in [(&old, &config.old), (&new, &config.new)] {
        require_power(
            &config.rule,
            layer,
            source,
            &config.stations_read,
            &config.station_fields,
        )?;
    }

    progress.start("matching stations", None);
    let stations = match_stations(&old, &new, config.match_m, config.moved_m);
    progress.finish();

    let before = assess_layers(areas.clone(), old, config.rule, progress);
    let after = assess_layers(areas, new, config.rule, progress);
    let report_before = Report::new(&before, false);
    let report_after = Report::new(&after, false);
    let areas = area_changes(&report_before, &report_after, config.distance_change_m);

    let summary = DiffSummary {
        claim_holds_before: report_before.summary.claim_holds,
        claim_holds_after: report_after.summary.claim_holds,
        areas_total: report_after.summary.areas_total,
        areas_covered_before: report_before.summary.areas_covered,
        areas_covered_after: report_after.summary.areas_covered,
        coverage_lost: areas.lost.len(),
        coverage_gained: areas.gained.len(),
        distance_changed: areas.distance_changed.len(),
    };
    let report = DiffReport {
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        inputs: DiffInputs {
            areas: after.areas.info.clone(),
            old: before.stations.info.clone(),
            new: after.stations.info.clone(),
        },
        rule: report_after.rule.clone(),
        thresholds: Thresholds {
            match_m: config.match_m,
            moved_m: config.moved_m,
            distance_change_m: config.distance_change_m,
        },
        summary,
        stations,
        areas,
        provenance: None,
    };
    Ok(Diff { report, after })
}

fn station_ref(s: &Station) -> StationRef {
    StationRef {
        index: s.index as usize,
        id: s.id.as_deref().map(str::to_owned),
        lon: round_deg(s.location.x),
        lat: round_deg(s.location.y),
        power_kw: s.power_kw(),
    }
}

fn point(c: Coord<f64>) -> Point {
    Point {
        lon: round_deg(c.x),
        lat: round_deg(c.y),
    }
}

fn same_power(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

/// Pairs stations of two snapshots: by id (the k-th occurrence of an id
/// with the k-th), then stations without an id by place (closest pairs
/// first, within `match_m`).
fn pair_stations(old: &[Station], new: &[Station], match_m: f64) -> Vec<(usize, usize)> {
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, s) in new.iter().enumerate() {
        if let Some(id) = s.id.as_deref() {
            by_id.entry(id).or_default().push(k);
        }
    }
    for list in by_id.values_mut() {
        list.reverse(); // pop() then yields occurrences in file order
    }
    let mut pairs = Vec::new();
    for (k, s) in old.iter().enumerate() {
        if let Some(id) = s.id.as_deref()
            && let Some(j) = by_id.get_mut(id).and_then(Vec::pop)
        {
            pairs.push((k, j));
        }
    }
    // Without ids: by place, closest first (see `pairing`).
    let free = |layer: &[Station]| -> Vec<(usize, Coord<f64>)> {
        (layer.iter().enumerate())
            .filter(|(_, s)| s.id.is_none())
            .map(|(k, s)| (k, s.location))
            .collect()
    };
    pairs.extend(pairing::pair_by_place(&free(old), &free(new), match_m));
    pairs.sort_unstable();
    pairs
}

fn match_stations(
    old: &StationLayer,
    new: &StationLayer,
    match_m: f64,
    moved_m: f64,
) -> StationChanges {
    let (o, n) = (&old.stations, &new.stations);
    let pairs = pair_stations(o, n, match_m);
    let mut old_matched = vec![false; o.len()];
    let mut new_matched = vec![false; n.len()];
    let mut moved = Vec::new();
    let mut power_changed = Vec::new();
    for &(k, j) in &pairs {
        old_matched[k] = true;
        new_matched[j] = true;
        let (a, b) = (&o[k], &n[j]);
        let d = distance_m(a.location, b.location);
        let change = || Changed {
            id: b.id.as_deref().or(a.id.as_deref()).map(str::to_owned),
            old_index: a.index as usize,
            new_index: b.index as usize,
            from: point(a.location),
            to: point(b.location),
            distance_m: round_m(d),
            old_power_kw: a.power_kw(),
            new_power_kw: b.power_kw(),
        };
        if d > moved_m {
            moved.push(change());
        }
        if !same_power(a.power_kw(), b.power_kw()) {
            power_changed.push(change());
        }
    }
    let removed: Vec<StationRef> = (0..o.len())
        .filter(|&k| !old_matched[k])
        .map(|k| station_ref(&o[k]))
        .collect();
    let added: Vec<StationRef> = (0..n.len())
        .filter(|&j| !new_matched[j])
        .map(|j| station_ref(&n[j]))
        .collect();
    StationChanges {
        old_total: o.len(),
        new_total: n.len(),
        matched: pairs.len(),
        added: Listed::from_all(added),
        removed: Listed::from_all(removed),
        moved: Listed::from_all(moved),
        power_changed: Listed::from_all(power_changed),
    }
}

fn area_changes(before: &Report, after: &Report, threshold_m: f64) -> AreaChanges {
    let mut changes = AreaChanges {
        lost: Vec::new(),
        gained: Vec::new(),
        distance_changed: Vec::new(),
    };
    for (b, a) in before.areas.iter().zip(&after.areas) {
        let change = change(b, a);
        let moved_far = match change.distance_change_m {
            Some(d) => d.abs() > threshold_m,
            None => {
                change.nearest_distance_m_before.is_some()
                    != change.nearest_distance_m_after.is_some()
            }
        };
        if b.covered && !a.covered {
            changes.lost.push(change.clone());
        }
        if !b.covered && a.covered {
            changes.gained.push(change.clone());
        }
        if moved_far {
            changes.distance_changed.push(change);
        }
    }
    changes
}

fn change(b: &AreaReport, a: &AreaReport) -> AreaChange {
    AreaChange {
        id: a.id.clone(),
        name: a.name.clone(),
        group: a.group.clone(),
        feature_index: a.feature_index,
        covered_before: b.covered,
        covered_after: a.covered,
        qualifying_inside_before: b.qualifying_inside,
        qualifying_inside_after: a.qualifying_inside,
        nearest_station_before: b.nearest_station_id.clone(),
        nearest_station_after: a.nearest_station_id.clone(),
        nearest_distance_m_before: b.nearest_distance_m,
        nearest_distance_m_after: a.nearest_distance_m,
        distance_change_m: match (b.nearest_distance_m, a.nearest_distance_m) {
            (Some(x), Some(y)) => Some(round_m(y - x)),
            _ => None,
        },
    }
}
