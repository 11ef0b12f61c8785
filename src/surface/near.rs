//! The stations that can be nearest anywhere in a cell, handed from a cell
//! to its quarters, so that the cells of a split ask a short list instead
//! of the whole index.
//!
//! If the nearest qualifying station to a cell's centre `c` is `d` away
//! and no point of the cell is farther than `h` from `c`, every point of
//! the cell has a station within `d + h` (the distance is 1-Lipschitz), so
//! its nearest station lies within `d + 2h` of `c`. Those stations answer
//! every nearest-station question inside the cell and its quarters; each
//! quarter passes on the part of the list within its own `d + 2h`.

use geo::Coord;

use crate::geodesy::{
    Anchor, MIN_CURVATURE_RADIUS_M, chord_sq, distance_m, unit_vector, upper_bound_m,
};
use crate::index::{Nearest, StationIndex};

/// Most stations a list holds: a cell whose list would be longer asks the
/// index (a list is scanned whole for each question).
pub const CAP: usize = 256;

/// A station on a list: its position in the layer, lon/lat and normal.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// Position of the station in the layer.
    pub station: u32,
    /// Its lon/lat.
    pub at: Coord<f64>,
    normal: [f64; 3],
}

/// Every qualifying station that can be nearest to some point of a cell.
#[derive(Debug, Clone, Default)]
pub struct Near {
    items: Vec<Candidate>,
}

/// The squared chord below which two normals may be within `reach_m` of
/// each other: no geodesic is shorter than its angle times the least
/// radius of curvature (a relative margin far above the rounding).
fn chord_sq_within(reach_m: f64) -> f64 {
    let angle = (reach_m / MIN_CURVATURE_RADIUS_M).min(std::f64::consts::PI);
    let chord = 2.0 * (angle / 2.0).sin();
    chord * chord * (1.0 + 1e-9) + 1e-18
}

impl Near {
    /// The qualifying stations within `reach_m` of `p` (and perhaps a few
    /// farther), or `None` when there are more than [`CAP`].
    pub fn gather(index: &StationIndex, p: Coord<f64>, reach_m: f64) -> Option<Near> {
        let mut items = Vec::new();
        let mut over = false;
        index.candidates_near(p, reach_m, |station| {
            if items.len() < CAP {
                let at = index.location(station);
                items.push(Candidate {
                    station,
                    at,
                    normal: unit_vector(at),
                });
            } else {
                over = true;
            }
        });
        (!over).then_some(Near { items })
    }

    /// The stations of the list that may lie within `reach_m` of `p`.
    pub fn within(&self, p: Coord<f64>, reach_m: f64) -> Near {
        let q = unit_vector(p);
        let limit = chord_sq_within(reach_m);
        Near {
            items: self
                .items
                .iter()
                .filter(|c| chord_sq(q, c.normal) <= limit)
                .copied()
                .collect(),
        }
    }

    /// The stations on the list.
    pub fn iter(&self) -> impl Iterator<Item = &Candidate> {
        self.items.iter()
    }

    /// The station of the list geodesically nearest to `p`, ties broken by
    /// the lower station position — what [`StationIndex::nearest`] answers
    /// when the list holds the nearest station. Only the stations whose
    /// lower bound (by the angle between normals) is within the least
    /// upper bound are measured.
    pub fn nearest(&self, p: Coord<f64>) -> Option<Nearest> {
        let q = unit_vector(p);
        let (first, least) = self
            .items
            .iter()
            .map(|c| (c, chord_sq(q, c.normal)))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        // The station nearest by the normals is measured first and bounds
        // those a few metres from it (a pile) without a geodesic each.
        let anchor = Anchor::new(p, first.at);
        let mut best = Nearest {
            station: first.station,
            distance_m: anchor.distance_m(),
        };
        let limit = chord_sq_within(upper_bound_m(least));
        for c in &self.items {
            if c.station == first.station || chord_sq(q, c.normal) > limit {
                continue;
            }
            if anchor
                .lower_bound_m(c.at)
                .is_some_and(|l| l > best.distance_m)
            {
                continue;
            }
            let d = distance_m(p, c.at);
            if (d, c.station) < (best.distance_m, best.station) {
                best = Nearest {
                    station: c.station,
                    distance_m: d,
                };
            }
        }
        Some(best)
    }
}

