//! Corridor checks: "a qualifying site at most S km apart along the
//! motorway", judged on a road network.
//!
//! read the network ([`network`]) → merge its lines into continuous paths
//! per route and direction ([`paths`]) → place the qualifying sites (pools
//! of the claims layer) on the paths ([`snap`]) → the gaps between them
//! and the sites that would close them ([`gaps`]), joined across junctions
//! ([`joined`]) → the distance along the network from every point to the
//! nearest site ([`reach`]) → the verdict
//! per path, per route and direction, and over all.

pub mod gaps;
pub mod joined;
pub mod network;
pub mod paths;
pub mod reach;
pub mod report;
pub mod snap;

use geo::Coord;

use crate::crs::Crs;
use crate::error::{Result, Setting};
use crate::fields::StationFieldSpecs;
use crate::input::{self, ReadOptions, Source};
use crate::model::StationLayer;
use crate::normalise::load_stations;
use crate::pools::PoolBy;
use crate::prepare::{StationSource, prepare_stations};
use crate::progress::Progress;
use crate::rules::{MIN_SPACING_KM, Rule};

pub use gaps::{Gap, GapKind};
pub use network::{Network, NetworkSpec, Oneway};
pub use paths::{Direction, Path, PathEnd};
pub use reach::Reach;
pub use snap::Snap;

/// The offset (km) within which a site counts as on the road when neither
/// the claim nor the user says: a service area's chargers, or a station
/// by an exit, lie within a few hundred metres to a couple of km of the
/// carriageway.
pub const DEFAULT_MAX_OFFSET_KM: f64 = 3.0;

/// What a corridor check reads and asks.
#[derive(Debug, Clone)]
pub struct CorridorConfig {
    /// The road network.
    pub network: Source,
    /// How to read the network file.
    pub network_read: ReadOptions,
    /// The network's CRS, overriding the file's.
    pub network_crs: Option<Crs>,
    /// Routes and one-way lines.
    pub network_spec: NetworkSpec,
    /// The stations.
    pub stations: Source,
    /// How to read the station file.
    pub stations_read: ReadOptions,
    /// The stations' CRS, overriding the file's.
    pub stations_crs: Option<Crs>,
    /// Which station properties to read.
    pub station_fields: StationFieldSpecs,
    /// What qualifies a site.
    pub rule: Rule,
    /// How records form sites (pools).
    pub pool_by: Option<PoolBy>,
    /// Qualifying sites at most this far apart along a path, km.
    pub spacing_km: f64,
    /// A site counts for a path within this geodesic distance of it, km.
    pub max_offset_km: f64,
    /// Drop unusable features with a warning.
    pub skip_invalid: bool,
}

/// A new site that would close a gap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggested {
    /// The path (index into the paths).
    pub path: u32,
    /// Chainage, metres.
    pub chainage_m: f64,
    /// Where.
    pub at: Coord<f64>,
}

/// A corridor check's results.
#[derive(Debug, Clone)]
pub struct CorridorRun {
    /// The network as read.
    pub network: Network,
    /// Its continuous paths.
    pub paths: Vec<Path>,
    /// The stations (sites, after pooling).
    pub stations: StationLayer,
    /// Per station: qualifies under the rule.
    pub qualifies: Vec<bool>,
    /// Qualifying sites placed on paths (`site` indexes the stations).
    pub snaps: Vec<Snap>,
    /// Every gap of every path, by path and chainage.
    pub gaps: Vec<Gap>,
    /// Per path: its longest gap, metres.
    pub max_gap_m: Vec<f64>,
    /// Per one-way path: its longest gap joined across the route's
    /// junctions ([`joined`]), metres.
    pub joined_gap_m: Vec<Option<f64>>,
    /// New sites that would close every gap longer than the spacing.
    pub suggested: Vec<Suggested>,
    /// The network view.
    pub reach: Reach,
    /// Per path: a qualifying site can be reached from it along the roads
    /// (one that reaches none fails, however short: no gap of it ends).
    pub reached: Vec<bool>,
    /// Qualifying sites within the offset of no path, and the least
    /// distance of any of them to a path (when it was measured).
    pub off_road: usize,
    /// The spacing, metres.
    pub spacing_m: f64,
    /// The offset, metres.
    pub max_offset_m: f64,
}

impl CorridorRun {
    /// Path `p`'s longest gap as judged: joined across its route's
    /// junctions where that is measured (never shorter than its own).
    pub fn judged_gap_m(&self, p: usize) -> f64 {
        self.joined_gap_m[p].map_or(self.max_gap_m[p], |j| j.max(self.max_gap_m[p]))
    }

    /// Whether path `p` reaches a site along the roads and has no gap
    /// longer than the spacing, joined across junctions.
    pub fn path_holds(&self, p: usize) -> bool {
        self.reached[p] && self.judged_gap_m(p) <= self.spacing_m + gaps::TOLERANCE_M
    }

