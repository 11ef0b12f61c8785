//! The JSON report of a corridor check (its schema is in the README):
//! plain data made from a [`CorridorRun`], rounded to the metre and to
//! 1e-7°, in a stable order (routes by name, then direction; paths as
//! merged; stretches by path and chainage).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::corridor::network::NetworkInfo;
use crate::corridor::{CorridorRun, Direction, GapKind, PathEnd};
use crate::input::digest::{FileDigest, digests};
use crate::model::LayerInfo;
use crate::reporting::{ListedWarning, Tool, round_deg};
use crate::rules::Rule;

/// Metres to kilometres, to the metre.
pub fn km3(m: f64) -> f64 {
    (m / 1000.0 * 1000.0).round() / 1000.0
}

/// A position as `[lon, lat]`.
fn position(c: geo::Coord<f64>) -> [f64; 2] {
    [round_deg(c.x), round_deg(c.y)]
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct CorridorReport {
    /// The tool that made it.
    pub tool: Tool,
    /// The rule and the claim.
    pub rule: CorridorRule,
    /// The layers as read.
    pub inputs: CorridorInputs,
    /// The answer.
    pub summary: CorridorSummary,
    /// Per route and direction.
    pub routes: Vec<RouteReport>,
    /// Per continuous path.
    pub paths: Vec<PathReport>,
    /// The gaps longer than the spacing.
    pub stretches: Vec<StretchReport>,
    /// New sites that would close them (with `--suggest`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested: Option<Vec<SuggestedReport>>,
    /// Things the reader should know.
    pub notes: Vec<String>,
    /// Features skipped or read with a problem.
    pub warnings: Vec<ListedWarning>,
    /// Inputs' digests and the claim's origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<CorridorProvenance>,
}

/// What a corridor verdict was computed from (as a check's
/// [`Provenance`](crate::check::report::Provenance), with the network for the
/// areas).
#[derive(Debug, Clone, Serialize)]
pub struct CorridorProvenance {
    /// chargecov's version.
    pub chargecov: &'static str,
    /// The rule, in words.
    pub claim: String,
    /// The named claim: name, version, origin and SHA-256 of its text.
    pub claim_source: Option<crate::rules::claims::ClaimRef>,
    /// The network's files.
    pub network: Vec<FileDigest>,
    /// The station layer's files.
    pub stations: Vec<FileDigest>,
}

impl CorridorProvenance {
    /// Hashes the files behind `network` and `stations`.
    pub fn of(
        network: &crate::input::Source,
        stations: &crate::input::Source,
        rule: &Rule,
        claim_source: Option<crate::rules::claims::ClaimRef>,
    ) -> crate::error::Result<Self> {
        let (n, s) = rayon::join(|| digests(network), || digests(stations));
        Ok(CorridorProvenance {
            chargecov: env!("CARGO_PKG_VERSION"),
            claim: rule.describe_site(),
            claim_source,
            network: n?,
            stations: s?,
        })
    }
}

/// The rule as reported.
#[derive(Debug, Clone, Serialize)]
pub struct CorridorRule {
    /// The named claim judged, as `name (version N)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// What qualifies a site, in words.
    pub description: String,
    /// Per-point power, kW.
    pub min_power_kw: f64,
    /// Points of that power per site.
    pub min_points: u32,
    /// Total power per site, kW.
    pub min_pool_kw: f64,
    /// Qualifying sites at most this far apart, km.
    pub spacing_km: f64,
    /// A site counts for a road within this distance of it, km.
    pub max_offset_km: f64,
}

/// Both layers.
#[derive(Debug, Clone, Serialize)]
pub struct CorridorInputs {
    /// The roads.
    pub network: NetworkInfo,
    /// The stations.
    pub stations: LayerInfo,
}

/// The answer in figures.
#[derive(Debug, Clone, Serialize)]
pub struct CorridorSummary {
    /// No path has a gap longer than the spacing.
    pub claim_holds: bool,
    /// Routes.
    pub routes: usize,
    /// Route–direction pairs.
    pub route_directions: usize,
    /// Continuous paths.
    pub paths: usize,
    /// Length of all paths, km (a line in two routes counts twice).
    pub length_km: f64,
    /// Sites (pools) that qualify.
    pub qualifying_sites: usize,
    /// Of those, within the offset of some path.
    pub sites_on_roads: usize,
    /// The longest gap of any path, joined across junctions, km.
    pub max_gap_km: f64,
    /// Gaps longer than the spacing.
    pub stretches: usize,
    /// Their length, km.
    pub stretch_km: f64,
    /// Network view: the farthest any road point is from a site along
    /// the roads, km; `null` when no site is on any road.
    pub network_max_km: Option<f64>,
    /// Network view: road length that reaches no site, km.
    pub unreached_km: f64,
    /// Paths from which no qualifying site can be reached along the
    /// roads: each fails the claim, however short.
    pub unreached_paths: usize,
    /// Their length, km.
    pub unreached_path_km: f64,
    /// New sites that would close every stretch.
    pub sites_to_close: usize,
}

/// Counts of path ends by cause.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EndCounts {
    /// The road goes no further.
    pub end: usize,
    /// A branch or merge.
    pub junction: usize,
    /// Closed loops (paths).
    pub r#loop: usize,
}

