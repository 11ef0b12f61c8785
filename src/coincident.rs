//! Records at exactly the same place (the same coordinates to the bit),
//! found in groups: the duplicate-location warning of `check` and the
//! exact-duplicates check of `validate` share this one finder.
//!
//! Positions are sorted (in parallel) by a hash of the coordinates kept
//! beside each position, so that the sort reads no records; within a run
//! of equal hashes, by the coordinates themselves.

use geo::Coord;
use rayon::prelude::*;

/// Groups of two or more positions (into `0..n`) whose `location`s are
/// bit-identical; each group ascending, the groups by their first member.
pub fn groups(n: usize, location: impl Fn(usize) -> Coord<f64> + Sync) -> Vec<Vec<u32>> {
    groups_hashed(n, location, location_hash)
}

fn groups_hashed(
    n: usize,
    location: impl Fn(usize) -> Coord<f64> + Sync,
    hash: impl Fn((u64, u64)) -> u64 + Sync,
) -> Vec<Vec<u32>> {
    assert!(n <= u32::MAX as usize + 1, "positions are counted in u32");
    let bits = |i: u32| {
        let c = location(i as usize);
        (c.x.to_bits(), c.y.to_bits())
    };
    let mut keyed: Vec<(u64, u32)> = (0..n as u64)
        .into_par_iter()
        .map(|i| (hash(bits(i as u32)), i as u32))
        .collect();
    keyed.par_sort_unstable();
    let mut groups = Vec::new();
    for run in keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        let mut same_hash: Vec<u32> = run.iter().map(|k| k.1).collect();
        same_hash.sort_unstable_by_key(|&i| (bits(i), i));
        groups.extend(
            same_hash
                .chunk_by(|&a, &b| bits(a) == bits(b))
                .filter(|group| group.len() > 1)
                .map(<[u32]>::to_vec),
        );
    }
    groups.sort_unstable_by_key(|g| g[0]);
    groups
}

/// A well-mixed hash of a location's bit patterns (equal locations, equal
/// hashes; the converse is checked).
fn location_hash((x, y): (u64, u64)) -> u64 {
    let mut h = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ y.rotate_left(31);
    h = (h ^ (h >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Groups are the same whatever the hash: with the real one, and
        /// with one under which every location collides; and each is what
        /// a brute-force comparison of all pairs finds, in its order.
        #[test]
        fn groups_whatever_the_hash(
            points in proptest::collection::vec((0i32..6, 0i32..6, proptest::bool::ANY), 0..80),
        ) {
            let locations: Vec<Coord<f64>> = points
                .iter()
                .map(|&(x, y, negative_zero)| {
                    // -0.0 and 0.0 are different bit patterns, as in the file.
                    let x = if x == 0 && negative_zero { -0.0 } else { f64::from(x) * 0.5 };
                    Coord { x, y: f64::from(y) }
                })
                .collect();
            let at = |i: usize| locations[i];
            let real = groups(locations.len(), at);
            let colliding = groups_hashed(locations.len(), at, |_| 7);
            proptest::prop_assert_eq!(&real, &colliding);
            let bits = |c: Coord<f64>| (c.x.to_bits(), c.y.to_bits());
            let mut brute: Vec<Vec<u32>> = Vec::new();
            for (i, c) in locations.iter().enumerate() {
                let first = locations.iter().position(|d| bits(*d) == bits(*c)).unwrap();
                if first == i {
                    let group: Vec<u32> = (i..locations.len())
                        .filter(|&j| bits(locations[j]) == bits(*c))
                        .map(|j| j as u32)
                        .collect();
                    if group.len() > 1 {
                        brute.push(group);
                    }
                }
            }
            proptest::prop_assert_eq!(real, brute);
        }
    }

    /// The case `validate`'s own finder was tested with: an exact pair, a
    /// near one (1 m apart) that is not exact, and a lone station.
    #[test]
    fn exact_pairs_only() {
        let at = [
            Coord { x: 106.0, y: 30.0 },
            Coord { x: 106.0, y: 30.0 },
            Coord {
                x: 106.00001,
                y: 30.0,
            },
            Coord { x: 107.0, y: 31.0 },
        ];
        assert_eq!(groups(at.len(), |i| at[i]), vec![vec![0, 1]]);
    }
}