    /// The paths that reach no qualifying site along the roads, and their
    /// length, metres.
    pub fn unreached_paths(&self) -> (usize, f64) {
        (0..self.paths.len())
            .filter(|&p| !self.reached[p])
            .fold((0, 0.0), |(n, m), p| (n + 1, m + self.paths[p].length_m()))
    }

    /// Whether every path holds.
    pub fn holds(&self) -> bool {
        (0..self.paths.len()).all(|p| self.path_holds(p))
    }

    /// The gaps longer than the spacing, by path and chainage.
    pub fn stretches(&self) -> impl Iterator<Item = &Gap> {
        self.gaps
            .iter()
            .filter(|g| g.length_m() > self.spacing_m + gaps::TOLERANCE_M)
    }
}

fn check_settings(config: &CorridorConfig) -> Result<()> {
    config.rule.check()?;
    Setting::SpacingKm.require(
        config.spacing_km,
        |km| (MIN_SPACING_KM..=10_000.0).contains(&km),
        "a distance of at least 0.1 and at most 10,000 km",
    )?;
    Setting::MaxOffsetKm.require(
        config.max_offset_km,
        |km| km > 0.0 && km <= 100.0,
        "a distance of more than 0 and at most 100 km",
    )?;
    Setting::SnapM.require(
        config.network_spec.snap_m,
        |m| (0.0..=100.0).contains(&m),
        "metres ≥ 0 and at most 100",
    )
}

/// Runs the whole corridor check.
pub fn run_corridor(config: &CorridorConfig, progress: &dyn Progress) -> Result<CorridorRun> {
    check_settings(config)?;
    progress.start("reading the network and the stations", None);
    let (network, stations) = rayon::join(
        || -> Result<Network> {
            let input = config.network.open_with(&config.network_read)?;
            let raw = input::read_features(&input)?;
            network::build(
                raw,
                &input.name(),
                &config.network_spec,
                config.skip_invalid,
                config.network_crs.as_ref(),
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
    let (network, stations) = (network?, stations?);
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
    progress.start("merging lines into paths", None);
    let paths = paths::merge(&network);
    progress.finish();

    progress.start("placing sites on the roads", None);
    let qualifies: Vec<bool> = stations
        .stations
        .iter()
        .map(|s| config.rule.qualifies(s))
        .collect();
    let sites: Vec<u32> = (0..stations.stations.len() as u32)
        .filter(|&i| qualifies[i as usize])
        .collect();
    let locations: Vec<Coord<f64>> = sites
        .iter()
        .map(|&i| stations.stations[i as usize].location)
        .collect();
    let spacing_m = config.spacing_km * 1000.0;
    let max_offset_m = config.max_offset_km * 1000.0;
    let mut snaps = snap::snap(&paths, &locations, max_offset_m);
    for s in &mut snaps {
        s.site = sites[s.site as usize];
    }
    let mut snapped = vec![false; stations.stations.len()];
    for s in &snaps {
        snapped[s.site as usize] = true;
    }
    let off_road = sites.iter().filter(|&&i| !snapped[i as usize]).count();
    progress.finish();

    progress.start("measuring gaps", None);
    let mut all_gaps = Vec::new();
    let mut max_gap_m = Vec::with_capacity(paths.len());
    let mut suggested = Vec::new();
    let mut k = 0;
    for (p, path) in paths.iter().enumerate() {
        let begin = k;
        while k < snaps.len() && snaps[k].path as usize == p {
            k += 1;
        }
        let chainages: Vec<f64> = snaps[begin..k].iter().map(|s| s.chainage_m).collect();
        // A closed loop has no start: its last gap runs on into its first.
        let around = path.ends.0 == PathEnd::Loop;
        let g = if around {
            gaps::gaps_around(p as u32, path.length_m(), &chainages)
        } else {
            gaps::gaps(p as u32, path.length_m(), &chainages)
        };
        max_gap_m.push(g.iter().map(Gap::length_m).fold(0.0, f64::max));
        all_gaps.extend(g);
        let new_sites = if around {
            gaps::close_around(path.length_m(), &chainages, spacing_m)
        } else {
            gaps::close(path.length_m(), &chainages, spacing_m)
        };
        suggested.extend(new_sites.into_iter().map(|m| Suggested {
            path: p as u32,
            chainage_m: m,
            at: path.point_at(m),
        }));
    }
    let on_lines: Vec<(u32, f64)> = snaps
        .iter()
        .map(|s| paths[s.path as usize].edge_at(s.chainage_m, &network))
        .collect();
    let reach = reach::reach(&network, &on_lines);
    // A path is one run of connected lines: reached through one, through all.
    let reached: Vec<bool> = paths
        .iter()
        .map(|p| p.edges.iter().any(|&(e, _)| reach.edge_reached[e as usize]))
        .collect();
    let joined_gap_m = joined::joined_gaps(&network, &paths, &snaps);
    progress.finish();
    Ok(CorridorRun {
        network,
        paths,
        stations,
        qualifies,
        snaps,
        gaps: all_gaps,
        max_gap_m,
        joined_gap_m,
        suggested,
        reach,
        reached,
        off_road,
        spacing_m,
        max_offset_m,
    })
}
