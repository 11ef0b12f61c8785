//! A static k-d tree in one flat array, for box queries (2-D lon/lat) and
//! nearest-first search (3-D unit vectors).
//!
//! The entries are reordered in place so that every node is a range of
//! the array, split at its middle entry: no node records, no pointers, and
//! 24 bytes an entry in 2-D (32 in 3-D) against 60–80 for an R-tree leaf.
//! A node's box is its parent's box cut at the middle entry's coordinate
//! along the box's widest side; the build and the queries derive the same
//! boxes the same way, so nothing but the entries is stored.
//!
//! Why not a crate: kdbush (2-D only, `usize` ids) has no nearest search,
//! rstar's nodes are 80 bytes an entry in 3-D, and kiddo has no search
//! that hands out entries nearest-first with a running lower bound, which
//! the geodesic nearest search needs (see [`crate::index`]).

use std::collections::BinaryHeap;

use crate::index::keyed::Keyed;

/// At most this many entries in a node that is scanned rather than split.
const LEAF: usize = 16;

/// Subtrees at least this large are built on another thread.
const PARALLEL: usize = 1 << 16;

/// A coordinate type: `f64`, or `f32` where half the memory is worth a
/// known rounding (the caller widens its bounds by it). Every computation
/// is done in `f64`, to which both convert exactly.
pub trait Ordinate: Copy + Send + Sync {
    /// The value as `f64`.
    fn get(self) -> f64;
}

impl Ordinate for f64 {
    fn get(self) -> f64 {
        self
    }
}

impl Ordinate for f32 {
    fn get(self) -> f64 {
        f64::from(self)
    }
}

/// A point with a small payload (a station's position in its layer).
pub type Entry<const K: usize, S = f64> = ([S; K], u32);

/// The k-d tree over `K`-dimensional points.
pub struct KdTree<const K: usize, S: Ordinate = f64> {
    entries: Vec<Entry<K, S>>,
    /// The box of all points; `None` when there are none.
    bounds: Option<Aabb<K>>,
}

#[derive(Debug, Clone, Copy)]
struct Aabb<const K: usize> {
    min: [f64; K],
    max: [f64; K],
}

impl<const K: usize> Aabb<K> {
    fn of<S: Ordinate>(entries: &[Entry<K, S>]) -> Option<Self> {
        let (first, rest) = entries.split_first()?;
        let first = point(&first.0);
        let mut b = Aabb {
            min: first,
            max: first,
        };
        for (p, _) in rest {
            for (k, &v) in p.iter().enumerate() {
                b.min[k] = b.min[k].min(v.get());
                b.max[k] = b.max[k].max(v.get());
            }
        }
        Some(b)
    }

    fn widest_axis(&self) -> usize {
        (0..K)
            .max_by(|&a, &b| (self.max[a] - self.min[a]).total_cmp(&(self.max[b] - self.min[b])))
            .unwrap_or(0)
    }

    /// The two halves of the box cut at `at` along `axis`.
    fn split(&self, axis: usize, at: f64) -> (Self, Self) {
        let (mut low, mut high) = (*self, *self);
        low.max[axis] = at;
        high.min[axis] = at;
        (low, high)
    }

    /// Squared distance from `q` to the nearest point of the box. Rounding
    /// is monotone, so this never exceeds the computed squared distance
    /// to a point inside the box.
    fn distance_sq(&self, q: &[f64; K]) -> f64 {
        let mut sum = 0.0;
        for (k, &v) in q.iter().enumerate() {
            let gap = if v < self.min[k] {
                self.min[k] - v
            } else if v > self.max[k] {
                v - self.max[k]
            } else {
                0.0
            };
            sum += gap * gap;
        }
        sum
    }

    fn intersects(&self, min: &[f64; K], max: &[f64; K]) -> bool {
        (0..K).all(|k| self.min[k] <= max[k] && self.max[k] >= min[k])
    }
}

/// The point in `f64`.
fn point<const K: usize, S: Ordinate>(p: &[S; K]) -> [f64; K] {
    p.map(Ordinate::get)
}

fn distance_sq<const K: usize>(a: &[f64; K], b: &[f64; K]) -> f64 {
    let mut sum = 0.0;
    for k in 0..K {
        let d = a[k] - b[k];
        sum += d * d;
    }
    sum
}

