//! Summary statistics of distances.
//!
//! Percentiles interpolate linearly between order statistics — the
//! definition of numpy's default `percentile` (method "linear") and of
//! PostgreSQL's `percentile_cont` — so analysts can reproduce them.

use serde::Serialize;

/// Mean, median, p90, p95 and max of a set of values (metres).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DistanceStats {
    pub count: usize,
    pub mean: f64,
    pub median: f64,
    pub p90: f64,
    pub p95: f64,
    pub max: f64,
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
    fn matches_numpy_linear_percentiles() {
        // numpy.percentile([1, 2, 3, 4, 10], [50, 90, 95]) = [3.0, 7.6, 8.8]
        let s = DistanceStats::of([4.0, 1.0, 10.0, 3.0, 2.0]).unwrap();
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
