//! The suggestion as plain data for the writers: the JSON report (its
//! schema is in the README), from which the text, the sites layer and the
//! HTML section are drawn.

use serde::Serialize;

use super::{ExactOutcome, Method, Objective, Origin, SuggestRun, greedy};
use crate::check::report::Provenance;
use crate::reporting::{Tool, round_deg};

/// The JSON report of `suggest`.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestReport {
    /// chargecov and its version.
    pub tool: Tool,
    /// `lscp` (cover every area) or `mclp` (k sites, most demand).
    pub model: &'static str,
    /// The number of sites asked for (MCLP).
    pub k: Option<usize>,
    /// What stands for an area's demand: `area`, `representative`, `worst`.
    pub demand: &'static str,
    /// The claim, in words.
    pub rule: String,
    /// The covering distance in km (0: a site must lie in the area).
    pub covering_km: f64,
    /// `areas` (each weighs 1) or the population field.
    pub weight: String,
    /// How the sites were chosen.
    pub method: MethodReport,
    /// The `--exact` outcome, when asked for.
    pub exact: Option<ExactReport>,
    /// Counts before and after.
    pub summary: SuggestSummary,
    /// Served demand after each site, from none: the coverage-versus-k curve.
    pub curve: Vec<CurvePoint>,
    /// The sites, in rank order.
    pub sites: Vec<SiteReport>,
    /// Ids of unserved areas no candidate can serve.
    pub unservable: Vec<String>,
    /// The check with the sites added (`--then-check`).
    pub after: Option<AfterReport>,
    /// Digests of the inputs, when hashed.
    pub provenance: Option<Provenance>,
}

/// How the sites were chosen, and what that guarantees.
#[derive(Debug, Clone, Serialize)]
pub struct MethodReport {
    /// `greedy` or `exact`.
    pub name: &'static str,
    /// For `exact`: optimality was proven (else the time limit came first).
    pub proven_optimal: Option<bool>,
    /// The greedy solution's objective (sites, or weight served).
    pub greedy_objective: f64,
    /// The guarantee, in words.
    pub guarantee: String,
}

/// What became of `--exact`.
#[derive(Debug, Clone, Serialize)]
pub struct ExactReport {
    /// `solved`, `optimal`, `time-limit`, `too-large` or `failed`.
    pub status: &'static str,
    /// The exact solution's objective.
    pub objective: Option<f64>,
    /// Seconds the solver took.
    pub seconds: Option<f64>,
    /// The model's nonzero coefficients, when too large.
    pub nonzeros: Option<usize>,
    /// The size limit, when too large.
    pub limit: Option<usize>,
    /// What went wrong, when it failed.
    pub message: Option<String>,
}

/// Counts before and after the suggested sites.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestSummary {
    /// Areas in the layer.
    pub areas_total: usize,
    /// Served before any new site.
    pub areas_served_before: usize,
    /// Candidates considered.
    pub candidates: usize,
    /// Unserved areas no candidate can serve.
    pub areas_unservable: usize,
    /// Sites suggested.
    pub sites: usize,
    /// Served with them.
    pub areas_served_after: usize,
    /// Share of areas served with them.
    pub share_served_after: f64,
    /// Total population, when weighted.
    pub population_total: Option<f64>,
    /// Population served before.
    pub population_served_before: Option<f64>,
    /// Population served after.
    pub population_served_after: Option<f64>,
}

/// One point of the coverage-versus-k curve.
#[derive(Debug, Clone, Serialize)]
pub struct CurvePoint {
    /// Sites added (0: none).
    pub sites: usize,
    /// Areas served.
    pub areas_served: usize,
    /// Their share of all areas.
    pub share: f64,
    /// Population served, when weighted.
    pub population_served: Option<f64>,
    /// Its share.
    pub population_share: Option<f64>,
}

/// One suggested site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    /// 1 for the site that serves the most.
    pub rank: usize,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
    /// `representative`, `worst-served` or `candidates`.
    pub source: &'static str,
    /// The area whose point it is, or the candidate record's id.
    pub candidate_id: String,
    /// Areas it newly serves.
    pub newly_served: usize,
    /// Their ids.
    pub newly_served_ids: Vec<String>,
    /// Their population, when weighted.
    pub gain_population: Option<f64>,
    /// Areas served after it (with those served before).
    pub cumulative_areas: usize,
    /// Their share.
    pub cumulative_share: f64,
    /// Population served after it, when weighted.
    pub cumulative_population: Option<f64>,
    /// Its share.
    pub cumulative_population_share: Option<f64>,
}

/// The claim judged again with the sites added.
#[derive(Debug, Clone, Serialize)]
pub struct AfterReport {
    /// The claim holds with them.
    pub claim_holds: bool,
    /// Areas still uncovered.
    pub areas_uncovered: usize,
    /// Their ids (the first 1,000).
    pub uncovered_ids: Vec<String>,
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 1.0 }
}