/// One route in one direction.
#[derive(Debug, Clone, Serialize)]
pub struct RouteReport {
    /// The route's name.
    pub route: String,
    /// The direction.
    pub direction: Direction,
    /// Continuous paths.
    pub paths: usize,
    /// Why they start and end (each path counted at both ends).
    pub path_ends: EndCounts,
    /// Their length, km.
    pub length_km: f64,
    /// Distinct qualifying sites placed on them.
    pub sites: usize,
    /// The longest gap, joined across the route's junctions, km.
    pub max_gap_km: f64,
    /// Gaps longer than the spacing (of paths alone).
    pub stretches: usize,
    /// Network view for the route (both directions), km.
    pub network_max_km: Option<f64>,
    /// Network view: road of the route reaching no site, km.
    pub unreached_km: f64,
    /// No gap longer than the spacing.
    pub holds: bool,
}

/// One continuous path.
#[derive(Debug, Clone, Serialize)]
pub struct PathReport {
    /// Its number (its place in `paths`).
    pub path: usize,
    /// Its route.
    pub route: String,
    /// Its direction.
    pub direction: Direction,
    /// Length, km.
    pub length_km: f64,
    /// Qualifying sites on it.
    pub sites: usize,
    /// Longest gap on the path alone, km.
    pub max_gap_km: f64,
    /// One-way paths: the longest distance from a point of the path to the
    /// next site or road end ahead along the route, across its junctions
    /// (≥ `max_gap_km`), km.
    pub joined_gap_km: Option<f64>,
    /// No gap longer than the spacing, joined across junctions.
    pub holds: bool,
    /// Why it starts where it does.
    pub starts_at: PathEnd,
    /// Why it ends where it does.
    pub ends_at: PathEnd,
    /// First position.
    pub start: [f64; 2],
    /// Last position.
    pub end: [f64; 2],
}

/// A gap longer than the spacing.
#[derive(Debug, Clone, Serialize)]
pub struct StretchReport {
    /// The path.
    pub path: usize,
    /// Its route.
    pub route: String,
    /// Its direction.
    pub direction: Direction,
    /// Chainage where it starts, km.
    pub start_km: f64,
    /// Chainage where it ends, km.
    pub end_km: f64,
    /// Its length, km.
    pub gap_km: f64,
    /// Where on the path.
    pub kind: GapKind,
}

/// A suggested new site.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestedReport {
    /// Its rank (1 first), by route, direction and chainage.
    pub rank: usize,
    /// The path.
    pub path: usize,
    /// Its route.
    pub route: String,
    /// Its direction.
    pub direction: Direction,
    /// Chainage, km.
    pub km: f64,
    /// Where.
    pub at: [f64; 2],
}

