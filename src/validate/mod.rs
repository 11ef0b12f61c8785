//! `validate`: is a station snapshot sound? Every check runs over the whole
//! layer and lists its offenders by feature index and id, so a CI job can
//! show all that is wrong at once.
//!
//! GeoJSON is streamed: features are checked as they are parsed and only
//! a compact record (position, index, id) is kept per station for the
//! checks across stations (ids, duplicates, areas), so memory grows with
//! the station count, never with the file's size. CSV is read whole.

pub mod checks;
mod duplicates;

use geo::{Coord, MultiPolygon};
use serde::Serialize;

use crate::crs::mismatch;
use crate::crs::{Crs, CrsOrigin, LayerCrs};
use crate::error::{Error, Layer, Result, Setting};
use crate::fields::{AreaFieldSpecs, StationFieldSpecs};
use crate::geodesy::distance_m;
use crate::index::AreaIndex;
use crate::input::ReadOptions;
use crate::input::Source;
use crate::input::raw::{RawPoint, RawStation};
use crate::input::{self, Collect};
use crate::model::AreaLayer;
use crate::normalise::load_areas;
use crate::progress::Progress;

use checks::{CheckId, CheckResult, LISTED_PER_CHECK, Member, Offender, Severity};

/// Everything `validate` needs; built by the CLI from its flags.
#[derive(Debug, Clone)]
pub struct ValidateConfig {
    /// The station layer to validate.
    pub stations: Source,
    /// Areas, for the outside-areas and CRS checks.
    pub areas: Option<Source>,
    /// How to read the stations' properties or columns.
    pub station_fields: StationFieldSpecs,
    /// How to read the areas' properties.
    pub area_fields: AreaFieldSpecs,
    /// Fields every station must have (not null, not empty).
    pub required: Vec<String>,
    /// Powers above this (kW) are implausible.
    pub max_power_kw: f64,
    /// Stations closer than this (m) are near duplicates.
    pub duplicate_m: f64,
    /// Severities set per check (the last for a check wins).
    pub severities: Vec<(CheckId, Severity)>,
    /// The stations' coordinate system (else the file's, else WGS84).
    pub stations_crs: Option<Crs>,
    /// The areas' coordinate system (else the file's, else WGS84).
    pub areas_crs: Option<Crs>,
    /// How to read the stations (text encoding, layer name).
    pub stations_read: ReadOptions,
    /// How to read the areas.
    pub areas_read: ReadOptions,
}

impl ValidateConfig {
    /// A validation of `stations` with the default checks.
    pub fn new(stations: Source) -> Self {
        ValidateConfig {
            stations,
            areas: None,
            station_fields: StationFieldSpecs::default(),
            area_fields: AreaFieldSpecs::default(),
            required: Vec::new(),
            max_power_kw: crate::power::PLAUSIBLE_MAX_KW,
            duplicate_m: 10.0,
            severities: Vec::new(),
            stations_crs: None,
            areas_crs: None,
            stations_read: ReadOptions::default(),
            areas_read: ReadOptions::default(),
        }
    }

    fn severity(&self, id: CheckId) -> Severity {
        let configured = self
            .severities
            .iter()
            .rev()
            .find(|(c, _)| *c == id)
            .map(|&(_, s)| s)
            .unwrap_or(id.default_severity());
        let applicable = match id {
            CheckId::RequiredFields => !self.required.is_empty(),
            CheckId::OutsideAreas | CheckId::CrsMismatch => self.areas.is_some(),
            _ => true,
        };
        if applicable {
            configured
        } else {
            Severity::Off
        }
    }
}

/// The outcome of a validation.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    /// `chargecov`.
    pub tool: &'static str,
    /// The version that validated.
    pub version: &'static str,
    /// The station layer.
    pub stations: LayerSummary,
    /// The area layer, if given.
    pub areas: Option<LayerSummary>,
    /// Counts of offenders.
    pub summary: Summary,
    /// Every check, in a fixed order.
    pub checks: Vec<CheckResult>,
}

/// A layer as validated.
#[derive(Debug, Clone, Serialize)]
pub struct LayerSummary {
    /// Where it came from.
    pub path: String,
    /// Its format.
    pub format: &'static str,
    /// Records read.
    pub records: usize,
    /// Its coordinate system.
    pub crs: String,
    /// Each `--where` filter and the records it removed (stations only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<crate::model::FilterCount>,
}

