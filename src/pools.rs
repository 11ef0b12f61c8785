//! Charging pools (sites): policies count sites, feeds list devices. EU
//! AFIR (Regulation (EU) 2023/1804, Art. 3) wants a *recharging pool* of
//! at least 400 kW in total with one point of at least 150 kW; US NEVI
//! (23 CFR 680.106) four ports of at least 150 kW each; the UK motorway
//! target six high-powered chargepoints per service area.
//!
//! Records are grouped into pools by a site key (`--pool-field`) or by
//! distance (`--pool-m`: records within that many metres of each other,
//! transitively). Each pool becomes one site at the mean of its members'
//! positions; its power is the per-point power at which it meets the
//! rule's pool terms: the `min_points`-th strongest of its points, or 0
//! when it has fewer points or less total power than the rule asks.
//! Without grouping, each record is a pool of its own points (a German
//! register entry has up to four).

use std::collections::HashMap;

use geo::Coord;
use rayon::prelude::*;

use crate::geodesy::{MIN_M_PER_DEG_LAT, MIN_M_PER_DEG_LON_EQUATOR};
use crate::model::{Station, StationLayer, StationPoints};
use crate::rules::Rule;

/// How records are grouped into pools.
#[derive(Debug, Clone, PartialEq)]
pub enum PoolBy {
    /// Each record is its own pool.
    Record,
    /// Records with the same site key (read with the feed's pool key);
    /// a record without one is a pool of its own.
    Key,
    /// Records within this many metres (geodesic) of each other, transitively.
    Distance(f64),
}

impl PoolBy {
    fn describe(&self, key: Option<&str>) -> String {
        match self {
            PoolBy::Record => "each record".into(),
            PoolBy::Key => format!("same {}", key.unwrap_or("site key")),
            PoolBy::Distance(m) => format!("within {} m", crate::units::trim_float(*m)),
        }
    }
}

pub use crate::model::PoolSummary;

/// Groups of record positions (into `0..locations.len()`), each ascending,
/// the groups ordered by their first member; every position is in exactly
/// one group. Two records are in one group when a chain of records, each
/// within `within_m` metres (geodesic) of the next, joins them.
///
/// Records are sorted into rows of latitude at least `within_m` tall and
/// by longitude within a row, so the neighbours of a place are found by
/// scanning its own row and the next over a longitude window wide enough
/// at the rows' highest latitude; identical positions (piles) collapse to
/// one place first.
pub fn by_distance(locations: &[Coord<f64>], within_m: f64) -> Groups {
    let n = locations.len();
    let dlat = (within_m / MIN_M_PER_DEG_LAT).max(1e-7);
    let row_of = |c: Coord<f64>| ((c.y + 90.0) / dlat).floor() as i64;
    // Sorted by (row, longitude, latitude), the key computed once.
    let mut keyed: Vec<(i64, f64, f64, u32)> = locations
        .par_iter()
        .enumerate()
        .map(|(i, &c)| (row_of(c), c.x, c.y, i as u32))
        .collect();
    keyed.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.total_cmp(&b.2))
    });
    // Distinct places in sorted order, and each record's place.
    let mut places: Vec<Coord<f64>> = Vec::new();
    let mut place_of = vec![0u32; n];
    for &(_, x, y, r) in &keyed {
        if places
            .last()
            .is_none_or(|l| l.x.to_bits() != x.to_bits() || l.y.to_bits() != y.to_bits())
        {
            places.push(Coord { x, y });
        }
        place_of[r as usize] = (places.len() - 1) as u32;
    }
    drop(keyed);
    // Rows: (row, first place, end).
    let mut rows: Vec<(i64, usize, usize)> = Vec::new();
    for (i, &c) in places.iter().enumerate() {
        let r = row_of(c);
        match rows.last_mut() {
            Some(last) if last.0 == r => last.2 = i + 1,
            _ => rows.push((r, i, i + 1)),
        }
    }
    let row_span = |r: i64| -> Option<(usize, usize)> {
        rows.binary_search_by_key(&r, |x| x.0)
            .ok()
            .map(|k| (rows[k].1, rows[k].2))
    };
    let pairs: Vec<(u32, u32)> = (0..places.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let p = places[i];
            let r = row_of(p);
            // The widest longitude window within_m spans in rows r and r + 1.
            let top = ((r + 2) as f64 * dlat - 90.0)
                .abs()
                .max(((r as f64) * dlat - 90.0).abs());
            let cos = top.min(90.0).to_radians().cos();
            let dlon = if cos < 1e-6 {
                360.0
            } else {
                1.01 * within_m / (MIN_M_PER_DEG_LON_EQUATOR * cos) + 1e-9
            };
            let mut found = Vec::new();
            let mut scan = |from: usize, to: usize, lo: f64, hi: f64| {
                let slice = &places[from..to];
                let start = from + slice.partition_point(|c| c.x < lo);
                for (j, &q) in places[start..to].iter().enumerate() {
                    if q.x > hi {
                        break;
                    }
                    let j = start + j;
                    if j != i && crate::geodesy::within_m(p, q, within_m) {
                        found.push((i as u32, j as u32));
                    }
                }
            };
            if dlon >= 180.0 {
                // Near a pole: the whole of both rows.
                if let Some((_, b)) = row_span(r) {
                    scan(i + 1, b.max(i + 1), f64::MIN, f64::MAX);
                }
                if let Some((a, b)) = row_span(r + 1) {
                    scan(a, b, f64::MIN, f64::MAX);
                }
                return found;
            }
            // This row: only places after this one (each pair once), and
            // across the antimeridian the far end of the row.
            if let Some((a, b)) = row_span(r) {
                scan(i + 1, b, p.x, p.x + dlon);
                if p.x + dlon > 180.0 {
                    scan(a, b, -180.0, p.x + dlon - 360.0);
                }
            }
            // The next row: the whole window, wrapped where it crosses.
            if let Some((a, b)) = row_span(r + 1) {
                scan(a, b, p.x - dlon, p.x + dlon);
                if p.x + dlon > 180.0 {
                    scan(a, b, -180.0, p.x + dlon - 360.0);
                }
                if p.x - dlon < -180.0 {
                    scan(a, b, p.x - dlon + 360.0, 180.0);
                }
            }
            found
        })
        .collect();
    let mut sets = DisjointSets::new(places.len());
    for (a, b) in pairs {
        sets.join(a, b);
    }
    let labels: Vec<u32> = place_of.iter().map(|&p| sets.root(p)).collect();
    Groups::from_labels(&labels, places.len())
}