impl CorridorReport {
    /// The report of `run`; `rule` qualified the sites, `claim` names it.
    pub fn new(
        run: &CorridorRun,
        rule: &Rule,
        claim: Option<String>,
        with_suggestions: bool,
    ) -> CorridorReport {
        let paths = path_reports(run);
        let routes = route_reports(run);
        let stretches = stretch_reports(run);
        let suggested = with_suggestions.then(|| suggested_reports(run));
        let qualifying = run.qualifies.iter().filter(|q| **q).count();
        let notes = notes(run, rule, qualifying);
        CorridorReport {
            tool: Tool::THIS,
            rule: CorridorRule {
                claim,
                description: rule.describe_site(),
                min_power_kw: rule.min_power_kw,
                min_points: rule.min_points,
                min_pool_kw: rule.min_pool_kw,
                spacing_km: run.spacing_m / 1000.0,
                max_offset_km: run.max_offset_m / 1000.0,
            },
            inputs: CorridorInputs {
                network: run.network.info.clone(),
                stations: run.stations.info.clone(),
            },
            summary: CorridorSummary {
                claim_holds: run.holds(),
                routes: run.network.routes.len(),
                route_directions: routes.len(),
                paths: run.paths.len(),
                length_km: km3(run.paths.iter().map(|p| p.length_m()).sum()),
                qualifying_sites: qualifying,
                sites_on_roads: qualifying - run.off_road,
                max_gap_km: km3((0..run.paths.len())
                    .map(|p| run.judged_gap_m(p))
                    .fold(0.0, f64::max)),
                stretches: stretches.len(),
                stretch_km: km3(run.stretches().map(|g| g.length_m()).sum()),
                network_max_km: run.reach.overall.map(|f| km3(f.distance_m)),
                unreached_km: km3(run.reach.overall_unreached_m),
                unreached_paths: run.unreached_paths().0,
                unreached_path_km: km3(run.unreached_paths().1),
                sites_to_close: run.suggested.len(),
            },
            routes,
            paths,
            stretches,
            suggested,
            notes,
            warnings: run
                .network
                .warnings
                .iter()
                .map(|w| ("network", w))
                .chain(run.stations.warnings.iter().map(|w| ("stations", w)))
                .map(|(layer, issue)| ListedWarning {
                    layer,
                    issue: issue.clone(),
                })
                .collect(),
            provenance: None,
        }
    }
}

/// Each path with its sites, its gaps and its verdict.
fn path_reports(run: &CorridorRun) -> Vec<PathReport> {
    let route_name = |p: usize| run.network.routes[run.paths[p].route as usize].clone();
    let mut sites_on_path = vec![0usize; run.paths.len()];
    for s in &run.snaps {
        sites_on_path[s.path as usize] += 1;
    }
    run.paths
        .iter()
        .enumerate()
        .map(|(p, path)| PathReport {
            path: p,
            route: route_name(p),
            direction: path.direction,
            length_km: km3(path.length_m()),
            sites: sites_on_path[p],
            max_gap_km: km3(run.max_gap_m[p]),
            joined_gap_km: run.joined_gap_m[p].map(km3),
            holds: run.path_holds(p),
            starts_at: path.ends.0,
            ends_at: path.ends.1,
            start: position(path.coords[0]),
            end: position(path.coords[path.coords.len() - 1]),
        })
        .collect()
}

/// Each route by direction: its paths, where they end, and its verdict.
fn route_reports(run: &CorridorRun) -> Vec<RouteReport> {
    // Routes by name, then direction.
    let mut groups: BTreeMap<(u32, Direction), Vec<usize>> = BTreeMap::new();
    for (p, path) in run.paths.iter().enumerate() {
        groups
            .entry((path.route, path.direction))
            .or_default()
            .push(p);
    }
    // Per path, counted in one pass (not a pass over every gap per path).
    let mut stretches_on = vec![0usize; run.paths.len()];
    for g in run.stretches() {
        stretches_on[g.path as usize] += 1;
    }
    groups
        .iter()
        .map(|(&(r, direction), members)| {
            let mut ends = EndCounts::default();
            for &p in members {
                let (a, b) = run.paths[p].ends;
                for e in [a, b] {
                    match e {
                        PathEnd::End => ends.end += 1,
                        PathEnd::Junction => ends.junction += 1,
                        PathEnd::Loop => {}
                    }
                }
                if a == PathEnd::Loop {
                    ends.r#loop += 1;
                }
            }
            RouteReport {
                route: run.network.routes[r as usize].clone(),
                direction,
                paths: members.len(),
                path_ends: ends,
                length_km: km3(members.iter().map(|&p| run.paths[p].length_m()).sum()),
                sites: {
                    // Snaps are sorted by path: each member's are one run.
                    let mut here: Vec<u32> = members
                        .iter()
                        .flat_map(|&p| {
                            let from = run.snaps.partition_point(|s| (s.path as usize) < p);
                            let to = run.snaps.partition_point(|s| (s.path as usize) <= p);
                            run.snaps[from..to].iter().map(|s| s.site)
                        })
                        .collect();
                    here.sort_unstable();
                    here.dedup();
                    here.len()
                },
                max_gap_km: km3(members
                    .iter()
                    .map(|&p| run.judged_gap_m(p))
                    .fold(0.0, f64::max)),
                stretches: members.iter().map(|&p| stretches_on[p]).sum(),
                network_max_km: run.reach.routes[r as usize].map(|f| km3(f.distance_m)),
                unreached_km: km3(run.reach.unreached_m[r as usize]),
                holds: members.iter().all(|&p| run.path_holds(p)),
            }
        })
        .collect()
}

