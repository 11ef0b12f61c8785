//! `suggest`: where new chargers would close the gaps.
//!
//! A check run says which areas are served → the demand is the rest
//! (weight 1 or population) → each candidate site's coverage set is the
//! unserved demand it would serve under the rule ([`coverage`]) → a
//! facility-location model picks sites: the fewest that serve every area
//! (location set covering, LSCP) or `k` that serve the most demand
//! (maximal covering, MCLP), by lazy greedy ([`greedy`]) and, for small
//! instances, exactly (`exact`, a cargo feature) → the sites in the order of their
//! marginal gain, and optionally the check again with them added.

pub mod coverage;
#[cfg(feature = "milp")]
pub mod exact;
pub mod greedy;
pub mod report;

use geo::Coord;

use crate::check::{CheckConfig, assess_layers, run_check};
use crate::check::{CheckRun, SurfaceRequest};
use crate::crs::Crs;
use crate::error::{Error, Layer, Result, Setting};
use crate::fields::StationFieldSpecs;
use crate::input::{ReadOptions, Source};
use crate::issues::{FeatureIssue, IssueCode};
use crate::model::{Station, StationPoints};
use crate::normalise::load_stations;
use crate::progress::Progress;
use crate::rules::Verdict;

pub use coverage::Instance;

/// What a suggested site stands for: one area's demand, served when a
/// site lies within the covering distance of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demand {
    /// The area itself, judged by the claim's rule: a site inside it (or
    /// within the boundary tolerance), or within `--within-km` of it. What
    /// `check` judges, so a solution that serves every area makes the
    /// claim hold.
    Area,
    /// The area's representative point: served by a site within the
    /// covering distance of it (the classic point-demand model).
    Representative,
    /// The area's worst-served point (farthest from every qualifying
    /// station): served by a site within the covering distance of it.
    Worst,
}

impl Demand {
    /// The name used in reports and flags.
    pub fn name(self) -> &'static str {
        match self {
            Demand::Area => "area",
            Demand::Representative => "representative",
            Demand::Worst => "worst",
        }
    }
}

/// Which facility-location model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// The fewest sites that serve every area a candidate can serve (LSCP).
    CoverAll,
    /// This many sites serving the most demand (MCLP).
    MaxCover {
        /// The number of new sites.
        k: usize,
    },
}

/// Limits of the exact solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactLimits {
    /// Give up proving optimality after this many seconds (the best
    /// solution found, never worse than the greedy one, is kept).
    pub time_limit_s: f64,
    /// Solve exactly only when the model has at most this many nonzero
    /// coefficients; larger instances keep the greedy solution.
    pub max_nonzeros: usize,
}

impl Default for ExactLimits {
    fn default() -> Self {
        ExactLimits {
            time_limit_s: 60.0,
            max_nonzeros: 200_000,
        }
    }
}

/// Candidate sites read from a file.
#[derive(Debug, Clone)]
pub struct CandidateFile {
    /// The file.
    pub source: Source,
    /// How to read its fields (ids, `--where` filters).
    pub fields: StationFieldSpecs,
    /// How to read it.
    pub read: ReadOptions,
    /// Its CRS, overriding the file's.
    pub crs: Option<Crs>,
}

/// Everything `suggest` needs.
#[derive(Debug, Clone)]
pub struct SuggestConfig {
    /// The check whose gaps are to be closed (areas, stations, rule,
    /// population).
    pub check: CheckConfig,
    /// LSCP or MCLP.
    pub objective: Objective,
    /// What stands for an area's demand.
    pub demand: Demand,
    /// Candidate sites; `None`: every area's representative and
    /// worst-served points.
    pub candidates: Option<CandidateFile>,
    /// Solve exactly too, within these limits.
    pub exact: Option<ExactLimits>,
    /// Judge the claim again with the suggested sites added.
    pub then_check: bool,
}

/// Where a candidate site came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// The representative point of the area at this position.
    Representative(usize),
    /// The worst-served point of the area at this position.
    Worst(usize),
    /// A record of the candidate file.
    Record {
        /// Its index in the file.
        index: usize,
        /// Its id, if it has one.
        id: Option<String>,
    },
}

