//! A value ordered by an `f64` key (total order), for the max-first
//! `BinaryHeap` of a branch-and-bound search: the pole of inaccessibility
//! and the worst-served point both expand the cell with the highest bound.

use std::cmp::Ordering;

/// `value` ranked by `key`.
pub(crate) struct Keyed<T>(pub f64, pub T);

impl<T> PartialEq for Keyed<T> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Keyed<T> {}
impl<T> PartialOrd for Keyed<T> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Keyed<T> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}
