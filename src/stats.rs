//! Summary statistics of distances.
//!
//! Percentiles interpolate linearly between order statistics — the
//! definition of numpy's default `percentile` (method "linear") and of
//! PostgreSQL's `percentile_cont` — so analysts can reproduce them.

use serde::Serialize;

/// How percentiles are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentileRule {
    /// Linear interpolation between order statistics (numpy's default,
    /// PostgreSQL's `percentile_cont`); for unweighted values.
    Linear,
    /// The smallest value whose cumulative weight reaches p % of the
    /// total; for weighted values.
    WeightedNearestRank,
}

/// Mean, median, p90, p95 and max of a set of values (metres).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DistanceStats {
    /// How many values.
    pub count: usize,
    /// Their mean (weighted, for `PercentileRule::WeightedNearestRank`).
    pub mean: f64,
    /// The 50th percentile.
    pub median: f64,
    /// The 90th percentile.
    pub p90: f64,
    /// The 95th percentile.
    pub p95: f64,
    /// The largest value.
    pub max: f64,
    /// How the percentiles were taken (the report's documentation says
    /// which rule each statistic uses, so it is not written out).
    #[serde(skip)]
    pub rule: PercentileRule,
}

impl DistanceStats {
    /// Statistics of the finite values; `None` when there are none.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable_by(f64::total_cmp);
        Some(DistanceStats {
            count: v.len(),
            mean: v.iter().sum::<f64>() / v.len() as f64,
            median: percentile_sorted(&v, 50.0),
            p90: percentile_sorted(&v, 90.0),
            p95: percentile_sorted(&v, 95.0),
            max: v[v.len() - 1],
            rule: PercentileRule::Linear,
        })
    }
}

impl DistanceStats {
    /// Weighted statistics of (value, weight) pairs with finite values and
    /// positive weights: the weighted mean, and weighted percentiles by
    /// the nearest-rank rule (the smallest value whose cumulative weight
    /// reaches p % of the total). `count` is the number of pairs used.
    pub fn weighted(pairs: impl IntoIterator<Item = (f64, f64)>) -> Option<Self> {
        let mut v: Vec<(f64, f64)> = pairs
            .into_iter()
            .filter(|(x, w)| x.is_finite() && w.is_finite() && *w > 0.0)
            .collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let total: f64 = v.iter().map(|p| p.1).sum();
        let rank = |p: f64| {
            let target = total * p / 100.0;
            let mut acc = 0.0;
            for &(x, w) in &v {
                acc += w;
                if acc >= target * (1.0 - 1e-12) {
                    return x;
                }
            }
            v[v.len() - 1].0
        };
        Some(DistanceStats {
            count: v.len(),
            mean: v.iter().map(|(x, w)| x * w).sum::<f64>() / total,
            median: rank(50.0),
            p90: rank(90.0),
            p95: rank(95.0),
            max: v[v.len() - 1].0,
            rule: PercentileRule::WeightedNearestRank,
        })
    }
}

/// The `p`-th percentile (0–100) of sorted, non-empty values.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_statistics_by_hand() {
        // 1 km weighs 3, 2 km weighs 1: mean 1.25; half the weight is
        // reached at 1 km, 90 % only at 2 km.
        let s = DistanceStats::weighted([(2000.0, 1.0), (1000.0, 3.0), (5.0, 0.0)]).unwrap();
        assert_eq!(s.rule, PercentileRule::WeightedNearestRank);
        assert_eq!(s.count, 2);
        assert_eq!(s.mean, 1250.0);
        assert_eq!(s.median, 1000.0);
        assert_eq!(s.p90, 2000.0);
        assert_eq!(s.max, 2000.0);
        assert!(DistanceStats::weighted([(1.0, 0.0)]).is_none());
    }

    #[test]
    fn matches_numpy_linear_percentiles() {
        // numpy.percentile([1, 2, 3, 4, 10], [50, 90, 95]) = [3.0, 7.6, 8.8]
        let s = DistanceStats::of([4.0, 1.0, 10.0, 3.0, 2.0]).unwrap();
        assert_eq!(s.rule, PercentileRule::Linear);
        assert_eq!(s.median, 3.0);
        assert!((s.p90 - 7.6).abs() < 1e-12);
        assert!((s.p95 - 8.8).abs() < 1e-12);
        assert_eq!(s.mean, 4.0);
        assert_eq!(s.max, 10.0);
        assert_eq!(s.count, 5);
    }

    #[test]
    fn empty_and_infinite_values() {
        assert_eq!(DistanceStats::of([]), None);
        assert_eq!(DistanceStats::of([f64::INFINITY]), None);
        assert_eq!(DistanceStats::of([5.0]).unwrap().p95, 5.0);
    }
}