/// A place a new site could go.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Where (WGS84 lon/lat).
    pub location: Coord<f64>,
    /// Where it came from.
    pub origin: Origin,
}

/// One suggested site, in the order chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestedSite {
    /// Position in the candidate list.
    pub candidate: usize,
    /// 1 for the first site.
    pub rank: usize,
    /// Areas (positions in the area layer) this site newly serves, given
    /// the sites ranked before it.
    pub newly_served: Vec<usize>,
    /// Their demand weight (area count, or population).
    pub gain_weight: f64,
    /// Areas served after this site, counting those served before any.
    pub cumulative_areas: usize,
    /// Demand weight served after this site, likewise.
    pub cumulative_weight: f64,
}

/// How the sites were chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Lazy greedy.
    Greedy,
    /// The MILP solver, with whether it proved optimality.
    Exact {
        /// Optimality proven (else the time limit was hit first).
        proven_optimal: bool,
    },
}

/// What became of an `--exact` request.
#[derive(Debug, Clone, PartialEq)]
pub enum ExactOutcome {
    /// Solved; see [`Method::Exact`].
    Solved {
        /// Objective of the exact solution (sites for LSCP, weight for MCLP).
        objective: f64,
        /// Seconds spent.
        seconds: f64,
    },
    /// The model was larger than the size limit; the greedy solution stands.
    TooLarge {
        /// Its nonzero coefficients.
        nonzeros: usize,
        /// The limit.
        limit: usize,
    },
    /// The solver failed; the greedy solution stands.
    Failed(String),
}

/// The result of `suggest`.
#[derive(Debug, Clone)]
pub struct SuggestRun {
    /// The check the sites are suggested for.
    pub run: CheckRun,
    /// What stood for demand.
    pub demand: Demand,
    /// How far a site may be from the demand it serves, m ([`covering_m`]).
    pub covering_m: f64,
    /// The model.
    pub objective: Objective,
    /// Every candidate considered.
    pub candidates: Vec<Candidate>,
    /// The instance solved.
    pub instance: Instance,
    /// The chosen sites, ranked by marginal gain.
    pub sites: Vec<SuggestedSite>,
    /// How they were chosen.
    pub method: Method,
    /// The greedy solution's objective (sites for LSCP, weight for MCLP),
    /// for comparison with an exact one.
    pub greedy_objective: f64,
    /// The `--exact` outcome, when asked for.
    pub exact: Option<ExactOutcome>,
    /// Per area: its demand weight (1, or population).
    pub weights: Vec<f64>,
    /// Per area: served before any new site.
    pub served_before: Vec<bool>,
    /// Unserved areas no candidate can serve (positions).
    pub unservable: Vec<usize>,
    /// The check with the sites added, when asked for.
    pub after: Option<Verdict>,
}