fn contains<const K: usize>(p: &[f64; K], min: &[f64; K], max: &[f64; K]) -> bool {
    (0..K).all(|k| p[k] >= min[k] && p[k] <= max[k])
}

/// Reorders `entries` into the tree under `bounds`.
fn build<const K: usize, S: Ordinate>(entries: &mut [Entry<K, S>], bounds: Aabb<K>) {
    if entries.len() <= LEAF {
        return;
    }
    let axis = bounds.widest_axis();
    let mid = entries.len() / 2;
    entries.select_nth_unstable_by(mid, |a, b| a.0[axis].get().total_cmp(&b.0[axis].get()));
    let (low_box, high_box) = bounds.split(axis, entries[mid].0[axis].get());
    let (low, rest) = entries.split_at_mut(mid);
    let high = &mut rest[1..];
    if low.len() >= PARALLEL {
        rayon::join(|| build(low, low_box), || build(high, high_box));
    } else {
        build(low, low_box);
        build(high, high_box);
    }
}

impl<const K: usize, S: Ordinate> KdTree<K, S> {
    /// Builds the tree (in parallel for large inputs). Coordinates must
    /// not be NaN.
    pub fn new(mut entries: Vec<Entry<K, S>>) -> Self {
        let bounds = Aabb::of(&entries);
        if let Some(b) = bounds {
            build(&mut entries, b);
        }
        KdTree { entries, bounds }
    }

    /// Entries in the tree.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The tree has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in tree order (each point and payload once).
    pub fn entries(&self) -> &[Entry<K, S>] {
        &self.entries
    }

    /// Calls `found` with every entry inside the box `min..=max` (edges
    /// included), in no particular order.
    pub fn within(&self, min: [f64; K], max: [f64; K], mut found: impl FnMut(&Entry<K, S>)) {
        let Some(bounds) = self.bounds else { return };
        let mut stack = vec![(0, self.entries.len(), bounds)];
        while let Some((lo, hi, b)) = stack.pop() {
            if !b.intersects(&min, &max) {
                continue;
            }
            let node = &self.entries[lo..hi];
            if node.len() <= LEAF {
                node.iter()
                    .filter(|e| contains(&point(&e.0), &min, &max))
                    .for_each(&mut found);
                continue;
            }
            let axis = b.widest_axis();
            let mid = lo + node.len() / 2;
            let middle = &self.entries[mid];
            let at = point(&middle.0);
            if contains(&at, &min, &max) {
                found(middle);
            }
            let (low, high) = b.split(axis, at[axis]);
            stack.push((lo, mid, low));
            stack.push((mid + 1, hi, high));
        }
    }

    /// Every entry, nearest to `q` first, each with its squared distance
    /// (Euclidean); the distances never decrease along the way.
    pub fn nearest_first(&self, q: [f64; K]) -> NearestFirst<'_, K, S> {
        let mut heap = BinaryHeap::new();
        if let Some(b) = self.bounds {
            heap.push(Keyed(
                -b.distance_sq(&q),
                Item::Node(0, self.entries.len(), b),
            ));
        }
        NearestFirst {
            tree: self,
            q,
            heap,
        }
    }
}

/// A node of the tree, for searches that bound whole nodes themselves:
/// a range of entries and the box the build cut for it (which holds them,
/// but need not be tight).
#[derive(Debug, Clone, Copy)]
pub struct Node<const K: usize> {
    lo: usize,
    hi: usize,
    bounds: Aabb<K>,
}

impl<const K: usize> Node<K> {
    /// The box's lower corner.
    pub fn min(&self) -> [f64; K] {
        self.bounds.min
    }

    /// The box's upper corner.
    pub fn max(&self) -> [f64; K] {
        self.bounds.max
    }
}

/// What a node holds: a leaf's entries, or the entry it was split at and
/// the two halves.
pub enum Children<'a, const K: usize, S: Ordinate> {
    /// A leaf, scanned rather than split.
    Leaf(&'a [Entry<K, S>]),
    /// An inner node.
    Split {
        /// The entry at the cut, in neither half.
        middle: &'a Entry<K, S>,
        /// Entries at or below the cut.
        low: Node<K>,
        /// Entries at or above the cut.
        high: Node<K>,
    },
}

