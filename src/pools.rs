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
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

use crate::geodesy::{MIN_CURVATURE_RADIUS_M, distance_m, unit_vector};
use crate::model::{Station, StationLayer};
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

/// What pooling did, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolSummary {
    /// How records were grouped, in words.
    pub by: String,
    /// Records grouped.
    pub records: usize,
    /// Pools made of them.
    pub pools: usize,
    /// Records in the largest pool.
    pub largest: usize,
}

/// Groups of record positions (into `0..locations.len()`), each ascending,
/// the groups ordered by their first member; every position is in exactly
/// one group. Two records are in one group when a chain of records, each
/// within `within_m` metres (geodesic) of the next, joins them.
pub fn by_distance(locations: &[Coord<f64>], within_m: f64) -> Vec<Vec<u32>> {
    // Distinct places first: a pile of records at one point is one place.
    let mut place_of: HashMap<(u64, u64), u32> = HashMap::new();
    let mut places: Vec<Coord<f64>> = Vec::new();
    let record_place: Vec<u32> = locations
        .iter()
        .map(|c| {
            *place_of
                .entry((c.x.to_bits(), c.y.to_bits()))
                .or_insert_with(|| {
                    places.push(*c);
                    (places.len() - 1) as u32
                })
        })
        .collect();
    drop(place_of);
    let tree = RTree::bulk_load(
        places
            .iter()
            .enumerate()
            .map(|(i, &c)| GeomWithData::new(unit_vector(c), i as u32))
            .collect(),
    );
    // A geodesic of d metres joins normals at most d / (least radius of
    // curvature) apart: the chord for that angle, with a little slack,
    // finds every candidate; the geodesic distance decides.
    let angle = within_m / MIN_CURVATURE_RADIUS_M;
    let chord = 2.0 * (angle / 2.0).sin() * (1.0 + 1e-9) + 1e-12;
    let places_ref = &places;
    let pairs: Vec<(u32, u32)> = places
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, &c)| {
            let v = unit_vector(c);
            tree.locate_within_distance(v, chord * chord)
                .filter(move |n| n.data as usize > i)
                .filter(move |n| distance_m(c, places_ref[n.data as usize]) <= within_m)
                .map(move |n| (i as u32, n.data))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut sets = DisjointSets::new(places.len());
    for (a, b) in pairs {
        sets.join(a, b);
    }
    groups(record_place.iter().map(|&p| sets.root(p)))
}

/// Groups of record positions by site key; records without a key are
/// pools of their own.
pub fn by_key<'k>(keys: impl Iterator<Item = Option<&'k str>>) -> Vec<Vec<u32>> {
    let mut first: HashMap<&str, u32> = HashMap::new();
    let labels: Vec<u32> = keys
        .enumerate()
        .map(|(i, k)| match k {
            Some(k) => *first.entry(k).or_insert(i as u32),
            None => i as u32,
        })
        .collect();
    groups(labels.into_iter())
}

/// Groups positions by label, ordered by first member.
fn groups(labels: impl Iterator<Item = u32>) -> Vec<Vec<u32>> {
    let mut slot: HashMap<u32, usize> = HashMap::new();
    let mut out: Vec<Vec<u32>> = Vec::new();
    for (i, label) in labels.enumerate() {
        let s = *slot.entry(label).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[s].push(i as u32);
    }
    out
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
    let groups: Vec<Vec<u32>> = match by {
        PoolBy::Record => (0..records as u32).map(|i| vec![i]).collect(),
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
    let pools: Vec<Station> = groups
        .par_iter()
        .map(|members| {
            let first = &layer.stations[members[0] as usize];
            let mut kw: Vec<f64> = members
                .iter()
                .flat_map(|&m| points_of(m as usize))
                .collect();
            let power = pool_power(&mut kw, rule);
            let location =
                mean_location(members.iter().map(|&m| layer.stations[m as usize].location));
            let id = match by {
                PoolBy::Key => layer
                    .points
                    .get(members[0] as usize)
                    .and_then(|p| p.pool_key.clone())
                    .or_else(|| first.id.clone()),
                _ => first.id.clone(),
            };
            Station::new(first.index, id, location, power)
        })
        .collect();
    let summary = PoolSummary {
        by: by.describe(key_name),
        records,
        pools: pools.len(),
        largest: groups.iter().map(Vec::len).max().unwrap_or(0),
    };
    layer.coincident = crate::coincident::groups(pools.len(), |i| pools[i].location);
    layer.stations = pools;
    layer.points = Vec::new();
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
        assert_eq!(by_distance(&pts, 50.0), vec![vec![0, 1, 2, 4], vec![3]]);
        assert_eq!(
            by_distance(&pts, 40.0),
            vec![vec![0, 4], vec![1], vec![2], vec![3]]
        );
        assert_eq!(by_distance(&pts, 70.0), vec![vec![0, 1, 2, 3, 4]]);
    }

    #[test]
    fn keys_group_and_keyless_records_stand_alone() {
        let keys = [Some("a"), None, Some("b"), Some("a"), None];
        assert_eq!(
            by_key(keys.into_iter()),
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