/// The nearest qualifying station to `p`, from the list when there is one.
pub fn nearest(index: &StationIndex, list: Option<&Near>, p: Coord<f64>) -> Option<Nearest> {
    match list {
        Some(list) => list.nearest(p),
        None => index.nearest(p),
    }
}

/// The list a cell hands its quarters: the stations within `d + 2h` of its
/// centre, from its own list when it has one, else from the index once the
/// cell's half-diagonal is at most four times its distance to the nearest
/// station (such cells hold few stations within that reach; on the
/// 4,000-area benchmark 4 and 8 times ran alike, well ahead of 1, and 4
/// keeps the lists shorter); `None` when there is no finite distance or
/// the list would be too long.
pub fn for_quarters(
    index: &StationIndex,
    list: Option<&Near>,
    centre: Coord<f64>,
    d: f64,
    h: f64,
) -> Option<Near> {
    if !d.is_finite() {
        return None;
    }
    let reach = (d + 2.0 * h) * (1.0 + 1e-9) + 1e-3;
    match list {
        Some(list) => Some(list.within(centre, reach)),
        None if h <= 4.0 * d => Near::gather(index, centre, reach),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Inside a cell, the list handed down answers as the index does —
        /// the same station at the same distance — two levels down.
        #[test]
        fn lists_answer_as_the_index(
            // Fewer than CAP: every list is gathered.
            stations in proptest::collection::vec((-0.5f64..0.5, -0.5f64..0.5), 1..CAP),
            (cx, cy, half) in (-0.4f64..0.4, -0.4f64..0.4, 0.001f64..0.2),
            probes in proptest::collection::vec((-1.0f64..1.0, -1.0f64..1.0), 1..20),
            lat in -70.0f64..70.0,
            // Spread over a degree, or piled within about 10 m.
            spread in proptest::sample::select(vec![1.0, 1e-4]),
        ) {
            let at: Vec<Coord<f64>> = stations
                .iter()
                .map(|&(x, y)| Coord { x: 100.0 + x * spread, y: lat + y * spread })
                .collect();
            let index = StationIndex::new(at.iter().copied(), &vec![true; at.len()]);
            let rect = geo::Rect::new(
                Coord { x: 100.0 + cx - half, y: lat + cy - half },
                Coord { x: 100.0 + cx + half, y: lat + cy + half },
            );
            let h = super::super::field::half_diagonal_m(rect);
            let centre = rect.center();
            let d = index.nearest(centre).map_or(f64::INFINITY, |n| n.distance_m);
            // Forced: the index is asked even for a cell larger than d.
            let reach = (d + 2.0 * h) * (1.0 + 1e-9) + 1e-3;
            let list = Near::gather(&index, centre, reach).expect("fewer than CAP");
            let quarter = super::super::field::quarters(rect)[0];
            let qc = quarter.center();
            let qd = list.nearest(qc).map_or(f64::INFINITY, |n| n.distance_m);
            let handed = for_quarters(&index, Some(&list), qc, qd, super::super::field::half_diagonal_m(quarter))
                .expect("a list is handed on");
            for &(u, v) in &probes {
                let p = Coord {
                    x: quarter.min().x + (u + 1.0) / 2.0 * quarter.width(),
                    y: quarter.min().y + (v + 1.0) / 2.0 * quarter.height(),
                };
                proptest::prop_assert_eq!(handed.nearest(p), index.nearest(p));
                proptest::prop_assert_eq!(list.nearest(p), index.nearest(p));
            }
        }
    }
}