impl SuggestRun {
    /// Total demand weight.
    pub fn total_weight(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// Demand weight served before any new site.
    pub fn served_weight_before(&self) -> f64 {
        self.weights
            .iter()
            .zip(&self.served_before)
            .filter(|(_, s)| **s)
            .map(|(w, _)| w)
            .sum()
    }

    /// The area a site lies in, if any, by its origin.
    pub fn origin_area(&self, site: &SuggestedSite) -> Option<usize> {
        match self.candidates[site.candidate].origin {
            Origin::Representative(i) | Origin::Worst(i) => Some(i),
            Origin::Record { .. } => None,
        }
    }
}

/// The covering distance in metres a site may be from the demand: the
/// rule's `within_km`, or (demand by area) its boundary tolerance.
pub fn covering_m(config: &SuggestConfig) -> f64 {
    let rule = &config.check.rule;
    let within = rule.within_km.map_or(0.0, |km| km * 1000.0);
    match config.demand {
        Demand::Area => within.max(rule.boundary_tolerance_m),
        Demand::Representative | Demand::Worst => within,
    }
}

/// Refuses impossible settings before any reading.
fn check_settings(config: &SuggestConfig) -> Result<()> {
    if let Objective::MaxCover { k } = config.objective
        && k == 0
    {
        return Err(Error::InvalidSetting {
            setting: Setting::SuggestK,
            value: "0".into(),
            expected: "a number of sites ≥ 1",
        });
    }
    match config.check.rule.within_km {
        Some(km) if !(km.is_finite() && km > 0.0) => {
            return Err(Error::InvalidSetting {
                setting: Setting::WithinKm,
                value: km.to_string(),
                expected: "a distance of more than 0 km to place sites within",
            });
        }
        None if config.demand != Demand::Area => {
            return Err(Error::InvalidSetting {
                setting: Setting::WithinKm,
                value: "none".into(),
                expected: "a covering distance: a point is served by a site within it",
            });
        }
        None if matches!(config.objective, Objective::MaxCover { .. }) => {
            return Err(Error::InvalidSetting {
                setting: Setting::WithinKm,
                value: "none".into(),
                expected: "a covering distance for the maximal covering model",
            });
        }
        _ => {}
    }
    if let Some(limits) = config.exact {
        // A week: longer than any solve is worth waiting for, and within
        // what a clock's duration can hold.
        Setting::TimeLimitS.require(
            limits.time_limit_s,
            |s| s > 0.0 && s <= 604_800.0,
            "seconds > 0 and at most 604,800 (a week)",
        )?;
    }
    config.check.rule.check()
}

/// Runs the check, builds the instance, chooses the sites.
pub fn run_suggest(config: &SuggestConfig, progress: &dyn Progress) -> Result<SuggestRun> {
    check_settings(config)?;
    let covering_m = covering_m(config);
    let mut check = config.check.clone();
    // Worst-served points come from the surface analysis: wanted as
    // demand, and as default candidates.
    let want_worst = config.demand == Demand::Worst || config.candidates.is_none();
    if want_worst && check.surface.is_none() {
        let km = (covering_m / 1000.0).clamp(0.5, 1000.0);
        check.surface = Some(SurfaceRequest {
            radii_km: vec![km],
            labels: vec![crate::units::trim_float(km)],
            gaps: false,
        });
    }
    let run = run_check(&check, progress)?;
    let weights = weights(&run, &check)?;
    let candidates = match &config.candidates {
        Some(file) => read_candidates(file, &run, covering_m, check.skip_invalid)?,
        None => default_candidates(&run),
    };
    progress.start(
        "coverage of candidate sites",
        Some(run.areas.areas.len() as u64),
    );
    let (instance, served_before) = coverage::build(
        &run,
        config.demand,
        covering_m,
        &candidates,
        &weights,
        progress,
    );
    progress.finish();
    let unservable = instance.unservable();
    progress.start("choosing sites", None);
    let greedy = greedy::solve(&instance, config.objective);
    let greedy_objective = objective_value(&instance, &greedy, config.objective);
    let (chosen, method, exact) = match config.exact {
        None => (greedy, Method::Greedy, None),
        Some(limits) => solve_exact(&instance, config.objective, limits, greedy),
    };
    progress.finish();
    let sites = rank(&instance, &chosen, &served_before, &weights);
    let after = if config.then_check {
        progress.start("checking again with the sites", None);
        let verdict = check_with(&run, &candidates, &sites, progress);
        progress.finish();
        Some(verdict)
    } else {
        None
    };
    Ok(SuggestRun {
        run,
        demand: config.demand,
        covering_m,
        objective: config.objective,
        candidates,
        instance,
        sites,
        method,
        greedy_objective,
        exact,
        weights,
        served_before,
        unservable,
        after,
    })
}

#[cfg(feature = "milp")]
fn solve_exact(
    instance: &Instance,
    objective: Objective,
    limits: ExactLimits,
    greedy: Vec<usize>,
) -> (Vec<usize>, Method, Option<ExactOutcome>) {
    let nonzeros = exact::nonzeros(instance, objective);
    if nonzeros > limits.max_nonzeros {
        let outcome = ExactOutcome::TooLarge {
            nonzeros,
            limit: limits.max_nonzeros,
        };
        return (greedy, Method::Greedy, Some(outcome));
    }
    let started = std::time::Instant::now();
    match exact::solve(instance, objective, limits.time_limit_s, &greedy) {
        Ok(solution) => {
            let value = objective_value(instance, &solution.sites, objective);
            let outcome = ExactOutcome::Solved {
                objective: value,
                seconds: started.elapsed().as_secs_f64(),
            };
            let method = Method::Exact {
                proven_optimal: solution.proven_optimal,
            };
            (solution.sites, method, Some(outcome))
        }
        Err(why) => (greedy, Method::Greedy, Some(ExactOutcome::Failed(why))),
    }
}

#[cfg(not(feature = "milp"))]
fn solve_exact(
    _: &Instance,
    _: Objective,
    _: ExactLimits,
    greedy: Vec<usize>,
) -> (Vec<usize>, Method, Option<ExactOutcome>) {
    let why = "built without the `milp` feature".to_owned();
    (greedy, Method::Greedy, Some(ExactOutcome::Failed(why)))
}

/// A solution's objective: its number of sites (LSCP) or the demand
/// weight it serves (MCLP).
pub fn objective_value(instance: &Instance, sites: &[usize], objective: Objective) -> f64 {
    match objective {
        Objective::CoverAll => sites.len() as f64,
        Objective::MaxCover { .. } => instance.served_weight(sites),
    }
}

/// Per area: its demand weight, 1 or its population. With a population
/// field every area must have a population (a number ≥ 0): a site plan
/// that silently weighs an area as 0 is a wrong answer.
fn weights(run: &CheckRun, check: &CheckConfig) -> Result<Vec<f64>> {
    let Some(population) = &run.population else {
        return Ok(vec![1.0; run.areas.areas.len()]);
    };
    let field = check.population_field.as_deref().unwrap_or_default();
    let issues: Vec<FeatureIssue> = run
        .areas
        .areas
        .iter()
        .zip(population)
        .filter(|(_, p)| p.is_none())
        .map(|(area, _)| {
            let value = area
                .properties()
                .get(field)
                .map_or_else(|| "missing".to_owned(), |v| v.to_string());
            FeatureIssue::error(
                IssueCode::BadField,
                area.index,
                Some(&area.id),
                format!("population {field:?} is {value}, not a number ≥ 0"),
            )
        })
        .collect();
    if !issues.is_empty() {
        return Err(Error::Features {
            source_name: run.areas.info.path.clone(),
            layer: Layer::Areas,
            issues,
        });
    }
    Ok(population.iter().map(|p| p.unwrap_or(0.0)).collect())
}

/// Every area's representative point, and its worst-served point where
/// one was found.
fn default_candidates(run: &CheckRun) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = run
        .assessment
        .facts
        .iter()
        .enumerate()
        .map(|(i, f)| Candidate {
            location: f.representative_point,
            origin: Origin::Representative(i),
        })
        .collect();
    if let Some(surface) = &run.surface {
        candidates.extend(surface.areas.iter().enumerate().filter_map(|(i, s)| {
            Some(Candidate {
                location: s.worst.as_ref()?.at,
                origin: Origin::Worst(i),
            })
        }));
    }
    candidates
}

