//! Spatial indexes over stations, built once per run.
//!
//! Two flat k-d trees ([`crate::index::kdtree`]) serve two questions. "Which
//! stations lie in this box?" is a planar question in lon/lat. "Which
//! station is nearest?" is not: degrees of longitude shrink towards the
//! poles, so the nearest-neighbour tree holds surface normals as 3-D unit
//! vectors, whose chord length grows with the angle between them, and
//! candidates are ranked by true geodesic distance before one is chosen.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use geo::{Coord, Rect};
use rayon::prelude::*;

use crate::geodesy::{Anchor, distance_m, lower_bound_m, unit_vector};
use crate::index::kdtree::{Children, KdTree};

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

    /// Every candidate station within `reach_m` of `p` (geodesic), and
    /// perhaps some a little farther, in no order: a box query on the
    /// normals (no station within reach has a chord — or any component of
    /// it — longer than reach / the least radius of curvature, plus the
    /// `f32` rounding). Cheaper than [`StationIndex::by_distance`] when all
    /// of them are wanted.
    pub fn candidates_near(&self, p: Coord<f64>, reach_m: f64, mut found: impl FnMut(u32)) {
        let q = unit_vector(p);
        let half = reach_m / crate::geodesy::MIN_CURVATURE_RADIUS_M + 2.0 * CHORD_ROUNDING;
        self.spherical.within(
            [q[0] - half, q[1] - half, q[2] - half],
            [q[0] + half, q[1] + half, q[2] + half],
            |e| found(e.1),
        );
    }

    /// The candidate station geodesically nearest to `p`, if any. Ties are
    /// broken by the lower station position, so results are deterministic.
    pub fn nearest(&self, p: Coord<f64>) -> Option<Nearest> {
        let mut best: Option<Nearest> = None;
        // The first station measured bounds those a few metres from it
        // (a pile), which are then passed over without a geodesic.
        let mut anchor: Option<Anchor> = None;
        for (station, bound) in self.by_distance(p) {
            if let Some(b) = best
                && bound > b.distance_m
            {
                break;
            }
            let at = self.location(station);
            if let (Some(a), Some(b)) = (anchor, best)
                && a.lower_bound_m(at).is_some_and(|l| l > b.distance_m)
            {
                continue;
            }
            let d = match anchor {
                Some(_) => distance_m(p, at),
                None => {
                    let a = Anchor::new(p, at);
                    anchor = Some(a);
                    a.distance_m()
                }
            };
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

/// The largest radius of curvature of WGS84 (a²/b, at the poles), rounded
/// up: two points whose normals are θ radians apart are joined by a path
/// no longer than this times θ, so it bounds distances from above as
/// [`crate::geodesy::MIN_CURVATURE_RADIUS_M`] bounds them from below.
const MAX_CURVATURE_RADIUS_M: f64 = 6_399_594.0;

/// A node box's centre on the sphere, and an upper bound (metres) of the
/// geodesic distance from it to any normal in the box; `None` when the box
/// is too large for the bound to mean anything.
fn node_centre(min: [f64; 3], max: [f64; 3]) -> Option<([f64; 3], f64)> {
    let c = [0, 1, 2].map(|k| (min[k] + max[k]) / 2.0);
    let half = [0, 1, 2].map(|k| (max[k] - min[k]) / 2.0);
    let h = half.iter().map(|v| v * v).sum::<f64>().sqrt() + CHORD_ROUNDING;
    let norm = c.iter().map(|v| v * v).sum::<f64>().sqrt();
    // A unit normal v with |v − c| ≤ h < |c| is at most asin(h) from c's
    // direction (the distance from v to the line through c is sin θ).
    if h >= 0.5 || norm <= h {
        return None;
    }
    let centre = c.map(|v| v / norm);
    Some((
        centre,
        h.asin() * MAX_CURVATURE_RADIUS_M * (1.0 + 1e-9) + 1e-3,
    ))
}

/// The lon/lat of a unit normal.
fn lon_lat(v: [f64; 3]) -> Coord<f64> {
    Coord {
        x: v[1].atan2(v[0]).to_degrees(),
        y: v[2].clamp(-1.0, 1.0).asin().to_degrees(),
    }
}

/// An upper bound of the geodesic distance between the points with unit
/// normals `a` and (rounded to `f32`) `b`.
fn distance_above_m(a: [f64; 3], b: &[f32; 3]) -> f64 {
    let chord_sq: f64 = (0..3).map(|k| (a[k] - f64::from(b[k])).powi(2)).sum();
    let chord = chord_sq.sqrt() + CHORD_ROUNDING;
    2.0 * (chord / 2.0).min(1.0).asin() * MAX_CURVATURE_RADIUS_M * (1.0 + 1e-9) + 1e-3
}

impl StationIndex {
    /// The candidate station with the least `f(location)` of those with
    /// `f ≤ upper_m`, ties broken by the lower station position; `f` must
    /// be the geodesic distance to a set lying within `reach_m` of `p`
    /// (an area around its representative point). Such an `f` is
    /// 1-Lipschitz, so a node of the tree whose centre is `f(c)` away
    /// from the set cannot hold a station nearer than `f(c)` less the
    /// node's radius; and no station is nearer than its distance from `p`
    /// less `reach_m`. Branch and bound on both: a dense cluster far from
    /// the set is measured at a few node centres, not station by station.
    pub fn nearest_to_set(
        &self,
        p: Coord<f64>,
        reach_m: f64,
        upper_m: f64,
        mut f: impl FnMut(Coord<f64>) -> f64,
    ) -> Option<Nearest> {
        enum Item<'a> {
            Node(crate::index::kdtree::Node<3>, Option<([f64; 3], f64)>),
            Entry(&'a ([f32; 3], u32)),
        }
        let q = unit_vector(p);
        let from_p = |chord_sq: f64| {
            let chord = (chord_sq.sqrt() - CHORD_ROUNDING).max(0.0);
            lower_bound_m(chord * chord) - reach_m
        };
        let box_from_p = |node: &crate::index::kdtree::Node<3>| {
            let (min, max) = (node.min(), node.max());
            let gap_sq: f64 = (0..3)
                .map(|k| (min[k] - q[k]).max(q[k] - max[k]).max(0.0).powi(2))
                .sum();
            from_p(gap_sq)
        };
        let mut best: Option<Nearest> = None;
        let limit = |best: &Option<Nearest>| best.map_or(upper_m, |b| b.distance_m.min(upper_m));
        let mut heap: BinaryHeap<Reverse<(u64, usize)>> = BinaryHeap::new();
        let mut items: Vec<Item> = Vec::new();
        /// Bounds are clamped at 0 (no distance is less), so their bits
        /// order like them.
        fn push<'a>(
            heap: &mut BinaryHeap<Reverse<(u64, usize)>>,
            items: &mut Vec<Item<'a>>,
            bound: f64,
            item: Item<'a>,
        ) {
            items.push(item);
            heap.push(Reverse((bound.max(0.0).to_bits(), items.len() - 1)));
        }
        if let Some(root) = self.spherical.root() {
            push(&mut heap, &mut items, 0.0, Item::Node(root, None));
        }
        // A node is worth measuring at its centre only when it is small
        // next to the set; a larger one is opened on the bound from `p`.
        let worth = reach_m.max(1.0);
        while let Some(Reverse((bits, at))) = heap.pop() {
            if f64::from_bits(bits) > limit(&best) {
                break;
            }
            match items[at] {
                Item::Entry(&(_, station)) => {
                    let d = f(self.location(station));
                    if d <= limit(&best)
                        && best.is_none_or(|b| (d, station) < (b.distance_m, b.station))
                    {
                        best = Some(Nearest {
                            station,
                            distance_m: d,
                        });
                    }
                }
                Item::Node(node, measured) => {
                    let entry_bound = |e: &([f32; 3], u32)| {
                        let chord_sq: f64 =
                            (0..3).map(|k| (f64::from(e.0[k]) - q[k]).powi(2)).sum();
                        let mut bound = from_p(chord_sq);
                        if let Some((c, fc)) = measured {
                            bound = bound.max(fc - distance_above_m(c, &e.0));
                        }
                        bound
                    };
                    match self.spherical.children(&node) {
                        Children::Leaf(entries) => {
                            for e in entries {
                                let bound = entry_bound(e);
                                if bound <= limit(&best) {
                                    push(&mut heap, &mut items, bound, Item::Entry(e));
                                }
                            }
                        }
                        Children::Split { middle, low, high } => {
                            let bound = entry_bound(middle);
                            if bound <= limit(&best) {
                                push(&mut heap, &mut items, bound, Item::Entry(middle));
                            }
                            for child in [low, high] {
                                let mut bound = box_from_p(&child);
                                if bound > limit(&best) {
                                    continue;
                                }
                                let mut at_centre = None;
                                if let Some((c, radius)) = node_centre(child.min(), child.max())
                                    && radius < worth
                                {
                                    let fc = f(lon_lat(c));
                                    bound = bound.max(fc - radius);
                                    at_centre = Some((c, fc));
                                }
                                if bound <= limit(&best) {
                                    push(
                                        &mut heap,
                                        &mut items,
                                        bound,
                                        Item::Node(child, at_centre),
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

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
        /// The branch and bound finds the station a scan of every candidate
        /// finds (least distance to the area, then lowest position), for
        /// clusters near, around and far from the area.
        #[test]
        fn nearest_to_set_agrees_with_measuring_every_station(
            offsets in proptest::collection::vec((-1.0f64..1.0, -1.0f64..1.0, proptest::bool::weighted(0.8)), 1..150),
            spread in proptest::sample::select(vec![1e-5, 1e-3, 0.1, 3.0]),
            (cx, cy) in (-40.0f64..40.0, -70.0f64..70.0),
            (ax, ay) in (-40.0f64..40.0, -70.0f64..70.0),
        ) {
            let locations: Vec<Coord<f64>> = offsets
                .iter()
                .map(|&(x, y, _)| Coord { x: cx + x * spread, y: cy + y * spread })
                .collect();
            let ok: Vec<bool> = offsets.iter().map(|o| o.2).collect();
            let index = StationIndex::new(locations.clone(), &ok);
            let area = geo::MultiPolygon::new(vec![polygon![
                (x: ax, y: ay), (x: ax + 0.5, y: ay), (x: ax + 0.5, y: ay + 0.3), (x: ax, y: ay),
            ]]);
            let outline = crate::geodesy::Boundary::new(&area);
            let p = Coord { x: ax + 0.3, y: ay + 0.1 };
            let reach = [(ax, ay), (ax + 0.5, ay), (ax + 0.5, ay + 0.3)]
                .iter()
                .map(|&(x, y)| distance_m(p, Coord { x, y }))
                .fold(0.0, f64::max) * 1.01 + 1.0;
            let found = index.nearest_to_set(p, reach, f64::INFINITY, |s| outline.distance_m(s).0);
            let scan = (0..locations.len())
                .filter(|&i| ok[i])
                .map(|i| (outline.distance_m(locations[i]).0, i as u32))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            proptest::prop_assert_eq!(found.map(|n| (n.distance_m, n.station)), scan);
        }
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

        /// Piles: hundreds of stations within a few metres, seen from
        /// near and far — the anchor passes most over, the answer is the
        /// nearest all the same (ties to the lower position).
        #[test]
        fn nearest_in_a_pile_agrees_with_brute_force(
            offsets in proptest::collection::vec((-3e-5f64..3e-5, -3e-5f64..3e-5), 1..300),
            (cx, cy) in (-170.0f64..170.0, -84.0f64..84.0),
            (bearing, far) in (0.0f64..std::f64::consts::TAU, proptest::sample::select(vec![1e-4, 1e-3, 0.02, 0.5, 5.0])),
        ) {
            let locations: Vec<Coord<f64>> =
                offsets.iter().map(|&(x, y)| Coord { x: cx + x, y: cy + y }).collect();
            let index = StationIndex::new(locations.clone(), &vec![true; locations.len()]);
            let q = Coord { x: cx + far * bearing.cos(), y: (cy + far * bearing.sin()).clamp(-89.0, 89.0) };
            let brute = (0..locations.len() as u32)
                .map(|i| (distance_m(q, locations[i as usize]), i))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .unwrap();
            let found = index.nearest(q).unwrap();
            proptest::prop_assert_eq!((found.distance_m, found.station), brute);
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