/// Groups of record positions by site key; records without a key are
/// pools of their own.
pub fn by_key<'k>(keys: impl Iterator<Item = Option<&'k str>>) -> Groups {
    let mut first: HashMap<&str, u32> = HashMap::new();
    let labels: Vec<u32> = keys
        .enumerate()
        .map(|(i, k)| match k {
            Some(k) => *first.entry(k).or_insert(i as u32),
            None => i as u32,
        })
        .collect();
    Groups::from_labels(&labels, labels.len())
}

/// A partition of record positions into groups, each ascending, ordered
/// by first member; stored flat (two vectors however many groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    /// Group g is `members[starts[g]..starts[g + 1]]`.
    starts: Vec<u32>,
    members: Vec<u32>,
}

impl Groups {
    /// Groups positions `0..labels.len()` by label (each label below
    /// `labels_below`).
    fn from_labels(labels: &[u32], labels_below: usize) -> Self {
        // Number the labels in order of first appearance, count, place.
        let mut number = vec![u32::MAX; labels_below];
        let mut sizes: Vec<u32> = Vec::new();
        let numbered: Vec<u32> = labels
            .iter()
            .map(|&l| {
                if number[l as usize] == u32::MAX {
                    number[l as usize] = sizes.len() as u32;
                    sizes.push(0);
                }
                let g = number[l as usize];
                sizes[g as usize] += 1;
                g
            })
            .collect();
        let mut starts = Vec::with_capacity(sizes.len() + 1);
        let mut total = 0u32;
        starts.push(0);
        for s in &sizes {
            total += s;
            starts.push(total);
        }
        let mut next: Vec<u32> = starts[..sizes.len()].to_vec();
        let mut members = vec![0u32; labels.len()];
        for (i, &g) in numbered.iter().enumerate() {
            members[next[g as usize] as usize] = i as u32;
            next[g as usize] += 1;
        }
        Groups { starts, members }
    }

    /// Each record a group of its own.
    fn singletons(n: usize) -> Self {
        Groups {
            starts: (0..=n as u32).collect(),
            members: (0..n as u32).collect(),
        }
    }

    /// How many groups.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// No group.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Group `g`'s members.
    pub fn get(&self, g: usize) -> &[u32] {
        &self.members[self.starts[g] as usize..self.starts[g + 1] as usize]
    }

    /// Every group, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> {
        (0..self.len()).map(|g| self.get(g))
    }

    /// As nested vectors (tests, messages).
    pub fn to_vecs(&self) -> Vec<Vec<u32>> {
        self.iter().map(<[u32]>::to_vec).collect()
    }
}