/// The outcome in numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// No check of severity `error` found anything.
    pub valid: bool,
    /// Offenders of checks of severity `error` / `warning`.
    pub errors: usize,
    /// See `errors`.
    pub warnings: usize,
}

impl Validation {
    /// The checks of one severity that found something.
    pub fn failed(&self, severity: Severity) -> impl Iterator<Item = &CheckResult> {
        self.checks
            .iter()
            .filter(move |c| c.severity == severity && c.failed())
    }
}

/// A station kept for the checks across stations.
struct Kept {
    index: u32,
    x: f64,
    y: f64,
    /// Into the id arena: (start, len); len u32::MAX for no id.
    id: (u32, u32),
}

/// State built while records stream past.
struct Accumulator<'c> {
    config: &'c ValidateConfig,
    ids: String,
    kept: Vec<Kept>,
    /// (index, id span) of every station with an id, for the uniqueness check.
    id_index: Vec<(u32, (u32, u32))>,
    geometry: CheckResult,
    required: CheckResult,
    power_parsed: CheckResult,
    power_plausible: CheckResult,
    records: usize,
    /// Records each filter removed (not checked).
    removed: Vec<usize>,
    /// Bit i: some record had a value for the feed's capture i.
    captures_seen: u64,
}

const NO_ID: (u32, u32) = (0, u32::MAX);

impl<'c> Accumulator<'c> {
    fn new(config: &'c ValidateConfig) -> Self {
        Accumulator {
            config,
            ids: String::new(),
            kept: Vec::new(),
            id_index: Vec::new(),
            geometry: CheckResult::new(CheckId::Geometry, config.severity(CheckId::Geometry)),
            required: CheckResult::new(
                CheckId::RequiredFields,
                config.severity(CheckId::RequiredFields),
            ),
            power_parsed: CheckResult::new(
                CheckId::PowerParsed,
                config.severity(CheckId::PowerParsed),
            ),
            power_plausible: CheckResult::new(
                CheckId::PowerPlausible,
                config.severity(CheckId::PowerPlausible),
            ),
            records: 0,
            removed: vec![0; config.station_fields.feed.filters().len()],
            captures_seen: 0,
        }
    }

    fn id_text(&self, span: (u32, u32)) -> Option<&str> {
        (span.1 != u32::MAX).then(|| &self.ids[span.0 as usize..(span.0 + span.1) as usize])
    }

    fn record(&mut self, mut raw: RawStation) {
        // Records the filters remove are not checked: only counted.
        let feed = &self.config.station_fields.feed;
        let captured = std::mem::take(&mut raw.captured);
        for (i, v) in captured.iter().enumerate().take(64) {
            if !v.is_null() {
                self.captures_seen |= 1 << i;
            }
        }
        let get = |k: &crate::feed::KeyPattern| {
            crate::feed::Captured::new(feed.captures(), &captured).get(k)
        };
        if let Some(failed) = feed.filters().iter().position(|f| !f.keeps(get)) {
            self.removed[failed] += 1;
            return;
        }
        // Power from the feed's sources: every point is checked.
        let points =
            (!feed.power().is_empty()).then(|| crate::feed::power::points(feed.power(), get));
        self.records += 1;
        let index = raw.index;
        let id_value = raw.id.as_ref().map(|(_, v)| v).or(raw.feature_id.as_ref());
        let id: Option<String> = id_value.and_then(|v| v.to_text().ok().flatten());
        let span = match &id {
            Some(text) => {
                let start = self.ids.len() as u32;
                self.ids.push_str(text);
                let span = (start, text.len() as u32);
                self.id_index.push((index as u32, span));
                span
            }
            None => NO_ID,
        };
        let offender = |message: String| Offender {
            index: Some(index),
            id: id.clone(),
            message,
            members: Vec::new(),
        };
        match raw.geometry {
            RawPoint::Point(x, y) => self.kept.push(Kept {
                index: index as u32,
                x,
                y,
                id: span,
            }),
            RawPoint::Null => self
                .geometry
                .add(offender("geometry is null or missing".into())),
            RawPoint::Empty => self
                .geometry
                .add(offender("Point has no coordinates".into())),
            RawPoint::WrongType(kind) => self.geometry.add(offender(format!(
                "geometry is a {kind}; stations must be Points"
            ))),
            RawPoint::Malformed(why) => self.geometry.add(offender(why)),
        }
        if self.required.ran {
            let missing: Vec<&str> = self
                .config
                .required
                .iter()
                .take(64)
                .enumerate()
                .filter(|(i, _)| raw.present & (1 << i) == 0)
                .map(|(_, name)| name.as_str())
                .collect();
            if !missing.is_empty() {
                self.required
                    .add(offender(format!("missing {}", missing.join(", "))));
            }
        }
        let powers: Vec<f64> = match points {
            Some(points) => {
                for why in points.unreadable {
                    self.power_parsed.add(offender(why));
                }
                points.kw
            }
            None => match raw.power.as_ref().map(|(_, v)| v.to_power_kw()) {
                None => Vec::new(),
                Some(Ok(kw)) => kw.into_iter().collect(),
                Some(Err(why)) => {
                    self.power_parsed.add(offender(why));
                    Vec::new()
                }
            },
        };
        for kw in powers {
            if !(kw > 0.0 && kw <= self.config.max_power_kw) {
                self.power_plausible.add(offender(format!(
                    "power {kw} kW is not in (0, {}] kW",
                    self.config.max_power_kw
                )));
            }
        }
    }
}

