//! Pairing id-less stations of two snapshots by place.
//!
//! The rule is the greedy one users can reason about: of all (old, new)
//! pairs within the matching distance, the closest is taken first (ties
//! by the lower old position, then the lower new position), and every
//! later pair that reuses a taken station is skipped. Listing every pair
//! within the distance costs old × new when a hub's piles stand metres
//! apart (5,000 within 3 m: 25 million pairs). Instead each old station
//! keeps one entry in a heap — its nearest free new station — and when
//! that one is taken by someone else the entry is recomputed. An entry's
//! key can only grow when recomputed, so the heap's minimum, once it is
//! current, is exactly the pair the greedy rule takes next.
//!
//! New stations at exactly the same place share one spot in the tree,
//! served in file order, so a pile of identical points costs one lookup.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use geo::Coord;
use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::geodesy::{distance_m, lower_bound_m, unit_vector};

/// A distinct new location: its surface normal and its number.
type Spot = GeomWithData<[f64; 3], u32>;

/// Slack on the chord's lower bound for rounding in the unit vectors
/// (metres; far above the ~1e-9 m they can be off).
const ROUNDING_M: f64 = 1e-6;

/// The free new stations, by distinct location.
struct Free {
    tree: RTree<Spot>,
    spots: Vec<Spot>,
    places: Vec<Coord<f64>>,
    /// Per location, its new stations in ascending position, and how many
    /// of them are taken.
    queues: Vec<(Vec<usize>, usize)>,
}

impl Free {
    fn new(new: &[(usize, Coord<f64>)]) -> Self {
        let mut at: HashMap<(u64, u64), u32> = HashMap::new();
        let mut places = Vec::new();
        let mut queues: Vec<(Vec<usize>, usize)> = Vec::new();
        for &(j, c) in new {
            let slot = *at.entry((c.x.to_bits(), c.y.to_bits())).or_insert_with(|| {
                places.push(c);
                queues.push((Vec::new(), 0));
                (places.len() - 1) as u32
            });
            queues[slot as usize].0.push(j);
        }
        for (list, _) in &mut queues {
            list.sort_unstable();
        }
        let spots: Vec<Spot> = places
            .iter()
            .enumerate()
            .map(|(i, &c)| GeomWithData::new(unit_vector(c), i as u32))
            .collect();
        Free {
            tree: RTree::bulk_load(spots.clone()),
            spots,
            places,
            queues,
        }
    }

    /// The first free station at location `spot`.
    fn front(&self, spot: u32) -> Option<usize> {
        let (list, taken) = &self.queues[spot as usize];
        list.get(*taken).copied()
    }

    /// Takes the first free station at `spot`.
    fn take(&mut self, spot: u32) {
        let (list, taken) = &mut self.queues[spot as usize];
        *taken += 1;
        if *taken == list.len() {
            self.tree.remove(&self.spots[spot as usize]);
        }
    }

    /// The free new station nearest to `p` within `match_m`, as the heap
    /// key (distance bits, old position, new position, spot): the least
    /// distance, and of equal distances the lowest new position.
    fn nearest(&self, k: usize, p: Coord<f64>, match_m: f64) -> Option<(u64, usize, usize, u32)> {
        let mut best: Option<(f64, usize, u32)> = None;
        for (spot, chord_sq) in self
            .tree
            .nearest_neighbor_iter_with_distance_2(&unit_vector(p))
        {
            let bound = lower_bound_m(chord_sq) - ROUNDING_M;
            if bound > match_m || best.is_some_and(|(d, _, _)| bound > d) {
                break;
            }
            let d = distance_m(p, self.places[spot.data as usize]);
            let Some(j) = self.front(spot.data) else {
                continue;
            };
            if d <= match_m && best.is_none_or(|(bd, bj, _)| (d, j) < (bd, bj)) {
                best = Some((d, j, spot.data));
            }
        }
        // Non-negative floats order like their bits.
        best.map(|(d, j, spot)| (d.to_bits(), k, j, spot))
    }
}