/// Reads the candidate file. A candidate that could serve no area at all
/// (outside every area and farther than the covering distance from each)
/// is an error naming it — a file in the wrong coordinate system looks
/// like that — or, with `skip_invalid`, a warning.
fn read_candidates(
    file: &CandidateFile,
    run: &CheckRun,
    covering_m: f64,
    skip_invalid: bool,
) -> Result<Vec<Candidate>> {
    let layer = load_stations(
        &file.source,
        &file.fields,
        skip_invalid,
        file.crs.as_ref(),
        &file.read,
    )?;
    let source_name = layer.info.path.clone();
    if layer.stations.is_empty() {
        return Err(Error::NoCandidates { source_name });
    }
    let shapes: Vec<_> = run.areas.areas.iter().map(|a| &a.geometry).collect();
    let index = crate::index::AreaIndex::new(&shapes);
    let reach = |p: Coord<f64>| index.covers(p) || index.within(p, covering_m);
    let mut issues = Vec::new();
    let mut candidates = Vec::with_capacity(layer.stations.len());
    for station in &layer.stations {
        if reach(station.location) {
            candidates.push(Candidate {
                location: station.location,
                origin: Origin::Record {
                    index: station.index as usize,
                    id: station.id.as_deref().map(str::to_owned),
                },
            });
        } else {
            let message = if covering_m > 0.0 {
                format!(
                    "candidate site at ({:.6}, {:.6}) is outside every area and more than {} m from each: it could serve none",
                    station.location.x,
                    station.location.y,
                    crate::units::trim_float(covering_m)
                )
            } else {
                format!(
                    "candidate site at ({:.6}, {:.6}) is outside every area: it could serve none",
                    station.location.x, station.location.y
                )
            };
            issues.push(FeatureIssue::error(
                IssueCode::OutsideEveryArea,
                station.index as usize,
                station.id.as_deref(),
                message,
            ));
        }
    }
    if !issues.is_empty() && !skip_invalid {
        return Err(Error::Features {
            source_name,
            layer: Layer::Candidates,
            issues,
        });
    }
    if candidates.is_empty() {
        return Err(Error::NoCandidates { source_name });
    }
    Ok(candidates)
}

