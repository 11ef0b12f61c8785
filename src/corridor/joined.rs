//! Gaps joined across a route's junctions, in the direction of travel.
//!
//! A path ends where its route branches or merges (a carriageway mapped as
//! two at an interchange); measured alone, a path's gap from its last site
//! to that junction and the next path's gap from the junction to its first
//! site are two gaps, each perhaps under the spacing, where a driver meets
//! their sum. Here every point of a one-way line is given its distance
//! ahead, along the route's own one-way lines, to the next qualifying site
//! or to the end of the road (a node with no way on), a driver choosing the
//! better branch at a split: one multi-source shortest-path search on the
//! reversed lines (`petgraph`), sources the sites and the road ends. The
//! longest such distance on a path is its joined gap; on a path that meets
//! no junction it equals the path view's longest gap.
//!
//! Two-way lines are left to the path view: followed in both directions,
//! they would let a search turn back to a site behind the driver.

use std::collections::HashMap;

use petgraph::algo::dijkstra;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::corridor::network::Network;
use crate::corridor::paths::Path;
use crate::corridor::snap::Snap;

/// Per path: the longest distance from any of its points to the next site
/// or road end ahead, along the route, metres; `None` for two-way paths,
/// and for one-way paths from which neither can be reached (a closed ring
/// without a site).
pub fn joined_gaps(network: &Network, paths: &[Path], snaps: &[Snap]) -> Vec<Option<f64>> {
    let mut out = vec![None; paths.len()];
    // Sites per line (metres along it), from the snaps of one-way paths.
    let mut on_edge: HashMap<u32, Vec<f64>> = HashMap::new();
    for s in snaps {
        let path = &paths[s.path as usize];
        if path.direction == crate::corridor::Direction::Both {
            continue;
        }
        let (edge, along) = path.edge_at(s.chainage_m, network);
        on_edge.entry(edge).or_default().push(along);
    }
    for v in on_edge.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    let mut by_route: HashMap<u32, Vec<usize>> = HashMap::new();
    for (p, path) in paths.iter().enumerate() {
        if path.direction != crate::corridor::Direction::Both {
            by_route.entry(path.route).or_default().push(p);
        }
    }
    let mut routes: Vec<_> = by_route.into_iter().collect();
    routes.sort_by_key(|(r, _)| *r);
    for (_, members) in routes {
        // The route's one-way lines, each once.
        let mut edges: Vec<u32> = members
            .iter()
            .flat_map(|&p| paths[p].edges.iter().map(|&(e, _)| e))
            .collect();
        edges.sort_unstable();
        edges.dedup();
        let mut index: HashMap<u32, NodeIndex> = HashMap::new();
        let mut graph: DiGraph<(), f64> = DiGraph::new();
        let source = graph.add_node(());
        let mut node = |graph: &mut DiGraph<(), f64>, n: u32| {
            *index.entry(n).or_insert_with(|| graph.add_node(()))
        };
        let mut has_way_on: HashMap<u32, bool> = HashMap::new();
        for &e in &edges {
            let edge = &network.edges[e as usize];
            let (u, v) = (node(&mut graph, edge.from), node(&mut graph, edge.to));
            // Reversed: a search from the sites walks against the traffic.
            graph.add_edge(v, u, edge.length_m());
            has_way_on.insert(edge.from, true);
            has_way_on.entry(edge.to).or_insert(false);
            if let Some(first) = on_edge.get(&e).and_then(|s| s.first()) {
                graph.add_edge(source, u, *first);
            }
        }
        for (&n, &on) in &has_way_on {
            if !on {
                let at = node(&mut graph, n);
                graph.add_edge(source, at, 0.0);
            }
        }
        let ahead = dijkstra(&graph, source, None, |e| *e.weight());
        let d = |n: u32| ahead.get(&index[&n]).copied();
        for &p in &members {
            let mut longest: Option<f64> = Some(0.0);
            for &(e, _) in &paths[p].edges {
                let edge = &network.edges[e as usize];
                let len = edge.length_m();
                let sites = on_edge.get(&e).map(Vec::as_slice).unwrap_or(&[]);
                let end = d(edge.to).map(|dv| {
                    let last = sites.last().copied().unwrap_or(0.0);
                    // From the last site (or the line's start) to its end,
                    // then on to the next site.
                    len - last + dv
                });
                let within = sites
                    .windows(2)
                    .map(|w| w[1] - w[0])
                    .chain(sites.first().copied())
                    .fold(0.0, f64::max);
                longest = match (longest, end) {
                    (Some(l), Some(end)) => Some(l.max(end).max(within)),
                    _ => None,
                };
            }
            out[p] = longest;
        }
    }
    out
}