/// Records are checked as they arrive, in file order.
impl Collect<Vec<RawStation>> for Accumulator<'_> {
    fn take(&mut self, batch: Vec<RawStation>, _expected: usize) {
        for record in batch {
            self.record(record);
        }
    }
    fn restart(&mut self) {
        *self = Accumulator::new(self.config);
    }
}

/// Runs every check.
pub fn run_validate(config: &ValidateConfig, progress: &dyn Progress) -> Result<Validation> {
    check_settings(config)?;
    let areas = read_areas(config, progress)?;

    progress.start("reading and checking stations", None);
    let input = config.stations.open_with(&config.stations_read)?;
    let name = input.name();
    let specs = StationFieldSpecs {
        required: config.required.clone(),
        ..config.station_fields.clone()
    };
    let mut acc = Accumulator::new(config);
    let meta = input::read_stations(&input, &specs, &|records| records, &mut acc)?;
    let (format, declared_crs) = (meta.format.name(), meta.declared_crs);
    progress.finish();

    let crs = crate::normalise::layer_crs(
        config.stations_crs.as_ref(),
        declared_crs.as_deref(),
        Layer::Stations,
        &name,
    )?;

    progress.start("checking positions", None);
    let (points, geometry) = positions(&mut acc, &crs);
    progress.finish();

    progress.start("checking ids and duplicates", None);
    let unique = unique_ids(&acc, config.severity(CheckId::UniqueIds));
    let (exact_check, near_check) = duplicate_checks(config, &acc, &points);
    progress.finish();

    let checks_against_areas = match &areas {
        Some(layer) => {
            progress.start("checking stations against areas", None);
            let against = against_areas(config, &acc, &points, &crs, layer);
            progress.finish();
            against
        }
        None => AgainstAreas::not_run(config),
    };

    let checks: Vec<CheckResult> = vec![
        geometry,
        acc.required.clone(),
        unique,
        acc.power_parsed.clone(),
        acc.power_plausible.clone(),
        exact_check,
        near_check,
        checks_against_areas.outside,
        checks_against_areas.mismatch,
    ];
    let total = |severity: Severity| -> usize {
        checks
            .iter()
            .filter(|c| c.severity == severity && c.ran)
            .map(|c| c.count)
            .sum()
    };
    let (errors, warnings) = (total(Severity::Error), total(Severity::Warning));
    Ok(Validation {
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        stations: LayerSummary {
            path: name,
            format,
            records: acc.records,
            crs: crs.label(),
            filters: filter_counts(config, &acc),
        },
        areas: areas.as_ref().map(|layer| LayerSummary {
            path: layer.info.path.clone(),
            format: layer.info.format,
            records: layer.info.features_read,
            crs: layer.info.crs.clone(),
            filters: Vec::new(),
        }),
        summary: Summary {
            valid: errors == 0,
            errors,
            warnings,
        },
        checks,
    })
}

/// Refuses impossible settings before any reading.
fn check_settings(config: &ValidateConfig) -> Result<()> {
    Setting::MaxPowerKw.require(config.max_power_kw, |v| v > 0.0, "a number > 0")?;
    // Near duplicates are found in a grid of cells of this size: beyond a
    // few km every station would be a neighbour of every other.
    Setting::DuplicateM.require(
        config.duplicate_m,
        |v| (0.0..=10_000.0).contains(&v),
        "metres ≥ 0 and at most 10,000",
    )?;
    if config.required.len() > 64 {
        return Err(Error::InvalidSetting {
            setting: Setting::Required,
            value: format!("{} fields", config.required.len()),
            expected: "at most 64 fields",
        });
    }
    Ok(())
}