/// Union–find with path halving.
struct DisjointSets {
    parent: Vec<u32>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n as u32).collect(),
        }
    }
    fn root(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }
    fn join(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            // The smaller root stays: deterministic, whatever the order.
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.parent[hi as usize] = lo;
        }
    }
}

/// A pool's power under `rule`: the `min_points`-th strongest point, or 0
/// when the pool has fewer points or less total power than asked;
/// `None` when no point's power is known.
pub fn pool_power(points_kw: &mut [f64], rule: &Rule) -> Option<f64> {
    if points_kw.is_empty() {
        return None;
    }
    points_kw.sort_unstable_by(|a, b| b.total_cmp(a));
    let total: f64 = points_kw.iter().sum();
    let n = rule.min_points.max(1) as usize;
    if points_kw.len() < n || total < rule.min_pool_kw {
        return Some(0.0);
    }
    Some(points_kw[n - 1])
}

/// Replaces a station layer's records by its pools, each one site (see
/// the module text). `key_name` names the site key, for the summary.
pub fn pool_layer(
    mut layer: StationLayer,
    by: &PoolBy,
    rule: &Rule,
    key_name: Option<&str>,
) -> (StationLayer, PoolSummary) {
    let records = layer.stations.len();
    let groups: Groups = match by {
        PoolBy::Record => Groups::singletons(records),
        PoolBy::Key => {
            by_key((0..records).map(|i| layer.points.get(i).and_then(|p| p.pool_key.as_deref())))
        }
        PoolBy::Distance(m) => {
            let locations: Vec<Coord<f64>> = layer.stations.iter().map(|s| s.location).collect();
            by_distance(&locations, *m)
        }
    };
    let points_of = |i: usize| -> Vec<f64> {
        match layer.points.get(i) {
            Some(p) if !p.kw.is_empty() => p.kw.to_vec(),
            _ => layer.stations[i].power_kw().into_iter().collect(),
        }
    };
    let sites: Vec<(Station, StationPoints)> = (0..groups.len())
        .into_par_iter()
        .map(|g| {
            let members = groups.get(g);
            let first = &layer.stations[members[0] as usize];
            let mut kw: Vec<f64> = members
                .iter()
                .flat_map(|&m| points_of(m as usize))
                .collect();
            let power = pool_power(&mut kw, rule);
            let location =
                mean_location(members.iter().map(|&m| layer.stations[m as usize].location));
            let key = layer
                .points
                .get(members[0] as usize)
                .and_then(|p| p.pool_key.clone());
            let id = match by {
                PoolBy::Key => key.clone().or_else(|| first.id.clone()),
                _ => first.id.clone(),
            };
            let points = StationPoints {
                kw: kw.into(),
                pool_key: key,
                records: members.len() as u32,
            };
            (Station::new(first.index, id, location, power), points)
        })
        .collect();
    let (pools, points): (Vec<Station>, Vec<StationPoints>) = sites.into_iter().unzip();
    let summary = PoolSummary {
        by: by.describe(key_name),
        records,
        pools: pools.len(),
        largest: groups.iter().map(<[u32]>::len).max().unwrap_or(0),
    };
    layer.coincident = crate::coincident::groups(pools.len(), |i| pools[i].location);
    layer.stations = pools;
    layer.points = points;
    (layer, summary)
}

