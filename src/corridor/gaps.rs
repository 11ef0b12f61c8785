//! Gaps along a path between qualifying sites, and the fewest new sites
//! that close them.
//!
//! A path of length L with sites at sorted chainages c₁ … cₙ has the gaps
//! [0, c₁] (from its start), [cᵢ, cᵢ₊₁] (between neighbours) and [cₙ, L]
//! (to its end); without a site, the whole path is one gap. A claim of
//! "at most S apart" holds on the path when no gap is longer than S.

use serde::Serialize;

/// Where a gap lies on its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapKind {
    /// From the path's start to its first site.
    Start,
    /// Between two neighbouring sites.
    Between,
    /// From the last site to the path's end.
    End,
    /// A path without a site.
    Whole,
    /// On a closed loop, from the last site round past the loop's first
    /// position to the first site (its end chainage is beyond the loop's
    /// length).
    Around,
}

/// A stretch of a path without a qualifying site.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gap {
    /// The path (index into the paths).
    pub path: u32,
    /// Chainage where it starts, metres.
    pub from_m: f64,
    /// Chainage where it ends, metres.
    pub to_m: f64,
    /// Where it lies.
    pub kind: GapKind,
}

impl Gap {
    /// Its length, metres.
    pub fn length_m(&self) -> f64 {
        self.to_m - self.from_m
    }
}

/// Lengths within a millimetre of the spacing pass: chainages are sums of
/// geodesics, each exact to far less.
pub const TOLERANCE_M: f64 = 1e-3;

/// The gaps of path `path` of `length_m` with sites at `chainages_m`
/// (sorted).
pub fn gaps(path: u32, length_m: f64, chainages_m: &[f64]) -> Vec<Gap> {
    let Some((&first, &last)) = chainages_m.first().zip(chainages_m.last()) else {
        return vec![Gap {
            path,
            from_m: 0.0,
            to_m: length_m,
            kind: GapKind::Whole,
        }];
    };
    let mut out = Vec::with_capacity(chainages_m.len() + 1);
    out.push(Gap {
        path,
        from_m: 0.0,
        to_m: first,
        kind: GapKind::Start,
    });
    out.extend(chainages_m.windows(2).map(|w| Gap {
        path,
        from_m: w[0],
        to_m: w[1],
        kind: GapKind::Between,
    }));
    out.push(Gap {
        path,
        from_m: last,
        to_m: length_m,
        kind: GapKind::End,
    });
    out
}

/// The gaps of a closed loop of `length_m` with sites at `chainages_m`
/// (sorted): between neighbours, and from the last site round to the
/// first — wherever the loop happens to start, a driver passes from one
/// to the other. Without a site, the whole loop.
pub fn gaps_around(path: u32, length_m: f64, chainages_m: &[f64]) -> Vec<Gap> {
    let Some((&first, &last)) = chainages_m.first().zip(chainages_m.last()) else {
        return gaps(path, length_m, chainages_m);
    };
    let mut out: Vec<Gap> = chainages_m
        .windows(2)
        .map(|w| Gap {
            path,
            from_m: w[0],
            to_m: w[1],
            kind: GapKind::Between,
        })
        .collect();
    out.push(Gap {
        path,
        from_m: last,
        to_m: first + length_m,
        kind: GapKind::Around,
    });
    out
}

/// [`close`] on a closed loop: the loop cut open at its first site (or,
/// without one, a new site at its start), so that the gap round past the
/// loop's start is closed like any other.
pub fn close_around(length_m: f64, chainages_m: &[f64], spacing_m: f64) -> Vec<f64> {
    let (first, mut placed) = match chainages_m.first() {
        Some(&first) => (first, Vec::new()),
        None => (0.0, vec![0.0]),
    };
    let rotated: Vec<f64> = chainages_m.iter().map(|c| c - first).collect();
    placed.extend(close(length_m, &rotated, spacing_m).into_iter().map(|m| {
        let m = m + first;
        if m >= length_m { m - length_m } else { m }
    }));
    placed.sort_by(f64::total_cmp);
    placed
}