/// The area layer, when one was given.
fn read_areas(config: &ValidateConfig, progress: &dyn Progress) -> Result<Option<AreaLayer>> {
    Ok(match &config.areas {
        Some(source) => {
            progress.start("reading areas", None);
            let layer = load_areas(
                source,
                &config.area_fields,
                false,
                config.areas_crs.as_ref(),
                &config.areas_read,
            )?;
            progress.finish();
            Some(layer)
        }
        None => None,
    })
}

/// Positions in range for the layer's CRS, converted to WGS84; the
/// geometry check holds what reading found and what was out of range.
fn positions(acc: &mut Accumulator<'_>, crs: &LayerCrs) -> (Vec<Point>, CheckResult) {
    let mut range = CheckResult::new(CheckId::Geometry, acc.geometry.severity);
    let mut points: Vec<Point> = Vec::with_capacity(acc.kept.len());
    for k in &acc.kept {
        match crs.position(k.x, k.y) {
            Ok(at) => points.push(Point {
                at,
                index: k.index,
                id: k.id,
            }),
            Err(why) => range.add(Offender {
                index: Some(k.index as usize),
                id: acc.id_text(k.id).map(str::to_owned),
                message: why,
                members: Vec::new(),
            }),
        }
    }
    acc.kept = Vec::new();
    let read = std::mem::replace(
        &mut acc.geometry,
        CheckResult::new(CheckId::Geometry, Severity::Off),
    );
    (points, merge_results(read, range))
}

/// Stations at exactly one position, and stations within
/// `duplicate_m` of each other.
fn duplicate_checks(
    config: &ValidateConfig,
    acc: &Accumulator<'_>,
    points: &[Point],
) -> (CheckResult, CheckResult) {
    let id_of = |span: (u32, u32)| acc.id_text(span).map(str::to_owned);
    let (exact, near) = duplicates::find(points, config.duplicate_m);
    let mut exact_check = CheckResult::new(
        CheckId::ExactDuplicates,
        config.severity(CheckId::ExactDuplicates),
    );
    for cluster in exact {
        let first = &points[cluster[0]];
        exact_check.add(Offender {
            index: Some(first.index as usize),
            id: id_of(first.id),
            message: format!(
                "{} stations at exactly [{}, {}]",
                cluster.len(),
                first.at.x,
                first.at.y
            ),
            members: members(points, &cluster, &id_of),
        });
    }
    let mut near_check = CheckResult::new(
        CheckId::NearDuplicates,
        config.severity(CheckId::NearDuplicates),
    );
    for cluster in near {
        let first = &points[cluster[0]];
        // The farthest pair lies on the cluster's convex hull (a cluster
        // spans metres, where lon/lat is flat to far below the 0.1 m
        // shown); only the hull's few vertices are measured, so a pile of
        // thousands costs no more than a handful.
        let hull = {
            use geo::ConvexHull;
            geo::MultiPoint::from(cluster.iter().map(|&k| points[k].at).collect::<Vec<_>>())
                .convex_hull()
        };
        let corners = &hull.exterior().0;
        let spread = corners
            .iter()
            .flat_map(|&a| corners.iter().map(move |&b| (a, b)))
            .map(|(a, b)| distance_m(a, b))
            .fold(0.0, f64::max);
        near_check.add(Offender {
            index: Some(first.index as usize),
            id: id_of(first.id),
            message: format!(
                "{} stations within {} m of each other (farthest pair {:.1} m apart)",
                cluster.len(),
                config.duplicate_m,
                spread
            ),
            members: members(points, &cluster, &id_of),
        });
    }
    (exact_check, near_check)
}

/// The checks that need the area layer.
struct AgainstAreas {
    /// Stations outside every area.
    outside: CheckResult,
    /// Areas and stations apparently in different coordinate systems.
    mismatch: CheckResult,
}

impl AgainstAreas {
    /// Both checks as set, with nothing found (no area layer was given).
    fn not_run(config: &ValidateConfig) -> Self {
        AgainstAreas {
            outside: CheckResult::new(
                CheckId::OutsideAreas,
                config.severity(CheckId::OutsideAreas),
            ),
            mismatch: CheckResult::new(CheckId::CrsMismatch, config.severity(CheckId::CrsMismatch)),
        }
    }
}

