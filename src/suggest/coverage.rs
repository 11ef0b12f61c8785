//! Which unserved demand each candidate site would serve: the coverage
//! sets of the facility-location models, measured geodesically.

use geo::Coord;
use rayon::prelude::*;

use super::{Candidate, Demand};
use crate::assess::vertex_reach_m;
use crate::check::CheckRun;
use crate::geodesy::{Boundary, within_m};
use crate::index::StationIndex;
use crate::progress::Progress;

/// A facility-location instance: the unserved demand and, per candidate,
/// the part of it the candidate would serve.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Instance {
    /// Unserved areas (positions in the area layer): the demand rows.
    pub demand: Vec<usize>,
    /// Each row's weight (1, or the area's population).
    pub weights: Vec<f64>,
    /// Per candidate (in candidate order): the rows it would serve,
    /// ascending.
    pub sets: Vec<Vec<u32>>,
}

impl Instance {
    /// Areas (positions) no candidate can serve.
    pub fn unservable(&self) -> Vec<usize> {
        let mut reached = vec![false; self.demand.len()];
        for set in &self.sets {
            for &d in set {
                reached[d as usize] = true;
            }
        }
        self.demand
            .iter()
            .zip(&reached)
            .filter(|(_, r)| !**r)
            .map(|(&a, _)| a)
            .collect()
    }

    /// The demand weight served by these candidates together.
    pub fn served_weight(&self, sites: &[usize]) -> f64 {
        let mut served = vec![false; self.demand.len()];
        for &c in sites {
            for &d in &self.sets[c] {
                served[d as usize] = true;
            }
        }
        served
            .iter()
            .zip(&self.weights)
            .filter(|(s, _)| **s)
            .map(|(_, w)| w)
            .sum()
    }

    /// Rows 0.. with these weights (each its own area), candidates'
    /// sets as given: for tests.
    #[cfg(test)]
    pub(crate) fn from_sets(sets: &[&[u32]], weights: &[f64]) -> Self {
        Instance {
            demand: (0..weights.len()).collect(),
            weights: weights.to_vec(),
            sets: sets.iter().map(|s| s.to_vec()).collect(),
        }
    }

    /// The number of (candidate, row) pairs.
    pub fn pairs(&self) -> usize {
        self.sets.iter().map(Vec::len).sum()
    }
}

/// Per area: is it served before any new site, under `demand`?
pub fn served_before(run: &CheckRun, demand: Demand, covering_m: f64) -> Vec<bool> {
    match demand {
        Demand::Area => run.covered.clone(),
        Demand::Representative => run
            .assessment
            .facts
            .iter()
            .map(|f| f.nearest.is_some_and(|n| n.distance_m <= covering_m))
            .collect(),
        Demand::Worst => (0..run.areas.areas.len())
            .map(|i| {
                run.surface
                    .as_ref()
                    .and_then(|s| s.areas[i].worst.as_ref())
                    .is_some_and(|w| w.distance_m <= covering_m)
            })
            .collect(),
    }
}

/// The point standing for area `i`'s demand (point demand models).
fn demand_point(run: &CheckRun, demand: Demand, i: usize) -> Coord<f64> {
    let representative = run.assessment.facts[i].representative_point;
    match demand {
        Demand::Worst => run
            .surface
            .as_ref()
            .and_then(|s| s.areas[i].worst.as_ref())
            .map_or(representative, |w| w.at),
        Demand::Area | Demand::Representative => representative,
    }
}

/// Builds the instance: the unserved areas as rows and, for every
/// candidate, the rows within `covering_m` of it — of the area itself
/// (0 m: inside it) for [`Demand::Area`], of its demand point otherwise.
/// Also hands back which areas were served before.
pub fn build(
    run: &CheckRun,
    demand: Demand,
    covering_m: f64,
    candidates: &[Candidate],
    weights: &[f64],
    progress: &dyn Progress,
) -> (Instance, Vec<bool>) {
    let served = served_before(run, demand, covering_m);
    let rows: Vec<usize> = (0..served.len()).filter(|&i| !served[i]).collect();
    let index = StationIndex::new(
        candidates.iter().map(|c| c.location),
        &vec![true; candidates.len()],
    );
    // Per row, the candidates that serve it (found from the row's side,
    // so each area's boundary is prepared once).
    let per_row: Vec<Vec<u32>> = rows
        .par_iter()
        .map(|&i| {
            let found = serving(run, demand, covering_m, &index, i);
            progress.advance(1);
            found
        })
        .collect();
    progress.advance((served.len() - rows.len()) as u64);
    let mut sets = vec![Vec::new(); candidates.len()];
    for (row, found) in per_row.iter().enumerate() {
        for &c in found {
            sets[c as usize].push(row as u32);
        }
    }
    let instance = Instance {
        weights: rows.iter().map(|&i| weights[i]).collect(),
        demand: rows,
        sets,
    };
    (instance, served)
}

/// The candidates (positions) that would serve area `i`.
fn serving(
    run: &CheckRun,
    demand: Demand,
    covering_m: f64,
    index: &StationIndex,
    i: usize,
) -> Vec<u32> {
    let mut near = Vec::new();
    let mut found = Vec::new();
    match demand {
        Demand::Area => {
            let area = &run.areas.areas[i].geometry;
            let p = run.assessment.facts[i].representative_point;
            // Every point of the area lies within `reach` of p (the same
            // margin as the assessment's), so a candidate within
            // `covering_m` of the area is within their sum of p.
            let reach = vertex_reach_m(area, p) * 1.01 + 1.0;
            index.candidates_near(p, reach + covering_m, |c| near.push(c));
            let outline = Boundary::new(area);
            for c in near {
                let at = index.location(c);
                // p lies in the area: a site within the distance of p is
                // within it of the area; one farther than reach + the
                // distance from p is not.
                if within_m(p, at, covering_m)
                    || (within_m(p, at, reach + covering_m) && outline.within_m(at, covering_m))
                {
                    found.push(c);
                }
            }
        }
        Demand::Representative | Demand::Worst => {
            let p = demand_point(run, demand, i);
            index.candidates_near(p, covering_m, |c| near.push(c));
            for c in near {
                if within_m(p, index.location(c), covering_m) {
                    found.push(c);
                }
            }
        }
    }
    found.sort_unstable();
    found
}