impl<const K: usize, S: Ordinate> KdTree<K, S> {
    /// The node holding every entry; `None` for an empty tree.
    pub fn root(&self) -> Option<Node<K>> {
        self.bounds.map(|bounds| Node {
            lo: 0,
            hi: self.entries.len(),
            bounds,
        })
    }

    /// The contents of `node` (the same division the build made).
    pub fn children(&self, node: &Node<K>) -> Children<'_, K, S> {
        let (lo, hi, b) = (node.lo, node.hi, node.bounds);
        if hi - lo <= LEAF {
            return Children::Leaf(&self.entries[lo..hi]);
        }
        let axis = b.widest_axis();
        let mid = lo + (hi - lo) / 2;
        let middle = &self.entries[mid];
        let (low, high) = b.split(axis, middle.0[axis].get());
        Children::Split {
            middle,
            low: Node {
                lo,
                hi: mid,
                bounds: low,
            },
            high: Node {
                lo: mid + 1,
                hi,
                bounds: high,
            },
        }
    }
}

enum Item<const K: usize> {
    Node(usize, usize, Aabb<K>),
    Entry(usize),
}

/// Best-first search: a heap of nodes keyed by their box's distance and
/// of entries keyed by their own; whatever is popped next is no farther
/// than anything still to come. See [`KdTree::nearest_first`].
pub struct NearestFirst<'a, const K: usize, S: Ordinate> {
    tree: &'a KdTree<K, S>,
    q: [f64; K],
    /// Max-first on the negated squared distance, i.e. nearest first.
    heap: BinaryHeap<Keyed<Item<K>>>,
}