/// The mean of positions, longitudes taken relative to the first so that
/// a pool across the antimeridian stays together.
fn mean_location(mut points: impl Iterator<Item = Coord<f64>>) -> Coord<f64> {
    let Some(first) = points.next() else {
        return Coord {
            x: f64::NAN,
            y: f64::NAN,
        };
    };
    let (mut sx, mut sy, mut n) = (0.0, first.y, 1.0);
    for p in points {
        let mut dx = p.x - first.x;
        if dx > 180.0 {
            dx -= 360.0;
        } else if dx < -180.0 {
            dx += 360.0;
        }
        sx += dx;
        sy += p.y;
        n += 1.0;
    }
    let mut x = first.x + sx / n;
    if x > 180.0 {
        x -= 360.0;
    } else if x < -180.0 {
        x += 360.0;
    }
    Coord { x, y: sy / n }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn chains_join_and_gaps_split() {
        // Along a meridian 0.0004° of latitude is about 44.2 m (111.1 km
        // per degree × 0.0004), so with 50 m records 0–1–2 chain (each
        // 44 m from the next, 88 m end to end) and record 3, 0.0006° (66 m)
        // beyond record 2, stands alone; record 4 repeats record 0's place.
        let pts = [
            c(8.0, 49.0),
            c(8.0, 49.0004),
            c(8.0, 49.0008),
            c(8.0, 49.0014),
            c(8.0, 49.0),
        ];
        assert_eq!(
            by_distance(&pts, 50.0).to_vecs(),
            vec![vec![0, 1, 2, 4], vec![3]]
        );
        assert_eq!(
            by_distance(&pts, 40.0).to_vecs(),
            vec![vec![0, 4], vec![1], vec![2], vec![3]]
        );
        assert_eq!(by_distance(&pts, 70.0).to_vecs(), vec![vec![0, 1, 2, 3, 4]]);
    }

    /// Every pair within the distance, joined transitively: the
    /// definition, by brute force.
    fn brute(locations: &[Coord<f64>], within_m: f64) -> Vec<Vec<u32>> {
        let mut sets = DisjointSets::new(locations.len());
        for i in 0..locations.len() {
            for j in i + 1..locations.len() {
                if crate::geodesy::distance_m(locations[i], locations[j]) <= within_m {
                    sets.join(i as u32, j as u32);
                }
            }
        }
        let labels: Vec<u32> = (0..locations.len() as u32).map(|i| sets.root(i)).collect();
        Groups::from_labels(&labels, labels.len()).to_vecs()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn rows_find_what_every_pair_finds(
            // Clusters anywhere (the antimeridian and the poles included),
            // points scattered within a few hundred metres of each centre.
            centres in proptest::collection::vec((-180.0f64..180.0, -90.0f64..90.0), 1..4),
            offsets in proptest::collection::vec((0usize..4, -0.004f64..0.004, -0.002f64..0.002), 2..40),
            within_m in 1.0f64..200.0,
        ) {
            let pts: Vec<Coord<f64>> = offsets
                .iter()
                .map(|&(k, dx, dy)| {
                    let (x, y) = centres[k % centres.len()];
                    let mut x = x + dx;
                    if x > 180.0 { x -= 360.0 }
                    if x < -180.0 { x += 360.0 }
                    c(x, (y + dy).clamp(-90.0, 90.0))
                })
                .collect();
            proptest::prop_assert_eq!(by_distance(&pts, within_m).to_vecs(), brute(&pts, within_m));
        }
    }

    #[test]
    fn across_the_antimeridian_and_at_a_pole() {
        // 0.0002° of longitude on the equator is 22.3 m.
        let pts = [
            c(179.9999, 0.0),
            c(-179.9999, 0.0),
            c(0.0, 90.0),
            c(120.0, 89.99999),
        ];
        // The pole and a point 0.00001° of latitude (1.1 m) from it.
        assert_eq!(
            by_distance(&pts, 25.0).to_vecs(),
            vec![vec![0, 1], vec![2, 3]]
        );
        assert_eq!(
            by_distance(&pts, 20.0).to_vecs(),
            vec![vec![0], vec![1], vec![2, 3]]
        );
    }

    #[test]
    fn keys_group_and_keyless_records_stand_alone() {
        let keys = [Some("a"), None, Some("b"), Some("a"), None];
        assert_eq!(
            by_key(keys.into_iter()).to_vecs(),
            vec![vec![0, 3], vec![1], vec![2], vec![4]]
        );
    }

    #[test]
    fn pool_power_takes_the_nth_point_and_the_total() {
        let afir = Rule {
            min_power_kw: 150.0,
            min_points: 1,
            min_pool_kw: 400.0,
            ..Rule::default()
        };
        // 150 + 150 + 50 + 50 = 400 kW in total: meets AFIR's 400 kW pool
        // with its strongest point at 150 kW.
        assert_eq!(
            pool_power(&mut [50.0, 150.0, 50.0, 150.0], &afir),
            Some(150.0)
        );
        // 300 + 50 = 350 kW: short of the total.
        assert_eq!(pool_power(&mut [300.0, 50.0], &afir), Some(0.0));
        let nevi = Rule {
            min_power_kw: 150.0,
            min_points: 4,
            ..Rule::default()
        };
        // Four ports, the fourth strongest at 150 kW.
        assert_eq!(
            pool_power(&mut [350.0, 150.0, 150.0, 150.0, 50.0], &nevi),
            Some(150.0)
        );
        assert_eq!(pool_power(&mut [350.0, 350.0, 350.0], &nevi), Some(0.0));
        assert_eq!(pool_power(&mut [], &nevi), None);
    }

    #[test]
    fn the_mean_of_a_pool_across_the_antimeridian() {
        let m = mean_location([c(179.9999, 10.0), c(-179.9999, 10.0)].into_iter());
        assert!(
            (m.x.abs() - 180.0).abs() < 1e-9 && (m.y - 10.0).abs() < 1e-12,
            "{m:?}"
        );
    }
}