/// Each stretch longer than the spacing.
fn stretch_reports(run: &CorridorRun) -> Vec<StretchReport> {
    let route_name = |p: usize| run.network.routes[run.paths[p].route as usize].clone();
    run.stretches()
        .map(|g| StretchReport {
            path: g.path as usize,
            route: route_name(g.path as usize),
            direction: run.paths[g.path as usize].direction,
            start_km: km3(g.from_m),
            end_km: km3(g.to_m),
            gap_km: km3(g.length_m()),
            kind: g.kind,
        })
        .collect()
}

/// The suggested sites, ranked by route, direction, path and chainage.
fn suggested_reports(run: &CorridorRun) -> Vec<SuggestedReport> {
    let route_name = |p: usize| run.network.routes[run.paths[p].route as usize].clone();
    let mut order: Vec<usize> = (0..run.suggested.len()).collect();
    order.sort_by(|&a, &b| {
        let (sa, sb) = (&run.suggested[a], &run.suggested[b]);
        let (pa, pb) = (&run.paths[sa.path as usize], &run.paths[sb.path as usize]);
        (pa.route, pa.direction, sa.path, sa.chainage_m)
            .partial_cmp(&(pb.route, pb.direction, sb.path, sb.chainage_m))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    order
        .into_iter()
        .enumerate()
        .map(|(k, i)| {
            let s = &run.suggested[i];
            SuggestedReport {
                rank: k + 1,
                path: s.path as usize,
                route: route_name(s.path as usize),
                direction: run.paths[s.path as usize].direction,
                km: km3(s.chainage_m),
                at: position(s.at),
            }
        })
        .collect()
}

/// What a reader should know to read the verdict right.
fn notes(run: &CorridorRun, rule: &Rule, qualifying: usize) -> Vec<String> {
    let mut notes = Vec::new();
    if qualifying == 0 {
        notes.push(format!(
            "no site qualifies (none is {}): every path is one gap",
            rule.describe_site()
        ));
    } else if run.off_road == qualifying {
        notes.push(format!(
            "none of the {qualifying} qualifying sites lies within {} km of a road: every path is one gap; check that the layers cover the same region and CRS, or raise --max-offset-km",
            crate::units::trim_float(run.max_offset_m / 1000.0)
        ));
    }
    let junction_paths = run
        .paths
        .iter()
        .filter(|p| p.ends.0 == PathEnd::Junction || p.ends.1 == PathEnd::Junction)
        .count();
    let across = (0..run.paths.len())
        .filter(|&p| {
            !run.path_holds(p) && run.max_gap_m[p] <= run.spacing_m + super::gaps::TOLERANCE_M
        })
        .count();
    if across > 0 {
        notes.push(format!(
            "{across} path(s) have a gap longer than the spacing only when joined across a junction of their route (paths[].joined_gap_km): not listed as stretches, and --suggest does not close them"
        ));
    }
    if junction_paths > 0 {
        notes.push(format!(
            "{junction_paths} paths start or end at a junction of their route (a branch or merge): gaps are judged joined across it, in the direction of travel, a driver taking the better branch"
        ));
    }
    notes
}