/// Stations outside every area, and a CRS mismatch between the layers.
fn against_areas(
    config: &ValidateConfig,
    acc: &Accumulator<'_>,
    points: &[Point],
    crs: &LayerCrs,
    layer: &AreaLayer,
) -> AgainstAreas {
    let id_of = |span: (u32, u32)| acc.id_text(span).map(str::to_owned);
    let AgainstAreas {
        mut outside,
        mismatch: mut mismatch_check,
    } = AgainstAreas::not_run(config);
    let shapes: Vec<&MultiPolygon<f64>> = layer.areas.iter().map(|a| &a.geometry).collect();
    if outside.ran {
        let index = AreaIndex::new(&shapes);
        for p in points {
            if index.covers(p.at) {
                continue;
            }
            let (d, name) = match index.nearest(p.at) {
                Some((d, i)) => (d, layer.areas[i].id.clone()),
                None => (f64::INFINITY, String::new()),
            };
            outside.add(Offender {
                index: Some(p.index as usize),
                id: id_of(p.id),
                message: format!("outside every area; {d:.0} m from the nearest ({name})"),
                members: Vec::new(),
            });
        }
    }
    let unconfirmed = crs.origin != CrsOrigin::Flag && crs.transformer.is_identity();
    if mismatch_check.ran
        && unconfirmed
        && layer.info.wgs84_unconfirmed
        && let Some(found) = mismatch::suggest(&shapes, points.iter().map(|p| p.at))
    {
        mismatch_check.add(Offender {
            index: None,
            id: None,
            message: found.message(),
            members: Vec::new(),
        });
    }
    AgainstAreas {
        outside,
        mismatch: mismatch_check,
    }
}

/// How many records each filter removed, and the keys it named that no
/// record had.
fn filter_counts(config: &ValidateConfig, acc: &Accumulator<'_>) -> Vec<crate::model::FilterCount> {
    config
        .station_fields
        .feed
        .filters()
        .iter()
        .zip(&acc.removed)
        .map(|(f, &removed)| crate::model::FilterCount {
            filter: f.to_string(),
            removed,
            unseen: crate::normalise::stations::unseen_keys(
                f,
                config.station_fields.feed.captures(),
                acc.captures_seen,
            ),
        })
        .collect()
}

/// A station with a usable position, in WGS84.
#[derive(Clone)]
pub(crate) struct Point {
    pub at: Coord<f64>,
    pub index: u32,
    pub id: (u32, u32),
}

fn members(
    points: &[Point],
    cluster: &[usize],
    id_of: &dyn Fn((u32, u32)) -> Option<String>,
) -> Vec<Member> {
    cluster
        .iter()
        .map(|&k| Member {
            index: points[k].index as usize,
            id: id_of(points[k].id),
        })
        .collect()
}

/// Two results of one check, each listed in index order, as one.
fn merge_results(a: CheckResult, b: CheckResult) -> CheckResult {
    let mut listed: Vec<Offender> = a.listed.into_iter().chain(b.listed).collect();
    listed.sort_by_key(|o| o.index);
    listed.truncate(LISTED_PER_CHECK);
    CheckResult {
        count: a.count + b.count,
        listed,
        ..a
    }
}

/// Stations whose id an earlier station already has.
fn unique_ids(acc: &Accumulator<'_>, severity: Severity) -> CheckResult {
    let mut result = CheckResult::new(CheckId::UniqueIds, severity);
    if !result.ran {
        return result;
    }
    let mut order: Vec<usize> = (0..acc.id_index.len()).collect();
    let text = |k: usize| acc.id_text(acc.id_index[k].1).unwrap_or("");
    order.sort_by(|&a, &b| {
        text(a)
            .cmp(text(b))
            .then(acc.id_index[a].0.cmp(&acc.id_index[b].0))
    });
    let mut repeats: Vec<(u32, u32, usize)> = Vec::new();
    let mut k = 0;
    while k < order.len() {
        let mut end = k + 1;
        while end < order.len() && text(order[end]) == text(order[k]) {
            end += 1;
        }
        let first = acc.id_index[order[k]].0;
        for &later in &order[k + 1..end] {
            repeats.push((acc.id_index[later].0, first, later));
        }
        k = end;
    }
    repeats.sort_unstable();
    for (index, first, k) in repeats {
        result.add(Offender {
            index: Some(index as usize),
            id: Some(text(k).to_owned()),
            message: format!("id {:?} is also used by feature {first}", text(k)),
            members: Vec::new(),
        });
    }
    result
}