/// Orders the chosen sites by marginal gain (greedy within the chosen
/// set: the first serves the most, each next the most of what is left)
/// and records what each adds.
fn rank(
    instance: &Instance,
    chosen: &[usize],
    served_before: &[bool],
    weights: &[f64],
) -> Vec<SuggestedSite> {
    let order = greedy::order(instance, chosen);
    let mut served = vec![false; instance.demand.len()];
    let mut areas = served_before.iter().filter(|s| **s).count();
    let mut weight: f64 = weights
        .iter()
        .zip(served_before)
        .filter(|(_, s)| **s)
        .map(|(w, _)| w)
        .sum();
    order
        .into_iter()
        .enumerate()
        .map(|(r, candidate)| {
            let mut newly = Vec::new();
            for &d in &instance.sets[candidate] {
                let d = d as usize;
                if !served[d] {
                    served[d] = true;
                    newly.push(instance.demand[d]);
                }
            }
            newly.sort_unstable();
            let gain: f64 = newly.iter().map(|&a| weights[a]).sum();
            areas += newly.len();
            weight += gain;
            SuggestedSite {
                candidate,
                rank: r + 1,
                newly_served: newly,
                gain_weight: gain,
                cumulative_areas: areas,
                cumulative_weight: weight,
            }
        })
        .collect()
}

/// The check again, with a qualifying station at each suggested site:
/// measured by the check's own assessment, not by the coverage sets the
/// sites were chosen from.
fn check_with(
    run: &CheckRun,
    candidates: &[Candidate],
    sites: &[SuggestedSite],
    progress: &dyn Progress,
) -> Verdict {
    let rule = run.rule;
    // The least power that qualifies under the rule (sites after pooling
    // carry the per-point power at which they meet the pool terms).
    let kw = if rule.min_power_exclusive {
        rule.min_power_kw + 1.0
    } else {
        rule.min_power_kw.max(1.0)
    };
    let mut stations = run.stations.clone();
    let first = stations.stations.len();
    for (n, site) in sites.iter().enumerate() {
        let at = candidates[site.candidate].location;
        let index = u32::try_from(first + n).unwrap_or(u32::MAX);
        let id = format!("suggested-{}", site.rank).into_boxed_str();
        stations
            .stations
            .push(Station::new(index, Some(id), at, Some(kw)));
        if !stations.points.is_empty() {
            stations.points.push(StationPoints {
                kw: Box::new([kw]),
                pool_key: None,
                records: 1,
            });
        }
    }
    let after = assess_layers(run.areas.clone(), stations, rule, progress);
    after.verdict
}