/// The fewest new sites (their chainages) so that no gap of the path is
/// longer than `spacing_m`: each placed as far on as the gap behind it
/// allows. In one dimension this greedy cover is optimal — any solution
/// has its k-th new site no further on than the greedy's.
pub fn close(length_m: f64, chainages_m: &[f64], spacing_m: f64) -> Vec<f64> {
    let mut placed = Vec::new();
    let mut behind = 0.0_f64;
    for target in chainages_m.iter().copied().chain(std::iter::once(length_m)) {
        while target - behind > spacing_m + TOLERANCE_M {
            behind += spacing_m;
            placed.push(behind);
        }
        behind = behind.max(target);
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_of_a_path() {
        // L = 100, sites at 30 and 70: gaps 30, 40, 30.
        let g = gaps(0, 100.0, &[30.0, 70.0]);
        let lengths: Vec<f64> = g.iter().map(Gap::length_m).collect();
        assert_eq!(lengths, vec![30.0, 40.0, 30.0]);
        assert_eq!(g[0].kind, GapKind::Start);
        assert_eq!(g[2].kind, GapKind::End);
        let whole = gaps(3, 50.0, &[]);
        assert_eq!(whole.len(), 1);
        assert_eq!((whole[0].kind, whole[0].length_m()), (GapKind::Whole, 50.0));
    }

    #[test]
    fn a_loop_joins_its_last_gap_to_its_first() {
        // A 100 km loop with sites at 10 and 40: gaps 30 and 70 (40 → 100
        // → 10), whatever position the loop was drawn from.
        let g = gaps_around(0, 100.0, &[10.0, 40.0]);
        let lengths: Vec<f64> = g.iter().map(Gap::length_m).collect();
        assert_eq!(lengths, vec![30.0, 70.0]);
        assert_eq!(
            (g[1].kind, g[1].from_m, g[1].to_m),
            (GapKind::Around, 40.0, 110.0)
        );
        // The same loop drawn from 30 km further on: sites at 80 and 10.
        let rotated: Vec<f64> = gaps_around(0, 100.0, &[10.0, 80.0])
            .iter()
            .map(Gap::length_m)
            .collect();
        assert_eq!(rotated, vec![70.0, 30.0]);
        // Without a site: the whole loop.
        assert_eq!(gaps_around(0, 100.0, &[])[0].kind, GapKind::Whole);
    }

    #[test]
    fn closing_a_loop_closes_the_gap_round_its_start() {
        // 100 km loop, sites at 10 and 40, spacing 60: the gap 40 → 10
        // (70 km) needs one site, at 100 ≡ 0.
        assert_eq!(close_around(100.0, &[10.0, 40.0], 60.0), vec![0.0]);
        // Without a site: 0 and 60 (gaps 60 and 40 round the loop).
        assert_eq!(close_around(100.0, &[], 60.0), vec![0.0, 60.0]);
        // After closing, every gap round the loop is within the spacing.
        let mut all = vec![5.0, 150.0];
        all.extend(close_around(260.0, &all.clone(), 60.0));
        all.sort_by(f64::total_cmp);
        assert!(
            gaps_around(0, 260.0, &all)
                .iter()
                .all(|g| g.length_m() <= 60.0 + TOLERANCE_M)
        );
    }

    #[test]
    fn closing_is_greedy_and_minimal() {
        // 100 km, no site, spacing 60: one site at 60 leaves 60 and 40.
        assert_eq!(close(100.0, &[], 60.0), vec![60.0]);
        // 130 km with a site at 10: 10 → 70 → 130 needs one at 70.
        assert_eq!(close(130.0, &[10.0], 60.0), vec![70.0]);
        // Gaps already within the spacing: nothing to add.
        assert!(close(100.0, &[40.0, 90.0], 60.0).is_empty());
        // 200 km, sites at 0 and 200: 60, 120, 180 — three, and no two
        // would do (three gaps of at most 60 cover at most 180 km).
        assert_eq!(close(200.0, &[0.0, 200.0], 60.0), vec![60.0, 120.0, 180.0]);
        // After placing, every gap is within the spacing.
        let mut all = vec![5.0, 150.0];
        all.extend(close(260.0, &all.clone(), 60.0));
        all.sort_by(f64::total_cmp);
        assert!(gaps(0, 260.0, &all).iter().all(|g| g.length_m() <= 60.0));
    }
}
