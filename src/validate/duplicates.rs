//! Exact and near duplicate stations, as clusters.
//!
//! Exact: the same coordinates to the bit. Near: closer than a distance
//! (geodesic) but not identical; stations are linked pairwise and the
//! connected groups reported. Candidate pairs come from a grid of cells a
//! little larger than the distance, sorted so that the nine cells around a
//! station are found by binary search: no hash map per station.

use crate::geodesy::distance_m;

use super::Point;

/// (exact clusters, near clusters): positions into `points`, each cluster
/// sorted by feature index and the clusters by their first index.
pub(crate) fn find(points: &[Point], within_m: f64) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let exact = exact(points);
    // Near clusters link stations within the distance that are not at the
    // same place, so all stations at one place link alike: the clusters
    // are found among one station per place and then given every station
    // there. A pile of 100,000 chargers at one point is one point here.
    let mut repeat = vec![false; points.len()];
    let mut members: std::collections::HashMap<usize, &[usize]> = Default::default();
    for group in &exact {
        for &k in &group[1..] {
            repeat[k] = true;
        }
        members.insert(group[0], group);
    }
    let places: Vec<usize> = (0..points.len()).filter(|&k| !repeat[k]).collect();
    let unique: Vec<Point> = places.iter().map(|&k| points[k].clone()).collect();
    let near = near(&unique, within_m)
        .into_iter()
        .map(|cluster| {
            let mut all: Vec<usize> = cluster
                .into_iter()
                .flat_map(|u| {
                    let k = places[u];
                    members.get(&k).map_or_else(|| vec![k], |m| m.to_vec())
                })
                .collect();
            all.sort_by_key(|&k| points[k].index);
            all
        })
        .collect();
    (exact, near)
}

/// Exact clusters: the shared finder ([`crate::coincident`]); points are
/// in file order, so positions ascend with the feature index.
fn exact(points: &[Point]) -> Vec<Vec<usize>> {
    crate::coincident::groups(points.len(), |k| points[k].at)
        .into_iter()
        .map(|g| g.into_iter().map(|k| k as usize).collect())
        .collect()
}

fn find_root(parent: &mut [usize], mut k: usize) -> usize {
    while parent[k] != k {
        parent[k] = parent[parent[k]];
        k = parent[k];
    }
    k
}

fn near(points: &[Point], within_m: f64) -> Vec<Vec<usize>> {
    if within_m <= 0.0 || points.is_empty() {
        return Vec::new();
    }
    // Rows of latitude a little taller than the distance; within a row,
    // columns of longitude as wide as the distance at the row's poleward
    // edge (so never too narrow). A station's partners are in its row or
    // the rows beside it, within the longitude span the distance covers
    // at the most poleward latitude involved.
    let margin = 1.01;
    let row_deg = within_m * margin / 110_574.0;
    let row_of = |lat: f64| (lat / row_deg).floor() as i64;
    let metres_per_lon_deg = |row: i64| {
        let poleward = ((row.abs() + 2) as f64 * row_deg).min(89.999);
        111_320.0 * poleward.to_radians().cos()
    };
    let col_width = |row: i64| within_m * margin / metres_per_lon_deg(row);
    let col_of = |row: i64, lon: f64| (lon / col_width(row)).floor() as i64;
    let mut cells: Vec<((i64, i64), usize)> = (0..points.len())
        .map(|k| {
            let row = row_of(points[k].at.y);
            ((row, col_of(row, points[k].at.x)), k)
        })
        .collect();
    cells.sort_unstable();
    let mut parent: Vec<usize> = (0..points.len()).collect();
    let mut linked = vec![false; points.len()];
    for &((row, _), a) in &cells {
        let pa = points[a].at;
        for r in row - 1..=row + 1 {
            // Longitude span of the distance, at the more poleward of the rows.
            let span =
                within_m * margin / metres_per_lon_deg(if r.abs() > row.abs() { r } else { row });
            let (lo, hi) = (col_of(r, pa.x - span), col_of(r, pa.x + span));
            let from = cells.partition_point(|(c, _)| *c < (r, lo));
            for &((cr, cc), b) in &cells[from..] {
                if cr != r || cc > hi {
                    break;
                }
                if b <= a {
                    continue;
                }
                let pb = points[b].at;
                if pa == pb {
                    continue; // exact duplicates are the other check
                }
                let (ra, rb) = (find_root(&mut parent, a), find_root(&mut parent, b));
                if ra == rb && linked[a] && linked[b] {
                    // Already in one cluster: in a dense pile most pairs
                    // are, and need no distance.
                    continue;
                }
                if distance_m(pa, pb) <= within_m {
                    linked[a] = true;
                    linked[b] = true;
                    if ra != rb {
                        parent[ra.max(rb)] = ra.min(rb);
                    }
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (k, _) in linked.iter().enumerate().filter(|(_, l)| **l) {
        let root = find_root(&mut parent, k);
        groups.entry(root).or_default().push(k);
    }
    let mut clusters: Vec<Vec<usize>> = groups
        .into_values()
        .map(|mut g| {
            g.sort_by_key(|&k| points[k].index);
            g
        })
        .collect();
    clusters.sort_by_key(|c| points[c[0]].index);
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Coord;

    fn pts(list: &[(f64, f64)]) -> Vec<Point> {
        list.iter()
            .enumerate()
            .map(|(i, &(x, y))| Point {
                at: Coord { x, y },
                index: i as u32,
                id: (0, u32::MAX),
            })
            .collect()
    }

    #[test]
    fn clusters_exact_and_near() {
        // 1e-5° of latitude is 1.1 m; of longitude at 30° N, 0.96 m.
        let p = pts(&[
            (106.0, 30.0),
            (106.0, 30.0),     // exact duplicate of 0
            (106.00005, 30.0), // 4.8 m east of 0: near
            (106.5, 30.0),     // alone
            (107.0, 30.0),
            (107.0, 30.00008), // 8.9 m north of 4: near
            (107.0, 30.00016), // 8.9 m north of 5: chained into 4's cluster
            (108.0, 30.0),
            (108.0, 30.0002), // 22 m: not near
        ]);
        let (exact, near) = find(&p, 10.0);
        assert_eq!(exact, vec![vec![0, 1]]);
        assert_eq!(near, vec![vec![0, 1, 2], vec![4, 5, 6]]);
        let (_, none) = find(&p, 0.0);
        assert!(none.is_empty());
    }

    #[test]
    fn grid_finds_every_pair_brute_force_finds() {
        // A dense random-ish cloud; compare linked sets with brute force.
        let mut list = Vec::new();
        let mut s: u64 = 7;
        for _ in 0..400 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = (s >> 11) as f64 / (1u64 << 53) as f64;
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let b = (s >> 11) as f64 / (1u64 << 53) as f64;
            list.push((106.0 + a * 0.003, 60.0 + b * 0.0015));
        }
        let p = pts(&list);
        let (_, near) = find(&p, 10.0);
        let in_cluster: std::collections::HashSet<usize> = near.iter().flatten().copied().collect();
        for a in 0..p.len() {
            let brute = (0..p.len())
                .any(|b| b != a && p[a].at != p[b].at && distance_m(p[a].at, p[b].at) <= 10.0);
            assert_eq!(brute, in_cluster.contains(&a), "station {a}");
        }
    }
}
