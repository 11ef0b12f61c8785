//! Spatial indexes over stations, built once per run.
//!
//! Two flat k-d trees ([`crate::kdtree`]) serve two questions. "Which
//! stations lie in this box?" is a planar question in lon/lat. "Which
//! station is nearest?" is not: degrees of longitude shrink towards the
//! poles, so the nearest-neighbour tree holds surface normals as 3-D unit
//! vectors, whose chord length grows with the angle between them, and
//! candidates are ranked by true geodesic distance before one is chosen.

use geo::{Coord, Rect};
use rayon::prelude::*;

use crate::geodesy::{distance_m, lower_bound_m, unit_vector};
use crate::kdtree::KdTree;

/// How far a unit vector rounded to `f32` can be from the exact one: half
/// an ulp of at most 2⁻²⁴ in each of three components is under 5.2e-8;
/// 1e-7 (0.64 m on the ground) leaves a margin. Chords measured to the
/// rounded vectors are shortened by this before they bound a distance.
const CHORD_ROUNDING: f64 = 1e-7;

/// The nearest station found for a point.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Nearest {
    /// Position of the station in the slice the index was built from.
    pub station: u32,
    /// Geodesic distance to it, in metres.
    pub distance_m: f64,
}

/// Stations indexed for box queries (all of them) and nearest-neighbour
/// queries (a chosen subset, e.g. those that qualify under the rule).
pub struct StationIndex {
    /// Every station's lon/lat, in tree order.
    planar: KdTree<2>,
    /// Where each station (by position in the layer) sits in `planar`.
    slot: Vec<u32>,
    /// The candidates' surface normals, in `f32` (half the memory; the
    /// rounding is allowed for in the lower bounds, see [`CHORD_ROUNDING`]).
    spherical: KdTree<3, f32>,
}

impl StationIndex {
    /// Indexes `locations` (one per station, in layer order); only those
    /// with `nearest_ok[i]` are candidates for nearest-neighbour queries.
    pub fn new(locations: impl IntoIterator<Item = Coord<f64>>, nearest_ok: &[bool]) -> Self {
        let entries: Vec<([f64; 2], u32)> = locations
            .into_iter()
            .enumerate()
            .map(|(i, c)| ([c.x, c.y], i as u32))
            .collect();
        // Candidates first, then their normals collected straight into
        // place (a filtered parallel collect would hold them twice).
        let candidates: Vec<u32> = (0..entries.len() as u32)
            .filter(|&i| nearest_ok[i as usize])
            .collect();
        let normals: Vec<([f32; 3], u32)> = candidates
            .into_par_iter()
            .map(|i| {
                let [x, y] = entries[i as usize].0;
                (unit_vector(Coord { x, y }).map(|v| v as f32), i)
            })
            .collect();
        // The two builds are independent: run them side by side.
        let (planar, spherical) = rayon::join(|| KdTree::new(entries), || KdTree::new(normals));
        let mut slot = vec![0u32; planar.len()];
        for (at, e) in planar.entries().iter().enumerate() {
            slot[e.1 as usize] = at as u32;
        }
        StationIndex {
            planar,
            slot,
            spherical,
        }
    }

    /// The location of station number `station`.
    pub fn location(&self, station: u32) -> Coord<f64> {
        let [x, y] = self.planar.entries()[self.slot[station as usize] as usize].0;
        Coord { x, y }
    }

    /// Stations whose location lies in `rect` (inclusive), with their
    /// locations (read from the tree's leaves, where they already are), in
    /// no particular order.
    pub fn in_rect(&self, rect: Rect<f64>) -> impl Iterator<Item = (u32, Coord<f64>)> + use<> {
        let mut found = Vec::new();
        let (min, max) = (rect.min(), rect.max());
        self.planar
            .within([min.x, min.y], [max.x, max.y], |&([x, y], i)| {
                found.push((i, Coord { x, y }))
            });
        found.into_iter()
    }