impl<'a, const K: usize, S: Ordinate> Iterator for NearestFirst<'a, K, S> {
    type Item = (&'a Entry<K, S>, f64);

    fn next(&mut self) -> Option<Self::Item> {
        let entries = &self.tree.entries;
        while let Some(Keyed(key, item)) = self.heap.pop() {
            match item {
                Item::Entry(i) => return Some((&entries[i], -key)),
                Item::Node(lo, hi, b) => {
                    if hi - lo <= LEAF {
                        for (i, e) in (lo..hi).zip(&entries[lo..hi]) {
                            let d = distance_sq(&point(&e.0), &self.q);
                            self.heap.push(Keyed(-d, Item::Entry(i)));
                        }
                        continue;
                    }
                    let axis = b.widest_axis();
                    let mid = lo + (hi - lo) / 2;
                    let middle = point(&entries[mid].0);
                    let at = middle[axis];
                    let d = distance_sq(&middle, &self.q);
                    self.heap.push(Keyed(-d, Item::Entry(mid)));
                    let (low, high) = b.split(axis, at);
                    self.heap
                        .push(Keyed(-low.distance_sq(&self.q), Item::Node(lo, mid, low)));
                    self.heap.push(Keyed(
                        -high.distance_sq(&self.q),
                        Item::Node(mid + 1, hi, high),
                    ));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree2(points: &[(f64, f64)]) -> KdTree<2> {
        KdTree::new(
            points
                .iter()
                .enumerate()
                .map(|(i, &(x, y))| ([x, y], i as u32))
                .collect(),
        )
    }

    #[test]
    fn an_empty_tree_finds_nothing() {
        let tree = tree2(&[]);
        let mut n = 0;
        tree.within([-1e9, -1e9], [1e9, 1e9], |_| n += 1);
        assert_eq!(n, 0);
        assert!(tree.nearest_first([0.0, 0.0]).next().is_none());
    }

    #[test]
    fn every_entry_is_kept_once() {
        let points: Vec<(f64, f64)> = (0..1000)
            .map(|i| (f64::from(i % 37), f64::from(i % 11)))
            .collect();
        let tree = tree2(&points);
        let mut ids: Vec<u32> = tree.entries().iter().map(|e| e.1).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..1000).collect::<Vec<u32>>());
    }

    proptest::proptest! {
        /// Box queries find exactly the points in the box, edges included;
        /// points on a coarse grid repeat and land on edges often.
        #[test]
        fn within_agrees_with_brute_force(
            points in proptest::collection::vec((-20i32..20, -20i32..20), 0..600),
            (x0, y0, w, h) in (-22i32..22, -22i32..22, 0i32..30, 0i32..30),
        ) {
            let points: Vec<(f64, f64)> =
                points.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect();
            let tree = tree2(&points);
            let (min, max) = ([f64::from(x0), f64::from(y0)], [f64::from(x0 + w), f64::from(y0 + h)]);
            let mut found = Vec::new();
            tree.within(min, max, |e| found.push(e.1));
            found.sort_unstable();
            let brute: Vec<u32> = (0..points.len() as u32)
                .filter(|&i| {
                    let (x, y) = points[i as usize];
                    x >= min[0] && x <= max[0] && y >= min[1] && y <= max[1]
                })
                .collect();
            proptest::prop_assert_eq!(found, brute);
        }

        /// Walking the nodes from the root meets every entry once, each
        /// inside the box of every node that holds it.
        #[test]
        fn nodes_partition_the_entries(
            points in proptest::collection::vec((-50i32..50, -50i32..50), 0..300),
        ) {
            let tree = tree2(&points.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect::<Vec<_>>());
            let mut seen = Vec::new();
            let inside = |e: &Entry<2>, n: &Node<2>| contains(&e.0, &n.min(), &n.max());
            let mut stack: Vec<Node<2>> = tree.root().into_iter().collect();
            while let Some(node) = stack.pop() {
                match tree.children(&node) {
                    Children::Leaf(entries) => {
                        for e in entries {
                            proptest::prop_assert!(inside(e, &node));
                            seen.push(e.1);
                        }
                    }
                    Children::Split { middle, low, high } => {
                        proptest::prop_assert!(inside(middle, &node));
                        seen.push(middle.1);
                        for child in [low, high] {
                            proptest::prop_assert!(
                                child.min().iter().zip(node.min()).all(|(a, b)| *a >= b)
                                    && child.max().iter().zip(node.max()).all(|(a, b)| *a <= b)
                            );
                            stack.push(child);
                        }
                    }
                }
            }
            seen.sort_unstable();
            proptest::prop_assert_eq!(seen, (0..points.len() as u32).collect::<Vec<u32>>());
        }

        /// Nearest-first visits every point once, in order of distance,
        /// with each point's own squared distance.
        #[test]
        fn nearest_first_is_a_sort_by_distance(
            points in proptest::collection::vec((-5i32..5, -5i32..5, -5i32..5), 0..300),
            q in (-7i32..7, -7i32..7, -7i32..7),
        ) {
            let tree = KdTree::new(
                points
                    .iter()
                    .enumerate()
                    .map(|(i, &(x, y, z))| ([f64::from(x), f64::from(y), f64::from(z)], i as u32))
                    .collect(),
            );
            let q = [f64::from(q.0), f64::from(q.1), f64::from(q.2)];
            let visited: Vec<(u32, f64)> = tree.nearest_first(q).map(|(e, d)| (e.1, d)).collect();
            proptest::prop_assert_eq!(visited.len(), points.len());
            for w in visited.windows(2) {
                proptest::prop_assert!(w[0].1 <= w[1].1);
            }
            for &(i, d) in &visited {
                let (x, y, z) = points[i as usize];
                let p = [f64::from(x), f64::from(y), f64::from(z)];
                proptest::prop_assert_eq!(d, distance_sq(&p, &q));
            }
            let mut ids: Vec<u32> = visited.iter().map(|v| v.0).collect();
            ids.sort_unstable();
            proptest::prop_assert_eq!(ids, (0..points.len() as u32).collect::<Vec<u32>>());
            // The same points in f32 (exact here) give the same distances.
            let narrow: KdTree<3, f32> = KdTree::new(
                tree.entries().iter().map(|(p, i)| (p.map(|v| v as f32), *i)).collect(),
            );
            let distances: Vec<f64> = narrow.nearest_first(q).map(|(_, d)| d).collect();
            let expected: Vec<f64> = visited.iter().map(|v| v.1).collect();
            proptest::prop_assert_eq!(distances, expected);
        }
    }
}