impl SuggestReport {
    /// The report of a run; `population_field` names the weight.
    pub fn new(run: &SuggestRun, population_field: Option<&str>) -> Self {
        let areas = &run.run.areas.areas;
        let id = |i: usize| areas[i].id.clone();
        let weighted = run.run.population.is_some();
        let total = run.total_weight();
        let before_w = run.served_weight_before();
        let before_n = run.served_before.iter().filter(|s| **s).count();
        let n = areas.len() as f64;
        let pop = |w: f64| weighted.then_some(w);
        let pop_share = |w: f64| weighted.then_some(share(w, total));
        let mut curve = vec![CurvePoint {
            sites: 0,
            areas_served: before_n,
            share: share(before_n as f64, n),
            population_served: pop(before_w),
            population_share: pop_share(before_w),
        }];
        let sites: Vec<SiteReport> = run
            .sites
            .iter()
            .map(|s| {
                curve.push(CurvePoint {
                    sites: s.rank,
                    areas_served: s.cumulative_areas,
                    share: share(s.cumulative_areas as f64, n),
                    population_served: pop(s.cumulative_weight),
                    population_share: pop_share(s.cumulative_weight),
                });
                let c = &run.candidates[s.candidate];
                let (source, candidate_id) = match &c.origin {
                    Origin::Representative(i) => ("representative", id(*i)),
                    Origin::Worst(i) => ("worst-served", id(*i)),
                    Origin::Record { index, id } => (
                        "candidates",
                        id.clone().unwrap_or_else(|| format!("#{index}")),
                    ),
                };
                SiteReport {
                    rank: s.rank,
                    lon: round_deg(c.location.x),
                    lat: round_deg(c.location.y),
                    source,
                    candidate_id,
                    newly_served: s.newly_served.len(),
                    newly_served_ids: s.newly_served.iter().map(|&i| id(i)).collect(),
                    gain_population: pop(s.gain_weight),
                    cumulative_areas: s.cumulative_areas,
                    cumulative_share: share(s.cumulative_areas as f64, n),
                    cumulative_population: pop(s.cumulative_weight),
                    cumulative_population_share: pop_share(s.cumulative_weight),
                }
            })
            .collect();
        let last = curve.last().expect("the curve starts at 0 sites");
        let (after_n, after_w) = (
            last.areas_served,
            run.sites.last().map_or(before_w, |s| s.cumulative_weight),
        );
        let guarantee = guarantee(run);
        let exact = run.exact.as_ref().map(|e| exact_report(e, &run.method));
        let rule = &run.run.rule;
        SuggestReport {
            tool: Tool::THIS,
            model: match run.objective {
                Objective::CoverAll => "lscp",
                Objective::MaxCover { .. } => "mclp",
            },
            k: match run.objective {
                Objective::MaxCover { k } => Some(k),
                Objective::CoverAll => None,
            },
            demand: run.demand.name(),
            rule: rule.describe(),
            covering_km: run.covering_m / 1000.0,
            weight: population_field
                .map_or_else(|| "areas".to_owned(), |f| format!("population ({f})")),
            method: MethodReport {
                name: match run.method {
                    Method::Greedy => "greedy",
                    Method::Exact { .. } => "exact",
                },
                proven_optimal: match run.method {
                    Method::Exact { proven_optimal } => Some(proven_optimal),
                    Method::Greedy => None,
                },
                greedy_objective: run.greedy_objective,
                guarantee,
            },
            exact,
            summary: SuggestSummary {
                areas_total: areas.len(),
                areas_served_before: before_n,
                candidates: run.candidates.len(),
                areas_unservable: run.unservable.len(),
                sites: run.sites.len(),
                areas_served_after: after_n,
                share_served_after: share(after_n as f64, n),
                population_total: pop(total),
                population_served_before: pop(before_w),
                population_served_after: pop(after_w),
            },
            curve,
            sites,
            unservable: run.unservable.iter().map(|&i| id(i)).collect(),
            after: run.after.as_ref().map(|v| AfterReport {
                claim_holds: v.claim_holds,
                areas_uncovered: v.uncovered.len(),
                uncovered_ids: v.uncovered.iter().take(1000).map(|&i| id(i)).collect(),
            }),
            provenance: None,
        }
    }
}

/// What the method guarantees of the sites it chose.
fn guarantee(run: &SuggestRun) -> String {
    match (run.objective, &run.method) {
        (
            _,
            Method::Exact {
                proven_optimal: true,
            },
        ) => "optimal (proven by the MILP solver)".to_owned(),
        (
            _,
            Method::Exact {
                proven_optimal: false,
            },
        ) => "best found before the time limit; not proven optimal (never worse than the greedy)"
            .to_owned(),
        (Objective::CoverAll, Method::Greedy) => format!(
            "at most {:.2} × the fewest sites (H(m), m = {} the most areas one candidate serves)",
            greedy::cover_bound(&run.instance),
            run.instance.sets.iter().map(Vec::len).max().unwrap_or(0)
        ),
        (Objective::MaxCover { k }, Method::Greedy) => format!(
            "serves at least {:.1} % of what the best {k} sites could (1 − (1 − 1/k)^k)",
            greedy::max_cover_bound(k) * 100.0
        ),
    }
}

/// How the exact solver fared, with `method` the one whose sites stand.
fn exact_report(outcome: &ExactOutcome, method: &Method) -> ExactReport {
    match outcome {
        ExactOutcome::Solved { objective, seconds } => ExactReport {
            status: match method {
                Method::Exact {
                    proven_optimal: true,
                } => "optimal",
                _ => "time-limit",
            },
            objective: Some(*objective),
            seconds: Some(*seconds),
            nonzeros: None,
            limit: None,
            message: None,
        },
        ExactOutcome::TooLarge { nonzeros, limit } => ExactReport {
            status: "too-large",
            objective: None,
            seconds: None,
            nonzeros: Some(*nonzeros),
            limit: Some(*limit),
            message: None,
        },
        ExactOutcome::Failed(why) => ExactReport {
            status: "failed",
            objective: None,
            seconds: None,
            nonzeros: None,
            limit: None,
            message: Some(why.clone()),
        },
    }
}