/// Pairs `old` with `new` stations (position, location) within `match_m`
/// metres, closest first; see the module documentation.
pub fn pair_by_place(
    old: &[(usize, Coord<f64>)],
    new: &[(usize, Coord<f64>)],
    match_m: f64,
) -> Vec<(usize, usize)> {
    if old.is_empty() || new.is_empty() {
        return Vec::new();
    }
    let mut free = Free::new(new);
    let place: HashMap<usize, Coord<f64>> = old.iter().copied().collect();
    let mut heap: BinaryHeap<Reverse<(u64, usize, usize, u32)>> = old
        .iter()
        .filter_map(|&(k, p)| free.nearest(k, p, match_m))
        .map(Reverse)
        .collect();
    let mut pairs = Vec::new();
    while let Some(Reverse((bits, k, j, spot))) = heap.pop() {
        if free.front(spot) == Some(j) {
            free.take(spot);
            pairs.push((k, j));
        } else if let Some(next) = free.nearest(k, place[&k], match_m) {
            debug_assert!(next.0 >= bits, "a recomputed key never shrinks");
            heap.push(Reverse(next));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as stated: every pair within the distance, sorted, taken
    /// greedily. Quadratic; the reference for the heap version.
    fn pair_all(
        old: &[(usize, Coord<f64>)],
        new: &[(usize, Coord<f64>)],
        match_m: f64,
    ) -> Vec<(usize, usize)> {
        let mut candidates = Vec::new();
        for &(k, p) in old {
            for &(j, q) in new {
                let d = distance_m(p, q);
                if d <= match_m {
                    candidates.push((d, k, j));
                }
            }
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let (mut old_used, mut new_used) = (
            std::collections::HashSet::new(),
            std::collections::HashSet::new(),
        );
        let mut pairs = Vec::new();
        for (_, k, j) in candidates {
            if !old_used.contains(&k) && !new_used.contains(&j) {
                old_used.insert(k);
                new_used.insert(j);
                pairs.push((k, j));
            }
        }
        pairs
    }

    fn sorted(mut v: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
        v.sort_unstable();
        v
    }

    /// Points on a grid of 1e-5° (about 1 m) steps, so that piles of
    /// identical points and exactly equal distances both occur.
    fn points(cells: &[(u8, u8)]) -> Vec<(usize, Coord<f64>)> {
        cells
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| {
                (
                    i * 3 + 1, // positions need not be contiguous
                    Coord {
                        x: 8.4 + f64::from(x % 8) * 1e-5,
                        y: 49.0 + f64::from(y % 8) * 1e-5,
                    },
                )
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn the_heap_takes_the_pairs_the_sorted_list_takes(
            old in proptest::collection::vec((0u8..8, 0u8..8), 0..40),
            new in proptest::collection::vec((0u8..8, 0u8..8), 0..40),
            match_m in 0.0f64..8.0,
        ) {
            let (old, new) = (points(&old), points(&new));
            proptest::prop_assert_eq!(
                sorted(pair_by_place(&old, &new, match_m)),
                sorted(pair_all(&old, &new, match_m))
            );
        }
    }

    #[test]
    fn a_pile_pairs_in_file_order() {
        // Three old and two new stations at one point: the two lowest old
        // positions take the new ones in order.
        let p = Coord { x: 1.0, y: 2.0 };
        let old = [(0, p), (1, p), (2, p)];
        let new = [(5, p), (4, p)];
        assert_eq!(sorted(pair_by_place(&old, &new, 0.0)), vec![(0, 4), (1, 5)]);
    }

    #[test]
    fn nothing_beyond_the_distance() {
        // 1e-4° of latitude is about 11 m.
        let old = [(0, Coord { x: 0.0, y: 0.0 })];
        let new = [(0, Coord { x: 0.0, y: 1e-4 })];
        assert!(pair_by_place(&old, &new, 10.0).is_empty());
        assert_eq!(pair_by_place(&old, &new, 12.0), vec![(0, 0)]);
    }
}
