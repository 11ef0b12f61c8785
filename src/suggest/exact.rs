//! The exact solve: each model as a mixed-integer program, handed to
//! microlp (a pure-Rust simplex with branch and bound) through good_lp.
//!
//! LSCP: minimise Σ xⱼ subject to Σ_{j serves i} xⱼ ≥ 1 for every row a
//! candidate serves; MCLP: maximise Σ wᵢ yᵢ subject to yᵢ ≤ Σ_{j serves
//! i} xⱼ and Σ xⱼ ≤ k; xⱼ binary, 0 ≤ yᵢ ≤ 1 (at an optimum yᵢ is
//! integral once x is). Only candidates that serve something enter. The
//! greedy solution is the warm start, so a solve stopped by the time
//! limit is never worse than it.

use good_lp::solvers::{Solution, SolutionStatus, SolverModel, WithInitialSolution, WithTimeLimit};
use good_lp::{Expression, ProblemVariables, Variable, microlp, variable};

use super::{Instance, Objective};

/// An exact solution.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactSolution {
    /// The chosen candidates, ascending.
    pub sites: Vec<usize>,
    /// The solver proved it optimal (else the time limit came first).
    pub proven_optimal: bool,
}

/// The model's nonzero coefficients: what its size limit counts.
pub fn nonzeros(instance: &Instance, objective: Objective) -> usize {
    let pairs = instance.pairs();
    match objective {
        Objective::CoverAll => pairs,
        // yᵢ in its row, and every x in the budget row.
        Objective::MaxCover { .. } => {
            pairs + instance.demand.len() + instance.sets.iter().filter(|s| !s.is_empty()).count()
        }
    }
}

/// Solves the model exactly, warm-started from `start`.
pub fn solve(
    instance: &Instance,
    objective: Objective,
    time_limit_s: f64,
    start: &[usize],
) -> Result<ExactSolution, String> {
    let used: Vec<usize> = (0..instance.sets.len())
        .filter(|&c| !instance.sets[c].is_empty())
        .collect();
    if used.is_empty() {
        return Ok(ExactSolution {
            sites: Vec::new(),
            proven_optimal: true,
        });
    }
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = used.iter().map(|_| vars.add(variable().binary())).collect();
    // Per row, the x that serve it.
    let mut serving: Vec<Vec<Variable>> = vec![Vec::new(); instance.demand.len()];
    for (slot, &c) in used.iter().enumerate() {
        for &d in &instance.sets[c] {
            serving[d as usize].push(x[slot]);
        }
    }
    let chosen_at_start: Vec<bool> = used.iter().map(|c| start.contains(c)).collect();
    let mut initial: Vec<(Variable, f64)> = x
        .iter()
        .zip(&chosen_at_start)
        .map(|(&v, &on)| (v, if on { 1.0 } else { 0.0 }))
        .collect();
    let solution = match objective {
        Objective::CoverAll => {
            let total: Expression = x.iter().sum();
            let mut model = vars.minimise(total).using(microlp);
            for row in serving.iter().filter(|r| !r.is_empty()) {
                let sum: Expression = row.iter().sum();
                model.add_constraint(sum.geq(1));
            }
            model
                .with_initial_solution(initial)
                .with_time_limit(time_limit_s)
                .solve()
        }
        Objective::MaxCover { k } => {
            let rows: Vec<usize> = (0..serving.len())
                .filter(|&d| !serving[d].is_empty())
                .collect();
            let y: Vec<Variable> = rows
                .iter()
                .map(|_| vars.add(variable().min(0).max(1)))
                .collect();
            let served_at_start = {
                let mut s = vec![false; instance.demand.len()];
                for &c in start {
                    for &d in &instance.sets[c] {
                        s[d as usize] = true;
                    }
                }
                s
            };
            initial.extend(
                rows.iter()
                    .zip(&y)
                    .map(|(&d, &v)| (v, if served_at_start[d] { 1.0 } else { 0.0 })),
            );
            let value: Expression = rows
                .iter()
                .zip(&y)
                .map(|(&d, &v)| instance.weights[d] * v)
                .sum();
            let mut model = vars.maximise(value).using(microlp);
            for (&d, &v) in rows.iter().zip(&y) {
                let sum: Expression = serving[d].iter().sum();
                model.add_constraint((sum - v).geq(0));
            }
            let budget: Expression = x.iter().sum();
            model.add_constraint(budget.leq(k as f64));
            model
                .with_initial_solution(initial)
                .with_time_limit(time_limit_s)
                .solve()
        }
    }
    .map_err(|e| e.to_string())?;
    let proven_optimal = matches!(solution.status(), SolutionStatus::Optimal);
    let sites = used
        .iter()
        .zip(&x)
        .filter(|(_, v)| solution.value(**v) > 0.5)
        .map(|(&c, _)| c)
        .collect();
    Ok(ExactSolution {
        sites,
        proven_optimal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(sets: &[&[u32]], weights: &[f64]) -> Instance {
        Instance {
            demand: (0..weights.len()).collect(),
            weights: weights.to_vec(),
            sets: sets.iter().map(|s| s.to_vec()).collect(),
        }
    }

    #[test]
    fn beats_the_greedy_trap() {
        // As in the greedy test: greedy needs 3 sites, candidates 1 and 2
        // serve all six rows; with k = 2 they serve 6 where greedy serves 5.
        let inst = instance(&[&[1, 2, 3, 4], &[0, 1, 2], &[3, 4, 5]], &[1.0; 6]);
        let cover = solve(&inst, Objective::CoverAll, 10.0, &[0, 1, 2]).unwrap();
        assert_eq!(cover.sites, vec![1, 2]);
        assert!(cover.proven_optimal);
        let two = solve(&inst, Objective::MaxCover { k: 2 }, 10.0, &[0, 1]).unwrap();
        assert_eq!(inst.served_weight(&two.sites), 6.0);
        assert!(two.sites.len() <= 2);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Equals brute force on random small instances.
        #[test]
        fn equals_brute_force(
            sets in proptest::collection::vec(
                proptest::collection::btree_set(0u32..10, 0..5), 1..9),
            weights in proptest::collection::vec(1u32..20, 10),
            k in 1usize..4,
        ) {
            let inst = Instance {
                demand: (0..10).collect(),
                weights: weights.iter().map(|&w| f64::from(w)).collect(),
                sets: sets.iter().map(|s| s.iter().copied().collect()).collect(),
            };
            let n = inst.sets.len();
            let subsets = || (0u32..1 << n).map(|m| (0..n).filter(|&c| m >> c & 1 == 1).collect::<Vec<_>>());
            let all: Vec<usize> = (0..n).collect();
            let target = inst.served_weight(&all);
            let fewest = subsets().filter(|s| inst.served_weight(s) == target).map(|s| s.len()).min().unwrap();
            let best = subsets().filter(|s| s.len() <= k).map(|s| inst.served_weight(&s)).fold(0.0, f64::max);
            let cover = solve(&inst, Objective::CoverAll, 10.0, &[]).unwrap();
            proptest::prop_assert_eq!(inst.served_weight(&cover.sites), target);
            proptest::prop_assert_eq!(cover.sites.len(), fewest);
            let max = solve(&inst, Objective::MaxCover { k }, 10.0, &[]).unwrap();
            proptest::prop_assert!(max.sites.len() <= k);
            proptest::prop_assert_eq!(inst.served_weight(&max.sites), best);
        }
    }
}