    /// Candidate stations in increasing order of their distance from `p`,
    /// each with a lower bound of that distance (geodesic metres); the
    /// bounds never decrease along the way.
    pub fn by_distance(&self, p: Coord<f64>) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.spherical
            .nearest_first(unit_vector(p))
            .map(|(e, chord_sq)| {
                let chord = (chord_sq.sqrt() - CHORD_ROUNDING).max(0.0);
                (e.1, lower_bound_m(chord * chord))
            })
    }

    /// The candidate station geodesically nearest to `p`, if any. Ties are
    /// broken by the lower station position, so results are deterministic.
    pub fn nearest(&self, p: Coord<f64>) -> Option<Nearest> {
        let mut best: Option<Nearest> = None;
        for (station, bound) in self.by_distance(p) {
            if let Some(b) = best
                && bound > b.distance_m
            {
                break;
            }
            let d = distance_m(p, self.location(station));
            let better = match best {
                None => true,
                Some(b) => d < b.distance_m || (d == b.distance_m && station < b.station),
            };
            if better {
                best = Some(Nearest {
                    station,
                    distance_m: d,
                });
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_is_geodesic_not_euclidean_in_degrees() {
        // At 60° N a degree of longitude is half a degree of latitude long.
        // X is 1.5° east (≈ 83.7 km), Y is 1° north (≈ 111.4 km): in degrees Y
        // looks nearer, on the ground X is.
        let p = Coord { x: 0.0, y: 60.0 };
        let x = Coord { x: 1.5, y: 60.0 };
        let y = Coord { x: 0.0, y: 61.0 };
        let index = StationIndex::new(vec![y, x], &[true, true]);
        let nearest = index.nearest(p).unwrap();
        assert_eq!(nearest.station, 1);
        assert!((nearest.distance_m - 83_600.0).abs() < 300.0, "{nearest:?}");
    }

    #[test]
    fn only_candidates_are_returned_by_nearest() {
        let locations = vec![Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 0.0 }];
        let index = StationIndex::new(locations, &[false, true]);
        assert_eq!(index.nearest(Coord { x: 0.0, y: 0.0 }).unwrap().station, 1);
        let none = StationIndex::new(vec![Coord { x: 0.0, y: 0.0 }], &[false]);
        assert_eq!(none.nearest(Coord { x: 0.0, y: 0.0 }), None);
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let index = StationIndex::new(Vec::new(), &[]);
        let everywhere = Rect::new(
            Coord {
                x: -180.0,
                y: -90.0,
            },
            Coord { x: 180.0, y: 90.0 },
        );
        assert_eq!(index.in_rect(everywhere).count(), 0);
        assert_eq!(index.nearest(Coord { x: 0.0, y: 0.0 }), None);
    }

    proptest::proptest! {
        /// Box queries find exactly the stations in the box, edges included
        /// (points on a 0.5° grid land on the box's edges often).
        #[test]
        fn in_rect_agrees_with_brute_force(
            points in proptest::collection::vec((-20i32..20, -20i32..20), 1..400),
            (x0, y0, w, h) in (-20i32..20, -20i32..20, 0i32..20, 0i32..20),
        ) {
            let locations: Vec<Coord<f64>> = points
                .iter()
                .map(|&(x, y)| Coord { x: f64::from(x) / 2.0, y: f64::from(y) / 2.0 })
                .collect();
            let index = StationIndex::new(locations.clone(), &vec![true; locations.len()]);
            let min = Coord { x: f64::from(x0) / 2.0, y: f64::from(y0) / 2.0 };
            let max = Coord { x: min.x + f64::from(w) / 2.0, y: min.y + f64::from(h) / 2.0 };
            let mut found: Vec<u32> = index
                .in_rect(Rect::new(min, max))
                .map(|(i, c)| {
                    assert_eq!(c, locations[i as usize]);
                    i
                })
                .collect();
            found.sort_unstable();
            let brute: Vec<u32> = (0..locations.len() as u32)
                .filter(|&i| {
                    let c = locations[i as usize];
                    c.x >= min.x && c.x <= max.x && c.y >= min.y && c.y <= max.y
                })
                .collect();
            proptest::prop_assert_eq!(found, brute);
        }

        #[test]
        fn nearest_agrees_with_brute_force(
            points in proptest::collection::vec((-180.0f64..180.0, -85.0f64..85.0), 1..60),
            (qx, qy) in (-180.0f64..180.0, -85.0f64..85.0),
        ) {
            let locations: Vec<Coord<f64>> = points.iter().map(|&(x, y)| Coord { x, y }).collect();
            let index = StationIndex::new(locations.clone(), &vec![true; locations.len()]);
            let q = Coord { x: qx, y: qy };
            let brute = locations
                .iter()
                .map(|&c| distance_m(q, c))
                .fold(f64::INFINITY, f64::min);
            let found = index.nearest(q).unwrap();
            proptest::prop_assert!((found.distance_m - brute).abs() < 1e-6);
        }
    }
}
