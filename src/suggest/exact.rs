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
    let used = undominated(instance);
    if used.is_empty() {
        return Ok(ExactSolution {
            sites: Vec::new(),
            proven_optimal: true,
        });
    }
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = used.iter().map(|_| vars.add(variable().binary())).collect();
    // Per row, the x that serve it.
    let mut serving: Vec<Vec<(usize, Variable)>> = vec![Vec::new(); instance.demand.len()];
    for (slot, &c) in used.iter().enumerate() {
        for &d in &instance.sets[c] {
            serving[d as usize].push((slot, x[slot]));
        }
    }
    // The warm start with each dropped candidate replaced by one that
    // serves all it serves: as feasible, as good.
    let start: Vec<usize> = start
        .iter()
        .map(|&c| dominator(instance, &used, c))
        .collect();
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
            for row in essential_rows(&serving) {
                let sum: Expression = row.iter().map(|&(_, v)| v).sum();
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
                for &c in &start {
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
                let sum: Expression = serving[d].iter().map(|&(_, v)| v).sum();
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

/// Is sorted `a` a subset of sorted `b`?
fn subset<T: Ord>(a: &[T], b: &[T]) -> bool {
    let mut b = b.iter();
    a.iter().all(|x| b.any(|y| y == x))
}

/// The candidates worth a variable: those that serve something, less any
/// whose set lies within another's (the other serves all it serves, for
/// the same one site; of equal sets the first is kept). Dropping them
/// leaves the optimum of both models unchanged.
fn undominated(instance: &Instance) -> Vec<usize> {
    let sets = &instance.sets;
    let mut by_row: Vec<Vec<usize>> = vec![Vec::new(); instance.demand.len()];
    for (c, set) in sets.iter().enumerate() {
        for &d in set {
            by_row[d as usize].push(c);
        }
    }
    (0..sets.len())
        .filter(|&a| {
            let Some(&first) = sets[a].first() else {
                return false;
            };
            // A dominating set serves a's first row too.
            !by_row[first as usize].iter().any(|&b| {
                b != a && subset(&sets[a], &sets[b]) && (sets[a].len() < sets[b].len() || b < a)
            })
        })
        .collect()
}

/// A kept candidate that serves all `c` serves (`c` itself when kept).
fn dominator(instance: &Instance, used: &[usize], c: usize) -> usize {
    if used.binary_search(&c).is_ok() || instance.sets[c].is_empty() {
        return c;
    }
    used.iter()
        .copied()
        .find(|&b| subset(&instance.sets[c], &instance.sets[b]))
        .unwrap_or(c)
}

/// The covering rows that matter: a row whose servers include all of
/// another row's is met whenever that one is (of equal rows the first is
/// kept). Rows are lists of (candidate slot, variable), ascending by slot.
fn essential_rows<V>(serving: &[Vec<(usize, V)>]) -> impl Iterator<Item = &Vec<(usize, V)>> {
    let slots: Vec<Vec<usize>> = serving
        .iter()
        .map(|row| row.iter().map(|&(s, _)| s).collect())
        .collect();
    let columns = slots.iter().flatten().max().map_or(0, |m| m + 1);
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (r, row) in slots.iter().enumerate() {
        if let Some(&first) = row.first() {
            rows_of[first].push(r);
        }
    }
    let keep: Vec<bool> = slots
        .iter()
        .enumerate()
        .map(|(i, row)| {
            !row.is_empty()
                && !row.iter().any(|&c| {
                    // Rows whose first server is c and whose servers all
                    // serve row i.
                    rows_of[c].iter().any(|&j| {
                        j != i && subset(&slots[j], row) && (slots[j].len() < row.len() || j < i)
                    })
                })
        })
        .collect();
    serving
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(row, _)| row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(sets: &[&[u32]], weights: &[f64]) -> Instance {
        Instance::from_sets(sets, weights)
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

    #[test]
    fn dominated_candidates_and_rows_are_dropped() {
        // Candidate 1 serves a part of what 0 serves, 2 the same as 0:
        // only 0 is kept, and a start using 1 or 2 maps to 0.
        let inst = instance(&[&[0, 1], &[0], &[0, 1], &[]], &[1.0, 1.0]);
        assert_eq!(undominated(&inst), vec![0]);
        assert_eq!(dominator(&inst, &[0], 1), 0);
        assert_eq!(dominator(&inst, &[0], 2), 0);
        // Row 0 is served by slots {0, 1}, row 1 by {0}, row 2 by {0} too:
        // meeting row 1 meets rows 0 and 2.
        let serving = vec![vec![(0, ()), (1, ())], vec![(0, ())], vec![(0, ())]];
        let kept: Vec<_> = essential_rows(&serving).collect();
        assert_eq!(kept, vec![&vec![(0, ())]]);
        assert!(std::ptr::eq(kept[0], &serving[1]));
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
